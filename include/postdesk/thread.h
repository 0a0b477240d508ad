/* thread: match one inbound message to a ticket and record it (message, participants,
 * events, ticket state). Order (DESIGN.md): reply token -> Message-ID references (the
 * message's own Message-ID, In-Reply-To, References newest first, against every stored
 * Message-ID in and out) -> subject tag [#N] from a participant of N -> Outlook's
 * Thread-Index conversation seen in a ticket the author takes part in -> new ticket.
 * Each match gets a trust verdict (doc/security.md): only a verified match changes the
 * ticket (status, participants); an unverified one is stored, flagged "unverified", and
 * changes nothing; automatic mail (parse_msg_automatic) into a ticket is stored as kind
 * "auto" and changes nothing either. A verified message for a closed ticket follows
 * conf->closed_policy (reopen, or a new ticket linked to the old one). Runs inside the
 * caller's transaction; uses only store/ for SQL. */
#ifndef POSTDESK_THREAD_H
#define POSTDESK_THREAD_H

#include <glib.h>
#include "postdesk/conf.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"
#include "postdesk/token.h"

struct thread_input {
	const struct parse_msg *msg;
	const char *raw;               /* the bytes to store: the message byte for byte,
					* compressed (lib/zip.c; stores read it back whole) */
	gsize raw_len;
	int raw_fd;                    /* raw NULL and raw_len > 0: the bytes are in this
					* spool file (stored from it, never loaded whole) */
	const char *stored_text;       /* customer or automatic mail: the text to store (its
					* new text, capped); NULL: the decoded text */
	const char *rcpt;              /* envelope recipient, lower-case */
	const char *env_sender;        /* envelope sender, "" for the null sender */
	const struct conf_queue *queue;/* the queue addressed (token or plain address) */
	const struct token *token;     /* valid token of the recipient, or NULL */
};

enum thread_rule {
	THREAD_RULE_TOKEN,
	THREAD_RULE_MESSAGE_ID,
	THREAD_RULE_SUBJECT_TAG,
	THREAD_RULE_THREAD_INDEX, /* Outlook's conversation (Thread-Index) from a participant */
	THREAD_RULE_NEW,
};

enum thread_trust {
	THREAD_TRUST_NEW,	 /* no match: a new ticket, its own requester's */
	THREAD_TRUST_VERIFIED,	 /* token; our mail sent to the author; an MTA-vouched From */
	THREAD_TRUST_UNVERIFIED, /* matched by what anyone can write: stored, changes nothing */
};

struct thread_result {
	gint64 ticket_id;
	gint64 message_row;
	enum thread_rule rule;
	gboolean new_ticket;
	gboolean duplicate;    /* (Message-ID, rcpt) was already stored: nothing written */
	gboolean reopened;     /* a resolved/closed ticket was reopened */
	gboolean status_changed; /* new ticket, or its status moved (timed work must follow) */
	gint64 linked_from;    /* closed ticket this new ticket continues, 0 if none */
	enum thread_trust trust;
	const char *trust_why;	    /* static text: what backs (or only matched) the message */
	const char *automatic;	    /* parse_msg_automatic()'s reason when it matched a ticket */
	gint64 participants_capped; /* To/Cc addresses left out by conf->max_participants */
};

/* Thread and store one message for one recipient. -1 on store failure (caller rolls back
 * and answers 4xx), 0 ok. A token naming a ticket that does not exist is -1 with
 * *permanent_r set (the caller answers 5.1.1). */
int thread_deliver(struct store *store, const struct conf *conf, const struct thread_input *in,
		   gint64 now, struct thread_result *r, gboolean *permanent_r, char **error_r);
const char *thread_rule_name(enum thread_rule rule);
/* The message's author: From, else the envelope sender, else "unknown@invalid". */
const char *thread_author(const struct thread_input *in);
/* Store an inbound message on a known ticket (ticket_id 0: on none) without matching:
 * kind customer|agent|note|bounce, body replacing msg->body when not NULL, flags added to
 * the computed ones. 1 if (Message-ID, rcpt) was already stored (nothing written), 0 when
 * stored (with a "message" event on the ticket). */
