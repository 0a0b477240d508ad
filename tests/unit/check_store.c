/* check_store: unit tests of the store module against real SQLite files in a temporary
 * directory — migrations, read-only opens, every read and write, idempotent insertion,
 * raw bytes, foreign keys, savepoints, lock and disk-full error kinds, file mode, WAL.
 * White-box where needed: it includes store-private.h to reach the sqlite3 handle, and
 * uses a second raw SQLite connection to look at what the API does not expose.
 * Stays on SQLite under PD_TEST_PG_URI (the suite against PostgreSQL, testutil.h
 * test_database): it is about SQLite itself (file mode, WAL, locks, disk-full error kinds,
 * a raw second connection); tests/unit/check_store_pg is the PostgreSQL backend's. */
#include "config.h"
#include "postdesk/store.h"
#include "store-private.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

static char *tmpdir;
static char *dbpath;

static void rm_rf(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL) {
		char *p = g_build_filename(dir, name, NULL);

		g_unlink(p);
		g_free(p);
	}
	g_dir_close(d);
	g_rmdir(dir);
}

static void setup(void)
{
	tmpdir = g_dir_make_tmp("check_store-XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
	dbpath = g_build_filename(tmpdir, "postdesk.db", NULL);
}

static void teardown(void)
{
	rm_rf(tmpdir);
	g_free(tmpdir);
	g_free(dbpath);
}

static struct store *open_ok(int flags)
{
	struct store *s = NULL;
	char *error = NULL;

	if (store_open(dbpath, flags, 1000, &s, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	return s;
}

/* A raw connection, to inspect or hand-craft the file. */
static sqlite3 *raw_open(void)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(
	    sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
	    SQLITE_OK);
	return db;
}

static gint64 raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	gint64 v;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void raw_exec(const char *sql)
{
	sqlite3 *db = raw_open();

	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* ---- open, modes, migrations ---- */

START_TEST(test_create_migrates_empty)
{
	struct store *s = open_ok(STORE_CREATE);
	struct stat sb;
	char *wal = g_strconcat(dbpath, "-wal", NULL);
	sqlite3 *db;
	sqlite3_stmt *st;

	ck_assert_int_ge(store_schema_latest(), 1);
	ck_assert_int_eq(store_schema_version(s), store_schema_latest());
	ck_assert_int_eq(store_last_error(s), STORE_ERR_NONE);
	ck_assert_int_eq(g_stat(dbpath, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0600);
	/* The WAL file exists while the connection is open and follows the db's mode. */
	ck_assert_int_eq(g_stat(wal, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0600);

	db = raw_open();
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
				     "AND name IN ('customers', 'tickets', 'messages', "
				     "'attachments', 'participants', 'events')"),
			 6);
	sqlite3_close(db);

	/* The connection's own settings. */
	ck_assert_int_eq(raw_int(s->db, "PRAGMA foreign_keys"), 1);
	ck_assert_int_eq(raw_int(s->db, "PRAGMA synchronous"), 2); /* FULL */
	ck_assert_int_eq(raw_int(s->db, "PRAGMA busy_timeout"), 1000);
	store_close(&s);
	ck_assert_ptr_null(s);
	g_free(wal);
}
END_TEST

START_TEST(test_open_missing_without_create)
{
	struct store *s = NULL;
	char *error = NULL;

	ck_assert_int_eq(store_open(dbpath, 0, 100, &s, &error), -1);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(error, dbpath));
	ck_assert(!g_file_test(dbpath, G_FILE_TEST_EXISTS));
	g_free(error);
}
END_TEST

START_TEST(test_existing_file_keeps_mode)
{
	struct store *s;
	struct stat sb;

	raw_exec("SELECT 1");
	ck_assert_int_eq(g_chmod(dbpath, 0640), 0);
	s = open_ok(STORE_CREATE);
	ck_assert_int_eq(store_schema_version(s), store_schema_latest());
	store_close(&s);
	ck_assert_int_eq(g_stat(dbpath, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0640);
}
END_TEST

START_TEST(test_reopen_is_noop)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 id1 = 0, id2 = 0, cookie;
	sqlite3 *db;

	ck_assert_int_eq(store_begin(s, NULL), 0);
	ck_assert_int_eq(store_customer_upsert(s, "a@example.org", "A", 10, &id1, NULL), 0);
	ck_assert_int_eq(store_commit(s, NULL), 0);
	store_close(&s);

	db = raw_open();
	cookie = raw_int(db, "PRAGMA schema_version");
	sqlite3_close(db);

	s = open_ok(0);
	ck_assert_int_eq(store_schema_version(s), store_schema_latest());
	ck_assert_int_eq(store_customer_upsert(s, "a@example.org", "", 20, &id2, NULL), 0);
	ck_assert_int_eq(id2, id1);
	store_close(&s);

	db = raw_open();
	ck_assert_int_eq(raw_int(db, "PRAGMA schema_version"), cookie);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM customers"), 1);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_old_version_migrates)
{
	struct store *s;
	sqlite3 *db;

	/* Version 0 with something in it already: migrations add, never wipe. */
	raw_exec("CREATE TABLE unrelated(x); INSERT INTO unrelated VALUES (42);");
	s = open_ok(0);
	ck_assert_int_eq(store_schema_version(s), store_schema_latest());
	store_close(&s);
	db = raw_open();
	ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), store_schema_latest());
	ck_assert_int_eq(raw_int(db, "SELECT x FROM unrelated"), 42);
	/* Every migration ran: 3 made schedule_due, 4 dropped messages_message_id. */
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = "
				     "'schedule_due'"),
			 1);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = "
				     "'messages_message_id'"),
			 0);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_failed_migration_rolls_back)
{
	struct store *s = NULL;
	char *error = NULL;
	sqlite3 *db;

	/* A table in the way makes migration 1 fail: nothing of it may remain. */
	raw_exec("CREATE TABLE events(x);");
	ck_assert_int_eq(store_open(dbpath, 0, 100, &s, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "migration 1"));
	g_free(error);
	db = raw_open();
	ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), 0);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = "
				     "'customers'"),
			 0);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_newer_version_refused)
{
	struct store *s = NULL;
	char *error = NULL;
	char *sql = g_strdup_printf("PRAGMA user_version = %d", store_schema_latest() + 1);

	raw_exec(sql);
	g_free(sql);
	ck_assert_int_eq(store_open(dbpath, 0, 100, &s, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "newer"));
	g_free(error);
	ck_assert_int_eq(store_open(dbpath, STORE_READONLY, 100, &s, &error), -1);
	ck_assert_ptr_null(s);
	g_free(error);
}
END_TEST

