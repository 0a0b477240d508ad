/* imap: the IMAP client of the fetcher, libetpan's mailimap low-level API over a GIO
 * connection (stream.c). What it does is what exactly-once needs: SELECT for UIDVALIDITY,
 * UID SEARCH, the size before the download, BODY.PEEK[] (the fetch itself never sets
 * \Seen: only the done action after the commit does), the done action by UID, and IDLE.
 * Owns its session; one thread at a time. */
#include "config.h"
#include "net-private.h"

#include <string.h>

struct net_imap {
	struct net_conn conn;
	mailimap *imap;
};

/* "what: the server's last words" (or libetpan's error number when it gave none). */
static int imap_fail(struct net_imap *s, int r, const char *what, char **error_r)
{
	const char *said = s->imap != NULL ? s->imap->imap_response : NULL;

	if (said != NULL && said[0] != '\0')
		return util_error(error_r, "%s: %s", what, said);
	return util_error(error_r, "%s: %s", what,
			  r == MAILIMAP_ERROR_STREAM ? "connection lost or timed out"
						     : "refused by the server");
}

static int imap_login(struct net_imap *s, const struct net_server *srv, enum net_fail *fail_r,
		      char **error_r)
{
	int r;

	if (srv->auth == NET_AUTH_XOAUTH2)
		r = mailimap_oauth2_authenticate(s->imap, srv->user, srv->secret);
	else
		r = mailimap_login(s->imap, srv->user, srv->secret);
	if (r == MAILIMAP_NO_ERROR)
		return 0;
	*fail_r = r == MAILIMAP_ERROR_STREAM ? NET_FAIL_CONNECT : NET_FAIL_AUTH;
	return imap_fail(s, r, "login failed", error_r);
}

static int imap_starttls(struct net_imap *s, enum net_fail *fail_r, char **error_r)
{
	int r;

	if (!mailimap_has_extension(s->imap, "STARTTLS")) {
		*fail_r = NET_FAIL_TLS;
		return util_error(error_r, "the server does not offer STARTTLS");
	}
	if ((r = mailimap_starttls(s->imap)) != MAILIMAP_NO_ERROR) {
		*fail_r = NET_FAIL_TLS;
		return imap_fail(s, r, "STARTTLS", error_r);
	}
	if (net_conn_starttls(&s->conn, fail_r, error_r) < 0)
		return -1;
	/* the capabilities said before TLS are not to be trusted: ask again */
	mailimap_capability_data_free(s->imap->imap_connection_info->imap_capability);
	s->imap->imap_connection_info->imap_capability = NULL;
	return 0;
}

int net_imap_open(const struct net_server *srv, struct net_imap **s_r, enum net_fail *fail_r,
		  char **error_r)
{
	struct net_imap *s = g_new0(struct net_imap, 1);
	struct mailimap_capability_data *cap = NULL;
	int r;

	*s_r = NULL;
	*fail_r = NET_FAIL_NONE;
	if (net_conn_open(srv, &s->conn, fail_r, error_r) < 0) {
		g_free(s);
		return -1;
	}
	s->imap = mailimap_new(0, NULL);
	mailimap_set_timeout(s->imap, (time_t)srv->timeout_s);
	r = mailimap_connect(s->imap, s->conn.stream);
	if (r != MAILIMAP_NO_ERROR && r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		*fail_r = NET_FAIL_CONNECT;
		imap_fail(s, r, "greeting", error_r);
		net_imap_close(&s);
		return -1;
	}
	if (mailimap_capability(s->imap, &cap) == MAILIMAP_NO_ERROR)
		mailimap_capability_data_free(cap);
	if ((srv->security == NET_STARTTLS && imap_starttls(s, fail_r, error_r) < 0) ||
	    imap_login(s, srv, fail_r, error_r) < 0) {
		net_imap_close(&s);
		return -1;
	}
	/* the capabilities after login (IDLE, MOVE, UIDPLUS) */
	if (mailimap_capability(s->imap, &cap) == MAILIMAP_NO_ERROR)
		mailimap_capability_data_free(cap);
	*s_r = s;
	return 0;
}

void net_imap_close(struct net_imap **sp)
{
	struct net_imap *s = *sp;

	if (s == NULL)
		return;
	if (s->imap != NULL) {
		if (s->imap->imap_stream != NULL)
			mailimap_logout(s->imap);
		mailimap_free(s->imap); /* closes and frees the mailstream */
	} else if (s->conn.stream != NULL) {
		mailstream_close(s->conn.stream);
	}
	net_conn_clear(&s->conn);
	g_free(s);
	*sp = NULL;
}

