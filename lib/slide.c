/*
 * slide -- records of --sliding windows; see slide.h.  Records usually
 * come in time order, so an insert is an append; a late one is placed by
 * binary search.  A group's value bytes are compacted when more than
 * half of them belong to forgotten records.
 */
#include <stdlib.h>
#include <string.h>

#include "slide.h"
#include "xalloc.h"

static int	before(int64_t, uint64_t, int64_t, uint64_t);
static void	compact(struct slide_group *);

void
slide_init(struct slide *s, int64_t size)
{
	memset(s, 0, sizeof(*s));
	s->size = size;
	s->groups.vsize = sizeof(struct slide_group *);
}

static int
before(int64_t t, uint64_t seq, int64_t u, uint64_t useq)
{
	return t != u ? t < u : seq < useq;
}

/* lower -- the first live record not before (t, seq) */
static size_t
lower(const struct slide_group *g, int64_t t, uint64_t seq)
{
	size_t lo = g->lo, hi = g->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (before(g->r[mid].t, g->r[mid].seq, t, seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
slide_add(struct slide *s, const char *key, size_t keylen, int64_t t,
    const char *vals, size_t len)
{
	slide_restore(s, key, keylen, t, s->seq, 1, vals, len);
}

void
slide_restore(struct slide *s, const char *key, size_t keylen, int64_t t,
    uint64_t seq, int pending, const char *vals, size_t len)
{
	struct slide_group **slot, *g;
	struct slide_pending *p;
	size_t at, i;
	int isnew;

	slot = hash_put(&s->groups, key, keylen, &isnew);
	if (isnew) {
		*slot = g = xcalloc(1, sizeof(*g));
		g->key = xmalloc(keylen + 1);
		memcpy(g->key, key, keylen);
		g->key[keylen] = '\0';
		g->keylen = keylen;
	}
	g = *slot;
	if (g->n == g->cap) {
		if (g->lo > 0) {	/* slide the live records down */
			memmove(g->r, g->r + g->lo, (g->n - g->lo) *
			    sizeof(*g->r));
			g->n -= g->lo;
			g->lo = 0;
		}
		if (g->n == g->cap) {
			g->cap = g->cap == 0 ? 8 : g->cap * 2;
			g->r = xreallocarray(g->r, g->cap, sizeof(*g->r));
		}
	}
	at = g->n > g->lo && before(t, seq, g->r[g->n - 1].t,
	    g->r[g->n - 1].seq) ? lower(g, t, seq) : g->n;
	memmove(g->r + at + 1, g->r + at, (g->n - at) * sizeof(*g->r));
	g->n++;
	g->r[at].t = t;
	g->r[at].seq = seq;
	g->r[at].off = g->vals.len;
	g->r[at].len = len;
	g->live += len;
	buf_add(&g->vals, vals, len);
	if (seq >= s->seq)
		s->seq = seq + 1;
	if (!pending)
		return;
	if (s->nheap == s->capheap) {
		s->capheap = s->capheap == 0 ? 64 : s->capheap * 2;
		s->heap = xreallocarray(s->heap, s->capheap, sizeof(*s->heap));
	}
	for (i = s->nheap++; i > 0; i = (i - 1) / 2) {
		p = &s->heap[(i - 1) / 2];
		if (!before(t, seq, p->t, p->seq))
			break;
		s->heap[i] = *p;
	}
	s->heap[i].t = t;
	s->heap[i].seq = seq;
	s->heap[i].g = g;
}

int
slide_pop(struct slide *s, int64_t wm, struct slide_pending *out)
{
	struct slide_pending last;
	size_t i = 0, c;

	if (s->nheap == 0 || (s->heap[0].t >= wm && wm != INT64_MAX))
		return 0;	/* at wm itself a record of that time may come */
	*out = s->heap[0];
	last = s->heap[--s->nheap];
	while ((c = 2 * i + 1) < s->nheap) {
		if (c + 1 < s->nheap && before(s->heap[c + 1].t,
		    s->heap[c + 1].seq, s->heap[c].t, s->heap[c].seq))
			c++;
		if (!before(s->heap[c].t, s->heap[c].seq, last.t, last.seq))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->nheap > 0)
		s->heap[i] = last;
	return 1;
}

size_t
slide_window(const struct slide_group *g, int64_t t, uint64_t seq,
    int64_t size, size_t *first)
{
	*first = lower(g, t - size, UINT64_MAX);	/* after t - size */
	return lower(g, t, seq + 1) - *first;	/* up to (t, seq) */
}

/* compact -- rewrite the value bytes of the live records only */
static void
compact(struct slide_group *g)
{
	struct buf nv = BUF_INIT;
	size_t i;

	for (i = g->lo; i < g->n; i++) {
		buf_add(&nv, g->vals.p + g->r[i].off, g->r[i].len);
		g->r[i].off = nv.len - g->r[i].len;
	}
	buf_free(&g->vals);
	g->vals = nv;
}

void
slide_prune(struct slide *s, int64_t wm)
{
	struct slide_group *g;
	const void *key;
	size_t pos = 0, keylen;
	void *val;

	while (hash_next(&s->groups, &pos, &key, &keylen, &val)) {
		g = *(struct slide_group **)val;
		while (g->lo < g->n && g->r[g->lo].t <= wm - s->size)
			g->live -= g->r[g->lo++].len;
		if (g->lo == g->n) {
			hash_del(&s->groups, key, keylen);
			buf_free(&g->vals);
			free(g->r);
			free(g->key);
			free(g);
			continue;
		}
		if (g->vals.len > 4096 && g->live < g->vals.len / 2)
			compact(g);
	}
}

size_t
slide_count(const struct slide *s)
{
	return s->groups.count;
}

struct slide_group *
slide_find(const struct slide *s, const char *key, size_t keylen)
{
	struct slide_group **g = hash_get(&s->groups, key, keylen);

	return g != NULL ? *g : NULL;
}

struct slide_group *
slide_oldest(const struct slide *s)
{
	struct slide_group *g, *best = NULL;
	const void *key;
	size_t pos = 0, keylen;
	void *val;

	while (hash_next(&s->groups, &pos, &key, &keylen, &val)) {
		g = *(struct slide_group **)val;
		if (best == NULL || g->r[g->n - 1].t < best->r[best->n - 1].t ||
		    (g->r[g->n - 1].t == best->r[best->n - 1].t &&
		    g->r[g->n - 1].seq < best->r[best->n - 1].seq))
			best = g;
	}
	return best;
}

static int
pending_cmp(const void *pa, const void *pb)
{
	const struct slide_pending *a = pa, *b = pb;

	return before(a->t, a->seq, b->t, b->seq) ? -1 :
	    before(b->t, b->seq, a->t, a->seq);
}

/* sift -- restore the heap order below i */
static void
sift(struct slide *s, size_t i)
{
	struct slide_pending x = s->heap[i];
	size_t c;

	while ((c = 2 * i + 1) < s->nheap) {
		if (c + 1 < s->nheap && before(s->heap[c + 1].t,
		    s->heap[c + 1].seq, s->heap[c].t, s->heap[c].seq))
			c++;
		if (!before(s->heap[c].t, s->heap[c].seq, x.t, x.seq))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	s->heap[i] = x;
}

size_t
slide_take(struct slide *s, struct slide_group *g, struct slide_pending *out)
{
	size_t i, j = 0, n = 0;

	for (i = 0; i < s->nheap; i++)
		if (s->heap[i].g == g)
			out[n++] = s->heap[i];
		else
			s->heap[j++] = s->heap[i];
	s->nheap = j;
	for (i = s->nheap / 2; i-- > 0; )
		sift(s, i);
	qsort(out, n, sizeof(*out), pending_cmp);
	return n;
}

void
slide_drop(struct slide *s, struct slide_group *g)
{
	hash_del(&s->groups, g->key, g->keylen);
	buf_free(&g->vals);
	free(g->r);
	free(g->key);
	free(g);
}

void
slide_free(struct slide *s)
{
	struct slide_group *g;
	const void *key;
	size_t pos = 0, keylen;
	void *val;

	while (hash_next(&s->groups, &pos, &key, &keylen, &val)) {
		g = *(struct slide_group **)val;
		buf_free(&g->vals);
		free(g->r);
		free(g->key);
		free(g);
	}
	hash_free(&s->groups);
	free(s->heap);
	memset(s, 0, sizeof(*s));
}
