/* store-kb.h: the knowledge base's words on PostgreSQL (kb_pg.c), for kb.c. */
#ifndef POSTDESK_STORE_KB_H
#define POSTDESK_STORE_KB_H

#include <glib.h>

struct parse_stemmer;

/* text's words as kb.c's FTS5 tokenizer indexes them in lang (lower-cased, stop words
 * dropped, stemmed by stemmer), one space apart; "" for none or invalid UTF-8. g_free. */
char *store_kb_pg_stems(const char *text, const char *lang, struct parse_stemmer *stemmer);
/* kb_match_expr's FTS5 expression ("word" OR "word"* ...) as the PostgreSQL form of
 * kb_search takes it: each word's stem, "*" after a prefix, one space apart; a stop word
 * is dropped as FTS5 drops its empty phrase. "" if nothing is left. g_free. */
char *store_kb_pg_query(const char *match, const char *lang);

#endif
