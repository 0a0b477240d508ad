/* kb_load: the template of the knowledge-base suggestions (kb_suggestions.txt, body only),
 * loaded with the others when kb_dir is set. A leaf of the module (compose.c calls it; it
 * calls only template.c), apart from kb.c, which renders with compose.c's helpers.
 * Owns: nothing (the template goes to the compose_ctx). Threading: compose_ctx_new's. */
#include "config.h"
#include "postdesk/compose.h"

#include "compose-private.h"

int compose_kb_load(struct compose_ctx *ctx, char **error_r)
{
	char *path = NULL;

	if (ctx->conf->kb_dir == NULL)
		return 0; /* no knowledge base: the variable stays empty */
	if (ctx->conf->template_dir != NULL)
		path = g_build_filename(ctx->conf->template_dir, "kb_suggestions.txt", NULL);
	if (path == NULL || !g_file_test(path, G_FILE_TEST_EXISTS)) {
		g_free(path);
		path = g_build_filename(compose_template_default_dir(), "kb_suggestions.txt", NULL);
	}
	int ret = compose_template_load_body(path, &ctx->kb_tpl, error_r);
	g_free(path);
	return ret;
}
