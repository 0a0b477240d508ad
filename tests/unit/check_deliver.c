/* Unit tests for the delivery pipeline (deliver/ + thread/ + compose/): what a
 * customer mail, an agent's mail and a bounce do to the store and the outbox, on a real
 * SQLite store with the shipped templates. The acknowledgement tests run twice: composed
 * in the delivery (postdesk deliver, fetchd) and held for notifyd (lmtpd: survey/acks.c),
 * with the same outcome. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/deliver.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"
#include "postdesk/survey.h"
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
static gboolean held; /* deliver as lmtpd does: new tickets' acknowledgements held */

static void setup(void)
{
	char *path, *text, *db, *key, *error = NULL;

	parse_init();
	tmpdir = g_dir_make_tmp("check_deliver-XXXXXX", NULL);
	path = g_build_filename(tmpdir, "pd.conf", NULL);
	db = test_database(tmpdir, "pd.db"); /* a SQLite file, or PostgreSQL's (PD_TEST_PG_URI) */
	text = g_strdup_printf("[postdesk]\ndatabase = %s\nkey_file = %s/pd.key\n"
			       "domain = example.com\ntemplate_dir = %s/../templates/en\n"
			       "autoreply_limit = 2\n"
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

static void setup_held(void)
{
	held = TRUE;
	setup();
}

static void teardown_held(void)
{
	teardown();
	held = FALSE;
}

/* notifyd's pass over the held acknowledgements; returns how many it took. */
static guint acks_run(void)
{
	char *error = NULL;
	guint done = 0;

	if (survey_acks_run(store, env.compose, conf, clock_now(), 0, &done, &error) < 0)
		ck_abort_msg("acks: %s", error);
	return done;
}

/* Deliver raw to rcpt with envelope sender, the acknowledgement held when `held`, and
 * then (run_acks) composed by notifyd's pass; returns the verdict's SMTP code. */
static int deliver_as(const char *rcpt, const char *sender, const char *raw, gboolean run_acks)
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
	d->acks_held = held;
	if (deliver_parse(d) == 0)
		deliver_run(d, store, &env);
	code = d->verdicts[0].smtp;
	deliver_free(&d);
	if (held && run_acks)
		acks_run();
	return code;
}

static int deliver(const char *rcpt, const char *sender, const char *raw)
{
	return deliver_as(rcpt, sender, raw, TRUE);
}

static guint outbox_count(const char *kind)
{
	GPtrArray *rows = NULL;
	guint i, n = 0;

	ck_assert_int_eq(store_outbox_list(store, NULL, 0, &rows, NULL), 0);
	for (i = 0; i < rows->len; i++)
		n += strcmp(((struct store_outbox *)g_ptr_array_index(rows, i))->kind, kind) == 0;
	g_ptr_array_unref(rows);
	return n;
}

/* The raw bytes of the newest outbox row of a kind (g_malloc'ed, NUL-terminated). */
static char *outbox_raw(const char *kind)
{
	GPtrArray *due = NULL;
	char *raw = NULL;
	guint i;

	ck_assert_int_eq(store_outbox_due(store, G_MAXINT64, 0, &due, NULL), 0);
	for (i = 0; i < due->len; i++) {
		struct store_outbox *o = g_ptr_array_index(due, i);
		gsize len;
		const char *data;
		if (strcmp(o->kind, kind) != 0)
			continue;
		g_free(raw);
		data = g_bytes_get_data(o->raw, &len);
		raw = g_strndup(data, len);
	}
	g_ptr_array_unref(due);
	ck_assert_msg(raw != NULL, "no outbox row of kind %s", kind);
	return raw;
}

#define CUSTOMER "From: Ann Buyer <ann@shop.example>\nTo: support@example.com\n" \
		 "Subject: Lamp broken\nMessage-ID: <c1@shop.example>\n\nMy lamp is broken.\n"

START_TEST(new_ticket_ack_and_notice)
{
	char *raw, *reply_to;

	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example", CUSTOMER), 250);
	ck_assert_uint_eq(outbox_count("ack"), 1);
	/* one notice per agent (alice, bob), each with a reply address bound to its agent */
	ck_assert_uint_eq(outbox_count("agent_notice"), 2);
	raw = outbox_raw("ack");
	ck_assert_ptr_nonnull(strstr(raw, "Subject: [#1] "));
	ck_assert_ptr_nonnull(strstr(raw, "Hello Ann Buyer,"));
	ck_assert_ptr_nonnull(strstr(raw, "In-Reply-To: <c1@shop.example>"));
	ck_assert_ptr_nonnull(strstr(raw, "References: <c1@shop.example>"));
	ck_assert_ptr_nonnull(strstr(raw, "Auto-Submitted: auto-replied"));
	ck_assert_ptr_nonnull(strstr(raw, "Reply-To: Support <support+1-c-"));
	ck_assert_ptr_nonnull(strstr(raw, "X-Postdesk-Loop: example.com"));
	g_free(raw);
	raw = outbox_raw("agent_notice");
	ck_assert_ptr_nonnull(strstr(raw, "From: Ann Buyer via Support <support@example.com>"));
	/* the last notice is bob's (agent 2): his own reply address, dated today */
	reply_to = g_strdup_printf("Reply-To: Support <support+1-a2.%" G_GINT64_FORMAT "-",
				   TOKEN_DAY(clock_now()));
	ck_assert_msg(strstr(raw, reply_to) != NULL, "%s", raw);
	ck_assert_ptr_nonnull(strstr(raw, "To: bob@example.com"));
	ck_assert_ptr_null(strstr(raw, "alice@example.com"));
	g_free(reply_to);
	ck_assert_ptr_nonnull(strstr(raw, COMPOSE_MARKER));
	ck_assert_ptr_nonnull(strstr(raw, "My lamp is broken."));
	g_free(raw);
}
END_TEST

/* Issue 12: the agents read a customer's new text; what the customer quoted (our
 * acknowledgement, an earlier notice's history) is one line saying where the whole is. */
START_TEST(notice_shows_new_text_only)
{
	char *raw;

	deliver("support@example.com", "ann@shop.example", CUSTOMER);
	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example",
				 "From: Ann Buyer <ann@shop.example>\nTo: support@example.com\n"
				 "Subject: Re: [#1] Lamp broken\nMessage-ID: <c3@shop.example>\n"
				 "In-Reply-To: <c1@shop.example>\n\n"
				 "Still broken after the reset, the cable is fine.\n\n"
				 "On Tue, 24 Nov 2026 at 10:00, Support <support@example.com> wrote:\n"
				 "> Hello Ann Buyer,\n>\n"
				 "> we received your message and opened ticket #1.\n"
				 "> Order history: 5 earlier orders\n"
				 "> Support\n"),
			 250);
	raw = outbox_raw("agent_notice");
	ck_assert_msg(strstr(raw, "Still broken after the reset, the cable is fine.") != NULL,
		      "%s", raw);
	ck_assert_msg(strstr(raw, "Order history") == NULL, "%s", raw);
	ck_assert_msg(strstr(raw, "wrote:") == NULL, "%s", raw);
	ck_assert_msg(strstr(raw, "[quoted text hidden: 6 lines - postdesk show 1 --full]") != NULL,
		      "%s", raw);
	g_free(raw);
	/* nothing quoted: no such line */
	deliver("support@example.com", "ann@shop.example",
		"From: ann@shop.example\nTo: support@example.com\nSubject: [#1] more\n"
		"Message-ID: <c4@shop.example>\nIn-Reply-To: <c1@shop.example>\n\nA photo follows.\n");
	raw = outbox_raw("agent_notice");
	ck_assert_ptr_nonnull(strstr(raw, "A photo follows."));
	ck_assert_ptr_null(strstr(raw, "quoted text hidden"));
	g_free(raw);
}
END_TEST

