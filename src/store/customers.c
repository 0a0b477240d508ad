/* customers: reading a customer (with the number of tickets they requested), the bounced
 * flag that stops automatic mail to a dead address, their earlier subjects for an agent's
 * context, and the automatic-reply log behind the per-address rate limit (RFC 3834).
 * Addresses are compared lower-case. Returned structs are owned by the caller; same
 * threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"

void store_customer_free(struct store_customer **cp)
{
	struct store_customer *c = *cp;

	if (c == NULL)
		return;
	*cp = NULL;
	g_free(c->email);
	g_free(c->name);
	g_free(c);
}

static gpointer customer_from_row(const struct store_row *st)
{
	struct store_customer *c = g_new0(struct store_customer, 1);

	c->id = store_column_int64(st, 0);
	c->email = store_column_dup(st, 1);
	c->name = store_column_dup(st, 2);
	c->bounced = store_column_int(st, 3) != 0;
	c->survey_optout = store_column_int(st, 4) != 0;
	c->ticket_count = store_column_int64(st, 5);
	c->csat_sum = store_column_int64(st, 6);
	c->csat_count = store_column_int64(st, 7);
	c->csat_last = store_column_null(st, 8) ? -1 : store_column_int(st, 8);
	return c;
}

int store_customer_get(struct store *store, const char *email, struct store_customer **c_r,
		       char **error_r)
{
	char *addr = util_addr_normalize(email != NULL ? email : "");
	gpointer c = NULL;
	int ret = store_one(store, STMT_customer_get, SV_ARGS(SV_T(addr)), customer_from_row,
			    "read customer", &c, error_r);

	*c_r = c;
	g_free(addr);
	return ret;
}

/* An address that is no customer (a bounce of mail to an agent, say) is left alone: 0. */
int store_customer_set_bounced(struct store *store, const char *email, gboolean bounced,
			       char **error_r)
{
	char *addr = util_addr_normalize(email != NULL ? email : "");
	int ret =
	    store_run(store, STMT_customer_set_bounced, SV_ARGS(SV_T(addr), SV_I(bounced ? 1 : 0)),
		      "set customer bounced", error_r);

	g_free(addr);
	return ret;
}

/* limit <= 0: all of them. */
int store_customer_recent_subjects(struct store *store, gint64 customer_id, gint64 except_ticket,
				   int limit, char ***subjects_r, char **error_r)
{
	return store_strv(store, STMT_customer_recent_subjects,
			  SV_ARGS(SV_I(customer_id), SV_I(except_ticket), SV_I(limit)),
			  "list recent subjects", subjects_r, error_r);
}

static gpointer recent_ticket_from_row(const struct store_row *st)
{
	struct store_ticket *t = g_new0(struct store_ticket, 1);

	t->id = store_column_int64(st, 0);
	t->status = store_column_dup(st, 1);
	t->subject = store_column_dup(st, 2);
	return t;
}

static void recent_ticket_free(gpointer p)
{
	struct store_ticket *t = p;

	store_ticket_free(&t);
}

int store_customer_recent_tickets(struct store *store, gint64 customer_id, gint64 except_ticket,
				  int limit, GPtrArray **list_r, char **error_r)
{
	*list_r = NULL;
	return store_rows(store, STMT_customer_recent_tickets,
			  SV_ARGS(SV_I(customer_id), SV_I(except_ticket), SV_I(limit)),
			  recent_ticket_from_row, recent_ticket_free, "list recent tickets", list_r,
			  error_r);
}

/* ---- automatic-reply log ---- */

/* `since` is inclusive: a mail sent at exactly `since` is inside the window. */
int store_autoreply_count(struct store *store, const char *addr, gint64 ticket_id, gint64 since,
			  gint64 *count_r, char **error_r)
{
	char *address = util_addr_normalize(addr != NULL ? addr : "");
	int ret;

	*count_r = 0;
	ret = store_int64(store, STMT_autoreply_count,
			  SV_ARGS(SV_T(address), SV_I(ticket_id), SV_I(since)), "count autoreplies",
			  count_r, error_r);
	g_free(address);
	return ret < 0 ? -1 : 0;
}

int store_autoreply_add(struct store *store, const char *addr, gint64 ticket_id, gint64 now,
			char **error_r)
{
	char *address;
	int ret;

	if (addr == NULL || *addr == '\0')
		return store_fail_other(store, error_r, "log autoreply: empty address");
	address = util_addr_normalize(addr);
	ret =
	    store_run(store, STMT_autoreply_add, SV_ARGS(SV_T(address), SV_I(ticket_id), SV_I(now)),
		      "log autoreply", error_r);
	g_free(address);
	return ret;
}
