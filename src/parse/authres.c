/* authres: a reader for Authentication-Results header values (RFC 8601) and the
 * rule that turns the results into a refusal of agent mail. Pure functions, no state:
 * callable from any thread. Used by the milter (agent mail) and by threading (whether
 * the MTA vouches for a customer's From domain: dmarc=pass for header.from).
 *
 * The values come from outside and may be hostile: the reader walks one NUL-terminated
 * string forward and never looks past its NUL (every step checks the byte it is on
 * before moving), nests comments with a counter rather than recursion (no stack to
 * exhaust), and costs one pass over the value. It is strict where the grammar decides
 * what a result means (authserv-id, ';', method=result) and lenient in property values,
 * which real verifiers write loosely (header.b=abc/+= is not an RFC 2045 token). */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/parse.h"

#include <string.h>

/* Skip CFWS: white space (folding included) and comments, which nest and may hold
 * quoted-pairs. FALSE if a comment is still open at the end of the value. */
static gboolean ar_cfws(const char **pp)
{
	const char *p = *pp;
	gsize depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '(')
			depth++;
		else if (depth > 0 && *p == ')')
			depth--;
		else if (depth > 0 && *p == '\\' && p[1] != '\0')
			p++; /* quoted-pair: the next byte is taken literally */
		else if (depth == 0 && !g_ascii_isspace(*p))
			break;
	}
	*pp = p;
	return depth == 0;
}

/* A quoted-string at *pp (on its '"'); its content, unescaped, appended to out unless out is
 * NULL. FALSE if it is not closed. */
static gboolean ar_quoted(const char **pp, GString *out)
{
	const char *p = *pp + 1;

	for (; *p != '"'; p++) {
		if (*p == '\0')
			return FALSE;
		if (*p == '\\' && p[1] != '\0')
			p++;
		if (out != NULL)
			g_string_append_c(out, *p);
	}
	*pp = p + 1;
	return TRUE;
}

/* Keyword: letters, digits and '-' (RFC 5321 Ldh-str, read a little loosely), lower-cased
 * into kw (which is cleared first). */
static gboolean ar_keyword(const char **pp, GString *kw)
{
	const char *p = *pp;

	g_string_truncate(kw, 0);
	while (g_ascii_isalnum(*p) || *p == '-')
		g_string_append_c(kw, g_ascii_tolower(*p++));
	*pp = p;
	return kw->len > 0;
}

static gboolean ar_digits(const char **pp)
{
	const char *p = *pp;

	while (g_ascii_isdigit(*p))
		p++;
	if (p == *pp)
		return FALSE;
	*pp = p;
	return TRUE;
}

/* A property value: a quoted-string (optionally as the local part of local@domain) or a
 * run of anything up to white space, ';' or a comment. Its text (a quoted part unescaped)
 * replaces out's. */
static gboolean ar_pvalue(const char **pp, GString *out)
{
	const char *p = *pp, *run;

	g_string_truncate(out, 0);
	if (*p == '"') {
		if (!ar_quoted(&p, out))
			return FALSE;
		if (*p != '@') {
			*pp = p;
			return TRUE;
		}
	}
	run = p;
	while (*p != '\0' && *p != ';' && *p != '(' && *p != '"' && !g_ascii_isspace(*p))
		p++;
	if (p == *pp)
		return FALSE;
	g_string_append_len(out, run, p - run);
	*pp = p;
	return TRUE;
}

/* The properties of one resinfo that say whose result it is. */
struct ar_props {
	GString *d;	   /* dkim header.d: the signing domain */
	GString *i;	   /* dkim header.i: the signing identity (@domain or local@domain) */
	GString *mailfrom; /* spf smtp.mailfrom: the envelope sender (or its domain) checked */
	GString *from;	   /* dmarc header.from: the From domain the policy was applied to */
	GString *value;	   /* scratch */
};

/* Keep the value of ptype.property if it is one of ar_props'. */
static void ar_prop_keep(struct ar_props *props, const char *ptype, const char *property)
{
	GString *to = NULL;

	if (strcmp(ptype, "header") == 0 && strcmp(property, "d") == 0)
		to = props->d;
	else if (strcmp(ptype, "header") == 0 && strcmp(property, "i") == 0)
		to = props->i;
	else if (strcmp(ptype, "smtp") == 0 && strcmp(property, "mailfrom") == 0)
		to = props->mailfrom;
	else if (strcmp(ptype, "header") == 0 && strcmp(property, "from") == 0)
		to = props->from;
	if (to != NULL)
		g_string_assign(to, props->value->str);
}

/* One resinfo after its ';': method[/version] = result, then "reason=value" and
 * "ptype.property=value" parts (any order). method and result are left lower-case, the
 * properties that say whose result it is in props. NULL when it is well formed, else what
 * was wrong. */
