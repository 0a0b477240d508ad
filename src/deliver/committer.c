/* committer: group commit. Session threads parse their message, then hand it to the single
 * writer thread here and wait. The writer takes everything that queued up while it was
 * busy (up to batch_max), threads and stores it in ONE transaction and commits it without
 * waiting for the disk (STORE_WAL_NOSYNC), then hands the batch to the syncer thread and
 * goes on with the next one. The syncer makes everything committed so far durable with one
 * fdatasync of the WAL and only then wakes the batch's sessions, which answer 250: the
 * fsync of one batch overlaps the work of the next (pipelined group commit; with
 * synchronous=FULL the writer sat idle through every fsync). If the sync fails, the
 * batch's sessions answer 4xx instead: Postfix keeps the mail and a redelivery is
 * recognised as already stored. If anything in a batch fails, the batch is rolled back and each message is retried
 * in a transaction of its own, so one bad message cannot fail its neighbours.
 * WAL checkpoints run in a second thread on a second connection, woken when the WAL has
 * grown by DELIVER_CKPT_WAKE_FRAMES since the last wake-up (and once a second when idle), so
 * no commit waits for pages to be copied back and the checkpointer's fsyncs are a few per
 * megabytes, not one per commit. Under a load the checkpointer cannot catch up with, the
 * WAL would grow without end (a PASSIVE checkpoint never catches a busy writer); so when it
 * passes DELIVER_WAL_MAX_FRAMES, the writer itself empties it between two batches (a
 * TRUNCATE checkpoint: what is left to copy, then the file cut to zero). doc/durability.md.
 * Owns: its two store connections (writer, checkpointer), the syncer and both queues. */
#include "config.h"
#include "postdesk/deliver.h"

/* 1024 frames of 4 KB pages: the checkpointer wakes every 4 MB of WAL. */
#define DELIVER_CKPT_WAKE_FRAMES 1024
/* 8192 frames: 32 MB of WAL (plus one batch) at most, before the writer empties it. */
#define DELIVER_WAL_MAX_FRAMES 8192

struct deliver_committer_job {
	struct deliver_msg *d;
	gboolean done;
};

struct deliver_committer {
	const struct deliver_env *env;
	struct store *store;
	GAsyncQueue *queue;
	GThread *thread;
	GMutex lock;
	GCond cond;
	/* the checkpointer; ckpt_wanted and stopping are guarded by lock */
	struct store *ckpt_store;
	GThread *ckpt_thread;
	GCond ckpt_cond;
	gboolean ckpt_wanted;
	gboolean stopping;
	gint64 ckpt_woken_at; /* WAL frames at the last wake-up (writer thread only) */
	/* the syncer thread and what it owns */
	struct store_syncer *syncer;
	GAsyncQueue *sync_queue; /* struct deliver_committer_batch * */
	/* A failed fdatasync is final (syncer thread only): Linux may drop the unwritten WAL
	 * pages and report the error once, so a later sync that "succeeds" proves nothing for
	 * commits after the hole. From then on every batch is answered 4xx until a restart,
	 * whose recovery reads the WAL as the disk has it. */
	char *sync_failed;
	GThread *sync_thread;
};

/* A committed batch on its way to the syncer. */
struct deliver_committer_batch {
	struct deliver_committer_job **jobs;
	guint n;
};

/* Pushed by deliver_committer_free to end the writer loop, and by the writer to end the
 * syncer's. */
static struct deliver_committer_job deliver_committer_stop_job;
static struct deliver_committer_batch deliver_committer_stop_batch;

/* The sessions of these jobs may answer now. */
static void deliver_committer_done(struct deliver_committer *c,
				   struct deliver_committer_job **jobs, guint n)
{
	g_mutex_lock(&c->lock);
	for (guint i = 0; i < n; i++)
		jobs[i]->done = TRUE;
	g_cond_broadcast(&c->cond);
	g_mutex_unlock(&c->lock);
}

/* Stored, but the disk did not confirm it: no 250 may go out. 4xx, so Postfix retries; the
 * retry finds the row if it did reach the disk ("already stored"). */
static void deliver_committer_not_durable(struct deliver_committer_batch *b, const char *error)
{
	for (guint i = 0; i < b->n; i++) {
		struct deliver_msg *d = b->jobs[i]->d;

		for (guint r = 0; r < d->rcpts->len; r++)
			if (d->verdicts[r].status == VERDICT_OK)
				verdict_set(&d->verdicts[r], VERDICT_TEMPFAIL, 451, "4.3.0",
					    "commit not confirmed by the disk, try again later");
	}
	log_error("fdatasync of the WAL failed (%s): %u message(s) answered 4xx", error, b->n);
}

/* Take every committed batch queued, make them durable with one fdatasync, wake their
 * sessions. */
