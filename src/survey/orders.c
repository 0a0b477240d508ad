/* orders: the agent notices held for an order lookup (issue 14, doc/orders.md) or for the
 * attachments they pass on (composed here, not in lmtpd's single writer). For each,
 * oldest first: run the queue's order_lookup for each of the message's order references
 * (OUTSIDE any transaction: a slow shop holds no lock and delays only this notice), then
 * in one transaction store what the shop said (or why the lookup failed), compose the
 * notice from the stored message and mark it done: a crash before the commit runs the
 * lookup again after the restart; a commit never sends the notice twice. Called by
 * postdesk-notifyd's loop and `postdesk tick`, in the caller's thread and connection. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "postdesk/report.h"
#include "postdesk/store.h"
#include "postdesk/survey.h"

#include <string.h>

#define ORDERS_BATCH 20 /* held notices handled in one call */

/* Ask the shop about r (not looked up yet): r->looked and either the fields or r->error
 * set; the JSON as it came in *json_r ("" when the lookup failed). */
static void orders_lookup(const struct conf *conf, const struct conf_queue *q,
			  struct store_order_ref *r, gint64 now, char **json_r)
{
	struct report_order *o = NULL;
	char *out = NULL, *err = NULL;

	*json_r = g_strdup("");
	r->looked = now;
	if (q == NULL || q->order_lookup == NULL)
		return; /* no longer configured (a reload): shown as a plain reference */
	if (survey_lookup_run(q->order_lookup, r->ref, conf->user, conf->order_lookup_timeout_ms,
			      conf->order_lookup_max_output, &out, &err) < 0 ||
	    report_order_parse(out, strlen(out), &o, &err) < 0) {
		log_warn("order %s: lookup failed: %s", r->ref, err);
		g_free(r->error);
		r->error = err;
		g_free(out);
		return;
	}
	g_free(*json_r);
	*json_r = out;
#define ORDERS_TAKE(f) (g_free(r->f), r->f = o->f, o->f = NULL)
	ORDERS_TAKE(status);
	ORDERS_TAKE(tracking);
	ORDERS_TAKE(total);
	ORDERS_TAKE(items);
#undef ORDERS_TAKE
	report_order_free(&o);
}

/* In the transaction: the lookups' results, the notice, done. */
static int orders_release(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
			  const struct store_order_notice *n, const GPtrArray *refs,
			  GPtrArray *jsons, gint64 now, char **error_r)
{
	struct parse_msg *msg = NULL;
	GBytes *raw = NULL;
	gboolean queued;
	const char *bytes;
	char *withheld;
	gsize len = 0;
	int ret = 0;

	for (guint i = 0; ret == 0 && i < refs->len; i++)
		ret = store_order_ref_result(store, g_ptr_array_index(refs, i),
					     g_ptr_array_index(jsons, i), error_r);
	if (ret < 0 || (ret = store_order_notice_done(store, n->message_row, now, error_r)) <= 0)
		return ret; /* 0: another runner released it */
	if ((ret = store_message_raw(store, n->message_row, &raw, error_r)) <= 0)
		return ret; /* the message is gone (erased): nothing to tell */
	bytes = g_bytes_get_data(raw, &len);
	if (len == 0) { /* erased (postdesk customer erase) while it was held */
		g_bytes_unref(raw);
		return 0;
	}
	if ((ret = parse_message_with_data(bytes, len, &msg, error_r)) == 0) {
		/* the attachment policy again: what it withholds loses its bytes (the warning
		 * that says so was written when the message came) */
		withheld = compose_attachments_withhold(conf, msg, n->ticket_id, n->message_row);
		g_free(withheld);
		ret = compose_queue_agent_notice(ctx, store, n->ticket_id, msg,
						 n->warning[0] != '\0' ? n->warning : NULL, now,
						 &queued, error_r);
	}
	parse_msg_free(&msg);
	g_bytes_unref(raw);
	return compose_failed_event(store, ret, "agent notice", n->ticket_id, now, error_r);
}

/* One held notice: lookups, then the transaction; *looked_r says whether a shop was asked. */
static int orders_one(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		      const struct store_order_notice *n, gint64 now, gboolean *looked_r,
		      char **error_r)
{
	GPtrArray *refs = NULL, *jsons = g_ptr_array_new_with_free_func(g_free);
	struct store_ticket *t = NULL;
	const struct conf_queue *q = NULL;
	int ret;

	if ((ret = store_ticket_get(store, n->ticket_id, &t, error_r)) < 0 ||
	    store_order_ref_list(store, n->message_row, &refs, error_r) < 0) {
		g_ptr_array_unref(jsons);
		return -1;
	}
	if (ret == 1)
		q = conf_queue_by_name(conf, t->queue);
	store_ticket_free(&t);
	*looked_r = refs->len > 0 && q != NULL && q->order_lookup != NULL;
	for (guint i = 0; i < refs->len; i++) {
		char *json;
		orders_lookup(conf, q, g_ptr_array_index(refs, i), now, &json);
		g_ptr_array_add(jsons, json);
	}
	if ((ret = store_begin(store, error_r)) == 0) {
		ret = orders_release(store, ctx, conf, n, refs, jsons, now, error_r);
		if (ret < 0)
			store_rollback(store);
		else
			ret = store_commit(store, error_r);
	}
	g_ptr_array_unref(refs);
	g_ptr_array_unref(jsons);
	return ret < 0 ? -1 : 0;
}

int survey_orders_run(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		      gint64 now, int max, guint *done_r, char **error_r)
{
	GPtrArray *pending = NULL;
	int ret = 0, looked = 0;

	if (done_r != NULL)
		*done_r = 0;
	if (store_order_notice_pending(store, ORDERS_BATCH, &pending, error_r) < 0)
		return -1;
	/* max bounds the lookups (a hanging shop), not the notices held for their
	 * attachments only: those cost no wait */
	for (guint i = 0; ret == 0 && i < pending->len && (max <= 0 || looked < max); i++) {
		gboolean asked = FALSE;

		ret = orders_one(store, ctx, conf, g_ptr_array_index(pending, i), now, &asked,
				 error_r);
		looked += asked ? 1 : 0;
		if (ret == 0 && done_r != NULL)
			(*done_r)++;
	}
	g_ptr_array_unref(pending);
	return ret;
}
