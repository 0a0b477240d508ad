#!/bin/bash
# Issue 13 end to end: merge and split by mail, through the sandboxed Postfix. A customer
# writes twice, from two addresses: two tickets. The agent answers the first notice with
# "#merge 2": ticket 2 is closed as merged into 1 with its messages; later mail to ticket
# 2's reply address, and a reply with its subject tag [#2], land in ticket 1; the report
# counts one ticket. The agent then splits one message off with "#split ROW notify": a new
# ticket linked to 1, and the requester gets its acknowledgement. Then the CLI twins, in
# text and --json, and their refusals.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3 python3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
pd_capture_start "$T"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/lmtp.sock" \
	"relay_domains=$DOMAIN" "transport_maps=inline:{ $DOMAIN=lmtp:unix:$T/lmtp.sock }" \
	"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
	"smtp_tls_security_level=none" "smtpd_reject_unlisted_recipient=no"
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
PD="$B/postdesk -c $T/postdesk.conf"
$PD init >/dev/null || pd_fail "init"
$PD agent add agent@agents.example --name "Agent" >/dev/null || pd_fail "agent add"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/postdesk.conf" -f
pd_bg notifyd "$B/postdesk-notifyd" -c "$T/postdesk.conf" -f
pd_wait_socket "$T/lmtp.sock" 10 lmtpd

