#!/bin/bash
# tests/bench/ab.sh: A/B of durable LMTP throughput between two builds, in one run, so that
# a change is judged against the build before it on the same noisy machine at the same time.
#   sudo tests/bench/ab.sh BUILD_A BUILD_B [ROUNDS]
# BUILD_A/BUILD_B: configured, built trees (e.g. a worktree of the previous commit and this
# one). For every round, every row (sessions x size) is measured on A and on B, in an order
# that alternates between rounds, each on a fresh database with a freshly started lmtpd:
# order and history do not favour either side. Prints the median msg/s of each side per row
# and B/A. Env: AB_MSGS (messages per measurement, default 2000; half for 50 KB),
# AB_ROWS (default "1:2048 10:2048 20:2048 10:51200"), PD_DAEMON_USER (default nobody),
# AB_SENDERS (default 1: smtp-source, one sender; N > 1: tests/bench/lmtp_lat.c with N
# senders, so nearly every message is a new customer with an acknowledgement),
# AB_NOTIFYD=1 (the whole pipeline: postdesk-notifyd runs beside lmtpd and sends to an
# smtp-sink, and a measurement ends when every acknowledgement is composed and sent, not
# when the last 250 came: the figure of mail in and answers out, where work lmtpd leaves
# to notifyd is paid too).
[ -z "${BASH_VERSION:-}" ] && exec /bin/bash "$0" "$@"
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 2 ] || { echo "usage: $0 BUILD_A BUILD_B [ROUNDS]" >&2; exit 2; }
A=$(cd "$1" && pwd) B=$(cd "$2" && pwd)
ROUNDS=${3:-5}
MSGS=${AB_MSGS:-2000}
ROWS=${AB_ROWS:-"1:2048 10:2048 20:2048 10:51200"}
SENDERS=${AB_SENDERS:-1}
NOTIFYD=${AB_NOTIFYD:-0}
USR=${PD_DAEMON_USER:-nobody}
PATH=$PATH:/usr/sbin:/sbin
die() { echo "ab: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (the daemons drop to $USR)"
for b in "$A" "$B"; do
	[ -x "$b/src/bin/postdesk-lmtpd" ] || die "$b/src/bin/postdesk-lmtpd not built"
done
command -v smtp-source >/dev/null || die "smtp-source missing (contrib/install-deps.sh)"

W=$(mktemp -d /tmp/postdesk-ab.XXXXXX) || exit 1
chmod 0755 "$W"
if [ "$SENDERS" -gt 1 ]; then
	gcc -O2 -pthread -o "$W/lmtp_lat" "$SRC/tests/bench/lmtp_lat.c" || die "lmtp_lat build failed"
fi
PID= NPID= SINK= SINK_PORT=
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
stop() {
	stop_pid "$NPID"
	stop_pid "$PID"
	PID= NPID=
}
trap 'stop; stop_pid "$SINK"; rm -rf "$W"' EXIT
if [ "$NOTIFYD" = 1 ]; then
	command -v smtp-sink >/dev/null || die "smtp-sink missing"
	SINK_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	smtp-sink -u "$USR" "127.0.0.1:$SINK_PORT" 1000 </dev/null >/dev/null 2>&1 &
	SINK=$!
fi
# outbox rows not sent yet, and acknowledgements not composed yet where the build holds them
unsent_all() {
	local n h
	n=$(runuser -u "$USR" -- sqlite3 -cmd '.timeout 5000' "$W/run/db/postdesk.db" \
		"SELECT count(*) FROM outbox WHERE status = 'queued'")
	h=$(runuser -u "$USR" -- sqlite3 -cmd '.timeout 5000' "$W/run/db/postdesk.db" \
		"SELECT count(*) FROM held_acks" 2>/dev/null || echo 0)
	echo $((n + ${h:-0}))
}
trap 'exit 130' INT TERM

# Start BUILD's lmtpd on a fresh database in $W/run.
start() {
	local build=$1 d=$W/run
	rm -rf "$d" && mkdir -p "$d/db" && chown "$USR" "$d/db"
	cat >"$d/postdesk.conf" <<EOF
[postdesk]
domain = support.test
user = $USR
database = $d/db/postdesk.db
key_file = $d/db/postdesk.key
lmtp_listen = unix:$d/lmtp.sock
template_dir = $SRC/templates/en
log_level = warn
${SINK_PORT:+relay = 127.0.0.1:$SINK_PORT}
[queue support]
address = support@support.test
EOF
	POSTDESK_TEMPLATES=$SRC/templates/en "$build/src/bin/postdesk" -c "$d/postdesk.conf" init \
		>/dev/null || die "init ($build)"
	POSTDESK_TEMPLATES=$SRC/templates/en "$build/src/bin/postdesk-lmtpd" -c "$d/postdesk.conf" \
		-f </dev/null >>"$W/lmtpd.log" 2>&1 &
	PID=$!
	for _ in $(seq 100); do [ -S "$d/lmtp.sock" ] && break; sleep 0.05; done
	[ -S "$d/lmtp.sock" ] || die "lmtpd ($build) did not start"
	[ "$NOTIFYD" = 1 ] || return 0
	POSTDESK_TEMPLATES=$SRC/templates/en "$build/src/bin/postdesk-notifyd" -c "$d/postdesk.conf" \
		-f </dev/null >>"$W/notifyd.log" 2>&1 &
	NPID=$!
}

# msg/s of one measurement: BUILD SESSIONS SIZE
measure() {
	local n=$MSGS t0 t1
	[ "$3" -gt 10000 ] && n=$((MSGS / 2))
	start "$1"
	t0=$(date +%s.%N)
	if [ "$SENDERS" -gt 1 ]; then
		"$W/lmtp_lat" "$W/run/lmtp.sock" support@support.test "$2" $((n / $2)) "$3" \
			"$SENDERS" >>"$W/lmtp_lat.log" 2>&1 || echo "ab: lmtp_lat reported errors ($1)" >&2
		n=$((n / $2 * $2))
	else
		smtp-source -L -d -s "$2" -m "$n" -l "$3" -f bench@shop.example \
			-t support@support.test "unix:$W/run/lmtp.sock" >>"$W/smtp-source.log" 2>&1 ||
			echo "ab: smtp-source reported errors ($1)" >&2
	fi
	if [ "$NOTIFYD" = 1 ]; then # until every answer is out
		for _ in $(seq 600); do [ "$(unsent_all)" = 0 ] && break; sleep 0.1; done
		[ "$(unsent_all)" = 0 ] || echo "ab: answers still unsent after 60 s ($1): see $W/notifyd.log" >&2
	fi
	t1=$(date +%s.%N)
	stop
	awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }'
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A RES=()
for r in $(seq "$ROUNDS"); do
	for row in $ROWS; do
		s=${row%%:*} size=${row##*:}
		if [ $((r % 2)) = 1 ]; then order="A B"; else order="B A"; fi
		for side in $order; do
			if [ "$side" = A ]; then build=$A; else build=$B; fi
			RES[$side,$row]="${RES[$side,$row]:-} $(measure "$build" "$s" "$size")"
		done
	done
	echo "ab: round $r of $ROUNDS done" >&2
done

echo "A = $A"
echo "B = $B"
label="LMTP throughput"
[ "$NOTIFYD" = 1 ] && label="Whole pipeline (every answer sent)"
echo "$label, msg/s, median of $ROUNDS (fresh database each; $MSGS msgs per 2 KB run):"
printf '  %-8s %-8s %8s %8s %8s   %s\n' sessions size A B B/A "all A | all B"
for row in $ROWS; do
	s=${row%%:*} size=${row##*:}
	ma=$(median <<<"${RES[A,$row]}") mb=$(median <<<"${RES[B,$row]}")
	printf '  %-8s %-8s %8s %8s %8s   %s |%s\n' "$s" "$((size / 1024)) KB" "$ma" "$mb" \
		"$(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.2f", b / a }')" \
		"${RES[A,$row]}" "${RES[B,$row]}"
done
