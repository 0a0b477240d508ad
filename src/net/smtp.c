/* smtp (net/): send one message to the relay with libetpan's mailsmtp client and collapse the
 * outcome into a verdict (OK / TEMPFAIL / PERMFAIL) with the relay's own code and text. libetpan
 * stays inside net/ (tests/lint/structure.py OWNERS). The TCP connection is made with GIO so the
 * timeout also covers connecting and the greeting (libetpan's socket_connect would read
 * the greeting with its global default timeout). Each call owns its session: thread-safe. */
#include "config.h"
#include "postdesk/net.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <libetpan/libetpan.h>
#include <string.h>
#include <unistd.h>

/* libetpan formats commands into a 513-byte buffer and would cut a longer one silently;
 * RFC 5321 caps a path at 256 octets anyway. */
#define SMTP_PATH_MAX 256

/* Fill v after a libetpan step that returned r. The relay's last reply decides, except
 * that a failed step never yields OK: when libetpan could not send or read (r is
 * MAILSMTP_ERROR_STREAM, or response_code is 0), response_code still holds an older reply. */
static void verdict_from_reply(struct verdict *v, mailsmtp *s, int r, const char *stage)
{
	int code = s->response_code;
	char enh[12] = "";
	char *text;
	enum verdict_status status;

	if (r == MAILSMTP_ERROR_STREAM || code == 0) {
		verdict_set(v, VERDICT_TEMPFAIL, 0, "4.4.2",
			    "connection to relay lost or timed out %s", stage);
		return;
	}
	if (code >= 500 && code < 600)
		status = VERDICT_PERMFAIL;
	else if (code >= 200 && code < 300 && r == MAILSMTP_NO_ERROR)
		status = VERDICT_OK;
	else
		status = VERDICT_TEMPFAIL; /* 4xx, or a code that makes no sense here */

	text = g_strdup(s->response != NULL ? s->response : "");
	text[strcspn(text, "\r\n")] = '\0';
	g_strstrip(text);
	/* An enhanced status code leads the text when the relay announced them: "5.1.1 ...".
	 * Keep it only if its class agrees with the verdict. */
	if (g_ascii_isdigit(text[0]) && text[1] == '.' && strcspn(text, " ") < sizeof(enh))
		g_strlcpy(enh, text, strcspn(text, " ") + 1);
	if (enh[0] != (status == VERDICT_OK ? '2' : status == VERDICT_PERMFAIL ? '5' : '4'))
		g_strlcpy(enh,
			  status == VERDICT_OK	       ? "2.0.0"
			  : status == VERDICT_PERMFAIL ? "5.0.0"
						       : "4.0.0",
			  sizeof(enh));
	if (status == VERDICT_OK)
		verdict_set(v, status, code, enh, "%s", text);
	else /* say where it failed: "5.1.1 No such user (RCPT)" */
		verdict_set(v, status, code, enh, "%s %s", text, stage);
	g_free(text);
}

/* Connect with GIO (timeout for the connect itself) and give libetpan a blocking dup of the
 * socket with its own per-read/write timeout. Returns the fd or -1 with v filled. */
static int relay_connect(const char *relay, int timeout_s, struct verdict *v)
{
	GSocketClient *client = g_socket_client_new();
	GSocketConnection *conn;
	GError *err = NULL;
	int fd = -1;

	g_socket_client_set_timeout(client, (guint)timeout_s);
	g_socket_client_set_enable_proxy(client, FALSE);
	conn = g_socket_client_connect_to_host(client, relay, 25, NULL, &err);
	if (conn == NULL) {
		verdict_set(v, VERDICT_TEMPFAIL, 0, "4.4.1", "cannot connect to relay %s: %s",
			    relay, err->message);
		g_error_free(err);
	} else {
		/* GIO sockets are non-blocking; libetpan expects a blocking one. The dup shares
		 * the file status flags, so clear O_NONBLOCK before GIO closes its own fd. */
		fd = dup(g_socket_get_fd(g_socket_connection_get_socket(conn)));
		if (fd < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
			verdict_set(v, VERDICT_TEMPFAIL, 0, "4.3.0", "relay socket: %s",
				    g_strerror(errno));
			if (fd >= 0)
				close(fd);
			fd = -1;
		}
		g_object_unref(conn);
	}
	g_object_unref(client);
	return fd;
}

/* Greeting, then EHLO; HELO when the relay refuses EHLO with 5xx (an old or odd server). */
static int session_open(mailsmtp *s, int fd, int timeout_s, struct verdict *v)
{
	mailstream *stream = mailstream_socket_open_timeout(fd, (time_t)timeout_s);
	int r;

	if (stream == NULL) {
		close(fd);
		verdict_set(v, VERDICT_TEMPFAIL, 0, "4.3.0", "out of memory for the relay stream");
		return -1;
	}
	r = mailsmtp_connect(s, stream);
	if (r != MAILSMTP_NO_ERROR) {
		/* libetpan has closed the stream (and the fd). */
		verdict_from_reply(v, s, r, "(greeting)");
		return -1;
	}
	r = mailesmtp_ehlo(s);
	if (r == MAILSMTP_NO_ERROR)
		return 0;
	if (r != MAILSMTP_ERROR_STREAM && s->response_code >= 500 && s->response_code < 600) {
		r = mailsmtp_helo(s);
		if (r == MAILSMTP_NO_ERROR)
			return 0;
	}
	verdict_from_reply(v, s, r, "(EHLO/HELO)");
	return -1;
}

