/* session: the LMTP protocol (RFC 2033, with RFC 5321 details) as a pure state machine.
 * Bytes go in, reply text comes out; no I/O, no clock, no globals, so the same code serves
 * the server, the unit tests and the fuzzer. Every byte sequence is valid input: memory is
 * bounded by max_command for a command line and, for DATA, by spool_threshold when the
 * limits name a spool directory (the bytes past it go to a nameless spool file, the one
 * I/O a session does) or else by max_message_size (+1 for a NUL).
 * Ownership: a session owns its buffers, envelope and the accepted recipient list; backend
 * and limits are borrowed. Threading: one session belongs to one thread at a time. */
#include "config.h"
#include "postdesk/lmtp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Consecutive protocol errors before we give up on a client (Postfix smtpd uses 20 too). */
#define LMTP_MAX_BAD_COMMANDS 20

/* Where the DATA scanner is inside the current text line. */
enum data_pos {
	DATA_BOL,    /* at the start of a line */
	DATA_DOT,    /* the line began with '.', which was dropped */
	DATA_DOT_CR, /* the line began with ".\r" */
	DATA_MID,    /* inside a line */
};

struct lmtp_session {
	const struct lmtp_backend *backend;
	const struct lmtp_limits *limits;

	GString *line;		/* partial command line (bounded by max_command) */
	gboolean line_overflow; /* discarding the rest of an over-long command line */
	guint bad_commands;	/* consecutive protocol errors */
	gboolean closed;	/* QUIT or a fatal error: ignore further input */
	gboolean lhlo;		/* LHLO seen */

	/* the transaction */
	char *sender;	  /* NULL: no MAIL yet; "" for the null sender */
	GPtrArray *rcpts; /* accepted recipients, in RCPT order (char *) */

	/* DATA, read straight into the spool (no per-line copies) */
	gboolean in_data;
	enum data_pos data_pos;
	struct spool *data;
	gboolean data_too_big;
};

static const char *session_host(const struct lmtp_session *s)
{
	return s->limits->hostname != NULL ? s->limits->hostname : "localhost";
}

/* A syntax or sequence error: counted, so a client that only sends junk gets dropped. */
static void reply_bad(struct lmtp_session *s, GString *out, const char *reply)
{
	g_string_append(out, reply);
	g_string_append(out, "\r\n");
	s->bad_commands++;
}

static void reply_ok(struct lmtp_session *s, GString *out, const char *reply)
{
	g_string_append(out, reply);
	g_string_append(out, "\r\n");
	s->bad_commands = 0;
}

/* A verdict from the backend becomes one reply line. The backend is trusted to fill it,
 * but a malformed one must not break the protocol: a bad code is a temporary failure, never
 * a success, and CR/LF in the text cannot start a new reply line. */
static void reply_verdict(GString *out, const struct verdict *v)
{
	gsize start;

	if (v->smtp < 200 || v->smtp > 599) {
		g_string_append(out, "451 4.3.0 internal error: bad verdict\r\n");
		return;
	}
	start = out->len;
	g_string_append_printf(out, "%d", v->smtp);
	if (v->enh[0] != '\0')
		g_string_append_printf(out, " %.*s", (int)sizeof(v->enh), v->enh);
	g_string_append_printf(out, " %.*s", (int)sizeof(v->text), v->text);
	for (gsize i = start; i < out->len; i++)
		if (out->str[i] == '\r' || out->str[i] == '\n')
			out->str[i] = ' ';
	g_string_append(out, "\r\n");
}

/* A verdict the backend forgot to fill must not read as success. */
static void verdict_preset(struct verdict *v)
{
	verdict_set(v, VERDICT_TEMPFAIL, 451, "4.3.0", "no result from delivery");
}

static void transaction_reset(struct lmtp_session *s)
{
	g_clear_pointer(&s->sender, g_free);
	g_ptr_array_set_size(s->rcpts, 0);
	spool_free(&s->data);
	s->data_too_big = FALSE;
	s->in_data = FALSE;
}

void lmtp_limits_default(struct lmtp_limits *limits)
{
	limits->hostname = g_get_host_name();
	limits->max_message_size = 25 * 1024 * 1024;
	limits->max_line = 1000;
	limits->max_command = 2048;
	limits->max_rcpts = 1000;
	limits->idle_timeout = 300;
	limits->spool_dir = NULL;
	limits->spool_threshold = 1024 * 1024;
}

