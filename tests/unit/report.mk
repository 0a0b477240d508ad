# report unit tests: metrics on a hand-worked fixture history, output formats
check_PROGRAMS += tests/unit/check_report
TESTS += tests/unit/check_report
tests_unit_check_report_SOURCES = tests/unit/check_report.c
tests_unit_check_report_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/report
tests_unit_check_report_LDADD = $(MOD_REPORT) $(MOD_STORE) $(MOD_PARSE) $(MOD_CONF) $(MOD_LIB) \
	$(CHECK_LIBS) $(DEP_LIBS)
# the report against a real store: kept figures (migration 10, live and migrated) give the
# report their history gives, and the report reads no messages or events
check_PROGRAMS += tests/unit/check_report_store
TESTS += tests/unit/check_report_store
tests_unit_check_report_store_SOURCES = tests/unit/check_report_store.c tests/unit/testutil.c \
	tests/unit/testutil.h
tests_unit_check_report_store_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/store
tests_unit_check_report_store_LDADD = $(MOD_REPORT) $(MOD_STORE) $(MOD_CONF) $(MOD_LIB) \
	$(CHECK_LIBS) $(DEP_LIBS)
# customer effort (CES) and retention (issue 14): a hand-worked history against a real
# store, live and filled by migration 15; survey_questions; CES survey tokens
check_PROGRAMS += tests/unit/check_ces
TESTS += tests/unit/check_ces
tests_unit_check_ces_SOURCES = tests/unit/check_ces.c tests/unit/testutil.c tests/unit/testutil.h
tests_unit_check_ces_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/store
tests_unit_check_ces_LDADD = $(MOD_REPORT) $(MOD_STORE) $(MOD_TOKEN) $(MOD_CONF) $(MOD_LIB) \
	$(CHECK_LIBS) $(DEP_LIBS)
