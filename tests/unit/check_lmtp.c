/* check_lmtp: the LMTP session state machine (exact protocol bytes, pipelining, input split
 * anywhere, limits, junk input) and the server (unix and TCP sockets, concurrency, refusal
 * beyond max_sessions, idle timeout, stop, and Postfix's smtp-source as a real client).
 * A small in-file backend stands in for the delivery pipeline; it is called from server
 * threads, so it records under a mutex. */
#include "config.h"
#include "postdesk/lmtp.h"

#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---------------------------------------------------------------- test backend */

struct tb {
	GMutex lock;
	guint n_data;  /* data() calls */
	guint n_rcpts; /* recipients over all data() calls */
	char *sender;
	GPtrArray *rcpts;
	GString *raw;
};

static struct tb tb;

/* Accept @example.com, except "bad" ones (a forged token, say). */
static void tb_rcpt(void *ctx, const char *addr, struct verdict *v)
{
	(void)ctx;
	if (!g_str_has_suffix(addr, "@example.com"))
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.1.1", "no such user: %s", addr);
	else if (strstr(addr, "bad") != NULL)
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.7.1", "bad token");
	else
		verdict_set(v, VERDICT_OK, 250, "2.1.5", "recipient ok");
}

/* Record the message; a recipient containing "tempfail" fails alone. */
static void tb_data(void *ctx, const char *sender, const char *const *rcpts, guint n_rcpts,
		    const char *raw, gsize len, struct verdict *verdicts)
{
	(void)ctx;
	g_mutex_lock(&tb.lock);
	tb.n_data++;
	tb.n_rcpts += n_rcpts;
	g_free(tb.sender);
	tb.sender = g_strdup(sender);
	g_ptr_array_set_size(tb.rcpts, 0);
	for (guint i = 0; i < n_rcpts; i++)
		g_ptr_array_add(tb.rcpts, g_strdup(rcpts[i]));
	g_string_truncate(tb.raw, 0);
	g_string_append_len(tb.raw, raw, len);
	g_mutex_unlock(&tb.lock);
	ck_assert_int_eq(raw[len], '\0');
	for (guint i = 0; i < n_rcpts; i++) {
		if (strstr(rcpts[i], "tempfail") != NULL)
			verdict_set(&verdicts[i], VERDICT_TEMPFAIL, 451, "4.3.0", "try later");
		else
			verdict_set(&verdicts[i], VERDICT_OK, 250, "2.1.5", "%s delivered",
				    rcpts[i]);
	}
}

static const struct lmtp_backend backend = {.ctx = NULL, .rcpt = tb_rcpt, .data = tb_data};
static struct lmtp_limits limits;

static void setup(void)
{
	g_mutex_init(&tb.lock);
	tb.n_data = tb.n_rcpts = 0;
	tb.sender = NULL;
	tb.rcpts = g_ptr_array_new_with_free_func(g_free);
	tb.raw = g_string_new(NULL);
	lmtp_limits_default(&limits);
	limits.hostname = "test.example";
	limits.max_message_size = 1000;
	limits.max_command = 100;
	limits.max_rcpts = 3;
}

static void teardown(void)
{
	g_free(tb.sender);
	g_ptr_array_unref(tb.rcpts);
	g_string_free(tb.raw, TRUE);
}

/* ---------------------------------------------------------------- session helpers */

#define GREETING "220 test.example LMTP postdesk ready\r\n"
#define LHLO_REPLY                                                                                 \
	"250-test.example\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"        \
	"250 SIZE 1000\r\n"

/* Run input through a fresh session in chunks of `chunk` bytes (0: all at once); returns
 * everything the session wrote, greeting included, and the last input() result. */
static char *session_run(const char *input, gsize len, gsize chunk, int *ret_r)
{
	struct lmtp_session *s = lmtp_session_new(&backend, &limits);
	GString *out = g_string_new(NULL);
	int ret = 0;

	lmtp_session_greet(s, out);
	if (chunk == 0)
		chunk = len > 0 ? len : 1;
	for (gsize i = 0; i < len; i += chunk)
		ret = lmtp_session_input(s, input + i, MIN(chunk, len - i), out);
	lmtp_session_free(&s);
	ck_assert_ptr_null(s);
	if (ret_r != NULL)
		*ret_r = ret;
	return g_string_free(out, FALSE);
}

static char *run(const char *input)
{
	return session_run(input, strlen(input), 0, NULL);
}

#define TXN_HEAD                                                                                   \
	"LHLO client.example\r\nMAIL FROM:<sender@example.org>\r\nRCPT TO:<a@example.com>\r\n"     \
	"RCPT TO:<b@example.com>\r\nDATA\r\n"
