#!/bin/bash
# Issue 13 end to end: search and the command address, through the sandboxed Postfix.
#  - `postdesk search` finds tickets by subject, text (diacritics folded), requester and
#    tags, best first, as text and JSON; a bad query is a usage error in the user's terms
#    (also as JSON), never SQLite's text; a bad --status is a usage error.
#  - An agent's command address (`postdesk token --role command --agent EMAIL`) answers
#    "#search words" with the matching tickets and "#mine" with the agent's open work, as a
#    mail to the agent's registered address; an unknown command gets an error mail.
#  - A forged From (another agent, a stranger) or a bad MAC on the command address is
#    refused (5.7.1) and answered with nothing.
# Runs on either backend (PD_TEST_PG_URI: PostgreSQL's search folds diacritics too,
# migration 23 of migrations-pg.c).
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3 python3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test

pd_capture_start "$T"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/a/lmtp.sock" \
	"relay_domains=$DOMAIN" \
	"transport_maps=inline:{ $DOMAIN=lmtp:unix:$T/a/lmtp.sock }" \
	"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
	"smtp_tls_security_level=none" "smtpd_reject_unlisted_recipient=no"
mkdir -p "$T/a"
cat >"$T/a/postdesk.conf" <<CONF
[postdesk]
database = $(pd_db "$T/a/postdesk.db")
key_file = $T/a/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/a/lmtp.sock
relay = 127.0.0.1:$PD_SMTP_PORT
template_dir = $PD_SRCDIR/templates/en
outbox_retry_base = 1s
[queue support]
address = support@$DOMAIN
display_name = Example Support
CONF
PD=("$B/postdesk" -c "$T/a/postdesk.conf")
"${PD[@]}" init >/dev/null || pd_fail "init"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/a/postdesk.conf" -f
pd_bg notifyd "$B/postdesk-notifyd" -c "$T/a/postdesk.conf" -f
pd_wait_socket "$T/a/lmtp.sock" 10 lmtpd
"${PD[@]}" agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"
"${PD[@]}" agent add bob@agents.example --name "Bob Agent" >/dev/null || pd_fail "agent add"

q() { pd_sql "$T/a/postdesk.db" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
outbox_drained() { [ "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix" 30
	pd_wait_until 20 outbox_drained || pd_fail "outbox not drained"
	pd_postfix_wait_empty "$T/postfix" 30
}
customer() { # FROM SUBJECT BODY MSGID
	pd_swaks --to "support@$DOMAIN" --from "$1" --header "From: $1" --header "Subject: $2" \
		--header "Message-Id: <$4>" --body "$3" || pd_fail "swaks $4"
}

# Three tickets, one after the other: Postfix delivers a queue of several in any order, and
# the ticket numbers below are theirs in this order (search creme found ticket 2 once).
customer zoe@shop.example "Where is my parcel?" "Order 10023 has not arrived yet." c1@shop.example
settle
customer bob.buyer@shop.example "Invoice question" "The invoice shows a wrong VAT number." c2@shop.example
settle
customer eve@shop.example "Café crème machine broken" "It leaks water since Monday." c3@shop.example
settle
expect_eq "$(q "SELECT count(*) FROM tickets")" 3 "tickets"
"${PD[@]}" assign 2 alice@agents.example >/dev/null || pd_fail "assign"

# ---- the CLI: text and JSON
out=$("${PD[@]}" search 10023) || pd_fail "search 10023"
echo "$out" | grep -q "^1 .*Where is my parcel" || pd_fail "search 10023 (text): $out"
[ "$(echo "$out" | grep -c '^[0-9]')" = 1 ] || pd_fail "search 10023 found more: $out"
out=$("${PD[@]}" search creme --json) || pd_fail "search --json"
ids=$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(str(t["id"]) for t in d["tickets"]), d["more"])') ||
	pd_fail "search --json is not JSON: $out"
expect_eq "$ids" "3 False" "search creme --json"
out=$("${PD[@]}" search 'zoe@shop.example' --json | python3 -c 'import json,sys; print([t["subject"] for t in json.load(sys.stdin)["tickets"]])')
expect_eq "$out" "['Where is my parcel?']" "search by requester"
out=$("${PD[@]}" search 'invoice' --status closed) || pd_fail "search --status closed"
expect_eq "$out" "No tickets match." "search --status closed"
# A bad query: a usage error that says what is wrong, as text and as JSON.
"${PD[@]}" search '"where is' >"$T/out" 2>"$T/err"
expect_eq "$?" 64 "exit of a bad query"
grep -q "quote is not closed" "$T/err" || pd_fail "bad query message: $(cat "$T/err")"
grep -qi "fts5\|sqlite\|syntax error" "$T/err" "$T/out" && pd_fail "SQL text shown: $(cat "$T/err")"
"${PD[@]}" search 'p*rcel' --json >"$T/out" 2>/dev/null
expect_eq "$?" 64 "exit of a bad query (--json)"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "goes at the end" in d["error"] and d["code"] == 64' "$T/out" ||
	pd_fail "bad query as JSON: $(cat "$T/out")"
"${PD[@]}" search parcel --status bogus >/dev/null 2>&1
expect_eq "$?" 64 "exit of --status bogus"

# ---- the command address
cmd=$("${PD[@]}" token --role command --agent alice@agents.example) || pd_fail "command address"
case $cmd in support+1-k-[a-z2-7]*@$DOMAIN) ;; *) pd_fail "command address: $cmd" ;; esac
# Every notice to an agent carries it.
grep -qF "$cmd" "$(pd_newest_captured alice@agents.example)" || pd_fail "notice without the command address"
before=$(pd_captured_count alice@agents.example)
events=$(q "SELECT count(*) FROM events")
pd_swaks --to "$cmd" --from alice@agents.example --header "From: Alice Agent <alice@agents.example>" \
	--header "Subject: search" --header "Message-Id: <s1@agents.example>" \
	--body $'#search 10023 OR leaks\n\n-- \nAlice' || pd_fail "swaks #search"
