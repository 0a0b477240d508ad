/* solved: does a customer's mail only say that the suggested articles answered their
 * question ("solved", "erledigt", or another word of solved_words.def)? Then deliver/
 * (route_solved.c) resolves the ticket as self-served. The rule is status.c's: the new
 * text (quotes and "-- " signatures already cut by parse_reply_text) is the word alone or
 * the word and a short sign-off; attachments or any other line make it an ordinary
 * message, so a mail that says more is never swallowed. Pure functions, thread-safe. */
#include "config.h"
#include "postdesk/parse.h"

#include <string.h>

enum sv_kind { SV_WORD, SV_CLOSING };

struct solved_word {
	enum sv_kind kind;
	const char *text;
};

#define SV(lang, kind, text) {SV_##kind, text},
static const struct solved_word solved_words[] = {
#include "solved_words.def"
};
#undef SV

#define SOLVED_SIGNOFF_LINES 3
#define SOLVED_SIGNOFF_LEN 40

static gboolean solved_in(enum sv_kind kind, const char *line, gboolean prefix)
{
	for (guint i = 0; i < G_N_ELEMENTS(solved_words); i++) {
		const struct solved_word *w = &solved_words[i];
		if (w->kind != kind)
			continue;
		if (prefix ? g_str_has_prefix(line, w->text) : strcmp(line, w->text) == 0)
			return TRUE;
	}
	return FALSE;
}

/* The line lower-cased (UTF-8), without spaces and punctuation at either end. */
static char *solved_fold(const char *line)
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
static gboolean solved_name_line(const char *line)
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

gboolean parse_solved_words(const char *text)
{
	char **lines = g_strsplit(text != NULL ? text : "", "\n", -1);
	guint seen = 0;
	gboolean ok = TRUE;

	for (guint i = 0; ok && lines[i] != NULL; i++) {
		char *line = g_strstrip(lines[i]);
		char *fold;
		if (line[0] == '\0')
			continue;
		fold = solved_fold(line);
		if (seen == 0)
			ok = solved_in(SV_WORD, fold, FALSE);
		else
			ok = seen <= SOLVED_SIGNOFF_LINES && strlen(line) <= SOLVED_SIGNOFF_LEN &&
			     (solved_in(SV_CLOSING, fold, TRUE) || solved_name_line(line));
		seen++;
		g_free(fold);
	}
	g_strfreev(lines);
	return ok && seen > 0;
}

gboolean parse_solved_request(const struct parse_msg *msg)
{
	char *text;
	gboolean yes;

	if (msg->attachments->len > 0 || msg->body_truncated)
		return FALSE;
	text = parse_reply_text(msg->body, msg->body_html, NULL);
	yes = parse_solved_words(text);
	g_free(text);
	return yes;
}