#define TXN_HEAD_REPLY                                                                             \
	GREETING LHLO_REPLY "250 2.1.0 sender OK\r\n250 2.1.5 recipient ok\r\n"                    \
			    "250 2.1.5 recipient ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
#define TXN_DONE_REPLY "250 2.1.5 a@example.com delivered\r\n250 2.1.5 b@example.com delivered\r\n"

/* ---------------------------------------------------------------- session tests */

START_TEST(test_lhlo_reply)
{
	char *out = run("LHLO client.example\r\n");

	ck_assert_str_eq(out, GREETING LHLO_REPLY);
	g_free(out);
	out = run("HELO client\r\nEHLO client\r\nMAIL FROM:<a@b>\r\nLHLO\r\n");
	ck_assert_str_eq(out, GREETING "500 5.5.1 this is LMTP, use LHLO\r\n"
				       "500 5.5.1 this is LMTP, use LHLO\r\n"
				       "503 5.5.1 send LHLO first\r\n"
				       "501 5.5.4 syntax: LHLO hostname\r\n");
	g_free(out);
}
END_TEST

START_TEST(test_transaction_pipelined)
{
	int ret;
	const char *in = TXN_HEAD "Subject: hi\r\n\r\nbody\r\n.\r\nQUIT\r\nNOOP\r\n";
	char *out = session_run(in, strlen(in), 0, &ret);

	/* every reply of the pipelined group in one buffer; nothing after QUIT */
	ck_assert_str_eq(out, TXN_HEAD_REPLY TXN_DONE_REPLY "221 2.0.0 bye\r\n");
	ck_assert_int_eq(ret, 1);
	ck_assert_uint_eq(tb.n_data, 1);
	ck_assert_str_eq(tb.sender, "sender@example.org");
	ck_assert_uint_eq(tb.rcpts->len, 2);
	ck_assert_str_eq(g_ptr_array_index(tb.rcpts, 0), "a@example.com");
	ck_assert_str_eq(g_ptr_array_index(tb.rcpts, 1), "b@example.com");
	ck_assert_str_eq(tb.raw->str, "Subject: hi\r\n\r\nbody\r\n");
	g_free(out);
}
END_TEST

START_TEST(test_rcpt_verdicts)
{
	char *out = run("lhlo c\r\nmail from:<>\r\nrcpt to:<x@elsewhere.org>\r\n"
			"rcpt to:<bad+1@example.com>\r\nrcpt to:<tempfail@example.com>\r\n"
			"rcpt to:<ok@example.com>\r\ndata\r\nhello\r\n.\r\n");

	ck_assert_str_eq(out,
			 GREETING LHLO_REPLY "250 2.1.0 sender OK\r\n"
					     "550 5.1.1 no such user: x@elsewhere.org\r\n"
					     "550 5.7.1 bad token\r\n"
					     "250 2.1.5 recipient ok\r\n250 2.1.5 recipient ok\r\n"
					     "354 End data with <CR><LF>.<CR><LF>\r\n"
					     /* one reply per accepted recipient, in RCPT order */
					     "451 4.3.0 try later\r\n"
					     "250 2.1.5 ok@example.com delivered\r\n");
	ck_assert_str_eq(tb.sender, "");
	ck_assert_uint_eq(tb.rcpts->len, 2);
	g_free(out);
}
END_TEST

START_TEST(test_dot_unstuffing)
{
	const char *body = "..dot\r\n...\r\n.x\r\na.b\r\nbare lf\n..\r\n.\r.\r\n\r\n.\n";
	const char *in = "LHLO c\r\nMAIL FROM:<s@x>\r\nRCPT TO:<a@example.com>\r\nDATA\r\n";
	char *all = g_strconcat(in, body, NULL);
	char *out = run(all);

	ck_assert_uint_eq(tb.n_data, 1);
	/* stuffing dots removed, CRLF and bare LF kept as sent; ".\n" ends the data */
	ck_assert_str_eq(tb.raw->str, ".dot\r\n..\r\nx\r\na.b\r\nbare lf\n.\r\n\r.\r\n\r\n");
	ck_assert(g_str_has_suffix(out, "250 2.1.5 a@example.com delivered\r\n"));
	g_free(out);
	g_free(all);

	/* an empty message */
	out = run("LHLO c\r\nMAIL FROM:<s@x>\r\nRCPT TO:<a@example.com>\r\nDATA\r\n.\r\n");
	ck_assert_uint_eq(tb.n_data, 2);
	ck_assert_uint_eq(tb.raw->len, 0);
	g_free(out);
}
END_TEST

