/* pop3 (fetch/): one POP3 session of a mailbox (the fallback where IMAP is not offered).
 * The key of a message is its UIDL (UIDVALIDITY 0). Each message on the server: recorded
 * and stored -> DELE again if done_action is delete (a kill came between the commit and
 * QUIT), else left; recorded otherwise -> left; not recorded -> size from LIST checked
 * before RETR, delivered with its record in one commit, then DELE (done_action delete).
 * The DELEs happen at QUIT: only after a good QUIT are they recorded as done. POP3 has no
 * IDLE: every session is one poll. */
#include "config.h"
#include "fetch-private.h"

#include <string.h>

/* One message: -1 trouble, else 0 (*dele_r TRUE when it is to be deleted). */
static int pop3_one(struct fetch_box *b, struct net_pop3 *s, const struct net_pop3_msg *msg,
		    gboolean *dele_r, char **error_r)
{
	gboolean del = strcmp(b->m->done_action, "delete") == 0;
	char *state = NULL, *raw = NULL;
	gsize len = 0;
	int ret = fetch_known(b, 0, msg->uidl, &state, error_r);

	*dele_r = FALSE;
	if (ret == 1) {
		*dele_r = del && strcmp(state, "stored") == 0;
		b->skipped += strcmp(state, "stored") != 0;
		g_free(state);
		return 0;
	}
	if (ret < 0)
		return -1;
	if (b->fetched >= b->m->max_per_poll) {
		b->backlog++;
		return 0;
	}
	if (msg->size > b->m->max_message_size) {
		b->skipped++;
		return fetch_too_big(b, 0, msg->uidl, msg->size, error_r);
	}
	if (net_pop3_retr(s, msg->msgno, &raw, &len, error_r) < 0)
		return -1;
	ret = fetch_take(b, 0, msg->uidl, raw, len, error_r);
	if (ret < 0)
		return -1;
	b->fetched += ret;
	b->skipped += ret == 0;
	*dele_r = del && ret == 1;
	return 0;
}

/* DELE the messages of dele (indexes into msgs), QUIT, then record them done. */
static int pop3_finish(struct fetch_box *b, struct net_pop3 **s, GArray *msgs, GArray *dele,
		       char **error_r)
{
	for (guint i = 0; i < dele->len; i++) {
		const struct net_pop3_msg *msg =
		    &g_array_index(msgs, struct net_pop3_msg, g_array_index(dele, guint, i));
		if (net_pop3_dele(*s, msg->msgno, error_r) < 0)
			return -1;
	}
	GPtrArray *done;
	int ret;

	if (net_pop3_quit(s, error_r) < 0)
		return -1;
	done = g_ptr_array_new();
	for (guint i = 0; i < dele->len; i++)
		g_ptr_array_add(done, g_array_index(msgs, struct net_pop3_msg,
						    g_array_index(dele, guint, i)).uidl);
	ret = fetch_mark_done(b, 0, done, error_r);
	g_ptr_array_unref(done);
	return ret;
}

int fetch_pop3_session(struct fetch_box *b, char **error_r)
{
	struct net_pop3 *s = NULL;
	GArray *msgs = NULL, *dele = g_array_new(FALSE, FALSE, sizeof(guint));
	enum net_fail fail;
	int ret = -1;

	b->mode = "pop3";
	b->backlog = b->skipped = b->fetched = 0;
	if (fetch_secret_get(b, error_r) < 0)
		goto out;
	if (net_pop3_open(&b->srv, &s, &fail, error_r) < 0) {
		if (fail == NET_FAIL_AUTH)
			fetch_secret_forget(b);
		goto out;
	}
	if (net_pop3_list(s, &msgs, error_r) < 0)
		goto out;
	ret = 0;
	for (guint i = 0; i < msgs->len && ret == 0 && !*b->env->stop; i++) {
		gboolean del = FALSE;
		ret = pop3_one(b, s, &g_array_index(msgs, struct net_pop3_msg, i), &del, error_r);
		if (del)
			g_array_append_val(dele, i);
	}
	if (ret == 0)
		ret = pop3_finish(b, &s, msgs, dele, error_r);
	if (ret == 0)
		ret = fetch_poll_ok(b, error_r);
out:
	net_pop3_close(&s);
	if (msgs != NULL)
		g_array_unref(msgs);
	g_array_unref(dele);
	return ret;
}
