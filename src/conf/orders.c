/* orders: a queue's order_patterns applied to a customer message (issue 14,
 * doc/orders.md). Here because the patterns are queue configuration: conf checks them when
 * it loads, and every stage that sees a message (deliver, the CLI) can use them. Pure
 * functions; the regexes are compiled per call (a few patterns, a message's new text), so
 * nothing is shared between threads. */
#include "config.h"
#include "postdesk/conf.h"
#include "postdesk/lib.h"

#include <string.h>

/* One pattern as a whole word: no word character or '-' right before or after (so
 * "#?\d{5,}" does not take the number out of "ORD-12345", nor "12345" out of "12345-B"). */
static GRegex *orders_compile(const char *pattern, char **error_r)
{
	GError *err = NULL;
	char *word = g_strdup_printf("(?<![\\w-])(?:%s)(?![\\w-])", pattern);
	/* No G_REGEX_OPTIMIZE: PCRE2's JIT compile costs more than it saves on the few KB of
	 * text a message's subject and new text give. */
	GRegex *re = g_regex_new(word, 0, 0, &err);

	g_free(word);
	if (re == NULL) {
		util_error(error_r, "%s: %s", pattern, err->message);
		g_error_free(err);
	}
	return re;
}

int conf_order_patterns_ok(const char *patterns, char **error_r)
{
	char **words = g_strsplit_set(patterns, " \t", -1);
	int ret = 0;

	for (guint i = 0; words[i] != NULL && ret == 0; i++) {
		GRegex *re;
		if (words[i][0] == '\0')
			continue;
		if ((re = orders_compile(words[i], error_r)) == NULL)
			ret = -1;
		else
			g_regex_unref(re);
	}
	g_strfreev(words);
	return ret;
}

static gboolean orders_have(const GPtrArray *refs, const char *ref)
{
	for (guint i = 0; i < refs->len; i++)
		if (strcmp(g_ptr_array_index(refs, i), ref) == 0)
			return TRUE;
	return FALSE;
}

/* Every match of re in text, in order, added to refs while there is room. */
static void orders_scan(GRegex *re, const char *text, GPtrArray *refs)
{
	GMatchInfo *mi = NULL;

	g_regex_match(re, text, 0, &mi);
	while (g_match_info_matches(mi) && refs->len < CONF_ORDER_REFS_MAX) {
		char *m = g_match_info_fetch(mi, 0);
		const char *ref = m[0] == '#' ? m + 1 : m;
		if (ref[0] != '\0' && !orders_have(refs, ref))
			g_ptr_array_add(refs, g_strdup(ref));
		g_free(m);
		g_match_info_next(mi, NULL);
	}
	g_match_info_free(mi);
}

int conf_order_refs_find(const struct conf_queue *q, const char *subject, const char *text,
			 GPtrArray **refs_r, char **error_r)
{
	GPtrArray *refs = g_ptr_array_new_with_free_func(g_free);
	GRegex *tag = g_regex_new("\\[#\\d+\\]", 0, 0, NULL);
	char **words, *plain;
	int ret = 0;

	*refs_r = refs;
	if (q->order_patterns == NULL) {
		g_regex_unref(tag);
		return 0;
	}
	/* Our own "[#N]" ticket tag is no order number, whatever the patterns say. */
	plain = g_regex_replace_literal(tag, subject != NULL ? subject : "", -1, 0, " ", 0, NULL);
	g_regex_unref(tag);
	words = g_strsplit_set(q->order_patterns, " \t", -1);
	for (guint i = 0; words[i] != NULL && ret == 0; i++) {
		GRegex *re;
		if (words[i][0] == '\0')
			continue;
		if ((re = orders_compile(words[i], error_r)) == NULL) {
			ret = -1;
			break;
		}
		orders_scan(re, plain, refs);
		orders_scan(re, text != NULL ? text : "", refs);
		g_regex_unref(re);
	}
	g_strfreev(words);
	g_free(plain);
	return ret;
}
