/* parse.c: raw RFC 5322 message -> struct parse_msg (headers here; body, attachments and
 * DSN in mime.c and dsn.c). The top of the module's call order: it calls mime.c and the
 * leaf helpers (options.c, part.c, charset.c), and nothing in src/parse calls it. GMime
 * and libxml2 are initialised once (options.c); the parser options are only read
 * afterwards, so parse_message() may run in many threads at once. The returned struct
 * owns every string in it. A message comes as a buffer or as a file (a spool file); a
 * file is parsed through a GMimeStreamFs, so its parts stay in the file. */
#include <string.h>
#include <unistd.h>

#include "postdesk/lib.h"

#include "parse-private.h"

static void addr_set(struct parse_addr *a, InternetAddressMailbox *mb)
{
	a->name = parse_utf8_clean(internet_address_get_name(INTERNET_ADDRESS(mb)), TRUE);
	char *addr = parse_utf8_clean(internet_address_mailbox_get_addr(mb), TRUE);
	a->addr = util_addr_normalize(addr);
	g_free(addr);
}

static void addr_clear(struct parse_addr *a)
{
	g_free(a->name);
	g_free(a->addr);
}

static void addr_free(gpointer p)
{
	addr_clear(p);
	g_free(p);
}

/* Append the mailboxes of list (groups flattened, empty addresses skipped) to out, or
 * only the first into *first. */
static void addr_collect(InternetAddressList *list, GPtrArray *out, struct parse_addr *first)
{
	int n = list != NULL ? internet_address_list_length(list) : 0;
	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			addr_collect(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
				     out, first);
		} else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *addr =
			    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
			/* an encoded word is a name written without an address (address.c) */
			if (addr == NULL || *addr == '\0' || parse_addr_is_encoded(addr))
				continue;
			if (first != NULL) {
				if (first->addr == NULL)
					addr_set(first, INTERNET_ADDRESS_MAILBOX(ia));
				return;
			}
			struct parse_addr *a = g_new0(struct parse_addr, 1);
			addr_set(a, INTERNET_ADDRESS_MAILBOX(ia));
			g_ptr_array_add(out, a);
		}
		if (first != NULL && first->addr != NULL)
			return;
	}
}

/* Message-ids of a References or In-Reply-To header, without <>, via GMime's parser. */
static GPtrArray *msgids(GMimeObject *obj, const char *name)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	char *value = parse_header_raw(obj, name);
	if (value == NULL)
		return ids;
	GMimeReferences *refs = g_mime_references_parse(parse_options(), value);
	int n = refs != NULL ? g_mime_references_length(refs) : 0;
	for (int i = 0; i < n; i++) {
		const char *id = g_mime_references_get_message_id(refs, i);
		if (id != NULL && *id != '\0')
			g_ptr_array_add(ids, parse_utf8_clean(id, TRUE));
	}
	if (refs != NULL)
		g_mime_references_free(refs);
	g_free(value);
	return ids;
}

/* Thread-Index (MS-OXOMSG 2.2.1.3): base64 of a 22-byte header block (5 bytes of a
 * FILETIME, a 16-byte GUID, a reserved byte) and 5 bytes per reply in the conversation.
 * Only that shape counts: anything else is not Outlook's and names no conversation. */
#define THREAD_INDEX_HEAD 22
#define THREAD_INDEX_CHILD 5
#define THREAD_INDEX_MAX 1024

static char *thread_conv(GMimeObject *obj)
{
	char *value = parse_header_raw(obj, "Thread-Index"), *conv = NULL;
	gsize len = 0, n = 0;

	if (value == NULL)
		return NULL;
	/* g_base64_decode skips what is not base64: check the alphabet ourselves */
	for (const char *p = value; *p != '\0'; p++)
		if (!g_ascii_isspace(*p))
			value[n++] = *p;
	value[n] = '\0';
	/* padding only at the end, at most two */
	const char *eq = strchr(value, '=');
	if (n > 0 && n % 4 == 0 && n <= THREAD_INDEX_MAX &&
	    strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
		n &&
	    (eq == NULL || (eq >= value + n - 2 && strspn(eq, "=") == strlen(eq)))) {
		guchar *bytes = g_base64_decode(value, &len);
		if (len >= THREAD_INDEX_HEAD && (len - THREAD_INDEX_HEAD) % THREAD_INDEX_CHILD == 0)
			conv = g_base64_encode(bytes, THREAD_INDEX_HEAD);
		g_free(bytes);
	}
	g_free(value);
	return conv;
}

