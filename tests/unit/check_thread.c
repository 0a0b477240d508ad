/* Unit tests for thread/: each threading rule and its negative case, the trust verdict of
 * each (doc/security.md), the closed-ticket policies, the participant cap and idempotent
 * redelivery, on a real SQLite store and real parsing. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/deliver.h"
#include "postdesk/lib.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"
#include "postdesk/thread.h"
#include "postdesk/token.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>
#include "testutil.h"

static char *tmpdir;
static char *dbvalue; /* a SQLite file, or PostgreSQL's (PD_TEST_PG_URI) */
static struct conf *conf;
static struct store *store;
static struct token_keys *keys;

static void write_conf_extra(const char *policy, const char *extra)
{
	char *path = g_build_filename(tmpdir, "postdesk.conf", NULL);
	char *text = g_strdup_printf("[postdesk]\n"
				     "database = %s\n"
				     "key_file = %s/pd.key\n"
				     "domain = example.com\n"
				     "closed_policy = %s\n"
				     "%s"
				     "[queue support]\n"
				     "address = support@example.com\n",
				     dbvalue, tmpdir, policy, extra);
	char *error = NULL;

	ck_assert(g_file_set_contents(path, text, -1, NULL));
	conf_free(&conf);
	if (conf_load(path, &conf, &error) < 0)
		ck_abort_msg("conf: %s", error);
	g_free(text);
	g_free(path);
}

static void write_conf(const char *policy)
{
	write_conf_extra(policy, "");
}

static void setup(void)
{
	char *error = NULL;
	char *db, *key;

	parse_init();
	tmpdir = g_dir_make_tmp("check_thread-XXXXXX", NULL);
	dbvalue = test_database(tmpdir, "pd.db");
	write_conf("reopen");
	db = g_strdup(dbvalue);
	key = g_build_filename(tmpdir, "pd.key", NULL);
	if (store_open(db, STORE_CREATE, 1000, &store, &error) < 0)
		ck_abort_msg("store: %s", error);
	if (token_keys_create(key, FALSE, &error) < 0 ||
	    token_keys_load(key, &keys, &error) < 0)
		ck_abort_msg("keys: %s", error);
	g_free(db);
	g_free(key);
}

static void teardown(void)
{
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);

	store_close(&store);
	token_keys_free(&keys);
	conf_free(&conf);
	ck_assert_int_eq(system(cmd), 0);
	g_free(cmd);
	g_free(tmpdir);
	g_free(dbvalue);
}

/* Deliver a message built from headers + body to rcpt; returns the ticket, fills *res. */
static gint64 deliver_to(const char *rcpt, const char *headers, struct thread_result *res)
{
	char *raw = g_strdup_printf("%s\n\nHello, this is the body.\n", headers);
	struct parse_msg *msg = NULL;
	struct thread_result local;
	struct deliver_rcpt r;
	struct verdict v;
	gboolean permanent;
	char *error = NULL;
	struct thread_input in = {0};

	if (res == NULL)
		res = &local;
	deliver_rcpt_resolve(conf, keys, rcpt, &r, &v);
	ck_assert_msg(v.status == VERDICT_OK, "rcpt %s: %s", rcpt, v.text);
	ck_assert_int_eq(parse_message(raw, strlen(raw), &msg, &error), 0);
	in.msg = msg;
	in.raw = raw;
	in.raw_len = strlen(raw);
	in.rcpt = r.addr;
	in.env_sender = msg->from.addr;
	in.queue = r.queue;
	in.token = r.has_token ? &r.token : NULL;
	ck_assert_int_eq(store_begin(store, &error), 0);
	if (thread_deliver(store, conf, &in, 1700000000, res, &permanent, &error) < 0)
		ck_abort_msg("thread_deliver: %s", error);
	ck_assert_int_eq(store_commit(store, &error), 0);
	parse_msg_free(&msg);
	deliver_rcpt_clear(&r);
	g_free(raw);
	return res->ticket_id;
}

