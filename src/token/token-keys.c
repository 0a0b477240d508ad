/* token-keys: the token key file. Text, one key per line
 * "<version> <64 hex digits>[ created=<unix time>][ expires=<unix time>]", newest first,
 * mode 0600 (or root:<the daemons' group> 0640; the daemons read it before they give root
 * up, so it may be root's: doc/privileges.md). Files without the times, from before key
 * rotation, still load. Rotation puts a new key in front and gives the older ones an end
 * (expires); prune drops ended keys. Keys are held in one sodium_malloc'ed block (guard pages,
 * mlock'ed, zeroed on free) that is made read-only once loaded, so any thread may use a
 * loaded ring without locks. sodium_init() runs once per process (GOnce). */
#include "config.h"
#include "postdesk/lib.h"
#include "token-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_FILE_MAX 65536 /* far more than TOKEN_MAX_KEYS lines */
#define TOKEN_LINE_MAX (10 + 1 + 2 * TOKEN_KEY_BYTES + 2 * (9 + 20) + 1)

static gpointer token_init_once(gpointer data)
{
	return GINT_TO_POINTER(sodium_init() < 0 ? -1 : 1);
}

int token_sodium_init(char **error_r)
{
	static GOnce once = G_ONCE_INIT;

	if (GPOINTER_TO_INT(g_once(&once, token_init_once, NULL)) < 0)
		return util_error(error_r, "libsodium could not be initialised");
	return 0;
}

static struct token_keys *token_ring_new(void)
{
	struct token_keys *ring = sodium_malloc(sizeof(*ring));

	if (ring == NULL)
		g_error("sodium_malloc: out of memory"); /* allocation aborts, as elsewhere */
	sodium_memzero(ring, sizeof(*ring));
	return ring;
}

void token_keys_free(struct token_keys **keys)
{
	if (*keys == NULL)
		return;
	sodium_free(*keys); /* makes the block writable, zeroes and unmaps it */
	*keys = NULL;
}

struct token_keys *token_keys_dup(const struct token_keys *keys)
{
	struct token_keys *ring = token_ring_new();

	memcpy(ring, keys, sizeof(*ring));
	sodium_mprotect_readonly(ring);
	return ring;
}


/* The optional " created=<t> expires=<t>" after a key's hex digits; FALSE if malformed. */
static gboolean token_parse_times(const char *p, struct token_key *k)
{
	static const char *const names[] = {"created=", "expires="};
	gint64 *fields[] = {&k->created, &k->expires};

	for (;;) {
		gboolean known = FALSE;
		char *end;

		p += strspn(p, " \t\r");
		if (*p == '\0')
			return TRUE;
		for (size_t i = 0; i < G_N_ELEMENTS(names) && !known; i++) {
			if (!g_str_has_prefix(p, names[i]) || !g_ascii_isdigit(p[strlen(names[i])]))
				continue;
			*fields[i] = g_ascii_strtoll(p + strlen(names[i]), &end, 10);
			if (*fields[i] <= 0 || (*end != '\0' && strchr(" \t\r", *end) == NULL))
				return FALSE;
			p = end;
			known = TRUE;
		}
		if (!known)
			return FALSE;
	}
}

/* One line "<version> <hex>[ created=<t>][ expires=<t>]" into ring->keys[ring->count]. */
static int token_parse_line(const char *line, struct token_keys *ring, char **msg_r)
{
	struct token_key *k = &ring->keys[ring->count];
	const char *p = line, *hex_end;
	guint64 v = 0;
	size_t bin_len;

	while (g_ascii_isdigit(*p) && v <= G_MAXUINT32)
		v = v * 10 + (guint64)(*p++ - '0');
	if (p == line || v == 0 || v > G_MAXUINT32 || (*p != ' ' && *p != '\t'))
		return util_error(msg_r, "expected \"<version> <64 hex digits>\"");
	while (*p == ' ' || *p == '\t')
		p++;
	if (sodium_hex2bin(k->key, sizeof(k->key), p, strlen(p), NULL, &bin_len, &hex_end) != 0 ||
	    bin_len != sizeof(k->key) || (*hex_end != '\0' && strchr(" \t\r", *hex_end) == NULL) ||
	    !token_parse_times(hex_end, k))
		return util_error(msg_r, "expected %d hex digits after the version (then "
					 "optional created=TIME expires=TIME)",
				  2 * TOKEN_KEY_BYTES);
	for (size_t i = 0; i < ring->count; i++)
		if (ring->keys[i].version == v)
			return util_error(msg_r, "key version %u appears twice", (unsigned)v);
	k->version = (guint32)v;
	ring->count++;
	return 0;
}

