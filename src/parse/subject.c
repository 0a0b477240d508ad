/* subject.c: the base subject (reply/forward prefixes and a leading ticket tag removed)
 * and the "[#N]" ticket tag. Pure string functions on UTF-8; safe from any thread. */
#include <string.h>

#include "parse-private.h"

/* Reply and forward prefixes (each followed by an optional [N]/(N) counter and ':' or
 * '：'), compared case-insensitively. */
static const char *const prefixes[] = {
    "re",   "aw",      "sv",   "vs",   "wg",   "fw",	"fwd",	"tr",	  "rif",  "r",	    "antw",
    "odp",  "rv",      "res",  "enc",  "ref",  "vl",	"ynt",	"ilt",	  "pd",	  "doorst", "tv",
    "svar", "antwort", "απ",   "σχετ", "πρθ",  "ответ", "отв",	"пересл", "回复", "答复",   "转发",
    "回覆", "轉寄",    "转寄", "返信", "転送", "회신",	"답장", "전달",	  "השב",  "הועבר",
};

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || ((guchar)s[0] == 0xc2 && (guchar)s[1] == 0xa0))
		s += *s == ' ' || *s == '\t' ? 1 : 2;
	return s;
}

/* "[N]" or "(N)" at s: the end of it, else s. */
static const char *skip_counter(const char *s)
{
	char close = *s == '[' ? ']' : *s == '(' ? ')' : '\0';
	if (close == '\0' || !g_ascii_isdigit(s[1]))
		return s;
	const char *p = s + 1;
	while (g_ascii_isdigit(*p))
		p++;
	return *p == close ? p + 1 : s;
}

/* s with one "prefix[N]:" removed, or NULL if it does not start with one. */
static const char *strip_prefix(const char *s)
{
	for (gsize i = 0; i < G_N_ELEMENTS(prefixes); i++) {
		glong n = g_utf8_strlen(prefixes[i], -1);
		const char *end = s;
		for (glong k = 0; k < n && *end != '\0'; k++)
			end = g_utf8_next_char(end);
		char *head = g_utf8_casefold(s, end - s);
		gboolean match = strcmp(head, prefixes[i]) == 0;
		g_free(head);
		if (!match)
			continue;
		const char *p = skip_space(skip_counter(skip_space(end)));
		if (*p == ':')
			return p + 1;
		if (strncmp(p, "\xef\xbc\x9a", 3) == 0) /* U+FF1A FULLWIDTH COLON */
			return p + 3;
	}
	return NULL;
}

/* "[#N]" at s: the end of it, else NULL; *id_r gets N. */
static const char *match_tag(const char *s, gint64 *id_r)
{
	if (s[0] != '[' || s[1] != '#')
		return NULL;
	const char *p = s + 2;
	gint64 id = 0;
	int digits = 0;
	while (g_ascii_isdigit(*p)) {
		/* At most 18 digits are accumulated, so id * 10 never overflows gint64 (the
		 * 19th digit did: found by tests/fuzz/fuzz_parse); a longer number is no tag. */
		if (++digits > 18)
			return NULL;
		id = id * 10 + (*p - '0');
		p++;
	}
	if (digits == 0 || *p != ']')
		return NULL;
	*id_r = id;
	return p + 1;
}

char *parse_subject_base(const char *subject)
{
	char *clean = parse_utf8_clean(subject, TRUE);
	const char *s = skip_space(clean);
	for (;;) {
		gint64 id;
		const char *next = match_tag(s, &id);
		if (next == NULL)
			next = strip_prefix(s);
		if (next == NULL)
			break;
		s = skip_space(next);
	}
	char *out = g_strstrip(g_strdup(s));
	g_free(clean);
	return out;
}

int parse_subject_tag(const char *subject, gint64 *id_r)
{
	if (subject == NULL)
		return 0;
	for (const char *p = strstr(subject, "[#"); p != NULL; p = strstr(p + 1, "[#")) {
		gint64 id;
		if (match_tag(p, &id) != NULL) {
			*id_r = id;
			return 1;
		}
	}
	return 0;
}
