/* check_report: the metrics of doc/metrics.md on a fixture history whose expected figures
 * are worked out by hand below (arithmetic in the comments), without a database: the rows
 * are built by hand, as tickets whose figures are not kept (worked out from their rows).
 * Business hours come from the survey conf module's conf_business_seconds() (mon-fri
 * 09:00-17:00 UTC). Also the output formats:
 * JSON values, CSV quoting and HTML escaping of hostile group names. */
#include "config.h"
#include "postdesk/report.h"
#include "postdesk/survey.h"
#include "report-private.h"

#include <check.h>
#include <json-glib/json-glib.h>
#include <string.h>

/* Monday 2026-03-02 00:00 UTC. T(d, h, m): d days after it (negative: before), h:m UTC. */
#define BASE 1772409600LL
#define T(d, h, m) (BASE + (gint64)(d)*86400 + (h)*3600 + (m)*60)
#define SINCE T(0, 0, 0)  /* Mon 03-02 */
#define UNTIL T(14, 0, 0) /* Mon 03-16, exclusive */

static struct conf_queue q_support = {
    .name = "support",
    .first_response_target = 4 * 3600,
    .business_hours = "mon-fri 09:00-17:00",
    .timezone = "UTC",
};
static struct conf_queue q_sales = {.name = "sales", .timezone = "UTC"}; /* 24x7, no target */
static struct conf conf;

static struct store_report_rows *rows;

static void ticket(gint64 id, const char *queue, const char *assignee, gint64 created)
{
	struct store_report_ticket t = {.id = id,
					.created = created,
					.queue = store_report_intern(rows, queue),
					.assignee = store_report_intern(rows, assignee),
					.status = "x"};
	g_array_append_val(rows->tickets, t);
}

static void msg(gint64 id, gboolean agent, gint64 when)
{
	struct store_report_message m = {id, when, agent};
	g_array_append_val(rows->messages, m);
}

static void ev(gint64 id, const char *kind, const char *detail, gint64 when)
{
	struct store_report_event e = {id, when, store_report_intern(rows, kind),
				       store_report_intern(rows, detail)};
	g_array_append_val(rows->events, e);
}

static void survey(gint64 id, gint64 requested, gint64 answered, int csat, int nps)
{
	struct store_report_survey s = {id, requested, answered, csat, nps, -1};
	g_array_append_val(rows->surveys, s);
}

#define CUST FALSE
#define AGENT TRUE

/* The fixture (support keeps business hours mon-fri 09-17 and a 4 h target):
 * T1 support/alice  Fri 03-06 16:00, answered Mon 03-09 10:00, resolved 11:00; CSAT 5 NPS 10
 * T2 support/bob    Mon 03-02 09:00, answer 09:30, customer 10:00, answer 12:00, resolved
 *                   12:30; CSAT 2 NPS 8
 * T3 support/alice  Tue 03-03 09:00, answer 09:10, resolved 09:20, customer Wed 10:00
 *                   (reopened), answer 11:00, resolved 12:00; CSAT 4 NPS 3
 * T4 sales/-        Thu 03-05 10:00, answer 10:20, customer "thanks" 11:00, resolved 11:30;
 *                   survey sent 03-06, never answered
 * T5 support/bob    Fri 03-13 16:30, no answer (status new)
 * T6 support/alice  Tue 03-10 09:00, answer 14:00, pending
 * T7 support/alice  Fri 02-20 10:00 (before the period), answer 11:00, open
 * T8 sales/-        Sat 03-14 10:00, answer 10:05, open; resolved 03-16 10:00 (after the
 *                   end: not seen); CSAT 5 NPS 9 */
