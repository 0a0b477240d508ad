/* fetch (store/): the bookkeeping of IMAP/POP3 intake (migration 20, doc/fetch.md): the
 * fetched table, written in the delivery's transaction so that a message is recorded if
 * and only if it is stored, and one mailbox_state row per mailbox for `postdesk mailbox
 * status` and the admin alert. Rows are written in the caller's transaction (or alone);
 * returned strings are the caller's. Same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"

#include <string.h>

int store_fetched_add(struct store *store, const struct store_fetch_key *k, gint64 ticket_id,
		      const char *message_id, const char *state, const char *error,
		      const void *raw, gsize raw_len, gint64 now, char **error_r)
{
	return store_run(store, STMT_fetched_add,
			 SV_ARGS(SV_T(k->mailbox), SV_I(k->uidvalidity), SV_T(k->uid),
				 SV_I(ticket_id), SV_T(message_id), SV_T(state), SV_T(error),
				 SV_X(raw, raw_len), SV_I(now)),
			 "record fetched message", error_r);
}

struct fetched_row {
	char *state;
	gint64 done;
};

static gpointer fetched_from_row(const struct store_row *st)
{
	struct fetched_row *r = g_new0(struct fetched_row, 1);

	r->state = store_column_dup(st, 0);
	r->done = store_column_int64(st, 1);
	return r;
}

int store_fetched_find(struct store *store, const struct store_fetch_key *k, char **state_r,
		       gint64 *done_r, char **error_r)
{
	gpointer row = NULL;
	int ret = store_one(store, STMT_fetched_get,
			    SV_ARGS(SV_T(k->mailbox), SV_I(k->uidvalidity), SV_T(k->uid)),
			    fetched_from_row, "find fetched message", &row, error_r);

	if (ret == 1) {
		struct fetched_row *r = row;
		*state_r = r->state;
		*done_r = r->done;
		g_free(r);
	}
	return ret;
}

int store_fetched_done(struct store *store, const struct store_fetch_key *k, gint64 now,
		       char **error_r)
{
	return store_run(store, STMT_fetched_done,
			 SV_ARGS(SV_T(k->mailbox), SV_I(k->uidvalidity), SV_T(k->uid), SV_I(now)),
			 "mark fetched message done", error_r);
}

int store_mailbox_ok(struct store *store, const char *mailbox, gint64 now, const char *mode,
		     gint64 backlog, gint64 skipped, gint64 fetched, char **error_r)
{
	return store_run(store, STMT_mailbox_ok,
			 SV_ARGS(SV_T(mailbox), SV_I(now), SV_T(mode), SV_I(backlog),
				 SV_I(skipped), SV_I(fetched)),
			 "record mailbox success", error_r);
}

int store_mailbox_fail(struct store *store, const char *mailbox, gint64 now, const char *text,
		       char **error_r)
{
	return store_run(store, STMT_mailbox_fail, SV_ARGS(SV_T(mailbox), SV_I(now), SV_T(text)),
			 "record mailbox failure", error_r);
}

int store_mailbox_alerted(struct store *store, const char *mailbox, gint64 now,
			  char **error_r)
{
	return store_run(store, STMT_mailbox_alerted, SV_ARGS(SV_T(mailbox), SV_I(now)),
			 "record mailbox alert", error_r);
}

static void mailbox_uid_row(const struct store_row *st, void *ctx)
{
	gint64 *r = ctx;

	r[0] = store_column_int64(st, 0);
	r[1] = store_column_int64(st, 1);
}

int store_mailbox_uid_get(struct store *store, const char *mailbox, gint64 *uidvalidity_r,
			  gint64 *uid_r, char **error_r)
{
	gint64 r[2] = {0, 0};

	if (store_each(store, STMT_mailbox_uid_get, SV_ARGS(SV_T(mailbox)), mailbox_uid_row, r,
		       "read where the mailbox's new mail starts", error_r) < 0)
		return -1;
	*uidvalidity_r = r[0];
	*uid_r = r[1];
	return 0;
}

int store_mailbox_uid_set(struct store *store, const char *mailbox, gint64 uidvalidity,
			  gint64 uid, char **error_r)
{
	return store_run(store, STMT_mailbox_uid_set,
			 SV_ARGS(SV_T(mailbox), SV_I(uidvalidity), SV_I(uid)),
			 "record where the mailbox's new mail starts", error_r);
}

static gpointer mailbox_state_from_row(const struct store_row *st)
{
	struct store_mailbox_state *s = g_new0(struct store_mailbox_state, 1);

	s->mode = store_column_dup(st, 0);
	s->last_attempt = store_column_int64(st, 1);
	s->last_success = store_column_int64(st, 2);
	s->last_error = store_column_dup(st, 3);
	s->last_error_at = store_column_int64(st, 4);
	s->failures = store_column_int64(st, 5);
	s->backlog = store_column_int64(st, 6);
	s->skipped = store_column_int64(st, 7);
	s->fetched = store_column_int64(st, 8);
	s->alerted = store_column_int64(st, 9);
	s->failing_since = store_column_int64(st, 10);
	return s;
}

int store_mailbox_state_get(struct store *store, const char *mailbox,
			    struct store_mailbox_state *st, char **error_r)
{
	gpointer row = NULL;
	int ret = store_one(store, STMT_mailbox_state_get, SV_ARGS(SV_T(mailbox)),
			    mailbox_state_from_row, "read mailbox state", &row, error_r);

	memset(st, 0, sizeof(*st));
	if (ret == 1) {
		*st = *(struct store_mailbox_state *)row;
		g_free(row);
	}
	return ret;
}

void store_mailbox_state_clear(struct store_mailbox_state *st)
{
	g_free(st->mode);
	g_free(st->last_error);
	memset(st, 0, sizeof(*st));
}
