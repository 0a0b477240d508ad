/* store-pg: the PostgreSQL backend (issue 16), beside SQLite's. Today it connects, brings
 * the schema to the newest version (migrations-pg.c) and prepares every statement of
 * statements.def in its PostgreSQL form (pg_sql.c), so that a statement that does not fit
 * the PostgreSQL schema fails at start-up as it does on SQLite. It is not yet behind
 * store_open(): the binder (stmt.c) runs statements on SQLite only. The only files that
 * include libpq-fe.h are pg*.c and this header; not included outside src/store/ (and the
 * store's unit tests). */
#ifndef POSTDESK_STORE_PG_H
#define POSTDESK_STORE_PG_H

#include "store-private.h"

#include <libpq-fe.h>

/* Whether a database setting names PostgreSQL (a libpq URI: postgresql:// or postgres://)
 * rather than an SQLite file. */
gboolean store_pg_is_uri(const char *database);

/* ---- SQL (pg_sql.c) ---- */

/* The PostgreSQL text of statement id: its variant in statements-pg.def, else its SQLite
 * text with the parameters ?N written $N (outside quotes). A new string (g_free); NULL
 * when the statement has no PostgreSQL form, with the reason in *why_r (static). */
char *store_pg_sql(enum store_stmt id, const char **why_r);
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
 * and prepare every statement that has a PostgreSQL form, named by its statements.def
 * name. 0 with *conn_r (the caller owns it: PQfinish), -1 with the first failure. */
int store_pg_connect(const char *uri, PGconn **conn_r, char **error_r);
/* The schema version of a connected desk (0 for an empty database), -1 error. */
int store_pg_version(PGconn *conn, char **error_r);

#endif