static void fixture(void)
{
	ticket(1, "support", "alice@x", T(4, 16, 0));
	ticket(2, "support", "bob@x", T(0, 9, 0));
	ticket(3, "support", "alice@x", T(1, 9, 0));
	ticket(4, "sales", NULL, T(3, 10, 0));
	ticket(5, "support", "bob@x", T(11, 16, 30));
	ticket(6, "support", "alice@x", T(8, 9, 0));
	ticket(7, "support", "alice@x", T(-10, 10, 0));
	ticket(8, "sales", NULL, T(12, 10, 0));
	msg(1, CUST, T(4, 16, 0)), msg(1, AGENT, T(7, 10, 0));
	msg(2, CUST, T(0, 9, 0)), msg(2, AGENT, T(0, 9, 30)), msg(2, CUST, T(0, 10, 0));
	msg(2, AGENT, T(0, 12, 0));
	msg(3, CUST, T(1, 9, 0)), msg(3, AGENT, T(1, 9, 10)), msg(3, CUST, T(2, 10, 0));
	msg(3, AGENT, T(2, 11, 0));
	msg(4, CUST, T(3, 10, 0)), msg(4, AGENT, T(3, 10, 20)), msg(4, CUST, T(3, 11, 0));
	msg(5, CUST, T(11, 16, 30));
	msg(6, CUST, T(8, 9, 0)), msg(6, AGENT, T(8, 14, 0));
	msg(7, CUST, T(-10, 10, 0)), msg(7, AGENT, T(-10, 11, 0));
	msg(8, CUST, T(12, 10, 0)), msg(8, AGENT, T(12, 10, 5));
	ev(1, "status", "resolved", T(7, 11, 0));
	ev(2, "status", "open", T(0, 9, 30)), ev(2, "status", "resolved", T(0, 12, 30));
	ev(3, "status", "resolved", T(1, 9, 20)), ev(3, "status", "open", T(2, 10, 0));
	ev(3, "reopened", "resolved", T(2, 10, 0)), ev(3, "status", "resolved", T(2, 12, 0));
	ev(4, "status", "resolved", T(3, 11, 30));
	ev(6, "status", "pending", T(8, 14, 0));
	ev(7, "status", "open", T(-10, 11, 0));
	ev(8, "status", "open", T(12, 10, 5)), ev(8, "status", "resolved", T(14, 10, 0));
	survey(1, T(8, 11, 0), T(8, 12, 0), 5, 10);
	survey(2, T(1, 12, 30), T(1, 13, 0), 2, 8);
	survey(3, T(3, 12, 0), T(3, 13, 0), 4, 3);
	survey(4, T(4, 11, 30), 0, -1, -1);
	survey(8, T(13, 10, 0), T(13, 11, 0), 5, 9);
}

static void setup(void)
{
	rows = store_report_rows_new();
	conf.queues = g_ptr_array_new();
	g_ptr_array_add(conf.queues, &q_support);
	g_ptr_array_add(conf.queues, &q_sales);
}

static void teardown(void)
{
	store_report_rows_free(&rows);
	g_ptr_array_unref(conf.queues);
}

static struct report *compute(enum report_by by)
{
	struct report_options o = {
	    SINCE, UNTIL, by, &conf};

	return report_compute(rows, &o);
}

static const struct report_figures *group(const struct report *r, const char *key)
{
	guint i;

	for (i = 0; i < r->groups->len; i++) {
		const struct report_figures *f = g_ptr_array_index(r->groups, i);
		if (strcmp(f->key, key) == 0)
			return f;
	}
	ck_abort_msg("no group %s", key);
	return NULL;
}

#define ck_dbl(a, b) ck_assert_double_eq_tol((a), (b), 0.05)

/* Counts: created in the period = T1..T6, T8 = 7 (T7 is older); resolved in it = T1, T2,
 * T3 (once, at its last resolution), T4 = 4 (T8's resolution is after the end); reopened =
 * T3 = 1. Backlog at the end: T5 new, T6 pending, T7 and T8 open = 4; ages at Mon 03-16
 * 00:00: T5 2d07h30 and T8 1d14h -> 1-3d, T6 5d15h -> 3-7d, T7 23d14h -> 7-30d. */
