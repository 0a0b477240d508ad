/* check_store_stmt: unit tests of the statement declarations in src/store/statements.def
 * against the statements SQLite prepares from them — one type letter per parameter, one per
 * result column, letters that agree with the schema's declared column types.
 * — and of the binder that checks each call against them (stmt.c).
 * White-box: it includes store-private.h to reach the prepared statements.
 * Stays on SQLite under PD_TEST_PG_URI (the suite against PostgreSQL, testutil.h
 * test_database): it checks statements.def against what SQLite prepares and its query
 * plans; tests/unit/check_store_pg checks them on PostgreSQL. */
#include "config.h"
#include "postdesk/store.h"
#include "store-private.h"
#include "store-stmt.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

static char *tmpdir;
static char *dbpath;

static void setup(void)
{
	tmpdir = g_dir_make_tmp("check_store_stmt-XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
	dbpath = g_build_filename(tmpdir, "postdesk.db", NULL);
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

static struct store *open_ok(void)
{
	struct store *s = NULL;
	char *error = NULL;

	if (store_open(dbpath, STORE_CREATE, 1000, &s, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	return s;
}

/* The schema's type of a result column that is a plain table column, as a letter class:
 * what statements.def may declare for it. NULL for an expression (no declared type). */
static const char *letters_for_decltype(const char *decltype)
{
	if (decltype == NULL)
		return NULL;
	if (g_ascii_strcasecmp(decltype, "INTEGER") == 0)
		return "inm";
	if (g_ascii_strcasecmp(decltype, "TEXT") == 0)
		return "tz";
	if (g_ascii_strcasecmp(decltype, "BLOB") == 0)
		return "x";
	return "";
}

/* Every parameter: numbered ?1..?N with no gap, N letters, known letters. */
static void check_params(sqlite3_stmt *st, const char *name, const char *params)
{
	int n = sqlite3_bind_parameter_count(st);

	ck_assert_msg((int)strlen(params) == n,
		      "%s: %zu parameter letters \"%s\", SQLite counts %d", name, strlen(params),
		      params, n);
	for (int i = 1; i <= n; i++) {
		char *want = g_strdup_printf("?%d", i);
		const char *got = sqlite3_bind_parameter_name(st, i);

		ck_assert_msg(got != NULL && strcmp(got, want) == 0,
			      "%s: parameter %d is %s, not %s (number them, with no gap)", name, i,
			      got != NULL ? got : "unused", want);
		ck_assert_msg(strchr("inmlbtzx", params[i - 1]) != NULL,
			      "%s: parameter ?%d has unknown type letter '%c'", name, i,
			      params[i - 1]);
		g_free(want);
	}
}

static void check_columns(sqlite3_stmt *st, const char *name, const char *columns)
{
	int n = sqlite3_column_count(st);

	ck_assert_msg((int)strlen(columns) == n, "%s: %zu column letters \"%s\", SQLite counts %d",
		      name, strlen(columns), columns, n);
	for (int i = 0; i < n; i++) {
		const char *allowed = letters_for_decltype(sqlite3_column_decltype(st, i));

		ck_assert_msg(strchr("inmbtzx", columns[i]) != NULL,
			      "%s: column %d has unknown type letter '%c'", name, i, columns[i]);
		ck_assert_msg(allowed == NULL || strchr(allowed, columns[i]) != NULL,
			      "%s: column %d (%s) is declared '%c', but the schema says %s", name,
			      i, sqlite3_column_name(st, i), columns[i],
			      sqlite3_column_decltype(st, i));
	}
}

START_TEST(test_declarations_match_statements)
{
	struct store *s = open_ok();

	for (int i = 0; i < STMT_COUNT; i++) {
		ck_assert_ptr_nonnull(s->stmt[i]);
		check_params(s->stmt[i], store_stmt_name(i), store_stmt_params(i));
		check_columns(s->stmt[i], store_stmt_name(i), store_stmt_columns(i));
	}
	store_close(&s);
}
END_TEST

/* A call that disagrees with the declaration fails before anything is bound, names the
 * statement, and leaves the statement usable. */
START_TEST(test_binder_refuses_mismatch)
{
	struct store *s = open_ok();
	char *error = NULL;
	gint64 n = 0;

	ck_assert_int_eq(store_run(s, STMT_tag_add, SV_ARGS(SV_I(1)), "add tag", &error), -1);
	ck_assert_int_eq(store_last_error(s), STORE_ERR_OTHER);
	ck_assert_ptr_nonnull(strstr(error, "add tag: statement tag_add declares 2 parameters"));
	ck_assert_ptr_nonnull(strstr(error, "given 1 values (a programming error)"));
	g_free(error);
	error = NULL;

	ck_assert_int_eq(
	    store_run(s, STMT_tag_add, SV_ARGS(SV_T("1"), SV_T("x")), "add tag", &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "parameter ?1 of statement tag_add is declared 'i'"));
	g_free(error);
	error = NULL;

	ck_assert_int_eq(store_int64(s, STMT_message_count, SV_ARGS(SV_I(1)), "count", &n, &error),
			 -1);
	ck_assert_ptr_nonnull(strstr(error, "declares 0 parameters"));
	g_free(error);

	/* Nothing was left bound or half-run. */
	ck_assert_int_eq(store_int64(s, STMT_message_count, SV_NONE, "count", &n, NULL), 1);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(
	    store_int64(s, STMT_customer_id, SV_ARGS(SV_T("nobody@x")), "find", &n, NULL), 0);
	store_close(&s);
}
END_TEST

/* ---- flat cost: no statement whose cost grows with history (issue 10) ----
 * Every statement's query plan is read (EXPLAIN QUERY PLAN on a migrated database) and
 * refused if it scans a table or an index from end to end ("SCAN x"), sorts in a temporary
 * B-tree ("USE TEMP B-TREE", an ORDER BY no index answers), or aggregates (count/sum/avg/
 * total/GROUP BY: a count over a sender's or a ticket's rows grows with them). The few
 * statements that may are listed here with the reason their cost stays bounded, or why
 * they are not on the way of a message (the report, admin listings that page). A new
 * statement is held to the rule unless someone adds it here and says why. */
static const struct {
	const char *name, *why;
} flat_cost_exceptions[] = {
    {"report_tickets", "postdesk report: reads the period's rows in one pass (not delivery)"},
    {"report_waits", "postdesk report: one pass over answered waits in key order (not delivery)"},
    {"report_surveys", "postdesk report: one pass (not delivery)"},
    {"message_count", "tests and admin summaries only (not delivery)"},
    {"outbox_list", "postdesk outbox: an admin listing that pages (LIMIT)"},
    {"agent_list", "the agents table holds people, not history"},
    {"agent_digest_list", "the agents table holds people, not history"},
    {"message_first_in", "the rows of one Message-ID: one per recipient of that message"},
    {"ticket_by_msgid", "the rows of one Message-ID: one per recipient of that message"},
    {"message_first_in_flags", "the rows of one Message-ID: one per recipient of that message"},
    {"attachment_list", "one message's attachments"},
    {"participant_list", "one ticket's participants"},
    {"schedule_list", "one ticket's schedule rows: one per kind of timed job"},
    {"search_messages", "postdesk search / #search: an FTS5 lookup, its cost the matches' "
			"(not delivery; tests/bench/search_bench.sh: p50 at 10^6 messages)"},
    {"search_tickets", "postdesk search / #search: an FTS5 lookup (not delivery)"},
    {"search_messages_all", "postdesk search without filters: an FTS5 lookup (not delivery)"},
    {"search_tickets_all", "postdesk search without filters: an FTS5 lookup (not delivery)"},
    {"autoreply_count", "one sender's rows in the rate-limit window: at most ten times "
			"autoreply_limit exist"},
    /* issue 13: data protection, an admin act once per customer (never delivery) */
    {"privacy_participating", "postdesk customer export/erase: once per customer, admin only"},
    {"privacy_erase_outbox", "postdesk customer erase: one pass over the outbox, admin only"},
    {"privacy_erase_outbox_of", "postdesk customer erase: a pass per ticket of someone else "
				"the customer was copied on, admin only"},
    /* issue 14: the knowledge base (doc/kb.md) */
    {"kb_search", "FTS5: the plan of any virtual table reads SCAN; the full-text index answers "
		  "MATCH and rank, LIMIT bounds the rows, and the articles are a shop's FAQ"},
    {"kb_list", "postdesk kb list: the articles, admin only (not delivery)"},
    {"ack_held_list", "notifyd: the held acknowledgements in key order, LIMIT a batch; the "
		      "table holds only the ones still waiting (taken rows are deleted)"},
    {"ack_held_oldest", "postdesk check: the first held row in key order (LIMIT 1) of a table "
			"that holds only the ones still waiting"},
};

static const char *flat_cost_exception(const char *name)
{
	/* issue 16: postdesk store copy reads every row once and counts every table (an admin
	 * act once per desk, never delivery); its reads by key (copy_read_) stay flat. */
	if (g_str_has_prefix(name, "copy_count_") || g_str_has_prefix(name, "copy_page_"))
		return "postdesk store copy: every row once, admin only (not delivery)";
	for (guint i = 0; i < G_N_ELEMENTS(flat_cost_exceptions); i++)
		if (strcmp(flat_cost_exceptions[i].name, name) == 0)
			return flat_cost_exceptions[i].why;
	return NULL;
}

/* Statements that touch no table: connection set-up and transaction control. */
static gboolean flat_cost_no_table(const char *sql)
{
	static const char *const prefixes[] = {"PRAGMA", "BEGIN", "COMMIT", "ROLLBACK",
					       "SAVEPOINT", "RELEASE"};

	for (guint i = 0; i < G_N_ELEMENTS(prefixes); i++)
		if (g_str_has_prefix(sql, prefixes[i]))
			return TRUE;
	return FALSE;
}

/* What in statement i makes its cost grow with history, or NULL. g_malloc'ed. */
static char *flat_cost_violation(sqlite3 *db, int i)
{
	const char *sql = store_stmt_sql(i);
	char *lower = g_ascii_strdown(sql, -1), *eqp = g_strconcat("EXPLAIN QUERY PLAN ", sql, NULL);
	static const char *const aggregates[] = {"count(", "sum(", "avg(", "total(", "group by"};
	sqlite3_stmt *st = NULL;
	char *why = NULL;

	for (guint k = 0; k < G_N_ELEMENTS(aggregates) && why == NULL; k++)
		if (strstr(lower, aggregates[k]) != NULL)
			why = g_strdup_printf("aggregates (%s...)", aggregates[k]);
	ck_assert_msg(sqlite3_prepare_v2(db, eqp, -1, &st, NULL) == SQLITE_OK, "%s: %s",
		      store_stmt_name(i), sqlite3_errmsg(db));
	while (why == NULL && sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);

		if ((g_str_has_prefix(detail, "SCAN ") &&
		     !g_str_has_prefix(detail, "SCAN CONSTANT ROW")) ||
		    strstr(detail, "USE TEMP B-TREE") != NULL)
			why = g_strdup(detail);
	}
	sqlite3_finalize(st);
	g_free(eqp);
	g_free(lower);
	return why;
}

START_TEST(test_flat_cost)
{
	struct store *s = open_ok();
	GString *bad = g_string_new(NULL);
	guint checked = 0;

	for (int i = 0; i < STMT_COUNT; i++) {
		char *why;

		if (flat_cost_no_table(store_stmt_sql(i)))
			continue;
		checked++;
		why = flat_cost_violation(s->db, i);
		if (why != NULL && flat_cost_exception(store_stmt_name(i)) == NULL)
			g_string_append_printf(bad, "\n  %s: %s", store_stmt_name(i), why);
		/* An exception that no longer needs to be one is taken off the list. */
		ck_assert_msg(why != NULL || flat_cost_exception(store_stmt_name(i)) == NULL,
			      "%s is listed as an exception but its plan is flat: remove it",
			      store_stmt_name(i));
		g_free(why);
	}
	ck_assert_msg(bad->len == 0, "statements whose cost grows with history:%s", bad->str);
	ck_assert_uint_gt(checked, 50);
	g_string_free(bad, TRUE);
	store_close(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store-stmt");
	TCase *tc = tcase_create("declarations");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_declarations_match_statements);
	tcase_add_test(tc, test_binder_refuses_mismatch);
	tcase_add_test(tc, test_flat_cost);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