/* The message's bytes: a buffer, or (raw NULL) the first len bytes of the file fd. */
struct parse_src {
	const char *raw;
	int fd;
	gsize len;
};

/* Read size of a file source, for the checksum and the mbox line. */
#define PARSE_SRC_CHUNK 65536

/* SHA-256 of all the source's bytes (hex, g_malloc'ed); NULL if the file cannot be read. */
static char *src_checksum(const struct parse_src *src)
{
	if (src->raw != NULL)
		return g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)src->raw,
						   src->len);
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	char *buf = g_malloc(PARSE_SRC_CHUNK), *hex = NULL;
	gsize off = 0;
	while (off < src->len) {
		gsize n = MIN((gsize)PARSE_SRC_CHUNK, src->len - off);
		if (spool_read_at(src->fd, off, buf, n, NULL) < 0)
			break;
		g_checksum_update(sum, (const guchar *)buf, (gssize)n);
		off += n;
	}
	if (off == src->len)
		hex = g_strdup(g_checksum_get_string(sum));
	g_checksum_free(sum);
	g_free(buf);
	return hex;
}

static void parse_ids(GMimeMessage *message, const struct parse_src *src, struct parse_msg *msg)
{
	const char *id = g_mime_message_get_message_id(message);
	char *hex;
	if (id != NULL && *id != '\0') {
		msg->message_id = parse_utf8_clean(id, TRUE);
	} else if ((hex = src_checksum(src)) != NULL) {
		/* stable across redeliveries of the same bytes */
		msg->message_id = g_strconcat(hex, "@postdesk.invalid", NULL);
		msg->message_id_made_up = TRUE;
		g_free(hex);
	} else {
		/* the spool file went unreadable between two reads: a random id still stores
		 * the message once per delivery */
		char *uuid = g_uuid_string_random();
		msg->message_id = g_strconcat(uuid, "@postdesk.invalid", NULL);
		msg->message_id_made_up = TRUE;
		g_free(uuid);
	}
	GPtrArray *irt = msgids(GMIME_OBJECT(message), "In-Reply-To");
	if (irt->len > 0)
		msg->in_reply_to = g_strdup(g_ptr_array_index(irt, 0));
	g_ptr_array_unref(irt);
	g_ptr_array_unref(msg->references);
	msg->references = msgids(GMIME_OBJECT(message), "References");
	msg->thread_conv = thread_conv(GMIME_OBJECT(message));
}

/* The charset of the first text the message holds: raw 8-bit headers are usually in it. */
static const char *charset_hint(GMimeMessage *message)
{
	GMimeObject *obj = g_mime_message_get_mime_part(message);
	for (int depth = 0; obj != NULL && GMIME_IS_MULTIPART(obj) && depth < PARSE_MAX_DEPTH;
	     depth++)
		obj = g_mime_multipart_get_count(GMIME_MULTIPART(obj)) > 0
			  ? g_mime_multipart_get_part(GMIME_MULTIPART(obj), 0)
			  : NULL;
	const char *cs =
	    obj != NULL ? g_mime_object_get_content_type_parameter(obj, "charset") : NULL;
	return cs != NULL && g_ascii_strcasecmp(cs, "utf-8") != 0 ? cs : NULL;
}

/* A header with raw 8-bit bytes that are not UTF-8, converted from the body's charset
 * (GMime's own fallback would be windows-1252); NULL if GMime's decoding is right. */
