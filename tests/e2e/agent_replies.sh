#!/bin/bash
# Issue 12 end to end: agents answer from localised clients. A notice reaches the agent;
# the agent answers it as localised Outlook does in HTML (Turkish, Finnish: the original NOT
# quoted with '>', below a "Kimden: / Gönderildi: ..." header block) and as Gmail does in
# plain text with a wrapped attribution (Chinese: the address on a line of its own; French:
# the ':' alone on the next line). Each goes through the sandboxed Postfix to the agent's
# token address; the customer must receive every line of the agent's new text and no line
# of the quoted original. The replies are cases of the reply corpus (tests/data/replies/),
# sent with the agent's From and the token as recipient; the Turkish, Finnish and Chinese
# ones were cut wrongly before the keyword table and the structural rules.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3 python3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test
CORPUS=$PD_SRCDIR/tests/data/replies
pd_capture_start "$T"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/lmtp.sock" \
	"relay_domains=$DOMAIN" "transport_maps=inline:{ $DOMAIN=lmtp:unix:$T/lmtp.sock }" \
	"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
	"smtp_tls_security_level=none" "smtpd_reject_unlisted_recipient=no"
cat >"$T/postdesk.conf" <<CONF
[postdesk]
database = $(pd_db "$T/postdesk.db")
key_file = $T/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/lmtp.sock
relay = 127.0.0.1:$PD_SMTP_PORT
template_dir = $PD_SRCDIR/templates/en
outbox_retry_base = 1s
[queue support]
address = support@$DOMAIN
display_name = Example Support
CONF
"$B/postdesk" -c "$T/postdesk.conf" init >/dev/null || pd_fail "init"
"$B/postdesk" -c "$T/postdesk.conf" agent add agent@agents.example --name "Agent" >/dev/null ||
	pd_fail "agent add"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/postdesk.conf" -f
pd_bg notifyd "$B/postdesk-notifyd" -c "$T/postdesk.conf" -f
pd_wait_socket "$T/lmtp.sock" 10 lmtpd

q() { pd_sql "$T/postdesk.db" "$1"; }
outbox_drained() { [ "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix" 30
	pd_wait_until 20 outbox_drained || pd_fail "outbox not drained"
	pd_postfix_wait_empty "$T/postfix" 30
}
# Compare what the customer got (the decoded text of captured mail FILE) with a corpus CASE:
# every line of the expected new text must be there, and no line of the rest of the case's
# text (the quoted original, its attribution or header block) may be. Prints what is wrong.
check_reply() { # FILE CASE
	python3 - "$1" "$CORPUS/$2.eml" "$CORPUS/$2.expected" <<'PY'
import email, email.policy, sys
def text(raw):
    start = raw.find(b'\nReceived: ')  # the capture server writes lines of its own first
    if start >= 0:
        raw = raw[start + 1:]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    part = msg.get_body(preferencelist=('plain',))
    return part.get_content() if part is not None else ''
got = text(open(sys.argv[1], 'rb').read())
case = text(open(sys.argv[2], 'rb').read())
expected = open(sys.argv[3], encoding='utf-8').read()
want = [l.strip() for l in expected.splitlines() if l.strip()]
quoted = [l.strip().lstrip('> ').strip() for l in case.splitlines()
          if l.strip() and l.strip() not in want and len(l.strip().lstrip('> ').strip()) >= 12]
for l in want:
    if l not in got:
        print('missing new text: ' + l)
for l in quoted:
    if l in got:
        print('quoted text reached the customer: ' + l)
PY
}
# A corpus case as the agent's reply: our envelope and headers, the case's MIME body.
agent_reply() { # CASE MESSAGE-ID TOKEN
	{
		printf 'From: Agent <agent@agents.example>\r\nTo: %s\r\nSubject: RE: [#1] Commande 10023\r\n' "$3"
		printf 'Message-ID: <%s>\r\nDate: %s\r\n' "$2" "$(date -R)"
		sed -n '/^MIME-Version:/,$p' "$CORPUS/$1.eml" | sed 's/$/\r/'
	} >"$T/$1.msg"
	pd_swaks --to "$3" --from agent@agents.example --data "$T/$1.msg" ||
		pd_fail "swaks $1: $(pd_swaks_log)"
}

pd_swaks --to "support@$DOMAIN" --from camille@example.fr \
	--header "From: Camille Martin <camille@example.fr>" --header "Subject: Commande 10023" \
	--header "Message-Id: <c1@example.fr>" --body "Ma commande 10023 n'est pas arrivée." ||
	pd_fail "customer mail"
settle
pd_wait_captured agent@agents.example 1
token=$(pd_header_unfolded Reply-To "$(pd_newest_captured agent@agents.example)" | sed 's/.*<\(.*\)>.*/\1/')
[ -n "$token" ] || pd_fail "no agent token in the notice"

n=0
for case in tr-outlook-html fi-outlook-html zh-gmail-text fr-gmail-text; do
	n=$((n + 1))
	agent_reply "$case" "agent-$n@agents.example" "$token"
	settle
	pd_wait_captured camille@example.fr $((n + 1)) || pd_fail "$case: no reply reached the customer"
	bad=$(check_reply "$(pd_newest_captured camille@example.fr)" "$case")
	[ -z "$bad" ] || pd_fail "$case: $bad"
	pd_log "$case: the customer got the new text only"
done
pd_log "ok"
