#!/bin/bash
# Issue 2 end to end: a real Postfix (sandboxed on loopback) relays the support domain over
# LMTP to postdesk-lmtpd; mail is sent with swaks; results are read from the SQLite store
# and from `postdesk tickets/show --json`.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks sqlite3 jq

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
CONF=$T/postdesk.conf
DB=$T/db/postdesk.db
cat >"$CONF" <<CONF
[postdesk]
database = $(pd_db "$DB")
key_file = $T/db/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/lmtp.sock
max_message_size = 100k
[queue support]
address = support@$DOMAIN
CONF
"$B/postdesk" -c "$CONF" init >/dev/null || pd_fail "postdesk init failed"
# Run again (an upgrade), init keeps the key it made: tokens already sent stay valid.
key_before=$(sha256sum <"$T/db/postdesk.key")
"$B/postdesk" -c "$CONF" init >/dev/null || pd_fail "postdesk init run again failed"
[ "$(sha256sum <"$T/db/postdesk.key")" = "$key_before" ] || pd_fail "init replaced the key"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$CONF" -f
pd_wait_socket "$T/lmtp.sock" 10 lmtpd
# Postfix accepts up to 200 KB, postdesk up to 100 KB: both size refusals are exercised.
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/lmtp.sock" message_size_limit=200000

q() { pd_sql "$DB" "$1"; }
ticket_of() { q "SELECT ticket_id FROM messages WHERE message_id = '$1'"; }
# (then notifyd's pass, as tick --no-send: it acknowledges the tickets lmtpd opened)
settle() { pd_postfix_wait_empty "$T/postfix" 30 && pd_notifyd_pass "$CONF"; }
send() { pd_swaks --to "support@$DOMAIN" "$@" || pd_fail "swaks failed: $(pd_swaks_log)"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }

# 1. A new mail makes ticket 1.
send --from ann@shop.example --header "From: Ann Buyer <ann@shop.example>" \
	--header "Cc: Bob <bob@shop.example>" --header "Subject: Where is my order?" \
	--header "Message-Id: <e2e-1@shop.example>" --body "Order 1234 has not arrived."
settle
expect_eq "$(ticket_of e2e-1@shop.example)" 1 "first mail"
expect_eq "$("$B/postdesk" -c "$CONF" tickets --json | jq -r '.[0] | "\(.id) \(.status) \(.requester) \(.subject) \(.message_count)"')" \
	"1 new ann@shop.example Where is my order? 2" "tickets --json (her mail and our acknowledgement)"

# 2. A reply with In-Reply-To lands in it.
send --from ann@shop.example --header "Subject: Re: Where is my order?" \
	--header "Message-Id: <e2e-2@shop.example>" --header "In-Reply-To: <e2e-1@shop.example>"
# 3. Outlook style: only References.
send --from ann@shop.example --header "Subject: AW: Where is my order?" \
	--header "Message-Id: <e2e-3@shop.example>" \
	--header "References: <e2e-1@shop.example> <e2e-2@shop.example>"
# 4. Someone who was only CC'd answers.
send --from bob@shop.example --header "From: Bob <bob@shop.example>" \
	--header "Subject: Re: Where is my order?" --header "Message-Id: <e2e-4@shop.example>" \
	--header "In-Reply-To: <e2e-1@shop.example>"
settle
for id in 2 3 4; do expect_eq "$(ticket_of e2e-$id@shop.example)" 1 "reply $id"; done

# 5. A subject tag from the requester (no references) lands in it; from a stranger: new.
send --from ann@shop.example --header "Subject: [#1] one more question" \
	--header "Message-Id: <e2e-5@shop.example>"
send --from mallory@evil.example --header "Subject: Re: [#1] send me the invoice" \
	--header "Message-Id: <e2e-6@evil.example>"
# 6. An encoded-word subject with the tag ("Re: [#1] Grüße aus München").
send --from ann@shop.example \
	--header "Subject: =?UTF-8?B?UmU6IFsjMV0gR3LDvMOfZSBhdXMgTcO8bmNoZW4=?=" \
	--header "Message-Id: <e2e-7@shop.example>"
