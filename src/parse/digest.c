/* digest: a fingerprint of a message that ignores what changes from one delivery of it to
 * the next (trace fields added by each MTA hop), so that "the same message delivered
 * twice" can be told from "another message that reuses a Message-ID". Fed whole or in
 * pieces of any size (a spool file, a blob read in chunks): the result is the same. */
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

/* Long enough to tell every trace field name above ("arc-authentication-results:"). */
#define DIGEST_PREFIX 32

/* The digest is fed in pieces of any size (a spool file read in chunks), so the header
 * rules run on a small state machine: a line's first bytes are held until they tell
 * whether it is a trace field, then the line is fed or skipped up to its LF. */
enum digest_state { DIGEST_LINE_START, DIGEST_IN_LINE, DIGEST_BODY };

struct parse_digest {
	GChecksum *sum;
	enum digest_state state;
	gboolean skipping; /* the current header field is a trace field */
	char pre[DIGEST_PREFIX];
	guint npre;
};

struct parse_digest *parse_digest_new(void)
{
	struct parse_digest *dg = g_new0(struct parse_digest, 1);

	dg->sum = g_checksum_new(G_CHECKSUM_SHA256);
	return dg;
}

static void digest_feed(struct parse_digest *dg, const char *p, gsize n)
{
	if (!dg->skipping && n > 0)
		g_checksum_update(dg->sum, (const guchar *)p, (gssize)n);
}

/* One byte of a line's start: 1 when the line's kind is decided. */
static int digest_prefix_byte(struct parse_digest *dg, char c)
{
	dg->pre[dg->npre++] = c;
	if ((dg->npre == 1 && c == '\n') || (dg->npre == 2 && dg->pre[0] == '\r' && c == '\n')) {
		/* the blank line: the body follows, blank line included */
		dg->skipping = FALSE;
		digest_feed(dg, dg->pre, dg->npre);
		dg->state = DIGEST_BODY;
		return 1;
	}
	if (dg->npre == 1 && (c == ' ' || c == '\t')) {
		/* a continuation line: fed or skipped like its field */
		digest_feed(dg, dg->pre, dg->npre);
		dg->state = DIGEST_IN_LINE;
		return 1;
	}
	if (c != '\n' && dg->npre < DIGEST_PREFIX)
		return 0;
	dg->skipping = digest_trace_field(dg->pre, dg->npre);
	digest_feed(dg, dg->pre, dg->npre);
	dg->state = c == '\n' ? DIGEST_LINE_START : DIGEST_IN_LINE;
	return 1;
}

void parse_digest_update(struct parse_digest *dg, const char *data, gsize len)
{
	const char *p = data, *end = data + len;

	while (p < end) {
		if (dg->state == DIGEST_BODY) {
			g_checksum_update(dg->sum, (const guchar *)p, (gssize)(end - p));
			return;
		}
		if (dg->state == DIGEST_LINE_START) {
			if (digest_prefix_byte(dg, *p++))
				dg->npre = 0;
			continue;
		}
		const char *nl = memchr(p, '\n', (gsize)(end - p));
		gsize n = nl != NULL ? (gsize)(nl - p) + 1 : (gsize)(end - p);
		digest_feed(dg, p, n);
		p += n;
		if (nl != NULL)
			dg->state = DIGEST_LINE_START;
	}
}

char *parse_digest_finish(struct parse_digest **dgp)
{
	struct parse_digest *dg = *dgp;
	char *hex;

	/* A last line without LF: one byte, or "\r" and one more, ends the header block like
	 * a blank line (and is fed); a longer one is a field like any other. */
	if (dg->state == DIGEST_LINE_START && dg->npre > 0) {
		if (dg->npre == 1 || (dg->npre == 2 && dg->pre[0] == '\r'))
			dg->skipping = FALSE;
		else
			dg->skipping = digest_trace_field(dg->pre, dg->npre);
		digest_feed(dg, dg->pre, dg->npre);
	}
	hex = g_strdup(g_checksum_get_string(dg->sum));
	g_checksum_free(dg->sum);
	g_free(dg);
	*dgp = NULL;
	return hex;
}

char *parse_content_digest(const char *raw, gsize len)
{
	struct parse_digest *dg = parse_digest_new();

	parse_digest_update(dg, raw, len);
	return parse_digest_finish(&dg);
}
