/* check_outbox: outbox_run against a real store in a temp dir and Postfix's real
 * smtp-sink as the relay on a loopback port picked at run time: sent once and marked sent,
 * the bounce address as envelope sender, deferral with doubling backoff and its cap, a relay
 * that comes back, 5xx -> failed with a ticket event, too old -> failed. A closed port
 * stands for a relay that is down. Without smtp-sink the cases that need it are left out
 * and the program exits 77 (automake SKIP), never PASS. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/outbox.h"
#include "postdesk/store.h"
#include "postdesk/token.h"
#include "testutil.h"

#include <check.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SMTP_SINK
#define SMTP_SINK "/usr/sbin/smtp-sink"
#endif
#define T0 G_GINT64_CONSTANT(1767225600) /* 2026-01-01: the injected "now" */

/* ---- the relay: smtp-sink ----
 * The port and dirs are chosen in Check's parent (unchecked fixture) so the forked test
 * inherits them; the sink may be started there or by the test itself, so its PID is also
 * written to a file the parent's teardown reads: no smtp-sink outlives a failed test. */
static struct {
	int port;
	char *dir;   /* state: pid file */
	char *dumps; /* one file per message received */
	const char *const *opts;
} sink;

static void sink_start(void)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	GPid pid;
	char *pidfile, *text;

	g_ptr_array_add(argv, g_strdup(SMTP_SINK));
	if (geteuid() == 0) {
		g_ptr_array_add(argv, g_strdup("-u"));
		g_ptr_array_add(argv, g_strdup("postfix"));
	}
	g_ptr_array_add(argv, g_strdup("-d"));
	g_ptr_array_add(argv, g_strdup_printf("%s/%%M.", sink.dumps));
	for (const char *const *o = sink.opts; o != NULL && *o != NULL; o++)
		g_ptr_array_add(argv, g_strdup(*o));
	g_ptr_array_add(argv, g_strdup_printf("127.0.0.1:%d", sink.port));
	g_ptr_array_add(argv, g_strdup("10"));
	g_ptr_array_add(argv, NULL);
	ck_assert_msg(g_spawn_async(NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
				    NULL, NULL, &pid, &err),
		      "%s", err != NULL ? err->message : "");
	g_ptr_array_unref(argv);
	pidfile = g_build_filename(sink.dir, "pid", NULL);
	text = g_strdup_printf("%d", pid);
	ck_assert(g_file_set_contents(pidfile, text, -1, NULL));
	g_free(text);
	g_free(pidfile);
	for (int i = 0; i < 100 && !test_port_open(sink.port); i++)
		g_usleep(20000);
	ck_assert_msg(test_port_open(sink.port), "smtp-sink did not start");
}

/* Pick the port and dirs; the relay stays down until sink_start(). */
static void sink_prepare(const char *const *opts)
{
	sink.dir = g_dir_make_tmp("check_outbox_sink.XXXXXX", NULL);
	ck_assert_ptr_nonnull(sink.dir);
	sink.dumps = g_build_filename(sink.dir, "dumps", NULL);
	ck_assert_int_eq(mkdir(sink.dumps, 0755), 0);
	if (geteuid() == 0) {
		/* As root smtp-sink drops to the postfix user, who must write the dumps. */
		struct passwd *pw = getpwnam("postfix");
		ck_assert_ptr_nonnull(pw);
		ck_assert_int_eq(chmod(sink.dir, 0755), 0);
		ck_assert_int_eq(chown(sink.dumps, pw->pw_uid, pw->pw_gid), 0);
	}
	sink.port = test_free_port();
	sink.opts = opts;
}

static void sink_stop(void)
{
	char *pidfile = g_build_filename(sink.dir, "pid", NULL), *text = NULL;

	if (g_file_get_contents(pidfile, &text, NULL, NULL)) {
		pid_t pid = (pid_t)atoi(text);
		if (pid > 0 && kill(pid, SIGTERM) == 0)
			waitpid(pid, NULL, 0);
	}
	g_free(text);
	g_free(pidfile);
	test_rm_rf(sink.dir);
	g_clear_pointer(&sink.dir, g_free);
	g_clear_pointer(&sink.dumps, g_free);
	sink.port = 0;
	sink.opts = NULL;
}

