/* cli init: create (or migrate) the database and create the token key. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/token.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The key file stays root's (0600): the daemons read it as root before they switch, so no
 * other process of their user can read it. A key an older init gave to the user is taken
 * back. Never through a symlink. */
static int init_key_to_root(const char *path)
{
	int fd, ret = 0;

	if (geteuid() != 0)
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fchown(fd, 0, 0) < 0 || fchmod(fd, 0600) < 0)
		ret = cli_fail(EX_CANTCREAT, "%s: cannot make it root's, mode 0600: %s", path,
			       g_strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

/* privileges: run as root with `user` set, the daemons' user gets the database and its
 * directory (they give root up before they write; doc/privileges.md); the key stays root's. */
static int init_give_to_user(const struct conf *conf)
{
	/* A server database (PostgreSQL) is the server's: the key's directory, where the
	 * daemons keep their files (spool, send lock), is given instead. */
	gboolean local = store_is_local(conf->database);
	char *dir = g_path_get_dirname(local ? conf->database : conf->key_file), *error = NULL;
	int ret = 0;

	if (privs_chown_to_user(dir, conf->user, &error) < 0 ||
	    (local && privs_chown_to_user(conf->database, conf->user, &error) < 0)) {
		ret = cli_fail(EX_CANTCREAT, "%s", error);
		g_free(error);
	}
	g_free(dir);
	return ret == 0 ? init_key_to_root(conf->key_file) : ret;
}

/* The key's line (or member "key") and the files handed to the daemons' user. */
static int init_done(struct cli *cli, struct report_json **j, const char *key, const char *text)
{
	int ret = init_give_to_user(cli->conf);

	if (*j != NULL && ret == 0) {
		report_json_str(*j, "key", key);
		cli_json_done(j);
	} else if (*j == NULL) {
		printf("token key %s: %s\n", cli->conf->key_file, text);
	}
	report_json_free(j);
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
	struct report_json *j;
	char *error = NULL;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "", "Create the database and key.")))
		return ret;
	if ((ret = cli_load(cli)) != 0)
		return ret;
	if ((store_is_local(cli->conf->database) && init_dir_of(cli->conf->database) < 0) ||
	    init_dir_of(cli->conf->key_file) < 0)
		return EX_CANTCREAT;
	if ((ret = cli_store(cli, STORE_CREATE, &store)) != 0)
		return ret;
	if ((j = cli_json_result()) != NULL) {
		report_json_str(j, "database", cli->conf->database);
		report_json_int(j, "schema_version", store_schema_version(store));
		report_json_str(j, "key_file", cli->conf->key_file);
	} else {
		printf("database %s: schema version %d\n", cli->conf->database,
		       store_schema_version(store));
	}
	store_close(&store);
	/* Run again on an installed system, init upgrades the schema and keeps the key: an
	 * existing, valid key file is never replaced without --force. */
	if (!force && g_file_test(cli->conf->key_file, G_FILE_TEST_EXISTS)) {
		struct token_keys *keys = NULL;
		if (token_keys_load(cli->conf->key_file, &keys, &error) < 0) {
			ret = cli_fail(EX_CANTCREAT, "%s (not replaced; --force adds a new key)",
				       error);
			g_free(error);
			report_json_free(&j);
			return ret;
		}
		token_keys_free(&keys);
		return init_done(cli, &j, "kept", "exists, kept (--force adds a new key)");
	}
	if (token_keys_create(cli->conf->key_file, force, &error) < 0) {
		ret = cli_fail(EX_CANTCREAT, "%s", error);
		g_free(error);
		report_json_free(&j);
		return ret;
	}
	return init_done(cli, &j, force ? "new key added" : "created",
			 force ? "new key added" : "created");
}
