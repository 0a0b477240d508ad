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
 * is dropped): the marker line, an attribution NOT followed by a quote (Outlook and many
 * webmails leave the original unmarked), "original message" separators, header blocks,
 * "-- "/"--" signature delimiters, a mailing-list footer rule (2+ underscores with at most
 * 5 text lines after it), and a mobile signature ("Sent from my iPhone") that the original
 * follows; one that ends the text is dropped too.
 * The words come from the keyword table (quote_words.def, one line per word and language);
 * the rules are structural so that languages and clients not in it work too: a header
 * block is 3-6 "Name: value" lines starting with the sender's address and showing a dated
 * time, whatever the names; an attribution shows a time and an address, or opens with a
 * known word and names a known verb, and ends in ':', in its verb or in dashes; it may be
 * wrapped over 3 lines, even onto a line of just ">:" or ":"; a line re-wrapped without
 * '>' between quoted lines belongs to the quote.
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

/* A rule of underscores: 2 or more ("__" is how some list managers draw their footer). */
static gboolean is_underscore_rule(const char *line)
{
	const char *s = skip_ws(line);
	gsize n = strspn(s, "_");
	return n >= 2 && s[n] == '\0';
}

/* "-----Original Message-----", "-------- Message d'origine --------", "----- Mail
 * original -----": a separator phrase of the keyword table between rule characters. */
static gboolean is_original_message(const char *line)
{
	const char *s = skip_ws(line);
	gsize len = strlen(s);
	if (len > 120 || len < 4)
		return FALSE;
	gsize lead = strspn(s, "-_=* ");
	gsize end = len;
	while (end > lead && strchr("-_=* :", s[end - 1]) != NULL)
		end--;
	if (end <= lead || lead + (len - end) < 2)
		return FALSE;
	char *mid = g_strndup(s + lead, end - lead);
	char *low = g_utf8_strdown(mid, -1);
	gboolean found = parse_quote_word(PARSE_QW_ORIGINAL, low, PARSE_QW_EQUAL);
	g_free(low);
	g_free(mid);
	return found;
}

/* "Sent from my iPhone", "Von meinem iPhone gesendet", "iPhoneから送信", "Get Outlook for
 * Android": a short line without sentence punctuation, starting (or, where the device
 * comes first, ending) with a mobile signature of the keyword table. */
static gboolean is_mobile_signature(const char *line)
{
	const char *s = skip_ws(line);
	if (g_utf8_strlen(s, -1) > 60 || strpbrk(s, ",;!?") != NULL)
		return FALSE;
	char *low = g_utf8_strdown(s, -1);
	gsize len = strlen(low);
	if (len > 0 && low[len - 1] == '.')
		low[len - 1] = '\0';
	gboolean found = parse_quote_word(PARSE_QW_MOBILE, low, PARSE_QW_PREFIX) ||
			 parse_quote_word(PARSE_QW_MOBILE_END, low, PARSE_QW_SUFFIX) ||
			 (strstr(low, "outlook") != NULL &&
			  (strstr(low, "ios") != NULL || strstr(low, "android") != NULL));
	g_free(low);
	return found;
}

/* ---- attributions ---- */