gboolean net_imap_has_idle(const struct net_imap *s)
{
	return mailimap_has_idle(s->imap) ? TRUE : FALSE;
}

int net_imap_select(struct net_imap *s, const char *folder, guint32 *uidvalidity_r,
		    guint32 *uidnext_r, char **error_r)
{
	int r = mailimap_select(s->imap, folder);

	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, "SELECT", error_r);
	if (s->imap->imap_selection_info == NULL ||
	    s->imap->imap_selection_info->sel_uidvalidity == 0)
		return util_error(error_r, "SELECT %s: the server gave no UIDVALIDITY", folder);
	*uidvalidity_r = s->imap->imap_selection_info->sel_uidvalidity;
	*uidnext_r = s->imap->imap_selection_info->sel_uidnext; /* 0: the server gave none */
	return 0;
}

static gint uid_cmp(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

	return x < y ? -1 : x > y;
}

/* UID SEARCH key (taken): the UIDs above `above` appended to uids. */
static int imap_search_key(struct net_imap *s, struct mailimap_search_key *key, guint32 above,
			   GArray *uids, char **error_r)
{
	clist *result = NULL;
	int r = mailimap_uid_search(s->imap, NULL, key, &result);

	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, "UID SEARCH", error_r);
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		guint32 uid = *(uint32_t *)clist_content(it);

		if (uid > above)
			g_array_append_val(uids, uid);
	}
	mailimap_search_result_free(result);
	return 0;
}

int net_imap_search(struct net_imap *s, gboolean unseen, guint32 above_uid, GArray **uids_r,
		    char **error_r)
{
	GArray *uids = g_array_new(FALSE, FALSE, sizeof(guint32));
	struct mailimap_search_key *key =
	    unseen ? mailimap_search_key_new(MAILIMAP_SEARCH_KEY_UNSEEN, NULL, NULL, NULL, NULL,
					     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
					     NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL,
					     NULL, NULL)
		   : mailimap_search_key_new_all();

	*uids_r = NULL;
	if (imap_search_key(s, key, 0, uids, error_r) < 0)
		goto fail;
	/* New mail someone has read already: UID n:* ("*" is 0 to libetpan). A second search,
	 * not an OR: n:* always matches the highest UID, even one below n (RFC 3501). */
	if (unseen && above_uid > 0 && above_uid < G_MAXUINT32 &&
	    imap_search_key(s,
			    mailimap_search_key_new_uid(mailimap_set_new_interval(above_uid + 1, 0)),
			    above_uid, uids, error_r) < 0)
		goto fail;
	g_array_sort(uids, uid_cmp);
	for (guint i = 1; i < uids->len;) /* a message both unseen and new is there twice */
		if (g_array_index(uids, guint32, i) == g_array_index(uids, guint32, i - 1))
			g_array_remove_index(uids, i);
		else
			i++;
	*uids_r = uids;
	return 0;
fail:
	g_array_unref(uids);
	return -1;
}

/* UID FETCH uid with one attribute; hands each of the answer's attributes to fn. */
static int imap_fetch_one(struct net_imap *s, guint32 uid, struct mailimap_fetch_att *att,
			  void (*fn)(struct mailimap_msg_att_item *item, void *ctx), void *ctx,
			  char **error_r)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	struct mailimap_fetch_type *type = mailimap_fetch_type_new_fetch_att_list_empty();
	clist *result = NULL;
	int r, found = 0;

	mailimap_fetch_type_new_fetch_att_list_add(type, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(type, att);
	r = mailimap_uid_fetch(s->imap, set, type, &result);
	mailimap_fetch_type_free(type);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, "UID FETCH", error_r);
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);
		guint32 got = 0;

		/* a server may add unasked FETCH responses (flag changes): match the UID */
		for (clistiter *j = clist_begin(ma->att_list); j != NULL; j = clist_next(j)) {
			struct mailimap_msg_att_item *item = clist_content(j);
			if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
			    item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_UID)
				got = item->att_data.att_static->att_data.att_uid;
		}
		if (got != uid)
			continue;
		for (clistiter *j = clist_begin(ma->att_list); j != NULL; j = clist_next(j))
			fn(clist_content(j), ctx);
		found = 1;
	}
	mailimap_fetch_list_free(result);
	return found;
}

