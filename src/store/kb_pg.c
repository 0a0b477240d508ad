/* kb_pg: the knowledge base's words on PostgreSQL (issue 16, doc/scaling.md "Search").
 * SQLite stems inside FTS5 (kb.c's tokenizer); PostgreSQL has no tokenizer of ours, so the
 * same work is done here, before the SQL: an article's title, tags and body go to kb_fts as
 * the words FTS5 would index (unicode61's words, lower-cased, diacritics kept, the
 * language's stop words dropped, Snowball stems: parse/stem.c), one space apart, and
 * PostgreSQL's 'simple' configuration only splits them again; a question (kb_match_expr's
 * FTS5 expression) becomes the same stems, "stem" or "stem*" (a prefix), one space apart,
 * which the PostgreSQL form of kb_search (statements-pg.def) ranks by BM25 as FTS5 does.
 * Leaf of the module: calls nothing else of store/.
 * Owns: the strings it returns (the caller's). Threading: none (pure functions). */
#include "config.h"

#include <string.h>

#include "postdesk/parse.h"
#include "store-kb.h"

/* unicode61's token characters ("L* N* Co"): everything else separates words. */
static gboolean kb_pg_token_char(gunichar c)
{
	switch (g_unichar_type(c)) {
	case G_UNICODE_LOWERCASE_LETTER:
	case G_UNICODE_UPPERCASE_LETTER:
	case G_UNICODE_TITLECASE_LETTER:
	case G_UNICODE_MODIFIER_LETTER:
	case G_UNICODE_OTHER_LETTER:
	case G_UNICODE_DECIMAL_NUMBER:
	case G_UNICODE_LETTER_NUMBER:
	case G_UNICODE_OTHER_NUMBER:
	case G_UNICODE_PRIVATE_USE:
		return TRUE;
	default:
		return FALSE;
	}
}

/* Append the stems of text's words (stop words dropped) to out, each after a space;
 * suffix follows each (the query's prefix mark). -1 if libstemmer ran out of memory. */
static int kb_pg_append(GString *out, const char *text, gssize len, const char *lang,
			struct parse_stemmer *stemmer, const char *suffix)
{
	const char *p = text, *end = len < 0 ? text + strlen(text) : text + len;

	while (p < end) {
		const char *start, *stem;
		char *word;
		int stem_len, ret = 0;

		while (p < end && !kb_pg_token_char(g_utf8_get_char(p)))
			p = g_utf8_next_char(p);
		start = p;
		while (p < end && kb_pg_token_char(g_utf8_get_char(p)))
			p = g_utf8_next_char(p);
		if (p == start)
			break;
		word = g_utf8_strdown(start, p - start);
		if (!parse_stop_word(lang, word, (int)strlen(word))) {
			ret = parse_stem(stemmer, word, (int)strlen(word), &stem, &stem_len);
			if (ret == 0)
				g_string_append_printf(out, "%s%.*s%s", out->len > 0 ? " " : "",
						       stem_len, stem, suffix);
		}
		g_free(word);
		if (ret < 0)
			return -1;
	}
	return 0;
}

char *store_kb_pg_stems(const char *text, const char *lang, struct parse_stemmer *stemmer)
{
	GString *out = g_string_new(NULL);

	if (text == NULL || !g_utf8_validate(text, -1, NULL) ||
	    kb_pg_append(out, text, -1, lang, stemmer, "") < 0)
		g_string_truncate(out, 0);
	return g_string_free(out, FALSE);
}

char *store_kb_pg_query(const char *match, const char *lang)
{
	struct parse_stemmer *stemmer = parse_stemmer_new(lang);
	GString *out = g_string_new(NULL);
	const char *p = match != NULL && g_utf8_validate(match, -1, NULL) ? match : "";

	/* kb_match_expr writes "word" or "word"*, joined by OR; inside the quotes only
	 * letters and digits, so no "" escapes. Anything outside the quotes is syntax. */
	while ((p = strchr(p, '"')) != NULL) {
		const char *close = strchr(p + 1, '"');

		if (close == NULL)
			break;
		if (kb_pg_append(out, p + 1, close - (p + 1), lang, stemmer,
				 close[1] == '*' ? "*" : "") < 0) {
			g_string_truncate(out, 0);
			break;
		}
		p = close + 1;
	}
	parse_stemmer_free(&stemmer);
	return g_string_free(out, FALSE);
}
