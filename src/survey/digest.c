/* digest: the daily digest per agent (doc/agents.md "The daily digest"). From digest_time
 * on each business day of the agent's queue (its timezone and business_hours; an agent of
 * every queue follows the first queue), each agent who has not opted out gets one mail
 * with their new, open and pending tickets and their queue's overdue ones (the #mine and
 * #overdue lists of the command address). Exactly once per agent and local day: the
 * (agent, day) row of agent_digests is inserted in the transaction that queues the mail,
 * so a restart, a second tick or a second notifyd finds it and does nothing; only today
 * counts, so a day notifyd was down is never sent later. Nothing to tell: the row is
 * written, no mail goes. Called by survey_tick(); the caller's thread and connection. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/store.h"
#include "postdesk/survey.h"

gboolean survey_digest_due(const struct conf *conf, const struct conf_queue *q, gint64 now,
			   char **day_r)
{
	int at = conf_digest_minute(conf), minute = 0;
	char *day = NULL;
	gboolean due;

	*day_r = NULL;
	if (at < 0 || q == NULL)
		return FALSE;
	due = conf_local_day(q, now, &day, &minute) && minute >= at;
	if (due)
		*day_r = day;
	else
		g_free(day);
	return due;
}

/* One agent's digest of day, in one transaction: claim, lists, mail, count. 1 sent, 0 not
 * (already done, or nothing to tell), -1 error (rolled back: tried again next tick). */
static int digest_one(struct store *store, struct compose_ctx *ctx,
		      const struct store_agent *a, const char *day, gint64 now, char **error_r)
{
	GString *text = NULL;
	guint listed = 0;
	char *subject;
	int ret;

	/* notifyd calls this every second: most calls end at this read, without a lock. */
	if ((ret = store_agent_digest_done(store, a->id, day, error_r)) != 0)
		return ret < 0 ? -1 : 0;
	if (store_begin(store, error_r) < 0)
		return -1;
	if ((ret = store_agent_digest_claim(store, a->id, day, now, error_r)) <= 0) {
		store_rollback(store);
		return ret;
	}
	text = g_string_new(NULL);
	ret = compose_digest_lists(ctx, store, a, now, text, &listed, error_r);
	subject = g_strdup_printf("Your tickets on %s: %u", day, listed);
	if (ret == 0 && listed > 0)
		ret = compose_queue_agent_mail(ctx, store, a, "digest", subject, text->str, NULL,
					       now, error_r);
	if (ret == 0)
		ret = store_agent_digest_listed(store, a->id, day, listed, error_r);
	if (ret == 0)
		ret = store_commit(store, error_r);
	if (ret < 0)
		store_rollback(store);
	else
		log_info("digest %s for %s: %u ticket(s)%s", day, a->email, listed,
			 listed > 0 ? "" : ", nothing to tell: no mail");
	g_free(subject);
	g_string_free(text, TRUE);
	return ret < 0 ? -1 : listed > 0 ? 1 : 0;
}

int survey_digest(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		  gint64 now, guint *sent_r, char **error_r)
{
	GPtrArray *agents = NULL;
	guint failed = 0;

	*sent_r = 0;
	if (conf_digest_minute(conf) < 0)
		return 0;
	if (store_agent_digest_list(store, &agents, error_r) < 0)
		return -1;
	for (guint i = 0; i < agents->len; i++) {
		const struct store_agent *a = g_ptr_array_index(agents, i);
		const struct conf_queue *q =
		    a->queue != NULL ? conf_queue_by_name(conf, a->queue) : NULL;
		char *day = NULL, *error = NULL;
		int ret;

		if (q == NULL)
			q = g_ptr_array_index(conf->queues, 0);
		if (!survey_digest_due(conf, q, now, &day))
			continue;
		/* One agent's failure must not keep the others from their digest. */
		if ((ret = digest_one(store, ctx, a, day, now, &error)) < 0) {
			log_warn("digest %s for %s failed, tried again later: %s", day, a->email,
				 error);
			g_free(error);
			failed++;
		} else if (ret == 1)
			(*sent_r)++;
		g_free(day);
	}
	g_ptr_array_unref(agents);
	if (failed > 0)
		return util_error(error_r, "%u digest(s) failed (logged)", failed);
	return 0;
}
