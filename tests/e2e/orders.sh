#!/bin/bash
# Issue 14 end to end (orders and personalization): order references found by the queue's
# order_patterns, looked up by contrib/order-lookup.py (the sample for a WooCommerce-style
# REST API) against a stub shop on a free loopback port, shown in the agent notice with
# the customer's past CSAT; a shop that hangs delays only the notice, which still goes out
# saying the lookup failed, while the delivery's 250 came before the lookup ended. A
# sandboxed Postfix relays the support domain over LMTP to postdesk-lmtpd and everything
# else to a capture server; postdesk-notifyd runs the lookups and sends the outbox.
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

# The stub shop, and the sample lookup with its own config (readable by the daemon user).
mkdir -p "$T/a" "$T/shop" "$T/lookup"
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
chmod -R a+rX "$T/lookup"

cat >"$T/a/postdesk.conf" <<CONF
[postdesk]
database = $(pd_db "$T/a/postdesk.db")
key_file = $T/a/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/a/lmtp.sock
relay = 127.0.0.1:$PD_SMTP_PORT
outbox_retry_base = 1s
order_lookup_timeout = 10s
[queue support]
address = support@$DOMAIN
display_name = Example Support
order_patterns = #?\d{5,} ORD-\d+
order_lookup = $T/lookup/order-lookup.py --config $T/lookup/shop.ini
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
notice_of() { # SUBJECT-WORDS: the agent notice that names them
	grep -l "$1" $(pd_captured $AGENT) 2>/dev/null | head -1
}

# 1. An earlier ticket without an order number (its notice is not held), rated CSAT 4.
customer o1 "My lamp is broken" "The lamp does not switch on."
settle
pd_wait_captured $AGENT 1
n1=$(notice_of "My lamp is broken")
[ -n "$n1" ] || pd_fail "no notice for ticket 1"
grep -q "^Their satisfaction (CSAT): no survey answered yet" "$n1" || pd_fail "notice 1: CSAT line"
expect_eq "$(q 'SELECT count(*) FROM order_notices')" 0 "no order: no held notice"
rate=$("${PD[@]}" token 1 --role survey4) || pd_fail "survey token"
pd_swaks --to "$rate" --from $ANN --header "From: Ann Buyer <$ANN>" \
	--header "Subject: CSAT 4 [#1]" --header "Message-Id: <r1@shop.example>" --body "Thanks" ||
	pd_fail "rating"
pd_postfix_wait_empty "$T/postfix" 30
expect_eq "$(q "SELECT csat_sum || '/' || csat_count || '/' || csat_last FROM customers WHERE email = '$ANN'")" \
	"4/1/4" "customer's CSAT figure"

# 2. A question with an order number: the notice waits for the shop and shows its answer.
customer o2 "Where is my order #100234?" "Hello, my order has not arrived yet. Ann"
settle
pd_wait_captured $AGENT 2
n2=$(notice_of "Where is my order")
[ -n "$n2" ] || pd_fail "no notice for ticket 2"
grep -q "^Order 100234: shipped" "$n2" || pd_fail "notice 2: no order status: $(cat "$n2")"
grep -q "^  Tracking: 1Z999AA10123456784" "$n2" || pd_fail "notice 2: no tracking"
grep -q "^  Total: 59.90 EUR" "$n2" || pd_fail "notice 2: no total"
grep -q "^  Items: 2 x Blue mug, 1 x Tea towel" "$n2" || pd_fail "notice 2: no items"
grep -q "^From: Ann Buyer <$ANN>" "$n2" || pd_fail "notice 2: no customer name"
grep -q "^Earlier tickets from this customer: 1" "$n2" || pd_fail "notice 2: ticket count"
grep -q "^  #1 ([a-z]*) My lamp is broken" "$n2" || pd_fail "notice 2: last tickets"
grep -q "^Their satisfaction (CSAT): average 4.0 of 5 over 1 survey, last 4" "$n2" ||
	pd_fail "notice 2: past CSAT: $(grep -i csat "$n2")"
expect_eq "$(q "SELECT ref || ' ' || status || ' ' || tracking FROM order_refs WHERE ticket_id = 2")" \
	"100234 shipped 1Z999AA10123456784" "stored lookup"
expect_eq "$(grep -c 'orders/100234' "$T/shop/requests")" 1 "one request to the shop"
"${PD[@]}" show 2 | grep -q "^  100234 (message [0-9]*): shipped, tracking 1Z999AA10123456784" ||
	pd_fail "postdesk show: no order line: $("${PD[@]}" show 2 | head -8)"

# 3. A shop that hangs. The delivery is not held up: Postfix has its 250 (queue empty) and
#    the message is stored while the lookup still waits on the shop (the stub has the
#    request and answers nothing until released; the lookup's timeout is 10 s). The notice
#    then goes out saying the lookup failed.
customer o3 "Refund for ORD-99999" "Please refund ORD-99999, it arrived broken."
pd_wait_until 30 test -e "$T/shop/hang" || pd_fail "the lookup never reached the shop"
pd_postfix_wait_empty "$T/postfix" 30
expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id = 'o3@shop.example'")" 1 \
	"stored before the lookup ended"
expect_eq "$(q 'SELECT count(*) FROM order_notices WHERE ticket_id = 3 AND done IS NULL')" 1 \
	"notice held while the lookup runs"
expect_eq "$(q "SELECT count(*) FROM outbox WHERE ticket_id = 3 AND kind = 'agent_notice'")" 0 \
	"no notice before the lookup ends"
pd_wait_captured $AGENT 3
n3=$(notice_of "Refund for ORD-99999")
[ -n "$n3" ] || pd_fail "no notice for ticket 3"
grep -q "^Order ORD-99999: lookup failed (timed out after 10000 ms)" "$n3" ||
	pd_fail "notice 3: no failed lookup line: $(grep -i order "$n3")"
expect_eq "$(q 'SELECT count(*) FROM order_notices WHERE done IS NULL')" 0 "all released"
expect_eq "$(q 'SELECT ref FROM order_refs WHERE ticket_id = 3 ORDER BY ref' | paste -sd, -)" ORD-99999 \
	"one reference, not the number inside it"
touch "$T/shop/release"

pd_log "ok"
