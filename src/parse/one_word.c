/* one_word: does a customer's mail say only one thing from a table of localised words
 * ("status", "erledigt"...)? The rule status.c and solved.c share: the new text (quotes and
 * "-- " signatures already cut by parse_reply_text) is one of the table's WORDs alone, or
 * followed by a short sign-off (a CLOSING line, a name); attachments or any other line make
 * it an ordinary message, so a mail that says more is never swallowed. A leaf of the
 * module: it calls parse_reply_text only. Pure functions, thread-safe. */
#include "config.h"
#include "postdesk/parse.h"
#include "parse-private.h"

#include <string.h>

#define ONE_WORD_SIGNOFF_LINES 3
#define ONE_WORD_SIGNOFF_LEN 40
#define ONE_WORD_TEXT_MAX 16384 /* bytes of the text read */

static gboolean one_word_in(const struct parse_word *t, gsize n, gboolean closing,
			    const char *line, gboolean prefix)
{
	for (gsize i = 0; i < n; i++) {
		if (t[i].closing != closing)
			continue;
		if (prefix ? g_str_has_prefix(line, t[i].text) : strcmp(line, t[i].text) == 0)
			return TRUE;
	}
	return FALSE;
}

/* The line lower-cased (UTF-8), without spaces and punctuation at either end. */
static char *one_word_fold(const char *line)
{
	char *low = g_utf8_strdown(line, -1);
	char *start = low, *end = low + strlen(low), *out;

	while (*start != '\0' && (g_ascii_isspace(*start) || g_ascii_ispunct(*start)))
		start++;
	while (end > start && (g_ascii_isspace(end[-1]) || g_ascii_ispunct(end[-1])))
		end--;
	out = g_strndup(start, (gsize)(end - start));
	g_free(low);
	return out;
}

/* A name under a sign-off: at most four words, each starting with a capital, no digits. */
static gboolean one_word_name_line(const char *line)
{
	char **words = g_strsplit_set(line, " \t", -1);
	guint n = 0;
	gboolean ok = TRUE;

	for (guint i = 0; ok && words[i] != NULL; i++) {
		if (words[i][0] == '\0')
			continue;
		n++;
		ok = g_unichar_isupper(g_utf8_get_char(words[i])) &&
		     strpbrk(words[i], "0123456789?!@:/") == NULL;
	}
	g_strfreev(words);
	return ok && n > 0 && n <= 4;
}

gboolean parse_one_word_text(const struct parse_word *table, gsize n, const char *text)
{
	char **lines = g_strsplit(text != NULL ? text : "", "\n", -1);
	guint seen = 0;
	gboolean ok = TRUE;

	for (guint i = 0; ok && lines[i] != NULL; i++) {
		char *line = g_strstrip(lines[i]);
		char *fold;
		if (line[0] == '\0')
			continue;
		fold = one_word_fold(line);
		if (seen == 0)
			ok = one_word_in(table, n, FALSE, fold, FALSE);
		else
			ok = seen <= ONE_WORD_SIGNOFF_LINES && strlen(line) <= ONE_WORD_SIGNOFF_LEN &&
			     (one_word_in(table, n, TRUE, fold, TRUE) || one_word_name_line(line));
		seen++;
		g_free(fold);
	}
	g_strfreev(lines);
	return ok && seen > 0;
}

/* The HTML part when it is small enough to read whole (its quote structure tells the
 * cutter most), else NULL: the plain text is cut instead. */
static const char *html_within(const char *html, gsize max)
{
	return html != NULL && strlen(html) <= max ? html : NULL;
}

gboolean parse_one_word_msg(const struct parse_word *table, gsize n, const struct parse_msg *msg)
{
	char *text, *head;
	gboolean yes;

	if (msg->attachments->len > 0 || msg->body_truncated)
		return FALSE;
	/* One word and the mail it quotes fit in the head of the text: the quote cutter, whose
	 * cost grows with the text, reads no more than that (the caller is the single writer). */
	head = g_strndup(msg->body != NULL ? msg->body : "", ONE_WORD_TEXT_MAX);
	text = parse_reply_text(head, html_within(msg->body_html, ONE_WORD_TEXT_MAX * 4), NULL);
	yes = parse_one_word_text(table, n, text);
	g_free(text);
	g_free(head);
	return yes;
}
