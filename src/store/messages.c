/* messages: stored messages (raw bytes included) and their attachment rows. Insertion is
 * idempotent on (message_id, rcpt), so an LMTP retry after a crash stores nothing twice.
 * raw is stored as the caller gives it (new rows: compressed by lib/zip.c in the session
 * thread); every read here gives back the original bytes (zip_ expands marked values,
 * unmarked ones from before compression pass as they are).
 * A big message's raw bytes go from its spool file into the row and back out in chunks
 * (zeroblob, then incremental blob I/O), never whole in memory; that relies on raw being
 * the last column of messages (SQLite keeps a trailing zeroblob unexpanded).
 * Returned structs are owned by the caller; same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"

#include <string.h>

/* Bytes per step of incremental blob I/O. */
#define MESSAGE_BLOB_CHUNK (256 * 1024)

static int insert_attachments(struct store *store, gint64 row, const GPtrArray *attachments,
			      char **error_r)
{
	guint i;

	for (i = 0; attachments != NULL && i < attachments->len; i++) {
		const struct store_attachment *a = g_ptr_array_index(attachments, i);

		if (store_run(
			store, STMT_attachment_insert,
			SV_ARGS(SV_I(row), SV_T(a->filename), SV_T(a->content_type), SV_I(a->size)),
			"insert attachment", error_r) < 0)
			return -1;
	}
	return 0;
}

struct key_row {
	gint64 *row_r;
	gint64 *ticket_r;
};

static void key_row(const struct store_row *st, void *ctx)
{
	struct key_row *k = ctx;

	*k->row_r = store_column_int64(st, 0);
	*k->ticket_r = store_column_int64(st, 1); /* NULL reads as 0 */
}

