/* stmt: small helpers around the prepared statements of a struct store — borrow, bind,
 * step, reset. Same threading as the connection that owns the statements. */
#include "config.h"
#include "store-private.h"

sqlite3_stmt *store_stmt(struct store *store, enum store_stmt id)
{
	return store->stmt[id];
}

void store_stmt_done(sqlite3_stmt *st)
{
	/* reset() repeats the step's error code, already reported by then. */
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
}

int store_stmt_run(struct store *store, sqlite3_stmt *st, const char *op, char **error_r)
{
	int rc = sqlite3_step(st);
	int ret = 0;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = store_fail(store, op, error_r);
	store_stmt_done(st);
	return ret;
}

int store_stmt_int64(struct store *store, sqlite3_stmt *st, const char *op, gint64 *value_r,
		     char **error_r)
{
	int rc = sqlite3_step(st);
	int ret;

	if (rc == SQLITE_ROW) {
		*value_r = sqlite3_column_int64(st, 0);
		ret = 1;
	} else if (rc == SQLITE_DONE) {
		ret = 0;
	} else {
		ret = store_fail(store, op, error_r);
	}
	store_stmt_done(st);
	return ret;
}

/* SQLITE_STATIC is safe: every statement is stepped and reset before the bound strings'
 * owner can free them. */
int store_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
	return sqlite3_bind_text(st, idx, s != NULL ? s : "", -1, SQLITE_STATIC);
}

int store_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC);
}

int store_bind_id_or_null(sqlite3_stmt *st, int idx, gint64 id)
{
	if (id == 0)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_int64(st, idx, id);
}

char *store_column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s != NULL ? g_strdup((const char *)s) : NULL;
}
