/* logline: the one info line per delivered recipient, like Postfix's own "status=sent"
 * lines: Postfix's queue id (when Postfix passed the message), the queue, the ticket, the
 * verdict and the milliseconds the delivery took. The queue id is read from the first
 * Received: field, which Postfix's cleanup adds ("by HOST (Postfix) with ESMTP id QID"):
 * the LMTP client sends no XFORWARD by default, and this needs no Postfix setting.
 * Owns nothing; any thread (log_msg writes one line per call). */
#include "config.h"
#include "postdesk/deliver.h"
#include "postdesk/lib.h"

#include <string.h>

#define LOGLINE_HEAD_MAX 8192 /* bytes of the header looked at for the Received: field */

/* The first Received: field of the head (unfolded), or NULL; g_malloc'ed. */
static char *logline_first_received(const char *head, gsize len)
{
	const char *p = head, *end = head + len;

	while (p < end && *p != '\r' && *p != '\n') {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *next = eol != NULL ? eol + 1 : end;

		if ((size_t)(end - p) > 9 && g_ascii_strncasecmp(p, "Received:", 9) == 0) {
			GString *field = g_string_new_len(p + 9, next - p - 9);

			/* continuation lines start with a space or a tab */
			while (next < end && (*next == ' ' || *next == '\t')) {
				eol = memchr(next, '\n', (size_t)(end - next));
				p = next;
				next = eol != NULL ? eol + 1 : end;
				g_string_append_len(field, p, next - p);
			}
			return g_string_free(field, FALSE);
		}
		p = next;
	}
	return NULL;
}

/* Postfix's queue id of the message, or NULL; g_malloc'ed. */
static char *logline_queue_id(const struct deliver_msg *d)
{
	char head[LOGLINE_HEAD_MAX];
	gsize len = MIN(d->raw_len, sizeof(head));
	GMatchInfo *mi = NULL;
	char *received, *qid = NULL;
	static GRegex *re; /* made once, then only read */
	static gsize once;

	if (d->raw != NULL)
		memcpy(head, d->raw, len);
	else if (d->raw_fd < 0 || spool_read_at(d->raw_fd, 0, head, len, NULL) < 0)
		return NULL;
	received = logline_first_received(head, len);
	if (received == NULL)
		return NULL;
	if (g_once_init_enter(&once)) {
		/* No G_REGEX_OPTIMIZE: PCRE2's JIT code is opaque to valgrind (valgrind.sh). */
		re = g_regex_new("\\(Postfix\\)\\s+with\\s+\\S+\\s+id\\s+([0-9A-Za-z]{5,32})\\b",
				 0, 0, NULL);
		g_once_init_leave(&once, 1);
	}
	if (g_regex_match(re, received, 0, &mi))
		qid = g_match_info_fetch(mi, 1);
	g_match_info_free(mi);
	g_free(received);
	return qid;
}

void deliver_log(const struct deliver_msg *d, gint64 started_us)
{
	static const char *const status[] = {"ok", "tempfail", "permfail"};
	gint64 ms = (g_get_monotonic_time() - started_us) / 1000;
	char *qid = logline_queue_id(d);

	for (guint i = 0; i < d->rcpts->len; i++) {
		const struct deliver_rcpt *r = &g_array_index(d->rcpts, struct deliver_rcpt, i);
		const struct verdict *v = &d->verdicts[i];

		/* the queue's name, not the address: a reply address holds its token */
		log_info("delivered queue_id=%s queue=%s ticket=%" G_GINT64_FORMAT
			 " verdict=%s %d %s ms=%" G_GINT64_FORMAT,
			 qid != NULL ? qid : "-", r->queue != NULL ? r->queue->name : "-",
			 d->ticket_ids != NULL ? d->ticket_ids[i] : 0, status[v->status], v->smtp,
			 v->enh, ms);
	}
	g_free(qid);
}
