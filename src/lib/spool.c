/* spool: the bytes of one message as they arrive, in memory up to a threshold and past it
 * in a spool file, so a big message never sits in the heap. The file has no name from the
 * moment it exists (O_TMPFILE; else mkstemp and an unlink at once): a crash, a kill or a
 * failed delivery leaves nothing behind, and closing the descriptor frees the space.
 * Ownership: a spool owns its buffer and its file descriptor. Threading: one spool belongs
 * to one thread at a time. */
#include "config.h"
#include "postdesk/lib.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct spool {
	char *dir;       /* NULL: never spool */
	gsize threshold; /* bytes kept in memory before moving to a file */
	GByteArray *mem; /* the bytes while in memory (NULL once in the file) */
	int fd;          /* the spool file, -1 while in memory */
	gsize len;
	char *error;     /* first write failure; later writes are dropped */
	int error_errno;
};

struct spool *spool_new(const char *dir, gsize threshold)
{
	struct spool *sp = g_new0(struct spool, 1);

	sp->dir = g_strdup(dir);
	sp->threshold = threshold;
	sp->mem = g_byte_array_new();
	sp->fd = -1;
	return sp;
}

void spool_free(struct spool **spp)
{
	struct spool *sp = *spp;

	if (sp == NULL)
		return;
	*spp = NULL;
	if (sp->fd >= 0)
		close(sp->fd);
	if (sp->mem != NULL)
		g_byte_array_unref(sp->mem);
	g_free(sp->dir);
	g_free(sp->error);
	g_free(sp);
}

/* A file without a name in dir: O_TMPFILE where the file system has it, else a mkstemp()
 * file unlinked at once. Mode 0600 either way. */
static int spool_open(const char *dir, char **error_r)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	char *path;

	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return util_error(error_r, "spool file in %s: %s", dir, g_strerror(errno));
	path = g_build_filename(dir, "msg.XXXXXX", NULL);
	fd = g_mkstemp_full(path, O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		util_error(error_r, "spool file %s: %s", path, g_strerror(errno));
		g_free(path);
		return -1;
	}
	(void)unlink(path);
	g_free(path);
	return fd;
}

static int spool_write_fd(struct spool *sp, const guint8 *p, gsize n)
{
	while (n > 0) {
		ssize_t w = write(sp->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			sp->error_errno = errno;
			sp->error = g_strdup_printf("spool file write: %s", g_strerror(errno));
			return -1;
		}
		p += w;
		n -= (gsize)w;
	}
	return 0;
}

/* Past the threshold: the bytes so far go to a new spool file and the buffer is freed. */
static int spool_to_file(struct spool *sp)
{
	if ((sp->fd = spool_open(sp->dir, &sp->error)) < 0) {
		sp->error_errno = errno;
		return -1;
	}
	if (spool_write_fd(sp, sp->mem->data, sp->mem->len) < 0)
		return -1;
	g_byte_array_unref(sp->mem);
	sp->mem = NULL;
	return 0;
}

int spool_write(struct spool *sp, const void *data, gsize n)
{
	if (sp->error != NULL)
		return -1;
	if (n == 0)
		return 0;
	if (sp->fd < 0 && sp->dir != NULL && sp->len + n > sp->threshold &&
	    spool_to_file(sp) < 0)
		return -1;
	if (sp->fd >= 0) {
		if (spool_write_fd(sp, data, n) < 0)
			return -1;
	} else {
		g_byte_array_append(sp->mem, data, (guint)n);
	}
	sp->len += n;
	return 0;
}

gsize spool_len(const struct spool *sp)
{
	return sp->len;
}

const char *spool_error(const struct spool *sp, int *errno_r)
{
	if (errno_r != NULL)
		*errno_r = sp->error_errno;
	return sp->error;
}

int spool_fd(const struct spool *sp)
{
	return sp->fd;
}

char *spool_steal_data(struct spool *sp)
{
	guint8 nul = '\0';
	char *data;

	g_return_val_if_fail(sp->fd < 0 && sp->mem != NULL, NULL);
	g_byte_array_append(sp->mem, &nul, 1);
	data = (char *)g_byte_array_free(sp->mem, FALSE);
	sp->mem = g_byte_array_new();
	sp->len = 0;
	return data;
}

int spool_steal_fd(struct spool *sp)
{
	int fd = sp->fd;

	sp->fd = -1;
	sp->len = 0;
	return fd;
}

int spool_read_at(int fd, gsize offset, void *buf, gsize n, char **error_r)
{
	gsize done = 0;

	while (done < n) {
		ssize_t r = pread(fd, (guint8 *)buf + done, n - done, (off_t)(offset + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return util_error(error_r, "spool file read: %s", g_strerror(errno));
		if (r == 0)
			return util_error(error_r, "spool file read: %" G_GSIZE_FORMAT
					  " bytes short", n - done);
		done += (gsize)r;
	}
	return 0;
}

int spool_dir_prepare(const char *dir, char **error_r)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return util_error(error_r, "spool directory %s: %s", dir, g_strerror(errno));
	if (lstat(dir, &st) < 0)
		return util_error(error_r, "spool directory %s: %s", dir, g_strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return util_error(error_r, "spool directory %s: not a directory", dir);
	if (st.st_uid != geteuid())
		return util_error(error_r, "spool directory %s: owned by uid %u, not by us (%u)",
				  dir, (unsigned)st.st_uid, (unsigned)geteuid());
	if ((st.st_mode & 077) != 0 && chmod(dir, 0700) < 0)
		return util_error(error_r, "spool directory %s: chmod 0700: %s", dir,
				  g_strerror(errno));
	return 0;
}