int store_message_find(struct store *store, const char *message_id, const char *rcpt, gint64 *row_r,
		       gint64 *ticket_r, char **error_r)
{
	struct key_row k = {row_r, ticket_r};
	int rows = store_each(store, STMT_message_by_key, SV_ARGS(SV_T(message_id), SV_T(rcpt)),
			      key_row, &k, "find message", error_r);

	return rows < 0 ? -1 : rows > 0 ? 1 : 0;
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

/* Copy len bytes of fd into the zeroblob of message row `row`, a chunk at a time. */
static int raw_from_fd(struct store *store, gint64 row, int fd, gsize len, char **error_r)
{
	sqlite3_blob *blob = NULL;
	char *buf, *error = NULL;
	gsize off = 0;
	int ret = 0;

	if (sqlite3_blob_open(store->db, "main", "messages", "raw", row, 1, &blob) != SQLITE_OK) {
		ret = store_fail(store, "open message blob", error_r);
		(void)sqlite3_blob_close(blob); /* NULL or a half-opened handle */
		return ret;
	}
	buf = g_malloc(MESSAGE_BLOB_CHUNK);
	while (off < len && ret == 0) {
		gsize n = MIN((gsize)MESSAGE_BLOB_CHUNK, len - off);

		if (spool_read_at(fd, off, buf, n, &error) < 0) {
			ret = store_fail_other(store, error_r, "message row %" G_GINT64_FORMAT ": %s",
					       row, error);
			g_free(error);
		} else if (sqlite3_blob_write(blob, buf, (int)n, (int)off) != SQLITE_OK) {
			ret = store_fail(store, "write message blob", error_r);
		}
		off += n;
	}
	g_free(buf);
	if (sqlite3_blob_close(blob) != SQLITE_OK && ret == 0)
		ret = store_fail(store, "close message blob", error_r);
	return ret;
}

/* PostgreSQL has no incremental blob I/O: a spooled message is read whole and bound as
 * bytes. *raw_r: a new GBytes. */
static int raw_of_fd(struct store *store, int fd, gsize len, GBytes **raw_r, char **error_r)
{
	char *buf = g_malloc(len), *error = NULL;

	if (spool_read_at(fd, 0, buf, len, &error) < 0) {
		g_free(buf);
		store_fail_other(store, error_r, "read the spooled message: %s", error);
		g_free(error);
		return -1;
	}
	*raw_r = g_bytes_new_take(buf, len);
	return 0;
}

/* PostgreSQL: the whole row, expanded, in one piece. */
static int raw_read_whole(struct store *store, gint64 row, store_chunk_fn *fn, void *ctx,
			  char **error_r)
{
	GBytes *raw = NULL;
	int ret = store_message_raw(store, row, &raw, error_r);
	gsize len = 0;
	const void *data;

	if (ret == 1) {
		data = g_bytes_get_data(raw, &len);
		if (len > 0)
			fn(data, len, ctx);
		g_bytes_unref(raw);
	}
	return ret;
}

/* The row's blob a chunk at a time through zip's expanding stream into fn. */
int store_message_raw_read(struct store *store, gint64 row, store_chunk_fn *fn, void *ctx,
			   char **error_r)
{
	sqlite3_blob *blob = NULL;
	struct zip_stream *z;
	char *buf, *error = NULL;
	int len, off = 0, ret = 1;

	if (store->pg != NULL)
		return raw_read_whole(store, row, fn, ctx, error_r);
	if (sqlite3_blob_open(store->db, "main", "messages", "raw", row, 0, &blob) != SQLITE_OK) {
		/* no such row is "not found", not an error */
		gboolean missing = (sqlite3_errcode(store->db) & 0xff) == SQLITE_ERROR &&
				   g_str_has_prefix(sqlite3_errmsg(store->db), "no such rowid");

		ret = missing ? 0 : store_fail(store, "open message blob", error_r);
		(void)sqlite3_blob_close(blob);
		return ret;
	}
	len = sqlite3_blob_bytes(blob);
	buf = g_malloc(MESSAGE_BLOB_CHUNK);
	z = zip_stream_new(FALSE, fn, ctx);
	while (off < len && ret == 1) {
		int n = MIN(MESSAGE_BLOB_CHUNK, len - off);

		if (sqlite3_blob_read(blob, buf, n, off) != SQLITE_OK)
			ret = store_fail(store, "read message blob", error_r);
		else if (zip_stream_write(z, buf, (gsize)n, &error) < 0)
			ret = -1;
		off += n;
	}
	if (ret == 1 && zip_stream_finish(z, &error) < 0)
		ret = -1;
	if (error != NULL) {
		ret = store_fail_other(store, error_r, "message row %" G_GINT64_FORMAT ": %s", row,
				       error);
		g_free(error);
	}
	zip_stream_free(&z);
	g_free(buf);
	(void)sqlite3_blob_close(blob);
	return ret;
}

/* The ticket's message count, the time of its first agent answer and the report's figures
 * (migration 14): an agent answer ends the customer's wait (a reply_waits row). */
static int count_message(struct store *store, const struct store_message *m, gint64 row, gint64 now,
			 char **error_r)
{
	gboolean answer = g_strcmp0(m->direction, "out") == 0 && g_strcmp0(m->kind, "agent") == 0;
	gboolean customer =
	    g_strcmp0(m->direction, "in") == 0 && g_strcmp0(m->kind, "customer") == 0;

	if (answer &&
	    store_run(store, STMT_reply_wait_add, SV_ARGS(SV_I(m->ticket_id), SV_I(row), SV_I(now)),
		      "record the answered wait", error_r) < 0)
		return -1;
	return store_run(store, STMT_ticket_count_message,
			 SV_ARGS(SV_I(m->ticket_id), SV_B(answer), SV_I(now), SV_B(customer)),
			 "count the ticket's message", error_r);
}

/* No raw stays NULL (the NOT NULL constraint refuses it); an empty one is a zero-length
 * blob. A spooled one (raw_fd_len) is inserted as a zeroblob and filled from its file. */
int store_message_insert(struct store *store, const struct store_message *m, gint64 now,
			 gint64 *id_r, char **error_r)
{
	gboolean from_fd = m->raw == NULL && m->raw_fd_len > 0;
	GBytes *whole = NULL;
	int changed;

	if (from_fd && store->pg != NULL) {
		if (raw_of_fd(store, m->raw_fd, m->raw_fd_len, &whole, error_r) < 0)
			return -1;
		from_fd = FALSE;
	}
	changed = store_insert(
	    store, STMT_message_insert,
	    SV_ARGS(SV_I(m->ticket_id), SV_T(m->direction), SV_T(m->kind), SV_T(m->message_id),
		    SV_T(m->rcpt), SV_T(m->env_sender), SV_T(m->from_addr), SV_T(m->from_name),
		    SV_T(m->subject), SV_I(m->date), SV_I(now), SV_T(m->body), SV_T(m->flags),
		    from_fd ? SV_ZERO(m->raw_fd_len) : SV_BYTES(whole != NULL ? whole : m->raw)),
	    "insert message", id_r, error_r);
	if (whole != NULL)
		g_bytes_unref(whole);
	if (changed < 0)
		return -1;
	/* ON CONFLICT DO NOTHING changed no row: a redelivery. */
	if (changed == 0)
		return find_existing(store, m, id_r, error_r);
	if (from_fd && raw_from_fd(store, *id_r, m->raw_fd, m->raw_fd_len, error_r) < 0)
		return -1;
	if (insert_attachments(store, *id_r, m->attachments, error_r) < 0)
		return -1;
	if (m->ticket_id == 0)
		return 0;
	return count_message(store, m, *id_r, now, error_r);
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
static struct store_message *message_from_row(const struct store_row *st, gboolean with_raw)
{
	struct store_message *m = g_new0(struct store_message, 1);

	m->id = store_column_int64(st, 0);
	m->ticket_id = store_column_int64(st, 1);
	m->direction = store_column_dup(st, 2);
	m->kind = store_column_dup(st, 3);
	m->message_id = store_column_dup(st, 4);
	m->rcpt = store_column_dup(st, 5);
	m->env_sender = store_column_dup(st, 6);
	m->from_addr = store_column_dup(st, 7);
	m->from_name = store_column_dup(st, 8);
	m->subject = store_column_dup(st, 9);
	m->date = store_column_int64(st, 10);
	m->created = store_column_int64(st, 11);
	m->body = store_column_dup(st, 12);
	m->flags = store_column_dup(st, 13);
	if (with_raw)
		m->raw = store_column_bytes(st, 14);
	m->attachments = g_ptr_array_new_with_free_func(attachment_free);
	return m;
}

struct message_rows {
	GPtrArray *list;
	gboolean with_raw;
};

static void message_row(const struct store_row *st, void *ctx)
{
	struct message_rows *r = ctx;

	g_ptr_array_add(r->list, message_from_row(st, r->with_raw));
}

/* Attachments of all the ticket's messages come in one query, ordered like the messages,
 * so one forward walk hands each to its message. */
struct attachment_walk {
	GPtrArray *list;
	guint i;
};

static void attachment_row(const struct store_row *st, void *ctx)
{
	struct attachment_walk *w = ctx;
	gint64 row = store_column_int64(st, 0);
	struct store_message *m = NULL;
	struct store_attachment *a;

	while (w->i < w->list->len && (m = g_ptr_array_index(w->list, w->i))->id < row)
		w->i++;
	if (w->i == w->list->len || m->id != row)
		return; /* its message was committed after our first query */
	a = g_new0(struct store_attachment, 1);
	a->filename = store_column_dup(st, 1);
	a->content_type = store_column_dup(st, 2);
	a->size = store_column_int64(st, 3);
	g_ptr_array_add(m->attachments, a);
}

/* The original bytes of every listed message's raw. */
static int expand_list_raw(struct store *store, GPtrArray *list, char **error_r)
{
	char *error = NULL;
	guint i;

	for (i = 0; i < list->len; i++) {
		struct store_message *m = g_ptr_array_index(list, i);

		if (zip_expand_bytes(&m->raw, &error) < 0) {
			store_fail_other(store, error_r, "message row %" G_GINT64_FORMAT ": %s",
					 m->id, error);
			g_free(error);
			return -1;
		}
	}
	return 0;
}

int store_message_list(struct store *store, gint64 ticket_id, gboolean with_raw, GPtrArray **list_r,
		       char **error_r)
{
	struct message_rows r = {g_ptr_array_new_with_free_func(message_free_ptr), with_raw};
	struct attachment_walk w = {r.list, 0};

	*list_r = NULL;
	if (store_each(store, STMT_message_list, SV_ARGS(SV_I(ticket_id), SV_B(with_raw)),
		       message_row, &r, "list messages", error_r) < 0 ||
	    store_each(store, STMT_attachment_list, SV_ARGS(SV_I(ticket_id)), attachment_row, &w,
		       "list attachments", error_r) < 0) {
		g_ptr_array_unref(r.list);
		return -1;
	}
	if (with_raw && expand_list_raw(store, r.list, error_r) < 0) {
		g_ptr_array_unref(r.list);
		return -1;
	}
	*list_r = r.list;
	return 0;
}

int store_find_ticket_by_msgid(struct store *store, const char *message_id, gint64 *ticket_r,
			       char **error_r)
{
	return store_int64(store, STMT_ticket_by_msgid, SV_ARGS(SV_T(message_id)),
			   "find ticket by message-id", ticket_r, error_r);
}

int store_message_count(struct store *store, gint64 *count_r, char **error_r)
{
	*count_r = 0;
	return store_int64(store, STMT_message_count, SV_NONE, "count messages", count_r, error_r) <
		       0
		   ? -1
		   : 0;
}

/* blob() before bytes(), as the SQLite docs ask. */
static gpointer raw_from_row(const struct store_row *st)
{
	return store_column_bytes(st, 0);
}

int store_message_raw(struct store *store, gint64 row, GBytes **raw_r, char **error_r)
{
	gpointer raw = NULL;
	int ret = store_one(store, STMT_message_raw, SV_ARGS(SV_I(row)), raw_from_row,
			    "read message", &raw, error_r);
	char *error = NULL;

	*raw_r = raw;
	if (ret == 1 && zip_expand_bytes(raw_r, &error) < 0) {
		g_clear_pointer(raw_r, g_bytes_unref);
		ret = store_fail_other(store, error_r, "message row %" G_GINT64_FORMAT ": %s", row,
				       error);
		g_free(error);
	}
	return ret;
}

int store_message_first_in(struct store *store, const char *message_id, gint64 *row_r,
			   char **error_r)
{
	return store_int64(store, STMT_message_first_in, SV_ARGS(SV_T(message_id)), "find message",
			   row_r, error_r);
}
