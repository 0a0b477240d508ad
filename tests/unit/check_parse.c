/* check_parse: unit tests of the parse module (headers, charsets, bodies, attachments,
 * DSN, subjects, robustness, work bounds) on crafted messages in tests/data/parse and real ones
 * in tests/data/corpus. Single-threaded except the concurrency case. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "postdesk/lib.h"
#include "postdesk/parse.h"

#include "parse-private.h"

#define DATA TESTS_SRCDIR "/data/"

static char *read_data(const char *rel, gsize *len_r)
{
	char *path = g_strconcat(DATA, rel, NULL);
	char *data = NULL, *error = NULL;
	if (util_read_file(path, &data, len_r, &error) < 0)
		ck_abort_msg("%s: %s", path, error);
	g_free(path);
	return data;
}

static gboolean utf8(const char *s)
{
	return s == NULL || g_utf8_validate(s, -1, NULL);
}

/* Every string of msg is valid UTF-8 and the never-NULL ones are set. */
static void assert_clean(const struct parse_msg *m, const char *what)
{
	ck_assert_msg(m->from.name != NULL && m->from.addr != NULL && m->reply_to.addr != NULL,
		      "%s: NULL address", what);
	ck_assert_msg(m->subject != NULL && m->body != NULL && m->message_id != NULL,
		      "%s: NULL field", what);
	gboolean ok = utf8(m->from.name) && utf8(m->from.addr) && utf8(m->reply_to.name) &&
		      utf8(m->reply_to.addr) && utf8(m->subject) && utf8(m->message_id) &&
		      utf8(m->in_reply_to) && utf8(m->body) && utf8(m->body_html) &&
		      utf8(m->auto_submitted) && utf8(m->precedence) && utf8(m->list_id) &&
		      utf8(m->list_unsubscribe) && utf8(m->x_auto_response_suppress) &&
		      utf8(m->x_postdesk_loop) && utf8(m->dsn_action) && utf8(m->dsn_status) &&
		      utf8(m->dsn_recipient) && utf8(m->dsn_diagnostic);
	GPtrArray *lists[] = {m->to, m->cc};
	for (int l = 0; l < 2; l++)
		for (guint i = 0; i < lists[l]->len; i++) {
			struct parse_addr *a = g_ptr_array_index(lists[l], i);
			ok = ok && utf8(a->name) && utf8(a->addr) && a->addr != NULL;
		}
	for (guint i = 0; i < m->references->len; i++)
		ok = ok && utf8(g_ptr_array_index(m->references, i));
	for (guint i = 0; i < m->attachments->len; i++) {
		struct parse_attachment *a = g_ptr_array_index(m->attachments, i);
		ok = ok && utf8(a->filename) && utf8(a->content_type) && a->filename != NULL;
	}
	ck_assert_msg(ok, "%s: invalid UTF-8 in a field", what);
	ck_assert_msg(strchr(m->subject, '\n') == NULL && strchr(m->subject, '\r') == NULL,
		      "%s: subject not one line", what);
}

static struct parse_msg *parse_buf(const char *raw, gsize len)
{
	struct parse_msg *m = NULL;
	char *error = NULL;
	int ret = parse_message(raw, len, &m, &error);
	ck_assert_msg(ret == 0, "parse failed: %s", error);
	assert_clean(m, "message");
	return m;
}

static struct parse_msg *parse_file(const char *rel)
{
	gsize len;
	char *raw = read_data(rel, &len);
	struct parse_msg *m = parse_buf(raw, len);
	g_free(raw);
	return m;
}

static const char *addr_at(GPtrArray *list, guint i)
{
	return ((struct parse_addr *)g_ptr_array_index(list, i))->addr;
}

static struct parse_attachment *att_at(struct parse_msg *m, guint i)
{
	return g_ptr_array_index(m->attachments, i);
}

START_TEST(test_headers)
{
	struct parse_msg *m = parse_file("parse/headers.eml");
	ck_assert_str_eq(m->from.name, "Renée Müller");
	ck_assert_str_eq(m->from.addr, "renee.mueller@example.com");
	ck_assert_str_eq(m->reply_to.name, "Support Desk");
	ck_assert_str_eq(m->reply_to.addr, "desk@example.org");
	ck_assert_uint_eq(m->to->len, 4);
	ck_assert_str_eq(addr_at(m->to, 0), "alice@example.com");
	ck_assert_str_eq(((struct parse_addr *)g_ptr_array_index(m->to, 0))->name, "Alice");
	ck_assert_str_eq(addr_at(m->to, 1), "bob@example.com");
	ck_assert_str_eq(addr_at(m->to, 2), "carol@example.com"); /* group flattened */
	ck_assert_str_eq(addr_at(m->to, 3), "dave@example.com");
	ck_assert_uint_eq(m->cc->len, 1);
	ck_assert_str_eq(((struct parse_addr *)g_ptr_array_index(m->cc, 0))->name, "José");
	ck_assert_str_eq(m->subject, "Café order amélioré [#42]");
	GDateTime *dt = g_date_time_new_utc(2026, 3, 3, 9, 20, 30);
	ck_assert_int_eq(m->date, g_date_time_to_unix(dt));
	g_date_time_unref(dt);
	ck_assert_str_eq(m->message_id, "abc.123@mail.example.com");
	ck_assert(!m->message_id_made_up);
	ck_assert_str_eq(m->in_reply_to, "prev.2@example.com");
	ck_assert_uint_eq(m->references->len, 3);
	ck_assert_str_eq(g_ptr_array_index(m->references, 0), "root.1@example.com");
	ck_assert_str_eq(g_ptr_array_index(m->references, 1), "mid.1@example.com");
	ck_assert_str_eq(g_ptr_array_index(m->references, 2), "prev.2@example.com");
	ck_assert_str_eq(m->auto_submitted, "auto-replied");
	ck_assert_str_eq(m->precedence, "bulk");
	ck_assert_str_eq(m->list_id, "Support list <support.example.com>");
	ck_assert_str_eq(m->list_unsubscribe, "<mailto:leave@example.com>");
	ck_assert_str_eq(m->x_auto_response_suppress, "All");
	ck_assert_str_eq(m->x_postdesk_loop, "desk.example.org");
	ck_assert_str_eq(m->body, "Hello.\n");
	ck_assert_ptr_null(m->body_html);
	ck_assert(!m->is_dsn && !m->charset_guessed);
	ck_assert_uint_eq(m->attachments->len, 0);
	parse_msg_free(&m);
	ck_assert_ptr_null(m);
	parse_msg_free(&m); /* NULL is fine */
}
END_TEST

