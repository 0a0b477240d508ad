#!/bin/bash
# Issue 11, item 8 end to end: the daemons' signals and the smaller holes, through a
# sandboxed Postfix (with postdesk-milter as its smtpd milter) in front of postdesk-lmtpd,
# and postdesk-notifyd sending through it to a capture server.
#  1. the key file is root's, 0600, unreadable by the daemons' user; the daemons still
#     sign (acknowledgement tokens) and verify (a reply to a token is threaded);
#  2. socket modes as doc/privileges.md states (LMTP 0666 root's, milter 0666 the user's),
#     and contrib/sandbox.sh puts its LMTP socket where other local users cannot reach it;
#  3. SIGHUP to all three daemons during a stream of deliveries: every message stored
#     once, the PIDs unchanged; a changed template takes effect after the reload; a broken
#     config is refused with a log line and the old one keeps working;
#  4. SIGTERM during a delivery lets it finish: 250 and stored, then lmtpd exits;
#  5. two From headers: refused 554 5.6.0, nothing stored;
#  6. an attachment named ../../../../etc/passwd reaches the agent as "passwd".
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3 runuser python3 stat

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
CONF=$T/postdesk.conf
# a local user that is neither root, postfix nor the daemons' user
OTHER_USER=
for u in daemon bin games nobody; do
	[ "$u" != "$PD_DAEMON_USER" ] && getent passwd "$u" >/dev/null && { OTHER_USER=$u; break; }
done
[ -n "$OTHER_USER" ] || { pd_log "SKIP: no second unprivileged user"; exit 77; }

expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
q() { pd_sql "$T/db/postdesk.db" "$1"; }
log_has() { grep -q -e "$2" "$PD_ROOT/.state/$1.log"; }
log_count() { grep -c -e "$2" "$PD_ROOT/.state/$1.log"; }
pid_of() { pd_bg_pid "$1" || pd_fail "$1 is not running"; }
reloads_ge() { [ "$(log_count "$1" 'reloaded ')" -ge "$2" ]; } # (a function: counted afresh)
gone() { ! pd__alive "$1"; }

# The sockets' directories: only Postfix (group) and postdesk reach them.
mkdir -p "$T/lmtp" && chown root:postfix "$T/lmtp" && chmod 0750 "$T/lmtp"
pd_daemon_dir "$T/milter" && chgrp postfix "$T/milter" && chmod 0750 "$T/milter"
cp -r "$PD_SRCDIR/templates/en" "$T/tpl"

pd_capture_start "$T"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/lmtp/lmtp.sock" \
	"smtpd_milters=unix:$T/milter/milter.sock" milter_default_action=tempfail milter_protocol=6 \
	"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" "smtp_tls_security_level=none"

write_conf() { # [EXTRA LINE]
	cat >"$CONF.new" <<CONF
[postdesk]
domain = $DOMAIN
user = $PD_DAEMON_USER
database = $(pd_db "$T/db/postdesk.db")
key_file = $T/db/postdesk.key
lmtp_listen = unix:$T/lmtp/lmtp.sock
milter_listen = unix:$T/milter/milter.sock
relay = 127.0.0.1:$PD_SMTP_PORT
template_dir = $T/tpl
outbox_retry_base = 1s
milter_flood_limit = 100000
${1:-}
[queue support]
address = support@$DOMAIN
display_name = Example Support
CONF
	mv "$CONF.new" "$CONF"
}
write_conf
"$B/postdesk" -c "$CONF" init >/dev/null || pd_fail "postdesk init failed"
"$B/postdesk" -c "$CONF" agent add alice@agents.example --name "Alice Agent" >/dev/null ||
	pd_fail "agent add"

# ---- 1. the key file is root's, and only root's
expect_eq "$(stat -c '%a %u %g' "$T/db/postdesk.key")" "600 0 0" "key file mode and owner"
runuser -u "$PD_DAEMON_USER" -- cat "$T/db/postdesk.key" >/dev/null 2>&1 &&
	pd_fail "the daemons' user can read the key file"

pd_bg lmtpd "$B/postdesk-lmtpd" -c "$CONF" -f
pd_bg milter "$B/postdesk-milter" -c "$CONF" -f
pd_bg notifyd "$B/postdesk-notifyd" -c "$CONF" -f
pd_wait_socket "$T/lmtp/lmtp.sock" 10 lmtpd
pd_wait_socket "$T/milter/milter.sock" 10 milter
PID_LMTPD=$(pid_of lmtpd) PID_MILTER=$(pid_of milter) PID_NOTIFYD=$(pid_of notifyd)

