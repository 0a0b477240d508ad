/* survey-private.h: what the files of survey/ share. */
#ifndef POSTDESK_SURVEY_PRIVATE_H
#define POSTDESK_SURVEY_PRIVATE_H

#include "postdesk/store.h"

/* A mail that cannot be composed (a template or header check refused the data) must not
 * stay held, tried again every pass: as in a delivery, the ticket gets a delivery_failed
 * event ("<what> not sent: ...") and the caller goes on (0). Store trouble stays -1
 * (rollback, held for the next pass). ret is the composer's; error_r its message.
 * (composed.c) */
int survey_not_composed(struct store *store, int ret, const char *what, gint64 ticket,
			gint64 now, char **error_r);

#endif
