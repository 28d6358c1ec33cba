#ifndef DEDUP_H
#define DEDUP_H
/*
 * dedup -- memory of recently kept keys, for --dedup.  A key is a 64-bit
 * hash of its canonical JSON.  A key is a duplicate while it is remembered
 * and, with a window, while the last kept record with that key is less
 * than window earlier.  Memory is bounded by max keys (oldest kept first
 * out) and, with a window, by the keys kept within it.
 */
#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "state.h"

struct dedup_kept {		/* private: one kept record, in order */
	uint64_t key, seq;
	int64_t	 t;
};

struct dedup {
	int64_t		 window;	/* 0: no window */
	size_t		 max;		/* 0: no bound on keys */
	struct hash_map	 map;		/* private: key -> last kept */
	struct dedup_kept *q;		/* ring in keeping order */
	size_t		 qhead, qlen, qcap;
	uint64_t	 seq;
	int64_t		 maxt;
	uint64_t	 dropped, evicted;	/* counters for --stats */
};

void	dedup_init(struct dedup *, int64_t window, size_t max);
int	dedup_seen(struct dedup *, uint64_t key, int64_t t);
				/* 1 duplicate: drop; 0 new: now kept */
int	dedup_save(const struct dedup *, struct state_writer *);
int	dedup_load(struct dedup *, const char *, size_t, const char **why);
				/* the body state_load gave; 0 or -1 */
void	dedup_free(struct dedup *);

#endif
