/* store-private: what the store's own .c files share — the connection struct, the ids of
 * the prepared statements (from statements.def) and the error/step helpers. Not installed,
 * not included outside src/store/ (and the store's unit test). */
#ifndef POSTDESK_STORE_PRIVATE_H
#define POSTDESK_STORE_PRIVATE_H

#include "postdesk/store.h"

#include <sqlite3.h>

enum store_stmt {
#define STMT(name, params, columns, sql) STMT_##name,
#include "statements.def"
#undef STMT
	STMT_COUNT
};
/* Statements listed before customer_upsert in statements.def touch no table: they are
 * prepared first, to set up the connection and run the migrations. */
#define STMT_FIRST_SCHEMA STMT_customer_upsert

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT_COUNT];
	enum store_err last_err;
	gboolean readonly;
};

/* The declaration of statement id in statements.def (tables in statements.c): its name,
 * SQL text, and the type letters of its parameters and result columns. Static strings. */
const char *store_stmt_name(enum store_stmt id);
const char *store_stmt_sql(enum store_stmt id);
const char *store_stmt_params(enum store_stmt id);
const char *store_stmt_columns(enum store_stmt id);

/* Record a failure of operation op: sets store->last_err from the connection's last result
 * code and *error_r to "op: sqlite message". Returns -1. */
int store_fail(struct store *store, const char *op, char **error_r);
/* A failure that is not SQLite's (bad argument, missing row): STORE_ERR_OTHER. Returns -1. */
int store_fail_other(struct store *store, char **error_r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

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

/* Group a function's several writes (atomic_begin/release/rollback_to statements): inside
 * the caller's transaction a nested savepoint, in autocommit mode a transaction of its own,
 * so callers need not know. store_atomic_end(ok = FALSE) undoes the work (never fails: an
 * error is logged, the caller is already failing); with ok = TRUE it keeps it and returns
 * -1 if that fails (then the work is undone too). */
int store_atomic_begin(struct store *store, char **error_r);
int store_atomic_end(struct store *store, gboolean ok, char **error_r);

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

/* Bring a read-write connection to the newest schema (migrations.c). */
int store_migrate(struct store *store, char **error_r);
/* The script of migration `version` (user_version included), NULL if there is none. For
 * tests that build a database as an older release left it. */
const char *store_migration_sql(int version);

#endif
