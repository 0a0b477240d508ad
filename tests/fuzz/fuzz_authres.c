/* fuzz_authres: milter_authres_parse() (src/ingest/milter_authres.c), the reader of
 * Authentication-Results headers that postdesk-milter runs on what senders write, on
 * arbitrary values. Invariants: the answer is -1, 0 or 1; an error comes with a message
 * and leaves the results untouched; only the known AUTHRES_* bits are ever set; the
 * same value read twice gives the same answer; an id that is not ours is never read
 * further for a different id (0, no results); and milter_authres_failure() names a failure only when a
 * fail bit is set. */
#include "config.h"
#include "milter-private.h"

#include <string.h>

#include "fuzz.h"

#define FUZZ_ID "mx.example.com"
#define KNOWN_BITS                                                                                 \
	(AUTHRES_DKIM_PASS | AUTHRES_DKIM_FAIL | AUTHRES_SPF_PASS | AUTHRES_SPF_FAIL |             \
	 AUTHRES_DMARC_FAIL)

static int parse_once(const char *value, const char *id, guint *results_r)
{
	char *error = NULL;
	int ret;

	*results_r = 0;
	ret = milter_authres_parse(value, id, results_r, &error);
	if (ret < -1 || ret > 1)
		fuzz_fail("answer %d", ret);
	if (ret < 0 && (error == NULL || *results_r != 0))
		fuzz_fail("an error without a message, or with results");
	if (ret >= 0 && error != NULL)
		fuzz_fail("a message without an error: %s", error);
	if ((*results_r & ~(guint)KNOWN_BITS) != 0)
		fuzz_fail("unknown result bits %#x", *results_r);
	g_free(error);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* libmilter hands over NUL-terminated values: an embedded NUL ends the value. */
	char *value = g_strndup((const char *)data, size);
	guint r1, r2, other;
	const char *failed;
	int ret = parse_once(value, FUZZ_ID, &r1);

	if (parse_once(value, FUZZ_ID, &r2) != ret || r1 != r2)
		fuzz_fail("two reads of one value differ");
	/* A value names one authserv-id: read as ours, it is not read for another id. */
	if (ret != 0 && (parse_once(value, "z" FUZZ_ID, &other) != 0 || other != 0))
		fuzz_fail("a header was read for two authserv-ids");
	failed = milter_authres_failure(r1);
	if (failed != NULL && (r1 & (AUTHRES_DKIM_FAIL | AUTHRES_SPF_FAIL | AUTHRES_DMARC_FAIL)) == 0)
		fuzz_fail("a failure (%s) without a fail result", failed);
	g_free(value);
	return 0;
}
