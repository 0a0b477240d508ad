/* agent: what an agent's mail does to a ticket. The top lines of the mail may be commands
 * (#note, #status, #assign, #priority, #tag, #lang); the rest is the reply text. Parsing
 * is pure; applying runs inside the caller's transaction. A mistyped command must never
 * let the text reach the customer, so parse errors are collected, not skipped. */
#include "config.h"
#include "postdesk/thread.h"
#include "postdesk/lib.h"

#include <string.h>

static const char *const agent_statuses[] = {"open", "pending", "resolved", "closed"};
static const char *const agent_priorities[] = {"low", "normal", "high", "urgent"};

static gboolean agent_in(const char *word, const char *const *list, gsize n)
{
	gsize i;

	for (i = 0; i < n; i++)
		if (strcmp(word, list[i]) == 0)
			return TRUE;
	return FALSE;
}

static gboolean agent_valid_tag(const char *tag)
{
	const char *p;

	if (tag[0] == '\0' || strlen(tag) > 64)
		return FALSE;
	for (p = tag; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return FALSE;
	return TRUE;
}

static gboolean agent_valid_addr(const char *a)
{
	const char *at = strchr(a, '@');

	return at != NULL && at != a && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
	       strpbrk(a, " \t<>\r\n") == NULL;
}

/* A line meant as a command: '#', maybe spaces, a letter. "# note" is a mistyped "#note"
 * (an error, so nothing leaks), not text for the customer. */
static gboolean agent_command_line(const char *line)
{
	const char *p = line + 1;

	if (line[0] != '#')
		return FALSE;
	while (*p == ' ' || *p == '\t')
		p++;
	return g_ascii_isalpha(*p);
}

/* One command line ("#status resolved"): append a command or an error. */
static void agent_parse_line(struct thread_agent_mail *am, guint lineno, const char *line)
{
	char **words = g_strsplit_set(line + 1, " \t", 3);
	char *cmd = g_ascii_strdown(words[0], -1);
	char *arg = words[1] != NULL ? g_ascii_strdown(g_strstrip(words[1]), -1) : g_strdup("");
	struct thread_cmd c = {0};
	const char *bad = NULL;

	if (strcmp(cmd, "note") == 0) {
		am->note = TRUE;
		goto out;
	} else if (strcmp(cmd, "status") == 0) {
		c.kind = THREAD_CMD_STATUS;
		if (!agent_in(arg, agent_statuses, G_N_ELEMENTS(agent_statuses)))
			bad = "expected open, pending, resolved or closed";
	} else if (strcmp(cmd, "assign") == 0) {
		c.kind = THREAD_CMD_ASSIGN;
		if (strcmp(arg, "me") != 0 && !agent_valid_addr(arg))
			bad = "expected an agent's address or 'me'";
	} else if (strcmp(cmd, "priority") == 0) {
		c.kind = THREAD_CMD_PRIORITY;
		if (!agent_in(arg, agent_priorities, G_N_ELEMENTS(agent_priorities)))
			bad = "expected low, normal, high or urgent";
	} else if (strcmp(cmd, "tag") == 0) {
		c.kind = THREAD_CMD_TAG;
		if (!agent_valid_tag(arg))
			bad = "expected one word (letters, digits, - _ .)";
	} else if (strcmp(cmd, "lang") == 0) {
		c.kind = THREAD_CMD_LANG;
		if (lang_index(arg) < 0)
			bad = "expected en, de, fr, es, it or nl";
	} else {
		bad = "unknown command (known: #note #status #assign #priority #tag #lang)";
	}
	if (bad == NULL && words[1] != NULL && words[2] != NULL)
		bad = "too many words";
	if (bad != NULL) {
		g_ptr_array_add(am->errors, g_strdup_printf("line %u: \"%s\": %s", lineno,
							    line, bad));
		goto out;
	}
	c.arg = arg;
	arg = NULL;
	g_array_append_val(am->cmds, c);
out:
	g_free(arg);
	g_free(cmd);
	g_strfreev(words);
}

void thread_agent_parse(const char *text, struct thread_agent_mail **am_r)
{
	struct thread_agent_mail *am = g_new0(struct thread_agent_mail, 1);
	char **lines = g_strsplit(text, "\n", -1);
	GString *rest = g_string_new("");
	gboolean in_commands = TRUE;
	guint i;

	am->cmds = g_array_new(FALSE, TRUE, sizeof(struct thread_cmd));
	am->errors = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip(g_strdup(lines[i]));
		if (in_commands && agent_command_line(line))
			agent_parse_line(am, i + 1, line);
		else if (in_commands && line[0] == '\0')
			; /* blank lines between commands */
		else {
			in_commands = FALSE;
			g_string_append(rest, lines[i]);
			g_string_append_c(rest, '\n');
		}
		g_free(line);
	}
	am->text = g_strstrip(g_string_free(rest, FALSE));
	g_strfreev(lines);
	*am_r = am;
}

