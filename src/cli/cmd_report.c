/* cli report: `postdesk report [--since D] [--until D] [--queue Q] [--agent A]
 * [--by day|week|agent|queue] [--json|--csv|--html FILE]`. Streams the store's tickets
 * read-only (store_report_each) into a report builder, one ticket at a time, and prints a
 * text table, CSV or JSON, or writes a self-contained HTML page. Figures: doc/metrics.md. */
#include "postdesk/report.h"
#include "cli.h"
#include "config.h"
#include "postdesk/lib.h"

#include <stdio.h>
#include <string.h>

struct report_args {
	char *since, *until, *queue, *agent, *by, *html;
	gboolean json, csv;
};

/* Options into report options; EX_USAGE (printed) on a bad value. */
static int report_opts(struct cli *cli, const struct report_args *a, struct report_options *o)
{
	char *error = NULL;
	int outputs = (a->json ? 1 : 0) + (a->csv ? 1 : 0) + (a->html != NULL ? 1 : 0);

	o->since = 0;
	/* The end is exclusive: by default, everything up to and including this second. */
	o->until = clock_now() + 1;
	o->by = REPORT_BY_NONE;
	o->conf = cli->conf;
	if ((a->since != NULL && clock_parse(a->since, &o->since, &error) < 0) ||
	    (a->until != NULL && clock_parse(a->until, &o->until, &error) < 0)) {
		cli_fail(EX_USAGE, "report: %s", error);
		g_free(error);
		return EX_USAGE;
	}
	if (o->until <= o->since)
		return cli_fail(EX_USAGE, "report: --until must be after --since");
	if (a->by != NULL && report_by_parse(a->by, &o->by) < 0)
		return cli_fail(EX_USAGE, "report: --by takes day, week, agent or queue");
	if (outputs > 1)
		return cli_fail(EX_USAGE, "report: choose one of --json, --csv, --html");
	if (a->queue != NULL && conf_queue_by_name(cli->conf, a->queue) == NULL) {
		GString *names = g_string_new("");
		for (guint i = 0; i < cli->conf->queues->len; i++)
			g_string_append_printf(names, "%s%s", i > 0 ? ", " : "",
					       ((const struct conf_queue *)g_ptr_array_index(
						    cli->conf->queues, i))->name);
		cli_fail(EX_USAGE, "report: no queue '%s' (queues: %s)", a->queue, names->str);
		g_string_free(names, TRUE);
		return EX_USAGE;
	}
	if (a->agent != NULL && strchr(a->agent, '@') == NULL)
		return cli_fail(EX_USAGE, "report: --agent takes an agent's address, not '%s'",
				a->agent);
	return 0;
}

/* The HTML page's time zone: the queue's (--queue), else the one all queues share; NULL
 * (UTC) when they differ. Text, CSV and JSON keep UTC days (doc/metrics.md). */
static GTimeZone *report_zone(const struct conf *conf, const struct report_args *a)
{
	const char *name = NULL;

	if (a->html == NULL)
		return NULL;
	for (guint i = 0; i < conf->queues->len; i++) {
		const struct conf_queue *q = g_ptr_array_index(conf->queues, i);

		if (a->queue != NULL && strcmp(q->name, a->queue) != 0)
			continue;
		if (name != NULL && g_strcmp0(name, q->timezone) != 0)
			return NULL;
		name = q->timezone;
	}
	return name != NULL ? g_time_zone_new_identifier(name) : NULL;
}

static int report_output(const struct report *r, const struct report_args *a)
{
	GError *err = NULL;
	char *html;

	if (a->json) {
		report_write_json(r, stdout);
	} else if (a->csv) {
		report_write_csv(r, stdout);
	} else if (a->html != NULL) {
		html = report_to_html(r, "postdesk report");
		if (!g_file_set_contents(a->html, html, -1, &err)) {
			cli_fail(EX_CANTCREAT, "report: %s", err->message);
			g_error_free(err);
			g_free(html);
			return EX_CANTCREAT;
		}
		g_free(html);
	} else {
		report_write_text(r, stdout);
	}
	return fflush(stdout) == 0 ? 0 : cli_fail(EX_IOERR, "report: write error");
}

static void report_args_free(struct report_args *a)
{
	g_free(a->since);
	g_free(a->until);
	g_free(a->queue);
	g_free(a->agent);
	g_free(a->by);
	g_free(a->html);
}

int cli_report(struct cli *cli, int argc, char **argv)
{
	struct report_args a = {0};
	const GOptionEntry entries[] = {
	    {"since", 0, 0, G_OPTION_ARG_STRING, &a.since, "start (inclusive), ISO 8601", "D"},
	    {"until", 0, 0, G_OPTION_ARG_STRING, &a.until, "end (exclusive), default now", "D"},
	    {"queue", 'q', 0, G_OPTION_ARG_STRING, &a.queue, "only this queue", "Q"},
	    {"agent", 'a', 0, G_OPTION_ARG_STRING, &a.agent, "only tickets assigned to A", "A"},
	    {"by", 0, 0, G_OPTION_ARG_STRING, &a.by, "group by day|week|agent|queue", "G"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &a.json, "JSON output", NULL},
	    {"csv", 0, 0, G_OPTION_ARG_NONE, &a.csv, "CSV output", NULL},
	    {"html", 0, 0, G_OPTION_ARG_FILENAME, &a.html, "write an HTML page to FILE", "FILE"},
	    G_OPTION_ENTRY_NULL,
	};
	struct report_options opt = {0};
	struct store *store = NULL;
	struct report_builder *b = NULL;
	struct report *r = NULL;
	char *agent = NULL, *error = NULL;
	GTimeZone *zone = NULL;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "",
			       "Help-desk metrics (definitions: doc/metrics.md).")) != 0 ||
	    (ret = cli_load(cli)) != 0 || (ret = report_opts(cli, &a, &opt)) != 0 ||
	    (ret = cli_store(cli, STORE_READONLY, &store)) != 0)
		goto out;
	agent = a.agent != NULL ? util_addr_normalize(a.agent) : NULL;
	zone = report_zone(cli->conf, &a);
	b = report_builder_new(&opt);
	report_builder_zone(b, zone);
	if (store_report_each(store, a.queue, agent, opt.until, report_builder_add, b, &error) <
	    0) {
		r = report_builder_finish(&b);
		ret = cli_fail(EX_TEMPFAIL, "report: %s", error);
		g_free(error);
		goto out;
	}
	r = report_builder_finish(&b);
	ret = report_output(r, &a);
out:
	report_free(&r);
	if (zone != NULL)
		g_time_zone_unref(zone);
	store_close(&store);
	g_free(agent);
	report_args_free(&a);
	return ret;
}
