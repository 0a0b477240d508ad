/* report-private: what the report module's .c files share — the accumulation context of
 * report_compute() and small date helpers. Not included outside src/report/. */
#ifndef POSTDESK_REPORT_PRIVATE_H
#define POSTDESK_REPORT_PRIVATE_H

#include "postdesk/report.h"

#define DAY_SECONDS 86400
#define MAX_DAYS 731

enum sample { SAMPLE_FRT, SAMPLE_REPLY, SAMPLE_RESOLUTION, SAMPLES };

/* hist.c: a distribution of durations in bounded memory (see there for the error bound). */
#define HIST_SUB 64	 /* buckets per power of two */
#define HIST_OCTAVES 40 /* 1 s .. 2^40 s; larger values share the last bucket */
struct report_hist_bucket {
	gint64 count, min, max;
};
struct report_hist {
	gint64 count;
	double sum;
	struct report_hist_bucket low;		      /* values below 1 s */
	struct report_hist_bucket *oct[HIST_OCTAVES]; /* HIST_SUB each, or NULL */
};
void report_hist_add(struct report_hist *h, gint64 v);
void report_hist_stats(const struct report_hist *h, struct report_durations *d_r);
void report_hist_clear(struct report_hist *h);

/* bhours.c: a queue's business hours with the windows of the days visited kept (exactly
 * conf_business_seconds() and conf_business_add(), without asking the time-zone database
 * again for each ticket). */
struct report_bhours {
	const struct conf_queue *q;
	GHashTable *days; /* UTC day number -> its windows */
};
struct report_bhours *report_bhours_new(const struct conf_queue *q);
void report_bhours_free(gpointer b);
gint64 report_bhours_seconds(struct report_bhours *b, gint64 from, gint64 to);
gint64 report_bhours_add(struct report_bhours *b, gint64 from, gint64 seconds);

/* A group being accumulated: its figures and the distributions behind the statistics. */
struct acc {
	struct report_figures *f;
	struct report_hist samples[SAMPLES];
};

/* A report being built (struct report_builder in report.h): one ticket at a time. */
struct ctx {
	const struct report_options *opt;
	struct report *r;
	struct acc total;
	GHashTable *groups;	/* key -> struct acc * (key owned by acc->f) */
	GHashTable *days;	/* day number -> struct report_day * (laid out at the end) */
	gint64 first_created;	/* earliest ticket seen, for the day series */
	GPtrArray *zones;	/* time zones held while computing (report.c) */
	GHashTable *bhours;	/* struct conf_queue * -> struct report_bhours * */
	const char *queue_name; /* one-entry cache of conf_queue_by_name() */
	const struct conf_queue *queue;
	GTimeZone *zone;	/* the days' zone (r->zone), NULL: UTC */
};

/* Call order inside the module (a file calls only files listed before it):
 *   period.c, hist.c, bhours.c -> compute.c -> report.c -> format.c -> html.c */

void report_acc_init(struct acc *a, struct report_figures *f);
void report_acc_free(gpointer p);
/* Add one ticket's figures to the context (compute.c). */
void report_ticket(struct ctx *c, const struct store_report_ticket *t,
		   const struct store_report_slice *s);

/* period.c, a leaf below report.c, compute.c and the output formats: floor division
 * (times before 1970 too). */
gint64 report_floor_div(gint64 a, gint64 b);
/* "YYYY-MM-DD" of the UTC day of t / of the Monday starting t's week; buf >= 16 bytes. */
void report_day_label(gint64 t, char *buf);
/* t moved by zone's offset at t (NULL: UTC, t itself): floor-dividing it by DAY_SECONDS gives
 * the local day; the labels of report_day_label()/report_week_label() are then local. */
gint64 report_local(GTimeZone *zone, gint64 t);
void report_week_label(gint64 t, char *buf);

/* "45s", "12m", "3h05m", "2d04h"; buf >= 16 bytes. */
void report_format_duration(gint64 s, char *buf);

#endif
