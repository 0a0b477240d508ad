#!/bin/bash
# The daemons' end-to-end tests (foundation.sh, conversation.sh) again with every postdesk
# program that lib.sh's pd_bg starts running under valgrind (PD_VALGRIND=1): the test must
# pass, and no valgrind log may report an error or a definitely lost block ("still
# reachable" memory, such as GLib's type system, is fine). Skips (77) without valgrind.
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh" || exit 99

pd_require valgrind
# valgrind cannot run programs built with AddressSanitizer (the sanitizer pass of CI).
if grep -q -a __asan_init "$PD_BUILDDIR/src/bin/postdesk-lmtpd" 2>/dev/null; then
	pd_log "SKIP: the programs are built with AddressSanitizer, which valgrind cannot run"
	exit 77
fi
T=$(pd_tmpdir)
status=0
for t in foundation conversation; do
	mkdir -p "$T/$t"
	pd_log "running $t.sh under valgrind"
	PD_VALGRIND=1 PD_LOGDIR=$T/$t bash "$PD_LIBDIR/$t.sh" >"$T/$t.out" 2>&1
	rc=$?
	if [ $rc != 0 ]; then
		tail -30 "$T/$t.out" >&2
		pd_log "FAIL: $t.sh under valgrind exited $rc"
		status=1
	fi
	logs=$(ls "$T/$t"/*.valgrind.* 2>/dev/null | wc -l)
	[ "$logs" -gt 0 ] || { pd_log "FAIL: $t.sh: no valgrind logs"; status=1; }
	for f in "$T/$t"/*.valgrind.*; do
		[ -f "$f" ] || continue
		if ! grep -q 'ERROR SUMMARY: 0 errors' "$f" || grep -q 'definitely lost: [1-9]' "$f"; then
			pd_log "FAIL: valgrind reports in $f:"
			sed -n '/Invalid\|uninitialised\|definitely lost in\|ERROR SUMMARY/,+12p' "$f" | head -60 >&2
			status=1
		fi
	done
	pd_log "$t.sh: $logs valgrind log(s) checked"
done
[ $status = 0 ] || pd_fail "valgrind found problems"
pd_log "PASS (${SECONDS}s)"
