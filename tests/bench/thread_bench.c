/* thread_bench: in-process timings for tests/bench/run.sh (built by that script against an
 * out-of-tree build, not by make check). Two modes:
 *   thread_bench thread CONF TICKETS N  deliver N replies, each with In-Reply-To a random
 *       stored ticket's first Message-ID ("bench-K@shop.example", made by run.sh), one by
 *       one in one open transaction; prints the median and p99 of parse and of threading +
 *       storing (deliver_apply) in microseconds, and how many threaded as expected.
 *   thread_bench match CONF TICKETS N  the matching decision alone (Message-ID lookup and
 *       the ticket it names, no insert), N random tickets; median and p99 in microseconds.
 *   thread_bench new CONF N [SENDERS]  deliver N new messages (no reference, no tag: each
 *       opens a ticket, with its acknowledgement and agent notices) from the one sender
 *       bench@shop.example (SENDERS > 1: from custK@shop.example, K = i % SENDERS, a new
 *       customer each time while i < SENDERS), one by one in one open transaction; prints
 *       the median and p99 of deliver_apply in microseconds. Run on databases where that sender already has
 *       10^3 and 10^6 tickets, it shows whether per-message work grows with history.
 *   thread_bench html  parse the heavy-HTML message (the one check_parse bounds by work
 *       counts) 7 times; prints the median in microseconds.
 * Single-threaded; owns everything it makes. The transaction is rolled back, so the same
 * database serves several runs. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/deliver.h"
#include "postdesk/lib.h"
#include "postdesk/compose.h"
#include "postdesk/parse.h"
#include "postdesk/store.h"
#include "postdesk/token.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int cmp_i64(const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

static void die(const char *what, char *error)
{
	fprintf(stderr, "thread_bench: %s: %s\n", what, error != NULL ? error : "failed");
	exit(1);
}

static GString *heavy_html(void)
{
	GString *raw =
	    g_string_new("From: a@example.com\nSubject: heavy\nMIME-Version: 1.0\n"
			 "Content-Type: text/html; charset=utf-8\n\n<html><head><style>");
	for (int i = 0; i < 2000; i++)
		g_string_append_printf(raw, ".c%d { color: #%06x; }\n", i, i);
	g_string_append(raw, "</style></head><body><table>");
	for (int i = 0; i < 2000; i++)
		g_string_append_printf(raw,
				       "<tr><td style=\"padding:2px\"><span><b>Row %d</b></span>"
				       "</td><td><a href=\"https://example.com/item/%d\">item "
				       "&eacute;&nbsp;%d</a></td></tr>\n",
				       i, i, i);
	g_string_append(raw, "</table></body></html>\n");
	return raw;
}

static int bench_html(void)
{
	GString *raw = heavy_html();
	gint64 us[7];
	char *error = NULL;

	for (int i = 0; i < 7; i++) {
		struct parse_msg *m = NULL;
		gint64 t0 = g_get_monotonic_time();

		if (parse_message(raw->str, raw->len, &m, &error) < 0)
			die("parse", error);
		us[i] = g_get_monotonic_time() - t0;
		parse_msg_free(&m);
	}
	qsort(us, 7, sizeof(us[0]), cmp_i64);
	printf("html_bytes=%zu parse_us=%" G_GINT64_FORMAT "\n", raw->len, us[3]);
	g_string_free(raw, TRUE);
	return 0;
}

/* Deliver raw (taken over) to the queue inside the open transaction; adds its timings and
 * returns the ticket it went to. */