START_TEST(test_counts_backlog)
{
	struct report *r;

	fixture();
	r = compute(REPORT_BY_NONE);
	ck_assert_int_eq(r->total.created, 7);
	ck_assert_int_eq(r->total.resolved, 4);
	ck_assert_int_eq(r->total.reopened, 1);
	ck_assert_int_eq(r->total.backlog, 4);
	ck_assert_int_eq(r->total.backlog_status[REPORT_NEW], 1);
	ck_assert_int_eq(r->total.backlog_status[REPORT_OPEN], 2);
	ck_assert_int_eq(r->total.backlog_status[REPORT_PENDING], 1);
	ck_assert_int_eq(r->total.backlog_age[0], 0);
	ck_assert_int_eq(r->total.backlog_age[1], 2);
	ck_assert_int_eq(r->total.backlog_age[2], 1);
	ck_assert_int_eq(r->total.backlog_age[3], 1);
	ck_assert_int_eq(r->total.backlog_age[4], 0);
	ck_assert_uint_eq(r->groups->len, 0);
	report_free(&r);
	ck_assert_ptr_null(r);
}
END_TEST

/* First response across a weekend, business hours on: T1 opened Fri 16:00, answered Mon
 * 10:00 = 66 h of wall clock (237600 s) but Fri 16-17 + Mon 09-10 = 2 business hours
 * (7200 s). Without business hours the same ticket counts 237600 s. */
START_TEST(test_frt_weekend)
{
	/* The same queue without business hours: wall-clock time. */
	struct conf_queue q_wall = q_support;
	struct conf wall_conf = conf;
	struct report_options wall = {SINCE, UNTIL, REPORT_BY_NONE, &wall_conf};
	struct report *r;

	q_wall.business_hours = NULL;
	wall_conf.queues = g_ptr_array_new();
	g_ptr_array_add(wall_conf.queues, &q_wall);
	g_ptr_array_add(wall_conf.queues, &q_sales);

	ticket(1, "support", "alice@x", T(4, 16, 0));
	msg(1, CUST, T(4, 16, 0)), msg(1, AGENT, T(7, 10, 0));
	r = compute(REPORT_BY_NONE);
	ck_assert_int_eq(r->total.first_response.count, 1);
	ck_assert_int_eq(r->total.first_response.median, 7200);
	ck_assert_int_eq(r->total.sla_met, 1);		 /* 2 h <= 4 h target */
	ck_assert_int_eq(r->total.reply.median, 237600); /* reply time is wall-clock */
	report_free(&r);
	r = report_compute(rows, &wall);
	ck_assert_int_eq(r->total.first_response.median, 237600);
	ck_assert_int_eq(r->total.sla_breached, 1); /* 66 h > 4 h */
	report_free(&r);
	g_ptr_array_unref(wall_conf.queues);
}
END_TEST

/* FRT samples (tickets created in the period, answered): T1 7200 (business), T2 1800, T3
 * 600, T4 1200 (sales: 24x7), T6 18000 (Tue 09-14, business), T8 300. Sorted 300 600 1200
 * 1800 7200 18000: median = rank ceil(6/2) = 3rd = 1200; p90 = rank ceil(5.4) = 6th = 18000;
 * mean = 29100 / 6 = 4850. T5 is unanswered. SLA (support only; T5's 30 business minutes
 * have not reached the target: undecided): T1, T2, T3 met, T6 breached (5 h) -> 3/4 = 75%.
 * Histogram: <15m 300 600, 15m-1h 1200 1800, 1-4h 7200, 4-8h 18000. */
START_TEST(test_frt_sla)
{
	struct report *r;

	fixture();
	r = compute(REPORT_BY_NONE);
	ck_assert_int_eq(r->total.first_response.count, 6);
	ck_assert_int_eq(r->total.first_response.median, 1200);
	ck_assert_int_eq(r->total.first_response.p90, 18000);
	ck_dbl(r->total.first_response.mean, 4850);
	ck_assert_int_eq(r->total.unanswered, 1);
	ck_assert_int_eq(r->total.sla_met, 3);
	ck_assert_int_eq(r->total.sla_breached, 1);
	ck_dbl(report_sla(&r->total), 75);
	ck_assert_int_eq(r->frt_hist[0], 2);
	ck_assert_int_eq(r->frt_hist[1], 2);
	ck_assert_int_eq(r->frt_hist[2], 1);
	ck_assert_int_eq(r->frt_hist[3], 1);
	ck_assert_int_eq(r->frt_hist[4], 0);
	report_free(&r);
}
END_TEST

