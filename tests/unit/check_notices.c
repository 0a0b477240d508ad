/* check_notices: what our mail to agents looks like to their mail clients (issue 12): the
 * notices of one ticket to one agent form one thread by In-Reply-To/References (one thread
 * per ticket, per agent), automatic mail carries X-Auto-Response-Suppress, the shipped
 * templates' signature separator is "-- " with its space. Through the real delivery
 * pipeline on a real SQLite store with the shipped templates, reading the outbox bytes. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/conf.h"
#include "postdesk/deliver.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"
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
	tmpdir = g_dir_make_tmp("check_notices-XXXXXX", NULL);
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
	ck_assert_int_eq(store_agent_add(store, "bob@example.com", "Bob Agent", NULL, 1, NULL), 0);
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

/* A reply address of ticket for role; agent tokens are alice's (agent 1), issued today. */
static char *token(gint64 ticket, enum token_role role)
{
	struct token t = {.id = ticket, .role = role, .score = -1};
	char *addr = NULL;

	if (role == TOKEN_AGENT || role == TOKEN_NOTE) {
		t.agent = 1;
		t.issued = TOKEN_DAY(clock_now());
	}
	ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &addr, NULL), 0);
	return addr;
}

/* One header of raw (CRLF lines), unfolded, without the name; NULL if absent. */
static char *header(const char *raw, const char *name)
{
	const char *body = strstr(raw, "\r\n\r\n"), *p = raw, *end;
	gsize n = strlen(name);
	GString *v;

	/* field names are case-insensitive (GMime writes "Message-Id") */
	while (p != NULL && p < body &&
	       (g_ascii_strncasecmp(p, name, n) != 0 || p[n] != ':'))
		p = (p = strstr(p, "\r\n")) != NULL ? p + 2 : NULL;
	if (p == NULL || p >= body)
		return NULL;
	p += n + 1;
	v = g_string_new(NULL);
	for (;;) {
		end = strstr(p, "\r\n");
		g_string_append_len(v, p, end - p);
		if (end[2] != ' ' && end[2] != '\t')
			break;
		p = end + 2;
	}
	g_strdelimit(v->str, "\t", ' '); /* GMime folds with a tab */
	return g_strstrip(g_string_free(v, FALSE));
}

/* The queued mails to rcpt of ticket (0: any), oldest first: raw bytes (g_free). */
static GPtrArray *mails_to(const char *rcpt, gint64 ticket, const char *kind)
{
	GPtrArray *due = NULL, *out = g_ptr_array_new_with_free_func(g_free);

	ck_assert_int_eq(store_outbox_due(store, G_MAXINT64, 0, &due, NULL), 0);
	for (guint i = 0; i < due->len; i++) {
		struct store_outbox *o = g_ptr_array_index(due, i);
		gsize len;
		const char *data = g_bytes_get_data(o->raw, &len);

		if (strcmp(o->rcpts[0], rcpt) != 0 || (ticket != 0 && o->ticket_id != ticket) ||
		    (kind != NULL && strcmp(o->kind, kind) != 0))
			continue;
		g_ptr_array_add(out, g_strndup(data, len));
	}
	g_ptr_array_unref(due);
	return out;
}

/* Each mail's In-Reply-To is the previous one's Message-ID and its References start with
 * the first one's and end with the previous one's; the first has neither. */
static void assert_one_thread(GPtrArray *mails)
{
	char *first = header(g_ptr_array_index(mails, 0), "Message-ID");

	ck_assert_ptr_null(header(g_ptr_array_index(mails, 0), "In-Reply-To"));
	ck_assert_ptr_null(header(g_ptr_array_index(mails, 0), "References"));
	for (guint i = 1; i < mails->len; i++) {
		char *prev = header(g_ptr_array_index(mails, i - 1), "Message-ID");
		char *irt = header(g_ptr_array_index(mails, i), "In-Reply-To");
		char *refs = header(g_ptr_array_index(mails, i), "References");

		ck_assert_ptr_nonnull(irt);
		ck_assert_ptr_nonnull(refs);
		ck_assert_str_eq(irt, prev);
		ck_assert_msg(g_str_has_prefix(refs, first), "mail %u: References %s", i, refs);
		ck_assert_msg(g_str_has_suffix(refs, prev), "mail %u: References %s", i, refs);
		g_free(prev);
		g_free(irt);
		g_free(refs);
	}
	g_free(first);
}

