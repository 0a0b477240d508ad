#!/bin/bash
# search_bench.sh: full-text search at scale (issue 13, doc/benchmarks.md "Search").
# Generates N messages (default 1,000,000; 10 per ticket, ~40 words of a 20,000-word
# vocabulary with a Zipf-like spread, subjects of 5 words, one ticket in 50 tagged) into a
# fresh database through the real schema (messages are indexed after delivery, as
# postdesk-notifyd's tick does). Then prints:
#   - the cost of indexing them: the first search's catch-up over all N (off the delivery
#     path: delivery writes no index row for a message);
#   - the index's size (dbstat: the search_* tables) against the whole database;
#   - `postdesk search` wall time (the whole process: start, open, query, print), p50 and
#     p90 over 15 runs of each query kind: a rare word, a common word, a prefix, a phrase,
#     two words, a word with --status.
# Usage: tests/bench/search_bench.sh [N]   (BUILDDIR=... if not run from the build tree)
# Needs python3 and sqlite3 (its dbstat table). Results go to doc/benchmarks.md by hand.
set -eu
N=${1:-1000000}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILDDIR:-${top_builddir:-$PWD}}
PD=$BUILD/src/bin/postdesk
[ -x "$PD" ] || { echo "search_bench: $PD not built (set BUILDDIR)" >&2; exit 77; }
for cmd in sqlite3 python3; do
	command -v $cmd >/dev/null || { echo "search_bench: SKIP: no $cmd" >&2; exit 77; }
done
T=$(mktemp -d /tmp/search-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat >"$T/postdesk.conf" <<CONF
[postdesk]
database = $T/postdesk.db
key_file = $T/postdesk.key
domain = support.test
template_dir = $SRC/templates/en
[queue support]
address = support@support.test
CONF
"$PD" -c "$T/postdesk.conf" init >/dev/null
python3 - "$T/postdesk.db" "$N" <<'PY'
import random, sqlite3, sys, time
db, n = sys.argv[1], int(sys.argv[2])
random.seed(13)
vocab = ["w%05d" % i for i in range(20000)]
weights = [1.0 / (i + 1) for i in range(len(vocab))]
cum = list(__import__("itertools").accumulate(weights))
pick = lambda k: random.choices(vocab, cum_weights=cum, k=k)
con = sqlite3.connect(db, isolation_level=None)
con.execute("PRAGMA synchronous = OFF")
con.execute("PRAGMA cache_size = -262144")
con.execute("BEGIN")
start = time.time()
tickets = max(n // 10, 1)
for t in range(1, tickets + 1):
    email = "customer%d@example.org" % t
    con.execute("INSERT INTO customers(id, email, name, created) VALUES(?, ?, ?, 0)",
                (t, email, "Customer %d %s" % (t, random.choice(vocab))))
    subject = " ".join(pick(5))
    con.execute("INSERT INTO tickets(id, queue, subject, requester_id, status, created, updated) "
                "VALUES(?, 'support', ?, ?, ?, ?, ?)",
                (t, subject, t, random.choice(["new", "open", "pending", "closed"]), t, t))
    con.execute("INSERT INTO participants(ticket_id, address, name, role) "
                "VALUES(?, ?, '', 'requester')", (t, email))
    if t % 50 == 0:
        con.execute("INSERT INTO tags(ticket_id, tag) VALUES(?, 'vip')", (t,))
    for m in range(10 if t <= n // 10 else n % 10):
        con.execute("INSERT INTO messages(ticket_id, direction, kind, message_id, rcpt, "
                    "from_addr, subject, created, body, raw) VALUES(?, 'in', 'customer', ?, "
                    "'support@support.test', ?, ?, ?, ?, x'00')",
                    (t, "m%d.%d@example.org" % (t, m), email, "Re: " + subject,
                     " ".join(pick(40)), t))
    if t % 10000 == 0:
        con.execute("COMMIT")
        con.execute("BEGIN")
con.execute("COMMIT")
print("generated %d tickets, %d messages in %.0f s" %
      (tickets, con.execute("SELECT count(*) FROM messages").fetchone()[0], time.time() - start))
PY
sqlite3 "$T/postdesk.db" "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;" >/dev/null
# Messages are indexed after delivery (notifyd's tick, or the first search): the first
# search indexes all N, which is the index's whole insert cost, off the delivery path.
s=$(date +%s%N)
"$PD" -c "$T/postdesk.conf" search w19000 >/dev/null
echo "indexing $N messages (the first search's catch-up): $((($(date +%s%N) - s) / 1000000)) ms," \
	"$(( ($(date +%s%N) - s) / N )) ns per message"
sqlite3 "$T/postdesk.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
sqlite3 "$T/postdesk.db" "SELECT printf('index: %.1f MB of %.1f MB (%.0f bytes per message)',
	sum(CASE WHEN name LIKE 'search%' THEN pgsize END) / 1e6, sum(pgsize) / 1e6,
	sum(CASE WHEN name LIKE 'search%' THEN pgsize END) * 1.0 / (SELECT count(*) FROM messages))
	FROM dbstat"
run() { # LABEL ARGS...
	local label=$1 times
	shift
	times=$(for i in $(seq 15); do
		s=$(date +%s%N)
		"$PD" -c "$T/postdesk.conf" search "$@" >/dev/null
		echo $((($(date +%s%N) - s) / 1000))
	done | sort -n)
	echo "$label: p50 $(echo "$times" | sed -n 8p | awk '{printf "%.1f", $1/1000}') ms," \
		"p90 $(echo "$times" | sed -n 14p | awk '{printf "%.1f", $1/1000}') ms"
}
run "rare word   (w19000)" w19000
run "common word (w00010)" w00010
run "prefix      (w1900*)" 'w1900*'
run "phrase      (\"w00001 w00002\")" '"w00001 w00002"'
run "two words   (w00100 w00200)" w00100 w00200
run "--status    (w00050 --status open)" w00050 --status open