struct lmtp_session *lmtp_session_new(const struct lmtp_backend *backend,
				      const struct lmtp_limits *limits)
{
	struct lmtp_session *s = g_new0(struct lmtp_session, 1);

	s->backend = backend;
	s->limits = limits;
	s->line = g_string_sized_new(128);
	s->rcpts = g_ptr_array_new_with_free_func(g_free);
	return s;
}

void lmtp_session_free(struct lmtp_session **session)
{
	struct lmtp_session *s = *session;

	if (s == NULL)
		return;
	transaction_reset(s);
	g_ptr_array_unref(s->rcpts);
	g_string_free(s->line, TRUE);
	g_free(s);
	*session = NULL;
}

void lmtp_session_greet(struct lmtp_session *session, GString *out)
{
	g_string_append_printf(out, "220 %s LMTP postdesk ready\r\n", session_host(session));
}

void lmtp_session_timeout(struct lmtp_session *session, GString *out)
{
	g_string_append_printf(out, "421 4.4.2 %s idle timeout, closing\r\n",
			       session_host(session));
	session->closed = TRUE;
}

gboolean lmtp_session_idle(const struct lmtp_session *session)
{
	return session->closed ||
	       (!session->in_data && session->sender == NULL && session->line->len == 0);
}

/* ---------------------------------------------------------------- DATA */

/* Store message bytes. Past max_message_size we only keep reading (so the client reaches
 * the dot and gets a clean 552) and drop what we had: memory and spool stay bounded. A
 * spool write failure (disk full) is remembered by the spool and answered at the dot. */
static void data_store(struct lmtp_session *s, const char *p, gsize n)
{
	gsize max = s->limits->max_message_size;

	if (s->data_too_big || n == 0)
		return;
	if (n > max - spool_len(s->data)) {
		s->data_too_big = TRUE;
		spool_free(&s->data);
		return;
	}
	(void)spool_write(s->data, p, n);
}

/* The spool could not take the message: a temporary failure, the MTA keeps the mail. */
static void data_spool_failed(struct lmtp_session *s, struct verdict *v, guint n)
{
	int err = 0;
	const char *why = spool_error(s->data, &err);
	gboolean full = err == ENOSPC || err == EDQUOT || err == EFBIG;

	log_warn("lmtp: message from <%s> not taken: %s", s->sender, why);
	for (guint i = 0; i < n; i++) {
		if (full)
			verdict_set(&v[i], VERDICT_TEMPFAIL, 452, "4.3.1",
				    "insufficient spool space, try again later");
		else
			verdict_set(&v[i], VERDICT_TEMPFAIL, 451, "4.3.0",
				    "spool file error, try again later");
	}
}

/* Hand the complete message to the backend: a spooled one as its file (the backend takes
 * the descriptor), a small one as a NUL-terminated buffer. */
static void data_deliver(struct lmtp_session *s, struct verdict *v, guint n)
{
	const char *const *rcpts = (const char *const *)s->rcpts->pdata;

	for (guint i = 0; i < n; i++)
		verdict_preset(&v[i]);
	if (spool_fd(s->data) >= 0) {
		gsize len = spool_len(s->data);

		s->backend->data_spooled(s->backend->ctx, s->sender, rcpts, n,
					 spool_steal_fd(s->data), len, v);
	} else {
		gsize len = spool_len(s->data);
		char *raw = spool_steal_data(s->data);

		s->backend->data(s->backend->ctx, s->sender, rcpts, n, raw, len, v);
		g_free(raw);
	}
}

/* The final dot: one reply per accepted recipient, in RCPT order, then a fresh transaction. */
static void data_end(struct lmtp_session *s, GString *out)
{
	guint n = s->rcpts->len;
	struct verdict *v = g_new(struct verdict, n);

	if (s->data_too_big) {
		for (guint i = 0; i < n; i++)
			verdict_set(&v[i], VERDICT_PERMFAIL, 552, "5.3.4", "message too big");
	} else if (spool_error(s->data, NULL) != NULL) {
		data_spool_failed(s, v, n);
	} else {
		data_deliver(s, v, n);
	}
	for (guint i = 0; i < n; i++)
		reply_verdict(out, &v[i]);
	g_free(v);
	s->bad_commands = 0;
	transaction_reset(s);
}

