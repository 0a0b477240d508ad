/* lang: the table of shipped languages (LANG_CODES) and the reading of language tags
 * (Content-Language, the #lang command, the queue's `language`). Which language a ticket
 * gets is decided in thread/, how it is detected in parse/ (doc/languages.md).
 * Owns nothing; the table is constant: any thread. */
#include "config.h"
#include "postdesk/lib.h"

#include <string.h>

#define LANG_NAME(c) c,
static const char *const codes[] = {LANG_CODES(LANG_NAME)};

int lang_index(const char *code)
{
	if (code == NULL)
		return -1;
	for (guint i = 0; i < G_N_ELEMENTS(codes); i++)
		if (g_ascii_strcasecmp(codes[i], code) == 0)
			return (int)i;
	return -1;
}

const char *lang_code(int i)
{
	return i >= 0 && i < (int)G_N_ELEMENTS(codes) ? codes[i] : NULL;
}

/* The primary subtag of one BCP 47 tag (RFC 5646): letters up to the first '-' or '_'
 * (some clients write de_DE), with the list's whitespace and any ";q=" weight cut off. */
const char *lang_from_tags(const char *tags)
{
	char **list;
	const char *found = NULL;

	if (tags == NULL)
		return NULL;
	list = g_strsplit(tags, ",", 16);
	for (guint i = 0; found == NULL && list[i] != NULL; i++) {
		char *tag = g_strstrip(list[i]);
		gsize n = strcspn(tag, "-_; \t");
		int idx;

		tag[n] = '\0';
		if ((idx = lang_index(tag)) >= 0)
			found = codes[idx];
	}
	g_strfreev(list);
	return found;
}
