/* search: full-text search of tickets (migration 12, doc/search.md). Owns the query
 * syntax users type — words (all must match), "a phrase", word* (a prefix), -word (must
 * not match), OR between two terms — and its translation to an FTS5 expression in which
 * every user word is a quoted string, so nothing a user types reaches FTS5 as syntax: a
 * mistake is reported here, in the user's terms, never as SQLite's text. store_search()
 * reads the two indexes (messages, tickets) best first and merges them into tickets.
 * Same threading as the connection; results are owned by the caller. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-private.h"
#include "store-stmt.h"
#include "store-txn.h"

#include <string.h>

#define SEARCH_QUERY_MAX 1000 /* characters of a query */
#define SEARCH_TERMS_MAX 32

/* The operators of the two query languages a parse writes (issue 16): FTS5's (SQLite) and
 * to_tsquery's (PostgreSQL), where a quoted operand goes through the same parser as the
 * documents, so "a phrase" and ann@example.org mean there what they mean in the text. */
struct search_syntax {
	char quote;                        /* of a term; doubled inside it */
	const char *and_, *or_, *not_, *prefix;
};
static const struct search_syntax search_fts5 = {'"', " ", " OR ", " NOT ", "*"};
static const struct search_syntax search_tsquery = {'\'', " & ", " | ", " & !", ":*"};

/* A term's text (without its quotes or '*'), appended to out as a quoted operand. */
static void search_quote(GString *out, const struct search_syntax *syn, const char *s, gsize len)
{
	g_string_append_c(out, syn->quote);
	for (gsize i = 0; i < len; i++) {
		if (s[i] == syn->quote || (syn->quote == '\'' && s[i] == '\\'))
			g_string_append_c(out, s[i] == '\\' ? '\\' : syn->quote);
		g_string_append_c(out, s[i]);
	}
	g_string_append_c(out, syn->quote);
}

/* Does the text hold a letter or a digit (what the tokenizer makes words of)? */
static gboolean search_has_word(const char *s, gsize len)
{
	const char *end = s + len;

	for (const char *p = s; p < end; p = g_utf8_next_char(p))
		if (g_unichar_isalnum(g_utf8_get_char(p)))
			return TRUE;
	return FALSE;
}

struct search_parse {
	GString *pos;     /* the positive part: terms, ANDed by FTS5's juxtaposition, and ORs */
	GString *neg;     /* " NOT term" for each excluded term */
	guint terms;
	gboolean want_term; /* after OR (or at the start): a positive term must come */
	const struct search_syntax *syn;
};

/* One term at p (a word, a "phrase", either with a '*' after it, or '-' before it): the
 * end of it, or NULL with *error_r. */
static const char *search_term(struct search_parse *sp, const char *p, char **error_r)
{
	gboolean negate = FALSE, prefix = FALSE;
	const char *start, *end, *next;
	GString *out;

	if (*p == '-') {
		negate = TRUE;
		p++;
	}
	if (*p == '"') {
		start = ++p;
		end = strchr(start, '"');
		if (end == NULL)
			return util_error(error_r, "search: a quote is not closed: \"%s", start),
			       NULL;
		next = end + 1;
	} else {
		start = p;
		end = start + strcspn(start, " \t\r\n\"");
		if (*end == '"')
			return util_error(error_r, "search: a quote in the middle of '%.*s' (put "
						   "a phrase in quotes: \"two words\")",
					  (int)(end - start + 1), start),
			       NULL;
		next = end;
		if (end > start && end[-1] == '*')
			end--, prefix = TRUE;
		if (memchr(start, '*', (gsize)(end - start)) != NULL)
			return util_error(error_r, "search: '*' goes at the end of a word "
						   "(wor* finds word, words, work)"),
			       NULL;
	}
	if (*next == '*' && !prefix) {
		prefix = TRUE;
		next++;
	}
	if (*next != '\0' && !g_ascii_isspace(*next))
		return util_error(error_r, "search: put a space after the closing quote"), NULL;
	if (!search_has_word(start, (gsize)(end - start)))
		return util_error(error_r, "search: '%.*s' has no letter or digit to search for",
				  (int)(next - start), start),
		       NULL;
	if (negate && sp->want_term && sp->pos->len > 0)
		return util_error(error_r, "search: OR must be followed by a word to find, not "
					   "an excluded one"),
		       NULL;
	out = negate ? sp->neg : sp->pos;
	g_string_append(out, negate ? sp->syn->not_
				    : (out->len > 0 && !sp->want_term ? sp->syn->and_ : ""));
	search_quote(out, sp->syn, start, (gsize)(end - start));
	if (prefix)
		g_string_append(out, sp->syn->prefix);
	if (!negate)
		sp->want_term = FALSE;
	sp->terms++;
	return next;
}

