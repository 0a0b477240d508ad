/* stored: the form in which a message's raw bytes go into the store — compressed by
 * lib/zip.c (unless its bulk is packed attachments: stored_worth_compressing), here, in
 * the thread that parsed the message (an LMTP session's), so the one writer thread only
 * copies the smaller bytes into the row. A message in memory is
 * compressed into memory; a spooled one is streamed from its spool file into a new spool
 * (memory up to the spool threshold, then a nameless file in the same spool directory),
 * so a 24 MB message is never whole in memory. Leaf of the module: calls lib/ only.
 * Owns nothing beyond what it puts into the deliver_msg. Threading: the caller's. */
#include "config.h"
#include "postdesk/deliver.h"
#include "deliver-private.h"
#include "postdesk/parse.h"

/* Bytes of a compressed spooled message kept in memory before a file is made. */
#define STORED_MEM_MAX (1024 * 1024)
/* Read size of the spool file. */
#define STORED_CHUNK 65536

#include <errno.h>
#include <string.h>
#include <unistd.h>

struct stored_sink {
	struct spool *sp;
};

static void stored_spool_chunk(const void *data, gsize len, void *ctx)
{
	struct stored_sink *s = ctx;

	(void)spool_write(s->sp, data, len); /* a failure stays in spool_error() */
}

/* The spool file d->raw_fd through the compressor into a spool of its own. */
static int stored_from_fd(struct deliver_msg *d, char **error_r)
{
	struct stored_sink s = {spool_new(d->spool_dir, STORED_MEM_MAX)};
	struct zip_stream *z = zip_stream_new(TRUE, stored_spool_chunk, &s);
	char *buf = g_malloc(STORED_CHUNK);
	const char *spool_err;
	gsize off;
	int ret = 0;

	for (off = 0; off < d->raw_len && ret == 0; off += STORED_CHUNK) {
		gsize n = MIN((gsize)STORED_CHUNK, d->raw_len - off);

		if (spool_read_at(d->raw_fd, off, buf, n, error_r) < 0 ||
		    zip_stream_write(z, buf, n, error_r) < 0)
			ret = -1;
	}
	if (ret == 0)
		ret = zip_stream_finish(z, error_r);
	zip_stream_free(&z);
	g_free(buf);
	if (ret == 0 && (spool_err = spool_error(s.sp, NULL)) != NULL)
		ret = util_error(error_r, "spooling the compressed message: %s", spool_err);
	if (ret == 0) {
		d->stored_len = spool_len(s.sp);
		if (spool_fd(s.sp) >= 0) {
			d->stored_fd = spool_steal_fd(s.sp);
		} else {
			gsize len = spool_len(s.sp);
			d->stored = g_bytes_new_take(spool_steal_data(s.sp), len);
		}
	}
	spool_free(&s.sp);
	return ret;
}

/* A line where the quote cutter could cut: quoted ("> "), a separator or rule ("--",
 * "__", "**", "==": signatures, "-----Original Message-----", Outlook's rule). */
static gboolean stored_cut_line(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '>')
		return TRUE;
	return (line[0] == '-' || line[0] == '_' || line[0] == '*' || line[0] == '=') &&
	       line[1] == line[0];
}

/* Could the text hold quoted history? Replies and forwards say so in their headers (In-
 * Reply-To, References, Thread-Index, a Re:/Fwd:/AW:... prefix), pasted mail in its lines.
 * A message with none of them is all new text: the cutter (~14 us a line) is skipped. */
static gboolean stored_may_quote(const struct parse_msg *msg, const char *text)
{
	char *base;
	gboolean prefixed;

	if (msg->in_reply_to != NULL || (msg->references != NULL && msg->references->len > 0) ||
	    msg->thread_conv != NULL || msg->body_from_html)
		return TRUE;
	base = parse_subject_base(msg->subject != NULL ? msg->subject : "");
	prefixed = strlen(base) + 2 < strlen(msg->subject != NULL ? msg->subject : "");
	g_free(base);
	if (prefixed)
		return TRUE;
	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');

		if (stored_cut_line(p))
			return TRUE;
		p = nl != NULL ? nl + 1 : NULL;
	}
	return FALSE;
}

/* The text kept in messages.body of customer mail: its new text as the agent notice shows
 * it (parse_reply_view: quoted history cut, signature kept), at most DELIVER_TEXT_MAX bytes
 * cut at a character boundary. The whole text stays derivable from raw (show --full). */
static char *stored_text(const struct parse_msg *msg)
{
	const char *body = msg->body != NULL ? msg->body : "", *html = msg->body_html;
	char *head = NULL, *text;
	gsize len = strlen(body);
	guint hidden;

	/* The quote cutter costs ~7 us a line (a 50 KB text: 4.5 ms of a session thread's
	 * time). Only the first DELIVER_TEXT_SCAN bytes (whole lines) are cut: new text is
	 * written above what it quotes, and at most DELIVER_TEXT_MAX bytes of it are kept
	 * anyway. A longer HTML part is left out (the text part is cut instead). */
	if (len > DELIVER_TEXT_SCAN) {
		const char *nl = g_strrstr_len(body, DELIVER_TEXT_SCAN, "\n");
		gsize n = nl != NULL ? (gsize)(nl - body) + 1 : DELIVER_TEXT_SCAN;

		while (n > 0 && ((guchar)body[n] & 0xC0) == 0x80)
			n--; /* no line end: back to a character boundary */
		head = g_strndup(body, n);
		body = head;
	}
	if (html != NULL && strlen(html) > DELIVER_HTML_SCAN)
		html = NULL;
	text = stored_may_quote(msg, body) ? parse_reply_view(body, html, &hidden) : g_strdup(body);
	g_free(head);
	len = strlen(text);

	if (len > DELIVER_TEXT_MAX) {
		char *p = text + DELIVER_TEXT_MAX;

		while (p > text && ((guchar)*p & 0xC0) == 0x80)
			p--; /* back to the first byte of a UTF-8 sequence */
		*p = '\0';
	}
	return text;
}

