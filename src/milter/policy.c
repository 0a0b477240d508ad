/* policy: the decisions of postdesk-milter, free of libmilter (milter.c calls in).
 * Each stage reads the connection's state, the immutable config and keys, and the
 * connection's own read-only store handle (opened on first use: one SQLite connection per
 * SMTP connection, so no handle is ever shared between threads). The flood table in
 * struct milter is the one piece of state shared by connections; it has its own lock.
 * When the database cannot be read, conf->milter_on_db_error decides: "tempfail" answers
 * 451 4.3.0, "continue" skips the check that needed it (LMTP still checks at delivery). */
#include "config.h"
#include "milter-private.h"
#include "postdesk/parse.h"

#include <stdlib.h>
#include <string.h>

struct milter_flood {
	gint64 start; /* start of the current window */
	gint64 count; /* new-ticket mails counted in it */
};

struct milter *milter_new(const struct conf *conf, const struct token_keys *keys)
{
	struct milter *m = g_new0(struct milter, 1);

	m->conf = conf;
	m->keys = keys;
	pthread_mutex_init(&m->snap_lock, NULL);
	pthread_mutex_init(&m->flood_lock, NULL);
	m->flood_window = conf->milter_flood_window;
	m->flood_limit = conf->milter_flood_limit;
	m->flood = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return m;
}

void milter_free(struct milter **m)
{
	if (*m == NULL)
		return;
	g_hash_table_destroy((*m)->flood);
	deliver_snapshot_unref(&(*m)->snap);
	pthread_mutex_destroy(&(*m)->flood_lock);
	pthread_mutex_destroy(&(*m)->snap_lock);
	g_free(*m);
	*m = NULL;
}

void milter_reload(struct milter *m, struct deliver_snapshot *snap)
{
	struct deliver_snapshot *old;

	pthread_mutex_lock(&m->snap_lock);
	old = m->snap;
	m->snap = snap;
	pthread_mutex_unlock(&m->snap_lock);
	pthread_mutex_lock(&m->flood_lock);
	m->flood_window = snap->conf->milter_flood_window;
	m->flood_limit = snap->conf->milter_flood_limit;
	pthread_mutex_unlock(&m->flood_lock);
	deliver_snapshot_unref(&old); /* or the last connection still on it frees it */
}

