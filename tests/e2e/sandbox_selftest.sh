#!/bin/bash
# shellcheck disable=SC2119 # pd_swaks_log takes an optional line count
# Self-test of the e2e harness (tests/e2e/lib.sh): a sandboxed Postfix relays the test
# domain over LMTP to smtp-sink -L on a unix socket, retries when that peer is down, and
# is no open relay; the real-site snippets in contrib/postfix/ work as written.
# Needs root, postfix, swaks; skips (77) otherwise.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" || exit 99

pd_require postfix postconf postqueue smtp-sink swaks ss

T=$(pd_tmpdir)
DOMAIN=test.example
SOCK=$T/lmtp.sock
DUMP=$T/lmtp-dump

pd_lmtp_sink_start "$SOCK" "$DUMP"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$SOCK"

# Message files in DUMP whose (only) recipient is RCPT.
dumped_for() { grep -l -F -x "X-Rcpt-Args: <$1> ORCPT=rfc822;$1" "$DUMP"/* 2>/dev/null | grep -c .; }
dump_count_is() { [ "$(pd_capture_count "$DUMP")" = "$1" ]; }

# 1. Three mails for the support domain arrive, one file each, with the right recipient.
for i in 1 2 3; do
	pd_swaks --to "user$i@$DOMAIN" --header "Subject: selftest $i" --body "body $i" ||
		pd_fail "swaks to user$i@$DOMAIN failed: $(pd_swaks_log)"
done
pd_postfix_wait_empty "$T/postfix" 20
pd_wait_until 5 dump_count_is 3 || pd_fail "expected 3 messages at the LMTP sink, got $(pd_capture_count "$DUMP")"
for i in 1 2 3; do
	[ "$(dumped_for "user$i@$DOMAIN")" = 1 ] || pd_fail "no single message for user$i@$DOMAIN"
	grep -l -x "Subject: selftest $i" "$DUMP"/* >/dev/null || pd_fail "subject $i lost"
done
grep -q "X-Client-Proto: LMTP" "$DUMP"/* || pd_fail "the sink did not speak LMTP"

# 2. No open relay: a client outside mynetworks (impersonated with XCLIENT) is refused for
# a foreign domain with 554 5.7.1, but may still mail the support domain.
pd_swaks --xclient-addr 192.0.2.10 --to victim@elsewhere.example
rc=$?
[ "$rc" = 24 ] || pd_fail "relay attempt from outside: swaks exit $rc, expected 24 (RCPT refused)"
pd_swaks_log | grep -q "554 5.7.1 <victim@elsewhere.example>: Relay access denied" ||
	pd_fail "no 'Relay access denied': $(pd_swaks_log)"
pd_swaks --xclient-addr 192.0.2.10 --to outsider@$DOMAIN || pd_fail "outside client refused for $DOMAIN"

# 3. Even a trusted (loopback) client cannot send anywhere else: default_transport is
# error, which smtpd already applies at RCPT time (reject_unlisted_recipient).
pd_swaks --to someone@elsewhere.example
rc=$?
[ "$rc" = 24 ] || pd_fail "loopback mail to a foreign domain: swaks exit $rc, expected 24"
pd_swaks_log | grep -q "550 5.7.1 <someone@elsewhere.example>: .*no outbound mail from the postdesk test sandbox" ||
	pd_fail "foreign recipient not refused by the sandbox: $(pd_swaks_log)"
pd_postfix_wait_empty "$T/postfix" 20
pd_wait_until 5 dump_count_is 4 || pd_fail "expected 4 messages at the LMTP sink, got $(pd_capture_count "$DUMP")"
[ "$(dumped_for outsider@$DOMAIN)" = 1 ] || pd_fail "outsider's mail missing at the sink"

# 4. LMTP peer down: the mail is deferred (not lost, not bounced) and delivered within a
# few seconds of the peer coming back (short backoff in the sandbox).
pd_stop lmtp-sink
pd_swaks --to late@$DOMAIN || pd_fail "submission while the LMTP peer is down refused"
queued_deferred() { postqueue -c "$T/postfix/etc" -j | grep -q '"queue_name": *"deferred"'; }
pd_wait_until 30 queued_deferred || pd_fail "mail not deferred while the LMTP peer is down"
pd_lmtp_sink_start "$SOCK" "$DUMP" lmtp-sink2
pd_postfix_wait_empty "$T/postfix" 20
pd_wait_until 5 dump_count_is 5 || pd_fail "deferred mail not delivered after the peer came back"
[ "$(dumped_for late@$DOMAIN)" = 1 ] || pd_fail "late@$DOMAIN missing at the sink"

pd_postfix_stop "$T/postfix"
[ -z "$(pd_postfix_pid "$T/postfix")" ] || pd_fail "Postfix still running after stop"

# 5. The real-site snippets in contrib/postfix/ work as written: a second sandbox loads
# them (domain example.com, the LMTP socket at private/postdesk in its queue directory).
SNIP=$PD_SRCDIR/contrib/postfix
settings=()
while IFS='=' read -r name value; do
	name=${name%"${name##*[! ]}"} value=${value#"${value%%[! ]*}"} # trim around "="
	settings+=("$name=$value")
done < <(grep -v -e '^#' -e '^[[:space:]]*$' -e '^smtpd_milters' "$SNIP/main.cf")
# (smtpd_milters left out: this sandbox has an LMTP sink, no postdesk; tests/e2e/wiring.sh
# loads the snippets whole, the milter included, in front of the real daemons)
while read -r name type rest; do
	settings+=("$name/$type=$name $type $rest")
done < <(grep -v -e '^#' -e '^[[:space:]]*$' "$SNIP/master.cf")
[ "${#settings[@]}" -ge 5 ] || pd_fail "could not read $SNIP/main.cf and master.cf"
pd_postfix_start "$T/site" auto example.com unix:private/postdesk "${settings[@]}"
pd_lmtp_sink_start "$T/site/spool/private/postdesk" "$T/site-dump" site-sink
for rcpt in support@example.com support+12-c-k3x9@example.com billing@example.com; do
	pd_swaks --xclient-addr 192.0.2.7 --to "$rcpt" || pd_fail "snippet: $rcpt refused: $(pd_swaks_log)"
done
pd_swaks --xclient-addr 192.0.2.7 --to nobody@example.com
rc=$?
if [ "$rc" != 24 ] || ! pd_swaks_log | grep -q "550 5.1.1 <nobody@example.com>"; then
	pd_fail "snippet: an unknown address was not refused during SMTP (swaks exit $rc)"
fi
pd_postfix_wait_empty "$T/site" 20
site_dump_is_3() { [ "$(pd_capture_count "$T/site-dump")" = 3 ]; }
pd_wait_until 5 site_dump_is_3 || pd_fail "snippet: expected 3 messages at private/postdesk"
grep -q "to=<support+12-c-k3x9@example.com>, relay=[^ ]*\[private/postdesk\].* status=sent" \
	"$T/site/log/maillog" || pd_fail "snippet: the reply address did not go through private/postdesk"
pd_log "PASS (${SECONDS}s)"
