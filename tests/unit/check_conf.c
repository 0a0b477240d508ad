/* check_conf: the configuration loader. Valid files (fixtures in tests/data/conf/ and the
 * contrib example) with every parsed value and default; every error class with the exact
 * message, file and line included. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/lib.h"

#include <check.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA TESTS_SRCDIR "/data/conf/"

static char *tmpdir;
static char *tmpconf;

static void setup(void)
{
	tmpdir = g_dir_make_tmp("check_conf-XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
	tmpconf = g_build_filename(tmpdir, "postdesk.conf", NULL);
}

static void teardown(void)
{
	g_unlink(tmpconf);
	g_rmdir(tmpdir);
	g_free(tmpconf);
	g_free(tmpdir);
}

static struct conf *load_ok(const char *path)
{
	struct conf *conf = NULL;
	char *error = NULL;

	if (conf_load(path, &conf, &error) != 0)
		ck_abort_msg("conf_load(%s): %s", path, error);
	ck_assert_ptr_null(error);
	return conf;
}

/* Load text from a temporary file; must fail; returns the message minus the path. */
static char *load_fail(const char *text)
{
	struct conf *conf = NULL;
	char *error = NULL, *rest;

	ck_assert(g_file_set_contents(tmpconf, text, -1, NULL));
	ck_assert_int_eq(conf_load(tmpconf, &conf, &error), -1);
	ck_assert_ptr_null(conf);
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(g_str_has_prefix(error, tmpconf), "no file name in: %s", error);
	rest = g_strdup(error + strlen(tmpconf));
	g_free(error);
	return rest;
}

START_TEST(test_minimal_defaults)
{
	struct conf *c = load_ok(DATA "minimal.conf");
	const struct conf_queue *q;

	ck_assert_str_eq(c->path, DATA "minimal.conf");
	ck_assert_str_eq(c->domain, "example.com");
	ck_assert_str_eq(c->hostname, "example.com");
	ck_assert_str_eq(c->database, POSTDESK_LOCALSTATEDIR "/lib/postdesk/postdesk.db");
	ck_assert_str_eq(c->key_file, POSTDESK_LOCALSTATEDIR "/lib/postdesk/postdesk.key");
	ck_assert_str_eq(c->lmtp_listen, "unix:/var/spool/postfix/private/postdesk");
	ck_assert_str_eq(c->milter_listen, "unix:/var/spool/postfix/postdesk/milter.sock");
	ck_assert_str_eq(c->relay, "127.0.0.1:25");
	ck_assert_ptr_null(c->template_dir);
	ck_assert_ptr_null(c->user);
	ck_assert_str_eq(c->log_level, "info");
	ck_assert_int_eq(c->max_message_size, 25 * 1024 * 1024);
	ck_assert_int_eq(c->lmtp_timeout, 300);
	ck_assert_int_eq(c->lmtp_max_sessions, 64);
	ck_assert_int_eq(c->busy_timeout_ms, 5000);
	ck_assert_int_eq(c->batch_max, 64);
	ck_assert_int_eq(c->closed_policy, CONF_CLOSED_REOPEN);
	ck_assert_int_eq(c->survey_delay, 86400);
	ck_assert_int_eq(c->autoreply_limit, 3);
	ck_assert_int_eq(c->autoreply_window, 86400);
	ck_assert_int_eq(c->milter_flood_limit, 20);
	ck_assert_int_eq(c->milter_flood_window, 3600);
	ck_assert_str_eq(c->milter_on_db_error, "tempfail");
	ck_assert_uint_eq(c->queues->len, 1);
	q = g_ptr_array_index(c->queues, 0);
	ck_assert_str_eq(q->name, "support");
	ck_assert_str_eq(q->address, "support@example.com");
	ck_assert_str_eq(q->local, "support");
	ck_assert_str_eq(q->display, "Support");
	ck_assert_ptr_null(q->lead);
	ck_assert_int_eq(q->first_response_target, 0);
	ck_assert_ptr_null(q->business_hours);
	ck_assert_str_eq(q->timezone, "UTC");
	ck_assert_int_eq(q->pending_remind_after, 3 * 86400);
	ck_assert_int_eq(q->pending_resolve_after, 4 * 86400);
	ck_assert_int_eq(q->resolved_close_after, 7 * 86400);
	conf_free(&c);
	ck_assert_ptr_null(c);
	conf_free(&c); /* NULL is fine */
}
END_TEST

