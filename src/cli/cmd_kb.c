/* cli kb: `postdesk kb reindex | list | search [--queue Q] [--lang L] QUESTION...`, each
 * with --json: the knowledge base (doc/kb.md). reindex reads kb_dir into the index in one
 * transaction (progress on a terminal); search shows what an acknowledgement would
 * suggest for a question, with the scores the threshold saw (--all: every candidate). */
#include "config.h"
#include "postdesk/kb.h"
#include "postdesk/lib.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void kb_progress(guint n, guint total, const char *path, void *ctx)
{
	(void)ctx;
	(void)path;
	fprintf(stderr, "\rindexing %u/%u", n, total);
	if (n == total)
		fputc('\n', stderr);
}

static int kb_cmd_reindex(struct cli *cli)
{
	struct store *store = NULL;
	char *error = NULL;
	guint count = 0;
	int ret;

	if (cli->conf->kb_dir == NULL)
		return cli_fail(EX_CONFIG, "kb reindex: kb_dir is not set in %s", cli->conf_path);
	if ((ret = cli_store(cli, 0, &store)) != 0)
		return ret;
	if (kb_reindex(store, cli->conf->kb_dir, cli_progress_on() ? kb_progress : NULL, NULL,
		       &count, &error) < 0) {
		ret = cli_fail(EX_DATAERR, "kb reindex: %s (the index is unchanged)", error);
	} else if (cli_json_on()) {
		struct report_json *j = cli_json_result();
		report_json_int(j, "articles", count);
		cli_json_done(&j);
	} else if (cli_progress_on()) {
		printf("%u articles indexed from %s\n", count, cli->conf->kb_dir);
	}
	g_free(error);
	store_close(&store);
	return ret;
}

static void kb_print_list(GPtrArray *list)
{
	struct report_json *j = cli_json_result();

	if (j != NULL)
		report_json_begin_array(j, "articles");
	for (guint i = 0; i < list->len; i++) {
		const struct store_kb_article *a = g_ptr_array_index(list, i);
		if (j == NULL) {
			printf("%" G_GINT64_FORMAT "\t%s\t%s\t%s\t%s\n", a->id,
			       a->queue[0] != '\0' ? a->queue : "shared", a->lang, a->title, a->path);
			continue;
		}
		report_json_begin_object(j, NULL);
		report_json_id(j, "id", a->id);
		report_json_str(j, "queue", a->queue);
		report_json_str(j, "lang", a->lang);
		report_json_str(j, "title", a->title);
		report_json_str(j, "url", a->url);
		report_json_str(j, "path", a->path);
		report_json_end_object(j);
	}
	if (j != NULL) {
		report_json_end_array(j);
		cli_json_done(&j);
	}
}

static void kb_print_hits(GPtrArray *hits)
{
	struct report_json *j = cli_json_result();

	if (j != NULL)
		report_json_begin_array(j, "suggestions");
	for (guint i = 0; i < hits->len; i++) {
		const struct store_kb_hit *h = g_ptr_array_index(hits, i);
		if (j == NULL) {
			printf("%" G_GINT64_FORMAT "\t%.3f\t%d/%d\t%s\t%s\n", h->id, h->score / 1000.0,
			       h->matched, h->terms, h->title, h->url);
			continue;
		}
		report_json_begin_object(j, NULL);
		report_json_id(j, "id", h->id);
		report_json_str(j, "title", h->title);
		report_json_str(j, "url", h->url);
		report_json_double(j, "score", h->score / 1000.0);
		report_json_int(j, "matched", h->matched);
		report_json_int(j, "terms", h->terms);
		report_json_end_object(j);
	}
	if (j != NULL) {
		report_json_end_array(j);
		cli_json_done(&j);
	}
}

static int kb_cmd_read(struct cli *cli, int argc, char **argv, const char *queue,
		       const char *lang, gboolean all)
{
	struct store *store = NULL;
	GPtrArray *rows = NULL;
	char *error = NULL, *text = NULL;
	int ret;

	if ((ret = cli_store(cli, STORE_READONLY, &store)) != 0)
		return ret;
	if (strcmp(argv[1], "list") == 0) {
		if (store_kb_list(store, &rows, &error) == 0)
			kb_print_list(rows);
	} else {
		text = g_strjoinv(" ", argv + 2);
		if (all) {
			char *match = kb_match_expr(text, lang);
			if (match != NULL)
				ret = store_kb_search(store, match, lang, queue, 10, &rows, &error);
			else
				rows = g_ptr_array_new();
			g_free(match);
		} else {
			ret = kb_suggest(store, lang, queue, text, KB_SUGGEST_MAX, &rows, &error);
		}
		if (ret == 0)
			kb_print_hits(rows);
	}
	if (error != NULL)
		ret = cli_fail(EX_TEMPFAIL, "kb %s: %s", argv[1], error);
	if (rows != NULL)
		g_ptr_array_unref(rows);
	g_free(error);
	g_free(text);
	store_close(&store);
	return ret;
}

int cli_kb(struct cli *cli, int argc, char **argv)
{
	gboolean json = FALSE, all = FALSE;
	char *queue = NULL, *lang = NULL;
	const GOptionEntry entries[] = {
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL},
		{"queue", 'q', 0, G_OPTION_ARG_STRING, &queue, "search: this queue's articles too",
		 "QUEUE"},
		{"lang", 'l', 0, G_OPTION_ARG_STRING, &lang, "search: the question's language (en)",
		 "LANG"},
		{"all", 'a', 0, G_OPTION_ARG_NONE, &all, "search: every candidate, no threshold",
		 NULL},
		G_OPTION_ENTRY_NULL,
	};
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "reindex | list | search QUESTION...",
			       "The knowledge base: articles suggested in acknowledgements.")) != 0)
		return ret;
	if (!((argc == 2 && (strcmp(argv[1], "reindex") == 0 || strcmp(argv[1], "list") == 0)) ||
	      (argc >= 3 && strcmp(argv[1], "search") == 0)))
		ret = cli_fail(EX_USAGE, "usage: kb reindex | kb list | kb search [--queue Q] "
					 "[--lang L] [--all] QUESTION... (each with --json)");
	else if ((ret = cli_load(cli)) == 0)
		ret = strcmp(argv[1], "reindex") == 0
			  ? kb_cmd_reindex(cli)
			  : kb_cmd_read(cli, argc, argv, queue != NULL ? queue : "",
					lang != NULL ? lang : "en", all);
	g_free(queue);
	g_free(lang);
	return ret;
}
