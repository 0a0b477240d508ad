/* service: tell the service manager (systemd, sd_notify(3)) how a daemon is doing: ready,
 * reloading, stopping, a status line. Without libsystemd at build time (configure
 * --without-systemd) every call does nothing, and the units run the daemons as
 * Type=simple. Outside systemd ($NOTIFY_SOCKET unset) libsystemd does nothing either.
 * Owns nothing; any thread may call (sd_notify sends one datagram per call). Not
 * async-signal-safe: call from the code that acts on a signal, not from its handler. */
#include "config.h"
#include "postdesk/lib.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

static void service_send(const char *state)
{
#ifdef HAVE_LIBSYSTEMD
	(void)sd_notify(0, state);
#else
	(void)state;
#endif
}

void service_ready(void)
{
	service_send("READY=1");
}

void service_reloading(void)
{
	service_send("RELOADING=1");
}

void service_stopping(void)
{
	service_send("STOPPING=1");
}

void service_status(const char *fmt, ...)
{
	va_list ap;
	char *text, *state;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	state = g_strdup_printf("STATUS=%s", text);
	service_send(state);
	g_free(state);
	g_free(text);
}
