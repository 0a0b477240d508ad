#!/bin/bash
# Hostile input end to end: every case of tests/data/hostile/EXPECTED goes through
# `postdesk deliver` (and the cases marked "lmtp" also through postdesk-lmtpd, spoken to by
# swaks over LMTP), and its outcome must be exactly the expected one: stored (with exactly
# the expected flags) or refused with the stated code. After each stored case:
#  - the stored text (subject, names, body, attachment names, ticket, customer) is valid
#    UTF-8 without NUL bytes, and subject and display name have no CR or LF;
#  - the acknowledgement and agent notice postdesk queued (outbox.raw) have a clean header
#    block: only header lines and continuations, ASCII only, exactly one From, To and
#    Subject, no Bcc, and no header name that the same kind of mail for a benign message
#    does not have (an injected header would be one).
# A case that takes over 60 s counts as a hang.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh" || exit 99

pd_require swaks sqlite3 iconv timeout

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
H=$PD_SRCDIR/tests/data/hostile
DOMAIN=support.test
failures=0

sh "$H/generate.sh" "$T/gen" || pd_fail "generate.sh failed"

# mkconf DIR [extra lines]: a desk with one queue and one agent (so every stored case gets
# an agent notice too).
mkconf() {
	local d=$1
	shift
	mkdir -p "$d"
	{
		printf '[postdesk]\ndatabase = %s\nkey_file = %s/db/pd.key\n' "$(pd_db "$d/db/pd.db")" "$d"
		printf 'domain = %s\nmax_message_size = 8M\nuser = %s\n' "$DOMAIN" "${PD_DAEMON_USER:-nobody}"
		printf '%s\n' "$@"
		printf '[queue support]\naddress = support@%s\n' "$DOMAIN"
	} >"$d/pd.conf"
	"$B/postdesk" -c "$d/pd.conf" init >/dev/null || pd_fail "postdesk init failed"
	"$B/postdesk" -c "$d/pd.conf" agent add alice@agents.example --name "Alice Agent" \
		>/dev/null || pd_fail "agent add failed"
}

bad() {
	pd_log "FAIL: $*"
	failures=$((failures + 1))
}

case_file() { # NAME -> path
	case $1 in
	gen:*) echo "$T/gen/${1#gen:}" ;;
	*) echo "$H/$1" ;;
	esac
}

q() { pd_sql "$DB" "$1"; }

# Sorted header names (lower case, one per line) of the header block of a raw mail on stdin.
header_names() { sed -e 's/\r$//' -e '/^$/q' | grep -oE '^[A-Za-z0-9-]+:' | tr 'A-Z' 'a-z' | sort; }

# check_outbound CASE ID: the header block of outbox row ID.
check_outbound() {
	local name=$1 id=$2 f=$T/out.eml kind hdr n h
	kind=$(q "SELECT kind FROM outbox WHERE id = $id")
	"$B/postdesk" -c "$CONF" outbox raw "$id" >"$f" || bad "$name: outbox raw $id failed"
	hdr=$(sed -e 's/\r$//' -e '/^$/q' "$f" | sed '/^$/d')
	if printf '%s\n' "$hdr" | grep -vqE '^([A-Za-z0-9-]+:|[ 	])'; then
		bad "$name: $kind #$id: a header line that is neither a field nor a continuation"
	fi
	if printf '%s\n' "$hdr" | LC_ALL=C grep -q '[^ -~	]'; then
		bad "$name: $kind #$id: control or 8-bit bytes in the header block"
	fi
	for h in from: to: subject:; do
		n=$(header_names <"$f" | grep -cx "$h")
		[ "$n" = 1 ] || bad "$name: $kind #$id: $n '$h' header lines"
	done
	header_names <"$f" | grep -qx 'bcc:' && bad "$name: $kind #$id: a Bcc header"
	for h in $(header_names <"$f" | sort -u); do
		grep -qx "$h" "$T/baseline.$kind" ||
			bad "$name: $kind #$id: header '$h' that a benign $kind does not have"
	done
}

