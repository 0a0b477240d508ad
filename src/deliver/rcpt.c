/* rcpt: is this recipient ours? Shared by LMTP RCPT, the milter and `postdesk deliver`, so
 * every entry point refuses the same addresses with the same codes. No database access:
 * the answer depends only on the config, the token keys and the clock (agent and note
 * tokens expire, doc/security.md "Tokens and keys"). deliver_rcpt_agent_check() is the
 * check of an agent token against the agent that sent it, for the callers that read the
 * agent (the milter at RCPT, route_agent.c at delivery). */
#include "config.h"
#include "postdesk/deliver.h"

#include <string.h>

void deliver_rcpt_clear(struct deliver_rcpt *r)
{
	g_free(r->addr);
	memset(r, 0, sizeof(*r));
}

/* Token roles this build accepts over LMTP (surveys come with their own issue). */
static gboolean rcpt_role_enabled(enum token_role role)
{
	return role == TOKEN_CUSTOMER || role == TOKEN_AGENT || role == TOKEN_NOTE ||
	       role == TOKEN_BOUNCE ||
	       role == TOKEN_SURVEY || role == TOKEN_OPTOUT || /* route_survey.c */
	       role == TOKEN_COMMAND ||                          /* route_command.c */
	       role == TOKEN_SOLVED;                            /* route_solved.c */
}

/* An agent or note token past agent_token_lifetime, or of the old form without a day
 * (doc/decisions.md: refused, no grace period). Whole days: a token issued on day D works
 * through day D + lifetime. */
static gboolean rcpt_expired(const struct conf *conf, const struct token *t)
{
	gint64 days = (conf->agent_token_lifetime + 86399) / 86400;

	if (t->role != TOKEN_AGENT && t->role != TOKEN_NOTE)
		return FALSE;
	return t->issued == 0 || TOKEN_DAY(clock_now()) - t->issued > days;
}

gboolean deliver_rcpt_agent_check(const struct deliver_rcpt *r, const char *from,
				  const struct store_agent *agent, struct verdict *v)
{
	if (agent == NULL) {
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.7.1",
			    "<%s>: agent address, but <%s> is not an agent", r->addr, from);
		return FALSE;
	}
	if (agent->id != r->token.agent) {
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.7.1",
			    "<%s>: reply address was issued to another agent (or to one since "
			    "removed); reply to the latest notice of ticket %" G_GINT64_FORMAT,
			    r->addr, r->token.id);
		return FALSE;
	}
	return TRUE;
}

void deliver_rcpt_resolve(const struct conf *conf, const struct token_keys *keys, const char *addr,
		  struct deliver_rcpt *r, struct verdict *v)
{
	char *norm = util_addr_normalize(addr);
	char *at = strrchr(norm, '@');
	char *base = NULL;
	const struct conf_queue *queue;
	enum token_check check;

	memset(r, 0, sizeof(*r));
	if (at == NULL || at == norm || g_strcmp0(at + 1, conf->domain) != 0) {
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.1.1", "<%s>: not a support address here",
			    addr);
		goto out;
	}
	*at = '\0';
	check = token_check_local(keys, norm, &r->token, &base);
	queue = conf_queue_by_local(conf, base);
	*at = '@';
	if (queue == NULL) {
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.1.1", "<%s>: no such mailbox", addr);
		goto out;
	}
	if (check == TOKEN_BAD) {
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.7.1",
			    "<%s>: reply address is not valid (bad signature)", addr);
		goto out;
	}
	if (check == TOKEN_VALID && !rcpt_role_enabled(r->token.role)) {
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.1.1",
			    "<%s>: this kind of reply address is not accepted", addr);
		goto out;
	}
	if (check == TOKEN_VALID && rcpt_expired(conf, &r->token)) {
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.7.1",
			    "<%s>: reply address expired; reply to the latest notice of ticket %"
			    G_GINT64_FORMAT, addr, r->token.id);
		goto out;
	}
	/* A '+detail' that is not a token shape is ordinary subaddressing: the queue. */
	r->has_token = check == TOKEN_VALID;
	r->queue = queue;
	r->addr = norm;
	norm = NULL;
	verdict_set(v, VERDICT_OK, 250, "2.1.5", "<%s> OK", addr);
out:
	g_free(base);
	g_free(norm);
}
