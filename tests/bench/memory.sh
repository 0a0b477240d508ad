#!/bin/bash
# tests/bench/memory.sh: postdesk-lmtpd's peak resident size (VmHWM) under the usual small
# load and under big messages (doc/benchmarks.md, "Bounded memory"). Not part of make check
# (tests/e2e/memory.sh asserts the 128 MB bound through Postfix there).
#   sudo tests/bench/memory.sh [BUILDDIR]
# Rows: 20 sessions of 2 KB messages (BENCH_MSGS in all, default 4000); 20 sessions of
# 24 MB messages (BENCH_BIG_MSGS in all, default 40). A fresh database and lmtpd per row;
# lmtp_lat (tests/bench/lmtp_lat.c) is the client. Prints one line per row.
[ -z "${BASH_VERSION:-}" ] && exec /bin/bash "$0" "$@"
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-.}" && pwd)
USR=${PD_DAEMON_USER:-nobody}
die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (the daemon drops to $USR)"
[ -x "$BUILD/src/bin/postdesk-lmtpd" ] || die "$BUILD/src/bin/postdesk-lmtpd not built"
W=$(mktemp -d /tmp/postdesk-bench-mem.XXXXXX) || exit 1
chmod 0755 "$W"
PID=
cleanup() {
	[ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT
gcc -O2 -pthread -o "$W/lmtp_lat" "$SRC/tests/bench/lmtp_lat.c" || die "lmtp_lat build failed"
export POSTDESK_TEMPLATES=$SRC/templates/en

row() { # NAME SIZE SESSIONS MSGS
	local d=$W/$1 out hwm
	mkdir -p "$d/db" && chown "$USR" "$d/db"
	cat >"$d/postdesk.conf" <<CONF
[postdesk]
domain = support.test
user = $USR
database = $d/db/postdesk.db
key_file = $d/db/postdesk.key
lmtp_listen = unix:$d/lmtp.sock
log_level = warn
[queue support]
address = support@support.test
CONF
	"$BUILD/src/bin/postdesk" -c "$d/postdesk.conf" init >/dev/null || die "init $d"
	"$BUILD/src/bin/postdesk-lmtpd" -c "$d/postdesk.conf" -f </dev/null >>"$W/lmtpd.log" 2>&1 &
	PID=$!
	for _ in $(seq 200); do [ -S "$d/lmtp.sock" ] && break; sleep 0.05; done
	out=$("$W/lmtp_lat" "$d/lmtp.sock" support@support.test "$3" $(($4 / $3)) "$2" 1000 2>>"$W/lmtp_lat.log")
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$PID/status")
	kill -TERM "$PID" && wait "$PID" 2>/dev/null
	PID=
	printf '%-28s sessions=%-3s %s VmHWM_kB=%s\n' "$1" "$3" "$out" "$hwm"
}
row "2KB" 2048 20 "${BENCH_MSGS:-4000}"
row "24MB" $((24 * 1024 * 1024)) 20 "${BENCH_BIG_MSGS:-40}"
