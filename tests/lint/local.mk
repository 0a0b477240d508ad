# The house rules of doc/architecture.md, checked on the tree and the built module archives.
TESTS += tests/lint/structure.sh
EXTRA_DIST += tests/lint/structure.sh tests/lint/structure.py
