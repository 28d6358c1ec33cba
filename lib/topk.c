/*
 * topk -- Space-Saving top-k; see topk.h.
 *
 * Each counter is a slot holding a copy of its value in a buffer of its
 * own, reused (grown by 2 when too short) when the slot is taken over.
 * Slots are found by an open-addressing index of slot numbers keyed by
 * the value's hash (linear probing, at most half full, backward-shift
 * deletes), and kept in a binary min-heap on count, so the counter to
 * take over is heap[0].  A counted value is one probe and a sift down
 * the heap, where frequent values sit at the leaves; a new value past
 * cap takes over the least counter: err = its count, count + 1 (so does
 * a new value in a table not full but lossy after a merge).  Slots,
 * index and heap start small and grow by 2 up to cap counters.
 *
 * Merge (Agarwal et al. 2012, "Mergeable summaries"): a value's count is
 * the sum of its counts in both tables, a table that may miss values
 * standing in with its least count (and adding it to err too); the cap
 * largest are kept.  While neither table ever lost a value, the counts
 * just add up, exactly.
 *
 * Saved: {"cap":C,"n":N,"lossy":B,"v":[[VALUE,COUNT,ERR],...]}, the
 * entries in topk_get order, VALUE the bytes as a JSON string
 * (json_put_string: bytes that are not UTF-8 would come back as U+FFFD).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "json.h"
#include "topk.h"
#include "xalloc.h"

#define NONE		UINT32_MAX
#define SLOT_MIN	4
#define INDEX_MIN	8
#define VAL_MIN		16
#define TOPK_CAP_MAX	(UINT32_C(1) << 30)	/* larger caps are cut */

struct topk_slot {
	char		*val;		/* vcap bytes, never NULL once used */
	size_t		 len, vcap;
	uint64_t	 count, err;
	uint64_t	 h;		/* hash_bytes of the value */
	uint32_t	 hpos;		/* where in the heap */
};

static uint32_t	append(struct topk *, uint64_t, const char *, size_t);
static int	better(uint64_t, const char *, size_t, uint64_t,
		    const char *, size_t);
static int	cmp_bytes(const char *, size_t, const char *, size_t);
static int	cmp_slot(const void *, const void *);
static int	cmp_slotp(const void *, const void *);
static void	entry_down(struct topk_entry *, size_t, size_t);
static int	entry_worse(const struct topk_entry *,
		    const struct topk_entry *);
static uint32_t	find(const struct topk *, uint64_t, const char *, size_t);
static void	heap_down(struct topk *, uint32_t);
static void	heap_swap(struct topk *, uint32_t, uint32_t);
static void	heap_up(struct topk *, uint32_t);
static void	heapify(struct topk_entry *, size_t);
static void	index_del(struct topk *, uint32_t);
static void	index_grow(struct topk *, uint32_t);
static void	index_put(struct topk *, uint32_t);
static uint32_t	index_size(uint32_t);
static uint64_t	least(const struct topk *);
static int	load_entry(struct topk *, struct json_span, struct buf *,
		    uint64_t *);
static void	rebuild(struct topk *);
static void	reindex(struct topk *, uint32_t);
static void	set_val(struct topk_slot *, const char *, size_t);

/* topk_init -- an empty table of cap counters, 1 to TOPK_CAP_MAX */
void
topk_init(struct topk *t, uint32_t cap)
{
	t->cap = cap < 1 ? 1 : cap > TOPK_CAP_MAX ? TOPK_CAP_MAX : cap;
	t->n = 0;
	t->slot = NULL;
	t->used = t->scap = 0;
	t->index = NULL;
	t->icap = 0;
	t->heap = NULL;
	t->lossy = 0;
}

/* ---- Index ---- */

/* find -- the slot holding the value, or NONE */
static uint32_t
find(const struct topk *t, uint64_t h, const char *p, size_t len)
{
	const struct topk_slot *s;
	uint32_t i, mask = t->icap - 1;

	if (t->icap == 0)
		return NONE;
	for (i = (uint32_t)h & mask; t->index[i] != 0; i = (i + 1) & mask) {
		s = &t->slot[t->index[i] - 1];
		if (s->h == h && s->len == len &&
		    (len == 0 || memcmp(s->val, p, len) == 0))
			return t->index[i] - 1;
	}
	return NONE;
}

