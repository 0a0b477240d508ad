#!/bin/bash
# Issue 11 end to end: who may enter a ticket, and who hears from it (doc/security.md).
# A sandboxed Postfix relays the support domain over LMTP to postdesk-lmtpd and everything
# else to a capture server (the outside world); postdesk-notifyd sends the outbox through
# that Postfix. Each attack of the issue is sent with swaks and must end safe:
#   item 1  forged From + subject tag      -> stored unverified, no state change, agents told
#           ... with our loop header       -> stored as kind auto and unverified, no notice
#   item 2  a stranger's known Message-ID  -> stored unverified, no participant, no copies
#   item 6  an out-of-office answer        -> kind auto: stays pending, no notice, schedule kept
#   item 4  1,000 Cc addresses             -> max_participants (20) + requester, an event
# and what real customers do keeps working (replies to our mail, a Cc'd colleague's answer).
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test

pd_capture_start "$T"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/lmtp.sock" \
	"relay_domains=$DOMAIN" "transport_maps=inline:{ $DOMAIN=lmtp:unix:$T/lmtp.sock }" \
	"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
	"smtp_tls_security_level=none" "smtpd_reject_unlisted_recipient=no"

CONF=$T/postdesk.conf
DB=$T/db/postdesk.db
cat >"$CONF" <<CONF
[postdesk]
database = $(pd_db "$DB")
key_file = $T/db/postdesk.key
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
PD=("$B/postdesk" -c "$CONF")
"${PD[@]}" init >/dev/null || pd_fail "postdesk init"
"${PD[@]}" agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$CONF" -f
pd_bg notifyd "$B/postdesk-notifyd" -c "$CONF" -f
pd_wait_socket "$T/lmtp.sock" 10 lmtpd

q() { pd_sql "$DB" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
outbox_drained() { [ "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix" 30
	pd_wait_until 20 outbox_drained || pd_fail "outbox not drained"
	pd_postfix_wait_empty "$T/postfix" 30
}
send() { pd_swaks --to "support@$DOMAIN" "$@" || pd_fail "swaks failed: $(pd_swaks_log)"; }
status() { q "SELECT status FROM tickets WHERE id = $1"; }
notices() { q "SELECT count(*) FROM outbox WHERE kind = 'agent_notice' AND ticket_id = $1"; }
participant() { q "SELECT count(*) FROM participants WHERE ticket_id = $1 AND address = '$2'"; }
schedule() { q "SELECT kind, due, coalesce(CAST(done AS TEXT), '-') FROM schedule WHERE ticket_id = $1 ORDER BY kind"; }
msg() { q "SELECT kind || ' ' || flags FROM messages WHERE message_id = '$1'"; }
msgid_of() { pd_header Message-Id "$1" | tr -d '<>'; }
# The captured mail to RCPT whose text holds PATTERN (fixed string), newest first.
captured_with() { grep -l -F -- "$2" $(pd_captured "$1") 2>/dev/null | xargs -r ls -t | head -1; }

# The ticket everything below aims at: Ann writes, Bob in Cc; the agent answers both and
# sets it pending (a reminder is scheduled).
send --from ann@shop.example --header "From: Ann Buyer <ann@shop.example>" \
	--header "Cc: Bob <bob@shop.example>" --header "Subject: change of address" \
	--header "Message-Id: <t1@shop.example>" --body "Please ship my order to 2 Home Road."
settle
pd_wait_captured alice@agents.example 1
agent_token=$(pd_header Reply-To "$(pd_newest_captured alice@agents.example)" | sed 's/.*<\(.*\)>.*/\1/')
case $agent_token in support+1-a[0-9]*.[0-9]*-*@$DOMAIN) ;; *) pd_fail "notice Reply-To: $agent_token" ;; esac
pd_swaks --to "$agent_token" --from alice@agents.example --header "From: Alice Agent <alice@agents.example>" \
	--header "Subject: Re: [#1] change of address" --header "Message-Id: <a1@agents.example>" \
	--body $'#status pending\nDone: we will ship to 2 Home Road. Anything else?' || pd_fail "agent swaks"