START_TEST(test_broken_encoded_words)
{
	struct parse_msg *m = parse_file("parse/broken-2047.eml");
	ck_assert_str_eq(m->subject, "Hello World and café");
	ck_assert_str_eq(m->from.name, "José García"); /* raw latin-1 header bytes */
	ck_assert_ptr_null(m->auto_submitted);
	ck_assert_ptr_null(m->in_reply_to);
	ck_assert_uint_eq(m->references->len, 0);
	parse_msg_free(&m);
}
END_TEST

START_TEST(test_iso2022jp)
{
	struct parse_msg *m = parse_file("parse/iso-2022-jp.eml");
	ck_assert_str_eq(m->subject, "日本語の件名");
	ck_assert_str_eq(m->body, "こんにちは、世界。\n");
	ck_assert(!m->charset_guessed);
	parse_msg_free(&m);
}
END_TEST

START_TEST(test_gb18030)
{
	struct parse_msg *m = parse_file("parse/gb18030.eml");
	ck_assert_str_eq(m->body, "请帮我查一下订单。€\n");
	parse_msg_free(&m);
}
END_TEST

START_TEST(test_cp1252_labelled_latin1)
{
	struct parse_msg *m = parse_file("parse/cp1252-as-latin1.eml");
	ck_assert_str_eq(m->body, "“Smart” quotes cost €50 à la carte.\n");
	parse_msg_free(&m);
}
END_TEST

START_TEST(test_no_charset_utf8)
{
	struct parse_msg *m = parse_file("parse/nocharset-utf8.eml");
	ck_assert_str_eq(m->body, "Grüße aus Köln — 東京\n");
	ck_assert(m->charset_guessed);
	parse_msg_free(&m);
}
END_TEST

START_TEST(test_utf8_really_latin1)
{
	struct parse_msg *m = parse_file("parse/utf8-really-latin1.eml");
	ck_assert_str_eq(m->body, "Un café crème, s'il vous plaît.\n");
	ck_assert(m->charset_guessed);
	parse_msg_free(&m);
}
END_TEST

START_TEST(test_html_only)
{
	struct parse_msg *m = parse_file("parse/html-only.eml");
	ck_assert(m->body_from_html);
	ck_assert_ptr_nonnull(strstr(m->body_html, "<h1>Order   status</h1>"));
	ck_assert_str_eq(m->body,
			 "Order status\n\n"
			 "Dear customer,\n"
			 "your order & invoice are ready.\n\n"
			 "See your order <https://example.com/o/1> or https://example.com/.\n\n"
			 "One élément\nTwo\n\n"
			 "A B");
	parse_msg_free(&m);
}
END_TEST

/* An attachment's size without its bytes (counted from the base64 text) is the size of
 * its decoded bytes: every padding, line breaks of either kind, stray characters. */
START_TEST(test_attachment_size_counted)
{
	static const char *const breaks[] = {"\n", "\r\n", " \n"};

	for (gsize len = 0; len < 200; len += (len < 8 ? 1 : 37)) {
		for (guint b = 0; b < G_N_ELEMENTS(breaks); b++) {
			guchar *bytes = g_malloc(len + 1);
			GString *enc = g_string_new(""), *raw;
			struct parse_msg *sized = NULL, *whole = NULL;
			char *b64;

			for (gsize i = 0; i < len; i++)
				bytes[i] = (guchar)(i * 37 + len);
			b64 = g_base64_encode(bytes, len);
			for (gsize i = 0; i < strlen(b64); i += 20) /* short lines */
				g_string_append_printf(enc, "%.20s%s", b64 + i, breaks[b]);
			raw = g_string_new("From: a@example.com\nSubject: s\nMIME-Version: 1.0\n"
					   "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n"
					   "Content-Type: text/plain\n\nbody\n--XX\n"
					   "Content-Type: image/jpeg; name=p.jpg\n"
					   "Content-Transfer-Encoding: base64\n\n");
			g_string_append_printf(raw, "%s--XX--\n", enc->str);
			ck_assert_int_eq(parse_message(raw->str, raw->len, &sized, NULL), 0);
			ck_assert_int_eq(parse_message_with_data(raw->str, raw->len, &whole, NULL), 0);
			ck_assert_uint_eq(sized->attachments->len, 1);
			ck_assert_uint_eq(whole->attachments->len, 1);
			ck_assert_msg(att_at(sized, 0)->size == len && att_at(whole, 0)->size == len,
				      "%zu bytes, break %u: counted %zu, decoded %zu", len, b,
				      (gsize)att_at(sized, 0)->size, (gsize)att_at(whole, 0)->size);
			parse_msg_free(&sized);
			parse_msg_free(&whole);
			g_string_free(raw, TRUE);
			g_string_free(enc, TRUE);
			g_free(b64);
			g_free(bytes);
		}
	}
	/* Malformed text: counted as GMime's decoder decodes it (stray '=' and junk). */
	static const char *const bodies[] = {"QUJD\n=V\n", "QQ==QQ==\n", "QUJD!*\nRA\n", "=\n", "\n",
					     "QUJDRA=\n", "QUJDR\n", "QU=JD\n", "QUJDRA==QUJD\n"};
	for (guint i = 0; i < G_N_ELEMENTS(bodies); i++) {
		struct parse_msg *sized = NULL, *whole = NULL;
		char *raw = g_strdup_printf("From: a@example.com\nSubject: s\nMIME-Version: 1.0\n"
					    "Content-Type: multipart/mixed; boundary=XX\n\n--XX\n"
					    "Content-Type: text/plain\n\nbody\n--XX\n"
					    "Content-Type: image/jpeg; name=p.jpg\n"
					    "Content-Transfer-Encoding: base64\n\n%s--XX--\n",
					    bodies[i]);
		ck_assert_int_eq(parse_message(raw, strlen(raw), &sized, NULL), 0);
		ck_assert_int_eq(parse_message_with_data(raw, strlen(raw), &whole, NULL), 0);
		ck_assert_msg(att_at(sized, 0)->size == att_at(whole, 0)->size,
			      "%s: counted %zu, decoded %zu", bodies[i], (gsize)att_at(sized, 0)->size,
			      (gsize)att_at(whole, 0)->size);
		parse_msg_free(&sized);
		parse_msg_free(&whole);
		g_free(raw);
	}
}
END_TEST

