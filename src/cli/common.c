/* cli common: the helpers every subcommand shares — config, store, option parsing — and
 * the one place errors are printed (at the edge, once). Called by main.c and cmd_*.c; calls
 * nothing of theirs. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/report.h"
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Set once by main.c before the subcommand runs (the tool is one thread); read only by
 * cli_fail(). */
static gboolean cli_json_errors;

void cli_json_mode(gboolean on)
{
	cli_json_errors = on;
}

gboolean cli_json_on(void)
{
	return cli_json_errors;
}

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "postdesk: %s\n", msg);
	/* A script that asked for JSON reads the failure from stdout as well: one object with
	 * the message and the exit code (doc/json.md "Errors"). */
	if (cli_json_errors) {
		struct report_json *j = report_json_new();

		fflush(stdout);
		report_json_begin_object(j, NULL);
		report_json_str(j, "error", msg);
		report_json_int(j, "code", code);
		report_json_end_object(j);
		report_json_print(&j, stdout);
	}
	g_free(msg);
	return code;
}

int cli_load(struct cli *cli)
{
	char *error = NULL;

	if (cli->conf != NULL)
		return 0;
	if (conf_load(cli->conf_path, &cli->conf, &error) < 0) {
		cli_fail(EX_CONFIG, "%s", error);
		g_free(error);
		return EX_CONFIG;
	}
	return 0;
}

int cli_store(struct cli *cli, int flags, struct store **store_r)
{
	char *error = NULL;
	int ret = cli_load(cli);

	if (ret != 0)
		return ret;
	/* lazy: a command uses a handful of the statements (doc/benchmarks.md: search) */
	if (store_open(cli->conf->database, flags | STORE_LAZY, (int)cli->conf->busy_timeout_ms,
		       store_r, &error) < 0) {
		cli_fail(EX_TEMPFAIL, "%s", error);
		g_free(error);
		return EX_TEMPFAIL;
	}
	return 0;
}

int cli_options(struct cli *cli, int *argc, char ***argv, const GOptionEntry *entries,
		const char *params, const char *summary)
{
	const GOptionEntry common[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &cli->conf_opt,
		 "configuration file", "FILE"},
		G_OPTION_ENTRY_NULL,
	};
	/* --json is every subcommand's option (main.c has seen it already): one that has no
	 * entry of its own for it gets this one. */
	gboolean json_seen = FALSE, has_json = FALSE;
	const GOptionEntry json_entry[] = {
		{"json", 0, 0, G_OPTION_ARG_NONE, &json_seen, "JSON output", NULL},
		G_OPTION_ENTRY_NULL,
	};
	GOptionContext *ctx = g_option_context_new(params);
	GError *err = NULL;
	gboolean ok;

	for (const GOptionEntry *e = entries; e != NULL && e->long_name != NULL; e++)
		has_json = has_json || strcmp(e->long_name, "json") == 0;

	g_option_context_set_summary(ctx, summary);
	g_option_context_add_main_entries(ctx, common, NULL);
	if (entries != NULL)
		g_option_context_add_main_entries(ctx, entries, NULL);
	if (!has_json)
		g_option_context_add_main_entries(ctx, json_entry, NULL);
	ok = g_option_context_parse(ctx, argc, argv, &err);
	g_option_context_free(ctx);
	if (cli->conf_opt != NULL)
		cli->conf_path = cli->conf_opt;
	if (!ok) {
		cli_fail(EX_USAGE, "%s: %s", (*argv)[0], err->message);
		g_error_free(err);
		return EX_USAGE;
	}
	return 0;
}

int cli_agent_id(struct cli *cli, const char *email, gint64 *id_r)
{
	struct store *store = NULL;
	struct store_agent *a = NULL;
	char *error = NULL;
	int ret = cli_store(cli, STORE_READONLY, &store);

	*id_r = 0;
	if (ret != 0)
		return ret;
	if ((ret = store_agent_get(store, email, &a, &error)) < 0) {
		ret = cli_fail(EX_TEMPFAIL, "%s", error);
		g_free(error);
	} else {
		*id_r = ret == 1 ? a->id : 0;
		ret = 0;
	}
	store_agent_free(&a);
	store_close(&store);
	return ret;
}

gboolean cli_number(const char *s, gint64 min, gint64 *n_r)
{
	char *end;
	gint64 n;

	if (s == NULL || *s == '\0' || !g_ascii_isdigit(*s))
		return FALSE;
	n = g_ascii_strtoll(s, &end, 10);
	if (*end != '\0' || n < min || n == G_MAXINT64)
		return FALSE;
	*n_r = n;
	return TRUE;
}

gboolean cli_progress_on(void)
{
	return !cli_json_errors && isatty(STDERR_FILENO);
}

struct report_json *cli_json_result(void)
{
	struct report_json *j;

	if (!cli_json_errors)
		return NULL;
	j = report_json_new();
	report_json_begin_object(j, NULL);
	return j;
}

void cli_json_done(struct report_json **j)
{
	report_json_end_object(*j);
	report_json_print(j, stdout);
}