char *milter_listen_spec(const char *listen)
{
	const char *hostport, *colon;
	char *host, *spec;

	if (g_str_has_prefix(listen, "unix:/"))
		return g_strdup(listen);
	if (!g_str_has_prefix(listen, "inet:"))
		return NULL;
	hostport = listen + 5;
	colon = strrchr(hostport, ':');
	if (colon == NULL || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return NULL;
	host = g_strndup(hostport, (gsize)(colon - hostport));
	if (host[0] == '[' && colon > hostport + 1 && colon[-1] == ']') {
		/* [IPv6]:PORT: libmilter wants inet6:PORT@ADDR without brackets */
		host[strlen(host) - 1] = '\0';
		spec = g_strdup_printf("inet6:%s@%s", colon + 1, host + 1);
	} else if (host[0] == '\0' || strchr(host, ':') != NULL) {
		spec = NULL;
	} else {
		spec = g_strdup_printf("inet:%s@%s", colon + 1, host);
	}
	g_free(host);
	return spec;
}

/* ---------------------------------------------------------------- state */

struct milter_conn *milter_conn_new(struct milter *m, const char *client_ip)
{
	struct milter_conn *c = g_new0(struct milter_conn, 1);

	c->m = m;
	c->client_ip = g_strdup(client_ip);
	/* the configuration this connection keeps to its end, whatever a reload does */
	pthread_mutex_lock(&m->snap_lock);
	c->snap = m->snap != NULL ? deliver_snapshot_ref(m->snap) : NULL;
	pthread_mutex_unlock(&m->snap_lock);
	c->conf = c->snap != NULL ? c->snap->conf : m->conf;
	c->keys = c->snap != NULL ? c->snap->keys : m->keys;
	g_atomic_int_inc(&m->active);
	return c;
}

void milter_msg_reset(struct milter_conn *c)
{
	struct milter_msg *msg = &c->msg;

	g_free(msg->sender);
	if (msg->refs != NULL)
		g_string_free(msg->refs, TRUE);
	memset(msg, 0, sizeof(*msg));
}

void milter_conn_free(struct milter_conn **cp)
{
	struct milter_conn *c = *cp;

	if (c == NULL)
		return;
	milter_msg_reset(c);
	store_close(&c->store);
	deliver_snapshot_unref(&c->snap);
	g_free(c->client_ip);
	g_atomic_int_dec_and_test(&c->m->active);
	g_free(c);
	*cp = NULL;
}

/* ---------------------------------------------------------------- database */

/* The connection's read-only store, opened on first use. */
static int policy_store(struct milter_conn *c, char **error_r)
{
	const struct conf *conf = c->conf;

	if (c->store != NULL)
		return 0;
	return store_open(conf->database, STORE_READONLY | STORE_LAZY, (int)conf->busy_timeout_ms,
			  &c->store, error_r);
}

/* A database failure during `what`: log it, then 451 4.3.0 (returns -1: stop) or, with
 * milter_on_db_error=continue, 0 (skip the check). Takes error. */
static int policy_db_error(struct milter_conn *c, const char *what, char *error, struct verdict *v)
{
	gboolean tempfail = g_str_equal(c->conf->milter_on_db_error, "tempfail");

	log_warn("milter: database unreadable (%s): %s; %s", what, error,
		 tempfail ? "tempfail" : "check skipped");
	g_free(error);
	/* A broken handle is reopened next time (the file may come back). */
	if (c->store != NULL && store_last_error(c->store) == STORE_ERR_OTHER)
		store_close(&c->store);
	if (!tempfail)
		return 0;
	verdict_set(v, VERDICT_TEMPFAIL, 451, "4.3.0", "temporary failure, try again later");
	return -1;
}

/* The flood limit: on a database the hosts share (PostgreSQL, issue 16) the milters of
 * every host count together in it; otherwise, or when it cannot be written, this process
 * counts (the limit needs no database). 1 allowed, 0 over the limit. */
static int policy_flood_ok(struct milter_conn *c, const char *sender)
{
	char *error = NULL, *keys[2];
	guint n = 0;
	int ret = -1;

	/* (a local database is never shared: no connection opened just to learn that) */
	if (!store_is_local(c->conf->database) && policy_store(c, &error) == 0 &&
	    store_is_shared(c->store)) {
		if (sender != NULL && sender[0] != '\0') /* bounces (<>) share no sender key */
			keys[n++] = g_strconcat("s:", sender, NULL);
		if (c->client_ip != NULL)
			keys[n++] = g_strconcat("i:", c->client_ip, NULL);
		ret = store_flood_hit(c->store, (const char *const *)keys, n, clock_now(),
				      c->conf->milter_flood_window, c->conf->milter_flood_limit,
				      &error);
		while (n > 0)
			g_free(keys[--n]);
		if (ret < 0)
			log_warn("milter: shared flood counters: %s (counted by this process)", error);
	}
	g_free(error);
	return ret >= 0 ? ret : milter_flood_hit(c->m, sender, c->client_ip, clock_now());
}

/* ---------------------------------------------------------------- MAIL, RCPT */

/* "<a@b>" or "a@b" -> lower-case "a@b"; "<>" -> "". */
static char *policy_bare_addr(const char *s)
{
	gsize len = strlen(s);
	char *inner, *norm;

	if (len >= 2 && s[0] == '<' && s[len - 1] == '>')
		inner = g_strndup(s + 1, len - 2);
	else
		inner = g_strdup(s);
	norm = util_addr_normalize(inner);
	g_free(inner);
	return norm;
}

void milter_policy_mail(struct milter_conn *c, const char *sender, char *const *args,
			struct verdict *v)
{
	milter_msg_reset(c);
	c->msg.sender = policy_bare_addr(sender != NULL ? sender : "");
	for (; args != NULL && *args != NULL; args++) {
		if (g_ascii_strncasecmp(*args, "SIZE=", 5) == 0)
			c->msg.size_declared = g_ascii_strtoll(*args + 5, NULL, 10);
	}
	verdict_ok(v, "sender ok");
}

static gboolean policy_is_our_domain(const struct conf *conf, const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL && g_ascii_strcasecmp(at + 1, conf->domain) == 0;
}

/* What the database says about a valid token: the ticket must exist, and agent and note
 * tokens are accepted only from a registered agent. */
static void policy_token_checks(struct milter_conn *c, const struct deliver_rcpt *r, const char *addr,
				struct verdict *v)
{
	struct store_ticket *t = NULL;
	struct store_agent *a = NULL;
	char *error = NULL;
	int ret;

	/* On a database error v stays OK with milter_on_db_error=continue: skip the rest. */
	if (policy_store(c, &error) < 0) {
		policy_db_error(c, "open", error, v);
		return;
	}
	ret = store_ticket_get(c->store, r->token.id, &t, &error);
	store_ticket_free(&t);
	if (ret < 0) {
		policy_db_error(c, "ticket", error, v);
		return;
	}
	if (ret == 0) {
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.1.1", "<%s>: no such ticket", addr);
		return;
	}
	if (r->token.role == TOKEN_AGENT || r->token.role == TOKEN_NOTE) {
		ret = store_agent_get(c->store, c->msg.sender, &a, &error);
		if (ret < 0) {
			policy_db_error(c, "agent", error, v);
			return;
		}
		/* Not an agent, or not the agent the token was issued to (deliver/rcpt.c). */
		deliver_rcpt_agent_check(r, c->msg.sender, a, v);
		store_agent_free(&a);
		if (v->status != VERDICT_OK)
			return;
	}
	if (c->msg.ticket == 0) {
		c->msg.ticket = r->token.id;
		c->msg.rule = "token";
	}
}

void milter_policy_rcpt(struct milter_conn *c, const char *addr, struct verdict *v)
{
	const struct conf *conf = c->conf;
	char *bare = policy_bare_addr(addr);
	struct deliver_rcpt r;

	if (c->msg.sender == NULL) /* RCPT before MAIL: cannot happen with a sane MTA */
		c->msg.sender = g_strdup("");
	if (!policy_is_our_domain(conf, bare)) {
		verdict_ok(v, "not ours");
		g_free(bare);
		return;
	}
	deliver_rcpt_resolve(conf, c->keys, bare, &r, v);
	if (v->status == VERDICT_OK && c->msg.size_declared > conf->max_message_size) {
		verdict_set(v, VERDICT_PERMFAIL, 552, "5.3.4",
			    "message size %" G_GINT64_FORMAT
			    " exceeds the limit of %" G_GINT64_FORMAT " bytes",
			    c->msg.size_declared, conf->max_message_size);
	}
	/* support+anything@: sub-addressing to lmtpd, but at SMTP time a junk or guessed
	 * address that would open tickets and acknowledge forged senders (issue 17). */
	if (v->status == VERDICT_OK && !r.has_token && strchr(bare, '+') != NULL &&
	    g_strcmp0(conf->milter_plain_detail, "accept") != 0)
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.1.1",
			    "<%s>: no such reply address (only signed ones are accepted)", bare);
	/* A bounce (VERP) token names an outbox row, not a ticket: nothing to look up. */
	if (v->status == VERDICT_OK && r.has_token && r.token.role == TOKEN_BOUNCE)
		c->msg.token_rcpt = TRUE;
	/* An agent's command address names an agent, not a ticket: delivery checks the From
	 * (route_command.c); here it is agent mail for the Authentication-Results check. */
	else if (v->status == VERDICT_OK && r.has_token && r.token.role == TOKEN_COMMAND)
		c->msg.token_rcpt = c->msg.agent_rcpt = TRUE;
	else if (v->status == VERDICT_OK && r.has_token) {
		policy_token_checks(c, &r, bare, v);
		if (v->status == VERDICT_OK)
			c->msg.token_rcpt = TRUE;
		/* Also when the sender check was skipped (database down, "continue"): the
		 * Authentication-Results check needs no database. */
		if (v->status == VERDICT_OK &&
		    (r.token.role == TOKEN_AGENT || r.token.role == TOKEN_NOTE))
			c->msg.agent_rcpt = TRUE;
	}
	if (v->status == VERDICT_OK)
		c->msg.ours = TRUE;
	deliver_rcpt_clear(&r);
	g_free(bare);
}

