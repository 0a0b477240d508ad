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

static gpointer sched_from_row(sqlite3_stmt *st)
{
	struct store_schedule *s = g_new0(struct store_schedule, 1);

	s->id = sqlite3_column_int64(st, 0);
	s->ticket_id = sqlite3_column_int64(st, 1);
	s->kind = store_column_dup(st, 2);
	s->due = sqlite3_column_int64(st, 3);
	s->done = sqlite3_column_int64(st, 4); /* NULL reads as 0: waiting */
	s->outcome = store_column_dup(st, 5);
	return s;
}

int store_schedule_set(struct store *store, gint64 ticket_id, const char *kind, gint64 due,
		       char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_schedule_set);

	if (sqlite3_bind_int64(st, 1, ticket_id) != SQLITE_OK || store_bind_text(st, 2, kind) ||
	    sqlite3_bind_int64(st, 3, due) != SQLITE_OK) {
		store_fail(store, "bind schedule", error_r);
		store_stmt_done(st);
		return -1;
	}
	return store_stmt_run(store, st, "schedule", error_r);
}

int store_schedule_cancel(struct store *store, gint64 ticket_id, const char *kind,
			  char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_schedule_cancel);

	if (sqlite3_bind_int64(st, 1, ticket_id) != SQLITE_OK || store_bind_text(st, 2, kind)) {
		store_fail(store, "bind schedule cancel", error_r);
		store_stmt_done(st);
		return -1;
	}
	return store_stmt_run(store, st, "cancel schedule", error_r);
}

int store_schedule_due(struct store *store, gint64 now, int limit, GPtrArray **list_r,
		       char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_schedule_due);

	if (sqlite3_bind_int64(st, 1, now) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, limit > 0 ? limit : -1) != SQLITE_OK) {
		store_fail(store, "bind schedule due", error_r);
		store_stmt_done(st);
		return -1;
	}
	return store_stmt_rows(store, st, sched_from_row, schedule_free_fn, "read schedule",
			       list_r, error_r);
}

int store_schedule_list(struct store *store, gint64 ticket_id, GPtrArray **list_r,
			char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_schedule_list);

	if (sqlite3_bind_int64(st, 1, ticket_id) != SQLITE_OK) {
		store_fail(store, "bind schedule list", error_r);
		store_stmt_done(st);
		return -1;
	}
	return store_stmt_rows(store, st, sched_from_row, schedule_free_fn, "list schedule",
			       list_r, error_r);
}

/* A one-row, one-column aggregate (min, coalesce) whose NULL means "none": 1/0/-1. */
static int scalar_or_null(struct store *store, sqlite3_stmt *st, const char *op,
			  gint64 *value_r, char **error_r)
{
	int rc, ret = 0;

	*value_r = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*value_r = sqlite3_column_int64(st, 0);
		ret = 1;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ret = store_fail(store, op, error_r);
	}
	store_stmt_done(st);
	return ret;
}

int store_schedule_next_due(struct store *store, gint64 *when_r, char **error_r)
{
	return scalar_or_null(store, store_stmt(store, STMT_schedule_next_due), "next due",
			      when_r, error_r);
}

int store_schedule_done(struct store *store, gint64 id, gint64 now, const char *outcome,
			char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_schedule_done);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now) != SQLITE_OK || store_bind_text(st, 3, outcome)) {
		store_fail(store, "bind schedule done", error_r);
		store_stmt_done(st);
		return -1;
	}
	if (store_stmt_run(store, st, "mark schedule done", error_r) < 0)
		return -1;
	return sqlite3_changes(store->db) > 0 ? 1 : 0;
}

int store_schedule_outcome(struct store *store, gint64 id, const char *outcome,
			   char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_schedule_outcome);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK || store_bind_text(st, 2, outcome)) {
		store_fail(store, "bind schedule outcome", error_r);
		store_stmt_done(st);
		return -1;
	}
	return store_stmt_run(store, st, "record schedule outcome", error_r);
}

static int ticket_scalar(struct store *store, enum store_stmt id, gint64 ticket_id,
			 const char *op, gint64 *when_r, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, id);

	if (sqlite3_bind_int64(st, 1, ticket_id) != SQLITE_OK) {
		store_stmt_done(st);
		return store_fail(store, op, error_r);
	}
	return scalar_or_null(store, st, op, when_r, error_r);
}

int store_ticket_status_since(struct store *store, gint64 ticket_id, gint64 *when_r,
			      char **error_r)
{
	return ticket_scalar(store, STMT_ticket_status_since, ticket_id, "status since", when_r,
			     error_r);
}

int store_ticket_first_reply(struct store *store, gint64 ticket_id, gint64 *when_r,
			     char **error_r)
{
	return ticket_scalar(store, STMT_ticket_first_reply, ticket_id, "first reply", when_r,
			     error_r);
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
	sqlite3_stmt *st = store_stmt(store, STMT_survey_request);

	if (sqlite3_bind_int64(st, 1, ticket_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now) != SQLITE_OK) {
		store_fail(store, "bind survey request", error_r);
		store_stmt_done(st);
		return -1;
	}
	if (store_stmt_run(store, st, "record survey", error_r) < 0)
		return -1;
	return sqlite3_changes(store->db) > 0 ? 1 : 0;
}

static int bind_score(sqlite3_stmt *st, int idx, int score)
{
	return score < 0 ? sqlite3_bind_null(st, idx) : sqlite3_bind_int(st, idx, score);
}

int store_survey_answer(struct store *store, gint64 ticket_id, int csat, int nps,
			const char *comment, gint64 now, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_survey_answer);

	if (csat > 5 || csat == 0 || nps > 10) {
		store_stmt_done(st);
		return store_fail_other(store, error_r, "survey answer out of range");
	}
	if (sqlite3_bind_int64(st, 1, ticket_id) != SQLITE_OK || bind_score(st, 2, csat) ||
	    bind_score(st, 3, nps) || store_bind_text_or_null(st, 4, comment) ||
	    sqlite3_bind_int64(st, 5, now) != SQLITE_OK) {
		store_fail(store, "bind survey answer", error_r);
		store_stmt_done(st);
		return -1;
	}
	return store_stmt_run(store, st, "store survey answer", error_r);
}

int store_survey_get(struct store *store, gint64 ticket_id, struct store_survey **s_r,
		     char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_survey_get);
	struct store_survey *s;
	int rc;

	*s_r = NULL;
	if (sqlite3_bind_int64(st, 1, ticket_id) != SQLITE_OK) {
		store_fail(store, "bind survey get", error_r);
		store_stmt_done(st);
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		store_stmt_done(st);
		return rc == SQLITE_DONE ? 0 : store_fail(store, "read survey", error_r);
	}
	s = g_new0(struct store_survey, 1);
	s->ticket_id = sqlite3_column_int64(st, 0);
	s->requested = sqlite3_column_int64(st, 1);
	s->csat = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 2);
	s->nps = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 3);
	s->comment = store_column_dup(st, 4);
	s->answered = sqlite3_column_int64(st, 5);
	store_stmt_done(st);
	*s_r = s;
	return 1;
}

int store_customer_set_optout(struct store *store, const char *email, gboolean optout,
			      char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_customer_set_optout);
	char *addr = util_addr_normalize(email != NULL ? email : "");
	int ret;

	if (store_bind_text(st, 1, addr) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, optout ? 1 : 0) != SQLITE_OK) {
		ret = store_fail(store, "bind customer optout", error_r);
		store_stmt_done(st);
	} else {
		ret = store_stmt_run(store, st, "set survey opt-out", error_r);
	}
	g_free(addr);
	return ret;
}
