#!/bin/bash
# Issue 14's acceptance test, end to end through the sandboxed Postfix, on one desk with
# the knowledge base (the German and English articles of tests/data/kb), order_patterns
# and the sample order lookup (contrib/order-lookup.py) against the stub shop, and surveys
# that ask CSAT and CES:
#   1. a German customer's question (German text, no Content-Language) gets a German
#      acknowledgement that suggests the right German article;
#   2. the customer's answer "Erledigt!" resolves the ticket as self-served, and the
#      agents are told;
#   3. a mail with an order number shows the stub shop's order status in the agent notice;
#   4. the German customer writes again (a repeat contact within 7 days of the
#      self-served resolution); the order ticket is resolved by an agent;
#   5. the survey (in German for the German ticket) goes out; the CES click is stored;
#   6. `postdesk report` (text and --json) shows the self-service rate (1 of 2 resolved),
#      CES (6.0 from 1 answer) and retention (2 customers, 1 repeat contact of 3 tickets).
# Time for the survey is moved with `postdesk tick --now` (no sleeping). Root, postfix,
# swaks, smtp-sink, sqlite3, python3; skips (77) without.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3 python3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test

pd_capture_start "$T"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/a/lmtp.sock" \
	"relay_domains=$DOMAIN" "transport_maps=inline:{ $DOMAIN=lmtp:unix:$T/a/lmtp.sock }" \
	"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
	"smtp_tls_security_level=none" "smtpd_reject_unlisted_recipient=no"

# The articles (German and English, the labelled set's), the stub shop and the sample
# lookup with its own config, all readable by the daemon user.
mkdir -p "$T/a" "$T/kb" "$T/shop" "$T/lookup"
cp -r "$PD_SRCDIR/tests/data/kb/articles/shared" "$T/kb/"
SHOP_PORT=$(pd_free_port)
pd_bg shop python3 "$PD_SRCDIR/tests/e2e/shop_stub.py" "$SHOP_PORT" "$T/shop" ck_test cs_test
pd_wait_port "$SHOP_PORT" shop
cp "$PD_SRCDIR/contrib/order-lookup.py" "$T/lookup/"
cat >"$T/lookup/shop.ini" <<INI
[shop]
api = woocommerce
url = http://127.0.0.1:$SHOP_PORT
key = ck_test
secret = cs_test
timeout = 60
INI
chmod -R a+rX "$T/kb" "$T/lookup"

cat >"$T/a/postdesk.conf" <<CONF
[postdesk]
database = $(pd_db "$T/a/postdesk.db")
key_file = $T/a/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/a/lmtp.sock
relay = 127.0.0.1:$PD_SMTP_PORT
outbox_retry_base = 1s
kb_dir = $T/kb
order_lookup_timeout = 10s
survey_delay = 1h
survey_questions = csat ces
[queue support]
address = support@$DOMAIN
display_name = Example Shop
timezone = Europe/Berlin
order_patterns = #?\d{5,} ORD-\d+
order_lookup = $T/lookup/order-lookup.py --config $T/lookup/shop.ini
CONF
PD=("$B/postdesk" -c "$T/a/postdesk.conf")
"${PD[@]}" init >/dev/null || pd_fail "init"
"${PD[@]}" agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"
"${PD[@]}" kb reindex >/dev/null || pd_fail "kb reindex"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/a/postdesk.conf" -f
pd_bg notifyd "$B/postdesk-notifyd" -c "$T/a/postdesk.conf" -f
pd_wait_socket "$T/a/lmtp.sock" 10 lmtpd

