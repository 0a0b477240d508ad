/* template: load "Subject: ...\n\nbody" template files with {{variable}} placeholders
 * from a fixed whitelist and render them. Parsing happens once at load, so every error
 * (unknown variable, unclosed braces, missing Subject) shows up at start-up with file:line,
 * never while mail is being sent. A loaded template is immutable and owned by the caller;
 * it may be rendered from several threads at once. */
#include "config.h"
#include "postdesk/compose.h"

#include <string.h>

#include "compose-private.h"

/* A template is a list of segments: literal text, or a variable (index into var_names). */
struct segment {
	char *literal; /* NULL for a variable */
	int var;
};

struct compose_template {
	char *path;
	GArray *subject; /* struct segment */
	GArray *body;	 /* struct segment */
};

#define VAR_NAME(n) n,
static const char *const var_names[] = {COMPOSE_TEMPLATE_VARS(VAR_NAME)};
#define TEMPLATE_NAME(n) n,
static const char *const template_names[] = {COMPOSE_TEMPLATE_NAMES(TEMPLATE_NAME)};

static int var_index(const char *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(var_names); i++)
		if (strcmp(var_names[i], name) == 0)
			return (int)i;
	return -1;
}

int compose_template_var_known(const char *name)
{
	return var_index(name) >= 0;
}

static void segment_clear(gpointer p)
{
	struct segment *s = p;

	g_free(s->literal);
}

static void add_literal(GArray *segs, const char *text, gsize len)
{
	struct segment s = {NULL, -1};

	if (len == 0)
		return;
	s.literal = g_strndup(text, len);
	g_array_append_val(segs, s);
}

/* Split text (starting at line first_line of path) into segments. */
static int parse_segments(const char *path, int first_line, const char *text, GArray *segs,
			  char **error_r)
{
	const char *p = text;
	int line = first_line;

	for (;;) {
		const char *open = strstr(p, "{{");
		const char *close;

		if (open == NULL)
			break;
		for (const char *q = p; q < open; q++)
			if (*q == '\n')
				line++;
		close = strstr(open + 2, "}}");
		/* A variable name never spans lines: a newline before "}}" means unclosed. */
		if (close == NULL || memchr(open + 2, '\n', (gsize)(close - open - 2)) != NULL)
			return util_error(error_r, "%s:%d: unclosed \"{{\"", path, line);
		add_literal(segs, p, (gsize)(open - p));

		char *name = g_strstrip(g_strndup(open + 2, (gsize)(close - open - 2)));
		int idx = var_index(name);
		if (idx < 0) {
			util_error(error_r, "%s:%d: unknown variable \"%s\"", path, line, name);
			g_free(name);
			return -1;
		}
		g_free(name);
		struct segment s = {NULL, idx};
		g_array_append_val(segs, s);
		p = close + 2;
	}
	add_literal(segs, p, strlen(p));
	return 0;
}

static int valid_name(const char *name)
{
	if (*name == '\0')
		return 0;
	for (const char *p = name; *p != '\0'; p++)
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '_')
			return 0;
	return 1;
}

static char *find_file(const char *override_dir, const char *default_dir, const char *name)
{
	char *file = g_strconcat(name, ".txt", NULL);
	char *path = NULL;

	if (override_dir != NULL) {
		path = g_build_filename(override_dir, file, NULL);
		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			g_clear_pointer(&path, g_free);
	}
	if (path == NULL)
		path = g_build_filename(default_dir, file, NULL);
	g_free(file);
	return path;
}

