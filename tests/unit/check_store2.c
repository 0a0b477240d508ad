/* check_store2: unit tests of the store's schema 2 (conversations) against real SQLite files
 * in a temporary directory — migration 2 from an empty database and from a database left at
 * version 1 with data in it, agents, ticket assignee/priority, tags, participant and event
 * lists, customers, the automatic-reply log and the outbox lifecycle. White-box where
 * needed: it includes store-private.h for the sqlite3 handle and migration 1's script.
 * Stays on SQLite under PD_TEST_PG_URI (the suite against PostgreSQL, testutil.h
 * test_database): it replays SQLite's migrations 1 and 2 with the sqlite3 handle. */
#include "config.h"
#include "postdesk/store.h"
#include "store-migrate.h"
#include "store-private.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

static char *tmpdir;
static char *dbpath;

static void setup(void)
{
	tmpdir = g_dir_make_tmp("check_store2-XXXXXX", NULL);
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

static struct store *open_ok(int flags)
{
	struct store *s = NULL;
	char *error = NULL;

	if (store_open(dbpath, flags, 1000, &s, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	return s;
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

/* Run SQL on a fresh raw connection to the file (creating it), as another program would. */
static void raw_exec(const char *sql)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(
	    sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* A ticket requested by addr; returns its id. */
static gint64 ticket_for(struct store *s, const char *addr, const char *subject, gint64 now)
{
	gint64 cust = 0, t = 0;

	ck_assert_int_eq(store_customer_upsert(s, addr, "", now, &cust, NULL), 0);
	ck_assert_int_eq(store_ticket_create(s, "support", subject, cust, 0, now, &t, NULL), 0);
	return t;
}

static struct store_ticket *ticket_get(struct store *s, gint64 id)
{
	struct store_ticket *t = NULL;

	ck_assert_int_eq(store_ticket_get(s, id, &t, NULL), 1);
	return t;
}

#define AGENT(list, i) ((struct store_agent *)g_ptr_array_index((list), (i)))
#define OUTBOX(list, i) ((struct store_outbox *)g_ptr_array_index((list), (i)))

/* ---- migration 2 ---- */

START_TEST(test_schema_v2)
{
	struct store *s = open_ok(STORE_CREATE);

	ck_assert_int_ge(store_schema_latest(), 2);
	ck_assert_int_eq(store_schema_version(s), store_schema_latest());
	ck_assert_int_eq(raw_int(s->db, "SELECT count(*) FROM sqlite_master WHERE "
					"(type = 'table' AND name IN ('agents', 'outbox', "
					"'autoreplies', 'tags')) OR (type = 'index' AND name IN "
					"('outbox_due', 'autoreplies_window'))"),
			 6);
	ck_assert_ptr_nonnull(store_migration_sql(1));
	ck_assert_ptr_nonnull(strstr(store_migration_sql(2), "PRAGMA user_version = 2;"));
	ck_assert_ptr_null(store_migration_sql(0));
	ck_assert_ptr_null(store_migration_sql(store_schema_latest() + 1));
	store_close(&s);
}
END_TEST

START_TEST(test_migrate_from_v1_keeps_data)
{
	struct store *s = NULL;
	struct store_customer *c = NULL;
	struct store_ticket *t;
	char *error = NULL, **tags = NULL;
	gint64 id = 0;

	/* The database exactly as a build that knew only migration 1 left it, with data. */
	raw_exec(store_migration_sql(1));
	raw_exec(
	    "INSERT INTO customers(id, email, name, created) VALUES (7, 'ann@example.org', "
	    "'Ann', 10);"
	    "INSERT INTO tickets(id, queue, subject, requester_id, assignee, created, updated) "
	    "VALUES (5, 'support', 'Old one', 7, 'bob@example.com', 10, 20);");
	/* A reader needs the new schema and does not migrate. */
	ck_assert_int_eq(store_open(dbpath, STORE_READONLY, 100, &s, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "schema version 1 is older"));
	g_free(error);

	s = open_ok(0);
	ck_assert_int_eq(store_schema_version(s), store_schema_latest());
	t = ticket_get(s, 5);
	ck_assert_str_eq(t->subject, "Old one");
	ck_assert_str_eq(t->assignee, "bob@example.com");
	ck_assert_int_eq(t->updated, 20);
	store_ticket_free(&t);
	ck_assert_int_eq(store_customer_get(s, "ann@example.org", &c, NULL), 1);
	ck_assert_int_eq(c->id, 7);
	ck_assert_int_eq(c->ticket_count, 1);
	store_customer_free(&c);
	/* The new tables work with the old rows. */
	ck_assert_int_eq(store_tag_add(s, 5, "legacy", NULL), 0);
	ck_assert_int_eq(store_tag_list(s, 5, &tags, NULL), 0);
	ck_assert_uint_eq(g_strv_length(tags), 1);
	ck_assert_str_eq(tags[0], "legacy");
	g_strfreev(tags);
	ck_assert_int_eq(store_agent_add(s, "bob@example.com", "Bob", NULL, 30, NULL), 0);
	ck_assert_int_eq(store_agent_remove(s, "bob@example.com", NULL), 1);
	t = ticket_get(s, 5);
	ck_assert_ptr_null(t->assignee);
	store_ticket_free(&t);
	ck_assert_int_eq(store_outbox_add(s, 5, "ack",
					  (const char *const[]){"ann@example.org", NULL}, "m@x",
					  "raw", 3, 40, &id, NULL),
			 0);
	store_close(&s);
}
END_TEST

START_TEST(test_failed_migration2_rolls_back)
{
	struct store *s = NULL;
	char *error = NULL;
	sqlite3 *db = NULL;

	/* A table in the way makes migration 2 fail: the database stays at 1, untouched. */
	raw_exec(store_migration_sql(1));
	raw_exec("CREATE TABLE tags(x); INSERT INTO tags VALUES (1);");
	ck_assert_int_eq(store_open(dbpath, 0, 100, &s, &error), -1);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(error, "migration 2"));
	g_free(error);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), 1);
	ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN "
				     "('agents', 'outbox', 'autoreplies')"),
			 0);
	ck_assert_int_eq(raw_int(db, "SELECT x FROM tags"), 1);
	sqlite3_close(db);
}
END_TEST

