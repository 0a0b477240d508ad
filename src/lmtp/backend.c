/* backend: connects LMTP sessions to the delivery pipeline. RCPT is answered from
 * the config and token keys alone; after DATA the session thread parses the message and
 * hands it to the committer, which answers after the group commit. All state is borrowed
 * from the daemon and read-only here, so any session thread may call in. */
#include "config.h"
#include "postdesk/lmtp.h"

struct lmtp_backend_ctx {
	const struct conf *conf;
	const struct token_keys *keys;
	struct deliver_committer *committer;
};

static void backend_rcpt(void *ctx, const char *addr, struct verdict *v)
{
	struct lmtp_backend_ctx *b = ctx;
	struct deliver_rcpt r;

	deliver_rcpt_resolve(b->conf, b->keys, addr, &r, v);
	deliver_rcpt_clear(&r);
}

static void backend_data(void *ctx, const char *sender, const char *const *rcpts,
			 guint n_rcpts, const char *raw, gsize len, struct verdict *verdicts)
{
	struct lmtp_backend_ctx *b = ctx;
	struct deliver_msg *d = deliver_new(sender, g_memdup2(raw, len), len);
	guint i;

	for (i = 0; i < n_rcpts; i++) {
		struct deliver_rcpt r;
		deliver_rcpt_resolve(b->conf, b->keys, rcpts[i], &r, &verdicts[i]);
		deliver_add_rcpt(d, &r);
	}
	if (deliver_parse(d) == 0)
		deliver_committer_submit(b->committer, d);
	for (i = 0; i < n_rcpts; i++)
		verdicts[i] = d->verdicts[i];
	deliver_free(&d);
}

/* A big message: deliver/ parses and stores it through its spool file (d owns fd). */
static void backend_data_spooled(void *ctx, const char *sender, const char *const *rcpts,
				 guint n_rcpts, int fd, gsize len, struct verdict *verdicts)
{
	struct lmtp_backend_ctx *b = ctx;
	struct deliver_msg *d = deliver_new_spooled(sender, fd, len);
	guint i;

	for (i = 0; i < n_rcpts; i++) {
		struct deliver_rcpt r;
		deliver_rcpt_resolve(b->conf, b->keys, rcpts[i], &r, &verdicts[i]);
		deliver_add_rcpt(d, &r);
	}
	if (deliver_parse(d) == 0)
		deliver_committer_submit(b->committer, d);
	for (i = 0; i < n_rcpts; i++)
		verdicts[i] = d->verdicts[i];
	deliver_free(&d);
}

struct lmtp_backend_ctx *lmtp_backend_ctx_new(const struct conf *conf,
					      const struct token_keys *keys,
					      struct deliver_committer *committer,
					      struct lmtp_backend *backend_r)
{
	struct lmtp_backend_ctx *b = g_new0(struct lmtp_backend_ctx, 1);

	b->conf = conf;
	b->keys = keys;
	b->committer = committer;
	backend_r->ctx = b;
	backend_r->rcpt = backend_rcpt;
	backend_r->data = backend_data;
	backend_r->data_spooled = backend_data_spooled;
	return b;
}

void lmtp_backend_ctx_free(struct lmtp_backend_ctx **b)
{
	g_free(*b);
	*b = NULL;
}
