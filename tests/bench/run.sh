#!/bin/bash
# tests/bench/run.sh: the issue 8-10 benchmarks (doc/benchmarks.md). Not part of make check.
#   sudo tests/bench/run.sh [BUILDDIR]     (BUILDDIR: a configured, built tree; default .)
# Durable LMTP throughput with smtp-source -L (1, 10, 20 sessions; 2 KB and 50 KB) against
# postdesk-lmtpd, Dovecot's LMTP (Maildir, mail_fsync = always) and smtp-sink (the upper
# bound), in one run; p50/p99 final-dot-to-250 latency (tests/bench/lmtp_lat.c); the
# lmtpd's peak RSS; threading cost at 10^3 and 10^6 stored tickets and the heavy-HTML
# parse time (tests/bench/thread_bench.c). Installs what it needs (Dovecot, as root),
# stops everything it started by PID, removes its temp dir, prints one summary table.
# Env: BENCH_MSGS (messages per throughput run, default 2000), BENCH_BIG (tickets of the
# large threading database, default 1000000), PD_DAEMON_USER (default nobody).
[ -z "${BASH_VERSION:-}" ] && exec /bin/bash "$0" "$@"
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-.}" && pwd)
MSGS=${BENCH_MSGS:-2000}
BIG=${BENCH_BIG:-1000000}
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
for c in smtp-source smtp-sink sqlite3 gcc pkg-config; do
	command -v "$c" >/dev/null || die "'$c' missing (contrib/install-deps.sh)"
done

W=$(mktemp -d /tmp/postdesk-bench.XXXXXX) || exit 1
chmod 0755 "$W"
declare -a PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bg() { "$@" </dev/null >>"$W/$(basename "$1").log" 2>&1 & PIDS+=("$!"); }
wait_sock() { for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.1; done; die "no socket $1"; }

# ---- the helper programs, built here against BUILD (kept out of make check)
mkprint() { make -s -C "$BUILD" -f Makefile -f - pd-bench-print <<<"pd-bench-print: ; @echo $1"; }
gcc -O2 -pthread -o "$W/lmtp_lat" "$SRC/tests/bench/lmtp_lat.c" || die "lmtp_lat build failed"
LIBS=""
for m in ingest survey report thread notify store parse token conf lib; do
	LIBS="$LIBS $BUILD/src/$m/lib$m.a"
done
# shellcheck disable=SC2046,SC2086 # word splitting of flag lists is intended
(cd "$BUILD" && gcc -O2 $(mkprint '$(AM_CPPFLAGS) $(GMIME_CFLAGS) $(GLIB_CFLAGS) $(SQLITE_CFLAGS)') \
	-o "$W/thread_bench" "$SRC/tests/bench/thread_bench.c" $LIBS $(mkprint '$(DEP_LIBS)')) ||
	die "thread_bench build failed"

# ---- postdesk
P=$W/postdesk
mkdir -p "$P"
cat >"$P/postdesk.conf" <<EOF
[postdesk]
domain = support.test
user = $USR
database = $P/db/postdesk.db
key_file = $P/db/postdesk.key
lmtp_listen = unix:$P/lmtp.sock
template_dir = $SRC/templates/en
log_level = warn
[queue support]
address = support@support.test
EOF
export POSTDESK_TEMPLATES=$SRC/templates/en
"$BUILD/src/bin/postdesk" -c "$P/postdesk.conf" init >/dev/null || die "postdesk init failed"
bg "$BUILD/src/bin/postdesk-lmtpd" -c "$P/postdesk.conf" -f
LMTPD_PID=${PIDS[-1]}
wait_sock "$P/lmtp.sock"

# ---- Dovecot LMTP, sandboxed: own config, base_dir, unix listener; Maildir with fsync
D=$W/dovecot
mkdir -p "$D/run" "$D/mail"
chown "$USR" "$D/mail"
echo "bench:{PLAIN}x:$(id -u "$USR"):$(id -g "$USR")::$D/mail/bench::" >"$D/users"
cat >"$D/dovecot.conf" <<EOF
base_dir = $D/run
state_dir = $D/run
instance_name = postdesk-bench
protocols = lmtp
ssl = no
log_path = $D/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_fsync = always
auth_username_format = %n
passdb {
  driver = passwd-file
  args = $D/users
}
userdb {
  driver = passwd-file
  args = $D/users
}
service lmtp {
  unix_listener $D/lmtp.sock {
    mode = 0666
  }
}
EOF
bg dovecot -F -c "$D/dovecot.conf"
wait_sock "$D/lmtp.sock"

# ---- smtp-sink: no storage at all, the upper bound
bg smtp-sink -L -u postfix "unix:$W/sink.sock" 256
wait_sock "$W/sink.sock"

# Messages per second of smtp-source -L: SOCKET RCPT SESSIONS SIZE
rate() {
	local t0 t1 n=$MSGS
	[ "$4" -gt 10000 ] && n=$((MSGS / 2))
	t0=$(date +%s.%N)
	smtp-source -L -d -s "$3" -m "$n" -l "$4" -f bench@shop.example -t "$2" "unix:$1" \
		>>"$W/smtp-source.log" 2>&1 || say "smtp-source against $1 reported errors"
	t1=$(date +%s.%N)
	awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }'
}

declare -A R=()
for size in 2048 51200; do
	for s in 1 10 20; do
		R[pd,$s,$size]=$(rate "$P/lmtp.sock" support@support.test "$s" "$size")
		R[dc,$s,$size]=$(rate "$D/lmtp.sock" bench@bench.test "$s" "$size")
		R[sk,$s,$size]=$(rate "$W/sink.sock" x@sink.test "$s" "$size")
		say "$s sessions, $size B: postdesk ${R[pd,$s,$size]}/s, dovecot ${R[dc,$s,$size]}/s, sink ${R[sk,$s,$size]}/s"
	done
