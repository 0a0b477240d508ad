# tests/e2e/lib.sh: shell helpers for end-to-end tests against a real, sandboxed Postfix.
# shellcheck shell=bash disable=SC2034 # PD_* variables are set for the scripts that source this file
# Sourced (never run) by bash scripts: a test starts with
#	[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
#	. "$(dirname "$0")/lib.sh" || exit 99
# (automake runs .sh tests with /bin/sh, hence the re-exec).
#
# Everything a test starts (Postfix instances, smtp-sink, daemons) is recorded by PID and
# stopped by an EXIT trap, so a failing test leaves nothing running; the test's temp tree
# is removed unless PD_KEEP=1. Nothing here reads or writes the system's /etc/postfix
# main.cf/master.cf or /var/spool/postfix: each sandbox has its own config, queue, data
# and log directories. Ports are chosen at run time and reserved in a shared registry so
# concurrent runs on one machine do not collide. Function names start with pd_;
# pd__ marks internals. Set PD_PERSIST=1 before sourcing to keep things running after
# the script exits (contrib/sandbox.sh does); then nothing is cleaned up automatically.
#
# Privileges (doc/privileges.md): started as root, postdesk-lmtpd, -notifyd and -milter
# refuse to run unless their config names an unprivileged `user`. Every test config that
# starts a daemon therefore has the line
#	user = $PD_DAEMON_USER
# (default nobody, which exists everywhere; override with PD_DAEMON_USER=name). Run as
# root, `postdesk init` gives the database and key directories to that user, so nothing
# else is needed for them; a directory the daemon must write that init does not make
# (e.g. the postdesk-milter socket's directory) is made with pd_daemon_dir DIR...

if [ -z "${BASH_VERSION:-}" ]; then
	echo "tests/e2e/lib.sh: needs bash" >&2
	exit 99
fi

PATH=$PATH:/usr/sbin:/sbin
PD_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PD_SRCDIR=${top_srcdir:-$(cd "$PD_LIBDIR/../.." && pwd)}
PD_BUILDDIR=${top_builddir:-${PD_BUILDDIR:-$PD_SRCDIR}}
# The programs run uninstalled: they find the shipped templates here.
POSTDESK_TEMPLATES=${POSTDESK_TEMPLATES:-$PD_SRCDIR/templates/en}
export POSTDESK_TEMPLATES
PD_PORT_REG=${PD_PORT_REG:-/tmp/postdesk-e2e-ports}
PD_TEST=$(basename "$0" .sh)
PD_MAINPID=$$
declare -gA PD_BG_PIDS=()   # name -> pid, started by this shell
declare -ga PD_BG_ORDER=()  # names in start order (stopped in reverse)
declare -ga PD_POSTFIX_DIRS=()
PD_SMTP_PORT=
PD_CAPTURE_PORT=
PD_CAPTURE_DIR=

pd_log() { echo "${PD_TEST}: $*" >&2; }

# ---------------------------------------------------------------- daemon user (privileges)

# The unprivileged user the daemons switch to (config `user = $PD_DAEMON_USER`).
PD_DAEMON_USER=${PD_DAEMON_USER:-nobody}

# Make each DIR (mode 0755, owned by PD_DAEMON_USER) for a daemon that runs as that user.
pd_daemon_dir() {
	mkdir -p "$@" && chown "$PD_DAEMON_USER" "$@" && chmod 0755 "$@" ||
		pd_fail "cannot make $* for user $PD_DAEMON_USER"
}

# ---------------------------------------------------------------- requirements, temp dirs

# Skip (exit 77, automake's SKIP) unless every CMD exists and we are root: the sandboxed
# Postfix master must start as root to run its services as the postfix user.
pd_require() {
	local cmd
	for cmd in ss ps "$@"; do
		command -v "$cmd" >/dev/null 2>&1 || {
			pd_log "SKIP: '$cmd' not found (apt-get install postfix swaks ...)"
			exit 77
		}
	done
	if [ "$(id -u)" != 0 ]; then
		pd_log "SKIP: needs root (a sandboxed Postfix master starts as root, runs as postfix)"
		exit 77
	fi
	if ! getent passwd postfix >/dev/null || ! getent group postdrop >/dev/null; then
		pd_log "SKIP: no postfix user or postdrop group (is the postfix package installed?)"
		exit 77
	fi
}