/* ---------------------------------------------------------------- headers, body */

static void policy_size(struct milter_conn *c, gsize len, struct verdict *v)
{
	gint64 max = c->conf->max_message_size;

	c->msg.size += (gint64)len;
	if (c->msg.ours && c->msg.size > max)
		verdict_set(v, VERDICT_PERMFAIL, 552, "5.3.4",
			    "message exceeds the size limit of %" G_GINT64_FORMAT " bytes", max);
	else
		verdict_ok(v, "size ok");
}

/* 1 if value names host (case-insensitive substring). */
static gboolean policy_mentions(const char *value, const char *host)
{
	char *lower = g_ascii_strdown(value, -1);
	gboolean found = strstr(lower, host) != NULL;

	g_free(lower);
	return found;
}

/* A trusted Authentication-Results header of agent mail: note its results about the
 * envelope sender's domain. Only headers naming milter_authserv_id count; anyone outside
 * can write the others. In a malformed one (a property value the sender controls, or a
 * forgery) the results read before the fault still count, and it is logged. */
static void policy_authres(struct milter_conn *c, const char *value)
{
	const char *id = c->conf->milter_authserv_id, *at;
	char *error = NULL;

	if (id == NULL || !c->msg.agent_rcpt)
		return;
	at = c->msg.sender != NULL ? strrchr(c->msg.sender, '@') : NULL;
	if (parse_authres_parse(value, id, at != NULL ? at + 1 : "", &c->msg.authres, &error) < 0) {
		log_warn("milter: from=<%s>: %s", c->msg.sender != NULL ? c->msg.sender : "",
			 error);
		g_free(error);
	}
}

