/* acks: the acknowledgements of new tickets that postdesk-lmtpd leaves to notifyd (doc/
 * decisions.md, "The acknowledgement after the 250"). lmtpd stores the ticket and a
 * held_acks row in the delivery's commit and answers 250; here, oldest first, each held
 * ticket's first message is read back and parsed, the language detector runs on it (both
 * outside any transaction), then one transaction per batch takes the rows, sets each
 * ticket's language (thread_lang_new_ticket, the rules of a delivery) and queues its
 * acknowledgement under the same loop rules as a delivery (RFC 3834 headers, an address
 * that bounced, the rate limit, applied in message order so a burst counts as it did).
 * A crash before the commit leaves the rows held; a commit never queues one twice, and a
 * second runner (two notifyds on PostgreSQL) finds the row taken and skips it. Called by
 * postdesk-notifyd's loop and `postdesk tick`, in the caller's thread and connection.
 * Owns the parsed messages of one batch. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"
#include "postdesk/survey.h"
#include "postdesk/thread.h"

#define ACKS_BATCH 32		   /* held rows taken in one transaction */
#define ACKS_BATCH_BYTES (1 << 20) /* raw bytes parsed for one batch, past its first row */

struct acks_item {
	const struct store_held_ack *held; /* borrowed from the listing */
	GBytes *raw;			   /* kept while msg may point into it */
	struct parse_msg *msg;		   /* NULL: erased or unreadable, only taken */
};

static void acks_item_clear(struct acks_item *it)
{
	parse_msg_free(&it->msg);
	if (it->raw != NULL)
		g_bytes_unref(it->raw);
	it->raw = NULL;
}

/* Read and parse the held ticket's first message, and run the detector: no transaction
 * (a database lock is not held while a message is parsed). *bytes_r += its size. */
static int acks_read(struct store *store, struct acks_item *it, gsize *bytes_r, char **error_r)
{
	const char *bytes;
	char *perr = NULL;
	gsize len = 0;
	int ret;

	if ((ret = store_message_raw(store, it->held->message_row, &it->raw, error_r)) <= 0)
		return ret; /* 0: the message is gone */
	bytes = g_bytes_get_data(it->raw, &len);
	*bytes_r += len;
	if (len == 0)
		return 0; /* erased (postdesk customer erase) while it was held */
	if (parse_message(bytes, len, &it->msg, &perr) != 0) {
		/* lmtpd parsed these very bytes: only a changed parser could refuse them now */
		log_warn("ticket %" G_GINT64_FORMAT
			 ": no acknowledgement: message not readable: %s",
			 it->held->ticket_id, perr);
		g_free(perr);
		parse_msg_free(&it->msg);
		return 0;
	}
	thread_lang_detect(it->msg);
	return 0;
}

/* In the transaction: take the row, then the language and the acknowledgement. */
static int acks_one(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		    const struct acks_item *it, gint64 now, char **error_r)
{
	const struct conf_queue *q = NULL;
	struct store_ticket *t = NULL;
	int ret;

	if ((ret = store_ack_take(store, it->held->message_row, error_r)) <= 0 || it->msg == NULL)
		return ret < 0 ? -1 : 0;
	if ((ret = store_ticket_get(store, it->held->ticket_id, &t, error_r)) <= 0)
		return ret; /* 0: the ticket is gone */
	q = conf_queue_by_name(conf, t->queue);
	if (q == NULL) /* the queue left the configuration (a reload) */
		log_warn("ticket %" G_GINT64_FORMAT ": no acknowledgement: queue %s is not "
			 "configured",
			 t->id, t->queue);
	else if ((ret = thread_lang_new_ticket(store, q, it->msg, t->id, t->requester_id,
					       error_r)) == 0)
		ret = compose_ack_new_ticket(ctx, store, t->id, it->msg, it->held->sender, now,
					     error_r);
	store_ticket_free(&t);
	return ret;
}

/* One batch: read (no transaction), then take and compose in one. *more_r: rows may be
 * left. */
static int acks_batch(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		      gint64 now, gboolean *more_r, guint *done_r, char **error_r)
{
	GPtrArray *held = NULL;
	struct acks_item items[ACKS_BATCH] = {0};
	gsize bytes = 0;
	guint n = 0;
	int ret = 0;

	*more_r = FALSE;
	if (store_ack_held(store, ACKS_BATCH, &held, error_r) < 0)
		return -1;
	for (; ret == 0 && n < held->len && (n == 0 || bytes < ACKS_BATCH_BYTES); n++) {
		items[n].held = g_ptr_array_index(held, n);
		ret = acks_read(store, &items[n], &bytes, error_r);
	}
	if (ret == 0 && n > 0 && (ret = store_begin(store, error_r)) == 0) {
		for (guint i = 0; ret == 0 && i < n; i++)
			ret = acks_one(store, ctx, conf, &items[i], now, error_r);
		if (ret < 0)
			store_rollback(store);
		else
			ret = store_commit(store, error_r);
	}
	for (guint i = 0; i < n; i++)
		acks_item_clear(&items[i]);
	if (ret == 0) {
		*more_r = n < held->len || held->len == ACKS_BATCH;
		*done_r += n;
	}
	g_ptr_array_unref(held);
	return ret < 0 ? -1 : 0;
}

int survey_acks_run(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		    gint64 now, guint max, guint *done_r, char **error_r)
{
	gboolean more;
	guint done = 0;
	int ret;

	do {
		ret = acks_batch(store, ctx, conf, now, &more, &done, error_r);
	} while (ret == 0 && more && (max == 0 || done < max));
	if (done_r != NULL)
		*done_r = done;
	return ret;
}
