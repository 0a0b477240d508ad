/* parse/quote: the new text of a reply (parse_reply_text). Cuts quoted text, attribution
 * lines, Outlook header blocks, signatures and the reply-above marker from the text part;
 * for HTML, drops the clients' quote containers and renders the rest to text first.
 * Owns nothing beyond each call; no global state except libxml2's one-time init, so it is
 * safe from any thread.
 *
 * Rules for '>' quotes (they decide interleaved replies): quoted lines are always dropped,
 * together with the attribution line(s) just before a quote block; every unquoted line
 * before the first hard cut is kept, so text above a quote (top posting), below it (bottom
 * posting) and between quote blocks (interleaved answers) survives. Where a quote block was
 * removed between kept lines, one blank line stands in for it. Hard cuts (everything after
 * is dropped): the marker line, an attribution NOT followed by a quote, "-----Original
 * Message-----" lines, From/Sent header blocks, "-- "/"--" signature delimiters and a
 * mailing-list footer rule (a line of 20+ underscores with at most 5 text lines after it).
 * A mobile signature ("Sent from my iPhone") is dropped when it is the last line left.
 * Every check looks at one line or at most a few short lines: linear in the input size.
 * Each step over a line is counted in the caller's struct parse_work (lines), so tests
 * hold that to a multiple of the input size instead of timing it. */
#include "config.h"
#include "postdesk/parse.h"

#include <string.h>

#include "parse-private.h"

#define ATTR_MAX 600 /* longest (joined) attribution line we consider */
#define FOOTER_TEXT_MAX 5

enum kind { K_BLANK, K_TEXT, K_QUOTE, K_DROP };

/* ---- single-line predicates ---- */

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* "-----Original Message-----" and its translations, dashes on both sides. */
static gboolean is_original_message(const char *line)
{
	static const char *const names[] = {"original message",	      "ursprüngliche nachricht",
					    "message d'origine",      "mensaje original",
					    "oorspronkelijk bericht", "mensagem original",
					    "messaggio originale",    "originalmeddelande",
					    "oprindelig meddelelse",  NULL};
	const char *s = skip_ws(line);
	gsize len = strlen(s);
	if (len > 80 || len < 4 || strncmp(s, "--", 2) != 0 || strcmp(s + len - 2, "--") != 0)
		return FALSE;
	char *mid = g_strndup(s, len);
	g_strstrip(g_strdelimit(mid, "-", ' '));
	char *low = g_utf8_strdown(mid, -1);
	gboolean found = g_strv_contains(names, low);
	g_free(low);
	g_free(mid);
	return found;
}

static gboolean is_sig_delimiter(const char *line)
{
	return strcmp(line, "--") == 0 || strcmp(line, "-- ") == 0;
}

/* A line of only -, _, =, * or ~ (an hr drawn in text): dropped when it ends the text. */
static gboolean is_separator(const char *line)
{
	int marks = 0;
	for (const char *p = line; *p != '\0'; p++) {
		if (strchr("-_=*~", *p) != NULL)
			marks++;
		else if (*p != ' ' && *p != '\t')
			return FALSE;
	}
	return marks >= 3;
}

static gboolean is_underscore_rule(const char *line)
{
	const char *s = skip_ws(line);
	gsize n = strspn(s, "_");
	return n >= 20 && s[n] == '\0';
}

/* "Sent from my iPhone" and friends: a short line, no sentence punctuation. */
static gboolean is_mobile_signature(const char *line)
{
	static const char *const prefixes[] = {
	    "sent from my ",	     "sent from yahoo mail", "sent from mail for windows",
	    "sent from outlook",     "sent from samsung",    "sent with blackberry",
	    "get outlook for ",	     "gesendet von meinem ", "gesendet mit ",
	    "von meinem ",	     "envoyé de mon ",	     "envoyé depuis mon ",
	    "enviado desde mi ",     "enviado do meu ",	     "verzonden vanaf mijn ",
	    "verstuurd vanaf mijn ", "inviato da ",	     NULL};
	const char *s = skip_ws(line);
	if (strlen(s) > 60 || strpbrk(s, ",;!?") != NULL)
		return FALSE;
	char *low = g_utf8_strdown(s, -1);
	gboolean found = FALSE;
	for (int i = 0; prefixes[i] != NULL && !found; i++)
		found = g_str_has_prefix(low, prefixes[i]);
	g_free(low);
	return found;
}

/* ---- attributions ---- */

static gboolean has_verb(const char *low)
{
	static const char *const verbs[] = {"wrote",	"schrieb", "a écrit",  "a ecrit",
					    "escribió", "schreef", "escreveu", "ha scritto",
					    "skrev",	"napisał", "написал",  NULL};
	for (int i = 0; verbs[i] != NULL; i++)
		if (strstr(low, verbs[i]) != NULL)
			return TRUE;
	return FALSE;
}

