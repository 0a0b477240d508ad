#!/bin/bash
# contrib/sandbox.sh: try postdesk on this machine in a minute, without touching the
# system's mail setup. Starts, in the background: a sandboxed Postfix on 127.0.0.1 (port
# 2525 if free) that relays the support domain postdesk.test over LMTP to postdesk-lmtpd,
# with postdesk-milter as its smtpd milter (unknown or forged support+ addresses are
# refused at RCPT, as contrib/postfix/ wires a real site), postdesk-notifyd sending through
# that Postfix, and smtp-sink standing in for the rest of
# the world (outbound mail lands as files). Then prints how to send mail and look at it.
#
#	contrib/sandbox.sh [start] [DIR]    DIR defaults to ./run
#	contrib/sandbox.sh status [DIR]
#	contrib/sandbox.sh stop [DIR]
#
# Needs root (the Postfix master starts as root), postfix and swaks (contrib/install-deps.sh).
# Builds the tree first if the programs are missing. Environment:
#	PD_BUILDDIR    build tree holding src/bin (default: this source tree)
#	PD_LMTPD_CMD   command run instead of postdesk-lmtpd, to try the Postfix side alone;
#	               $PD_LMTP_SOCKET, $PD_CONF and $PD_LMTP_DUMP (a directory the postfix
#	               user may write) are expanded in it, e.g.
#	  PD_LMTPD_CMD='smtp-sink -L -u postfix -d $PD_LMTP_DUMP/%H%M%S. unix:$PD_LMTP_SOCKET 100'
# Everything is stopped by the PIDs recorded under DIR/pid; the database stays in DIR.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
set -u
PATH=$PATH:/usr/sbin:/sbin

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${PD_BUILDDIR:-$SRC}
DOMAIN=postdesk.test
ACTION=start
case ${1:-} in
start | stop | status) ACTION=$1; shift ;;
-h | --help) sed -n '2,21s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac
RUN=${1:-$PWD/run}
mkdir -p "$RUN" || exit 1
RUN=$(cd "$RUN" && pwd)
CONF=$RUN/postdesk.conf

die() { echo "sandbox: $*" >&2; exit 1; }

# The lib's helpers, in persistent mode: what we start outlives this script.
load_lib() {
	PD_PERSIST=1 PD_PIDDIR=$RUN/pid PD_LOGDIR=$RUN/log
	export PD_PERSIST PD_PIDDIR PD_LOGDIR
	# shellcheck source=tests/e2e/lib.sh
	. "$SRC/tests/e2e/lib.sh" || exit 1
	PD_TEST=sandbox
}

# The directory Postfix reaches (socket, queue, captured mail): DIR/mail, unless the
# postfix user cannot traverse DIR (a 0700 home directory); then, with "new", one under
# /tmp, whose name is kept in DIR/mail.dir.
mail_dir() {
	if [ -f "$RUN/mail.dir" ]; then
		cat "$RUN/mail.dir"
	elif [ "${1:-}" != new ] || runuser -u postfix -- test -x "$RUN" 2>/dev/null; then
		echo "$RUN/mail"
	else
		mktemp -d /tmp/postdesk-sandbox.XXXXXX
	fi
}

build_if_needed() {
	[ -x "$BUILD/src/bin/postdesk-lmtpd" ] && return 0
	[ -n "${PD_LMTPD_CMD:-}" ] && return 0
	echo "sandbox: building postdesk in $BUILD (first run) ..."
	(
		cd "$BUILD" || exit 1
		if [ ! -f Makefile ]; then
			[ -x "$SRC/configure" ] || (cd "$SRC" && autoreconf -fi) || exit 1
			"$SRC/configure" -q || exit 1
		fi
		make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
	) || die "the build failed (contrib/install-deps.sh installs what it needs)"
}

write_conf() { # SMTP_PORT
	cat >"$CONF" <<EOF
# Written by contrib/sandbox.sh at each start (edit the script, not this file).
[postdesk]
domain = $DOMAIN
user = $PD_DAEMON_USER
database = $RUN/db/postdesk.db
key_file = $RUN/db/postdesk.key
lmtp_listen = unix:$PD_LMTP_SOCKET
milter_listen = unix:$PD_MILTER_SOCKET
relay = 127.0.0.1:$1
template_dir = $SRC/templates/en
outbox_retry_base = 5s
log_level = info

[queue support]
address = support@$DOMAIN
display_name = Postdesk Sandbox Support
EOF
}

