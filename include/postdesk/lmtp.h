/* lmtp: the LMTP front end of postdesk-lmtpd (RFC 2033): a pure session state machine, the
 * server that runs one thread per connection, and the backend that hands each complete
 * message to deliver/'s group committer. Sessions never touch the database; a session's
 * 250 for a recipient comes only after the committer reports the commit. */
#ifndef POSTDESK_LMTP_H
#define POSTDESK_LMTP_H

#include <glib.h>
#include "postdesk/conf.h"
#include "postdesk/deliver.h"
#include "postdesk/lib.h"
#include "postdesk/token.h"

/* ======================= LMTP session (pure state machine) ======================= */

struct lmtp_limits;
/* What a session needs from the rest of the program. Called from the session's thread. */
struct lmtp_backend {
	void *ctx;
	/* RCPT TO: decide now (250 / 550 5.1.1 / 550 5.7.1 / 4xx). */
	void (*rcpt)(void *ctx, const char *addr, struct verdict *v);
	/* After the final dot: deliver raw (dot-unstuffed, CRLF as received) to the accepted
	 * recipients; fill verdicts[i] for rcpts[i]. Returns only when the result is durable. */
	void (*data)(void *ctx, const char *sender, const char *const *rcpts, guint n_rcpts,
		     const char *raw, gsize len, struct verdict *verdicts);
	/* The same for a message spooled to a file (longer than limits->spool_threshold): its
	 * len bytes are at the start of the nameless file fd, which the callee now owns and
	 * closes. NULL: the session never spools. */
	void (*data_spooled)(void *ctx, const char *sender, const char *const *rcpts,
			     guint n_rcpts, int fd, gsize len, struct verdict *verdicts);
	/* Optional (NULL: ctx and the server's limits serve every connection). pin: called
	 * in the accept thread when a connection starts; returns the ctx its rcpt/data calls
	 * get and the limits it runs under, both valid until unpin, called in the
	 * connection's thread at its end (the configuration a connection started with stays
	 * its own across a reload). reload: called in the accept thread after
	 * lmtp_server_reload(). */
	void *(*pin)(void *ctx, const struct lmtp_limits **limits_r);
	void (*unpin)(void *ctx, void *pinned);
	void (*reload)(void *ctx);
};

struct lmtp_limits {
	const char *hostname;   /* in the greeting and LHLO reply */
	gsize max_message_size; /* SIZE advertised; bigger messages get 552 5.3.4 */
	guint max_line;         /* text line limit in DATA (RFC 5321: 1000 incl. CRLF) */
	guint max_command;      /* command line limit (512 incl. CRLF, more for ESMTP params) */
	guint max_rcpts;        /* recipients per transaction (452 4.5.3 beyond) */
	guint idle_timeout;     /* seconds without input before the server closes */
	const char *spool_dir;  /* DATA past spool_threshold goes to a file here; NULL: never */
	gsize spool_threshold;  /* bytes of DATA kept in memory (default 1 MB) */
};
void lmtp_limits_default(struct lmtp_limits *limits);

struct lmtp_session;
/* Owner: the caller; backend and limits are borrowed and must outlive the session. */
struct lmtp_session *lmtp_session_new(const struct lmtp_backend *backend,
				      const struct lmtp_limits *limits);
void lmtp_session_free(struct lmtp_session **session);
/* Append the 220 greeting to out. */
void lmtp_session_greet(struct lmtp_session *session, GString *out);
/* Feed bytes read from the client. Complete replies are appended to out (the caller writes
 * out in one write() once no more input is pending: PIPELINING, and no Nagle stalls).
 * Returns 1 when the connection must close after out is written (QUIT, fatal error), 0 to
 * go on. Partial lines are buffered inside the session. */
int lmtp_session_input(struct lmtp_session *session, const char *data, gsize len, GString *out);
/* The 421 reply for an idle timeout, appended to out. */
void lmtp_session_timeout(struct lmtp_session *session, GString *out);
/* TRUE between transactions (no MAIL, not in DATA, no partial command buffered) or once
 * closed: a daemon that is stopping may close the connection now without losing anything. */
gboolean lmtp_session_idle(const struct lmtp_session *session);

/* ======================= LMTP server ======================= */

struct lmtp_server;
/* Listen on "unix:/path" (mode 0666 so Postfix can connect; stale socket replaced) or
 * "inet:HOST:PORT". TCP sockets get TCP_NODELAY. */
int lmtp_server_new(const char *listen, const struct lmtp_backend *backend,
		    const struct lmtp_limits *limits, guint max_sessions,
		    struct lmtp_server **server_r, char **error_r);
/* Accept and serve until lmtp_server_stop() (thread per connection, at most max_sessions;
 * beyond that a connection gets 421 4.3.2). On stop: no new connection is accepted, a
 * session between transactions is closed at once, a session inside one finishes it (its
 * replies written) and is closed then. Returns when every session has ended. */
int lmtp_server_run(struct lmtp_server *server, char **error_r);
/* Async-signal-safe: ask run() to return. */
void lmtp_server_stop(struct lmtp_server *server);
/* Async-signal-safe: ask run() to call backend->reload between two accepts. */
void lmtp_server_reload(struct lmtp_server *server);
void lmtp_server_free(struct lmtp_server **server);

/* The directory big messages are spooled to: spool_dir, else "spool" beside the database
 * (g_malloc'ed). lmtpd makes it (0700, the daemons' user) after dropping privileges; a
 * reload that changes it needs a restart. */
char *lmtp_spool_dir(const struct conf *conf);
/* The daemon's backend: RCPT through deliver_rcpt_resolve, DATA through deliver_parse and the
 * group committer, which it starts (threads: call after daemon()) and owns. Takes over
 * the reference to snap, the configuration loaded at start; each connection pins the
 * current snapshot; reload loads conf_path anew (deliver_snapshot_load) and swaps it in,
 * or logs why not and keeps the running one. The committer keeps the first snapshot's
 * database and batch settings until the context is freed. */
struct lmtp_backend_ctx;
int lmtp_backend_ctx_new(const char *conf_path, struct deliver_snapshot *snap,
			 struct lmtp_backend *backend_r, struct lmtp_backend_ctx **ctx_r,
			 char **error_r);
/* After the server has stopped (no session left): stops the committer, frees the rest. */
void lmtp_backend_ctx_free(struct lmtp_backend_ctx **ctx);

#endif
