/* route_survey: mail to a survey token (LOCAL+<ticket>-s<score>-<mac>: a click on a score
 * link, or a reply to the survey mail, whose Reply-To is the s0 token) and to an opt-out
 * token (LOCAL+<ticket>-u-<mac>). The MAC was verified at RCPT (a tampered score is refused
 * there, 550 5.7.1). An answer is stored on the ticket as an inbound message of kind
 * "survey" with a "survey_answer" event, and never changes the ticket's status.
 * Runs in the store's thread inside the caller's savepoint. See doc/surveys.md. */
#include "config.h"
#include "postdesk/deliver.h"
#include "postdesk/parse.h"
#include "postdesk/survey.h"
#include "postdesk/thread.h"
#include "deliver-private.h"

#include <string.h>

/* Whether the survey asks question q (survey_questions; no configuration: the default,
 * CSAT and NPS). */
static gboolean survey_asks(const struct conf *conf, enum conf_survey_question q)
{
	guint ask[CONF_SURVEY_QUESTIONS], n = conf_survey_questions(conf, ask);

	for (guint i = 0; i < n; i++)
		if (ask[i] == q)
			return TRUE;
	return FALSE;
}

/* A CES link's subject starts "CES <digit>" ("CES 5 [#12]"); matched at the start, not
 * anywhere, so that a reply's subject holding "services 5" is no CES answer. */
static gboolean survey_ces_link(const char *subj)
{
	return g_str_has_prefix(subj, "ces ") && g_ascii_isdigit(subj[4]);
}

/* Which question an answer is for. A link's subject says it ("CSAT 4 [#12]", "NPS 9
 * [#12]", "CES 6 [#12]"); else the score from the reply text (or the token): 1..5 is CSAT,
 * 0 and 6..10 can only be NPS — a bare number answers only those two (CES has 1..7, which
 * a number alone cannot tell from them), and only if the survey asks it. */
static void survey_classify(const struct conf *conf, const char *subject, int token_score,
			    const char *text, int *csat_r, int *nps_r, int *ces_r,
			    char **comment_r)
{
	char *subj = g_strstrip(g_ascii_strdown(subject != NULL ? subject : "", -1));
	int score = token_score;
	gboolean ces = survey_ces_link(subj);
	gboolean link = ces || strstr(subj, "csat") != NULL || strstr(subj, "nps") != NULL;

	*csat_r = *nps_r = *ces_r = -1;
	if (link) {
		*comment_r = g_strstrip(g_strdup(text));
	} else {
		int from_text;
		/* s0 is the Reply-To of the survey mail: there the text carries the score. */
		if (survey_parse_answer(text, &from_text, comment_r) == 1)
			score = from_text;
		else if (token_score == 0)
			score = -1;
	}
	if (ces) {
		if (score >= 1 && score <= 7)
			*ces_r = score;
	} else if (score >= 1 && score <= 5 && strstr(subj, "nps") == NULL) {
		if (link || survey_asks(conf, CONF_SURVEY_CSAT))
			*csat_r = score;
	} else if (score >= 0 && (link || survey_asks(conf, CONF_SURVEY_NPS))) {
		*nps_r = score;
	}
	g_free(subj);
}

static int survey_answer(struct deliver_msg *d, const struct deliver_rcpt *r,
			 const struct thread_input *in, const struct conf *conf,
			 struct store *store, gint64 now, char **error_r)
{
	char *text = parse_reply_text(d->msg->body, d->msg->body_html, NULL);
	char *comment = NULL, *detail;
	int csat, nps, ces, ret;
	gint64 row;

	if (parse_msg_automatic(d->msg) != NULL) {
		/* An out-of-office answering the survey mail is no rating: keep it, count nothing. */
		ret = thread_record(store, in, r->token.id, "survey", text, "automatic", now, &row,
				    error_r);
		g_free(text);
		return ret > 0 ? 0 : ret;
	}
	survey_classify(conf, d->msg->subject, r->token.score, text, &csat, &nps, &ces, &comment);
	ret = thread_record(store, in, r->token.id, "survey", text, NULL, now, &row, error_r);
	if (ret == 0)
		ret = store_survey_answer(store, r->token.id, csat, nps, ces,
					  comment[0] != '\0' ? comment : NULL, now, error_r);
	if (ret == 0) {
		char ces_part[16] = "";
		if (ces >= 0)
			g_snprintf(ces_part, sizeof(ces_part), " ces %d", ces);
		detail = g_strdup_printf("csat %d nps %d%s%s%s", csat, nps, ces_part,
					 comment[0] != '\0' ? ": " : "", comment);
		for (char *p = detail; *p != '\0'; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		ret = store_event_add(store, r->token.id, now, "survey_answer", thread_author(in),
				      detail, error_r);
		g_free(detail);
	}
	g_free(comment);
	g_free(text);
	return ret > 0 ? 0 : ret; /* 1 = a redelivery: already recorded */
}

int deliver_route_survey(struct deliver_msg *d, guint i, struct store *store,
		 const struct deliver_env *env, gint64 now, char **error_r)
{
	const struct deliver_rcpt *r = &g_array_index(d->rcpts, struct deliver_rcpt, i);
	struct store_ticket *t = NULL;
	struct thread_input in;
	gboolean optout = r->token.role == TOKEN_OPTOUT;
	gint64 row;
	int ret;

	deliver_route_input(d, r, &in);
	if ((ret = store_ticket_get(store, r->token.id, &t, error_r)) <= 0) {
		if (ret < 0)
			return -1;
		verdict_set(&d->verdicts[i], VERDICT_PERMFAIL, 550, "5.1.1",
			    "<%s>: no such ticket", r->addr);
		return 1;
	}
	if (optout) {
		/* The survey went to the requester: the opt-out is theirs, whoever clicked. */
		ret = thread_record(store, &in, t->id, "survey", NULL, "optout", now, &row,
				    error_r);
		if (ret == 0)
			ret = store_customer_set_optout(store, t->requester, TRUE, error_r);
		if (ret == 0)
			ret = store_event_add(store, t->id, now, "survey_optout",
					      thread_author(&in), t->requester, error_r);
		ret = ret > 0 ? 0 : ret;
	} else {
		ret = survey_answer(d, r, &in, env != NULL ? env->conf : NULL, store, now, error_r);
	}
	store_ticket_free(&t);
	if (ret < 0)
		return -1;
	d->ticket_ids[i] = r->token.id;
	verdict_set(&d->verdicts[i], VERDICT_OK, 250, "2.0.0",
		    optout ? "<%s> no more surveys will be sent" : "<%s> thank you for your answer",
		    r->addr);
	return 0;
}
