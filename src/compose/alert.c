/* alert: the mail that tells the admins a mailbox has not been fetched for alert_after
 * (issue 15, doc/fetch.md: "fetching stopped three days ago and nobody noticed"). The
 * template mailbox_alert is read when an alert is sent (rare; an admin's override is
 * picked up without a restart), in the language of the mailbox's queue with the English
 * one as fallback. Runs in the caller's thread and transaction. */
#include "config.h"
#include "postdesk/compose.h"

#include <string.h>

#include "compose-private.h"

/* alert_to split on spaces and commas, else the queue's lead; only plain addresses (no
 * CR/LF, one '@'): an address goes into To and the envelope. */
static void alert_rcpts(const struct conf_mailbox *m, GPtrArray *rcpts)
{
	char **words;

	if (m->alert_to == NULL) {
		if (m->queue_ref->lead != NULL)
			g_ptr_array_add(rcpts, g_strdup(m->queue_ref->lead));
		return;
	}
	words = g_strsplit_set(m->alert_to, " \t,", -1);
	for (guint i = 0; words[i] != NULL; i++) {
		const char *at = strchr(words[i], '@');
		if (words[i][0] == '\0' || at == NULL || strchr(at + 1, '@') != NULL ||
		    strpbrk(words[i], "\r\n<>\"") != NULL) {
			if (words[i][0] != '\0')
				log_warn("[mailbox %s] alert_to: \"%s\" is no address, left out",
					 m->name, words[i]);
			continue;
		}
		g_ptr_array_add(rcpts, g_ascii_strdown(words[i], -1));
	}
	g_strfreev(words);
}

int compose_queue_mailbox_alert(struct compose_ctx *ctx, struct store *store,
				const struct conf_mailbox *m, const char *text, gint64 now,
				char **error_r)
{
	const struct conf_queue *q = m->queue_ref;
	struct compose_template *t = NULL;
	struct compose_job job;
	struct parse_out_addr *to;
	int ret;

	compose_job_init(&job, COMPOSE_COMMAND_ANSWER, "mailbox_alert", 0, ctx);
	alert_rcpts(m, job.rcpts);
	if (job.rcpts->len == 0) {
		compose_job_clear(&job);
		return 0;
	}
	if (compose_template_load_lang(ctx->conf->template_dir, compose_template_default_dir(),
				       q->language, "mailbox_alert", &t, error_r) < 0) {
		compose_job_clear(&job);
		return -1;
	}
	to = g_new0(struct parse_out_addr, job.rcpts->len);
	for (guint i = 0; i < job.rcpts->len; i++)
		to[i] = (struct parse_out_addr){NULL, g_ptr_array_index(job.rcpts, i)};
	job.own_tpl = t;
	compose_var(job.vars, "reason", text);
	compose_var(job.vars, "queue.name", q->name);
	compose_var(job.vars, "queue.address", q->address);
	job.mail.from_name = q->display;
	job.mail.from_addr = q->address;
	job.mail.to = to;
	job.mail.n_to = job.rcpts->len;
	job.mail.auto_submitted = "auto-generated";
	ret = compose_job_queue(ctx, store, &job, now, error_r);
	compose_job_clear(&job);
	compose_template_free(&t);
	g_free(to);
	return ret < 0 ? -1 : 1;
}
