#!/bin/bash
# Issue 15, OAuth2: postdesk-fetchd logs in with XOAUTH2 to a real Dovecot whose oauth2
# passdb asks a local stub token endpoint (python http.server, RFC 7662 introspection) about
# each token. The token comes from token_command; the first one it prints is refused (an
# expired token), so fetchd must forget it and run the command again: the mail is then
# fetched with the fresh token.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fetch_lib.sh"

pd_require sqlite3 python3
pd_dovecot_require

T=$(pd_tmpdir)
B=$PD_BUILDDIR/src/bin
# The stub introspection endpoint: "good-token" is active for oauthuser, anything else not.
OPORT=$(pd_free_port)
cat >"$T/introspect.py" <<'PY'
import http.server, json, sys, urllib.parse
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        token = urllib.parse.parse_qs(body).get("token", [""])[0]
        ok = token == "good-token"
        out = json.dumps({"active": ok, "username": "oauthuser"} if ok else {"active": False})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out.encode())
    def log_message(self, *a):
        sys.stderr.write("introspect: %s\n" % (a[0] % a[1:]))
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
# A port another program took between the pick and the bind (the stub then exits at
# once): pick another, as pd_postfix_start does.
for try in 1 2 3 4 5; do
	pd_bg introspect python3 "$T/introspect.py" "$OPORT"
	pd_wait_until 10 pd_port_listening "$OPORT" && pd_bg_pid introspect >/dev/null && break
	pd_stop introspect 2>/dev/null
	[ "$try" = 5 ] && pd_fail "the introspection stub could not listen (5 ports tried)"
	OPORT=$(pd_free_port)
done
pd_wait_port "$OPORT" introspect

PD_DOVECOT_EXTRA="auth_mechanisms = plain login xoauth2 oauthbearer
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $T/dovecot-oauth2.conf
}"
cat >"$T/dovecot-oauth2.conf" <<CONF
introspection_mode = post
introspection_url = http://127.0.0.1:$OPORT/introspect
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
CONF
pd_dovecot_start "$T/dovecot"
# known to the passwd-file passdb too (doveadm looks users up), with a password no one uses
pd_dovecot_user oauthuser "never-$RANDOM$RANDOM"

# token_command: an expired token the first time, a good one after (and its lifetime).
cat >"$T/token.sh" <<SH
#!/bin/sh
n=\$(cat "$T/tok/count" 2>/dev/null || echo 0)
echo \$((n + 1)) >"$T/tok/count"
[ "\$n" = 0 ] && echo expired-token || printf 'good-token\n3600\n'
SH
chmod 755 "$T/token.sh"
pd_daemon_dir "$T/tok"
mkdir -p "$T/pd"
cat >"$T/pd/postdesk.conf" <<CONF
[postdesk]
database = $(pd_db "$T/pd/postdesk.db")
key_file = $T/pd/postdesk.key
domain = support.test
user = $PD_DAEMON_USER
relay = 127.0.0.1:9
[queue support]
address = support@support.test
[mailbox m365]
host = 127.0.0.1
port = $PD_IMAPS_PORT
ca_file = $T/dovecot/cert.pem
user = oauthuser
auth = xoauth2
token_command = $T/token.sh
queue = support
retry_max = 1s
CONF
chmod 644 "$T/pd/postdesk.conf"
"$B/postdesk" -c "$T/pd/postdesk.conf" init >/dev/null || pd_fail "init"
q() { pd_sql "$T/pd/postdesk.db" "$1"; }

printf 'Return-Path: <eve@shop.example>\nFrom: <eve@shop.example>\nSubject: OAuth question\nMessage-ID: <o1@shop.example>\n\nHello.\n' >"$T/m"
pd_dovecot_save oauthuser "$T/m"
pd_bg fetchd "$B/postdesk-fetchd" -c "$T/pd/postdesk.conf" -f
stored() { [ "$(q "SELECT count(*) FROM fetched WHERE mailbox = 'm365' AND state = 'stored'")" = 1 ]; }
pd_wait_until 30 stored || pd_fail "not fetched with XOAUTH2: $(tail -5 "$PD_ROOT/.state/fetchd.log")"
pd_stop fetchd
grep -q "login failed" "$PD_ROOT/.state/fetchd.log" || pd_fail "the expired token was not refused first"
[ "$(cat "$T/tok/count")" -ge 2 ] || pd_fail "token_command not run again after the refusal"
pd_log "PASS"
