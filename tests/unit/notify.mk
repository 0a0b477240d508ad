# notify unit tests
check_PROGRAMS += tests/unit/check_notify
TESTS += tests/unit/check_notify
tests_unit_check_notify_SOURCES = tests/unit/check_notify.c tests/unit/testutil.c tests/unit/testutil.h
tests_unit_check_notify_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_notify_LDADD = $(MOD_NOTIFY) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
