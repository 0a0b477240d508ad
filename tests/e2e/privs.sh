#!/bin/bash
# Issue 7 end to end (doc/privileges.md): started as root, postdesk-lmtpd, -notifyd and
# -milter refuse to run without `user`, and with it switch to that user for good (checked
# in /proc); `postdesk init` gives the database directory (0700) and files (0600) to the
# user (the key file stays root's); the -wal/-shm files made while delivering are the user's and 0600; a database
# path that is a symlink, and a socket path that is a file or a symlink, are refused.
# Stays on SQLite under PD_TEST_PG_URI (the suite against PostgreSQL, tests/e2e/lib.sh
# pd_db): it checks the SQLite file's, WAL's and directory's owners and modes and refuses
# a symlinked file.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require swaks stat runuser
B=$PD_BUILDDIR/src/bin
for prog in postdesk postdesk-lmtpd postdesk-notifyd postdesk-milter; do
	[ -x "$B/$prog" ] || { pd_log "SKIP: $B/$prog not built"; exit 77; }
done
getent passwd "$PD_DAEMON_USER" >/dev/null || { pd_log "SKIP: no user $PD_DAEMON_USER"; exit 77; }
UID_D=$(id -u "$PD_DAEMON_USER")
GID_D=$(id -g "$PD_DAEMON_USER")

T=$(pd_tmpdir)
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
# mode and owner of PATH, e.g. "600 65534"
perm() { stat -c '%a %u' "$1"; }

conf() { # FILE DB [USER]
	cat >"$1" <<CONF
[postdesk]
domain = support.test
database = $2
key_file = $T/db/postdesk.key
lmtp_listen = unix:$T/lmtp.sock
milter_listen = unix:$T/milter/milter.sock
relay = 127.0.0.1:9
${3:+user = $3}
[queue support]
address = support@support.test
CONF
}

# Run a daemon in the foreground that must exit at once; its status and output.
must_refuse() { # WHAT PATTERN CMD...
	local what=$1 pattern=$2 out rc
	shift 2
	out=$(timeout 10 "$@" -f 2>&1)
	rc=$?
	[ "$rc" != 0 ] && [ "$rc" != 124 ] || pd_fail "$what: exit $rc, expected a refusal: $out"
	grep -q -- "$pattern" <<<"$out" || pd_fail "$what: no '$pattern' in: $out"
}

# 1. init as root with user set: the directory and files are the user's, private.
conf "$T/ok.conf" "$T/db/postdesk.db" "$PD_DAEMON_USER"
"$B/postdesk" -c "$T/ok.conf" init >/dev/null || pd_fail "postdesk init failed"
expect_eq "$(perm "$T/db")" "700 $UID_D" "database directory"
expect_eq "$(perm "$T/db/postdesk.db")" "600 $UID_D" "database file"
expect_eq "$(perm "$T/db/postdesk.key")" "600 0" "key file (root's: issue 11)"

# 2. Root without user: each daemon refuses, naming the file to fix.
conf "$T/root.conf" "$T/db/postdesk.db"
for d in postdesk-lmtpd postdesk-notifyd postdesk-milter; do
	must_refuse "$d as root" "refusing to run as root: set user = .* in $T/root.conf" \
		"$B/$d" -c "$T/root.conf"
done
# ... and a user that is root in disguise, or does not exist, is no better.
conf "$T/uid0.conf" "$T/db/postdesk.db" root
must_refuse "user = root" "not an unprivileged user" "$B/postdesk-lmtpd" -c "$T/uid0.conf"
conf "$T/nouser.conf" "$T/db/postdesk.db" postdesk-no-such-user
must_refuse "unknown user" "no such user" "$B/postdesk-lmtpd" -c "$T/nouser.conf"
[ -e "$T/lmtp.sock" ] && pd_fail "a refused lmtpd left its socket"

