/* daemon: the start-up every postdesk daemon shares (postdesk-lmtpd, -notifyd, -milter),
 * compiled into each of them. Errors are logged here, where they end the program. */
#ifndef POSTDESK_BIN_DAEMON_H
#define POSTDESK_BIN_DAEMON_H

#include <glib.h>
#include "postdesk/conf.h"
#include "postdesk/token.h"

/* --help (usage, to stdout) or --version ("NAME VERSION") anywhere before "--" in argv:
 * the exit code 0 after printing; -1 when neither is there. usage is the whole help text. */
int daemon_help_version(int argc, char **argv, const char *usage);
/* -c FILE, else $POSTDESK_CONF, else the installed default. */
const char *daemon_default_conf(void);
/* Log error (and free it); returns code, for `return daemon_fail(EX_..., error)`. */
int daemon_fail(int code, char *error);
/* Load the config, refuse root without `user` (while errors still reach a terminal), set
 * the log level, load the token keys. 0, or the sysexits code of a failure (logged). */
int daemon_setup(const char *conf_path, struct conf **conf_r, struct token_keys **keys_r);
/* Unless foreground: log to syslog as `name` and detach. 0, or EX_OSERR (logged). Threads
 * must start after this: they do not survive its fork(). */
int daemon_detach(const char *name, gboolean foreground);

#endif
