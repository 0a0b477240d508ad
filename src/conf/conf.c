/* conf: load the configuration file (GLib key file) into an immutable struct conf.
 * Every key is described once in keys.def; one loop walks that table for [postdesk] and for
 * each [queue NAME] group, so adding a key never adds parsing code. GKeyFile gives no line
 * numbers, so on an error the loader scans the file text for the group and key to name the
 * line. conf_load() runs before threads start; the result is read-only afterwards. */
#include "config.h"
#include "conf-private.h"
#include "postdesk/lib.h"

#include <stdarg.h>
#include <string.h>

/* The ENUM type stores its index through an int lvalue. */
G_STATIC_ASSERT(sizeof(enum conf_closed_policy) == sizeof(int));

#define CONF_REQUIRED TRUE
#define CONF_OPTIONAL FALSE
#define CONF_OFF_GLOBAL(f) offsetof(struct conf, f)
#define CONF_OFF_QUEUE(f) offsetof(struct conf_queue, f)
#define CONF_OFF_MAILBOX(f) offsetof(struct conf_mailbox, f)
#define CONF_KEY(grp, nm, ty, fld, df, rq, mn, mx, ch, dc)                                        \
	{CONF_GROUP_##grp, nm, CONF_T_##ty, CONF_OFF_##grp(fld), df, CONF_##rq, mn, mx, ch, dc},

const struct conf_key conf_keys[] = {
#include "keys.def"
};
const size_t conf_keys_count = G_N_ELEMENTS(conf_keys);

#define QUEUE_PREFIX "queue "
#define MAILBOX_PREFIX "mailbox "

struct conf_ctx {
	const char *path;
	const char *text; /* the file, for line numbers */
	GKeyFile *kf;
};

/* Line of the last "key =" in group (GKeyFile keeps the last), or of the group's first
 * header when key is NULL; 0 if not found. Mirrors GKeyFile's own line rules. */
static int conf_line(const char *text, const char *group, const char *key)
{
	char **lines = g_strsplit(text, "\n", -1);
	int found = 0;
	gboolean in_group = FALSE;

	for (int i = 0; lines[i] != NULL; i++) {
		char *s = g_strstrip(lines[i]), *end;

		if (s[0] == '[' && (end = strrchr(s, ']')) != NULL) {
			*end = '\0';
			in_group = strcmp(s + 1, group) == 0;
			if (in_group && key == NULL && found == 0)
				found = i + 1;
		} else if (in_group && key != NULL && s[0] != '#' && (end = strchr(s, '=')) != NULL) {
			*end = '\0';
			if (strcmp(g_strchomp(s), key) == 0)
				found = i + 1;
		}
	}
	g_strfreev(lines);
	return found;
}

/* "path:LINE: [group] key: message"; the line of key, else of the group, else none. */
static int conf_fail(const struct conf_ctx *ctx, const char *group, const char *key,
		     char **error_r, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int conf_fail(const struct conf_ctx *ctx, const char *group, const char *key,
		     char **error_r, const char *fmt, ...)
{
	int line = key != NULL ? conf_line(ctx->text, group, key) : 0;
	char *msg, *where;
	va_list ap;

	if (line == 0)
		line = conf_line(ctx->text, group, NULL);
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	where = line > 0 ? g_strdup_printf("%s:%d", ctx->path, line) : g_strdup(ctx->path);
	if (key != NULL)
		util_error(error_r, "%s: [%s] %s: %s", where, group, key, msg);
	else
		util_error(error_r, "%s: [%s]: %s", where, group, msg);
	g_free(where);
	g_free(msg);
	return -1;
}

/* A default with "{domain}" and "{Name}" filled in; g_malloc'ed (conf-private.h). */
char *conf_expand_default(const char *def, const char *domain, const char *qname)
{
	GString *s = g_string_new(def);

	g_string_replace(s, "{domain}", domain != NULL ? domain : "", 0);
	if (qname != NULL) {
		char *name = g_strdup(qname);
		name[0] = g_ascii_toupper(name[0]);
		g_string_replace(s, "{Name}", name, 0);
		g_free(name);
	}
	return g_string_free(s, FALSE);
}

/* For messages: the value as written, escaped only if it holds control characters. */
static char *conf_show(const char *raw)
{
	for (const char *p = raw; *p != '\0'; p++)
		if ((unsigned char)*p < ' ')
			return g_strescape(raw, NULL);
	return g_strdup(raw);
}

/* One key of the table: the file's value, else the default, else "required". */
static int conf_parse_key(const struct conf_ctx *ctx, const char *group, const struct conf_key *k,
			  void *base, const char *domain, const char *qname, char **error_r)
{
	GError *err = NULL;
	char *raw, *expected = NULL, *shown;
	int ret;

	if (!g_key_file_has_key(ctx->kf, group, k->name, NULL)) {
		if (k->required)
			return conf_fail(ctx, group, k->name, error_r, "required key missing");
		if (k->def == NULL)
			return 0;
		raw = conf_expand_default(k->def, domain, qname);
		ret = conf_value_parse(k, raw, base, &expected);
		if (ret < 0)
			conf_fail(ctx, group, k->name, error_r, "bad default \"%s\": %s", raw,
				  expected);
		g_free(raw);
		g_free(expected);
		return ret;
	}
	raw = g_key_file_get_string(ctx->kf, group, k->name, &err);
	if (raw == NULL) {
		conf_fail(ctx, group, k->name, error_r, "bad value: %s", err->message);
		g_error_free(err);
		return -1;
	}
	/* GKeyFile gives the value AND an error when it holds a backslash it does not know
	 * (a regular expression's "\d" in order_patterns): the value, kept as written, is
	 * what is meant. */
	g_clear_error(&err);
	g_strchomp(raw); /* GKeyFile keeps trailing blanks; no value means them */
	ret = conf_value_parse(k, raw, base, &expected);
	if (ret < 0) {
		shown = conf_show(raw);
		conf_fail(ctx, group, k->name, error_r, "bad value \"%s\": %s", shown, expected);
		g_free(shown);
	}
	g_free(expected);
	g_free(raw);
	return ret;
}

static int conf_parse_group(const struct conf_ctx *ctx, const char *group,
			    enum conf_group_kind kind, void *base, const char *domain,
			    const char *qname, char **error_r)
{
	char **keys = g_key_file_get_keys(ctx->kf, group, NULL, NULL);
	int ret = 0;

	/* Unknown keys first: a typo must not hide behind a "required key missing". */
	for (size_t i = 0; keys != NULL && keys[i] != NULL && ret == 0; i++) {
		size_t j;
		for (j = 0; j < conf_keys_count; j++)
			if (conf_keys[j].group == kind && strcmp(conf_keys[j].name, keys[i]) == 0)
				break;
		if (j == conf_keys_count)
			ret = conf_fail(ctx, group, keys[i], error_r, "unknown key");
	}
	g_strfreev(keys);
	for (size_t j = 0; j < conf_keys_count && ret == 0; j++) {
		if (conf_keys[j].group != kind)
			continue;
		ret = conf_parse_key(ctx, group, &conf_keys[j], base,
				     kind != CONF_GROUP_GLOBAL ? domain : ((struct conf *)base)->domain,
				     qname, error_r);
	}
	return ret;
}

guint conf_survey_questions(const struct conf *conf, guint ask[CONF_SURVEY_QUESTIONS])
{
	if (conf == NULL || conf->n_survey_ask == 0) {
		ask[0] = CONF_SURVEY_CSAT;
		ask[1] = CONF_SURVEY_NPS;
		return 2;
	}
	memcpy(ask, conf->survey_ask, conf->n_survey_ask * sizeof(ask[0]));
	return conf->n_survey_ask;
}

/* survey_questions: words csat, nps, ces, each at most once, at least one. */
static int conf_parse_survey_questions(const struct conf_ctx *ctx, struct conf *conf,
				       char **error_r)
{
	static const char *const names[CONF_SURVEY_QUESTIONS] = {"csat", "nps", "ces"};
	char **words = g_strsplit_set(conf->survey_questions, " \t,", -1);
	int ret = 0;

	conf->n_survey_ask = 0;
	for (guint i = 0; words[i] != NULL && ret == 0; i++) {
		guint q;
		if (words[i][0] == '\0')
			continue;
		for (q = 0; q < CONF_SURVEY_QUESTIONS && g_ascii_strcasecmp(words[i], names[q]); q++)
			;
		for (guint j = 0; j < conf->n_survey_ask && q < CONF_SURVEY_QUESTIONS; j++)
			if (conf->survey_ask[j] == q)
				ret = conf_fail(ctx, "postdesk", "survey_questions", error_r,
						"\"%s\" named twice", words[i]);
		if (ret == 0 && q == CONF_SURVEY_QUESTIONS)
			ret = conf_fail(ctx, "postdesk", "survey_questions", error_r,
					"unknown question \"%s\" (expected csat, nps or ces)",
					words[i]);
		if (ret == 0)
			conf->survey_ask[conf->n_survey_ask++] = q;
	}
	if (ret == 0 && conf->n_survey_ask == 0)
		ret = conf_fail(ctx, "postdesk", "survey_questions", error_r,
				"no question (expected csat, nps and/or ces)");
	g_strfreev(words);
	return ret;
}

/* unsubscribe_url goes into a List-Unsubscribe header between <>: an https URL (RFC 8058
 * one-click needs one) with exactly one {token}, of a length that fits a header line, and
 * no character that would end the URL in that header (white space, '<', '>', ',', '"') or
 * is not ASCII. */
static int conf_check_unsubscribe_url(const struct conf_ctx *ctx, const char *url,
				      char **error_r)
{
	const char *tok = strstr(url, CONF_UNSUBSCRIBE_TOKEN);

	if (!g_str_has_prefix(url, "https://") || url[strlen("https://")] == '\0')
		return conf_fail(ctx, "postdesk", "unsubscribe_url", error_r,
				 "\"%s\": expected an https:// URL", url);
	if (tok == NULL || strstr(tok + 1, CONF_UNSUBSCRIBE_TOKEN) != NULL)
		return conf_fail(ctx, "postdesk", "unsubscribe_url", error_r,
				 "\"%s\": expected exactly one %s (where the opt-out token goes)", url,
				 CONF_UNSUBSCRIBE_TOKEN);
	/* A header line holds at most 998 characters (RFC 5322 2.1.1); the token adds ~60. */
	if (strlen(url) > CONF_UNSUBSCRIBE_URL_MAX)
		return conf_fail(ctx, "postdesk", "unsubscribe_url", error_r,
				 "longer than %d characters", CONF_UNSUBSCRIBE_URL_MAX);
	for (const char *p = url; *p != '\0'; p++) {
		unsigned char u = (unsigned char)*p;

		if (u <= ' ' || u >= 127)
			return conf_fail(ctx, "postdesk", "unsubscribe_url", error_r,
					 "byte \\x%02x is not allowed in the URL (percent-encode it)",
					 u);
		if (strchr("<>,\"", *p) != NULL)
			return conf_fail(ctx, "postdesk", "unsubscribe_url", error_r,
					 "\"%s\": '%c' is not allowed in the URL (percent-encode it)",
					 url, *p);
	}
	return 0;
}

/* order_patterns must compile and order_lookup must name a program by absolute path
 * (it is run without a shell and without a PATH search: doc/security.md). */
static int conf_check_orders(const struct conf_ctx *ctx, const char *group,
			     const struct conf_queue *q, char **error_r)
{
	char **words = NULL, *err = NULL;
	int ret = 0;

	if (q->order_patterns != NULL && (ret = conf_order_patterns_ok(q->order_patterns, &err)) < 0)
		ret = conf_fail(ctx, group, "order_patterns", error_r, "%s", err);
	g_free(err);
	if (ret < 0 || q->order_lookup == NULL)
		return ret;
	if (!g_shell_parse_argv(q->order_lookup, NULL, &words, NULL) || words[0][0] != '/')
		ret = conf_fail(ctx, group, "order_lookup", error_r,
				"\"%s\": not a command line starting with an absolute path",
				q->order_lookup);
	g_strfreev(words);
	return ret;
}

/* The checks that involve more than one key or queue. */
static int conf_check_queue(const struct conf_ctx *ctx, const struct conf *conf,
			    const char *group, struct conf_queue *q, char **error_r)
{
	const char *at = strchr(q->address, '@');

	q->local = g_strndup(q->address, at - q->address);
	if (strcmp(at + 1, conf->domain) != 0)
		return conf_fail(ctx, group, "address", error_r,
				 "\"%s\" is not in the support domain %s", q->address, conf->domain);
	if (strchr(q->local, '+') != NULL)
		return conf_fail(ctx, group, "address", error_r,
				 "\"%s\": a queue address may not contain '+' (used by reply tokens)",
				 q->address);
	if (conf_check_orders(ctx, group, q, error_r) < 0)
		return -1;
	for (guint i = 0; i < conf->queues->len; i++) {
		const struct conf_queue *other = g_ptr_array_index(conf->queues, i);
		if (strcmp(other->local, q->local) == 0)
			return conf_fail(ctx, group, "address", error_r,
					 "\"%s\" is already used by [queue %s]", q->address,
					 other->name);
	}
	return 0;
}

static gboolean conf_queue_name_ok(const char *name)
{
	if (name[0] == '\0')
		return FALSE;
	for (const char *p = name; *p != '\0'; p++)
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '_' && *p != '-')
			return FALSE;
	return TRUE;
}

/* [mailbox NAME]: the name as a queue's, then the keys and what they need of each other. */
static int conf_mailbox_name_check(const struct conf_ctx *ctx, const char *g, char **error_r)
{
	if (conf_queue_name_ok(g + strlen(MAILBOX_PREFIX)))
		return 0;
	return conf_fail(ctx, g, NULL, error_r, "bad mailbox name \"%s\": expected [a-z0-9_-]+",
			 g + strlen(MAILBOX_PREFIX));
}

static gboolean conf_host_loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 || g_str_has_prefix(host, "127.") ||
	       strcmp(host, "::1") == 0 || strcmp(host, "[::1]") == 0;
}

