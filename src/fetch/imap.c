/* imap (fetch/): one IMAP session of a mailbox. SELECT gives UIDVALIDITY; the messages to
 * look at are the unseen ones (done_action seen) or all in the folder (move, delete: what is
 * still there is not done). For each, in UID order: recorded and stored -> only the done
 * action again (a kill came between the commit and it); recorded otherwise (refused, too
 * big) -> left alone; not recorded -> size checked before the download, BODY.PEEK[] (which
 * does not set \Seen), delivered with its record in one commit, and only then the done
 * action. At most max_per_poll new messages per poll; the rest make the next poll start at
 * once. Between polls the session IDLEs when the server offers it (up to poll_interval),
 * else it ends and the loop (fetch.c) waits. A UIDVALIDITY change makes every message new
 * again: the Message-ID rule of the pipeline stores each one once (no duplicate tickets). */
#include "config.h"
#include "fetch-private.h"

#include <string.h>

/* A message not recorded yet: 1 stored, 0 left (refused, too big, gone), -1 trouble. */
static int imap_take_new(struct fetch_box *b, struct net_imap *s, guint32 uidvalidity,
			 guint32 uid, const char *uid_s, char **error_r)
{
	gint64 size = 0;
	char *raw = NULL;
	gsize len = 0;
	int ret;

	if ((ret = net_imap_size(s, uid, &size, error_r)) <= 0)
		return ret;
	if (size > b->m->max_message_size)
		return fetch_too_big(b, uidvalidity, uid_s, size, error_r) < 0 ? -1 : 0;
	if ((ret = net_imap_fetch(s, uid, &raw, &len, error_r)) <= 0)
		return ret;
	return fetch_take(b, uidvalidity, uid_s, raw, len, error_r);
}

static enum net_done imap_action(const struct conf_mailbox *m)
{
	return strcmp(m->done_action, "move") == 0     ? NET_DONE_MOVE
	       : strcmp(m->done_action, "delete") == 0 ? NET_DONE_DELETE
						       : NET_DONE_SEEN;
}

/* The done action (after the commit of the message, never before); its record is written
 * with the others at the end of the pass (done). */
static int imap_done(struct fetch_box *b, struct net_imap *s, guint32 uid, const char *uid_s,
		     GPtrArray *done, char **error_r)
{
	if (net_imap_done(s, uid, imap_action(b->m), b->m->done_folder, error_r) < 0)
		return -1;
	g_ptr_array_add(done, g_strdup(uid_s));
	return 0;
}

/* Where the next pass's new mail starts (migration 22): up to the first message of this pass
 * that is still to take (backlog, or a failure: it may be read elsewhere before the next
 * pass), else the folder's UIDNEXT - 1, never below where it was. */
static int imap_mark(struct fetch_box *b, guint32 uidvalidity, gint64 above, guint32 uidnext,
		     guint32 first_open, guint32 highest, char **error_r)
{
	gint64 mark = first_open > 0 ? (gint64)first_open - 1
				     : MAX((gint64)highest, uidnext > 0 ? (gint64)uidnext - 1 : 0);

	/* A first contact (no mark under this UIDVALIDITY) that left messages to take stays a
	 * first contact: a mark below UIDNEXT would let the read history in. */
	if (above == 0 && first_open > 0)
		return 0;
	mark = MAX(mark, above);
	log_debug("[mailbox %s] UIDVALIDITY %u, UIDNEXT %u: new mail starts above UID %" G_GINT64_FORMAT,
		  b->m->name, uidvalidity, uidnext, mark);
	if (mark == above && above > 0)
		return 0;
	return store_mailbox_uid_set(b->env->store, b->m->name, uidvalidity, mark, error_r);
}

/* One message of the pass. 1 handled (stored, recorded or gone), 0 left for a later poll
 * (backlog), -1 trouble. */
static int imap_one(struct fetch_box *b, struct net_imap *s, guint32 uidvalidity, guint32 uid,
		    GPtrArray *done, char **error_r)
{
	char uid_s[16], *state = NULL;
	int ret;

	g_snprintf(uid_s, sizeof(uid_s), "%u", uid);
	ret = fetch_known(b, uidvalidity, uid_s, &state, error_r);
	if (ret == 1 && strcmp(state, "stored") == 0) {
		ret = imap_done(b, s, uid, uid_s, done, error_r) < 0 ? -1 : 1;
	} else if (ret == 1) {
		b->skipped++;
	} else if (ret == 0 && b->fetched >= b->m->max_per_poll) {
		b->backlog++;
	} else if (ret == 0) {
		ret = imap_take_new(b, s, uidvalidity, uid, uid_s, error_r);
		if (ret == 1) {
			b->fetched++;
			ret = imap_done(b, s, uid, uid_s, done, error_r) < 0 ? -1 : 1;
		} else if (ret == 0) {
			b->skipped++;
			ret = 1;
		}
	}
	g_free(state);
	return ret;
}

