# Hostile input (tests/data/hostile, doc/hostile.md) and the daemons' end-to-end tests
# under valgrind. Both are bash scripts using tests/e2e/lib.sh; they skip (77) without
# root, swaks, sqlite3 or valgrind.
HOSTILE_TESTS = tests/e2e/hostile.sh tests/e2e/valgrind.sh
TESTS += $(HOSTILE_TESTS)
EXTRA_DIST += $(HOSTILE_TESTS)
