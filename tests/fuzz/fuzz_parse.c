/* fuzz_parse: parse_message() on arbitrary bytes, then what the pipeline does next with
 * the result: the subject base and tag (threading inputs) and quote stripping of the body.
 * Invariants: every string is valid UTF-8; subject and display names hold no CR or LF (they
 * end up in our outbound headers); attachments are listed within the limit. */
#include "config.h"
#include "postdesk/parse.h"

#include <string.h>

#include "fuzz.h"

static void check_utf8(const char *what, const char *s)
{
	if (s != NULL && !g_utf8_validate(s, -1, NULL))
		fuzz_fail("%s is not UTF-8", what);
}

static void check_header_value(const char *what, const char *s)
{
	check_utf8(what, s);
	if (s != NULL && strpbrk(s, "\r\n") != NULL)
		fuzz_fail("CR or LF in %s", what);
}

static void check_msg(const struct parse_msg *m)
{
	check_header_value("subject", m->subject);
	check_header_value("from.name", m->from.name);
	check_header_value("from.addr", m->from.addr);
	check_header_value("reply_to.name", m->reply_to.name);
	check_header_value("message_id", m->message_id);
	check_utf8("body", m->body);
	check_utf8("body_html", m->body_html);
	for (guint i = 0; i < m->to->len; i++) {
		const struct parse_addr *a = g_ptr_array_index(m->to, i);
		check_header_value("to.name", a->name);
	}
	for (guint i = 0; i < m->references->len; i++)
		check_utf8("reference", g_ptr_array_index(m->references, i));
	for (guint i = 0; i < m->attachments->len; i++) {
		const struct parse_attachment *a = g_ptr_array_index(m->attachments, i);
		check_utf8("attachment filename", a->filename);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_msg *m = NULL;
	char *error = NULL;
	gint64 id;

	parse_init();
	if (parse_message((const char *)data, size, &m, &error) < 0) {
		if (error == NULL)
			fuzz_fail("parse_message failed without a reason");
		g_free(error);
		return 0;
	}
	check_msg(m);
	char *base = parse_subject_base(m->subject);
	check_header_value("subject base", base);
	g_free(base);
	(void)parse_subject_tag(m->subject, &id);
	char *text = parse_reply_text(m->body, m->body_html, "## Please type your reply above this line ##");
	check_utf8("reply text", text);
	g_free(text);
	parse_msg_free(&m);
	return 0;
}
