/* cli agent: `postdesk agent add EMAIL --name NAME [--queue Q] [--digest on|off]`,
 * `agent list [--json]`, `agent remove EMAIL`. Each write is one transaction of its own;
 * list opens the store read-only. JSON shape in doc/json.md, usage in doc/agents.md. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/report.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* One '@' with text on both sides, no whitespace or control characters (CR/LF included):
 * the address ends up in headers and SMTP envelopes. */
static gboolean agent_email_valid(const char *email)
{
	const char *at = strchr(email, '@'), *p;

	if (at == NULL || at == email || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return FALSE;
	for (p = email; *p != '\0'; p++) {
		if (g_ascii_isspace(*p) || g_ascii_iscntrl(*p) || *p == '<' || *p == '>')
			return FALSE;
	}
	return TRUE;
}

static int agent_fail_store(char *error)
{
	int ret = cli_fail(EX_TEMPFAIL, "agent: %s", error);

	g_free(error);
	return ret;
}

/* The line (or JSON object) saying what became of an agent. */
static void agent_done(const char *action, const char *addr)
{
	struct report_json *j = cli_json_result();

	if (j == NULL) {
		printf("%s %s\n", action, addr);
		return;
	}
	report_json_str(j, "email", addr);
	report_json_str(j, "action", action);
	cli_json_done(&j);
}

/* --digest: "on" 1, "off" 0, absent -1 (left as it is: new agents get it), else -2. */
static int agent_digest_arg(const char *s)
{
	if (s == NULL)
		return -1;
	return strcmp(s, "on") == 0 ? 1 : strcmp(s, "off") == 0 ? 0 : -2;
}

static int agent_add(struct cli *cli, const char *email, const char *name, const char *queue,
		     int digest)
{
	struct store *store = NULL;
	struct store_agent *old = NULL;
	char *addr, *error = NULL;
	int ret, found;

	if (name == NULL || *name == '\0' || util_has_crlf(name))
		return cli_fail(EX_USAGE, "agent add: --name NAME is required (one line)");
	if ((ret = cli_load(cli)) != 0)
		return ret;
	if (queue != NULL && conf_queue_by_name(cli->conf, queue) == NULL)
		return cli_fail(EX_DATAERR, "agent add: no queue '%s' in %s", queue,
				cli->conf->path);
	if ((ret = cli_store(cli, 0, &store)) != 0)
		return ret;
	addr = util_addr_normalize(email);
	if (store_begin(store, &error) < 0 ||
	    (found = store_agent_get(store, addr, &old, &error)) < 0 ||
	    store_agent_add(store, addr, name, queue, clock_now(), &error) < 0 ||
	    (digest >= 0 && store_agent_set_digest(store, addr, digest == 1, &error) < 0) ||
	    store_commit(store, &error) < 0) {
		store_rollback(store);
		ret = agent_fail_store(error);
	} else {
		agent_done(found == 1 ? "updated" : "added", addr);
	}
	store_agent_free(&old);
	g_free(addr);
	store_close(&store);
	return ret;
}

static int agent_remove(struct cli *cli, const char *email)
{
	struct store *store = NULL;
	char *addr, *error = NULL;
	int ret, removed = -1;

	if ((ret = cli_store(cli, 0, &store)) != 0)
		return ret;
	addr = util_addr_normalize(email);
	if (store_begin(store, &error) < 0 ||
	    (removed = store_agent_remove(store, addr, &error)) < 0 ||
	    (removed == 1 && store_commit(store, &error) < 0)) {
		store_rollback(store);
		ret = agent_fail_store(error);
	} else if (removed == 0) {
		store_rollback(store);
		ret = cli_fail(EX_NOINPUT, "agent remove: %s is not an agent", addr);
	} else {
		agent_done("removed", addr);
	}
	g_free(addr);
	store_close(&store);
	return ret;
}

static void agent_print_json(const GPtrArray *list)
{
	struct report_json *b = report_json_new();
	guint i;

	report_json_begin_array(b, NULL);
	for (i = 0; i < list->len; i++) {
		const struct store_agent *a = g_ptr_array_index(list, i);
		char *created = clock_format(a->created);
		report_json_begin_object(b, NULL);
		report_json_str(b, "email", a->email);
		report_json_str(b, "name", a->name);
		report_json_str(b, "queue", a->queue);
		report_json_str(b, "created", created);
		report_json_end_object(b);
		g_free(created);
	}
	report_json_end_array(b);
	report_json_print(&b, stdout);
}

static int agent_list(struct cli *cli, gboolean json)
{
	struct store *store = NULL;
	GPtrArray *list = NULL;
	char *error = NULL;
	guint i;
	int ret;

	if ((ret = cli_store(cli, STORE_READONLY, &store)) != 0)
		return ret;
	if (store_agent_list(store, NULL, &list, &error) < 0) {
		store_close(&store);
		return agent_fail_store(error);
	}
	if (json) {
		agent_print_json(list);
	} else {
		printf("%-32s %-24s %s\n", "EMAIL", "NAME", "QUEUE");
		for (i = 0; i < list->len; i++) {
			const struct store_agent *a = g_ptr_array_index(list, i);
			printf("%-32s %-24s %s\n", a->email, a->name,
			       a->queue != NULL ? a->queue : "*");
		}
	}
	g_ptr_array_unref(list);
	store_close(&store);
	return 0;
}

int cli_agent(struct cli *cli, int argc, char **argv)
{
	char *name = NULL, *queue = NULL, *digest = NULL;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
	    {"name", 'n', 0, G_OPTION_ARG_STRING, &name, "agent's display name (add)", "NAME"},
	    {"queue", 'q', 0, G_OPTION_ARG_STRING, &queue,
	     "the agent's queue (add; default: every queue)", "Q"},
	    {"digest", 0, 0, G_OPTION_ARG_STRING, &digest,
	     "the daily digest of their tickets (add; default on, when digest_time is set)",
	     "on|off"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON output", NULL},
	    G_OPTION_ENTRY_NULL,
	};
	const char *usage = "agent: usage: agent add EMAIL --name NAME [--queue Q] [--digest on|off] | "
			    "agent list | agent remove EMAIL (each with --json)";
	int ret;

	if ((ret = cli_options(cli, &argc, &argv, entries, "add|list|remove [EMAIL]",
			       "Manage agents.")) != 0)
		goto out;
	if (argc == 3 && strcmp(argv[1], "add") == 0) {
		if (!agent_email_valid(argv[2]))
			ret = cli_fail(EX_DATAERR, "agent add: bad address '%s'", argv[2]);
		else if (agent_digest_arg(digest) == -2)
			ret = cli_fail(EX_USAGE, "agent add: --digest takes on or off, not '%s'",
				       digest);
		else
			ret = agent_add(cli, argv[2], name, queue, agent_digest_arg(digest));
	} else if (digest != NULL) {
		ret = cli_fail(EX_USAGE, "%s", usage);
	} else if (argc == 2 && strcmp(argv[1], "list") == 0 && name == NULL && queue == NULL) {
		ret = agent_list(cli, json);
	} else if (argc == 3 && strcmp(argv[1], "remove") == 0 && name == NULL && queue == NULL) {
		ret = agent_remove(cli, argv[2]);
	} else {
		ret = cli_fail(EX_USAGE, "%s", usage);
	}
out:
	g_free(name);
	g_free(queue);
	g_free(digest);
	return ret;
}
