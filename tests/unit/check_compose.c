/* check_compose: templates (load errors with file:line, rendering, the shipped set). */
#include "config.h"
#include "postdesk/compose.h"
#include "testutil.h"

#include <check.h>
#include <string.h>

#define SHIPPED TESTS_SRCDIR "/../templates/en"

static char *tmpdir_new(void)
{
	char *dir = g_dir_make_tmp("check_compose.XXXXXX", NULL);

	ck_assert_ptr_nonnull(dir);
	return dir;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = g_build_filename(dir, name, NULL);

	ck_assert(g_file_set_contents(path, text, -1, NULL));
	g_free(path);
}

/* Load name.txt from dir and return the error (g_malloc'ed) or NULL on success. */
static char *load_error(const char *dir, const char *name)
{
	struct compose_template *t = NULL;
	char *error = NULL;

	if (compose_template_load(NULL, dir, name, &t, &error) == 0) {
		ck_assert_ptr_nonnull(t);
		compose_template_free(&t);
		return NULL;
	}
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(error);
	return error;
}

/* ---- templates ---- */

START_TEST(t_template_render_exact)
{
	char *dir = tmpdir_new(), *subject, *body, *error = NULL;
	struct compose_template *t;
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);

	write_file(dir, "ack.txt",
		   "Subject: [#{{ticket.id}}] {{ ticket.subject }}\r\n\r\n"
		   "Hi {{customer.name}},\r\nticket {{ticket.id}}{{agent.name}}.\r\n"
		   "Literal }} and { stay.\r\n");
	ck_assert_int_eq(compose_template_load(NULL, dir, "ack", &t, &error), 0);
	g_hash_table_insert(vars, "ticket.id", "42");
	g_hash_table_insert(vars, "ticket.subject", "Printer {{on fire}}");
	g_hash_table_insert(vars, "customer.name", "Zoë\nSecond line");
	ck_assert_int_eq(compose_template_render(t, vars, &subject, &body, &error), 0);
	/* Values are literal (braces in a value are not expanded), absent ones are empty, CRLF
	 * in the file became LF. */
	ck_assert_str_eq(subject, "[#42] Printer {{on fire}}");
	ck_assert_str_eq(body, "Hi Zoë\nSecond line,\nticket 42.\nLiteral }} and { stay.\n");
	g_free(subject);
	g_free(body);
	ck_assert_int_eq(compose_template_render(t, NULL, &subject, &body, &error), 0);
	ck_assert_str_eq(subject, "[#] ");
	g_free(subject);
	g_free(body);
	g_hash_table_unref(vars);
	compose_template_free(&t);
	ck_assert_ptr_null(t);
	test_rm_rf(dir);
	g_free(dir);
}
END_TEST

START_TEST(t_template_errors)
{
	char *dir = tmpdir_new(), *error, *want;

	write_file(dir, "unknown.txt", "Subject: x\n\nline 3\nline 4 {{ticket.bogus}}\n");
	write_file(dir, "nosubject.txt", "Hello {{ticket.id}}\n\nbody\n");
	write_file(dir, "noblank.txt", "Subject: x\nbody right away\n");
	write_file(dir, "unclosed.txt", "Subject: x\n\nline 3 {{ticket.id\n}}\n");
	write_file(dir, "unclosedsubj.txt", "Subject: {{ticket.id\n\nbody\n");
	write_file(dir, "empty.txt", "Subject: x\n\n{{ }}\n");

	error = load_error(dir, "unknown");
	want = g_strdup_printf("%s/unknown.txt:4: unknown variable \"ticket.bogus\"", dir);
	ck_assert_str_eq(error, want);
	g_free(want);
	g_free(error);
	error = load_error(dir, "nosubject");
	ck_assert_ptr_nonnull(strstr(error, "nosubject.txt:1: "));
	g_free(error);
	error = load_error(dir, "noblank");
	ck_assert_ptr_nonnull(strstr(error, "noblank.txt:2: "));
	g_free(error);
	error = load_error(dir, "unclosed");
	ck_assert_ptr_nonnull(strstr(error, "unclosed.txt:3: unclosed"));
	g_free(error);
	error = load_error(dir, "unclosedsubj");
	ck_assert_ptr_nonnull(strstr(error, "unclosedsubj.txt:1: unclosed"));
	g_free(error);
	error = load_error(dir, "empty");
	ck_assert_ptr_nonnull(strstr(error, "empty.txt:3: unknown variable \"\""));
	g_free(error);
	error = load_error(dir, "missing");
	ck_assert_ptr_nonnull(strstr(error, "missing.txt"));
	g_free(error);
	error = load_error(dir, "../etc/passwd");
	ck_assert_ptr_nonnull(strstr(error, "bad template name"));
	g_free(error);
	test_rm_rf(dir);
	g_free(dir);
}
END_TEST

