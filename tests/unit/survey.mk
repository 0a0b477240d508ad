check_PROGRAMS += tests/unit/check_survey
TESTS += tests/unit/check_survey
tests_unit_check_survey_SOURCES = tests/unit/check_survey.c tests/unit/testutil.c \
	tests/unit/testutil.h
tests_unit_check_survey_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_survey_LDADD = $(MOD_SURVEY) $(MOD_COMPOSE) $(MOD_STORE) $(MOD_PARSE) \
	$(MOD_TOKEN) $(MOD_CONF) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)

check_PROGRAMS += tests/unit/check_hours
TESTS += tests/unit/check_hours
tests_unit_check_hours_SOURCES = tests/unit/check_hours.c
tests_unit_check_hours_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_hours_LDADD = $(MOD_CONF) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
