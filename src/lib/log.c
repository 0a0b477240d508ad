/* log: one line per event to stderr (foreground, tests) or syslog (daemons).
 * The level and sink are set once at start-up, before threads; log_msg() is then
 * thread-safe (a single fprintf/syslog call per line). When stderr is the journal (a
 * daemon run with -f by systemd), each line starts with its syslog priority "<N>"
 * (sd-daemon(3)), so journald keeps error/warning/info apart. */
#include "config.h"
#include "postdesk/lib.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>

static enum log_level log_max = LOG_LEVEL_INFO;
static gboolean log_syslog;

void log_use_syslog(const char *ident)
{
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	log_syslog = TRUE;
}

/* TRUE when stderr is the stream $JOURNAL_STREAM names ("DEV:INO", set by systemd for
 * the service's stdout/stderr); worked out once, on the first line logged. */
static gboolean log_stderr_is_journal(void)
{
	static gsize once;
	static gboolean journal;

	if (g_once_init_enter(&once)) {
		const char *env = getenv("JOURNAL_STREAM");
		struct stat st;
		unsigned long long dev, ino;

		journal = env != NULL && sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
			  fstat(2, &st) == 0 && (unsigned long long)st.st_dev == dev &&
			  (unsigned long long)st.st_ino == ino;
		g_once_init_leave(&once, 1);
	}
	return journal;
}

void log_set_level(enum log_level level)
{
	log_max = level;
}

enum log_level log_level_named(const char *name)
{
	if (g_strcmp0(name, "debug") == 0)
		return LOG_LEVEL_DEBUG;
	if (g_strcmp0(name, "warn") == 0)
		return LOG_LEVEL_WARN;
	if (g_strcmp0(name, "error") == 0)
		return LOG_LEVEL_ERROR;
	return LOG_LEVEL_INFO;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	va_list ap;
	char *text;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (log_syslog)
		syslog(prio[level], "%s", text);
	else if (log_stderr_is_journal())
		fprintf(stderr, "<%d>%s: %s\n", prio[level], names[level], text);
	else
		fprintf(stderr, "%s: %s: %s\n", g_get_prgname() ? g_get_prgname() : "postdesk",
			names[level], text);
	g_free(text);
}
