/* check_notify: templates (load errors with file:line, rendering, the shipped set),
 * notify_build (parsed back with GMime, header injection refused) and notify_smtp_send
 * against Postfix's real smtp-sink on a loopback port picked at run time. Without smtp-sink
 * the SMTP cases are left out and the program exits 77 (automake SKIP), never PASS. */
#include "config.h"
#include "postdesk/notify.h"
#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <gmime/gmime.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SMTP_SINK
#define SMTP_SINK "/usr/sbin/smtp-sink"
#endif
#define SHIPPED TESTS_SRCDIR "/../templates/en"

static char *tmpdir_new(void)
{
	char *dir = g_dir_make_tmp("check_notify.XXXXXX", NULL);

	ck_assert_ptr_nonnull(dir);
	return dir;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = g_build_filename(dir, name, NULL);

	ck_assert(g_file_set_contents(path, text, -1, NULL));
	g_free(path);
}

/* Load name.txt from dir and return the error (g_malloc'ed) or NULL on success. */
static char *load_error(const char *dir, const char *name)
{
	struct notify_template *t = NULL;
	char *error = NULL;

	if (notify_template_load(NULL, dir, name, &t, &error) == 0) {
		ck_assert_ptr_nonnull(t);
		notify_template_free(&t);
		return NULL;
	}
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(error);
	return error;
}

/* ---- templates ---- */

START_TEST(t_template_render_exact)
{
	char *dir = tmpdir_new(), *subject, *body, *error = NULL;
	struct notify_template *t;
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);

	write_file(dir, "ack.txt",
		   "Subject: [#{{ticket.id}}] {{ ticket.subject }}\r\n\r\n"
		   "Hi {{customer.name}},\r\nticket {{ticket.id}}{{agent.name}}.\r\n"
		   "Literal }} and { stay.\r\n");
	ck_assert_int_eq(notify_template_load(NULL, dir, "ack", &t, &error), 0);
	g_hash_table_insert(vars, "ticket.id", "42");
	g_hash_table_insert(vars, "ticket.subject", "Printer {{on fire}}");
	g_hash_table_insert(vars, "customer.name", "Zoë\nSecond line");
	ck_assert_int_eq(notify_template_render(t, vars, &subject, &body, &error), 0);
	/* Values are literal (braces in a value are not expanded), absent ones are empty, CRLF
	 * in the file became LF. */
	ck_assert_str_eq(subject, "[#42] Printer {{on fire}}");
	ck_assert_str_eq(body, "Hi Zoë\nSecond line,\nticket 42.\nLiteral }} and { stay.\n");
	g_free(subject);
	g_free(body);
	ck_assert_int_eq(notify_template_render(t, NULL, &subject, &body, &error), 0);
	ck_assert_str_eq(subject, "[#] ");
	g_free(subject);
	g_free(body);
	g_hash_table_unref(vars);
	notify_template_free(&t);
	ck_assert_ptr_null(t);
	test_rm_rf(dir);
	g_free(dir);
}
END_TEST

START_TEST(t_template_errors)
{
	char *dir = tmpdir_new(), *error, *want;

	write_file(dir, "unknown.txt", "Subject: x\n\nline 3\nline 4 {{ticket.bogus}}\n");
	write_file(dir, "nosubject.txt", "Hello {{ticket.id}}\n\nbody\n");
	write_file(dir, "noblank.txt", "Subject: x\nbody right away\n");
	write_file(dir, "unclosed.txt", "Subject: x\n\nline 3 {{ticket.id\n}}\n");
	write_file(dir, "unclosedsubj.txt", "Subject: {{ticket.id\n\nbody\n");
	write_file(dir, "empty.txt", "Subject: x\n\n{{ }}\n");

	error = load_error(dir, "unknown");
	want = g_strdup_printf("%s/unknown.txt:4: unknown variable \"ticket.bogus\"", dir);
	ck_assert_str_eq(error, want);
	g_free(want);
	g_free(error);
	error = load_error(dir, "nosubject");
	ck_assert_ptr_nonnull(strstr(error, "nosubject.txt:1: "));
	g_free(error);
	error = load_error(dir, "noblank");
	ck_assert_ptr_nonnull(strstr(error, "noblank.txt:2: "));
	g_free(error);
	error = load_error(dir, "unclosed");
	ck_assert_ptr_nonnull(strstr(error, "unclosed.txt:3: unclosed"));
	g_free(error);
	error = load_error(dir, "unclosedsubj");
	ck_assert_ptr_nonnull(strstr(error, "unclosedsubj.txt:1: unclosed"));
	g_free(error);
	error = load_error(dir, "empty");
	ck_assert_ptr_nonnull(strstr(error, "empty.txt:3: unknown variable \"\""));
	g_free(error);
	error = load_error(dir, "missing");
	ck_assert_ptr_nonnull(strstr(error, "missing.txt"));
	g_free(error);
	error = load_error(dir, "../etc/passwd");
	ck_assert_ptr_nonnull(strstr(error, "bad template name"));
	g_free(error);
	test_rm_rf(dir);
	g_free(dir);
}
END_TEST

