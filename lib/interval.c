/*
 * interval -- the buffers of a stream-stream interval join; see
 * interval.h.
 *
 * A held record sits in two places.  Its key's entry (one allocation per
 * key, found through the hash map, which holds only a pointer to it since
 * map values move on insert) keeps a doubly linked list per side in
 * arrival order: a new record walks the other side's list of its key
 * only, and a record leaving unlinks itself in O(1).  The min-heap by
 * (expiry, seq) gives the order records leave in, by the watermark, by
 * max_held, or at the end.  A key's entry goes when both its lists are
 * empty, so memory follows what is held.
 *
 * HEAP: let_go frees the record it is given and takes it out of the
 * heap, so heap[0] is another record afterwards (clang's analyzer does
 * not see that, hence the NOLINTs).
 *
 * The bounds saturate: L.t + after, R.t + before and L.t - before are
 * clamped to the int64 range, which changes no comparison with a time in
 * that range.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "interval.h"
#include "json.h"
#include "xalloc.h"

struct keyent {
	struct held	*head[2], *tail[2];	/* per side, by arrival */
	size_t		 keylen;
	char		 key[];		/* canonical JSON: saved, deleted */
};

struct held {
	struct held	*prev, *next;	/* this key's list of this side */
	struct keyent	*k;
	int64_t		 t, expiry;
	uint64_t	 seq;
	size_t		 heapi;
	enum side	 side;
	int		 matched;
	size_t		 len;
	char		 rec[];
};

static int64_t		sat_add(int64_t, int64_t);
static int64_t		sat_sub(int64_t, int64_t);
static int		sooner(const struct held *, const struct held *);
static void		heap_set(struct interval *, size_t, struct held *);
static void		heap_fix(struct interval *, size_t);
static void		heap_push(struct interval *, struct held *);
static void		heap_remove(struct interval *, struct held *);
static struct keyent	*key_get(struct interval *, const char *, size_t);
static struct held	*hold(struct interval *, enum side, struct keyent *,
			    int64_t, const char *, size_t);
static void		unhold(struct interval *, struct held *);
static int		let_go(struct interval *, struct held *);
static int		by_seq(const void *, const void *);
static int		load_time(struct json_span, int64_t *);
static int		load_flag(struct json_span, int *);

void
interval_init(struct interval *iv)
{
	memset(iv, 0, sizeof(*iv));
	iv->map.vsize = sizeof(struct keyent *);
}

/*
 * interval_add -- pair rec with the held records of the other side under
 * the same key, in their arrival order, then hold it, then evict while
 * more than max_held are held.  -1 as soon as a callback returns -1: rec
 * is then not held, and the pairs already reported stay marked matched.
 */
int
interval_add(struct interval *iv, enum side side, const char *key,
    size_t keylen, int64_t t, const char *rec, size_t reclen)
{
	struct keyent *k;
	struct held *h, *o;
	int64_t lo, hi;
	int matched = 0, rc;

	/* the partners' times: L.t - before <= R.t <= L.t + after, solved
	 * for the other side */
	lo = sat_sub(t, side == SIDE_LEFT ? iv->before : iv->after);
	hi = sat_add(t, side == SIDE_LEFT ? iv->after : iv->before);
	k = key_get(iv, key, keylen);
	for (o = k->head[!side]; o != NULL; o = o->next) {
		if (o->t < lo || o->t > hi)
			continue;
		o->matched = matched = 1;
		if (side == SIDE_LEFT)
			rc = iv->pair(iv->arg, rec, reclen, o->rec, o->len);
		else
			rc = iv->pair(iv->arg, o->rec, o->len, rec, reclen);
		if (rc == -1)
			return -1;
	}
	h = hold(iv, side, k, t, rec, reclen);
	h->matched = matched;
	while (iv->max_held > 0 &&
	    (unsigned long long)iv->nheld > (unsigned long long)iv->max_held) {
		iv->evicted++;
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): see HEAP */
		if (let_go(iv, iv->heap[0]) == -1)
			return -1;
	}
	return 0;
}

/*
 * interval_expire -- let go of the records no partner can reach any more:
 * those whose expiry is before watermark, soonest first.  0, or -1 if
 * alone() said stop (the record it was given is gone already).
 */
int
interval_expire(struct interval *iv, int64_t watermark)
{
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): see HEAP */
	while (iv->nheld > 0 && iv->heap[0]->expiry < watermark)
		if (let_go(iv, iv->heap[0]) == -1)
			return -1;
	return 0;
}

/* interval_expire_all -- as interval_expire past every expiry */
int
interval_expire_all(struct interval *iv)
{
	while (iv->nheld > 0)
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): see HEAP */
		if (let_go(iv, iv->heap[0]) == -1)
			return -1;
	return 0;
}

int64_t
interval_next(const struct interval *iv)
{
	return iv->nheld > 0 ? iv->heap[0]->expiry : INT64_MAX;
}

/*
 * interval_save -- line() once per held record, in arrival order, with
 * {"s":S,"t":T,"m":M,"k":KEY,"r":RECORD} and no newline; stops at the
 * first nonzero return of line() and returns it.
 */
