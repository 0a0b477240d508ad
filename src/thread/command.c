/* command: the requests of mail to an agent's command address (doc/agents.md "The command
 * address"): #search WORDS, #mine, #queue [NAME], #overdue, one per line at the top of the
 * new text. Pure parsing: the requests are read-only, so a mail may hold several; a
 * mistyped one is an error for the agent, and then none is answered (the agent corrects
 * the mail rather than reading half an answer). */
#include "config.h"
#include "postdesk/thread.h"
#include "postdesk/lib.h"
#include "postdesk/store.h"

#include <string.h>

#define COMMAND_MAX 5

static const struct {
	const char *name;
	enum thread_request_kind kind;
	gboolean arg;  /* takes an argument: search (needed), queue (optional) */
} command_names[] = {
	{"search", THREAD_REQ_SEARCH, TRUE},
	{"mine", THREAD_REQ_MINE, FALSE},
	{"queue", THREAD_REQ_QUEUE, TRUE},
	{"overdue", THREAD_REQ_OVERDUE, FALSE},
};

/* One "#word rest" line: a request or an error. */
static void command_line(struct thread_command_mail *cm, guint lineno, const char *line)
{
	const char *p = line + 1 + strspn(line + 1, " \t");
	gsize n = strcspn(p, " \t");
	char *name = g_ascii_strdown(p, (gssize)n), *arg = g_strstrip(g_strdup(p + n));
	char *bad = NULL, *fts = NULL;
	struct thread_request req = {0};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(command_names); i++)
		if (strcmp(name, command_names[i].name) == 0)
			break;
	if (i == G_N_ELEMENTS(command_names))
		bad = g_strdup("unknown command (this address takes #search WORDS, #mine, "
			       "#queue [NAME] and #overdue)");
	else if (!command_names[i].arg && arg[0] != '\0')
		bad = g_strdup_printf("#%s takes nothing after it", name);
	else if (command_names[i].kind == THREAD_REQ_SEARCH && arg[0] == '\0')
		bad = g_strdup("#search needs the words to look for");
	else if (command_names[i].kind == THREAD_REQ_SEARCH &&
		 store_search_parse(arg, &fts, &bad) < 0)
		; /* bad: the query's mistake, in the user's terms */
	else if (command_names[i].kind == THREAD_REQ_QUEUE && strpbrk(arg, " \t") != NULL)
		bad = g_strdup("#queue takes one queue name");
	else if (cm->requests->len >= COMMAND_MAX)
		bad = g_strdup_printf("at most %d requests in one mail", COMMAND_MAX);
	if (bad != NULL) {
		g_ptr_array_add(cm->errors,
				g_strdup_printf("line %u: \"%s\": %s", lineno, line, bad));
	} else {
		req.kind = command_names[i].kind;
		req.arg = arg[0] != '\0' ? g_strdup(arg) : NULL;
		g_array_append_val(cm->requests, req);
	}
	g_free(fts);
	g_free(bad);
	g_free(arg);
	g_free(name);
}

void thread_command_parse(const char *text, struct thread_command_mail **cm_r)
{
	struct thread_command_mail *cm = g_new0(struct thread_command_mail, 1);
	char **lines = g_strsplit(text != NULL ? text : "", "\n", -1);

	cm->requests = g_array_new(FALSE, TRUE, sizeof(struct thread_request));
	cm->errors = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip(g_strdup(lines[i]));

		/* Command lines first; the first other line ends them (a signature, a
		 * greeting: not read). */
		if (line[0] == '#')
			command_line(cm, i + 1, line);
		else if (line[0] != '\0' && (cm->requests->len > 0 || cm->errors->len > 0)) {
			g_free(line);
			break;
		} else if (line[0] != '\0') {
			g_ptr_array_add(cm->errors, g_strdup_printf(
						   "line %u: \"%s\": not a command (start the mail "
						   "with #search WORDS, #mine, #queue or #overdue)",
						   i + 1, line));
			g_free(line);
			break;
		}
		g_free(line);
	}
	if (cm->requests->len == 0 && cm->errors->len == 0)
		g_ptr_array_add(cm->errors, g_strdup("the mail holds no command (#search WORDS, "
						     "#mine, #queue [NAME] or #overdue)"));
	g_strfreev(lines);
	*cm_r = cm;
}

void thread_command_mail_free(struct thread_command_mail **cmp)
{
	struct thread_command_mail *cm = *cmp;

	if (cm == NULL)
		return;
	for (guint i = 0; i < cm->requests->len; i++)
		g_free(g_array_index(cm->requests, struct thread_request, i).arg);
	g_array_unref(cm->requests);
	g_ptr_array_unref(cm->errors);
	g_clear_pointer(cmp, g_free);
}
