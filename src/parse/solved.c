/* solved: does a customer's mail only say that the suggested articles answered their
 * question ("solved", "erledigt", or another word of solved_words.def)? Then deliver/
 * (route_solved.c) resolves the ticket as self-served. The rule (one word, maybe a short
 * sign-off, nothing else) is one_word.c's. Pure functions, thread-safe. */
#include "config.h"
#include "postdesk/parse.h"
#include "parse-private.h"

#define SV(lang, kind, text) {PARSE_WORD_##kind, text},
static const struct parse_word solved_words[] = {
#include "solved_words.def"
};
#undef SV

gboolean parse_solved_words(const char *text)
{
	return parse_one_word_text(solved_words, G_N_ELEMENTS(solved_words), text);
}

gboolean parse_solved_request(const struct parse_msg *msg)
{
	return parse_one_word_msg(solved_words, G_N_ELEMENTS(solved_words), msg);
}
