#!/bin/bash
# Issue 12 (reading what clients send), end to end through the sandboxed Postfix:
# an Outlook reply that kept only Thread-Index (subject tag removed, no In-Reply-To or
# References) from the requester lands in its ticket, flagged unverified; a From holding
# only an encoded word is no From (the envelope sender is the author) and an encoded name
# before a bare address keeps both; a customer reply quoting our acknowledgement reaches
# the agents as its new text, the quote collapsed to one line (and `postdesk show` alike,
# `--full` the whole text). Root, postfix, swaks, smtp-sink, sqlite3; skips (77) without.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test

pd_capture_start "$T"
# local_header_rewrite_clients empty: Postfix leaves header addresses as the client wrote
# them, as it does for mail from the Internet (by default it rewrites them for clients on
# this host, swaks here: "=?big5?B?...?= lee@x" would become two addresses).
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/lmtp.sock" \
	"relay_domains=$DOMAIN" "transport_maps=inline:{ $DOMAIN=lmtp:unix:$T/lmtp.sock }" \
	"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
	"smtp_tls_security_level=none" "smtpd_reject_unlisted_recipient=no" \
	"local_header_rewrite_clients="
cat >"$T/postdesk.conf" <<CONF
[postdesk]
database = $(pd_db "$T/postdesk.db")
key_file = $T/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/lmtp.sock
relay = 127.0.0.1:$PD_SMTP_PORT
template_dir = $PD_SRCDIR/templates/en
outbox_retry_base = 1s
[queue support]
address = support@$DOMAIN
display_name = Example Support
CONF
PD=("$B/postdesk" -c "$T/postdesk.conf")
"${PD[@]}" init >/dev/null || pd_fail "init"
"${PD[@]}" agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/postdesk.conf" -f
pd_bg notifyd "$B/postdesk-notifyd" -c "$T/postdesk.conf" -f
pd_wait_socket "$T/lmtp.sock" 10 lmtpd

