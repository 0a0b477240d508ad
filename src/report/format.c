/* format: a report as a text table, CSV (one row per group, then the total; the columns of
 * doc/metrics.md) and JSON (json-glib; shape in doc/metrics.md). Undefined percentages
 * (nothing to divide by) are "-", empty and null. Pure formatting; any thread. */
#include "config.h"
#include "postdesk/lib.h"
#include "report-private.h"

#include "json-private.h"
#include <stddef.h>
#include <string.h>

/* ---- CSV: a flat column list, the names of doc/metrics.md ---- */
enum col_kind { COL_INT, COL_DUR_COUNT, COL_DUR_MEDIAN, COL_DUR_P90, COL_DUR_MEAN, COL_PCT };
struct col {
	const char *name;
	enum col_kind kind;
	size_t off;				      /* gint64 or struct report_durations */
	double (*pct)(const struct report_figures *); /* COL_PCT */
};
#define F(x) offsetof(struct report_figures, x)
#define DUR(p, x)                                                                                  \
	{p "_count", COL_DUR_COUNT, F(x), NULL}, {p "_median_s", COL_DUR_MEDIAN, F(x), NULL},      \
	    {p "_p90_s", COL_DUR_P90, F(x), NULL},                                                 \
	{                                                                                          \
		p "_mean_s", COL_DUR_MEAN, F(x), NULL                                              \
	}

static const struct col cols[] = {
    {"created", COL_INT, F(created), NULL},
    {"resolved", COL_INT, F(resolved), NULL},
    {"reopened", COL_INT, F(reopened), NULL},
    {"backlog", COL_INT, F(backlog), NULL},
    {"backlog_new", COL_INT, F(backlog_status[REPORT_NEW]), NULL},
    {"backlog_open", COL_INT, F(backlog_status[REPORT_OPEN]), NULL},
    {"backlog_pending", COL_INT, F(backlog_status[REPORT_PENDING]), NULL},
    {"backlog_age_lt1d", COL_INT, F(backlog_age[0]), NULL},
    {"backlog_age_1_3d", COL_INT, F(backlog_age[1]), NULL},
    {"backlog_age_3_7d", COL_INT, F(backlog_age[2]), NULL},
    {"backlog_age_7_30d", COL_INT, F(backlog_age[3]), NULL},
    {"backlog_age_ge30d", COL_INT, F(backlog_age[4]), NULL},
    DUR("first_response", first_response),
    {"unanswered", COL_INT, F(unanswered), NULL},
    DUR("reply", reply),
    DUR("resolution", resolution),
    {"fcr", COL_INT, F(fcr), NULL},
    {"fcr_pct", COL_PCT, 0, report_fcr_rate},
    {"self_served", COL_INT, F(self_served), NULL},
    {"self_served_pct", COL_PCT, 0, report_self_service_rate},
    {"surveys_sent", COL_INT, F(surveys_sent), NULL},
    {"surveys_answered", COL_INT, F(surveys_answered), NULL},
    {"survey_response_pct", COL_PCT, 0, report_survey_rate},
    {"csat_count", COL_INT, F(csat_count), NULL},
    {"csat_satisfied", COL_INT, F(csat_satisfied), NULL},
    {"csat_pct", COL_PCT, 0, report_csat},
    {"nps_count", COL_INT, F(nps_count), NULL},
    {"promoters", COL_INT, F(promoters), NULL},
    {"passives", COL_INT, F(passives), NULL},
    {"detractors", COL_INT, F(detractors), NULL},
    {"nps", COL_PCT, 0, report_nps},
    {"sla_met", COL_INT, F(sla_met), NULL},
    {"sla_breached", COL_INT, F(sla_breached), NULL},
    {"sla_pct", COL_PCT, 0, report_sla},
    {"ces_count", COL_INT, F(ces_count), NULL},
    {"ces_mean", COL_PCT, 0, report_ces},
    {"ces_1", COL_INT, F(ces_hist[1]), NULL},
    {"ces_2", COL_INT, F(ces_hist[2]), NULL},
    {"ces_3", COL_INT, F(ces_hist[3]), NULL},
    {"ces_4", COL_INT, F(ces_hist[4]), NULL},
    {"ces_5", COL_INT, F(ces_hist[5]), NULL},
    {"ces_6", COL_INT, F(ces_hist[6]), NULL},
    {"ces_7", COL_INT, F(ces_hist[7]), NULL},
    {"customers", COL_INT, F(customers), NULL},
    {"returning_customers", COL_INT, F(returning), NULL},
    {"returning_pct", COL_PCT, 0, report_returning_rate},
    {"repeat_contacts", COL_INT, F(repeat_contacts), NULL},
    {"repeat_contact_pct", COL_PCT, 0, report_repeat_rate},
};