# check_stored CASE ROW: the stored text of message ROW and what it made.
check_stored() {
	local name=$1 row=$2 n cr=$'\r' lf=$'\n'
	# Portable SQL (SQLite or PostgreSQL, lib.sh pd_db): CR and LF as themselves in LIKE.
	n=$(q "SELECT count(*) FROM messages m WHERE m.id = $row AND (
		m.subject LIKE '%$cr%' OR m.subject LIKE '%$lf%' OR
		m.from_name LIKE '%$cr%' OR m.from_name LIKE '%$lf%')")
	[ "$n" = 0 ] || bad "$name: CR/LF in subject or name"
	# A NUL: PostgreSQL's text cannot hold one at all (the server refuses it); SQLite's can.
	if ! pd_db_pg "$DB"; then
		n=$(q "SELECT count(*) FROM messages m WHERE m.id = $row AND (
			instr(CAST(m.subject AS BLOB), x'00') OR instr(CAST(m.body AS BLOB), x'00') OR
			instr(CAST(m.from_name AS BLOB), x'00') OR instr(CAST(m.from_addr AS BLOB), x'00'))")
		[ "$n" = 0 ] || bad "$name: NUL in stored text"
	fi
	q "SELECT m.subject, m.from_name, m.from_addr, m.body, m.message_id, t.subject,
		c.name, c.email FROM messages m JOIN tickets t ON t.id = m.ticket_id
		JOIN customers c ON c.id = t.requester_id WHERE m.id = $row
	   UNION ALL SELECT filename, content_type, '', '', '', '', '', '' FROM attachments
		WHERE message_row = $row" >"$T/text.out" || bad "$name: cannot read the stored text"
	iconv -f UTF-8 -t UTF-8 <"$T/text.out" >/dev/null 2>&1 || bad "$name: stored text is not valid UTF-8"
}

# run_case NAME EXPECTED-OUTCOME OUT-LINE: compare one delivery's result.
outcome_of() { # "rcpt: CODE ENH text" -> "CODE ENH"
	sed -n 's/^[^:]*: \([0-9][0-9][0-9]\) \([0-9.]*\) .*/\1 \2/p' | head -1
}

deliver_case() {
	local name=$1 want=$2 file msg0 out0 got rc rows row flags id
	file=$(case_file "$name")
	[ -f "$file" ] || { bad "$name: no such case file"; return; }
	msg0=$(q "SELECT coalesce(max(id), 0) FROM messages")
	out0=$(q "SELECT coalesce(max(id), 0) FROM outbox")
	got=$(timeout 60 "$B/postdesk" -c "$CONF" deliver -r "support@$DOMAIN" \
		-f hostile@shop.example <"$file" 2>>"$T/deliver.log")
	rc=$?
	[ $rc = 124 ] && { bad "$name: hang (over 60 s)"; return; }
	[ $rc -gt 128 ] && { bad "$name: postdesk deliver died (status $rc)"; return; }
	got=$(printf '%s\n' "$got" | outcome_of)
	rows=$(q "SELECT count(*) FROM messages WHERE id > $msg0 AND direction = 'in'")
	case $want in
	refused*)
		[ "$got" = "${want#refused }" ] || bad "$name: got '$got', expected $want"
		[ $rc = 65 ] || bad "$name: exit status $rc, expected 65"
		[ "$rows" = 0 ] || bad "$name: refused but $rows message(s) stored"
		return ;;
	esac
	[ "$got" = "250 2.0.0" ] || { bad "$name: got '$got', expected $want"; return; }
	[ "$rows" = 1 ] || { bad "$name: $rows messages stored, expected 1"; return; }
	row=$(q "SELECT id FROM messages WHERE id > $msg0 AND direction = 'in'")
	flags=$(q "SELECT flags FROM messages WHERE id = $row")
	case $want in
	"stored") [ -z "$flags" ] || bad "$name: flags '$flags', expected none" ;;
	"stored flag="*) [ "$flags" = "${want#stored flag=}" ] || bad "$name: flags '$flags', expected ${want#stored }" ;;
	*) bad "$name: bad outcome '$want' in EXPECTED" ;;
	esac
	check_stored "$name" "$row"
	# A notice that passes attachments on is held for notifyd to compose (route.c): a tick
	# composes it (and fails to send it: no relay here, the row stays queued).
	if [ "$(q "SELECT count(*) FROM order_notices WHERE message_row = $row")" = 1 ]; then
		"$B/postdesk" -c "$CONF" tick >/dev/null 2>&1
		[ "$(q "SELECT count(*) FROM order_notices WHERE message_row = $row AND done IS NOT NULL")" = 1 ] ||
			bad "$name: the held agent notice was not composed"
	fi
	[ "$(q "SELECT count(*) FROM outbox WHERE id > $out0 AND kind = 'agent_notice'")" = 1 ] ||
		bad "$name: no agent notice queued"
	for id in $(q "SELECT id FROM outbox WHERE id > $out0"); do
		check_outbound "$name" "$id"
	done
}

