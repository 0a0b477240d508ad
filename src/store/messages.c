/* messages: stored messages (raw bytes included) and their attachment rows. Insertion is
 * idempotent on (message_id, rcpt), so an LMTP retry after a crash stores nothing twice.
 * Returned structs are owned by the caller; same threading as the connection. */
#include "config.h"
#include "store-error.h"
#include "store-stmt.h"

#include <string.h>

static int bind_message(sqlite3_stmt *st, const struct store_message *m, gint64 now)
{
	gsize raw_len = 0;
	const void *raw = m->raw != NULL ? g_bytes_get_data(m->raw, &raw_len) : NULL;
	int rc;

	if ((rc = store_bind_id_or_null(st, 1, m->ticket_id)) != SQLITE_OK ||
	    (rc = store_bind_text_or_null(st, 2, m->direction)) != SQLITE_OK ||
	    (rc = store_bind_text_or_null(st, 3, m->kind)) != SQLITE_OK ||
	    (rc = store_bind_text_or_null(st, 4, m->message_id)) != SQLITE_OK ||
	    (rc = store_bind_text_or_null(st, 5, m->rcpt)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 6, m->env_sender)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 7, m->from_addr)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 8, m->from_name)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 9, m->subject)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(st, 10, m->date)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(st, 11, now)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 12, m->body)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 13, m->flags)) != SQLITE_OK)
		return rc;
	/* No raw stays NULL (the NOT NULL constraint refuses it); an empty one is a zero-length
	 * blob, which bind_blob would turn into NULL for a NULL data pointer. */
	if (m->raw == NULL)
		return sqlite3_bind_null(st, 14);
	if (raw_len == 0)
		return sqlite3_bind_zeroblob(st, 14, 0);
	return sqlite3_bind_blob64(st, 14, raw, raw_len, SQLITE_STATIC);
}

static int insert_attachments(struct store *store, gint64 row, const GPtrArray *attachments,
			      char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_attachment_insert);
	guint i;

	for (i = 0; attachments != NULL && i < attachments->len; i++) {
		const struct store_attachment *a = g_ptr_array_index(attachments, i);

		if (sqlite3_bind_int64(st, 1, row) != SQLITE_OK ||
		    store_bind_text(st, 2, a->filename) != SQLITE_OK ||
		    store_bind_text(st, 3, a->content_type) != SQLITE_OK ||
		    sqlite3_bind_int64(st, 4, a->size) != SQLITE_OK) {
			store_fail(store, "bind attachment", error_r);
			store_stmt_done(st);
			return -1;
		}
		if (store_stmt_run(store, st, "insert attachment", error_r) < 0)
			return -1;
	}
	return 0;
}

int store_message_find(struct store *store, const char *message_id, const char *rcpt, gint64 *row_r,
		       gint64 *ticket_r, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_message_by_key);
	int rc, ret = 0;

	if (store_bind_text(st, 1, message_id) != SQLITE_OK ||
	    store_bind_text(st, 2, rcpt) != SQLITE_OK) {
		store_fail(store, "bind message key", error_r);
		store_stmt_done(st);
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*row_r = sqlite3_column_int64(st, 0);
		*ticket_r = sqlite3_column_int64(st, 1); /* NULL reads as 0 */
		ret = 1;
	} else if (rc != SQLITE_DONE) {
		ret = store_fail(store, "find message", error_r);
	}
	store_stmt_done(st);
	return ret;
}

/* The row already stored under (message_id, rcpt), after an insert that changed nothing. */
static int find_existing(struct store *store, const struct store_message *m, gint64 *id_r,
			 char **error_r)
{
	gint64 ticket;
	int ret = store_message_find(store, m->message_id, m->rcpt, id_r, &ticket, error_r);

	if (ret == 0)
		return store_fail_other(store, error_r, "message <%s> to %s: conflict without row",
					m->message_id, m->rcpt);
	return ret;
}

int store_message_insert(struct store *store, const struct store_message *m, gint64 now,
			 gint64 *id_r, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_message_insert);

	if (bind_message(st, m, now) != SQLITE_OK) {
		store_fail(store, "bind message", error_r);
		store_stmt_done(st);
		return -1;
	}
	if (store_stmt_run(store, st, "insert message", error_r) < 0)
		return -1;
	/* ON CONFLICT DO NOTHING changed no row: a redelivery. */
	if (sqlite3_changes(store->db) == 0)
		return find_existing(store, m, id_r, error_r);
	*id_r = sqlite3_last_insert_rowid(store->db);
	if (insert_attachments(store, *id_r, m->attachments, error_r) < 0)
		return -1;
	return 0;
}

/* ---- reads ---- */

static void attachment_free(gpointer p)
{
	struct store_attachment *a = p;

	g_free(a->filename);
	g_free(a->content_type);
	g_free(a);
}

void store_message_free(struct store_message **mp)
{
	struct store_message *m = *mp;

	if (m == NULL)
		return;
	*mp = NULL;
	g_free(m->direction);
	g_free(m->kind);
	g_free(m->message_id);
	g_free(m->rcpt);
	g_free(m->env_sender);
	g_free(m->from_addr);
	g_free(m->from_name);
	g_free(m->subject);
	g_free(m->body);
	g_free(m->flags);
	if (m->raw != NULL)
		g_bytes_unref(m->raw);
	if (m->attachments != NULL)
		g_ptr_array_unref(m->attachments);
	g_free(m);
}

