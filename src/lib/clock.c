/* clock: wall-clock time with an injectable fixed value for tests and `tick --now`. */
#include "config.h"
#include "postdesk/lib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static gint64 clock_fixed; /* set before threads start, read-only afterwards */

gint64 clock_now(void)
{
	if (clock_fixed != 0)
		return clock_fixed;
	return g_get_real_time() / G_USEC_PER_SEC;
}

void clock_set_fixed(gint64 t)
{
	clock_fixed = t;
}

char *clock_format(gint64 t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s;

	if (dt == NULL)
		return g_strdup("invalid");
	s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
	g_date_time_unref(dt);
	return s;
}

int clock_parse(const char *s, gint64 *t_r, char **error_r)
{
	GDateTime *dt;
	GTimeZone *utc;
	const char *orig = s;
	char *full = NULL;
	char *end;

	if (s[0] == '@') {
		gint64 v;
		errno = 0;
		v = g_ascii_strtoll(s + 1, &end, 10);
		if (!g_ascii_isdigit(s[1]) || *end != '\0' || errno != 0)
			return util_error(error_r, "bad time '%s': expected @<seconds>", s);
		*t_r = v;
		return 0;
	}
	/* A bare date means its midnight, UTC. */
	if (strlen(s) == 10)
		s = full = g_strconcat(s, "T00:00:00Z", NULL);
	utc = g_time_zone_new_utc();
	dt = g_date_time_new_from_iso8601(s, utc);
	g_time_zone_unref(utc);
	g_free(full);
	if (dt == NULL)
		return util_error(error_r, "bad time '%s': expected YYYY-MM-DD[THH:MM:SS[Z]]", orig);
	*t_r = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return 0;
}
