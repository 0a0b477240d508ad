/* report: report_compute()'s driver — cuts the store's rows into per-ticket slices (the four
 * lists are ordered by ticket, so one cursor each), lays out the day series of the charts,
 * then turns the accumulated samples into statistics and sorts the groups. Also the small
 * shared helpers: percentages, nearest-rank statistics (date labels are in period.c). It
 * calls compute.c and period.c; compute.c never calls back. Pure; the caller owns the
 * struct report. */
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
		report_durations_of((gint64 *)(void *)a->samples[i]->data, a->samples[i]->len,
				    d[i]);
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
 * most MAX_DAYS (the latest ones). */
static void days_init(struct ctx *c, const struct store_report_rows *rows)
{
	gint64 first = c->opt->since, last, n, i;
	guint k;

	if (first <= 0) {
		first = c->opt->until - 1;
		for (k = 0; k < rows->tickets->len; k++) {
			gint64 t =
			    g_array_index(rows->tickets, struct store_report_ticket, k).created;
			if (t < first)
				first = t;
		}
	}
	last = report_floor_div(c->opt->until - 1, DAY_SECONDS);
	c->day0 = report_floor_div(first, DAY_SECONDS);
	if (c->day0 > last)
		c->day0 = last;
	if (last - c->day0 + 1 > MAX_DAYS)
		c->day0 = last - MAX_DAYS + 1;
	n = last - c->day0 + 1;
	g_array_set_size(c->r->days, (guint)n);
	for (i = 0; i < n; i++)
		g_array_index(c->r->days, struct report_day, i).day = (c->day0 + i) * DAY_SECONDS;
}

/* Walk the tickets with one cursor per list; rows of tickets not in the list (filtered out
 * or foreign) are skipped. */
static void walk(struct ctx *c, const struct store_report_rows *rows)
{
	const struct store_report_ticket *t = (const void *)rows->tickets->data;
	const struct store_report_message *m = (const void *)rows->messages->data;
	const struct store_report_event *e = (const void *)rows->events->data;
	const struct store_report_survey *sv = (const void *)rows->surveys->data;
	guint nm = rows->messages->len, ne = rows->events->len, ns = rows->surveys->len;
	guint im = 0, ie = 0, is = 0, k;

	for (k = 0; k < rows->tickets->len; k++) {
		gint64 id = t[k].id;
		struct report_slice s = {0};

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

struct report *report_compute(const struct store_report_rows *rows,
			      const struct report_options *opt)
{
	struct report *r = g_new0(struct report, 1);
	struct ctx c = {.opt = opt, .r = r};
	GPtrArray *zones = zones_hold(opt);
	GHashTableIter it;
	gpointer v;

	r->since = opt->since;
	r->until = opt->until;
	r->by = opt->by;
	r->groups = g_ptr_array_new_with_free_func(figures_free);
	r->days = g_array_new(FALSE, TRUE, sizeof(struct report_day));
	report_acc_init(&c.total, &r->total);
	r->total.key = g_strdup("total");
	c.groups = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, report_acc_free);
	days_init(&c, rows);
	walk(&c, rows);
	g_ptr_array_unref(zones);
	acc_finish(&c.total);
	g_hash_table_iter_init(&it, c.groups);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		acc_finish(v);
		g_ptr_array_add(r->groups, ((struct acc *)v)->f); /* the report takes the figures */
	}
	g_ptr_array_sort(r->groups, cmp_groups);
	g_hash_table_destroy(c.groups);
	for (int i = 0; i < SAMPLES; i++)
		g_array_unref(c.total.samples[i]);
	return r;
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
	g_free(r);
}
