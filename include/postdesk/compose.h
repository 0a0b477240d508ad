/* compose: outbound mail for ticket events, written as outbox rows in the caller's
 * transaction (so a mail exists exactly when its cause does): the templates (files under
 * templates/<lang>/, a whitelist of variables), the headers that matter (made here, never
 * by templates), and the rules for automatic mail (RFC 3834 and the per-sender rate limit).
 * The MIME bytes are built by parse_build(); postdesk-notifyd sends the rows (outbox/).
 * Everything here is thread-safe: a compose_ctx is immutable after load. */
#ifndef POSTDESK_COMPOSE_H
#define POSTDESK_COMPOSE_H

#include <glib.h>

#include "postdesk/conf.h"
#include "postdesk/lib.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"

/* ==== templates ====
 * A template file is "Subject: ..." on its first line, a blank line, then the body.
 * {{name}} (spaces inside the braces allowed) is replaced by a variable from the fixed
 * whitelist below; anything else is an error when the template loads, reported as
 * "file:line: reason". No logic, no escapes: a value is substituted literally. */

/* The whitelist of template variables, declared once. X(name) */
#define COMPOSE_TEMPLATE_VARS(X)                                                                   \
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
	X("message.warning")                                                                       \
	X("message.id") /* the stored message's number, for #split */                           \
	X("history.count")                                                                         \
	X("history.subjects")                                                                      \
	X("marker")                                                                                \
	X("reason")                                                                                \
	X("recipient")                                                                             \
	X("commands")                                                                              \
	X("survey.links")                                                                          \
	X("survey.optout")                                                                         \
	X("note.body")                                                                             \
	X("tickets")                                                                               \
	X("agent.command_address")                                                         \
	X("orders")         /* issue 14: the message's orders, a readable block */             \
	X("order.ref")      /* the first of them: its reference and the shop's answer */       \
	X("order.status")                                                                          \
	X("order.tracking")                                                                        \
	X("order.total")                                                                           \
	X("order.items")                                                                           \
	X("order.error")    /* why its lookup failed, "" if it did not */                      \
	X("customer.csat")  /* the requester's past CSAT: average, count, last */       \
	X("kb.suggestions") /* issue 14: the ack's articles (kb_suggestions.txt), or "" */      \
	X("kb.articles")    /* in kb_suggestions.txt: the list of articles */                   \
	X("kb.solved_link") /* in kb_suggestions.txt: mailto: of the ticket's TOKEN_SOLVED */

/* The templates the daemon uses (file <name>.txt), checked at start-up. X(name) */
#define COMPOSE_TEMPLATE_NAMES(X)                                                                   \
	X("ack")                                                                                   \
	X("agent_notice")                                                                          \
	X("reply")                                                                                 \
	X("note")                                                                                  \
	X("bounce_notice")                                                                         \
	X("command_error")                                                                         \
	X("survey")                                                                                \
	X("pending_reminder")                                                                      \
	X("frt_reminder")                                                                          \
	X("recipients_capped")                                                                     \
	X("status_reply")                                                                          \
	X("command_answer")

struct compose_template; /* opaque, immutable after load: may be shared between threads */

/* 1 if name is a whitelisted template variable, else 0. */
int compose_template_var_known(const char *name);

/* Load <override_dir>/<name>.txt if that file exists (override_dir may be NULL), else
 * <default_dir>/<name>.txt. name is [a-z0-9_]+ (no paths). An existing override is used
 * even if broken: its error is reported, not hidden by falling back to the default.
 * Fails on I/O errors, a missing "Subject:" line or blank second line, an unclosed "{{" or
 * an unknown variable, with "path:line: reason". *t_r is owned by the caller. */
int compose_template_load(const char *override_dir, const char *default_dir, const char *name,
			 struct compose_template **t_r, char **error_r);

/* Render with vars (char * name -> char * value; may be NULL). A variable absent from vars
 * renders as "". Values are substituted literally. A value that would put CR or LF into the
 * subject fails (the caller logs it) rather than being stripped; the body may hold newlines.
 * *subject_r and *body_r are g_malloc'ed UTF-8 (as UTF-8 as the template and values). */
int compose_template_render(const struct compose_template *t, GHashTable *vars, char **subject_r,
			   char **body_r, char **error_r);

/* The template `name` in language `lang` (a LANG_CODES code), from the first place that
 * has the file: <override_dir>/<lang>/, (for en also <override_dir>/ itself, the layout
 * of before), the shipped templates/<lang>/ (the directory beside default_dir), and last
 * the shipped English default_dir: a language missing a file falls back to English. An
 * existing file is used even if broken, as compose_template_load(). */
