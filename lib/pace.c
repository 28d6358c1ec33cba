/* pace -- --replay and --rate timing; see pace.h. */
#include <errno.h>
#include <time.h>

#include "pace.h"
#include "ts.h"

void
pace_init(struct pace *p, double replay, double rate)
{
	p->replay = replay;
	p->rate = rate;
	p->t0 = p->tmax = TS_NONE;
	p->w0 = p->next = 0;
}

/*
 * pace_due -- replay maps event time onto wall time from the first
 * record on; a record older than one already due is due at once, since
 * time cannot run backwards.  rate spaces records 1/rate apart.
 */
int64_t
pace_due(struct pace *p, int64_t event, int64_t now)
{
	int64_t due = now;

	if (p->replay > 0 && event != TS_NONE) {
		if (p->t0 == TS_NONE) {
			p->t0 = p->tmax = event;
			p->w0 = now;
		}
		if (event > p->tmax)
			p->tmax = event;
		due = p->w0 + (int64_t)((double)(p->tmax - p->t0) / p->replay);
		if (due < now)
			due = now;
	}
	if (p->rate > 0) {
		if (due < p->next)
			due = p->next;
		p->next = due + (int64_t)((double)TS_SECOND / p->rate);
	}
	return due;
}

int
pace_sleep(int64_t until, volatile sig_atomic_t *stop)
{
	struct timespec ts;
	int64_t now;

	while ((now = ts_mono()) < until) {
		if (stop != NULL && *stop)
			return -1;
		ts.tv_sec = (time_t)((until - now) / TS_SECOND);
		ts.tv_nsec = (long)((until - now) % TS_SECOND);
		if (nanosleep(&ts, NULL) == -1 && errno != EINTR)
			return 0;
	}
	return stop != NULL && *stop ? -1 : 0;
}
