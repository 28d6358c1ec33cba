#ifndef WINDOW_H
#define WINDOW_H
/*
 * window -- stream-window: records grouped by key into windows of event
 * time (tumbling, hopping, sliding, session) or of record counts,
 * aggregated, and
 * written when the watermark passes a window's end (CONTRACT sections 5
 * and 7).  The caller fills struct window_opts (window_option,
 * window_check), opens the loop, and runs it with window_record; at the
 * end of input window_finish closes every window, or with --state saves
 * them for the next run.
 */
#include <stdint.h>

#include "agg.h"
#include "buf.h"
#include "clock.h"
#include "field.h"
#include "hash.h"
#include "loop.h"
#include "opt.h"
#include "slide.h"

#define WINDOW_BY_MAX	16
#define WINDOW_AGG_MAX	32

enum window_kind { WINDOW_NONE, WINDOW_TUMBLING, WINDOW_HOPPING,
	WINDOW_SLIDING, WINDOW_SESSION, WINDOW_COUNT };

struct window_opts {
	struct opt_common common;
	enum window_kind kind;
	int		 kinds;		/* how many kinds were given */
	int64_t		 size, every, gap, offset;
	long long	 count;
	const char	*by[WINDOW_BY_MAX];
	int		 nby;
	const char	*agg[WINDOW_AGG_MAX];
	int		 nagg;
	int		 emit_update;
	long long	 collect_max;
	long long	 max_keys;	/* 0: no bound */
	const char	*late;		/* --late FILE */
	int64_t		 idle;		/* 0: off */
};

struct window {
	const struct window_opts *o;
	struct clock	 clock;		/* private from here on */
	struct field	 by[WINDOW_BY_MAX];
	struct buf	 byname[WINDOW_BY_MAX];	/* "name": */
	struct agg_spec	 spec[WINDOW_AGG_MAX];
	struct field	 val[WINDOW_AGG_MAX];
	struct hash_map	 map;		/* key -> struct win * */
	struct win	**heap;		/* by end: the order they close in */
	size_t		 nheap, capheap;
	struct win	**ready;	/* closed, to sort and write */
	size_t		 nready, capready;
	int64_t		 maxt, wm;	/* largest event time; watermark */
	int64_t		 last_wall;	/* ts_mono() of the last record */
	int64_t		 wm_at_last;	/* the watermark then */
	uint64_t	 seq;
	int64_t		 next_save;	/* --state-every */
	unsigned	 since_check;
	struct loop	*loop;
	struct buf	 key, mapkey, out, err, scratch;
	struct json_span aggv[WINDOW_AGG_MAX];
	struct slide	 slide;		/* --sliding */
	struct slide_pending *due;	/* its results to write now */
	size_t		 ndue, capdue;
	struct agg	 tmp[WINDOW_AGG_MAX];
	struct buf	 vals;
	struct json_want want;		/* members the scanner captures */
};

enum {				/* getopt values of the options */
	WINDOW_O_TUMBLING = OPT_TOOL, WINDOW_O_HOPPING, WINDOW_O_EVERY,
	WINDOW_O_SLIDING,
	WINDOW_O_SESSION, WINDOW_O_COUNT, WINDOW_O_OFFSET, WINDOW_O_BY,
	WINDOW_O_AGG, WINDOW_O_EMIT, WINDOW_O_COLLECT_MAX, WINDOW_O_MAX_KEYS,
	WINDOW_O_LATE, WINDOW_O_IDLE
};

int	window_option(struct window_opts *, int ch, const char *arg,
	    struct buf *why);	/* 1 taken, 0 not ours, -1 a bad value */
const char *window_check(struct window_opts *);
				/* NULL, or why the options conflict */
int	window_open(struct window *, const struct window_opts *,
	    struct loop *, struct buf *err);
				/* compile --by, --agg, --time: 0, or -1
				 * (a usage error, said in err) */
enum loop_rc window_record(void *, struct loop *, const struct line *,
	    struct json_span);
void	window_idle(void *);	/* loop.idle: the watermark moves on */
int	window_timeout(void *);	/* loop.timeout: ms until the next close */
enum loop_rc window_finish(struct window *);	/* end of input */
void	window_close(struct window *);

#endif
