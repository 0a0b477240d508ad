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

enum thread_cmd_kind { THREAD_CMD_STATUS, THREAD_CMD_ASSIGN, THREAD_CMD_PRIORITY, THREAD_CMD_TAG };

struct thread_cmd {
	enum thread_cmd_kind kind;
	char *arg; /* validated, lower-case: a status, "me" or an address, a priority, a tag */
};

/* An agent's mail, split: command lines at the very top, then the text. */
struct thread_agent_mail {
	gboolean note;     /* #note: internal, never to the customer */
	GArray *cmds;      /* struct thread_cmd */
	GPtrArray *errors; /* char *: "line 2: unknown command #stauts" ... */
	char *text;        /* the reply text without the command lines, trimmed */
};

/* Parse the (already quote-stripped) text of an agent's mail. Lines at the top starting
 * with '#' are commands until the first other non-blank line; a mistyped or invalid one is
 * an error (then nothing may reach the customer). Never fails; *am_r owned by caller. */
void thread_agent_parse(const char *text, struct thread_agent_mail **am_r);
void thread_agent_mail_free(struct thread_agent_mail **am);

/* Apply the commands of an agent's mail to a ticket, each change an event with the agent
 * as actor. "#assign me" assigns the agent; an address must be a registered agent (else
 * an error is appended to am->errors and nothing is applied). Inside the caller's
 * transaction. */
int thread_agent_apply(struct store *store, gint64 ticket_id, const char *agent_email,
		       struct thread_agent_mail *am, gint64 now, char **error_r);

#endif
