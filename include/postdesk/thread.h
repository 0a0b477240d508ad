/* thread: match one inbound message to a ticket and record it (message, participants,
 * events, ticket state). Order (DESIGN.md): reply token -> Message-ID references (the
 * message's own Message-ID, In-Reply-To, References newest first, against every stored
 * Message-ID in and out) -> subject tag [#N] from a participant of N -> new ticket.
 * A message for a closed ticket follows conf->closed_policy (reopen, or a new ticket linked
 * to the old one). Runs inside the caller's transaction; uses only store/ for SQL. */
#ifndef POSTDESK_THREAD_H
#define POSTDESK_THREAD_H

#include <glib.h>
#include "postdesk/conf.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"
#include "postdesk/token.h"

struct thread_input {
	const struct parse_msg *msg;
	const char *raw;               /* the message byte for byte */
	gsize raw_len;
	const char *rcpt;              /* envelope recipient, lower-case */
	const char *env_sender;        /* envelope sender, "" for the null sender */
	const struct conf_queue *queue;/* the queue addressed (token or plain address) */
	const struct token *token;     /* valid token of the recipient, or NULL */
};

enum thread_rule {
	THREAD_RULE_TOKEN,
	THREAD_RULE_MESSAGE_ID,
	THREAD_RULE_SUBJECT_TAG,
	THREAD_RULE_NEW,
};

struct thread_result {
	gint64 ticket_id;
	gint64 message_row;
	enum thread_rule rule;
	gboolean new_ticket;
	gboolean duplicate;    /* (Message-ID, rcpt) was already stored: nothing written */
	gboolean reopened;     /* a resolved/closed ticket was reopened */
	gint64 linked_from;    /* closed ticket this new ticket continues, 0 if none */
};

/* Thread and store one message for one recipient. -1 on store failure (caller rolls back
 * and answers 4xx), 0 ok. A token naming a ticket that does not exist is -1 with
 * *permanent_r set (the caller answers 5.1.1). */
int thread_deliver(struct store *store, const struct conf *conf, const struct thread_input *in,
		   gint64 now, struct thread_result *r, gboolean *permanent_r, char **error_r);
const char *thread_rule_name(enum thread_rule rule);

#endif
