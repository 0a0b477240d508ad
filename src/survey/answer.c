/* answer: reading a survey answer's text — the first number in it is the score, the rest
 * the comment. Pure function, any thread. */
#include "config.h"
#include "postdesk/survey.h"

#include <string.h>

int survey_parse_answer(const char *text, int *score_r, char **comment_r)
{
	const char *p = text != NULL ? text : "", *start;
	GString *rest;
	long v = 0;

	*score_r = -1;
	for (start = p; *start != '\0' && !g_ascii_isdigit(*start); start++)
		;
	/* At most two digits: "5", "10"; "2024" or a phone number is no score. */
	for (p = start; g_ascii_isdigit(*p) && p - start < 3; p++)
		v = v * 10 + (*p - '0');
	if (*start == '\0' || p - start > 2 || v > 10) {
		*comment_r = g_strstrip(g_strdup(text != NULL ? text : ""));
		return 0;
	}
	*score_r = (int)v;
	rest = g_string_new_len(text, start - text);
	/* "4/5" or "9/10": the scale is part of the score, not of the comment. */
	if (p[0] == '/' && (strncmp(p + 1, "10", 2) == 0 || p[1] == '5'))
		p += p[1] == '5' ? 2 : 3;
	g_string_append(rest, p);
	*comment_r = g_strstrip(g_string_free(rest, FALSE));
	return 1;
}