# 3. With user: the daemons run as the user (all of real, effective, saved ids), the LMTP
# socket stays connectable by Postfix (0666), and what delivery makes is private.
ids_of() { # PID -> "uid gid" if real/effective/saved/fs ids all agree, else the lines
	awk '/^Uid:/ { u = $2 " " $3 " " $4 " " $5 } /^Gid:/ { g = $2 " " $3 " " $4 " " $5 }
	     END { split(u, a, " "); split(g, b, " ");
		   if (a[1] == a[2] && a[2] == a[3] && a[3] == a[4] && b[1] == b[2] &&
		       b[2] == b[3] && b[3] == b[4]) print a[1], b[1]; else print u "/" g }' \
		"/proc/$1/status"
}
pd_daemon_dir "$T/milter"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/ok.conf" -f
pd_wait_socket "$T/lmtp.sock" 10 lmtpd
pd_bg notifyd "$B/postdesk-notifyd" -c "$T/ok.conf" -f
pd_bg milter "$B/postdesk-milter" -c "$T/ok.conf" -f
pd_wait_socket "$T/milter/milter.sock" 10 milter
for d in lmtpd notifyd milter; do
	pid=$(pd_bg_pid "$d") || pd_fail "$d exited"
	expect_eq "$(ids_of "$pid")" "$UID_D $GID_D" "ids of $d"
	grep -q "running as user $PD_DAEMON_USER" "$PD_ROOT/.state/$d.log" ||
		pd_fail "$d did not log the switch"
done
expect_eq "$(stat -c '%a' "$T/lmtp.sock")" 666 "LMTP socket mode"
runuser -u postfix -- test -w "$T/lmtp.sock" || pd_fail "postfix cannot reach the LMTP socket"
swaks --socket "$T/lmtp.sock" --protocol LMTP --to support@support.test \
	--from ann@shop.example --header "Subject: privs" >"$T/swaks.log" 2>&1 ||
	pd_fail "LMTP delivery failed: $(tail -n 5 "$T/swaks.log")"
for f in "$T/db/postdesk.db-wal" "$T/db/postdesk.db-shm"; do
	[ -e "$f" ] || pd_fail "$f missing (WAL mode?)"
	expect_eq "$(perm "$f")" "600 $UID_D" "$(basename "$f")"
done
expect_eq "$(sqlite3 "$T/db/postdesk.db" 'SELECT count(*) FROM tickets')" 1 "ticket stored"
pd_stop milter
pd_stop notifyd
pd_stop lmtpd

# 4. A database path that is a symlink is refused (no file is followed), by the daemons
# and by the CLI alike; so is a socket path that is a symlink or a plain file.
ln -s "$T/db/postdesk.db" "$T/db/link.db"
conf "$T/link.conf" "$T/db/link.db" "$PD_DAEMON_USER"
must_refuse "symlinked database (lmtpd)" "link.db" "$B/postdesk-lmtpd" -c "$T/link.conf"
must_refuse "symlinked database (notifyd)" "link.db" "$B/postdesk-notifyd" -c "$T/link.conf"
"$B/postdesk" -c "$T/link.conf" tickets >/dev/null 2>&1 && pd_fail "postdesk tickets followed a symlinked database"
rm -f "$T/lmtp.sock"
ln -s "$T/db/postdesk.db" "$T/lmtp.sock"
must_refuse "symlink at the socket path" "not a socket" "$B/postdesk-lmtpd" -c "$T/ok.conf"
[ -L "$T/lmtp.sock" ] || pd_fail "the symlink at the socket path was removed"
expect_eq "$(perm "$T/db/postdesk.db")" "600 $UID_D" "database after the refusals"
rm -f "$T/lmtp.sock" && echo "not a socket" >"$T/lmtp.sock"
must_refuse "file at the socket path" "not a socket" "$B/postdesk-lmtpd" -c "$T/ok.conf"
expect_eq "$(cat "$T/lmtp.sock")" "not a socket" "file at the socket path"
pd_log "PASS"