START_TEST(test_full)
{
	struct conf *c = load_ok(DATA "full.conf");
	const struct conf_queue *q;

	ck_assert_str_eq(c->database, "/srv/postdesk/db.sqlite");
	ck_assert_str_eq(c->key_file, "/srv/postdesk/token.key");
	ck_assert_str_eq(c->domain, "help.example.org");
	ck_assert_str_eq(c->hostname, "mx1.example.org");
	ck_assert_str_eq(c->lmtp_listen, "inet:127.0.0.1:2424");
	ck_assert_str_eq(c->milter_listen, "inet:[::1]:8891");
	ck_assert_str_eq(c->relay, "smtp.example.org:587");
	ck_assert_str_eq(c->template_dir, "/etc/postdesk/templates");
	ck_assert_str_eq(c->user, "postdesk");
	ck_assert_str_eq(c->log_level, "debug");
	ck_assert_int_eq(c->max_message_size, 10 * 1024 * 1024);
	ck_assert_int_eq(c->lmtp_timeout, 120);
	ck_assert_int_eq(c->lmtp_max_sessions, 1000);
	ck_assert_int_eq(c->busy_timeout_ms, 250);
	ck_assert_int_eq(c->batch_max, 128);
	ck_assert_int_eq(c->closed_policy, CONF_CLOSED_NEW);
	ck_assert_int_eq(c->survey_delay, 2 * 86400);
	ck_assert_int_eq(c->autoreply_limit, 5);
	ck_assert_int_eq(c->autoreply_window, 12 * 3600);
	ck_assert_int_eq(c->milter_flood_limit, 40);
	ck_assert_int_eq(c->milter_flood_window, 1800);
	ck_assert_str_eq(c->milter_on_db_error, "continue");
	ck_assert_uint_eq(c->queues->len, 2);
	q = g_ptr_array_index(c->queues, 0);
	ck_assert_str_eq(q->name, "billing");
	ck_assert_str_eq(q->address, "billing@help.example.org");
	ck_assert_str_eq(q->display, "Example Billing");
	ck_assert_str_eq(q->lead, "boss@example.org");
	ck_assert_int_eq(q->first_response_target, 4 * 3600);
	ck_assert_str_eq(q->business_hours, "mon-fri 09:00-17:30");
	ck_assert_str_eq(q->timezone, "Europe/Paris");
	ck_assert_int_eq(q->pending_remind_after, 2 * 86400);
	ck_assert_int_eq(q->pending_resolve_after, 5 * 86400);
	ck_assert_int_eq(q->resolved_close_after, 0);
	q = g_ptr_array_index(c->queues, 1);
	ck_assert_str_eq(q->name, "tier-2");
	ck_assert_str_eq(q->local, "tier2");
	ck_assert_str_eq(q->display, "Tier-2");
	ck_assert_str_eq(q->business_hours, "sun-thu 08:00-24:00");
	conf_free(&c);
}
END_TEST

START_TEST(test_lookup)
{
	struct conf *c = load_ok(DATA "full.conf");
	const struct conf_queue *billing = g_ptr_array_index(c->queues, 0);
	const struct conf_queue *tier2 = g_ptr_array_index(c->queues, 1);

	ck_assert_ptr_eq(conf_queue_by_address(c, "Billing@Help.Example.org"), billing);
	ck_assert_ptr_eq(conf_queue_by_address(c, "tier2@help.example.org"), tier2);
	ck_assert_ptr_null(conf_queue_by_address(c, "billing@example.org"));
	ck_assert_ptr_null(conf_queue_by_address(c, "billing"));
	ck_assert_ptr_eq(conf_queue_by_local(c, "BILLING"), billing);
	ck_assert_ptr_eq(conf_queue_by_local(c, "tier2"), tier2);
	ck_assert_ptr_null(conf_queue_by_local(c, "tier-2"));
	ck_assert_ptr_eq(conf_queue_by_name(c, "Tier-2"), tier2);
	ck_assert_ptr_eq(conf_queue_by_name(c, "billing"), billing);
	ck_assert_ptr_null(conf_queue_by_name(c, "support"));
	conf_free(&c);
}
END_TEST

/* The shipped example must stay loadable. */
START_TEST(test_contrib_example)
{
	struct conf *c = load_ok(TESTS_SRCDIR "/../contrib/postdesk.conf");

	ck_assert_str_eq(c->domain, "example.com");
	ck_assert_ptr_nonnull(conf_queue_by_address(c, "support@example.com"));
	ck_assert_ptr_nonnull(conf_queue_by_address(c, "billing@example.com"));
	conf_free(&c);
}
END_TEST

#define G "[postdesk]\ndomain = example.com\n"             /* lines 1-2 */
#define Q "[queue support]\naddress = support@example.com\n" /* 2 lines */

