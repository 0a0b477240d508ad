/* merge: folding one ticket into another and splitting messages off into a new one
 * (doc/agents.md). The rules live here: what may be merged (not a ticket into itself, not
 * into or from a merged ticket, not across queues), the participant cap for the merged
 * ticket's people, the events on both tickets; the rows move in store/ (merge.c). A merged
 * ticket keeps merged_into, and threading follows it (thread_follow_merged), so mail to
 * its tokens or with its subject tag lands in the survivor; its Message-IDs moved with its
 * messages. Runs inside the caller's transaction; no state between calls. */
#include "config.h"
#include "postdesk/thread.h"
#include "postdesk/lib.h"

#include <string.h>

/* A merge re-points earlier merges (store_ticket_merge), so one hop is the rule; a few
 * more only guard against a chain that rows written by hand could make. */
#define THREAD_MERGE_HOPS 8

int thread_follow_merged(struct store *store, gint64 *id_r, char **error_r)
{
	gint64 into;
	int i, ret, moved = 0;

	for (i = 0; i < THREAD_MERGE_HOPS; i++) {
		ret = store_ticket_merged_into(store, *id_r, &into, error_r);
		if (ret <= 0)
			return ret < 0 ? -1 : moved;
		*id_r = into;
		moved = 1;
	}
	return moved;
}

/* The ticket, found and not merged: 0 with *t_r, 1 with *why_r. */
static int merge_live_ticket(struct store *store, gint64 id, struct store_ticket **t_r,
			     char **why_r, char **error_r)
{
	gint64 into;
	int ret = store_ticket_get(store, id, t_r, error_r);

	if (ret < 0)
		return -1;
	if (ret == 0) {
		*why_r = g_strdup_printf("no ticket %" G_GINT64_FORMAT, id);
		return 1;
	}
	ret = store_ticket_merged_into(store, id, &into, error_r);
	if (ret == 1) {
		*why_r = g_strdup_printf("ticket %" G_GINT64_FORMAT " is already merged into "
					 "ticket %" G_GINT64_FORMAT, id, into);
		store_ticket_free(t_r);
	}
	return ret;
}

int thread_merge_check(struct store *store, gint64 into, gint64 from, char **why_r,
		       char **error_r)
{
	struct store_ticket *a = NULL, *b = NULL;
	int ret;

	*why_r = NULL;
	if (into == from) {
		*why_r = g_strdup("a ticket cannot be merged into itself");
		return 1;
	}
	ret = merge_live_ticket(store, into, &a, why_r, error_r);
	if (ret == 0)
		ret = merge_live_ticket(store, from, &b, why_r, error_r);
	/* Queues keep their own agents (an agent kept to one queue must not pull another
	 * queue's ticket into theirs), so a merge stays inside one queue. */
	if (ret == 0 && strcmp(a->queue, b->queue) != 0) {
		*why_r = g_strdup_printf("ticket %" G_GINT64_FORMAT " is in queue %s, ticket %"
					 G_GINT64_FORMAT " in queue %s: tickets of different "
					 "queues are not merged", from, b->queue, into, a->queue);
		ret = 1;
	}
	store_ticket_free(&a);
	store_ticket_free(&b);
	return ret;
}

/* The merged ticket's people join the survivor: its requester as a To/Cc participant (a
 * second address of the same customer, usually), agents as agents; To/Cc people only up
 * to conf->max_participants, like any other way in. */
static int merge_participants(struct store *store, const struct conf *conf, gint64 into,
			      gint64 from, gint64 *capped_r, char **error_r)
{
	GPtrArray *list = NULL;
	guint i;
	int ret;

	if (store_participant_list(store, from, &list, error_r) < 0)
		return -1;
	for (i = 0, ret = 0; i < list->len && ret == 0; i++) {
		const struct store_participant *p = g_ptr_array_index(list, i);
		gboolean agent = strcmp(p->role, "agent") == 0;
		ret = store_is_participant(store, into, p->address, error_r);
		if (ret != 0) {
			ret = ret < 0 ? -1 : 0;
			continue;
		}
		if (!agent) {
			ret = store_participants_over(store, into, conf->max_participants - 1,
						      error_r);
			if (ret == 1)
				(*capped_r)++;
			if (ret != 0) {
				ret = ret < 0 ? -1 : 0;
				continue;
			}
		}
		ret = store_participant_add(store, into, p->address, p->name,
					    agent ? "agent" : "cc", error_r);
	}
	g_ptr_array_free(list, TRUE);
	return ret;
}

int thread_merge(struct store *store, const struct conf *conf, gint64 into, gint64 from,
		 const char *actor, gint64 now, gint64 *capped_r, char **error_r)
{
	char *detail;
	int ret;

	*capped_r = 0;
	if (merge_participants(store, conf, into, from, capped_r, error_r) < 0 ||
	    store_ticket_merge(store, from, into, now, error_r) < 0)
		return -1;
	/* After the move: the survivor's event log then holds both tickets' history, and
	 * the merged ticket keeps only the record of where it went. */
	detail = *capped_r == 0
		     ? g_strdup_printf("ticket %" G_GINT64_FORMAT " merged into this one", from)
		     : g_strdup_printf("ticket %" G_GINT64_FORMAT " merged into this one; %"
				       G_GINT64_FORMAT " of its To/Cc addresses not added "
				       "(max_participants = %" G_GINT64_FORMAT ")",
				       from, *capped_r, conf->max_participants);
	ret = store_event_add(store, into, now, "merged", actor, detail, error_r);
	g_free(detail);
	if (ret < 0)
		return -1;
	detail = g_strdup_printf("merged into ticket %" G_GINT64_FORMAT, into);
	ret = store_event_add(store, from, now, "merged_into", actor, detail, error_r);
	g_free(detail);
	return ret;
}

