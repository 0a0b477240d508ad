/* parse: raw RFC 5322 message -> struct parse_msg, and struct parse_out -> outbound RFC 5322
 * bytes (build.c): the only user of GMime (and of libxml2, for HTML). Everything in struct parse_msg is UTF-8 and owned by the struct.
 * Thread-safe after parse_init() (GMime's parser is per call). */
#ifndef POSTDESK_PARSE_H
#define POSTDESK_PARSE_H

#include <glib.h>

struct parse_addr {
	char *name; /* display name, decoded; "" if none */
	char *addr; /* addr-spec, lower-case; never NULL */
};

struct parse_attachment {
	char *filename;     /* decoded (RFC 2047/2231); "" if none */
	char *content_type; /* "application/pdf", lower-case */
	gsize size;         /* decoded size in bytes */
	GBytes *data;       /* decoded bytes; NULL unless parse_message_with_data() */
};

struct parse_msg {
	struct parse_addr from;   /* from.addr "" if the message has no usable From */
	struct parse_addr reply_to; /* addr "" if none */
	GPtrArray *to;            /* struct parse_addr * */
	GPtrArray *cc;            /* struct parse_addr * */
	char *subject;            /* decoded, "" if none; CR/LF/TAB folded to spaces */
	gint64 date;              /* Date: as unix time; 0 if missing or unparsable */
	char *message_id;         /* without <>; made up if missing (see message_id_made_up) */
	gboolean message_id_made_up; /* made up as "<sha256-of-raw>@postdesk.invalid": stable */
	char *in_reply_to;        /* first msg-id of In-Reply-To without <>, or NULL */
	GPtrArray *references;    /* char *, msg-ids without <>, in header order (oldest first) */
	char *thread_conv;        /* Outlook's conversation: base64 of the first 22 bytes of a
				   * well-formed Thread-Index (a date and a GUID, the same in
				   * every mail of one conversation), or NULL */
	char *body;               /* text body, UTF-8; "" if none; at most about PARSE_MAX_BODY */
	gboolean body_truncated;  /* the text (or HTML) part was longer and was cut (at
				   * PARSE_MAX_BODY, PARSE_MAX_HTML) */
	char *body_html;          /* the HTML body as UTF-8 if there was one, else NULL */
	gboolean body_from_html;  /* body was made from HTML (no text/plain part) */
	gboolean charset_guessed; /* a charset was missing, unknown or wrong and was guessed */
	GPtrArray *attachments;   /* struct parse_attachment * */
	/* loop and auto-reply signals (RFC 3834), raw header values or NULL */
	char *auto_submitted;
	char *precedence;
	char *list_id;
	char *list_unsubscribe;
	char *x_auto_response_suppress;
	char *x_postdesk_loop;    /* our own loop header, if present */
	char *return_path;        /* Return-Path as written (raw), NULL if none: the envelope
				   * sender of mail fetched from a mailbox (fetch/) */
	char *content_language;   /* Content-Language value (RFC 3282) or NULL */
	/* The detector's answer (parse_lang_detect), worked out by the caller in the session
	 * thread for mail that may open a ticket, so the single writer does not: detected_lang
	 * a static LANG_CODES code or NULL (no confident answer), valid when lang_detected. */
	gboolean lang_detected;
	const char *detected_lang;
	GPtrArray *authres;	  /* char *: Authentication-Results values, in header order,
				   * the first PARSE_AUTHRES_MAX (parse_authres_parse reads them) */
	/* delivery status notification (RFC 3464): multipart/report; report-type=delivery-status */
	gboolean is_dsn;
	char *dsn_action;         /* "failed", "delayed", ... of the first recipient, or NULL */
	char *dsn_status;         /* "5.1.1" ... or NULL */
	char *dsn_recipient;      /* Final-Recipient address, or NULL */
	char *dsn_diagnostic;     /* Diagnostic-Code text, or NULL */
};