outbox_drained() { [ "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix" 30
	pd_wait_until 20 outbox_drained || pd_fail "outbox not drained"
	pd_postfix_wait_empty "$T/postfix" 30
}
stored() { q "SELECT count(*) FROM messages WHERE message_id = '$1'"; }

pd_swaks --to "support@$DOMAIN" --from ann@shop.example --header "Subject: lamp broken" \
	--header "Message-Id: <k1@shop.example>" --body "It does not switch on." || pd_fail "swaks k1"
settle
pd_wait_captured ann@shop.example 1
token=$(pd_header Reply-To "$(pd_newest_captured ann@shop.example)" | sed 's/.*<\(.*\)>.*/\1/')
case $token in support+1-c-*@$DOMAIN) ;; *) pd_fail "ack Reply-To is not a token: $token" ;; esac
pd_swaks --to "$token" --from ann@shop.example --header "Subject: more" \
	--header "Message-Id: <k2@shop.example>" --body "Still dark." || pd_fail "reply to the token refused"
settle
expect_eq "$(q "SELECT ticket_id FROM messages WHERE message_id = 'k2@shop.example'")" 1 \
	"a reply to the token (verified with the root-owned key) threads into ticket 1"

# ---- 2. socket modes (doc/privileges.md)
expect_eq "$(stat -c '%a %u' "$T/lmtp/lmtp.sock")" "666 0" "LMTP socket (bound as root)"
expect_eq "$(stat -c '%a %U' "$T/milter/milter.sock")" "666 $PD_DAEMON_USER" \
	"milter socket (made after the switch to the user)"
runuser -u postfix -- test -w "$T/lmtp/lmtp.sock" || pd_fail "postfix cannot reach the LMTP socket"
runuser -u "$OTHER_USER" -- test -w "$T/lmtp/lmtp.sock" && pd_fail "$OTHER_USER reaches the LMTP socket"
# contrib/sandbox.sh: its LMTP socket is out of other local users' reach
SB=$T/sandbox
mkdir -p "$SB"
sandbox() { PD_BUILDDIR=$PD_BUILDDIR "$PD_SRCDIR/contrib/sandbox.sh" "$@" >>"$PD_ROOT/.state/sandbox.log" 2>&1; }
trap 'sandbox stop "$SB"; pd__cleanup' EXIT
sandbox start "$SB" || pd_fail "contrib/sandbox.sh start failed"
sock=$(sed -n 's/^lmtp_listen = unix://p' "$SB/postdesk.conf")
[ -S "$sock" ] || pd_fail "sandbox: no LMTP socket at $sock"
runuser -u postfix -- test -w "$sock" || pd_fail "sandbox: postfix cannot reach $sock"
runuser -u "$OTHER_USER" -- test -w "$sock" && pd_fail "sandbox: $OTHER_USER can deliver to $sock past Postfix"
sandbox stop "$SB"

# ---- 3. SIGHUP during a stream of deliveries
N=30
stream() {
	local i
	for i in $(seq 1 $N); do
		pd_swaks --to "support@$DOMAIN" --from "s$i@shop.example" --header "Subject: stream $i" \
			--header "Message-Id: <stream-$i@shop.example>" --body "message $i" || echo "swaks $i failed"
	done >"$T/stream.out" 2>&1
	echo done >>"$T/stream.out"
}
stream &
for round in 1 2 3; do
	for d in lmtpd milter notifyd; do kill -HUP "$(pid_of $d)"; done
	for d in lmtpd milter notifyd; do
		pd_wait_until 20 reloads_ge $d $round ||
			pd_fail "$d did not log reload $round"
	done
done
pd_wait_until 120 grep -q '^done' "$T/stream.out" || pd_fail "the stream did not finish"
grep -q 'failed' "$T/stream.out" && pd_fail "deliveries refused during reloads: $(cat "$T/stream.out")"
settle
for i in $(seq 1 $N); do
	expect_eq "$(stored "stream-$i@shop.example")" 1 "stream message $i stored once"
done
expect_eq "$(pid_of lmtpd) $(pid_of milter) $(pid_of notifyd)" "$PID_LMTPD $PID_MILTER $PID_NOTIFYD" \
	"daemon PIDs after SIGHUP"

# a changed template takes effect after the reload (the acknowledgement, rendered by
# notifyd for the tickets lmtpd opens)
sed -i '1s/^Subject: /Subject: RELOADED /' "$T/tpl/ack.txt"
kill -HUP "$PID_NOTIFYD"
pd_wait_until 20 reloads_ge notifyd 4 || pd_fail "notifyd did not reload"
pd_swaks --to "support@$DOMAIN" --from bea@shop.example --header "Subject: chair wobbles" \
	--header "Message-Id: <t1@shop.example>" --body "One leg is short." || pd_fail "swaks t1"
settle
pd_wait_captured bea@shop.example 1
pd_header Subject "$(pd_newest_captured bea@shop.example)" | grep -q '^RELOADED ' ||
	pd_fail "the changed template did not take effect: $(pd_header Subject "$(pd_newest_captured bea@shop.example)")"

