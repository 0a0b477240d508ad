/* kb: the knowledge base's index (migration 12, doc/kb.md): the FTS5 tokenizer "postdesk"
 * (unicode61's words, stop words dropped and stems taken in a language: parse/stem.c, the
 * one libstemmer user), two FTS5 functions that say how much of a query an article covers,
 * and the reads and writes of the articles.
 * FTS5 calls a tokenizer without saying which row or query it works for, so the language
 * is the connection's: store_kb_add and store_kb_search set it just before the statement
 * that tokenizes, and a connection is used by one thread at a time. On PostgreSQL the same
 * words are made before the SQL instead (kb_pg.c; doc/scaling.md "Search").
 * Owns: the tokenizer's per-connection state (freed by SQLite when the connection closes).
 * Threading: that of the connection. */
#include "config.h"
#include "postdesk/store.h"

#include <string.h>

#include "postdesk/lib.h"
#include "postdesk/parse.h"
#include "store-private.h"
#include "store-stmt.h"
#include "store-error.h"
#include "store-kb.h"

/* One per connection: the language of what is tokenized now, its stemmers. */
struct kb_tok_ctx {
	char lang[8];
	GHashTable *stemmers; /* lang -> struct parse_stemmer * */
	fts5_tokenizer parent;
	void *parent_ctx;
};

/* One per FTS5 table using the tokenizer. */
struct kb_tok {
	struct kb_tok_ctx *ctx;
	Fts5Tokenizer *parent;
};

struct kb_tok_call {
	struct parse_stemmer *stemmer;
	const char *lang;
	void *fts_ctx;
	int (*token)(void *, int, const char *, int, int, int);
};

static void kb_stemmer_free(gpointer p)
{
	struct parse_stemmer *s = p;

	parse_stemmer_free(&s);
}

static void kb_ctx_free(void *p)
{
	struct kb_tok_ctx *ctx = p;

	g_hash_table_unref(ctx->stemmers);
	g_free(ctx);
}

static int kb_tok_create(void *p, const char **argv, int argc, Fts5Tokenizer **out)
{
	struct kb_tok_ctx *ctx = p;
	struct kb_tok *tok = g_new0(struct kb_tok, 1);
	/* Keep diacritics: Snowball's German and French stemmers need them ("Größe"). */
	static const char *args[] = {"remove_diacritics", "0"};
	int rc;

	(void)argv;
	(void)argc;
	tok->ctx = ctx;
	rc = ctx->parent.xCreate(ctx->parent_ctx, args, 2, &tok->parent);
	if (rc != SQLITE_OK) {
		g_free(tok);
		return rc;
	}
	*out = (Fts5Tokenizer *)tok;
	return SQLITE_OK;
}

static void kb_tok_delete(Fts5Tokenizer *p)
{
	struct kb_tok *tok = (struct kb_tok *)p;

	tok->ctx->parent.xDelete(tok->parent);
	g_free(tok);
}

/* A word from unicode61 (lower-cased): dropped if a stop word, else handed on stemmed. */
static int kb_tok_word(void *p, int flags, const char *word, int len, int start, int end)
{
	struct kb_tok_call *call = p;
	const char *stem;
	int stem_len;

	if (parse_stop_word(call->lang, word, len))
		return SQLITE_OK;
	if (parse_stem(call->stemmer, word, len, &stem, &stem_len) < 0)
		return SQLITE_NOMEM;
	return call->token(call->fts_ctx, flags, stem, stem_len, start, end);
}

static int kb_tok_run(Fts5Tokenizer *p, void *fts_ctx, int flags, const char *text, int len,
		      int (*token)(void *, int, const char *, int, int, int))
{
	struct kb_tok *tok = (struct kb_tok *)p;
	struct kb_tok_ctx *ctx = tok->ctx;
	struct kb_tok_call call = {NULL, ctx->lang, fts_ctx, token};

	call.stemmer = g_hash_table_lookup(ctx->stemmers, ctx->lang);
	if (call.stemmer == NULL) {
		call.stemmer = parse_stemmer_new(ctx->lang);
		g_hash_table_insert(ctx->stemmers, g_strdup(ctx->lang), call.stemmer);
	}
	return ctx->parent.xTokenize(tok->parent, &call, flags, text, len, kb_tok_word);
}

/* The phrases of the query with at least one word after stop words, and how many of them
 * this row holds: the share of a question an article answers (kb/ sets its threshold). */
