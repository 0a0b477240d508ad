/* kb_bench: what the knowledge-base suggestions of an acknowledgement cost the delivery
 * (doc/benchmarks.md "Knowledge-base suggestions"): kb_suggest() for each question of
 * tests/data/kb/questions.tsv against the labelled set's articles, and against the same
 * articles copied N times over (a larger FAQ). Prints the median and the 99th percentile
 * per question in microseconds. Not part of make check; from the source tree, after a
 * build in build/:
 *   gcc -O2 -std=c11 -Iinclude -Ibuild tests/bench/kb_bench.c build/src/kb/libkb.a \
 *       build/src/store/libstore.a build/src/parse/libparse.a build/src/lib/liblib.a \
 *       $(pkg-config --cflags --libs glib-2.0 gmime-3.0 libxml-2.0 sqlite3) -lstemmer \
 *       -o /tmp/kb_bench
 *   /tmp/kb_bench tests/data/kb 10
 * Single-threaded; owns everything it makes. */
#include "config.h"
#include "postdesk/kb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
	return x < y ? -1 : x > y;
}

/* kb_dir with the articles of data/articles/shared copied `copies` times into queues. */
static char *make_kb(const char *data, int copies)
{
	char *dir = g_dir_make_tmp("kb_bench-XXXXXX", NULL);
	char *cmd = g_strdup_printf("for i in $(seq 1 %d); do mkdir -p %s/shared$i && "
				    "cp %s/articles/shared/*.md %s/shared$i/; done; mv %s/shared1 "
				    "%s/shared",
				    copies, dir, data, dir, dir, dir);
	if (system(cmd) != 0)
		exit(1);
	g_free(cmd);
	return dir;
}

int main(int argc, char **argv)
{
	const char *data = argc > 1 ? argv[1] : "tests/data/kb";
	int copies = argc > 2 ? atoi(argv[2]) : 1;
	char *kb = make_kb(data, copies), *db = g_build_filename(kb, "bench.db", NULL);
	char *qpath = g_build_filename(data, "questions.tsv", NULL), *text = NULL, *error = NULL;
	struct store *s = NULL;
	GArray *us = g_array_new(FALSE, FALSE, sizeof(gint64));
	guint n = 0;
	char **lines;

	if (store_open(db, STORE_CREATE, 1000, &s, &error) < 0 ||
	    kb_reindex(s, kb, NULL, NULL, &n, &error) < 0 ||
	    !g_file_get_contents(qpath, &text, NULL, NULL)) {
		fprintf(stderr, "kb_bench: %s\n", error != NULL ? error : qpath);
		return 1;
	}
	lines = g_strsplit(text, "\n", -1);
	for (int round = 0; round < 5; round++)
		for (guint i = 0; lines[i] != NULL; i++) {
			char **f;
			GPtrArray *hits = NULL;
			gint64 t0;
			if (lines[i][0] == '#' || lines[i][0] == '\0')
				continue;
			f = g_strsplit(lines[i], "\t", 3);
			t0 = g_get_monotonic_time();
			if (kb_suggest(s, f[0], "", f[2], KB_SUGGEST_MAX, &hits, &error) < 0)
				return 1;
			t0 = g_get_monotonic_time() - t0;
			g_array_append_val(us, t0);
			g_ptr_array_unref(hits);
			g_strfreev(f);
		}
	g_array_sort(us, cmp);
	printf("%u articles, %u suggestions: median %" G_GINT64_FORMAT " us, p99 %" G_GINT64_FORMAT
	       " us, max %" G_GINT64_FORMAT " us\n",
	       n, us->len, g_array_index(us, gint64, us->len / 2),
	       g_array_index(us, gint64, us->len * 99 / 100), g_array_index(us, gint64, us->len - 1));
	store_close(&s);
	g_strfreev(lines);
	g_free(text);
	char *rm = g_strdup_printf("rm -rf %s", kb);
	if (system(rm) != 0)
		return 1;
	return 0;
}
