/* route-private.h: shared by the route*.c files of the ingest module. */
#ifndef POSTDESK_ROUTE_PRIVATE_H
#define POSTDESK_ROUTE_PRIVATE_H

#include "postdesk/ingest.h"
#include "postdesk/thread.h"

/* The thread input for recipient r of d (all borrowed from d and r); the token is r's if
 * it has one. */
void route_input(const struct delivery *d, const struct rcpt *r, struct thread_input *in);

#endif