/* The most of a text or HTML body part that is decoded (256 KiB, some 100 pages): what is longer is cut and
 * body_truncated set, so a huge text part never costs more memory than this; the raw
 * message keeps every byte. */
#define PARSE_MAX_BODY (256 * 1024)
/* The same for an HTML part (1 MiB: markup is bulky; its text is a fraction of it). */
#define PARSE_MAX_HTML (1024 * 1024)

/* Which shipped language (LANG_CODES) text is written in (lang.c, libexttextcat): 1 with
 * the static code in *lang_r when the detector is confident, 0 (*lang_r NULL) when it is
 * not (too short, mixed, or another language), -1 when its fingerprints cannot be loaded
 * ($POSTDESK_TEXTCAT_DIR, else the library's data directory). Reads at most the first
 * 2 KiB. Thread-safe. */
int parse_lang_detect(const char *text, const char **lang_r, char **error_r);

/* Initialise GMime once per process (idempotent, thread-safe). */
void parse_init(void);

/* Parse a raw message. Never fails on malformed input that GMime can read at all: broken
 * parts become what can be recovered, bad charsets are guessed (charset_guessed). Fails (-1)
 * only when no message can be made of the bytes at all. *msg_r owned by the caller. */
int parse_message(const char *raw, gsize len, struct parse_msg **msg_r, char **error_r);
void parse_msg_free(struct parse_msg **msg);
/* parse_message() that also keeps every listed attachment's decoded bytes, for mail that
 * postdesk forwards with its attachments (agent notices, agent replies). */
int parse_message_with_data(const char *raw, gsize len, struct parse_msg **msg_r,
			    char **error_r);

/* parse_message() (with_data FALSE) or parse_message_with_data() for a message in a file:
 * the len bytes at the start of fd (a spool file). Parsed through the file: part contents
 * stay there (GMime's persistent stream) and are decoded only as far as needed, so memory
 * does not grow with the message. fd stays the caller's; its file offset is moved. */
int parse_message_fd(int fd, gsize len, gboolean with_data, struct parse_msg **msg_r,
		     char **error_r);

/* SHA-256 (hex, g_malloc'ed) of the message without its trace header fields (Received,
 * Return-Path, Delivered-To, Authentication-Results, ...): equal for two deliveries of the
 * same message, different for different messages that share a Message-ID. */
char *parse_content_digest(const char *raw, gsize len);
/* The same digest fed in pieces of any size (a file read in chunks). finish returns the
 * hex digest (g_malloc'ed) and frees the state. */
struct parse_digest;
struct parse_digest *parse_digest_new(void);
void parse_digest_update(struct parse_digest *dg, const char *data, gsize len);
char *parse_digest_finish(struct parse_digest **dg);

/* Readable plain text from HTML (libxml2's HTML parser): block elements become line
 * breaks, links keep their target, script/style dropped. g_malloc'ed UTF-8. */
char *parse_html_to_text(const char *html, gsize len);

/* Subject without reply/forward prefixes in any common language (Re:, AW:, SV:, VS:, WG:,
 * Fwd:, RE:, 回复:, 答复:, Re[2]: ...) and without a leading ticket tag; g_malloc'ed. */
char *parse_subject_base(const char *subject);
/* Ticket number from a "[#N]" tag anywhere in the subject: 1 found (*id_r set), 0 none. */
int parse_subject_tag(const char *subject, gint64 *id_r);

/* The new text of a reply: quoted text, attribution lines ("On ... wrote:" in en, de, fr,
 * es, nl, pt), Outlook "-----Original Message-----" and "From: ... Sent: ..." blocks, '>'
 * quotes, "-- " signatures and the reply-above marker cut off. If html is given, Gmail,
 * Apple Mail and Thunderbird quote containers are removed from it first and the text is
 * made from what remains. marker may be NULL. g_malloc'ed. */
char *parse_reply_text(const char *text, const char *html, const char *marker);

