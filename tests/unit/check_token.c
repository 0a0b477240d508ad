/* check_token: key files (creation, mode, rotation, refusals) and reply tokens (round trip
 * for every role, case folding, tampering, wrong ticket, wrong key, shape vs. bad MAC). */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/token.h"

#include <check.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir, *keypath, *keypath2;

static void setup(void)
{
	tmpdir = g_dir_make_tmp("check_token-XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
	keypath = g_build_filename(tmpdir, "postdesk.key", NULL);
	keypath2 = g_build_filename(tmpdir, "other.key", NULL);
}

static void teardown(void)
{
	GDir *dir = g_dir_open(tmpdir, 0, NULL);
	const char *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		char *p = g_build_filename(tmpdir, name, NULL);
		g_unlink(p);
		g_free(p);
	}
	if (dir != NULL)
		g_dir_close(dir);
	g_rmdir(tmpdir);
	g_free(keypath);
	g_free(keypath2);
	g_free(tmpdir);
}

static struct token_keys *create_load(const char *path)
{
	struct token_keys *keys = NULL;
	char *error = NULL;

	if (token_keys_create(path, FALSE, &error) < 0 || token_keys_load(path, &keys, &error) < 0)
		ck_abort_msg("%s", error);
	return keys;
}

static char *make_addr(const struct token_keys *keys, gint64 id, enum token_role role,
		       int score)
{
	struct token t = {.id = id, .role = role, .score = score};
	char *addr = NULL, *error = NULL;

	/* Agent and note tokens are made bound: agent 3, day 20000. */
	if (role == TOKEN_AGENT || role == TOKEN_NOTE)
		t.agent = 3, t.issued = 20000;

	if (token_address(keys, "support", "example.com", &t, &addr, &error) < 0)
		ck_abort_msg("token_address: %s", error);
	return addr;
}

/* The local part of an address (g_malloc'ed). */
static char *local_of(const char *addr)
{
	return g_strndup(addr, strchr(addr, '@') - addr);
}

static enum token_check check(const struct token_keys *keys, const char *local)
{
	char *base = NULL;
	enum token_check r = token_check_local(keys, local, NULL, &base);

	ck_assert_ptr_nonnull(base);
	g_free(base);
	return r;
}

/* Two roles never share a letter: a self-served link of ticket N must not be agent N's
 * command address (both are "<number>-<role>-<mac>"; the MAC covers the role). */
START_TEST(test_roles_distinct)
{
	struct token_keys *keys = create_load(keypath);
	char *solved = make_addr(keys, 1, TOKEN_SOLVED, -1);
	char *local = local_of(solved), *swapped = g_strdup(local);
	char *dash = strstr(swapped, "-r-");

	ck_assert_int_ne(TOKEN_SOLVED, TOKEN_COMMAND);
	ck_assert_int_eq(check(keys, local), TOKEN_VALID);
	ck_assert_ptr_nonnull(dash);
	dash[1] = (char)TOKEN_COMMAND;
	ck_assert_int_eq(check(keys, swapped), TOKEN_BAD);
	g_free(swapped);
	g_free(local);
	g_free(solved);
	token_keys_free(&keys);
}
END_TEST

