#!/bin/bash
# Every file of the mail corpus (tests/data/corpus: real messages from GMime, MimeKit,
# talon, email_reply_parser, SpamAssassin and CPython test data) is delivered through
# `postdesk deliver`. Each must be stored (exit 0) or refused with a stated reason
# (exit 65/67 and a 5xx line); a crash, a tempfail or a silent refusal fails the test.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
set -u
SRC=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${top_builddir:-$SRC}/src/bin
CORPUS=${PD_CORPUS:-$SRC/tests/data/corpus}
POSTDESK_TEMPLATES=${POSTDESK_TEMPLATES:-$SRC/templates/en}
export POSTDESK_TEMPLATES
# lib.sh for pd_db and pd_sql (the desk may be PostgreSQL's: PD_TEST_PG_URI); its EXIT trap
# removes the temp tree and drops the database. Needs neither root nor Postfix.
. "$SRC/tests/e2e/lib.sh" || exit 99
T=$(mktemp -d "$PD_ROOT/corpus.XXXXXX")
cat >"$T/pd.conf" <<CONF
[postdesk]
database = $(pd_db "$T/pd.db")
key_file = $T/pd.key
domain = support.test
[queue support]
address = support@support.test
CONF
"$B/postdesk" -c "$T/pd.conf" init >/dev/null || { echo "init failed"; exit 1; }

stored=0 refused=0 bad=0 n=0 dups=0
declare -A reasons=()
while IFS= read -r -d '' f; do
	n=$((n + 1))
	out=$("$B/postdesk" -c "$T/pd.conf" deliver -r support@support.test -f corpus@example.org <"$f" 2>&1)
	rc=$?
	case $rc in
	0)
		stored=$((stored + 1))
		# What identifies the message for duplicate detection: its Message-ID, or for a
		# message without one, its bytes (the made-up id is their SHA-256).
		key=$(grep -i -m1 '^message-id:' "$f" | tr -d '\r' | sed 's/^[^:]*: *//')
		[ -n "$key" ] || key=sha:$(sha256sum <"$f" | cut -d' ' -f1)
		case $out in
		*"already stored"*)
			dups=$((dups + 1))
			grep -qxF -- "$key" "$T/keys" 2>/dev/null ||
				{ echo "FAIL: $f: a duplicate of nothing stored before ($key)"; bad=$((bad + 1)); }
			;;
		esac
		echo "$key" >>"$T/keys"
		;;
	65 | 67)
		reason=$(echo "$out" | sed -n 's/^[^:]*: \(5[0-9][0-9] [0-9.]* .*\)$/\1/p' | head -1)
		if [ -z "$reason" ]; then
			echo "FAIL: $f refused without a reason: $out"
			bad=$((bad + 1))
		else
			refused=$((refused + 1))
			reasons[${reason%%:*}]=$((${reasons[${reason%%:*}]:-0} + 1))
		fi
		;;
	*)
		echo "FAIL: $f: exit $rc: $out"
		bad=$((bad + 1))
		;;
	esac
done < <(find "$CORPUS" -type f ! -name 'LICENSE*' ! -name '*.md' ! -name 'README*' -print0 | sort -z)

# (as this script's own user: the database is its, no daemon runs here)
db_count=$(PD_DAEMON_USER=$(id -un) pd_sql "$T/pd.db" "SELECT count(*) FROM messages WHERE direction = 'in'" 2>/dev/null || echo "?")
echo "corpus: $n files: $stored stored ($dups of them redeliveries of an earlier file), $refused refused, $bad failed ($db_count inbound rows in the database)"
for r in "${!reasons[@]}"; do echo "  refused ${reasons[$r]}x: $r"; done
[ "$n" -gt 0 ] || { echo "FAIL: no corpus files under $CORPUS"; exit 1; }
[ "$bad" = 0 ] || exit 1
# One row per stored file, except the ones postdesk recognised as a redelivery of an earlier
# one (the same message, trace fields aside; each checked above to share its Message-ID):
# a different message reusing a Message-ID is stored too, under an id derived from it.
[ "$db_count" = $((stored - dups)) ] ||
	{ echo "FAIL: $db_count rows for $stored stored files with $dups redeliveries"; exit 1; }
exit 0
