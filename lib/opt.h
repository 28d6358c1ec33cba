#ifndef OPT_H
#define OPT_H
/*
 * opt -- the options every tool shares (CONTRACT sections 5, 6) and the
 * value parsers behind them.  A tool puts OPT_LONG_COMMON (and the
 * OPT_LONG_TIME, _TIME_OUTPUT, _LATENESS and _STATE groups it uses) in
 * its getopt_long table and hands each option to opt_common before its
 * own switch.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "ts.h"

struct opt_common {
	size_t		 max_line;
	enum diag_mode	 on_error;
	const char	*dead_letter;
	int		 stats;
	int		 unbuffered;
	const char	*time_expr;	/* --time, default ".ts" */
	enum ts_unit	 time_unit;
	const char	*time_format;
	int		 processing_time;
	int		 time_given;	/* any of the four time options */
	const char	*state;
	int64_t		 state_every;	/* 0: only at exit */
	enum ts_out	 time_output;	/* --time-output, for times written */
	int		 time_output_given;
	int64_t		 lateness;	/* --lateness, default 0 */
	int		 lateness_given;
};

enum {
	OPT_ON_ERROR = 0x100, OPT_DEAD_LETTER, OPT_STATS, OPT_MAX_LINE,
	OPT_TIME, OPT_TIME_UNIT, OPT_TIME_FORMAT, OPT_PROCESSING_TIME,
	OPT_STATE, OPT_STATE_EVERY, OPT_TIME_OUTPUT, OPT_LATENESS,
	OPT_TOOL = 0x200		/* tools number their own from here */
};

#define OPT_LONG_COMMON \
	{ "dead-letter", required_argument, NULL, OPT_DEAD_LETTER }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "max-line", required_argument, NULL, OPT_MAX_LINE }, \
	{ "on-error", required_argument, NULL, OPT_ON_ERROR }, \
	{ "stats", no_argument, NULL, OPT_STATS }, \
	{ "unbuffered", no_argument, NULL, 'u' }, \
	{ "version", no_argument, NULL, 'V' }
#define OPT_LONG_TIME \
	{ "processing-time", no_argument, NULL, OPT_PROCESSING_TIME }, \
	{ "time", required_argument, NULL, OPT_TIME }, \
	{ "time-format", required_argument, NULL, OPT_TIME_FORMAT }, \
	{ "time-unit", required_argument, NULL, OPT_TIME_UNIT }
#define OPT_LONG_TIME_OUTPUT \
	{ "time-output", required_argument, NULL, OPT_TIME_OUTPUT }
#define OPT_LONG_LATENESS \
	{ "lateness", required_argument, NULL, OPT_LATENESS }
#define OPT_LONG_STATE \
	{ "state", required_argument, NULL, OPT_STATE }, \
	{ "state-every", required_argument, NULL, OPT_STATE_EVERY }

void	opt_init(struct opt_common *);
int	opt_common(struct opt_common *, int ch, const char *arg,
	    const char **why);	/* 1 taken, 0 not common, -1 bad value */

/* Value parsers: 0, or -1 for a malformed or out-of-range value */
int	opt_size(const char *, size_t *);	/* 64M, 512K, 1G, 100 */
int	opt_int(const char *, long long min, long long max, long long *);
int	opt_fraction(const char *, double *);	/* 0 < P <= 1 */

#endif
