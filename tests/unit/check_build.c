/* check_build: parse_build (parsed back with GMime, header injection refused). */
#include "config.h"
#include "postdesk/parse.h"

#include <check.h>
#include <gmime/gmime.h>
#include <string.h>

/* ---- parse_build ---- */

static const char body_text[] =
    "Grüße aus Köln.\n.a line starting with a dot\nFrom the start\n"
    "long " /* a line longer than 78 characters: */
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx end\nlast line\n";
static const guint8 att_bytes[] = {'%', 'P', 'D', 'F', 0, 0xff, 0xfe, '\r', '\n', 0x80, 'x'};
static const struct parse_out_addr to[] = {{"Ann Customer", "ann@example.com"},
					{NULL, "bob@example.net"}};
static const struct parse_out_addr cc[] = {{"Chloé", "chloe@example.org"}};
static const struct parse_out_addr reply_to = {"Support", "support+42-c-abc@help.example"};
static const char *const refs[] = {"first@example.com", "second@help.example"};
static const struct parse_out_header extra[] = {
    {"List-Unsubscribe", "<https://help.example/u/abc>, <mailto:unsub@help.example>"},
    {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
    {"X-Postdesk-Loop", "help.example"},
    {"X-Postdesk-Ticket", "42"},
};

static struct parse_out sample_mail(GBytes *att_data, struct parse_out_attachment *att)
{
	struct parse_out m = {
	    .from_name = "Zoë Support Desk",
	    .from_addr = "support@help.example",
	    .to = to,
	    .n_to = 2,
	    .cc = cc,
	    .n_cc = 1,
	    .reply_to = &reply_to,
	    .subject = "[#42] Grüße, your order",
	    .body = body_text,
	    .message_id = "pd.42.1@help.example",
	    .in_reply_to = "second@help.example",
	    .references = refs,
	    .n_references = 2,
	    .auto_submitted = "auto-replied",
	    .headers = extra,
	    .n_headers = G_N_ELEMENTS(extra),
	    .date = 1795500000,
	};

	att->filename = "report.pdf";
	att->content_type = "application/pdf";
	att->data = att_data;
	m.attachments = att;
	m.n_attachments = att_data != NULL ? 1 : 0;
	return m;
}

static GMimeMessage *parse_back(const char *raw, gsize len)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(raw, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);

	ck_assert_ptr_nonnull(msg);
	g_object_unref(parser);
	g_object_unref(stream);
	return msg;
}

static void assert_crlf_only(const char *raw, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (raw[i] == '\n')
			ck_assert_msg(i > 0 && raw[i - 1] == '\r', "bare LF at offset %zu", i);
}

static char *part_bytes(GMimePart *part, gsize *len_r)
{
	GMimeStream *out = g_mime_stream_mem_new();
	GByteArray *arr;
	char *data;

	g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(part), out);
	arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	*len_r = arr->len;
	data = g_memdup2(arr->data, arr->len);
	g_object_unref(out);
	return data;
}

