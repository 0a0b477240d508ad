#!/bin/bash
# Issue 13 end to end: a customer's data through the sandboxed Postfix.
#  1. A customer writes twice (two tickets) and is Cc'd on a third person's ticket; the
#     first mail carries invoice.pdf and report.exe. With attachment_block_types = .exe
#     the agent notice forwards the PDF only and names report.exe as withheld, with the
#     `postdesk attachment get` command.
#  2. `attachment list` (text, JSON) shows both; `attachment get` gives back the exact
#     bytes of each; bad arguments are usage errors, JSON errors an object with the code.
#  3. `customer export` writes valid JSON and an mbox that Python's mailbox module reads
#     with as many messages as the JSON lists.
#  4. `customer erase` leaves no trace of the address or the name in the database (its
#     dump, blobs included, and the file itself) while `postdesk report` says the same,
#     and records who did it.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3 python3 jq

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
CONF=$T/a/postdesk.conf

pd_capture_start "$T"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/a/lmtp.sock" \
	"relay_domains=$DOMAIN" \
	"transport_maps=inline:{ $DOMAIN=lmtp:unix:$T/a/lmtp.sock }" \
	"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
	"smtp_tls_security_level=none" "smtpd_reject_unlisted_recipient=no"
mkdir -p "$T/a"
cat >"$CONF" <<CONF
[postdesk]
database = $(pd_db "$T/a/postdesk.db")
key_file = $T/a/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/a/lmtp.sock
relay = 127.0.0.1:$PD_SMTP_PORT
template_dir = $PD_SRCDIR/templates/en
outbox_retry_base = 1s
attachment_block_types = .exe, application/x-msdownload
[queue support]
address = support@$DOMAIN
display_name = Example Support
CONF
"$B/postdesk" -c "$CONF" init >/dev/null || pd_fail "init"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$CONF" -f
pd_bg notifyd "$B/postdesk-notifyd" -c "$CONF" -f
pd_wait_socket "$T/a/lmtp.sock" 10 lmtpd
pd() { runuser -u "$PD_DAEMON_USER" -- "$B/postdesk" -c "$CONF" "$@"; }
pd agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"