settle
pd_wait_captured ann@shop.example 2
pd_wait_captured bob@shop.example 1
reply_id=$(msgid_of "$(captured_with ann@shop.example "we will ship to 2 Home Road")")
[ -n "$reply_id" ] || pd_fail "no Message-ID on the agent's reply"
expect_eq "$(status 1)" pending "status after the agent's #status pending"
schedule_before=$(schedule 1)
[ -n "$schedule_before" ] || pd_fail "no timed work scheduled for the pending ticket"

# Item 1: a forged From of the requester with the subject tag (envelope: the attacker).
notices_before=$(notices 1)
send --from attacker@evil.test --header "From: ann@shop.example" \
	--header "Subject: Re: [#1] change of address" --header "Message-Id: <f1@evil.test>" \
	--body "Please ship to 1 Evil St"
settle
expect_eq "$(q "SELECT ticket_id FROM messages WHERE message_id = 'f1@evil.test'")" 1 "forged mail kept in ticket 1"
expect_eq "$(msg f1@evil.test)" "customer unverified" "forged mail flagged"
expect_eq "$(status 1)" pending "status after the forged mail"
expect_eq "$(schedule 1)" "$schedule_before" "timed work after the forged mail"
expect_eq "$(participant 1 attacker@evil.test)" 0 "the attacker as participant"
expect_eq "$(notices 1)" $((notices_before + 1)) "agent notices of the forged mail"
unverified_notice() { [ -n "$(captured_with alice@agents.example "Please ship to 1 Evil St")" ]; }
pd_wait_until 20 unverified_notice || pd_fail "no agent notice of the forged mail"
grep -q "^UNVERIFIED SENDER" "$(captured_with alice@agents.example "Please ship to 1 Evil St")" ||
	pd_fail "the agent notice does not say the sender is unverified"
"${PD[@]}" show 1 | grep -q "UNVERIFIED sender" || pd_fail "postdesk show does not mark it"
expect_eq "$(pd_captured_count attacker@evil.test)" 0 "mail to the attacker"

# ... and with our own loop header: not the customer's words, not silent either.
notices_before=$(notices 1)
send --from attacker@evil.test --header "From: ann@shop.example" --header "X-Postdesk-Loop: $DOMAIN" \
	--header "Subject: Re: [#1] change of address" --header "Message-Id: <f2@evil.test>" \
	--body "Please ship to 3 Evil St"
settle
expect_eq "$(msg f2@evil.test)" "auto unverified" "forged mail with our loop header"
expect_eq "$(status 1)" pending "status after the forged loop mail"
expect_eq "$(notices 1)" "$notices_before" "agent notices of automatic mail"

# Item 2: a stranger who knows Ann's Message-ID (or ours) joins nothing and hears nothing.
send --from mallory@evil.test --header "From: Mallory <mallory@evil.test>" \
	--header "Subject: Re: change of address" --header "Message-Id: <m1@evil.test>" \
	--header "In-Reply-To: <t1@shop.example>" --body "Keep me posted."
send --from mallory@evil.test --header "From: Mallory <mallory@evil.test>" \
	--header "Subject: Re: change of address" --header "Message-Id: <m2@evil.test>" \
	--header "In-Reply-To: <$reply_id>" --header "References: <t1@shop.example> <$reply_id>" \
	--body "Me too."
settle
expect_eq "$(msg m1@evil.test)" "customer unverified" "stranger's reply to Ann's Message-ID"
expect_eq "$(msg m2@evil.test)" "customer unverified" "stranger's reply to our Message-ID"
expect_eq "$(participant 1 mallory@evil.test)" 0 "the stranger as participant"
expect_eq "$(status 1)" pending "status after the stranger's mail"
pd_swaks --to "$agent_token" --from alice@agents.example --header "From: Alice Agent <alice@agents.example>" \
	--header "Subject: Re: [#1] change of address" --header "Message-Id: <a2@agents.example>" \
	--body "Your parcel left today." || pd_fail "agent swaks"
