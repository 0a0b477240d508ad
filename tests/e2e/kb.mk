# Issue 14: the knowledge base end to end (reindex, SIGHUP, suggestions in the
# acknowledgement). Root, postfix, swaks, smtp-sink, sqlite3; skips (77) without.
KB_TESTS = tests/e2e/kb.sh
TESTS += $(KB_TESTS)
EXTRA_DIST += $(KB_TESTS)
