/* net: the client side of the mail protocols, behind libetpan (the only module that
 * includes it): SMTP submission to the relay (smtp.c, used by outbox/), IMAP and POP3
 * fetching (imap.c, pop3.c, used by fetch/). Connections are made with GIO (connect
 * timeout, TLS with certificate verification through GLib's TLS backend) and handed to
 * libetpan as a file descriptor or a custom stream. Every call owns its session: no state
 * is shared between calls, any thread may call. */
#ifndef POSTDESK_NET_H
#define POSTDESK_NET_H

#include <glib.h>

#include "postdesk/lib.h"

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
int net_smtp_send(const char *relay, const char *env_from, const char *const *rcpts,
		     guint n_rcpts, const char *data, gsize len, int timeout_s, struct verdict *v);

#endif