static void size_item(struct mailimap_msg_att_item *item, void *ctx)
{
	if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
	    item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE)
		*(gint64 *)ctx = item->att_data.att_static->att_data.att_rfc822_size;
}

int net_imap_size(struct net_imap *s, guint32 uid, gint64 *size_r, char **error_r)
{
	*size_r = -1;
	int ret = imap_fetch_one(s, uid, mailimap_fetch_att_new_rfc822_size(), size_item, size_r,
				 error_r);

	return ret == 1 && *size_r < 0 ? 0 : ret;
}

struct body_ctx {
	char *raw;
	gsize len;
};

static void body_item(struct mailimap_msg_att_item *item, void *ctx)
{
	struct body_ctx *b = ctx;

	if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
	    item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_BODY_SECTION &&
	    b->raw == NULL) {
		struct mailimap_msg_att_body_section *sec =
		    item->att_data.att_static->att_data.att_body_section;
		b->raw = g_malloc(sec->sec_length + 1);
		memcpy(b->raw, sec->sec_body_part != NULL ? sec->sec_body_part : "",
		       sec->sec_length);
		b->raw[sec->sec_length] = '\0';
		b->len = sec->sec_length;
	}
}

int net_imap_fetch(struct net_imap *s, guint32 uid, char **raw_r, gsize *len_r,
		   char **error_r)
{
	struct body_ctx b = {NULL, 0};
	int ret = imap_fetch_one(s, uid,
				 mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)),
				 body_item, &b, error_r);

	if (ret == 1 && b.raw == NULL)
		ret = 0;
	*raw_r = b.raw;
	*len_r = b.len;
	return ret;
}

static int imap_flag(struct net_imap *s, guint32 uid, struct mailimap_flag *flag,
		     char **error_r)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	struct mailimap_flag_list *flags = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *att;
	int r;

	mailimap_flag_list_add(flags, flag);
	att = mailimap_store_att_flags_new_add_flags_silent(flags);
	r = mailimap_uid_store(s->imap, set, att);
	mailimap_store_att_flags_free(att);
	mailimap_set_free(set);
	return r == MAILIMAP_NO_ERROR ? 0 : imap_fail(s, r, "UID STORE", error_r);
}

/* \Deleted, then expunge that one message (UIDPLUS), or all \Deleted ones without it. */
static int imap_delete(struct net_imap *s, guint32 uid, char **error_r)
{
	int r;

	if (imap_flag(s, uid, mailimap_flag_new_deleted(), error_r) < 0)
		return -1;
	if (mailimap_has_extension(s->imap, "UIDPLUS")) {
		struct mailimap_set *set = mailimap_set_new_single(uid);
		r = mailimap_uid_expunge(s->imap, set);
		mailimap_set_free(set);
	} else {
		r = mailimap_expunge(s->imap);
	}
	return r == MAILIMAP_NO_ERROR ? 0 : imap_fail(s, r, "EXPUNGE", error_r);
}

int net_imap_done(struct net_imap *s, guint32 uid, enum net_done action, const char *folder,
		  char **error_r)
{
	struct mailimap_set *set;
	int r;

	if (action == NET_DONE_SEEN)
		return imap_flag(s, uid, mailimap_flag_new_seen(), error_r);
	if (action == NET_DONE_DELETE)
		return imap_delete(s, uid, error_r);
	set = mailimap_set_new_single(uid);
	if (mailimap_has_extension(s->imap, "MOVE"))
		r = mailimap_uid_move(s->imap, set, folder);
	else
		r = mailimap_uid_copy(s->imap, set, folder);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, "UID MOVE/COPY", error_r);
	return mailimap_has_extension(s->imap, "MOVE") ? 0 : imap_delete(s, uid, error_r);
}

int net_imap_idle(struct net_imap *s, int timeout_s, const volatile sig_atomic_t *stop,
		  char **error_r)
{
	int r = mailimap_idle(s->imap), w;

	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, "IDLE", error_r);
	w = net_conn_wait(&s->conn, timeout_s * 1000, stop);
	if (w < 0)
		return util_error(error_r, "IDLE: connection lost");
	/* DONE, then the server's untagged news (EXISTS...) and the tagged OK */
	r = mailimap_idle_done(s->imap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(s, r, "IDLE DONE", error_r);
	return w;
}