START_TEST(reply_gets_no_second_ack)
{
	deliver("support@example.com", "ann@shop.example", CUSTOMER);
	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example",
				 "From: ann@shop.example\nSubject: Re: Lamp broken\n"
				 "Message-ID: <c2@shop.example>\nIn-Reply-To: <c1@shop.example>\n\n"
				 "Any news?\n"),
			 250);
	ck_assert_uint_eq(outbox_count("ack"), 1);
	ck_assert_uint_eq(outbox_count("agent_notice"), 4); /* two mails, one per agent each */
}
END_TEST

/* Each RFC 3834 signal suppresses the acknowledgement, not the ticket. */
START_TEST(no_ack_to_automatic_mail)
{
	static const char *const headers[] = {
		"Auto-Submitted: auto-replied", "Precedence: bulk", "Precedence: list",
		"List-Id: <news.shop.example>", "List-Unsubscribe: <mailto:u@shop.example>",
		"X-Auto-Response-Suppress: All", "X-Postdesk-Loop: other.example",
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(headers); i++) {
		char *raw = g_strdup_printf("From: robot@shop.example\n%s\nSubject: s%u\n"
					    "Message-ID: <auto%u@shop.example>\n\nbody\n",
					    headers[i], i, i);
		ck_assert_int_eq(deliver("support@example.com", "robot@shop.example", raw), 250);
		g_free(raw);
	}
	ck_assert_uint_eq(outbox_count("ack"), 0);
	/* Null sender, MAILER-DAEMON, noreply, our own domain. */
	deliver("support@example.com", "", "From: x@shop.example\nMessage-ID: <n1@s>\n\nb\n");
	deliver("support@example.com", "MAILER-DAEMON@shop.example",
		"From: MAILER-DAEMON@shop.example\nMessage-ID: <n2@s>\n\nb\n");
	deliver("support@example.com", "no-reply@shop.example",
		"From: no-reply@shop.example\nMessage-ID: <n3@s>\n\nb\n");
	deliver("support@example.com", "support@example.com",
		"From: support@example.com\nMessage-ID: <n4@s>\n\nb\n");
	ck_assert_uint_eq(outbox_count("ack"), 0);
	/* Auto-Submitted: no is a person. */
	deliver("support@example.com", "ann@shop.example",
		"From: ann@shop.example\nAuto-Submitted: no\nMessage-ID: <p1@s>\n\nb\n");
	ck_assert_uint_eq(outbox_count("ack"), 1);
}
END_TEST

