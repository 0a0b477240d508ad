/* check_smtp: net_smtp_send against Postfix's real smtp-sink on a loopback port picked at
 * run time. Without smtp-sink the SMTP cases are left out and the program exits 77
 * (automake SKIP), never PASS. */
#include "config.h"
#include "postdesk/net.h"
#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char *tmpdir_new(void)
{
	char *dir = g_dir_make_tmp("check_smtp.XXXXXX", NULL);

	ck_assert_ptr_nonnull(dir);
	return dir;
}

#ifndef SMTP_SINK
#define SMTP_SINK "/usr/sbin/smtp-sink"
#endif

/* ---- SMTP against smtp-sink ---- */

static struct {
	GPid pid;
	int port;
	char *dir;
} sink;

/* Start smtp-sink with extra options (NULL-terminated) on a fresh loopback port. Runs in
 * Check's parent process (unchecked fixture), so teardown kills it even if a test fails. */
static void sink_start(const char *const *opts)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;

	sink.dir = tmpdir_new();
	sink.port = test_free_port();
	g_ptr_array_add(argv, g_strdup(SMTP_SINK));
	if (geteuid() == 0) {
		/* As root smtp-sink drops to the postfix user, who must be able to write dumps. */
		struct passwd *pw = getpwnam("postfix");
		ck_assert_ptr_nonnull(pw);
		ck_assert_int_eq(chown(sink.dir, pw->pw_uid, pw->pw_gid), 0);
		g_ptr_array_add(argv, g_strdup("-u"));
		g_ptr_array_add(argv, g_strdup("postfix"));
	}
	g_ptr_array_add(argv, g_strdup("-d"));
	g_ptr_array_add(argv, g_strdup_printf("%s/%%M.", sink.dir));
	for (; *opts != NULL; opts++)
		g_ptr_array_add(argv, g_strdup(*opts));
	g_ptr_array_add(argv, g_strdup_printf("127.0.0.1:%d", sink.port));
	g_ptr_array_add(argv, g_strdup("10"));
	g_ptr_array_add(argv, NULL);
	ck_assert_msg(g_spawn_async(NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
				    NULL, NULL, &sink.pid, &err),
		      "%s", err != NULL ? err->message : "");
	g_ptr_array_unref(argv);
	for (int i = 0; i < 100 && !test_port_open(sink.port); i++)
		g_usleep(20000);
	ck_assert_msg(test_port_open(sink.port), "smtp-sink did not start");
}

static void sink_stop(void)
{
	if (sink.pid > 0) {
		kill(sink.pid, SIGTERM);
		waitpid(sink.pid, NULL, 0);
		g_spawn_close_pid(sink.pid);
		sink.pid = 0;
	}
	if (sink.dir != NULL) {
		test_rm_rf(sink.dir);
		g_clear_pointer(&sink.dir, g_free);
	}
}

#define SINK_SETUP(fn, ...)                                                                        \
	static void fn(void)                                                                       \
	{                                                                                          \
		static const char *const opts[] = {__VA_ARGS__, NULL};                             \
		sink_start(opts);                                                                  \
	}
SINK_SETUP(sink_plain, NULL)
SINK_SETUP(sink_no_ehlo, "-f", "ehlo")
SINK_SETUP(sink_rcpt_5xx, "-f", "rcpt")
SINK_SETUP(sink_dot_5xx, "-f", ".")
SINK_SETUP(sink_rcpt_421, "-Q", "rcpt")
SINK_SETUP(sink_dot_421, "-Q", ".")
SINK_SETUP(sink_slow_data, "-w", "5")

static const char message[] = "From: support@help.example\r\nTo: ann@example.com\r\n"
			      "Subject: test\r\n\r\nline one\r\n.dot line\r\nlast\r\n";
static const char *const two_rcpts[] = {"ann@example.com", "bob@example.net"};

static char *relay(void)
{
	return g_strdup_printf("127.0.0.1:%d", sink.port);
}

