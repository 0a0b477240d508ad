/* status: does a customer's mail only ask for the state of their ticket ("status", or the
 * word of another language from status_words.def)? Then deliver/ answers with the state
 * and stores nothing. The rule (one word, maybe a short sign-off, nothing else) is
 * one_word.c's. Pure functions, thread-safe. */
#include "config.h"
#include "postdesk/parse.h"
#include "parse-private.h"

#define SW(lang, kind, text) {PARSE_WORD_##kind, text},
static const struct parse_word status_words[] = {
#include "status_words.def"
};
#undef SW

gboolean parse_status_words(const char *text)
{
	return parse_one_word_text(status_words, G_N_ELEMENTS(status_words), text);
}

gboolean parse_status_request(const struct parse_msg *msg)
{
	return parse_one_word_msg(status_words, G_N_ELEMENTS(status_words), msg);
}
