/* check_search: the search of tickets (src/store/search.c, migration 12) against real SQLite
 * files — the query syntax and its errors, ranking, diacritics, prefixes and phrases, the
 * filters and pages, the index kept in step with messages, participants and tags, and
 * migration 12 indexing what a database already held. White-box where needed: it includes
 * store-private.h for the sqlite3 handle and the older migrations' scripts.
 * Stays on SQLite under PD_TEST_PG_URI (the suite against PostgreSQL, testutil.h
 * test_database): it reaches the sqlite3 handle and replays SQLite's migrations;
 * tests/unit/check_store_pg runs its desk and queries on PostgreSQL. */
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
	tmpdir = g_dir_make_tmp("check_search-XXXXXX", NULL);
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

/* The FTS expression of q, or the error message (both g_malloc'ed). */
static char *parse(const char *q, gboolean *ok_r)
{
	char *fts = NULL, *error = NULL;

	*ok_r = store_search_parse(q, &fts, &error) == 0;
	if (*ok_r) {
		ck_assert_ptr_null(error);
		return fts;
	}
	ck_assert_ptr_null(fts);
	ck_assert_ptr_nonnull(error);
	return error;
}

static void parse_is(const char *q, const char *want)
{
	gboolean ok;
	char *got = parse(q, &ok);

	ck_assert_msg(ok, "%s: %s", q, got);
	ck_assert_str_eq(got, want);
	g_free(got);
}

static void parse_fails(const char *q, const char *want)
{
	gboolean ok;
	char *got = parse(q, &ok);

	ck_assert_msg(!ok, "%s parsed as %s", q, got);
	ck_assert_msg(strstr(got, want) != NULL, "%s: %s (wanted %s)", q, got, want);
	ck_assert_msg(strstr(got, "fts5") == NULL && strstr(got, "SQL") == NULL, "%s", got);
	g_free(got);
}

START_TEST(test_parse)
{
	parse_is("parcel", "\"parcel\"");
	parse_is("  where   parcel ", "\"where\" \"parcel\"");
	parse_is("parc*", "\"parc\"*");
	parse_is("\"where is\" order", "\"where is\" \"order\"");
	parse_is("\"where is\"* x", "\"where is\"* \"x\"");
	parse_is("refund OR return", "\"refund\" OR \"return\"");
	parse_is("parcel -spam -\"gift card\"", "(\"parcel\") NOT \"spam\" NOT \"gift card\"");
	/* What is FTS5 syntax elsewhere is a word here. */
	parse_is("NEAR(a b) col:x ^y", "\"NEAR(a\" \"b)\" \"col:x\" \"^y\"");
	parse_is("ann@example.org", "\"ann@example.org\"");
	parse_is("or and not", "\"or\" \"and\" \"not\"");
	parse_is("Müller", "\"Müller\"");
	parse_fails("", "nothing to search for");
	parse_fails("   ", "nothing to search for");
	parse_fails("\"where is", "quote is not closed");
	parse_fails("wh\"ere", "quote in the middle");
	parse_fails("\"a\"b", "space after the closing quote");
	parse_fails("p*rcel", "'*' goes at the end");
	parse_fails("*", "no letter or digit");
	parse_fails("!!!", "no letter or digit");
	parse_fails("\"\"", "no letter or digit");
	parse_fails("-spam", "not only words to leave out");
	parse_fails("OR parcel", "OR goes between two words");
	parse_fails("parcel OR", "OR goes between two words");
	parse_fails("a OR OR b", "OR goes between two words");
	parse_fails("a OR -b", "OR must be followed by a word");
	parse_fails("\xff\xfe", "not valid UTF-8");
}
END_TEST

static gint64 customer(struct store *s, const char *email, const char *name)
{
	gint64 id = 0;

	ck_assert_int_eq(store_customer_upsert(s, email, name, 1, &id, NULL), 0);
	return id;
}

static gint64 ticket(struct store *s, const char *email, const char *name, const char *subject,
		     gint64 now)
{
	gint64 id = 0;

	ck_assert_int_eq(store_ticket_create(s, "support", subject, customer(s, email, name), 0,
					     now, &id, NULL),
			 0);
	ck_assert_int_eq(store_participant_add(s, id, email, name, "requester", NULL), 0);
	return id;
}

