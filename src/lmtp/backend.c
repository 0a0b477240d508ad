/* backend: connects LMTP sessions to the delivery pipeline. RCPT is answered from
 * the config and token keys alone; after DATA the session thread parses the message and
 * hands it to the committer, which answers after the group commit. Each connection pins
 * the configuration snapshot current when it starts (struct lmtp_backend_pin) and uses it
 * to its end; a reload swaps in a new one for later connections (deliver_slot).
 * Owns: the slot of snapshots, the committer, the first snapshot (the committer's).
 * Threading: pin and reload run in the accept thread, rcpt/data/unpin in a session's. */
#include "config.h"
#include "postdesk/lmtp.h"
#include "postdesk/store.h"

struct lmtp_backend_ctx {
	char *conf_path;
	struct deliver_slot slot;
	struct deliver_snapshot *first; /* the committer's env: kept while it runs */
	struct deliver_committer *committer;
};

/* What one connection runs under. */
struct lmtp_backend_pin {
	struct lmtp_backend_ctx *b;
	struct deliver_snapshot *snap;
	struct lmtp_limits limits;
	char *spool_dir; /* limits.spool_dir */
};

/* Where big messages are spooled: spool_dir, else "spool" beside the database (beside the
 * key file when the database is a server's). */
char *lmtp_spool_dir(const struct conf *conf)
{
	char *db_dir, *dir;

	if (conf->spool_dir != NULL)
		return g_strdup(conf->spool_dir);
	db_dir = g_path_get_dirname(store_is_local(conf->database) ? conf->database
								   : conf->key_file);
	dir = g_build_filename(db_dir, "spool", NULL);
	g_free(db_dir);
	return dir;
}

static void backend_rcpt(void *ctx, const char *addr, struct verdict *v)
{
	struct lmtp_backend_pin *p = ctx;
	struct deliver_rcpt r;

	deliver_rcpt_resolve(p->snap->conf, p->snap->keys, addr, &r, v);
	deliver_rcpt_clear(&r);
}

/* The message d, for the session's accepted recipients: resolved again under the
 * connection's configuration, parsed here, stored by the committer; verdicts copied out. */
static void backend_deliver(struct lmtp_backend_pin *p, struct deliver_msg *d,
			    const char *const *rcpts, guint n_rcpts, struct verdict *verdicts)
{
	gint64 started = g_get_monotonic_time();
	guint i;

	d->env = &p->snap->env;
	d->acks_held = TRUE; /* notifyd acknowledges new tickets (survey/acks.c) */
	for (i = 0; i < n_rcpts; i++) {
		struct deliver_rcpt r;
		deliver_rcpt_resolve(p->snap->conf, p->snap->keys, rcpts[i], &r, &verdicts[i]);
		deliver_add_rcpt(d, &r);
	}
	if (deliver_parse(d) == 0)
		deliver_committer_submit(p->b->committer, d);
	deliver_log(d, started);
	for (i = 0; i < n_rcpts; i++)
		verdicts[i] = d->verdicts[i];
	deliver_free(&d);
}

static void backend_data(void *ctx, const char *sender, const char *const *rcpts,
			 guint n_rcpts, const char *raw, gsize len, struct verdict *verdicts)
{
	backend_deliver(ctx, deliver_new(sender, g_memdup2(raw, len), len), rcpts, n_rcpts,
			verdicts);
}

/* A big message: deliver/ parses and stores it through its spool file (d owns fd). */
static void backend_data_spooled(void *ctx, const char *sender, const char *const *rcpts,
				 guint n_rcpts, int fd, gsize len, struct verdict *verdicts)
{
	struct lmtp_backend_pin *p = ctx;

	backend_deliver(p, deliver_new_spooled(sender, fd, len, p->spool_dir), rcpts, n_rcpts,
			verdicts);
}

static void *backend_pin(void *ctx, const struct lmtp_limits **limits_r)
{
	struct lmtp_backend_pin *p = g_new0(struct lmtp_backend_pin, 1);
	const struct conf *conf;

	p->b = ctx;
	p->snap = deliver_slot_pin(&p->b->slot);
	conf = p->snap->conf;
	lmtp_limits_default(&p->limits);
	p->limits.hostname = conf->hostname;
	p->limits.max_message_size = (gsize)conf->max_message_size;
	p->limits.idle_timeout = (guint)conf->lmtp_timeout;
	/* Big messages go to nameless files here, not to the heap (doc/benchmarks.md). */
	/* The spool directory of the configuration lmtpd started with: it made that one
	 * (postdesk-lmtpd.c); a changed spool_dir waits for a restart (snapshot.c says so). */
	p->spool_dir = lmtp_spool_dir(p->b->first->conf);
	p->limits.spool_dir = p->spool_dir;
	p->limits.spool_threshold = (gsize)conf->spool_threshold;
	*limits_r = &p->limits;
	return p;
}

static void backend_unpin(void *ctx, void *pinned)
{
	struct lmtp_backend_pin *p = pinned;

	(void)ctx;
	deliver_snapshot_unref(&p->snap);
	g_free(p->spool_dir);
	g_free(p);
}

/* SIGHUP: everything loads, or the running configuration stays (one log line why). */
static void backend_reload(void *ctx)
{
	struct lmtp_backend_ctx *b = ctx;
	struct deliver_snapshot *old = deliver_slot_pin(&b->slot), *snap = NULL;
	char *error = NULL;

	service_reloading();
	if (deliver_snapshot_load(b->conf_path, old, TRUE, &snap, &error) < 0) {
		log_error("reload refused, the running configuration stays: %s", error);
		g_free(error);
	} else {
		log_set_level(log_level_named(snap->conf->log_level));
		log_info("reloaded %s", b->conf_path);
		deliver_kb_reindex(snap->conf);
		deliver_slot_swap(&b->slot, snap);
	}
	deliver_snapshot_unref(&old);
	service_ready();
}

int lmtp_backend_ctx_new(const char *conf_path, struct deliver_snapshot *snap,
			 struct lmtp_backend *backend_r, struct lmtp_backend_ctx **ctx_r,
			 char **error_r)
{
	struct lmtp_backend_ctx *b = g_new0(struct lmtp_backend_ctx, 1);

	b->conf_path = g_strdup(conf_path);
	b->first = deliver_snapshot_ref(snap);
	deliver_slot_init(&b->slot, snap);
	if (deliver_committer_new(&b->first->env, &b->committer, error_r) < 0) {
		lmtp_backend_ctx_free(&b);
		return -1;
	}
	backend_r->ctx = b;
	backend_r->rcpt = backend_rcpt;
	backend_r->data = backend_data;
	backend_r->data_spooled = backend_data_spooled;
	backend_r->pin = backend_pin;
	backend_r->unpin = backend_unpin;
	backend_r->reload = backend_reload;
	*ctx_r = b;
	return 0;
}

void lmtp_backend_ctx_free(struct lmtp_backend_ctx **bp)
{
	struct lmtp_backend_ctx *b = *bp;

	if (b == NULL)
		return;
	deliver_committer_free(&b->committer);
	deliver_slot_deinit(&b->slot);
	deliver_snapshot_unref(&b->first);
	g_free(b->conf_path);
	g_free(b);
	*bp = NULL;
}
