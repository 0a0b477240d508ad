/* route_orders: the order references of a customer message (issue 14, doc/orders.md),
 * found by the ticket's queue's order_patterns in its subject and new text and stored with
 * the message in the delivery's transaction. When the queue has an order_lookup, the
 * agent notice is held (an order_notices row) instead of composed: postdesk-notifyd runs
 * the lookup outside any delivery and then composes it, so a slow shop delays the notice,
 * never the 250. Runs in the committer's thread with its store connection. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"

#include "deliver-private.h"

int deliver_route_orders(const struct deliver_msg *d, const struct deliver_env *env,
			 struct store *store, const struct thread_result *res,
			 gboolean *hold_r, char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	GPtrArray *refs = NULL;
	char *text, *err = NULL;
	guint hidden;
	int ret;

	*hold_r = FALSE;
	if ((ret = store_ticket_get(store, res->ticket_id, &t, error_r)) <= 0)
		return ret;
	q = conf_queue_by_name(env->conf, t->queue);
	store_ticket_free(&t);
	if (q == NULL || q->order_patterns == NULL)
		return 0;
	/* The new text only: an order number the customer quotes from our mail is not news. */
	text = parse_reply_view(d->msg->body, d->msg->body_html, &hidden);
	if (conf_order_refs_find(q, d->msg->subject, text, &refs, &err) < 0) {
		/* conf compiled the patterns when it loaded: this is not the message's fault */
		log_warn("ticket %" G_GINT64_FORMAT ": order_patterns: %s", res->ticket_id, err);
		g_free(err);
	}
	for (guint i = 0; ret >= 0 && i < refs->len; i++)
		ret = store_order_ref_add(store, res->message_row, res->ticket_id,
					  g_ptr_array_index(refs, i), error_r);
	*hold_r = ret >= 0 && refs->len > 0 && q->order_lookup != NULL;
	g_ptr_array_unref(refs);
	g_free(text);
	return ret < 0 ? -1 : 0;
}
