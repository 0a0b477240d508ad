# Bounded memory (issue 11, item 7; doc/benchmarks.md "Bounded memory"): twenty 24 MB
# messages at once through the sandboxed Postfix, postdesk-lmtpd's VmHWM bounded; a cut-off
# DATA and a full spool answered without a 250 or a stored message.
MEMORY_TESTS = tests/e2e/memory.sh
TESTS += $(MEMORY_TESTS)
EXTRA_DIST += $(MEMORY_TESTS) tests/e2e/memory.mk