/* ---- agents ---- */

static void assert_agent_emails(struct store *s, const char *queue, const char *expect)
{
	GPtrArray *list = NULL;
	GString *got = g_string_new(NULL);
	guint i;

	ck_assert_int_eq(store_agent_list(s, queue, &list, NULL), 0);
	for (i = 0; i < list->len; i++)
		g_string_append_printf(got, "%s%s", i > 0 ? " " : "", AGENT(list, i)->email);
	ck_assert_str_eq(got->str, expect);
	g_string_free(got, TRUE);
	g_ptr_array_unref(list);
}

START_TEST(test_agents)
{
	struct store *s = open_ok(STORE_CREATE);
	struct store_agent *a = NULL;
	char *error = NULL;

	ck_assert_int_eq(store_agent_add(s, "Zed@Example.COM", "Zed", "billing", 100, NULL), 0);
	ck_assert_int_eq(store_agent_add(s, "amy@example.com", "Amy", NULL, 200, NULL), 0);
	ck_assert_int_eq(store_agent_add(s, "max@example.com", "Max", "support", 300, NULL), 0);
	ck_assert_int_eq(store_agent_get(s, "zed@example.com", &a, NULL), 1);
	ck_assert_str_eq(a->email, "zed@example.com");
	ck_assert_str_eq(a->name, "Zed");
	ck_assert_str_eq(a->queue, "billing");
	ck_assert_int_eq(a->created, 100);
	ck_assert_int_gt(a->id, 0);
	store_agent_free(&a);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(store_agent_get(s, "nobody@example.com", &a, NULL), 0);
	ck_assert_ptr_null(a);

	/* Agents with no queue are in every queue's list; NULL lists everyone; by email. */
	assert_agent_emails(s, NULL, "amy@example.com max@example.com zed@example.com");
	assert_agent_emails(s, "billing", "amy@example.com zed@example.com");
	assert_agent_emails(s, "support", "amy@example.com max@example.com");
	assert_agent_emails(s, "sales", "amy@example.com");

	/* Upsert by lower-case email: name and queue change, id and created stay. */
	ck_assert_int_eq(store_agent_add(s, "ZED@example.com", "Zed Z", "support", 900, NULL), 0);
	ck_assert_int_eq(store_agent_get(s, "zed@EXAMPLE.com", &a, NULL), 1);
	ck_assert_str_eq(a->name, "Zed Z");
	ck_assert_str_eq(a->queue, "support");
	ck_assert_int_eq(a->created, 100);
	store_agent_free(&a);
	ck_assert_int_eq(store_agent_add(s, "amy@example.com", "Amy", "sales", 900, NULL), 0);
	assert_agent_emails(s, "billing", "");
	assert_agent_emails(s, "support", "max@example.com zed@example.com");
	ck_assert_int_eq(raw_int(s->db, "SELECT count(*) FROM agents"), 3);

	ck_assert_int_eq(store_agent_add(s, "", "Nobody", NULL, 1, &error), -1);
	g_free(error);
	store_close(&s);
}
END_TEST