START_TEST(test_attachments)
{
	struct parse_msg *m = parse_file("parse/attachments.eml");
	ck_assert_str_eq(m->body, "Plain body."); /* the last newline belongs to the boundary */
	ck_assert(!m->body_from_html);
	ck_assert_ptr_nonnull(strstr(m->body_html, "HTML body"));
	ck_assert_uint_eq(m->attachments->len, 4);
	ck_assert_str_eq(att_at(m, 0)->filename, ""); /* inline image counts */
	ck_assert_str_eq(att_at(m, 0)->content_type, "image/png");
	ck_assert_uint_eq(att_at(m, 0)->size, 264);
	ck_assert_str_eq(att_at(m, 1)->filename, "Résumé €.pdf"); /* RFC 2231 */
	ck_assert_str_eq(att_at(m, 1)->content_type, "application/pdf");
	ck_assert_uint_eq(att_at(m, 1)->size, 260);
	ck_assert_str_eq(att_at(m, 2)->filename, "über.txt"); /* RFC 2047 in a parameter */
	ck_assert_str_eq(att_at(m, 2)->content_type, "text/plain");
	ck_assert_uint_eq(att_at(m, 2)->size, 5);
	ck_assert_str_eq(att_at(m, 3)->content_type, "message/rfc822");
	ck_assert_uint_gt(att_at(m, 3)->size, 50);
	ck_assert_ptr_null(strstr(m->body, "Inner"));
	parse_msg_free(&m);

	m = parse_file("parse/forward-only.eml");
	ck_assert_str_eq(m->body, ""); /* the embedded message is not the body */
	ck_assert_uint_eq(m->attachments->len, 1);
	ck_assert_str_eq(att_at(m, 0)->content_type, "message/rfc822");
	parse_msg_free(&m);
}
END_TEST

START_TEST(test_made_up_message_id)
{
	gsize len;
	char *raw = read_data("parse/no-message-id.eml", &len);
	struct parse_msg *a = parse_buf(raw, len), *b = parse_buf(raw, len);
	char *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)raw, len);
	char *want = g_strconcat(hex, "@postdesk.invalid", NULL);
	ck_assert(a->message_id_made_up);
	ck_assert_str_eq(a->message_id, want);
	ck_assert_str_eq(b->message_id, a->message_id);
	/* other bytes, other id */
	raw[len - 2] = '?';
	struct parse_msg *c = parse_buf(raw, len);
	ck_assert_str_ne(c->message_id, a->message_id);
	parse_msg_free(&a);
	parse_msg_free(&b);
	parse_msg_free(&c);
	g_free(hex);
	g_free(want);
	g_free(raw);
}
END_TEST

#define MIMEKIT "corpus/MimeKit/UnitTests/TestData/messages/"

START_TEST(test_dsn)
{
	struct parse_msg *m = parse_file(MIMEKIT "bounce.txt");
	ck_assert(m->is_dsn);
	ck_assert_str_eq(m->dsn_action, "failed");
	ck_assert_str_eq(m->dsn_status, "5.1.1");
	ck_assert_str_eq(m->dsn_recipient, "netec.test@netecgc.com");
	ck_assert_str_eq(m->dsn_diagnostic,
			 "550 5.1.1 <netec.test@netecgc.com>: Recipient address rejected: "
			 "User unknown");
	ck_assert_ptr_nonnull(strstr(m->body, "This is the mail system at host"));
	ck_assert_str_eq(m->from.addr, "mailer-daemon@hmail.jitbit.com");
	parse_msg_free(&m);

	m = parse_file(MIMEKIT "delivery-status-no-blank-line.txt");
	ck_assert(m->is_dsn);
	ck_assert_str_eq(m->dsn_action, "failed");
	ck_assert_ptr_null(m->dsn_status);
	ck_assert_str_eq(m->dsn_recipient, "newsletter-request@imusic.com");
	ck_assert_str_eq(m->dsn_diagnostic, "500 (err.nosuchuser)");
	parse_msg_free(&m);

	m = parse_file(MIMEKIT "delivery-status2.txt");
	ck_assert(m->is_dsn);
	ck_assert_str_eq(m->dsn_action, "failed");
	ck_assert_str_eq(m->dsn_status, "5.0.0");
	ck_assert_str_eq(m->dsn_recipient, "source@domain.com");
	parse_msg_free(&m);

	m = parse_file(MIMEKIT "disposition-notification.txt"); /* a report, not a DSN */
	ck_assert(!m->is_dsn);
	ck_assert_ptr_null(m->dsn_action);
	parse_msg_free(&m);
}
END_TEST

START_TEST(test_cjk_corpus)
{
	struct parse_msg *m = parse_file("corpus/spamassassin/t/data/nice/cjk/iso-2022-jp.2");
	/* labelled iso-2022-jp, really EUC-JP */
	ck_assert(g_str_has_prefix(m->body, ">ああ、心当たりがあります。"));
	ck_assert(m->charset_guessed);
	parse_msg_free(&m);
	m = parse_file("corpus/spamassassin/t/data/nice/cjk/gb2312.1");
	ck_assert_str_eq(m->from.name, "台湾鑫龙商贸集团公司"); /* raw GB2312 header */
	ck_assert(g_str_has_prefix(m->subject, "全新原装进口"));
	parse_msg_free(&m);
	m = parse_file("corpus/spamassassin/t/data/nice/cjk/big5-base64.1");
	ck_assert_ptr_nonnull(strstr(m->subject, "新片又到"));
	ck_assert(m->body_from_html);
	ck_assert(g_str_has_prefix(m->body, "永久網址"));
	parse_msg_free(&m);
	m = parse_file(MIMEKIT "japanese.txt");
	ck_assert_str_eq(m->subject, "日本語メールテスト (testing Japanese emails)");
	ck_assert_ptr_nonnull(strstr(m->body, "日本語が\n正常に"));
	parse_msg_free(&m);
}
END_TEST

