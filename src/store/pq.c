/* pq: loads libpq at run time (store-pq.h says why) and fills store_pq, once per process.
 * Owns the library handle for the life of the process (never closed: its functions stay
 * in use until exit). Thread-safe: g_once. */
#include "config.h"
#define STORE_PQ_LOADER
#include "store-pq.h"

#include "postdesk/lib.h"

#include <dlfcn.h>

/* The soname of libpq 13 and later (Debian: libpq5); configure checked the headers. */
#define STORE_PQ_SONAME "libpq.so.5"

struct store_pq_api store_pq;

/* NULL when loaded, else why not (static or g_malloc'ed for the life of the process). */
static char *pq_open(void)
{
	void *h = dlopen(STORE_PQ_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		return g_strdup_printf("PostgreSQL's client library: %s (install libpq5)",
				       dlerror());
	/* dlsym's void * into a function pointer: through the pointer's own storage, as
	 * POSIX allows and ISO C's pointer conversions do not spell */
#define STORE_PQ_SYM(name)                                                                 \
	if ((*(void **)&store_pq.name = dlsym(h, #name)) == NULL)                            \
		return g_strdup_printf("%s has no %s: libpq too old", STORE_PQ_SONAME, #name);
	STORE_PQ_FUNCS(STORE_PQ_SYM)
#undef STORE_PQ_SYM
	return NULL;
}

int store_pq_load(char **error_r)
{
	static gsize loaded;
	static char *load_error;

	if (g_once_init_enter(&loaded)) {
		load_error = pq_open();
		g_once_init_leave(&loaded, 1);
	}
	if (load_error != NULL)
		return util_error(error_r, "%s", load_error);
	return 0;
}
