/* outbox: postdesk-notifyd's sending. Every outbound mail is first a row of the store's
 * outbox table (written by compose/ in the transaction of its cause); this module takes the
 * due rows, hands each to the relay over SMTP (net_smtp_send, src/net/)
 * and records the outcome. No state is shared between calls. */
#ifndef POSTDESK_OUTBOX_H
#define POSTDESK_OUTBOX_H

#include <glib.h>
#include <signal.h> /* sig_atomic_t */

#include "postdesk/lib.h"
#include "postdesk/net.h"

struct store;
struct conf;
struct token_keys;

/* ==== outbox ====
 * postdesk-notifyd's sending loop. Every outbound mail is first a row in the store's outbox
 * table (written in the transaction of the event that caused it); these functions take the
 * due rows and hand each to the relay, one SMTP transaction per recipient not yet taken.
 * Envelope sender: the per-recipient bounce address LOCAL+b<row>.<n>-<mac>@domain (VERP;
 * n from 1; LOCAL = the local part of the ticket's queue, else of the first queue), so a
 * bounce names the row and the recipient it is about. Each recipient's progress
 * (store_outbox.done) and then the row's outcome are committed in small transactions of
 * their own before anything else is sent:
 *   OK        -> marked sent (first, before anything else happens)
 *   TEMPFAIL  -> deferred to now + outbox_backoff(attempts, ...), or marked failed once
 *                the row is older than outbox_max_age (with a delivery_failed ticket event)
 *   PERMFAIL  -> marked failed, with a delivery_failed event on the ticket
 * One process drains a database (run one postdesk-notifyd per store). See doc/outbox.md. */
#define OUTBOX_BATCH 50     /* rows taken per pass */
#define OUTBOX_TIMEOUT_S 60 /* SMTP connect and per-reply timeout */

/* Retry delay after a failed attempt when the row had `attempts` failed attempts before:
 * min(base * 2^attempts, max), and never below 1 second. */
gint64 outbox_backoff(gint64 attempts, gint64 base, gint64 max);

/* One sender per database: an exclusive lock on "<database>-send.lock", taken by every
 * pass of outbox_run*() (postdesk-notifyd's loop, `postdesk tick`), so that two
 * senders never take the same row. 1 taken (close *fd_r to release it; the kernel
 * releases it if the process dies), 0 another process holds it, -1 error. */
int outbox_lock(const struct conf *conf, int *fd_r, char **error_r);

/* One pass: send the rows due at `now` (at most OUTBOX_BATCH) through conf->relay and
 * record each outcome as above; *sent_r (may be NULL) counts the mails the relay accepted.
 * A relay failure is recorded on the row, not returned: -1 means the store failed (the
 * reason in *error_r; the caller logs it and tries again later). */
int outbox_run(struct store *store, const struct conf *conf, const struct token_keys *keys,
		      gint64 now, guint *sent_r, char **error_r);

/* As outbox_run() with at most `limit` rows (<= 0: OUTBOX_BATCH), checking
 * *stop (may be NULL; a signal handler's flag) before each row: once it is non-zero the pass
 * ends after the current send, with 0. */
int outbox_run_until(struct store *store, const struct conf *conf,
			    const struct token_keys *keys, gint64 now, int limit,
			    const volatile sig_atomic_t *stop, guint *sent_r, char **error_r);

#endif
