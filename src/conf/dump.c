/* dump: the effective configuration in the file's own syntax (`postdesk config [-n]`),
 * walking the same table (keys.def) the loader walks, so a new key shows up here with no
 * code. Values the file sets are printed as written there (GKeyFile's raw value, escapes
 * kept), so the output loads back into the same configuration. The file is read again:
 * struct conf keeps parsed values (bytes, seconds), not the admin's spelling.
 * Owns nothing beyond the call; any thread. */
#include "config.h"
#include "conf-private.h"
#include "postdesk/lib.h"

#include <string.h>

/* One group of the table's kind: its keys in table order. */
static void dump_group(GKeyFile *kf, const char *group, enum conf_group_kind kind,
		       const char *domain, const char *qname, gboolean only_set, GString *out)
{
	g_string_append_printf(out, "[%s]\n", group);
	for (size_t i = 0; i < conf_keys_count; i++) {
		const struct conf_key *k = &conf_keys[i];
		char *value;

		if (k->group != kind)
			continue;
		value = g_key_file_get_value(kf, group, k->name, NULL);
		if (value != NULL) {
			g_strchomp(value); /* as the loader reads it */
			g_string_append_printf(out, "%s = %s\n", k->name, value);
		} else if (!only_set && k->def != NULL) {
			value = conf_expand_default(k->def, domain, qname);
			g_string_append_printf(out, "%s = %s\n", k->name, value);
		} else if (!only_set) {
			g_string_append_printf(out, "#%s =\n", k->name); /* unset, no default */
		}
		g_free(value);
	}
}

int conf_dump(const struct conf *conf, gboolean only_set, GString *out, char **error_r)
{
	GKeyFile *kf = g_key_file_new();
	GError *err = NULL;

	if (!g_key_file_load_from_file(kf, conf->path, G_KEY_FILE_NONE, &err)) {
		util_error(error_r, "%s: %s", conf->path, err->message);
		g_error_free(err);
		g_key_file_free(kf);
		return -1;
	}
	dump_group(kf, "postdesk", CONF_GROUP_GLOBAL, conf->domain, NULL, only_set, out);
	for (guint i = 0; i < conf->queues->len; i++) {
		const struct conf_queue *q = g_ptr_array_index(conf->queues, i);
		char *group = g_strdup_printf("queue %s", q->name);

		g_string_append_c(out, '\n');
		dump_group(kf, group, CONF_GROUP_QUEUE, conf->domain, q->name, only_set, out);
		g_free(group);
	}
	for (guint i = 0; i < conf->mailboxes->len; i++) {
		const struct conf_mailbox *m = g_ptr_array_index(conf->mailboxes, i);
		char *group = g_strdup_printf("mailbox %s", m->name);

		g_string_append_c(out, '\n');
		dump_group(kf, group, CONF_GROUP_MAILBOX, conf->domain, m->name, only_set, out);
		g_free(group);
	}
	g_key_file_free(kf);
	return 0;
}
