# Issue 14: the customer's language (detector, Content-Language, #lang), end to end through
# a sandboxed Postfix. Needs root, postfix, swaks, smtp-sink; skips (77) without.
LANGUAGES_TESTS = tests/e2e/languages.sh
TESTS += $(LANGUAGES_TESTS)
EXTRA_DIST += $(LANGUAGES_TESTS)