static void sink_plain(void)
{
	sink_prepare(NULL);
	sink_start();
}

static void sink_rcpt_5xx(void)
{
	static const char *const opts[] = {"-f", "rcpt", NULL};

	sink_prepare(opts);
	sink_start();
}

static void sink_down(void)
{
	sink_prepare(NULL);
}

/* Dumps received so far; smtp-sink writes one before it answers the final dot. */
static GPtrArray *dumps_read(void)
{
	GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(sink.dumps, 0, NULL);
	const char *name;

	ck_assert_ptr_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(sink.dumps, name, NULL), *data = NULL;
		ck_assert(g_file_get_contents(path, &data, NULL, NULL));
		g_ptr_array_add(list, data);
		g_free(path);
	}
	g_dir_close(d);
	return list;
}

static guint dumps_count(void)
{
	GPtrArray *list = dumps_read();
	guint n = list->len;

	g_ptr_array_unref(list);
	return n;
}

/* ---- the postdesk side: config, keys, store in a temp dir (checked fixture) ---- */
static struct {
	char *dir;
	struct conf *conf;
	struct token_keys *keys;
	struct store *store;
	gint64 ticket; /* a ticket in queue "billing" */
} env;

static void env_setup(void)
{
	char *path, *text, *db, *error = NULL;
	gint64 customer;
	/* No sink prepared: a closed port is the relay that is down. */
	int port = sink.port > 0 ? sink.port : test_free_port();

	env.dir = g_dir_make_tmp("check_outbox.XXXXXX", NULL);
	ck_assert_ptr_nonnull(env.dir);
	path = g_build_filename(env.dir, "postdesk.conf", NULL);
	db = test_database(env.dir, "pd.db"); /* SQLite, or PostgreSQL (PD_TEST_PG_URI) */
	text = g_strdup_printf("[postdesk]\ndomain = help.example\ndatabase = %s\n"
			       "key_file = %s/pd.key\nrelay = 127.0.0.1:%d\n"
			       "outbox_retry_base = 1m\noutbox_retry_max = 5m\n"
			       "outbox_max_age = 1h\n"
			       "[queue support]\naddress = support@help.example\n"
			       "[queue billing]\naddress = billing@help.example\n",
			       db, env.dir, port);
	ck_assert(g_file_set_contents(path, text, -1, NULL));
	ck_assert_msg(conf_load(path, &env.conf, &error) == 0, "%s", error);
	g_free(db);
	g_free(text);
	g_free(path);
	ck_assert_msg(token_keys_create(env.conf->key_file, FALSE, &error) == 0, "%s", error);
	ck_assert_msg(token_keys_load(env.conf->key_file, &env.keys, &error) == 0, "%s", error);
	ck_assert_msg(store_open(env.conf->database, STORE_CREATE, 5000, &env.store, &error) == 0,
		      "%s", error);
	ck_assert_int_eq(store_begin(env.store, &error), 0);
	ck_assert_int_eq(
	    store_customer_upsert(env.store, "ann@example.com", "Ann", T0, &customer, &error), 0);
	ck_assert_int_eq(store_ticket_create(env.store, "billing", "Invoice", customer, 0, T0,
					     &env.ticket, &error),
			 0);
	ck_assert_int_eq(store_commit(env.store, &error), 0);
}

static void env_teardown(void)
{
	store_close(&env.store);
	token_keys_free(&env.keys);
	conf_free(&env.conf);
	test_rm_rf(env.dir);
	g_clear_pointer(&env.dir, g_free);
}

/* Queue one mail at T0 with Message-ID <msgid>; returns the row id. */
static gint64 queue_mail(gint64 ticket, const char *msgid, const char *const *rcpts)
{
	char *raw = g_strdup_printf("From: Billing <billing@help.example>\r\nTo: %s\r\n"
				    "Subject: test\r\nMessage-ID: <%s>\r\n\r\nHello.\r\n",
				    rcpts[0], msgid);
	char *error = NULL;
	gint64 id;

	ck_assert_int_eq(store_begin(env.store, &error), 0);
	ck_assert_msg(store_outbox_add(env.store, ticket, "ack", rcpts, msgid, raw, strlen(raw), T0,
				       &id, &error) == 0,
		      "%s", error);
	ck_assert_int_eq(store_commit(env.store, &error), 0);
	g_free(raw);
	return id;
}

