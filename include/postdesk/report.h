/* report: help-desk metrics (doc/metrics.md defines every figure) computed in C from the
 * tickets the store streams (store_report_each) or from rows held in memory, and their output
 * as a text table, CSV, JSON and a self-contained HTML page with SVG charts.
 * report_compute() and the builder are pure: no database, no clock, no config file — tests
 * feed them rows made by hand. A struct report is owned by its caller (report_free); no shared state, any
 * thread. */
#ifndef POSTDESK_REPORT_H
#define POSTDESK_REPORT_H

#include <glib.h>
#include <stdio.h>

#include "postdesk/conf.h"
#include "postdesk/store.h"

enum report_by { REPORT_BY_NONE, REPORT_BY_DAY, REPORT_BY_WEEK, REPORT_BY_AGENT, REPORT_BY_QUEUE };

struct report_options {
	gint64 since; /* start of the period, inclusive (0: the beginning) */
	gint64 until; /* end, exclusive; also the "as of" instant of the backlog */
	enum report_by by;
	const struct conf *conf; /* queues' targets and business hours (conf_business_seconds);
				  * NULL: no targets, wall-clock time everywhere */
};

/* A distribution of durations in seconds (nearest-rank percentiles; in a report, within
 * the bounded error of doc/metrics.md). */
struct report_durations {
	gint64 count;
	gint64 median;
	gint64 p90;
	double mean;
};

enum report_backlog_status { REPORT_NEW, REPORT_OPEN, REPORT_PENDING, REPORT_STATUSES };
#define REPORT_AGE_BUCKETS 5 /* < 1 day, 1-3 days, 3-7 days, 7-30 days, >= 30 days */
#define REPORT_CES_MAX 7 /* customer effort score 1..7 */
#define REPORT_REPEAT_WINDOW (7 * 86400) /* a new ticket this soon after a resolution repeats */
#define REPORT_FRT_BUCKETS 7 /* < 15 min, < 1 h, < 4 h, < 8 h, < 24 h, < 3 days, >= 3 days */
extern const char *const report_age_labels[REPORT_AGE_BUCKETS];
extern const char *const report_frt_labels[REPORT_FRT_BUCKETS];
extern const char *const report_status_labels[REPORT_STATUSES];

/* The figures of one group (or of the whole period). Counts; percentages are derived with
 * report_pct() and the accessors below. */
struct report_figures {
	char *key; /* group label ("2026-03-02", "2026-W10", agent, queue) */
	gint64 created, resolved, reopened;
	gint64 backlog, backlog_status[REPORT_STATUSES], backlog_age[REPORT_AGE_BUCKETS];
	struct report_durations first_response, reply, resolution;
	gint64 unanswered; /* created in the period, no first response yet */
	gint64 fcr;	   /* resolved tickets that were first-contact resolutions */
	gint64 self_served; /* resolved tickets whose resolution was self-served (issue 14) */
	gint64 surveys_sent, surveys_answered;
	gint64 csat_count, csat_satisfied;
	gint64 nps_count, promoters, passives, detractors;
	gint64 ces_count, ces_sum, ces_hist[REPORT_CES_MAX + 1]; /* effort 1..7: [1..7] */
	gint64 sla_met, sla_breached;
	/* Retention (doc/metrics.md): customers with a ticket created in the period (counted
	 * where their first one is), those of them who had a ticket before, and new tickets
	 * created within REPORT_REPEAT_WINDOW after one of the customer's resolutions. */
	gint64 customers, returning, repeat_contacts;
};

/* One UTC day of the period, for the charts. */
struct report_day {
	gint64 day; /* seconds at 00:00 UTC */
	gint64 created;
	gint64 csat_count, csat_satisfied;
};

struct report {
	gint64 since, until;
	enum report_by by;
	struct report_figures total;
	GPtrArray *groups; /* struct report_figures *, sorted by key; empty for NONE */
	GArray *days;	   /* struct report_day, oldest first (at most 731), local days of zone */
	GTimeZone *zone;   /* report_builder_zone()'s (a reference), or NULL: UTC */
	gint64 frt_hist[REPORT_FRT_BUCKETS];
};

/* Compute the report of rows held in memory for opt. Never fails; free with report_free(). */
struct report *report_compute(const struct store_report_rows *rows,
			      const struct report_options *opt);
