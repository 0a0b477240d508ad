#!/bin/sh
# pg_copy.sh (issue 16): `postdesk store copy --to postgresql://...` moves an SQLite desk
# into an empty PostgreSQL database (tests/e2e/pg.sh starts one): every row, with its ids,
# checked by counts and a sample of rows; the copy then reads as the original did
# (tickets, a ticket with its messages, search), takes new mail with the next ids, and a
# second copy into it is refused.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh" || exit 99
. "$(dirname "$0")/pg.sh" || exit 99

pd_require sqlite3 jq psql
pd_pg_require

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
pd_pg_start

conf() { # FILE DATABASE
	cat >"$1" <<CONF
[postdesk]
database = $2
key_file = $T/db/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
template_dir = $PD_SRCDIR/templates/en
[queue support]
address = support@$DOMAIN
CONF
}
mkdir -p "$T/db"
conf "$T/sqlite.conf" "$T/db/postdesk.db"
conf "$T/pg.conf" "$PD_PG_URI"
LITE=("$B/postdesk" -c "$T/sqlite.conf")
PG=("$B/postdesk" -c "$T/pg.conf")
"${LITE[@]}" init >/dev/null || pd_fail "init"
"${LITE[@]}" agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"

mail() { # N SUBJECT [EXTRA-HEADER]
	printf 'From: Customer %s <c%s@shop.example>\nTo: support@%s\nSubject: %s\nMessage-ID: <m%s@shop.example>\nDate: Thu, 03 Dec 2026 10:00:00 +0000\n%s\nMy parcel number %s is late.\n' \
		"$1" "$1" "$DOMAIN" "$2" "$1" "${3:+$3
}" "$1" | "${LITE[@]}" deliver -r "support@$DOMAIN" -f "c$1@shop.example" >/dev/null ||
		pd_fail "deliver $1"
}
for i in 1 2 3 4 5; do mail "$i" "parcel $i is late"; done
# a follow-up, an agent's reply, a note, a status, a tag-like merge (ticket 5 into 4:
# merged_into points at an older ticket, 4 at nothing)
mail 6 "Re: parcel 1 is late" "In-Reply-To: <m1@shop.example>"
echo "It is on its way." | "${LITE[@]}" reply 1 --from alice@agents.example >/dev/null || pd_fail "reply"
echo "VIP" | "${LITE[@]}" note 2 --from alice@agents.example >/dev/null || pd_fail "note"
"${LITE[@]}" status 3 resolved >/dev/null || pd_fail "status"
"${LITE[@]}" merge 4 5 >/dev/null || pd_fail "merge"
# more messages than a page of the copy (500), bytes and all
pd_sql "$T/db/postdesk.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
	INSERT INTO messages(ticket_id, direction, kind, message_id, rcpt, from_addr, subject, created, body, raw)
	SELECT 2, 'in', 'customer', 'bulk' || i || '@shop.example', 'support@$DOMAIN', 'c2@shop.example',
	'bulk ' || i, 100 + i, 'bulk text ' || i, randomblob(64 + i % 200) FROM n" || pd_fail "bulk rows"

out=$("${LITE[@]}" store copy --to "$PD_PG_URI" --json 2>"$T/copy.err") ||
	pd_fail "store copy failed: $out $(cat "$T/copy.err")"
[ -s "$T/copy.err" ] && pd_fail "store copy --json wrote to stderr: $(cat "$T/copy.err")"
rows=$(echo "$out" | jq -r .rows)
[ "$(echo "$out" | jq -r .tables_checked)" = 23 ] || pd_fail "tables checked: $out"
lite_msgs=$(pd_sql "$T/db/postdesk.db" "SELECT count(*) FROM messages")
[ "$lite_msgs" -gt 1200 ] || pd_fail "only $lite_msgs messages in the SQLite desk"
[ "$rows" -gt "$lite_msgs" ] || pd_fail "copied $rows rows for $lite_msgs messages"
[ "$(pd_pg_sql -c "SELECT count(*) FROM messages")" = "$lite_msgs" ] || pd_fail "message count"
[ "$(pd_pg_sql -c "SELECT merged_into FROM tickets WHERE id = 5")" = 4 ] || pd_fail "merged_into"

# The copy reads as the original: the same listings, byte for byte.
for cmd in "tickets --json" "show 1 --json" "show 2 --json" "show 4 --json" "outbox --json" \
	"agent list --json"; do
	# shellcheck disable=SC2086 # the words of cmd are the arguments
	a=$("${LITE[@]}" $cmd) || pd_fail "sqlite: $cmd"
	# shellcheck disable=SC2086
	b=$("${PG[@]}" $cmd) || pd_fail "postgresql: $cmd"
	[ "$a" = "$b" ] || pd_fail "$cmd differs: $(diff <(echo "$a") <(echo "$b") | head -20)"
done
"${PG[@]}" search "parcel 3" | grep -q 'parcel 3 is late' || pd_fail "search on the copy"

# New mail takes the next ids; a second copy into the desk is refused, with the reason.
out=$(printf 'From: new@shop.example\nTo: support@%s\nSubject: new\nMessage-ID: <new@shop.example>\n\nhello\n' \
	"$DOMAIN" | "${PG[@]}" deliver -r "support@$DOMAIN" -f new@shop.example)
echo "$out" | grep -q "opened ticket 6 " || pd_fail "new mail on the copy: $out"
rc=0
"${LITE[@]}" store copy --to "$PD_PG_URI" 2>"$T/again.err" || rc=$?
[ "$rc" = 73 ] || pd_fail "a second copy: exit $rc, not 73 (EX_CANTCREAT)"
grep -q "already holds a desk" "$T/again.err" || pd_fail "second copy: $(cat "$T/again.err")"

pd_pg_stop
pd_log "PASS"
