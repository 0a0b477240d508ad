/* tickets: customers, tickets (status, assignee, priority), participants and events — the
 * writes the threading code makes and the reads the CLI shows. Addresses are stored
 * lower-case (normalised here, so every caller agrees). Returned structs are owned by the
 * caller; same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"

int store_customer_upsert(struct store *store, const char *addr, const char *name, gint64 now,
			  gint64 *id_r, char **error_r)
{
	char *email = util_addr_normalize(addr);
	int ret;

	ret = store_run(store, STMT_customer_upsert, SV_ARGS(SV_T(email), SV_T(name), SV_I(now)),
			"insert customer", error_r);
	if (ret == 0) {
		ret = store_int64(store, STMT_customer_id, SV_ARGS(SV_T(email)), "find customer",
				  id_r, error_r);
		if (ret == 0) /* cannot happen inside a transaction */
			ret = store_fail_other(store, error_r, "customer %s vanished", email);
		else if (ret == 1)
			ret = 0;
	}
	g_free(email);
	return ret;
}

int store_ticket_create(struct store *store, const char *queue, const char *subject,
			gint64 requester_id, gint64 linked_to, gint64 now, gint64 *id_r,
			char **error_r)
{
	if (store_insert(
		store, STMT_ticket_insert,
		SV_ARGS(SV_T(queue), SV_T(subject), SV_I(requester_id), SV_I(linked_to), SV_I(now)),
		"insert ticket", id_r, error_r) < 0)
		return -1;
	/* searchable after delivery (migration 19: store_search_catch_up) */
	return store_run(store, STMT_customer_count_ticket, SV_ARGS(SV_I(requester_id), SV_I(now)),
			 "count the customer's ticket", error_r);
}

/* Run an UPDATE of one ticket; no row changed means no such ticket, an error for the
 * caller (it holds an id it believes in). */
static int update_ticket(struct store *store, enum store_stmt stmt, struct store_args args,
			 gint64 id, const char *op, char **error_r)
{
	int changed = store_run_changes(store, stmt, args, op, error_r);

	if (changed < 0)
		return -1;
	if (changed == 0)
		return store_fail_other(store, error_r, "%s: no ticket %" G_GINT64_FORMAT, op, id);
	return 0;
}

int store_ticket_set_status(struct store *store, gint64 id, const char *status, gint64 now,
			    char **error_r)
{
	return update_ticket(store, STMT_ticket_set_status,
			     SV_ARGS(SV_I(id), SV_T(status), SV_I(now)), id, "set ticket status",
			     error_r);
}

int store_ticket_touch(struct store *store, gint64 id, gint64 now, char **error_r)
{
	return update_ticket(store, STMT_ticket_touch, SV_ARGS(SV_I(id), SV_I(now)), id,
			     "touch ticket", error_r);
}

int store_ticket_set_lang(struct store *store, gint64 id, const char *lang, char **error_r)
{
	return update_ticket(store, STMT_ticket_set_lang, SV_ARGS(SV_I(id), SV_T(lang)), id,
			     "set ticket language", error_r);
}

int store_customer_set_lang(struct store *store, gint64 customer_id, const char *lang,
			    char **error_r)
{
	return store_run(store, STMT_customer_set_lang, SV_ARGS(SV_I(customer_id), SV_T(lang)),
			 "set customer language", error_r);
}

int store_customer_lang(struct store *store, gint64 customer_id, char **lang_r,
			char **error_r)
{
	char **v = NULL;

	*lang_r = NULL;
	if (store_strv(store, STMT_customer_lang, SV_ARGS(SV_I(customer_id)),
		       "read customer language", &v, error_r) < 0)
		return -1;
	*lang_r = g_strdup(v[0] != NULL ? v[0] : "");
	g_strfreev(v);
	return 0;
}

/* Addresses are compared lower-case: agent_remove unassigns by the agent's stored email. */
int store_ticket_set_assignee(struct store *store, gint64 id, const char *email, gint64 now,
			      char **error_r)
{
	char *assignee = email != NULL ? util_addr_normalize(email) : NULL;
	int ret = update_ticket(store, STMT_ticket_set_assignee,
				SV_ARGS(SV_I(id), SV_T(assignee), SV_I(now)), id,
				"set ticket assignee", error_r);

	g_free(assignee);
	return ret;
}

/* The schema's CHECK is the list of priorities: a value outside it fails the UPDATE. */
int store_ticket_set_priority(struct store *store, gint64 id, const char *priority, gint64 now,
			      char **error_r)
{
	return update_ticket(store, STMT_ticket_set_priority,
			     SV_ARGS(SV_I(id), SV_T(priority), SV_I(now)), id,
			     "set ticket priority", error_r);
}

void store_ticket_free(struct store_ticket **tp)
{
	struct store_ticket *t = *tp;

	if (t == NULL)
		return;
	*tp = NULL;
	g_free(t->queue);
	g_free(t->subject);
	g_free(t->status);
	g_free(t->priority);
	g_free(t->assignee);
	g_free(t->requester);
	g_free(t->requester_name);
	g_free(t->lang);
	g_free(t);
}

static void ticket_free_ptr(gpointer p)
{
	struct store_ticket *t = p;

	store_ticket_free(&t);
}

