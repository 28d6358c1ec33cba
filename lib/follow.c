/*
 * follow -- what tail -F needs underneath: notice that named files grow,
 * are truncated, replaced, removed or created; see follow.h.
 *
 * As in GNU tail -F, each path has an inotify watch on its file and one
 * on its directory (to see the name come back), and every wakeup makes
 * the caller look at every path again, so events are drained, not
 * decoded.  A file watch is put on the inode the caller reads (through
 * /proc/self/fd), and the watch of a replaced file stays, so that its
 * last lines still wake us.
 *
 * inotify cannot see everything: a directory emptied and removed while
 * something (the caller's descriptor on the deleted file, a process's
 * working directory) still pins it sends no event at all, so a directory
 * made again under that name, and the file in it, would go unnoticed.
 * So while a path names no file we follow, waits are capped at poll_ms,
 * as OpenBSD tail sleeps when kqueue cannot help.  Without inotify, or
 * once it fails (no more watches, a read error), we poll for good.
 */
#include <sys/types.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "follow.h"
#include "xalloc.h"

#define POLL_MS		1000		/* polling period by default */
#define TAIL_BLOCK	(64 * 1024)	/* follow_seek_tail reads */

#ifdef __linux__
#define FILE_EVENTS	(IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | \
			    IN_DELETE_SELF | IN_CLOSE_WRITE)
#define DIR_EVENTS	(IN_CREATE | IN_MOVED_TO | IN_DELETE | \
			    IN_MOVED_FROM | IN_ATTRIB | IN_DELETE_SELF | \
			    IN_MOVE_SELF | IN_ONLYDIR)

static void	drain(struct follow *);
static int	watch(struct follow *, struct follow_path *, int);
static int	watch_dir(struct follow *, struct follow_path *);
static int	watch_file(struct follow *, struct follow_path *, int);
#endif
static void	go_polling(struct follow *);
static int	must_poll(const struct follow *);
static int	pread_full(int, char *, size_t, off_t);
static enum follow_change unseen(struct follow_path *, int, int);

/*
 * follow_open -- record what each fds[i] reads and set up the watches.
 * Fails (EINVAL, or EBADF from fstat) only for bad arguments; inotify
 * trouble only means polling.  On failure the struct is left closed.
 */
int
follow_open(struct follow *f, char **paths, int n, int *fds)
{
	struct follow_path *fp;
	struct stat st;
	int e, i;

	f->ifd = -1;
	f->poll_ms = POLL_MS;
	f->p = NULL;
	f->n = 0;
	if (n < 0 || (n > 0 && (paths == NULL || fds == NULL)))
		return (errno = EINVAL, -1);
	if (n > 0)
		f->p = xcalloc((size_t)n, sizeof(*f->p));
	for (i = 0; i < n; i++) {
		fp = &f->p[i];
		fp->path = paths[i];
		fp->wd = fp->dwd = -1;
		fp->missing = fds[i] < 0;
		if (fds[i] < 0)
			continue;
		if (fstat(fds[i], &st) == -1) {
			e = errno;
			follow_close(f);
			return (errno = e, -1);
		}
		fp->dev = st.st_dev;
		fp->ino = st.st_ino;
	}
	f->n = n;
#ifdef __linux__
	f->ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	for (i = 0; f->ifd >= 0 && i < n; i++)
		if (watch(f, &f->p[i], fds[i]) == -1)
			go_polling(f);
#endif
	return 0;
}

/*
 * follow_check -- compare path i with fd (the caller's current descriptor
 * for it, -1 if none), of which consumed bytes were read.  Only a regular
 * file is opened in *newfd: a directory or FIFO at the path counts as no
 * file.  A path that cannot be looked at or opened for another reason
 * (EACCES...) is FOLLOW_SAME: the caller keeps what it has.
 */
