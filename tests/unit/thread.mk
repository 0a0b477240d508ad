check_PROGRAMS += tests/unit/check_thread
TESTS += tests/unit/check_thread
tests_unit_check_thread_SOURCES = tests/unit/check_thread.c
tests_unit_check_thread_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_thread_LDADD = $(MOD_DELIVER) $(MOD_SURVEY) $(MOD_THREAD) $(MOD_COMPOSE) $(MOD_STORE) $(MOD_PARSE) \
	$(MOD_TOKEN) $(MOD_CONF) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)

check_PROGRAMS += tests/unit/check_deliver
TESTS += tests/unit/check_deliver
tests_unit_check_deliver_SOURCES = tests/unit/check_deliver.c
tests_unit_check_deliver_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_deliver_LDADD = $(PD_LIBS) $(CHECK_LIBS)
