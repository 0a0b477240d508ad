/* outbox: every outbound mail is a row first, written in the transaction of the event that
 * caused it; postdesk-notifyd takes the due rows, sends them, and marks each sent, deferred
 * (with backoff) or failed. A sent row is final: nothing here queues it again, so a mail the
 * relay accepted is never sent twice. Envelope recipients are stored joined by "\n".
 * raw is stored as given (compose compresses it, lib/zip.c); reads give the original bytes.
 * Returned structs are owned by the caller; same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
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

static int outbox_insert(struct store *store, gint64 ticket_id, const char *kind,
			 const char *const *rcpts, const char *message_id, const char *raw,
			 gsize len, gint64 message_row, gint64 now, gint64 *id_r, char **error_r)
{
	char *joined;
	int ret;

	if (rcpts_join(store, rcpts, &joined, error_r) < 0)
		return -1;
	ret = store_insert(store, STMT_outbox_insert,
			   SV_ARGS(SV_I(ticket_id), SV_T(kind), SV_T(joined), SV_T(message_id),
				   SV_X(raw, len), SV_I(now), SV_I(message_row)),
			   "queue mail", id_r, error_r);
	g_free(joined);
	return ret < 0 ? -1 : 0;
}

/* As for messages: an empty body is a zero-length blob, never NULL. */
int store_outbox_add(struct store *store, gint64 ticket_id, const char *kind,
		     const char *const *rcpts, const char *message_id, const char *raw, gsize len,
		     gint64 now, gint64 *id_r, char **error_r)
{
	if (raw == NULL)
		return store_fail_other(store, error_r, "queue mail: no message");
	return outbox_insert(store, ticket_id, kind, rcpts, message_id, raw, len, 0, now, id_r,
			     error_r);
}

int store_outbox_add_stored(struct store *store, gint64 ticket_id, const char *kind,
			    const char *const *rcpts, const char *message_id, gint64 message_row,
			    gint64 now, gint64 *id_r, char **error_r)
{
	if (message_row <= 0)
		return store_fail_other(store, error_r, "queue mail: no stored message");
	return outbox_insert(store, ticket_id, kind, rcpts, message_id, "", 0, message_row, now,
			     id_r, error_r);
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
	g_free(o->done);
	if (o->raw != NULL)
		g_bytes_unref(o->raw);
	g_free(o);
}

static void outbox_free_ptr(gpointer p)
{
	struct store_outbox *o = p;

	store_outbox_free(&o);
}

/* Column order of outbox_due / outbox_get / outbox_list; raw (12) only in outbox_due. */
static gpointer outbox_from_row(const struct store_row *st)
{
	struct store_outbox *o = g_new0(struct store_outbox, 1);
	const char *rcpts = store_column_text(st, 3);

	o->id = store_column_int64(st, 0);
	o->ticket_id = store_column_int64(st, 1); /* NULL reads as 0 */
	o->kind = store_column_dup(st, 2);
	o->rcpts = g_strsplit(rcpts != NULL ? rcpts : "", "\n", -1);
	o->message_id = store_column_dup(st, 4);
	o->status = store_column_dup(st, 5);
	o->attempts = store_column_int64(st, 6);
	o->next_attempt = store_column_int64(st, 7);
	o->last_error = store_column_dup(st, 8);
	o->created = store_column_int64(st, 9);
	o->sent_at = store_column_int64(st, 10);
	o->done = store_column_dup(st, 11);
	return o;
}

static gpointer outbox_row_raw(const struct store_row *st)
{
	struct store_outbox *o = outbox_from_row(st);

	o->raw = store_column_bytes(st, 12);
	return o;
}

/* limit <= 0: all due rows. */
int store_outbox_due(struct store *store, gint64 now, int limit, GPtrArray **list_r, char **error_r)
{
	char *error = NULL;
	guint i;

	if (store_rows(store, STMT_outbox_due, SV_ARGS(SV_I(now), SV_I(limit)), outbox_row_raw,
		       outbox_free_ptr, "list due mail", list_r, error_r) < 0)
		return -1;
	/* The bytes as they go to the relay: compressed rows expanded (lib/zip.c). */
	for (i = 0; i < (*list_r)->len; i++) {
		struct store_outbox *o = g_ptr_array_index(*list_r, i);

		if (zip_expand_bytes(&o->raw, &error) < 0) {
			store_fail_other(store, error_r, "outbox row %" G_GINT64_FORMAT ": %s",
					 o->id, error);
			g_free(error);
			g_clear_pointer(list_r, g_ptr_array_unref);
			return -1;
		}
	}
	return 0;
}

