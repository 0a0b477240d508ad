/* mime.c: walk the MIME tree of a message: choose the text body (text/plain first, else
 * HTML made readable), list the attachments, find a delivery report's status part.
 * Embedded messages (message/rfc822) are attachments, never walked for the body; nesting
 * past PARSE_MAX_DEPTH is ignored and attachments past PARSE_MAX_ATTACHMENTS only counted.
 * Borrows the GMimeMessage, fills the caller's struct; safe from any thread. */
#include <string.h>

#include "postdesk/lib.h"

#include "parse-private.h"

struct walk {
	GPtrArray *leaves;   /* GMimeObject *, borrowed: every non-multipart part */
	GMimeObject *text;   /* chosen text/plain part */
	GMimeObject *html;   /* chosen text/html part */
	GMimeObject *status; /* message/delivery-status of a delivery report */
	gboolean is_dsn;
	guint too_deep;
};

static const char *filename_of(GMimeObject *obj)
{
	if (GMIME_IS_PART(obj))
		return g_mime_part_get_filename(GMIME_PART(obj));
	GMimeContentDisposition *disp = g_mime_object_get_content_disposition(obj);
	const char *name = NULL;
	if (disp != NULL)
		name = g_mime_content_disposition_get_parameter(disp, "filename");
	if (name == NULL)
		name = g_mime_object_get_content_type_parameter(obj, "name");
	return name;
}

static gboolean is_attachment_disposition(GMimeObject *obj)
{
	GMimeContentDisposition *disp = g_mime_object_get_content_disposition(obj);
	return disp != NULL && g_mime_content_disposition_is_attachment(disp);
}

static gboolean is_type(GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	return ct != NULL && g_mime_content_type_is_type(ct, type, subtype);
}

/* A text part that is meant to be read as the message, not saved as a file. */
static gboolean is_body_candidate(GMimeObject *obj)
{
	const char *name = filename_of(obj);
	return GMIME_IS_PART(obj) && !is_attachment_disposition(obj) &&
	       (name == NULL || *name == '\0');
}

static gboolean is_delivery_report(GMimeObject *obj)
{
	if (!is_type(obj, "multipart", "report"))
		return FALSE;
	const char *rt = g_mime_object_get_content_type_parameter(obj, "report-type");
	return rt != NULL && (g_ascii_strcasecmp(rt, "delivery-status") == 0 ||
			      g_ascii_strcasecmp(rt, "global-delivery-status") == 0);
}

static void walk(struct walk *w, GMimeObject *obj, int depth)
{
	if (depth > PARSE_MAX_DEPTH) {
		w->too_deep++;
		return;
	}
	if (!GMIME_IS_MULTIPART(obj)) {
		g_ptr_array_add(w->leaves, obj);
		if (w->text == NULL && is_type(obj, "text", "plain") && is_body_candidate(obj))
			w->text = obj;
		else if (w->html == NULL && is_type(obj, "text", "html") && is_body_candidate(obj))
			w->html = obj;
		return;
	}
	GMimeMultipart *mp = GMIME_MULTIPART(obj);
	gboolean report = is_delivery_report(obj);
	w->is_dsn = w->is_dsn || report;
	int n = g_mime_multipart_get_count(mp);
	for (int i = 0; i < n; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);
		if (report && w->status == NULL &&
		    (is_type(child, "message", "delivery-status") ||
		     is_type(child, "message", "global-delivery-status")))
			w->status = child;
		walk(w, child, depth + 1);
	}
}

/* The Content-Type parameter name of obj is value (both case-insensitive). */
static gboolean param_is(GMimeObject *obj, const char *name, const char *value)
{
	const char *v = g_mime_object_get_content_type_parameter(obj, name);

	return v != NULL && g_ascii_strcasecmp(v, value) == 0;
}

/* Decoded, UTF-8 text of a text part, with CRLF and lone CR made LF; decoded only up to
 * max (*cut_r set when it was longer). A cut may split a UTF-8 sequence: the
 * charset conversion makes the stray bytes U+FFFD. */
static char *part_text(GMimeObject *obj, gsize max, gboolean *guessed_r, gboolean *cut_r)
{
	GByteArray *bytes = parse_part_bytes_max(GMIME_PART(obj), max, cut_r);
	const char *charset = g_mime_object_get_content_type_parameter(obj, "charset");
	char *text =
	    parse_charset_to_utf8((const char *)bytes->data, bytes->len, charset, guessed_r);
	g_byte_array_unref(bytes);
	char *q = text;
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\r') {
			*q++ = '\n';
			if (p[1] == '\n')
				p++;
		} else {
			*q++ = *p;
		}
	}
	*q = '\0';
	return text;
}

/* The decoded size of base64 text, from the text, as GMime's decoder decodes it: 3 bytes
 * for every 4 characters of the alphabet (anything else, such as line breaks, skipped) up
 * to the first '=', which ends the data and completes a group of 2 or 3 characters (1 or
 * 2 bytes); without one, such a rest is dropped. Decoding a photo only to measure it was
 * 7 % of lmtpd's CPU at 50 KB (doc/benchmarks.md). raw is the part's encoded stream, read
 * from its start and left there. */
