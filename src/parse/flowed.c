/* flowed: text/plain; format=flowed (RFC 3676) made plain text. A flowed line ends with a
 * space: it continues on the next line of the same quote depth, so the joined paragraph is
 * one line, and an agent's answer goes on to the customer as the agent wrote it instead of
 * as short hard-wrapped lines (doc/agents.md). Space-stuffing is undone, DelSp=yes drops
 * the space that ends a flowed line, "-- " (the signature separator) is never flowed.
 * Quoted lines come out as ">" per level and one space before their text. Pure function;
 * any thread. */
#include "config.h"
#include "parse-private.h"

#include <string.h>

/* One physical line: its quote depth and its text without quotes and stuffing. */
static const char *flowed_line(const char *line, guint *depth_r)
{
	guint depth = 0;

	while (line[depth] == '>')
		depth++;
	line += depth;
	if (*line == ' ')
		line++; /* space-stuffing (or the space after the quote marks) */
	*depth_r = depth;
	return line;
}

char *parse_unflow(const char *text, gboolean delsp)
{
	char **lines = g_strsplit(text, "\n", -1);
	GString *out = g_string_sized_new(strlen(text));
	gboolean open = FALSE; /* the last line written was flowed: its paragraph goes on */
	guint open_depth = 0;

	for (guint i = 0; lines[i] != NULL; i++) {
		guint depth;
		const char *body = flowed_line(lines[i], &depth);
		gsize len = strlen(body);
		gboolean flowed = len > 0 && body[len - 1] == ' ' && strcmp(body, "-- ") != 0;

		if (open && depth != open_depth)
			g_string_append_c(out, '\n'); /* improperly flowed: the paragraph ends */
		if (!open || depth != open_depth) {
			for (guint d = 0; d < depth; d++)
				g_string_append_c(out, '>');
			if (depth > 0 && len > 0)
				g_string_append_c(out, ' ');
		}
		g_string_append_len(out, body, (gssize)(flowed && delsp ? len - 1 : len));
		if (!flowed && lines[i + 1] != NULL)
			g_string_append_c(out, '\n');
		open = flowed;
		open_depth = depth;
	}
	g_strfreev(lines);
	return g_string_free(out, FALSE);
}