/* X-Auto-Response-Suppress asks for no acknowledgement, but people's mail carries it too
 * (Exchange, Outlook): a reply with it into a ticket is the customer's message (kind
 * customer, it reopens), not automatic mail that changes nothing. */
START_TEST(suppress_header_is_not_automatic)
{
	GPtrArray *msgs = NULL;
	struct store_ticket *t = NULL;
	char *ack, *id, *reply;
	gint64 row = 0, ticket = 0;

	deliver("support@example.com", "ann@shop.example",
		"From: ann@shop.example\nSubject: Lamp\nMessage-ID: <x1@shop.example>\n\nb\n");
	ack = outbox_raw("ack");
	id = strstr(ack, "\nMessage-I"); /* GMime writes Message-Id */
	ck_assert_ptr_nonnull(id);
	id = strchr(id, '<');
	ck_assert_ptr_nonnull(id);
	id = g_strndup(id + 1, strcspn(id + 1, ">"));
	ck_assert_int_eq(store_find_ticket_by_msgid(store, "x1@shop.example", &ticket, NULL), 1);
	ck_assert_int_eq(store_ticket_set_status(store, ticket, "resolved", 100, NULL), 0);
	reply = g_strdup_printf("From: ann@shop.example\nSubject: Re: Lamp\n"
				"X-Auto-Response-Suppress: All\nMessage-ID: <x2@shop.example>\n"
				"In-Reply-To: <%s>\n\nStill broken\n",
				id);
	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example", reply), 250);
	ck_assert_int_eq(store_message_find(store, "x2@shop.example", "support@example.com", &row,
					    &ticket, NULL),
			 1);
	ck_assert_int_eq(store_message_list(store, ticket, FALSE, &msgs, NULL), 0);
	ck_assert_str_eq(((struct store_message *)g_ptr_array_index(msgs, msgs->len - 1))->kind,
			 "customer");
	ck_assert_int_eq(store_ticket_get(store, ticket, &t, NULL), 1);
	ck_assert_str_eq(t->status, "open"); /* reopened */
	store_ticket_free(&t);
	g_ptr_array_unref(msgs);
	g_free(reply);
	g_free(id);
	g_free(ack);
}
END_TEST

START_TEST(ack_goes_to_envelope_sender)
{
	char *raw;

	deliver("support@example.com", "ann.private@mail.example",
		"From: Ann <ann@shop.example>\nReply-To: other@shop.example\n"
		"Message-ID: <e1@s>\nSubject: x\n\nb\n");
	raw = outbox_raw("ack");
	ck_assert_ptr_nonnull(strstr(raw, "To: Ann <ann.private@mail.example>"));
	g_free(raw);
}
END_TEST

