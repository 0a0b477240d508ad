/* json-private.h: the writer's inside, for format.c, which builds the report's JSON with
 * JsonBuilder calls of its own. Not included outside src/report/. */
#ifndef POSTDESK_REPORT_JSON_PRIVATE_H
#define POSTDESK_REPORT_JSON_PRIVATE_H

#include <json-glib/json-glib.h>

struct report_json {
	JsonBuilder *b;
};

#endif
