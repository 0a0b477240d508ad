# Issue 12: what our mail looks like to mail clients (notices threaded per ticket and
# agent, X-Auto-Response-Suppress, the signature separator), end to end through a sandboxed
# Postfix. Needs root, postfix, swaks, smtp-sink; skips (77) without.
NOTICES_TESTS = tests/e2e/notices.sh
TESTS += $(NOTICES_TESTS)
EXTRA_DIST += $(NOTICES_TESTS)
