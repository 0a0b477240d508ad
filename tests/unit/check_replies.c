/* The reply corpus (tests/data/replies/, see its README): every case runs the way the
 * delivery path runs it — parse_message(), then parse_reply_text() on the text and HTML
 * bodies parse found — and is compared exactly with NAME.expected (only trailing whitespace
 * at the very end is ignored). Prints the exact-match rate per locale and per client as a
 * Markdown table (the one in doc/replies.md) and fails below REPLIES_BAR_TOTAL percent over
 * the whole set or below REPLIES_BAR_LOCALE percent in any one locale. A mismatch prints
 * the got/expected pair to stderr. */
#include "postdesk/parse.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#define REPLIES_BAR_TOTAL 97
#define REPLIES_BAR_LOCALE 90
#define REPLIES_MIN_CASES 200
#define REPLIES_MIN_LOCALES 20

struct tally {
	int exact;
	int total;
};

static void tally_add(GHashTable *t, const char *key, gboolean ok)
{
	struct tally *v = g_hash_table_lookup(t, key);
	if (v == NULL) {
		v = g_new0(struct tally, 1);
		g_hash_table_insert(t, g_strdup(key), v);
	}
	v->total++;
	v->exact += ok;
}

static char *read_case(const char *dir, const char *name, const char *ext, gsize *len_r)
{
	char *file = g_strconcat(name, ext, NULL);
	char *path = g_build_filename(dir, file, NULL);
	char *data = NULL;
	ck_assert_msg(g_file_get_contents(path, &data, len_r, NULL), "cannot read %s", path);
	g_free(path);
	g_free(file);
	return data;
}

/* TRUE if the case's new text is exactly its .expected. */
static gboolean run_case(const char *dir, const char *name)
{
	gsize len = 0;
	char *raw = read_case(dir, name, ".eml", &len);
	char *want = g_strchomp(read_case(dir, name, ".expected", NULL));
	struct parse_msg *msg = NULL;
	char *error = NULL;
	ck_assert_msg(parse_message(raw, len, &msg, &error) == 0, "%s: %s", name, error);
	char *got = g_strchomp(parse_reply_text(msg->body, msg->body_html, NULL));
	gboolean ok = strcmp(got, want) == 0;
	if (!ok)
		fprintf(stderr, "replies: %s differs\n--- got:\n%.1500s\n--- expected:\n%s\n---\n",
			name, got, want);
	g_free(got);
	g_free(want);
	parse_msg_free(&msg);
	g_free(raw);
	return ok;
}

static gint compare_keys(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int percent(const struct tally *t)
{
	return t->total == 0 ? 0 : (int)(100.0 * t->exact / t->total + 0.0001);
}

/* Prints one table; returns the lowest rate in it. */
static int print_table(GHashTable *t, const char *title)
{
	guint n = 0;
	gpointer *keys = g_hash_table_get_keys_as_array(t, &n);
	qsort(keys, n, sizeof *keys, compare_keys);
	int lowest = 100;
	printf("\n| %s | exact | cases | rate |\n|---|---:|---:|---:|\n", title);
	for (guint i = 0; i < n; i++) {
		const struct tally *v = g_hash_table_lookup(t, keys[i]);
		printf("| %s | %d | %d | %d %% |\n", (const char *)keys[i], v->exact, v->total,
		       percent(v));
		lowest = MIN(lowest, percent(v));
	}
	g_free(keys);
	return lowest;
}

START_TEST(test_reply_corpus)
{
	char *dir = g_build_filename(TESTS_SRCDIR, "data", "replies", NULL);
	char *path = g_build_filename(dir, "INDEX", NULL);
	char *index = NULL;
	ck_assert_msg(g_file_get_contents(path, &index, NULL, NULL), "cannot read %s", path);
	GHashTable *locales = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GHashTable *clients = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	struct tally all = {0, 0};
	char **lines = g_strsplit(index, "\n", -1);
	for (int i = 0; lines[i] != NULL; i++) {
		if (lines[i][0] == '#' || lines[i][0] == '\0')
			continue;
		char **f = g_strsplit(lines[i], " ", -1);
		ck_assert_msg(g_strv_length(f) == 4, "INDEX line %d: name locale client form",
			      i + 1);
		gboolean ok = run_case(dir, f[0]);
		char *client = g_strconcat(f[2], " (", f[3], ")", NULL);
		tally_add(locales, f[1], ok);
		tally_add(clients, client, ok);
		all.total++;
		all.exact += ok;
		g_free(client);
		g_strfreev(f);
	}
	printf("reply corpus: %d of %d exact (%d %%), %u locales, %u clients\n", all.exact,
	       all.total, percent(&all), g_hash_table_size(locales), g_hash_table_size(clients));
	int lowest = print_table(locales, "locale");
	print_table(clients, "client (form)");
	fflush(stdout);
	ck_assert_int_ge(all.total, REPLIES_MIN_CASES);
	ck_assert_uint_ge(g_hash_table_size(locales), REPLIES_MIN_LOCALES);
	ck_assert_msg(all.exact * 100 >= all.total * REPLIES_BAR_TOTAL,
		      "%d of %d exact: below %d %%", all.exact, all.total, REPLIES_BAR_TOTAL);
	ck_assert_msg(lowest >= REPLIES_BAR_LOCALE, "a locale is at %d %%, below %d %%", lowest,
		      REPLIES_BAR_LOCALE);
	g_strfreev(lines);
	g_hash_table_unref(clients);
	g_hash_table_unref(locales);
	g_free(index);
	g_free(path);
	g_free(dir);
}
END_TEST

int main(void)
{
	parse_init();
	Suite *s = suite_create("replies");
	TCase *tc = tcase_create("corpus");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_reply_corpus);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
