#!/bin/bash
# tests/e2e/pg_server.sh: one throwaway PostgreSQL 15 for a whole test run (issue 16), for
# contrib/test.sh and for running the suite against PostgreSQL by hand:
#	tests/e2e/pg_server.sh start DIR   start it (tests/e2e/pg.sh's pd_pg_start: initdb in
#	                                   DIR, as the daemons' user, on a free loopback port)
#	                                   and print PD_TEST_PG_URI=postgresql://...
#	tests/e2e/pg_server.sh stop DIR    stop it by the PID recorded in DIR (fast shutdown)
#	                                   and remove DIR
# With PD_TEST_PG_URI set, every test that opens a desk makes a database of its own on this
# server and drops it at its end (tests/e2e/lib.sh pd_db, tests/unit/testutil.c
# test_database). Exit 77 if PostgreSQL 15 is not installed, 1 if it does not start.
# Needs root (the server runs as PD_DAEMON_USER, and postgres refuses to run as root).
set -u
ACTION=${1:-}
DIR=${2:-}
case $ACTION:$DIR in
start:/* | stop:/*) ;;
*) echo "usage: $0 start|stop ABSOLUTE-DIR" >&2; exit 2 ;;
esac

# lib.sh in persistent mode: no EXIT trap, the server outlives this script.
# A whole suite's tests share it, two at a time (make -j2), each with its daemons.
PD_PG_MAX_CONNECTIONS=${PD_PG_MAX_CONNECTIONS:-200}
PD_PERSIST=1 PD_PIDDIR=$DIR/pid PD_LOGDIR=$DIR/log PD_ROOT=$DIR
export PD_PERSIST PD_PIDDIR PD_LOGDIR
. "$(dirname "$0")/lib.sh" || exit 99
. "$(dirname "$0")/pg.sh" || exit 99
PD_TEST=pg_server

case $ACTION in
start)
	mkdir -p "$DIR/.state" && chmod 0755 "$DIR" || exit 1
	[ "$(id -u)" = 0 ] || { pd_log "SKIP: needs root"; exit 77; }
	pd_pg_require
	pd_pg_start pg
	echo "PD_TEST_PG_URI=postgresql://postdesk@127.0.0.1:$PD_PG_PORT/postgres"
	;;
stop)
	# pd_bg_pid checks the recorded start time: a reused PID is left alone.
	if pid=$(pd_bg_pid pg); then
		kill -INT "$pid" 2>/dev/null
		pd_wait_until 30 pd__pg_gone pg || pd_stop pg
	fi
	# the pids and logs are gone with DIR; whatever else (.state, t.*) is ours
	rm -rf "$DIR"
	;;
esac