static gpointer deliver_committer_syncer(gpointer data)
{
	struct deliver_committer *c = data;
	GPtrArray *batches = g_ptr_array_new();
	gboolean stop = FALSE;

	while (!stop) {
		struct deliver_committer_batch *b = g_async_queue_pop(c->sync_queue);
		char *error = NULL;
		int ret;

		g_ptr_array_set_size(batches, 0);
		for (; b != NULL; b = g_async_queue_try_pop(c->sync_queue)) {
			if (b == &deliver_committer_stop_batch) {
				stop = TRUE;
				break;
			}
			g_ptr_array_add(batches, b);
		}
		if (batches->len == 0)
			continue;
		ret = c->sync_failed != NULL ? -1 : store_syncer_sync(c->syncer, &error);
		if (ret < 0 && c->sync_failed == NULL) {
			c->sync_failed = g_strdup(error);
			log_error("the WAL could not be made durable (%s): every delivery is answered "
				  "4xx until postdesk-lmtpd is restarted", error);
		}
		for (guint i = 0; i < batches->len; i++) {
			b = g_ptr_array_index(batches, i);
			if (ret < 0)
				deliver_committer_not_durable(b, c->sync_failed);
			deliver_committer_done(c, b->jobs, b->n);
			g_free(b->jobs);
			g_free(b);
		}
		g_free(error);
	}
	g_ptr_array_unref(batches);
	return NULL;
}

/* A message is stored under the configuration its session pinned (a reload between two
 * messages of one batch gives them different ones). */
static const struct deliver_env *deliver_committer_env(const struct deliver_committer *c,
						       const struct deliver_msg *d)
{
	return d->env != NULL ? d->env : c->env;
}

static void deliver_committer_batch(struct deliver_committer *c, struct deliver_committer_job **jobs, guint n)
{
	char *error = NULL;
	gboolean failed = FALSE;
	guint i;

	if (n == 1) {
		deliver_run(jobs[0]->d, c->store, deliver_committer_env(c, jobs[0]->d));
		return;
	}
	if (store_begin(c->store, &error) < 0) {
		for (i = 0; i < n; i++)
			deliver_tempfail(jobs[i]->d, c->store, error);
		g_free(error);
		return;
	}
	for (i = 0; i < n && !failed; i++)
		failed = deliver_apply(jobs[i]->d, c->store, deliver_committer_env(c, jobs[i]->d),
				       clock_now()) < 0;
	if (!failed && store_commit(c->store, &error) == 0)
		return;
	g_free(error);
	store_rollback(c->store);
	log_warn("group commit of %u messages failed; storing them one by one", n);
	for (i = 0; i < n; i++)
		deliver_run(jobs[i]->d, c->store, deliver_committer_env(c, jobs[i]->d));
}

/* After a batch is committed (its sessions wait for the syncer, not for this): wake the
 * checkpointer when the WAL has grown enough, and empty the WAL when it has outgrown the
 * checkpointer. Without a checkpointer SQLite's automatic checkpoints are on and there is
 * nothing to do. */
static void deliver_committer_wal(struct deliver_committer *c)
{
	gint64 frames = store_wal_frames(c->store);
	char *error = NULL;

	if (c->ckpt_thread == NULL)
		return;
	if (frames < c->ckpt_woken_at) /* the WAL was reset */
		c->ckpt_woken_at = 0;
	if (frames - c->ckpt_woken_at >= DELIVER_CKPT_WAKE_FRAMES) {
		c->ckpt_woken_at = frames;
		g_mutex_lock(&c->lock);
		c->ckpt_wanted = TRUE;
		g_cond_signal(&c->ckpt_cond);
		g_mutex_unlock(&c->lock);
	}
	if (frames < DELIVER_WAL_MAX_FRAMES)
		return;
	if (store_checkpoint(c->store, TRUE, NULL, &error) < 0) {
		/* Readers of an old snapshot: the next batch tries again. */
		log_debug("WAL of %" G_GINT64_FORMAT " frames not emptied: %s", frames, error);
		g_free(error);
		return;
	}
	c->ckpt_woken_at = 0;
}

static gpointer deliver_committer_main(gpointer data)
{
	struct deliver_committer *c = data;
	guint max = c->env->conf->batch_max > 0 ? (guint)c->env->conf->batch_max : 1;
	struct deliver_committer_job **jobs = g_new(struct deliver_committer_job *, max);
	gboolean stop = FALSE;
	guint n;

	while (!stop) {
		jobs[0] = g_async_queue_pop(c->queue);
		if (jobs[0] == &deliver_committer_stop_job)
			break;
		for (n = 1; n < max; n++) {
			jobs[n] = g_async_queue_try_pop(c->queue);
			if (jobs[n] == NULL)
				break;
			if (jobs[n] == &deliver_committer_stop_job) {
				stop = TRUE;
				break;
			}
		}
		deliver_committer_batch(c, jobs, n);
		if (c->sync_thread != NULL) {
			struct deliver_committer_batch *b = g_new(struct deliver_committer_batch, 1);

			b->jobs = g_memdup2(jobs, n * sizeof(jobs[0]));
			b->n = n;
			g_async_queue_push(c->sync_queue, b);
		} else {
			deliver_committer_done(c, jobs, n);
		}
		deliver_committer_wal(c);
	}
	g_free(jobs);
	if (c->sync_thread != NULL)
		g_async_queue_push(c->sync_queue, &deliver_committer_stop_batch);
	return NULL;
}

