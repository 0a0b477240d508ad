# lmtp unit tests
check_PROGRAMS += tests/unit/check_lmtp
TESTS += tests/unit/check_lmtp
tests_unit_check_lmtp_SOURCES = tests/unit/check_lmtp.c
tests_unit_check_lmtp_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_lmtp_LDADD = $(MOD_LMTP) $(MOD_DELIVER) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
