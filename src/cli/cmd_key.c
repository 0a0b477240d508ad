/* cli key: the token key file. `key rotate [--grace DAYS]` puts a new key in front (it signs
 * from now on) and gives the older keys an end: they still verify for the grace period, so
 * the reply addresses already sent out keep working that long. `key rotate --prune` drops
 * the keys whose end has passed (they no longer verify anyway). `key list` shows versions
 * and times, never the keys. Touches no database. The daemons read the key file when they
 * start (or reload): restart or reload them after a rotation. --now TIME (as `tick --now`)
 * lets tests act after a grace period without waiting. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/token.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

#define KEY_GRACE_DEFAULT_DAYS 30

static int key_list(struct cli *cli)
{
	struct token_keys *keys = NULL;
	struct token_key_info info;
	char *error = NULL;
	gint64 now = clock_now();
	struct report_json *j = cli_json_on() ? report_json_new() : NULL;

	if (token_keys_load(cli->conf->key_file, &keys, &error) < 0) {
		int ret = cli_fail(EX_CONFIG, "key: %s", error);
		g_free(error);
		report_json_free(&j);
		return ret;
	}
	if (j != NULL)
		report_json_begin_array(j, NULL);
	else
		printf("%-8s %-21s %-21s %s\n", "version", "created", "expires", "state");
	for (guint i = 0; token_keys_info(keys, i, &info); i++) {
		char *created = info.created != 0 ? clock_format(info.created) : g_strdup("-");
		char *expires = info.expires != 0 ? clock_format(info.expires) : g_strdup("-");
		const char *state = i == 0				       ? "signs"
				    : info.expires != 0 && info.expires <= now ? "expired"
									       : "verifies";
		if (j != NULL) {
			report_json_begin_object(j, NULL);
			report_json_int(j, "version", info.version);
			report_json_time(j, "created", info.created);
			report_json_time(j, "expires", info.expires);
			report_json_str(j, "state", state);
			report_json_end_object(j);
		} else {
			printf("%-8u %-21s %-21s %s\n", info.version, created, expires, state);
		}
		g_free(created);
		g_free(expires);
	}
	if (j != NULL) {
		report_json_end_array(j);
		report_json_print(&j, stdout);
	}
	token_keys_free(&keys);
	return 0;
}

static int key_rotate(struct cli *cli, gboolean prune, gint grace_days)
{
	char *error = NULL;
	struct report_json *j;
	guint dropped = 0;
	int ret = 0;

	if (prune)
		ret = token_keys_prune(cli->conf->key_file, clock_now(), &dropped, &error);
	else
		ret = token_keys_rotate(cli->conf->key_file, clock_now(),
					(gint64)grace_days * 86400, &error);
	if (ret < 0) {
		ret = cli_fail(EX_CANTCREAT, "key: %s", error);
		g_free(error);
		return ret;
	}
	if ((j = cli_json_result()) != NULL) {
		report_json_str(j, "key_file", cli->conf->key_file);
		if (prune)
			report_json_int(j, "dropped", dropped);
		else
			report_json_int(j, "grace_days", grace_days);
		cli_json_done(&j);
	} else if (prune)
		printf("key: %u expired key%s dropped from %s\n", dropped, dropped == 1 ? "" : "s",
		       cli->conf->key_file);
	else
		printf("key: new key in front of %s; older keys verify for %d more day%s "
		       "(restart or reload the daemons to sign with it)\n",
		       cli->conf->key_file, grace_days, grace_days == 1 ? "" : "s");
	return 0;
}

int cli_key(struct cli *cli, int argc, char **argv)
{
	gboolean prune = FALSE;
	gint grace = KEY_GRACE_DEFAULT_DAYS;
	char *now = NULL, *error = NULL;
	gint64 t;
	const GOptionEntry entries[] = {
		{"now", 0, 0, G_OPTION_ARG_STRING, &now,
		 "act as if it were TIME (tests: a grace period that has ended)", "TIME"},
		{"grace", 'g', 0, G_OPTION_ARG_INT, &grace,
		 "rotate: days the older keys still verify (default 30)", "DAYS"},
		{"prune", 'p', 0, G_OPTION_ARG_NONE, &prune,
		 "rotate: only drop the keys whose grace period has ended", NULL},
		G_OPTION_ENTRY_NULL,
	};
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "list | rotate",
			       "List or rotate the token keys.")) != 0 ||
	    (ret = cli_load(cli)) != 0) {
		g_free(now);
		return ret;
	}
	if (now != NULL && clock_parse(now, &t, &error) < 0) {
		ret = cli_fail(EX_USAGE, "key: %s", error);
		g_free(error);
		g_free(now);
		return ret;
	}
	if (now != NULL)
		clock_set_fixed(t);
	g_free(now);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return key_list(cli);
	if (argc == 2 && strcmp(argv[1], "rotate") == 0 && grace >= 0 && grace <= 3650)
		return key_rotate(cli, prune, grace);
	return cli_fail(EX_USAGE, "key: usage: key list | key rotate [--grace DAYS] | "
				  "key rotate --prune");
}
