/* parse/quote_html: the HTML half of parse_reply_text. Renders a reply's HTML to text in
 * which the mail clients' quote containers (Gmail, Apple Mail, Thunderbird blockquotes,
 * Yahoo, Outlook's reply headers) become '>'-quoted lines, and Outlook's reply-header
 * containers stop the rendering, so that the text rules in quote.c cut them like any quote.
 * The walk is iterative (no recursion: deeply nested input cannot exhaust the stack), and
 * every look around a node is bounded; the nodes and bytes each call visits are counted in
 * the caller's struct parse_work, which tests hold to a multiple of the input size.
 * Thread-safe: libxml2 is initialised once; every call has its own document. */
#include "config.h"

#include <libxml/HTMLparser.h>
#include <string.h>

#include "parse-private.h"

enum action { A_RENDER, A_QUOTE, A_SKIP, A_STOP };

struct walk {
	GString *out;
	int depth;	     /* quote containers entered: lines get a '>' prefix */
	int pre;	     /* inside <pre>: whitespace kept */
	gboolean line_start; /* nothing written on the current line yet */
	gboolean space;	     /* collapsed whitespace pending */
	gboolean stop;
	struct parse_work *work;
};

static gboolean attr_has_token(xmlNode *n, const char *attr, const char *token)
{
	xmlChar *val = xmlGetProp(n, (const xmlChar *)attr);
	if (val == NULL)
		return FALSE;
	gboolean found = FALSE;
	char **tokens = g_strsplit_set((const char *)val, " \t\r\n", -1);
	for (int i = 0; tokens[i] != NULL && !found; i++)
		found = g_ascii_strcasecmp(tokens[i], token) == 0;
	g_strfreev(tokens);
	xmlFree(val);
	return found;
}

/* Up to 200 bytes of the text at the start of n, visiting at most 200 nodes. */
static char *peek_text(xmlNode *n, struct parse_work *work)
{
	GString *s = g_string_new(NULL);
	xmlNode *c = n->children;
	for (int visits = 0; c != NULL && visits < 200 && s->len < 200; visits++) {
		work->nodes++;
		if (c->type == XML_TEXT_NODE && c->content != NULL)
			g_string_append_len(s, (const char *)c->content,
					    MIN(strlen((const char *)c->content), 200));
		if (c->children != NULL && c->type == XML_ELEMENT_NODE) {
			c = c->children;
			continue;
		}
		while (c != n && c->next == NULL)
			c = c->parent;
		c = c == n ? NULL : c->next;
	}
	char *norm = parse_quote_normalize(s->str);
	g_string_free(s, TRUE);
	return g_strstrip(norm);
}

/* Outlook draws a border-top line above the header block of the quoted message. */
static gboolean is_outlook_border(xmlNode *n, struct parse_work *work)
{
	xmlChar *style = xmlGetProp(n, (const xmlChar *)"style");
	if (style == NULL)
		return FALSE;
	char *low = g_ascii_strdown((const char *)style, -1);
	xmlFree(style);
	work->bytes += strlen(low);
	char *w = low;
	for (const char *r = low; *r != '\0'; r++)
		if (*r != ' ' && *r != '\t' && *r != '\n' && *r != '\r')
			*w++ = *r;
	*w = '\0';
	gboolean border = strstr(low, "border-top:solid") != NULL ||
			  strstr(low, "border-top-style:solid") != NULL;
	gboolean outlook = strstr(low, "#e1e1e1") != NULL || strstr(low, "#b5c4df") != NULL;
	g_free(low);
	if (!border)
		return FALSE;
	if (outlook)
		return TRUE;
	char *text = peek_text(n, work);
	gboolean header = (parse_quote_header_key(text) & ~PARSE_HK_SHAPE) != 0;
	g_free(text);
	return header;
}

static enum action classify_element(xmlNode *n, struct parse_work *work)
{
	static const char *const skip[] = {"script",   "style",	   "head", "title",
					   "template", "noscript", NULL};
	const char *name = (const char *)n->name;
	if (g_strv_contains(skip, name) || attr_has_token(n, "class", "gmail_signature") ||
	    attr_has_token(n, "class", "moz-signature"))
		return A_SKIP;
	if (attr_has_token(n, "id", "divRplyFwdMsg") || attr_has_token(n, "id", "appendonsend") ||
	    attr_has_token(n, "id", "OLK_SRC_BODY_SECTION") || attr_has_token(n, "id", "zwchr") ||
	    (strcmp(name, "div") == 0 && is_outlook_border(n, work)))
		return A_STOP;
	if (strcmp(name, "blockquote") == 0 || attr_has_token(n, "class", "gmail_attr") ||
	    attr_has_token(n, "class", "moz-cite-prefix") ||
	    attr_has_token(n, "class", "yahoo_quoted"))
		return A_QUOTE;
	return A_RENDER;
}

static void put_newline(struct walk *w)
{
	g_string_append_c(w->out, '\n');
	w->line_start = TRUE;
	w->space = FALSE;
}

static void ensure_line_start(struct walk *w)
{
	if (!w->line_start)
		put_newline(w);
}

static void ensure_blank_line(struct walk *w)
{
	ensure_line_start(w);
	gsize len = w->out->len;
	if (len > 0 && !(len >= 2 && w->out->str[len - 2] == '\n'))
		put_newline(w);
}

static void put_bytes(struct walk *w, const char *s, gsize len)
{
	if (w->line_start) {
		/* one '>' per level on every line: counted, as deep nesting multiplies it */
		w->work->bytes += (guint64)w->depth;
		for (int i = 0; i < w->depth; i++)
			g_string_append_c(w->out, '>');
		if (w->depth > 0)
			g_string_append_c(w->out, ' ');
	} else if (w->space && w->out->str[w->out->len - 1] != ' ') {
		g_string_append_c(w->out, ' ');
	}
	w->line_start = FALSE;
	w->space = FALSE;
	g_string_append_len(w->out, s, len);
}

