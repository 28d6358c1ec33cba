/* dedup -- bounded memory of kept keys; see dedup.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dedup.h"
#include "xalloc.h"

struct last {			/* map value: the newest kept record */
	uint64_t seq;
	int64_t	 t;
};

static void	push(struct dedup *, uint64_t, uint64_t, int64_t);
static int	live(const struct dedup *, const struct dedup_kept *);
static void	expire(struct dedup *);
static void	compact(struct dedup *);
static void	pop_front(struct dedup *, int);

void
dedup_init(struct dedup *d, int64_t window, size_t max)
{
	memset(d, 0, sizeof(*d));
	d->window = window;
	d->max = max;
	d->map.vsize = sizeof(struct last);
	d->maxt = INT64_MIN;
}

/* live -- whether a queue entry is still the key's newest kept record */
static int
live(const struct dedup *d, const struct dedup_kept *k)
{
	const struct last *l;

	l = hash_get(&d->map, &k->key, sizeof(k->key));
	return l != NULL && l->seq == k->seq;
}

static void
push(struct dedup *d, uint64_t key, uint64_t seq, int64_t t)
{
	size_t i, ncap;
	struct dedup_kept *nq;

	if (d->qlen == d->qcap) {
		ncap = d->qcap == 0 ? 1024 : d->qcap * 2;
		nq = xreallocarray(NULL, ncap, sizeof(*nq));
		for (i = 0; i < d->qlen; i++)
			nq[i] = d->q[(d->qhead + i) % d->qcap];
		free(d->q);
		d->q = nq;
		d->qcap = ncap;
		d->qhead = 0;
	}
	d->q[(d->qhead + d->qlen) % d->qcap] =
	    (struct dedup_kept){ key, seq, t };
	d->qlen++;
}

/* pop_front -- drop the oldest queue entry, and its key if still live */
static void
pop_front(struct dedup *d, int count)
{
	struct dedup_kept *k = &d->q[d->qhead];

	if (live(d, k)) {
		hash_del(&d->map, &k->key, sizeof(k->key));
		if (count)
			d->evicted++;
	}
	d->qhead = (d->qhead + 1) % d->qcap;
	d->qlen--;
}

/*
 * expire -- forget keys kept longer than the window before the newest
 * time seen, and the oldest keys beyond max.  Stale queue entries (keys
 * kept again later) are dropped on the way.
 */
static void
expire(struct dedup *d)
{
	while (d->qlen > 0) {
		struct dedup_kept *k = &d->q[d->qhead];

		if (!live(d, k) || (d->window > 0 &&
		    k->t <= d->maxt - d->window))
			pop_front(d, 0);
		else if (d->max > 0 && d->map.count > d->max)
			pop_front(d, 1);
		else
			break;
	}
	if (d->qlen > 2 * d->map.count + 1024)
		compact(d);
}

/* compact -- rebuild the queue without stale entries, keeping order */
static void
compact(struct dedup *d)
{
	size_t i, n = 0;
	struct dedup_kept k;

	for (i = 0; i < d->qlen; i++) {
		k = d->q[(d->qhead + i) % d->qcap];
		if (live(d, &k))
			d->q[(d->qhead + n++) % d->qcap] = k;
	}
	d->qlen = n;
}

int
dedup_seen(struct dedup *d, uint64_t key, int64_t t)
{
	struct last *l;
	int isnew;

	if (t > d->maxt)
		d->maxt = t;
	l = hash_put(&d->map, &key, sizeof(key), &isnew);
	if (!isnew && (d->window == 0 || t - l->t < d->window)) {
		d->dropped++;
		return 1;
	}
	l->seq = ++d->seq;
	l->t = t;
	push(d, key, l->seq, t);
	expire(d);
	return 0;
}

int
dedup_save(const struct dedup *d, struct state_writer *w)
{
	const struct dedup_kept *k;
	char line[96];
	size_t i;
	int n;

	for (i = 0; i < d->qlen; i++) {
		k = &d->q[(d->qhead + i) % d->qcap];
		if (!live(d, k))
			continue;
		n = snprintf(line, sizeof(line),
		    "{\"key\":\"%016" PRIx64 "\",\"t\":%" PRId64 "}",
		    k->key, k->t);
		if (state_line(w, line, (size_t)n) == -1)
			return -1;
	}
	return 0;
}

/*
 * dedup_load -- replay saved keys in their keeping order, so eviction
 * order and windows continue as before the restart.
 */
int
dedup_load(struct dedup *d, const char *p, size_t len, const char **why)
{
	const char *end = p + len, *nl;
	uint64_t key;
	int64_t t;
	char line[96];
	size_t n;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n == 0)
			continue;
		if (n >= sizeof(line) ||
		    (memcpy(line, p, n), line[n] = '\0',
		    sscanf(line, "{\"key\":\"%16" SCNx64 "\",\"t\":%" SCNd64
		    "}", &key, &t) != 2))
			return (*why = "damaged dedup entry in state file", -1);
		dedup_seen(d, key, t);
	}
	return 0;
}

void
dedup_free(struct dedup *d)
{
	hash_free(&d->map);
	free(d->q);
	d->q = NULL;
	d->qlen = d->qcap = d->qhead = 0;
}