void milter_policy_header(struct milter_conn *c, const char *name, const char *value,
			  struct verdict *v)
{
	const struct conf *conf = c->conf;
	struct milter_msg *msg = &c->msg;

	/* "Name: value\r\n", as the message will be stored */
	policy_size(c, strlen(name) + strlen(value) + 4, v);
	if (v->status != VERDICT_OK || !msg->ours)
		return;
	if (g_ascii_strcasecmp(name, MILTER_LOOP_HEADER) == 0) {
		char *val = g_strstrip(g_ascii_strdown(value, -1));
		msg->loop_header |= g_str_equal(val, conf->domain);
		g_free(val);
	} else if (g_ascii_strcasecmp(name, "Received") == 0) {
		if (policy_mentions(value, conf->hostname))
			msg->received_ours++;
	} else if (g_ascii_strcasecmp(name, MILTER_TICKET_HEADER) == 0) {
		msg->n_ticket_hdrs++;
	} else if (g_ascii_strcasecmp(name, MILTER_VERDICT_HEADER) == 0) {
		msg->n_verdict_hdrs++;
	} else if (g_ascii_strcasecmp(name, "Authentication-Results") == 0) {
		policy_authres(c, value);
	} else if (g_ascii_strcasecmp(name, "Message-ID") == 0 ||
		   g_ascii_strcasecmp(name, "In-Reply-To") == 0 ||
		   g_ascii_strcasecmp(name, "References") == 0) {
		/* Kept verbatim for parse_message at EOH (msg-id syntax is GMime's job). */
		if (msg->refs == NULL)
			msg->refs = g_string_new(NULL);
		g_string_append_printf(msg->refs, "%s: %s\r\n", name, value);
	}
}

void milter_policy_body(struct milter_conn *c, gsize len, struct verdict *v)
{
	policy_size(c, len, v);
}

/* Message-ID rule, as thread/ applies it: the message's own id (a copy already delivered),
 * In-Reply-To, References newest first. 1 found (*ticket_r), 0 none, -1 store error. */
static int policy_find_by_refs(struct store *store, const struct parse_msg *pm, gint64 *ticket_r,
			       char **error_r)
{
	int ret = 0;
	guint i;

	if (!pm->message_id_made_up)
		ret = store_find_ticket_by_msgid(store, pm->message_id, ticket_r, error_r);
	if (ret == 0 && pm->in_reply_to != NULL)
		ret = store_find_ticket_by_msgid(store, pm->in_reply_to, ticket_r, error_r);
	for (i = pm->references->len; ret == 0 && i > 0; i--)
		ret = store_find_ticket_by_msgid(store, g_ptr_array_index(pm->references, i - 1),
						 ticket_r, error_r);
	return ret;
}

/* Look the reference headers up: sets msg->ticket on a match. -1 after a database error
 * that must tempfail (v set). */
static int policy_thread(struct milter_conn *c, struct verdict *v)
{
	struct parse_msg *pm = NULL;
	char *error = NULL;
	gint64 ticket = 0;
	int ret;

	g_string_append(c->msg.refs, "\r\n");
	if (parse_message(c->msg.refs->str, c->msg.refs->len, &pm, &error) < 0) {
		log_debug("milter: reference headers unreadable: %s", error);
		g_free(error);
		return 0; /* then it is simply not a reply we can place */
	}
	if (policy_store(c, &error) < 0) {
		parse_msg_free(&pm);
		return policy_db_error(c, "open", error, v);
	}
	ret = policy_find_by_refs(c->store, pm, &ticket, &error);
	parse_msg_free(&pm);
	if (ret < 0)
		return policy_db_error(c, "message-id", error, v);
	if (ret == 1 && ticket > 0) {
		c->msg.ticket = ticket;
		c->msg.rule = "message-id";
	}
	return 0;
}

