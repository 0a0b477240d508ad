# store unit tests
check_PROGRAMS += tests/unit/check_store
TESTS += tests/unit/check_store
tests_unit_check_store_SOURCES = tests/unit/check_store.c
tests_unit_check_store_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/store
tests_unit_check_store_LDADD = $(MOD_STORE) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