/* The user's query in one of the two languages. */
static int search_parse_to(const char *query, const struct search_syntax *syn, char **fts_r,
			   char **error_r)
{
	struct search_parse sp = {g_string_new(""), g_string_new(""), 0, TRUE, syn};
	const char *p = query;
	int ret = -1;

	*fts_r = NULL;
	if (!g_utf8_validate(query, -1, NULL)) {
		util_error(error_r, "search: the query is not valid UTF-8");
		goto out;
	}
	if (g_utf8_strlen(query, -1) > SEARCH_QUERY_MAX) {
		util_error(error_r, "search: the query is longer than %d characters",
			   SEARCH_QUERY_MAX);
		goto out;
	}
	for (;;) {
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			break;
		if (sp.terms >= SEARCH_TERMS_MAX) {
			util_error(error_r, "search: more than %d words", SEARCH_TERMS_MAX);
			goto out;
		}
		if (strncmp(p, "OR", 2) == 0 && (p[2] == '\0' || g_ascii_isspace(p[2]))) {
			if (sp.want_term) {
				util_error(error_r, "search: OR goes between two words");
				goto out;
			}
			g_string_append(sp.pos, syn->or_);
			sp.want_term = TRUE;
			p += 2;
			continue;
		}
		if ((p = search_term(&sp, p, error_r)) == NULL)
			goto out;
	}
	if (sp.terms == 0) {
		util_error(error_r, "search: nothing to search for (give a word)");
		goto out;
	}
	if (sp.want_term) {
		util_error(error_r, sp.pos->len == 0 ? "search: give a word to find, not only "
						       "words to leave out (-word)"
						     : "search: OR goes between two words");
		goto out;
	}
	*fts_r = sp.neg->len > 0 ? g_strdup_printf("(%s)%s", sp.pos->str, sp.neg->str)
				 : g_strdup(sp.pos->str);
	ret = 0;
out:
	g_string_free(sp.pos, TRUE);
	g_string_free(sp.neg, TRUE);
	return ret;
}

int store_search_parse(const char *query, char **fts_r, char **error_r)
{
	return search_parse_to(query, &search_fts5, fts_r, error_r);
}

void store_search_hit_free(struct store_search_hit **h)
{
	if (*h == NULL)
		return;
	g_free((*h)->status);
	g_free((*h)->subject);
	g_free((*h)->queue);
	g_clear_pointer(h, g_free);
}

static void search_hit_destroy(gpointer p)
{
	struct store_search_hit *h = p;

	store_search_hit_free(&h);
}

/* The rows of one index, read into tickets: the first row of a ticket is its best. */
struct search_read {
	GHashTable *seen;  /* ticket id (gint64 *) -> struct store_search_hit *, borrowed */
	GPtrArray *hits;   /* owned */
	gint64 rows;
};

static void search_row(const struct store_row *st, void *ctx)
{
	struct search_read *r = ctx;
	gint64 id = store_column_int64(st, 0);
	struct store_search_hit *h;

	r->rows++;
	if (g_hash_table_contains(r->seen, &id))
		return;
	h = g_new0(struct store_search_hit, 1);
	h->ticket_id = id;
	h->rank = store_column_int64(st, 1);
	h->updated = store_column_int64(st, 2);
	h->status = store_column_dup(st, 3);
	h->subject = store_column_dup(st, 4);
	h->queue = store_column_dup(st, 5);
	g_ptr_array_add(r->hits, h);
	g_hash_table_insert(r->seen, &h->ticket_id, h);
}