START_TEST(t_template_override)
{
	char *def = tmpdir_new(), *over = tmpdir_new(), *empty = tmpdir_new();
	char *subject, *body, *error = NULL, *want;
	struct notify_template *t;

	write_file(def, "reply.txt", "Subject: default\n\nD\n");
	write_file(over, "reply.txt", "Subject: override {{ticket.id}}\n\nO\n");
	ck_assert_int_eq(notify_template_load(over, def, "reply", &t, &error), 0);
	want = g_build_filename(over, "reply.txt", NULL);
	ck_assert_str_eq(notify_template_path(t), want);
	g_free(want);
	ck_assert_int_eq(notify_template_render(t, NULL, &subject, &body, &error), 0);
	ck_assert_str_eq(subject, "override ");
	ck_assert_str_eq(body, "O\n");
	g_free(subject);
	g_free(body);
	notify_template_free(&t);
	/* No file in the override dir: the default is used. */
	ck_assert_int_eq(notify_template_load(empty, def, "reply", &t, &error), 0);
	ck_assert_int_eq(notify_template_render(t, NULL, &subject, &body, &error), 0);
	ck_assert_str_eq(subject, "default");
	g_free(subject);
	g_free(body);
	notify_template_free(&t);
	/* A broken override is an error, not a silent fallback. */
	write_file(over, "reply.txt", "Subject: {{nope}}\n\nO\n");
	ck_assert_int_eq(notify_template_load(over, def, "reply", &t, &error), -1);
	ck_assert_ptr_nonnull(strstr(error, "nope"));
	g_free(error);
	test_rm_rf(def);
	test_rm_rf(over);
	test_rm_rf(empty);
	g_free(def);
	g_free(over);
	g_free(empty);
}
END_TEST

START_TEST(t_template_subject_crlf)
{
	char *dir = tmpdir_new(), *subject, *body, *error = NULL;
	struct notify_template *t;
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);

	write_file(dir, "a.txt", "Subject: {{ticket.subject}}\n\n{{ticket.subject}}\n");
	write_file(dir, "b.txt", "Subject: fixed\n\n{{ticket.subject}}\n");
	g_hash_table_insert(vars, "ticket.subject", "Hi\r\nBcc: victim@example.org");
	ck_assert_int_eq(notify_template_load(NULL, dir, "a", &t, &error), 0);
	ck_assert_int_eq(notify_template_render(t, vars, &subject, &body, &error), -1);
	ck_assert_ptr_null(subject);
	ck_assert_ptr_nonnull(strstr(error, "{{ticket.subject}}"));
	ck_assert_ptr_nonnull(strstr(error, "CR/LF"));
	g_free(error);
	notify_template_free(&t);
	/* The same value in the body is fine. */
	ck_assert_int_eq(notify_template_load(NULL, dir, "b", &t, &error), 0);
	ck_assert_int_eq(notify_template_render(t, vars, &subject, &body, &error), 0);
	ck_assert_str_eq(body, "Hi\r\nBcc: victim@example.org\n");
	g_free(subject);
	g_free(body);
	notify_template_free(&t);
	g_hash_table_unref(vars);
	test_rm_rf(dir);
	g_free(dir);
}
END_TEST

#define NAME_STR(n) n,
static const char *const shipped[] = {NOTIFY_TEMPLATE_NAMES(NAME_STR)};
#define VAR_STR(n) n,
static const char *const all_vars[] = {NOTIFY_TEMPLATE_VARS(VAR_STR)};

