#!/bin/sh
# unsubscribe.cgi: the https end of RFC 8058 one-click unsubscribe for postdesk's survey
# mail. With `unsubscribe_url = https://HOST/PATH/unsubscribe.cgi?t={token}` in
# postdesk.conf, every survey carries
#	List-Unsubscribe: <https://HOST/PATH/unsubscribe.cgi?t=ADDRESS>, <mailto:ADDRESS?...>
#	List-Unsubscribe-Post: List-Unsubscribe=One-Click
# and a mailbox provider's "unsubscribe" button POSTs to that URL. This script, run by any
# web server that speaks CGI, turns the POST into `postdesk optout ADDRESS` (the token's MAC
# is checked there). A GET never unsubscribes (RFC 8058 section 3.2: link scanners fetch
# URLs); it shows a page with a button that POSTs.
#
# The web server must run it as the user that owns the postdesk database (the daemons'
# `user`), e.g. fcgiwrap started as that user, or Apache with suexec. Environment:
#	POSTDESK       the postdesk program (default: postdesk on PATH)
#	POSTDESK_CONF  the configuration file (default: postdesk's own default)
# See doc/surveys.md.
set -u
POSTDESK=${POSTDESK:-postdesk}

respond() { # STATUS TYPE BODY
	printf 'Status: %s\r\nContent-Type: %s; charset=utf-8\r\nCache-Control: no-store\r\n\r\n%s\n' \
		"$1" "$2" "$3"
	exit 0
}

# The t= parameter: the opt-out address as postdesk percent-encoded it. Only URL-safe
# characters pass (letters, digits, . _ ~ - and %XX escapes), so nothing else reaches the
# command line or the page; `postdesk optout` decodes it and checks its MAC.
t=$(printf '%s' "${QUERY_STRING:-}" | tr '&' '\n' | sed -n 's/^t=//p' | head -n 1)
case $t in
'' | [!A-Za-z0-9]* | *[!A-Za-z0-9._~%-]*) respond "400 Bad Request" text/plain "No valid unsubscribe link." ;;
esac
# An opt-out address is at most 64 + 1 + 255 octets, three times that percent-encoded.
[ "${#t}" -le 1000 ] || respond "400 Bad Request" text/plain "No valid unsubscribe link."

case ${REQUEST_METHOD:-GET} in
POST)
	# The body (List-Unsubscribe=One-Click) carries nothing more we need: read it away.
	len=${CONTENT_LENGTH:-0}
	case $len in '' | *[!0-9]*) len=0 ;; esac
	[ "$len" -gt 0 ] && dd bs=1 count="$len" of=/dev/null 2>/dev/null
	if [ -n "${POSTDESK_CONF:-}" ]; then
		out=$("$POSTDESK" -c "$POSTDESK_CONF" optout "$t" 2>&1)
	else
		out=$("$POSTDESK" optout "$t" 2>&1)
	fi
	rc=$?
	case $rc in
	0) respond "200 OK" text/plain "You will receive no more satisfaction surveys from us." ;;
	65) respond "400 Bad Request" text/plain "This unsubscribe link is not valid." ;;
	*)
		echo "unsubscribe.cgi: postdesk optout exited $rc: $out" >&2
		respond "503 Service Unavailable" text/plain "Please try again later."
		;;
	esac
	;;
GET | HEAD)
	respond "200 OK" text/html "<!doctype html>
<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unsubscribe</title></head>
<body><form method=\"post\" action=\"?t=$t\">
<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">
<p>Stop satisfaction surveys to your address?</p>
<button type=\"submit\">Unsubscribe</button>
</form></body></html>"
	;;
*) respond "405 Method Not Allowed" text/plain "Use POST to unsubscribe." ;;
esac
