/* store: opening and closing a connection (file mode, PRAGMAs, schema check and migration,
 * preparing every statement of statements.def) and its WAL checkpoints. The top of the
 * module: it uses the leaves (error, stmt, txn via migrations) and nothing calls it back.
 * A struct store owns its sqlite3 handle and prepared statements; it is opened NOMUTEX, so
 * one connection belongs to one thread at a time (open one per thread). A database that
 * is a libpq URI opens a PostgreSQL connection instead (pg.c), owned the same way; it
 * has no WAL of ours to checkpoint. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-private.h"
#include "store-migrate.h"
#include "store-pg.h"
#include "store-stmt.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int store_schema_version(struct store *store)
{
	gint64 v = 0;

	if (store_int64(store, STMT_user_version, SV_NONE, "read user_version", &v, NULL) < 0)
		return -1;
	return (int)v;
}

/* Create the file ourselves so a new database is 0600 whatever the umask (which is
 * process-wide, so not ours to change); SQLite gives the -wal and -shm files the database
 * file's mode. An existing file keeps the mode the administrator chose. */
static int create_file(const char *path, char **error_r)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EEXIST
			   ? 0
			   : util_error(error_r, "create %s: %s", path, g_strerror(errno));
	if (fchmod(fd, 0600) < 0) {
		util_error(error_r, "chmod %s: %s", path, g_strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int prepare_range(struct store *store, int first, int last, char **error_r)
{
	int i;

	for (i = first; i < last; i++) {
		if (sqlite3_prepare_v3(store->db, store_stmt_sql(i), -1, SQLITE_PREPARE_PERSISTENT,
				       &store->stmt[i], NULL) != SQLITE_OK) {
			store->last_err = STORE_ERR_OTHER;
			return util_error(error_r, "prepare %s (schema drift?): %s",
					  store_stmt_name(i), sqlite3_errmsg(store->db));
		}
	}
	return 0;
}

static gpointer text_dup(const struct store_row *st)
{
	return store_column_dup(st, 0);
}

/* journal_mode answers with the mode in force: anything but "wal" (a read-only medium, a
 * VFS without shared memory) would silently lose our concurrency and durability model. */
static int set_pragmas(struct store *store, char **error_r)
{
	gpointer mode = NULL;
	int ret;

	if (!store->readonly) {
		ret = store_one(store, STMT_pragma_wal, SV_NONE, text_dup, "set journal_mode",
				&mode, error_r);
		if (ret == 0)
			ret = store_fail_other(store, error_r, "set journal_mode: no answer");
		else if (ret == 1 && g_ascii_strcasecmp(mode != NULL ? mode : "", "wal") != 0)
			ret = store_fail_other(store, error_r, "journal_mode is %s, not wal",
					       mode != NULL ? (const char *)mode : "NULL");
		g_free(mode);
		if (ret < 0)
			return -1;
	}
	if ((store->nosync && store_setting(store, STMT_pragma_sync_normal, error_r) < 0) ||
	    store_run(store, STMT_pragma_cache, SV_NONE, "cache_size", error_r) < 0 ||
	    store_run(store, STMT_pragma_temp_store, SV_NONE, "temp_store", error_r) < 0 ||
	    (!store->readonly && store_run(store, STMT_pragma_journal_limit, SV_NONE,
					   "journal_size_limit", error_r) < 0))
		return -1;
	return store_run(store, STMT_pragma_fk, SV_NONE, "foreign_keys", error_r);
}

/* A read-only user (milter, reports) never migrates: it needs the schema this build
 * expects, and says how to get it. A newer schema is refused by everyone (forward-only). */
static int check_schema(struct store *store, const char *path, char **error_r)
{
	gint64 v = 0;
	int version;

	if (store_int64(store, STMT_user_version, SV_NONE, "read user_version", &v, error_r) < 0)
		return -1;
	version = (int)v;
	if (version > store_schema_latest())
		return store_fail_other(store, error_r,
					"%s: schema version %d is newer than this build knows (%d)",
					path, version, store_schema_latest());
	if (version < store_schema_latest()) {
		if (store->readonly)
			return store_fail_other(
			    store, error_r,
			    "%s: schema version %d is older than this build needs (%d): "
			    "run postdesk init / upgrade",
			    path, version, store_schema_latest());
		return store_migrate(store, error_r);
	}
	return 0;
}

static int open_db(struct store *store, const char *path, int flags, char **error_r)
{
	/* NOFOLLOW: a database path that is a symlink is refused (doc/privileges.md) */
	int oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;

	if (store->readonly)
		oflags |= SQLITE_OPEN_READONLY;
	else {
		oflags |= SQLITE_OPEN_READWRITE;
		if ((flags & STORE_CREATE) != 0 && create_file(path, error_r) < 0)
			return -1;
	}
	/* Never SQLITE_OPEN_CREATE: a missing file without STORE_CREATE is an error (a typo
	 * in the config must not start an empty help desk). */
	if (sqlite3_open_v2(path, &store->db, oflags, NULL) != SQLITE_OK) {
		if (store->db == NULL)
			return util_error(error_r, "open %s: out of memory", path);
		return util_error(error_r, "open %s: %s%s", path, sqlite3_errmsg(store->db),
				  (flags & STORE_CREATE) != 0 ? "" : " (run postdesk init?)");
	}
	sqlite3_extended_result_codes(store->db, 1);
	if (store_kb_register(store, error_r) < 0)
		return -1;
	/* SQLite opens a file it may not write read-only without saying so; every write would
	 * then fail. Say it here, once, with what to fix (-2: the caller may try again). */
	if (!store->readonly && sqlite3_db_readonly(store->db, "main") == 1) {
		util_error(error_r,
			   "open %s: the database file is not writable by uid %ld "
			   "(its owner must be the daemons' user: postdesk init as root gives it "
			   "to `user`, doc/privileges.md)",
			   path, (long)geteuid());
		return -2;
	}
	return 0;
}

int store_open(const char *path, int flags, int busy_timeout_ms, struct store **store_r,
	       char **error_r)
{
	struct store *store = g_new0(struct store, 1);

	*store_r = NULL;
	store->readonly = (flags & STORE_READONLY) != 0;
	store->nosync = (flags & STORE_WAL_NOSYNC) != 0;
	store->lazy = (flags & STORE_LAZY) != 0;
	if (store_pg_is_uri(path)) {
		PGconn *conn = NULL;

		/* Every commit is durable when it returns (synchronous_commit): nosync does
		 * not apply, and the syncer has nothing to do. */
		store->busy_timeout_ms = busy_timeout_ms;
		if (store_pg_connect(path, store->readonly, store->lazy, busy_timeout_ms, &conn,
				     error_r) < 0) {
			store_close(&store);
			return -1;
		}
		store->pg = conn;
		*store_r = store;
		return 0;
	}
	/* A file that is not writable for a moment (a root process creating and then handing
	 * over a file next to it) gets a few more tries over two seconds before we give up.
	 * That includes the -wal and -shm files, which the first statements (journal_mode,
	 * applied when prepared) open: a root process (lmtpd before it drops privileges, the
	 * CLI) creates them and SQLite chowns them to the database's owner a moment later;
	 * a daemon opening in between gets "unable to open database file". */
	for (int tries = 1;; tries++) {
		int ret = open_db(store, path, flags, error_r);

		if (ret == 0) {
			/* The same setting as PRAGMA busy_timeout (which takes no bound parameter). */
			sqlite3_busy_timeout(store->db, busy_timeout_ms);
			if (prepare_range(store, 0, STMT_FIRST_SCHEMA, error_r) == 0)
				break;
			ret = (sqlite3_errcode(store->db) & 0xff) == SQLITE_CANTOPEN ? -2 : -1;
			for (int i = 0; i < STMT_FIRST_SCHEMA; i++)
				g_clear_pointer(&store->stmt[i], sqlite3_finalize);
		}
		if (ret == -2 && tries < 10) {
			if (error_r != NULL)
				g_clear_pointer(error_r, g_free);
			sqlite3_close(store->db);
			store->db = NULL;
			g_usleep(200 * 1000);
			continue;
		}
		store_close(&store);
		return -1;
	}
	/* STORE_LAZY: the statements that touch tables are prepared when first used (stmt.c):
	 * a CLI command uses a handful of the ~260, and preparing them all was most of the
	 * CPU time of `postdesk search` on a warm cache. */
	if (set_pragmas(store, error_r) < 0 || check_schema(store, path, error_r) < 0 ||
	    (!(flags & STORE_LAZY) &&
	     prepare_range(store, STMT_FIRST_SCHEMA, STMT_COUNT, error_r) < 0)) {
		store_close(&store);
		return -1;
	}
	*store_r = store;
	return 0;
}

void store_close(struct store **storep)
{
	struct store *store = *storep;
	int i;

	if (store == NULL)
		return;
	*storep = NULL;
	if (store->pg != NULL)
		PQfinish(store->pg);
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(store->stmt[i]);
	if (store->db != NULL && sqlite3_close(store->db) != SQLITE_OK)
		log_warn("store: close: %s", sqlite3_errmsg(store->db));
	g_free(store);
}

/* Called by SQLite after each commit of this connection with the frames now in the WAL.
 * Registering it replaces SQLite's automatic checkpoints on this connection (which are
 * themselves a WAL hook), which is what store_wal_manual() wants. */
static int wal_hook(void *ctx, sqlite3 *db, const char *name, int frames)
{
	struct store *store = ctx;

	(void)db;
	(void)name;
	store->wal_frames = frames;
	return SQLITE_OK;
}

int store_wal_manual(struct store *store, char **error_r)
{
	if (store->pg != NULL) /* the server's WAL is the server's */
		return 0;
	if (store_setting(store, STMT_autocheckpoint_off, error_r) < 0)
		return -1;
	sqlite3_wal_hook(store->db, wal_hook, store);
	return 0;
}

gint64 store_wal_frames(struct store *store)
{
	return store->wal_frames;
}

/* The one row of wal_checkpoint: busy flag, frames in the WAL, frames checkpointed. */
static void checkpoint_row(const struct store_row *st, void *ctx)
{
	gint64 *row = ctx;

	row[0] = store_column_int64(st, 0);
	row[1] = store_column_int64(st, 1);
}

int store_checkpoint(struct store *store, gboolean truncate, gint64 *wal_frames_r,
		     char **error_r)
{
	gint64 row[2] = {0, 0};

	if (store->pg != NULL) {
		if (wal_frames_r != NULL)
			*wal_frames_r = 0;
		return 0;
	}
	if (store_each(store, truncate ? STMT_checkpoint_truncate : STMT_checkpoint, SV_NONE,
		       checkpoint_row, row, "wal_checkpoint", error_r) < 0)
		return -1;
	if (wal_frames_r != NULL)
		*wal_frames_r = row[1];
	if (truncate && row[0] != 0) /* readers kept it from finishing: busy, try again later */
		return store_fail_other(store, error_r, "wal_checkpoint(TRUNCATE): busy");
	if (truncate)
		store->wal_frames = 0;
	return 0;
}

gboolean store_is_local(const char *database)
{
	return !store_pg_is_uri(database);
}
