/* check_kb: the knowledge base (doc/kb.md): stems and stop words (parse/stem.c), the FTS5
 * tokenizer per language (store/kb.c), article files and the reindex (kb/article.c), the
 * query, threshold and excerpts (kb/suggest.c), and the labelled set of tests/data/kb:
 * top-1 accuracy and the share of unanswerable questions that still get a suggestion,
 * held to the targets of issue 14 (and printed: doc/kb.md quotes them). */
#include "config.h"
#include "postdesk/kb.h"
#include "postdesk/parse.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KB_DATA TESTS_SRCDIR "/data/kb"
#define TARGET_TOP1 0.80
#define TARGET_FALSE 0.10

static char *tmpdir, *dbpath;

static void setup(void)
{
	tmpdir = g_dir_make_tmp("check_kb-XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
	dbpath = test_database(tmpdir, "postdesk.db");
}

static void teardown(void)
{
	test_rm_rf(tmpdir);
	g_free(tmpdir);
	g_free(dbpath);
}

static struct store *open_db(void)
{
	struct store *s = NULL;
	char *error = NULL;

	if (store_open(dbpath, STORE_CREATE, 1000, &s, &error) < 0)
		ck_abort_msg("store_open: %s", error);
	return s;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = g_build_filename(dir, name, NULL);

	g_mkdir_with_parents(dir, 0700);
	ck_assert(g_file_set_contents(path, text, -1, NULL));
	g_free(path);
}

static char *stem_of(const char *lang, const char *word)
{
	struct parse_stemmer *s = parse_stemmer_new(lang);
	const char *stem;
	int len;
	char *out;

	ck_assert_int_eq(parse_stem(s, word, (int)strlen(word), &stem, &len), 0);
	out = g_strndup(stem, len);
	parse_stemmer_free(&s);
	return out;
}

START_TEST(test_stems_and_stop_words)
{
	char *a = stem_of("en", "returns"), *b = stem_of("en", "returning");
	char *c = stem_of("de", "lieferungen"), *d = stem_of("de", "lieferung");
	char *x = stem_of("xx", "words");

	ck_assert_str_eq(a, b); /* one stem for the forms of a word */
	ck_assert_str_eq(c, d);
	ck_assert_str_eq(x, "words"); /* a language without a stemmer keeps its words */
	ck_assert(parse_stop_word("en", "the", 3));
	ck_assert(parse_stop_word("de", "und", 3));
	ck_assert(!parse_stop_word("en", "und", 3)); /* per language */
	ck_assert(!parse_stop_word("en", "refund", 6));
	g_free(a), g_free(b), g_free(c), g_free(d), g_free(x);
}
END_TEST

/* "solved" and its words in other languages, alone or with a short sign-off; anything more
 * is an ordinary message. */
START_TEST(test_solved_words)
{
	ck_assert(parse_solved_words("Solved!"));
	ck_assert(parse_solved_words("  ERLEDIGT.\n\nDanke,\nAnna Schmidt\n"));
	ck_assert(parse_solved_words("hat geholfen"));
	ck_assert(parse_solved_words("Résolu"));
	ck_assert(parse_solved_words("opgelost\nbedankt"));
	ck_assert(parse_solved_words("That helped!\nThanks"));
	ck_assert(!parse_solved_words(""));
	ck_assert(!parse_solved_words("Solved? No, the parcel is still missing."));
	ck_assert(!parse_solved_words("solved\nbut I have another question about my invoice"));
	ck_assert(!parse_solved_words("not solved"));
}
END_TEST

START_TEST(test_article_parse)
{
	struct store_kb_article *a = NULL;
	char *error = NULL;

	ck_assert_int_eq(kb_article_parse("a.md", "", "title: T\nlang: de\ntags: x, y\n"
						  "url: https://e.example/a\n\nBody **bold**\n",
					  &a, &error),
			 0);
	ck_assert_str_eq(a->title, "T");
	ck_assert_str_eq(a->lang, "de");
	ck_assert_str_eq(a->url, "https://e.example/a");
	ck_assert_str_eq(a->body, "Body **bold**\n");
	store_kb_article_free(&a);
	/* errors name the file and line, and say what is wrong */
	ck_assert_int_eq(kb_article_parse("b.md", "", "title: T\nlanguage: en\n\nx", &a, &error), -1);
	ck_assert_str_eq(error, "b.md:2: unknown header \"language\" (title, lang, tags, url)");
	g_clear_pointer(&error, g_free);
	ck_assert_int_eq(kb_article_parse("c.md", "", "title: T\nlang: EN!\n\nx", &a, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "lang: must be a language code"));
	g_clear_pointer(&error, g_free);
	ck_assert_int_eq(
	    kb_article_parse("d.md", "", "title: T\nlang: en\nurl: javascript:x\n\nx", &a, &error),
	    -1);
	ck_assert_ptr_nonnull(strstr(error, "url: must be one http(s)://"));
	g_clear_pointer(&error, g_free);
	ck_assert_int_eq(kb_article_parse("e.md", "", "title: T\nlang: en\n\n  \n", &a, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "no text"));
	g_free(error);
}
END_TEST

START_TEST(test_match_expr_and_excerpt)
{
	char *m = kb_match_expr("Where's my \"parcel\"? (NEAR* OR) parcel Größe", "en");
	char *e;

	/* quoted words only, each once: nothing of FTS5's syntax gets through */
	ck_assert_str_eq(m, "\"where\" OR \"s\" OR \"my\" OR \"parcel\" OR \"near\" OR \"or\" OR "
			    "\"größe\"");
	g_free(m);
	ck_assert_ptr_null(kb_match_expr(" ?! ", "en"));
	e = kb_excerpt("## Head\n\n- item **one** with [a link](https://x.example)\n", 200);
	ck_assert_str_eq(e, "Head item one with a link");
	g_free(e);
	e = kb_excerpt("alpha beta gamma delta", 12);
	ck_assert_str_eq(e, "alpha beta...");
	g_free(e);
}
END_TEST

/* The tokenizer stems in the article's language: a German article is found by another
 * form of its words, an English query does not reach it, and queue articles stay in
 * their queue. */
START_TEST(test_index_languages_queues)
{
	struct store *s = open_db();
	char *dir = g_build_filename(tmpdir, "kb", NULL), *sub, *error = NULL;
	GPtrArray *hits = NULL;
	guint n = 0;

	sub = g_build_filename(dir, "shared", NULL);
	write_file(sub, "de.md", "title: Lieferungen ins Ausland\nlang: de\n\n"
				 "Wir liefern in alle Länder der Europäischen Union.\n");
	write_file(sub, "en.md", "title: Deliveries abroad\nlang: en\n\nWe deliver to every "
				 "country of the European Union.\n");
	g_free(sub);
	sub = g_build_filename(dir, "sales", NULL);
	write_file(sub, "q.md", "title: Bulk orders and wholesale\nlang: en\n\nResellers get "
				"wholesale prices on bulk orders.\n");
	g_free(sub);
	ck_assert_int_eq(kb_reindex(s, dir, NULL, NULL, &n, &error), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(store_kb_search(s, "\"lieferung\"", "de", "", 10, &hits, &error), 0);
	ck_assert_uint_eq(hits->len, 1);
	ck_assert_str_eq(((struct store_kb_hit *)hits->pdata[0])->title, "Lieferungen ins Ausland");
	g_ptr_array_unref(hits);
	ck_assert_int_eq(store_kb_search(s, "\"delivering\"", "en", "", 10, &hits, &error), 0);
	ck_assert_uint_eq(hits->len, 1);
	ck_assert_str_eq(((struct store_kb_hit *)hits->pdata[0])->title, "Deliveries abroad");
	g_ptr_array_unref(hits);
	/* stop words are not indexed: "the" finds nothing */
	ck_assert_int_eq(store_kb_search(s, "\"the\"", "en", "", 10, &hits, &error), 0);
	ck_assert_uint_eq(hits->len, 0);
	g_ptr_array_unref(hits);
	/* a queue's article: in its queue only */
	ck_assert_int_eq(store_kb_search(s, "\"wholesale\"", "en", "", 10, &hits, &error), 0);
	ck_assert_uint_eq(hits->len, 0);
	g_ptr_array_unref(hits);
	ck_assert_int_eq(store_kb_search(s, "\"wholesale\"", "en", "sales", 10, &hits, &error), 0);
	ck_assert_uint_eq(hits->len, 1);
	g_ptr_array_unref(hits);
	/* a bad article fails the reindex and leaves the index as it was */
	sub = g_build_filename(dir, "shared", NULL);
	write_file(sub, "zz-bad.md", "title: no language\n\ntext\n");
	g_free(sub);
	ck_assert_int_eq(kb_reindex(s, dir, NULL, NULL, &n, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "zz-bad.md: lang:"));
	g_clear_pointer(&error, g_free);
	ck_assert_int_eq(store_kb_list(s, &hits, &error), 0);
	ck_assert_uint_eq(hits->len, 3);
	g_ptr_array_unref(hits);
	g_free(dir);
	store_close(&s);
}
END_TEST

/* The threshold: a question sharing one common word with an article gets nothing. */
START_TEST(test_threshold)
{
	struct store *s = open_db();
	char *dir = g_build_filename(KB_DATA, "articles", NULL), *error = NULL;
	GPtrArray *hits = NULL;
	guint n = 0;

	ck_assert_int_eq(kb_reindex(s, dir, NULL, NULL, &n, &error), 0);
	ck_assert_int_eq(kb_suggest(s, "en", "", "How do I return an item?", 3, &hits, &error), 0);
	ck_assert_uint_ge(hits->len, 1);
	ck_assert_str_eq(((struct store_kb_hit *)hits->pdata[0])->title, "How do I return an item?");
	g_ptr_array_unref(hits);
	ck_assert_int_eq(kb_suggest(s, "en", "", "Is the blue item nice?", 3, &hits, &error), 0);
	ck_assert_uint_eq(hits->len, 0);
	g_ptr_array_unref(hits);
	ck_assert_int_eq(kb_suggest(s, "en", "", "", 3, &hits, &error), 0);
	ck_assert_uint_eq(hits->len, 0);
	g_ptr_array_unref(hits);
	g_free(dir);
	store_close(&s);
}
END_TEST

/* The file name of an article's path without ".md". */
static char *article_key(struct store *s, gint64 id)
{
	GPtrArray *list = NULL;
	char *key = NULL;

	ck_assert_int_eq(store_kb_list(s, &list, NULL), 0);
	for (guint i = 0; i < list->len; i++) {
		const struct store_kb_article *a = list->pdata[i];
		if (a->id == id) {
			char *base = g_path_get_basename(a->path);
			key = g_strndup(base, strlen(base) - 3);
			g_free(base);
		}
	}
	g_ptr_array_unref(list);
	return key;
}

START_TEST(test_labelled_set)
{
	struct store *s = open_db();
	char *dir = g_build_filename(KB_DATA, "articles", NULL), *text = NULL, *error = NULL;
	char **lines;
	guint n = 0, answerable = 0, right = 0, none = 0, wrongly = 0;
	double top1, false_rate;

	ck_assert_int_eq(kb_reindex(s, dir, NULL, NULL, &n, &error), 0);
	ck_assert_uint_ge(n, 40);
	ck_assert(g_file_get_contents(KB_DATA "/questions.tsv", &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		char **f;
		GPtrArray *hits = NULL;
		if (lines[i][0] == '#' || lines[i][0] == '\0')
			continue;
		f = g_strsplit(lines[i], "\t", 3);
		ck_assert_ptr_nonnull(f[2]);
		ck_assert_int_eq(kb_suggest(s, f[0], "", f[2], KB_SUGGEST_MAX, &hits, &error), 0);
		if (strcmp(f[1], "-") == 0) {
			none++;
			wrongly += hits->len > 0;
		} else {
			char *got = hits->len > 0
					? article_key(s, ((struct store_kb_hit *)hits->pdata[0])->id)
					: NULL;
			answerable++;
			right += g_strcmp0(got, f[1]) == 0;
			if (g_strcmp0(got, f[1]) != 0 && getenv("KB_VERBOSE") != NULL)
				printf("miss: %s -> %s (want %s)\n", f[2], got ? got : "-", f[1]);
			g_free(got);
		}
		if (strcmp(f[1], "-") == 0 && hits->len > 0 && getenv("KB_VERBOSE") != NULL)
			printf("false: %s -> %s\n", f[2],
			       ((struct store_kb_hit *)hits->pdata[0])->title);
		g_ptr_array_unref(hits);
		g_strfreev(f);
	}
	g_strfreev(lines);
	g_free(text);
	ck_assert_uint_ge(answerable + none, 150);
	ck_assert_uint_ge(none, 30);
	top1 = (double)right / answerable;
	false_rate = (double)wrongly / none;
	printf("kb labelled set: %u articles, %u questions: top-1 %u/%u = %.1f %% (target >= "
	       "%.0f %%), suggestion where none fits %u/%u = %.1f %% (target <= %.0f %%)\n",
	       n, answerable + none, right, answerable, 100 * top1, 100 * TARGET_TOP1, wrongly,
	       none, 100 * false_rate, 100 * TARGET_FALSE);
	ck_assert_msg(top1 >= TARGET_TOP1, "top-1 accuracy %.3f below target", top1);
	ck_assert_msg(false_rate <= TARGET_FALSE, "false-suggestion rate %.3f above target",
		      false_rate);
	g_free(dir);
	store_close(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kb");
	TCase *tc = tcase_create("kb");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_stems_and_stop_words);
	tcase_add_test(tc, test_solved_words);
	tcase_add_test(tc, test_article_parse);
	tcase_add_test(tc, test_match_expr_and_excerpt);
	tcase_add_test(tc, test_index_languages_queues);
	tcase_add_test(tc, test_threshold);
	tcase_add_test(tc, test_labelled_set);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
