# Issue 17: run like a mail daemon. admin.sh: --help/--version, manual pages, config [-n],
# check, journald priorities, the units (systemd-analyze verify), the per-delivery log line
# (root, postfix, swaks, sqlite3, man). package.sh: the Debian package built, linted,
# installed, wired to a sandboxed Postfix and purged (root, dpkg-buildpackage, lintian).
# wiring.sh: contrib/postfix/ with the milter in front of the real daemons.
PACKAGING_TESTS = tests/e2e/admin.sh tests/e2e/package.sh tests/e2e/wiring.sh
TESTS += $(PACKAGING_TESTS)
EXTRA_DIST += $(PACKAGING_TESTS)