/* Reply gaps (customer message in the period -> next agent answer, wall clock): T1 237600;
 * T2 1800 and 7200; T3 600 and 3600 (after the reopen); T4 1200 (its 11:00 "thanks" has no
 * answer: no gap); T6 18000; T8 300. T7's is before the period. Sorted: 300 600 1200 1800
 * 3600 7200 18000 237600: median = 4th = 1800, p90 = rank ceil(7.2) = 8th = 237600,
 * mean = 270300 / 8 = 33787.5.
 * Resolution (created -> last resolution in the period): T1 Fri 16:00 -> Mon 11:00 = 241200,
 * T2 12600, T3 Tue 09:00 -> Wed 12:00 = 97200, T4 5400. Sorted 5400 12600 97200 241200:
 * median = 2nd = 12600, p90 = 4th = 241200, mean = 356400 / 4 = 89100. */
START_TEST(test_reply_resolution)
{
	struct report *r;

	fixture();
	r = compute(REPORT_BY_NONE);
	ck_assert_int_eq(r->total.reply.count, 8);
	ck_assert_int_eq(r->total.reply.median, 1800);
	ck_assert_int_eq(r->total.reply.p90, 237600);
	ck_dbl(r->total.reply.mean, 33787.5);
	ck_assert_int_eq(r->total.resolution.count, 4);
	ck_assert_int_eq(r->total.resolution.median, 12600);
	ck_assert_int_eq(r->total.resolution.p90, 241200);
	ck_dbl(r->total.resolution.mean, 89100);
	report_free(&r);
}
END_TEST

/* FCR: T1 yes (one answer, then resolved). T2 no (two answers). T3 no (reopened; two
 * answers). T4 no: exactly one answer, but the customer wrote again after it. -> 1/4 = 25%. */
START_TEST(test_fcr)
{
	struct report *r;

	fixture();
	r = compute(REPORT_BY_NONE);
	ck_assert_int_eq(r->total.fcr, 1);
	ck_dbl(report_fcr_rate(&r->total), 25);
	report_free(&r);
	/* T4 alone without its "thanks": one answer, nothing after -> an FCR. */
	store_report_rows_free(&rows);
	rows = store_report_rows_new();
	ticket(4, "sales", NULL, T(3, 10, 0));
	msg(4, CUST, T(3, 10, 0)), msg(4, AGENT, T(3, 10, 20));
	ev(4, "status", "resolved", T(3, 11, 30));
	r = compute(REPORT_BY_NONE);
	ck_assert_int_eq(r->total.fcr, 1);
	ck_dbl(report_fcr_rate(&r->total), 100);
	report_free(&r);
}
END_TEST

/* A self-served resolution as route_solved.c records it: a status event, then the
 * self_served event (detail: the status before). */
static void solved(gint64 id, const char *before, gint64 when)
{
	ev(id, "status", "resolved", when), ev(id, "self_served", before, when);
}

static char *output_of(const struct report *r, void (*write)(const struct report *, FILE *))
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	write(r, f);
	fclose(f);
	return text;
}

/* Self-service rate: resolved in the period T1 (by an agent), T2 self-served, T3
 * self-served then reopened (the reopen undoes it) and resolved by an agent, T4
 * self-served then closed (still self-served), T5 self-served after the end (not seen), T6
 * kept (its figures read as stored): self-served -> 3 of 5 resolved = 60%. In every output. */
