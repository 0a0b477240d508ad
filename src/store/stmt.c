/* stmt: small helpers around the prepared statements of a struct store — borrow, bind,
 * step, reset — and reading columns. Owns no state of its own (the statements belong to
 * the struct store); depends on error.c only. Same threading as the connection. */
#include "config.h"
#include "store-error.h"
#include "store-stmt.h"

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

int store_stmt_rows(struct store *store, sqlite3_stmt *st, gpointer (*row_fn)(sqlite3_stmt *),
		    GDestroyNotify free_fn, const char *op, GPtrArray **list_r, char **error_r)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(free_fn);
	int rc;

	*list_r = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		g_ptr_array_add(list, row_fn(st));
	if (rc != SQLITE_DONE) {
		store_fail(store, op, error_r);
		store_stmt_done(st);
		g_ptr_array_unref(list);
		return -1;
	}
	store_stmt_done(st);
	*list_r = list;
	return 0;
}

int store_stmt_strv(struct store *store, sqlite3_stmt *st, const char *op, char ***strv_r,
		    char **error_r)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
	int rc;

	*strv_r = NULL;
	/* "" for a NULL: an early NULL would cut the vector (and leak its tail). */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(st, 0);

		g_ptr_array_add(list, g_strdup(v != NULL ? (const char *)v : ""));
	}
	if (rc != SQLITE_DONE) {
		store_fail(store, op, error_r);
		store_stmt_done(st);
		g_ptr_array_unref(list);
		return -1;
	}
	store_stmt_done(st);
	g_ptr_array_add(list, NULL);
	*strv_r = (char **)g_ptr_array_free(list, FALSE);
	return 0;
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

int store_stmt_row_by_id(struct store *store, sqlite3_stmt *st, gint64 id, const char *op,
			 char **error_r)
{
	int rc;

	if (sqlite3_bind_int64(st, 1, id) != SQLITE_OK) {
		store_fail(store, op, error_r);
		store_stmt_done(st);
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		store_fail(store, op, error_r);
	store_stmt_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}
