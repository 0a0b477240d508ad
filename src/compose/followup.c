/* followup: the timed mails — the satisfaction survey, the pending-ticket reminder to
 * the customer and the first-response reminder/escalation to agents. Like the other
 * compose files, each writes its outbox row in the caller's transaction (survey_tick()'s,
 * which also marks the schedule row done). Whether a mail may go at all (loop rules,
 * bounced or opted-out address) is decided by survey/, not here. No state: any thread. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/token.h"

#include <string.h>

#include "compose-private.h"

/* mailto:ADDR?subject=... with the subject percent-encoded (RFC 6068). */
static char *survey_mailto(const struct compose_ctx *ctx, const struct conf_queue *q,
			   gint64 ticket, enum token_role role, int score, const char *subject)
{
	struct token tok = {.id = ticket, .role = role, .score = score};
	char *addr = NULL, *enc, *url;

	if (token_address(ctx->keys, q->local, ctx->conf->domain, &tok, &addr, NULL) < 0)
		g_error("cannot make a survey address for %s", q->local);
	enc = g_uri_escape_string(subject, NULL, FALSE);
	url = g_strdup_printf("mailto:%s?subject=%s", addr, enc);
	g_free(addr);
	g_free(enc);
	return url;
}

/* One question's links, highest score first: "  <n> (<label>): mailto:..." (labels NULL:
 * no label), each with the subject "<NAME> <n> [#ticket]" the survey route reads. */
static void survey_question_links(GString *s, const struct compose_ctx *ctx,
				  const struct conf_queue *q, gint64 ticket, const char *name,
				  const char *heading, int lo, int hi, const char *const *labels)
{
	g_string_append_printf(s, "%s%s\n", s->len > 0 ? "\n" : "", heading);
	for (int score = hi; score >= lo; score--) {
		char *subj = g_strdup_printf("%s %d [#%" G_GINT64_FORMAT "]", name, score, ticket);
		char *url = survey_mailto(ctx, q, ticket, TOKEN_SURVEY, score, subj);
		if (labels != NULL)
			g_string_append_printf(s, "  %d (%s): %s\n", score, labels[score], url);
		else
			g_string_append_printf(s, "  %2d: %s\n", score, url);
		g_free(url);
		g_free(subj);
	}
}

/* The {{survey.links}} block: the questions of survey_questions in their order (CSAT 1..5,
 * NPS 0..10, CES 1..7), in the words of lang (the mailto subjects stay as they are: the
 * survey route reads them). Answering by mail (a bare number) is offered when CSAT is
 * asked: the sentence names 1..5. */
static char *survey_links(const struct compose_ctx *ctx, const struct conf_queue *q,
			  gint64 ticket, const char *lang)
{
	const struct compose_lang_words *w = compose_lang_words(lang);
	guint ask[CONF_SURVEY_QUESTIONS], n = conf_survey_questions(ctx->conf, ask);
	GString *s = g_string_new(NULL);
	gboolean csat = FALSE;

	for (guint i = 0; i < n; i++) {
		switch ((enum conf_survey_question)ask[i]) {
		case CONF_SURVEY_CSAT:
			csat = TRUE;
			survey_question_links(s, ctx, q, ticket, "CSAT", w->survey_csat, 1, 5,
					      w->survey_csat_labels);
			break;
		case CONF_SURVEY_NPS:
			survey_question_links(s, ctx, q, ticket, "NPS", w->survey_nps, 0, 10, NULL);
			break;
		case CONF_SURVEY_CES:
		default:
			survey_question_links(s, ctx, q, ticket, "CES", w->survey_ces, 1, 7,
					      w->survey_ces_labels);
			break;
		}
	}
	if (csat)
		g_string_append_printf(s, "\n%s", w->survey_reply);
	else if (s->len > 0)
		g_string_truncate(s, s->len - 1); /* the block ends without a line break */
	return g_string_free(s, FALSE);
}

/* The List-Unsubscribe value: the mailto URL, and first (preferred by mailbox providers)
 * the site's https URL with the opt-out address, percent-encoded, in place of {token}. */
static char *survey_list_unsubscribe(const struct conf *conf, const char *optout,
				     const char *mailto)
{
	const char *tok;
	char *escaped, *https;

	if (conf->unsubscribe_url == NULL)
		return g_strdup_printf("<%s>", mailto);
	tok = strstr(conf->unsubscribe_url, CONF_UNSUBSCRIBE_TOKEN); /* checked at load */
	escaped = g_uri_escape_string(optout, NULL, FALSE);
	https = g_strdup_printf("<%.*s%s%s>, <%s>", (int)(tok - conf->unsubscribe_url),
				conf->unsubscribe_url, escaped,
				tok + strlen(CONF_UNSUBSCRIBE_TOKEN), mailto);
	g_free(escaped);
	return https;
}

/* Queue job as automatic mail from queue q to t's requester, replies to reply_addr, stored
 * as store_kind; the requester's automatic-mail count goes up in the same transaction. */