int store_outbox_next_due(struct store *store, gint64 *when_r, char **error_r)
{
	return store_int64(store, STMT_outbox_next_due, SV_NONE, "next due mail", when_r, error_r);
}

int store_outbox_get(struct store *store, gint64 id, struct store_outbox **o_r, char **error_r)
{
	gpointer o = NULL;
	int ret = store_one(store, STMT_outbox_get, SV_ARGS(SV_I(id)), outbox_from_row,
			    "read outbox", &o, error_r);

	*o_r = o;
	return ret;
}

int store_outbox_list(struct store *store, const char *status, int limit, GPtrArray **list_r,
		      char **error_r)
{
	return store_rows(store, STMT_outbox_list, SV_ARGS(SV_T(status), SV_I(limit)),
			  outbox_from_row, outbox_free_ptr, "list outbox", list_r, error_r);
}

int store_outbox_page(struct store *store, const char *status, gint64 before, gint64 limit,
		      GPtrArray **list_r, char **error_r)
{
	return store_rows(store, STMT_outbox_page,
			  SV_ARGS(SV_T(status), SV_I(limit), SV_I(before > 0 ? before : G_MAXINT64)),
			  outbox_from_row, outbox_free_ptr, "list outbox", list_r, error_r);
}

/* ---- state changes ---- */

/* Run an UPDATE of one row. No row changed: the id is wrong or the row was already
 * sent — an error for the sender, which holds an id it took from outbox_due. */
static int update_row(struct store *store, enum store_stmt stmt, struct store_args args, gint64 id,
		      const char *op, char **error_r)
{
	int changed = store_run_changes(store, stmt, args, op, error_r);

	if (changed < 0)
		return -1;
	if (changed == 0)
		return store_fail_other(store, error_r,
					"%s: no unsent outbox row %" G_GINT64_FORMAT, op, id);
	return 0;
}

int store_outbox_mark_sent(struct store *store, gint64 id, gint64 now, char **error_r)
{
	return update_row(store, STMT_outbox_mark_sent, SV_ARGS(SV_I(id), SV_I(now)), id,
			  "mark mail sent", error_r);
}

int store_outbox_defer(struct store *store, gint64 id, gint64 next_attempt, const char *error,
		       char **error_r)
{
	return update_row(store, STMT_outbox_defer,
			  SV_ARGS(SV_I(id), SV_I(next_attempt), SV_T(error)), id, "defer mail",
			  error_r);
}

int store_outbox_mark_failed(struct store *store, gint64 id, const char *error, char **error_r)
{
	return update_row(store, STMT_outbox_mark_failed, SV_ARGS(SV_I(id), SV_T(error)), id,
			  "mark mail failed", error_r);
}

int store_outbox_set_done(struct store *store, gint64 id, const char *done, char **error_r)
{
	return update_row(store, STMT_outbox_set_done, SV_ARGS(SV_I(id), SV_T(done)), id,
			  "record mail progress", error_r);
}

int store_outbox_retry(struct store *store, gint64 id, gint64 now, char **error_r)
{
	int changed = store_run_changes(store, STMT_outbox_retry, SV_ARGS(SV_I(id), SV_I(now)),
					"retry mail", error_r);

	return changed < 0 ? -1 : changed > 0 ? 1 : 0;
}

static gpointer raw_from_row(const struct store_row *st)
{
	return store_column_bytes(st, 0);
}

int store_outbox_raw(struct store *store, gint64 id, GBytes **raw_r, char **error_r)
{
	gpointer raw = NULL;
	int ret = store_one(store, STMT_outbox_raw, SV_ARGS(SV_I(id)), raw_from_row,
			    "read outbox mail", &raw, error_r);
	char *error = NULL;

	*raw_r = raw;
	if (ret == 1 && zip_expand_bytes(raw_r, &error) < 0) {
		g_clear_pointer(raw_r, g_bytes_unref);
		ret = store_fail_other(store, error_r, "outbox row %" G_GINT64_FORMAT ": %s", id,
				       error);
		g_free(error);
	}
	return ret;
}
