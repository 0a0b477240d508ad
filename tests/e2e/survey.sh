#!/bin/bash
# Issue 4 (items 1-3) end to end: surveys, reminders and auto-close, with time moved by
# `postdesk tick --now` (no sleeping). A sandboxed Postfix relays the support domain over
# LMTP to postdesk-lmtpd and everything else to a capture server (smtp-sink). No
# postdesk-notifyd runs: `postdesk tick` is one turn of its loop (timed work, then the
# outbox), at the time given.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
DOMAIN=support.test

pd_capture_start "$T"
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/a/lmtp.sock" \
	"relay_domains=$DOMAIN" "transport_maps=inline:{ $DOMAIN=lmtp:unix:$T/a/lmtp.sock }" \
	"default_transport=smtp" "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
	"smtp_tls_security_level=none" "smtpd_reject_unlisted_recipient=no"

mkdir -p "$T/a"
cat >"$T/a/postdesk.conf" <<CONF
[postdesk]
database = $(pd_db "$T/a/postdesk.db")
key_file = $T/a/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/a/lmtp.sock
relay = 127.0.0.1:$PD_SMTP_PORT
template_dir = $PD_SRCDIR/templates/en
survey_delay = 24h
unsubscribe_url = https://help.example/cgi-bin/unsubscribe.cgi?t={token}
[queue support]
address = support@$DOMAIN
display_name = Example Support
lead = lead@agents.example
first_response_target = 4h
pending_remind_after = 3d
pending_resolve_after = 4d
resolved_close_after = 7d
CONF
PD=("$B/postdesk" -c "$T/a/postdesk.conf")
"${PD[@]}" init >/dev/null || pd_fail "init"
pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/a/postdesk.conf" -f
pd_wait_socket "$T/a/lmtp.sock" 10 lmtpd
"${PD[@]}" agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"

q() { pd_sql "$T/a/postdesk.db" "$1"; }
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
events() { q "SELECT count(*) FROM events WHERE ticket_id = $1 AND kind = '$2'"; }
NOW0=$(date +%s)
tick() { # OFFSET-SECONDS: one turn of the loop at NOW0 + OFFSET; prints "N due jobs run ..."
	"${PD[@]}" tick --now "@$((NOW0 + $1))" || pd_fail "tick +$1"
	pd_postfix_wait_empty "$T/postfix" 30
}
H=3600 D=86400

# 1. Two customer tickets; the acknowledgements go out.
for n in 1 2; do
	pd_swaks --to "support@$DOMAIN" --from "c$n@shop.example" \
		--header "From: Customer $n <c$n@shop.example>" --header "Subject: Problem $n" \
		--header "Message-Id: <c$n@shop.example>" --body "Something is broken ($n)." ||
		pd_fail "swaks $n"
done
pd_postfix_wait_empty "$T/postfix" 30
expect_eq "$(q 'SELECT count(*) FROM tickets')" 2 "tickets"
tick 60 >/dev/null
pd_wait_captured c1@shop.example 1

# 2. First response: nothing before 80% of the 4 h target; warning, then breach with the
# lead told, each once.
expect_eq "$(tick $((3 * H)) | cut -d' ' -f1)" 0 "jobs due at +3h"
tick $((3 * H + 20 * 60)) >/dev/null
expect_eq "$(events 1 frt_warning)" 1 "frt warning on ticket 1"
tick $((5 * H)) >/dev/null
expect_eq "$(events 1 frt_breached)" 1 "frt breach on ticket 1"
expect_eq "$(tick $((5 * H)) | cut -d' ' -f1)" 0 "a second tick at the same time"
pd_wait_captured lead@agents.example 2
pd_wait_captured alice@agents.example 4
expect_eq "$(events 1 frt_breached)" 1 "frt breach once"

# 3. Resolve ticket 1 by agent command; the survey arrives after survey_delay.
atok=$("${PD[@]}" token 1 --role agent --agent alice@agents.example) || pd_fail "token"
pd_swaks --to "$atok" --from alice@agents.example --header "From: alice@agents.example" \
	--header "Message-Id: <a1@agents.example>" --body '#status resolved' || pd_fail "resolve"