START_TEST(test_self_served)
{
	struct store_report_ticket kept = {.id = 6, .created = T(2, 9, 0), .queue = "sales",
					   .status = "resolved", .kept = TRUE,
					   .resolved_at = T(2, 10, 0), .self_served = TRUE};
	struct report *r;
	char *text, *csv, *json, *html;

	ticket(1, "sales", NULL, T(1, 9, 0)), ev(1, "status", "resolved", T(1, 10, 0));
	ticket(2, "sales", NULL, T(1, 9, 0)), solved(2, "new", T(1, 9, 30));
	ticket(3, "sales", NULL, T(1, 9, 0)), solved(3, "new", T(1, 9, 30));
	ev(3, "status", "open", T(1, 11, 0)), ev(3, "reopened", "resolved", T(1, 11, 0));
	ev(3, "status", "resolved", T(1, 12, 0));
	ticket(4, "sales", NULL, T(1, 9, 0)), solved(4, "open", T(1, 9, 30));
	ev(4, "status", "closed", T(3, 9, 0));
	ticket(5, "sales", NULL, T(13, 9, 0)), solved(5, "new", T(14, 9, 0));
	g_array_append_val(rows->tickets, kept);
	r = compute(REPORT_BY_NONE);
	ck_assert_int_eq(r->total.resolved, 5);
	ck_assert_int_eq(r->total.self_served, 3);
	ck_dbl(report_self_service_rate(&r->total), 60);
	text = output_of(r, report_write_text);
	ck_assert_ptr_nonnull(strstr(text, "Self-service: 3 of 5 resolved tickets self-served (60%)"));
	csv = output_of(r, report_write_csv);
	ck_assert_ptr_nonnull(strstr(csv, ",fcr,fcr_pct,self_served,self_served_pct,"));
	ck_assert_ptr_nonnull(strstr(csv, ",3,60.0,"));
	json = output_of(r, report_write_json);
	ck_assert_ptr_nonnull(strstr(json, "\"self_served\" : 3,"));
	ck_assert_ptr_nonnull(strstr(json, "\"self_served_pct\" : 60.0,"));
	html = report_to_html(r, "desk");
	ck_assert_ptr_nonnull(strstr(html, "self-served"));
	ck_assert_ptr_nonnull(strstr(html, "60%"));
	g_free(html);
	free(text), free(csv), free(json);
	report_free(&r);
	/* Nothing resolved: no rate ("-", empty, null). */
	store_report_rows_free(&rows);
	rows = store_report_rows_new();
	ticket(1, "sales", NULL, T(1, 9, 0));
	r = compute(REPORT_BY_NONE);
	ck_dbl(report_self_service_rate(&r->total), -1);
	text = output_of(r, report_write_text);
	ck_assert_ptr_nonnull(strstr(text, "Self-service: 0 of 0 resolved tickets self-served (-)"));
	json = output_of(r, report_write_json);
	ck_assert_ptr_nonnull(strstr(json, "\"self_served_pct\" : null,"));
	free(text), free(json);
	report_free(&r);
}
END_TEST

/* Surveys sent in the period: T1 T2 T3 T4 T8 = 5; answered: 4 -> 80%. CSAT 5 2 4 5 ->
 * 3 of 4 are 4-5 = 75%. NPS 10 (promoter), 8 (passive), 3 (detractor), 9 (promoter):
 * 2/4 - 1/4 = 50% - 25% = +25. */
START_TEST(test_surveys_nps)
{
	struct report *r;

	fixture();
	r = compute(REPORT_BY_NONE);
	ck_assert_int_eq(r->total.surveys_sent, 5);
	ck_assert_int_eq(r->total.surveys_answered, 4);
	ck_dbl(report_survey_rate(&r->total), 80);
	ck_assert_int_eq(r->total.csat_count, 4);
	ck_assert_int_eq(r->total.csat_satisfied, 3);
	ck_dbl(report_csat(&r->total), 75);
	ck_assert_int_eq(r->total.promoters, 2);
	ck_assert_int_eq(r->total.passives, 1);
	ck_assert_int_eq(r->total.detractors, 1);
	ck_dbl(report_nps(&r->total), 25);
	report_free(&r);
}
END_TEST

/* Groups. By queue: support created T1 T2 T3 T5 T6 = 5, sales T4 T8 = 2; backlog support
 * T5 T6 T7 = 3, sales T8 = 1. By agent: alice T1 T3 T6 = 3, bob 2, unassigned 2. By week
 * (Monday labels): week of 03-02 created T2 T3 T4 T1 = 4, week of 03-09 T6 T5 T8 = 3; T3's
 * reopen (Wed 03-04) in the first. By day: 2026-03-13 holds T5; the day series has 14 days. */
