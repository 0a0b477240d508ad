/* bhours: business-hours arithmetic for the report, with the business windows of the days
 * it visits kept, per queue, by UTC day. A report measures every ticket against the same
 * few hundred days, and asking the time-zone database again for each of a million tickets
 * was most of its time (perf: 55 % in GLib's time-zone code). A UTC day overlaps at most
 * two local days, so it holds at most two windows (from conf_business_day()); the sums and
 * the walk below give exactly what conf_business_seconds() and conf_business_add() give,
 * clipped to UTC days instead of local ones. Memory: one entry per queue and day visited.
 * A leaf of the report module; owned by the report being built; no shared state. */
#include "config.h"
#include "report-private.h"

/* The window search stops after this many days, as conf's does (a target that long is
 * nonsense). */
#define BHOURS_MAX_DAYS (3650 * 8)

struct bday {
	gint64 day; /* UTC day number: the key */
	int n;
	gint64 open[2], close[2];
};

struct report_bhours *report_bhours_new(const struct conf_queue *q)
{
	struct report_bhours *b = g_new0(struct report_bhours, 1);

	b->q = q;
	b->days = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
	return b;
}

void report_bhours_free(gpointer p)
{
	struct report_bhours *b = p;

	g_hash_table_destroy(b->days);
	g_free(b);
}

/* The windows of the local days overlapping UTC day u, in time order. */
static const struct bday *bday_of(struct report_bhours *b, gint64 u)
{
	struct bday *d = g_hash_table_lookup(b->days, &u);
	gint64 start = u * DAY_SECONDS, end = start + DAY_SECONDS, t = start, next;

	if (d != NULL)
		return d;
	d = g_new0(struct bday, 1);
	d->day = u;
	/* The local day holding the UTC midnight, then the one starting before the next. */
	for (int i = 0; i < 2 && t < end; i++, t = next) {
		gint64 open, close;
		int open_day = conf_business_day(b->q, t, &next, &open, &close);

		if (open_day < 0 || next <= t)
			break;
		if (open_day == 1 && open < end && close > start) {
			d->open[d->n] = open;
			d->close[d->n] = close;
			d->n++;
		}
	}
	g_hash_table_insert(b->days, &d->day, d);
	return d;
}

gint64 report_bhours_seconds(struct report_bhours *b, gint64 from, gint64 to)
{
	gint64 sum = 0;

	if (to <= from)
		return 0;
	for (gint64 u = report_floor_div(from, DAY_SECONDS); u * DAY_SECONDS < to; u++) {
		const struct bday *d = bday_of(b, u);
		gint64 lo = MAX(from, u * DAY_SECONDS), hi = MIN(to, (u + 1) * DAY_SECONDS);

		for (int i = 0; i < d->n; i++) {
			gint64 a = MAX(d->open[i], lo), e = MIN(d->close[i], hi);

			if (a < e)
				sum += e - a;
		}
	}
	return sum;
}

gint64 report_bhours_add(struct report_bhours *b, gint64 from, gint64 seconds)
{
	gint64 left = seconds, u = report_floor_div(from, DAY_SECONDS);

	if (seconds <= 0)
		return from;
	for (int k = 0; k < BHOURS_MAX_DAYS; k++, u++) {
		const struct bday *d = bday_of(b, u);
		gint64 lo = MAX(from, u * DAY_SECONDS), hi = (u + 1) * DAY_SECONDS;

		for (int i = 0; i < d->n; i++) {
			gint64 s = MAX(d->open[i], lo), e = MIN(d->close[i], hi);

			if (s < e) {
				if (left <= e - s)
					return s + left;
				left -= e - s;
			}
		}
	}
	return conf_business_add(b->q, from, seconds); /* past the cap: as conf says */
}
