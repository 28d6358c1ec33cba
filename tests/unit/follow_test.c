/* follow_test -- growth, truncation, rotation and tail seeking */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "follow.h"

#define SLOW	1000	/* ms: a wakeup later than this was not prompt */
#define LONG	3000	/* ms: timeout for waits that an event must end */

static int polling;	/* the group being run: 1 forces polling */

/* now_ms -- monotonic milliseconds */
static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* rmtree -- remove path and everything under it */
static void
rmtree(const char *path)
{
	char sub[1024];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (lstat(path, &st) == -1)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			rmtree(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

static int
set_inotify(void **state)
{
	(void)state;
	polling = 0;
	return 0;
}

static int
set_polling(void **state)
{
	(void)state;
	polling = 1;
	return 0;
}

/* mkdir_setup -- each test gets its own directory in *state */
static int
mkdir_setup(void **state)
{
	char tmpl[] = "/tmp/follow_testXXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return -1;
	*state = strdup(tmpl);
	return *state == NULL ? -1 : 0;
}

static int
rmdir_teardown(void **state)
{
	rmtree(*state);
	free(*state);
	return 0;
}

/* in -- dir/name in buf */
static char *
in(char *buf, size_t size, void **state, const char *name)
{
	snprintf(buf, size, "%s/%s", (const char *)*state, name);
	return buf;
}

/* start -- follow_open, then force polling (fast) in the polling group */
static void
start(struct follow *f, char **paths, int n, int *fds)
{
	assert_int_equal(follow_open(f, paths, n, fds), 0);
	if (polling) {
		if (f->ifd >= 0)
			close(f->ifd);
		f->ifd = -1;
		f->poll_ms = 100;
	} else {
#ifdef __linux__
		assert_true(f->ifd >= 0);
#endif
	}
}

/* append -- add text to path, creating it */
static void
append(const char *path, const char *text)
{
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* slurp -- what fd has to read now, as a string in b */
static const char *
slurp(int fd, struct buf *b)
{
	char tmp[4096];
	ssize_t n;

	buf_reset(b);
	buf_adds(b, "");
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		buf_add(b, tmp, (size_t)n);
	assert_true(n == 0);
	return b->p;
}

/* waited -- follow_wait with no pipes; the milliseconds it took */
static long
waited(struct follow *f, int timeout_ms)
{
	long t0;

	t0 = now_ms();
	assert_int_equal(follow_wait(f, NULL, 0, timeout_ms), 0);
	return now_ms() - t0;
}

/* settle -- drop events already queued, e.g. from setting up */
static void
settle(struct follow *f)
{
	assert_int_equal(follow_wait(f, NULL, 0, 0), 0);
}

/* child_append -- fork a writer that appends text to path after ms */
static pid_t
child_append(const char *path, const char *text, long ms)
{
	pid_t pid;
	int fd;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sleep_ms(ms);
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
		if (fd < 0 || write(fd, text, strlen(text)) !=
		    (ssize_t)strlen(text))
			_exit(1);
		_exit(0);
	}
	return pid;
}

static void
reap(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* a growing file is SAME; an append, earlier or during the wait, wakes */
static void
test_growth(void **state)
{
	struct follow f;
	struct buf b = BUF_INIT;
	char path[512], *paths[1];
	int fd, nfd;
	long t0, t;
	pid_t pid;

	paths[0] = in(path, sizeof(path), state, "log");
	append(path, "a\n");
	fd = open(path, O_RDONLY);
	start(&f, paths, 1, &fd);
	assert_string_equal(slurp(fd, &b), "a\n");
	assert_int_equal(follow_check(&f, 0, fd, 2, &nfd), FOLLOW_SAME);
	assert_int_equal(nfd, -1);
	settle(&f);

	append(path, "b\n");		/* before the call */
	assert_true(waited(&f, LONG) < SLOW);
	assert_int_equal(follow_check(&f, 0, fd, 2, &nfd), FOLLOW_SAME);
	assert_string_equal(slurp(fd, &b), "b\n");

	t0 = now_ms();			/* during the call */
	pid = child_append(path, "c\n", 200);
	t = waited(&f, LONG);
	if (!polling)			/* woken by the write, not before */
		assert_true(now_ms() - t0 >= 150);
	assert_true(t < SLOW);
	reap(pid);			/* a slow child: wait and look again */
	for (;;) {
		assert_int_equal(follow_check(&f, 0, fd, 4, &nfd),
		    FOLLOW_SAME);
		if (strcmp(slurp(fd, &b), "c\n") == 0)
			break;
		assert_string_equal(b.p, "");
		assert_true(now_ms() - t0 < SLOW);
		waited(&f, LONG);
	}

	follow_close(&f);
	follow_close(&f);
	close(fd);
	buf_free(&b);
}

/* with nothing happening, the timeout is honoured; reads wake nothing */
static void
test_timeout(void **state)
{
	struct follow f;
	struct buf b = BUF_INIT;
	char path[512], *paths[1];
	int fd, nfd;
	long t;

	paths[0] = in(path, sizeof(path), state, "log");
	append(path, "a\n");
	fd = open(path, O_RDONLY);
	start(&f, paths, 1, &fd);
	settle(&f);
	assert_string_equal(slurp(fd, &b), "a\n");
	assert_int_equal(follow_check(&f, 0, fd, 2, &nfd), FOLLOW_SAME);
	t = waited(&f, 100);
	assert_in_range(t, 90, 600);
	t = waited(&f, 0);
	assert_in_range(t, 0, 50);
	f.poll_ms = 100;
	if (!polling)			/* nothing missing: no cap */
		assert_in_range(waited(&f, 300), 290, 900);
	if (polling) {			/* poll_ms caps every wait */
		t = waited(&f, -1);
		assert_in_range(t, 90, 600);
		t = waited(&f, LONG);
		assert_in_range(t, 90, 600);
		t = waited(&f, 30);
		assert_in_range(t, 25, 90);
	}
	follow_close(&f);
	close(fd);
	buf_free(&b);
}

/* a file shorter than what was read is TRUNCATED, then read from 0 */
static void
test_truncation(void **state)
{
	struct follow f;
	struct buf b = BUF_INIT;
	char path[512], *paths[1];
	int fd, nfd;

	paths[0] = in(path, sizeof(path), state, "log");
	append(path, "hello\nworld\n");
	fd = open(path, O_RDONLY);
	start(&f, paths, 1, &fd);
	assert_string_equal(slurp(fd, &b), "hello\nworld\n");
	assert_int_equal(follow_check(&f, 0, fd, 12, &nfd), FOLLOW_SAME);
	settle(&f);

	assert_int_equal(truncate(path, 0), 0);	/* copytruncate */
	append(path, "new\n");
	assert_true(waited(&f, LONG) < SLOW);
	assert_int_equal(follow_check(&f, 0, fd, 12, &nfd),
	    FOLLOW_TRUNCATED);
	assert_int_equal(nfd, -1);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_string_equal(slurp(fd, &b), "new\n");
	assert_int_equal(follow_check(&f, 0, fd, 4, &nfd), FOLLOW_SAME);

	/* to zero, nothing written yet */
	assert_int_equal(truncate(path, 0), 0);
	assert_true(waited(&f, LONG) < SLOW);
	assert_int_equal(follow_check(&f, 0, fd, 4, &nfd),
	    FOLLOW_TRUNCATED);
	assert_int_equal(follow_check(&f, 0, fd, 0, &nfd), FOLLOW_SAME);

	follow_close(&f);
	close(fd);
	buf_free(&b);
}

/*
 * rename and create (logrotate's default): GONE, then REPLACED; the new
 * fd reads the new file, the old one still reads (and wakes us for) the
 * renamed file
 */
static void
test_rename_create(void **state)
{
	struct follow f;
	struct buf b = BUF_INIT;
	char path[512], old[512], *paths[1];
	int fd, nfd, nfd2;

	paths[0] = in(path, sizeof(path), state, "log");
	in(old, sizeof(old), state, "log.1");
	append(path, "old1\n");
	fd = open(path, O_RDONLY);
	start(&f, paths, 1, &fd);
	assert_string_equal(slurp(fd, &b), "old1\n");
	settle(&f);

	assert_int_equal(rename(path, old), 0);
	assert_true(waited(&f, LONG) < SLOW);
	assert_int_equal(follow_check(&f, 0, fd, 5, &nfd), FOLLOW_GONE);
	assert_int_equal(nfd, -1);

	append(path, "new1\n");
	assert_true(waited(&f, LONG) < SLOW);
	assert_int_equal(follow_check(&f, 0, fd, 5, &nfd), FOLLOW_REPLACED);
	assert_true(nfd >= 0);
	assert_string_equal(slurp(nfd, &b), "new1\n");
	assert_int_equal(follow_check(&f, 0, nfd, 5, &nfd2), FOLLOW_SAME);
	settle(&f);

	append(old, "old2\n");		/* the old file's late lines */
	assert_true(waited(&f, LONG) < SLOW);
	assert_string_equal(slurp(fd, &b), "old2\n");
	assert_int_equal(follow_check(&f, 0, nfd, 5, &nfd2), FOLLOW_SAME);

	append(path, "new2\n");
	assert_true(waited(&f, LONG) < SLOW);
	assert_int_equal(follow_check(&f, 0, nfd, 5, &nfd2), FOLLOW_SAME);
	assert_int_equal(nfd2, -1);
	assert_string_equal(slurp(nfd, &b), "new2\n");

	follow_close(&f);
	close(fd);
	close(nfd);
	buf_free(&b);
}

/* a new file renamed over the path: REPLACED at once */
static void
test_rename_over(void **state)
{
	struct follow f;
	struct buf b = BUF_INIT;
	char path[512], tmp[512], *paths[1];
	int fd, nfd;

	paths[0] = in(path, sizeof(path), state, "log");
	in(tmp, sizeof(tmp), state, "log.tmp");
	append(path, "one\n");
	fd = open(path, O_RDONLY);
	start(&f, paths, 1, &fd);
	assert_string_equal(slurp(fd, &b), "one\n");
	settle(&f);

	append(tmp, "two\n");
	assert_int_equal(rename(tmp, path), 0);
	assert_true(waited(&f, LONG) < SLOW);
	assert_int_equal(follow_check(&f, 0, fd, 4, &nfd), FOLLOW_REPLACED);
	assert_string_equal(slurp(nfd, &b), "two\n");
	assert_string_equal(slurp(fd, &b), "");	/* unlinked, still open */
	close(fd);
	assert_int_equal(follow_check(&f, 0, nfd, 4, &fd), FOLLOW_SAME);

	follow_close(&f);
	close(nfd);
	buf_free(&b);
}

/* a path that does not exist yet is waited for, then APPEARED */
static void
test_appears(void **state)
{
	struct follow f;
	struct buf b = BUF_INIT;
	char path[512], *paths[1];
	int fd, nfd;
	long t0;
	pid_t pid;

	paths[0] = in(path, sizeof(path), state, "later");
	fd = -1;
	start(&f, paths, 1, &fd);
	assert_int_equal(follow_check(&f, 0, -1, 0, &nfd), FOLLOW_SAME);
	assert_int_equal(nfd, -1);

	t0 = now_ms();
	pid = child_append(path, "hi\n", 200);
	assert_true(waited(&f, LONG) < SLOW);
	while ((follow_check(&f, 0, -1, 0, &fd)) == FOLLOW_SAME) {
		assert_true(now_ms() - t0 < SLOW);
		waited(&f, LONG);
	}
	reap(pid);
	assert_true(fd >= 0);
	assert_string_equal(slurp(fd, &b), "hi\n");
	assert_int_equal(follow_check(&f, 0, fd, 3, &nfd), FOLLOW_SAME);
	settle(&f);

	append(path, "more\n");		/* the new file is watched */
	assert_true(waited(&f, LONG) < SLOW);
	assert_int_equal(follow_check(&f, 0, fd, 3, &nfd), FOLLOW_SAME);
	assert_string_equal(slurp(fd, &b), "more\n");

	follow_close(&f);
	close(fd);
	buf_free(&b);
}

/* only a regular file appears: a directory at the path is no file */
static void
test_appears_not_a_file(void **state)
{
	struct follow f;
	char path[512], *paths[1];
	int fd, nfd;

	paths[0] = in(path, sizeof(path), state, "later");
	fd = -1;
	start(&f, paths, 1, &fd);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(follow_check(&f, 0, -1, 0, &nfd), FOLLOW_SAME);
	assert_int_equal(nfd, -1);
	assert_int_equal(rmdir(path), 0);
	append(path, "x\n");
	assert_int_equal(follow_check(&f, 0, -1, 0, &nfd), FOLLOW_APPEARED);
	assert_true(nfd >= 0);
	/* a file replaced by a directory is gone */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(follow_check(&f, 0, nfd, 2, &fd), FOLLOW_GONE);
	assert_int_equal(fd, -1);
	follow_close(&f);
	close(nfd);
}

/* a deleted path is GONE, and its open file still grows and wakes us */
static void
test_deleted(void **state)
{
	struct follow f;
	struct buf b = BUF_INIT;
	char path[512], *paths[1];
	int fd, nfd, w;

	paths[0] = in(path, sizeof(path), state, "log");
	append(path, "a\n");
	w = open(path, O_WRONLY | O_APPEND);
	fd = open(path, O_RDONLY);
	start(&f, paths, 1, &fd);
	assert_string_equal(slurp(fd, &b), "a\n");
	settle(&f);

	assert_int_equal(unlink(path), 0);
	assert_true(waited(&f, LONG) < SLOW);
	assert_int_equal(follow_check(&f, 0, fd, 2, &nfd), FOLLOW_GONE);
	assert_int_equal(nfd, -1);
	settle(&f);

	assert_int_equal(write(w, "late\n", 5), 5);
	assert_true(waited(&f, LONG) < SLOW);
	assert_string_equal(slurp(fd, &b), "late\n");
	assert_int_equal(follow_check(&f, 0, fd, 7, &nfd), FOLLOW_GONE);
	close(fd);
	assert_int_equal(follow_check(&f, 0, -1, 0, &nfd), FOLLOW_SAME);
	assert_int_equal(nfd, -1);

	follow_close(&f);
	close(w);
	buf_free(&b);
}

/*
 * a directory emptied and removed while the caller still reads its deleted
 * file sends no inotify event; polling while the path is missing finds
 * the directory and file made again, and inotify serves the new file
 */
static void
test_dir_removed(void **state)
{
	struct follow f;
	struct buf b = BUF_INIT;
	char dir[512], path[512], old[512], *paths[1];
	int fd, nfd;
	long t0;
	pid_t pid;

	in(dir, sizeof(dir), state, "sub");
	paths[0] = in(path, sizeof(path), state, "sub/log");
	in(old, sizeof(old), state, "sub/log.1");
	assert_int_equal(mkdir(dir, 0755), 0);
	append(path, "a\n");
	fd = open(path, O_RDONLY);
	start(&f, paths, 1, &fd);
	f.poll_ms = 100;
	settle(&f);
	assert_int_equal(unlink(path), 0);
	assert_true(waited(&f, LONG) < SLOW);
	assert_int_equal(follow_check(&f, 0, fd, 2, &nfd), FOLLOW_GONE);
	assert_int_equal(rmdir(dir), 0);
	t0 = now_ms();
	if ((pid = fork()) == 0) {	/* made again while we wait */
		sleep_ms(200);
		if (mkdir(dir, 0755) != 0)
			_exit(1);
		sleep_ms(200);
		_exit(close(open(path, O_WRONLY | O_CREAT, 0644)));
	}
	assert_true(pid > 0);
	do {
		assert_true(waited(&f, LONG) < SLOW);
		assert_true(now_ms() - t0 < 2 * SLOW);
	} while (follow_check(&f, 0, fd, 2, &nfd) == FOLLOW_GONE);
	reap(pid);
	append(path, "b\n");
	assert_true(nfd >= 0);
	close(fd);
	fd = nfd;
	assert_string_equal(slurp(fd, &b), "b\n");
	if (!polling)
		assert_true(f.ifd >= 0);

	/* nothing is missing: no polling cap with inotify */
	settle(&f);
	if (polling)
		assert_in_range(waited(&f, 300), 90, 280);
	else
		assert_in_range(waited(&f, 300), 290, 900);
	/* the new file and directory are watched */
	append(path, "c\n");
	assert_true(waited(&f, LONG) < SLOW);
	assert_string_equal(slurp(fd, &b), "c\n");
	assert_int_equal(rename(path, old), 0);
	append(path, "d\n");
	assert_true(waited(&f, LONG) < SLOW);
	assert_int_equal(follow_check(&f, 0, fd, 4, &nfd), FOLLOW_REPLACED);
	assert_string_equal(slurp(nfd, &b), "d\n");
	follow_close(&f);
	close(fd);
	close(nfd);
	buf_free(&b);
}

/*
 * a directory that does not exist at the start cannot be watched: the path
 * is polled for until it appears, then inotify serves it
 */
static void
test_dir_missing(void **state)
{
	struct follow f;
	struct buf b = BUF_INIT;
	char dir[512], path[512], *paths[1];
	int fd, nfd;
	long t0;

	in(dir, sizeof(dir), state, "no");
	paths[0] = in(path, sizeof(path), state, "no/log");
	fd = -1;
	start(&f, paths, 1, &fd);
	f.poll_ms = 100;
	assert_int_equal(follow_check(&f, 0, -1, 0, &nfd), FOLLOW_SAME);
	assert_int_equal(follow_check(&f, 5, -1, 0, &nfd), FOLLOW_SAME);
	assert_int_equal(follow_check(&f, -1, -1, 0, &nfd), FOLLOW_SAME);
	assert_in_range(waited(&f, LONG), 90, 600);
	assert_in_range(waited(&f, -1), 90, 600);

	assert_int_equal(mkdir(dir, 0755), 0);
	append(path, "a\n");
	t0 = now_ms();
	while (follow_check(&f, 0, -1, 0, &fd) == FOLLOW_SAME) {
		assert_true(now_ms() - t0 < SLOW);
		waited(&f, LONG);
	}
	assert_string_equal(slurp(fd, &b), "a\n");
	settle(&f);
	if (!polling)		/* watched now: no cap */
		assert_in_range(waited(&f, 300), 290, 900);
	append(path, "b\n");
	assert_true(waited(&f, LONG) < SLOW);
	assert_string_equal(slurp(fd, &b), "b\n");
	follow_close(&f);
	follow_close(&f);
	close(fd);
	buf_free(&b);
}

/* a readable pipe ends the wait; with no paths there is no polling cap */
static void
test_pipe_wakes(void **state)
{
	struct follow f;
	char c;
	int p[2], fds[2];
	long t0, t;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(p), 0);
	start(&f, NULL, 0, NULL);
	fds[0] = -1;			/* skipped */
	fds[1] = p[0];
	assert_int_equal(write(p[1], "x", 1), 1);
	t0 = now_ms();
	assert_int_equal(follow_wait(&f, fds, 2, LONG), 0);
	assert_true(now_ms() - t0 < SLOW);
	assert_int_equal(read(p[0], &c, 1), 1);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sleep_ms(200);
		_exit(write(p[1], "y", 1) == 1 ? 0 : 1);
	}
	t0 = now_ms();
	assert_int_equal(follow_wait(&f, fds, 2, LONG), 0);
	t = now_ms() - t0;
	assert_in_range(t, 150, SLOW);
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	reap(pid);
	follow_close(&f);
	close(p[0]);
	close(p[1]);
}

/* tail_of -- what follows follow_seek_tail(n) in a file holding s */
static const char *
tail_of(void **state, const char *s, size_t len, uint64_t n, struct buf *b)
{
	char path[512];
	int fd;

	in(path, sizeof(path), state, "t");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, len), (ssize_t)len);
	assert_int_equal(follow_seek_tail(fd, n), 0);
	slurp(fd, b);
	close(fd);
	return b->p;
}