# a broken config is refused with a log line; the running one keeps working
write_conf "max_message_size = lots"
for d in lmtpd milter notifyd; do kill -HUP "$(pid_of $d)"; done
for d in lmtpd milter notifyd; do
	pd_wait_until 20 log_has $d 'reload refused, the running configuration stays: .*max_message_size' ||
		pd_fail "$d did not log the refused reload"
done
pd_swaks --to "support@$DOMAIN" --from cy@shop.example --header "Subject: after a bad reload" \
	--header "Message-Id: <b1@shop.example>" --body "still there?" || pd_fail "swaks b1 after a bad reload"
settle
expect_eq "$(stored b1@shop.example)" 1 "stored after a refused reload"
pd_wait_captured cy@shop.example 1
expect_eq "$(pid_of lmtpd) $(pid_of milter) $(pid_of notifyd)" "$PID_LMTPD $PID_MILTER $PID_NOTIFYD" \
	"daemon PIDs after a refused reload"
write_conf

# ---- 5. two From headers: refused, nothing stored
printf '%s\r\n' "From: Ann <ann@shop.example>" "From: Mallory <mallory@evil.example>" \
	"To: support@$DOMAIN" "Subject: two senders" "Message-ID: <twofrom@shop.example>" "" \
	"which one is it?" >"$T/twofrom.eml"
pd_swaks --to "support@$DOMAIN" --from ann@shop.example --data "$T/twofrom.eml" ||
	pd_fail "Postfix refused the two-From message at SMTP (the test expects LMTP to refuse it)"
pd_postfix_wait_empty "$T/postfix" 30
pd_maillog_wait "$T/postfix" 'status=bounced.*554 5.6.0.*2 From header fields' ||
	pd_fail "no 554 5.6.0 for two From headers in the maillog: $(pd_maillog "$T/postfix" 5)"
expect_eq "$(stored twofrom@shop.example)" 0 "two-From message stored"

# ---- 6. an attachment name with a path reaches the agent as a safe base name
echo "root:x:0:0" >"$T/passwd.txt"
before=$(pd_captured_count alice@agents.example)
pd_swaks --to "support@$DOMAIN" --from dan@shop.example --header "Subject: see attached" \
	--header "Message-Id: <att1@shop.example>" --body "the file" \
	--attach-type text/plain --attach-name '../../../../etc/passwd' --attach "@$T/passwd.txt" ||
	pd_fail "swaks att1"
settle
pd_wait_captured alice@agents.example $((before + 1))
notice=$(pd_newest_captured alice@agents.example)
grep -q 'att1@shop.example\|see attached' "$notice" || pd_fail "newest agent notice is not the attachment's"
tr -d '\r' <"$notice" | grep -iq 'filename="\{0,1\}passwd"\{0,1\}$' ||
	pd_fail "attachment filename not reduced to passwd: $(tr -d '\r' <"$notice" | grep -i 'name')"
grep -q '\.\./' "$notice" && pd_fail "a ../ path reached the agent"

# ---- 4. SIGTERM during a delivery lets it finish
cat >"$T/slow.py" <<'PY'
import os, socket, sys, time
sock, go, mark = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline().decode()
        if line[3:4] != "-":
            return line.strip()
reply()
for cmd in ("LHLO slow.example", "MAIL FROM:<eve@shop.example>", "RCPT TO:<support@support.test>", "DATA"):
    s.sendall((cmd + "\r\n").encode()); reply()
s.sendall(b"From: eve@shop.example\r\nSubject: slow\r\nMessage-ID: <slow@shop.example>\r\n\r\nfirst half\r\n")
open(mark, "w").close()
while not os.path.exists(go):
    time.sleep(0.05)
s.sendall(b"second half\r\n.\r\n")
print(reply())
PY
python3 "$T/slow.py" "$T/lmtp/lmtp.sock" "$T/go" "$T/mark" >"$T/slow.out" 2>&1 &
slow=$!
pd_wait_until 20 [ -e "$T/mark" ] || pd_fail "the slow client did not start its DATA"
kill -TERM "$PID_LMTPD"
pd_wait_until 20 log_has lmtpd 'stopping: no new connections' || pd_fail "lmtpd did not start stopping"
touch "$T/go"
wait "$slow"
grep -q '^250 ' "$T/slow.out" || pd_fail "the delivery in flight at SIGTERM did not finish: $(cat "$T/slow.out")"
expect_eq "$(stored slow@shop.example)" 1 "message in flight at SIGTERM stored"
pd_wait_until 20 gone "$PID_LMTPD" || pd_fail "lmtpd did not exit after its last session"
pd_log "PASS"