# The test's root temp dir, made on first use. Mode 0755 so the postfix user can reach
# sockets and dump directories inside it.
pd__root() {
	if [ -z "${PD_ROOT:-}" ]; then
		PD_ROOT=$(mktemp -d "${PD_TMPROOT:-/tmp}/postdesk-e2e.XXXXXX") || exit 99
		chmod 0755 "$PD_ROOT"
		mkdir -p "$PD_ROOT/.state"
	fi
}

# ---------------------------------------------------------------- the desk's database

# The suite against PostgreSQL (issue 16; contrib/test.sh, tests/e2e/pg_server.sh): with
# PD_TEST_PG_URI=postgresql://USER@HOST:PORT/DB naming a server, every desk a test makes is
# a fresh database of its own there instead of a SQLite file. A script writes
#	database = $(pd_db "$T/postdesk.db")
# in its config and queries with pd_sql "$T/postdesk.db" SQL as before: pd_db prints the
# path itself when the variable is unset (SQLite, exactly as without the switch), else it
# creates a database "pd_e<pid>_<n>", remembers it for that path (the same path gives the
# same database again) and prints its URI; pd_sql runs SQL through psql on it. The
# databases are dropped when the test exits (pd__cleanup). A test that is about SQLite
# itself (its file, WAL, locks, permissions) keeps the path and says so at its top.
pd__pg_made() { echo "$PD_ROOT/.state/pg_databases"; }

# The PostgreSQL URI pd_db gave for PATH, if any.
pd__db_uri() {
	[ -f "$(pd__pg_made)" ] || return 1
	awk -F '\t' -v p="$1" '$1 == p { print $3; found = 1; exit } END { exit !found }' \
		"$(pd__pg_made)"
}

