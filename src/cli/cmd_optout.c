/* cli optout: `postdesk optout ADDRESS`, the one-click unsubscribe of survey mail done from
 * outside mail (RFC 8058): contrib/unsubscribe.cgi runs it when a mailbox provider POSTs to
 * the https URL of a survey's List-Unsubscribe header. ADDRESS is the opt-out token address
 * of that header (local+<ticket>-u-<mac>@domain) or its local part, as written or
 * percent-encoded as in the URL (the CGI passes it on undecoded); only a valid MAC for a
 * configured queue counts. The effect is the same as mail to that address: the ticket's
 * requester gets no more surveys, and the ticket gets a survey_optout event (once: a
 * repeated click changes nothing). */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/token.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* addr (decoded): an address in our domain or a bare local part, whose token is a valid
 * opt-out token of a configured queue. */
static int optout_check(struct cli *cli, const char *addr, struct token *t)
{
	const char *at = strchr(addr, '@');
	char *local = at != NULL ? g_strndup(addr, at - addr) : g_strdup(addr), *base = NULL;
	char *error = NULL;
	struct token_keys *keys = NULL;
	enum token_check check = TOKEN_NONE;
	int ret = 0;

	if (at != NULL && g_ascii_strcasecmp(at + 1, cli->conf->domain) != 0) {
		ret = cli_fail(EX_DATAERR, "optout: %s is not in the support domain %s", addr,
			       cli->conf->domain);
		goto out;
	}
	if (token_keys_load(cli->conf->key_file, &keys, &error) < 0) {
		ret = cli_fail(EX_CONFIG, "optout: %s", error);
		goto out;
	}
	check = token_check_local(keys, local, t, &base);
	if (check != TOKEN_VALID || t->role != TOKEN_OPTOUT || base == NULL ||
	    conf_queue_by_local(cli->conf, base) == NULL)
		ret = cli_fail(EX_DATAERR, "optout: %s is not a valid opt-out address", addr);
out:
	token_keys_free(&keys);
	g_free(error);
	g_free(base);
	g_free(local);
	return ret;
}

/* The verified opt-out token in arg (decoded from %XX first), or a data error (printed). */
static int optout_token(struct cli *cli, const char *arg, struct token *t)
{
	char *addr = g_uri_unescape_string(arg, NULL); /* NULL: a bad escape or a NUL */
	int ret;

	if (addr == NULL || util_has_crlf(addr))
		ret = cli_fail(EX_DATAERR, "optout: %s is not a valid opt-out address", arg);
	else
		ret = optout_check(cli, addr, t);
	g_free(addr);
	return ret;
}

/* In the open transaction: the opt-out flag of ticket_id's requester, and its event when the
 * flag changes. 1 done (*t_r the ticket), 0 no such ticket, -1 error. */
static int optout_apply(struct store *store, gint64 ticket_id, struct store_ticket **t_r,
			char **error_r)
{
	struct store_customer *c = NULL;
	int ret = store_ticket_get(store, ticket_id, t_r, error_r);

	if (ret <= 0)
		return ret;
	/* The survey went to the requester: the opt-out is theirs, whoever clicked. */
	ret = store_customer_get(store, (*t_r)->requester, &c, error_r);
	if (ret == 1 && !c->survey_optout &&
	    (store_customer_set_optout(store, (*t_r)->requester, TRUE, error_r) < 0 ||
	     store_event_add(store, ticket_id, clock_now(), "survey_optout", "web",
			     (*t_r)->requester, error_r) < 0))
		ret = -1;
	store_customer_free(&c);
	return ret < 0 ? -1 : 1;
}

int cli_optout(struct cli *cli, int argc, char **argv)
{
	struct store *store = NULL;
	struct store_ticket *t = NULL;
	struct token tok;
	struct report_json *j;
	char *error = NULL;
	int ret, found = 0;

	if ((ret = cli_options(cli, &argc, &argv, NULL, "ADDRESS",
			       "Stop surveys to the requester of an opt-out token's ticket.")) != 0 ||
	    (ret = cli_load(cli)) != 0)
		return ret;
	if (argc != 2)
		return cli_fail(EX_USAGE, "optout: usage: optout ADDRESS");
	if ((ret = optout_token(cli, argv[1], &tok)) != 0 ||
	    (ret = cli_store(cli, 0, &store)) != 0)
		goto out;
	if (store_begin(store, &error) < 0 ||
	    (found = optout_apply(store, tok.id, &t, &error)) < 0) {
		store_rollback(store);
		ret = cli_fail(EX_TEMPFAIL, "optout: %s", error);
	} else if (found == 0) {
		store_rollback(store);
		ret = cli_fail(EX_DATAERR, "optout: no ticket %" G_GINT64_FORMAT, tok.id);
	} else if (store_commit(store, &error) < 0) {
		ret = cli_fail(EX_TEMPFAIL, "optout: %s", error);
	} else if ((j = cli_json_result()) != NULL) {
		report_json_int(j, "ticket", tok.id);
		report_json_str(j, "address", t->requester);
		report_json_bool(j, "survey_optout", TRUE);
		cli_json_done(&j);
	} else {
		printf("%s: no more surveys\n", t->requester);
	}
out:
	g_free(error);
	store_ticket_free(&t);
	store_close(&store);
	return ret;
}