static gint64 message(struct store *s, gint64 ticket_id, const char *from, const char *subject,
		      const char *body)
{
	static int n;
	struct store_message m = {0};
	char *msgid = g_strdup_printf("m%d@example.org", ++n);
	gint64 id = 0;

	m.ticket_id = ticket_id;
	m.direction = "in";
	m.kind = "customer";
	m.message_id = msgid;
	m.rcpt = "support@example.com";
	m.from_addr = (char *)from;
	m.subject = (char *)subject;
	m.body = (char *)body;
	m.raw = g_bytes_new_static("x", 1);
	ck_assert_int_eq(store_message_insert(s, &m, 100, &id, NULL), 0);
	g_bytes_unref(m.raw);
	g_free(msgid);
	return id;
}

/* The ticket ids found for q with opts (NULL: none), as "1 2 3". */
static char *found(struct store *s, const char *q, const struct store_search_opts *with,
		   gboolean *more_r)
{
	struct store_search_opts o = {0};
	GString *ids = g_string_new("");
	GPtrArray *hits = NULL;
	gboolean more = FALSE;
	char *error = NULL;

	if (with != NULL)
		o = *with;
	o.query = q;
	ck_assert_msg(store_search(s, &o, &hits, &more, &error) == 0, "%s: %s", q, error);
	for (guint i = 0; i < hits->len; i++) {
		const struct store_search_hit *h = g_ptr_array_index(hits, i);

		g_string_append_printf(ids, "%s%" G_GINT64_FORMAT, i > 0 ? " " : "", h->ticket_id);
	}
	g_ptr_array_unref(hits);
	if (more_r != NULL)
		*more_r = more;
	return g_string_free(ids, FALSE);
}

static void found_is(struct store *s, const char *q, const char *want)
{
	char *got = found(s, q, NULL, NULL);

	ck_assert_msg(strcmp(got, want) == 0, "%s: found \"%s\", wanted \"%s\"", q, got, want);
	g_free(got);
}

/* Tickets 1..4 of a small desk. */
static void desk(struct store *s)
{
	gint64 t1, t2, t3, t4;

	ck_assert_int_eq(store_begin(s, NULL), 0);
	t1 = ticket(s, "zoe@example.org", "Zoë Müller", "Where is my parcel?", 10);
	message(s, t1, "zoe@example.org", "Where is my parcel?", "Order 10023 has not arrived. Merci, café au lait");
	t2 = ticket(s, "bob@example.net", "Bob", "Invoice question", 20);
	message(s, t2, "bob@example.net", "Invoice question", "The invoice for order 10024 shows a parcel fee");
	t3 = ticket(s, "eve@example.com", "Eve", "Password reset", 30);
	message(s, t3, "eve@example.com", "Password reset", "I cannot log in since the update");
	ck_assert_int_eq(store_tag_add(s, t3, "vip", NULL), 0);
	t4 = ticket(s, "ann@example.com", "Ann", "Parcel parcel parcel lost", 40);
	message(s, t4, "ann@example.com", "Parcel parcel parcel lost", "Help");
	ck_assert_int_eq(store_participant_add(s, t4, "carl@partner.example", "Carl Öster", "cc",
					       NULL),
			 0);
	ck_assert_int_eq(store_ticket_set_status(s, t4, "pending", 41, NULL), 0);
	ck_assert_int_eq(store_commit(s, NULL), 0);
	ck_assert_int_eq(t1 + t2 + t3 + t4, 10);
}

