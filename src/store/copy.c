/* copy: `postdesk store copy --to postgresql://...` (issue 16) — every row of one desk into
 * another, empty one (an SQLite desk into PostgreSQL), a page at a time, in one transaction
 * of the target, then a check of both by counts and a sample of rows. Each table is read
 * by its copy_read_ (by key) or copy_page_ (by offset) statement and written by its
 * copy_write_ statement, whose parameters are the read's columns letter for letter, so a
 * row passes through as typed values (NULLs, bytes) without SQL of its own. Owns nothing
 * beyond a call; the two stores are the caller's, used from one thread. */
#include "config.h"
#include "postdesk/lib.h"
#include "store-error.h"
#include "store-stmt.h"
#include "store-txn.h"

#include <string.h>

#define COPY_PAGE 500    /* rows read at a time */
#define COPY_SAMPLE 100  /* rows compared from each of two places of a table */
#define COPY_COLUMNS 32  /* more than any table has */

struct copy_table {
	const char *name;
	enum store_stmt read, write, count;
	gboolean keyset; /* read by key (?1 the last key), else by offset */
};

/* In an order the foreign keys accept (tickets' self-references are deferred). */
#define COPY_KEYSET(t) {#t, STMT_copy_read_##t, STMT_copy_write_##t, STMT_copy_count_##t, TRUE}
#define COPY_OFFSET(t) {#t, STMT_copy_page_##t, STMT_copy_write_##t, STMT_copy_count_##t, FALSE}
static const struct copy_table copy_tables[] = {
    COPY_KEYSET(customers),     COPY_KEYSET(tickets),      COPY_KEYSET(messages),
    COPY_KEYSET(attachments),   COPY_OFFSET(participants), COPY_KEYSET(events),
    COPY_KEYSET(agents),        COPY_KEYSET(outbox),       COPY_OFFSET(autoreplies),
    COPY_OFFSET(tags),          COPY_KEYSET(surveys),      COPY_KEYSET(schedule),
    COPY_OFFSET(agent_threads), COPY_OFFSET(conversations), COPY_KEYSET(audit),
    COPY_OFFSET(reply_waits),   COPY_OFFSET(agent_digests), COPY_OFFSET(order_refs),
    COPY_KEYSET(order_notices), COPY_KEYSET(kb_articles),  COPY_OFFSET(fetched),
    COPY_OFFSET(mailbox_state), COPY_KEYSET(held_acks),
};

struct copy_page {
	struct store *to;
	const struct copy_table *t;
	gint64 last_key;
	char *error; /* the first failure of a row */
};

/* One read row as the write's values, column letter by letter (the same letters). */
static void copy_row(const struct store_row *st, void *ctx)
{
	struct copy_page *p = ctx;
	const char *letters = store_stmt_columns(p->t->read);
	struct store_val vals[COPY_COLUMNS];
	GBytes *bytes[COPY_COLUMNS] = {NULL};
	size_t i, n = strlen(letters);

	if (p->error != NULL)
		return;
	g_assert(n <= COPY_COLUMNS);
	for (i = 0; i < n; i++) {
		gboolean null = store_column_null(st, (int)i);

		switch (letters[i]) {
		case 'x':
			bytes[i] = store_column_bytes(st, (int)i);
			vals[i] = SV_BYTES(bytes[i]);
			break;
		case 't':
		case 'z':
			vals[i] = SV_T(store_column_text(st, (int)i));
			break;
		case 'b':
			vals[i] = SV_B(store_column_int64(st, (int)i) != 0);
			break;
		case 'm':
			vals[i] = SV_I(null ? -1 : store_column_int64(st, (int)i));
			break;
		default: /* i, n: NULL reads 0, which 'n' writes as NULL */
			vals[i] = SV_I(store_column_int64(st, (int)i));
			break;
		}
	}
	(void)store_run(p->to, p->t->write, (struct store_args){vals, n}, p->t->name, &p->error);
	p->last_key = store_column_int64(st, 0);
	for (i = 0; i < n; i++)
		if (bytes[i] != NULL)
			g_bytes_unref(bytes[i]);
}

static int copy_table(struct store *from, struct store *to, const struct copy_table *t,
		      store_copy_fn *fn, void *ctx, gint64 *rows_r, char **error_r)
{
	gint64 total = 0, done = 0, key = 0;

	if (store_int64(from, t->count, SV_NONE, t->name, &total, error_r) < 0)
		return -1;
	for (;;) {
		struct copy_page p = {to, t, 0, NULL};
		int rows = store_each(from, t->read, SV_ARGS(SV_I(key), SV_I(COPY_PAGE)), copy_row,
				      &p, t->name, error_r);

		if (rows < 0 || p.error != NULL) {
			if (p.error != NULL) {
				if (rows >= 0)
					util_error(error_r, "%s", p.error);
				g_free(p.error);
			}
			return -1;
		}
		done += rows;
		key = t->keyset ? p.last_key : key + rows;
		if (fn != NULL)
			fn(t->name, done, MAX(total, done), ctx);
		if (rows < COPY_PAGE)
			break;
	}
	*rows_r += done;
	return 0;
}

int store_is_empty(struct store *store, char **error_r)
{
	static const enum store_stmt counts[] = {STMT_copy_count_customers, STMT_copy_count_tickets,
						 STMT_copy_count_messages};
	gint64 n = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
		if (store_int64(store, counts[i], SV_NONE, "count rows", &n, error_r) < 0)
			return -1;
		if (n != 0)
			return 0;
	}
	return 1;
}

