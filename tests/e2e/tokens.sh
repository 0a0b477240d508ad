#!/bin/bash
# Issue 11, tokens, bounces and the recipient cap, end to end through a sandboxed Postfix
# (doc/security.md, "Tokens and keys"):
#   1. item 3: a Cc'd participant's fake DSN naming the requester, sent to the bounce
#      address of the reply they received, does not flag the requester; Postfix's real DSN
#      for another participant's dead address flags only that participant (VERP);
#   2. item 5: an agent token of a removed agent, another agent's token, an expired token
#      (issued in the past with `postdesk token --issued`) are refused with 5.7.1 and their
#      text; a customer token of a closed ticket still works;
#   3. key rotation: a token signed with the old key works during the grace period and is
#      refused once the key is pruned;
#   4. item 4 (recipients): an agent answer on a ticket with 30 participants reaches at most
#      max_recipients (20) addresses, with a recipients_capped event and a notice to the agent.
# LMTP refuses after Postfix took the mail, so a refusal comes back as Postfix's bounce to
# the sender (captured like all mail to the world) with postdesk's reply text in it.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
CONF=$T/a/postdesk.conf

pd_capture_start "$T"
# bad.example has no users: Postfix bounces mail to it with a real DSN.
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/a/lmtp.sock" \
	"relay_domains=$DOMAIN" \
	"transport_maps=inline:{ $DOMAIN=lmtp:unix:$T/a/lmtp.sock, { bad.example = error:5.1.1 mailbox unknown } }" \
	"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
	"smtp_tls_security_level=none" "smtpd_reject_unlisted_recipient=no"

mkdir -p "$T/a"
cat >"$CONF" <<CONF
[postdesk]
database = $(pd_db "$T/a/postdesk.db")
key_file = $T/a/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/a/lmtp.sock
relay = 127.0.0.1:$PD_SMTP_PORT
template_dir = $PD_SRCDIR/templates/en
outbox_retry_base = 1s
# More participants than an answer may reach (max_recipients 20), to test that cap.
max_participants = 40
[queue support]
address = support@$DOMAIN
display_name = Example Support
CONF
PD=("$B/postdesk" -c "$CONF")
"${PD[@]}" init >/dev/null || pd_fail "init"
start_lmtpd() {
	pd_bg lmtpd "$B/postdesk-lmtpd" -c "$CONF" -f
	pd_wait_socket "$T/a/lmtp.sock" 10 lmtpd
}
start_lmtpd
pd_bg notifyd "$B/postdesk-notifyd" -c "$CONF" -f
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
bounced() { q "SELECT bounced FROM customers WHERE email = '$1'"; }
messages() { q "SELECT count(*) FROM messages WHERE direction = 'in'"; }
# The bounce Postfix sent SENDER for a refused mail carries postdesk's text.
# (Postfix folds the remote server's reply: lines are joined before the search.)
has_refusal() {
	local f
	for f in $(pd_captured "$1"); do
		tr -d '\r' <"$f" | tr '\n' ' ' | tr -s ' ' | grep -q -F "$2" && return 0
	done
	return 1
}
expect_refused() { # SENDER TEXT WHAT
	pd_wait_until 30 has_refusal "$1" "$2" || pd_fail "$3: no bounce to $1 saying '$2'"
}

# ---- 1. Item 3: who a delivery report can flag ----
pd_swaks --to "support@$DOMAIN" --from ann@shop.example --header "From: Ann <ann@shop.example>" \
	--header "Cc: carol@shop.example, dave@bad.example" --header "Subject: Order 17" \
	--header "Message-Id: <o17@shop.example>" --body "Where is my order?" || pd_fail "swaks 1"
settle
expect_eq "$(q "SELECT count(*) FROM participants WHERE ticket_id = 1 AND role <> 'agent'")" 3 \
	"participants of ticket 1"
echo "It ships tomorrow." | "${PD[@]}" reply 1 --from alice@agents.example >/dev/null ||
	pd_fail "reply 1"
