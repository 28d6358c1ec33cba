/*
 * table -- the lookup side of a stream-table join; see table.h.
 *
 * A row is one xmalloc'd block, built at put time so that a join does no
 * unescaping or allocation of its own on the row's side: a header, a
 * member table, the compact object text, and the names of members whose
 * key has an escape, unescaped (other names are read in place in the
 * text).  Each member records where its `"name":value` text ends, where
 * its name is and the hash of that name.  Two 64-bit masks, one bit per
 * name hash and one per name length (both mod 64), let table_merge
 * dismiss most event member names with a test or two.  The block is
 * kept small, with no pointers into itself, because a join with a large
 * table spends most of its time waiting for the row's cache lines.
 *
 * table_merge makes one pass over the event's top-level members, marking
 * the row members they shadow, then appends the event without its '}'
 * and the unshadowed members.  Members that follow each other in the row
 * lie back to back in its text, comma between, so each run of them is
 * one copy: when nothing is shadowed, the whole row's members are one.
 * The marks are a 64-bit mask, so a row of more than 64 members is
 * handled 64 at a time, one pass over the event for each.
 *
 * An event member name with an escape is unescaped into the caller's
 * out buffer, past its end, as scratch: out->len does not move, and the
 * bytes are dead as soon as they are compared.  So the caller's buffer
 * growing is the only allocation of a join.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "json.h"
#include "table.h"
#include "xalloc.h"

#define BIT(x)		((uint64_t)1 << ((x) & 63))
#define BLOCK		64		/* row members per shadow mask */

struct table_memb {
	uint64_t	 h;		/* hash_bytes of the name */
	size_t		 end;		/* member's end in text */
	size_t		 noff, nlen;	/* the name, from text */
};

struct table_row {
	size_t		 size;		/* bytes of this block */
	size_t		 n;		/* members */
	size_t		 len;		/* text bytes, no NUL */
	uint64_t	 bloom;		/* BIT(h) of each member */
	uint64_t	 lens;		/* BIT(nlen) of each member */
	struct table_memb m[];		/* then text, NUL, names */
};

#define TEXT(r)		((const char *)((r)->m + (r)->n))
#define START(r, j)	((j) == 0 ? 1 : (r)->m[(j) - 1].end + 1)

static int	has_name(struct buf *, struct json_span, const char *,
		    size_t, int *);
static const char *key_name(struct buf *, struct json_span, size_t *);
static int	key_is(struct buf *, struct json_span, const char *, size_t);
static void	put_members(struct buf *, const struct table_row *, size_t,
		    uint64_t, int *);
static struct table_row *row_make(struct json_span);
static uint64_t	shadowed(struct buf *, struct json_span,
		    const struct table_row *, size_t, int *);

void
table_init(struct table *t)
{
	struct hash_map m = HASH_MAP_INIT(sizeof(struct table_row *));

	t->map = m;
	t->bytes = 0;
}

/*
 * row_make -- a row for object: its compact text, and for each member
 * where its text ends and its name unescaped and hashed.  A name with no
 * escape is read in place in the text; the others are unescaped after
 * it.  A value that is not an object is kept as a row of no members.
 * Exits on OOM.
 */
static struct table_row *
row_make(struct json_span object)
{
	struct buf text = BUF_INIT, names = BUF_INIT, memb = BUF_INIT;
	struct table_memb mb;
	struct table_row *r;
	struct json_iter it;
	struct json_span obj, k, v;
	const char *name;
	uint64_t bloom, lens;
	size_t size, start;
	char *p;

	json_compact(object, &text);
	obj = json_span_of(text.p, text.len);
	bloom = lens = 0;
	memset(&mb, 0, sizeof(mb));
	if (obj.type == JSON_OBJECT) {
		json_iter_init(&it, obj);
		while (json_iter_next(&it, &k, &v)) {
			name = k.p + 1;
			mb.nlen = k.len - 2;
			mb.noff = (size_t)(name - text.p);
			if (memchr(name, '\\', mb.nlen) != NULL) {
				start = names.len;
				json_string(k, &names);
				name = names.p + start;
				mb.nlen = names.len - start;
				mb.noff = text.len + 1 + start;
			}
			mb.h = hash_bytes(name, mb.nlen);
			mb.end = (size_t)(v.p + v.len - text.p);
			bloom |= BIT(mb.h);
			lens |= BIT(mb.nlen);
			buf_add(&memb, &mb, sizeof(mb));
		}
	}
	/* Each part is already in memory, so the sum cannot wrap */
	size = sizeof(*r) + memb.len + text.len + 1 + names.len;
	r = xmalloc(size);
	r->size = size;
	r->n = memb.len / sizeof(mb);
	r->len = text.len;
	r->bloom = bloom;
	r->lens = lens;
	if (memb.len > 0)
		memcpy(r->m, memb.p, memb.len);
	p = (char *)r->m + memb.len;
	memcpy(p, text.p, text.len + 1);
	if (names.len > 0)
		memcpy(p + text.len + 1, names.p, names.len);
	buf_free(&text);
	buf_free(&names);
	buf_free(&memb);
	return r;
}

