/* Unit tests for issue 13's agent toolkit part: macros (thread/ parsing and expansion,
 * compose/ rendering, deliver/ holding an unknown one), the status after an answer
 * (status_after_reply), the customer history in agent notices, and a customer's "status"
 * request by mail (parse/ words, deliver/ answering without storing). A real SQLite store
 * with the shipped templates and macros. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/deliver.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"
#include "postdesk/thread.h"
#include "postdesk/token.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static char *tmpdir;
static struct conf *conf;
static struct store *store;
static struct token_keys *keys;
static struct deliver_env env;

static void setup(void)
{
	char *path, *text, *db, *key, *error = NULL;

	parse_init();
	tmpdir = g_dir_make_tmp("check_macros-XXXXXX", NULL);
	path = g_build_filename(tmpdir, "pd.conf", NULL);
	db = test_database(tmpdir, "pd.db"); /* a SQLite file, or PostgreSQL's (PD_TEST_PG_URI) */
	text = g_strdup_printf("[postdesk]\ndatabase = %s\nkey_file = %s/pd.key\n"
			       "domain = example.com\ntemplate_dir = %s/../templates/en\n"
			       "[queue support]\naddress = support@example.com\n",
			       db, tmpdir, TESTS_SRCDIR);
	ck_assert(g_file_set_contents(path, text, -1, NULL));
	if (conf_load(path, &conf, &error) < 0)
		ck_abort_msg("conf: %s", error);
	key = g_build_filename(tmpdir, "pd.key", NULL);
	if (store_open(db, STORE_CREATE, 1000, &store, &error) < 0 ||
	    token_keys_create(key, FALSE, &error) < 0 || token_keys_load(key, &keys, &error) < 0)
		ck_abort_msg("setup: %s", error);
	env.conf = conf;
	if (compose_ctx_new(conf, keys, &env.compose, &error) < 0)
		ck_abort_msg("templates: %s", error);
	ck_assert_int_eq(store_agent_add(store, "alice@example.com", "Alice Agent", NULL, 1, NULL), 0);
	g_free(db);
	g_free(key);
	g_free(text);
	g_free(path);
}

static void teardown(void)
{
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);

	compose_ctx_free(&env.compose);
	store_close(&store);
	token_keys_free(&keys);
	conf_free(&conf);
	ck_assert_int_eq(system(cmd), 0);
	g_free(cmd);
	g_free(tmpdir);
}

static int deliver(const char *rcpt, const char *sender, const char *raw)
{
	struct deliver_msg *d = deliver_new(sender, g_strdup(raw), strlen(raw));
	struct deliver_rcpt r;
	struct verdict v;
	int code;

	deliver_rcpt_resolve(conf, keys, rcpt, &r, &v);
	if (v.status != VERDICT_OK) {
		deliver_free(&d);
		return v.smtp;
	}
	deliver_add_rcpt(d, &r);
	if (deliver_parse(d) == 0)
		deliver_run(d, store, &env);
	code = d->verdicts[0].smtp;
	deliver_free(&d);
	return code;
}

/* The outbox rows of a kind: their number, and the raw bytes of the newest (or NULL). */
static guint outbox_of(const char *kind, char **raw_r)
{
	GPtrArray *due = NULL;
	guint n = 0;

	if (raw_r != NULL)
		*raw_r = NULL;
	ck_assert_int_eq(store_outbox_due(store, G_MAXINT64, 0, &due, NULL), 0);
	for (guint i = 0; i < due->len; i++) {
		struct store_outbox *o = g_ptr_array_index(due, i);
		gsize len;
		const char *data;
		if (strcmp(o->kind, kind) != 0)
			continue;
		n++;
		if (raw_r == NULL)
			continue;
		g_free(*raw_r);
		data = g_bytes_get_data(o->raw, &len);
		*raw_r = g_strndup(data, len);
	}
	g_ptr_array_unref(due);
	return n;
}

