#!/bin/bash
# Issue 17: the Debian package. Builds it from a copy of the tree (dpkg-buildpackage -us -uc
# -b), lints it (lintian: no errors), installs it, checks what postinst made (the postdesk
# user, the state directory, nothing started), verifies the installed units
# (systemd-analyze verify), then wires a sandboxed Postfix to the INSTALLED programs
# (/usr/sbin/postdesk-lmtpd, /usr/bin/postdesk, the templates under /usr/share/postdesk)
# and sends a mail through: a ticket and its acknowledgement. The package is purged at the
# end, so the rest of the suite uses the build tree.
# Needs root, dpkg-buildpackage, dh, lintian, postfix, swaks, sqlite3; skips (77) without,
# and when a postdesk package is already installed (never replaced by a test).
[ -z "$BASH_VERSION" ] && exec /bin/bash "$0" "$@"
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh" || exit 99

pd_require dpkg-buildpackage dh lintian dpkg postfix postconf postqueue swaks sqlite3
if dpkg-query -W -f '${Status}' postdesk 2>/dev/null | grep -q installed; then
	echo "a postdesk package is installed on this machine: not replaced by a test (skip)"
	exit 77
fi
# The package is built from the sources, not from this build tree: the sanitizer run of the
# suite (contrib/test.sh) would only build and test the same package again.
if grep -q '^SAN_CFLAGS = -fsanitize' "$PD_BUILDDIR/Makefile" 2>/dev/null; then
	echo "a sanitizer build tree: the package is tested by the plain suite (skip)"
	exit 77
fi
# the installed programs find their own templates
unset POSTDESK_TEMPLATES

T=$(pd_tmpdir)
INSTALLED=
purge() {
	[ -n "$INSTALLED" ] || return 0
	INSTALLED=
	dpkg --purge postdesk postdesk-doc >"$T/purge.log" 2>&1 ||
		{ cat "$T/purge.log" >&2; return 1; }
}
trap 'pd_stop lmtpd; purge; pd__cleanup' EXIT

# 1. Build from a clean copy: the tracked files (or the tree without build directories).
mkdir -p "$T/pkg/src"
if git -C "$PD_SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$PD_SRCDIR" ls-files -z | (cd "$PD_SRCDIR" && tar --null -T - -cf -) |
		tar -C "$T/pkg/src" -xf -
else
	tar -C "$PD_SRCDIR" --exclude='./build*' --exclude=./autom4te.cache -cf - . |
		tar -C "$T/pkg/src" -xf -
fi
# noopt: -O0 builds in a third of the time; the suite tests the optimised build
(cd "$T/pkg/src" && DEB_BUILD_OPTIONS="nocheck noopt parallel=2" \
	dpkg-buildpackage -us -uc -b >"$T/build.log" 2>&1) ||
	pd_fail "dpkg-buildpackage failed: $(tail -30 "$T/build.log")"
DEB=$(ls "$T"/pkg/postdesk_*_*.deb) && DOC=$(ls "$T"/pkg/postdesk-doc_*_all.deb) ||
	pd_fail "no .debs: $(ls "$T/pkg")"

# 2. lintian: no errors (warnings are listed with reasons in doc/decisions.md).
lintian --tag-display-limit 0 "$DEB" "$DOC" >"$T/lintian.log" 2>&1
grep '^E: ' "$T/lintian.log" && pd_fail "lintian errors: $(grep '^E: ' "$T/lintian.log")"
pd_log "lintian: $(grep -c '^W: ' "$T/lintian.log") warnings, no errors"

# 3. Install; what postinst makes; nothing started until configured.
INSTALLED=1
dpkg -i "$DEB" "$DOC" >"$T/install.log" 2>&1 || pd_fail "dpkg -i: $(cat "$T/install.log")"
for f in /usr/sbin/postdesk-lmtpd /usr/sbin/postdesk-notifyd /usr/sbin/postdesk-milter \
	/usr/bin/postdesk /etc/postdesk/postdesk.conf.sample /usr/share/postdesk/templates/en/ack.txt \
	/usr/share/man/man5/postdesk.conf.5.gz /usr/share/man/man8/postdesk-lmtpd.8.gz \
	/usr/lib/sysusers.d/postdesk.conf /usr/lib/tmpfiles.d/postdesk.conf \
	/usr/share/doc/postdesk/configuration.md.gz; do
	[ -e "$f" ] || pd_fail "the package did not install $f"
