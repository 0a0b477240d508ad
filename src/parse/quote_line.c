/* quote_line.c: what one line of a reply is, for both halves of parse_reply_text(): text
 * in the one form every rule sees (LF line ends, valid UTF-8, NBSP as space); which mail
 * header a line starts ("From:", "*Sent:*", "De :"...); what it shows (a time, a date, an
 * address, a final colon); and the keyword table of quote_words.def (attribution verbs,
 * header names, separators, mobile signatures in each language) that every rule looks
 * words up in. quote.c uses these on the text, quote_html.c to recognise Outlook's reply
 * headers in HTML; a leaf, so neither of those calls the other back. Pure functions; safe
 * from any thread. */
#include "config.h"

#include <string.h>

#include "parse-private.h"

/* Valid UTF-8 with LF line ends and NBSP as plain spaces, so every rule sees one form. */
char *parse_quote_normalize(const char *text)
{
	char *s = g_utf8_make_valid(text, -1);
	char *w = s;
	for (const char *r = s; *r != '\0'; r++) {
		if (r[0] == '\r') {
			*w++ = '\n';
			if (r[1] == '\n')
				r++;
		} else if ((guchar)r[0] == 0xC2 && (guchar)r[1] == 0xA0) {
			*w++ = ' ';
			r++;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return s;
}

/* The keyword table (quote_words.def): what each language's mail clients write. */
static const struct {
	const char *lang;
	guint8 kind;
	const char *text;
} words[] = {
#define QW(lang, kind, text) {#lang, PARSE_QW_##kind, text},
#include "quote_words.def"
#undef QW
};

gboolean parse_quote_word(enum parse_qw kind, const char *s, enum parse_qw_match how)
{
	gsize len = strlen(s);
	for (gsize i = 0; i < G_N_ELEMENTS(words); i++) {
		if (words[i].kind != kind)
			continue;
		const char *w = words[i].text;
		gsize wl = strlen(w);
		gboolean hit = how == PARSE_QW_EQUAL	? strcmp(s, w) == 0
			       : how == PARSE_QW_PREFIX ? strncmp(s, w, wl) == 0
			       : how == PARSE_QW_SUFFIX ? len >= wl && strcmp(s + len - wl, w) == 0
							: strstr(s, w) != NULL;
		if (hit)
			return TRUE;
	}
	return FALSE;
}

guint parse_quote_word_languages(void)
{
	guint n = 0;
	for (gsize i = 0; i < G_N_ELEMENTS(words); i++)
		n += i == 0 || strcmp(words[i].lang, words[i - 1].lang) != 0;
	return n;
}

/* Where a "Name:" field name ends: its ':' (or a full-width '：'), NULL if none. */
static const char *field_colon(const char *s, gsize *colon_len_r)
{
	const char *colon = strchr(s, ':');
	const char *wide = strstr(s, "\xEF\xBC\x9A");
	if (wide != NULL && (colon == NULL || wide < colon)) {
		*colon_len_r = 3;
		return wide;
	}
	*colon_len_r = 1;
	return colon;
}

/* Which header a line like "From: x", "*Sent:* y", "De : z" or "发件人：w" starts with:
 * PARSE_HK_FROM/DATE/OTHER for a name in the keyword table, PARSE_HK_SHAPE for a short
 * unknown name of at most three words followed by ':' and a space; 0 if no header. */
int parse_quote_header_key(const char *line)
{
	const char *s = line + strspn(line, " \t*");
	gsize colon_len = 1;
	const char *colon = field_colon(s, &colon_len);
	if (colon == NULL || colon - s > 30 || colon == s)
		return 0;
	char *key = g_strndup(s, colon - s);
	g_strstrip(g_strdelimit(key, "*", ' '));
	char *low = g_utf8_strdown(key, -1);
	const char *after = colon + colon_len;
	if (*after == '*')
		after++;
	int r = parse_quote_word(PARSE_QW_FROM, low, PARSE_QW_EQUAL)	? PARSE_HK_FROM
		: parse_quote_word(PARSE_QW_DATE, low, PARSE_QW_EQUAL)	? PARSE_HK_DATE
		: parse_quote_word(PARSE_QW_FIELD, low, PARSE_QW_EQUAL) ? PARSE_HK_OTHER
									: 0;
	int spaces = 0;
	for (const char *p = low; *p != '\0'; p++)
		spaces += *p == ' ';
	if (r == 0 && *low != '\0' && spaces <= 2 &&
	    strpbrk(low, "0123456789@<>()[]/=\"") == NULL &&
	    (*after == ' ' || *after == '\t' || *after == '\0'))
		r = PARSE_HK_SHAPE;
	g_free(low);
	g_free(key);
	return r;
}

/* A time of day: 10:15, 9.05, 10:15:06 (not a date like 03.03.2026). */
gboolean parse_quote_has_time(const char *s)
{
	for (const char *p = s; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p) || (p > s && g_ascii_isdigit(p[-1])))
			continue;
		const char *q = p;
		while (g_ascii_isdigit(*q))
			q++;
		if (q - p > 2 || (*q != ':' && *q != '.') || !g_ascii_isdigit(q[1]) ||
		    !g_ascii_isdigit(q[2]) || g_ascii_isdigit(q[3]))
			continue;
		if (*q == '.' && q[3] == '.' && g_ascii_isdigit(q[4]))
			continue; /* 03.03.2026 */
		return TRUE;
	}
	return FALSE;
}