settle
pd_wait_captured ann@shop.example 3
pd_wait_captured bob@shop.example 2
expect_eq "$(pd_captured_count mallory@evil.test)" 0 "copies to the stranger"
expect_eq "$(q "SELECT count(*) FROM outbox WHERE kind = 'reply' AND rcpts LIKE '%evil.test%'")" 0 \
	"replies queued to the stranger or the attacker"
pending_again() { [ "$(status 1)" = pending ] || "${PD[@]}" status 1 pending >/dev/null; }
pending_again || pd_fail "set pending again"
schedule_before=$(schedule 1)

# Item 6: Ann's out-of-office answer to the agent's reply changes nothing.
notices_before=$(notices 1)
send --from ann@shop.example --header "From: ann@shop.example" --header "Auto-Submitted: auto-replied" \
	--header "Subject: Out of office: Re: [#1] change of address" --header "Message-Id: <ooo@shop.example>" \
	--header "In-Reply-To: <$reply_id>" --body "I am away until Monday."
settle
expect_eq "$(msg ooo@shop.example)" "auto " "out-of-office stored as automatic"
expect_eq "$(status 1)" pending "status after an out-of-office"
expect_eq "$(notices 1)" "$notices_before" "agent notices of an out-of-office"
expect_eq "$(schedule 1)" "$schedule_before" "timed work after an out-of-office"
expect_eq "$(q "SELECT count(*) FROM events WHERE ticket_id = 1 AND kind = 'reopened'")" 0 "reopens"

# What real customers do still works: Bob (Cc'd, he got our answer) and Ann answer it.
send --from bob@shop.example --header "From: Bob <bob@shop.example>" \
	--header "Subject: Re: [#1] change of address" --header "Message-Id: <b1@shop.example>" \
	--header "In-Reply-To: <$reply_id>" --body "Ann is away; I confirm the address."
settle
expect_eq "$(msg b1@shop.example)" "customer " "Bob's answer to our mail"
expect_eq "$(status 1)" open "status after Bob's answer"
"${PD[@]}" status 1 pending >/dev/null || pd_fail "set pending"
send --from ann@shop.example --header "From: Ann Buyer <ann@shop.example>" \
	--header "Subject: AW: [#1] change of address" --header "Message-Id: <t2@shop.example>" \
	--header "References: <t1@shop.example> <$reply_id>" --body "Thanks, all good."
settle
expect_eq "$(msg t2@shop.example)" "customer " "Ann's Outlook-style answer (References only)"
expect_eq "$(status 1)" open "status after Ann's answer"

# Item 4: one mail with 1,000 Cc addresses makes 20 participants (+ the requester).
many=$T/many.eml
{
	printf 'From: Ann Buyer <ann@shop.example>\r\nTo: support@%s\r\nCc: c0@many.example' "$DOMAIN"
	for i in $(seq 1 999); do printf ',\r\n c%d@many.example' "$i"; done
	printf '\r\nSubject: for all of us\r\nMessage-Id: <many@shop.example>\r\n\r\nHello all.\r\n'
} >"$many"
pd_swaks --to "support@$DOMAIN" --from ann@shop.example --data "@$many" || pd_fail "swaks: $(pd_swaks_log)"
settle
many_ticket=$(q "SELECT ticket_id FROM messages WHERE message_id = 'many@shop.example'")
[ -n "$many_ticket" ] || pd_fail "the mail with 1,000 Cc was not stored"
expect_eq "$(q "SELECT count(*) FROM participants WHERE ticket_id = $many_ticket")" 21 "participants"
expect_eq "$(q "SELECT detail FROM events WHERE ticket_id = $many_ticket AND kind = 'participants_capped'")" \
	"980 To/Cc addresses not added (max_participants = 20)" "participants_capped event"
capped_notice() { [ -n "$(captured_with alice@agents.example "980 To/Cc addresses were not added")" ]; }
pd_wait_until 20 capped_notice || pd_fail "the agent notice does not say addresses were left out"

pd_log "PASS (${SECONDS}s)"
