/* cli tick: `postdesk tick [--now TIME] [--no-send]` composes the acknowledgements lmtpd
 * left (survey/acks.c), runs the timed work that is due (surveys, first-response
 * reminders, pending reminders, auto-resolve, auto-close) once, and
 * then sends the outbox rows due at that time: one turn of postdesk-notifyd's loop
 * (--no-send: everything but the sending, for a desk whose relay is down). --now
 * fixes the clock (ISO 8601 or @epoch), so tests move time without sleeping (mail queued at
 * a fixed future time is due only then, so this command sends it itself). Like notifyd,
 * one sender per database: do not run it while postdesk-notifyd is sending. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/compose.h"
#include "postdesk/outbox.h"
#include "postdesk/survey.h"
#include "postdesk/token.h"
#include "cli.h"

#include <signal.h>
#include <stdio.h>

int cli_tick(struct cli *cli, int argc, char **argv)
{
	char *now_s = NULL, *error = NULL;
	gboolean no_send = FALSE;
	const GOptionEntry entries[] = {
		{"now", 0, 0, G_OPTION_ARG_STRING, &now_s, "run as if the time were TIME", "TIME"},
		{"no-send", 0, 0, G_OPTION_ARG_NONE, &no_send,
		 "queue what is due, send nothing (notifyd sends it)", NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	struct token_keys *keys = NULL;
	struct compose_ctx *ctx = NULL;
	struct store *store = NULL;
	struct report_json *j;
	gint64 now;
	guint done = 0, sent = 0, acked = 0;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "",
			       "Run the timed work that is due, once.")))
		goto out;
	if (argc != 1) {
		ret = cli_fail(EX_USAGE, "tick takes no arguments");
		goto out;
	}
	if (now_s != NULL) {
		if (clock_parse(now_s, &now, &error) < 0) {
			ret = cli_fail(EX_USAGE, "--now: %s", error);
			goto out;
		}
		clock_set_fixed(now);
	}
	if ((ret = cli_load(cli)) != 0 || (ret = cli_store(cli, 0, &store)) != 0)
		goto out;
	if (token_keys_load(cli->conf->key_file, &keys, &error) < 0 ||
	    compose_ctx_new(cli->conf, keys, &ctx, &error) < 0) {
		ret = cli_fail(EX_CONFIG, "%s", error);
		goto out;
	}
	signal(SIGPIPE, SIG_IGN); /* a relay hanging up must not kill us (net_smtp_send) */
	/* the acknowledgements lmtpd left (before the outbox run that sends them) */
	if (survey_acks_run(store, ctx, cli->conf, clock_now(), 0, &acked, &error) < 0 ||
	    survey_tick(store, ctx, cli->conf, clock_now(), &done, &error) < 0 ||
	    survey_orders_run(store, ctx, cli->conf, clock_now(), 0, NULL, &error) < 0 ||
	    (!no_send && outbox_run(store, cli->conf, keys, clock_now(), &sent, &error) < 0))
		ret = cli_fail(EX_TEMPFAIL, "%s", error);
	else if ((j = cli_json_result()) != NULL) {
		report_json_int(j, "jobs_run", done);
		report_json_int(j, "acknowledged", acked);
		report_json_int(j, "mails_sent", sent);
		cli_json_done(&j);
	} else
		printf("%u due job%s run, %u mail%s sent\n", done, done == 1 ? "" : "s", sent,
		       sent == 1 ? "" : "s");
out:
	compose_ctx_free(&ctx);
	token_keys_free(&keys);
	store_close(&store);
	g_free(error);
	g_free(now_s);
	return ret;
}
