/* postdesk-milter: the SMTP-time policy daemon for Postfix's smtpd_milters (doc/milter.md).
 * main() loads the config and keys, then hands over to milter_run(); libmilter's own
 * signal thread turns SIGTERM/SIGINT into a clean stop. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/milter.h"
#include "postdesk/lib.h"
#include "postdesk/parse.h"
#include "postdesk/token.h"
#include "daemon.h"

#include <signal.h>
#include <stdio.h>
#include <sysexits.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *conf_path = daemon_default_conf();
	struct conf *conf = NULL;
	struct token_keys *keys = NULL;
	struct milter *m;
	char *error = NULL;
	int opt, foreground = 0, ret = 0;

	g_set_prgname("postdesk-milter");
	privs_umask(); /* privileges: files we make are 0600, directories 0700 */
	while ((opt = getopt(argc, argv, "c:f")) != -1) {
		if (opt == 'c')
			conf_path = optarg;
		else if (opt == 'f')
			foreground = 1;
		else
			return fprintf(stderr, "usage: postdesk-milter [-c FILE] [-f]\n"), EX_USAGE;
	}
	if ((ret = daemon_setup(conf_path, &conf, &keys)) != 0)
		return ret;
	parse_init();
	if ((ret = daemon_detach("postdesk-milter", foreground)) != 0)
		return ret;
	signal(SIGPIPE, SIG_IGN);
	/* privileges: milter_run() binds the socket as root, then drops to conf->user. */
	m = milter_new(conf, keys);
	log_info("listening on %s", conf->milter_listen);
	/* libmilter starts its threads inside milter_run, after daemon()'s fork. */
	if (milter_run(m, &error) < 0) {
		ret = daemon_fail(EX_OSERR, error);
		/* sessions may still use m, keys and conf: leave them to the exit */
		return ret;
	}
	milter_free(&m);
	token_keys_free(&keys);
	conf_free(&conf);
	log_info("stopped");
	return ret;
}