int
interval_save(const struct interval *iv, int (*line)(void *, const char *,
    size_t), void *ctx)
{
	struct buf b = BUF_INIT;
	struct held **v;
	size_t i;
	int rc = 0;

	if (iv->nheld == 0)
		return 0;
	v = xreallocarray(NULL, iv->nheld, sizeof(*v));
	memcpy(v, iv->heap, iv->nheld * sizeof(*v));
	qsort(v, iv->nheld, sizeof(*v), by_seq);
	for (i = 0; i < iv->nheld && rc == 0; i++) {
		buf_reset(&b);
		buf_printf(&b, "{\"s\":%d,\"t\":%" PRId64 ",\"m\":%d,\"k\":",
		    (int)v[i]->side, v[i]->t, v[i]->matched);
		buf_add(&b, v[i]->k->key, v[i]->k->keylen);
		buf_adds(&b, ",\"r\":");
		/* a record read from several lines comes back compacted,
		 * since a saved record takes one line */
		if (memchr(v[i]->rec, '\n', v[i]->len) != NULL ||
		    memchr(v[i]->rec, '\r', v[i]->len) != NULL)
			json_compact(json_span_of(v[i]->rec, v[i]->len), &b);
		else
			buf_add(&b, v[i]->rec, v[i]->len);
		buf_addc(&b, '}');
		rc = line(ctx, b.p, b.len);
	}
	free(v);
	buf_free(&b);
	return rc;
}

/*
 * interval_load -- hold the record of one line interval_save wrote, as
 * the newest arrival.  The text is validated here, since it comes from a
 * file; members other than the five, or one twice, make it not a saved
 * line.  The key's bytes are kept as saved: the caller's keys may be
 * text it chose never to be canonical (stream-join's keys of records
 * without one).  0, or -1 with errno EINVAL and nothing held.
 */
int
interval_load(struct interval *iv, struct json_span v)
{
	static const char names[] = "stmkr";
	struct json_error e;
	struct json_iter it;
	struct json_span k, val, f[5];
	const char *c;
	int64_t t;
	int j, side, matched;
	struct held *h;

	for (j = 0; j < 5; j++)
		f[j].type = JSON_NONE;
	if (v.p == NULL || json_validate(v.p, v.len, &v, &e) == -1 ||
	    v.type != JSON_OBJECT)
		return (errno = EINVAL, -1);
	json_iter_init(&it, v);
	while (json_iter_next(&it, &k, &val)) {
		/* each name is one letter: "s", with its quotes */
		if (k.len != 3 || (c = memchr(names, k.p[1], 5)) == NULL)
			return (errno = EINVAL, -1);
		j = (int)(c - names);
		if (f[j].type != JSON_NONE)
			return (errno = EINVAL, -1);
		f[j] = val;
	}
	if (load_flag(f[0], &side) == -1 || load_time(f[1], &t) == -1 ||
	    load_flag(f[2], &matched) == -1 || f[3].type == JSON_NONE ||
	    f[4].type == JSON_NONE)
		return (errno = EINVAL, -1);
	h = hold(iv, (enum side)side, key_get(iv, f[3].p, f[3].len), t,
	    f[4].p, f[4].len);
	h->matched = matched;
	return 0;
}

/* interval_free -- every record and key let go without a word; the
 * settings (before, after, keep, max_held, callbacks) and evicted stay */
void
interval_free(struct interval *iv)
{
	const void *key;
	void *val;
	size_t i, pos = 0, keylen;

	for (i = 0; i < iv->nheld; i++)
		free(iv->heap[i]);
	while (hash_next(&iv->map, &pos, &key, &keylen, &val))
		free(*(struct keyent **)val);
	free(iv->heap);
	iv->heap = NULL;
	iv->capheap = iv->nheld = iv->bytes = 0;
	iv->seq = 0;
	hash_free(&iv->map);
}

/* sat_add -- a + b, b >= 0, clamped at INT64_MAX */
static int64_t
sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* sat_sub -- a - b, b >= 0, clamped at INT64_MIN */
static int64_t
sat_sub(int64_t a, int64_t b)
{
	return a < INT64_MIN + b ? INT64_MIN : a - b;
}

/* sooner -- 1 if a leaves before b: by expiry, then arrival */
static int
sooner(const struct held *a, const struct held *b)
{
	if (a->expiry != b->expiry)
		return a->expiry < b->expiry;
	return a->seq < b->seq;
}

static void
heap_set(struct interval *iv, size_t i, struct held *h)
{
	iv->heap[i] = h;
	h->heapi = i;
}