static gint64 deliver_raw(struct store *store, const struct deliver_env *env,
			  const struct token_keys *keys, const char *sender, char *raw,
			  gint64 *parse_us, gint64 *apply_us)
{
	char *addr = g_strdup_printf("support@%s", env->conf->domain);
	struct deliver_msg *d = deliver_new(sender, raw, strlen(raw));
	struct deliver_rcpt r;
	struct verdict v;
	gint64 t0, ticket;

	deliver_rcpt_resolve(env->conf, keys, addr, &r, &v);
	if (v.status != VERDICT_OK)
		die("rcpt", g_strdup(v.text));
	deliver_add_rcpt(d, &r);
	t0 = g_get_monotonic_time();
	if (deliver_parse(d) < 0)
		die("parse", NULL);
	*parse_us = g_get_monotonic_time() - t0;
	t0 = g_get_monotonic_time();
	if (deliver_apply(d, store, env, clock_now()) < 0)
		die("apply", g_strdup(d->verdicts[0].text));
	*apply_us = g_get_monotonic_time() - t0;
	ticket = d->ticket_ids[0];
	deliver_free(&d);
	g_free(addr);
	return ticket;
}

/* One reply to ticket k, delivered inside the open transaction; adds its timings. */
static gint64 deliver_reply(struct store *store, const struct deliver_env *env,
			    const struct token_keys *keys, gint64 k, int i, gint64 *parse_us,
			    gint64 *apply_us)
{
	char *raw = g_strdup_printf(
	    "From: Customer <cust%" G_GINT64_FORMAT "@shop.example>\nTo: support@%s\n"
	    "Subject: Re: Order %" G_GINT64_FORMAT "\nMessage-ID: <reply-%d@shop.example>\n"
	    "In-Reply-To: <bench-%" G_GINT64_FORMAT "@shop.example>\n"
	    "Date: Tue, 24 Nov 2026 06:00:00 +0000\n\nThanks, any news?\n\n> quoted\n",
	    k % 1000 + 1, env->conf->domain, k, i, k);

	return deliver_raw(store, env, keys, "", raw, parse_us, apply_us);
}

/* n new tickets from the one sender bench@shop.example, rolled back afterwards. */
static int bench_new(const char *conf_path, int n, int senders)
{
	struct conf *conf = NULL;
	struct token_keys *keys = NULL;
	struct store *store = NULL;
	struct deliver_env env = {0};
	gint64 *parse_us = g_new(gint64, n), *apply_us = g_new(gint64, n);
	char *error = NULL;
	int fresh = 0;
	gint64 last = 0;

	if (conf_load(conf_path, &conf, &error) < 0 ||
	    token_keys_load(conf->key_file, &keys, &error) < 0)
		die("config", error);
	env.conf = conf;
	if (compose_ctx_new(conf, keys, &env.compose, &error) < 0 ||
	    store_open(conf->database, 0, 5000, &store, &error) < 0 ||
	    store_begin(store, &error) < 0)
		die("open", error);
	for (int i = 0; i < n; i++) {
		char *from = senders > 1 ? g_strdup_printf("cust%d@shop.example", i % senders)
					 : g_strdup("bench@shop.example");
		char *raw = g_strdup_printf(
		    "From: Shop Customer <%s>\nTo: support@%s\n"
		    "Subject: Contact form message %d\nMessage-ID: <new-%d-%d@shop.example>\n"
		    "Date: Tue, 24 Nov 2026 06:00:00 +0000\n\nA customer asks about an order.\n",
		    from, conf->domain, i, i, (int)getpid());
		gint64 t = deliver_raw(store, &env, keys, from, raw, &parse_us[i], &apply_us[i]);

		g_free(from);

		fresh += t > last;
		last = t;
	}
	store_rollback(store);
	qsort(apply_us, n, sizeof(gint64), cmp_i64);
	printf("n=%d new_tickets=%d apply_p50_us=%" G_GINT64_FORMAT " apply_p99_us=%" G_GINT64_FORMAT
	       "\n",
	       n, fresh, apply_us[n / 2], apply_us[n * 99 / 100]);
	g_free(parse_us);
	g_free(apply_us);
	store_close(&store);
	compose_ctx_free(&env.compose);
	token_keys_free(&keys);
	conf_free(&conf);
	return fresh == n ? 0 : 1;
}

