/* outbox: every outbound mail is a row first, written in the transaction of the event that
 * caused it; postdesk-notifyd takes the due rows, sends them, and marks each sent, deferred
 * (with backoff) or failed. A sent row is final: nothing here queues it again, so a mail the
 * relay accepted is never sent twice. Envelope recipients are stored joined by "\n".
 * Returned structs are owned by the caller; same threading as the connection. */
#include "config.h"
#include "store-error.h"
#include "store-stmt.h"

#include <string.h>

/* Each recipient must survive the "\n" join and split unchanged: none may be empty or hold
 * a line break (which no envelope address can contain anyway). */
static int rcpts_join(struct store *store, const char *const *rcpts, char **joined_r,
		      char **error_r)
{
	size_t i;

	*joined_r = NULL;
	if (rcpts == NULL || rcpts[0] == NULL)
		return store_fail_other(store, error_r, "queue mail: no recipient");
	for (i = 0; rcpts[i] != NULL; i++) {
		if (*rcpts[i] == '\0' || strpbrk(rcpts[i], "\r\n") != NULL)
			return store_fail_other(store, error_r, "queue mail: bad recipient \"%s\"",
						rcpts[i]);
	}
	*joined_r = g_strjoinv("\n", (char **)rcpts);
	return 0;
}

static int bind_outbox(sqlite3_stmt *st, gint64 ticket_id, const char *kind, const char *rcpts,
		       const char *message_id, const char *raw, gsize len, gint64 now)
{
	int rc;

	if ((rc = store_bind_id_or_null(st, 1, ticket_id)) != SQLITE_OK ||
	    (rc = store_bind_text_or_null(st, 2, kind)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 3, rcpts)) != SQLITE_OK ||
	    (rc = store_bind_text_or_null(st, 4, message_id)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(st, 6, now)) != SQLITE_OK)
		return rc;
	/* As for messages: an empty body is a zero-length blob, never NULL. */
	if (len == 0)
		return sqlite3_bind_zeroblob(st, 5, 0);
	return sqlite3_bind_blob64(st, 5, raw, len, SQLITE_STATIC);
}

int store_outbox_add(struct store *store, gint64 ticket_id, const char *kind,
		     const char *const *rcpts, const char *message_id, const char *raw, gsize len,
		     gint64 now, gint64 *id_r, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_outbox_insert);
	char *joined;
	int ret;

	if (raw == NULL)
		return store_fail_other(store, error_r, "queue mail: no message");
	if (rcpts_join(store, rcpts, &joined, error_r) < 0)
		return -1;
	if (bind_outbox(st, ticket_id, kind, joined, message_id, raw, len, now) != SQLITE_OK) {
		ret = store_fail(store, "bind outbox", error_r);
		store_stmt_done(st);
	} else {
		ret = store_stmt_run(store, st, "queue mail", error_r);
	}
	g_free(joined);
	if (ret == 0)
		*id_r = sqlite3_last_insert_rowid(store->db);
	return ret;
}

/* ---- reads ---- */

void store_outbox_free(struct store_outbox **op)
{
	struct store_outbox *o = *op;

	if (o == NULL)
		return;
	*op = NULL;
	g_free(o->kind);
	g_strfreev(o->rcpts);
	g_free(o->message_id);
	g_free(o->status);
	g_free(o->last_error);
	if (o->raw != NULL)
		g_bytes_unref(o->raw);
	g_free(o);
}

static void outbox_free_ptr(gpointer p)
{
	struct store_outbox *o = p;

	store_outbox_free(&o);
}

/* Column order of outbox_due / outbox_get / outbox_list; raw (11) only in outbox_due. */
static struct store_outbox *outbox_from_row(sqlite3_stmt *st)
{
	struct store_outbox *o = g_new0(struct store_outbox, 1);
	const unsigned char *rcpts = sqlite3_column_text(st, 3);

	o->id = sqlite3_column_int64(st, 0);
	o->ticket_id = sqlite3_column_int64(st, 1); /* NULL reads as 0 */
	o->kind = store_column_dup(st, 2);
	o->rcpts = g_strsplit(rcpts != NULL ? (const char *)rcpts : "", "\n", -1);
	o->message_id = store_column_dup(st, 4);
	o->status = store_column_dup(st, 5);
	o->attempts = sqlite3_column_int64(st, 6);
	o->next_attempt = sqlite3_column_int64(st, 7);
	o->last_error = store_column_dup(st, 8);
	o->created = sqlite3_column_int64(st, 9);
	o->sent_at = sqlite3_column_int64(st, 10);
	return o;
}

