/* fetch: one mailbox's loop (issue 15, doc/fetch.md). A session (imap.c or pop3.c) polls
 * until it ends; a good session is followed by poll_interval of waiting (IMAP with IDLE
 * spends that time inside the session), a failed one by a doubling delay (fetch_backoff,
 * up to retry_max), recorded in mailbox_state with the error and logged. A failure is loud:
 * once no poll has succeeded for alert_after, the admins get one mail per outage
 * (compose_queue_mailbox_alert, through the outbox like all mail), and the first good poll
 * after failures logs the recovery. Owns the struct fetch_box of the mailbox; one thread. */
#include "config.h"
#include "fetch-private.h"
#include "postdesk/compose.h"

#include <string.h>

#define FETCH_BACKOFF_BASE 5

gint64 fetch_backoff(gint64 failures, gint64 max)
{
	gint64 d = FETCH_BACKOFF_BASE;

	for (gint64 i = 1; i < failures && d < max; i++)
		d *= 2;
	return MAX(MIN(d, max), 1);
}

/* Sleep up to seconds, in short slices so that a stop is seen. */
static void fetch_wait(const struct fetch_box *b, gint64 seconds)
{
	for (gint64 ms = seconds * 1000; ms > 0 && !*b->env->stop; ms -= 200)
		g_usleep(MIN(ms, 200) * 1000);
}

static void fetch_box_init(struct fetch_box *b, const struct fetch_env *env,
			   const struct conf_mailbox *m, gboolean once)
{
	memset(b, 0, sizeof(*b));
	b->env = env;
	b->m = m;
	b->once = once;
	b->mode = "";
	b->srv = (struct net_server){
	    .host = m->host,
	    .port = (int)m->port,
	    .security = strcmp(m->security, "tls") == 0	       ? NET_TLS
			: strcmp(m->security, "starttls") == 0 ? NET_STARTTLS
							       : NET_PLAIN,
	    .tls_verify = strcmp(m->tls_verify, "no") != 0,
	    .ca_file = m->ca_file,
	    .timeout_s = (int)m->timeout,
	    .user = m->user,
	    .auth = strcmp(m->auth, "xoauth2") == 0 ? NET_AUTH_XOAUTH2
		    : strcmp(m->auth, "login") == 0 ? NET_AUTH_LOGIN
						    : NET_AUTH_PLAIN,
	};
}

/* After a failure: the alert, when none was sent for this outage and the last success
 * (else the first failure) is alert_after ago. -1 only on store trouble. */
static int fetch_alert(struct fetch_box *b, const char *why, char **error_r)
{
	struct store_mailbox_state st;
	gint64 now = clock_now(), since;
	char *text, *when, *error = NULL;
	int ret = store_mailbox_state_get(b->env->store, b->m->name, &st, error_r);

	if (ret < 0)
		return -1;
	since = st.last_success != 0 ? st.last_success : st.failing_since;
	if (b->m->alert_after == 0 || st.alerted != 0 || now - since < b->m->alert_after) {
		store_mailbox_state_clear(&st);
		return 0;
	}
	when = clock_format(since);
	text = g_strdup_printf("  mailbox:    %s (%s@%s:%" G_GINT64_FORMAT ", %s)\n"
			       "  no success: since %s%s\n"
			       "  attempts:   %" G_GINT64_FORMAT " failed in a row\n"
			       "  last error: %s\n",
			       b->m->name, b->m->user, b->m->host, b->m->port, b->m->protocol, when,
			       st.last_success != 0 ? "" : " (never fetched)",
			       st.failures, why);
	/* An alert that cannot be queued is logged and tried again after the next failure:
	 * it must not stop the fetching (the store's own trouble shows at the next write). */
	ret = store_begin(b->env->store, &error);
	if (ret == 0)
		ret = compose_queue_mailbox_alert(b->env->deliver->compose, b->env->store, b->m,
						  text, now, &error);
	if (ret >= 0 && store_mailbox_alerted(b->env->store, b->m->name, now, &error) == 0 &&
	    store_commit(b->env->store, &error) == 0) {
		if (ret == 0)
			log_error("[mailbox %s] no success since %s, and nobody to alert "
				  "(set alert_to)", b->m->name, when);
		else
			log_warn("[mailbox %s] no success since %s: the admins were mailed",
				 b->m->name, when);
	} else {
		store_rollback(b->env->store);
		log_error("[mailbox %s] no success since %s; the alert was not sent: %s",
			  b->m->name, when, error);
	}
	ret = 0;
	g_free(error);
	g_free(text);
	g_free(when);
	store_mailbox_state_clear(&st);
	return ret;
}

int fetch_mailbox_run(const struct fetch_env *env, const struct conf_mailbox *m,
		      gboolean once, char **error_r)
{
	struct fetch_box b;
	gint64 failures = 0;
	gboolean pop3 = strcmp(m->protocol, "pop3") == 0;
	int ret = 0;

	fetch_box_init(&b, env, m, once);
	log_info("[mailbox %s] fetching %s@%s:%" G_GINT64_FORMAT " (%s, %s) into [queue %s]",
		 m->name, m->user, m->host, m->port, m->protocol, m->security, m->queue);
	while (!*env->stop) {
		char *why = NULL;

		if ((pop3 ? fetch_pop3_session(&b, &why) : fetch_imap_session(&b, &why)) == 0) {
			if (failures > 0)
				log_info("[mailbox %s] fetching works again after %" G_GINT64_FORMAT
					 " failed attempt(s)", m->name, failures);
			failures = 0;
			ret = 0;
			if (once)
				break;
			if (b.backlog == 0)
				fetch_wait(&b, m->poll_interval);
			continue;
		}
		failures++;
		log_error("[mailbox %s] %s (attempt %" G_GINT64_FORMAT ", next in %" G_GINT64_FORMAT
			  " s)", m->name, why, failures, fetch_backoff(failures, m->retry_max));
		if (store_mailbox_fail(env->store, m->name, clock_now(), why, error_r) < 0 ||
		    fetch_alert(&b, why, error_r) < 0) {
			g_free(why);
			ret = -1;
			break;
		}
		g_free(why);
		ret = 1;
		if (once)
			break;
		fetch_wait(&b, fetch_backoff(failures, m->retry_max));
	}
	fetch_secret_forget(&b);
	return ret;
}
