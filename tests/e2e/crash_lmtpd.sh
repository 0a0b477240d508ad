#!/bin/bash
# Durability 1a: postdesk-lmtpd killed with SIGKILL at random moments while a sandboxed
# Postfix delivers to it. When the Postfix queue has drained, every message Postfix
# accepted is in the database exactly once: 0 lost (a 250 given before the commit was
# durable), 0 duplicated (a redelivery after a crash stored twice, a second ticket, a
# second acknowledgement).
#
# How each message is told apart: smtp-source writes its own Message-Id header,
# <PID.FD.COUNTER@host>, a different one for every message of a run. We do not trust that
# blindly: the Message-IDs Postfix's cleanup logged for the messages its smtpd accepted are
# collected, and the test stops (exit 99, a broken premise, not a pass) unless there are
# exactly N of them and all distinct. That set is then compared with the database's.
#
# Knobs (environment): PD_CRASH_N messages (default 200), PD_CRASH_KILLS kills (at least;
# the kills go on while the sender runs; default 6),
# PD_CRASH_SESSIONS parallel SMTP sessions (5), PD_CRASH_CHUNK messages per smtp-source
# run (10; the runs are spread out so the kills land while mail is flowing), and
# PD_CRASH_MIN_MS / PD_CRASH_MAX_MS the random pause between kills (50 / 300 ms).
# The long run of doc/durability.md: PD_CRASH_N=10000 PD_CRASH_KILLS=200.
# Stays on SQLite under PD_TEST_PG_URI (the suite against PostgreSQL, tests/e2e/lib.sh
# pd_db): it is about the SQLite file's durability (group commit, fdatasync, PRAGMA
# integrity_check after the kills).
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require runuser postfix postconf postqueue smtp-source sqlite3

N=${PD_CRASH_N:-200}
KILLS=${PD_CRASH_KILLS:-6}
SESSIONS=${PD_CRASH_SESSIONS:-5}
CHUNK=${PD_CRASH_CHUNK:-10}
MIN_MS=${PD_CRASH_MIN_MS:-50}
MAX_MS=${PD_CRASH_MAX_MS:-300}
T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
D=$T/d # database, key and socket: init gives it to the daemon user
DB=$D/postdesk.db
LOG=$T/postfix/log/maillog

cat >"$T/postdesk.conf" <<CONF
[postdesk]
database = $DB
key_file = $D/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$D/lmtp.sock
relay = 127.0.0.1:1
# every ticket here comes from one sender: lift the acknowledgement rate limit, so that
# "one acknowledgement per ticket" checks exactly-once, not the limit
autoreply_limit = 1000000
[queue support]
address = support@$DOMAIN
CONF
mkdir -p "$T/d"
"$B/postdesk" -c "$T/postdesk.conf" init >/dev/null || pd_fail "postdesk init"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$D/lmtp.sock"

# (pd_sql: as the daemons' user, see tests/e2e/lib.sh)
q() { pd_sql "$DB" "$1"; }
lmtpd_start() {
	pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/postdesk.conf" -f
	pd_wait_socket "$D/lmtp.sock" 10 lmtpd
}
# SIGKILL: no handler runs, nothing is flushed or unlinked (the stale socket stays).
lmtpd_kill() {
	local pid
	pid=$(pd_bg_pid lmtpd) || pd_fail "postdesk-lmtpd died on its own"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
}
rand_sleep() {
	local ms=$((MIN_MS + RANDOM % (MAX_MS - MIN_MS + 1)))
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
}

lmtpd_start

# The sender: N messages in runs of CHUNK, each run with up to SESSIONS parallel sessions.
# smtp-source exits non-zero on any unexpected reply: Postfix itself never sees the kills.
(
	sent=0
	while [ "$sent" -lt "$N" ]; do
		m=$((N - sent < CHUNK ? N - sent : CHUNK))
		smtp-source -s "$SESSIONS" -m "$m" -l 600 -S "crash test" -M client.example.org \
			-f customer@example.org -t "support@$DOMAIN" "127.0.0.1:$PD_SMTP_PORT" || exit 1
		sent=$((sent + m))
		sleep 0.1
	done
) &
sender=$!

kills=0
# At least KILLS kills, and more as long as the sender is still sending.
while [ "$kills" -lt "$KILLS" ] || kill -0 "$sender" 2>/dev/null; do
	rand_sleep
	lmtpd_kill
	kills=$((kills + 1))
	# Restart at once half the time; else stay down a moment, so Postfix meets both a
	# refused connection and a connection lost in the middle of a transaction.
	[ $((RANDOM % 2)) = 0 ] && sleep 0.$((RANDOM % 5))
	lmtpd_start