static char *recode_raw(GMimeObject *obj, const char *name, const char *hint, gboolean *guessed_r)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	GMimeHeader *h = list != NULL ? g_mime_header_list_get_header(list, name) : NULL;
	const char *raw = h != NULL ? g_mime_header_get_raw_value(h) : NULL;
	if (raw == NULL || g_utf8_validate(raw, -1, NULL))
		return NULL;
	if (hint == NULL) {
		/* hostile-input case 8bit-headers-junk: GMime's windows-1252 fallback is a
		 * guess too, and the stored message says so */
		*guessed_r = TRUE;
		return NULL;
	}
	char *unfolded = g_mime_utils_header_unfold(raw);
	char *utf8 = parse_charset_to_utf8(unfolded, strlen(unfolded), hint, guessed_r);
	g_free(unfolded);
	return utf8;
}

/* From, Reply-To, To or Cc: one mailbox into *first, or all into out. */
static void parse_addrs(GMimeMessage *message, GMimeAddressType type, const char *hint,
			GPtrArray *out, struct parse_addr *first, gboolean *guessed_r)
{
	static const char *const names[] = {[GMIME_ADDRESS_TYPE_SENDER] = "Sender",
					    [GMIME_ADDRESS_TYPE_FROM] = "From",
					    [GMIME_ADDRESS_TYPE_REPLY_TO] = "Reply-To",
					    [GMIME_ADDRESS_TYPE_TO] = "To",
					    [GMIME_ADDRESS_TYPE_CC] = "Cc",
					    [GMIME_ADDRESS_TYPE_BCC] = "Bcc"};
	char *recoded = recode_raw(GMIME_OBJECT(message), names[type], hint, guessed_r);
	InternetAddressList *list =
	    recoded != NULL ? internet_address_list_parse(parse_options(), recoded) : NULL;
	addr_collect(list != NULL ? list : g_mime_message_get_addresses(message, type), out, first);
	if (first != NULL && first->addr == NULL) {
		/* "=?gb2312?B?...?= user@example.com.tw": GMime found no mailbox in the
		 * bracket-less form; anything else without an address is no address at all */
		char *value = recoded != NULL ? g_strdup(recoded)
					      : parse_header_raw(GMIME_OBJECT(message), names[type]);
		char *addr = NULL;
		if (parse_addr_bare(value, &first->name, &addr) == 1) {
			first->addr = util_addr_normalize(addr);
			g_free(addr);
		} else {
			first->name = g_strdup("");
			first->addr = g_strdup("");
		}
		g_free(value);
	}
	if (list != NULL)
		g_object_unref(list);
	g_free(recoded);
}

/* The Authentication-Results values in header order, at most PARSE_AUTHRES_MAX: the
 * trusted one is the MTA's, which it adds on top; more are only a sender's noise. */
static void parse_authres_values(GMimeObject *obj, GPtrArray *out)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	int n = list != NULL ? g_mime_header_list_get_count(list) : 0;

	for (int i = 0; i < n && out->len < PARSE_AUTHRES_MAX; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
		const char *raw = g_mime_header_get_raw_value(h);
		if (raw == NULL ||
		    g_ascii_strcasecmp(g_mime_header_get_name(h), "Authentication-Results") != 0)
			continue;
		char *unfolded = g_mime_utils_header_unfold(raw);
		g_ptr_array_add(out, parse_utf8_clean(unfolded, TRUE));
		g_free(unfolded);
	}
}