/* Scan message text: dot-unstuffing and the end-of-data line, with line ends kept as sent
 * (CRLF or a bare LF). State lives in data_pos, so input may be split anywhere. Returns the
 * number of bytes consumed (all of them, unless the final dot was reached). */
static gsize data_input(struct lmtp_session *s, const char *p, gsize len, GString *out)
{
	gsize i = 0;

	while (i < len) {
		switch (s->data_pos) {
		case DATA_BOL:
			if (p[i] == '.') {
				s->data_pos = DATA_DOT;
				i++;
			} else {
				s->data_pos = DATA_MID;
			}
			break;
		case DATA_DOT:
			if (p[i] == '\n') {
				data_end(s, out);
				return i + 1;
			}
			s->data_pos = p[i] == '\r' ? DATA_DOT_CR : DATA_MID;
			if (s->data_pos == DATA_DOT_CR)
				i++;
			break;
		case DATA_DOT_CR:
			if (p[i] == '\n') {
				data_end(s, out);
				return i + 1;
			}
			/* ".\r" followed by text: the dot was stuffing, keep the CR */
			data_store(s, "\r", 1);
			s->data_pos = DATA_MID;
			break;
		case DATA_MID: {
			/* A long text line (beyond max_line) is accepted: only Postfix bugs send
			 * one, and bouncing real mail over it helps nobody. It counts toward size.
			 */
			const char *lf = memchr(p + i, '\n', len - i);
			gsize n = lf != NULL ? (gsize)(lf - (p + i)) + 1 : len - i;

			data_store(s, p + i, n);
			i += n;
			if (lf != NULL)
				s->data_pos = DATA_BOL;
			break;
		}
		}
	}
	return len;
}

/* ---------------------------------------------------------------- commands */

/* Parse "<path> params" after "FROM:"/"TO:". Liberal about spaces after the colon (Postfix
 * sends none, others send one). Quoted local parts may contain '>'. On success *addr_r is
 * the text between the brackets as written (g_malloc'ed) and *params_r points into arg. */
static gboolean parse_path(const char *arg, char **addr_r, const char **params_r)
{
	const char *p = arg, *start;
	gboolean quoted = FALSE;

	while (*p == ' ')
		p++;
	if (*p != '<')
		return FALSE;
	start = ++p;
	for (; *p != '\0'; p++) {
		if (quoted && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '>')
			break;
	}
	if (*p != '>')
		return FALSE;
	if (p[1] != '\0' && p[1] != ' ')
		return FALSE;
	*addr_r = g_strndup(start, p - start);
	*params_r = p + 1;
	return TRUE;
}

/* A decimal SIZE value: digits only, no sign or space, no overflow. Not
 * g_ascii_string_to_unsigned(): GLib 2.74 judges success by errno, which its first call in a
 * process can set spuriously when several threads make that first call at once (the
 * g_once that sets up its C locale waits on a futex) -- a freshly restarted lmtpd answered
 * a valid MAIL from Postfix with 501 that way (tests/e2e/crash_lmtpd.sh, doc/durability.md). */
static gboolean parse_size(const char *s, guint64 *size_r)
{
	guint64 v = 0;

	if (*s == '\0')
		return FALSE;
	for (; *s != '\0'; s++) {
		if (!g_ascii_isdigit(*s) || v > (G_MAXUINT64 - (guint64)(*s - '0')) / 10)
			return FALSE;
		v = v * 10 + (guint64)(*s - '0');
	}
	*size_r = v;
	return TRUE;
}

/* One MAIL parameter; returns NULL when acceptable or the error reply. */
static const char *mail_param(struct lmtp_session *s, const char *param)
{
	const char *eq = strchr(param, '=');
	gsize klen = eq != NULL ? (gsize)(eq - param) : strlen(param);

	if (klen == 4 && g_ascii_strncasecmp(param, "SIZE", 4) == 0) {
		guint64 size;

		if (eq == NULL || !parse_size(eq + 1, &size))
			return "501 5.5.4 bad SIZE parameter";
		if (size > s->limits->max_message_size)
			return "552 5.3.4 message too big";
		return NULL;
	}
	if (klen == 4 && g_ascii_strncasecmp(param, "BODY", 4) == 0) {
		if (eq != NULL && (g_ascii_strcasecmp(eq + 1, "7BIT") == 0 ||
				   g_ascii_strcasecmp(eq + 1, "8BITMIME") == 0))
			return NULL;
		return "501 5.5.4 bad BODY parameter";
	}
	return "555 5.5.4 unsupported parameter";
}