static int conf_check_mailbox(const struct conf_ctx *ctx, const struct conf *conf,
			      const char *g, struct conf_mailbox *m, char **error_r)
{
	gboolean pop3 = strcmp(m->protocol, "pop3") == 0;

	if ((m->queue_ref = conf_queue_by_name(conf, m->queue)) == NULL)
		return conf_fail(ctx, g, "queue", error_r, "no [queue %s]", m->queue);
	if (strcmp(m->security, "none") == 0 && !conf_host_loopback(m->host) &&
	    strcmp(m->allow_plaintext, "yes") != 0)
		return conf_fail(ctx, g, "security", error_r,
				 "none to %s, which is not loopback: the password would cross the "
				 "network in clear (set allow_plaintext = yes to mean it)", m->host);
	if (strcmp(m->auth, "xoauth2") == 0 ? m->token_command == NULL : m->password_file == NULL)
		return conf_fail(ctx, g, strcmp(m->auth, "xoauth2") == 0 ? "token_command"
									     : "password_file",
				 error_r, "required with auth = %s", m->auth);
	if (m->token_command != NULL && m->token_command[0] != '/')
		return conf_fail(ctx, g, "token_command", error_r,
				 "expected an absolute path and its arguments");
	if (strcmp(m->done_action, "move") == 0 && (pop3 || m->done_folder == NULL))
		return conf_fail(ctx, g, "done_action", error_r,
				 pop3 ? "move: POP3 has no folders" : "move needs done_folder");
	if (m->port == 0)
		m->port = pop3 ? (strcmp(m->security, "tls") == 0 ? 995 : 110)
			       : (strcmp(m->security, "tls") == 0 ? 993 : 143);
	if (m->max_message_size == 0)
		m->max_message_size = conf->max_message_size;
	return 0;
}

