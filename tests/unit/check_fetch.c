/* check_fetch: the parts of IMAP/POP3 intake that need no server (issue 15): the
 * [mailbox NAME] group of the config (defaults and the checks across keys), the backoff,
 * and the store's bookkeeping (fetched records, mailbox_state) on a real database. The
 * protocols themselves are tested against a real Dovecot (tests/e2e/fetch*.sh). */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/fetch.h"
#include "postdesk/store.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static const char *base_conf = "[postdesk]\ndomain = example.com\n"
			       "[queue support]\naddress = support@example.com\n"
			       "lead = lead@example.com\n";

/* Load base_conf + extra: 0 with *c_r, or -1 with *error_r. */
static int load(const char *extra, struct conf **c_r, char **error_r)
{
	char *dir = g_dir_make_tmp("check_fetch-XXXXXX", NULL);
	char *path = g_build_filename(dir, "postdesk.conf", NULL);
	char *text = g_strconcat(base_conf, extra, NULL);
	int ret;

	ck_assert(g_file_set_contents(path, text, -1, NULL));
	ret = conf_load(path, c_r, error_r);
	test_rm_rf(dir);
	g_free(text);
	g_free(path);
	g_free(dir);
	return ret;
}

START_TEST(t_mailbox_defaults)
{
	struct conf *c = NULL;
	char *error = NULL;
	const struct conf_mailbox *m, *p;

	ck_assert_msg(load("[mailbox hosted]\nhost = imap.example.net\nuser = support\n"
			   "password_file = /etc/postdesk/imap.pass\nqueue = support\n"
			   "[mailbox old]\nprotocol = pop3\nhost = pop.example.net\n"
			   "user = u\npassword_file = /p\nqueue = support\nsecurity = starttls\n"
			   "max_message_size = 1M\n",
			   &c, &error) == 0, "%s", error);
	ck_assert_uint_eq(c->mailboxes->len, 2);
	m = conf_mailbox_by_name(c, "hosted");
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->port, 993);
	ck_assert_str_eq(m->security, "tls");
	ck_assert_str_eq(m->tls_verify, "yes");
	ck_assert_str_eq(m->folder, "INBOX");
	ck_assert_str_eq(m->done_action, "seen");
	ck_assert_int_eq(m->max_message_size, c->max_message_size); /* the LMTP limit */
	ck_assert_int_eq(m->poll_interval, 300);
	ck_assert_ptr_eq(m->queue_ref, conf_queue_by_name(c, "support"));
	p = conf_mailbox_by_name(c, "old");
	ck_assert_int_eq(p->port, 110);
	ck_assert_int_eq(p->max_message_size, 1024 * 1024);
	ck_assert_ptr_null(conf_mailbox_by_name(c, "none"));
	conf_free(&c);
}
END_TEST

/* postdesk config -n prints the mailbox groups too, as the file sets them (conf_dump reads
 * the file again, so it stays until the dump). */
START_TEST(t_mailbox_dump)
{
	char *dir = g_dir_make_tmp("check_fetch-XXXXXX", NULL);
	char *path = g_build_filename(dir, "postdesk.conf", NULL);
	char *text = g_strconcat(base_conf,
				 "[mailbox hosted]\nhost = imap.example.net\nuser = support\n"
				 "password_file = /p\nqueue = support\nmax_message_size = 1M\n",
				 NULL);
	GString *dump = g_string_new(NULL);
	struct conf *c = NULL;
	char *error = NULL;

	ck_assert(g_file_set_contents(path, text, -1, NULL));
	ck_assert_msg(conf_load(path, &c, &error) == 0, "%s", error);
	ck_assert_int_eq(conf_dump(c, TRUE, dump, &error), 0);
	ck_assert_msg(strstr(dump->str, "\n\n[mailbox hosted]\nhost = imap.example.net\n") != NULL &&
			  strstr(dump->str, "\nmax_message_size = 1M\n") != NULL,
		      "%s", dump->str);
	conf_free(&c);
	g_string_free(dump, TRUE);
	test_rm_rf(dir);
	g_free(text);
	g_free(path);
	g_free(dir);
}
END_TEST

/* Each bad group fails with its own reason, naming the key. */
static const struct {
	const char *conf, *expect;
} bad_boxes[] = {
    {"[mailbox a]\nhost = imap.example.net\nuser = u\npassword_file = /p\nqueue = nope\n",
     "[mailbox a] queue: no [queue nope]"},
    {"[mailbox a]\nhost = imap.example.net\nuser = u\nqueue = support\n",
     "[mailbox a] password_file: required with auth = plain"},
    {"[mailbox a]\nhost = imap.example.net\nuser = u\nauth = xoauth2\nqueue = support\n",
     "[mailbox a] token_command: required with auth = xoauth2"},
    {"[mailbox a]\nhost = imap.example.net\nuser = u\npassword_file = /p\nqueue = support\n"
     "security = none\n",
     "[mailbox a] security: none to imap.example.net, which is not loopback"},
    {"[mailbox a]\nhost = imap.example.net\nuser = u\npassword_file = /p\nqueue = support\n"
     "done_action = move\n",
     "[mailbox a] done_action: move needs done_folder"},
    {"[mailbox a]\nhost = h\nuser = u\npassword_file = /p\nqueue = support\nprotocol = pop3\n"
     "done_action = move\ndone_folder = Done\n",
     "[mailbox a] done_action: move: POP3 has no folders"},
    {"[mailbox a]\nhost = h\nuser = u\npassword_file = /p\nqueue = support\ncolour = red\n",
     "[mailbox a] colour: unknown key"},
    {"[mailbox A]\nhost = h\n", "[mailbox A]: bad mailbox name"},
    {"[mailbox a]\nhost = h\nuser = u\nauth = xoauth2\ntoken_command = gettoken\n"
     "queue = support\n",
     "[mailbox a] token_command: expected an absolute path"},
};

