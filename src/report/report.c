/* report: the driver of the computation — a builder fed one ticket at a time (by the
 * store's stream, or by report_compute() from rows held in memory, cut into per-ticket
 * slices), then the day series of the charts laid out, the distributions turned into
 * statistics and the groups sorted. Also the small shared helpers: percentages,
 * nearest-rank statistics (date labels are in period.c). It calls compute.c, hist.c and
 * period.c; compute.c never calls back. Pure; the caller owns the struct report. */
#include "config.h"
#include "report-private.h"

#include <string.h>

double report_pct(gint64 num, gint64 den)
{
	return den > 0 ? 100.0 * (double)num / (double)den : -1;
}

double report_fcr_rate(const struct report_figures *f)
{
	return report_pct(f->fcr, f->resolved);
}

double report_self_service_rate(const struct report_figures *f)
{
	return report_pct(f->self_served, f->resolved);
}

double report_ces(const struct report_figures *f)
{
	return f->ces_count > 0 ? (double)f->ces_sum / (double)f->ces_count : -1;
}

double report_returning_rate(const struct report_figures *f)
{
	return report_pct(f->returning, f->customers);
}

double report_repeat_rate(const struct report_figures *f)
{
	return report_pct(f->repeat_contacts, f->created);
}

double report_csat(const struct report_figures *f)
{
	return report_pct(f->csat_satisfied, f->csat_count);
}

double report_survey_rate(const struct report_figures *f)
{
	return report_pct(f->surveys_answered, f->surveys_sent);
}

double report_nps(const struct report_figures *f)
{
	if (f->nps_count == 0)
		return -1000; /* NPS ranges -100..100: its own "none" */
	return report_pct(f->promoters, f->nps_count) - report_pct(f->detractors, f->nps_count);
}

double report_sla(const struct report_figures *f)
{
	return report_pct(f->sla_met, f->sla_met + f->sla_breached);
}

int report_by_parse(const char *word, enum report_by *by_r)
{
	static const char *const words[] = {"day", "week", "agent", "queue"};
	static const enum report_by values[] = {REPORT_BY_DAY, REPORT_BY_WEEK, REPORT_BY_AGENT,
						REPORT_BY_QUEUE};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(words); i++) {
		if (strcmp(word, words[i]) == 0) {
			*by_r = values[i];
			return 0;
		}
	}
	return -1;
}

static int cmp_i64(const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the p-th percentile is the value at rank ceil(p/100 * n) of the sorted
 * samples (so the median of 4 values is the 2nd). */
void report_durations_of(gint64 *v, gsize n, struct report_durations *d_r)
{
	gdouble sum = 0;
	gsize i;

	memset(d_r, 0, sizeof(*d_r));
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_i64);
	for (i = 0; i < n; i++)
		sum += (double)v[i];
	d_r->count = (gint64)n;
	d_r->mean = sum / (double)n;
	d_r->median = v[(n + 1) / 2 - 1];
	d_r->p90 = v[(9 * n + 9) / 10 - 1];
}

static void acc_finish(struct acc *a)
{
	struct report_durations *d[SAMPLES] = {&a->f->first_response, &a->f->reply,
					       &a->f->resolution};
	int i;

	for (i = 0; i < SAMPLES; i++)
		report_hist_stats(&a->samples[i], d[i]);
}

static void figures_free(gpointer p)
{
	struct report_figures *f = p;

	g_free(f->key);
	g_free(f);
}

static int cmp_groups(gconstpointer a, gconstpointer b)
{
	const struct report_figures *x = *(struct report_figures *const *)a;
	const struct report_figures *y = *(struct report_figures *const *)b;

	return strcmp(x->key, y->key);
}

/* The day series: from the start of the period (or its first ticket) to its last day, at
 * most MAX_DAYS (the latest ones), with the counters gathered per day. */
static void days_layout(struct ctx *c)
{
	gint64 first = c->opt->since, last, day0, n, i;

	if (first <= 0)
		first = MIN(c->opt->until - 1, c->first_created);
	last = report_floor_div(report_local(c->zone, c->opt->until - 1), DAY_SECONDS);
	day0 = report_floor_div(report_local(c->zone, first), DAY_SECONDS);
	if (day0 > last)
		day0 = last;
	if (last - day0 + 1 > MAX_DAYS)
		day0 = last - MAX_DAYS + 1;
	n = last - day0 + 1;
	g_array_set_size(c->r->days, (guint)n);
	for (i = 0; i < n; i++) {
		struct report_day *d = &g_array_index(c->r->days, struct report_day, i);
		gint64 key = day0 + i;
		const struct report_day *seen = g_hash_table_lookup(c->days, &key);

		if (seen != NULL)
			*d = *seen;
		d->day = key * DAY_SECONDS;
	}
}

/* Walk rows held in memory with one cursor per list; rows of tickets not in the list
 * (filtered out or foreign) are skipped. */