/* index_put -- index slot id, whose value is not indexed yet */
static void
index_put(struct topk *t, uint32_t id)
{
	uint32_t i, mask = t->icap - 1;

	for (i = (uint32_t)t->slot[id].h & mask; t->index[i] != 0;
	    i = (i + 1) & mask)
		;
	t->index[i] = id + 1;
}

/* index_del -- unindex slot id, shifting back the entries after it */
static void
index_del(struct topk *t, uint32_t id)
{
	uint32_t i, j, k, mask = t->icap - 1;

	for (i = (uint32_t)t->slot[id].h & mask; t->index[i] != id + 1;
	    i = (i + 1) & mask)
		;
	for (j = i;;) {
		j = (j + 1) & mask;
		if (t->index[j] == 0)
			break;
		k = (uint32_t)t->slot[t->index[j] - 1].h & mask;
		/* move j to the hole at i unless its home is in (i, j] */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			t->index[i] = t->index[j];
			i = j;
		}
	}
	t->index[i] = 0;
}

/* reindex -- an empty index of cap entries, then every slot into it */
static void
reindex(struct topk *t, uint32_t cap)
{
	uint32_t i;

	if (cap != t->icap) {
		free(t->index);
		t->index = xcalloc(cap, sizeof(*t->index));
		t->icap = cap;
	} else
		memset(t->index, 0, cap * sizeof(*t->index));
	for (i = 0; i < t->used; i++)
		index_put(t, i);
}

/* index_size -- the index size for n slots: at most half full */
static uint32_t
index_size(uint32_t n)
{
	uint32_t cap = INDEX_MIN;

	while ((uint64_t)n * 2 > cap)
		cap *= 2;
	return cap;
}

/* index_grow -- room to index n slots */
static void
index_grow(struct topk *t, uint32_t n)
{
	if (t->icap == 0 || (uint64_t)n * 2 > t->icap)
		reindex(t, index_size(n));
}

/* ---- Heap ---- */

static void
heap_swap(struct topk *t, uint32_t a, uint32_t b)
{
	uint32_t x = t->heap[a];

	t->heap[a] = t->heap[b];
	t->heap[b] = x;
	t->slot[t->heap[a]].hpos = a;
	t->slot[t->heap[b]].hpos = b;
}

