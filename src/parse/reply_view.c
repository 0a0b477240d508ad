/* reply_view.c: what an agent reads of a customer's message: its new text (the quote
 * stripper, quote.c) with the size of what was cut, so the notice and `postdesk show`
 * can collapse the quoted part to one line and point at the whole text. Calls quote.c
 * only; no state, any thread. */
#include <string.h>

#include "parse-private.h"

/* Lines with something on them: blank lines a client adds around a quote are not
 * "hidden text". */
static guint text_lines(const char *s)
{
	guint n = 0;
	gboolean seen = FALSE;

	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			n += seen;
			seen = FALSE;
		} else if (!g_ascii_isspace(*s)) {
			seen = TRUE;
		}
	}
	return n + seen;
}

char *parse_reply_view(const char *text, const char *html, guint *hidden_r)
{
	char *reply = parse_reply_text(text != NULL ? text : "", html, NULL);
	guint all = text_lines(text != NULL ? text : ""), kept;

	*hidden_r = 0;
	/* Nothing of its own (a bare forward, a message the stripper took for all quote):
	 * the agent reads the whole text rather than an empty notice. */
	if (text_lines(reply) == 0) {
		g_free(reply);
		return g_strdup(text != NULL ? text : "");
	}
	kept = text_lines(reply);
	*hidden_r = all > kept ? all - kept : 0;
	return reply;
}
