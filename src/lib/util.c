/* util: small string and file helpers used across modules. */
#include "config.h"
#include "postdesk/lib.h"

#include <string.h>

char *util_addr_normalize(const char *addr)
{
	char *s = g_strstrip(g_strdup(addr));
	char *p;

	for (p = s; *p != '\0'; p++)
		*p = g_ascii_tolower(*p);
	return s;
}

int util_has_crlf(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

int util_read_file(const char *path, char **data_r, gsize *len_r, char **error_r)
{
	GError *err = NULL;

	if (!g_file_get_contents(path, data_r, len_r, &err)) {
		util_error(error_r, "%s", err->message);
		g_error_free(err);
		return -1;
	}
	return 0;
}

int util_error(char **error_r, const char *fmt, ...)
{
	va_list ap;

	if (error_r == NULL)
		return -1;
	va_start(ap, fmt);
	*error_r = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return -1;
}

gboolean util_flags_have(const char *flags, const char *flag)
{
	gsize n = strlen(flag);
	const char *p = flags;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, flag, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return TRUE;
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return FALSE;
}