/* The value of column i of f as text ("" when undefined); buf >= 32 bytes. */
static const char *col_value(const struct report_figures *f, size_t i, char *buf)
{
	const struct col *c = &cols[i];
	const void *p = (const char *)f + c->off;
	const struct report_durations *d = p;
	double v;

	switch (c->kind) {
	case COL_INT:
		g_snprintf(buf, 32, "%" G_GINT64_FORMAT, *(const gint64 *)p);
		return buf;
	case COL_DUR_COUNT:
		g_snprintf(buf, 32, "%" G_GINT64_FORMAT, d->count);
		return buf;
	case COL_DUR_MEDIAN:
	case COL_DUR_P90:
		if (d->count == 0)
			return "";
		g_snprintf(buf, 32, "%" G_GINT64_FORMAT,
			   c->kind == COL_DUR_P90 ? d->p90 : d->median);
		return buf;
	case COL_DUR_MEAN:
		if (d->count == 0)
			return "";
		g_snprintf(buf, 32, "%.1f", d->mean);
		return buf;
	case COL_PCT:
	default:
		v = c->pct(f);
		if (v < (c->pct == report_nps ? -100.5 : -0.5))
			return "";
		g_snprintf(buf, 32, "%.1f", v);
		return buf;
	}
}

/* RFC 4180: quote a field that holds a comma, quote or line break (agent and queue names
 * are configuration, but never trust a separator). */
static void csv_field(FILE *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void csv_row(FILE *out, const struct report_figures *f)
{
	char buf[32];
	size_t i;

	csv_field(out, f->key);
	for (i = 0; i < G_N_ELEMENTS(cols); i++) {
		fputc(',', out);
		fputs(col_value(f, i, buf), out);
	}
	fputs("\r\n", out);
}

void report_write_csv(const struct report *r, FILE *out)
{
	size_t i;

	fputs("group", out);
	for (i = 0; i < G_N_ELEMENTS(cols); i++)
		fprintf(out, ",%s", cols[i].name);
	fputs("\r\n", out);
	for (i = 0; i < r->groups->len; i++)
		csv_row(out, g_ptr_array_index(r->groups, i));
	csv_row(out, &r->total);
}

/* ---- text ---- */

/* "45s", "12m", "3h05m", "2d04h": short and readable in a column. */
void report_format_duration(gint64 s, char *buf)
{
	if (s < 60)
		g_snprintf(buf, 16, "%ds", (int)s);
	else if (s < 3600)
		g_snprintf(buf, 16, "%dm", (int)(s / 60));
	else if (s < DAY_SECONDS)
		g_snprintf(buf, 16, "%dh%02dm", (int)(s / 3600), (int)(s % 3600 / 60));
	else
		g_snprintf(buf, 16, "%dd%02dh", (int)(s / DAY_SECONDS),
			   (int)(s % DAY_SECONDS / 3600));
}

static const char *dur(const struct report_durations *d, gboolean p90, char *buf)
{
	if (d->count == 0)
		return "-";
	report_format_duration(p90 ? d->p90 : d->median, buf);
	return buf;
}

static const char *pct(double v, double none, char *buf)
{
	if (v <= none)
		return "-";
	g_snprintf(buf, 16, "%.0f%%", v);
	return buf;
}

static void text_row(FILE *out, const struct report_figures *f)
{
	char b[8][16];

	fprintf(out,
		"%-24s %7" G_GINT64_FORMAT " %7" G_GINT64_FORMAT " %6" G_GINT64_FORMAT
		" %7" G_GINT64_FORMAT " %8s %8s %8s %8s %5s %5s %5s %5s\n",
		f->key, f->created, f->resolved, f->reopened, f->backlog,
		dur(&f->first_response, FALSE, b[0]), dur(&f->first_response, TRUE, b[1]),
		dur(&f->reply, FALSE, b[2]), dur(&f->resolution, FALSE, b[3]),
		pct(report_fcr_rate(f), -1, b[4]), pct(report_csat(f), -1, b[5]),
		report_nps(f) < -100.5 ? "-" : (g_snprintf(b[6], 16, "%+.0f", report_nps(f)), b[6]),
		pct(report_sla(f), -1, b[7]));
}

/* The figures that have no column in the table: self-service, effort and retention
 * (totals). */
static void report_write_text_more(const struct report_figures *t, FILE *out)
{
	char b[3][16];

	fprintf(out,
		"Self-service: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
		" resolved tickets self-served (%s)\n",
		t->self_served, t->resolved, pct(report_self_service_rate(t), -1, b[2]));
	if (t->ces_count > 0) {
		fprintf(out, "Effort (CES, 1 = very difficult .. 7 = very easy): mean %.1f from %"
			G_GINT64_FORMAT " answers (", report_ces(t), t->ces_count);
		for (int i = 1; i <= REPORT_CES_MAX; i++)
			fprintf(out, "%s%d: %" G_GINT64_FORMAT, i > 1 ? ", " : "", i, t->ces_hist[i]);
		fprintf(out, ")\n");
	} else {
		fprintf(out, "Effort (CES): no answers\n");
	}
	fprintf(out,
		"Retention: %" G_GINT64_FORMAT " customers, %" G_GINT64_FORMAT
		" returning (%s); %" G_GINT64_FORMAT
		" repeat contacts within 7 days of a resolution (%s of new tickets)\n",
		t->customers, t->returning, pct(report_returning_rate(t), -1, b[0]),
		t->repeat_contacts, pct(report_repeat_rate(t), -1, b[1]));
}

void report_write_text(const struct report *r, FILE *out)
{
	char *since = clock_format(r->since), *until = clock_format(r->until);
	const struct report_figures *t = &r->total;
	guint i;

	fprintf(out, "Report %s .. %s\n\n", r->since > 0 ? since : "(start)", until);
	fprintf(out, "%-24s %7s %7s %6s %7s %8s %8s %8s %8s %5s %5s %5s %5s\n", "GROUP", "CREATED",
		"RESOLVD", "REOPEN", "BACKLOG", "FRT-MED", "FRT-P90", "REPLY", "RESOLVE", "FCR",
		"CSAT", "NPS", "SLA");
	for (i = 0; i < r->groups->len; i++)
		text_row(out, g_ptr_array_index(r->groups, i));
	text_row(out, t);
	fprintf(out,
		"\nBacklog: %" G_GINT64_FORMAT " new, %" G_GINT64_FORMAT " open, %" G_GINT64_FORMAT
		" pending; unanswered %" G_GINT64_FORMAT "\n",
		t->backlog_status[REPORT_NEW], t->backlog_status[REPORT_OPEN],
		t->backlog_status[REPORT_PENDING], t->unanswered);
	fprintf(out,
		"Surveys: %" G_GINT64_FORMAT " sent, %" G_GINT64_FORMAT
		" answered; CSAT from %" G_GINT64_FORMAT " answers, NPS from %" G_GINT64_FORMAT
		" (%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT ")\n",
		t->surveys_sent, t->surveys_answered, t->csat_count, t->nps_count, t->promoters,
		t->passives, t->detractors);
	report_write_text_more(t, out);
	g_free(since);
	g_free(until);
}

