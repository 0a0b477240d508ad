/* cli search: `postdesk search QUERY [--status S] [--queue Q] [--since D] [--limit N]
 * [--after CURSOR] [--json]`: the tickets whose subject, messages, requester,
 * participants or tags match, best first (doc/search.md; the query syntax is the store's,
 * src/store/search.c). Read-only: opens the store read-only. A page ends with the cursor
 * of the next one (the number of tickets shown so far: results are ranked, not ordered by
 * id). Errors are also JSON with --json ({"error": ..., "code": N} on stdout). */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/report.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define SEARCH_PAGE_DEFAULT 20

struct search_args {
	char *status, *queue, *since, *after;
	gint64 limit;
	gboolean json;
};

/* Report a failure as text on stderr and, with --json, as an object on stdout. */
static int search_fail(const struct search_args *a, int code, const char *msg)
{
	(void)a; /* with --json, cli_fail also writes {"error", "code"} on stdout */
	return cli_fail(code, "%s", msg);
}

static gboolean search_status_ok(const char *s)
{
	static const char *const statuses[] = {"new", "open", "pending", "resolved", "closed"};

	for (guint i = 0; i < G_N_ELEMENTS(statuses); i++)
		if (strcmp(s, statuses[i]) == 0)
			return TRUE;
	return FALSE;
}

/* The options into o; 0 or the exit code (reported). */
static int search_check(const struct search_args *a, struct store_search_opts *o)
{
	char *error = NULL, *end = NULL;
	int ret;

	if (a->status != NULL && !search_status_ok(a->status))
		return search_fail(a, EX_USAGE, "search: --status takes new, open, pending, "
						"resolved or closed");
	if (a->limit < 1 || a->limit > 1000)
		return search_fail(a, EX_USAGE, "search: --limit takes a number from 1 to 1000");
	if (a->since != NULL && clock_parse(a->since, &o->since, &error) < 0) {
		char *msg = g_strdup_printf("search: --since: %s", error);

		ret = search_fail(a, EX_USAGE, msg);
		g_free(msg);
		g_free(error);
		return ret;
	}
	if (a->after != NULL) {
		o->offset = g_ascii_strtoll(a->after, &end, 10);
		if (end == a->after || *end != '\0' || o->offset < 0)
			return search_fail(a, EX_USAGE, "search: --after takes the cursor a "
							"previous page printed (a number)");
	}
	o->status = a->status;
	o->queue = a->queue;
	o->limit = a->limit;
	return 0;
}

static void search_print(const struct store_search_opts *o, const GPtrArray *hits,
			 gboolean more, gboolean json)
{
	gint64 next = o->offset + (gint64)hits->len;

	if (json) {
		struct report_json *b = report_json_new();

		report_json_begin_object(b, NULL);
		report_json_str(b, "query", o->query);
		report_json_begin_array(b, "tickets");
		for (guint i = 0; i < hits->len; i++) {
			const struct store_search_hit *h = g_ptr_array_index(hits, i);

			report_json_begin_object(b, NULL);
			report_json_int(b, "id", h->ticket_id);
			report_json_str(b, "status", h->status);
			report_json_str(b, "queue", h->queue);
			report_json_str(b, "subject", h->subject);
			report_json_time(b, "updated", h->updated);
			report_json_double(b, "rank", (double)h->rank / 1e6);
			report_json_end_object(b);
		}
		report_json_end_array(b);
		report_json_bool(b, "more", more);
		if (more) {
			char cursor[24];

			g_snprintf(cursor, sizeof(cursor), "%" G_GINT64_FORMAT, next);
			report_json_str(b, "next", cursor);
		} else
			report_json_null(b, "next");
		report_json_end_object(b);
		report_json_print(&b, stdout);
		return;
	}
	if (hits->len == 0)
		printf("No tickets match.\n");
	else
		printf("%-6s %-8s %-10s %-20s %s\n", "ID", "STATUS", "QUEUE", "UPDATED", "SUBJECT");
	for (guint i = 0; i < hits->len; i++) {
		const struct store_search_hit *h = g_ptr_array_index(hits, i);
		char *updated = clock_format(h->updated);

		printf("%-6" G_GINT64_FORMAT " %-8s %-10s %-20s %s\n", h->ticket_id, h->status,
		       h->queue, updated, h->subject);
		g_free(updated);
	}
	if (more)
		printf("More: --after %" G_GINT64_FORMAT "\n", next);
}

int cli_search(struct cli *cli, int argc, char **argv)
{
	struct search_args a = {.limit = SEARCH_PAGE_DEFAULT};
	const GOptionEntry entries[] = {
		{"status", 's', 0, G_OPTION_ARG_STRING, &a.status, "only tickets in this status",
		 "S"},
		{"queue", 'q', 0, G_OPTION_ARG_STRING, &a.queue, "only tickets of this queue", "Q"},
		{"since", 0, 0, G_OPTION_ARG_STRING, &a.since,
		 "only tickets updated since (ISO 8601)", "D"},
		{"limit", 'n', 0, G_OPTION_ARG_INT64, &a.limit,
		 "at most N tickets (default " G_STRINGIFY(SEARCH_PAGE_DEFAULT) ")", "N"},
		{"after", 0, 0, G_OPTION_ARG_STRING, &a.after,
		 "the next page: the cursor the previous page printed", "CURSOR"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &a.json, "JSON output", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct store_search_opts o = {0};
	struct store *store = NULL;
	GPtrArray *hits = NULL;
	gboolean more = FALSE;
	char *error = NULL, *query = NULL, *fts = NULL;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "QUERY",
			       "Find tickets: words (all must match), \"a phrase\", word* (a "
			       "prefix), -word (leave out), OR between two terms.")) != 0)
		goto out;
	if (argc < 2) {
		ret = search_fail(&a, EX_USAGE, "search: give a query");
		goto out;
	}
	query = g_strjoinv(" ", argv + 1);
	o.query = query;
	if ((ret = search_check(&a, &o)) != 0)
		goto out;
	/* The query first: a mistake in it is the user's (EX_USAGE), told in their terms. */
	if (store_search_parse(query, &fts, &error) < 0) {
		ret = search_fail(&a, EX_USAGE, error);
		goto out;
	}
	/* read-write: the search first indexes what was delivered since notifyd's last pass */
	if ((ret = cli_store(cli, 0, &store)) != 0)
		goto out;
	if (store_search(store, &o, &hits, &more, &error) < 0) {
		ret = search_fail(&a, EX_TEMPFAIL, error);
		goto out;
	}
	search_print(&o, hits, more, a.json);
out:
	if (hits != NULL)
		g_ptr_array_unref(hits);
	store_close(&store);
	g_free(error);
	g_free(fts);
	g_free(query);
	g_free(a.status);
	g_free(a.queue);
	g_free(a.since);
	g_free(a.after);
	return ret;
}