/* heap_fix -- move heap[i] up or down to its place */
static void
heap_fix(struct interval *iv, size_t i)
{
	struct held *x = iv->heap[i];
	size_t c;

	while (i > 0 && sooner(x, iv->heap[(i - 1) / 2])) {
		heap_set(iv, i, iv->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	while ((c = 2 * i + 1) < iv->nheld) {
		if (c + 1 < iv->nheld && sooner(iv->heap[c + 1], iv->heap[c]))
			c++;
		if (!sooner(iv->heap[c], x))
			break;
		heap_set(iv, i, iv->heap[c]);
		i = c;
	}
	heap_set(iv, i, x);
}

/* heap_push -- h into the heap; nheld counts it */
static void
heap_push(struct interval *iv, struct held *h)
{
	if (iv->nheld == iv->capheap) {
		iv->capheap = iv->capheap == 0 ? 64 : iv->capheap * 2;
		iv->heap = xreallocarray(iv->heap, iv->capheap,
		    sizeof(*iv->heap));
	}
	heap_set(iv, iv->nheld++, h);
	heap_fix(iv, iv->nheld - 1);
}

/* heap_remove -- h out of the heap; nheld no longer counts it */
static void
heap_remove(struct interval *iv, struct held *h)
{
	size_t i = h->heapi;

	if (--iv->nheld == i)
		return;
	heap_set(iv, i, iv->heap[iv->nheld]);
	heap_fix(iv, i);
}

/* key_get -- the entry of key, made if it is new */
static struct keyent *
key_get(struct interval *iv, const char *key, size_t keylen)
{
	struct keyent **slot, *k;
	int isnew;

	slot = hash_put(&iv->map, key, keylen, &isnew);
	if (!isnew)
		return *slot;
	if (keylen > SIZE_MAX - sizeof(*k))
		xmalloc(SIZE_MAX);		/* wrapped: report as OOM */
	k = xmalloc(sizeof(*k) + keylen);
	memset(k, 0, sizeof(*k));
	k->keylen = keylen;
	if (keylen > 0)
		memcpy(k->key, key, keylen);
	iv->bytes += sizeof(*k) + keylen;
	*slot = k;
	return k;
}

/* hold -- a copy of rec, at the end of its key's list and in the heap;
 * not matched */
static struct held *
hold(struct interval *iv, enum side side, struct keyent *k, int64_t t,
    const char *rec, size_t reclen)
{
	struct held *h;

	if (reclen > SIZE_MAX - sizeof(*h))
		xmalloc(SIZE_MAX);		/* wrapped: report as OOM */
	h = xmalloc(sizeof(*h) + reclen);
	h->k = k;
	h->t = t;
	h->side = side;
	h->expiry = sat_add(t, side == SIDE_LEFT ? iv->after : iv->before);
	h->seq = iv->seq++;
	h->matched = 0;
	h->len = reclen;
	if (reclen > 0)
		memcpy(h->rec, rec, reclen);
	h->next = NULL;
	h->prev = k->tail[side];
	if (h->prev != NULL)
		h->prev->next = h;
	else
		k->head[side] = h;
	k->tail[side] = h;
	heap_push(iv, h);
	iv->bytes += sizeof(*h) + reclen;
	return h;
}

/* unhold -- h out of its key's list and the heap, and the key out of the
 * map if that was its last record; h itself is not freed */
static void
unhold(struct interval *iv, struct held *h)
{
	struct keyent *k = h->k;

	if (h->prev != NULL)
		h->prev->next = h->next;
	else
		k->head[h->side] = h->next;
	if (h->next != NULL)
		h->next->prev = h->prev;
	else
		k->tail[h->side] = h->prev;
	heap_remove(iv, h);
	iv->bytes -= sizeof(*h) + h->len;
	if (k->head[SIDE_LEFT] == NULL && k->head[SIDE_RIGHT] == NULL) {
		hash_del(&iv->map, k->key, k->keylen);
		iv->bytes -= sizeof(*k) + k->keylen;
		free(k);
	}
}

/* let_go -- h leaves, reported first if it never paired and its side is
 * kept; what alone() returned */
static int
let_go(struct interval *iv, struct held *h)
{
	int rc = 0;

	unhold(iv, h);
	if (iv->keep[h->side] && !h->matched)
		rc = iv->alone(iv->arg, h->side, h->rec, h->len);
	free(h);
	return rc == -1 ? -1 : 0;
}

static int
by_seq(const void *a, const void *b)
{
	const struct held *x = *(struct held *const *)a;
	const struct held *y = *(struct held *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* load_time -- an integer literal in the int64 range: 0, or -1 */
static int
load_time(struct json_span v, int64_t *t)
{
	long long x;
	char *end;

	if (v.type != JSON_NUMBER)
		return -1;
	/* validated: the number ends at ',' or '}', where strtoll stops */
	errno = 0;
	x = strtoll(v.p, &end, 10);
	if (errno != 0 || end != v.p + v.len)
		return -1;
#if LLONG_MAX > INT64_MAX
	if (x < INT64_MIN || x > INT64_MAX)
		return -1;
#endif
	*t = (int64_t)x;
	return 0;
}

/* load_flag -- the number 0 or 1: 0, or -1 */
static int
load_flag(struct json_span v, int *f)
{
	uint64_t x;

	if (json_uint(v, &x) == -1 || x > 1)
		return -1;
	*f = (int)x;
	return 0;
}
