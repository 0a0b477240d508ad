#!/bin/bash
# Flat cost (issue 10): listings page. 25 tickets delivered with `postdesk deliver` (the
# pipe entry, same pipeline as LMTP); `postdesk tickets` and `postdesk outbox` are walked a
# page at a time with --limit/--after, in text and JSON, and the pages must partition the
# whole list in order; bad options are usage errors.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require sqlite3 jq

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
CONF=$T/postdesk.conf
cat >"$CONF" <<CONF
[postdesk]
database = $(pd_db "$T/db/postdesk.db")
key_file = $T/db/postdesk.key
domain = support.test
user = $PD_DAEMON_USER
[queue support]
address = support@support.test
CONF
"$B/postdesk" -c "$CONF" init >/dev/null || pd_fail "postdesk init failed"
pd() { runuser -u "$PD_DAEMON_USER" -- "$B/postdesk" -c "$CONF" "$@"; }
chown -R "$PD_DAEMON_USER" "$T/db"
for i in $(seq 1 25); do
	printf 'From: Buyer %s <buyer%s@shop.example>\nTo: support@support.test\nSubject: order %s\nMessage-ID: <list-%s@shop.example>\n\nWhere is order %s?\n' \
		"$i" "$i" "$i" "$i" "$i" |
		pd deliver -r support@support.test -f "buyer$i@shop.example" >/dev/null ||
		pd_fail "deliver $i failed"
done

# Pages of 10, newest first, in JSON: 25..16, 15..6, 5..1, then nothing.
all="" after=0 pages=0
while :; do
	page=$(pd tickets --json --limit 10 --after "$after" | jq -r '.[].id' | tr '\n' ' ')
	[ -n "$page" ] || break
	all="$all$page" pages=$((pages + 1))
	after=$(echo "$page" | awk '{ print $NF }')
	[ "$pages" -le 5 ] || pd_fail "tickets paging does not end"
done
[ "$all" = "$(seq 25 -1 1 | tr '\n' ' ')" ] || pd_fail "tickets pages: '$all'"
[ "$pages" = 3 ] || pd_fail "tickets: $pages pages of 10 for 25 tickets"
# Text: a header and at most --limit rows; --limit 0 is everything.
[ "$(pd tickets --limit 3 | tail -n +2 | awk '{ print $1 }' | tr '\n' ' ')" = "25 24 23 " ] ||
	pd_fail "tickets --limit 3 (text)"
[ "$(pd tickets --limit 0 | tail -n +2 | wc -l)" = 25 ] || pd_fail "tickets --limit 0"
[ "$(pd tickets --json --status new --limit 2 --after 3 | jq -r '.[].id' | tr '\n' ' ')" = "2 1 " ] ||
	pd_fail "tickets --status new --after 3"
[ "$(pd tickets --json --status closed | jq length)" = 0 ] || pd_fail "no closed tickets"

# Outbox (25 acknowledgements): the same paging.
out=$(pd outbox --json --limit 20 | jq -r '.[].id' | tr '\n' ' ')
last=$(echo "$out" | awk '{ print $NF }')
rest=$(pd outbox --json --limit 20 --after "$last" | jq -r '.[].id' | tr '\n' ' ')
[ "$(echo $out $rest | wc -w)" = 25 ] || pd_fail "outbox pages: '$out' + '$rest'"
[ "$(echo $out $rest | tr ' ' '\n' | sort -n | uniq | wc -l)" = 25 ] || pd_fail "outbox pages overlap"

# Bad options are usage errors, not empty lists.
pd tickets --status bogus >/dev/null 2>&1
[ $? = 64 ] || pd_fail "tickets --status bogus is not a usage error"
pd tickets --limit -1 >/dev/null 2>&1
[ $? = 64 ] || pd_fail "tickets --limit -1 is not a usage error"
pd outbox --after -5 >/dev/null 2>&1
[ $? = 64 ] || pd_fail "outbox --after -5 is not a usage error"
pd_log "ok"
