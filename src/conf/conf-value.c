/* conf-value: one parser per value type of the key table (keys.def). Each checks a raw
 * string from the key file and stores the result in the field the table names; the
 * loader (conf.c) turns a failure into a message with file, line and key.
 * Pure functions, no state: safe from any thread. */
#include "config.h"
#include "conf-private.h"
#include "postdesk/lib.h"

#include <string.h>

struct conf_unit {
	const char *suffix;
	gint64 mult;
};

static const struct conf_unit plain_units[] = {{"", 1}, {NULL, 0}};
static const struct conf_unit size_units[] = {
	{"", 1}, {"k", 1024}, {"K", 1024}, {"m", 1024 * 1024}, {"M", 1024 * 1024},
	{"g", 1024 * 1024 * 1024}, {"G", 1024 * 1024 * 1024}, {NULL, 0},
};
static const struct conf_unit duration_units[] = {
	{"", 1}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {NULL, 0},
};
static const struct conf_unit duration_ms_units[] = {
	{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000},
	{NULL, 0},
};
static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

gboolean conf_type_is_string(enum conf_type type)
{
	switch (type) {
	case CONF_T_SIZE:
	case CONF_T_DURATION:
	case CONF_T_DURATION_MS:
	case CONF_T_INT:
	case CONF_T_ENUM:
		return FALSE;
	default:
		return TRUE;
	}
}