pd_db() {
	local path=$1 name base uri
	if [ -z "${PD_TEST_PG_URI:-}" ]; then
		echo "$path"
		return 0
	fi
	pd__root
	pd__db_uri "$path" && return 0
	command -v psql >/dev/null ||
		pd_fail "PD_TEST_PG_URI is set but psql is missing (postgresql-client-15)"
	name=pd_e${PD_MAINPID}_$(cat "$(pd__pg_made)" 2>/dev/null | wc -l)_$RANDOM
	psql -X -q -v ON_ERROR_STOP=1 -d "$PD_TEST_PG_URI" -c "CREATE DATABASE $name" >&2 ||
		pd_fail "cannot create the database $name on $PD_TEST_PG_URI"
	base=${PD_TEST_PG_URI%%\?*}
	uri=${base%/*}/$name
	printf '%s\t%s\t%s\n' "$path" "$name" "$uri" >>"$(pd__pg_made)"
	echo "$uri"
}

# Succeed if the desk DB (as pd_sql takes it) is a PostgreSQL database.
pd_db_pg() {
	case $1 in postgresql://* | postgres://*) return 0 ;; esac
	pd__db_uri "$1" >/dev/null
}

# The SQL of a blob's bytes where no portable spelling exists, for the desk DB's backend:
# pd_sql_hex DB EXPR, its upper-case hex digits (hex() / encode()); pd_sql_text DB EXPR,
# the bytes as UTF-8 text (CAST / convert_from()).
pd_sql_hex() { if pd_db_pg "$1"; then echo "upper(encode($2, 'hex'))"; else echo "hex($2)"; fi; }
pd_sql_text() {
	if pd_db_pg "$1"; then echo "convert_from($2, 'UTF8')"; else echo "CAST($2 AS TEXT)"; fi
}

# The whole content of the desk DB (as pd_sql takes it) as SQL text: sqlite3's .dump, or
# pg_dump's data of the PostgreSQL database (bytea in hex, as SQLite's X'..' blobs).
pd_sql_dump() {
	local uri
	if uri=$(pd__db_uri "$1"); then
		pg_dump --data-only --no-owner -d "$uri"
	else
		pd_sql "$1" .dump
	fi
}

# Drop the databases pd_db made (at exit; WITH (FORCE): a daemon still connected does not
# keep one).
pd__pg_drop() {
	local path name uri
	[ -n "${PD_ROOT:-}" ] && [ -f "$(pd__pg_made)" ] || return 0
	while IFS=$'\t' read -r path name uri; do
		psql -X -q -d "$PD_TEST_PG_URI" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >&2 ||
			pd_log "could not drop $name ($uri)"
	done <"$(pd__pg_made)"
	rm -f "$(pd__pg_made)"
}

# pd_notifyd_pass CONF: what postdesk-notifyd's next pass does, without sending (tests
# whose desk has no relay): the acknowledgements lmtpd left are composed and queued.
pd_notifyd_pass() {
	"$PD_BUILDDIR/src/bin/postdesk" -c "$1" tick --no-send >/dev/null ||
		pd_fail "postdesk tick --no-send failed"
}

# Run SQL... on the desk whose database is DB (a SQLite path, or a path pd_db mapped to
# PostgreSQL, or a postgresql:// URI). One result row per line, columns joined by '|' (as
# sqlite3's list mode and psql -A -t print them), nothing but the rows. SQLite: sqlite3
# -cmd '.timeout 10000' DB SQL..., as PD_DAEMON_USER when run as root. A root
# sqlite3 that is the first to open the database creates the -wal and -shm files as root
# for a moment (SQLite hands them to the database's owner right after), and a daemon
# opening the database in that moment cannot use them; as the daemons' own user there is
# no such moment. PostgreSQL: psql, each SQL its own -c (PostgreSQL 15's psql prints the
# rows of every statement in one, as sqlite3 does), stopping at the first error.
pd_sql() {
	local db=$1 uri sql args=()
	shift
	case $db in
	postgresql://* | postgres://*) uri=$db ;;
	*) uri=$(pd__db_uri "$db") ;;
	esac
	if [ -n "$uri" ]; then
		for sql in "$@"; do args+=(-c "$sql"); done
		psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$uri" "${args[@]}"
		return
	fi
	if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
		runuser -u "$PD_DAEMON_USER" -- sqlite3 -cmd '.timeout 10000' "$db" "$@"
	else
		sqlite3 -cmd '.timeout 10000' "$db" "$@"
	fi
}

# Print a fresh per-test temp dir (mode 0755, removed at exit). Fails the test if the
# postfix user cannot traverse to it (e.g. PD_TMPROOT under a 0700 home directory).
pd_tmpdir() {
	local d
	d=$(mktemp -d "$PD_ROOT/t.XXXXXX") || pd_fail "mktemp failed under $PD_ROOT"
	chmod 0755 "$d"
	if command -v runuser >/dev/null && ! runuser -u postfix -- test -x "$d"; then
		pd_fail "the postfix user cannot reach $d: set PD_TMPROOT to a world-searchable dir"
	fi
	echo "$d"
}

# Run CMD... until it succeeds or TIMEOUT seconds pass (return 1). TIMEOUT is scaled by
# PD_TIME_FACTOR (default 1, 4 under PD_VALGRIND), for slow or loaded machines: the
# timeouts bound a wait, they never make a test pass.
pd_wait_until() {
	local timeout=$1 end
	shift
	timeout=$((timeout * ${PD_TIME_FACTOR:-1}))
	[ "${PD_VALGRIND:-0}" = 1 ] && timeout=$((timeout * 4))
	end=$((SECONDS + timeout))
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
	return 0
}

# ---------------------------------------------------------------- ports

# PIDs listening on TCP PORT (any local address), one per line.
pd_port_pids() {
	ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u
}

pd_port_listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# Reserve PORT in the registry shared by all runs on this machine (file PORT holding the
# owner's PID; a dead owner's entry is stale). Returns 1 if taken or listening.
pd_port_reserve() {
	local port=$1 f owner
	mkdir -p "$PD_PORT_REG" 2>/dev/null && chmod 1777 "$PD_PORT_REG" 2>/dev/null
	f=$PD_PORT_REG/$port
	if [ -e "$f" ]; then
		owner=$(cat "$f" 2>/dev/null)
		[ "$owner" = "$PD_MAINPID" ] && ! pd_port_listening "$port" && return 0
		if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
			return 1
		fi
		rm -f "$f"
	fi
	pd_port_listening "$port" && return 1
	(set -C; echo "$PD_MAINPID" >"$f") 2>/dev/null || return 1
	[ -n "${PD_ROOT:-}" ] && echo "$port" >>"$PD_ROOT/.state/ports"
	return 0
}

# Print a free TCP port on 127.0.0.1 (20000-31999, below Linux's ephemeral range so
# outgoing connections do not take it), reserved for this run.
pd_free_port() {
	local i port
	for i in $(seq 1 300); do
		port=$((20000 + RANDOM % 12000))
		if pd_port_reserve "$port"; then
			echo "$port"
			return 0
		fi
	done
	pd_fail "no free TCP port found"
}

pd__port_release() {
	local f=$PD_PORT_REG/$1
	[ "$(cat "$f" 2>/dev/null)" = "$PD_MAINPID" ] && rm -f "$f"
	return 0
}

# Succeed once PORT is listened on by PID and nobody else (two Postfix masters can bind
# one loopback port without an error and split the connections).
pd__port_owned_by() {
	local pids
	pids=$(pd_port_pids "$1")
	[ "$pids" = "$2" ]
}

# ---------------------------------------------------------------- background processes

# Is PID running? A zombie is not: daemons that detach (the Postfix master) are reaped by
# PID 1, which in containers may take a second or more, and kill -0 still succeeds.
pd__alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $st in Z* | "") return 1 ;; esac
	return 0
}

# Wait up to 5 s for PID to exit (60 s under PD_VALGRIND: valgrind's leak check at exit
# takes seconds on a loaded machine, and a KILL would cut its log short); then KILL it
# (and with GROUP=1 its process group).
pd__reap() {
	local pid=$1 what=$2 group=${3:-0} i n=100
	[ "${PD_VALGRIND:-0}" = 1 ] && n=1200
	for i in $(seq 1 $n); do
		pd__alive "$pid" || return 0
		sleep 0.05
	done
	pd_log "$what (pid $pid) ignored SIGTERM for $((n / 20))s, killing"
	if [ "$group" = 1 ]; then
		kill -KILL -- "-$pid" 2>/dev/null
	fi
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# Start CMD... in the background as NAME; its stdout/stderr go to $PD_LOGDIR/NAME.log and
# its PID to $PD_PIDDIR/NAME.pid (both default to the test's state dir).
pd_bg() {
	local name=$1 logdir piddir pid
	shift
	logdir=${PD_LOGDIR:-$PD_ROOT/.state}
	piddir=${PD_PIDDIR:-$PD_ROOT/.state}
	mkdir -p "$logdir" "$piddir"
	# --- PD_VALGRIND (tests/e2e/valgrind.sh): run our own programs (not Postfix or
	# smtp-sink) under valgrind; each writes $logdir/NAME.valgrind.<pid> ---
	case ${PD_VALGRIND:-0}:$1 in
	1:*/postdesk*)
		set -- valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			--track-fds=no --log-file="$logdir/$name.valgrind.%p" "$@" ;;
	esac
	# --- end PD_VALGRIND
	if [ "${PD_PERSIST:-0}" = 1 ]; then
		# outlives the script: its own session, away from the terminal's signals
		setsid "$@" </dev/null >>"$logdir/$name.log" 2>&1 &
	else
		"$@" </dev/null >>"$logdir/$name.log" 2>&1 &
	fi
	pid=$!
	echo "$pid" >"$piddir/$name.pid"
	pd__starttime "$pid" >"$piddir/$name.start"
	PD_BG_PIDS[$name]=$pid
	PD_BG_ORDER+=("$name")
	pd_log "started $name (pid $pid): $*"
}

