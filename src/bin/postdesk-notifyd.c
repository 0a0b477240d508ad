/* postdesk-notifyd: drains the outbox table through the relay (outbox_run), then
 * sleeps until the next row is due, at most a second, so rows that postdesk-lmtpd commits
 * in another process go out within a second (the database is polled: no IPC). The main
 * thread owns the config snapshot (config, keys, templates) and its store connection; a
 * second thread, on a connection of its own, composes the acknowledgements lmtpd left
 * (survey/acks.c), pinning the snapshot for each pass, so that composing and sending
 * overlap (one thread doing both in turn bounded the whole pipeline, doc/benchmarks.md);
 * it wakes the main thread when it queued some. --once does both in the one thread.
 * SIGTERM/SIGINT end the loop after the mail being sent; SIGHUP reloads the snapshot
 * between two passes (a bad new one is refused with a log line, the old one stays). */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/lib.h"
#include "postdesk/compose.h"
#include "postdesk/deliver.h"
#include "postdesk/outbox.h"
#include "postdesk/store.h"
#include "postdesk/survey.h"
#include "postdesk/token.h"

#include "daemon.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#define NOTIFYD_POLL_MS 1000 /* longest sleep between two looks at the outbox */
#define NOTIFYD_ACKS 256 /* held acknowledgements composed in one pass, at most */
#define NOTIFYD_SLICE_MS 100 /* the sleep is cut in slices to notice a stop request */

static volatile sig_atomic_t notifyd_stop, notifyd_reload;
static gint notifyd_wake; /* the acknowledgement thread queued mail: send it now */
static gint notifyd_done; /* the main loop has ended: the acknowledgement thread ends too */

/* The acknowledgement thread: its snapshot slot (swapped by the main thread on SIGHUP)
 * and store connection. */
struct notifyd_acks {
	struct deliver_slot slot;
	struct store *store;
	GThread *thread;
};

static void notifyd_on_signal(int sig)
{
	if (sig == SIGHUP)
		notifyd_reload = 1;
	else
		notifyd_stop = 1;
}

/* SIGHUP: load everything anew, or keep the running snapshot (one log line why). */
static void notifyd_reload_snapshot(const char *conf_path, struct deliver_snapshot **snap)
{
	struct deliver_snapshot *next = NULL;
	char *error = NULL;

	notifyd_reload = 0;
	service_reloading();
	if (deliver_snapshot_load(conf_path, *snap, TRUE, &next, &error) < 0) {
		log_error("reload refused, the running configuration stays: %s", error);
		g_free(error);
		service_ready();
		return;
	}
	log_set_level(log_level_named(next->conf->log_level));
	deliver_snapshot_unref(snap);
	*snap = next;
	log_info("reloaded %s", conf_path);
	service_ready();
}


/* Milliseconds to sleep after a pass: none while rows are still due (more than a batch
 * was due), else until the next due row, at most NOTIFYD_POLL_MS (new rows may come at
 * any moment). */
static gint64 notifyd_wait_ms(struct store *store, gint64 now)
{
	gint64 when = 0;
	char *error = NULL;
	int ret;

	ret = store_outbox_next_due(store, &when, &error);
	if (ret < 0) {
		log_warn("%s", error);
		g_free(error);
	}
	if (ret == 1 && when <= now)
		return 0;
	if (ret == 1 && (when - now) * 1000 < NOTIFYD_POLL_MS)
		return (when - now) * 1000;
	return NOTIFYD_POLL_MS;
}

static void notifyd_sleep(gint64 ms)
{
	for (; ms > 0 && !notifyd_stop && !notifyd_reload && !g_atomic_int_get(&notifyd_wake);
	     ms -= NOTIFYD_SLICE_MS)
		g_usleep((gulong)MIN(ms, NOTIFYD_SLICE_MS) * 1000);
}

/* The acknowledgement thread's loop: a pass (at most NOTIFYD_ACKS), then, unless that
 * many were waiting, a sleep of up to a second (a new ticket is acknowledged within a
 * second of its 250, sent within the next). Ends with notifyd_stop or notifyd_done. */