static const char *ar_resinfo(const char **pp, GString *method, GString *result, GString *kw,
			      struct ar_props *props)
{
	const char *p = *pp;
	char *ptype = NULL;

	if (!ar_cfws(&p) || !ar_keyword(&p, method) || !ar_cfws(&p))
		return "expected a method";
	if (*p == '/') {
		p++;
		if (!ar_cfws(&p) || !ar_digits(&p) || !ar_cfws(&p))
			return "expected a method version";
	}
	if (*p != '=')
		return "expected '=' after the method";
	p++;
	if (!ar_cfws(&p) || !ar_keyword(&p, result))
		return "expected a result";
	g_string_truncate(props->d, 0);
	g_string_truncate(props->i, 0);
	g_string_truncate(props->mailfrom, 0);
	g_string_truncate(props->from, 0);
	for (;;) {
		const char *why = NULL;

		if (!ar_cfws(&p))
			return "unclosed comment";
		if (*p == ';' || *p == '\0')
			break;
		if (!ar_keyword(&p, kw) || !ar_cfws(&p))
			return "expected reason= or ptype.property=";
		ptype = g_strdup(kw->str);
		if (*p == '.') {
			p++;
			if (!ar_cfws(&p) || !ar_keyword(&p, kw) || !ar_cfws(&p))
				why = "expected a property";
		} else if (strcmp(ptype, "reason") != 0) {
			why = "expected reason= or ptype.property=";
		}
		if (why == NULL && *p != '=')
			why = "expected '='";
		else if (why == NULL)
			p++;
		if (why == NULL && (!ar_cfws(&p) || !ar_pvalue(&p, props->value)))
			why = "expected a value";
		if (why == NULL)
			ar_prop_keep(props, ptype, kw->str);
		g_clear_pointer(&ptype, g_free);
		if (why != NULL)
			return why;
	}
	*pp = p;
	return NULL;
}

/* Relaxed alignment (after DMARC, RFC 7489 3.1, without the public suffix list): the
 * same domain, or one a subdomain of the other. A domain nobody can sign for (a public
 * suffix) cannot appear in a result our MTA wrote. */
static gboolean ar_aligned(const char *a, const char *b)
{
	gsize la = strlen(a), lb = strlen(b);

	if (la == 0 || lb == 0)
		return FALSE;
	if (la == lb)
		return g_ascii_strcasecmp(a, b) == 0;
	if (la < lb) {
		const char *t = a;
		gsize lt = la;
		a = b, la = lb, b = t, lb = lt;
	}
	return a[la - lb - 1] == '.' && g_ascii_strcasecmp(a + la - lb, b) == 0;
}

/* The domain of an address or identity ("local@domain", "@domain") or a bare domain. */
static const char *ar_domain(const char *s)
{
	const char *at = strrchr(s, '@');

	return at != NULL ? at + 1 : s;
}

/* Whether a result is about the envelope sender's domain: a DKIM signature by (header.d,
 * else the domain of header.i) a domain aligned with it; an SPF check of (smtp.mailfrom)
 * an address in an aligned domain, or with no smtp.mailfrom, of this message's non-null
 * envelope sender. A DMARC pass counts only for header.from equal to the domain asked
 * about (DMARC itself did the alignment); a DMARC failure always counts. */
static gboolean ar_about_sender(const char *method, const char *result,
				const struct ar_props *props, const char *sender_domain)
{
	if (strcmp(method, "dmarc") == 0 && strcmp(result, "pass") == 0)
		return sender_domain[0] != '\0' &&
		       g_ascii_strcasecmp(props->from->str, sender_domain) == 0;
	if (strcmp(method, "dkim") == 0) {
		const char *d = props->d->len > 0 ? props->d->str : ar_domain(props->i->str);
		return ar_aligned(d, sender_domain);
	}
	if (strcmp(method, "spf") == 0)
		return props->mailfrom->len == 0
			   ? sender_domain[0] != '\0' /* <> is checked by HELO: not a sender */
			   : ar_aligned(ar_domain(props->mailfrom->str), sender_domain);
	return TRUE;
}

/* The results this module cares about; everything else (other methods, other results) is
 * 0 and changes nothing. */
static guint ar_flag(const char *method, const char *result)
{
	static const struct {
		const char *method, *result;
		guint flag;
	} table[] = {
	    {"dkim", "pass", PARSE_AUTHRES_DKIM_PASS},
	    {"dkim", "fail", PARSE_AUTHRES_DKIM_FAIL},
	    {"spf", "pass", PARSE_AUTHRES_SPF_PASS},
	    {"spf", "fail", PARSE_AUTHRES_SPF_FAIL},
	    {"dmarc", "fail", PARSE_AUTHRES_DMARC_FAIL},
	    {"dmarc", "pass", PARSE_AUTHRES_DMARC_PASS},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(table); i++) {
		if (strcmp(method, table[i].method) == 0 && strcmp(result, table[i].result) == 0)
			return table[i].flag;
	}
	return 0;
}