static void send_ok(const char *env_from, int timeout_s, struct verdict *v)
{
	char *r = relay();

	ck_assert_int_eq(
	    net_smtp_send(r, env_from, two_rcpts, 2, message, strlen(message), timeout_s, v), 0);
	g_free(r);
}

/* The single dump file smtp-sink wrote (it writes it before answering the final dot). */
static char *read_dump(void)
{
	GDir *d = g_dir_open(sink.dir, 0, NULL);
	const char *name = g_dir_read_name(d);
	char *path, *data = NULL;

	ck_assert_msg(name != NULL, "no dump file");
	ck_assert_ptr_null(g_dir_read_name(d));
	path = g_build_filename(sink.dir, name, NULL);
	ck_assert(g_file_get_contents(path, &data, NULL, NULL));
	g_free(path);
	g_dir_close(d);
	return data;
}

static int dump_count(void)
{
	GDir *d = g_dir_open(sink.dir, 0, NULL);
	int n = 0;

	while (g_dir_read_name(d) != NULL)
		n++;
	g_dir_close(d);
	return n;
}

START_TEST(t_smtp_ok)
{
	struct verdict v;
	char *dump;

	send_ok("bounces+42@help.example", 10, &v);
	ck_assert_msg(v.status == VERDICT_OK, "%d %s", v.smtp, v.text);
	ck_assert_int_eq(v.smtp, 250);
	ck_assert_str_eq(v.enh, "2.0.0");
	ck_assert_str_eq(v.text, "2.0.0 Ok");
	dump = read_dump();
	ck_assert_ptr_nonnull(strstr(dump, "X-Client-Proto: ESMTP\n"));
	ck_assert_ptr_nonnull(strstr(dump, "X-Mail-Args: <bounces+42@help.example>\n"));
	ck_assert_ptr_nonnull(strstr(dump, "X-Rcpt-Args: <ann@example.com>\n"
					   "X-Rcpt-Args: <bob@example.net>\n"));
	/* The message arrived whole, dot-stuffing undone by the receiver. */
	ck_assert_ptr_nonnull(strstr(dump, "Subject: test\n\nline one\n.dot line\nlast\n"));
	g_free(dump);
}
END_TEST

START_TEST(t_smtp_null_sender)
{
	struct verdict v;
	char *dump;

	send_ok("", 10, &v);
	ck_assert_int_eq(v.status, VERDICT_OK);
	dump = read_dump();
	ck_assert_ptr_nonnull(strstr(dump, "X-Mail-Args: <>\n"));
	g_free(dump);
}
END_TEST

START_TEST(t_smtp_helo_fallback)
{
	struct verdict v;
	char *dump;

	send_ok("a@help.example", 10, &v);
	ck_assert_msg(v.status == VERDICT_OK, "%d %s", v.smtp, v.text);
	dump = read_dump();
	ck_assert_ptr_nonnull(strstr(dump, "X-Client-Proto: SMTP\n"));
	g_free(dump);
}
END_TEST

/* dumps: smtp-sink writes the dump when the data ends, even if it then refuses it; a dump
 * file it opened for a transaction refused earlier is removed a moment after we quit. */
static void assert_verdict(enum verdict_status status, int smtp, const char *enh, const char *text,
			   int dumps)
{
	struct verdict v;

	send_ok("a@help.example", 10, &v);
	ck_assert_msg(v.status == status, "status %d, %d %s %s", v.status, v.smtp, v.enh, v.text);
	ck_assert_int_eq(v.smtp, smtp);
	ck_assert_str_eq(v.enh, enh);
	ck_assert_str_eq(v.text, text);
	for (int i = 0; i < 100 && dump_count() != dumps; i++)
		g_usleep(20000);
	ck_assert_int_eq(dump_count(), dumps);
}

START_TEST(t_smtp_rcpt_5xx)
{
	/* Every recipient refused: the first refusal, naming the address. */
	assert_verdict(VERDICT_PERMFAIL, 500, "5.3.0",
		       "refused ann@example.com: 500 5.3.0 Error: command failed (RCPT)", 0);
}
END_TEST

START_TEST(t_smtp_dot_5xx)
{
	assert_verdict(VERDICT_PERMFAIL, 500, "5.3.0", "5.3.0 Error: command failed (end of data)",
		       1);
}
END_TEST

