/* kb: the knowledge base (doc/kb.md). Articles are Markdown files with a small header in
 * kb_dir (shared/ for every queue, <queue>/ for one); kb_reindex reads them all into the
 * store's full-text index (store/kb.c, stems per language); kb_suggest finds the articles
 * that answer a customer's question, held to a relevance threshold, for the
 * acknowledgement of a new ticket.
 * Threading: no state of its own; a store connection is one thread's at a time. */
#ifndef POSTDESK_KB_H
#define POSTDESK_KB_H

#include <glib.h>

#include "postdesk/store.h"

/* At most this many suggestions in an acknowledgement. */
#define KB_SUGGEST_MAX 3

/* Parse one article file's text: header lines "key: value" (title and lang required, tags
 * and url optional; a url must be http(s)://), a blank line, the Markdown body. queue is
 * "" for shared. *a_r owned by the caller (id 0). -1 with "path:line: reason". */
int kb_article_parse(const char *path, const char *queue, const char *text,
		     struct store_kb_article **a_r, char **error_r);

/* Called for every article read by kb_reindex (n of total). */
typedef void kb_progress_fn(guint n, guint total, const char *path, void *ctx);

/* Replace the index with the articles of kb_dir, in one transaction: a bad article fails
 * the whole reindex (path:line: reason) and the index stays as it was. *count_r: how many
 * were indexed. progress may be NULL. */
int kb_reindex(struct store *store, const char *kb_dir, kb_progress_fn *progress, void *ctx,
	       guint *count_r, char **error_r);

/* The FTS5 query for a customer's text in lang: each distinct word quoted, OR'ed (at most
 * 64 words; in German and Dutch a word of 5 letters or more also as a prefix, for
 * compounds); NULL if the text has none. g_malloc'ed. */
char *kb_match_expr(const char *text, const char *lang);

/* The articles of lang (queue's or shared) that answer text, best first, those that pass
 * the threshold only (doc/kb.md "Relevance"): at most max; 0 with *hits_r (struct
 * store_kb_hit, caller frees; may be empty), -1 error. */
int kb_suggest(struct store *store, const char *lang, const char *queue, const char *text,
	       int max, GPtrArray **hits_r, char **error_r);

/* The first words of an article's body as plain text (Markdown marks dropped, one line),
 * at most max_chars characters, cut at a word with "...". g_malloc'ed. */
char *kb_excerpt(const char *body, guint max_chars);

#endif