/* How many of an index's newest matches bm25 ranks (statements.def, search_messages): a few
 * milliseconds of ranking; a word in more messages than this finds the best of its newest
 * ones (doc/search.md). */
#define SEARCH_WINDOW 2000
/* The same with --status, --queue or --since: each match is looked up in its message and
 * ticket before it counts, and those lookups, not bm25, were the time (at 10^6 messages a
 * common word with --status: 21 ms for 2,000 in the window, 9 ms for 1,000). */
#define SEARCH_WINDOW_FILTERED 1000
/* Rows of the window the first pass returns (search_index). */
#define SEARCH_FIRST_ROWS 512

/* At least `need` distinct tickets from index `id` (fewer only if it has no more): a
 * ticket with many matching messages takes many rows, so the row limit grows until
 * enough tickets came or the index ran out. Their rows join `all` (best per ticket). */
static int search_index(struct store *store, enum store_stmt id, const char *fts,
			const struct store_search_opts *o, gint64 need, GHashTable *all,
			GPtrArray *merged, char **error_r)
{
	gboolean filtered = o->status != NULL || o->queue != NULL || o->since > 0;
	enum store_stmt unfiltered =
	    id == STMT_search_messages ? STMT_search_messages_all : STMT_search_tickets_all;
	/* Every pass ranks the whole window again: ask for enough rows that one pass gives
	 * `need` tickets even when each has many matching messages (a ticket's messages share
	 * its subject, so they rank together); the rows past the first few cost ~1 us each. */
	gint64 limit = MAX(need * 4 + 16, SEARCH_FIRST_ROWS);

	for (;;) {
		struct search_read r = {g_hash_table_new(g_int64_hash, g_int64_equal),
					g_ptr_array_new_with_free_func(search_hit_destroy), 0};
		gint64 window = MAX(filtered ? SEARCH_WINDOW_FILTERED : SEARCH_WINDOW, limit);
		int ret = filtered ? store_each(store, id,
						SV_ARGS(SV_T(fts), SV_T(o->status), SV_T(o->queue),
							SV_I(o->since), SV_I(limit), SV_I(window)),
						search_row, &r, "search", error_r)
				   : store_each(store, unfiltered,
						SV_ARGS(SV_T(fts), SV_I(limit), SV_I(window)),
						search_row, &r, "search", error_r);
		gboolean done = ret < 0 || r.rows < limit || (gint64)r.hits->len >= need;

		if (done && ret >= 0) {
			for (guint i = 0; i < r.hits->len; i++) {
				struct store_search_hit *h = g_ptr_array_index(r.hits, i);
				struct store_search_hit *old = g_hash_table_lookup(all, &h->ticket_id);

				if (old != NULL) {
					old->rank = MIN(old->rank, h->rank);
					continue;
				}
				g_ptr_array_index(r.hits, i) = NULL;
				g_ptr_array_add(merged, h);
				g_hash_table_insert(all, &h->ticket_id, h);
			}
		}
		g_hash_table_destroy(r.seen);
		g_ptr_array_unref(r.hits);
		if (ret < 0)
			return -1;
		if (done)
			return 0;
		limit *= 4;
	}
}

/* Best first; equal ranks: the most recently updated, then the newest ticket. */
static gint search_cmp(gconstpointer a, gconstpointer b)
{
	const struct store_search_hit *x = *(struct store_search_hit *const *)a;
	const struct store_search_hit *y = *(struct store_search_hit *const *)b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->updated != y->updated)
		return x->updated > y->updated ? -1 : 1;
	return x->ticket_id > y->ticket_id ? -1 : x->ticket_id < y->ticket_id;
}

/* The four numbers of search_indexed_to: the last message row indexed, the newest message
 * row, the last ticket indexed, the newest ticket. */