static void cmd_mail(struct lmtp_session *s, const char *arg, GString *out)
{
	char *addr, **params;
	const char *rest, *err = NULL;

	if (!s->lhlo) {
		reply_bad(s, out, "503 5.5.1 send LHLO first");
		return;
	}
	if (s->sender != NULL) {
		reply_bad(s, out, "503 5.5.1 nested MAIL command");
		return;
	}
	if (g_ascii_strncasecmp(arg, "FROM:", 5) != 0 || !parse_path(arg + 5, &addr, &rest)) {
		reply_bad(s, out, "501 5.5.2 syntax: MAIL FROM:<address>");
		return;
	}
	params = g_strsplit(rest, " ", -1);
	for (guint i = 0; params[i] != NULL && err == NULL; i++)
		if (params[i][0] != '\0')
			err = mail_param(s, params[i]);
	g_strfreev(params);
	if (err != NULL) {
		log_info("lmtp: MAIL refused (%s): %.300s", err, arg);
		g_free(addr);
		/* 552 is a policy answer, not a protocol error */
		if (err[0] == '5' && err[1] == '5' && err[2] == '2') {
			reply_ok(s, out, err);
			return;
		}
		reply_bad(s, out, err);
		return;
	}
	s->sender = addr;
	reply_ok(s, out, "250 2.1.0 sender OK");
}

static void cmd_rcpt(struct lmtp_session *s, const char *arg, GString *out)
{
	struct verdict v;
	char *addr;
	const char *rest;

	if (s->sender == NULL) {
		reply_bad(s, out, "503 5.5.1 need MAIL before RCPT");
		return;
	}
	if (g_ascii_strncasecmp(arg, "TO:", 3) != 0 || !parse_path(arg + 3, &addr, &rest)) {
		reply_bad(s, out, "501 5.5.2 syntax: RCPT TO:<address>");
		return;
	}
	while (*rest == ' ')
		rest++;
	if (*rest != '\0') {
		g_free(addr);
		reply_bad(s, out, "555 5.5.4 unsupported parameter");
		return;
	}
	if (addr[0] == '\0') {
		g_free(addr);
		reply_bad(s, out, "501 5.1.3 empty recipient address");
		return;
	}
	if (s->rcpts->len >= s->limits->max_rcpts) {
		g_free(addr);
		reply_ok(s, out, "452 4.5.3 too many recipients");
		return;
	}
	verdict_preset(&v);
	s->backend->rcpt(s->backend->ctx, addr, &v);
	reply_verdict(out, &v);
	s->bad_commands = 0;
	if (v.status == VERDICT_OK && v.smtp >= 200 && v.smtp < 300)
		g_ptr_array_add(s->rcpts, addr);
	else
		g_free(addr);
}

static void cmd_data(struct lmtp_session *s, const char *arg, GString *out)
{
	if (arg[0] != '\0') {
		reply_bad(s, out, "501 5.5.4 DATA takes no arguments");
		return;
	}
	if (s->sender == NULL) {
		reply_bad(s, out, "503 5.5.1 need MAIL before DATA");
		return;
	}
	if (s->rcpts->len == 0) {
		reply_bad(s, out, "503 5.5.1 no valid recipients");
		return;
	}
	reply_ok(s, out, "354 End data with <CR><LF>.<CR><LF>");
	/* Spooling needs a backend that takes a file; without one, all stays in memory. */
	s->data = spool_new(s->backend->data_spooled != NULL ? s->limits->spool_dir : NULL,
			    s->limits->spool_threshold);
	s->in_data = TRUE;
	s->data_pos = DATA_BOL;
}

static void cmd_lhlo(struct lmtp_session *s, const char *arg, GString *out)
{
	if (arg[0] == '\0') {
		reply_bad(s, out, "501 5.5.4 syntax: LHLO hostname");
		return;
	}
	transaction_reset(s);
	s->lhlo = TRUE;
	g_string_append_printf(out,
			       "250-%s\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n"
			       "250-8BITMIME\r\n250 SIZE %" G_GSIZE_FORMAT "\r\n",
			       session_host(s), s->limits->max_message_size);
	s->bad_commands = 0;
}

