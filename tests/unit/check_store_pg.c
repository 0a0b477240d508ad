/* check_store_pg: unit tests of the PostgreSQL backend's foundations (issue 16) against a
 * real PostgreSQL 15: the ?N -> $N conversion, the schema (migrations-pg.c) beside
 * SQLite's, and every statement of statements.def prepared on it with the parameters and
 * result columns statements.def declares. Needs a server: PD_PG_URI names a database it
 * may create others beside (tests/e2e/store_pg.sh starts one and runs this); without it,
 * exit 77 (skip). White-box: includes store-private.h and store-pg.h. */
#include "config.h"
#include "postdesk/store.h"
#include "store-pg.h"
#include "store-private.h"

#include <check.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static const char *base_uri;

/* A new, empty database beside PD_PG_URI's; its URI (g_free). */
static char *fresh_db(void)
{
	static int n;
	char *name = g_strdup_printf("t%d_%d", (int)getpid(), ++n);
	char *sql = g_strdup_printf("CREATE DATABASE %s", name);
	PGconn *c = PQconnectdb(base_uri);
	PGresult *res;
	const char *slash;
	char *uri;

	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	res = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
	PQfinish(c);
	slash = strrchr(base_uri, '/');
	uri = g_strdup_printf("%.*s/%s", (int)(slash - base_uri), base_uri, name);
	g_free(sql);
	g_free(name);
	return uri;
}

static PGconn *connect_ok(const char *uri)
{
	PGconn *c = NULL;
	char *error = NULL;

	if (store_pg_connect(uri, FALSE, 5000, &c, &error) < 0)
		ck_abort_msg("store_pg_connect: %s", error);
	return c;
}

static char *one_value(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	char *v;

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql,
		      PQresultErrorMessage(res));
	ck_assert_int_eq(PQntuples(res), 1);
	v = g_strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

START_TEST(placeholders)
{
	char *s = store_pg_placeholders("SELECT '?1', \"?2\", x FROM t WHERE a = ?1 AND b = ?12 "
					"AND c = 'it''s ?3' AND d IS NULL");

	ck_assert_str_eq(s, "SELECT '?1', \"?2\", x FROM t WHERE a = $1 AND b = $12 "
			    "AND c = 'it''s ?3' AND d IS NULL");
	g_free(s);
	ck_assert(store_pg_is_uri("postgresql://u@127.0.0.1:5432/desk"));
	ck_assert(store_pg_is_uri("postgres://u@h/desk"));
	ck_assert(!store_pg_is_uri("/var/lib/postdesk/postdesk.db"));
	ck_assert(!store_pg_is_uri(NULL));
}
END_TEST

/* Every statement with a PostgreSQL form is prepared, with the declared number of
 * parameters and of result columns; the statements without one are only SQLite's settings
 * and the work named in statements-pg.def. */
START_TEST(every_statement)
{
	char *uri = fresh_db();
	PGconn *c = connect_ok(uri);
	int i, forms = 0;

	for (i = 0; i < STMT_COUNT; i++) {
		const char *why;
		char *sql = store_pg_sql(i, &why);
		PGresult *res;

		if (sql == NULL) {
			ck_assert_ptr_nonnull(why);
			continue;
		}
		g_free(sql);
		forms++;
		res = PQdescribePrepared(c, store_stmt_name(i));
		ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", store_stmt_name(i),
			      PQresultErrorMessage(res));
		ck_assert_msg(PQnparams(res) == (int)strlen(store_stmt_params(i)),
			      "%s: %d parameters on PostgreSQL, \"%s\" declared", store_stmt_name(i),
			      PQnparams(res), store_stmt_params(i));
		/* SQLite's statements without a result (INSERT...) declare ""; so do PG's. */
		ck_assert_msg(PQnfields(res) == (int)strlen(store_stmt_columns(i)),
			      "%s: %d columns on PostgreSQL, \"%s\" declared", store_stmt_name(i),
			      PQnfields(res), store_stmt_columns(i));
		PQclear(res);
	}
	ck_assert_int_gt(forms, STMT_COUNT - 20);
	PQfinish(c);
	g_free(uri);
}
END_TEST

