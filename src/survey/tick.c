/* tick: the runner of timed work. survey_tick() takes the schedule rows due at `now` and
 * runs each in a transaction of its own that both does the work (outbox rows, status
 * changes, events) and marks the row done with its outcome: a crash before the commit
 * leaves the row due (it runs after the restart), a commit makes it done (it never runs
 * again). Called by postdesk-notifyd's loop and `postdesk tick`; one runner per database
 * (as for the outbox). Then the agents' daily digests (digest.c). No state: the caller's
 * thread and store connection. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"
#include "postdesk/survey.h"

#include <string.h>

#define TICK_INDEX_BATCH 5000 /* messages indexed for search per pass */
#define TICK_BATCH 100

/* Why no automatic mail may go to the ticket's requester (static string), or NULL.
 * Loop rules: the RFC 3834 decision on the ticket's first customer message (a ticket
 * opened by an auto-responder, a list or a machine gets no survey and no reminder),
 * then the bounced flag, the survey opt-out (surveys only) and the per-address rate
 * limit. */
static int tick_block(struct store *store, const struct conf *conf,
		      const struct store_ticket *t, gboolean survey, gint64 now,
		      const char **why_r, char **error_r)
{
	struct store_customer *c = NULL;
	GPtrArray *msgs = NULL;
	int ret;

	*why_r = NULL;
	if ((ret = store_customer_get(store, t->requester, &c, error_r)) < 0)
		return -1;
	if (ret == 1 && c->bounced)
		*why_r = "address bounced";
	else if (ret == 1 && survey && c->survey_optout)
		*why_r = "customer opted out";
	store_customer_free(&c);
	if (*why_r != NULL)
		return 0;
	if (store_message_list(store, t->id, TRUE, &msgs, error_r) < 0)
		return -1;
	for (guint i = 0; i < msgs->len; i++) {
		const struct store_message *m = g_ptr_array_index(msgs, i);
		struct parse_msg *pm = NULL;
		gsize len = 0;
		const char *raw;

		if (strcmp(m->direction, "in") != 0 || strcmp(m->kind, "customer") != 0 ||
		    m->raw == NULL)
			continue;
		raw = g_bytes_get_data(m->raw, &len);
		if (parse_message(raw, len, &pm, NULL) == 0)
			*why_r = compose_autoreply_block(conf, pm, m->env_sender);
		parse_msg_free(&pm);
		break;
	}
	g_ptr_array_unref(msgs);
	if (*why_r != NULL)
		return 0;
	if ((ret = compose_autoreply_rate_ok(store, conf, t->requester, t->id, now, error_r)) < 0)
		return -1;
	if (ret == 0)
		*why_r = "rate limit";
	return 0;
}

/* Set a status by the clock, with the same "status" event an agent's change makes plus an
 * event naming why, then let the schedule follow. */
static int tick_set_status(struct store *store, const struct conf *conf, gint64 id,
			   const char *status, const char *event, gint64 now, char **error_r)
{
	if (store_ticket_set_status(store, id, status, now, error_r) < 0 ||
	    store_event_add(store, id, now, "status", "postdesk", status, error_r) < 0 ||
	    store_event_add(store, id, now, event, "postdesk", NULL, error_r) < 0)
		return -1;
	return survey_sync(store, conf, id, now, error_r);
}

/* The ticket's status must still be one of `ok` (space-separated words). */
static gboolean tick_status_in(const struct store_ticket *t, const char *ok)
{
	char **words = g_strsplit(ok, " ", -1);
	gboolean in = g_strv_contains((const char *const *)words, t->status);

	g_strfreev(words);
	return in;
}

/* The work of one row. *outcome_r: g_malloc'ed, "sent", "skipped: why", ... */
static int tick_work(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		     const struct store_schedule *row, const struct store_ticket *t, gint64 now,
		     char **outcome_r, char **error_r)
{
	const char *k = row->kind, *why = NULL;
	gboolean survey = strcmp(k, "survey") == 0, queued = TRUE;
	int ret;

	if (survey || strcmp(k, "pending_remind") == 0) {
		if (!tick_status_in(t, survey ? "resolved closed" : "pending"))
			why = survey ? "ticket reopened" : "ticket no longer pending";
		else if (tick_block(store, conf, t, survey, now, &why, error_r) < 0)
			return -1;
		if (why == NULL && survey &&
		    (ret = store_survey_request(store, t->id, now, error_r)) <= 0) {
			if (ret < 0)
				return -1;
			why = "already surveyed";
		}
		if (why != NULL) {
			*outcome_r = g_strdup_printf("skipped: %s", why);
			return 0;
		}
		ret = survey ? compose_queue_survey(ctx, store, t->id, now, error_r)
			     : compose_queue_pending_reminder(ctx, store, t->id, now, error_r);
		if (ret == 0)
			ret = store_event_add(store, t->id, now,
					      survey ? "survey_sent" : "pending_reminder",
					      "postdesk", t->requester, error_r);
	} else if (strcmp(k, "frt_warn") == 0 || strcmp(k, "frt_breach") == 0) {
		gboolean breach = k[4] == 'b';
		gint64 first = 0;
		if ((ret = store_ticket_first_reply(store, t->id, &first, error_r)) < 0)
			return -1;
		if (ret == 1 || !tick_status_in(t, "new open")) {
			*outcome_r = g_strdup("skipped: answered");
			return 0;
		}
		ret = compose_queue_frt_reminder(ctx, store, t->id, breach, row->due, now, &queued,
						error_r);
		if (ret == 0)
			ret = store_event_add(store, t->id, now,
					      breach ? "frt_breached" : "frt_warning", "postdesk",
					      queued ? NULL : "nobody to tell", error_r);
	} else if (strcmp(k, "pending_resolve") == 0 || strcmp(k, "resolved_close") == 0) {
		gboolean resolve = k[0] == 'p';
		if (!tick_status_in(t, resolve ? "pending" : "resolved")) {
			*outcome_r = g_strdup_printf("skipped: ticket is %s", t->status);
			return 0;
		}
		ret = tick_set_status(store, conf, t->id, resolve ? "resolved" : "closed",
				      resolve ? "auto_resolved" : "auto_closed", now, error_r);
	} else {
		*outcome_r = g_strdup_printf("skipped: unknown kind %s", k);
		return 0;
	}
	if (ret == 0)
		*outcome_r = g_strdup(queued ? "done" : "done: nobody to tell");
	return ret;
}

