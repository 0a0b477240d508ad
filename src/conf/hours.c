/* hours: business-hours arithmetic for first-response targets — "N business seconds after
 * t" and "business seconds between a and b" for a queue's business_hours ("mon-fri
 * 09:00-17:00", already validated and normalised by conf) in its time zone. Walks the
 * calendar one local day at a time with GDateTime, so DST changes fall where the zone puts
 * them. Also the local day of a time (the daily digest's "is it a business day, is it
 * digest_time yet"). Pure functions, no state: any thread. */
#include "config.h"
#include "postdesk/conf.h"

#include <stdio.h>
#include <string.h>

/* Longest walk: 3650 days of calendar covers every configurable target (365 d of business
 * time at one short day a week would need more, but a target that long is nonsense). */
#define HOURS_MAX_DAYS (3650 * 8)

struct hours {
	guint8 days;   /* bit 0 = monday ... bit 6 = sunday */
	int open_min;  /* minutes after local midnight */
	int close_min; /* <= 1440 */
	GTimeZone *tz;
};

static const char *const hours_days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static int hours_day(const char *s)
{
	for (int i = 0; i < 7; i++)
		if (strncmp(s, hours_days[i], 3) == 0)
			return i;
	return -1;
}

/* The normalised form is "ddd[-ddd] HH:MM-HH:MM": FALSE for anything else (then 24x7). */
static gboolean hours_parse(const struct conf_queue *q, struct hours *h)
{
	const char *s = q->business_hours;
	int d1, d2, h1, m1, h2, m2;
	const char *sp;

	if (s == NULL || (sp = strchr(s, ' ')) == NULL || (d1 = hours_day(s)) < 0)
		return FALSE;
	d2 = d1;
	if (s[3] == '-' && (d2 = hours_day(s + 4)) < 0)
		return FALSE;
	if (sscanf(sp + 1, "%d:%d-%d:%d", &h1, &m1, &h2, &m2) != 4)
		return FALSE;
	h->open_min = h1 * 60 + m1;
	h->close_min = h2 * 60 + m2;
	if (h->open_min < 0 || h->close_min > 1440 || h->open_min >= h->close_min)
		return FALSE;
	h->days = 0;
	for (int d = d1;; d = (d + 1) % 7) {
		h->days |= 1u << d;
		if (d == d2)
			break;
	}
	h->tz = q->timezone != NULL ? g_time_zone_new_identifier(q->timezone) : NULL;
	if (h->tz == NULL)
		h->tz = g_time_zone_new_utc();
	return TRUE;
}

/* The business window [*open_r, *close_r) of the local day starting at day (a local
 * midnight); FALSE if that day is closed. */
static gboolean hours_window(const struct hours *h, GDateTime *day, gint64 *open_r,
			     gint64 *close_r)
{
	int y, mo, d;
	GDateTime *t;

	if ((h->days & (1u << (g_date_time_get_day_of_week(day) - 1))) == 0)
		return FALSE;
	g_date_time_get_ymd(day, &y, &mo, &d);
	t = g_date_time_new(h->tz, y, mo, d, h->open_min / 60, h->open_min % 60, 0);
	*open_r = g_date_time_to_unix(t);
	g_date_time_unref(t);
	if (h->close_min == 1440) {
		t = g_date_time_add_days(day, 1);
	} else {
		t = g_date_time_new(h->tz, y, mo, d, h->close_min / 60, h->close_min % 60, 0);
	}
	*close_r = g_date_time_to_unix(t);
	g_date_time_unref(t);
	return TRUE;
}

/* Local midnight of the day holding t. */
static GDateTime *hours_day_start(const struct hours *h, gint64 t)
{
	GDateTime *local, *utc, *day;
	int y, mo, d;

	utc = g_date_time_new_from_unix_utc(t);
	local = g_date_time_to_timezone(utc, h->tz);
	g_date_time_get_ymd(local, &y, &mo, &d);
	day = g_date_time_new(h->tz, y, mo, d, 0, 0, 0);
	g_date_time_unref(utc);
	g_date_time_unref(local);
	return day;
}

