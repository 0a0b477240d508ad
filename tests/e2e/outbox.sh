#!/bin/bash
# Outbox end to end: rows queued in a postdesk database (inserted with pd_sql, as the
# daemons would in their transactions) are drained by the real postdesk-notifyd into
# smtp-sink ("the outside world", pd_capture_start). The relay is down first: the rows are
# deferred and retried (outbox_retry_base = 1s); once it is up every mail arrives exactly
# once. A row added while notifyd runs goes out within seconds (the database is polled).
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require smtp-sink sqlite3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
[ -x "$B/postdesk-notifyd" ] || { pd_log "SKIP: $B/postdesk-notifyd not built"; exit 77; }
DOMAIN=support.test
CONF=$T/postdesk.conf
DB=$T/db/postdesk.db
PORT=$(pd_free_port) # reserved for the capture server, which is not started yet
N=5
cat >"$CONF" <<CONF
[postdesk]
database = $(pd_db "$DB")
key_file = $T/db/postdesk.key
domain = $DOMAIN
relay = 127.0.0.1:$PORT
user = $PD_DAEMON_USER
template_dir = $PD_SRCDIR/templates/en
outbox_retry_base = 1s
outbox_retry_max = 2s
[queue support]
address = support@$DOMAIN
CONF
"$B/postdesk" -c "$CONF" init >/dev/null || pd_fail "postdesk init failed"

q() { pd_sql "$DB" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
# queue_mail ID: one row whose raw message has Message-ID <e2e-ID@support.test>.
queue_mail() {
	local raw now
	printf -v raw 'From: Support <support@%s>\r\nTo: cust%s@shop.example\r\nSubject: outbox %s\r\nMessage-ID: <e2e-%s@%s>\r\n\r\nHello %s.\r\n' \
		"$DOMAIN" "$1" "$1" "$1" "$DOMAIN" "$1"
	now=$(date +%s)
	# Portable SQL (SQLite or PostgreSQL, tests/e2e/lib.sh pd_db): the bytes as a string
	# literal (no quote in them), which both take for a blob.
	q "INSERT INTO outbox(ticket_id, kind, rcpts, message_id, raw, next_attempt, created)
	   VALUES(NULL, 'ack', 'cust$1@shop.example', 'e2e-$1@$DOMAIN', '$raw', $now, $now)" ||
		pd_fail "cannot queue mail $1"
}
attempted() { [ "$(q "SELECT min(attempts) FROM outbox")" -ge "$1" ]; }
count_sent() { q "SELECT count(*) FROM outbox WHERE status = 'sent'"; }
all_sent() { [ "$(count_sent)" = "$1" ]; }
# Each Message-ID in the capture dir exactly once, and nothing else there.
check_captured() {
	local n=$1 i c
	expect_eq "$(pd_capture_count "$T")" "$n" "captured mails"
	for i in $(seq 1 "$n"); do
		c=$(grep -l "^Message-ID: <e2e-$i@$DOMAIN>" "$PD_CAPTURE_DIR"/* | wc -l)
		expect_eq "$c" 1 "copies of <e2e-$i@$DOMAIN>"
	done
}

for i in $(seq 1 $N); do queue_mail "$i"; done
pd_bg notifyd "$B/postdesk-notifyd" -c "$CONF" -f

# 1. Relay down: every row is tried, deferred, tried again; none is lost or marked failed.
pd_wait_until 10 attempted 2 ||
	pd_fail "rows not retried while the relay is down: $(q 'SELECT id, attempts, last_error FROM outbox')"
expect_eq "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" $N "queued while down"
q "SELECT last_error FROM outbox LIMIT 1" | grep -q "connect" ||
	pd_fail "no connection error recorded: $(q 'SELECT last_error FROM outbox LIMIT 1')"
pd_bg_pid notifyd >/dev/null || pd_fail "postdesk-notifyd died while the relay was down"

# 2. Relay up: all sent, each exactly once, from its bounce address.
pd_capture_start "$T" "$PORT"
pd_wait_until 15 all_sent $N || pd_fail "not all sent: $(q 'SELECT id, status, attempts, last_error FROM outbox')"
check_captured $N
grep -h "^X-Mail-Args:" "$PD_CAPTURE_DIR"/* | grep -vq "^X-Mail-Args: <support+b[0-9]*\.[0-9]*-[a-z2-7]\{16\}@$DOMAIN>" &&
	pd_fail "an envelope sender is not a bounce address: $(grep -h '^X-Mail-Args:' "$PD_CAPTURE_DIR"/*)"
expect_eq "$(q "SELECT count(*) FROM outbox WHERE sent_at IS NULL OR attempts < 2")" 0 \
	"sent rows with sent_at and the failed attempts counted"

# 3. A row queued while notifyd runs goes out within a few seconds, once.
N=$((N + 1))
queue_mail $N
pd_wait_until 5 all_sent $N || pd_fail "a new row was not picked up within 5s"
sleep 2 # nothing may follow
check_captured $N
"$B/postdesk" -c "$CONF" outbox --status sent | grep -q "cust$N@shop.example" ||
	pd_fail "postdesk outbox does not list the sent row"

# 4. SIGTERM ends notifyd cleanly (stopped by PID).
pid=$(pd_bg_pid notifyd) || pd_fail "postdesk-notifyd is gone"
pd_stop notifyd
kill -0 "$pid" 2>/dev/null && pd_fail "postdesk-notifyd still running"
grep -q "stopped" "$PD_ROOT/.state/notifyd.log" || pd_fail "postdesk-notifyd did not stop cleanly"
check_captured $N
pd_log "PASS (${SECONDS}s)"
