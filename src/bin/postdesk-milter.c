/* postdesk-milter: the SMTP-time policy daemon for Postfix's smtpd_milters (doc/milter.md).
 * main() loads the configuration snapshot, runs milter_run() in a thread of its own and
 * keeps the main thread for signals: SIGHUP reloads (a new snapshot for new connections;
 * a bad one is refused with a log line and the old one stays), SIGTERM/SIGINT stop
 * libmilter, which lets the sessions in flight end.
 * Why the main thread: libmilter's own signal thread sigwait()s for SIGHUP too and stops
 * the milter on it. The signals are blocked in every thread and the main thread waits
 * for them; Linux hands a signal sent to the process to its main thread when that thread
 * waits for it, so libmilter's thread does not see them (the moments the main thread
 * spends loading a snapshot aside). */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/deliver.h"
#include "postdesk/milter.h"
#include "postdesk/lib.h"
#include "postdesk/parse.h"
#include "postdesk/token.h"
#include "daemon.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sysexits.h>
#include <unistd.h>

#define MILTERD_USAGE                                                                      \
	"usage: postdesk-milter [-c FILE] [-f]\n"                                          \
	"  -c FILE    the configuration file (default $POSTDESK_CONF, else " CONF_DEFAULT_PATH ")\n" \
	"  -f         stay in the foreground and log to stderr (journald under systemd)\n"   \
	"  --help     this text\n"                                                        \
	"  --version  the version\n"                                                      \
	"See postdesk-milter(8).\n"

struct milterd {
	struct milter *m;
	pthread_t main_thread;
	char *error; /* milter_run's, if it failed */
	gint failed;
};

static gpointer milterd_thread(gpointer data)
{
	struct milterd *d = data;

	if (milter_run(d->m, &d->error) < 0)
		g_atomic_int_set(&d->failed, 1);
	pthread_kill(d->main_thread, SIGTERM); /* the main thread stops waiting */
	return NULL;
}

static void milterd_reload(const char *conf_path, struct milter *m,
			   struct deliver_snapshot **current)
{
	struct deliver_snapshot *next = NULL;
	char *error = NULL;

	service_reloading();
	if (deliver_snapshot_load(conf_path, *current, FALSE, &next, &error) < 0) {
		log_error("reload refused, the running configuration stays: %s", error);
		g_free(error);
		service_ready();
		return;
	}
	log_set_level(log_level_named(next->conf->log_level));
	*current = next; /* borrowed: the milter holds the reference */
	milter_reload(m, next);
	log_info("reloaded %s", conf_path);
	service_ready();
}

/* Wait for signals until the milter has stopped; 0 or EX_OSERR (logged). */
static int milterd_serve(const char *conf_path, struct milter *m, struct deliver_snapshot *snap,
			 const sigset_t *set)
{
	struct milterd d = {.m = m, .main_thread = pthread_self()};
	GThread *thread = g_thread_new("milter", milterd_thread, &d);
	struct deliver_snapshot *current = snap;
	int sig = 0;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig != SIGHUP || g_atomic_int_get(&d.failed))
			break;
		milterd_reload(conf_path, m, &current);
	}
	service_stopping();
	milter_stop();
	g_thread_join(thread);
	if (g_atomic_int_get(&d.failed))
		return daemon_fail(EX_OSERR, d.error);
	return 0;
}

int main(int argc, char **argv)
{
	const char *conf_path = daemon_default_conf();
	struct conf *conf = NULL;
	struct token_keys *keys = NULL;
	struct deliver_snapshot *snap = NULL;
	struct milter *m;
	sigset_t set;
	char *error = NULL;
	int opt, foreground = 0, ret = 0;

	g_set_prgname("postdesk-milter");
	if ((ret = daemon_help_version(argc, argv, MILTERD_USAGE)) >= 0)
		return ret;
	ret = 0;
	privs_umask(); /* privileges: files we make are 0600, directories 0700 */
	while ((opt = getopt(argc, argv, "c:f")) != -1) {
		if (opt == 'c')
			conf_path = optarg;
		else if (opt == 'f')
			foreground = 1;
		else
			return fputs(MILTERD_USAGE, stderr), EX_USAGE;
	}
	if ((ret = daemon_setup(conf_path, &conf, &keys)) != 0)
		return ret;
	token_keys_free(&keys);
	conf_free(&conf);
	/* config and keys, read as root: the key file may be root's */
	if (deliver_snapshot_load(conf_path, NULL, FALSE, &snap, &error) < 0)
		return daemon_fail(EX_CONFIG, error);
	parse_init();
	if ((ret = daemon_detach("postdesk-milter", foreground)) != 0)
		return ret;
	signal(SIGPIPE, SIG_IGN);
	/* before any thread, so that every thread inherits the mask */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* privileges: milter_run() switches to conf->user, then makes the socket. */
	m = milter_new(snap->conf, snap->keys);
	milter_reload(m, deliver_snapshot_ref(snap));
	log_info("listening on %s", snap->conf->milter_listen);
	service_ready();
	ret = milterd_serve(conf_path, m, snap, &set);
	if (ret != 0)
		return ret; /* sessions may still use m and the snapshots: leave them to the exit */
	milter_free(&m);
	deliver_snapshot_unref(&snap);
	log_info("stopped");
	return ret;
}
