#!/bin/bash
# Issue 12 end to end: what our mail looks like to the agents' and customers' mail clients.
# Four mails of one ticket to one agent (a customer mail, the customer's second mail, a
# colleague's note, a command error) share one thread by their headers: each In-Reply-To
# is the previous one's Message-ID, each References starts with the first; another
# ticket's notices are a thread of their own. Automatic mail carries
# X-Auto-Response-Suppress: All; the acknowledgement's signature separator is "-- ".
# A sandboxed Postfix relays the support domain to postdesk-lmtpd and the rest to a
# capture server; postdesk-notifyd sends the outbox through that Postfix.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test

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
PD=("$B/postdesk" -c "$T/postdesk.conf")
"${PD[@]}" init >/dev/null || pd_fail "init"
"${PD[@]}" agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"
"${PD[@]}" agent add bob@agents.example --name "Bob Agent" >/dev/null || pd_fail "agent add"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/postdesk.conf" -f
pd_bg notifyd "$B/postdesk-notifyd" -c "$T/postdesk.conf" -f
pd_wait_socket "$T/lmtp.sock" 10 lmtpd

q() { pd_sql "$T/postdesk.db" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
outbox_drained() { [ "$(q "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix" 30
	pd_wait_until 20 outbox_drained || pd_fail "outbox not drained"
	pd_postfix_wait_empty "$T/postfix" 30
}
# The one file for RCPT captured since the last call (mails are sent one step at a time).
SEEN=$T/seen
touch "$SEEN"
next_mail() { # RCPT COUNT-EXPECTED
	local f
	pd_wait_captured "$1" "$2"
	f=$(pd_captured "$1" | grep -v -x -F -f "$SEEN" | head -1)
	[ -n "$f" ] || pd_fail "no new mail for $1"
	echo "$f" >>"$SEEN"
	echo "$f"
}
token_of() { pd_header Reply-To "$1" | sed 's/.*<\(.*\)>.*/\1/'; }

# 1. A customer mail: an acknowledgement, a notice to each agent.
pd_swaks --to "support@$DOMAIN" --from ann@shop.example --header "From: Ann Buyer <ann@shop.example>" \
	--header "Subject: My lamp is broken" --header "Message-Id: <c1@shop.example>" \
	--body "The lamp I bought last week does not switch on." || pd_fail "swaks"
settle
ack=$(next_mail ann@shop.example 1)
a1=$(next_mail alice@agents.example 1)
b1=$(next_mail bob@agents.example 1)
pd_header Subject "$a1" | grep -q '^\[#1\] My lamp is broken' || pd_fail "notice subject: $(pd_header Subject "$a1")"

# 2. The customer writes again (a reply to the acknowledgement): a second notice.
pd_swaks --to "$(token_of "$ack")" --from ann@shop.example --header "From: Ann Buyer <ann@shop.example>" \
	--header "Subject: Re: [#1] My lamp is broken" --header "Message-Id: <c2@shop.example>" \
	--header "In-Reply-To: $(pd_header Message-Id "$ack")" --body "It flickers now." || pd_fail "swaks"
settle
a2=$(next_mail alice@agents.example 2)
next_mail bob@agents.example 2 >/dev/null

# 3. Bob adds a note: it goes to Alice.
pd_swaks --to "$(token_of "$b1")" --from bob@agents.example --header "From: Bob Agent <bob@agents.example>" \
	--header "Subject: Re: [#1] My lamp is broken" --header "Message-Id: <n1@agents.example>" \
	--body $'#note\nShe is a VIP customer.' || pd_fail "swaks note"
settle
a3=$(next_mail alice@agents.example 3)
grep -q "She is a VIP" "$a3" || pd_fail "third mail to alice is not the note"

# 4. Alice mistypes a command: the error comes back to her.
pd_swaks --to "$(token_of "$a1")" --from alice@agents.example --header "From: Alice Agent <alice@agents.example>" \
	--header "Subject: Re: [#1] My lamp is broken" --header "Message-Id: <e1@agents.example>" \
	--body $'#stauts open\nHello Ann' || pd_fail "swaks command"
settle
a4=$(next_mail alice@agents.example 4)
pd_header Subject "$a4" | grep -q 'Command not understood' || pd_fail "fourth mail to alice is not the command error"

# The four share one thread by their headers.
first=$(pd_header Message-Id "$a1")
[ -n "$first" ] || pd_fail "no Message-Id on the first notice"
[ -z "$(pd_header In-Reply-To "$a1")" ] || pd_fail "the first notice has an In-Reply-To"
prev=$a1
for m in "$a2" "$a3" "$a4"; do
	expect_eq "$(pd_header In-Reply-To "$m")" "$(pd_header Message-Id "$prev")" "In-Reply-To of $(pd_header Subject "$m")"
	refs=$(pd_header_unfolded References "$m")
	case "$refs" in "$first"*) ;; *) pd_fail "References do not start with the first notice: $refs" ;; esac
	case "$refs" in *"$(pd_header Message-Id "$prev")") ;; *) pd_fail "References do not end with the previous mail: $refs" ;; esac
	pd_header Subject "$m" | grep -q '\[#1\]' || pd_fail "subject without [#1]: $(pd_header Subject "$m")"
	prev=$m
done

# 5. Another ticket is a thread of its own.
pd_swaks --to "support@$DOMAIN" --from carl@shop.example --header "From: Carl <carl@shop.example>" \
	--header "Subject: Invoice missing" --header "Message-Id: <d1@shop.example>" \
	--body "Where is my invoice?" || pd_fail "swaks"
settle
other=$(next_mail alice@agents.example 5)
pd_header Subject "$other" | grep -q '^\[#2\]' || pd_fail "fifth mail to alice is not about ticket 2"
[ -z "$(pd_header In-Reply-To "$other")" ] || pd_fail "ticket 2's first notice threads on ticket 1"
[ -z "$(pd_header_unfolded References "$other")" ] || pd_fail "ticket 2's first notice has References"

# Automatic mail asks Exchange for no automatic answer.
for m in "$ack" "$a1" "$a3" "$a4" "$other"; do
	expect_eq "$(pd_header X-Auto-Response-Suppress "$m")" All "X-Auto-Response-Suppress of $(pd_header Subject "$m")"
done
# The acknowledgement's signature separator: dash, dash, space, on a line of its own.
tr -d '\r' <"$ack" | grep -q -x -e '-- ' || pd_fail "the acknowledgement has no '-- ' signature separator"
pd_log "PASS (${SECONDS}s)"