START_TEST(test_schema_drift_fails_at_open)
{
	struct store *s = open_ok(STORE_CREATE);
	char *error = NULL;

	store_close(&s);
	raw_exec("DROP TABLE events");
	ck_assert_int_eq(store_open(dbpath, 0, 100, &s, &error), -1);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(error, "prepare event_add"));
	g_free(error);
}
END_TEST

START_TEST(test_readonly)
{
	struct store *s = NULL, *rw;
	char *error = NULL;
	gint64 id = 0, count = -1;
	sqlite3 *db;

	/* Too old: refused, with the remedy, and not migrated. */
	raw_exec("CREATE TABLE unrelated(x)");
	ck_assert_int_eq(store_open(dbpath, STORE_READONLY, 100, &s, &error), -1);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(error, "run postdesk init"));
	g_free(error);
	db = raw_open();
	ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), 0);
	sqlite3_close(db);

	/* Current, and no writer open (no -wal/-shm left): reads work, writes fail. */
	rw = open_ok(0);
	store_close(&rw);
	s = open_ok(STORE_READONLY);
	ck_assert_int_eq(store_schema_version(s), store_schema_latest());
	ck_assert_int_eq(store_message_count(s, &count, NULL), 0);
	ck_assert_int_eq(count, 0);
	ck_assert_int_eq(store_customer_upsert(s, "a@example.org", "", 1, &id, &error), -1);
	ck_assert_int_eq(store_last_error(s), STORE_ERR_OTHER);
	g_free(error);
	store_close(&s);
}
END_TEST

/* ---- customers, tickets, participants, events ---- */

START_TEST(test_customers)
{
	struct store *s = open_ok(STORE_CREATE);
	struct store_ticket *t = NULL;
	gint64 a = 0, b = 0, c = 0, tid = 0;

	ck_assert_int_eq(store_customer_upsert(s, " Ann@Example.ORG", "Ann", 100, &a, NULL), 0);
	ck_assert_int_gt(a, 0);
	/* Same address in another case: same customer; an empty name keeps "Ann". */
	ck_assert_int_eq(store_customer_upsert(s, "ann@example.org", "", 200, &b, NULL), 0);
	ck_assert_int_eq(b, a);
	ck_assert_int_eq(store_customer_upsert(s, "bob@example.org", NULL, 300, &c, NULL), 0);
	ck_assert_int_ne(c, a);

	ck_assert_int_eq(store_ticket_create(s, "support", "Hi", a, 0, 100, &tid, NULL), 0);
	ck_assert_int_eq(store_ticket_get(s, tid, &t, NULL), 1);
	ck_assert_str_eq(t->requester, "ann@example.org");
	ck_assert_str_eq(t->requester_name, "Ann");
	store_ticket_free(&t);

	/* A non-empty name replaces the stored one. */
	ck_assert_int_eq(store_customer_upsert(s, "ANN@example.org", "Ann Smith", 400, &b, NULL),
			 0);
	ck_assert_int_eq(b, a);
	ck_assert_int_eq(store_ticket_get(s, tid, &t, NULL), 1);
	ck_assert_str_eq(t->requester_name, "Ann Smith");
	store_ticket_free(&t);
	ck_assert_int_eq(raw_int(s->db, "SELECT created FROM customers WHERE email = "
					"'ann@example.org'"),
			 100);
	store_close(&s);
}
END_TEST

