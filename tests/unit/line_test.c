/* line_test -- the NDJSON line reader */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "line.h"

/* file_with -- a temporary file holding n bytes, opened for reading */
static int
file_with(const char *p, size_t n)
{
	char path[] = "/tmp/line_testXXXXXX";
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	unlink(path);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* lines_of -- all lines joined with '|', long ones marked "!" */
static void
lines_of(int fd, size_t max, struct buf *out)
{
	struct line_reader r;
	struct line ln;

	line_open(&r, fd, max);
	while (line_next(&r, &ln) == 1) {
		if (out->len > 0)
			buf_addc(out, '|');
		buf_printf(out, "%llu:", (unsigned long long)ln.no);
		if (ln.toolong)
			buf_addc(out, '!');
		else
			buf_add(out, ln.p, ln.len);
	}
	line_close(&r);
	close(fd);
}

static void
check(const char *in, size_t max, const char *want)
{
	struct buf b = BUF_INIT;

	lines_of(file_with(in, strlen(in)), max, &b);
	assert_string_equal(b.p != NULL ? b.p : "", want);
	buf_free(&b);
}

static void
test_endings(void **state)
{
	(void)state;
	check("a\nb\r\nc", 100, "1:a|2:b|3:c");
	check("\xef\xbb\xbf{}\n{}\n", 100, "1:{}|2:{}");
	check("x\n\n  \n\t\ny\n", 100, "1:x|5:y");
	check("x\n\r\r\n \r\t\r\ny\n", 100, "1:x|4:y");	/* CRs are blank */
	check("", 100, "");
	check("\n\n", 100, "");
	check("\xef\xbb\xbf", 100, "");
	check("a\n\xef\xbb\xbf" "b\n", 100, "1:a|2:\xef\xbb\xbf" "b");
}

static void
test_too_long(void **state)
{
	(void)state;
	check("12345\n123456\n1234567\n12\n", 6, "1:12345|2:123456|3:!|4:12");
	check("1234567", 6, "1:!");
}

/* a long line spanning many read blocks is reported once, then skipped */
static void
test_too_long_across_blocks(void **state)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	size_t i;

	(void)state;
	buf_adds(&in, "first\n");
	for (i = 0; i < 3 * 1024 * 1024; i++)
		buf_addc(&in, 'x');
	buf_adds(&in, "\nlast\n");
	lines_of(file_with(in.p, in.len), 1000, &out);
	assert_string_equal(out.p, "1:first|2:!|3:last");
	buf_free(&in);
	buf_free(&out);
}

static void
test_many_lines(void **state)
{
	struct buf in = BUF_INIT;
	struct line_reader r;
	struct line ln;
	unsigned long n = 0, want = 200000;
	char expect[32];

	(void)state;
	for (n = 0; n < want; n++)
		buf_printf(&in, "{\"n\":%lu}\n", n);
	line_open(&r, file_with(in.p, in.len), 64);
	for (n = 0; line_next(&r, &ln) == 1; n++) {
		snprintf(expect, sizeof(expect), "{\"n\":%lu}", n);
		assert_int_equal(ln.len, strlen(expect));
		assert_memory_equal(ln.p, expect, ln.len);
	}
	assert_int_equal(n, want);
	close(r.fd);
	line_close(&r);
	buf_free(&in);
}

static void
count_call(void *arg)
{
	(*(int *)arg)++;
}

/* on a pipe that would block, before_block runs before waiting */
static void
test_before_block_on_pipe(void **state)
{
	struct line_reader r;
	struct line ln;
	int fds[2], calls = 0;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "a\n", 2), 2);
	close(fds[1]);
	line_open(&r, fds[0], 100);
	r.before_block = count_call;
	r.arg = &calls;
	assert_int_equal(line_next(&r, &ln), 1);
	assert_int_equal(line_next(&r, &ln), 0);
	/* data and EOF were both ready: nothing ever had to block */
	assert_int_equal(calls, 0);
	line_close(&r);
	close(fds[0]);
}

