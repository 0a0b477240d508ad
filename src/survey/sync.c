/* sync: "the schedule follows the ticket", decided in this one place. survey_sync() reads a
 * ticket's status, when it took that status and whether an agent answered, and makes the
 * ticket's schedule rows match (store_schedule_set/cancel), in the caller's transaction.
 * Idempotent, so every path that may change a ticket just calls it afterwards. No state:
 * any thread with its own store connection. */
#include "config.h"
#include "postdesk/store.h"
#include "postdesk/survey.h"

#include <string.h>

static const char *const all_kinds[] = {"survey",	  "frt_warn",	     "frt_breach",
					"pending_remind", "pending_resolve", "resolved_close"};

/* The wanted due time of every kind (0 = not wanted) for one ticket. */
struct wanted {
	gint64 due[G_N_ELEMENTS(all_kinds)];
	gboolean keep[G_N_ELEMENTS(all_kinds)]; /* leave as it is (a survey on closed) */
};

static void want(struct wanted *w, const char *kind, gint64 base, gint64 delay)
{
	for (guint i = 0; i < G_N_ELEMENTS(all_kinds); i++)
		if (strcmp(all_kinds[i], kind) == 0)
			w->due[i] = delay > 0 ? base + delay : 0; /* 0 = never */
}

static void want_frt(struct store_ticket *t, const struct conf_queue *q, struct wanted *w)
{
	gint64 target = q->first_response_target;

	if (target <= 0)
		return;
	/* At 80% of the target, in business time like the target itself. */
	w->due[1] = conf_business_add(q, t->created, target - target / 5);
	w->due[2] = conf_business_add(q, t->created, target);
}

static int sync_wanted(struct store *store, const struct conf *conf, struct store_ticket *t,
		       const struct conf_queue *q, struct wanted *w, char **error_r)
{
	gint64 since = t->updated, first = 0;
	const char *s = t->status;
	int ret;

	if (store_ticket_status_since(store, t->id, &since, error_r) < 0 ||
	    (ret = store_ticket_first_reply(store, t->id, &first, error_r)) < 0)
		return -1;
	if ((strcmp(s, "new") == 0 || strcmp(s, "open") == 0) && ret == 0) {
		want_frt(t, q, w);
	} else if (strcmp(s, "pending") == 0) {
		want(w, "pending_remind", since, q->pending_remind_after);
		if (q->pending_resolve_after > 0)
			want(w, "pending_resolve", since + q->pending_remind_after,
			     q->pending_resolve_after);
	} else if (strcmp(s, "resolved") == 0) {
		want(w, "survey", since, conf->survey_delay);
		want(w, "resolved_close", since, q->resolved_close_after);
	} else if (strcmp(s, "closed") == 0) {
		w->keep[0] = TRUE; /* closing a resolved ticket early still lets its survey go */
	}
	return 0;
}

/* The ticket's schedule row of a kind, or NULL (borrowed from rows). */
static const struct store_schedule *sync_row(GPtrArray *rows, const char *kind)
{
	for (guint i = 0; i < rows->len; i++) {
		const struct store_schedule *r = g_ptr_array_index(rows, i);
		if (strcmp(r->kind, kind) == 0)
			return r;
	}
	return NULL;
}

int survey_sync(struct store *store, const struct conf *conf, gint64 ticket_id, gint64 now,
		char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	GPtrArray *rows = NULL;
	struct wanted w;
	int ret;

	(void)now; /* due times hang on when the status changed, not on when we look */
	ret = store_ticket_get(store, ticket_id, &t, error_r);
	if (ret <= 0)
		return ret;
	q = conf_queue_by_name(conf, t->queue);
	if (q == NULL)
		q = g_ptr_array_index(conf->queues, 0);
	memset(&w, 0, sizeof(w));
	ret = sync_wanted(store, conf, t, q, &w, error_r);
	/* Runs for every delivered message: read the ticket's rows once and write only what
	 * differs, instead of one write per kind. */
	if (ret == 0)
		ret = store_schedule_list(store, ticket_id, &rows, error_r);
	for (guint i = 0; ret == 0 && i < G_N_ELEMENTS(all_kinds); i++) {
		const struct store_schedule *have = sync_row(rows, all_kinds[i]);
		if (w.keep[i])
			continue;
		if (w.due[i] != 0 && (have == NULL || have->due != w.due[i]))
			ret = store_schedule_set(store, ticket_id, all_kinds[i], w.due[i], error_r);
		else if (w.due[i] == 0 && have != NULL && have->done == 0)
			ret = store_schedule_cancel(store, ticket_id, all_kinds[i], error_r);
	}
	if (rows != NULL)
		g_ptr_array_unref(rows);
	store_ticket_free(&t);
	return ret;
}