START_TEST(test_create_mode_refuse)
{
	char *error = NULL, *text = NULL, *again = NULL;
	GRegex *re = g_regex_new("^1 [0-9a-f]{64} created=[0-9]+\n$", 0, 0, NULL);
	struct stat st;

	ck_assert_int_eq(token_keys_create(keypath, FALSE, &error), 0);
	ck_assert_int_eq(lstat(keypath, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert(g_file_get_contents(keypath, &text, NULL, NULL));
	ck_assert_msg(g_regex_match(re, text, 0, NULL), "key file: %s", text);
	/* no overwrite without force; the file is untouched */
	ck_assert_int_eq(token_keys_create(keypath, FALSE, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "exists"));
	g_free(error);
	ck_assert(g_file_get_contents(keypath, &again, NULL, NULL));
	ck_assert_str_eq(text, again);
	g_free(text);
	g_free(again);
	g_regex_unref(re);
}
END_TEST

START_TEST(test_force_rotates)
{
	struct token_keys *old = create_load(keypath), *rotated = NULL;
	char *error = NULL, *before = NULL, *after = NULL, **lines;
	char *old_addr = make_addr(old, 42, TOKEN_CUSTOMER, -1), *new_addr, *local;
	struct token t;
	struct stat st;

	ck_assert(g_file_get_contents(keypath, &before, NULL, NULL));
	ck_assert_int_eq(token_keys_create(keypath, TRUE, &error), 0);
	ck_assert_int_eq(stat(keypath, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert(g_file_get_contents(keypath, &after, NULL, NULL));
	lines = g_strsplit(after, "\n", -1);
	ck_assert_int_eq(g_strv_length(lines), 3); /* two keys and the final "" */
	ck_assert(g_str_has_prefix(lines[0], "2 "));
	ck_assert_str_eq(lines[1], g_strchomp(before)); /* the old key, second */
	ck_assert_int_eq(token_keys_load(keypath, &rotated, &error), 0);
	/* tokens already sent out still verify */
	local = local_of(old_addr);
	ck_assert_int_eq(token_check_local(rotated, local, &t, NULL), TOKEN_VALID);
	ck_assert_int_eq(t.id, 42);
	g_free(local);
	/* new tokens use the new key: different MAC, unknown to the old ring */
	new_addr = make_addr(rotated, 42, TOKEN_CUSTOMER, -1);
	ck_assert_str_ne(new_addr, old_addr);
	local = local_of(new_addr);
	ck_assert_int_eq(check(rotated, local), TOKEN_VALID);
	ck_assert_int_eq(check(old, local), TOKEN_BAD);
	g_free(local);
	g_strfreev(lines);
	g_free(before);
	g_free(after);
	g_free(old_addr);
	g_free(new_addr);
	token_keys_free(&old);
	token_keys_free(&rotated);
	ck_assert_ptr_null(rotated);
	token_keys_free(&rotated); /* NULL is fine */
}
END_TEST

START_TEST(test_round_trip)
{
	static const struct {
		gint64 id;
		enum token_role role;
		int score;
		const char *detail; /* expected text before the MAC */
	} cases[] = {
		{1, TOKEN_CUSTOMER, -1, "support+1-c-"},
		{12, TOKEN_AGENT, -1, "support+12-a3.20000-"},
		{345, TOKEN_NOTE, -1, "support+345-n3.20000-"},
		{6789, TOKEN_OPTOUT, -1, "support+6789-u-"},
		{7, TOKEN_SURVEY, 0, "support+7-s0-"},
		{7, TOKEN_SURVEY, 10, "support+7-s10-"},
		{99, TOKEN_BOUNCE, -1, "support+b99-"},
		{G_GINT64_CONSTANT(1) << 53, TOKEN_CUSTOMER, -1, "support+9007199254740992-c-"},
	};
	struct token_keys *keys = create_load(keypath);

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *addr = make_addr(keys, cases[i].id, cases[i].role, cases[i].score);
		char *local = local_of(addr), *base = NULL;
		struct token t = {0};

		ck_assert_msg(g_str_has_prefix(addr, cases[i].detail), "%s", addr);
		ck_assert(g_str_has_suffix(addr, "@example.com"));
		ck_assert_uint_eq(strlen(local), strlen(cases[i].detail) + 16);
		ck_assert_int_eq(token_check_local(keys, local, &t, &base), TOKEN_VALID);
		ck_assert_str_eq(base, "support");
		ck_assert_int_eq(t.id, cases[i].id);
		ck_assert_int_eq(t.role, cases[i].role);
		ck_assert_int_eq(t.score, cases[i].role == TOKEN_SURVEY ? cases[i].score : -1);
		g_free(base);
		g_free(local);
		g_free(addr);
	}
	token_keys_free(&keys);
}
END_TEST

START_TEST(test_refused_tokens)
{
	struct token_keys *keys = create_load(keypath);
	const struct token bad[] = {
		{0, TOKEN_CUSTOMER, -1, 0, 0, 0},
		{(G_GINT64_CONSTANT(1) << 53) + 1, TOKEN_CUSTOMER, -1, 0, 0, 0},
		{5, TOKEN_SURVEY, 11, 0, 0, 0},
		{5, TOKEN_SURVEY, -1, 0, 0, 0},
		{5, (enum token_role)'x', -1, 0, 0, 0},
		{5, TOKEN_CUSTOMER, -1, 1, 20000, 0}, /* a customer token has no agent */
		{5, TOKEN_AGENT, -1, 1, 0, 0},         /* an agent without a day */
		{5, TOKEN_CUSTOMER, -1, 0, 0, 1},      /* a recipient index on a ticket token */
	};
	struct token t = {1, TOKEN_CUSTOMER, -1, 0, 0, 0};
	char *addr = NULL, *error = NULL, *local;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		ck_assert_int_eq(token_address(keys, "support", "example.com", &bad[i], &addr,
					       &error),
				 -1);
		g_free(error);
	}
	/* 43 + "+" + "1-c-" + 16 MAC characters = 64 octets, the limit; one more fails */
	local = g_strnfill(64 - 1 - 20, 'x');
	ck_assert_int_eq(token_address(keys, local, "example.com", &t, &addr, &error), 0);
	ck_assert_uint_eq(strchr(addr, '@') - addr, 64);
	g_free(addr);
	g_free(local);
	local = g_strnfill(64 - 20, 'x');
	ck_assert_int_eq(token_address(keys, local, "example.com", &t, &addr, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "64"));
	g_free(error);
	g_free(local);
	const char *bad_parts[][2] = {{"sup\r\nport", "example.com"}, {"sup port", "example.com"},
				      {"sup@port", "example.com"},    {"support", "exa\nmple.com"},
				      {"support", "example.com @x"},  {"", "example.com"},
				      {"sup+x", "example.com"}};
	for (size_t i = 0; i < G_N_ELEMENTS(bad_parts); i++) {
		ck_assert_int_eq(token_address(keys, bad_parts[i][0], bad_parts[i][1], &t, &addr,
					       &error),
				 -1);
		g_free(error);
	}
	token_keys_free(&keys);
}
END_TEST

START_TEST(test_case_folded)
{
	struct token_keys *keys = create_load(keypath);
	char *addr = make_addr(keys, 321, TOKEN_SURVEY, 9), *local = local_of(addr);
	char *upper = g_ascii_strup(local, -1), *base = NULL;
	struct token t;

	ck_assert_str_ne(upper, local); /* the MAC has letters */
	ck_assert_int_eq(token_check_local(keys, upper, &t, &base), TOKEN_VALID);
	ck_assert_int_eq(t.id, 321);
	ck_assert_int_eq(t.score, 9);
	ck_assert_str_eq(base, "support");
	g_free(base);
	g_free(upper);
	g_free(local);
	g_free(addr);
	token_keys_free(&keys);
}
END_TEST

START_TEST(test_tampered)
{
	struct token_keys *keys = create_load(keypath), *other = create_load(keypath2);
	char *addr = make_addr(keys, 12, TOKEN_CUSTOMER, -1), *local = local_of(addr);
	size_t len = strlen(local), mac = len - 16;
	char *changed, *s;

	/* every MAC character, changed to another base32 character */
	for (size_t i = mac; i < len; i++) {
		changed = g_strdup(local);
		changed[i] = changed[i] == 'a' ? '7' : 'a';
		ck_assert_msg(check(keys, changed) == TOKEN_BAD, "%s", changed);
		g_free(changed);
	}
	/* the MAC of ticket 12 on ticket 13, or on another role */
	changed = g_strdup(local);
	changed[strlen("support+1")] = '3';
	ck_assert_int_eq(check(keys, changed), TOKEN_BAD);
	changed[strlen("support+1")] = '2';
	changed[strlen("support+12-")] = 'a';
	ck_assert_int_eq(check(keys, changed), TOKEN_BAD);
	g_free(changed);
	/* a survey score, a bounce id: the same */
	g_free(addr);
	addr = make_addr(keys, 5, TOKEN_SURVEY, 3);
	s = local_of(addr);
	s[strlen("support+5-s")] = '4';
	ck_assert_int_eq(check(keys, s), TOKEN_BAD);
	g_free(s);
	/* shapes of a token whose fields cannot be ours */
	s = g_strconcat("support+9007199254740993-c-", local + mac, NULL);
	ck_assert_int_eq(check(keys, s), TOKEN_BAD);
	g_free(s);
	const char *fields[] = {"0-c-", "012-c-", "12-x-", "12-s11-", "12-s-", "12-c5-", "12-s05-"};
	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
		s = g_strconcat("support+", fields[i], local + mac, NULL);
		ck_assert_msg(check(keys, s) == TOKEN_BAD, "%s", s);
		g_free(s);
	}
	/* a key from another file */
	ck_assert_int_eq(check(keys, local), TOKEN_VALID);
	ck_assert_int_eq(check(other, local), TOKEN_BAD);
	g_free(addr);
	g_free(local);
	token_keys_free(&keys);
	token_keys_free(&other);
}
END_TEST

START_TEST(test_not_tokens)
{
	struct token_keys *keys = create_load(keypath);
	char *addr = make_addr(keys, 12, TOKEN_CUSTOMER, -1), *local = local_of(addr);
	char *truncated = g_strndup(local, strlen(local) - 1), *longer, *base = NULL;
	const char *plain[] = {"support", "support+", "support+hello", "support+12", "support+12-c",
			       "support+12-c-", "support+12c-abcdefghijklmnop",
			       "support+12-c-abcdefghijklmno1", "support+x12-c-abcdefghijklmnop",
			       "support+12--abcdefghijklmnop"};
	struct token t = {77, TOKEN_NOTE, 5, 0, 0, 0};

	for (size_t i = 0; i < G_N_ELEMENTS(plain); i++)
		ck_assert_msg(check(keys, plain[i]) == TOKEN_NONE, "%s", plain[i]);
	ck_assert_int_eq(check(keys, truncated), TOKEN_NONE);
	longer = g_strconcat(local, "a", NULL);
	ck_assert_int_eq(check(keys, longer), TOKEN_NONE);
	/* base is the lower-case part before '+'; t_r untouched */
	ck_assert_int_eq(token_check_local(keys, "Sales+Hello", &t, &base), TOKEN_NONE);
	ck_assert_str_eq(base, "sales");
	ck_assert_int_eq(t.id, 77);
	g_free(base);
	ck_assert_int_eq(token_check_local(keys, "Sales", NULL, &base), TOKEN_NONE);
	ck_assert_str_eq(base, "sales");
	g_free(base);
	ck_assert_int_eq(token_check_local(keys, local, NULL, NULL), TOKEN_VALID);
	g_free(longer);
	g_free(truncated);
	g_free(local);
	g_free(addr);
	token_keys_free(&keys);
}
END_TEST

/* Issue 11: agent/note tokens carry the agent and the day, bounce tokens the recipient; all
 * inside the MAC. The old forms still verify (deliver/rcpt.c decides what they may do). */
START_TEST(test_bound_and_dated)
{
	struct token_keys *keys = create_load(keypath);
	struct token a = {.id = 12, .role = TOKEN_AGENT, .score = -1, .agent = 7, .issued = 20001};
	struct token b = {.id = 99, .role = TOKEN_BOUNCE, .score = -1, .rcpt = 3};
	struct token old = {.id = 12, .role = TOKEN_AGENT, .score = -1}, t;
	char *addr = NULL, *local, *s;

	ck_assert_int_eq(token_address(keys, "support", "example.com", &a, &addr, NULL), 0);
	ck_assert_msg(g_str_has_prefix(addr, "support+12-a7.20001-"), "%s", addr);
	local = local_of(addr);
	ck_assert_int_eq(token_check_local(keys, local, &t, NULL), TOKEN_VALID);
	ck_assert_int_eq(t.agent, 7);
	ck_assert_int_eq(t.issued, 20001);
	ck_assert_int_eq(t.rcpt, 0);
	/* another agent, another day, the note role: the MAC no longer verifies */
	const char *swaps[][2] = {{"-a7.", "-a8."}, {".20001-", ".20002-"}, {"-a7.", "-n7."},
				  {"-a7.", "-a17."}};
	for (size_t i = 0; i < G_N_ELEMENTS(swaps); i++) {
		GString *g = g_string_new(local);
		g_string_replace(g, swaps[i][0], swaps[i][1], 1);
		s = g_string_free(g, FALSE);
		ck_assert_msg(check(keys, s) == TOKEN_BAD, "%s", s);
		g_free(s);
	}
	/* fields the role cannot have, or out of range */
	const char *fields[] = {"12-a05.3-", "12-a5-", "12-a5.0-", "12-c5.3-", "12-s5.3-",
				"12-a5.1000000-", "b99.0-", "b099.1-"};
	for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
		s = g_strconcat("support+", fields[i], local + strlen(local) - 16, NULL);
		ck_assert_msg(check(keys, s) == TOKEN_BAD, "%s", s);
		g_free(s);
	}
	g_free(local);
	g_free(addr);
	/* the per-recipient bounce address */
	ck_assert_int_eq(token_address(keys, "support", "example.com", &b, &addr, NULL), 0);
	ck_assert_msg(g_str_has_prefix(addr, "support+b99.3-"), "%s", addr);
	local = local_of(addr);
	ck_assert_int_eq(token_check_local(keys, local, &t, NULL), TOKEN_VALID);
	ck_assert_int_eq(t.role, TOKEN_BOUNCE);
	ck_assert_int_eq(t.id, 99);
	ck_assert_int_eq(t.rcpt, 3);
	local[strlen("support+b99.")] = '4';
	ck_assert_int_eq(check(keys, local), TOKEN_BAD);
	g_free(local);
	g_free(addr);
	/* the old agent form: valid, without agent and day */
	ck_assert_int_eq(token_address(keys, "support", "example.com", &old, &addr, NULL), 0);
	ck_assert_msg(g_str_has_prefix(addr, "support+12-a-"), "%s", addr);
	local = local_of(addr);
	ck_assert_int_eq(token_check_local(keys, local, &t, NULL), TOKEN_VALID);
	ck_assert_int_eq(t.issued, 0);
	ck_assert_int_eq(t.agent, 0);
	g_free(local);
	g_free(addr);
	token_keys_free(&keys);
}
END_TEST

