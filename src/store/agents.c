/* agents: the people who answer tickets — add (upsert by lower-case email), remove (which
 * unassigns their tickets in the same unit of work), get and list by queue. Returned structs
 * are owned by the caller; same threading as the connection. Also the daily digest's
 * rows: who gets one, the opt-out, and the (agent, day) claim that makes it run once. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"
#include "store-txn.h"

int store_agent_add(struct store *store, const char *email, const char *name, const char *queue,
		    gint64 now, char **error_r)
{
	char *addr;
	int ret;

	if (email == NULL || *email == '\0')
		return store_fail_other(store, error_r, "add agent: empty address");
	addr = util_addr_normalize(email);
	ret = store_run(store, STMT_agent_upsert,
			SV_ARGS(SV_T(addr), SV_T(name), SV_T(queue), SV_I(now)), "add agent",
			error_r);
	g_free(addr);
	return ret;
}

/* Run statement id on one address; *changed_r: rows it changed. */
static int run_by_email(struct store *store, enum store_stmt id, const char *addr, const char *op,
			int *changed_r, char **error_r)
{
	int changed = store_run_changes(store, id, SV_ARGS(SV_T(addr)), op, error_r);

	if (changed < 0)
		return -1;
	*changed_r = changed;
	return 0;
}

/* The delete and the unassign go together or not at all, also when the caller holds no
 * transaction: a removed agent must not keep tickets nobody will see. */
int store_agent_remove(struct store *store, const char *email, char **error_r)
{
	char *addr = util_addr_normalize(email != NULL ? email : "");
	int removed = 0, unassigned = 0, ret;

	if (store_atomic_begin(store, error_r) < 0) {
		g_free(addr);
		return -1;
	}
	ret = run_by_email(store, STMT_agent_delete, addr, "remove agent", &removed, error_r);
	if (ret == 0 && removed > 0)
		ret = run_by_email(store, STMT_agent_unassign, addr, "unassign agent", &unassigned,
				   error_r);
	if (store_atomic_end(store, ret == 0, ret == 0 ? error_r : NULL) < 0)
		ret = -1;
	g_free(addr);
	return ret < 0 ? -1 : removed > 0 ? 1 : 0;
}

void store_agent_free(struct store_agent **ap)
{
	struct store_agent *a = *ap;

	if (a == NULL)
		return;
	*ap = NULL;
	g_free(a->email);
	g_free(a->name);
	g_free(a->queue);
	g_free(a);
}

static void agent_free_ptr(gpointer p)
{
	struct store_agent *a = p;

	store_agent_free(&a);
}

/* Column order of the agent_get / agent_list statements. */
static gpointer agent_from_row(const struct store_row *st)
{
	struct store_agent *a = g_new0(struct store_agent, 1);

	a->id = store_column_int64(st, 0);
	a->email = store_column_dup(st, 1);
	a->name = store_column_dup(st, 2);
	a->queue = store_column_dup(st, 3); /* NULL stays NULL: every queue */
	a->created = store_column_int64(st, 4);
	return a;
}

int store_agent_get(struct store *store, const char *email, struct store_agent **a_r,
		    char **error_r)
{
	char *addr = util_addr_normalize(email != NULL ? email : "");
	gpointer a = NULL;
	int ret = store_one(store, STMT_agent_get, SV_ARGS(SV_T(addr)), agent_from_row,
			    "read agent", &a, error_r);

	*a_r = a;
	g_free(addr);
	return ret;
}

int store_agent_list(struct store *store, const char *queue, GPtrArray **list_r, char **error_r)
{
	return store_rows(store, STMT_agent_list, SV_ARGS(SV_T(queue)), agent_from_row,
			  agent_free_ptr, "list agents", list_r, error_r);
}

/* ---- the daily digest (migration 15) ---- */

int store_agent_digest_list(struct store *store, GPtrArray **list_r, char **error_r)
{
	return store_rows(store, STMT_agent_digest_list, SV_NONE, agent_from_row, agent_free_ptr,
			  "list agents for the digest", list_r, error_r);
}

int store_agent_set_digest(struct store *store, const char *email, gboolean on, char **error_r)
{
	char *addr = util_addr_normalize(email != NULL ? email : "");
	int changed = store_run_changes(store, STMT_agent_digest_set,
					SV_ARGS(SV_T(addr), SV_B(on)), "set agent digest", error_r);

	g_free(addr);
	return changed < 0 ? -1 : changed > 0 ? 1 : 0;
}

int store_agent_digest_done(struct store *store, gint64 agent_id, const char *day,
			    char **error_r)
{
	gint64 one = 0;

	return store_int64(store, STMT_agent_digest_done, SV_ARGS(SV_I(agent_id), SV_T(day)),
			   "read agent digest", &one, error_r);
}

int store_agent_digest_claim(struct store *store, gint64 agent_id, const char *day, gint64 now,
			     char **error_r)
{
	int changed = store_run_changes(store, STMT_agent_digest_claim,
					SV_ARGS(SV_I(agent_id), SV_T(day), SV_I(now)),
					"claim agent digest", error_r);

	return changed < 0 ? -1 : changed > 0 ? 1 : 0;
}

int store_agent_digest_listed(struct store *store, gint64 agent_id, const char *day,
			      gint64 listed, char **error_r)
{
	return store_run(store, STMT_agent_digest_listed,
			 SV_ARGS(SV_I(agent_id), SV_T(day), SV_I(listed)), "record agent digest",
			 error_r);
}
