# IMAP/POP3 intake (issue 15): the [mailbox NAME] config, the backoff and the store's
# bookkeeping; the protocols are tested against a real Dovecot (tests/e2e/fetch.mk).
check_PROGRAMS += tests/unit/check_fetch
TESTS += tests/unit/check_fetch
tests_unit_check_fetch_SOURCES = tests/unit/check_fetch.c tests/unit/testutil.c \
	tests/unit/testutil.h
tests_unit_check_fetch_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_fetch_LDADD = $(MOD_FETCH) $(MOD_DELIVER) $(MOD_SURVEY) $(MOD_OUTBOX) \
	$(MOD_COMPOSE) $(MOD_THREAD) $(MOD_KB) $(MOD_STORE) $(MOD_PARSE) $(MOD_NET) $(MOD_TOKEN) \
	$(MOD_CONF) $(MOD_LIB) $(CHECK_LIBS) $(DEP_LIBS)
