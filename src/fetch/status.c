/* status (fetch/): a good poll into mailbox_state, the row `postdesk mailbox status` shows
 * (failures and the alert of the outage reset). Leaf of the module. */
#include "config.h"
#include "fetch-private.h"

int fetch_poll_ok(struct fetch_box *b, char **error_r)
{
	if (b->fetched > 0 || b->backlog > 0)
		log_info("[mailbox %s] %" G_GINT64_FORMAT " message(s) stored, %" G_GINT64_FORMAT
			 " waiting", b->m->name, b->fetched, b->backlog);
	return store_mailbox_ok(b->env->store, b->m->name, clock_now(), b->mode, b->backlog,
				b->skipped, b->fetched, error_r);
}
