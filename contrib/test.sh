#!/bin/sh
# Build postdesk and run the whole test suite, as CI does:
#   1. a -Wall -Wextra -Werror build and `make check` (unit tests, end-to-end tests against a
#      sandboxed Postfix, the corpus run) with every desk in PostgreSQL 15 (issue 16: one
#      server started here, tests/e2e/pg_server.sh, as an unprivileged user on a free
#      loopback port, stopped by PID after the pass; PD_TEST_PG_URI, tests/e2e/lib.sh
#      pd_db); without PostgreSQL 15 this pass runs on SQLite and says so;
#   2. the whole suite again with every program built with AddressSanitizer + UBSan, on
#      SQLite: each backend gets the whole suite once;
#   3. the milter's tests again under ThreadSanitizer;
#   4. each libFuzzer harness for a bounded number of executions (tests/fuzz/run.sh).
# Ends with one line "N passed, N failed" summed from automake's test summaries and the
# fuzz step (one test per harness).
# Run as root (the Postfix sandbox starts a master process that drops to user postfix).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=$(nproc 2>/dev/null || echo 2)
status=0

step() { printf '\n==> %s\n' "$*"; }

step "autoreconf"
autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; exit 1; }

run_suite() { # DIR CONFIGURE-FLAGS MAKE-ARGS...
	dir=$1 flags=$2
	shift 2
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
	# shellcheck disable=SC2086
	"$top/configure" -q $flags || { cd "$top"; return 1; }
	make -j"$jobs" >make.out 2>&1 || { tail -50 make.out; cd "$top"; return 1; }
	make -j"$jobs" check "$@" || { status=1; show_failures; }
	cd "$top"
}

# The CI record keeps only what this script prints: for each failed test, its log's tail.
show_failures() {
	find . -name '*.trs' | while read -r trs; do
		grep -q '^:test-result: \(FAIL\|ERROR\|XPASS\)' "$trs" || continue
		log=${trs%.trs}.log
		printf '\n--- %s (last 80 lines)\n' "${log#./}"
		tail -n 80 "$log"
	done
}

step "PostgreSQL 15 for the first pass"
pg_dir=$(mktemp -d /tmp/postdesk-ci-pg.XXXXXX) && chmod 0755 "$pg_dir" || exit 1
pg_stop() { bash "$top/tests/e2e/pg_server.sh" stop "$pg_dir"; }
trap pg_stop EXIT # the server outlives nothing, an interrupted run included
trap 'exit 130' INT TERM
pg_uri=$(bash "$top/tests/e2e/pg_server.sh" start "$pg_dir")
case $? in
0) pg_uri=${pg_uri#PD_TEST_PG_URI=}; echo "PostgreSQL on $pg_uri" ;;
77) pg_uri=; echo "NOTE: PostgreSQL 15 is not installed (contrib/install-deps.sh):" \
	"the first pass runs on SQLite, so PostgreSQL is not tested" ;;
*) pg_uri=; status=1; echo "ERROR: PostgreSQL 15 did not start: the first pass runs on SQLite" ;;
esac

step "build with -Werror and run make check${pg_uri:+ (desks in PostgreSQL)}"
started=$(date +%s)
unset PD_TEST_PG_URI
if [ -n "$pg_uri" ]; then
	PD_TEST_PG_URI=$pg_uri
	export PD_TEST_PG_URI
fi
run_suite "$top/build/ci" "--enable-werror" || status=1
unset PD_TEST_PG_URI # the passes below run on SQLite
echo "(first pass: $(($(date +%s) - started)) s)"
pg_stop || status=1
trap - EXIT INT TERM

step "the whole suite under AddressSanitizer + UBSan"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}
# GLib's slice allocator hides frees from ASan (GLib < 2.76): plain malloc makes a use of
# a freed GPtrArray or GString an ASan error like any other.
G_SLICE=always-malloc G_DEBUG=gc-friendly
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS G_SLICE G_DEBUG
run_suite "$top/build/asan" "--enable-werror --enable-sanitizers" || status=1

