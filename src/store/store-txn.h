/* store-txn: transactions and savepoints on one connection (txn.c; depends on stmt.c).
 * The public ones (store_begin, store_commit...) are declared in postdesk/store.h. */
#ifndef POSTDESK_STORE_TXN_H
#define POSTDESK_STORE_TXN_H

#include "store-private.h"

/* Group a function's several writes (atomic_begin/release/rollback_to statements): inside
 * the caller's transaction a nested savepoint, in autocommit mode a transaction of its own,
 * so callers need not know. store_atomic_end(ok = FALSE) undoes the work (never fails: an
 * error is logged, the caller is already failing); with ok = TRUE it keeps it and returns
 * -1 if that fails (then the work is undone too). */
int store_atomic_begin(struct store *store, char **error_r);
int store_atomic_end(struct store *store, gboolean ok, char **error_r);

#endif
