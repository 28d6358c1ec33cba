/*
 * hash -- XXH3 hashing and an open-addressing map; see hash.h.
 *
 * A slot holds the key's hash and a pointer to the entry: one xmalloc'd
 * block with the key length, the value and the key bytes, so values never
 * move while the table grows and a delete frees its memory.  The table
 * grows by 2 at 70% load.  Linear probing does not wrap around: an entry
 * whose home slot is near the end of the cap slots runs on into a tail of
 * extra slots, and the tail doubles when a probe reaches its end.  Deletes
 * use backward shift, so there are no tombstones and churn does not slow
 * lookups; and since nothing wraps, a shift only moves entries to lower
 * slots.  hash_next walks the slots from the last one down, so an entry
 * moved by deleting one it returned lands in a slot it has passed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "hash.h"
#include "xalloc.h"

#define CAP_MIN		16
#define HOME(m, h)	((size_t)(h) & ((m)->cap - 1))
#define NSLOT(m)	((m)->slot == NULL ? 0 : (m)->cap + (m)->tail)
#define KEY(m, e)	((char *)(e)->val + (m)->vsize)
#define CKEY(m, e)	((const char *)(e)->val + (m)->vsize)

struct hash_ent {
	size_t		 klen;
	max_align_t	 val[];		/* vsize bytes of value, then the key */
};

struct hash_slot {
	uint64_t	 h;
	struct hash_ent	*e;		/* NULL: empty */
};

static size_t	find(const struct hash_map *, uint64_t, const void *,
		    size_t);
static void	resize(struct hash_map *, size_t);
static void	extend(struct hash_map *);
static void	place(struct hash_map *, struct hash_slot);

uint64_t
hash_bytes(const void *p, size_t n)
{
	return XXH3_64bits(p, n);
}

/*
 * find -- the slot holding key k (hash h), else the empty slot that ends
 * its probe, else NSLOT(m) when the probe ran off the end of the tail.
 */
static size_t
find(const struct hash_map *m, uint64_t h, const void *k, size_t len)
{
	const struct hash_ent *e;
	size_t i, n;

	if (m->slot == NULL)
		return 0;
	n = NSLOT(m);
	for (i = HOME(m, h); i < n && (e = m->slot[i].e) != NULL; i++)
		if (m->slot[i].h == h && e->klen == len &&
		    (len == 0 || memcmp(CKEY(m, e), k, len) == 0))
			return i;
	return i;
}

/* extend -- double the tail of overflow slots (exits on OOM) */
static void
extend(struct hash_map *m)
{
	size_t n, tail;

	n = NSLOT(m);
	tail = m->tail * 2;
	m->slot = xreallocarray(m->slot, m->cap + tail, sizeof(m->slot[0]));
	memset(m->slot + n, 0, (m->cap + tail - n) * sizeof(m->slot[0]));
	m->tail = tail;
}

/* place -- put a slot whose key is known to be absent */
static void
place(struct hash_map *m, struct hash_slot s)
{
	size_t i;

	for (i = HOME(m, s.h); i < NSLOT(m) && m->slot[i].e != NULL; i++)
		;
	if (i == NSLOT(m))
		extend(m);
	m->slot[i] = s;
}

/* resize -- rehash every entry into a table of cap slots (exits on OOM) */
static void
resize(struct hash_map *m, size_t cap)
{
	struct hash_slot *old;
	size_t i, n;

	old = m->slot;
	n = NSLOT(m);
	m->cap = cap;
	m->tail = cap < 64 ? cap / 2 : 32;
	m->slot = xcalloc(m->cap + m->tail, sizeof(m->slot[0]));
	for (i = 0; i < n; i++)
		if (old[i].e != NULL)
			place(m, old[i]);
	free(old);
}

void *
hash_get(const struct hash_map *m, const void *k, size_t len)
{
	size_t i;

	if (m->slot == NULL)
		return NULL;
	i = find(m, hash_bytes(k, len), k, len);
	if (i == NSLOT(m) || m->slot[i].e == NULL)
		return NULL;
	return m->slot[i].e->val;
}

/*
 * hash_put -- the value for key k, inserting a zeroed one (and a copy of
 * the key) if it is absent; *isnew, when not NULL, says which.  May move
 * slots, so earlier hash_next positions are void.  Exits on OOM.
 */
void *
hash_put(struct hash_map *m, const void *k, size_t len, int *isnew)
{
	struct hash_slot s;
	size_t i, size;

	s.h = hash_bytes(k, len);
	i = find(m, s.h, k, len);
	if (i < NSLOT(m) && m->slot[i].e != NULL) {
		if (isnew != NULL)
			*isnew = 0;
		return m->slot[i].e->val;
	}
	if (m->slot == NULL || m->count + 1 > m->cap * 7 / 10) {
		resize(m, m->slot == NULL ? CAP_MIN : m->cap * 2);
		i = find(m, s.h, k, len);
	}
	if (i == NSLOT(m))
		extend(m);
	size = sizeof(struct hash_ent) + m->vsize;
	if (size < m->vsize || size + len < size)
		xmalloc(SIZE_MAX);		/* wrapped: report as OOM */
	s.e = xmalloc(size + len);
	s.e->klen = len;
	memset(s.e->val, 0, m->vsize);
	if (len > 0)
		memcpy(KEY(m, s.e), k, len);
	m->slot[i] = s;
	m->count++;
	if (isnew != NULL)
		*isnew = 1;
	return s.e->val;
}

/*
 * hash_del -- remove key k and free its entry, then shift later entries of
 * the run back into the hole when that is no further from their home.
 * Returns 1 if k was present, else 0.
 */
int
hash_del(struct hash_map *m, const void *k, size_t len)
{
	size_t i, j, n;

	if (m->slot == NULL)
		return 0;
	n = NSLOT(m);
	i = find(m, hash_bytes(k, len), k, len);
	if (i == n || m->slot[i].e == NULL)
		return 0;
	free(m->slot[i].e);
	for (j = i + 1; j < n && m->slot[j].e != NULL; j++)
		if (HOME(m, m->slot[j].h) <= i) {
			m->slot[i] = m->slot[j];
			i = j;
		}
	m->slot[i].h = 0;
	m->slot[i].e = NULL;
	m->count--;
	return 1;
}

/* hash_next -- the next entry at or below slot NSLOT - 1 - *pos */
int
hash_next(const struct hash_map *m, size_t *pos, const void **key,
    size_t *keylen, void **val)
{
	struct hash_ent *e;
	size_t n;

	n = NSLOT(m);
	while (*pos < n) {
		e = m->slot[n - 1 - *pos].e;
		(*pos)++;
		if (e != NULL) {
			*key = KEY(m, e);
			*keylen = e->klen;
			*val = e->val;
			return 1;
		}
	}
	return 0;
}

void
hash_free(struct hash_map *m)
{
	size_t i, n;

	n = NSLOT(m);
	for (i = 0; i < n; i++)
		free(m->slot[i].e);
	free(m->slot);
	m->slot = NULL;
	m->cap = m->count = m->tail = 0;
}
