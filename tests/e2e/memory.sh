#!/bin/bash
# Issue 11, item 7: memory must not grow with message size. Twenty 24 MB messages (a short
# text and a 18 MB attachment, base64) are sent at once through the sandboxed Postfix to
# postdesk-lmtpd; each must be stored exactly once with its body byte for byte, and the
# daemon's peak resident size (VmHWM, a count read from /proc) must stay within 128 MB.
# Before the spool (doc/benchmarks.md, "Bounded memory") the same load took ~1.7 GB.
# Then: a message cut off in the middle of DATA, and one into a full spool directory, get
# no 250, leave nothing stored and no spool file behind.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks sqlite3 python3

N=${PD_MEMORY_MESSAGES:-20}
LIMIT_KB=$((128 * 1024))
T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
CONF=$T/postdesk.conf
DB=$T/db/postdesk.db
cat >"$CONF" <<CONF
[postdesk]
database = $(pd_db "$DB")
key_file = $T/db/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/lmtp.sock
lmtp_max_sessions = 64
[queue support]
address = support@$DOMAIN
CONF
"$B/postdesk" -c "$CONF" init >/dev/null || pd_fail "postdesk init failed"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$CONF" -f
pd_wait_socket "$T/lmtp.sock" 10 lmtpd
LMTPD=$(pd_bg_pid lmtpd)
# 24 MB messages pass Postfix (default limit 10 MB); all N go to lmtpd at once.
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/lmtp.sock" message_size_limit=40000000 \
	lmtp_destination_concurrency_limit="$N" default_destination_concurrency_limit="$N"

q() { pd_sql "$DB" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$LMTPD/status"; }
stored() { [ "$(q "SELECT count(*) FROM messages WHERE message_id LIKE 'mem-%@shop.example'")" -ge "$1" ]; }

# The messages: CRLF line ends, a unique Message-ID each; the body (after the blank line)
# is the same 24 MB for all, and is compared byte for byte with what was stored.
python3 - "$T/msgs" "$N" <<'PY' || pd_fail "cannot write the test messages"
import base64, os, random, sys
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d)
rnd = random.Random(11)
blob = base64.encodebytes(rnd.randbytes(18 * 1024 * 1024))
body = (b"--b0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe logs you asked for.\r\n"
        b"--b0\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename=\"logs.tar\"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + blob.replace(b"\n", b"\r\n") +
        b"--b0--\r\n")
open(os.path.join(d, "body"), "wb").write(body)
for i in range(1, n + 1):
    head = ("From: Ann <ann@shop.example>\r\nTo: support@support.test\r\n"
            "Subject: big logs %d\r\nMessage-Id: <mem-%d@shop.example>\r\n"
            "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n" % (i, i)).encode()
    open(os.path.join(d, "m%d" % i), "wb").write(head + body)
PY
BODY_LEN=$(stat -c %s "$T/msgs/body")
{ cat "$T/msgs/body" && printf '\r\n'; } >"$T/msgs/body+crlf"
[ "$BODY_LEN" -gt $((24 * 1000 * 1000)) ] || pd_fail "test body is only $BODY_LEN bytes"

# 1. N at once, each its own SMTP session; Postfix delivers them in parallel over LMTP.
pids=()
for i in $(seq 1 "$N"); do
	pd_swaks --to "support@$DOMAIN" --suppress-data --data "@$T/msgs/m$i" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || pd_fail "swaks failed: $(pd_swaks_log)"; done
pd_wait_until 300 stored "$N" || pd_fail "only $(q "SELECT count(*) FROM messages") of $N stored"
pd_postfix_wait_empty "$T/postfix" 60
hwm=$(hwm_kb)
pd_log "postdesk-lmtpd peak RSS (VmHWM) after $N concurrent 24 MB messages: $hwm kB"
if grep -q -a __asan_init "$B/postdesk-lmtpd"; then
	# ASan's shadow memory and its quarantine of freed blocks (256 MB by default) are not
	# the daemon's: the bound is asserted by the normal build; everything else still is
	pd_log "sanitizer build: VmHWM bound not asserted"
else
	[ -n "$hwm" ] && [ "$hwm" -le "$LIMIT_KB" ] ||
		pd_fail "postdesk-lmtpd VmHWM $hwm kB is over the $LIMIT_KB kB bound"
fi