settle
pd_wait_captured carol@shop.example 1
copy=$(pd_newest_captured carol@shop.example)
carol_bounce=$(pd_header X-Mail-Args "$copy" | sed 's/^<\([^>]*\)>.*/\1/')
ann_bounce=$(pd_header X-Mail-Args "$(pd_newest_captured ann@shop.example)" | sed 's/^<\([^>]*\)>.*/\1/')
case $carol_bounce in support+b[0-9]*.[0-9]*-*@$DOMAIN) ;; *) pd_fail "carol's copy from $carol_bounce" ;; esac
[ "$carol_bounce" != "$ann_bounce" ] || pd_fail "ann and carol share a bounce address"
# Carol "reports" that ann's address is dead, to the bounce address of her own copy.
cat >"$T/fake.dsn" <<DSN
From: Mail Delivery System <MAILER-DAEMON@shop.example>
To: $carol_bounce
Subject: Undelivered Mail Returned to Sender
Message-ID: <fake1@shop.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

Your message could not be delivered.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shop.example

Final-Recipient: rfc822; ann@shop.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 no such user

--b--
DSN
pd_swaks --from "" --to "$carol_bounce" --data "@$T/fake.dsn" || pd_fail "fake DSN"
settle
pd_wait_until 20 eval '[ "$(q "SELECT count(*) FROM messages WHERE kind = '"'bounce'"'")" -ge 1 ]' ||
	pd_fail "the fake DSN was not recorded"
expect_eq "$(bounced ann@shop.example)" 0 "the requester flagged by a participant's fake DSN"
# Dave's address does not exist: Postfix's own DSN comes back to dave's bounce address and
# is about dave (a Cc'd participant has no customer row to flag: the ticket event says it).
bounce_events() { q "SELECT count(*) FROM events WHERE kind = 'bounce' AND actor = '$1'"; }
pd_wait_until 30 eval '[ "$(bounce_events dave@bad.example)" = 1 ]' ||
	pd_fail "a real DSN for dave was not recorded as dave's"
expect_eq "$(bounced ann@shop.example)" 0 "ann flagged by dave's DSN"
expect_eq "$(q "SELECT count(*) FROM events WHERE kind = 'bounce' AND actor = 'ann@shop.example'")" 0 \
	"bounce event for ann"

# ---- 2. Item 5: agent tokens expire, and belong to one agent ----
"${PD[@]}" agent add eve@agents.example --name "Eve Agent" >/dev/null || pd_fail "agent add eve"
eve_tok=$("${PD[@]}" token 1 --role agent --agent eve@agents.example) || pd_fail "token eve"
"${PD[@]}" agent remove eve@agents.example >/dev/null || pd_fail "agent remove"
before=$(messages)
status=$(q 'SELECT status FROM tickets WHERE id = 1')
pd_swaks --to "$eve_tok" --from eve@agents.example --header "From: eve@agents.example" \
	--header "Subject: Re: [#1] Order 17" --body "Refund approved." || pd_fail "swaks eve"
settle
expect_refused eve@agents.example "is not a registered agent" "a removed agent's token"
# The same token with a registered agent's From: issued to someone else.
pd_swaks --to "$eve_tok" --from bob@agents.example --header "From: bob@agents.example" \
	--header "Subject: Re: [#1] Order 17" --body "Refund approved." || pd_fail "swaks bob"
settle
expect_refused bob@agents.example "issued to another agent" "another agent's token"
# An agent token issued 31 days ago (agent_token_lifetime 30d): refused at RCPT.
old_tok=$("${PD[@]}" token 1 --role agent --agent alice@agents.example --issued 31) ||
	pd_fail "token --issued"
pd_swaks --to "$old_tok" --from alice@agents.example --header "From: alice@agents.example" \
	--header "Subject: Re: [#1] Order 17" --body "#status closed" || pd_fail "swaks old"
settle
expect_refused alice@agents.example "reply address expired; reply to the latest notice of ticket 1" \
	"an expired agent token"
expect_eq "$(messages)" "$before" "refused agent mail was stored"
expect_eq "$(q 'SELECT status FROM tickets WHERE id = 1')" "$status" "status after refused mail"
# A fresh token of alice's own works (the control).
tok=$("${PD[@]}" token 1 --role agent --agent alice@agents.example) || pd_fail "token alice"
pd_swaks --to "$tok" --from alice@agents.example --header "From: alice@agents.example" \
	--header "Subject: Re: [#1] Order 17" --body $'#status closed\n#note done' || pd_fail "swaks alice"
