/* suggest: from a customer's question to the articles that answer it (doc/kb.md
 * "Relevance"). The question's words go to the full-text index as one OR query (stemmed
 * and stripped of stop words there, in the ticket's language); the index ranks by BM25.
 * An article is suggested only if it holds enough of the question: the best one must
 * share at least KB_MIN_MATCHED of its words (all of them for a one-word question) and
 * score at least KB_MIN_SCORE, and the others must come near it (KB_RELATIVE): a weak
 * suggestion costs the customer more than none.
 * Owns: nothing beyond one call. Threading: the caller's store connection. */
#include "config.h"
#include "postdesk/kb.h"

#include <string.h>

#include "postdesk/lib.h"

#define KB_QUERY_WORDS 64    /* words of a question sent to the index */
#define KB_CANDIDATES 10     /* best rows read before the threshold */
#define KB_PREFIX_MIN 5      /* letters of a word matched as a prefix (kb_compounding) */
#define KB_MIN_MATCHED 2     /* distinct question words an article must hold... */
#define KB_MIN_SCORE 3000    /* ...with this BM25 x 1000 */
#define KB_ONE_WORD_TERMS 3  /* or one word of a question of at most 3 words... */
#define KB_ONE_WORD_SCORE 4300 /* ...that is rare enough to score this alone */
#define KB_RELATIVE 0.6      /* the others: at least this share of the best score */

/* Languages that write compounds as one word ("Sendungsverfolgung"): a longer question
 * word also matches the words it begins ("Sendung" finds "Sendungsnummer"). */
static gboolean kb_compounding(const char *lang)
{
	return lang != NULL && (strcmp(lang, "de") == 0 || strcmp(lang, "nl") == 0);
}

char *kb_match_expr(const char *text, const char *lang)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GString *q = g_string_new(NULL);
	const char *p = text != NULL && g_utf8_validate(text, -1, NULL) ? text : "";
	guint n = 0;

	while (*p != '\0' && n < KB_QUERY_WORDS) {
		const char *start;
		char *word;

		while (*p != '\0' && !g_unichar_isalnum(g_utf8_get_char(p)))
			p = g_utf8_next_char(p);
		start = p;
		while (*p != '\0' && g_unichar_isalnum(g_utf8_get_char(p)))
			p = g_utf8_next_char(p);
		if (p == start)
			break;
		word = g_utf8_strdown(start, p - start);
		if (g_hash_table_contains(seen, word)) {
			g_free(word);
			continue;
		}
		/* Only letters and digits inside the quotes: nothing of FTS5's syntax. */
		g_string_append_printf(q, "%s\"%s\"%s", n > 0 ? " OR " : "", word,
				       kb_compounding(lang) && g_utf8_strlen(word, -1) >= KB_PREFIX_MIN
					   ? "*"
					   : "");
		g_hash_table_add(seen, word);
		n++;
	}
	g_hash_table_unref(seen);
	if (n == 0) {
		g_string_free(q, TRUE);
		return NULL;
	}
	return g_string_free(q, FALSE);
}

/* Does this article hold enough of the question to be offered at all? */
static gboolean kb_enough(const struct store_kb_hit *h)
{
	if (h->matched >= KB_MIN_MATCHED)
		return h->score >= KB_MIN_SCORE;
	return h->matched == 1 && h->terms <= KB_ONE_WORD_TERMS && h->score >= KB_ONE_WORD_SCORE;
}

static void kb_hit_free(gpointer p)
{
	struct store_kb_hit *h = p;

	store_kb_hit_free(&h);
}

int kb_suggest(struct store *store, const char *lang, const char *queue, const char *text,
	       int max, GPtrArray **hits_r, char **error_r)
{
	char *match = kb_match_expr(text, lang);
	GPtrArray *cand = NULL, *out;
	gint64 best = 0;

	*hits_r = NULL;
	out = g_ptr_array_new_with_free_func(kb_hit_free);
	if (match != NULL && store_kb_search(store, match, lang, queue != NULL ? queue : "",
					     KB_CANDIDATES, &cand, error_r) < 0) {
		g_free(match);
		g_ptr_array_unref(out);
		return -1;
	}
	g_free(match);
	for (guint i = 0; cand != NULL && i < cand->len && (int)out->len < max; i++) {
		struct store_kb_hit *h = g_ptr_array_index(cand, i);

		if (!kb_enough(h))
			continue;
		if (out->len == 0)
			best = h->score;
		else if ((double)h->score < KB_RELATIVE * (double)best)
			break;
		g_ptr_array_add(out, g_ptr_array_steal_index(cand, i));
		i--;
	}
	if (cand != NULL)
		g_ptr_array_unref(cand);
	*hits_r = out;
	return 0;
}

/* One line of Markdown as plain text: list, heading and quote marks at its start, emphasis
 * and code marks anywhere, and [text](url) links as their text. */
static void kb_plain_line(GString *out, const char *line)
{
	const char *p = line + strspn(line, " \t");

	while (*p == '#' || *p == '>' || ((*p == '-' || *p == '*' || *p == '+') && p[1] == ' '))
		p += 1 + strspn(p + 1, " \t");
	for (; *p != '\0'; p++) {
		if (*p == '*' || *p == '_' || *p == '`')
			continue;
		if (*p == ']' && p[1] == '(') {
			const char *close = strchr(p, ')');
			if (close != NULL) {
				p = close;
				continue;
			}
		}
		if (*p == '[')
			continue;
		g_string_append_c(out, *p == '\t' ? ' ' : *p);
	}
}

char *kb_excerpt(const char *body, guint max_chars)
{
	char **lines = g_strsplit(body != NULL ? body : "", "\n", -1);
	GString *text = g_string_new(NULL);
	const char *cut;

	for (guint i = 0; lines[i] != NULL && g_utf8_strlen(text->str, -1) <= max_chars; i++) {
		char *line = g_strstrip(lines[i]);
		if (line[0] == '\0')
			continue;
		if (text->len > 0)
			g_string_append_c(text, ' ');
		kb_plain_line(text, line);
	}
	g_strfreev(lines);
	if (g_utf8_strlen(text->str, -1) <= max_chars)
		return g_string_free(text, FALSE);
	cut = g_utf8_offset_to_pointer(text->str, max_chars);
	while (cut > text->str && *cut != ' ')
		cut--;
	if (cut == text->str)
		cut = g_utf8_offset_to_pointer(text->str, max_chars);
	g_string_truncate(text, cut - text->str);
	g_string_append(text, "...");
	return g_string_free(text, FALSE);
}
