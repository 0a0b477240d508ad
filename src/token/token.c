/* token: signed reply addresses. Builds "LOCAL+<ticket>-<role>-<mac>",
 * "LOCAL+<ticket>-<role><agent>.<day>-<mac>" and "LOCAL+b<id>.<n>-<mac>" and checks them
 * (include/postdesk/token.h has the forms): the MAC is keyed BLAKE2b (libsodium generichash),
 * 10 bytes, base32 lower-case so a case-folding mail system cannot break it; the check is
 * constant-time and tries every key of the ring, newest first. Stateless apart from the
 * read-only key ring: safe from any thread. */
#include "config.h"
#include "postdesk/lib.h"
#include "token-private.h"

#include <string.h>

#define TOKEN_MAC_BYTES 10
#define TOKEN_MAC_CHARS 16 /* 80 bits / 5 bits per base32 character */
#define TOKEN_ID_MAX (G_GINT64_CONSTANT(1) << 53)
#define TOKEN_LOCAL_MAX 64 /* RFC 5321 4.5.3.1.1 */
#define TOKEN_SCORE_MAX 10
#define TOKEN_DAY_MAX 999999 /* the year 4707 */

static const char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

/* RFC 4648 base32 of exactly TOKEN_MAC_BYTES bytes (a multiple of 5: no padding). */
static void token_base32(const unsigned char *in, char out[TOKEN_MAC_CHARS + 1])
{
	guint32 bits = 0;
	int nbits = 0, o = 0;

	for (int i = 0; i < TOKEN_MAC_BYTES; i++) {
		bits = (bits << 8) | in[i];
		nbits += 8;
		while (nbits >= 5) {
			nbits -= 5;
			out[o++] = base32_alphabet[(bits >> nbits) & 31];
		}
	}
	out[o] = '\0';
}

/* Agent and note tokens carry the agent and the day (the old form has neither). */
static gboolean token_bound(const struct token *t)
{
	return (t->role == TOKEN_AGENT || t->role == TOKEN_NOTE) && t->issued != 0;
}

/* The signed text: "<keyver>:<ticket>:<role>[<score>]", "<keyver>:<ticket>:<role>:<agent>.
 * <day>", "<keyver>:b:<id>.<n>" or (old bounce form) "<keyver>:b:<id>". */
static void token_mac(const struct token_key *k, const struct token *t,
		      char out[TOKEN_MAC_CHARS + 1])
{
	unsigned char mac[TOKEN_MAC_BYTES];
	char msg[96];
	int len;

	if (t->role == TOKEN_BOUNCE && t->rcpt != 0)
		len = g_snprintf(msg, sizeof(msg), "%u:b:%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT,
				 k->version, t->id, t->rcpt);
	else if (t->role == TOKEN_BOUNCE)
		len = g_snprintf(msg, sizeof(msg), "%u:b:%" G_GINT64_FORMAT, k->version, t->id);
	else if (token_bound(t))
		len = g_snprintf(msg, sizeof(msg),
				 "%u:%" G_GINT64_FORMAT ":%c:%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT,
				 k->version, t->id, (char)t->role, t->agent, t->issued);
	else if (t->role == TOKEN_SURVEY)
		len = g_snprintf(msg, sizeof(msg), "%u:%" G_GINT64_FORMAT ":s%d", k->version, t->id,
				 t->score);
	else
		len = g_snprintf(msg, sizeof(msg), "%u:%" G_GINT64_FORMAT ":%c", k->version, t->id,
				 (char)t->role);
	crypto_generichash(mac, sizeof(mac), (const unsigned char *)msg, (size_t)len, k->key,
			   sizeof(k->key));
	token_base32(mac, out);
}

