# Issue 13: attachments (list, get, the notice policy), customer export and erase, end
# to end through a sandboxed Postfix. Needs root, postfix, swaks, smtp-sink; skips (77)
# without.
CUSTOMER_DATA_TESTS = tests/e2e/customer_data.sh
TESTS += $(CUSTOMER_DATA_TESTS)
EXTRA_DIST += $(CUSTOMER_DATA_TESTS)
