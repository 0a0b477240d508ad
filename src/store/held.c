/* held: the acknowledgements of new tickets that postdesk-lmtpd leaves to notifyd
 * (migration 23, survey/acks.c, doc/decisions.md "The acknowledgement after the 250").
 * Rows are written in the caller's transaction; returned structs are owned by the caller.
 * Same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"

int store_ack_hold(struct store *store, gint64 message_row, gint64 ticket_id, gint64 now,
		   char **error_r)
{
	return store_run(store, STMT_ack_hold,
			 SV_ARGS(SV_I(message_row), SV_I(ticket_id), SV_I(now)),
			 "hold acknowledgement", error_r);
}

void store_held_ack_free(gpointer p)
{
	struct store_held_ack *h = p;

	if (h == NULL)
		return;
	g_free(h->sender);
	g_free(h);
}

static gpointer held_ack_from_row(const struct store_row *st)
{
	struct store_held_ack *h = g_new0(struct store_held_ack, 1);

	h->message_row = store_column_int64(st, 0);
	h->ticket_id = store_column_int64(st, 1);
	h->sender = store_column_dup(st, 2);
	return h;
}

int store_ack_held(struct store *store, int limit, GPtrArray **list_r, char **error_r)
{
	*list_r = NULL;
	return store_rows(store, STMT_ack_held_list, SV_ARGS(SV_I(limit)), held_ack_from_row,
			  store_held_ack_free, "list held acknowledgements", list_r, error_r);
}

int store_ack_take(struct store *store, gint64 message_row, char **error_r)
{
	int n = store_run_changes(store, STMT_ack_take, SV_ARGS(SV_I(message_row)),
				  "take held acknowledgement", error_r);

	return n < 0 ? -1 : n > 0 ? 1 : 0;
}

int store_ack_held_oldest(struct store *store, gint64 *created_r, char **error_r)
{
	return store_int64(store, STMT_ack_held_oldest, SV_NONE, "oldest held acknowledgement",
			   created_r, error_r);
}
