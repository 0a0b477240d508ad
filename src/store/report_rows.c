/* report_rows: the reads behind `postdesk report`. Three reads in ticket order — tickets
 * with the figures they keep (migration 10), answered waits, surveys — merged as they
 * stream, one ticket at a time, so memory does not grow with the tickets and nothing reads
 * the messages or events tables; except for a ticket changed at or after the report's end
 * (a report on a past period), whose own messages and events are read by its indexes.
 * Strings (queues, agents, statuses, event kinds) are interned: a name repeated on every
 * ticket costs one copy and compares by pointer. Also the in-memory rows tests build.
 * Same threading as the connection. */
#include "config.h"
#include "store-stmt.h"

struct store_report_rows *store_report_rows_new(void)
{
	struct store_report_rows *rows = g_new0(struct store_report_rows, 1);

	rows->tickets = g_array_new(FALSE, FALSE, sizeof(struct store_report_ticket));
	rows->messages = g_array_new(FALSE, FALSE, sizeof(struct store_report_message));
	rows->events = g_array_new(FALSE, FALSE, sizeof(struct store_report_event));
	rows->waits = g_array_new(FALSE, FALSE, sizeof(struct store_report_wait));
	rows->surveys = g_array_new(FALSE, FALSE, sizeof(struct store_report_survey));
	rows->strings = g_string_chunk_new(4096);
	return rows;
}

void store_report_rows_free(struct store_report_rows **rowsp)
{
	struct store_report_rows *rows = *rowsp;

	if (rows == NULL)
		return;
	*rowsp = NULL;
	g_array_unref(rows->tickets);
	g_array_unref(rows->messages);
	g_array_unref(rows->events);
	g_array_unref(rows->waits);
	g_array_unref(rows->surveys);
	g_string_chunk_free(rows->strings);
	g_free(rows);
}

const char *store_report_intern(struct store_report_rows *rows, const char *s)
{
	return s != NULL ? g_string_chunk_insert_const(rows->strings, s) : NULL;
}

/* The merge: the tickets' cursor leads, the waits' and surveys' follow with one row read
 * ahead (has_*: 1 a row waits in wait/survey, 0 the read ended). Per-ticket arrays are
 * reused from one ticket to the next. */
struct merge {
	struct store *store;
	gint64 before;
	GStringChunk *strings;
	struct store_row *tickets, *waits, *surveys; /* cursors */
	int has_wait, has_survey;
	struct store_report_wait wait;
	struct store_report_survey survey;
	GArray *ticket_waits, *msgs, *events;
};

static const char *col_intern(GStringChunk *strings, const struct store_row *st, int col)
{
	const char *s = store_column_text(st, col);

	return s != NULL ? g_string_chunk_insert_const(strings, s) : NULL;
}

static int col_score(const struct store_row *st, int col)
{
	return store_column_null(st, col) ? -1 : store_column_int(st, col);
}

static void ticket_of_row(struct merge *m, const struct store_row *st, struct store_report_ticket *t)
{
	t->id = store_column_int64(st, 0);
	t->created = store_column_int64(st, 1);
	t->queue = col_intern(m->strings, st, 2);
	t->assignee = col_intern(m->strings, st, 3);
	t->status = col_intern(m->strings, st, 4);
	t->first_reply = store_column_int64(st, 5);
	t->resolved_at = store_column_int64(st, 6);
	t->first_reopen = store_column_int64(st, 7);
	t->last_reopen = store_column_int64(st, 8);
	t->fcr = store_column_int64(st, 9) != 0;
	/* Nothing the figures hold happened at or after the end of the report. */
	t->kept = store_column_int64(st, 10) < m->before;
	t->prev_created = store_column_int64(st, 11);
	t->prev_resolved = store_column_int64(st, 12);
	t->self_served = store_column_int64(st, 13) != 0;
}

static int next_wait(struct merge *m, char **error_r)
{
	if ((m->has_wait = store_cursor_next(m->store, m->waits, "read waits", error_r)) == 1) {
		m->wait.ticket_id = store_column_int64(m->waits, 0);
		m->wait.started = store_column_int64(m->waits, 1);
		m->wait.answered = store_column_int64(m->waits, 2);
	}
	return m->has_wait;
}

static int next_survey(struct merge *m, char **error_r)
{
	struct store_row *st = m->surveys;

	if ((m->has_survey = store_cursor_next(m->store, st, "read surveys", error_r)) == 1) {
		m->survey.ticket_id = store_column_int64(st, 0);
		m->survey.requested = store_column_int64(st, 1);
		m->survey.csat = col_score(st, 2);
		m->survey.nps = col_score(st, 3);
		m->survey.answered = store_column_int64(st, 4);
		m->survey.ces = col_score(st, 5);
	}
	return m->has_survey;
}

/* The waits of ticket id (kept: handed over; otherwise skipped, its messages say it) and
 * its survey; the rows of tickets before it (not in the report) are passed over. */
