/* period: the calendar arithmetic every file of the report module shares — floor division
 * and the UTC day and ISO-week labels that key the day and week groups. A leaf: it calls
 * nothing else in src/report, so report.c and compute.c (and the output formats) use it
 * without calling each other. Pure; safe from any thread. */
#include "config.h"
#include "report-private.h"

gint64 report_floor_div(gint64 a, gint64 b)
{
	gint64 q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Civil date of a day number (days since 1970-01-01), Howard Hinnant's algorithm: no
 * time-zone database needed, UTC by definition. */
static void civil(gint64 days, char *buf)
{
	gint64 z = days + 719468, era = report_floor_div(z, 146097);
	gint64 doe = z - era * 146097;
	gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	gint64 mp = (5 * doy + 2) / 153;
	gint64 d = doy - (153 * mp + 2) / 5 + 1;
	gint64 m = mp < 10 ? mp + 3 : mp - 9;
	gint64 y = yoe + era * 400 + (m <= 2);

	g_snprintf(buf, 16, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

gint64 report_local(GTimeZone *zone, gint64 t)
{
	if (zone == NULL)
		return t;
	return t + g_time_zone_get_offset(
		       zone, g_time_zone_find_interval(zone, G_TIME_TYPE_UNIVERSAL, t));
}

void report_day_label(gint64 t, char *buf)
{
	civil(report_floor_div(t, DAY_SECONDS), buf);
}

void report_week_label(gint64 t, char *buf)
{
	gint64 day = report_floor_div(t, DAY_SECONDS);

	/* Day 0 was a Thursday: Monday is 3 days before it. */
	civil(day - (day + 3 - report_floor_div(day + 3, 7) * 7), buf);
}
