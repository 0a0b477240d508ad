#!/bin/bash
# tests/bench/run.sh: the benchmarks of doc/benchmarks.md. Not part of make check.
#   sudo tests/bench/run.sh [BUILDDIR]     (BUILDDIR: a configured, built tree; default .)
# In one run, on one machine:
#  1. durable LMTP throughput and final-dot-to-250 latency (tests/bench/lmtp_lat.c, the same
#     client for every server) at 1, 10 and 20 sessions, 2 KB and 50 KB, against
#     postdesk-lmtpd (many senders; a fresh database and lmtpd for every row, so no row pays
#     for the history of the rows before it), Dovecot's LMTP (Maildir, mail_fsync = always)
#     and smtp-sink (no storage: the upper bound); plus postdesk with every message from ONE
#     sender (a shop's contact form);
#  2. what a 2 KB message costs the disk: bytes lmtpd wrote per message (/proc/PID/io: WAL,
#     checkpoints, everything) and bytes of database per message after a TRUNCATE checkpoint;
#     the largest WAL seen while that row ran;
#  3. per-message cost from one sender as its history grows: deliver_apply of a new ticket
#     from bench@shop.example (tests/bench/thread_bench.c) on databases where that sender
#     already has 10^3, 10^5 and BENCH_BIG tickets, and LMTP msg/s on the same databases;
#  4. threading a reply (In-Reply-To a random ticket) at 10^3 and BENCH_BIG tickets;
#  5. an LMTP fill of BENCH_FILL messages (10 sessions, many senders) with the WAL sampled
#     every 0.2 s (its largest size is the figure), then `postdesk tickets --limit 50` and
#     `postdesk report --json` on that database and on one of 10^3 tickets (median time and
#     peak RSS, tests/bench/cmdstat.py).
# Installs what it needs (Dovecot, as root), stops everything it started by PID, removes its
# temp dir (BENCH_KEEP=1 keeps it), prints one summary table.
# Env: BENCH_MSGS (messages per throughput run, default 4000; half for 50 KB), BENCH_BIG
# (default 1000000), BENCH_FILL (default 100000), PD_DAEMON_USER (default nobody).
[ -z "${BASH_VERSION:-}" ] && exec /bin/bash "$0" "$@"
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-.}" && pwd)
MSGS=${BENCH_MSGS:-4000}
BIG=${BENCH_BIG:-1000000}
FILL=${BENCH_FILL:-100000}
USR=${PD_DAEMON_USER:-nobody}
PATH=$PATH:/usr/sbin:/sbin
die() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

[ "$(id -u)" = 0 ] || die "run as root (installs packages, starts Dovecot and the daemons)"
[ -x "$BUILD/src/bin/postdesk-lmtpd" ] || die "$BUILD/src/bin/postdesk-lmtpd not built"
if ! command -v dovecot >/dev/null || [ ! -x /usr/lib/dovecot/lmtp ]; then
	say "installing dovecot-core dovecot-lmtpd"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q \
		install --no-install-recommends dovecot-core dovecot-lmtpd >/dev/null ||
		die "apt-get install dovecot-core dovecot-lmtpd failed"
fi
for c in smtp-sink sqlite3 gcc pkg-config python3; do
	command -v "$c" >/dev/null || die "'$c' missing (contrib/install-deps.sh)"
done

