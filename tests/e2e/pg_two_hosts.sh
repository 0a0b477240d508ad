#!/bin/sh
# pg_two_hosts.sh (issue 16): two hosts, one desk. Two sandboxed Postfix instances (two MX
# hosts) each relay the support domain to their own postdesk-lmtpd; both lmtpd and both
# postdesk-notifyd (separate configs, sockets and key files holding the same key) share
# one PostgreSQL 15 that this script starts (tests/e2e/pg.sh). Every customer mail arrives
# at BOTH hosts at once, as a redundant MX may deliver it twice: each is stored once, opens
# one ticket, and each acknowledgement and agent notice goes out once, although both
# notifyds send. A follow-up found by its In-Reply-To joins its ticket, once. Then the same
# while host a's lmtpd is killed with SIGKILL in a loop.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh" || exit 99
. "$(dirname "$0")/pg.sh" || exit 99

pd_require postfix postconf postqueue swaks smtp-sink psql
pd_pg_require

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
N=6

pd_pg_start
pd_capture_start "$T"
declare -A PORT
for h in a b; do
	mkdir -p "$T/$h"
	pd_postfix_start "$T/postfix-$h" auto "$DOMAIN" "unix:$T/$h/lmtp.sock" \
		"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
		"smtp_tls_security_level=none"
	PORT[$h]=$PD_SMTP_PORT
done

host() { # NAME: its config, init (a makes the key, b gets a copy), its two daemons
	cat >"$T/$1/postdesk.conf" <<CONF
[postdesk]
database = $PD_PG_URI
key_file = $T/$1/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/$1/lmtp.sock
relay = 127.0.0.1:${PORT[$1]}
template_dir = $PD_SRCDIR/templates/en
outbox_retry_base = 1s
[queue support]
address = support@$DOMAIN
display_name = Example Support
CONF
	[ "$1" = a ] || cp -p "$T/a/postdesk.key" "$T/$1/postdesk.key"
	"$B/postdesk" -c "$T/$1/postdesk.conf" init >/dev/null || pd_fail "init $1"
	pd_bg "lmtpd-$1" "$B/postdesk-lmtpd" -c "$T/$1/postdesk.conf" -f
	pd_bg "notifyd-$1" "$B/postdesk-notifyd" -c "$T/$1/postdesk.conf" -f
	pd_wait_socket "$T/$1/lmtp.sock" 10 "lmtpd-$1"
}
host a
host b
"$B/postdesk" -c "$T/a/postdesk.conf" agent add alice@agents.example --name "Alice Agent" \
	>/dev/null || pd_fail "agent add"