# Start time of PID (clock ticks since boot, field 22 of /proc/PID/stat): fixed at fork,
# so it names the process before and after its exec, and a reused PID has another.
pd__starttime() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) } # the command name may hold spaces and parentheses
	set -- $stat
	echo "${20}"
}

# The last lines NAME wrote (its stdout and stderr), for a failure message.
pd__bg_log_tail() {
	tail -5 "${PD_LOGDIR:-$PD_ROOT/.state}/$1.log" 2>/dev/null
}

# PID of NAME if it is still running (and still the process we started), else nothing.
# Not by its command line: a child that has not reached exec yet still shows the test
# script's, and a test asking right after pd_bg would call it gone.
pd_bg_pid() {
	local name=$1 piddir pid start
	piddir=${PD_PIDDIR:-${PD_ROOT:-/nonexistent}/.state}
	pid=${PD_BG_PIDS[$name]:-$(cat "$piddir/$name.pid" 2>/dev/null)}
	[ -n "$pid" ] && pd__alive "$pid" || return 1
	start=$(cat "$piddir/$name.start" 2>/dev/null)
	if [ -n "$start" ] && [ "$(pd__starttime "$pid")" != "$start" ]; then
		return 1 # the PID was reused by another process
	fi
	echo "$pid"
}

# Stop NAME by PID: TERM, wait up to 5 s, then KILL.
pd_stop() {
	local name=$1 pid
	pid=$(pd_bg_pid "$name") || { unset "PD_BG_PIDS[$name]"; return 0; }
	kill -TERM "$pid" 2>/dev/null
	pd__reap "$pid" "$name"
	wait "$pid" 2>/dev/null
	unset "PD_BG_PIDS[$name]"
	rm -f "${PD_PIDDIR:-$PD_ROOT/.state}/$name.pid"
	return 0
}

