/* dedup_test -- bounded memory of kept keys */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dedup.h"
#include "ts.h"

#define S	TS_SECOND

static void
test_size_evicts_oldest(void **state)
{
	struct dedup d;

	(void)state;
	dedup_init(&d, 0, 2);
	assert_int_equal(dedup_seen(&d, 1, 0), 0);
	assert_int_equal(dedup_seen(&d, 2, 0), 0);
	assert_int_equal(dedup_seen(&d, 1, 0), 1);
	assert_int_equal(dedup_seen(&d, 3, 0), 0);	/* evicts 1 */
	assert_int_equal(d.evicted, 1);
	assert_int_equal(dedup_seen(&d, 2, 0), 1);
	assert_int_equal(dedup_seen(&d, 1, 0), 0);	/* forgotten */
	assert_int_equal(d.map.count, 2);
	assert_int_equal(d.dropped, 2);
	dedup_free(&d);
	dedup_free(&d);
}

static void
test_window_measured_from_last_kept(void **state)
{
	struct dedup d;

	(void)state;
	dedup_init(&d, 10 * S, 0);
	assert_int_equal(dedup_seen(&d, 7, 100 * S), 0);
	assert_int_equal(dedup_seen(&d, 7, 105 * S), 1);
	assert_int_equal(dedup_seen(&d, 7, 109 * S), 1);
	assert_int_equal(dedup_seen(&d, 7, 110 * S), 0);	/* window over */
	assert_int_equal(dedup_seen(&d, 7, 115 * S), 1);
	assert_int_equal(dedup_seen(&d, 7, 105 * S), 1);	/* out of order */
	dedup_free(&d);
}

/* keys older than the window are forgotten, so memory follows the window */
static void
test_window_bounds_memory(void **state)
{
	struct dedup d;
	uint64_t k;

	(void)state;
	dedup_init(&d, 10 * S, 0);
	for (k = 0; k < 100000; k++)
		assert_int_equal(dedup_seen(&d, k, (int64_t)k * S), 0);
	assert_true(d.map.count <= 11);
	assert_true(d.qlen <= 2 * d.map.count + 1024);
	dedup_free(&d);
}

static void
test_churn_keeps_queue_bounded(void **state)
{
	struct dedup d;
	int64_t t;

	(void)state;
	dedup_init(&d, 1 * S, 1000);
	for (t = 0; t < 1000000; t++)
		dedup_seen(&d, (uint64_t)(t % 10), t * S);
	assert_true(d.map.count <= 10);
	assert_true(d.qlen <= 2 * d.map.count + 1024);
	dedup_free(&d);
}

static void
test_save_and_load(void **state)
{
	struct dedup d, e;
	struct state_writer w = STATE_WRITER_INIT;
	struct buf body = BUF_INIT;
	char path[] = "/tmp/dedup_testXXXXXX";
	const char *why = NULL;
	int fd;

	(void)state;
	fd = mkstemp(path);
	close(fd);
	dedup_init(&d, 0, 3);
	dedup_seen(&d, 1, 0);
	dedup_seen(&d, 2, 0);
	dedup_seen(&d, 3, 0);
	dedup_seen(&d, 4, 0);			/* 1 evicted */
	assert_int_equal(state_begin(&w, path, "t"), 0);
	assert_int_equal(dedup_save(&d, &w), 0);
	assert_int_equal(state_commit(&w), 0);
	assert_int_equal(state_load(path, "t", &body, &why), 0);
	dedup_init(&e, 0, 3);
	assert_int_equal(dedup_load(&e, body.p, body.len, &why), 0);
	assert_int_equal(dedup_seen(&e, 2, 0), 1);
	assert_int_equal(dedup_seen(&e, 4, 0), 1);
	assert_int_equal(dedup_seen(&e, 5, 0), 0);	/* evicts 2: oldest */
	assert_int_equal(dedup_seen(&e, 2, 0), 0);
	assert_int_equal(dedup_load(&e, "{\"key\":1}\n", 10, &why), -1);
	unlink(path);
	buf_free(&body);
	dedup_free(&d);
	dedup_free(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_evicts_oldest),
		cmocka_unit_test(test_window_measured_from_last_kept),
		cmocka_unit_test(test_window_bounds_memory),
		cmocka_unit_test(test_churn_keeps_queue_bounded),
		cmocka_unit_test(test_save_and_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