static gboolean has_verb(const char *s)
{
	char *low = g_utf8_strdown(s, -1);
	gboolean found = parse_quote_word(PARSE_QW_VERB, low, PARSE_QW_CONTAINS);
	g_free(low);
	return found;
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

/* Opens like an attribution: "On ", "Am ", "W dniu "... (Yahoo and Zoho put dashes first). */
static gboolean attribution_start(const char *line)
{
	return parse_quote_word(PARSE_QW_START, line + strspn(line, " \t-"), PARSE_QW_PREFIX);
}

/* One (joined) attribution: it ends with ':' or, as Zoho and some mobile clients write it,
 * with the verb itself ("---- On ... wrote ----"); it shows a digit; and it either opens
 * like an attribution and names a verb, or shows both a time and an address, which
 * attributions in every language do. first is its first line. */
static gboolean is_attribution(const char *first, const char *joined)
{
	if (strpbrk(joined, "0123456789") == NULL)
		return FALSE;
	char *t = g_strdup(joined);
	gsize len = strlen(t);
	while (len > 0 && strchr(" \t-", t[len - 1]) != NULL)
		t[--len] = '\0';
	char *low = g_utf8_strdown(t, -1);
	gboolean verb_end = parse_quote_word(PARSE_QW_VERB, low, PARSE_QW_SUFFIX);
	/* Zoho: "---- On <date> <name> <address> wrote ----", in dashes */
	gboolean dashed = g_str_has_prefix(skip_ws(joined), "--") && len < strlen(joined);
	gboolean ok = (parse_quote_ends_with_colon(t) || verb_end || dashed) &&
		      ((attribution_start(first) && (verb_end || has_verb(t))) ||
		       (parse_quote_has_address(t) && parse_quote_has_time(t)));
	g_free(low);
	g_free(t);
	return ok;
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

/* Number of lines (1..3: clients wrap long attributions, Gmail even before its last ">:"
 * or ":") of an attribution starting at i, else 0. A wrapped one shows its opening word,
 * a digit or an address on its first line. */
static guint attribution_at(char **v, const guint8 *kind, guint i, guint n, struct parse_work *work)
{
	if (strlen(v[i]) > ATTR_MAX)
		return 0;
	gboolean opens = attribution_start(v[i]) || strpbrk(v[i], "0123456789@") != NULL;
	for (guint k = 1; k <= 3 && (k == 1 || opens); k++) {
		char *joined = join_lines(v, kind, i, k, n, work);
		if (joined == NULL)
			return 0;
		gboolean ok = is_attribution(v[i], joined);
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
	if (strlen(v[i]) > ATTR_MAX || !parse_quote_ends_with_colon(v[i]))
		return -1;
	/* a wrapped end (">:" or ":" alone) is judged with the line before it */
	gboolean wrapped = strlen(skip_ws(v[i])) <= 2 && i > 0 && kind[i - 1] == K_TEXT;
	const char *last = wrapped ? v[i - 1] : v[i];
	if (strlen(last) > ATTR_MAX || (!has_verb(last) && !has_date_or_address(last)))
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

/* A value of a From or To field that Outlook wrapped onto a line of its own. */
static gboolean is_wrapped_address(const char *line)
{
	const char *s = skip_ws(line);
	return strlen(s) <= 120 && parse_quote_has_address(s) &&
	       (*s == '<' || *s == '[' || strchr(s, ' ') == NULL);
}

/* The header block of a quoted message: two or more header lines with a known From and a
 * known Sent/Date among them, or, whatever the names, 3 to 6 "Name: value" lines of which
 * the first shows an address (the sender: From comes first in every client that writes
 * unknown names) and one a date with a time of day (Sent). One wrapped address line may
 * follow the first. A customer's pasted order details or address block, which also show
 * dates and addresses, do not start with the address. */
static gboolean is_header_block(char **v, const guint8 *kind, guint i, guint n,
				struct parse_work *work)
{
	int seen = 0, fields = 0;
	gboolean wrapped = FALSE, dated = FALSE, address = FALSE;
	for (guint j = i; j < n && j < i + 10; j++) {
		work->lines++;
		int k = strlen(v[j]) < 1000 && kind[j] == K_TEXT ? parse_quote_header_key(v[j]) : 0;
		if (k == 0) {
			if (fields == 0 || wrapped || kind[j] != K_TEXT ||
			    !is_wrapped_address(v[j]))
				break;
			wrapped = TRUE;
			address = address || j == i + 1;
			continue;
		}
		fields++;
		seen |= k;
		dated = dated || (parse_quote_has_time(v[j]) && parse_quote_has_date(v[j]));
		address = address || (j == i && parse_quote_has_address(v[j]));
	}
	/* ...and, found by its shape alone, it is a whole block, not the tail of a longer one */
	gboolean whole = i == 0 || kind[i - 1] != K_TEXT || strlen(v[i - 1]) >= 1000 ||
			 parse_quote_header_key(v[i - 1]) == 0;
	return (fields >= 2 && (seen & PARSE_HK_FROM) && (seen & PARSE_HK_DATE)) ||
	       (fields >= 3 && fields <= 6 && dated && address && whole);
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

/* What starts the original below a reply: a quote, an attribution, an "original message"
 * separator, a rule, a header block. */
static gboolean starts_original(char **v, const guint8 *kind, guint i, guint n,
				struct parse_work *work)
{
	return kind[i] == K_QUOTE || is_separator(v[i]) || is_underscore_rule(v[i]) ||
	       is_original_message(v[i]) || attribution_at(v, kind, i, n, work) > 0 ||
	       is_header_block(v, kind, i, n, work);
}

/* "---------- Původní e-mail ----------": a short phrase between rules of 2+ dashes, '='
 * or '_' on both sides, which a header block follows: an "original message" separator in
 * a language the table may lack. */
static gboolean is_separator_phrase(char **v, const guint8 *kind, guint i, guint n,
				    struct parse_work *work)
{
	const char *s = skip_ws(v[i]);
	gsize len = strlen(s);
	if (len > 120 || len < 6 || strspn(s, "-=_") < 2 || strchr("-=_", s[len - 1]) == NULL ||
	    strchr("-=_", s[len - 2]) == NULL || i + 1 >= n)
		return FALSE;
	return is_header_block(v, kind, i + 1, n, work);
}

/* A hard cut at line i: everything from it on is the original, a signature or a footer. */
static gboolean is_cut(char **v, const guint8 *kind, guint i, guint n, const guint *text_after,
		       struct parse_work *work)
{
	if (is_original_message(v[i]) || is_sig_delimiter(v[i]) ||
	    is_header_block(v, kind, i, n, work) || is_separator_phrase(v, kind, i, n, work) ||
	    (is_underscore_rule(v[i]) && text_after[i + 1] <= FOOTER_TEXT_MAX))
		return TRUE;
	/* a mobile signature ends the reply, also when the original follows it */
	if (!is_mobile_signature(v[i]))
		return FALSE;
	guint next = next_nonblank(kind, i + 1, n, work);
	return next >= n || starts_original(v, kind, next, n, work);
}

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
		if (is_cut(v, kind, i, n, text_after, work)) {
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

/* The end of an attribution wrapped onto a line of its own that starts with '>' (">:",
 * "> wrote:") is no quote. */
static gboolean is_wrapped_attribution_end(const char *line)
{
	const char *s = skip_ws(skip_ws(line) + 1);
	if (strcmp(s, ":") == 0)
		return TRUE;
	return strlen(s) <= 40 && parse_quote_ends_with_colon(s) && has_verb(s);
}

/* A quoted line the client re-wrapped: its rest went to a line without '>' (between two
 * quoted lines) because the previous line was full, i.e. its first word would have made
 * that line longer than 70 columns. */
static gboolean is_rewrapped_quote(const char *prev, const char *line)
{
	glong prev_len = g_utf8_strlen(prev, -1);
	const char *s = skip_ws(line);
	const char *space = strchr(s, ' ');
	glong word = space != NULL ? g_utf8_strlen(s, space - s) : g_utf8_strlen(s, -1);
	return prev_len >= 40 && prev_len + 1 + word > 70;
}

/* Kinds fixed before the rules run: wrapped attribution ends become text, re-wrapped
 * quote lines become quotes. */
static void mend_wrapped_lines(char **v, guint8 *kind, guint n, struct parse_work *work)
{
	work->lines += n;
	for (guint i = 1; i < n; i++) {
		if (kind[i] == K_QUOTE && kind[i - 1] == K_TEXT && strlen(v[i]) <= 60 &&
		    is_wrapped_attribution_end(v[i]))
			kind[i] = K_TEXT;
		else if (kind[i] == K_TEXT && kind[i - 1] == K_QUOTE && i + 1 < n &&
			 kind[i + 1] == K_QUOTE && strlen(v[i]) <= 1000 &&
			 strlen(v[i - 1]) <= 1000 && is_rewrapped_quote(v[i - 1], v[i]))
			kind[i] = K_QUOTE;
	}
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
	mend_wrapped_lines(v, kind, n, work);
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