W=$(mktemp -d /tmp/postdesk-bench.XXXXXX) || exit 1
chmod 0755 "$W"
declare -a PIDS=()
stop_pid() {
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	local p
	for p in "${PIDS[@]}"; do stop_pid "$p"; done
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bg() { "$@" </dev/null >>"$W/$(basename "$1").log" 2>&1 & PIDS+=("$!"); }
wait_sock() { for _ in $(seq 200); do [ -S "$1" ] && return 0; sleep 0.05; done; die "no socket $1"; }
field() { sed -n "s/.*\b$2=\([0-9.]*\).*/\1/p" <<<"$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
as_user() { runuser -u "$USR" -- "$@"; }

# ---- the helper programs, built here against BUILD (kept out of make check)
mkprint() { make -s -C "$BUILD" -f Makefile -f - pd-bench-print <<<"pd-bench-print: ; @echo $1"; }
gcc -O2 -pthread -o "$W/lmtp_lat" "$SRC/tests/bench/lmtp_lat.c" || die "lmtp_lat build failed"
LIBS=""
for m in deliver survey report outbox compose thread kb store parse token conf lib; do
	LIBS="$LIBS $BUILD/src/$m/lib$m.a"
done
# shellcheck disable=SC2046,SC2086 # word splitting of flag lists is intended
(cd "$BUILD" && gcc -O2 $(mkprint '$(AM_CPPFLAGS) $(GMIME_CFLAGS) $(GLIB_CFLAGS) $(SQLITE_CFLAGS)') \
	-o "$W/thread_bench" "$SRC/tests/bench/thread_bench.c" $LIBS $(mkprint '$(DEP_LIBS)')) ||
	die "thread_bench build failed"
export POSTDESK_TEMPLATES=$SRC/templates/en

# ---- postdesk: a directory with its own config and database
pd_dir() { # DIR
	local d=$1
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
[queue support]
address = support@support.test
EOF
	"$BUILD/src/bin/postdesk" -c "$d/postdesk.conf" init >/dev/null || die "init $d"
	chown -R "$USR" "$d/db"
}
PD_PID=
pd_start() { # DIR
	"$BUILD/src/bin/postdesk-lmtpd" -c "$1/postdesk.conf" -f </dev/null >>"$W/lmtpd.log" 2>&1 &
	PD_PID=$!
	PIDS+=("$PD_PID")
	wait_sock "$1/lmtp.sock"
}
pd_stop() { stop_pid "$PD_PID"; PD_PID=; }

# ---- Dovecot LMTP, sandboxed: own config, base_dir, unix listener; Maildir with fsync
D=$W/dovecot
. "$SRC/tests/bench/dovecot_lmtp.sh"
dovecot_lmtp_conf "$D" "$USR" postdesk-bench
bg dovecot -F -c "$D/dovecot.conf"
wait_sock "$D/lmtp.sock"

# ---- smtp-sink: no storage at all, the upper bound
bg smtp-sink -L -u postfix "unix:$W/sink.sock" 256
wait_sock "$W/sink.sock"

# lmtp_lat's line for SOCKET RCPT SESSIONS SIZE [SENDERS]; MSGS in all (half for 50 KB)
lat() {
	local n=$MSGS
	[ "$4" -gt 10000 ] && n=$((MSGS / 2))
	"$W/lmtp_lat" "$1" "$2" "$3" $((n / $3)) "$4" ${5:+"$5"} 2>>"$W/lmtp_lat.log" ||
		say "lmtp_lat against $1 reported failures"
}
# Largest size of FILE seen until the process PID ends; written to OUT.
sample_max() { # FILE PID OUT
	local max=0 s
	while kill -0 "$2" 2>/dev/null; do
		s=$(stat -c %s "$1" 2>/dev/null || echo 0)
		[ "$s" -gt "$max" ] && max=$s
		sleep 0.2
	done
	echo "$max" >"$3"
}
write_bytes() { awk '/^write_bytes:/ { print $2 }' "/proc/$1/io"; }

# ---- 1 + 2: throughput, latency, disk cost
declare -A R=()
for size in 2048 51200; do
	for s in 1 10 20; do
		pd_dir "$W/row"
		pd_start "$W/row"
		wb0=$(write_bytes "$PD_PID")
		( sample_max "$W/row/db/postdesk.db-wal" "$PD_PID" "$W/wal.max" ) &
		SAMPLER=$!
		R[pd,$s,$size]=$(lat "$W/row/lmtp.sock" support@support.test "$s" "$size" 100000)
		wb1=$(write_bytes "$PD_PID")
		pd_stop
		wait "$SAMPLER"
		if [ "$s" = 10 ] && [ "$size" = 2048 ]; then
			n=$(field "${R[pd,$s,$size]}" msgs)
			as_user sqlite3 "$W/row/db/postdesk.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
			DB_BYTES=$(stat -c %s "$W/row/db/postdesk.db")
			PER_MSG_DISK=$((DB_BYTES / n))
			PER_MSG_WRITTEN=$(((wb1 - wb0) / n))
			WAL_ROW_MAX=$(cat "$W/wal.max")
		fi
		rm -rf "$D/mail/bench"
		R[dc,$s,$size]=$(lat "$D/lmtp.sock" bench@bench.test "$s" "$size" 100000)
		R[sk,$s,$size]=$(lat "$W/sink.sock" x@sink.test "$s" "$size" 100000)
		say "$s sessions, $size B: postdesk $(field "${R[pd,$s,$size]}" rate)/s," \
			"dovecot $(field "${R[dc,$s,$size]}" rate)/s, sink $(field "${R[sk,$s,$size]}" rate)/s"
	done
done
pd_dir "$W/row"
pd_start "$W/row"
ONE=$(lat "$W/row/lmtp.sock" support@support.test 10 2048 1)
pd_stop
rm -rf "$D/mail/bench"

# ---- 3 + 4: databases of N tickets made with SQL
fill() { # DIR TICKETS CUSTOMERS: ticket i's requester is customer i % CUSTOMERS + 1
	local dir=$1 n=$2 nc=$3
	pd_dir "$dir"
	as_user sqlite3 "$dir/db/postdesk.db" >/dev/null <<SQL || die "filling $dir"
PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $nc)
INSERT INTO customers(id, email, name, created)
  SELECT i, CASE WHEN $nc = 1 THEN 'bench@shop.example' ELSE 'cust' || i || '@shop.example' END,
         'Customer ' || i, 1700000000 FROM c;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $n)
INSERT INTO tickets(id, queue, subject, requester_id, status, created, updated)
  SELECT i, 'support', 'Order ' || i, i % $nc + 1, 'open', 1700000000 + i, 1700000000 + i FROM c;
INSERT INTO messages(ticket_id, direction, kind, message_id, rcpt, env_sender, from_addr,
                     subject, created, body, raw)
  SELECT t.id, 'in', 'customer', 'bench-' || t.id || '@shop.example', 'support@support.test',
         c.email, c.email, t.subject, t.created, 'Where is my order?', x''
  FROM tickets t JOIN customers c ON c.id = t.requester_id;
INSERT INTO participants(ticket_id, address, role)
  SELECT t.id, c.email, 'requester' FROM tickets t JOIN customers c ON c.id = t.requester_id;
INSERT INTO events(ticket_id, created, kind) SELECT id, created, 'created' FROM tickets;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
}
declare -A G=()
for n in 1000 100000 "$BIG"; do
	say "one sender with $n tickets"
	fill "$W/g$n" "$n" 1
	G[apply,$n]=$(as_user "$W/thread_bench" new "$W/g$n/postdesk.conf" 2000 2>>"$W/thread_bench.log") ||
		die "thread_bench new at $n: ${G[apply,$n]}"
	pd_start "$W/g$n"
	G[lmtp,$n]=$(lat "$W/g$n/lmtp.sock" support@support.test 10 2048 1)
	pd_stop
	[ "$n" = 1000 ] || [ "$n" = "$BIG" ] || rm -rf "$W/g$n"
