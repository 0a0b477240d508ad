/* address.c: the From forms GMime's address parser gives up on, as clients really write
 * them. An encoded display name followed by an addr-spec without angle brackets
 * ("=?gb2312?B?...?= user@example.com.tw": Foxmail, old Outlook Express, webmails of
 * Taiwan and China) yields no mailbox from GMime; a value that is only an encoded word
 * yields a "mailbox" whose address is that word. parse.c uses these to keep the name and
 * the address of the first, and to treat the second as no address at all (the envelope
 * sender then stands for the author). A leaf of src/parse: no state, any thread. */
#include <string.h>

#include "parse-private.h"

gboolean parse_addr_is_encoded(const char *addr)
{
	const char *start = strstr(addr, "=?");
	return start != NULL && strstr(start + 2, "?=") != NULL;
}

/* An addr-spec as clients write it bare: local@domain, printable ASCII, no space, no
 * character that would make it something else (brackets, quotes, comments, a list). */
static gboolean bare_addr_ok(const char *s, gsize len)
{
	const char *at = memchr(s, '@', len);
	if (at == NULL || at == s || at == s + len - 1 || memchr(at + 1, '@', len - (gsize)(at - s) - 1))
		return FALSE;
	for (gsize i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f || strchr("<>()[],;:\"\\", s[i]) != NULL)
			return FALSE;
	return !parse_addr_is_encoded(s);
}

int parse_addr_bare(const char *value, char **name_r, char **addr_r)
{
	*name_r = *addr_r = NULL;
	/* Only the bracket-less "phrase addr-spec" form: anything with brackets, quotes or a
	 * comma is a form GMime reads itself, or not a single mailbox. */
	if (value == NULL || strpbrk(value, "<>\",") != NULL)
		return 0;
	char *v = g_strstrip(g_strdup(value));
	char *sp = strrchr(v, ' ');
	char *tab = strrchr(v, '\t');
	if (tab != NULL && (sp == NULL || tab > sp))
		sp = tab;
	const char *addr = sp != NULL ? sp + 1 : v;
	if (!bare_addr_ok(addr, strlen(addr))) {
		g_free(v);
		return 0;
	}
	if (sp != NULL)
		*sp = '\0';
	g_strstrip(v);
	char *decoded = g_mime_utils_header_decode_phrase(parse_options(), v);
	char *name = parse_utf8_clean(decoded, TRUE);
	g_free(decoded);
	/* A name that decodes to an address ("=?utf-8?Q?support=40shop.example?=
	 * evil@example.net") is a look-alike for agents: the form is not taken at all. */
	if (strchr(name, '@') != NULL) {
		g_free(name);
		g_free(v);
		return 0;
	}
	*name_r = name;
	*addr_r = g_strdup(addr);
	g_free(v);
	return 1;
}
