#!/bin/bash
# Issue 13 end to end: the daily digest per agent, through the sandboxed Postfix.
# digest_time = 08:00 in the queue's timezone (Europe/Berlin), business days mon-fri.
# `postdesk tick --now` moves the clock (no sleeping, no wall clock):
#  - before 08:00 on a business day: no digest;
#  - Monday 08:01: each agent with tickets gets one digest listing them (new, open and
#    pending, by number and subject); an agent with nothing to report gets no mail; an
#    agent who opted out (`agent add --digest off`) gets none;
#  - a second tick the same day (10:00) sends nothing;
#  - Tuesday 08:01 sends again; Saturday 08:01 sends nothing;
#  - Wednesday skipped (notifyd down): Thursday sends Thursday's digest once, never
#    Wednesday's.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3

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
digest_time = 08:00
[queue support]
address = support@$DOMAIN
display_name = Example Support
timezone = Europe/Berlin
business_hours = mon-fri 09:00-17:00
CONF
PD=("$B/postdesk" -c "$T/a/postdesk.conf")
"${PD[@]}" init >/dev/null || pd_fail "init"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/a/postdesk.conf" -f
pd_wait_socket "$T/a/lmtp.sock" 10 lmtpd
for a in alice bob carol dave; do
	"${PD[@]}" agent add "$a@agents.example" --name "${a^} Agent" >/dev/null || pd_fail "agent add $a"
done
"${PD[@]}" agent add carol@agents.example --name "Carol Agent" --digest off >/dev/null ||
	pd_fail "agent add --digest off"
"${PD[@]}" agent add x@agents.example --name X --digest maybe >/dev/null 2>&1
[ $? = 64 ] || pd_fail "--digest maybe is not a usage error"

q() { pd_sql "$T/a/postdesk.db" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
digests() { q "SELECT count(*) FROM outbox WHERE kind = 'digest'"; }
digests_to() { q "SELECT count(*) FROM outbox WHERE kind = 'digest' AND rcpts LIKE '%$1%'"; }
tick() { "${PD[@]}" tick --now "$1" >/dev/null || pd_fail "tick --now $1"; }
# The digests captured for an agent (mail that left through Postfix).
captured_digests() { grep -l "^Subject: Your tickets on" $(pd_captured "$1") /dev/null 2>/dev/null | grep -c .; }
has_digests() { [ "$(captured_digests "$1")" -ge "$2" ]; }

customer() { # FROM SUBJECT BODY MSGID
	pd_swaks --to "support@$DOMAIN" --from "$1" --header "From: $1" --header "Subject: $2" \
		--header "Message-Id: <$4>" --body "$3" || pd_fail "swaks $4"
}
customer zoe@shop.example "Where is my parcel?" "Order 10023 has not arrived yet." d1@shop.example
customer max@shop.example "Invoice question" "The invoice shows a wrong VAT number." d2@shop.example
customer eve@shop.example "Broken kettle" "It leaks." d3@shop.example
pd_postfix_wait_empty "$T/postfix" 30
tickets3() { [ "$(q "SELECT count(*) FROM tickets")" = 3 ]; }
pd_wait_until 20 tickets3 || pd_fail "tickets not stored"
"${PD[@]}" assign 1 alice@agents.example >/dev/null || pd_fail "assign 1"
"${PD[@]}" assign 3 alice@agents.example >/dev/null || pd_fail "assign 3"
"${PD[@]}" status 3 pending >/dev/null || pd_fail "status 3"
"${PD[@]}" assign 2 bob@agents.example >/dev/null || pd_fail "assign 2"

# Monday 2026-12-07 07:59 in Berlin (06:59Z): before digest_time.
tick 2026-12-07T06:59:00Z
expect_eq "$(digests)" 0 "digests before 08:00"
# Monday 08:01: alice and bob get one each; carol opted out; dave has nothing to report.
tick 2026-12-07T07:01:00Z
expect_eq "$(digests_to alice@)" 1 "alice's Monday digest"
expect_eq "$(digests_to bob@)" 1 "bob's Monday digest"
expect_eq "$(digests)" 2 "Monday digests (carol opted out, dave has none)"
expect_eq "$(q "SELECT listed FROM agent_digests d JOIN agents a ON a.id = d.agent_id
	WHERE a.email = 'dave@agents.example' AND day = '2026-12-07'")" 0 "dave's empty digest recorded"
pd_wait_until 30 has_digests alice@agents.example 1 || pd_fail "alice's digest not delivered"
pd_wait_until 30 has_digests bob@agents.example 1 || pd_fail "bob's digest not delivered"
f=$(grep -l "^Subject: Your tickets on 2026-12-07" $(pd_captured alice@agents.example) | head -1)
[ -n "$f" ] || pd_fail "alice's digest subject"
grep -q "#1 .*new .*Where is my parcel" "$f" || pd_fail "alice's digest lacks ticket 1: $(cat "$f")"
grep -q "#3 .*pending .*Broken kettle" "$f" || pd_fail "alice's digest lacks ticket 3: $(cat "$f")"
grep -q "Invoice question" "$f" && pd_fail "alice's digest lists bob's ticket"
grep -q "^Auto-Submitted: auto-replied" "$f" || pd_fail "digest not marked automatic"
f=$(grep -l "^Subject: Your tickets on 2026-12-07" $(pd_captured bob@agents.example) | head -1)
grep -q "#2 .*Invoice question" "$f" || pd_fail "bob's digest lacks ticket 2"
expect_eq "$(captured_digests carol@agents.example)" 0 "carol's digests"
expect_eq "$(captured_digests dave@agents.example)" 0 "dave's digests"

# The same day again, later: nothing.
tick 2026-12-07T09:00:00Z
tick 2026-12-07T22:59:00Z
expect_eq "$(digests)" 2 "a second tick the same day"
# Tuesday 08:01: again.
tick 2026-12-08T07:01:00Z
expect_eq "$(digests)" 4 "Tuesday digests"
# Wednesday nothing ran; Thursday 15:00 sends Thursday's once (never Wednesday's).
tick 2026-12-10T14:00:00Z
tick 2026-12-10T14:01:00Z
expect_eq "$(digests)" 6 "Thursday digests after a missed Wednesday"
expect_eq "$(q "SELECT count(*) FROM agent_digests WHERE day = '2026-12-09'")" 0 "Wednesday's digest sent late"
# Saturday 08:01: not a business day.
tick 2026-12-12T07:01:00Z
expect_eq "$(digests)" 6 "Saturday digests"
pd_wait_until 30 has_digests alice@agents.example 3 || pd_fail "alice's digests not delivered"
expect_eq "$(captured_digests alice@agents.example)" 3 "alice's digests delivered"
pd_log "ok"