static gsize base64_size(GMimeStream *raw)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	guchar in_alphabet[256] = {0};
	gboolean padded = FALSE;
	char buf[8192];
	guint64 chars = 0;
	gsize size;
	ssize_t n;

	for (const char *c = alphabet; *c != '\0'; c++)
		in_alphabet[(guchar)*c] = 1;
	g_mime_stream_reset(raw);
	while (!padded && (n = g_mime_stream_read(raw, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n && !padded; i++) {
			chars += in_alphabet[(guchar)buf[i]];
			padded = buf[i] == '=';
		}
	g_mime_stream_reset(raw);
	size = (gsize)(chars / 4 * 3);
	if (padded && chars % 4 >= 2)
		size += chars % 4 - 1;
	return size;
}

/* Decoded size: the bytes a save would write. */
static gsize decoded_size(GMimeObject *obj)
{
	GMimeStream *null;

	if (GMIME_IS_PART(obj)) {
		GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(obj));
		GMimeStream *raw = content != NULL ? g_mime_data_wrapper_get_stream(content) : NULL;

		if (raw != NULL &&
		    g_mime_data_wrapper_get_encoding(content) == GMIME_CONTENT_ENCODING_BASE64)
			return base64_size(raw);
	}
	null = g_mime_stream_null_new();
	if (GMIME_IS_PART(obj)) {
		GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(obj));
		if (content != NULL)
			g_mime_data_wrapper_write_to_stream(content, null);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		if (inner != NULL)
			g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, null);
	}
	gsize size = GMIME_STREAM_NULL(null)->written;
	g_object_unref(null);
	return size;
}

/* The decoded bytes a save would write (the whole message for message/rfc822). */
static GBytes *decoded_data(GMimeObject *obj)
{
	GByteArray *bytes;

	if (GMIME_IS_PART(obj))
		return g_byte_array_free_to_bytes(parse_part_bytes(GMIME_PART(obj)));
	bytes = g_byte_array_new();
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(bytes);
		g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
		if (inner != NULL)
			g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
		g_object_unref(mem);
	}
	return g_byte_array_free_to_bytes(bytes);
}

static struct parse_attachment *attachment_new(GMimeObject *obj, gboolean with_data)
{
	struct parse_attachment *a = g_new0(struct parse_attachment, 1);
	a->filename = parse_utf8_clean(filename_of(obj), TRUE);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *type = ct != NULL ? g_mime_content_type_get_mime_type(ct) : NULL;
	char *clean = parse_utf8_clean(type != NULL ? type : "application/octet-stream", TRUE);
	a->content_type = g_utf8_strdown(clean, -1);
	g_free(clean);
	g_free(type);
	if (with_data) {
		a->data = decoded_data(obj);
		a->size = g_bytes_get_size(a->data);
	} else {
		a->size = decoded_size(obj);
	}
	return a;
}

static void list_attachments(struct walk *w, struct parse_msg *msg, gboolean with_data)
{
	guint over = 0;
	for (guint i = 0; i < w->leaves->len; i++) {
		GMimeObject *obj = g_ptr_array_index(w->leaves, i);
		if (obj == w->text || obj == w->html)
			continue;
		const char *name = filename_of(obj);
		if (!is_attachment_disposition(obj) && (name == NULL || *name == '\0') &&
		    is_type(obj, "text", "*"))
			continue;
		if (msg->attachments->len >= PARSE_MAX_ATTACHMENTS) {
			over++;
			continue;
		}
		g_ptr_array_add(msg->attachments, attachment_new(obj, with_data));
	}
	if (over > 0 || w->too_deep > 0)
		log_info("parse: message %s: %u attachment(s) over the limit not listed, "
			 "%u part(s) nested too deep ignored",
			 msg->message_id, over, w->too_deep);
}

void parse_mime(GMimeMessage *message, struct parse_msg *msg, gboolean with_data)
{
	struct walk w = {g_ptr_array_new(), NULL, NULL, NULL, FALSE, 0};
	GMimeObject *root = g_mime_message_get_mime_part(message);
	if (root != NULL)
		walk(&w, root, 0);
	if (w.text != NULL) {
		msg->body = part_text(w.text, PARSE_MAX_BODY, &msg->charset_guessed,
				      &msg->body_truncated);
		if (param_is(w.text, "format", "flowed")) {
			char *plain = parse_unflow(msg->body, param_is(w.text, "delsp", "yes"));
			g_free(msg->body);
			msg->body = plain;
		}
	}
	if (w.html != NULL) {
		msg->body_html = part_text(w.html, PARSE_MAX_HTML, &msg->charset_guessed,
					   &msg->body_truncated);
		if (w.text == NULL) {
			msg->body = parse_html_to_text(msg->body_html, strlen(msg->body_html));
			msg->body_from_html = TRUE;
		}
	}
	if (msg->body == NULL)
		msg->body = g_strdup("");
	list_attachments(&w, msg, with_data);
	msg->is_dsn = w.is_dsn;
	if (w.status != NULL)
		parse_dsn_fields(w.status, msg);
	g_ptr_array_free(w.leaves, TRUE);
}
