/* order: reading the JSON an order_lookup command prints (issue 14, doc/orders.md) into
 * the few fields agents see. Here because report/ is the one home of json-glib. The input
 * is a shop's word, so every value is made safe to show in a mail body: control
 * characters become spaces and each field is cut to a bounded length. Pure functions, no
 * shared state. */
#include "config.h"
#include "postdesk/lib.h"
#include "postdesk/report.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define ORDER_FIELD_MAX 200  /* characters of status, tracking, total */
#define ORDER_ITEMS_MAX 600  /* characters of the items line */
#define ORDER_ITEMS_SHOWN 10 /* items listed; the rest counted */

void report_order_free(struct report_order **op)
{
	struct report_order *o = *op;

	if (o == NULL)
		return;
	*op = NULL;
	g_free(o->status);
	g_free(o->tracking);
	g_free(o->total);
	g_free(o->items);
	g_free(o);
}

/* text with control characters made spaces, at most max characters (UTF-8 kept whole). */
static char *order_clean(const char *text, glong max)
{
	char *s = g_utf8_make_valid(text != NULL ? text : "", -1), *cut;

	for (char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if (g_utf8_strlen(s, -1) <= max)
		return g_strstrip(s);
	cut = g_utf8_substring(s, 0, max - 3);
	g_free(s);
	s = g_strconcat(g_strstrip(cut), "...", NULL);
	g_free(cut);
	return s;
}

/* A member as text: a string as it is, a number printed, anything else NULL. The first
 * of names that the object has wins (shops spell things differently). */
static char *order_member_text(JsonObject *o, const char *const *names)
{
	for (; *names != NULL; names++) {
		JsonNode *n = json_object_get_member(o, *names);
		if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
			continue;
		switch (json_node_get_value_type(n)) {
		case G_TYPE_STRING:
			return g_strdup(json_node_get_string(n));
		case G_TYPE_INT64:
			return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
		case G_TYPE_DOUBLE:
			return g_strdup_printf("%.2f", json_node_get_double(n));
		default:
			continue;
		}
	}
	return NULL;
}

static char *order_field(JsonObject *o, const char *const *names, glong max)
{
	char *raw = order_member_text(o, names), *clean = order_clean(raw, max);

	g_free(raw);
	return clean;
}

/* "2 x Mug, T-shirt": items as objects (name or title, quantity) or plain strings. */
static char *order_items(JsonObject *o)
{
	static const char *const item_names[] = {"name", "title", "sku", NULL};
	static const char *const qty_names[] = {"quantity", "qty", NULL};
	JsonNode *n = json_object_get_member(o, "items");
	GString *s = g_string_new("");
	JsonArray *a;
	guint len;
	char *clean;

	if (n != NULL && JSON_NODE_HOLDS_ARRAY(n)) {
		a = json_node_get_array(n);
		len = json_array_get_length(a);
		for (guint i = 0; i < len && i < ORDER_ITEMS_SHOWN; i++) {
			JsonNode *e = json_array_get_element(a, i);
			char *name = NULL, *qty = NULL;
			if (JSON_NODE_HOLDS_OBJECT(e)) {
				name = order_member_text(json_node_get_object(e), item_names);
				qty = order_member_text(json_node_get_object(e), qty_names);
			} else if (JSON_NODE_HOLDS_VALUE(e) &&
				   json_node_get_value_type(e) == G_TYPE_STRING)
				name = g_strdup(json_node_get_string(e));
			g_string_append_printf(s, "%s%s%s%s", i > 0 ? ", " : "", qty ? qty : "",
					       qty ? " x " : "", name ? name : "?");
			g_free(name);
			g_free(qty);
		}
		if (len > ORDER_ITEMS_SHOWN)
			g_string_append_printf(s, ", and %u more", len - ORDER_ITEMS_SHOWN);
	}
	clean = order_clean(s->str, ORDER_ITEMS_MAX);
	g_string_free(s, TRUE);
	return clean;
}

int report_order_parse(const char *json, gsize len, struct report_order **o_r,
		       char **error_r)
{
	static const char *const status_names[] = {"status", "state", "fulfillment_status", NULL};
	static const char *const tracking_names[] = {"tracking", "tracking_number",
						     "tracking_url", NULL};
	static const char *const total_names[] = {"total", "total_price", NULL};
	static const char *const currency_names[] = {"currency", NULL};
	JsonParser *p = json_parser_new();
	GError *err = NULL;
	JsonNode *root;
	struct report_order *o;
	char *total, *currency;

	*o_r = NULL;
	if (!json_parser_load_from_data(p, json, (gssize)len, &err)) {
		util_error(error_r, "not JSON: %s", err->message);
		g_error_free(err);
		g_object_unref(p);
		return -1;
	}
	root = json_parser_get_root(p);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_object_unref(p);
		return util_error(error_r, "not a JSON object");
	}
	JsonObject *obj = json_node_get_object(root);
	o = g_new0(struct report_order, 1);
	o->status = order_field(obj, status_names, ORDER_FIELD_MAX);
	o->tracking = order_field(obj, tracking_names, ORDER_FIELD_MAX);
	total = order_member_text(obj, total_names);
	currency = order_member_text(obj, currency_names);
	if (total != NULL && currency != NULL) {
		char *both = g_strdup_printf("%s %s", total, currency);
		g_free(total);
		total = both;
	}
	o->total = order_clean(total, ORDER_FIELD_MAX);
	o->items = order_items(obj);
	g_free(total);
	g_free(currency);
	g_object_unref(p);
	*o_r = o;
	return 0;
}