/* The GMime charset samples, wrapped in a message, must decode to their UTF-8 twins. */
START_TEST(test_charset_samples)
{
	static const char *const cases[][3] = {
	    {"cyrillic.cp1251.txt", "windows-1251", "cyrillic.utf-8.txt"},
	    {"cyrillic.koi8-r.txt", "koi8-r", "cyrillic.utf-8.txt"},
	    {"japanese.iso-2022-jp.txt", "iso-2022-jp", "japanese.utf-8.txt"},
	    {"japanese.shift-jis.txt", "shift_jis", "japanese.utf-8.txt"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *in = g_strconcat("corpus/gmime/tests/data/filters/", cases[i][0], NULL);
		char *out = g_strconcat("corpus/gmime/tests/data/filters/", cases[i][2], NULL);
		gsize len, wlen;
		char *sample = read_data(in, &len), *want = read_data(out, &wlen);
		GString *raw = g_string_new(NULL);
		g_string_printf(raw,
				"From: a@example.com\nSubject: sample\nMIME-Version: 1.0\n"
				"Content-Type: text/plain; charset=%s\n"
				"Content-Transfer-Encoding: 8bit\n\n",
				cases[i][1]);
		g_string_append_len(raw, sample, len);
		struct parse_msg *m = parse_buf(raw->str, raw->len);
		ck_assert_msg(strcmp(m->body, want) == 0, "%s", cases[i][0]);
		ck_assert(!m->charset_guessed);
		parse_msg_free(&m);
		g_string_free(raw, TRUE);
		g_free(sample);
		g_free(want);
		g_free(in);
		g_free(out);
	}
	/* the windows-1252 fable without any charset label */
	gsize len;
	char *fable = read_data("corpus/gmime/tests/data/filters/french-fable.cp1252.txt", &len);
	char *raw = g_strconcat("From: a@example.com\nSubject: fable\n\n", fable, NULL);
	struct parse_msg *m = parse_buf(raw, strlen(raw));
	ck_assert(g_str_has_prefix(m->body, "Maître Corbeau, sur un arbre perché,\n"));
	ck_assert_ptr_nonnull(strstr(m->body, "par l’odeur alléché"));
	ck_assert(m->charset_guessed);
	parse_msg_free(&m);
	g_free(raw);
	g_free(fable);
}
END_TEST

START_TEST(test_many_parts)
{
	GString *raw = g_string_new("From: a@example.com\nSubject: many\nMIME-Version: 1.0\n"
				    "Content-Type: multipart/mixed; boundary=\"B\"\n\n"
				    "--B\nContent-Type: text/plain\n\nfirst\n");
	for (int i = 0; i < 10000; i++)
		g_string_append_printf(raw,
				       "--B\nContent-Type: application/octet-stream\n"
				       "Content-Disposition: attachment; filename=\"f%d.bin\"\n\n"
				       "data%d\n",
				       i, i);
	g_string_append(raw, "--B--\n");
	struct parse_msg *m = parse_buf(raw->str, raw->len);
	ck_assert_str_eq(m->body, "first");
	ck_assert_uint_eq(m->attachments->len, 1000); /* the rest only counted */
	ck_assert_str_eq(att_at(m, 999)->filename, "f999.bin");
	parse_msg_free(&m);
	g_string_free(raw, TRUE);
}
END_TEST

static char *nested(int depth)
{
	GString *raw = g_string_new("From: a@example.com\nSubject: deep\nMIME-Version: 1.0\n");
	for (int i = 0; i < depth; i++)
		g_string_append_printf(raw,
				       "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n"
				       "--b%d\n",
				       i, i);
	g_string_append(raw, "Content-Type: text/plain\n\nbottom\n");
	for (int i = depth - 1; i >= 0; i--)
		g_string_append_printf(raw, "--b%d--\n", i);
	return g_string_free(raw, FALSE);
}

START_TEST(test_deep_nesting)
{
	char *raw = nested(30);
	struct parse_msg *m = parse_buf(raw, strlen(raw));
	ck_assert_str_eq(m->body, "bottom");
	parse_msg_free(&m);
	g_free(raw);
	raw = nested(100); /* past the walk's depth cap: parsed, the deep body ignored */
	m = parse_buf(raw, strlen(raw));
	ck_assert_str_eq(m->body, "");
	parse_msg_free(&m);
	g_free(raw);
}
END_TEST

START_TEST(test_nul_and_huge_header)
{
	static const char nul[] = "From: a\0b@example.com\nSubject: x\0y\n"
				  "Content-Type: text/plain\n\nbefore\0after\n";
	struct parse_msg *m = parse_buf(nul, sizeof nul - 1);
	ck_assert_ptr_nonnull(strstr(m->body, "before"));
	parse_msg_free(&m);

	GString *raw = g_string_new("From: a@example.com\nSubject: ");
	for (int i = 0; i < 1024 * 1024 / 8; i++)
		g_string_append(raw, "abc\tdef ");
	g_string_append(raw, "\n folded\nX-Long: ");
	for (int i = 0; i < 1024 * 1024; i++)
		g_string_append_c(raw, 'x');
	g_string_append(raw, "\n\nbody\n");
	m = parse_buf(raw->str, raw->len);
	ck_assert_uint_gt(strlen(m->subject), 1024 * 1024 - 16);
	ck_assert(g_str_has_prefix(m->subject, "abc def abc"));
	ck_assert(g_str_has_suffix(m->subject, "folded"));
	ck_assert_str_eq(m->body, "body\n");
	parse_msg_free(&m);
	g_string_free(raw, TRUE);
}
END_TEST

START_TEST(test_failures_and_garbage)
{
	struct parse_msg *m = NULL;
	char *error = NULL;
	ck_assert_int_eq(parse_message("", 0, &m, &error), -1);
	ck_assert_ptr_nonnull(error);
	ck_assert_ptr_null(m);
	g_free(error);
	/* binary garbage: either refused or parsed, never a crash or bad UTF-8 */
	GRand *rand = g_rand_new_with_seed(42);
	for (int round = 0; round < 200; round++) {
		gsize len = g_rand_int_range(rand, 1, 4096);
		char *buf = g_malloc(len);
		for (gsize i = 0; i < len; i++)
			buf[i] = (char)g_rand_int_range(rand, 0, 256);
		if (round % 2 == 0)
			memcpy(buf, "From: x@y\n", MIN(len, 10));
		error = NULL;
		if (parse_message(buf, len, &m, &error) == 0) {
			assert_clean(m, "garbage");
			parse_msg_free(&m);
		}
		g_free(error);
		g_free(buf);
	}
	g_rand_free(rand);
	/* an mbox "From " line in front */
	static const char mbox[] = "From someone Mon Jan  1 00:00:00 2024\nFrom: b@example.com\n"
				   "Subject: mbox\n\ntext\n";
	m = parse_buf(mbox, sizeof mbox - 1);
	ck_assert_str_eq(m->from.addr, "b@example.com");
	ck_assert_str_eq(m->subject, "mbox");
	parse_msg_free(&m);
}
END_TEST

/* Heavy HTML (a big style sheet, 2000 table rows with links) is rendered in work linear in
 * its size: counted, not timed (the time is tests/bench/thread_bench.c html). */
START_TEST(test_heavy_html_work)
{
	GString *raw =
	    g_string_new("From: a@example.com\nSubject: heavy\nMIME-Version: 1.0\n"
			 "Content-Type: text/html; charset=utf-8\n\n<html><head><style>");
	for (int i = 0; i < 2000; i++)
		g_string_append_printf(raw, ".c%d { color: #%06x; }\n", i, i);
	g_string_append(raw, "</style></head><body><table>");
	for (int i = 0; i < 2000; i++)
		g_string_append_printf(raw,
				       "<tr><td style=\"padding:2px\"><span><b>Row %d</b></span>"
				       "</td><td><a href=\"https://example.com/item/%d\">item "
				       "&eacute;&nbsp;%d</a></td></tr>\n",
				       i, i, i);
	g_string_append(raw, "</table></body></html>\n");
	ck_assert_uint_gt(raw->len, 250000);
	struct parse_msg *m = parse_buf(raw->str, raw->len);
	/* The body made from the HTML again, with its work counted: what a quadratic
	 * rendering (a walk or a copy that goes back over the page for each row or link)
	 * would multiply. Today 18,005 nodes and 184,450 bytes for 335,630 bytes of HTML. */
	gsize len = strlen(m->body_html);
	struct parse_work work = {0};
	char *text = parse_html_to_text_work(m->body_html, len, &work);
	ck_assert_str_eq(text, m->body);
	g_free(text);
	ck_assert_msg(work.nodes <= len / 8, "%" G_GUINT64_FORMAT " nodes for %zu bytes",
		      work.nodes, len);
	ck_assert_msg(work.bytes <= len, "%" G_GUINT64_FORMAT " bytes examined for %zu bytes",
		      work.bytes, len);
	ck_assert_ptr_nonnull(
	    strstr(m->body, "Row 1999 item é 1999 <https://example.com/item/1999>"));
	ck_assert_ptr_null(strstr(m->body, "color"));
	parse_msg_free(&m);
	g_string_free(raw, TRUE);
}
END_TEST

START_TEST(test_html_to_text)
{
	static const char *const cases[][2] = {
	    {"<p>a</p><p>b</p>", "a\n\nb"},
	    {"x<br>y<br><br><br><br>z", "x\ny\n\nz"},
	    {"<a href=\"mailto:me@example.com\">me@example.com</a>", "me@example.com"},
	    {"<a href=\"#top\">top</a> <a href=\"javascript:x()\">js</a>", "top js"},
	    {"<a href=\"https://e.com/x\"><img src=\"i.png\"></a>", "<https://e.com/x>"},
	    {"<pre>  keep\n    this</pre>after", "keep\n    this\n\nafter"},
	    {"<div>one<div>two</div></div>three", "one\ntwo\nthree"},
	    {"  lots   of\n\n  space &lt;ok&gt; ", "lots of space <ok>"},
	    {"<noscript>n</noscript><template>t</template>ok", "ok"},
	    {"", ""},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *t = parse_html_to_text(cases[i][0], strlen(cases[i][0]));
		ck_assert_msg(strcmp(t, cases[i][1]) == 0, "case %zu: got \"%s\"", i, t);
		g_free(t);
	}
	/* invalid UTF-8 in, valid out; a <meta charset> does not change that */
	static const char bad[] = "<meta charset=\"iso-8859-1\"><p>caf\xe9 \xc3\xa9t\xc3\xa9</p>";
	char *t = parse_html_to_text(bad, sizeof bad - 1);
	ck_assert(g_utf8_validate(t, -1, NULL));
	ck_assert_ptr_nonnull(strstr(t, "été"));
	g_free(t);
	/* deep nesting costs no stack */
	GString *deep = g_string_new(NULL);
	for (int i = 0; i < 20000; i++)
		g_string_append(deep, "<div><span>");
	g_string_append(deep, "deep");
	t = parse_html_to_text(deep->str, deep->len);
	ck_assert(g_utf8_validate(t, -1, NULL));
	g_free(t);
	g_string_free(deep, TRUE);
}
END_TEST

START_TEST(test_subject_base)
{
	static const char *const cases[][2] = {
	    {"Re: Help", "Help"},
	    {"RE: Re: re:Help", "Help"},
	    {"Fwd: FW: Fw: Help", "Help"},
	    {"AW: WG: SV: VS: TR: RIF: R: Antw: Odp: Help", "Help"},
	    {"Re[2]: Re(3): Help", "Help"},
	    {"RE : Help", "Help"},
	    {"回复：答复: 转发：Help", "Help"},
	    {"回覆: 返信: Help", "Help"},
	    {"ΑΠ: Ответ: Help", "Help"},
	    {"Re: [#123] Printer on fire", "Printer on fire"},
	    {"[#123] Re: Printer on fire", "Printer on fire"},
	    {"Printer [#123] on fire", "Printer [#123] on fire"},
	    {"  Re:   spaced  ", "spaced"},
	    {"Rework the plan", "Rework the plan"},
	    {"Re", "Re"},
	    {"Reply: not a prefix", "Reply: not a prefix"},
	    {"[list] Re: keep list tag", "[list] Re: keep list tag"},
	    {"", ""},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *b = parse_subject_base(cases[i][0]);
		ck_assert_msg(strcmp(b, cases[i][1]) == 0, "\"%s\" -> \"%s\"", cases[i][0], b);
		g_free(b);
	}
	char *b = parse_subject_base(NULL);
	ck_assert_str_eq(b, "");
	g_free(b);
}
END_TEST

START_TEST(test_subject_tag)
{
	gint64 id = -1;
	ck_assert_int_eq(parse_subject_tag("Re: [#42] Help", &id), 1);
	ck_assert_int_eq(id, 42);
	ck_assert_int_eq(parse_subject_tag("Help [#x] again [#007]", &id), 1);
	ck_assert_int_eq(id, 7);
	ck_assert_int_eq(parse_subject_tag("[#123456789012345678]", &id), 1);
	ck_assert_int_eq(id, 123456789012345678LL);
	id = -1;
	ck_assert_int_eq(parse_subject_tag("[#1234567890123456789]", &id), 0); /* 19 digits */
	ck_assert_int_eq(parse_subject_tag("[#] [# 1] [#12 [12] #12", &id), 0);
	ck_assert_int_eq(parse_subject_tag("", &id), 0);
	ck_assert_int_eq(parse_subject_tag(NULL, &id), 0);
	ck_assert_int_eq(id, -1);
}
END_TEST

static gpointer thread_parse(gpointer data)
{
	const GString *raw = data;
	for (int i = 0; i < 100; i++) {
		struct parse_msg *m = NULL;
		if (parse_message(raw->str, raw->len, &m, NULL) < 0 ||
		    strcmp(m->body, "Plain body.") != 0 || m->attachments->len != 4)
			return GINT_TO_POINTER(1);
		parse_msg_free(&m);
	}
	return NULL;
}

/* Two deliveries of one message differ only in trace fields; another message with the
 * same Message-ID differs in content. */
START_TEST(test_content_digest)
{
	const char *a = "Received: from a by b; Tue, 24 Nov 2026 10:00:00 +0000\r\n"
			"Message-ID: <m@x>\r\nSubject: hi\r\n\r\nbody\r\n";
	const char *b = "Return-Path: <s@x>\r\nReceived: from c\r\n by d; Tue, 24 Nov 2026\r\n"
			"Message-ID: <m@x>\r\nDelivered-To: q@y\r\nSubject: hi\r\n\r\nbody\r\n";
	const char *c = "Message-ID: <m@x>\r\nSubject: hi\r\n\r\nother body\r\n";
	char *da = parse_content_digest(a, strlen(a));
	char *db = parse_content_digest(b, strlen(b));
	char *dc = parse_content_digest(c, strlen(c));

	ck_assert_str_eq(da, db);
	ck_assert_str_ne(da, dc);
	ck_assert_uint_eq(strlen(da), 64);
	g_free(da);
	g_free(db);
	g_free(dc);
}
END_TEST

/* The digest fed in pieces of every size equals the digest of the whole: a spooled
 * message (read in chunks) and one in memory are told apart or matched alike. */
START_TEST(test_content_digest_chunked)
{
	const char *msgs[] = {
		"Received: from a by b; Tue, 24 Nov 2026 10:00:00 +0000\r\n"
		"arc-authentication-results: i=1; x\r\n\tcontinued\r\n"
		"Message-ID: <m@x>\r\nSubject: hi\r\n\r\nbody\r\nReceived: in the body\r\n",
		"Subject: lf only\nReturn-Path: <s@x>\n\nbody\n",
		"Subject: no body\r\nReceived: last",
		"X: y\r\n\r",
		"\r\nbody first",
		"",
	};
	for (guint m = 0; m < G_N_ELEMENTS(msgs); m++) {
		gsize len = strlen(msgs[m]);
		char *whole = parse_content_digest(msgs[m], len);
		for (gsize step = 1; step <= len + 1; step++) {
			struct parse_digest *dg = parse_digest_new();
			for (gsize off = 0; off < len; off += step)
				parse_digest_update(dg, msgs[m] + off, MIN(step, len - off));
			char *pieces = parse_digest_finish(&dg);
			ck_assert_msg(strcmp(whole, pieces) == 0, "message %u, pieces of %zu", m,
				      (size_t)step);
			g_free(pieces);
		}
		g_free(whole);
	}
}
END_TEST

/* A message in a file parses to what the same bytes in memory give; a text part past
 * PARSE_MAX_BODY is cut there and flagged. */
START_TEST(test_parse_fd)
{
	gsize len;
	char *data = read_data("parse/attachments.eml", &len);
	struct parse_msg *a = NULL, *b = NULL;
	char path[] = "/tmp/check_parse_fd.XXXXXX";
	int fd = g_mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(parse_message(data, len, &a, NULL), 0);
	ck_assert_int_eq(parse_message_fd(fd, len, FALSE, &b, NULL), 0);
	ck_assert_str_eq(a->body, b->body);
	ck_assert_str_eq(a->message_id, b->message_id);
	ck_assert_uint_eq(a->attachments->len, b->attachments->len);
	for (guint i = 0; i < a->attachments->len; i++) {
		const struct parse_attachment *x = g_ptr_array_index(a->attachments, i);
		const struct parse_attachment *y = g_ptr_array_index(b->attachments, i);
		ck_assert_str_eq(x->filename, y->filename);
		ck_assert_uint_eq(x->size, y->size);
	}
	parse_msg_free(&a);
	parse_msg_free(&b);
	close(fd);
	g_free(data);

	GString *big = g_string_new("From: a@b.example\r\nSubject: long\r\n\r\n");
	while (big->len < 3 * PARSE_MAX_BODY)
		g_string_append(big, "a line of text that goes on and on\r\n");
	ck_assert_int_eq(parse_message(big->str, big->len, &a, NULL), 0);
	ck_assert(a->body_truncated);
	ck_assert_uint_le(strlen(a->body), PARSE_MAX_BODY);
	ck_assert_uint_gt(strlen(a->body), PARSE_MAX_BODY / 2);
	ck_assert(g_str_has_prefix(a->body, "a line of text"));
	ck_assert(a->message_id_made_up);
	parse_msg_free(&a);
	g_string_free(big, TRUE);
}
END_TEST

START_TEST(test_threads)
{
	gsize len;
	char *data = read_data("parse/attachments.eml", &len);
	GString *raw = g_string_new_len(data, len);
	GThread *t[4];
	for (int i = 0; i < 4; i++)
		t[i] = g_thread_new("parse", thread_parse, raw);
	for (int i = 0; i < 4; i++)
		ck_assert_ptr_null(g_thread_join(t[i]));
	g_string_free(raw, TRUE);
	g_free(data);
}
END_TEST

static void corpus_walk(const char *dir, const char *rel, GHashTable *non, int *parsed_r,
			int *refused_r)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	ck_assert_ptr_nonnull(d);
	const char *name;
	while ((name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL);
		char *r = *rel != '\0' ? g_strconcat(rel, "/", name, NULL) : g_strdup(name);
		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			corpus_walk(path, r, non, parsed_r, refused_r);
		} else if (strcmp(name, "LICENSE") != 0 && strcmp(name, "LICENSES") != 0 &&
			   strcmp(name, "NOTICE") != 0 && strcmp(name, "NON-MESSAGES") != 0) {
			char *raw = NULL, *error = NULL;
			gsize len;
			ck_assert_int_eq(util_read_file(path, &raw, &len, NULL), 0);
			struct parse_msg *m = NULL;
			int ret = parse_message(raw, len, &m, &error);
			ck_assert_msg(ret == 0 || g_hash_table_contains(non, r), "%s: %s", r,
				      error);
			if (ret == 0) {
				assert_clean(m, r);
				(*parsed_r)++;
			} else {
				(*refused_r)++;
			}
			parse_msg_free(&m);
			g_free(error);
			g_free(raw);
		}
		g_free(path);
		g_free(r);
	}
	g_dir_close(d);
}