/* "none" alone after the first ';': no method was applied. */
static gboolean ar_none(const char *p, GString *kw)
{
	return ar_cfws(&p) && ar_keyword(&p, kw) && strcmp(kw->str, "none") == 0 && ar_cfws(&p) &&
	       *p == '\0';
}

/* Everything after the authserv-id (and version): ( ";" "none" / 1*resinfo ). NULL when
 * well formed, else what was wrong. Either way the results of the resinfos read whole are
 * OR-ed into *results_r: a value a sender wrote into a property (a DKIM identity, the
 * envelope sender) must not make the MTA's dmarc=fail before it disappear. */
static const char *ar_results(const char *p, const char *sender_domain, guint *results_r)
{
	GString *method = g_string_new(NULL), *result = g_string_new(NULL);
	GString *kw = g_string_new(NULL);
	struct ar_props props = {g_string_new(NULL), g_string_new(NULL), g_string_new(NULL),
				 g_string_new(NULL), g_string_new(NULL)};
	const char *why = NULL;
	guint results = 0, n = 0;
	gboolean none = FALSE;

	while (*p != '\0') {
		if (*p != ';') {
			why = "expected ';'";
			break;
		}
		p++;
		if (n == 0 && ar_none(p, kw)) {
			none = TRUE;
			break;
		}
		if ((why = ar_resinfo(&p, method, result, kw, &props)) != NULL)
			break;
		if (ar_about_sender(method->str, result->str, &props, sender_domain))
			results |= ar_flag(method->str, result->str);
		n++;
	}
	if (why == NULL && n == 0 && !none)
		why = "no result";
	*results_r |= results;
	g_string_free(method, TRUE);
	g_string_free(result, TRUE);
	g_string_free(kw, TRUE);
	g_string_free(props.d, TRUE);
	g_string_free(props.i, TRUE);
	g_string_free(props.mailfrom, TRUE);
	g_string_free(props.from, TRUE);
	g_string_free(props.value, TRUE);
	return why;
}

/* Whether value starts with authserv_id as our MTA writes it: white space, then the id as
 * a plain token (ASCII case ignored), then the end, white space, ';' or a comment. A
 * comment before it or a quoted id is legal RFC 8601 but not what our MTA writes, and
 * exactly what a sender would use to slip past a header_checks rule that strips forged
 * copies (doc/milter.md): such a header is not ours. On TRUE, *rest_r follows the id. */
static gboolean ar_ours(const char *value, const char *authserv_id, const char **rest_r)
{
	const char *p = value;
	gsize n = strlen(authserv_id);

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (n == 0 || g_ascii_strncasecmp(p, authserv_id, n) != 0)
		return FALSE;
	p += n;
	if (*p != '\0' && *p != ';' && *p != '(' && !g_ascii_isspace(*p))
		return FALSE;
	*rest_r = p;
	return TRUE;
}

int parse_authres_parse(const char *value, const char *authserv_id, const char *sender_domain,
			guint *results_r, char **error_r)
{
	const char *p, *why;

	/* A header that is not ours is not read further: what it says does not count. */
	if (!ar_ours(value, authserv_id, &p))
		return 0;
	if (!ar_cfws(&p) || (ar_digits(&p) && !ar_cfws(&p)))
		why = "unclosed comment after the authserv-id";
	else
		why = ar_results(p, sender_domain, results_r);
	if (why != NULL)
		return util_error(error_r, "Authentication-Results from %s: %s", authserv_id, why);
	return 1;
}

const char *parse_authres_failure(guint results)
{
	/* DMARC fails only when neither an aligned DKIM pass nor an aligned SPF pass exists:
	 * it already weighed them, so a pass elsewhere does not outvote it. */
	if (results & PARSE_AUTHRES_DMARC_FAIL)
		return "dmarc=fail";
	/* One passing method about the sender's domain proves the sender (a second, valid
	 * signature of that domain, or SPF passing where a relay broke a signature): the
	 * results were filtered by alignment when read, so a pass for a domain the sender
	 * controls cannot outvote a failure for the agent's domain. */
	if (results & (PARSE_AUTHRES_DKIM_PASS | PARSE_AUTHRES_SPF_PASS))
		return NULL;
	if ((results & PARSE_AUTHRES_DKIM_FAIL) && (results & PARSE_AUTHRES_SPF_FAIL))
		return "dkim=fail, spf=fail";
	if (results & PARSE_AUTHRES_DKIM_FAIL)
		return "dkim=fail";
	if (results & PARSE_AUTHRES_SPF_FAIL)
		return "spf=fail";
	return NULL;
}