# Wait until unix socket PATH exists; fail the test if NAME dies first or TIMEOUT passes.
pd_wait_socket() {
	local path=$1 timeout=${2:-10} name=${3:-} end
	[ "${PD_VALGRIND:-0}" = 1 ] && timeout=$((timeout * 6)) # PD_VALGRIND: slow start-up
	end=$((SECONDS + timeout))
	until [ -S "$path" ]; do
		if [ -n "$name" ] && ! pd_bg_pid "$name" >/dev/null; then
			pd_fail "$name exited before creating $path: $(pd__bg_log_tail "$name")"
		fi
		[ "$SECONDS" -ge "$end" ] && pd_fail "no socket $path after ${timeout}s"
		sleep 0.05
	done
}

# Wait until NAME (a pd_bg process) listens on PORT, alone; fail the test otherwise.
pd_wait_port() {
	local port=$1 name=$2 timeout=${3:-10} pid end
	end=$((SECONDS + timeout))
	while :; do
		pid=$(pd_bg_pid "$name") || pd_fail "$name exited before listening on port $port: $(pd__bg_log_tail "$name")"
		pd__port_owned_by "$port" "$pid" && return 0
		[ "$SECONDS" -ge "$end" ] && pd_fail "$name not alone on port $port: $(pd_port_pids "$port" | tr '\n' ' ')"
		sleep 0.05
	done
}

# ---------------------------------------------------------------- sandboxed Postfix

# The master.cf of a sandbox: generated (not copied from /etc/postfix, which an admin may
# have changed), chroot off everywhere, only the services a relay needs, the SMTP
# listener on 127.0.0.1:PORT, and postlogd for maillog_file.
pd__master_cf() {
	cat <<EOF
# generated by postdesk tests/e2e/lib.sh
127.0.0.1:$1 inet n - n - - smtpd
pickup     unix  n - n 60    1 pickup
cleanup    unix  n - n -     0 cleanup
qmgr       unix  n - n 300   1 qmgr
rewrite    unix  - - n -     - trivial-rewrite
bounce     unix  - - n -     0 bounce
defer      unix  - - n -     0 bounce
trace      unix  - - n -     0 bounce
verify     unix  - - n -     1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -     - proxymap
proxywrite unix  - - n -     1 proxymap
smtp       unix  - - n -     - smtp
relay      unix  - - n -     - smtp
showq      unix  n - n -     - showq
error      unix  - - n -     - error
retry      unix  - - n -     - error
discard    unix  - - n -     - discard
lmtp       unix  - - n -     - lmtp
anvil      unix  - - n -     1 anvil
scache     unix  - - n -     1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
}

# main.cf of a sandbox: DIR DOMAIN LMTP_TARGET.
pd__main_cf() {
	cat <<EOF
# generated by postdesk tests/e2e/lib.sh
compatibility_level = 3.6
queue_directory = $1/spool
data_directory = $1/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $1/log/maillog
maillog_file_prefixes = $1/log
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = postdesk-test.localdomain
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
relayhost =
relay_domains = $2
transport_maps = inline:{ $2=lmtp:$3 }
default_transport = error:5.7.1 no outbound mail from the postdesk test sandbox
local_transport = error:5.1.1 no local delivery in the postdesk test sandbox
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_authorized_xclient_hosts = 127.0.0.0/8
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 5s
transport_retry_time = 1s
default_process_limit = 20
biff = no
EOF
}