done
wait "$sender" || pd_fail "smtp-source failed"
pd_log "$kills kills done; waiting for the queue to drain"
pd_postfix_flush "$T/postfix"
pd_postfix_wait_empty "$T/postfix" $((60 + N / 20))

# What Postfix accepted: queue ids of smtpd, and the Message-ID cleanup logged for each.
grep -o 'postfix/smtpd\[[0-9]*\]: [0-9A-F]*: client=' "$LOG" | awk '{print $2}' | tr -d : |
	sort -u >"$T/qids"
awk 'NR == FNR { want[$1]; next } /postfix\/cleanup.*: message-id=/ {
	q = $0; sub(/.*cleanup\[[0-9]*\]: /, "", q); sub(/:.*/, "", q)
	if (q in want) { m = $0; sub(/.*message-id=</, "", m); sub(/>.*/, "", m); print m } }' \
	"$T/qids" "$LOG" | sort >"$T/accepted"
accepted=$(grep -c . "$T/qids")
[ "$accepted" = "$N" ] || { pd_log "Postfix accepted $accepted messages, not $N"; exit 99; }
[ "$(sort -u "$T/accepted" | grep -c .)" = "$N" ] ||
	{ pd_log "smtp-source's Message-IDs are not $N distinct ones: no test"; exit 99; }

grep -q 'status=bounced' "$LOG" &&
	pd_fail "Postfix bounced messages: $(grep -m3 status=bounced "$LOG")
lmtpd's refusals: $(grep -h 'refused' "$PD_ROOT"/.state/lmtpd*.log | head -5)"
q 'SELECT message_id FROM messages WHERE direction = '"'in'"' ORDER BY 1' >"$T/stored"
lost=$(comm -23 "$T/accepted" "$T/stored" | grep -c .)
extra=$(comm -13 "$T/accepted" "$T/stored" | grep -c .)
dup_rows=$(uniq -d "$T/stored" | grep -c .)
tickets=$(q "SELECT count(*) FROM tickets")
created=$(q "SELECT count(*) FROM events WHERE kind = 'created'")
dup_out=$(q "SELECT count(*) FROM (SELECT 1 FROM outbox GROUP BY ticket_id, kind HAVING count(*) > 1)")
# Every ticket's acknowledgement is queued or held for notifyd (never both, never
# neither), and notifyd's pass (tick --no-send: the relay here is a closed port) turns the
# held ones into exactly one each.
queued=$(q "SELECT count(*) FROM outbox WHERE kind = 'ack'")
held=$(q "SELECT count(*) FROM held_acks")
both=$(q "SELECT count(*) FROM held_acks h JOIN outbox o ON o.ticket_id = h.ticket_id AND o.kind = 'ack'")
[ $((queued + held)) = "$N" ] && [ "$both" = 0 ] ||
	pd_fail "$queued acknowledgements queued and $held held ($both both) for $N tickets"
"$B/postdesk" -c "$T/postdesk.conf" tick --no-send >/dev/null ||
	pd_fail "postdesk tick --no-send"
acks=$(q "SELECT count(*) FROM outbox WHERE kind = 'ack'")
redelivered=$(grep -c 'status=sent.*(duplicate)' "$LOG")
deferred=$(grep -c 'status=deferred' "$LOG")
pd_log "N=$N kills=$kills: stored $(grep -c . "$T/stored"), lost $lost, unknown $extra," \
	"duplicate rows $dup_rows, tickets $tickets, acks $acks; Postfix deferrals $deferred," \
	"redeliveries answered 'already stored' $redelivered"
[ "$lost" = 0 ] || pd_fail "$lost accepted messages missing from the database: $(comm -23 "$T/accepted" "$T/stored" | head -5 | tr '\n' ' ')"
[ "$extra" = 0 ] || pd_fail "$extra stored messages Postfix never accepted"
[ "$dup_rows" = 0 ] || pd_fail "$dup_rows Message-IDs stored more than once"
[ "$tickets" = "$N" ] && [ "$created" = "$N" ] || pd_fail "$tickets tickets, $created created events for $N messages"
[ "$dup_out" = 0 ] || pd_fail "$dup_out tickets with a duplicated outbox mail"
[ "$acks" = "$N" ] || pd_fail "$acks acknowledgements for $N tickets"
[ "$deferred" -gt 0 ] || pd_log "WARNING: no kill interrupted a delivery (a weak run)"
[ "$(q 'PRAGMA integrity_check')" = ok ] || pd_fail "integrity_check: $(q 'PRAGMA integrity_check' | head -3)"
exit 0