done
[ -e /etc/postdesk/postdesk.conf ] && pd_fail "the package installed a live postdesk.conf"
[ "$(/usr/sbin/postdesk-lmtpd --version)" = "$("$PD_BUILDDIR/src/bin/postdesk-lmtpd" --version)" ] ||
	pd_fail "installed version: $(/usr/sbin/postdesk-lmtpd --version)"
getent passwd postdesk >/dev/null || pd_fail "postinst made no postdesk user"
[ "$(stat -c '%U %a' /var/lib/postdesk)" = "postdesk 750" ] ||
	pd_fail "/var/lib/postdesk: $(stat -c '%U %a' /var/lib/postdesk)"
for d in lmtpd notifyd milter; do
	pidof "/usr/sbin/postdesk-$d" >/dev/null && pd_fail "installing started postdesk-$d"
	grep -q '^ConditionPathExists=/etc/postdesk/postdesk.conf$' \
		"/lib/systemd/system/postdesk-$d.service" || pd_fail "postdesk-$d.service starts unconfigured"
done
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify /lib/systemd/system/postdesk-*.service >"$T/verify.log" 2>&1 ||
		pd_fail "systemd-analyze verify: $(cat "$T/verify.log")"
fi

# 4. A sandboxed Postfix delivers to the installed postdesk-lmtpd, as user postdesk.
DOMAIN=pkg.test
CONF=$T/postdesk.conf
cat >"$CONF" <<CONF
[postdesk]
domain = $DOMAIN
database = $(pd_db "$T/db/postdesk.db")
key_file = $T/db/postdesk.key
user = postdesk
lmtp_listen = unix:$T/lmtp.sock
relay = 127.0.0.1:9
[queue support]
address = support@$DOMAIN
CONF
/usr/bin/postdesk -c "$CONF" init >/dev/null || pd_fail "installed postdesk init failed"
/usr/bin/postdesk -c "$CONF" check >"$T/check.log" 2>&1 || pd_fail "postdesk check: $(cat "$T/check.log")"
pd_bg lmtpd /usr/sbin/postdesk-lmtpd -c "$CONF" -f
pd_wait_socket "$T/lmtp.sock" 10 lmtpd
pd_postfix_start "$T/postfix" auto "$DOMAIN" "unix:$T/lmtp.sock"
pd_swaks --to "support@$DOMAIN" --from ann@shop.example --header "Subject: from the package" ||
	pd_fail "swaks: $(pd_swaks_log)"
pd_postfix_wait_empty "$T/postfix" 30
PD_DAEMON_USER=postdesk
stored() { [ "$(pd_sql "$T/db/postdesk.db" "SELECT count(*) FROM tickets WHERE subject = 'from the package'")" = 1 ]; }
pd_wait_until 10 stored || pd_fail "no ticket from the installed package"
# notifyd's pass composes the acknowledgement lmtpd left (the installed templates)
/usr/bin/postdesk -c "$CONF" tick --no-send >/dev/null || pd_fail "installed postdesk tick --no-send"
[ "$(pd_sql "$T/db/postdesk.db" "SELECT count(*) FROM outbox WHERE rcpts LIKE '%ann@shop.example%'")" -ge 1 ] ||
	pd_fail "no acknowledgement queued (installed templates?)"
grep -q 'info: delivered queue_id=[0-9A-Za-z]* queue=support ticket=1 verdict=ok' \
	"$PD_ROOT/.state/lmtpd.log" || pd_fail "no delivery log line: $(cat "$PD_ROOT/.state/lmtpd.log")"
pd_stop lmtpd

# 5. Purge: the programs go, the suite goes on with the build tree.
purge || pd_fail "dpkg --purge failed"
[ -e /usr/sbin/postdesk-lmtpd ] && pd_fail "purge left /usr/sbin/postdesk-lmtpd"
exit 0