/* ---- JSON ---- */

/* Rounded to 0.1 without libm (not on the link line). */
static double round1(double v)
{
	return (double)(gint64)(v * 10 + (v >= 0 ? 0.5 : -0.5)) / 10;
}

static void j_int(JsonBuilder *b, const char *name, gint64 v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, v);
}

/* A percentage rounded to 0.1, or null. */
static void j_pct(JsonBuilder *b, const char *name, double v, double none)
{
	json_builder_set_member_name(b, name);
	if (v <= none)
		json_builder_add_null_value(b);
	else
		json_builder_add_double_value(b, round1(v));
}

static void j_dur(JsonBuilder *b, const char *name, const struct report_durations *d)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	j_int(b, "count", d->count);
	json_builder_set_member_name(b, "median");
	d->count > 0 ? json_builder_add_int_value(b, d->median) : json_builder_add_null_value(b);
	json_builder_set_member_name(b, "p90");
	d->count > 0 ? json_builder_add_int_value(b, d->p90) : json_builder_add_null_value(b);
	json_builder_set_member_name(b, "mean");
	d->count > 0 ? json_builder_add_double_value(b, round1(d->mean))
		     : json_builder_add_null_value(b);
	json_builder_end_object(b);
}

static void j_backlog(JsonBuilder *b, const struct report_figures *f)
{
	int i;

	json_builder_set_member_name(b, "backlog");
	json_builder_begin_object(b);
	j_int(b, "total", f->backlog);
	json_builder_set_member_name(b, "by_status");
	json_builder_begin_object(b);
	for (i = 0; i < REPORT_STATUSES; i++)
		j_int(b, report_status_labels[i], f->backlog_status[i]);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "by_age");
	json_builder_begin_object(b);
	for (i = 0; i < REPORT_AGE_BUCKETS; i++)
		j_int(b, report_age_labels[i], f->backlog_age[i]);
	json_builder_end_object(b);
	json_builder_end_object(b);
}

