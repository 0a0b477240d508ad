#!/bin/bash
# Issue 10, bytes on disk: raw messages are stored compressed (lib/zip.c, marker 00 50 5A 01)
# and given back byte for byte by every reader (postdesk show --raw, outbox raw, the mail
# notifyd sends); customer mail keeps only its new text in messages.body, the whole text
# is derived from raw (show --full, show --json's body); rows stored before compression
# (plain raw, whole text) still read as they are.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3 python3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
CONF=$T/postdesk.conf
DB=$T/db/postdesk.db
mkdir -p "$T/db" && chown "$PD_DAEMON_USER" "$T/db"

pd_capture_start "$T"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/lmtp.sock" \
	"relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" "default_transport=smtp" \
	"smtp_tls_security_level=none"
cat >"$CONF" <<CONF
[postdesk]
database = $(pd_db "$DB")
key_file = $T/db/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/lmtp.sock
relay = 127.0.0.1:$PD_SMTP_PORT
template_dir = $PD_SRCDIR/templates/en
spool_threshold = 64K
[queue support]
address = support@$DOMAIN
CONF
PD=("$B/postdesk" -c "$CONF")
"${PD[@]}" init >/dev/null || pd_fail "postdesk init failed"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$CONF" -f
pd_bg notifyd "$B/postdesk-notifyd" -c "$CONF" -f
pd_wait_socket "$T/lmtp.sock" 10 lmtpd

