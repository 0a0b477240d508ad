/* html: the report as one self-contained HTML page — inline CSS, inline SVG charts drawn
 * here (tickets per day, first-response distribution, CSAT trend, backlog by age), the
 * summary figures and the per-group table; with --by agent, per-agent bar charts (CSS bars:
 * one row per agent, any number of agents). Days and the period are in the report's zone
 * (the queue's; r->zone), the layout fills the page's width. No script, no external
 * resource: the page opens offline and from a mail attachment. Every piece of text that
 * came from the database or the command line (group keys, the title) goes through
 * g_markup_escape_text(): agent and queue names are data, not markup. Pure; any thread. */
#include "config.h"
#include "postdesk/lib.h"
#include "report-private.h"

#include <math.h>
#include <string.h>

#define CHART_W 560
#define CHART_H 220
#define PAD_L 44
#define PAD_R 12
#define PAD_T 12
#define PAD_B 48

/* The page fills the window: cards and charts in grids of as many columns as fit, each
 * chart's SVG scaled to its column (viewBox), the wide table scrolls inside its box. */
static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:16px 24px;color:#1d2733;"
    "background:#f6f7f9}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 8px}"
    ".period{color:#5b6878;margin-bottom:16px}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;"
    "margin-bottom:18px}"
    ".card{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:8px 14px}"
    ".card b{display:block;font-size:20px}.card span{color:#5b6878;font-size:12px}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:14px;"
    "margin-bottom:18px}"
    ".chart{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:10px;"
    "min-width:0}.chart svg{width:100%;height:auto;display:block}"
    "svg text{font-size:10px;fill:#5b6878}.wide{overflow-x:auto;margin-bottom:18px}"
    "table{border-collapse:collapse;background:#fff;width:100%}"
    "th,td{border:1px solid #dde2e8;padding:4px 8px;text-align:right;white-space:nowrap}"
    "th:first-child,td:first-child{text-align:left}th{background:#eef1f5}"
    ".none{color:#9aa5b1}"
    ".hbar{display:grid;grid-template-columns:minmax(120px,max-content) 1fr 70px;gap:4px 8px;"
    "align-items:center;font-size:12px}.hbar .name{overflow:hidden;text-overflow:ellipsis;"
    "white-space:nowrap}.hbar .track{background:#eef1f5;height:14px;border-radius:3px}"
    ".hbar .fill{height:14px;border-radius:3px}.hbar .val{text-align:right;color:#5b6878}";

static void esc(GString *out, const char *s)
{
	char *e = g_markup_escape_text(s, -1);

	g_string_append(out, e);
	g_free(e);
}

