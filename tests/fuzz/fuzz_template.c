/* fuzz_template: compose_template_load() on an arbitrary template file, then rendering it
 * with arbitrary values for every whitelisted variable. The input is TEMPLATE NUL VALUES,
 * VALUES split at 0x01 bytes and made valid UTF-8 (callers pass UTF-8). The invariant that
 * matters: a rendered subject never holds CR or LF (header injection); rendering refuses
 * instead. Files go to a temporary directory made at start-up. */
#include "config.h"
#include "postdesk/compose.h"

#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char *dir;
static char *path;

static const char *const names[] = {
#define X(name) name,
    COMPOSE_TEMPLATE_VARS(X)
#undef X
};

static void init_dir(void)
{
	dir = g_dir_make_tmp("postdesk-fuzz-template-XXXXXX", NULL);
	if (dir == NULL)
		fuzz_fail("no temp dir");
	path = g_build_filename(dir, "fuzz.txt", NULL);
	/* removed at exit; a libFuzzer run ends with exit() */
}

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

static GHashTable *make_vars(const char *values, gsize len)
{
	GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	const char *p = values, *end = values + len;
	for (size_t i = 0; i < G_N_ELEMENTS(names) && p < end; i++) {
		const char *sep = memchr(p, '\x01', (size_t)(end - p));
		const char *stop = sep != NULL ? sep : end;
		g_hash_table_insert(vars, (gpointer)names[i], g_utf8_make_valid(p, stop - p));
		p = sep != NULL ? sep + 1 : end;
	}
	return vars;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	gsize tlen = nul != NULL ? (gsize)(nul - (const char *)data) : size;
	struct compose_template *t = NULL;
	char *subject = NULL, *body = NULL, *error = NULL;

	if (dir == NULL) {
		init_dir();
		atexit(cleanup);
	}
	if (!g_file_set_contents(path, (const char *)data, (gssize)tlen, NULL))
		fuzz_fail("cannot write %s", path);
	if (compose_template_load(dir, dir, "fuzz", &t, &error) < 0) {
		if (error == NULL)
			fuzz_fail("load failed without a reason");
		g_free(error);
		return 0;
	}
	GHashTable *vars = nul != NULL ? make_vars(nul + 1, size - tlen - 1) : NULL;
	if (compose_template_render(t, vars, &subject, &body, &error) == 0) {
		if (strpbrk(subject, "\r\n") != NULL)
			fuzz_fail("CR or LF in a rendered subject");
		if (!g_utf8_validate(subject, -1, NULL) || !g_utf8_validate(body, -1, NULL))
			fuzz_fail("rendered text is not UTF-8");
	} else if (error == NULL) {
		fuzz_fail("render failed without a reason");
	}
	g_free(subject);
	g_free(body);
	g_free(error);
	if (vars != NULL)
		g_hash_table_unref(vars);
	compose_template_free(&t);
	return 0;
}