static gint64 ticket_count(void)
{
	GPtrArray *list = NULL;
	gint64 n;

	ck_assert_int_eq(store_ticket_list(store, NULL, &list, NULL), 0);
	n = list->len;
	g_ptr_array_unref(list);
	return n;
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

#define FIRST "From: Ann Buyer <ann@shop.example>\nTo: support@example.com\n" \
	      "Cc: Bob <bob@shop.example>\nSubject: Where is my order?\n" \
	      "Message-ID: <first@shop.example>"

START_TEST(new_message_opens_ticket)
{
	struct thread_result r;
	struct store_ticket *t = NULL;

	ck_assert_int_eq(deliver_to("support@example.com", FIRST, &r), 1);
	ck_assert(r.new_ticket);
	ck_assert_int_eq(r.rule, THREAD_RULE_NEW);
	ck_assert_int_eq(store_ticket_get(store, 1, &t, NULL), 1);
	ck_assert_str_eq(t->requester, "ann@shop.example");
	ck_assert_str_eq(t->requester_name, "Ann Buyer");
	ck_assert_str_eq(t->subject, "Where is my order?");
	ck_assert_str_eq(t->queue, "support");
	ck_assert_str_eq(t->status, "new");
	ck_assert_int_eq(t->message_count, 1);
	ck_assert_int_eq(store_is_participant(store, 1, "bob@shop.example", NULL), 1);
	ck_assert_int_eq(store_is_participant(store, 1, "support@example.com", NULL), 0);
	store_ticket_free(&t);
}
END_TEST

START_TEST(in_reply_to_threads)
{
	struct thread_result r;

	deliver_to("support@example.com", FIRST, NULL);
	deliver_to("support@example.com",
		   "From: ann@shop.example\nTo: support@example.com\nSubject: AW: Where?\n"
		   "Message-ID: <second@shop.example>\nIn-Reply-To: <first@shop.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.rule, THREAD_RULE_MESSAGE_ID);
	ck_assert_int_eq(ticket_count(), 1);
}
END_TEST

START_TEST(references_only_threads)
{
	struct thread_result r;

	deliver_to("support@example.com", FIRST, NULL);
	/* Outlook style: no In-Reply-To, References with an unknown id last. */
	deliver_to("support@example.com",
		   "From: ann@shop.example\nTo: support@example.com\nSubject: SV: Where?\n"
		   "Message-ID: <third@shop.example>\n"
		   "References: <first@shop.example> <unknown@elsewhere.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.rule, THREAD_RULE_MESSAGE_ID);
}
END_TEST

/* Issue 11, item 2: a Message-ID that was not ours-sent-to-her threads Carol's mail (kept
 * in the ticket, unverified) but no longer makes her a participant. */
START_TEST(cc_reply_threads_and_joins)
{
	struct thread_result r;

	deliver_to("support@example.com", FIRST, NULL);
	deliver_to("support@example.com",
		   "From: Carol <carol@other.example>\nTo: support@example.com\n"
		   "Subject: Re: Where is my order?\nMessage-ID: <c1@other.example>\n"
		   "In-Reply-To: <first@shop.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.trust, THREAD_TRUST_UNVERIFIED);
	ck_assert_int_eq(store_is_participant(store, 1, "carol@other.example", NULL), 0);
}
END_TEST

START_TEST(unknown_reference_opens_new)
{
	struct thread_result r;

	deliver_to("support@example.com", FIRST, NULL);
	deliver_to("support@example.com",
		   "From: ann@shop.example\nTo: support@example.com\nSubject: Re: old thing\n"
		   "Message-ID: <x@shop.example>\nIn-Reply-To: <never-seen@shop.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 2);
	ck_assert_int_eq(r.rule, THREAD_RULE_NEW);
}
END_TEST

START_TEST(subject_tag_from_participant)
{
	struct thread_result r;

	deliver_to("support@example.com", FIRST, NULL);
	deliver_to("support@example.com",
		   "From: Bob <bob@shop.example>\nTo: support@example.com\n"
		   "Subject: =?UTF-8?Q?Re=3A_=5B=231=5D_Bestellung_=C3=BCberf=C3=A4llig?=\n"
		   "Message-ID: <tag@shop.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.rule, THREAD_RULE_SUBJECT_TAG);
}
END_TEST

START_TEST(subject_tag_from_stranger)
{
	struct thread_result r;

	deliver_to("support@example.com", FIRST, NULL);
	deliver_to("support@example.com",
		   "From: mallory@evil.example\nTo: support@example.com\n"
		   "Subject: Re: [#1] give me the data\nMessage-ID: <m@evil.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 2);
	ck_assert_int_eq(r.rule, THREAD_RULE_NEW);
	ck_assert_int_eq(store_is_participant(store, 1, "mallory@evil.example", NULL), 0);
}
END_TEST

START_TEST(token_threads)
{
	struct token t = {.id = 1, .role = TOKEN_CUSTOMER, .score = -1};
	struct thread_result r;
	char *addr = NULL;

	deliver_to("support@example.com", FIRST, NULL);
	ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &addr, NULL), 0);
	/* No references, no tag, different subject: only the token can thread it. */
	deliver_to(addr,
		   "From: ann.private@mail.example\nTo: whatever@example.com\n"
		   "Subject: one more thing\nMessage-ID: <tok@mail.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.rule, THREAD_RULE_TOKEN);
	g_free(addr);
}
END_TEST

START_TEST(token_for_missing_ticket)
{
	struct token t = {.id = 99, .role = TOKEN_CUSTOMER, .score = -1};
	struct deliver_rcpt rc;
	struct verdict v;
	struct parse_msg *msg = NULL;
	struct thread_result r;
	struct thread_input in = {0};
	const char *raw = "From: a@b.example\nSubject: x\nMessage-ID: <q@b>\n\nbody\n";
	gboolean permanent = FALSE;
	char *addr = NULL, *error = NULL;

	ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &addr, NULL), 0);
	deliver_rcpt_resolve(conf, keys, addr, &rc, &v);
	ck_assert_int_eq(v.status, VERDICT_OK);
	ck_assert_int_eq(parse_message(raw, strlen(raw), &msg, NULL), 0);
	in.msg = msg;
	in.raw = raw;
	in.raw_len = strlen(raw);
	in.rcpt = rc.addr;
	in.env_sender = "";
	in.queue = rc.queue;
	in.token = &rc.token;
	ck_assert_int_eq(store_begin(store, NULL), 0);
	ck_assert_int_eq(thread_deliver(store, conf, &in, 1, &r, &permanent, &error), -1);
	ck_assert(permanent);
	store_rollback(store);
	ck_assert_int_eq(ticket_count(), 0);
	g_free(error);
	g_free(addr);
	deliver_rcpt_clear(&rc);
	parse_msg_free(&msg);
}
END_TEST

START_TEST(duplicate_is_stored_once)
{
	struct thread_result r;
	gint64 count;

	deliver_to("support@example.com", FIRST, NULL);
	deliver_to("support@example.com", FIRST, &r);
	ck_assert(r.duplicate);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(ticket_count(), 1);
	ck_assert_int_eq(store_message_count(store, &count, NULL), 0);
	ck_assert_int_eq(count, 1);
}
END_TEST

START_TEST(copy_to_second_queue_address_folds_in)
{
	struct thread_result r;

	deliver_to("support@example.com", FIRST, NULL);
	/* The same message, delivered again for a plus-address of the same queue: not a
	 * duplicate (other recipient), but its own Message-ID is already in ticket 1. */
	deliver_to("support+web@example.com", FIRST, &r);
	ck_assert(!r.duplicate);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(ticket_count(), 1);
}
END_TEST

static void set_status(gint64 id, const char *status)
{
	ck_assert_int_eq(store_begin(store, NULL), 0);
	ck_assert_int_eq(store_ticket_set_status(store, id, status, 1, NULL), 0);
	ck_assert_int_eq(store_commit(store, NULL), 0);
}

/* Mail we sent (an agent's answer, as compose/ stores it): the message row names its main
 * recipient, its outbox row all of them (NULL-terminated). */
static void our_mail(gint64 ticket, const char *message_id, const char *const *rcpts)
{
	struct store_message m = {0};
	gint64 row = 0, outbox = 0;
	char *error = NULL;

	m.ticket_id = ticket;
	m.direction = (char *)"out";
	m.kind = (char *)"agent";
	m.message_id = (char *)message_id;
	m.rcpt = (char *)rcpts[0];
	m.from_addr = (char *)"support@example.com";
	m.subject = (char *)"Re: Where is my order?";
	m.body = (char *)"It is on its way.";
	m.raw = g_bytes_new_static("x", 1);
	ck_assert_int_eq(store_begin(store, &error), 0);
	ck_assert_int_eq(store_message_insert(store, &m, 1700000000, &row, &error), 0);
	ck_assert_int_eq(store_outbox_add_stored(store, ticket, "reply", rcpts, message_id, row,
						 1700000000, &outbox, &error),
			 0);
	ck_assert_int_eq(store_commit(store, &error), 0);
	g_bytes_unref(m.raw);
}

static const char *const TO_ANN_AND_BOB[] = {"ann@shop.example", "bob@shop.example", NULL};

/* Ann answers our mail to her (In-Reply-To our Message-ID): verified. */
#define REPLY                                                                                      \
	"From: ann@shop.example\nTo: support@example.com\nSubject: Re: Where\n"                    \
	"Message-ID: <again@shop.example>\nIn-Reply-To: <ours-1@example.com>"

START_TEST(resolved_reopens)
{
	struct thread_result r;
	char *s;

	deliver_to("support@example.com", FIRST, NULL);
	our_mail(1, "ours-1@example.com", TO_ANN_AND_BOB);
	set_status(1, "resolved");
	deliver_to("support@example.com", REPLY, &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert(r.reopened);
	s = ticket_status(1);
	ck_assert_str_eq(s, "open");
	g_free(s);
}
END_TEST

START_TEST(closed_policy_reopen)
{
	struct thread_result r;
	char *s;

	deliver_to("support@example.com", FIRST, NULL);
	our_mail(1, "ours-1@example.com", TO_ANN_AND_BOB);
	set_status(1, "closed");
	deliver_to("support@example.com", REPLY, &r);
	ck_assert_int_eq(r.ticket_id, 1);
	s = ticket_status(1);
	ck_assert_str_eq(s, "open");
	g_free(s);
}
END_TEST

START_TEST(closed_policy_new_linked)
{
	struct thread_result r;
	struct store_ticket *t = NULL;
	char *s;

	write_conf("new");
	deliver_to("support@example.com", FIRST, NULL);
	our_mail(1, "ours-1@example.com", TO_ANN_AND_BOB);
	set_status(1, "closed");
	deliver_to("support@example.com", REPLY, &r);
	ck_assert_int_eq(r.ticket_id, 2);
	ck_assert(r.new_ticket);
	ck_assert_int_eq(r.linked_from, 1);
	ck_assert_int_eq(store_ticket_get(store, 2, &t, NULL), 1);
	ck_assert_int_eq(t->linked_to, 1);
	store_ticket_free(&t);
	s = ticket_status(1);
	ck_assert_str_eq(s, "closed");
	g_free(s);
}
END_TEST

START_TEST(pending_becomes_open)
{
	char *s;

	deliver_to("support@example.com", FIRST, NULL);
	our_mail(1, "ours-1@example.com", TO_ANN_AND_BOB);
	set_status(1, "pending");
	deliver_to("support@example.com", REPLY, NULL);
	s = ticket_status(1);
	ck_assert_str_eq(s, "open");
	g_free(s);
}
END_TEST

START_TEST(rcpt_verdicts)
{
	struct deliver_rcpt r;
	struct verdict v;
	struct token t = {.id = 5, .role = TOKEN_CUSTOMER, .score = -1};
	char *addr = NULL;

	deliver_rcpt_resolve(conf, keys, "Support@Example.COM", &r, &v);
	ck_assert_int_eq(v.smtp, 250);
	ck_assert_str_eq(r.addr, "support@example.com");
	deliver_rcpt_clear(&r);
	deliver_rcpt_resolve(conf, keys, "sales@example.com", &r, &v);
	ck_assert_int_eq(v.smtp, 550);
	ck_assert_str_eq(v.enh, "5.1.1");
	deliver_rcpt_resolve(conf, keys, "support@other.example", &r, &v);
	ck_assert_str_eq(v.enh, "5.1.1");
	ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &addr, NULL), 0);
	/* Tamper with the MAC, keeping it base32 so it still has a token's shape. */
	addr[strlen("support+5-c-")] = addr[strlen("support+5-c-")] == 'a' ? 'b' : 'a';
	deliver_rcpt_resolve(conf, keys, addr, &r, &v);
	ck_assert_int_eq(v.smtp, 550);
	ck_assert_str_eq(v.enh, "5.7.1");
	g_free(addr);
}
END_TEST

/* ---- trust (doc/security.md; issue 11) ---- */

/* The newest stored message of ticket id, borrowed into the caller's list. */
static struct store_message *last_message(gint64 id, GPtrArray **list_r)
{
	ck_assert_int_eq(store_message_list(store, id, FALSE, list_r, NULL), 0);
	ck_assert_uint_gt((*list_r)->len, 0);
	return g_ptr_array_index(*list_r, (*list_r)->len - 1);
}

static gint64 events_of_kind(gint64 id, const char *kind)
{
	GPtrArray *events = NULL;
	gint64 n = 0;

	ck_assert_int_eq(store_event_list(store, id, &events, NULL), 0);
	for (guint i = 0; i < events->len; i++) {
		const struct store_event *e = g_ptr_array_index(events, i);
		n += strcmp(e->kind, kind) == 0;
	}
	g_ptr_array_unref(events);
	return n;
}

/* Item 1: a forged From of the requester with the subject tag lands in the ticket, flagged
 * unverified, and changes nothing. */
START_TEST(forged_from_with_tag_is_unverified)
{
	struct thread_result r;
	GPtrArray *msgs = NULL;
	struct store_message *m;
	char *s;

	deliver_to("support@example.com", FIRST, NULL);
	set_status(1, "pending");
	deliver_to("support@example.com",
		   "From: ann@shop.example\nTo: support@example.com\n"
		   "Subject: Re: [#1] change of address\nMessage-ID: <forged@evil.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.rule, THREAD_RULE_SUBJECT_TAG);
	ck_assert_int_eq(r.trust, THREAD_TRUST_UNVERIFIED);
	ck_assert(!r.status_changed);
	s = ticket_status(1);
	ck_assert_str_eq(s, "pending");
	g_free(s);
	m = last_message(1, &msgs);
	ck_assert_str_eq(m->message_id, "forged@evil.example");
	ck_assert_str_eq(m->kind, "customer");
	ck_assert(util_flags_have(m->flags, "unverified"));
	g_ptr_array_unref(msgs);
	ck_assert_int_eq(events_of_kind(1, "unverified"), 1);
}
END_TEST

/* Item 1 with our loop header: unverified AND automatic, never the customer's words. */
START_TEST(forged_from_with_loop_header_is_auto)
{
	struct thread_result r;
	GPtrArray *msgs = NULL;
	struct store_message *m;

	deliver_to("support@example.com", FIRST, NULL);
	deliver_to("support@example.com",
		   "From: ann@shop.example\nTo: support@example.com\nX-Postdesk-Loop: example.com\n"
		   "Subject: Re: [#1] change of address\nMessage-ID: <forged2@evil.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.trust, THREAD_TRUST_UNVERIFIED);
	ck_assert_ptr_nonnull(r.automatic);
	m = last_message(1, &msgs);
	ck_assert_str_eq(m->kind, "auto");
	ck_assert(util_flags_have(m->flags, "unverified"));
	g_ptr_array_unref(msgs);
}
END_TEST

/* Item 2: a known Message-ID of someone else's mail threads a stranger's message, but he
 * does not become a participant (so he receives no agent answer). */
START_TEST(known_message_id_makes_no_participant)
{
	struct thread_result r;

	deliver_to("support@example.com", FIRST, NULL);
	set_status(1, "resolved");
	deliver_to("support@example.com",
		   "From: mallory@evil.example\nTo: support@example.com\nSubject: Re: Where\n"
		   "Message-ID: <m2@evil.example>\nIn-Reply-To: <first@shop.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.trust, THREAD_TRUST_UNVERIFIED);
	ck_assert(!r.reopened);
	ck_assert_int_eq(store_is_participant(store, 1, "mallory@evil.example", NULL), 0);
	/* Our own Message-ID, but not sent to him: still unverified. */
	our_mail(1, "ours-1@example.com", TO_ANN_AND_BOB);
	deliver_to("support@example.com",
		   "From: mallory@evil.example\nTo: support@example.com\nSubject: Re: Where\n"
		   "Message-ID: <m3@evil.example>\nIn-Reply-To: <ours-1@example.com>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.trust, THREAD_TRUST_UNVERIFIED);
	ck_assert_int_eq(store_is_participant(store, 1, "mallory@evil.example", NULL), 0);
}
END_TEST

/* Replies to our mail from its recipients are verified: the requester, a Cc'd colleague
 * (named in the outbox row), also Outlook style with References only. */
START_TEST(answers_to_our_mail_are_verified)
{
	struct thread_result r;

	deliver_to("support@example.com", FIRST, NULL);
	our_mail(1, "ours-1@example.com", TO_ANN_AND_BOB);
	deliver_to("support@example.com",
		   "From: Bob <bob@shop.example>\nTo: support@example.com\nSubject: Re: Where\n"
		   "Message-ID: <b1@shop.example>\nIn-Reply-To: <ours-1@example.com>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.trust, THREAD_TRUST_VERIFIED);
	set_status(1, "pending");
	deliver_to("support@example.com",
		   "From: ann@shop.example\nTo: support@example.com\nSubject: AW: Where\n"
		   "Message-ID: <a9@shop.example>\n"
		   "References: <first@shop.example> <ours-1@example.com> <x@elsewhere.example>",
		   &r);
	ck_assert_int_eq(r.trust, THREAD_TRUST_VERIFIED);
	ck_assert(r.status_changed);
	/* Ann's own earlier mail only (no mail of ours): kept, unverified. */
	deliver_to("support@example.com",
		   "From: ann@shop.example\nTo: support@example.com\nSubject: AW: Where\n"
		   "Message-ID: <a10@shop.example>\nReferences: <first@shop.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.trust, THREAD_TRUST_UNVERIFIED);
	/* A copy of the first mail for another of our addresses keeps its (new-ticket)
	 * standing. */
	deliver_to("support+web@example.com", FIRST, &r);
	ck_assert_int_eq(r.trust, THREAD_TRUST_VERIFIED);
}
END_TEST

/* Item 6: an auto-reply to our answer changes nothing: no reopen, no status change. */
START_TEST(auto_reply_changes_nothing)
{
	struct thread_result r;
	GPtrArray *msgs = NULL;
	char *s;

	deliver_to("support@example.com", FIRST, NULL);
	our_mail(1, "ours-1@example.com", TO_ANN_AND_BOB);
	set_status(1, "pending");
	deliver_to("support@example.com",
		   "From: ann@shop.example\nTo: support@example.com\nSubject: Out of office\n"
		   "Auto-Submitted: auto-replied\nMessage-ID: <ooo@shop.example>\n"
		   "In-Reply-To: <ours-1@example.com>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.trust, THREAD_TRUST_VERIFIED);
	ck_assert_ptr_nonnull(r.automatic);
	ck_assert(!r.status_changed);
	s = ticket_status(1);
	ck_assert_str_eq(s, "pending");
	g_free(s);
	ck_assert_str_eq(last_message(1, &msgs)->kind, "auto");
	g_ptr_array_unref(msgs);
}
END_TEST

/* Item 4: one mail with 1,000 Cc addresses makes max_participants (20) participants plus
 * the requester, and an event says how many were left out. */
START_TEST(participants_are_capped)
{
	GString *h = g_string_new("From: ann@shop.example\nTo: support@example.com\nCc: ");
	GPtrArray *parts = NULL;
	struct thread_result r;

	for (int i = 0; i < 1000; i++)
		g_string_append_printf(h, "%sc%d@many.example", i > 0 ? ",\n " : "", i);
	g_string_append(h, "\nSubject: hello all\nMessage-ID: <many@shop.example>");
	deliver_to("support@example.com", h->str, &r);
	g_string_free(h, TRUE);
	ck_assert_int_eq(r.participants_capped, 980);
	ck_assert_int_eq(store_participant_list(store, 1, &parts, NULL), 0);
	ck_assert_uint_eq(parts->len, 21);
	g_ptr_array_unref(parts);
	ck_assert_int_eq(events_of_kind(1, "participants_capped"), 1);
	/* A verified newcomer (the reply address) finds the ticket full. */
	struct token t = {.id = 1, .role = TOKEN_CUSTOMER, .score = -1};
	char *addr = NULL;
	ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &addr, NULL), 0);
	deliver_to(addr, "From: late@other.example\nSubject: me too\nMessage-ID: <late@o.example>",
		   &r);
	ck_assert_int_eq(r.trust, THREAD_TRUST_VERIFIED);
	ck_assert_int_eq(r.participants_capped, 1);
	ck_assert_int_eq(store_is_participant(store, 1, "late@other.example", NULL), 0);
	g_free(addr);
}
END_TEST

/* Where our MTA vouches for the From domain (its Authentication-Results, first of our
 * authserv-id, dmarc=pass for header.from), a participant's From counts as verified; a
 * stranger's does not, and a header further down or of another id proves nothing. */
START_TEST(mta_vouched_from)
{
	struct thread_result r;

	write_conf_extra("reopen", "milter_authserv_id = mx.example.com\n");
	deliver_to("support@example.com", FIRST, NULL);
	set_status(1, "pending");
	deliver_to("support@example.com",
		   "Authentication-Results: mx.example.com; dmarc=pass header.from=shop.example\n"
		   "From: ann@shop.example\nTo: support@example.com\n"
		   "Subject: Re: [#1] Where\nMessage-ID: <v1@shop.example>",
		   &r);
	ck_assert_int_eq(r.trust, THREAD_TRUST_VERIFIED);
	ck_assert(r.status_changed);
	deliver_to("support@example.com",
		   "Authentication-Results: mx.example.com; dmarc=fail header.from=shop.example\n"
		   "Authentication-Results: mx.example.com; dmarc=pass header.from=shop.example\n"
		   "Authentication-Results: other.example; dmarc=pass header.from=shop.example\n"
		   "From: ann@shop.example\nTo: support@example.com\n"
		   "Subject: Re: [#1] Where\nMessage-ID: <v2@shop.example>",
		   &r);
	ck_assert_int_eq(r.trust, THREAD_TRUST_UNVERIFIED);
	deliver_to("support@example.com",
		   "Authentication-Results: mx.example.com; dmarc=pass header.from=evil.example\n"
		   "From: mallory@evil.example\nTo: support@example.com\n"
		   "Subject: Re: Where\nMessage-ID: <v3@evil.example>\n"
		   "In-Reply-To: <first@shop.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.trust, THREAD_TRUST_UNVERIFIED);
	ck_assert_int_eq(store_is_participant(store, 1, "mallory@evil.example", NULL), 0);
}
END_TEST

/* Outlook's first mail of a conversation and a reply in it that dropped the subject tag,
 * In-Reply-To and References, keeping Thread-Index (its first 22 bytes) and Thread-Topic. */
#define OUTLOOK_FIRST "From: Ann Buyer <ann@shop.example>\nTo: support@example.com\n" \
		      "Subject: Where is my order?\nMessage-ID: <first@shop.example>\n" \
		      "Thread-Topic: Where is my order?\n" \
		      "Thread-Index: AdnSdD2czk/YqQ9LR7VjZsd8budBAA=="
#define OUTLOOK_REPLY(from, id) "From: " from "\nTo: support@example.com\n" \
		      "Subject: AW: Where is my order?\nMessage-ID: <" id ">\n" \
		      "Thread-Topic: Where is my order?\n" \
		      "Thread-Index: AdnSdD2czk/YqQ9LR7VjZsd8budBAK4h3Y5AABKrNM0="

START_TEST(outlook_conversation_from_participant)
{
	struct thread_result r;
	GPtrArray *msgs = NULL;
	char *s;

	deliver_to("support@example.com", OUTLOOK_FIRST, NULL);
	set_status(1, "pending");
	deliver_to("support@example.com", OUTLOOK_REPLY("ann@shop.example", "r1@shop.example"), &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.rule, THREAD_RULE_THREAD_INDEX);
	ck_assert_str_eq(thread_rule_name(r.rule), "thread-index");
	/* a header the sender writes: stored, flagged, no state change */
	ck_assert_int_eq(r.trust, THREAD_TRUST_UNVERIFIED);
	ck_assert(!r.status_changed);
	s = ticket_status(1);
	ck_assert_str_eq(s, "pending");
	g_free(s);
	ck_assert(util_flags_have(last_message(1, &msgs)->flags, "unverified"));
	g_ptr_array_unref(msgs);
	ck_assert_int_eq(events_of_kind(1, "unverified"), 1);
	ck_assert_int_eq(ticket_count(), 1);
}
END_TEST

START_TEST(outlook_conversation_from_stranger)
{
	struct thread_result r;

	deliver_to("support@example.com", OUTLOOK_FIRST, NULL);
	deliver_to("support@example.com", OUTLOOK_REPLY("mallory@evil.example", "m@evil.example"),
		   &r);
	ck_assert_int_eq(r.rule, THREAD_RULE_NEW);
	ck_assert_int_eq(r.ticket_id, 2);
	ck_assert_int_eq(store_is_participant(store, 1, "mallory@evil.example", NULL), 0);
	/* an unverified message plants no conversation: a later copy of the header by the
	 * stranger still finds only the stranger's own ticket */
	deliver_to("support@example.com", OUTLOOK_REPLY("mallory@evil.example", "m2@evil.example"),
		   &r);
	ck_assert_int_eq(r.ticket_id, 2);
}
END_TEST

/* ---- merge and split (issue 13) ---- */

#define OTHER "From: Ann <ann@home.example>\nTo: support@example.com\n" \
	      "Subject: Parcel?\nMessage-ID: <other@home.example>"

static gint64 merged_into(gint64 id)
{
	gint64 into = 0;

	ck_assert_int_ge(store_ticket_merged_into(store, id, &into, NULL), 0);
	return into;
}

START_TEST(merge_moves_and_follows)
{
	struct token t = {.id = 2, .role = TOKEN_CUSTOMER, .score = -1};
	struct thread_agent_mail *am = NULL;
	struct thread_result r;
	GPtrArray *msgs = NULL;
	char *addr = NULL, *why = NULL, *s;
	gint64 capped;

	deliver_to("support@example.com", FIRST, NULL);
	ck_assert_int_eq(deliver_to("support@example.com", OTHER, NULL), 2);
	ck_assert_int_eq(thread_merge_check(store, 1, 1, &why, NULL), 1);
	ck_assert_ptr_nonnull(strstr(why, "itself"));
	g_free(why);
	ck_assert_int_eq(thread_merge_check(store, 1, 7, &why, NULL), 1);
	g_free(why);
	/* By agent command, as a mail would: checked, applied, reported back. */
	thread_agent_parse("#merge 2\nDone.", &am);
	ck_assert_int_eq(am->errors->len, 0);
	ck_assert_int_eq(store_begin(store, NULL), 0);
	ck_assert_int_eq(thread_agent_run(store, conf, 1, "agent@example.com", am, 1700000100,
					  NULL), 0);
	ck_assert_int_eq(store_commit(store, NULL), 0);
	ck_assert_int_eq(am->errors->len, 0);
	ck_assert_int_eq(am->merged_from, 2);
	thread_agent_mail_free(&am);
	ck_assert_int_eq(merged_into(2), 1);
	s = ticket_status(2);
	ck_assert_str_eq(s, "closed");
	g_free(s);
	ck_assert_int_eq(store_message_list(store, 2, FALSE, &msgs, NULL), 0);
	ck_assert_int_eq(msgs->len, 0);
	g_ptr_array_unref(msgs);
	ck_assert_int_eq(store_message_list(store, 1, FALSE, &msgs, NULL), 0);
	ck_assert_int_eq(msgs->len, 2);
	g_ptr_array_unref(msgs);
	ck_assert_int_eq(store_is_participant(store, 1, "ann@home.example", NULL), 1);
	ck_assert_int_eq(events_of_kind(1, "merged"), 1);
	ck_assert_int_eq(events_of_kind(2, "merged_into"), 1);
	/* A second merge of 2, or into 2, is refused. */
	ck_assert_int_eq(thread_merge_check(store, 1, 2, &why, NULL), 1);
	ck_assert_ptr_nonnull(strstr(why, "already merged"));
	g_free(why);
	/* Its token and its subject tag now lead to ticket 1. */
	ck_assert_int_eq(token_address(keys, "support", "example.com", &t, &addr, NULL), 0);
	deliver_to(addr, "From: ann@home.example\nTo: x@example.com\nSubject: more\n"
			 "Message-ID: <t2@home.example>", &r);
	ck_assert_int_eq(r.ticket_id, 1);
	deliver_to("support@example.com", "From: ann@home.example\nTo: support@example.com\n"
					  "Subject: Re: [#2] Parcel?\nMessage-ID: <g2@home.example>",
		   &r);
	ck_assert_int_eq(r.ticket_id, 1);
	ck_assert_int_eq(r.rule, THREAD_RULE_SUBJECT_TAG);
	/* A chain stays one hop: 1 merged into a third ticket re-points 2. */
	ck_assert_int_eq(deliver_to("support@example.com",
				    "From: zed@z.example\nTo: support@example.com\nSubject: z\n"
				    "Message-ID: <z@z.example>", NULL), 3);
	ck_assert_int_eq(store_begin(store, NULL), 0);
	ck_assert_int_eq(thread_merge(store, conf, 3, 1, "admin", 1700000200, &capped, NULL), 0);
	ck_assert_int_eq(store_commit(store, NULL), 0);
	ck_assert_int_eq(merged_into(2), 3);
	g_free(addr);
}
END_TEST

START_TEST(merge_and_split_commands_parse)
{
	struct thread_agent_mail *am = NULL;

	thread_agent_parse("#merge #12\n#split 34 rest notify\nText", &am);
	ck_assert_int_eq(am->errors->len, 0);
	ck_assert_int_eq(am->cmds->len, 2);
	ck_assert_str_eq(g_array_index(am->cmds, struct thread_cmd, 0).arg, "12");
	ck_assert_str_eq(g_array_index(am->cmds, struct thread_cmd, 1).arg, "34 rest notify");
	thread_agent_mail_free(&am);
	thread_agent_parse("#merge twelve\n#split 5 later\n#split\nText", &am);
	ck_assert_int_eq(am->errors->len, 3);
	ck_assert_str_eq(am->text, "Text");
	thread_agent_mail_free(&am);
}
END_TEST

START_TEST(split_moves_a_message)
{
	struct store_ticket *t = NULL;
	GPtrArray *msgs = NULL;
	gint64 row, new_id;
	char *why = NULL;

	deliver_to("support@example.com", FIRST, NULL);
	deliver_to("support@example.com",
		   "From: ann@shop.example\nTo: support@example.com\nSubject: Also: an invoice\n"
		   "In-Reply-To: <first@shop.example>\nMessage-ID: <second@shop.example>", NULL);
	ck_assert_int_eq(store_message_list(store, 1, FALSE, &msgs, NULL), 0);
	ck_assert_int_eq(msgs->len, 2);
	row = ((struct store_message *)g_ptr_array_index(msgs, 1))->id;
	ck_assert_int_eq(thread_split_check(store, 1, row + 100, FALSE, &why, NULL), 1);
	g_free(why);
	/* The first message with the rest would leave nothing behind. */
	ck_assert_int_eq(thread_split_check(store, 1,
					    ((struct store_message *)g_ptr_array_index(msgs, 0))->id,
					    TRUE, &why, NULL), 1);
	ck_assert_ptr_nonnull(strstr(why, "empty"));
	g_free(why);
	g_ptr_array_unref(msgs);
	ck_assert_int_eq(store_begin(store, NULL), 0);
	ck_assert_int_eq(thread_split(store, 1, row, FALSE, "agent@example.com", 1700000100,
				      &new_id, NULL), 0);
	ck_assert_int_eq(store_commit(store, NULL), 0);
	ck_assert_int_eq(store_ticket_get(store, new_id, &t, NULL), 1);
	ck_assert_int_eq(t->linked_to, 1);
	ck_assert_str_eq(t->requester, "ann@shop.example");
	ck_assert_str_eq(t->subject, "Also: an invoice");
	ck_assert_int_eq(t->message_count, 1);
	store_ticket_free(&t);
	ck_assert_int_eq(events_of_kind(1, "split"), 1);
	/* A reply to the split message follows it (its Message-ID moved). */
	ck_assert_int_eq(deliver_to("support@example.com",
				    "From: ann@shop.example\nTo: support@example.com\nSubject: Re\n"
				    "In-Reply-To: <second@shop.example>\nMessage-ID: <third@shop.example>",
				    NULL), new_id);
}
END_TEST

static Suite *thread_suite(void)
{
	Suite *s = suite_create("thread");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, new_message_opens_ticket);
	tcase_add_test(tc, in_reply_to_threads);
	tcase_add_test(tc, references_only_threads);
	tcase_add_test(tc, cc_reply_threads_and_joins);
	tcase_add_test(tc, unknown_reference_opens_new);
	tcase_add_test(tc, subject_tag_from_participant);
	tcase_add_test(tc, subject_tag_from_stranger);
	tcase_add_test(tc, outlook_conversation_from_participant);
	tcase_add_test(tc, outlook_conversation_from_stranger);
	tcase_add_test(tc, token_threads);
	tcase_add_test(tc, token_for_missing_ticket);
	tcase_add_test(tc, duplicate_is_stored_once);
	tcase_add_test(tc, copy_to_second_queue_address_folds_in);
	tcase_add_test(tc, resolved_reopens);
	tcase_add_test(tc, closed_policy_reopen);
	tcase_add_test(tc, closed_policy_new_linked);
	tcase_add_test(tc, pending_becomes_open);
	tcase_add_test(tc, rcpt_verdicts);
	tcase_add_test(tc, forged_from_with_tag_is_unverified);
	tcase_add_test(tc, forged_from_with_loop_header_is_auto);
	tcase_add_test(tc, known_message_id_makes_no_participant);
	tcase_add_test(tc, answers_to_our_mail_are_verified);
	tcase_add_test(tc, auto_reply_changes_nothing);
	tcase_add_test(tc, participants_are_capped);
	tcase_add_test(tc, mta_vouched_from);
	tcase_add_test(tc, merge_moves_and_follows);
	tcase_add_test(tc, merge_and_split_commands_parse);
	tcase_add_test(tc, split_moves_a_message);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(thread_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