int compose_template_load_lang(const char *override_dir, const char *default_dir,
			       const char *lang, const char *name, struct compose_template **t_r,
			       char **error_r);
/* Append to names (borrowed static strings) the variables t uses that names lacks;
 * returns how many variable uses t has. For checks that two templates agree. */
int compose_template_vars(const struct compose_template *t, GPtrArray *names);

/* Path the template was loaded from (borrowed from t). */
const char *compose_template_path(const struct compose_template *t);

void compose_template_free(struct compose_template **t);

/* Where the shipped templates are: $POSTDESK_TEMPLATES if set (tests and uninstalled
 * builds), else the installed POSTDESK_DATADIR/templates/en. Borrowed. */
const char *compose_template_default_dir(void);

/* Load every template in COMPOSE_TEMPLATE_NAMES in every language (used at daemon start):
 * the first failure is returned as -1 with "path:line: reason". */
int compose_templates_check(const char *override_dir, const char *default_dir, char **error_r);

/* ==== macros: canned replies (macro.c; doc/agents.md) ====
 * A macro is a file <dir>/macros/NAME.txt (NAME: a-z 0-9 - _), all body (no Subject line),
 * with the template variables above; its first lines may be agent commands (#status
 * pending). Looked up in conf->template_dir/macros (the admin's own and overrides), then
 * the shipped set of the ticket's language, then the shipped English set. Files are read
 * when used, so an admin's new macro works without a restart. */
struct compose_macro {
	char *name;
	char *path;    /* the file that wins for this name */
	char *summary; /* its first line of text (not a command), at most 72 bytes */
};
void compose_macro_free(struct compose_macro **m);
/* Every macro for lang (NULL: "en"), sorted by name; *list_r (struct compose_macro *) owned
 * by the caller. A missing directory is no error. */
int compose_macro_list(const struct conf *conf, const char *lang, GPtrArray **list_r,
		       char **error_r);
/* The file of macro name: 1 with *path_r (caller frees), 0 if there is none (or name is
 * not a macro name), -1 never today (kept for I/O errors). */
int compose_macro_find(const struct conf *conf, const char *lang, const char *name,
		       char **path_r, char **error_r);
/* The macro's text for a ticket (ticket 0: no ticket variables) and an agent (NULLs: none):
 * 1 with *text_r (caller frees), 0 if no such macro, -1 when the file is broken ("path:line:
 * reason") or the store fails. */
int compose_macro_render(const struct conf *conf, struct store *store, gint64 ticket_id,
			 const char *agent_name, const char *agent_email, const char *name,
			 char **text_r, char **error_r);
/* t (unix time) as a date in customer mail: in the words and order of lang (a LANG_CODES
 * code; English otherwise), in the IANA time zone timezone (NULL or unknown: UTC), e.g.
 * "Dienstag, 3. März 2026, 10:15 Uhr (CET)". g_malloc'ed. Thread-safe (no locale). */
char *compose_date_format(gint64 t, const char *lang, const char *tz_name);

/* ==== composing mail for ticket events ====
 * Each compose_queue_* renders its template, builds the message and writes an outbox row in
 * the CALLER's transaction (so the mail exists exactly when its cause does). Headers that
 * matter are made here, never by templates: From, To, Reply-To (a signed token address),
 * Message-ID, In-Reply-To/References, Auto-Submitted, X-Postdesk-Loop (our domain, on all
 * outbound mail) and X-Postdesk-Ticket. */

/* The reply-above marker line agents see at the top of notices. */
#define COMPOSE_MARKER "##- Please type your reply above this line -##"

/* The language of a ticket's customer mail (kb.c; the seam the per-ticket language of
 * issue 14 replaces): "en" for now. Static string. */
const char *compose_ticket_lang(const struct store_ticket *t, const struct conf_queue *q);

struct token_keys;
struct compose_ctx; /* templates loaded once; immutable, shareable between threads */
/* Loads every template: conf->template_dir first, then compose_template_default_dir().
 * conf and keys are borrowed. */
int compose_ctx_new(const struct conf *conf, const struct token_keys *keys,
		   struct compose_ctx **ctx_r, char **error_r);
void compose_ctx_free(struct compose_ctx **ctx);

/* Acknowledge a new ticket to `to` (the envelope sender): ticket number, [#N] subject,
 * Reply-To the customer token, threaded on msg, Auto-Submitted: auto-replied. Counts
 * against the automatic-mail rate limit. */