pd_postfix_wait_empty "$T/postfix" 30
expect_eq "$(q 'SELECT status FROM tickets WHERE id = 1')" resolved "status after #status"
before=$(pd_captured_count c1@shop.example)
tick $((20 * H)) >/dev/null
expect_eq "$(pd_captured_count c1@shop.example)" "$before" "no survey before the delay"
tick $((25 * H)) >/dev/null
pd_wait_captured c1@shop.example $((before + 1))
survey=$(pd_newest_captured c1@shop.example)
pd_header Subject "$survey" | grep -q "How did we do" || pd_fail "survey subject"
grep -q "^Auto-Submitted: auto-generated" "$survey" || pd_fail "survey without Auto-Submitted"
unsub='<https://help\.example/cgi-bin/unsubscribe\.cgi?t=support%2B1-u-[a-z2-7]*%40support\.test>, '
unsub+='<mailto:support+1-u-[a-z2-7]*@support\.test?subject=unsubscribe>'
pd_header_unfolded List-Unsubscribe "$survey" | grep -q "^$unsub\$" ||
	pd_fail "List-Unsubscribe: $(pd_header_unfolded List-Unsubscribe "$survey")"
expect_eq "$(pd_header List-Unsubscribe-Post "$survey")" "List-Unsubscribe=One-Click" "List-Unsubscribe-Post"
expect_eq "$(events 1 survey_sent)" 1 "survey_sent event"
tick $((26 * H)) >/dev/null
expect_eq "$(events 1 survey_sent)" 1 "survey sent once"

# 4. "Click" CSAT 4: the link's address with its prefilled subject.
link=$(tr -d '\r' <"$survey" | sed -n 's/.*4 (satisfied): mailto:\([^?]*\)?subject=.*/\1/p' | head -1)
case $link in support+1-s4-*@$DOMAIN) ;; *) pd_fail "CSAT 4 link: '$link'" ;; esac
pd_swaks --to "$link" --from c1@shop.example --header "From: c1@shop.example" \
	--header "Subject: CSAT 4 [#1]" --header "Message-Id: <s1@shop.example>" --body "Thanks" ||
	pd_fail "click"
pd_postfix_wait_empty "$T/postfix" 30
expect_eq "$(q 'SELECT csat FROM surveys WHERE ticket_id = 1')" 4 "stored rating"
expect_eq "$(q 'SELECT status FROM tickets WHERE id = 1')" resolved "ticket stays resolved"
expect_eq "$(events 1 survey_answer)" 1 "survey_answer event"
expect_eq "$(q "SELECT comment FROM surveys WHERE ticket_id = 1")" Thanks "first comment"

# 5. A second answer (a reply to the survey with a number and a comment) replaces it.
reply_to=$(pd_header Reply-To "$survey" | sed 's/.*<\(.*\)>.*/\1/')
case $reply_to in support+1-s0-*@$DOMAIN) ;; *) pd_fail "survey Reply-To: '$reply_to'" ;; esac
pd_swaks --to "$reply_to" --from c1@shop.example --header "From: c1@shop.example" \
	--header "Subject: Re: [#1] How did we do?" --header "Message-Id: <s2@shop.example>" \
	--body $'2\nThe new lamp is broken too.' || pd_fail "reply answer"
pd_postfix_wait_empty "$T/postfix" 30
expect_eq "$(q 'SELECT csat FROM surveys WHERE ticket_id = 1')" 2 "second answer replaces"
expect_eq "$(q 'SELECT comment FROM surveys WHERE ticket_id = 1')" "The new lamp is broken too." \
	"comment"
expect_eq "$(q 'SELECT status FROM tickets WHERE id = 1')" resolved "still resolved"

# 6. A tampered score token (s4 MAC on s5) is refused at RCPT.
bad=$(echo "$link" | sed 's/-s4-/-s5-/')
pd_swaks --to "$bad" --from c1@shop.example --header "Message-Id: <s3@shop.example>" \
	--body "5" || pd_fail "swaks tampered"
pd_postfix_wait_empty "$T/postfix" 30
pd_maillog_wait "$T/postfix" "550 5.7.1" || pd_fail "tampered token not refused"
expect_eq "$(q "SELECT count(*) FROM messages WHERE message_id = 's3@shop.example'")" 0 \
	"tampered answer stored"
expect_eq "$(q 'SELECT csat FROM surveys WHERE ticket_id = 1')" 2 "tampered answer not stored"

# 7. Ticket 2 pending: one reminder to the customer after 3 d, resolved 4 d later, closed
# 7 d after that — each once.
atok2=$("${PD[@]}" token 2 --role agent --agent alice@agents.example) || pd_fail "token 2"
pd_swaks --to "$atok2" --from alice@agents.example --header "From: alice@agents.example" \
	--header "Message-Id: <a2@agents.example>" --body $'#status pending\nCould you send a photo?' ||
	pd_fail "pending"
