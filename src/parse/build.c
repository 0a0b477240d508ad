/* build: struct parse_out -> RFC 5322 bytes with CRLF line ends, built by GMime
 * (addresses, RFC 2047/2231 encoding, transfer encodings, folding). Before anything goes
 * into a header it is checked here for CR/LF: this is the one gate against header injection
 * from ticket data (names, subjects, ids). Owns nothing between calls; thread-safe (GMime is
 * initialised once by parse_init(), every call builds its own objects). */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/parse.h"

#include <gmime/gmime.h>
#include <string.h>

/* Headers parse_build() writes itself: an extra header may not replace or add to them. */
static const char *const reserved_headers[] = {
    "From",
    "Sender",
    "To",
    "Cc",
    "Bcc",
    "Reply-To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "MIME-Version",
    "Auto-Submitted",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Content-Disposition",
};

static int check_value(const char *header, const char *value, char **error_r)
{
	if (value != NULL && util_has_crlf(value))
		return util_error(error_r, "header %s: value contains CR or LF", header);
	return 0;
}

gboolean parse_addr_usable(const char *addr)
{
	const char *at;

	if (addr == NULL || *addr == '\0')
		return FALSE;
	for (const char *p = addr; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == ',' ||
		    *p == '"')
			return FALSE;
	at = strrchr(addr, '@');
	return at != NULL && at != addr && at[1] != '\0';
}

static int check_addr(const char *header, const struct parse_out_addr *a, char **error_r)
{
	if (check_value(header, a->name, error_r) < 0)
		return -1;
	if (a->addr == NULL || *a->addr == '\0')
		return util_error(error_r, "header %s: empty address", header);
	if (check_value(header, a->addr, error_r) < 0)
		return -1;
	if (!parse_addr_usable(a->addr))
		return util_error(error_r, "header %s: unusable address \"%s\"", header, a->addr);
	return 0;
}

static int check_addrs(const char *header, const struct parse_out_addr *list, guint n, char **error_r)
{
	for (guint i = 0; i < n; i++)
		if (check_addr(header, &list[i], error_r) < 0)
			return -1;
	return 0;
}

/* A msg-id without <>: id-left@id-right, nothing that would end or split the <...>. */
static int check_msgid(const char *header, const char *id, char **error_r)
{
	if (check_value(header, id, error_r) < 0)
		return -1;
	for (const char *p = id; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
			return util_error(error_r, "header %s: bad character in \"%s\"", header,
					  id);
	if (strchr(id, '@') == NULL)
		return util_error(error_r, "header %s: \"%s\" has no '@'", header, id);
	return 0;
}

static int check_header_name(const char *name, char **error_r)
{
	if (name == NULL || *name == '\0')
		return util_error(error_r, "extra header with an empty name");
	for (const char *p = name; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || *p == ':')
			return util_error(error_r, "extra header name \"%s\" is not a field name",
					  util_has_crlf(name) ? "(has CR/LF)" : name);
	for (guint i = 0; i < G_N_ELEMENTS(reserved_headers); i++)
		if (g_ascii_strcasecmp(name, reserved_headers[i]) == 0)
			return util_error(error_r, "extra header %s is set by parse_build itself",
					  name);
	return 0;
}

static int validate(const struct parse_out *m, char **error_r)
{
	struct parse_out_addr from = {m->from_name, m->from_addr};

	if (m->subject == NULL || m->body == NULL || m->message_id == NULL)
		return util_error(error_r, "mail without subject, body or Message-ID");
	if (m->n_to + m->n_cc == 0)
		return util_error(error_r, "mail without recipients");
	if (check_addr("From", &from, error_r) < 0 ||
	    check_addrs("To", m->to, m->n_to, error_r) < 0 ||
	    check_addrs("Cc", m->cc, m->n_cc, error_r) < 0 ||
	    (m->reply_to != NULL && check_addr("Reply-To", m->reply_to, error_r) < 0) ||
	    check_value("Subject", m->subject, error_r) < 0 ||
	    check_msgid("Message-ID", m->message_id, error_r) < 0 ||
	    (m->in_reply_to != NULL && check_msgid("In-Reply-To", m->in_reply_to, error_r) < 0) ||
	    check_value("Auto-Submitted", m->auto_submitted, error_r) < 0)
		return -1;
	for (guint i = 0; i < m->n_references; i++)
		if (check_msgid("References", m->references[i], error_r) < 0)
			return -1;
	for (guint i = 0; i < m->n_headers; i++) {
		if (check_header_name(m->headers[i].name, error_r) < 0 ||
		    check_value(m->headers[i].name, m->headers[i].value, error_r) < 0)
			return -1;
		if (m->headers[i].value == NULL)
			return util_error(error_r, "header %s: no value", m->headers[i].name);
	}
	for (guint i = 0; i < m->n_attachments; i++)
		/* the file name needs no check: it is reduced to a safe base name when built */
		if (check_value("Content-Type", m->attachments[i].content_type, error_r) < 0)
			return -1;
	return 0;
}

/* body with every line break made CRLF (crlf) or LF; g_malloc'ed. */
static char *newlines(const char *body, gboolean crlf)
{
	char **lines = g_strsplit(body, "\r\n", -1);
	char *lf = g_strjoinv("\n", lines);
	char *out;

	g_strfreev(lines);
	if (!crlf)
		return lf;
	lines = g_strsplit(lf, "\n", -1);
	out = g_strjoinv("\r\n", lines);
	g_strfreev(lines);
	g_free(lf);
	return out;
}

static void part_set_text(GMimePart *part, const char *text)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(text, strlen(text));
	GMimeDataWrapper *content =
	    g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(part, content);
	g_object_unref(content);
	g_object_unref(stream);
}