#define CUSTOMER(id, subject, body)                                                                \
	"From: Ann Buyer <ann@shop.example>\nTo: support@example.com\nSubject: " subject           \
	"\nMessage-ID: <" id "@shop.example>\n\n" body "\n"

START_TEST(notices_of_a_ticket_are_one_thread)
{
	char *cust = token(1, TOKEN_CUSTOMER), *agent = token(1, TOKEN_AGENT), *mail;
	GPtrArray *alice, *bob, *other;

	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example",
				 CUSTOMER("c1", "Lamp broken", "My lamp is broken.")), 250);
	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example",
				 CUSTOMER("d1", "Invoice", "Where is my invoice?")), 250);
	ck_assert_int_eq(deliver(cust, "ann@shop.example",
				 CUSTOMER("c2", "Re: [#1] Lamp broken", "It still flickers.")),
			 250);
	/* a note by alice goes to bob; a mistyped command comes back to alice */
	mail = g_strdup_printf("From: alice@example.com\nTo: %s\nMessage-ID: <n1@example.com>\n"
			       "Subject: Re: [#1] Lamp broken\n\n#note\nVIP customer.\n", agent);
	ck_assert_int_eq(deliver(agent, "alice@example.com", mail), 250);
	g_free(mail);
	mail = g_strdup_printf("From: alice@example.com\nTo: %s\nMessage-ID: <e1@example.com>\n"
			       "Subject: Re: [#1] Lamp broken\n\n#stauts open\nHello\n", agent);
	ck_assert_int_eq(deliver(agent, "alice@example.com", mail), 250);
	g_free(mail);
	ck_assert_int_eq(deliver(cust, "ann@shop.example",
				 CUSTOMER("c3", "Re: [#1] Lamp broken", "Any news?")), 250);

	alice = mails_to("alice@example.com", 1, NULL); /* 2 notices, error, notice */
	ck_assert_uint_eq(alice->len, 4);
	assert_one_thread(alice);
	bob = mails_to("bob@example.com", 1, NULL); /* notice, notice, note, notice */
	ck_assert_uint_eq(bob->len, 4);
	assert_one_thread(bob);
	/* every subject of the thread carries the ticket's tag */
	for (guint i = 0; i < alice->len; i++) {
		char *subject = header(g_ptr_array_index(alice, i), "Subject");
		ck_assert_msg(strstr(subject, "[#1]") != NULL, "subject %s", subject);
		g_free(subject);
	}
	/* the other ticket is a thread of its own */
	other = mails_to("alice@example.com", 2, NULL);
	ck_assert_uint_eq(other->len, 1);
	ck_assert_ptr_null(header(g_ptr_array_index(other, 0), "In-Reply-To"));
	g_ptr_array_unref(other);
	g_ptr_array_unref(alice);
	g_ptr_array_unref(bob);
	g_free(cust);
	g_free(agent);
}
END_TEST

/* A long ticket keeps References short: the first mail and the last few. */
START_TEST(references_stay_short)
{
	char *cust = token(1, TOKEN_CUSTOMER), *refs, **ids;
	GPtrArray *alice;

	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example",
				 CUSTOMER("c1", "Lamp broken", "My lamp is broken.")), 250);
	for (int i = 0; i < 7; i++) {
		char *mail = g_strdup_printf("From: ann@shop.example\nTo: %s\nSubject: Re: [#1] "
					     "Lamp\nMessage-ID: <r%d@shop.example>\n\nMore %d.\n",
					     cust, i, i);
		ck_assert_int_eq(deliver(cust, "ann@shop.example", mail), 250);
		g_free(mail);
	}
	alice = mails_to("alice@example.com", 1, "agent_notice");
	ck_assert_uint_eq(alice->len, 8);
	assert_one_thread(alice);
	refs = header(g_ptr_array_index(alice, 7), "References");
	ids = g_strsplit(refs, " ", -1);
	ck_assert_msg(g_strv_length(ids) == 1 + STORE_AGENT_THREAD_RECENT, "References %s", refs);
	g_strfreev(ids);
	g_free(refs);
	g_ptr_array_unref(alice);
	g_free(cust);
}
END_TEST

