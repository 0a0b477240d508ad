# Bytes on disk (issue 10): raw stored compressed and read back byte for byte by every
# reader, the new text of customer mail in messages.body, old plain rows still read.
STORAGE_TESTS = tests/e2e/storage.sh
TESTS += $(STORAGE_TESTS)
EXTRA_DIST += $(STORAGE_TESTS) tests/e2e/storage.mk
