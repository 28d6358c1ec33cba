/* pace_test -- --replay and --rate timing */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <cmocka.h>

#include "pace.h"
#include "ts.h"

#define MS	INT64_C(1000000)

static void
test_replay(void **state)
{
	struct pace p;
	int64_t now = 1000 * MS;

	(void)state;
	pace_init(&p, 1, 0);
	assert_int_equal(pace_due(&p, 50 * TS_SECOND, now), now);
	assert_int_equal(pace_due(&p, 50 * TS_SECOND + 300 * MS, now),
	    now + 300 * MS);
	/* older than one already due: at once (now), not in the past */
	assert_int_equal(pace_due(&p, 40 * TS_SECOND, now + 400 * MS),
	    now + 400 * MS);
	assert_int_equal(pace_due(&p, 51 * TS_SECOND, now), now + 1000 * MS);
	pace_init(&p, 4, 0);
	assert_int_equal(pace_due(&p, 0, now), now);
	assert_int_equal(pace_due(&p, 2 * TS_SECOND, now), now + 500 * MS);
}

static void
test_rate(void **state)
{
	struct pace p;
	int64_t now = 0;

	(void)state;
	pace_init(&p, 0, 4);
	assert_int_equal(pace_due(&p, TS_NONE, now), 0);
	assert_int_equal(pace_due(&p, TS_NONE, now), 250 * MS);
	assert_int_equal(pace_due(&p, TS_NONE, now), 500 * MS);
	/* after a pause, no burst to catch up */
	assert_int_equal(pace_due(&p, TS_NONE, 10 * TS_SECOND),
	    10 * TS_SECOND);
	assert_int_equal(pace_due(&p, TS_NONE, 10 * TS_SECOND),
	    10 * TS_SECOND + 250 * MS);
	/* both: the later of the two */
	pace_init(&p, 1, 1);
	assert_int_equal(pace_due(&p, 0, 0), 0);
	assert_int_equal(pace_due(&p, 100 * MS, 0), TS_SECOND);
	assert_int_equal(pace_due(&p, 5 * TS_SECOND, 0), 5 * TS_SECOND);
}

static void
test_sleep(void **state)
{
	volatile sig_atomic_t stop = 0;
	int64_t t0 = ts_mono();

	(void)state;
	assert_int_equal(pace_sleep(t0 + 50 * MS, &stop), 0);
	assert_true(ts_mono() - t0 >= 50 * MS);
	stop = 1;
	assert_int_equal(pace_sleep(ts_mono() + TS_SECOND, &stop), -1);
	assert_int_equal(pace_sleep(0, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_sleep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