q() { pd_sql "$T/a/postdesk.db" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
outbox_drained() { [ "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix" 30
	pd_wait_until 20 outbox_drained || pd_fail "outbox not drained"
	pd_postfix_wait_empty "$T/postfix" 30
}

# ---- 1. two tickets of Zelda's (one with attachments), one of Bob's with Zelda in Cc
head -c 3000 /dev/urandom >"$T/invoice.pdf"
printf 'MZ\x90\x00\x03\x00 not really a program\n' >"$T/report.exe"
pd_swaks --to "support@$DOMAIN" --from zelda.quux@shop.example \
	--header "From: Zelda Quux <zelda.quux@shop.example>" --header "Subject: Invoice wrong" \
	--header "Message-Id: <z1@shop.example>" --body "Please see the invoice." \
	--attach-type application/pdf --attach-name invoice.pdf --attach "@$T/invoice.pdf" \
	--attach-type application/octet-stream --attach-name report.exe --attach "@$T/report.exe" ||
	pd_fail "swaks z1"
settle
pd_wait_captured alice@agents.example 1
notice=$(pd_newest_captured alice@agents.example)
tr -d '\r' <"$notice" | grep -iq 'filename="\{0,1\}invoice.pdf' || pd_fail "invoice.pdf not forwarded"
tr -d '\r' <"$notice" | grep -iq 'filename="\{0,1\}report.exe' && pd_fail "report.exe forwarded"
row=$(q "SELECT id FROM messages WHERE message_id = 'z1@shop.example'")
tr -d '\r' <"$notice" | grep -q "Attachment withheld: report.exe (.*): blocked type; postdesk attachment get 1 $row 2 > report.exe" ||
	pd_fail "the notice does not tell about report.exe: $(tr -d '\r' <"$notice" | grep -i withheld)"

pd_swaks --to "support@$DOMAIN" --from zelda.quux@shop.example \
	--header "From: Zelda Quux <zelda.quux@shop.example>" --header "Subject: Second question from Zelda" \
	--header "Message-Id: <z2@shop.example>" \
	--body "$(printf 'Hello,\nFrom now on please write to me.\n>From here too.\n')" || pd_fail "swaks z2"
pd_swaks --to "support@$DOMAIN" --from bob@shop.example \
	--header "From: Bob Other <bob@shop.example>" --header "Cc: Zelda Quux <zelda.quux@shop.example>" \
	--header "Subject: Our shared order" --header "Message-Id: <b1@shop.example>" \
	--body "We ordered together: Zelda Quux and I." || pd_fail "swaks b1"
settle
expect_eq "$(q "SELECT count(*) FROM tickets")" 3 "tickets"
# The agent answers ticket 1 from a mail client: the answer names Zelda (To, greeting).
agent_token=$(pd_header Reply-To "$notice" | sed 's/.*<\(.*\)>.*/\1/')
pd_swaks --to "$agent_token" --from alice@agents.example --header "From: Alice Agent <alice@agents.example>" \
	--header "Subject: Re: [#1] Invoice wrong" --header "Message-Id: <a1@agents.example>" \
	--body "Hello Zelda Quux, a corrected invoice follows." || pd_fail "agent swaks"
settle
pd_wait_captured zelda.quux@shop.example 3

# ---- 2. attachment list and get
pd attachment list 1 >"$T/list.txt" || pd_fail "attachment list"
grep -q "^$row  *1  *invoice.pdf  *application/pdf  *3000$" "$T/list.txt" || pd_fail "list: $(cat "$T/list.txt")"
grep -q "^$row  *2  *report.exe .*withheld: blocked type$" "$T/list.txt" || pd_fail "list: $(cat "$T/list.txt")"
pd attachment list 1 --json >"$T/list.json" || pd_fail "attachment list --json"
expect_eq "$(jq -c '[.[] | [.message, .index, .filename, .size, .withheld]]' "$T/list.json")" \
	"[[$row,1,\"invoice.pdf\",3000,null],[$row,2,\"report.exe\",$(stat -c %s "$T/report.exe"),\"blocked type\"]]" "list --json"
pd attachment get 1 "$row" 1 >"$T/got.pdf" || pd_fail "attachment get 1"
cmp -s "$T/got.pdf" "$T/invoice.pdf" || pd_fail "attachment get: not the same bytes"
pd attachment get 1 "$row" 2 >"$T/got.exe" || pd_fail "attachment get 2"
cmp -s "$T/got.exe" "$T/report.exe" || pd_fail "attachment get 2: not the same bytes"
pd attachment get 1 "$row" 1 --json | jq -r .data_base64 | base64 -d | cmp -s - "$T/invoice.pdf" ||
	pd_fail "attachment get --json: not the same bytes"
pd attachment get 1 "$row" 3 >/dev/null 2>&1
expect_eq $? 66 "attachment get of a third attachment"
pd attachment get 2 "$row" 1 >/dev/null 2>&1
expect_eq $? 66 "attachment get of a message of another ticket"
pd attachment list 99 >/dev/null 2>&1
expect_eq $? 66 "attachment list of no ticket"
pd attachment get 1 x 1 >/dev/null 2>&1
expect_eq $? 64 "attachment get with a bad row"
err=$(pd attachment list 0 --json 2>/dev/null)
expect_eq "$?:$(echo "$err" | jq -r .code)" "64:64" "JSON usage error"
echo "$err" | jq -r .error | grep -q "ticket number" || pd_fail "JSON error text: $err"
expect_eq "$(pd attachment list 3 2>/dev/null)" "no attachments" "ticket without attachments"

# ---- 3. export
mkdir -m 0777 "$T/export"
pd customer export Zelda.Quux@shop.example --out "$T/export" --json >"$T/export.json" ||
	pd_fail "customer export"
cid=$(jq -r .customer "$T/export.json")
expect_eq "$(jq -r .tickets "$T/export.json")" 3 "export: tickets"
expect_eq "$(stat -c %a "$T/export/customer-$cid.json")" 600 "export file mode"
python3 - "$T/export/customer-$cid.json" "$T/export/customer-$cid.mbox" "$(jq -r .messages "$T/export.json")" <<'PY' || pd_fail "export files"
import json, mailbox, sys
doc = json.load(open(sys.argv[1]))
assert doc["customer"]["email"] == "zelda.quux@shop.example", doc["customer"]
assert doc["customer"]["name"] == "Zelda Quux", doc["customer"]
roles = [(t["id"], t["role"]) for t in doc["tickets"]]
assert roles == [(1, "requester"), (2, "requester"), (3, "participant")], roles
n = sum(len(t["messages"]) for t in doc["tickets"])
assert n == int(sys.argv[3]) and n >= 6, (n, sys.argv[3])
box = mailbox.mbox(sys.argv[2])
msgs = list(box)
assert len(msgs) == n, (len(msgs), n)
ids = [m["Message-ID"] for m in msgs]
assert "<z1@shop.example>" in ids and "<z2@shop.example>" in ids, ids
z2 = msgs[ids.index("<z2@shop.example>")].get_payload()
assert ">From now on" in z2 and ">>From here too." in z2, z2   # mboxrd quoting
assert doc["tickets"][0]["messages"][0]["attachments"][1]["filename"] == "report.exe"
PY
pd customer export nobody@shop.example --out "$T/export" >/dev/null 2>&1
expect_eq $? 66 "export of no customer"
pd customer export not-an-address --out "$T/export" >/dev/null 2>&1
expect_eq $? 64 "export of a bad address"

# ---- 4. erase
report_before=$(pd report --json --until 2100-01-01) || pd_fail "report"
pd customer erase zelda.quux@shop.example >/dev/null 2>&1
expect_eq $? 64 "erase without --yes"
pd customer erase zelda.quux@shop.example --yes --vacuum --actor dpo@support.test --json >"$T/erase.json" ||
	pd_fail "customer erase"
expect_eq "$(jq -c '[.customer, .tickets_anonymised, .tickets_left, .actor]' "$T/erase.json")" \
	"[$cid,2,1,\"dpo@support.test\"]" "erase --json"
expect_eq "$(pd report --json --until 2100-01-01)" "$report_before" "report after erase"
expect_eq "$(q "SELECT actor || ' ' || action FROM audit")" "dpo@support.test customer_erase" "audit"
expect_eq "$(q "SELECT count(*) FROM events WHERE kind = 'erased'")" 3 "erased events"
expect_eq "$(q "SELECT count(*) FROM tickets")" 3 "tickets after erase"
expect_eq "$(q "SELECT count(*) FROM messages WHERE from_addr = 'bob@shop.example'")" 1 "Bob's mail kept"
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
pd_sql_dump "$T/a/postdesk.db" >"$T/dump.sql" || pd_fail "cannot dump the database"
for s in zelda quux "$(hex zelda)" "$(hex Zelda)" "$(hex quux)"; do
	grep -qi "$s" "$T/dump.sql" && pd_fail "'$s' still in the database: $(grep -i "$s" "$T/dump.sql" | head -3 | cut -c1-300)"
done
# The bytes are gone from the file itself (--vacuum, the WAL emptied), not only the rows
# (SQLite's files; a PostgreSQL desk has none here).
for f in "$T/a/postdesk.db" "$T/a/postdesk.db-wal"; do
	[ -e "$f" ] || continue
	grep -aqi 'zelda' "$f" && pd_fail "'zelda' still in $f: $(grep -a -o -i '.\{0,40\}zelda.\{0,40\}' "$f" | head -3)"
done
pd customer export zelda.quux@shop.example --out "$T/export" >/dev/null 2>&1
expect_eq $? 66 "export after erase"
# Zelda may write again: a new customer, a new ticket.
pd_swaks --to "support@$DOMAIN" --from zelda.quux@shop.example --header "Subject: Hello again" \
	--header "Message-Id: <z3@shop.example>" --body "Back again." || pd_fail "swaks z3"
settle
expect_eq "$(q "SELECT count(*) FROM tickets")" 4 "a new ticket after erase"
pd_log "ok"
