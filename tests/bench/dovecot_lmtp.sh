# Sourced by the benchmarks (run.sh, pg_bench.sh): the Dovecot LMTP they compare with, one
# sandboxed instance with its own config, base_dir and unix listener; Maildir with fsync.
# dovecot_lmtp_conf DIR USER INSTANCE: writes DIR/users and DIR/dovecot.conf (listener
# DIR/lmtp.sock, one user "bench" delivering as USER); the caller starts and stops it.
dovecot_lmtp_conf() {
	local d=$1 user=$2 instance=$3
	mkdir -p "$d/run" "$d/mail"
	chown "$user" "$d/mail"
	echo "bench:{PLAIN}x:$(id -u "$user"):$(id -g "$user")::$d/mail/bench::" >"$d/users"
	cat >"$d/dovecot.conf" <<CONF
base_dir = $d/run
state_dir = $d/run
instance_name = $instance
protocols = lmtp
ssl = no
log_path = $d/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_fsync = always
auth_username_format = %n
passdb {
  driver = passwd-file
  args = $d/users
}
userdb {
  driver = passwd-file
  args = $d/users
}
service lmtp {
  unix_listener $d/lmtp.sock {
    mode = 0666
  }
}
CONF
}