static void kb_phrases(const Fts5ExtensionApi *api, Fts5Context *fts, int *terms_r,
		       int *matched_r)
{
	*terms_r = *matched_r = 0;
	for (int i = 0; i < api->xPhraseCount(fts); i++) {
		Fts5PhraseIter iter;
		int col = -1, off = -1;

		if (api->xPhraseSize(fts, i) <= 0)
			continue;
		(*terms_r)++;
		if (api->xPhraseFirst(fts, i, &iter, &col, &off) == SQLITE_OK && col >= 0)
			(*matched_r)++;
	}
}

static void kb_fn_matched(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sc,
			  int argc, sqlite3_value **argv)
{
	int terms, matched;

	(void)argc;
	(void)argv;
	kb_phrases(api, fts, &terms, &matched);
	sqlite3_result_int(sc, matched);
}

static void kb_fn_terms(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *sc,
			int argc, sqlite3_value **argv)
{
	int terms, matched;

	(void)argc;
	(void)argv;
	kb_phrases(api, fts, &terms, &matched);
	sqlite3_result_int(sc, terms);
}

/* FTS5's API handle: the documented handshake "SELECT fts5(?1)" with a bound pointer.
 * It reads no table, so it is not one of statements.def's queries. */
static fts5_api *kb_fts5_api(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	(void)sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

int store_kb_register(struct store *store, char **error_r)
{
	fts5_api *api = kb_fts5_api(store->db);
	fts5_tokenizer ours = {kb_tok_create, kb_tok_delete, kb_tok_run};
	struct kb_tok_ctx *ctx;

	if (api == NULL || api->iVersion < 2)
		return util_error(error_r, "store: this SQLite has no FTS5 (the knowledge base needs it)");
	ctx = g_new0(struct kb_tok_ctx, 1);
	g_strlcpy(ctx->lang, "en", sizeof(ctx->lang));
	ctx->stemmers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, kb_stemmer_free);
	if (api->xFindTokenizer(api, "unicode61", &ctx->parent_ctx, &ctx->parent) != SQLITE_OK ||
	    api->xCreateTokenizer(api, "postdesk", ctx, &ours, kb_ctx_free) != SQLITE_OK) {
		kb_ctx_free(ctx);
		return util_error(error_r, "store: cannot register the FTS5 tokenizer: %s",
				  sqlite3_errmsg(store->db));
	}
	store->kb_tok = ctx;
	if (api->xCreateFunction(api, "kb_matched", NULL, kb_fn_matched, NULL) != SQLITE_OK ||
	    api->xCreateFunction(api, "kb_terms", NULL, kb_fn_terms, NULL) != SQLITE_OK)
		return util_error(error_r, "store: cannot register FTS5 functions: %s",
				  sqlite3_errmsg(store->db));
	return 0;
}

/* The language the tokenizer uses for the next statement ("en" when none is given). */
static void kb_set_lang(struct store *store, const char *lang)
{
	struct kb_tok_ctx *ctx = store->kb_tok;

	if (ctx == NULL) /* PostgreSQL: no tokenizer of ours (kb_pg.c stems instead) */
		return;

	g_strlcpy(ctx->lang, lang != NULL && *lang != '\0' ? lang : "en", sizeof(ctx->lang));
}

int store_kb_clear(struct store *store, char **error_r)
{
	if (store_run(store, STMT_kb_fts_clear, SV_NONE, "kb clear index", error_r) < 0)
		return -1;
	return store_run(store, STMT_kb_articles_clear, SV_NONE, "kb clear articles", error_r);
}

/* The language of an article or question: "en" when none is given, as the tokenizer's. */
static const char *kb_lang(const char *lang)
{
	return lang != NULL && *lang != '\0' ? lang : "en";
}

