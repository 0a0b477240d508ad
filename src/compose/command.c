/* command: mail to agents about no one ticket — the answer to mail at an agent's command
 * address (#search, #mine, #queue, #overdue: doc/agents.md "The command address") and the
 * daily digest (#mine and #overdue, doc/agents.md "The daily digest"). The
 * lists are read here from the store (read-only) and written as text lines: number,
 * status, last update, subject. An answer goes to the agent's registered address only
 * (never to the From of the mail that asked), with the agent's command address as its
 * Reply-To. Same threading as the caller's store connection. */
#include "config.h"
#include "postdesk/compose.h"

#include <string.h>

#include "compose-private.h"

#define COMMAND_SEARCH_MAX 10 /* tickets a #search answers with */
#define COMMAND_LIST_MAX 25   /* tickets a list shows; a note says when there are more */
#define COMMAND_SCAN_PAGE 200 /* #overdue reads the open tickets this many at a time */

static void command_line(GString *out, gint64 id, const char *status, gint64 updated,
			 const char *subject)
{
	char *when = clock_format(updated);

	g_string_append_printf(out, "  #%-6" G_GINT64_FORMAT " %-8s %-20s %s\n", id, status, when,
			       subject);
	g_free(when);
}

static int command_search(struct store *store, const char *query, GString *out,
			  char **error_r)
{
	struct store_search_opts o = {.query = query, .limit = COMMAND_SEARCH_MAX};
	GPtrArray *hits = NULL;
	gboolean more = FALSE;

	g_string_append_printf(out, "#search %s\n", query);
	if (store_search(store, &o, &hits, &more, error_r) < 0) {
		if (store_last_error(store) != STORE_ERR_NONE)
			return -1;
		/* thread_command_parse checked the query: only a new rule could get here. */
		g_string_append_printf(out, "  %s\n\n", *error_r);
		g_clear_pointer(error_r, g_free);
		return 0;
	}
	for (guint i = 0; i < hits->len; i++) {
		const struct store_search_hit *h = g_ptr_array_index(hits, i);

		command_line(out, h->ticket_id, h->status, h->updated, h->subject);
	}
	if (hits->len == 0)
		g_string_append(out, "  No ticket matches.\n");
	if (more)
		g_string_append_printf(out, "  (the %d best shown: add words to narrow it)\n",
				       COMMAND_SEARCH_MAX);
	g_string_append_c(out, '\n');
	g_ptr_array_unref(hits);
	return 0;
}

/* Tickets gathered for a list, newest first. */
static void command_keep(const struct store_ticket *t, void *ctx)
{
	struct store_ticket *copy = g_new0(struct store_ticket, 1);

	copy->id = t->id;
	copy->status = g_strdup(t->status);
	copy->subject = g_strdup(t->subject);
	copy->queue = g_strdup(t->queue);
	copy->updated = t->updated;
	g_ptr_array_add(ctx, copy);
}

static void command_ticket_destroy(gpointer p)
{
	struct store_ticket *t = p;

	store_ticket_free(&t);
}

static gint command_newest_first(gconstpointer a, gconstpointer b)
{
	const struct store_ticket *x = *(struct store_ticket *const *)a;
	const struct store_ticket *y = *(struct store_ticket *const *)b;

	return x->id > y->id ? -1 : x->id < y->id;
}

/* The list under its heading, at most COMMAND_LIST_MAX, with a note if there are more.
 * Returns the number of tickets in the list (the digest sends nothing when all are 0). */
static guint command_print_list(GString *out, const char *heading, GPtrArray *list)
{
	g_ptr_array_sort(list, command_newest_first);
	g_string_append_printf(out, "%s\n", heading);
	for (guint i = 0; i < list->len && i < COMMAND_LIST_MAX; i++) {
		const struct store_ticket *t = g_ptr_array_index(list, i);

		command_line(out, t->id, t->status, t->updated, t->subject);
	}
	if (list->len == 0)
		g_string_append(out, "  None.\n");
	if (list->len > COMMAND_LIST_MAX)
		g_string_append_printf(out, "  (the newest %d shown; there are more: `postdesk "
					    "tickets` lists them all)\n", COMMAND_LIST_MAX);
	g_string_append_c(out, '\n');
	return list->len;
}

/* #mine: the agent's new, open and pending tickets. */
static int command_mine(struct store *store, const struct store_agent *agent, GString *out,
			guint *listed, char **error_r)
{
	static const char *const statuses[] = {"new", "open", "pending"};
	GPtrArray *list = g_ptr_array_new_with_free_func(command_ticket_destroy);
	int ret = 0;

	for (guint i = 0; ret >= 0 && i < G_N_ELEMENTS(statuses); i++)
		ret = store_ticket_page_by(store, agent->email, NULL, statuses[i],
					   COMMAND_LIST_MAX + 1, command_keep, list, error_r);
	if (ret >= 0)
		*listed += command_print_list(out, "#mine: your new, open and pending tickets", list);
	g_ptr_array_unref(list);
	return ret < 0 ? -1 : 0;
}