/* The envelope goes into SMTP commands verbatim: anything that could end or split the
 * command or the <path> is refused before the relay sees it. */
static int envelope_ok(const char *addr, gboolean may_be_empty)
{
	if (*addr == '\0')
		return may_be_empty;
	if (strlen(addr) > SMTP_PATH_MAX || strchr(addr, '@') == NULL)
		return 0;
	for (const char *p = addr; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
			return 0;
	return 1;
}

/* RCPT TO for each recipient. Returns the number accepted, or -1 with v filled when the
 * message must not be sent (a 4xx or a lost connection: retry all later; all refused). */
static int send_rcpts(mailsmtp *s, const char *const *rcpts, guint n, struct verdict *v,
		      struct verdict *refused)
{
	int accepted = 0;
	struct verdict r;

	refused->status = VERDICT_OK;
	for (guint i = 0; i < n; i++) {
		int ret = mailsmtp_rcpt(s, rcpts[i]);
		if (ret == MAILSMTP_NO_ERROR) {
			accepted++;
			continue;
		}
		verdict_from_reply(&r, s, ret, "(RCPT)");
		if (r.status != VERDICT_PERMFAIL) {
			*v = r;
			return -1;
		}
		if (refused->status == VERDICT_OK) {
			*refused = r;
			verdict_set(refused, r.status, r.smtp, r.enh, "refused %s: %d %s", rcpts[i],
				    r.smtp, r.text);
		}
	}
	if (accepted == 0) {
		*v = *refused;
		return -1;
	}
	return accepted;
}

/* One transaction on an open session; fills v. */
static void transaction(mailsmtp *s, const char *env_from, const char *const *rcpts, guint n_rcpts,
			const char *data, gsize len, struct verdict *v)
{
	struct verdict refused;
	int r;

	r = mailsmtp_mail(s, env_from);
	if (r != MAILSMTP_NO_ERROR) {
		verdict_from_reply(v, s, r, "(MAIL)");
		return;
	}
	if (send_rcpts(s, rcpts, n_rcpts, v, &refused) < 0)
		return;
	r = mailsmtp_data(s);
	if (r != MAILSMTP_NO_ERROR) {
		verdict_from_reply(v, s, r, "(DATA)");
		return;
	}
	/* libetpan converts bare LF to CRLF, dot-stuffs and sends the final ".". */
	r = mailsmtp_data_message(s, data, len);
	verdict_from_reply(v, s, r, "(end of data)");
	if (v->status == VERDICT_OK && refused.status != VERDICT_OK) {
		struct verdict ok = *v;
		verdict_set(v, VERDICT_OK, ok.smtp, ok.enh, "%s; accepted for the others: %s",
			    refused.text, ok.text);
	}
}

int net_smtp_send(const char *relay, const char *env_from, const char *const *rcpts,
		     guint n_rcpts, const char *data, gsize len, int timeout_s, struct verdict *v)
{
	mailsmtp *s;
	int fd;

	if (!envelope_ok(env_from, TRUE)) {
		verdict_set(v, VERDICT_PERMFAIL, 553, "5.1.7", "bad envelope sender \"%s\"",
			    env_from);
		return 0;
	}
	if (n_rcpts == 0) {
		verdict_set(v, VERDICT_PERMFAIL, 554, "5.5.1", "no recipients");
		return 0;
	}
	for (guint i = 0; i < n_rcpts; i++) {
		if (!envelope_ok(rcpts[i], FALSE)) {
			verdict_set(v, VERDICT_PERMFAIL, 553, "5.1.3", "bad recipient \"%s\"",
				    rcpts[i]);
			return 0;
		}
	}
	if (timeout_s <= 0)
		timeout_s = 60;

	fd = relay_connect(relay, timeout_s, v);
	if (fd < 0)
		return 0;
	s = mailsmtp_new(0, NULL);
	if (s == NULL) {
		close(fd);
		verdict_set(v, VERDICT_TEMPFAIL, 0, "4.3.0", "out of memory for the SMTP session");
		return 0;
	}
	mailsmtp_set_timeout(s, (time_t)timeout_s);
	if (session_open(s, fd, timeout_s, v) == 0) {
		transaction(s, env_from, rcpts, n_rcpts, data, len, v);
		/* The verdict is settled: a QUIT that fails changes nothing. */
		mailsmtp_quit(s);
	}
	mailsmtp_free(s);
	return 0;
}