/* The target must hold no desk yet: a copy adds rows with their ids. */
static int copy_target_empty(struct store *to, char **error_r)
{
	static const enum store_stmt counts[] = {STMT_copy_count_customers, STMT_copy_count_tickets,
						 STMT_copy_count_messages};
	gint64 n = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
		if (store_int64(to, counts[i], SV_NONE, "count the target's rows", &n, error_r) < 0)
			return -1;
		if (n != 0)
			return store_fail_other(to, error_r,
						"the target database already holds a desk (%s: %" G_GINT64_FORMAT
						" rows): copy into an empty one",
						store_stmt_name(counts[i]) + strlen("copy_count_"), n);
	}
	return 0;
}

int store_copy(struct store *from, struct store *to, store_copy_fn *fn, void *ctx,
	       gint64 *rows_r, char **error_r)
{
	gint64 n = 0;

	*rows_r = 0;
	if (store_begin(to, error_r) < 0)
		return -1;
	if (copy_target_empty(to, error_r) < 0 ||
	    store_run(to, STMT_copy_defer, SV_NONE, "defer foreign keys", error_r) < 0)
		goto fail;
	for (size_t i = 0; i < G_N_ELEMENTS(copy_tables); i++)
		if (copy_table(from, to, &copy_tables[i], fn, ctx, rows_r, error_r) < 0)
			goto fail;
	if (store_int64(to, STMT_copy_sequences, SV_NONE, "move the id sequences", &n, error_r) <
		0 ||
	    store_int64(to, STMT_copy_search_tickets, SV_NONE, "index the tickets", &n, error_r) <
		0 ||
	    store_commit(to, error_r) < 0)
		goto fail;
	return 0;
fail:
	store_rollback(to);
	return -1;
}

/* ---- the check ---- */

/* A row as one string: each column's text, a blob's SHA-256, NULL as \N. */
static void sample_row(const struct store_row *st, void *ctx)
{
	GPtrArray *rows = ((gpointer *)ctx)[0];
	const char *letters = ((gpointer *)ctx)[1];
	GString *s = g_string_new(NULL);

	for (size_t i = 0; letters[i] != '\0'; i++) {
		if (store_column_null(st, (int)i)) {
			g_string_append(s, "\\N");
		} else if (letters[i] == 'x') {
			GBytes *b = store_column_bytes(st, (int)i);
			char *sum = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, b);

			g_string_append(s, sum);
			g_free(sum);
			g_bytes_unref(b);
		} else {
			g_string_append(s, store_column_text(st, (int)i));
		}
		g_string_append_c(s, '\x1f');
	}
	g_ptr_array_add(rows, g_string_free(s, FALSE));
}

static int sample(struct store *store, const struct copy_table *t, gint64 at, GPtrArray **rows_r,
		  char **error_r)
{
	gpointer ctx[2] = {g_ptr_array_new_with_free_func(g_free),
			   (gpointer)store_stmt_columns(t->read)};

	*rows_r = ctx[0];
	return store_each(store, t->read, SV_ARGS(SV_I(at), SV_I(COPY_SAMPLE)), sample_row, ctx,
			  t->name, error_r) < 0
		   ? -1
		   : 0;
}

/* The rows of t from `at` (a key or an offset) on both sides. */
static int check_sample(struct store *a, struct store *b, const struct copy_table *t, gint64 at,
			char **error_r)
{
	GPtrArray *ra = NULL, *rb = NULL;
	int ret = -1;

	if (sample(a, t, at, &ra, error_r) < 0 || sample(b, t, at, &rb, error_r) < 0)
		goto out;
	if (ra->len != rb->len) {
		util_error(error_r, "%s: %u rows from %" G_GINT64_FORMAT " on one side, %u on the other",
			   t->name, ra->len, at, rb->len);
		goto out;
	}
	for (guint i = 0; i < ra->len; i++) {
		if (strcmp(g_ptr_array_index(ra, i), g_ptr_array_index(rb, i)) != 0) {
			util_error(error_r, "%s: row %u from %" G_GINT64_FORMAT " differs", t->name,
				   i + 1, at);
			goto out;
		}
	}
	ret = 0;
out:
	if (ra != NULL)
		g_ptr_array_unref(ra);
	if (rb != NULL)
		g_ptr_array_unref(rb);
	return ret;
}

int store_copy_check(struct store *a, struct store *b, guint *tables_r, char **error_r)
{
	*tables_r = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(copy_tables); i++) {
		const struct copy_table *t = &copy_tables[i];
		gint64 na = 0, nb = 0;

		if (store_int64(a, t->count, SV_NONE, t->name, &na, error_r) < 0 ||
		    store_int64(b, t->count, SV_NONE, t->name, &nb, error_r) < 0)
			return -1;
		if (na != nb)
			return util_error(error_r, "%s: %" G_GINT64_FORMAT " rows, %" G_GINT64_FORMAT
						   " in the copy",
					  t->name, na, nb);
		/* the first rows, and those from the middle (by key: ids are nearly dense) */
		if (check_sample(a, b, t, 0, error_r) < 0 ||
		    (na > COPY_SAMPLE && check_sample(a, b, t, na / 2, error_r) < 0))
			return -1;
		(*tables_r)++;
	}
	return 0;
}
