/* deliver: one message on its way from an entry point (LMTP, `postdesk deliver`) into
 * the store. Owns the raw bytes, the parsed message and the per-recipient results.
 * Parsing needs no database and runs in the caller's thread; deliver_apply runs in the
 * thread that owns the store connection (the committer, or the CLI). */
#include "config.h"
#include "postdesk/deliver.h"
#include "deliver-private.h"
#include "postdesk/parse.h"

#include <string.h>
#include <unistd.h>

/* Read size when a spooled message is digested. */
#define DELIVER_CHUNK 65536

struct deliver_msg *deliver_new(const char *sender, char *raw, gsize raw_len)
{
	struct deliver_msg *d = g_new0(struct deliver_msg, 1);

	d->sender = util_addr_normalize(sender != NULL ? sender : "");
	d->raw = raw;
	d->raw_len = raw_len;
	d->raw_fd = -1;
	d->stored_fd = -1;
	d->rcpts = g_array_new(FALSE, TRUE, sizeof(struct deliver_rcpt));
	return d;
}

struct deliver_msg *deliver_new_spooled(const char *sender, int fd, gsize raw_len,
					const char *spool_dir)
{
	struct deliver_msg *d = deliver_new(sender, NULL, raw_len);

	d->raw_fd = fd;
	d->spool_dir = g_strdup(spool_dir);
	return d;
}

void deliver_add_rcpt(struct deliver_msg *d, struct deliver_rcpt *r)
{
	g_array_append_val(d->rcpts, *r);
	memset(r, 0, sizeof(*r));
	d->verdicts = g_renew(struct verdict, d->verdicts, d->rcpts->len);
	d->ticket_ids = g_renew(gint64, d->ticket_ids, d->rcpts->len);
	d->ticket_ids[d->rcpts->len - 1] = 0;
	verdict_set(&d->verdicts[d->rcpts->len - 1], VERDICT_TEMPFAIL, 451, "4.3.0",
		    "not processed");
}

void deliver_set_fetch(struct deliver_msg *d, const char *mailbox, gint64 uidvalidity,
		       const char *uid)
{
	d->fetch = g_new0(struct deliver_fetch, 1);
	d->fetch->mailbox = g_strdup(mailbox);
	d->fetch->uidvalidity = uidvalidity;
	d->fetch->uid = g_strdup(uid);
}

void deliver_free(struct deliver_msg **dp)
{
	struct deliver_msg *d = *dp;
	guint i;

	if (d == NULL)
		return;
	for (i = 0; i < d->rcpts->len; i++)
		deliver_rcpt_clear(&g_array_index(d->rcpts, struct deliver_rcpt, i));
	g_array_free(d->rcpts, TRUE);
	parse_msg_free(&d->msg);
	g_free(d->sender);
	g_free(d->raw);
	if (d->raw_fd >= 0)
		close(d->raw_fd); /* a nameless spool file: its space is freed here */
	if (d->stored_fd >= 0)
		close(d->stored_fd);
	if (d->stored != NULL)
		g_bytes_unref(d->stored);
	g_free(d->spool_dir);
	g_free(d->stored_text);
	g_free(d->verdicts);
	g_free(d->ticket_ids);
	if (d->fetch != NULL) {
		g_free(d->fetch->mailbox);
		g_free(d->fetch->uid);
		g_free(d->fetch);
	}
	g_free(d);
	*dp = NULL;
}

static void deliver_set_all(struct deliver_msg *d, const struct verdict *v)
{
	guint i;

	for (i = 0; i < d->rcpts->len; i++)
		d->verdicts[i] = *v;
}

int deliver_parse(struct deliver_msg *d)
{
	struct verdict v;
	char *error = NULL;

	if ((d->raw_fd >= 0 ? parse_message_fd(d->raw_fd, d->raw_len, FALSE, &d->msg, &error)
			    : parse_message(d->raw, d->raw_len, &d->msg, &error)) != 0) {
		verdict_set(&v, VERDICT_PERMFAIL, 554, "5.6.0", "message not readable: %s", error);
		log_warn("refused message from <%s>: %s", d->sender, error);
	} else if (deliver_stored_make(d, &error) < 0) {
		verdict_set(&v, VERDICT_TEMPFAIL, 451, "4.3.0", "message not stored: %s", error);
		log_warn("deferred message from <%s>: %s", d->sender, error);
	} else {
		return 0;
	}
	g_free(error);
	deliver_set_all(d, &v);
	return -1;
}

