/* ingest: how mail comes in. The LMTP protocol (session state machine + server), the
 * recipient check shared by LMTP RCPT, the milter and `postdesk deliver`, the delivery
 * pipeline (parse -> thread -> store) and the group-commit writer.
 *
 * Threads: the LMTP server runs one thread per connection; sessions never touch the
 * database: they hand complete messages to the committer, whose single writer thread
 * threads and stores a batch of messages in one transaction and answers each waiting
 * session after the batch is durable (group commit). */
#ifndef POSTDESK_INGEST_H
#define POSTDESK_INGEST_H

#include <glib.h>
#include "postdesk/conf.h"
#include "postdesk/lib.h"
#include "postdesk/store.h"
#include "postdesk/token.h"

/* ======================= LMTP session (pure state machine) ======================= */

/* What a session needs from the rest of the program. Called from the session's thread. */
struct lmtp_backend {
	void *ctx;
	/* RCPT TO: decide now (250 / 550 5.1.1 / 550 5.7.1 / 4xx). */
	void (*rcpt)(void *ctx, const char *addr, struct verdict *v);
	/* After the final dot: deliver raw (dot-unstuffed, CRLF as received) to the accepted
	 * recipients; fill verdicts[i] for rcpts[i]. Returns only when the result is durable. */
	void (*data)(void *ctx, const char *sender, const char *const *rcpts, guint n_rcpts,
		     const char *raw, gsize len, struct verdict *verdicts);
};

