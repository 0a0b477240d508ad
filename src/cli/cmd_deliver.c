/* cli deliver: the LMTP pipeline from stdin, for a Postfix pipe(8) transport and tests.
 * Exit codes are sysexits, as mail delivery agents use: 0 delivered, 75 try again later,
 * 67 unknown recipient, 65 refused message. One result line per recipient on stdout. */
#include "config.h"
#include "postdesk/deliver.h"
#include "postdesk/lib.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

/* Read stdin up to limit+1 bytes, so an oversized message is recognised without reading
 * (and holding) all of it. */
static int deliver_read(gsize limit, char **raw_r, gsize *len_r)
{
	GByteArray *buf = g_byte_array_new();
	guint8 chunk[65536];
	ssize_t n;

	while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			g_byte_array_unref(buf);
			return cli_fail(EX_IOERR, "reading the message: %s", g_strerror(errno));
		}
		if (buf->len <= limit)
			g_byte_array_append(buf, chunk, (guint)n);
	}
	g_byte_array_append(buf, (const guint8 *)"", 1); /* NUL, not counted */
	*len_r = buf->len - 1;
	*raw_r = (char *)g_byte_array_free(buf, FALSE);
	return 0;
}

/* One exit code for all recipients: try-again wins (a retry is harmless: delivery is
 * idempotent), then a permanent refusal, then success. */
static int deliver_worst(const struct verdict *v, guint n)
{
	int code = 0;
	guint i;

	for (i = 0; i < n; i++) {
		int c = verdict_exit_code(&v[i]);
		if (c == EX_TEMPFAIL)
			return c;
		if (code == 0)
			code = c;
	}
	return code;
}

/* Store d (whose recipients are all accepted ones): its verdicts say how it went. */
static void deliver_store(struct cli *cli, const struct deliver_env *env, struct deliver_msg *d)
{
	struct store *store = NULL;
	guint i;

	if ((gint64)d->raw_len > cli->conf->max_message_size) {
		for (i = 0; i < d->rcpts->len; i++)
			verdict_set(&d->verdicts[i], VERDICT_PERMFAIL, 552, "5.3.4",
				    "message too big (limit %" G_GINT64_FORMAT " bytes)",
				    cli->conf->max_message_size);
		return;
	}
	if (deliver_parse(d) < 0)
		return;
	if (cli_store(cli, 0, &store) != 0) {
		for (i = 0; i < d->rcpts->len; i++)
			verdict_set(&d->verdicts[i], VERDICT_TEMPFAIL, 451, "4.3.0",
				    "database unavailable, try again later");
		return;
	}
	deliver_run(d, store, env);
	store_close(&store);
}

int cli_deliver_raw(struct cli *cli, char **rcpts, const char *sender, char *raw, gsize len)
{
	guint n = g_strv_length(rcpts), i, k = 0;
	struct verdict *v = g_new0(struct verdict, n);
	struct token_keys *keys = NULL;
	struct deliver_msg *d = deliver_new(sender, raw, len);
	struct deliver_env env = {.conf = cli->conf};
	struct report_json *j;
	char *error = NULL;
	gint64 started = g_get_monotonic_time();
	int ret;

	if (token_keys_load(cli->conf->key_file, &keys, &error) < 0 ||
	    compose_ctx_new(cli->conf, keys, &env.compose, &error) < 0) {
		token_keys_free(&keys);
		deliver_free(&d);
		g_free(v);
		ret = cli_fail(EX_TEMPFAIL, "%s", error);
		g_free(error);
		return ret;
	}
	for (i = 0; i < n; i++) {
		struct deliver_rcpt r;
		deliver_rcpt_resolve(cli->conf, keys, rcpts[i], &r, &v[i]);
		if (v[i].status == VERDICT_OK)
			deliver_add_rcpt(d, &r);
		deliver_rcpt_clear(&r);
	}
	if (d->rcpts->len > 0)
		deliver_store(cli, &env, d);
	if (cli->log_deliveries && d->rcpts->len > 0)
		deliver_log(d, started);
	if ((j = cli_json_result()) != NULL)
		report_json_begin_array(j, "recipients");
	for (i = 0; i < n; i++) {
		if (v[i].status == VERDICT_OK)
			v[i] = d->verdicts[k++];
		if (j == NULL) {
			printf("%s: %d %s %s\n", rcpts[i], v[i].smtp, v[i].enh, v[i].text);
			continue;
		}
		report_json_begin_object(j, NULL);
		report_json_str(j, "recipient", rcpts[i]);
		report_json_int(j, "code", v[i].smtp);
		report_json_str(j, "status", v[i].enh);
		report_json_str(j, "text", v[i].text);
		report_json_end_object(j);
	}
	if (j != NULL) {
		report_json_end_array(j);
		cli_json_done(&j);
	}
	ret = deliver_worst(v, n);
	g_free(v);
	deliver_free(&d);
	compose_ctx_free(&env.compose);
	token_keys_free(&keys);
	return ret;
}

int cli_deliver(struct cli *cli, int argc, char **argv)
{
	char **rcpts = NULL;
	char *sender = NULL;
	const GOptionEntry entries[] = {
		{"recipient", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &rcpts,
		 "envelope recipient (repeatable)", "RCPT"},
		{"sender", 'f', 0, G_OPTION_ARG_STRING, &sender, "envelope sender", "SENDER"},
		G_OPTION_ENTRY_NULL,
	};
	char *raw = NULL;
	gsize len = 0;
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "< MESSAGE",
			       "Deliver one message from standard input.")))
		goto out;
	if (rcpts == NULL || argc != 1) {
		ret = cli_fail(EX_USAGE, "deliver: usage: deliver -r RCPT [-f SENDER] < message");
		goto out;
	}
	if ((ret = cli_load(cli)) != 0)
		goto out;
	parse_init();
	if ((ret = deliver_read((gsize)cli->conf->max_message_size, &raw, &len)) != 0)
		goto out;
	log_set_level(log_level_named(cli->conf->log_level));
	cli->log_deliveries = TRUE; /* like lmtpd: Postfix's pipe(8) may run us */
	ret = cli_deliver_raw(cli, rcpts, sender != NULL ? sender : "", raw, len);
out:
	g_strfreev(rcpts);
	g_free(sender);
	return ret;
}
