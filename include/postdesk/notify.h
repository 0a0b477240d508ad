/* notify: outbound mail. Templates are rendered to a subject and a body, notify_build()
 * turns a struct notify_mail into RFC 5322 bytes (GMime), notify_smtp_send() hands them to
 * the relay (libetpan; the only libetpan user in the tree). The outbox that drives these
 * lives below. Everything here is thread-safe: no state is shared between calls. */
#ifndef POSTDESK_NOTIFY_H
#define POSTDESK_NOTIFY_H

#include <glib.h>

#include "postdesk/lib.h"

/* ==== templates ====
 * A template file is "Subject: ..." on its first line, a blank line, then the body.
 * {{name}} (spaces inside the braces allowed) is replaced by a variable from the fixed
 * whitelist below; anything else is an error when the template loads, reported as
 * "file:line: reason". No logic, no escapes: a value is substituted literally. */

/* The whitelist of template variables, declared once. X(name) */
#define NOTIFY_TEMPLATE_VARS(X)                                                                    \
	X("ticket.id")                                                                             \
	X("ticket.subject")                                                                        \
	X("ticket.status")                                                                         \
	X("ticket.priority")                                                                       \
	X("ticket.queue")                                                                          \
	X("customer.name")                                                                         \
	X("customer.email")                                                                        \
	X("agent.name")                                                                            \
	X("agent.email")                                                                           \
	X("queue.name")                                                                            \
	X("queue.address")                                                                         \
	X("message.body")                                                                          \
	X("message.from")                                                                          \
	X("message.date")                                                                          \
	X("history.count")                                                                         \
	X("history.subjects")                                                                      \
	X("marker")                                                                                \
	X("reason")                                                                                \
	X("recipient")                                                                             \
	X("commands")                                                                              \
	X("survey.links")                                                                          \
	X("survey.optout")                                                                         \
	X("note.body")

/* The templates the daemon uses (file <name>.txt), checked at start-up. X(name) */
#define NOTIFY_TEMPLATE_NAMES(X)                                                                   \
	X("ack")                                                                                   \
	X("agent_notice")                                                                          \
	X("reply")                                                                                 \
	X("note")                                                                                  \
	X("bounce_notice")                                                                         \
	X("command_error")                                                                         \
	X("survey")                                                                                \
	X("pending_reminder")                                                                      \
	X("frt_reminder")

struct notify_template; /* opaque, immutable after load: may be shared between threads */

/* 1 if name is a whitelisted template variable, else 0. */
int notify_template_var_known(const char *name);

/* Load <override_dir>/<name>.txt if that file exists (override_dir may be NULL), else
 * <default_dir>/<name>.txt. name is [a-z0-9_]+ (no paths). An existing override is used
 * even if broken: its error is reported, not hidden by falling back to the default.
 * Fails on I/O errors, a missing "Subject:" line or blank second line, an unclosed "{{" or
 * an unknown variable, with "path:line: reason". *t_r is owned by the caller. */
int notify_template_load(const char *override_dir, const char *default_dir, const char *name,
			 struct notify_template **t_r, char **error_r);

/* Render with vars (char * name -> char * value; may be NULL). A variable absent from vars
 * renders as "". Values are substituted literally. A value that would put CR or LF into the
 * subject fails (the caller logs it) rather than being stripped; the body may hold newlines.
 * *subject_r and *body_r are g_malloc'ed UTF-8 (as UTF-8 as the template and values). */
int notify_template_render(const struct notify_template *t, GHashTable *vars, char **subject_r,
			   char **body_r, char **error_r);

/* Path the template was loaded from (borrowed from t). */
const char *notify_template_path(const struct notify_template *t);

void notify_template_free(struct notify_template **t);

/* Where the shipped templates are: $POSTDESK_TEMPLATES if set (tests and uninstalled
 * builds), else the installed POSTDESK_DATADIR/templates/en. Borrowed. */
const char *notify_template_default_dir(void);

/* Load every template in NOTIFY_TEMPLATE_NAMES (used at daemon start): the first failure is
 * returned as -1 with "path:line: reason". */
