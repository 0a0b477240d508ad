/* compute: the metrics of doc/metrics.md, one ticket at a time: from the figures the ticket
 * keeps (first answer, last resolution, reopens, first-contact flag, its answered waits) or,
 * for a ticket not kept, from its messages and events. Each figure is added to the total
 * and to the ticket's group at the instant that places it (creation, answer, resolution,
 * survey request...); durations go into bounded histograms (hist.c), so nothing here grows
 * with the number of tickets. Pure: no I/O, no clock; the caller owns the result. */
#include "config.h"
#include "postdesk/report.h"
#include "report-private.h"

#include <stddef.h>
#include <string.h>

const char *const report_age_labels[REPORT_AGE_BUCKETS] = {"<1d", "1-3d", "3-7d", "7-30d", ">=30d"};
const char *const report_frt_labels[REPORT_FRT_BUCKETS] = {"<15m",  "15m-1h", "1-4h", "4-8h",
							   "8-24h", "1-3d",   ">=3d"};
const char *const report_status_labels[REPORT_STATUSES] = {"new", "open", "pending"};

void report_acc_init(struct acc *a, struct report_figures *f)
{
	int i;

	a->f = f;
	for (i = 0; i < SAMPLES; i++)
		memset(&a->samples[i], 0, sizeof(a->samples[i]));
}

void report_acc_free(gpointer p)
{
	struct acc *a = p;
	int i;

	for (i = 0; i < SAMPLES; i++)
		report_hist_clear(&a->samples[i]);
	g_free(a);
}

static gboolean in_period(const struct ctx *c, gint64 t)
{
	return t >= c->opt->since && t < c->opt->until;
}

/* The group a figure of ticket t, placed at instant `when`, belongs to; NULL without
 * grouping. */
static struct acc *group_at(struct ctx *c, const struct store_report_ticket *t, gint64 when)
{
	char buf[16];
	const char *key;
	struct acc *a;

	switch (c->opt->by) {
	case REPORT_BY_DAY:
		report_day_label(report_local(c->zone, when), buf);
		key = buf;
		break;
	case REPORT_BY_WEEK:
		report_week_label(report_local(c->zone, when), buf);
		key = buf;
		break;
	case REPORT_BY_AGENT:
		key = t->assignee != NULL ? t->assignee : "(unassigned)";
		break;
	case REPORT_BY_QUEUE:
		key = t->queue;
		break;
	case REPORT_BY_NONE:
	default:
		return NULL;
	}
	a = g_hash_table_lookup(c->groups, key);
	if (a == NULL) {
		a = g_new0(struct acc, 1);
		report_acc_init(a, g_new0(struct report_figures, 1));
		a->f->key = g_strdup(key);
		g_hash_table_insert(c->groups, a->f->key, a);
	}
	return a;
}

/* Add n to the gint64 figure at offset off, in the total and in group g. */
static void add(struct ctx *c, struct acc *g, size_t off, gint64 n)
{
	*(gint64 *)(void *)((char *)c->total.f + off) += n;
	if (g != NULL)
		*(gint64 *)(void *)((char *)g->f + off) += n;
}
#define ADD(c, g, field) add((c), (g), offsetof(struct report_figures, field), 1)

static void add_sample(struct ctx *c, struct acc *g, enum sample s, gint64 v)
{
	report_hist_add(&c->total.samples[s], v);
	if (g != NULL)
		report_hist_add(&g->samples[s], v);
}

/* The counters of t's day (keyed by day number until report.c lays the series out). */
static struct report_day *day_of(struct ctx *c, gint64 t)
{
	gint64 n = report_floor_div(report_local(c->zone, t), DAY_SECONDS);
	struct report_day *d = g_hash_table_lookup(c->days, &n);

	if (d == NULL) {
		d = g_new0(struct report_day, 1);
		d->day = n;
		g_hash_table_insert(c->days, &d->day, d);
	}
	return d;
}

static const struct conf_queue *queue_of(struct ctx *c, const char *name)
{
	if (c->opt->conf == NULL || name == NULL)
		return NULL;
	if (name != c->queue_name) {
		c->queue_name = name;
		c->queue = conf_queue_by_name(c->opt->conf, name);
	}
	return c->queue;
}

/* The business hours of queue q (which keeps them), their days' windows kept. */
static struct report_bhours *bhours_of(struct ctx *c, const struct conf_queue *q)
{
	struct report_bhours *b = g_hash_table_lookup(c->bhours, q);

	if (b == NULL) {
		b = report_bhours_new(q);
		g_hash_table_insert(c->bhours, (gpointer)q, b);
	}
	return b;
}

/* Elapsed time from a to b: business seconds when the queue keeps business hours. */
static gint64 elapsed(struct ctx *c, const struct conf_queue *q, gint64 a, gint64 b)
{
	if (b <= a)
		return 0;
	if (q != NULL && q->business_hours != NULL)
		return report_bhours_seconds(bhours_of(c, q), a, b);
	return b - a;
}

/* When the first-response target of a ticket created at t falls due. Walking forward by
 * the target is cheap; measuring all the business time up to the end of a long period is
 * not (the test must not cost a calendar walk per unanswered ticket). */
