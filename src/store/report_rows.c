/* report_rows: the set-oriented reads behind `postdesk report` — one pass over each of
 * tickets, messages, events and surveys (statements report_* in statements.def), into flat
 * arrays the report module walks side by side. No per-ticket query: 100,000 tickets are a
 * handful of sequential scans. Strings are interned in the rows' string chunk, so a queue or
 * agent name repeated on every ticket costs one copy and compares by pointer.
 * The rows belong to the caller; same threading as the connection. */
#include "config.h"
#include "store-stmt.h"

struct store_report_rows *store_report_rows_new(void)
{
	struct store_report_rows *rows = g_new0(struct store_report_rows, 1);

	rows->tickets = g_array_new(FALSE, FALSE, sizeof(struct store_report_ticket));
	rows->messages = g_array_new(FALSE, FALSE, sizeof(struct store_report_message));
	rows->events = g_array_new(FALSE, FALSE, sizeof(struct store_report_event));
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
	g_array_unref(rows->surveys);
	g_string_chunk_free(rows->strings);
	g_free(rows);
}

const char *store_report_intern(struct store_report_rows *rows, const char *s)
{
	return s != NULL ? g_string_chunk_insert_const(rows->strings, s) : NULL;
}

static const char *col_intern(struct store_report_rows *rows, sqlite3_stmt *st, int col)
{
	return store_report_intern(rows, (const char *)sqlite3_column_text(st, col));
}

static int col_score(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? -1 : sqlite3_column_int(st, col);
}

/* One row of statement id into the matching array of rows. */
static void add_row(struct store_report_rows *rows, enum store_stmt id, sqlite3_stmt *st)
{
	if (id == STMT_report_tickets) {
		struct store_report_ticket t = {
		    .id = sqlite3_column_int64(st, 0),
		    .created = sqlite3_column_int64(st, 1),
		    .queue = col_intern(rows, st, 2),
		    .assignee = col_intern(rows, st, 3),
		    .status = col_intern(rows, st, 4),
		};
		g_array_append_val(rows->tickets, t);
	} else if (id == STMT_report_messages) {
		struct store_report_message m = {
		    .ticket_id = sqlite3_column_int64(st, 0),
		    .created = sqlite3_column_int64(st, 1),
		    .agent = sqlite3_column_int(st, 2) != 0,
		};
		g_array_append_val(rows->messages, m);
	} else if (id == STMT_report_events) {
		struct store_report_event e = {
		    .ticket_id = sqlite3_column_int64(st, 0),
		    .created = sqlite3_column_int64(st, 1),
		    .kind = col_intern(rows, st, 2),
		    .detail = col_intern(rows, st, 3),
		};
		g_array_append_val(rows->events, e);
	} else {
		struct store_report_survey s = {
		    .ticket_id = sqlite3_column_int64(st, 0),
		    .requested = sqlite3_column_int64(st, 1),
		    .csat = col_score(st, 2),
		    .nps = col_score(st, 3),
		    .answered = sqlite3_column_int64(st, 4),
		};
		g_array_append_val(rows->surveys, s);
	}
}

struct report_walk {
	struct store_report_rows *rows;
	enum store_stmt id;
};

static void report_row(sqlite3_stmt *st, void *ctx)
{
	struct report_walk *w = ctx;

	add_row(w->rows, w->id, st);
}

static int read_one(struct store *store, enum store_stmt id, const char *queue,
		    const char *assignee, gint64 before, struct store_report_rows *rows,
		    char **error_r)
{
	struct report_walk w = {rows, id};
	struct store_args args = id == STMT_report_messages || id == STMT_report_events
					 ? SV_ARGS(SV_I(before))
					 : SV_ARGS(SV_T(queue), SV_T(assignee), SV_I(before));

	return store_each(store, id, args, report_row, &w, "read report rows", error_r) < 0 ? -1
											   : 0;
}

static gint cmp_message(gconstpointer a, gconstpointer b)
{
	const struct store_report_message *x = a, *y = b;

	if (x->ticket_id != y->ticket_id)
		return x->ticket_id < y->ticket_id ? -1 : 1;
	return x->created < y->created ? -1 : x->created > y->created;
}

static gint cmp_event(gconstpointer a, gconstpointer b)
{
	const struct store_report_event *x = a, *y = b;

	return x->ticket_id < y->ticket_id ? -1 : x->ticket_id > y->ticket_id;
}

int store_report_read(struct store *store, const char *queue, const char *assignee, gint64 before,
		      struct store_report_rows **rows_r, char **error_r)
{
	static const enum store_stmt ids[] = {STMT_report_tickets, STMT_report_messages,
					      STMT_report_events, STMT_report_surveys};
	struct store_report_rows *rows = store_report_rows_new();
	size_t i;

	*rows_r = NULL;
	/* One read transaction, so the four lists are one consistent snapshot (WAL readers
	 * never block the writer). */
	if (store_run(store, STMT_report_begin, SV_NONE, "begin report read", error_r) < 0) {
		store_report_rows_free(&rows);
		return -1;
	}
	for (i = 0; i < G_N_ELEMENTS(ids); i++) {
		if (read_one(store, ids[i], queue, assignee, before, rows, error_r) < 0) {
			store_rollback(store);
			store_report_rows_free(&rows);
			return -1;
		}
	}
	/* Nothing was written: ending the read cannot lose anything. */
	(void)store_run(store, STMT_commit, SV_NONE, "end report read", NULL);
	/* Rows arrive in id order and g_array_sort is stable (GLib >= 2.32): equal keys keep
	 * it, so messages end up by ticket, time, id and events by ticket, id. */
	g_array_sort(rows->messages, cmp_message);
	g_array_sort(rows->events, cmp_event);
	*rows_r = rows;
	return 0;
}