/* A round axis maximum >= v: 1, 2 or 5 times a power of ten. */
static double nice_max(double v)
{
	double p = 1;

	if (v <= 1)
		return 1;
	while (p * 10 < v)
		p *= 10;
	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

static void chart_open(GString *out, const char *title, double max, const char *unit)
{
	int i;

	g_string_append_printf(out,
			       "<div class=\"chart\"><h2>%s</h2><svg xmlns=\"http://www.w3.org/"
			       "2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
			       "preserveAspectRatio=\"xMinYMin meet\" role=\"img\">",
			       title, CHART_W, CHART_H, CHART_W, CHART_H);
	for (i = 0; i <= 4; i++) {
		double y = PAD_T + (CHART_H - PAD_T - PAD_B) * (1 - i / 4.0);
		g_string_append_printf(out,
				       "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
				       "stroke=\"#e3e7ec\"/><text x=\"%d\" y=\"%.1f\" "
				       "text-anchor=\"end\">%g%s</text>",
				       PAD_L, CHART_W - PAD_R, y, y, PAD_L - 4, y + 3, max * i / 4,
				       unit);
	}
}

static void chart_close(GString *out)
{
	g_string_append(out, "</svg></div>");
}

/* Bars for n values with labels; at most ~12 labels are written (every k-th). */
static void bar_chart(GString *out, const char *title, char **labels, const double *v, guint n,
		      const char *color)
{
	double max = 0, plot_w = CHART_W - PAD_L - PAD_R, plot_h = CHART_H - PAD_T - PAD_B;
	double bw;
	guint i, every;

	for (i = 0; i < n; i++)
		max = MAX(max, v[i]);
	max = nice_max(max);
	chart_open(out, title, max, "");
	bw = n > 0 ? plot_w / n : plot_w;
	every = n > 12 ? (n + 11) / 12 : 1;
	for (i = 0; i < n; i++) {
		double h = plot_h * v[i] / max, x = PAD_L + i * bw;
		g_string_append_printf(out,
				       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				       "fill=\"%s\"><title>",
				       x + bw * 0.1, PAD_T + plot_h - h, MAX(bw * 0.8, 0.5), h,
				       color);
		esc(out, labels[i]);
		g_string_append_printf(out, ": %g</title></rect>", v[i]);
		if (i % every == 0) {
			g_string_append_printf(out,
					       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
					       "transform=\"rotate(-35 %.1f %.1f)\">",
					       x + bw / 2, PAD_T + plot_h + 12, x + bw / 2,
					       PAD_T + plot_h + 12);
			esc(out, labels[i]);
			g_string_append(out, "</text>");
		}
	}
	chart_close(out);
}

static void chart_days(GString *out, const struct report *r)
{
	guint n = r->days->len, i;
	char **labels = g_new0(char *, n + 1);
	double *v = g_new0(double, n + 1);

	for (i = 0; i < n; i++) {
		const struct report_day *d = &g_array_index(r->days, struct report_day, i);
		labels[i] = g_malloc(16);
		report_day_label(d->day, labels[i]);
		v[i] = (double)d->created;
	}
	bar_chart(out, "Tickets created per day", labels, v, n, "#3d7dd8");
	g_strfreev(labels);
	g_free(v);
}

static void chart_buckets(GString *out, const char *title, const char *const *names,
			  const gint64 *counts, guint n, const char *color)
{
	char **labels = g_new0(char *, n + 1);
	double *v = g_new0(double, n + 1);
	guint i;

	for (i = 0; i < n; i++) {
		labels[i] = g_strdup(names[i]);
		v[i] = (double)counts[i];
	}
	bar_chart(out, title, labels, v, n, color);
	g_strfreev(labels);
	g_free(v);
}

/* CSAT % per day, or per 7-day step when the period is long; a point only where there were
 * answers, joined by a line. */
static void chart_csat(GString *out, const struct report *r)
{
	guint n = r->days->len, step = n > 62 ? 7 : 1, i, j, pts = 0;
	double plot_w = CHART_W - PAD_L - PAD_R, plot_h = CHART_H - PAD_T - PAD_B;
	guint slots = (n + step - 1) / step;
	GString *line = g_string_new(NULL);
	char label[16];

	chart_open(out, step == 1 ? "CSAT per day (% satisfied)" : "CSAT per week (% satisfied)",
		   100, "%");
	for (i = 0; i < slots; i++) {
		gint64 count = 0, good = 0;
		double x = PAD_L + plot_w * (i + 0.5) / MAX(slots, 1), y;
		for (j = i * step; j < MIN(n, (i + 1) * step); j++) {
			count += g_array_index(r->days, struct report_day, j).csat_count;
			good += g_array_index(r->days, struct report_day, j).csat_satisfied;
		}
		report_day_label(g_array_index(r->days, struct report_day, i * step).day, label);
		if (i % ((slots + 11) / 12 > 0 ? (slots + 11) / 12 : 1) == 0)
			g_string_append_printf(out,
					       "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" "
					       "transform=\"rotate(-35 %.1f %d)\">%s</text>",
					       x, PAD_T + (int)plot_h + 12, x,
					       PAD_T + (int)plot_h + 12, label);
		if (count == 0)
			continue;
		y = PAD_T + plot_h * (1 - (double)good / (double)count);
		g_string_append_printf(line, "%s%.1f,%.1f", pts++ > 0 ? " " : "", x, y);
		g_string_append_printf(out,
				       "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#2e9e6a\">"
				       "<title>%s: %.0f%% of %" G_GINT64_FORMAT "</title></circle>",
				       x, y, label, 100.0 * (double)good / (double)count, count);
	}
	if (pts > 1)
		g_string_append_printf(out,
				       "<polyline points=\"%s\" fill=\"none\" stroke=\"#2e9e6a\" "
				       "stroke-width=\"2\"/>",
				       line->str);
	if (pts == 0)
		g_string_append_printf(out, "<text x=\"%d\" y=\"%d\">no survey answers</text>",
				       PAD_L + 10, PAD_T + 20);
	g_string_free(line, TRUE);
	chart_close(out);
}

static void td_dur(GString *out, const struct report_durations *d, int which)
{
	char buf[16];

	if (d->count == 0) {
		g_string_append(out, "<td class=\"none\">-</td>");
		return;
	}
	if (which == 2)
		report_format_duration((gint64)d->mean, buf);
	else
		report_format_duration(which == 1 ? d->p90 : d->median, buf);
	g_string_append_printf(out, "<td>%s</td>", buf);
}

/* A percentage cell, or a signed score (NPS) when none is below -100. */
static void td_pct(GString *out, double v, double none)
{
	if (v <= none)
		g_string_append(out, "<td class=\"none\">-</td>");
	else if (none < -100)
		g_string_append_printf(out, "<td>%+.0f</td>", v);
	else
		g_string_append_printf(out, "<td>%.0f%%</td>", v);
}

static void card(GString *out, const char *label, const char *value)
{
	g_string_append_printf(out, "<div class=\"card\"><b>%s</b><span>%s</span></div>", value,
			       label);
}

static void cards(GString *out, const struct report_figures *f)
{
	char buf[32];

	g_string_append(out, "<div class=\"cards\">");
	g_snprintf(buf, sizeof(buf), "%" G_GINT64_FORMAT, f->created);
	card(out, "created", buf);
	g_snprintf(buf, sizeof(buf), "%" G_GINT64_FORMAT, f->resolved);
	card(out, "resolved", buf);
	g_snprintf(buf, sizeof(buf), "%" G_GINT64_FORMAT, f->backlog);
	card(out, "backlog", buf);
	if (f->first_response.count > 0)
		report_format_duration(f->first_response.median, buf);
	card(out, "median first response", f->first_response.count > 0 ? buf : "-");
	g_snprintf(buf, sizeof(buf), "%.0f%%", report_fcr_rate(f));
	card(out, "first-contact resolution", report_fcr_rate(f) < 0 ? "-" : buf);
	g_snprintf(buf, sizeof(buf), "%.0f%%", report_self_service_rate(f));
	card(out, "self-served", report_self_service_rate(f) < 0 ? "-" : buf);
	g_snprintf(buf, sizeof(buf), "%.0f%%", report_csat(f));
	card(out, "CSAT (4-5)", report_csat(f) < 0 ? "-" : buf);
	g_snprintf(buf, sizeof(buf), "%+.0f", report_nps(f));
	card(out, "NPS", report_nps(f) < -100.5 ? "-" : buf);
	g_snprintf(buf, sizeof(buf), "%.0f%%", report_sla(f));
	card(out, "SLA met", report_sla(f) < 0 ? "-" : buf);
	g_snprintf(buf, sizeof(buf), "%.1f / 7", report_ces(f));
	card(out, "customer effort (CES)", report_ces(f) < 0 ? "-" : buf);
	g_snprintf(buf, sizeof(buf), "%.0f%%", report_returning_rate(f));
	card(out, "returning customers", report_returning_rate(f) < 0 ? "-" : buf);
	g_snprintf(buf, sizeof(buf), "%.0f%%", report_repeat_rate(f));
	card(out, "repeat contact within 7 days", report_repeat_rate(f) < 0 ? "-" : buf);
	g_string_append(out, "</div>");
}

/* One row of the figures table. */
static void table_row(GString *out, const struct report_figures *f)
{
	g_string_append(out, "<tr><td>");
	esc(out, f->key);
	g_string_append_printf(out,
			       "</td><td>%" G_GINT64_FORMAT "</td><td>%" G_GINT64_FORMAT
			       "</td><td>%" G_GINT64_FORMAT "</td><td>%" G_GINT64_FORMAT "</td>",
			       f->created, f->resolved, f->reopened, f->backlog);
	td_dur(out, &f->first_response, 0);
	td_dur(out, &f->first_response, 1);
	td_dur(out, &f->reply, 0);
	td_dur(out, &f->reply, 1);
	td_dur(out, &f->resolution, 0);
	td_dur(out, &f->resolution, 1);
	td_dur(out, &f->resolution, 2);
	td_pct(out, report_fcr_rate(f), -1);
	td_pct(out, report_self_service_rate(f), -1);
	g_string_append_printf(out, "<td>%" G_GINT64_FORMAT " / %" G_GINT64_FORMAT "</td>",
			       f->surveys_answered, f->surveys_sent);
	td_pct(out, report_csat(f), -1);
	g_string_append_printf(out, "<td>%" G_GINT64_FORMAT "</td>", f->csat_count);
	td_pct(out, report_nps(f), -1000);
	td_pct(out, report_sla(f), -1);
	if (report_ces(f) < 0)
		g_string_append(out, "<td class=\"none\">-</td>");
	else
		g_string_append_printf(out, "<td>%.1f</td>", report_ces(f));
	g_string_append_printf(out, "<td>%" G_GINT64_FORMAT "</td>", f->ces_count);
	td_pct(out, report_returning_rate(f), -1);
	td_pct(out, report_repeat_rate(f), -1);
	g_string_append(out, "</tr>");
}

static void figures_table(GString *out, const struct report *r)
{
	guint i;

	g_string_append(out,
			"<h2>Figures</h2><div class=\"wide\"><table><tr><th>group</th><th>created</th><th>resolved</th>"
			"<th>reopened</th><th>backlog</th><th>FRT median</th><th>FRT p90</th>"
			"<th>reply median</th><th>reply p90</th><th>resolution median</th>"
			"<th>resolution p90</th><th>resolution mean</th><th>FCR</th><th>self-served</th>"
			"<th>surveys answered / sent</th><th>CSAT</th><th>CSAT answers</th>"
			"<th>NPS</th><th>SLA met</th><th>CES</th><th>CES answers</th>"
			"<th>returning customers</th><th>repeat contact (7 days)</th></tr>");
	for (i = 0; i < r->groups->len; i++)
		table_row(out, g_ptr_array_index(r->groups, i));
	table_row(out, &r->total);
	g_string_append(out, "</table></div>");
}

static void backlog_table(GString *out, const struct report_figures *f)
{
	int i;

	g_string_append(out, "<h2>Backlog at the end of the period</h2><table><tr><th>status</th>");
	for (i = 0; i < REPORT_STATUSES; i++)
		g_string_append_printf(out, "<th>%s</th>", report_status_labels[i]);
	g_string_append(out, "<th>total</th></tr><tr><td>tickets</td>");
	for (i = 0; i < REPORT_STATUSES; i++)
		g_string_append_printf(out, "<td>%" G_GINT64_FORMAT "</td>", f->backlog_status[i]);
	g_string_append_printf(out,
			       "<td>%" G_GINT64_FORMAT "</td></tr></table>"
			       "<p>NPS answers: %" G_GINT64_FORMAT " promoters, %" G_GINT64_FORMAT
			       " passives, %" G_GINT64_FORMAT " detractors. First responses still "
			       "awaited: %" G_GINT64_FORMAT ".</p>",
			       f->backlog, f->promoters, f->passives, f->detractors, f->unanswered);
}

/* One horizontal bar chart, a row per group: value (NAN: no figure, "-"), shown as text. */
static void hbar_chart(GString *out, const char *title, const struct report *r,
		       double (*value)(const struct report_figures *, char *text), double max,
		       const char *color)
{
	char text[32];
	guint i;

	for (i = 0; i < r->groups->len && max <= 0; i++) {
		double v = value(g_ptr_array_index(r->groups, i), text);
		if (!isnan(v))
			max = MAX(max, v);
	}
	max = nice_max(max);
	g_string_append_printf(out, "<div class=\"chart\"><h2>%s</h2><div class=\"hbar\">", title);
	for (i = 0; i < r->groups->len; i++) {
		const struct report_figures *f = g_ptr_array_index(r->groups, i);
		double v = value(f, text);

		g_string_append(out, "<span class=\"name\">");
		esc(out, f->key);
		g_string_append_printf(out,
				       "</span><span class=\"track\"><span class=\"fill\" "
				       "style=\"display:block;width:%.1f%%;background:%s\"></span>"
				       "</span><span class=\"val%s\">%s</span>",
				       isnan(v) ? 0.0 : 100.0 * v / max, color,
				       isnan(v) ? " none" : "", isnan(v) ? "-" : text);
	}
	g_string_append(out, "</div></div>");
}

static double agent_resolved(const struct report_figures *f, char *text)
{
	g_snprintf(text, 32, "%" G_GINT64_FORMAT, f->resolved);
	return (double)f->resolved;
}

static double agent_frt(const struct report_figures *f, char *text)
{
	if (f->first_response.count == 0)
		return NAN;
	report_format_duration(f->first_response.median, text);
	return (double)f->first_response.median / 3600.0; /* hours, for the bar */
}

static double agent_csat(const struct report_figures *f, char *text)
{
	double v = report_csat(f);

	if (v < 0)
		return NAN;
	g_snprintf(text, 32, "%.0f%%", v);
	return v;
}

static double agent_backlog(const struct report_figures *f, char *text)
{
	g_snprintf(text, 32, "%" G_GINT64_FORMAT, f->backlog);
	return (double)f->backlog;
}

/* --by agent: each agent's figures side by side, one bar per agent. */
static void agent_charts(GString *out, const struct report *r)
{
	if (r->by != REPORT_BY_AGENT || r->groups->len == 0)
		return;
	g_string_append(out, "<h2>Per agent</h2><div class=\"charts\">");
	hbar_chart(out, "Tickets resolved per agent", r, agent_resolved, 0, "#3d7dd8");
	hbar_chart(out, "Median first response per agent", r, agent_frt, 0, "#7a5bd6");
	hbar_chart(out, "CSAT per agent (% satisfied)", r, agent_csat, 100, "#2e9e6a");
	hbar_chart(out, "Backlog per agent (tickets)", r, agent_backlog, 0, "#d8843d");
	g_string_append(out, "</div>");
}

/* An instant as "YYYY-MM-DD HH:MM" in zone (NULL: UTC); g_malloc'ed. */
static char *html_time(GTimeZone *zone, gint64 t)
{
	GDateTime *utc = g_date_time_new_from_unix_utc(t), *local;
	char *s;

	if (utc == NULL)
		return g_strdup("?");
	local = zone != NULL ? g_date_time_to_timezone(utc, zone) : g_date_time_ref(utc);
	s = g_date_time_format(local, "%Y-%m-%d %H:%M");
	g_date_time_unref(local);
	g_date_time_unref(utc);
	return s;
}

char *report_to_html(const struct report *r, const char *title)
{
	GString *out = g_string_sized_new(16384);
	char *since = html_time(r->zone, r->since), *until = html_time(r->zone, r->until);
	const char *zone = r->zone != NULL ? g_time_zone_get_identifier(r->zone) : "UTC";

	g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			     "<title>");
	esc(out, title);
	g_string_append_printf(out, "</title><style>%s</style></head><body><h1>", css);
	esc(out, title);
	g_string_append_printf(out, "</h1><div class=\"period\">%s &ndash; %s (",
			       r->since > 0 ? since : "start", until);
	esc(out, zone); /* an admin's configuration value: text, not markup */
	g_string_append(out, "; days are this time zone's)</div>");
	cards(out, &r->total);
	g_string_append(out, "<div class=\"charts\">");
	chart_days(out, r);
	chart_buckets(out, "First response time (tickets)", report_frt_labels, r->frt_hist,
		      REPORT_FRT_BUCKETS, "#7a5bd6");
	chart_csat(out, r);
	chart_buckets(out, "Backlog by age (tickets)", report_age_labels, r->total.backlog_age,
		      REPORT_AGE_BUCKETS, "#d8843d");
	g_string_append(out, "</div>");
	agent_charts(out, r);
	figures_table(out, r);
	backlog_table(out, &r->total);
	g_string_append(out, "<p class=\"none\">Definitions: doc/metrics.md.</p></body></html>\n");
	g_free(since);
	g_free(until);
	return g_string_free(out, FALSE);
}