/* Each text must fail with exactly this message after the file name. */
static const struct {
	const char *text;
	const char *expect;
} bad[] = {
	/* unknown keys and groups */
	{G Q "colour = blue\n", ":5: [queue support] colour: unknown key"},
	{G "  colour   =  red\n" Q, ":3: [postdesk] colour: unknown key"},
	{G "address = a@example.com\n" Q, ":3: [postdesk] address: unknown key"},
	{G Q "lead[de] = chef@example.com\n", ":5: [queue support] lead[de]: unknown key"},
	{G Q "\n# comment\n[tickets]\nx = 1\n", ":7: [tickets]: unknown group (expected [postdesk] "
					       "or [queue NAME])"},
	{G "[queue Sup]\naddress = sup@example.com\n",
	 ":3: [queue Sup]: bad queue name \"Sup\": expected [a-z0-9_-]+"},
	/* a bad value of every type */
	{G "lmtp_listen = tcp:1\n" Q,
	 ":3: [postdesk] lmtp_listen: bad value \"tcp:1\": expected unix:/path or inet:HOST:PORT"},
	{G "lmtp_listen = unix:relative\n" Q, ":3: [postdesk] lmtp_listen: bad value "
					      "\"unix:relative\": expected unix:/path or inet:HOST:PORT"},
	{G "milter_listen = inet:localhost:0\n" Q, ":3: [postdesk] milter_listen: bad value "
						   "\"inet:localhost:0\": expected unix:/path or "
						   "inet:HOST:PORT"},
	{G "milter_listen = inet:localhost:65536\n" Q, ":3: [postdesk] milter_listen: bad value "
						       "\"inet:localhost:65536\": expected unix:/path "
						       "or inet:HOST:PORT"},
	{G "relay = localhost\n" Q, ":3: [postdesk] relay: bad value \"localhost\": expected "
				    "HOST:PORT with a port from 1 to 65535"},
	{G "relay = ::1:25\n" Q, ":3: [postdesk] relay: bad value \"::1:25\": expected HOST:PORT "
				 "with a port from 1 to 65535"},
	{G "database = var/postdesk.db\n" Q, ":3: [postdesk] database: bad value "
					     "\"var/postdesk.db\": expected an absolute path"},
	{G "max_message_size = 25X\n" Q, ":3: [postdesk] max_message_size: bad value \"25X\": "
					 "expected a size (N, Nk, NM or NG) from 1024 to 4294967296 "
					 "bytes"},
	{G "max_message_size = 5G\n" Q, ":3: [postdesk] max_message_size: bad value \"5G\": "
					"expected a size (N, Nk, NM or NG) from 1024 to 4294967296 "
					"bytes"},
	{G "survey_delay = 3w\n" Q, ":3: [postdesk] survey_delay: bad value \"3w\": expected a "
				    "duration (N, Ns, Nm, Nh or Nd) from 0 to 31536000 seconds"},
	{G "lmtp_timeout = -5\n" Q, ":3: [postdesk] lmtp_timeout: bad value \"-5\": expected a "
				    "duration (N, Ns, Nm, Nh or Nd) from 1 to 86400 seconds"},
	{G "busy_timeout = 5x\n" Q, ":3: [postdesk] busy_timeout: bad value \"5x\": expected a "
				    "duration (N seconds, Nms, Ns, Nm, Nh or Nd) from 0 to 3600000 ms"},
	{G "lmtp_max_sessions = 0\n" Q, ":3: [postdesk] lmtp_max_sessions: bad value \"0\": "
					"expected an integer from 1 to 1000"},
	{G "lmtp_max_sessions = 12abc\n" Q, ":3: [postdesk] lmtp_max_sessions: bad value "
					    "\"12abc\": expected an integer from 1 to 1000"},
	{G "closed_policy = maybe\n" Q, ":3: [postdesk] closed_policy: bad value \"maybe\": "
					"expected one of reopen|new"},
	{G "log_level = loud\n" Q, ":3: [postdesk] log_level: bad value \"loud\": expected one "
				   "of error|warn|info|debug"},
	{G "milter_on_db_error = accept\n" Q, ":3: [postdesk] milter_on_db_error: bad value "
					      "\"accept\": expected one of tempfail|continue"},
	{G "user =\n" Q, ":3: [postdesk] user: bad value \"\": expected a non-empty string on one "
			 "line"},
	{G "user = a\\nb\n" Q, ":3: [postdesk] user: bad value \"a\\nb\": expected a non-empty "
			       "string on one line"},
	{"[postdesk]\ndomain = exa mple.com\n" Q, ":2: [postdesk] domain: bad value \"exa "
						  "mple.com\": expected a host name"},
	{G "hostname = -mx.example.com\n" Q, ":3: [postdesk] hostname: bad value "
					     "\"-mx.example.com\": expected a host name"},
	{G Q "lead = boss\n", ":5: [queue support] lead: bad value \"boss\": expected an address "
			      "local@domain"},
	{G Q "lead = a@b@example.com\n", ":5: [queue support] lead: bad value \"a@b@example.com\": "
					 "expected an address local@domain"},
	{G Q "lead = a b@example.com\n", ":5: [queue support] lead: bad value \"a b@example.com\": "
					 "expected an address local@domain"},
	{G "[queue support]\naddress = @example.com\n", ":4: [queue support] address: bad value "
							"\"@example.com\": expected an address "
							"local@domain"},
	{G Q "timezone = Mars/Olympus_Mons\n", ":5: [queue support] timezone: bad value "
					       "\"Mars/Olympus_Mons\": expected an IANA time zone "
					       "such as Europe/Paris"},
	{G Q "business_hours = mon-fri 9-5\n",
	 ":5: [queue support] business_hours: bad value \"mon-fri 9-5\": expected DAY[-DAY] "
	 "HH:MM-HH:MM, e.g. mon-fri 09:00-17:00"},
	{G Q "business_hours = mon-fri 17:00-09:00\n",
	 ":5: [queue support] business_hours: bad value \"mon-fri 17:00-09:00\": expected "
	 "DAY[-DAY] HH:MM-HH:MM, e.g. mon-fri 09:00-17:00"},
	{G Q "business_hours = mon-xyz 09:00-17:00\n",
	 ":5: [queue support] business_hours: bad value \"mon-xyz 09:00-17:00\": expected "
	 "DAY[-DAY] HH:MM-HH:MM, e.g. mon-fri 09:00-17:00"},
	/* the last of two identical keys is the one GKeyFile uses, and the one named */
	{G "relay = a:25\nrelay = b:x\n" Q, ":4: [postdesk] relay: bad value \"b:x\": expected "
					    "HOST:PORT with a port from 1 to 65535"},
	/* missing required keys and groups */
	{"# no domain\n[postdesk]\nrelay = a:25\n" Q, ":2: [postdesk] domain: required key missing"},
	{Q, ": [postdesk] domain: required key missing"},
	{G "\n[queue support]\nlead = a@example.com\n", ":4: [queue support] address: required key "
							"missing"},
	{G, ": no [queue NAME] group: at least one queue is required"},
	/* checks across keys and queues */
	{G "[queue support]\naddress = support@example.org\n",
	 ":4: [queue support] address: \"support@example.org\" is not in the support domain "
	 "example.com"},
	{G Q "[queue billing]\naddress = SUPPORT@example.com\n",
	 ":6: [queue billing] address: \"support@example.com\" is already used by [queue "
	 "support]"},
	{G "[queue support]\naddress = support+x@example.com\n",
	 ":4: [queue support] address: \"support+x@example.com\": a queue address may not "
	 "contain '+' (used by reply tokens)"},
	/* unsubscribe_url: https, one {token}, nothing that ends a <URL> in a header */
	{G "unsubscribe_url = http://help.example.com/u?t={token}\n" Q,
	 ":3: [postdesk] unsubscribe_url: \"http://help.example.com/u?t={token}\": expected an "
	 "https:// URL"},
	{G "unsubscribe_url = https://help.example.com/u\n" Q,
	 ":3: [postdesk] unsubscribe_url: \"https://help.example.com/u\": expected exactly one "
	 "{token} (where the opt-out token goes)"},
	{G "unsubscribe_url = https://h.example/{token}/{token}\n" Q,
	 ":3: [postdesk] unsubscribe_url: \"https://h.example/{token}/{token}\": expected exactly "
	 "one {token} (where the opt-out token goes)"},
	{G "unsubscribe_url = https://h.example/u?t={token}>,<x\n" Q,
	 ":3: [postdesk] unsubscribe_url: \"https://h.example/u?t={token}>,<x\": '>' is not "
	 "allowed in the URL (percent-encode it)"},
	{G "unsubscribe_url = https://h.example/u?t={token}&x=\x7f\n" Q,
	 ":3: [postdesk] unsubscribe_url: byte \\x7f is not allowed in the URL (percent-encode it)"},
};