static void parse_headers(GMimeMessage *message, struct parse_msg *msg)
{
	GMimeObject *obj = GMIME_OBJECT(message);
	const char *hint = charset_hint(message);
	gboolean *guessed = &msg->charset_guessed;
	parse_addrs(message, GMIME_ADDRESS_TYPE_FROM, hint, NULL, &msg->from, guessed);
	parse_addrs(message, GMIME_ADDRESS_TYPE_REPLY_TO, hint, NULL, &msg->reply_to, guessed);
	parse_addrs(message, GMIME_ADDRESS_TYPE_TO, hint, msg->to, NULL, guessed);
	parse_addrs(message, GMIME_ADDRESS_TYPE_CC, hint, msg->cc, NULL, guessed);
	char *subject = recode_raw(obj, "Subject", hint, guessed);
	if (subject != NULL) {
		char *decoded = g_mime_utils_header_decode_text(parse_options(), subject);
		msg->subject = parse_utf8_clean(decoded, TRUE);
		g_free(decoded);
		g_free(subject);
	} else {
		msg->subject = parse_utf8_clean(g_mime_message_get_subject(message), TRUE);
	}
	GDateTime *date = g_mime_message_get_date(message);
	msg->date = date != NULL ? g_date_time_to_unix(date) : 0;
	msg->auto_submitted = parse_header_raw(obj, "Auto-Submitted");
	msg->precedence = parse_header_raw(obj, "Precedence");
	msg->list_id = parse_header_raw(obj, "List-Id");
	msg->list_unsubscribe = parse_header_raw(obj, "List-Unsubscribe");
	msg->x_auto_response_suppress = parse_header_raw(obj, "X-Auto-Response-Suppress");
	msg->x_postdesk_loop = parse_header_raw(obj, "X-Postdesk-Loop");
	msg->return_path = parse_header_raw(obj, "Return-Path");
	/* GMime keeps Content-* headers with the message's top MIME part, not the message. */
	msg->content_language = parse_header_raw(obj, "Content-Language");
	if (msg->content_language == NULL && g_mime_message_get_mime_part(message) != NULL)
		msg->content_language =
		    parse_header_raw(g_mime_message_get_mime_part(message), "Content-Language");
	parse_authres_values(obj, msg->authres);
}

/* Bytes to skip at the start: an mbox "From " line is not a header. */
static gsize mbox_line(const struct parse_src *src)
{
	char buf[1024];
	gsize off = 0;
	if (src->raw != NULL) {
		if (src->len <= 5 || memcmp(src->raw, "From ", 5) != 0)
			return 0;
		const char *nl = memchr(src->raw, '\n', src->len);
		return nl != NULL ? (gsize)(nl - src->raw) + 1 : src->len;
	}
	if (src->len <= 5 || spool_read_at(src->fd, 0, buf, 5, NULL) < 0 ||
	    memcmp(buf, "From ", 5) != 0)
		return 0;
	while (off < src->len) {
		gsize n = MIN(sizeof(buf), src->len - off);
		if (spool_read_at(src->fd, off, buf, n, NULL) < 0)
			return src->len;
		const char *nl = memchr(buf, '\n', n);
		if (nl != NULL)
			return off + (gsize)(nl - buf) + 1;
		off += n;
	}
	return src->len;
}

static GMimeMessage *construct(const struct parse_src *src)
{
	gsize skip = mbox_line(src);
	GMimeStream *stream;
	if (skip >= src->len)
		return NULL;
	if (src->raw != NULL) {
		stream = g_mime_stream_mem_new_with_buffer(src->raw + skip, src->len - skip);
	} else {
		/* the file stays the caller's; parts become substreams of it (persistent) */
		(void)lseek(src->fd, (off_t)skip, SEEK_SET);
		stream = g_mime_stream_fs_new_with_bounds(src->fd, (gint64)skip, (gint64)src->len);
		g_mime_stream_fs_set_owner(GMIME_STREAM_FS(stream), FALSE);
	}
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_persist_stream(parser, TRUE);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeMessage *message = g_mime_parser_construct_message(parser, parse_options());
	g_object_unref(parser);
	g_object_unref(stream);
	return message;
}

/* The From fields of the top-level header (GMime keeps every one in the list, in order;
 * those of attached messages are in their own lists). */
static guint parse_count_from(GMimeObject *obj)
{
	GMimeHeaderList *list = g_mime_object_get_header_list(obj);
	int count = g_mime_header_list_get_count(list);
	guint n = 0;

	for (int i = 0; i < count; i++)
		if (g_ascii_strcasecmp(g_mime_header_get_name(g_mime_header_list_get_header_at(list, i)),
				       "From") == 0)
			n++;
	return n;
}