START_TEST(t_smtp_rcpt_421)
{
	assert_verdict(VERDICT_TEMPFAIL, 421, "4.0.0", "4.0.0 Server closing connection (RCPT)", 0);
}
END_TEST

START_TEST(t_smtp_dot_421)
{
	assert_verdict(VERDICT_TEMPFAIL, 421, "4.0.0",
		       "4.0.0 Server closing connection (end of data)", 1);
}
END_TEST

START_TEST(t_smtp_timeout)
{
	struct verdict v;

	send_ok("a@help.example", 1, &v);
	ck_assert_int_eq(v.status, VERDICT_TEMPFAIL);
	ck_assert_int_eq(v.smtp, 0);
	/* smtp 0: the client gave up at its 1 s timeout; had it waited, the slow sink's answer
	 * would have set the reply code. */
}
END_TEST

START_TEST(t_smtp_closed_port)
{
	struct verdict v;
	char *r = g_strdup_printf("127.0.0.1:%d", test_free_port());
	const char *const bad[] = {"ann@example.com>\r\nRSET"};

	ck_assert_int_eq(
	    net_smtp_send(r, "a@help.example", two_rcpts, 2, message, strlen(message), 5, &v),
	    0);
	ck_assert_int_eq(v.status, VERDICT_TEMPFAIL);
	ck_assert_int_eq(v.smtp, 0);
	ck_assert_ptr_nonnull(strstr(v.text, "cannot connect"));
	/* A bad envelope is refused before connecting (else this would be TEMPFAIL). */
	ck_assert_int_eq(
	    net_smtp_send(r, "a@help.example", bad, 1, message, strlen(message), 5, &v), 0);
	ck_assert_int_eq(v.status, VERDICT_PERMFAIL);
	ck_assert_int_eq(v.smtp, 553);
	ck_assert_ptr_null(strchr(v.text, '\n'));
	ck_assert_int_eq(
	    net_smtp_send(r, "a b@x", two_rcpts, 1, message, strlen(message), 5, &v), 0);
	ck_assert_int_eq(v.status, VERDICT_PERMFAIL);
	g_free(r);
}
END_TEST

static void add_sink_case(Suite *s, const char *name, void (*setup)(void), const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, setup, sink_stop);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

static Suite *smtp_suite(gboolean have_sink)
{
	Suite *s = suite_create("smtp");
	TCase *tc;

	tc = tcase_create("smtp");
	tcase_add_test(tc, t_smtp_closed_port);
	suite_add_tcase(s, tc);
	if (!have_sink)
		return s;
	add_sink_case(s, "smtp_ok", sink_plain, t_smtp_ok);
	add_sink_case(s, "smtp_null_sender", sink_plain, t_smtp_null_sender);
	add_sink_case(s, "smtp_helo", sink_no_ehlo, t_smtp_helo_fallback);
	add_sink_case(s, "smtp_rcpt_5xx", sink_rcpt_5xx, t_smtp_rcpt_5xx);
	add_sink_case(s, "smtp_dot_5xx", sink_dot_5xx, t_smtp_dot_5xx);
	add_sink_case(s, "smtp_rcpt_421", sink_rcpt_421, t_smtp_rcpt_421);
	add_sink_case(s, "smtp_dot_421", sink_dot_421, t_smtp_dot_421);
	add_sink_case(s, "smtp_timeout", sink_slow_data, t_smtp_timeout);
	return s;
}

int main(void)
{
	gboolean have_sink = g_file_test(SMTP_SINK, G_FILE_TEST_IS_EXECUTABLE);
	SRunner *sr;
	int failed;

	/* A relay that drops the connection must not kill us (see net_smtp_send). */
	signal(SIGPIPE, SIG_IGN);
	sr = srunner_create(smtp_suite(have_sink));
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed != 0)
		return 1;
	if (!have_sink) {
		printf("SKIP: %s not found (package postfix): SMTP cases not run\n", SMTP_SINK);
		return 77;
	}
	return 0;
}