/* a writer that pauses makes the reader flush before it waits */
static void
test_before_block_when_waiting(void **state)
{
	struct line_reader r;
	struct line ln;
	int fds[2], calls = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		if (write(fds[1], "a\n", 2) != 2)
			_exit(1);
		nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
		if (write(fds[1], "b\n", 2) != 2)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	line_open(&r, fds[0], 100);
	r.before_block = count_call;
	r.arg = &calls;
	assert_int_equal(line_next(&r, &ln), 1);
	assert_memory_equal(ln.p, "a", 1);
	assert_int_equal(line_next(&r, &ln), 1);
	assert_memory_equal(ln.p, "b", 1);
	assert_true(calls >= 1);
	assert_int_equal(line_next(&r, &ln), 0);
	line_close(&r);
	close(fds[0]);
	waitpid(pid, NULL, 0);
}

/* follow mode: a growing file has no end, a partial line waits */
static void
test_follow_file(void **state)
{
	char path[] = "/tmp/line_followXXXXXX";
	struct line_reader r;
	struct line ln;
	int wfd, rfd;

	(void)state;
	wfd = mkstemp(path);
	assert_true(wfd >= 0);
	rfd = open(path, O_RDONLY);
	unlink(path);
	assert_int_equal(write(wfd, "a\nb", 3), 3);
	line_open(&r, rfd, 100);
	r.follow = 1;
	assert_int_equal(line_next(&r, &ln), 1);
	assert_memory_equal(ln.p, "a", 1);
	assert_int_equal(line_next(&r, &ln), LINE_DRY);
	assert_int_equal(line_next(&r, &ln), LINE_DRY);
	assert_int_equal(write(wfd, "c\n\nd", 4), 4);
	assert_int_equal(line_next(&r, &ln), 1);
	assert_int_equal(ln.len, 2);
	assert_memory_equal(ln.p, "bc", 2);
	assert_int_equal(ln.no, 2);
	assert_int_equal(line_next(&r, &ln), LINE_DRY);
	assert_int_equal(r.offset, 7);
	line_finish(&r);
	assert_int_equal(line_next(&r, &ln), 1);
	assert_memory_equal(ln.p, "d", 1);
	assert_int_equal(line_next(&r, &ln), 0);
	line_restart(&r);
	lseek(rfd, 0, SEEK_SET);
	assert_int_equal(line_next(&r, &ln), 1);
	assert_memory_equal(ln.p, "a", 1);
	assert_int_equal(ln.no, 1);
	line_close(&r);
	close(rfd);
	close(wfd);
}

/* follow mode on a pipe: DRY while empty, the end at its EOF */
static void
test_follow_pipe(void **state)
{
	struct line_reader r;
	struct line ln;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	line_open(&r, fds[0], 100);
	r.follow = 1;
	assert_int_equal(line_next(&r, &ln), LINE_DRY);
	assert_int_equal(write(fds[1], "x\n", 2), 2);
	assert_int_equal(line_next(&r, &ln), 1);
	assert_int_equal(line_next(&r, &ln), LINE_DRY);
	close(fds[1]);
	assert_int_equal(line_next(&r, &ln), 0);
	line_close(&r);
	close(fds[0]);
}

/* keepblank, and raw bytes through peek and skip */
static void
test_blank_and_peek(void **state)
{
	struct line_reader r;
	struct line ln;
	const char *p;
	size_t n;

	(void)state;
	line_open(&r, file_with("a\n\n \nb", 6), 100);
	r.keepblank = 1;
	assert_int_equal(line_next(&r, &ln), 1);
	assert_int_equal(line_next(&r, &ln), 1);
	assert_int_equal(ln.len, 0);
	assert_int_equal(line_next(&r, &ln), 1);
	assert_int_equal(ln.len, 1);
	assert_int_equal(ln.no, 3);
	assert_int_equal(line_peek(&r, &p, &n), 1);
	assert_int_equal(n, 1);
	assert_memory_equal(p, "b", 1);
	line_skip(&r, 1);
	assert_int_equal(line_peek(&r, &p, &n), 0);
	close(r.fd);
	line_close(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endings),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_too_long_across_blocks),
		cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_before_block_on_pipe),
		cmocka_unit_test(test_before_block_when_waiting),
		cmocka_unit_test(test_follow_file),
		cmocka_unit_test(test_follow_pipe),
		cmocka_unit_test(test_blank_and_peek),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
