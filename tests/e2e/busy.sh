#!/bin/bash
# Durability 3: the database is locked by another writer for longer than busy_timeout.
# postdesk-lmtpd must answer 451 4.3.0 (a tempfail: the MTA keeps the message), never 250,
# store nothing, and deliver normally once the lock is gone -- directly over LMTP (swaks)
# and through a sandboxed Postfix, whose queue keeps the deferred message and retries it.
#
# The lock is held by the sqlite3 shell: BEGIN IMMEDIATE takes the write lock, then
# `.shell` blocks until this script creates a release file, so the lock lasts exactly as
# long as the test wants (busy_timeout is 1 s here; the lock is held for several).
# Stays on SQLite under PD_TEST_PG_URI (the suite against PostgreSQL, tests/e2e/lib.sh
# pd_db): the lock is SQLite's file lock, held by the sqlite3 shell.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require runuser postfix postconf postqueue swaks sqlite3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
D=$T/d # database, key and socket: init gives it to the daemon user
DB=$D/postdesk.db
LOG=$T/postfix/log/maillog
SWAKS_LOG=$PD_ROOT/.state/swaks.log

cat >"$T/postdesk.conf" <<CONF
[postdesk]
database = $DB
key_file = $D/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$D/lmtp.sock
relay = 127.0.0.1:1
busy_timeout = 1s
[queue support]
address = support@$DOMAIN
CONF
mkdir -p "$T/d"
"$B/postdesk" -c "$T/postdesk.conf" init >/dev/null || pd_fail "postdesk init"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$D/lmtp.sock"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/postdesk.conf" -f
pd_wait_socket "$D/lmtp.sock" 10 lmtpd

# (pd_sql: as the daemons' user, see tests/e2e/lib.sh)
q() { pd_sql "$DB" "$1"; }
stored() { q "SELECT count(*) FROM messages WHERE message_id = '$1'"; }
lock_db() {
	rm -f "$D/locked" "$D/release"
	pd_bg locker runuser -u "$PD_DAEMON_USER" -- sqlite3 "$DB" "BEGIN IMMEDIATE;" \
		".shell touch $D/locked; while [ ! -e $D/release ]; do sleep 0.05; done" "COMMIT;"
	pd_wait_until 10 test -e "$D/locked" || pd_fail "sqlite3 did not take the lock"
}
locker_gone() { ! pd_bg_pid locker >/dev/null; }
unlock_db() {
	touch "$D/release"
	pd_wait_until 10 locker_gone || pd_fail "sqlite3 kept the lock"
	pd_stop locker
}
# One message over LMTP straight to the daemon: MESSAGE-ID.
lmtp_send() {
	echo "=== lmtp $1" >>"$SWAKS_LOG"
	swaks --protocol LMTP --socket "$D/lmtp.sock" --timeout 30 --from customer@example.org \
		--to "support@$DOMAIN" --header "Message-Id: <$1>" --header "Subject: busy $1" \
		--body "locked database test" >>"$SWAKS_LOG" 2>&1
	echo "=== exit $?" >>"$SWAKS_LOG"
}
# The server's reply to the data of the last transaction in the swaks log.
last_data_reply() {
	awk '/^=== lmtp/ { seen = 0; r = "" } seen == 1 && /^<[-*~]/ { r = $0; seen = 2 }
		/^ *-> \.\r?$/ { seen = 1 } END { print r }' "$SWAKS_LOG"
}

# 1. Locked longer than busy_timeout: 451 4.3.0 over LMTP, nothing stored.
lock_db
start=$SECONDS
lmtp_send busy1@example.org
reply=$(last_data_reply)
case $reply in *"451 4.3.0"*) ;; *) pd_fail "LMTP reply while locked: '$reply' (want 451 4.3.0)" ;; esac
[ $((SECONDS - start)) -lt 10 ] || pd_fail "the tempfail took $((SECONDS - start))s with busy_timeout 1s"
[ "$(stored busy1@example.org)" = 0 ] || pd_fail "a message was stored under the other writer's lock?"

# 2. Through Postfix while still locked: deferred (451), never sent.
pd_swaks --to "support@$DOMAIN" --header "Message-Id: <busy2@example.org>" --body "via Postfix" ||
	pd_fail "Postfix refused the message"
deferred() { grep -q 'status=deferred.*451 4.3.0' "$LOG"; }
pd_wait_until 20 deferred || pd_fail "Postfix saw no 451 4.3.0 while the database was locked"
grep -q 'status=sent' "$LOG" && pd_fail "a 250 while the database was locked: $(grep -m1 status=sent "$LOG")"
[ "$(pd_postfix_queue_count "$T/postfix")" = 1 ] || pd_fail "the deferred message left the queue"

# 3. The lock goes away: both messages are delivered, once each.
unlock_db
lmtp_send busy1@example.org
reply=$(last_data_reply)
case $reply in *"250 2.0.0"*) ;; *) pd_fail "LMTP reply after the lock: '$reply'" ;; esac
pd_postfix_flush "$T/postfix"
pd_postfix_wait_empty "$T/postfix" 30
[ "$(stored busy1@example.org)" = 1 ] || pd_fail "busy1 stored $(stored busy1@example.org) times"
[ "$(stored busy2@example.org)" = 1 ] || pd_fail "busy2 stored $(stored busy2@example.org) times"
grep -q 'status=bounced' "$LOG" && pd_fail "Postfix bounced: $(grep -m1 status=bounced "$LOG")"
[ "$(q 'PRAGMA integrity_check')" = ok ] || pd_fail "integrity_check failed"
exit 0
