/* cli macro: `postdesk macro list [--json]` and `postdesk macro show NAME [--ticket N]
 * [--json]`: the canned replies agents insert with "#macro NAME" (doc/agents.md). `list`
 * names each macro with its first line of text and the file that wins; `show` prints the
 * file as written, or with --ticket rendered for that ticket as the customer would read
 * it (its command lines included: they are applied, not sent). With --json an error is
 * {"error": "..."} on stdout as well, with the same exit code. Read-only; one thread. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/lib.h"
#include "postdesk/report.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* Print the error (stderr, and as JSON on stdout with --json); returns code. */
static int macro_fail(gboolean json, int code, const char *msg)
{
	(void)json; /* cli_fail writes the JSON error object when --json was given */
	return cli_fail(code, "macro: %s", msg);
}

static int macro_list(struct cli *cli, gboolean json)
{
	GPtrArray *list = NULL;
	char *error = NULL;
	struct report_json *j;

	if (compose_macro_list(cli->conf, NULL, &list, &error) < 0) {
		int ret = macro_fail(json, EX_IOERR, error);
		g_free(error);
		return ret;
	}
	if (!json) {
		for (guint i = 0; i < list->len; i++) {
			const struct compose_macro *m = g_ptr_array_index(list, i);
			printf("%-24s %s\n", m->name, m->summary);
		}
		if (list->len == 0)
			printf("no macros (add files to <template_dir>/macros/NAME.txt)\n");
		g_ptr_array_unref(list);
		return 0;
	}
	j = report_json_new();
	report_json_begin_array(j, NULL);
	for (guint i = 0; i < list->len; i++) {
		const struct compose_macro *m = g_ptr_array_index(list, i);
		report_json_begin_object(j, NULL);
		report_json_str(j, "name", m->name);
		report_json_str(j, "summary", m->summary);
		report_json_str(j, "path", m->path);
		report_json_end_object(j);
	}
	report_json_end_array(j);
	report_json_print(&j, stdout);
	g_ptr_array_unref(list);
	return 0;
}

/* The macro's text: as written, or rendered for ticket (> 0). 0 or the exit code. */
static int macro_text(struct cli *cli, gboolean json, const char *name, gint64 ticket,
		      char **path_r, char **text_r)
{
	struct store *store = NULL;
	char *error = NULL, *msg;
	int ret = 0, found;

	found = compose_macro_find(cli->conf, NULL, name, path_r, &error);
	if (found == 1 && ticket <= 0 && !g_file_get_contents(*path_r, text_r, NULL, NULL))
		found = -1, error = g_strdup_printf("%s: cannot read", *path_r);
	if (found == 1 && ticket > 0) {
		if ((ret = cli_store(cli, STORE_READONLY, &store)) != 0)
			return ret;
		found = compose_macro_render(cli->conf, store, ticket, NULL, NULL, name, text_r,
					     &error);
		store_close(&store);
	}
	if (found == 0) {
		msg = g_strdup_printf("no macro \"%s\" (postdesk macro list)", name);
		ret = macro_fail(json, EX_DATAERR, msg);
		g_free(msg);
	} else if (found < 0) {
		ret = macro_fail(json, EX_DATAERR, error);
	}
	g_free(error);
	return ret;
}

static int macro_show(struct cli *cli, gboolean json, const char *name, gint64 ticket)
{
	char *path = NULL, *text = NULL;
	struct report_json *j;
	int ret = macro_text(cli, json, name, ticket, &path, &text);

	if (ret == 0 && !json) {
		fputs(text, stdout);
		if (text[0] != '\0' && text[strlen(text) - 1] != '\n')
			fputc('\n', stdout);
	} else if (ret == 0) {
		j = report_json_new();
		report_json_begin_object(j, NULL);
		report_json_str(j, "name", name);
		report_json_str(j, "path", path);
		report_json_id(j, "ticket", ticket > 0 ? ticket : 0);
		report_json_str(j, "text", text);
		report_json_end_object(j);
		report_json_print(&j, stdout);
	}
	g_free(path);
	g_free(text);
	return ret;
}

int cli_macro(struct cli *cli, int argc, char **argv)
{
	gboolean json = FALSE;
	gint64 ticket = 0;
	const GOptionEntry entries[] = {
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL},
		{"ticket", 't', 0, G_OPTION_ARG_INT64, &ticket, "render for this ticket", "N"},
		G_OPTION_ENTRY_NULL,
	};
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "list | show NAME",
			       "Canned replies agents insert with \"#macro NAME\".")) != 0)
		return ret;
	if (argc == 2 && strcmp(argv[1], "list") == 0 && ticket == 0)
		ret = 0;
	else if (argc == 3 && strcmp(argv[1], "show") == 0 && ticket >= 0)
		ret = 0;
	else
		return macro_fail(json, EX_USAGE,
				  "usage: macro list [--json] | macro show NAME [--ticket N] [--json]");
	if ((ret = cli_load(cli)) != 0)
		return json ? macro_fail(json, ret, "cannot load the configuration") : ret;
	if (strcmp(argv[1], "list") == 0)
		return macro_list(cli, json);
	return macro_show(cli, json, argv[2], ticket);
}