/* The text body: always charset=utf-8 (g_mime_text_part_set_text() would pick latin1 for
 * some texts), with the transfer encoding GMime finds best for 7-bit transport. Line breaks
 * are LF for 7bit and quoted-printable (GMime writes them as CRLF), but CRLF inside base64,
 * where RFC 2045 wants text in canonical form before encoding. */
static GMimeObject *text_part_new(const char *body)
{
	GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");
	char *text = newlines(body, FALSE);
	GMimeContentEncoding enc;

	part_set_text(GMIME_PART(part), text);
	g_free(text);
	g_mime_text_part_set_charset(part, "utf-8");
	enc =
	    g_mime_part_get_best_content_encoding(GMIME_PART(part), GMIME_ENCODING_CONSTRAINT_7BIT);
	if (enc == GMIME_CONTENT_ENCODING_BASE64) {
		text = newlines(body, TRUE);
		part_set_text(GMIME_PART(part), text);
		g_free(text);
	}
	g_mime_part_set_content_encoding(GMIME_PART(part), enc);
	return GMIME_OBJECT(part);
}

/* A character that may not stay in a file name we hand on: C0/C1 controls and DEL (a
 * terminal or a header would act on them), the bidirectional overrides and isolates
 * ("evil\u202Etxt.exe" shows as "evilexe.txt"), and what Windows refuses in a name. */
static gboolean filename_char_bad(gunichar c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f ||
	       strchr(":*?\"<>|", (int)c) != NULL;
}

