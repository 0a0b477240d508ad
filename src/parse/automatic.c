/* automatic: was a parsed message sent by a machine (RFC 3834 and the de-facto headers)?
 * A pure function of struct parse_msg, shared by threading, routing and composing. */
#include "config.h"
#include "postdesk/parse.h"

#include <string.h>

static gboolean policy_value_is(const char *value, const char *word)
{
	char *v = value != NULL ? g_ascii_strdown(value, -1) : NULL;
	char *semi = v != NULL ? strchr(v, ';') : NULL;
	gboolean is;

	if (semi != NULL) /* "auto-replied; owner-email=..." */
		*semi = '\0';
	is = v != NULL && strcmp(g_strstrip(v), word) == 0;
	g_free(v);
	return is;
}

const char *parse_msg_automatic(const struct parse_msg *msg)
{
	if (msg->x_postdesk_loop != NULL)
		return "carries our loop header";
	if (msg->auto_submitted != NULL && !policy_value_is(msg->auto_submitted, "no"))
		return "Auto-Submitted";
	if (policy_value_is(msg->precedence, "bulk") || policy_value_is(msg->precedence, "list") ||
	    policy_value_is(msg->precedence, "junk"))
		return "Precedence bulk/list/junk";
	if (msg->list_id != NULL || msg->list_unsubscribe != NULL)
		return "mailing list";
	/* Not X-Auto-Response-Suppress: it asks for no automatic answer (compose/autoreply.c
	 * honours that), but Exchange and Outlook also put it on mail people write; taken as
	 * "a machine wrote this" it would store a customer's words silently. */
	if (msg->is_dsn)
		return "delivery status notification";
	return NULL;
}

