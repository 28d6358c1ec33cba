/* stream-join -- join an NDJSON stream with a table or with another stream */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "join.h"
#include "loop.h"
#include "sig.h"

#define PROG	"stream-join"
#define USAGE \
"usage: stream-join [-huV] --table FILE --on EXPR [--table-on EXPR]\n" \
"           [--tombstone EXPR] [--follow-table] [--into NAME] [--left]\n" \
"           [--on-error MODE] [--dead-letter FILE] [--stats]\n" \
"           [--max-line SIZE] [FILE]\n" \
"       stream-join [-huV] --with FILE (--within DUR | --before DUR --after DUR)\n" \
"           --on EXPR [--with-on EXPR] [--as L,R] [--left | --outer]\n" \
"           [--max-held N] [--time EXPR] [--time-unit UNIT]\n" \
"           [--time-format FMT] [--lateness DUR] [--late FILE]\n" \
"           [--idle DUR] [--state FILE] [--state-every DUR]\n" \
"           [--on-error MODE] [--dead-letter FILE] [--stats]\n" \
"           [--max-line SIZE] [FILE]\n"
#define HELP \
"Join the NDJSON stream of FILE (default stdin) with a second input.\n" \
"--table: each event gains the members of the latest table row with the\n" \
"same key (--on, --table-on), or the row under --into; --follow-table\n" \
"applies a changelog as it grows.  --with: records of the two streams\n" \
"with the same key and times within --within (or --before/--after) are\n" \
"written as {\"left\":...,\"right\":...}; --left and --outer add the\n" \
"unmatched when they expire.  See stream-join(1).\n"

static const struct option longopts[] = {
	OPT_LONG_COMMON, OPT_LONG_LATENESS, OPT_LONG_STATE,
	{ "time", required_argument, NULL, OPT_TIME },
	{ "time-format", required_argument, NULL, OPT_TIME_FORMAT },
	{ "time-unit", required_argument, NULL, OPT_TIME_UNIT },
	{ "after", required_argument, NULL, JOIN_O_AFTER },
	{ "as", required_argument, NULL, JOIN_O_AS },
	{ "before", required_argument, NULL, JOIN_O_BEFORE },
	{ "follow-table", no_argument, NULL, JOIN_O_FOLLOW_TABLE },
	{ "idle", required_argument, NULL, JOIN_O_IDLE },
	{ "into", required_argument, NULL, JOIN_O_INTO },
	{ "late", required_argument, NULL, JOIN_O_LATE },
	{ "left", no_argument, NULL, JOIN_O_LEFT },
	{ "max-held", required_argument, NULL, JOIN_O_MAX_HELD },
	{ "on", required_argument, NULL, JOIN_O_ON },
	{ "outer", no_argument, NULL, JOIN_O_OUTER },
	{ "table", required_argument, NULL, JOIN_O_TABLE },
	{ "table-on", required_argument, NULL, JOIN_O_TABLE_ON },
	{ "tombstone", required_argument, NULL, JOIN_O_TOMBSTONE },
	{ "with", required_argument, NULL, JOIN_O_WITH },
	{ "with-on", required_argument, NULL, JOIN_O_WITH_ON },
	{ "within", required_argument, NULL, JOIN_O_WITHIN },
	{ NULL, 0, NULL, 0 }
};

static struct join_opts o;
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
	struct join j;
	struct loop l;
	int ch, rval;

	opterr = 0;			/* usage() says it, with our name */
	join_init(&o);
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
		} else if ((rval = join_option(&o, ch, optarg, &msg)) != 1) {
			if (rval == 0)
				buf_printf(&msg, "%s: unknown option or "
				    "missing value", argv[optind - 1]);
			usage(msg.p);
		}
	}
	argv += optind;
	if (argc - optind > 1)
		usage("one stream at a time: at most one FILE");
	buf_reset(&msg);
	if ((why = join_check(&o, &msg)) != NULL)
		usage(why);
	if ((argv[0] == NULL || strcmp(argv[0], "-") == 0) &&
	    strcmp(o.table != NULL ? o.table : o.with, "-") == 0)
		usage("the stream and the second input cannot both be stdin");
	if (loop_open(&l, PROG, &o.common, NULL, NULL) == -1)
		err(2, "%s", o.common.dead_letter);
	buf_reset(&msg);
	if (join_open(&j, &o, &l, &msg) == -1)
		errx(2, "%s", msg.p);
	if (sig_install() == -1)
		err(1, "sigaction");
	rval = join_run(&j, argv[0]);
	join_close(&j);
	if (loop_close(&l, o.common.stats) == -1) {
		warn("stdout");
		rval = 1;
	}
	buf_free(&msg);
	return rval;
}