int thread_record(struct store *store, const struct thread_input *in, gint64 ticket_id,
		  const char *kind, const char *body, const char *flags, gint64 now,
		  gint64 *row_r, char **error_r);

/* ======================= agent mail: commands ======================= */

/* ---- the language of a ticket (lang.c; doc/languages.md) ---- */
/* The language of a new ticket from its evidence, weakest first: queue_lang (the queue's
 * `language`; unknown -> LANG_FALLBACK), earlier (the customer's earlier tickets), the
 * Content-Language value, the detector's answer; NULL or an unshipped code is no
 * evidence. Returns the static LANG_CODES code; *source_r says which won ("queue",
 * "customer", "content-language", "detector"). Pure. */
const char *thread_lang_pick(const char *queue_lang, const char *earlier,
			     const char *content_language, const char *detected,
			     const char **source_r);
/* Run the detector on msg's subject and new text (no database: call it before the
 * transaction), setting msg->detected_lang and lang_detected. */
void thread_lang_detect(struct parse_msg *msg);
/* Choose and store the language of new ticket ticket_id (and, when it came from the
 * message, the customer's, for their next ticket), in the caller's transaction. The
 * detector runs here unless msg->lang_detected. */
int thread_lang_new_ticket(struct store *store, const struct conf_queue *queue,
			   const struct parse_msg *msg, gint64 ticket_id, gint64 customer_id,
			   char **error_r);

enum thread_cmd_kind {
	THREAD_CMD_STATUS,
	THREAD_CMD_ASSIGN,
	THREAD_CMD_PRIORITY,
	THREAD_CMD_TAG,
	THREAD_CMD_MERGE, /* arg: the ticket number folded into this one (thread_agent_run) */
	THREAD_CMD_SPLIT, /* arg: "ROW[ rest][ notify]" (thread_agent_run) */
	THREAD_CMD_LANG, /* #lang de: the language of the ticket's customer mail */
};

struct thread_cmd {
	enum thread_cmd_kind kind;
	char *arg; /* validated, lower-case: a status, "me" or an address, a priority, a tag,
		   * a LANG_CODES code */
};

/* An agent's mail, split: command lines at the very top, then the text. */
struct thread_agent_mail {
	gboolean note;     /* #note: internal, never to the customer */
	GArray *cmds;      /* struct thread_cmd */
	GPtrArray *errors; /* char *: "line 2: unknown command #stauts" ... */
	char *text;        /* the reply text without the command lines, trimmed */
	/* What thread_agent_run did for the caller to follow up (timed work, notices). */
	gint64 merged_from;   /* #merge: the ticket folded into this one, 0 if none */
	gint64 split_new;     /* #split: the new ticket, 0 if none */
	gboolean split_notify; /* #split ... notify: acknowledge split_new to its requester */
	GPtrArray *macros; /* char *: names of the "#macro NAME" lines, in order; each line
			    * stays in text as "#macro NAME" until thread_agent_expand() */
};

/* Parse the (already quote-stripped) text of an agent's mail. Lines at the top starting
 * with '#' are commands until the first other non-blank line; a mistyped or invalid one is
 * an error (then nothing may reach the customer). Never fails; *am_r owned by caller. */
void thread_agent_parse(const char *text, struct thread_agent_mail **am_r);
void thread_agent_mail_free(struct thread_agent_mail **am);

/* Put macro `name`'s rendered text in place of the first "#macro name" line of am->text.
 * The macro's own command lines at its top apply as if the agent had typed them, except
 * where the agent's mail already has a command of that kind (#status, #assign, #priority:
 * the agent's wins; tags add up); an invalid one, or a "#macro" inside a macro, is an error
 * of am (the mail is held). Never fails. */
void thread_agent_expand(struct thread_agent_mail *am, const char *name,
			 const char *macro_text);