START_TEST(test_tickets)
{
	struct store *s = open_ok(STORE_CREATE);
	struct store_ticket *t = NULL;
	GPtrArray *list = NULL;
	gint64 cust = 0, t1 = 0, t2 = 0;
	char *error = NULL;

	ck_assert_int_eq(store_customer_upsert(s, "ann@example.org", "Ann", 1, &cust, NULL), 0);
	ck_assert_int_eq(
	    store_ticket_create(s, "support", "Printer on fire", cust, 0, 1000, &t1, NULL), 0);
	ck_assert_int_eq(store_ticket_create(s, "billing", "Invoice", cust, t1, 2000, &t2, NULL),
			 0);

	ck_assert_int_eq(store_ticket_get(s, t1, &t, NULL), 1);
	ck_assert_int_eq(t->id, t1);
	ck_assert_str_eq(t->queue, "support");
	ck_assert_str_eq(t->subject, "Printer on fire");
	ck_assert_str_eq(t->status, "new");
	ck_assert_str_eq(t->priority, "normal");
	ck_assert_ptr_null(t->assignee);
	ck_assert_int_eq(t->requester_id, cust);
	ck_assert_int_eq(t->linked_to, 0);
	ck_assert_int_eq(t->created, 1000);
	ck_assert_int_eq(t->updated, 1000);
	ck_assert_int_eq(t->message_count, 0);
	store_ticket_free(&t);
	ck_assert_ptr_null(t);

	ck_assert_int_eq(store_ticket_get(s, t2, &t, NULL), 1);
	ck_assert_int_eq(t->linked_to, t1);
	store_ticket_free(&t);
	ck_assert_int_eq(store_ticket_get(s, t2 + 100, &t, NULL), 0);
	ck_assert_ptr_null(t);

	ck_assert_int_eq(store_ticket_set_status(s, t1, "open", 3000, NULL), 0);
	ck_assert_int_eq(store_ticket_touch(s, t2, 4000, NULL), 0);
	ck_assert_int_eq(store_ticket_get(s, t1, &t, NULL), 1);
	ck_assert_str_eq(t->status, "open");
	ck_assert_int_eq(t->updated, 3000);
	store_ticket_free(&t);
	ck_assert_int_eq(store_ticket_get(s, t2, &t, NULL), 1);
	ck_assert_str_eq(t->status, "new");
	ck_assert_int_eq(t->updated, 4000);
	store_ticket_free(&t);

	/* Bad status (CHECK) and missing ticket are errors. */
	ck_assert_int_eq(store_ticket_set_status(s, t1, "bogus", 5000, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "set ticket status"));
	ck_assert_int_eq(store_last_error(s), STORE_ERR_OTHER);
	g_free(error);
	ck_assert_int_eq(store_ticket_set_status(s, t2 + 100, "open", 5000, &error), -1);
	g_free(error);
	ck_assert_int_eq(store_ticket_touch(s, t2 + 100, 5000, &error), -1);
	g_free(error);

	/* Newest first; filtered by status. */
	ck_assert_int_eq(store_ticket_list(s, NULL, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 2);
	ck_assert_int_eq(((struct store_ticket *)g_ptr_array_index(list, 0))->id, t2);
	ck_assert_int_eq(((struct store_ticket *)g_ptr_array_index(list, 1))->id, t1);
	ck_assert_str_eq(((struct store_ticket *)g_ptr_array_index(list, 1))->requester,
			 "ann@example.org");
	g_ptr_array_unref(list);
	ck_assert_int_eq(store_ticket_list(s, "open", &list, NULL), 0);
	ck_assert_uint_eq(list->len, 1);
	ck_assert_int_eq(((struct store_ticket *)g_ptr_array_index(list, 0))->id, t1);
	g_ptr_array_unref(list);
	ck_assert_int_eq(store_ticket_list(s, "closed", &list, NULL), 0);
	ck_assert_uint_eq(list->len, 0);
	g_ptr_array_unref(list);
	store_close(&s);
}
END_TEST

START_TEST(test_participants_events)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 cust = 0, t = 0;
	sqlite3_stmt *st;

	ck_assert_int_eq(store_customer_upsert(s, "ann@example.org", "Ann", 1, &cust, NULL), 0);
	ck_assert_int_eq(store_ticket_create(s, "support", "S", cust, 0, 1, &t, NULL), 0);
	ck_assert_int_eq(store_participant_add(s, t, "Ann@Example.org", "Ann", "requester", NULL),
			 0);
	/* Present already: no-op, the first role stays. */
	ck_assert_int_eq(store_participant_add(s, t, "ann@example.org", "", "cc", NULL), 0);
	ck_assert_int_eq(store_participant_add(s, t, "cc@example.org", "", "cc", NULL), 0);
	ck_assert_int_eq(store_is_participant(s, t, "ann@example.org", NULL), 1);
	ck_assert_int_eq(store_is_participant(s, t, "ANN@example.org", NULL), 1);
	ck_assert_int_eq(store_is_participant(s, t, "eve@example.org", NULL), 0);
	ck_assert_int_eq(store_is_participant(s, t + 1, "ann@example.org", NULL), 0);
	ck_assert_int_eq(raw_int(s->db, "SELECT count(*) FROM participants"), 2);
	ck_assert_int_eq(raw_int(s->db, "SELECT count(*) FROM participants WHERE role = "
					"'requester' AND name = 'Ann'"),
			 1);

	ck_assert_int_eq(store_event_add(s, t, 77, "created", "ann@example.org", "via mail", NULL),
			 0);
	ck_assert_int_eq(store_event_add(s, t, 78, "status", NULL, NULL, NULL), 0);
	ck_assert_int_eq(sqlite3_prepare_v2(s->db,
					    "SELECT ticket_id, created, kind, actor, detail "
					    "FROM events ORDER BY id",
					    -1, &st, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int64(st, 0), t);
	ck_assert_int_eq(sqlite3_column_int64(st, 1), 77);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), "created");
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 3), "ann@example.org");
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 4), "via mail");
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 3), "");
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 4), "");
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	store_close(&s);
}
END_TEST

