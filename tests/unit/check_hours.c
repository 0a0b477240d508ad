/* check_hours: business-hours arithmetic of the conf module (weekends, overnight, time
 * zones). */
#include "config.h"
#include "postdesk/conf.h"

#include <check.h>
#include <stdlib.h>

static gint64 t_utc(const char *iso)
{
	GDateTime *d = g_date_time_new_from_iso8601(iso, NULL);
	gint64 t;

	ck_assert_ptr_nonnull(d);
	t = g_date_time_to_unix(d);
	g_date_time_unref(d);
	return t;
}

static struct conf_queue office(const char *hours, const char *tz)
{
	struct conf_queue q = {0};
	q.business_hours = (char *)hours;
	q.timezone = (char *)tz;
	return q;
}

START_TEST(test_24x7)
{
	struct conf_queue q = office(NULL, "UTC");
	ck_assert_int_eq(conf_business_add(&q, 1000, 3600), 4600);
	ck_assert_int_eq(conf_business_seconds(&q, 1000, 4600), 3600);
	ck_assert_int_eq(conf_business_seconds(&q, 4600, 1000), 0);
}
END_TEST

START_TEST(test_weekend_crossing)
{
	struct conf_queue q = office("mon-fri 09:00-17:00", "UTC");
	/* Friday 2026-11-20 16:00 + 4 h = Monday 12:00 */
	ck_assert_int_eq(conf_business_add(&q, t_utc("2026-11-20T16:00:00Z"), 4 * 3600),
			 t_utc("2026-11-23T12:00:00Z"));
	ck_assert_int_eq(conf_business_seconds(&q, t_utc("2026-11-20T16:00:00Z"),
						 t_utc("2026-11-23T12:00:00Z")),
			 4 * 3600);
	/* Saturday counts nothing; a start before opening waits for it. */
	ck_assert_int_eq(conf_business_seconds(&q, t_utc("2026-11-21T10:00:00Z"),
						 t_utc("2026-11-22T20:00:00Z")),
			 0);
	ck_assert_int_eq(conf_business_add(&q, t_utc("2026-11-24T06:00:00Z"), 60),
			 t_utc("2026-11-24T09:01:00Z"));
}
END_TEST

START_TEST(test_overnight_and_zone)
{
	struct conf_queue q = office("mon-fri 09:00-17:00", "Europe/Paris");
	/* Tuesday 16:30 Paris (15:30Z) + 1 h = Wednesday 09:30 Paris (08:30Z) */
	ck_assert_int_eq(conf_business_add(&q, t_utc("2026-11-24T15:30:00Z"), 3600),
			 t_utc("2026-11-25T08:30:00Z"));
	/* A wrapping day range and a day ending at 24:00. */
	q = office("sun-thu 20:00-24:00", "UTC");
	ck_assert_int_eq(conf_business_add(&q, t_utc("2026-11-27T21:00:00Z"), 3600),
			 t_utc("2026-11-29T21:00:00Z")); /* Friday -> Sunday */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hours");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_24x7);
	tcase_add_test(tc, test_weekend_crossing);
	tcase_add_test(tc, test_overnight_and_zone);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