static void assert_headers(GMimeMessage *msg, const char *raw)
{
	GMimeObject *obj = GMIME_OBJECT(msg);
	InternetAddressList *list;
	InternetAddress *ia;

	/* Non-ASCII display name and subject were RFC 2047-encoded on the wire. */
	ck_assert_ptr_null(strstr(raw, "Zoë"));
	ck_assert_ptr_nonnull(strstr(raw, "From: =?"));
	list = g_mime_message_get_from(msg);
	ck_assert_int_eq(internet_address_list_length(list), 1);
	ia = internet_address_list_get_address(list, 0);
	ck_assert_str_eq(internet_address_get_name(ia), "Zoë Support Desk");
	ck_assert_str_eq(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)),
			 "support@help.example");
	list = g_mime_message_get_to(msg);
	ck_assert_int_eq(internet_address_list_length(list), 2);
	ia = internet_address_list_get_address(list, 1);
	ck_assert_str_eq(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)),
			 "bob@example.net");
	ia = internet_address_list_get_address(g_mime_message_get_cc(msg), 0);
	ck_assert_str_eq(internet_address_get_name(ia), "Chloé");
	ia = internet_address_list_get_address(g_mime_message_get_reply_to(msg), 0);
	ck_assert_str_eq(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)),
			 "support+42-c-abc@help.example");
	ck_assert_str_eq(g_mime_message_get_subject(msg), "[#42] Grüße, your order");
	ck_assert_str_eq(g_mime_message_get_message_id(msg), "pd.42.1@help.example");
	ck_assert_str_eq(g_mime_object_get_header(obj, "In-Reply-To"), "<second@help.example>");
	ck_assert_ptr_nonnull(strstr(raw, "\r\nReferences: <first@example.com> "
					  "<second@help.example>\r\n"));
	ck_assert_str_eq(g_mime_object_get_header(obj, "Auto-Submitted"), "auto-replied");
	for (guint i = 0; i < G_N_ELEMENTS(extra); i++)
		ck_assert_str_eq(g_mime_object_get_header(obj, extra[i].name), extra[i].value);
	ck_assert(g_str_has_prefix(raw, "Date: ") || strstr(raw, "\r\nDate: ") != NULL);
	ck_assert_int_eq(g_date_time_to_unix(g_mime_message_get_date(msg)), 1795500000);
	ck_assert_ptr_nonnull(strstr(raw, "MIME-Version: 1.0\r\n"));
	ck_assert_ptr_null(strstr(raw, "Bcc"));
}

static void assert_body(GMimeTextPart *text)
{
	char *decoded = g_mime_text_part_get_text(text);
	char **lines = g_strsplit(decoded, "\r\n", -1);
	char *unix_text = g_strjoinv("\n", lines);

	ck_assert_str_eq(g_mime_text_part_get_charset(text), "utf-8");
	/* SMTP's canonical CRLF aside, the body comes back byte for byte. */
	ck_assert_str_eq(unix_text, body_text);
	g_free(unix_text);
	g_strfreev(lines);
	g_free(decoded);
}

START_TEST(t_build_roundtrip)
{
	GBytes *att_data = g_bytes_new_static(att_bytes, sizeof(att_bytes));
	struct parse_out_attachment att;
	struct parse_out m = sample_mail(att_data, &att);
	char *raw = NULL, *error = NULL, *data;
	gsize len, data_len;
	GMimeMessage *msg;
	GMimeMultipart *mixed;
	GMimePart *pdf;

	ck_assert_msg(parse_build(&m, &raw, &len, &error) == 0, "%s", error);
	ck_assert_uint_eq(strlen(raw), len);
	assert_crlf_only(raw, len);
	msg = parse_back(raw, len);
	assert_headers(msg, raw);
	ck_assert(GMIME_IS_MULTIPART(g_mime_message_get_mime_part(msg)));
	mixed = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
	ck_assert_int_eq(g_mime_multipart_get_count(mixed), 2);
	ck_assert(GMIME_IS_TEXT_PART(g_mime_multipart_get_part(mixed, 0)));
	assert_body(GMIME_TEXT_PART(g_mime_multipart_get_part(mixed, 0)));
	pdf = GMIME_PART(g_mime_multipart_get_part(mixed, 1));
	ck_assert_str_eq(g_mime_part_get_filename(pdf), "report.pdf");
	ck_assert(g_mime_content_type_is_type(g_mime_object_get_content_type(GMIME_OBJECT(pdf)),
					      "application", "pdf"));
	data = part_bytes(pdf, &data_len);
	ck_assert_uint_eq(data_len, sizeof(att_bytes));
	ck_assert_mem_eq(data, att_bytes, sizeof(att_bytes));
	g_free(data);
	g_object_unref(msg);
	g_free(raw);
	g_bytes_unref(att_data);
}
END_TEST

/* A long structured ASCII header (List-Unsubscribe with a long one-click URL) is folded
 * between its URLs, never RFC 2047-encoded; a non-ASCII extra header still is. */
