/* cli merge, split: `postdesk merge ID OTHER` folds ticket OTHER into ticket ID and
 * `postdesk split ID MESSAGE [--rest] [--notify]` moves a message (and the later ones) to
 * a new ticket linked to ID: the same commands an agent writes by mail (#merge, #split),
 * parsed and checked by thread/ and applied in one transaction, with timed work following
 * (survey/) and, for --notify, the requester's acknowledgement (compose/). --json prints
 * the result, or {"error": ..., "code": CODE} with that exit code. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/lib.h"
#include "postdesk/report.h"
#include "postdesk/survey.h"
#include "postdesk/thread.h"
#include "postdesk/token.h"
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>

struct moves {
	gboolean json, rest, notify;
	char *from;
	gint64 ticket, other; /* merge: the ticket folded in; split: the message row */
};

static int moves_fail(const struct moves *mv, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int moves_fail(const struct moves *mv, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	(void)mv; /* with --json, cli_fail also writes {"error", "code"} on stdout */
	cli_fail(code, "%s", msg);
	g_free(msg);
	return code;
}

static void moves_print(const struct moves *mv, gboolean split,
			const struct thread_agent_mail *am)
{
	struct report_json *b;

	if (!mv->json) {
		if (split)
			printf("ticket %" G_GINT64_FORMAT ": message %" G_GINT64_FORMAT "%s split "
			       "off into ticket %" G_GINT64_FORMAT "%s\n", mv->ticket, mv->other,
			       mv->rest ? " and the rest" : "", am->split_new,
			       mv->notify ? " (requester notified)" : "");
		else
			printf("ticket %" G_GINT64_FORMAT ": ticket %" G_GINT64_FORMAT
			       " merged into it\n", mv->ticket, mv->other);
		return;
	}
	b = report_json_new();
	report_json_begin_object(b, NULL);
	report_json_int(b, "ticket", mv->ticket);
	if (split) {
		report_json_int(b, "message", mv->other);
		report_json_bool(b, "rest", mv->rest);
		report_json_int(b, "new_ticket", am->split_new);
		report_json_bool(b, "notified", mv->notify);
	} else {
		report_json_int(b, "merged", mv->other);
	}
	report_json_end_object(b);
	report_json_print(&b, stdout);
}

/* The split's follow-up: timed work of the new ticket, the acknowledgement if asked. */
static int moves_split_follow(struct cli *cli, struct store *store,
			      const struct thread_agent_mail *am, gint64 now, char **error_r)
{
	struct token_keys *keys = NULL;
	struct compose_ctx *ctx = NULL;
	int ret;

	if (survey_sync(store, cli->conf, am->split_new, now, error_r) < 0)
		return -1;
	if (!am->split_notify)
		return 0;
	ret = token_keys_load(cli->conf->key_file, &keys, error_r) < 0 ||
		      compose_ctx_new(cli->conf, keys, &ctx, error_r) < 0 ||
		      compose_queue_split_ack(ctx, store, am->split_new, now, error_r) < 0
		  ? -1
		  : 0;
	compose_ctx_free(&ctx);
	token_keys_free(&keys);
	return ret;
}

static int moves_run(struct cli *cli, struct moves *mv, const char *line, gboolean split)
{
	struct thread_agent_mail *am = NULL;
	struct store *store = NULL;
	struct store_ticket *t = NULL;
	gint64 now = clock_now();
	char *error = NULL;
	int ret, found = 0;

	thread_agent_parse(line, &am);
	if (am->errors->len > 0) {
		ret = moves_fail(mv, EX_USAGE, "%s", (const char *)g_ptr_array_index(am->errors, 0));
		goto out;
	}
	if ((ret = cli_store(cli, 0, &store)) != 0)
		goto out;
	if (store_begin(store, &error) < 0 ||
	    (found = store_ticket_get(store, mv->ticket, &t, &error)) < 0 ||
	    (found == 1 && thread_agent_run(store, cli->conf, mv->ticket,
					    mv->from != NULL ? mv->from : "admin", am, now,
					    &error) < 0) ||
	    (found == 1 && am->errors->len == 0 &&
	     (survey_sync(store, cli->conf, mv->ticket, now, &error) < 0 ||
	      (am->split_new != 0 && moves_split_follow(cli, store, am, now, &error) < 0)))) {
		store_rollback(store);
		ret = moves_fail(mv, EX_TEMPFAIL, "%s", error);
	} else if (found == 0) {
		store_rollback(store);
		ret = moves_fail(mv, EX_NOINPUT, "no ticket %" G_GINT64_FORMAT, mv->ticket);
	} else if (am->errors->len > 0) {
		store_rollback(store);
		ret = moves_fail(mv, EX_DATAERR, "%s", (const char *)g_ptr_array_index(am->errors, 0));
	} else if (store_commit(store, &error) < 0) {
		ret = moves_fail(mv, EX_TEMPFAIL, "%s", error);
	} else {
		moves_print(mv, split, am);
	}
out:
	g_free(error);
	store_ticket_free(&t);
	store_close(&store);
	thread_agent_mail_free(&am);
	return ret;
}

static gboolean moves_id(const char *s, gint64 *id_r)
{
	char *end;

	*id_r = g_ascii_strtoll(s, &end, 10);
	return *id_r > 0 && *end == '\0';
}

static int moves_main(struct cli *cli, int argc, char **argv, gboolean split)
{
	struct moves mv = {0};
	const GOptionEntry merge_entries[] = {
		{"from", 'f', 0, G_OPTION_ARG_STRING, &mv.from, "who does it (for the event log)",
		 "WHO"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &mv.json, "JSON output", NULL},
		G_OPTION_ENTRY_NULL,
	};
	const GOptionEntry split_entries[] = {
		{"from", 'f', 0, G_OPTION_ARG_STRING, &mv.from, "who does it (for the event log)",
		 "WHO"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &mv.json, "JSON output", NULL},
		{"rest", 0, 0, G_OPTION_ARG_NONE, &mv.rest, "also move every later message", NULL},
		{"notify", 0, 0, G_OPTION_ARG_NONE, &mv.notify,
		 "send the requester the new ticket's acknowledgement", NULL},
		G_OPTION_ENTRY_NULL,
	};
	const char *usage = split ? "ID MESSAGE [--rest] [--notify] [--from WHO] [--json]"
				  : "ID OTHER-ID [--from WHO] [--json]";
	char *line;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, split ? split_entries : merge_entries, usage,
			       split ? "Move a message (and the later ones) to a new ticket."
				     : "Fold ticket OTHER-ID into ticket ID.")) != 0)
		goto out;
	if (argc != 3 || !moves_id(argv[1], &mv.ticket) || !moves_id(argv[2], &mv.other)) {
		ret = moves_fail(&mv, EX_USAGE, "%s: usage: %s %s", argv[0], argv[0], usage);
		goto out;
	}
	if ((ret = cli_load(cli)) != 0)
		goto out;
	line = split ? g_strdup_printf("#split %" G_GINT64_FORMAT "%s%s", mv.other,
				       mv.rest ? " rest" : "", mv.notify ? " notify" : "")
		     : g_strdup_printf("#merge %" G_GINT64_FORMAT, mv.other);
	ret = moves_run(cli, &mv, line, split);
	g_free(line);
out:
	g_free(mv.from);
	return ret;
}

int cli_merge(struct cli *cli, int argc, char **argv)
{
	return moves_main(cli, argc, argv, FALSE);
}

int cli_split(struct cli *cli, int argc, char **argv)
{
	return moves_main(cli, argc, argv, TRUE);
}