START_TEST(test_foreign_keys)
{
	struct store *s = open_ok(STORE_CREATE);
	struct store_message m = {0};
	gint64 id = 0;
	char *error = NULL;

	ck_assert_int_eq(store_ticket_create(s, "support", "S", 999, 0, 1, &id, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "FOREIGN KEY"));
	g_free(error);
	ck_assert_int_eq(store_event_add(s, 999, 1, "created", "", "", &error), -1);
	g_free(error);
	ck_assert_int_eq(store_participant_add(s, 999, "a@example.org", "", "cc", &error), -1);
	g_free(error);
	m.ticket_id = 999;
	m.direction = "in";
	m.kind = "customer";
	m.message_id = "x@example.org";
	m.rcpt = "support@example.com";
	m.raw = g_bytes_new_static("x", 1);
	ck_assert_int_eq(store_message_insert(s, &m, 1, &id, &error), -1);
	g_free(error);
	g_bytes_unref(m.raw);
	store_close(&s);
}
END_TEST

/* Setting PRAGMAs take effect when SQLite prepares them: the connection settings must be
 * the ones asked for, not the last of the statements prepared at open. */
START_TEST(test_connection_settings)
{
	struct store *s = open_ok(STORE_CREATE), *w = NULL;

	ck_assert_int_eq(raw_int(s->db, "PRAGMA synchronous"), 2);	  /* FULL */
	ck_assert_int_eq(raw_int(s->db, "PRAGMA wal_autocheckpoint"), 1000); /* the default */
	ck_assert_int_eq(raw_int(s->db, "PRAGMA temp_store"), 2);	  /* MEMORY */
	ck_assert_int_eq(raw_int(s->db, "PRAGMA journal_size_limit"), 67108864);
	ck_assert_int_eq(store_open(dbpath, STORE_WAL_NOSYNC, 1000, &w, NULL), 0);
	ck_assert_int_eq(raw_int(w->db, "PRAGMA synchronous"), 1); /* NORMAL */
	ck_assert_int_eq(store_wal_manual(w, NULL), 0);
	ck_assert_int_eq(raw_int(w->db, "PRAGMA wal_autocheckpoint"), 0);
	ck_assert_int_eq(raw_int(s->db, "PRAGMA wal_autocheckpoint"), 1000);
	store_close(&w);
	store_close(&s);
}
END_TEST

