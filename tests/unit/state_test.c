/* state_test -- unit tests for lib/state.c (cmocka). */
#include <sys/stat.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "state.h"

static int	setup(void **);
static int	teardown(void **);
static void	path_in(char *, size_t, const char *);
static int	exists(const char *);
static void	put_file(const char *, const char *, size_t);
static size_t	get_file(const char *, char *, size_t);
static void	save(const char *, const char *, const char *const *, size_t);

static char	dir[] = "/tmp/state_test.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "chmod -R u+w %s; rm -rf %s", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
path_in(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void
put_file(const char *path, const char *p, size_t n)
{
	FILE *fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(p, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

static size_t
get_file(const char *path, char *p, size_t size)
{
	FILE *fp;
	size_t n;

	assert_non_null(fp = fopen(path, "r"));
	n = fread(p, 1, size, fp);
	assert_true(n < size);
	fclose(fp);
	return n;
}

/* save -- write a state file of n lines for tool through the writer */
static void
save(const char *path, const char *tool, const char *const *line, size_t n)
{
	struct state_writer w = STATE_WRITER_INIT;
	char tmp[512];
	size_t i;

	assert_int_equal(state_begin(&w, path, tool), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(state_line(&w, line[i], strlen(line[i])), 0);
	assert_int_equal(state_commit(&w), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_false(exists(tmp));
	assert_null(w.fp);
	assert_null(w.hs);
}

static void
test_roundtrip(void **state)
{
	static const char *const line[] = { "{\"a\":1}", "", "[1,2]" };
	static const char want[] =
	    "{\"state\":1,\"tool\":\"stream-window\"}\n"
	    "{\"a\":1}\n\n[1,2]\n"
	    "{\"end\":3,\"xxh3\":\"";
	struct buf body = BUF_INIT;
	const char *why;
	char path[256], file[1024];
	size_t n;

	(void)state;
	path_in(path, sizeof(path), "rt.state");
	save(path, "stream-window", line, 3);
	n = get_file(path, file, sizeof(file));
	file[n] = '\0';
	assert_int_equal(n, sizeof(want) - 1 + 16 + 3);
	assert_memory_equal(file, want, sizeof(want) - 1);
	assert_int_equal(strspn(file + sizeof(want) - 1, "0123456789abcdef"),
	    16);
	assert_string_equal(file + n - 3, "\"}\n");
	assert_int_equal(state_load(path, "stream-window", &body, &why), 0);
	assert_null(why);
	assert_int_equal(body.len, 15);
	assert_string_equal(body.p, "{\"a\":1}\n\n[1,2]\n");

	/* replaced atomically by a new save; no lines is fine */
	save(path, "stream-window", NULL, 0);
	assert_int_equal(state_load(path, "stream-window", &body, &why), 0);
	assert_int_equal(body.len, 0);
	assert_string_equal(body.p, "");
	buf_free(&body);
}

static void
test_large(void **state)
{
	struct state_writer w = STATE_WRITER_INIT;
	struct buf body = BUF_INIT, want = BUF_INIT;
	const char *why;
	char path[256], line[64];
	int i, n;

	(void)state;
	path_in(path, sizeof(path), "large.state");
	assert_int_equal(state_begin(&w, path, "t"), 0);
	for (i = 0; i < 200000; i++) {
		n = snprintf(line, sizeof(line), "{\"k\":\"key-%d\",\"n\":%d}",
		    i, i * 7);
		assert_int_equal(state_line(&w, line, (size_t)n), 0);
		buf_add(&want, line, (size_t)n);
		buf_addc(&want, '\n');
	}
	assert_int_equal(state_commit(&w), 0);
	assert_int_equal(state_load(path, "t", &body, &why), 0);
	assert_int_equal(body.len, want.len);
	assert_memory_equal(body.p, want.p, want.len);
	buf_free(&body);
	buf_free(&want);
}

/* Every proper prefix of a valid file is refused */
static void
test_truncated(void **state)
{
	static const char *const line[] = { "{\"a\":1}", "{\"b\":[2,3]}" };
	struct buf body = BUF_INIT;
	const char *why;
	char path[256], file[1024];
	size_t n, k;

	(void)state;
	path_in(path, sizeof(path), "trunc.state");
	save(path, "tool", line, 2);
	n = get_file(path, file, sizeof(file));
	for (k = 0; k < n; k++) {
		put_file(path, file, k);
		why = NULL;
		if (state_load(path, "tool", &body, &why) != -1)
			fail_msg("prefix of %zu bytes loaded", k);
		assert_non_null(why);
		assert_int_equal(body.len, 0);
		if (k == 0)
			assert_string_equal(why, "state file is empty");
		else
			assert_string_equal(why, "state file is truncated");
	}
	put_file(path, file, n);
	assert_int_equal(state_load(path, "tool", &body, &why), 0);
	buf_free(&body);
}

/* Every single-bit flip is refused; in the body it is a bad checksum */
static void
test_bitflip(void **state)
{
	static const char *const line[] = { "{\"a\":1}", "{\"b\":[2,3]}" };
	static const char head[] = "{\"state\":1,\"tool\":\"tool\"}\n";
	struct buf body = BUF_INIT;
	const char *why;
	char path[256], file[1024];
	size_t n, i, bodyend;
	int bit;

	(void)state;
	path_in(path, sizeof(path), "flip.state");
	save(path, "tool", line, 2);
	n = get_file(path, file, sizeof(file));
	bodyend = sizeof(head) - 1 + strlen(line[0]) + strlen(line[1]) + 2;
	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			file[i] ^= (char)(1 << bit);
			put_file(path, file, n);
			if (state_load(path, "tool", &body, &why) != -1)
				fail_msg("flip of bit %d at %zu loaded", bit,
				    i);
			if (i >= sizeof(head) - 1 && i < bodyend &&
			    file[i] != '\n' &&
			    ((unsigned char)file[i] ^ (1 << bit)) != '\n')
				assert_string_equal(why,
				    "state file checksum mismatch");
			file[i] ^= (char)(1 << bit);
		}
	/* a wrong count with the right sum */
	put_file(path, file, n);
	assert_int_equal(state_load(path, "tool", &body, &why), 0);
	file[bodyend + 7] = '3';
	put_file(path, file, n);
	assert_int_equal(state_load(path, "tool", &body, &why), -1);
	assert_string_equal(why, "state file checksum mismatch");
	buf_free(&body);
}

static void
test_header(void **state)
{
	static const char v2[] = "{\"state\":2,\"tool\":\"tool\"}\n"
	    "{\"end\":0,\"xxh3\":\"2d06800538d394c2\"}\n";
	static const char v1[] = "{\"state\":1,\"tool\":\"tool\"}\n"
	    "{\"end\":0,\"xxh3\":\"2d06800538d394c2\"}\n";
	struct buf body = BUF_INIT;
	const char *why;
	char path[256];

	(void)state;
	path_in(path, sizeof(path), "head.state");
	put_file(path, v1, sizeof(v1) - 1);
	assert_int_equal(state_load(path, "tool", &body, &why), 0);
	assert_int_equal(state_load(path, "other", &body, &why), -1);
	assert_string_equal(why, "state file is for another tool");
	assert_int_equal(state_load(path, "too", &body, &why), -1);
	assert_string_equal(why, "state file is for another tool");
	put_file(path, v2, sizeof(v2) - 1);
	assert_int_equal(state_load(path, "tool", &body, &why), -1);
	assert_string_equal(why, "unsupported state version");
	put_file(path, "hello\nworld\n", 12);
	assert_int_equal(state_load(path, "tool", &body, &why), -1);
	assert_string_equal(why, "not a state file");
	assert_int_equal(errno, EINVAL);

	/* tool names are escaped the same way on both sides */
	save(path, "a\"b\\c", NULL, 0);
	assert_int_equal(state_load(path, "a\"b\\c", &body, &why), 0);
	assert_int_equal(state_load(path, "a\"b", &body, &why), -1);
	buf_free(&body);
}

static void
test_missing(void **state)
{
	struct buf body = BUF_INIT;
	const char *why;
	char path[256];

	(void)state;
	path_in(path, sizeof(path), "none.state");
	errno = 0;
	assert_int_equal(state_load(path, "tool", &body, &why), 1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(body.len, 0);
	/* a directory is unreadable, not missing */
	assert_int_equal(state_load(dir, "tool", &body, &why), -1);
	buf_free(&body);
}

static void
test_abort(void **state)
{
	struct state_writer w = STATE_WRITER_INIT;
	struct buf body = BUF_INIT;
	const char *why;
	char path[256], tmp[256];

	(void)state;
	state_abort(&w);			/* harmless on a fresh writer */
	path_in(path, sizeof(path), "abort.state");
	path_in(tmp, sizeof(tmp), "abort.state.tmp");
	assert_int_equal(state_begin(&w, path, "tool"), 0);
	assert_true(exists(tmp));
	assert_int_equal(state_line(&w, "1", 1), 0);
	state_abort(&w);
	state_abort(&w);
	assert_false(exists(tmp));
	assert_false(exists(path));
	assert_null(w.path);
	assert_int_equal(state_commit(&w), -1);
	assert_int_equal(errno, EBADF);

	/* an aborted save leaves the old file in place */
	save(path, "tool", NULL, 0);
	assert_int_equal(state_begin(&w, path, "tool"), 0);
	assert_int_equal(state_line(&w, "2", 1), 0);
	state_abort(&w);
	assert_int_equal(state_load(path, "tool", &body, &why), 0);
	assert_false(exists(tmp));

	/* a line holding a newline is refused */
	assert_int_equal(state_begin(&w, path, "tool"), 0);
	assert_int_equal(state_line(&w, "1\n2", 3), -1);
	assert_int_equal(errno, EINVAL);
	state_abort(&w);
	buf_free(&body);
}

static void
test_begin_fails(void **state)
{
	struct state_writer w = STATE_WRITER_INIT;
	char path[256];

	(void)state;
	path_in(path, sizeof(path), "nodir/x.state");
	assert_int_equal(state_begin(&w, path, "tool"), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(w.fp);
	assert_null(w.path);
	assert_null(w.tmp);
	assert_null(w.hs);
	state_abort(&w);
}

static void
test_writable(void **state)
{
	char path[256], sub[256];

	(void)state;
	path_in(path, sizeof(path), "w.state");
	assert_int_equal(state_writable(path), 0);
	put_file(path, "", 0);
	assert_int_equal(state_writable(path), 0);
	assert_int_equal(state_writable("relative-name.state"),
	    access(".", W_OK | X_OK));
	path_in(path, sizeof(path), "nodir/x.state");
	assert_int_equal(state_writable(path), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(state_writable(dir), -1);
	assert_int_equal(errno, EISDIR);
	assert_int_equal(state_writable("/dev/null"), -1);
	if (geteuid() == 0)
		return;			/* root may write anywhere */
	path_in(path, sizeof(path), "ro.state");
	put_file(path, "", 0);
	assert_int_equal(chmod(path, 0444), 0);
	assert_int_equal(state_writable(path), -1);
	assert_int_equal(errno, EACCES);
	path_in(sub, sizeof(sub), "rodir");
	assert_int_equal(mkdir(sub, 0555), 0);
	path_in(path, sizeof(path), "rodir/x.state");
	assert_int_equal(state_writable(path), -1);
	assert_int_equal(errno, EACCES);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bitflip),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_begin_fails),
		cmocka_unit_test(test_writable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