START_TEST(t_template_shipped)
{
	char *error = NULL, *subject, *body;
	struct notify_template *t;
	GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);

	ck_assert_msg(notify_templates_check(NULL, SHIPPED, &error) == 0, "%s", error);
	for (guint i = 0; i < G_N_ELEMENTS(all_vars); i++) {
		ck_assert(notify_template_var_known(all_vars[i]));
		g_hash_table_insert(vars, (char *)all_vars[i], "VALUE");
	}
	ck_assert(!notify_template_var_known("ticket.url"));
	g_hash_table_insert(vars, "ticket.id", "42");
	for (guint i = 0; i < G_N_ELEMENTS(shipped); i++) {
		ck_assert_msg(notify_template_load(NULL, SHIPPED, shipped[i], &t, &error) == 0,
			      "%s", error);
		ck_assert_int_eq(notify_template_render(t, vars, &subject, &body, &error), 0);
		ck_assert_msg(strstr(subject, "[#42]") != NULL, "%s: %s", shipped[i], subject);
		ck_assert_msg(strstr(body, "{{") == NULL, "%s", shipped[i]);
		ck_assert_msg(strlen(body) > 20, "%s", shipped[i]);
		g_free(subject);
		g_free(body);
		notify_template_free(&t);
	}
	g_hash_table_unref(vars);
}
END_TEST

/* ---- notify_build ---- */

static const char body_text[] =
    "Grüße aus Köln.\n.a line starting with a dot\nFrom the start\n"
    "long " /* a line longer than 78 characters: */
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx end\nlast line\n";
static const guint8 att_bytes[] = {'%', 'P', 'D', 'F', 0, 0xff, 0xfe, '\r', '\n', 0x80, 'x'};
static const struct notify_addr to[] = {{"Ann Customer", "ann@example.com"},
					{NULL, "bob@example.net"}};
