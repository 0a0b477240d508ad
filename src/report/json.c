/* json: the one home of json-glib in the tree — a small writer over JsonBuilder for the
 * report's JSON and the admin tool's --json output (doc/json.md), so that JSON is never
 * hand-rolled and every member is written the same way (times as ISO 8601 UTC, absent
 * values as null). A struct report_json belongs to one caller; no shared state. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/report.h"

#include "json-private.h"

struct report_json *report_json_new(void)
{
	struct report_json *j = g_new0(struct report_json, 1);

	j->b = json_builder_new();
	return j;
}

void report_json_free(struct report_json **j)
{
	if (*j == NULL)
		return;
	g_object_unref((*j)->b);
	g_free(*j);
	*j = NULL;
}

static void member(struct report_json *j, const char *name)
{
	if (name != NULL)
		json_builder_set_member_name(j->b, name);
}

void report_json_begin_object(struct report_json *j, const char *name)
{
	member(j, name);
	json_builder_begin_object(j->b);
}

void report_json_end_object(struct report_json *j)
{
	json_builder_end_object(j->b);
}

void report_json_begin_array(struct report_json *j, const char *name)
{
	member(j, name);
	json_builder_begin_array(j->b);
}

void report_json_end_array(struct report_json *j)
{
	json_builder_end_array(j->b);
}

void report_json_null(struct report_json *j, const char *name)
{
	member(j, name);
	json_builder_add_null_value(j->b);
}

void report_json_str(struct report_json *j, const char *name, const char *value)
{
	member(j, name);
	if (value == NULL)
		json_builder_add_null_value(j->b);
	else
		json_builder_add_string_value(j->b, value);
}

void report_json_int(struct report_json *j, const char *name, gint64 value)
{
	member(j, name);
	json_builder_add_int_value(j->b, value);
}

void report_json_id(struct report_json *j, const char *name, gint64 id)
{
	if (id == 0)
		report_json_null(j, name);
	else
		report_json_int(j, name, id);
}

void report_json_double(struct report_json *j, const char *name, double value)
{
	member(j, name);
	json_builder_add_double_value(j->b, value);
}

void report_json_bool(struct report_json *j, const char *name, gboolean value)
{
	member(j, name);
	json_builder_add_boolean_value(j->b, value);
}

void report_json_time(struct report_json *j, const char *name, gint64 t)
{
	char *s;

	if (t == 0) {
		report_json_null(j, name);
		return;
	}
	s = clock_format(t);
	report_json_str(j, name, s);
	g_free(s);
}

char *report_json_text(struct report_json *j, gboolean pretty)
{
	JsonGenerator *gen = json_generator_new();
	JsonNode *root = json_builder_get_root(j->b);
	char *text;

	json_generator_set_pretty(gen, pretty);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	g_object_unref(gen);
	json_node_unref(root);
	return text;
}

void report_json_print(struct report_json **j, FILE *out)
{
	char *text = report_json_text(*j, TRUE);

	fputs(text, out);
	fputc('\n', out);
	g_free(text);
	report_json_free(j);
}
