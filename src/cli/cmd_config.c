/* cli config: `postdesk config [-n]`, the effective configuration in the file's own syntax
 * (like `postconf` and `doveconf -n`): every key, or with -n only those the file sets.
 * The file is checked first (a broken one fails as the daemons would, file:line, 78). */
#include "config.h"
#include "postdesk/conf.h"
#include "cli.h"

#include <stdio.h>

int cli_config(struct cli *cli, int argc, char **argv)
{
	gboolean only_set = FALSE;
	const GOptionEntry entries[] = {
		{"non-default", 'n', 0, G_OPTION_ARG_NONE, &only_set,
		 "only the keys the file sets", NULL},
		G_OPTION_ENTRY_NULL,
	};
	GString *out;
	char *error = NULL;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "",
			       "Print the effective configuration (postdesk.conf(5)).")))
		return ret;
	if (argc > 1)
		return cli_fail(EX_USAGE, "config: unexpected argument '%s'", argv[1]);
	if (cli_json_on())
		return cli_fail(EX_USAGE, "config: no --json (the output is the file's syntax)");
	if ((ret = cli_load(cli)) != 0)
		return ret;
	out = g_string_new(NULL);
	if (conf_dump(cli->conf, only_set, out, &error) < 0) {
		ret = cli_fail(EX_CONFIG, "%s", error);
		g_free(error);
	} else {
		fputs(out->str, stdout);
	}
	g_string_free(out, TRUE);
	return ret;
}
