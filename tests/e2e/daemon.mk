# Issue 11 item 8: the daemons' signals (SIGHUP reloads, SIGTERM finishes deliveries in
# flight), the root-owned key, socket modes, two From headers, attachment names. Root,
# postfix, swaks, smtp-sink, python3; skips (77) without them. Include from tests/local.mk.
TESTS += tests/e2e/daemon.sh
EXTRA_DIST += tests/e2e/daemon.sh
