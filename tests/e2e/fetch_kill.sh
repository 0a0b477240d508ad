#!/bin/bash
# Issue 15, exactly once: postdesk-fetchd is killed with SIGKILL again and again while it
# fetches from a real Dovecot (tests/e2e/fetch_lib.sh), at moments that fall anywhere in
# its work (between the download, the commit and the \Seen). In the end every message is
# stored exactly once: one message row and one fetched record per message, nothing left
# unseen on the server. 20 kills by default, PD_LONG=1 for the issue's 100; the message
# count grows with them, so that the kills keep landing in the middle of fetching.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fetch_lib.sh"

pd_require sqlite3
pd_dovecot_require

KILLS=20
[ "${PD_LONG:-0}" = 1 ] && KILLS=100
N=$((KILLS * 10))
T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
pd_dovecot_start "$T/dovecot"
pd_dovecot_user box secret
mkdir -p "$T/pd"
printf 'secret\n' >"$T/pd/pass"
chown "$PD_DAEMON_USER" "$T/pd/pass"
chmod 600 "$T/pd/pass"
cat >"$T/pd/postdesk.conf" <<CONF
[postdesk]
database = $(pd_db "$T/pd/postdesk.db")
key_file = $T/pd/postdesk.key
domain = support.test
user = $PD_DAEMON_USER
relay = 127.0.0.1:9
[queue support]
address = support@support.test
[mailbox box]
host = 127.0.0.1
port = $PD_IMAPS_PORT
ca_file = $T/dovecot/cert.pem
user = box
password_file = $T/pd/pass
queue = support
max_per_poll = 5
poll_interval = 1
CONF
chmod 644 "$T/pd/postdesk.conf"
"$B/postdesk" -c "$T/pd/postdesk.conf" init >/dev/null || pd_fail "init"
q() { pd_sql "$T/pd/postdesk.db" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }

for i in $(seq 1 "$N"); do
	printf 'Return-Path: <c%d@shop.example>\nFrom: <c%d@shop.example>\nTo: support@support.test\nSubject: question %d\nMessage-ID: <k%d@shop.example>\n\nQuestion number %d.\n' \
		"$i" "$i" "$i" "$i" "$i" >"$T/m"
	pd_dovecot_save box "$T/m"
done

# Kill at a random moment 0.02..0.31 s after start (start-up, login, fetching, committing).
for k in $(seq 1 "$KILLS"); do
	pd_bg fetchd "$B/postdesk-fetchd" -c "$T/pd/postdesk.conf" -f
	pid=$(pd_bg_pid fetchd) || pd_fail "fetchd did not start (kill $k)"
	sleep "0.$(printf %02d $((2 + RANDOM % 30)))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
stored=$(q "SELECT count(*) FROM fetched")
pd_log "$KILLS kills: $stored of $N messages stored while being killed"
# Then let it finish undisturbed.
pd_bg fetchd "$B/postdesk-fetchd" -c "$T/pd/postdesk.conf" -f
# (a kill between the \Seen and its record leaves fetched.done unset: the server has it)
all_done() { [ "$(pd_dovecot_search box UNSEEN | wc -l)" = 0 ] &&
	[ "$(q "SELECT count(*) FROM fetched")" = "$N" ]; }
pd_wait_until 120 all_done || pd_fail "not all fetched: $(q "SELECT count(*) FROM fetched") of $N"
pd_stop fetchd

expect_eq "$(q "SELECT count(*) FROM messages WHERE direction = 'in'")" "$N" "messages stored"
expect_eq "$(q "SELECT count(DISTINCT message_id) FROM messages WHERE direction = 'in'")" "$N" "distinct Message-IDs"
expect_eq "$(q "SELECT count(*) FROM tickets")" "$N" "tickets"
expect_eq "$(q "SELECT count(*) FROM fetched WHERE state = 'stored'")" "$N" "fetched records"
expect_eq "$(q "SELECT count(*) FROM outbox WHERE kind = 'ack'")" "$N" "acknowledgements queued"
pd_log "PASS ($KILLS kills, $N messages, each stored once)"