/* The language of mail that may open a ticket (no In-Reply-To, References or Outlook
 * conversation: a reply's ticket has its language already), from its subject and new text,
 * here in the session thread: the detector compares the text with every fingerprint
 * libexttextcat has (a third of lmtpd's CPU when the single writer ran it). */
static void stored_detect_lang(struct parse_msg *msg, const char *text)
{
	char *sample, *error = NULL;

	if (msg->in_reply_to != NULL || (msg->references != NULL && msg->references->len > 0) ||
	    msg->thread_conv != NULL)
		return;
	sample = g_strconcat(msg->subject != NULL ? msg->subject : "", "\n", text, NULL);
	if (parse_lang_detect(sample, &msg->detected_lang, &error) < 0) {
		log_warn("%s", error);
		g_free(error);
	}
	msg->lang_detected = TRUE;
	g_free(sample);
}

/* Content types whose bytes are compressed already (photos, PDFs, archives, office files,
 * which are zip files, audio and video): zlib finds nothing in them, and their base64 form
 * shrinks only by the alphabet's quarter. An entry ending in '/' or '.' is a prefix. */
static const char *const stored_packed_types[] = {
    "image/jpeg", "image/pjpeg", "image/png", "image/gif", "image/webp", "image/heic",
    "image/heif", "image/avif", "application/pdf", "application/zip",
    "application/x-zip-compressed", "application/gzip", "application/x-gzip",
    "application/x-7z-compressed", "application/x-rar-compressed", "application/vnd.rar",
    "application/x-bzip2", "application/x-xz", "application/zstd", "application/epub+zip",
    "application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument.",
    "application/vnd.ms-excel.sheet.macroenabled.12", "audio/mpeg", "audio/mp4", "audio/aac",
    "audio/ogg", "audio/opus", "audio/webm", "video/", "font/woff"};

static gboolean stored_type_packed(const char *type)
{
	for (gsize i = 0; i < G_N_ELEMENTS(stored_packed_types); i++) {
		const char *t = stored_packed_types[i];
		gsize n = strlen(t);

		if (t[n - 1] == '/' || t[n - 1] == '.' ? g_str_has_prefix(type, t)
						       : g_ascii_strcasecmp(type, t) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Is a message worth compressing? Not when at least half of its bytes are the base64 of
 * packed attachments: zlib would save little more than base64's quarter of those and the
 * text's share of the rest, and compressing a 50 KB message with a photo was 40 % of
 * lmtpd's CPU (doc/benchmarks.md). Plain bytes are read as they are (lib/zip.c), unless
 * they begin with the marker itself, which only a compressed value may. */
static gboolean stored_worth_compressing(const struct deliver_msg *d, const void *head)
{
	guint64 packed = 0;

	if (head != NULL && zip_marked(head, MIN(d->raw_len, (gsize)ZIP_MAGIC_LEN)))
		return TRUE;
	for (guint i = 0; d->msg->attachments != NULL && i < d->msg->attachments->len; i++) {
		const struct parse_attachment *a = g_ptr_array_index(d->msg->attachments, i);

		if (a->content_type != NULL && stored_type_packed(a->content_type))
			packed += a->size;
	}
	return packed / 3 * 4 < d->raw_len / 2;
}

int deliver_stored_make(struct deliver_msg *d, char **error_r)
{
	d->stored_text = stored_text(d->msg);
	if (d->acks_held)
		d->msg->lang_detected = TRUE; /* no answer yet: notifyd's (survey/acks.c) */
	else
		stored_detect_lang(d->msg, d->stored_text);
	if (d->raw_fd < 0 && !stored_worth_compressing(d, d->raw)) {
		d->stored = g_bytes_new(d->raw, d->raw_len);
		d->stored_len = d->raw_len;
		return 0;
	}
	if (d->raw_fd >= 0) {
		guint8 head[ZIP_MAGIC_LEN];

		if (spool_read_at(d->raw_fd, 0, head, MIN(d->raw_len, sizeof(head)), error_r) < 0)
			return -1;
		if (!stored_worth_compressing(d, head)) {
			/* the same spool file, read through its own descriptor (pread: no shared
			 * offset to disturb) */
			d->stored_fd = dup(d->raw_fd);
			if (d->stored_fd < 0)
				return util_error(error_r, "dup of the spool file: %s", g_strerror(errno));
			d->stored_len = d->raw_len;
			return 0;
		}
	}
	if (d->raw_fd < 0) {
		d->stored = zip_compress(d->raw, d->raw_len);
		d->stored_len = g_bytes_get_size(d->stored);
		return 0;
	}
	return stored_from_fd(d, error_r);
}