/* Parse the file contents (CRLF already folded to LF) into t. */
static int parse_template(struct compose_template *t, char *text, char **error_r)
{
	char *nl = strchr(text, '\n');
	const char *subject;

	if (nl == NULL || g_ascii_strncasecmp(text, "Subject:", 8) != 0)
		return util_error(error_r, "%s:1: first line must be \"Subject: ...\"", t->path);
	*nl = '\0';
	subject = text + 8;
	while (*subject == ' ' || *subject == '\t')
		subject++;
	if (nl[1] != '\n' && nl[1] != '\0')
		return util_error(error_r, "%s:2: a blank line must follow the Subject line",
				  t->path);
	/* A lone CR left in the Subject line would reach our outbound Subject header (found
	 * by tests/fuzz/fuzz_template): refused like any other broken template. */
	if (strchr(subject, '\r') != NULL)
		return util_error(error_r, "%s:1: carriage return in the Subject line", t->path);
	if (parse_segments(t->path, 1, subject, t->subject, error_r) < 0)
		return -1;
	if (nl[1] == '\0')
		return 0;
	return parse_segments(t->path, 3, nl + 2, t->body, error_r);
}

static struct compose_template *template_new(char *path)
{
	struct compose_template *t = g_new0(struct compose_template, 1);

	t->path = path;
	t->subject = g_array_new(FALSE, FALSE, sizeof(struct segment));
	g_array_set_clear_func(t->subject, segment_clear);
	t->body = g_array_new(FALSE, FALSE, sizeof(struct segment));
	g_array_set_clear_func(t->body, segment_clear);
	return t;
}

/* The file as UTF-8 text with LF line ends, g_malloc'ed; NULL with *error_r. */
static char *template_read(const char *path, char **error_r)
{
	char *data, *text;
	char **lines;
	gsize len;

	if (util_read_file(path, &data, &len, error_r) < 0)
		return NULL;
	if (memchr(data, '\0', len) != NULL || !g_utf8_validate(data, (gssize)len, NULL)) {
		g_free(data);
		util_error(error_r, "%s: not UTF-8 text", path);
		return NULL;
	}
	/* Files edited on Windows: CRLF becomes LF so the body renders the same either way. */
	lines = g_strsplit(data, "\r\n", -1);
	text = g_strjoinv("\n", lines);
	g_strfreev(lines);
	g_free(data);
	return text;
}

int compose_template_load(const char *override_dir, const char *default_dir, const char *name,
			 struct compose_template **t_r, char **error_r)
{
	struct compose_template *t;
	char *text;
	int ret;

	*t_r = NULL;
	if (!valid_name(name))
		return util_error(error_r, "bad template name \"%s\"", name);
	t = template_new(find_file(override_dir, default_dir, name));
	if ((text = template_read(t->path, error_r)) == NULL) {
		compose_template_free(&t);
		return -1;
	}
	ret = parse_template(t, text, error_r);
	g_free(text);
	if (ret < 0)
		compose_template_free(&t);
	*t_r = t;
	return ret;
}

int compose_template_load_body(const char *path, struct compose_template **t_r,
			       char **error_r)
{
	struct compose_template *t = template_new(g_strdup(path));
	char *text = template_read(path, error_r);
	int ret = text == NULL ? -1 : parse_segments(path, 1, text, t->body, error_r);

	g_free(text);
	if (ret < 0)
		compose_template_free(&t);
	*t_r = t;
	return ret;
}

/* Append the rendered segments to out; in_subject refuses values with CR/LF. */
static int render_segments(const struct compose_template *t, const GArray *segs, GHashTable *vars,
			   gboolean in_subject, GString *out, char **error_r)
{
	for (guint i = 0; i < segs->len; i++) {
		const struct segment *s = &g_array_index(segs, struct segment, i);
		const char *value;

		if (s->literal != NULL) {
			g_string_append(out, s->literal);
			continue;
		}
		value = vars == NULL ? NULL : g_hash_table_lookup(vars, var_names[s->var]);
		if (value == NULL)
			continue;
		if (in_subject && util_has_crlf(value))
			return util_error(error_r, "%s: value of {{%s}} in the Subject has CR/LF",
					  t->path, var_names[s->var]);
		g_string_append(out, value);
	}
	return 0;
}

