/* stem: the words of a language reduced to their stems (Snowball's libstemmer) and the
 * words too common to say anything (stop_words.def), for the knowledge-base index
 * (store/kb_fts.c tokenizes with these; doc/kb.md). This file is the one place that
 * includes libstemmer.h.
 * Owns: a parse_stemmer (one libstemmer instance and its language).
 * Threading: a parse_stemmer is used by one thread at a time (libstemmer keeps state in
 * it); parse_stop_word() is pure. */
#include "config.h"
#include "postdesk/parse.h"

#include <libstemmer.h>
#include <string.h>

struct parse_stemmer {
	struct sb_stemmer *sb; /* NULL: a language libstemmer does not know (words kept) */
	char lang[8];
};

struct stop_list {
	const char *lang, *words;
};

#define STOP(lang, words) {#lang, words},
static const struct stop_list stop_lists[] = {
#include "stop_words.def"
};
#undef STOP

/* "lang:word" -> itself, built once (the table is compiled in; read-only afterwards). */
static GHashTable *stop_set(void)
{
	static gsize once;
	static GHashTable *set;

	if (g_once_init_enter(&once)) {
		/* a word listed twice: the second key is freed */
		GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

		for (guint i = 0; i < G_N_ELEMENTS(stop_lists); i++) {
			char **words = g_strsplit_set(stop_lists[i].words, " \n", -1);

			for (char **w = words; *w != NULL; w++)
				if (**w != '\0') {
					char *key = g_strconcat(stop_lists[i].lang, ":", *w, NULL);
					g_hash_table_add(h, key);
				}
			g_strfreev(words);
		}
		set = h;
		g_once_init_leave(&once, 1);
	}
	return set;
}

gboolean parse_stop_word(const char *lang, const char *word, int len)
{
	char key[80];

	if (len <= 0 || len > 64)
		return len <= 0;
	g_snprintf(key, sizeof(key), "%s:%.*s", lang != NULL ? lang : "en", len, word);
	return g_hash_table_contains(stop_set(), key);
}

struct parse_stemmer *parse_stemmer_new(const char *lang)
{
	struct parse_stemmer *s = g_new0(struct parse_stemmer, 1);

	g_strlcpy(s->lang, lang != NULL && *lang != '\0' ? lang : "en", sizeof(s->lang));
	/* libstemmer takes ISO 639-1 codes ("de") as well as names ("german"), UTF-8. */
	s->sb = sb_stemmer_new(s->lang, NULL);
	return s;
}

void parse_stemmer_free(struct parse_stemmer **sp)
{
	struct parse_stemmer *s = *sp;

	if (s == NULL)
		return;
	*sp = NULL;
	if (s->sb != NULL)
		sb_stemmer_delete(s->sb);
	g_free(s);
}

const char *parse_stemmer_lang(const struct parse_stemmer *s)
{
	return s->lang;
}

int parse_stem(struct parse_stemmer *s, const char *word, int len, const char **stem_r,
	       int *len_r)
{
	const sb_symbol *out;

	if (s->sb == NULL) {
		*stem_r = word;
		*len_r = len;
		return 0;
	}
	out = sb_stemmer_stem(s->sb, (const sb_symbol *)word, len);
	if (out == NULL)
		return -1; /* out of memory inside libstemmer */
	*stem_r = (const char *)out;
	*len_r = sb_stemmer_length(s->sb);
	return 0;
}