static void put_text(struct walk *w, const char *s)
{
	const char *p;
	for (p = s; *p != '\0'; p++) {
		if (*p == '\n' && w->pre > 0) {
			put_newline(w);
		} else if (strchr(" \t\n\r\f", *p) != NULL) {
			if (w->pre > 0)
				put_bytes(w, " ", 1);
			else
				w->space = TRUE;
		} else if ((guchar)p[0] == 0xC2 && (guchar)p[1] == 0xA0) {
			put_bytes(w, " ", 1); /* &nbsp; is content, not collapsible */
			p++;
		} else {
			put_bytes(w, p, 1);
		}
	}
	w->work->bytes += (guint64)(p - s);
}

static gboolean is_block(const char *name)
{
	static const char *const blocks[] = {
	    "p",	"div",	   "h1",      "h2",	"h3",	  "h4",		"h5",	 "h6",
	    "ul",	"ol",	   "li",      "table",	"tr",	  "blockquote", "pre",	 "hr",
	    "address",	"article", "section", "header", "footer", "nav",	"aside", "form",
	    "fieldset", "dl",	   "dt",      "dd",	"center", "figure",	"main",	 "details",
	    "summary",	"body",	   "html",    NULL};
	return g_strv_contains(blocks, name);
}

/* libxml2 reads Word's <o:p> as <p>: a p nested in a p (looked for a few levels up only,
 * to stay linear) is that inline filler, not a paragraph. */
static gboolean is_word_filler(xmlNode *n, struct parse_work *work)
{
	xmlNode *a = n->parent;
	for (int i = 0; i < 4 && a != NULL && a->type == XML_ELEMENT_NODE; i++, a = a->parent) {
		work->nodes++;
		if (strcmp((const char *)a->name, "p") == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean is_paragraph(xmlNode *n, struct parse_work *work)
{
	return strcmp((const char *)n->name, "p") == 0 && !is_word_filler(n, work);
}

/* Word's MsoNormal paragraphs have no margins; other <p> stand apart by a blank line. */
static gboolean is_spaced_paragraph(xmlNode *n, struct parse_work *work)
{
	return is_paragraph(n, work) && !attr_has_token(n, "class", "MsoNormal");
}

static gboolean is_block_node(xmlNode *n, struct parse_work *work)
{
	return strcmp((const char *)n->name, "p") == 0 ? is_paragraph(n, work)
						       : is_block((const char *)n->name);
}

/* Returns TRUE to descend into the node's children. */
static gboolean walk_enter(struct walk *w, xmlNode *n)
{
	w->work->nodes++;
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (n->content != NULL)
			put_text(w, (const char *)n->content);
		return FALSE;
	}
	if (n->type != XML_ELEMENT_NODE)
		return FALSE;
	enum action a = classify_element(n, w->work);
	const char *name = (const char *)n->name;
	if (a == A_STOP)
		w->stop = TRUE;
	if (a == A_STOP || a == A_SKIP)
		return FALSE;
	if (strcmp(name, "br") == 0) {
		put_newline(w);
	} else if (is_spaced_paragraph(n, w->work)) {
		ensure_blank_line(w);
	} else if (is_block_node(n, w->work)) {
		ensure_line_start(w);
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		w->space = !w->line_start;
	}
	if (strcmp(name, "li") == 0)
		put_bytes(w, "- ", 2);
	if (strcmp(name, "pre") == 0)
		w->pre++;
	if (a == A_QUOTE)
		w->depth++;
	return TRUE;
}

static void walk_leave(struct walk *w, xmlNode *n)
{
	if (n->type != XML_ELEMENT_NODE)
		return;
	const char *name = (const char *)n->name;
	if (classify_element(n, w->work) == A_QUOTE) {
		ensure_line_start(w);
		w->depth--;
	}
	if (strcmp(name, "pre") == 0)
		w->pre--;
	if (is_spaced_paragraph(n, w->work))
		ensure_blank_line(w);
	else if (is_block_node(n, w->work))
		ensure_line_start(w);
}

/* Pre-order walk without recursion: fuzzed HTML may nest deeper than any C stack. */
static void walk_tree(struct walk *w, xmlNode *root)
{
	xmlNode *n = root;
	while (n != NULL && !w->stop) {
		gboolean descend = walk_enter(w, n);
		if (descend && n->children != NULL) {
			n = n->children;
			continue;
		}
		if (descend && !w->stop)
			walk_leave(w, n);
		while (n != root && n->next == NULL && !w->stop) {
			n = n->parent;
			walk_leave(w, n);
		}
		n = (n == root) ? NULL : n->next;
	}
}

static gpointer init_libxml(gpointer data)
{
	(void)data;
	xmlInitParser();
	return NULL;
}

char *parse_quote_html_render(const char *html, struct parse_work *work)
{
	static GOnce once = G_ONCE_INIT;
	g_once(&once, init_libxml, NULL);
	char *valid = g_utf8_make_valid(html, -1);
	htmlDocPtr doc = htmlReadMemory(valid, (int)MIN(strlen(valid), G_MAXINT), NULL, "UTF-8",
					HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
					    HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	g_free(valid);
	struct walk w = {.out = g_string_new(NULL), .line_start = TRUE, .work = work};
	xmlNode *root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	if (root != NULL)
		walk_tree(&w, root);
	if (doc != NULL)
		xmlFreeDoc(doc);
	return g_string_free(w.out, FALSE);
}

