# Issue 11 (tokens, bounces, recipient cap): tests/e2e/tokens.sh through the sandboxed
# Postfix; skips (77) without root, postfix, swaks or sqlite3.
TOKENS_TESTS = tests/e2e/tokens.sh
TESTS += $(TOKENS_TESTS)
EXTRA_DIST += $(TOKENS_TESTS)