/* What an agent reads of a customer's message (reply_view.c): parse_reply_text() of it,
 * and in *hidden_r how many non-blank lines of text that left out (the quoted part, the
 * signature), 0 if none. A message with no new text of its own (a bare forward) is given
 * whole, with *hidden_r 0. g_malloc'ed. */
char *parse_reply_view(const char *text, const char *html, guint *hidden_r);

/* ==== a customer asking for their ticket's state (status.c) ==== */
/* TRUE if text (the new text of a mail) is only a status request: its first non-blank line
 * is a word of status_words.def ("status", "Statut", "estado"...: case and punctuation
 * ignored), followed by at most a short sign-off ("Thanks,", a name). */
gboolean parse_status_words(const char *text);
/* The same for a message: its reply text (quotes and signature cut), and no attachment. */
gboolean parse_status_request(const struct parse_msg *msg);

/* ==== a customer saying the suggested articles answered them (solved.c) ==== */
/* TRUE if text (the new text of a mail) only says so: its first non-blank line is a word
 * of solved_words.def ("solved", "erledigt", "résolu"...: case and punctuation ignored),
 * followed by at most a short sign-off. */
gboolean parse_solved_words(const char *text);
/* The same for a message: its reply text (quotes and signature cut), and no attachment. */
gboolean parse_solved_request(const struct parse_msg *msg);

/* ==== stems and stop words for the knowledge base (stem.c, libstemmer) ==== */
struct parse_stemmer; /* one thread at a time */
/* A stemmer for an ISO 639-1 language ("en", "de"...); one libstemmer does not know keeps
 * words as they are. Owned by the caller. */
struct parse_stemmer *parse_stemmer_new(const char *lang);
void parse_stemmer_free(struct parse_stemmer **s);
const char *parse_stemmer_lang(const struct parse_stemmer *s);
/* The stem of word (len bytes of lower-case UTF-8): *stem_r is borrowed from s until its
 * next call. -1 only when libstemmer runs out of memory. */
int parse_stem(struct parse_stemmer *s, const char *word, int len, const char **stem_r,
	       int *len_r);
/* TRUE if word (len bytes, lower-case) is a stop word of lang (stop_words.def), or empty. */
gboolean parse_stop_word(const char *lang, const char *word, int len);

/* ==== automatic mail (automatic.c) ==== */
/* Was the message sent by a machine
 * (Auto-Submitted, Precedence, List-*, a DSN, our loop header)? X-Auto-Response-Suppress
 * is not such a sign (people's mail carries it too): compose_autoreply_block() honours it.
 * NULL if not, else the reason. */
const char *parse_msg_automatic(const struct parse_msg *msg);

/* ==== Authentication-Results (RFC 8601; authres.c, no state) ==== */
#define PARSE_AUTHRES_MAX 16
/* The results that matter to the agent-mail check, OR-ed over a message's trusted headers. */
enum parse_authres_flag {
	PARSE_AUTHRES_DKIM_PASS = 1 << 0,
	PARSE_AUTHRES_DKIM_FAIL = 1 << 1,
	PARSE_AUTHRES_SPF_PASS = 1 << 2,
	PARSE_AUTHRES_SPF_FAIL = 1 << 3,
	PARSE_AUTHRES_DMARC_FAIL = 1 << 4,
	/* dmarc=pass with header.from exactly sender_domain (case ignored); without
	 * header.from a pass says nothing about whose From it checked */
	PARSE_AUTHRES_DMARC_PASS = 1 << 5,
};
/* Read one Authentication-Results header value (any input: it never reads past the NUL).
 * It is ours when it starts with authserv_id as our MTA writes it (a plain token, ASCII
 * case ignored, no comment or quotes before it); else 0 and the rest is not read. Results
 * count only when they are about sender_domain (the envelope sender's): DKIM by an
 * aligned header.d (or header.i), SPF of an aligned smtp.mailfrom (or none given); a
 * dmarc=fail always. 1: ours and well formed, its results OR-ed into *results_r. -1: ours
 * but malformed, *error_r set, the results of the resinfos before the fault OR-ed in. */
