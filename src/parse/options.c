/* options.c: the module's one-time start-up (GMime, libxml2) and the parser options every
 * file of the module reads mail with. A leaf: it calls nothing else in src/parse, so
 * parse.c, mime.c and dsn.c can all use it without calling each other. The options are
 * built once (GOnce) and only read afterwards: safe from any thread. */
#include <libxml/parser.h>

#include "parse-private.h"

static GMimeParserOptions *options;

static gpointer init_once(gpointer data)
{
	g_mime_init();
	xmlInitParser();
	options = g_mime_parser_options_new();
	/* 8-bit bytes in raw headers: UTF-8 if valid, else windows-1252 */
	static const char *fallback[] = {"utf-8", "windows-1252", NULL};
	g_mime_parser_options_set_fallback_charsets(options, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	return NULL;
}

void parse_init(void)
{
	static GOnce once = G_ONCE_INIT;
	g_once(&once, init_once, NULL);
}

GMimeParserOptions *parse_options(void)
{
	parse_init();
	return options;
}
