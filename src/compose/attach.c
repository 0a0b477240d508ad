/* attach: the attachment policy of agent notices (attachment_max_size,
 * attachment_block_types, attachment_allow_types). A customer's attachment that the policy
 * withholds stays in the stored raw message; the notice goes without it and says which one
 * and how to fetch it (`postdesk attachment get TICKET MSG N`). Pure functions of the
 * config snapshot and the parsed message; any thread. */
#include "config.h"
#include "postdesk/compose.h"
#include "postdesk/lib.h"

#include <string.h>

/* Does one entry of a type list name this attachment? An entry is a MIME type
 * ("application/pdf"), a whole type ("image" then slash-star) or a file extension (".exe",
 * "exe": the last one of the name). Types compare case-insensitively. */
static gboolean attach_entry_matches(const char *entry, const char *filename,
				     const char *content_type)
{
	const char *slash = strchr(entry, '/'), *dot;

	if (slash != NULL) {
		if (strcmp(slash + 1, "*") == 0)
			return g_ascii_strncasecmp(entry, content_type, (gsize)(slash - entry + 1)) ==
			       0;
		return g_ascii_strcasecmp(entry, content_type) == 0;
	}
	if (*entry == '.')
		entry++;
	dot = strrchr(filename, '.');
	return *entry != '\0' && dot != NULL && g_ascii_strcasecmp(dot + 1, entry) == 0;
}

static gboolean attach_list_matches(const char *list, const char *filename,
				    const char *content_type)
{
	char **entries = g_strsplit_set(list, " ,\t", -1);
	gboolean found = FALSE;

	for (guint i = 0; entries[i] != NULL && !found; i++)
		found = entries[i][0] != '\0' &&
			attach_entry_matches(entries[i], filename, content_type);
	g_strfreev(entries);
	return found;
}

const char *compose_attachment_withheld(const struct conf *conf, const char *filename,
					const char *content_type, gint64 size)
{
	const char *name = filename != NULL ? filename : "";
	const char *type = content_type != NULL ? content_type : "application/octet-stream";

	if (conf->attachment_max_size > 0 && size > conf->attachment_max_size)
		return "over attachment_max_size";
	if (conf->attachment_block_types != NULL &&
	    attach_list_matches(conf->attachment_block_types, name, type))
		return "blocked type";
	if (conf->attachment_allow_types != NULL && conf->attachment_allow_types[0] != '\0' &&
	    !attach_list_matches(conf->attachment_allow_types, name, type))
		return "type not allowed";
	return NULL;
}

char *compose_size_text(gint64 size)
{
	if (size >= 1024 * 1024)
		return g_strdup_printf("%.1f MB", (double)size / (1024.0 * 1024.0));
	if (size >= 1024)
		return g_strdup_printf("%.1f kB", (double)size / 1024.0);
	return g_strdup_printf("%" G_GINT64_FORMAT " bytes", size);
}

char *compose_attachments_withhold(const struct conf *conf, struct parse_msg *msg,
				   gint64 ticket_id, gint64 message_row)
{
	GString *note = g_string_new("");

	for (guint i = 0; i < msg->attachments->len; i++) {
		struct parse_attachment *a = g_ptr_array_index(msg->attachments, i);
		const char *why = compose_attachment_withheld(conf, a->filename, a->content_type,
							      (gint64)a->size);
		char *name, *size;

		if (why == NULL)
			continue;
		if (a->data != NULL)
			g_clear_pointer(&a->data, g_bytes_unref);
		/* The name is a stranger's: reduced to a safe base name before an agent reads
		 * it, and the size as agents read sizes. */
		name = parse_safe_filename(a->filename);
		size = compose_size_text((gint64)a->size);
		g_string_append_printf(note,
				       "Attachment withheld: %s (%s): %s; "
				       "postdesk attachment get %" G_GINT64_FORMAT
				       " %" G_GINT64_FORMAT " %u > %s\n",
				       name, size, why, ticket_id, message_row, i + 1, name);
		g_free(name);
		g_free(size);
	}
	if (note->len == 0) {
		g_string_free(note, TRUE);
		return NULL;
	}
	return g_string_free(note, FALSE);
}
