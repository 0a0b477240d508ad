/* log: one line per event to stderr (foreground, tests) or syslog (daemons).
 * The level and sink are set once at start-up, before threads; log_msg() is then
 * thread-safe (a single fprintf/syslog call per line). */
#include "config.h"
#include "postdesk/lib.h"

#include <stdio.h>
#include <syslog.h>

static enum log_level log_max = LOG_LEVEL_INFO;
static gboolean log_syslog;

void log_use_syslog(const char *ident)
{
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
	log_syslog = TRUE;
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
	else
		fprintf(stderr, "%s: %s: %s\n", g_get_prgname() ? g_get_prgname() : "postdesk",
			names[level], text);
	g_free(text);
}
