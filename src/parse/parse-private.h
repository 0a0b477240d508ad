/* parse-private.h: helpers shared by the files of the parse module (not part of its API).
 * Everything returned is g_malloc'ed and owned by the caller; all of it is thread-safe. */
#ifndef POSTDESK_PARSE_PRIVATE_H
#define POSTDESK_PARSE_PRIVATE_H

#include <gmime/gmime.h>

#include "postdesk/parse.h"

/* MIME nesting deeper than this is not walked; attachments past the cap are only counted. */
#define PARSE_MAX_DEPTH 50
#define PARSE_MAX_ATTACHMENTS 1000

/* Call order inside the module (a file calls only files to its left, never back):
 *   charset.c, options.c -> part.c, html.c, subject.c -> dsn.c -> mime.c -> parse.c
 *   quote_line.c -> quote_html.c -> quote.c -> reply_view.c;   digest.c alone;   options.c -> address.c ->
 *   parse.c */

/* The shared, read-only parser options (lenient, fallback charsets utf-8 and windows-1252);
 * built by parse_init() on first use (options.c). */
GMimeParserOptions *parse_options(void);

/* Work one call did, counted so that tests bound it by the input size instead of timing
 * it: a rule gone quadratic shows as a count far above the input, on any machine. Each
 * loop that walks nodes, bytes or lines adds to it. Per call and owned by the caller:
 * there is no shared counter. */
struct parse_work {
	guint64 nodes; /* HTML nodes visited: the walk, and peeks around a node */
	guint64 bytes; /* bytes of text examined, written or copied while rendering HTML */
	guint64 lines; /* lines visited by the reply-text rules (quote.c), each step counted */
};

/* parse_html_to_text() that adds its work to *work (html.c). */
char *parse_html_to_text_work(const char *html, gsize len, struct parse_work *work);

/* Valid UTF-8 copy of s (NULL gives ""): invalid bytes become U+FFFD; with one_line, CR, LF
 * and TAB become spaces and the ends are trimmed. */
char *parse_utf8_clean(const char *s, gboolean one_line);

/* Bytes in the declared charset (NULL if none) to valid UTF-8 without NULs. Sets
 * *guessed_r to TRUE (never to FALSE) when the charset had to be guessed. */
char *parse_charset_to_utf8(const char *data, gsize len, const char *charset, gboolean *guessed_r);

/* An address that is (or holds) an RFC 2047 encoded word: a name a client wrote without
 * any address, never an address (address.c). */
gboolean parse_addr_is_encoded(const char *addr);
/* A From value in the bracket-less form "phrase addr-spec" (the phrase may be encoded
 * words): 1 with the decoded name (UTF-8, one line, "" if none) and the addr-spec, both
 * g_malloc'ed; 0 (nothing set) if value is not in that form (address.c). */
int parse_addr_bare(const char *value, char **name_r, char **addr_r);

/* A header of obj, unfolded and trimmed, as valid UTF-8 without RFC 2047 decoding;
 * NULL if absent (part.c). */
char *parse_header_raw(GMimeObject *obj, const char *name);

/* The transfer-decoded content of a leaf part; the caller unrefs the array (part.c). */
GByteArray *parse_part_bytes(GMimePart *part);
/* At most max of them; *cut_r set to TRUE (never to FALSE) when there were more. */
GByteArray *parse_part_bytes_max(GMimePart *part, gsize max, gboolean *cut_r);

/* Body, HTML body, attachments and DSN of a message (mime.c). */
void parse_mime(GMimeMessage *message, struct parse_msg *msg, gboolean with_data);
/* format=flowed text (RFC 3676, LF line ends) as plain text: flowed lines joined into one,
 * space-stuffing undone, the flowed space dropped when delsp (flowed.c). g_malloc'ed. */
char *parse_unflow(const char *text, gboolean delsp);

/* Fill the dsn_* fields from a message/delivery-status part (dsn.c). */
void parse_dsn_fields(GMimeObject *status, struct parse_msg *msg);

/* quote_line.c, shared by quote.c and quote_html.c: text with CRLF/CR made LF, NBSP made
 * a space and valid UTF-8 (g_malloc'ed); which mail header a line starts (0 none, else one
 * of the PARSE_HK_* kinds: a known name, or PARSE_HK_SHAPE for an unknown short name);
 * and whether s holds a word of the keyword table (quote_words.def) of the given kind. */
enum { PARSE_HK_FROM = 1, PARSE_HK_DATE = 2, PARSE_HK_OTHER = 4, PARSE_HK_SHAPE = 8 };
enum parse_qw {
	PARSE_QW_VERB,
	PARSE_QW_START,
	PARSE_QW_FROM,
	PARSE_QW_DATE,
	PARSE_QW_FIELD,
	PARSE_QW_ORIGINAL,
	PARSE_QW_MOBILE,
	PARSE_QW_MOBILE_END
};
enum parse_qw_match { PARSE_QW_EQUAL, PARSE_QW_PREFIX, PARSE_QW_SUFFIX, PARSE_QW_CONTAINS };
char *parse_quote_normalize(const char *text);
int parse_quote_header_key(const char *line);
gboolean parse_quote_word(enum parse_qw kind, const char *s, enum parse_qw_match how);
guint parse_quote_word_languages(void); /* languages in the table */
/* What a line shows: a time of day (10:15, 10.15:06), a date (a year 19xx/20xx or a numeric
 * d.m.y), an address (x@y), a final ':' or '：' (bidi controls after it ignored). */
gboolean parse_quote_has_time(const char *s);
gboolean parse_quote_has_date(const char *s);
gboolean parse_quote_has_address(const char *s);
gboolean parse_quote_ends_with_colon(const char *s);

/* Reply HTML rendered to text with quote containers as '>' lines; adds the nodes and
 * bytes it visits to *work (quote_html.c). */
char *parse_quote_html_render(const char *html, struct parse_work *work);

/* parse_reply_text() that adds its work to *work: HTML nodes and bytes, text lines
 * (quote.c). */
char *parse_reply_text_work(const char *text, const char *html, const char *marker,
			    struct parse_work *work);

/* ---- one word of a table, alone (one_word.c: status.c and solved.c) ---- */
enum { PARSE_WORD_WORD = 0, PARSE_WORD_CLOSING = 1 };
struct parse_word {
	int closing;      /* PARSE_WORD_WORD: the word itself; PARSE_WORD_CLOSING: a sign-off */
	const char *text; /* lower case */
};
/* TRUE if text is one WORD of table alone, or followed by a few short sign-off lines. */
gboolean parse_one_word_text(const struct parse_word *table, gsize n, const char *text);
/* The same for a message's new text; never with attachments or a truncated body. */
gboolean parse_one_word_msg(const struct parse_word *table, gsize n, const struct parse_msg *msg);

#endif