# ---- postdesk deliver
mkconf "$T/cli"
CONF=$T/cli/pd.conf DB=$T/cli/db/pd.db
# The baseline: the header names of the mail two benign messages make (one ASCII, one
# with UTF-8, whose mail gets a Content-Transfer-Encoding).
for b in 'Ann|a benign question|Hello.' '=?utf-8?Q?J=C3=BCrgen?=|=?utf-8?Q?Gr=C3=BC=C3=9Fe?=|Grüße.'; do
	# a sender each: acknowledgements to one address are rate-limited
	IFS='|' read -r name subject body <<<"$b"
	printf 'From: %s <ann.%s@shop.example>\nTo: support@%s\nSubject: %s\nMessage-ID: <benign.%s@shop.example>\nReferences: <x@shop.example>\nContent-Type: text/plain; charset=utf-8\n\n%s\n' \
		"$name" "${#b}" "$DOMAIN" "$subject" "${#b}" "$body" |
		"$B/postdesk" -c "$CONF" deliver -r "support@$DOMAIN" -f "ann.${#b}@shop.example" >/dev/null ||
		pd_fail "a benign message was not delivered"
done
for kind in ack agent_notice; do
	: >"$T/baseline.$kind"
	for id in $(q "SELECT id FROM outbox WHERE kind = '$kind'"); do
		"$B/postdesk" -c "$CONF" outbox raw "$id" >"$T/b.eml" || pd_fail "outbox raw $id"
		header_names <"$T/b.eml" >>"$T/baseline.$kind"
	done
	sort -u -o "$T/baseline.$kind" "$T/baseline.$kind"
	grep -qx 'subject:' "$T/baseline.$kind" || pd_fail "no benign $kind queued"
	grep -qx 'content-transfer-encoding:' "$T/baseline.$kind" ||
		pd_fail "the benign UTF-8 $kind has no Content-Transfer-Encoding"
done

n=0
while read -r name outcome; do
	case $name in '' | '#'*) continue ;; esac
	outcome=${outcome%lmtp}
	outcome=$(echo $outcome) # squeeze blanks
	deliver_case "$name" "$outcome"
	n=$((n + 1))
done <"$H/EXPECTED"
[ "$n" -ge 30 ] || pd_fail "only $n cases in EXPECTED"
pd_log "$n cases through postdesk deliver, $failures failure(s)"

# ---- postdesk-lmtpd (swaks over LMTP on a unix socket)
mkconf "$T/lmtp" "lmtp_listen = unix:$T/lmtp/lmtp.sock"
CONF=$T/lmtp/pd.conf DB=$T/lmtp/db/pd.db
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$CONF" -f
pd_wait_socket "$T/lmtp/lmtp.sock" 10 lmtpd
m=0
while read -r name outcome; do
	case $name in '' | '#'*) continue ;; esac
	case $outcome in *lmtp) ;; *) continue ;; esac
	outcome=$(echo ${outcome%lmtp})
	file=$(case_file "$name")
	msg0=$(q "SELECT coalesce(max(id), 0) FROM messages")
	timeout 60 swaks --protocol LMTP --socket "$T/lmtp/lmtp.sock" --to "support@$DOMAIN" \
		--from hostile@shop.example --data "@$file" --timeout 50 >"$T/swaks.out" 2>&1
	rc=$?
	[ $rc = 124 ] && { bad "$name (lmtp): hang"; continue; }
	pd_bg_pid lmtpd >/dev/null || pd_fail "$name (lmtp): postdesk-lmtpd died"
	# the reply to the final dot (LMTP: one per recipient), or the 552 to an oversized DATA
	got=$(grep -aE '^<[-~*]* *[0-9]{3} ' "$T/swaks.out" | tail -2 | head -1 |
		sed -n 's/^<[-~*]* *\([0-9][0-9][0-9]\) \([0-9.]*\) .*/\1 \2/p')
	rows=$(q "SELECT count(*) FROM messages WHERE id > $msg0 AND direction = 'in'")
	case $outcome in
	refused*) want=${outcome#refused } want_rows=0 ;;
	*) want="250 2.0.0" want_rows=1 ;;
	esac
	[ "$got" = "$want" ] || bad "$name (lmtp): got '$got', expected '$want': $(tail -5 "$T/swaks.out")"
	[ "$rows" = "$want_rows" ] || bad "$name (lmtp): $rows messages stored, expected $want_rows"
	[ "$want_rows" = 1 ] && check_stored "$name (lmtp)" "$(q "SELECT max(id) FROM messages WHERE direction = 'in'")"
	m=$((m + 1))
done <"$H/EXPECTED"
pd_log "$m cases through postdesk-lmtpd"

[ "$failures" = 0 ] || pd_fail "$failures failure(s)"
pd_log "PASS (${SECONDS}s)"