int notify_templates_check(const char *override_dir, const char *default_dir, char **error_r);

/* ==== message building ====
 * struct notify_mail only borrows: every pointer stays owned by the caller, and
 * notify_build() copies what it needs. All strings are UTF-8. Every value that lands in a
 * header is checked for CR/LF first (no header injection); addresses must contain '@' and
 * no whitespace, angle brackets or control characters. */
struct notify_addr {
	const char *name; /* display name or NULL/"" (RFC 2047-encoded by GMime if needed) */
	const char *addr; /* addr-spec, never NULL */
};

struct notify_header {
	const char *name;  /* e.g. "List-Unsubscribe", "X-Postdesk-Ticket" */
	const char *value; /* unfolded value: ASCII is written as is (folded at spaces only),
			    * non-ASCII RFC 2047-encoded by GMime */
};

struct notify_attachment {
	const char *filename;	  /* may be non-ASCII (RFC 2231-encoded by GMime) */
	const char *content_type; /* "type/subtype"; NULL means application/octet-stream */
	GBytes *data;		  /* borrowed; sent base64-encoded */
};

struct notify_mail {
	const char *from_name; /* may be NULL */
	const char *from_addr; /* required */
	const struct notify_addr *to;
	guint n_to; /* at least one To or Cc is required */
	const struct notify_addr *cc;
	guint n_cc;
	const struct notify_addr *reply_to; /* NULL for none */
	const char *subject;		    /* required (may be "") */
	const char *body;		    /* required, UTF-8 text, LF or CRLF line ends */
	const char *message_id;		    /* required, without <> */
	const char *in_reply_to;	    /* without <>, or NULL */
	const char *const *references;	    /* without <>, oldest first */
	guint n_references;
	const char *auto_submitted;	     /* "auto-replied", "auto-generated" or NULL for none */
	const struct notify_header *headers; /* extra headers, in this order */
	guint n_headers;
	const struct notify_attachment *attachments; /* any: multipart/mixed */
	guint n_attachments;
	gint64 date; /* Date: header, seconds since the epoch; 0 means clock_now() */
};

/* 1 if notify_build() accepts addr as an address: local@domain without whitespace, control
 * characters, quotes, angle brackets or commas (a customer's exotic address is skipped, not
 * a reason to fail a whole mail). */
gboolean notify_addr_usable(const char *addr);

/* Build the message: text/plain; charset=utf-8 (quoted-printable or base64 as GMime finds
 * best; 7bit if plain ASCII), multipart/mixed with the attachments if any, MIME-Version,
 * CRLF line ends throughout (ready for SMTP DATA). Fails (-1, error naming the header) on
 * a value with CR/LF, a bad address or a missing required field. *raw_r is g_malloc'ed,
 * NUL-terminated, *len_r bytes without the NUL. */
int notify_build(const struct notify_mail *m, char **raw_r, gsize *len_r, char **error_r);

/* ==== SMTP client ====
 * One message to one relay over plain SMTP (the local Postfix on loopback: no TLS/AUTH).
 * The session: connect (timeout_s for the connection and for each reply), EHLO (HELO if
 * EHLO is refused with 5xx), MAIL FROM, RCPT TO for each recipient, DATA, QUIT.
 * The EHLO name is the host name (gethostname()): libetpan 1.9's public API has no way to
 * choose it, so there is no helo_name parameter.
 *
 * Always returns 0 and fills *v:
 *   OK        the relay answered 250 after the data (v->text: its reply, e.g. the queue id)
 *   TEMPFAIL  cannot connect, timeout, connection lost, or any 4xx reply at any stage
 *             (including 4xx for one recipient: the whole message is retried later)
 *   PERMFAIL  a 5xx reply to the greeting, MAIL, DATA or the data; 5xx for every
 *             recipient; or an unusable envelope address (CR/LF, spaces, <>), with 553 5.1.3
 * If some recipients get 5xx and at least one is accepted, the message goes to the accepted
 * ones and the verdict is OK; v->text then starts "refused <addr>: <reply>" for the first
 * refused recipient so the caller can log or record the bounce.
 * v->smtp is the relay's reply code (0 when the relay never answered), v->enh its enhanced
 * status code if it gave one (else one made from the class, e.g. "4.4.1"), v->text the
 * reply text on one line. relay is "HOST:PORT" ("[v6addr]:PORT" for IPv6; port 25 if
 * omitted). env_from "" sends the null reverse-path "<>". The caller must ignore SIGPIPE
 * (a relay that drops the connection mid-write must not kill the process). */
