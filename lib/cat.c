/*
 * cat -- stream-cat's logic; see cat.h.  Three ways to run: operands one
 * after another (cat), merged by event time (--merge), or followed as
 * tail -F does (--follow).  All end in cat_record, which
 * adds members, paces and writes.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cat.h"
#include "follow.h"
#include "merge.h"
#include "sig.h"
#include "ts.h"
#include "xalloc.h"

struct following;
struct input;

static int	add_members(struct cat *, struct json_span, const char *,
		    int64_t);
static enum loop_rc cat_record(struct cat *, const char *,
		    const struct line *, struct json_span, int64_t, int64_t);
static int	cat_follow(struct cat *, char **, int);
static void	recheck(struct cat *, struct following *, struct input *,
		    int *);
static int	mentions(struct json_span, const char *, size_t);
static int	positive(const char *, double *);
static int	same_name(const struct buf *, const char *);
static int	run_merge(struct cat *, char **, int);
static int	run_plain(struct cat *, char **);

/* positive -- a decimal number > 0 (and sane), nothing after it */
static int
positive(const char *s, double *d)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;	/* no sign, space, "inf" or "nan" */
	errno = 0;
	*d = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !(*d > 0 && *d < 1e9) ||
	    strpbrk(s, "xXpP") != NULL)
		return -1;	/* hex floats are not what a user means */
	return 0;
}

int
cat_option(struct cat_opts *o, int ch, const char *arg, struct buf *why)
{
	switch (ch) {
	case 'f':
		o->follow = 1;
		return 1;
	case 'n':
		if (opt_int(arg, 1, LLONG_MAX, &o->limit) == -1)
			return (buf_adds(why, "-n: expected a positive count"),
			    -1);
		return 1;
	case CAT_O_FORMAT:
		if (format_parse(arg, &o->format) == -1)
			return (buf_adds(why, "--format: expected ndjson, json, "
			    "lines, logfmt, csv or tsv"), -1);
		return 1;
	case CAT_O_HEADER:
		o->header = arg;
		return 1;
	case CAT_O_TAIL:
		if (opt_int(arg, 0, LLONG_MAX, &o->tail) == -1)
			return (buf_adds(why, "--tail: expected a count of "
			    "lines"), -1);
		return 1;
	case CAT_O_MERGE:
		o->merge = 1;
		return 1;
	case CAT_O_REPLAY:
		o->replay = 1;
		if (arg != NULL && positive(arg, &o->replay) == -1)
			return (buf_adds(why, "--replay: expected a speed-up "
			    "factor such as 2 or 0.5"), -1);
		return 1;
	case CAT_O_RATE:
		if (positive(arg, &o->rate) == -1)
			return (buf_adds(why, "--rate: expected records per "
			    "second, such as 100 or 0.5"), -1);
		return 1;
	case CAT_O_ADD_SOURCE:
		o->add_source = arg;
		return 1;
	case CAT_O_ADD_INGEST:
		o->add_ingest = arg;
		return 1;
	}
	return 0;
}

const char *
cat_check(struct cat_opts *o)
{
	struct csv csv;
	struct buf why = BUF_INIT;
	int bad;

	if (o->header != NULL && o->format != FORMAT_CSV &&
	    o->format != FORMAT_TSV)
		return "--header is for --format csv or tsv";
	if (o->header != NULL) {
		csv_init(&csv, o->format == FORMAT_TSV);
		bad = csv_header(&csv, o->header, &why) == -1;
		csv_free(&csv);
		buf_free(&why);
		if (bad)
			return "--header: expected column names such as a,b,c";
	}
	if (o->merge && o->follow)
		return "--merge and --follow do not go together";
	if (o->common.lateness_given && !o->merge)
		return "--lateness is for --merge";
	if (o->common.time_given && !o->merge && o->replay == 0)
		return "--time options are for --merge and --replay";
	if (o->common.time_output_given && o->add_ingest == NULL)
		return "--time-output is for --add-ingest-time";
	if (o->add_source != NULL && o->add_ingest != NULL &&
	    strcmp(o->add_source, o->add_ingest) == 0)
		return "--add-source and --add-ingest-time need two names";
	return NULL;
}

