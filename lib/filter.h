#ifndef FILTER_H
#define FILTER_H
/*
 * filter -- stream-filter: per record, in this order, --shard and
 * --sample on the input record, the jq program, then --dedup (keyed on
 * the input record, for records with output) and --limit on the outputs.  The caller fills struct filter_opts, adds jq arguments
 * to prog, then calls filter_open and runs loop_fd with filter_record.
 */
#include <stdint.h>

#include "buf.h"
#include "clock.h"
#include "dedup.h"
#include "field.h"
#include "loop.h"
#include "opt.h"
#include "program.h"

struct filter_opts {
	struct opt_common common;
	int		 raw;		/* -r */
	long long	 limit;		/* -n; 0: none */
	double		 sample;	/* 0: keep all */
	long long	 seed;
	int		 seeded;
	const char	*dedup;		/* key expression */
	int64_t		 dedup_window;
	long long	 dedup_size;
	long long	 shard_i, shard_n;	/* shard_n 0: no sharding */
	const char	*by;
};

struct filter {
	const struct filter_opts *o;
	struct program	 prog;
	struct field	 dedup_key, shard_key;	/* private */
	struct clock	 clock;
	struct dedup	 dedup;
	uint64_t	 rng;
	int64_t		 next_save;
	struct loop	*loop;
	const struct line *line;	/* the record being run */
	struct json_span rec;
	int		 judged, dropping;	/* its dedup verdict */
	enum loop_rc	 rc;
	struct json_want want;
	struct buf	 key, err, text;
};

enum {				/* getopt values of the options */
	FILTER_O_ARG = OPT_TOOL, FILTER_O_ARGJSON, FILTER_O_SLURPFILE,
	FILTER_O_RAWFILE, FILTER_O_SAMPLE, FILTER_O_SEED, FILTER_O_DEDUP,
	FILTER_O_DEDUP_WINDOW, FILTER_O_DEDUP_SIZE, FILTER_O_SHARD, FILTER_O_BY
};

int	filter_option(struct filter *, struct filter_opts *, int ch,
	    const char *arg, const char *value, struct buf *why);
				/* 1 taken, 0 not an option of ours, -1 a
				 * bad value (why says what was expected) */
const char *filter_check(struct filter_opts *);
				/* NULL, or why the options do not go
				 * together; fills in defaults */
void	filter_init(struct filter *, const struct filter_opts *);
int	filter_open(struct filter *, const char *program, struct buf *err);
				/* compile; restore --state.  0, or -1
				 * (usage error) with the reason in err */
const struct json_want *filter_want(struct filter *);
				/* keys for loop.want, or NULL */
void	filter_idle(void *);	/* for loop.idle with --state-every */
enum loop_rc filter_record(void *, struct loop *, const struct line *,
	    struct json_span);
int	filter_close(struct filter *, const char **why);
				/* save --state; 0, or -1 with errno */

#endif
