/* check_ces: customer effort (CES) and retention (issue 14). Against a real store (SQLite
 * files in a temporary directory): a hand-built history of four customers whose retention
 * figures are worked out by hand below — a new ticket exactly 7 days after a resolution
 * (in another queue: a repeat contact, counted for the customer, not the queue), one 7 days
 * and a second after (none), a customer whose earlier ticket was never resolved, one who
 * came back from before the period — written by the store's own functions (live) and,
 * with the columns migration 17 adds removed, filled by migration 17 from the history:
 * both give the same report. CES answers (1..7) stored and reported as a mean and a
 * distribution (JSON and text). survey_questions is read by conf_load: the order kept,
 * unknown or repeated questions refused. CES survey links are signed survey tokens 1..7.
 * With PD_TEST_PG_URI (the suite against PostgreSQL, testutil.h test_database) the desk is
 * PostgreSQL's, except for the replay of SQLite's migration 17 (a PostgreSQL desk starts at
 * 18), which keeps a SQLite file. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/report.h"
#include "postdesk/token.h"
#include "store-migrate.h"
#include "store-private.h"
#include "testutil.h"

#include <check.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define BASE 1772409600LL /* Monday 2026-03-02 00:00 UTC */
#define DAY 86400LL

static char *tmpdir;
static char *dbpath;

