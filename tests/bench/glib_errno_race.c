/* glib_errno_race: shows the GLib behaviour behind lmtpd's old "501 bad SIZE parameter"
 * (doc/durability.md). 16 threads, released together, each call g_ascii_string_to_unsigned
 * on "1234" once, in a fresh process: the first use of GLib's C locale happens under a
 * race, and a failure here means GLib reported a valid number as invalid. With an argument
 * ("warm") the process makes one g_ascii_strtoull() call first, as postdesk's daemons now
 * do, and no call fails. Prints the number of failed calls. Not part of make check (a
 * failure needs hundreds of processes):
 *   gcc tests/bench/glib_errno_race.c $(pkg-config --cflags --libs glib-2.0) -pthread -o race
 *   n=0; for i in $(seq 600); do n=$((n + $(./race))); done; echo $n        # cold
 *   n=0; for i in $(seq 600); do n=$((n + $(./race warm))); done; echo $n   # warm: 0 */
#include <glib.h>
#include <pthread.h>
#include <stdio.h>

#define THREADS 16

static pthread_barrier_t start;
static gint failures;

static void *parse_once(void *unused)
{
	guint64 v;

	(void)unused;
	pthread_barrier_wait(&start);
	if (!g_ascii_string_to_unsigned("1234", 10, 0, G_MAXUINT64, &v, NULL))
		g_atomic_int_inc(&failures);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];

	(void)argv;
	if (argc > 1)
		(void)g_ascii_strtoull("0", NULL, 10);
	pthread_barrier_init(&start, NULL, THREADS);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, parse_once, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("%d\n", g_atomic_int_get(&failures));
	return 0;
}
