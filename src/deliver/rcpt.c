/* rcpt: is this recipient ours? Shared by LMTP RCPT, the milter and `postdesk deliver`, so
 * every entry point refuses the same addresses with the same codes. No database access:
 * the answer depends only on the config and the token keys. */
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
	       role == TOKEN_SURVEY || role == TOKEN_OPTOUT; /* route_survey.c */
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