step "ThreadSanitizer: the milter's miltertest scripts and 20 concurrent sessions"
# Only the milter: its per-connection state and its one shared table use pthread locks,
# which TSan sees. lmtpd's threads use GLib's futex-based GMutex/GCond, which TSan (with
# an uninstrumented GLib) cannot see, so it would report every handover as a race.
# GLib's slice allocator is switched off for the same reason; libmilter's own start and
# stop are suppressed (tests/milter/tsan.supp).
(
	G_SLICE=always-malloc
	TSAN_OPTIONS="suppressions=$top/tests/milter/tsan.supp halt_on_error=1"
	ASAN_OPTIONS= UBSAN_OPTIONS= LSAN_OPTIONS=
	export G_SLICE TSAN_OPTIONS
	rm -rf "$top/build/tsan" && mkdir -p "$top/build/tsan" && cd "$top/build/tsan" &&
		"$top/configure" -q --enable-werror CFLAGS="-g -O1 -fsanitize=thread" \
			LDFLAGS="-fsanitize=thread" &&
		make -j"$jobs" src/bin/postdesk src/bin/postdesk-milter tests/milter/mktoken \
			>make.out 2>&1 || { tail -30 make.out; exit 1; }
	# Some kernels randomize mappings more than this TSan runtime can handle (it dies at
	# start with "FATAL: ThreadSanitizer: unexpected memory mapping"): then skip, and say so.
	if ./src/bin/postdesk 2>&1 | grep -q "FATAL: ThreadSanitizer"; then
		echo "SKIP: ThreadSanitizer cannot run on this kernel ($(uname -r))"
		rm -f test-suite.log
		exit 0
	fi
	make check TESTS=tests/milter/run.sh check_PROGRAMS=tests/milter/mktoken
) || { status=1; (cd "$top/build/tsan" 2>/dev/null && show_failures); }

step "fuzzing: each libFuzzer harness for a bounded number of executions (clang)"
sh "$top/tests/fuzz/run.sh" "${PD_FUZZ_SECONDS:--}" "$top/build/fuzz" | tee "$top/build/fuzz.out"

pass=0 fail=0 skip=0
for log in "$top/build/ci/test-suite.log" "$top/build/asan/test-suite.log" \
	"$top/build/tsan/test-suite.log"; do
	case $log in # the TSan step may have been skipped (it said why)
	*/tsan/*) [ -f "$log" ] || { skip=$((skip + 1)); continue; } ;;
	esac
	[ -f "$log" ] || { fail=$((fail + 1)); continue; }
	p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
	f=$(sed -n 's/^# FAIL: *//p' "$log" | head -1)
	e=$(sed -n 's/^# ERROR: *//p' "$log" | head -1)
	x=$(sed -n 's/^# XPASS: *//p' "$log" | head -1)
	s=$(sed -n 's/^# SKIP: *//p' "$log" | head -1)
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0} + ${e:-0} + ${x:-0}))
	skip=$((skip + ${s:-0}))
done
# each fuzz harness counts as a test: a crash found in CI fails the line, not only the exit
fz_ok=$(grep -c '^fuzz .*, ok$' "$top/build/fuzz.out" 2>/dev/null)
fz_bad=$(grep -c '^fuzz .*FAILED' "$top/build/fuzz.out" 2>/dev/null)
pass=$((pass + ${fz_ok:-0}))
fail=$((fail + ${fz_bad:-0}))
grep -q '^run.sh: SKIP' "$top/build/fuzz.out" 2>/dev/null && skip=$((skip + 1))
[ "${fz_ok:-0}" = 0 ] && [ "${fz_bad:-0}" = 0 ] && ! grep -q '^run.sh: SKIP' "$top/build/fuzz.out" 2>/dev/null &&
	fail=$((fail + 1)) # the fuzz build itself failed
[ "$skip" -gt 0 ] && echo "($skip skipped: see the test logs for why)"
[ "$fail" -gt 0 ] && status=1
echo "$pass passed, $fail failed"
exit $status
