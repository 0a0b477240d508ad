/* check_zip: the compression of stored message bytes (src/lib/zip.c) gives back exactly
 * the original bytes: empty, text, binary, the marker itself, fed a byte at a time, and a
 * 24 MB message streamed in chunks; unmarked (old) bytes pass through; damage is an error. */
#include "config.h"
#include "postdesk/lib.h"

#include <check.h>
#include <string.h>

static void collect(const void *data, gsize len, void *ctx)
{
	g_byte_array_append(ctx, data, (guint)len);
}

/* compress in chunks of `step`, expand in chunks of `step`, compare. */
static void roundtrip(const guint8 *data, gsize len, gsize step)
{
	GByteArray *z = g_byte_array_new(), *back = g_byte_array_new();
	struct zip_stream *s = zip_stream_new(TRUE, collect, z);
	char *error = NULL;
	gsize off;

	for (off = 0; off < len; off += step)
		ck_assert_int_eq(zip_stream_write(s, data + off, MIN(step, len - off), &error), 0);
	ck_assert_int_eq(zip_stream_finish(s, &error), 0);
	zip_stream_free(&s);
	ck_assert_ptr_null(s);
	if (len == 0)
		ck_assert_uint_eq(z->len, 0);
	else
		ck_assert(zip_marked(z->data, z->len));
	s = zip_stream_new(FALSE, collect, back);
	for (off = 0; off < z->len; off += step)
		ck_assert_int_eq(zip_stream_write(s, z->data + off, MIN(step, z->len - off), &error),
				 0);
	ck_assert_int_eq(zip_stream_finish(s, &error), 0);
	zip_stream_free(&s);
	ck_assert_uint_eq(back->len, len);
	ck_assert(len == 0 || memcmp(back->data, data, len) == 0);
	g_byte_array_unref(z);
	g_byte_array_unref(back);
}

START_TEST(test_zip_roundtrip)
{
	static const char text[] = "From: a@b.example\r\nSubject: hi\r\n\r\nHello, hello, hello.\r\n";
	guint8 bin[70000];
	GRand *r = g_rand_new_with_seed(42);
	gsize i;

	for (i = 0; i < sizeof(bin); i++)
		bin[i] = i < 256 ? (guint8)i : (guint8)g_rand_int(r);
	g_rand_free(r);
	roundtrip((const guint8 *)"", 0, 1);
	roundtrip((const guint8 *)text, strlen(text), 1);
	roundtrip((const guint8 *)text, strlen(text), 4096);
	roundtrip(bin, sizeof(bin), 1);
	roundtrip(bin, sizeof(bin), 7);
	roundtrip(bin, sizeof(bin), 65536);
	/* A value that starts with the marker itself (or is just the marker). */
	roundtrip((const guint8 *)ZIP_MAGIC "rest", ZIP_MAGIC_LEN + 4, 3);
	roundtrip((const guint8 *)ZIP_MAGIC, ZIP_MAGIC_LEN, 1);
}
END_TEST

START_TEST(test_zip_whole)
{
	static const char text[] = "Subject: x\r\n\r\nbody body body body body body body\r\n";
	GBytes *z = zip_compress(text, strlen(text)), *back = NULL, *e;
	char *error = NULL;
	gsize len;

	ck_assert(zip_marked(g_bytes_get_data(z, NULL), g_bytes_get_size(z)));
	ck_assert_int_eq(zip_expand(g_bytes_get_data(z, NULL), g_bytes_get_size(z), &back, &error),
			 0);
	ck_assert_uint_eq(g_bytes_get_size(back), strlen(text));
	ck_assert(memcmp(g_bytes_get_data(back, NULL), text, strlen(text)) == 0);
	g_bytes_unref(back);
	ck_assert_int_eq(zip_expand_bytes(&z, &error), 0);
	ck_assert(memcmp(g_bytes_get_data(z, &len), text, strlen(text)) == 0);
	ck_assert_uint_eq(len, strlen(text));
	g_bytes_unref(z);
	e = zip_compress("", 0);
	ck_assert_uint_eq(g_bytes_get_size(e), 0);
	g_bytes_unref(e);
}
END_TEST

/* Bytes stored before compression (no marker) read back unchanged, however short. */
START_TEST(test_zip_plain_passes)
{
	const char *plain[] = {"", "a", "ab", "abc", "abcd", "From: x\r\n\r\nold row\r\n",
			       "\0PZ", "\0PY\1xyz"};
	gsize lens[] = {0, 1, 2, 3, 4, 20, 3, 7};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(plain); i++) {
		GBytes *out = NULL, *b = g_bytes_new(plain[i], lens[i]);
		GByteArray *s_out = g_byte_array_new();
		struct zip_stream *s = zip_stream_new(FALSE, collect, s_out);
		char *error = NULL;

		ck_assert_int_eq(zip_expand(plain[i], lens[i], &out, &error), 0);
		ck_assert_uint_eq(g_bytes_get_size(out), lens[i]);
		ck_assert(lens[i] == 0 || memcmp(g_bytes_get_data(out, NULL), plain[i], lens[i]) == 0);
		ck_assert_int_eq(zip_expand_bytes(&b, &error), 0);
		ck_assert_uint_eq(g_bytes_get_size(b), lens[i]);
		ck_assert_int_eq(zip_stream_write(s, plain[i], lens[i], &error), 0);
		ck_assert_int_eq(zip_stream_finish(s, &error), 0);
		ck_assert_uint_eq(s_out->len, lens[i]);
		ck_assert(lens[i] == 0 || memcmp(s_out->data, plain[i], lens[i]) == 0);
		zip_stream_free(&s);
		g_byte_array_unref(s_out);
		g_bytes_unref(out);
		g_bytes_unref(b);
	}
}
END_TEST

