/* agent: what an agent's mail does to a ticket. The top lines of the mail may be commands
 * (#note, #status, #assign, #priority, #tag, #lang; #merge and #split are applied by agent_moves.c);
 * the rest is the reply text, where a line
 * "#macro NAME" (also among the commands) marks the place of a canned reply that the
 * caller renders (compose/) and hands to thread_agent_expand(). Parsing is pure;
 * applying runs inside the caller's transaction. A mistyped command must never let the
 * text reach the customer, so parse errors are collected, not skipped. */
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

/* "#merge 123" (or "#123", as in a subject tag): the digits, or NULL. */
static char *agent_number(const char *arg)
{
	const char *p = arg[0] == '#' ? arg + 1 : arg;
	const char *q;

	if (p[0] == '\0' || strlen(p) > 18)
		return NULL;
	for (q = p; *q != '\0'; q++)
		if (!g_ascii_isdigit(*q))
			return NULL;
	return g_strdup(p);
}

/* "#split ROW [rest] [notify]": arg (owned) becomes "ROW[ rest][ notify]", or an error. */
static const char *agent_split_arg(char **words, char **arg)
{
	/* words[2] exists only when words[1] does */
	char **w = g_strsplit_set(words[1] != NULL && words[2] != NULL ? words[2] : "", " \t",
				  -1);
	char *row = agent_number(*arg);
	gboolean rest = FALSE, notify = FALSE;
	const char *bad = row == NULL ? "expected a message number (#split 1234 [rest] [notify])"
				      : NULL;
	guint i;

	for (i = 0; w[i] != NULL && bad == NULL; i++) {
		char *word = g_ascii_strdown(w[i], -1);
		if (word[0] == '\0')
			;
		else if (strcmp(word, "rest") == 0 && !rest)
			rest = TRUE;
		else if (strcmp(word, "notify") == 0 && !notify)
			notify = TRUE;
		else
			bad = "after the message number, expected 'rest' and/or 'notify'";
		g_free(word);
	}
	g_strfreev(w);
	g_free(*arg);
	*arg = bad == NULL ? g_strdup_printf("%s%s%s", row, rest ? " rest" : "",
					     notify ? " notify" : "")
			   : g_strdup("");
	g_free(row);
	return bad;
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

/* "#macro NAME": the name (lower-case, g_malloc'ed), "" when the name is not one a macro
 * file can have; NULL for any other line. */
static char *agent_macro_line(const char *line)
{
	char *arg, *name;
	char **words;

	if (g_ascii_strncasecmp(line, "#macro", 6) != 0 ||
	    (line[6] != '\0' && line[6] != ' ' && line[6] != '\t'))
		return NULL;
	arg = g_strstrip(g_strdup(line + 6));
	words = g_strsplit_set(arg, " \t", 2);
	name = g_ascii_strdown(words[0] != NULL ? words[0] : "", -1);
	if (name[0] == '\0' || words[1] != NULL || strlen(name) > 64 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(name))
		name[0] = '\0';
	g_strfreev(words);
	g_free(arg);
	return name;
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
	} else if (strcmp(cmd, "merge") == 0) {
		char *n = agent_number(arg);
		c.kind = THREAD_CMD_MERGE;
		if (n == NULL)
			bad = "expected a ticket number (#merge 123)";
		g_free(arg);
		arg = n != NULL ? n : g_strdup("");
	} else if (strcmp(cmd, "split") == 0) {
		c.kind = THREAD_CMD_SPLIT;
		bad = agent_split_arg(words, &arg);
	} else if (strcmp(cmd, "lang") == 0) {
		c.kind = THREAD_CMD_LANG;
		if (lang_index(arg) < 0)
			bad = "expected en, de, fr, es, it or nl";
	} else {
		bad = "unknown command (known: #note #status #assign #priority #tag #lang "
		      "#merge #split #macro)";
	}
	if (bad == NULL && c.kind != THREAD_CMD_SPLIT && words[1] != NULL && words[2] != NULL)
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
	am->macros = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip(g_strdup(lines[i]));
		char *macro = agent_macro_line(line);
		if (macro != NULL && macro[0] == '\0') {
			g_ptr_array_add(am->errors,
					g_strdup_printf("line %u: \"%s\": expected #macro NAME (letters, "
							"digits, - _)", i + 1, line));
			g_free(macro);
		} else if (macro != NULL) {
			/* Its place in the text, among the commands too: the commands below it
			 * are still commands. */
			g_string_append_printf(rest, "#macro %s\n", macro);
			g_ptr_array_add(am->macros, macro);
		} else if (in_commands && agent_command_line(line))
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
	g_ptr_array_unref(am->macros);
	g_free(am->text);
	g_free(am);
	*amp = NULL;
}