static int parse_message_impl(const struct parse_src *src, gboolean with_data,
			      struct parse_msg **msg_r, char **error_r)
{
	gsize len = src->len;
	parse_init();
	*msg_r = NULL;
	GMimeMessage *message = src->raw != NULL || src->fd >= 0 ? construct(src) : NULL;
	if (message == NULL)
		return util_error(error_r, "not a mail message (%" G_GSIZE_FORMAT " bytes)", len);
	/* hostile-input case empty-header-block: bytes without a single header field (the
	 * message starts with a blank line, or GMime took a bare body for one) are refused
	 * like bytes GMime cannot read, not stored as an anonymous ticket. GMime keeps
	 * Content-* fields on the top part, so both lists are counted. */
	GMimeObject *top = g_mime_message_get_mime_part(message);
	if (g_mime_header_list_get_count(g_mime_object_get_header_list(GMIME_OBJECT(message))) == 0 &&
	    (top == NULL || g_mime_header_list_get_count(g_mime_object_get_header_list(top)) == 0)) {
		g_object_unref(message);
		return util_error(error_r, "no header fields (%" G_GSIZE_FORMAT " bytes)", len);
	}
	/* RFC 5322 3.6 allows exactly one From field: with two, "who sent this" has two
	 * answers, and the one threading picked need not be the one an agent's client shows.
	 * Refused (554 5.6.0 at the edge), never stored under either. */
	guint n_from = parse_count_from(GMIME_OBJECT(message));
	if (n_from > 1) {
		g_object_unref(message);
		return util_error(error_r, "%u From header fields; RFC 5322 allows one", n_from);
	}
	struct parse_msg *msg = g_new0(struct parse_msg, 1);
	msg->to = g_ptr_array_new_with_free_func(addr_free);
	msg->cc = g_ptr_array_new_with_free_func(addr_free);
	msg->references = g_ptr_array_new_with_free_func(g_free);
	msg->authres = g_ptr_array_new_with_free_func(g_free);
	msg->attachments = g_ptr_array_new();
	parse_headers(message, msg);
	parse_ids(message, src, msg);
	parse_mime(message, msg, with_data);
	g_object_unref(message);
	*msg_r = msg;
	return 0;
}

int parse_message(const char *raw, gsize len, struct parse_msg **msg_r, char **error_r)
{
	struct parse_src src = {raw, -1, len};
	return parse_message_impl(&src, FALSE, msg_r, error_r);
}

int parse_message_with_data(const char *raw, gsize len, struct parse_msg **msg_r,
			    char **error_r)
{
	struct parse_src src = {raw, -1, len};
	return parse_message_impl(&src, TRUE, msg_r, error_r);
}

int parse_message_fd(int fd, gsize len, gboolean with_data, struct parse_msg **msg_r,
		     char **error_r)
{
	struct parse_src src = {NULL, fd, len};
	return parse_message_impl(&src, with_data, msg_r, error_r);
}

void parse_msg_free(struct parse_msg **msgp)
{
	struct parse_msg *msg = *msgp;
	if (msg == NULL)
		return;
	*msgp = NULL;
	addr_clear(&msg->from);
	addr_clear(&msg->reply_to);
	g_ptr_array_unref(msg->to);
	g_ptr_array_unref(msg->cc);
	g_ptr_array_unref(msg->references);
	g_ptr_array_unref(msg->authres);
	for (guint i = 0; i < msg->attachments->len; i++) {
		struct parse_attachment *a = g_ptr_array_index(msg->attachments, i);
		g_free(a->filename);
		g_free(a->content_type);
		if (a->data != NULL)
			g_bytes_unref(a->data);
		g_free(a);
	}
	g_ptr_array_unref(msg->attachments);
	g_free(msg->subject);
	g_free(msg->message_id);
	g_free(msg->in_reply_to);
	g_free(msg->thread_conv);
	g_free(msg->body);
	g_free(msg->body_html);
	g_free(msg->auto_submitted);
	g_free(msg->precedence);
	g_free(msg->list_id);
	g_free(msg->list_unsubscribe);
	g_free(msg->x_auto_response_suppress);
	g_free(msg->x_postdesk_loop);
	g_free(msg->return_path);
	g_free(msg->content_language);
	g_free(msg->dsn_action);
	g_free(msg->dsn_status);
	g_free(msg->dsn_recipient);
	g_free(msg->dsn_diagnostic);
	g_free(msg);
}
