#ifndef MERGE_H
#define MERGE_H
/*
 * merge -- k-way merge of inputs by event time.  Each input is in time
 * order up to a lateness; a record is held until every open input has
 * passed its time plus the lateness, so none can still bring an earlier
 * one, nor an equal one that the tie rule would put first.  Memory: the records held, about one per input plus those within
 * the lateness.  Ties go to the lower input number, then arrival order.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct merge_rec {
	int64_t		 t;		/* event time */
	int		 input;
	uint64_t	 seq;		/* arrival order */
	uint64_t	 line;		/* where it came from */
	int64_t		 ingest;	/* wall time it was read */
	struct buf	 text;		/* the record */
	struct merge_rec *next;		/* private: free list */
};

struct merge {
	int		 n;
	int64_t		 lateness;
	int64_t		*mark;		/* private: per input, latest time
					 * minus lateness; INT64_MAX ended */
	struct merge_rec **heap;
	size_t		 len, cap;
	struct merge_rec *spare;
	int64_t		 last;		/* time of the last record out */
	uint64_t	 seq;
};

void	merge_init(struct merge *, int ninputs, int64_t lateness);
int	merge_pick(const struct merge *);
				/* the input to read next: the open one
				 * least advanced; -1 when all have ended */
struct merge_rec *merge_add(struct merge *, int input, int64_t t);
				/* a record to fill in (text, line, ingest)
				 * and hold; NULL if it is late: older than
				 * what already went out (write it at once) */
void	merge_end(struct merge *, int input);	/* the input has ended */
struct merge_rec *merge_ready(struct merge *);
				/* the next record that may go out, or
				 * NULL; valid until merge_pop */
void	merge_pop(struct merge *);	/* it went out */
void	merge_free(struct merge *);

#endif
