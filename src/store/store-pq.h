/* store-pq: libpq, loaded (dlopen) when a database setting first names PostgreSQL, not
 * linked: its two dozen libraries (OpenSSL, Kerberos, LDAP, SASL...) cost every program
 * ~4 ms of CPU at start, a CLI command or a milter included, whether it talks to
 * PostgreSQL or not. The files that use libpq include this header, never libpq-fe.h
 * directly: below, each PQ function they call is a name for its pointer in store_pq,
 * which store_pq_load() fills (pq.c). A PQ function missing from STORE_PQ_FUNCS fails the
 * link (libpq is not on it), never at run time. */
#ifndef POSTDESK_STORE_PQ_H
#define POSTDESK_STORE_PQ_H

#include <glib.h>
#include <libpq-fe.h>

#define STORE_PQ_FUNCS(X)                                                                  \
	X(PQclear) X(PQcmdTuples) X(PQconnectdb) X(PQdb) X(PQdescribePrepared) X(PQerrorMessage) \
	X(PQescapeIdentifier) X(PQescapeLiteral) X(PQexec) X(PQexecParams)                   \
	X(PQexecPrepared) X(PQfinish) X(PQfname) X(PQfreemem) X(PQgetisnull) X(PQgetlength) \
	X(PQgetvalue) X(PQnfields) X(PQnparams) X(PQntuples) X(PQprepare) X(PQreset)         \
	X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus) X(PQstatus)         \
	X(PQtransactionStatus) X(PQunescapeBytea)

/* Each function's pointer, typed from its declaration in libpq-fe.h. */
struct store_pq_api {
#define STORE_PQ_MEMBER(name) __typeof__(name) *name;
	STORE_PQ_FUNCS(STORE_PQ_MEMBER)
#undef STORE_PQ_MEMBER
};

extern struct store_pq_api store_pq;

/* Load libpq.so.5 and every function above, once per process (thread-safe); -1 with
 * *error_r when the library or a function is missing (then nothing may call them). */
int store_pq_load(char **error_r);

#ifndef STORE_PQ_LOADER /* pq.c itself names the real functions */
#define PQclear (store_pq.PQclear)
#define PQcmdTuples (store_pq.PQcmdTuples)
#define PQconnectdb (store_pq.PQconnectdb)
#define PQdb (store_pq.PQdb)
#define PQdescribePrepared (store_pq.PQdescribePrepared)
#define PQerrorMessage (store_pq.PQerrorMessage)
#define PQescapeIdentifier (store_pq.PQescapeIdentifier)
#define PQescapeLiteral (store_pq.PQescapeLiteral)
#define PQexec (store_pq.PQexec)
#define PQexecParams (store_pq.PQexecParams)
#define PQexecPrepared (store_pq.PQexecPrepared)
#define PQfinish (store_pq.PQfinish)
#define PQfname (store_pq.PQfname)
#define PQfreemem (store_pq.PQfreemem)
#define PQgetisnull (store_pq.PQgetisnull)
#define PQgetlength (store_pq.PQgetlength)
#define PQgetvalue (store_pq.PQgetvalue)
#define PQnfields (store_pq.PQnfields)
#define PQnparams (store_pq.PQnparams)
#define PQntuples (store_pq.PQntuples)
#define PQprepare (store_pq.PQprepare)
#define PQreset (store_pq.PQreset)
#define PQresultErrorField (store_pq.PQresultErrorField)
#define PQresultErrorMessage (store_pq.PQresultErrorMessage)
#define PQresultStatus (store_pq.PQresultStatus)
#define PQstatus (store_pq.PQstatus)
#define PQtransactionStatus (store_pq.PQtransactionStatus)
#define PQunescapeBytea (store_pq.PQunescapeBytea)
#endif

#endif