/* Mark the row done, first: then the work's own schedule changes (survey_sync() after an
 * auto-resolve cancels what has not run) leave it alone. 1 marked, 0 already done. */
static int tick_claim(struct store *store, const struct store_schedule *row, gint64 now,
		      char **error_r)
{
	int ret;

	if (store_begin(store, error_r) < 0)
		return -1;
	if ((ret = store_schedule_done(store, row->id, now, "running", error_r)) <= 0)
		store_rollback(store);
	return ret;
}

/* One row, one transaction: claim, work, outcome, commit. -1 only for store trouble (then
 * nothing is committed and the row stays due). */
static int tick_one(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		    const struct store_schedule *row, gint64 now, char **error_r)
{
	struct store_ticket *t = NULL;
	char *outcome = NULL;
	int ret;

	if ((ret = tick_claim(store, row, now, error_r)) <= 0)
		return ret;
	ret = store_ticket_get(store, row->ticket_id, &t, error_r);
	if (ret == 0)
		outcome = g_strdup("skipped: no such ticket");
	else if (ret == 1)
		ret = tick_work(store, ctx, conf, row, t, now, &outcome, error_r);
	store_ticket_free(&t);
	if (ret < 0 && store_last_error(store) == STORE_ERR_NONE) {
		/* A template or header refused the data: retrying would fail the same way, so
		 * the row is done with the failure as its outcome. */
		store_rollback(store);
		log_warn("ticket %" G_GINT64_FORMAT ": %s failed: %s", row->ticket_id, row->kind,
			 *error_r);
		outcome = g_strdup_printf("failed: %s", *error_r);
		g_clear_pointer(error_r, g_free);
		ret = tick_claim(store, row, now, error_r);
		if (ret <= 0) {
			g_free(outcome);
			return ret;
		}
	}
	if (ret >= 0)
		ret = store_schedule_outcome(store, row->id, outcome, error_r);
	if (ret >= 0)
		ret = store_commit(store, error_r);
	else
		store_rollback(store);
	if (ret >= 0)
		log_info("ticket %" G_GINT64_FORMAT ": %s: %s", row->ticket_id, row->kind,
			 outcome);
	g_free(outcome);
	return ret < 0 ? -1 : 0;
}

int survey_tick(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		gint64 now, guint *done_r, char **error_r)
{
	GPtrArray *rows = NULL;
	guint done = 0, failed = 0, n;

	if (done_r != NULL)
		*done_r = 0;
	do {
		if (store_schedule_due(store, now, TICK_BATCH, &rows, error_r) < 0)
			return -1;
		n = rows->len;
		/* A job that fails stays due and is tried again next time; it must not keep
		 * the jobs after it from running. */
		for (guint i = 0; i < rows->len; i++) {
			char *error = NULL;
			if (tick_one(store, ctx, conf, g_ptr_array_index(rows, i), now, &error) < 0) {
				log_warn("timed job failed, retried later: %s", error);
				g_free(error);
				failed++;
				continue;
			}
			done++;
			if (done_r != NULL)
				*done_r = done;
		}
		g_ptr_array_unref(rows);
	} while (n == TICK_BATCH && failed == 0);
	/* The search index follows the messages stored since the last pass (not counted as
	 * jobs: a bounded batch a pass, so a backlog after a restart is worked off in steps). */
	gint64 indexed = 0;
	char *error = NULL;
	if (store_search_catch_up(store, TICK_INDEX_BATCH, &indexed, &error) < 0) {
		log_warn("search index: %s", error);
		g_clear_pointer(&error, g_free);
	}
	/* The agents' daily digests are timed work too, each counted as a job run. */
	guint digests = 0;
	if (survey_digest(store, ctx, conf, now, &digests, &error) < 0) {
		log_warn("%s", error);
		g_free(error);
		failed++;
	}
	done += digests;
	if (done_r != NULL)
		*done_r = done;
	if (failed > 0)
		return util_error(error_r, "%u timed job(s) failed (logged)", failed);
	return 0;
}