START_TEST(test_search)
{
	struct store *s = open_ok();

	desk(s);
	/* Ranking: the ticket whose subject is all about parcels first, a parcel in the
	 * subject before a parcel fee in the text. */
	found_is(s, "parcel", "4 1 2");
	/* Diacritics and case folded, both ways. */
	found_is(s, "muller", "1");
	found_is(s, "MÜLLER", "1");
	found_is(s, "cafe", "1");
	found_is(s, "oster", "4");
	/* Prefix and phrase. */
	found_is(s, "1002* invoice", "2");
	found_is(s, "1002* merci", "1");
	found_is(s, "10025*", "");
	found_is(s, "passw*", "3");
	found_is(s, "\"order 10023\"", "1");
	found_is(s, "\"10023 order\"", "");
	/* All words must match; OR; exclusion. */
	found_is(s, "invoice 10024", "2");
	found_is(s, "invoice 10023", "");
	found_is(s, "10023 OR nothingmatches", "1");
	found_is(s, "nothingmatches OR password", "3");
	found_is(s, "parcel -invoice", "4 1");
	/* Requester address, participants and tags. */
	found_is(s, "bob@example.net", "2");
	found_is(s, "partner", "4");
	found_is(s, "vip", "3");
	found_is(s, "nothingmatches", "");
	store_close(&s);
}
END_TEST

START_TEST(test_filters_and_pages)
{
	struct store *s = open_ok();
	struct store_search_opts o = {0};
	gboolean more = FALSE;
	char *got, *error = NULL;
	GPtrArray *hits = NULL;

	desk(s);
	o.status = "pending";
	got = found(s, "parcel", &o, NULL);
	ck_assert_str_eq(got, "4");
	g_free(got);
	o.status = NULL;
	o.since = 20;
	got = found(s, "parcel", &o, NULL);
	ck_assert_str_eq(got, "4 2");
	g_free(got);
	o.since = 0;
	o.queue = "sales";
	got = found(s, "parcel", &o, NULL);
	ck_assert_str_eq(got, "");
	g_free(got);
	o.queue = NULL;
	o.limit = 2;
	got = found(s, "parcel", &o, &more);
	ck_assert_str_eq(got, "4 1");
	ck_assert(more);
	g_free(got);
	o.offset = 2;
	got = found(s, "parcel", &o, &more);
	ck_assert_str_eq(got, "2");
	ck_assert(!more);
	g_free(got);
	/* A bad query is the user's mistake, not the store's. */
	o.query = "\"unclosed";
	ck_assert_int_eq(store_search(s, &o, &hits, &more, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "quote is not closed"));
	ck_assert_int_eq(store_last_error(s), STORE_ERR_NONE);
	g_free(error);
	store_close(&s);
}
END_TEST

/* Changes after the fact: a message's text rewritten (the erasure of a customer, a text
 * recomputed), deleted, a tag and a participant removed: the index follows. */
