/* Private to the cli module: shared helpers of the subcommands. */
#ifndef POSTDESK_CLI_PRIV_H
#define POSTDESK_CLI_PRIV_H

#include <glib.h>
#include <sysexits.h>
#include "postdesk/conf.h"
#include "postdesk/report.h"
#include "postdesk/store.h"

/* Rows a listing shows when not told otherwise (--limit N; 0 for all). */
#define CLI_PAGE_DEFAULT 100

struct cli {
	const char *conf_path; /* borrowed: argv, environment, default or conf_opt */
	char *conf_opt;        /* -c given after the subcommand (owned) */
	struct conf *conf;
	gboolean log_deliveries; /* postdesk deliver: one log line per recipient (deliver_log) */
};

/* Print "postdesk: <msg>" to stderr; returns code (for `return cli_fail(...)`). */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* --json anywhere on the command line (main.c): cli_fail() then also writes
 * {"error": MSG, "code": N} on stdout. cli_json_on() tells whether it was given. */
void cli_json_mode(gboolean on);
gboolean cli_json_on(void);
/* With --json, a JSON object begun for a command's result (add members with report_json_*,
 * then cli_json_done() ends, prints and frees it); NULL without --json. */
struct report_json *cli_json_result(void);
void cli_json_done(struct report_json **j);
/* A decimal number >= min, digits only (no sign, no space, no overflow): TRUE with *n_r. */
gboolean cli_number(const char *s, gint64 min, gint64 *n_r);
/* Whether to show progress: stderr is a terminal and no --json. */
gboolean cli_progress_on(void);
/* Load the config named by -c (or the default); EX_CONFIG on error (printed). */
int cli_load(struct cli *cli);
/* Open the store of the loaded config; EX_TEMPFAIL/EX_UNAVAILABLE on error (printed). */
int cli_store(struct cli *cli, int flags, struct store **store_r);
/* Parse subcommand options: argv[0] is the subcommand. Returns EX_USAGE on error. */
int cli_options(struct cli *cli, int *argc, char ***argv, const GOptionEntry *entries,
		const char *params, const char *summary);
/* Run raw (taken over) through the delivery pipeline for rcpts; prints a result line per
 * recipient; returns the sysexits code (cmd_deliver.c). */
int cli_deliver_raw(struct cli *cli, char **rcpts, const char *sender, char *raw, gsize len);

/* The id of the registered agent email (0: not an agent), read from the store; 0 or the
 * sysexits code (printed) when the store cannot be read. Agent tokens are bound to it. */
int cli_agent_id(struct cli *cli, const char *email, gint64 *id_r);

int cli_init(struct cli *cli, int argc, char **argv);
int cli_deliver(struct cli *cli, int argc, char **argv);
int cli_tickets(struct cli *cli, int argc, char **argv);
int cli_show(struct cli *cli, int argc, char **argv);
int cli_token(struct cli *cli, int argc, char **argv);
int cli_agent(struct cli *cli, int argc, char **argv);
int cli_outbox(struct cli *cli, int argc, char **argv);
int cli_mailbox(struct cli *cli, int argc, char **argv); /* cmd_mailbox.c (issue 15) */
int cli_report(struct cli *cli, int argc, char **argv);
int cli_reply(struct cli *cli, int argc, char **argv);
int cli_note(struct cli *cli, int argc, char **argv);
int cli_status(struct cli *cli, int argc, char **argv);
int cli_assign(struct cli *cli, int argc, char **argv);
int cli_tick(struct cli *cli, int argc, char **argv); /* cmd_tick.c: surveys and follow-ups */
int cli_optout(struct cli *cli, int argc, char **argv); /* cmd_optout.c: one-click unsubscribe */
int cli_key(struct cli *cli, int argc, char **argv);    /* cmd_key.c: list, rotate, prune */
int cli_merge(struct cli *cli, int argc, char **argv);  /* cmd_merge.c: merge, split */
int cli_split(struct cli *cli, int argc, char **argv);
int cli_macro(struct cli *cli, int argc, char **argv);  /* cmd_macro.c: canned replies */
int cli_attachment(struct cli *cli, int argc, char **argv); /* cmd_attachment.c: list, get */
int cli_customer(struct cli *cli, int argc, char **argv);   /* cmd_customer.c: export, erase */
int cli_search(struct cli *cli, int argc, char **argv); /* cmd_search.c: full-text search */
int cli_kb(struct cli *cli, int argc, char **argv); /* cmd_kb.c: reindex, list, search */
int cli_config(struct cli *cli, int argc, char **argv); /* cmd_config.c: config [-n] */
int cli_check(struct cli *cli, int argc, char **argv);  /* cmd_check.c: like postfix check */
int cli_store_cmd(struct cli *cli, int argc, char **argv); /* cmd_store.c: copy (issue 16) */

#endif