/* The content digest of d's own bytes, read through the spool file in chunks if spooled. */
static int deliver_digest(const struct deliver_msg *d, char **hex_r, char **error_r)
{
	struct parse_digest *dg;
	char *buf;
	gsize off;

	if (d->raw_fd < 0) {
		*hex_r = parse_content_digest(d->raw, d->raw_len);
		return 0;
	}
	dg = parse_digest_new();
	buf = g_malloc(DELIVER_CHUNK);
	for (off = 0; off < d->raw_len;) {
		gsize n = MIN((gsize)DELIVER_CHUNK, d->raw_len - off);

		if (spool_read_at(d->raw_fd, off, buf, n, error_r) < 0)
			break;
		parse_digest_update(dg, buf, n);
		off += n;
	}
	g_free(buf);
	*hex_r = parse_digest_finish(&dg);
	if (off == d->raw_len)
		return 0;
	g_clear_pointer(hex_r, g_free);
	return -1;
}

static void deliver_digest_chunk(const void *data, gsize len, void *ctx)
{
	parse_digest_update(ctx, data, len);
}

/* Store trouble becomes a 4xx: the MTA keeps the message and retries. */
void deliver_tempfail(struct deliver_msg *d, struct store *store, const char *error)
{
	struct verdict v;

	if (store_last_error(store) == STORE_ERR_FULL)
		verdict_set(&v, VERDICT_TEMPFAIL, 452, "4.3.1",
			    "insufficient storage, try again later");
	else
		verdict_set(&v, VERDICT_TEMPFAIL, 451, "4.3.0",
			    "temporary store failure, try again later");
	log_error("message from <%s> not stored: %s", d->sender, error);
	deliver_set_all(d, &v);
}

/* A different message that reuses a stored Message-ID (broken mailers do this) is not a
 * redelivery: give it an id of its own, derived from its content, so that it is stored --
 * and a redelivery of it is still recognised. "Different" ignores trace fields: the same
 * message resent through another hop is still the same message. */
static int deliver_reused_id(struct deliver_msg *d, struct store *store, char **error_r)
{
	struct parse_digest *dg;
	gint64 row;
	char *ours, *theirs, *id;
	int ret;

	/* Once per message: every recipient then stores it under the same id. Compared with
	 * the first copy stored for any recipient, since the Message-ID rule of threading
	 * looks at all of them. */
	if (d->id_checked)
		return 0;
	ret = store_message_first_in(store, d->msg->message_id, &row, error_r);
	if (ret <= 0)
		return ret < 0 ? -1 : (d->id_checked = TRUE, 0);
	/* both sides in chunks: neither copy is loaded whole */
	dg = parse_digest_new();
	ret = store_message_raw_read(store, row, deliver_digest_chunk, dg, error_r);
	theirs = parse_digest_finish(&dg);
	if (ret <= 0) {
		g_free(theirs);
		return ret < 0 ? -1 : (d->id_checked = TRUE, 0);
	}
	if (deliver_digest(d, &ours, error_r) < 0) {
		g_free(theirs);
		return -1;
	}
	if (strcmp(ours, theirs) != 0) {
		id = g_strdup_printf("%.12s.%s", ours, d->msg->message_id);
		log_info("message from <%s> reuses Message-ID <%s> of another message: "
			 "stored as <%s>", d->sender, d->msg->message_id, id);
		g_free(d->msg->message_id);
		d->msg->message_id = id;
	}
	g_free(ours);
	g_free(theirs);
	d->id_checked = TRUE;
	return 0;
}

