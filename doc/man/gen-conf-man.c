/* gen-conf-man: writes postdesk.conf(5) (mdoc) to stdout from src/conf/keys.def, the table
 * the loader walks, so the manual page lists exactly the keys the program knows, with
 * their types, defaults and bounds. Run at build time (doc/man/local.mk); not installed.
 * The page's prose (file format, value types) is here; the key list is the table's. */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

struct key {
	char group; /* G [postdesk], Q [queue NAME], M [mailbox NAME] */
	const char *name, *type, *def;
	gboolean required;
	gint64 min, max;
	const char *choices, *doc;
};

#define CONF_KEY(grp, nm, ty, fld, df, rq, mn, mx, ch, dc)                                        \
	{G_STRINGIFY(grp)[0], nm, #ty, df, G_STRINGIFY(rq)[0] == 'R', mn, mx, ch, dc},

static const struct key keys[] = {
#include "../../src/conf/keys.def"
};

/* Text for a line of running text: backslashes escaped, a leading dot or quote defused. */
static void put_text(const char *s)
{
	if (s[0] == '.' || s[0] == '\'')
		fputs("\\&", stdout);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else
			putchar(*s);
	}
	putchar('\n');
}

static const char *type_word(const char *type)
{
	static const char *const words[][2] = {
	    {"STRING", "string"},   {"PATH", "path"},         {"SIZE", "size"},
	    {"DURATION", "duration"}, {"DURATION_MS", "duration"}, {"INT", "integer"},
	    {"ENUM", "word"},       {"CHOICE", "word"},       {"ADDRESS", "address"},
	    {"LISTEN", "listen"},   {"HOSTPORT", "host:port"}, {"HOSTNAME", "hostname"},
	    {"TIMEZONE", "timezone"}, {"HOURS", "hours"},
	};
	for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
		if (strcmp(words[i][0], type) == 0)
			return words[i][1];
	return "string";
}

static void put_key(const struct key *k)
{
	char *doc = g_strdup_printf("%s%s", k->doc, g_str_has_suffix(k->doc, ".") ? "" : ".");

	printf(".It Cm %s No = Ar %s\n", k->name, type_word(k->type));
	doc[0] = g_ascii_toupper(doc[0]);
	put_text(doc);
	g_free(doc);
	if (k->choices != NULL) {
		char **words = g_strsplit(k->choices, "|", -1);
		char *c = g_strjoinv(", ", words);
		printf("One of:\n");
		put_text(c);
		g_free(c);
		g_strfreev(words);
	}
	if (k->required) {
		printf("Required.\n");
	} else if (k->def != NULL) {
		printf("Default:\n.Ql ");
		put_text(k->def[0] != '\0' ? k->def : "\"\"");
	} else {
		printf("Unset by default.\n");
	}
	if (k->min != 0 || k->max != 0) {
		const char *unit = strcmp(k->type, "SIZE") == 0       ? " bytes"
				   : strcmp(k->type, "DURATION") == 0    ? " seconds"
				   : strcmp(k->type, "DURATION_MS") == 0 ? " milliseconds"
									  : "";
		printf("From %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT "%s.\n", k->min, k->max,
		       unit);
	}
}

static void put_group(char group)
{
	printf(".Bl -tag -width Ds\n");
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
		if (keys[i].group == group)
			put_key(&keys[i]);
	printf(".El\n");
}

