# Issue 11: who may enter a ticket and who hears from it (doc/security.md), end to end
# through a sandboxed Postfix. Needs root, postfix, swaks, smtp-sink; skips (77) without.
TRUST_TESTS = tests/e2e/trust.sh
TESTS += $(TRUST_TESTS)
EXTRA_DIST += $(TRUST_TESTS)