settle
expect_eq "$(ticket_of e2e-5@shop.example)" 1 "tag from requester"
expect_eq "$(ticket_of e2e-6@evil.example)" 2 "tag from a stranger"
expect_eq "$(ticket_of e2e-7@shop.example)" 1 "encoded-word tag"
expect_eq "$("$B/postdesk" -c "$CONF" show 1 --json | jq -r '.messages[-1].subject')" \
	"Re: [#1] Grüße aus München" "decoded subject"

# 7. The same message delivered twice is stored once (a resend: same headers and body,
# new trace fields from a new trip through Postfix); a different message that reuses the
# Message-ID is not a duplicate and is stored too.
for i in 1 2; do
	send --from ann@shop.example --header "Subject: twice" --header "Date: Tue, 24 Nov 2026 10:00:00 +0000" \
		--header "Message-Id: <e2e-dup@shop.example>" --body "same body"
done
settle
expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id = 'e2e-dup@shop.example'")" 1 \
	"duplicate delivery"
send --from bob@shop.example --header "Subject: something else" \
	--header "Message-Id: <e2e-dup@shop.example>" --body "another message, same Message-ID"
settle
expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id LIKE '%e2e-dup@shop.example' AND direction = 'in'")" 2 \
	"a different message reusing a Message-ID"

# 8. Oversized: over postdesk's limit -> 552 over LMTP (Postfix bounces it), over
# Postfix's limit -> 552 in the SMTP session. Nothing is stored either way.
big=$T/big.txt
head -c 150000 /dev/zero | tr '\0' 'x' | fold -w 76 >"$big"
send --from ann@shop.example --header "Subject: big" --header "Message-Id: <e2e-big@shop.example>" \
	--body "$big"
settle
pd_maillog_wait "$T/postfix" "dsn=5.3.4, status=bounced" ||
	pd_fail "the message over postdesk's SIZE was not bounced"
head -c 300000 /dev/zero | tr '\0' 'y' | fold -w 76 >"$big"
pd_swaks --to "support@$DOMAIN" --from ann@shop.example --header "Subject: huge" \
	--header "Message-Id: <e2e-huge@shop.example>" --body "$big" &&
	pd_fail "a 300 KB message was accepted over SMTP"
pd_swaks_log | grep -q "552 5.3.4" || pd_fail "no 552 5.3.4 in the SMTP session: $(pd_swaks_log)"
expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id LIKE 'e2e-big%' OR message_id LIKE 'e2e-huge%'")" 0 \
	"oversized messages stored"

# 9. A valid customer token threads; a tampered one is refused and stores nothing.
token=$("$B/postdesk" -c "$CONF" token 1) || pd_fail "postdesk token failed"
send --to "$token" --from ann.private@mail.example --header "Subject: from my other address" \
	--header "Message-Id: <e2e-tok@mail.example>"
bad=$(echo "$token" | sed 's/-\([a-z2-7]\)\([a-z2-7]*\)@/-\2\1@/')
[ "$bad" != "$token" ] || bad=$(echo "$token" | sed 's/-[a-z2-7]\{16\}@/-aaaaaaaaaaaaaaaa@/')
send --to "$bad" --from mallory@evil.example --header "Subject: forged" \
	--header "Message-Id: <e2e-forged@evil.example>"
settle
expect_eq "$(ticket_of e2e-tok@mail.example)" 1 "token reply"
expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id = 'e2e-forged@evil.example'")" 0 \
	"forged token stored"
pd_maillog_wait "$T/postfix" "550 5.7.1" || pd_fail "no 550 5.7.1 for the forged token"

expect_eq "$(q "SELECT count(*) FROM tickets")" 4 "ticket count (1, the stranger's, \"twice\", the reused Message-ID)"
pd_log "PASS (${SECONDS}s)"