static Suite *store_suite_base(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("open");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_migrates_empty);
	tcase_add_test(tc, test_connection_settings);
	tcase_add_test(tc, test_open_missing_without_create);
	tcase_add_test(tc, test_existing_file_keeps_mode);
	tcase_add_test(tc, test_reopen_is_noop);
	tcase_add_test(tc, test_old_version_migrates);
	tcase_add_test(tc, test_failed_migration_rolls_back);
	tcase_add_test(tc, test_newer_version_refused);
	tcase_add_test(tc, test_schema_drift_fails_at_open);
	tcase_add_test(tc, test_readonly);
	suite_add_tcase(s, tc);

	tc = tcase_create("tickets");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_customers);
	tcase_add_test(tc, test_tickets);
	tcase_add_test(tc, test_participants_events);
	tcase_add_test(tc, test_foreign_keys);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- messages ---- */

/* A ticket for ann@example.org; returns its id. */
static gint64 make_ticket(struct store *s, gint64 now)
{
	gint64 cust = 0, t = 0;

	ck_assert_int_eq(store_customer_upsert(s, "ann@example.org", "Ann", now, &cust, NULL), 0);
	ck_assert_int_eq(store_ticket_create(s, "support", "S", cust, 0, now, &t, NULL), 0);
	return t;
}

static void attachment_free(gpointer p)
{
	struct store_attachment *a = p;

	g_free(a->filename);
	g_free(a->content_type);
	g_free(a);
}

static struct store_message *msg_new(gint64 ticket, const char *msgid, const void *raw,
				     gsize raw_len)
{
	struct store_message *m = g_new0(struct store_message, 1);

	m->ticket_id = ticket;
	m->direction = g_strdup("in");
	m->kind = g_strdup("customer");
	m->message_id = g_strdup(msgid);
	m->rcpt = g_strdup("support@example.com");
	m->env_sender = g_strdup("ann@example.org");
	m->from_addr = g_strdup("ann@example.org");
	m->from_name = g_strdup("Ann");
	m->subject = g_strdup("Help");
	m->date = 1700000000;
	m->body = g_strdup("Body text\n");
	m->flags = g_strdup("charset-guessed");
	m->raw = g_bytes_new(raw, raw_len);
	m->attachments = g_ptr_array_new_with_free_func(attachment_free);
	return m;
}

static void msg_add_attachment(struct store_message *m, const char *name, const char *type,
			       gint64 size)
{
	struct store_attachment *a = g_new0(struct store_attachment, 1);

	a->filename = g_strdup(name);
	a->content_type = g_strdup(type);
	a->size = size;
	g_ptr_array_add(m->attachments, a);
}

static void msg_free(struct store_message *m)
{
	store_message_free(&m);
}

static gint64 count_messages(struct store *s)
{
	gint64 n = -1;

	ck_assert_int_eq(store_message_count(s, &n, NULL), 0);
	return n;
}

