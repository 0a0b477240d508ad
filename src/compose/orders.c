/* orders: the order and customer variables of agent notices and macros (issue 14,
 * doc/orders.md, doc/templates.md): {{orders}}, a readable block of a message's order
 * references with what the shop said of each, {{order.*}} of the first of them (in a macro:
 * the ticket's newest), and {{customer.csat}}. Reads the store in the caller's transaction;
 * no state of its own. */
#include "config.h"
#include "postdesk/compose.h"

#include "compose-private.h"

/* One order for the agents: its reference, the shop's status or why there is none, and
 * the details the shop gave. */
static void orders_block_one(GString *s, const struct store_order_ref *r)
{
	if (r->error[0] != '\0')
		g_string_append_printf(s, "Order %s: lookup failed (%s)\n", r->ref, r->error);
	else if (r->looked == 0)
		g_string_append_printf(s, "Order %s\n", r->ref);
	else
		g_string_append_printf(s, "Order %s: %s\n", r->ref,
				       r->status[0] != '\0' ? r->status : "(no status given)");
	if (r->tracking[0] != '\0')
		g_string_append_printf(s, "  Tracking: %s\n", r->tracking);
	if (r->total[0] != '\0')
		g_string_append_printf(s, "  Total: %s\n", r->total);
	if (r->items[0] != '\0')
		g_string_append_printf(s, "  Items: %s\n", r->items);
}

void compose_vars_orders(GHashTable *vars, const GPtrArray *refs)
{
	const struct store_order_ref *first = refs->len > 0 ? g_ptr_array_index(refs, 0) : NULL;
	GString *s = g_string_new("");

	for (guint i = 0; i < refs->len; i++)
		orders_block_one(s, g_ptr_array_index(refs, i));
	compose_var(vars, "orders", s->str);
	g_string_free(s, TRUE);
	compose_var(vars, "order.ref", first != NULL ? first->ref : "");
	compose_var(vars, "order.status", first != NULL ? first->status : "");
	compose_var(vars, "order.tracking", first != NULL ? first->tracking : "");
	compose_var(vars, "order.total", first != NULL ? first->total : "");
	compose_var(vars, "order.items", first != NULL ? first->items : "");
	compose_var(vars, "order.error", first != NULL ? first->error : "");
}

int compose_vars_ticket_orders(struct store *store, gint64 ticket_id, GHashTable *vars,
			       char **error_r)
{
	GPtrArray *refs = NULL;

	if (store_order_ref_ticket(store, ticket_id, CONF_ORDER_REFS_MAX, &refs, error_r) < 0)
		return -1;
	/* the newest message's references only: older ones are in earlier notices */
	while (refs->len > 1 &&
	       ((struct store_order_ref *)g_ptr_array_index(refs, refs->len - 1))->message_row !=
		   ((struct store_order_ref *)g_ptr_array_index(refs, 0))->message_row)
		g_ptr_array_remove_index(refs, refs->len - 1);
	compose_vars_orders(vars, refs);
	g_ptr_array_unref(refs);
	return 0;
}

char *compose_csat_text(const struct store_customer *c)
{
	if (c == NULL || c->csat_count == 0)
		return g_strdup("no survey answered yet");
	return g_strdup_printf("average %.1f of 5 over %" G_GINT64_FORMAT " survey%s, last %d",
			       (double)c->csat_sum / (double)c->csat_count, c->csat_count,
			       c->csat_count == 1 ? "" : "s", c->csat_last);
}