START_TEST(t_build_long_header)
{
	struct parse_out_attachment att;
	struct parse_out m = sample_mail(NULL, &att);
	const char *url = "https://help.example/cgi-bin/unsubscribe.cgi?t=support%2B12-u-"
			  "abcdefghijklmnop%40help.example";
	char *value = g_strdup_printf("<%s>, <mailto:support+12-u-abcdefghijklmnop@help.example"
				      "?subject=unsubscribe>",
				      url);
	char *expect = g_strdup_printf("\r\nList-Unsubscribe: <%s>,\r\n <mailto:", url);
	const struct parse_out_header hdrs[] = {{"List-Unsubscribe", value},
					     {"X-Note", "Grüße"}};
	char *raw, *error = NULL;
	gsize len;
	GMimeMessage *msg;

	m.headers = hdrs;
	m.n_headers = G_N_ELEMENTS(hdrs);
	ck_assert_msg(parse_build(&m, &raw, &len, &error) == 0, "%s", error);
	assert_crlf_only(raw, len);
	ck_assert_msg(strstr(raw, expect) != NULL, "not folded between the URLs:\n%s", raw);
	ck_assert_ptr_null(strstr(raw, "List-Unsubscribe: =?"));
	ck_assert_ptr_nonnull(strstr(raw, "X-Note: =?UTF-8?"));
	msg = parse_back(raw, len);
	ck_assert_str_eq(g_mime_object_get_header(GMIME_OBJECT(msg), "List-Unsubscribe"), value);
	ck_assert_str_eq(g_mime_object_get_header(GMIME_OBJECT(msg), "X-Note"), "Grüße");
	g_object_unref(msg);
	g_free(raw);
	g_free(expect);
	g_free(value);
}
END_TEST

START_TEST(t_build_plain_ascii)
{
	struct parse_out_attachment att;
	struct parse_out m = sample_mail(NULL, &att);
	char *raw, *error = NULL;
	gsize len;
	GMimeMessage *msg;
	GMimeObject *part;

	m.body = "Plain text.\nSecond line.\n";
	m.subject = "Hello";
	m.from_name = NULL;
	ck_assert_msg(parse_build(&m, &raw, &len, &error) == 0, "%s", error);
	assert_crlf_only(raw, len);
	msg = parse_back(raw, len);
	part = g_mime_message_get_mime_part(msg);
	ck_assert(GMIME_IS_TEXT_PART(part));
	ck_assert_str_eq(g_mime_object_get_content_type_parameter(part, "charset"), "utf-8");
	/* 7bit: GMime writes no Content-Transfer-Encoding at all, which means 7bit. */
	ck_assert_ptr_null(strstr(raw, "Content-Transfer-Encoding"));
	ck_assert_ptr_nonnull(strstr(raw, "\r\nSubject: Hello\r\n"));
	ck_assert_ptr_nonnull(strstr(raw, "\r\n\r\nPlain text.\r\nSecond line.\r\n"));
	g_object_unref(msg);
	g_free(raw);
}
END_TEST

/* Build m and expect a failure whose message names header. */
static void assert_refused(const struct parse_out *m, const char *header)
{
	char *raw = (char *)"unset", *error = NULL;
	gsize len = 1;

	ck_assert_int_eq(parse_build(m, &raw, &len, &error), -1);
	ck_assert_ptr_null(raw);
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(strstr(error, header) != NULL, "error \"%s\" does not name %s", error,
		      header);
	g_free(error);
}

