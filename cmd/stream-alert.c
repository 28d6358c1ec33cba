/* stream-alert -- evaluate alert rules over NDJSON records in event time */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "exec.h"
#include "loop.h"
#include "ruletest.h"
#include "sig.h"

#define PROG	"stream-alert"
#define USAGE \
"usage: stream-alert [-huV] -r RULES [--check] [--test FILE]...\n" \
"           [--exec CMD] [--exec-jobs N] [--exec-timeout DUR]\n" \
"           [--max-keys N] [--time EXPR] [--time-unit UNIT]\n" \
"           [--time-format FMT] [--processing-time] [--time-output FMT]\n" \
"           [--lateness DUR] [--late FILE] [--idle DUR] [--state FILE]\n" \
"           [--state-every DUR] [--on-error MODE] [--dead-letter FILE]\n" \
"           [--stats] [--max-line SIZE] [FILE...]\n"
#define HELP \
"Judge the NDJSON records of the FILEs (default stdin) against the rules\n" \
"of RULES (YAML: match, threshold, frequency, absence, new_value,\n" \
"cardinality, sequence, spike, change) in event time (--time, default\n" \
".ts), and write one alert line each time a rule starts (firing) or\n" \
"stops (resolved) for a key.  --check validates RULES; --test runs\n" \
"offline rule tests (TAP); --exec runs CMD per alert, the alert on its\n" \
"stdin.  --state keeps windows, cooldowns and learned values across\n" \
"runs; SIGHUP reloads RULES.  See stream-alert(1).\n"

static const struct option longopts[] = {
	OPT_LONG_COMMON, OPT_LONG_TIME, OPT_LONG_TIME_OUTPUT,
	OPT_LONG_LATENESS, OPT_LONG_STATE,
	{ "check", no_argument, NULL, ALERT_O_CHECK },
	{ "exec", required_argument, NULL, ALERT_O_EXEC },
	{ "exec-jobs", required_argument, NULL, ALERT_O_EXEC_JOBS },
	{ "exec-timeout", required_argument, NULL, ALERT_O_EXEC_TIMEOUT },
	{ "idle", required_argument, NULL, ALERT_O_IDLE },
	{ "late", required_argument, NULL, ALERT_O_LATE },
	{ "max-keys", required_argument, NULL, ALERT_O_MAX_KEYS },
	{ "rules", required_argument, NULL, 'r' },
	{ "test", required_argument, NULL, ALERT_O_TEST },
	{ NULL, 0, NULL, 0 }
};

static struct alert_opts o;
static struct alert a;
static struct exec ex;
static int has_exec;
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

/* say -- each line of msg on stderr, our name before it */
static void
say(void)
{
	char *p, *nl;

	for (p = msg.p; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		fprintf(stderr, PROG ": %.*s\n", (int)(nl - p), p);
		if (*nl == '\0')
			break;
	}
}

static int
run(void *arg, const struct rules *rs, const char *in, size_t len,
    struct buf *out, struct buf *e)
{
	return alert_run_text(arg, rs, in, len, out, e);
}

/* test -- --test: each file's tests, TAP on stdout */
static int
test(void)
{
	struct ruletest t = { stdout, run, &o, NULL, 0, 0 };
	struct rules rs = { NULL, 0 };
	int i, rval = 0;

	if (o.rules != NULL && alert_rules_load(&rs, o.rules, &msg) == -1)
		return (say(), 2);
	t.rules = o.rules != NULL ? &rs : NULL;
	for (i = 0; i < o.ntests; i++) {
		buf_reset(&msg);
		if (ruletest_file(&t, o.tests[i], &msg) == -1) {
			say();
			rval = 2;
		}
	}
	ruletest_plan(&t);
	rules_free(&rs);
	return rval != 0 ? rval : t.failed > 0;
}

static void
on_idle(void *arg)
{
	alert_idle(arg);
	if (has_exec)
		exec_poll(&ex);
}

static int
timeout(void *arg)
{
	int ms = alert_timeout(arg), ems;

	if (has_exec && (ems = exec_timeout_ms(&ex)) >= 0 &&
	    (ms < 0 || ems < ms))
		ms = ems;
	return ms;
}

static void
stats(void *arg, struct buf *b)
{
	(void)arg;
	alert_stats(&a, b);
	if (has_exec)
		exec_stats(&ex, b);
}

int
main(int argc, char *argv[])
{
	const char *why = NULL;
	struct rules rs;
	struct loop l;
	int ch, rval;

	opterr = 0;			/* usage() says it, with our name */
	alert_opts_init(&o);
	while ((ch = getopt_long(argc, argv, "hr:uV", longopts, NULL)) != -1) {
		buf_reset(&msg);
		if ((rval = opt_common(&o.common, ch, optarg, &why)) != 0) {
			if (rval == -1)
				usage(why);
		} else if (ch == 'h') {
			usage(NULL);
		} else if (ch == 'V') {
			puts(PROG " (stream toolkit) " VERSION);
			return 0;
		} else if ((rval = alert_option(&o, ch, optarg, &msg)) != 1) {
			if (rval == 0)
				buf_printf(&msg, "%s: unknown option or "
				    "missing value", argv[optind - 1]);
			usage(msg.p);
		}
	}
	argv += optind;
	if ((why = alert_check(&o)) != NULL)
		usage(why);
	if (o.ntests > 0)
		return test();
	if (o.check) {
		if (alert_rules_load(&rs, o.rules, &msg) == -1)
			return (say(), 2);
		printf("%s: %zu rule%s ok\n", o.rules, rs.n,
		    rs.n == 1 ? "" : "s");
		rules_free(&rs);
		return fflush(stdout) == EOF || ferror(stdout) ? 1 : 0;
	}
	if (loop_open(&l, PROG, &o.common, alert_record, &a) == -1)
		err(2, "%s", o.common.dead_letter);
	if (alert_open(&a, &o, &l, &msg) == -1) {
		say();
		exit(2);	/* not return: the loop stays reachable */
	}
	if (o.exec != NULL) {
		if (exec_open(&ex, o.exec, (int)o.exec_jobs, o.exec_timeout,
		    PROG, stderr, &msg) == -1)
			usage(msg.p);
		has_exec = 1;
		a.sink = exec_submit;
		a.sink_arg = &ex;
	}
	l.idle = on_idle;
	l.timeout = timeout;
	l.diag.extra = stats;
	if (sig_install() == -1)
		err(1, "sigaction");
	rval = loop_files(&l, argv);
	if (!(o.common.on_error == DIAG_FAIL && l.diag.bad > 0) &&
	    alert_finish(&a) == LOOP_FAIL)
		rval = 1;
	if (has_exec)
		exec_drain(&ex);
	if (loop_close(&l, o.common.stats) == -1) {
		warn("stdout");
		rval = 1;
	}
	if (has_exec)
		exec_close(&ex);
	alert_close(&a);
	buf_free(&msg);
	return rval;
}
