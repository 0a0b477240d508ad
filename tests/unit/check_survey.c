/* check_survey: the survey module's pure parts — reading a score from an answer. The
 * schedule, the runner and the answer route are covered end to end by tests/e2e/survey.sh;
 * business hours moved to conf/ (check_hours). */
#include "config.h"
#include "postdesk/survey.h"

#include <check.h>
#include <stdlib.h>

START_TEST(test_parse_answer)
{
	char *comment = NULL;
	int score;

	ck_assert_int_eq(survey_parse_answer("4", &score, &comment), 1);
	ck_assert_int_eq(score, 4);
	ck_assert_str_eq(comment, "");
	g_free(comment);
	ck_assert_int_eq(survey_parse_answer("9/10 great help\n", &score, &comment), 1);
	ck_assert_int_eq(score, 9);
	ck_assert_str_eq(comment, "great help");
	g_free(comment);
	ck_assert_int_eq(survey_parse_answer("call me on 2024", &score, &comment), 0);
	ck_assert_int_eq(score, -1);
	ck_assert_str_eq(comment, "call me on 2024");
	g_free(comment);
	ck_assert_int_eq(survey_parse_answer("11", &score, &comment), 0);
	g_free(comment);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("survey");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_parse_answer);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
