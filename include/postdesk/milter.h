/* milter: postdesk-milter, the SMTP-time policy for Postfix's smtpd_milters (the only
 * libmilter user in the tree). See doc/milter.md. */
#ifndef POSTDESK_MILTER_H
#define POSTDESK_MILTER_H

#include <glib.h>
#include "postdesk/conf.h"
#include "postdesk/deliver.h"
#include "postdesk/token.h"

/* ======================= milter (postdesk-milter) ======================= */

/* SMTP-time policy for Postfix's smtpd_milters (doc/milter.md): at RCPT the same recipient
 * decision as LMTP (deliver_rcpt_resolve) plus ticket-exists and agent-sender checks; at end of
 * headers loop detection and the new-ticket flood limit; size; X-Postdesk-Ticket/Verdict
 * trace headers at end of message. The database is read read-only, one connection per
 * SMTP connection (opened lazily, closed with it). */
struct milter;
/* conf and keys are borrowed and must outlive the milter. Owner: the caller. The struct
 * holds the only mutable state shared between connections: the flood table (mutex). */
struct milter *milter_new(const struct conf *conf, const struct token_keys *keys);
void milter_free(struct milter **m);
/* Make snap (its reference taken over) the configuration of connections that start from
 * now on; connections in flight keep theirs. Any thread. */
void milter_reload(struct milter *m, struct deliver_snapshot *snap);
/* Register with libmilter, switch to conf->user (doc/privileges.md), then listen on
 * conf->milter_listen (a unix socket is made mode 0666, owned by the user, in a directory
 * the user may write and that decides who reaches it; a stale one is replaced) and serve
 * until milter_stop() or SIGTERM/SIGINT/SIGHUP reach libmilter's signal thread (the
 * daemon takes them first: src/bin/postdesk-milter.c). Call once per process (libmilter
 * keeps global state). -1 on error. */
int milter_run(struct milter *m, char **error_r);
/* Ask milter_run() to return once the sessions in flight have ended. Any thread. */
void milter_stop(void);
/* Our listen syntax to libmilter's: "unix:/p" stays, "inet:HOST:PORT" -> "inet:PORT@HOST",
 * "inet:[V6]:PORT" -> "inet6:PORT@V6". g_malloc'ed; NULL if listen is malformed. */
char *milter_listen_spec(const char *listen);

#endif