static gboolean token_role_ok(const struct token *t)
{
	if (t->agent < 0 || t->agent > TOKEN_ID_MAX || t->issued < 0 || t->issued > TOKEN_DAY_MAX ||
	    t->rcpt < 0 || t->rcpt > TOKEN_ID_MAX || (t->issued == 0 && t->agent != 0))
		return FALSE;
	if (t->role != TOKEN_BOUNCE && t->rcpt != 0)
		return FALSE;
	if (t->role != TOKEN_AGENT && t->role != TOKEN_NOTE && t->issued != 0)
		return FALSE;
	switch (t->role) {
	case TOKEN_CUSTOMER:
	case TOKEN_AGENT:
	case TOKEN_NOTE:
	case TOKEN_OPTOUT:
	case TOKEN_SOLVED:
	case TOKEN_BOUNCE:
	case TOKEN_COMMAND:
		return TRUE;
	case TOKEN_SURVEY:
		return t->score >= 0 && t->score <= TOKEN_SCORE_MAX;
	}
	return FALSE;
}

int token_address(const struct token_keys *keys, const char *local, const char *domain,
		  const struct token *t, char **addr_r, char **error_r)
{
	char mac[TOKEN_MAC_CHARS + 1], *detail, *llocal, *ldomain;
	size_t len;

	if (local[0] == '\0' || domain[0] == '\0' || strpbrk(local, "\r\n\t @+") != NULL ||
	    strpbrk(domain, "\r\n\t @") != NULL)
		return util_error(error_r, "token: bad local part or domain");
	if (t->id < 1 || t->id > TOKEN_ID_MAX || !token_role_ok(t))
		return util_error(error_r, "token: bad token (id %" G_GINT64_FORMAT ", role %d)",
				  t->id, (int)t->role);
	token_mac(&keys->keys[0], t, mac);
	if (t->role == TOKEN_BOUNCE && t->rcpt != 0)
		detail = g_strdup_printf("b%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT "-%s", t->id,
					 t->rcpt, mac);
	else if (t->role == TOKEN_BOUNCE)
		detail = g_strdup_printf("b%" G_GINT64_FORMAT "-%s", t->id, mac);
	else if (token_bound(t))
		detail = g_strdup_printf("%" G_GINT64_FORMAT "-%c%" G_GINT64_FORMAT
					 ".%" G_GINT64_FORMAT "-%s",
					 t->id, (char)t->role, t->agent, t->issued, mac);
	else if (t->role == TOKEN_SURVEY)
		detail = g_strdup_printf("%" G_GINT64_FORMAT "-s%d-%s", t->id, t->score, mac);
	else
		detail = g_strdup_printf("%" G_GINT64_FORMAT "-%c-%s", t->id, (char)t->role, mac);
	len = strlen(local) + 1 + strlen(detail);
	if (len > TOKEN_LOCAL_MAX) {
		g_free(detail);
		return util_error(error_r, "token: local part would be %zu octets (at most %d)", len,
				  TOKEN_LOCAL_MAX);
	}
	llocal = g_ascii_strdown(local, -1);
	ldomain = g_ascii_strdown(domain, -1);
	*addr_r = g_strconcat(llocal, "+", detail, "@", ldomain, NULL);
	g_free(llocal);
	g_free(ldomain);
	g_free(detail);
	return 0;
}

/* Decimal without leading zeros, up to max; the end of the digits or NULL. */
static const char *token_number(const char *p, gint64 max, gint64 *v_r)
{
	const char *start = p;
	gint64 v = 0;

	for (; g_ascii_isdigit(*p); p++) {
		if (v > max / 10)
			return NULL;
		v = v * 10 + (*p - '0');
	}
	if (p == start || (start[0] == '0' && p - start > 1) || v > max)
		return NULL;
	*v_r = v;
	return p;
}

/* "<digits>[.<digits>]" at p: the end, with *dot_r at the '.' (or NULL). */
static const char *token_span(const char *p, const char **dot_r)
{
	*dot_r = NULL;
	p += strspn(p, "0123456789");
	if (*p == '.') {
		*dot_r = p++;
		p += strspn(p, "0123456789");
	}
	return p;
}

/* The fields of a detail already of token shape: FALSE if one cannot be ours (an unknown
 * role, a number out of range or with leading zeros, a field the role does not have). */
