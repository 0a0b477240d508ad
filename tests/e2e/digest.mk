# Issue 13: the daily digest per agent (tests/e2e/digest.sh) through the sandboxed Postfix;
# skips (77) without root, postfix, swaks, smtp-sink or sqlite3.
DIGEST_TESTS = tests/e2e/digest.sh
TESTS += $(DIGEST_TESTS)
EXTRA_DIST += $(DIGEST_TESTS)