START_TEST(test_split_everywhere)
{
	const char *in = TXN_HEAD "..a\r\n.\rb\nc\r\n.\r\nMAIL FROM:<s@x>\r\n"
				  "RCPT TO:<c@example.com>\r\nDATA\r\nsecond\n.\nRSET\r\nQUIT\r\n";
	gsize len = strlen(in);
	char *whole = session_run(in, len, 0, NULL);
	char *raw = g_strdup(tb.raw->str);

	ck_assert_str_eq(raw, "second\n");
	for (gsize cut = 1; cut < len; cut++) {
		struct lmtp_session *s = lmtp_session_new(&backend, &limits);
		GString *out = g_string_new(NULL);

		lmtp_session_greet(s, out);
		lmtp_session_input(s, in, cut, out);
		lmtp_session_input(s, in + cut, len - cut, out);
		ck_assert_str_eq(out->str, whole);
		ck_assert_str_eq(tb.raw->str, raw);
		g_string_free(out, TRUE);
		lmtp_session_free(&s);
	}
	for (gsize chunk = 1; chunk < 8; chunk++) {
		char *out = session_run(in, len, chunk, NULL);

		ck_assert_str_eq(out, whole);
		g_free(out);
	}
	ck_assert_uint_eq(tb.n_data, 2 * (len - 1 + 7 + 1));
	g_free(whole);
	g_free(raw);
}
END_TEST

START_TEST(test_rset_and_second_transaction)
{
	char *out = run("LHLO c\r\nMAIL FROM:<s@x>\r\nRCPT TO:<a@example.com>\r\nRSET\r\n"
			"RCPT TO:<a@example.com>\r\nDATA\r\n"
			"MAIL FROM:<t@x>\r\nRCPT TO:<b@example.com>\r\nDATA\r\none\r\n.\r\n"
			"MAIL FROM:<u@x>\r\nRCPT TO:<c@example.com>\r\nDATA\r\ntwo\r\n.\r\n");

	ck_assert_str_eq(out,
			 GREETING LHLO_REPLY "250 2.1.0 sender OK\r\n"
					     "250 2.1.5 recipient ok\r\n250 2.0.0 OK\r\n"
					     "503 5.5.1 need MAIL before RCPT\r\n"
					     "503 5.5.1 need MAIL before DATA\r\n"
					     "250 2.1.0 sender OK\r\n250 2.1.5 recipient ok\r\n"
					     "354 End data with <CR><LF>.<CR><LF>\r\n"
					     "250 2.1.5 b@example.com delivered\r\n"
					     "250 2.1.0 sender OK\r\n250 2.1.5 recipient ok\r\n"
					     "354 End data with <CR><LF>.<CR><LF>\r\n"
					     "250 2.1.5 c@example.com delivered\r\n");
	ck_assert_uint_eq(tb.n_data, 2);
	ck_assert_str_eq(tb.sender, "u@x");
	ck_assert_str_eq(tb.raw->str, "two\r\n");
	g_free(out);
}
END_TEST

