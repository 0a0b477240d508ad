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
# The report's migration (14) and the later one it is followed by (15: effort and
# retention, which the history's tickets and surveys must be filled by as well).
before=13
sqlite3 "$DB" "DROP TABLE reply_waits;
$(for c in answers cust_after wait_start resolved_at first_reopen last_reopen fcr report_at \
	prev_created prev_resolved; do
	echo "ALTER TABLE tickets DROP COLUMN $c;"
done)
ALTER TABLE customers DROP COLUMN last_created;
ALTER TABLE customers DROP COLUMN last_resolved;
ALTER TABLE surveys DROP COLUMN ces;
PRAGMA user_version = $before;"
{
	echo "CREATE TEMP TABLE gen(n, raw); INSERT INTO gen VALUES($N, $RAW);"
	cat "$SRC/tests/bench/report_gen.sql"
} | sqlite3 -bail "$DB"
echo $before