START_TEST(rate_limit_per_sender_and_ticket)
{
	guint i;

	/* autoreply_limit = 2: a sender opening tickets is acknowledged per ticket, but a flood
	 * of new tickets from one sender is still one ack per ticket -- the limit is per
	 * (sender, ticket); here it is exercised by a ticket that gets acked twice. */
	for (i = 0; i < 3; i++) {
		char *raw = g_strdup_printf("From: ann@shop.example\nMessage-ID: <r%u@s>\n"
					    "Subject: new %u\n\nb\n", i, i);
		deliver("support@example.com", "ann@shop.example", raw);
		g_free(raw);
	}
	ck_assert_uint_eq(outbox_count("ack"), 3);
	ck_assert_int_eq(compose_autoreply_rate_ok(store, conf, "ann@shop.example", 1, clock_now(),
						  NULL), 1);
	ck_assert_int_eq(store_autoreply_add(store, "ann@shop.example", 1, clock_now(), NULL), 0);
	ck_assert_int_eq(compose_autoreply_rate_ok(store, conf, "ann@shop.example", 1, clock_now(),
						  NULL), 0);
}
END_TEST

static guint held_count(void)
{
	GPtrArray *rows = NULL;
	guint n;

	ck_assert_int_eq(store_ack_held(store, 100, &rows, NULL), 0);
	n = rows->len;
	g_ptr_array_unref(rows);
	return n;
}

static const char *ticket_lang(gint64 id)
{
	static char lang[8];
	struct store_ticket *t = NULL;

	ck_assert_int_eq(store_ticket_get(store, id, &t, NULL), 1);
	g_strlcpy(lang, t->lang, sizeof(lang));
	store_ticket_free(&t);
	return lang;
}

/* lmtpd's way (issue 13): the 250 comes with the ticket and its agent notices stored and
 * the acknowledgement held; notifyd's pass decides the language (here the detector's: the
 * queue says English) and queues the acknowledgement, once, whoever else runs. */
START_TEST(held_ack_waits_for_notifyd)
{
	const struct store_held_ack *h;
	GPtrArray *rows = NULL;
	char *error = NULL;

	held = TRUE;
	ck_assert_int_eq(
	    deliver_as("support@example.com", "kunde@shop.example",
		       "From: Klara Kunde <kunde@shop.example>\nSubject: Paket nicht angekommen\n"
		       "Message-ID: <h1@shop.example>\n\nGuten Tag, meine Bestellung ist noch "
		       "nicht angekommen. Können Sie mir bitte sagen, wann das Paket geliefert "
		       "wird? Vielen Dank und freundliche Grüße\n",
		       FALSE),
	    250);
	ck_assert_uint_eq(outbox_count("ack"), 0);
	ck_assert_uint_eq(outbox_count("agent_notice"), 2);
	ck_assert_uint_eq(held_count(), 1);
	ck_assert_str_ne(ticket_lang(1), "de");
	ck_assert_uint_eq(acks_run(), 1);
	ck_assert_uint_eq(outbox_count("ack"), 1);
	ck_assert_str_eq(ticket_lang(1), "de");
	ck_assert_uint_eq(held_count(), 0);
	ck_assert_uint_eq(acks_run(), 0);
	ck_assert_uint_eq(outbox_count("ack"), 1);
	/* another runner took the next one first (two notifyds): this one queues nothing */
	deliver_as("support@example.com", "ann@shop.example", CUSTOMER, FALSE);
	ck_assert_int_eq(store_ack_held(store, 10, &rows, &error), 0);
	ck_assert_uint_eq(rows->len, 1);
	h = g_ptr_array_index(rows, 0);
	ck_assert_int_eq(h->ticket_id, 2);
	ck_assert_str_eq(h->sender, "ann@shop.example");
	ck_assert_int_eq(store_begin(store, &error), 0);
	ck_assert_int_eq(store_ack_take(store, h->message_row, &error), 1);
	ck_assert_int_eq(store_ack_take(store, h->message_row, &error), 0);
	g_ptr_array_unref(rows);
	ck_assert_int_eq(store_commit(store, &error), 0);
	ck_assert_uint_eq(acks_run(), 0);
	ck_assert_uint_eq(outbox_count("ack"), 1);
	held = FALSE;
}
END_TEST

/* A robot opening 25 tickets at once, all held: notifyd's pass counts each acknowledgement
 * before composing the next, so the sender gets autoreply_limit (2) x 10, not 25. */
START_TEST(held_burst_is_rate_limited)
{
	held = TRUE;
	for (guint i = 0; i < 25; i++) {
		char *raw = g_strdup_printf("From: form@shop.example\nMessage-ID: <b%u@s>\n"
					    "Subject: form %u\n\nb\n", i, i);
		ck_assert_int_eq(deliver_as("support@example.com", "form@shop.example", raw, FALSE),
				 250);
		g_free(raw);
	}
	ck_assert_uint_eq(held_count(), 25);
	ck_assert_uint_eq(acks_run(), 25);
	ck_assert_uint_eq(outbox_count("ack"), 20);
	held = FALSE;
}
END_TEST