int
cat_open(struct cat *c, const struct cat_opts *o, struct buf *err)
{
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->timed = o->merge || o->replay > 0;
	pace_init(&c->pace, o->replay, o->rate);
	if (o->add_source != NULL) {
		json_put_string(&c->names, o->add_source, strlen(o->add_source));
		buf_addc(&c->names, ':');
	}
	c->ingest_at = c->names.len;
	if (o->add_ingest != NULL) {
		json_put_string(&c->names, o->add_ingest, strlen(o->add_ingest));
		buf_addc(&c->names, ':');
	}
	if (c->timed && clock_open(&c->clock, &o->common, err) == -1)
		return -1;
	return 0;
}

void
cat_close(struct cat *c)
{
	if (c->timed)
		clock_close(&c->clock);
	buf_free(&c->rec);
	buf_free(&c->msg);
	buf_free(&c->names);
}

/*
 * cat_record -- one record out: members added, paced, written, counted
 * against --limit.  t is its event time, or TS_NONE if not yet read.
 * The wait before a paced record ends early on SIGTERM: the record is
 * written and the run stops.
 */
static enum loop_rc
cat_record(struct cat *c, const char *source, const struct line *ln,
    struct json_span rec, int64_t t, int64_t ingest)
{
	struct loop *l = c->loop;
	enum loop_rc rc = LOOP_OK;
	int64_t due;

	l->source = source;
	if (c->o->replay > 0 && t == TS_NONE &&	/* the record's own time */
	    clock_time(&c->clock, rec, &t, &c->msg) == -1)
		return loop_bad(l, ln, c->msg.p);
	if (c->names.len > 0) {
		if (rec.type != JSON_OBJECT)
			return loop_bad(l, ln, c->o->add_source != NULL ?
			    "--add-source needs an object record" :
			    "--add-ingest-time needs an object record");
		if (add_members(c, rec, source, ingest) == -1)
			return LOOP_OK;
		rec.p = c->rec.p;
		rec.len = c->rec.len;
	}
	if (c->o->replay > 0 || c->o->rate > 0) {
		due = pace_due(&c->pace, t, ts_mono());
		if (due > ts_mono()) {
			loop_before_block(l);
			if (pace_sleep(due, &sig_stop) == -1)
				rc = LOOP_DONE;
		}
	}
	if (loop_emit(l, rec.p, rec.len) != LOOP_OK)
		return l->failed != NULL ? LOOP_FAIL : LOOP_DONE;
	if (c->o->limit > 0 && ++c->written >= c->o->limit)
		return LOOP_DONE;
	return rc;
}

/* mentions -- 1 if the text may hold the quoted name as a key */
static int
mentions(struct json_span rec, const char *quoted, size_t n)
{
	const char *p = rec.p, *end = rec.p + rec.len;

	if (memchr(rec.p, '\\', rec.len) != NULL)
		return 1;		/* an escaped key could spell it */
	while ((p = memchr(p, '"', (size_t)(end - p))) != NULL) {
		if ((size_t)(end - p) >= n && memcmp(p, quoted, n) == 0)
			return 1;
		p++;
	}
	return 0;
}

/* same_name -- 1 if the unescaped key is the member name given */
static int
same_name(const struct buf *key, const char *name)
{
	return name != NULL && strlen(name) == key->len &&
	    memcmp(name, key->p, key->len) == 0;
}

/*
 * add_members -- the object with --add-source and --add-ingest-time
 * members at its end, in c->rec.  A member of the same name is removed
 * from its place, so the result has no duplicate keys.
 */
