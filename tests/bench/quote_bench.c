/* quote_bench: the time parse_reply_text() takes on the 1 MB hostile inputs of
 * check_quote's test_large_inputs (one piece repeated; the unit test bounds their work by
 * counts, this program times them). Prints, per input, the median of 5 runs in
 * milliseconds. Not part of make check; from the source tree, after a build in build/:
 *   gcc -O2 -Iinclude tests/bench/quote_bench.c build/src/parse/libparse.a \
 *       $(pkg-config --cflags --libs glib-2.0 libxml-2.0) -o /tmp/quote_bench
 *   /tmp/quote_bench
 * Single-threaded; owns everything it makes. */
#include "postdesk/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNS 5

/* The same pieces as test_large_inputs in tests/unit/check_quote.c. */
static const char *const texts[] = {
    "On 1 2 3 wrote wrote wrote\n",
    "On 12:30 x\nwrote\n",
    "From: a\nTo: b\n",
    ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>",
    "x\n> q\n",
    "a:\n\n",
    "On\n",
    "12:30 @:\n>\n",
    "--------------------------------",
    "\xff\xc3",
    "________________________\n",
};
static const char *const htmls[] = {
    "<div>",	    "<blockquote>",	"<div style='border-top:solid'>",
    "<p>a</p><br>", "&nbsp;",		"<div class=gmail_quote><div>",
    "<pre>\n",	    "<table><tr><td>x",
};

static char *repeat(const char *piece)
{
	GString *s = g_string_new(NULL);
	while (s->len < 1024 * 1024)
		g_string_append(s, piece);
	return g_string_free(s, FALSE);
}

static int cmp_i64(const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

/* Median of RUNS timed calls, in microseconds. */
static gint64 time_one(const char *text, const char *html, const char *marker)
{
	gint64 us[RUNS];

	for (int r = 0; r < RUNS; r++) {
		gint64 t0 = g_get_monotonic_time();
		g_free(parse_reply_text(text, html, marker));
		us[r] = g_get_monotonic_time() - t0;
	}
	qsort(us, RUNS, sizeof(*us), cmp_i64);
	return us[RUNS / 2];
}

static void show(const char *what, gsize i, const char *piece, gint64 us)
{
	char *shown = g_strescape(piece, NULL);

	printf("%s %2zu %-34s %8.1f ms\n", what, i, shown, us / 1000.0);
	g_free(shown);
}

int main(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
		char *big = repeat(texts[i]);
		show("text", i, texts[i], time_one(big, NULL, "##"));
		g_free(big);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(htmls); i++) {
		char *big = repeat(htmls[i]);
		show("html", i, htmls[i], time_one("text", big, NULL));
		g_free(big);
	}
	return 0;
}