/* Effort (mean rounded to 0.1, null without answers; the count of each score 1..7) and
 * retention. */
static void j_more(JsonBuilder *b, const struct report_figures *f)
{
	char key[4];

	j_int(b, "ces_count", f->ces_count);
	j_pct(b, "ces_mean", report_ces(f), -1);
	json_builder_set_member_name(b, "ces_distribution");
	json_builder_begin_object(b);
	for (int i = 1; i <= REPORT_CES_MAX; i++) {
		g_snprintf(key, sizeof(key), "%d", i);
		j_int(b, key, f->ces_hist[i]);
	}
	json_builder_end_object(b);
	j_int(b, "customers", f->customers);
	j_int(b, "returning_customers", f->returning);
	j_pct(b, "returning_pct", report_returning_rate(f), -1);
	j_int(b, "repeat_contacts", f->repeat_contacts);
	j_pct(b, "repeat_contact_pct", report_repeat_rate(f), -1);
}

static void j_figures(JsonBuilder *b, const struct report_figures *f)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "key");
	json_builder_add_string_value(b, f->key);
	j_int(b, "created", f->created);
	j_int(b, "resolved", f->resolved);
	j_int(b, "reopened", f->reopened);
	j_backlog(b, f);
	j_dur(b, "first_response", &f->first_response);
	j_int(b, "unanswered", f->unanswered);
	j_dur(b, "reply", &f->reply);
	j_dur(b, "resolution", &f->resolution);
	j_int(b, "fcr", f->fcr);
	j_pct(b, "fcr_pct", report_fcr_rate(f), -1);
	j_int(b, "self_served", f->self_served);
	j_pct(b, "self_served_pct", report_self_service_rate(f), -1);
	j_int(b, "surveys_sent", f->surveys_sent);
	j_int(b, "surveys_answered", f->surveys_answered);
	j_pct(b, "survey_response_pct", report_survey_rate(f), -1);
	j_int(b, "csat_count", f->csat_count);
	j_int(b, "csat_satisfied", f->csat_satisfied);
	j_pct(b, "csat_pct", report_csat(f), -1);
	j_int(b, "nps_count", f->nps_count);
	j_int(b, "promoters", f->promoters);
	j_int(b, "passives", f->passives);
	j_int(b, "detractors", f->detractors);
	j_pct(b, "nps", report_nps(f), -1000);
	j_int(b, "sla_met", f->sla_met);
	j_int(b, "sla_breached", f->sla_breached);
	j_pct(b, "sla_pct", report_sla(f), -1);
	j_more(b, f);
	json_builder_end_object(b);
}

static void j_series(JsonBuilder *b, const struct report *r)
{
	char day[16];
	guint i;

	json_builder_set_member_name(b, "days");
	json_builder_begin_array(b);
	for (i = 0; i < r->days->len; i++) {
		const struct report_day *d = &g_array_index(r->days, struct report_day, i);
		json_builder_begin_object(b);
		report_day_label(d->day, day);
		json_builder_set_member_name(b, "day");
		json_builder_add_string_value(b, day);
		j_int(b, "created", d->created);
		j_int(b, "csat_count", d->csat_count);
		j_int(b, "csat_satisfied", d->csat_satisfied);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "first_response_histogram");
	json_builder_begin_object(b);
	for (i = 0; i < REPORT_FRT_BUCKETS; i++)
		j_int(b, report_frt_labels[i], r->frt_hist[i]);
	json_builder_end_object(b);
}

static void json_report(JsonBuilder *b, const struct report *r)
{
	static const char *const by[] = {NULL, "day", "week", "agent", "queue"};
	char *s;
	guint i;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "since");
	if (r->since > 0) {
		s = clock_format(r->since);
		json_builder_add_string_value(b, s);
		g_free(s);
	} else {
		json_builder_add_null_value(b);
	}
	s = clock_format(r->until);
	json_builder_set_member_name(b, "until");
	json_builder_add_string_value(b, s);
	g_free(s);
	json_builder_set_member_name(b, "by");
	by[r->by] != NULL ? json_builder_add_string_value(b, by[r->by])
			  : json_builder_add_null_value(b);
	json_builder_set_member_name(b, "total");
	j_figures(b, &r->total);
	json_builder_set_member_name(b, "groups");
	json_builder_begin_array(b);
	for (i = 0; i < r->groups->len; i++)
		j_figures(b, g_ptr_array_index(r->groups, i));
	json_builder_end_array(b);
	j_series(b, r);
	json_builder_end_object(b);
}

void report_write_json(const struct report *r, FILE *out)
{
	struct report_json *j = report_json_new();

	json_report(j->b, r);
	report_json_print(&j, out);
}
