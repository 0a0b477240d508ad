/* pg_run: the binder's PostgreSQL side (issue 16) — running a prepared statement with its
 * values (checked by stmt.c against statements.def first), handing its rows to the row
 * readers, reading their columns, and turning a server error into the connection's error
 * kind. Values go as text (blobs binary); results come as text, bytea unescaped when read.
 * A lost connection is re-established before the next statement (pg.c), never inside a
 * transaction that still matters: the statement that met the loss already failed.
 * Owns the PGresult of each call until it returns (a cursor's until it is closed); same
 * threading as the connection. Depends on pg.c, error.c and statements.c. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-pg.h"
#include "store-row.h"

#include <string.h>

/* SQLSTATE classes and codes (PostgreSQL's appendix A) that say "try again later". */
static enum store_err pg_err_kind(PGconn *conn, const PGresult *res)
{
	const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(conn) == CONNECTION_BAD)
		return STORE_ERR_BUSY; /* the server went away: a failover, a restart */
	if (state == NULL)
		return STORE_ERR_OTHER;
	if (strcmp(state, "53100") == 0) /* disk_full */
		return STORE_ERR_FULL;
	if (strcmp(state, "40001") == 0 || /* serialization_failure */
	    strcmp(state, "40P01") == 0 || /* deadlock_detected */
	    strcmp(state, "55P03") == 0 || /* lock_not_available */
	    strcmp(state, "57014") == 0 || /* query_canceled: statement_timeout */
	    strncmp(state, "08", 2) == 0 || /* connection exceptions */
	    strncmp(state, "57P", 3) == 0)  /* the server shutting down or starting */
		return STORE_ERR_BUSY;
	return STORE_ERR_OTHER;
}

int store_pg_fail(struct store *store, const PGresult *res, const char *op, char **error_r)
{
	const char *msg = res != NULL ? PQresultErrorMessage(res) : "";
	char *text;

	if (*msg == '\0')
		msg = PQerrorMessage(store->pg);
	text = g_strchomp(g_strdup(msg));
	(void)store_fail_other(store, error_r, "%s: %s", op, text);
	store->last_err = pg_err_kind(store->pg, res);
	g_free(text);
	return -1;
}

/* One value as its letter says: text (NULL for SQL NULL) or, for blobs, bytes. buf holds
 * the digits of an integer; *zeros the memory of SV_ZERO (freed by the caller). */
static void pg_value(char letter, const struct store_val *v, char buf[24], const char **value_r,
		     int *len_r, int *format_r, void **zeros)
{
	*len_r = 0;
	*format_r = 0;
	*value_r = buf;
	switch (letter) {
	case 'n':
	case 'm':
	case 'l':
		/* 0, a negative score, a limit <= 0: NULL (LIMIT NULL is no limit). */
		if ((letter == 'n' && v->u.i == 0) || (letter == 'm' && v->u.i < 0) ||
		    (letter == 'l' && v->u.i <= 0)) {
			*value_r = NULL;
			return;
		}
		g_snprintf(buf, 24, "%" G_GINT64_FORMAT, v->u.i);
		return;
	case 'b':
		g_strlcpy(buf, v->u.b ? "1" : "0", 24);
		return;
	case 't':
		*value_r = v->u.t != NULL ? v->u.t : "";
		return;
	case 'z':
		*value_r = v->u.t;
		return;
	case 'x':
		*format_r = 1;
		if (v->u.x.zero)
			*value_r = *zeros = g_malloc0(v->u.x.len + 1);
		else
			*value_r = v->u.x.data;
		*len_r = (int)v->u.x.len;
		return;
	default: /* 'i' */
		g_snprintf(buf, 24, "%" G_GINT64_FORMAT, v->u.i);
		return;
	}
}

/* Before a statement: the connection, re-established if the server went away. Never in
 * the middle of a transaction: its work went with the old session, and a statement run in
 * a new one would run outside it (and a COMMIT there "succeed" with nothing). So once the
 * loss met an open transaction, every statement fails until the caller ends it with
 * ROLLBACK, which then reconnects and has nothing left to undo. 0 ready, -1 error. */
static int pg_ready(struct store *store, enum store_stmt id, const char *op, char **error_r)
{
	if (PQstatus(store->pg) == CONNECTION_OK)
		return 0;
	if (store->pg_txn_lost && id != STMT_rollback) {
		(void)store_fail_other(store, error_r,
				       "%s: the connection to PostgreSQL was lost in the middle of "
				       "the transaction (its work is undone)",
				       op);
		store->last_err = STORE_ERR_BUSY;
		return -1;
	}
	if (store_pg_reconnect(store->pg, store->readonly, store->lazy, store->busy_timeout_ms,
			       error_r) < 0) {
		store->last_err = STORE_ERR_BUSY;
		return -1;
	}
	memset(store->pg_prepared, 0, sizeof(store->pg_prepared)); /* a new session */
	store->pg_txn_lost = FALSE;
	return 0;
}

/* Execute statement id with args: the result (the caller PQclears it), or NULL with the
 * error set. */
