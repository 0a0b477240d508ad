/* error: turning a failure into the caller's message and the connection's error kind
 * (full, busy, other), which the edge maps to 452 or 451. Owns store->last_err; depends on
 * nothing else in the module. Same threading as the connection it is given. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"

#include <errno.h>

/* Disk full reaches us as SQLITE_FULL, or as an I/O error whose errno says so (a failed
 * truncate, fsync or shm extension; EFBIG for a file-size limit, RLIMIT_FSIZE or a
 * quota-like cap): all mean 452 4.3.1, not 451. */
static enum store_err err_kind(sqlite3 *db)
{
	int sys_errno;

	switch (sqlite3_extended_errcode(db) & 0xff) {
	case SQLITE_FULL:
		return STORE_ERR_FULL;
	case SQLITE_IOERR:
		sys_errno = sqlite3_system_errno(db);
		return sys_errno == ENOSPC || sys_errno == EDQUOT || sys_errno == EFBIG
			   ? STORE_ERR_FULL
			   : STORE_ERR_OTHER;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_ERR_BUSY;
	default:
		return STORE_ERR_OTHER;
	}
}

int store_fail(struct store *store, const char *op, char **error_r)
{
	int code = sqlite3_extended_errcode(store->db);

	store->last_err = err_kind(store->db);
	/* "readonly" has six causes (file, WAL index, recovery, moved file, directory...):
	 * the extended code tells them apart when someone reads the log. */
	if ((code & 0xff) == SQLITE_READONLY)
		return util_error(error_r, "%s: %s (SQLite extended code %d)", op,
				  sqlite3_errmsg(store->db), code);
	return util_error(error_r, "%s: %s", op, sqlite3_errmsg(store->db));
}

int store_fail_other(struct store *store, char **error_r, const char *fmt, ...)
{
	va_list ap;

	store->last_err = STORE_ERR_OTHER;
	if (error_r == NULL)
		return -1;
	va_start(ap, fmt);
	*error_r = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return -1;
}

enum store_err store_last_error(struct store *store)
{
	return store->last_err;
}
