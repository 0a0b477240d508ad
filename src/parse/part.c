/* part.c: reading one GMime object: a header's raw value, a leaf part's decoded bytes
 * (all of them, or the first max: a text body is decoded only that far).
 * Shared by parse.c (message headers), mime.c (bodies, attachments) and dsn.c (status
 * blocks); a leaf below them that calls only charset.c. Borrows the object; returns
 * g_malloc'ed copies; safe from any thread. */
#include "parse-private.h"

char *parse_header_raw(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	GMimeHeader *h = list != NULL ? g_mime_header_list_get_header(list, name) : NULL;
	const char *raw = h != NULL ? g_mime_header_get_raw_value(h) : NULL;
	if (raw == NULL)
		return NULL;
	char *unfolded = g_mime_utils_header_unfold(raw);
	char *value = parse_utf8_clean(unfolded, TRUE);
	g_free(unfolded);
	return value;
}

GByteArray *parse_part_bytes(GMimePart *part)
{
	GByteArray *bytes = g_byte_array_new();
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	if (content == NULL)
		return bytes;
	GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(bytes);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_mime_data_wrapper_write_to_stream(content, mem);
	g_object_unref(mem);
	return bytes;
}

GByteArray *parse_part_bytes_max(GMimePart *part, gsize max, gboolean *cut_r)
{
	GByteArray *bytes = g_byte_array_new();
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *raw = content != NULL ? g_mime_data_wrapper_get_stream(content) : NULL;
	char buf[4096];

	if (raw == NULL)
		return bytes;
	/* what g_mime_data_wrapper_write_to_stream() does, read instead of written, so that it
	 * can stop at max */
	g_mime_stream_reset(raw);
	GMimeStream *filtered = g_mime_stream_filter_new(raw);
	GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(content);
	if (enc == GMIME_CONTENT_ENCODING_BASE64 || enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    enc == GMIME_CONTENT_ENCODING_UUENCODE) {
		GMimeFilter *filter = g_mime_filter_basic_new(enc, FALSE);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), filter);
		g_object_unref(filter);
	}
	for (;;) {
		ssize_t n = g_mime_stream_read(filtered, buf, sizeof(buf));
		if (n <= 0)
			break;
		if (bytes->len + (gsize)n > max) {
			g_byte_array_append(bytes, (const guint8 *)buf, (guint)(max - bytes->len));
			*cut_r = TRUE;
			break;
		}
		g_byte_array_append(bytes, (const guint8 *)buf, (guint)n);
	}
	g_object_unref(filtered);
	return bytes;
}
