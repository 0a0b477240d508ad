#!/bin/bash
# report_bench.sh: time `postdesk report --json` over N generated tickets (default 100,000;
# target: under 2 s). The history is generated inside SQLite (report_gen.sql) in a
# temporary directory; the figure printed is the wall time of the report alone, best of 3.
# Usage: tests/bench/report_bench.sh [N]   (BUILDDIR=... if not run from the build tree)
# Needs sqlite3 and jq. Results go to doc/benchmarks.md by hand.
set -eu
N=${1:-100000}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILDDIR:-${top_builddir:-$PWD}}
PD=$BUILD/src/bin/postdesk
[ -x "$PD" ] || { echo "report_bench: $PD not built (set BUILDDIR)" >&2; exit 77; }
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
{ echo "CREATE TEMP TABLE gen(n); INSERT INTO gen VALUES($N);"; cat "$SRC/tests/bench/report_gen.sql"; } |
	sqlite3 "$T/postdesk.db"
gen=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
echo "generated $N tickets, $(sqlite3 "$T/postdesk.db" 'SELECT count(*) FROM messages') messages, $(sqlite3 "$T/postdesk.db" 'SELECT count(*) FROM events') events in ${gen}s"
best=
for run in 1 2 3; do
	start=$(date +%s.%N)
	"$PD" -c "$T/postdesk.conf" report --json --since 2025-12-01 --until 2026-05-01 >"$T/out.json"
	t=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
	best=$(awk -v t="$t" -v b="${best:-1e9}" 'BEGIN { print (t < b) ? t : b }')
done
created=$(jq .total.created "$T/out.json")
[ "$created" = "$N" ] || { echo "report_bench: created = $created, expected $N" >&2; exit 1; }
echo "report --json over $N tickets: best of 3 = ${best}s (FRT median $(jq .total.first_response.median "$T/out.json")s, CSAT $(jq .total.csat_pct "$T/out.json")%)"