/* One pass over the folder. With done_action = seen it looks at the unseen messages and at
 * those above the last pass's mark (mail someone opened in webmail before fetchd saw it is
 * still new to the desk); the first contact with a folder takes its unseen messages only,
 * not its read history. -1 with why. */
static int imap_poll(struct fetch_box *b, struct net_imap *s, char **error_r)
{
	guint32 uidvalidity = 0, uidnext = 0, first_open = 0, highest = 0;
	gint64 known_v = 0, known_uid = 0, above;
	GArray *uids = NULL;
	GPtrArray *done = NULL;
	int ret = 0;

	b->backlog = b->skipped = b->fetched = 0;
	if (net_imap_select(s, b->m->folder, &uidvalidity, &uidnext, error_r) < 0 ||
	    store_mailbox_uid_get(b->env->store, b->m->name, &known_v, &known_uid, error_r) < 0)
		return -1;
	above = known_v == (gint64)uidvalidity ? known_uid : 0;
	if (net_imap_search(s, imap_action(b->m) == NET_DONE_SEEN, (guint32)above, &uids,
			    error_r) < 0)
		return -1;
	if (b->known_uidvalidity != 0 && b->known_uidvalidity != uidvalidity)
		log_warn("[mailbox %s] UIDVALIDITY of %s changed from %" G_GINT64_FORMAT
			 " to %u: every message is looked at again (a message already stored "
			 "is recognised by its Message-ID)",
			 b->m->name, b->m->folder, b->known_uidvalidity, uidvalidity);
	b->known_uidvalidity = uidvalidity;
	done = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < uids->len && ret >= 0 && !*b->env->stop; i++) {
		guint32 uid = g_array_index(uids, guint32, i);

		ret = imap_one(b, s, uidvalidity, uid, done, error_r);
		if (ret != 1 && first_open == 0)
			first_open = uid;
		highest = MAX(highest, uid);
	}
	if (ret >= 0 && *b->env->stop && uids->len > 0 && first_open == 0 &&
	    highest < g_array_index(uids, guint32, uids->len - 1))
		first_open = highest + 1; /* stopped half-way: the rest is still to look at */
	g_array_unref(uids);
	/* what was done is recorded even when the pass failed half-way */
	if (fetch_mark_done(b, uidvalidity, done, ret < 0 ? NULL : error_r) < 0)
		ret = -1;
	g_ptr_array_unref(done);
	if (imap_mark(b, uidvalidity, above, uidnext, first_open, highest,
		      ret < 0 ? NULL : error_r) < 0)
		ret = -1;
	return ret < 0 ? -1 : 0;
}

int fetch_imap_session(struct fetch_box *b, char **error_r)
{
	struct net_imap *s = NULL;
	enum net_fail fail;
	int ret = 0;

	if (fetch_secret_get(b, error_r) < 0)
		return -1;
	if (net_imap_open(&b->srv, &s, &fail, error_r) < 0) {
		if (fail == NET_FAIL_AUTH)
			fetch_secret_forget(b);
		return -1;
	}
	b->mode = net_imap_has_idle(s) ? "idle" : "poll";
	if (!b->once && net_imap_has_idle(s))
		log_info("[mailbox %s] the server offers IDLE: new mail is fetched as it comes",
			 b->m->name);
	while (!*b->env->stop) {
		if ((ret = imap_poll(b, s, error_r)) < 0 || (ret = fetch_poll_ok(b, error_r)) < 0)
			break;
		if (b->backlog > 0 && !b->once)
			continue; /* more waiting: the next batch at once */
		if (b->once || !net_imap_has_idle(s))
			break;
		log_debug("[mailbox %s] IDLE, up to %" G_GINT64_FORMAT " s", b->m->name,
			  b->m->poll_interval);
		if ((ret = net_imap_idle(s, (int)b->m->poll_interval, b->env->stop, error_r)) < 0)
			break;
	}
	net_imap_close(&s);
	return ret < 0 ? -1 : 0;
}