/* After an agent's answer reached the customer: move the ticket to `status` (config
 * status_after_reply; "unchanged" or NULL: nothing) unless the mail set a status itself or
 * the ticket already has it; the change is a "status" event with the agent as actor.
 * Inside the caller's transaction. 1 if the status changed, 0 if not, -1 on store error. */
int thread_agent_after_reply(struct store *store, gint64 ticket_id, const char *agent_email,
			     const struct thread_agent_mail *am, const char *status, gint64 now,
			     char **error_r);

/* Apply the commands of an agent's mail to a ticket, each change an event with the agent
 * as actor. "#assign me" assigns the agent; an address must be a registered agent (else
 * an error is appended to am->errors and nothing is applied). Inside the caller's
 * transaction. */
int thread_agent_apply(struct store *store, gint64 ticket_id, const char *agent_email,
		       struct thread_agent_mail *am, gint64 now, char **error_r);
/* thread_agent_apply, and #merge and #split too (agent_moves.c): they are checked first
 * (a refused one is an error in am->errors, and then nothing is applied), applied last,
 * and what they made is left in am->merged_from, am->split_new. */
int thread_agent_run(struct store *store, const struct conf *conf, gint64 ticket_id,
		     const char *agent_email, struct thread_agent_mail *am, gint64 now,
		     char **error_r);

/* ======================= merge and split (merge.c, doc/agents.md) ======================= */

/* Follow merged_into from *id_r to the surviving ticket: 1 if *id_r changed, 0 if the
 * ticket was not merged (or does not exist). */
int thread_follow_merged(struct store *store, gint64 *id_r, char **error_r);
/* May ticket `from` be merged into `into`? 0 yes; 1 no, with *why_r (caller's) saying why:
 * the same ticket, a missing or already merged ticket, different queues. */
int thread_merge_check(struct store *store, gint64 into, gint64 from, char **why_r,
		       char **error_r);
/* Fold `from` into `into` (checked first): participants up to conf->max_participants
 * (*capped_r: how many were left out), then store_ticket_merge; events "merged" on into
 * and "merged_into" on from, with actor. */
int thread_merge(struct store *store, const struct conf *conf, gint64 into, gint64 from,
		 const char *actor, gint64 now, gint64 *capped_r, char **error_r);
/* May message row `row` (with the later ones if rest) be split off ticket? 0 yes; 1 no,
 * with *why_r: the ticket is missing or merged, the message is not its own, or nothing
 * would be left. */
int thread_split_check(struct store *store, gint64 ticket, gint64 row, gboolean rest,
		       char **why_r, char **error_r);
/* Move message row `row` (and every later one of the ticket if rest) to a new ticket of
 * the same queue and requester, linked_to the old one (*new_r); events on both. */
int thread_split(struct store *store, gint64 ticket, gint64 row, gboolean rest,
		 const char *actor, gint64 now, gint64 *new_r, char **error_r);

/* ======================= the command address (command.c) ======================= */
/* What an agent asks of the command address: read-only listings. */
enum thread_request_kind { THREAD_REQ_SEARCH, THREAD_REQ_MINE, THREAD_REQ_QUEUE, THREAD_REQ_OVERDUE };

struct thread_request {
	enum thread_request_kind kind;
	char *arg; /* search: the query (store_search_parse accepts it); queue: a name or
		    * NULL; else NULL */
};

struct thread_command_mail {
	GArray *requests;  /* struct thread_request, in the mail's order (at most 5) */
	GPtrArray *errors; /* char *: "line 1: \"#serch x\": unknown command ..." */
};

/* Parse the (quote-stripped) text of a mail to a command address: '#' lines at the top
 * are requests, the first other line ends them. Any mistake (unknown command, a bad
 * query, text before the first command, no command) is an error. Never fails; *cm_r
 * owned by the caller. */
void thread_command_parse(const char *text, struct thread_command_mail **cm_r);
void thread_command_mail_free(struct thread_command_mail **cm);

#endif
