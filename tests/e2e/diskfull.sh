#!/bin/bash
# Durability 2: the database's file system is full. postdesk-lmtpd must answer
# 452 4.3.1 (insufficient storage, a tempfail), never 250; the database stays sound
# (PRAGMA integrity_check); and once space returns, delivery resumes -- directly over LMTP
# and through a sandboxed Postfix, whose queue keeps the deferred message and retries it.
#
# The database lives on a small tmpfs mounted for the test; "full" is a filler file that
# takes every free block, "space returns" is removing it. The running daemon already has
# its WAL and shared-memory files, as in production where a disk fills up under a running
# service. A message larger than the WAL file must grow it, which is where ENOSPC hits.
# Without permission to mount (a container without CAP_SYS_ADMIN) the test skips.
# Stays on SQLite under PD_TEST_PG_URI (the suite against PostgreSQL, tests/e2e/lib.sh
# pd_db): it fills the file system that holds the SQLite file and its WAL.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require runuser postfix postconf postqueue swaks sqlite3 mount umount

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
FS=$T/fs
DB=$FS/postdesk.db
LOG=$T/postfix/log/maillog
SWAKS_LOG=$PD_ROOT/.state/swaks.log

mkdir -p "$FS"
mount -t tmpfs -o size=4m,mode=0755 tmpfs "$FS" 2>/dev/null || {
	pd_log "SKIP: cannot mount a tmpfs (needs CAP_SYS_ADMIN)"
	exit 77
}
# lib.sh's EXIT trap stops the daemons and removes the tree: detach the mount first.
trap 'pd_stop lmtpd; umount -l "$FS" 2>/dev/null; pd__cleanup' EXIT

cat >"$T/postdesk.conf" <<CONF
[postdesk]
database = $DB
key_file = $T/d/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/d/lmtp.sock
relay = 127.0.0.1:1
[queue support]
address = support@$DOMAIN
CONF
mkdir -p "$T/d"
"$B/postdesk" -c "$T/postdesk.conf" init >/dev/null || pd_fail "postdesk init"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/d/lmtp.sock"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/postdesk.conf" -f
pd_wait_socket "$T/d/lmtp.sock" 10 lmtpd

# (pd_sql: as the daemons' user, see tests/e2e/lib.sh)
q() { pd_sql "$DB" "$1"; }
stored() { q "SELECT count(*) FROM messages WHERE message_id = '$1'"; }
# About 600 KB of text: more than the WAL holds after the small first delivery.
head -c 450000 /dev/urandom | base64 >"$T/big.txt"
fill() { dd if=/dev/zero of="$FS/filler" bs=16k 2>/dev/null; sync; }
unfill() { rm -f "$FS/filler"; }
lmtp_send() { # MESSAGE-ID BODY-FILE
	echo "=== lmtp $1" >>"$SWAKS_LOG"
	swaks --protocol LMTP --socket "$T/d/lmtp.sock" --timeout 30 --from customer@example.org \
		--to "support@$DOMAIN" --header "Message-Id: <$1>" --header "Subject: full $1" \
		--body "$2" >>"$SWAKS_LOG" 2>&1
	echo "=== exit $?" >>"$SWAKS_LOG"
}
last_data_reply() {
	awk '/^=== lmtp/ { seen = 0; r = "" } seen == 1 && /^<[-*~]/ { r = $0; seen = 2 }
		/^ *-> \.\r?$/ { seen = 1 } END { print r }' "$SWAKS_LOG"
}
expect_reply() { # WHAT PATTERN
	local reply
	reply=$(last_data_reply)
	case $reply in *"$2"*) ;; *) pd_fail "$1: LMTP reply '$reply', want $2" ;; esac
}
sound() { [ "$(q 'PRAGMA integrity_check')" = ok ] || pd_fail "integrity_check: $(q 'PRAGMA integrity_check' | head -3)"; }

# 1. A small message while there is room.
lmtp_send small@example.org "room enough"
expect_reply "with free space" "250 2.0.0"

# 2. Full: 452 4.3.1, nothing stored, the database sound, the daemon still up.
fill
lmtp_send full1@example.org "$T/big.txt"
expect_reply "disk full" "452 4.3.1"
pd_bg_pid lmtpd >/dev/null || pd_fail "postdesk-lmtpd died on a full disk"
[ "$(stored full1@example.org)" = 0 ] || pd_fail "stored on a full disk?"
sound

# 3. Through Postfix, still full: deferred with 452, kept in the queue.
pd_swaks --to "support@$DOMAIN" --header "Message-Id: <full2@example.org>" --body "$T/big.txt" ||
	pd_fail "Postfix refused the message"
deferred() { grep -q 'status=deferred.*452 4.3.1' "$LOG"; }
pd_wait_until 20 deferred || pd_fail "Postfix saw no 452 4.3.1 on a full disk"
grep -q 'status=sent.*full2' "$LOG" && pd_fail "a 250 on a full disk"
[ "$(pd_postfix_queue_count "$T/postfix")" = 1 ] || pd_fail "the deferred message left the queue"

# 4. Space returns: both are delivered once, and the database is sound.
unfill
lmtp_send full1@example.org "$T/big.txt"
expect_reply "after space returned" "250 2.0.0"
pd_postfix_flush "$T/postfix"
pd_postfix_wait_empty "$T/postfix" 30
for id in small full1 full2; do
	[ "$(stored $id@example.org)" = 1 ] || pd_fail "$id stored $(stored $id@example.org) times"
done
grep -q 'status=bounced' "$LOG" && pd_fail "Postfix bounced: $(grep -m1 status=bounced "$LOG")"
sound
pd_log "disk full: 452 4.3.1 over LMTP and through Postfix, integrity ok, delivered after"
exit 0
