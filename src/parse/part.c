/* part.c: reading one GMime object: a header's raw value, a leaf part's decoded bytes.
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
