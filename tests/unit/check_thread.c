/* Unit tests for thread/: each threading rule and its negative case, the closed-ticket
 * policies and idempotent redelivery, on a real SQLite store and real parsing. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/deliver.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"
#include "postdesk/thread.h"
#include "postdesk/token.h"

#include <check.h>
#include <glib/gstdio.h>
#include <string.h>

static char *tmpdir;
static struct conf *conf;
static struct store *store;
static struct token_keys *keys;

static void write_conf(const char *policy)
{
	char *path = g_build_filename(tmpdir, "postdesk.conf", NULL);
	char *text = g_strdup_printf("[postdesk]\n"
				     "database = %s/pd.db\n"
				     "key_file = %s/pd.key\n"
				     "domain = example.com\n"
				     "closed_policy = %s\n"
				     "[queue support]\n"
				     "address = support@example.com\n",
				     tmpdir, tmpdir, policy);
	char *error = NULL;

	ck_assert(g_file_set_contents(path, text, -1, NULL));
	conf_free(&conf);
	if (conf_load(path, &conf, &error) < 0)
		ck_abort_msg("conf: %s", error);
	g_free(text);
	g_free(path);
}

static void setup(void)
{
	char *error = NULL;
	char *db, *key;

	parse_init();
	tmpdir = g_dir_make_tmp("check_thread-XXXXXX", NULL);
	write_conf("reopen");
	db = g_build_filename(tmpdir, "pd.db", NULL);
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
	ck_assert_int_eq(store_is_participant(store, 1, "carol@other.example", NULL), 1);
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

#define REPLY "From: ann@shop.example\nTo: support@example.com\nSubject: Re: Where\n" \
	      "Message-ID: <again@shop.example>\nIn-Reply-To: <first@shop.example>"

START_TEST(resolved_reopens)
{
	struct thread_result r;
	char *s;

	deliver_to("support@example.com", FIRST, NULL);
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
	tcase_add_test(tc, token_threads);
	tcase_add_test(tc, token_for_missing_ticket);
	tcase_add_test(tc, duplicate_is_stored_once);
	tcase_add_test(tc, copy_to_second_queue_address_folds_in);
	tcase_add_test(tc, resolved_reopens);
	tcase_add_test(tc, closed_policy_reopen);
	tcase_add_test(tc, closed_policy_new_linked);
	tcase_add_test(tc, pending_becomes_open);
	tcase_add_test(tc, rcpt_verdicts);
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
