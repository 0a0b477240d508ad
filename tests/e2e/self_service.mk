# Issue 14's acceptance test: a German question gets a German acknowledgement with the right
# knowledge-base article, "Erledigt!" resolves it as self-served, the stub shop's order
# status in the agent notice, the CES click stored, and `postdesk report` with the
# self-service rate, CES and retention. Root, postfix, swaks, smtp-sink, python3; skips
# (77) without.
SELF_SERVICE_TESTS = tests/e2e/self_service.sh
TESTS += $(SELF_SERVICE_TESTS)
EXTRA_DIST += $(SELF_SERVICE_TESTS)
