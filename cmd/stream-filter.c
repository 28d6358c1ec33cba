/* stream-filter -- run a jq program on each NDJSON record */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "loop.h"
#include "sig.h"

#define PROG	"stream-filter"
#define USAGE \
"usage: stream-filter [-chruV] [-f FILE] [-n N] [--arg NAME VALUE]\n" \
"           [--argjson NAME JSON] [--slurpfile NAME FILE] [--rawfile NAME FILE]\n" \
"           [--sample P [--seed N]] [--dedup EXPR [--dedup-window DUR]\n" \
"           [--dedup-size N]] [--shard I/N --by EXPR] [--time EXPR]\n" \
"           [--time-unit UNIT] [--time-format FMT] [--processing-time]\n" \
"           [--state FILE] [--state-every DUR] [--on-error MODE]\n" \
"           [--dead-letter FILE] [--stats] [--max-line SIZE] FILTER [FILE...]\n"
#define HELP \
"Run the jq program FILTER on each NDJSON record of the FILEs (default\n" \
"stdin) and write each output as one line.  Records the program leaves\n" \
"unchanged are written byte for byte.  Order: --shard, --sample, FILTER,\n" \
"--dedup, --limit.  --time, --time-unit, --time-format and\n" \
"--processing-time give the event time for --dedup-window; --state keeps\n" \
"the dedup memory across runs.  Bad records: --on-error warn|skip|fail.\n" \
"See stream-filter(1).\n"


static const struct option longopts[] = {
	OPT_LONG_COMMON, OPT_LONG_TIME, OPT_LONG_STATE,
	{ "arg", required_argument, NULL, FILTER_O_ARG },
	{ "argjson", required_argument, NULL, FILTER_O_ARGJSON },
	{ "by", required_argument, NULL, FILTER_O_BY },
	{ "dedup", required_argument, NULL, FILTER_O_DEDUP },
	{ "dedup-size", required_argument, NULL, FILTER_O_DEDUP_SIZE },
	{ "dedup-window", required_argument, NULL, FILTER_O_DEDUP_WINDOW },
	{ "from-file", required_argument, NULL, 'f' },
	{ "limit", required_argument, NULL, 'n' },
	{ "raw-output", no_argument, NULL, 'r' },
	{ "rawfile", required_argument, NULL, FILTER_O_RAWFILE },
	{ "sample", required_argument, NULL, FILTER_O_SAMPLE },
	{ "seed", required_argument, NULL, FILTER_O_SEED },
	{ "shard", required_argument, NULL, FILTER_O_SHARD },
	{ "slurpfile", required_argument, NULL, FILTER_O_SLURPFILE },
	{ NULL, 0, NULL, 0 }
};

static struct filter_opts o;
static struct filter f;
static struct buf msg = BUF_INIT, prog = BUF_INIT;

static void	usage(const char *) __attribute__((noreturn));
static void	tool_option(int, char **);

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

/* tool_option -- one stream-filter option; --arg & co take two words */
static void
tool_option(int ch, char **argv)
{
	const char *value = NULL;

	if (ch == FILTER_O_ARG || ch == FILTER_O_ARGJSON ||
	    ch == FILTER_O_SLURPFILE || ch == FILTER_O_RAWFILE) {
		if ((value = argv[optind]) == NULL)
			usage("option needs a name and a value");
		optind++;
	}
	buf_reset(&msg);
	switch (filter_option(&f, &o, ch, optarg, value, &msg)) {
	case -1:
		usage(msg.p);
	case 0:
		buf_printf(&msg, "%s: unknown option or missing value",
		    argv[optind - 1]);
		usage(msg.p);
	}
}

int
main(int argc, char *argv[])
{
	const char *progfile = NULL, *text, *why = NULL;
	struct loop l;
	int ch, rval;

	opterr = 0;			/* usage() says it, with our name */
	opt_init(&o.common);
	filter_init(&f, &o);
	while ((ch = getopt_long(argc, argv, "cf:hn:ruV", longopts, NULL)) != -1) {
		if ((rval = opt_common(&o.common, ch, optarg, &why)) != 0) {
			if (rval == -1)
				usage(why);
		} else if (ch == 'h') {
			usage(NULL);
		} else if (ch == 'V') {
			puts(PROG " (stream toolkit) " VERSION);
			return 0;
		} else if (ch == 'f') {
			progfile = optarg;
		} else {
			tool_option(ch, argv);
		}
	}
	argv += optind;
	if (progfile != NULL && buf_read_file(&prog, progfile) == -1)
		err(2, "%s", progfile);
	if ((text = progfile != NULL ? prog.p : *argv++) == NULL)
		usage("no filter given");
	if ((why = filter_check(&o)) != NULL)
		usage(why);
	if (filter_open(&f, text, &msg) == -1)
		errx(2, "%s", msg.p);
	if (loop_open(&l, PROG, &o.common, filter_record, &f) == -1)
		err(2, "%s", o.common.dead_letter);
	l.want = filter_want(&f);
	if (o.common.state_every > 0) {
		l.idle = filter_idle;
		l.idle_ms = (int)(o.common.state_every / 1000000);
	}
	if (sig_install() == -1)
		err(1, "sigaction");
	rval = loop_files(&l, argv);
	if (filter_close(&f, &why) == -1) {
		warn("%s", why);
		rval = 1;
	}
	if (loop_close(&l, o.common.stats) == -1) {
		warn("stdout");
		rval = 1;
	}
	return rval;
}
