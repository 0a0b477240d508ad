# store unit tests
check_PROGRAMS += tests/unit/check_store
TESTS += tests/unit/check_store
tests_unit_check_store_SOURCES = tests/unit/check_store.c
tests_unit_check_store_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/store
tests_unit_check_store_LDADD = $(MOD_STORE) $(MOD_PARSE) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)

# store unit tests, schema 2 (conversations, outbox)
check_PROGRAMS += tests/unit/check_store2
TESTS += tests/unit/check_store2
tests_unit_check_store2_SOURCES = tests/unit/check_store2.c
tests_unit_check_store2_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/store
tests_unit_check_store2_LDADD = $(MOD_STORE) $(MOD_PARSE) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)

# the statement declarations and the binder (src/store/statements.def, stmt.c)
check_PROGRAMS += tests/unit/check_store_stmt
TESTS += tests/unit/check_store_stmt
tests_unit_check_store_stmt_SOURCES = tests/unit/check_store_stmt.c
tests_unit_check_store_stmt_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/store
tests_unit_check_store_stmt_LDADD = $(MOD_STORE) $(MOD_PARSE) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)

# search (issue 13: src/store/search.c, migration 10)
check_PROGRAMS += tests/unit/check_search
TESTS += tests/unit/check_search
tests_unit_check_search_SOURCES = tests/unit/check_search.c
tests_unit_check_search_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/store
tests_unit_check_search_LDADD = $(MOD_STORE) $(MOD_PARSE) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
