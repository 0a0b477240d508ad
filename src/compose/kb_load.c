/* kb_load: the template of the knowledge-base suggestions (kb_suggestions.txt, body only),
 * loaded with the others when kb_dir is set, one per language. A leaf of the module (compose.c calls it; it
 * calls only template.c), apart from kb.c, which renders with compose.c's helpers.
 * Owns: nothing (the template goes to the compose_ctx). Threading: compose_ctx_new's. */
#include "config.h"
#include "postdesk/compose.h"

#include "postdesk/lib.h"

#include <string.h>

#include "compose-private.h"

/* The file for lang: the admin's <template_dir>/<lang>/ (for English also the flat
 * <template_dir>/), then the shipped templates/<lang>/, then the shipped English one. */
static char *kb_template_path(const struct conf *conf, const char *lang)
{
	const char *name = "kb_suggestions.txt";
	char *root = g_path_get_dirname(compose_template_default_dir());
	char *cand[4] = {
	    conf->template_dir != NULL ? g_build_filename(conf->template_dir, lang, name, NULL)
				       : NULL,
	    conf->template_dir != NULL && strcmp(lang, LANG_FALLBACK) == 0
		? g_build_filename(conf->template_dir, name, NULL)
		: NULL,
	    g_build_filename(root, lang, name, NULL),
	    g_build_filename(compose_template_default_dir(), name, NULL)};
	char *found = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(cand); i++) {
		if (found == NULL && cand[i] != NULL && g_file_test(cand[i], G_FILE_TEST_EXISTS))
			found = g_strdup(cand[i]);
		g_free(cand[i]);
	}
	g_free(root);
	return found;
}

int compose_kb_load(struct compose_ctx *ctx, char **error_r)
{
	if (ctx->conf->kb_dir == NULL)
		return 0; /* no knowledge base: the variable stays empty */
	for (int l = 0; l < COMPOSE_LANGS; l++) {
		char *path = kb_template_path(ctx->conf, lang_code(l));
		int ret = path != NULL ? compose_template_load_body(path, &ctx->kb_tpl[l], error_r)
				       : util_error(error_r, "kb_suggestions.txt: not found");

		g_free(path);
		if (ret < 0)
			return -1;
	}
	return 0;
}
