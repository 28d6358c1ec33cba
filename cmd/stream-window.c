/* stream-window -- aggregate NDJSON records over windows of event time */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "loop.h"
#include "sig.h"
#include "window.h"

#define PROG	"stream-window"
#define USAGE \
"usage: stream-window [-huV] (--tumbling SIZE | --hopping SIZE --every HOP |\n" \
"           --sliding SIZE | --session GAP | --count N) [--offset DUR]\n" \
"           [--by [NAME=]EXPR]...\n" \
"           [--agg [NAME=]FUNC[(EXPR)]]... [--emit final|update]\n" \
"           [--collect-max N] [--max-keys N] [--time EXPR] [--time-unit UNIT]\n" \
"           [--time-format FMT] [--processing-time] [--time-output FMT]\n" \
"           [--lateness DUR] [--late FILE] [--idle DUR] [--state FILE]\n" \
"           [--state-every DUR] [--on-error MODE] [--dead-letter FILE]\n" \
"           [--stats] [--max-line SIZE] [FILE...]\n"
#define HELP \
"Group the NDJSON records of the FILEs (default stdin) by --by into\n" \
"windows of event time (--time, default .ts) and write one line per\n" \
"window and group when the watermark (largest time minus --lateness)\n" \
"passes its end: start, end, the group, and each --agg (count, sum, avg,\n" \
"min, max, stddev, first, last, distinct, pNN, top(K,EXPR), collect).\n" \
"Late records: counted, kept by --late.  --state keeps open windows\n" \
"across runs.  See stream-window(1).\n"

static const struct option longopts[] = {
	OPT_LONG_COMMON, OPT_LONG_TIME, OPT_LONG_TIME_OUTPUT,
	OPT_LONG_LATENESS, OPT_LONG_STATE,
	{ "agg", required_argument, NULL, WINDOW_O_AGG },
	{ "by", required_argument, NULL, WINDOW_O_BY },
	{ "collect-max", required_argument, NULL, WINDOW_O_COLLECT_MAX },
	{ "count", required_argument, NULL, WINDOW_O_COUNT },
	{ "emit", required_argument, NULL, WINDOW_O_EMIT },
	{ "every", required_argument, NULL, WINDOW_O_EVERY },
	{ "hopping", required_argument, NULL, WINDOW_O_HOPPING },
	{ "idle", required_argument, NULL, WINDOW_O_IDLE },
	{ "late", required_argument, NULL, WINDOW_O_LATE },
	{ "max-keys", required_argument, NULL, WINDOW_O_MAX_KEYS },
	{ "offset", required_argument, NULL, WINDOW_O_OFFSET },
	{ "session", required_argument, NULL, WINDOW_O_SESSION },
	{ "sliding", required_argument, NULL, WINDOW_O_SLIDING },
	{ "tumbling", required_argument, NULL, WINDOW_O_TUMBLING },
	{ NULL, 0, NULL, 0 }
};

static struct window_opts o;
static struct buf msg = BUF_INIT;

static void	usage(const char *) __attribute__((noreturn));

static void
usage(const char *why)
{
	if (why != NULL && *why != '\0')
		fprintf(stderr, PROG ": %s\n", why);
	fputs(USAGE, why != NULL ? stderr : stdout);
	if (why == NULL)
		fputs(HELP, stdout);
	exit(why != NULL ? 2 : 0);
}

int
main(int argc, char *argv[])
{
	const char *why = NULL;
	struct window w;
	struct loop l;
	int ch, rval;

	opterr = 0;			/* usage() says it, with our name */
	opt_init(&o.common);
	while ((ch = getopt_long(argc, argv, "huV", longopts, NULL)) != -1) {
		buf_reset(&msg);
		if ((rval = opt_common(&o.common, ch, optarg, &why)) != 0) {
			if (rval == -1)
				usage(why);
		} else if (ch == 'h') {
			usage(NULL);
		} else if (ch == 'V') {
			puts(PROG " (stream toolkit) " VERSION);
			return 0;
		} else if ((rval = window_option(&o, ch, optarg, &msg)) != 1) {
			if (rval == 0)
				buf_printf(&msg, "%s: unknown option or "
				    "missing value", argv[optind - 1]);
			usage(msg.p);
		}
	}
	argv += optind;
	if ((why = window_check(&o)) != NULL)
		usage(why);
	if (loop_open(&l, PROG, &o.common, window_record, &w) == -1)
		err(2, "%s", o.common.dead_letter);
	if (window_open(&w, &o, &l, &msg) == -1)
		errx(2, "%s", msg.p);
	l.idle = window_idle;
	l.timeout = window_timeout;
	if (sig_install() == -1)
		err(1, "sigaction");
	rval = loop_files(&l, argv);
	/* --on-error fail stops at the record: open windows were not
	 * produced yet, so they are not written */
	if (!(o.common.on_error == DIAG_FAIL && l.diag.bad > 0) &&
	    window_finish(&w) == LOOP_FAIL)
		rval = 1;
	window_close(&w);
	if (loop_close(&l, o.common.stats) == -1) {
		warn("stdout");
		rval = 1;
	}
	buf_free(&msg);
	return rval;
}
