/* outbox: postdesk-notifyd's sending loop. Takes the due rows of the store's outbox, hands
 * each to the relay with net_smtp_send() and commits the outcome (sent, deferred with
 * backoff, failed) in a transaction of its own before the next row is sent, so a mail the
 * relay accepted is recorded as sent before anything else can happen. Owns nothing beyond
 * one pass; the store connection, config and keys are the caller's. One thread at a time
 * per store connection (the store's rule); the caller ignores SIGPIPE (net_smtp_send's
 * rule). */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/outbox.h"
#include "postdesk/store.h"
#include "postdesk/token.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/file.h>
#include <fcntl.h>
#include <sys/stat.h>

/* Tries to record an outcome: BEGIN IMMEDIATE already waits busy_timeout for the lock, so a
 * second and third try only matter when the database stays busy a long time. Recording
 * "sent" is what keeps a mail from going out twice, so it is worth the wait. */
#define OUTBOX_COMMIT_TRIES 3

gint64 outbox_backoff(gint64 attempts, gint64 base, gint64 max)
{
	gint64 delay = MAX(base, 1);

	/* Double per earlier attempt, stopping at the cap before the shift could overflow. */
	for (gint64 i = 0; i < attempts && delay < max; i++) {
		if (delay > G_MAXINT64 / 2)
			break;
		delay *= 2;
	}
	return MAX(MIN(delay, max), 1);
}

/* "451 4.3.0 Try again later", or the text alone when the relay never answered. A refusal
 * of every recipient reads "refused ADDR: 550 ..." (net_smtp_send): the address is
 * dropped there, the caller names the recipients itself. */
static char *verdict_line(const struct verdict *v)
{
	const char *text = v->text, *p;

	if (v->status != VERDICT_OK && g_str_has_prefix(text, "refused ") &&
	    (p = strstr(text, ": ")) != NULL)
		return g_strdup(p + 2);
	if (v->smtp == 0)
		return g_strdup(text);
	return g_strdup_printf("%d %s", v->smtp, text);
}

/* Local part of the envelope sender: the ticket's queue, else the first queue (a row
 * without ticket, a ticket whose queue left the config). -1 only if the store fails. */
static int outbox_local(struct store *store, const struct conf *conf, const struct store_outbox *o,
			const char **local_r, char **error_r)
{
	const struct conf_queue *q = g_ptr_array_index(conf->queues, 0);
	struct store_ticket *t = NULL;
	int ret = 0;

	if (o->ticket_id != 0 && (ret = store_ticket_get(store, o->ticket_id, &t, error_r)) < 0)
		return -1;
	if (ret == 1 && conf_queue_by_name(conf, t->queue) != NULL)
		q = conf_queue_by_name(conf, t->queue);
	store_ticket_free(&t);
	*local_r = q->local;
	return 0;
}

enum outcome { OUTCOME_SENT, OUTCOME_DEFER, OUTCOME_FAIL };

/* Mail that went to customers (not to agents). */
static gboolean outbox_to_customer(const struct store_outbox *o)
{
	return strcmp(o->kind, "ack") == 0 || strcmp(o->kind, "reply") == 0 ||
	       strcmp(o->kind, "survey") == 0;
}

/* Record one outcome in its own transaction. event: the delivery_failed detail to add to
 * the ticket, or NULL. error: last_error for defer/fail. */
static int outbox_record_once(struct store *store, const struct store_outbox *o, enum outcome what,
			      gint64 now, gint64 next, const char *error, const char *event,
			      char **error_r)
{
	int ret;

	if (store_begin(store, error_r) < 0)
		return -1;
	if (what == OUTCOME_SENT)
		ret = store_outbox_mark_sent(store, o->id, now, error_r);
	else if (what == OUTCOME_DEFER)
		ret = store_outbox_defer(store, o->id, next, error, error_r);
	else
		ret = store_outbox_mark_failed(store, o->id, error, error_r);
	if (ret == 0 && event != NULL && o->ticket_id != 0)
		ret = store_event_add(store, o->ticket_id, now, "delivery_failed", "postdesk",
				      event, error_r);
	/* The relay refused customer mail for good: same as a bounce, no more automatic
	 * mail to those addresses. */
	if (ret == 0 && what == OUTCOME_FAIL && error != NULL && error[0] == '5' &&
	    outbox_to_customer(o))
		for (guint i = 0; ret == 0 && o->rcpts[i] != NULL; i++)
			ret = store_customer_set_bounced(store, o->rcpts[i], TRUE, error_r);
	if (ret == 0)
		ret = store_commit(store, error_r);
	if (ret < 0)
		store_rollback(store);
	return ret;
}

