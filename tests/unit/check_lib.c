/* check_lib: src/lib — the verdict and its exit codes, the clock (parse, format, fixed
 * time), the small string/file helpers and the log level filter. */
#include "config.h"
#include "postdesk/lib.h"

#include <check.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

START_TEST(test_verdict_exit_code)
{
	struct verdict v;

	verdict_ok(&v, "stored as ticket %d", 12);
	ck_assert_int_eq(v.status, VERDICT_OK);
	ck_assert_int_eq(v.smtp, 250);
	ck_assert_str_eq(v.enh, "2.0.0");
	ck_assert_str_eq(v.text, "stored as ticket 12");
	ck_assert_int_eq(verdict_exit_code(&v), 0);
	verdict_set(&v, VERDICT_TEMPFAIL, 451, "4.3.0", "database busy");
	ck_assert_int_eq(verdict_exit_code(&v), EX_TEMPFAIL);
	verdict_set(&v, VERDICT_PERMFAIL, 550, "5.1.1", "no such queue");
	ck_assert_int_eq(verdict_exit_code(&v), EX_NOUSER);
	verdict_set(&v, VERDICT_PERMFAIL, 554, "5.7.1", "bad reply token");
	ck_assert_int_eq(verdict_exit_code(&v), EX_DATAERR);
	verdict_set(&v, VERDICT_PERMFAIL, 552, "5.3.4", "message too big");
	ck_assert_int_eq(verdict_exit_code(&v), EX_DATAERR);
}
END_TEST

START_TEST(test_verdict_text)
{
	struct verdict v;
	char *long_text = g_strnfill(1000, 'x');

	verdict_set(&v, VERDICT_PERMFAIL, 550, "5.1.1", "bad <%s>", "a\r\nb\nc");
	ck_assert_str_eq(v.text, "bad <a  b c>");
	verdict_set(&v, VERDICT_OK, 250, "2.0.0", "%s", long_text);
	ck_assert_uint_eq(strlen(v.text), sizeof(v.text) - 1);
	g_free(long_text);
}
END_TEST

START_TEST(test_clock_parse)
{
	static const struct {
		const char *s;
		gint64 t;
	} ok[] = {
		{"@0", 0},
		{"@1795500798", 1795500798},
		{"2026-11-24", 1795478400},
		{"2026-11-24T06:13:18Z", 1795500798},
		{"2026-11-24T08:13:18+02:00", 1795500798},
		{"2026-11-24T06:13:18", 1795500798}, /* no zone: UTC */
		{"1970-01-01T00:00:00Z", 0},
	};
	static const char *const bad[] = {"@", "@12x", "@ ", "yesterday", "2026-13-01",
					  "2026-11-24T25:00:00Z", "", "24/11/2026"};
	gint64 t;
	char *error = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
		t = -42;
		if (clock_parse(ok[i].s, &t, &error) != 0)
			ck_abort_msg("%s: %s", ok[i].s, error);
		ck_assert_msg(t == ok[i].t, "%s: %" G_GINT64_FORMAT, ok[i].s, t);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		t = -42;
		ck_assert_msg(clock_parse(bad[i], &t, &error) == -1, "accepted '%s'", bad[i]);
		ck_assert_ptr_nonnull(error);
		ck_assert_msg(strstr(error, bad[i]) != NULL, "%s", error);
		ck_assert_int_eq(t, -42);
		g_free(error);
		error = NULL;
	}
}
END_TEST

START_TEST(test_clock_format_fixed)
{
	char *s = clock_format(0);
	gint64 t, now;

	ck_assert_str_eq(s, "1970-01-01T00:00:00Z");
	g_free(s);
	s = clock_format(1795500798);
	ck_assert_str_eq(s, "2026-11-24T06:13:18Z");
	ck_assert_int_eq(clock_parse(s, &t, NULL), 0);
	ck_assert_int_eq(t, 1795500798);
	g_free(s);
	clock_set_fixed(1795500798);
	ck_assert_int_eq(clock_now(), 1795500798);
	clock_set_fixed(0);
	now = clock_now();
	ck_assert(now > 1700000000 && now != 1795500798);
	ck_assert(now - g_get_real_time() / G_USEC_PER_SEC <= 1);
}
END_TEST

START_TEST(test_util_strings)
{
	char *s = util_addr_normalize("  Foo.Bar@EXAMPLE.Com \t");

	ck_assert_str_eq(s, "foo.bar@example.com");
	g_free(s);
	s = util_addr_normalize("J\xc3\x9cRGEN@Example.COM"); /* "JÜRGEN": UTF-8 passes through */
	ck_assert_str_eq(s, "j\xc3\x9crgen@example.com");
	g_free(s);
	ck_assert_int_eq(util_has_crlf("plain text"), 0);
	ck_assert_int_eq(util_has_crlf(""), 0);
	ck_assert_int_eq(util_has_crlf("a\rb"), 1);
	ck_assert_int_eq(util_has_crlf("a\nb"), 1);
	ck_assert_int_eq(util_has_crlf("end\r\n"), 1);
}
END_TEST

START_TEST(test_util_error_read)
{
	char *error = NULL, *data = NULL;
	gsize len = 0;

	ck_assert_int_eq(util_error(NULL, "ignored %d", 1), -1);
	ck_assert_int_eq(util_error(&error, "bad %s at %d", "thing", 7), -1);
	ck_assert_str_eq(error, "bad thing at 7");
	g_free(error);
	error = NULL;
	ck_assert_int_eq(util_read_file(TESTS_SRCDIR "/data/conf/minimal.conf", &data, &len, &error),
			 0);
	ck_assert_uint_eq(len, strlen(data));
	ck_assert_ptr_nonnull(strstr(data, "[queue support]"));
	g_free(data);
	ck_assert_int_eq(util_read_file(TESTS_SRCDIR "/data/no-such-file", &data, &len, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "no-such-file"));
	g_free(error);
}
END_TEST

/* stderr goes to a temporary file for this (forked) test only. */
START_TEST(test_log_level)
{
	char path[] = "/tmp/check_lib-XXXXXX";
	int fd = g_mkstemp(path);
	char *text = NULL;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
	log_set_level(LOG_LEVEL_WARN);
	log_info("hidden %d", 1);
	log_debug("hidden %d", 2);
	log_warn("shown %d", 3);
	log_error("shown %d", 4);
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("shown %d", 5);
	fflush(stderr);
	ck_assert(g_file_get_contents(path, &text, NULL, NULL));
	ck_assert_ptr_null(strstr(text, "hidden"));
	ck_assert_ptr_nonnull(strstr(text, "warning: shown 3\n"));
	ck_assert_ptr_nonnull(strstr(text, "error: shown 4\n"));
	ck_assert_ptr_nonnull(strstr(text, "debug: shown 5\n"));
	g_free(text);
	close(fd);
	g_unlink(path);
}
END_TEST

static Suite *lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc = tcase_create("lib");

	tcase_add_test(tc, test_verdict_exit_code);
	tcase_add_test(tc, test_verdict_text);
	tcase_add_test(tc, test_clock_parse);
	tcase_add_test(tc, test_clock_format_fixed);
	tcase_add_test(tc, test_util_strings);
	tcase_add_test(tc, test_util_error_read);
	tcase_add_test(tc, test_log_level);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lib_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