/* The next local midnight after day (consumes day). */
static GDateTime *hours_next_day(const struct hours *h, GDateTime *day)
{
	GDateTime *next = g_date_time_add_days(day, 1);
	int y, mo, d;

	g_date_time_get_ymd(next, &y, &mo, &d);
	g_date_time_unref(next);
	g_date_time_unref(day);
	return g_date_time_new(h->tz, y, mo, d, 0, 0, 0);
}

gint64 conf_business_add(const struct conf_queue *q, gint64 from, gint64 seconds)
{
	struct hours h;
	GDateTime *day;
	gint64 left = seconds, result = from;

	if (seconds <= 0)
		return from;
	if (!hours_parse(q, &h))
		return from + seconds;
	day = hours_day_start(&h, from);
	for (int i = 0; i < HOURS_MAX_DAYS; i++) {
		gint64 open, close;

		if (hours_window(&h, day, &open, &close)) {
			gint64 start = MAX(open, from);
			if (start < close) {
				if (left <= close - start) {
					result = start + left;
					break;
				}
				left -= close - start;
			}
		}
		day = hours_next_day(&h, day);
		result = g_date_time_to_unix(day);
	}
	g_date_time_unref(day);
	g_time_zone_unref(h.tz);
	return result;
}

gint64 conf_business_seconds(const struct conf_queue *q, gint64 from, gint64 to)
{
	struct hours h;
	GDateTime *day;
	gint64 sum = 0;

	if (to <= from)
		return 0;
	if (!hours_parse(q, &h))
		return to - from;
	day = hours_day_start(&h, from);
	for (int i = 0; i < HOURS_MAX_DAYS && g_date_time_to_unix(day) < to; i++) {
		gint64 open, close;

		if (hours_window(&h, day, &open, &close)) {
			gint64 a = MAX(open, from), b = MIN(close, to);
			if (a < b)
				sum += b - a;
		}
		day = hours_next_day(&h, day);
	}
	g_date_time_unref(day);
	g_time_zone_unref(h.tz);
	return sum;
}

int conf_business_day(const struct conf_queue *q, gint64 t, gint64 *next_r, gint64 *open_r,
		      gint64 *close_r)
{
	struct hours h;
	GDateTime *day;
	int ret;

	if (!hours_parse(q, &h))
		return -1;
	day = hours_day_start(&h, t);
	ret = hours_window(&h, day, open_r, close_r) ? 1 : 0;
	day = hours_next_day(&h, day);
	*next_r = g_date_time_to_unix(day);
	g_date_time_unref(day);
	g_time_zone_unref(h.tz);
	return ret;
}

gboolean conf_local_day(const struct conf_queue *q, gint64 t, char **day_r, int *minute_r)
{
	struct hours h;
	gboolean parsed = hours_parse(q, &h), open;
	GTimeZone *tz = parsed ? g_time_zone_ref(h.tz) : NULL;
	GDateTime *utc, *local;

	if (tz == NULL && q->timezone != NULL)
		tz = g_time_zone_new_identifier(q->timezone);
	if (tz == NULL)
		tz = g_time_zone_new_utc();
	utc = g_date_time_new_from_unix_utc(t);
	local = g_date_time_to_timezone(utc, tz);
	*day_r = g_date_time_format(local, "%Y-%m-%d");
	*minute_r = g_date_time_get_hour(local) * 60 + g_date_time_get_minute(local);
	/* Without business_hours every day is a working day, as for the targets. */
	open = !parsed || (h.days & (1u << (g_date_time_get_day_of_week(local) - 1))) != 0;
	g_date_time_unref(local);
	g_date_time_unref(utc);
	if (parsed)
		g_time_zone_unref(h.tz);
	g_time_zone_unref(tz);
	return open;
}

int conf_digest_minute(const struct conf *conf)
{
	const char *s = conf->digest_time;

	/* Exactly "HH:MM": two digits, a colon, two digits, nothing more. */
	if (s == NULL || strlen(s) != 5 || !g_ascii_isdigit(s[0]) || !g_ascii_isdigit(s[1]) ||
	    s[2] != ':' || !g_ascii_isdigit(s[3]) || !g_ascii_isdigit(s[4]))
		return -1;
	int hh = (s[0] - '0') * 10 + (s[1] - '0'), mm = (s[3] - '0') * 10 + (s[4] - '0');
	if (hh > 23 || mm > 59)
		return -1;
	return hh * 60 + mm;
}
