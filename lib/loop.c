/*
 * loop -- the shared record loop; see loop.h.  Flushing in before_block is
 * what gives pipes millisecond latency without -u: output waits in the
 * buffer only while more input is ready to be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "sig.h"
#include "source.h"
#include "ts.h"

static void	on_idle(void *);

int
loop_open(struct loop *l, const char *prog, const struct opt_common *opt,
    loop_record record, void *arg)
{
	memset(l, 0, sizeof(*l));
	l->opt = opt;
	l->record = record;
	l->arg = arg;
	l->idle_ms = -1;
	diag_open(&l->diag, prog, stderr);
	l->diag.mode = opt->on_error;
	out_open(&l->out, 1, opt->unbuffered);
	if (opt->dead_letter != NULL &&
	    diag_dead_letter(&l->diag, opt->dead_letter) == -1)
		return -1;
	return 0;
}

/* loop_before_block -- flush, and print --stats if SIGUSR1 asked */
void
loop_before_block(void *arg)
{
	struct loop *l = arg;

	out_flush(&l->out);
	if (l->timeout != NULL && l->reader != NULL)
		l->reader->timeout_ms = l->idle_ms = l->timeout(l->arg);
	if (sig_usr1) {
		sig_usr1 = 0;
		diag_stats(&l->diag, stderr);
	}
}

static void
on_idle(void *arg)
{
	struct loop *l = arg;

	if (l->idle != NULL)
		l->idle(l->arg);
	if (l->timeout != NULL && l->reader != NULL)
		l->reader->timeout_ms = l->idle_ms = l->timeout(l->arg);
}

enum loop_rc
loop_bad(struct loop *l, const struct line *ln, const char *msg)
{
	if (diag_bad(&l->diag, l->source, ln->no, ln->p, ln->len, msg) == 0)
		return LOOP_OK;
	if (errno != 0) {
		l->failed = l->opt->dead_letter;
		l->err = errno;
	}
	return LOOP_FAIL;
}

enum loop_rc
loop_late(struct loop *l, const struct line *ln, int64_t t, int64_t wm)
{
	buf_reset(&l->msg);
	buf_adds(&l->msg, "late: ");
	ts_format(&l->msg, t, TS_OUT_RFC3339);
	buf_adds(&l->msg, " is before the watermark ");
	ts_format(&l->msg, wm, TS_OUT_RFC3339);
	if (diag_late(&l->diag, l->source, ln->no, ln->p, ln->len,
	    l->msg.p) == 0)
		return LOOP_OK;
	l->failed = l->late;
	l->err = errno;
	return LOOP_FAIL;
}

enum loop_rc
loop_emit(struct loop *l, const char *p, size_t n)
{
	if (out_record(&l->out, p, n) == 0) {
		l->diag.out++;
		return LOOP_OK;
	}
	if (errno == EPIPE)
		return LOOP_DONE;
	l->failed = "stdout";
	l->err = errno;
	l->out_said = 1;	/* the caller reports l->failed */
	return LOOP_FAIL;
}

int
loop_sync(struct loop *l)
{
	return out_flush(&l->out);
}

/*
 * loop_fd -- run the loop over one input until its end, a stop signal, or
 * a callback that says stop.  The caller opens and closes fd.
 */
enum loop_rc
loop_fd(struct loop *l, int fd, const char *name)
{
	struct source s;
	struct source_item it;
	enum loop_rc rc = LOOP_OK;
	enum source_rc sr = SOURCE_END;

	l->source = name;
	source_open(&s, fd, name, FORMAT_NDJSON, l->opt->max_line, NULL);
	s.r.before_block = loop_before_block;
	s.r.on_idle = l->idle != NULL || l->timeout != NULL ? on_idle : NULL;
	s.r.timeout_ms = l->idle_ms;
	s.r.arg = l;
	s.r.stop = &sig_stop;
	s.want = l->want;
	s.found = l->found;
	/* cppcheck-suppress autoVariables ; reset before we return */
	l->reader = &s.r;
	while (rc == LOOP_OK) {
		if ((sr = source_next(&s, &it)) != SOURCE_RECORD &&
		    sr != SOURCE_BAD)
			break;
		l->diag.in++;
		if (sig_usr1) {
			sig_usr1 = 0;
			diag_stats(&l->diag, stderr);
		}
		rc = sr == SOURCE_BAD ? loop_bad(l, &it.ln, it.why) :
		    l->record(l->arg, l, &it.ln, it.rec);
	}
	if (rc == LOOP_OK && sr == SOURCE_ERROR) {
		l->failed = name;
		l->err = errno;
		rc = LOOP_FAIL;
	}
	l->reader = NULL;
	source_close(&s);
	return rc;
}

/*
 * loop_files -- the operands in order, as cat(1) does: an unreadable one
 * is reported and skipped, and makes the exit status 1.
 */
int
loop_files(struct loop *l, char **argv)
{
	enum loop_rc rc = LOOP_OK;
	int fd, rval = 0;

	if (*argv == NULL)
		rc = loop_fd(l, STDIN_FILENO, "<stdin>");
	for (; *argv != NULL && rc == LOOP_OK; argv++) {
		if (strcmp(*argv, "-") == 0) {
			rc = loop_fd(l, STDIN_FILENO, "<stdin>");
			continue;
		}
		if ((fd = open(*argv, O_RDONLY)) == -1) {
			fprintf(l->diag.err, "%s: %s: %s\n", l->diag.prog,
			    *argv, strerror(errno));
			rval = 1;
			continue;
		}
		rc = loop_fd(l, fd, *argv);
		close(fd);
	}
	if (rc == LOOP_FAIL) {
		rval = 1;
		if (l->failed != NULL)
			fprintf(l->diag.err, "%s: %s: %s\n", l->diag.prog,
			    l->failed, strerror(l->err));
	}
	return rval;
}

int
loop_close(struct loop *l, int print_stats)
{
	int rc = 0;

	if (out_flush(&l->out) == -1 && errno != EPIPE && !l->out_said)
		rc = -1;		/* not said yet: the caller says it */
	if (diag_close(&l->diag) == -1)
		rc = -1;
	if (print_stats)
		diag_stats(&l->diag, stderr);
	out_close(&l->out);
	buf_free(&l->msg);
	return rc;
}