static int follow(struct merge *m, const struct store_report_ticket *t,
		  struct store_report_slice *s, char **error_r)
{
	g_array_set_size(m->ticket_waits, 0);
	while (m->has_wait == 1 && m->wait.ticket_id <= t->id) {
		if (m->wait.ticket_id == t->id && t->kept)
			g_array_append_val(m->ticket_waits, m->wait);
		if (next_wait(m, error_r) < 0)
			return -1;
	}
	s->waits = (const void *)m->ticket_waits->data;
	s->n_waits = m->ticket_waits->len;
	while (m->has_survey == 1 && m->survey.ticket_id < t->id)
		if (next_survey(m, error_r) < 0)
			return -1;
	s->survey = m->has_survey == 1 && m->survey.ticket_id == t->id ? &m->survey : NULL;
	return 0;
}

static void history_message(const struct store_row *st, void *ctx)
{
	struct merge *m = ctx;
	struct store_report_message msg = {0, store_column_int64(st, 0),
					   store_column_int(st, 1) != 0};

	g_array_append_val(m->msgs, msg);
}

static void history_event(const struct store_row *st, void *ctx)
{
	struct merge *m = ctx;
	struct store_report_event e = {0, store_column_int64(st, 0),
				       col_intern(m->strings, st, 1),
				       col_intern(m->strings, st, 2)};

	g_array_append_val(m->events, e);
}

static gint cmp_message_time(gconstpointer a, gconstpointer b)
{
	const struct store_report_message *x = a, *y = b;

	return x->created < y->created ? -1 : x->created > y->created;
}

/* A ticket changed since the report's end: its own history before the end, by its
 * indexes (a handful of rows, and only for the tickets a past period needs). */
static int history(struct merge *m, const struct store_report_ticket *t,
		   struct store_report_slice *s, char **error_r)
{
	struct store_args args = SV_ARGS(SV_I(t->id), SV_I(m->before));

	g_array_set_size(m->msgs, 0);
	g_array_set_size(m->events, 0);
	if (store_each(m->store, STMT_report_ticket_messages, args, history_message, m,
		       "read a ticket's messages", error_r) < 0 ||
	    store_each(m->store, STMT_report_ticket_events, args, history_event, m,
		       "read a ticket's events", error_r) < 0)
		return -1;
	/* Read by id; g_array_sort is stable (GLib >= 2.32): by time, then id. */
	g_array_sort(m->msgs, cmp_message_time);
	for (guint i = 0; i < m->msgs->len; i++)
		g_array_index(m->msgs, struct store_report_message, i).ticket_id = t->id;
	for (guint i = 0; i < m->events->len; i++)
		g_array_index(m->events, struct store_report_event, i).ticket_id = t->id;
	s->msgs = (const void *)m->msgs->data;
	s->n_msgs = m->msgs->len;
	s->events = (const void *)m->events->data;
	s->n_events = m->events->len;
	return 0;
}

static int merge_run(struct merge *m, store_report_fn *fn, void *ctx, char **error_r)
{
	struct store_report_ticket t;
	int ret;

	if (next_wait(m, error_r) < 0 || next_survey(m, error_r) < 0)
		return -1;
	while ((ret = store_cursor_next(m->store, m->tickets, "read tickets", error_r)) == 1) {
		struct store_report_slice s = {0};

		ticket_of_row(m, m->tickets, &t);
		if (follow(m, &t, &s, error_r) < 0 || (!t.kept && history(m, &t, &s, error_r) < 0))
			return -1;
		fn(&t, &s, ctx);
	}
	return ret;
}

int store_report_each(struct store *store, const char *queue, const char *assignee, gint64 before,
		      store_report_fn *fn, void *ctx, char **error_r)
{
	struct merge m = {.store = store, .before = before};
	struct store_args filter = SV_ARGS(SV_T(queue), SV_T(assignee), SV_I(before));
	int ret = -1;

	/* One read transaction, so the reads are one consistent snapshot (WAL readers never
	 * block the writer). */
	if (store_setting(store, STMT_pragma_cache_report, error_r) < 0 ||
	    store_run(store, STMT_report_begin, SV_NONE, "begin report read", error_r) < 0)
		return -1;
	m.strings = g_string_chunk_new(4096);
	m.ticket_waits = g_array_new(FALSE, FALSE, sizeof(struct store_report_wait));
	m.msgs = g_array_new(FALSE, FALSE, sizeof(struct store_report_message));
	m.events = g_array_new(FALSE, FALSE, sizeof(struct store_report_event));
	if ((m.tickets = store_cursor_open(store, STMT_report_tickets, filter, "read tickets",
					   error_r)) != NULL &&
	    (m.waits = store_cursor_open(store, STMT_report_waits, SV_ARGS(SV_I(before)),
					 "read waits", error_r)) != NULL &&
	    (m.surveys = store_cursor_open(store, STMT_report_surveys, SV_ARGS(SV_I(before)),
					   "read surveys", error_r)) != NULL)
		ret = merge_run(&m, fn, ctx, error_r);
	store_cursor_close(&m.tickets);
	store_cursor_close(&m.waits);
	store_cursor_close(&m.surveys);
	/* Nothing was written: ending the read cannot lose anything. */
	if (ret < 0)
		store_rollback(store);
	else
		(void)store_run(store, STMT_commit, SV_NONE, "end report read", NULL);
	g_array_unref(m.ticket_waits);
	g_array_unref(m.msgs);
	g_array_unref(m.events);
	g_string_chunk_free(m.strings);
	if (store_setting(store, STMT_pragma_cache, ret < 0 ? NULL : error_r) < 0)
		ret = -1;
	return ret < 0 ? -1 : 0;
}
