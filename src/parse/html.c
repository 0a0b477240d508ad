/* html.c: HTML -> readable plain text with libxml2's (error-tolerant) HTML parser.
 * Block elements become line breaks, links keep their target, script/style/head are
 * dropped, whitespace is collapsed. The tree is walked without recursion, so nesting
 * depth costs no stack. Each call counts its work (nodes walked, bytes emitted or copied)
 * in a struct parse_work of its own, so tests bound it by the input size without a clock.
 * Owns nothing; safe from any thread after parse_init() (which initialises libxml2). */
#include <limits.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "parse-private.h"

enum h2t_kind { K_INLINE, K_SKIP, K_BR, K_LINE, K_PARA, K_CELL, K_PRE, K_LINK };

struct h2t {
	GString *out;
	int nl;		/* newlines at the end of out */
	gboolean space; /* whitespace seen, not yet written */
	int pre;	/* inside <pre> */
	GArray *links;	/* struct h2t_link: open <a> elements */
	struct parse_work *work;
};

struct h2t_link {
	xmlNode *node;
	gsize start; /* offset of the link text in out */
};

/* name -> kind + 1 (0 is "not in the table"); built once, then only read. */
static gpointer kinds_new(gpointer data)
{
	static const struct {
		const char *name;
		enum h2t_kind kind;
	} table[] = {
	    {"script", K_SKIP},	    {"style", K_SKIP},	  {"head", K_SKIP},
	    {"title", K_SKIP},	    {"noscript", K_SKIP}, {"template", K_SKIP},
	    {"br", K_BR},	    {"p", K_PARA},	  {"h1", K_PARA},
	    {"h2", K_PARA},	    {"h3", K_PARA},	  {"h4", K_PARA},
	    {"h5", K_PARA},	    {"h6", K_PARA},	  {"blockquote", K_PARA},
	    {"ul", K_PARA},	    {"ol", K_PARA},	  {"table", K_PARA},
	    {"dl", K_PARA},	    {"pre", K_PRE},	  {"div", K_LINE},
	    {"li", K_LINE},	    {"tr", K_LINE},	  {"hr", K_LINE},
	    {"dt", K_LINE},	    {"dd", K_LINE},	  {"section", K_LINE},
	    {"article", K_LINE},    {"header", K_LINE},	  {"footer", K_LINE},
	    {"nav", K_LINE},	    {"aside", K_LINE},	  {"address", K_LINE},
	    {"form", K_LINE},	    {"fieldset", K_LINE}, {"figure", K_LINE},
	    {"figcaption", K_LINE}, {"main", K_LINE},	  {"center", K_LINE},
	    {"caption", K_LINE},    {"tbody", K_LINE},	  {"thead", K_LINE},
	    {"tfoot", K_LINE},	    {"td", K_CELL},	  {"th", K_CELL},
	    {"a", K_LINK},
	};
	GHashTable *kinds = g_hash_table_new(g_str_hash, g_str_equal);
	for (gsize i = 0; i < G_N_ELEMENTS(table); i++)
		g_hash_table_insert(kinds, (gpointer)table[i].name,
				    GINT_TO_POINTER(table[i].kind + 1));
	return kinds;
}

/* libxml2's HTML parser gives element names in lower case. */
static enum h2t_kind element_kind(const char *name)
{
	static GOnce once = G_ONCE_INIT;
	GHashTable *kinds = g_once(&once, kinds_new, NULL);
	int kind = GPOINTER_TO_INT(g_hash_table_lookup(kinds, name));
	return kind > 0 ? (enum h2t_kind)(kind - 1) : K_INLINE;
}

static void emit_break(struct h2t *t, int n)
{
	t->space = FALSE;
	if (t->out->len == 0)
		return;
	while (t->out->len > 0 && t->out->str[t->out->len - 1] == ' ') {
		g_string_truncate(t->out, t->out->len - 1);
		t->work->bytes++;
	}
	while (t->nl < n) {
		g_string_append_c(t->out, '\n');
		t->nl++;
	}
}

static void emit_text(struct h2t *t, const char *s)
{
	const char *p;
	for (p = s; *p != '\0'; p++) {
		if (t->pre > 0) {
			g_string_append_c(t->out, *p);
			t->nl = *p == '\n' ? t->nl + 1 : 0;
			continue;
		}
		/* ASCII whitespace and U+00A0 (C2 A0) collapse into one space */
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' ||
		    *p == '\v' || ((guchar)p[0] == 0xc2 && (guchar)p[1] == 0xa0)) {
			if ((guchar)*p == 0xc2)
				p++;
			t->space = TRUE;
			continue;
		}
		if (t->space && t->out->len > 0 && t->nl == 0)
			g_string_append_c(t->out, ' ');
		t->space = FALSE;
		t->nl = 0;
		g_string_append_c(t->out, *p);
	}
	t->work->bytes += (guint64)(p - s);
}

static const char *attr(xmlNode *node, const char *name)
{
	for (xmlAttr *a = node->properties; a != NULL; a = a->next)
		if (g_ascii_strcasecmp((const char *)a->name, name) == 0 && a->children != NULL &&
		    a->children->type == XML_TEXT_NODE)
			return (const char *)a->children->content;
	return NULL;
}