/* Automatic mail asks Exchange for no automatic answer; an agent's answer does not. */
START_TEST(auto_response_suppress)
{
	char *agent = token(1, TOKEN_AGENT), *mail, *v;
	GPtrArray *ack, *notice, *reply;

	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example",
				 CUSTOMER("c1", "Lamp broken", "My lamp is broken.")), 250);
	mail = g_strdup_printf("From: alice@example.com\nTo: %s\nMessage-ID: <a1@example.com>\n"
			       "Subject: Re: [#1] Lamp broken\n\nA new lamp is on its way.\n",
			       agent);
	ck_assert_int_eq(deliver(agent, "alice@example.com", mail), 250);
	ack = mails_to("ann@shop.example", 1, "ack");
	notice = mails_to("alice@example.com", 1, "agent_notice");
	reply = mails_to("ann@shop.example", 1, "reply");
	ck_assert_uint_eq(ack->len, 1);
	ck_assert_uint_eq(notice->len, 1);
	ck_assert_uint_eq(reply->len, 1);
	v = header(g_ptr_array_index(ack, 0), "X-Auto-Response-Suppress");
	ck_assert_str_eq(v, "All");
	g_free(v);
	v = header(g_ptr_array_index(notice, 0), "X-Auto-Response-Suppress");
	ck_assert_str_eq(v, "All");
	g_free(v);
	ck_assert_ptr_null(header(g_ptr_array_index(reply, 0), "X-Auto-Response-Suppress"));
	ck_assert_ptr_null(header(g_ptr_array_index(reply, 0), "Auto-Submitted"));
	/* the signature separator keeps its space on the way out (RFC 3676 4.3) */
	ck_assert_ptr_nonnull(strstr(g_ptr_array_index(ack, 0), "\r\n-- \r\n"));
	ck_assert_ptr_nonnull(strstr(g_ptr_array_index(reply, 0), "\r\n-- \r\n"));
	g_ptr_array_unref(ack);
	g_ptr_array_unref(notice);
	g_ptr_array_unref(reply);
	g_free(mail);
	g_free(agent);
}
END_TEST

/* An agent's format=flowed answer reaches the customer with its paragraphs as one line
 * each (RFC 3676: soft breaks joined, stuffing undone, DelSp honoured), never as short
 * hard-wrapped lines; quoted text below the answer is still left out. */
START_TEST(flowed_answer_not_hard_wrapped)
{
	char *agent = token(1, TOKEN_AGENT), *mail;
	GPtrArray *reply;
	struct parse_msg *back = NULL;
	const char *raw;

	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example",
				 CUSTOMER("c1", "Lamp broken", "My lamp is broken.")), 250);
	mail = g_strdup_printf(
	    "From: alice@example.com\nTo: %s\nMessage-ID: <f1@example.com>\n"
	    "Subject: Re: [#1] Lamp broken\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n\n"
	    "Hello Ann,\n\nA new lamp left our warehouse today and should reach you  \n"
	    "by Thursday; the tracking num \nber is 12345.\n\n From now on it is  \nstuffed.\n\n"
	    "Alice\n\nOn Monday Ann Buyer wrote:\n> My lamp is \n> broken.\n",
	    agent);
	ck_assert_int_eq(deliver(agent, "alice@example.com", mail), 250);
	reply = mails_to("ann@shop.example", 1, "reply");
	ck_assert_uint_eq(reply->len, 1);
	raw = g_ptr_array_index(reply, 0);
	ck_assert_ptr_null(strstr(raw, "format=flowed")); /* our text is plain: lines are lines */
	/* read back as a client would (the transfer encoding may soft-break long lines) */
	ck_assert_int_eq(parse_message(raw, strlen(raw), &back, NULL), 0);
	ck_assert_msg(strstr(back->body, "\nA new lamp left our warehouse today and should reach "
					 "you by Thursday; the tracking number is 12345.\n") != NULL,
		      "%s", back->body);
	ck_assert_msg(strstr(back->body, "\nFrom now on it is stuffed.\n") != NULL, "%s",
		      back->body);
	ck_assert_ptr_null(strstr(back->body, "My lamp is"));
	parse_msg_free(&back);
	g_ptr_array_unref(reply);
	g_free(mail);
	g_free(agent);
}
END_TEST

static Suite *notices_suite(void)
{
	Suite *s = suite_create("notices");
	TCase *tc = tcase_create("clients");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, notices_of_a_ticket_are_one_thread);
	tcase_add_test(tc, references_stay_short);
	tcase_add_test(tc, auto_response_suppress);
	tcase_add_test(tc, flowed_answer_not_hard_wrapped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(notices_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