static int outbox_record(struct store *store, const struct store_outbox *o, enum outcome what,
			 gint64 now, gint64 next, const char *error, const char *event,
			 char **error_r)
{
	for (int i = 1;; i++) {
		char *e = NULL;

		if (outbox_record_once(store, o, what, now, next, error, event, &e) == 0)
			return 0;
		if (i == OUTBOX_COMMIT_TRIES || store_last_error(store) != STORE_ERR_BUSY) {
			util_error(error_r, "outbox %" G_GINT64_FORMAT ": %s", o->id, e);
			g_free(e);
			return -1;
		}
		g_free(e);
	}
}

/* What to do with a row the relay (or the connection) did not take. */
static int outbox_not_sent(struct store *store, const struct conf *conf,
			   const struct store_outbox *o, const struct verdict *v, gint64 now,
			   const char *to, char **error_r)
{
	char *line = verdict_line(v), *event = NULL;
	gint64 next = 0;
	enum outcome what = OUTCOME_FAIL;
	int ret;

	if (v->status == VERDICT_TEMPFAIL && now - o->created < conf->outbox_max_age) {
		what = OUTCOME_DEFER;
		next = now + outbox_backoff(o->attempts, conf->outbox_retry_base,
						   conf->outbox_retry_max);
		log_info("outbox %" G_GINT64_FORMAT " deferred (attempt %" G_GINT64_FORMAT
			 ", next in %" G_GINT64_FORMAT "s) to %s: %s",
			 o->id, o->attempts + 1, next - now, to, line);
	} else if (v->status == VERDICT_TEMPFAIL) {
		event = g_strdup_printf("%s: %s (still failing after %" G_GINT64_FORMAT
					" attempts, given up)",
					to, line, o->attempts + 1);
		log_warn("outbox %" G_GINT64_FORMAT " failed to %s: %s (queued too long)", o->id,
			 to, line);
	} else {
		event = g_strdup_printf("%s: %s", to, line);
		log_warn("outbox %" G_GINT64_FORMAT " failed to %s: %s", o->id, to, line);
	}
	ret = outbox_record(store, o, what, now, next, line, event, error_r);
	g_free(event);
	g_free(line);
	return ret;
}

/* Durability (tests/e2e/crash_notifyd.sh): a stop signal that arrives during the SMTP
 * dialogue must not cut it short. libetpan waits for replies in select(), which a signal
 * handler interrupts (EINTR, never restarted): the relay's 250 to the data was then read as
 * a lost connection, the row deferred and the mail sent again later -- a duplicate from a
 * plain SIGTERM. So SIGTERM and SIGINT are held for the length of one send; a pending one
 * is delivered when they are unblocked, and the caller's stop flag ends the loop after the
 * outcome is recorded (the documented "after the mail being sent"). */
static void outbox_send_unstoppable(const struct conf *conf, const char *from,
				    const char *rcpt, const char *data, gsize len,
				    struct verdict *v)
{
	sigset_t stop_sigs, old;
	const char *rcpts[] = {rcpt};

	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGTERM);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGHUP); /* a reload (notifyd) must not cut the dialogue either */
	pthread_sigmask(SIG_BLOCK, &stop_sigs, &old);
	net_smtp_send(conf->relay, from, rcpts, 1, data, len, OUTBOX_TIMEOUT_S, v);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* A customer address the relay refused for good: flagged like a bounce, so no more
 * automatic mail goes there. Recorded with the recipient's progress, in one transaction. */
static int outbox_progress_once(struct store *store, const struct store_outbox *o,
				const char *done, const char *refused, gint64 now,
				const char *event, char **error_r)
{
	int ret = store_begin(store, error_r);

	if (ret == 0)
		ret = store_outbox_set_done(store, o->id, done, error_r);
	if (ret == 0 && refused != NULL && outbox_to_customer(o))
		ret = store_customer_set_bounced(store, refused, TRUE, error_r);
	if (ret == 0 && event != NULL && o->ticket_id != 0)
		ret = store_event_add(store, o->ticket_id, now, "delivery_failed", "postdesk",
				      event, error_r);
	if (ret == 0)
		ret = store_commit(store, error_r);
	if (ret < 0)
		store_rollback(store);
	return ret;
}

static int outbox_progress(struct store *store, const struct store_outbox *o, const char *done,
			   const char *refused, gint64 now, const char *event, char **error_r)
{
	for (int i = 1;; i++) {
		char *e = NULL;

		if (outbox_progress_once(store, o, done, refused, now, event, &e) == 0)
			return 0;
		if (i == OUTBOX_COMMIT_TRIES || store_last_error(store) != STORE_ERR_BUSY) {
			util_error(error_r, "outbox %" G_GINT64_FORMAT ": %s", o->id, e);
			g_free(e);
			return -1;
		}
		g_free(e);
	}
}

