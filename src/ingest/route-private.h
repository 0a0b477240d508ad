/* route-private.h: shared by the route*.c files of the ingest module. */
#ifndef POSTDESK_ROUTE_PRIVATE_H
#define POSTDESK_ROUTE_PRIVATE_H

#include "postdesk/ingest.h"
#include "postdesk/thread.h"

/* The thread input for recipient r of d (all borrowed from d and r); the token is r's if
 * it has one. */
void route_input(const struct delivery *d, const struct rcpt *r, struct thread_input *in);

/* ret of a notify_queue_*() call: a failure that is not the store's (the mail could not be
 * composed) is logged and recorded as a delivery_failed event instead, returning 0. */
int route_notified(struct store *store, int ret, const char *what, gint64 ticket, gint64 now,
		   char **error_r);

#endif