START_TEST(test_size_limits)
{
	GString *in =
	    g_string_new("LHLO c\r\nMAIL FROM:<s@x> SIZE=1001\r\n"
			 "MAIL FROM:<s@x> SIZE=1000 BODY=8BITMIME\r\n"
			 "RCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
	char *out;

	for (int i = 0; i < 30; i++) /* 1200 bytes: too big, in 40-byte lines */
		g_string_append(in, "01234567890123456789012345678901234567\r\n");
	g_string_append(in, ".\r\nMAIL FROM:<s@x>\r\nRCPT TO:<a@example.com>\r\nDATA\r\n");
	for (int i = 0; i < 25; i++) /* exactly 1000 bytes: fits */
		g_string_append(in, "01234567890123456789012345678901234567\r\n");
	g_string_append(in, ".\r\n");
	out = run(in->str);
	ck_assert_str_eq(out, GREETING LHLO_REPLY
			 "552 5.3.4 message too big\r\n"
			 "250 2.1.0 sender OK\r\n250 2.1.5 recipient ok\r\n"
			 "250 2.1.5 recipient ok\r\n"
			 "354 End data with <CR><LF>.<CR><LF>\r\n"
			 /* one 552 per accepted recipient; the backend never saw it */
			 "552 5.3.4 message too big\r\n552 5.3.4 message too big\r\n"
			 "250 2.1.0 sender OK\r\n250 2.1.5 recipient ok\r\n"
			 "354 End data with <CR><LF>.<CR><LF>\r\n"
			 "250 2.1.5 a@example.com delivered\r\n");
	ck_assert_uint_eq(tb.n_data, 1);
	ck_assert_uint_eq(tb.raw->len, 1000);
	g_free(out);
	g_string_free(in, TRUE);
}
END_TEST

START_TEST(test_long_text_line)
{
	GString *in = g_string_new("LHLO c\r\nMAIL FROM:<s@x>\r\nRCPT TO:<a@example.com>\r\n"
				   "DATA\r\n");
	char *out;

	limits.max_line = 100;
	limits.max_message_size = 10000;
	for (int i = 0; i < 500; i++)
		g_string_append_c(in, 'x');
	g_string_append(in, "\r\n.\r\n");
	out = run(in->str);
	ck_assert(g_str_has_suffix(out, "250 2.1.5 a@example.com delivered\r\n"));
	ck_assert_uint_eq(tb.raw->len, 502);
	g_free(out);
	g_string_free(in, TRUE);
}
END_TEST

START_TEST(test_sequence_errors)
{
	char *out = run("LHLO c\r\nRCPT TO:<a@example.com>\r\nDATA\r\nMAIL FROM:<s@x>\r\n"
			"MAIL FROM:<t@x>\r\nDATA\r\nRCPT TO:<nobody@elsewhere>\r\nDATA\r\n"
			"RCPT TO:<>\r\nRCPT TO:<a@example.com> NOTIFY=NEVER\r\n");

	ck_assert_str_eq(out, GREETING LHLO_REPLY "503 5.5.1 need MAIL before RCPT\r\n"
						  "503 5.5.1 need MAIL before DATA\r\n"
						  "250 2.1.0 sender OK\r\n"
						  "503 5.5.1 nested MAIL command\r\n"
						  "503 5.5.1 no valid recipients\r\n"
						  "550 5.1.1 no such user: nobody@elsewhere\r\n"
						  "503 5.5.1 no valid recipients\r\n"
						  "501 5.1.3 empty recipient address\r\n"
						  "555 5.5.4 unsupported parameter\r\n");
	ck_assert_uint_eq(tb.n_data, 0);
	g_free(out);
}
END_TEST

START_TEST(test_mail_syntax)
{
	char *out = run("LHLO c\r\nMAIL FROM:s@x\r\nMAIL FROM:<s@x> FOO=1\r\n"
			"MAIL FROM:<s@x> BODY=BINARYMIME\r\nMAIL FROM:<s@x> SIZE=abc\r\n"
			"MAIL FROM:<s@x\r\nMAIL TO:<s@x>\r\n"
			"mail from: <\"a> b\"@x> body=7bit\r\nRSET\r\n");

	ck_assert_str_eq(out, GREETING LHLO_REPLY "501 5.5.2 syntax: MAIL FROM:<address>\r\n"
						  "555 5.5.4 unsupported parameter\r\n"
						  "501 5.5.4 bad BODY parameter\r\n"
						  "501 5.5.4 bad SIZE parameter\r\n"
						  "501 5.5.2 syntax: MAIL FROM:<address>\r\n"
						  "501 5.5.2 syntax: MAIL FROM:<address>\r\n"
						  "250 2.1.0 sender OK\r\n250 2.0.0 OK\r\n");
	g_free(out);
	out = run("LHLO c\r\nMAIL FROM: <\"a> b\"@x>\r\nRCPT TO:<a@example.com>\r\n"
		  "DATA\r\n.\r\n");
	ck_assert_str_eq(tb.sender, "\"a> b\"@x");
	g_free(out);
}
END_TEST

/* SIZE values: digits only, up to 2^64-1 (then a policy 552, not a syntax error). */
START_TEST(test_size_values)
{
	char *out = run("LHLO c\r\nMAIL FROM:<s@x> SIZE=\r\nMAIL FROM:<s@x> SIZE=+5\r\n"
			"MAIL FROM:<s@x> SIZE=-1\r\nMAIL FROM:<s@x> SIZE=5x\r\n"
			"MAIL FROM:<s@x> SIZE=18446744073709551616\r\n"
			"MAIL FROM:<s@x> SIZE=18446744073709551615\r\n"
			"MAIL FROM:<s@x> SIZE=0000000000000000000000001000\r\nRSET\r\n"
			"MAIL FROM:<s@x> size=0\r\n");

	ck_assert_str_eq(out, GREETING LHLO_REPLY "501 5.5.4 bad SIZE parameter\r\n"
						  "501 5.5.4 bad SIZE parameter\r\n"
						  "501 5.5.4 bad SIZE parameter\r\n"
						  "501 5.5.4 bad SIZE parameter\r\n"
						  "501 5.5.4 bad SIZE parameter\r\n"
						  "552 5.3.4 message too big\r\n"
						  "250 2.1.0 sender OK\r\n250 2.0.0 OK\r\n"
						  "250 2.1.0 sender OK\r\n");
	g_free(out);
}
END_TEST

START_TEST(test_max_rcpts)
{
	char *out = run("LHLO c\r\nMAIL FROM:<s@x>\r\nRCPT TO:<a@example.com>\r\n"
			"RCPT TO:<b@example.com>\r\nRCPT TO:<c@example.com>\r\n"
			"RCPT TO:<d@example.com>\r\nDATA\r\n.\r\n");

	ck_assert(strstr(out, "250 2.1.5 recipient ok\r\n452 4.5.3 too many recipients\r\n"));
	ck_assert_uint_eq(tb.rcpts->len, 3);
	g_free(out);
}
END_TEST

START_TEST(test_other_commands)
{
	char *out = run("vrfy root\r\nNoOp\r\nEXPN list\r\nHELP\r\nXYZZY\r\n\r\nRSET\r\n");

	ck_assert_str_eq(out, GREETING "252 2.5.2 cannot VRFY, send some mail\r\n"
				       "250 2.0.0 OK\r\n"
				       "502 5.5.2 command not implemented\r\n"
				       "502 5.5.2 command not implemented\r\n"
				       "500 5.5.1 unknown command\r\n500 5.5.1 unknown command\r\n"
				       "250 2.0.0 OK\r\n");
	g_free(out);
}
END_TEST

START_TEST(test_long_command_and_nul)
{
	GString *in = g_string_new("NOOP ");
	char *out;

	for (int i = 0; i < 300; i++)
		g_string_append_c(in, 'x');
	g_string_append(in, "\r\nNOOP\r\n");
	g_string_append_len(in, "NO\0OP\r\n", 7);
	out = session_run(in->str, in->len, 3, NULL);
	ck_assert_str_eq(out, GREETING "500 5.5.2 line too long\r\n250 2.0.0 OK\r\n"
				       "500 5.5.2 NUL character in command\r\n");
	g_free(out);
	g_string_free(in, TRUE);
}
END_TEST

START_TEST(test_too_many_errors)
{
	GString *in = g_string_new(NULL);
	int ret;
	char *out, *last, **parts;

	for (int i = 0; i < 25; i++)
		g_string_append(in, "BOGUS\r\n");
	out = session_run(in->str, in->len, 0, &ret);
	ck_assert_int_eq(ret, 1);
	last = strstr(out, "421 4.7.0 test.example too many errors, closing\r\n");
	ck_assert_ptr_nonnull(last);
	ck_assert_str_eq(last, "421 4.7.0 test.example too many errors, closing\r\n");
	/* exactly 20 replies before giving up */
	parts = g_strsplit(out, "500 ", -1);
	ck_assert_uint_eq(g_strv_length(parts) - 1, 20);
	g_strfreev(parts);
	g_free(out);
	g_string_free(in, TRUE);
}
END_TEST

START_TEST(test_timeout_text)
{
	struct lmtp_session *s = lmtp_session_new(&backend, &limits);
	GString *out = g_string_new(NULL);

	lmtp_session_timeout(s, out);
	ck_assert_str_eq(out->str, "421 4.4.2 test.example idle timeout, closing\r\n");
	ck_assert_int_eq(lmtp_session_input(s, "NOOP\r\n", 6, out), 1);
	g_string_free(out, TRUE);
	lmtp_session_free(&s);
}
END_TEST

/* Junk never crashes the session and memory stays bounded (run under ASan). */
START_TEST(test_random_input)
{
	GRand *rand = g_rand_new_with_seed(2033);
	static const char *const words[] = {"LHLO x\r\n",
					    "MAIL FROM:<a@b>\r\n",
					    "RCPT TO:<a@example.com>\r\n",
					    "DATA\r\n",
					    ".\r\n",
					    "\r\n",
					    "\n",
					    ".",
					    "\0",
					    "RSET\r\n",
					    ".."};

	for (int round = 0; round < 300; round++) {
		struct lmtp_session *s = lmtp_session_new(&backend, &limits);
		GString *out = g_string_new(NULL);

		for (int i = 0; i < 200; i++) {
			char buf[64];
			gsize n = 0;

			if (g_rand_boolean(rand)) {
				const char *w =
				    words[g_rand_int_range(rand, 0, G_N_ELEMENTS(words))];

				n = w[0] == '\0' ? 1 : strlen(w);
				memcpy(buf, w, n);
			} else {
				n = g_rand_int_range(rand, 1, sizeof(buf));
				for (gsize j = 0; j < n; j++)
					buf[j] = (char)g_rand_int_range(rand, 0, 256);
			}
			if (lmtp_session_input(s, buf, n, out) == 1)
				break;
		}
		g_string_free(out, TRUE);
		lmtp_session_free(&s);
	}
	g_rand_free(rand);
}
END_TEST

START_TEST(test_limits_default)
{
	struct lmtp_limits l;

	lmtp_limits_default(&l);
	ck_assert_str_eq(l.hostname, g_get_host_name());
	ck_assert_uint_eq(l.max_message_size, 25 * 1024 * 1024);
	ck_assert_uint_eq(l.max_line, 1000);
	ck_assert_uint_eq(l.max_command, 2048);
	ck_assert_uint_eq(l.max_rcpts, 1000);
	ck_assert_uint_eq(l.idle_timeout, 300);
}
END_TEST

/* ---------------------------------------------------------------- server helpers */

struct srv {
	struct lmtp_server *server;
	GThread *thread;
	char *dir;
	char *listen;
	char *path; /* unix socket path, or NULL */
	int port;
};

static gpointer srv_thread(gpointer data)
{
	struct srv *t = data;
	char *error = NULL;
	int ret = lmtp_server_run(t->server, &error);

	g_free(error);
	return GINT_TO_POINTER(ret == 0 ? 1 : -1);
}

static void srv_start_at(struct srv *t, const char *listen, guint max_sessions)
{
	char *error = NULL;

	t->listen = g_strdup(listen);
	if (lmtp_server_new(listen, &backend, &limits, max_sessions, &t->server, &error) < 0)
		ck_abort_msg("lmtp_server_new(%s): %s", listen, error);
	t->thread = g_thread_new("server", srv_thread, t);
}

static void srv_start_unix(struct srv *t, guint max_sessions)
{
	char *listen;

	memset(t, 0, sizeof(*t));
	t->dir = g_dir_make_tmp("lmtp-XXXXXX", NULL);
	ck_assert_ptr_nonnull(t->dir);
	t->path = g_build_filename(t->dir, "lmtp", NULL);
	listen = g_strconcat("unix:", t->path, NULL);
	srv_start_at(t, listen, max_sessions);
	g_free(listen);
}

/* Stop the server; run() must return 0. */
static void srv_stop(struct srv *t)
{
	lmtp_server_stop(t->server);
	ck_assert_int_eq(GPOINTER_TO_INT(g_thread_join(t->thread)), 1);
	lmtp_server_free(&t->server);
	ck_assert_ptr_null(t->server);
	if (t->path != NULL)
		ck_assert_int_ne(access(t->path, F_OK), 0); /* socket removed */
	if (t->dir != NULL)
		rmdir(t->dir);
	g_free(t->dir);
	g_free(t->path);
	g_free(t->listen);
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static int connect_tcp(int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static void send_str(int fd, const char *s)
{
	ck_assert_int_eq(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* Read one reply line (CRLF included); "" at EOF. Byte by byte: slow, but exact. */
static char *read_line(int fd)
{
	GString *line = g_string_new(NULL);
	char c;

	while (read(fd, &c, 1) == 1) {
		g_string_append_c(line, c);
		if (c == '\n')
			break;
	}
	return g_string_free(line, FALSE);
}

static void expect_line(int fd, const char *want)
{
	char *line = read_line(fd);

	ck_assert_str_eq(line, want);
	g_free(line);
}

static void expect_eof(int fd)
{
	char c;

	ck_assert_int_eq(read(fd, &c, 1), 0);
}

/* One full pipelined transaction with two recipients, then QUIT. */
static void client_transaction(int fd, const char *body)
{
	expect_line(fd, GREETING);
	send_str(fd, TXN_HEAD);
	expect_line(fd, "250-test.example\r\n");
	for (int i = 0; i < 4; i++)
		g_free(read_line(fd));
	expect_line(fd, "250 2.1.0 sender OK\r\n");
	expect_line(fd, "250 2.1.5 recipient ok\r\n");
	expect_line(fd, "250 2.1.5 recipient ok\r\n");
	expect_line(fd, "354 End data with <CR><LF>.<CR><LF>\r\n");
	send_str(fd, body);
	send_str(fd, ".\r\nQUIT\r\n");
	expect_line(fd, "250 2.1.5 a@example.com delivered\r\n");
	expect_line(fd, "250 2.1.5 b@example.com delivered\r\n");
	expect_line(fd, "221 2.0.0 bye\r\n");
	expect_eof(fd);
}

/* ---------------------------------------------------------------- server tests */

START_TEST(test_server_unix)
{
	struct srv t;
	struct stat st;
	int fd;

	srv_start_unix(&t, 10);
	ck_assert_int_eq(stat(t.path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0666);
	fd = connect_unix(t.path);
	client_transaction(fd, "Subject: over unix\r\n\r\n..hi\r\n");
	close(fd);
	ck_assert_uint_eq(tb.n_data, 1);
	ck_assert_str_eq(tb.raw->str, "Subject: over unix\r\n\r\n.hi\r\n");
	srv_stop(&t);
}
END_TEST

START_TEST(test_server_concurrent)
{
	struct srv t;
	int a, b;

	srv_start_unix(&t, 10);
	a = connect_unix(t.path);
	b = connect_unix(t.path);
	expect_line(a, GREETING);
	expect_line(b, GREETING);
	/* interleave two sessions: each waits on its own socket */
	send_str(a, "LHLO a\r\n");
	send_str(b, "LHLO b\r\n");
	for (int i = 0; i < 5; i++) {
		g_free(read_line(b));
		g_free(read_line(a));
	}
	send_str(b, "MAIL FROM:<b@x>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
	send_str(a, "MAIL FROM:<a@x>\r\nRCPT TO:<a@example.com>\r\nDATA\r\n");
	for (int i = 0; i < 3; i++) {
		g_free(read_line(a));
		g_free(read_line(b));
	}
	send_str(a, "from a\r\n.\r\n");
	expect_line(a, "250 2.1.5 a@example.com delivered\r\n");
	send_str(b, "from b\r\n.\r\n");
	expect_line(b, "250 2.1.5 b@example.com delivered\r\n");
	ck_assert_uint_eq(tb.n_data, 2);
	close(a);
	close(b);
	srv_stop(&t);
}
END_TEST

START_TEST(test_server_too_busy)
{
	struct srv t;
	int a, b;

	srv_start_unix(&t, 1);
	a = connect_unix(t.path);
	expect_line(a, GREETING); /* a's thread is running now */
	b = connect_unix(t.path);
	expect_line(b, "421 4.3.2 test.example too busy, try again later\r\n");
	expect_eof(b);
	close(b);
	close(a);
	srv_stop(&t);
}
END_TEST

START_TEST(test_server_tcp)
{
	struct srv t;
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t slen = sizeof(sin);
	char *listen;
	int fd, probe = socket(AF_INET, SOCK_STREAM, 0);

	/* a free port: bind port 0, note the number, let it go */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(probe, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(probe, (struct sockaddr *)&sin, &slen), 0);
	close(probe);
	memset(&t, 0, sizeof(t));
	listen = g_strdup_printf("inet:127.0.0.1:%d", ntohs(sin.sin_port));
	srv_start_at(&t, listen, 4);
	g_free(listen);
	fd = connect_tcp(ntohs(sin.sin_port));
	client_transaction(fd, "Subject: over tcp\r\n\r\nhi\r\n");
	close(fd);
	ck_assert_uint_eq(tb.n_data, 1);
	srv_stop(&t);
}
END_TEST

START_TEST(test_server_idle_timeout)
{
	struct srv t;
	int fd;

	limits.idle_timeout = 1;
	srv_start_unix(&t, 4);
	fd = connect_unix(t.path);
	expect_line(fd, GREETING);
	expect_line(fd, "421 4.4.2 test.example idle timeout, closing\r\n");
	expect_eof(fd);
	close(fd);
	srv_stop(&t);
}
END_TEST

/* stop() ends run() even with an idle client connected; that client sees EOF. */
START_TEST(test_server_stop_with_client)
{
	struct srv t;
	int fd;

	srv_start_unix(&t, 4);
	fd = connect_unix(t.path);
	expect_line(fd, GREETING);
	send_str(fd, "LHLO c\r\n");
	for (int i = 0; i < 5; i++)
		g_free(read_line(fd));
	srv_stop(&t);
	expect_eof(fd);
	close(fd);
}
END_TEST

START_TEST(test_server_listen_errors)
{
	struct lmtp_server *server = NULL;
	char *dir = g_dir_make_tmp("lmtp-XXXXXX", NULL);
	char *path = g_build_filename(dir, "sock", NULL);
	char *listen = g_strconcat("unix:", path, NULL);
	char *error = NULL;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	ck_assert_int_eq(lmtp_server_new("tcp:1", &backend, &limits, 1, &server, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "unix:/path or inet:HOST:PORT"));
	g_clear_pointer(&error, g_free);
	ck_assert_int_eq(lmtp_server_new("inet:nohost", &backend, &limits, 1, &server, &error), -1);
	g_clear_pointer(&error, g_free);
	/* a regular file is never replaced */
	ck_assert(g_file_set_contents(path, "data", -1, NULL));
	ck_assert_int_eq(lmtp_server_new(listen, &backend, &limits, 1, &server, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "not a socket"));
	ck_assert_ptr_null(server);
	g_clear_pointer(&error, g_free);
	unlink(path);
	/* a stale socket (a crashed daemon's) is */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	ck_assert_int_eq(lmtp_server_new(listen, &backend, &limits, 1, &server, &error), 0);
	lmtp_server_free(&server);
	rmdir(dir);
	g_free(listen);
	g_free(path);
	g_free(dir);
}
END_TEST

/* IPv6 literal in brackets; stop() before run() makes run() return at once. */
START_TEST(test_server_ipv6_and_early_stop)
{
	struct lmtp_server *server = NULL;
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t slen = sizeof(sin6);
	char *error = NULL, *listen;
	int probe = socket(AF_INET6, SOCK_STREAM, 0);

	if (probe < 0 || bind(probe, (struct sockaddr *)&sin6, sizeof(sin6)) < 0) {
		fprintf(stderr, "SKIP test_server_ipv6_and_early_stop: no IPv6 loopback\n");
		return;
	}
	ck_assert_int_eq(getsockname(probe, (struct sockaddr *)&sin6, &slen), 0);
	close(probe);
	listen = g_strdup_printf("inet:[::1]:%d", ntohs(sin6.sin6_port));
	ck_assert_int_eq(lmtp_server_new(listen, &backend, &limits, 1, &server, &error), 0);
	lmtp_server_stop(server);
	lmtp_server_stop(server);
	ck_assert_int_eq(lmtp_server_run(server, &error), 0);
	lmtp_server_free(&server);
	g_free(listen);
}
END_TEST

/* Postfix's own LMTP load generator: 20 messages over 2 sessions must all be delivered. */
START_TEST(test_server_smtp_source)
{
	const char *tool = "/usr/sbin/smtp-source";
	struct srv t;
	char *argv[12], *out = NULL, *err = NULL, *target;
	int status = -1, n = 0;

	if (!g_file_test(tool, G_FILE_TEST_IS_EXECUTABLE)) {
		fprintf(stderr, "SKIP test_server_smtp_source: %s not installed\n", tool);
		return;
	}
	limits.max_message_size = 1024 * 1024;
	srv_start_unix(&t, 10);
	target = g_strconcat("unix:", t.path, NULL);
	if (g_file_test("/usr/bin/timeout", G_FILE_TEST_IS_EXECUTABLE)) {
		argv[n++] = "/usr/bin/timeout";
		argv[n++] = "50";
	}
	argv[n++] = (char *)tool;
	argv[n++] = "-L";
	argv[n++] = "-s";
	argv[n++] = "2";
	argv[n++] = "-m";
	argv[n++] = "20";
	argv[n++] = "-t";
	argv[n++] = "rcpt@example.com";
	argv[n++] = target;
	argv[n] = NULL;
	ck_assert(
	    g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, NULL));
	ck_assert_msg(g_spawn_check_wait_status(status, NULL), "smtp-source failed: %s%s", out,
		      err);
	ck_assert_uint_eq(tb.n_data, 20);
	ck_assert_uint_eq(tb.n_rcpts, 20);
	ck_assert_str_eq(g_ptr_array_index(tb.rcpts, 0), "rcpt@example.com");
	g_free(out);
	g_free(err);
	g_free(target);
	srv_stop(&t);
}
END_TEST

static void server_tests(TCase *tc)
{
	tcase_add_test(tc, test_server_unix);
	tcase_add_test(tc, test_server_concurrent);
	tcase_add_test(tc, test_server_too_busy);
	tcase_add_test(tc, test_server_tcp);
	tcase_add_test(tc, test_server_idle_timeout);
	tcase_add_test(tc, test_server_stop_with_client);
	tcase_add_test(tc, test_server_listen_errors);
	tcase_add_test(tc, test_server_ipv6_and_early_stop);
	tcase_add_test(tc, test_server_smtp_source);
}

static Suite *lmtp_suite(void)
{
	Suite *s = suite_create("lmtp");
	TCase *tc = tcase_create("session");
	TCase *ts = tcase_create("server");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lhlo_reply);
	tcase_add_test(tc, test_transaction_pipelined);
	tcase_add_test(tc, test_rcpt_verdicts);
	tcase_add_test(tc, test_dot_unstuffing);
	tcase_add_test(tc, test_split_everywhere);
	tcase_add_test(tc, test_size_values);
	tcase_add_test(tc, test_rset_and_second_transaction);
	tcase_add_test(tc, test_size_limits);
	tcase_add_test(tc, test_long_text_line);
	tcase_add_test(tc, test_sequence_errors);
	tcase_add_test(tc, test_mail_syntax);
	tcase_add_test(tc, test_max_rcpts);
	tcase_add_test(tc, test_other_commands);
	tcase_add_test(tc, test_long_command_and_nul);
	tcase_add_test(tc, test_too_many_errors);
	tcase_add_test(tc, test_timeout_text);
	tcase_add_test(tc, test_random_input);
	tcase_add_test(tc, test_limits_default);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(ts, setup, teardown);
	tcase_set_timeout(ts, 60);
	server_tests(ts);
	suite_add_tcase(s, ts);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lmtp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
