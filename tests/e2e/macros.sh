#!/bin/bash
# Issue 13 end to end (the agent's toolkit, by mail): macros, the status after an answer,
# the customer's history in notices, and a customer's "status" request. A sandboxed Postfix
# relays the support domain over LMTP to postdesk-lmtpd and everything else to a capture
# server (smtp-sink); postdesk-notifyd sends the outbox through that Postfix.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test

pd_capture_start "$T"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/a/lmtp.sock" \
	"relay_domains=$DOMAIN" "transport_maps=inline:{ $DOMAIN=lmtp:unix:$T/a/lmtp.sock }" \
	"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
	"smtp_tls_security_level=none" "smtpd_reject_unlisted_recipient=no"

# The admin's own macro, beside the shipped ones (template_dir/macros).
mkdir -p "$T/a" "$T/tpl/macros"
printf '#tag holidays\nOur office is closed until Monday, {{customer.name}}.\n' \
	>"$T/tpl/macros/holiday-hours.txt"
chmod -R a+rX "$T/tpl"
cat >"$T/a/postdesk.conf" <<CONF
[postdesk]
database = $(pd_db "$T/a/postdesk.db")
key_file = $T/a/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/a/lmtp.sock
relay = 127.0.0.1:$PD_SMTP_PORT
template_dir = $T/tpl
outbox_retry_base = 1s
[queue support]
address = support@$DOMAIN
display_name = Example Support
CONF
PD=("$B/postdesk" -c "$T/a/postdesk.conf")
"${PD[@]}" init >/dev/null || pd_fail "init"
"${PD[@]}" agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/a/postdesk.conf" -f
pd_bg notifyd "$B/postdesk-notifyd" -c "$T/a/postdesk.conf" -f
pd_wait_socket "$T/a/lmtp.sock" 10 lmtpd

q() { pd_sql "$T/a/postdesk.db" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
outbox_drained() { [ "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix" 30
	pd_wait_until 20 outbox_drained || pd_fail "outbox not drained"
	pd_postfix_wait_empty "$T/postfix" 30
}
ANN=ann@shop.example
AGENT=alice@agents.example
customer() { # MSGID SUBJECT BODY [TO]
	pd_swaks --to "${4:-support@$DOMAIN}" --from $ANN --header "From: Ann Buyer <$ANN>" \
		--header "Subject: $2" --header "Message-Id: <$1@shop.example>" --body "$3" ||
		pd_fail "customer mail $1"
}
agent() { # TOKEN MSGID BODY
	pd_swaks --to "$1" --from $AGENT --header "From: Alice Agent <$AGENT>" \
		--header "Subject: Re: [#2] Where is my parcel" --header "Message-Id: <$2@agents.example>" \
		--body "$3" || pd_fail "agent mail $2"
}

# 1. Ann's earlier ticket (resolved), then a new one: its notice names the earlier one.
customer h1 "My lamp is broken" "The lamp does not switch on."
settle
"${PD[@]}" status 1 resolved >/dev/null || pd_fail "status 1 resolved"
customer h2 "Where is my parcel" "Order 10023 has not arrived."
settle
pd_wait_captured $AGENT 2
notice=$(grep -l "Where is my parcel" $(pd_captured $AGENT) | head -1)
[ -n "$notice" ] || pd_fail "no notice for ticket 2"
grep -q "^Earlier tickets from this customer: 1" "$notice" || pd_fail "notice: no history count"
grep -q "^  #1 (resolved) My lamp is broken" "$notice" ||
	pd_fail "notice does not name ticket #1 with its status"
token=$(pd_header Reply-To "$notice" | sed 's/.*<\(.*\)>.*/\1/')
case $token in support+2-a1.[0-9]*-*@$DOMAIN) ;; *) pd_fail "notice Reply-To: $token" ;; esac

# 2. A plain answer: the customer gets it and the ticket waits for her (pending).
agent "$token" a1 "Let me check with the carrier."
settle
pd_wait_captured $ANN 3 # two acknowledgements and the answer
expect_eq "$(q "SELECT status FROM tickets WHERE id = 2")" pending "status after an answer"

# 3. "#macro NAME" in the text: the macro's text at that place, for this customer.
agent "$token" a2 $'Hi Ann,\n\n#macro where-is-my-order\n\nAlice'
settle
pd_wait_captured $ANN 4
reply=$(pd_newest_captured $ANN)
grep -q "Hi Ann," "$reply" || pd_fail "macro reply lost the agent's text"
grep -q "Your order is on its way" "$reply" || pd_fail "macro text not in the reply"
grep -q "#macro\|#status" "$reply" && pd_fail "a command line reached the customer"