int compose_template_render(const struct compose_template *t, GHashTable *vars, char **subject_r,
			   char **body_r, char **error_r)
{
	GString *subject = g_string_new(NULL);
	GString *body = g_string_new(NULL);

	*subject_r = NULL;
	*body_r = NULL;
	if (render_segments(t, t->subject, vars, TRUE, subject, error_r) < 0 ||
	    render_segments(t, t->body, vars, FALSE, body, error_r) < 0) {
		g_string_free(subject, TRUE);
		g_string_free(body, TRUE);
		return -1;
	}
	*subject_r = g_string_free(subject, FALSE);
	*body_r = g_string_free(body, FALSE);
	return 0;
}

const char *compose_template_path(const struct compose_template *t)
{
	return t->path;
}

void compose_template_free(struct compose_template **t)
{
	if (*t == NULL)
		return;
	g_array_unref((*t)->subject);
	g_array_unref((*t)->body);
	g_free((*t)->path);
	g_free(*t);
	*t = NULL;
}

int compose_templates_check(const char *override_dir, const char *default_dir, char **error_r)
{
	for (int l = 0; lang_code(l) != NULL; l++) {
		for (guint i = 0; i < G_N_ELEMENTS(template_names); i++) {
			struct compose_template *t;

			if (compose_template_load_lang(override_dir, default_dir, lang_code(l),
						       template_names[i], &t, error_r) < 0)
				return -1;
			compose_template_free(&t);
		}
	}
	return 0;
}

int compose_template_vars(const struct compose_template *t, GPtrArray *names)
{
	const GArray *parts[] = {t->subject, t->body};
	int n = 0;

	for (guint p = 0; p < G_N_ELEMENTS(parts); p++) {
		for (guint i = 0; i < parts[p]->len; i++) {
			const struct segment *s = &g_array_index(parts[p], struct segment, i);
			if (s->literal != NULL)
				continue;
			n++;
			if (!g_ptr_array_find_with_equal_func(names, var_names[s->var], g_str_equal,
							      NULL))
				g_ptr_array_add(names, (gpointer)var_names[s->var]);
		}
	}
	return n;
}

/* The first of the places a language's template may be (compose.h) that holds the file. */
static char *find_lang_dir(const char *override_dir, const char *default_dir, const char *lang,
			   const char *name)
{
	char *root = g_path_get_dirname(default_dir);
	char *file = g_strconcat(name, ".txt", NULL);
	char *dirs[4] = {NULL, NULL, NULL, NULL};
	char *found = NULL;
	gboolean en = strcmp(lang, LANG_FALLBACK) == 0;

	if (override_dir != NULL) {
		dirs[0] = g_build_filename(override_dir, lang, NULL);
		dirs[1] = en ? g_strdup(override_dir) : NULL; /* the flat layout of before */
	}
	dirs[2] = en ? NULL : g_build_filename(root, lang, NULL);
	for (guint i = 0; found == NULL && i < G_N_ELEMENTS(dirs); i++) {
		char *path = dirs[i] != NULL ? g_build_filename(dirs[i], file, NULL) : NULL;
		if (path != NULL && g_file_test(path, G_FILE_TEST_EXISTS))
			found = g_strdup(dirs[i]);
		g_free(path);
	}
	for (guint i = 0; i < G_N_ELEMENTS(dirs); i++)
		g_free(dirs[i]);
	g_free(root);
	g_free(file);
	return found != NULL ? found : g_strdup(default_dir);
}

int compose_template_load_lang(const char *override_dir, const char *default_dir,
			       const char *lang, const char *name, struct compose_template **t_r,
			       char **error_r)
{
	char *dir;
	int ret;

	*t_r = NULL;
	if (lang_index(lang) < 0)
		return util_error(error_r, "unknown language \"%s\"", lang);
	if (!valid_name(name))
		return util_error(error_r, "bad template name \"%s\"", name);
	dir = find_lang_dir(override_dir, default_dir, lang, name);
	ret = compose_template_load(NULL, dir, name, t_r, error_r);
	g_free(dir);
	return ret;
}

const char *compose_template_default_dir(void)
{
	const char *dir = g_getenv("POSTDESK_TEMPLATES");

	return dir != NULL && dir[0] != '\0' ? dir : POSTDESK_DATADIR "/templates/en";
}