static gpointer notifyd_acks_main(gpointer data)
{
	struct notifyd_acks *a = data;

	while (!notifyd_stop && !g_atomic_int_get(&notifyd_done)) {
		struct deliver_snapshot *snap = deliver_slot_pin(&a->slot);
		char *error = NULL;
		guint acked = 0;

		if (survey_acks_run(a->store, snap->compose, snap->conf, clock_now(), NOTIFYD_ACKS,
				    &acked, &error) < 0) {
			log_error("%s", error);
			g_free(error);
		}
		deliver_snapshot_unref(&snap);
		if (acked > 0)
			g_atomic_int_set(&notifyd_wake, 1);
		for (gint64 ms = acked >= NOTIFYD_ACKS ? 0 : NOTIFYD_POLL_MS;
		     ms > 0 && !notifyd_stop && !g_atomic_int_get(&notifyd_done);
		     ms -= NOTIFYD_SLICE_MS)
			g_usleep((gulong)MIN(ms, NOTIFYD_SLICE_MS) * 1000);
	}
	return NULL;
}

/* The loop; returns the exit code (--once: EX_TEMPFAIL if the store failed). acks: the
 * acknowledgement thread's, whose snapshot follows a reload; NULL: compose them here. */
static int notifyd_loop(struct store *store, const char *conf_path,
			struct deliver_snapshot **snap, struct notifyd_acks *acks, gboolean once)
{
	while (!notifyd_stop) {
		gint64 now = clock_now();
		char *error = NULL;
		const struct conf *conf;
		const struct token_keys *keys;
		struct compose_ctx *ctx; /* templates for the timed mails (survey/) */
		guint acked = 0;

		g_atomic_int_set(&notifyd_wake, 0);
		if (notifyd_reload) {
			notifyd_reload_snapshot(conf_path, snap);
			if (acks != NULL)
				deliver_slot_swap(&acks->slot, deliver_snapshot_ref(*snap));
		}
		conf = (*snap)->conf;
		keys = (*snap)->keys;
		ctx = (*snap)->compose;

		/* --once: the acknowledgements lmtpd left (issue 13: the detector and composing
		 * them were more than half of its CPU per new ticket), before the outbox run
		 * that sends them; a bounded number a pass, so a backlog does not hold the
		 * outbox. Else the acknowledgement thread composes them. */
		if (acks == NULL &&
		    survey_acks_run(store, ctx, conf, now, NOTIFYD_ACKS, &acked, &error) < 0) {
			log_error("%s", error);
			g_clear_pointer(&error, g_free);
		}
		if (outbox_run_until(store, conf, keys, now, OUTBOX_BATCH,
					    &notifyd_stop, NULL, &error) < 0) {
			/* Database busy or gone: the rows stay queued, try again shortly. */
			log_error("%s", error);
			g_free(error);
			if (once)
				break;
			notifyd_sleep(NOTIFYD_POLL_MS);
			continue;
		}
		/* ---- timed work (issue 4: reminders, auto-resolve, auto-close, surveys) ----
		 * Runs here, once per loop, with the same `now`: whatever it queues in the outbox
		 * goes out on the next pass. A store failure leaves the rows due (next loop). */
		if (survey_tick(store, ctx, conf, now, NULL, &error) < 0) {
			log_error("%s", error);
			g_clear_pointer(&error, g_free);
		}
		/* Agent notices held for an order lookup (issue 14) or for their attachments: the
		 * lookups and the composing run here, out of any delivery; the notices go out on
		 * the next pass. One lookup per pass, so a hanging shop (order_lookup_timeout)
		 * holds the outbox back between two passes at most that long, never for a queue
		 * of held notices. */
		if (survey_orders_run(store, ctx, conf, now, 1, NULL, &error) < 0) {
			log_error("%s", error);
			g_clear_pointer(&error, g_free);
		}
		if (once)
			return 0;
		notifyd_sleep(acked >= NOTIFYD_ACKS ? 0 : notifyd_wait_ms(store, now));
	}
	return once ? EX_TEMPFAIL : 0;
}