done
LAT_PD=$("$W/lmtp_lat" "$P/lmtp.sock" support@support.test 10 200 2048)
LAT_DC=$("$W/lmtp_lat" "$D/lmtp.sock" bench@bench.test 10 200 2048)
HWM=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$LMTPD_PID/status")
STORED=$(sqlite3 "$P/db/postdesk.db" "SELECT count(*) FROM messages WHERE direction = 'in'")
DC_STORED=$(find "$D/mail/bench/Maildir" -type f -path '*/new/*' | wc -l)

# ---- threading cost: databases of N tickets made with SQL, then N replies in-process
fill() { # DIR TICKETS
	local dir=$1 n=$2
	mkdir -p "$dir"
	sed -e "s#$P/#$dir/#g" -e "/^lmtp_listen/d" "$P/postdesk.conf" >"$dir/postdesk.conf"
	"$BUILD/src/bin/postdesk" -c "$dir/postdesk.conf" init >/dev/null || die "init $dir"
	sqlite3 "$dir/db/postdesk.db" >/dev/null <<SQL || die "filling $dir"
PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000)
INSERT INTO customers(id, email, name, created)
  SELECT i, 'cust' || i || '@shop.example', 'Customer ' || i, 1700000000 FROM c;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $n)
INSERT INTO tickets(id, queue, subject, requester_id, status, created, updated)
  SELECT i, 'support', 'Order ' || i, i % 1000 + 1, 'open', 1700000000 + i, 1700000000 + i FROM c;
INSERT INTO messages(ticket_id, direction, kind, message_id, rcpt, env_sender, from_addr,
                     subject, created, body, raw)
  SELECT id, 'in', 'customer', 'bench-' || id || '@shop.example', 'support@support.test',
         'cust' || requester_id || '@shop.example', 'cust' || requester_id || '@shop.example',
         subject, created, 'Where is my order?', x'' FROM tickets;
INSERT INTO participants(ticket_id, address, role)
  SELECT id, 'cust' || requester_id || '@shop.example', 'requester' FROM tickets;
INSERT INTO events(ticket_id, created, kind) SELECT id, created, 'created' FROM tickets;
COMMIT;
SQL
}
fill "$W/t3" 1000
T3=$("$W/thread_bench" thread "$W/t3/postdesk.conf" 1000 2000 2>>"$W/thread_bench.log") || die "thread_bench 10^3: $T3"
say "building the $BIG-ticket database"
fill "$W/t6" "$BIG"
T6=$("$W/thread_bench" thread "$W/t6/postdesk.conf" "$BIG" 2000 2>>"$W/thread_bench.log") || die "thread_bench big: $T6"
HTML=$("$W/thread_bench" html)

# ---- the summary table
field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<<"$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
{
	echo "postdesk benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM"
	echo "LMTP throughput (smtp-source -L -d, $MSGS msgs per 2 KB run, $((MSGS / 2)) per 50 KB run), msg/s:"
	printf '  %-10s %-8s %10s %10s %10s %12s %12s\n' size sessions postdesk dovecot smtp-sink pd/dovecot pd/sink
	for size in 2048 51200; do
		for s in 1 10 20; do
			printf '  %-10s %-8s %10s %10s %10s %12s %12s\n' "$((size / 1024)) KB" "$s" \
				"${R[pd,$s,$size]}" "${R[dc,$s,$size]}" "${R[sk,$s,$size]}" \
				"$(ratio "${R[pd,$s,$size]}" "${R[dc,$s,$size]}")" \
				"$(ratio "${R[pd,$s,$size]}" "${R[sk,$s,$size]}")"
		done
	done
	echo "Latency final dot -> 250 (lmtp_lat, 10 sessions x 200 msgs, 2 KB):"
	printf '  %-10s %10s %10s %10s %10s\n' server msg/s p50_ms p99_ms max_ms
	printf '  %-10s %10s %10s %10s %10s\n' postdesk "$(field "$LAT_PD" rate)" \
		"$(field "$LAT_PD" p50_ms)" "$(field "$LAT_PD" p99_ms)" "$(field "$LAT_PD" max_ms)"
	printf '  %-10s %10s %10s %10s %10s\n' dovecot "$(field "$LAT_DC" rate)" \
		"$(field "$LAT_DC" p50_ms)" "$(field "$LAT_DC" p99_ms)" "$(field "$LAT_DC" max_ms)"
	echo "postdesk-lmtpd peak RSS (VmHWM) after all runs: $HWM MB ($STORED messages stored; Dovecot stored $DC_STORED)"
	echo "Threading + storing one reply (delivery_apply, In-Reply-To a random ticket), us:"
	printf '  %-10s %10s %10s %10s\n' tickets p50 p99 threaded
	printf '  %-10s %10s %10s %10s\n' 1000 "$(field "$T3" apply_p50_us)" \
		"$(field "$T3" apply_p99_us)" "$(field "$T3" threaded)/$(field "$T3" n)"
	printf '  %-10s %10s %10s %10s\n' "$BIG" "$(field "$T6" apply_p50_us)" \
		"$(field "$T6" apply_p99_us)" "$(field "$T6" threaded)/$(field "$T6" n)"
	echo "  growth (p50): $(ratio "$(field "$T6" apply_p50_us)" "$(field "$T3" apply_p50_us)")x"
	echo "Heavy-HTML message ($(field "$HTML" html_bytes) bytes) parse, median of 7: $(field "$HTML" parse_us) us"
} | tee "$W/summary.txt"