static char *agent_token(gint64 ticket, enum token_role role)
{
	/* Issued today to alice, agent 1 (setup adds her first). */
	struct token t = {.id = ticket, .role = role, .score = -1, .agent = 1,
			  .issued = TOKEN_DAY(clock_now())};
	char *addr = NULL;

	ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &addr, NULL), 0);
	return addr;
}

START_TEST(agent_reply_reaches_customer)
{
	char *tok = agent_token(1, TOKEN_AGENT), *raw, *mail;
	struct store_ticket *t = NULL;

	deliver("support@example.com", "ann@shop.example", CUSTOMER);
	mail = g_strdup_printf("From: Alice Agent <alice@example.com>\nTo: %s\n"
			       "Subject: Re: [#1] Lamp broken\nMessage-ID: <a1@example.com>\n\n"
			       "#status pending\n#priority high\nA new lamp is on its way.\n\n"
			       "On Tue, 24 Nov 2026 at 10:00, Ann via Support <support@example.com> "
			       "wrote:\n> %s\n> My lamp is broken.\n",
			       tok, COMPOSE_MARKER);
	ck_assert_int_eq(deliver(tok, "alice@example.com", mail), 250);
	raw = outbox_raw("reply");
	ck_assert_ptr_nonnull(strstr(raw, "A new lamp is on its way."));
	ck_assert_ptr_null(strstr(raw, "#status"));
	ck_assert_ptr_null(strstr(raw, "My lamp is broken"));
	ck_assert_ptr_nonnull(strstr(raw, "To: Ann Buyer <ann@shop.example>"));
	ck_assert_ptr_nonnull(strstr(raw, "In-Reply-To: <c1@shop.example>"));
	ck_assert_ptr_nonnull(strstr(raw, "\"Alice Agent (Support)\" <support@example.com>"));
	ck_assert_int_eq(store_ticket_get(store, 1, &t, NULL), 1);
	ck_assert_str_eq(t->status, "pending");
	ck_assert_str_eq(t->priority, "high");
	store_ticket_free(&t);
	g_free(raw);
	g_free(mail);
	g_free(tok);
}
END_TEST

START_TEST(forged_agent_refused)
{
	char *tok = agent_token(1, TOKEN_AGENT), *mail;

	deliver("support@example.com", "ann@shop.example", CUSTOMER);
	mail = g_strdup_printf("From: Alice Agent <mallory@evil.example>\nTo: %s\n"
			       "Message-ID: <f1@evil.example>\n\nRefund approved.\n", tok);
	ck_assert_int_eq(deliver(tok, "alice@example.com", mail), 550);
	ck_assert_uint_eq(outbox_count("reply"), 0);
	g_free(mail);
	g_free(tok);
}
END_TEST

START_TEST(note_never_to_customer)
{
	char *tok = agent_token(1, TOKEN_AGENT), *mail, *raw;

	deliver("support@example.com", "ann@shop.example", CUSTOMER);
	mail = g_strdup_printf("From: alice@example.com\nTo: %s\nMessage-ID: <n1@example.com>\n\n"
			       "#note\nCustomer is a VIP, be nice.\n", tok);
	ck_assert_int_eq(deliver(tok, "alice@example.com", mail), 250);
	ck_assert_uint_eq(outbox_count("reply"), 0);
	ck_assert_uint_eq(outbox_count("note"), 1);
	raw = outbox_raw("note");
	ck_assert_ptr_nonnull(strstr(raw, "To: bob@example.com"));
	ck_assert_ptr_null(strstr(raw, "ann@shop.example\r\nCc"));
	ck_assert_ptr_nonnull(strstr(raw, "Customer is a VIP"));
	g_free(raw);
	g_free(mail);
	g_free(tok);
}
END_TEST

START_TEST(mistyped_command_holds_everything)
{
	char *tok = agent_token(1, TOKEN_AGENT), *mail, *raw;
	struct store_ticket *t = NULL;

	deliver("support@example.com", "ann@shop.example", CUSTOMER);
	mail = g_strdup_printf("From: alice@example.com\nTo: %s\nMessage-ID: <m1@example.com>\n\n"
			       "#ntoe\n#status resolved\nInternal: this customer is difficult.\n",
			       tok);
	ck_assert_int_eq(deliver(tok, "alice@example.com", mail), 250);
	ck_assert_uint_eq(outbox_count("reply"), 0);
	ck_assert_uint_eq(outbox_count("command_error"), 1);
	raw = outbox_raw("command_error");
	ck_assert_ptr_nonnull(strstr(raw, "#ntoe"));
	ck_assert_ptr_nonnull(strstr(raw, "To: alice@example.com"));
	ck_assert_int_eq(store_ticket_get(store, 1, &t, NULL), 1);
	ck_assert_str_eq(t->status, "new"); /* #status was not applied either */
	store_ticket_free(&t);
	g_free(raw);
	g_free(mail);
	g_free(tok);
}
END_TEST