q() { pd_sql "$T/a/postdesk.db" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
outbox_drained() { [ "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix" 30
	pd_wait_until 30 outbox_drained || pd_fail "outbox not drained"
	pd_postfix_wait_empty "$T/postfix" 30
}
# The decoded Subject and text body of a captured mail.
decoded() {
	python3 - "$1" <<'PY'
import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print("Subject:", m["Subject"])
print(m.get_body(preferencelist=("plain",)).get_content())
PY
}
JONAS=jonas@kunde.example
ANN=ann@shop.example
AGENT=alice@agents.example
NOW0=$(date +%s)
H=3600

# 1. A German question, no Content-Language, to a queue with no language set (English
#    default): a German acknowledgement suggesting the German returns article first.
pd_swaks --to "support@$DOMAIN" --from $JONAS --header "From: Jonas Weber <$JONAS>" \
	--header "Subject: Jacke zurückschicken" --header "Message-Id: <s1@kunde.example>" \
	--body "Guten Tag, die Jacke passt mir leider nicht. Wie kann ich sie zurückschicken und bekomme ich ein Rücksendeetikett?" ||
	pd_fail "swaks German question"
settle
pd_wait_captured $JONAS 1
ack1=$(pd_newest_captured $JONAS)
decoded "$ack1" >"$T/ack1.txt"
grep -q "^Subject: \[#1\] Ihre Anfrage ist bei uns eingegangen: Jacke zurückschicken" "$T/ack1.txt" ||
	pd_fail "acknowledgement not German: $(cat "$T/ack1.txt")"
grep -q "^Guten Tag Jonas Weber," "$T/ack1.txt" || pd_fail "no German greeting"
expect_eq "$(q "SELECT lang FROM tickets WHERE id = 1")" de "ticket 1 language"
grep -q "Hilfe-Center" "$T/ack1.txt" || pd_fail "no German suggestions: $(cat "$T/ack1.txt")"
expect_eq "$(grep -m1 '^\* ' "$T/ack1.txt")" "* Wie schicke ich einen Artikel zurück?" \
	"first suggestion"
grep -q "https://shop.example/de/hilfe/ruecksendung" "$T/ack1.txt" || pd_fail "article URL missing"
grep -q "innerhalb von 30 Tagen" "$T/ack1.txt" || pd_fail "German excerpt missing"
grep -q "^\* How do I return an item?" "$T/ack1.txt" && pd_fail "an English article suggested"
[ "$(grep -c '^\* ' "$T/ack1.txt")" -le 3 ] || pd_fail "more than three suggestions"

# 2. Jonas answers the acknowledgement with "Erledigt!": resolved as self-served, agents told.
reply_to=$(pd_header Reply-To "$ack1" | sed 's/.*<\(.*\)>.*/\1/')
expect_eq "$(q "SELECT status FROM tickets WHERE id = 1")" new "ticket 1 before the answer"
pd_swaks --to "$reply_to" --from $JONAS --header "From: Jonas Weber <$JONAS>" \
	--header "Subject: Re: [#1] Ihre Anfrage ist bei uns eingegangen" \
	--header "Message-Id: <s2@kunde.example>" --header "In-Reply-To: $(pd_header Message-Id "$ack1")" \
	--body $'Erledigt!\n\nDanke,\nJonas' || pd_fail "swaks Erledigt"
settle
expect_eq "$(q "SELECT status || ' ' || self_served FROM tickets WHERE id = 1")" "resolved 1" \
	"ticket 1 after Erledigt"
expect_eq "$(q "SELECT count(*) FROM tickets WHERE id = 1 AND resolved_at IS NOT NULL")" 1 \
	"the self-served resolution kept for the report"
told() { pd_captured $AGENT | xargs grep -l "resolved as self-served" >/dev/null 2>&1; }
pd_wait_until 20 told || pd_fail "the agents were not told"

# 3. A question with an order number: the agent notice shows the stub shop's answer.
pd_swaks --to "support@$DOMAIN" --from $ANN --header "From: Ann Buyer <$ANN>" \
	--header "Subject: Where is my order #100234?" --header "Message-Id: <s3@shop.example>" \
	--body "Hello, my order #100234 has not arrived yet. Ann" || pd_fail "swaks order"
settle
notice_of() { grep -l "$1" $(pd_captured $AGENT) 2>/dev/null | head -1; }
has_notice() { [ -n "$(notice_of "Where is my order")" ]; }
pd_wait_until 30 has_notice || pd_fail "no agent notice for the order ticket"
n2=$(notice_of "Where is my order")
grep -q "^Order 100234: shipped" "$n2" || pd_fail "notice: no order status: $(cat "$n2")"
grep -q "^  Tracking: 1Z999AA10123456784" "$n2" || pd_fail "notice: no tracking"
expect_eq "$(grep -c 'orders/100234' "$T/shop/requests")" 1 "one request to the shop"
pd_stop notifyd # from here on, time is moved by `postdesk tick --now`

# 4. Jonas writes again (a new ticket, within 7 days of the self-served resolution: a
#    repeat contact); Alice resolves Ann's order ticket.
pd_swaks --to "support@$DOMAIN" --from $JONAS --header "From: Jonas Weber <$JONAS>" \
	--header "Subject: Gutschein einlösen" --header "Message-Id: <s4@kunde.example>" \
	--body "Guten Tag, wo kann ich meinen Gutschein einlösen? Viele Grüße, Jonas" ||
	pd_fail "swaks second question"
pd_postfix_wait_empty "$T/postfix" 30
expect_eq "$(q 'SELECT count(*) FROM tickets')" 3 "tickets"
expect_eq "$(q 'SELECT count(*) FROM tickets WHERE id = 3 AND prev_resolved IS NOT NULL AND created - prev_resolved <= 604800')" \
	1 "ticket 3 within 7 days of ticket 1's self-served resolution"
atok=$("${PD[@]}" token 2 --role agent --agent $AGENT) || pd_fail "agent token"
pd_swaks --to "$atok" --from $AGENT --header "From: $AGENT" \
	--header "Message-Id: <a1@agents.example>" --body $'#status resolved\nIt is on its way.' ||
	pd_fail "agent resolves ticket 2"
pd_postfix_wait_empty "$T/postfix" 30
expect_eq "$(q 'SELECT status || self_served FROM tickets WHERE id = 2')" resolved0 "ticket 2"

# 5. The surveys go out after survey_delay, in the ticket's language; Jonas clicks CES 6.
"${PD[@]}" tick --now "@$((NOW0 + 2 * H))" >/dev/null || pd_fail "tick"
pd_postfix_wait_empty "$T/postfix" 30
# The same tick sends ticket 3's acknowledgement: the survey is found by its subject.
survey_captured() {
	for f in $(pd_captured $JONAS); do
		decoded "$f" >"$T/survey.txt"
		grep -q "^Subject: \[#1\] Wie zufrieden waren Sie?" "$T/survey.txt" && return 0
	done
	return 1
}
pd_wait_until 20 survey_captured ||
	pd_fail "no German survey for ticket 1: $(q "SELECT id, ticket_id, kind, status FROM outbox")"
link=$(sed -n 's/.*mailto:\([^?]*\)?subject=CES%206%20.*/\1/p' "$T/survey.txt")
case $link in support+1-s6-*@$DOMAIN) ;; *) pd_fail "CES 6 link: '$link' in $(cat "$T/survey.txt")" ;; esac
pd_swaks --to "$link" --from $JONAS --header "From: $JONAS" \
	--header "Subject: CES 6 [#1]" --header "Message-Id: <s5@kunde.example>" --body "Danke" ||
	pd_fail "CES click"