char *parse_safe_filename(const char *name)
{
	char *valid = g_utf8_make_valid(name != NULL ? name : "", -1);
	const char *base = valid, *p;
	GString *out = g_string_new(NULL);

	/* the last path component, for either kind of separator */
	for (p = valid; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	for (p = base; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (filename_char_bad(c))
			continue;
		if (out->len + 6 > PARSE_FILENAME_MAX)
			break; /* whole characters only: the name stays valid UTF-8 */
		g_string_append_unichar(out, c);
	}
	g_free(valid);
	/* no hidden files, no "." or "..", nothing Windows trims at the end */
	while (out->len > 0 && (out->str[out->len - 1] == '.' || out->str[out->len - 1] == ' '))
		g_string_truncate(out, out->len - 1);
	g_string_erase(out, 0, (gssize)strspn(out->str, ". "));
	if (out->len == 0)
		g_string_assign(out, "attachment");
	return g_string_free(out, FALSE);
}

static GMimeObject *attachment_new(const struct parse_out_attachment *a)
{
	GMimeContentType *ctype = NULL;
	GMimePart *part;
	GMimeStream *stream;
	GMimeDataWrapper *content;
	gsize size = 0;
	const char *data = a->data == NULL ? "" : g_bytes_get_data(a->data, &size);

	if (a->content_type != NULL)
		ctype = g_mime_content_type_parse(NULL, a->content_type);
	if (ctype != NULL) {
		part = g_mime_part_new_with_type(g_mime_content_type_get_media_type(ctype),
						 g_mime_content_type_get_media_subtype(ctype));
		g_object_unref(ctype);
	} else {
		part = g_mime_part_new_with_type("application", "octet-stream");
	}
	stream = g_mime_stream_mem_new_with_buffer(data, size);
	content = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(part, content);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	if (a->filename != NULL && *a->filename != '\0') {
		/* names come from strangers: the receiver's client saves under this name */
		char *safe = parse_safe_filename(a->filename);

		g_mime_part_set_filename(part, safe);
		g_free(safe);
		/* RFC 2231 in UTF-8 rather than whichever smaller charset GMime would pick. */
		g_mime_param_set_charset(
		    g_mime_param_list_get_parameter(
			g_mime_content_disposition_get_parameters(
			    g_mime_object_get_content_disposition(GMIME_OBJECT(part))),
			"filename"),
		    "utf-8");
		g_mime_param_set_charset(
		    g_mime_param_list_get_parameter(
			g_mime_content_type_get_parameters(
			    g_mime_object_get_content_type(GMIME_OBJECT(part))),
			"name"),
		    "utf-8");
	} else
		g_mime_object_set_disposition(GMIME_OBJECT(part), GMIME_DISPOSITION_ATTACHMENT);
	g_object_unref(content);
	g_object_unref(stream);
	return GMIME_OBJECT(part);
}

/* Display names are RFC 2047-encoded in UTF-8 (GMime would otherwise pick latin1 where it
 * fits); GMime quotes and escapes them as needed. */
static void add_addrs(GMimeMessage *msg, GMimeAddressType type, const struct parse_out_addr *list,
		      guint n)
{
	InternetAddressList *dest = g_mime_message_get_addresses(msg, type);

	for (guint i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_mailbox_new(
		    list[i].name == NULL ? "" : list[i].name, list[i].addr);
		internet_address_set_charset(ia, "utf-8");
		internet_address_list_add(dest, ia);
		g_object_unref(ia);
	}
}

static void set_id_headers(GMimeMessage *msg, const struct parse_out *m)
{
	GMimeObject *obj = GMIME_OBJECT(msg);

	g_mime_message_set_message_id(msg, m->message_id);
	if (m->in_reply_to != NULL) {
		char *v = g_strdup_printf("<%s>", m->in_reply_to);
		g_mime_object_set_header(obj, "In-Reply-To", v, NULL);
		g_free(v);
	}
	if (m->n_references > 0) {
		GString *refs = g_string_new(NULL);
		for (guint i = 0; i < m->n_references; i++)
			g_string_append_printf(refs, "%s<%s>", i == 0 ? "" : " ", m->references[i]);
		g_mime_object_set_header(obj, "References", refs->str, NULL);
		g_string_free(refs, TRUE);
	}
}

/* An ASCII extra header as written, folded only at its spaces (never inside a word): GMime
 * treats a value it is given as unstructured text and RFC 2047-encodes a word longer than
 * a line, which would break a structured value such as List-Unsubscribe's <URL>s. The
 * raw value GMime writes after "Name:" starts with a space and ends with a newline. */
static char *fold_ascii(const char *name, const char *value)
{
	char **words = g_strsplit(value, " ", -1);
	GString *raw = g_string_new(NULL);
	gsize col = strlen(name) + 1;

	for (guint i = 0; words[i] != NULL; i++) {
		gsize n = strlen(words[i]);
		if (n == 0)
			continue;
		if (raw->len > 0 && col + 1 + n > 78) {
			g_string_append_c(raw, '\n');
			col = 0;
		}
		g_string_append_c(raw, ' ');
		g_string_append(raw, words[i]);
		col += 1 + n;
	}
	g_string_append_c(raw, '\n');
	g_strfreev(words);
	return g_string_free(raw, FALSE);
}

static gboolean is_printable_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s > '~')
			return FALSE;
	return TRUE;
}

