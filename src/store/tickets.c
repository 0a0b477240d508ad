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
	sqlite3_stmt *st = store_stmt(store, STMT_customer_upsert);
	char *email = util_addr_normalize(addr);
	int ret;

	if (store_bind_text(st, 1, email) != SQLITE_OK ||
	    store_bind_text(st, 2, name) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, now) != SQLITE_OK) {
		ret = store_fail(store, "bind customer", error_r);
		store_stmt_done(st);
	} else {
		ret = store_stmt_run(store, st, "insert customer", error_r);
	}
	if (ret == 0) {
		st = store_stmt(store, STMT_customer_id);
		if (store_bind_text(st, 1, email) != SQLITE_OK) {
			ret = store_fail(store, "bind customer", error_r);
			store_stmt_done(st);
		} else {
			ret = store_stmt_int64(store, st, "find customer", id_r, error_r);
			if (ret == 0) /* cannot happen inside a transaction */
				ret =
				    store_fail_other(store, error_r, "customer %s vanished", email);
			else if (ret == 1)
				ret = 0;
		}
	}
	g_free(email);
	return ret;
}

int store_ticket_create(struct store *store, const char *queue, const char *subject,
			gint64 requester_id, gint64 linked_to, gint64 now, gint64 *id_r,
			char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_ticket_insert);

	if (store_bind_text_or_null(st, 1, queue) != SQLITE_OK ||
	    store_bind_text(st, 2, subject) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, requester_id) != SQLITE_OK ||
	    store_bind_id_or_null(st, 4, linked_to) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, now) != SQLITE_OK) {
		store_fail(store, "bind ticket", error_r);
		store_stmt_done(st);
		return -1;
	}
	if (store_stmt_run(store, st, "insert ticket", error_r) < 0)
		return -1;
	*id_r = sqlite3_last_insert_rowid(store->db);
	return 0;
}

/* Run a bound UPDATE of one ticket; no row changed means no such ticket, an error for the
 * caller (it holds an id it believes in). */
static int update_ticket(struct store *store, sqlite3_stmt *st, gint64 id, const char *op,
			 char **error_r)
{
	if (store_stmt_run(store, st, op, error_r) < 0)
		return -1;
	if (sqlite3_changes(store->db) == 0)
		return store_fail_other(store, error_r, "%s: no ticket %" G_GINT64_FORMAT, op, id);
	return 0;
}

int store_ticket_set_status(struct store *store, gint64 id, const char *status, gint64 now,
			    char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_ticket_set_status);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    store_bind_text_or_null(st, 2, status) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, now) != SQLITE_OK) {
		store_fail(store, "bind ticket status", error_r);
		store_stmt_done(st);
		return -1;
	}
	return update_ticket(store, st, id, "set ticket status", error_r);
}

int store_ticket_touch(struct store *store, gint64 id, gint64 now, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_ticket_touch);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now) != SQLITE_OK) {
		store_fail(store, "bind ticket touch", error_r);
		store_stmt_done(st);
		return -1;
	}
	return update_ticket(store, st, id, "touch ticket", error_r);
}

/* Addresses are compared lower-case: agent_remove unassigns by the agent's stored email. */
int store_ticket_set_assignee(struct store *store, gint64 id, const char *email, gint64 now,
			      char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_ticket_set_assignee);
	char *assignee = email != NULL ? util_addr_normalize(email) : NULL;
	int ret;

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    store_bind_text_or_null(st, 2, assignee) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, now) != SQLITE_OK) {
		ret = store_fail(store, "bind ticket assignee", error_r);
		store_stmt_done(st);
	} else {
		ret = update_ticket(store, st, id, "set ticket assignee", error_r);
	}
	g_free(assignee);
	return ret;
}

/* The schema's CHECK is the list of priorities: a value outside it fails the UPDATE. */
int store_ticket_set_priority(struct store *store, gint64 id, const char *priority, gint64 now,
			      char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_ticket_set_priority);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    store_bind_text_or_null(st, 2, priority) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, now) != SQLITE_OK) {
		store_fail(store, "bind ticket priority", error_r);
		store_stmt_done(st);
		return -1;
	}
	return update_ticket(store, st, id, "set ticket priority", error_r);
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
	g_free(t);
}

