#!/bin/bash
# Issue 14 end to end: the customer's language. Through a sandboxed Postfix: a German
# customer's question gets a German acknowledgement (the detector); an agent's "#lang fr"
# makes the next customer mail French; Content-Language: es wins over the queue's
# default when the text itself is too short to tell (doc/languages.md).
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require postfix postconf postqueue swaks smtp-sink sqlite3 python3

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
outbox_retry_base = 1s
[queue support]
address = support@$DOMAIN
display_name = Example Support
timezone = Europe/Berlin
CONF
PD=("$B/postdesk" -c "$T/postdesk.conf")
"${PD[@]}" init >/dev/null || pd_fail "init"
"${PD[@]}" agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"
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
# The decoded Subject and text body of a captured mail.
decoded() {
	python3 - "$1" <<'PY'
import sys, email, email.policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print("Subject:", m["Subject"])
print(m.get_body(preferencelist=("plain",)).get_content())
PY
}

# 1. A German question to a queue whose default is English: a German acknowledgement.
pd_swaks --to "support@$DOMAIN" --from jonas@kunde.example \
	--header "From: Jonas Weber <jonas@kunde.example>" --header "Subject: Lieferung" \
	--header "Message-Id: <de1@kunde.example>" \
	--body "Guten Tag, ich habe vor zwei Wochen eine Lampe bestellt, aber sie ist immer noch nicht angekommen. Können Sie mir bitte sagen, wo mein Paket ist?" ||
	pd_fail "swaks de"
settle
pd_wait_captured jonas@kunde.example 1
ack=$(decoded "$(pd_newest_captured jonas@kunde.example)")
grep -q "^Subject: \[#1\] Ihre Anfrage ist bei uns eingegangen: Lieferung" <<<"$ack" ||
	pd_fail "ack not German: $ack"
grep -q "^Guten Tag Jonas Weber," <<<"$ack" || pd_fail "no German greeting: $ack"
grep -Eq "(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag), [0-9]+\. [A-Z][a-zä]+ 20[0-9]{2}, [0-9]{2}:[0-9]{2} Uhr \(CES?T\)" <<<"$ack" ||
	pd_fail "date not German in the queue's time zone: $ack"
expect_eq "$(q "SELECT lang FROM tickets WHERE id = 1")" de "ticket 1 language"
"${PD[@]}" show 1 | grep -q "^Language: de$" || pd_fail "show: no language"
"${PD[@]}" show 1 --json | python3 -c 'import json,sys; d=json.load(sys.stdin); t=d.get("ticket", d); assert t["language"] == "de", t' ||
	pd_fail "show --json: no language"

# 2. The agent sets French: their answer (the next customer mail) is wrapped in French.
pd_wait_captured alice@agents.example 1
notice=$(pd_newest_captured alice@agents.example)
agent_token=$(pd_header Reply-To "$notice" | sed 's/.*<\(.*\)>.*/\1/')
pd_swaks --to "$agent_token" --from alice@agents.example \
	--header "From: Alice Agent <alice@agents.example>" --header "Subject: Re: [#1] Lieferung" \
	--body "#lang fr

Bonjour, votre colis est parti ce matin." || pd_fail "swaks agent"
settle
pd_wait_captured jonas@kunde.example 2
reply=$(decoded "$(pd_newest_captured jonas@kunde.example)")
grep -q "votre colis est parti" <<<"$reply" || pd_fail "not the agent's answer: $reply"
grep -q "^Ticket #1. Pour nous répondre, répondez simplement à cet e-mail." <<<"$reply" ||
	pd_fail "reply wrapper not French: $reply"
expect_eq "$(q "SELECT lang FROM tickets WHERE id = 1")" fr "ticket 1 language after #lang"

# 3. Content-Language: es on a text too short to tell wins over the queue's default.
pd_swaks --to "support@$DOMAIN" --from lucia@cliente.example \
	--header "From: Lucia <lucia@cliente.example>" --header "Subject: 4711" \
	--header "Content-Language: es-ES" --header "Message-Id: <es1@cliente.example>" \
	--body "4711" || pd_fail "swaks es"
settle
pd_wait_captured lucia@cliente.example 1
ack=$(decoded "$(pd_newest_captured lucia@cliente.example)")
grep -q "^Subject: \[#2\] Hemos recibido su consulta: 4711" <<<"$ack" ||
	pd_fail "ack not Spanish: $ack"
expect_eq "$(q "SELECT lang FROM tickets WHERE id = 2")" es "ticket 2 language"

# And without any evidence, the queue's default: English.
pd_swaks --to "support@$DOMAIN" --from max@neutral.example --header "Subject: 4712" \
	--header "Message-Id: <n1@neutral.example>" --body "4712" || pd_fail "swaks neutral"
settle
pd_wait_captured max@neutral.example 1
ack=$(decoded "$(pd_newest_captured max@neutral.example)")
grep -q "^Subject: \[#3\] We received your request: 4712" <<<"$ack" || pd_fail "ack not English: $ack"
exit 0
