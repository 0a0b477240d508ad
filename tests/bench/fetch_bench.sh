#!/bin/bash
# fetch_bench.sh (issue 15): messages per second fetched from a real Dovecot (IMAPS on
# loopback, tests/e2e/fetch_lib.sh) into postdesk, side by side with fetchmail delivering
# the same mailbox (an identical copy, another user) to `postdesk deliver` through its
# `mda` option, one process per message; and the delay from a message arriving in the
# mailbox to its row in the store while postdesk-fetchd IDLEs (the issue's "within a
# second"), median of LAT samples. Each side has its own fresh database.
# Usage (root, from the build tree): [LAT=5] tests/bench/fetch_bench.sh [N]  (N: 1000)
# Needs dovecot-imapd, fetchmail, sqlite3, openssl. Results go to doc/benchmarks.md by hand.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
top_builddir=${top_builddir:-${BUILDDIR:-$PWD}}
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/../e2e/fetch_lib.sh"
set -u
N=${1:-1000}
LAT=${LAT:-5}
pd_require sqlite3 fetchmail runuser
pd_dovecot_require
B=$PD_BUILDDIR/src/bin
[ -x "$B/postdesk-fetchd" ] || { pd_log "SKIP: $B/postdesk-fetchd not built"; exit 77; }
T=$(pd_tmpdir)
pd_dovecot_start "$T/dovecot"
pd_dovecot_user a secret
pd_dovecot_user b secret
now() { date +%s.%N; }

instance() { # NAME
	mkdir -p "$T/$1"
	printf 'secret\n' >"$T/$1/pass"
	chown "$PD_DAEMON_USER" "$T/$1/pass" && chmod 600 "$T/$1/pass"
	cat >"$T/$1/postdesk.conf" <<CONF
[postdesk]
database = $T/$1/postdesk.db
key_file = $T/$1/postdesk.key
domain = support.test
user = $PD_DAEMON_USER
relay = 127.0.0.1:9
[queue support]
address = support@support.test
[mailbox box]
host = 127.0.0.1
port = $PD_IMAPS_PORT
ca_file = $T/dovecot/cert.pem
user = $1
password_file = $T/$1/pass
queue = support
max_per_poll = 100000
poll_interval = 1d
CONF
	chmod 644 "$T/$1/postdesk.conf"
	"$B/postdesk" -c "$T/$1/postdesk.conf" init >/dev/null || pd_fail "init $1"
}
instance a
instance b
# fetchmail's MDA runs as the daemons' user: postdesk deliver reads the key as that user
chown "$PD_DAEMON_USER" "$T/b/postdesk.key"
count() { pd_sql "$T/$1/postdesk.db" "SELECT count(*) FROM messages WHERE direction = 'in'"; }

pd_log "filling two mailboxes with $N messages each"
for i in $(seq 1 "$N"); do
	printf 'Return-Path: <c%d@shop.example>\nFrom: Customer %d <c%d@shop.example>\nTo: support@support.test\nSubject: question %d about my order\nMessage-ID: <b%d@shop.example>\nDate: Thu, 03 Dec 2026 10:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\nHello,\n\nmy order %d has not arrived yet. Could you tell me where it is?\n\nThanks,\nCustomer %d\n' \
		"$i" "$i" "$i" "$i" "$i" "$i" "$i" >"$T/m"
	pd_dovecot_save a "$T/m"
	pd_dovecot_save b "$T/m"
done

t0=$(now)
"$B/postdesk-fetchd" -c "$T/a/postdesk.conf" --once >"$T/a/fetchd.log" 2>&1 || pd_fail "fetchd: $(tail -3 "$T/a/fetchd.log")"
t1=$(now)
[ "$(count a)" = "$N" ] || pd_fail "fetchd stored $(count a) of $N"

mkdir -p "$T/fm" && chown "$PD_DAEMON_USER" "$T/fm"
cat >"$T/fm/rc" <<RC
set no syslog
poll localhost service $PD_IMAPS_PORT protocol IMAP
  user "b" password "secret" ssl sslcertck sslcertfile "$T/dovecot/cert.pem"
  mda "$B/postdesk -c $T/b/postdesk.conf deliver -r support@support.test -f %F"
RC
chown "$PD_DAEMON_USER" "$T/fm/rc" && chmod 600 "$T/fm/rc"
t2=$(now)
runuser -u "$PD_DAEMON_USER" -- env FETCHMAILHOME="$T/fm" HOME="$T/fm" \
	fetchmail -f "$T/fm/rc" --nodetach --silent >"$T/fm/log" 2>&1
t3=$(now)
[ "$(count b)" = "$N" ] || pd_fail "fetchmail delivered $(count b) of $N: $(tail -3 "$T/fm/log")"

# IDLE latency: save one message, poll the store every 5 ms until its row is there.
pd_bg fetchd "$B/postdesk-fetchd" -c "$T/a/postdesk.conf" -f
pd_wait_until 20 grep -q "offers IDLE" "$PD_ROOT/.state/fetchd.log" || pd_fail "no IDLE"
sleep 1
lat=()
for k in $(seq 1 "$LAT"); do
	printf 'From: <l%d@shop.example>\nSubject: latency %d\nMessage-ID: <lat%d@shop.example>\n\nping\n' \
		"$k" "$k" "$k" >"$T/m"
	want=$((N + k))
	s=$(now)
	pd_dovecot_save a "$T/m"
	until [ "$(count a)" -ge "$want" ]; do sleep 0.005; done
	e=$(now)
	lat+=("$(echo "$e - $s" | bc -l)")
	sleep 0.5
done
pd_stop fetchd
median=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')

awk -v n="$N" -v a="$(echo "$t1 - $t0" | bc -l)" -v b="$(echo "$t3 - $t2" | bc -l)" -v m="$median" 'BEGIN {
	printf "messages:                          %d (IMAPS from Dovecot on loopback)\n", n
	printf "postdesk-fetchd --once:            %.2f s  %.0f msg/s\n", a, n / a
	printf "fetchmail -> postdesk deliver:     %.2f s  %.0f msg/s\n", b, n / b
	printf "IDLE: saved -> stored (median):    %.0f ms\n", m * 1000
}'
