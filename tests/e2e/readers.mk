# Issue 12, reading what clients send: Outlook's Thread-Index, From without angle brackets
# or without an address, customer mail trimmed for agents. Root, postfix, swaks,
# smtp-sink, sqlite3; skips (77) without them. Included from tests/local.mk.
TESTS += tests/e2e/readers.sh
EXTRA_DIST += tests/e2e/readers.sh tests/e2e/readers.mk