static void
heap_up(struct topk *t, uint32_t i)
{
	while (i > 0 && t->slot[t->heap[(i - 1) / 2]].count >
	    t->slot[t->heap[i]].count) {
		heap_swap(t, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct topk *t, uint32_t i)
{
	uint32_t c;

	while ((c = 2 * i + 1) < t->used) {
		if (c + 1 < t->used && t->slot[t->heap[c + 1]].count <
		    t->slot[t->heap[c]].count)
			c++;
		if (t->slot[t->heap[c]].count >= t->slot[t->heap[i]].count)
			break;
		heap_swap(t, i, c);
		i = c;
	}
}

/* rebuild -- index and heap anew, after slots were moved or recounted */
static void
rebuild(struct topk *t)
{
	uint32_t i;

	if (t->used > 0 || t->icap > 0)
		reindex(t, index_size(t->used));
	for (i = 0; i < t->used; i++) {
		t->heap[i] = i;
		t->slot[i].hpos = i;
	}
	for (i = t->used / 2; i-- > 0;)
		heap_down(t, i);
}

/* ---- Slots ---- */

/* set_val -- copy the value into the slot, growing its buffer by 2 */
static void
set_val(struct topk_slot *s, const char *p, size_t len)
{
	size_t cap;

	if (len > s->vcap || s->val == NULL) {
		cap = s->vcap > 0 ? s->vcap : VAL_MIN;
		while (cap < len)
			cap = cap > SIZE_MAX / 2 ? len : cap * 2;
		free(s->val);
		s->val = xmalloc(cap);
		s->vcap = cap;
	}
	if (len > 0)
		memcpy(s->val, p, len);
	s->len = len;
}

/*
 * append -- a new slot for a value not in the table, with count and err
 * 0, indexed but not yet in the heap; the slots may grow past cap.
 */
static uint32_t
append(struct topk *t, uint64_t h, const char *p, size_t len)
{
	struct topk_slot *s;
	uint32_t id, cap;

	if (t->used == t->scap) {
		cap = t->scap > 0 ? t->scap * 2 : SLOT_MIN;
		if (cap < t->scap)
			cap = UINT32_MAX;
		t->slot = xreallocarray(t->slot, cap, sizeof(*t->slot));
		t->heap = xreallocarray(t->heap, cap, sizeof(*t->heap));
		memset(t->slot + t->scap, 0,
		    (cap - t->scap) * sizeof(*t->slot));
		t->scap = cap;
	}
	index_grow(t, t->used + 1);
	id = t->used++;
	s = &t->slot[id];
	set_val(s, p, len);
	s->h = h;
	s->count = s->err = 0;
	s->hpos = id;
	t->heap[id] = id;
	index_put(t, id);
	return id;
}

/* topk_add -- count one value; never fails */
void
topk_add(struct topk *t, const char *p, size_t len)
{
	struct topk_slot *s;
	uint64_t h, m;
	uint32_t id;

	h = hash_bytes(p, len);
	t->n++;
	if ((id = find(t, h, p, len)) != NONE) {
		t->slot[id].count++;
		heap_down(t, t->slot[id].hpos);
		return;
	}
	if (t->used < t->cap) {
		m = least(t);			/* lossy: it may be in there */
		id = append(t, h, p, len);
		t->slot[id].err = m;
		t->slot[id].count = m + 1;
		heap_up(t, t->slot[id].hpos);
		return;
	}
	id = t->heap[0];			/* take over the least */
	s = &t->slot[id];
	index_del(t, id);
	set_val(s, p, len);
	s->h = h;
	s->err = s->count++;
	index_put(t, id);
	heap_down(t, 0);
	t->lossy = 1;
}

/* ---- Reading ---- */

static int
cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c;

	if (n > 0 && (c = memcmp(a, b, n)) != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* better -- 1 if the first value comes before the second in the output */
static int
better(uint64_t ac, const char *a, size_t alen, uint64_t bc, const char *b,
    size_t blen)
{
	if (ac != bc)
		return ac > bc;
	return cmp_bytes(a, alen, b, blen) < 0;
}

static int
entry_worse(const struct topk_entry *a, const struct topk_entry *b)
{
	return better(b->count, b->val, b->len, a->count, a->val, a->len);
}

/* entry_down -- sift e[i] down a heap of n entries, the worst on top */
static void
entry_down(struct topk_entry *e, size_t n, size_t i)
{
	struct topk_entry x;
	size_t c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && entry_worse(&e[c + 1], &e[c]))
			c++;
		if (!entry_worse(&e[c], &e[i]))
			break;
		x = e[i];
		e[i] = e[c];
		e[c] = x;
		i = c;
	}
}

/* heapify -- make e[0..n) a heap with the worst entry on top */
static void
heapify(struct topk_entry *e, size_t n)
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		entry_down(e, n, i);
}

/*
 * topk_get -- the k best entries in order, in O(used log k) and no
 * memory: a heap of the best so far with the worst on top, then sorted
 * by moving the worst to the end.
 */
size_t
topk_get(const struct topk *t, size_t k, struct topk_entry *out)
{
	struct topk_entry x;
	const struct topk_slot *s;
	size_t i, n = 0;

	if (k == 0)
		return 0;
	for (i = 0; i < t->used; i++) {
		s = &t->slot[i];
		x.val = s->val;
		x.len = s->len;
		x.count = s->count;
		x.err = s->err;
		if (n < k) {
			out[n++] = x;
			if (n == k)
				heapify(out, k);
		} else if (entry_worse(&out[0], &x)) {
			out[0] = x;
			entry_down(out, k, 0);
		}
	}
	if (n < k)
		heapify(out, n);
	for (i = n; i > 1; i--) {
		x = out[0];
		out[0] = out[i - 1];
		out[i - 1] = x;
		entry_down(out, i - 1, 0);
	}
	return n;
}

