# End-to-end tests: real Postfix (sandboxed on loopback), real clients, the real daemons.
E2E_TESTS = tests/e2e/sandbox_selftest.sh tests/e2e/foundation.sh tests/e2e/corpus.sh
TESTS += $(E2E_TESTS)
EXTRA_DIST += tests/e2e/lib.sh $(E2E_TESTS)
