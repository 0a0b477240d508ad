/* verdict: the one delivery result every edge maps from (LMTP reply, milter, exit code). */
#include "config.h"
#include "postdesk/lib.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

void verdict_set(struct verdict *v, enum verdict_status status, int smtp, const char *enh,
		 const char *fmt, ...)
{
	va_list ap;
	char *p;

	v->status = status;
	v->smtp = smtp;
	g_strlcpy(v->enh, enh, sizeof(v->enh));
	va_start(ap, fmt);
	vsnprintf(v->text, sizeof(v->text), fmt, ap);
	va_end(ap);
	/* A reason may quote input (an address, an SQLite message): keep it one line. */
	for (p = v->text; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
}

int verdict_exit_code(const struct verdict *v)
{
	switch (v->status) {
	case VERDICT_OK:
		return 0;
	case VERDICT_TEMPFAIL:
		return EX_TEMPFAIL;
	case VERDICT_PERMFAIL:
		break;
	}
	return strncmp(v->enh, "5.1.", 4) == 0 ? EX_NOUSER : EX_DATAERR;
}
