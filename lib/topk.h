#ifndef TOPK_H
#define TOPK_H
/*
 * topk -- the most frequent values of a stream in bounded memory (Space-
 * Saving, Metwally et al. 2005) with cap counters: exact while at most cap
 * distinct values were seen; beyond that a value's count is overestimated
 * by at most its err (<= n / cap), and every value more frequent than
 * n / cap is in the table.  Values are byte strings (the caller passes
 * canonical JSON text) copied into the table.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

struct topk_entry {
	const char	*val;		/* into the table, until it changes */
	size_t		 len;
	uint64_t	 count;		/* may overestimate by err */
	uint64_t	 err;
};

struct topk {
	uint32_t	 cap;		/* counters; set by topk_init */
	uint64_t	 n;		/* values counted */
	struct topk_slot *slot;		/* private: used of scap, grown by 2 */
	uint32_t	 used, scap;
	uint32_t	*index;		/* slot + 1 by hash, 0 empty; icap */
	uint32_t	 icap;
	uint32_t	*heap;		/* slots, least count first */
	int		 lossy;		/* a counted value may be missing */
};

void	topk_init(struct topk *, uint32_t cap);	/* cap >= 1 */
void	topk_add(struct topk *, const char *, size_t);
size_t	topk_get(const struct topk *, size_t k, struct topk_entry *);
				/* the k most frequent into the array, count
				 * descending, ties by value bytes ascending;
				 * returns how many (<= k) */
void	topk_merge(struct topk *, const struct topk *);
void	topk_save(const struct topk *, struct buf *);
				/* appends a JSON value (for --state) */
int	topk_load(struct topk *, struct json_span);
				/* 0 and the table replaced, cap included, or
				 * -1 (table unchanged) if not one saved */
void	topk_free(struct topk *);	/* may be called twice */

#endif
