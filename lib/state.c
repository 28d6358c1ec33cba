/*
 * state -- versioned, checksummed state files, replaced atomically; see
 * state.h.  The header line is compared byte for byte with the one this
 * version would write, and the trailer must be the last line, so a file
 * cut short anywhere fails to load instead of restoring half a state.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "buf.h"
#include "state.h"
#include "xalloc.h"

#define STATE_VERSION	1
#define HEAD_ANY	"{\"state\":"
#define HEAD_V1		"{\"state\":1,\"tool\":\""
#define READ_CHUNK	65536

static void	header(struct buf *, const char *);
static int	trailer(const char *, size_t, uint64_t *, uint64_t *);
static char	*dir_of(const char *);
static int	sync_dir(const char *);
static int	read_all(int, struct buf *);
static void	release(struct state_writer *);
static int	damaged(struct buf *, const char **, const char *);

/* header -- the header line for tool, without its newline */
static void
header(struct buf *b, const char *tool)
{
	const unsigned char *p;

	buf_printf(b, "{\"state\":%d,\"tool\":\"", STATE_VERSION);
	for (p = (const unsigned char *)tool; *p != '\0'; p++)
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p < 0x20)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_addc(b, *p);
	buf_adds(b, "\"}");
}

/*
 * trailer -- parse the line {"end":LINES,"xxh3":"HEX"} (n bytes, no
 * newline) exactly as state_commit writes it.  0, or -1 if it is not one.
 */
static int
trailer(const char *p, size_t n, uint64_t *lines, uint64_t *sum)
{
	static const char pre[] = "{\"end\":", mid[] = ",\"xxh3\":\"";
	const char *end;
	int k, d;

	end = p + n;
	if (n < sizeof(pre) - 1 || memcmp(p, pre, sizeof(pre) - 1) != 0)
		return -1;
	p += sizeof(pre) - 1;
	if (p == end || *p < '0' || *p > '9' || (*p == '0' && p + 1 < end &&
	    p[1] >= '0' && p[1] <= '9'))
		return -1;
	for (*lines = 0; p < end && *p >= '0' && *p <= '9'; p++)
		if (__builtin_mul_overflow(*lines, 10, lines) ||
		    __builtin_add_overflow(*lines, (uint64_t)(*p - '0'), lines))
			return -1;
	if ((size_t)(end - p) != sizeof(mid) - 1 + 16 + 2 ||
	    memcmp(p, mid, sizeof(mid) - 1) != 0)
		return -1;
	p += sizeof(mid) - 1;
	for (*sum = 0, k = 0; k < 16; k++, p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else
			return -1;
		*sum = *sum << 4 | (uint64_t)d;
	}
	return p[0] == '"' && p[1] == '}' ? 0 : -1;
}

/* dir_of -- the directory part of path, "." if none; caller frees */
static char *
dir_of(const char *path)
{
	const char *s;

	if ((s = strrchr(path, '/')) == NULL)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(s - path));
}

/* sync_dir -- fsync the directory holding path; EINVAL is not an error */
static int
sync_dir(const char *path)
{
	char *dir;
	int fd, r, e;

	dir = dir_of(path);
	fd = open(dir, O_RDONLY);
	free(dir);
	if (fd == -1)
		return -1;
	r = fsync(fd) == -1 && errno != EINVAL ? -1 : 0;
	e = errno;
	close(fd);
	errno = e;
	return r;
}

/* read_all -- append everything readable from fd to b; 0, or -1 */
static int
read_all(int fd, struct buf *b)
{
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		buf_grow(b, (size_t)st.st_size);
	for (;;) {
		if (b->cap - b->len < READ_CHUNK / 4 || b->p == NULL)
			buf_grow(b, READ_CHUNK);
		n = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (n == 0)
			return 0;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b->len += (size_t)n;
		b->p[b->len] = '\0';
	}
}

/* release -- free the writer's memory, leaving it as STATE_WRITER_INIT */
static void
release(struct state_writer *w)
{
	XXH3_freeState(w->hs);
	free(w->path);
	free(w->tmp);
	w->hs = NULL;
	w->path = w->tmp = NULL;
	w->fp = NULL;
	w->lines = 0;
}

