/* statements: the tables built from statements.def — the SQL, name and type letters of every
 * statement, indexed by enum store_stmt. Owns nothing but these constant tables; depends on
 * nothing else in the module; safe from any thread. */
#include "config.h"
#include "store-private.h"

struct stmt_decl {
	const char *name;
	const char *params;
	const char *columns;
	const char *sql;
};

static const struct stmt_decl decls[STMT_COUNT] = {
#define STMT(name_, params_, columns_, sql_)                                                       \
	[STMT_##name_] = {.name = #name_, .params = params_, .columns = columns_, .sql = sql_},
#include "statements.def"
#undef STMT
};

const char *store_stmt_name(enum store_stmt id)
{
	return decls[id].name;
}

const char *store_stmt_sql(enum store_stmt id)
{
	return decls[id].sql;
}

const char *store_stmt_params(enum store_stmt id)
{
	return decls[id].params;
}

const char *store_stmt_columns(enum store_stmt id)
{
	return decls[id].columns;
}