static gint64 deadline(struct ctx *c, const struct conf_queue *q, gint64 t)
{
	if (q->business_hours != NULL)
		return report_bhours_add(bhours_of(c, q), t, q->first_response_target);
	return t + q->first_response_target;
}

static int frt_bucket(gint64 s)
{
	static const gint64 limits[REPORT_FRT_BUCKETS - 1] = {900,   3600,  14400,
							      28800, 86400, 259200};
	int i;

	for (i = 0; i < REPORT_FRT_BUCKETS - 1 && s >= limits[i]; i++)
		;
	return i;
}

/* What the report needs of one ticket, before the end of the period: the figures it keeps,
 * or the same worked out from its messages and events (figures_of). 0 = none. */
struct figures {
	gint64 first_reply, resolved_at, first_reopen, last_reopen;
	gboolean fcr;
	const char *status; /* at the end of the period */
	gboolean self_served; /* that resolution was self-served */
};

/* Created, first response and SLA: figures of the ticket's creation. */
static void ticket_created(struct ctx *c, const struct store_report_ticket *t,
			   const struct figures *fig)
{
	const struct conf_queue *q = queue_of(c, t->queue);
	struct acc *g;
	gint64 frt = -1;

	if (!in_period(c, t->created))
		return;
	g = group_at(c, t, t->created);
	ADD(c, g, created);
	day_of(c, t->created)->created++;
	if (fig->first_reply != 0)
		frt = elapsed(c, q, t->created, fig->first_reply);
	if (frt >= 0) {
		add_sample(c, g, SAMPLE_FRT, frt);
		c->r->frt_hist[frt_bucket(frt)]++;
	} else {
		ADD(c, g, unanswered);
	}
	if (q == NULL || q->first_response_target <= 0)
		return;
	/* Unanswered: breached once the target has passed by the end of the period, else
	 * not decided yet (left out). */
	if (frt >= 0 && frt <= q->first_response_target)
		ADD(c, g, sla_met);
	else if (frt >= 0 || c->opt->until > deadline(c, q, t->created))
		ADD(c, g, sla_breached);
}

static void reply_wait(struct ctx *c, const struct store_report_ticket *t, gint64 started,
		       gint64 answered)
{
	if (in_period(c, started))
		add_sample(c, group_at(c, t, started), SAMPLE_REPLY, answered - started);
}

/* Reply time: from the first customer message not yet answered to the next agent answer;
 * customer messages in between belong to the same wait. A kept ticket has its waits. */
static void ticket_replies(struct ctx *c, const struct store_report_ticket *t,
			   const struct store_report_slice *s)
{
	gint64 waiting = -1;
	gsize i;

	for (i = 0; i < s->n_waits; i++)
		reply_wait(c, t, s->waits[i].started, s->waits[i].answered);
	for (i = 0; i < s->n_msgs; i++) {
		const struct store_report_message *m = &s->msgs[i];

		if (!m->agent) {
			if (waiting < 0)
				waiting = m->created;
		} else if (waiting >= 0) {
			reply_wait(c, t, waiting, m->created);
			waiting = -1;
		}
	}
}

/* First-contact resolution of a ticket resolved at `at`: exactly one agent answer before
 * it, no customer message after that answer, never reopened before it. */
static gboolean ticket_fcr(const struct store_report_slice *s, gint64 at, gint64 first_reopen)
{
	int answers = 0;
	gboolean more = FALSE;
	gsize i;

	if (first_reopen > 0 && first_reopen <= at)
		return FALSE;
	for (i = 0; i < s->n_msgs && s->msgs[i].created <= at; i++) {
		if (s->msgs[i].agent)
			answers++;
		else if (answers > 0)
			more = TRUE;
	}
	return answers == 1 && !more;
}

static void ticket_backlog(struct ctx *c, const struct store_report_ticket *t, const char *status)
{
	static const gint64 ages[REPORT_AGE_BUCKETS - 1] = {DAY_SECONDS, 3 * DAY_SECONDS,
							    7 * DAY_SECONDS, 30 * DAY_SECONDS};
	struct acc *g = NULL;
	gint64 age = c->opt->until - t->created;
	int st, b;

	for (st = 0; st < REPORT_STATUSES; st++)
		if (strcmp(status, report_status_labels[st]) == 0)
			break;
	if (st == REPORT_STATUSES)
		return;
	/* A snapshot at the end of the period: it has no day or week of its own. */
	if (c->opt->by == REPORT_BY_AGENT || c->opt->by == REPORT_BY_QUEUE)
		g = group_at(c, t, c->opt->until);
	for (b = 0; b < REPORT_AGE_BUCKETS - 1 && age >= ages[b]; b++)
		;
	ADD(c, g, backlog);
	add(c, g, offsetof(struct report_figures, backlog_status) + (size_t)st * sizeof(gint64), 1);
	add(c, g, offsetof(struct report_figures, backlog_age) + (size_t)b * sizeof(gint64), 1);
}

/* The figures of a ticket not kept, from its rows: first answer, the last resolution and
 * reopen before the end, the first reopen, the status at the end. */