START_TEST(test_groups)
{
	struct report *r;

	fixture();
	r = compute(REPORT_BY_QUEUE);
	ck_assert_uint_eq(r->groups->len, 2);
	ck_assert_str_eq(((struct report_figures *)g_ptr_array_index(r->groups, 0))->key, "sales");
	ck_assert_int_eq(group(r, "support")->created, 5);
	ck_assert_int_eq(group(r, "sales")->created, 2);
	ck_assert_int_eq(group(r, "support")->backlog, 3);
	ck_assert_int_eq(group(r, "sales")->backlog, 1);
	ck_assert_int_eq(group(r, "sales")->sla_met + group(r, "sales")->sla_breached, 0);
	report_free(&r);
	r = compute(REPORT_BY_AGENT);
	ck_assert_int_eq(group(r, "alice@x")->created, 3);
	ck_assert_int_eq(group(r, "bob@x")->created, 2);
	ck_assert_int_eq(group(r, "(unassigned)")->created, 2);
	report_free(&r);
	r = compute(REPORT_BY_WEEK);
	ck_assert_uint_eq(r->groups->len, 2);
	ck_assert_int_eq(group(r, "2026-03-02")->created, 4);
	ck_assert_int_eq(group(r, "2026-03-09")->created, 3);
	ck_assert_int_eq(group(r, "2026-03-02")->reopened, 1);
	ck_assert_int_eq(r->total.backlog, 4);
	report_free(&r);
	r = compute(REPORT_BY_DAY);
	ck_assert_int_eq(group(r, "2026-03-13")->created, 1);
	ck_assert_uint_eq(r->days->len, 14);
	ck_assert_int_eq(g_array_index(r->days, struct report_day, 11).created, 1);
	ck_assert_int_eq(g_array_index(r->days, struct report_day, 0).day, SINCE);
	report_free(&r);
}
END_TEST

/* Nearest-rank statistics on their own: 1..10 -> median 5th = 5, p90 9th = 9, mean 5.5. */
START_TEST(test_durations)
{
	gint64 v[] = {7, 3, 10, 1, 5, 9, 2, 8, 4, 6};
	struct report_durations d;

	report_durations_of(v, G_N_ELEMENTS(v), &d);
	ck_assert_int_eq(d.median, 5);
	ck_assert_int_eq(d.p90, 9);
	ck_dbl(d.mean, 5.5);
	report_durations_of(v, 1, &d); /* v is sorted now: {1} */
	ck_assert_int_eq(d.median, 1);
	ck_assert_int_eq(d.p90, 1);
	report_durations_of(v, 0, &d);
	ck_assert_int_eq(d.count, 0);
}
END_TEST

/* Output: JSON carries the figures; CSV quotes a key with a comma; HTML escapes a hostile
 * group name and holds the four charts, no script. */
START_TEST(test_output)
{
	const char *evil = "<script>alert(\"x\")</script>,@x";
	struct report *r;
	JsonParser *parser = json_parser_new();
	JsonNode *node;
	JsonObject *total;
	char *html, *csv = NULL, *json = NULL;
	const char *p;
	size_t csv_len = 0, json_len = 0;
	int svgs;
	FILE *f;

	fixture();
	ticket(9, "support", evil, T(5, 9, 0));
	r = compute(REPORT_BY_AGENT);
	f = open_memstream(&json, &json_len);
	report_write_json(r, f);
	fclose(f);
	ck_assert(json_parser_load_from_data(parser, json, (gssize)json_len, NULL));
	node = json_parser_get_root(parser);
	total = json_object_get_object_member(json_node_get_object(node), "total");
	ck_assert_int_eq(json_object_get_int_member(total, "created"), 8);
	ck_assert_int_eq(json_object_get_int_member(
			     json_object_get_object_member(total, "first_response"), "median"),
			 1200);
	ck_dbl(json_object_get_double_member(total, "nps"), 25);
	g_object_unref(parser);
	free(json);
	f = open_memstream(&csv, &csv_len);
	report_write_csv(r, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(csv, "\"<script>alert(\"\"x\"\")</script>,@x\",1,"));
	ck_assert_ptr_nonnull(strstr(csv, "\r\ntotal,8,4,1,"));
	free(csv);
	html = report_to_html(r, "Desk <b>");
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "<title>Desk &lt;b&gt;</title>"));
	for (p = html, svgs = 0; (p = strstr(p, "<svg")) != NULL; p++)
		svgs++;
	ck_assert_int_eq(svgs, 4);
	g_free(html);
	report_free(&r);
}
END_TEST