start_lmtpd() {
	if [ -n "${PD_LMTPD_CMD:-}" ]; then
		PD_LMTP_DUMP=$RUN/lmtp-dump PD_CONF=$CONF
		mkdir -p "$PD_LMTP_DUMP" && chown postfix "$PD_LMTP_DUMP"
		export PD_LMTP_SOCKET PD_LMTP_DUMP PD_CONF
		local -a cmd
		eval "cmd=($PD_LMTPD_CMD)"
		pd_bg lmtpd "${cmd[@]}"
	else
		pd_bg lmtpd "$BUILD/src/bin/postdesk-lmtpd" -c "$CONF" -f
	fi
	pd_wait_socket "$PD_LMTP_SOCKET" 10 lmtpd
	runuser -u postfix -- test -w "$PD_LMTP_SOCKET" ||
		echo "sandbox: warning: the postfix user cannot write to $PD_LMTP_SOCKET" >&2
}

# On a failed start, stop what was started.
started=0
on_exit() {
	local rc=$?
	[ "$started" = 1 ] || [ "$ACTION" != start ] || [ "$rc" = 0 ] && return
	echo "sandbox: start failed; logs are in $RUN/log; stopping what was started" >&2
	do_stop >/dev/null
}

do_start() {
	local mail port cmd
	[ "$(id -u)" = 0 ] || die "run as root: the Postfix master starts as root"
	for cmd in postfix postconf smtp-sink swaks ss runuser setsid; do
		command -v "$cmd" >/dev/null || die "'$cmd' is missing: run contrib/install-deps.sh"
	done
	load_lib
	if pd_bg_pid lmtpd >/dev/null || [ -n "$(pd_postfix_pid "$(mail_dir)/postfix")" ]; then
		echo "sandbox: already running in $RUN (contrib/sandbox.sh stop first)"
		do_status
		return 0
	fi
	build_if_needed
	trap on_exit EXIT
	mail=$(mail_dir new)
	mkdir -p "$mail" "$RUN/log" "$RUN/pid" && chmod 0755 "$mail"
	[ "$mail" = "$RUN/mail" ] || echo "$mail" >"$RUN/mail.dir"
	# privileges (doc/privileges.md): the LMTP socket is 0666, so its directory decides
	# who may deliver past Postfix and the milter: root's, group postfix, 0750
	mkdir -p "$mail/lmtp" && chown root:postfix "$mail/lmtp" && chmod 0750 "$mail/lmtp" ||
		die "cannot make $mail/lmtp"
	PD_LMTP_SOCKET=$mail/lmtp/lmtp.sock
	# the milter makes its socket as the daemons' user, in a directory of its own
	mkdir -p "$mail/milter" && chown "$PD_DAEMON_USER" "$mail/milter" && chmod 0755 "$mail/milter" ||
		die "cannot make $mail/milter"
	PD_MILTER_SOCKET=$mail/milter/milter.sock

	pd_capture_start "$mail"
	port=2525
	pd_port_reserve "$port" || port=auto
	pd_postfix_start "$mail/postfix" "$port" "$DOMAIN" "unix:$PD_LMTP_SOCKET" \
		default_transport=smtp "relayhost=[127.0.0.1]:$PD_CAPTURE_PORT" \
		smtp_tls_security_level=none \
		"smtpd_milters={ unix:$PD_MILTER_SOCKET, default_action=tempfail, protocol=6 }" \
		non_smtpd_milters=
	write_conf "$PD_SMTP_PORT"
	if [ -x "$BUILD/src/bin/postdesk" ]; then
		if [ ! -f "$RUN/db/postdesk.key" ]; then
			"$BUILD/src/bin/postdesk" -c "$CONF" init >>"$RUN/log/init.log" 2>&1 ||
				die "postdesk init failed: $(tail -n 3 "$RUN/log/init.log")"
		fi
		# privileges: the daemons run as PD_DAEMON_USER (a db from an older run was root's);
		# the key stays root's, 0600: they read it before they give root up
		chown -R "$PD_DAEMON_USER" "$RUN/db" && chown root:root "$RUN/db/postdesk.key" &&
			chmod 0600 "$RUN/db/postdesk.key" ||
			die "cannot give $RUN/db to $PD_DAEMON_USER"
		runuser -u "$PD_DAEMON_USER" -- test -x "$RUN/db" ||
			die "user $PD_DAEMON_USER cannot reach $RUN/db: use a run dir outside private homes"
	fi
	start_lmtpd
	if [ -x "$BUILD/src/bin/postdesk-milter" ] && [ -f "$RUN/db/postdesk.key" ]; then
		pd_bg milter "$BUILD/src/bin/postdesk-milter" -c "$CONF" -f
		pd_wait_socket "$PD_MILTER_SOCKET" 10 milter
	fi
	if [ -x "$BUILD/src/bin/postdesk-notifyd" ] && [ -f "$RUN/db/postdesk.key" ]; then
		pd_bg notifyd "$BUILD/src/bin/postdesk-notifyd" -c "$CONF" -f
	fi
	sleep 0.5 # a daemon that dies at once (bad config, busy socket) is reported now
	for cmd in capture lmtpd milter notifyd; do
		[ -f "$RUN/pid/$cmd.pid" ] || continue
		pd_bg_pid "$cmd" >/dev/null || die "$cmd exited: $(tail -n 3 "$RUN/log/$cmd.log")"
	done
	{
		echo "MAIL=$mail"
		echo "SMTP_PORT=$PD_SMTP_PORT"
		echo "CAPTURE_PORT=$PD_CAPTURE_PORT"
	} >"$RUN/sandbox.env"
	started=1
	instructions
}

