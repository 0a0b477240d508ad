/* stmt: the one place where the store binds, steps and resets its prepared statements —
 * the binder, which checks each call's values against statements.def, and the helpers
 * built on it (run, one integer, one row, rows to a list, a string vector, each row).
 * On a PostgreSQL store (store->pg) the checked call goes to pg_run.c instead, and the
 * column accessors read its rows: nothing above this file knows which backend it has.
 * Owns no state of its own (the statements belong to the struct store); depends on
 * error.c, statements.c and pg_run.c. Same threading as the connection. */
#include "config.h"
#include "store-error.h"
#include "store-pg.h"
#include "store-row.h"
#include "store-stmt.h"

#include <string.h>

/* Reset and clear the bindings, so no statement keeps a read transaction open. reset()
 * repeats the step's error code, already reported by then. */
static void stmt_done(sqlite3_stmt *st)
{
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
}

/* ---- the binder ---- */

static const char *kind_name(enum store_val_kind kind)
{
	switch (kind) {
	case STORE_VAL_INT:
		return "an integer (SV_I)";
	case STORE_VAL_BOOL:
		return "a boolean (SV_B)";
	case STORE_VAL_TEXT:
		return "text (SV_T)";
	case STORE_VAL_BLOB:
		return "a blob (SV_X)";
	}
	return "an unknown value";
}

/* The kind of value each letter of statements.def takes; -1 for a letter it does not know. */
static int letter_kind(char letter)
{
	switch (letter) {
	case 'i':
	case 'n':
	case 'm':
	case 'l':
		return STORE_VAL_INT;
	case 'b':
		return STORE_VAL_BOOL;
	case 't':
	case 'z':
		return STORE_VAL_TEXT;
	case 'x':
		return STORE_VAL_BLOB;
	default:
		return -1;
	}
}

/* The call against the declaration, before anything is bound. A mismatch is a bug in the
 * calling code, never a condition of the database: say exactly what disagrees. */
static int check_args(struct store *store, enum store_stmt id, struct store_args args,
		      const char *op, char **error_r)
{
	const char *params = store_stmt_params(id);
	size_t i, n = strlen(params);

	if (args.count != n)
		return store_fail_other(store, error_r,
					"%s: statement %s declares %zu parameters (\"%s\") but was "
					"given %zu values (a programming error)",
					op, store_stmt_name(id), n, params, args.count);
	for (i = 0; i < n; i++) {
		if (letter_kind(params[i]) != (int)args.vals[i].kind)
			return store_fail_other(store, error_r,
						"%s: parameter ?%zu of statement %s is declared "
						"'%c' but was given %s (a programming error)",
						op, i + 1, store_stmt_name(id), params[i],
						kind_name(args.vals[i].kind));
	}
	return 0;
}

/* Bind one checked value as its letter says. SQLITE_STATIC is safe: every helper steps and
 * resets the statement before it returns, so before the values' owner can free them. */
static int bind_one(sqlite3_stmt *st, int idx, char letter, const struct store_val *v)
{
	switch (letter) {
	case 'n':
		if (v->u.i == 0)
			return sqlite3_bind_null(st, idx);
		return sqlite3_bind_int64(st, idx, v->u.i);
	case 'm':
		if (v->u.i < 0)
			return sqlite3_bind_null(st, idx);
		return sqlite3_bind_int64(st, idx, v->u.i);
	case 'l':
		/* SQLite reads a negative LIMIT as none (and refuses a NULL one). */
		return sqlite3_bind_int64(st, idx, v->u.i > 0 ? v->u.i : -1);
	case 'b':
		return sqlite3_bind_int(st, idx, v->u.b ? 1 : 0);
	case 't':
		return sqlite3_bind_text(st, idx, v->u.t != NULL ? v->u.t : "", -1, SQLITE_STATIC);
	case 'z':
		if (v->u.t == NULL)
			return sqlite3_bind_null(st, idx);
		return sqlite3_bind_text(st, idx, v->u.t, -1, SQLITE_STATIC);
	case 'x':
		if (v->u.x.zero)
			return sqlite3_bind_zeroblob64(st, idx, v->u.x.len);
		/* bind_blob would turn a zero-length blob with a NULL pointer into NULL. */
		if (v->u.x.data == NULL)
			return sqlite3_bind_null(st, idx);
		if (v->u.x.len == 0)
			return sqlite3_bind_zeroblob(st, idx, 0);
		return sqlite3_bind_blob64(st, idx, v->u.x.data, v->u.x.len, SQLITE_STATIC);
	default: /* 'i' */
		return sqlite3_bind_int64(st, idx, v->u.i);
	}
}

