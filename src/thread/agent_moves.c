/* agent_moves: the agent commands that move mail between tickets, "#merge N" (fold ticket
 * N into this one) and "#split ROW [rest] [notify]" (message ROW, and with "rest" every
 * later one, to a new ticket linked to this one). thread_agent_run checks them before
 * anything is applied (a refused one holds the whole mail, like a mistyped command), runs
 * the other commands (agent.c), then applies these. The follow-up that other modules do
 * (timed work, the requester's acknowledgement) is the caller's: it reads am->merged_from
 * and am->split_new. Inside the caller's transaction. */
#include "config.h"
#include "postdesk/thread.h"
#include "postdesk/lib.h"

#include <string.h>

/* "ROW[ rest][ notify]" as the parser left it. */
static void moves_split_arg(const char *arg, gint64 *row_r, gboolean *rest_r,
			    gboolean *notify_r)
{
	*row_r = g_ascii_strtoll(arg, NULL, 10);
	*rest_r = strstr(arg, " rest") != NULL;
	*notify_r = strstr(arg, " notify") != NULL;
}

static int moves_check(struct store *store, gint64 ticket, struct thread_agent_mail *am,
		       char **error_r)
{
	guint i, merges = 0, splits = 0;

	for (i = 0; i < am->cmds->len; i++) {
		const struct thread_cmd *c = &g_array_index(am->cmds, struct thread_cmd, i);
		char *why = NULL;
		gint64 row;
		gboolean rest, notify;
		int ret;
		if (c->kind == THREAD_CMD_MERGE) {
			merges++;
			ret = thread_merge_check(store, ticket, g_ascii_strtoll(c->arg, NULL, 10),
						 &why, error_r);
		} else if (c->kind == THREAD_CMD_SPLIT) {
			splits++;
			moves_split_arg(c->arg, &row, &rest, &notify);
			ret = thread_split_check(store, ticket, row, rest, &why, error_r);
		} else {
			continue;
		}
		if (ret < 0)
			return -1;
		if (ret == 1)
			g_ptr_array_add(am->errors, g_strdup_printf("#%s %s: %s",
					c->kind == THREAD_CMD_MERGE ? "merge" : "split", c->arg, why));
		g_free(why);
	}
	/* One of each per mail: a second would be checked against a ticket the first one
	 * changed, and what the agent meant is unclear. */
	if (merges > 1 || splits > 1 || (merges > 0 && splits > 0))
		g_ptr_array_add(am->errors, g_strdup("one #merge or one #split per mail"));
	return 0;
}

static int moves_apply(struct store *store, const struct conf *conf, gint64 ticket,
		       const char *agent, struct thread_agent_mail *am, gint64 now,
		       char **error_r)
{
	guint i;

	for (i = 0; i < am->cmds->len; i++) {
		const struct thread_cmd *c = &g_array_index(am->cmds, struct thread_cmd, i);
		gint64 row, capped;
		gboolean rest;
		if (c->kind == THREAD_CMD_MERGE) {
			am->merged_from = g_ascii_strtoll(c->arg, NULL, 10);
			if (thread_merge(store, conf, ticket, am->merged_from, agent, now, &capped,
					 error_r) < 0)
				return -1;
		} else if (c->kind == THREAD_CMD_SPLIT) {
			moves_split_arg(c->arg, &row, &rest, &am->split_notify);
			if (thread_split(store, ticket, row, rest, agent, now, &am->split_new,
					 error_r) < 0)
				return -1;
		}
	}
	return 0;
}

int thread_agent_run(struct store *store, const struct conf *conf, gint64 ticket_id,
		     const char *agent_email, struct thread_agent_mail *am, gint64 now,
		     char **error_r)
{
	if (moves_check(store, ticket_id, am, error_r) < 0 ||
	    thread_agent_apply(store, ticket_id, agent_email, am, now, error_r) < 0)
		return -1;
	if (am->errors->len > 0)
		return 0;
	return moves_apply(store, conf, ticket_id, agent_email, am, now, error_r);
}