START_TEST(test_agent_remove)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 t1 = ticket_for(s, "ann@example.org", "A", 10);
	gint64 t2 = ticket_for(s, "ann@example.org", "B", 10);
	struct store_ticket *t;
	struct store_agent *a = NULL;
	char *error = NULL;

	ck_assert_int_eq(store_agent_add(s, "bob@example.com", "Bob", NULL, 1, NULL), 0);
	ck_assert_int_eq(store_agent_add(s, "cat@example.com", "Cat", NULL, 1, NULL), 0);
	ck_assert_int_eq(store_ticket_set_assignee(s, t1, "Bob@example.com", 20, NULL), 0);
	ck_assert_int_eq(store_ticket_set_assignee(s, t2, "cat@example.com", 20, NULL), 0);

	/* Inside the caller's transaction: rolled back with it. */
	ck_assert_int_eq(store_begin(s, NULL), 0);
	ck_assert_int_eq(store_agent_remove(s, "bob@example.com", NULL), 1);
	store_rollback(s);
	ck_assert_int_eq(store_agent_get(s, "bob@example.com", &a, NULL), 1);
	store_agent_free(&a);
	t = ticket_get(s, t1);
	ck_assert_str_eq(t->assignee, "bob@example.com");
	store_ticket_free(&t);

	/* Autocommit: removed, and only that agent's ticket unassigned (updated not bumped). */
	ck_assert_int_eq(store_agent_remove(s, "BOB@example.com", NULL), 1);
	ck_assert_int_eq(store_agent_get(s, "bob@example.com", &a, NULL), 0);
	t = ticket_get(s, t1);
	ck_assert_ptr_null(t->assignee);
	ck_assert_int_eq(t->updated, 20);
	store_ticket_free(&t);
	t = ticket_get(s, t2);
	ck_assert_str_eq(t->assignee, "cat@example.com");
	store_ticket_free(&t);
	ck_assert_int_eq(store_agent_remove(s, "bob@example.com", NULL), 0);

	/* The unassign failing undoes the delete too, in autocommit mode and in a transaction
	 * (which stays usable). */
	ck_assert_int_eq(sqlite3_exec(s->db,
				      "CREATE TRIGGER no_unassign BEFORE UPDATE OF assignee ON "
				      "tickets BEGIN SELECT RAISE(ABORT, 'refused'); END",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	ck_assert_int_eq(store_agent_remove(s, "cat@example.com", &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "refused"));
	g_free(error);
	ck_assert_int_eq(sqlite3_get_autocommit(s->db), 1);
	ck_assert_int_eq(store_agent_get(s, "cat@example.com", &a, NULL), 1);
	store_agent_free(&a);
	ck_assert_int_eq(store_begin(s, NULL), 0);
	ck_assert_int_eq(store_agent_add(s, "dan@example.com", "Dan", NULL, 1, NULL), 0);
	ck_assert_int_eq(store_agent_remove(s, "cat@example.com", &error), -1);
	g_free(error);
	ck_assert_int_eq(store_commit(s, NULL), 0);
	assert_agent_emails(s, NULL, "cat@example.com dan@example.com");
	store_close(&s);
}
END_TEST

/* ---- tickets: assignee, priority, tags; participant and event lists ---- */

START_TEST(test_assignee_priority)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 id = ticket_for(s, "ann@example.org", "S", 10);
	struct store_ticket *t;
	char *error = NULL;

	ck_assert_int_eq(store_ticket_set_assignee(s, id, "Bob@Example.com", 20, NULL), 0);
	t = ticket_get(s, id);
	ck_assert_str_eq(t->assignee, "bob@example.com");
	ck_assert_int_eq(t->updated, 20);
	store_ticket_free(&t);
	ck_assert_int_eq(store_ticket_set_assignee(s, id, NULL, 30, NULL), 0);
	t = ticket_get(s, id);
	ck_assert_ptr_null(t->assignee);
	ck_assert_int_eq(t->updated, 30);
	store_ticket_free(&t);
	ck_assert_int_eq(store_ticket_set_assignee(s, id + 1, "bob@example.com", 40, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "no ticket"));
	g_free(error);

	ck_assert_int_eq(store_ticket_set_priority(s, id, "urgent", 50, NULL), 0);
	t = ticket_get(s, id);
	ck_assert_str_eq(t->priority, "urgent");
	ck_assert_int_eq(t->updated, 50);
	store_ticket_free(&t);
	ck_assert_int_eq(store_ticket_set_priority(s, id, "critical", 60, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "CHECK"));
	ck_assert_int_eq(store_last_error(s), STORE_ERR_OTHER);
	g_free(error);
	ck_assert_int_eq(store_ticket_set_priority(s, id, NULL, 60, &error), -1);
	g_free(error);
	ck_assert_int_eq(store_ticket_set_priority(s, id + 1, "low", 60, &error), -1);
	g_free(error);
	t = ticket_get(s, id);
	ck_assert_str_eq(t->priority, "urgent");
	ck_assert_int_eq(t->updated, 50);
	store_ticket_free(&t);
	store_close(&s);
}
END_TEST

