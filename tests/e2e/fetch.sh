#!/bin/bash
# Issue 15 end to end: postdesk-fetchd against a real Dovecot (IMAP and POP3 on loopback,
# a self-signed certificate, passwd-file users; tests/e2e/fetch_lib.sh). New mail in the
# mailbox becomes a ticket with an acknowledgement (postdesk-notifyd sends it to the
# capture server) and is flagged \Seen only after it is stored; a certificate that does
# not verify is refused unless ca_file trusts it; IDLE brings a new message in although
# the poll interval is a day; POP3 fetches and deletes; a UIDVALIDITY change brings no
# duplicate; STARTTLS; a message over max_message_size stays on the server, not downloaded;
# a wrong password shows in `postdesk mailbox status` and mails the admins; a message read
# in webmail before the poll is still fetched, a folder's read history is not imported.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fetch_lib.sh"

pd_require sqlite3 smtp-sink
pd_dovecot_require

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
pd_capture_start "$T"
pd_dovecot_start "$T/dovecot"
pd_dovecot_user imapuser secret1
pd_dovecot_user popuser secret2
mkdir -p "$T/pd"
printf 'secret1\n' >"$T/pd/imap.pass"
printf 'secret2\n' >"$T/pd/pop.pass"
printf 'wrong\n' >"$T/pd/bad.pass"
chown "$PD_DAEMON_USER" "$T"/pd/*.pass
chmod 600 "$T"/pd/*.pass

cat >"$T/pd/postdesk.conf" <<CONF
[postdesk]
database = $(pd_db "$T/pd/postdesk.db")
key_file = $T/pd/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
relay = 127.0.0.1:$PD_CAPTURE_PORT
outbox_retry_base = 1s
log_level = debug
[queue support]
address = support@$DOMAIN
display_name = Example Support
[mailbox hosted]
host = 127.0.0.1
port = $PD_IMAPS_PORT
ca_file = $T/dovecot/cert.pem
user = imapuser
password_file = $T/pd/imap.pass
queue = support
poll_interval = 1d
[mailbox noca]
host = 127.0.0.1
port = $PD_IMAPS_PORT
user = imapuser
password_file = $T/pd/imap.pass
queue = support
[mailbox pop]
protocol = pop3
host = 127.0.0.1
port = $PD_POP3S_PORT
ca_file = $T/dovecot/cert.pem
user = popuser
password_file = $T/pd/pop.pass
done_action = delete
queue = support
[mailbox starttls]
host = 127.0.0.1
port = $PD_IMAP_PORT
security = starttls
ca_file = $T/dovecot/cert.pem
user = popuser
password_file = $T/pd/pop.pass
max_message_size = 2k
queue = support
[mailbox bad]
host = 127.0.0.1
port = $PD_IMAP_PORT
security = none
user = imapuser
password_file = $T/pd/bad.pass
queue = support
retry_max = 1s
alert_after = 2s
alert_to = admin@admins.example
CONF
chmod 644 "$T/pd/postdesk.conf"
PD=("$B/postdesk" -c "$T/pd/postdesk.conf")
FD=("$B/postdesk-fetchd" -c "$T/pd/postdesk.conf")
"${PD[@]}" init >/dev/null || pd_fail "init"
pd_bg notifyd "$B/postdesk-notifyd" -c "$T/pd/postdesk.conf" -f

q() { pd_sql "$T/pd/postdesk.db" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
msg() { # FILE FROM MESSAGE-ID SUBJECT
	printf 'Return-Path: <%s>\nFrom: Customer <%s>\nTo: support@%s\nSubject: %s\nMessage-ID: <%s>\nDate: Thu, 03 Dec 2026 10:00:00 +0000\n\nPlease help with %s.\n' \
		"$2" "$2" "$DOMAIN" "$4" "$3" "$4" >"$1"
}
stored() { [ "$(q "SELECT count(*) FROM messages WHERE direction = 'in'")" -ge "$1" ]; }

# 1. Two messages in the mailbox: two tickets, two acknowledgements; \Seen only now.
msg "$T/m1" ann@shop.example m1@shop.example "My lamp is broken"
msg "$T/m2" bob@shop.example m2@shop.example "Where is my parcel"
pd_dovecot_save imapuser "$T/m1"
pd_dovecot_save imapuser "$T/m2"
expect_eq "$(pd_dovecot_search imapuser UNSEEN | wc -l)" 2 "unseen before fetching"
"${FD[@]}" --once --mailbox hosted >"$T/once.log" 2>&1 || { cat "$T/once.log" >&2; pd_fail "fetchd --once hosted"; }
expect_eq "$(q "SELECT count(*) FROM tickets")" 2 "tickets after the first fetch"
expect_eq "$(q "SELECT count(*) FROM fetched WHERE mailbox = 'hosted' AND state = 'stored' AND done IS NOT NULL")" 2 "fetched rows done"
expect_eq "$(pd_dovecot_search imapuser UNSEEN | wc -l)" 0 "unseen after fetching (done_action seen)"
expect_eq "$(q "SELECT env_sender FROM messages WHERE message_id = 'm1@shop.example'")" ann@shop.example "envelope sender from Return-Path"
pd_wait_captured ann@shop.example 1
pd_wait_captured bob@shop.example 1
ack=$(pd_newest_captured ann@shop.example)
expect_eq "$(pd_header In-Reply-To "$ack")" "<m1@shop.example>" "ack In-Reply-To"
pd_header Subject "$ack" | grep -q '^\[#1\]' || pd_fail "ack subject without [#1]"
"${PD[@]}" mailbox status hosted | grep -q "state: *ok" || pd_fail "status of hosted not ok"
expect_eq "$("${PD[@]}" mailbox status hosted --json | jq -r '.[0].fetched')" 2 "status --json fetched"

# 2. A certificate that does not verify is refused (no ca_file: the system's CAs).
if "${FD[@]}" --once --mailbox noca >"$T/noca.log" 2>&1; then
	pd_fail "fetchd accepted a self-signed certificate without ca_file"
fi
"${PD[@]}" mailbox status noca --json | jq -r '.[0].last_error' | grep -q "TLS.*does not verify" ||
	pd_fail "noca: no TLS error in mailbox status: $("${PD[@]}" mailbox status noca)"

# 3. UIDVALIDITY changes and the messages look new again: stored once all the same.
doveadm -c "$T/dovecot/dovecot.conf" flags remove -u imapuser '\Seen' mailbox INBOX ALL ||
	pd_fail "doveadm flags"
doveadm -c "$T/dovecot/dovecot.conf" mailbox update -u imapuser --uid-validity 4242 INBOX ||
	pd_fail "doveadm mailbox update"
"${FD[@]}" --once --mailbox hosted >>"$T/once.log" 2>&1 || pd_fail "fetchd after the UIDVALIDITY change"
expect_eq "$(q "SELECT count(*) FROM fetched WHERE mailbox = 'hosted' AND uidvalidity = 4242")" 2 "records under the new UIDVALIDITY"
expect_eq "$(q "SELECT count(*) FROM messages WHERE direction = 'in'")" 2 "messages after the UIDVALIDITY change"
expect_eq "$(q "SELECT count(*) FROM tickets")" 2 "tickets after the UIDVALIDITY change"

# 4. IDLE: the poll interval is a day, so only IDLE can bring the new message in.
pd_bg fetchd "${FD[@]}" -f --mailbox hosted
# (log_level debug: fetchd logs each IDLE it enters, after the poll before it)
pd_wait_until 20 grep -q "IDLE, up to 86400 s" "$PD_ROOT/.state/fetchd.log" ||
	pd_fail "fetchd never idled: $(tail -5 "$PD_ROOT/.state/fetchd.log")"
# A HUP (a reload, or a log rotation signalling the mail daemons) leaves it running.
kill -HUP "$(pd_bg_pid fetchd)" || pd_fail "no fetchd to send SIGHUP to"
msg "$T/m3" cyd@shop.example m3@shop.example "Invoice missing"
pd_dovecot_save imapuser "$T/m3"
pd_wait_until 20 stored 3 || pd_fail "the message saved during IDLE was not fetched"
pd_wait_captured cyd@shop.example 1
pd_stop fetchd

# 4b. Read elsewhere first: a message someone opened in webmail before fetchd's next poll
# (\Seen already) is new to the desk all the same (above the last pass's mark).
msg "$T/m4" fay@shop.example m4@shop.example "Opened in webmail"
pd_dovecot_save imapuser "$T/m4"
uid4=$(pd_dovecot_search imapuser HEADER Message-ID m4@shop.example)
doveadm -c "$T/dovecot/dovecot.conf" flags add -u imapuser '\Seen' mailbox INBOX uid "$uid4" ||
	pd_fail "doveadm flags add"
expect_eq "$(pd_dovecot_search imapuser UNSEEN | wc -l)" 0 "m4 read before fetchd's poll"
"${FD[@]}" --once --mailbox hosted >>"$T/once.log" 2>&1 || pd_fail "fetchd after m4 was read"
expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id = 'm4@shop.example'")" 1 "m4 (read elsewhere first) stored"

# 5. POP3 (implicit TLS, ca_file): fetched, then deleted on the server after the commit.
msg "$T/p1" dan@shop.example p1@shop.example "POP question"
pd_dovecot_save popuser "$T/p1"
"${FD[@]}" --once --mailbox pop >"$T/pop.log" 2>&1 || { cat "$T/pop.log" >&2; pd_fail "fetchd pop"; }
expect_eq "$(q "SELECT count(*) FROM fetched WHERE mailbox = 'pop' AND uidvalidity = 0 AND done IS NOT NULL")" 1 "pop fetched row"
expect_eq "$(pd_dovecot_search popuser ALL | wc -l)" 0 "pop message deleted on the server"
pd_wait_captured dan@shop.example 1

# 6. STARTTLS on the plain IMAP port (verified with ca_file); a message over the mailbox's
# max_message_size is not downloaded: recorded as too big, left unseen on the server; a
# message the pipeline refuses (no header at all) is recorded with its bytes, left there.
msg "$T/s1" eve@shop.example s1@shop.example "STARTTLS question"
pd_dovecot_save popuser "$T/s1"
{ cat "$T/s1"; head -c 4000 /dev/zero | tr '\0' 'x' | fold -w 70; echo; } >"$T/big"
sed -i 's/s1@shop.example/big@shop.example/' "$T/big"
pd_dovecot_save popuser "$T/big"
printf 'no header at all, just words\n' >"$T/headerless"
pd_dovecot_save popuser "$T/headerless"
# read history: a message read before the first contact with this mailbox is not imported
msg "$T/old" gus@shop.example old@shop.example "Read long ago"
pd_dovecot_save popuser "$T/old"
doveadm -c "$T/dovecot/dovecot.conf" flags add -u popuser '\Seen' mailbox INBOX \
	uid "$(pd_dovecot_search popuser HEADER Message-ID old@shop.example)" || pd_fail "doveadm flags add old"
"${FD[@]}" --once --mailbox starttls >"$T/starttls.log" 2>&1 || { cat "$T/starttls.log" >&2; pd_fail "fetchd starttls"; }
expect_eq "$(q "SELECT state FROM fetched WHERE mailbox = 'starttls' ORDER BY uid")" "stored
too_big
refused" "starttls records"
# refused for good: kept with its bytes and the reason, left on the server, never retried
expect_eq "$(q "SELECT $(pd_sql_text "$T/pd/postdesk.db" raw) FROM fetched WHERE state = 'refused'" | tr -d '\r')" "no header at all, just words" "refused message's bytes"
q "SELECT error FROM fetched WHERE state = 'refused'" | grep -q "5.6.0" || pd_fail "refused without its reason"
expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id = 'big@shop.example'")" 0 "the big message is not stored"
expect_eq "$(pd_dovecot_search popuser UNSEEN | wc -l)" 2 "the big and the refused messages are left unseen"
expect_eq "$("${PD[@]}" mailbox status starttls --json | jq '.[0].skipped')" 2 "status: two skipped"
"${FD[@]}" --once --mailbox starttls >>"$T/starttls.log" 2>&1 || pd_fail "fetchd starttls again"
expect_eq "$(q "SELECT count(*) FROM fetched WHERE mailbox = 'starttls'")" 3 "nothing fetched twice"
expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id = 'old@shop.example'")" 0 "read history imported at the first contact"

# 7. A wrong password: retried, shown in mailbox status, and the admins mailed once.
pd_bg fetchd-bad "${FD[@]}" -f --mailbox bad
pd_wait_captured admin@admins.example 1
alert=$(pd_newest_captured admin@admins.example)
grep -q "^Auto-Submitted: auto-generated" "$alert" || pd_fail "alert without Auto-Submitted"
grep -qi "login failed.*authentication failed" "$alert" || pd_fail "alert does not say why: $(cat "$alert")"
"${PD[@]}" mailbox status bad | grep -q "state: *FAILING" || pd_fail "status of bad not FAILING"
"${PD[@]}" mailbox status bad | grep -qi "last error:.*authentication failed" || pd_fail "status without the error"
failures() { [ "$("${PD[@]}" mailbox status bad --json | jq '.[0].failures')" -ge "$1" ]; }
pd_wait_until 20 failures 4 || pd_fail "bad: no further attempts"
pd_stop fetchd-bad
expect_eq "$(pd_captured_count admin@admins.example)" 1 "one alert per outage"
pd_log "PASS"
