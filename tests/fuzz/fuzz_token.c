/* fuzz_token: token_check_local() on arbitrary local parts, with a fixed key made once in
 * a temporary directory. Invariants: a random local part never verifies as a token (the
 * MAC is 80 bits), and a token made by token_address() from fuzzed fields verifies back to
 * exactly those fields. */
#include "config.h"
#include "postdesk/token.h"

#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static struct token_keys *keys;

static void init_keys(void)
{
	char *dir = g_dir_make_tmp("postdesk-fuzz-token-XXXXXX", NULL);
	char *path = g_build_filename(dir, "key", NULL);
	char *error = NULL;
	if (dir == NULL || token_keys_create(path, FALSE, &error) < 0 ||
	    token_keys_load(path, &keys, &error) < 0)
		fuzz_fail("key setup: %s", error != NULL ? error : "no temp dir");
	unlink(path);
	rmdir(dir);
	g_free(path);
	g_free(dir);
}

static void roundtrip(const uint8_t *data, size_t size)
{
	static const char roles[] = {'c', 'a', 'n', 's', 'b', 'u'};
	struct token t = {.score = -1}, back;
	char *addr = NULL, *base = NULL;
	gint64 id = 0;

	if (size < 9)
		return;
	memcpy(&id, data, sizeof(id));
	t.id = id < 0 ? -(id + 1) : id;
	t.role = roles[data[8] % sizeof(roles)];
	if (t.role == TOKEN_SURVEY)
		t.score = data[8] % 11;
	if (token_address(keys, "support", "desk.example", &t, &addr, NULL) < 0)
		return;
	char *at = strchr(addr, '@');
	*at = '\0';
	if (token_check_local(keys, addr, &back, &base) != TOKEN_VALID)
		fuzz_fail("token %s does not verify", addr);
	if (back.id != t.id || back.role != t.role || back.score != t.score)
		fuzz_fail("token %s verifies to other fields", addr);
	g_free(base);
	g_free(addr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct token t;
	char *base = NULL;

	if (keys == NULL)
		init_keys();
	char *local = g_strndup((const char *)data, size);
	if (token_check_local(keys, local, &t, &base) == TOKEN_VALID)
		fuzz_fail("a fuzzed local part verified: %s", local);
	g_free(base);
	g_free(local);
	roundtrip(data, size);
	return 0;
}
