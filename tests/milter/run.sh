#!/bin/sh
# tests/milter/run.sh: every miltertest script in tests/milter/*.lua against a real
# postdesk-milter on a unix socket in a temp dir, with a temp config and database (made
# with `postdesk init`, ticket 1 delivered with `postdesk deliver`, an agent added with
# `postdesk agent add`). Four milters run: "main" (readable database), "db-tempfail" and
# "db-continue" (database missing, milter_on_db_error set accordingly), "authres" (like
# main, plus milter_authserv_id = AUTHSERV_ID); a script names its milter in a
# "-- milter: NAME" line. "-- expect-log: TEXT" lines must appear in
# that milter's log while the script runs (TOKEN_* words are replaced by the addresses):
# miltertest sees only "a reply code", the log shows which one.
# Then 20 scripts run at once against the main milter. Any sanitizer report in a milter's
# output fails the test. Skips (77) without miltertest.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$(pwd)}
tdir=$srcdir/tests/milter
PARALLEL=${PD_MILTER_PARALLEL:-20}

for cmd in miltertest; do
	command -v $cmd >/dev/null 2>&1 || {
		echo "SKIP: $cmd not found (apt-get install miltertest)"
		exit 77
	}
done
for prog in src/bin/postdesk src/bin/postdesk-milter tests/milter/mktoken; do
	[ -x "$builddir/$prog" ] || { echo "ERROR: $builddir/$prog not built"; exit 99; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/postdesk-milter.XXXXXX") || exit 99
chmod 0755 "$T" # the milter gives root up: its user must reach the database under here
# ... and makes its socket after that, as its user (doc/privileges.md): a directory of its own
mkdir "$T/sock" || exit 99
if [ "$(id -u)" = 0 ]; then
	chown "${PD_DAEMON_USER:-nobody}" "$T/sock" || exit 99
fi
PIDS=
cleanup() {
	for pid in $PIDS; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $PIDS; do
		wait "$pid" 2>/dev/null
	done
	[ "${PD_KEEP:-0}" = 1 ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DOMAIN=help.example
AUTHSERV_ID=mx.help.example
MILTERS="main db-tempfail db-continue authres"
# name db on_db_error [extra line]
write_conf() {
	cat >"$T/$1.conf" <<EOC
[postdesk]
domain = $DOMAIN
database = $2
key_file = $T/db/postdesk.key
milter_listen = unix:$T/sock/$1.sock
user = ${PD_DAEMON_USER:-nobody}
milter_flood_limit = 3
milter_flood_window = 1h
milter_on_db_error = $3
max_message_size = 2000
log_level = info
template_dir = $srcdir/templates/en
${4:-}

[queue support]
address = support@$DOMAIN
EOC
}
write_conf main "$T/db/postdesk.db" tempfail
write_conf db-tempfail "$T/missing/postdesk.db" tempfail
write_conf db-continue "$T/missing/postdesk.db" continue
write_conf authres "$T/db/postdesk.db" tempfail "milter_authserv_id = $AUTHSERV_ID"

PD="$builddir/src/bin/postdesk -c $T/main.conf"
$PD init >"$T/init.log" 2>&1 || { cat "$T/init.log"; exit 99; }
printf 'From: Alice <alice@example.org>\r\nTo: support@%s\r\nSubject: printer on fire\r\nMessage-ID: <first@example.org>\r\n\r\nHelp!\r\n' "$DOMAIN" |
	$PD deliver -r "support@$DOMAIN" -f alice@example.org >"$T/deliver.log" 2>&1 ||
	{ cat "$T/deliver.log"; exit 99; }
grep -q "opened ticket 1" "$T/deliver.log" || { cat "$T/deliver.log"; exit 99; }
AGENT=bob@help-staff.example
$PD agent add --name Bob "$AGENT" >"$T/agent.log" 2>&1 || { cat "$T/agent.log"; exit 99; }

mk() { "$builddir/tests/milter/mktoken" "$T/db/postdesk.key" support "$DOMAIN" "$@" || exit 99; }
TOKEN_C=$(mk 1 c)
TOKEN_NOTICKET=$(mk 999 c)
TOKEN_AGENT=$(mk 1 a)
TOKEN_NOTE=$(mk 1 n)
TOKEN_B=$(mk 77 b)
# the right shape, a MAC that cannot verify
TOKEN_BAD=$(echo "$TOKEN_C" | sed 's/-c-[a-z2-7]*@/-c-aaaaaaaaaaaaaaaa@/')
[ "$TOKEN_BAD" != "$TOKEN_C" ] || { echo "ERROR: could not forge a token"; exit 99; }

for name in $MILTERS; do
	"$builddir/src/bin/postdesk-milter" -f -c "$T/$name.conf" \
		>"$T/$name.log" 2>&1 &
	PIDS="$PIDS $!"
done
for name in $MILTERS; do
	i=0
	until [ -S "$T/sock/$name.sock" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "ERROR: milter $name did not start"; cat "$T/$name.log"; exit 99; }
		sleep 0.05
	done
done

# miltertest NAME SCRIPT OUTPUT [N]: one script against milter NAME
run_script() {
	miltertest -D SOCK="unix:$T/sock/$1.sock" -D LIBDIR="$tdir" -D DOMAIN="$DOMAIN" -D N="${4:-0}" \
		-D TOKEN_C="$TOKEN_C" -D TOKEN_BAD="$TOKEN_BAD" \
		-D TOKEN_NOTICKET="$TOKEN_NOTICKET" -D TOKEN_AGENT="$TOKEN_AGENT" -D TOKEN_B="$TOKEN_B" \
		-D TOKEN_NOTE="$TOKEN_NOTE" -D AUTHSERV_ID="$AUTHSERV_ID" \
		-D AGENT="$AGENT" -s "$2" >"$3" 2>&1
}

pass=0 fail=0 skip=0
for script in "$tdir"/*.lua; do
	base=$(basename "$script" .lua)
	[ "$base" = common ] && continue
	name=$(sed -n 's/^-- milter: *//p' "$script")
	name=${name:-main}
	log=$T/$name.log
	before=$(wc -c <"$log")
	run_script "$name" "$script" "$T/$base.out"
	rc=$?
	if [ $rc = 77 ]; then
		echo "SKIP: $base: $(tail -n 1 "$T/$base.out")"
		skip=$((skip + 1))
		continue
	fi
	if [ $rc != 0 ]; then
		echo "FAIL: $base (miltertest exit $rc):"
		sed 's/^/    /' "$T/$base.out"
		fail=$((fail + 1))
		continue
	fi
	missing=
	sed -n 's/^-- expect-log: *//p' "$script" | sed -e "s/TOKEN_NOTICKET/$TOKEN_NOTICKET/g" \
		-e "s/TOKEN_AGENT/$TOKEN_AGENT/g" -e "s/TOKEN_NOTE/$TOKEN_NOTE/g" -e "s/TOKEN_BAD/$TOKEN_BAD/g" \
		-e "s/TOKEN_C/$TOKEN_C/g" >"$T/$base.expect"
	tail -c +$((before + 1)) "$log" >"$T/$base.log"
	while IFS= read -r line; do
		grep -qF -- "$line" "$T/$base.log" || missing="$missing
    not logged: $line"
	done <"$T/$base.expect"
	if [ -n "$missing" ]; then
		echo "FAIL: $base:$missing"
		sed 's/^/    log: /' "$T/$base.log"
		fail=$((fail + 1))
		continue
	fi
	echo "PASS: $base"
	pass=$((pass + 1))
done

# Concurrency: PARALLEL sessions at once: token replies, Message-ID lookups and new
# requests from distinct clients (the shared flood table).
i=1 pids=
while [ $i -le "$PARALLEL" ]; do
	case $((i % 3)) in 0) s=token_tag ;; 1) s=msgid_tag ;; *) s=parallel_new ;; esac
	run_script main "$tdir/$s.lua" "$T/parallel.$i.out" $i &
	pids="$pids $!"
	i=$((i + 1))
done
bad=0
for pid in $pids; do
	wait "$pid" || bad=$((bad + 1))
done
if [ $bad = 0 ]; then
	echo "PASS: $PARALLEL concurrent sessions"
	pass=$((pass + 1))
else
	echo "FAIL: $bad of $PARALLEL concurrent sessions failed:"
	cat "$T"/parallel.*.out | grep -v '^ok$' | sort | uniq -c
	fail=$((fail + 1))
fi

# Every milter must still run (no crash), then stop cleanly; no sanitizer reports.
for pid in $PIDS; do
	kill -0 "$pid" 2>/dev/null || { echo "FAIL: a milter (pid $pid) died"; fail=$((fail + 1)); }
	kill -TERM "$pid" 2>/dev/null
done
for pid in $PIDS; do
	wait "$pid" 2>/dev/null
done
PIDS=
for name in $MILTERS; do
	if grep -q "Sanitizer\|runtime error:" "$T/$name.log"; then
		echo "FAIL: sanitizer report from milter $name:"
		cat "$T/$name.log"
		fail=$((fail + 1))
	fi
done

echo "milter tests: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] || exit 1
exit 0
