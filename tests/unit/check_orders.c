/* check_orders: order references and lookups (issue 14, doc/orders.md) — the queue's
 * patterns (conf/orders.c), reading a shop's JSON (report/order.c) and running the
 * order_lookup command as a real child process (survey/lookup.c): its argument passed
 * without a shell, the timeout and the output cap, never root. The held notice end to end
 * is tests/e2e/orders.sh. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/report.h"
#include "postdesk/survey.h"

#include <check.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static GPtrArray *find(const char *patterns, const char *subject, const char *text)
{
	struct conf_queue q = {.order_patterns = (char *)patterns};
	GPtrArray *refs = NULL;
	char *err = NULL;

	ck_assert_int_eq(conf_order_refs_find(&q, subject, text, &refs, &err), 0);
	return refs;
}

START_TEST(test_patterns)
{
	GPtrArray *refs;

	/* whole words only, '#' dropped, each once, our ticket tag left out */
	refs = find("#?\\d{5,} ORD-\\d+", "Re: [#12345] where is ORD-77?",
		    "My order #123456 (not abc123456, not 1234) and #123456 again");
	ck_assert_uint_eq(refs->len, 2);
	ck_assert_str_eq(g_ptr_array_index(refs, 0), "123456");
	ck_assert_str_eq(g_ptr_array_index(refs, 1), "ORD-77");
	g_ptr_array_unref(refs);
	/* a number inside another reference is not one of its own */
	refs = find("#?\\d{5,} ORD-\\d+", "Refund for ORD-99999", "ORD-99999 and 12345-B");
	ck_assert_uint_eq(refs->len, 1);
	ck_assert_str_eq(g_ptr_array_index(refs, 0), "ORD-99999");
	g_ptr_array_unref(refs);
	/* capped */
	refs = find("\\d{5}", "", "11111 22222 33333 44444 55555");
	ck_assert_uint_eq(refs->len, CONF_ORDER_REFS_MAX);
	ck_assert_str_eq(g_ptr_array_index(refs, 2), "33333");
	g_ptr_array_unref(refs);
	/* no patterns: nothing */
	refs = find(NULL, "12345678", "12345678");
	ck_assert_uint_eq(refs->len, 0);
	g_ptr_array_unref(refs);
}
END_TEST

START_TEST(test_patterns_check)
{
	char *err = NULL;

	ck_assert_int_eq(conf_order_patterns_ok("#?\\d{5,}  ORD-\\d+", &err), 0);
	ck_assert_int_eq(conf_order_patterns_ok("ORD-\\d+ (unclosed", &err), -1);
	ck_assert_msg(strstr(err, "(unclosed") != NULL, "%s", err);
	g_free(err);
}
END_TEST

START_TEST(test_json)
{
	const char *json = "{\"status\": \"shipped\", \"tracking\": \"1Z999AA1\", \"total\": 59.9,"
			   " \"currency\": \"EUR\", \"items\": [{\"name\": \"Mug\", \"quantity\": 2},"
			   " \"Gift card\"]}";
	struct report_order *o = NULL;
	char *err = NULL;

	ck_assert_int_eq(report_order_parse(json, strlen(json), &o, &err), 0);
	ck_assert_str_eq(o->status, "shipped");
	ck_assert_str_eq(o->tracking, "1Z999AA1");
	ck_assert_str_eq(o->total, "59.90 EUR");
	ck_assert_str_eq(o->items, "2 x Mug, Gift card");
	report_order_free(&o);
	ck_assert_ptr_null(o);
	/* a shop's word goes into mail: no line breaks smuggled in, absent fields "" */
	json = "{\"state\": \"on hold\\r\\nFrom: boss@example.com\", \"total_price\": \"10.00\"}";
	ck_assert_int_eq(report_order_parse(json, strlen(json), &o, &err), 0);
	ck_assert_str_eq(o->status, "on hold  From: boss@example.com");
	ck_assert_str_eq(o->tracking, "");
	ck_assert_str_eq(o->total, "10.00");
	ck_assert_str_eq(o->items, "");
	report_order_free(&o);
	ck_assert_int_eq(report_order_parse("<html>", 6, &o, &err), -1);
	ck_assert_msg(g_str_has_prefix(err, "not JSON"), "%s", err);
	g_clear_pointer(&err, g_free);
	ck_assert_int_eq(report_order_parse("[1]", 3, &o, &err), -1);
	ck_assert_str_eq(err, "not a JSON object");
	g_free(err);
}
END_TEST