/* ---- Merging ---- */

/* cmp_slot -- qsort order of slots: topk_get order */
static int
cmp_slot(const void *a, const void *b)
{
	const struct topk_slot *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return cmp_bytes(x->val, x->len, y->val, y->len);
}

static int
cmp_slotp(const void *a, const void *b)
{
	return cmp_slot(*(const struct topk_slot *const *)a,
	    *(const struct topk_slot *const *)b);
}

/*
 * least -- how often a value missing from t may have been counted: 0 if
 * t never lost a value, else its least count
 */
static uint64_t
least(const struct topk *t)
{
	if (!t->lossy || t->used == 0)
		return 0;
	return t->slot[t->heap[0]].count;
}

/*
 * topk_merge -- t becomes the summary of both streams: counts add, a
 * lossy table counting its least for a value it lacks; the cap largest
 * are kept (in topk_get order, so the result does not depend on slot
 * order).  Allocates nothing but the growth of t; never fails.
 */
void
topk_merge(struct topk *t, const struct topk *o)
{
	const struct topk_slot *os;
	struct topk_slot *s;
	uint64_t mt, mo;
	uint32_t i, id;

	if (t == o) {
		for (i = 0; i < t->used; i++) {
			t->slot[i].count *= 2;
			t->slot[i].err *= 2;
		}
		t->n *= 2;
		return;
	}
	mt = least(t);
	mo = least(o);
	for (i = 0; i < t->used; i++) {
		s = &t->slot[i];
		if ((id = find(o, s->h, s->val, s->len)) != NONE) {
			s->count += o->slot[id].count;
			s->err += o->slot[id].err;
		} else {
			s->count += mo;
			s->err += mo;
		}
	}
	for (i = 0; i < o->used; i++) {
		os = &o->slot[i];
		if (find(t, os->h, os->val, os->len) != NONE)
			continue;
		id = append(t, os->h, os->val, os->len);
		t->slot[id].count = os->count + mt;
		t->slot[id].err = os->err + mt;
	}
	t->n += o->n;
	t->lossy |= o->lossy;
	if (t->used > t->cap) {
		qsort(t->slot, t->used, sizeof(*t->slot), cmp_slot);
		for (i = t->cap; i < t->used; i++)
			free(t->slot[i].val);
		t->used = t->scap = t->cap;
		t->slot = xreallocarray(t->slot, t->cap, sizeof(*t->slot));
		t->heap = xreallocarray(t->heap, t->cap, sizeof(*t->heap));
		t->lossy = 1;
	}
	rebuild(t);
}

/* ---- Saving ---- */

/* topk_save -- append the table as JSON, entries in topk_get order */
void
topk_save(const struct topk *t, struct buf *b)
{
	const struct topk_slot **v;
	uint32_t i;

	v = t->used > 0 ? xreallocarray(NULL, t->used, sizeof(*v)) : NULL;
	for (i = 0; i < t->used; i++)
		v[i] = &t->slot[i];
	if (t->used > 0)
		qsort(v, t->used, sizeof(*v), cmp_slotp);
	buf_printf(b, "{\"cap\":%lu,\"n\":%llu,\"lossy\":%s,\"v\":[",
	    (unsigned long)t->cap, (unsigned long long)t->n,
	    t->lossy ? "true" : "false");
	for (i = 0; i < t->used; i++) {
		buf_adds(b, i > 0 ? ",[" : "[");
		json_put_string(b, v[i]->val, v[i]->len);
		buf_printf(b, ",%llu,%llu]", (unsigned long long)v[i]->count,
		    (unsigned long long)v[i]->err);
	}
	buf_adds(b, "]}");
	free(v);
}

/*
 * load_entry -- append [VALUE,COUNT,ERR] to t, with 1 <= COUNT, ERR <
 * COUNT and VALUE not already there; 0 or -1.  *sum adds COUNT.
 */