# 4. A mail holding only a macro that sets a status: sent alone, the status applies.
agent "$token" a3 "#macro resolved-thanks"
settle
pd_wait_captured $ANN 5
reply=$(pd_newest_captured $ANN)
grep -q "marked ticket #2 as resolved" "$reply" || pd_fail "macro-only mail not sent"
expect_eq "$(q "SELECT status FROM tickets WHERE id = 2")" resolved "status set by the macro"

# 5. The admin's own macro with a #tag.
agent "$token" a4 "#macro holiday-hours"
settle
pd_wait_captured $ANN 6
grep -q "closed until Monday, Ann Buyer" "$(pd_newest_captured $ANN)" || pd_fail "admin macro"
expect_eq "$(q "SELECT count(*) FROM tags WHERE ticket_id = 2 AND tag = 'holidays'")" 1 \
	"tag set by the admin's macro"
expect_eq "$(q "SELECT status FROM tickets WHERE id = 2")" pending "status after an answer without #status"

# 6. An unknown macro holds the whole mail and tells the agent.
agents_before=$(pd_captured_count $AGENT)
agent "$token" a5 $'#status open\nDear Ann,\n#macro no-such-macro\nAlice'
settle
pd_wait_captured $AGENT $((agents_before + 1))
err=$(pd_newest_captured $AGENT)
grep -q "Command not understood" "$err" || pd_fail "no command error to the agent"
grep -q "#macro no-such-macro: no such macro" "$err" || pd_fail "command error does not name the macro"
expect_eq "$(pd_captured_count $ANN)" 6 "mails to the customer after an unknown macro"
expect_eq "$(q "SELECT status FROM tickets WHERE id = 2")" pending "status after a held mail"

# 7. Ann asks "status" at her ticket's reply address: the state comes back, nothing is
# added (no message, no reopen -- her ordinary reply would make it open --, no notice).
ctoken=$(pd_header Reply-To "$reply" | sed 's/.*<\(.*\)>.*/\1/')
case $ctoken in support+2-c-*@$DOMAIN) ;; *) pd_fail "reply Reply-To: $ctoken" ;; esac
msgs_before=$(q "SELECT count(*) FROM messages WHERE ticket_id = 2")
agents_before=$(pd_captured_count $AGENT)
customer s1 "Re: [#2] Where is my parcel" $'Status?\n\nThanks,\nAnn' "$ctoken"
settle
pd_wait_captured $ANN 7
st=$(pd_newest_captured $ANN)
pd_header Subject "$st" | grep -q "Status: pending" || pd_fail "status answer subject: $(pd_header Subject "$st")"
grep -q "^Auto-Submitted: auto-replied" "$st" || pd_fail "status answer without Auto-Submitted"
grep -q "closed until Monday" "$st" || pd_fail "status answer without our last answer"
expect_eq "$(q "SELECT count(*) FROM messages WHERE ticket_id = 2")" "$msgs_before" "messages after a status request"
expect_eq "$(q "SELECT status FROM tickets WHERE id = 2")" pending "status after a status request"
expect_eq "$(pd_captured_count $AGENT)" "$agents_before" "notices after a status request"

# 8. The CLI: macro list and show, text and JSON.
out=$("${PD[@]}" macro list) || pd_fail "macro list"
for m in holiday-hours need-order-number refund-policy resolved-thanks where-is-my-order; do
	echo "$out" | grep -q "^$m " || pd_fail "macro list lacks $m: $out"
done
"${PD[@]}" macro list --json | python3 -c '
import json, sys
l = json.load(sys.stdin)
names = [m["name"] for m in l]
assert names == sorted(names) and "where-is-my-order" in names, names
assert all(m["path"].endswith("/" + m["name"] + ".txt") for m in l)' || pd_fail "macro list --json"
"${PD[@]}" macro show need-order-number | grep -q "^#status pending" || pd_fail "macro show"
"${PD[@]}" macro show where-is-my-order --ticket 2 --json | python3 -c '
import json, sys
m = json.load(sys.stdin)
assert m["ticket"] == 2 and "Hello Ann Buyer," in m["text"], m' || pd_fail "macro show --ticket --json"
out=$("${PD[@]}" macro show nope --json 2>/dev/null)
expect_eq "$?" 65 "macro show of an unknown macro"
echo "$out" | python3 -c 'import json, sys; assert "no macro" in json.load(sys.stdin)["error"]' ||
	pd_fail "macro show nope --json: $out"
"${PD[@]}" macro frob >/dev/null 2>&1
expect_eq "$?" 64 "macro with a bad subcommand"
exit 0