static void ticket_free_ptr(gpointer p)
{
	struct store_ticket *t = p;

	store_ticket_free(&t);
}

/* Column order of the ticket_get / ticket_list statements. */
static struct store_ticket *ticket_from_row(sqlite3_stmt *st)
{
	struct store_ticket *t = g_new0(struct store_ticket, 1);

	t->id = sqlite3_column_int64(st, 0);
	t->queue = store_column_dup(st, 1);
	t->subject = store_column_dup(st, 2);
	t->status = store_column_dup(st, 3);
	t->priority = store_column_dup(st, 4);
	t->assignee = store_column_dup(st, 5);
	t->requester_id = sqlite3_column_int64(st, 6);
	t->requester = store_column_dup(st, 7);
	t->requester_name = store_column_dup(st, 8);
	t->linked_to = sqlite3_column_int64(st, 9); /* NULL reads as 0 */
	t->created = sqlite3_column_int64(st, 10);
	t->updated = sqlite3_column_int64(st, 11);
	t->message_count = sqlite3_column_int64(st, 12);
	return t;
}

int store_ticket_get(struct store *store, gint64 id, struct store_ticket **t_r, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_ticket_get);
	int ret = store_stmt_row_by_id(store, st, id, "read ticket", error_r);

	*t_r = NULL;
	if (ret == 1) {
		*t_r = ticket_from_row(st);
		store_stmt_done(st);
	}
	return ret;
}

int store_ticket_list(struct store *store, const char *status, GPtrArray **list_r, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_ticket_list);
	GPtrArray *list;
	int rc;

	*list_r = NULL;
	if (store_bind_text_or_null(st, 1, status) != SQLITE_OK) {
		store_fail(store, "bind ticket list", error_r);
		store_stmt_done(st);
		return -1;
	}
	list = g_ptr_array_new_with_free_func(ticket_free_ptr);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(list, ticket_from_row(st));
	if (rc != SQLITE_DONE) {
		store_fail(store, "list tickets", error_r);
		store_stmt_done(st);
		g_ptr_array_unref(list);
		return -1;
	}
	store_stmt_done(st);
	*list_r = list;
	return 0;
}

/* ---- participants and events ---- */

int store_participant_add(struct store *store, gint64 ticket_id, const char *addr, const char *name,
			  const char *role, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_participant_add);
	char *address = util_addr_normalize(addr);
	int ret;

	if (sqlite3_bind_int64(st, 1, ticket_id) != SQLITE_OK ||
	    store_bind_text(st, 2, address) != SQLITE_OK ||
	    store_bind_text(st, 3, name) != SQLITE_OK ||
	    store_bind_text_or_null(st, 4, role) != SQLITE_OK) {
		ret = store_fail(store, "bind participant", error_r);
		store_stmt_done(st);
	} else {
		ret = store_stmt_run(store, st, "add participant", error_r);
	}
	g_free(address);
	return ret;
}

int store_is_participant(struct store *store, gint64 ticket_id, const char *addr, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_participant_is);
	char *address = util_addr_normalize(addr);
	gint64 one;
	int ret;

	if (sqlite3_bind_int64(st, 1, ticket_id) != SQLITE_OK ||
	    store_bind_text(st, 2, address) != SQLITE_OK) {
		ret = store_fail(store, "bind participant", error_r);
		store_stmt_done(st);
	} else {
		ret = store_stmt_int64(store, st, "find participant", &one, error_r);
	}
	g_free(address);
	return ret;
}

int store_event_add(struct store *store, gint64 ticket_id, gint64 now, const char *kind,
		    const char *actor, const char *detail, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_event_add);

	if (sqlite3_bind_int64(st, 1, ticket_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now) != SQLITE_OK ||
	    store_bind_text_or_null(st, 3, kind) != SQLITE_OK ||
	    store_bind_text(st, 4, actor) != SQLITE_OK ||
	    store_bind_text(st, 5, detail) != SQLITE_OK) {
		store_fail(store, "bind event", error_r);
		store_stmt_done(st);
		return -1;
	}
	return store_stmt_run(store, st, "add event", error_r);
}
