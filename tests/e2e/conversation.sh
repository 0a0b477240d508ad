#!/bin/bash
# Issue 3 end to end: a conversation by mail. A sandboxed Postfix relays the support
# domain over LMTP to postdesk-lmtpd and everything else to a capture server (smtp-sink,
# the outside world); postdesk-notifyd sends the outbox through that Postfix.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
OTHER=other.test

pd_capture_start "$T"
# support.test and other.test are two postdesk instances on this host; bad.example has a
# user that does not exist (Postfix bounces mail to it, a real DSN); the rest is the world.
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/a/lmtp.sock" \
	"relay_domains=$DOMAIN $OTHER" \
	"transport_maps=inline:{ $DOMAIN=lmtp:unix:$T/a/lmtp.sock, $OTHER=lmtp:unix:$T/b/lmtp.sock, { bad.example = error:5.1.1 mailbox unknown } }" \
	"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
	"smtp_tls_security_level=none" "smtpd_reject_unlisted_recipient=no"

instance() { # NAME DOMAIN
	mkdir -p "$T/$1"
	cat >"$T/$1/postdesk.conf" <<CONF
[postdesk]
database = $(pd_db "$T/$1/postdesk.db")
key_file = $T/$1/postdesk.key
domain = $2
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/$1/lmtp.sock
relay = 127.0.0.1:$PD_SMTP_PORT
template_dir = $PD_SRCDIR/templates/en
outbox_retry_base = 1s
[queue support]
address = support@$2
display_name = Example Support
CONF
	"$B/postdesk" -c "$T/$1/postdesk.conf" init >/dev/null || pd_fail "init $1"
	pd_bg "lmtpd-$1" "$B/postdesk-lmtpd" -c "$T/$1/postdesk.conf" -f
	pd_bg "notifyd-$1" "$B/postdesk-notifyd" -c "$T/$1/postdesk.conf" -f
	pd_wait_socket "$T/$1/lmtp.sock" 10 "lmtpd-$1"
}
instance a "$DOMAIN"
instance b "$OTHER"
PD=("$B/postdesk" -c "$T/a/postdesk.conf")
"${PD[@]}" agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"
"${PD[@]}" agent add bob@agents.example --name "Bob Agent" >/dev/null || pd_fail "agent add"

q() { pd_sql "$T/${2:-a}/postdesk.db" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
outbox_drained() { [ "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'" "${1:-a}")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix" 30
	pd_wait_until 20 outbox_drained a || pd_fail "outbox a not drained"
	pd_wait_until 20 outbox_drained b || pd_fail "outbox b not drained"
	pd_postfix_wait_empty "$T/postfix" 30
}

# 1. A customer mail: an acknowledgement to the customer, a notice to the agents.
pd_swaks --to "support@$DOMAIN" --from ann@shop.example --header "From: Ann Buyer <ann@shop.example>" \
	--header "Subject: My lamp is broken" --header "Message-Id: <c1@shop.example>" \
	--body "The lamp I bought last week does not switch on." || pd_fail "swaks"
settle
pd_wait_captured ann@shop.example 1
pd_wait_captured alice@agents.example 1
ack=$(pd_newest_captured ann@shop.example)
grep -q "^Auto-Submitted: auto-replied" "$ack" || pd_fail "ack without Auto-Submitted"
expect_eq "$(pd_header In-Reply-To "$ack")" "<c1@shop.example>" "ack In-Reply-To"
expect_eq "$(pd_header References "$ack")" "<c1@shop.example>" "ack References"
pd_header Subject "$ack" | grep -q '^\[#1\]' || pd_fail "ack subject without [#1]"
pd_header Reply-To "$ack" | grep -q "support+1-c-[a-z2-7]*@$DOMAIN" || pd_fail "ack Reply-To not a token"
pd_header X-Mail-Args "$ack" | grep -q "support+b[0-9]*\.1-[a-z2-7]*@$DOMAIN" ||
	pd_fail "outbound envelope sender is not a bounce address"
notice=$(pd_newest_captured alice@agents.example)
agent_token=$(pd_header Reply-To "$notice" | sed 's/.*<\(.*\)>.*/\1/')
case $agent_token in support+1-a1.[0-9]*-*@$DOMAIN) ;; *) pd_fail "notice Reply-To: $agent_token" ;; esac
grep -q "##- Please type your reply above this line -##" "$notice" || pd_fail "no marker"

# 2. The agent answers from a mail client, Gmail style (quote below an attribution).
body=$(printf 'Hello Ann,\n\nsorry about that: a new lamp is on its way.\n\nAlice\n\nOn Tue, Nov 24, 2026 at 10:02 AM Ann Buyer via Example Support <support@%s> wrote:\n> ##- Please type your reply above this line -##\n> Ticket #1 in support\n> The lamp I bought last week does not switch on.\n' "$DOMAIN")
pd_swaks --to "$agent_token" --from alice@agents.example --header "From: Alice Agent <alice@agents.example>" \
	--header "Subject: Re: [#1] My lamp is broken" --header "Message-Id: <a1@agents.example>" \
	--body "$body" || pd_fail "agent swaks"
settle
pd_wait_captured ann@shop.example 2
reply=$(pd_newest_captured ann@shop.example)
grep -q "a new lamp is on its way" "$reply" || pd_fail "reply text missing"
grep -q "does not switch on" "$reply" && pd_fail "the quoted text reached the customer"
grep -q "Please type your reply" "$reply" && pd_fail "the marker reached the customer"
expect_eq "$(pd_header In-Reply-To "$reply")" "<c1@shop.example>" "reply In-Reply-To"
pd_header References "$reply" | grep -q "<c1@shop.example>" || pd_fail "reply References"
pd_header From "$reply" | grep -q "Alice Agent" || pd_fail "reply From lacks the agent name"
pd_header From "$reply" | grep -q "<support@$DOMAIN>" || pd_fail "reply not from the queue address"