static int survey_queue_to_requester(struct compose_ctx *ctx, struct store *store,
				     struct compose_job *job, const struct store_ticket *t,
				     const struct conf_queue *q, const char *reply_addr,
				     const char *store_kind, gint64 now, char **error_r)
{
	struct parse_out_addr to = {t->requester_name, t->requester};
	struct parse_out_addr reply = {q->display, reply_addr};
	int ret;

	g_ptr_array_add(job->rcpts, g_strdup(t->requester));
	job->mail.from_name = q->display;
	job->mail.from_addr = q->address;
	job->mail.to = &to;
	job->mail.n_to = 1;
	job->mail.reply_to = &reply;
	job->mail.auto_submitted = "auto-generated";
	job->store_kind = store_kind;
	ret = compose_job_queue(ctx, store, job, now, error_r);
	if (ret == 0)
		ret = store_autoreply_add(store, t->requester, t->id, now, error_r);
	return ret;
}

int compose_queue_survey(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			gint64 now, char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	struct compose_job job;
	char *reply_addr, *optout, *optout_url, *list_unsub, *links;
	struct token tok = {.id = ticket_id, .role = TOKEN_SURVEY, .score = 0};
	struct parse_out_header extra[2];
	int ret;

	if (compose_ticket(ctx, store, ticket_id, &t, &q, error_r) < 0)
		return -1;
	/* Reply-To the s0 token: a reply lands on the survey route, which reads the number in
	 * the text (and never reopens the ticket). */
	if (token_address(ctx->keys, q->local, ctx->conf->domain, &tok, &reply_addr, NULL) < 0)
		g_error("cannot make a survey address for %s", q->local);
	optout = compose_token(ctx, q, ticket_id, TOKEN_OPTOUT);
	optout_url = g_strdup_printf("mailto:%s?subject=unsubscribe", optout);
	list_unsub = survey_list_unsubscribe(ctx->conf, optout, optout_url);
	compose_job_init(&job, COMPOSE_SURVEY, "survey", ticket_id, ctx);
	compose_vars_ticket(job.vars, t, q);
	compose_job_lang(&job, t, q);
	links = survey_links(ctx, q, ticket_id, lang_code(job.lang));
	compose_var(job.vars, "survey.links", links);
	compose_var(job.vars, "survey.optout", optout_url);
	/* RFC 2369 List-Unsubscribe; RFC 8058 one-click (List-Unsubscribe-Post) only with an
	 * https URL in it, i.e. when the site runs contrib/unsubscribe.cgi (doc/surveys.md). */
	extra[0] = (struct parse_out_header){"List-Unsubscribe", list_unsub};
	extra[1] = (struct parse_out_header){"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"};
	job.mail.headers = extra;
	job.mail.n_headers = ctx->conf->unsubscribe_url != NULL ? 2 : 1;
	ret = survey_queue_to_requester(ctx, store, &job, t, q, reply_addr, "survey", now,
					error_r);
	compose_job_clear(&job);
	g_free(links);
	g_free(list_unsub);
	g_free(optout_url);
	g_free(optout);
	g_free(reply_addr);
	store_ticket_free(&t);
	return ret;
}

int compose_queue_pending_reminder(struct compose_ctx *ctx, struct store *store,
				  gint64 ticket_id, gint64 now, char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	struct compose_job job;
	char *reply_to;
	int ret;

	if (compose_ticket(ctx, store, ticket_id, &t, &q, error_r) < 0)
		return -1;
	compose_job_init(&job, COMPOSE_PENDING_REMINDER, "reminder", ticket_id, ctx);
	compose_vars_ticket(job.vars, t, q);
	compose_job_lang(&job, t, q);
	compose_var_date(&job, t->updated, q);
	reply_to = compose_token(ctx, q, ticket_id, TOKEN_CUSTOMER);
	ret = survey_queue_to_requester(ctx, store, &job, t, q, reply_to, "auto", now, error_r);
	compose_job_clear(&job);
	g_free(reply_to);
	store_ticket_free(&t);
	return ret;
}

int compose_queue_frt_reminder(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			      gboolean breach, gint64 due, gint64 now, gboolean *queued_r,
			      char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	struct compose_job job;
	char *when, *reason;
	int ret = -1;

	*queued_r = FALSE;
	if (compose_ticket(ctx, store, ticket_id, &t, &q, error_r) < 0)
		return -1;
	compose_job_init(&job, COMPOSE_FRT_REMINDER, "reminder", ticket_id, ctx);
	compose_vars_ticket(job.vars, t, q);
	compose_job_lang(&job, NULL, q);
	if (compose_agent_rcpts(store, t, NULL, job.rcpts, error_r) < 0)
		goto out;
	/* Escalation: the lead hears of a breach, once, besides the agents. */
	if (breach && q->lead != NULL)
		g_ptr_array_add(job.rcpts, g_strdup(q->lead));
	ret = 0;
	if (job.rcpts->len == 0)
		goto out;
	when = clock_format(due);
	reason = breach ? g_strdup_printf("has passed its first-response target (%s) with no "
					  "answer to the customer",
					  when)
			: g_strdup_printf("reaches its first-response target at %s and has no "
					  "answer to the customer yet",
					  when);
	compose_var(job.vars, "reason", reason);
	g_free(reason);
	g_free(when);
	job.mail.from_name = q->display;
	job.mail.from_addr = q->address;
	job.mail.auto_submitted = "auto-generated";
	ret = compose_job_queue_agents(ctx, store, &job, q, TOKEN_AGENT, now, error_r);
	*queued_r = ret == 0;
out:
	compose_job_clear(&job);
	store_ticket_free(&t);
	return ret;
}