START_TEST(agent_out_of_office_is_held)
{
	char *tok = agent_token(1, TOKEN_AGENT), *mail;

	deliver("support@example.com", "ann@shop.example", CUSTOMER);
	mail = g_strdup_printf("From: alice@example.com\nTo: %s\nAuto-Submitted: auto-replied\n"
			       "Message-ID: <o1@example.com>\n\nI am on holiday.\n", tok);
	ck_assert_int_eq(deliver(tok, "alice@example.com", mail), 250);
	ck_assert_uint_eq(outbox_count("reply"), 0);
	g_free(mail);
	g_free(tok);
}
END_TEST

START_TEST(bounce_recorded_not_ticketed)
{
	struct token t = {.id = 1, .role = TOKEN_BOUNCE, .score = -1};
	struct store_customer *c = NULL;
	char *bounce = NULL, *dsn;
	GPtrArray *tickets = NULL;

	deliver("support@example.com", "ann@shop.example", CUSTOMER); /* outbox 1 = the ack */
	ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &bounce, NULL), 0);
	dsn = g_strdup_printf(
	    "From: MAILER-DAEMON@mx.shop.example\nTo: %s\nSubject: Undelivered Mail\n"
	    "Message-ID: <dsn1@mx.shop.example>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nYour mail could not be delivered.\n"
	    "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.shop.example\n\n"
	    "Final-Recipient: rfc822; ann@shop.example\nAction: failed\nStatus: 5.1.1\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 no such user\n\n--b--\n",
	    bounce);
	ck_assert_int_eq(deliver(bounce, "", dsn), 250);
	ck_assert_int_eq(store_ticket_list(store, NULL, &tickets, NULL), 0);
	ck_assert_uint_eq(tickets->len, 1);
	ck_assert_int_eq(store_customer_get(store, "ann@shop.example", &c, NULL), 1);
	ck_assert(c->bounced);
	ck_assert_uint_eq(outbox_count("bounce_notice"), 2); /* one per agent */
	/* A bounced address gets no more acknowledgements. */
	deliver("support@example.com", "ann@shop.example",
		"From: ann@shop.example\nMessage-ID: <later@s>\nSubject: new one\n\nb\n");
	ck_assert_uint_eq(outbox_count("ack"), 1);
	store_customer_free(&c);
	g_ptr_array_unref(tickets);
	g_free(dsn);
	g_free(bounce);
}
END_TEST

/* Item 3 of issue 11: a per-recipient bounce address flags only its own recipient,
 * whatever address the report names. Row 4 is bob's acknowledgement (rows 1-3: ann's and
 * the two agents' notices); bob "reports" ann. */
START_TEST(verp_bounce_flags_only_its_recipient)
{
	struct token t = {.id = 4, .role = TOKEN_BOUNCE, .score = -1, .rcpt = 1};
	struct store_customer *c = NULL;
	char *bounce = NULL, *dsn;

	deliver("support@example.com", "ann@shop.example", CUSTOMER); /* outbox 1: ann's ack */
	deliver("support@example.com", "bob@shop.example",
		"From: bob@shop.example\nMessage-ID: <b1@s>\nSubject: hello\n\nb\n");
	ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &bounce, NULL), 0);
	ck_assert_ptr_nonnull(strstr(bounce, "+b4.1-"));
	dsn = g_strdup_printf(
	    "From: bob@shop.example\nTo: %s\nMessage-ID: <forged2@shop.example>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nx\n"
	    "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n"
	    "Final-Recipient: rfc822; ann@shop.example\nAction: failed\nStatus: 5.1.1\n\n--b--\n",
	    bounce);
	ck_assert_int_eq(deliver(bounce, "", dsn), 250);
	ck_assert_int_eq(store_customer_get(store, "ann@shop.example", &c, NULL), 1);
	ck_assert(!c->bounced);
	store_customer_free(&c);
	ck_assert_int_eq(store_customer_get(store, "bob@shop.example", &c, NULL), 1);
	ck_assert(c->bounced);
	store_customer_free(&c);
	g_free(dsn);
	g_free(bounce);
	/* An index past the row's recipients flags nobody. */
	t.rcpt = 2;
	ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &bounce, NULL), 0);
	dsn = g_strdup_printf("From: x@y\nTo: %s\nMessage-ID: <f3@s>\n\nfailed\n", bounce);
	ck_assert_int_eq(deliver(bounce, "", dsn), 250);
	g_free(dsn);
	g_free(bounce);
}
END_TEST

