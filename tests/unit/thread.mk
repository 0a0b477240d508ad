check_PROGRAMS += tests/unit/check_thread
TESTS += tests/unit/check_thread
tests_unit_check_thread_SOURCES = tests/unit/check_thread.c tests/unit/testutil.c tests/unit/testutil.h
tests_unit_check_thread_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_thread_LDADD = $(MOD_DELIVER) $(MOD_SURVEY) $(MOD_THREAD) $(MOD_COMPOSE) $(MOD_KB) $(MOD_STORE) $(MOD_PARSE) \
	$(MOD_TOKEN) $(MOD_CONF) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)

check_PROGRAMS += tests/unit/check_deliver
TESTS += tests/unit/check_deliver
tests_unit_check_deliver_SOURCES = tests/unit/check_deliver.c tests/unit/testutil.c tests/unit/testutil.h
tests_unit_check_deliver_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_deliver_LDADD = $(PD_LIBS) $(CHECK_LIBS)

# Issue 13 (agent toolkit): macros, status after an answer, customer history, "status" mail.
check_PROGRAMS += tests/unit/check_macros
TESTS += tests/unit/check_macros
tests_unit_check_macros_SOURCES = tests/unit/check_macros.c tests/unit/testutil.c tests/unit/testutil.h
tests_unit_check_macros_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_macros_LDADD = $(PD_LIBS) $(CHECK_LIBS)