START_TEST(test_tags)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 t1 = ticket_for(s, "ann@example.org", "A", 10);
	gint64 t2 = ticket_for(s, "ann@example.org", "B", 10);
	char **tags = NULL, *error = NULL;

	ck_assert_int_eq(store_tag_add(s, t1, "VIP", NULL), 0);
	ck_assert_int_eq(store_tag_add(s, t1, "billing", NULL), 0);
	ck_assert_int_eq(store_tag_add(s, t1, "vip", NULL), 0); /* present: no-op */
	ck_assert_int_eq(store_tag_add(s, t2, "other", NULL), 0);
	ck_assert_int_eq(store_tag_list(s, t1, &tags, NULL), 0);
	ck_assert_uint_eq(g_strv_length(tags), 2);
	ck_assert_str_eq(tags[0], "billing");
	ck_assert_str_eq(tags[1], "vip");
	g_strfreev(tags);
	ck_assert_int_eq(store_tag_list(s, t2 + 1, &tags, NULL), 0);
	ck_assert_ptr_nonnull(tags);
	ck_assert_uint_eq(g_strv_length(tags), 0);
	g_strfreev(tags);

	ck_assert_int_eq(store_tag_add(s, t1, "two words", &error), -1);
	g_free(error);
	ck_assert_int_eq(store_tag_add(s, t1, "", &error), -1);
	g_free(error);
	ck_assert_int_eq(store_tag_add(s, t1, "a,b", &error), -1);
	g_free(error);
	ck_assert_int_eq(store_tag_add(s, t2 + 1, "orphan", &error), -1); /* foreign key */
	ck_assert_ptr_nonnull(strstr(error, "FOREIGN KEY"));
	g_free(error);
	ck_assert_int_eq(raw_int(s->db, "SELECT count(*) FROM tags"), 3);
	store_close(&s);
}
END_TEST

