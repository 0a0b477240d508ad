/* deliver-private.h: shared by the route*.c files of the deliver module. */
#ifndef POSTDESK_DELIVER_PRIVATE_H
#define POSTDESK_DELIVER_PRIVATE_H

#include "postdesk/deliver.h"
#include "postdesk/thread.h"

/* Per-recipient handling by address kind (route.c, route_agent.c,
 * route_bounce.c), inside the caller's
 * savepoint: -1 store trouble (4xx), 0 done, 1 refused for good (roll the savepoint back).
 * d->verdicts[i] is set on 0 and 1. */
int deliver_route_customer(struct deliver_msg *d, guint i, struct store *store,
		   const struct deliver_env *env, gint64 now, char **error_r);
int deliver_route_agent(struct deliver_msg *d, guint i, struct store *store, const struct deliver_env *env,
		gint64 now, char **error_r);
int deliver_route_bounce(struct deliver_msg *d, guint i, struct store *store,
		 const struct deliver_env *env, gint64 now, char **error_r);
/* A survey answer (score token) or opt-out (opt-out token): stored on the ticket, never a
 * status change (route_survey.c). */
int deliver_route_survey(struct deliver_msg *d, guint i, struct store *store,
		 const struct deliver_env *env, gint64 now, char **error_r);

/* A customer's "status" request to their ticket's token (route_status.c): answered, and
 * nothing stored, with *handled_r TRUE and the verdict set; *handled_r FALSE (return 0) when
 * the mail is not one (then it is an ordinary customer message). -1 on store trouble. */
int deliver_route_status(struct deliver_msg *d, guint i, struct store *store,
			 const struct deliver_env *env, gint64 now, gboolean *handled_r,
			 char **error_r);
/* Mail to an agent's command address (#search, #mine, #queue, #overdue): answered with a
 * list, to the registered agent the address was issued to (route_command.c). */
int deliver_route_command(struct deliver_msg *d, guint i, struct store *store,
			  const struct deliver_env *env, gint64 now, char **error_r);

/* A customer's "solved" answer to their ticket's token, or mail to its TOKEN_SOLVED
 * address (route_solved.c): the ticket resolved as self-served, *handled_r TRUE and the
 * verdict set (returns 1 when refused: the caller rolls back); *handled_r FALSE (0) when it
 * is an ordinary customer message. -1 on store trouble. */
int deliver_route_solved(struct deliver_msg *d, guint i, struct store *store,
			 const struct deliver_env *env, gint64 now, gboolean *handled_r,
			 char **error_r);

/* The message parsed again with attachment bytes (from memory or the spool file), for mail
 * that passes attachments on: 0 with *full_r (caller frees), -1 when unreadable. */
/* Compress d's raw bytes into d->stored or d->stored_fd (stored.c, the caller's thread).
 * -1 with *error_r when the spool cannot take them. */
int deliver_stored_make(struct deliver_msg *d, char **error_r);
int deliver_parse_full(const struct deliver_msg *d, struct parse_msg **full_r);

/* The thread input for recipient r of d (all borrowed from d and r); the token is r's if
 * it has one. */
void deliver_route_input(const struct deliver_msg *d, const struct deliver_rcpt *r, struct thread_input *in);

/* The order references of a customer message, stored with res->message_row
 * (route_orders.c): *hold_r TRUE when the ticket's queue looks them up, so the agent
 * notice waits for postdesk-notifyd (store_order_notice_hold) instead of being composed.
 * -1 on store trouble only. */
int deliver_route_orders(const struct deliver_msg *d, const struct deliver_env *env,
			 struct store *store, const struct thread_result *res,
			 gboolean *hold_r, char **error_r);

#endif
