# outbox unit tests (the sending loop against a real store and smtp-sink) and the
# end-to-end test of postdesk-notifyd. Include from tests/local.mk.
check_PROGRAMS += tests/unit/check_outbox
TESTS += tests/unit/check_outbox
tests_unit_check_outbox_SOURCES = tests/unit/check_outbox.c tests/unit/testutil.c tests/unit/testutil.h
tests_unit_check_outbox_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_outbox_LDADD = $(MOD_OUTBOX) $(MOD_NET) $(MOD_STORE) $(MOD_PARSE) $(MOD_TOKEN) $(MOD_CONF) $(MOD_LIB) \
	$(CHECK_LIBS) $(DEP_LIBS)
TESTS += tests/e2e/outbox.sh
EXTRA_DIST += tests/e2e/outbox.sh
