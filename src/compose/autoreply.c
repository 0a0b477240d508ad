/* autoreply: when postdesk may send automatic mail (RFC 3834), and the per-sender rate limit
 * that stops two auto-responders from ping-ponging even if one of them ignores the rules.
 * Pure decisions over the parsed message (parse_msg_automatic() says whether a machine sent
 * it), plus one counter table in the store. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/lib.h"
#include "compose-private.h"

#include <string.h>

/* Local parts that never get an automatic answer (role and robot senders). */
static gboolean policy_robot_local(const char *addr)
{
	static const char *const robots[] = {
		"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply",
		"do-not-reply", "bounce", "bounces", "listserv", "majordomo", "root",
	};
	const char *at = strrchr(addr, '@');
	gsize len = at != NULL ? (gsize)(at - addr) : strlen(addr);
	char *local = g_ascii_strdown(addr, (gssize)len);
	char *plus = strchr(local, '+');
	gboolean robot = FALSE;
	size_t i;

	if (plus != NULL)
		*plus = '\0';
	robot = g_str_has_prefix(local, "bounce-") || g_str_has_prefix(local, "owner-") ||
		g_str_has_suffix(local, "-request");
	for (i = 0; i < G_N_ELEMENTS(robots) && !robot; i++)
		robot = strcmp(local, robots[i]) == 0;
	g_free(local);
	return robot;
}

const char *compose_autoreply_block(const struct conf *conf, const struct parse_msg *msg,
				   const char *env_sender)
{
	const char *why = parse_msg_automatic(msg);
	const char *at;

	if (why == NULL && msg->x_auto_response_suppress != NULL)
		why = "X-Auto-Response-Suppress"; /* the sender asks for no automatic answer */
	if (why != NULL)
		return why;
	if (env_sender == NULL || env_sender[0] == '\0')
		return "null envelope sender";
	if (policy_robot_local(env_sender) || policy_robot_local(msg->from.addr))
		return "robot sender";
	at = strrchr(env_sender, '@');
	if (at == NULL || g_ascii_strcasecmp(at + 1, conf->domain) == 0)
		return "our own address";
	return NULL;
}

/* Over all tickets, one sender gets at most this many times autoreply_limit: a robot that
 * ignores RFC 3834 and opens a new ticket with every mail still gets only so many acks. */
#define POLICY_SENDER_FACTOR 10

int compose_autoreply_rate_ok(struct store *store, const struct conf *conf, const char *addr,
			     gint64 ticket_id, gint64 now, char **error_r)
{
	gint64 count = 0, all = 0;

	if (store_autoreply_count(store, addr, ticket_id, now - conf->autoreply_window, &count,
				  error_r) < 0 ||
	    store_autoreply_count(store, addr, 0, now - conf->autoreply_window, &all, error_r) < 0)
		return -1;
	return count < conf->autoreply_limit &&
		       all < conf->autoreply_limit * POLICY_SENDER_FACTOR
		   ? 1
		   : 0;
}

int compose_ack_new_ticket(struct compose_ctx *ctx, struct store *store, gint64 ticket_id,
			   const struct parse_msg *msg, const char *env_sender, gint64 now,
			   char **error_r)
{
	const char *block = compose_autoreply_block(ctx->conf, msg, env_sender);
	struct store_customer *c = NULL;
	int ret;

	if (block == NULL) {
		ret = store_customer_get(store, env_sender, &c, error_r);
		if (ret == 1 && c->bounced)
			block = "address bounced before";
		store_customer_free(&c);
		if (ret < 0)
			return -1;
	}
	if (block == NULL &&
	    (ret = compose_autoreply_rate_ok(store, ctx->conf, env_sender, ticket_id, now,
					     error_r)) <= 0) {
		if (ret < 0)
			return -1;
		block = "rate limit";
	}
	if (block != NULL) {
		log_info("ticket %" G_GINT64_FORMAT ": no acknowledgement (%s)", ticket_id, block);
		return 0;
	}
	return compose_failed_event(store,
				    compose_queue_ack(ctx, store, ticket_id, msg, env_sender, now,
						      error_r),
				    "acknowledgement", ticket_id, now, error_r);
}
