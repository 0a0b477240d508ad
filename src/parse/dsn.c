/* dsn.c: the per-recipient fields of a delivery status notification (RFC 3464).
 * The message/delivery-status body is a series of header blocks (per-message, then one
 * per recipient); each block is read with GMime's own header parser, which also copes
 * with blocks whose body is transfer-encoded (seen in the wild). GMime 3.2 gives the
 * part as a GMimePart; a GMimeMessagePart (other versions) is serialised first.
 * Fills fields of the caller's struct; safe from any thread. */
#include <string.h>

#include "postdesk/lib.h"

#include "parse-private.h"

#define DSN_MAX_BLOCKS 16

/* The raw bytes of the status part. */
static GByteArray *status_bytes(GMimeObject *status)
{
	gboolean cut = FALSE;
	/* a status part is a few lines; a huge one is read no further than a text body */
	if (GMIME_IS_PART(status))
		return parse_part_bytes_max(GMIME_PART(status), PARSE_MAX_BODY, &cut);
	GByteArray *bytes = g_byte_array_new();
	if (GMIME_IS_MESSAGE_PART(status)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(status));
		if (inner != NULL) {
			GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(bytes);
			g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
			g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
			g_object_unref(mem);
		}
	}
	return bytes;
}

/* "type; value" -> value (the whole field if there is no type). */
static char *after_type(const char *field)
{
	const char *semi = strchr(field, ';');
	return g_strstrip(g_strdup(semi != NULL ? semi + 1 : field));
}

/* Runs of spaces (left by unfolding) become one. */
static char *collapse_spaces(char *s)
{
	char *q = s;
	for (const char *p = s; *p != '\0'; p++)
		if (*p != ' ' || q == s || q[-1] != ' ')
			*q++ = *p;
	*q = '\0';
	return s;
}

/* The first word of a field, lower-case ("failed (bad mailbox)" -> "failed"). */
static char *first_word(const char *field)
{
	gsize n = strcspn(field, " \t;(");
	return g_ascii_strdown(field, n);
}

static char *recipient(const char *field)
{
	char *value = after_type(field);
	gsize n = strlen(value);
	if (n >= 2 && value[0] == '<' && value[n - 1] == '>') {
		value[n - 1] = '\0';
		memmove(value, value + 1, n - 1);
	}
	char *addr = util_addr_normalize(value);
	g_free(value);
	return addr;
}

/* Take the fields of one block; TRUE if it was a per-recipient block. */
static gboolean take_block(GMimeObject *block, struct parse_msg *msg)
{
	char *action = parse_header_raw(block, "Action");
	char *status = parse_header_raw(block, "Status");
	char *final = parse_header_raw(block, "Final-Recipient");
	char *diag = parse_header_raw(block, "Diagnostic-Code");
	if (final == NULL)
		final = parse_header_raw(block, "Original-Recipient");
	gboolean per_recipient = action != NULL || final != NULL;
	if (per_recipient) {
		msg->dsn_action = action != NULL ? first_word(action) : NULL;
		msg->dsn_status = status != NULL ? first_word(status) : NULL;
		msg->dsn_recipient = final != NULL ? recipient(final) : NULL;
		msg->dsn_diagnostic = diag != NULL ? collapse_spaces(after_type(diag)) : NULL;
	}
	g_free(action);
	g_free(status);
	g_free(final);
	g_free(diag);
	return per_recipient;
}

void parse_dsn_fields(GMimeObject *status, struct parse_msg *msg)
{
	GByteArray *bytes = status_bytes(status);
	for (int i = 0; i < DSN_MAX_BLOCKS; i++) {
		/* blank lines between blocks: some MTAs write several */
		gsize skip = 0;
		while (skip < bytes->len &&
		       (bytes->data[skip] == '\n' || bytes->data[skip] == '\r'))
			skip++;
		if (skip == bytes->len)
			break;
		GMimeStream *stream = g_mime_stream_mem_new_with_buffer(
		    (const char *)bytes->data + skip, bytes->len - skip);
		GMimeParser *parser = g_mime_parser_new_with_stream(stream);
		GMimeMessage *block = g_mime_parser_construct_message(parser, parse_options());
		g_object_unref(parser);
		g_object_unref(stream);
		if (block == NULL)
			break;
		gboolean done = take_block(GMIME_OBJECT(block), msg);
		GMimeObject *rest = g_mime_message_get_mime_part(block);
		GByteArray *next = NULL;
		if (!done && rest != NULL && GMIME_IS_PART(rest))
			next = parse_part_bytes(GMIME_PART(rest));
		g_object_unref(block);
		if (next == NULL || next->len >= bytes->len - skip) {
			if (next != NULL)
				g_byte_array_unref(next);
			break;
		}
		g_byte_array_unref(bytes);
		bytes = next;
	}
	g_byte_array_unref(bytes);
}