settle
expect_eq "$(q 'SELECT status FROM tickets WHERE id = 1')" closed "status by a valid agent token"
# Customer tokens do not expire: ann answers the closed ticket with its reply address.
ctok=$("${PD[@]}" token 1) || pd_fail "token customer"
pd_swaks --to "$ctok" --from ann@shop.example --header "From: ann@shop.example" \
	--header "Subject: Re: [#1] Order 17" --body "It did not arrive after all." || pd_fail "swaks ann"
settle
expect_eq "$(q "SELECT count(*) FROM messages WHERE from_addr = 'ann@shop.example' AND body LIKE '%did not arrive%'")" 1 \
	"customer token of a closed ticket"
pd_captured ann@shop.example | xargs grep -l "Undelivered Mail" >/dev/null 2>&1 &&
	pd_fail "ann's reply to a closed ticket bounced"

# ---- 3. Key rotation ----
old_ctok=$("${PD[@]}" token 1) || pd_fail "token before rotation"
"${PD[@]}" key rotate --grace 7 >/dev/null || pd_fail "key rotate"
"${PD[@]}" key list | grep -q "verifies" || pd_fail "key list: $("${PD[@]}" key list)"
new_ctok=$("${PD[@]}" token 1) || pd_fail "token after rotation"
[ "$old_ctok" != "$new_ctok" ] || pd_fail "the new key signs nothing new"
pd_stop lmtpd
start_lmtpd
before=$(messages)
pd_swaks --to "$old_ctok" --from ann@shop.example --header "From: ann@shop.example" \
	--header "Subject: Re: [#1] Order 17" --body "Old key, grace period." || pd_fail "swaks grace"
settle
expect_eq "$(messages)" $((before + 1)) "old-key token during the grace period"
# Eight days on, the old key is pruned: its token is refused as a bad signature.
"${PD[@]}" key rotate --prune --now "@$(($(date +%s) + 8 * 86400))" | grep -q "1 expired key dropped" ||
	pd_fail "prune"
pd_stop lmtpd
start_lmtpd
pd_swaks --to "$old_ctok" --from ann@shop.example --header "From: ann@shop.example" \
	--header "Subject: Re: [#1] Order 17" --body "Old key, pruned." || pd_fail "swaks pruned"
settle
expect_refused ann@shop.example "reply address is not valid (bad signature)" \
	"a token of a pruned key"
expect_eq "$(messages)" $((before + 1)) "a pruned key's token was stored"

# ---- 4. Item 4: at most max_recipients addresses per answer ----
cc=""
for i in $(seq 1 29); do cc+="${cc:+, }p$i@crowd.example"; done
pd_swaks --to "support@$DOMAIN" --from frank@crowd.example --header "From: frank@crowd.example" \
	--header "Cc: $cc" --header "Subject: Big group" --body "Hello all" || pd_fail "swaks cc"
settle
ticket=$(q "SELECT id FROM tickets WHERE subject = 'Big group'")
expect_eq "$(q "SELECT count(*) FROM participants WHERE ticket_id = $ticket AND role <> 'agent'")" 30 \
	"participants of the big ticket"
notices=$(pd_captured_count alice@agents.example)
echo "Answer to everyone." | "${PD[@]}" reply "$ticket" --from alice@agents.example >/dev/null ||
	pd_fail "reply big"
settle
reached=0
for a in frank@crowd.example $(seq -f 'p%g@crowd.example' 1 29); do
	pd_captured "$a" | xargs -r grep -l "Answer to everyone" | grep -q . && reached=$((reached + 1))
done
[ "$reached" -le 20 ] || pd_fail "the answer reached $reached addresses (max_recipients 20)"
[ "$reached" = 20 ] || pd_fail "the answer reached $reached addresses, expected 20"
pd_captured frank@crowd.example | xargs -r grep -l "Answer to everyone" | grep -q . ||
	pd_fail "the requester did not get the answer"
expect_eq "$(q "SELECT count(*) FROM events WHERE ticket_id = $ticket AND kind = 'recipients_capped'")" 1 \
	"recipients_capped event"
pd_wait_captured alice@agents.example $((notices + 1))
grep -q "10 addresses left out" "$(pd_newest_captured alice@agents.example)" ||
	pd_fail "the agent was not told: $(cat "$(pd_newest_captured alice@agents.example)")"

pd_log "PASS"