static int conf_load_mailbox(const struct conf_ctx *ctx, struct conf *conf, const char *g,
			     char **error_r)
{
	struct conf_mailbox *m = g_new0(struct conf_mailbox, 1);
	int ret;

	m->name = g_strdup(g + strlen(MAILBOX_PREFIX));
	g_ptr_array_add(conf->mailboxes, m); /* owned by conf even on error */
	ret = conf_parse_group(ctx, g, CONF_GROUP_MAILBOX, m, conf->domain, m->name, error_r);
	return ret < 0 ? -1 : conf_check_mailbox(ctx, conf, g, m, error_r);
}

static int conf_load_groups(const struct conf_ctx *ctx, struct conf *conf, char **error_r)
{
	char **groups = g_key_file_get_groups(ctx->kf, NULL);
	int ret = 0;

	for (size_t i = 0; groups[i] != NULL && ret == 0; i++) {
		const char *g = groups[i];
		if (strcmp(g, "postdesk") == 0)
			continue;
		if (g_str_has_prefix(g, MAILBOX_PREFIX))
			ret = conf_mailbox_name_check(ctx, g, error_r);
		else if (!g_str_has_prefix(g, QUEUE_PREFIX))
			ret = conf_fail(ctx, g, NULL, error_r,
					"unknown group (expected [postdesk] or [queue NAME])");
		else if (!conf_queue_name_ok(g + strlen(QUEUE_PREFIX)))
			ret = conf_fail(ctx, g, NULL, error_r,
					"bad queue name \"%s\": expected [a-z0-9_-]+",
					g + strlen(QUEUE_PREFIX));
	}
	if (ret == 0)
		ret = conf_parse_group(ctx, "postdesk", CONF_GROUP_GLOBAL, conf, NULL, NULL,
				       error_r);
	if (ret == 0)
		ret = conf_parse_survey_questions(ctx, conf, error_r);
	if (ret == 0 && conf->unsubscribe_url != NULL)
		ret = conf_check_unsubscribe_url(ctx, conf->unsubscribe_url, error_r);
	if (ret == 0 && conf->digest_time != NULL && conf_digest_minute(conf) < 0)
		ret = conf_fail(ctx, "postdesk", "digest_time", error_r,
				"\"%s\": expected HH:MM (00:00 to 23:59)", conf->digest_time);
	for (size_t i = 0; groups[i] != NULL && ret == 0; i++) {
		struct conf_queue *q;
		if (!g_str_has_prefix(groups[i], QUEUE_PREFIX))
			continue;
		q = g_new0(struct conf_queue, 1);
		q->name = g_strdup(groups[i] + strlen(QUEUE_PREFIX));
		ret = conf_parse_group(ctx, groups[i], CONF_GROUP_QUEUE, q, conf->domain, q->name,
				       error_r);
		if (ret == 0)
			ret = conf_check_queue(ctx, conf, groups[i], q, error_r);
		g_ptr_array_add(conf->queues, q); /* owned by conf even on error */
	}
	if (ret == 0 && conf->queues->len == 0)
		ret = util_error(error_r, "%s: no [queue NAME] group: at least one queue is required",
				 ctx->path);
	/* mailboxes last: each names a queue */
	for (size_t i = 0; groups[i] != NULL && ret == 0; i++)
		if (g_str_has_prefix(groups[i], MAILBOX_PREFIX))
			ret = conf_load_mailbox(ctx, conf, groups[i], error_r);
	g_strfreev(groups);
	return ret;
}