sqlite3_stmt *store_stmt_get(struct store *store, enum store_stmt id, const char *op,
			     char **error_r)
{
	if (store->stmt[id] == NULL && /* first use on a STORE_LAZY connection */
	    sqlite3_prepare_v3(store->db, store_stmt_sql(id), -1, SQLITE_PREPARE_PERSISTENT,
			       &store->stmt[id], NULL) != SQLITE_OK) {
		char *what = g_strdup_printf("%s: prepare %s (schema drift?)", op,
					     store_stmt_name(id));

		store_fail(store, what, error_r);
		g_free(what);
		return NULL;
	}
	return store->stmt[id];
}

/* The one place where SQLite statements are bound: the prepared statement id with args
 * (checked) bound, or NULL (error set, statement reset). */
static sqlite3_stmt *bind_args(struct store *store, enum store_stmt id, struct store_args args,
			       const char *op, char **error_r)
{
	sqlite3_stmt *st = store_stmt_get(store, id, op, error_r);
	const char *params = store_stmt_params(id);
	size_t i;

	if (st == NULL)
		return NULL;

	for (i = 0; i < args.count; i++) {
		if (bind_one(st, (int)i + 1, params[i], &args.vals[i]) != SQLITE_OK) {
			char *what = g_strdup_printf("%s (binding ?%zu)", op, i + 1);

			store_fail(store, what, error_r);
			g_free(what);
			stmt_done(st);
			return NULL;
		}
	}
	return st;
}

/* Check and bind, then step up to max rows (-1: all), handing each to fn if there is one;
 * reset. Returns the number of rows stepped to, or -1; *changes_r (may be NULL): the rows
 * the statement inserted, updated or deleted. */
static int step_rows(struct store *store, enum store_stmt id, struct store_args args,
		     store_each_fn *fn, void *ctx, int max, const char *op, gint64 *changes_r,
		     char **error_r)
{
	sqlite3_stmt *st;
	struct store_row row = {0};
	int rc = SQLITE_DONE, rows = 0;

	if (check_args(store, id, args, op, error_r) < 0)
		return -1;
	if (store->pg != NULL)
		return store_pg_step(store, id, args, fn, ctx, max, op, changes_r, error_r);
	if ((row.st = st = bind_args(store, id, args, op, error_r)) == NULL)
		return -1;
	while ((max < 0 || rows < max) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn != NULL)
			fn(&row, ctx);
		rows++;
	}
	if (rows != max && rc != SQLITE_DONE) {
		store_fail(store, op, error_r);
		rows = -1;
	} else if (changes_r != NULL) {
		*changes_r = sqlite3_changes(store->db);
	}
	stmt_done(st);
	return rows;
}

int store_run(struct store *store, enum store_stmt id, struct store_args args, const char *op,
	      char **error_r)
{
	return step_rows(store, id, args, NULL, NULL, 1, op, NULL, error_r) < 0 ? -1 : 0;
}

int store_run_changes(struct store *store, enum store_stmt id, struct store_args args,
		      const char *op, char **error_r)
{
	gint64 changes = 0;

	if (step_rows(store, id, args, NULL, NULL, 1, op, &changes, error_r) < 0)
		return -1;
	return (int)changes;
}

int store_insert(struct store *store, enum store_stmt id, struct store_args args, const char *op,
		 gint64 *id_r, char **error_r)
{
	gint64 changes = 0;

	*id_r = 0;
	if (step_rows(store, id, args, NULL, NULL, 1, op, &changes, error_r) < 0)
		return -1;
	if (changes == 0)
		return 0;
	if (store->pg == NULL) {
		*id_r = sqlite3_last_insert_rowid(store->db);
		return 1;
	}
	/* The identity column's sequence, as this session last advanced it. */
	return store_int64(store, STMT_last_id, SV_NONE, op, id_r, error_r) < 0 ? -1 : 1;
}

gboolean store_autocommit(struct store *store)
{
	if (store->pg != NULL)
		return PQtransactionStatus(store->pg) == PQTRANS_IDLE;
	return sqlite3_get_autocommit(store->db) != 0;
}

struct int64_ctx {
	gint64 *value_r;
	gboolean found;
};

static void int64_row(const struct store_row *st, void *ctx)
{
	struct int64_ctx *c = ctx;

	if (!store_column_null(st, 0)) {
		*c->value_r = store_column_int64(st, 0);
		c->found = TRUE;
	}
}

int store_int64(struct store *store, enum store_stmt id, struct store_args args, const char *op,
		gint64 *value_r, char **error_r)
{
	struct int64_ctx c = {value_r, FALSE};

	if (step_rows(store, id, args, int64_row, &c, 1, op, NULL, error_r) < 0)
		return -1;
	return c.found ? 1 : 0;
}

struct obj_ctx {
	store_row_fn *row_fn;
	gpointer obj;
};

static void one_row(const struct store_row *st, void *ctx)
{
	struct obj_ctx *c = ctx;

	c->obj = c->row_fn(st);
}