/* A time (12:34), a numeric date (26.06.2014, 4/4/12) or an address: what the first line
 * of an attribution in a language we have no words for still shows. */
static gboolean has_date_or_address(const char *s)
{
	if (strchr(s, '@') != NULL)
		return TRUE;
	for (const char *p = s; *p != '\0'; p++) {
		if (!g_ascii_isdigit(*p))
			continue;
		const char *q = p;
		while (g_ascii_isdigit(*q))
			q++;
		if ((*q == ':' || *q == '.' || *q == '/') && q - p <= 4 && g_ascii_isdigit(q[1]))
			return TRUE;
		p = q - 1;
	}
	return FALSE;
}

static gboolean ends_with_colon(const char *s)
{
	gsize len = strlen(s);
	return len > 0 && s[len - 1] == ':';
}

/* Starts like an attribution: "On ", "Am ", ... (Yahoo puts "--- " before it). */
static gboolean attribution_start(const char *line)
{
	static const char *const starts[] = {"On ", "Am ", "Le ",  "El ",     "Op ",
					     "Em ", "Il ", "Den ", "W dniu ", NULL};
	const char *s = line + strspn(line, " \t-");
	for (int i = 0; starts[i] != NULL; i++)
		if (g_str_has_prefix(s, starts[i]))
			return TRUE;
	return FALSE;
}

/* "On <date>, <name> wrote:" in the languages we know, in one joined string. */
static gboolean is_attribution(const char *s)
{
	if (!ends_with_colon(s) || strpbrk(s, "0123456789") == NULL)
		return FALSE;
	char *low = g_utf8_strdown(s, -1);
	gboolean verb = has_verb(low);
	g_free(low);
	return verb;
}

/* Joins lines [i, i+k) with single spaces, or NULL if they are not all short text lines. */
static char *join_lines(char **v, const guint8 *kind, guint i, guint k, guint n,
			struct parse_work *work)
{
	if (i + k > n)
		return NULL;
	GString *s = g_string_new(NULL);
	for (guint j = i; j < i + k; j++) {
		work->lines++;
		if (kind[j] != K_TEXT || s->len + strlen(v[j]) > ATTR_MAX) {
			g_string_free(s, TRUE);
			return NULL;
		}
		if (s->len > 0)
			g_string_append_c(s, ' ');
		g_string_append(s, skip_ws(v[j]));
	}
	return g_string_free(s, FALSE);
}

/* Number of lines (1..3: Gmail wraps long names) of a known attribution at i, else 0. */
static guint attribution_at(char **v, const guint8 *kind, guint i, guint n, struct parse_work *work)
{
	if (strlen(v[i]) > ATTR_MAX || !attribution_start(v[i]))
		return 0;
	for (guint k = 1; k <= 3; k++) {
		char *joined = join_lines(v, kind, i, k, n, work);
		if (joined == NULL)
			return 0;
		gboolean ok = is_attribution(joined);
		g_free(joined);
		if (ok)
			return k;
	}
	return 0;
}

/* Line i ends a paragraph right before a quote block and ends with ':'. In any language,
 * it is an attribution if it names a verb, or shows a date, time or address; it may have
 * been wrapped: the first of up to 3 lines that shows a date/address starts it. Returns the
 * first line of the attribution, or -1. */
static gint64 generic_attribution_start(char **v, const guint8 *kind, guint i,
					struct parse_work *work)
{
	if (strlen(v[i]) > ATTR_MAX || !ends_with_colon(v[i]))
		return -1;
	char *low = g_utf8_strdown(v[i], -1);
	gboolean verb = has_verb(low);
	g_free(low);
	if (!verb && !has_date_or_address(v[i]))
		return -1;
	guint first = i;
	for (guint j = i; j + 2 >= i && kind[j] == K_TEXT && strlen(v[j]) <= ATTR_MAX; j--) {
		work->lines++;
		if (has_date_or_address(v[j]))
			first = j;
		if (j == 0)
			break;
	}
	return first;
}

/* Two or more header lines in a row with a From and a Sent/Date among them. */
static gboolean is_header_block(char **v, guint i, guint n, struct parse_work *work)
{
	int seen = 0, run = 0;
	for (guint j = i; j < n && run < 8; j++, run++) {
		work->lines++;
		int k = strlen(v[j]) < 1000 ? parse_quote_header_key(v[j]) : 0;
		if (k == 0)
			break;
		seen |= k;
	}
	return run >= 2 && (seen & PARSE_HK_FROM) && (seen & PARSE_HK_DATE);
}

static guint next_nonblank(const guint8 *kind, guint i, guint n, struct parse_work *work)
{
	while (i < n && kind[i] == K_BLANK) {
		work->lines++;
		i++;
	}
	return i;
}

/* ---- the text rules ---- */