START_TEST(test_participant_event_lists)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 id = ticket_for(s, "zoe@example.org", "S", 10);
	GPtrArray *list = NULL;
	struct store_participant *p;
	struct store_event *e;

	ck_assert_int_eq(store_participant_add(s, id, "cc@example.org", "", "cc", NULL), 0);
	ck_assert_int_eq(store_participant_add(s, id, "Zoe@example.org", "Zoe", "requester", NULL),
			 0);
	ck_assert_int_eq(store_participant_add(s, id, "amy@example.com", "Amy", "agent", NULL), 0);
	ck_assert_int_eq(store_participant_list(s, id, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 3);
	p = g_ptr_array_index(list, 0);
	ck_assert_str_eq(p->address, "zoe@example.org");
	ck_assert_str_eq(p->name, "Zoe");
	ck_assert_str_eq(p->role, "requester");
	p = g_ptr_array_index(list, 1);
	ck_assert_str_eq(p->address, "amy@example.com");
	ck_assert_str_eq(p->role, "agent");
	p = g_ptr_array_index(list, 2);
	ck_assert_str_eq(p->address, "cc@example.org");
	ck_assert_str_eq(p->name, "");
	g_ptr_array_unref(list);
	ck_assert_int_eq(store_participant_list(s, id + 1, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 0);
	g_ptr_array_unref(list);

	ck_assert_int_eq(store_event_add(s, id, 100, "created", "zoe@example.org", "mail", NULL),
			 0);
	ck_assert_int_eq(store_event_add(s, id, 200, "status", NULL, "new -> open", NULL), 0);
	ck_assert_int_eq(store_event_list(s, id, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 2);
	e = g_ptr_array_index(list, 0);
	ck_assert_int_gt(e->id, 0);
	ck_assert_int_eq(e->ticket_id, id);
	ck_assert_int_eq(e->created, 100);
	ck_assert_str_eq(e->kind, "created");
	ck_assert_str_eq(e->actor, "zoe@example.org");
	ck_assert_str_eq(e->detail, "mail");
	e = g_ptr_array_index(list, 1);
	ck_assert_int_eq(e->created, 200);
	ck_assert_str_eq(e->kind, "status");
	ck_assert_str_eq(e->actor, "");
	ck_assert_str_eq(e->detail, "new -> open");
	g_ptr_array_unref(list);
	ck_assert_int_eq(store_event_list(s, id + 1, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 0);
	g_ptr_array_unref(list);
	store_close(&s);
}
END_TEST

/* ---- customers and the automatic-reply log ---- */

START_TEST(test_customers)
{
	struct store *s = open_ok(STORE_CREATE);
	struct store_customer *c = NULL;
	gint64 bob = 0, t1, t2, t3;
	char **subj = NULL;

	ck_assert_int_eq(store_customer_get(s, "ann@example.org", &c, NULL), 0);
	ck_assert_ptr_null(c);
	t1 = ticket_for(s, "Ann@Example.org", "First", 10);
	t2 = ticket_for(s, "ann@example.org", "Second", 20);
	t3 = ticket_for(s, "ann@example.org", "Third", 30);
	ck_assert_int_eq(store_customer_upsert(s, "bob@example.org", "Bob", 5, &bob, NULL), 0);

	ck_assert_int_eq(store_customer_get(s, "ANN@example.org", &c, NULL), 1);
	ck_assert_str_eq(c->email, "ann@example.org");
	ck_assert_str_eq(c->name, "");
	ck_assert(!c->bounced);
	ck_assert(!c->survey_optout);
	ck_assert_int_eq(c->ticket_count, 3);
	store_customer_free(&c);
	ck_assert_int_eq(store_customer_get(s, "bob@example.org", &c, NULL), 1);
	ck_assert_int_eq(c->id, bob);
	ck_assert_str_eq(c->name, "Bob");
	ck_assert_int_eq(c->ticket_count, 0);
	store_customer_free(&c);

	ck_assert_int_eq(store_customer_set_bounced(s, "BOB@example.org", TRUE, NULL), 0);
	ck_assert_int_eq(store_customer_get(s, "bob@example.org", &c, NULL), 1);
	ck_assert(c->bounced);
	store_customer_free(&c);
	ck_assert_int_eq(store_customer_get(s, "ann@example.org", &c, NULL), 1);
	ck_assert(!c->bounced);
	ck_assert_int_eq(store_customer_set_bounced(s, "bob@example.org", FALSE, NULL), 0);
	store_customer_free(&c);
	ck_assert_int_eq(raw_int(s->db, "SELECT sum(bounced) FROM customers"), 0);
	ck_assert_int_eq(store_customer_set_bounced(s, "who@example.org", TRUE, NULL), 0);
	ck_assert_int_eq(raw_int(s->db, "SELECT count(*) FROM customers"), 2);

	/* Newest first, without the ticket in hand; limit, and <= 0 for all. */
	ck_assert_int_eq(store_customer_get(s, "ann@example.org", &c, NULL), 1);
	ck_assert_int_eq(store_customer_recent_subjects(s, c->id, t2, 10, &subj, NULL), 0);
	ck_assert_uint_eq(g_strv_length(subj), 2);
	ck_assert_str_eq(subj[0], "Third");
	ck_assert_str_eq(subj[1], "First");
	g_strfreev(subj);
	ck_assert_int_eq(store_customer_recent_subjects(s, c->id, t3, 1, &subj, NULL), 0);
	ck_assert_uint_eq(g_strv_length(subj), 1);
	ck_assert_str_eq(subj[0], "Second");
	g_strfreev(subj);
	ck_assert_int_eq(store_customer_recent_subjects(s, c->id, 0, 0, &subj, NULL), 0);
	ck_assert_uint_eq(g_strv_length(subj), 3);
	g_strfreev(subj);
	ck_assert_int_eq(store_customer_recent_subjects(s, bob, t1, 5, &subj, NULL), 0);
	ck_assert_uint_eq(g_strv_length(subj), 0);
	g_strfreev(subj);
	store_customer_free(&c);
	store_close(&s);
}
END_TEST

START_TEST(test_autoreplies)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 n = -1;
	char *error = NULL;

	ck_assert_int_eq(store_autoreply_count(s, "ann@example.org", 1, 0, &n, NULL), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(store_autoreply_add(s, "Ann@Example.org", 1, 100, NULL), 0);
	ck_assert_int_eq(store_autoreply_add(s, "ann@example.org", 1, 200, NULL), 0);
	ck_assert_int_eq(store_autoreply_add(s, "ann@example.org", 1, 300, NULL), 0);
	ck_assert_int_eq(store_autoreply_add(s, "ann@example.org", 2, 300, NULL), 0);
	ck_assert_int_eq(store_autoreply_add(s, "bob@example.org", 1, 300, NULL), 0);

	ck_assert_int_eq(store_autoreply_count(s, "ANN@example.org", 1, 0, &n, NULL), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(store_autoreply_count(s, "ann@example.org", 1, 200, &n, NULL), 0);
	ck_assert_int_eq(n, 2); /* since is inclusive */
	ck_assert_int_eq(store_autoreply_count(s, "ann@example.org", 1, 201, &n, NULL), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(store_autoreply_count(s, "ann@example.org", 1, 301, &n, NULL), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(store_autoreply_count(s, "ann@example.org", 2, 0, &n, NULL), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(store_autoreply_count(s, "bob@example.org", 2, 0, &n, NULL), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(store_autoreply_add(s, "", 1, 300, &error), -1);
	g_free(error);
	store_close(&s);
}
END_TEST

/* ---- outbox ---- */

static const char *const one_rcpt[] = {"ann@example.org", NULL};

static gint64 queue_mail(struct store *s, gint64 ticket, const char *raw, gint64 now)
{
	gint64 id = 0;

	ck_assert_int_eq(store_outbox_add(s, ticket, "ack", one_rcpt, "id@postdesk", raw,
					  strlen(raw), now, &id, NULL),
			 0);
	ck_assert_int_gt(id, 0);
	return id;
}

static struct store_outbox *outbox_get(struct store *s, gint64 id)
{
	struct store_outbox *o = NULL;

	ck_assert_int_eq(store_outbox_get(s, id, &o, NULL), 1);
	ck_assert_ptr_null(o->raw);
	return o;
}

static guint due_count(struct store *s, gint64 now)
{
	GPtrArray *list = NULL;
	guint n;

	ck_assert_int_eq(store_outbox_due(s, now, 0, &list, NULL), 0);
	n = list->len;
	g_ptr_array_unref(list);
	return n;
}

static gint64 next_due(struct store *s)
{
	gint64 when = -1;
	int ret = store_outbox_next_due(s, &when, NULL);

	ck_assert_int_ge(ret, 0);
	return ret == 1 ? when : 0;
}

START_TEST(test_outbox_lifecycle)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 t = ticket_for(s, "ann@example.org", "S", 1);
	gint64 id = queue_mail(s, t, "From: a\r\n\r\nbody\r\n", 1000);
	struct store_outbox *o = outbox_get(s, id);
	GPtrArray *list = NULL;
	char *error = NULL;
	const void *data;
	gsize len;

	ck_assert_int_eq(o->id, id);
	ck_assert_int_eq(o->ticket_id, t);
	ck_assert_str_eq(o->kind, "ack");
	ck_assert_str_eq(o->message_id, "id@postdesk");
	ck_assert_str_eq(o->status, "queued");
	ck_assert_int_eq(o->attempts, 0);
	ck_assert_int_eq(o->next_attempt, 1000);
	ck_assert_str_eq(o->last_error, "");
	ck_assert_int_eq(o->created, 1000);
	ck_assert_int_eq(o->sent_at, 0);
	store_outbox_free(&o);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(next_due(s), 1000);

	/* Due from its time on, with the raw message. */
	ck_assert_uint_eq(due_count(s, 999), 0);
	ck_assert_int_eq(store_outbox_due(s, 1000, 10, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 1);
	ck_assert_int_eq(OUTBOX(list, 0)->id, id);
	ck_assert_ptr_nonnull(OUTBOX(list, 0)->raw);
	data = g_bytes_get_data(OUTBOX(list, 0)->raw, &len);
	ck_assert_uint_eq(len, 17); /* not NUL-terminated: compare the bytes */
	ck_assert_mem_eq(data, "From: a\r\n\r\nbody\r\n", 17);
	g_ptr_array_unref(list);

	/* Deferred: an attempt counted, not due until next_attempt. */
	ck_assert_int_eq(store_outbox_defer(s, id, 1600, "451 4.3.0 busy", NULL), 0);
	o = outbox_get(s, id);
	ck_assert_str_eq(o->status, "queued");
	ck_assert_int_eq(o->attempts, 1);
	ck_assert_int_eq(o->next_attempt, 1600);
	ck_assert_str_eq(o->last_error, "451 4.3.0 busy");
	store_outbox_free(&o);
	ck_assert_uint_eq(due_count(s, 1599), 0);
	ck_assert_int_eq(next_due(s), 1600);
	ck_assert_uint_eq(due_count(s, 1600), 1);

	/* Sent: final. Never due again, never re-queued, not changed by a late defer/fail. */
	ck_assert_int_eq(store_outbox_mark_sent(s, id, 1700, NULL), 0);
	o = outbox_get(s, id);
	ck_assert_str_eq(o->status, "sent");
	ck_assert_int_eq(o->sent_at, 1700);
	ck_assert_int_eq(o->attempts, 2);
	store_outbox_free(&o);
	ck_assert_uint_eq(due_count(s, G_MAXINT64), 0);
	ck_assert_int_eq(next_due(s), 0);
	ck_assert_int_eq(store_outbox_retry(s, id, 2000, NULL), 0);
	ck_assert_int_eq(store_outbox_defer(s, id, 2000, "x", &error), -1);
	g_free(error);
	ck_assert_int_eq(store_outbox_mark_failed(s, id, "x", &error), -1);
	g_free(error);
	ck_assert_int_eq(store_outbox_mark_sent(s, id, 2000, &error), -1);
	g_free(error);
	o = outbox_get(s, id);
	ck_assert_str_eq(o->status, "sent");
	ck_assert_int_eq(o->sent_at, 1700);
	ck_assert_int_eq(o->attempts, 2);
	ck_assert_int_eq(o->next_attempt, 1600);
	store_outbox_free(&o);
	ck_assert_uint_eq(due_count(s, G_MAXINT64), 0);
	store_close(&s);
}
END_TEST

START_TEST(test_outbox_failed_retry)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 id = queue_mail(s, 0, "m", 1000);
	struct store_outbox *o;

	ck_assert_int_eq(store_outbox_mark_failed(s, id, "550 5.1.1 no such user", NULL), 0);
	o = outbox_get(s, id);
	ck_assert_str_eq(o->status, "failed");
	ck_assert_int_eq(o->attempts, 1);
	ck_assert_str_eq(o->last_error, "550 5.1.1 no such user");
	ck_assert_int_eq(o->ticket_id, 0);
	store_outbox_free(&o);
	ck_assert_uint_eq(due_count(s, G_MAXINT64), 0);
	ck_assert_int_eq(next_due(s), 0);

	/* Retry: queued again, due now; the error and the count stay for the record. */
	ck_assert_int_eq(store_outbox_retry(s, id, 5000, NULL), 1);
	o = outbox_get(s, id);
	ck_assert_str_eq(o->status, "queued");
	ck_assert_int_eq(o->next_attempt, 5000);
	ck_assert_int_eq(o->attempts, 1);
	ck_assert_str_eq(o->last_error, "550 5.1.1 no such user");
	store_outbox_free(&o);
	ck_assert_uint_eq(due_count(s, 4999), 0);
	ck_assert_uint_eq(due_count(s, 5000), 1);
	/* A queued row can be retried (made due now); a missing one cannot. */
	ck_assert_int_eq(store_outbox_retry(s, id, 4000, NULL), 1);
	ck_assert_int_eq(next_due(s), 4000);
	ck_assert_int_eq(store_outbox_retry(s, id + 1, 4000, NULL), 0);
	o = NULL;
	ck_assert_int_eq(store_outbox_get(s, id + 1, &o, NULL), 0);
	ck_assert_ptr_null(o);
	store_close(&s);
}
END_TEST

START_TEST(test_outbox_rcpts_raw)
{
	static const char raw[] = "a\0b\r\n\xff\x00z";
	const char *const rcpts[] = {"ann@example.org", "Bob@Example.COM", "cc+x@example.net",
				     NULL};
	const char *const bad_lf[] = {"ann@example.org", "evil@example.org\nrcpt", NULL};
	const char *const bad_empty[] = {"ann@example.org", "", NULL};
	const char *const none[] = {NULL};
	struct store *s = open_ok(STORE_CREATE);
	GPtrArray *list = NULL;
	gint64 id = 0, id2 = 0;
	char *error = NULL;
	const guint8 *data;
	gsize len;

	ck_assert_int_eq(
	    store_outbox_add(s, 0, "reply", rcpts, "r@x", raw, sizeof(raw) - 1, 10, &id, NULL), 0);
	ck_assert_int_eq(store_outbox_add(s, 0, "note", one_rcpt, "e@x", "", 0, 10, &id2, NULL), 0);
	ck_assert_int_eq(store_outbox_due(s, 10, 0, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 2);
	ck_assert_uint_eq(g_strv_length(OUTBOX(list, 0)->rcpts), 3);
	ck_assert_str_eq(OUTBOX(list, 0)->rcpts[0], "ann@example.org");
	ck_assert_str_eq(OUTBOX(list, 0)->rcpts[1], "Bob@Example.COM"); /* as given */
	ck_assert_str_eq(OUTBOX(list, 0)->rcpts[2], "cc+x@example.net");
	data = g_bytes_get_data(OUTBOX(list, 0)->raw, &len);
	ck_assert_uint_eq(len, sizeof(raw) - 1);
	ck_assert_mem_eq(data, raw, len);
	ck_assert_uint_eq(g_strv_length(OUTBOX(list, 1)->rcpts), 1);
	ck_assert_uint_eq(g_bytes_get_size(OUTBOX(list, 1)->raw), 0);
	g_ptr_array_unref(list);

	/* Recipients that would not survive the "\n" join are refused; nothing is queued. */
	ck_assert_int_eq(store_outbox_add(s, 0, "reply", bad_lf, "b@x", "m", 1, 10, &id, &error),
			 -1);
	ck_assert_ptr_nonnull(strstr(error, "bad recipient"));
	g_free(error);
	ck_assert_int_eq(store_outbox_add(s, 0, "reply", bad_empty, "b@x", "m", 1, 10, &id, &error),
			 -1);
	g_free(error);
	ck_assert_int_eq(store_outbox_add(s, 0, "reply", none, "b@x", "m", 1, 10, &id, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "no recipient"));
	g_free(error);
	ck_assert_int_eq(store_outbox_add(s, 0, "reply", NULL, "b@x", "m", 1, 10, &id, &error), -1);
	g_free(error);
	ck_assert_int_eq(
	    store_outbox_add(s, 999, "reply", one_rcpt, "b@x", "m", 1, 10, &id, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "FOREIGN KEY"));
	g_free(error);
	ck_assert_int_eq(raw_int(s->db, "SELECT count(*) FROM outbox"), 2);
	store_close(&s);
}
END_TEST

START_TEST(test_outbox_order_list)
{
	struct store *s = open_ok(STORE_CREATE);
	gint64 a = queue_mail(s, 0, "a", 300);
	gint64 b = queue_mail(s, 0, "b", 100);
	gint64 c = queue_mail(s, 0, "c", 300);
	gint64 d = queue_mail(s, 0, "d", 50);
	GPtrArray *list = NULL;

	ck_assert_int_eq(store_outbox_mark_sent(s, d, 60, NULL), 0);
	ck_assert_int_eq(store_outbox_mark_failed(s, c, "no", NULL), 0);
	ck_assert_int_eq(store_outbox_retry(s, c, 300, NULL), 1);
	ck_assert_int_eq(next_due(s), 100);

	/* Due: by next_attempt, then id; at most limit. */
	ck_assert_int_eq(store_outbox_due(s, 1000, 0, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 3);
	ck_assert_int_eq(OUTBOX(list, 0)->id, b);
	ck_assert_int_eq(OUTBOX(list, 1)->id, a);
	ck_assert_int_eq(OUTBOX(list, 2)->id, c);
	g_ptr_array_unref(list);
	ck_assert_int_eq(store_outbox_due(s, 1000, 2, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 2);
	ck_assert_int_eq(OUTBOX(list, 1)->id, a);
	g_ptr_array_unref(list);

	/* List: newest first, no raw; filter and limit. */
	ck_assert_int_eq(store_outbox_list(s, NULL, 0, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 4);
	ck_assert_int_eq(OUTBOX(list, 0)->id, d);
	ck_assert_int_eq(OUTBOX(list, 3)->id, a);
	ck_assert_ptr_null(OUTBOX(list, 0)->raw);
	ck_assert_str_eq(OUTBOX(list, 0)->status, "sent");
	g_ptr_array_unref(list);
	ck_assert_int_eq(store_outbox_list(s, "queued", 2, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 2);
	ck_assert_int_eq(OUTBOX(list, 0)->id, c);
	ck_assert_int_eq(OUTBOX(list, 1)->id, b);
	g_ptr_array_unref(list);
	ck_assert_int_eq(store_outbox_list(s, "failed", 0, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 0);
	g_ptr_array_unref(list);

	/* Queued inside a transaction that rolls back: gone. */
	ck_assert_int_eq(store_begin(s, NULL), 0);
	queue_mail(s, 0, "e", 10);
	store_rollback(s);
	ck_assert_int_eq(raw_int(s->db, "SELECT count(*) FROM outbox"), 4);
	ck_assert_int_eq(next_due(s), 100);
	store_close(&s);
}
END_TEST

/* Mail that is also a stored message keeps its bytes once (in the message row) and is sent
 * with exactly those bytes; the counters of migration 5 follow what is added. */
START_TEST(test_outbox_stored_message)
{
	static const char raw[] = "From: support@x\r\nSubject: ack\r\n\r\nbody\r\n";
	struct store *s = open_ok(STORE_CREATE);
	struct store_message m = {0};
	struct store_customer *c = NULL;
	struct store_ticket *t = NULL;
	GPtrArray *list = NULL;
	GBytes *got = NULL;
	gint64 cust = 0, ticket = 0, row = 0, id = 0;
	const guint8 *data;
	gsize len;

	ck_assert_int_eq(store_customer_upsert(s, "ann@example.org", "Ann", 5, &cust, NULL), 0);
	ck_assert_int_eq(store_ticket_create(s, "support", "hello", cust, 0, 5, &ticket, NULL), 0);
	m.ticket_id = ticket;
	m.direction = (char *)"out";
	m.kind = (char *)"agent";
	m.message_id = (char *)"ack@x";
	m.rcpt = (char *)"ann@example.org";
	m.raw = g_bytes_new_static(raw, sizeof(raw) - 1);
	ck_assert_int_eq(store_message_insert(s, &m, 7, &row, NULL), 0);
	g_bytes_unref(m.raw);
	ck_assert_int_eq(store_outbox_add_stored(s, ticket, "reply", one_rcpt, "ack@x", row, 10,
						 &id, NULL),
			 0);
	/* One copy of the bytes: the outbox row's own raw is empty. */
	ck_assert_int_eq(raw_int(s->db, "SELECT length(raw) FROM outbox"), 0);
	ck_assert_int_eq(store_outbox_due(s, 10, 0, &list, NULL), 0);
	ck_assert_uint_eq(list->len, 1);
	data = g_bytes_get_data(OUTBOX(list, 0)->raw, &len);
	ck_assert_uint_eq(len, sizeof(raw) - 1);
	ck_assert(memcmp(data, raw, len) == 0);
	g_ptr_array_unref(list);
	ck_assert_int_eq(store_outbox_raw(s, id, &got, NULL), 1);
	ck_assert(g_bytes_get_size(got) == sizeof(raw) - 1);
	g_bytes_unref(got);
	ck_assert_int_eq(store_outbox_raw(s, id + 1, &got, NULL), 0);
	/* Counters: one ticket for Ann, one message on the ticket, answered at 7. */
	ck_assert_int_eq(store_customer_get(s, "ann@example.org", &c, NULL), 1);
	ck_assert_int_eq(c->ticket_count, 1);
	store_customer_free(&c);
	ck_assert_int_eq(store_ticket_get(s, ticket, &t, NULL), 1);
	ck_assert_int_eq(t->message_count, 1);
	store_ticket_free(&t);
	ck_assert_int_eq(raw_int(s->db, "SELECT first_reply FROM tickets"), 7);
	store_close(&s);
}
END_TEST

static Suite *store2_suite_conversations(void)
{
	Suite *s = suite_create("store2");
	TCase *tc = tcase_create("migration");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_schema_v2);
	tcase_add_test(tc, test_migrate_from_v1_keeps_data);
	tcase_add_test(tc, test_failed_migration2_rolls_back);
	suite_add_tcase(s, tc);

	tc = tcase_create("conversations");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_agents);
	tcase_add_test(tc, test_agent_remove);
	tcase_add_test(tc, test_assignee_priority);
	tcase_add_test(tc, test_tags);
	tcase_add_test(tc, test_participant_event_lists);
	tcase_add_test(tc, test_customers);
	tcase_add_test(tc, test_autoreplies);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *store2_suite_outbox(void)
{
	Suite *s = suite_create("store2-outbox");
	TCase *tc = tcase_create("outbox");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_outbox_stored_message);
	tcase_add_test(tc, test_outbox_lifecycle);
	tcase_add_test(tc, test_outbox_failed_retry);
	tcase_add_test(tc, test_outbox_rcpts_raw);
	tcase_add_test(tc, test_outbox_order_list);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(store2_suite_conversations());
	int failed;

	srunner_add_suite(sr, store2_suite_outbox());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
