# Issue 7 (privileges): the daemons refuse root without `user`, drop to it, make private
# files, and refuse a symlinked database or socket path. Include from tests/local.mk.
TESTS += tests/e2e/privs.sh
EXTRA_DIST += tests/e2e/privs.sh
