/* kb: the knowledge-base suggestions of an acknowledgement (doc/kb.md): the articles that
 * pass kb_suggest's threshold for the customer's subject and new text, in the ticket's
 * language, as short excerpts rendered through kb_suggestions.txt into {{kb.suggestions}}.
 * They are computed here, when the acknowledgement is built in the delivery's
 * transaction: one full-text query over the articles (tests/bench/kb.sh measures it).
 * Owns: the kb_suggestions template of a compose_ctx. Threading: as compose_ctx. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/kb.h"

#include <string.h>

#include "compose-private.h"

#define KB_EXCERPT_CHARS 200
#define KB_QUESTION_MAX 4096 /* bytes of the text a suggestion is looked up with */

/* The language of a ticket's customer mail: its own (tickets.lang), else its queue's. */
const char *compose_ticket_lang(const struct store_ticket *t, const struct conf_queue *q)
{
	if (t != NULL && lang_index(t->lang) >= 0)
		return t->lang;
	return lang_index(q->language) >= 0 ? q->language : LANG_FALLBACK;
}

/* The suggested articles as the list {{kb.articles}} shows: title, excerpt, address. */
static char *kb_articles_text(GPtrArray *hits)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < hits->len; i++) {
		const struct store_kb_hit *h = g_ptr_array_index(hits, i);
		char *excerpt = kb_excerpt(h->body, KB_EXCERPT_CHARS);

		g_string_append_printf(s, "%s* %s\n  %s\n", i > 0 ? "\n" : "", h->title, excerpt);
		if (h->url[0] != '\0')
			g_string_append_printf(s, "  %s\n", h->url);
		g_free(excerpt);
	}
	return g_string_free(s, FALSE);
}

/* "mailto:<the ticket's signed solved address>?subject=Solved%20%5B%23N%5D": mail to it
 * resolves the ticket as self-served (deliver/route_solved.c). */
static char *kb_solved_link(struct compose_ctx *ctx, const struct store_ticket *t,
			    const struct conf_queue *q)
{
	char *addr = compose_token(ctx, q, t->id, TOKEN_SOLVED);
	char *subject = g_strdup_printf("Solved [#%" G_GINT64_FORMAT "]", t->id);
	char *esc = g_uri_escape_string(subject, NULL, FALSE);
	char *link = g_strdup_printf("mailto:%s?subject=%s", addr, esc);

	g_free(addr);
	g_free(subject);
	g_free(esc);
	return link;
}

void compose_kb_vars(struct compose_ctx *ctx, struct store *store, const struct store_ticket *t,
		     const struct conf_queue *q, const struct parse_msg *msg, GHashTable *vars)
{
	GPtrArray *hits = NULL;
	char *error = NULL, *newtext, *question, *subject = NULL, *body = NULL;
	GHashTable *kv;
	char *link;
	const char *lang;
	const struct compose_template *tpl;
	char *head;

	compose_var(vars, "kb.suggestions", "");
	lang = compose_ticket_lang(t, q);
	tpl = ctx->kb_tpl[lang_index(lang)];
	if (tpl == NULL)
		return;
	/* The question is the head of the text (this runs in the single writer: the quote
	 * cutter's cost grows with the text, and a long mail's question is at its top). */
	head = g_strndup(msg->body != NULL ? msg->body : "", KB_QUESTION_MAX);
	newtext = parse_reply_text(head,
				   msg->body_html != NULL && strlen(msg->body_html) <= 4 * KB_QUESTION_MAX
					   ? msg->body_html
					   : NULL,
				   NULL);
	question = g_strconcat(msg->subject, "\n", newtext, NULL);
	g_free(newtext);
	g_free(head);
	/* Suggestions are a courtesy: a failed search leaves them out of this one
	 * acknowledgement, it never holds up the delivery (logged once, here). */
	if (kb_suggest(store, lang, t->queue, question, KB_SUGGEST_MAX,
		       &hits, &error) < 0) {
		log_warn("ticket %" G_GINT64_FORMAT ": knowledge-base suggestions left out: %s",
			 t->id, error);
		g_free(error);
		g_free(question);
		return;
	}
	g_free(question);
	if (hits->len > 0) {
		char *articles = kb_articles_text(hits);

		kv = compose_vars_new();
		compose_vars_ticket(kv, t, q);
		compose_var(kv, "kb.articles", articles);
		link = kb_solved_link(ctx, t, q);
		compose_var(kv, "kb.solved_link", link);
		g_free(link);
		if (compose_template_render(tpl, kv, &subject, &body, &error) == 0) {
			/* a paragraph of its own before the text that follows it */
			char *block = g_strconcat(g_strchomp(body), "\n\n", NULL);
			compose_var(vars, "kb.suggestions", block);
			g_free(block);
		} else {
			log_warn("kb_suggestions.txt: %s", error);
			g_free(error);
		}
		g_free(subject);
		g_free(body);
		g_free(articles);
		g_hash_table_unref(kv);
	}
	g_ptr_array_unref(hits);
}
