/* lib: logging, the delivery verdict shared by every edge, the clock and small helpers.
 * Depends on GLib only. Error convention for the whole tree: functions return int,
 * -1 error (reason in *error_r, a g_malloc'ed string the caller frees with g_free),
 * 0 ok / not found, 1 found. */
#ifndef POSTDESK_LIB_H
#define POSTDESK_LIB_H

#include <glib.h>
#include <stdarg.h>
#include <stdint.h>

/* ---- logging (stderr or syslog); safe from any thread ---- */
enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
/* Send log lines to syslog (ident) instead of stderr; call once before threads start. */
void log_use_syslog(const char *ident);
void log_set_level(enum log_level level);
/* The level for a config value error|warn|info|debug (conf validated it); info otherwise. */
enum log_level log_level_named(const char *name);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* ---- the delivery verdict ----
 * Every edge (LMTP reply, milter SMFIS_*, CLI exit code) collapses its result into one of
 * these three, mapped exactly once by verdict_exit_code()/the LMTP and milter code. */
enum verdict_status { VERDICT_OK = 0, VERDICT_TEMPFAIL, VERDICT_PERMFAIL };
struct verdict {
	enum verdict_status status;
	int smtp;      /* basic reply code: 250, 451, 452, 550, 552, 554 */
	char enh[12];  /* enhanced status code, e.g. "5.7.1" */
	char text[256];/* human-readable reason, one line, no CR/LF */
};
/* Fill *v; text is printf-formatted and cut at one line. */
void verdict_set(struct verdict *v, enum verdict_status status, int smtp, const char *enh,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define verdict_ok(v, ...) verdict_set((v), VERDICT_OK, 250, "2.0.0", __VA_ARGS__)
/* sysexits code for a verdict: 0, EX_TEMPFAIL (75), EX_NOUSER (67) for 5.1.x, else EX_DATAERR (65). */
int verdict_exit_code(const struct verdict *v);

/* ---- clock ----
 * Wall-clock seconds since the epoch. Tests and `postdesk tick --now` inject a fixed time
 * with clock_set_fixed(); 0 restores the real clock. Not for use in threads that race a
 * change of the fixed time (set it once, before work starts). */
gint64 clock_now(void);
void clock_set_fixed(gint64 t);
/* ISO 8601 UTC ("2026-11-24T06:13:18Z"); g_malloc'ed. */
char *clock_format(gint64 t);
/* Parse ISO 8601 (with or without time / zone, or "@<epoch>"); -1 on error. */
int clock_parse(const char *s, gint64 *t_r, char **error_r);

/* ---- small helpers ---- */
/* Lower-case ASCII copy of an address (UTF-8 passes through); g_malloc'ed. */
char *util_addr_normalize(const char *addr);
/* 1 if s contains CR or LF (unsafe in a header value), else 0. */
int util_has_crlf(const char *s);
/* Read a whole file; -1 with error_r on failure. *data_r is g_malloc'ed and NUL-terminated. */
int util_read_file(const char *path, char **data_r, gsize *len_r, char **error_r);
/* Set *error_r (if error_r is not NULL) to a printf-formatted g_malloc'ed string; returns -1. */
int util_error(char **error_r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether a comma-separated list of flags ("a,b,c", as messages.flags) holds flag. */
gboolean util_flags_have(const char *flags, const char *flag);

/* ---- languages (src/lib/lang.c; doc/languages.md) ----
 * The languages postdesk ships templates for, declared once: the first is the fallback.
 * A language is named by its ISO 639-1 code, lower-case. X(code) */
#define LANG_CODES(X) X("en") X("de") X("fr") X("es") X("it") X("nl")
#define LANG_FALLBACK "en"
/* The index of code in LANG_CODES (case-insensitive), or -1 if it is not shipped. */
int lang_index(const char *code);
/* The static code of index i of LANG_CODES, or NULL past the end (i from 0 walks them). */
const char *lang_code(int i);
/* The shipped language a BCP 47 list names first ("de-CH, en;q=0.5" -> "de"; a
 * Content-Language value), or NULL if it names none of them. Static. */
const char *lang_from_tags(const char *tags);

/* ---- privileges (src/lib/privs.c; see doc/privileges.md) ----
 * Daemons: privs_umask() first (files they make are 0600, directories 0700), bind their
 * sockets, then privs_drop(). */
void privs_umask(void);
/* As root: switch for good to USER (initgroups, setgid, setuid, then check root cannot be
 * regained); with USER NULL or "" refuse: -1 with "refusing to run as root: set user = ...
 * in CONF_PATH". Not root: 0, nothing changes. */
int privs_drop(const char *user, const char *conf_path, char **error_r);
/* What privs_drop() would refuse (root without USER, an unknown or root USER), checked
 * without changing anything: daemons call it before daemon() so the error reaches the
 * terminal. */
int privs_check(const char *user, const char *conf_path, char **error_r);
/* As root with USER set: make USER owner of PATH (not followed if a symlink: refused);
 * otherwise 0 and nothing changes. postdesk init gives the database directory and files
 * to the daemons' user this way. */
int privs_chown_to_user(const char *path, const char *user, char **error_r);

/* ---- spool (src/lib/spool.c): a message's bytes, in memory up to a threshold, then in a
 * nameless file (O_TMPFILE, or mkstemp + unlink) in a spool directory ---- */
struct spool;
/* dir NULL: everything stays in memory. Owner: the caller (spool_free). */
struct spool *spool_new(const char *dir, gsize threshold);
void spool_free(struct spool **sp);
/* Append n bytes. -1 when the spool file cannot be made or written (disk full): the
 * reason stays in spool_error() and every later write is dropped. */
int spool_write(struct spool *sp, const void *data, gsize n);
gsize spool_len(const struct spool *sp);
/* The first failure (borrowed) and its errno, or NULL. */
const char *spool_error(const struct spool *sp, int *errno_r);
/* The spool file's descriptor (borrowed), or -1 while the bytes are in memory. */
int spool_fd(const struct spool *sp);
/* In memory only: the bytes, NUL-terminated, g_malloc'ed for the caller; the spool is
 * empty afterwards. */
char *spool_steal_data(struct spool *sp);
/* In a file only: its descriptor, now the caller's to close; the spool is empty. */
int spool_steal_fd(struct spool *sp);
/* pread() exactly n bytes at offset; -1 on error or end of file. */
int spool_read_at(int fd, gsize offset, void *buf, gsize n, char **error_r);
/* Make dir (0700) if missing; refuse one that is not a directory owned by us; tighten its
 * mode to 0700. Daemons call it after privs_drop(), so it belongs to their user. */
int spool_dir_prepare(const char *dir, char **error_r);

/* ---- zip (src/lib/zip.c): stored message bytes compressed with zlib (GIO), marked with
 * ZIP_MAGIC; bytes without the marker read as they are (rows stored before compression).
 * The only user of GIO's zlib converters. ---- */
#define ZIP_MAGIC "\0PZ\1"
#define ZIP_MAGIC_LEN 4
typedef void zip_chunk_fn(const void *data, gsize len, void *ctx);
/* TRUE when data starts with the marker (compressed by zip). */
gboolean zip_marked(const void *data, gsize len);
/* A stream, fed with zip_stream_write and ended with zip_stream_finish; every output chunk
 * goes to fn (borrowed until it returns). compress: marker + zlib (nothing at all for no
 * input). Else expand: marked input is decompressed, unmarked passes through unchanged.
 * Owner: the caller (zip_stream_free). */
struct zip_stream;
struct zip_stream *zip_stream_new(gboolean compress, zip_chunk_fn *fn, void *ctx);
/* -1 with *error_r on damaged compressed input (the stream is then unusable). */
int zip_stream_write(struct zip_stream *z, const void *data, gsize len, char **error_r);
int zip_stream_finish(struct zip_stream *z, char **error_r);
void zip_stream_free(struct zip_stream **zp);
/* The compressed form of data, new for the caller (empty for empty input). */
GBytes *zip_compress(const void *data, gsize len);
/* The original bytes of a stored value, new for the caller: unmarked data is copied as
 * is. -1 with *error_r when compressed data is damaged. */
int zip_expand(const void *data, gsize len, GBytes **out_r, char **error_r);
/* In place: *bytes (may be NULL) replaced by its original bytes when it is compressed. */
int zip_expand_bytes(GBytes **bytes, char **error_r);

/* ---- the service manager (service.c; sd_notify(3), no-ops without libsystemd) ----
 * READY=1 once serving; RELOADING=1 before a reload and service_ready() after it;
 * STOPPING=1 when a stop begins; STATUS= a one-line state. Not from signal handlers. */
void service_ready(void);
void service_reloading(void);
void service_stopping(void);
void service_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
