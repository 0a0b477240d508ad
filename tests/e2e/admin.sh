#!/bin/bash
# Issue 17: postdesk run like the mail daemons beside it. --help and --version on every
# program; the manual pages render without warnings; `postdesk config [-n]` prints the
# effective configuration in the file's syntax (and loads back); `postdesk check` finds
# what is missing (exit 1) and passes a set-up desk (exit 0); log lines carry their
# priority when stderr is the journal; the systemd units pass `systemd-analyze verify`;
# postdesk-lmtpd logs one info line per delivery with Postfix's queue id and the ticket.
# Needs root, postfix, swaks, sqlite3, man; skips (77) without.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" || exit 99

pd_require postfix postconf postqueue swaks sqlite3 man

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=admin.test
CONF=$T/postdesk.conf
cat >"$CONF" <<CONF
[postdesk]
domain = $DOMAIN
database = $(pd_db "$T/db/postdesk.db")
key_file = $T/db/postdesk.key
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/lmtp.sock
milter_listen = unix:$T/milter/milter.sock
max_message_size = 10M
[queue support]
address = support@$DOMAIN
business_hours = mon-fri 09:00-17:00
CONF

# 1. --help and --version on every program: exit 0, on stdout.
for p in postdesk postdesk-lmtpd postdesk-notifyd postdesk-milter postdesk-fetchd; do
	out=$("$B/$p" --version 2>/dev/null) || pd_fail "$p --version: exit $?"
	[[ $out =~ ^$p\ [0-9]+\.[0-9]+ ]] || pd_fail "$p --version printed '$out'"
	out=$("$B/$p" --help 2>/dev/null) || pd_fail "$p --help: exit $?"
	[[ $out == usage:\ $p* ]] || pd_fail "$p --help printed '${out%%$'\n'*}'"
done

# 2. The manual pages: each renders without a warning (postdesk.conf.5 is generated).
for page in "$PD_SRCDIR"/doc/man/*.[18] "$PD_BUILDDIR/doc/man/postdesk.conf.5"; do
	[ -f "$page" ] || pd_fail "no manual page $page"
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 "$page" 2>&1 >/dev/null)
	[ -z "$warn" ] || pd_fail "man --warnings $(basename "$page"): $warn"
done
# postdesk.conf(5) lists every key of keys.def, once
nkeys=$(grep -c '^CONF_KEY(' "$PD_SRCDIR/src/conf/keys.def")
nman=$(grep -c '^\.It Cm [a-z_]* No = ' "$PD_BUILDDIR/doc/man/postdesk.conf.5")
[ "$nman" = "$nkeys" ] || pd_fail "postdesk.conf.5 lists $nman keys, keys.def has $nkeys"

# 3. config -n: only what the file sets, in its syntax; config: every key.
out=$("$B/postdesk" -c "$CONF" config -n) || pd_fail "config -n: exit $?"
[ "$(grep -c ' = ' <<<"$out")" = 9 ] || pd_fail "config -n printed other than the 9 keys set: $out"
grep -qx "max_message_size = 10M" <<<"$out" || pd_fail "config -n lost the file's spelling: $out"
grep -qx "\[queue support\]" <<<"$out" || pd_fail "config -n: no [queue support]: $out"
grep -q "^hostname" <<<"$out" && pd_fail "config -n printed a default: $out"
full=$("$B/postdesk" -c "$CONF" config) || pd_fail "config: exit $?"
grep -qx "hostname = $DOMAIN" <<<"$full" || pd_fail "config: no expanded default hostname"
grep -qx "display_name = Support" <<<"$full" || pd_fail "config: no queue default display_name"
grep -qx "#template_dir =" <<<"$full" || pd_fail "config: unset key not shown as a comment"
# (this file has one queue and no mailbox: the [postdesk] and [queue NAME] keys, once each)
nshown=$(grep -c -e '^CONF_KEY(GLOBAL,' -e '^CONF_KEY(QUEUE,' "$PD_SRCDIR/src/conf/keys.def")
[ "$(grep -c -e '^[a-z_]* = ' -e '^#[a-z_]* =$' <<<"$full")" = "$nshown" ] ||
	pd_fail "config printed $(grep -c ' =' <<<"$full") keys, keys.def has $nshown for it"
# the output is a configuration that loads back to the same
printf '%s\n' "$full" >"$T/again.conf"
[ "$("$B/postdesk" -c "$T/again.conf" config)" = "$full" ] || pd_fail "config output does not load back"
# a broken file fails as the daemons do: file:line, 78
printf '[postdesk]\ndomain = %s\nmax_message_size = huge\n[queue support]\naddress = support@%s\n' \
	"$DOMAIN" "$DOMAIN" >"$T/bad.conf"
"$B/postdesk" -c "$T/bad.conf" config >/dev/null 2>"$T/err"
rc=$?
[ "$rc" = 78 ] || pd_fail "config of a broken file: exit $rc, expected 78"
grep -q "bad.conf:3: \[postdesk\] max_message_size" "$T/err" || pd_fail "no file:line: $(cat "$T/err")"

# 4. check: nothing set up yet -> one error line per finding, exit 1.
"$B/postdesk" -c "$CONF" check >"$T/check" 2>&1
rc=$?
[ "$rc" = 1 ] || pd_fail "check before init: exit $rc, expected 1: $(cat "$T/check")"
# PostgreSQL (lib.sh pd_db): the database is there, without a desk in it
if pd_db_pg "$T/db/postdesk.db"; then
	pg_db=$(pd_db "$T/db/postdesk.db")
	grep -q "error: the database ${pg_db##*/} holds no postdesk desk (run postdesk init)" "$T/check" ||
		pd_fail "check: $(cat "$T/check")"
