/* schedule: the table of timed work (surveys, reminders, auto-resolve, auto-close) and the
 * surveys table with each ticket's answer. What is scheduled when is decided by survey/;
 * this file only reads and writes rows. A row is marked done by the transaction that does
 * its work, so a crash or restart neither loses nor repeats a job. Returned structs are
 * owned by the caller; same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"

void store_schedule_free(struct store_schedule **sp)
{
	struct store_schedule *s = *sp;

	if (s == NULL)
		return;
	*sp = NULL;
	g_free(s->kind);
	g_free(s->outcome);
	g_free(s);
}

static void schedule_free_fn(gpointer p)
{
	struct store_schedule *s = p;
	store_schedule_free(&s);
}

static gpointer sched_from_row(const struct store_row *st)
{
	struct store_schedule *s = g_new0(struct store_schedule, 1);

	s->id = store_column_int64(st, 0);
	s->ticket_id = store_column_int64(st, 1);
	s->kind = store_column_dup(st, 2);
	s->due = store_column_int64(st, 3);
	s->done = store_column_int64(st, 4); /* NULL reads as 0: waiting */
	s->outcome = store_column_dup(st, 5);
	return s;
}

int store_schedule_set(struct store *store, gint64 ticket_id, const char *kind, gint64 due,
		       char **error_r)
{
	return store_run(store, STMT_schedule_set, SV_ARGS(SV_I(ticket_id), SV_T(kind), SV_I(due)),
			 "schedule", error_r);
}

int store_schedule_cancel(struct store *store, gint64 ticket_id, const char *kind, char **error_r)
{
	return store_run(store, STMT_schedule_cancel, SV_ARGS(SV_I(ticket_id), SV_T(kind)),
			 "cancel schedule", error_r);
}

int store_schedule_due(struct store *store, gint64 now, int limit, GPtrArray **list_r,
		       char **error_r)
{
	return store_rows(store, STMT_schedule_due, SV_ARGS(SV_I(now), SV_I(limit)), sched_from_row,
			  schedule_free_fn, "read schedule", list_r, error_r);
}

int store_schedule_list(struct store *store, gint64 ticket_id, GPtrArray **list_r, char **error_r)
{
	return store_rows(store, STMT_schedule_list, SV_ARGS(SV_I(ticket_id)), sched_from_row,
			  schedule_free_fn, "list schedule", list_r, error_r);
}

/* The aggregates below (min, coalesce) answer one row whose NULL means "none": 1/0/-1,
 * with *when_r 0 for none. */
int store_schedule_next_due(struct store *store, gint64 *when_r, char **error_r)
{
	*when_r = 0;
	return store_int64(store, STMT_schedule_next_due, SV_NONE, "next due", when_r, error_r);
}

int store_schedule_done(struct store *store, gint64 id, gint64 now, const char *outcome,
			char **error_r)
{
	int changed = store_run_changes(store, STMT_schedule_done,
					SV_ARGS(SV_I(id), SV_I(now), SV_T(outcome)),
					"mark schedule done", error_r);

	return changed < 0 ? -1 : changed > 0 ? 1 : 0;
}

int store_schedule_outcome(struct store *store, gint64 id, const char *outcome, char **error_r)
{
	return store_run(store, STMT_schedule_outcome, SV_ARGS(SV_I(id), SV_T(outcome)),
			 "record schedule outcome", error_r);
}

int store_ticket_status_since(struct store *store, gint64 ticket_id, gint64 *when_r, char **error_r)
{
	*when_r = 0;
	return store_int64(store, STMT_ticket_status_since, SV_ARGS(SV_I(ticket_id)),
			   "status since", when_r, error_r);
}

int store_ticket_first_reply(struct store *store, gint64 ticket_id, gint64 *when_r, char **error_r)
{
	*when_r = 0;
	return store_int64(store, STMT_ticket_first_reply, SV_ARGS(SV_I(ticket_id)), "first reply",
			   when_r, error_r);
}

/* ---- surveys ---- */

void store_survey_free(struct store_survey **sp)
{
	struct store_survey *s = *sp;

	if (s == NULL)
		return;
	*sp = NULL;
	g_free(s->comment);
	g_free(s);
}

int store_survey_request(struct store *store, gint64 ticket_id, gint64 now, char **error_r)
{
	int changed =
	    store_run_changes(store, STMT_survey_request, SV_ARGS(SV_I(ticket_id), SV_I(now)),
			      "record survey", error_r);

	return changed < 0 ? -1 : changed > 0 ? 1 : 0;
}

/* A negative score is "not given": the letter 'm' binds it as NULL. */
int store_survey_answer(struct store *store, gint64 ticket_id, int csat, int nps, int ces,
			const char *comment, gint64 now, char **error_r)
{
	struct store_survey *old = NULL;
	int ret, before;

	if (csat > 5 || csat == 0 || nps > 10 || ces > 7 || ces == 0)
		return store_fail_other(store, error_r, "survey answer out of range");
	/* The requester's CSAT figure moves with the answer (migration 16): a new score adds
	 * one, a changed one replaces the earlier in the sum. */
	if (csat > 0 && store_survey_get(store, ticket_id, &old, error_r) < 0)
		return -1;
	before = old != NULL ? old->csat : -1;
	store_survey_free(&old);
	ret = store_run(store, STMT_survey_answer,
			SV_ARGS(SV_I(ticket_id), SV_I(csat), SV_I(nps), SV_T(comment), SV_I(now),
				SV_I(ces)),
			"store survey answer", error_r);
	if (ret == 0 && csat > 0)
		ret = store_run(store, STMT_customer_csat_add,
				SV_ARGS(SV_I(ticket_id), SV_I(csat - MAX(before, 0)),
					SV_I(before < 0 ? 1 : 0), SV_I(csat)),
				"update customer CSAT", error_r);
	return ret;
}

static gpointer survey_from_row(const struct store_row *st)
{
	struct store_survey *s = g_new0(struct store_survey, 1);

	s->ticket_id = store_column_int64(st, 0);
	s->requested = store_column_int64(st, 1);
	s->csat = store_column_null(st, 2) ? -1 : store_column_int(st, 2);
	s->nps = store_column_null(st, 3) ? -1 : store_column_int(st, 3);
	s->comment = store_column_dup(st, 4);
	s->answered = store_column_int64(st, 5);
	s->ces = store_column_null(st, 6) ? -1 : store_column_int(st, 6);
	return s;
}

int store_survey_get(struct store *store, gint64 ticket_id, struct store_survey **s_r,
		     char **error_r)
{
	gpointer s = NULL;
	int ret = store_one(store, STMT_survey_get, SV_ARGS(SV_I(ticket_id)), survey_from_row,
			    "read survey", &s, error_r);

	*s_r = s;
	return ret;
}

int store_customer_set_optout(struct store *store, const char *email, gboolean optout,
			      char **error_r)
{
	char *addr = util_addr_normalize(email != NULL ? email : "");
	int ret =
	    store_run(store, STMT_customer_set_optout, SV_ARGS(SV_T(addr), SV_I(optout ? 1 : 0)),
		      "set survey opt-out", error_r);

	g_free(addr);
	return ret;
}
