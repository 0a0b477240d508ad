#!/bin/bash
# Issue 14 (CES and retention) end to end: with survey_questions = csat ces, a resolved
# ticket's survey asks for the customer's effort (CES 1..7 links, no NPS); the customer's
# click on "6" stores ces 6 in surveys; `postdesk report` (text and --json) shows the CES
# mean and distribution and the retention figures: the customer's second ticket, written
# after the first was resolved (within 7 days), is a repeat contact, and in a period that
# starts after the first ticket the customer is a returning one. Time for the survey is
# moved with `postdesk tick --now` (no sleeping); a sandboxed Postfix relays the support
# domain over LMTP to postdesk-lmtpd and everything else to a capture server.
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
survey_delay = 1h
survey_questions = csat ces
[queue support]
address = support@$DOMAIN
display_name = Example Support
CONF
PD=("$B/postdesk" -c "$T/a/postdesk.conf")
"${PD[@]}" init >/dev/null || pd_fail "init"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/a/postdesk.conf" -f
pd_wait_socket "$T/a/lmtp.sock" 10 lmtpd
"${PD[@]}" agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"

q() { pd_sql "$T/a/postdesk.db" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
NOW0=$(date +%s)
H=3600
tick() { # OFFSET-SECONDS: one turn of notifyd's loop at NOW0 + OFFSET
	"${PD[@]}" tick --now "@$((NOW0 + $1))" >/dev/null || pd_fail "tick +$1"
	pd_postfix_wait_empty "$T/postfix" 30
}
customer_mail() { # N SUBJECT
	pd_swaks --to "support@$DOMAIN" --from c1@shop.example \
		--header "From: Carla Customer <c1@shop.example>" --header "Subject: $2" \
		--header "Message-Id: <c1-$1@shop.example>" --body "Question number $1." ||
		pd_fail "swaks ticket $1"
	pd_postfix_wait_empty "$T/postfix" 30
}

# 1. A ticket, resolved by an agent command; its survey goes out after survey_delay.
customer_mail 1 "Where is my parcel?"
expect_eq "$(q 'SELECT count(*) FROM tickets')" 1 "tickets"
atok=$("${PD[@]}" token 1 --role agent --agent alice@agents.example) || pd_fail "token"
pd_swaks --to "$atok" --from alice@agents.example --header "From: alice@agents.example" \
	--header "Message-Id: <a1@agents.example>" --body $'#status resolved\nIt is on its way.' ||
	pd_fail "resolve"
pd_postfix_wait_empty "$T/postfix" 30
expect_eq "$(q 'SELECT status FROM tickets WHERE id = 1')" resolved "status after #status"
tick 60
before=$(pd_captured_count c1@shop.example)
tick $((2 * H))
pd_wait_captured c1@shop.example $((before + 1))
survey=$(pd_newest_captured c1@shop.example)
pd_header Subject "$survey" | grep -q "How did we do" || pd_fail "survey subject"

# 2. The survey asks CSAT and CES (1..7, each a signed link), not NPS.
body=$(tr -d '\r' <"$survey")
grep -q "How easy was it to get your issue resolved?" <<<"$body" || pd_fail "no CES question: $body"
grep -q "Recommend us" <<<"$body" && pd_fail "NPS asked though survey_questions = csat ces"
for n in 1 2 3 4 5 6 7; do
	grep -q "^  $n ([a-z ]*): mailto:support+1-s$n-[a-z2-7]*@$DOMAIN?subject=CES%20$n%20%5B%231%5D\$" \
		<<<"$body" || pd_fail "CES $n link missing: $body"
done
grep -q "^  7 (very easy): " <<<"$body" || pd_fail "CES 7 label"
grep -q "^  5 (very satisfied): mailto:.*subject=CSAT%205" <<<"$body" || pd_fail "CSAT links"

# 3. The customer clicks CES 6: stored as ces, not as CSAT or NPS.
link=$(sed -n 's/^  6 (easy): mailto:\([^?]*\)?subject=.*/\1/p' <<<"$body")
case $link in support+1-s6-*@$DOMAIN) ;; *) pd_fail "CES 6 link: '$link'" ;; esac
pd_swaks --to "$link" --from c1@shop.example --header "From: c1@shop.example" \
	--header "Subject: CES 6 [#1]" --header "Message-Id: <s1@shop.example>" --body "Thanks" ||
	pd_fail "click"
