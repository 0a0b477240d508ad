/* postdesk-fetchd: IMAP/POP3 intake from hosted mailboxes (issue 15, doc/fetch.md). Each
 * [mailbox NAME] is fetched by its own process (forked at start, so no mailbox's slow
 * server or IDLE holds up another and the token command's fork stays single-threaded; a
 * child dies with its parent), with its own store connection, through fetch/'s loop.
 * One mailbox (or --mailbox NAME): no fork. SIGTERM/SIGINT end the loops after the message
 * being stored. --once: one poll per mailbox, exit 0 if every one succeeded, else 75. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/conf.h"
#include "postdesk/deliver.h"
#include "postdesk/fetch.h"
#include "postdesk/lib.h"
#include "postdesk/store.h"
#include "postdesk/token.h"

#include "daemon.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

static volatile sig_atomic_t fetchd_stop;

static void fetchd_on_signal(int sig)
{
	(void)sig;
	fetchd_stop = 1;
}

/* The alert template of every mailbox's queue language loads: a broken admin override fails
 * at start, not in the middle of an outage. */
static int fetchd_check_alert_templates(const struct conf *conf, char **error_r)
{
	for (guint i = 0; i < conf->mailboxes->len; i++) {
		const struct conf_mailbox *m = g_ptr_array_index(conf->mailboxes, i);
		struct compose_template *t = NULL;

		if (compose_template_load_lang(conf->template_dir, compose_template_default_dir(),
					       m->queue_ref->language, "mailbox_alert", &t,
					       error_r) < 0)
			return -1;
		compose_template_free(&t);
	}
	return 0;
}

/* One mailbox in this process: its exit code. */
static int fetchd_one(const struct deliver_snapshot *snap, const struct conf_mailbox *m,
		      gboolean once)
{
	const struct conf *conf = snap->conf;
	struct store *store = NULL;
	struct fetch_env env = {.conf = conf, .deliver = &snap->env, .stop = &fetchd_stop};
	char *error = NULL;
	int ret;

	if (store_open(conf->database, 0, (int)conf->busy_timeout_ms, &store, &error) < 0)
		return daemon_fail(EX_TEMPFAIL, error);
	env.store = store;
	ret = fetch_mailbox_run(&env, m, once, &error);
	store_close(&store);
	if (ret < 0)
		return daemon_fail(EX_TEMPFAIL, error);
	return ret == 0 ? 0 : EX_TEMPFAIL;
}

/* Several mailboxes: a child each; the worst exit code. */
static int fetchd_fork(const struct deliver_snapshot *snap, gboolean once)
{
	GPtrArray *boxes = snap->conf->mailboxes;
	pid_t *pids = g_new0(pid_t, boxes->len);
	int worst = 0;

	for (guint i = 0; i < boxes->len; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the parent */
			_exit(fetchd_one(snap, g_ptr_array_index(boxes, i), once));
		}
		if (pids[i] < 0)
			log_error("cannot start [mailbox %s]: %s",
				  ((struct conf_mailbox *)g_ptr_array_index(boxes, i))->name,
				  g_strerror(errno));
	}
	for (guint i = 0; i < boxes->len; i++) {
		int status = 0;

		while (pids[i] > 0 && waitpid(pids[i], &status, 0) < 0) {
			if (errno != EINTR)
				break;
			if (fetchd_stop) /* forward the stop to the children */
				for (guint j = 0; j < boxes->len; j++)
					if (pids[j] > 0)
						kill(pids[j], SIGTERM);
		}
		if (pids[i] <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			worst = EX_TEMPFAIL;
	}
	g_free(pids);
	return worst;
}

