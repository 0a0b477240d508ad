/* pg_sql: the PostgreSQL text of each statement of statements.def (issue 16). Most run as
 * written once their parameters ?N are spelt $N; the others have a variant in
 * statements-pg.def, or none (a SQLite setting, or work not yet ported, with the reason).
 * Owns only constant tables; depends on statements.c; safe from any thread. */
#include "config.h"
#include "store-pg.h"

#include <string.h>

struct pg_variant {
	const char *sql; /* NULL: no variant (convert the SQLite text) or no form (why set) */
	const char *why; /* non-NULL: the statement has no PostgreSQL form, and why */
};

static const struct pg_variant variants[STMT_COUNT] = {
#define STMT_PG(name_, sql_) [STMT_##name_] = {.sql = sql_, .why = NULL},
#define STMT_PG_NONE(name_, why_) [STMT_##name_] = {.sql = NULL, .why = why_},
#include "statements-pg.def"
#undef STMT_PG
#undef STMT_PG_NONE
};

gboolean store_pg_is_uri(const char *database)
{
	return database != NULL && (g_str_has_prefix(database, "postgresql://") ||
				    g_str_has_prefix(database, "postgres://"));
}

char *store_pg_placeholders(const char *sql)
{
	GString *out = g_string_sized_new(strlen(sql) + 8);
	char quote = '\0';
	const char *p;

	for (p = sql; *p != '\0'; p++) {
		if (quote != '\0') {
			/* '' inside a literal closes and reopens it: the same state either way. */
			if (*p == quote)
				quote = '\0';
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '?' && g_ascii_isdigit(p[1])) {
			g_string_append_c(out, '$');
			continue;
		}
		g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

const char *store_pg_no_form(enum store_stmt id)
{
	return variants[id].why;
}

char *store_pg_sql(enum store_stmt id, const char **why_r)
{
	const struct pg_variant *v = &variants[id];

	*why_r = NULL;
	if (v->why != NULL) {
		*why_r = v->why;
		return NULL;
	}
	return store_pg_placeholders(v->sql != NULL ? v->sql : store_stmt_sql(id));
}
