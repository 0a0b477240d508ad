# Issue 13 (the agent's toolkit): macros, the status after an answer, the customer's
# history in notices, a customer's "status" request, `postdesk macro`; end to end through
# a sandboxed Postfix. Needs root, postfix, swaks, smtp-sink; skips (77) without.
MACROS_TESTS = tests/e2e/macros.sh
TESTS += $(MACROS_TESTS)
EXTRA_DIST += $(MACROS_TESTS)