/* Column order of the ticket_get / ticket_list statements. */
static gpointer ticket_from_row(const struct store_row *st)
{
	struct store_ticket *t = g_new0(struct store_ticket, 1);

	t->id = store_column_int64(st, 0);
	t->queue = store_column_dup(st, 1);
	t->subject = store_column_dup(st, 2);
	t->status = store_column_dup(st, 3);
	t->priority = store_column_dup(st, 4);
	t->assignee = store_column_dup(st, 5);
	t->requester_id = store_column_int64(st, 6);
	t->requester = store_column_dup(st, 7);
	t->requester_name = store_column_dup(st, 8);
	t->linked_to = store_column_int64(st, 9); /* NULL reads as 0 */
	t->created = store_column_int64(st, 10);
	t->updated = store_column_int64(st, 11);
	t->message_count = store_column_int64(st, 12);
	t->lang = store_column_dup(st, 13);
	return t;
}

int store_ticket_get(struct store *store, gint64 id, struct store_ticket **t_r, char **error_r)
{
	gpointer t = NULL;
	int ret = store_one(store, STMT_ticket_get, SV_ARGS(SV_I(id)), ticket_from_row,
			    "read ticket", &t, error_r);

	*t_r = t;
	return ret;
}

struct page_ctx {
	store_ticket_fn fn;
	void *ctx;
};

static void page_row(const struct store_row *st, void *data)
{
	struct page_ctx *p = data;
	struct store_ticket *t = ticket_from_row(st);

	p->fn(t, p->ctx);
	store_ticket_free(&t);
}

int store_ticket_page(struct store *store, const char *status, gint64 before, gint64 limit,
		      store_ticket_fn fn, void *ctx, char **error_r)
{
	struct page_ctx p = {fn, ctx};

	if (before <= 0)
		before = G_MAXINT64;
	if (status == NULL)
		return store_each(store, STMT_ticket_page, SV_ARGS(SV_I(before), SV_I(limit)),
				  page_row, &p, "list tickets", error_r);
	return store_each(store, STMT_ticket_page_status,
			  SV_ARGS(SV_I(before), SV_I(limit), SV_T(status)), page_row, &p,
			  "list tickets", error_r);
}

int store_ticket_page_by(struct store *store, const char *assignee, const char *queue,
			 const char *status, gint64 limit, store_ticket_fn fn, void *ctx,
			 char **error_r)
{
	struct page_ctx p = {fn, ctx};

	if (assignee != NULL)
		return store_each(store, STMT_ticket_page_assignee,
				  SV_ARGS(SV_T(assignee), SV_T(status), SV_I(limit)), page_row, &p,
				  "list an agent's tickets", error_r);
	return store_each(store, STMT_ticket_page_queue,
			  SV_ARGS(SV_T(queue), SV_T(status), SV_I(limit)), page_row, &p,
			  "list a queue's tickets", error_r);
}

static void list_add(const struct store_ticket *t, void *ctx)
{
	struct store_ticket *copy = g_new0(struct store_ticket, 1);

	*copy = *t;
	copy->queue = g_strdup(t->queue);
	copy->subject = g_strdup(t->subject);
	copy->status = g_strdup(t->status);
	copy->priority = g_strdup(t->priority);
	copy->assignee = g_strdup(t->assignee);
	copy->requester = g_strdup(t->requester);
	copy->requester_name = g_strdup(t->requester_name);
	copy->lang = g_strdup(t->lang);
	g_ptr_array_add(ctx, copy);
}

int store_ticket_list(struct store *store, const char *status, GPtrArray **list_r, char **error_r)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(ticket_free_ptr);

	*list_r = NULL;
	if (store_ticket_page(store, status, 0, 0, list_add, list, error_r) < 0) {
		g_ptr_array_unref(list);
		return -1;
	}
	*list_r = list;
	return 0;
}

/* ---- participants and events ---- */

int store_participant_add(struct store *store, gint64 ticket_id, const char *addr, const char *name,
			  const char *role, char **error_r)
{
	char *address = util_addr_normalize(addr);
	int ret = store_run(store, STMT_participant_add,
			    SV_ARGS(SV_I(ticket_id), SV_T(address), SV_T(name), SV_T(role)),
			    "add participant", error_r);

	g_free(address);
	return ret;
}

int store_is_participant(struct store *store, gint64 ticket_id, const char *addr, char **error_r)
{
	char *address = util_addr_normalize(addr);
	gint64 one;
	int ret = store_int64(store, STMT_participant_is, SV_ARGS(SV_I(ticket_id), SV_T(address)),
			      "find participant", &one, error_r);

	g_free(address);
	return ret;
}

int store_event_add(struct store *store, gint64 ticket_id, gint64 now, const char *kind,
		    const char *actor, const char *detail, char **error_r)
{
	gboolean status = g_strcmp0(kind, "status") == 0;
	gboolean reopen = g_strcmp0(kind, "reopened") == 0;

	if (store_run(store, STMT_event_add,
		      SV_ARGS(SV_I(ticket_id), SV_I(now), SV_T(kind), SV_T(actor), SV_T(detail)),
		      "add event", error_r) < 0)
		return -1;
	if (!status && !reopen)
		return 0;
	/* Retention (migration 17): the requester's latest resolution, for their next ticket. */
	if (status && g_strcmp0(detail, "resolved") == 0 &&
	    store_run(store, STMT_customer_resolved, SV_ARGS(SV_I(ticket_id), SV_I(now)),
		      "keep the customer's last resolution", error_r) < 0)
		return -1;
	/* The report's figures (migration 10), in the event's transaction. */
	return store_run(store, STMT_ticket_report_event,
			 SV_ARGS(SV_I(ticket_id), SV_I(now),
				 SV_B(status && g_strcmp0(detail, "resolved") == 0), SV_B(reopen)),
			 "keep the ticket's report figures", error_r);
}