static void conf_free_fields(enum conf_group_kind kind, void *base)
{
	for (size_t i = 0; i < conf_keys_count; i++)
		if (conf_keys[i].group == kind && conf_type_is_string(conf_keys[i].type))
			g_free(*(char **)(void *)((char *)base + conf_keys[i].offset));
}

static void conf_queue_free(gpointer p)
{
	struct conf_queue *q = p;

	conf_free_fields(CONF_GROUP_QUEUE, q);
	g_free(q->name);
	g_free(q->local);
	g_free(q);
}

static void conf_mailbox_free(gpointer p)
{
	struct conf_mailbox *m = p;

	conf_free_fields(CONF_GROUP_MAILBOX, m);
	g_free(m->name);
	g_free(m);
}

const struct conf_mailbox *conf_mailbox_by_name(const struct conf *conf, const char *name)
{
	for (guint i = 0; i < conf->mailboxes->len; i++) {
		const struct conf_mailbox *m = g_ptr_array_index(conf->mailboxes, i);
		if (strcmp(m->name, name) == 0)
			return m;
	}
	return NULL;
}

int conf_load(const char *path, struct conf **conf_r, char **error_r)
{
	struct conf_ctx ctx = {.path = path};
	struct conf *conf;
	GError *err = NULL;
	char *text;
	gsize len;
	int ret;

	if (util_read_file(path, &text, &len, error_r) < 0)
		return -1;
	ctx.text = text;
	ctx.kf = g_key_file_new();
	/* Keep "key[lang]" entries so that they are reported as unknown, not dropped. */
	if (!g_key_file_load_from_data(ctx.kf, text, len, G_KEY_FILE_KEEP_TRANSLATIONS, &err)) {
		util_error(error_r, "%s: %s", path, err->message);
		g_error_free(err);
		g_key_file_free(ctx.kf);
		g_free(text);
		return -1;
	}
	conf = g_new0(struct conf, 1);
	conf->path = g_strdup(path);
	conf->queues = g_ptr_array_new_with_free_func(conf_queue_free);
	conf->mailboxes = g_ptr_array_new_with_free_func(conf_mailbox_free);
	ret = conf_load_groups(&ctx, conf, error_r);
	g_key_file_free(ctx.kf);
	g_free(text);
	if (ret < 0) {
		conf_free(&conf);
		return -1;
	}
	*conf_r = conf;
	return 0;
}