/* Marks quotes and attributions K_DROP and returns the index of the first hard cut. */
static guint classify(char **v, guint8 *kind, guint n, struct parse_work *work)
{
	guint *text_after = g_new0(guint, n + 1);
	for (guint i = n; i > 0; i--)
		text_after[i - 1] = text_after[i] + (kind[i - 1] == K_TEXT);
	work->lines += n;
	guint cut = n;
	for (guint i = 0; i < n && cut == n; i++) {
		work->lines++;
		if (kind[i] != K_TEXT)
			continue;
		guint k = attribution_at(v, kind, i, n, work);
		if (k > 0) {
			guint next = next_nonblank(kind, i + k, n, work);
			if (next < n && kind[next] == K_QUOTE) {
				memset(kind + i, K_DROP, k);
				i += k - 1;
			} else {
				cut = i;
			}
			continue;
		}
		if (is_original_message(v[i]) || is_sig_delimiter(v[i]) ||
		    is_header_block(v, i, n, work) ||
		    (is_underscore_rule(v[i]) && text_after[i + 1] <= FOOTER_TEXT_MAX)) {
			cut = i;
			continue;
		}
		guint next = next_nonblank(kind, i + 1, n, work);
		if (next < n && kind[next] == K_QUOTE) {
			gint64 first = generic_attribution_start(v, kind, i, work);
			if (first >= 0)
				memset(kind + first, K_DROP, i - first + 1);
		}
	}
	g_free(text_after);
	return cut;
}

static void drop_trailing(GPtrArray *out, gboolean separators, struct parse_work *work)
{
	while (out->len > 0) {
		work->lines++;
		const char *last = g_ptr_array_index(out, out->len - 1);
		if (*last != '\0' && !(separators && is_separator(last)))
			break;
		g_ptr_array_set_size(out, out->len - 1);
	}
}

/* Kept lines of [0, cut), a removed block between kept lines becoming one blank line. */
static char *assemble(char **v, const guint8 *kind, guint cut, struct parse_work *work)
{
	GPtrArray *out = g_ptr_array_new();
	gboolean gap = FALSE;
	for (guint i = 0; i < cut; i++) {
		work->lines++;
		if (kind[i] == K_QUOTE || kind[i] == K_DROP) {
			gap = TRUE;
		} else if (kind[i] == K_TEXT) {
			if (gap) {
				drop_trailing(out, FALSE, work);
				if (out->len > 0)
					g_ptr_array_add(out, "");
				gap = FALSE;
			}
			g_ptr_array_add(out, v[i]);
		} else if (!gap && out->len > 0) {
			g_ptr_array_add(out, v[i]);
		}
	}
	drop_trailing(out, TRUE, work);
	if (out->len > 0 && is_mobile_signature(g_ptr_array_index(out, out->len - 1))) {
		g_ptr_array_set_size(out, out->len - 1);
		drop_trailing(out, TRUE, work);
	}
	g_ptr_array_add(out, NULL);
	char *r = g_strjoinv("\n", (char **)out->pdata);
	g_ptr_array_free(out, TRUE);
	return r;
}

static char *text_reply(const char *text, const char *marker, struct parse_work *work)
{
	char *norm = parse_quote_normalize(text != NULL ? text : "");
	/* split in place (no strstr per line: sanitizer builds rescan the rest for each) */
	GPtrArray *lines = g_ptr_array_new();
	for (char *p = norm, *nl; p != NULL; p = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		g_ptr_array_add(lines, p);
		work->lines++;
	}
	char **v = (char **)lines->pdata;
	guint n = lines->len;
	guint8 *kind = g_new(guint8, n + 1);
	guint cut = n;
	work->lines += n;
	for (guint i = 0; i < n; i++) {
		g_strchomp(v[i]);
		const char *s = skip_ws(v[i]);
		kind[i] = *s == '\0' ? K_BLANK : *s == '>' ? K_QUOTE : K_TEXT;
		if (cut == n && marker != NULL && *marker != '\0' && strstr(v[i], marker) != NULL)
			cut = i;
	}
	guint hard = classify(v, kind, cut, work);
	char *r = assemble(v, kind, hard, work);
	g_free(kind);
	g_ptr_array_free(lines, TRUE);
	g_free(norm);
	return r;
}

char *parse_reply_text(const char *text, const char *html, const char *marker)
{
	struct parse_work work = {0};
	return parse_reply_text_work(text, html, marker, &work);
}

char *parse_reply_text_work(const char *text, const char *html, const char *marker,
			    struct parse_work *work)
{
	if (html != NULL && *html != '\0') {
		char *rendered = parse_quote_html_render(html, work);
		char *reply = text_reply(rendered, marker, work);
		g_free(rendered);
		if (*reply != '\0')
			return reply;
		g_free(reply);
	}
	return text_reply(text, marker, work);
}
