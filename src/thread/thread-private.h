/* thread-private.h: the trust decisions (trust.c) that thread.c applies. Leaf functions:
 * they read the store and the parsed message, and write nothing. */
#ifndef POSTDESK_THREAD_PRIVATE_H
#define POSTDESK_THREAD_PRIVATE_H

#include "postdesk/thread.h"

/* Does the message answer mail WE sent to author? In-Reply-To, then References newest
 * first, each looked up among our outbound messages and their recipients. 1 with
 * *ticket_r (that message's ticket), 0 no, -1 store error. */
int thread_trust_our_mail(struct store *store, const struct parse_msg *msg, const char *author,
			  gint64 *ticket_r, char **error_r);
/* Does our MTA vouch for the From domain? The first Authentication-Results header of
 * conf->milter_authserv_id (unset: never) says dmarc=pass for header.from = that domain
 * and no dmarc=fail. */
gboolean thread_trust_mta_vouches(const struct conf *conf, const struct parse_msg *msg);

#endif
