#ifndef SLIDE_H
#define SLIDE_H
/*
 * slide -- the records behind --sliding windows.  Per group, the records
 * of the last SIZE of event time, sorted by (time, arrival), each with
 * the bytes of its aggregate values; and the records still waiting for
 * the watermark to pass their time, when their result is final.  Memory
 * is the records within SIZE of the watermark, not the stream.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hash.h"

struct slide_rec {
	int64_t		 t;
	uint64_t	 seq;		/* arrival order */
	size_t		 off, len;	/* its values, in the group's vals */
};

struct slide_group {
	char		*key;		/* the group key, owned */
	size_t		 keylen;
	struct slide_rec *r;		/* r[lo..n): live, by (t, seq) */
	size_t		 lo, n, cap;
	struct buf	 vals;
	size_t		 live;		/* bytes of vals still needed */
};

struct slide_pending {			/* a record waiting for its result */
	int64_t		 t;
	uint64_t	 seq;
	struct slide_group *g;
};

struct slide {
	int64_t		 size;
	struct hash_map	 groups;	/* key -> struct slide_group * */
	struct slide_pending *heap;	/* private: by (t, seq) */
	size_t		 nheap, capheap;
	uint64_t	 seq;
};

void	slide_init(struct slide *, int64_t size);
void	slide_add(struct slide *, const char *key, size_t keylen, int64_t t,
	    const char *vals, size_t len);
void	slide_restore(struct slide *, const char *key, size_t keylen,
	    int64_t t, uint64_t seq, int pending, const char *vals,
	    size_t len);	/* a saved record back, with its arrival
				 * number, waiting for its result or not */
int	slide_pop(struct slide *, int64_t wm, struct slide_pending *);
				/* the earliest waiting record whose time is
				 * before wm (or any, for INT64_MAX): 1, or 0
				 * if none */
size_t	slide_window(const struct slide_group *, int64_t t, uint64_t seq,
	    int64_t size, size_t *first);
				/* the records in the window of (t, seq):
				 * those in (t - size, t) and those at t that
				 * came no later; how many from r[*first] */
void	slide_prune(struct slide *, int64_t wm);
				/* forget records no window can need any
				 * more: at or before wm - size */
size_t	slide_count(const struct slide *);	/* groups held */
struct slide_group *slide_find(const struct slide *, const char *key,
	    size_t keylen);	/* the group, or NULL */
struct slide_group *slide_oldest(const struct slide *);
				/* the group whose latest record is the
				 * oldest (for --max-keys), or NULL */
size_t	slide_take(struct slide *, struct slide_group *,
	    struct slide_pending *);
				/* the group's waiting records, taken out of
				 * the queue into the array (room for all of
				 * its records), by (t, seq); how many */
void	slide_drop(struct slide *, struct slide_group *);
				/* forget a group with nothing waiting */
void	slide_free(struct slide *);

#endif
