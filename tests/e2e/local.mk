# End-to-end tests: bash scripts driving a sandboxed Postfix on loopback (tests/e2e/lib.sh),
# the real daemons and real clients. They need root, postfix and swaks, and skip (exit 77)
# without them.
E2E_TESTS = tests/e2e/sandbox_selftest.sh tests/e2e/foundation.sh tests/e2e/corpus.sh \
	tests/e2e/conversation.sh tests/e2e/survey.sh tests/e2e/listing.sh \
	tests/e2e/agent_replies.sh
TESTS += $(E2E_TESTS)
EXTRA_DIST += tests/e2e/lib.sh $(E2E_TESTS)