START_TEST(test_errors)
{
	char *msg = load_fail(bad[_i].text);

	ck_assert_str_eq(msg, bad[_i].expect);
	g_free(msg);
}
END_TEST

START_TEST(test_syntax_error)
{
	char *msg = load_fail(G "this is not a key\n" Q);

	/* GLib's own wording, after "file: "; it quotes the offending line. */
	ck_assert_msg(g_str_has_prefix(msg, ": ") && strstr(msg, "this is not a key") != NULL,
		      "%s", msg);
	g_free(msg);
	msg = load_fail("domain = example.com\n" G Q);
	ck_assert_msg(g_str_has_prefix(msg, ": ") && strlen(msg) > 2, "%s", msg);
	g_free(msg);
}
END_TEST

START_TEST(test_missing_file)
{
	struct conf *c = NULL;
	char *error = NULL;

	ck_assert_int_eq(conf_load(DATA "no-such.conf", &c, &error), -1);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(error, "no-such.conf"));
	g_free(error);
}
END_TEST

/* Boundaries that must load: a suffix at the limit, a bracketed IPv6 relay, 24:00. */
START_TEST(test_edges_ok)
{
	struct conf *c = NULL;
	char *error = NULL;

	ck_assert(g_file_set_contents(tmpconf,
				      G "max_message_size = 4G\nrelay = [2001:db8::1]:2525 \t\n"
					"busy_timeout = 0\nlmtp_max_sessions = 1\n"
					"unsubscribe_url = https://h.example/u?t={token}&x=1\n" Q
					"business_hours = sat 00:00-24:00\n",
				      -1, NULL));
	if (conf_load(tmpconf, &c, &error) < 0)
		ck_abort_msg("%s", error);
	ck_assert_int_eq(c->max_message_size, G_GINT64_CONSTANT(4294967296));
	ck_assert_str_eq(c->relay, "[2001:db8::1]:2525");
	ck_assert_int_eq(c->busy_timeout_ms, 0);
	ck_assert_int_eq(c->lmtp_max_sessions, 1);
	ck_assert_str_eq(c->unsubscribe_url, "https://h.example/u?t={token}&x=1");
	ck_assert_str_eq(((struct conf_queue *)g_ptr_array_index(c->queues, 0))->business_hours,
			 "sat 00:00-24:00");
	conf_free(&c);
}
END_TEST

