/* snapshot: one loaded configuration of a daemon (config file, token keys, templates) as an
 * immutable, reference-counted object, and the slot holding the current one. A connection
 * pins the snapshot that is current when it starts and keeps it to its end; SIGHUP loads a
 * new one completely and only then swaps it in (as OpenDKIM's reloads do), so a session in
 * flight never sees half of two configurations, and a bad new file changes nothing.
 * Owns: what a snapshot holds (freed with its last reference).
 * Threading: snapshots are read-only; references are atomic; the slot has a mutex. */
#include "config.h"
#include "postdesk/deliver.h"
#include "postdesk/compose.h"
#include "postdesk/kb.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* The key file of the running snapshot is kept when the new one names the same file and
 * the daemon, no longer root, may not read it: a root-owned key is read once, at start. */
static int snapshot_keys(const struct conf *conf, const struct deliver_snapshot *old,
			 struct token_keys **keys_r, char **error_r)
{
	if (old != NULL && g_strcmp0(conf->key_file, old->conf->key_file) == 0 &&
	    access(conf->key_file, R_OK) < 0 && errno == EACCES) {
		log_info("reload: %s is not readable now (root's): the keys read at start stay",
			 conf->key_file);
		*keys_r = token_keys_dup(old->keys);
		return 0;
	}
	return token_keys_load(conf->key_file, keys_r, error_r);
}

/* Settings a running daemon cannot take over: said once, the old value stays in force. */
static void snapshot_warn_restart(const struct conf *now, const struct conf *next)
{
	static const char *const names[] = {"database", "user", "lmtp_listen", "milter_listen",
					    "spool_dir"};
	const char *const a[] = {now->database, now->user, now->lmtp_listen, now->milter_listen,
				 now->spool_dir};
	const char *const b[] = {next->database, next->user, next->lmtp_listen,
				 next->milter_listen, next->spool_dir};

	for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_strcmp0(a[i], b[i]) != 0)
			log_warn("reload: %s changed: takes effect at the next restart", names[i]);
	if (now->lmtp_max_sessions != next->lmtp_max_sessions)
		log_warn("reload: lmtp_max_sessions changed: takes effect at the next restart");
	if (now->batch_max != next->batch_max)
		log_warn("reload: batch_max changed: takes effect at the next restart");
}

int deliver_snapshot_load(const char *conf_path, const struct deliver_snapshot *old,
			  gboolean templates, struct deliver_snapshot **snap_r, char **error_r)
{
	struct deliver_snapshot *s = g_new0(struct deliver_snapshot, 1);

	*snap_r = NULL;
	s->refs = 1;
	if (conf_load(conf_path, &s->conf, error_r) < 0 ||
	    snapshot_keys(s->conf, old, &s->keys, error_r) < 0 ||
	    (templates && (compose_templates_check(s->conf->template_dir,
						    compose_template_default_dir(), error_r) < 0 ||
			   compose_ctx_new(s->conf, s->keys, &s->compose, error_r) < 0))) {
		deliver_snapshot_unref(&s);
		return -1;
	}
	if (old != NULL)
		snapshot_warn_restart(old->conf, s->conf);
	s->env.conf = s->conf;
	s->env.compose = s->compose;
	*snap_r = s;
	return 0;
}

struct deliver_snapshot *deliver_snapshot_ref(struct deliver_snapshot *s)
{
	g_atomic_int_inc(&s->refs);
	return s;
}

void deliver_snapshot_unref(struct deliver_snapshot **sp)
{
	struct deliver_snapshot *s = *sp;

	*sp = NULL;
	if (s == NULL || !g_atomic_int_dec_and_test(&s->refs))
		return;
	compose_ctx_free(&s->compose); /* borrows conf and keys: first */
	token_keys_free(&s->keys);
	conf_free(&s->conf);
	g_free(s);
}

void deliver_slot_init(struct deliver_slot *slot, struct deliver_snapshot *snap)
{
	g_mutex_init(&slot->lock);
	slot->current = snap;
}

struct deliver_snapshot *deliver_slot_pin(struct deliver_slot *slot)
{
	struct deliver_snapshot *s;

	g_mutex_lock(&slot->lock);
	s = deliver_snapshot_ref(slot->current);
	g_mutex_unlock(&slot->lock);
	return s;
}

void deliver_slot_swap(struct deliver_slot *slot, struct deliver_snapshot *snap)
{
	struct deliver_snapshot *old;

	g_mutex_lock(&slot->lock);
	old = slot->current;
	slot->current = snap;
	g_mutex_unlock(&slot->lock);
	deliver_snapshot_unref(&old); /* freed here, or by the last session still on it */
}

void deliver_slot_deinit(struct deliver_slot *slot)
{
	deliver_snapshot_unref(&slot->current);
	g_mutex_clear(&slot->lock);
}

void deliver_kb_reindex(const struct conf *conf)
{
	struct store *store = NULL;
	char *error = NULL;
	guint n = 0;

	if (conf->kb_dir == NULL)
		return;
	/* Its own connection, one short write transaction: the delivery writer waits for it
	 * as for any other writer (busy_timeout), and readers keep the old set until commit. */
	if (store_open(conf->database, 0, (int)conf->busy_timeout_ms, &store, &error) < 0 ||
	    kb_reindex(store, conf->kb_dir, NULL, NULL, &n, &error) < 0)
		log_error("reload: knowledge base not reindexed, the old index stays: %s", error);
	else
		log_info("reload: %u knowledge-base articles indexed from %s", n, conf->kb_dir);
	g_free(error);
	store_close(&store);
}
