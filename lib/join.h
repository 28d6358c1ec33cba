#ifndef JOIN_H
#define JOIN_H
/*
 * join -- stream-join: the stream (FILE or stdin) joined with a second
 * input (CONTRACT section 7).  With --table, each event is looked up in
 * a table of the latest record per key, read first, or followed as a
 * changelog that updates it while events flow.  With --with, records of
 * the two streams pair when their keys are equal and their event times
 * close (lib/interval).  Both inputs are read at once, either of them a
 * pipe.  The caller fills struct join_opts (join_option, join_check),
 * opens the loop for output and diagnostics, and runs join_run.
 */
#include <stdint.h>

#include "buf.h"
#include "clock.h"
#include "field.h"
#include "interval.h"
#include "loop.h"
#include "opt.h"
#include "table.h"

struct join_opts {
	struct opt_common common;
	const char	*table;		/* --table FILE, or NULL */
	const char	*with;		/* --with FILE, or NULL */
	const char	*on, *table_on, *with_on, *tombstone;
	const char	*into;		/* --into NAME, or NULL: merge */
	int		 follow_table;
	int		 left, outer;
	int64_t		 before, after;	/* -1: not given */
	int		 within_given, bounds_given;	/* --before, --after */
	const char	*as;		/* --as L,R */
	long long	 max_held;	/* 0: no bound */
	const char	*late;		/* --late FILE */
	int64_t		 idle;		/* 0: off */
	const char	*needs_table;	/* an option given that needs --table */
	const char	*needs_with;	/* ... or --with */
};

struct join_input;

struct join {
	const struct join_opts *o;
	struct loop	*loop;
	struct clock	 clock;		/* private from here on */
	struct field	 on, other_on, tombstone;
	struct table	 table;
	struct interval	 iv;
	struct json_want want;		/* members the scanner captures */
	struct buf	 key, out, err, msg, lname, rname;
	int64_t		 maxt[2];	/* largest time per input */
	int		 seen[2];	/* a timed record came from it */
	int		 ended[2];
	int64_t		 wm;		/* watermark */
	int64_t		 last_wall, wm_at_last;	/* for --idle */
	int64_t		 heard[2];	/* ts_mono() of each input's last record */
	int64_t		 next_save;	/* --state-every */
	unsigned	 since_check;
	enum loop_rc	 halt;		/* what stopped a callback */
	size_t		 intolen;
};

enum {				/* getopt values of the options */
	JOIN_O_TABLE = OPT_TOOL, JOIN_O_WITH, JOIN_O_ON, JOIN_O_TABLE_ON,
	JOIN_O_WITH_ON, JOIN_O_TOMBSTONE, JOIN_O_FOLLOW_TABLE, JOIN_O_INTO,
	JOIN_O_LEFT, JOIN_O_OUTER, JOIN_O_WITHIN, JOIN_O_BEFORE,
	JOIN_O_AFTER, JOIN_O_AS, JOIN_O_MAX_HELD, JOIN_O_LATE, JOIN_O_IDLE
};

void	join_init(struct join_opts *);
int	join_option(struct join_opts *, int ch, const char *arg,
	    struct buf *why);	/* 1 taken, 0 not ours, -1 a bad value */
const char *join_check(struct join_opts *, struct buf *why);
				/* NULL, or why the options conflict */
int	join_open(struct join *, const struct join_opts *, struct loop *,
	    struct buf *err);	/* compile the expressions, load the table
				 * or --state: 0; -1 usage error (exit 2),
				 * -2 runtime error (exit 1), said in err */
int	join_run(struct join *, const char *operand);
				/* the stream (NULL or "-": stdin) until
				 * both inputs end or a stop: exit status */
void	join_close(struct join *);

#endif