int store_one(struct store *store, enum store_stmt id, struct store_args args, store_row_fn *row_fn,
	      const char *op, gpointer *row_r, char **error_r)
{
	struct obj_ctx c = {row_fn, NULL};
	int ret = step_rows(store, id, args, one_row, &c, 1, op, NULL, error_r);

	*row_r = c.obj;
	return ret;
}

struct list_ctx {
	store_row_fn *row_fn;
	GPtrArray *list;
};

static void list_row(const struct store_row *st, void *ctx)
{
	struct list_ctx *c = ctx;

	g_ptr_array_add(c->list, c->row_fn(st));
}

int store_rows(struct store *store, enum store_stmt id, struct store_args args,
	       store_row_fn *row_fn, GDestroyNotify free_fn, const char *op, GPtrArray **list_r,
	       char **error_r)
{
	struct list_ctx c = {row_fn, g_ptr_array_new_with_free_func(free_fn)};

	*list_r = NULL;
	if (step_rows(store, id, args, list_row, &c, -1, op, NULL, error_r) < 0) {
		g_ptr_array_unref(c.list);
		return -1;
	}
	*list_r = c.list;
	return 0;
}

/* "" for a NULL: an early NULL would cut the vector (and leak its tail). */
static gpointer text_row(const struct store_row *st)
{
	const char *v = store_column_text(st, 0);

	return g_strdup(v != NULL ? v : "");
}

int store_strv(struct store *store, enum store_stmt id, struct store_args args, const char *op,
	       char ***strv_r, char **error_r)
{
	GPtrArray *list;

	*strv_r = NULL;
	if (store_rows(store, id, args, text_row, g_free, op, &list, error_r) < 0)
		return -1;
	g_ptr_array_add(list, NULL);
	*strv_r = (char **)g_ptr_array_free(list, FALSE);
	return 0;
}

int store_each(struct store *store, enum store_stmt id, struct store_args args, store_each_fn *fn,
	       void *ctx, const char *op, char **error_r)
{
	return step_rows(store, id, args, fn, ctx, -1, op, NULL, error_r);
}

/* ---- cursors ---- */

struct store_row *store_cursor_open(struct store *store, enum store_stmt id,
				   struct store_args args, const char *op, char **error_r)
{
	sqlite3_stmt *st;
	struct store_row *cur;

	if (check_args(store, id, args, op, error_r) < 0)
		return NULL;
	if (store->pg != NULL)
		return store_pg_cursor_open(store, id, args, op, error_r);
	if ((st = bind_args(store, id, args, op, error_r)) == NULL)
		return NULL;
	cur = g_new0(struct store_row, 1);
	cur->st = st;
	return cur;
}

int store_cursor_next(struct store *store, struct store_row *cur, const char *op,
		      char **error_r)
{
	int rc;

	if (cur->res != NULL)
		return store_pg_cursor_next(cur);
	rc = sqlite3_step(cur->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_fail(store, op, error_r);
}

void store_cursor_close(struct store_row **curp)
{
	if (*curp != NULL && (*curp)->res != NULL) {
		store_pg_cursor_free(*curp);
	} else if (*curp != NULL) {
		stmt_done((*curp)->st);
		g_free(*curp);
	}
	*curp = NULL;
}

/* ---- reading columns ---- */

gboolean store_column_null(const struct store_row *st, int col)
{
	if (st->res != NULL)
		return store_pg_column_null(st, col);
	return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

gint64 store_column_int64(const struct store_row *st, int col)
{
	if (st->res != NULL)
		return store_pg_column_int64(st, col);
	return sqlite3_column_int64(st->st, col);
}

int store_column_int(const struct store_row *st, int col)
{
	if (st->res != NULL)
		return (int)store_pg_column_int64(st, col);
	return sqlite3_column_int(st->st, col);
}

const char *store_column_text(const struct store_row *st, int col)
{
	if (st->res != NULL)
		return store_pg_column_text(st, col);
	return (const char *)sqlite3_column_text(st->st, col);
}

char *store_column_dup(const struct store_row *st, int col)
{
	return g_strdup(store_column_text(st, col));
}

GBytes *store_column_bytes(const struct store_row *st, int col)
{
	const void *data;

	if (st->res != NULL)
		return store_pg_column_bytes(st, col);
	/* blob() before bytes(), as the SQLite docs ask. */
	data = sqlite3_column_blob(st->st, col);
	return g_bytes_new(data, (gsize)sqlite3_column_bytes(st->st, col));
}

int store_setting(struct store *store, enum store_stmt id, char **error_r)
{
	char *msg = NULL;

	/* SQLite's settings: a PostgreSQL session has its own (pg.c). */
	if (store->pg != NULL)
		return 0;
	if (sqlite3_exec(store->db, store_stmt_sql(id), NULL, NULL, &msg) != SQLITE_OK) {
		int ret = store_fail_other(store, error_r, "%s: %s", store_stmt_name(id),
					   msg != NULL ? msg : "failed");

		sqlite3_free(msg);
		return ret;
	}
	return 0;
}