/* The message row in the ticket: 1 with its subject (*subject_r) and whether anything of
 * the ticket would be left after the split; 0 not in the ticket. */
static int split_find(struct store *store, gint64 ticket, gint64 row, gboolean rest,
		      char **subject_r, gboolean *emptied_r, char **error_r)
{
	GPtrArray *msgs = NULL;
	guint i, before = 0, after = 0;
	int found = 0;

	if (store_message_list(store, ticket, FALSE, &msgs, error_r) < 0)
		return -1;
	for (i = 0; i < msgs->len; i++) {
		const struct store_message *m = g_ptr_array_index(msgs, i);
		if (m->id == row) {
			found = 1;
			*subject_r = g_strdup(m->subject);
		} else if (m->id < row) {
			before++;
		} else {
			after++;
		}
	}
	*emptied_r = before == 0 && (rest || after == 0);
	g_ptr_array_free(msgs, TRUE);
	return found;
}

int thread_split_check(struct store *store, gint64 ticket, gint64 row, gboolean rest,
		       char **why_r, char **error_r)
{
	struct store_ticket *t = NULL;
	char *subject = NULL;
	gboolean emptied = FALSE;
	int ret;

	*why_r = NULL;
	ret = merge_live_ticket(store, ticket, &t, why_r, error_r);
	store_ticket_free(&t);
	if (ret != 0)
		return ret;
	ret = split_find(store, ticket, row, rest, &subject, &emptied, error_r);
	g_free(subject);
	if (ret == 0)
		*why_r = g_strdup_printf("message %" G_GINT64_FORMAT " is not a message of ticket %"
					 G_GINT64_FORMAT " (postdesk show %" G_GINT64_FORMAT
					 " lists them)", row, ticket, ticket);
	else if (ret == 1 && emptied)
		*why_r = g_strdup_printf("splitting message %" G_GINT64_FORMAT "%s would leave "
					 "ticket %" G_GINT64_FORMAT " empty", row,
					 rest ? " and the rest" : "", ticket);
	if (ret < 0)
		return -1;
	return *why_r != NULL ? 1 : 0;
}

/* The new ticket of a split: same queue and requester, linked to the old one, named after
 * the message split off (the old ticket's subject if it has none). */
static int split_new_ticket(struct store *store, const struct store_ticket *t,
			    const char *msg_subject, gint64 row, const char *actor, gint64 now,
			    gint64 *new_r, char **error_r)
{
	char *subject = parse_subject_base(msg_subject != NULL ? msg_subject : "");
	char *detail = g_strdup_printf("split from ticket %" G_GINT64_FORMAT " (message %"
				       G_GINT64_FORMAT ")", t->id, row);
	int ret;

	if (subject[0] == '\0') {
		g_free(subject);
		subject = g_strdup(t->subject);
	}
	ret = store_ticket_create(store, t->queue, subject, t->requester_id, t->id, now, new_r,
				  error_r) < 0 ||
		      store_participant_add(store, *new_r, t->requester, t->requester_name,
					    "requester", error_r) < 0 ||
		      store_event_add(store, *new_r, now, "created", actor, subject, error_r) < 0 ||
		      store_event_add(store, *new_r, now, "linked", actor, detail, error_r) < 0
		  ? -1
		  : 0;
	g_free(detail);
	g_free(subject);
	return ret;
}

int thread_split(struct store *store, gint64 ticket, gint64 row, gboolean rest,
		 const char *actor, gint64 now, gint64 *new_r, char **error_r)
{
	struct store_ticket *t = NULL;
	char *subject = NULL, *detail;
	gboolean emptied;
	gint64 moved = 0;
	int ret;

	if ((ret = store_ticket_get(store, ticket, &t, error_r)) == 1)
		ret = split_find(store, ticket, row, rest, &subject, &emptied, error_r);
	if (ret == 0)
		ret = util_error(error_r, "split: message %" G_GINT64_FORMAT " not in ticket %"
				 G_GINT64_FORMAT, row, ticket);
	if (ret < 0 ||
	    split_new_ticket(store, t, subject, row, actor, now, new_r, error_r) < 0 ||
	    store_messages_move(store, ticket, *new_r, row, rest ? G_MAXINT64 : row, now, &moved,
				error_r) < 0) {
		ret = -1;
		goto out;
	}
	detail = g_strdup_printf("%" G_GINT64_FORMAT " message%s from message %" G_GINT64_FORMAT
				 " moved to ticket %" G_GINT64_FORMAT, moved, moved == 1 ? "" : "s",
				 row, *new_r);
	ret = store_event_add(store, ticket, now, "split", actor, detail, error_r);
	g_free(detail);
out:
	g_free(subject);
	store_ticket_free(&t);
	return ret;
}
