/*
 * line -- NDJSON line input: large reads, memchr splitting, and the
 * flush-before-blocking hook that gives pipes low latency; see line.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "line.h"
#include "xalloc.h"

#define BLOCK	(256 * 1024)

static int	blank(const char *, size_t);
static int	fill(struct line_reader *);
static int	wait_readable(struct line_reader *);

void
line_open(struct line_reader *r, int fd, size_t max)
{
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->max = max;
	r->timeout_ms = -1;
	r->isreg = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

void
line_close(struct line_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = r->start = r->end = 0;
}

/* blank -- 1 if the line holds only spaces, tabs and CRs (JSON white
 * space; a newline cannot be in it), or nothing */
static int
blank(const char *p, size_t len)
{
	while (len > 0 && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++, len--;
	return len == 0;
}

/*
 * wait_readable -- before a read that may block, flush (before_block) and
 * wait, calling on_idle each timeout_ms of silence, and before_block again
 * after a signal so that its handler's flag is seen while we wait.  Regular files never
 * block, so they skip the poll(2).  Returns 0, -1 when stopped, or
 * LINE_DRY in follow mode instead of waiting.
 */
static int
wait_readable(struct line_reader *r)
{
	struct pollfd pfd;
	int n;

	if (r->isreg)
		return 0;
	pfd.fd = r->fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) > 0)
		return 0;
	if (r->follow)
		return LINE_DRY;
	if (r->before_block != NULL)
		r->before_block(r->arg);
	for (;;) {
		if (r->stop != NULL && *r->stop)
			return -1;
		n = poll(&pfd, 1, r->timeout_ms);
		if (n > 0)
			return 0;
		if (n == 0 && r->on_idle != NULL)
			r->on_idle(r->arg);
		else if (n < 0 && errno != EINTR)
			return 0;	/* let read(2) report it */
		else if (n < 0 && r->before_block != NULL)
			r->before_block(r->arg);	/* a signal to act on */
	}
}

/*
 * fill -- read one more block after the unconsumed bytes, moving them to
 * the front first.  Returns 1 if bytes came, 0 at EOF or stop, -1 on
 * error, LINE_DRY in follow mode when there is nothing to read now.
 */
static int
fill(struct line_reader *r)
{
	size_t want;
	ssize_t n;
	int w;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	want = r->max + BLOCK;
	if (r->cap - r->end < BLOCK && r->cap < want) {
		r->cap = r->cap == 0 ? BLOCK * 4 : r->cap * 2;
		if (r->cap > want)
			r->cap = want;
		r->buf = xrealloc(r->buf, r->cap);
	}
	if (r->stop != NULL && *r->stop)
		return (r->stopped = 1, 0);
	if ((w = wait_readable(r)) != 0)
		return w == LINE_DRY ? LINE_DRY : (r->stopped = 1, 0);
	for (;;) {
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n >= 0)
			break;
		if (errno != EINTR)
			return -1;
		if (r->stop != NULL && *r->stop)
			return (r->stopped = 1, 0);
	}
	if (n == 0 && r->follow && r->isreg)
		return LINE_DRY;	/* a followed file has no end */
	r->end += (size_t)n;
	r->offset += (uint64_t)n;
	return (int)(n > 0);
}

/*
 * line_next -- the next non-blank line.  A line longer than max comes back
 * once, flagged toolong; its remainder is skipped in later reads.
 */
int
line_next(struct line_reader *r, struct line *ln)
{
	char *p, *nl;
	size_t len;
	int n;

	for (;;) {
		p = r->buf + r->start;
		nl = r->end > r->start ?
		    memchr(p, '\n', r->end - r->start) : NULL;
		if (nl == NULL && !r->eof) {
			if (r->skip) {		/* discard a long line's tail */
				r->start = r->end;
			} else if (r->end - r->start > r->max) {
				ln->p = p;
				ln->len = r->max;
				ln->no = ++r->lineno;
				ln->toolong = 1;
				r->skip = 1;
				r->start = r->end;
				return 1;
			}
			if ((n = fill(r)) < 0 || n == LINE_DRY)
				return n;
			if (n == 0 && r->stopped)
				return 0;	/* a cut line is not a line */
			if (n == 0)
				r->eof = 1;
			continue;
		}
		if (nl == NULL) {		/* EOF: an unterminated tail */
			if (r->start == r->end)
				return 0;
			nl = r->buf + r->end;
		}
		len = (size_t)(nl - p);
		r->start = nl == r->buf + r->end ? r->end : r->start + len + 1;
		if (r->skip) {
			r->skip = 0;
			continue;
		}
		ln->no = ++r->lineno;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (!r->bom) {
			r->bom = 1;
			if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
				p += 3, len -= 3;
		}
		if (len > r->max) {
			ln->p = p;
			ln->len = r->max;
			ln->toolong = 1;
			return 1;
		}
		if (!r->keepblank && blank(p, len))
			continue;
		ln->p = p;
		ln->len = len;
		ln->toolong = 0;
		return 1;
	}
}

int
line_peek(struct line_reader *r, const char **p, size_t *n)
{
	int rc;

	if (r->start == r->end && !r->eof) {
		if ((rc = fill(r)) < 0 || rc == LINE_DRY)
			return rc;
		if (rc == 0 && r->stopped)
			return 0;
		if (rc == 0)
			r->eof = 1;
	}
	if (r->start == r->end)
		return 0;
	*p = r->buf + r->start;
	*n = r->end - r->start;
	return 1;
}

void
line_skip(struct line_reader *r, size_t n)
{
	r->start += n <= r->end - r->start ? n : r->end - r->start;
}

void
line_finish(struct line_reader *r)
{
	r->eof = 1;
}

void
line_restart(struct line_reader *r)
{
	r->start = r->end = 0;
	r->skip = 0;
	r->eof = r->stopped = 0;
	r->bom = 0;
	r->lineno = 0;
	r->offset = 0;
}