static char *token_for(gint64 ticket, enum token_role role)
{
	struct token t = {.id = ticket, .role = role, .score = -1,
			  .agent = role == TOKEN_AGENT ? 1 : 0,
			  .issued = role == TOKEN_AGENT ? TOKEN_DAY(clock_now()) : 0};
	char *addr = NULL;

	ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &addr, NULL), 0);
	return addr;
}

static char *ticket_status(gint64 id)
{
	struct store_ticket *t = NULL;
	char *s;

	ck_assert_int_eq(store_ticket_get(store, id, &t, NULL), 1);
	s = g_strdup(t->status);
	store_ticket_free(&t);
	return s;
}

/* An agent's mail with body to ticket 1; returns the SMTP code. */
static int agent_mail(const char *msgid, const char *body)
{
	char *tok = token_for(1, TOKEN_AGENT);
	char *mail = g_strdup_printf("From: Alice Agent <alice@example.com>\nTo: %s\n"
				     "Subject: Re: [#1] Lamp\nMessage-ID: <%s>\n\n%s", tok, msgid,
				     body);
	int code = deliver(tok, "alice@example.com", mail);

	g_free(mail);
	g_free(tok);
	return code;
}

#define CUSTOMER "From: Ann Buyer <ann@shop.example>\nTo: support@example.com\n" \
		 "Subject: Lamp broken\nMessage-ID: <c1@shop.example>\n\nMy lamp is broken.\n"

/* ---- parsing and expanding ---- */

START_TEST(macro_lines_parse)
{
	struct thread_agent_mail *am = NULL;

	/* Among the commands: recorded, and the commands below it are still commands. */
	thread_agent_parse("#macro Where-Is-My-Order\n#status open\n", &am);
	ck_assert_uint_eq(am->errors->len, 0);
	ck_assert_uint_eq(am->cmds->len, 1);
	ck_assert_uint_eq(am->macros->len, 1);
	ck_assert_str_eq(g_ptr_array_index(am->macros, 0), "where-is-my-order");
	ck_assert_str_eq(am->text, "#macro where-is-my-order");
	thread_agent_mail_free(&am);
	/* In the text: kept in its place. */
	thread_agent_parse("Hello Ann,\n#macro refund-policy\nBest, Alice\n", &am);
	ck_assert_uint_eq(am->macros->len, 1);
	ck_assert_str_eq(am->text, "Hello Ann,\n#macro refund-policy\nBest, Alice");
	thread_agent_mail_free(&am);
	/* A name no macro file can have is an error (the mail is held). */
	thread_agent_parse("#macro ../etc/passwd\nText\n", &am);
	ck_assert_uint_eq(am->errors->len, 1);
	ck_assert_uint_eq(am->macros->len, 0);
	thread_agent_mail_free(&am);
	thread_agent_parse("#macro\nText\n", &am);
	ck_assert_uint_eq(am->errors->len, 1);
	thread_agent_mail_free(&am);
}
END_TEST

START_TEST(macro_expand_agent_wins)
{
	struct thread_agent_mail *am = NULL;

	thread_agent_parse("#status open\nHello,\n#macro m\nAlice\n", &am);
	thread_agent_expand(am, "m", "#status pending\n#tag faq\n#priority high\n\nLine one.\n"
				     "Line two.\n");
	ck_assert_uint_eq(am->errors->len, 0);
	ck_assert_str_eq(am->text, "Hello,\nLine one.\nLine two.\nAlice");
	ck_assert_uint_eq(am->cmds->len, 3); /* status open (the agent's), tag, priority */
	ck_assert_str_eq(g_array_index(am->cmds, struct thread_cmd, 0).arg, "open");
	ck_assert_str_eq(g_array_index(am->cmds, struct thread_cmd, 1).arg, "faq");
	ck_assert_str_eq(g_array_index(am->cmds, struct thread_cmd, 2).arg, "high");
	thread_agent_mail_free(&am);
	/* A macro's bad command, or a macro inside a macro: errors of the mail. */
	thread_agent_parse("#macro m\n", &am);
	thread_agent_expand(am, "m", "#status later\n#macro other\nText\n");
	ck_assert_uint_eq(am->errors->len, 2);
	thread_agent_mail_free(&am);
}
END_TEST