# 3. #note reaches no customer; #status resolved changes the status.
pd_swaks --to "$agent_token" --from alice@agents.example --header "From: alice@agents.example" \
	--header "Message-Id: <a2@agents.example>" --body $'#note\nShe is a VIP customer.' || pd_fail "note"
pd_swaks --to "$agent_token" --from alice@agents.example --header "From: alice@agents.example" \
	--header "Message-Id: <a3@agents.example>" --body '#status resolved' || pd_fail "status"
settle
expect_eq "$(pd_captured_count ann@shop.example)" 2 "mails to the customer after a note"
note_to_bob() { grep -l "She is a VIP" $(pd_captured bob@agents.example) >/dev/null 2>&1; }
pd_wait_until 20 note_to_bob || pd_fail "note not sent to bob"
expect_eq "$(q "SELECT status FROM tickets WHERE id = 1")" resolved "status after #status resolved"

# 4. A forged From, and a tampered token: refused, nothing reaches the customer.
pd_swaks --to "$agent_token" --from mallory@evil.example --header "From: Alice Agent <mallory@evil.example>" \
	--header "Message-Id: <f1@evil.example>" --body "Refund approved, send bank details." || pd_fail "swaks"
bad_token=$(echo "$agent_token" | sed 's/-\([a-z2-7]\)\([a-z2-7]*\)@/-\2\1@/')
pd_swaks --to "$bad_token" --from alice@agents.example --header "From: alice@agents.example" \
	--header "Message-Id: <f2@agents.example>" --body "tampered" || pd_fail "swaks"
settle
expect_eq "$(pd_captured_count ann@shop.example)" 2 "mails to the customer after forgeries"
expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id IN ('f1@evil.example', 'f2@agents.example')")" 0 \
	"forged mail stored"
pd_maillog_wait "$T/postfix" "is not a registered agent" || pd_fail "forged From not refused"
pd_maillog_wait "$T/postfix" "550 5.7.1 <$bad_token>: reply address is not valid (bad signature)" ||
	pd_fail "tampered token not refused"

# 5. An auto-reply opens a ticket but gets no acknowledgement.
pd_swaks --to "support@$DOMAIN" --from holiday@shop.example --header "Auto-Submitted: auto-replied" \
	--header "Subject: Out of office" --header "Message-Id: <ooo@shop.example>" || pd_fail "swaks"
settle
expect_eq "$(pd_captured_count holiday@shop.example)" 0 "acknowledgements to an auto-reply"

# 6. Two postdesk instances whose support addresses write to each other: at most one
# automatic mail each way.
pd_swaks --to "support@$DOMAIN" --from "support@$OTHER" --header "From: support@$OTHER" \
	--header "Subject: Hello from the other desk" --header "Message-Id: <x1@$OTHER>" || pd_fail "swaks"
settle
sleep 3
settle
a_to_b=$(q "SELECT count(*) FROM outbox WHERE rcpts = 'support@$OTHER'" a)
b_to_a=$(q "SELECT count(*) FROM outbox WHERE rcpts = 'support@$DOMAIN'" b)
[ "$a_to_b" -le 1 ] && [ "$b_to_a" -le 1 ] ||
	pd_fail "automatic mails between the desks: a->b $a_to_b, b->a $b_to_a"

# 7. A bounce of mail we sent is recorded on its ticket and opens no ticket.
tickets_before=$(q "SELECT count(*) FROM tickets")
pd_swaks --to "support@$DOMAIN" --from carl@bad.example --header "From: Carl <carl@bad.example>" \
	--header "Subject: Where is my parcel" --header "Message-Id: <carl1@bad.example>" || pd_fail "swaks"
settle
carl_ticket=$(q "SELECT ticket_id FROM messages WHERE message_id = 'carl1@bad.example'")
bounce_recorded() { [ "$(q "SELECT count(*) FROM messages WHERE kind = 'bounce' AND ticket_id = $1")" -ge 1 ]; }
pd_wait_until 20 bounce_recorded "$carl_ticket" ||
	pd_fail "the DSN for the acknowledgement was not recorded on ticket $carl_ticket"
expect_eq "$(q "SELECT count(*) FROM tickets")" $((tickets_before + 1)) "tickets after a bounce"
expect_eq "$(q "SELECT bounced FROM customers WHERE email = 'carl@bad.example'")" 1 "bounced flag"

# 8. A DSN for an agent's reply (not only for the acknowledgement): recorded on the same
# ticket, tied to the reply's outbox row by its bounce address, no new ticket.
echo "Your parcel left our warehouse yesterday." |
	"${PD[@]}" reply "$carl_ticket" --from alice@agents.example >/dev/null || pd_fail "postdesk reply"
settle
reply_bounced() {
	[ "$(q "SELECT count(*) FROM messages m JOIN outbox o ON m.rcpt LIKE 'support+b' || o.id || '.%'
		WHERE m.kind = 'bounce' AND o.kind = 'reply' AND m.ticket_id = $1 AND o.ticket_id = $1")" -ge 1 ]
}
pd_wait_until 20 reply_bounced "$carl_ticket" ||
	pd_fail "the DSN for the agent's reply was not recorded on ticket $carl_ticket"
expect_eq "$(q "SELECT count(*) FROM tickets")" $((tickets_before + 1)) "tickets after the reply's bounce"

pd_log "PASS (${SECONDS}s)"