/* Dispatch one complete command line (CR/LF already removed, no NUL inside). */
static void command(struct lmtp_session *s, const char *line, GString *out)
{
	gsize vlen = strcspn(line, " ");
	const char *arg = line + vlen;
	char verb[8];

	while (*arg == ' ')
		arg++;
	if (vlen == 0 || vlen >= sizeof(verb)) {
		reply_bad(s, out, "500 5.5.1 unknown command");
		return;
	}
	memcpy(verb, line, vlen);
	verb[vlen] = '\0';

	if (g_ascii_strcasecmp(verb, "LHLO") == 0)
		cmd_lhlo(s, arg, out);
	else if (g_ascii_strcasecmp(verb, "MAIL") == 0)
		cmd_mail(s, arg, out);
	else if (g_ascii_strcasecmp(verb, "RCPT") == 0)
		cmd_rcpt(s, arg, out);
	else if (g_ascii_strcasecmp(verb, "DATA") == 0)
		cmd_data(s, arg, out);
	else if (g_ascii_strcasecmp(verb, "RSET") == 0) {
		transaction_reset(s);
		reply_ok(s, out, "250 2.0.0 OK");
	} else if (g_ascii_strcasecmp(verb, "NOOP") == 0)
		reply_ok(s, out, "250 2.0.0 OK");
	else if (g_ascii_strcasecmp(verb, "QUIT") == 0) {
		reply_ok(s, out, "221 2.0.0 bye");
		s->closed = TRUE;
	} else if (g_ascii_strcasecmp(verb, "VRFY") == 0)
		reply_ok(s, out, "252 2.5.2 cannot VRFY, send some mail");
	else if (g_ascii_strcasecmp(verb, "HELO") == 0 || g_ascii_strcasecmp(verb, "EHLO") == 0)
		reply_bad(s, out, "500 5.5.1 this is LMTP, use LHLO");
	else if (g_ascii_strcasecmp(verb, "EXPN") == 0 || g_ascii_strcasecmp(verb, "HELP") == 0 ||
		 g_ascii_strcasecmp(verb, "BDAT") == 0 || g_ascii_strcasecmp(verb, "TURN") == 0)
		reply_bad(s, out, "502 5.5.2 command not implemented");
	else
		reply_bad(s, out, "500 5.5.1 unknown command");
}

/* A complete command line is in s->line (LF included unless it overflowed). */
static void command_line(struct lmtp_session *s, GString *out)
{
	GString *line = s->line;

	if (s->line_overflow) {
		s->line_overflow = FALSE;
		reply_bad(s, out, "500 5.5.2 line too long");
	} else {
		if (line->len > 0 && line->str[line->len - 1] == '\n')
			g_string_truncate(line, line->len - 1);
		if (line->len > 0 && line->str[line->len - 1] == '\r')
			g_string_truncate(line, line->len - 1);
		if (memchr(line->str, '\0', line->len) != NULL)
			reply_bad(s, out, "500 5.5.2 NUL character in command");
		else
			command(s, line->str, out);
	}
	g_string_truncate(line, 0);
	if (s->bad_commands >= LMTP_MAX_BAD_COMMANDS && !s->closed) {
		g_string_append_printf(out, "421 4.7.0 %s too many errors, closing\r\n",
				       session_host(s));
		s->closed = TRUE;
	}
}

/* Take command bytes up to and including one LF; returns bytes consumed. */
static gsize command_input(struct lmtp_session *s, const char *p, gsize len, GString *out)
{
	const char *lf = memchr(p, '\n', len);
	gsize n = lf != NULL ? (gsize)(lf - p) + 1 : len;

	if (!s->line_overflow) {
		if (s->line->len + n > s->limits->max_command /* CRLF included */) {
			s->line_overflow = TRUE;
			g_string_truncate(s->line, 0);
		} else {
			g_string_append_len(s->line, p, n);
		}
	}
	if (lf != NULL)
		command_line(s, out);
	return n;
}

int lmtp_session_input(struct lmtp_session *session, const char *data, gsize len, GString *out)
{
	gsize done = 0;

	while (done < len && !session->closed) {
		if (session->in_data)
			done += data_input(session, data + done, len - done, out);
		else
			done += command_input(session, data + done, len - done, out);
	}
	return session->closed ? 1 : 0;
}
