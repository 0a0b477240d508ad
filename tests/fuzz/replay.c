/* replay: main() for a fuzz harness outside libFuzzer, so `make check` replays the inputs
 * that once crashed (tests/data/fuzz-regressions/<harness>/) and the seed files with any
 * compiler. Arguments are files or directories (walked recursively); without arguments
 * the directories compiled in as FUZZ_REPLAY_DIRS (a NULL-terminated list) are used. Files
 * whose name starts with '.' are skipped. Exit 0 when every input ran (a crash aborts). */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "fuzz.h"

static int replay_path(const char *path, unsigned *n_r)
{
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		GDir *d = g_dir_open(path, 0, NULL);
		const char *name;
		int ret = 0;
		if (d == NULL)
			return -1;
		while ((name = g_dir_read_name(d)) != NULL) {
			if (name[0] == '.')
				continue;
			char *sub = g_build_filename(path, name, NULL);
			ret |= replay_path(sub, n_r);
			g_free(sub);
		}
		g_dir_close(d);
		return ret;
	}
	char *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &data, &len, NULL)) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	g_free(data);
	(*n_r)++;
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const dirs[] = {FUZZ_REPLAY_DIRS};
	unsigned n = 0;
	int ret = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			ret |= replay_path(argv[i], &n);
	} else {
		for (size_t i = 0; dirs[i] != NULL; i++)
			if (g_file_test(dirs[i], G_FILE_TEST_EXISTS))
				ret |= replay_path(dirs[i], &n);
	}
	printf("replayed %u input(s)\n", n);
	return ret != 0 || n == 0 ? 1 : 0;
}