pd_postfix_wait_empty "$T/postfix" 30
ces_stored() { [ "$(q 'SELECT ces FROM surveys WHERE ticket_id = 1')" = 6 ]; }
pd_wait_until 10 ces_stored || pd_fail "stored effort: '$(q 'SELECT ces FROM surveys WHERE ticket_id = 1')'"
expect_eq "$(q 'SELECT status || self_served FROM tickets WHERE id = 1')" resolved1 \
	"ticket 1 stays self-served after the survey"

# 6. The report up to after the surveys: created 3, resolved 2 of which 1 self-served;
#    CES 6 from one answer; 2 customers, none returning, 1 repeat contact of 3 tickets.
until="@$((NOW0 + 3 * H))"
text=$("${PD[@]}" report --until "$until") || pd_fail "report"
grep -q "^Self-service: 1 of 2 resolved tickets self-served (50%)\$" <<<"$text" ||
	pd_fail "report text self-service: $text"
grep -q "^Effort (CES, 1 = very difficult .. 7 = very easy): mean 6.0 from 1 answers (1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 1, 7: 0)\$" \
	<<<"$text" || pd_fail "report text CES: $text"
grep -q "^Retention: 2 customers, 0 returning (0%); 1 repeat contacts within 7 days of a resolution (33% of new tickets)\$" \
	<<<"$text" || pd_fail "report text retention: $text"
json=$("${PD[@]}" report --json --until "$until") || pd_fail "report --json"
jq() { python3 -c 'import json,sys; t=json.load(sys.stdin)["total"]; print(eval(sys.argv[1]))' "$1" <<<"$json"; }
expect_eq "$(jq 't["created"], t["resolved"], t["self_served"], t["self_served_pct"]')" \
	"(3, 2, 1, 50.0)" "JSON self-service"
expect_eq "$(jq 't["ces_count"], t["ces_mean"], t["ces_distribution"]["6"]')" "(1, 6.0, 1)" "JSON CES"
expect_eq "$(jq 't["customers"], t["returning_customers"], t["repeat_contacts"], t["repeat_contact_pct"]')" \
	"(2, 0, 1, 33.3)" "JSON retention"
touch "$T/shop/release"
pd_log "ok"