START_TEST(test_message_insert_list)
{
	static const char raw[] = "From: ann@example.org\r\nSubject: Help\r\n\r\nA\0B\r\n\0";
	struct store *s = open_ok(STORE_CREATE);
	gint64 t = make_ticket(s, 10), id1 = 0, id2 = 0;
	struct store_message *m = msg_new(t, "one@example.org", raw, sizeof(raw));
	struct store_message *m2 = msg_new(t, "two@example.org", "", 0);
	struct store_message *got;
	struct store_attachment *a;
	struct store_ticket *tk = NULL;
	GPtrArray *list = NULL;
	gsize len;

	msg_add_attachment(m, "report.pdf", "application/pdf", 12345);
	msg_add_attachment(m, "a.png", "image/png", 7);
	ck_assert_int_eq(store_message_insert(s, m, 500, &id1, NULL), 0);
	g_free(m2->direction);
	m2->direction = g_strdup("out");
	ck_assert_int_eq(store_message_insert(s, m2, 600, &id2, NULL), 0);
	ck_assert_int_gt(id2, id1);
	ck_assert_int_eq(count_messages(s), 2);

	ck_assert_int_eq(store_message_list(s, t, TRUE, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 2);
	got = g_ptr_array_index(list, 0);
	ck_assert_int_eq(got->id, id1);
	ck_assert_int_eq(got->ticket_id, t);
	ck_assert_str_eq(got->direction, "in");
	ck_assert_str_eq(got->kind, "customer");
	ck_assert_str_eq(got->message_id, "one@example.org");
	ck_assert_str_eq(got->rcpt, "support@example.com");
	ck_assert_str_eq(got->env_sender, "ann@example.org");
	ck_assert_str_eq(got->from_addr, "ann@example.org");
	ck_assert_str_eq(got->from_name, "Ann");
	ck_assert_str_eq(got->subject, "Help");
	ck_assert_int_eq(got->date, 1700000000);
	ck_assert_int_eq(got->created, 500);
	ck_assert_str_eq(got->body, "Body text\n");
	ck_assert_str_eq(got->flags, "charset-guessed");
	/* Byte for byte, NULs and CRLF included. */
	ck_assert_ptr_nonnull(got->raw);
	ck_assert_uint_eq(g_bytes_get_size(got->raw), sizeof(raw));
	ck_assert_mem_eq(g_bytes_get_data(got->raw, &len), raw, sizeof(raw));
	ck_assert_uint_eq(got->attachments->len, 2);
	a = g_ptr_array_index(got->attachments, 0);
	ck_assert_str_eq(a->filename, "report.pdf");
	ck_assert_str_eq(a->content_type, "application/pdf");
	ck_assert_int_eq(a->size, 12345);
	a = g_ptr_array_index(got->attachments, 1);
	ck_assert_str_eq(a->filename, "a.png");
	ck_assert_int_eq(a->size, 7);
	got = g_ptr_array_index(list, 1);
	ck_assert_str_eq(got->direction, "out");
	ck_assert_int_eq(got->created, 600);
	ck_assert_uint_eq(g_bytes_get_size(got->raw), 0); /* empty raw stays empty, not NULL */
	ck_assert_uint_eq(got->attachments->len, 0);
	g_ptr_array_unref(list);

	ck_assert_int_eq(store_message_list(s, t, FALSE, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 2);
	ck_assert_ptr_null(((struct store_message *)g_ptr_array_index(list, 0))->raw);
	ck_assert_uint_eq(((struct store_message *)g_ptr_array_index(list, 0))->attachments->len,
			  2);
	g_ptr_array_unref(list);

	ck_assert_int_eq(store_ticket_get(s, t, &tk, NULL), 1);
	ck_assert_int_eq(tk->message_count, 2);
	store_ticket_free(&tk);
	msg_free(m);
	msg_free(m2);
	store_close(&s);
}
END_TEST

START_TEST(test_message_idempotent)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 t = make_ticket(s, 10), id1 = 0, id2 = 0, id3 = 0, row = -1, ticket = -1;
	struct store_message *m = msg_new(t, "dup@example.org", "raw", 3);
	struct store_ticket *tk = NULL;

	msg_add_attachment(m, "x.txt", "text/plain", 3);
	ck_assert_int_eq(
	    store_message_find(s, "dup@example.org", "support@example.com", &row, &ticket, NULL),
	    0);
	ck_assert_int_eq(store_message_insert(s, m, 100, &id1, NULL), 0);
	ck_assert_int_eq(
	    store_message_find(s, "dup@example.org", "support@example.com", &row, &ticket, NULL),
	    1);
	ck_assert_int_eq(row, id1);
	ck_assert_int_eq(ticket, t);
	ck_assert_int_eq(
	    store_message_find(s, "dup@example.org", "other@example.com", &row, &ticket, NULL), 0);
	ck_assert_int_eq(store_ticket_touch(s, t, 100, NULL), 0);
	/* The redelivery: found, same row, nothing added or bumped. */
	ck_assert_int_eq(store_message_insert(s, m, 200, &id2, NULL), 1);
	ck_assert_int_eq(id2, id1);
	ck_assert_int_eq(count_messages(s), 1);
	ck_assert_int_eq(raw_int(s->db, "SELECT count(*) FROM attachments"), 1);
	ck_assert_int_eq(raw_int(s->db, "SELECT created FROM messages"), 100);
	ck_assert_int_eq(store_ticket_get(s, t, &tk, NULL), 1);
	ck_assert_int_eq(tk->updated, 100);
	ck_assert_int_eq(tk->message_count, 1);
	store_ticket_free(&tk);
	/* The same Message-ID to another recipient is another row. */
	g_free(m->rcpt);
	m->rcpt = g_strdup("sales@example.com");
	ck_assert_int_eq(store_message_insert(s, m, 300, &id3, NULL), 0);
	ck_assert_int_ne(id3, id1);
	ck_assert_int_eq(count_messages(s), 2);
	msg_free(m);
	store_close(&s);
}
END_TEST

START_TEST(test_find_by_msgid_and_bounce)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 t1 = make_ticket(s, 10), t2 = make_ticket(s, 20), id = 0, found = -1, row = -1;
	struct store_message *in = msg_new(t1, "a@example.org", "1", 1);
	struct store_message *out = msg_new(t2, "a@example.org", "2", 1);
	struct store_message *bounce = msg_new(0, "b@example.org", "3", 1);
	GPtrArray *list = NULL;

	g_free(out->rcpt);
	out->rcpt = g_strdup("ann@example.org");
	g_free(out->direction);
	out->direction = g_strdup("out");
	g_free(bounce->kind);
	bounce->kind = g_strdup("bounce");
	ck_assert_int_eq(store_find_ticket_by_msgid(s, "a@example.org", &found, NULL), 0);
	ck_assert_int_eq(store_message_insert(s, in, 1, &id, NULL), 0);
	ck_assert_int_eq(store_find_ticket_by_msgid(s, "a@example.org", &found, NULL), 1);
	ck_assert_int_eq(found, t1);
	/* The most recent row wins, outbound ones included. */
	ck_assert_int_eq(store_message_insert(s, out, 2, &id, NULL), 0);
	ck_assert_int_eq(store_find_ticket_by_msgid(s, "a@example.org", &found, NULL), 1);
	ck_assert_int_eq(found, t2);
	/* A bounce tied to no ticket: stored with NULL, never found as a ticket. */
	ck_assert_int_eq(store_message_insert(s, bounce, 3, &id, NULL), 0);
	ck_assert_int_eq(raw_int(s->db, "SELECT count(*) FROM messages WHERE ticket_id IS NULL"),
			 1);
	ck_assert_int_eq(store_find_ticket_by_msgid(s, "b@example.org", &found, NULL), 0);
	found = -1;
	ck_assert_int_eq(
	    store_message_find(s, "b@example.org", "support@example.com", &row, &found, NULL), 1);
	ck_assert_int_eq(row, id);
	ck_assert_int_eq(found, 0);
	ck_assert_int_eq(store_message_list(s, 0, FALSE, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 1);
	ck_assert_int_eq(((struct store_message *)g_ptr_array_index(list, 0))->ticket_id, 0);
	ck_assert_str_eq(((struct store_message *)g_ptr_array_index(list, 0))->kind, "bounce");
	g_ptr_array_unref(list);
	msg_free(in);
	msg_free(out);
	msg_free(bounce);
	store_close(&s);
}
END_TEST

START_TEST(test_message_constraints)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 t = make_ticket(s, 10), id = 0;
	struct store_message *m = msg_new(t, "c@example.org", "x", 1);
	char *error = NULL;

	g_free(m->direction);
	m->direction = g_strdup("sideways");
	ck_assert_int_eq(store_message_insert(s, m, 1, &id, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "insert message"));
	ck_assert_int_eq(store_last_error(s), STORE_ERR_OTHER);
	g_free(error);
	g_free(m->direction);
	m->direction = g_strdup("in");
	g_bytes_unref(m->raw);
	m->raw = NULL;
	ck_assert_int_eq(store_message_insert(s, m, 1, &id, &error), -1);
	g_free(error);
	ck_assert_int_eq(count_messages(s), 0);
	msg_free(m);
	store_close(&s);
}
END_TEST

