# core unit tests: lib, conf, token
check_PROGRAMS += tests/unit/check_lib tests/unit/check_conf tests/unit/check_token
TESTS += tests/unit/check_lib tests/unit/check_conf tests/unit/check_token
tests_unit_check_lib_SOURCES = tests/unit/check_lib.c
tests_unit_check_lib_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_lib_LDADD = $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
tests_unit_check_conf_SOURCES = tests/unit/check_conf.c
tests_unit_check_conf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_conf_LDADD = $(MOD_CONF) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
tests_unit_check_token_SOURCES = tests/unit/check_token.c
tests_unit_check_token_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_token_LDADD = $(MOD_TOKEN) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
check_PROGRAMS += tests/unit/check_zip
TESTS += tests/unit/check_zip
tests_unit_check_zip_SOURCES = tests/unit/check_zip.c
tests_unit_check_zip_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_zip_LDADD = $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
