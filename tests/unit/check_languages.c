/* check_languages: the customer's language (issue 14; doc/languages.md). The detector
 * (parse/lang.c, the real libexttextcat with its shipped fingerprints) on long and short
 * texts and on languages we do not ship; Content-Language tags; the order in which the
 * evidence overrides the queue's default (thread/lang.c); every shipped language has every
 * English template with the same variables; dates in the words of each language and the
 * queue's time zone. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/lib.h"
#include "postdesk/parse.h"
#include "postdesk/thread.h"
#include "compose-private.h" /* compose_template_load_body: kb_suggestions.txt */

#include <check.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static const char *detect(const char *text)
{
	const char *lang = NULL;
	char *error = NULL;
	int ret = parse_lang_detect(text, &lang, &error);

	if (ret < 0)
		ck_abort_msg("detector: %s", error);
	ck_assert_int_eq(ret, lang != NULL ? 1 : 0);
	return lang;
}

START_TEST(detector_long_texts)
{
	static const char *const cases[][2] = {
	    {"en", "Hello, I ordered a pair of shoes two weeks ago and they still have not "
		   "arrived. Could you please tell me where my parcel is and when I can expect "
		   "it? Thank you very much for your help."},
	    {"de", "Guten Tag, ich habe vor zwei Wochen ein Paar Schuhe bestellt, aber sie sind "
		   "immer noch nicht angekommen. Können Sie mir bitte sagen, wo mein Paket ist "
		   "und wann ich damit rechnen kann? Vielen Dank für Ihre Hilfe."},
	    {"fr", "Bonjour, j'ai commandé une paire de chaussures il y a deux semaines et je ne "
		   "les ai toujours pas reçues. Pourriez-vous me dire où se trouve mon colis et "
		   "quand je peux l'attendre ? Merci beaucoup pour votre aide."},
	    {"es", "Hola, hace dos semanas pedí un par de zapatos y todavía no han llegado. "
		   "¿Podrían decirme dónde está mi paquete y cuándo puedo esperarlo? Muchas "
		   "gracias por su ayuda."},
	    {"it", "Buongiorno, due settimane fa ho ordinato un paio di scarpe e non sono ancora "
		   "arrivate. Potreste dirmi dove si trova il mio pacco e quando posso aspettarlo? "
		   "Grazie mille per l'aiuto."},
	    {"nl", "Goedendag, ik heb twee weken geleden een paar schoenen besteld en ze zijn "
		   "nog steeds niet aangekomen. Kunt u mij vertellen waar mijn pakket is en "
		   "wanneer ik het kan verwachten? Hartelijk dank voor uw hulp."},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
		ck_assert_str_eq(detect(cases[i][1]), cases[i][0]);
}
END_TEST

START_TEST(detector_short_and_foreign)
{
	/* Too little to tell: no answer rather than a guess (the evidence below decides). */
	ck_assert_ptr_null(detect("ok"));
	ck_assert_ptr_null(detect("12345"));
	ck_assert_ptr_null(detect(""));
	/* A language we do not ship is not turned into the nearest one we do. */
	ck_assert_ptr_null(detect("Olá, encomendei um par de sapatos há duas semanas e ainda "
				  "não chegaram. Podem dizer-me onde está a minha encomenda e "
				  "quando posso esperá-la? Muito obrigado pela vossa ajuda."));
	ck_assert_ptr_null(detect("Hej, jag beställde ett par skor för två veckor sedan och de "
				  "har fortfarande inte kommit. Kan ni berätta var mitt paket "
				  "är och när jag kan vänta mig det? Tack så mycket för hjälpen."));
	/* A short but clear message still counts. */
	ck_assert_str_eq(detect("Wo ist meine Bestellung? Ich warte schon seit zwei Wochen."),
			 "de");
}
END_TEST

START_TEST(content_language_tags)
{
	ck_assert_str_eq(lang_from_tags("de-CH"), "de");
	ck_assert_str_eq(lang_from_tags(" ES "), "es");
	ck_assert_str_eq(lang_from_tags("pt-BR, fr-FR"), "fr");
	ck_assert_str_eq(lang_from_tags("en_US"), "en");
	ck_assert_ptr_null(lang_from_tags("pt-BR"));
	ck_assert_ptr_null(lang_from_tags(""));
	ck_assert_ptr_null(lang_from_tags(NULL));
	ck_assert_ptr_null(lang_from_tags("deu"));
}
END_TEST

START_TEST(fallback_order)
{
	const char *src;

	ck_assert_str_eq(thread_lang_pick("de", NULL, NULL, NULL, &src), "de");
	ck_assert_str_eq(src, "queue");
	ck_assert_str_eq(thread_lang_pick(NULL, "", NULL, NULL, &src), "en");
	ck_assert_str_eq(thread_lang_pick("de", "it", NULL, NULL, &src), "it");
	ck_assert_str_eq(src, "customer");
	ck_assert_str_eq(thread_lang_pick("de", "it", "es-ES", NULL, &src), "es");
	ck_assert_str_eq(src, "content-language");
	ck_assert_str_eq(thread_lang_pick("de", "it", "es", "nl", &src), "nl");
	ck_assert_str_eq(src, "detector");
	/* Evidence for a language we do not ship is no evidence. */
	ck_assert_str_eq(thread_lang_pick("en", "pt", "pt-BR", NULL, &src), "en");
	ck_assert_str_eq(src, "queue");
	ck_assert_str_eq(thread_lang_pick("en", "fr", "sv", NULL, &src), "fr");
	ck_assert_str_eq(src, "customer");
}
END_TEST

static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The variables a template uses, sorted, as one string. */
static char *template_vars(const char *dir, const char *name)
{
	struct compose_template *t = NULL;
	GPtrArray *names = g_ptr_array_new();
	char *error = NULL, *joined;

	/* kb_suggestions.txt is a body-only piece of the acknowledgement (no Subject line). */
	if (strcmp(name, "kb_suggestions") == 0) {
		char *file = g_strconcat(dir, "/", name, ".txt", NULL);
		if (compose_template_load_body(file, &t, &error) < 0)
			ck_abort_msg("%s", error);
		g_free(file);
	} else if (compose_template_load(NULL, dir, name, &t, &error) < 0) {
		ck_abort_msg("%s", error);
	}
	compose_template_vars(t, names);
	g_ptr_array_sort(names, by_name);
	g_ptr_array_add(names, NULL);
	joined = g_strjoinv(" ", (char **)names->pdata);
	g_ptr_array_unref(names);
	compose_template_free(&t);
	return joined;
}

START_TEST(templates_complete)
{
	const char *en = compose_template_default_dir();
	char *root = g_path_get_dirname(en);
	GDir *d = g_dir_open(en, 0, NULL);
	const char *file;
	guint files = 0;

	ck_assert_ptr_nonnull(d);
	while ((file = g_dir_read_name(d)) != NULL) {
		char *name;
		if (!g_str_has_suffix(file, ".txt"))
			continue;
		name = g_strndup(file, strlen(file) - 4);
		char *want = template_vars(en, name);
		for (int l = 1; lang_code(l) != NULL; l++) {
			char *dir = g_build_filename(root, lang_code(l), NULL);
			char *path = g_build_filename(dir, file, NULL);
			ck_assert_msg(g_file_test(path, G_FILE_TEST_EXISTS), "missing %s", path);
			char *got = template_vars(dir, name);
			ck_assert_msg(strcmp(got, want) == 0, "%s uses {%s}, en/%s uses {%s}", path,
				      got, file, want);
			g_free(got);
			g_free(path);
			g_free(dir);
		}
		g_free(want);
		g_free(name);
		files++;
	}
	g_dir_close(d);
	ck_assert_uint_ge(files, 10);
	/* And the daemon's own check loads every template in every language. */
	ck_assert_int_eq(compose_templates_check(NULL, en, NULL), 0);
	g_free(root);
}
END_TEST

START_TEST(template_language_fallback)
{
	/* A file missing in a language (an override directory with only some) falls back:
	 * <override>/<lang>/ first, then shipped <lang>, then English. */
	char *tmp = g_dir_make_tmp("check_languages-XXXXXX", NULL);
	char *de = g_build_filename(tmp, "de", NULL);
	char *path = g_build_filename(de, "ack.txt", NULL);
	struct compose_template *t = NULL;

	ck_assert_int_eq(g_mkdir(de, 0700), 0);
	ck_assert(g_file_set_contents(path, "Subject: Hallo\n\nText\n", -1, NULL));
	ck_assert_int_eq(compose_template_load_lang(tmp, compose_template_default_dir(), "de",
						    "ack", &t, NULL), 0);
	ck_assert_str_eq(compose_template_path(t), path);
	compose_template_free(&t);
	ck_assert_int_eq(compose_template_load_lang(tmp, compose_template_default_dir(), "de",
						    "survey", &t, NULL), 0);
	ck_assert(strstr(compose_template_path(t), "/de/survey.txt") != NULL);
	ck_assert(strstr(compose_template_path(t), tmp) == NULL);
	compose_template_free(&t);
	ck_assert_int_eq(compose_template_load_lang(tmp, compose_template_default_dir(), "pt",
						    "ack", &t, NULL), -1);
	g_unlink(path);
	g_rmdir(de);
	g_rmdir(tmp);
	g_free(path);
	g_free(de);
	g_free(tmp);
}
END_TEST

START_TEST(dates_per_language)
{
	gint64 t = 1772529300; /* 2026-03-03 09:15 UTC, a Tuesday */
	static const char *const want[][2] = {
	    {"en", "Tuesday, 3 March 2026 at 10:15 (CET)"},
	    {"de", "Dienstag, 3. März 2026, 10:15 Uhr (CET)"},
	    {"fr", "mardi 3 mars 2026 à 10:15 (CET)"},
	    {"es", "martes, 3 de marzo de 2026, 10:15 (CET)"},
	    {"it", "martedì 3 marzo 2026, ore 10:15 (CET)"},
	    {"nl", "dinsdag 3 maart 2026 om 10:15 (CET)"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		char *s = compose_date_format(t, want[i][0], "Europe/Berlin");
		ck_assert_str_eq(s, want[i][1]);
		g_free(s);
	}
	/* The queue's zone moves the day; no zone is UTC. */
	char *s = compose_date_format(t, "de", "Pacific/Auckland");
	ck_assert_str_eq(s, "Dienstag, 3. März 2026, 22:15 Uhr (NZDT)");
	g_free(s);
	s = compose_date_format(t, "fr", NULL);
	ck_assert_str_eq(s, "mardi 3 mars 2026 à 09:15 (UTC)");
	g_free(s);
}
END_TEST

/* The detector on the reply corpus (tests/data/replies: the new text of replies from 22
 * locales, as the .expected files hold it). Prints the figures doc/languages.md quotes and
 * holds them: right for most of our six, never a wrong one of ours, and (almost) never an
 * answer for a language we do not ship. */
START_TEST(reply_corpus_accuracy)
{
	char *index = NULL, **lines;
	guint ours = 0, right = 0, wrong = 0, silent = 0, others = 0, answered = 0;

	ck_assert(g_file_get_contents(TESTS_SRCDIR "/data/replies/INDEX", &index, NULL, NULL));
	lines = g_strsplit(index, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		char **f = g_strsplit(lines[i], " ", 3);
		char *path, *text = NULL;
		const char *got;

		if (lines[i][0] == '#' || f[0] == NULL || f[1] == NULL) {
			g_strfreev(f);
			continue;
		}
		path = g_strdup_printf(TESTS_SRCDIR "/data/replies/%s.expected", f[0]);
		ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "%s", path);
		got = detect(text);
		if (lang_index(f[1]) >= 0) {
			ours++;
			if (got == NULL)
				silent++;
			else if (strcmp(got, f[1]) == 0)
				right++;
			else
				wrong++;
		} else {
			others++;
			if (got != NULL)
				answered++;
		}
		g_free(text);
		g_free(path);
		g_strfreev(f);
	}
	g_strfreev(lines);
	g_free(index);
	printf("reply corpus: six languages %u cases: right %u (%.1f %%), wrong %u, no answer %u; "
	       "other languages %u cases: answered %u (%.1f %%)\n",
	       ours, right, 100.0 * right / ours, wrong, silent, others, answered,
	       100.0 * answered / others);
	ck_assert_uint_gt(ours, 100);
	ck_assert_uint_ge(right * 100, ours * 85);
	ck_assert_uint_eq(wrong, 0);
	ck_assert_uint_le(answered * 100, others * 2);
}
END_TEST

/* A macro's shape: the command lines it starts with ("#status pending") and the variables
 * it uses, sorted, as one string; a line of its body starting with '#' would be read as a
 * command, so none may. */
static char *macro_shape(const char *path)
{
	char *text = NULL, **lines, *shape;
	GPtrArray *vars = g_ptr_array_new_with_free_func(g_free);
	GString *cmds = g_string_new(NULL);
	GRegex *re = g_regex_new("\\{\\{\\s*([a-z_.]+)\\s*\\}\\}", 0, 0, NULL);
	GMatchInfo *mi = NULL;
	gboolean head = TRUE;

	ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (head && lines[i][0] == '#') {
			g_string_append_printf(cmds, "%s|", lines[i]);
			continue;
		}
		head = FALSE;
		ck_assert_msg(lines[i][0] != '#', "%s:%u: a body line starts with '#'", path, i + 1);
	}
	g_regex_match(re, text, 0, &mi);
	while (g_match_info_matches(mi)) {
		g_ptr_array_add(vars, g_match_info_fetch(mi, 1));
		g_match_info_next(mi, NULL);
	}
	g_match_info_free(mi);
	g_ptr_array_sort(vars, by_name);
	for (guint i = 0; i < vars->len; i++)
		if (i == 0 || strcmp(vars->pdata[i], vars->pdata[i - 1]) != 0)
			g_string_append_printf(cmds, " %s", (char *)vars->pdata[i]);
	shape = g_string_free(cmds, FALSE);
	g_regex_unref(re);
	g_ptr_array_unref(vars);
	g_strfreev(lines);
	g_free(text);
	return shape;
}