instructions() {
	local here=$BUILD/src/bin
	# shellcheck disable=SC1091
	. "$RUN/sandbox.env"
	cat <<EOF

postdesk sandbox is running (state in $RUN).
  Postfix (sandboxed) on 127.0.0.1:$SMTP_PORT relays $DOMAIN to postdesk-lmtpd over LMTP;
  postdesk-milter refuses unknown and forged support+ addresses at RCPT.

Send a customer mail:
  swaks --server 127.0.0.1:$SMTP_PORT --from customer@example.org --to support@$DOMAIN \\
    --header 'Subject: Where is my order?' --body 'Order 1234 has not arrived yet.'

List tickets, show one:
  $here/postdesk -c $CONF tickets
  $here/postdesk -c $CONF show 1

Add an agent and answer as that agent (the customer gets the reply):
  $here/postdesk -c $CONF agent add alice@example.org --name Alice
  echo 'Your parcel ships today.' | $here/postdesk -c $CONF reply 1 --from alice@example.org

Mail postdesk sends (acknowledgements, replies) is captured, one file per message, in:
  $MAIL/capture/
Logs: $RUN/log/  Postfix log: $MAIL/postfix/log/maillog
Stop: $SRC/contrib/sandbox.sh stop $RUN
EOF
}

do_stop() {
	local mail
	load_lib
	mail=$(mail_dir)
	pd_stop notifyd
	pd_stop milter
	pd_stop lmtpd
	pd_postfix_stop "$mail/postfix"
	pd_stop capture
	rm -f "$RUN/sandbox.env"
	[ "$mail" = "$RUN/mail" ] && mail=
	echo "sandbox: stopped (database kept in $RUN/db; rm -rf $RUN${mail:+ $mail} to start afresh)"
}

do_status() {
	local name pid mail rc=0
	load_lib
	mail=$(mail_dir)
	for name in lmtpd milter notifyd capture; do
		if pid=$(pd_bg_pid "$name"); then
			echo "$name: running (pid $pid)"
		else
			echo "$name: not running"
		fi
	done
	if pid=$(pd_postfix_pid "$mail/postfix"); then
		echo "postfix: running (master $pid), queue: $(pd_postfix_queue_count "$mail/postfix") message(s)"
	else
		echo "postfix: not running"
		rc=3
	fi
	[ -f "$RUN/sandbox.env" ] && instructions
	return $rc
}

case $ACTION in
start) do_start ;;
stop) do_stop ;;
status) do_status ;;
esac
