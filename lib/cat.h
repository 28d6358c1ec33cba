#ifndef CAT_H
#define CAT_H
/*
 * cat -- stream-cat: every input into NDJSON records, in order or merged
 * by event time, followed as files grow and rotate, paced, with members
 * added.  The caller fills struct cat_opts (cat_option, cat_check),
 * opens the loop for output and diagnostics, and runs cat_run.
 */
#include <stdint.h>

#include "buf.h"
#include "clock.h"
#include "loop.h"
#include "opt.h"
#include "pace.h"
#include "source.h"

struct cat_opts {
	struct opt_common common;
	enum format	 format;
	const char	*header;	/* --header, or NULL */
	int		 follow;
	long long	 tail;		/* --tail; -1: from the start */
	int		 merge;
	double		 replay, rate;	/* 0: off */
	long long	 limit;		/* 0: none */
	const char	*add_source, *add_ingest;
};

struct cat {
	const struct cat_opts *o;
	struct loop	*loop;
	struct clock	 clock;		/* private */
	struct pace	 pace;
	int		 timed;		/* --merge or --replay */
	long long	 written;
	int		 rval;
	struct buf	 rec, msg, names;
	size_t		 ingest_at;	/* "name": of --add-ingest-time in names */
};

enum {				/* getopt values of the options */
	CAT_O_FORMAT = OPT_TOOL, CAT_O_HEADER, CAT_O_TAIL, CAT_O_MERGE,
	CAT_O_REPLAY, CAT_O_RATE, CAT_O_ADD_SOURCE, CAT_O_ADD_INGEST
};

int	cat_option(struct cat_opts *, int ch, const char *arg, struct buf *why);
				/* 1 taken, 0 not ours, -1 a bad value */
const char *cat_check(struct cat_opts *);
				/* NULL, or why the options conflict */
int	cat_open(struct cat *, const struct cat_opts *, struct buf *err);
				/* 0, or -1: --time does not compile */
int	cat_run(struct cat *, struct loop *, char **operands);
				/* every operand; the exit status */
void	cat_close(struct cat *);

#endif