START_TEST(t_template_override)
{
	char *def = tmpdir_new(), *over = tmpdir_new(), *empty = tmpdir_new();
	char *subject, *body, *error = NULL, *want;
	struct compose_template *t;

	write_file(def, "reply.txt", "Subject: default\n\nD\n");
	write_file(over, "reply.txt", "Subject: override {{ticket.id}}\n\nO\n");
	ck_assert_int_eq(compose_template_load(over, def, "reply", &t, &error), 0);
	want = g_build_filename(over, "reply.txt", NULL);
	ck_assert_str_eq(compose_template_path(t), want);
	g_free(want);
	ck_assert_int_eq(compose_template_render(t, NULL, &subject, &body, &error), 0);
	ck_assert_str_eq(subject, "override ");
	ck_assert_str_eq(body, "O\n");
	g_free(subject);
	g_free(body);
	compose_template_free(&t);
	/* No file in the override dir: the default is used. */
	ck_assert_int_eq(compose_template_load(empty, def, "reply", &t, &error), 0);
	ck_assert_int_eq(compose_template_render(t, NULL, &subject, &body, &error), 0);
	ck_assert_str_eq(subject, "default");
	g_free(subject);
	g_free(body);
	compose_template_free(&t);
	/* A broken override is an error, not a silent fallback. */
	write_file(over, "reply.txt", "Subject: {{nope}}\n\nO\n");
	ck_assert_int_eq(compose_template_load(over, def, "reply", &t, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "nope"));
	g_free(error);
	test_rm_rf(def);
	test_rm_rf(over);
	test_rm_rf(empty);
	g_free(def);
	g_free(over);
	g_free(empty);
}
END_TEST

START_TEST(t_template_subject_crlf)
{
	char *dir = tmpdir_new(), *subject, *body, *error = NULL;
	struct compose_template *t;
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);

	write_file(dir, "a.txt", "Subject: {{ticket.subject}}\n\n{{ticket.subject}}\n");
	write_file(dir, "b.txt", "Subject: fixed\n\n{{ticket.subject}}\n");
	g_hash_table_insert(vars, "ticket.subject", "Hi\r\nBcc: victim@example.org");
	ck_assert_int_eq(compose_template_load(NULL, dir, "a", &t, &error), 0);
	ck_assert_int_eq(compose_template_render(t, vars, &subject, &body, &error), -1);
	ck_assert_ptr_null(subject);
	ck_assert_ptr_nonnull(strstr(error, "{{ticket.subject}}"));
	ck_assert_ptr_nonnull(strstr(error, "CR/LF"));
	g_free(error);
	compose_template_free(&t);
	/* The same value in the body is fine. */
	ck_assert_int_eq(compose_template_load(NULL, dir, "b", &t, &error), 0);
	ck_assert_int_eq(compose_template_render(t, vars, &subject, &body, &error), 0);
	ck_assert_str_eq(body, "Hi\r\nBcc: victim@example.org\n");
	g_free(subject);
	g_free(body);
	compose_template_free(&t);
	g_hash_table_unref(vars);
	test_rm_rf(dir);
	g_free(dir);
}
END_TEST

#define NAME_STR(n) n,
static const char *const shipped[] = {COMPOSE_TEMPLATE_NAMES(NAME_STR)};
#define VAR_STR(n) n,
static const char *const all_vars[] = {COMPOSE_TEMPLATE_VARS(VAR_STR)};

START_TEST(t_template_shipped)
{
	char *error = NULL, *subject, *body;
	struct compose_template *t;
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);

	ck_assert_msg(compose_templates_check(NULL, SHIPPED, &error) == 0, "%s", error);
	for (guint i = 0; i < G_N_ELEMENTS(all_vars); i++) {
		ck_assert(compose_template_var_known(all_vars[i]));
		g_hash_table_insert(vars, (char *)all_vars[i], "VALUE");
	}
	ck_assert(!compose_template_var_known("ticket.url"));
	g_hash_table_insert(vars, "ticket.id", "42");
	for (guint i = 0; i < G_N_ELEMENTS(shipped); i++) {
		ck_assert_msg(compose_template_load(NULL, SHIPPED, shipped[i], &t, &error) == 0,
			      "%s", error);
		ck_assert_int_eq(compose_template_render(t, vars, &subject, &body, &error), 0);
		/* Mail about a ticket names it in the subject; command_answer (issue 13: the
		 * command address, the digest) is about no one ticket. */
		ck_assert_msg(strstr(subject, "[#42]") != NULL ||
				  strcmp(shipped[i], "command_answer") == 0,
			      "%s: %s", shipped[i], subject);
		ck_assert_msg(strstr(body, "{{") == NULL, "%s", shipped[i]);
		ck_assert_msg(strlen(body) > 20, "%s", shipped[i]);
		g_free(subject);
		g_free(body);
		compose_template_free(&t);
	}
	g_hash_table_unref(vars);
}
END_TEST

static Suite *compose_suite(void)
{
	Suite *s = suite_create("compose");
	TCase *tc = tcase_create("templates");

	tcase_add_test(tc, t_template_render_exact);
	tcase_add_test(tc, t_template_errors);
	tcase_add_test(tc, t_template_override);
	tcase_add_test(tc, t_template_subject_crlf);
	tcase_add_test(tc, t_template_shipped);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(compose_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