void milter_policy_eoh(struct milter_conn *c, struct verdict *v)
{
	struct milter_msg *msg = &c->msg;
	const char *failed;

	verdict_ok(v, "headers ok");
	if (!msg->ours)
		return;
	if (msg->loop_header || msg->received_ours > MILTER_LOOP_RECEIVED_MAX) {
		verdict_set(v, VERDICT_PERMFAIL, 554, "5.4.6", "mail loop detected (%s)",
			    msg->loop_header ? MILTER_LOOP_HEADER : "too many Received headers");
		return;
	}
	/* Agent mail only: a customer's mail is never refused for failing authentication
	 * (forwarders and mailing lists break DKIM and SPF of honest customers). */
	if (msg->agent_rcpt && c->conf->milter_authserv_id != NULL &&
	    (failed = parse_authres_failure(msg->authres)) != NULL) {
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.7.1",
			    "agent mail failed sender authentication (%s)", failed);
		return;
	}
	if (msg->ticket == 0 && msg->refs != NULL && policy_thread(c, v) < 0)
		return;
	/* Would open a new ticket: count it against the sender and the client. A database
	 * error skipped above with "continue" counts as new: the limit needs no database. */
	if (msg->token_rcpt || msg->ticket != 0)
		return;
	if (policy_flood_ok(c, msg->sender) == 0)
		verdict_set(v, VERDICT_TEMPFAIL, 451, "4.7.1",
			    "too many new requests from you, please try again later");
}

gboolean milter_policy_tags(const struct milter_conn *c, char **ticket_r, char **verdict_r)
{
	if (!c->msg.ours || c->msg.ticket == 0)
		return FALSE;
	*ticket_r = g_strdup_printf("%" G_GINT64_FORMAT, c->msg.ticket);
	*verdict_r = g_strdup_printf("accepted; rule=%s", c->msg.rule);
	return TRUE;
}

/* ---------------------------------------------------------------- flood table */

/* Under flood_lock: drop windows that ended, at most once per window length, so the
 * table holds only keys seen in the last window (a bot storm from many IPs costs memory
 * for one window only). */
static void flood_prune(struct milter *m, gint64 now)
{
	GHashTableIter it;
	gpointer value;
	gint64 window = m->flood_window;

	if (now < m->flood_prune_at)
		return;
	g_hash_table_iter_init(&it, m->flood);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		const struct milter_flood *f = value;
		if (f->start + window <= now)
			g_hash_table_iter_remove(&it);
	}
	m->flood_prune_at = now + window;
}

/* Under flood_lock: the window of key at now, made or restarted as needed. */
static struct milter_flood *flood_get(struct milter *m, const char *prefix, const char *key,
				      gint64 now)
{
	char *k = g_strconcat(prefix, key, NULL);
	struct milter_flood *f = g_hash_table_lookup(m->flood, k);

	if (f == NULL) {
		f = g_new0(struct milter_flood, 1);
		f->start = now;
		g_hash_table_insert(m->flood, k, f);
	} else {
		g_free(k);
		if (f->start + m->flood_window <= now) {
			f->start = now;
			f->count = 0;
		}
	}
	return f;
}

int milter_flood_hit(struct milter *m, const char *sender, const char *client_ip, gint64 now)
{
	struct milter_flood *by_sender = NULL, *by_ip = NULL;
	gint64 limit = m->flood_limit;
	int allowed;

	pthread_mutex_lock(&m->flood_lock);
	flood_prune(m, now);
	if (sender != NULL && sender[0] != '\0') /* bounces (<>) share no sender key */
		by_sender = flood_get(m, "s:", sender, now);
	if (client_ip != NULL)
		by_ip = flood_get(m, "i:", client_ip, now);
	allowed = (by_sender == NULL || by_sender->count < limit) &&
		  (by_ip == NULL || by_ip->count < limit);
	if (allowed) {
		if (by_sender != NULL)
			by_sender->count++;
		if (by_ip != NULL)
			by_ip->count++;
	}
	pthread_mutex_unlock(&m->flood_lock);
	return allowed ? 1 : 0;
}