START_TEST(t_mailbox_errors)
{
	struct conf *c = NULL;
	char *error = NULL;

	ck_assert_int_eq(load(bad_boxes[_i].conf, &c, &error), -1);
	ck_assert_msg(strstr(error, bad_boxes[_i].expect) != NULL, "got \"%s\", expected \"%s\"",
		      error, bad_boxes[_i].expect);
	g_free(error);
}
END_TEST

START_TEST(t_mailbox_plaintext_loopback)
{
	struct conf *c = NULL;
	char *error = NULL;

	/* none is fine to loopback, and elsewhere when said explicitly */
	ck_assert_msg(load("[mailbox a]\nhost = 127.0.0.1\nuser = u\npassword_file = /p\n"
			   "queue = support\nsecurity = none\n"
			   "[mailbox b]\nhost = imap.example.net\nuser = u\npassword_file = /p\n"
			   "queue = support\nsecurity = none\nallow_plaintext = yes\n",
			   &c, &error) == 0, "%s", error);
	ck_assert_int_eq(conf_mailbox_by_name(c, "a")->port, 143);
	conf_free(&c);
}
END_TEST

START_TEST(t_backoff)
{
	ck_assert_int_eq(fetch_backoff(1, 900), 5);
	ck_assert_int_eq(fetch_backoff(2, 900), 10);
	ck_assert_int_eq(fetch_backoff(4, 900), 40);
	ck_assert_int_eq(fetch_backoff(100, 900), 900);
	ck_assert_int_eq(fetch_backoff(1, 1), 1);
}
END_TEST

START_TEST(t_store_bookkeeping)
{
	char *dir = g_dir_make_tmp("check_fetch-XXXXXX", NULL);
	char *db = test_database(dir, "t.db");
	struct store *s = NULL;
	struct store_fetch_key k = {"hosted", 77, "12"}, k2 = {"hosted", 78, "12"};
	struct store_mailbox_state st;
	char *state = NULL, *error = NULL;
	gint64 done = -1;

	ck_assert_int_eq(store_open(db, STORE_CREATE, 1000, &s, &error), 0);
	ck_assert_int_eq(store_fetched_find(s, &k, &state, &done, &error), 0);
	ck_assert_int_eq(store_fetched_add(s, &k, 0, NULL, "refused", "5.6.0 unreadable", "raw", 3,
					   100, &error), 0);
	/* a second record of the same key changes nothing */
	ck_assert_int_eq(store_fetched_add(s, &k, 0, "x@y", "stored", NULL, NULL, 0, 101, &error),
			 0);
	ck_assert_int_eq(store_fetched_find(s, &k, &state, &done, &error), 1);
	ck_assert_str_eq(state, "refused");
	ck_assert_int_eq(done, 0);
	g_free(state);
	ck_assert_int_eq(store_fetched_done(s, &k, 200, &error), 0);
	ck_assert_int_eq(store_fetched_find(s, &k, &state, &done, &error), 1);
	ck_assert_int_eq(done, 200);
	g_free(state);
	/* another UIDVALIDITY is another key */
	ck_assert_int_eq(store_fetched_find(s, &k2, &state, &done, &error), 0);

	ck_assert_int_eq(store_mailbox_state_get(s, "hosted", &st, &error), 0);
	ck_assert_int_eq(store_mailbox_fail(s, "hosted", 300, "login failed", &error), 0);
	ck_assert_int_eq(store_mailbox_fail(s, "hosted", 310, "login failed again", &error), 0);
	ck_assert_int_eq(store_mailbox_state_get(s, "hosted", &st, &error), 1);
	ck_assert_int_eq(st.failures, 2);
	ck_assert_int_eq(st.failing_since, 300);
	ck_assert_str_eq(st.last_error, "login failed again");
	ck_assert_int_eq(st.last_success, 0);
	store_mailbox_state_clear(&st);
	ck_assert_int_eq(store_mailbox_alerted(s, "hosted", 320, &error), 0);
	ck_assert_int_eq(store_mailbox_ok(s, "hosted", 400, "idle", 3, 1, 5, &error), 0);
	ck_assert_int_eq(store_mailbox_ok(s, "hosted", 410, "idle", 0, 1, 2, &error), 0);
	ck_assert_int_eq(store_mailbox_state_get(s, "hosted", &st, &error), 1);
	ck_assert_int_eq(st.failures, 0);
	ck_assert_int_eq(st.alerted, 0); /* the next outage alerts again */
	ck_assert_int_eq(st.last_success, 410);
	ck_assert_int_eq(st.fetched, 7);
	ck_assert_int_eq(st.backlog, 0);
	ck_assert_str_eq(st.mode, "idle");
	store_mailbox_state_clear(&st);
	/* a new outage starts its own clock */
	ck_assert_int_eq(store_mailbox_fail(s, "hosted", 500, "timeout", &error), 0);
	ck_assert_int_eq(store_mailbox_state_get(s, "hosted", &st, &error), 1);
	ck_assert_int_eq(st.failing_since, 500);
	store_mailbox_state_clear(&st);
	store_close(&s);
	test_rm_rf(dir);
	g_free(db);
	g_free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fetch");
	TCase *tc = tcase_create("fetch");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, t_mailbox_defaults);
	tcase_add_test(tc, t_mailbox_dump);
	tcase_add_loop_test(tc, t_mailbox_errors, 0, G_N_ELEMENTS(bad_boxes));
	tcase_add_test(tc, t_mailbox_plaintext_loopback);
	tcase_add_test(tc, t_backoff);
	tcase_add_test(tc, t_store_bookkeeping);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