static void search_range_row(const struct store_row *st, void *ctx)
{
	gint64 *r = ctx;

	for (int i = 0; i < 4; i++)
		r[i] = store_column_int64(st, i);
}

/* Index the rows after `from` up to `newest`, at most max_rows of them (<= 0: all):
 * statement `index` over the range, then `set` records the new end. Adds the count to
 * *done_r. */
static int search_catch_up_one(struct store *store, enum store_stmt index, enum store_stmt set,
			       gint64 from, gint64 newest, gint64 max_rows, gint64 *done_r,
			       char **error_r)
{
	gint64 to = max_rows > 0 ? MIN(newest, from + max_rows) : newest;

	if (to <= from)
		return 0;
	if (store_run(store, index, SV_ARGS(SV_I(from), SV_I(to)), "index new rows for search",
		      error_r) < 0 ||
	    store_run(store, set, SV_ARGS(SV_I(to)), "record the search index's progress",
		      error_r) < 0)
		return -1;
	*done_r += to - from;
	return 0;
}

int store_search_catch_up(struct store *store, gint64 max_rows, gint64 *done_r, char **error_r)
{
	gint64 r[4] = {0, 0, 0, 0};
	int ret = -1;

	*done_r = 0;
	if (store_atomic_begin(store, error_r) < 0)
		return -1;
	if (store_each(store, STMT_search_indexed_to, SV_NONE, search_range_row, r,
		       "read the search index's progress", error_r) < 0 ||
	    search_catch_up_one(store, STMT_search_index_messages, STMT_search_indexed_set, r[0],
				r[1], max_rows, done_r, error_r) < 0 ||
	    search_catch_up_one(store, STMT_search_index_tickets, STMT_search_tickets_set, r[2],
				r[3], max_rows, done_r, error_r) < 0)
		goto out;
	ret = 0;
out:
	if (store_atomic_end(store, ret == 0, ret == 0 ? error_r : NULL) < 0)
		return -1;
	return ret;
}

int store_search(struct store *store, const struct store_search_opts *o, GPtrArray **hits_r,
		 gboolean *more_r, char **error_r)
{
	GPtrArray *merged = g_ptr_array_new_with_free_func(search_hit_destroy);
	GHashTable *all = g_hash_table_new(g_int64_hash, g_int64_equal);
	gint64 offset = MAX(o->offset, 0), limit = o->limit > 0 ? o->limit : 10;
	gint64 need = offset + limit + 1;
	char *fts = NULL;
	int ret = -1;

	*hits_r = NULL;
	*more_r = FALSE;
	if (search_parse_to(o->query, store->pg != NULL ? &search_tsquery : &search_fts5, &fts,
			    error_r) < 0)
		goto out;
	/* What was delivered since notifyd's last pass is indexed first, so a search sees
	 * every stored message (a read-only connection searches what is indexed). */
	if (!store->readonly) {
		gint64 n;
		if (store_search_catch_up(store, 0, &n, error_r) < 0)
			goto out;
	}
	if (search_index(store, STMT_search_messages, fts, o, need, all, merged, error_r) < 0 ||
	    search_index(store, STMT_search_tickets, fts, o, need, all, merged, error_r) < 0)
		goto out;
	g_ptr_array_sort(merged, search_cmp);
	*more_r = (gint64)merged->len > offset + limit;
	if ((gint64)merged->len > offset + limit)
		g_ptr_array_remove_range(merged, (guint)(offset + limit),
					 merged->len - (guint)(offset + limit));
	g_ptr_array_remove_range(merged, 0, (guint)MIN(offset, (gint64)merged->len));
	*hits_r = g_ptr_array_ref(merged);
	ret = 0;
out:
	g_hash_table_destroy(all);
	g_ptr_array_unref(merged);
	g_free(fts);
	return ret;
}

int store_ticket_frt_due(struct store *store, gint64 ticket_id, gint64 now, char **error_r)
{
	gint64 one = 0;

	return store_int64(store, STMT_ticket_frt_due, SV_ARGS(SV_I(ticket_id), SV_I(now)),
			   "read first-response target", &one, error_r);
}
