/* store-private: the base every file of the store includes — the connection struct and the
 * ids and declarations of the prepared statements (statements.def, tables in statements.c).
 * The layers above it have headers of their own, each included only by what uses it:
 *   store-error.h  failures and their kind             (error.c: depends on nothing)
 *   store-stmt.h   the binder and the step helpers     (stmt.c: on error.c)
 *   store-txn.h    transactions, savepoints, atomic    (txn.c: on stmt.c)
 *   store-migrate.h the schema scripts                 (migrations.c: on txn.c, stmt.c)
 * store.c (open, close) and the table files (tickets.c...) sit on top; nothing calls back
 * down-to-up, so the files form no cycle. Not installed, not included outside src/store/
 * (and the store's unit tests). */
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
	gboolean nosync;   /* STORE_WAL_NOSYNC */
	gint64 wal_frames; /* after this connection's last commit (store_wal_manual) */
	void *kb_tok;      /* kb.c: the tokenizer's state (SQLite frees it with db) */
	/* PostgreSQL (issue 16; pg.c, pg_run.c): the connection when the database is a libpq
	 * URI, db then NULL; atomic_txn: store_atomic_begin() began a transaction of its own
	 * (PostgreSQL has no savepoint outside one). */
	struct pg_conn *pg;
	gboolean atomic_txn;
	gboolean pg_txn_lost; /* pg_run.c: the connection died inside a transaction */
	/* STORE_LAZY on PostgreSQL: which statements this session has prepared (pg_run.c
	 * prepares one when first used; a reconnect starts a new session with none). */
	gboolean lazy;
	guint8 pg_prepared[STMT_COUNT];
	int busy_timeout_ms; /* PostgreSQL's lock_timeout, again after a reconnect */
};

/* kb.c: register the FTS5 tokenizer "postdesk" and the knowledge base's FTS5 functions on
 * a newly opened connection (before anything reads kb_fts: migration 12 included). */
int store_kb_register(struct store *store, char **error_r);

/* The declaration of statement id in statements.def: its name, SQL text, and the type
 * letters of its parameters and result columns. Static strings. */
const char *store_stmt_name(enum store_stmt id);
const char *store_stmt_sql(enum store_stmt id);
const char *store_stmt_params(enum store_stmt id);
const char *store_stmt_columns(enum store_stmt id);
/* The prepared SQLite statement id of store, prepared now if it was not yet (STORE_LAZY);
 * NULL with *error_r ("op: prepare NAME (schema drift?): ...") if SQLite refuses it. */
sqlite3_stmt *store_stmt_get(struct store *store, enum store_stmt id, const char *op,
			     char **error_r);

#endif
