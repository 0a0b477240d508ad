#!/bin/bash
# Issue 17: the Postfix wiring of contrib/postfix/ as a site uses it, milter included, in
# front of the real postdesk-lmtpd and postdesk-milter: a queue address makes a ticket; an
# unknown or forged support+ address is refused at RCPT (no junk ticket, no
# acknowledgement to a forged sender: no backscatter); `postdesk check` sees the wiring.
# Then contrib/sandbox.sh, which starts its Postfix with the milter on: the same refusal.
# Needs root, postfix, swaks, sqlite3; skips (77) without.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" || exit 99

pd_require postfix postconf postqueue swaks sqlite3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
SNIP=$PD_SRCDIR/contrib/postfix
SITE=$T/site
CONF=$T/postdesk.conf
DB=$T/db/postdesk.db

# The snippets, as contrib/postfix/README says to load them: main.cf with postconf -e, the
# master.cf service appended. example.com, as written.
settings=()
while IFS='=' read -r name value; do
	name=${name%"${name##*[! ]}"} value=${value#"${value%%[! ]*}"} # trim around "="
	settings+=("$name=$value")
done < <(grep -v -e '^#' -e '^[[:space:]]*$' "$SNIP/main.cf")
while read -r name type rest; do
	settings+=("$name/$type=$name $type $rest")
done < <(grep -v -e '^#' -e '^[[:space:]]*$' "$SNIP/master.cf")
printf '%s\n' "${settings[@]}" | grep -q '^smtpd_milters={ unix:postdesk/milter.sock,' ||
	pd_fail "contrib/postfix/main.cf does not wire the milter: ${settings[*]}"
pd_postfix_start "$SITE" auto example.com unix:private/postdesk "${settings[@]}"

# postdesk at the paths the snippets name, under this sandbox's queue directory
cat >"$CONF" <<CONF
[postdesk]
domain = example.com
database = $(pd_db "$DB")
key_file = $T/db/postdesk.key
user = $PD_DAEMON_USER
lmtp_listen = unix:$SITE/spool/private/postdesk
milter_listen = unix:$SITE/spool/postdesk/milter.sock
relay = 127.0.0.1:9
[queue support]
address = support@example.com
[queue billing]
address = billing@example.com
CONF
"$B/postdesk" -c "$CONF" init >/dev/null || pd_fail "postdesk init failed"
pd_daemon_dir "$SITE/spool/postdesk"
pd_bg milter "$B/postdesk-milter" -c "$CONF" -f
pd_wait_socket "$SITE/spool/postdesk/milter.sock" 10 milter
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$CONF" -f
pd_wait_socket "$SITE/spool/private/postdesk" 10 lmtpd

# 1. A queue address: accepted, a ticket.
pd_swaks --xclient-addr 192.0.2.7 --to support@example.com --from ann@shop.example \
	--header "Subject: real question" || pd_fail "support@ refused: $(pd_swaks_log)"
# 2. support+anything@ and a forged token: refused at RCPT, by the milter.
pd_swaks --xclient-addr 192.0.2.7 --to support+junk@example.com --from victim@elsewhere.example \
	--header "Subject: junk"
rc=$?
[ "$rc" = 24 ] || pd_fail "support+junk@: swaks exit $rc, expected 24 (RCPT refused): $(pd_swaks_log)"
pd_swaks_log | grep -q "<\*\* 550 5\.[0-9.]* " || pd_fail "support+junk@: no 550 at RCPT: $(pd_swaks_log)"
pd_swaks --xclient-addr 192.0.2.7 --to support+1-c-aaaaaaaaaaaaaaaaaaaaaaaaaa@example.com \
	--from victim2@elsewhere.example --header "Subject: forged"
rc=$?
[ "$rc" = 24 ] || pd_fail "forged token: swaks exit $rc, expected 24: $(pd_swaks_log)"
grep -q "milter-reject: RCPT from .*<support+junk@example.com>" "$SITE/log/maillog" ||
	pd_fail "support+junk@ was not refused by the milter: $(pd_maillog "$SITE")"
pd_postfix_wait_empty "$SITE" 30
q() { pd_sql "$DB" "$1"; }
one_ticket() { [ "$(q 'SELECT count(*) FROM tickets')" = 1 ]; }
pd_wait_until 10 one_ticket || pd_fail "tickets: $(q 'SELECT id, subject FROM tickets')"
[ "$(q "SELECT subject FROM tickets")" = "real question" ] || pd_fail "wrong ticket stored"
# no acknowledgement (backscatter) to the forged senders
[ "$(q "SELECT count(*) FROM outbox WHERE rcpts LIKE '%elsewhere.example%'")" = 0 ] ||
	pd_fail "mail queued to a forged sender: $(q 'SELECT rcpts FROM outbox')"

# 3. postdesk check reads this Postfix's wiring: no hint left.
POSTDESK_POSTCONF_DIR=$SITE/etc "$B/postdesk" -c "$CONF" check >"$T/check" 2>&1 ||
	pd_fail "check: $(cat "$T/check")"
grep -q "Postfix" "$T/check" && pd_fail "check gave Postfix hints for a wired site: $(cat "$T/check")"

# 4. The milter down: its own default_action=tempfail, so Postfix answers 4xx, not 250.
pd_stop milter
pd_swaks --xclient-addr 192.0.2.7 --to support@example.com --header "Subject: milter down"
rc=$?
[ "$rc" != 0 ] && pd_swaks_log | grep -q "<\*\* 4[0-9][0-9] " ||
	pd_fail "accepted with the milter down (swaks exit $rc): $(pd_swaks_log)"
pd_stop lmtpd
pd_postfix_stop "$SITE"

# 5. contrib/sandbox.sh runs the milter too: support+junk@ refused at RCPT there as well.
pd_require smtp-sink runuser setsid
SB=$T/sandbox
mkdir -p "$SB"
sandbox() { PD_BUILDDIR=$PD_BUILDDIR "$PD_SRCDIR/contrib/sandbox.sh" "$@" >>"$PD_ROOT/.state/sandbox.log" 2>&1; }
trap 'sandbox stop "$SB"; pd__cleanup' EXIT
sandbox start "$SB" || pd_fail "contrib/sandbox.sh start failed: $(tail "$PD_ROOT/.state/sandbox.log")"
# shellcheck disable=SC1091
. "$SB/sandbox.env"
PD_SMTP_PORT=$SMTP_PORT
pd_swaks --to support+junk@postdesk.test --from victim@elsewhere.example
rc=$?
[ "$rc" = 24 ] && pd_swaks_log | grep -q "<\*\* 550 5\.1\.1 " ||
	pd_fail "sandbox: support+junk@ not refused at RCPT (swaks exit $rc): $(pd_swaks_log)"
pd_swaks --to support@postdesk.test --from ann@shop.example || pd_fail "sandbox refused support@: $(pd_swaks_log)"
sandbox stop "$SB" || pd_fail "contrib/sandbox.sh stop failed"
# the daemons' logs hold no sanitizer report (the suite's ASan+UBSan run)
grep -l "Sanitizer\|runtime error:" "$PD_ROOT"/.state/*.log 2>/dev/null &&
	pd_fail "sanitizer report: $(grep -h -A5 "Sanitizer\|runtime error:" "$PD_ROOT"/.state/*.log | head -40)"
exit 0