/* ---- transactions and error kinds ---- */

START_TEST(test_transactions)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 t, id = 0;
	struct store_message *m1, *m2, *m3;

	ck_assert_int_eq(store_begin(s, NULL), 0);
	t = make_ticket(s, 1);
	m1 = msg_new(t, "1@x", "1", 1);
	m2 = msg_new(t, "2@x", "2", 1);
	m3 = msg_new(t, "3@x", "3", 1);
	ck_assert_int_eq(store_savepoint(s, NULL), 0);
	ck_assert_int_eq(store_message_insert(s, m1, 1, &id, NULL), 0);
	ck_assert_int_eq(store_release(s, NULL), 0);
	ck_assert_int_eq(store_savepoint(s, NULL), 0);
	ck_assert_int_eq(store_message_insert(s, m2, 1, &id, NULL), 0);
	store_rollback_to(s);
	/* As in SQL, the savepoint survives ROLLBACK TO until released. */
	ck_assert_int_eq(store_release(s, NULL), 0);
	ck_assert_int_eq(store_release(s, NULL), -1);
	ck_assert_int_eq(store_savepoint(s, NULL), 0);
	ck_assert_int_eq(store_message_insert(s, m3, 1, &id, NULL), 0);
	ck_assert_int_eq(store_release(s, NULL), 0);
	ck_assert_int_eq(store_commit(s, NULL), 0);
	ck_assert_int_eq(count_messages(s), 2);
	ck_assert_int_eq(raw_int(s->db, "SELECT count(*) FROM messages WHERE message_id = '2@x'"),
			 0);

	/* A rolled-back transaction leaves nothing. */
	ck_assert_int_eq(store_begin(s, NULL), 0);
	ck_assert_int_eq(store_message_insert(s, m2, 1, &id, NULL), 0);
	store_rollback(s);
	ck_assert_int_eq(count_messages(s), 2);
	store_rollback(s); /* outside a transaction: harmless */
	ck_assert_int_eq(store_commit(s, NULL), -1);
	msg_free(m1);
	msg_free(m2);
	msg_free(m3);
	store_close(&s);
}
END_TEST