/* ret of a compose_queue_*() call: a mail that could not be composed (a template or
 * header check refused the data) must not hold up what caused it (a delivery, a held
 * mail): the failure is logged and becomes the ticket's delivery_failed event ("<what> not
 * sent: <reason>"), and 0 is returned so the caller's transaction goes on. Store trouble
 * (store_last_error) stays -1. *error_r is the composer's message. (failed.c) */
int compose_failed_event(struct store *store, int ret, const char *what, gint64 ticket,
			 gint64 now, char **error_r);
int compose_queue_ack(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
		     const struct parse_msg *msg, const char *to, gint64 now, char **error_r);
/* The ack of a ticket split off another (#split ... notify) to its requester, threaded on
 * nothing; 0 also when the ticket does not exist (nothing queued). */
int compose_queue_split_ack(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			    gint64 now, char **error_r);
/* Tell the assignee, else the queue's agents, about a customer message (msg parsed with
 * attachment data). From "<Customer> via <Queue>" <queue address>, Reply-To the agent
 * token. warning (NULL: none) is {{message.warning}}, the lines right under the marker:
 * what the agents must know before they believe the message (doc/security.md). No agents:
 * nothing queued, returns 0 with *queued_r FALSE. */
int compose_queue_agent_notice(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			       const struct parse_msg *msg, const char *warning, gint64 now,
			       gboolean *queued_r, char **error_r);
/* An agent's answer to the customer (and the ticket's CCs), from the queue address with
 * the agent's name, threaded into the customer's conversation, with the agent's
 * attachments (from msg, parsed with data; may be NULL). */
int compose_queue_reply(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
		       const struct store_agent *agent, const char *text,
		       const struct parse_msg *msg, gint64 now, char **error_r);
/* An internal note to the other agents of the queue (never the customer). */
int compose_queue_note(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
		      const struct store_agent *agent, const char *text, gint64 now,
		      char **error_r);
/* Tell an agent which command lines of their mail were not understood. */
int compose_queue_command_error(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			       const struct store_agent *agent, const GPtrArray *errors,
			       gint64 now, char **error_r);
/* Tell the agents that mail to `recipient` bounced with `reason`. */
int compose_queue_bounce_notice(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			       const char *recipient, const char *reason, gint64 now,
			       char **error_r);

/* Answer a customer's "status" request (parse_status_request) to `to` (the envelope
 * sender): the ticket's status and our last answer, threaded on msg, Reply-To the customer
 * token, Auto-Submitted: auto-replied, logged for the rate limit. Adds nothing to the
 * ticket (no message row, no event). The caller decides who may ask (doc/agents.md). */
int compose_queue_status(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			 const struct parse_msg *msg, const char *to, gint64 now, char **error_r);

/* ---- surveys and follow-ups (followup.c; driven by survey/, doc/surveys.md) ---- */
/* The satisfaction survey to the ticket's requester: CSAT links 1..5 and NPS links 0..10,
 * each a mailto: URL to a signed survey token address (LOCAL+<ticket>-s<score>-<mac>) with
 * the subject prefilled ("CSAT 4 [#12]", "NPS 9 [#12]"); Reply-To the s0 token (a reply
 * with a number is an answer, never a reopen); Auto-Submitted: auto-generated;
 * List-Unsubscribe: <mailto:the opt-out token>. Counts against the automatic-mail limit. */
int compose_queue_survey(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			gint64 now, char **error_r);
/* Remind the requester of a pending ticket that we wait for their answer (Reply-To the
 * customer token: an answer reopens the ticket as usual). */
int compose_queue_pending_reminder(struct compose_ctx *ctx, struct store *store,
				  gint64 ticket_id, gint64 now, char **error_r);
/* Tell the assignee (else the queue's agents) that the first-response target is near
 * (breach FALSE) or passed (breach TRUE: the queue's lead is told too). No recipient:
 * nothing queued, 0 with *queued_r FALSE. */
int compose_queue_frt_reminder(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			      gboolean breach, gint64 due, gint64 now, gboolean *queued_r,
			      char **error_r);

/* ---- automatic mail policy (RFC 3834; autoreply.c) ---- */

/* May postdesk answer this message automatically (acknowledgement, survey, reminder)?
 * NULL if yes; else a static reason: the message is auto-submitted, bulk/list mail, asks
 * for no auto-replies, comes from a null/MAILER-DAEMON/postmaster/noreply sender or from
 * our own domain, or carries our loop header. env_sender is the Return-Path: automatic
 * mail goes there, never blindly to From or Reply-To. */
const char *compose_autoreply_block(const struct conf *conf, const struct parse_msg *msg,
				   const char *env_sender);