static int
add_members(struct cat *c, struct json_span rec, const char *source,
    int64_t ingest)
{
	struct json_iter it;
	struct json_span k, v;
	const char *names = c->names.p;
	size_t ni = c->ingest_at, i;
	int first = 1;

	buf_reset(&c->rec);
	if (!mentions(rec, names, ni > 0 ? ni - 1 : c->names.len - 1) &&
	    (ni == 0 || ni == c->names.len ||
	    !mentions(rec, names + ni, c->names.len - ni - 1))) {
		for (i = rec.len - 1; i > 1 && (rec.p[i - 1] == ' ' ||
		    rec.p[i - 1] == '\t' || rec.p[i - 1] == '\r' ||
		    rec.p[i - 1] == '\n'); i--)
			;
		buf_add(&c->rec, rec.p, i);
		first = rec.p[i - 1] == '{';
	} else {
		buf_addc(&c->rec, '{');
		json_iter_init(&it, rec);
		while (json_iter_next(&it, &k, &v)) {
			buf_reset(&c->msg);
			json_string(k, &c->msg);
			if (same_name(&c->msg, c->o->add_source) ||
			    same_name(&c->msg, c->o->add_ingest))
				continue;
			if (!first)
				buf_addc(&c->rec, ',');
			first = 0;
			buf_add(&c->rec, k.p, k.len);
			buf_addc(&c->rec, ':');
			buf_add(&c->rec, v.p, v.len);
		}
	}
	if (c->o->add_source != NULL) {
		if (!first)
			buf_addc(&c->rec, ',');
		first = 0;
		buf_add(&c->rec, names, ni);
		json_put_string(&c->rec, source, strlen(source));
	}
	if (c->o->add_ingest != NULL) {
		if (!first)
			buf_addc(&c->rec, ',');
		buf_add(&c->rec, names + ni, c->names.len - ni);
		ingest -= ingest % 1000000;	/* milliseconds, as written */
		if (c->o->common.time_output == TS_OUT_RFC3339)
			buf_addc(&c->rec, '"');
		ts_format(&c->rec, ingest, c->o->common.time_output);
		if (c->o->common.time_output == TS_OUT_RFC3339)
			buf_addc(&c->rec, '"');
	}
	buf_addc(&c->rec, '}');
	return 0;
}

/* warn_input -- "stream-cat: NAME: what", and the exit status becomes 1 */
static void
warn_input(struct cat *c, const char *name, const char *what)
{
	fprintf(c->loop->diag.err, "%s: %s: %s\n", c->loop->diag.prog, name,
	    what);
	c->rval = 1;
}

/* open_operand -- a descriptor for an operand ("-" is stdin), or -1 */
static int
open_operand(struct cat *c, const char *arg, const char **name, int quiet)
{
	int fd;

	if (strcmp(arg, "-") == 0) {
		*name = "<stdin>";
		return STDIN_FILENO;
	}
	*name = arg;
	if ((fd = open(arg, O_RDONLY | O_CLOEXEC)) == -1 && !quiet)
		warn_input(c, arg, strerror(errno));
	return fd;
}

/* start -- a source on fd, at --tail lines from its end if asked */
static int
start(struct cat *c, struct source *s, int fd, const char *name)
{
	off_t pos;

	if (c->o->tail >= 0 && follow_seek_tail(fd, (uint64_t)c->o->tail) ==
	    -1) {
		warn_input(c, name, errno == ESPIPE ?
		    "--tail needs a regular file" : strerror(errno));
		return -1;
	}
	source_open(s, fd, name, c->o->format, c->o->common.max_line,
	    c->o->header);
	if (c->o->tail >= 0 && (pos = lseek(fd, 0, SEEK_CUR)) > 0)
		s->r.offset = (uint64_t)pos;	/* for the truncation check */
	s->r.before_block = loop_before_block;
	s->r.arg = c->loop;
	s->r.stop = &sig_stop;
	s->r.follow = c->o->follow;
	return 0;
}

/*
 * pump -- records from s until it has nothing more (*end says DRY, END
 * or ERROR) or the loop must stop (the loop_rc).
 */
static enum loop_rc
pump(struct cat *c, struct source *s, enum source_rc *end)
{
	struct source_item it;
	enum loop_rc rc = LOOP_OK;
	enum source_rc sr;

	*end = SOURCE_RECORD;
	while (rc == LOOP_OK) {
		if (sig_usr1) {
			sig_usr1 = 0;
			diag_stats(&c->loop->diag, stderr);
		}
		if ((sr = source_next(s, &it)) == SOURCE_RECORD) {
			c->loop->diag.in++;
			rc = cat_record(c, s->name, &it.ln, it.rec, TS_NONE,
			    c->o->add_ingest != NULL ? ts_now() : 0);
		} else if (sr == SOURCE_BAD) {
			c->loop->diag.in++;
			c->loop->source = s->name;
			rc = loop_bad(c->loop, &it.ln, it.why);
		} else {
			if (sr == SOURCE_ERROR)
				warn_input(c, s->name, strerror(errno));
			*end = sr;
			break;
		}
	}
	return rc;
}

/* finish -- the exit status after a run that ended with rc */
static int
finish(struct cat *c, enum loop_rc rc)
{
	struct loop *l = c->loop;

	if (rc == LOOP_FAIL) {
		c->rval = 1;
		if (l->failed != NULL)
			fprintf(l->diag.err, "%s: %s: %s\n", l->diag.prog,
			    l->failed, strerror(l->err));
	}
	return c->rval;
}