static void
test_seek_tail(void **state)
{
	struct buf b = BUF_INIT;
	int p[2];

#define TAIL(s, n)	tail_of(state, s, strlen(s), n, &b)
	assert_string_equal(TAIL("a\nb\nc\n", 0), "");
	assert_string_equal(TAIL("a\nb\nc\n", 1), "c\n");
	assert_string_equal(TAIL("a\nb\nc\n", 2), "b\nc\n");
	assert_string_equal(TAIL("a\nb\nc\n", 3), "a\nb\nc\n");
	assert_string_equal(TAIL("a\nb\nc\n", 100), "a\nb\nc\n");
	assert_string_equal(TAIL("a\nb\nc", 0), "");
	assert_string_equal(TAIL("a\nb\nc", 1), "c");
	assert_string_equal(TAIL("a\nb\nc", 2), "b\nc");
	assert_string_equal(TAIL("a\nb\nc", 4), "a\nb\nc");
	assert_string_equal(TAIL("", 0), "");
	assert_string_equal(TAIL("", 1), "");
	assert_string_equal(TAIL("\n", 1), "\n");
	assert_string_equal(TAIL("a\n\n", 1), "\n");
	assert_string_equal(TAIL("a\n\n", 2), "a\n\n");
	assert_string_equal(TAIL("abc", 1), "abc");
	assert_string_equal(TAIL("x\r\ny\r\n", 1), "y\r\n");
	assert_string_equal(TAIL("a\nb\nc\n", UINT64_MAX), "a\nb\nc\n");
#undef TAIL

	assert_int_equal(pipe(p), 0);
	errno = 0;
	assert_int_equal(follow_seek_tail(p[0], 1), -1);
	assert_int_equal(errno, ESPIPE);
	assert_int_equal(follow_seek_tail(p[0], 0), -1);
	assert_int_equal(errno, ESPIPE);
	close(p[0]);
	close(p[1]);
	buf_free(&b);
}