else
	grep -q "error: database $T/db/postdesk.db does not exist" "$T/check" || pd_fail "check: $(cat "$T/check")"
fi
grep -q "error: key file $T/db/postdesk.key" "$T/check" || pd_fail "check: $(cat "$T/check")"
grep -q "warning: milter_listen unix:$T/milter/milter.sock: directory $T/milter does not exist" \
	"$T/check" || pd_fail "check: no milter socket directory warning: $(cat "$T/check")"
"$B/postdesk" -c "$CONF" init >/dev/null || pd_fail "postdesk init failed"
mkdir -p "$T/milter"
"$B/postdesk" -c "$CONF" check >"$T/check" 2>&1 || pd_fail "check after init: exit $?: $(cat "$T/check")"
grep -q "error:" "$T/check" && pd_fail "check after init found errors: $(cat "$T/check")"
# a key others may read is an error
chmod 0644 "$T/db/postdesk.key"
"$B/postdesk" -c "$CONF" check >"$T/check" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "error: key file $T/db/postdesk.key has mode 0644" "$T/check" ||
	pd_fail "check with a 0644 key: exit $rc: $(cat "$T/check")"
chmod 0600 "$T/db/postdesk.key"
"$B/postdesk" -c "$CONF" check --json | jq -e '.errors == 0' >/dev/null ||
	pd_fail "check --json: $("$B/postdesk" -c "$CONF" check --json)"

# 5. Under journald (stderr is the stream $JOURNAL_STREAM names) each line starts with its
# syslog priority: <3> for an error. Elsewhere the lines keep the program's name.
: >"$T/journal"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal") "$B/postdesk-lmtpd" -c "$T/bad.conf" -f 2>>"$T/journal"
grep -q '^<3>error: .*max_message_size' "$T/journal" || pd_fail "no <3> priority: $(cat "$T/journal")"
"$B/postdesk-lmtpd" -c "$T/bad.conf" -f 2>"$T/plain"
grep -q '^postdesk-lmtpd: error: ' "$T/plain" || pd_fail "plain stderr changed: $(cat "$T/plain")"