/* The queues a request is about: the one named, else the agent's, else every one. NULL
 * (with a line in out) when the name is no queue. */
static GPtrArray *command_queues(const struct conf *conf, const struct store_agent *agent,
				 const char *name, GString *out)
{
	GPtrArray *qs = g_ptr_array_new();
	const struct conf_queue *q;

	if (name == NULL)
		name = agent->queue;
	if (name == NULL) {
		for (guint i = 0; i < conf->queues->len; i++)
			g_ptr_array_add(qs, g_ptr_array_index(conf->queues, i));
		return qs;
	}
	if ((q = conf_queue_by_name(conf, name)) == NULL) {
		g_string_append_printf(out, "#queue %s\n  There is no queue named \"%s\" (queues:",
				       name, name);
		for (guint i = 0; i < conf->queues->len; i++)
			g_string_append_printf(out, " %s", ((const struct conf_queue *)
							    g_ptr_array_index(conf->queues, i))->name);
		g_string_append(out, ").\n\n");
		g_ptr_array_unref(qs);
		return NULL;
	}
	g_ptr_array_add(qs, (gpointer)q);
	return qs;
}

/* #queue [NAME]: the new and open tickets of a queue (the agent's, or all). */
static int command_queue(struct compose_ctx *ctx, struct store *store,
			 const struct store_agent *agent, const char *name, GString *out,
			 char **error_r)
{
	static const char *const statuses[] = {"new", "open"};
	GPtrArray *qs = command_queues(ctx->conf, agent, name, out), *list;
	char *heading;
	int ret = 0;

	if (qs == NULL)
		return 0;
	list = g_ptr_array_new_with_free_func(command_ticket_destroy);
	for (guint i = 0; ret >= 0 && i < qs->len; i++)
		for (guint s = 0; ret >= 0 && s < G_N_ELEMENTS(statuses); s++)
			ret = store_ticket_page_by(
			    store, NULL, ((const struct conf_queue *)g_ptr_array_index(qs, i))->name,
			    statuses[s], COMMAND_LIST_MAX + 1, command_keep, list, error_r);
	heading = g_strdup_printf("#queue%s%s: new and open tickets", qs->len == 1 ? " " : "",
				  qs->len == 1 ? ((const struct conf_queue *)qs->pdata[0])->name
					       : " (every queue)");
	if (ret >= 0)
		command_print_list(out, heading, list);
	g_free(heading);
	g_ptr_array_unref(list);
	g_ptr_array_unref(qs);
	return ret < 0 ? -1 : 0;
}

struct overdue_walk {
	GPtrArray *page;  /* this page's tickets (command_keep) */
	gint64 last;      /* the smallest id seen: the next page starts below it */
};

/* Is t overdue: in one of qs, no agent answer yet and its first-response target passed? */
static int command_is_overdue(struct store *store, const GPtrArray *qs,
			      const struct store_ticket *t, gint64 now, char **error_r)
{
	gint64 when = 0;
	gboolean in_queue = FALSE;
	int ret;

	for (guint i = 0; i < qs->len && !in_queue; i++)
		in_queue = strcmp(((const struct conf_queue *)g_ptr_array_index(qs, i))->name,
				  t->queue) == 0;
	if (!in_queue)
		return 0;
	if ((ret = store_ticket_first_reply(store, t->id, &when, error_r)) != 0)
		return ret < 0 ? -1 : 0;
	return store_ticket_frt_due(store, t->id, now, error_r);
}

/* #overdue: new and open tickets of the agent's queue (or all) past their first-response
 * target without an answer. Reads the open tickets (the desk's current work, not its
 * history) a page at a time. */