void conf_free(struct conf **conf)
{
	struct conf *c = *conf;

	if (c == NULL)
		return;
	conf_free_fields(CONF_GROUP_GLOBAL, c);
	g_ptr_array_unref(c->queues);
	if (c->mailboxes != NULL)
		g_ptr_array_unref(c->mailboxes);
	g_free(c->path);
	g_free(c);
	*conf = NULL;
}

const struct conf_queue *conf_queue_by_address(const struct conf *conf, const char *addr)
{
	for (guint i = 0; i < conf->queues->len; i++) {
		const struct conf_queue *q = g_ptr_array_index(conf->queues, i);
		if (g_ascii_strcasecmp(q->address, addr) == 0)
			return q;
	}
	return NULL;
}

const struct conf_queue *conf_queue_by_local(const struct conf *conf, const char *local)
{
	for (guint i = 0; i < conf->queues->len; i++) {
		const struct conf_queue *q = g_ptr_array_index(conf->queues, i);
		if (g_ascii_strcasecmp(q->local, local) == 0)
			return q;
	}
	return NULL;
}

const struct conf_queue *conf_queue_by_name(const struct conf *conf, const char *name)
{
	for (guint i = 0; i < conf->queues->len; i++) {
		const struct conf_queue *q = g_ptr_array_index(conf->queues, i);
		if (g_ascii_strcasecmp(q->name, name) == 0)
			return q;
	}
	return NULL;
}
