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

static struct store_customer *customer_from_row(sqlite3_stmt *st)
{
	struct store_customer *c = g_new0(struct store_customer, 1);

	c->id = sqlite3_column_int64(st, 0);
	c->email = store_column_dup(st, 1);
	c->name = store_column_dup(st, 2);
	c->bounced = sqlite3_column_int(st, 3) != 0;
	c->survey_optout = sqlite3_column_int(st, 4) != 0;
	c->ticket_count = sqlite3_column_int64(st, 5);
	return c;
}

int store_customer_get(struct store *store, const char *email, struct store_customer **c_r,
		       char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_customer_get);
	char *addr = util_addr_normalize(email != NULL ? email : "");
	int rc, ret = 0;

	*c_r = NULL;
	if (store_bind_text(st, 1, addr) != SQLITE_OK) {
		ret = store_fail(store, "bind customer", error_r);
	} else if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*c_r = customer_from_row(st);
		ret = 1;
	} else if (rc != SQLITE_DONE) {
		ret = store_fail(store, "read customer", error_r);
	}
	store_stmt_done(st);
	g_free(addr);
	return ret;
}

/* An address that is no customer (a bounce of mail to an agent, say) is left alone: 0. */
int store_customer_set_bounced(struct store *store, const char *email, gboolean bounced,
			       char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_customer_set_bounced);
	char *addr = util_addr_normalize(email != NULL ? email : "");
	int ret;

	if (store_bind_text(st, 1, addr) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, bounced ? 1 : 0) != SQLITE_OK) {
		ret = store_fail(store, "bind customer bounced", error_r);
		store_stmt_done(st);
	} else {
		ret = store_stmt_run(store, st, "set customer bounced", error_r);
	}
	g_free(addr);
	return ret;
}

/* limit <= 0: all of them. */
int store_customer_recent_subjects(struct store *store, gint64 customer_id, gint64 except_ticket,
				   int limit, char ***subjects_r, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_customer_recent_subjects);

	*subjects_r = NULL;
	if (sqlite3_bind_int64(st, 1, customer_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, except_ticket) != SQLITE_OK ||
	    sqlite3_bind_int(st, 3, limit > 0 ? limit : -1) != SQLITE_OK) {
		store_fail(store, "bind recent subjects", error_r);
		store_stmt_done(st);
		return -1;
	}
	return store_stmt_strv(store, st, "list recent subjects", subjects_r, error_r);
}

/* ---- automatic-reply log ---- */

/* `since` is inclusive: a mail sent at exactly `since` is inside the window. */
int store_autoreply_count(struct store *store, const char *addr, gint64 ticket_id, gint64 since,
			  gint64 *count_r, char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_autoreply_count);
	char *address = util_addr_normalize(addr != NULL ? addr : "");
	int ret;

	*count_r = 0;
	if (store_bind_text(st, 1, address) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, ticket_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, since) != SQLITE_OK) {
		ret = store_fail(store, "bind autoreply count", error_r);
		store_stmt_done(st);
	} else {
		ret = store_stmt_int64(store, st, "count autoreplies", count_r, error_r);
	}
	g_free(address);
	return ret < 0 ? -1 : 0;
}

int store_autoreply_add(struct store *store, const char *addr, gint64 ticket_id, gint64 now,
			char **error_r)
{
	sqlite3_stmt *st = store_stmt(store, STMT_autoreply_add);
	char *address;
	int ret;

	if (addr == NULL || *addr == '\0')
		return store_fail_other(store, error_r, "log autoreply: empty address");
	address = util_addr_normalize(addr);
	if (store_bind_text(st, 1, address) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, ticket_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, now) != SQLITE_OK) {
		ret = store_fail(store, "bind autoreply", error_r);
		store_stmt_done(st);
	} else {
		ret = store_stmt_run(store, st, "log autoreply", error_r);
	}
	g_free(address);
	return ret;
}
