#ifndef PACE_H
#define PACE_H
/*
 * pace -- when to write the next record: at the pace of its event time
 * (--replay FACTOR) and at most rate records a second (--rate).  Times
 * are ns: event times as ts.h, wall times from ts_mono().
 */
#include <signal.h>
#include <stdint.h>

struct pace {
	double		 replay;	/* 0: off; 2: twice as fast */
	double		 rate;		/* 0: off */
	int64_t		 t0, w0;	/* private: first event, its wall time */
	int64_t		 tmax;		/* latest event time so far */
	int64_t		 next;		/* earliest wall time for --rate */
};

void	pace_init(struct pace *, double replay, double rate);
int64_t	pace_due(struct pace *, int64_t event, int64_t now);
				/* the wall time at which a record of that
				 * event time (TS_NONE without --replay) may
				 * be written; it counts as written then */
int	pace_sleep(int64_t until, volatile sig_atomic_t *stop);
				/* sleep until the ts_mono() time until: 0,
				 * or -1 when *stop was set meanwhile */

#endif