pd_postfix_wait_empty "$T/postfix" 30
expect_eq "$(q 'SELECT status FROM tickets WHERE id = 2')" pending "ticket 2 pending"
tick $((2 * D)) >/dev/null # sends the agent's answer
pd_wait_captured c2@shop.example 2
before=$(pd_captured_count c2@shop.example)
tick $((3 * D + H)) >/dev/null
tick $((3 * D + 2 * H)) >/dev/null
pd_wait_captured c2@shop.example $((before + 1))
pd_header Subject "$(pd_newest_captured c2@shop.example)" | grep -q "Waiting for your answer" ||
	pd_fail "pending reminder subject"
expect_eq "$(events 2 pending_reminder)" 1 "pending reminder once"
tick $((7 * D + H)) >/dev/null
expect_eq "$(q 'SELECT status FROM tickets WHERE id = 2')" resolved "auto-resolved"
expect_eq "$(events 2 auto_resolved)" 1 "auto_resolved event"
tick $((15 * D)) >/dev/null
expect_eq "$(q 'SELECT status FROM tickets WHERE id = 2')" closed "auto-closed"
tick $((16 * D)) >/dev/null
expect_eq "$(events 2 auto_closed)" 1 "auto_closed once"
pd_wait_captured c2@shop.example $((before + 2))
expect_eq "$(pd_captured_count c2@shop.example)" $((before + 2)) "reminder + survey for ticket 2"

# 8. Opt-out by mail: the List-Unsubscribe mailto address sets the flag.
optout=$(pd_header_unfolded List-Unsubscribe "$survey" | sed 's/.*<mailto:\([^?>]*\).*/\1/')
pd_swaks --to "$optout" --from c1@shop.example --header "Subject: unsubscribe" \
	--header "Message-Id: <u1@shop.example>" --body "unsubscribe" || pd_fail "opt-out"
pd_postfix_wait_empty "$T/postfix" 30
expect_eq "$(q "SELECT survey_optout FROM customers WHERE email = 'c1@shop.example'")" 1 "opt-out"

# 9. One-click opt-out (RFC 8058) through contrib/unsubscribe.cgi, run as a web server runs
# a CGI, with the https URL of ticket 2's survey: GET only shows a button; a tampered token
# is refused; the POST a mailbox provider sends sets the flag and records the event.
survey2=$(grep -l "^List-Unsubscribe-Post:" $(pd_captured c2@shop.example) | head -1)
[ -n "$survey2" ] || pd_fail "no survey for ticket 2 at the capture server"
query=$(pd_header_unfolded List-Unsubscribe "$survey2" | sed -n 's/^<https:[^?>]*?\([^>]*\)>.*/\1/p')
case $query in t=support%2B2-u-*%40support.test) ;; *) pd_fail "one-click URL query: '$query'" ;; esac
cgi() { # METHOD QUERY [BODY]
	printf '%s' "${3:-}" | env -i PATH="$PATH" POSTDESK="$B/postdesk" \
		POSTDESK_CONF="$T/a/postdesk.conf" POSTDESK_TEMPLATES="$POSTDESK_TEMPLATES" \
		REQUEST_METHOD="$1" QUERY_STRING="$2" CONTENT_LENGTH="${#3}" \
		sh "$PD_SRCDIR/contrib/unsubscribe.cgi"
}
optout2() { q "SELECT survey_optout FROM customers WHERE email = 'c2@shop.example'"; }
page=$(cgi GET "$query") || pd_fail "unsubscribe.cgi GET failed"
grep -q '^Status: 200' <<<"$page" && grep -q '<form method="post" action="?'"$query"'">' <<<"$page" ||
	pd_fail "GET page: $page"
expect_eq "$(optout2)" 0 "opt-out after a GET (must not unsubscribe)"
# change the MAC's first character to another one (a swap could leave it unchanged)
case $query in *-u-a*) bad=$(sed 's/-u-a/-u-b/' <<<"$query") ;; *) bad=$(sed 's/-u-[a-z2-7]/-u-a/' <<<"$query") ;; esac
[ "$bad" != "$query" ] || pd_fail "could not tamper with $query"
cgi POST "$bad" "List-Unsubscribe=One-Click" | grep -q '^Status: 400' || pd_fail "tampered one-click not refused"
expect_eq "$(optout2)" 0 "opt-out after a tampered POST"
out=$(cgi POST "$query" "List-Unsubscribe=One-Click")
grep -q '^Status: 200' <<<"$out" || pd_fail "one-click POST: $out"
expect_eq "$(optout2)" 1 "opt-out after the one-click POST"
expect_eq "$(events 2 survey_optout)" 1 "survey_optout event of ticket 2"
cgi POST "$query" "List-Unsubscribe=One-Click" | grep -q '^Status: 200' || pd_fail "second one-click POST"
expect_eq "$(events 2 survey_optout)" 1 "survey_optout events after a second click"
echo "survey e2e: all checks passed"