/* The report's business-hours cache gives exactly what conf's day-by-day walk gives, in
 * zones with DST changes, half-hour and +14 h offsets, over ranges that cross them. */
START_TEST(test_bhours_exact)
{
	static const char *const zones[] = {"Europe/Berlin", "America/St_Johns",
					    "Pacific/Kiritimati", "UTC"};
	static const char *const hours[] = {"mon-fri 09:00-17:00", "sat-tue 00:00-24:00",
					    "wed 22:30-23:45"};
	guint32 r = 1;

	for (guint z = 0; z < G_N_ELEMENTS(zones); z++) {
		for (guint h = 0; h < G_N_ELEMENTS(hours); h++) {
			struct conf_queue q = {.name = "q",
					       .business_hours = (char *)hours[h],
					       .timezone = (char *)zones[z]};
			struct report_bhours *b = report_bhours_new(&q);

			for (int i = 0; i < 400; i++) {
				gint64 from, len;

				r = r * 1103515245u + 12345u;
				/* 2026-03-20 .. 2026-04-09 and 2026-10-20 .. 2026-11-09: the
				 * DST changes of both hemispheres' northern zones. */
				from = (i % 2 ? T(18, 0, 0) : T(232, 0, 0)) + (r >> 4) % (20 * 86400);
				len = (gint64)((r * 7u) >> 8) % (9 * 86400);
				ck_assert_msg(report_bhours_seconds(b, from, from + len) ==
						  conf_business_seconds(&q, from, from + len),
					      "%s %s %" G_GINT64_FORMAT " +%" G_GINT64_FORMAT, zones[z],
					      hours[h], from, len);
				ck_assert_int_eq(report_bhours_add(b, from, len / 3 + 1),
						 conf_business_add(&q, from, len / 3 + 1));
			}
			report_bhours_free(b);
		}
	}
}
END_TEST

/* The histograms' percentiles: never above the exact nearest-rank value, at most 1/64 of it
 * below; exact when every value has a bucket of its own; the count and mean exact. */
START_TEST(test_hist_bound)
{
	struct report_hist h = {0};
	struct report_durations exact, got;
	gint64 v[5000];
	guint32 r = 3;

	for (gsize i = 0; i < G_N_ELEMENTS(v); i++) {
		r = r * 1103515245u + 12345u;
		v[i] = (gint64)(r >> 8) % (1 << ((r >> 3) % 24));
		report_hist_add(&h, v[i]);
	}
	report_hist_stats(&h, &got);
	report_durations_of(v, G_N_ELEMENTS(v), &exact);
	ck_assert_int_eq(got.count, exact.count);
	ck_assert(got.mean == exact.mean);
	ck_assert_int_le(got.median, exact.median);
	ck_assert_int_ge(got.median * 64, exact.median * 63);
	ck_assert_int_le(got.p90, exact.p90);
	ck_assert_int_ge(got.p90 * 64, exact.p90 * 63);
	report_hist_clear(&h);
	/* 1, 100, 10000, 1000000: one per bucket, exact. */
	for (gint64 x = 1; x <= 1000000; x *= 100)
		report_hist_add(&h, x);
	report_hist_stats(&h, &got);
	ck_assert_int_eq(got.median, 100);
	ck_assert_int_eq(got.p90, 1000000);
	report_hist_clear(&h);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("metrics");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_counts_backlog);
	tcase_add_test(tc, test_frt_weekend);
	tcase_add_test(tc, test_frt_sla);
	tcase_add_test(tc, test_reply_resolution);
	tcase_add_test(tc, test_fcr);
	tcase_add_test(tc, test_self_served);
	tcase_add_test(tc, test_surveys_nps);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_output);
	tcase_add_test(tc, test_bhours_exact);
	tcase_add_test(tc, test_hist_bound);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
