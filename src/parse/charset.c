/* charset.c: bytes in a declared, missing or wrong charset -> valid UTF-8.
 * Conversion is iconv (through GLib) with GMime's charset name tables; the guessing order
 * for a missing or wrong label is ISO-2022-JP (if escapes are present), UTF-8, then
 * windows-1252. Owns nothing; pure functions, safe from any thread. */
#include <errno.h>
#include <string.h>

#include "parse-private.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* iconv the whole buffer to UTF-8. An invalid or truncated sequence becomes U+FFFD and is
 * counted in *bad_r. NULL if iconv does not know the charset. */
static char *iconv_lenient(const char *data, gsize len, const char *from, gsize *bad_r,
			   gsize *len_r)
{
	GIConv cd = g_iconv_open("UTF-8", from);
	if (cd == (GIConv)-1)
		return NULL;
	GString *out = g_string_sized_new(len + len / 2 + 16);
	char buf[4096];
	gchar *in = (gchar *)data;
	gsize inleft = len;
	*bad_r = 0;
	while (inleft > 0) {
		gchar *o = buf;
		gsize oleft = sizeof buf;
		gsize r = g_iconv(cd, &in, &inleft, &o, &oleft);
		g_string_append_len(out, buf, o - buf);
		if (r != (gsize)-1 || errno == E2BIG)
			continue;
		/* EILSEQ, EINVAL (truncated at the end) or anything else: skip one byte */
		g_string_append(out, REPLACEMENT);
		in++;
		inleft--;
		(*bad_r)++;
	}
	gchar *o = buf;
	gsize oleft = sizeof buf;
	g_iconv(cd, NULL, NULL, &o, &oleft);
	g_string_append_len(out, buf, o - buf);
	g_iconv_close(cd);
	*len_r = out->len;
	return g_string_free(out, FALSE);
}

/* NUL bytes cannot live in a C string: drop them (in place). */
static gsize strip_nul(char *s, gsize len)
{
	gsize j = 0;
	for (gsize i = 0; i < len; i++)
		if (s[i] != '\0')
			s[j++] = s[i];
	s[j] = '\0';
	return j;
}

static gboolean is_ascii(const char *s, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if ((guchar)s[i] >= 0x80)
			return FALSE;
	return TRUE;
}

/* ESC $ or ESC ( : designator sequences of ISO-2022-JP; they are 7-bit, so such text is
 * also "valid UTF-8" and must be recognised before that test. */
static gboolean has_iso2022_escape(const char *s, gsize len)
{
	for (gsize i = 0; i + 2 < len; i++)
		if (s[i] == 0x1b && (s[i + 1] == '$' || s[i + 1] == '('))
			return TRUE;
	return FALSE;
}

/* Labels that say nothing about the bytes. */
static gboolean is_unlabelled(const char *canon)
{
	static const char *const none[] = {
	    "us-ascii", "ascii",   "unknown-8bit",   "x-unknown",      "unknown",
	    "8bit",	"default", "x-user-defined", "ansi_x3.4-1968", NULL};
	for (int i = 0; none[i] != NULL; i++)
		if (g_ascii_strcasecmp(canon, none[i]) == 0)
			return TRUE;
	return FALSE;
}

/* iconv name to decode a label with: a few labels are decoded as the superset mail
 * clients really send under them (as browsers do). */