/*
 * state_begin -- create PATH.tmp and write the header for tool.  0, or -1
 * with errno set and nothing left behind.
 */
int
state_begin(struct state_writer *w, const char *path, const char *tool)
{
	struct buf h = BUF_INIT;
	size_t n;
	int e;

	w->fp = NULL;
	w->lines = 0;
	w->path = xstrdup(path);
	n = strlen(path);
	w->tmp = xmalloc(n + sizeof(".tmp"));
	memcpy(w->tmp, path, n);
	memcpy(w->tmp + n, ".tmp", sizeof(".tmp"));
	if ((w->hs = XXH3_createState()) == NULL) {
		release(w);
		errno = ENOMEM;
		return -1;
	}
	XXH3_64bits_reset(w->hs);
	if ((w->fp = fopen(w->tmp, "w")) == NULL) {
		e = errno;
		release(w);
		errno = e;
		return -1;
	}
	header(&h, tool);
	buf_addc(&h, '\n');
	if (fwrite(h.p, 1, h.len, w->fp) != h.len) {
		e = errno;
		buf_free(&h);
		state_abort(w);
		errno = e;
		return -1;
	}
	buf_free(&h);
	return 0;
}

/*
 * state_line -- add one body line (n bytes, without its newline).  0, or
 * -1 with errno set: EINVAL if the line holds a newline, else from stdio.
 */
