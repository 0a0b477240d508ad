/* store-pg: the PostgreSQL backend (issue 16), beside SQLite's. It connects, brings the
 * schema to the newest version (migrations-pg.c), prepares every statement of
 * statements.def in its PostgreSQL form (pg_sql.c), so that a statement that does not fit
 * the PostgreSQL schema fails at start-up as it does on SQLite, and runs them (pg_run.c)
 * for the binder of stmt.c. It is behind
 * store_open() when the database setting is a libpq URI. libpq comes through
 * store-pq.h (loaded at run time); this header is not included outside src/store/ (and
 * the store's unit tests). */
#ifndef POSTDESK_STORE_PG_H
#define POSTDESK_STORE_PG_H

#include "store-private.h"
#include "store-stmt.h"

#include "store-pq.h" /* libpq, loaded when first wanted */

/* Whether a database setting names PostgreSQL (a libpq URI: postgresql:// or postgres://)
 * rather than an SQLite file. */
gboolean store_pg_is_uri(const char *database);

/* ---- SQL (pg_sql.c) ---- */

/* The PostgreSQL text of statement id: its variant in statements-pg.def, else its SQLite
 * text with the parameters ?N written $N (outside quotes). A new string (g_free); NULL
 * when the statement has no PostgreSQL form, with the reason in *why_r (static). */
char *store_pg_sql(enum store_stmt id, const char **why_r);
/* Why statement id has no PostgreSQL form (static), or NULL when it has one: the check
 * without building the text. */
const char *store_pg_no_form(enum store_stmt id);
/* ?N -> $N outside string literals and quoted names: a new string. */
char *store_pg_placeholders(const char *sql);

/* ---- schema (migrations-pg.c) ---- */

/* The first and the newest schema version a PostgreSQL desk can have. */
int store_pg_schema_first(void);
int store_pg_schema_latest(void);
/* The script that brings a PostgreSQL desk to `version`, NULL if there is none. */
const char *store_pg_migration_sql(int version);

/* ---- the connection (pg.c) ---- */

/* Connect to uri, with synchronous_commit = on (a commit returns once it is durable),
 * migrate to the newest schema (an advisory lock serialises hosts that start together)
 * and (unless lazy: STORE_LAZY) prepare every statement that has a PostgreSQL form, named
 * by its statements.def name. A read-only connection (milter, reports) never migrates: it needs the newest
 * schema, and every transaction of it is read-only. lock_timeout_ms bounds every wait for
 * a lock (store_open's busy timeout; 0: none). 0 with *conn_r (the caller owns it:
 * PQfinish), -1 with the first failure. */
int store_pg_connect(const char *uri, gboolean readonly, gboolean lazy, int lock_timeout_ms,
		     PGconn **conn_r, char **error_r);
/* After the server went away (a restart, a failover): connect again with the same
 * parameters and prepare the statements again (lazy: none, as at connect). 0 when the
 * connection is usable. */
int store_pg_reconnect(PGconn *conn, gboolean readonly, gboolean lazy, int lock_timeout_ms,
		       char **error_r);
/* Prepare statement id on conn (lazy connections, when first used); -1 with the reason,
 * also when the statement has no PostgreSQL form. */
int store_pg_prepare(PGconn *conn, enum store_stmt id, char **error_r);

/* ---- running statements (pg_run.c; stmt.c calls these when store->pg is set) ---- */

/* Record a failure of op (res may be NULL): the server's message, and the error kind from
 * its SQLSTATE (serialization failure, deadlock, lost connection: busy; disk full). -1. */
int store_pg_fail(struct store *store, const PGresult *res, const char *op, char **error_r);
/* Run statement id with args (already checked), handing up to max rows (-1 all) to fn:
 * the number of rows handed, -1 error. *changes_r (may be NULL): rows it changed. */
int store_pg_step(struct store *store, enum store_stmt id, struct store_args args,
		  store_each_fn *fn, void *ctx, int max, const char *op, gint64 *changes_r,
		  char **error_r);
/* A cursor over the whole result (store_cursor_*): NULL on error. */
struct store_row *store_pg_cursor_open(struct store *store, enum store_stmt id,
				       struct store_args args, const char *op, char **error_r);
int store_pg_cursor_next(struct store_row *cur);
void store_pg_cursor_free(struct store_row *cur);
/* The store_column_* of a PostgreSQL row. */
gboolean store_pg_column_null(const struct store_row *st, int col);
gint64 store_pg_column_int64(const struct store_row *st, int col);
const char *store_pg_column_text(const struct store_row *st, int col);
GBytes *store_pg_column_bytes(const struct store_row *st, int col);
/* The schema version of a connected desk (0 for an empty database), -1 error. */
int store_pg_version(PGconn *conn, char **error_r);

#endif
