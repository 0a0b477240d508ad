# report unit tests: metrics on a hand-worked fixture history, output formats
check_PROGRAMS += tests/unit/check_report
TESTS += tests/unit/check_report
tests_unit_check_report_SOURCES = tests/unit/check_report.c
tests_unit_check_report_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_report_LDADD = $(MOD_REPORT) $(MOD_STORE) $(MOD_PARSE) $(MOD_CONF) $(MOD_LIB) \
	$(CHECK_LIBS) $(DEP_LIBS)