/* Digits then one of units' suffixes; -1 on anything else or on overflow. */
static int parse_number(const char *s, const struct conf_unit *units, gint64 *v_r)
{
	gint64 v = 0;
	const char *p = s;

	if (!g_ascii_isdigit(*p))
		return -1;
	for (; g_ascii_isdigit(*p); p++) {
		if (v > (G_MAXINT64 - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	for (; units->suffix != NULL; units++) {
		if (strcmp(p, units->suffix) != 0)
			continue;
		if (v > G_MAXINT64 / units->mult)
			return -1;
		*v_r = v * units->mult;
		return 0;
	}
	return -1;
}

static gboolean is_hostname(const char *s)
{
	size_t label = 0, len = strlen(s);
	const char *p;

	if (len == 0 || len > 253)
		return FALSE;
	for (p = s; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return FALSE;
			label = 0;
			continue;
		}
		if (!g_ascii_isalnum(*p) && !(*p == '-' && label > 0))
			return FALSE;
		if (++label > 63)
			return FALSE;
	}
	return label > 0 && p[-1] != '-';
}

/* local@domain on one line; 0 and the lower-case copy in *addr_r, or -1. */
static int conf_address_parse(const char *raw, char **addr_r)
{
	const char *at = strchr(raw, '@');
	const char *p;

	if (at == NULL || at == raw || strchr(at + 1, '@') != NULL || at - raw > 64)
		return -1;
	for (p = raw; p < at; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("<>()[],;:\\\"", *p) != NULL)
			return -1;
	if (!is_hostname(at + 1))
		return -1;
	*addr_r = util_addr_normalize(raw);
	return 0;
}

/* HOST:PORT, HOST possibly "[v6]"; port 1..65535. */
static gboolean is_hostport(const char *s)
{
	const char *colon = strrchr(s, ':');
	gint64 port;
	size_t hostlen;

	if (colon == NULL || colon == s || strpbrk(s, " \t\r\n") != NULL)
		return FALSE;
	hostlen = colon - s;
	if (s[0] == '[') {
		if (hostlen < 3 || s[hostlen - 1] != ']')
			return FALSE;
	} else if (memchr(s, ':', hostlen) != NULL || memchr(s, ']', hostlen) != NULL) {
		return FALSE;
	}
	if (colon[1] == '0' || parse_number(colon + 1, plain_units, &port) < 0)
		return FALSE;
	return port >= 1 && port <= 65535;
}

static int parse_day(const char **p)
{
	for (size_t i = 0; i < G_N_ELEMENTS(day_names); i++) {
		if (g_ascii_strncasecmp(*p, day_names[i], 3) == 0) {
			*p += 3;
			return (int)i;
		}
	}
	return -1;
}

/* HH:MM, 00:00..24:00; minutes of the day or -1. */
static int parse_hhmm(const char **p)
{
	const char *s = *p;
	int h, m;

	if (!g_ascii_isdigit(s[0]) || !g_ascii_isdigit(s[1]) || s[2] != ':' ||
	    !g_ascii_isdigit(s[3]) || !g_ascii_isdigit(s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	*p = s + 5;
	return h * 60 + m;
}

/* "DAY[-DAY] HH:MM-HH:MM" (a day range may wrap: sun-thu); canonical lower-case copy. */
static char *parse_hours(const char *s)
{
	int d1, d2, t1, t2;

	if ((d1 = parse_day(&s)) < 0)
		return NULL;
	d2 = d1;
	if (*s == '-' && (s++, d2 = parse_day(&s)) < 0)
		return NULL;
	if (*s != ' ' && *s != '\t')
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	if ((t1 = parse_hhmm(&s)) < 0 || *s++ != '-' || (t2 = parse_hhmm(&s)) < 0 || *s != '\0')
		return NULL;
	if (t1 >= t2)
		return NULL;
	if (d1 == d2)
		return g_strdup_printf("%s %02d:%02d-%02d:%02d", day_names[d1], t1 / 60, t1 % 60,
				       t2 / 60, t2 % 60);
	return g_strdup_printf("%s-%s %02d:%02d-%02d:%02d", day_names[d1], day_names[d2], t1 / 60,
			       t1 % 60, t2 / 60, t2 % 60);
}

/* Index of raw in "a|b|c" (case-insensitive), or -1. */
static int parse_choice(const char *choices, const char *raw)
{
	char **list = g_strsplit(choices, "|", -1);
	int found = -1;

	for (int i = 0; list[i] != NULL; i++)
		if (g_ascii_strcasecmp(list[i], raw) == 0)
			found = i;
	g_strfreev(list);
	return found;
}

static char *choice_at(const char *choices, int index)
{
	char **list = g_strsplit(choices, "|", -1);
	char *s = g_strdup(list[index]);

	g_strfreev(list);
	return s;
}

/* Types stored as char *: the value to store, or NULL with *expected_r set. */
static char *parse_string_type(const struct conf_key *k, const char *raw, char **expected_r)
{
	GTimeZone *tz;
	int i;

	switch (k->type) {
	case CONF_T_STRING:
		if (raw[0] != '\0' && !util_has_crlf(raw))
			return g_strdup(raw);
		*expected_r = g_strdup("expected a non-empty string on one line");
		return NULL;
	case CONF_T_PATH:
		if (raw[0] == '/' && !util_has_crlf(raw))
			return g_strdup(raw);
		*expected_r = g_strdup("expected an absolute path");
		return NULL;
	case CONF_T_DATABASE:
		/* A libpq connection URI selects PostgreSQL (doc/scaling.md); anything else is
		 * the SQLite file, as a PATH. No spaces: a URI spells them %20. */
		if (!g_str_has_prefix(raw, "postgresql://") && !g_str_has_prefix(raw, "postgres://")) {
			if (raw[0] == '/' && !util_has_crlf(raw))
				return g_strdup(raw);
			*expected_r = g_strdup("expected an absolute path");
			return NULL;
		}
		if (strpbrk(raw, " \t\r\n") == NULL)
			return g_strdup(raw);
		*expected_r = g_strdup("expected a postgresql:// URI without spaces (%20)");
		return NULL;
	case CONF_T_CHOICE:
		if ((i = parse_choice(k->choices, raw)) >= 0)
			return choice_at(k->choices, i);
		*expected_r = g_strdup_printf("expected one of %s", k->choices);
		return NULL;
	case CONF_T_ADDRESS: {
		char *addr;
		if (conf_address_parse(raw, &addr) == 0)
			return addr;
		*expected_r = g_strdup("expected an address local@domain");
		return NULL;
	}
	case CONF_T_LISTEN:
		if ((g_str_has_prefix(raw, "unix:/") && !util_has_crlf(raw)) ||
		    (g_str_has_prefix(raw, "inet:") && is_hostport(raw + 5)))
			return g_strdup(raw);
		*expected_r = g_strdup("expected unix:/path or inet:HOST:PORT");
		return NULL;
	case CONF_T_HOSTPORT:
		if (is_hostport(raw))
			return g_strdup(raw);
		*expected_r = g_strdup("expected HOST:PORT with a port from 1 to 65535");
		return NULL;
	case CONF_T_HOSTNAME:
		if (is_hostname(raw))
			return util_addr_normalize(raw);
		*expected_r = g_strdup("expected a host name");
		return NULL;
	case CONF_T_TIMEZONE:
		if ((tz = g_time_zone_new_identifier(raw)) != NULL) {
			g_time_zone_unref(tz);
			return g_strdup(raw);
		}
		*expected_r = g_strdup("expected an IANA time zone such as Europe/Paris");
		return NULL;
	case CONF_T_HOURS: {
		char *hours = parse_hours(raw);
		if (hours == NULL)
			*expected_r = g_strdup("expected DAY[-DAY] HH:MM-HH:MM, e.g. mon-fri 09:00-17:00");
		return hours;
	}
	default:
		g_assert_not_reached();
	}
}

static int parse_number_type(const struct conf_key *k, const char *raw, gint64 *v_r,
			     char **expected_r)
{
	const char *what = NULL, *unit = "";
	const struct conf_unit *units = NULL;

	switch (k->type) {
	case CONF_T_SIZE:
		units = size_units, what = "a size (N, Nk, NM or NG)", unit = " bytes";
		break;
	case CONF_T_DURATION:
		units = duration_units, what = "a duration (N, Ns, Nm, Nh or Nd)", unit = " seconds";
		break;
	case CONF_T_DURATION_MS:
		units = duration_ms_units, what = "a duration (N seconds, Nms, Ns, Nm, Nh or Nd)",
		unit = " ms";
		break;
	case CONF_T_INT:
		units = plain_units, what = "an integer";
		break;
	default:
		g_assert_not_reached();
	}
	if (parse_number(raw, units, v_r) < 0 || *v_r < k->min || *v_r > k->max) {
		*expected_r = g_strdup_printf("expected %s from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
					      "%s",
					      what, k->min, k->max, unit);
		return -1;
	}
	return 0;
}

int conf_value_parse(const struct conf_key *k, const char *raw, void *base, char **expected_r)
{
	char *field = (char *)base + k->offset;
	gint64 v;
	int i;

	if (k->type == CONF_T_ENUM) {
		if ((i = parse_choice(k->choices, raw)) < 0) {
			*expected_r = g_strdup_printf("expected one of %s", k->choices);
			return -1;
		}
		*(int *)(void *)field = i;
		return 0;
	}
	if (!conf_type_is_string(k->type)) {
		if (parse_number_type(k, raw, &v, expected_r) < 0)
			return -1;
		*(gint64 *)(void *)field = v;
		return 0;
	}
	char *s = parse_string_type(k, raw, expected_r);
	if (s == NULL)
		return -1;
	g_free(*(char **)(void *)field);
	*(char **)(void *)field = s;
	return 0;
}
