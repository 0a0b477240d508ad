/* privacy: what `postdesk customer export` and `customer erase` need of the store (issue
 * 13, doc/schema.md "Migration 11"). Erase anonymises in place whatever the report counts
 * (tickets, the direction, kind and time of message rows, status events, survey scores),
 * so its numbers do not change, and deletes or blanks everything that names the person.
 * The caller runs the steps in one transaction. Same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"

static void privacy_id_row(const struct store_row *st, void *ctx)
{
	gint64 id = store_column_int64(st, 0);

	g_array_append_val((GArray *)ctx, id);
}

static gboolean privacy_has(const GArray *ids, gint64 id)
{
	for (guint i = 0; i < ids->len; i++)
		if (g_array_index(ids, gint64, i) == id)
			return TRUE;
	return FALSE;
}

int store_customer_tickets(struct store *store, gint64 customer_id, const char *email,
			   GArray **requested_r, GArray **other_r, char **error_r)
{
	GArray *req = g_array_new(FALSE, FALSE, sizeof(gint64));
	GArray *part = g_array_new(FALSE, FALSE, sizeof(gint64));
	GArray *other = g_array_new(FALSE, FALSE, sizeof(gint64));
	char *addr = util_addr_normalize(email != NULL ? email : "");
	int ret = 0;

	if (store_each(store, STMT_privacy_requested, SV_ARGS(SV_I(customer_id)), privacy_id_row,
		       req, "list the customer's tickets", error_r) < 0 ||
	    store_each(store, STMT_privacy_participating, SV_ARGS(SV_T(addr)), privacy_id_row,
		       part, "list the tickets the customer takes part in", error_r) < 0)
		ret = -1;
	for (guint i = 0; ret == 0 && i < part->len; i++)
		if (!privacy_has(req, g_array_index(part, gint64, i)))
			g_array_append_val(other, g_array_index(part, gint64, i));
	g_array_unref(part);
	g_free(addr);
	if (ret < 0) {
		g_array_unref(req);
		g_array_unref(other);
		return -1;
	}
	*requested_r = req;
	*other_r = other;
	return 0;
}

int store_customer_erase_ticket(struct store *store, gint64 ticket_id, gboolean requested,
				const char *email, const char *name, char **error_r)
{
	char *addr = util_addr_normalize(email != NULL ? email : "");
	/* raw is blanked, never read here: how the bytes are kept is messages.c's business */
	const struct store_val empty = SV_X("", 0);
	/* A name is replaced in other people's text only when it is more than a short word
	 * ("Al" would be cut out of every "Also"). */
	const char *full_name = name != NULL && g_utf8_strlen(name, -1) >= 5 ? name : "";
	int ret;

	if (requested)
		ret = store_run(store, STMT_privacy_erase_attachments, SV_ARGS(SV_I(ticket_id)),
				"erase attachments", error_r) < 0 ||
		      store_run(store, STMT_privacy_erase_messages,
				SV_ARGS(SV_I(ticket_id), empty), "erase messages", error_r) < 0 ||
		      store_run(store, STMT_privacy_erase_event_details, SV_ARGS(SV_I(ticket_id)),
				"erase event details", error_r) < 0 ||
		      store_run(store, STMT_privacy_erase_survey, SV_ARGS(SV_I(ticket_id)),
				"erase survey comment", error_r) < 0 ||
		      store_run(store, STMT_privacy_erase_schedule, SV_ARGS(SV_I(ticket_id)),
				"cancel timed work", error_r) < 0 ||
		      store_run(store, STMT_privacy_erase_ticket, SV_ARGS(SV_I(ticket_id)),
				"erase subject", error_r) < 0 ||
		      store_run(store, STMT_privacy_erase_orders, SV_ARGS(SV_I(ticket_id)),
				"erase order references", error_r) < 0
			  ? -1
			  : 0;
	else
		ret = store_run(store, STMT_privacy_erase_attachments_of,
				SV_ARGS(SV_I(ticket_id), SV_T(addr)), "erase attachments",
				error_r) < 0 ||
		      store_run(store, STMT_privacy_erase_messages_of,
				SV_ARGS(SV_I(ticket_id), SV_T(addr), empty), "erase messages",
				error_r) < 0 ||
		      store_run(store, STMT_privacy_erase_raw_of, SV_ARGS(SV_I(ticket_id), empty),
				"erase raw copies", error_r) < 0 ||
		      store_run(store, STMT_privacy_erase_outbox_of, SV_ARGS(SV_I(ticket_id), empty),
				"erase sent mail", error_r) < 0 ||
		      store_run(store, STMT_privacy_erase_text_of,
				SV_ARGS(SV_I(ticket_id), SV_T(addr), SV_T(full_name)),
				"erase mentions", error_r) < 0
			  ? -1
			  : 0;
	if (ret == 0)
		ret = store_run(store, STMT_privacy_erase_participant,
				SV_ARGS(SV_I(ticket_id), SV_T(addr)), "erase participant", error_r);
	if (ret == 0)
		ret = store_run(store, STMT_privacy_erase_events,
				SV_ARGS(SV_I(ticket_id), SV_T(addr), SV_T(full_name)),
				"erase event details", error_r);
	/* The search index (migration 12) follows these changes by triggers; its pages are
	 * rewritten once at the end (store_customer_erase_finish, FULL-TEXT INDEX). */
	g_free(addr);
	return ret;
}

int store_customer_erase_finish(struct store *store, gint64 customer_id, const char *email,
				const char *actor, const char *detail, gint64 now, char **error_r)
{
	char *addr = util_addr_normalize(email != NULL ? email : "");
	char *gone = g_strdup_printf("erased-%" G_GINT64_FORMAT "@erased.invalid", customer_id);
	int ret = store_run(store, STMT_privacy_erase_outbox,
			    SV_ARGS(SV_I(customer_id), SV_T(addr), SV_X("", 0), SV_T(gone)),
			    "erase outbound mail", error_r) < 0 ||
			  store_run(store, STMT_privacy_erase_autoreplies, SV_ARGS(SV_T(addr)),
				    "erase automatic-reply log", error_r) < 0 ||
			  store_run(store, STMT_privacy_erase_customer,
				    SV_ARGS(SV_I(customer_id), SV_T(gone)), "erase customer",
				    error_r) < 0 ||
			  /* FULL-TEXT INDEX: the triggers deleted the erased rows' entries;
			   * merging the segments drops their words from the index's pages. */
			  store_run(store, STMT_search_optimize_messages, SV_NONE,
				    "rewrite the message search index", error_r) < 0 ||
			  store_run(store, STMT_search_optimize_tickets, SV_NONE,
				    "rewrite the ticket search index", error_r) < 0 ||
			  store_run(store, STMT_audit_add,
				    SV_ARGS(SV_I(now), SV_T(actor), SV_T("customer_erase"),
					    SV_T(detail)),
				    "write audit record", error_r) < 0
		      ? -1
		      : 0;

	g_free(gone);
	g_free(addr);
	return ret;
}

int store_secure_delete(struct store *store, char **error_r)
{
	return store_setting(store, STMT_pragma_secure_delete_on, error_r);
}

int store_vacuum(struct store *store, char **error_r)
{
	return store_run(store, STMT_vacuum, SV_NONE, "vacuum", error_r);
}