pd_postfix_wait_empty "$T/postfix" 30
pd_wait_until 10 [ "$(q 'SELECT ces FROM surveys WHERE ticket_id = 1')" = 6 ] ||
	pd_fail "stored effort: '$(q 'SELECT ces FROM surveys WHERE ticket_id = 1')'"
expect_eq "$(q 'SELECT CAST(coalesce(csat, -1) AS TEXT) || CAST(coalesce(nps, -1) AS TEXT) FROM surveys WHERE ticket_id = 1')" \
	"-1-1" "CES click stored as another score"
expect_eq "$(q 'SELECT status FROM tickets WHERE id = 1')" resolved "ticket stays resolved"

# 4. The same customer writes again (a new ticket) within 7 days of the resolution: a
# repeat contact. Its creation second must come after ticket 1's, for the period below.
after_t1() { # the clock is past ticket 1's creation second (read again each time)
	local t1
	t1=$(q 'SELECT created FROM tickets WHERE id = 1')
	[ -n "$t1" ] && [ "$(date +%s)" -gt "$t1" ]
}
pd_wait_until 10 after_t1 || pd_fail "ticket 1's creation second never passed: '$(q 'SELECT created FROM tickets WHERE id = 1')'"
T1=$(q 'SELECT created FROM tickets WHERE id = 1')
customer_mail 2 "Another question"
expect_eq "$(q 'SELECT count(*) FROM tickets')" 2 "second ticket"
expect_eq "$(q 'SELECT count(*) FROM tickets WHERE id = 2 AND prev_resolved IS NOT NULL AND created - prev_resolved <= 604800')" \
	1 "ticket 2 within 7 days of ticket 1's resolution"

# 5. The report, text and JSON, up to after the survey (NOW0 + 3 h).
until="@$((NOW0 + 3 * H))"
text=$("${PD[@]}" report --until "$until") || pd_fail "report"
grep -q "^Effort (CES, 1 = very difficult .. 7 = very easy): mean 6.0 from 1 answers (1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 1, 7: 0)\$" \
	<<<"$text" || pd_fail "report text CES: $text"
grep -q "^Retention: 1 customers, 0 returning (0%); 1 repeat contacts within 7 days of a resolution (50% of new tickets)\$" \
	<<<"$text" || pd_fail "report text retention: $text"
json=$("${PD[@]}" report --json --until "$until") || pd_fail "report --json"
jq() { python3 -c 'import json,sys; t=json.load(sys.stdin)["total"]; print(eval(sys.argv[1]))' "$1" <<<"$json"; }
if command -v python3 >/dev/null; then
	expect_eq "$(jq 't["ces_count"], t["ces_mean"], t["ces_distribution"]["6"]')" "(1, 6.0, 1)" "JSON CES"
	expect_eq "$(jq 't["customers"], t["returning_customers"], t["repeat_contacts"], t["repeat_contact_pct"]')" \
		"(1, 0, 1, 50.0)" "JSON retention"
else
	grep -q '"ces_mean" : 6.0' <<<"$json" || pd_fail "JSON CES: $json"
	grep -q '"repeat_contacts" : 1' <<<"$json" || pd_fail "JSON repeat contacts: $json"
fi

# 6. A period that starts after ticket 1: the customer had a ticket before it (returning),
# and ticket 2 is still a repeat contact.
text=$("${PD[@]}" report --since "@$((T1 + 1))" --until "$until") || pd_fail "report --since"
grep -q "^Retention: 1 customers, 1 returning (100%); 1 repeat contacts within 7 days of a resolution (100% of new tickets)\$" \
	<<<"$text" || pd_fail "report retention since ticket 1: $text"
echo "ces e2e: all checks passed"