#define FETCHD_USAGE                                                                       \
	"usage: postdesk-fetchd [-c FILE] [-f] [--once] [--mailbox NAME]\n"                 \
	"  -c FILE         the configuration file (default $POSTDESK_CONF, else "            \
	CONF_DEFAULT_PATH ")\n"                                                              \
	"  -f              stay in the foreground and log to stderr (journald under systemd)\n" \
	"  --once          one poll of each mailbox, then exit (0: all succeeded, else 75)\n" \
	"  --mailbox NAME  only [mailbox NAME] (no child process)\n"                        \
	"  --help          this text\n"                                                     \
	"  --version       the version\n"                                                   \
	"See postdesk-fetchd(8) and doc/fetch.md.\n"

static int fetchd_usage(void)
{
	fputs(FETCHD_USAGE, stderr);
	return EX_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"once", no_argument, NULL, 'o'},
	    {"mailbox", required_argument, NULL, 'm'},
	    {NULL, 0, NULL, 0},
	};
	const char *conf_path = daemon_default_conf(), *only = NULL;
	const struct conf_mailbox *m = NULL;
	struct conf *conf = NULL;
	struct token_keys *keys = NULL;
	struct deliver_snapshot *snap = NULL;
	struct sigaction sa;
	char *error = NULL;
	int opt, foreground = 0, once = 0, ret;

	g_set_prgname("postdesk-fetchd");
	if ((ret = daemon_help_version(argc, argv, FETCHD_USAGE)) >= 0)
		return ret;
	privs_umask();
	while ((opt = getopt_long(argc, argv, "c:f", longopts, NULL)) != -1) {
		if (opt == 'c')
			conf_path = optarg;
		else if (opt == 'f')
			foreground = 1;
		else if (opt == 'o')
			once = 1;
		else if (opt == 'm')
			only = optarg;
		else
			return fetchd_usage();
	}
	if (optind != argc)
		return fetchd_usage();
	if ((ret = daemon_setup(conf_path, &conf, &keys)) != 0)
		return ret;
	token_keys_free(&keys);
	conf_free(&conf);
	/* config, keys and templates: broken templates fail at start, not at the first ack */
	if (deliver_snapshot_load(conf_path, NULL, TRUE, &snap, &error) < 0)
		return daemon_fail(EX_CONFIG, error);
	if (only != NULL && (m = conf_mailbox_by_name(snap->conf, only)) == NULL)
		ret = daemon_fail(EX_CONFIG, g_strdup_printf("no [mailbox %s] in %s", only,
							     conf_path));
	else if (snap->conf->mailboxes->len == 0)
		ret = daemon_fail(EX_CONFIG, g_strdup_printf("no [mailbox NAME] in %s", conf_path));
	else if (fetchd_check_alert_templates(snap->conf, &error) < 0)
		ret = daemon_fail(EX_CONFIG, error);
	else if ((ret = daemon_detach("postdesk-fetchd", foreground || once)) == 0 &&
		 privs_drop(snap->conf->user, snap->conf->path, &error) < 0)
		ret = daemon_fail(EX_CONFIG, error);
	if (ret != 0) {
		deliver_snapshot_unref(&snap);
		return ret;
	}
	signal(SIGPIPE, SIG_IGN); /* a server that hangs up must not kill us */
	/* A reload (kill -HUP, as the other daemons take it, or a log rotation's script that
	 * signals every mail daemon) must not kill fetchd either: it reads its configuration at
	 * start, and a restart applies a change (postdesk-fetchd(8)). Ignored, not handled: a
	 * handler would interrupt the IMAP IDLE wait for nothing. Children inherit it. */
	signal(SIGHUP, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = fetchd_on_signal; /* no SA_RESTART: waits end early */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (m == NULL && snap->conf->mailboxes->len == 1)
		m = g_ptr_array_index(snap->conf->mailboxes, 0);
	if (!once)
		service_ready(); /* systemd (Type=notify): the mailboxes are being fetched */
	ret = m != NULL ? fetchd_one(snap, m, once) : fetchd_fork(snap, once);
	service_stopping();
	deliver_snapshot_unref(&snap);
	log_info("stopped");
	return ret;
}