static guint run_at(gint64 now)
{
	char *error = NULL;
	guint sent = 99;

	ck_assert_msg(outbox_run(env.store, env.conf, env.keys, now, &sent, &error) == 0,
		      "%s", error);
	return sent;
}

static struct store_outbox *row(gint64 id)
{
	struct store_outbox *o = NULL;
	char *error = NULL;

	ck_assert_int_eq(store_outbox_get(env.store, id, &o, &error), 1);
	return o;
}

static const char *const ann[] = {"ann@example.com", NULL};
static const char *const two[] = {"bob@example.net", "cy@example.org", NULL};

/* The envelope sender of the dump that carries msgid to rcpt, the n-th (from 1) recipient
 * of row id: its own bounce token (per-recipient VERP). */
static void assert_bounce_sender(GPtrArray *dumps, const char *msgid, const char *rcpt,
				 gint64 id, gint64 n_rcpt, const char *local)
{
	char *want = g_strdup_printf("Message-ID: <%s>", msgid), *mail, *prefix, *base = NULL;
	char *want_rcpt = g_strdup_printf("X-Rcpt-Args: <%s>", rcpt);
	const char *dump = NULL, *p;
	struct token t;
	guint i, n = 0;

	for (i = 0; i < dumps->len; i++) {
		if (strstr(g_ptr_array_index(dumps, i), want) != NULL &&
		    strstr(g_ptr_array_index(dumps, i), want_rcpt) != NULL) {
			dump = g_ptr_array_index(dumps, i);
			n++;
		}
	}
	ck_assert_msg(n == 1, "%s received %u times by %s", msgid, n, rcpt);
	/* one recipient per transaction */
	ck_assert_ptr_null(strstr(strstr(dump, "X-Rcpt-Args: <") + 1, "X-Rcpt-Args: <"));
	p = strstr(dump, "X-Mail-Args: <");
	ck_assert_ptr_nonnull(p);
	p += strlen("X-Mail-Args: <");
	mail = g_strndup(p, strcspn(p, "@>"));
	prefix = g_strdup_printf("%s+b%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT "-", local, id,
				 n_rcpt);
	ck_assert_msg(g_str_has_prefix(mail, prefix), "sender %s", mail);
	ck_assert(g_str_has_prefix(p + strlen(mail), "@help.example>\n"));
	ck_assert_int_eq(token_check_local(env.keys, mail, &t, &base), TOKEN_VALID);
	ck_assert_int_eq(t.role, TOKEN_BOUNCE);
	ck_assert_int_eq(t.id, id);
	ck_assert_int_eq(t.rcpt, n_rcpt);
	ck_assert_str_eq(base, local);
	g_free(base);
	g_free(prefix);
	g_free(mail);
	g_free(want);
	g_free(want_rcpt);
}

/* The ticket's delivery_failed events (count) and the detail of the last one. */
static guint failed_events(char **detail_r)
{
	GPtrArray *events = NULL;
	char *error = NULL;
	guint i, n = 0;

	*detail_r = NULL;
	ck_assert_int_eq(store_event_list(env.store, env.ticket, &events, &error), 0);
	for (i = 0; i < events->len; i++) {
		const struct store_event *e = g_ptr_array_index(events, i);
		if (strcmp(e->kind, "delivery_failed") != 0)
			continue;
		ck_assert_str_eq(e->actor, "postdesk");
		g_free(*detail_r);
		*detail_r = g_strdup(e->detail);
		n++;
	}
	g_ptr_array_unref(events);
	return n;
}

/* ---- cases ---- */

