/* macro: canned replies. A macro is a body-only template file <dir>/macros/NAME.txt with
 * the usual variables; agents insert one with a "#macro NAME" line (thread/ parses, deliver/
 * asks here for the text). Lookup order: the admin's template_dir, then the shipped set of
 * the ticket's language, then English (compose_macro_dirs()). Files are read on each
 * use (no state kept): an admin's new macro needs no restart, a broken one is reported to
 * the agent who used it. Thread-safe: nothing shared is written. */
#include "config.h"
#include "postdesk/compose.h"

#include <string.h>

#include "compose-private.h"

#define MACRO_SUMMARY_MAX 72

static gboolean macro_valid_name(const char *name)
{
	gsize n = strlen(name);

	return n > 0 && n <= 64 && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* The directories to search, most specific first (g_strfreev). */
static char **compose_macro_dirs(const struct conf *conf, const char *lang)
{
	const char *shipped = compose_template_default_dir(); /* .../templates/en */
	GPtrArray *dirs = g_ptr_array_new();

	if (lang == NULL || lang[0] == '\0' || strchr(lang, '/') != NULL || lang[0] == '.')
		lang = "en";
	if (conf != NULL && conf->template_dir != NULL)
		g_ptr_array_add(dirs, g_build_filename(conf->template_dir, "macros", NULL));
	if (strcmp(lang, "en") != 0) {
		char *parent = g_path_get_dirname(shipped);
		g_ptr_array_add(dirs, g_build_filename(parent, lang, "macros", NULL));
		g_free(parent);
	}
	g_ptr_array_add(dirs, g_build_filename(shipped, "macros", NULL));
	g_ptr_array_add(dirs, NULL);
	return (char **)g_ptr_array_free(dirs, FALSE);
}

void compose_macro_free(struct compose_macro **mp)
{
	struct compose_macro *m = *mp;

	if (m == NULL)
		return;
	g_free(m->name);
	g_free(m->path);
	g_free(m->summary);
	g_free(m);
	*mp = NULL;
}

static void macro_free_ptr(gpointer p)
{
	struct compose_macro *m = p;

	compose_macro_free(&m);
}

/* What the macro says, for a listing: its first line of text that is not a command, nor a
 * salutation ("Hello {{customer.name}},": short, a comma at the end); else its
 * first line of text. */
static char *macro_summary(const char *path)
{
	char *data = NULL, *summary = NULL, *first = NULL;
	char **lines;

	if (!g_file_get_contents(path, &data, NULL, NULL))
		return g_strdup("(unreadable)");
	lines = g_strsplit(data, "\n", -1);
	for (guint i = 0; lines[i] != NULL && summary == NULL; i++) {
		char *l = g_strstrip(lines[i]);
		if (l[0] == '\0' || l[0] == '#')
			continue;
		if (first == NULL)
			first = l;
		if (!g_str_has_suffix(l, ",") || strlen(l) > 40)
			summary = g_utf8_make_valid(l, -1);
	}
	if (summary == NULL && first != NULL)
		summary = g_utf8_make_valid(first, -1);
	g_strfreev(lines);
	g_free(data);
	if (summary == NULL)
		return g_strdup("");
	if (strlen(summary) > MACRO_SUMMARY_MAX) {
		char *end = g_utf8_find_prev_char(summary, summary + MACRO_SUMMARY_MAX - 3);
		*end = '\0';
		char *cut = g_strconcat(summary, "...", NULL);
		g_free(summary);
		summary = cut;
	}
	return summary;
}

static gint macro_cmp(gconstpointer a, gconstpointer b)
{
	const struct compose_macro *x = *(struct compose_macro *const *)a;
	const struct compose_macro *y = *(struct compose_macro *const *)b;

	return strcmp(x->name, y->name);
}

int compose_macro_list(const struct conf *conf, const char *lang, GPtrArray **list_r,
		       char **error_r)
{
	char **dirs = compose_macro_dirs(conf, lang);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *list = g_ptr_array_new_with_free_func(macro_free_ptr);

	(void)error_r;
	for (guint i = 0; dirs[i] != NULL; i++) {
		GDir *dir = g_dir_open(dirs[i], 0, NULL);
		const char *file;

		if (dir == NULL)
			continue; /* no macros there */
		while ((file = g_dir_read_name(dir)) != NULL) {
			struct compose_macro *m;
			if (!g_str_has_suffix(file, ".txt"))
				continue;
			char *name = g_strndup(file, strlen(file) - 4);
			if (!macro_valid_name(name) || g_hash_table_contains(seen, name)) {
				g_free(name);
				continue;
			}
			m = g_new0(struct compose_macro, 1);
			m->name = name;
			m->path = g_build_filename(dirs[i], file, NULL);
			m->summary = macro_summary(m->path);
			g_hash_table_add(seen, m->name);
			g_ptr_array_add(list, m);
		}
		g_dir_close(dir);
	}
	g_ptr_array_sort(list, macro_cmp);
	g_hash_table_unref(seen);
	g_strfreev(dirs);
	*list_r = list;
	return 0;
}

int compose_macro_find(const struct conf *conf, const char *lang, const char *name,
		       char **path_r, char **error_r)
{
	char **dirs;
	char *file;

	(void)error_r;
	*path_r = NULL;
	if (!macro_valid_name(name))
		return 0;
	dirs = compose_macro_dirs(conf, lang);
	file = g_strconcat(name, ".txt", NULL);
	for (guint i = 0; dirs[i] != NULL && *path_r == NULL; i++) {
		char *path = g_build_filename(dirs[i], file, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			*path_r = path;
		else
			g_free(path);
	}
	g_free(file);
	g_strfreev(dirs);
	return *path_r != NULL ? 1 : 0;
}

/* Ticket variables (ticket.*, customer.*, queue.*) for ticket_id, and the language of its
 * customer mail in *lang_r (a LANG_CODES code, static). */
static int macro_ticket_vars(const struct conf *conf, struct store *store, gint64 ticket_id,
			     GHashTable *vars, const char **lang_r, char **error_r)
{
	struct store_ticket *t = NULL;
	const struct conf_queue *q;
	int ret = store_ticket_get(store, ticket_id, &t, error_r);

	if (ret <= 0)
		return ret < 0 ? -1 : util_error(error_r, "no ticket %" G_GINT64_FORMAT, ticket_id);
	q = conf_queue_by_name(conf, t->queue);
	if (q == NULL)
		q = g_ptr_array_index(conf->queues, 0);
	compose_vars_ticket(vars, t, q);
	*lang_r = lang_code(lang_index(t->lang) >= 0 ? lang_index(t->lang)
				: lang_index(q->language) >= 0 ? lang_index(q->language) : 0);
	store_ticket_free(&t);
	return compose_vars_ticket_orders(store, ticket_id, vars, error_r);
}

int compose_macro_render(const struct conf *conf, struct store *store, gint64 ticket_id,
			 const char *agent_name, const char *agent_email, const char *name,
			 char **text_r, char **error_r)
{
	struct compose_template *t = NULL;
	GHashTable *vars = NULL;
	char *path = NULL, *subject = NULL;
	const char *lang = NULL;
	int ret;

	*text_r = NULL;
	vars = compose_vars_new();
	/* The ticket's language picks the macro's translation (compose_macro_dirs). */
	if (ticket_id > 0 && macro_ticket_vars(conf, store, ticket_id, vars, &lang, error_r) < 0) {
		g_hash_table_unref(vars);
		return -1;
	}
	if ((ret = compose_macro_find(conf, lang, name, &path, error_r)) <= 0) {
		g_hash_table_unref(vars);
		return ret;
	}
	ret = -1;
	if (compose_template_load_body(path, &t, error_r) < 0)
		goto out;
	compose_var(vars, "agent.name", agent_name);
	compose_var(vars, "agent.email", agent_email);
	if (compose_template_render(t, vars, &subject, text_r, error_r) < 0)
		goto out;
	ret = 1;
out:
	g_free(subject);
	g_free(path);
	g_hash_table_unref(vars);
	compose_template_free(&t);
	return ret;
}
