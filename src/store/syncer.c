/* syncer: makes the commits of a STORE_WAL_NOSYNC connection durable from a thread of its
 * own, so that the writer goes on with the next batch while the disk flushes this one
 * (pipelined group commit, doc/durability.md). It touches no SQLite state: it holds its own
 * descriptor of the WAL file and calls fdatasync() on it. On Linux that flushes every dirty
 * page of the file, whoever wrote it, which is what SQLite's own sync of the WAL does (it
 * uses fdatasync too). Owned and used by one thread. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/store.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store_syncer {
	char *wal_path;
	char *dir_path;
	int fd;
};

struct store_syncer *store_syncer_new(const char *db_path)
{
	struct store_syncer *s = g_new0(struct store_syncer, 1);

	/* PostgreSQL (a libpq URI): commits are durable when they return; nothing to sync. */
	if (!store_is_local(db_path)) {
		s->fd = -1;
		return s;
	}
	s->wal_path = g_strconcat(db_path, "-wal", NULL);
	s->dir_path = g_path_get_dirname(db_path);
	s->fd = -1;
	return s;
}

void store_syncer_free(struct store_syncer **sp)
{
	struct store_syncer *s = *sp;

	if (s == NULL)
		return;
	*sp = NULL;
	if (s->fd >= 0)
		close(s->fd);
	g_free(s->wal_path);
	g_free(s->dir_path);
	g_free(s);
}

/* A new WAL file's directory entry must be durable too, or a power cut could lose the whole
 * file (SQLite does the same when it creates one with synchronous = FULL). */
static int sync_dir(struct store_syncer *s, char **error_r)
{
	int fd = open(s->dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0 || fsync(fd) < 0)
		ret = util_error(error_r, "fsync %s: %s", s->dir_path, g_strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Our descriptor names the WAL file that is there now: opened the first time, again if
 * SQLite replaced the file (it deletes the WAL when the last connection closes). */
static int ensure_fd(struct store_syncer *s, char **error_r)
{
	struct stat path_st, fd_st;

	if (stat(s->wal_path, &path_st) < 0)
		return util_error(error_r, "stat %s: %s", s->wal_path, g_strerror(errno));
	if (s->fd >= 0 && fstat(s->fd, &fd_st) == 0 && fd_st.st_ino == path_st.st_ino &&
	    fd_st.st_dev == path_st.st_dev)
		return 0;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = open(s->wal_path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return util_error(error_r, "open %s: %s", s->wal_path, g_strerror(errno));
	return sync_dir(s, error_r);
}

int store_syncer_sync(struct store_syncer *s, char **error_r)
{
	if (s->wal_path == NULL)
		return 0;
	if (ensure_fd(s, error_r) < 0)
		return -1;
	if (fdatasync(s->fd) < 0)
		return util_error(error_r, "fdatasync %s: %s", s->wal_path, g_strerror(errno));
	return 0;
}