START_TEST(test_index_follows_changes)
{
	struct store *s = open_ok();

	desk(s);
	ck_assert_int_eq(sqlite3_exec(s->db,
				      "UPDATE messages SET body = 'erased' WHERE ticket_id = 1;"
				      "DELETE FROM tags WHERE ticket_id = 3;"
				      "DELETE FROM participants WHERE address = 'carl@partner.example';"
				      "DELETE FROM messages WHERE ticket_id = 2;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	found_is(s, "10023", "");
	found_is(s, "erased", "1");
	found_is(s, "vip", "");
	found_is(s, "partner", "");
	found_is(s, "10024", "");
	/* A new display name leaves the earlier tickets' rows as they were (a contact form's
	 * one sender with changing names must not rewrite them all per message); a new
	 * address (an erase) rewrites them. */
	ck_assert_int_eq(sqlite3_exec(s->db,
				      "UPDATE customers SET name = 'Zoe Renamed' WHERE id = 1;"
				      "INSERT INTO search_messages(search_messages) "
				      "VALUES('integrity-check');",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	found_is(s, "renamed", "");
	ck_assert_int_eq(sqlite3_exec(s->db,
				      "UPDATE customers SET email = 'zoe@new.example' WHERE id = 1;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	found_is(s, "renamed", "1");
	store_close(&s);
}
END_TEST

/* Tickets are indexed after delivery (migration 19): a ticket made after the last pass is
 * found with the participants and tags it got before the pass; an indexed ticket's later
 * participants, tags and subject reach its row through the triggers. */
START_TEST(test_tickets_indexed_after_delivery)
{
	struct store *s = open_ok();
	gint64 t1, t2, n = 0;

	t1 = ticket(s, "ann@example.org", "Ann", "Printer jammed", 10);
	ck_assert_int_eq(store_search_catch_up(s, 0, &n, NULL), 0);
	ck_assert_int_eq(n, 1);
	t2 = ticket(s, "bob@example.org", "Bob", "Invoice copy", 20);
	ck_assert_int_eq(store_participant_add(s, t2, "dora@agency.example", "Dora", "cc", NULL),
			 0);
	ck_assert_int_eq(store_tag_add(s, t2, "billing", NULL), 0);
	ck_assert_int_eq(store_participant_add(s, t1, "carl@partner.example", "Carl", "cc", NULL),
			 0);
	ck_assert_int_eq(store_tag_add(s, t1, "hardware", NULL), 0);
	ck_assert_int_eq(sqlite3_exec(s->db, "UPDATE tickets SET subject = 'Toner empty' WHERE id = 1",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	found_is(s, "agency", "2");
	found_is(s, "billing", "2");
	found_is(s, "partner", "1");
	found_is(s, "hardware", "1");
	found_is(s, "toner", "1");
	found_is(s, "printer", "");
	ck_assert_int_eq(sqlite3_exec(s->db, "INSERT INTO search_tickets(search_tickets) "
					     "VALUES('integrity-check')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	store_close(&s);
}
END_TEST

/* A message's text is indexed up to 8192 characters (the cost of a delivery stays
 * bounded); deleting or rewriting such a message keeps the index consistent. */
START_TEST(test_long_text)
{
	struct store *s = open_ok();
	GString *body = g_string_new("early ");
	gint64 t, m;

	for (int i = 0; i < 2000; i++)
		g_string_append(body, "word ");
	g_string_append(body, "toolate");
	ck_assert_int_eq(store_begin(s, NULL), 0);
	t = ticket(s, "ann@example.org", "Ann", "Long one", 10);
	m = message(s, t, "ann@example.org", "Long one", body->str);
	ck_assert_int_eq(store_commit(s, NULL), 0);
	found_is(s, "early", "1");
	found_is(s, "toolate", "");
	ck_assert_int_eq(sqlite3_exec(s->db,
				      "UPDATE messages SET body = body || ' more' WHERE id = 1;"
				      "INSERT INTO search_messages(search_messages) "
				      "VALUES('integrity-check');"
				      "DELETE FROM messages WHERE id = 1;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	found_is(s, "early", "");
	ck_assert_int_eq(m, 1);
	g_string_free(body, TRUE);
	store_close(&s);
}
END_TEST

/* Migration 12 indexes what the database held before it. */
START_TEST(test_migration_indexes_old_rows)
{
	sqlite3 *db = NULL;
	struct store *s;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	for (int v = 1; v < 12; v++)
		ck_assert_int_eq(sqlite3_exec(db, store_migration_sql(v), NULL, NULL, NULL),
				 SQLITE_OK);
	ck_assert_int_eq(
	    sqlite3_exec(db,
			 "INSERT INTO customers(id, email, name, created) VALUES (7, "
			 "'ann@example.org', 'Ann Ångström', 10);"
			 "INSERT INTO tickets(id, queue, subject, requester_id, created, updated) "
			 "VALUES (5, 'support', 'Old one', 7, 10, 20);"
			 "INSERT INTO tags VALUES (5, 'legacy');"
			 "INSERT INTO messages(ticket_id, direction, kind, message_id, rcpt, created, "
			 "body, raw) VALUES (5, 'in', 'customer', 'a@b', 'support@example.com', 10, "
			 "'the blue widget broke', x'00');",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	s = open_ok();
	found_is(s, "widget", "5");
	found_is(s, "angstrom", "5");
	found_is(s, "legacy", "5");
	found_is(s, "old", "5");
	store_close(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("search");
	TCase *tc = tcase_create("search");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_search);
	tcase_add_test(tc, test_filters_and_pages);
	tcase_add_test(tc, test_index_follows_changes);
	tcase_add_test(tc, test_migration_indexes_old_rows);
	tcase_add_test(tc, test_long_text);
	tcase_add_test(tc, test_tickets_indexed_after_delivery);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