/* postdesk key rotate / --prune: the old key verifies until its end, then not; prune drops
 * it from the file; the file keeps mode 0600. */
START_TEST(test_rotate_prune)
{
	const gint64 t0 = 1800000000;
	struct token_keys *keys = create_load(keypath), *ring = NULL;
	char *addr = make_addr(keys, 5, TOKEN_CUSTOMER, -1), *local = local_of(addr), *error = NULL;
	struct token_key_info info;
	struct stat st;
	guint dropped = 9;

	token_keys_free(&keys);
	ck_assert_int_eq(token_keys_rotate(keypath, t0, 86400, &error), 0);
	ck_assert_int_eq(stat(keypath, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(token_keys_load(keypath, &ring, &error), 0);
	ck_assert(token_keys_info(ring, 0, &info));
	ck_assert_int_eq(info.version, 2);
	ck_assert_int_eq(info.created, t0);
	ck_assert_int_eq(info.expires, 0);
	ck_assert(token_keys_info(ring, 1, &info));
	ck_assert_int_eq(info.version, 1);
	ck_assert_int_eq(info.expires, t0 + 86400);
	ck_assert(!token_keys_info(ring, 2, &info));
	clock_set_fixed(t0 + 86399); /* in the grace period */
	ck_assert_int_eq(check(ring, local), TOKEN_VALID);
	clock_set_fixed(t0 + 86400); /* ended: no longer verifies, even before a prune */
	ck_assert_int_eq(check(ring, local), TOKEN_BAD);
	token_keys_free(&ring);
	ck_assert_int_eq(token_keys_prune(keypath, t0 + 86399, &dropped, &error), 0);
	ck_assert_uint_eq(dropped, 0);
	ck_assert_int_eq(token_keys_prune(keypath, t0 + 86400, &dropped, &error), 0);
	ck_assert_uint_eq(dropped, 1);
	ck_assert_int_eq(token_keys_load(keypath, &ring, &error), 0);
	ck_assert(!token_keys_info(ring, 1, &info));
	clock_set_fixed(t0);
	ck_assert_int_eq(check(ring, local), TOKEN_BAD);
	clock_set_fixed(0);
	token_keys_free(&ring);
	g_free(local);
	g_free(addr);
}
END_TEST

static void expect_load_error(const char *path, const char *needle)
{
	struct token_keys *keys = NULL;
	char *error = NULL;

	ck_assert_int_eq(token_keys_load(path, &keys, &error), -1);
	ck_assert_ptr_null(keys);
	ck_assert_msg(strstr(error, needle) != NULL, "'%s' not in: %s", needle, error);
	g_free(error);
}

START_TEST(test_load_refusals)
{
	struct token_keys *keys = create_load(keypath);
	char *link = g_build_filename(tmpdir, "link.key", NULL);
	static const char hex[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	char *text;

	token_keys_free(&keys);
	ck_assert_int_eq(chmod(keypath, 0640), 0);
	expect_load_error(keypath, "group or others");
	ck_assert_int_eq(chmod(keypath, 0604), 0);
	expect_load_error(keypath, "group or others");
	ck_assert_int_eq(chmod(keypath, 0600), 0);
	ck_assert_int_eq(symlink(keypath, link), 0);
	expect_load_error(link, "symbolic link");
	expect_load_error(keypath2, "No such file");
	/* malformed contents, with the line named */
	const struct {
		const char *text, *needle;
	} bad[] = {
		{"", "no key"},
		{"# only a comment\n", "no key"},
		{"1 abcd\n", ":1: expected 64 hex digits"},
		{"x 00\n", ":1: expected \"<version> <64 hex digits>\""},
		{"0 KEY\n", ":1: expected \"<version>"},
		{"2 KEY\n\n1 KEY zz\n", ":3: expected 64 hex digits"},
		{"2 KEY\n2 KEY\n", ":2: key version 2 appears twice"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		GString *g = g_string_new(bad[i].text);
		g_string_replace(g, "KEY", hex, 0);
		text = g_string_free(g, FALSE);
		ck_assert(g_file_set_contents(keypath2, text, -1, NULL));
		ck_assert_int_eq(chmod(keypath2, 0600), 0);
		expect_load_error(keypath2, bad[i].needle);
		g_free(text);
	}
	/* a hand-written valid file with a comment and two keys loads */
	text = g_strdup_printf("# rotated\n2 %s\n1 %s\n", hex, hex);
	ck_assert(g_file_set_contents(keypath2, text, -1, NULL));
	ck_assert_int_eq(chmod(keypath2, 0600), 0);
	ck_assert_int_eq(token_keys_load(keypath2, &keys, NULL), 0);
	token_keys_free(&keys);
	g_free(text);
	g_free(link);
}
END_TEST

static Suite *token_suite(void)
{
	Suite *s = suite_create("token");
	TCase *tc = tcase_create("token");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_mode_refuse);
	tcase_add_test(tc, test_roles_distinct);
	tcase_add_test(tc, test_force_rotates);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_refused_tokens);
	tcase_add_test(tc, test_case_folded);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_not_tokens);
	tcase_add_test(tc, test_load_refusals);
	tcase_add_test(tc, test_bound_and_dated);
	tcase_add_test(tc, test_rotate_prune);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(token_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
