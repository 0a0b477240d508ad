/* fuzz_authres: parse_authres_parse() (src/parse/authres.c), the reader of
 * Authentication-Results headers that postdesk-milter and threading run on what senders write, on
 * arbitrary values; the first input byte picks the sender's domain. Invariants: the answer
 * is -1, 0 or 1 and an error comes with a message (and only then); only the known
 * PARSE_AUTHRES_* bits are ever set, and none when the value is not ours; the same value read
 * twice gives the same answer; a value read as ours for one authserv-id is not read for
 * another; and parse_authres_failure() names a failure only when a fail bit is set. */
#include "config.h"
#include "postdesk/parse.h"

#include <string.h>

#include "fuzz.h"

#define FUZZ_ID "mx.example.com"
#define KNOWN_BITS                                                                                 \
	(PARSE_AUTHRES_DKIM_PASS | PARSE_AUTHRES_DKIM_FAIL | PARSE_AUTHRES_SPF_PASS |              \
	 PARSE_AUTHRES_SPF_FAIL | PARSE_AUTHRES_DMARC_FAIL | PARSE_AUTHRES_DMARC_PASS)

static int parse_once(const char *value, const char *id, const char *domain, guint *results_r)
{
	char *error = NULL;
	int ret;

	*results_r = 0;
	ret = parse_authres_parse(value, id, domain, results_r, &error);
	if (ret < -1 || ret > 1)
		fuzz_fail("answer %d", ret);
	if ((ret < 0) != (error != NULL))
		fuzz_fail("answer %d with error %s", ret, error != NULL ? error : "(none)");
	if ((*results_r & ~(guint)KNOWN_BITS) != 0)
		fuzz_fail("unknown result bits %#x", *results_r);
	if (ret == 0 && *results_r != 0)
		fuzz_fail("results from a header that is not ours");
	g_free(error);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const domains[] = {"example.com", "staff.example.com", "", "com"};
	const char *domain;
	char *value;
	guint r1, r2, other;
	const char *failed;
	int ret;

	if (size == 0)
		return 0;
	domain = domains[data[0] % G_N_ELEMENTS(domains)];
	/* libmilter hands over NUL-terminated values: an embedded NUL ends the value. */
	value = g_strndup((const char *)data + 1, size - 1);
	ret = parse_once(value, FUZZ_ID, domain, &r1);
	if (parse_once(value, FUZZ_ID, domain, &r2) != ret || r1 != r2)
		fuzz_fail("two reads of one value differ");
	/* A value names one authserv-id: read as ours, it is not read for another id. */
	if (ret != 0 && parse_once(value, "z" FUZZ_ID, domain, &other) != 0)
		fuzz_fail("a header was read for two authserv-ids");
	failed = parse_authres_failure(r1);
	if (failed != NULL && (r1 & (PARSE_AUTHRES_DKIM_FAIL | PARSE_AUTHRES_SPF_FAIL |
				     PARSE_AUTHRES_DMARC_FAIL)) == 0)
		fuzz_fail("a failure (%s) without a fail result", failed);
	g_free(value);
	return 0;
}