done
fill "$W/t3" 1000 1000
T3=$(as_user "$W/thread_bench" thread "$W/t3/postdesk.conf" 1000 2000 2>>"$W/thread_bench.log") ||
	die "thread_bench 10^3: $T3"
rm -rf "$W/t3"
fill "$W/t6" "$BIG" 1000
T6=$(as_user "$W/thread_bench" thread "$W/t6/postdesk.conf" "$BIG" 2000 2>>"$W/thread_bench.log") ||
	die "thread_bench big: $T6"
rm -rf "$W/t6"
HTML=$("$W/thread_bench" html)

# ---- 5: a long LMTP fill with the WAL watched, then listings and the report
say "filling $FILL messages over LMTP"
pd_dir "$W/fill"
pd_start "$W/fill"
( sample_max "$W/fill/db/postdesk.db-wal" "$PD_PID" "$W/fill.walmax" ) &
SAMPLER=$!
FILLED=$("$W/lmtp_lat" "$W/fill/lmtp.sock" support@support.test 10 $((FILL / 10)) 2048 100000 \
	2>>"$W/lmtp_lat.log")
# A crash at the end of the fill: the next open replays whatever the WAL holds.
kill -KILL "$PD_PID"
wait "$PD_PID" 2>/dev/null
PD_PID=
wait "$SAMPLER"
WAL_FILL_MAX=$(cat "$W/fill.walmax")
WAL_AT_CRASH=$(stat -c %s "$W/fill/db/postdesk.db-wal" 2>/dev/null || echo 0)
RECOVERY=$(as_user python3 "$SRC/tests/bench/cmdstat.py" 1 "$BUILD/src/bin/postdesk" \
	-c "$W/fill/postdesk.conf" tickets --limit 1)
listing() { # DIR: tickets --limit 50 and report --json, as the daemon user
	echo "$(as_user python3 "$SRC/tests/bench/cmdstat.py" 5 "$BUILD/src/bin/postdesk" \
		-c "$1/postdesk.conf" tickets --limit 50) $(as_user python3 \
		"$SRC/tests/bench/cmdstat.py" 3 "$BUILD/src/bin/postdesk" -c "$1/postdesk.conf" \
		report --json | sed 's/secs=/rsecs=/; s/maxrss_mb=/rrss_mb=/')"
}
L_SMALL=$(listing "$W/g1000")
L_FILL=$(listing "$W/fill")
L_BIG=$(listing "$W/g$BIG")

