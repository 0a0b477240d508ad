/* store-row: what a struct store_row is, for the two files that make rows — stmt.c (SQLite)
 * and pg_run.c (PostgreSQL). Row readers see only the opaque type and the store_column_*
 * accessors of store-stmt.h. */
#ifndef POSTDESK_STORE_ROW_H
#define POSTDESK_STORE_ROW_H

#include "store-private.h"

/* SQLite: the statement, stepped to the row. PostgreSQL: row `row` of the whole result,
 * whose values are text (the columns' letters, `columns`, say which are bytea). */
struct store_row {
	sqlite3_stmt *st;
	struct pg_result *res;
	int row;
	int rows;
	const char *columns;
};

#endif
