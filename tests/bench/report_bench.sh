#!/bin/bash
# report_bench.sh: time `postdesk report --json` over N generated tickets (default 100,000;
# target: under 1 s at 10^6, with peak memory like at 10^3). The history is generated inside
# SQLite (report_gen.sql) in a temporary directory, as a build before the report's figures
# were kept would have stored it (the schema below the report's migration), then migrated
# by `postdesk init`, as an upgrade does; the figures printed are the wall time of the
# report alone, best of 3, its CPU time (user + system, best of 3: what a loaded machine
# does not change) and its peak RSS (/usr/bin/time).
# Usage: [RAW=bytes] [OLD_POSTDESK=path] tests/bench/report_bench.sh [N]
#   RAW=2048: messages as big as mail stored through LMTP (raw 2-4 KB, body 1 KB each);
#   OLD_POSTDESK: a postdesk built before that migration, timed on the same history before
#   it is migrated (the "before" figure). BUILDDIR=... if not run from the build tree.
# Needs sqlite3 and jq. Results go to doc/benchmarks.md by hand.
set -eu
N=${1:-100000}
RAW=${RAW:-0}
OLD=${OLD_POSTDESK:-}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILDDIR:-${top_builddir:-$PWD}}
PD=$BUILD/src/bin/postdesk
[ -x "$PD" ] || { echo "report_bench: $PD not built (set BUILDDIR)" >&2; exit 77; }
[ -x /usr/bin/time ] || { echo "report_bench: SKIP: no /usr/bin/time" >&2; exit 77; }
for cmd in sqlite3 jq; do
	command -v $cmd >/dev/null || { echo "report_bench: SKIP: no $cmd" >&2; exit 77; }
done
T=$(mktemp -d /tmp/report-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat >"$T/postdesk.conf" <<CONF
[postdesk]
database = $T/postdesk.db
key_file = $T/postdesk.key
domain = support.test
template_dir = $SRC/templates/en
[queue support]
address = support@support.test
first_response_target = 8h
business_hours = mon-fri 09:00-17:00
timezone = Europe/Berlin
[queue sales]
address = sales@support.test
first_response_target = 1d
CONF
"$PD" -c "$T/postdesk.conf" init >/dev/null
start=$(date +%s.%N)
latest=$(($("$SRC/tests/bench/report_history.sh" "$T/postdesk.db" "$N" "$RAW") + 1))
gen=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
echo "generated $N tickets, $(sqlite3 "$T/postdesk.db" 'SELECT count(*) FROM messages') messages, $(sqlite3 "$T/postdesk.db" 'SELECT count(*) FROM events') events in ${gen}s; database $(($(stat -c %s "$T/postdesk.db") / 1048576)) MB"

# Best wall time of 3 runs of the report by binary $1, and the largest peak RSS.
bench() {
	local best= cpu= rss=0 run t m u s
	for run in 1 2 3; do
		/usr/bin/time -f '%e %M %U %S' -o "$T/time" "$1" -c "$T/postdesk.conf" report --json \
			--since 2025-12-01 --until 2026-05-01 >"$T/out.json"
		read -r t m u s <"$T/time"
		best=$(awk -v t="$t" -v b="${best:-1e9}" 'BEGIN { print (t < b) ? t : b }')
		cpu=$(awk -v t="$u" -v s="$s" -v b="${cpu:-1e9}" 'BEGIN { print (t + s < b) ? t + s : b }')
		[ "$m" -gt "$rss" ] && rss=$m
	done
	created=$(jq .total.created "$T/out.json")
	[ "$created" = "$N" ] || { echo "report_bench: created = $created, expected $N" >&2; exit 1; }
	echo "$2 report --json over $N tickets: best of 3 = ${best}s (CPU ${cpu}s), peak RSS $((rss / 1024)) MB (FRT median $(jq .total.first_response.median "$T/out.json")s, CSAT $(jq .total.csat_pct "$T/out.json")%)"
}
if [ -n "$OLD" ]; then
	bench "$OLD" "before:"
	cp "$T/out.json" "$T/old.json"
fi
start=$(date +%s.%N)
"$PD" -c "$T/postdesk.conf" init >/dev/null
echo "migration $latest (the report's figures) over $N tickets: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')s"
bench "$PD" "after:"
# The same figures: durations within the histograms' bound, every count equal.
if [ -n "$OLD" ]; then
	strip='del(.total.first_response, .total.reply, .total.resolution)'
	[ "$(jq -S "$strip" "$T/old.json")" = "$(jq -S "$strip" "$T/out.json")" ] ||
		{ echo "report_bench: the figures differ from the old report's" >&2; exit 1; }
	echo "same counts as before; durations before/after: $(jq -c '[.total.first_response, .total.reply, .total.resolution] | map([.median, .p90])' "$T/old.json") / $(jq -c '[.total.first_response, .total.reply, .total.resolution] | map([.median, .p90])' "$T/out.json")"
fi