static int command_overdue(struct compose_ctx *ctx, struct store *store,
			   const struct store_agent *agent, gint64 now, GString *out,
			   guint *listed, char **error_r)
{
	static const char *const statuses[] = {"new", "open"};
	GPtrArray *qs = command_queues(ctx->conf, agent, NULL, out), *list;
	int ret = 0;

	list = g_ptr_array_new_with_free_func(command_ticket_destroy);
	for (guint s = 0; ret >= 0 && s < G_N_ELEMENTS(statuses); s++) {
		struct overdue_walk w = {NULL, 0};

		do {
			w.page = g_ptr_array_new_with_free_func(command_ticket_destroy);
			ret = store_ticket_page(store, statuses[s], w.last, COMMAND_SCAN_PAGE,
						command_keep, w.page, error_r);
			for (guint i = 0; ret >= 0 && i < w.page->len; i++) {
				struct store_ticket *t = g_ptr_array_index(w.page, i);
				int due = command_is_overdue(store, qs, t, now, error_r);

				w.last = t->id;
				if (due < 0)
					ret = -1;
				else if (due == 1 && list->len <= COMMAND_LIST_MAX)
					g_ptr_array_add(list, g_ptr_array_steal_index(w.page, i--));
			}
			g_ptr_array_unref(w.page);
		} while (ret == COMMAND_SCAN_PAGE);
	}
	if (ret >= 0)
		*listed += command_print_list(
		    out, "#overdue: past the first-response target, not answered", list);
	g_ptr_array_unref(list);
	g_ptr_array_unref(qs);
	return ret < 0 ? -1 : 0;
}

int compose_command_lists(struct compose_ctx *ctx, struct store *store,
			  const struct store_agent *agent, const struct compose_request *reqs,
			  guint n, gint64 now, GString *out, char **error_r)
{
	guint listed = 0;
	int ret = 0;

	for (guint i = 0; ret == 0 && i < n; i++) {
		switch (reqs[i].kind) {
		case COMPOSE_LIST_SEARCH:
			ret = command_search(store, reqs[i].arg, out, error_r);
			break;
		case COMPOSE_LIST_MINE:
			ret = command_mine(store, agent, out, &listed, error_r);
			break;
		case COMPOSE_LIST_QUEUE:
			ret = command_queue(ctx, store, agent, reqs[i].arg, out, error_r);
			break;
		case COMPOSE_LIST_OVERDUE:
			ret = command_overdue(ctx, store, agent, now, out, &listed, error_r);
			break;
		}
	}
	return ret;
}

int compose_digest_lists(struct compose_ctx *ctx, struct store *store,
			 const struct store_agent *agent, gint64 now, GString *out,
			 guint *listed_r, char **error_r)
{
	*listed_r = 0;
	if (command_mine(store, agent, out, listed_r, error_r) < 0 ||
	    command_overdue(ctx, store, agent, now, out, listed_r, error_r) < 0)
		return -1;
	return 0;
}

/* The agent's command address (g_malloc'ed) on queue q. */
static int command_address(struct compose_ctx *ctx, const struct conf_queue *q,
			   const struct store_agent *agent, char **addr_r, char **error_r)
{
	struct token t = {.id = agent->id, .role = TOKEN_COMMAND, .score = -1};

	return token_address(ctx->keys, q->local, ctx->conf->domain, &t, addr_r, error_r);
}

int compose_queue_agent_mail(struct compose_ctx *ctx, struct store *store,
			     const struct store_agent *agent, const char *kind,
			     const char *subject, const char *text, const char *in_reply_to,
			     gint64 now, char **error_r)
{
	const struct conf_queue *q = agent->queue != NULL
					 ? conf_queue_by_name(ctx->conf, agent->queue)
					 : NULL;
	struct compose_job job;
	char *addr = NULL;
	int ret = -1;

	if (q == NULL)
		q = g_ptr_array_index(ctx->conf->queues, 0);
	compose_job_init(&job, COMPOSE_COMMAND_ANSWER, kind, 0, ctx);
	if (command_address(ctx, q, agent, &addr, error_r) < 0)
		goto out;
	compose_var(job.vars, "agent.name", agent->name);
	compose_var(job.vars, "agent.email", agent->email);
	compose_var(job.vars, "queue.name", q->name);
	compose_var(job.vars, "queue.address", q->address);
	compose_var(job.vars, "reason", subject);
	compose_var(job.vars, "tickets", text);
	compose_var(job.vars, "commands", addr);
	struct parse_out_addr to = {agent->name, agent->email}, reply = {q->display, addr};
	g_ptr_array_add(job.rcpts, g_strdup(agent->email));
	job.mail.from_name = q->display;
	job.mail.from_addr = q->address;
	job.mail.to = &to;
	job.mail.n_to = 1;
	job.mail.reply_to = &reply;
	job.mail.auto_submitted = "auto-replied";
	job.mail.in_reply_to = in_reply_to != NULL && compose_msgid_ok(in_reply_to)
				   ? in_reply_to
				   : NULL;
	if (job.mail.in_reply_to != NULL) {
		job.mail.references = &job.mail.in_reply_to;
		job.mail.n_references = 1;
	}
	ret = compose_job_queue(ctx, store, &job, now, error_r);
out:
	g_free(addr);
	compose_job_clear(&job);
	return ret;
}
