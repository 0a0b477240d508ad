/* postdesk-lmtpd: the LMTP delivery agent Postfix hands support mail to.
 * main() wires config, keys, the group-commit writer and the LMTP server together. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/lmtp.h"
#include "postdesk/lib.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "postdesk/token.h"
#include "daemon.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

static struct lmtp_server *lmtpd_server; /* for the signal handler only */

static void lmtpd_on_signal(int sig)
{
	(void)sig;
	lmtp_server_stop(lmtpd_server);
}

int main(int argc, char **argv)
{
	const char *conf_path = daemon_default_conf();
	struct conf *conf = NULL;
	struct token_keys *keys = NULL;
	struct deliver_committer *committer = NULL;
	struct deliver_env env = {0};
	struct lmtp_backend backend;
	struct lmtp_backend_ctx *ctx;
	struct lmtp_limits limits;
	char *error = NULL, *spool_dir;
	int opt, foreground = 0, ret = 0;

	g_set_prgname("postdesk-lmtpd");
	privs_umask(); /* privileges: files we make are 0600, directories 0700 */
	while ((opt = getopt(argc, argv, "c:f")) != -1) {
		if (opt == 'c')
			conf_path = optarg;
		else if (opt == 'f')
			foreground = 1;
		else
			return fprintf(stderr, "usage: postdesk-lmtpd [-c FILE] [-f]\n"), EX_USAGE;
	}
	if ((ret = daemon_setup(conf_path, &conf, &keys)) != 0)
		return ret;
	parse_init();
	env.conf = conf;
	if (compose_ctx_new(conf, keys, &env.compose, &error) < 0)
		return daemon_fail(EX_CONFIG, error);
	lmtp_limits_default(&limits);
	limits.hostname = conf->hostname;
	limits.max_message_size = (gsize)conf->max_message_size;
	limits.idle_timeout = (guint)conf->lmtp_timeout;
	/* Big messages go to nameless files here, not to the heap (doc/benchmarks.md). */
	spool_dir = conf->spool_dir != NULL ? g_strdup(conf->spool_dir) : NULL;
	if (spool_dir == NULL) {
		char *db_dir = g_path_get_dirname(conf->database);
		spool_dir = g_build_filename(db_dir, "spool", NULL);
		g_free(db_dir);
	}
	limits.spool_dir = spool_dir;
	limits.spool_threshold = (gsize)conf->spool_threshold;
	if ((ret = daemon_detach("postdesk-lmtpd", foreground)) != 0)
		return ret;
	/* Threads start after daemon(): they would not survive its fork(). */
	if (deliver_committer_new(&env, &committer, &error) < 0)
		return daemon_fail(EX_TEMPFAIL, error);
	ctx = lmtp_backend_ctx_new(conf, keys, committer, &backend);
	if (lmtp_server_new(conf->lmtp_listen, &backend, &limits, (guint)conf->lmtp_max_sessions,
			    &lmtpd_server, &error) < 0)
		return daemon_fail(EX_OSERR, error);
	/* privileges: the socket is bound (as root if started so); give root up for good */
	if (privs_drop(conf->user, conf->path, &error) < 0)
		return daemon_fail(EX_CONFIG, error);
	/* made as the daemons' user, so it is theirs (0700) */
	if (spool_dir_prepare(spool_dir, &error) < 0)
		return daemon_fail(EX_CANTCREAT, error);
	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit (RLIMIT_FSIZE) must fail the write (EFBIG, a tempfail for the
	 * message), not kill the daemon with SIGXFSZ (tests/e2e/diskfull.sh, durability). */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGTERM, lmtpd_on_signal);
	signal(SIGINT, lmtpd_on_signal);
	log_info("listening on %s", conf->lmtp_listen);
	if (lmtp_server_run(lmtpd_server, &error) < 0)
		ret = daemon_fail(EX_OSERR, error);
	lmtp_server_free(&lmtpd_server);
	deliver_committer_free(&committer);
	lmtp_backend_ctx_free(&ctx);
	compose_ctx_free(&env.compose);
	token_keys_free(&keys);
	conf_free(&conf);
	g_free(spool_dir);
	log_info("stopped");
	return ret;
}
