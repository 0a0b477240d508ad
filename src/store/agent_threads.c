/* agent_threads: the thread of a ticket's mail to one agent address (migration 8), so that
 * compose can give each notice In-Reply-To the previous one and References the first and
 * the last few: agents' clients (Gmail, Outlook, Apple Mail, Thunderbird) then show one
 * conversation per ticket. One row per (ticket, address), read and written by its primary
 * key: the cost stays flat however many notices a ticket has had. Returned strings are the
 * caller's; same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"

#include <string.h>

struct thread_row {
	char *first;
	char *recent;
};

static gpointer thread_from_row(const struct store_row *st)
{
	struct thread_row *r = g_new0(struct thread_row, 1);

	r->first = store_column_dup(st, 0);
	r->recent = store_column_dup(st, 1);
	return r;
}

static void thread_row_free(struct thread_row *r)
{
	g_free(r->first);
	g_free(r->recent);
	g_free(r);
}

/* The row of (ticket, normalized addr): 1 with *row_r, 0 none, -1 error. */
static int thread_read(struct store *store, gint64 ticket_id, const char *addr,
		       struct thread_row **row_r, char **error_r)
{
	gpointer row = NULL;
	int ret = store_one(store, STMT_agent_thread_get, SV_ARGS(SV_I(ticket_id), SV_T(addr)),
			    thread_from_row, "read agent thread", &row, error_r);

	*row_r = row;
	return ret;
}

int store_agent_thread_get(struct store *store, gint64 ticket_id, const char *addr,
			   char **first_r, char ***recent_r, char **error_r)
{
	char *address = util_addr_normalize(addr != NULL ? addr : "");
	struct thread_row *r = NULL;
	int ret = thread_read(store, ticket_id, address, &r, error_r);

	*first_r = NULL;
	*recent_r = NULL;
	if (ret == 1) {
		*first_r = g_steal_pointer(&r->first);
		*recent_r = g_strsplit(r->recent, " ", -1);
		thread_row_free(r);
	}
	g_free(address);
	return ret;
}

int store_agent_thread_add(struct store *store, gint64 ticket_id, const char *addr,
			   const char *message_id, char **error_r)
{
	char *address, *recent;
	struct thread_row *r = NULL;
	int ret;

	if (addr == NULL || *addr == '\0' || message_id == NULL || *message_id == '\0' ||
	    strchr(message_id, ' ') != NULL)
		return store_fail_other(store, error_r, "agent thread: empty address or bad id");
	address = util_addr_normalize(addr);
	ret = thread_read(store, ticket_id, address, &r, error_r);
	if (ret < 0) {
		g_free(address);
		return -1;
	}
	if (ret == 0) {
		recent = g_strdup(message_id);
	} else {
		/* the last STORE_AGENT_THREAD_RECENT - 1 kept, then the new one */
		char **ids = g_strsplit(r->recent, " ", -1);
		guint n = g_strv_length(ids), from = 0;
		char *kept;

		if (n >= STORE_AGENT_THREAD_RECENT)
			from = n - (STORE_AGENT_THREAD_RECENT - 1);
		kept = g_strjoinv(" ", ids + from);
		recent = *kept != '\0' ? g_strdup_printf("%s %s", kept, message_id)
				       : g_strdup(message_id);
		g_free(kept);
		g_strfreev(ids);
	}
	ret = store_run(store, STMT_agent_thread_set,
			SV_ARGS(SV_I(ticket_id), SV_T(address),
				SV_T(r != NULL ? r->first : message_id), SV_T(recent)),
			"record agent thread", error_r);
	if (r != NULL)
		thread_row_free(r);
	g_free(recent);
	g_free(address);
	return ret;
}