START_TEST(status_words)
{
	static const char *const yes[] = {
		"status", "Status?", "STATUS.", "  status!  \n", "Statut", "estado", "Stato",
		"Sachstand?", "status\n\nThanks,\nAnn Buyer", "Status\nDanke\nJörg Müller",
		"status\nSent from my iPhone", "ticket status",
	};
	static const char *const no[] = {
		"", "statuses", "what is the status of my order?", "status\nwhere is my parcel",
		"status\nMy order 10023 has not arrived", "status\nThanks\nAnn\nBuyer\nExtra\nMore",
		"Hello, status please", "status 10023",
	};

	for (guint i = 0; i < G_N_ELEMENTS(yes); i++)
		ck_assert_msg(parse_status_words(yes[i]), "not a status request: %s", yes[i]);
	for (guint i = 0; i < G_N_ELEMENTS(no); i++)
		ck_assert_msg(!parse_status_words(no[i]), "taken for a status request: %s", no[i]);
}
END_TEST

/* ---- by mail ---- */

START_TEST(macro_reaches_customer)
{
	char *raw = NULL, *st;

	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example", CUSTOMER), 250);
	ck_assert_int_eq(agent_mail("a1@example.com", "#macro need-order-number\n"), 250);
	ck_assert_uint_eq(outbox_of("reply", &raw), 1);
	ck_assert_ptr_nonnull(strstr(raw, "Hello Ann Buyer,"));
	ck_assert_ptr_nonnull(strstr(raw, "order number"));
	ck_assert_ptr_null(strstr(raw, "#status"));
	ck_assert_ptr_null(strstr(raw, "#macro"));
	st = ticket_status(1);
	ck_assert_str_eq(st, "pending"); /* the macro's #status pending */
	g_free(st);
	g_free(raw);
	/* The agent's own #status wins over the macro's. */
	ck_assert_int_eq(agent_mail("a2@example.com",
				    "#status resolved\nHi,\n#macro where-is-my-order\nAlice\n"),
			 250);
	st = ticket_status(1);
	ck_assert_str_eq(st, "resolved");
	g_free(st);
	ck_assert_uint_eq(outbox_of("reply", &raw), 2);
	ck_assert_ptr_nonnull(strstr(raw, "Hi,"));
	ck_assert_ptr_nonnull(strstr(raw, "on its way"));
	g_free(raw);
}
END_TEST

START_TEST(unknown_macro_holds_mail)
{
	char *raw = NULL, *st;

	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example", CUSTOMER), 250);
	ck_assert_int_eq(agent_mail("a1@example.com", "#status resolved\nDear Ann,\n#macro "
						      "no-such-macro\n"), 250);
	ck_assert_uint_eq(outbox_of("reply", NULL), 0);
	ck_assert_uint_eq(outbox_of("command_error", &raw), 1);
	ck_assert_ptr_nonnull(strstr(raw, "#macro no-such-macro: no such macro"));
	st = ticket_status(1);
	ck_assert_str_eq(st, "new"); /* nothing applied */
	g_free(st);
	g_free(raw);
}
END_TEST

START_TEST(status_after_reply)
{
	char *st;

	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example", CUSTOMER), 250);
	ck_assert_int_eq(agent_mail("n1@example.com", "#note\nInternal only.\n"), 250);
	st = ticket_status(1);
	ck_assert_str_eq(st, "new"); /* a note is no answer */
	g_free(st);
	ck_assert_int_eq(agent_mail("a1@example.com", "A new lamp is on its way.\n"), 250);
	st = ticket_status(1);
	ck_assert_str_eq(st, "pending");
	g_free(st);
	ck_assert_int_eq(agent_mail("a2@example.com", "#status open\nStill checking.\n"), 250);
	st = ticket_status(1);
	ck_assert_str_eq(st, "open"); /* the mail's #status wins */
	g_free(st);
}
END_TEST

