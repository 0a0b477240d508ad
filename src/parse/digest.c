/* digest: a fingerprint of a message that ignores what changes from one delivery of it to
 * the next (trace fields added by each MTA hop), so that "the same message delivered
 * twice" can be told from "another message that reuses a Message-ID". Pure function. */
#include "config.h"
#include "postdesk/parse.h"

#include <string.h>

/* Fields each hop adds or rewrites; everything else is the message's own. */
static gboolean digest_trace_field(const char *line, gsize len)
{
	static const char *const trace[] = {
		"received:", "return-path:", "delivered-to:", "x-original-to:",
		"x-postdesk-ticket:", "x-postdesk-verdict:", "authentication-results:",
		"received-spf:", "arc-seal:", "arc-message-signature:",
		"arc-authentication-results:",
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(trace); i++) {
		gsize n = strlen(trace[i]);
		if (len >= n && g_ascii_strncasecmp(line, trace[i], n) == 0)
			return TRUE;
	}
	return FALSE;
}

char *parse_content_digest(const char *raw, gsize len)
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	const char *p = raw, *end = raw + len;
	gboolean skipping = FALSE;
	char *hex;

	/* Header block: drop trace fields with their continuation lines. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		gsize n = nl != NULL ? (gsize)(nl - p) + 1 : (gsize)(end - p);
		if (n == 1 || (n == 2 && p[0] == '\r'))
			break; /* the blank line: the body follows */
		if (p[0] != ' ' && p[0] != '\t')
			skipping = digest_trace_field(p, n);
		if (!skipping)
			g_checksum_update(sum, (const guchar *)p, (gssize)n);
		p += n;
	}
	g_checksum_update(sum, (const guchar *)p, (gssize)(end - p));
	hex = g_strdup(g_checksum_get_string(sum));
	g_checksum_free(sum);
	return hex;
}
