/* article: the knowledge base's files (doc/kb.md): one article's header and body, and the
 * reindex that reads kb_dir (shared/ and one directory per queue) into the store's index in
 * one transaction.
 * Owns: the articles it parses until they are handed to the caller or stored.
 * Threading: none of its own; the store connection is the caller's thread's. */
#include "config.h"
#include "postdesk/kb.h"

#include <string.h>

#include "postdesk/lib.h"

#define KB_FILE_MAX (256 * 1024) /* an FAQ article, not a manual */

/* A language code as the index and the templates name it: two or three lower-case letters. */
static gboolean kb_lang_ok(const char *lang)
{
	size_t n = strlen(lang);

	if (n < 2 || n > 3)
		return FALSE;
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_islower(lang[i]))
			return FALSE;
	return TRUE;
}

static int kb_header_line(struct store_kb_article *a, const char *path, guint lineno,
			  const char *line, char **error_r)
{
	const char *colon = strchr(line, ':');
	char *key, *value;
	char **slot = NULL;

	if (colon == NULL)
		return util_error(error_r, "%s:%u: header line without \"key: value\" "
				  "(the header ends at the first blank line)", path, lineno);
	key = g_ascii_strdown(line, colon - line);
	g_strstrip(key);
	value = g_strstrip(g_strdup(colon + 1));
	if (strcmp(key, "title") == 0)
		slot = &a->title;
	else if (strcmp(key, "lang") == 0)
		slot = &a->lang;
	else if (strcmp(key, "tags") == 0)
		slot = &a->tags;
	else if (strcmp(key, "url") == 0)
		slot = &a->url;
	if (slot == NULL || *slot != NULL) {
		util_error(error_r, "%s:%u: %s header \"%s\" (title, lang, tags, url)", path,
			   lineno, slot == NULL ? "unknown" : "repeated", key);
		g_free(key);
		g_free(value);
		return -1;
	}
	g_free(key);
	*slot = value;
	return 0;
}

static int kb_check(struct store_kb_article *a, const char *path, char **error_r)
{
	if (a->title == NULL || a->title[0] == '\0')
		return util_error(error_r, "%s: no title: header", path);
	if (a->lang == NULL || !kb_lang_ok(a->lang))
		return util_error(error_r, "%s: lang: must be a language code such as en or de",
				  path);
	if (a->url == NULL)
		a->url = g_strdup("");
	if (a->url[0] != '\0' && ((!g_str_has_prefix(a->url, "https://") &&
				   !g_str_has_prefix(a->url, "http://")) ||
				  strpbrk(a->url, " \t\r\n<>\"") != NULL))
		return util_error(error_r, "%s: url: must be one http(s):// address", path);
	if (a->tags == NULL)
		a->tags = g_strdup("");
	if (a->body == NULL || a->body[strspn(a->body, " \t\r\n")] == '\0')
		return util_error(error_r, "%s: the article has no text under its header", path);
	return 0;
}

int kb_article_parse(const char *path, const char *queue, const char *text,
		     struct store_kb_article **a_r, char **error_r)
{
	struct store_kb_article *a = g_new0(struct store_kb_article, 1);
	const char *p = text;
	guint lineno = 0;

	*a_r = NULL;
	if (!g_utf8_validate(text, -1, NULL)) {
		store_kb_article_free(&a);
		return util_error(error_r, "%s: not UTF-8", path);
	}
	a->path = g_strdup(path);
	a->queue = g_strdup(queue);
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *line = g_strndup(p, len);

		lineno++;
		p = nl != NULL ? nl + 1 : p + len;
		g_strchomp(line);
		if (line[0] == '\0') {
			g_free(line);
			a->body = g_strdup(p);
			break;
		}
		if (kb_header_line(a, path, lineno, line, error_r) < 0) {
			g_free(line);
			store_kb_article_free(&a);
			return -1;
		}
		g_free(line);
	}
	if (kb_check(a, path, error_r) < 0) {
		store_kb_article_free(&a);
		return -1;
	}
	*a_r = a;
	return 0;
}