/* Parse the file text (in sodium memory) into ring; blank and '#' lines are skipped. */
static int token_parse_text(const char *path, char *text, struct token_keys *ring,
			    char **error_r)
{
	char *line = text, *next, *msg = NULL;
	int lineno = 0;

	for (; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		if (line[strspn(line, " \t\r")] == '\0' || line[0] == '#')
			continue;
		if (ring->count == TOKEN_MAX_KEYS)
			return util_error(error_r, "%s:%d: more than %d keys", path, lineno,
					  TOKEN_MAX_KEYS);
		if (token_parse_line(line, ring, &msg) < 0) {
			util_error(error_r, "%s:%d: %s", path, lineno, msg);
			g_free(msg);
			return -1;
		}
	}
	if (ring->count == 0)
		return util_error(error_r, "%s: no key in key file", path);
	return 0;
}

/* root:<group> 0640 (or 0440): the daemons read it through their group, nobody else,
 * and only root may change it. A root:root file must be 0600: its group is no one's. */
static gboolean token_mode_root_group(const struct stat *st)
{
	return st->st_uid == 0 && st->st_gid != 0 && (st->st_mode & 037) == 0;
}

/* Open path refusing symlinks and files others may read; the fd and its size. */
static int token_open_checked(const char *path, int *fd_r, size_t *size_r, char **error_r)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);

	if (fd < 0 && errno == ELOOP)
		return util_error(error_r, "%s: key file is a symbolic link: refused", path);
	if (fd < 0)
		return util_error(error_r, "%s: %s", path, g_strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return util_error(error_r, "%s: key file is not a regular file", path);
	}
	if ((st.st_mode & 077) != 0 && !token_mode_root_group(&st)) {
		close(fd);
		return util_error(error_r,
				  "%s: key file is accessible by group or others (mode %04o): "
				  "refused; chmod 600 it and consider rotating the key",
				  path, (unsigned)(st.st_mode & 07777));
	}
	if (st.st_size > TOKEN_FILE_MAX) {
		close(fd);
		return util_error(error_r, "%s: key file is too large", path);
	}
	*fd_r = fd;
	*size_r = (size_t)st.st_size;
	return 0;
}

int token_keys_load(const char *path, struct token_keys **keys_r, char **error_r)
{
	struct token_keys *ring;
	size_t size = 0, got = 0;
	ssize_t n = 0;
	char *text;
	int fd = -1, ret;

	if (token_sodium_init(error_r) < 0 || token_open_checked(path, &fd, &size, error_r) < 0)
		return -1;
	/* The hex text is as secret as the keys: keep it in sodium memory too. */
	text = sodium_malloc(size + 1);
	if (text == NULL)
		g_error("sodium_malloc: out of memory");
	while (got < size && (n = read(fd, text + got, size - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (n < 0) {
		sodium_free(text);
		return util_error(error_r, "%s: %s", path, g_strerror(errno));
	}
	text[got] = '\0';
	ring = token_ring_new();
	ret = token_parse_text(path, text, ring, error_r);
	sodium_free(text);
	if (ret < 0) {
		sodium_free(ring);
		return -1;
	}
	sodium_mprotect_readonly(ring);
	*keys_r = ring;
	return 0;
}

static int token_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n, len -= (size_t)n;
	}
	return fsync(fd);
}

/* Write text to a new file (O_EXCL) or, with replace, atomically over the old one. */
static int token_write_file(const char *path, gboolean replace, const char *text,
			    char **error_r)
{
	char *tmp = replace ? g_strdup_printf("%s.XXXXXX", path) : NULL;
	gboolean replace_owner = replace;
	struct stat old;
	int fd, ret = 0;

	if (replace && lstat(path, &old) < 0)
		replace_owner = FALSE;
	if (replace)
		fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
	else
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (!replace && errno == EEXIST)
			ret = util_error(error_r, "%s: key file exists: refusing to replace it "
						  "(force adds a new key in front)", path);
		else
			ret = util_error(error_r, "%s: %s", replace ? tmp : path,
					 g_strerror(errno));
		g_free(tmp);
		return ret;
	}
	/* root rotating the daemons' key file: the new file keeps the old one's owner and
	 * mode (root:<the daemons' group> 0640 must stay readable by the group, or a reload
	 * of the daemons cannot read the rotated key). Never more than 0640. */
	if (replace_owner && geteuid() == 0 && fchown(fd, old.st_uid, old.st_gid) < 0)
		ret = util_error(error_r, "%s: chown: %s", tmp, g_strerror(errno));
	else if (replace_owner && fchmod(fd, old.st_mode & 0640) < 0)
		ret = util_error(error_r, "%s: chmod: %s", tmp, g_strerror(errno));
	else if (token_write_all(fd, text, strlen(text)) < 0)
		ret = util_error(error_r, "%s: write: %s", replace ? tmp : path, g_strerror(errno));
	if (close(fd) < 0 && ret == 0)
		ret = util_error(error_r, "%s: close: %s", replace ? tmp : path, g_strerror(errno));
	if (ret == 0 && replace && rename(tmp, path) < 0)
		ret = util_error(error_r, "%s: rename: %s", path, g_strerror(errno));
	if (ret < 0)
		unlink(replace ? tmp : path);
	g_free(tmp);
	return ret;
}

