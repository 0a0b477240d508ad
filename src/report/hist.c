/* hist: the distribution of one figure's durations in memory that does not grow with the
 * number of values — a fixed log-linear histogram (doc/metrics.md, "Statistics"). Values
 * of 1 s and more fall in 64 equal buckets per power of two; each bucket keeps its count
 * and the smallest and largest value it saw. The nearest-rank percentile is exact when its
 * rank is the first or the last of its bucket (always, while no two different values share
 * a bucket), otherwise the bucket's smallest value: at most 1/64 (1.6 %) below the true
 * one. Octaves are allocated when first used. A leaf of the report module; the owner of a
 * struct report_hist frees it with report_hist_clear(); no shared state. */
#include "config.h"
#include "report-private.h"

#include <string.h>

static struct report_hist_bucket *bucket_of(struct report_hist *h, gint64 v)
{
	int o, sub;

	if (v < 1)
		return &h->low;
	o = MIN(63 - __builtin_clzll((unsigned long long)v), HIST_OCTAVES - 1);
	if ((v >> o) > 1) /* beyond the last octave: its last bucket */
		sub = HIST_SUB - 1;
	else
		sub = (int)(((v - ((gint64)1 << o)) * HIST_SUB) >> o);
	if (h->oct[o] == NULL)
		h->oct[o] = g_new0(struct report_hist_bucket, HIST_SUB);
	return &h->oct[o][sub];
}

void report_hist_add(struct report_hist *h, gint64 v)
{
	struct report_hist_bucket *b = bucket_of(h, v);

	if (b->count == 0 || v < b->min)
		b->min = v;
	if (b->count == 0 || v > b->max)
		b->max = v;
	b->count++;
	h->count++;
	h->sum += (double)v;
}

/* The value at rank (1-based) from bucket b, whose first value has rank first. */
static gint64 at_rank(const struct report_hist_bucket *b, gint64 first, gint64 rank)
{
	return rank == first + b->count - 1 ? b->max : b->min;
}

static gint64 hist_rank(const struct report_hist *h, gint64 rank)
{
	gint64 seen = 0;
	int o, s;

	if (rank <= h->low.count)
		return at_rank(&h->low, 1, rank);
	seen = h->low.count;
	for (o = 0; o < HIST_OCTAVES; o++) {
		for (s = 0; h->oct[o] != NULL && s < HIST_SUB; s++) {
			const struct report_hist_bucket *b = &h->oct[o][s];

			if (rank <= seen + b->count)
				return at_rank(b, seen + 1, rank);
			seen += b->count;
		}
	}
	return 0; /* not reached: rank <= count */
}

void report_hist_stats(const struct report_hist *h, struct report_durations *d_r)
{
	gint64 n = h->count;

	memset(d_r, 0, sizeof(*d_r));
	if (n == 0)
		return;
	d_r->count = n;
	d_r->mean = h->sum / (double)n;
	d_r->median = hist_rank(h, (n + 1) / 2);
	d_r->p90 = hist_rank(h, (9 * n + 9) / 10);
}

void report_hist_clear(struct report_hist *h)
{
	for (int o = 0; o < HIST_OCTAVES; o++)
		g_free(h->oct[o]);
	memset(h, 0, sizeof(*h));
}
