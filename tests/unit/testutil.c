/* testutil: see testutil.h. Uses Check's assertions, so only for test programs. */
#include "config.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <check.h>
#include <glib.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int test_free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

int test_port_open(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

void test_rm_rf(const char *dir)
{
	char *argv[] = {"rm", "-rf", (char *)dir, NULL};

	g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* ---- the suite against PostgreSQL (PD_TEST_PG_URI) ---- */

static GPtrArray *test_pg_made; /* names this process made (dropped at its exit) */
static pid_t test_pg_pid;       /* ...which is this one (a Check fork inherits the list) */
static pid_t test_pg_main;      /* the test program's own process, named in every database */

static const char *test_pg_base(void)
{
	const char *uri = g_getenv("PD_TEST_PG_URI");

	return uri != NULL && *uri != '\0' ? uri : NULL;
}

int test_database_pg(void)
{
	return test_pg_base() != NULL;
}

/* Run sql on the server's base database; NULL or the error (g_free). */
static char *test_pg_exec(const char *sql)
{
	PGconn *c = PQconnectdb(test_pg_base());
	PGresult *res = NULL;
	char *error = NULL;

	if (PQstatus(c) != CONNECTION_OK)
		error = g_strdup(PQerrorMessage(c));
	else if (res = PQexec(c, sql), PQresultStatus(res) != PGRES_COMMAND_OK)
		error = g_strdup(PQresultErrorMessage(res));
	PQclear(res);
	PQfinish(c);
	return error;
}

/* WITH (FORCE): a store a failed test left open does not keep its database. */
static void test_pg_drop(const char *name)
{
	char *sql = g_strdup_printf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	char *error = test_pg_exec(sql);

	if (error != NULL)
		fprintf(stderr, "test_database: %s: %s", sql, error);
	g_free(error);
	g_free(sql);
}

/* At a process's exit: the databases it made; the program's own process also those its
 * Check forks left (a failed assertion ends a fork with _exit, no atexit handler). */
static void test_pg_drop_all(void)
{
	if (test_pg_made != NULL && test_pg_pid == getpid()) {
		for (guint i = 0; i < test_pg_made->len; i++)
			test_pg_drop(g_ptr_array_index(test_pg_made, i));
		g_ptr_array_free(test_pg_made, TRUE);
		test_pg_made = NULL;
	}
	if (test_pg_main == getpid()) {
		PGconn *c = PQconnectdb(test_pg_base());
		char *sql = g_strdup_printf("SELECT datname FROM pg_database WHERE datname "
					    "LIKE 'pd\\_u%d\\_%%'", (int)test_pg_main);
		PGresult *res = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;

		for (int i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res); i++)
			test_pg_drop(PQgetvalue(res, i, 0));
		PQclear(res);
		PQfinish(c);
		g_free(sql);
	}
}

/* At the start of every test program: with PD_TEST_PG_URI, its process is the one that
 * drops what its forks leave. */
__attribute__((constructor)) static void test_pg_start(void)
{
	if (test_pg_base() != NULL) {
		test_pg_main = getpid();
		atexit(test_pg_drop_all);
	}
}

int test_database_exec(const char *db, const char *sql)
{
	PGconn *c;
	PGresult *res;

	if (!g_str_has_prefix(db, "postgresql://") && !g_str_has_prefix(db, "postgres://"))
		return 0;
	c = PQconnectdb(db);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s: %s", db, PQerrorMessage(c));
	res = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK ||
			  PQresultStatus(res) == PGRES_TUPLES_OK,
		      "%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
	PQfinish(c);
	return 1;
}

char *test_database(const char *dir, const char *name)
{
	static int n;
	const char *base = test_pg_base(), *slash;
	char *db, *sql, *error, *uri;

	if (base == NULL)
		return g_build_filename(dir, name, NULL);
	if (test_pg_made == NULL || test_pg_pid != getpid()) {
		/* a fork starts a list of its own: the parent's are the parent's to drop */
		if (test_pg_made != NULL)
			g_ptr_array_free(test_pg_made, TRUE);
		test_pg_made = g_ptr_array_new_with_free_func(g_free);
		test_pg_pid = getpid();
		if (test_pg_pid != test_pg_main) /* a fork (the main process registered at start) */
			atexit(test_pg_drop_all);
	}
	db = g_strdup_printf("pd_u%d_%d_%d_%08x", (int)test_pg_main, (int)getpid(), ++n,
			     g_random_int());
	sql = g_strdup_printf("CREATE DATABASE %s", db);
	error = test_pg_exec(sql);
	ck_assert_msg(error == NULL, "test_database: %s on %s: %s", sql, base, error);
	g_free(sql);
	g_ptr_array_add(test_pg_made, db);
	/* the base URI with the new database's name in place of its path */
	slash = strstr(base, "://") != NULL ? strchr(strstr(base, "://") + 3, '/') : NULL;
	uri = slash != NULL ? g_strdup_printf("%.*s/%s", (int)(slash - base), base, db)
			    : g_strdup_printf("%s/%s", base, db);
	return uri;
}