# Write DIR/etc and the directories of a sandbox listening on PORT (no start).
pd__postfix_setup() {
	local dir=$1 port=$2 domain=$3 target=$4
	shift 4
	mkdir -p "$dir/etc" "$dir/spool" "$dir/data" "$dir/log" || pd_fail "cannot create $dir"
	chmod 0755 "$dir" "$dir/etc" "$dir/spool" "$dir/log"
	chown postfix "$dir/data" && chmod 0700 "$dir/data"
	pd__master_cf "$port" >"$dir/etc/master.cf"
	pd__main_cf "$dir" "$domain" "$target" >"$dir/etc/main.cf"
	local arg
	for arg in "$@"; do
		case ${arg%%=*} in
		*/unix | */inet | */fifo | */pass | */unix-dgram) # a master.cf service
			postconf -c "$dir/etc" -M "$arg" || pd_fail "postconf -M $arg failed" ;;
		*) postconf -c "$dir/etc" -e "$arg" || pd_fail "postconf -e $arg failed" ;;
		esac
	done
	# Postfix pauses up to 2 s before reading a main.cf modified within the last second
	# (waiting for writers to finish): date the files back to skip that on every command.
	touch -d '-1 minute' "$dir/etc/main.cf" "$dir/etc/master.cf"
	echo "$port" >"$dir/smtp_port"
}

# PID of the sandbox's master, if running.
pd_postfix_pid() {
	local pid
	pid=$(awk '{ print $1; exit }' "$1/spool/pid/master.pid" 2>/dev/null)
	[ -n "$pid" ] && pd__alive "$pid" && echo "$pid"
}

# Start DIR's sandbox; 0 when its master alone listens on PORT, 1 if someone else holds
# the port too (the caller picks another), fail the test if Postfix does not start.
pd__postfix_try() {
	local dir=$1 port=$2 out=$1/log/start.log pid
	if command -v script >/dev/null; then
		# postfix start prints its fatal errors only to a terminal (or syslog)
		script -qec "postfix -c $dir/etc start" /dev/null >"$out" 2>&1
	else
		postfix -c "$dir/etc" start >"$out" 2>&1
	fi || {
		cat "$out" >&2
		pd_fail "postfix -c $dir/etc start failed"
	}
	PD_POSTFIX_DIRS+=("$dir")
	[ -n "${PD_ROOT:-}" ] && echo "$dir" >>"$PD_ROOT/.state/postfix_dirs"
	pid=$(pd_postfix_pid "$dir") || pd_fail "Postfix in $dir started but its master is gone"
	pd_wait_until 5 pd__port_owned_by "$port" "$pid" && return 0
	pd_log "port $port: listeners $(pd_port_pids "$port" | tr '\n' ' ')(ours: $pid), retrying"
	pd_postfix_stop "$dir"
	return 1
}

