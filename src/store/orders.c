/* orders: the order references found in customer messages, what the order_lookup command
 * said of them, and the agent notices that wait for those lookups (migration 16,
 * doc/orders.md). Rows are written in the caller's transaction; returned structs are
 * owned by the caller. Same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"

void store_order_ref_free(gpointer p)
{
	struct store_order_ref *r = p;

	if (r == NULL)
		return;
	g_free(r->ref);
	g_free(r->error);
	g_free(r->status);
	g_free(r->tracking);
	g_free(r->total);
	g_free(r->items);
	g_free(r);
}

/* Columns from col: ref, looked, error, status, tracking, total, items. */
static struct store_order_ref *order_ref_columns(const struct store_row *st, int col)
{
	struct store_order_ref *r = g_new0(struct store_order_ref, 1);

	r->ref = store_column_dup(st, col);
	r->looked = store_column_int64(st, col + 1);
	r->error = store_column_dup(st, col + 2);
	r->status = store_column_dup(st, col + 3);
	r->tracking = store_column_dup(st, col + 4);
	r->total = store_column_dup(st, col + 5);
	r->items = store_column_dup(st, col + 6);
	return r;
}

static gpointer order_ref_from_row(const struct store_row *st)
{
	return order_ref_columns(st, 0);
}

static gpointer order_ref_ticket_row(const struct store_row *st)
{
	struct store_order_ref *r = order_ref_columns(st, 1);

	r->message_row = store_column_int64(st, 0);
	return r;
}

int store_order_ref_add(struct store *store, gint64 message_row, gint64 ticket_id,
			const char *ref, char **error_r)
{
	return store_run(store, STMT_order_ref_add,
			 SV_ARGS(SV_I(message_row), SV_T(ref), SV_I(ticket_id)), "add order ref",
			 error_r);
}

int store_order_ref_list(struct store *store, gint64 message_row, GPtrArray **list_r,
			 char **error_r)
{
	GPtrArray *list = NULL;
	int ret = store_rows(store, STMT_order_ref_list, SV_ARGS(SV_I(message_row)),
			     order_ref_from_row, store_order_ref_free, "list order refs", &list,
			     error_r);

	for (guint i = 0; ret == 0 && i < list->len; i++)
		((struct store_order_ref *)g_ptr_array_index(list, i))->message_row = message_row;
	*list_r = list;
	return ret;
}

int store_order_ref_ticket(struct store *store, gint64 ticket_id, int limit,
			   GPtrArray **list_r, char **error_r)
{
	*list_r = NULL;
	return store_rows(store, STMT_order_ref_ticket, SV_ARGS(SV_I(ticket_id), SV_I(limit)),
			  order_ref_ticket_row, store_order_ref_free, "list ticket order refs",
			  list_r, error_r);
}

int store_order_ref_result(struct store *store, const struct store_order_ref *r,
			   const char *json, char **error_r)
{
	return store_run(store, STMT_order_ref_result,
			 SV_ARGS(SV_I(r->message_row), SV_T(r->ref), SV_I(r->looked),
				 SV_T(r->error), SV_T(r->status), SV_T(r->tracking),
				 SV_T(r->total), SV_T(r->items), SV_T(json)),
			 "store order lookup", error_r);
}

void store_order_notice_free(gpointer p)
{
	struct store_order_notice *n = p;

	if (n == NULL)
		return;
	g_free(n->warning);
	g_free(n);
}

static gpointer order_notice_from_row(const struct store_row *st)
{
	struct store_order_notice *n = g_new0(struct store_order_notice, 1);

	n->message_row = store_column_int64(st, 0);
	n->ticket_id = store_column_int64(st, 1);
	n->warning = store_column_dup(st, 2);
	return n;
}

int store_order_notice_hold(struct store *store, gint64 message_row, gint64 ticket_id,
			    const char *warning, gint64 now, char **error_r)
{
	return store_run(store, STMT_order_notice_hold,
			 SV_ARGS(SV_I(message_row), SV_I(ticket_id), SV_T(warning), SV_I(now)),
			 "hold agent notice", error_r);
}

int store_order_notice_pending(struct store *store, int limit, GPtrArray **list_r,
			       char **error_r)
{
	*list_r = NULL;
	return store_rows(store, STMT_order_notice_pending, SV_ARGS(SV_I(limit)),
			  order_notice_from_row, store_order_notice_free, "list held notices",
			  list_r, error_r);
}

int store_order_notice_done(struct store *store, gint64 message_row, gint64 now,
			    char **error_r)
{
	int n = store_run_changes(store, STMT_order_notice_done,
				  SV_ARGS(SV_I(message_row), SV_I(now)), "release held notice",
				  error_r);

	return n < 0 ? -1 : n > 0 ? 1 : 0;
}