/* Issue 11 item 5: an agent token works for the agent it was issued to only. */
START_TEST(agent_token_bound_to_agent)
{
	char *tok = agent_token(1, TOKEN_AGENT), *mail;

	deliver("support@example.com", "ann@shop.example", CUSTOMER);
	mail = g_strdup_printf("From: bob@example.com\nTo: %s\nMessage-ID: <bob1@x>\n"
			       "Subject: Re\n\nHi from bob\n", tok);
	ck_assert_int_eq(deliver(tok, "bob@example.com", mail), 550); /* alice's token */
	g_free(mail);
	g_free(tok);
}
END_TEST

/* Issue 11 item 5: agent and note tokens expire after agent_token_lifetime (30 days by
 * default) counted from their day of issue; the old undated form is refused; customer
 * tokens never expire. Checked at RCPT (no database). */
START_TEST(agent_token_expires_at_rcpt)
{
	const gint64 now = 1800000000, today = TOKEN_DAY(now);
	const struct {
		enum token_role role;
		gint64 issued;
		int code;
	} cases[] = {
		{TOKEN_AGENT, today, 250},	   {TOKEN_AGENT, today - 30, 250},
		{TOKEN_AGENT, today - 31, 550}, {TOKEN_NOTE, today - 31, 550},
		{TOKEN_AGENT, 0, 550},		   {TOKEN_CUSTOMER, 0, 250},
	};

	clock_set_fixed(now);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct token t = {.id = 1, .role = cases[i].role, .score = -1,
				  .agent = cases[i].issued != 0 ? 1 : 0, .issued = cases[i].issued};
		struct deliver_rcpt r;
		struct verdict v;
		char *addr = NULL;

		ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &addr, NULL), 0);
		deliver_rcpt_resolve(conf, keys, addr, &r, &v);
		ck_assert_msg(v.smtp == cases[i].code, "%s: %d %s", addr, v.smtp, v.text);
		if (v.smtp == 550)
			ck_assert_msg(strstr(v.text, "reply address expired; reply to the latest "
						     "notice of ticket 1") != NULL, "%s", v.text);
		deliver_rcpt_clear(&r);
		g_free(addr);
	}
	clock_set_fixed(0);
}
END_TEST

START_TEST(reused_message_id_is_not_a_duplicate)
{
	const char *other = "From: bob@shop.example\nTo: support@example.com\nSubject: Other\n"
			    "Message-ID: <c1@shop.example>\n\nA different message, same id.\n";
	gint64 count = 0;

	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example", CUSTOMER), 250);
	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example", CUSTOMER), 250);
	ck_assert_int_eq(deliver("support@example.com", "bob@shop.example", other), 250);
	ck_assert_int_eq(deliver("support@example.com", "bob@shop.example", other), 250);
	ck_assert_int_eq(store_message_count(store, &count, NULL), 0);
	/* two inbound messages (the redeliveries stored nothing) + one ack each */
	ck_assert_int_eq(count, 4);
}
END_TEST

/* A report naming an address we never sent that mail to flags nobody. */
START_TEST(forged_bounce_flags_nobody)
{
	struct token t = {.id = 1, .role = TOKEN_BOUNCE, .score = -1};
	struct store_customer *c = NULL;
	char *bounce = NULL, *dsn;

	deliver("support@example.com", "ann@shop.example", CUSTOMER); /* outbox 1: the ack */
	deliver("support@example.com", "bob@shop.example",
		"From: bob@shop.example\nMessage-ID: <b1@s>\nSubject: hello\n\nb\n");
	ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &bounce, NULL), 0);
	dsn = g_strdup_printf(
	    "From: ann@shop.example\nTo: %s\nMessage-ID: <forged@shop.example>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nx\n"
	    "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n"
	    "Final-Recipient: rfc822; bob@shop.example\nAction: failed\nStatus: 5.1.1\n\n--b--\n",
	    bounce);
	ck_assert_int_eq(deliver(bounce, "", dsn), 250);
	ck_assert_int_eq(store_customer_get(store, "bob@shop.example", &c, NULL), 1);
	ck_assert(!c->bounced);
	store_customer_free(&c);
	g_free(dsn);
	g_free(bounce);
}
END_TEST

