/* check_survey: the survey module's pure parts — reading a score from an answer, and the
 * daily digest's once-per-day rule (when it is due, by fixed times; the (agent, day) claim
 * on a real store, from two connections as two notifyds would). The schedule, the runner
 * and the answer route are covered end to end by tests/e2e/survey.sh, the digest's mail by
 * tests/e2e/digest.sh; business hours moved to conf/ (check_hours). */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/store.h"
#include "postdesk/survey.h"

#include <check.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "testutil.h"

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

/* A queue in Berlin, mon-fri 09:00-17:00, and digest_time 08:00. */
static struct conf_queue berlin = {.name = "support", .timezone = "Europe/Berlin",
				   .business_hours = "mon-fri 09:00-17:00"};
static struct conf digest_conf = {.digest_time = "08:00"};

/* The local day the digest is due for at an ISO time, or "-" when it is not due. */
static char *due_at(const struct conf *conf, const struct conf_queue *q, const char *iso)
{
	gint64 now = 0;
	char *day = NULL;

	ck_assert_int_eq(clock_parse(iso, &now, NULL), 0);
	if (!survey_digest_due(conf, q, now, &day)) {
		ck_assert_ptr_null(day);
		return g_strdup("-");
	}
	return day;
}

#define ck_due(conf, q, iso, want)                                                                 \
	do {                                                                                       \
		char *got_ = due_at(conf, q, iso);                                                 \
		ck_assert_msg(g_strcmp0(got_, want) == 0, "%s: due %s, expected %s", iso, got_,  \
			      want);                                                               \
		g_free(got_);                                                                      \
	} while (0)

START_TEST(test_digest_due)
{
	struct conf off = {.digest_time = NULL};
	struct conf_queue everyday = {.name = "x", .timezone = "UTC"};

	/* 2026-12-07 is a Monday; Berlin is UTC+1 in December. */
	ck_due(&digest_conf, &berlin, "2026-12-07T06:59:00Z", "-");          /* 07:59 local */
	ck_due(&digest_conf, &berlin, "2026-12-07T07:00:00Z", "2026-12-07"); /* 08:00 local */
	ck_due(&digest_conf, &berlin, "2026-12-07T22:59:00Z", "2026-12-07"); /* 23:59 local */
	/* 23:30Z on Monday is 00:30 on Tuesday in Berlin: a new day, not yet 08:00. */
	ck_due(&digest_conf, &berlin, "2026-12-07T23:30:00Z", "-");
	ck_due(&digest_conf, &berlin, "2026-12-08T07:01:00Z", "2026-12-08");
	ck_due(&digest_conf, &berlin, "2026-12-12T07:01:00Z", "-"); /* Saturday */
	ck_due(&digest_conf, &berlin, "2026-12-13T12:00:00Z", "-"); /* Sunday */
	ck_due(&digest_conf, &berlin, "2026-12-14T07:01:00Z", "2026-12-14");
	/* Without business_hours every day is a business day; digest_time unset: never. */
	ck_due(&digest_conf, &everyday, "2026-12-12T08:00:00Z", "2026-12-12");
	ck_due(&off, &berlin, "2026-12-07T12:00:00Z", "-");
	ck_assert_int_eq(conf_digest_minute(&digest_conf), 480);
	struct conf bad = {.digest_time = "8:00"};
	ck_assert_int_eq(conf_digest_minute(&bad), -1);
	bad.digest_time = "24:00";
	ck_assert_int_eq(conf_digest_minute(&bad), -1);
	bad.digest_time = "07:60";
	ck_assert_int_eq(conf_digest_minute(&bad), -1);
}
END_TEST

/* The tick of one notifyd at an ISO time, reduced to the rule: for each agent due, read,
 * then claim in a transaction and commit. Returns the digests it would send. */