struct lmtp_limits {
	const char *hostname;   /* in the greeting and LHLO reply */
	gsize max_message_size; /* SIZE advertised; bigger messages get 552 5.3.4 */
	guint max_line;         /* text line limit in DATA (RFC 5321: 1000 incl. CRLF) */
	guint max_command;      /* command line limit (512 incl. CRLF, more for ESMTP params) */
	guint max_rcpts;        /* recipients per transaction (452 4.5.3 beyond) */
	guint idle_timeout;     /* seconds without input before the server closes */
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

/* ======================= LMTP server ======================= */

struct lmtp_server;
/* Listen on "unix:/path" (mode 0666 so Postfix can connect; stale socket replaced) or
 * "inet:HOST:PORT". TCP sockets get TCP_NODELAY. */
int lmtp_server_new(const char *listen, const struct lmtp_backend *backend,
		    const struct lmtp_limits *limits, guint max_sessions,
		    struct lmtp_server **server_r, char **error_r);
/* Accept and serve until lmtp_server_stop() (thread per connection, at most max_sessions;
 * beyond that a connection gets 421 4.3.2). Returns when stopped and sessions ended. */
int lmtp_server_run(struct lmtp_server *server, char **error_r);
/* Async-signal-safe: ask run() to return. */
void lmtp_server_stop(struct lmtp_server *server);
void lmtp_server_free(struct lmtp_server **server);

/* The daemon's backend: RCPT through rcpt_resolve, DATA through delivery_parse and the
 * committer. Everything passed in is borrowed and must outlive the context. */
struct committer;
struct lmtp_backend_ctx;
struct lmtp_backend_ctx *lmtp_backend_ctx_new(const struct conf *conf,
					      const struct token_keys *keys,
					      struct committer *committer,
					      struct lmtp_backend *backend_r);
void lmtp_backend_ctx_free(struct lmtp_backend_ctx **ctx);

/* ======================= recipients ======================= */

struct rcpt {
	char *addr;                     /* lower-case */
	const struct conf_queue *queue; /* borrowed from conf */
	gboolean has_token;
	struct token token;
};
/* Decide whether addr is ours: a queue address (250), a valid token address of our domain
 * (250), a token with a bad MAC (550 5.7.1), anything else (550 5.1.1). On OK, *r filled
 * (r->addr owned by r, free with rcpt_clear). */
void rcpt_resolve(const struct conf *conf, const struct token_keys *keys, const char *addr,
		  struct rcpt *r, struct verdict *v);
void rcpt_clear(struct rcpt *r);

/* ======================= delivery pipeline ======================= */

struct notify_ctx;
/* What delivering needs besides the store. notify NULL: no outbound mail is queued (unit
 * tests of threading). Borrowed, immutable, shareable between threads. */
struct delivery_env {
	const struct conf *conf;
	struct notify_ctx *notify;
};

/* One message for one or more accepted recipients. Owns everything about the message. */
struct delivery {
	char *sender;               /* envelope sender, "" for <> */
	GArray *rcpts;              /* struct rcpt */
	char *raw;
	gsize raw_len;
	struct parse_msg *msg;      /* set by delivery_parse */
	struct verdict *verdicts;   /* one per recipient, set by delivery_apply */
	gint64 *ticket_ids;         /* one per recipient (0 if failed) */
	gboolean id_checked;        /* Message-ID reuse looked at (delivery.c) */
};
/* Takes ownership of raw (g_malloc'ed). */
struct delivery *delivery_new(const char *sender, char *raw, gsize raw_len);
void delivery_add_rcpt(struct delivery *d, struct rcpt *r); /* takes r's contents */
void delivery_free(struct delivery **d);
/* Parse the message (no database). A message that cannot be parsed at all sets every
 * verdict to a permanent failure and returns -1. */
int delivery_parse(struct delivery *d);
/* Thread and store for every recipient, inside the caller's open transaction, each
 * recipient in its own savepoint. Verdicts: 250 when stored (or already stored), 5xx when
 * permanent (that recipient's savepoint rolled back). Returns -1 on store trouble: every
 * verdict is then 4xx and the caller must roll the transaction back. */
int delivery_apply(struct delivery *d, struct store *store, const struct delivery_env *env,
		   gint64 now);
/* Set every verdict to 4xx for a store failure (452 4.3.1 when the disk is full). */
void delivery_tempfail(struct delivery *d, struct store *store, const char *error);
/* Everything for a single message: begin, apply, commit (verdicts 4xx if commit fails). */
void delivery_run(struct delivery *d, struct store *store, const struct delivery_env *env);

/* Per-recipient handling by address kind (route.c, route_agent.c), inside the caller's
 * savepoint: -1 store trouble (4xx), 0 done, 1 refused for good (roll the savepoint back).
 * d->verdicts[i] is set on 0 and 1. */
int route_customer(struct delivery *d, guint i, struct store *store,
		   const struct delivery_env *env, gint64 now, char **error_r);
int route_agent(struct delivery *d, guint i, struct store *store, const struct delivery_env *env,
		gint64 now, char **error_r);
int route_bounce(struct delivery *d, guint i, struct store *store,
		 const struct delivery_env *env, gint64 now, char **error_r);
/* A survey answer (score token) or opt-out (opt-out token): stored on the ticket, never a
 * status change (route_survey.c). */
int route_survey(struct delivery *d, guint i, struct store *store,
		 const struct delivery_env *env, gint64 now, char **error_r);

/* ======================= group commit ======================= */

struct committer;
/* Start the writer thread on its own store connection. env is borrowed. */
int committer_new(const struct delivery_env *env, struct committer **c_r, char **error_r);
/* Queue d and wait until its batch is committed (or failed); verdicts are then set. */
void committer_submit(struct committer *c, struct delivery *d);
void committer_free(struct committer **c);

/* ======================= milter (postdesk-milter) ======================= */

/* SMTP-time policy for Postfix's smtpd_milters (doc/milter.md): at RCPT the same recipient
 * decision as LMTP (rcpt_resolve) plus ticket-exists and agent-sender checks; at end of
 * headers loop detection and the new-ticket flood limit; size; X-Postdesk-Ticket/Verdict
 * trace headers at end of message. The database is read read-only, one connection per
 * SMTP connection (opened lazily, closed with it). */
struct milter;
/* conf and keys are borrowed and must outlive the milter. Owner: the caller. The struct
 * holds the only mutable state shared between connections: the flood table (mutex). */
struct milter *milter_new(const struct conf *conf, const struct token_keys *keys);
void milter_free(struct milter **m);
/* Register with libmilter, listen on conf->milter_listen (a unix socket is made mode 0666
 * so Postfix's smtpd can write it; a stale one is replaced) and serve until SIGTERM or SIGINT
 * (libmilter's signal thread). Call once per process (libmilter keeps global state).
 * -1 on error. */
int milter_run(struct milter *m, char **error_r);
/* Our listen syntax to libmilter's: "unix:/p" stays, "inet:HOST:PORT" -> "inet:PORT@HOST",
 * "inet:[V6]:PORT" -> "inet6:PORT@V6". g_malloc'ed; NULL if listen is malformed. */
char *milter_listen_spec(const char *listen);

#endif
