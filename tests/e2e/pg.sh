# tests/e2e/pg.sh: a throwaway PostgreSQL 15 for the tests (issue 16). Sourced after lib.sh:
#	. "$(dirname "$0")/lib.sh" || exit 99
#	. "$(dirname "$0")/pg.sh" || exit 99
#	pd_pg_require; pd_pg_start
# pd_pg_start runs Debian's PostgreSQL 15 (initdb, then postgres in the background through
# pd_bg, so lib.sh's EXIT trap stops it by PID) in a directory under the test's temp tree,
# as PD_DAEMON_USER (never root: postgres refuses root), listening on 127.0.0.1 on a port
# from pd_free_port and on a unix socket in that directory. It sets
#	PD_PG_URI   postgresql://postdesk@127.0.0.1:PORT/postdesk   (libpq connection URI)
#	PD_PG_DIR   the data directory
# and waits until the server answers. Trust authentication on loopback only: the server is
# the test's own and lives as long as the test. fsync stays on: the durability figures of
# issue 16 are measured on it.
# shellcheck shell=bash disable=SC2034

PD_PG_BIN=${PD_PG_BIN:-/usr/lib/postgresql/15/bin}

# Skip (exit 77) unless PostgreSQL 15's server programs, psql and setpriv are here.
pd_pg_require() {
	local cmd
	for cmd in "$PD_PG_BIN/initdb" "$PD_PG_BIN/postgres" "$PD_PG_BIN/pg_isready" psql setpriv; do
		command -v "$cmd" >/dev/null 2>&1 || {
			pd_log "SKIP: '$cmd' not found (apt-get install postgresql-15 postgresql-client-15)"
			exit 77
		}
	done
}

# The prefix that runs a command as PD_DAEMON_USER when we are root: setpriv execs the
# command, so the PID pd_bg records is the server's own.
pd__pg_as_user() {
	PD_PG_AS=()
	if [ "$(id -u)" = 0 ]; then
		PD_PG_AS=(setpriv --reuid="$PD_DAEMON_USER" --regid="$(id -g "$PD_DAEMON_USER")"
			--clear-groups --reset-env --)
	fi
}

# psql on the test's database, quiet, stopping at the first error: pd_pg_sql SQL...
pd_pg_sql() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$PD_PG_URI" "$@"
}

pd__pg_ready() { "$PD_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PD_PG_PORT" -U postdesk -d postgres; }

# Start the server (NAME defaults to pg, for pd_stop) and create the database postdesk.
pd_pg_start() {
	local name=${1:-pg}
	pd__root
	PD_PG_DIR=$(pd_tmpdir)/pgdata
	mkdir -p "$PD_PG_DIR" && chown "$PD_DAEMON_USER" "$PD_PG_DIR" && chmod 0700 "$PD_PG_DIR" ||
		pd_fail "cannot make $PD_PG_DIR for $PD_DAEMON_USER"
	pd__pg_as_user
	"${PD_PG_AS[@]}" "$PD_PG_BIN/initdb" -D "$PD_PG_DIR" -U postdesk -A trust -E UTF8 --locale=C.UTF-8 \
		--no-instructions >"$PD_ROOT/.state/$name-initdb.log" 2>&1 ||
		pd_fail "initdb failed: $(tail -5 "$PD_ROOT/.state/$name-initdb.log")"
	PD_PG_PORT=$(pd_free_port)
	pd_bg "$name" "${PD_PG_AS[@]}" "$PD_PG_BIN/postgres" -D "$PD_PG_DIR" -p "$PD_PG_PORT" \
		-k "$PD_PG_DIR" -c listen_addresses=127.0.0.1 -c max_connections="${PD_PG_MAX_CONNECTIONS:-50}" \
		-c shared_buffers=32MB -c synchronous_commit=on
	pd_wait_until 30 pd__pg_ready || pd_fail "PostgreSQL did not start: $(tail -5 "$PD_ROOT/.state/$name.log")"
	PD_PG_URI="postgresql://postdesk@127.0.0.1:$PD_PG_PORT/postdesk"
	psql -X -q -d "postgresql://postdesk@127.0.0.1:$PD_PG_PORT/postgres" \
		-c 'CREATE DATABASE postdesk' || pd_fail "cannot create the database postdesk"
	export PD_PG_URI
	pd_log "PostgreSQL on $PD_PG_URI (data $PD_PG_DIR)"
}

pd__pg_gone() { ! pd_bg_pid "$1" >/dev/null; }

# Stop the server started as NAME (default pg) by its PID: SIGINT, PostgreSQL's fast
# shutdown (a smart one, SIGTERM, would wait for the daemons' connections to end).
pd_pg_stop() {
	local name=${1:-pg} pid
	pid=$(pd_bg_pid "$name") || return 0
	kill -INT "$pid" 2>/dev/null
	pd_wait_until 10 pd__pg_gone "$name"
	pd_stop "$name"
}
