# PostgreSQL backend (issue 16): built by make check, run by tests/e2e/store_pg.sh against
# the PostgreSQL 15 it starts (alone it skips: it needs PD_PG_URI).
check_PROGRAMS += tests/unit/check_store_pg
tests_unit_check_store_pg_SOURCES = tests/unit/check_store_pg.c
tests_unit_check_store_pg_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/src/store
tests_unit_check_store_pg_LDADD = $(MOD_STORE) $(MOD_PARSE) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