START_TEST(test_corpus)
{
	gsize len;
	char *list = read_data("corpus/NON-MESSAGES", &len);
	GHashTable *non = g_hash_table_new(g_str_hash, g_str_equal);
	char **lines = g_strsplit(list, "\n", -1);
	for (char **l = lines; *l != NULL; l++)
		if (**l != '\0' && **l != '#')
			g_hash_table_add(non, *l);
	int parsed = 0, refused = 0;
	corpus_walk(DATA "corpus", "", non, &parsed, &refused);
	printf("corpus: %d messages parsed, %d documented non-messages refused\n", parsed, refused);
	ck_assert_int_ge(parsed, 60);
	g_hash_table_unref(non);
	g_strfreev(lines);
	g_free(list);
}
END_TEST

/* From as Foxmail, old Outlook Express and Taiwanese/Chinese webmails write it: an encoded
 * display name and an address without angle brackets (GMime finds no mailbox there), and
 * a From that holds only an encoded word (GMime takes the word for the address). */
static struct parse_msg *parse_from(const char *from)
{
	char *raw = g_strdup_printf("Received: from mx.example.com.tw by mail.shop.example\r\n"
				    "From: %s\r\n"
				    "To: support@shop.example\r\n"
				    "Subject: =?gb2312?B?ttS2qbWltcTSydbK?=\r\n"
				    "Date: Tue, 24 Nov 2026 10:00:00 +0800\r\n"
				    "Message-ID: <202611241000.AB12@example.com.tw>\r\n"
				    "X-Mailer: Foxmail 7.2.23.121[cn]\r\n"
				    "MIME-Version: 1.0\r\n"
				    "Content-Type: text/plain; charset=\"gb2312\"\r\n\r\nhello\r\n",
				    from);
	struct parse_msg *m = parse_buf(raw, strlen(raw));
	g_free(raw);
	assert_clean(m, from);
	return m;
}