/* Recipient n (from 0) of o, in its own SMTP transaction from its own bounce address
 * LOCAL+b<row>.<n+1>-<mac> (VERP, as Postfix's -V): a report that comes back can only be
 * about that address (deliver/route_bounce.c). */
static void outbox_send_rcpt(const struct conf *conf, const struct token_keys *keys,
			     const char *local, const struct store_outbox *o, guint n,
			     const char *data, gsize len, struct verdict *v)
{
	struct token t = {.id = o->id, .role = TOKEN_BOUNCE, .score = -1, .rcpt = n + 1};
	char *from = NULL, *e = NULL;

	if (token_address(keys, local, conf->domain, &t, &from, &e) < 0) {
		/* Cannot happen with a valid config (queue local parts are short); if it does,
		 * no retry would help. */
		verdict_set(v, VERDICT_PERMFAIL, 0, "5.3.5", "no bounce address: %s", e);
		g_free(e);
		return;
	}
	outbox_send_unstoppable(conf, from, o->rcpts[n], data, len, v);
	g_free(from);
}

/* The recipients not yet taken, each in its own transaction, their progress recorded after
 * each one. Stops at the first temporary failure (*tempfail set to it). -1 store error. */
static int outbox_send_rcpts(struct store *store, const struct conf *conf,
			     const struct token_keys *keys, const char *local,
			     const struct store_outbox *o, char *done, gint64 now,
			     struct verdict *tempfail, struct verdict *refused, char **error_r)
{
	gsize len;
	const char *data = g_bytes_get_data(o->raw, &len);

	for (guint n = 0; done[n] != '\0'; n++) {
		struct verdict v = {0};
		char *line, *event = NULL;
		int ret;

		if (done[n] != '-')
			continue;
		outbox_send_rcpt(conf, keys, local, o, n, data, len, &v);
		if (v.status == VERDICT_TEMPFAIL) {
			*tempfail = v;
			return 0;
		}
		line = verdict_line(&v);
		done[n] = v.status == VERDICT_OK ? 's' : 'f';
		if (v.status == VERDICT_OK) {
			log_info("outbox %" G_GINT64_FORMAT " sent to %s: %s", o->id, o->rcpts[n],
				 line);
		} else {
			if (refused->status == VERDICT_OK)
				verdict_set(refused, v.status, v.smtp, v.enh, "%s", v.text);
			event = g_strdup_printf("%s: %s", o->rcpts[n], line);
			log_warn("outbox %" G_GINT64_FORMAT " refused for %s: %s", o->id,
				 o->rcpts[n], line);
		}
		ret = outbox_progress(store, o, done,
				      v.status != VERDICT_OK && line[0] == '5' ? o->rcpts[n] : NULL,
				      now, event, error_r);
		g_free(event);
		g_free(line);
		if (ret < 0)
			return -1;
	}
	return 0;
}

/* Send one row and record what happened. 1 sent, 0 not sent (recorded), -1 store error.
 * The row is sent once every recipient was accepted or refused for good (and at least one
 * accepted); failed when every one was refused; deferred (or failed with age) while some
 * are left: a retry sends only to those. */
static int outbox_send_one(struct store *store, const struct conf *conf,
			   const struct token_keys *keys, const struct store_outbox *o, gint64 now,
			   char **error_r)
{
	struct verdict tempfail = {0}, refused = {0};
	guint n = g_strv_length(o->rcpts);
	char *done = g_strnfill(n, '-'), *to = g_strjoinv(", ", o->rcpts);
	const char *local;
	int ret;

	memcpy(done, o->done, MIN(strlen(o->done), n));
	tempfail.status = refused.status = VERDICT_OK;
	if (outbox_local(store, conf, o, &local, error_r) < 0 ||
	    outbox_send_rcpts(store, conf, keys, local, o, done, now, &tempfail, &refused,
			      error_r) < 0)
		ret = -1;
	else if (tempfail.status != VERDICT_OK)
		ret = outbox_not_sent(store, conf, o, &tempfail, now, to, error_r) < 0 ? -1 : 0;
	else if (strchr(done, 's') == NULL) { /* every one refused (events already recorded) */
		char *line = verdict_line(&refused);
		ret = outbox_record(store, o, OUTCOME_FAIL, now, 0, line, NULL, error_r) < 0 ? -1
											: 0;
		g_free(line);
	} else
		ret = outbox_record(store, o, OUTCOME_SENT, now, 0, NULL, NULL, error_r) < 0 ? -1
											  : 1;
	g_free(done);
	g_free(to);
	return ret;
}