int notify_smtp_send(const char *relay, const char *env_from, const char *const *rcpts,
		     guint n_rcpts, const char *data, gsize len, int timeout_s, struct verdict *v);

/* ==== outbox ====
 * postdesk-notifyd's sending loop. Every outbound mail is first a row in the store's outbox
 * table (written in the transaction of the event that caused it); these functions take the
 * due rows and hand each to the relay. Envelope sender: the per-message bounce address
 * LOCAL+b<row>-<mac>@domain (LOCAL = the local part of the ticket's queue, else of the first
 * queue), so a bounce names the row it is about. Each outcome is committed in its own small
 * transaction before the next row is sent:
 *   OK        -> marked sent (first, before anything else happens)
 *   TEMPFAIL  -> deferred to now + notify_outbox_backoff(attempts, ...), or marked failed once
 *                the row is older than outbox_max_age (with a delivery_failed ticket event)
 *   PERMFAIL  -> marked failed, with a delivery_failed event on the ticket
 * One process drains a database (run one postdesk-notifyd per store). See doc/outbox.md. */
#include <signal.h> /* sig_atomic_t */

struct store;
struct conf;
struct token_keys;

#define NOTIFY_OUTBOX_BATCH 50     /* rows taken per pass */
#define NOTIFY_OUTBOX_TIMEOUT_S 60 /* SMTP connect and per-reply timeout */

/* Retry delay after a failed attempt when the row had `attempts` failed attempts before:
 * min(base * 2^attempts, max), and never below 1 second. */
gint64 notify_outbox_backoff(gint64 attempts, gint64 base, gint64 max);

/* One sender per database: an exclusive lock on "<database>-send.lock", taken by every
 * pass of notify_outbox_run*() (postdesk-notifyd's loop, `postdesk tick`), so that two
 * senders never take the same row. 1 taken (close *fd_r to release it; the kernel
 * releases it if the process dies), 0 another process holds it, -1 error. */
int notify_outbox_lock(const struct conf *conf, int *fd_r, char **error_r);

/* One pass: send the rows due at `now` (at most NOTIFY_OUTBOX_BATCH) through conf->relay and
 * record each outcome as above; *sent_r (may be NULL) counts the mails the relay accepted.
 * A relay failure is recorded on the row, not returned: -1 means the store failed (the
 * reason in *error_r; the caller logs it and tries again later). */
int notify_outbox_run(struct store *store, const struct conf *conf, const struct token_keys *keys,
		      gint64 now, guint *sent_r, char **error_r);

/* As notify_outbox_run() with at most `limit` rows (<= 0: NOTIFY_OUTBOX_BATCH), checking
 * *stop (may be NULL; a signal handler's flag) before each row: once it is non-zero the pass
 * ends after the current send, with 0. */
int notify_outbox_run_until(struct store *store, const struct conf *conf,
			    const struct token_keys *keys, gint64 now, int limit,
			    const volatile sig_atomic_t *stop, guint *sent_r, char **error_r);


/* ==== composing mail for ticket events ====
 * Each notify_queue_* renders its template, builds the message and writes an outbox row in
 * the CALLER's transaction (so the mail exists exactly when its cause does). Headers that
 * matter are made here, never by templates: From, To, Reply-To (a signed token address),
 * Message-ID, In-Reply-To/References, Auto-Submitted, X-Postdesk-Loop (our domain, on all
 * outbound mail) and X-Postdesk-Ticket. */
#include "postdesk/conf.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"