/* The busy handler waits through the VFS's xSleep. A copy of the default VFS whose xSleep
 * adds up what it is asked for, instead of sleeping, measures that wait without a clock:
 * SQLite's handler spaces its retries from a table of delays and stops when they add up to
 * the busy timeout, whatever time it is. */
static sqlite3_vfs counting_vfs;
static gint64 slept_us;
static int sleeps;

static int counting_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	sleeps++;
	slept_us += us;
	return us;
}

/* Open a store whose connection sleeps through counting_vfs; the default VFS is restored
 * for everyone else. Unregister counting_vfs once that store is closed. */
static struct store *open_counting(int busy_timeout_ms)
{
	sqlite3_vfs *real = sqlite3_vfs_find(NULL);
	struct store *s = NULL;

	counting_vfs = *real;
	counting_vfs.zName = "check_store-counting";
	counting_vfs.xSleep = counting_sleep;
	slept_us = 0;
	sleeps = 0;
	ck_assert_int_eq(sqlite3_vfs_register(&counting_vfs, 1), SQLITE_OK);
	ck_assert_int_eq(store_open(dbpath, 0, busy_timeout_ms, &s, NULL), 0);
	ck_assert_int_eq(sqlite3_vfs_register(real, 1), SQLITE_OK);
	return s;
}

START_TEST(test_busy)
{
	struct store *a = open_ok(STORE_CREATE), *b = open_counting(200);
	char *error = NULL;

	ck_assert_int_eq(store_begin(a, NULL), 0);
	ck_assert_int_eq(store_begin(b, &error), -1);
	ck_assert_int_eq(store_last_error(b), STORE_ERR_BUSY);
	ck_assert_ptr_nonnull(strstr(error, "begin"));
	ck_assert_ptr_nonnull(strstr(error, "locked"));
	g_free(error);
	/* It waited about the busy timeout, not forever and not at all: the retries' sleeps,
	 * as asked of the VFS, add up to the 200 ms given to store_open. */
	ck_assert_int_gt(sleeps, 1);
	ck_assert_int_ge(slept_us, 150 * 1000);
	ck_assert_int_lt(slept_us, 5000 * 1000);
	ck_assert_int_eq(store_commit(a, NULL), 0);
	ck_assert_int_eq(store_begin(b, NULL), 0);
	ck_assert_int_eq(store_last_error(b), STORE_ERR_NONE);
	ck_assert_int_eq(store_commit(b, NULL), 0);
	store_close(&a);
	store_close(&b);
	ck_assert_int_eq(sqlite3_vfs_unregister(&counting_vfs), SQLITE_OK);
}
END_TEST

START_TEST(test_disk_full)
{
	static char big[64 * 1024];
	struct store *s = open_ok(STORE_CREATE);
	gint64 t = make_ticket(s, 1), id = 0, pages;
	struct store_message *m = msg_new(t, "big@x", big, sizeof(big));
	char *error = NULL;
	char *sql;

	/* Cap the file at its current size: the next big write is SQLITE_FULL. */
	pages = raw_int(s->db, "PRAGMA page_count");
	sql = g_strdup_printf("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages + 1);
	raw_int(s->db, sql);
	g_free(sql);
	ck_assert_int_eq(store_begin(s, NULL), 0);
	ck_assert_int_eq(store_message_insert(s, m, 1, &id, &error), -1);
	ck_assert_int_eq(store_last_error(s), STORE_ERR_FULL);
	ck_assert_ptr_nonnull(strstr(error, "insert message"));
	g_free(error);
	store_rollback(s);
	msg_free(m);
	store_close(&s);
}
END_TEST

static Suite *store_suite_messages(void)
{
	Suite *s = suite_create("store-messages");
	TCase *tc = tcase_create("messages");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_message_insert_list);
	tcase_add_test(tc, test_message_idempotent);
	tcase_add_test(tc, test_find_by_msgid_and_bounce);
	tcase_add_test(tc, test_message_constraints);
	suite_add_tcase(s, tc);

	tc = tcase_create("transactions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_transactions);
	tcase_add_test(tc, test_busy);
	tcase_add_test(tc, test_disk_full);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(store_suite_base());
	int failed;

	srunner_add_suite(sr, store_suite_messages());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
