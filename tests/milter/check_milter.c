/* check_milter: unit tests of the milter's pure parts (policy.c): the listen
 * syntax conversion, the flood table's fixed windows, the stages that need no
 * database (unknown recipients, size, loops), and the Authentication-Results reader and
 * its refusal rule (authres.c), fed well-formed, malformed and hostile values. The
 * database-backed checks and libmilter itself are covered by tests/milter/run.sh and
 * tests/e2e/milter.sh. */
#include "config.h"
#include "milter-private.h"
#include "postdesk/parse.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

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
	/* issue 17: a +detail that is not a signed token is refused at RCPT (milter_plain_detail
	 * = refuse, the default): no junk ticket, no backscatter */
	milter_policy_rcpt(c, "<Support+anything@HELP.example>", &v);
	ck_assert_int_eq(v.smtp, 550);
	ck_assert_str_eq(v.enh, "5.1.1");
	ck_assert(!c->msg.ours);
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

/* parse_authres_parse with id "mx.help.example" for mail from an address in
 * help-staff.example: its return value; *results_r the flags. */
static int authres_from(const char *value, const char *sender_domain, guint *results_r)
{
	char *error = NULL;
	int ret;

	*results_r = 0;
	ret = parse_authres_parse(value, "mx.help.example", sender_domain, results_r, &error);
	if (ret < 0)
		ck_assert_ptr_nonnull(error);
	else
		ck_assert_ptr_null(error);
	g_free(error);
	return ret;
}

static int authres(const char *value, guint *results_r)
{
	return authres_from(value, "help-staff.example", results_r);
}

START_TEST(test_authres_parse)
{
	guint r;

	/* what OpenDKIM, OpenDMARC and rspamd write: comments holding ';', quoted values */
	ck_assert_int_eq(authres("mx.help.example; dkim=pass (1024-bit key; unprotected) "
				 "header.d=help-staff.example header.i=@help-staff.example "
				 "header.b=\"AbC/+=dE\"",
				 &r),
			 1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_DKIM_PASS);
	ck_assert_int_eq(authres("mx.help.example; dkim=fail header.b=AbC/+=dE "
				 "header.d=help-staff.example; spf=fail "
				 "smtp.mailfrom=bob@help-staff.example; dmarc=fail (p=reject "
				 "dis=none) header.from=help-staff.example",
				 &r),
			 1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_DKIM_FAIL | PARSE_AUTHRES_SPF_FAIL |
				 PARSE_AUTHRES_DMARC_FAIL);
	ck_assert_int_eq(authres("mx.help.example;\r\n\tdmarc=fail reason=\"No valid SPF; "
				 "no \\\"DKIM\\\"\" header.from=x.example",
				 &r),
			 1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_DMARC_FAIL);
	/* case, version number, method version, CFWS everywhere, nested comments */
	ck_assert_int_eq(authres("  MX.Help.Example 1 ; DKIM/1 = Pass header.d=Help-Staff.Example",
				 &r),
			 1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_DKIM_PASS);
	ck_assert_int_eq(authres("mx.help.example(c)1(d);(e)spf(f)=(g)pass(h)smtp(i).(j)mailfrom"
				 "(k)=(l)\"x y\"@help-staff.example(m)",
				 &r),
			 1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_SPF_PASS);
	/* legal RFC 8601, but not how our MTA writes its id (and past a header_checks rule):
	 * a comment before the id, a quoted id, the id glued to other characters */
	ck_assert_int_eq(authres("(a (nested) \\) comment)mx.help.example; spf=fail", &r), 0);
	ck_assert_int_eq(authres("\"mx.help.example\"; spf=fail", &r), 0);
	ck_assert_int_eq(authres("mx.help.example\x7f; dkim=fail", &r), 0);
	ck_assert_int_eq(authres("mx.help.example.; dkim=fail", &r), 0);
	/* only results about the sender's domain count (relaxed alignment); dmarc=fail always */
	ck_assert_int_eq(authres("mx.help.example; dkim=pass header.d=attacker.example; spf=pass "
				 "smtp.mailfrom=alice@attacker.example; dkim=fail header.d=x.example",
				 &r),
			 1);
	ck_assert_uint_eq(r, 0);
	ck_assert_int_eq(authres("mx.help.example; dkim=pass header.d=mail.help-staff.example; "
				 "dkim=fail header.i=@help-staff.example; spf=fail",
				 &r),
			 1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_DKIM_PASS | PARSE_AUTHRES_DKIM_FAIL |
				 PARSE_AUTHRES_SPF_FAIL);
	ck_assert_int_eq(authres_from("mx.help.example; dkim=pass header.d=help-staff.example; "
				      "spf=pass smtp.mailfrom=staff.example; dmarc=fail",
				      "eu.help-staff.example", &r),
			 1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_DKIM_PASS | PARSE_AUTHRES_DMARC_FAIL);
	ck_assert_int_eq(authres_from("mx.help.example; dkim=fail header.d=help-staff.example; "
				      "spf=fail; dmarc=fail",
				      "", &r),
			 1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_DMARC_FAIL);
	ck_assert_int_eq(authres("mx.help.example; dkim=pass header.d=staff.example", &r), 1);
	ck_assert_uint_eq(r, 0); /* not a suffix at a label boundary */
	/* none, and results that are neither pass nor fail */
	ck_assert_int_eq(authres("mx.help.example; none", &r), 1);
	ck_assert_uint_eq(r, 0);
	ck_assert_int_eq(authres("mx.help.example 1;none (nothing checked) ", &r), 1);
	ck_assert_uint_eq(r, 0);
	ck_assert_int_eq(authres("mx.help.example; dkim=neutral; spf=softfail; dkim=temperror; "
				 "spf=permerror; dmarc=none; dmarc=pass; iprev=fail "
				 "policy.iprev=192.0.2.1; arc=fail",
				 &r),
			 1);
	ck_assert_uint_eq(r, 0);
	/* dmarc=pass counts for the domain its header.from names, exactly (threading asks
	 * about the From domain: doc/security.md) */
	ck_assert_int_eq(
	    authres("mx.help.example; dmarc=pass (p=none) header.from=Help-Staff.example", &r), 1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_DMARC_PASS);
	ck_assert_int_eq(authres("mx.help.example; dmarc=pass header.from=evil.example", &r), 1);
	ck_assert_uint_eq(r, 0);
	ck_assert_int_eq(
	    authres("mx.help.example; dmarc=pass header.from=x.help-staff.example", &r), 1);
	ck_assert_uint_eq(r, 0);
	/* another authserv-id: not read at all, even when the rest is garbage */
	ck_assert_int_eq(authres("evil.example; dkim=fail", &r), 0);
	ck_assert_int_eq(authres("mx.help.example.evil.example; dkim=fail", &r), 0);
	ck_assert_int_eq(authres("evil.example; ((((", &r), 0);
	ck_assert_int_eq(authres("mx.help.exampl; dkim=fail", &r), 0);
	ck_assert_int_eq(authres("", &r), 0);
	ck_assert_int_eq(authres("   ", &r), 0);
	ck_assert_int_eq(authres(";dkim=fail", &r), 0);
	ck_assert_int_eq(authres("\"mx.help.example", &r), 0);		 /* unclosed quote */
	ck_assert_int_eq(authres("(mx.help.example; dkim=fail", &r), 0); /* unclosed comment */
	ck_assert_uint_eq(r, 0);
}
END_TEST