/* The rate limit: 1 if another automatic mail may go, 0 if conf->autoreply_limit per
 * conf->autoreply_window is reached for (sender, ticket), or ten times that for the sender
 * over all tickets (a robot opening a ticket with every mail). */
int compose_autoreply_rate_ok(struct store *store, const struct conf *conf, const char *addr,
			     gint64 ticket_id, gint64 now, char **error_r);

/* A new ticket's acknowledgement to env_sender, under the rules above in this order: the
 * message's RFC 3834 signs, an address that bounced before, the rate limit (each a
 * log line when it says no, and 0); a mail that cannot be composed becomes the ticket's
 * delivery_failed event (compose_failed_event). -1 only on store trouble. The one rule
 * chain of a delivery (deliver/route.c) and of notifyd's held acknowledgements
 * (survey/acks.c). */
int compose_ack_new_ticket(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			   const struct parse_msg *msg, const char *env_sender, gint64 now,
			   char **error_r);

/* ---- attachment policy of agent notices (attach.c) ---- */
/* Why conf withholds an attachment from agent notices ("over attachment_max_size",
 * "blocked type", "type not allowed"; static text), or NULL when it is forwarded. */
const char *compose_attachment_withheld(const struct conf *conf, const char *filename,
					const char *content_type, gint64 size);
/* Apply the policy to msg (parsed with data): each withheld attachment loses its data, so
 * the notice is composed without it. Returns what to tell the agents, a line per
 * attachment naming it, its size, the reason and the `postdesk attachment get` command
 * (g_malloc'ed), or NULL when nothing was withheld. */
char *compose_attachments_withhold(const struct conf *conf, struct parse_msg *msg,
				   gint64 ticket_id, gint64 message_row);
/* "1.2 MB", "340.0 kB", "12 bytes" (g_malloc'ed). */
char *compose_size_text(gint64 size);
/* ==== mail to agents about no one ticket (command.c) ====
 * The command address (doc/agents.md): an agent's requests answered with lists of
 * tickets (number, status, last update, subject). */
enum compose_listing {
	COMPOSE_LIST_SEARCH,  /* arg: the query (store_search_parse), the ten best */
	COMPOSE_LIST_MINE,    /* the agent's new, open and pending tickets */
	COMPOSE_LIST_QUEUE,   /* arg: a queue name, NULL: the agent's queue (or all) */
	COMPOSE_LIST_OVERDUE, /* new and open, past the first-response target, unanswered */
};
struct compose_request {
	enum compose_listing kind;
	const char *arg;
};
/* Append the answer to each request to out: a heading, then a line per ticket (a list
 * shows 25, with a note when there are more). A queue name that is none is a line of the
 * answer. -1 only on store trouble. */
int compose_command_lists(struct compose_ctx *ctx, struct store *store,
			  const struct store_agent *agent, const struct compose_request *reqs,
			  guint n, gint64 now, GString *out, char **error_r);
/* The daily digest's text: the #mine and #overdue lists appended to out; *listed_r = the
 * tickets they hold (0: nothing to tell the agent). -1 only on store trouble. */
int compose_digest_lists(struct compose_ctx *ctx, struct store *store,
			 const struct store_agent *agent, gint64 now, GString *out,
			 guint *listed_r, char **error_r);
/* Queue a mail to the agent's registered address (template command_answer: subject
 * `subject`, body `text`), From the agent's queue (else the first), Reply-To the agent's
 * command address, Auto-Submitted: auto-replied, threaded on in_reply_to (may be NULL).
 * kind: the outbox kind (command_answer, command_error, digest). No ticket. */
int compose_queue_agent_mail(struct compose_ctx *ctx, struct store *store,
			     const struct store_agent *agent, const char *kind,
			     const char *subject, const char *text, const char *in_reply_to,
			     gint64 now, char **error_r);

/* ==== the admins' alert about a mailbox that stopped fetching (alert.c; issue 15) ====
 * Queue the template mailbox_alert (read when used, in the language of the mailbox's queue;
 * {{reason}} = text, {{queue.name}}, {{queue.address}}) to m->alert_to (addresses separated
 * by spaces or commas), else to the queue's lead: 1 queued, 0 nobody to tell, -1 error.
 * From the queue, Auto-Submitted: auto-generated, on no ticket (outbox kind
 * mailbox_alert). In the caller's transaction. */
struct conf_mailbox;
int compose_queue_mailbox_alert(struct compose_ctx *ctx, struct store *store,
				const struct conf_mailbox *m, const char *text, gint64 now,
				char **error_r);

#endif