static void add_extra_header(GMimeMessage *msg, const struct parse_out_header *h)
{
	GMimeObject *obj = GMIME_OBJECT(msg);
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	char *raw;

	if (!is_printable_ascii(h->value)) {
		g_mime_object_append_header(obj, h->name, h->value, "utf-8");
		return;
	}
	g_mime_header_list_append(list, h->name, h->value, NULL);
	raw = fold_ascii(h->name, h->value);
	g_mime_header_set_raw_value(
	    g_mime_header_list_get_header_at(list, g_mime_header_list_get_count(list) - 1), raw);
	g_free(raw);
}

static GMimeMessage *message_new(const struct parse_out *m)
{
	GMimeMessage *msg = g_mime_message_new(TRUE);
	GDateTime *date = g_date_time_new_from_unix_utc(m->date != 0 ? m->date : clock_now());

	struct parse_out_addr from = {m->from_name, m->from_addr};

	add_addrs(msg, GMIME_ADDRESS_TYPE_FROM, &from, 1);
	add_addrs(msg, GMIME_ADDRESS_TYPE_TO, m->to, m->n_to);
	add_addrs(msg, GMIME_ADDRESS_TYPE_CC, m->cc, m->n_cc);
	if (m->reply_to != NULL)
		add_addrs(msg, GMIME_ADDRESS_TYPE_REPLY_TO, m->reply_to, 1);
	g_mime_message_set_subject(msg, m->subject, "utf-8");
	g_mime_message_set_date(msg, date);
	g_date_time_unref(date);
	set_id_headers(msg, m);
	if (m->auto_submitted != NULL)
		g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted", m->auto_submitted,
					 NULL);
	for (guint i = 0; i < m->n_headers; i++)
		add_extra_header(msg, &m->headers[i]);
	return msg;
}

int parse_build(const struct parse_out *m, char **raw_r, gsize *len_r, char **error_r)
{
	GMimeMessage *msg;
	GMimeObject *body;
	GMimeFormatOptions *opts;
	GMimeStream *out;
	GByteArray *bytes;

	*raw_r = NULL;
	*len_r = 0;
	if (validate(m, error_r) < 0)
		return -1;
	parse_init(); /* the one g_mime_init() site */
	msg = message_new(m);
	body = text_part_new(m->body);
	if (m->n_attachments > 0) {
		GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
		g_mime_multipart_add(mixed, body);
		g_object_unref(body);
		for (guint i = 0; i < m->n_attachments; i++) {
			GMimeObject *att = attachment_new(&m->attachments[i]);
			g_mime_multipart_add(mixed, att);
			g_object_unref(att);
		}
		body = GMIME_OBJECT(mixed);
	}
	g_mime_message_set_mime_part(msg, body);
	g_object_unref(body);

	/* SMTP wants CRLF; GMime converts headers and content when told to. */
	opts = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(opts, GMIME_NEWLINE_FORMAT_DOS);
	out = g_mime_stream_mem_new();
	g_mime_object_write_to_stream(GMIME_OBJECT(msg), opts, out);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	*len_r = bytes->len;
	*raw_r = g_malloc(bytes->len + 1);
	memcpy(*raw_r, bytes->data, bytes->len);
	(*raw_r)[bytes->len] = '\0';
	g_object_unref(out);
	g_mime_format_options_free(opts);
	g_object_unref(msg);
	return 0;
}