/* A second host on the same desk finds the schema done; the version is the newest. */
START_TEST(migrate_once)
{
	char *uri = fresh_db();
	PGconn *a = connect_ok(uri), *b = connect_ok(uri);
	char *error = NULL, *rows;

	ck_assert_int_eq(store_pg_version(a, &error), store_pg_schema_latest());
	ck_assert_int_eq(store_pg_version(b, &error), store_pg_schema_latest());
	rows = one_value(a, "SELECT count(*) FROM postdesk_schema");
	ck_assert_str_eq(rows, "1");
	g_free(rows);
	PQfinish(a);
	PQfinish(b);
	g_free(uri);
}
END_TEST

/* A desk a newer postdesk migrated is refused, with the reason. */
START_TEST(newer_schema)
{
	char *uri = fresh_db();
	PGconn *a = connect_ok(uri), *b = NULL;
	char *error = NULL;
	PGresult *res = PQexec(a, "UPDATE postdesk_schema SET version = 999");

	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	ck_assert_int_eq(store_pg_connect(uri, FALSE, 5000, &b, &error), -1);
	ck_assert_ptr_null(b);
	ck_assert_msg(strstr(error, "schema version 999") != NULL, "%s", error);
	g_free(error);
	PQfinish(a);
	g_free(uri);
}
END_TEST

/* Every column of every table of the SQLite schema is in the PostgreSQL one (the FTS5
 * tables aside: PostgreSQL keeps tsvector columns instead). */
START_TEST(same_tables)
{
	char *dir = g_dir_make_tmp("check_store_pg-XXXXXX", NULL);
	char *path = g_build_filename(dir, "postdesk.db", NULL);
	char *uri = fresh_db(), *error = NULL;
	PGconn *c = connect_ok(uri);
	struct store *s = NULL;
	sqlite3_stmt *st = NULL;
	int checked = 0;

	if (store_open(path, STORE_CREATE, 1000, &s, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	ck_assert_int_eq(sqlite3_prepare_v2(s->db,
					    "SELECT m.name, p.name FROM sqlite_schema m, "
					    "pragma_table_info(m.name) p WHERE m.type = 'table' "
					    "AND m.name NOT LIKE 'sqlite%' AND m.name NOT LIKE 'search_%' "
					    "AND m.name NOT LIKE 'kb_fts%'",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *params[2] = {(const char *)sqlite3_column_text(st, 0),
					 (const char *)sqlite3_column_text(st, 1)};
		PGresult *res = PQexecParams(c,
					     "SELECT 1 FROM information_schema.columns WHERE "
					     "table_name = $1 AND column_name = $2",
					     2, NULL, params, NULL, NULL, 0);

		ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
		ck_assert_msg(PQntuples(res) == 1, "column %s.%s is missing on PostgreSQL",
			      params[0], params[1]);
		PQclear(res);
		checked++;
	}
	sqlite3_finalize(st);
	ck_assert_int_gt(checked, 100);
	store_close(&s);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
	PQfinish(c);
	g_free(uri);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store_pg");
	TCase *tc = tcase_create("pg");
	SRunner *sr;
	int failed;

	base_uri = g_getenv("PD_PG_URI");
	if (base_uri == NULL || *base_uri == '\0') {
		fprintf(stderr, "check_store_pg: SKIP: no PD_PG_URI (tests/e2e/store_pg.sh "
				"starts a PostgreSQL and runs this)\n");
		return 77;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, placeholders);
	tcase_add_test(tc, every_statement);
	tcase_add_test(tc, migrate_once);
	tcase_add_test(tc, newer_schema);
	tcase_add_test(tc, same_tables);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
