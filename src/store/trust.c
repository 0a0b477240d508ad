/* trust: the reads threading needs to decide whether an inbound message is verified
 * (doc/security.md): whom our own outbound mail went to, the verdict of a copy already
 * stored, whether a ticket's participant list is over its cap, and the Outlook
 * conversations seen in tickets (the one write here: a conversation seen in a ticket).
 * In the caller's transaction; same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"

#include <string.h>

struct sent_to {
	const char *addr; /* normalised */
	gint64 *ticket_r;
	gboolean found;
};

/* One row of message_out_rcpts: the stored rcpt, then the outbox row's list. */
static void sent_to_row(const struct store_row *st, void *ctx)
{
	struct sent_to *s = ctx;
	const char *rcpt = store_column_text(st, 1);
	const char *list = store_column_text(st, 2);
	gboolean hit = rcpt != NULL && g_ascii_strcasecmp(rcpt, s->addr) == 0;

	if (!hit && list != NULL) {
		char **rcpts = g_strsplit(list, "\n", -1);
		for (guint i = 0; rcpts[i] != NULL && !hit; i++)
			hit = g_ascii_strcasecmp(g_strstrip(rcpts[i]), s->addr) == 0;
		g_strfreev(rcpts);
	}
	if (hit && !s->found) {
		s->found = TRUE;
		*s->ticket_r = store_column_int64(st, 0);
	}
}

int store_message_sent_to(struct store *store, const char *message_id, const char *addr,
			  gint64 *ticket_r, char **error_r)
{
	char *address = util_addr_normalize(addr);
	struct sent_to s = {address, ticket_r, FALSE};
	int ret = store_each(store, STMT_message_out_rcpts, SV_ARGS(SV_T(message_id)), sent_to_row,
			     &s, "find our message's recipients", error_r);

	g_free(address);
	return ret < 0 ? -1 : s.found ? 1 : 0;
}

struct first_in {
	gint64 *ticket_r;
	char **flags_r;
};

static void first_in_row(const struct store_row *st, void *ctx)
{
	struct first_in *f = ctx;

	*f->ticket_r = store_column_int64(st, 0);
	*f->flags_r = store_column_dup(st, 1);
}

int store_message_first_in_flags(struct store *store, const char *message_id, gint64 *ticket_r,
				 char **flags_r, char **error_r)
{
	struct first_in f = {ticket_r, flags_r};
	int ret;

	*flags_r = NULL;
	ret = store_each(store, STMT_message_first_in_flags, SV_ARGS(SV_T(message_id)),
			 first_in_row, &f, "find the first stored copy", error_r);
	if (ret < 0)
		g_clear_pointer(flags_r, g_free);
	return ret < 0 ? -1 : ret > 0 ? 1 : 0;
}

int store_participants_over(struct store *store, gint64 ticket_id, gint64 max, char **error_r)
{
	gint64 one;

	return store_int64(store, STMT_participants_over, SV_ARGS(SV_I(ticket_id), SV_I(max)),
			   "count participants", &one, error_r);
}

int store_conversation_add(struct store *store, const char *conv, gint64 ticket_id,
			   char **error_r)
{
	return store_run(store, STMT_conversation_add, SV_ARGS(SV_T(conv), SV_I(ticket_id)),
			 "record the conversation", error_r);
}

int store_conversation_ticket(struct store *store, const char *conv, const char *addr,
			      gint64 *ticket_r, char **error_r)
{
	char *address = util_addr_normalize(addr);
	int ret = store_int64(store, STMT_conversation_ticket, SV_ARGS(SV_T(conv), SV_T(address)),
			      "find the conversation's ticket", ticket_r, error_r);

	g_free(address);
	return ret;
}