static int
load_entry(struct topk *t, struct json_span e, struct buf *tmp,
    uint64_t *sum)
{
	struct json_iter it;
	struct json_span f[4];
	uint64_t h, count, err;
	uint32_t id;
	int n;

	if (e.type != JSON_ARRAY)
		return -1;
	json_iter_init(&it, e);
	for (n = 0; n < 4 && json_iter_next(&it, NULL, &f[n]); n++)
		;
	if (n != 3 || f[0].type != JSON_STRING ||
	    json_uint(f[1], &count) == -1 || json_uint(f[2], &err) == -1 ||
	    count == 0 || err >= count || t->used >= t->cap ||
	    *sum > UINT64_MAX - count)
		return -1;
	buf_reset(tmp);
	json_string(f[0], tmp);
	h = hash_bytes(tmp->p, tmp->len);
	if (find(t, h, tmp->p, tmp->len) != NONE)
		return -1;
	id = append(t, h, tmp->p, tmp->len);
	t->slot[id].count = count;
	t->slot[id].err = err;
	*sum += count;
	return 0;
}

/*
 * topk_load -- replace t (cap included) by a table topk_save wrote.
 * Anything else gives -1 and leaves t as it was: invalid JSON, keys
 * missing, repeated or unknown, numbers not integers of 64 bits, a cap
 * of 0 or over 2^30, more entries than cap, a repeated value, a count of
 * 0 or not over its err, an exact table whose counts do not add up to n
 * or have errs, a count whose least true count (count - err) exceeds n.
 */
int
topk_load(struct topk *t, struct json_span v)
{
	static const char *const key[] = {
		"\"cap\"", "\"n\"", "\"lossy\"", "\"v\""
	};
	struct topk r;
	struct buf tmp = BUF_INIT;
	struct json_error e;
	struct json_iter it;
	struct json_span k, val, f[4];
	uint64_t cap, n, sum = 0;
	uint32_t i;
	int j, rc = -1;

	for (j = 0; j < 4; j++)
		f[j].type = JSON_NONE;
	if (v.p == NULL || json_validate(v.p, v.len, &v, &e) == -1 ||
	    v.type != JSON_OBJECT)
		return (errno = EINVAL, -1);
	json_iter_init(&it, v);
	while (json_iter_next(&it, &k, &val)) {
		for (j = 0; j < 4; j++)
			if (k.len == strlen(key[j]) &&
			    memcmp(k.p, key[j], k.len) == 0)
				break;
		if (j == 4 || f[j].type != JSON_NONE)
			return (errno = EINVAL, -1);
		f[j] = val;
	}
	if (json_uint(f[0], &cap) == -1 || cap == 0 || cap > TOPK_CAP_MAX ||
	    json_uint(f[1], &n) == -1 ||
	    (f[2].type != JSON_TRUE && f[2].type != JSON_FALSE) ||
	    f[3].type != JSON_ARRAY)
		return (errno = EINVAL, -1);
	topk_init(&r, (uint32_t)cap);
	r.n = n;
	r.lossy = f[2].type == JSON_TRUE;
	json_iter_init(&it, f[3]);
	while (json_iter_next(&it, NULL, &val))
		if (load_entry(&r, val, &tmp, &sum) == -1)
			goto out;
	for (i = 0; i < r.used; i++)
		if (r.slot[i].count - r.slot[i].err > n ||
		    (!r.lossy && r.slot[i].err > 0))
			goto out;
	if (!r.lossy && sum != n)
		goto out;
	rebuild(&r);
	topk_free(t);
	*t = r;
	rc = 0;
out:
	if (rc == -1) {
		topk_free(&r);
		errno = EINVAL;
	}
	buf_free(&tmp);
	return rc;
}

/* topk_free -- free the table; cap is kept, so t is empty and reusable */
void
topk_free(struct topk *t)
{
	uint32_t i;

	for (i = 0; i < t->scap; i++)
		free(t->slot[i].val);
	free(t->slot);
	free(t->index);
	free(t->heap);
	t->slot = NULL;
	t->index = NULL;
	t->heap = NULL;
	t->used = t->scap = t->icap = 0;
	t->n = 0;
	t->lossy = 0;
}