settle
pd_wait_captured alice@agents.example $((before + 1))
ans=$(pd_newest_captured alice@agents.example)
expect_eq "$(pd_header Subject "$ans")" "Re: #search 10023 OR leaks" "answer subject"
expect_eq "$(pd_header In-Reply-To "$ans")" "<s1@agents.example>" "answer In-Reply-To"
pd_header Reply-To "$ans" | grep -qF "$cmd" || pd_fail "answer Reply-To is not the command address"
grep -q "^Auto-Submitted: auto-replied" "$ans" || pd_fail "answer without Auto-Submitted"
grep -q "#1 .*Where is my parcel" "$ans" || pd_fail "answer without ticket 1"
grep -q "#3 .*machine broken" "$ans" || pd_fail "answer without ticket 3"
grep -q "Invoice question" "$ans" && pd_fail "answer with ticket 2"
expect_eq "$(q "SELECT count(*) FROM messages WHERE kind = 'command' AND ticket_id IS NULL")" 1 \
	"the command mail kept without a ticket"
expect_eq "$(q "SELECT count(*) FROM events")" "$events" "events after a command mail"

# #mine: ticket 2 is alice's, the others are nobody's.
before=$(pd_captured_count alice@agents.example)
pd_swaks --to "$cmd" --from alice@agents.example --header "From: alice@agents.example" \
	--header "Subject: mine" --header "Message-Id: <s2@agents.example>" --body "#mine" ||
	pd_fail "swaks #mine"
settle
pd_wait_captured alice@agents.example $((before + 1))
ans=$(pd_newest_captured alice@agents.example)
grep -q "#2 .*Invoice question" "$ans" || pd_fail "#mine without ticket 2"
grep -q "Where is my parcel\|machine broken" "$ans" && pd_fail "#mine lists others' tickets"

# An unknown command: an error mail, nothing looked up.
before=$(pd_captured_count alice@agents.example)
pd_swaks --to "$cmd" --from alice@agents.example --header "From: alice@agents.example" \
	--header "Subject: oops" --header "Message-Id: <s3@agents.example>" --body "#serch parcel" ||
	pd_fail "swaks #serch"
settle
pd_wait_captured alice@agents.example $((before + 1))
ans=$(pd_newest_captured alice@agents.example)
expect_eq "$(pd_header Subject "$ans")" "Re: command not understood" "error subject"
grep -q '#serch parcel.*unknown command' "$ans" || pd_fail "error mail does not name the line"
grep -q "Where is my parcel" "$ans" && pd_fail "error mail lists tickets"

# ---- refused: another agent's From, a stranger's From, a bad MAC.
answers=$(q "SELECT count(*) FROM outbox WHERE kind LIKE 'command%'")
kept=$(q "SELECT count(*) FROM messages WHERE kind = 'command'")
mac=${cmd#*-k-}
mac=${mac%@*}
first=${mac:0:1}
[ "$first" = a ] && other=b || other=a
bad_mac=${cmd/-k-$first/-k-$other}
pd_swaks --to "$cmd" --from bob@agents.example --header "From: bob@agents.example" \
	--header "Message-Id: <f1@agents.example>" --body "#search 10023" || pd_fail "swaks bob"
pd_swaks --to "$cmd" --from mallory@evil.example --header "From: mallory@evil.example" \
	--header "Message-Id: <f2@evil.example>" --body "#mine" || pd_fail "swaks mallory"
pd_swaks --to "$bad_mac" --from alice@agents.example --header "From: alice@agents.example" \
	--header "Message-Id: <f3@agents.example>" --body "#mine" || pd_fail "swaks bad MAC"
settle
count_log() { grep -c -e "$1" "$T/postfix/log/maillog"; }
refusals() { [ "$(count_log 'status=bounced.*command address of another agent')" = 2 ] &&
	[ "$(count_log 'status=bounced.*bad signature')" = 1 ]; }
pd_wait_until 10 refusals || pd_fail "refusals: $(grep status=bounced "$T/postfix/log/maillog")"
expect_eq "$(q "SELECT count(*) FROM outbox WHERE kind LIKE 'command%'")" "$answers" \
	"answers to refused mail"
expect_eq "$(q "SELECT count(*) FROM messages WHERE kind = 'command'")" "$kept" \
	"refused command mail kept"
# A From forged as alice's gets through (without DMARC the From is all a mail shows:
# doc/security.md), but the answer goes to alice's registered address, never elsewhere.
before=$(pd_captured_count alice@agents.example)
pd_swaks --to "$cmd" --from mallory@evil.example --header "From: alice@agents.example" \
	--header "Reply-To: mallory@evil.example" --header "Message-Id: <f4@evil.example>" \
	--body "#search parcel" || pd_fail "swaks forged alice"
settle
pd_wait_captured alice@agents.example $((before + 1))
grep -l "Where is my parcel" $(pd_captured mallory@evil.example) /dev/null | grep -q . &&
	pd_fail "a list went to mallory"
pd_log "PASS"
