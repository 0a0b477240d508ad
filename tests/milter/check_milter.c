/* check_milter: unit tests of the milter's pure parts (milter_policy.c): the listen
 * syntax conversion, the flood table's fixed windows, and the stages that need no
 * database (unknown recipients, size, loops). The database-backed checks and libmilter
 * itself are covered by tests/milter/run.sh and tests/e2e/milter.sh. */
#include "config.h"
#include "milter-private.h"
#include "postdesk/parse.h"

#include <check.h>
#include <glib/gstdio.h>

static char *tmpdir;
static struct conf *conf;
static struct token_keys *keys;
static struct milter *m;

static void setup(void)
{
	char *path, *key, *text, *error = NULL;

	tmpdir = g_dir_make_tmp("check_milter.XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
	key = g_build_filename(tmpdir, "key", NULL);
	path = g_build_filename(tmpdir, "postdesk.conf", NULL);
	text = g_strdup_printf("[postdesk]\ndomain = help.example\nhostname = mx.help.example\n"
			       "key_file = %s\ndatabase = %s/none.db\nmax_message_size = 2000\n"
			       "milter_flood_limit = 2\nmilter_flood_window = 100\n"
			       "[queue support]\naddress = support@help.example\n",
			       key, tmpdir);
	ck_assert(g_file_set_contents(path, text, -1, NULL));
	ck_assert_int_eq(conf_load(path, &conf, &error), 0);
	ck_assert_int_eq(token_keys_create(key, FALSE, &error), 0);
	ck_assert_int_eq(token_keys_load(key, &keys, &error), 0);
	m = milter_new(conf, keys);
	g_unlink(key);
	g_unlink(path);
	g_free(key);
	g_free(path);
	g_free(text);
}

static void teardown(void)
{
	milter_free(&m);
	token_keys_free(&keys);
	conf_free(&conf);
	g_rmdir(tmpdir);
	g_free(tmpdir);
}

static void check_spec(const char *listen, const char *want)
{
	char *spec = milter_listen_spec(listen);

	ck_assert_pstr_eq(spec, want);
	g_free(spec);
}

START_TEST(test_listen_spec)
{
	check_spec("unix:/var/spool/postfix/private/postdesk-milter",
		   "unix:/var/spool/postfix/private/postdesk-milter");
	check_spec("inet:127.0.0.1:8891", "inet:8891@127.0.0.1");
	check_spec("inet:localhost:10025", "inet:10025@localhost");
	check_spec("inet:[::1]:8891", "inet6:8891@::1");
	check_spec("inet:::1:8891", NULL);
	check_spec("inet:127.0.0.1:", NULL);
	check_spec("inet:127.0.0.1:88a", NULL);
	check_spec("inet:8891", NULL);
	check_spec("local:/tmp/x", NULL);
}
END_TEST

START_TEST(test_flood_windows)
{
	/* limit 2 per 100 s, per sender and per client IP */
	ck_assert_int_eq(milter_flood_hit(m, "a@x.example", "192.0.2.1", 1000), 1);
	ck_assert_int_eq(milter_flood_hit(m, "a@x.example", "192.0.2.1", 1010), 1);
	ck_assert_int_eq(milter_flood_hit(m, "a@x.example", "192.0.2.1", 1020), 0);
	/* the same IP with another sender, the same sender from another IP */
	ck_assert_int_eq(milter_flood_hit(m, "b@x.example", "192.0.2.1", 1030), 0);
	ck_assert_int_eq(milter_flood_hit(m, "a@x.example", "192.0.2.2", 1030), 0);
	/* refused mails were not counted: b and 192.0.2.2 still have their full quota */
	ck_assert_int_eq(milter_flood_hit(m, "b@x.example", "192.0.2.2", 1040), 1);
	ck_assert_int_eq(milter_flood_hit(m, "b@x.example", "192.0.2.2", 1050), 1);
	ck_assert_int_eq(milter_flood_hit(m, "b@x.example", "192.0.2.2", 1060), 0);
	/* fixed window: a's window began at 1000, so it is open again at 1100 */
	ck_assert_int_eq(milter_flood_hit(m, "a@x.example", "192.0.2.1", 1099), 0);
	ck_assert_int_eq(milter_flood_hit(m, "a@x.example", "192.0.2.1", 1100), 1);
	/* the null sender is counted by IP only; no keys at all: never limited */
	ck_assert_int_eq(milter_flood_hit(m, "", "192.0.2.3", 1100), 1);
	ck_assert_int_eq(milter_flood_hit(m, "", "192.0.2.3", 1100), 1);
	ck_assert_int_eq(milter_flood_hit(m, "", "192.0.2.3", 1100), 0);
	ck_assert_int_eq(milter_flood_hit(m, NULL, NULL, 1100), 1);
	ck_assert_int_eq(milter_flood_hit(m, NULL, NULL, 1100), 1);
	ck_assert_int_eq(milter_flood_hit(m, NULL, NULL, 1100), 1);
	/* long after: expired windows are swept, only the new keys remain */
	ck_assert_int_eq(milter_flood_hit(m, "c@x.example", "192.0.2.9", 5000), 1);
	ck_assert_uint_eq(g_hash_table_size(m->flood), 2);
}
END_TEST

#define FLOOD_THREADS 8
#define FLOOD_KEYS 1000

/* One thread: FLOOD_KEYS new senders and IPs of its own, each within the limit. */
static gpointer flood_thread(gpointer data)
{
	int t = GPOINTER_TO_INT(data), i, allowed = 0;

	for (i = 0; i < FLOOD_KEYS; i++) {
		char sender[64], ip[64];
		g_snprintf(sender, sizeof(sender), "t%d-%d@x.example", t, i);
		g_snprintf(ip, sizeof(ip), "10.%d.%d.%d", t, i / 256, i % 256);
		allowed += milter_flood_hit(m, sender, ip, 1000);
		allowed += milter_flood_hit(m, sender, ip, 1001);
		allowed += milter_flood_hit(m, sender, ip, 1002) == 0; /* third: over */
	}
	return GINT_TO_POINTER(allowed);
}

/* Sessions update the table at once (inserts resize the hash table): every count must
 * come out exact. Under ThreadSanitizer this also proves the table's lock. */
START_TEST(test_flood_threads)
{
	GThread *threads[FLOOD_THREADS];
	int t;

	for (t = 0; t < FLOOD_THREADS; t++)
		threads[t] = g_thread_new("flood", flood_thread, GINT_TO_POINTER(t));
	for (t = 0; t < FLOOD_THREADS; t++)
		ck_assert_int_eq(GPOINTER_TO_INT(g_thread_join(threads[t])), 3 * FLOOD_KEYS);
	ck_assert_uint_eq(g_hash_table_size(m->flood), 2 * FLOOD_THREADS * FLOOD_KEYS);
}
END_TEST

START_TEST(test_rcpt_without_database)
{
	struct milter_conn *c = milter_conn_new(m, "192.0.2.1");
	char *args[] = {"BODY=8BITMIME", "SIZE=1500", NULL};
	struct verdict v;

	milter_policy_mail(c, "<Alice@Example.ORG>", args, &v);
	ck_assert_int_eq(v.status, VERDICT_OK);
	ck_assert_str_eq(c->msg.sender, "alice@example.org");
	ck_assert_int_eq(c->msg.size_declared, 1500);
	milter_policy_rcpt(c, "<someone@elsewhere.example>", &v);
	ck_assert_int_eq(v.status, VERDICT_OK);
	ck_assert(!c->msg.ours);
	milter_policy_rcpt(c, "<nobody@help.example>", &v);
	ck_assert_int_eq(v.smtp, 550);
	ck_assert_str_eq(v.enh, "5.1.1");
	milter_policy_rcpt(c, "<Support+anything@HELP.example>", &v);
	ck_assert_int_eq(v.status, VERDICT_OK);
	ck_assert(c->msg.ours);
	ck_assert(!c->msg.token_rcpt);

	milter_policy_mail(c, "<>", (char *[]){"SIZE=2001", NULL}, &v);
	ck_assert_str_eq(c->msg.sender, "");
	ck_assert(!c->msg.ours); /* a new MAIL forgets the previous message */
	milter_policy_rcpt(c, "<support@help.example>", &v);
	ck_assert_int_eq(v.smtp, 552);
	ck_assert_str_eq(v.enh, "5.3.4");
	milter_conn_free(&c);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(g_atomic_int_get(&m->active), 0);
}
END_TEST

/* A message to the queue address from sender; headers given as name, value, ..., NULL.
 * Returns the EOH verdict's SMTP code (0 if a header was already refused). */
static int eoh_code(struct milter_conn *c, const char *sender, ...)
{
	struct verdict v;
	const char *name;
	va_list ap;

	milter_policy_mail(c, sender, NULL, &v);
	milter_policy_rcpt(c, "support@help.example", &v);
	ck_assert_int_eq(v.status, VERDICT_OK);
	va_start(ap, sender);
	while ((name = va_arg(ap, const char *)) != NULL) {
		milter_policy_header(c, name, va_arg(ap, const char *), &v);
		if (v.status != VERDICT_OK) {
			va_end(ap);
			return 0;
		}
	}
	va_end(ap);
	milter_policy_eoh(c, &v);
	return v.status == VERDICT_OK ? 250 : v.smtp;
}

START_TEST(test_loops_and_size)
{
	struct milter_conn *c = milter_conn_new(m, NULL);
	const char *rcv = "from a by MX.HELP.EXAMPLE with ESMTP";
	struct verdict v;

	clock_set_fixed(1000);
	ck_assert_int_eq(eoh_code(c, "a@x.example", "X-Postdesk-Loop", "  Help.Example ", NULL),
			 554);
	ck_assert_int_eq(eoh_code(c, "a@x.example", "X-Postdesk-Loop", "other.example", NULL), 250);
	ck_assert_int_eq(eoh_code(c, "b@x.example", "Received", rcv, "Received", rcv, "Received",
				  rcv, "Received", rcv, "Received", rcv, NULL),
			 250);
	ck_assert_int_eq(eoh_code(c, "c@x.example", "Received", rcv, "Received", rcv, "Received",
				  rcv, "Received", rcv, "Received", rcv, "Received", rcv, NULL),
			 554);
	/* flood limit 2 per sender: b's second new ticket passes, its third is refused */
	ck_assert_int_eq(eoh_code(c, "b@x.example", "Subject", "again", NULL), 250);
	ck_assert_int_eq(eoh_code(c, "b@x.example", "Subject", "and again", NULL), 451);
	/* our trace headers from outside are counted for deletion */
	ck_assert_int_eq(eoh_code(c, "d@x.example", "X-Postdesk-Ticket", "7", "x-postdesk-ticket",
				  "8", "X-Postdesk-Verdict", "ok", NULL),
			 250);
	ck_assert_uint_eq(c->msg.n_ticket_hdrs, 2);
	ck_assert_uint_eq(c->msg.n_verdict_hdrs, 1);
	/* size: 2000 bytes of headers and body together */
	ck_assert_int_eq(eoh_code(c, "e@x.example", "Subject", "big", NULL), 250);
	milter_policy_body(c, 1900, &v);
	ck_assert_int_eq(v.status, VERDICT_OK);
	milter_policy_body(c, 100, &v);
	ck_assert_int_eq(v.smtp, 552);
	ck_assert_str_eq(v.enh, "5.3.4");
	clock_set_fixed(0);
	milter_conn_free(&c);
}
END_TEST

static Suite *milter_suite(void)
{
	Suite *s = suite_create("milter");
	TCase *tc = tcase_create("policy");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_listen_spec);
	tcase_add_test(tc, test_flood_windows);
	tcase_add_test(tc, test_flood_threads);
	tcase_add_test(tc, test_rcpt_without_database);
	tcase_add_test(tc, test_loops_and_size);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(milter_suite());
	int failed;

	parse_init();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