static int digest_pass(struct store *s, const char *iso)
{
	GPtrArray *agents = NULL;
	gint64 now = 0;
	char *day = NULL;
	int sent = 0;

	ck_assert_int_eq(clock_parse(iso, &now, NULL), 0);
	ck_assert_int_eq(store_agent_digest_list(s, &agents, NULL), 0);
	for (guint i = 0; i < agents->len; i++) {
		const struct store_agent *a = g_ptr_array_index(agents, i);

		if (!survey_digest_due(&digest_conf, &berlin, now, &day))
			continue;
		if (store_agent_digest_done(s, a->id, day, NULL) == 0) {
			ck_assert_int_eq(store_begin(s, NULL), 0);
			if (store_agent_digest_claim(s, a->id, day, now, NULL) == 1)
				sent++;
			ck_assert_int_eq(store_agent_digest_listed(s, a->id, day, 1, NULL), 0);
			ck_assert_int_eq(store_commit(s, NULL), 0);
		}
		g_clear_pointer(&day, g_free);
	}
	g_ptr_array_unref(agents);
	return sent;
}

START_TEST(test_digest_once_per_day)
{
	char *dir = g_dir_make_tmp("check_survey-XXXXXX", NULL);
	char *db = test_database(dir, "postdesk.db");
	struct store *a = NULL, *b = NULL;
	gint64 now = 0;

	ck_assert_int_eq(store_open(db, STORE_CREATE, 1000, &a, NULL), 0);
	ck_assert_int_eq(store_open(db, 0, 1000, &b, NULL), 0);
	ck_assert_int_eq(store_agent_add(a, "alice@agents.example", "Alice", NULL, 1, NULL), 0);
	ck_assert_int_eq(store_agent_add(a, "bob@agents.example", "Bob", NULL, 1, NULL), 0);
	ck_assert_int_eq(store_agent_add(a, "carol@agents.example", "Carol", NULL, 1, NULL), 0);
	ck_assert_int_eq(store_agent_set_digest(a, "Carol@agents.example", FALSE, NULL), 1);
	ck_assert_int_eq(store_agent_set_digest(a, "nobody@agents.example", FALSE, NULL), 0);

	ck_assert_int_eq(digest_pass(a, "2026-12-07T06:59:00Z"), 0); /* before 08:00 */
	ck_assert_int_eq(digest_pass(a, "2026-12-07T07:01:00Z"), 2); /* alice, bob */
	ck_assert_int_eq(digest_pass(a, "2026-12-07T07:02:00Z"), 0); /* once a day */
	ck_assert_int_eq(digest_pass(b, "2026-12-07T15:00:00Z"), 0); /* another notifyd */
	/* A claim that lost the race (read said "not yet") is refused in the transaction. */
	ck_assert_int_eq(clock_parse("2026-12-07T15:00:00Z", &now, NULL), 0);
	ck_assert_int_eq(store_begin(b, NULL), 0);
	ck_assert_int_eq(store_agent_digest_claim(b, 1, "2026-12-07", now, NULL), 0);
	store_rollback(b);
	ck_assert_int_eq(digest_pass(b, "2026-12-08T07:01:00Z"), 2); /* next business day */
	ck_assert_int_eq(digest_pass(a, "2026-12-08T09:00:00Z"), 0);
	ck_assert_int_eq(digest_pass(a, "2026-12-12T07:01:00Z"), 0); /* Saturday */
	/* Wednesday missed: Thursday sends Thursday's, and nothing is ever owed for Wednesday. */
	ck_assert_int_eq(digest_pass(a, "2026-12-10T10:00:00Z"), 2);
	ck_assert_int_eq(store_agent_digest_done(a, 1, "2026-12-09", NULL), 0);
	ck_assert_int_eq(store_agent_digest_done(a, 1, "2026-12-10", NULL), 1);
	/* Opted back in: carol's digest comes the next day it is due. */
	ck_assert_int_eq(store_agent_set_digest(a, "carol@agents.example", TRUE, NULL), 1);
	ck_assert_int_eq(digest_pass(a, "2026-12-10T11:00:00Z"), 1);
	store_close(&a);
	store_close(&b);
	test_rm_rf(dir);
	g_free(db);
	g_free(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("survey");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_parse_answer);
	tcase_add_test(tc, test_digest_due);
	tcase_add_test(tc, test_digest_once_per_day);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
