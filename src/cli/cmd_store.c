/* cli store: `postdesk store copy --to postgresql://... [--json]` (issue 16,
 * doc/scaling.md) moves the configured desk (an SQLite file) into an empty PostgreSQL
 * database: every row with its id, in one transaction of the target, then checked by the
 * row counts of every table and a sample of rows. Progress on a terminal (a line per
 * table), nothing with --json or when not a terminal. Stop the daemons first, then point
 * `database` at the URI. The target's URI is never printed (it may hold a password). */
#include "config.h"
#include "postdesk/lib.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static void store_copy_progress(const char *table, gint64 done, gint64 total, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "\rcopy %-14s %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, table, done, total);
	if (done >= total)
		fputc('\n', stderr);
}

static int store_cmd_copy(struct cli *cli, const char *to_uri)
{
	struct store *from = NULL, *to = NULL;
	char *error = NULL;
	gint64 rows = 0;
	guint tables = 0;
	int ret;

	if (to_uri == NULL || g_strcmp0(to_uri, cli->conf->database) == 0)
		return cli_fail(EX_USAGE, "store copy: --to names the database to copy into "
					  "(postgresql://...), not the configured one");
	if ((ret = cli_store(cli, STORE_READONLY, &from)) != 0)
		return ret;
	if (store_open(to_uri, STORE_CREATE, (int)cli->conf->busy_timeout_ms, &to, &error) < 0) {
		ret = cli_fail(EX_UNAVAILABLE, "store copy: the target: %s", error);
	} else if ((ret = store_is_empty(to, &error)) <= 0) {
		ret = ret < 0 ? cli_fail(EX_TEMPFAIL, "store copy: the target: %s", error)
			      : cli_fail(EX_CANTCREAT, "store copy: the target already holds a desk: "
						       "copy into an empty database");
	} else if (store_copy(from, to, cli_progress_on() ? store_copy_progress : NULL, NULL,
			      &rows, &error) < 0) {
		ret = cli_fail(EX_TEMPFAIL, "store copy: %s (nothing was copied)", error);
	} else if (store_copy_check(from, to, &tables, &error) < 0) {
		ret = cli_fail(EX_DATAERR, "store copy: the copy differs: %s", error);
	} else if (cli_json_on()) {
		struct report_json *j = cli_json_result();

		ret = 0;
		report_json_int(j, "rows", rows);
		report_json_int(j, "tables_checked", tables);
		cli_json_done(&j);
	} else {
		ret = 0;
		printf("copied %" G_GINT64_FORMAT " rows; %u tables checked (row counts and a "
		       "sample of rows match)\n",
		       rows, tables);
	}
	g_free(error);
	store_close(&to);
	store_close(&from);
	return ret;
}

int cli_store_cmd(struct cli *cli, int argc, char **argv)
{
	char *to_uri = NULL;
	const GOptionEntry entries[] = {
		{"to", 0, 0, G_OPTION_ARG_STRING, &to_uri,
		 "the database to copy into (a libpq URI)", "URI"},
		G_OPTION_ENTRY_NULL,
	};
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "copy",
			       "Copy the desk into another database: copy --to postgresql://...")))
		goto out;
	if (argc != 2 || strcmp(argv[1], "copy") != 0) {
		ret = cli_fail(EX_USAGE, "store: usage: store copy --to URI [--json]");
		goto out;
	}
	if ((ret = cli_load(cli)) == 0)
		ret = store_cmd_copy(cli, to_uri);
out:
	g_free(to_uri);
	return ret;
}