/* Copy committed WAL frames back into the database, PASSIVE (never blocking the writer),
 * when the writer says the WAL has grown, and once a second otherwise (an idle desk's WAL
 * is copied back soon after its last commit). */
static gpointer deliver_committer_checkpointer(gpointer data)
{
	struct deliver_committer *c = data;
	char *error = NULL;

	g_mutex_lock(&c->lock);
	while (!c->stopping) {
		if (!c->ckpt_wanted)
			g_cond_wait_until(&c->ckpt_cond, &c->lock,
					  g_get_monotonic_time() + G_TIME_SPAN_SECOND);
		c->ckpt_wanted = FALSE;
		g_mutex_unlock(&c->lock);
		if (store_checkpoint(c->ckpt_store, FALSE, NULL, &error) < 0) {
			log_warn("checkpoint: %s", error);
			g_clear_pointer(&error, g_free);
		}
		g_mutex_lock(&c->lock);
	}
	g_mutex_unlock(&c->lock);
	return NULL;
}

/* A second connection takes the checkpoints; without it SQLite's automatic checkpoints
 * on the writer stay on (slower commits, same safety). */
static void deliver_committer_start_checkpointer(struct deliver_committer *c)
{
	const struct conf *conf = c->env->conf;
	char *error = NULL;

	if (store_open(conf->database, 0, (int)conf->busy_timeout_ms, &c->ckpt_store, &error) < 0 ||
	    store_wal_manual(c->store, &error) < 0) {
		log_warn("checkpoints stay on the writer: %s", error);
		g_free(error);
		store_close(&c->ckpt_store);
		return;
	}
	c->ckpt_thread = g_thread_new("checkpointer", deliver_committer_checkpointer, c);
}

int deliver_committer_new(const struct deliver_env *env, struct deliver_committer **c_r, char **error_r)
{
	struct deliver_committer *c = g_new0(struct deliver_committer, 1);

	c->env = env;
	if (store_open(env->conf->database, STORE_WAL_NOSYNC, (int)env->conf->busy_timeout_ms,
		       &c->store, error_r) < 0) {
		g_free(c);
		return -1;
	}
	c->queue = g_async_queue_new();
	g_mutex_init(&c->lock);
	g_cond_init(&c->cond);
	g_cond_init(&c->ckpt_cond);
	deliver_committer_start_checkpointer(c);
	c->syncer = store_syncer_new(env->conf->database);
	c->sync_queue = g_async_queue_new();
	c->sync_thread = g_thread_new("syncer", deliver_committer_syncer, c);
	c->thread = g_thread_new("committer", deliver_committer_main, c);
	*c_r = c;
	return 0;
}

void deliver_committer_submit(struct deliver_committer *c, struct deliver_msg *d)
{
	struct deliver_committer_job job = {.d = d, .done = FALSE};

	g_async_queue_push(c->queue, &job);
	g_mutex_lock(&c->lock);
	while (!job.done)
		g_cond_wait(&c->cond, &c->lock);
	g_mutex_unlock(&c->lock);
}

void deliver_committer_free(struct deliver_committer **cp)
{
	struct deliver_committer *c = *cp;

	if (c == NULL)
		return;
	g_async_queue_push(c->queue, &deliver_committer_stop_job);
	g_thread_join(c->thread);
	g_thread_join(c->sync_thread); /* the writer told it to stop after its last batch */
	g_free(c->sync_failed);
	g_async_queue_unref(c->sync_queue);
	store_syncer_free(&c->syncer);
	if (c->ckpt_thread != NULL) {
		g_mutex_lock(&c->lock);
		c->stopping = TRUE;
		g_cond_signal(&c->ckpt_cond);
		g_mutex_unlock(&c->lock);
		g_thread_join(c->ckpt_thread);
		store_checkpoint(c->ckpt_store, FALSE, NULL, NULL);
	}
	g_async_queue_unref(c->queue);
	g_mutex_clear(&c->lock);
	g_cond_clear(&c->cond);
	g_cond_clear(&c->ckpt_cond);
	store_close(&c->ckpt_store);
	store_close(&c->store);
	g_free(c);
	*cp = NULL;
}