q() { pd_sql "$T/postdesk.db" "$1"; }
outbox_drained() { [ "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix" 30
	pd_wait_until 20 outbox_drained || pd_fail "outbox not drained"
	pd_postfix_wait_empty "$T/postfix" 30
}
# The address in the Reply-To of the captured mail to RCPT whose subject carries [#N].
reply_to_of() { # RCPT N
	local f
	for f in $(pd_captured "$1"); do
		if grep -q "^Subject: .*\[#$2\]" "$f"; then
			pd_header_unfolded Reply-To "$f" | sed 's/.*<\(.*\)>.*/\1/'
			return
		fi
	done
}
agent_mail() { # TOKEN MESSAGE-ID TEXT
	pd_swaks --to "$1" --from agent@agents.example \
		--header "From: Agent <agent@agents.example>" --header "Subject: Re: ticket" \
		--header "Message-Id: <$2>" --body "$3" || pd_fail "agent mail $2: $(pd_swaks_log)"
}
ticket_of() { q "SELECT ticket_id FROM messages WHERE message_id = '$1' AND direction = 'in'"; }

# Two tickets from one customer's two addresses.
pd_swaks --to "support@$DOMAIN" --from alice@example.com \
	--header "From: Alice <alice@example.com>" --header "Subject: Parcel 10023 missing" \
	--header "Message-Id: <a1@example.com>" --body "My parcel 10023 has not arrived." ||
	pd_fail "first mail"
settle
pd_swaks --to "support@$DOMAIN" --from alice@work.example \
	--header "From: Alice <alice@work.example>" --header "Subject: Where is my parcel?" \
	--header "Message-Id: <a2@work.example>" --body "Still no parcel, order 10023." ||
	pd_fail "second mail"
settle
[ "$(q "SELECT count(*) FROM tickets")" = 2 ] || pd_fail "two mails from two addresses: not two tickets"
pd_wait_captured agent@agents.example 2 || pd_fail "no notices"
pd_wait_captured alice@work.example 1 || pd_fail "no ack for the second ticket"
agent1=$(reply_to_of agent@agents.example 1)
cust2=$(reply_to_of alice@work.example 2)
[ -n "$agent1" ] && [ -n "$cust2" ] || pd_fail "tokens not found in the notices/acks"

# A refused merge (into itself) holds the mail, merges nothing, and tells the agent.
agent_mail "$agent1" m0@agents.example "#merge 1"
settle
[ "$(q "SELECT count(*) FROM tickets WHERE merged_into IS NOT NULL")" = 0 ] ||
	pd_fail "a merge into itself was applied"
pd_wait_captured agent@agents.example 3 || pd_fail "no command error mail for #merge 1"
grep -q "cannot be merged into itself" "$(pd_newest_captured agent@agents.example)" ||
	pd_fail "the command error mail does not say why"

# The merge, by mail.
agent_mail "$agent1" m1@agents.example "#merge 2"
settle
[ "$(q "SELECT status || ' ' || merged_into FROM tickets WHERE id = 2")" = "closed 1" ] ||
	pd_fail "ticket 2 not closed as merged into 1: $(q "SELECT status, merged_into FROM tickets WHERE id = 2")"
[ "$(ticket_of a2@work.example)" = 1 ] || pd_fail "ticket 2's message did not move"
[ "$(q "SELECT count(*) FROM events WHERE ticket_id = 1 AND kind = 'merged'")" = 1 ] ||
	pd_fail "no merged event on the survivor"
[ "$(q "SELECT count(*) FROM events WHERE ticket_id = 2 AND kind = 'merged_into'")" = 1 ] ||
	pd_fail "no merged_into event on the merged ticket"
[ "$(q "SELECT role FROM participants WHERE ticket_id = 1 AND address = 'alice@work.example'")" = cc ] ||
	pd_fail "the merged ticket's requester did not join the survivor"
pd_log "#merge 2: ticket 2 folded into 1"

# Later mail to ticket 2's reply address lands in ticket 1.
pd_swaks --to "$cust2" --from alice@work.example \
	--header "From: Alice <alice@work.example>" --header "Subject: Re: [#2] Where is my parcel?" \
	--header "Message-Id: <a3@work.example>" --body "Any news?" || pd_fail "mail to token 2"
settle
[ "$(ticket_of a3@work.example)" = 1 ] || pd_fail "mail to ticket 2's token landed in $(ticket_of a3@work.example)"
# A reply with only the subject tag [#2] (no token, no references) lands in ticket 1 too.
pd_swaks --to "support@$DOMAIN" --from alice@work.example \
	--header "From: Alice <alice@work.example>" --header "Subject: Re: [#2] Where is my parcel?" \
	--header "Message-Id: <a4@work.example>" --body "Hello again." || pd_fail "tagged mail"
settle
[ "$(ticket_of a4@work.example)" = 1 ] || pd_fail "mail tagged [#2] landed in $(ticket_of a4@work.example)"
[ "$(q "SELECT count(*) FROM tickets")" = 2 ] || pd_fail "later mail made a new ticket"
pd_log "token and subject tag of ticket 2 lead to ticket 1"

created=$($PD report --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["created"])')
[ "$created" = 1 ] || pd_fail "the report counts $created tickets, not 1"

# The split, by mail, with the requester notified. The agent reads the message's number
# in its notice ("Message: N").
row=$(q "SELECT id FROM messages WHERE message_id = 'a4@work.example'")
noticed() { pd_captured agent@agents.example | xargs grep -l "Hello again" >/dev/null; }
pd_wait_until 20 noticed || pd_fail "no notice of the tagged mail"
notice=$(grep -l "Hello again" $(pd_captured agent@agents.example) | head -1)
shown=$(tr -d '\r' <"$notice" | sed -n 's/^Message: \([0-9]*\)$/\1/p' | head -1)
[ "$shown" = "$row" ] || pd_fail "the notice shows message '$shown', not $row"
acks=$(pd_captured_count alice@example.com)
agent_mail "$agent1" s1@agents.example "#split $row notify"
settle
new=$(q "SELECT id FROM tickets WHERE linked_to = 1")
[ "$new" = 3 ] || pd_fail "#split made no ticket linked to 1 ($new)"
[ "$(ticket_of a4@work.example)" = 3 ] || pd_fail "the split message did not move"
[ "$(ticket_of a3@work.example)" = 1 ] || pd_fail "#split without rest moved an earlier message"
pd_wait_captured alice@example.com $((acks + 1)) || pd_fail "the requester got no acknowledgement"
grep -q "^Subject: .*\[#3\]" "$(pd_newest_captured alice@example.com)" ||
	pd_fail "the acknowledgement does not name ticket 3"
pd_log "#split $row notify: ticket 3, linked, requester told"

# The CLI twins: text, --json, refusals.
out=$($PD merge 1 1 --json); rc=$?
[ $rc = 65 ] || pd_fail "merge into itself: exit $rc"
echo "$out" | python3 -c 'import json,sys; assert "itself" in json.load(sys.stdin)["error"]' ||
	pd_fail "merge into itself: no JSON error ($out)"
$PD merge 3 2 >/dev/null 2>&1 && pd_fail "merging a merged ticket was accepted"
out=$($PD merge 1 3 --json) || pd_fail "merge 1 3 failed: $out"
echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d == {"ticket": 1, "merged": 3}, d' ||
	pd_fail "merge --json: $out"
[ "$(q "SELECT merged_into FROM tickets WHERE id = 3")" = 1 ] || pd_fail "CLI merge not applied"
# Merging 3 re-pointed nothing to chase: its message is back in 1.
[ "$(ticket_of a4@work.example)" = 1 ] || pd_fail "CLI merge did not move the messages"
out=$($PD split 1 "$row" --from admin@support.test) || pd_fail "split: $out"
[ "$out" = "ticket 1: message $row split off into ticket 4" ] || pd_fail "split text: $out"
out=$($PD split 4 "$row" --json); rc=$?
[ $rc = 65 ] || pd_fail "splitting a ticket's only message: exit $rc ($out)"
out=$($PD split 1 a --json); rc=$?
[ $rc = 64 ] || pd_fail "split with a bad number: exit $rc ($out)"
pd_log "ok"