/* Every shipped language has every English macro, with the same commands and variables. */
START_TEST(macros_complete)
{
	const char *en = compose_template_default_dir();
	char *root = g_path_get_dirname(en), *en_macros = g_build_filename(en, "macros", NULL);
	GDir *d = g_dir_open(en_macros, 0, NULL);
	const char *file;
	guint files = 0;

	ck_assert_ptr_nonnull(d);
	while ((file = g_dir_read_name(d)) != NULL) {
		if (!g_str_has_suffix(file, ".txt"))
			continue;
		char *en_path = g_build_filename(en_macros, file, NULL);
		char *want = macro_shape(en_path);
		for (int l = 1; lang_code(l) != NULL; l++) {
			char *path = g_build_filename(root, lang_code(l), "macros", file, NULL);
			ck_assert_msg(g_file_test(path, G_FILE_TEST_EXISTS), "missing %s", path);
			char *got = macro_shape(path);
			ck_assert_msg(strcmp(got, want) == 0, "%s: {%s}, en/macros/%s: {%s}", path,
				      got, file, want);
			g_free(got);
			g_free(path);
		}
		g_free(want);
		g_free(en_path);
		files++;
	}
	g_dir_close(d);
	ck_assert_uint_ge(files, 4);
	g_free(en_macros);
	g_free(root);
}
END_TEST

static Suite *languages_suite(void)
{
	Suite *s = suite_create("languages");
	TCase *tc = tcase_create("languages");

	tcase_add_test(tc, detector_long_texts);
	tcase_add_test(tc, detector_short_and_foreign);
	tcase_add_test(tc, content_language_tags);
	tcase_add_test(tc, fallback_order);
	tcase_add_test(tc, templates_complete);
	tcase_add_test(tc, macros_complete);
	tcase_add_test(tc, template_language_fallback);
	tcase_add_test(tc, dates_per_language);
	tcase_add_test(tc, reply_corpus_accuracy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(languages_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