static gint kb_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.md files of dir/sub, sorted (a stable order: ids follow it). */
static int kb_list_dir(const char *dir, const char *sub, GPtrArray *paths, char **error_r)
{
	char *d = g_build_filename(dir, sub, NULL);
	GError *err = NULL;
	GDir *gd = g_dir_open(d, 0, &err);
	const char *name;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

	if (gd == NULL) {
		util_error(error_r, "%s: %s", d, err->message);
		g_error_free(err);
		g_free(d);
		g_ptr_array_unref(names);
		return -1;
	}
	while ((name = g_dir_read_name(gd)) != NULL)
		if (g_str_has_suffix(name, ".md") && name[0] != '.')
			g_ptr_array_add(names, g_build_filename(d, name, NULL));
	g_dir_close(gd);
	g_ptr_array_sort(names, kb_cmp);
	for (guint i = 0; i < names->len; i++)
		g_ptr_array_add(paths, g_strdup(g_ptr_array_index(names, i)));
	g_ptr_array_unref(names);
	g_free(d);
	return 0;
}

/* Every article file: (path, queue) pairs; subdirectories of kb_dir are queues, but
 * "shared", whose articles serve every queue. */
static int kb_files(const char *kb_dir, GPtrArray *paths, GPtrArray *queues, char **error_r)
{
	GError *err = NULL;
	GDir *gd = g_dir_open(kb_dir, 0, &err);
	GPtrArray *subs = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	int ret = 0;

	if (gd == NULL) {
		util_error(error_r, "kb_dir %s: %s", kb_dir, err->message);
		g_error_free(err);
		g_ptr_array_unref(subs);
		return -1;
	}
	while ((name = g_dir_read_name(gd)) != NULL) {
		char *full = g_build_filename(kb_dir, name, NULL);

		if (name[0] != '.' && g_file_test(full, G_FILE_TEST_IS_DIR))
			g_ptr_array_add(subs, g_strdup(name));
		g_free(full);
	}
	g_dir_close(gd);
	g_ptr_array_sort(subs, kb_cmp);
	for (guint i = 0; ret == 0 && i < subs->len; i++) {
		const char *sub = g_ptr_array_index(subs, i);
		guint before = paths->len;

		ret = kb_list_dir(kb_dir, sub, paths, error_r);
		for (guint j = before; j < paths->len; j++)
			g_ptr_array_add(queues, g_strdup(strcmp(sub, "shared") == 0 ? "" : sub));
	}
	g_ptr_array_unref(subs);
	return ret;
}

static int kb_index_all(struct store *store, GPtrArray *paths, GPtrArray *queues,
			kb_progress_fn *progress, void *ctx, char **error_r)
{
	for (guint i = 0; i < paths->len; i++) {
		const char *path = g_ptr_array_index(paths, i);
		struct store_kb_article *a = NULL;
		char *text = NULL;
		gsize len;
		int ret;

		if (util_read_file(path, &text, &len, error_r) < 0)
			return -1;
		if (len > KB_FILE_MAX) {
			g_free(text);
			return util_error(error_r, "%s: larger than %u bytes", path, KB_FILE_MAX);
		}
		ret = kb_article_parse(path, g_ptr_array_index(queues, i), text, &a, error_r);
		g_free(text);
		if (ret < 0)
			return -1;
		a->id = (gint64)i + 1;
		ret = store_kb_add(store, a, error_r);
		store_kb_article_free(&a);
		if (ret < 0)
			return -1;
		if (progress != NULL)
			progress(i + 1, paths->len, path, ctx);
	}
	return 0;
}

int kb_reindex(struct store *store, const char *kb_dir, kb_progress_fn *progress, void *ctx,
	       guint *count_r, char **error_r)
{
	GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *queues = g_ptr_array_new_with_free_func(g_free);
	int ret;

	*count_r = 0;
	ret = kb_files(kb_dir, paths, queues, error_r);
	if (ret == 0)
		ret = store_begin(store, error_r);
	if (ret == 0) {
		ret = store_kb_clear(store, error_r);
		if (ret == 0)
			ret = kb_index_all(store, paths, queues, progress, ctx, error_r);
		if (ret == 0)
			ret = store_commit(store, error_r);
		if (ret < 0)
			store_rollback(store);
	}
	if (ret == 0)
		*count_r = paths->len;
	g_ptr_array_unref(paths);
	g_ptr_array_unref(queues);
	return ret;
}