/* After the text of <a href>: add " <url>" unless the text already says it. */
static void close_link(struct h2t *t, xmlNode *node)
{
	if (t->links->len == 0)
		return;
	struct h2t_link *l = &g_array_index(t->links, struct h2t_link, t->links->len - 1);
	if (l->node != node)
		return;
	gsize start = l->start;
	g_array_set_size(t->links, t->links->len - 1);
	const char *href = attr(node, "href");
	if (href == NULL)
		return;
	char *url = g_strstrip(g_strdup(href));
	char *text = g_strstrip(g_strndup(t->out->str + start, t->out->len - start));
	/* the copy is work too: copying from further back than the link would be quadratic */
	t->work->bytes += t->out->len - start + strlen(url);
	const char *bare = g_str_has_prefix(url, "mailto:") ? url + 7 : url;
	gsize blen = strlen(bare);
	gboolean same = strcmp(text, url) == 0 || strcmp(text, bare) == 0 ||
			(blen > 1 && bare[blen - 1] == '/' && strlen(text) == blen - 1 &&
			 strncmp(text, bare, blen - 1) == 0);
	if (!same && *url != '\0' && *url != '#' &&
	    g_ascii_strncasecmp(url, "javascript:", 11) != 0) {
		char *s = g_strdup_printf("<%s>", url);
		t->space = t->space || *text != '\0';
		emit_text(t, s);
		g_free(s);
	}
	g_free(url);
	g_free(text);
}

/* Returns TRUE if the children of node are to be walked. */
static gboolean enter(struct h2t *t, xmlNode *node)
{
	t->work->nodes++;
	if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
		if (node->content != NULL)
			emit_text(t, (const char *)node->content);
		return FALSE;
	}
	if (node->type != XML_ELEMENT_NODE)
		return FALSE;
	switch (element_kind((const char *)node->name)) {
	case K_SKIP:
		return FALSE;
	case K_BR:
		t->space = FALSE;
		if (t->out->len > 0 && t->nl < 2) {
			g_string_append_c(t->out, '\n');
			t->nl++;
		}
		return FALSE;
	case K_LINE:
		emit_break(t, 1);
		break;
	case K_PARA:
		emit_break(t, 2);
		break;
	case K_PRE:
		emit_break(t, 2);
		t->pre++;
		break;
	case K_CELL:
		t->space = TRUE;
		break;
	case K_LINK: {
		struct h2t_link l = {node, t->out->len};
		g_array_append_val(t->links, l);
		break;
	}
	case K_INLINE:
		break;
	}
	return TRUE;
}

static void leave(struct h2t *t, xmlNode *node)
{
	if (node->type != XML_ELEMENT_NODE)
		return;
	switch (element_kind((const char *)node->name)) {
	case K_LINE:
		emit_break(t, 1);
		break;
	case K_PARA:
		emit_break(t, 2);
		break;
	case K_PRE:
		t->pre--;
		emit_break(t, 2);
		break;
	case K_CELL:
		t->space = TRUE;
		break;
	case K_LINK:
		close_link(t, node);
		break;
	default:
		break;
	}
}

static void walk(struct h2t *t, xmlDoc *doc)
{
	xmlNode *n = doc->children;
	while (n != NULL) {
		if (enter(t, n) && n->children != NULL) {
			n = n->children;
			continue;
		}
		leave(t, n);
		for (;;) {
			if (n->next != NULL) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (n == NULL || n == (xmlNode *)doc) {
				n = NULL;
				break;
			}
			leave(t, n);
		}
	}
}

char *parse_html_to_text(const char *html, gsize len)
{
	struct parse_work work = {0};
	return parse_html_to_text_work(html, len, &work);
}

char *parse_html_to_text_work(const char *html, gsize len, struct parse_work *work)
{
	if (html == NULL || len == 0)
		return g_strdup("");
	if (len > INT_MAX)
		len = INT_MAX;
	/* libxml2 is told the input is UTF-8 and to ignore <meta charset>: our callers have
	 * converted it already; anything else is made valid first. */
	char *valid = NULL;
	if (!g_utf8_validate_len(html, len, NULL)) {
		valid = g_utf8_make_valid(html, len);
		html = valid;
		len = strlen(valid);
	}
	int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
		   HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC;
	xmlDoc *doc = htmlReadMemory(html, (int)len, NULL, "UTF-8", opts);
	g_free(valid);
	if (doc == NULL)
		return g_strdup("");
	struct h2t t = {.out = g_string_sized_new(len / 2 + 16),
			.links = g_array_new(FALSE, FALSE, sizeof(struct h2t_link)),
			.work = work};
	walk(&t, doc);
	xmlFreeDoc(doc);
	g_array_free(t.links, TRUE);
	char *out = g_string_free(t.out, FALSE);
	g_strstrip(out);
	char *clean = parse_utf8_clean(out, FALSE);
	g_free(out);
	return clean;
}
