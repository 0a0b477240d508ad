#!/bin/bash
# tests/bench/pg_bench.sh: the PostgreSQL rows of doc/scaling.md (issue 16), beside the
# SQLite ones and Dovecot's LMTP, in one run on one machine. Not part of make check.
#   sudo tests/bench/pg_bench.sh [BUILDDIR]
# Durable LMTP throughput and final-dot-to-250 latency (tests/bench/lmtp_lat.c, the client of
# tests/bench/run.sh) with 2 KB messages from many senders at 10 and 20 sessions against:
# postdesk-lmtpd on SQLite, postdesk-lmtpd on PostgreSQL 15 (started here by tests/e2e/pg.sh,
# fsync and synchronous_commit on), two postdesk-lmtpd on that one PostgreSQL (each given
# half the sessions, at once: the figure is all messages over the longer run), and Dovecot's
# LMTP (Maildir, mail_fsync = always). A fresh database for every row. Env: BENCH_MSGS
# (messages per row, default 2000), BENCH_PG_SOCKET=1 (reach PostgreSQL on its unix socket,
# not loopback TCP), PD_DAEMON_USER (default nobody).
[ -z "${BASH_VERSION:-}" ] && exec /bin/bash "$0" "$@"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-.}" && pwd)
MSGS=${BENCH_MSGS:-2000}
PD_BUILDDIR=$BUILD
. "$SRC/tests/e2e/lib.sh" || exit 99
. "$SRC/tests/e2e/pg.sh" || exit 99
PD_TEST=pg_bench

[ "$(id -u)" = 0 ] || { echo "pg_bench: run as root" >&2; exit 1; }
pd_pg_require
command -v dovecot >/dev/null && [ -x /usr/lib/dovecot/lmtp ] ||
	{ echo "pg_bench: needs dovecot-core dovecot-lmtpd (tests/bench/run.sh installs them)" >&2; exit 1; }
B=$BUILD/src/bin
export POSTDESK_TEMPLATES=$SRC/templates/en
pd__root
W=$(pd_tmpdir)
gcc -O2 -pthread -o "$W/lmtp_lat" "$SRC/tests/bench/lmtp_lat.c" || pd_fail "lmtp_lat build failed"
pd_pg_start
PGBASE=${PD_PG_URI%/postdesk}
if [ "${BENCH_PG_SOCKET:-0}" = 1 ]; then # host = the socket's directory, %-encoded
	PGBASE="postgresql://postdesk@$(printf %s "$PD_PG_DIR" | sed 's#/#%2F#g'):$PD_PG_PORT"
fi

# (called in $(...): the names are unique without a counter the subshell would lose)
row_dir() { # DATABASE: a config and key in a new directory; prints the directory
	local d
	d=$(mktemp -d "$W/row.XXXXXX") && chmod 0755 "$d" && mkdir -p "$d/db" || pd_fail "mktemp"
	cat >"$d/postdesk.conf" <<EOF
[postdesk]
domain = support.test
user = $PD_DAEMON_USER
database = ${1:-$d/db/postdesk.db}
key_file = $d/db/postdesk.key
lmtp_listen = unix:$d/lmtp.sock
template_dir = $SRC/templates/en
log_level = warn
[queue support]
address = support@support.test
EOF
	"$B/postdesk" -c "$d/postdesk.conf" init >/dev/null || pd_fail "init $d"
	echo "$d"
}
fresh_pg() { # a new database on the server; prints its URI
	local name=bench_${RANDOM}_$RANDOM
	pd_pg_sql -c "CREATE DATABASE $name" >/dev/null || pd_fail "create $name"
	echo "$PGBASE/$name"
}
lmtpd() { # DIR NAME
	pd_bg "$2" "$B/postdesk-lmtpd" -c "$1/postdesk.conf" -f
	pd_wait_socket "$1/lmtp.sock" 10 "$2"
}
lat() { # SOCKET RCPT SESSIONS MESSAGES
	"$W/lmtp_lat" "$1" "$2" "$3" $(($4 / $3)) 2048 100000 2>>"$W/lmtp_lat.log"
}
field() { sed -n "s/.*\b$2=\([0-9.]*\).*/\1/p" <<<"$1"; }

# Dovecot, sandboxed as in tests/bench/run.sh
D=$W/dovecot
. "$SRC/tests/bench/dovecot_lmtp.sh"
dovecot_lmtp_conf "$D" "$PD_DAEMON_USER" postdesk-pgbench
pd_bg dovecot dovecot -F -c "$D/dovecot.conf"
pd_wait_socket "$D/lmtp.sock" 10 dovecot

printf '%-34s %8s %8s %8s\n' "2 KB, many senders" "msg/s" "p50 ms" "p99 ms" >"$W/table"
put() { # LABEL LINE
	printf '%-34s %8s %8s %8s\n' "$1" "$(field "$2" rate)" "$(field "$2" p50_ms)" \
		"$(field "$2" p99_ms)" >>"$W/table"
	pd_log "$1: $2"
}
for s in 10 20; do
	d=$(row_dir)
	lmtpd "$d" lmtpd-lite
	put "postdesk, SQLite, $s sessions" "$(lat "$d/lmtp.sock" support@support.test "$s" "$MSGS")"
	pd_stop lmtpd-lite

	d=$(row_dir "$(fresh_pg)")
	lmtpd "$d" lmtpd-pg
	put "postdesk, PostgreSQL, $s sessions" "$(lat "$d/lmtp.sock" support@support.test "$s" "$MSGS")"
	pd_stop lmtpd-pg

	uri=$(fresh_pg)
	d1=$(row_dir "$uri")
	d2=$(row_dir "$uri")
	lmtpd "$d1" lmtpd-pg1
	lmtpd "$d2" lmtpd-pg2
	lat "$d1/lmtp.sock" support@support.test $((s / 2)) $((MSGS / 2)) >"$W/two.1" &
	p1=$!
	lat "$d2/lmtp.sock" support@support.test $((s / 2)) $((MSGS / 2)) >"$W/two.2"
	wait "$p1"
	l1=$(cat "$W/two.1") l2=$(cat "$W/two.2")
	secs=$(awk -v a="$(field "$l1" secs)" -v b="$(field "$l2" secs)" 'BEGIN { print (a > b ? a : b) }')
	msgs=$(($(field "$l1" msgs) + $(field "$l2" msgs)))
	p99=$(awk -v a="$(field "$l1" p99_ms)" -v b="$(field "$l2" p99_ms)" 'BEGIN { print (a > b ? a : b) }')
	put "postdesk, PostgreSQL, 2 lmtpd, $s" "rate=$(awk -v m="$msgs" -v s="$secs" 'BEGIN { printf "%.0f", m / s }') p50_ms=- p99_ms=$p99"
	pd_stop lmtpd-pg1
	pd_stop lmtpd-pg2

	rm -rf "$D/mail/bench"
	put "Dovecot LMTP (Maildir, fsync), $s" "$(lat "$D/lmtp.sock" bench@bench.test "$s" "$MSGS")"
done
pd_stop dovecot
pd_pg_stop
cat "$W/table"