static int deliver_dispatch(struct deliver_msg *d, guint i, struct store *store,
			  const struct deliver_env *env, gint64 now, char **error_r)
{
	const struct deliver_rcpt *r = &g_array_index(d->rcpts, struct deliver_rcpt, i);

	gboolean handled = FALSE;
	int ret;

	if (deliver_reused_id(d, store, error_r) < 0)
		return -1;
	/* "status" to a ticket's token: answered, nothing stored (route_status.c). */
	if (deliver_route_status(d, i, store, env, now, &handled, error_r) < 0)
		return -1;
	if (handled)
		return 0;
	/* "solved", or the acknowledgement's "this answered my question" (route_solved.c) */
	ret = deliver_route_solved(d, i, store, env, now, &handled, error_r);
	if (ret < 0 || handled)
		return ret;
	if (!r->has_token || r->token.role == TOKEN_CUSTOMER)
		return deliver_route_customer(d, i, store, env, now, error_r);
	if (r->token.role == TOKEN_BOUNCE)
		return deliver_route_bounce(d, i, store, env, now, error_r);
	if (r->token.role == TOKEN_COMMAND)
		return deliver_route_command(d, i, store, env, now, error_r); /* #search, #mine */
	if (r->token.role == TOKEN_SURVEY || r->token.role == TOKEN_OPTOUT)
		return deliver_route_survey(d, i, store, env, now, error_r); /* survey answers, opt-out */
	return deliver_route_agent(d, i, store, env, now, error_r);
}

/* One recipient in its own savepoint, so a permanent refusal undoes only its own work. */
static int deliver_apply_one(struct deliver_msg *d, guint i, struct store *store,
			      const struct deliver_env *env, gint64 now)
{
	char *error = NULL;
	int ret;

	if (store_savepoint(store, &error) < 0 ||
	    (ret = deliver_dispatch(d, i, store, env, now, &error)) < 0) {
		deliver_tempfail(d, store, error);
		g_free(error);
		return -1;
	}
	g_free(error);
	error = NULL;
	if (ret == 1)
		store_rollback_to(store);
	if (store_release(store, &error) < 0) {
		deliver_tempfail(d, store, error);
		g_free(error);
		return -1;
	}
	return 0;
}

/* The fetch record of a fetched message, in the same transaction as what it records: a
 * message refused for good keeps its bytes there (it is never fetched again, and never
 * lost); a temporary failure records nothing, so the next poll fetches it again. */
static int deliver_fetch_record(struct deliver_msg *d, struct store *store, gint64 now)
{
	const struct verdict *v = &d->verdicts[0];
	struct store_fetch_key k;
	char *error = NULL;
	int ret;

	if (d->fetch == NULL || d->rcpts->len == 0 || v->status == VERDICT_TEMPFAIL)
		return 0;
	k = (struct store_fetch_key){d->fetch->mailbox, d->fetch->uidvalidity, d->fetch->uid};
	if (v->status == VERDICT_OK)
		ret = store_fetched_add(store, &k, d->ticket_ids[0],
					d->msg != NULL ? d->msg->message_id : NULL, "stored", NULL,
					NULL, 0, now, &error);
	else {
		char *why = g_strdup_printf("%d %s %s", v->smtp, v->enh, v->text);
		ret = store_fetched_add(store, &k, 0, NULL, "refused", why,
					d->raw != NULL ? d->raw : "", d->raw != NULL ? d->raw_len : 0,
					now, &error);
		g_free(why);
	}
	if (ret < 0) {
		deliver_tempfail(d, store, error);
		g_free(error);
	}
	return ret;
}

int deliver_apply(struct deliver_msg *d, struct store *store, const struct deliver_env *env,
		   gint64 now)
{
	guint i;

	if (d->msg == NULL) /* refused at parse time: verdicts already permanent */
		return deliver_fetch_record(d, store, now);
	if (d->fetch != NULL && d->msg->return_path != NULL) {
		/* fetched mail: the envelope sender is what the mailbox's MTA wrote */
		char *rp = g_strstrip(g_strdelimit(g_strdup(d->msg->return_path), "<>", ' '));
		g_free(d->sender);
		d->sender = util_addr_normalize(rp);
		g_free(rp);
	}
	for (i = 0; i < d->rcpts->len; i++) {
		if (deliver_apply_one(d, i, store, env, now) < 0)
			return -1;
	}
	return deliver_fetch_record(d, store, now);
}

void deliver_run(struct deliver_msg *d, struct store *store, const struct deliver_env *env)
{
	char *error = NULL;

	if (store_begin(store, &error) < 0) {
		deliver_tempfail(d, store, error);
		g_free(error);
		return;
	}
	if (deliver_apply(d, store, env, clock_now()) < 0) {
		store_rollback(store);
		return;
	}
	if (store_commit(store, &error) < 0) {
		deliver_tempfail(d, store, error);
		g_free(error);
		store_rollback(store);
	}
}