START_TEST(notice_names_earlier_tickets)
{
	char *raw = NULL;

	for (int i = 1; i <= 8; i++) {
		char *mail = g_strdup_printf("From: Ann Buyer <ann@shop.example>\nTo: support@"
					     "example.com\nSubject: Order question %d\nMessage-ID: "
					     "<h%d@shop.example>\n\nQuestion %d.\n", i, i, i);
		ck_assert_int_eq(deliver("support@example.com", "ann@shop.example", mail), 250);
		g_free(mail);
	}
	ck_assert_uint_eq(outbox_of("agent_notice", &raw), 8);
	ck_assert_ptr_nonnull(strstr(raw, "Earlier tickets from this customer: 7\r\n"));
	ck_assert_ptr_nonnull(strstr(raw, "  #7 (new) Order question 7\r\n"));
	ck_assert_ptr_nonnull(strstr(raw, "  #3 (new) Order question 3\r\n"));
	ck_assert_ptr_null(strstr(raw, "  #2 (new)"));
	ck_assert_ptr_nonnull(strstr(raw, "  ... and 2 older\r\n"));
	g_free(raw);
}
END_TEST

/* Messages stored on ticket 1. */
static gint64 messages_of_ticket1(void)
{
	GPtrArray *msgs = NULL;
	gint64 n;

	ck_assert_int_eq(store_message_list(store, 1, FALSE, &msgs, NULL), 0);
	n = (gint64)msgs->len;
	g_ptr_array_unref(msgs);
	return n;
}

START_TEST(status_request_answered_nothing_stored)
{
	char *tok = token_for(1, TOKEN_CUSTOMER), *mail, *raw = NULL, *st;
	gint64 before;

	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example", CUSTOMER), 250);
	ck_assert_int_eq(agent_mail("a1@example.com", "A new lamp is on its way.\n"), 250);
	before = messages_of_ticket1();
	mail = g_strdup_printf("From: Ann Buyer <ann@shop.example>\nTo: %s\nSubject: Re: [#1]\n"
			       "Message-ID: <s1@shop.example>\n\nStatus?\n\nThanks,\nAnn\n\n"
			       "> earlier text\n", tok);
	ck_assert_int_eq(deliver(tok, "ann@shop.example", mail), 250);
	ck_assert_uint_eq(outbox_of("status_reply", &raw), 1);
	ck_assert_ptr_nonnull(strstr(raw, "is pending"));
	ck_assert_ptr_nonnull(strstr(raw, "A new lamp is on its way."));
	ck_assert_ptr_nonnull(strstr(raw, "Auto-Submitted: auto-replied"));
	ck_assert_int_eq(messages_of_ticket1(), before); /* nothing added */
	ck_assert_uint_eq(outbox_of("agent_notice", NULL), 1); /* no notice */
	st = ticket_status(1);
	ck_assert_str_eq(st, "pending"); /* no reopen */
	g_free(st);
	g_free(raw);
	g_free(mail);
	/* A stranger through the same token: an ordinary message, stored and shown to agents. */
	mail = g_strdup_printf("From: eve@elsewhere.example\nTo: %s\nSubject: Re: [#1]\n"
			       "Message-ID: <s2@elsewhere.example>\n\nstatus\n", tok);
	ck_assert_int_eq(deliver(tok, "eve@elsewhere.example", mail), 250);
	ck_assert_uint_eq(outbox_of("status_reply", NULL), 1);
	ck_assert_int_eq(messages_of_ticket1(), before + 1);
	g_free(mail);
	g_free(tok);
}
END_TEST

static Suite *macros_suite(void)
{
	Suite *s = suite_create("macros");
	TCase *tc = tcase_create("toolkit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, macro_lines_parse);
	tcase_add_test(tc, macro_expand_agent_wins);
	tcase_add_test(tc, status_words);
	tcase_add_test(tc, macro_reaches_customer);
	tcase_add_test(tc, unknown_macro_holds_mail);
	tcase_add_test(tc, status_after_reply);
	tcase_add_test(tc, notice_names_earlier_tickets);
	tcase_add_test(tc, status_request_answered_nothing_stored);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(macros_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
