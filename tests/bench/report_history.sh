#!/bin/bash
# report_history.sh DB N [RAW]: write report_gen.sql's history of N tickets into DB (a
# database `postdesk init` made) as a build before migration 10 would have stored it: the
# report's kept figures (the reply_waits table, the tickets' columns) are removed and the
# schema version set below it; the next `postdesk init` migrates, filling them from the
# history, as an upgrade does. RAW: message size, see report_gen.sql (default 0). Prints
# the schema version the database goes back to. Used by report_bench.sh and
# tests/e2e/report_html.sh; needs sqlite3.
set -eu
DB=$1 N=$2 RAW=${3:-0}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
# Back to the version before the report's migration (14): its table and columns, and
# those of every later migration, are removed (a later one that is not in this build is
# skipped), so the next init runs them all again, filling them from the history.
before=13
drop_col() { # TABLE COLUMN...: those that exist
	local t=$1 c
	shift
	for c in "$@"; do
		[ "$(sqlite3 "$DB" "SELECT count(*) FROM pragma_table_info('$t') WHERE name = '$c'")" = 1 ] &&
			echo "ALTER TABLE $t DROP COLUMN $c;"
	done
	return 0
}
sqlite3 "$DB" "DROP TABLE reply_waits;
$(drop_col tickets answers cust_after wait_start resolved_at first_reopen last_reopen fcr \
	report_at prev_created prev_resolved)
DROP TABLE IF EXISTS agent_digests;
DROP TABLE IF EXISTS order_refs;
DROP TABLE IF EXISTS order_notices;
DROP TABLE IF EXISTS fetched;
DROP TABLE IF EXISTS mailbox_state;
DROP TABLE IF EXISTS flood_counters;
DROP TABLE IF EXISTS held_acks;
$(drop_col agents digest)
$(drop_col customers csat_sum csat_count csat_last last_created last_resolved)
$(drop_col surveys ces)
$(drop_col tickets self_served)
$([ "$(sqlite3 "$DB" "SELECT count(*) FROM pragma_table_info('search_state') WHERE name = 'tickets_to'")" = 1 ] &&
	echo "DROP TRIGGER search_ticket_subject; DROP TRIGGER search_participant_in;
	      DROP TRIGGER search_tag_in;")
$(drop_col search_state tickets_to)
PRAGMA user_version = $before;"
# The knowledge base's (migration 18): its FTS5 table uses postdesk's own tokenizer, which
# the sqlite3 shell has not, so it cannot DROP it; its schema row goes (the documented
# writable_schema repair), then its shadow tables and articles are ordinary tables.
if [ "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_schema WHERE name = 'kb_fts'")" = 1 ]; then
	sqlite3 "$DB" "PRAGMA writable_schema = ON;
DELETE FROM sqlite_schema WHERE name = 'kb_fts';
PRAGMA writable_schema = OFF;"
	sqlite3 "$DB" "DROP TABLE kb_fts_data; DROP TABLE kb_fts_idx; DROP TABLE kb_fts_config;
DROP TABLE kb_fts_docsize; DROP TABLE kb_articles;"
fi
{
	echo "CREATE TEMP TABLE gen(n, raw); INSERT INTO gen VALUES($N, $RAW);"
	cat "$SRC/tests/bench/report_gen.sql"
} | sqlite3 -bail "$DB"
echo $before