static gboolean token_fields(char role, const char *num, const char *extra,
			     const char *extra_dot, struct token *t)
{
	gint64 a = -1, b = 0;

	memset(t, 0, sizeof(*t));
	t->score = -1;
	if (token_number(num, TOKEN_ID_MAX, &t->id) == NULL || t->id < 1)
		return FALSE;
	if (strchr("bcanuskr", role) == NULL)
		return FALSE;
	t->role = (enum token_role)role;
	if (extra == NULL || *extra == '-')
		return role != 's'; /* a survey token needs its score */
	if (role == 's')
		return extra_dot == NULL && token_number(extra, TOKEN_SCORE_MAX, &a) != NULL &&
		       (t->score = (int)a, TRUE);
	if ((role != 'a' && role != 'n' && role != 'b') || extra_dot == NULL ||
	    token_number(extra, TOKEN_ID_MAX, &a) != extra_dot ||
	    token_number(extra_dot + 1, TOKEN_DAY_MAX, &b) == NULL || b < 1)
		return FALSE;
	if (role == 'b')
		t->rcpt = b;
	else
		t->agent = a, t->issued = b;
	return TRUE;
}

/* Does d have the shape "<digits>-<letter>[<digits>[.<digits>]]-<16 base32>" or
 * "b<digits>[.<digits>]-<16 base32>"? 0 if not (not a token), 1 with *t_r and *mac_r set,
 * -1 if the shape is a token's but a field is impossible (token_fields). */
static int token_parse_detail(const char *d, struct token *t_r, const char **mac_r)
{
	const char *p = d, *num, *extra = NULL, *dot = NULL, *mac;
	gboolean bounce = *p == 'b';
	char role = 'b';

	/* The shape first: anything else is not a token at all. */
	p += bounce ? 1 : 0;
	num = p;
	p += strspn(p, "0123456789");
	if (bounce && *p == '.' && p != num) {
		/* "b<id>.<n>": the row id, then the recipient's index in the extra field */
		extra = p + 1;
		p = token_span(extra, &dot);
		if (dot != NULL)
			return 0;
		dot = extra - 1;
		extra = num;
	}
	if (p == num || *p++ != '-')
		return 0;
	if (!bounce) {
		if (!g_ascii_islower(*p))
			return 0;
		role = *p++;
		extra = p;
		p = token_span(p, &dot);
		if (*p++ != '-')
			return 0;
	}
	mac = p;
	if (strlen(mac) != TOKEN_MAC_CHARS || strspn(mac, base32_alphabet) != TOKEN_MAC_CHARS)
		return 0;
	/* Then the fields: a token-shaped detail that cannot be ours is BAD. */
	if (!token_fields(role, num, extra, dot, t_r))
		return -1;
	*mac_r = mac;
	return 1;
}

enum token_check token_check_local(const struct token_keys *keys, const char *local,
				   struct token *t_r, char **base_r)
{
	/* Some systems fold the local part to upper case; tokens are made lower-case. */
	char *lc = g_ascii_strdown(local, -1), *plus = strchr(lc, '+');
	enum token_check ret = TOKEN_BAD;
	char mac[TOKEN_MAC_CHARS + 1];
	const char *given = NULL;
	gint64 now = clock_now();
	struct token t;
	int shape;

	if (base_r != NULL)
		*base_r = g_strndup(lc, plus != NULL ? (gsize)(plus - lc) : strlen(lc));
	shape = plus != NULL ? token_parse_detail(plus + 1, &t, &given) : 0;
	if (shape == 0)
		ret = TOKEN_NONE;
	for (size_t i = 0; shape == 1 && i < keys->count && ret != TOKEN_VALID; i++) {
		/* A rotated-out key verifies until its grace period ends (token_keys_rotate). */
		if (keys->keys[i].expires != 0 && keys->keys[i].expires <= now)
			continue;
		token_mac(&keys->keys[i], &t, mac);
		if (sodium_memcmp(mac, given, TOKEN_MAC_CHARS) == 0)
			ret = TOKEN_VALID;
	}
	if (ret == TOKEN_VALID && t_r != NULL)
		*t_r = t;
	g_free(lc);
	return ret;
}
