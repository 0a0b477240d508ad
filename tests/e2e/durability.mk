# Durability tests (doc/durability.md): crashes of postdesk-lmtpd and postdesk-notifyd under
# load, a full disk, a database locked longer than busy_timeout. The make-check versions are
# short; the long crash runs are started by hand with PD_CRASH_* variables.
DURABILITY_TESTS = tests/e2e/crash_lmtpd.sh tests/e2e/crash_notifyd.sh tests/e2e/diskfull.sh \
	tests/e2e/busy.sh
TESTS += $(DURABILITY_TESTS)
EXTRA_DIST += $(DURABILITY_TESTS) tests/e2e/durability.mk