# Each stored once, its body byte for byte (Postfix adds trace headers in front).
mkdir -p "$T/out" && chown "$PD_DAEMON_USER" "$T/out"
for i in $(seq 1 "$N"); do
	expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id = 'mem-$i@shop.example'")" 1 \
		"message $i stored once"
	# through the store (raw is stored compressed): show --raw prints the original bytes
	row=$(q "SELECT id FROM messages WHERE message_id = 'mem-$i@shop.example'")
	"$B/postdesk" -c "$CONF" show --raw "$row" >"$T/out/m$i" || pd_fail "show --raw $row failed"
	len=$(stat -c %s "$T/out/m$i")
	orig=$(stat -c %s "$T/msgs/m$i")
	[ "$len" -ge "$orig" ] && [ "$len" -le $((orig + 4096)) ] ||
		pd_fail "message $i: stored $len bytes, sent $orig"
	# swaks ends DATA with one more CRLF of its own before the dot
	tail -c "$BODY_LEN" "$T/out/m$i" | cmp -s - "$T/msgs/body" ||
		tail -c $((BODY_LEN + 2)) "$T/out/m$i" | cmp -s - "$T/msgs/body+crlf" ||
		pd_fail "message $i: stored body differs from the one sent"
	rm -f "$T/out/m$i"
done
expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id LIKE 'mem-%' AND flags LIKE '%body-truncated%'")" 0 \
	"a short text part is not cut"
expect_eq "$(find "$T/db/spool" -type f | wc -l)" 0 "spool files left after delivery"
expect_eq "$(stat -c '%a %U' "$T/db/spool")" "700 $PD_DAEMON_USER" "spool directory mode and owner"

# 2. A big message cut off in the middle of DATA (the client dies): no reply, nothing
# stored, and the spool file is gone once the session ends (it never had a name; the
# daemon holds no descriptor of the spool directory any more).
lmtp() { # SOCKET MSGID SIZE CUT: one LMTP transaction; prints the reply to the final dot
	python3 - "$@" <<'PY'
import socket, sys
sock, msgid, size, cut = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "cut"
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline().decode()
        if len(line) < 4 or line[3] != "-":
            return line.strip()
reply()
for cmd in ("LHLO t", "MAIL FROM:<ann@shop.example>", "RCPT TO:<support@support.test>", "DATA"):
    s.sendall(cmd.encode() + b"\r\n")
    reply()
s.sendall(("From: ann@shop.example\r\nSubject: spool\r\nMessage-Id: <%s>\r\n\r\n" % msgid).encode())
line = b"x" * 998 + b"\r\n"
for _ in range(size // len(line)):
    s.sendall(line)
if cut:
    s.close()
    sys.exit(0)
s.sendall(b".\r\n")
print(reply())
PY
}
spool_fds() { find "/proc/$1/fd" -lname "*spool*" 2>/dev/null | wc -l; }
no_spool_fds() { [ "$(spool_fds "$1")" = 0 ]; }
lmtp "$T/lmtp.sock" cut-1@shop.example 3000000 cut || pd_fail "LMTP client failed"
pd_wait_until 10 no_spool_fds "$LMTPD" || pd_fail "lmtpd still holds a spool file after a cut DATA"
kill -0 "$LMTPD" || pd_fail "lmtpd died on a cut DATA"
expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id = 'cut-1@shop.example'")" 0 \
	"a cut-off message is not stored"

# 3. A full spool: a second daemon whose files may not pass 2 MB (RLIMIT_FSIZE, so a write
# fails with EFBIG as on a full disk) answers a 3 MB message 452 4.3.1, stores nothing,
# keeps no spool file, and still takes a small message.
sed -e "s|^database = .*|database = $(pd_db "$T/db2/postdesk.db")|" -e "s|^key_file = .*|key_file = $T/db2/postdesk.key|" \
	-e "s|^lmtp_listen = .*|lmtp_listen = unix:$T/lmtp2.sock|" "$CONF" >"$T/postdesk2.conf"
"$B/postdesk" -c "$T/postdesk2.conf" init >/dev/null || pd_fail "postdesk init (2) failed"
ulimit -S -f 2048 # the daemon inherits it; this shell takes it back at once
pd_bg lmtpd2 "$B/postdesk-lmtpd" -c "$T/postdesk2.conf" -f
ulimit -S -f unlimited
pd_wait_socket "$T/lmtp2.sock" 10 lmtpd2
LMTPD2=$(pd_bg_pid lmtpd2)
r=$(lmtp "$T/lmtp2.sock" full-1@shop.example 3000000 dot)
case $r in 452\ 4.3.1*) ;; *) pd_fail "a full spool answered '$r', expected 452 4.3.1" ;; esac
r=$(lmtp "$T/lmtp2.sock" small-1@shop.example 20000 dot)
case $r in 250*) ;; *) pd_fail "after a full spool a small message got '$r'" ;; esac
q2() { pd_sql "$T/db2/postdesk.db" "$1"; }
expect_eq "$(q2 "SELECT count(*) FROM messages WHERE message_id = 'full-1@shop.example'")" 0 \
	"a message the spool could not take is not stored"
expect_eq "$(q2 "SELECT count(*) FROM messages WHERE message_id = 'small-1@shop.example'")" 1 \
	"the small message after it"
pd_wait_until 10 no_spool_fds "$LMTPD2" || pd_fail "lmtpd kept a spool file after a full spool"

pd_log "OK"