/* A participant whose address we cannot send to is left off the copy; the answer goes. */
START_TEST(unusable_cc_does_not_block_reply)
{
	char *tok = agent_token(1, TOKEN_AGENT), *mail, *raw;

	ck_assert_int_eq(deliver("support@example.com", "ann@shop.example",
				 "From: Ann <ann@shop.example>\nCc: \"john doe\"@x.example\n"
				 "Message-ID: <q1@shop.example>\nSubject: s\n\nbody\n"),
			 250);
	mail = g_strdup_printf("From: alice@example.com\nTo: %s\nMessage-ID: <q2@example.com>\n\n"
			       "Here is your answer.\n", tok);
	ck_assert_int_eq(deliver(tok, "alice@example.com", mail), 250);
	raw = outbox_raw("reply");
	ck_assert_ptr_nonnull(strstr(raw, "To: Ann <ann@shop.example>"));
	ck_assert_ptr_null(strstr(raw, "john doe"));
	g_free(raw);
	g_free(mail);
	g_free(tok);
}
END_TEST

START_TEST(commands_parse)
{
	struct thread_agent_mail *am = NULL;

	thread_agent_parse("#note\n\n#status Resolved\n#assign me\n#priority urgent\n#tag VIP\n"
			   "Hello\n#not a command here\n", &am);
	ck_assert(am->note);
	ck_assert_uint_eq(am->cmds->len, 4);
	ck_assert_uint_eq(am->errors->len, 0);
	ck_assert_str_eq(am->text, "Hello\n#not a command here");
	ck_assert_str_eq(g_array_index(am->cmds, struct thread_cmd, 0).arg, "resolved");
	thread_agent_mail_free(&am);
	thread_agent_parse("#status finished\n#assign not-an-address\n#frobnicate\nText\n", &am);
	ck_assert_uint_eq(am->errors->len, 3);
	thread_agent_mail_free(&am);
	/* "# note" is a mistyped #note: held as an error, never text for the customer */
	thread_agent_parse("# note\nShe is difficult.\n", &am);
	ck_assert_uint_eq(am->errors->len, 1);
	thread_agent_mail_free(&am);
}
END_TEST

static Suite *ingest_suite(void)
{
	Suite *s = suite_create("ingest");
	TCase *tc = tcase_create("pipeline");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, new_ticket_ack_and_notice);
	tcase_add_test(tc, notice_shows_new_text_only);
	tcase_add_test(tc, reply_gets_no_second_ack);
	tcase_add_test(tc, no_ack_to_automatic_mail);
	tcase_add_test(tc, suppress_header_is_not_automatic);
	tcase_add_test(tc, ack_goes_to_envelope_sender);
	tcase_add_test(tc, rate_limit_per_sender_and_ticket);
	tcase_add_test(tc, agent_reply_reaches_customer);
	tcase_add_test(tc, forged_agent_refused);
	tcase_add_test(tc, note_never_to_customer);
	tcase_add_test(tc, mistyped_command_holds_everything);
	tcase_add_test(tc, agent_out_of_office_is_held);
	tcase_add_test(tc, bounce_recorded_not_ticketed);
	tcase_add_test(tc, reused_message_id_is_not_a_duplicate);
	tcase_add_test(tc, forged_bounce_flags_nobody);
	tcase_add_test(tc, verp_bounce_flags_only_its_recipient);
	tcase_add_test(tc, agent_token_bound_to_agent);
	tcase_add_test(tc, agent_token_expires_at_rcpt);
	tcase_add_test(tc, unusable_cc_does_not_block_reply);
	tcase_add_test(tc, commands_parse);
	tcase_add_test(tc, held_ack_waits_for_notifyd);
	tcase_add_test(tc, held_burst_is_rate_limited);
	suite_add_tcase(s, tc);
	/* the acknowledgement's rules again, with lmtpd's held acknowledgements */
	tc = tcase_create("held");
	tcase_add_checked_fixture(tc, setup_held, teardown_held);
	tcase_add_test(tc, new_ticket_ack_and_notice);
	tcase_add_test(tc, reply_gets_no_second_ack);
	tcase_add_test(tc, no_ack_to_automatic_mail);
	tcase_add_test(tc, suppress_header_is_not_automatic);
	tcase_add_test(tc, ack_goes_to_envelope_sender);
	tcase_add_test(tc, rate_limit_per_sender_and_ticket);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ingest_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
