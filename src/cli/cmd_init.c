/* cli init: create (or migrate) the database and create the token key. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/token.h"
#include "cli.h"

#include <stdio.h>

/* The database and key live in a private directory (0700); create it if missing. */
static int init_dir_of(const char *path)
{
	char *dir = g_path_get_dirname(path);
	int ret = g_mkdir_with_parents(dir, 0700);

	if (ret < 0)
		cli_fail(EX_CANTCREAT, "cannot create %s: %s", dir, g_strerror(errno));
	g_free(dir);
	return ret;
}

/* privileges: run as root with `user` set, the daemons' user gets the directories, the
 * database and the key (they give root up before they write; doc/privileges.md). */
static int init_give_to_user(const struct conf *conf)
{
	const char *files[] = {conf->database, conf->key_file};
	char *error = NULL;
	int ret = 0;

	for (gsize i = 0; i < G_N_ELEMENTS(files) && ret == 0; i++) {
		char *dir = g_path_get_dirname(files[i]);

		if (privs_chown_to_user(dir, conf->user, &error) < 0 ||
		    privs_chown_to_user(files[i], conf->user, &error) < 0) {
			ret = cli_fail(EX_CANTCREAT, "%s", error);
			g_free(error);
		}
		g_free(dir);
	}
	return ret;
}

int cli_init(struct cli *cli, int argc, char **argv)
{
	gboolean force = FALSE;
	const GOptionEntry entries[] = {
		{"force", 0, 0, G_OPTION_ARG_NONE, &force,
		 "add a new token key even if the key file exists (old tokens stay valid)", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct store *store = NULL;
	char *error = NULL;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "", "Create the database and key.")))
		return ret;
	if ((ret = cli_load(cli)) != 0)
		return ret;
	if (init_dir_of(cli->conf->database) < 0 || init_dir_of(cli->conf->key_file) < 0)
		return EX_CANTCREAT;
	if ((ret = cli_store(cli, STORE_CREATE, &store)) != 0)
		return ret;
	printf("database %s: schema version %d\n", cli->conf->database,
	       store_schema_version(store));
	store_close(&store);
	/* Run again on an installed system, init upgrades the schema and keeps the key: an
	 * existing, valid key file is never replaced without --force. */
	if (!force && g_file_test(cli->conf->key_file, G_FILE_TEST_EXISTS)) {
		struct token_keys *keys = NULL;
		if (token_keys_load(cli->conf->key_file, &keys, &error) < 0) {
			ret = cli_fail(EX_CANTCREAT, "%s (not replaced; --force adds a new key)",
				       error);
			g_free(error);
			return ret;
		}
		token_keys_free(&keys);
		printf("token key %s: exists, kept (--force adds a new key)\n",
		       cli->conf->key_file);
		return init_give_to_user(cli->conf);
	}
	if (token_keys_create(cli->conf->key_file, force, &error) < 0) {
		ret = cli_fail(EX_CANTCREAT, "%s", error);
		g_free(error);
		return ret;
	}
	printf("token key %s: %s\n", cli->conf->key_file, force ? "new key added" : "created");
	return init_give_to_user(cli->conf);
}