/* Key file text for ring, in sodium memory (the caller sodium_free's it). */
static char *token_format(const struct token_keys *ring)
{
	size_t size = ring->count * TOKEN_LINE_MAX + 1, off = 0;
	char *text = sodium_malloc(size);

	if (text == NULL)
		g_error("sodium_malloc: out of memory");
	for (size_t i = 0; i < ring->count; i++) {
		off += (size_t)snprintf(text + off, size - off, "%u ", ring->keys[i].version);
		sodium_bin2hex(text + off, size - off, ring->keys[i].key, TOKEN_KEY_BYTES);
		off += 2 * TOKEN_KEY_BYTES;
		if (ring->keys[i].created != 0)
			off += (size_t)snprintf(text + off, size - off, " created=%" G_GINT64_FORMAT,
						ring->keys[i].created);
		if (ring->keys[i].expires != 0)
			off += (size_t)snprintf(text + off, size - off, " expires=%" G_GINT64_FORMAT,
						ring->keys[i].expires);
		text[off++] = '\n';
	}
	text[off] = '\0';
	return text;
}

/* A new key in front of the keys of path (if old_path_exists), created at now; with
 * grace_s >= 0 the older keys that have no end yet end at now + grace_s. */
static int token_keys_add(const char *path, gboolean replace, gint64 now, gint64 grace_s,
			  char **error_r)
{
	struct token_keys *old = NULL, *ring;
	guint64 version = 1;
	char *text;
	int ret;

	if (token_sodium_init(error_r) < 0)
		return -1;
	if (replace && token_keys_load(path, &old, error_r) < 0)
		return -1;
	ring = token_ring_new();
	for (size_t i = 0; old != NULL && i < old->count; i++)
		version = MAX(version, (guint64)old->keys[i].version + 1);
	if (version > G_MAXUINT32) {
		token_keys_free(&old);
		sodium_free(ring);
		return util_error(error_r, "%s: key versions exhausted", path);
	}
	ring->keys[0].version = (guint32)version;
	randombytes_buf(ring->keys[0].key, TOKEN_KEY_BYTES);
	ring->keys[0].created = now;
	ring->count = 1;
	/* Older keys follow the new one; past TOKEN_MAX_KEYS the oldest is dropped. */
	for (size_t i = 0; old != NULL && i < old->count && ring->count < TOKEN_MAX_KEYS; i++) {
		struct token_key *k = &ring->keys[ring->count++];
		*k = old->keys[i];
		if (grace_s >= 0 && k->expires == 0)
			k->expires = now + grace_s;
	}
	token_keys_free(&old);
	text = token_format(ring);
	sodium_free(ring);
	ret = token_write_file(path, replace, text, error_r);
	sodium_free(text);
	return ret;
}

int token_keys_create(const char *path, gboolean force, char **error_r)
{
	struct stat st;

	return token_keys_add(path, force && lstat(path, &st) == 0, clock_now(), -1, error_r);
}

int token_keys_rotate(const char *path, gint64 now, gint64 grace_s, char **error_r)
{
	return token_keys_add(path, TRUE, now, MAX(grace_s, 0), error_r);
}

int token_keys_prune(const char *path, gint64 now, guint *dropped_r, char **error_r)
{
	struct token_keys *ring = NULL, *kept;
	char *text;
	int ret = 0;

	*dropped_r = 0;
	if (token_keys_load(path, &ring, error_r) < 0)
		return -1;
	kept = token_ring_new();
	for (size_t i = 0; i < ring->count; i++) {
		if (i > 0 && ring->keys[i].expires != 0 && ring->keys[i].expires <= now)
			(*dropped_r)++;
		else
			kept->keys[kept->count++] = ring->keys[i];
	}
	token_keys_free(&ring);
	if (*dropped_r > 0) {
		text = token_format(kept);
		ret = token_write_file(path, TRUE, text, error_r);
		sodium_free(text);
	}
	sodium_free(kept);
	return ret;
}

gboolean token_keys_info(const struct token_keys *keys, guint i, struct token_key_info *info_r)
{
	if (i >= keys->count)
		return FALSE;
	info_r->version = keys->keys[i].version;
	info_r->created = keys->keys[i].created;
	info_r->expires = keys->keys[i].expires;
	return TRUE;
}

void token_random(void *buf, gsize n)
{
	/* sodium_init() is idempotent and thread-safe behind our GOnce; randombytes_buf
	 * works without it too (it then opens the system source itself). */
	(void)token_sodium_init(NULL);
	randombytes_buf(buf, n);
}