/* NAME, SYNOPSIS and DESCRIPTION: the file format. */
static void put_head(void)
{
	puts(".\\\" Generated from src/conf/keys.def by doc/man/gen-conf-man.c: do not edit.");
	puts(".Dd December 3, 2026");
	puts(".Dt POSTDESK.CONF 5");
	puts(".Os postdesk " PACKAGE_VERSION);
	puts(".Sh NAME");
	puts(".Nm postdesk.conf");
	puts(".Nd configuration file of the postdesk help desk");
	puts(".Sh SYNOPSIS");
	puts(".Pa " POSTDESK_SYSCONFDIR "/postdesk/postdesk.conf");
	puts(".Sh DESCRIPTION");
	puts("Every postdesk program reads this one file: the path given with");
	puts(".Fl c ,");
	puts("else");
	puts(".Ev POSTDESK_CONF ,");
	puts("else the path above.");
	puts("It is a GLib key file: lines starting with");
	puts(".Ql #");
	puts("are comments, blank lines are ignored,");
	puts(".Ql key = value");
	puts("lines belong to the group named in the last");
	puts(".Ql [group]");
	puts("line above them.");
	puts("A comment cannot follow a value on the same line.");
	puts("Three kinds of group exist:");
	puts(".Ql [postdesk] ,");
	puts("exactly one,");
	puts(".Ql [queue NAME] ,");
	puts("one or more, and");
	puts(".Ql [mailbox NAME] ,");
	puts("none or more (hosted mailboxes that");
	puts(".Xr postdesk-fetchd 8");
	puts("fetches), where NAME is made of a-z, 0-9, _ and -.");
	puts("Any other group and any key not listed below is an error, reported with the");
	puts("file name and line; the daemons then exit with status 78 (EX_CONFIG).");
	puts(".Pp");
	puts(".Nm postdesk Cm config");
	puts("prints the effective configuration in this syntax;");
	puts(".Nm postdesk Cm config Fl n");
	puts("only the keys the file sets.");
}

/* The value types and the placeholders of defaults. */
static void put_types(void)
{
	puts(".Ss Value types");
	puts(".Bl -tag -width hostname");
	puts(".It Ar size");
	puts("an integer with an optional suffix k, M or G (powers of 1024)");
	puts(".It Ar duration");
	puts("an integer with an optional suffix s, m, h or d (and ms where milliseconds are");
	puts("kept); a plain number is seconds");
	puts(".It Ar word");
	puts("one of the listed words");
	puts(".It Ar path");
	puts("an absolute path");
	puts(".It Ar address");
	puts(".Ql local@domain");
	puts(".It Ar listen");
	puts(".Ql unix:/absolute/path");
	puts("or");
	puts(".Ql inet:HOST:PORT");
	puts(".It Ar hostname");
	puts("a DNS host name");
	puts(".It Ar timezone");
	puts("an IANA time zone such as UTC or Europe/Paris");
	puts(".It Ar hours");
	puts(".Ql DAY[-DAY] HH:MM-HH:MM ,");
	puts("for example");
	puts(".Ql mon-fri 09:00-17:00");
	puts(".El");
	puts(".Pp");
	puts("In defaults,");
	puts(".Ql {domain}");
	puts("stands for the value of");
	puts(".Cm domain");
	puts("and");
	puts(".Ql {Name}");
	puts("for the queue's name, capitalised.");
}

int main(void)
{
	put_head();
	put_types();
	puts(".Sh THE [postdesk] GROUP");
	put_group('G');
	puts(".Sh THE [queue NAME] GROUPS");
	put_group('Q');
	puts(".Sh THE [mailbox NAME] GROUPS");
	put_group('M');
	puts(".Sh FILES");
	puts(".Bl -tag -width Ds");
	puts(".It Pa " POSTDESK_SYSCONFDIR "/postdesk/postdesk.conf");
	puts("the configuration file");
	puts(".El");
	puts(".Sh EXAMPLES");
	puts(".Bd -literal -offset indent");
	puts("[postdesk]");
	puts("domain = example.com");
	puts("user = postdesk");
	puts("");
	puts("[queue support]");
	puts("address = support@example.com");
	puts(".Ed");
	puts(".Sh SEE ALSO");
	puts(".Xr postdesk 1 ,");
	puts(".Xr postdesk-lmtpd 8 ,");
	puts(".Xr postdesk-milter 8 ,");
	puts(".Xr postdesk-fetchd 8 ,");
	puts(".Xr postdesk-notifyd 8");
	return 0;
}