# 6. The units (with the build's programs in ExecStart) pass systemd-analyze verify.
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/units"
	for u in "$PD_BUILDDIR"/contrib/systemd/*.service; do
		sed "s|^ExecStart=[^ ]*/|ExecStart=$B/|" "$u" >"$T/units/$(basename "$u")"
	done
	systemd-analyze verify --man=no "$T"/units/*.service >"$T/verify" 2>&1 ||
		pd_fail "systemd-analyze verify: $(cat "$T/verify")"
else
	pd_log "systemd-analyze not installed: the units are not verified here"
fi

# 7. Type=notify: under a service manager ($NOTIFY_SOCKET) the daemon says READY=1 once it
# serves, RELOADING=1 then READY=1 around a SIGHUP reload, STOPPING=1 when told to stop.
# A datagram socket stands in for systemd's (python3).
NOTIFY_LOG=$T/notify.log
if grep -q '^#define HAVE_LIBSYSTEMD 1' "$PD_BUILDDIR/config.h" && command -v python3 >/dev/null; then
	pd_bg notify python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666)
while True:
    with open(sys.argv[2], "a") as f:
        f.write(s.recv(4096).decode() + "\n")
' "$T/notify.sock" "$NOTIFY_LOG"
	pd_wait_socket "$T/notify.sock" 10 notify
	notified() { [ "$(grep -c -x "$1" "$NOTIFY_LOG" 2>/dev/null)" -ge "$2" ]; }
	NOTIFY_SOCKET=$T/notify.sock pd_bg lmtpd "$B/postdesk-lmtpd" -c "$CONF" -f
	pd_wait_until 10 notified READY=1 1 || pd_fail "no READY=1: $(cat "$NOTIFY_LOG" 2>/dev/null)"
	kill -HUP "$(pd_bg_pid lmtpd)"
	pd_wait_until 10 notified READY=1 2 || pd_fail "no READY=1 after reload: $(cat "$NOTIFY_LOG")"
	[ "$(tr '\n' ' ' <"$NOTIFY_LOG")" = "READY=1 RELOADING=1 READY=1 " ] ||
		pd_fail "notifications: $(tr '\n' ' ' <"$NOTIFY_LOG")"
	pd_stop lmtpd
	pd_wait_until 10 notified STOPPING=1 1 || pd_fail "no STOPPING=1: $(cat "$NOTIFY_LOG")"
	pd_stop notify
else
	pd_log "built without libsystemd (or no python3): sd_notify not checked"
fi

# 8. One info line per delivery: Postfix's queue id, queue, ticket, verdict, ms.
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$CONF" -f
pd_wait_socket "$T/lmtp.sock" 10 lmtpd
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/lmtp.sock"
pd_swaks --to "support@$DOMAIN" --from ann@shop.example --header "Subject: hello" ||
	pd_fail "swaks: $(pd_swaks_log)"
pd_postfix_wait_empty "$T/postfix" 30
# check reads the Postfix wiring: this sandbox runs no milter (a hint, not an error)
POSTDESK_POSTCONF_DIR=$T/postfix/etc "$B/postdesk" -c "$CONF" check >"$T/check" 2>&1 ||
	pd_fail "check with a Postfix: $(cat "$T/check")"
grep -q "warning: Postfix runs no postdesk-milter" "$T/check" || pd_fail "no milter hint: $(cat "$T/check")"
# lmtpd left ticket 1's acknowledgement to notifyd, which does not run here: fresh, it is
# no finding; an hour old, check asks whether notifyd runs; composed, nothing again
grep -q "postdesk-notifyd" "$T/check" && pd_fail "a fresh held acknowledgement reported: $(cat "$T/check")"
[ "$(pd_sql "$T/db/postdesk.db" "SELECT count(*) FROM held_acks")" = 1 ] || pd_fail "no held acknowledgement"
pd_sql "$T/db/postdesk.db" "UPDATE held_acks SET created = created - 3600" >/dev/null
"$B/postdesk" -c "$CONF" check >"$T/check" 2>&1 || pd_fail "check with an old held acknowledgement failed"
grep -q "warning: acknowledgements of new tickets have waited 60 minutes for postdesk-notifyd: is it running?" \
	"$T/check" || pd_fail "no warning about the held acknowledgement: $(cat "$T/check")"
pd_notifyd_pass "$CONF"
"$B/postdesk" -c "$CONF" check >"$T/check" 2>&1 || pd_fail "check after notifyd's pass"
grep -q "postdesk-notifyd" "$T/check" && pd_fail "held acknowledgement reported after the pass: $(cat "$T/check")"
LOG=$PD_ROOT/.state/lmtpd.log
logged() { grep -q 'delivered queue_id=' "$LOG"; }
pd_wait_until 10 logged || pd_fail "no delivery line in $(cat "$LOG")"
line=$(grep 'delivered queue_id=' "$LOG")
[[ $line =~ info:\ delivered\ queue_id=([0-9A-Za-z]+)\ queue=support\ ticket=1\ verdict=ok\ 250\ 2\.0\.0\ ms=[0-9]+$ ]] ||
	pd_fail "delivery line: $line"
qid=${BASH_REMATCH[1]}
grep -q "$qid: to=<support@$DOMAIN>.*status=sent" "$T/postfix/log/maillog" ||
	pd_fail "queue id $qid is not Postfix's: $(pd_maillog "$T/postfix")"
# postdesk deliver (no Postfix, no Received: field): the queue id is "-"
printf 'From: bob@shop.example\nSubject: piped\n\nhi\n' |
	"$B/postdesk" -c "$CONF" deliver -r "support@$DOMAIN" -f bob@shop.example >/dev/null 2>"$T/deliver" ||
	pd_fail "postdesk deliver: $(cat "$T/deliver")"
grep -q "info: delivered queue_id=- queue=support ticket=2 verdict=ok 250" "$T/deliver" ||
	pd_fail "postdesk deliver logged: $(cat "$T/deliver")"
# the daemons' logs hold no sanitizer report (the suite's ASan+UBSan run)
grep -l "Sanitizer\|runtime error:" "$PD_ROOT"/.state/*.log 2>/dev/null &&
	pd_fail "sanitizer report: $(grep -h -A5 "Sanitizer\|runtime error:" "$PD_ROOT"/.state/*.log | head -40)"
exit 0
