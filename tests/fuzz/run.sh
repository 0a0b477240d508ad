#!/bin/sh
# Run every libFuzzer harness: the CI fuzz step bounds each by a number of executions
# (no clock in the default suite: the same work on a fast or a slow machine, about 10-15
# seconds each here), and the longer runs recorded in doc/fuzzing.md by seconds.
# Builds with clang in its own directory.
#   usage: tests/fuzz/run.sh [SECONDS-PER-HARNESS|- [BUILD-DIR]]   (default -: the counts
#   below; build/fuzz)
# Seeds come from tests/fuzz/seeds.sh; new interesting inputs stay in BUILD-DIR/corpus.
# A crash leaves BUILD-DIR/artifacts/<harness>/crash-* and fails the run: copy the input
# to tests/data/fuzz-regressions/<harness>/ with the fix, and make check replays it.
# Exit 77 (skip) without clang. Summary lines: "fuzz <harness>: <execs> execs, ok|FAILED".
set -u
secs=${1:--}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${2:-$top/build/fuzz}
command -v clang >/dev/null 2>&1 || { echo "run.sh: SKIP: no clang"; exit 77; }
mkdir -p "$dir" && cd "$dir" || exit 1
if [ ! -f Makefile ]; then
	"$top/configure" -q CC=clang --enable-fuzzing --enable-werror || exit 1
fi
harnesses="parse quote lmtp token template authres"
# Executions per harness in the CI step: what each reaches in 10-15 s on the 2-core machine
# (a parse is a whole MIME message; a token check is a few hashes).
runs_of() {
	case $1 in
	parse) echo 6000 ;; quote) echo 12000 ;; lmtp) echo 150000 ;;
	token) echo 2000000 ;; template) echo 15000 ;; authres) echo 300000 ;;
	esac
}
targets=
for h in $harnesses; do targets="$targets tests/fuzz/fuzz_$h"; done
# shellcheck disable=SC2086
make -j"$(nproc 2>/dev/null || echo 2)" $targets >make-fuzz.log 2>&1 || {
	tail -30 make-fuzz.log
	exit 1
}
rm -rf seeds && sh "$top/tests/fuzz/seeds.sh" seeds >/dev/null || exit 1
POSTDESK_TEMPLATES=$top/templates/en
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export POSTDESK_TEMPLATES ASAN_OPTIONS UBSAN_OPTIONS
status=0
for h in $harnesses; do
	mkdir -p "corpus/$h" "artifacts/$h"
	if [ "$secs" = - ]; then bound="-runs=$(runs_of "$h")"; else bound="-max_total_time=$secs"; fi
	./tests/fuzz/fuzz_$h "$bound" -timeout=10 -rss_limit_mb=2048 \
		-max_len=262144 -print_final_stats=1 -artifact_prefix="artifacts/$h/" \
		"corpus/$h" "seeds/$h" >"fuzz-$h.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "fuzz-$h.log")
	if [ $rc = 0 ]; then
		echo "fuzz $h: ${execs:-?} execs, ok"
	else
		echo "fuzz $h: ${execs:-?} execs, FAILED (status $rc; see $dir/fuzz-$h.log, artifacts/$h)"
		tail -40 "fuzz-$h.log"
		status=1
	fi
done
exit $status
