/* survey: timed work on tickets — satisfaction surveys (CSAT/NPS), first-response reminders,
 * pending reminders, auto-resolve and auto-close. Business hours are conf/'s
 * (conf_business_add), shared with report/.
 *
 * "Schedule follows status" lives here, in survey_sync(): it writes rows of the schedule
 * table in the caller's transaction. survey_tick() runs the rows
 * that are due, each in its own transaction that also marks it done, so a restart loses
 * nothing and nothing runs twice. See doc/surveys.md. No state of its own: any thread may
 * call these with its own store connection. */
#ifndef POSTDESK_SURVEY_H
#define POSTDESK_SURVEY_H

#include <glib.h>

#include "postdesk/conf.h"

struct store;
struct compose_ctx;

/* ---- the schedule follows the ticket ----
 * The one place where "schedule follows status" is decided. Reads the ticket's status, the
 * time of its latest status change (its newest "status" event, else its creation) and
 * whether an agent has answered, and makes the schedule rows match, in the caller's
 * transaction. Idempotent: call it after anything that may have changed a ticket.
 *   new/open  -> frt_warn (80% of first_response_target, business hours) and frt_breach
 *                (the target) while no agent reply went out; survey, pending_* and
 *                resolved_close cancelled (a reopened ticket gets no survey)
 *   pending   -> pending_remind (+pending_remind_after), pending_resolve (+remind+resolve)
 *   resolved  -> survey (+survey_delay), resolved_close (+resolved_close_after)
 *   closed    -> everything still waiting cancelled, except a survey
 * A duration of 0 means never. A row that already ran for the same due time is kept. */
int survey_sync(struct store *store, const struct conf *conf, gint64 ticket_id, gint64 now,
		char **error_r);

/* ---- the runner ----
 * Run every schedule row due at `now`, each in its own transaction (mark done + the work:
 * outbox rows, status changes, events). *done_r (may be NULL) = rows run (skipped ones
 * included). -1 on a store error (the row stays due; nothing half-done is committed). */
int survey_tick(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		gint64 now, guint *done_r, char **error_r);

/* ---- the daily digest per agent (digest.c, doc/agents.md) ----
 * Is the digest of queue q's agents due at now: digest_time set, now's local day (q's
 * timezone) one of q's business days, and the local time at or past digest_time. TRUE with
 * *day_r the local day "YYYY-MM-DD" (g_malloc'ed), else FALSE and NULL. Pure. */
gboolean survey_digest_due(const struct conf *conf, const struct conf_queue *q, gint64 now,
			   char **day_r);
/* Queue today's digest of each agent it is due for and who has not had it (each agent in
 * a transaction of its own that also records (agent, day): exactly once per day, never for
 * a past day). *sent_r = mails queued. -1 if some failed (logged; they are tried again on
 * the next call), the others still done. Nothing when digest_time is unset. */
int survey_digest(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		  gint64 now, guint *sent_r, char **error_r);

/* ---- answers ----
 * Parse a reply's text for a score: the first number in it (0..10) is *score_r, the rest
 * (trimmed) a g_malloc'ed *comment_r. 1 found, 0 no number (comment_r = the whole text). */
int survey_parse_answer(const char *text, int *score_r, char **comment_r);

/* ---- order lookups (lookup.c, orders.c; issue 14, doc/orders.md) ---- */
/* Run command (absolute path and arguments, split without a shell) with ref as one more
 * argument, as `user` when we are root (never as root), stdin /dev/null: 0 with its stdout
 * in *out_r (caller frees); -1 with why ("timed out after N ms", "output over N bytes",
 * "exit status N", ...) when it ran longer than timeout_ms (its process group is killed),
 * printed more than max_output bytes, or did not exit 0. */
int survey_lookup_run(const char *command, const char *ref, const char *user,
		      gint64 timeout_ms, gint64 max_output, char **out_r, char **error_r);
/* The agent notices held for order lookups or for their attachments, oldest first, a
 * batch of 20 with at most max (<= 0: any number) of them asking the shop: each looked up
 * (outside any transaction), then composed and released in a transaction of its own. *done_r (may be NULL) = notices released. -1 on a store error
 * (the rest stay held for the next call). */
int survey_orders_run(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		      gint64 now, int max, guint *done_r, char **error_r);
/* The acknowledgements lmtpd left to notifyd (held_acks, acks.c), oldest first, in
 * batches (each read and parsed outside any transaction, then taken, given its ticket's
 * language and acknowledged in one), until none is left or at least max (0: no bound)
 * were taken. *done_r (may be NULL) = rows taken. -1 on a store error (the rest stay held
 * for the next call). */
int survey_acks_run(struct store *store, struct compose_ctx *ctx, const struct conf *conf,
		    gint64 now, guint max, guint *done_r, char **error_r);

#endif
