/* stream-cat -- every source into NDJSON: files, followed, merged, paced */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cat.h"
#include "loop.h"
#include "sig.h"

#define PROG	"stream-cat"
#define USAGE \
"usage: stream-cat [-fhuV] [-n N] [--format FMT] [--header NAMES] [--tail N]\n" \
"           [--merge [--lateness DUR]] [--replay[=FACTOR]] [--rate N]\n" \
"           [--add-source NAME] [--add-ingest-time NAME] [--time EXPR]\n" \
"           [--time-unit UNIT] [--time-format FMT] [--time-output FMT]\n" \
"           [--on-error MODE] [--dead-letter FILE] [--stats]\n" \
"           [--max-line SIZE] [FILE...]\n"
#define HELP \
"Read the FILEs (default stdin) and write NDJSON: every line validated,\n" \
"or converted with --format json|lines|logfmt|csv|tsv.  -f follows files\n" \
"through growth, rotation and truncation, as tail -F; --merge merges the\n" \
"inputs by event time (--time); --replay and --rate pace the output;\n" \
"--add-source and --add-ingest-time add members.  Bad records:\n" \
"--on-error warn|skip|fail.  See stream-cat(1).\n"

static const struct option longopts[] = {
	OPT_LONG_COMMON, OPT_LONG_LATENESS, OPT_LONG_TIME_OUTPUT,
	{ "add-ingest-time", required_argument, NULL, CAT_O_ADD_INGEST },
	{ "add-source", required_argument, NULL, CAT_O_ADD_SOURCE },
	{ "follow", no_argument, NULL, 'f' },
	{ "format", required_argument, NULL, CAT_O_FORMAT },
	{ "header", required_argument, NULL, CAT_O_HEADER },
	{ "limit", required_argument, NULL, 'n' },
	{ "merge", no_argument, NULL, CAT_O_MERGE },
	{ "rate", required_argument, NULL, CAT_O_RATE },
	{ "replay", optional_argument, NULL, CAT_O_REPLAY },
	{ "tail", required_argument, NULL, CAT_O_TAIL },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "time-format", required_argument, NULL, OPT_TIME_FORMAT },
	{ "time-unit", required_argument, NULL, OPT_TIME_UNIT },
	{ NULL, 0, NULL, 0 }
};

static struct cat_opts o;
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
	struct cat c;
	struct loop l;
	int ch, rval;

	opterr = 0;			/* usage() says it, with our name */
	opt_init(&o.common);
	o.tail = -1;
	while ((ch = getopt_long(argc, argv, "fhn:uV", longopts, NULL)) !=
	    -1) {
		buf_reset(&msg);
		if ((rval = opt_common(&o.common, ch, optarg, &why)) != 0) {
			if (rval == -1)
				usage(why);
		} else if (ch == 'h') {
			usage(NULL);
		} else if (ch == 'V') {
			puts(PROG " (stream toolkit) " VERSION);
			return 0;
		} else if ((rval = cat_option(&o, ch, optarg, &msg)) != 1) {
			if (rval == 0)
				buf_printf(&msg, "%s: unknown option or "
				    "missing value", argv[optind - 1]);
			usage(msg.p);
		}
	}
	argv += optind;
	if ((why = cat_check(&o)) != NULL)
		usage(why);
	if (cat_open(&c, &o, &msg) == -1)
		errx(2, "%s", msg.p);
	if (loop_open(&l, PROG, &o.common, NULL, NULL) == -1)
		err(2, "%s", o.common.dead_letter);
	if (sig_install() == -1)
		err(1, "sigaction");
	rval = cat_run(&c, &l, argv);
	cat_close(&c);
	if (loop_close(&l, o.common.stats) == -1) {
		warn("stdout");
		rval = 1;
	}
	buf_free(&msg);
	return rval;
}