START_TEST(t_send_once)
{
	gint64 a = queue_mail(env.ticket, "a@help.example", ann);
	gint64 b = queue_mail(0, "b@help.example", two);
	struct store_outbox *o;
	GPtrArray *dumps;

	ck_assert_uint_eq(run_at(T0), 2);
	o = row(a);
	ck_assert_str_eq(o->status, "sent");
	ck_assert_int_eq(o->sent_at, T0);
	ck_assert_int_eq(o->attempts, 1);
	store_outbox_free(&o);
	o = row(b);
	ck_assert_str_eq(o->status, "sent");
	store_outbox_free(&o);
	/* Each arrived once per recipient, each recipient in its own transaction from its own
	 * bounce address (VERP): the ticket's queue, else the first. */
	dumps = dumps_read();
	ck_assert_uint_eq(dumps->len, 3);
	assert_bounce_sender(dumps, "a@help.example", "ann@example.com", a, 1, "billing");
	assert_bounce_sender(dumps, "b@help.example", "bob@example.net", b, 1, "support");
	assert_bounce_sender(dumps, "b@help.example", "cy@example.org", b, 2, "support");
	g_ptr_array_unref(dumps);
	o = row(b);
	ck_assert_str_eq(o->done, "ss");
	store_outbox_free(&o);
	/* A second pass, even much later, sends nothing again. */
	ck_assert_uint_eq(run_at(T0 + 86400), 0);
	ck_assert_uint_eq(dumps_count(), 3);
}
END_TEST

START_TEST(t_down_then_up)
{
	gint64 id = queue_mail(env.ticket, "d@help.example", ann);
	struct store_outbox *o;
	GPtrArray *due = NULL;
	char *error = NULL;

	ck_assert_uint_eq(run_at(T0), 0);
	o = row(id);
	ck_assert_str_eq(o->status, "queued");
	ck_assert_int_eq(o->attempts, 1);
	ck_assert_int_eq(o->next_attempt, T0 + 60); /* outbox_retry_base */
	ck_assert_msg(strstr(o->last_error, "connect") != NULL, "%s", o->last_error);
	store_outbox_free(&o);
	/* Not due before then: a pass at T0 + 59 does not even try. */
	ck_assert_int_eq(store_outbox_due(env.store, T0 + 59, 10, &due, &error), 0);
	ck_assert_uint_eq(due->len, 0);
	g_ptr_array_unref(due);
	ck_assert_uint_eq(run_at(T0 + 59), 0);
	o = row(id);
	ck_assert_int_eq(o->attempts, 1);
	store_outbox_free(&o);
	/* The relay comes back: sent exactly once. */
	sink_start();
	ck_assert_uint_eq(run_at(T0 + 60), 1);
	o = row(id);
	ck_assert_str_eq(o->status, "sent");
	ck_assert_int_eq(o->attempts, 2);
	ck_assert_int_eq(o->sent_at, T0 + 60);
	store_outbox_free(&o);
	ck_assert_uint_eq(run_at(T0 + 3600), 0);
	ck_assert_uint_eq(dumps_count(), 1);
}
END_TEST

START_TEST(t_permfail)
{
	gint64 id = queue_mail(env.ticket, "p@help.example", ann);
	struct store_outbox *o;
	char *detail;

	ck_assert_uint_eq(run_at(T0), 0);
	o = row(id);
	ck_assert_str_eq(o->status, "failed");
	ck_assert_int_eq(o->attempts, 1);
	ck_assert_msg(g_str_has_prefix(o->last_error, "500 5.3.0 "), "%s", o->last_error);
	store_outbox_free(&o);
	ck_assert_uint_eq(failed_events(&detail), 1);
	ck_assert_msg(g_str_has_prefix(detail, "ann@example.com: 500 5.3.0 Error"), "%s", detail);
	g_free(detail);
	/* Failed is final for the loop: no retry, nothing sent, no second event. */
	ck_assert_uint_eq(run_at(T0 + 86400), 0);
	o = row(id);
	ck_assert_int_eq(o->attempts, 1);
	store_outbox_free(&o);
	ck_assert_uint_eq(failed_events(&detail), 1);
	g_free(detail);
	/* smtp-sink may open its dump file at MAIL and remove it once the session ends
	 * without data: give it a moment before counting. */
	for (int i = 0; i < 50 && dumps_count() != 0; i++)
		g_usleep(20000);
	ck_assert_uint_eq(dumps_count(), 0);
}
END_TEST