# pd_postfix_start DIR SMTP_PORT DOMAIN LMTP_TARGET [name=value...]
# A sandboxed Postfix in DIR (absolute, no spaces): relays DOMAIN over LMTP to
# LMTP_TARGET ("unix:/abs/path" or "inet:127.0.0.1:PORT"), listens on 127.0.0.1:SMTP_PORT
# ("auto" or "" picks one), trusts loopback clients, and bounces everything else
# (default_transport error) unless extra settings say otherwise, e.g.
# default_transport=smtp relayhost=[127.0.0.1]:$PD_CAPTURE_PORT. An extra argument
# "NAME/TYPE=LINE" sets a master.cf service instead ("postdesk/unix=postdesk unix - - n
# - - lmtp"). Sets PD_SMTP_PORT.
pd_postfix_start() {
	local dir=$1 port=$2 domain=$3 target=$4 auto='' try
	shift 4
	case $dir in /*) ;; *) pd_fail "pd_postfix_start: DIR must be absolute: $dir" ;; esac
	case $dir in *[[:space:]]*) pd_fail "pd_postfix_start: no spaces in DIR: $dir" ;; esac
	[ -z "$port" ] || [ "$port" = auto ] && auto=1
	for try in 1 2 3 4 5; do # a port shared with a foreign listener: pick another
		if [ -n "$auto" ]; then
			port=$(pd_free_port)
		else
			pd_port_reserve "$port" || pd_fail "port $port is in use"
		fi
		pd__postfix_setup "$dir" "$port" "$domain" "$target" "$@"
		if pd__postfix_try "$dir" "$port"; then
			PD_SMTP_PORT=$port
			pd_log "Postfix up in $dir on 127.0.0.1:$port (master $(pd_postfix_pid "$dir")), $domain -> lmtp:$target"
			return 0
		fi
		[ -n "$auto" ] || pd_fail "port $port is shared with another listener"
	done
	pd_fail "could not start Postfix on a port of its own"
}

# Stop DIR's sandbox and wait for its master to exit (KILL after 5 s). This is what
# "postfix stop" does (SIGTERM to the master, which ends its process group), minus its
# polling in whole seconds, which a slowly reaped zombie master stretches.
pd_postfix_stop() {
	local dir=$1 pid d keep=()
	pid=$(pd_postfix_pid "$dir")
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		pd__reap "$pid" "Postfix master in $dir" 1
	fi
	for d in "${PD_POSTFIX_DIRS[@]}"; do
		[ "$d" = "$dir" ] || keep+=("$d")
	done
	PD_POSTFIX_DIRS=("${keep[@]}")
	return 0
}

pd_postfix_flush() { postqueue -c "$1/etc" -f; }

# Number of messages in DIR's queue (all queues).
pd_postfix_queue_count() { postqueue -c "$1/etc" -j 2>/dev/null | grep -c .; }

pd__queue_empty() { [ "$(pd_postfix_queue_count "$1")" = 0 ]; }

# Wait until DIR's queue is empty; after TIMEOUT (default 30 s) fail the test, showing
# the queue and the log.
pd_postfix_wait_empty() {
	local dir=$1 timeout=${2:-30}
	pd_wait_until "$timeout" pd__queue_empty "$dir" && return 0
	pd_fail "the queue in $dir is not empty after ${timeout}s"
}

# The last N (default 30) lines of DIR's maillog.
pd_maillog() { tail -n "${2:-30}" "$1/log/maillog" 2>/dev/null; }

# Wait (default 10 s) until the maillog of sandbox DIR has a line matching the grep
# pattern PATTERN. Postfix writes its log through postlogd, a datagram service: a line can
# land after the queue is already empty, so a test must not grep once and conclude.
pd_maillog_wait() {
	local dir=$1 pattern=$2 timeout=${3:-10}
	pd_wait_until "$timeout" grep -q -e "$pattern" "$dir/log/maillog"
}

# ---------------------------------------------------------------- mail peers

# smtp-sink as "the outside world" on 127.0.0.1:PORT ("auto"/"" picks one): every
# message lands as its own file under DIR/capture/. Sets PD_CAPTURE_PORT, PD_CAPTURE_DIR.
pd_capture_start() {
	local dir=$1 port=${2:-auto}
	mkdir -p "$dir/capture" && chown postfix "$dir/capture"
	if [ "$port" = auto ]; then
		port=$(pd_free_port)
	else
		pd_port_reserve "$port" || pd_fail "port $port is in use"
	fi
	# -u: smtp-sink refuses to run as root; %Y...: strftime, plus a random suffix per file
	pd_bg capture smtp-sink -u postfix -d "$dir/capture/%Y%m%d%H%M%S." "127.0.0.1:$port" 100
	pd_wait_port "$port" capture
	PD_CAPTURE_PORT=$port
	PD_CAPTURE_DIR=$dir/capture
}

pd_capture_stop() { pd_stop capture; }

# Number of messages captured under DIR/capture (or any dump DIR given directly).
pd_capture_count() {
	local d=$1
	[ -d "$d/capture" ] && d=$d/capture
	find "$d" -type f 2>/dev/null | grep -c .
}

# Files at the capture server (pd_capture_start) whose envelope recipient is RCPT (smtp-sink
# records it in X-Rcpt-Args), one path per line; pd_captured_count counts them.
pd_captured() { grep -l -F "X-Rcpt-Args: <$1>" "$PD_CAPTURE_DIR"/* 2>/dev/null; }
pd_captured_count() { pd_captured "$1" | grep -c .; }
# (A function, so that pd_wait_until evaluates the count afresh on every try.)
pd__has_captured() { [ "$(pd_captured_count "$1")" -ge "$2" ]; }
# Wait (20 s) for COUNT files for RCPT: smtp-sink writes a file after its 250, so a drained
# queue does not mean the file is there yet.
pd_wait_captured() { # RCPT COUNT
	pd_wait_until 20 pd__has_captured "$1" "$2" ||
		pd_fail "expected $2 mail(s) for $1 at the capture server, got $(pd_captured_count "$1")"
}
pd_newest_captured() { pd_captured "$1" | xargs ls -t | head -1; }
# The first NAME: header of FILE, CR removed; pd_header_unfolded joins folded lines.
pd_header() { sed -n "s/^$1: //p" "$2" | head -1 | tr -d '\r'; }
pd_header_unfolded() {
	tr -d '\r' <"$2" | awk -v h="$1: " 'f && /^[ \t]/ { sub(/^[ \t]+/, " "); v = v $0; next }
		f { exit } index($0, h) == 1 { f = 1; v = substr($0, length(h) + 1) } END { if (f) print v }'
}

# smtp-sink -L as a stand-in LMTP server on unix SOCKET, one file per message in DIR.
# NAME defaults to lmtp-sink.
pd_lmtp_sink_start() {
	local sock=$1 dir=$2 name=${3:-lmtp-sink}
	mkdir -p "$dir" && chown postfix "$dir"
	rm -f "$sock"
	pd_bg "$name" smtp-sink -L -u postfix -d "$dir/%Y%m%d%H%M%S." "unix:$sock" 100
	pd_wait_socket "$sock" 10 "$name"
}

# swaks against the sandbox (PD_SMTP_PORT) with a default sender; extra arguments follow
# and win. The transcript is appended to the test's swaks.log; returns swaks's status
# (0 sent, 23 MAIL refused, 24 RCPT refused, 25 DATA refused ...).
pd_swaks() {
	local log=$PD_ROOT/.state/swaks.log rc
	echo "=== swaks $*" >>"$log"
	swaks --server 127.0.0.1 --port "${PD_SWAKS_PORT:-$PD_SMTP_PORT}" \
		--from customer@example.org --helo client.example.org --timeout 30 \
		"$@" >>"$log" 2>&1
	rc=$?
	echo "=== exit $rc" >>"$log"
	return $rc
}

# Last swaks transcript lines (for assertions and failure reports).
pd_swaks_log() { tail -n "${1:-20}" "$PD_ROOT/.state/swaks.log" 2>/dev/null; }

# ---------------------------------------------------------------- failure and cleanup

# Fail the test: MSG, then what helps debugging (queues, maillogs, daemon logs).
pd_fail() {
	local d f
	pd_log "FAIL: $*"
	for d in "${PD_POSTFIX_DIRS[@]}"; do
		echo "--- queue of $d:" >&2
		postqueue -c "$d/etc" -p >&2 2>&1
		echo "--- maillog of $d (tail):" >&2
		pd_maillog "$d" 40 >&2
	done
	if [ -n "${PD_ROOT:-}" ]; then
		for f in "$PD_ROOT"/.state/*.log; do
			[ -s "$f" ] || continue
			echo "--- $f (tail):" >&2
			tail -n 20 "$f" >&2
		done
	fi
	# Called inside $(...) the exit would only end the subshell: stop the test itself.
	[ "$BASHPID" = "$PD_MAINPID" ] || kill -TERM "$PD_MAINPID"
	exit 1
}

pd__cleanup() {
	local i d port
	for ((i = ${#PD_BG_ORDER[@]} - 1; i >= 0; i--)); do
		pd_stop "${PD_BG_ORDER[$i]}"
	done
	for d in "${PD_POSTFIX_DIRS[@]}"; do
		pd_postfix_stop "$d"
	done
	[ -n "${PD_ROOT:-}" ] || return 0
	pd__pg_drop
	if [ -f "$PD_ROOT/.state/ports" ]; then
		while read -r port; do
			pd__port_release "$port"
		done <"$PD_ROOT/.state/ports"
	fi
	if [ "${PD_KEEP:-0}" = 1 ]; then
		pd_log "kept $PD_ROOT (PD_KEEP=1)"
	else
		rm -rf "$PD_ROOT"
	fi
}

# If the test is killed outright (SIGKILL, a CI timeout) its EXIT trap never runs, and the
# Postfix masters, which detach, would live on: a watchdog waits for the test's shell
# to go and then stops what the state files name. After a normal exit the trap has
# already removed PD_ROOT and the watchdog just ends.
pd__watchdog() {
	(
		trap '' INT TERM HUP
		exec </dev/null >/dev/null 2>&1
		while kill -0 "$PD_MAINPID" 2>/dev/null; do sleep 1; done
		[ -d "$PD_ROOT/.state" ] || exit 0
		for f in "$PD_ROOT"/.state/*.pid; do
			[ -f "$f" ] && pd_stop "$(basename "$f" .pid)"
		done
		if [ -f "$PD_ROOT/.state/postfix_dirs" ]; then
			while read -r d; do pd_postfix_stop "$d"; done <"$PD_ROOT/.state/postfix_dirs"
		fi
		PD_BG_ORDER=() PD_POSTFIX_DIRS=()
		pd__cleanup
	) &
	disown
}

if [ "${PD_PERSIST:-0}" != 1 ]; then
	pd__root
	pd__watchdog
	trap pd__cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
fi