int parse_authres_parse(const char *value, const char *authserv_id, const char *sender_domain,
			guint *results_r, char **error_r);
/* The refusal rule: dmarc=fail, or dkim=fail / spf=fail with no dkim=pass or spf=pass (all
 * about the sender's domain: parse_authres_parse filtered them).
 * Returns what failed ("dmarc=fail", "dkim=fail", "spf=fail", "dkim=fail, spf=fail"; a
 * static string) or NULL when the results do not refuse. */
const char *parse_authres_failure(guint results);

/* ==== building outbound mail (build.c) ====
 * struct parse_out only borrows: every pointer stays owned by the caller, and
 * parse_build() copies what it needs. All strings are UTF-8. Every value that lands in a
 * header is checked for CR/LF first (no header injection); addresses must contain '@' and
 * no whitespace, angle brackets or control characters. */
struct parse_out_addr {
	const char *name; /* display name or NULL/"" (RFC 2047-encoded by GMime if needed) */
	const char *addr; /* addr-spec, never NULL */
};

struct parse_out_header {
	const char *name;  /* e.g. "List-Unsubscribe", "X-Postdesk-Ticket" */
	const char *value; /* unfolded value: ASCII is written as is (folded at spaces only),
			    * non-ASCII RFC 2047-encoded by GMime */
};

struct parse_out_attachment {
	const char *filename;	  /* may be non-ASCII (RFC 2231-encoded by GMime); sent as
				   * parse_safe_filename() of it */
	const char *content_type; /* "type/subtype"; NULL means application/octet-stream */
	GBytes *data;		  /* borrowed; sent base64-encoded */
};

struct parse_out {
	const char *from_name; /* may be NULL */
	const char *from_addr; /* required */
	const struct parse_out_addr *to;
	guint n_to; /* at least one To or Cc is required */
	const struct parse_out_addr *cc;
	guint n_cc;
	const struct parse_out_addr *reply_to; /* NULL for none */
	const char *subject;		    /* required (may be "") */
	const char *body;		    /* required, UTF-8 text, LF or CRLF line ends */
	const char *message_id;		    /* required, without <> */
	const char *in_reply_to;	    /* without <>, or NULL */
	const char *const *references;	    /* without <>, oldest first */
	guint n_references;
	const char *auto_submitted;	     /* "auto-replied", "auto-generated" or NULL for none */
	const struct parse_out_header *headers; /* extra headers, in this order */
	guint n_headers;
	const struct parse_out_attachment *attachments; /* any: multipart/mixed */
	guint n_attachments;
	gint64 date; /* Date: header, seconds since the epoch; 0 means clock_now() */
};

/* 1 if parse_build() accepts addr as an address: local@domain without whitespace, control
 * characters, quotes, angle brackets or commas (a customer's exotic address is skipped, not
 * a reason to fail a whole mail). */
gboolean parse_addr_usable(const char *addr);

/* Build the message: text/plain; charset=utf-8 (quoted-printable or base64 as GMime finds
 * best; 7bit if plain ASCII), multipart/mixed with the attachments if any, MIME-Version,
 * CRLF line ends throughout (ready for SMTP DATA). Fails (-1, error naming the header) on
 * a value with CR/LF, a bad address or a missing required field. *raw_r is g_malloc'ed,
 * NUL-terminated, *len_r bytes without the NUL. */
int parse_build(const struct parse_out *m, char **raw_r, gsize *len_r, char **error_r);
/* Longest file name (bytes of UTF-8) parse_safe_filename() returns. */
#define PARSE_FILENAME_MAX 200
/* A file name from a stranger reduced to a safe base name for the MIME we send: the last
 * path component ("../../etc/passwd" -> "passwd"), without control characters, bidi
 * overrides, Windows-reserved characters, leading dots or trailing dots and spaces, at most
 * PARSE_FILENAME_MAX bytes; letters of any script stay. "attachment" when nothing is left.
 * g_malloc'ed. */
char *parse_safe_filename(const char *name);

#endif