/* A date: a year (19xx, 20xx) or a numeric day, month and year (3/3/26, 03.03.2026). */
gboolean parse_quote_has_date(const char *s)
{
	for (const char *p = s; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p) || (p > s && g_ascii_isdigit(p[-1])))
			continue;
		const char *q = p;
		while (g_ascii_isdigit(*q))
			q++;
		if (q - p == 4 && (strncmp(p, "19", 2) == 0 || strncmp(p, "20", 2) == 0))
			return TRUE;
		/* strchr finds the terminator too: a number at the end of the line is no date */
		if (*q == '\0' || strchr("./-", *q) == NULL || q - p > 4 || !g_ascii_isdigit(q[1]))
			continue;
		const char *r = q + 1;
		while (g_ascii_isdigit(*r))
			r++;
		if (*r == *q && g_ascii_isdigit(r[1]))
			return TRUE;
	}
	return FALSE;
}

gboolean parse_quote_has_address(const char *s)
{
	const char *at = strchr(s, '@');
	return at != NULL && at > s && at[-1] != ' ' && at[1] != '\0' && at[1] != ' ';
}

/* Length of s without the bidi controls (LRM, RLM, LRE..RLO, LRI..PDI) at its end, which
 * Hebrew and Arabic clients put around names, addresses and whole lines. */
static gsize len_without_bidi(const char *s)
{
	gsize len = strlen(s);
	while (len >= 3 && (guchar)s[len - 3] == 0xE2 &&
	       (((guchar)s[len - 2] == 0x80 &&
		 ((guchar)s[len - 1] == 0x8E || (guchar)s[len - 1] == 0x8F ||
		  ((guchar)s[len - 1] >= 0xAA && (guchar)s[len - 1] <= 0xAE))) ||
		((guchar)s[len - 2] == 0x81 && (guchar)s[len - 1] >= 0xA6 &&
		 (guchar)s[len - 1] <= 0xA9)))
		len -= 3;
	return len;
}

/* Ends with ':' or a full-width '：' (Chinese and Japanese clients), bidi controls aside. */
gboolean parse_quote_ends_with_colon(const char *s)
{
	gsize len = len_without_bidi(s);
	return (len > 0 && s[len - 1] == ':') ||
	       (len >= 3 && memcmp(s + len - 3, "\xEF\xBC\x9A", 3) == 0);
}