int
cat_run(struct cat *c, struct loop *l, char **argv)
{
	static char dash[] = "-";
	static char *stdin_only[] = { dash, NULL };
	int n;

	c->loop = l;
	if (*argv == NULL)
		argv = stdin_only;
	for (n = 0; argv[n] != NULL; n++)
		;
	if (c->o->follow)
		return cat_follow(c, argv, n);
	if (c->o->merge)
		return run_merge(c, argv, n);
	return run_plain(c, argv);
}

/* run_plain -- the operands one after another, as cat(1) */
static int
run_plain(struct cat *c, char **argv)
{
	struct source s;
	enum loop_rc rc = LOOP_OK;
	enum source_rc end;
	const char *name;
	int fd;

	for (; *argv != NULL && rc == LOOP_OK; argv++) {
		if ((fd = open_operand(c, *argv, &name, 0)) == -1)
			continue;
		if (start(c, &s, fd, name) == 0) {
			rc = pump(c, &s, &end);
			source_close(&s);
		}
		if (fd != STDIN_FILENO)
			close(fd);
	}
	return finish(c, rc);
}

/* emit_held -- write a record the merge held back */
static enum loop_rc
emit_held(struct cat *c, struct merge_rec *r, struct source *src)
{
	struct json_span rec;
	struct line ln;

	ln.p = rec.p = r->text.p;
	ln.len = rec.len = r->text.len;
	ln.no = r->line;
	ln.toolong = 0;
	/* only objects matter here: members are added to objects only */
	rec.type = rec.p[0] == '{' ? JSON_OBJECT : JSON_NONE;
	return cat_record(c, src[r->input].name, &ln, rec, r->t, r->ingest);
}

/* merge_one -- read one item from input i into the merge */
static enum loop_rc
merge_one(struct cat *c, struct merge *m, struct source *src, int i)
{
	struct source_item it;
	struct merge_rec *r;
	struct loop *l = c->loop;
	int64_t t, ingest = c->o->add_ingest != NULL ? ts_now() : 0;

	switch (source_next(&src[i], &it)) {
	case SOURCE_RECORD:
		l->diag.in++;
		l->source = src[i].name;
		if (clock_time(&c->clock, it.rec, &t, &c->msg) == -1)
			return loop_bad(l, &it.ln, c->msg.p);
		if ((r = merge_add(m, i, t)) == NULL) {
			l->diag.nlate++;	/* too late for its place */
			return cat_record(c, src[i].name, &it.ln, it.rec, t,
			    ingest);
		}
		buf_add(&r->text, it.rec.p, it.rec.len);
		r->line = it.ln.no;
		r->ingest = ingest;
		return LOOP_OK;
	case SOURCE_BAD:
		l->diag.in++;
		l->source = src[i].name;
		return loop_bad(l, &it.ln, it.why);
	case SOURCE_ERROR:
		warn_input(c, src[i].name, strerror(errno));
		/* FALLTHROUGH */
	default:
		merge_end(m, i);
		return LOOP_OK;
	}
}

/* drain -- write every record still held, in order, before a failure */
static void
drain(struct cat *c, struct merge *m, struct source *src)
{
	struct merge_rec *r;
	int i;

	for (i = 0; i < m->n; i++)
		merge_end(m, i);
	while ((r = merge_ready(m)) != NULL) {
		if (emit_held(c, r, src) != LOOP_OK)
			break;
		merge_pop(m);
	}
}

/* run_merge -- all operands at once, merged by event time */
static int
run_merge(struct cat *c, char **argv, int n)
{
	struct source *src = xcalloc((size_t)n, sizeof(*src));
	int *fds = xcalloc((size_t)n, sizeof(*fds));
	struct merge m;
	struct merge_rec *r;
	enum loop_rc rc = LOOP_OK;
	const char *name;
	int i;

	merge_init(&m, n, c->o->common.lateness);
	for (i = 0; i < n; i++) {
		fds[i] = open_operand(c, argv[i], &name, 0);
		if (fds[i] == -1 || start(c, &src[i], fds[i], name) == -1) {
			if (fds[i] > STDIN_FILENO)
				close(fds[i]);
			fds[i] = -1;
			merge_end(&m, i);
		}
	}
	while (rc == LOOP_OK) {
		while (rc == LOOP_OK && (r = merge_ready(&m)) != NULL) {
			rc = emit_held(c, r, src);
			merge_pop(&m);
		}
		if (rc != LOOP_OK || (i = merge_pick(&m)) == -1)
			break;
		rc = merge_one(c, &m, src, i);
	}
	if (rc == LOOP_FAIL && c->loop->failed == NULL)
		drain(c, &m, src);	/* --on-error fail: nothing held is lost */
	for (i = 0; i < n; i++) {
		if (fds[i] == -1)
			continue;
		source_close(&src[i]);
		if (fds[i] != STDIN_FILENO)
			close(fds[i]);
	}
	merge_free(&m);
	free(src);
	free(fds);
	return finish(c, rc);
}

