/* flood: the milter's new-ticket flood counters in the database (issue 16, migration 21),
 * for a desk whose hosts share one (store_is_shared): the milters of every host then count
 * against one limit. One fixed window per key; a mail is counted only if every key is under
 * the limit. The read and the increment are not one atomic step across hosts: two
 * milters may each let one more through at the very moment a key reaches its limit (a
 * flood limit, not an accounting). Owns nothing; same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"
#include "store-txn.h"

gboolean store_is_shared(struct store *store)
{
	return store->pg != NULL;
}

static int flood_check(struct store *store, const char *const *keys, guint n, gint64 now,
		       gint64 window, gint64 limit, char **error_r)
{
	gboolean allowed = TRUE;
	gint64 count;

	for (guint i = 0; i < n && allowed; i++) {
		count = 0;
		if (store_int64(store, STMT_flood_count, SV_ARGS(SV_T(keys[i]), SV_I(now), SV_I(window)),
				"read a flood counter", &count, error_r) < 0)
			return -1;
		allowed = count < limit;
	}
	for (guint i = 0; i < n && allowed; i++) {
		if (store_run(store, STMT_flood_bump, SV_ARGS(SV_T(keys[i]), SV_I(now), SV_I(window)),
			      "count a new request", error_r) < 0)
			return -1;
	}
	/* the windows that ended a window ago: the table holds the last window's keys */
	if (store_run(store, STMT_flood_prune, SV_ARGS(SV_I(now - 2 * window)),
		      "drop ended flood windows", error_r) < 0)
		return -1;
	return allowed ? 1 : 0;
}

int store_flood_hit(struct store *store, const char *const *keys, guint n, gint64 now,
		    gint64 window, gint64 limit, char **error_r)
{
	int ret;

	store->last_err = STORE_ERR_NONE;
	if (store_run(store, STMT_flood_begin, SV_NONE, "begin", error_r) < 0)
		return -1;
	ret = flood_check(store, keys, n, now, window, limit, error_r);
	if (ret >= 0 && store_commit(store, error_r) < 0)
		ret = -1;
	if (ret < 0)
		store_rollback(store);
	return ret;
}