/* Malformed values that claim our id: -1 with a message, never a crash. */
START_TEST(test_authres_malformed)
{
	static const char *const bad[] = {
	    "mx.help.example",
	    "mx.help.example;",
	    "mx.help.example; ",
	    "mx.help.example; dkim",
	    "mx.help.example; dkim=",
	    "mx.help.example; =fail",
	    "mx.help.example; dkim=pass;",
	    "mx.help.example; dkim=fail (unterminated",
	    "mx.help.example; dkim=fail ((nested) still open",
	    "mx.help.example; dkim=fail (escaped close \\)",
	    "mx.help.example; dkim=fail (ends in a backslash \\",
	    "mx.help.example (open; dkim=fail",
	    "mx.help.example 1 (open",
	    "mx.help.example dkim=fail",
	    "mx.help.example 1 2; dkim=fail",
	    "mx.help.example; none; dkim=fail",
	    "mx.help.example; none dkim=fail",
	    "mx.help.example; dkim=fail header.d",
	    "mx.help.example; dkim=fail header.=x",
	    "mx.help.example; dkim=fail header.d=",
	    "mx.help.example; dkim=fail header.d=\"unterminated",
	    "mx.help.example; dkim=fail header.d=\"ends in a backslash\\",
	    "mx.help.example; dkim=fail foo=bar",
	    "mx.help.example; dkim=fail reason",
	    "mx.help.example; dkim/=fail",
	    "mx.help.example; dkim/x=fail",
	    "mx.help.example; dkim=fail; spf",
	    "mx.help.example; d\xc3\xa9kim=fail",
	    "mx.help.example; dkim=fail\x01",
	};
	guint r;

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		if (authres(bad[i], &r) != -1)
			ck_abort_msg("accepted: %s", bad[i]);
	}
	/* the results read before the fault still count: a sender-written property value
	 * cannot hide the MTA's dmarc=fail before it */
	ck_assert_int_eq(authres("mx.help.example; dmarc=fail header.from=help-staff.example; "
				 "spf=fail smtp.mailfrom=a\"b@help-staff.example",
				 &r),
			 -1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_DMARC_FAIL);
}
END_TEST