int store_kb_add(struct store *store, const struct store_kb_article *a, char **error_r)
{
	char *title = NULL, *tags = NULL, *body = NULL;
	int ret;

	kb_set_lang(store, a->lang);
	if (store_run(store, STMT_kb_article_add,
		      SV_ARGS(SV_I(a->id), SV_T(a->queue), SV_T(a->path), SV_T(a->lang),
			      SV_T(a->title), SV_T(a->tags), SV_T(a->url), SV_T(a->body)),
		      "kb add article", error_r) < 0)
		return -1;
	if (store->pg != NULL) {
		/* PostgreSQL indexes the words our tokenizer would give FTS5 (kb_pg.c); the
		 * text itself is read from kb_articles. */
		struct parse_stemmer *stemmer = parse_stemmer_new(kb_lang(a->lang));

		title = store_kb_pg_stems(a->title, kb_lang(a->lang), stemmer);
		tags = store_kb_pg_stems(a->tags, kb_lang(a->lang), stemmer);
		body = store_kb_pg_stems(a->body, kb_lang(a->lang), stemmer);
		parse_stemmer_free(&stemmer);
	}
	ret = store_run(store, STMT_kb_fts_add,
			SV_ARGS(SV_I(a->id), SV_T(title != NULL ? title : a->title),
				SV_T(tags != NULL ? tags : a->tags),
				SV_T(body != NULL ? body : a->body), SV_T(a->lang), SV_T(a->queue),
				SV_T(a->url)),
			"kb index article", error_r);
	g_free(title);
	g_free(tags);
	g_free(body);
	return ret;
}

static gpointer kb_hit_row(const struct store_row *st)
{
	struct store_kb_hit *h = g_new0(struct store_kb_hit, 1);

	h->id = store_column_int64(st, 0);
	h->title = store_column_dup(st, 1);
	h->url = store_column_dup(st, 2);
	h->body = store_column_dup(st, 3);
	h->score = store_column_int64(st, 4);
	h->matched = store_column_int(st, 5);
	h->terms = store_column_int(st, 6);
	return h;
}

void store_kb_hit_free(struct store_kb_hit **hp)
{
	struct store_kb_hit *h = *hp;

	if (h == NULL)
		return;
	*hp = NULL;
	g_free(h->title);
	g_free(h->url);
	g_free(h->body);
	g_free(h);
}

static void kb_hit_free(gpointer p)
{
	struct store_kb_hit *h = p;

	store_kb_hit_free(&h);
}

int store_kb_search(struct store *store, const char *match, const char *lang, const char *queue,
		    int limit, GPtrArray **hits_r, char **error_r)
{
	char *pg_query = NULL;
	int ret;

	kb_set_lang(store, lang);
	if (store->pg != NULL) /* the question's stems (kb_pg.c): no tokenizer runs there */
		pg_query = store_kb_pg_query(match, kb_lang(lang));
	ret = store_rows(store, STMT_kb_search,
			 SV_ARGS(SV_T(pg_query != NULL ? pg_query : match), SV_T(kb_lang(lang)),
				 SV_T(queue), SV_I(limit)),
			 kb_hit_row, kb_hit_free, "kb search", hits_r, error_r);
	g_free(pg_query);
	return ret;
}

static gpointer kb_article_row(const struct store_row *st)
{
	struct store_kb_article *a = g_new0(struct store_kb_article, 1);

	a->id = store_column_int64(st, 0);
	a->queue = store_column_dup(st, 1);
	a->lang = store_column_dup(st, 2);
	a->title = store_column_dup(st, 3);
	a->url = store_column_dup(st, 4);
	a->path = store_column_dup(st, 5);
	return a;
}

void store_kb_article_free(struct store_kb_article **ap)
{
	struct store_kb_article *a = *ap;

	if (a == NULL)
		return;
	*ap = NULL;
	g_free(a->queue);
	g_free(a->path);
	g_free(a->lang);
	g_free(a->title);
	g_free(a->tags);
	g_free(a->url);
	g_free(a->body);
	g_free(a);
}

static void kb_article_free(gpointer p)
{
	struct store_kb_article *a = p;

	store_kb_article_free(&a);
}

int store_kb_list(struct store *store, GPtrArray **list_r, char **error_r)
{
	return store_rows(store, STMT_kb_list, SV_NONE, kb_article_row, kb_article_free,
			  "kb list", list_r, error_r);
}

int store_ticket_set_self_served(struct store *store, gint64 id, gint64 now, char **error_r)
{
	return store_run(store, STMT_ticket_set_self_served, SV_ARGS(SV_I(id), SV_I(now)),
			 "set ticket self-served", error_r);
}

int store_ticket_self_served(struct store *store, gint64 id, gboolean *yes_r, char **error_r)
{
	gint64 v = 0;
	int ret = store_int64(store, STMT_ticket_self_served, SV_ARGS(SV_I(id)), "read self-served",
			      &v, error_r);

	*yes_r = v != 0;
	return ret;
}
