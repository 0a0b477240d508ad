/* store-stmt: running the prepared statements of a connection — the one binder and the
 * bind+step+reset helpers — and reading their columns (stmt.c; depends on error.c only). */
#ifndef POSTDESK_STORE_STMT_H
#define POSTDESK_STORE_STMT_H

#include "store-private.h"

/* ---- the binder ----
 * Every statement is run through one of the helpers below, which bind its values in one
 * place (stmt.c), step it and reset it. The values are a compound literal of tagged values,
 * one per parameter in statements.def, in order:
 *
 *	store_run(store, STMT_tag_add, SV_ARGS(SV_I(ticket_id), SV_T(tag)), "add tag", error_r)
 *
 * The tag is the C type (SV_I: an integer, SV_T: a string...), checked by the compiler; the
 * declared letter says how it binds (NULL for 0, '' for NULL...). The binder checks the
 * count and each tag against the declaration before binding anything, and a mismatch fails
 * the call with an error that names the statement (a programming error: the unit tests run
 * every statement). */

enum store_val_kind { STORE_VAL_INT, STORE_VAL_BOOL, STORE_VAL_TEXT, STORE_VAL_BLOB };

/* One parameter value. Strings and blobs are borrowed until the helper returns. */
struct store_val {
	enum store_val_kind kind;
	union {
		gint64 i;
		gboolean b;
		const char *t;
		struct {
			const void *data; /* NULL binds SQL NULL (unless zero) */
			gsize len;
			gboolean zero;    /* bind zeroblob(len): room for incremental blob I/O */
		} x;
	} u;
};

/* For letters i, n, m and l. */
#define SV_I(v) ((struct store_val){.kind = STORE_VAL_INT, .u.i = (v)})
/* For letter b. */
#define SV_B(v) ((struct store_val){.kind = STORE_VAL_BOOL, .u.b = (v) ? TRUE : FALSE})
/* For letters t and z. */
#define SV_T(v) ((struct store_val){.kind = STORE_VAL_TEXT, .u.t = (v)})
/* For letter x: len bytes at data. */
#define SV_X(data, len) ((struct store_val){.kind = STORE_VAL_BLOB, .u.x = {(data), (len), FALSE}})
/* For letter x: len zero bytes that take no memory, to be filled with sqlite3_blob_write(). */
#define SV_ZERO(len) ((struct store_val){.kind = STORE_VAL_BLOB, .u.x = {NULL, (len), TRUE}})

/* A GBytes as a blob value: NULL binds SQL NULL, an empty one a zero-length blob (whose
 * data pointer GLib may give as NULL). */
static inline struct store_val store_val_bytes(GBytes *bytes)
{
	gsize len = 0;
	const void *data = bytes != NULL ? g_bytes_get_data(bytes, &len) : NULL;

	return SV_X(bytes != NULL && data == NULL ? "" : data, len);
}
#define SV_BYTES(b) store_val_bytes(b)

/* The values of one call, counted by the compiler. */
struct store_args {
	const struct store_val *vals;
	size_t count;
};
#define SV_ARGS(...)                                                                               \
	((struct store_args){(const struct store_val[]){__VA_ARGS__},                              \
			     sizeof((const struct store_val[]){__VA_ARGS__}) /                     \
				 sizeof(struct store_val)})
/* For a statement without parameters. */
#define SV_NONE ((struct store_args){NULL, 0})

/* One row of a result, as the helpers hand it to the row readers: opaque, read only with the
 * store_column_* functions below (the backend seam: no row reader sees the backend's own
 * statement or result type). Borrowed: valid during the callback (or until the cursor's
 * next step). */
struct store_row;

/* A row turned into a new object (the helper's caller owns it). */
typedef gpointer store_row_fn(const struct store_row *st);
/* A row handed to a callback with its context; the row's columns are borrowed. */
typedef void store_each_fn(const struct store_row *st, void *ctx);

/* In all the helpers, op names the operation in the error ("op: sqlite message"); the
 * statement is reset when they return, so no statement keeps a read transaction open. */

