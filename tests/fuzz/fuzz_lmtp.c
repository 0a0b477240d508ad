/* fuzz_lmtp: the LMTP session state machine (lmtp_session_*) with a fake backend, fed the
 * input in pieces of arbitrary sizes (the first byte seeds the split, so TCP segmentation
 * is fuzzed too). Invariants: every reply line is "NNN" + ' ' or '-' + text + CRLF; the
 * backend sees only recipients it accepted, and a message within the size limit. */
#include "config.h"
#include "postdesk/lmtp.h"

#include <string.h>

#include "fuzz.h"

#define FUZZ_MAX_SIZE 4096

static void fake_rcpt(void *ctx, const char *addr, struct verdict *v)
{
	if (strchr(addr, '@') == NULL)
		verdict_set(v, VERDICT_PERMFAIL, 550, "5.1.1", "no such user");
	else if (g_str_has_prefix(addr, "temp"))
		verdict_set(v, VERDICT_TEMPFAIL, 451, "4.3.0", "try later");
	else
		verdict_ok(v, "ok");
}

static void fake_data(void *ctx, const char *sender, const char *const *rcpts, guint n_rcpts,
		      const char *raw, gsize len, struct verdict *verdicts)
{
	if (n_rcpts == 0)
		fuzz_fail("DATA with no recipient");
	if (len > FUZZ_MAX_SIZE)
		fuzz_fail("DATA of %zu bytes over the limit", (size_t)len);
	for (guint i = 0; i < n_rcpts; i++) {
		if (strchr(rcpts[i], '@') == NULL || g_str_has_prefix(rcpts[i], "temp"))
			fuzz_fail("a refused recipient reached DATA");
		if (i % 2)
			verdict_set(&verdicts[i], VERDICT_PERMFAIL, 554, "5.6.0", "odd");
		else
			verdict_ok(&verdicts[i], "stored");
	}
}

static void check_replies(const GString *out)
{
	const char *p = out->str, *end = out->str + out->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL || nl == p || nl[-1] != '\r')
			fuzz_fail("reply without CRLF: %.*s", (int)(end - p), p);
		if (nl - p < 5 || !g_ascii_isdigit(p[0]) || !g_ascii_isdigit(p[1]) ||
		    !g_ascii_isdigit(p[2]) || (p[3] != ' ' && p[3] != '-'))
			fuzz_fail("malformed reply: %.*s", (int)(nl - p), p);
		for (const char *c = p; c < nl - 1; c++)
			if (*c == '\r' || *c == '\0')
				fuzz_fail("CR or NUL inside a reply");
		p = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lmtp_backend backend = {.rcpt = fake_rcpt, .data = fake_data};
	struct lmtp_limits limits;
	GString *out = g_string_new(NULL);
	guint32 seed = size > 0 ? data[0] : 1;
	size_t done = size > 0 ? 1 : 0;

	lmtp_limits_default(&limits);
	limits.hostname = "fuzz.example";
	limits.max_message_size = FUZZ_MAX_SIZE;
	limits.max_line = 200;
	limits.max_command = 256;
	limits.max_rcpts = 5;
	struct lmtp_session *s = lmtp_session_new(&backend, &limits);
	lmtp_session_greet(s, out);
	int closed = 0;
	while (done < size && !closed) {
		seed = seed * 1103515245u + 12345u;
		size_t n = 1 + (seed >> 16) % 300;
		if (n > size - done)
			n = size - done;
		closed = lmtp_session_input(s, (const char *)data + done, n, out);
		done += n;
	}
	if (!closed)
		lmtp_session_timeout(s, out);
	check_replies(out);
	lmtp_session_free(&s);
	g_string_free(out, TRUE);
	return 0;
}