static void setup(void)
{
	tmpdir = g_dir_make_tmp("check_ces-XXXXXX", NULL);
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

static gint64 customer(struct store *s, const char *addr)
{
	gint64 id = 0;

	ck_assert_int_eq(store_customer_upsert(s, addr, "", BASE - 60 * DAY, &id, NULL), 0);
	return id;
}

static gint64 ticket(struct store *s, gint64 cust, const char *queue, gint64 when)
{
	gint64 id = 0;

	ck_assert_int_eq(store_ticket_create(s, queue, "subject", cust, 0, when, &id, NULL), 0);
	return id;
}

static void resolve(struct store *s, gint64 id, gint64 when)
{
	ck_assert_int_eq(store_event_add(s, id, when, "status", "agent@test", "resolved", NULL), 0);
}

/* The history (period: BASE .. BASE + 30 days):
 * a: t1 support BASE, resolved +1h; t2 sales exactly 7 days after that resolution: repeat.
 *    CES 6 on t1.
 * b: t3 support BASE+1000, resolved BASE+2000; t4 support 7 days and 1 s after: no repeat.
 *    CES 2 on t3.
 * c: t5 BASE+5000, never resolved; t6 BASE+6000: no repeat.
 * d: t7 30 days before the period, resolved then; t8 in the period: a returning customer.
 * Customers in the period: a, b, c, d (each counted at their first ticket in it) = 4;
 * returning (had a ticket before the period): d = 1; repeat contacts: t2 = 1; created 7. */
static void history(void)
{
	struct store *s = NULL;
	char *error = NULL;
	gint64 a, b, c, d, t1, t3, t7;

	if (store_open(dbpath, STORE_CREATE, 1000, &s, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	a = customer(s, "a@test");
	b = customer(s, "b@test");
	c = customer(s, "c@test");
	d = customer(s, "d@test");
	t7 = ticket(s, d, "support", BASE - 30 * DAY);
	resolve(s, t7, BASE - 30 * DAY + 600);
	t1 = ticket(s, a, "support", BASE);
	t3 = ticket(s, b, "support", BASE + 1000);
	resolve(s, t3, BASE + 2000);
	resolve(s, t1, BASE + 3600);
	ticket(s, c, "support", BASE + 5000);
	ticket(s, c, "support", BASE + 6000);
	ticket(s, d, "support", BASE + 2 * DAY);
	ticket(s, a, "sales", BASE + 3600 + 7 * DAY);
	ticket(s, b, "support", BASE + 2000 + 7 * DAY + 1);
	ck_assert_int_eq(store_survey_request(s, t1, BASE + 2 * 3600, NULL), 1);
	ck_assert_int_eq(store_survey_answer(s, t1, -1, -1, 6, NULL, BASE + 3 * 3600, NULL), 0);
	ck_assert_int_eq(store_survey_answer(s, t3, 4, -1, 2, "fine", BASE + 3 * 3600, NULL), 0);
	/* A later answer without CES keeps it; out of range is refused. */
	ck_assert_int_eq(store_survey_answer(s, t3, 5, -1, -1, NULL, BASE + 4 * 3600, NULL), 0);
	ck_assert_int_eq(store_survey_answer(s, t3, -1, -1, 8, NULL, BASE + 4 * 3600, &error), -1);
	g_clear_pointer(&error, g_free);
	store_close(&s);
}

static struct report *report_of(const char *queue, enum report_by by)
{
	struct report_options opt = {BASE, BASE + 30 * DAY, by, NULL};
	struct report_builder *rb = report_builder_new(&opt);
	struct store *s = NULL;
	char *error = NULL;

	if (store_open(dbpath, STORE_READONLY, 1000, &s, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	if (store_report_each(s, queue, NULL, BASE + 30 * DAY, report_builder_add, rb, &error) < 0)
		ck_abort_msg("store_report_each: %s", error);
	store_close(&s);
	return report_builder_finish(&rb);
}

static const struct report_figures *group(const struct report *r, const char *key)
{
	for (guint i = 0; i < r->groups->len; i++) {
		const struct report_figures *f = g_ptr_array_index(r->groups, i);
		if (strcmp(f->key, key) == 0)
			return f;
	}
	ck_abort_msg("no group %s", key);
	return NULL;
}

static char *text_of(const struct report *r, gboolean json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	json ? report_write_json(r, out) : report_write_text(r, out);
	fclose(out);
	return text;
}

static void check_figures(void)
{
	struct report *r = report_of(NULL, REPORT_BY_QUEUE);
	const struct report_figures *t = &r->total;
	char *text, *json;

	ck_assert_int_eq(t->created, 7);
	ck_assert_int_eq(t->customers, 4);
	ck_assert_int_eq(t->returning, 1);
	ck_assert_int_eq(t->repeat_contacts, 1);
	ck_assert(report_returning_rate(t) == 25.0);
	/* The repeat contact is the sales ticket (the resolution was in support). */
	ck_assert_int_eq(group(r, "sales")->repeat_contacts, 1);
	ck_assert_int_eq(group(r, "support")->repeat_contacts, 0);
	ck_assert_int_eq(t->ces_count, 2);
	ck_assert_int_eq(t->ces_sum, 8);
	ck_assert_int_eq(t->ces_hist[2], 1);
	ck_assert_int_eq(t->ces_hist[6], 1);
	ck_assert(report_ces(t) == 4.0);
	ck_assert_int_eq(t->csat_count, 1); /* t3's CSAT 5 (t1 answered CES only) */
	text = text_of(r, FALSE);
	ck_assert_msg(strstr(text, "mean 4.0 from 2 answers (1: 0, 2: 1, 3: 0, 4: 0, 5: 0, "
				   "6: 1, 7: 0)") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "Retention: 4 customers, 1 returning (25%); 1 repeat "
				   "contacts within 7 days of a resolution (14% of new tickets)") !=
			  NULL, "%s", text);
	json = text_of(r, TRUE);
	ck_assert_msg(strstr(json, "\"ces_mean\" : 4.0") != NULL, "%s", json);
	ck_assert_msg(strstr(json, "\"repeat_contacts\" : 1") != NULL, "%s", json);
	ck_assert_msg(strstr(json, "\"returning_customers\" : 1") != NULL, "%s", json);
	g_free(text);
	g_free(json);
	report_free(&r);
	/* Filtered by queue: the sales ticket is a repeat contact there too. */
	r = report_of("sales", REPORT_BY_NONE);
	ck_assert_int_eq(r->total.created, 1);
	ck_assert_int_eq(r->total.repeat_contacts, 1);
	report_free(&r);
}

START_TEST(test_retention_live)
{
	history();
	check_figures();
}
END_TEST

/* The same history with migration 17's retention columns removed, then migration 17 run
 * (without its first line, surveys.ces, which stays: SQLite cannot drop a CHECKed column):
 * it fills them from the history, as an upgrade does. */
START_TEST(test_retention_migrated)
{
	const char *sql = store_migration_sql(17);
	char *version;
	struct store *s = NULL;
	char *error = NULL;

	/* SQLite's migration 17 replayed (a PostgreSQL desk starts at 18): a SQLite file,
	 * with PD_TEST_PG_URI too */
	g_free(dbpath);
	dbpath = g_build_filename(tmpdir, "postdesk.db", NULL);
	history();
	raw_exec("ALTER TABLE customers DROP COLUMN last_created;"
		 "ALTER TABLE customers DROP COLUMN last_resolved;"
		 "ALTER TABLE tickets DROP COLUMN prev_created;"
		 "ALTER TABLE tickets DROP COLUMN prev_resolved;");
	ck_assert(g_str_has_prefix(sql, "ALTER TABLE surveys ADD COLUMN ces"));
	raw_exec(strchr(sql, '\n') + 1);
	version = g_strdup_printf("PRAGMA user_version = %d;", store_schema_latest());
	raw_exec(version);
	g_free(version);
	if (store_open(dbpath, 0, 1000, &s, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	store_close(&s);
	check_figures();
}
END_TEST

static int load_conf(const char *questions, struct conf **conf_r, char **error_r)
{
	char *path = g_build_filename(tmpdir, "postdesk.conf", NULL);
	char *text = g_strdup_printf("[postdesk]\ndomain = example.com\n%s%s%s"
				     "[queue support]\naddress = support@example.com\n",
				     questions != NULL ? "survey_questions = " : "",
				     questions != NULL ? questions : "",
				     questions != NULL ? "\n" : "");
	int ret;

	ck_assert(g_file_set_contents(path, text, -1, NULL));
	ret = conf_load(path, conf_r, error_r);
	g_free(text);
	g_free(path);
	return ret;
}

START_TEST(test_conf_questions)
{
	struct conf *conf = NULL;
	char *error = NULL;
	guint ask[CONF_SURVEY_QUESTIONS];

	ck_assert_int_eq(load_conf(NULL, &conf, &error), 0);
	ck_assert_uint_eq(conf_survey_questions(conf, ask), 2);
	ck_assert_uint_eq(ask[0], CONF_SURVEY_CSAT);
	ck_assert_uint_eq(ask[1], CONF_SURVEY_NPS);
	conf_free(&conf);
	ck_assert_int_eq(load_conf("ces csat", &conf, &error), 0);
	ck_assert_uint_eq(conf_survey_questions(conf, ask), 2);
	ck_assert_uint_eq(ask[0], CONF_SURVEY_CES);
	ck_assert_uint_eq(ask[1], CONF_SURVEY_CSAT);
	conf_free(&conf);
	ck_assert_int_eq(load_conf("csat effort", &conf, &error), -1);
	ck_assert_msg(strstr(error, "unknown question \"effort\"") != NULL, "%s", error);
	g_clear_pointer(&error, g_free);
	ck_assert_int_eq(load_conf("ces ces", &conf, &error), -1);
	ck_assert_msg(strstr(error, "named twice") != NULL, "%s", error);
	g_clear_pointer(&error, g_free);
	ck_assert_int_eq(load_conf(",", &conf, &error), -1);
	ck_assert_msg(strstr(error, "no question") != NULL, "%s", error);
	g_clear_pointer(&error, g_free);
}
END_TEST

/* A CES link is a survey token with its score (1..7): verified, and a changed score is not. */
START_TEST(test_ces_tokens)
{
	char *keyfile = g_build_filename(tmpdir, "postdesk.key", NULL);
	struct token_keys *keys = NULL;
	char *error = NULL;

	ck_assert_int_eq(token_keys_create(keyfile, FALSE, &error), 0);
	ck_assert_int_eq(token_keys_load(keyfile, &keys, &error), 0);
	for (int score = 1; score <= 7; score++) {
		struct token t = {.id = 12, .role = TOKEN_SURVEY, .score = score}, got;
		char *addr = NULL, *local, *mark;
		ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &addr, NULL), 0);
		local = g_strndup(addr, strchr(addr, '@') - addr);
		ck_assert_int_eq(token_check_local(keys, local, &got, NULL), TOKEN_VALID);
		ck_assert_int_eq(got.role, TOKEN_SURVEY);
		ck_assert_int_eq(got.score, score);
		ck_assert_int_eq(got.id, 12);
		/* The same MAC with another score does not verify. */
		mark = strstr(local, "-s");
		ck_assert_ptr_nonnull(mark);
		mark[2] = score == 7 ? '1' : '7';
		ck_assert_int_eq(token_check_local(keys, local, &got, NULL), TOKEN_BAD);
		g_free(local);
		g_free(addr);
	}
	token_keys_free(&keys);
	g_free(keyfile);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ces");
	TCase *tc = tcase_create("ces");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_retention_live);
	tcase_add_test(tc, test_retention_migrated);
	tcase_add_test(tc, test_conf_questions);
	tcase_add_test(tc, test_ces_tokens);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
