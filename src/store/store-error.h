/* store-error: how a store function fails — the message for the caller and the kind of
 * failure the connection remembers for store_last_error() (error.c, a leaf). */
#ifndef POSTDESK_STORE_ERROR_H
#define POSTDESK_STORE_ERROR_H

#include "store-private.h"

/* Record a failure of operation op: sets store->last_err from the connection's last result
 * code and *error_r to "op: sqlite message". Returns -1. */
int store_fail(struct store *store, const char *op, char **error_r);
/* A failure that is not SQLite's (bad argument, missing row): STORE_ERR_OTHER. Returns -1. */
int store_fail_other(struct store *store, char **error_r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
