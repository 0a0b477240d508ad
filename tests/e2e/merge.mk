# Issue 13: merge and split of tickets by mail and from the CLI, end to end through a
# sandboxed Postfix. Needs root, postfix, swaks, smtp-sink; skips (77) without.
MERGE_TESTS = tests/e2e/merge.sh
TESTS += $(MERGE_TESTS)
EXTRA_DIST += $(MERGE_TESTS)