/* Damaged compressed data is an error, never wrong bytes. */
START_TEST(test_zip_damage)
{
	static const char text[] = "Subject: damage\r\n\r\nsome text to compress, some text\r\n";
	GBytes *z = zip_compress(text, strlen(text)), *out = NULL;
	gsize len;
	const guint8 *d = g_bytes_get_data(z, &len);
	guint8 *bad = g_memdup2(d, len);
	char *error = NULL;

	/* cut short */
	ck_assert_int_eq(zip_expand(d, len - 3, &out, &error), -1);
	ck_assert_ptr_nonnull(error);
	g_clear_pointer(&error, g_free);
	/* marker alone */
	ck_assert_int_eq(zip_expand(d, ZIP_MAGIC_LEN, &out, &error), -1);
	g_clear_pointer(&error, g_free);
	/* one byte of the payload changed: the Adler-32 or the stream catches it */
	bad[len - 6] ^= 0x55;
	ck_assert_int_eq(zip_expand(bad, len, &out, &error), -1);
	g_clear_pointer(&error, g_free);
	g_free(bad);
	/* bytes after the stream's end */
	bad = g_malloc(len + 2);
	memcpy(bad, d, len);
	memcpy(bad + len, "xx", 2);
	ck_assert_int_eq(zip_expand(bad, len + 2, &out, &error), -1);
	g_clear_pointer(&error, g_free);
	g_free(bad);
	g_bytes_unref(z);
}
END_TEST

struct digest_sink {
	GChecksum *sum;
	gsize len, max_chunk;
};

static void digest_chunk(const void *data, gsize len, void *ctx)
{
	struct digest_sink *d = ctx;

	g_checksum_update(d->sum, data, (gssize)len);
	d->len += len;
	d->max_chunk = MAX(d->max_chunk, len);
}

/* 24 MB (a spooled message at the size limit), streamed 256 KB at a time both ways: same
 * bytes back, and no output chunk bigger than the stream's buffer (memory stays bounded). */
START_TEST(test_zip_24mb_stream)
{
	const gsize total = 24 * 1024 * 1024, step = 256 * 1024;
	guint8 *chunk = g_malloc(step);
	GChecksum *orig = g_checksum_new(G_CHECKSUM_SHA256);
	GByteArray *z = g_byte_array_new();
	struct digest_sink back = {g_checksum_new(G_CHECKSUM_SHA256), 0, 0};
	struct zip_stream *s = zip_stream_new(TRUE, collect, z);
	GRand *r = g_rand_new_with_seed(7);
	char *error = NULL;
	gsize off, i;

	for (off = 0; off < total; off += step) {
		/* half base64-like random text, half repeated lines */
		for (i = 0; i < step; i++)
			chunk[i] = (i / 4096) % 2 ? (guint8)('A' + g_rand_int_range(r, 0, 64))
						  : (guint8)("line of text\r\n"[i % 14]);
		g_checksum_update(orig, chunk, (gssize)step);
		ck_assert_int_eq(zip_stream_write(s, chunk, step, &error), 0);
	}
	ck_assert_int_eq(zip_stream_finish(s, &error), 0);
	zip_stream_free(&s);
	ck_assert_uint_lt(z->len, total);
	s = zip_stream_new(FALSE, digest_chunk, &back);
	for (off = 0; off < z->len; off += step)
		ck_assert_int_eq(zip_stream_write(s, z->data + off, MIN(step, z->len - off), &error),
				 0);
	ck_assert_int_eq(zip_stream_finish(s, &error), 0);
	zip_stream_free(&s);
	ck_assert_uint_eq(back.len, total);
	ck_assert_uint_le(back.max_chunk, 65536);
	ck_assert_str_eq(g_checksum_get_string(back.sum), g_checksum_get_string(orig));
	g_checksum_free(orig);
	g_checksum_free(back.sum);
	g_byte_array_unref(z);
	g_rand_free(r);
	g_free(chunk);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("zip");
	TCase *tc = tcase_create("zip");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_zip_roundtrip);
	tcase_add_test(tc, test_zip_whole);
	tcase_add_test(tc, test_zip_plain_passes);
	tcase_add_test(tc, test_zip_damage);
	tcase_add_test(tc, test_zip_24mb_stream);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
