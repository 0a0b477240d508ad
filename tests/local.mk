# Unit tests (Check), one suite per module; each fragment adds its programs to TESTS.
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -DTESTS_SRCDIR='"$(abs_top_srcdir)/tests"'
include tests/unit/core.mk
include tests/unit/parse.mk
include tests/unit/quote.mk
include tests/unit/store.mk
include tests/unit/kb.mk
include tests/unit/thread.mk
include tests/unit/lmtp.mk
include tests/unit/compose.mk
include tests/unit/outbox.mk
include tests/unit/report.mk
include tests/unit/survey.mk
include tests/milter/local.mk
include tests/e2e/local.mk
EXTRA_DIST += tests/data
include tests/e2e/privs.mk
include tests/e2e/durability.mk
include tests/e2e/hostile.mk
include tests/fuzz/local.mk
include tests/e2e/report.mk
include tests/e2e/memory.mk
include tests/e2e/trust.mk
include tests/e2e/tokens.mk
include tests/e2e/daemon.mk
include tests/e2e/readers.mk
include tests/lint/local.mk
include tests/e2e/notices.mk
include tests/e2e/merge.mk
include tests/e2e/macros.mk
include tests/e2e/customer_data.mk
include tests/e2e/kb.mk