/* table_put -- store a compact copy of object as key's row, freeing the
 * row it replaces.  Exits on OOM. */
void
table_put(struct table *t, const char *key, size_t keylen,
    struct json_span object)
{
	struct table_row *r, **slot;
	int isnew;

	r = row_make(object);
	slot = hash_put(&t->map, key, keylen, &isnew);
	if (isnew)
		t->bytes += keylen;
	else {
		t->bytes -= (*slot)->size;
		free(*slot);
	}
	*slot = r;
	t->bytes += r->size;
}

/* table_del -- drop key and free its row: 1, or 0 if there was none */
int
table_del(struct table *t, const char *key, size_t keylen)
{
	struct table_row **slot;

	if ((slot = hash_get(&t->map, key, keylen)) == NULL)
		return 0;
	t->bytes -= keylen + (*slot)->size;
	free(*slot);
	hash_del(&t->map, key, keylen);
	return 1;
}

const struct table_row *
table_get(const struct table *t, const char *key, size_t keylen)
{
	struct table_row **slot;

	if ((slot = hash_get(&t->map, key, keylen)) == NULL)
		return NULL;
	return *slot;
}

size_t
table_count(const struct table *t)
{
	return t->map.count;
}

/* table_swap -- exchange the contents of a and b; neither is copied */
void
table_swap(struct table *a, struct table *b)
{
	struct table tmp;

	tmp = *a;
	*a = *b;
	*b = tmp;
}

/* table_free -- free every row and the map; t is left empty, reusable */
void
table_free(struct table *t)
{
	const void *key;
	size_t pos, keylen;
	void *val;

	pos = 0;
	while (hash_next(&t->map, &pos, &key, &keylen, &val))
		free(*(struct table_row **)val);
	hash_free(&t->map);
	t->bytes = 0;
}

/*
 * key_name -- the unescaped name of the object key key, its length in
 * *len.  Without an escape it is the bytes between the quotes; else it
 * is written past the end of out as scratch (out->len unchanged), valid
 * until out is next appended to.
 */
static const char *
key_name(struct buf *out, struct json_span key, size_t *len)
{
	size_t base;

	*len = key.len - 2;
	if (memchr(key.p + 1, '\\', *len) == NULL)
		return key.p + 1;
	base = out->len;
	buf_addc(out, '\0');	/* stays as p[len] once len goes back */
	json_string(key, out);
	*len = out->len - base - 1;
	out->len = base;
	return out->p + base + 1;
}

/* key_is -- whether the object key key unescapes to name */
static int
key_is(struct buf *out, struct json_span key, const char *name,
    size_t namelen)
{
	const char *s;
	size_t n;

	if (key.len - 2 < namelen)	/* escapes only make it shorter */
		return 0;
	s = key_name(out, key, &n);
	return n == namelen && (n == 0 || memcmp(s, name, n) == 0);
}

/*
 * shadowed -- the mask of row members first to first + BLOCK - 1 that
 * have a name among event's members, bit 0 for first.  *some is set if
 * the event has any member.
 */
