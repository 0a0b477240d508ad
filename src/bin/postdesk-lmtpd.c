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
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#define LMTPD_USAGE                                                                        \
	"usage: postdesk-lmtpd [-c FILE] [-f]\n"                                           \
	"  -c FILE    the configuration file (default $POSTDESK_CONF, else " CONF_DEFAULT_PATH ")\n" \
	"  -f         stay in the foreground and log to stderr (journald under systemd)\n"   \
	"  --help     this text\n"                                                        \
	"  --version  the version\n"                                                      \
	"See postdesk-lmtpd(8).\n"

static struct lmtp_server *lmtpd_server; /* for the signal handlers only */

/* SIGTERM/SIGINT: stop accepting, let transactions in flight finish, then exit. */
static void lmtpd_on_signal(int sig)
{
	(void)sig;
	lmtp_server_stop(lmtpd_server);
}

/* SIGHUP: reload configuration, keys and templates (lmtp/backend.c) between two accepts. */
static void lmtpd_on_hup(int sig)
{
	(void)sig;
	lmtp_server_reload(lmtpd_server);
}

static void lmtpd_signals(void)
{
	struct sigaction sa;

	signal(SIGPIPE, SIG_IGN);
	/* A file-size limit (RLIMIT_FSIZE) must fail the write (EFBIG, a tempfail for the
	 * message), not kill the daemon with SIGXFSZ (tests/e2e/diskfull.sh, durability). */
	signal(SIGXFSZ, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sa.sa_handler = lmtpd_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = lmtpd_on_hup;
	sigaction(SIGHUP, &sa, NULL);
}

int main(int argc, char **argv)
{
	const char *conf_path = daemon_default_conf();
	struct conf *conf = NULL;
	struct token_keys *keys = NULL;
	struct deliver_snapshot *snap = NULL;
	struct lmtp_backend backend;
	struct lmtp_backend_ctx *ctx = NULL;
	struct lmtp_limits limits;
	char *error = NULL, *spool_dir;
	int opt, foreground = 0, ret = 0;

	g_set_prgname("postdesk-lmtpd");
	if ((ret = daemon_help_version(argc, argv, LMTPD_USAGE)) >= 0)
		return ret;
	ret = 0;
	privs_umask(); /* privileges: files we make are 0600, directories 0700 */
	while ((opt = getopt(argc, argv, "c:f")) != -1) {
		if (opt == 'c')
			conf_path = optarg;
		else if (opt == 'f')
			foreground = 1;
		else
			return fputs(LMTPD_USAGE, stderr), EX_USAGE;
	}
	/* config, root check, log level; the key file read as root (it may be root's) */
	if ((ret = daemon_setup(conf_path, &conf, &keys)) != 0)
		return ret;
	/* A reload asked for while starting (logrotate, systemctl reload) must not kill us:
	 * ignored until the real handler is in place, once the server exists. */
	signal(SIGHUP, SIG_IGN);
	token_keys_free(&keys);
	parse_init();
	if (deliver_snapshot_load(conf_path, NULL, TRUE, &snap, &error) < 0) {
		conf_free(&conf);
		return daemon_fail(EX_CONFIG, error);
	}
	conf_free(&conf);
	conf = snap->conf; /* borrowed from snap from here on */
	lmtp_limits_default(&limits);
	limits.hostname = conf->hostname;
	limits.max_message_size = (gsize)conf->max_message_size;
	limits.idle_timeout = (guint)conf->lmtp_timeout;
	if ((ret = daemon_detach("postdesk-lmtpd", foreground)) != 0)
		return ret;
	/* Threads start after daemon(): they would not survive its fork(). */
	if (lmtp_backend_ctx_new(conf_path, deliver_snapshot_ref(snap), &backend, &ctx, &error) < 0)
		return daemon_fail(EX_TEMPFAIL, error);
	if (lmtp_server_new(conf->lmtp_listen, &backend, &limits, (guint)conf->lmtp_max_sessions,
			    &lmtpd_server, &error) < 0)
		return daemon_fail(EX_OSERR, error);
	/* privileges: the socket is bound (as root if started so); give root up for good */
	if (privs_drop(conf->user, conf->path, &error) < 0)
		return daemon_fail(EX_CONFIG, error);
	/* made as the daemons' user, so it is theirs (0700) */
	spool_dir = lmtp_spool_dir(conf);
	ret = spool_dir_prepare(spool_dir, &error);
	g_free(spool_dir);
	if (ret < 0)
		return daemon_fail(EX_CANTCREAT, error);
	lmtpd_signals();
	log_info("listening on %s", conf->lmtp_listen);
	service_ready();
	if (lmtp_server_run(lmtpd_server, &error) < 0)
		ret = daemon_fail(EX_OSERR, error);
	service_stopping();
	lmtp_server_free(&lmtpd_server);
	lmtp_backend_ctx_free(&ctx); /* stops the committer after the last session */
	deliver_snapshot_unref(&snap);
	log_info("stopped");
	return ret;
}