static void figures_of(struct ctx *c, const struct store_report_slice *s, struct figures *fig)
{
	gsize i;

	for (i = 0; i < s->n_msgs && fig->first_reply == 0; i++)
		if (s->msgs[i].agent)
			fig->first_reply = s->msgs[i].created;
	for (i = 0; i < s->n_events; i++) {
		const struct store_report_event *e = &s->events[i];

		if (e->created >= c->opt->until)
			continue;
		if (strcmp(e->kind, "reopened") == 0) {
			if (fig->first_reopen == 0)
				fig->first_reopen = e->created;
			fig->last_reopen = e->created;
		} else if (strcmp(e->kind, "self_served") == 0) {
			/* Follows the status event of its resolution (route_solved.c). */
			fig->self_served = TRUE;
		} else if (e->detail != NULL) {
			fig->status = e->detail;
			if (strcmp(fig->status, "resolved") == 0)
				fig->resolved_at = e->created;
			/* As ticket_set_status: a ticket that opens again is no longer
			 * self-served; resolved or closed, it stays so. */
			else if (strcmp(fig->status, "closed") != 0)
				fig->self_served = FALSE;
		}
	}
	if (fig->resolved_at != 0)
		fig->fcr = ticket_fcr(s, fig->resolved_at, fig->first_reopen);
}

/* Status history: resolution (the last one before the end, if in the period), reopen, FCR,
 * self-service, backlog. */
static void ticket_events(struct ctx *c, const struct store_report_ticket *t,
			  const struct figures *fig)
{
	struct acc *g;

	if (fig->last_reopen != 0 && in_period(c, fig->last_reopen))
		ADD(c, group_at(c, t, fig->last_reopen), reopened);
	if (fig->resolved_at != 0 && in_period(c, fig->resolved_at)) {
		g = group_at(c, t, fig->resolved_at);
		ADD(c, g, resolved);
		add_sample(c, g, SAMPLE_RESOLUTION, fig->resolved_at - t->created);
		if (fig->fcr)
			ADD(c, g, fcr);
		if (fig->self_served)
			ADD(c, g, self_served);
	}
	ticket_backlog(c, t, fig->status);
}

/* Retention, from what the ticket took from its requester when it was made: a customer is
 * counted once, at their first ticket of the period (no earlier one, or one before the
 * period); returning if they had one before. A repeat contact: the ticket came at most
 * REPORT_REPEAT_WINDOW after one of the customer's resolutions (any queue). */
static void ticket_retention(struct ctx *c, const struct store_report_ticket *t)
{
	struct acc *g;

	if (!in_period(c, t->created))
		return;
	g = group_at(c, t, t->created);
	if (t->prev_created == 0 || t->prev_created < c->opt->since) {
		ADD(c, g, customers);
		if (t->prev_created != 0)
			ADD(c, g, returning);
	}
	if (t->prev_resolved != 0 && t->created - t->prev_resolved <= REPORT_REPEAT_WINDOW)
		ADD(c, g, repeat_contacts);
}

/* Surveys requested in the period; their answers, if given before its end. */
static void ticket_survey(struct ctx *c, const struct store_report_ticket *t,
			  const struct store_report_survey *sv)
{
	struct acc *g;
	struct report_day *d;

	if (sv == NULL || !in_period(c, sv->requested))
		return;
	g = group_at(c, t, sv->requested);
	ADD(c, g, surveys_sent);
	if (sv->answered <= 0 || sv->answered >= c->opt->until)
		return;
	ADD(c, g, surveys_answered);
	if (sv->csat >= 1) {
		ADD(c, g, csat_count);
		d = day_of(c, sv->requested);
		d->csat_count++;
		if (sv->csat >= 4) {
			ADD(c, g, csat_satisfied);
			d->csat_satisfied++;
		}
	}
	if (sv->ces >= 1 && sv->ces <= REPORT_CES_MAX) {
		ADD(c, g, ces_count);
		add(c, g, offsetof(struct report_figures, ces_sum), sv->ces);
		add(c, g, offsetof(struct report_figures, ces_hist) + (size_t)sv->ces * sizeof(gint64),
		    1);
	}
	if (sv->nps >= 0) {
		ADD(c, g, nps_count);
		if (sv->nps >= 9)
			ADD(c, g, promoters);
		else if (sv->nps >= 7)
			ADD(c, g, passives);
		else
			ADD(c, g, detractors);
	}
}

void report_ticket(struct ctx *c, const struct store_report_ticket *t,
		   const struct store_report_slice *s)
{
	struct figures fig = {.status = "new"};

	if (t->kept) {
		fig = (struct figures){t->first_reply, t->resolved_at, t->first_reopen,
				       t->last_reopen, t->fcr, t->status, t->self_served};
	} else {
		figures_of(c, s, &fig);
	}
	if (t->created < c->first_created)
		c->first_created = t->created;
	ticket_created(c, t, &fig);
	ticket_retention(c, t);
	ticket_replies(c, t, s);
	ticket_events(c, t, &fig);
	ticket_survey(c, t, s->survey);
}