q() { pd_sql "$T/postdesk.db" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
outbox_drained() { [ "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix" 30
	pd_wait_until 20 outbox_drained || pd_fail "outbox not drained"
	pd_postfix_wait_empty "$T/postfix" 30
}
stored() { [ "$(q "SELECT count(*) FROM messages WHERE message_id = '$1'")" -ge 1 ]; }

# 1. Outlook: the first mail of a conversation (Thread-Index of 22 bytes), then the
# customer answers her own sent mail: subject tag never there, no In-Reply-To, no
# References, the same conversation in Thread-Index (22 bytes + one 5-byte child).
pd_swaks --to "support@$DOMAIN" --from ann@shop.example \
	--header "From: Ann Buyer <ann@shop.example>" --header "Subject: Where is my order?" \
	--header "Message-Id: <AM0PR01MB1234.first@eurprd01.prod.outlook.com>" \
	--header "Thread-Topic: Where is my order?" \
	--header "Thread-Index: AdnSdD2czk/YqQ9LR7VjZsd8budBAA==" \
	--header "X-Mailer: Microsoft Outlook 16.0" \
	--body "Order 4711 was due last Friday." || pd_fail "swaks first"
settle
expect_eq "$(q "SELECT count(*) FROM tickets")" 1 "tickets after the first Outlook mail"
pd_swaks --to "support@$DOMAIN" --from ann@shop.example \
	--header "From: Ann Buyer <ann@shop.example>" --header "Subject: AW: Where is my order?" \
	--header "Message-Id: <AM0PR01MB1234.second@eurprd01.prod.outlook.com>" \
	--header "Thread-Topic: Where is my order?" \
	--header "Thread-Index: AdnSdD2czk/YqQ9LR7VjZsd8budBAK4h3Y5A" \
	--header "X-Mailer: Microsoft Outlook 16.0" \
	--body $'Any news?\r\n\r\nFrom: Ann Buyer <ann@shop.example>\r\nSent: Tuesday, 24 November 2026 10:00\r\nTo: support@support.test\r\nSubject: Where is my order?\r\n\r\nOrder 4711 was due last Friday.' ||
	pd_fail "swaks Outlook reply"
settle
pd_wait_until 20 stored AM0PR01MB1234.second@eurprd01.prod.outlook.com || pd_fail "reply not stored"
expect_eq "$(q "SELECT ticket_id FROM messages WHERE message_id = 'AM0PR01MB1234.second@eurprd01.prod.outlook.com'")" 1 \
	"ticket of the Outlook reply without tag or references"
expect_eq "$(q "SELECT count(*) FROM tickets")" 1 "tickets after the Outlook reply"
q "SELECT flags FROM messages WHERE message_id = 'AM0PR01MB1234.second@eurprd01.prod.outlook.com'" |
	grep -q unverified || pd_fail "the Thread-Index match is not flagged unverified"
q "SELECT detail FROM events WHERE ticket_id = 1 AND kind = 'unverified'" | grep -q thread-index ||
	pd_fail "no unverified event naming the thread-index rule"
# a stranger with the same Thread-Index gets a ticket of his own
pd_swaks --to "support@$DOMAIN" --from mallory@evil.example --header "From: mallory@evil.example" \
	--header "Subject: AW: Where is my order?" --header "Message-Id: <m1@evil.example>" \
	--header "Thread-Index: AdnSdD2czk/YqQ9LR7VjZsd8budBAK4h3Y5A" --body "Send me her data." ||
	pd_fail "swaks stranger"
settle
pd_wait_until 20 stored m1@evil.example || pd_fail "stranger's mail not stored"
expect_eq "$(q "SELECT ticket_id FROM messages WHERE message_id = 'm1@evil.example'")" 2 \
	"a stranger's Thread-Index"

# 2. From with only an encoded word: the envelope sender is the author (and gets the
# acknowledgement). An encoded name before a bare address keeps both.
pd_swaks --to "support@$DOMAIN" --from chen@example.com.tw \
	--header "From: =?gb2312?B?zKjN5fbOwfrJzMOz?=" --header "Subject: =?gb2312?B?ttS2qbWltcTSydbK?=" \
	--header "Message-Id: <fx1@example.com.tw>" --header "X-Mailer: Foxmail 7.2.23.121[cn]" \
	--body "hello" || pd_fail "swaks encoded-only From"
pd_swaks --to "support@$DOMAIN" --from bounces@mailer.example.com.tw \
	--header "From: =?big5?B?sWmkcKn6?= lee@example.com.tw" --header "Subject: order" \
	--header "Message-Id: <fx2@example.com.tw>" --body "hello" || pd_fail "swaks bare From"
settle
pd_wait_until 20 stored fx2@example.com.tw || pd_fail "bare From not stored"
expect_eq "$(q "SELECT c.email FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN customers c ON c.id = t.requester_id WHERE m.message_id = 'fx1@example.com.tw'")" \
	chen@example.com.tw "requester of a From with only an encoded word"
expect_eq "$(q "SELECT from_addr FROM messages WHERE message_id = 'fx1@example.com.tw'")" "" \
	"an encoded word stored as an address"
expect_eq "$(q "SELECT c.email || ' ' || c.name FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN customers c ON c.id = t.requester_id WHERE m.message_id = 'fx2@example.com.tw'")" \
	"lee@example.com.tw 張小明" "requester of an encoded name with a bare address"
pd_wait_captured chen@example.com.tw 1

# 3. Ann answers the acknowledgement, quoting it (Gmail style): the agents read her new
# text, the quote collapsed to one line.
ack=$(pd_newest_captured ann@shop.example)
[ -n "$ack" ] || pd_fail "no acknowledgement to ann"
token=$(pd_header Reply-To "$ack" | sed 's/.*<\(.*\)>.*/\1/')
ack_id=$(pd_header Message-Id "$ack")
quoted=$(sed '1,/^\r\{0,1\}$/d' "$ack" | tr -d '\r' | sed 's/^/> /')
grep -q "^> Thank you for writing" <<<"$quoted" || pd_fail "cannot read the acknowledgement's text"
notices_before=$(pd_captured_count alice@agents.example)
pd_swaks --to "$token" --from ann@shop.example --header "From: Ann Buyer <ann@shop.example>" \
	--header "Subject: Re: [#1] We received your request: Where is my order?" \
	--header "Message-Id: <CAG1quote@mail.gmail.com>" --header "In-Reply-To: $ack_id" \
	--header "References: $ack_id" \
	--body "$(printf 'It arrived today, but the box was damaged.\n\nOn Tue, Nov 24, 2026 at 10:05 AM Example Support <support@%s> wrote:\n%s\n' "$DOMAIN" "$quoted")" ||
	pd_fail "swaks quoting reply"
settle
pd_wait_captured alice@agents.example $((notices_before + 1))
notice=$(grep -l "box was damaged" $(pd_captured alice@agents.example) | head -1)
[ -n "$notice" ] || pd_fail "no notice with the new text"
grep -q "Thank you for writing" "$notice" && pd_fail "the quoted acknowledgement reached the agent"
grep -q "wrote:" "$notice" && pd_fail "the attribution reached the agent"
grep -q '\[quoted text hidden: [0-9]* lines - postdesk show 1 --full\]' "$notice" ||
	pd_fail "no collapsed-quote line in the notice"
# the messages from ann (our acknowledgement is shown too, whole, as sent)
from_ann() { awk '/^--- message /{p = / \(in, customer[,)].* from ann@shop\.example$/} p'; }
out=$("${PD[@]}" show 1 | from_ann) || pd_fail "show"
grep -q "box was damaged" <<<"$out" || pd_fail "show: new text missing"
grep -q "Thank you for writing" <<<"$out" && pd_fail "show: quoted text not collapsed"
grep -q '\[quoted text hidden: [0-9]* lines - postdesk show 1 --full\]' <<<"$out" ||
	pd_fail "show: no collapsed-quote line"
"${PD[@]}" show 1 --full | from_ann | grep -q "> Thank you for writing" ||
	pd_fail "show --full: quote missing"
"${PD[@]}" show 1 --json | python3 -c '
import json, sys
m = [m for m in json.load(sys.stdin)["messages"] if m["message_id"] == "CAG1quote@mail.gmail.com"][0]
assert m["new_text"] == "It arrived today, but the box was damaged.", m["new_text"]
assert m["quoted_lines"] > 5 and "Thank you for writing" in m["body"], m
' || pd_fail "show --json: new_text / quoted_lines / body"
pd_log "ok"
