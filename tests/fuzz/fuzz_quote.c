/* fuzz_quote: quote stripping (parse_reply_text) and HTML to text (parse_html_to_text) on
 * arbitrary text and HTML. The input is TEXT NUL HTML (no NUL: text only); the text is
 * made valid UTF-8 first, as parse_message() hands it over. Invariant: the results are
 * valid UTF-8 and the reply text is never longer than the text plus the HTML's text. */
#include "config.h"
#include "postdesk/parse.h"

#include <string.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	gsize text_len = nul != NULL ? (gsize)(nul - (const char *)data) : size;
	char *text = g_utf8_make_valid((const char *)data, (gssize)text_len);
	char *html = NULL;

	parse_init();
	if (nul != NULL)
		html = g_utf8_make_valid(nul + 1, (gssize)(size - text_len - 1));
	char *reply = parse_reply_text(text, html, "## reply above this line ##");
	if (!g_utf8_validate(reply, -1, NULL))
		fuzz_fail("reply text is not UTF-8");
	if (html == NULL && strlen(reply) > strlen(text))
		fuzz_fail("reply text longer than the text");
	char *plain = parse_html_to_text(text, strlen(text));
	if (!g_utf8_validate(plain, -1, NULL))
		fuzz_fail("html text is not UTF-8");
	g_free(plain);
	g_free(reply);
	g_free(text);
	g_free(html);
	return 0;
}
