#!/bin/bash
# Issue 13: --json on every command of the admin tool, errors included, and input
# validation. Each command's text form and JSON form are run on a desk filled with
# `postdesk deliver` (the pipe entry, same pipeline as LMTP); every JSON output must be one
# document jq reads, and every failure with --json one object {"error", "code"} on stdout
# with the exit code. Bad values are usage errors (64) that name the valid ones.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pd_require sqlite3 jq

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
CONF=$T/postdesk.conf
cat >"$CONF" <<CONF
[postdesk]
database = $(pd_db "$T/db/postdesk.db")
key_file = $T/db/postdesk.key
domain = support.test
user = $PD_DAEMON_USER
template_dir = $PD_SRCDIR/templates/en
[queue support]
address = support@support.test
CONF
expect_eq() { [ "$1" = "$2" ] || pd_fail "$3: got '$1', expected '$2'"; }
# ok NAME JQ-FILTER EXPECTED -- CMD...: the command succeeds, its output is one JSON
# document, and the filter gives EXPECTED.
ok() {
	local name=$1 filter=$2 want=$3 out
	shift 4
	out=$("$@" 2>"$T/stderr") || pd_fail "$name: exit $?: $(cat "$T/stderr")"
	echo "$out" | jq -e . >/dev/null 2>&1 || pd_fail "$name: not JSON: $out"
	expect_eq "$(echo "$out" | jq -c -r "$filter")" "$want" "$name"
}
# err NAME CODE TEXT -- CMD...: exit CODE, and stdout is exactly {"error": "...TEXT...", "code": CODE}.
err() {
	local name=$1 code=$2 text=$3 out rc
	shift 4
	out=$("$@" 2>/dev/null)
	rc=$?
	expect_eq "$rc" "$code" "$name: exit code"
	expect_eq "$(echo "$out" | jq -c 'keys')" '["code","error"]' "$name: error object ($out)"
	expect_eq "$(echo "$out" | jq -r .code)" "$code" "$name: code member"
	echo "$out" | jq -r .error | grep -qF -- "$text" || pd_fail "$name: error text: $out"
}

ok "init" '[.schema_version >= 10, .key]' '[true,"created"]' -- "$B/postdesk" -c "$CONF" init --json
chown -R "$PD_DAEMON_USER" "$T/db"
pd() { runuser -u "$PD_DAEMON_USER" -- "$B/postdesk" -c "$CONF" "$@"; }
ok "init again" '.key' 'kept' -- pd init --json

ok "agent add" '[.email, .action]' '["alice@agents.example","added"]' -- \
	pd agent add Alice@Agents.example --name "Alice Agent" --json
ok "agent add again" '.action' 'updated' -- pd agent add alice@agents.example --name "Alice A." --json
ok "agent list" '[.[].email]' '["alice@agents.example"]' -- pd agent list --json
printf 'From: Ann <ann@shop.example>\nTo: support@support.test\nSubject: lamp\nMessage-ID: <j1@shop.example>\n\nbroken\n' >"$T/m1"
ok "deliver" '[.recipients[0].recipient, .recipients[0].code]' '["support@support.test",250]' -- \
	pd deliver -r support@support.test -f ann@shop.example --json <"$T/m1"
ok "tickets" '[.[].id]' '[1]' -- pd tickets --json
ok "show" '[.id, .status, .messages[0].message_id]' '[1,"new","j1@shop.example"]' -- pd show 1 --json
ok "status" '[.ticket, .applied]' '[1,"status pending"]' -- pd status 1 pending --json
ok "assign" '.applied' 'assign alice@agents.example' -- pd assign 1 alice@agents.example --json
echo "Here is your new lamp." >"$T/text"
ok "reply" '.recipients[0].code' '250' -- pd reply 1 --from alice@agents.example --json <"$T/text"
echo "Internal: sent by courier." >"$T/note"
ok "note" '.recipients[0].code' '250' -- pd note 1 --from alice@agents.example --json <"$T/note"
ok "token" '[.ticket, .role, .queue, (.address | test("^support\\+1-c-"))]' '[1,"customer","support",true]' -- \
	pd token 1 --json