START_TEST(t_build_injection)
{
	struct parse_out_attachment att;
	struct parse_out base = sample_mail(NULL, &att), m;
	const struct parse_out_addr eve[] = {{"Eve\r\nBcc: victim@x", "eve@example.com"}};
	const struct parse_out_addr eve_lf[] = {{"Eve", "eve@example.com\nBcc: victim@x"}};
	const struct parse_out_addr no_at[] = {{"No", "nobody.example.com"}};
	const struct parse_out_addr space[] = {{"Sp", "a b@example.com"}};
	const struct parse_out_header bad_value[] = {{"X-Postdesk-Ticket", "42\r\nBcc: victim@x"}};
	const struct parse_out_header bad_name[] = {{"X-Evil\r\nBcc", "x"}};
	const struct parse_out_header reserved[] = {{"bcc", "victim@x"}};
	const char *const bad_refs[] = {"ok@example.com", "x@y>\r\nBcc: victim@x"};

	m = base, m.to = eve, m.n_to = 1;
	assert_refused(&m, "To");
	m = base, m.from_name = "Eve\r\nBcc: victim@x";
	assert_refused(&m, "From");
	m = base, m.cc = eve_lf;
	assert_refused(&m, "Cc");
	m = base, m.reply_to = no_at;
	assert_refused(&m, "Reply-To");
	m = base, m.to = space, m.n_to = 1;
	assert_refused(&m, "To");
	m = base, m.subject = "Hello\nBcc: victim@x";
	assert_refused(&m, "Subject");
	m = base, m.message_id = "id@x\r\nBcc: victim@x";
	assert_refused(&m, "Message-ID");
	m = base, m.in_reply_to = "a@b\n";
	assert_refused(&m, "In-Reply-To");
	m = base, m.references = bad_refs;
	assert_refused(&m, "References");
	m = base, m.auto_submitted = "auto-replied\r\nBcc: victim@x";
	assert_refused(&m, "Auto-Submitted");
	m = base, m.headers = bad_value, m.n_headers = 1;
	assert_refused(&m, "X-Postdesk-Ticket");
	m = base, m.headers = bad_name, m.n_headers = 1;
	assert_refused(&m, "header name");
	m = base, m.headers = reserved, m.n_headers = 1;
	assert_refused(&m, "bcc");
	m = base, m.n_to = 0, m.n_cc = 0;
	assert_refused(&m, "recipients");
}
END_TEST

/* Attachment names from strangers leave as safe base names; letters of any script stay. */
START_TEST(t_build_safe_filename)
{
	static const char *const cases[][2] = {
	    {"../../../../etc/passwd", "passwd"},
	    {"..\\..\\windows\\win.ini", "win.ini"},
	    {"report\r\nBcc: x@evil.example.txt", "reportBcc x@evil.example.txt"},
	    {"..", "attachment"},
	    {"", "attachment"},
	    {".hidden", "hidden"},
	    {"Pr\xc3\xbc" "fbericht \xe6\x8a\xa5\xe5\x91\x8a" ".pdf", "Pr\xc3\xbc" "fbericht \xe6\x8a\xa5\xe5\x91\x8a" ".pdf"},
	    {"invoice\xe2\x80\xaetxt.exe", "invoicetxt.exe"},
	    {"C:evil. ", "Cevil"},
	    {"a\x1b[31mred\x7f", "a[31mred"},
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = parse_safe_filename(cases[i][0]);

		ck_assert_msg(g_strcmp0(got, cases[i][1]) == 0, "%s: got \"%s\", expected \"%s\"",
			      cases[i][0], got, cases[i][1]);
		g_free(got);
	}
	/* long names are cut at a character boundary */
	GString *lng = g_string_new(NULL);
	for (int i = 0; i < 300; i++)
		g_string_append(lng, "\xc3\xa9");
	char *got = parse_safe_filename(lng->str);
	ck_assert_uint_le(strlen(got), PARSE_FILENAME_MAX);
	ck_assert(g_utf8_validate(got, -1, NULL));
	g_free(got);
	g_string_free(lng, TRUE);
}
END_TEST

static Suite *build_suite(void)
{
	Suite *s = suite_create("build");
	TCase *tc = tcase_create("build");

	tcase_add_test(tc, t_build_roundtrip);
	tcase_add_test(tc, t_build_plain_ascii);
	tcase_add_test(tc, t_build_long_header);
	tcase_add_test(tc, t_build_injection);
	tcase_add_test(tc, t_build_safe_filename);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	g_mime_init();
	sr = srunner_create(build_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	g_mime_shutdown();
	return failed == 0 ? 0 : 1;
}
