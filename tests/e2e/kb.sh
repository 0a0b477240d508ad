#!/bin/bash
# Issue 14, the knowledge base end to end: articles indexed by `postdesk kb reindex` and
# again on SIGHUP, a customer's question through the sandboxed Postfix gets an
# acknowledgement that suggests the article that answers it (title, excerpt, URL); a
# question no article answers gets the plain acknowledgement. Root, postfix, swaks,
# smtp-sink, sqlite3; skips (77) without.
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

# The articles: a copy of the labelled set's, so that the test can add one.
mkdir -p "$T/kb"
cp -r "$PD_SRCDIR/tests/data/kb/articles/shared" "$T/kb/"
chmod -R a+rX "$T/kb"
cat >"$T/postdesk.conf" <<CONF
[postdesk]
database = $(pd_db "$T/postdesk.db")
key_file = $T/postdesk.key
domain = $DOMAIN
user = $PD_DAEMON_USER
lmtp_listen = unix:$T/lmtp.sock
relay = 127.0.0.1:$PD_SMTP_PORT
template_dir = $PD_SRCDIR/templates/en
kb_dir = $T/kb
outbox_retry_base = 1s
[queue support]
address = support@$DOMAIN
display_name = Example Shop
CONF
PD=("$B/postdesk" -c "$T/postdesk.conf")
"${PD[@]}" init >/dev/null || pd_fail "init"
"${PD[@]}" agent add alice@agents.example --name "Alice Agent" >/dev/null || pd_fail "agent add"
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }

# reindex: --json says how many; a bad article is refused by name and changes nothing
out=$("${PD[@]}" kb reindex --json) || pd_fail "kb reindex"
expect_eq "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"])')" 44 "articles indexed"
printf 'title: broken\n\nno header lang\n' >"$T/kb/shared/zz-broken.md"
err=$("${PD[@]}" kb reindex 2>&1) && pd_fail "a broken article was indexed"
echo "$err" | grep -q "zz-broken.md: lang:" || pd_fail "reindex error does not name the file: $err"
rm "$T/kb/shared/zz-broken.md"
expect_eq "$("${PD[@]}" kb list | grep -c .)" 44 "articles after a refused reindex"
"${PD[@]}" kb search "How can I send back a jacket I do not like?" | head -1 | grep -q "How do I return an item?" ||
	pd_fail "kb search: returns article not first"

pd_bg lmtpd "$B/postdesk-lmtpd" -c "$T/postdesk.conf" -f
pd_bg notifyd "$B/postdesk-notifyd" -c "$T/postdesk.conf" -f
pd_wait_socket "$T/lmtp.sock" 10 lmtpd
outbox_drained() { [ "$(pd_sql "$T/postdesk.db" "SELECT count(*) FROM outbox WHERE status = 'queued'")" = 0 ]; }
settle() {
	pd_postfix_wait_empty "$T/postfix" 30
	pd_wait_until 20 outbox_drained || pd_fail "outbox not drained"
	pd_postfix_wait_empty "$T/postfix" 30
}
# The text of a captured mail, its body decoded (quoted-printable or base64).
body_of() {
	python3 -c 'import email,sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for p in m.walk():
    if p.get_content_type() == "text/plain":
        print(p.get_payload(decode=True).decode(p.get_content_charset() or "utf-8"))' "$1"
}

# 1. A question an article answers: the acknowledgement suggests it.
pd_swaks --to "support@$DOMAIN" --from ann@shop.example --header "From: Ann Buyer <ann@shop.example>" \
	--header "Subject: Sending back a jacket" --header "Message-Id: <k1@shop.example>" \
	--body "Hello, the jacket does not fit me. How do I return it and do I get a return label?" ||
	pd_fail "swaks"
settle
pd_wait_captured ann@shop.example 1
body_of "$(pd_newest_captured ann@shop.example)" >"$T/ack1.txt"
grep -q "these pages of our help centre" "$T/ack1.txt" || pd_fail "ack without suggestions: $(cat "$T/ack1.txt")"
grep -q "^\* How do I return an item?" "$T/ack1.txt" || pd_fail "returns article not suggested"
grep -q "https://shop.example/help/returns" "$T/ack1.txt" || pd_fail "article URL missing"
grep -q "You can return any item within 30 days" "$T/ack1.txt" || pd_fail "excerpt missing"
[ "$(grep -c '^\* ' "$T/ack1.txt")" -le 3 ] || pd_fail "more than three suggestions"

# 2. A question no article answers: the plain acknowledgement.
pd_swaks --to "support@$DOMAIN" --from ben@shop.example --header "From: Ben <ben@shop.example>" \
	--header "Subject: Collaboration" --header "Message-Id: <k2@shop.example>" \
	--body "Can I collaborate with you as an influencer on Instagram?" || pd_fail "swaks"
settle
pd_wait_captured ben@shop.example 1
body_of "$(pd_newest_captured ben@shop.example)" >"$T/ack2.txt"
grep -q "logged as ticket #2" "$T/ack2.txt" || pd_fail "second ack missing"
grep -q "help centre" "$T/ack2.txt" && pd_fail "a suggestion where none fits"

