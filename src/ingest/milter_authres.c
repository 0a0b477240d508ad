/* milter_authres: a reader for Authentication-Results header values (RFC 8601) and the
 * rule that turns the results into a refusal of agent mail. Pure functions, no state:
 * callable from any milter thread.
 *
 * The values come from outside and may be hostile: the reader walks one NUL-terminated
 * string forward and never looks past its NUL (every step checks the byte it is on
 * before moving), nests comments with a counter rather than recursion (no stack to
 * exhaust), and costs one pass over the value. It is strict where the grammar decides
 * what a result means (authserv-id, ';', method=result) and lenient in property values,
 * which real verifiers write loosely (header.b=abc/+= is not an RFC 2045 token). */
#include "config.h"
#include "milter-private.h"

#include <string.h>

/* RFC 2045 tspecials: the characters a token may not contain. */
#define AR_TSPECIALS "()<>@,;:\\\"/[]?="

static gboolean ar_is_token_char(char c)
{
	unsigned char u = (unsigned char)c;

	return u > 32 && u < 127 && strchr(AR_TSPECIALS, c) == NULL;
}

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

/* value = token / quoted-string (RFC 2045), appended to out. */
static gboolean ar_value(const char **pp, GString *out)
{
	const char *p = *pp;

	if (*p == '"')
		return ar_quoted(pp, out);
	while (ar_is_token_char(*p))
		p++;
	if (p == *pp)
		return FALSE;
	g_string_append_len(out, *pp, p - *pp);
	*pp = p;
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
 * run of anything up to white space, ';' or a comment. */
static gboolean ar_pvalue(const char **pp)
{
	const char *p = *pp;

	if (*p == '"') {
		if (!ar_quoted(&p, NULL))
			return FALSE;
		if (*p != '@') {
			*pp = p;
			return TRUE;
		}
	}
	while (*p != '\0' && *p != ';' && *p != '(' && *p != '"' && !g_ascii_isspace(*p))
		p++;
	if (p == *pp)
		return FALSE;
	*pp = p;
	return TRUE;
}

/* One resinfo after its ';': method[/version] = result, then "reason=value" and
 * "ptype.property=value" parts (any order). method and result are left lower-case. NULL
 * when it is well formed, else what was wrong. */
static const char *ar_resinfo(const char **pp, GString *method, GString *result, GString *kw)
{
	const char *p = *pp;

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
	for (;;) {
		if (!ar_cfws(&p))
			return "unclosed comment";
		if (*p == ';' || *p == '\0')
			break;
		if (!ar_keyword(&p, kw) || !ar_cfws(&p))
			return "expected reason= or ptype.property=";
		if (*p == '.') {
			p++;
			if (!ar_cfws(&p) || !ar_keyword(&p, kw) || !ar_cfws(&p))
				return "expected a property";
		} else if (strcmp(kw->str, "reason") != 0) {
			return "expected reason= or ptype.property=";
		}
		if (*p != '=')
			return "expected '='";
		p++;
		if (!ar_cfws(&p) || !ar_pvalue(&p))
			return "expected a value";
	}
	*pp = p;
	return NULL;
}

/* The results this module cares about; everything else (other methods, other results) is
 * 0 and changes nothing. */
static guint ar_flag(const char *method, const char *result)
{
	static const struct {
		const char *method, *result;
		guint flag;
	} table[] = {
	    {"dkim", "pass", AUTHRES_DKIM_PASS},   {"dkim", "fail", AUTHRES_DKIM_FAIL},
	    {"spf", "pass", AUTHRES_SPF_PASS},	   {"spf", "fail", AUTHRES_SPF_FAIL},
	    {"dmarc", "fail", AUTHRES_DMARC_FAIL},
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
 * well formed (then the results are OR-ed into *results_r), else what was wrong. */
static const char *ar_results(const char *p, guint *results_r)
{
	GString *method = g_string_new(NULL), *result = g_string_new(NULL);
	GString *kw = g_string_new(NULL);
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
		if ((why = ar_resinfo(&p, method, result, kw)) != NULL)
			break;
		results |= ar_flag(method->str, result->str);
		n++;
	}
	if (why == NULL && n == 0 && !none)
		why = "no result";
	if (why == NULL)
		*results_r |= results;
	g_string_free(method, TRUE);
	g_string_free(result, TRUE);
	g_string_free(kw, TRUE);
	return why;
}

int milter_authres_parse(const char *value, const char *authserv_id, guint *results_r,
			 char **error_r)
{
	const char *p = value, *why = NULL;
	GString *id = g_string_new(NULL);
	gboolean ours;

	/* A header that is not ours is not read further: what it says does not count. */
	ours = ar_cfws(&p) && ar_value(&p, id) && g_ascii_strcasecmp(id->str, authserv_id) == 0;
	g_string_free(id, TRUE);
	if (!ours)
		return 0;
	if (!ar_cfws(&p) || (ar_digits(&p) && !ar_cfws(&p)))
		why = "unclosed comment after the authserv-id";
	else
		why = ar_results(p, results_r);
	if (why != NULL)
		return util_error(error_r, "Authentication-Results from %s: %s", authserv_id, why);
	return 1;
}

const char *milter_authres_failure(guint results)
{
	/* DMARC fails only when neither an aligned DKIM pass nor an aligned SPF pass exists:
	 * it already weighed them, so a pass elsewhere does not outvote it. */
	if (results & AUTHRES_DMARC_FAIL)
		return "dmarc=fail";
	/* One passing method proves the sender (e.g. a second, valid DKIM signature, or SPF
	 * passing where a mailing list broke a signature). */
	if (results & (AUTHRES_DKIM_PASS | AUTHRES_SPF_PASS))
		return NULL;
	if ((results & AUTHRES_DKIM_FAIL) && (results & AUTHRES_SPF_FAIL))
		return "dkim=fail, spf=fail";
	if (results & AUTHRES_DKIM_FAIL)
		return "dkim=fail";
	if (results & AUTHRES_SPF_FAIL)
		return "spf=fail";
	return NULL;
}
