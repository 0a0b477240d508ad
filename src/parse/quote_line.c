/* quote_line.c: what one line of a reply is, for both halves of parse_reply_text(): text
 * in the one form every rule sees (LF line ends, valid UTF-8, NBSP as space), and which
 * mail header a line starts ("From:", "*Sent:*", "De :"...). quote.c uses these on the
 * text, quote_html.c to recognise Outlook's reply headers in HTML; a leaf, so neither of
 * those calls the other back. Pure functions; safe from any thread. */
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

/* Which mail header a line like "From: x", "*Sent:* y" or "De : z" starts with; 0 none. */
int parse_quote_header_key(const char *line)
{
	static const char *const from[] = {"from", "von", "de", "van",	  "da", "от",
					   "från", "fra", "od", "kimden", NULL};
	static const char *const date[] = {
	    "sent",	  "date",  "gesendet",	"datum",     "envoyé",	"enviado",
	    "enviada",	  "fecha", "verzonden", "verstuurd", "data",	"inviato",
	    "отправлено", "дата",  "skickat",	"sendt",     "wysłano", NULL};
	static const char *const other[] = {
	    "to",   "cc",     "bcc",  "subject",   "an",       "betreff", "à",	     "objet",
	    "para", "asunto", "aan",  "onderwerp", "assunto",  "a",	  "oggetto", "кому",
	    "тема", "копия",  "till", "ämne",	   "reply-to", "temat",	  "do",	     NULL};
	const char *s = line + strspn(line, " \t");
	const char *colon = strchr(s, ':');
	if (colon == NULL || colon - s > 30 || colon == s)
		return 0;
	char *key = g_strndup(s, colon - s);
	g_strstrip(g_strdelimit(key, "*", ' '));
	char *low = g_utf8_strdown(key, -1);
	int r = g_strv_contains(from, low)    ? PARSE_HK_FROM
		: g_strv_contains(date, low)  ? PARSE_HK_DATE
		: g_strv_contains(other, low) ? PARSE_HK_OTHER
					      : 0;
	g_free(low);
	g_free(key);
	return r;
}