void thread_agent_mail_free(struct thread_agent_mail **amp)
{
	struct thread_agent_mail *am = *amp;
	guint i;

	if (am == NULL)
		return;
	for (i = 0; i < am->cmds->len; i++)
		g_free(g_array_index(am->cmds, struct thread_cmd, i).arg);
	g_array_free(am->cmds, TRUE);
	g_ptr_array_unref(am->errors);
	g_free(am->text);
	g_free(am);
	*amp = NULL;
}

/* "#assign EMAIL" must name a registered agent: checked before anything is applied. */
static int agent_check_assignees(struct store *store, struct thread_agent_mail *am,
				 char **error_r)
{
	guint i;

	for (i = 0; i < am->cmds->len; i++) {
		const struct thread_cmd *c = &g_array_index(am->cmds, struct thread_cmd, i);
		struct store_agent *a = NULL;
		int ret;
		if (c->kind != THREAD_CMD_ASSIGN || strcmp(c->arg, "me") == 0)
			continue;
		ret = store_agent_get(store, c->arg, &a, error_r);
		if (ret < 0)
			return -1;
		if (ret == 0)
			g_ptr_array_add(am->errors,
					g_strdup_printf("#assign %s: not a registered agent", c->arg));
		store_agent_free(&a);
	}
	return 0;
}

/* #lang: the ticket's customer mail from now on, and the customer's next ticket
 * (doc/languages.md: an agent's word is the strongest evidence there is). */
static int agent_set_lang(struct store *store, gint64 ticket, const char *lang,
			  char **error_r)
{
	struct store_ticket *t = NULL;
	int ret = store_ticket_get(store, ticket, &t, error_r);

	if (ret == 0)
		ret = util_error(error_r, "no ticket %" G_GINT64_FORMAT, ticket);
	if (ret > 0)
		ret = store_ticket_set_lang(store, ticket, lang, error_r) < 0 ||
			      store_customer_set_lang(store, t->requester_id, lang, error_r) < 0
			  ? -1
			  : 0;
	store_ticket_free(&t);
	return ret;
}

static int agent_apply_one(struct store *store, gint64 ticket, const char *agent,
			   const struct thread_cmd *c, gint64 now, char **error_r)
{
	const char *who = c->arg;
	char *detail;
	int ret;

	switch (c->kind) {
	case THREAD_CMD_STATUS:
		ret = store_ticket_set_status(store, ticket, c->arg, now, error_r);
		detail = g_strdup(c->arg); /* reports read the new status from here */
		break;
	case THREAD_CMD_ASSIGN:
		if (strcmp(who, "me") == 0)
			who = agent;
		ret = store_ticket_set_assignee(store, ticket, who, now, error_r);
		detail = g_strdup_printf("assigned to %s", who);
		break;
	case THREAD_CMD_PRIORITY:
		ret = store_ticket_set_priority(store, ticket, c->arg, now, error_r);
		detail = g_strdup_printf("priority %s", c->arg);
		break;
	case THREAD_CMD_LANG:
		ret = agent_set_lang(store, ticket, c->arg, error_r);
		detail = g_strdup_printf("language %s", c->arg);
		break;
	case THREAD_CMD_TAG:
	default:
		ret = store_tag_add(store, ticket, c->arg, error_r);
		detail = g_strdup_printf("tag %s", c->arg);
		break;
	}
	if (ret == 0)
		ret = store_event_add(store, ticket, now,
				      c->kind == THREAD_CMD_STATUS ? "status" : "command", agent,
				      detail, error_r);
	g_free(detail);
	return ret;
}

int thread_agent_apply(struct store *store, gint64 ticket_id, const char *agent_email,
		       struct thread_agent_mail *am, gint64 now, char **error_r)
{
	guint i;

	if (agent_check_assignees(store, am, error_r) < 0)
		return -1;
	if (am->errors->len > 0)
		return 0;
	for (i = 0; i < am->cmds->len; i++) {
		if (agent_apply_one(store, ticket_id, agent_email,
				    &g_array_index(am->cmds, struct thread_cmd, i), now,
				    error_r) < 0)
			return -1;
	}
	return 0;
}
