/* take: one fetched message into the store, through the pipeline every way in shares
 * (deliver_run: parse, thread, store, acknowledgement and notices in one commit) with the
 * mailbox's queue as the recipient, and its fetch record (mailbox, UIDVALIDITY, UID) in
 * that same commit: recorded if and only if stored. The message gets a Delivered-To line
 * with the queue's address in front, as a delivering MTA would write it (a trace field:
 * the content digest that tells a redelivery ignores it) -- unless it has no header at
 * all, which the pipeline refuses as it is (a line in front would make it a message).
 * Leaf of the module. */
#include "config.h"
#include "fetch-private.h"

#include <string.h>

int fetch_known(struct fetch_box *b, gint64 uidvalidity, const char *uid, char **state_r,
		char **error_r)
{
	struct store_fetch_key k = {b->m->name, uidvalidity, uid};
	gint64 done = 0;

	return store_fetched_find(b->env->store, &k, state_r, &done, error_r);
}

int fetch_too_big(struct fetch_box *b, gint64 uidvalidity, const char *uid, gint64 size,
		  char **error_r)
{
	struct store_fetch_key k = {b->m->name, uidvalidity, uid};
	char *why = g_strdup_printf("%" G_GINT64_FORMAT " bytes, over max_message_size %"
				    G_GINT64_FORMAT, size, b->m->max_message_size);
	int ret = store_fetched_add(b->env->store, &k, 0, NULL, "too_big", why, NULL, 0,
				    clock_now(), error_r);

	if (ret == 0)
		log_warn("[mailbox %s] message UID %s left on the server: %s", b->m->name, uid, why);
	g_free(why);
	return ret;
}

int fetch_mark_done(struct fetch_box *b, gint64 uidvalidity, GPtrArray *uids, char **error_r)
{
	struct store *store = b->env->store;
	gint64 now = clock_now();

	if (uids->len == 0)
		return 0;
	if (store_begin(store, error_r) < 0)
		return -1;
	for (guint i = 0; i < uids->len; i++) {
		struct store_fetch_key k = {b->m->name, uidvalidity, g_ptr_array_index(uids, i)};
		if (store_fetched_done(store, &k, now, error_r) < 0) {
			store_rollback(store);
			return -1;
		}
	}
	if (store_commit(store, error_r) < 0) {
		store_rollback(store);
		return -1;
	}
	return 0;
}

/* The message starts with a header field: a field name (printable ASCII but ':') and ':'. */
static gboolean take_has_header(const char *raw, gsize len)
{
	gsize i = 0;

	while (i < len && raw[i] > ' ' && raw[i] < 0x7f && raw[i] != ':')
		i++;
	return i > 0 && i < len && raw[i] == ':';
}

int fetch_take(struct fetch_box *b, gint64 uidvalidity, const char *uid, char *raw, gsize len,
	       char **error_r)
{
	const struct conf_queue *q = b->m->queue_ref;
	char *line = take_has_header(raw, len) ? g_strdup_printf("Delivered-To: %s\r\n", q->address)
					       : g_strdup("");
	gsize n = strlen(line);
	char *bytes = g_malloc(n + len + 1);
	struct deliver_rcpt r = {.addr = g_strdup(q->address), .queue = q};
	struct deliver_msg *d;
	struct verdict v;

	memcpy(bytes, line, n);
	memcpy(bytes + n, raw, len);
	bytes[n + len] = '\0';
	g_free(line);
	g_free(raw);
	d = deliver_new("", bytes, n + len);
	deliver_add_rcpt(d, &r);
	deliver_set_fetch(d, b->m->name, uidvalidity, uid);
	/* A message GMime cannot read at all is refused for good by deliver_parse: deliver_run
	 * then records it, bytes and reason, instead of storing it (never fetched again). */
	if (deliver_parse(d) == 0 || d->verdicts[0].status == VERDICT_PERMFAIL)
		deliver_run(d, b->env->store, b->env->deliver);
	v = d->verdicts[0];
	deliver_free(&d);
	if (v.status == VERDICT_OK)
		return 1;
	if (v.status == VERDICT_PERMFAIL) {
		log_warn("[mailbox %s] message UID %s refused for good, kept in the fetched "
			 "table and left on the server: %d %s %s",
			 b->m->name, uid, v.smtp, v.enh, v.text);
		return 0;
	}
	return util_error(error_r, "message UID %s not stored: %d %s %s", uid, v.smtp, v.enh,
			  v.text);
}
