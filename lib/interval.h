#ifndef INTERVAL_H
#define INTERVAL_H
/*
 * interval -- the buffers of a stream-stream interval join (stream-join
 * --with): records of both sides held by key until the watermark says
 * no partner can come, pairs found when the second of them arrives, and
 * records that expire unmatched handed back for --left and --outer.
 *
 * A left record L and a right record R with the same key pair when
 *	L.t - before <= R.t <= L.t + after
 * (Flink's intervalJoin().between(-before, after); --within D is
 * before = after = D).  So L can meet no new partner once the watermark
 * passes L.t + after, and R none once it passes R.t + before: that is
 * when each expires.  A record is never reported unmatched while a
 * partner could still come (the spurious "A+null" rows of KAFKA-10847).
 *
 * Keys and records are JSON text (keys canonical, or any text the caller
 * chooses that no canonical key can be), compared as bytes, and copied.
 * Nothing here prints or exits except on out-of-memory, as xalloc does.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hash.h"
#include "json.h"

enum side { SIDE_LEFT = 0, SIDE_RIGHT = 1 };

struct held;			/* private: one buffered record */

/* A pair: called with the left and the right record's bytes; returns
 * 0, or -1 to stop (the new record is then not held) */
typedef int (*interval_pair)(void *, const char *l, size_t ln,
    const char *r, size_t rn);
/* A record that leaves unmatched (expired or evicted), when its side is
 * kept (keep[side]); returns 0, or -1 to stop (the caller's error) */
typedef int (*interval_alone)(void *, enum side, const char *, size_t);

struct interval {
	int64_t		 before, after;	/* set before use; >= 0 */
	int		 keep[2];	/* report unmatched records of a side */
	long long	 max_held;	/* bound on records held; 0: none */
	uint64_t	 evicted;	/* records pushed out by max_held */
	size_t		 nheld;		/* records held now */
	size_t		 bytes;		/* their bytes, roughly */
	interval_pair	 pair;		/* callbacks, and their argument */
	interval_alone	 alone;
	void		*arg;
	struct hash_map	 map;		/* private: key -> both sides' lists */
	struct held	**heap;		/* by (expiry, seq) */
	size_t		 capheap;
	uint64_t	 seq;
};

void	interval_init(struct interval *);	/* zeroes; set the fields
						 * above map after it */
int	interval_add(struct interval *, enum side, const char *key,
	    size_t keylen, int64_t t, const char *rec, size_t reclen);
				/* pair rec with every held partner (in the
				 * order they arrived), then hold it; evicts
				 * the record that would expire first while
				 * more than max_held are held.  0, or -1 if
				 * a callback said stop */
int	interval_expire(struct interval *, int64_t watermark);
				/* let go of every record whose expiry is
				 * before watermark, in order of (expiry,
				 * arrival): 0, or -1 as above */
int	interval_expire_all(struct interval *);	/* end of input */
int64_t	interval_next(const struct interval *);
				/* the earliest expiry held, or INT64_MAX:
				 * a watermark above it lets a record go */

/* --state: the held records in arrival order, one compact JSON object
 * each, {"s":0|1,"t":NS,"m":0|1,"k":KEY,"r":RECORD} (KEY and RECORD as
 * JSON values), and back */
int	interval_save(const struct interval *, int (*line)(void *,
	    const char *, size_t), void *);	/* 0, or what line said */
int	interval_load(struct interval *, struct json_span object);
				/* one saved line: 0, or -1 if it is not
				 * one; pairs nothing, expires nothing.
				 * before and after must be set first */
void	interval_free(struct interval *);	/* may be called twice */

#endif
