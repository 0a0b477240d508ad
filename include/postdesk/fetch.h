/* fetch: IMAP/POP3 intake from hosted mailboxes (issue 15, doc/fetch.md), postdesk-fetchd's
 * work. One [mailbox NAME] is run by one loop on one thread with its own store connection:
 * connect (net/), take every message not yet recorded through the delivery pipeline
 * (deliver_run: the fetched record is written in the message's own commit), and only then
 * flag it \Seen, move or delete it on the server; IDLE where the server offers it, polling
 * otherwise. Failures are retried with a doubling delay, recorded in mailbox_state and,
 * after alert_after without success, mailed to the admins once per outage. */
#ifndef POSTDESK_FETCH_H
#define POSTDESK_FETCH_H

#include <glib.h>
#include <signal.h> /* sig_atomic_t */

#include "postdesk/conf.h"
#include "postdesk/deliver.h"
#include "postdesk/store.h"

/* What one mailbox's loop uses; all borrowed, for the loop's life. */
struct fetch_env {
	const struct conf *conf;
	const struct deliver_env *deliver; /* its compose context queues the acks and the alert */
	struct store *store;               /* this loop's own connection */
	const volatile sig_atomic_t *stop; /* a signal handler's flag: the loop ends when set */
};

/* Delay after `failures` consecutive failed attempts (>= 1): 5 s doubled each time, at
 * most max seconds (and at least 1). */
gint64 fetch_backoff(gint64 failures, gint64 max);

/* Run mailbox m until *env->stop; once: one attempt (a poll, no IDLE, no waiting), then
 * return 0 if it succeeded, 1 if it failed (recorded and, when due, alerted). -1 only when
 * the store cannot record anything (the caller logs and exits with EX_TEMPFAIL). */
int fetch_mailbox_run(const struct fetch_env *env, const struct conf_mailbox *m,
		      gboolean once, char **error_r);

#endif
