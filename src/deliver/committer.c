/* committer: group commit. Session threads parse their message, then hand it to the single
 * writer thread here and wait. The writer takes everything that queued up while it was
 * busy (up to batch_max), threads and stores it in ONE transaction, commits (one fsync for
 * the whole batch with synchronous=FULL), and only then wakes the sessions, which answer
 * 250. If anything in a batch fails, the batch is rolled back and each message is retried
 * in a transaction of its own, so one bad message cannot fail its neighbours.
 * WAL checkpoints run in a second thread on a second connection, woken when the WAL has
 * grown by DELIVER_CKPT_WAKE_FRAMES since the last wake-up (and once a second when idle), so
 * no commit waits for pages to be copied back and the checkpointer's fsyncs are a few per
 * megabytes, not one per commit. Under a load the checkpointer cannot catch up with, the
 * WAL would grow without end (a PASSIVE checkpoint never catches a busy writer); so when it
 * passes DELIVER_WAL_MAX_FRAMES, the writer itself empties it between two batches (a
 * TRUNCATE checkpoint: what is left to copy, then the file cut to zero). doc/durability.md.
 * Owns: its two store connections (one per thread) and the job queue. */
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
};

/* Pushed by deliver_committer_free to end the writer loop. */
static struct deliver_committer_job deliver_committer_stop_job;

static void deliver_committer_batch(struct deliver_committer *c, struct deliver_committer_job **jobs, guint n)
{
	char *error = NULL;
	gboolean failed = FALSE;
	guint i;

	if (n == 1) {
		deliver_run(jobs[0]->d, c->store, c->env);
		return;
	}
	if (store_begin(c->store, &error) < 0) {
		for (i = 0; i < n; i++)
			deliver_tempfail(jobs[i]->d, c->store, error);
		g_free(error);
		return;
	}
	for (i = 0; i < n && !failed; i++)
		failed = deliver_apply(jobs[i]->d, c->store, c->env, clock_now()) < 0;
	if (!failed && store_commit(c->store, &error) == 0)
		return;
	g_free(error);
	store_rollback(c->store);
	log_warn("group commit of %u messages failed; storing them one by one", n);
	for (i = 0; i < n; i++)
		deliver_run(jobs[i]->d, c->store, c->env);
}

/* After a batch (the sessions already answered): wake the checkpointer when the WAL has
 * grown enough, and empty the WAL when it has outgrown the checkpointer. Without a
 * checkpointer SQLite's automatic checkpoints are on and there is nothing to do. */
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
	guint n, i;

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
		g_mutex_lock(&c->lock);
		for (i = 0; i < n; i++)
			jobs[i]->done = TRUE;
		g_cond_broadcast(&c->cond);
		g_mutex_unlock(&c->lock);
		deliver_committer_wal(c);
	}
	g_free(jobs);
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
	if (store_open(env->conf->database, 0, (int)env->conf->busy_timeout_ms, &c->store,
		       error_r) < 0) {
		g_free(c);
		return -1;
	}
	c->queue = g_async_queue_new();
	g_mutex_init(&c->lock);
	g_cond_init(&c->cond);
	g_cond_init(&c->ckpt_cond);
	deliver_committer_start_checkpointer(c);
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