START_TEST(test_bare_addresses)
{
	static const struct {
		const char *from, *name, *addr;
	} cases[] = {
	    {"=?gb2312?B?zKjN5fbOwfrJzMOz?= user@example.com.tw", "台湾鑫龙商贸",
	     "user@example.com.tw"},
	    {"=?big5?B?sWmkcKn6?= Chang@Example.com.TW", "張小明", "chang@example.com.tw"},
	    {"=?utf-8?B?xYF1a2FzeiDFu8OzxYLEhw==?= lukasz@example.pl", "Łukasz Żółć",
	     "lukasz@example.pl"},
	    {"=?iso-8859-1?Q?Jos=E9_Garc=EDa?= jose@example.es", "José García",
	     "jose@example.es"},
	    {"=?iso-8859-1?B?Sm9z6SBHYXJj7WE=?=\r\n\tjose@example.es", "José García",
	     "jose@example.es"},
	    /* only an encoded word: no From at all (the envelope sender stands in) */
	    {"=?gb2312?B?zKjN5fbOwfrJzMOz?=", "", ""},
	    {"=?utf-8?B?dXNlckBleGFtcGxlLmNvbQ==?=", "", ""}, /* "user@example.com" */
	    /* a name that decodes to an address is a look-alike: not taken */
	    {"=?utf-8?Q?support=40shop.example?= evil@example.net", "", ""},
	    /* the forms GMime reads itself stay as they were */
	    {"=?gb2312?B?zKjN5fbOwfrJzMOz?= <user@example.com.tw>", "台湾鑫龙商贸",
	     "user@example.com.tw"},
	    {"user@example.com.tw (=?big5?B?sWmkcKn6?=)", "張小明", "user@example.com.tw"},
	    {"plain@example.com", "", "plain@example.com"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct parse_msg *m = parse_from(cases[i].from);
		ck_assert_msg(strcmp(m->from.addr, cases[i].addr) == 0, "%s: addr [%s]",
			      cases[i].from, m->from.addr);
		ck_assert_msg(strcmp(m->from.name, cases[i].name) == 0, "%s: name [%s]",
			      cases[i].from, m->from.name);
		parse_msg_free(&m);
	}
}
END_TEST

/* Thread-Index: the conversation is the first 22 bytes, the same through every reply;
 * anything not of Outlook's shape names none. */
START_TEST(test_thread_index)
{
	static const struct {
		const char *value, *conv;
	} cases[] = {
	    {"AdnSdD2czk/YqQ9LR7VjZsd8budBAA==", "AdnSdD2czk/YqQ9LR7VjZsd8budBAA=="},
	    {"AdnSdD2czk/YqQ9LR7VjZsd8budBAK4h3Y5A", "AdnSdD2czk/YqQ9LR7VjZsd8budBAA=="},
	    {"AdnSdD2czk/YqQ9LR7VjZsd8budBAK4h3Y5A\r\n AByrNM0=", "AdnSdD2czk/YqQ9LR7VjZsd8budBAA=="},
	    {"AdnSdD2czk/YqQ9LR7VjZsd8budB", NULL},		/* 21 bytes */
	    {"AdnSdD2czk/YqQ9LR7VjZsd8budBAK4h3Q==", NULL},	/* 22 + 4 */
	    {"AdnSdD2czk/YqQ9LR7VjZsd8bu*BAA==", NULL},		/* not base64 */
	    {"AdnSdD2czk/YqQ9LR7Vj=sd8budBAA==", NULL},		/* padding inside */
	    {"", NULL},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *raw = g_strdup_printf("From: a@example.com\r\nSubject: x\r\nThread-Index: %s\r\n"
					    "Message-ID: <t%zu@example.com>\r\n\r\nbody\r\n",
					    cases[i].value, i);
		struct parse_msg *m = parse_buf(raw, strlen(raw));
		ck_assert_msg(g_strcmp0(m->thread_conv, cases[i].conv) == 0, "%s: [%s]",
			      cases[i].value, m->thread_conv);
		parse_msg_free(&m);
		g_free(raw);
	}
}
END_TEST

/* What agents read of a customer's mail: the new text and the count of lines left out;
 * a message with nothing of its own is given whole. */
START_TEST(test_reply_view)
{
	guint hidden = 99;
	char *v = parse_reply_view("Danke, das hilft.\n\nAm 24.11.2026 um 10:00 schrieb Support "
				   "<support@shop.example>:\n> Hallo Anna,\n>\n> bitte neu starten.\n",
				   NULL, &hidden);
	ck_assert_str_eq(v, "Danke, das hilft.");
	ck_assert_uint_eq(hidden, 4);
	g_free(v);
	v = parse_reply_view("No quote here.\nTwo lines.\n", NULL, &hidden);
	ck_assert_uint_eq(hidden, 0);
	ck_assert_ptr_nonnull(strstr(v, "Two lines."));
	g_free(v);
	/* all quote: the whole text, nothing hidden */
	v = parse_reply_view("> only\n> quoted\n", NULL, &hidden);
	ck_assert_str_eq(v, "> only\n> quoted\n");
	ck_assert_uint_eq(hidden, 0);
	g_free(v);
	/* Gmail HTML: the quote container goes, the text part had the quote as text */
	v = parse_reply_view("Yes, please.\n\nOn Tue, Nov 24, 2026 at 10:00 AM Support wrote:\n"
			     "> Shall we send a new one?\n",
			     "<div dir=\"ltr\">Yes, please.</div><br><div class=\"gmail_quote\">"
			     "<div class=\"gmail_attr\">On Tue, Nov 24, 2026 at 10:00 AM Support "
			     "wrote:<br></div><blockquote class=\"gmail_quote\">Shall we send a "
			     "new one?</blockquote></div>",
			     &hidden);
	ck_assert_str_eq(v, "Yes, please.");
	ck_assert_uint_eq(hidden, 2);
	g_free(v);
}
END_TEST

static Suite *parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("parse");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_headers);
	tcase_add_test(tc, test_bare_addresses);
	tcase_add_test(tc, test_thread_index);
	tcase_add_test(tc, test_reply_view);
	tcase_add_test(tc, test_broken_encoded_words);
	tcase_add_test(tc, test_iso2022jp);
	tcase_add_test(tc, test_gb18030);
	tcase_add_test(tc, test_cp1252_labelled_latin1);
	tcase_add_test(tc, test_no_charset_utf8);
	tcase_add_test(tc, test_utf8_really_latin1);
	tcase_add_test(tc, test_html_only);
	tcase_add_test(tc, test_attachments);
	tcase_add_test(tc, test_attachment_size_counted);
	tcase_add_test(tc, test_made_up_message_id);
	tcase_add_test(tc, test_dsn);
	tcase_add_test(tc, test_cjk_corpus);
	tcase_add_test(tc, test_charset_samples);
	tcase_add_test(tc, test_many_parts);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_nul_and_huge_header);
	tcase_add_test(tc, test_failures_and_garbage);
	tcase_add_test(tc, test_heavy_html_work);
	tcase_add_test(tc, test_html_to_text);
	tcase_add_test(tc, test_subject_base);
	tcase_add_test(tc, test_subject_tag);
	tcase_add_test(tc, test_content_digest);
	tcase_add_test(tc, test_content_digest_chunked);
	tcase_add_test(tc, test_parse_fd);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_corpus);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	parse_init();
	log_set_level(LOG_LEVEL_WARN);
	SRunner *sr = srunner_create(parse_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