static PGresult *pg_exec_stmt(struct store *store, enum store_stmt id, struct store_args args,
			      const char *op, char **error_r)
{
	const char *params = store_stmt_params(id), *why = store_pg_no_form(id);
	size_t i, n = args.count;
	const char **values = g_newa(const char *, n + 1);
	int *lengths = g_newa(int, n + 1), *formats = g_newa(int, n + 1);
	char(*bufs)[24] = g_malloc((n + 1) * 24);
	void **zeros = g_newa(void *, n + 1);
	PGresult *res;
	ExecStatusType st;
	gboolean in_txn;

	if (why != NULL) {
		g_free(bufs);
		(void)store_fail_other(store, error_r, "%s: statement %s has no PostgreSQL form (%s)",
				       op, store_stmt_name(id), why);
		return NULL;
	}
	if (pg_ready(store, id, op, error_r) < 0) {
		g_free(bufs);
		return NULL;
	}
	if (store->lazy && !store->pg_prepared[id]) { /* first use in this session */
		char *err = NULL;

		if (store_pg_prepare(store->pg, id, &err) < 0) {
			g_free(bufs);
			(void)store_fail_other(store, error_r, "%s: %s", op, err);
			g_free(err);
			return NULL;
		}
		store->pg_prepared[id] = 1;
	}
	in_txn = PQtransactionStatus(store->pg) != PQTRANS_IDLE;
	for (i = 0; i < n; i++) {
		zeros[i] = NULL;
		pg_value(params[i], &args.vals[i], bufs[i], &values[i], &lengths[i], &formats[i],
			 &zeros[i]);
	}
	res = PQexecPrepared(store->pg, store_stmt_name(id), (int)n, values, lengths, formats, 0);
	for (i = 0; i < n; i++)
		g_free(zeros[i]);
	g_free(bufs);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		/* BEGIN itself opens one: its loss leaves nothing behind either way */
		if (PQstatus(store->pg) == CONNECTION_BAD && in_txn)
			store->pg_txn_lost = TRUE;
		store_pg_fail(store, res, op, error_r);
		PQclear(res);
		return NULL;
	}
	return res;
}

int store_pg_step(struct store *store, enum store_stmt id, struct store_args args,
		  store_each_fn *fn, void *ctx, int max, const char *op, gint64 *changes_r,
		  char **error_r)
{
	PGresult *res = pg_exec_stmt(store, id, args, op, error_r);
	struct store_row row = {NULL, res, 0, 0, store_stmt_columns(id)};
	int rows;

	if (res == NULL)
		return -1;
	rows = PQntuples(res);
	if (max >= 0 && rows > max)
		rows = max;
	for (row.row = 0; row.row < rows; row.row++) {
		if (fn != NULL)
			fn(&row, ctx);
	}
	if (changes_r != NULL)
		*changes_r = g_ascii_strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return rows;
}

/* ---- cursors: the whole result is fetched, then handed out row by row ---- */

struct store_row *store_pg_cursor_open(struct store *store, enum store_stmt id,
				       struct store_args args, const char *op, char **error_r)
{
	PGresult *res = pg_exec_stmt(store, id, args, op, error_r);
	struct store_row *cur;

	if (res == NULL)
		return NULL;
	cur = g_new0(struct store_row, 1);
	cur->res = res;
	cur->row = -1;
	cur->rows = PQntuples(res);
	cur->columns = store_stmt_columns(id);
	return cur;
}

int store_pg_cursor_next(struct store_row *cur)
{
	if (cur->row + 1 >= cur->rows)
		return 0;
	cur->row++;
	return 1;
}

void store_pg_cursor_free(struct store_row *cur)
{
	PQclear(cur->res);
	g_free(cur);
}

/* ---- columns ----
 * A column past the row's end reads as NULL, as SQLite's do (a reader shared by statements
 * of fewer columns: outbox_from_row). */

gboolean store_pg_column_null(const struct store_row *st, int col)
{
	return col >= PQnfields(st->res) || PQgetisnull(st->res, st->row, col) != 0;
}

gint64 store_pg_column_int64(const struct store_row *st, int col)
{
	const char *v;

	if (store_pg_column_null(st, col))
		return 0;
	v = PQgetvalue(st->res, st->row, col);

	/* A boolean expression reads 1 or 0, as SQLite's do. */
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	return g_ascii_strtoll(v, NULL, 10);
}

const char *store_pg_column_text(const struct store_row *st, int col)
{
	return store_pg_column_null(st, col) ? NULL : PQgetvalue(st->res, st->row, col);
}

GBytes *store_pg_column_bytes(const struct store_row *st, int col)
{
	const char *v;
	unsigned char *bin;
	size_t len = 0;
	GBytes *bytes;

	if (store_pg_column_null(st, col))
		return g_bytes_new(NULL, 0);
	v = PQgetvalue(st->res, st->row, col);
	if (st->columns[col] != 'x')
		return g_bytes_new(v, strlen(v));
	bin = PQunescapeBytea((const unsigned char *)v, &len);
	bytes = g_bytes_new(bin, len);
	PQfreemem(bin);
	return bytes;
}