static gboolean agent_has_kind(const struct thread_agent_mail *am, enum thread_cmd_kind kind)
{
	for (guint i = 0; i < am->cmds->len; i++)
		if (g_array_index(am->cmds, struct thread_cmd, i).kind == kind)
			return TRUE;
	return FALSE;
}

/* am->text with its first line equal to `line` replaced by `with`. */
static void agent_replace_line(struct thread_agent_mail *am, const char *line, const char *with)
{
	char **lines = g_strsplit(am->text, "\n", -1);
	GString *out = g_string_new("");
	gboolean done = FALSE;

	for (guint i = 0; lines[i] != NULL; i++) {
		char *l = g_strstrip(g_strdup(lines[i]));
		if (!done && g_ascii_strcasecmp(l, line) == 0) {
			g_string_append(out, with);
			done = TRUE;
		} else {
			g_string_append(out, lines[i]);
		}
		if (lines[i + 1] != NULL)
			g_string_append_c(out, '\n');
		g_free(l);
	}
	g_strfreev(lines);
	g_free(am->text);
	am->text = g_strstrip(g_string_free(out, FALSE));
}

void thread_agent_expand(struct thread_agent_mail *am, const char *name,
			 const char *macro_text)
{
	struct thread_agent_mail *m = NULL;
	char *line = g_strdup_printf("#macro %s", name);
	guint i;

	thread_agent_parse(macro_text, &m);
	for (i = 0; i < m->errors->len; i++)
		g_ptr_array_add(am->errors, g_strdup_printf("macro %s: %s", name,
				(const char *)g_ptr_array_index(m->errors, i)));
	if (m->macros->len > 0)
		g_ptr_array_add(am->errors,
				g_strdup_printf("macro %s: a macro cannot use #macro", name));
	am->note = am->note || m->note;
	/* The agent's own command of a kind wins over the macro's (tags add up). */
	for (i = 0; i < m->cmds->len; i++) {
		struct thread_cmd *c = &g_array_index(m->cmds, struct thread_cmd, i);
		if (c->kind != THREAD_CMD_TAG && agent_has_kind(am, c->kind))
			continue;
		g_array_append_val(am->cmds, *c);
		c->arg = NULL; /* moved */
	}
	agent_replace_line(am, line, m->text);
	thread_agent_mail_free(&m);
	g_free(line);
}

int thread_agent_after_reply(struct store *store, gint64 ticket_id, const char *agent_email,
			     const struct thread_agent_mail *am, const char *status, gint64 now,
			     char **error_r)
{
	struct store_ticket *t = NULL;
	gboolean same;
	int ret;

	if (status == NULL || strcmp(status, "unchanged") == 0 ||
	    agent_has_kind(am, THREAD_CMD_STATUS))
		return 0;
	if ((ret = store_ticket_get(store, ticket_id, &t, error_r)) <= 0)
		return ret;
	same = strcmp(t->status, status) == 0;
	store_ticket_free(&t);
	if (same)
		return 0;
	if (store_ticket_set_status(store, ticket_id, status, now, error_r) < 0 ||
	    store_event_add(store, ticket_id, now, "status", agent_email, status, error_r) < 0)
		return -1;
	return 1;
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
	case THREAD_CMD_MERGE:
	case THREAD_CMD_SPLIT:
		return 0; /* thread_agent_run (agent_moves.c) applies them */
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
