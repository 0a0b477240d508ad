#!/bin/sh
# pg_milter.sh (issue 16): the milter's flood counters are shared by the hosts of a desk on
# PostgreSQL (migration 21, store_flood_hit): two postdesk-milter processes (two configs,
# two sockets) on one PostgreSQL that this script starts (tests/e2e/pg.sh) count new
# requests against one limit (tests/e2e/pg_milter.lua, through miltertest). Skips (77)
# without root, miltertest or PostgreSQL 15.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh" || exit 99
. "$(dirname "$0")/pg.sh" || exit 99

pd_require miltertest psql
pd_pg_require

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=help.example
pd_pg_start
pd_daemon_dir "$T/sock"
for h in a b; do
	cat >"$T/$h.conf" <<CONF
[postdesk]
domain = $DOMAIN
database = $PD_PG_URI
key_file = $T/db/postdesk.key
milter_listen = unix:$T/sock/$h.sock
user = $PD_DAEMON_USER
milter_flood_limit = 3
milter_flood_window = 1h
milter_on_db_error = tempfail
log_level = info
template_dir = $PD_SRCDIR/templates/en
[queue support]
address = support@$DOMAIN
CONF
done
mkdir -p "$T/db"
"$B/postdesk" -c "$T/a.conf" init >/dev/null || pd_fail "init"
for h in a b; do
	pd_bg "milter-$h" "$B/postdesk-milter" -f -c "$T/$h.conf"
	pd_wait_socket "$T/sock/$h.sock" 10 "milter-$h"
done
miltertest -D SOCK_A="unix:$T/sock/a.sock" -D SOCK_B="unix:$T/sock/b.sock" \
	-D LIBDIR="$PD_SRCDIR/tests/milter" -D DOMAIN="$DOMAIN" \
	-s "$PD_SRCDIR/tests/e2e/pg_milter.lua" >"$T/miltertest.out" 2>&1 ||
	pd_fail "miltertest: $(cat "$T/miltertest.out")"
[ "$(pd_pg_sql -c "SELECT count FROM flood_counters WHERE key = 'i:198.51.100.77'")" = 3 ] ||
	pd_fail "flood counter of the client: $(pd_pg_sql -c 'SELECT * FROM flood_counters')"
for h in a b; do pd_stop "milter-$h"; done
pd_pg_stop
pd_log "PASS"
