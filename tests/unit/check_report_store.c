/* check_report_store: the report against a real store (SQLite files in a temporary
 * directory). The figures the tickets keep (migration 14) must give the very report their
 * messages and events give: a generated history with ties, reopens, resolutions, notes and
 * surveys is reported once from the kept figures and once with every ticket forced to be
 * worked out from its history (white box: report_at set past the end), for the whole time
 * and for a past period, in total and by day and agent. The kept figures are written by
 * the store's own functions (live) and by migration 14 from a database left at the version
 * before it (filled). Then the messages and events are deleted: the report does not change, since
 * it never reads them.
 * With PD_TEST_PG_URI (the suite against PostgreSQL, testutil.h test_database) the desk is
 * PostgreSQL's, except for the replay of SQLite's migration 14 (a PostgreSQL desk starts at
 * 18), which keeps a SQLite file. */
#include "config.h"
#include "postdesk/report.h"
#include "store-migrate.h"
#include "store-private.h"
#include "testutil.h"

#include <check.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define BASE 1772409600LL /* Monday 2026-03-02 00:00 UTC */
#define TICKETS 80

static char *tmpdir;
static char *dbpath;

static void setup(void)
{
	tmpdir = g_dir_make_tmp("check_report_store-XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
	dbpath = test_database(tmpdir, "postdesk.db"); /* SQLite, or PostgreSQL (PD_TEST_PG_URI) */
}

static void teardown(void)
{
	GDir *d = g_dir_open(tmpdir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		char *p = g_build_filename(tmpdir, name, NULL);

		g_unlink(p);
		g_free(p);
	}
	if (d != NULL)
		g_dir_close(d);
	g_rmdir(tmpdir);
	g_free(tmpdir);
	g_free(dbpath);
}

static void raw_exec(const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	if (test_database_exec(dbpath, sql)) /* PostgreSQL (PD_TEST_PG_URI) */
		return;
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* The report as JSON text, read from the store (tickets of queue, NULL: all). */
static char *report_json_of(gint64 since, gint64 until, enum report_by by, const char *queue)
{
	struct report_options opt = {since, until, by, NULL};
	struct report_builder *b = report_builder_new(&opt);
	struct store *s = NULL;
	struct report *r;
	char *error = NULL, *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (store_open(dbpath, STORE_READONLY, 1000, &s, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	if (store_report_each(s, queue, NULL, until, report_builder_add, b, &error) < 0)
		ck_abort_msg("store_report_each: %s", error);
	r = report_builder_finish(&b);
	report_write_json(r, out);
	fclose(out);
	report_free(&r);
	store_close(&s);
	return text;
}

static char *report_json(gint64 since, gint64 until, enum report_by by)
{
	return report_json_of(since, until, by, NULL);
}

/* The total's figure `name` in a report's JSON (the total comes first). */
static gint64 figure(const char *json, const char *name)
{
	char *key = g_strdup_printf("\"%s\" : ", name);
	const char *p = strstr(json, key);

	ck_assert_msg(p != NULL, "no %s", name);
	p += strlen(key);
	g_free(key);
	return g_ascii_strtoll(p, NULL, 10);
}

/* Filtered by queue, the merged reads skip the other tickets' waits and surveys: the two
 * queues' counts add up to the whole. */
static void check_queues(void)
{
	static const char *const names[] = {"created",	  "surveys_sent", "surveys_answered",
					    "csat_count", "fcr",	  "resolved",
					    "reopened",	  "self_served"};
	gint64 until = BASE + 400 * 86400LL;
	char *all = report_json(0, until, REPORT_BY_NONE);
	char *support = report_json_of(0, until, REPORT_BY_NONE, "support");
	char *sales = report_json_of(0, until, REPORT_BY_NONE, "sales");

	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		ck_assert_int_eq(figure(support, names[i]) + figure(sales, names[i]),
				 figure(all, names[i]));
	ck_assert_int_gt(figure(support, "surveys_sent"), 0);
	ck_assert_int_gt(figure(sales, "surveys_sent"), 0);
	/* Reply waits: counts add up too ("reply" : {"count" : N). */
	ck_assert_int_eq(figure(strstr(support, "\"reply\""), "count") +
			     figure(strstr(sales, "\"reply\""), "count"),
			 figure(strstr(all, "\"reply\""), "count"));
	g_free(all);
	g_free(support);
	g_free(sales);
}

/* Every (period, grouping) reported: the whole time, and a past period whose end cuts
 * through most tickets' histories. */
static const struct {
	gint64 since, until;
	enum report_by by;
} cases[] = {
    {0, BASE + 400 * 86400LL, REPORT_BY_NONE},
    {0, BASE + 400 * 86400LL, REPORT_BY_DAY},
    {BASE + 86400, BASE + 2 * 86400 + 7000, REPORT_BY_NONE},
    {BASE + 86400, BASE + 2 * 86400 + 7000, REPORT_BY_DAY},
    {BASE + 3600, BASE + 3 * 86400, REPORT_BY_AGENT},
};

static GPtrArray *all_reports(void)
{
	GPtrArray *v = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
		g_ptr_array_add(v, report_json(cases[i].since, cases[i].until, cases[i].by));
	return v;
}

#define WHOLE_TIME 2 /* the first cases: their end is after everything */

static void assert_same(GPtrArray *a, GPtrArray *b, guint n)
{
	for (guint i = 0; i < n; i++)
		ck_assert_msg(strcmp(g_ptr_array_index(a, i), g_ptr_array_index(b, i)) == 0,
			      "case %u differs:\n%s\n---\n%s", i, (char *)g_ptr_array_index(a, i),
			      (char *)g_ptr_array_index(b, i));
}

/* Kept figures vs. the history they stand for, then without the history. */
static void check_kept_figures(void)
{
	GPtrArray *kept = all_reports(), *history, *deleted;
	/* The history is not trivial: waits answered, first-contact resolutions, reopens. */
	const char *all = g_ptr_array_index(kept, 0);

	ck_assert_ptr_null(strstr(all, "\"reply\" : {\n      \"count\" : 0,"));
	ck_assert_ptr_null(strstr(all, "\"fcr\" : 0,"));
	ck_assert_ptr_null(strstr(all, "\"reopened\" : 0,"));
	ck_assert_ptr_null(strstr(all, "\"self_served\" : 0,"));
	ck_assert_ptr_null(strstr(all, "\"surveys_answered\" : 0,"));
	check_queues();
	raw_exec("UPDATE tickets SET report_at = 9000000000000");
	history = all_reports();
	assert_same(kept, history, kept->len);
	/* Without the history: the whole-time reports (every ticket kept again) are the same. */
	raw_exec("UPDATE tickets SET report_at = 0");
	/* (no PRAGMA: a raw sqlite3 connection leaves foreign keys off anyway; PostgreSQL
	 * cascades to the rows that hang on a message) */
	raw_exec("DELETE FROM attachments; UPDATE outbox SET "
		 "message_row = NULL; DELETE FROM messages; DELETE FROM events");
	deleted = all_reports();
	assert_same(kept, deleted, WHOLE_TIME);
	g_ptr_array_unref(kept);
	g_ptr_array_unref(history);
	g_ptr_array_unref(deleted);
}

static guint32 rnd_state;
static guint32 rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) & 0xffff;
}

static void message(struct store *s, gint64 ticket, const char *dir, const char *kind, gint64 now)
{
	static int n;
	char *mid = g_strdup_printf("m%d@test", ++n);
	GBytes *raw = g_bytes_new_static("x", 1);
	struct store_message m = {.ticket_id = ticket,
				  .direction = (char *)dir,
				  .kind = (char *)kind,
				  .message_id = mid,
				  .rcpt = (char *)"support@test",
				  .raw = raw};
	gint64 id;
	char *error = NULL;

	if (store_message_insert(s, &m, now, &id, &error) < 0)
		ck_abort_msg("message: %s", error);
	g_bytes_unref(raw);
	g_free(mid);
}

static void status(struct store *s, gint64 ticket, const char *st, gint64 now)
{
	ck_assert_int_eq(store_ticket_set_status(s, ticket, st, now, NULL), 0);
	ck_assert_int_eq(store_event_add(s, ticket, now, "status", "agent@test", st, NULL), 0);
}

/* Resolved as self-served, as route_solved.c records it (issue 14). */
static void self_served(struct store *s, gint64 ticket, const char *from, gint64 now)
{
	ck_assert_int_eq(store_ticket_set_self_served(s, ticket, now, NULL), 0);
	ck_assert_int_eq(store_event_add(s, ticket, now, "status", "c@test", "resolved", NULL), 0);
	ck_assert_int_eq(store_event_add(s, ticket, now, "self_served", "c@test", from, NULL), 0);
}

/* One ticket's generated life: customer mail, answers, notes, status changes, reopens (as
 * thread.c records them), a survey; one step in three at the same second as the last. */
static void one_ticket(struct store *s, gint64 customer, int i)
{
	gint64 now = BASE + (gint64)i * 5000, id;
	const char *cur = "new";
	int steps = 2 + (int)(rnd() % 9);

	ck_assert_int_eq(store_ticket_create(s, i % 3 ? "support" : "sales", "subject", customer, 0,
					     now, &id, NULL),
			 0);
	message(s, id, "in", "customer", now);
	if (i % 4 != 0)
		ck_assert_int_eq(
		    store_ticket_set_assignee(s, id, i % 4 == 1 ? "al@test" : "bo@test", now, NULL),
		    0);
	for (int k = 0; k < steps; k++) {
		guint32 r = rnd();

		now += r % 3 == 0 ? 0 : 60 + (gint64)(rnd() % 20000);
		switch (r % 7) {
		case 0:
		case 1:
			message(s, id, "in", "customer", now);
			break;
		case 2:
		case 3:
			message(s, id, "out", "agent", now);
			break;
		case 4:
			message(s, id, "out", "note", now);
			break;
		case 5:
			if (strcmp(cur, "resolved") == 0) {
				status(s, id, "open", now);
				ck_assert_int_eq(
				    store_event_add(s, id, now, "reopened", "c@test", cur, NULL),
				    0);
				cur = "open";
			} else if (r % 3 == 1) {
				self_served(s, id, cur, now);
				cur = "resolved";
			} else {
				status(s, id, "resolved", now);
				cur = "resolved";
			}
			break;
		default:
			status(s, id, (cur = r % 2 ? "pending" : "open"), now);
			break;
		}
	}
	if (strcmp(cur, "resolved") == 0 && i % 2 == 0) {
		ck_assert_int_ge(store_survey_request(s, id, now + 60, NULL), 0);
		if (i % 4 == 0)
			ck_assert_int_eq(
			    store_survey_answer(s, id, 1 + i % 5, i % 11, -1, NULL, now + 120, NULL),
			    0);
	}
}

START_TEST(test_kept_live)
{
	struct store *s = NULL;
	char *error = NULL;
	gint64 customer = 0;

	if (store_open(dbpath, STORE_CREATE, 1000, &s, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	ck_assert_int_eq(store_customer_upsert(s, "c@test", "C", BASE, &customer, NULL), 0);
	rnd_state = 7;
	for (int i = 0; i < TICKETS; i++)
		one_ticket(s, customer, i);
	store_close(&s);
	check_kept_figures();
}
END_TEST

/* The same history written by the store's functions, with migration 14's columns
 * and table removed), then migration 14 applied to it. */
START_TEST(test_kept_migrated)
{
	struct store *s = NULL;
	char *error = NULL, *version;
	gint64 customer = 0;

	/* SQLite's migration 14 replayed (a PostgreSQL desk starts at 18): a SQLite file,
	 * with PD_TEST_PG_URI too */
	g_free(dbpath);
	dbpath = g_build_filename(tmpdir, "postdesk.db", NULL);
	if (store_open(dbpath, STORE_CREATE, 1000, &s, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	ck_assert_int_eq(store_customer_upsert(s, "c@test", "C", BASE, &customer, NULL), 0);
	rnd_state = 11;
	for (int i = 0; i < TICKETS; i++)
		one_ticket(s, customer, i);
	store_close(&s);
	raw_exec("DROP TABLE reply_waits;"
		 "ALTER TABLE tickets DROP COLUMN answers;"
		 "ALTER TABLE tickets DROP COLUMN cust_after;"
		 "ALTER TABLE tickets DROP COLUMN wait_start;"
		 "ALTER TABLE tickets DROP COLUMN resolved_at;"
		 "ALTER TABLE tickets DROP COLUMN first_reopen;"
		 "ALTER TABLE tickets DROP COLUMN last_reopen;"
		 "ALTER TABLE tickets DROP COLUMN fcr;"
		 "ALTER TABLE tickets DROP COLUMN report_at;");
	/* Migration 14 (the report's) run on its own, as an upgrade runs it; the later
	 * migrations stay applied, so the version goes back to the latest. */
	raw_exec(store_migration_sql(14));
	version = g_strdup_printf("PRAGMA user_version = %d;", store_schema_latest());
	raw_exec(version);
	g_free(version);
	if (store_open(dbpath, 0, 1000, &s, &error) < 0)
		ck_abort_msg("store_open (migrate): %s", error);
	ck_assert_int_eq(store_schema_version(s), store_schema_latest());
	store_close(&s);
	check_kept_figures();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("report_store");
	TCase *tc = tcase_create("kept");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_kept_live);
	tcase_add_test(tc, test_kept_migrated);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
