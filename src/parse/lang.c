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
#include <unistd.h>
#include <glib/gstdio.h>
#include <textcat.h>

/* Enough text for n-grams to decide (the library's own advice is "a few hundred bytes");
 * the rest only costs time: a classification grows with its sample (~175 us for 100
 * bytes, ~545 us for 1 KB against 60 fingerprints), and it was a third of lmtpd's CPU
 * per new ticket with 1 KB. The reply corpus's cases are nearly all shorter than this. */
#define LANG_SAMPLE 512
/* More candidates than this within the library's threshold of the best: not confident. */
#define LANG_MAX_CANDIDATES 3

static GMutex lang_lock;
static void *lang_handle;
static char *lang_load_error;

/* The fingerprints compared with each text: ours, the languages a text in ours is most
 * often mistaken for or that customers of European shops write in (so that such a text
 * is recognised as not ours, and gets no answer), and one per other script. The text is
 * compared with every fingerprint loaded: 180 made the detector a third of lmtpd's CPU.
 * Ours come first, in the order the library compares them (lang_filtered_conf). */
static const char *const lang_kept[] = {
    "en", "de", "fr", "es", "it", "nl", "pt", "ca", "gl", "eu", "oc", "ro", "da", "sv",
    "nb", "nn", "is", "fi", "et", "lv", "lt", "pl", "cs", "sk", "sl", "hr", "sh", "bs",
    "hu", "sq", "mt", "tr", "af", "fy", "lb", "rm", "ga", "cy", "br", "eo", "la", "id",
    "ms", "tl", "sw", "vi", "ru", "uk", "bg", "el", "he", "ar", "fa", "hi", "zh", "ja",
    "ko", "th", "ka", "hy"};

/* Position of a fingerprint's language in lang_kept, or -1. */
static int lang_kept_index(const char *name)
{
	gsize n = strcspn(name, "-");

	for (guint i = 0; i < G_N_ELEMENTS(lang_kept); i++)
		if (strlen(lang_kept[i]) == n && strncmp(name, lang_kept[i], n) == 0)
			return (int)i;
	return -1;
}

/* fpdb.conf with only the kept fingerprints' lines, in lang_kept's order, in a temporary
 * file (its path, or NULL): libexttextcat reads its list from a file. The order is speed
 * only: the library stops comparing a fingerprint once its distance passes the best so far
 * (plus 3 %), so a text in one of ours, compared with ours first, cuts some of the others
 * short (3-13 % of a classification; the answer is the same in any order: a fingerprint
 * cut short was out anyway). */
static char *lang_filtered_conf(const char *conf)
{
	char *text = NULL, **lines, *path = NULL;
	GString *by_lang[G_N_ELEMENTS(lang_kept)], *out;
	GError *err = NULL;
	int fd;

	if (!g_file_get_contents(conf, &text, NULL, NULL))
		return NULL;
	for (guint i = 0; i < G_N_ELEMENTS(lang_kept); i++)
		by_lang[i] = g_string_new(NULL);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		char **f = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
		guint k = 0, nf = 0;
		const char *name = NULL;
		int at;

		for (; f[k] != NULL; k++)
			if (f[k][0] != '\0' && nf++ == 1)
				name = f[k];
		if (lines[i][0] != '#' && name != NULL && (at = lang_kept_index(name)) >= 0)
			g_string_append_printf(by_lang[at], "%s\n", lines[i]);
		g_strfreev(f);
	}
	g_strfreev(lines);
	g_free(text);
	out = g_string_new(NULL);
	for (guint i = 0; i < G_N_ELEMENTS(lang_kept); i++) {
		g_string_append_len(out, by_lang[i]->str, (gssize)by_lang[i]->len);
		g_string_free(by_lang[i], TRUE);
	}
	fd = g_file_open_tmp("postdesk-fpdb-XXXXXX", &path, &err);
	if (fd < 0) {
		g_error_free(err);
		g_string_free(out, TRUE);
		return NULL;
	}
	if (write(fd, out->str, out->len) != (gssize)out->len)
		g_clear_pointer(&path, g_free);
	close(fd);
	g_string_free(out, TRUE);
	return path;
}

static gpointer lang_load(gpointer data)
{
	const char *dir = g_getenv("POSTDESK_TEXTCAT_DIR");
	char *conf, *prefix, *kept;

	(void)data;
	if (dir == NULL || dir[0] == '\0')
		dir = POSTDESK_TEXTCAT_DIR;
	conf = g_build_filename(dir, "fpdb.conf", NULL);
	prefix = g_strconcat(dir, G_DIR_SEPARATOR_S, NULL);
	kept = lang_filtered_conf(conf);
	lang_handle = special_textcat_Init(kept != NULL ? kept : conf, prefix);
	if (kept != NULL) {
		g_unlink(kept);
		g_free(kept);
	}
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
