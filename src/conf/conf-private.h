/* conf-private.h: the key table shared by the loader (conf.c) and the value parsers
 * (conf-value.c). Internal to src/conf. */
#ifndef POSTDESK_CONF_PRIVATE_H
#define POSTDESK_CONF_PRIVATE_H

#include "postdesk/conf.h"

#include <stddef.h>

enum conf_group_kind { CONF_GROUP_GLOBAL, CONF_GROUP_QUEUE, CONF_GROUP_MAILBOX };

enum conf_type {
	CONF_T_STRING,      /* any one-line string */
	CONF_T_PATH,        /* absolute path */
	CONF_T_SIZE,        /* bytes, optional k/M/G suffix (powers of 1024) */
	CONF_T_DURATION,    /* seconds, optional s/m/h/d suffix */
	CONF_T_DURATION_MS, /* like DURATION, also "ms"; stored in milliseconds */
	CONF_T_INT,         /* decimal integer */
	CONF_T_ENUM,        /* one of choices; stores its index in an enum field */
	CONF_T_CHOICE,      /* one of choices; stores the string */
	CONF_T_ADDRESS,     /* local@domain, stored lower-case */
	CONF_T_LISTEN,      /* unix:/abs/path or inet:HOST:PORT */
	CONF_T_HOSTPORT,    /* HOST:PORT */
	CONF_T_HOSTNAME,    /* DNS host name, stored lower-case */
	CONF_T_TIMEZONE,    /* IANA identifier GLib can load */
	CONF_T_HOURS,       /* DAY[-DAY] HH:MM-HH:MM */
	CONF_T_DATABASE,    /* absolute path (SQLite) or postgresql:// URI (issue 16) */
};

struct conf_key {
	enum conf_group_kind group;
	const char *name;
	enum conf_type type;
	size_t offset; /* into struct conf, struct conf_queue or struct conf_mailbox */
	const char *def;
	gboolean required;
	gint64 min, max;
	const char *choices;
	const char *doc;
};

extern const struct conf_key conf_keys[];
extern const size_t conf_keys_count;

/* 1 if values of this type live in a char * field (freed by conf_free). */
gboolean conf_type_is_string(enum conf_type type);
/* Parse raw for key k and store it at base + k->offset. On failure returns -1 and sets
 * *expected_r to what was expected ("expected unix:/path or inet:HOST:PORT"), g_malloc'ed. */
int conf_value_parse(const struct conf_key *k, const char *raw, void *base, char **expected_r);
/* A default with "{domain}" (domain) and "{Name}" (qname capitalised, if not NULL) filled
 * in; g_malloc'ed. (conf.c; also used by dump.c) */
char *conf_expand_default(const char *def, const char *domain, const char *qname);

#endif