# ---- the summary table
{
	echo "postdesk benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM"
	echo "LMTP throughput (lmtp_lat, $MSGS msgs per 2 KB row, $((MSGS / 2)) per 50 KB row; postdesk: fresh database per row, 100000 senders), msg/s and ms:"
	printf '  %-6s %-4s %9s %9s %9s %8s %8s %8s %8s %8s %8s\n' size sess postdesk dovecot smtp-sink \
		pd/dc pd/sink pd_p50 pd_p99 dc_p50 dc_p99
	for size in 2048 51200; do
		for s in 1 10 20; do
			printf '  %-6s %-4s %9s %9s %9s %8s %8s %8s %8s %8s %8s\n' "$((size / 1024))KB" "$s" \
				"$(field "${R[pd,$s,$size]}" rate)" "$(field "${R[dc,$s,$size]}" rate)" \
				"$(field "${R[sk,$s,$size]}" rate)" \
				"$(ratio "$(field "${R[pd,$s,$size]}" rate)" "$(field "${R[dc,$s,$size]}" rate)")" \
				"$(ratio "$(field "${R[pd,$s,$size]}" rate)" "$(field "${R[sk,$s,$size]}" rate)")" \
				"$(field "${R[pd,$s,$size]}" p50_ms)" "$(field "${R[pd,$s,$size]}" p99_ms)" \
				"$(field "${R[dc,$s,$size]}" p50_ms)" "$(field "${R[dc,$s,$size]}" p99_ms)"
		done
	done
	echo "  one sender, 10 sessions, 2 KB: $(field "$ONE" rate) msg/s, p50 $(field "$ONE" p50_ms) ms, p99 $(field "$ONE" p99_ms) ms"
	echo "Disk, 10 sessions x 2 KB row: $PER_MSG_WRITTEN bytes written by lmtpd per message (WAL + checkpoints), $PER_MSG_DISK bytes of database per message, largest WAL $((WAL_ROW_MAX / 1048576)) MB"
	echo "One sender's history (new ticket from bench@shop.example; deliver_apply us, in-process; LMTP msg/s, 10 sessions):"
	printf '  %-10s %10s %10s %10s\n' tickets apply_p50 apply_p99 lmtp_msg/s
	for n in 1000 100000 "$BIG"; do
		printf '  %-10s %10s %10s %10s\n' "$n" "$(field "${G[apply,$n]}" apply_p50_us)" \
			"$(field "${G[apply,$n]}" apply_p99_us)" "$(field "${G[lmtp,$n]}" rate)"
	done
	echo "  growth $BIG / 1000: apply p50 $(ratio "$(field "${G[apply,$BIG]}" apply_p50_us)" "$(field "${G[apply,1000]}" apply_p50_us)")x, LMTP time per message $(ratio "$(field "${G[lmtp,1000]}" rate)" "$(field "${G[lmtp,$BIG]}" rate)")x; $BIG / 100000: apply p50 $(ratio "$(field "${G[apply,$BIG]}" apply_p50_us)" "$(field "${G[apply,100000]}" apply_p50_us)")x"
	echo "Threading + storing one reply (deliver_apply, In-Reply-To a random ticket), us:"
	printf '  %-10s %10s %10s %10s\n' tickets p50 p99 threaded
	printf '  %-10s %10s %10s %10s\n' 1000 "$(field "$T3" apply_p50_us)" \
		"$(field "$T3" apply_p99_us)" "$(field "$T3" threaded)/$(field "$T3" n)"
	printf '  %-10s %10s %10s %10s\n' "$BIG" "$(field "$T6" apply_p50_us)" \
		"$(field "$T6" apply_p99_us)" "$(field "$T6" threaded)/$(field "$T6" n)"
	echo "  growth (p50): $(ratio "$(field "$T6" apply_p50_us)" "$(field "$T3" apply_p50_us)")x"
	echo "LMTP fill of $FILL messages (10 sessions, 2 KB): $(field "$FILLED" rate) msg/s, largest WAL $((WAL_FILL_MAX / 1048576)) MB"
	echo "  lmtpd killed (SIGKILL) at the end with $((WAL_AT_CRASH / 1048576)) MB of WAL: the next open (postdesk tickets --limit 1, recovery included) took $(field "$RECOVERY" secs) s"
	echo "Listings (median wall time, peak RSS):"
	printf '  %-22s %10s %10s %10s %10s\n' database tickets_s tickets_MB report_s report_MB
	for row in "1000 tickets:$L_SMALL" "$FILL (LMTP fill):$L_FILL" "$BIG tickets:$L_BIG"; do
		l=${row#*:}
		printf '  %-22s %10s %10s %10s %10s\n' "${row%%:*}" "$(field "$l" secs)" \
			"$(field "$l" maxrss_mb)" "$(field "$l" rsecs)" "$(field "$l" rrss_mb)"
	done
	echo "Heavy-HTML message ($(field "$HTML" html_bytes) bytes) parse, median of 7: $(field "$HTML" parse_us) us"
} | tee "$W/summary.txt"