q() { pd_pg_sql -c "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
outbox_drained() { [ "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix-a" 30
	pd_postfix_wait_empty "$T/postfix-b" 30
	pd_wait_until 30 outbox_drained || pd_fail "outbox not drained"
	pd_postfix_wait_empty "$T/postfix-a" 30
	pd_postfix_wait_empty "$T/postfix-b" 30
}
# The same mail through both MX hosts at once (one Date: swaks would date each copy itself,
# and two copies a second apart are two different messages reusing a Message-ID).
both() { # SWAKS-ARGS...
	set -- --header "Date: Thu, 03 Dec 2026 10:00:00 +0000" "$@"
	PD_SWAKS_PORT=${PORT[a]} pd_swaks "$@" &
	local pa=$!
	PD_SWAKS_PORT=${PORT[b]} pd_swaks "$@" || pd_fail "swaks via b: $(pd_swaks_log 5)"
	wait "$pa" || pd_fail "swaks via a: $(pd_swaks_log 5)"
}
# Every captured mail has a Message-ID of its own: nothing went out twice.
sent_once() {
	local files ids
	files=$(find "$PD_CAPTURE_DIR" -type f | grep -c .)
	ids=$(find "$PD_CAPTURE_DIR" -type f -exec sed -n 's/^Message-I[Dd]: //p' {} + | tr -d '\r' |
		sort -u | grep -c .)
	expect_eq "$ids" "$files" "distinct Message-IDs among the $files captured mails"
}

# 1. N customers write; every mail reaches both hosts.
for i in $(seq 1 "$N"); do
	both --to "support@$DOMAIN" --from "c$i@shop.example" \
		--header "From: Customer $i <c$i@shop.example>" --header "Subject: order $i is late" \
		--header "Message-Id: <m$i@shop.example>" --body "Where is my order $i?"
done
settle
for i in $(seq 1 "$N"); do
	pd_wait_captured "c$i@shop.example" 1
done
pd_wait_captured alice@agents.example "$N"
settle
expect_eq "$(q "SELECT count(*) FROM tickets")" "$N" "tickets"
expect_eq "$(q "SELECT count(*) FROM messages WHERE direction = 'in'")" "$N" "customer messages stored"
expect_eq "$(q "SELECT count(DISTINCT ticket_id) FROM messages WHERE direction = 'in'")" "$N" \
	"tickets of the customer messages"
for i in $(seq 1 "$N"); do
	expect_eq "$(pd_captured_count "c$i@shop.example")" 1 "acknowledgements to c$i"
done
expect_eq "$(pd_captured_count alice@agents.example)" "$N" "notices to the agent"
expect_eq "$(q "SELECT count(*) FROM outbox WHERE status <> 'sent'")" 0 "outbox rows not sent"
sent_once

# 2. Each customer follows up in reply to the acknowledgement, again through both hosts:
# the mail joins its ticket, once.
for i in $(seq 1 "$N"); do
	ack=$(pd_newest_captured "c$i@shop.example")
	ack_id=$(pd_header Message-ID "$ack")
	[ -n "$ack_id" ] || ack_id=$(pd_header Message-Id "$ack")
	[ -n "$ack_id" ] || pd_fail "acknowledgement to c$i without a Message-ID"
	both --to "support@$DOMAIN" --from "c$i@shop.example" \
		--header "From: Customer $i <c$i@shop.example>" --header "Subject: Re: order $i is late" \
		--header "Message-Id: <f$i@shop.example>" --header "In-Reply-To: $ack_id" \
		--body "Any news on order $i?"
done
settle
expect_eq "$(q "SELECT count(*) FROM tickets")" "$N" "tickets after the follow-ups"
expect_eq "$(q "SELECT count(*) FROM messages WHERE direction = 'in'")" "$((2 * N))" \
	"customer messages after the follow-ups"
bad=$(q "SELECT count(*) FROM messages f JOIN messages m ON m.message_id = 'm' || substr(f.message_id, 2)
	WHERE f.message_id LIKE 'f%@shop.example' AND f.ticket_id <> m.ticket_id")
expect_eq "$bad" 0 "follow-ups in another ticket than their first mail"
sent_once

# 3. The same with host a's lmtpd killed (SIGKILL) again and again while the mail comes
# in: a delivery cut in the middle is rolled back by the server, Postfix retries it (or
# host b had it): still each mail once, one ticket per conversation, each mail out once.
M=${PD_PG_KILL_N:-10}
lmtpd_a_start() {
	pd_bg lmtpd-a "$B/postdesk-lmtpd" -c "$T/a/postdesk.conf" -f
	pd_wait_socket "$T/a/lmtp.sock" 10 lmtpd-a
}
(
	for i in $(seq $((N + 1)) $((N + M))); do
		both --to "support@$DOMAIN" --from "c$i@shop.example" \
			--header "From: Customer $i <c$i@shop.example>" --header "Subject: order $i is late" \
			--header "Message-Id: <m$i@shop.example>" --body "Where is my order $i?"
	done
) &
stream=$!
kills=0
while [ "$kills" -lt 4 ] || kill -0 "$stream" 2>/dev/null; do
	sleep 0.$((2 + RANDOM % 4))
	pid=$(pd_bg_pid lmtpd-a) || pd_fail "postdesk-lmtpd a died on its own"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	kills=$((kills + 1))
	[ $((RANDOM % 2)) = 0 ] && sleep 0.$((RANDOM % 5))
	lmtpd_a_start
done
wait "$stream" || pd_fail "the stream failed"
pd_log "$kills kills of lmtpd a"
pd_postfix_flush "$T/postfix-a"
settle
for i in $(seq $((N + 1)) $((N + M))); do
	pd_wait_captured "c$i@shop.example" 1
done
settle
expect_eq "$(q "SELECT count(*) FROM tickets")" "$((N + M))" "tickets after the kills"
expect_eq "$(q "SELECT count(*) FROM messages WHERE direction = 'in'")" "$((2 * N + M))" \
	"customer messages after the kills"
for i in $(seq $((N + 1)) $((N + M))); do
	expect_eq "$(pd_captured_count "c$i@shop.example")" 1 "acknowledgements to c$i"
done
grep -q 'status=bounced' "$T/postfix-a/log/maillog" "$T/postfix-b/log/maillog" &&
	pd_fail "Postfix bounced mail: $(grep -h -m3 status=bounced "$T"/postfix-*/log/maillog)"
sent_once

pd_pg_stop
pd_log "PASS"