/* Hostile sizes: very long values, deep comment nesting (no recursion to overflow). */
START_TEST(test_authres_long)
{
	GString *s = g_string_new("mx.help.example");
	guint r;
	int i;

	for (i = 0; i < 20000; i++)
		g_string_append(s, "; dkim=neutral header.b=\"xxxxxxxxxxxxxxxx\"");
	g_string_append(s, "; dkim=fail header.d=help-staff.example");
	ck_assert_int_eq(authres(s->str, &r), 1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_DKIM_FAIL);
	g_string_assign(s, "mx.help.example; dkim=fail header.d=help-staff.example ");
	for (i = 0; i < 500000; i++)
		g_string_append_c(s, '(');
	ck_assert_int_eq(authres(s->str, &r), -1);
	for (i = 0; i < 500000; i++)
		g_string_append_c(s, ')');
	ck_assert_int_eq(authres(s->str, &r), 1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_DKIM_FAIL);
	g_string_assign(s, "mx.help.example; ");
	for (i = 0; i < 1000000; i++)
		g_string_append_c(s, 'a');
	g_string_append(s, "=fail");
	ck_assert_int_eq(authres(s->str, &r), 1);
	ck_assert_uint_eq(r, 0);
	g_string_free(s, TRUE);
}
END_TEST

/* Every truncation of a valid value is read without going past its end (ASan watches). */
START_TEST(test_authres_truncations)
{
	const char *full =
	    "mx.help.example (c (n) \\)) 1 (v); dkim/1 = fail (x; y) reason=\"a \\\" b\" "
	    "header.d=help-staff.example (z); spf=pass smtp.mailfrom=\"l p\"@help-staff.example";
	gsize len = strlen(full);
	guint r;

	for (gsize n = 0; n <= len; n++) {
		char *part = g_malloc(n + 1); /* exactly sized: a read past the NUL is an error */
		memcpy(part, full, n);
		part[n] = '\0';
		authres(part, &r);
		g_free(part);
	}
	ck_assert_int_eq(authres(full, &r), 1);
	ck_assert_uint_eq(r, PARSE_AUTHRES_DKIM_FAIL | PARSE_AUTHRES_SPF_PASS);
}
END_TEST

START_TEST(test_authres_rule)
{
	ck_assert_pstr_eq(parse_authres_failure(0), NULL);
	ck_assert_pstr_eq(parse_authres_failure(PARSE_AUTHRES_DKIM_PASS), NULL);
	ck_assert_pstr_eq(parse_authres_failure(PARSE_AUTHRES_DKIM_FAIL), "dkim=fail");
	ck_assert_pstr_eq(parse_authres_failure(PARSE_AUTHRES_SPF_FAIL), "spf=fail");
	ck_assert_pstr_eq(parse_authres_failure(PARSE_AUTHRES_DKIM_FAIL | PARSE_AUTHRES_SPF_FAIL),
			  "dkim=fail, spf=fail");
	/* one passing method outweighs a failing one... */
	ck_assert_pstr_eq(parse_authres_failure(PARSE_AUTHRES_DKIM_FAIL | PARSE_AUTHRES_DKIM_PASS),
			  NULL);
	ck_assert_pstr_eq(parse_authres_failure(PARSE_AUTHRES_DKIM_FAIL | PARSE_AUTHRES_SPF_PASS),
			  NULL);
	ck_assert_pstr_eq(parse_authres_failure(PARSE_AUTHRES_SPF_FAIL | PARSE_AUTHRES_DKIM_PASS),
			  NULL);
	/* ...but not a DMARC failure */
	ck_assert_pstr_eq(parse_authres_failure(PARSE_AUTHRES_DMARC_FAIL | PARSE_AUTHRES_DKIM_PASS |
						PARSE_AUTHRES_SPF_PASS),
			  "dmarc=fail");
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
	tcase_add_test(tc, test_authres_parse);
	tcase_add_test(tc, test_authres_malformed);
	tcase_add_test(tc, test_authres_long);
	tcase_add_test(tc, test_authres_truncations);
	tcase_add_test(tc, test_authres_rule);
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