q() { pd_sql "$DB" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
count_is() { [ "$(q "SELECT count(*) FROM messages WHERE direction = 'in'")" = "$1" ]; }
row_of() { q "SELECT id FROM messages WHERE message_id = '$1'"; }
# The stored bytes end with what was sent (Postfix adds trace headers in front; swaks may
# end DATA with one more CRLF of its own).
same_tail() { # STORED SENT
	local n
	n=$(stat -c %s "$2")
	tail -c "$n" "$1" | cmp -s - "$2" && return 0
	printf '\r\n' | cat "$2" - >"$2.crlf"
	tail -c $((n + 2)) "$1" | cmp -s - "$2.crlf"
}

# 1. A new ticket: 2 KB of text and a binary attachment (every byte value).
python3 - "$T" <<'PY' || pd_fail "cannot write the test messages"
import base64, sys
t = sys.argv[1]
text = "".join("Line %02d of my question about order 1234: the parcel never came.\r\n" % i
               for i in range(30))
att = base64.encodebytes(bytes(range(256)) * 40).replace(b"\n", b"\r\n")
m1 = ("From: Ann <ann@shop.example>\r\nTo: support@support.test\r\n"
      "Subject: Where is my parcel\r\nMessage-ID: <st-1@shop.example>\r\n"
      "Date: Mon, 1 Dec 2026 10:00:00 +0000\r\n"
      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
      "--b0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text +
      "--b0\r\nContent-Type: application/octet-stream\r\n"
      "Content-Disposition: attachment; filename=\"all.bin\"\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n").encode() + att + b"--b0--\r\n"
open(t + "/m1.eml", "wb").write(m1)
import random
def with_blob(n, subject, text, part_headers, size, seed):
    """Message st-N: a line of text and SIZE random bytes in base64 under PART_HEADERS."""
    blob = base64.encodebytes(random.Random(seed).randbytes(size)).replace(b"\n", b"\r\n")
    return (b"From: Ann <ann@shop.example>\r\nTo: support@support.test\r\n"
            b"Subject: " + subject + b"\r\nMessage-ID: <st-%d@shop.example>\r\n" % n +
            b"MIME-Version: 1.0\r\nDate: Mon, 1 Dec 2026 10:00:00 +0000\r\n"
            b"Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
            b"--b0\r\nContent-Type: text/plain\r\n\r\n" + text + b"\r\n--b0\r\n" +
            part_headers + b"Content-Transfer-Encoding: base64\r\n\r\n" + blob + b"--b0--\r\n")
# 3. big enough to be spooled (spool_threshold 64K): 300 KB of base64
open(t + "/m3.eml", "wb").write(with_blob(3, b"logs", b"The logs.",
    b"Content-Type: application/octet-stream\r\n", 220 * 1024, 5))
# 3b. mostly a photo (image/jpeg: packed bytes, nothing for zlib to find): stored plain
open(t + "/m4.eml", "wb").write(with_blob(4, b"the dent", b"The box came dented, see the photo.",
    b"Content-Type: image/jpeg; name=\"dent.jpg\"\r\n"
    b"Content-Disposition: attachment; filename=\"dent.jpg\"\r\n", 40 * 1024, 7))
PY
pd_swaks --from ann@shop.example --to "support@$DOMAIN" --data "$T/m1.eml" || pd_fail "m1 not accepted: $(pd_swaks_log)"
pd_postfix_wait_empty "$T/postfix" 20
pd_wait_until 10 count_is 1 || pd_fail "m1 was not stored"
R1=$(row_of st-1@shop.example)
# (hex: pd_sql_hex, the one spelling SQLite and PostgreSQL do not share)
hex4=$(pd_sql_hex "$DB" "substr(raw, 1, 4)")
expect_eq "$(q "SELECT $hex4 FROM messages WHERE id = $R1")" 00505A01 \
	"m1's raw is stored compressed"
size=$(stat -c %s "$T/m1.eml")
stored=$(q "SELECT length(raw) FROM messages WHERE id = $R1")
[ "$stored" -lt $((size / 2)) ] || pd_fail "m1: $stored bytes stored for $size sent"
"${PD[@]}" show --raw "$R1" >"$T/m1.out" || pd_fail "show --raw $R1 failed"
same_tail "$T/m1.out" "$T/m1.eml" || pd_fail "show --raw: m1 differs from the one sent"

# The acknowledgement: stored as it is (composed in the single writer, where compressing
# cost a tenth of its time), sent and shown byte for byte.
pd_wait_captured ann@shop.example 1
OUT=$(q "SELECT id FROM outbox WHERE kind = 'ack'")
ACK=$(q "SELECT message_row FROM outbox WHERE id = $OUT")
expect_eq "$(q "SELECT count(*) FROM messages WHERE id = $ACK AND ($(pd_sql_hex "$DB" "substr(raw, 1, 5)") = '446174653A' OR $hex4 <> '00505A01')")" 1 \
	"the acknowledgement's raw is stored as it is"
"${PD[@]}" outbox raw "$OUT" >"$T/ack.out" || pd_fail "outbox raw $OUT failed"
"${PD[@]}" show --raw "$ACK" | cmp -s - "$T/ack.out" || pd_fail "show --raw of the ack differs from outbox raw"
grep -q "^Auto-Submitted: auto-replied" "$T/ack.out" || pd_fail "outbox raw: not the acknowledgement"
# (the capture server writes LF line ends and blank lines at the end)
tr -d '\r' <"$(pd_newest_captured ann@shop.example)" >"$T/ack.sent"
tr -d '\r' <"$T/ack.out" >"$T/ack.lf"
python3 -c 'import sys; a, b = (open(f, "rb").read().rstrip(b"\n") for f in sys.argv[1:])
sys.exit(0 if a.endswith(b"\n" + b) else 1)' "$T/ack.sent" "$T/ack.lf" ||
	pd_fail "the mail sent differs from the stored acknowledgement"
"${PD[@]}" show 1 | grep -q "has been received and logged as ticket #1" ||
	pd_fail "show: the acknowledgement's text is not derived from its raw bytes"

# 2. A reply with quoted history: its body is the new text only; show hides the quote,
# --full and --json show the whole text.
TOKEN=$(pd_header Reply-To "$(pd_newest_captured ann@shop.example)" | sed 's/.*<\(.*\)>.*/\1/; s/^[^<]*$/&/')
[ -n "$TOKEN" ] || pd_fail "no Reply-To in the acknowledgement"
{
	printf 'From: Ann <ann@shop.example>\r\nTo: %s\r\nSubject: Re: Where is my parcel\r\n' "$TOKEN"
	printf 'Message-ID: <st-2@shop.example>\r\nIn-Reply-To: <%s>\r\n\r\n' \
		"$(q "SELECT message_id FROM messages WHERE id = $ACK")"
	printf 'Still nothing arrived today.\r\n\r\nOn Mon, 1 Dec 2026, Support wrote:\r\n'
	printf '> QUOTED-HISTORY-LINE one\r\n> QUOTED-HISTORY-LINE two\r\n'
} >"$T/m2.eml"
pd_swaks --from ann@shop.example --to "$TOKEN" --data "$T/m2.eml" || pd_fail "m2 not accepted: $(pd_swaks_log)"
pd_postfix_wait_empty "$T/postfix" 20
pd_wait_until 10 count_is 2 || pd_fail "m2 was not stored"
R2=$(row_of st-2@shop.example)
expect_eq "$(q "SELECT ticket_id FROM messages WHERE id = $R2")" 1 "m2 threads into ticket 1"
expect_eq "$(q "SELECT body FROM messages WHERE id = $ACK")" "" "the acknowledgement's row keeps no text"
q "SELECT body FROM messages WHERE id = $R2" | grep -q "Still nothing arrived" ||
	pd_fail "m2's stored text lacks its new text"
q "SELECT body FROM messages WHERE id = $R2" | grep -q QUOTED-HISTORY &&
	pd_fail "m2's stored text keeps the quoted history"
"${PD[@]}" show 1 >"$T/show.txt" || pd_fail "show 1 failed"
grep -q "Still nothing arrived" "$T/show.txt" || pd_fail "show: no new text"
grep -q "quoted text hidden" "$T/show.txt" || pd_fail "show: the quote is not counted"
grep -q QUOTED-HISTORY "$T/show.txt" && pd_fail "show: the quote is not hidden"
"${PD[@]}" show 1 --full | grep -q "QUOTED-HISTORY-LINE two" || pd_fail "show --full: no whole text"
"${PD[@]}" show 1 --full | grep -q "Line 29 of my question" || pd_fail "show --full: m1 not whole"
"${PD[@]}" show 1 --json | python3 -c '
import json, sys
m = {x["message_id"]: x for x in json.load(sys.stdin)["messages"]}
assert "QUOTED-HISTORY-LINE two" in m["st-2@shop.example"]["body"], "json body not whole"
assert "QUOTED-HISTORY" not in m["st-2@shop.example"]["new_text"], "json new_text has the quote"
' || pd_fail "show --json: bodies are not the whole text"

# 3. A spooled message (over spool_threshold): compressed through a spool, read back whole.
pd_swaks --from ann@shop.example --to "support@$DOMAIN" --data "$T/m3.eml" || pd_fail "m3 not accepted: $(pd_swaks_log)"
pd_postfix_wait_empty "$T/postfix" 20
pd_wait_until 10 count_is 3 || pd_fail "m3 was not stored"
R3=$(row_of st-3@shop.example)
expect_eq "$(q "SELECT $hex4 FROM messages WHERE id = $R3")" 00505A01 \
	"m3's raw is stored compressed"
"${PD[@]}" show --raw "$R3" >"$T/m3.out" || pd_fail "show --raw $R3 failed"
same_tail "$T/m3.out" "$T/m3.eml" || pd_fail "show --raw: m3 differs from the one sent"

# 3b. A message whose bulk is a photo is stored as it came (zlib would find nothing in the
# JPEG's bytes, at a cost: doc/benchmarks.md), and reads back byte for byte.
pd_swaks --from ann@shop.example --to "support@$DOMAIN" --data "$T/m4.eml" || pd_fail "m4 not accepted: $(pd_swaks_log)"
pd_postfix_wait_empty "$T/postfix" 20
pd_wait_until 10 count_is 4 || pd_fail "m4 was not stored"
R4=$(row_of st-4@shop.example)
[ "$(q "SELECT $hex4 FROM messages WHERE id = $R4")" != 00505A01 ] ||
	pd_fail "m4 (a photo) was compressed"
# as it came: all its bytes (and Postfix's headers), where compressing would have saved a
# quarter of the photo's base64
size4=$(stat -c %s "$T/m4.eml")
[ "$(q "SELECT length(raw) FROM messages WHERE id = $R4")" -ge "$size4" ] ||
	pd_fail "m4's raw is not stored as it came: $(q "SELECT length(raw) FROM messages WHERE id = $R4") bytes for $size4"
"${PD[@]}" show --raw "$R4" >"$T/m4.out" || pd_fail "show --raw $R4 failed"
same_tail "$T/m4.out" "$T/m4.eml" || pd_fail "show --raw: m4 differs from the one sent"

# 4. A row stored before compression (plain raw, whole text, no flag) reads as it is.
lf=$'\n'
printf -v old 'From: old@shop.example\r\nSubject: old\r\n\r\nOLD-ROW-TEXT\r\n> OLD-QUOTE\r\n'
printf '%s' "$old" >"$T/old.eml"
# Portable SQL (SQLite or PostgreSQL, lib.sh pd_db): line ends and the raw bytes as
# themselves inside string literals (no quote in them), which both take for text and blob.
q "INSERT INTO messages(ticket_id, direction, kind, message_id, rcpt, env_sender, from_addr,
	from_name, subject, date, created, body, flags, raw) VALUES(1, 'in', 'customer',
	'old-1@shop.example', 'support@$DOMAIN', 'old@shop.example', 'old@shop.example', '', 'old',
	0, 1, 'OLD-ROW-TEXT$lf> OLD-QUOTE$lf', '', '$old')"
RO=$(row_of old-1@shop.example)
"${PD[@]}" show --raw "$RO" | cmp -s - "$T/old.eml" || pd_fail "show --raw: the old row differs"
"${PD[@]}" show 1 --full | grep -q "OLD-QUOTE" || pd_fail "show --full: the old row's text"

# 5. Damaged compressed bytes are an error, never wrong bytes.
q "UPDATE messages SET raw = substr(raw, 1, length(raw) - 8) WHERE id = $R1"
"${PD[@]}" show --raw "$R1" >/dev/null 2>"$T/err" && pd_fail "show --raw of a damaged row succeeded"
grep -qi "damaged" "$T/err" || pd_fail "no clear error for a damaged row: $(cat "$T/err")"
pd_log "ok"
