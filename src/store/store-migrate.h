/* store-migrate: the numbered schema scripts (migrations.c; depends on txn.c and stmt.c,
 * called by store.c only). */
#ifndef POSTDESK_STORE_MIGRATE_H
#define POSTDESK_STORE_MIGRATE_H

#include "store-private.h"

/* Bring a read-write connection to the newest schema (migrations.c). */
int store_migrate(struct store *store, char **error_r);
/* The script of migration `version` (user_version included), NULL if there is none. For
 * tests that build a database as an older release left it. */
const char *store_migration_sql(int version);

#endif