enum follow_change
follow_check(struct follow *f, int i, int fd, uint64_t consumed, int *newfd)
{
	struct follow_path *fp;
	struct stat st;
	int fl, nfd;

	*newfd = -1;
	if (i < 0 || i >= f->n)
		return FOLLOW_SAME;
	fp = &f->p[i];
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size < consumed)
		return FOLLOW_TRUNCATED;
	if (stat(fp->path, &st) == -1)
		return unseen(fp, fd, errno);
	if (fd >= 0 && st.st_dev == fp->dev && st.st_ino == fp->ino) {
		fp->missing = 0;
		return FOLLOW_SAME;
	}
	if (!S_ISREG(st.st_mode))
		return unseen(fp, fd, ENOENT);
	/* O_NONBLOCK: should a FIFO take its place now, do not hang */
	if ((nfd = open(fp->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return unseen(fp, fd, errno);
	if (fstat(nfd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(nfd);		/* raced: look again next time */
		return unseen(fp, fd, EAGAIN);
	}
	if (fd >= 0 && st.st_dev == fp->dev && st.st_ino == fp->ino) {
		close(nfd);		/* raced back to our file */
		fp->missing = 0;
		return FOLLOW_SAME;
	}
	if ((fl = fcntl(nfd, F_GETFL)) != -1)
		(void)fcntl(nfd, F_SETFL, fl & ~O_NONBLOCK);
	fp->dev = st.st_dev;
	fp->ino = st.st_ino;
	fp->missing = 0;
#ifdef __linux__
	/* the old file's watch stays: it wakes us while the caller drains it */
	if (f->ifd >= 0 && watch(f, fp, nfd) == -1)
		go_polling(f);
#endif
	*newfd = nfd;
	return fd >= 0 ? FOLLOW_REPLACED : FOLLOW_APPEARED;
}

/*
 * follow_wait -- poll(2) the inotify descriptor and fds, for at most
 * poll_ms when polling or while a path is missing.  Pending events are
 * read and dropped.  EINTR is a normal return, so the caller can look at
 * its stop flag; other poll errors give -1 with errno.
 */
int
follow_wait(struct follow *f, const int *fds, int nfds, int timeout_ms)
{
	struct pollfd *pfd;
	int e, i, k, r;

	if (nfds < 0 || (nfds > 0 && fds == NULL))
		return (errno = EINVAL, -1);
	if (must_poll(f) && (timeout_ms < 0 || timeout_ms > f->poll_ms))
		timeout_ms = f->poll_ms;
	pfd = xcalloc((size_t)nfds + 1, sizeof(*pfd));
	k = 0;
	if (f->ifd >= 0) {
		pfd[k].fd = f->ifd;
		pfd[k++].events = POLLIN;
	}
	for (i = 0; i < nfds; i++) {
		pfd[k].fd = fds[i];	/* poll(2) skips a negative fd */
		pfd[k++].events = POLLIN;
	}
	r = poll(pfd, (nfds_t)k, timeout_ms);
	e = errno;
	free(pfd);
	if (r == -1)
		return e == EINTR ? 0 : (errno = e, -1);
#ifdef __linux__
	if (r > 0 && f->ifd >= 0)
		drain(f);
#endif
	return 0;
}

/*
 * follow_seek_tail -- seek to the start of the last nlines lines, found by
 * reading backwards from the end in TAIL_BLOCK pieces.  A last line
 * without '\n' counts; the '\n' ending the file starts no line.  A file
 * that shrinks under us is read from its start.
 */
int
follow_seek_tail(int fd, uint64_t nlines)
{
	struct stat st;
	char *buf;
	off_t end, pos, start;
	size_t k, len;
	int last;

	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode))
		return (errno = ESPIPE, -1);
	if (nlines == 0)
		return lseek(fd, 0, SEEK_END) == -1 ? -1 : 0;
	buf = xmalloc(TAIL_BLOCK);
	start = 0;
	last = 1;
	for (end = st.st_size; end > 0 && start == 0; end = pos) {
		len = end > TAIL_BLOCK ? TAIL_BLOCK : (size_t)end;
		pos = end - (off_t)len;
		if (pread_full(fd, buf, len, pos) == -1) {
			if (errno == 0)		/* shrank: from the top */
				break;
			free(buf);
			return -1;
		}
		k = len;
		if (last && buf[k - 1] == '\n')
			k--;
		last = 0;
		while (k > 0)
			if (buf[--k] == '\n' && --nlines == 0) {
				start = pos + (off_t)k + 1;
				break;
			}
	}
	free(buf);
	return lseek(fd, start, SEEK_SET) == -1 ? -1 : 0;
}

/* follow_close -- drop all watches and the path table; idempotent */
void
follow_close(struct follow *f)
{
	if (f->ifd >= 0)
		close(f->ifd);
	f->ifd = -1;
	free(f->p);
	f->p = NULL;
	f->n = 0;
}

/* go_polling -- give up inotify for good; the watches go with its fd */
static void
go_polling(struct follow *f)
{
	int i;

	if (f->ifd >= 0)
		close(f->ifd);
	f->ifd = -1;
	for (i = 0; i < f->n; i++)
		f->p[i].wd = f->p[i].dwd = -1;
}

/* must_poll -- 1 if waits are capped at poll_ms */
static int
must_poll(const struct follow *f)
{
	int i;

	if (f->poll_ms < 0)
		return 0;
	for (i = 0; i < f->n; i++)
		if (f->ifd < 0 || f->p[i].missing)
			return 1;
	return 0;
}

/*
 * unseen -- the path names no file we can follow, for the reason e: it
 * is polled for from now on.  GONE if it names nothing (ENOENT, ENOTDIR)
 * while fd is still read, else SAME.
 */
static enum follow_change
unseen(struct follow_path *fp, int fd, int e)
{
	fp->missing = 1;
	if (fd >= 0 && (e == ENOENT || e == ENOTDIR))
		return FOLLOW_GONE;
	return FOLLOW_SAME;
}

/*
 * pread_full -- read len bytes at off.  0, or -1 with errno set, or -1
 * with errno 0 when the file ends first.
 */
static int
pread_full(int fd, char *p, size_t len, off_t off)
{
	ssize_t r;

	while (len > 0) {
		r = pread(fd, p, len, off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			return (errno = 0, -1);
		p += r;
		len -= (size_t)r;
		off += r;
	}
	return 0;
}

#ifdef __linux__
/*
 * drain -- read and drop every queued event (IN_Q_OVERFLOW included: the
 * caller looks at everything anyway).  A read error means inotify can no
 * longer be trusted: poll.
 */
static void
drain(struct follow *f)
{
	_Alignas(struct inotify_event) char buf[4096];
	ssize_t len;

	for (;;) {
		len = read(f->ifd, buf, sizeof(buf));
		if (len > 0 || (len == -1 && errno == EINTR))
			continue;
		if (len == 0 || errno != EAGAIN)
			go_polling(f);
		return;
	}
}

/*
 * watch -- watch fp's directory, and the regular file fd if fd >= 0.
 * A directory that cannot be watched (not there yet, EACCES) is no
 * failure: the path then waits with polling, or is watched through its
 * file.  -1 with errno when out of watches or memory, or when fd cannot
 * be watched.
 */
static int
watch(struct follow *f, struct follow_path *fp, int fd)
{
	struct stat st;

	if (watch_dir(f, fp) == -1 && (errno == ENOSPC || errno == ENOMEM))
		return -1;
	if (fd < 0 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		return 0;
	return watch_file(f, fp, fd);
}

/*
 * watch_dir -- watch the directory of fp->path for names coming and
 * going.  Paths in one directory share its watch.  0, or -1 with errno.
 */
static int
watch_dir(struct follow *f, struct follow_path *fp)
{
	const char *slash;
	char *dir;
	int e;

	if ((slash = strrchr(fp->path, '/')) == NULL)
		dir = xstrdup(".");
	else if (slash == fp->path)
		dir = xstrdup("/");
	else
		dir = xstrndup(fp->path, (size_t)(slash - fp->path));
	fp->dwd = inotify_add_watch(f->ifd, dir, DIR_EVENTS);
	e = errno;
	free(dir);
	return fp->dwd < 0 ? (errno = e, -1) : 0;
}

/*
 * watch_file -- watch the inode fd reads.  Through /proc/self/fd that is
 * exactly our file even if the path changed since it was opened; without
 * /proc the path is watched and must still be the same file.  0, or -1.
 */
static int
watch_file(struct follow *f, struct follow_path *fp, int fd)
{
	struct stat st;
	char proc[32];

	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if ((fp->wd = inotify_add_watch(f->ifd, proc, FILE_EVENTS)) >= 0)
		return 0;
	if (errno == ENOSPC || errno == ENOMEM)
		return -1;
	if ((fp->wd = inotify_add_watch(f->ifd, fp->path, FILE_EVENTS)) < 0)
		return -1;
	if (stat(fp->path, &st) == -1 || st.st_dev != fp->dev ||
	    st.st_ino != fp->ino)
		return (errno = ESTALE, -1);
	return 0;
}
#endif
