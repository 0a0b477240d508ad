/* zip: the stored bytes of a message (messages.raw, outbox.raw) compressed with zlib,
 * through GIO's GZlibCompressor/GZlibDecompressor (GIO comes with GLib: no other zlib
 * user in the tree, and every other module goes through this file).
 * A compressed value is ZIP_MAGIC followed by one zlib stream (RFC 1950: its Adler-32
 * catches a damaged row). Bytes without the marker are read as they are, so rows stored
 * before compression (and rows a test or an operator inserts by hand) still read; a
 * message cannot start with the marker's NUL byte by accident in a new row, because every
 * new row is compressed. The empty value stays empty (no marker).
 * Streams work a chunk at a time, so a 24 MB spooled message never sits whole in memory.
 * Ownership: a zip_stream owns its converter and buffer. Threading: one stream belongs to
 * one thread at a time; each thread keeps one idle converter of each kind for its next
 * stream (thread-local, never shared): zlib's set-up (deflateInit: ~256 KB allocated and
 * cleared) costs ~100 us, far more than compressing a 2 KB message. */
#include "config.h"
#include "postdesk/lib.h"

#include <gio/gio.h>
#include <string.h>

/* zlib's level. 1 (deflate_fast, short hash chains): the default 6 made zlib 10 % of
 * lmtpd's CPU on repetitive 2 KB text (long chains in longest_match) for no fewer pages
 * on disk (raw 237 -> 246 bytes, acknowledgement 622 -> 627; doc/benchmarks.md). */
#define ZIP_LEVEL 1
/* Output buffer of one conversion step. */
#define ZIP_OUT_CHUNK 65536

struct zip_stream {
	gboolean compress;
	GConverter *conv;     /* NULL until the mode is known; stays NULL for plain bytes */
	gboolean plain;       /* expanding bytes without the marker: passed through */
	guint8 head[ZIP_MAGIC_LEN];
	gsize head_len;       /* expanding: marker bytes seen before the mode is known */
	gboolean started;     /* compressing: the marker is out */
	gboolean done;        /* the converter reached the end of its stream */
	guint8 *out;
	zip_chunk_fn *fn;
	void *ctx;
};

gboolean zip_marked(const void *data, gsize len)
{
	return len >= ZIP_MAGIC_LEN && memcmp(data, ZIP_MAGIC, ZIP_MAGIC_LEN) == 0;
}

/* The idle converters of this thread (freed when it ends). */
static GPrivate zip_idle_compressor = G_PRIVATE_INIT(g_object_unref);
static GPrivate zip_idle_decompressor = G_PRIVATE_INIT(g_object_unref);

static GConverter *zip_converter_take(gboolean compress)
{
	GPrivate *idle = compress ? &zip_idle_compressor : &zip_idle_decompressor;
	GConverter *conv = g_private_get(idle);

	if (conv != NULL) {
		g_private_set(idle, NULL);
		return conv;
	}
	if (compress)
		return G_CONVERTER(g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_ZLIB, ZIP_LEVEL));
	return G_CONVERTER(g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_ZLIB));
}

/* Back to the thread's idle slot, reset (deflateReset/inflateReset keep the memory). */
static void zip_converter_give(gboolean compress, GConverter *conv)
{
	GPrivate *idle = compress ? &zip_idle_compressor : &zip_idle_decompressor;

	g_converter_reset(conv);
	if (g_private_get(idle) == NULL)
		g_private_set(idle, conv);
	else
		g_object_unref(conv);
}

struct zip_stream *zip_stream_new(gboolean compress, zip_chunk_fn *fn, void *ctx)
{
	struct zip_stream *z = g_new0(struct zip_stream, 1);

	z->compress = compress;
	z->fn = fn;
	z->ctx = ctx;
	z->out = g_malloc(ZIP_OUT_CHUNK);
	if (compress)
		z->conv = zip_converter_take(TRUE);
	return z;
}

void zip_stream_free(struct zip_stream **zp)
{
	struct zip_stream *z = *zp;

	if (z == NULL)
		return;
	*zp = NULL;
	if (z->conv != NULL)
		zip_converter_give(z->compress, z->conv);
	g_free(z->out);
	g_free(z);
}

