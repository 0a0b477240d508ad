/* merge: the rows a ticket merge or split moves (migration 10, doc/agents.md). Merging
 * ticket `from` into `into` moves its messages (and so its Message-IDs: threading finds the
 * survivor), events, tags, agents' notice threads, Outlook conversations and survey, and
 * closes `from` with merged_into set; its timed work not yet done is dropped. Participants
 * are the caller's (thread/ applies the participant cap). A split moves message rows to
 * another ticket. Every function is one atomic group inside the caller's transaction;
 * same threading as the connection. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"
#include "store-txn.h"

int store_ticket_merged_into(struct store *store, gint64 id, gint64 *into_r, char **error_r)
{
	gint64 into = 0;
	int ret = store_int64(store, STMT_ticket_merged_into, SV_ARGS(SV_I(id)), "merged into",
			      &into, error_r);

	if (ret < 0)
		return -1;
	*into_r = into;
	return ret == 1 && into != 0 ? 1 : 0;
}

/* The moves of a merge, in the order that keeps every foreign key satisfied. */
static int merge_rows(struct store *store, gint64 from, gint64 into, gint64 now,
		      char **error_r)
{
	struct store_ticket *t = NULL;
	gint64 first_reply = -1;
	int ret;

	if ((ret = store_ticket_get(store, from, &t, error_r)) <= 0)
		return ret < 0 ? -1 : store_fail_other(store, error_r, "merge: no ticket %"
						       G_GINT64_FORMAT, from);
	ret = store_ticket_first_reply(store, from, &first_reply, error_r);
	if (ret >= 0)
		ret = store_run(store, STMT_ticket_add_messages,
				SV_ARGS(SV_I(into), SV_I(t->message_count), SV_I(first_reply),
					SV_I(now)),
				"count merged messages", error_r);
	store_ticket_free(&t);
	if (ret < 0 ||
	    store_run(store, STMT_messages_move,
		      SV_ARGS(SV_I(from), SV_I(into), SV_I(0), SV_I(G_MAXINT64)), "move messages",
		      error_r) < 0 ||
	    store_run(store, STMT_order_refs_move,
		      SV_ARGS(SV_I(from), SV_I(into), SV_I(0), SV_I(G_MAXINT64)),
		      "move order references", error_r) < 0 ||
	    store_run(store, STMT_events_move, SV_ARGS(SV_I(from), SV_I(into)), "move events",
		      error_r) < 0 ||
	    store_run(store, STMT_tags_copy, SV_ARGS(SV_I(from), SV_I(into)), "copy tags",
		      error_r) < 0 ||
	    store_run(store, STMT_tags_drop, SV_ARGS(SV_I(from)), "drop tags", error_r) < 0 ||
	    store_run(store, STMT_participants_drop, SV_ARGS(SV_I(from)), "drop participants",
		      error_r) < 0 ||
	    store_run(store, STMT_agent_threads_copy, SV_ARGS(SV_I(from), SV_I(into)),
		      "copy agent threads", error_r) < 0 ||
	    store_run(store, STMT_agent_threads_drop, SV_ARGS(SV_I(from)), "drop agent threads",
		      error_r) < 0 ||
	    store_run(store, STMT_conversations_copy, SV_ARGS(SV_I(from), SV_I(into)),
		      "copy conversations", error_r) < 0 ||
	    store_run(store, STMT_conversations_drop, SV_ARGS(SV_I(from)), "drop conversations",
		      error_r) < 0 ||
	    store_run(store, STMT_survey_move, SV_ARGS(SV_I(from), SV_I(into)), "move survey",
		      error_r) < 0 ||
	    store_run(store, STMT_schedule_drop_pending, SV_ARGS(SV_I(from)), "drop timed work",
		      error_r) < 0 ||
	    store_run(store, STMT_ticket_merge_repoint, SV_ARGS(SV_I(from), SV_I(into)),
		      "re-point merged tickets", error_r) < 0)
		return -1;
	ret = store_run_changes(store, STMT_ticket_merge_close,
				SV_ARGS(SV_I(from), SV_I(into), SV_I(now)), "close merged ticket",
				error_r);
	if (ret == 0)
		return store_fail_other(store, error_r,
					"ticket %" G_GINT64_FORMAT " is already merged", from);
	return ret < 0 ? -1 : 0;
}

int store_ticket_merge(struct store *store, gint64 from, gint64 into, gint64 now,
		       char **error_r)
{
	int ret;

	if (store_atomic_begin(store, error_r) < 0)
		return -1;
	ret = merge_rows(store, from, into, now, error_r);
	if (store_atomic_end(store, ret == 0, ret == 0 ? error_r : NULL) < 0)
		return -1;
	return ret;
}

int store_messages_move(struct store *store, gint64 from, gint64 into, gint64 first_row,
			gint64 last_row, gint64 now, gint64 *moved_r, char **error_r)
{
	int moved, ret = -1;

	if (store_atomic_begin(store, error_r) < 0)
		return -1;
	moved = store_run_changes(store, STMT_messages_move,
				  SV_ARGS(SV_I(from), SV_I(into), SV_I(first_row), SV_I(last_row)),
				  "move messages", error_r);
	if (moved >= 0 &&
	    store_run(store, STMT_order_refs_move,
		      SV_ARGS(SV_I(from), SV_I(into), SV_I(first_row), SV_I(last_row)),
		      "move order references", error_r) == 0 &&
	    store_run(store, STMT_ticket_add_messages,
		      SV_ARGS(SV_I(from), SV_I(-(gint64)moved), SV_I(-1), SV_I(now)),
		      "count moved messages", error_r) == 0 &&
	    store_run(store, STMT_ticket_add_messages,
		      SV_ARGS(SV_I(into), SV_I(moved), SV_I(-1), SV_I(now)),
		      "count moved messages", error_r) == 0) {
		*moved_r = moved;
		ret = 0;
	}
	if (store_atomic_end(store, ret == 0, ret == 0 ? error_r : NULL) < 0)
		return -1;
	return ret;
}
