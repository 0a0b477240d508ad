/* pg: the PostgreSQL connection (issue 16) — connect, the durable-commit setting, the
 * schema migrations under an advisory lock, and preparing every statement at start-up so
 * that schema drift fails there, as on SQLite. Owns the PGconn it makes until it hands it
 * to the caller; one connection per thread, as libpq asks. Depends on pg_sql.c,
 * migrations-pg.c and statements.c. */
#include "config.h"
#include "store-pg.h"

#include "postdesk/lib.h"

#include <stdlib.h>

/* The advisory lock every host takes while it migrates: "pdschema" in ASCII. */
#define SCHEMA_LOCK "7306310165474631013"

/* Run a command without parameters (several statements allowed); 0 ok, -1 with the
 * server's message. */
static int pg_exec(PGconn *conn, const char *sql, const char *op, char **error_r)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int ret = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		ret = util_error(error_r, "%s: %s", op, PQresultErrorMessage(res));
	PQclear(res);
	return ret;
}

int store_pg_version(PGconn *conn, char **error_r)
{
	PGresult *res;
	int version = -1;

	res = PQexec(conn, "SELECT coalesce(max(version), 0) FROM postdesk_schema");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		version = atoi(PQgetvalue(res, 0, 0));
	else if (g_strcmp0(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42P01") == 0)
		/* undefined_table: a database no `postdesk init` has made a desk of (yet) */
		util_error(error_r, "the database %s holds no postdesk desk (run postdesk init)",
			   PQdb(conn));
	else
		util_error(error_r, "read the schema version: %s", PQresultErrorMessage(res));
	PQclear(res);
	return version;
}

/* Bring the desk to the newest schema in one transaction: the lock makes a second host
 * wait, then find the work done. */
static int pg_migrate(PGconn *conn, char **error_r)
{
	int version, v;
	char *op;

	if (pg_exec(conn,
		    "BEGIN; SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ");"
		    "CREATE TABLE IF NOT EXISTS postdesk_schema (version BIGINT NOT NULL)",
		    "lock the schema", error_r) < 0)
		goto fail;
	if ((version = store_pg_version(conn, error_r)) < 0)
		goto fail;
	if (version > store_pg_schema_latest()) {
		util_error(error_r, "the database has schema version %d, newer than this "
				    "postdesk knows (%d): upgrade postdesk",
			   version, store_pg_schema_latest());
		goto fail;
	}
	for (v = version < store_pg_schema_first() ? store_pg_schema_first() : version + 1;
	     v <= store_pg_schema_latest(); v++) {
		const char *sql = store_pg_migration_sql(v);
		char *mark;
		int ret;

		if (sql == NULL)
			continue;
		op = g_strdup_printf("migration %d", v);
		mark = g_strdup_printf("DELETE FROM postdesk_schema;"
				       "INSERT INTO postdesk_schema(version) VALUES(%d)",
				       v);
		ret = pg_exec(conn, sql, op, error_r) < 0 ? -1 : pg_exec(conn, mark, op, error_r);
		g_free(mark);
		g_free(op);
		if (ret < 0)
			goto fail;
	}
	return pg_exec(conn, "COMMIT", "commit the schema", error_r);
fail:
	PQclear(PQexec(conn, "ROLLBACK"));
	return -1;
}

int store_pg_prepare(PGconn *conn, enum store_stmt id, char **error_r)
{
	const char *why;
	char *sql = store_pg_sql(id, &why);
	PGresult *res;
	int ok;

	if (sql == NULL)
		return util_error(error_r, "statement %s has no PostgreSQL form (%s)",
				  store_stmt_name(id), why);
	res = PQprepare(conn, store_stmt_name(id), sql, 0, NULL);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		util_error(error_r, "prepare %s: %s", store_stmt_name(id),
			   PQresultErrorMessage(res));
	PQclear(res);
	g_free(sql);
	return ok ? 0 : -1;
}

/* Prepare every statement with a PostgreSQL form, under its statements.def name. */
static int pg_prepare_all(PGconn *conn, char **error_r)
{
	for (int i = 0; i < STMT_COUNT; i++) {
		if (store_pg_no_form(i) == NULL && store_pg_prepare(conn, i, error_r) < 0)
			return -1;
	}
	return 0;
}

/* The session's settings. The 250 goes out after the commit: the commit must be durable
 * when it returns. The messages are quiet: a NOTICE ("relation exists") is no one's
 * business. */
static int pg_settings(PGconn *conn, gboolean readonly, int lock_timeout_ms, char **error_r)
{
	char *sql = g_strdup_printf("SET synchronous_commit = on; SET client_min_messages = warning;"
				    "SET lock_timeout = %d%s",
				    lock_timeout_ms > 0 ? lock_timeout_ms : 0,
				    readonly ? "; SET default_transaction_read_only = on" : "");
	int ret = pg_exec(conn, sql, "set up the connection", error_r);

	g_free(sql);
	return ret;
}

/* A read-only user needs the schema this build expects, and says how to get it. */
static int pg_check_version(PGconn *conn, char **error_r)
{
	int version = store_pg_version(conn, error_r);

	if (version < 0)
		return -1;
	if (version != store_pg_schema_latest())
		return util_error(error_r,
				  "the database has schema version %d, this build needs %d%s", version,
				  store_pg_schema_latest(),
				  version < store_pg_schema_latest() ? ": run postdesk init / upgrade"
								     : ": upgrade postdesk");
	return 0;
}

int store_pg_connect(const char *uri, gboolean readonly, gboolean lazy, int lock_timeout_ms,
		     PGconn **conn_r, char **error_r)
{
	PGconn *conn;

	*conn_r = NULL;
	if (store_pq_load(error_r) < 0)
		return -1;
	conn = PQconnectdb(uri);
	if (PQstatus(conn) != CONNECTION_OK) {
		util_error(error_r, "connect to PostgreSQL: %s",
			   g_strchomp(PQerrorMessage(conn)));
		PQfinish(conn);
		return -1;
	}
	if (pg_settings(conn, readonly, lock_timeout_ms, error_r) < 0 ||
	    (readonly ? pg_check_version(conn, error_r) : pg_migrate(conn, error_r)) < 0 ||
	    (!lazy && pg_prepare_all(conn, error_r) < 0)) {
		PQfinish(conn);
		return -1;
	}
	*conn_r = conn;
	return 0;
}

int store_pg_reconnect(PGconn *conn, gboolean readonly, gboolean lazy, int lock_timeout_ms,
		       char **error_r)
{
	if (PQstatus(conn) == CONNECTION_OK)
		return 0;
	PQreset(conn);
	if (PQstatus(conn) != CONNECTION_OK)
		return util_error(error_r, "connect to PostgreSQL again: %s",
				  g_strchomp(PQerrorMessage(conn)));
	log_warn("store: the connection to PostgreSQL was lost and is back");
	if (pg_settings(conn, readonly, lock_timeout_ms, error_r) < 0)
		return -1;
	return lazy ? 0 : pg_prepare_all(conn, error_r);
}
