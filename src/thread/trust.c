/* trust: is an inbound message that matched a ticket backed by anything more than what
 * its sender wrote? (doc/security.md). A leaf of thread/: pure decisions over the parsed
 * message and store reads, no writes. Runs inside the caller's transaction on the
 * caller's store connection; keeps no state. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/thread.h"
#include "thread-private.h"

#include <string.h>

/* The References looked at for our own Message-IDs, newest first: a real client keeps the
 * thread's recent ids at the end; a longer list only adds lookups a sender chose. */
#define TRUST_MAX_REFS 50

int thread_trust_our_mail(struct store *store, const struct parse_msg *msg, const char *author,
			  gint64 *ticket_r, char **error_r)
{
	guint i, n = 0;
	int ret;

	if (msg->in_reply_to != NULL) {
		ret = store_message_sent_to(store, msg->in_reply_to, author, ticket_r, error_r);
		if (ret != 0)
			return ret;
	}
	for (i = msg->references->len; i > 0 && n < TRUST_MAX_REFS; i--, n++) {
		const char *ref = g_ptr_array_index(msg->references, i - 1);
		ret = store_message_sent_to(store, ref, author, ticket_r, error_r);
		if (ret != 0)
			return ret;
	}
	return 0;
}

gboolean thread_trust_mta_vouches(const struct conf *conf, const struct parse_msg *msg)
{
	const char *at = strrchr(msg->from.addr, '@');
	guint i;

	if (conf->milter_authserv_id == NULL || at == NULL || at[1] == '\0')
		return FALSE;
	/* The first header of our authserv-id is the one our MTA added on top; one further down
	 * came with the message (doc/milter.md: strip forged copies with header_checks). */
	for (i = 0; i < msg->authres->len; i++) {
		guint results = 0;
		char *error = NULL;
		int ret = parse_authres_parse(g_ptr_array_index(msg->authres, i),
					      conf->milter_authserv_id, at + 1, &results, &error);
		if (ret == 0)
			continue;
		if (ret < 0)
			log_info("From <%s>: %s: not vouched for", msg->from.addr, error);
		g_free(error);
		return ret == 1 && (results & PARSE_AUTHRES_DMARC_PASS) != 0 &&
		       (results & PARSE_AUTHRES_DMARC_FAIL) == 0;
	}
	return FALSE;
}