#define NOTIFYD_USAGE                                                                      \
	"usage: postdesk-notifyd [-c FILE] [-f] [--once]\n"                                \
	"  -c FILE    the configuration file (default $POSTDESK_CONF, else " CONF_DEFAULT_PATH ")\n" \
	"  -f         stay in the foreground and log to stderr (journald under systemd)\n"   \
	"  --once     one pass over the outbox and the timed work, then exit\n"          \
	"  --help     this text\n"                                                        \
	"  --version  the version\n"                                                      \
	"See postdesk-notifyd(8).\n"

static int notifyd_usage(void)
{
	fputs(NOTIFYD_USAGE, stderr);
	return EX_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"once", no_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	const char *conf_path = daemon_default_conf();
	struct conf *conf = NULL;
	struct token_keys *keys = NULL;
	struct store *store = NULL;
	struct deliver_snapshot *snap = NULL;
	struct notifyd_acks acks = {0};
	struct sigaction sa;
	char *error = NULL;
	int opt, foreground = 0, once = 0, ret;

	g_set_prgname("postdesk-notifyd");
	if ((ret = daemon_help_version(argc, argv, NOTIFYD_USAGE)) >= 0)
		return ret;
	privs_umask(); /* privileges: files we make are 0600, directories 0700 */
	while ((opt = getopt_long(argc, argv, "c:f", longopts, NULL)) != -1) {
		if (opt == 'c')
			conf_path = optarg;
		else if (opt == 'f')
			foreground = 1;
		else if (opt == 'o')
			once = 1;
		else
			return notifyd_usage();
	}
	if (optind != argc)
		return notifyd_usage();
	if ((ret = daemon_setup(conf_path, &conf, &keys)) != 0)
		return ret;
	token_keys_free(&keys);
	conf_free(&conf);
	/* Config, keys (read as root: the file may be root's) and templates: broken templates
	 * fail at start, not at the first mail. */
	if (deliver_snapshot_load(conf_path, NULL, TRUE, &snap, &error) < 0)
		return daemon_fail(EX_CONFIG, error);
	conf = snap->conf; /* borrowed from the first snapshot until the loop */
	if ((ret = daemon_detach("postdesk-notifyd", foreground || once)) != 0)
		return ret;
	/* privileges: no socket to bind; the database is opened as the user */
	if (privs_drop(conf->user, conf->path, &error) < 0) {
		deliver_snapshot_unref(&snap);
		return daemon_fail(EX_CONFIG, error);
	}
	if (store_open(conf->database, 0, (int)conf->busy_timeout_ms, &store, &error) < 0) {
		deliver_snapshot_unref(&snap);
		return daemon_fail(EX_TEMPFAIL, error);
	}
	/* A relay that drops the connection mid-write must not kill us (net_smtp_send). */
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = notifyd_on_signal; /* no SA_RESTART: a sleep ends early */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	log_info("sending through %s", conf->relay);
	if (!once) {
		/* the acknowledgement thread, on a connection of its own (the store's rule:
		 * one thread per connection) */
		if (store_open(conf->database, 0, (int)conf->busy_timeout_ms, &acks.store,
			       &error) < 0) {
			store_close(&store);
			deliver_snapshot_unref(&snap);
			return daemon_fail(EX_TEMPFAIL, error);
		}
		deliver_slot_init(&acks.slot, deliver_snapshot_ref(snap));
		acks.thread = g_thread_new("acks", notifyd_acks_main, &acks);
		service_ready();
	}
	ret = notifyd_loop(store, conf_path, &snap, once ? NULL : &acks, once);
	service_stopping();
	if (acks.thread != NULL) {
		g_atomic_int_set(&notifyd_done, 1);
		g_thread_join(acks.thread);
		store_close(&acks.store);
		deliver_slot_deinit(&acks.slot);
	}
	store_close(&store);
	deliver_snapshot_unref(&snap);
	log_info("stopped");
	return ret;
}
