/* daemon: shared start-up of the postdesk daemons (see daemon.h). */
#include "config.h"
#include "daemon.h"
#include "postdesk/lib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

int daemon_help_version(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			printf("%s %s\n", g_get_prgname(), PACKAGE_VERSION);
			return 0;
		}
	}
	return -1;
}

const char *daemon_default_conf(void)
{
	const char *env = g_getenv("POSTDESK_CONF");

	return env != NULL ? env : CONF_DEFAULT_PATH;
}

int daemon_fail(int code, char *error)
{
	log_error("%s", error);
	g_free(error);
	return code;
}

int daemon_setup(const char *conf_path, struct conf **conf_r, struct token_keys **keys_r)
{
	char *error = NULL;

	*conf_r = NULL;
	*keys_r = NULL;
	/* GLib sets up the C locale of its g_ascii_strto*() on first use, behind a g_once that
	 * can leave errno set when threads race to it, and g_ascii_string_to_*() read errno
	 * to judge success: make that first use here, before any thread exists. */
	(void)g_ascii_strtoull("0", NULL, 10);
	if (conf_load(conf_path, conf_r, &error) < 0)
		return daemon_fail(EX_CONFIG, error);
	if (privs_check((*conf_r)->user, (*conf_r)->path, &error) < 0) {
		conf_free(conf_r);
		return daemon_fail(EX_CONFIG, error);
	}
	log_set_level(log_level_named((*conf_r)->log_level));
	if (token_keys_load((*conf_r)->key_file, keys_r, &error) < 0) {
		conf_free(conf_r);
		return daemon_fail(EX_CONFIG, error);
	}
	return 0;
}

int daemon_detach(const char *name, gboolean foreground)
{
	if (foreground)
		return 0;
	log_use_syslog(name);
	if (daemon(0, 0) < 0)
		return daemon_fail(EX_OSERR, g_strdup_printf("daemon: %s", g_strerror(errno)));
	return 0;
}