static int bench_thread(const char *conf_path, gint64 tickets, int n)
{
	struct conf *conf = NULL;
	struct token_keys *keys = NULL;
	struct store *store = NULL;
	struct deliver_env env = {0};
	gint64 *parse_us = g_new(gint64, n), *apply_us = g_new(gint64, n);
	char *error = NULL;
	int hits = 0;

	if (conf_load(conf_path, &conf, &error) < 0 ||
	    token_keys_load(conf->key_file, &keys, &error) < 0)
		die("config", error);
	env.conf = conf;
	if (compose_ctx_new(conf, keys, &env.compose, &error) < 0 ||
	    store_open(conf->database, 0, 5000, &store, &error) < 0 ||
	    store_begin(store, &error) < 0)
		die("open", error);
	for (int i = 0; i < n; i++) {
		gint64 k = g_random_int_range(1, (gint32)MIN(tickets, G_MAXINT32 - 1) + 1);

		if (deliver_reply(store, &env, keys, k, i, &parse_us[i], &apply_us[i]) == k)
			hits++;
	}
	store_rollback(store);
	qsort(parse_us, n, sizeof(gint64), cmp_i64);
	qsort(apply_us, n, sizeof(gint64), cmp_i64);
	printf("tickets=%" G_GINT64_FORMAT " n=%d threaded=%d parse_p50_us=%" G_GINT64_FORMAT
	       " apply_p50_us=%" G_GINT64_FORMAT " apply_p99_us=%" G_GINT64_FORMAT "\n",
	       tickets, n, hits, parse_us[n / 2], apply_us[n / 2], apply_us[n * 99 / 100]);
	g_free(parse_us);
	g_free(apply_us);
	store_close(&store);
	compose_ctx_free(&env.compose);
	token_keys_free(&keys);
	conf_free(&conf);
	return hits == n ? 0 : 1;
}

/* The matching decision alone (no insert): the Message-ID lookup that threads a reply and
 * the ticket it names, for n random tickets. */
static int bench_match(const char *conf_path, gint64 tickets, int n)
{
	struct conf *conf = NULL;
	struct store *store = NULL;
	gint64 *us = g_new(gint64, n);
	char *error = NULL;
	int hits = 0;

	if (conf_load(conf_path, &conf, &error) < 0 ||
	    store_open(conf->database, STORE_READONLY, 5000, &store, &error) < 0)
		die("open", error);
	for (int i = 0; i < n; i++) {
		gint64 k = g_random_int_range(1, (gint32)MIN(tickets, G_MAXINT32 - 1) + 1), found = 0;
		char *id = g_strdup_printf("bench-%" G_GINT64_FORMAT "@shop.example", k);
		struct store_ticket *t = NULL;
		gint64 t0 = g_get_monotonic_time();

		if (store_find_ticket_by_msgid(store, id, &found, &error) < 0 ||
		    store_ticket_get(store, found, &t, &error) < 0)
			die("match", error);
		us[i] = g_get_monotonic_time() - t0;
		hits += found == k && t != NULL;
		store_ticket_free(&t);
		g_free(id);
	}
	qsort(us, n, sizeof(gint64), cmp_i64);
	printf("tickets=%" G_GINT64_FORMAT " n=%d matched=%d match_p50_us=%" G_GINT64_FORMAT
	       " match_p99_us=%" G_GINT64_FORMAT "\n",
	       tickets, n, hits, us[n / 2], us[n * 99 / 100]);
	g_free(us);
	store_close(&store);
	conf_free(&conf);
	return hits == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	parse_init();
	if (argc == 2 && g_str_equal(argv[1], "html"))
		return bench_html();
	if (argc == 5 && g_str_equal(argv[1], "match"))
		return bench_match(argv[2], g_ascii_strtoll(argv[3], NULL, 10), atoi(argv[4]));
	if ((argc == 4 || argc == 5) && g_str_equal(argv[1], "new"))
		return bench_new(argv[2], atoi(argv[3]), argc == 5 ? atoi(argv[4]) : 1);
	if (argc == 5 && g_str_equal(argv[1], "thread"))
		return bench_thread(argv[2], g_ascii_strtoll(argv[3], NULL, 10), atoi(argv[4]));
	fprintf(stderr, "usage: thread_bench html | thread CONF TICKETS N\n");
	return 64;
}
