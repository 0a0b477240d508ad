#!/bin/bash
# report --html end to end: a small generated history (tests/bench/report_gen.sql, 300
# tickets) plus one ticket whose agent and subject are hostile markup, rendered by `postdesk
# report --html`, then loaded by headless Chromium (Debian's chromium package): the DOM
# must hold the four SVG charts and the escaped name, no injected element, and the
# screenshot must not be blank (png_colours.py counts its colours). Skips (77) without
# chromium, sqlite3 or /usr/bin/python3. No network: the page has no external resource.
# Stays on SQLite under PD_TEST_PG_URI (the suite against PostgreSQL, tests/e2e/lib.sh
# pd_db): its history is generated as a SQLite file by tests/bench/report_history.sh
# (sqlite3).
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
set -u
SRC=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${top_builddir:-$PWD}
PD=$BUILD/src/bin/postdesk
fail() { echo "report_html: FAIL: $*" >&2; exit 1; }
skip() { echo "report_html: SKIP: $*" >&2; exit 77; }
[ -x "$PD" ] || skip "$PD not built"
CHROMIUM=$(command -v chromium || command -v chromium-browser) || skip "no chromium"
command -v sqlite3 >/dev/null || skip "no sqlite3"
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3"
T=$(mktemp -d /tmp/report-html.XXXXXX)
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
[queue sales]
address = sales@support.test
CONF
"$PD" -c "$T/postdesk.conf" init >/dev/null || fail "postdesk init"
# The history as an older build stored it; init migrates it (the report's kept figures).
"$SRC/tests/bench/report_history.sh" "$T/postdesk.db" 300 >/dev/null &&
	echo "INSERT INTO tickets(id, queue, subject, requester_id, assignee, created, updated)
	      VALUES(301, 'support', '<img src=x onerror=alert(1)>', 1,
	             '<script>alert(1)</script>@evil', 1767225600 + 86400, 0);" |
	sqlite3 "$T/postdesk.db" && "$PD" -c "$T/postdesk.conf" init >/dev/null ||
	fail "generating the history"
"$PD" -c "$T/postdesk.conf" report --since 2026-01-01 --until 2026-04-01 --by agent \
	--html "$T/report.html" || fail "report --html"
grep -q '<script' "$T/report.html" && fail "unescaped <script> in the page"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;@evil' "$T/report.html" ||
	fail "the hostile agent name is not shown escaped"
grep -Eq '(src|href)="?(https?:)?//' "$T/report.html" && fail "the page loads something external"
# Issue 17: --by agent draws one bar per agent in each per-agent chart; the page fills the
# width (charts in a grid, each SVG scaled to its column); days in the queues' time zone.
agents=$("$PD" -c "$T/postdesk.conf" report --since 2026-01-01 --until 2026-04-01 --by agent --json |
	jq '.groups | length') || fail "report --json"
[ "$(grep -o 'Per agent' "$T/report.html" | wc -l)" = 1 ] || fail "no per-agent charts"
[ "$(grep -o '<span class="name">' "$T/report.html" | wc -l)" = $((agents * 4)) ] ||
	fail "per-agent charts: expected 4 x $agents bars"
grep -q '<span class="name">&lt;script&gt;alert(1)&lt;/script&gt;@evil</span>' "$T/report.html" ||
	fail "the hostile agent name is not escaped in the per-agent charts"
grep -q 'grid-template-columns:repeat(auto-fit' "$T/report.html" || fail "charts not in a width-filling grid"
grep -q '(UTC; days are this time zone' "$T/report.html" || fail "period not marked UTC"
sed 's/^business_hours = .*/&\ntimezone = Europe\/Paris/' "$T/postdesk.conf" >"$T/paris.conf"
"$PD" -c "$T/paris.conf" report --since 2026-01-01 --until 2026-04-01 --queue support \
	--html "$T/paris.html" || fail "report --html --queue support (Europe/Paris)"
grep -q '2026-01-01 01:00 &ndash; 2026-04-01 02:00 (Europe/Paris; days are this time zone' \
	"$T/paris.html" || fail "period not in the queue's time zone: $(grep -o '<div class="period">[^<]*' "$T/paris.html")"

chrome() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T/profile" "$@" "file://$T/report.html" 2>>"$T/chromium.log"
}
chrome --dump-dom >"$T/dom.html" || fail "chromium --dump-dom failed: $(tail -5 "$T/chromium.log")"
svgs=$(grep -o '<svg' "$T/dom.html" | wc -l)
[ "$svgs" = 4 ] || fail "rendered DOM has $svgs SVG charts, expected 4"
grep -q '<script' "$T/dom.html" && fail "a script element appeared in the rendered DOM"
grep -q 'Tickets created per day' "$T/dom.html" || fail "chart titles missing from the DOM"
chrome --screenshot="$T/shot.png" --window-size=1200,2000 --hide-scrollbars ||
	fail "chromium --screenshot failed: $(tail -5 "$T/chromium.log")"
[ -s "$T/shot.png" ] || fail "no screenshot"
n=$(/usr/bin/python3 "$SRC/tests/e2e/png_colours.py" "$T/shot.png") || fail "reading the PNG"
[ "$n" -ge 8 ] || fail "screenshot looks blank ($n colours)"
echo "report_html: ok ($svgs charts, $n colours in the screenshot)"
