/* txn: transactions (BEGIN IMMEDIATE, COMMIT, ROLLBACK), the savepoint a batch uses to undo
 * one message, and the atomic savepoint that groups one store function's writes. Depends on
 * stmt.c (and error.c); migrations.c and the table files use it. Owns no state: the
 * transaction belongs to the connection, so the same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-stmt.h"
#include "store-txn.h"

int store_begin(struct store *store, char **error_r)
{
	/* A new unit of work: the kind of an earlier, handled failure no longer applies. */
	store->last_err = STORE_ERR_NONE;
	if (store_run(store, STMT_begin, SV_NONE, "begin", error_r) < 0)
		return -1;
	/* PostgreSQL: one writer at a time across hosts, as BEGIN IMMEDIATE on SQLite; the
	 * wait is bounded by lock_timeout (busy_timeout_ms), then the caller answers 4xx. */
	if (store->pg != NULL &&
	    store_run(store, STMT_write_lock, SV_NONE, "take the write lock", error_r) < 0) {
		store_rollback(store);
		return -1;
	}
	return 0;
}

int store_commit(struct store *store, char **error_r)
{
	return store_run(store, STMT_commit, SV_NONE, "commit", error_r);
}

/* Failures to roll back are logged, not returned: the caller is already on its error path,
 * and SQLite rolls back itself when it cannot (the transaction is then gone anyway). */
void store_rollback(struct store *store)
{
	char *error = NULL;

	if (store_autocommit(store))
		return;
	if (store_run(store, STMT_rollback, SV_NONE, "rollback", &error) < 0) {
		log_warn("store: %s", error);
		g_free(error);
	}
}

int store_savepoint(struct store *store, char **error_r)
{
	return store_run(store, STMT_savepoint, SV_NONE, "savepoint", error_r);
}

int store_release(struct store *store, char **error_r)
{
	return store_run(store, STMT_release, SV_NONE, "release savepoint", error_r);
}

/* ROLLBACK TO undoes the work since store_savepoint() but keeps the savepoint open, as in
 * SQL: the caller still ends it with store_release(). */
void store_rollback_to(struct store *store)
{
	char *error = NULL;

	if (store_autocommit(store))
		return;
	if (store_run(store, STMT_rollback_to, SV_NONE, "rollback to savepoint", &error) < 0) {
		log_warn("store: %s", error);
		g_free(error);
	}
}

/* ---- atomic groups of writes ---- */

int store_atomic_begin(struct store *store, char **error_r)
{
	/* PostgreSQL takes no savepoint outside a transaction: outside one, begin one. */
	if (store->pg != NULL && store_autocommit(store)) {
		if (store_begin(store, error_r) < 0)
			return -1;
		store->atomic_txn = TRUE;
		return 0;
	}
	return store_run(store, STMT_atomic_begin, SV_NONE, "savepoint", error_r);
}

/* After an error SQLite may already have rolled the whole transaction back (disk full,
 * I/O error): then there is no savepoint left to undo, and autocommit says so. */
static void atomic_undo(struct store *store)
{
	char *error = NULL;

	if (store_autocommit(store))
		return;
	if (store_run(store, STMT_atomic_rollback_to, SV_NONE, "rollback to savepoint", &error) <
		0 ||
	    store_run(store, STMT_atomic_release, SV_NONE, "release savepoint", &error) < 0) {
		log_warn("store: %s", error);
		g_free(error);
	}
}

int store_atomic_end(struct store *store, gboolean ok, char **error_r)
{
	if (store->atomic_txn) {
		store->atomic_txn = FALSE;
		if (ok && store_commit(store, error_r) == 0)
			return 0;
		store_rollback(store);
		return -1;
	}
	if (ok && store_run(store, STMT_atomic_release, SV_NONE, "release savepoint", error_r) == 0)
		return 0;
	atomic_undo(store);
	return -1;
}
