# Issue 13 (search, the command address): tests/e2e/search.sh through the sandboxed
# Postfix; skips (77) without root, postfix, swaks, sqlite3 or python3.
SEARCH_TESTS = tests/e2e/search.sh
TESTS += $(SEARCH_TESTS)
EXTRA_DIST += $(SEARCH_TESTS)