static void message_free_ptr(gpointer p)
{
	struct store_message *m = p;

	store_message_free(&m);
}

/* Column order of the message_list statement; column 14 is raw, NULL unless asked for. */
static struct store_message *message_from_row(sqlite3_stmt *st, gboolean with_raw)
{
	struct store_message *m = g_new0(struct store_message, 1);

	m->id = sqlite3_column_int64(st, 0);
	m->ticket_id = sqlite3_column_int64(st, 1);
	m->direction = store_column_dup(st, 2);
	m->kind = store_column_dup(st, 3);
	m->message_id = store_column_dup(st, 4);
	m->rcpt = store_column_dup(st, 5);
	m->env_sender = store_column_dup(st, 6);
	m->from_addr = store_column_dup(st, 7);
	m->from_name = store_column_dup(st, 8);
	m->subject = store_column_dup(st, 9);
	m->date = sqlite3_column_int64(st, 10);
	m->created = sqlite3_column_int64(st, 11);
	m->body = store_column_dup(st, 12);
	m->flags = store_column_dup(st, 13);
	if (with_raw) {
		/* blob() before bytes(), as the SQLite docs ask. */
		const void *raw = sqlite3_column_blob(st, 14);

		m->raw = g_bytes_new(raw, (gsize)sqlite3_column_bytes(st, 14));
	}
	m->attachments = g_ptr_array_new_with_free_func(attachment_free);
	return m;
}

static int list_messages(struct store *store, gint64 ticket_id, gboolean with_raw, GPtrArray *list,
			 char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_message_list);
	int rc;

	if (store_bind_id_or_null(st, 1, ticket_id) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, with_raw ? 1 : 0) != SQLITE_OK) {
		store_fail(store, "bind message list", error_r);
		store_stmt_done(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(list, message_from_row(st, with_raw));
	if (rc != SQLITE_DONE)
		store_fail(store, "list messages", error_r);
	store_stmt_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Attachments of all the ticket's messages in one query, ordered like the messages, so
 * one forward walk hands each to its message. */
static int list_attachments(struct store *store, gint64 ticket_id, GPtrArray *list, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_attachment_list);
	guint i = 0;
	int rc;

	if (store_bind_id_or_null(st, 1, ticket_id) != SQLITE_OK) {
		store_fail(store, "bind attachment list", error_r);
		store_stmt_done(st);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gint64 row = sqlite3_column_int64(st, 0);
		struct store_message *m = NULL;
		struct store_attachment *a;

		while (i < list->len && (m = g_ptr_array_index(list, i))->id < row)
			i++;
		if (i == list->len || m->id != row)
			continue; /* its message was committed after our first query */
		a = g_new0(struct store_attachment, 1);
		a->filename = store_column_dup(st, 1);
		a->content_type = store_column_dup(st, 2);
		a->size = sqlite3_column_int64(st, 3);
		g_ptr_array_add(m->attachments, a);
	}
	if (rc != SQLITE_DONE)
		store_fail(store, "list attachments", error_r);
	store_stmt_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_message_list(struct store *store, gint64 ticket_id, gboolean with_raw, GPtrArray **list_r,
		       char **error_r)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(message_free_ptr);

	*list_r = NULL;
	if (list_messages(store, ticket_id, with_raw, list, error_r) < 0 ||
	    list_attachments(store, ticket_id, list, error_r) < 0) {
		g_ptr_array_unref(list);
		return -1;
	}
	*list_r = list;
	return 0;
}

int store_find_ticket_by_msgid(struct store *store, const char *message_id, gint64 *ticket_r,
			       char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_ticket_by_msgid);

	if (store_bind_text(st, 1, message_id) != SQLITE_OK) {
		store_fail(store, "bind message-id", error_r);
		store_stmt_done(st);
		return -1;
	}
	return store_stmt_int64(store, st, "find ticket by message-id", ticket_r, error_r);
}

int store_message_count(struct store *store, gint64 *count_r, char **error_r)
{
	*count_r = 0;
	return store_stmt_int64(store, store_stmt(store, STMT_message_count), "count messages",
				count_r, error_r) < 0
		   ? -1
		   : 0;
}

int store_message_raw(struct store *store, gint64 row, GBytes **raw_r, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_message_raw);
	int ret = store_stmt_row_by_id(store, st, row, "read message", error_r);

	*raw_r = NULL;
	if (ret == 1) {
		*raw_r = g_bytes_new(sqlite3_column_blob(st, 0), (gsize)sqlite3_column_bytes(st, 0));
		store_stmt_done(st);
	}
	return ret;
}

int store_message_first_in(struct store *store, const char *message_id, gint64 *row_r,
			   char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_message_first_in);

	if (store_bind_text(st, 1, message_id) != SQLITE_OK) {
		store_fail(store, "bind message id", error_r);
		store_stmt_done(st);
		return -1;
	}
	return store_stmt_int64(store, st, "find message", row_r, error_r);
}