static const char *decode_name(const char *canon)
{
	static const char *const map[][2] = {
	    {"iso-8859-1", "WINDOWS-1252"},
	    {"latin1", "WINDOWS-1252"},
	    {"gb2312", "GB18030"},
	    {"gbk", "GB18030"},
	    {"x-gbk", "GB18030"},
	    {"euc-cn", "GB18030"},
	    {"shift_jis", "CP932"},
	    {"shift-jis", "CP932"},
	    {"sjis", "CP932"},
	    {"x-sjis", "CP932"},
	    {"ks_c_5601-1987", "CP949"},
	    {"euc-kr", "CP949"},
	    {"big5", "CP950"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(map); i++)
		if (g_ascii_strcasecmp(canon, map[i][0]) == 0)
			return map[i][1];
	return g_mime_charset_iconv_name(canon);
}

static gboolean is_wide(const char *canon)
{
	return g_ascii_strncasecmp(canon, "utf-16", 6) == 0 ||
	       g_ascii_strncasecmp(canon, "utf-32", 6) == 0 ||
	       g_ascii_strncasecmp(canon, "ucs-", 4) == 0 ||
	       g_ascii_strncasecmp(canon, "ucs2", 4) == 0;
}

/* Convert with the declared charset; NULL if that does not give a trustworthy result. */
static char *convert_declared(char *copy, gsize len, const char *canon, gboolean *guessed_r)
{
	gboolean valid_utf8 = g_utf8_validate_len(copy, len, NULL);
	if (g_ascii_strcasecmp(canon, "utf-8") == 0)
		return valid_utf8 ? g_strdup(copy) : NULL;
	/* Latin-1 labels on UTF-8 text are common, and real Latin-1 text is almost never
	 * valid UTF-8. */
	if (valid_utf8 && !is_ascii(copy, len) &&
	    (g_ascii_strcasecmp(canon, "iso-8859-1") == 0 ||
	     g_ascii_strcasecmp(canon, "iso-8859-15") == 0 ||
	     g_ascii_strcasecmp(canon, "windows-1252") == 0)) {
		*guessed_r = TRUE;
		return g_strdup(copy);
	}
	gsize bad = 0, olen = 0;
	char *out = iconv_lenient(copy, len, decode_name(canon), &bad, &olen);
	if (out == NULL)
		return NULL;
	if (bad == 0) {
		strip_nul(out, olen);
		return out;
	}
	/* A few bad bytes in a multi-byte text: the label is right, the text is damaged. */
	if (!valid_utf8 && bad * 100 < len && !is_ascii(out, olen)) {
		*guessed_r = TRUE;
		strip_nul(out, olen);
		return out;
	}
	g_free(out);
	return NULL;
}

/* Strict decoders worth a try when a label of the same script family was wrong (an
 * "iso-2022-jp" body in EUC-JP, a "gb2312" one in Big5). */
static const char *const *siblings(const char *canon)
{
	static const char *const ja[] = {"EUC-JP", "CP932", NULL};
	static const char *const zh[] = {"GB18030", "BIG5-HKSCS", NULL};
	static const char *const ko[] = {"CP949", NULL};
	static const struct {
		const char *prefix;
		const char *const *list;
	} families[] = {
	    {"iso-2022-jp", ja}, {"euc-jp", ja}, {"shift", ja},	      {"sjis", ja},
	    {"x-sjis", ja},	 {"cp932", ja},	 {"windows-31j", ja}, {"gb", zh},
	    {"big5", zh},	 {"euc-cn", zh}, {"x-gbk", zh},	      {"cp936", zh},
	    {"euc-kr", ko},	 {"ks_c", ko},	 {"iso-2022-kr", ko}, {"cp949", ko},
	};
	for (gsize i = 0; canon != NULL && i < G_N_ELEMENTS(families); i++)
		if (g_ascii_strncasecmp(canon, families[i].prefix, strlen(families[i].prefix)) == 0)
			return families[i].list;
	return NULL;
}

/* No usable label: ISO-2022-JP if it has the escapes, UTF-8 if valid, a sibling of the
 * wrong label, else windows-1252. */
static char *convert_guess(const char *copy, gsize len, const char *canon)
{
	gsize bad = 0, olen = 0;
	char *out;
	if (has_iso2022_escape(copy, len)) {
		out = iconv_lenient(copy, len, "ISO-2022-JP", &bad, &olen);
		if (out != NULL && bad == 0)
			return out;
		g_free(out);
	}
	if (g_utf8_validate_len(copy, len, NULL))
		return g_strdup(copy);
	const char *const *sib = siblings(canon);
	for (int i = 0; sib != NULL && sib[i] != NULL; i++) {
		out = iconv_lenient(copy, len, sib[i], &bad, &olen);
		if (out != NULL && bad == 0) {
			strip_nul(out, olen);
			return out;
		}
		g_free(out);
	}
	out = iconv_lenient(copy, len, "WINDOWS-1252", &bad, &olen);
	if (out != NULL) {
		strip_nul(out, olen);
		return out;
	}
	return g_utf8_make_valid(copy, len);
}

char *parse_charset_to_utf8(const char *data, gsize len, const char *charset, gboolean *guessed_r)
{
	const char *canon = NULL;
	if (charset != NULL && *charset != '\0')
		canon = g_mime_charset_canon_name(charset);
	if (canon != NULL && is_unlabelled(canon))
		canon = NULL;

	char *copy = g_malloc(len + 1);
	if (len > 0)
		memcpy(copy, data, len);
	copy[len] = '\0';
	if (canon == NULL || !is_wide(canon))
		len = strip_nul(copy, len);

	gboolean escapes = has_iso2022_escape(copy, len);
	char *out = NULL;
	if (canon == NULL && is_ascii(copy, len) && !escapes)
		out = g_strdup(copy);
	else if (canon != NULL && !(escapes && g_ascii_strcasecmp(canon, "utf-8") == 0))
		out = convert_declared(copy, len, canon, guessed_r);
	if (out == NULL) {
		*guessed_r = TRUE;
		out = convert_guess(copy, len, canon);
	}
	g_free(copy);
	if (!g_utf8_validate(out, -1, NULL)) {
		char *valid = g_utf8_make_valid(out, -1);
		g_free(out);
		out = valid;
	}
	return out;
}

char *parse_utf8_clean(const char *s, gboolean one_line)
{
	char *out = g_utf8_make_valid(s != NULL ? s : "", -1);
	if (one_line) {
		for (char *p = out; *p != '\0'; p++)
			if (*p == '\r' || *p == '\n' || *p == '\t')
				*p = ' ';
		g_strstrip(out);
	}
	return out;
}