static void walk(struct ctx *c, const struct store_report_rows *rows)
{
	const struct store_report_ticket *t = (const void *)rows->tickets->data;
	const struct store_report_message *m = (const void *)rows->messages->data;
	const struct store_report_event *e = (const void *)rows->events->data;
	const struct store_report_wait *w = (const void *)rows->waits->data;
	const struct store_report_survey *sv = (const void *)rows->surveys->data;
	guint nm = rows->messages->len, ne = rows->events->len, ns = rows->surveys->len;
	guint nw = rows->waits->len, im = 0, ie = 0, iw = 0, is = 0, k;

	for (k = 0; k < rows->tickets->len; k++) {
		gint64 id = t[k].id;
		struct store_report_slice s = {0};

		while (im < nm && m[im].ticket_id < id)
			im++;
		/* Messages are in time order: the ones before the end are a prefix. */
		for (s.msgs = im < nm ? m + im : NULL; im < nm && m[im].ticket_id == id; im++)
			if (m[im].created < c->opt->until)
				s.n_msgs++;
		while (ie < ne && e[ie].ticket_id < id)
			ie++;
		for (s.events = ie < ne ? e + ie : NULL; ie < ne && e[ie].ticket_id == id; ie++)
			s.n_events++;
		while (iw < nw && w[iw].ticket_id < id)
			iw++;
		for (s.waits = iw < nw ? w + iw : NULL; iw < nw && w[iw].ticket_id == id; iw++)
			if (w[iw].answered < c->opt->until)
				s.n_waits++;
		while (is < ns && sv[is].ticket_id < id)
			is++;
		if (is < ns && sv[is].ticket_id == id)
			s.survey = &sv[is];
		report_ticket(c, &t[k], &s);
	}
}

/* Hold a reference to each business-hours queue's time zone while computing: GLib caches a
 * GTimeZone by identifier only while it is referenced, and loading a zone (its rules
 * expanded year by year) costs far more than the business-hours arithmetic done with it,
 * once per ticket. */
static GPtrArray *zones_hold(const struct report_options *opt)
{
	GPtrArray *zones = g_ptr_array_new_with_free_func((GDestroyNotify)g_time_zone_unref);
	guint i;

	for (i = 0; opt->conf != NULL && i < opt->conf->queues->len; i++) {
		const struct conf_queue *q = g_ptr_array_index(opt->conf->queues, i);
		GTimeZone *tz;

		if (q->business_hours != NULL && q->timezone != NULL &&
		    (tz = g_time_zone_new_identifier(q->timezone)) != NULL)
			g_ptr_array_add(zones, tz);
	}
	return zones;
}

struct report_builder {
	struct ctx c;
};

struct report_builder *report_builder_new(const struct report_options *opt)
{
	struct report_builder *b = g_new0(struct report_builder, 1);
	struct ctx *c = &b->c;
	struct report *r = g_new0(struct report, 1);

	c->opt = opt;
	c->r = r;
	r->since = opt->since;
	r->until = opt->until;
	r->by = opt->by;
	r->groups = g_ptr_array_new_with_free_func(figures_free);
	r->days = g_array_new(FALSE, TRUE, sizeof(struct report_day));
	report_acc_init(&c->total, &r->total);
	r->total.key = g_strdup("total");
	c->groups = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, report_acc_free);
	c->days = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
	c->first_created = G_MAXINT64;
	c->zones = zones_hold(opt);
	c->bhours = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, report_bhours_free);
	return b;
}

void report_builder_zone(struct report_builder *b, GTimeZone *zone)
{
	if (b->c.r->zone != NULL)
		g_time_zone_unref(b->c.r->zone);
	b->c.r->zone = zone != NULL ? g_time_zone_ref(zone) : NULL;
	b->c.zone = b->c.r->zone;
}

void report_builder_add(const struct store_report_ticket *t, const struct store_report_slice *s,
			void *builder)
{
	report_ticket(&((struct report_builder *)builder)->c, t, s);
}

struct report *report_builder_finish(struct report_builder **bp)
{
	struct report_builder *b = *bp;
	struct ctx *c = &b->c;
	struct report *r = c->r;
	GHashTableIter it;
	gpointer v;

	*bp = NULL;
	g_hash_table_destroy(c->bhours);
	g_ptr_array_unref(c->zones);
	days_layout(c);
	g_hash_table_destroy(c->days);
	acc_finish(&c->total);
	g_hash_table_iter_init(&it, c->groups);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct acc *a = v;

		acc_finish(a);
		g_ptr_array_add(r->groups, a->f); /* the report takes the figures */
		a->f = NULL;
	}
	g_ptr_array_sort(r->groups, cmp_groups);
	g_hash_table_destroy(c->groups);
	for (int i = 0; i < SAMPLES; i++)
		report_hist_clear(&c->total.samples[i]);
	g_free(b);
	return r;
}

struct report *report_compute(const struct store_report_rows *rows,
			      const struct report_options *opt)
{
	struct report_builder *b = report_builder_new(opt);

	walk(&b->c, rows);
	return report_builder_finish(&b);
}

void report_free(struct report **rp)
{
	struct report *r = *rp;

	if (r == NULL)
		return;
	*rp = NULL;
	g_free(r->total.key);
	g_ptr_array_unref(r->groups);
	g_array_unref(r->days);
	if (r->zone != NULL)
		g_time_zone_unref(r->zone);
	g_free(r);
}