int
state_line(struct state_writer *w, const char *p, size_t n)
{
	if (w->fp == NULL) {
		errno = EBADF;
		return -1;
	}
	if (n > 0 && memchr(p, '\n', n) != NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((n > 0 && fwrite(p, 1, n, w->fp) != n) ||
	    putc('\n', w->fp) == EOF)
		return -1;
	if (n > 0)
		XXH3_64bits_update(w->hs, p, n);
	XXH3_64bits_update(w->hs, "\n", 1);
	w->lines++;
	return 0;
}

/*
 * state_commit -- write the trailer, flush and fsync the temp file, rename
 * it over PATH and fsync the directory.  The writer is released either
 * way.  0, or -1 with errno set; on failure before the rename the temp
 * file is removed and PATH is untouched.
 */
int
state_commit(struct state_writer *w)
{
	FILE *fp;
	int e;

	if (w->fp == NULL) {
		errno = EBADF;
		return -1;
	}
	if (fprintf(w->fp, "{\"end\":%" PRIu64 ",\"xxh3\":\"%016" PRIx64
	    "\"}\n", w->lines, (uint64_t)XXH3_64bits_digest(w->hs)) < 0 ||
	    fflush(w->fp) == EOF || fsync(fileno(w->fp)) == -1) {
		e = errno;
		state_abort(w);
		errno = e;
		return -1;
	}
	fp = w->fp;
	w->fp = NULL;
	if (fclose(fp) == EOF || rename(w->tmp, w->path) == -1) {
		e = errno;
		unlink(w->tmp);
		release(w);
		errno = e;
		return -1;
	}
	e = sync_dir(w->path) == -1 ? errno : 0;
	release(w);
	errno = e;
	return e == 0 ? 0 : -1;
}

/* state_abort -- close and remove the temp file if open; may be repeated */
void
state_abort(struct state_writer *w)
{
	int e;

	e = errno;
	if (w->fp != NULL) {
		fclose(w->fp);
		unlink(w->tmp);
	}
	release(w);
	errno = e;
}

/* damaged -- fail a load: empty body, errno EINVAL, reason in *why */
static int
damaged(struct buf *body, const char **why, const char *reason)
{
	buf_reset(body);
	*why = reason;
	errno = EINVAL;
	return -1;
}

/*
 * state_load -- read PATH and check header, trailer, line count and
 * checksum; see state.h.  The body replaces the contents of *body (which
 * is left empty on failure).
 */
int
state_load(const char *path, const char *tool, struct buf *body,
    const char **why)
{
	struct buf h = BUF_INIT;
	const char *p, *end, *nl, *t, *q;
	uint64_t lines, sum, count;
	int fd, e, same;

	buf_reset(body);
	if ((fd = open(path, O_RDONLY)) == -1) {
		*why = errno == ENOENT ? "no state file" :
		    "cannot open state file";
		return errno == ENOENT ? 1 : -1;
	}
	if (read_all(fd, body) == -1) {
		e = errno;
		close(fd);
		buf_reset(body);
		*why = "cannot read state file";
		errno = e;
		return -1;
	}
	close(fd);
	if (body->len == 0)
		return damaged(body, why, "state file is empty");
	p = body->p;
	end = p + body->len;
	if ((nl = memchr(p, '\n', body->len)) == NULL)
		return damaged(body, why, "state file is truncated");
	header(&h, tool);
	same = (size_t)(nl - p) == h.len && memcmp(p, h.p, h.len) == 0;
	buf_free(&h);
	if (!same) {
		if ((size_t)(nl - p) > sizeof(HEAD_V1) - 1 &&
		    memcmp(p, HEAD_V1, sizeof(HEAD_V1) - 1) == 0)
			return damaged(body, why,
			    "state file is for another tool");
		if ((size_t)(nl - p) > sizeof(HEAD_ANY) - 1 &&
		    memcmp(p, HEAD_ANY, sizeof(HEAD_ANY) - 1) == 0)
			return damaged(body, why, "unsupported state version");
		return damaged(body, why, "not a state file");
	}

	/* the trailer is the last line; the body lies between */
	p = nl + 1;
	if (p == end || end[-1] != '\n')
		return damaged(body, why, "state file is truncated");
	for (t = end - 1; t > p && t[-1] != '\n'; t--)
		;
	if (trailer(t, (size_t)(end - 1 - t), &lines, &sum) == -1)
		return damaged(body, why, "state file is truncated");
	for (count = 0, q = p; q < t; q++)
		count += *q == '\n';
	if (count != lines || XXH3_64bits(p, (size_t)(t - p)) != sum)
		return damaged(body, why, "state file checksum mismatch");
	body->len = (size_t)(t - p);
	memmove(body->p, p, body->len);
	body->p[body->len] = '\0';
	*why = NULL;
	return 0;
}

/*
 * state_writable -- whether the directory of path can take the temp file
 * and the rename, and path, if it exists, is a writable regular file.
 * 0, or -1 with errno set (EISDIR or EINVAL for a non-regular path).
 */
int
state_writable(const char *path)
{
	struct stat st;
	char *dir;
	int r;

	dir = dir_of(path);
	r = access(dir, W_OK | X_OK);
	free(dir);
	if (r == -1)
		return -1;
	if (stat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	return access(path, W_OK);
}

int
state_restore(const char *path, const char *tool,
    int (*line)(void *, uint64_t, struct json_span, const char **),
    void *arg, struct buf *err)
{
	struct buf body = BUF_INIT;
	const char *why = NULL;
	int rc;

	if (state_writable(path) == -1) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = state_load(path, tool, &body, &why);
	if (rc == 0)
		rc = state_restore_text(path, body.p, body.len, line, arg, err);
	else if (rc == -1)
		buf_printf(err, "%s: %s", path, why);
	buf_free(&body);
	return rc == -1 ? -1 : 0;
}

int
state_restore_text(const char *name, const char *text, size_t len,
    int (*line)(void *, uint64_t, struct json_span, const char **),
    void *arg, struct buf *err)
{
	struct json_span v;
	struct json_error jerr;
	const char *p, *nl, *end, *why = NULL;
	uint64_t n = 0;
	int rc = 0;

	if (len == 0)
		return 0;
	for (p = text, end = p + len; rc == 0 && p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n++;
		rc = json_validate(p, (size_t)(nl - p), &v, &jerr) == -1 ? -1 :
		    line(arg, n, v, &why);
		if (rc == -1 && why == NULL) {
			buf_printf(err, "%s: damaged state: line %llu of the "
			    "body does not read back", name,
			    (unsigned long long)n);
			return -1;
		}
	}
	if (rc == -1) {
		buf_printf(err, "%s: %s", name, why);
		return -1;
	}
	return 0;
}
