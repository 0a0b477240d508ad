# Issue 13: attachments (list, get, the notice policy), customer export and erase, end
# to end through a sandboxed Postfix. Needs root, postfix, swaks, smtp-sink; skips (77)
# without.
CUSTOMER_DATA_TESTS = tests/e2e/customer_data.sh
TESTS += $(CUSTOMER_DATA_TESTS)
EXTRA_DIST += $(CUSTOMER_DATA_TESTS)
# --json on every command, errors included, and input validation (no Postfix needed).
CLI_JSON_TESTS = tests/e2e/cli_json.sh
TESTS += $(CLI_JSON_TESTS)
EXTRA_DIST += $(CLI_JSON_TESTS)
