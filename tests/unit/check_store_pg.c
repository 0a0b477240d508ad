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
	char *sql = g_strdup_printf("CREATE DATABASE %s", name), *error = NULL;
	PGconn *c;
	PGresult *res;
	const char *slash;
	char *uri;

	if (store_pq_load(&error) < 0) /* libpq is loaded at run time (store-pq.h) */
		ck_abort_msg("%s", error);
	c = PQconnectdb(base_uri);

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

	if (store_pg_connect(uri, FALSE, FALSE, 5000, &c, &error) < 0)
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
	ck_assert_int_eq(store_pg_connect(uri, FALSE, FALSE, 5000, &b, &error), -1);
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

/* ---- the store on PostgreSQL, through its public API ---- */

static struct store *open_pg(char **uri_r)
{
	struct store *s = NULL;
	char *error = NULL;

	*uri_r = fresh_db();
	if (store_open(*uri_r, STORE_CREATE, 5000, &s, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	return s;
}

static gint64 ticket(struct store *s, const char *email, const char *name, const char *subject,
		     gint64 now)
{
	gint64 cid = 0, id = 0;

	ck_assert_int_eq(store_customer_upsert(s, email, name, 1, &cid, NULL), 0);
	ck_assert_int_eq(store_ticket_create(s, "support", subject, cid, 0, now, &id, NULL), 0);
	ck_assert_int_eq(store_participant_add(s, id, email, name, "requester", NULL), 0);
	return id;
}

/* A customer message; the id of its row (an existing one for a redelivery). */
static gint64 message_as(struct store *s, gint64 ticket_id, const char *msgid, const char *from,
			 const char *subject, const char *body)
{
	struct store_message m = {0};
	gint64 id = 0;
	char *error = NULL;

	m.ticket_id = ticket_id;
	m.direction = "in";
	m.kind = "customer";
	m.message_id = (char *)msgid;
	m.rcpt = "support@example.com";
	m.from_addr = (char *)from;
	m.subject = (char *)subject;
	m.body = (char *)body;
	m.raw = g_bytes_new_static("raw \0\377 bytes", 13);
	/* 0 stored, 1 a redelivery of a stored one */
	ck_assert_msg(store_message_insert(s, &m, 100, &id, &error) >= 0, "%s", error);
	g_bytes_unref(m.raw);
	return id;
}

static gint64 message(struct store *s, gint64 ticket_id, const char *from, const char *subject,
		      const char *body)
{
	static int n;
	char *msgid = g_strdup_printf("m%d@example.org", ++n);
	gint64 id = message_as(s, ticket_id, msgid, from, subject, body);

	g_free(msgid);
	return id;
}

static char *found(struct store *s, const char *q)
{
	struct store_search_opts o = {0};
	GString *ids = g_string_new("");
	GPtrArray *hits = NULL;
	gboolean more = FALSE;
	char *error = NULL;

	o.query = q;
	ck_assert_msg(store_search(s, &o, &hits, &more, &error) == 0, "%s: %s", q, error);
	for (guint i = 0; i < hits->len; i++) {
		const struct store_search_hit *h = g_ptr_array_index(hits, i);

		g_string_append_printf(ids, "%s%" G_GINT64_FORMAT, i > 0 ? " " : "", h->ticket_id);
	}
	g_ptr_array_unref(hits);
	return g_string_free(ids, FALSE);
}

static void found_is(struct store *s, const char *q, const char *want)
{
	char *got = found(s, q);

	ck_assert_msg(strcmp(got, want) == 0, "%s: found \"%s\", wanted \"%s\"", q, got, want);
	g_free(got);
}

/* Messages stored and read back byte for byte (bytea), a redelivery recognised by the
 * UNIQUE key, rows read through the same accessors as on SQLite. */
START_TEST(store_roundtrip)
{
	char *uri, *error = NULL;
	struct store *s = open_pg(&uri);
	gint64 t, m1, again;
	GBytes *raw = NULL;
	GPtrArray *list = NULL;

	ck_assert_int_eq(store_schema_version(s), store_pg_schema_latest());
	ck_assert_int_eq(store_begin(s, NULL), 0);
	t = ticket(s, "zoe@example.org", "Zoë", "Where is my parcel?", 10);
	m1 = message_as(s, t, "r1@example.org", "zoe@example.org", "Where?", "text");
	ck_assert_int_eq(store_commit(s, NULL), 0);
	ck_assert_int_gt(m1, 0);
	again = message_as(s, t, "r1@example.org", "zoe@example.org", "Where?", "text");
	ck_assert_int_eq(again, m1);
	ck_assert_int_eq(store_message_raw(s, m1, &raw, &error), 1);
	ck_assert_int_eq(g_bytes_get_size(raw), 13);
	ck_assert(memcmp(g_bytes_get_data(raw, NULL), "raw \0\377 bytes", 13) == 0);
	g_bytes_unref(raw);
	ck_assert_int_eq(store_message_list(s, t, TRUE, &list, &error), 0);
	ck_assert_uint_eq(list->len, 1);
	g_ptr_array_unref(list);
	/* A rolled-back transaction leaves nothing. */
	ck_assert_int_eq(store_begin(s, NULL), 0);
	ticket(s, "eve@example.org", "Eve", "gone", 11);
	store_rollback(s);
	found_is(s, "gone", "");
	store_close(&s);
	g_free(uri);
}
END_TEST

/* The query language of doc/search.md on PostgreSQL (tsquery), on check_search's desk.
 * Diacritics are folded as on SQLite (migration 23: muller finds Müller). */
START_TEST(search_pg)
{
	char *uri;
	struct store *s = open_pg(&uri);
	gint64 t1, t2, t3, t4;

	ck_assert_int_eq(store_begin(s, NULL), 0);
	t1 = ticket(s, "zoe@example.org", "Zoë Müller", "Where is my parcel?", 10);
	message(s, t1, "zoe@example.org", "Where is my parcel?",
		"Order 10023 has not arrived. Merci, café au lait");
	t2 = ticket(s, "bob@example.net", "Bob", "Invoice question", 20);
	message(s, t2, "bob@example.net", "Invoice question",
		"The invoice for order 10024 shows a parcel fee");
	t3 = ticket(s, "eve@example.com", "Eve", "Password reset", 30);
	message(s, t3, "eve@example.com", "Password reset", "I cannot log in since the update");
	ck_assert_int_eq(store_tag_add(s, t3, "vip", NULL), 0);
	t4 = ticket(s, "ann@example.com", "Ann", "Parcel parcel parcel lost", 40);
	message(s, t4, "ann@example.com", "Parcel parcel parcel lost", "Help");
	ck_assert_int_eq(store_participant_add(s, t4, "carl@partner.example", "Carl Öster", "cc",
					       NULL),
			 0);
	ck_assert_int_eq(store_commit(s, NULL), 0);
	ck_assert_int_eq(t1 + t2 + t3 + t4, 10);

	found_is(s, "parcel", "4 1 2");
	found_is(s, "MÜLLER", "1");
	found_is(s, "muller", "1"); /* folded, as unicode61 folds them */
	found_is(s, "müller", "1");
	found_is(s, "1002* invoice", "2");
	found_is(s, "1002* merci", "1");
	found_is(s, "10025*", "");
	found_is(s, "passw*", "3");
	found_is(s, "\"order 10023\"", "1");
	found_is(s, "\"10023 order\"", "");
	found_is(s, "invoice 10024", "2");
	found_is(s, "invoice 10023", "");
	found_is(s, "10023 OR nothingmatches", "1");
	found_is(s, "nothingmatches OR password", "3");
	found_is(s, "parcel -invoice", "4 1");
	found_is(s, "bob@example.net", "2");
	found_is(s, "vip", "3");
	found_is(s, "it's OR a\\b", "");
	found_is(s, "nothingmatches", "");
	store_close(&s);
	g_free(uri);
}
END_TEST

/* Two milters (read-only connections, as postdesk-milter opens them) on one desk count
 * new requests against one limit (3 in 100 s): the 4th is refused on either, another
 * sender from that IP too, until the window ends. */
START_TEST(flood_shared)
{
	char *uri, *error = NULL;
	struct store *rw = open_pg(&uri), *a = NULL, *b = NULL;
	const char *bot[] = {"s:bot@spam.example", "i:198.51.100.77"};
	const char *bot2[] = {"s:bot2@spam.example", "i:198.51.100.77"};
	const char *other[] = {"s:human@example.org", "i:198.51.100.78"};

	ck_assert(store_is_shared(rw));
	if (store_open(uri, STORE_READONLY, 5000, &a, &error) < 0 ||
	    store_open(uri, STORE_READONLY, 5000, &b, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	ck_assert_int_eq(store_flood_hit(a, bot, 2, 1000, 100, 3, &error), 1);
	ck_assert_int_eq(store_flood_hit(b, bot, 2, 1001, 100, 3, &error), 1);
	ck_assert_int_eq(store_flood_hit(a, bot, 2, 1002, 100, 3, &error), 1);
	ck_assert_int_eq(store_flood_hit(b, bot, 2, 1003, 100, 3, &error), 0);
	ck_assert_int_eq(store_flood_hit(a, bot, 2, 1004, 100, 3, &error), 0);
	ck_assert_int_eq(store_flood_hit(b, bot2, 2, 1005, 100, 3, &error), 0);
	ck_assert_int_eq(store_flood_hit(a, other, 2, 1006, 100, 3, &error), 1);
	/* the window of the first request ended */
	ck_assert_int_eq(store_flood_hit(b, bot, 2, 1100, 100, 3, &error), 1);
	store_close(&a);
	store_close(&b);
	store_close(&rw);
	g_free(uri);
}
END_TEST

/* The server ends the session in the middle of a transaction (a restart, a failover): the
 * next statements and the COMMIT fail as "busy" (the delivery is answered 4xx), never
 * run in a new session outside the transaction; after ROLLBACK the store reconnects and
 * the lost work is not there. */
START_TEST(lost_in_transaction)
{
	char *uri, *error = NULL, *left;
	struct store *s = open_pg(&uri);
	PGconn *admin = PQconnectdb(uri);
	PGresult *res;
	gint64 cid = 0, tid = 0;

	ck_assert_int_eq(PQstatus(admin), CONNECTION_OK);
	ck_assert_int_eq(store_begin(s, NULL), 0);
	ck_assert_int_eq(store_customer_upsert(s, "lost@example.org", "Lost", 1, &cid, NULL), 0);
	res = PQexec(admin, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
			    "WHERE datname = current_database() AND pid <> pg_backend_pid()");
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	ck_assert_int_eq(store_ticket_create(s, "support", "lost", cid, 0, 2, &tid, &error), -1);
	g_clear_pointer(&error, g_free);
	ck_assert_int_eq(store_ticket_create(s, "support", "lost", cid, 0, 2, &tid, &error), -1);
	ck_assert_int_eq(store_last_error(s), STORE_ERR_BUSY);
	ck_assert_msg(strstr(error, "lost in the middle") != NULL, "%s", error);
	g_clear_pointer(&error, g_free);
	ck_assert_int_eq(store_commit(s, &error), -1);
	g_clear_pointer(&error, g_free);
	store_rollback(s);
	/* back: a new transaction works, and the lost one left nothing */
	ck_assert_int_eq(store_begin(s, &error), 0);
	ck_assert_int_eq(store_customer_upsert(s, "back@example.org", "Back", 3, &cid, NULL), 0);
	ck_assert_int_eq(store_commit(s, &error), 0);
	left = one_value(admin, "SELECT string_agg(email, ',' ORDER BY email) FROM customers");
	ck_assert_str_eq(left, "back@example.org");
	g_free(left);
	PQfinish(admin);
	store_close(&s);
	g_free(uri);
}
END_TEST

/* Two senders on one desk claim the due outbox rows: never one row twice; the rows a
 * sender released are due again at once, the others only when their lease ends. */
static char *due_ids(struct store *s, gint64 now, int limit)
{
	GPtrArray *due = NULL;
	GString *ids = g_string_new("");
	char *error = NULL;

	ck_assert_msg(store_outbox_due(s, now, limit, &due, &error) == 0, "%s", error);
	for (guint i = 0; i < due->len; i++) {
		const struct store_outbox *o = g_ptr_array_index(due, i);

		ck_assert_int_eq(g_bytes_get_size(o->raw), 5);
		g_string_append_printf(ids, "%s%" G_GINT64_FORMAT, i > 0 ? " " : "", o->id);
	}
	g_ptr_array_unref(due);
	return g_string_free(ids, FALSE);
}

START_TEST(outbox_leases)
{
	char *uri, *error = NULL, *got;
	struct store *a = open_pg(&uri), *b = NULL;
	const char *rcpts[] = {"ann@example.org", NULL};
	gint64 id = 0;

	if (store_open(uri, 0, 5000, &b, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	for (int i = 1; i <= 3; i++)
		ck_assert_int_eq(store_outbox_add(a, 0, "ack", rcpts, "m@x", "hello", 5, 100, &id,
						  NULL),
				 0);
	got = due_ids(a, 200, 2);
	ck_assert_str_eq(got, "1 2");
	g_free(got);
	got = due_ids(b, 200, 10);
	ck_assert_str_eq(got, "3");
	g_free(got);
	got = due_ids(a, 300, 10);
	ck_assert_str_eq(got, "");
	g_free(got);
	/* a releases row 2 (it did not send it): due at once, for anyone */
	ck_assert_int_eq(store_outbox_retry(a, 2, 300, NULL), 1);
	got = due_ids(b, 300, 10);
	ck_assert_str_eq(got, "2");
	g_free(got);
	/* the others come back when their lease ends (two hours) */
	got = due_ids(b, 200 + 7200, 10);
	ck_assert_str_eq(got, "1 3");
	g_free(got);
	store_close(&b);
	store_close(&a);
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
	tcase_add_test(tc, store_roundtrip);
	tcase_add_test(tc, search_pg);
	tcase_add_test(tc, flood_shared);
	tcase_add_test(tc, lost_in_transaction);
	tcase_add_test(tc, outbox_leases);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
