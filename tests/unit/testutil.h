/* testutil: helpers shared by the Check suites that start servers or make temp trees. */
#ifndef POSTDESK_TESTUTIL_H
#define POSTDESK_TESTUTIL_H

/* A free TCP port on 127.0.0.1 right now (bind to port 0 and ask). */
int test_free_port(void);
/* 1 if something accepts connections on 127.0.0.1:port. */
int test_port_open(int port);
/* Remove a temp tree (rm -rf). */
void test_rm_rf(const char *dir);
/* The database a test opens (a `database` value, g_free): dir/name, a SQLite file; or, when
 * PD_TEST_PG_URI names a PostgreSQL server (the suite against PostgreSQL, issue 16;
 * tests/e2e/pg_server.sh), a fresh database of its own there ("pd_u<pid>_<n>"), dropped
 * when the process that made it exits (a Check fork's in the fork). Aborts the test if the
 * server refuses. */
char *test_database(const char *dir, const char *name);
/* 1 if test_database gives PostgreSQL databases (PD_TEST_PG_URI is set). */
int test_database_pg(void);
/* 1 if db (a `database` value) is a PostgreSQL URI; then run sql (several statements
 * allowed) on it, aborting the test on an error. 0, nothing run, for a SQLite path. */
int test_database_exec(const char *db, const char *sql);

#endif