static char *dir;

/* An executable script in dir (readable by the user the lookup switches to). */
static char *script(const char *name, const char *body)
{
	char *path = g_build_filename(dir, name, NULL);
	char *text = g_strconcat("#!/bin/sh\n", body, "\n", NULL);

	ck_assert(g_file_set_contents(path, text, -1, NULL));
	ck_assert_int_eq(g_chmod(path, 0755), 0);
	g_free(text);
	return path;
}

static const char *user(void)
{
	return geteuid() == 0 ? "nobody" : NULL;
}

START_TEST(test_lookup_runs)
{
	char *path = script("echo.sh", "printf '%s|%s|' \"$1\" \"$2\"; id -u"), *cmd, *out = NULL,
	     *err = NULL, **parts;

	/* the command line split without a shell; the ref one argument, taken literally */
	cmd = g_strdup_printf("%s 'an arg'", path);
	ck_assert_int_eq(survey_lookup_run(cmd, "$(touch x); #1", user(), 5000, 4096, &out, &err),
			 0);
	parts = g_strsplit(out, "|", 3);
	ck_assert_str_eq(parts[0], "an arg");
	ck_assert_str_eq(parts[1], "$(touch x); #1");
	ck_assert_str_ne(g_strstrip(parts[2]), "0"); /* never root */
	g_strfreev(parts);
	g_free(out);
	g_free(cmd);
	g_free(path);
}
END_TEST

START_TEST(test_lookup_fails)
{
	char *hang = script("hang.sh", "sleep 30"), *big = script("big.sh", "yes order | head -c 100000"),
	     *fail = script("fail.sh", "echo '{}'; exit 3"), *out = NULL, *err = NULL;

	/* past the timeout: killed (its process group: the sleep too), reported */
	ck_assert_int_eq(survey_lookup_run(hang, "1", user(), 300, 4096, &out, &err), -1);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(err, "timed out after 300 ms");
	g_clear_pointer(&err, g_free);
	/* past the output cap */
	ck_assert_int_eq(survey_lookup_run(big, "1", user(), 5000, 4096, &out, &err), -1);
	ck_assert_str_eq(err, "output over 4096 bytes");
	g_clear_pointer(&err, g_free);
	ck_assert_int_eq(survey_lookup_run(fail, "1", user(), 5000, 4096, &out, &err), -1);
	ck_assert_str_eq(err, "exit status 3");
	g_clear_pointer(&err, g_free);
	/* no PATH search, no shell */
	ck_assert_int_eq(survey_lookup_run("echo.sh 1", "1", user(), 5000, 4096, &out, &err), -1);
	ck_assert_msg(strstr(err, "absolute path") != NULL, "%s", err);
	g_free(err);
	g_free(hang);
	g_free(big);
	g_free(fail);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("orders");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	dir = g_dir_make_tmp("check_orders.XXXXXX", NULL);
	g_assert(dir != NULL && g_chmod(dir, 0755) == 0);
	tcase_add_test(tc, test_patterns);
	tcase_add_test(tc, test_patterns_check);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_lookup_runs);
	tcase_add_test(tc, test_lookup_fails);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	{
		char *rm[] = {"rm", "-rf", dir, NULL};
		g_spawn_sync(NULL, rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
	}
	g_free(dir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