/* Rows from the first one not sent on (a stop, a store failure) that this sender claimed
 * on a shared database: due again now, for any sender, rather than when the lease ends.
 * Best effort: a row left claimed is only late. */
static void outbox_release(struct store *store, GPtrArray *due, guint from, gint64 now)
{
	char *error = NULL;

	if (!store_is_shared(store))
		return;
	for (guint j = from; j < due->len; j++) {
		const struct store_outbox *o = g_ptr_array_index(due, j);

		if (store_outbox_retry(store, o->id, now, &error) < 0) {
			log_warn("outbox %" G_GINT64_FORMAT ": left claimed: %s", o->id, error);
			g_clear_pointer(&error, g_free);
		}
	}
}

int outbox_run_until(struct store *store, const struct conf *conf,
			    const struct token_keys *keys, gint64 now, int limit,
			    const volatile sig_atomic_t *stop, guint *sent_r, char **error_r)
{
	GPtrArray *due = NULL;
	guint i, sent = 0;
	int ret = 0, lock = -1;

	if (sent_r != NULL)
		*sent_r = 0;
	/* One sender at a time per database, or a row could go out twice. Busy: another
	 * process is sending right now and takes these rows too. */
	ret = outbox_lock(conf, &lock, error_r);
	if (ret <= 0)
		return ret;
	/* On a shared database the file is per host; the rows are claimed (store_outbox_due),
	 * so the senders of the several hosts share the work. */
	if (store_outbox_due(store, now, limit > 0 ? limit : OUTBOX_BATCH, &due, error_r) <
	    0) {
		close(lock);
		return -1;
	}
	/* A pass can take minutes (each SMTP reply may take OUTBOX_TIMEOUT_S): each row
	 * is recorded at its own time. An injected clock (tick --now) does not move. */
	gint64 start = clock_now();
	for (i = 0; i < due->len && (stop == NULL || !*stop); i++) {
		ret = outbox_send_one(store, conf, keys, g_ptr_array_index(due, i),
				      now + (clock_now() - start), error_r);
		if (ret < 0)
			break;
		sent += (guint)ret;
	}
	outbox_release(store, due, i, now);
	g_ptr_array_unref(due);
	close(lock);
	if (sent_r != NULL)
		*sent_r = sent;
	return ret < 0 ? -1 : 0;
}

int outbox_run(struct store *store, const struct conf *conf, const struct token_keys *keys,
		      gint64 now, guint *sent_r, char **error_r)
{
	return outbox_run_until(store, conf, keys, now, OUTBOX_BATCH, NULL, sent_r,
				       error_r);
}

/* The lock file: beside an SQLite database; for a server database, per host beside the
 * key file (the senders of the several hosts claim their rows: store_outbox_due). */
static char *lock_path(const struct conf *conf)
{
	char *dir, *path;

	if (store_is_local(conf->database))
		return g_strconcat(conf->database, "-send.lock", NULL);
	dir = g_path_get_dirname(conf->key_file);
	path = g_build_filename(dir, "postdesk-send.lock", NULL);
	g_free(dir);
	return path;
}

/* Made by root (postdesk tick): give it to the database's owner, as SQLite does with its
 * -wal and -shm files (for a server database, to the daemons' user), so the unprivileged
 * daemon can take the lock too. */
static void lock_chown(const struct conf *conf, int fd, const char *path)
{
	struct stat st;
	char *error = NULL;

	if (geteuid() != 0)
		return;
	if (store_is_local(conf->database)) {
		if (stat(conf->database, &st) == 0 && fchown(fd, st.st_uid, st.st_gid) < 0)
			log_warn("cannot chown the send lock: %s", g_strerror(errno));
	} else if (privs_chown_to_user(path, conf->user, &error) < 0) {
		log_warn("cannot chown the send lock: %s", error);
		g_free(error);
	}
}

int outbox_lock(const struct conf *conf, int *fd_r, char **error_r)
{
	char *path = lock_path(conf);
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	int ret;

	if (fd < 0) {
		ret = util_error(error_r, "%s: %s", path, g_strerror(errno));
		g_free(path);
		return ret;
	}
	lock_chown(conf, fd, path);
	g_free(path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		ret = errno == EWOULDBLOCK ? 0 : util_error(error_r, "flock: %s", g_strerror(errno));
		close(fd);
		return ret;
	}
	*fd_r = fd;
	return 1;
}