/* The reply-above marker line agents see at the top of notices. */
#define NOTIFY_MARKER "##- Please type your reply above this line -##"

struct token_keys;
struct notify_ctx; /* templates loaded once; immutable, shareable between threads */
/* Loads every template: conf->template_dir first, then notify_template_default_dir().
 * conf and keys are borrowed. */
int notify_ctx_new(const struct conf *conf, const struct token_keys *keys,
		   struct notify_ctx **ctx_r, char **error_r);
void notify_ctx_free(struct notify_ctx **ctx);

/* Acknowledge a new ticket to `to` (the envelope sender): ticket number, [#N] subject,
 * Reply-To the customer token, threaded on msg, Auto-Submitted: auto-replied. Counts
 * against the automatic-mail rate limit. */
int notify_queue_ack(struct notify_ctx *ctx, struct store *store, gint64 ticket_id,
		     const struct parse_msg *msg, const char *to, gint64 now, char **error_r);
/* Tell the assignee, else the queue's agents, about a customer message (msg parsed with
 * attachment data). From "<Customer> via <Queue>" <queue address>, Reply-To the agent
 * token. No agents: nothing queued, returns 0 with *queued_r FALSE. */
int notify_queue_agent_notice(struct notify_ctx *ctx, struct store *store, gint64 ticket_id,
			      const struct parse_msg *msg, gint64 now, gboolean *queued_r,
			      char **error_r);
/* An agent's answer to the customer (and the ticket's CCs), from the queue address with
 * the agent's name, threaded into the customer's conversation, with the agent's
 * attachments (from msg, parsed with data; may be NULL). */
int notify_queue_reply(struct notify_ctx *ctx, struct store *store, gint64 ticket_id,
		       const struct store_agent *agent, const char *text,
		       const struct parse_msg *msg, gint64 now, char **error_r);
/* An internal note to the other agents of the queue (never the customer). */
int notify_queue_note(struct notify_ctx *ctx, struct store *store, gint64 ticket_id,
		      const struct store_agent *agent, const char *text, gint64 now,
		      char **error_r);
/* Tell an agent which command lines of their mail were not understood. */
int notify_queue_command_error(struct notify_ctx *ctx, struct store *store, gint64 ticket_id,
			       const struct store_agent *agent, const GPtrArray *errors,
			       gint64 now, char **error_r);
/* Tell the agents that mail to `recipient` bounced with `reason`. */
int notify_queue_bounce_notice(struct notify_ctx *ctx, struct store *store, gint64 ticket_id,
			       const char *recipient, const char *reason, gint64 now,
			       char **error_r);

/* ---- surveys and follow-ups (compose_survey.c; driven by survey/, doc/surveys.md) ---- */
/* The satisfaction survey to the ticket's requester: CSAT links 1..5 and NPS links 0..10,
 * each a mailto: URL to a signed survey token address (LOCAL+<ticket>-s<score>-<mac>) with
 * the subject prefilled ("CSAT 4 [#12]", "NPS 9 [#12]"); Reply-To the s0 token (a reply
 * with a number is an answer, never a reopen); Auto-Submitted: auto-generated;
 * List-Unsubscribe: <mailto:the opt-out token>. Counts against the automatic-mail limit. */
int notify_queue_survey(struct notify_ctx *ctx, struct store *store, gint64 ticket_id,
			gint64 now, char **error_r);
/* Remind the requester of a pending ticket that we wait for their answer (Reply-To the
 * customer token: an answer reopens the ticket as usual). */
int notify_queue_pending_reminder(struct notify_ctx *ctx, struct store *store,
				  gint64 ticket_id, gint64 now, char **error_r);
/* Tell the assignee (else the queue's agents) that the first-response target is near
 * (breach FALSE) or passed (breach TRUE: the queue's lead is told too). No recipient:
 * nothing queued, 0 with *queued_r FALSE. */
int notify_queue_frt_reminder(struct notify_ctx *ctx, struct store *store, gint64 ticket_id,
			      gboolean breach, gint64 due, gint64 now, gboolean *queued_r,
			      char **error_r);

#endif