/* The same, fed one ticket at a time (tickets in id order; memory bounded by the groups and
 * days, not by the tickets): new, then report_builder_add() for each ticket (a
 * store_report_fn, so it can be handed to store_report_each() with the builder as its
 * context), then finish, which frees the builder and returns the report. opt is borrowed
 * until finish. */
struct report_builder;
struct report_builder *report_builder_new(const struct report_options *opt);
/* Before the first report_builder_add(): the days of the series and of --by day|week are
 * zone's local days (the HTML page: the queue's), not UTC's. The report keeps a reference. */
void report_builder_zone(struct report_builder *b, GTimeZone *zone);
void report_builder_add(const struct store_report_ticket *t, const struct store_report_slice *s,
			void *builder);
struct report *report_builder_finish(struct report_builder **b);
void report_free(struct report **r);

/* 100 * num / den, or -1 when den is 0 (shown as "-" / null). */
double report_pct(gint64 num, gint64 den);
double report_fcr_rate(const struct report_figures *f);	   /* fcr / resolved */
double report_self_service_rate(const struct report_figures *f); /* self_served / resolved */
double report_csat(const struct report_figures *f);	   /* % of answers that are 4-5 */
double report_survey_rate(const struct report_figures *f); /* answered / sent */
double report_nps(const struct report_figures *f);	   /* % promoters - % detractors */
double report_sla(const struct report_figures *f);	   /* met / (met + breached) */
double report_ces(const struct report_figures *f);	   /* mean effort 1..7, -1 none */
double report_returning_rate(const struct report_figures *f); /* returning / customers */
double report_repeat_rate(const struct report_figures *f);    /* repeat contacts / created */

/* Nearest-rank statistics of n durations; sorts v in place. */
void report_durations_of(gint64 *v, gsize n, struct report_durations *d_r);
/* "by" word (day|week|agent|queue) -> enum; -1 if unknown. */
int report_by_parse(const char *word, enum report_by *by_r);

/* Output (format.c, html.c). Text, CSV and JSON (pretty, doc/json.md) write to out; HTML
 * returns the whole page, g_malloc'ed, with every piece of stored text escaped. */
void report_write_text(const struct report *r, FILE *out);
void report_write_csv(const struct report *r, FILE *out);
void report_write_json(const struct report *r, FILE *out);
char *report_to_html(const struct report *r, const char *title);

/* ---- JSON writer (json.c): the one home of json-glib ----
 * Used by the report and by every --json of the admin tool. name is the member name inside
 * an object, NULL for an array element or the root. A NULL string and a 0 time or id are
 * written as null; times as ISO 8601 UTC. Owner: the caller; any thread, no shared state. */
struct report_json;
struct report_json *report_json_new(void);
void report_json_free(struct report_json **j);
void report_json_begin_object(struct report_json *j, const char *name);
void report_json_end_object(struct report_json *j);
void report_json_begin_array(struct report_json *j, const char *name);
void report_json_end_array(struct report_json *j);
void report_json_null(struct report_json *j, const char *name);
void report_json_str(struct report_json *j, const char *name, const char *value);
void report_json_int(struct report_json *j, const char *name, gint64 value);
void report_json_id(struct report_json *j, const char *name, gint64 id);
void report_json_double(struct report_json *j, const char *name, double value);
void report_json_bool(struct report_json *j, const char *name, gboolean value);
void report_json_time(struct report_json *j, const char *name, gint64 t);
/* The whole document as text (g_malloc'ed); j may not be written to afterwards. */
char *report_json_text(struct report_json *j, gboolean pretty);
/* Write the document to out, pretty, with a final newline; frees *j. */
void report_json_print(struct report_json **j, FILE *out);

/* ---- an order lookup's answer (order.c, issue 14, doc/orders.md) ----
 * The JSON object an order_lookup prints: status (or state, fulfillment_status), tracking
 * (or tracking_number, tracking_url), total (or total_price) with currency, items (objects
 * with name/title and quantity, or strings). Every field is "" when absent, free of control
 * characters and bounded in length (it goes into mail to agents). */
struct report_order {
	char *status, *tracking, *total, *items;
};
/* 0 with *o_r (caller frees), -1 when json is no JSON object ("not JSON: ..."). */
int report_order_parse(const char *json, gsize len, struct report_order **o_r,
		       char **error_r);
void report_order_free(struct report_order **o);

#endif
