/* history: what the CLI shows about one ticket besides its messages — tags, the participant
 * list and the event log. Tags are stored lower-case. Returned arrays and vectors are owned
 * by the caller; same threading as the connection. */
#include "config.h"
#include "store-error.h"
#include "store-stmt.h"

/* A tag is one word: no white space, no separators that would make "a,b" two tags in a
 * listing. Stored lower-case so "Billing" and "billing" are one tag. */
static gboolean tag_valid(const char *tag)
{
	const char *p;

	if (tag == NULL || *tag == '\0' || !g_utf8_validate(tag, -1, NULL))
		return FALSE;
	for (p = tag; *p != '\0'; p++)
		if (g_ascii_isspace(*p) || *p == ',')
			return FALSE;
	return TRUE;
}

int store_tag_add(struct store *store, gint64 ticket_id, const char *tag, char **error_r)
{
	char *lower;
	int ret;

	if (!tag_valid(tag))
		return store_fail_other(store, error_r, "add tag: \"%s\" is not a single word",
					tag != NULL ? tag : "");
	lower = g_utf8_strdown(tag, -1);
	ret = store_run(store, STMT_tag_add, SV_ARGS(SV_I(ticket_id), SV_T(lower)), "add tag",
			error_r);
	g_free(lower);
	return ret;
}

int store_tag_list(struct store *store, gint64 ticket_id, char ***tags_r, char **error_r)
{
	return store_strv(store, STMT_tag_list, SV_ARGS(SV_I(ticket_id)), "list tags", tags_r,
			  error_r);
}

/* ---- participants ---- */

void store_participant_free(struct store_participant **pp)
{
	struct store_participant *p = *pp;

	if (p == NULL)
		return;
	*pp = NULL;
	g_free(p->address);
	g_free(p->name);
	g_free(p->role);
	g_free(p);
}

static void participant_free_ptr(gpointer ptr)
{
	struct store_participant *p = ptr;

	store_participant_free(&p);
}

static gpointer participant_from_row(const struct store_row *st)
{
	struct store_participant *p = g_new0(struct store_participant, 1);

	p->address = store_column_dup(st, 0);
	p->name = store_column_dup(st, 1);
	p->role = store_column_dup(st, 2);
	return p;
}

/* Requester first, then by address. */
int store_participant_list(struct store *store, gint64 ticket_id, GPtrArray **list_r,
			   char **error_r)
{
	return store_rows(store, STMT_participant_list, SV_ARGS(SV_I(ticket_id)),
			  participant_from_row, participant_free_ptr, "list participants", list_r,
			  error_r);
}

/* ---- events ---- */

void store_event_free(struct store_event **ep)
{
	struct store_event *e = *ep;

	if (e == NULL)
		return;
	*ep = NULL;
	g_free(e->kind);
	g_free(e->actor);
	g_free(e->detail);
	g_free(e);
}

static void event_free_ptr(gpointer p)
{
	struct store_event *e = p;

	store_event_free(&e);
}

static gpointer event_from_row(const struct store_row *st)
{
	struct store_event *e = g_new0(struct store_event, 1);

	e->id = store_column_int64(st, 0);
	e->ticket_id = store_column_int64(st, 1);
	e->created = store_column_int64(st, 2);
	e->kind = store_column_dup(st, 3);
	e->actor = store_column_dup(st, 4);
	e->detail = store_column_dup(st, 5);
	return e;
}

int store_event_list(struct store *store, gint64 ticket_id, GPtrArray **list_r, char **error_r)
{
	return store_rows(store, STMT_event_list, SV_ARGS(SV_I(ticket_id)), event_from_row,
			  event_free_ptr, "list events", list_r, error_r);
}