static uint64_t
shadowed(struct buf *out, struct json_span event, const struct table_row *r,
    size_t first, int *some)
{
	const struct table_memb *m;
	struct json_iter it;
	struct json_span k, v;
	const char *s;
	size_t j, last, n;
	uint64_t h, mask;

	last = r->n - first > BLOCK ? first + BLOCK : r->n;
	mask = 0;
	json_iter_init(&it, event);
	while (json_iter_next(&it, &k, &v)) {
		*some = 1;
		s = key_name(out, k, &n);
		if ((r->lens & BIT(n)) == 0)
			continue;
		h = hash_bytes(s, n);
		if ((r->bloom & BIT(h)) == 0)
			continue;
		for (j = first; j < last; j++) {
			m = &r->m[j];
			if (m->h == h && m->nlen == n &&
			    (n == 0 || memcmp(TEXT(r) + m->noff, s, n) == 0))
				mask |= BIT(j - first);
		}
	}
	return mask;
}

/*
 * put_members -- append row members first to first + BLOCK - 1 whose bit
 * in mask is clear, each run of them in one copy, a comma before each
 * run when *sep, which is then set.
 */
static void
put_members(struct buf *out, const struct table_row *r, size_t first,
    uint64_t mask, int *sep)
{
	size_t j, k, last;

	last = r->n - first > BLOCK ? first + BLOCK : r->n;
	for (j = first; j < last; j = k + 1) {
		for (k = j; k < last && (mask & BIT(k - first)) == 0; k++)
			;
		if (k == j)
			continue;
		if (*sep)
			buf_addc(out, ',');
		buf_add(out, TEXT(r) + START(r, j),
		    r->m[k - 1].end - START(r, j));
		*sep = 1;
	}
}

/*
 * table_merge -- append event with the members of row whose names it
 * lacks, in the row's order, after its own.  A NULL row, or one of no
 * members, leaves the event as it is.
 */
void
table_merge(struct buf *out, struct json_span event,
    const struct table_row *r)
{
	size_t first;
	uint64_t mask;
	int sep;

	if (r == NULL || r->n == 0) {
		buf_add(out, event.p, event.len);
		return;
	}
	buf_grow(out, event.len + r->len);
	sep = 0;
	mask = shadowed(out, event, r, 0, &sep);
	buf_add(out, event.p, event.len - 1);
	if (mask == 0 && r->n <= BLOCK) {	/* the common case */
		if (sep)
			buf_addc(out, ',');
		buf_add(out, TEXT(r) + 1, r->len - 1);
		return;
	}
	put_members(out, r, 0, mask, &sep);
	for (first = BLOCK; first < r->n; first += BLOCK) {
		mask = shadowed(out, event, r, first, &sep);
		put_members(out, r, first, mask, &sep);
	}
	buf_addc(out, '}');
}

/* has_name -- whether event has a member named name; *some is set if it
 * has any member */
static int
has_name(struct buf *out, struct json_span event, const char *name,
    size_t namelen, int *some)
{
	struct json_iter it;
	struct json_span k, v;

	json_iter_init(&it, event);
	while (json_iter_next(&it, &k, &v)) {
		*some = 1;
		if (key_is(out, k, name, namelen))
			return 1;
	}
	return 0;
}

/*
 * table_into -- append event with member name set to the row's object,
 * or null for a NULL row, last.  An event without such a member is kept
 * as it came; else it is rebuilt from its other members' text.
 */
void
table_into(struct buf *out, struct json_span event, const char *name,
    size_t namelen, const struct table_row *r)
{
	struct json_iter it;
	struct json_span k, v;
	const char *prev, *from;
	int sep;

	buf_grow(out, event.len + namelen + 4 + (r != NULL ? r->len : 4));
	sep = 0;
	if (!has_name(out, event, name, namelen, &sep))
		buf_add(out, event.p, event.len - 1);
	else {
		/* the event's bytes without the dropped members: each kept
		 * one with the separator before it, the first one with the
		 * space after the brace instead */
		sep = 0;
		buf_addc(out, '{');
		prev = NULL;
		json_iter_init(&it, event);
		while (json_iter_next(&it, &k, &v)) {
			if (prev == NULL)
				buf_add(out, event.p + 1,
				    (size_t)(k.p - event.p - 1));
			if (!key_is(out, k, name, namelen)) {
				from = sep ? prev : k.p;
				buf_add(out, from, (size_t)(v.p + v.len - from));
				sep = 1;
			}
			prev = v.p + v.len;
		}
	}
	if (sep)
		buf_addc(out, ',');
	json_put_string(out, name, namelen);
	buf_addc(out, ':');
	if (r != NULL)
		buf_add(out, TEXT(r), r->len);
	else
		buf_add(out, "null", 4);
	buf_addc(out, '}');
}