/* Run the converter over data (all of it); with finish, until the stream's end. */
static int zip_convert(struct zip_stream *z, const guint8 *data, gsize len, gboolean finish,
		       char **error_r)
{
	GConverterFlags flags = finish ? G_CONVERTER_INPUT_AT_END : G_CONVERTER_NO_FLAGS;

	if (z->done && len > 0) {
		*error_r = g_strdup("damaged compressed data: bytes after its end");
		return -1;
	}
	while (!z->done) {
		gsize nread = 0, nwritten = 0;
		GError *err = NULL;
		GConverterResult r = g_converter_convert(z->conv, data, len, z->out, ZIP_OUT_CHUNK,
							 flags, &nread, &nwritten, &err);

		if (r == G_CONVERTER_ERROR) {
			/* All input taken and nothing more to give until more comes: not an
			 * error before the end (at the end it is a truncated stream). */
			if (!finish && len == 0 &&
			    g_error_matches(err, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT)) {
				g_error_free(err);
				return 0;
			}
			*error_r = g_strdup_printf("%s: %s",
						   z->compress ? "compress" : "damaged compressed data",
						   err->message);
			g_error_free(err);
			return -1;
		}
		if (nwritten > 0)
			z->fn(z->out, nwritten, z->ctx);
		data += nread;
		len -= nread;
		if (r == G_CONVERTER_FINISHED)
			z->done = TRUE;
		else if (len == 0 && !finish && nwritten < ZIP_OUT_CHUNK)
			return 0; /* everything taken; the converter holds the rest */
	}
	if (len > 0) {
		*error_r = g_strdup("damaged compressed data: bytes after its end");
		return -1;
	}
	return 0;
}

/* Expanding: the first ZIP_MAGIC_LEN bytes decide between zlib and plain bytes. */
static int zip_expand_head(struct zip_stream *z, const guint8 **data, gsize *len, gboolean finish,
			   char **error_r)
{
	gsize n = MIN(ZIP_MAGIC_LEN - z->head_len, *len);

	if (n > 0)
		memcpy(z->head + z->head_len, *data, n);
	z->head_len += n;
	*data += n;
	*len -= n;
	if (z->head_len < ZIP_MAGIC_LEN && !finish)
		return 0;
	if (zip_marked(z->head, z->head_len)) {
		z->conv = zip_converter_take(FALSE);
		return 0;
	}
	z->plain = TRUE;
	if (z->head_len > 0)
		z->fn(z->head, z->head_len, z->ctx);
	(void)error_r;
	return 0;
}

int zip_stream_write(struct zip_stream *z, const void *data, gsize len, char **error_r)
{
	const guint8 *p = data;

	if (len == 0)
		return 0;
	if (z->compress) {
		if (!z->started) {
			z->fn(ZIP_MAGIC, ZIP_MAGIC_LEN, z->ctx);
			z->started = TRUE;
		}
		return zip_convert(z, p, len, FALSE, error_r);
	}
	if (z->conv == NULL && !z->plain && zip_expand_head(z, &p, &len, FALSE, error_r) < 0)
		return -1;
	if (len == 0)
		return 0;
	if (z->plain) {
		z->fn(p, len, z->ctx);
		return 0;
	}
	return zip_convert(z, p, len, FALSE, error_r);
}

int zip_stream_finish(struct zip_stream *z, char **error_r)
{
	const guint8 *p = NULL;
	gsize len = 0;

	if (z->compress)
		return z->started ? zip_convert(z, NULL, 0, TRUE, error_r) : 0;
	if (z->conv == NULL && !z->plain && zip_expand_head(z, &p, &len, TRUE, error_r) < 0)
		return -1;
	if (z->plain)
		return 0;
	return zip_convert(z, NULL, 0, TRUE, error_r);
}

static void zip_collect(const void *data, gsize len, void *ctx)
{
	g_byte_array_append(ctx, data, (guint)len);
}

/* One whole value through a stream into memory. */
static int zip_whole(gboolean compress, const void *data, gsize len, GBytes **out_r,
		     char **error_r)
{
	GByteArray *buf = g_byte_array_sized_new(compress ? (guint)(len / 2 + 64) : (guint)len * 3);
	struct zip_stream *z = zip_stream_new(compress, zip_collect, buf);
	int ret = zip_stream_write(z, data, len, error_r);

	if (ret == 0)
		ret = zip_stream_finish(z, error_r);
	zip_stream_free(&z);
	if (ret < 0) {
		g_byte_array_unref(buf);
		*out_r = NULL;
		return -1;
	}
	*out_r = g_byte_array_free_to_bytes(buf);
	return 0;
}

GBytes *zip_compress(const void *data, gsize len)
{
	GBytes *out = NULL;
	char *error = NULL;

	/* Compressing memory cannot fail short of out-of-memory, which aborts. */
	if (zip_whole(TRUE, data, len, &out, &error) < 0)
		g_error("zip: %s", error);
	return out;
}

int zip_expand(const void *data, gsize len, GBytes **out_r, char **error_r)
{
	if (!zip_marked(data, len)) {
		*out_r = g_bytes_new(data, len);
		return 0;
	}
	return zip_whole(FALSE, data, len, out_r, error_r);
}

int zip_expand_bytes(GBytes **bytes, char **error_r)
{
	gsize len = 0;
	const void *data = *bytes != NULL ? g_bytes_get_data(*bytes, &len) : NULL;
	GBytes *out = NULL;

	if (!zip_marked(data, len))
		return 0;
	if (zip_whole(FALSE, data, len, &out, error_r) < 0)
		return -1;
	g_bytes_unref(*bytes);
	*bytes = out;
	return 0;
}