/* conf_dump (postdesk config): -n is exactly what the file sets, as written there; the
 * full dump has every key of each group once, defaults expanded, and loads back to the same
 * dump. */
START_TEST(test_dump)
{
	struct conf *c = load_ok(DATA "full.conf"), *again = NULL;
	GString *set = g_string_new(NULL), *all = g_string_new(NULL), *all2 = g_string_new(NULL);
	char *error = NULL;

	ck_assert_int_eq(conf_dump(c, TRUE, set, &error), 0);
	ck_assert_ptr_null(error);
	/* in the table's order (keys.def), not the file's */
	ck_assert(g_str_has_prefix(set->str, "[postdesk]\ndomain = help.example.org\n"));
	ck_assert_ptr_nonnull(strstr(set->str, "\ndatabase = /srv/postdesk/db.sqlite\n"));
	ck_assert_ptr_nonnull(strstr(set->str, "\nmax_message_size = 10M\n"));
	ck_assert_ptr_nonnull(strstr(set->str, "\nbusy_timeout = 250ms\n"));
	ck_assert_ptr_nonnull(
		strstr(set->str, "\n\n[queue billing]\naddress = billing@help.example.org\n"));
	ck_assert_ptr_null(strstr(set->str, "spool_threshold")); /* not set in full.conf */
	ck_assert_int_eq(conf_dump(c, FALSE, all, &error), 0);
	ck_assert_ptr_nonnull(strstr(all->str, "\nspool_threshold = 1M\n"));
	ck_assert_ptr_nonnull(strstr(all->str, "\n#kb_dir =\n"));
	ck_assert(g_file_set_contents(tmpconf, all->str, -1, NULL));
	if (conf_load(tmpconf, &again, &error) < 0)
		ck_abort_msg("the full dump does not load: %s", error);
	ck_assert_int_eq(conf_dump(again, FALSE, all2, &error), 0);
	ck_assert_str_eq(all2->str, all->str);
	conf_free(&again);
	conf_free(&c);
	g_string_free(set, TRUE);
	g_string_free(all, TRUE);
	g_string_free(all2, TRUE);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_minimal_defaults);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_contrib_example);
	tcase_add_loop_test(tc, test_errors, 0, G_N_ELEMENTS(bad));
	tcase_add_test(tc, test_syntax_error);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_edges_ok);
	tcase_add_test(tc, test_dump);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
