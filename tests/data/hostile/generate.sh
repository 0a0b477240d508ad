#!/bin/sh
# Write the large hostile messages into DIR (made if missing): they are generated at test
# time so that no multi-megabyte file sits in the repository. Deterministic output (no
# randomness, no clock). The expected outcome of each is in EXPECTED beside this script.
#   usage: generate.sh DIR
set -eu
dir=${1:?usage: generate.sh DIR}
mkdir -p "$dir"
cd "$dir"

# hdr N SUBJECT: the common header block (a distinct sender per case, so that every stored
# case gets its own acknowledgement despite the auto-reply rate limit).
hdr() {
	printf 'From: Gen %s <gen%s@shop.example>\nTo: support@support.test\n' "$1" "$1"
	printf 'Date: Mon, 02 Mar 2026 10:00:00 +0000\nMessage-ID: <gen-%s@shop.example>\n' "$1"
	printf 'Subject: %s\nMIME-Version: 1.0\n' "$2"
}

# n copies of string s, no separator
rep() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }

# A 1 MB header line: the Subject alone (unfolded).
{
	hdr 1 "long $(rep 65536 'abcdefghijklmnop')"
	printf '\nbody after a 1 MB subject\n'
} >huge-header-line.eml

# 1 MB of one X- header with no spaces at all (nothing to fold at), then 20,000 short
# headers.
{
	hdr 2 "many headers"
	printf 'X-Long: %s\n' "$(rep 1048576 x)"
	awk 'BEGIN { for (i = 0; i < 20000; i++) printf "X-H%d: v\n", i }'
	printf '\nbody\n'
} >many-headers.eml

# 10,000 MIME parts, half of them attachments.
{
	hdr 3 "10000 parts"
	printf 'Content-Type: multipart/mixed; boundary="p"\n\n'
	awk 'BEGIN {
		for (i = 0; i < 10000; i++) {
			if (i % 2)
				printf "--p\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"f%d.bin\"\n\nAAAA\n", i
			else
				printf "--p\nContent-Type: text/plain\n\npart %d\n", i
		}
		printf "--p--\n"
	}'
} >ten-thousand-parts.eml

# Nesting depth 100 (multipart inside multipart), the text at the bottom.
{
	hdr 4 "nesting depth 100"
	awk 'BEGIN {
		for (i = 0; i < 100; i++)
			printf "Content-Type: multipart/mixed; boundary=\"n%d\"\n\n--n%d\n", i, i
		printf "Content-Type: text/plain\n\nthe bottom\n"
		for (i = 99; i >= 0; i--)
			printf "--n%d--\n", i
	}'
} >nesting-100.eml

# Nesting depth 100 of message/rfc822 (each level a whole message).
{
	hdr 5 "rfc822 nesting depth 100"
	awk 'BEGIN {
		for (i = 0; i < 100; i++)
			printf "Content-Type: message/rfc822\n\nFrom: level%d@evil.example\nSubject: level %d\n", i, i
		printf "Content-Type: text/plain\n\nthe bottom\n"
	}'
} >rfc822-nesting-100.eml

# Zip-bomb-like: a gzip attachment that inflates to 64 MB (we never inflate it), and a text
# part whose base64 is mostly whitespace and junk between the real characters.
{
	hdr 6 "zip bomb"
	printf 'Content-Type: multipart/mixed; boundary="z"\n\n--z\nContent-Type: text/plain\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	awk 'BEGIN { for (i = 0; i < 20000; i++) printf "QUFB%s\n", sprintf("%60s", "") }'
	printf -- '--z\nContent-Type: application/gzip\nContent-Disposition: attachment; filename="bomb.gz"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	head -c 67108864 /dev/zero | gzip -9 -n | base64
	printf -- '--z--\n'
} >zip-bomb.eml

# A 2,000-link HTML body (no text part).
{
	hdr 7 "2000 links"
	printf 'Content-Type: text/html; charset=utf-8\n\n<html><body>\n'
	awk 'BEGIN { for (i = 0; i < 2000; i++) printf "<a href=\"http://evil.example/%d?x=%%0D%%0ABcc:\">link %d</a><br>\n", i, i }'
	printf '</body></html>\n'
} >html-2000-links.eml

# 10,000 References (threading input) and a long In-Reply-To.
{
	hdr 8 "10000 references"
	printf 'In-Reply-To: <%s@shop.example>\nReferences:' "$(rep 2000 r)"
	awk 'BEGIN { for (i = 0; i < 10000; i++) printf " <ref%d@shop.example>\n", i }'
	printf '\nbody\n'
} >many-references.eml

# 5,000 encoded words in one Subject, each decoding to a CR LF pair.
{
	hdr 9 "$(rep 5000 '=?utf-8?Q?a=0D=0Ab?= ')"
	printf '\nbody\n'
} >many-encoded-words.eml

# A 2 MB body line without any line break.
{
	hdr 10 "one long body line"
	printf 'Content-Type: text/plain\n\n'
	rep 2097152 y
} >long-body-line.eml

# Over the size limit the test configures (max_message_size = 8M).
{
	hdr 11 "too big"
	printf 'Content-Type: text/plain\n\n'
	awk 'BEGIN { for (i = 0; i < 120000; i++) printf "%075d\n", i }'
} >oversized.eml
