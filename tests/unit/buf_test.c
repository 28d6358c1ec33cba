/* buf_test -- the growable buffer */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"

static void
test_append_keeps_nul(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_adds(&b, "ab");
	buf_addc(&b, 'c');
	buf_add(&b, "de\0f", 4);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.p, "abcde\0f", 8);
	buf_printf(&b, "%d-%s", 42, "x");
	assert_string_equal(b.p + 7, "42-x");
	buf_free(&b);
	buf_free(&b);
	assert_null(b.p);
}

static void
test_grow_large(void **state)
{
	struct buf b = BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 100000; i++)
		buf_printf(&b, "%05d", i % 100000);
	assert_int_equal(b.len, 500000);
	assert_memory_equal(b.p + 5 * 99999, "99999", 5);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	buf_free(&b);
}

static void
test_printf_long(void **state)
{
	struct buf b = BUF_INIT;
	char big[1000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_printf(&b, "<%s>", big);
	assert_int_equal(b.len, 1001);
	assert_int_equal(b.p[1000], '>');
	buf_free(&b);
}

static void
test_detach(void **state)
{
	struct buf b = BUF_INIT;
	char *p;

	(void)state;
	p = buf_detach(&b);
	assert_string_equal(p, "");
	free(p);
	buf_adds(&b, "hello");
	p = buf_detach(&b);
	assert_string_equal(p, "hello");
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	free(p);
}

static void
test_read_file(void **state)
{
	struct buf b = BUF_INIT;
	char path[] = "/tmp/buf_testXXXXXX";
	FILE *fp;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("select(.a)\n", fp);
	fclose(fp);
	assert_int_equal(buf_read_file(&b, path), 0);
	assert_string_equal(b.p, "select(.a)\n");
	unlink(path);
	assert_int_equal(buf_read_file(&b, path), -1);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_keeps_nul),
		cmocka_unit_test(test_grow_large),
		cmocka_unit_test(test_printf_long),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
