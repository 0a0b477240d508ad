#!/bin/sh
# Install everything postdesk needs to build, run and test on Debian 12 (as root).
# Postfix is preseeded to "No configuration" so no system MTA is configured or started:
# postdesk's scripts run their own sandboxed Postfix on loopback.
set -eu
if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: run as root (it calls apt-get)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "postfix postfix/mailname string postdesk.test" | debconf-set-selections
APT="apt-get -o DPkg::Lock::Timeout=300 -y -q"
$APT update
$APT install --no-install-recommends \
	build-essential autoconf automake libtool pkg-config make \
	libetpan-dev libgmime-3.0-dev libsqlite3-dev libsodium-dev libmilter-dev \
	libjson-glib-dev libxml2-dev check libexttextcat-dev libexttextcat-data libstemmer-dev \
	postfix swaks miltertest sqlite3 jq ca-certificates util-linux procps iproute2 \
	clang libclang-rt-14-dev valgrind python3 \
	chromium \
	debhelper dpkg-dev fakeroot lintian man-db libsystemd-dev systemd
# IMAP/POP3 intake (issue 15): TLS through GIO needs its backend; the e2e tests run a real
# Dovecot and the benchmark compares fetchmail.
$APT install --no-install-recommends glib-networking dovecot-imapd dovecot-pop3d fetchmail openssl
# PostgreSQL as the shared store (issue 16): libpq to build, a server the tests start
$APT install --no-install-recommends libpq-dev postgresql-15 postgresql-client-15
