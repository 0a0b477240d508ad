/* lang: which shipped language a customer's text is written in, by libexttextcat's n-gram
 * fingerprints (the only file that includes it; doc/languages.md has its accuracy).
 * Every fingerprint the library ships is loaded, not just ours: a text in Portuguese then
 * comes out as Portuguese (no answer) instead of as the nearest of our six (a wrong one).
 * Owns the classifier: loaded once per process on first use and kept (read-only data);
 * classification holds a mutex, since the library keeps per-call state in the handle. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/parse.h"

#include <string.h>
#include <textcat.h>

/* Enough text for n-grams to decide (the library's own advice is "a few hundred bytes");
 * the rest only costs time. */
#define LANG_SAMPLE 2048
/* More candidates than this within the library's threshold of the best: not confident. */
#define LANG_MAX_CANDIDATES 3

static GMutex lang_lock;
static void *lang_handle;
static char *lang_load_error;

static gpointer lang_load(gpointer data)
{
	const char *dir = g_getenv("POSTDESK_TEXTCAT_DIR");
	char *conf, *prefix;

	if (dir == NULL || dir[0] == '\0')
		dir = POSTDESK_TEXTCAT_DIR;
	conf = g_build_filename(dir, "fpdb.conf", NULL);
	prefix = g_strconcat(dir, G_DIR_SEPARATOR_S, NULL);
	lang_handle = special_textcat_Init(conf, prefix);
	if (lang_handle == NULL)
		lang_load_error = g_strdup_printf("language detector: cannot load the fingerprints "
						  "listed in %s (Debian: libexttextcat-data)", conf);
	else
		textcat_SetProperty(lang_handle, TCPROP_UTF8AWARE, TC_TRUE);
	g_free(conf);
	g_free(prefix);
	return NULL;
}

/* "de--utf8" (the names in fpdb.conf) -> index in LANG_CODES, -1 for any other language. */
static int lang_of_candidate(const char *name)
{
	char code[8];
	gsize n = strcspn(name, "-");

	if (n == 0 || n >= sizeof(code))
		return -1;
	memcpy(code, name, n);
	code[n] = '\0';
	return lang_index(code);
}

/* The answer from the candidates (best first): the best is one of ours, no other of ours
 * is among them, and there are few (many near-equal candidates: the text is too short or
 * mixed to tell). */
static const char *lang_decide(const candidate_t *c, int n)
{
	int best;

	if (n < 1 || n > LANG_MAX_CANDIDATES || (best = lang_of_candidate(c[0].name)) < 0)
		return NULL;
	for (int i = 1; i < n; i++)
		if (lang_of_candidate(c[i].name) >= 0)
			return NULL;
	return lang_code(best);
}

int parse_lang_detect(const char *text, const char **lang_r, char **error_r)
{
	static GOnce once = G_ONCE_INIT;
	gsize len = strlen(text);
	candidate_t *cands;
	int n;

	*lang_r = NULL;
	g_once(&once, lang_load, NULL);
	if (lang_handle == NULL)
		return util_error(error_r, "%s", lang_load_error);
	if (len > LANG_SAMPLE) /* cut at a character boundary */
		len = (gsize)(g_utf8_find_prev_char(text, text + LANG_SAMPLE + 1) - text);
	g_mutex_lock(&lang_lock);
	cands = textcat_GetClassifyFullOutput(lang_handle);
	n = textcat_ClassifyFull(lang_handle, text, len, cands);
	*lang_r = lang_decide(cands, n);
	textcat_ReleaseClassifyFullOutput(lang_handle, cands);
	g_mutex_unlock(&lang_lock);
	return *lang_r != NULL ? 1 : 0;
}
