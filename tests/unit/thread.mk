check_PROGRAMS += tests/unit/check_thread
TESTS += tests/unit/check_thread
tests_unit_check_thread_SOURCES = tests/unit/check_thread.c
tests_unit_check_thread_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_thread_LDADD = $(MOD_INGEST) $(MOD_THREAD) $(MOD_STORE) $(MOD_PARSE) \
	$(MOD_TOKEN) $(MOD_CONF) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)

check_PROGRAMS += tests/unit/check_ingest
TESTS += tests/unit/check_ingest
tests_unit_check_ingest_SOURCES = tests/unit/check_ingest.c
tests_unit_check_ingest_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_ingest_LDADD = $(PD_LIBS) $(CHECK_LIBS)
