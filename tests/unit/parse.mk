# parse unit tests
check_PROGRAMS += tests/unit/check_parse
TESTS += tests/unit/check_parse
tests_unit_check_parse_SOURCES = tests/unit/check_parse.c
tests_unit_check_parse_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/parse
tests_unit_check_parse_LDADD = $(MOD_PARSE) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