/* Run a statement for its effect (a row it answers is ignored). 0 ok, -1 error. */
int store_run(struct store *store, enum store_stmt id, struct store_args args, const char *op,
	      char **error_r);
/* Same, returning the number of rows it inserted, updated or deleted (>= 0), -1 error. */
int store_run_changes(struct store *store, enum store_stmt id, struct store_args args,
		      const char *op, char **error_r);
/* Run an INSERT: 1 with the new row's id in *id_r, 0 when it inserted nothing (an ON
 * CONFLICT DO NOTHING that met its conflict; *id_r 0), -1 error. The one way to learn a new
 * row's id, so each backend finds it its own way (SQLite's last rowid; RETURNING). */
int store_insert(struct store *store, enum store_stmt id, struct store_args args, const char *op,
		 gint64 *id_r, char **error_r);
/* Whether no transaction is open on the connection (SQLite's autocommit mode). */
gboolean store_autocommit(struct store *store);
/* The integer in the first column of the first row: 1 with *value_r, 0 no row or a NULL
 * (*value_r untouched), -1 error. */
int store_int64(struct store *store, enum store_stmt id, struct store_args args, const char *op,
		gint64 *value_r, char **error_r);
/* The first row as an object made by row_fn: 1 with *row_r, 0 no row, -1 error. */
int store_one(struct store *store, enum store_stmt id, struct store_args args, store_row_fn *row_fn,
	      const char *op, gpointer *row_r, char **error_r);
/* Every row as an object made by row_fn: 0 with *list_r (a new GPtrArray freeing its
 * elements with free_fn), -1 error. */
int store_rows(struct store *store, enum store_stmt id, struct store_args args,
	       store_row_fn *row_fn, GDestroyNotify free_fn, const char *op, GPtrArray **list_r,
	       char **error_r);
/* Every row's first column as text ("" for NULL): 0 with a NULL-terminated *strv_r (free
 * with g_strfreev), -1 error. */
int store_strv(struct store *store, enum store_stmt id, struct store_args args, const char *op,
	       char ***strv_r, char **error_r);
/* Every row handed to fn(st, ctx): the number of rows (>= 0), -1 error (after the rows
 * read so far were handed over). */
int store_each(struct store *store, enum store_stmt id, struct store_args args, store_each_fn *fn,
	       void *ctx, const char *op, char **error_r);

/* ---- cursors ----
 * A statement stepped row by row by its caller while other statements run: several ordered
 * reads merged as they stream (report_rows.c). Open binds (NULL on error, error set); next
 * steps: 1 a row (columns borrowed until the next step), 0 the end, -1 error; close resets
 * the statement (so it keeps no read transaction open) and NULLs the pointer. */
struct store_row *store_cursor_open(struct store *store, enum store_stmt id,
				   struct store_args args, const char *op, char **error_r);
int store_cursor_next(struct store *store, struct store_row *cur, const char *op,
		      char **error_r);
void store_cursor_close(struct store_row **cur);

/* ---- reading columns ----
 * Columns count from 0. Text is UTF-8; an integer column read as text gives its digits. */

/* Whether the column is SQL NULL. */
gboolean store_column_null(const struct store_row *st, int col);
/* An integer column; 0 for SQL NULL. */
gint64 store_column_int64(const struct store_row *st, int col);
/* The same as an int (counts, scores, flags: values that fit). */
int store_column_int(const struct store_row *st, int col);
/* A text column, borrowed like the row; NULL for SQL NULL. */
const char *store_column_text(const struct store_row *st, int col);
/* g_strdup of a text column; NULL for SQL NULL. */
char *store_column_dup(const struct store_row *st, int col);
/* A blob column as new bytes (the caller owns them); empty for SQL NULL. */
GBytes *store_column_bytes(const struct store_row *st, int col);

/* Apply a setting PRAGMA of statements.def now: SQLite applies those when preparing, so
 * the copy prepared at open may have been overridden by another setting of the same
 * pragma (statements.def says which). */
int store_setting(struct store *store, enum store_stmt id, char **error_r);

#endif