/*
 * Following (-f).  Each operand is an input; a named file is watched by
 * path, and when the path is replaced (rotation) the old file moves to
 * the retired list, where it is read on while it still grows, until
 * GRACE passes without a byte.  stdin and FIFOs are read until their end.
 */
#define GRACE	(2 * TS_SECOND)

struct input {
	const char	*name;
	int		 fd;		/* -1: not there yet, or done */
	int		 watch;		/* index in struct follow, or -1 */
	int		 pipe;		/* not a regular file: read to its end */
	int64_t		 until;		/* retired: when to let it go */
	struct source	 src;
};

struct following {
	struct follow	 f;
	struct input	*in, *old;	/* operands; retired files */
	int		 n, nold;
	int		*pipes;		/* for follow_wait */
};

/* drop -- stop reading an input: its held partial line first */
static enum loop_rc
drop(struct cat *c, struct input *in, int finish_line)
{
	enum loop_rc rc = LOOP_OK;
	enum source_rc end;
	struct stat st;

	if (in->fd == -1)
		return LOOP_OK;
	if (finish_line && fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size > in->src.r.offset)
		finish_line = 0;	/* a line cut by the stop, not a
					 * writer's last line */
	if (finish_line) {
		line_finish(&in->src.r);
		rc = pump(c, &in->src, &end);
	}
	source_close(&in->src);
	if (in->fd != STDIN_FILENO)
		close(in->fd);
	in->fd = -1;
	return rc;
}

/* attach -- start reading a file that appeared or replaced another */
static void
attach(struct cat *c, struct input *in, int fd)
{
	in->fd = fd;
	source_open(&in->src, fd, in->name, c->o->format,
	    c->o->common.max_line, c->o->header);
	in->src.r.stop = &sig_stop;
	in->src.r.follow = 1;
}

/* retire -- move a replaced file to the retired list */
static void
retire(struct following *w, struct input *in)
{
	w->old = xreallocarray(w->old, (size_t)w->nold + 1, sizeof(*w->old));
	w->old[w->nold] = *in;
	w->old[w->nold].until = ts_mono() + GRACE;
	w->nold++;
	in->fd = -1;
}

/* recheck -- what happened to an input's path; *again if it needs reading */
static void
recheck(struct cat *c, struct following *w, struct input *in, int *again)
{
	int fd;

	switch (follow_check(&w->f, in->watch, in->fd,
	    in->fd == -1 ? 0 : in->src.r.offset, &fd)) {
	case FOLLOW_TRUNCATED:
		fprintf(c->loop->diag.err, "%s: %s: file truncated\n",
		    c->loop->diag.prog, in->name);
		if (lseek(in->fd, 0, SEEK_SET) == -1)
			warn_input(c, in->name, strerror(errno));
		source_restart(&in->src);
		*again = 1;
		break;
	case FOLLOW_REPLACED:
		fprintf(c->loop->diag.err, "%s: %s: replaced; following the "
		    "new file\n", c->loop->diag.prog, in->name);
		retire(w, in);
		attach(c, in, fd);
		*again = 1;
		break;
	case FOLLOW_APPEARED:
		fprintf(c->loop->diag.err, "%s: %s: appeared\n",
		    c->loop->diag.prog, in->name);
		attach(c, in, fd);
		*again = 1;
		break;
	default:
		break;
	}
}

