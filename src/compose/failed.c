/* failed: what a mail that could not be composed leaves behind (compose.h). Leaf of the
 * module. Threading: the caller's. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/lib.h"

int compose_failed_event(struct store *store, int ret, const char *what, gint64 ticket, gint64 now,
			 char **error_r)
{
	char *detail;

	if (ret == 0 || store_last_error(store) != STORE_ERR_NONE)
		return ret;
	log_warn("ticket %" G_GINT64_FORMAT ": no %s: %s", ticket, what, *error_r);
	detail = g_strdup_printf("%s not sent: %s", what, *error_r);
	g_clear_pointer(error_r, g_free);
	ret = store_event_add(store, ticket, now, "delivery_failed", "postdesk", detail, error_r);
	g_free(detail);
	return ret;
}