/* tail_ref -- offset of the last n lines, by a plain forward scan */
static size_t
tail_ref(const char *s, size_t len, uint64_t n)
{
	size_t i, nlines, want, *starts, off;

	starts = malloc((len + 1) * sizeof(*starts));
	assert_non_null(starts);
	nlines = 0;
	for (i = 0; i < len; i++)
		if (i == 0 || s[i - 1] == '\n')
			starts[nlines++] = i;
	if (n == 0)
		off = len;
	else if (n >= nlines)
		off = 0;
	else {
		want = nlines - (size_t)n;
		off = starts[want];
	}
	free(starts);
	return off;
}

/* lines longer than the 64 KiB block, newlines at block edges, random */
static void
test_seek_tail_long(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t edge, i, off, len;
	uint64_t n;
	unsigned seed = 12345;
	int round;

	for (i = 0; i < 3; i++) {	/* three lines of 100 000 bytes */
		while (in.len < (i + 1) * 100001 - 1)
			buf_addc(&in, 'a' + (int)i);
		buf_addc(&in, '\n');
	}
	tail_of(state, in.p, in.len, 1, &out);
	assert_int_equal(out.len, 100001);
	assert_memory_equal(out.p, in.p + 200002, 100001);
	tail_of(state, in.p, in.len, 2, &out);
	assert_int_equal(out.len, 200002);
	tail_of(state, in.p, in.len, 3, &out);
	assert_int_equal(out.len, in.len);
	in.len--;			/* without its final newline */
	tail_of(state, in.p, in.len, 1, &out);
	assert_int_equal(out.len, 100000);

	for (round = 0; round < 60; round++) {
		buf_reset(&in);
		len = round < 10 ? 65536 * 2 + 1 : (size_t)(rand_r(&seed) %
		    300000);
		for (i = 0; i < len; i++)
			buf_addc(&in, rand_r(&seed) % (1 + round % 7 * 5000)
			    == 0 ? '\n' : 'x');
		if (round < 10 && len > 65537) {
			/* newlines on both sides of a block edge */
			edge = len - 65536;
			in.p[edge - round % 3] = '\n';
			in.p[edge + round % 2] = '\n';
			if (round % 2)
				in.p[len - 1] = '\n';
		}
		for (n = 0; n < 6; n++) {
			off = tail_ref(in.p, in.len, n);
			tail_of(state, in.p, in.len, n, &out);
			assert_int_equal(out.len, in.len - off);
			assert_memory_equal(out.p, in.p + off, out.len);
		}
	}
	buf_free(&in);
	buf_free(&out);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, mkdir_setup, \
		    rmdir_teardown)

int
main(void)
{
	const struct CMUnitTest watched[] = {
		T(test_growth),
		T(test_timeout),
		T(test_truncation),
		T(test_rename_create),
		T(test_rename_over),
		T(test_appears),
		T(test_appears_not_a_file),
		T(test_deleted),
		T(test_pipe_wakes),
		T(test_dir_removed),
		T(test_dir_missing),
	};
	const struct CMUnitTest other[] = {
		T(test_seek_tail),
		T(test_seek_tail_long),
	};
	int fails = 0;

#ifdef __linux__
	fails += cmocka_run_group_tests_name("inotify", watched,
	    set_inotify, NULL);
#endif
	fails += cmocka_run_group_tests_name("polling", watched,
	    set_polling, NULL);
	fails += cmocka_run_group_tests_name("other", other, NULL, NULL);
	return fails;
}
