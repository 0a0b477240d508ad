# the knowledge base (issue 14): tokenizer, stems, index, threshold, the labelled set
check_PROGRAMS += tests/unit/check_kb
TESTS += tests/unit/check_kb
tests_unit_check_kb_SOURCES = tests/unit/check_kb.c tests/unit/testutil.c tests/unit/testutil.h
tests_unit_check_kb_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_kb_LDADD = $(MOD_KB) $(MOD_STORE) $(MOD_PARSE) $(MOD_LIB) $(CHECK_LIBS) \
	$(DEP_LIBS)
