/* pop3: the POP3 client of the fetcher (the fallback for mailboxes without IMAP), libetpan's
 * mailpop3 over a GIO connection (stream.c). UIDL names a message across sessions (the key
 * of exactly-once); DELE takes effect only at a successful QUIT, so a kill between the
 * commit and QUIT leaves the message on the server, where the next session finds its UIDL
 * already recorded and deletes it then. Owns its session; one thread at a time. */
#include "config.h"
#include "net-private.h"

#include <string.h>

struct net_pop3 {
	struct net_conn conn;
	mailpop3 *pop;
};

static int pop_fail(struct net_pop3 *s, int r, const char *what, char **error_r)
{
	const char *said = s->pop != NULL ? s->pop->pop3_response : NULL;

	if (said != NULL && said[0] != '\0')
		return util_error(error_r, "%s: %s", what, said);
	return util_error(error_r, "%s: %s", what,
			  r == MAILPOP3_ERROR_STREAM ? "connection lost or timed out"
						     : "refused by the server");
}

static int pop_login(struct net_pop3 *s, const struct net_server *srv, enum net_fail *fail_r,
		     char **error_r)
{
	int r;

	if (srv->auth == NET_AUTH_XOAUTH2) {
		*fail_r = NET_FAIL_AUTH;
		return util_error(error_r, "XOAUTH2 is not offered for POP3: use IMAP");
	}
	r = mailpop3_user(s->pop, srv->user);
	if (r == MAILPOP3_NO_ERROR)
		r = mailpop3_pass(s->pop, srv->secret);
	if (r == MAILPOP3_NO_ERROR)
		return 0;
	*fail_r = r == MAILPOP3_ERROR_STREAM ? NET_FAIL_CONNECT : NET_FAIL_AUTH;
	return pop_fail(s, r, "login failed", error_r);
}

int net_pop3_open(const struct net_server *srv, struct net_pop3 **s_r, enum net_fail *fail_r,
		  char **error_r)
{
	struct net_pop3 *s = g_new0(struct net_pop3, 1);
	int r;

	*s_r = NULL;
	*fail_r = NET_FAIL_NONE;
	if (net_conn_open(srv, &s->conn, fail_r, error_r) < 0) {
		g_free(s);
		return -1;
	}
	s->pop = mailpop3_new(0, NULL);
	mailpop3_set_timeout(s->pop, (time_t)srv->timeout_s);
	r = mailpop3_connect(s->pop, s->conn.stream);
	if (r != MAILPOP3_NO_ERROR) {
		*fail_r = NET_FAIL_CONNECT;
		pop_fail(s, r, "greeting", error_r);
		net_pop3_close(&s);
		return -1;
	}
	if (srv->security == NET_STARTTLS) {
		r = mailpop3_stls(s->pop);
		if (r != MAILPOP3_NO_ERROR) {
			*fail_r = NET_FAIL_TLS;
			pop_fail(s, r, "STLS", error_r);
			net_pop3_close(&s);
			return -1;
		}
		if (net_conn_starttls(&s->conn, fail_r, error_r) < 0) {
			net_pop3_close(&s);
			return -1;
		}
	}
	if (pop_login(s, srv, fail_r, error_r) < 0) {
		net_pop3_close(&s);
		return -1;
	}
	*s_r = s;
	return 0;
}

static void pop3_msg_clear(gpointer p)
{
	g_free(((struct net_pop3_msg *)p)->uidl);
}

int net_pop3_list(struct net_pop3 *s, GArray **msgs_r, char **error_r)
{
	carray *list = NULL;
	int r = mailpop3_list(s->pop, &list);

	if (r != MAILPOP3_NO_ERROR)
		return pop_fail(s, r, "LIST/UIDL", error_r);
	*msgs_r = g_array_new(FALSE, TRUE, sizeof(struct net_pop3_msg));
	g_array_set_clear_func(*msgs_r, pop3_msg_clear);
	for (unsigned int i = 0; i < carray_count(list); i++) {
		struct mailpop3_msg_info *info = carray_get(list, i);
		struct net_pop3_msg m;

		if (info == NULL || info->msg_deleted)
			continue;
		if (info->msg_uidl == NULL) {
			g_array_unref(*msgs_r);
			*msgs_r = NULL;
			return util_error(error_r, "the server gave no UIDL: messages cannot be "
						   "told apart across sessions");
		}
		m.msgno = info->msg_index;
		m.size = info->msg_size;
		m.uidl = g_strdup(info->msg_uidl);
		g_array_append_val(*msgs_r, m);
	}
	return 0;
}

int net_pop3_retr(struct net_pop3 *s, guint msgno, char **raw_r, gsize *len_r,
		  char **error_r)
{
	char *result = NULL;
	size_t len = 0;
	int r = mailpop3_retr(s->pop, msgno, &result, &len);

	if (r != MAILPOP3_NO_ERROR)
		return pop_fail(s, r, "RETR", error_r);
	*raw_r = g_malloc(len + 1);
	memcpy(*raw_r, result, len);
	(*raw_r)[len] = '\0';
	*len_r = len;
	mailpop3_retr_free(result);
	return 0;
}

int net_pop3_dele(struct net_pop3 *s, guint msgno, char **error_r)
{
	int r = mailpop3_dele(s->pop, msgno);

	return r == MAILPOP3_NO_ERROR ? 0 : pop_fail(s, r, "DELE", error_r);
}

int net_pop3_quit(struct net_pop3 **sp, char **error_r)
{
	struct net_pop3 *s = *sp;
	int r = mailpop3_quit(s->pop), ret = 0;

	if (r != MAILPOP3_NO_ERROR)
		ret = pop_fail(s, r, "QUIT", error_r);
	net_pop3_close(sp);
	return ret;
}

void net_pop3_close(struct net_pop3 **sp)
{
	struct net_pop3 *s = *sp;

	if (s == NULL)
		return;
	if (s->pop != NULL)
		mailpop3_free(s->pop); /* closes and frees the mailstream */
	else if (s->conn.stream != NULL)
		mailstream_close(s->conn.stream);
	net_conn_clear(&s->conn);
	g_free(s);
	*sp = NULL;
}