/* read_all -- every input and retired file until dry; 1 if any remain */
static enum loop_rc
read_all(struct cat *c, struct following *w, int *live)
{
	enum loop_rc rc = LOOP_OK;
	enum source_rc end;
	struct input *in;
	uint64_t before;
	int i;

	*live = 0;
	for (i = 0; i < w->nold && rc == LOOP_OK; i++) {
		in = &w->old[i];	/* first: a rotated file's last lines
					 * came before the new file's */
		before = in->src.r.offset;
		rc = pump(c, &in->src, &end);
		if (in->src.r.offset != before)
			in->until = ts_mono() + GRACE;
		if (rc == LOOP_OK && !sig_stop && (end != SOURCE_DRY ||
		    ts_mono() >= in->until)) {
			rc = drop(c, in, 1);
			memmove(&w->old[i], &w->old[i + 1],
			    (size_t)(w->nold - i - 1) * sizeof(*w->old));
			w->nold--;
			i--;
		}
	}
	for (i = 0; i < w->n && rc == LOOP_OK; i++) {
		in = &w->in[i];
		if (in->fd != -1 && (rc = pump(c, &in->src, &end)) == LOOP_OK &&
		    (end == SOURCE_ERROR || (end == SOURCE_END && in->pipe)))
			rc = drop(c, in, 0);	/* a pipe ended, or an error */
		*live |= in->fd != -1 || in->watch != -1;
	}
	return rc;
}

/* pipe_fds -- the open pipes, for follow_wait to poll */
static int
pipe_fds(struct following *w)
{
	int i, n = 0;

	for (i = 0; i < w->n; i++)
		if (w->in[i].pipe && w->in[i].fd != -1)
			w->pipes[n++] = w->in[i].fd;
	return n;
}

/* setup -- open the operands, waiting for those that do not exist yet */
static int
setup(struct cat *c, struct following *w, char **argv)
{
	char **paths = xcalloc((size_t)w->n + 1, sizeof(*paths));
	int *fds = xcalloc((size_t)w->n + 1, sizeof(*fds));
	struct input *in;
	struct stat st;
	int i, nw = 0, rc;

	for (i = 0; i < w->n; i++) {
		in = &w->in[i];
		in->watch = -1;
		if ((in->fd = open_operand(c, argv[i], &in->name, 1)) == -1)
			fprintf(c->loop->diag.err, "%s: %s: %s; waiting\n",
			    c->loop->diag.prog, in->name, strerror(errno));
		if (in->fd != -1 && start(c, &in->src, in->fd, in->name) ==
		    -1) {
			if (in->fd != STDIN_FILENO)
				close(in->fd);
			in->fd = -1;
			continue;
		}
		if (in->fd != -1 && fstat(in->fd, &st) == 0 &&
		    !S_ISREG(st.st_mode))
			in->pipe = 1;	/* it ends; it is not watched */
		if (in->fd == STDIN_FILENO || in->pipe)
			continue;
		in->watch = nw;
		paths[nw] = argv[i];
		fds[nw++] = in->fd;
	}
	rc = follow_open(&w->f, paths, nw, fds);
	free(paths);
	free(fds);
	return rc;
}

static int
cat_follow(struct cat *c, char **argv, int n)
{
	struct following w;
	enum loop_rc rc = LOOP_OK, end;
	int i, again, live;

	memset(&w, 0, sizeof(w));
	w.n = n;
	w.in = xcalloc((size_t)n, sizeof(*w.in));
	w.pipes = xcalloc((size_t)n, sizeof(*w.pipes));
	if (setup(c, &w, argv) == -1) {
		warn_input(c, "inotify", strerror(errno));
		rc = LOOP_FAIL;
	}
	while (rc == LOOP_OK && !sig_stop) {
		if ((rc = read_all(c, &w, &live)) != LOOP_OK || !live ||
		    sig_stop)
			break;
		again = 0;
		for (i = 0; i < n; i++)
			if (w.in[i].watch != -1)
				recheck(c, &w, &w.in[i], &again);
		if (again || sig_stop)
			continue;
		loop_before_block(c->loop);
		if (follow_wait(&w.f, w.pipes, pipe_fds(&w), w.nold > 0 ?
		    500 : 1000) == -1)
			warn_input(c, "inotify", strerror(errno));
	}
	for (i = 0; i < n; i++) {	/* held partial lines, at a stop */
		end = drop(c, &w.in[i], rc == LOOP_OK);
		rc = rc == LOOP_OK ? end : rc;
	}
	for (i = 0; i < w.nold; i++) {
		end = drop(c, &w.old[i], rc == LOOP_OK);
		rc = rc == LOOP_OK ? end : rc;
	}
	follow_close(&w.f);
	free(w.in);
	free(w.old);
	free(w.pipes);
	return finish(c, rc);
}