optout=$(pd token 1 --role optout --json | jq -r .address)
ok "optout" '[.address, .survey_optout]' '["ann@shop.example",true]' -- pd optout "$optout" --json
ok "outbox" '.[-1].id' '1' -- pd outbox --json
ok "outbox raw" '.raw_base64 | @base64d | test("Subject: ")' 'true' -- pd outbox raw 1 --json
ok "outbox retry" '[.id, .status]' '[2,"queued"]' -- pd outbox retry 2 --json
ok "tick" '[.jobs_run >= 0, .mails_sent >= 0]' '[true,true]' -- pd tick --json --now 2026-01-01T00:00:00Z
ok "key list" '[.[].state]' '["signs"]' -- pd key list --json
ok "report" '.total.created' '1' -- pd report --json
ok "attachment list" '.' '[]' -- pd attachment list 1 --json
ok "agent remove" '[.email, .action]' '["alice@agents.example","removed"]' -- \
	pd agent remove alice@agents.example --json
# Text forms are still text.
pd status 1 open | grep -q '^ticket 1: status open$' || pd_fail "status text"
pd token 1 | grep -q '^support+1-c-' || pd_fail "token text"

# Errors, as JSON, with their exit codes.
err "unknown command" 64 "unknown command 'bogus'" -- pd bogus --json
err "unknown option" 64 "Unknown option --bogus" -- pd tickets --bogus --json
err "tickets --status" 64 "new, open, pending, resolved or closed, not 'bogus'" -- pd tickets --status bogus --json
err "tickets --limit" 64 "--limit" -- pd tickets --limit -3 --json
err "tickets --limit x" 64 "Cannot parse integer value" -- pd tickets --limit x --json
err "show no ticket" 66 "no ticket 99" -- pd show 99 --json
err "show bad id" 64 "usage" -- pd show 1x --json
err "status bad id" 64 "usage" -- pd status +1 open --json
err "status bogus" 65 "bogus" -- pd status 1 bogus --json
err "agent remove again" 66 "is not an agent" -- pd agent remove alice@agents.example --json
err "agent add bad" 65 "bad address" -- pd agent add nobody --name X --json
err "token role" 64 "usage" -- pd token 1 --role survey5x --json
err "outbox status" 64 "queued, sent or failed" -- pd outbox --status bogus --json
err "outbox retry id" 64 "usage" -- pd outbox retry 0 --json
err "outbox raw none" 66 "no outbox row 999" -- pd outbox raw 999 --json
err "report --since" 64 "report:" -- pd report --since yesterday-ish --json
err "report --queue" 64 "no queue 'nope' (queues: support)" -- pd report --queue nope --json
err "report --agent" 64 "an agent's address" -- pd report --agent alice --json
err "tick --now" 64 "--now" -- pd tick --now never --json
err "key rotate --grace" 64 "usage" -- pd key rotate --grace -1 --json
err "optout bad" 65 "not" -- pd optout someone@else.example --json
err "attachment usage" 64 "usage" -- pd attachment --json
err "attachment no ticket" 66 "no ticket 42" -- pd attachment list 42 --json
err "customer usage" 64 "usage" -- pd customer export --json
err "customer no one" 66 "no customer" -- pd customer export nobody@shop.example --out "$T" --json
err "customer --out" 64 "not a directory" -- pd customer export ann@shop.example --out "$T/none" --json
err "config" 78 "" -- "$B/postdesk" -c "$T/missing.conf" tickets --json
# Without --json an error is text on stderr only.
out=$(pd tickets --status bogus 2>/dev/null)
expect_eq "$?:$out" "64:" "text error leaves stdout empty"
pd_log "ok"