# 3. SIGHUP reindexes: a new article is suggested without a restart.
cat >"$T/kb/shared/en-influencer.md" <<'MD'
title: Working with influencers and creators
lang: en
tags: influencer, collaboration, Instagram, creator, partnership

We collaborate with influencers and creators on Instagram and TikTok. Send us a link to
your profile and your audience figures and our partnership team will get back to you.
MD
chmod a+r "$T/kb/shared/en-influencer.md"
kill -HUP "$(pd_bg_pid lmtpd)"
indexed() { "${PD[@]}" kb list | grep -q "Working with influencers"; }
pd_wait_until 20 indexed || pd_fail "SIGHUP did not reindex"
pd_swaks --to "support@$DOMAIN" --from cat@shop.example --header "From: Cat <cat@shop.example>" \
	--header "Subject: Instagram collaboration" --header "Message-Id: <k3@shop.example>" \
	--body "Can I collaborate with you as an influencer on Instagram?" || pd_fail "swaks"
settle
pd_wait_captured cat@shop.example 1
body_of "$(pd_newest_captured cat@shop.example)" >"$T/ack3.txt"
grep -q "^\* Working with influencers" "$T/ack3.txt" ||
	pd_fail "the article indexed on SIGHUP is not suggested"
q() { pd_sql "$T/postdesk.db" "$1"; }

# 4. Ann answers the acknowledgement with only "Solved!" and a sign-off: ticket 1 is
#    resolved as self-served, and the agents are told.
grep -q "^mailto:support+1-r-[a-z2-7]*@$DOMAIN?subject=Solved%20%5B%231%5D" "$T/ack1.txt" ||
	pd_fail "ack without the signed solved link"
ack1=$(pd_newest_captured ann@shop.example)
reply_to=$(pd_header Reply-To "$ack1" | sed 's/.*<\(.*\)>.*/\1/')
expect_eq "$(q "SELECT status FROM tickets WHERE id = 1")" new "ticket 1 before"
pd_swaks --to "$reply_to" --from ann@shop.example --header "From: Ann Buyer <ann@shop.example>" \
	--header "Subject: Re: [#1] We received your request" --header "Message-Id: <k4@shop.example>" \
	--header "In-Reply-To: $(pd_header Message-Id "$ack1")" \
	--body $'Solved!\n\nThanks,\nAnn' || pd_fail "swaks solved"
settle
expect_eq "$(q "SELECT status || ' ' || self_served FROM tickets WHERE id = 1")" "resolved 1" "ticket 1 after solved"
expect_eq "$(q "SELECT count(*) FROM events WHERE ticket_id = 1 AND kind = 'self_served'")" 1 "self_served event"
told() { pd_captured alice@agents.example | xargs grep -l "resolved as self-served" >/dev/null 2>&1; }
pd_wait_until 20 told || pd_fail "the agents were not told"

# 5. The signed link: a forged one and a stranger change nothing; the customer's resolves.
link=$(sed -n "s/^mailto:\(support+3-r-[a-z2-7]*@$DOMAIN\)?.*/\1/p" "$T/ack3.txt")
[ -n "$link" ] || pd_fail "ack 3 without the solved link"
mac=${link#support+3-r-}; mac=${mac%@*}
forged="support+3-r-$(echo "$mac" | tr 'a-z' 'b-za')@$DOMAIN"
pd_swaks --to "$forged" --from cat@shop.example --header "From: Cat <cat@shop.example>" \
	--header "Subject: Solved [#3]" --body "This answered my question." >/dev/null 2>&1
forged2="support+2-r-$mac@$DOMAIN" # another ticket's number under ticket 3's MAC
pd_swaks --to "$forged2" --from ben@shop.example --header "From: Ben <ben@shop.example>" \
	--header "Subject: Solved [#2]" --body "This answered my question." >/dev/null 2>&1
pd_swaks --to "$link" --from mallory@evil.example --header "From: Cat <mallory@evil.example>" \
	--header "Subject: Solved [#3]" --body "This answered my question." >/dev/null 2>&1
settle
pd_maillog_wait "$T/postfix" "5.7.1" 20 || pd_fail "no refusal in the mail log"
expect_eq "$(q "SELECT status || ' ' || self_served FROM tickets WHERE id = 3")" "new 0" "ticket 3 after forged links"
expect_eq "$(q "SELECT status || ' ' || self_served FROM tickets WHERE id = 2")" "new 0" "ticket 2 after a forged link"
pd_swaks --to "$link" --from cat@shop.example --header "From: Cat <cat@shop.example>" \
	--header "Subject: Solved [#3]" --body "This answered my question." || pd_fail "swaks link"
settle
expect_eq "$(q "SELECT status || ' ' || self_served FROM tickets WHERE id = 3")" "resolved 1" "ticket 3 after its link"

# 6. An agent reopens: no longer self-served.
notice=$(pd_newest_captured alice@agents.example) # the notice of ticket 3 being self-served
agent_token=$(pd_header Reply-To "$notice" | sed 's/.*<\(.*\)>.*/\1/')
pd_swaks --to "$agent_token" --from alice@agents.example --header "From: alice@agents.example" \
	--body '#status open' || pd_fail "swaks reopen"
settle
expect_eq "$(q "SELECT status || ' ' || self_served FROM tickets WHERE id = 3")" "open 0" "ticket 3 reopened"
pd_log "ok"
