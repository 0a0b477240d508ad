/* report-private: what the report module's .c files share — the accumulation context of
 * report_compute() and small date helpers. Not included outside src/report/. */
#ifndef POSTDESK_REPORT_PRIVATE_H
#define POSTDESK_REPORT_PRIVATE_H

#include "postdesk/report.h"

#define DAY_SECONDS 86400
#define MAX_DAYS 731

enum sample { SAMPLE_FRT, SAMPLE_REPLY, SAMPLE_RESOLUTION, SAMPLES };

/* A group being accumulated: its figures and the raw durations behind the statistics. */
struct acc {
	struct report_figures *f;
	GArray *samples[SAMPLES]; /* gint64 seconds */
};

struct ctx {
	const struct report_options *opt;
	struct report *r;
	struct acc total;
	GHashTable *groups;	/* key -> struct acc * (key owned by acc->f) */
	gint64 day0;		/* first day of r->days, in days since the epoch */
	const char *queue_name; /* one-entry cache of conf_queue_by_name() */
	const struct conf_queue *queue;
};

/* One ticket's rows: messages before the end of the period (by time), events (by id),
 * its survey or NULL. */
struct report_slice {
	const struct store_report_message *msgs;
	gsize n_msgs;
	const struct store_report_event *events;
	gsize n_events;
	const struct store_report_survey *survey;
};

/* Call order inside the module (a file calls only files listed before it):
 *   period.c -> compute.c -> report.c -> format.c -> html.c */

void report_acc_init(struct acc *a, struct report_figures *f);
void report_acc_free(gpointer p);
/* Add one ticket's figures to the context (compute.c). */
void report_ticket(struct ctx *c, const struct store_report_ticket *t,
		   const struct report_slice *s);

/* period.c, a leaf below report.c, compute.c and the output formats: floor division
 * (times before 1970 too). */
gint64 report_floor_div(gint64 a, gint64 b);
/* "YYYY-MM-DD" of the UTC day of t / of the Monday starting t's week; buf >= 16 bytes. */
void report_day_label(gint64 t, char *buf);
void report_week_label(gint64 t, char *buf);

/* "45s", "12m", "3h05m", "2d04h"; buf >= 16 bytes. */
void report_format_duration(gint64 s, char *buf);

#endif