START_TEST(t_backoff)
{
	/* base 1m, cap 5m: 60, 120, 240, then 300, 300. */
	static const gint64 delays[] = {60, 120, 240, 300, 300};
	gint64 id = queue_mail(env.ticket, "k@help.example", ann), now = T0;
	struct store_outbox *o;

	for (guint i = 0; i < G_N_ELEMENTS(delays); i++) {
		ck_assert_uint_eq(run_at(now), 0);
		o = row(id);
		ck_assert_str_eq(o->status, "queued");
		ck_assert_int_eq(o->attempts, i + 1);
		ck_assert_int_eq(o->next_attempt, now + delays[i]);
		now = o->next_attempt;
		store_outbox_free(&o);
	}
	ck_assert_int_eq(outbox_backoff(0, 60, 3600), 60);
	ck_assert_int_eq(outbox_backoff(5, 60, 3600), 1920);
	ck_assert_int_eq(outbox_backoff(6, 60, 3600), 3600);
	ck_assert_int_eq(outbox_backoff(1000, 60, 3600), 3600); /* no overflow */
	ck_assert_int_eq(outbox_backoff(0, 600, 60), 60);       /* cap below base */
}
END_TEST

START_TEST(t_max_age)
{
	gint64 id = queue_mail(env.ticket, "m@help.example", ann);
	struct store_outbox *o;
	char *detail;

	ck_assert_uint_eq(run_at(T0), 0);
	/* Just under outbox_max_age (1h) after it was queued: still deferred. */
	ck_assert_uint_eq(run_at(T0 + 3599), 0);
	o = row(id);
	ck_assert_str_eq(o->status, "queued");
	ck_assert_int_eq(o->attempts, 2);
	ck_assert_int_eq(o->next_attempt, T0 + 3599 + 120);
	store_outbox_free(&o);
	ck_assert_uint_eq(failed_events(&detail), 0);
	/* The next try fails too, and the row is too old: failed, and the ticket is told. */
	ck_assert_uint_eq(run_at(T0 + 3599 + 120), 0);
	o = row(id);
	ck_assert_str_eq(o->status, "failed");
	ck_assert_int_eq(o->attempts, 3);
	store_outbox_free(&o);
	ck_assert_uint_eq(failed_events(&detail), 1);
	ck_assert_msg(g_str_has_prefix(detail, "ann@example.com: "), "%s", detail);
	ck_assert_ptr_nonnull(strstr(detail, "given up"));
	g_free(detail);
}
END_TEST

START_TEST(t_stop_flag)
{
	volatile sig_atomic_t stop = 1;
	char *error = NULL;
	guint sent = 99;
	struct store_outbox *o;
	gint64 id = queue_mail(env.ticket, "s@help.example", ann);

	/* A stop request before the first row: nothing is tried. */
	ck_assert_int_eq(
	    outbox_run_until(env.store, env.conf, env.keys, T0, 0, &stop, &sent, &error), 0);
	ck_assert_uint_eq(sent, 0);
	o = row(id);
	ck_assert_int_eq(o->attempts, 0);
	store_outbox_free(&o);
}
END_TEST

static void add_case(Suite *s, const char *name, void (*relay)(void), const TTest *test)
{
	TCase *tc = tcase_create(name);

	if (relay != NULL)
		tcase_add_unchecked_fixture(tc, relay, sink_stop);
	tcase_add_checked_fixture(tc, env_setup, env_teardown);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

static Suite *outbox_suite(gboolean have_sink)
{
	Suite *s = suite_create("outbox");

	add_case(s, "backoff", NULL, t_backoff);
	add_case(s, "max_age", NULL, t_max_age);
	add_case(s, "stop_flag", NULL, t_stop_flag);
	if (!have_sink)
		return s;
	add_case(s, "send_once", sink_plain, t_send_once);
	add_case(s, "down_then_up", sink_down, t_down_then_up);
	add_case(s, "permfail", sink_rcpt_5xx, t_permfail);
	return s;
}

int main(void)
{
	gboolean have_sink = g_file_test(SMTP_SINK, G_FILE_TEST_IS_EXECUTABLE);
	SRunner *sr;
	int failed;

	/* A relay that drops the connection must not kill us (see net_smtp_send). */
	signal(SIGPIPE, SIG_IGN);
	log_set_level(LOG_LEVEL_WARN);
	sr = srunner_create(outbox_suite(have_sink));
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed != 0)
		return 1;
	if (!have_sink) {
		printf("SKIP: %s not found (package postfix): SMTP cases not run\n", SMTP_SINK);
		return 77;
	}
	return 0;
}