static const struct notify_addr cc[] = {{"Chloé", "chloe@example.org"}};
static const struct notify_addr reply_to = {"Support", "support+42-c-abc@help.example"};
static const char *const refs[] = {"first@example.com", "second@help.example"};
static const struct notify_header extra[] = {
    {"List-Unsubscribe", "<https://help.example/u/abc>, <mailto:unsub@help.example>"},
    {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
    {"X-Postdesk-Loop", "help.example"},
    {"X-Postdesk-Ticket", "42"},
};

static struct notify_mail sample_mail(GBytes *att_data, struct notify_attachment *att)
{
	struct notify_mail m = {
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
	struct notify_attachment att;
	struct notify_mail m = sample_mail(att_data, &att);
	char *raw = NULL, *error = NULL, *data;
	gsize len, data_len;
	GMimeMessage *msg;
	GMimeMultipart *mixed;
	GMimePart *pdf;

	ck_assert_msg(notify_build(&m, &raw, &len, &error) == 0, "%s", error);
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
	struct notify_attachment att;
	struct notify_mail m = sample_mail(NULL, &att);
	const char *url = "https://help.example/cgi-bin/unsubscribe.cgi?t=support%2B12-u-"
			  "abcdefghijklmnop%40help.example";
	char *value = g_strdup_printf("<%s>, <mailto:support+12-u-abcdefghijklmnop@help.example"
				      "?subject=unsubscribe>",
				      url);
	char *expect = g_strdup_printf("\r\nList-Unsubscribe: <%s>,\r\n <mailto:", url);
	const struct notify_header hdrs[] = {{"List-Unsubscribe", value},
					     {"X-Note", "Grüße"}};
	char *raw, *error = NULL;
	gsize len;
	GMimeMessage *msg;

	m.headers = hdrs;
	m.n_headers = G_N_ELEMENTS(hdrs);
	ck_assert_msg(notify_build(&m, &raw, &len, &error) == 0, "%s", error);
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
	struct notify_attachment att;
	struct notify_mail m = sample_mail(NULL, &att);
	char *raw, *error = NULL;
	gsize len;
	GMimeMessage *msg;
	GMimeObject *part;

	m.body = "Plain text.\nSecond line.\n";
	m.subject = "Hello";
	m.from_name = NULL;
	ck_assert_msg(notify_build(&m, &raw, &len, &error) == 0, "%s", error);
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
static void assert_refused(const struct notify_mail *m, const char *header)
{
	char *raw = (char *)"unset", *error = NULL;
	gsize len = 1;

	ck_assert_int_eq(notify_build(m, &raw, &len, &error), -1);
	ck_assert_ptr_null(raw);
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(strstr(error, header) != NULL, "error \"%s\" does not name %s", error,
		      header);
	g_free(error);
}

START_TEST(t_build_injection)
{
	struct notify_attachment att;
	struct notify_mail base = sample_mail(NULL, &att), m;
	const struct notify_addr eve[] = {{"Eve\r\nBcc: victim@x", "eve@example.com"}};
	const struct notify_addr eve_lf[] = {{"Eve", "eve@example.com\nBcc: victim@x"}};
	const struct notify_addr no_at[] = {{"No", "nobody.example.com"}};
	const struct notify_addr space[] = {{"Sp", "a b@example.com"}};
	const struct notify_header bad_value[] = {{"X-Postdesk-Ticket", "42\r\nBcc: victim@x"}};
	const struct notify_header bad_name[] = {{"X-Evil\r\nBcc", "x"}};
	const struct notify_header reserved[] = {{"bcc", "victim@x"}};
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

/* ---- SMTP against smtp-sink ---- */

static struct {
	GPid pid;
	int port;
	char *dir;
} sink;

/* Start smtp-sink with extra options (NULL-terminated) on a fresh loopback port. Runs in
 * Check's parent process (unchecked fixture), so teardown kills it even if a test fails. */
static void sink_start(const char *const *opts)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;

	sink.dir = tmpdir_new();
	sink.port = test_free_port();
	g_ptr_array_add(argv, g_strdup(SMTP_SINK));
	if (geteuid() == 0) {
		/* As root smtp-sink drops to the postfix user, who must be able to write dumps. */
		struct passwd *pw = getpwnam("postfix");
		ck_assert_ptr_nonnull(pw);
		ck_assert_int_eq(chown(sink.dir, pw->pw_uid, pw->pw_gid), 0);
		g_ptr_array_add(argv, g_strdup("-u"));
		g_ptr_array_add(argv, g_strdup("postfix"));
	}
	g_ptr_array_add(argv, g_strdup("-d"));
	g_ptr_array_add(argv, g_strdup_printf("%s/%%M.", sink.dir));
	for (; *opts != NULL; opts++)
		g_ptr_array_add(argv, g_strdup(*opts));
	g_ptr_array_add(argv, g_strdup_printf("127.0.0.1:%d", sink.port));
	g_ptr_array_add(argv, g_strdup("10"));
	g_ptr_array_add(argv, NULL);
	ck_assert_msg(g_spawn_async(NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
				    NULL, NULL, &sink.pid, &err),
		      "%s", err != NULL ? err->message : "");
	g_ptr_array_unref(argv);
	for (int i = 0; i < 100 && !test_port_open(sink.port); i++)
		g_usleep(20000);
	ck_assert_msg(test_port_open(sink.port), "smtp-sink did not start");
}

static void sink_stop(void)
{
	if (sink.pid > 0) {
		kill(sink.pid, SIGTERM);
		waitpid(sink.pid, NULL, 0);
		g_spawn_close_pid(sink.pid);
		sink.pid = 0;
	}
	if (sink.dir != NULL) {
		test_rm_rf(sink.dir);
		g_clear_pointer(&sink.dir, g_free);
	}
}

#define SINK_SETUP(fn, ...)                                                                        \
	static void fn(void)                                                                       \
	{                                                                                          \
		static const char *const opts[] = {__VA_ARGS__, NULL};                             \
		sink_start(opts);                                                                  \
	}
SINK_SETUP(sink_plain, NULL)
SINK_SETUP(sink_no_ehlo, "-f", "ehlo")
SINK_SETUP(sink_rcpt_5xx, "-f", "rcpt")
SINK_SETUP(sink_dot_5xx, "-f", ".")
SINK_SETUP(sink_rcpt_421, "-Q", "rcpt")
SINK_SETUP(sink_dot_421, "-Q", ".")
SINK_SETUP(sink_slow_data, "-w", "5")

static const char message[] = "From: support@help.example\r\nTo: ann@example.com\r\n"
			      "Subject: test\r\n\r\nline one\r\n.dot line\r\nlast\r\n";
static const char *const two_rcpts[] = {"ann@example.com", "bob@example.net"};

static char *relay(void)
{
	return g_strdup_printf("127.0.0.1:%d", sink.port);
}

static void send_ok(const char *env_from, int timeout_s, struct verdict *v)
{
	char *r = relay();

	ck_assert_int_eq(
	    notify_smtp_send(r, env_from, two_rcpts, 2, message, strlen(message), timeout_s, v), 0);
	g_free(r);
}

/* The single dump file smtp-sink wrote (it writes it before answering the final dot). */
static char *read_dump(void)
{
	GDir *d = g_dir_open(sink.dir, 0, NULL);
	const char *name = g_dir_read_name(d);
	char *path, *data = NULL;

	ck_assert_msg(name != NULL, "no dump file");
	ck_assert_ptr_null(g_dir_read_name(d));
	path = g_build_filename(sink.dir, name, NULL);
	ck_assert(g_file_get_contents(path, &data, NULL, NULL));
	g_free(path);
	g_dir_close(d);
	return data;
}

static int dump_count(void)
{
	GDir *d = g_dir_open(sink.dir, 0, NULL);
	int n = 0;

	while (g_dir_read_name(d) != NULL)
		n++;
	g_dir_close(d);
	return n;
}

START_TEST(t_smtp_ok)
{
	struct verdict v;
	char *dump;

	send_ok("bounces+42@help.example", 10, &v);
	ck_assert_msg(v.status == VERDICT_OK, "%d %s", v.smtp, v.text);
	ck_assert_int_eq(v.smtp, 250);
	ck_assert_str_eq(v.enh, "2.0.0");
	ck_assert_str_eq(v.text, "2.0.0 Ok");
	dump = read_dump();
	ck_assert_ptr_nonnull(strstr(dump, "X-Client-Proto: ESMTP\n"));
	ck_assert_ptr_nonnull(strstr(dump, "X-Mail-Args: <bounces+42@help.example>\n"));
	ck_assert_ptr_nonnull(strstr(dump, "X-Rcpt-Args: <ann@example.com>\n"
					   "X-Rcpt-Args: <bob@example.net>\n"));
	/* The message arrived whole, dot-stuffing undone by the receiver. */
	ck_assert_ptr_nonnull(strstr(dump, "Subject: test\n\nline one\n.dot line\nlast\n"));
	g_free(dump);
}
END_TEST

START_TEST(t_smtp_null_sender)
{
	struct verdict v;
	char *dump;

	send_ok("", 10, &v);
	ck_assert_int_eq(v.status, VERDICT_OK);
	dump = read_dump();
	ck_assert_ptr_nonnull(strstr(dump, "X-Mail-Args: <>\n"));
	g_free(dump);
}
END_TEST

START_TEST(t_smtp_helo_fallback)
{
	struct verdict v;
	char *dump;

	send_ok("a@help.example", 10, &v);
	ck_assert_msg(v.status == VERDICT_OK, "%d %s", v.smtp, v.text);
	dump = read_dump();
	ck_assert_ptr_nonnull(strstr(dump, "X-Client-Proto: SMTP\n"));
	g_free(dump);
}
END_TEST

/* dumps: smtp-sink writes the dump when the data ends, even if it then refuses it; a dump
 * file it opened for a transaction refused earlier is removed a moment after we quit. */
static void assert_verdict(enum verdict_status status, int smtp, const char *enh, const char *text,
			   int dumps)
{
	struct verdict v;

	send_ok("a@help.example", 10, &v);
	ck_assert_msg(v.status == status, "status %d, %d %s %s", v.status, v.smtp, v.enh, v.text);
	ck_assert_int_eq(v.smtp, smtp);
	ck_assert_str_eq(v.enh, enh);
	ck_assert_str_eq(v.text, text);
	for (int i = 0; i < 100 && dump_count() != dumps; i++)
		g_usleep(20000);
	ck_assert_int_eq(dump_count(), dumps);
}

START_TEST(t_smtp_rcpt_5xx)
{
	/* Every recipient refused: the first refusal, naming the address. */
	assert_verdict(VERDICT_PERMFAIL, 500, "5.3.0",
		       "refused ann@example.com: 500 5.3.0 Error: command failed (RCPT)", 0);
}
END_TEST

START_TEST(t_smtp_dot_5xx)
{
	assert_verdict(VERDICT_PERMFAIL, 500, "5.3.0", "5.3.0 Error: command failed (end of data)",
		       1);
}
END_TEST

START_TEST(t_smtp_rcpt_421)
{
	assert_verdict(VERDICT_TEMPFAIL, 421, "4.0.0", "4.0.0 Server closing connection (RCPT)", 0);
}
END_TEST

START_TEST(t_smtp_dot_421)
{
	assert_verdict(VERDICT_TEMPFAIL, 421, "4.0.0",
		       "4.0.0 Server closing connection (end of data)", 1);
}
END_TEST

START_TEST(t_smtp_timeout)
{
	struct verdict v;
	gint64 start = g_get_monotonic_time();

	send_ok("a@help.example", 1, &v);
	ck_assert_int_eq(v.status, VERDICT_TEMPFAIL);
	ck_assert_int_eq(v.smtp, 0);
	ck_assert_int_lt(g_get_monotonic_time() - start, 4 * G_USEC_PER_SEC);
}
END_TEST

START_TEST(t_smtp_closed_port)
{
	struct verdict v;
	char *r = g_strdup_printf("127.0.0.1:%d", test_free_port());
	const char *const bad[] = {"ann@example.com>\r\nRSET"};

	ck_assert_int_eq(
	    notify_smtp_send(r, "a@help.example", two_rcpts, 2, message, strlen(message), 5, &v),
	    0);
	ck_assert_int_eq(v.status, VERDICT_TEMPFAIL);
	ck_assert_int_eq(v.smtp, 0);
	ck_assert_ptr_nonnull(strstr(v.text, "cannot connect"));
	/* A bad envelope is refused before connecting (else this would be TEMPFAIL). */
	ck_assert_int_eq(
	    notify_smtp_send(r, "a@help.example", bad, 1, message, strlen(message), 5, &v), 0);
	ck_assert_int_eq(v.status, VERDICT_PERMFAIL);
	ck_assert_int_eq(v.smtp, 553);
	ck_assert_ptr_null(strchr(v.text, '\n'));
	ck_assert_int_eq(
	    notify_smtp_send(r, "a b@x", two_rcpts, 1, message, strlen(message), 5, &v), 0);
	ck_assert_int_eq(v.status, VERDICT_PERMFAIL);
	g_free(r);
}
END_TEST

static void add_sink_case(Suite *s, const char *name, void (*setup)(void), const TTest *test)
{
	TCase *tc = tcase_create(name);

	tcase_add_unchecked_fixture(tc, setup, sink_stop);
	tcase_add_test(tc, test);
	suite_add_tcase(s, tc);
}

static Suite *notify_suite(gboolean have_sink)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("templates");

	tcase_add_test(tc, t_template_render_exact);
	tcase_add_test(tc, t_template_errors);
	tcase_add_test(tc, t_template_override);
	tcase_add_test(tc, t_template_subject_crlf);
	tcase_add_test(tc, t_template_shipped);
	suite_add_tcase(s, tc);
	tc = tcase_create("build");
	tcase_add_test(tc, t_build_roundtrip);
	tcase_add_test(tc, t_build_plain_ascii);
	tcase_add_test(tc, t_build_long_header);
	tcase_add_test(tc, t_build_injection);
	suite_add_tcase(s, tc);
	tc = tcase_create("smtp");
	tcase_add_test(tc, t_smtp_closed_port);
	suite_add_tcase(s, tc);
	if (!have_sink)
		return s;
	add_sink_case(s, "smtp_ok", sink_plain, t_smtp_ok);
	add_sink_case(s, "smtp_null_sender", sink_plain, t_smtp_null_sender);
	add_sink_case(s, "smtp_helo", sink_no_ehlo, t_smtp_helo_fallback);
	add_sink_case(s, "smtp_rcpt_5xx", sink_rcpt_5xx, t_smtp_rcpt_5xx);
	add_sink_case(s, "smtp_dot_5xx", sink_dot_5xx, t_smtp_dot_5xx);
	add_sink_case(s, "smtp_rcpt_421", sink_rcpt_421, t_smtp_rcpt_421);
	add_sink_case(s, "smtp_dot_421", sink_dot_421, t_smtp_dot_421);
	add_sink_case(s, "smtp_timeout", sink_slow_data, t_smtp_timeout);
	return s;
}

int main(void)
{
	gboolean have_sink = g_file_test(SMTP_SINK, G_FILE_TEST_IS_EXECUTABLE);
	SRunner *sr;
	int failed;

	/* A relay that drops the connection must not kill us (see notify_smtp_send). */
	signal(SIGPIPE, SIG_IGN);
	g_mime_init();
	sr = srunner_create(notify_suite(have_sink));
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	g_mime_shutdown();
	if (failed != 0)
		return 1;
	if (!have_sink) {
		printf("SKIP: %s not found (package postfix): SMTP cases not run\n", SMTP_SINK);
		return 77;
	}
	return 0;
}
