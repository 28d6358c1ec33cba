#ifndef DISTINCT_H
#define DISTINCT_H
/*
 * distinct -- how many distinct values a stream holds.  Exact (a set of
 * 64-bit hashes: two values collide with probability 2^-64) up to
 * DISTINCT_EXACT values, then HyperLogLog with 2^DISTINCT_P registers
 * (Flajolet et al. 2007, with the small-range correction of Heule et al.
 * 2013): a standard error of 1.04 / sqrt(2^P), 1.6% for P = 12, in 4 KiB.
 * The caller hashes the values (hash_bytes of their canonical text).
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

#define DISTINCT_EXACT	512
#define DISTINCT_P	12

struct distinct {
	uint64_t	*set;		/* private: open addressing, 0 empty */
	uint32_t	 n, cap;	/* exact count, set slots */
	uint8_t		*reg;		/* NULL until past DISTINCT_EXACT */
};
#define DISTINCT_INIT { NULL, 0, 0, NULL }

void	distinct_add(struct distinct *, uint64_t hash);
				/* 0 is taken as a fixed other hash */
uint64_t distinct_count(const struct distinct *);	/* the estimate */
int	distinct_exact(const struct distinct *);	/* 1 while exact */
void	distinct_merge(struct distinct *, const struct distinct *);
void	distinct_save(const struct distinct *, struct buf *);
				/* appends a JSON value (for --state) */
int	distinct_load(struct distinct *, struct json_span);
				/* 0 and the sketch replaced, or -1 (sketch
				 * unchanged) if the value is not one saved */
void	distinct_free(struct distinct *);	/* may be called twice */

#endif
