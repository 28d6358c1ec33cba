/* out -- buffered record output; see out.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "xalloc.h"

#define OUT_CAP	(256 * 1024)

static int	write_all(struct out *, const char *, size_t);
static int	out_write(struct out *, const void *, size_t);
static int	out_end(struct out *);

void
out_open(struct out *o, int fd, int unbuffered)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->unbuffered = unbuffered;
	o->cap = OUT_CAP;
	o->buf = xmalloc(o->cap);
}

void
out_close(struct out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

/* write_all -- write n bytes, retrying short writes and EINTR */
static int
write_all(struct out *o, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(o->fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			o->err = errno;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
out_flush(struct out *o)
{
	if (o->err != 0)
		return (errno = o->err, -1);
	if (o->len == 0)
		return 0;
	if (write_all(o, o->buf, o->len) == -1)
		return -1;
	o->len = 0;
	return 0;
}

/*
 * out_write -- append bytes; data larger than the buffer goes straight to
 * the descriptor after what is buffered.
 */
static int
out_write(struct out *o, const void *p, size_t n)
{
	if (o->err != 0)
		return (errno = o->err, -1);
	if (n > o->cap - o->len) {
		if (out_flush(o) == -1)
			return -1;
		if (n > o->cap)
			return write_all(o, p, n);
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

static int
out_end(struct out *o)
{
	if (o->len < o->cap && o->err == 0)
		o->buf[o->len++] = '\n';
	else if (out_write(o, "\n", 1) == -1)
		return -1;
	return o->unbuffered ? out_flush(o) : 0;
}

int
out_record(struct out *o, const void *p, size_t n)
{
	if (o->err == 0 && !o->unbuffered && n < o->cap - o->len) {
		memcpy(o->buf + o->len, p, n);	/* the common case */
		o->buf[o->len + n] = '\n';
		o->len += n + 1;
		return 0;
	}
	if (out_write(o, p, n) == -1)
		return -1;
	return out_end(o);
}
