# tests/e2e/fetch_lib.sh: a real Dovecot (IMAP and POP3) for the fetch tests (issue 15),
# sourced after lib.sh. pd_dovecot_start DIR starts one on loopback, on free ports, with its
# own config under DIR, a self-signed certificate made by openssl (DIR/cert.pem, for
# 127.0.0.1 and localhost), passwd-file users (pd_dovecot_user) and maildirs under DIR; it
# runs as root in the foreground (-F) under pd_bg, so it is stopped by PID like every
# daemon of a test. Mail goes in through Dovecot's own `doveadm save`, never by writing
# maildir files. PD_DOVECOT_EXTRA: more lines for dovecot.conf (an oauth2 passdb). Sets PD_IMAP_PORT, PD_IMAPS_PORT, PD_POP3_PORT, PD_POP3S_PORT, PD_DOVECOT.
# shellcheck shell=bash disable=SC2034

pd_dovecot_require() {
	local f
	for f in /usr/sbin/dovecot /usr/bin/doveadm openssl; do
		command -v "$f" >/dev/null 2>&1 || {
			pd_log "SKIP: $f not found (apt-get install dovecot-imapd dovecot-pop3d openssl)"
			exit 77
		}
	done
	[ -e /usr/lib/dovecot/imap ] && [ -e /usr/lib/dovecot/pop3 ] || {
		pd_log "SKIP: dovecot-imapd or dovecot-pop3d not installed"
		exit 77
	}
	getent passwd dovenull >/dev/null && getent passwd dovecot >/dev/null || {
		pd_log "SKIP: no dovecot/dovenull users (is dovecot-core installed?)"
		exit 77
	}
}

# USER PASSWORD: a passwd-file user of the Dovecot in $PD_DOVECOT (before or after start).
pd_dovecot_user() {
	echo "$1:{PLAIN}$2" >>"$PD_DOVECOT/users"
}

pd_dovecot_start() {
	local d=$1 uid gid
	PD_DOVECOT=$d
	mkdir -p "$d/run" "$d/state" "$d/mail" && chmod 0755 "$d" "$d/run"
	pd_daemon_dir "$d/mail"
	uid=$(id -u "$PD_DAEMON_USER") gid=$(id -g "$PD_DAEMON_USER")
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/key.pem" -out "$d/cert.pem" \
		-days 2 -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		>/dev/null 2>&1 || pd_fail "openssl: cannot make a certificate"
	touch "$d/users"
	PD_IMAP_PORT=$(pd_free_port) PD_IMAPS_PORT=$(pd_free_port)
	PD_POP3_PORT=$(pd_free_port) PD_POP3S_PORT=$(pd_free_port)
	cat >"$d/dovecot.conf" <<CONF
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <$d/cert.pem
ssl_key = <$d/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$d/mail/%u
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/users
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$d/mail/%u
}
service imap-login {
  inet_listener imap {
    port = $PD_IMAP_PORT
  }
  inet_listener imaps {
    port = $PD_IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $PD_POP3_PORT
  }
  inet_listener pop3s {
    port = $PD_POP3S_PORT
    ssl = yes
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
pop3_uidl_format = %08Xu%08Xv
${PD_DOVECOT_EXTRA:-}
CONF
	pd_bg dovecot /usr/sbin/dovecot -F -c "$d/dovecot.conf"
	pd_wait_port "$PD_IMAPS_PORT" dovecot
	pd_wait_port "$PD_POP3S_PORT" dovecot
}

# USER FILE [FOLDER]: put the message FILE into USER's FOLDER (INBOX) with Dovecot's own tool.
pd_dovecot_save() {
	doveadm -c "$PD_DOVECOT/dovecot.conf" save -u "$1" -m "${3:-INBOX}" <"$2" ||
		pd_fail "doveadm save for $1 failed"
}

# USER QUERY...: the UIDs doveadm finds for QUERY in USER's INBOX, one per line.
pd_dovecot_search() {
	local u=$1
	shift
	doveadm -c "$PD_DOVECOT/dovecot.conf" search -u "$u" mailbox INBOX "$@" 2>/dev/null |
		awk '{print $2}'
}
