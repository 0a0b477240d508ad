/* store-private: what the store's own .c files share — the connection struct, the ids of
 * the prepared statements (from statements.def) and the error/step helpers. Not installed,
 * not included outside src/store/ (and the store's unit test). */
#ifndef POSTDESK_STORE_PRIVATE_H
#define POSTDESK_STORE_PRIVATE_H

#include "postdesk/store.h"

#include <sqlite3.h>

enum store_stmt {
#define STMT(name, sql) STMT_##name,
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

/* SQL text of a statement (for the few run before the whole set is prepared). */
const char *store_stmt_sql(enum store_stmt id);

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

/* Bind helpers: NULL text binds "" (for NOT NULL DEFAULT '' columns) / SQL NULL. */
int store_bind_text(sqlite3_stmt *st, int idx, const char *s);
int store_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s);
/* 0 binds SQL NULL (an unset reference). */
int store_bind_id_or_null(sqlite3_stmt *st, int idx, gint64 id);
/* g_strdup of a text column; NULL for SQL NULL. */
char *store_column_dup(sqlite3_stmt *st, int col);

/* Bring a read-write connection to the newest schema (migrations.c). */
int store_migrate(struct store *store, char **error_r);

#endif
