/* store-stmt: the prepared statements of a connection — borrow, bind, step, reset — and
 * reading their columns (stmt.c; depends on error.c only). */
#ifndef POSTDESK_STORE_STMT_H
#define POSTDESK_STORE_STMT_H

#include "store-private.h"

/* The prepared statement id, ready to bind. Pair every use with store_stmt_done(). */
sqlite3_stmt *store_stmt(struct store *store, enum store_stmt id);
/* Reset and clear the bindings, so no statement keeps a read transaction open. */
void store_stmt_done(sqlite3_stmt *st);
/* Step a bound statement that returns no row, then reset it. 0 ok, -1 error (op names it). */
int store_stmt_run(struct store *store, sqlite3_stmt *st, const char *op, char **error_r);
/* Step a bound statement expected to return at most one row whose first column is an
 * integer: 1 with *value_r, 0 no row, -1 error. Resets it. */
int store_stmt_int64(struct store *store, sqlite3_stmt *st, const char *op, gint64 *value_r,
		     char **error_r);

/* Step a bound statement to the end, turning each row into an element with row_fn; then
 * reset it. 0 with *list_r (a new GPtrArray freeing with free_fn), -1 error. */
int store_stmt_rows(struct store *store, sqlite3_stmt *st, gpointer (*row_fn)(sqlite3_stmt *),
		    GDestroyNotify free_fn, const char *op, GPtrArray **list_r, char **error_r);
/* Same, for a statement with one text column: 0 with a NULL-terminated *strv_r. */
int store_stmt_strv(struct store *store, sqlite3_stmt *st, const char *op, char ***strv_r,
		    char **error_r);

/* Bind id to ?1 and step: 1 a row is ready (read it, then store_stmt_done()), 0 no row
 * and -1 error (the statement is reset in both cases). */
int store_stmt_row_by_id(struct store *store, sqlite3_stmt *st, gint64 id, const char *op,
			 char **error_r);

/* Bind helpers: NULL text binds "" (for NOT NULL DEFAULT '' columns) / SQL NULL. */
int store_bind_text(sqlite3_stmt *st, int idx, const char *s);
int store_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s);
/* 0 binds SQL NULL (an unset reference). */
int store_bind_id_or_null(sqlite3_stmt *st, int idx, gint64 id);
/* g_strdup of a text column; NULL for SQL NULL. */
char *store_column_dup(sqlite3_stmt *st, int col);

#endif