static gpointer outbox_row(sqlite3_stmt *st)
{
	return outbox_from_row(st);
}

static gpointer outbox_row_raw(sqlite3_stmt *st)
{
	struct store_outbox *o = outbox_from_row(st);
	/* blob() before bytes(), as the SQLite docs ask. */
	const void *raw = sqlite3_column_blob(st, 11);

	o->raw = g_bytes_new(raw, (gsize)sqlite3_column_bytes(st, 11));
	return o;
}

/* limit <= 0: all due rows. */
int store_outbox_due(struct store *store, gint64 now, int limit, GPtrArray **list_r, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_outbox_due);

	*list_r = NULL;
	if (sqlite3_bind_int64(st, 1, now) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, limit > 0 ? limit : -1) != SQLITE_OK) {
		store_fail(store, "bind outbox due", error_r);
		store_stmt_done(st);
		return -1;
	}
	return store_stmt_rows(store, st, outbox_row_raw, outbox_free_ptr, "list due mail", list_r,
			       error_r);
}

int store_outbox_next_due(struct store *store, gint64 *when_r, char **error_r)
{
	return store_stmt_int64(store, store_stmt(store, STMT_outbox_next_due), "next due mail",
				when_r, error_r);
}

int store_outbox_get(struct store *store, gint64 id, struct store_outbox **o_r, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_outbox_get);
	int rc, ret = 0;

	*o_r = NULL;
	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK) {
		ret = store_fail(store, "bind outbox", error_r);
	} else if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*o_r = outbox_from_row(st);
		ret = 1;
	} else if (rc != SQLITE_DONE) {
		ret = store_fail(store, "read outbox", error_r);
	}
	store_stmt_done(st);
	return ret;
}

int store_outbox_list(struct store *store, const char *status, int limit, GPtrArray **list_r,
		      char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_outbox_list);

	*list_r = NULL;
	if (store_bind_text_or_null(st, 1, status) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, limit > 0 ? limit : -1) != SQLITE_OK) {
		store_fail(store, "bind outbox list", error_r);
		store_stmt_done(st);
		return -1;
	}
	return store_stmt_rows(store, st, outbox_row, outbox_free_ptr, "list outbox", list_r,
			       error_r);
}

/* ---- state changes ---- */

/* Run a bound UPDATE of one row. No row changed: the id is wrong or the row was already
 * sent — an error for the sender, which holds an id it took from outbox_due. */
static int update_row(struct store *store, sqlite3_stmt *st, gint64 id, const char *op,
		      char **error_r)
{
	if (store_stmt_run(store, st, op, error_r) < 0)
		return -1;
	if (sqlite3_changes(store->db) == 0)
		return store_fail_other(store, error_r,
					"%s: no unsent outbox row %" G_GINT64_FORMAT, op, id);
	return 0;
}

int store_outbox_mark_sent(struct store *store, gint64 id, gint64 now, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_outbox_mark_sent);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now) != SQLITE_OK) {
		store_fail(store, "bind outbox sent", error_r);
		store_stmt_done(st);
		return -1;
	}
	return update_row(store, st, id, "mark mail sent", error_r);
}

int store_outbox_defer(struct store *store, gint64 id, gint64 next_attempt, const char *error,
		       char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_outbox_defer);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, next_attempt) != SQLITE_OK ||
	    store_bind_text(st, 3, error) != SQLITE_OK) {
		store_fail(store, "bind outbox defer", error_r);
		store_stmt_done(st);
		return -1;
	}
	return update_row(store, st, id, "defer mail", error_r);
}

int store_outbox_mark_failed(struct store *store, gint64 id, const char *error, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_outbox_mark_failed);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    store_bind_text(st, 2, error) != SQLITE_OK) {
		store_fail(store, "bind outbox failed", error_r);
		store_stmt_done(st);
		return -1;
	}
	return update_row(store, st, id, "mark mail failed", error_r);
}

int store_outbox_retry(struct store *store, gint64 id, gint64 now, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_outbox_retry);

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, now) != SQLITE_OK) {
		store_fail(store, "bind outbox retry", error_r);
		store_stmt_done(st);
		return -1;
	}
	if (store_stmt_run(store, st, "retry mail", error_r) < 0)
		return -1;
	return sqlite3_changes(store->db) > 0 ? 1 : 0;
}
