#!/bin/sh
# store_pg.sh (issue 16): the PostgreSQL backend's unit tests (tests/unit/check_store_pg)
# against a real PostgreSQL 15 that this script starts as the daemons' user on loopback
# (tests/e2e/pg.sh) and stops by PID. Skips (77) without root or PostgreSQL 15.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh" || exit 99
. "$(dirname "$0")/pg.sh" || exit 99

pd_require
pd_pg_require
B=$PD_BUILDDIR
[ -x "$B/tests/unit/check_store_pg" ] || pd_fail "no $B/tests/unit/check_store_pg (make check builds it)"
pd_pg_start
# As the daemons' user: the test makes SQLite files in a temp dir too, as they would.
CK_DEFAULT_TIMEOUT=60 "$B/tests/unit/check_store_pg" || pd_fail "check_store_pg failed"
pd_pg_stop
pd_bg_pid pg >/dev/null && pd_fail "PostgreSQL still running after pd_pg_stop"
pd_log "PASS"
