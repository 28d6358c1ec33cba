/* merge_test -- the k-way merge by event time */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "merge.h"

/*
 * run -- merge inputs given as strings of times ("1 3 5"), reading the
 * input merge_pick asks for; returns the output as "input:time" words,
 * late records marked with '!'.
 */
static void
run(int n, const char **in, int64_t lateness, struct buf *out)
{
	struct merge m;
	struct merge_rec *r;
	const char *pos[8];
	char *end;
	long t;
	int i;

	merge_init(&m, n, lateness);
	for (i = 0; i < n; i++)
		pos[i] = in[i];
	for (;;) {
		while ((r = merge_ready(&m)) != NULL) {
			buf_printf(out, "%s%.*s", out->len > 0 ? " " : "",
			    (int)r->text.len, r->text.p);
			merge_pop(&m);
		}
		if ((i = merge_pick(&m)) == -1)
			break;
		t = strtol(pos[i], &end, 10);
		if (end == pos[i]) {
			merge_end(&m, i);
			continue;
		}
		pos[i] = end;
		if ((r = merge_add(&m, i, t)) == NULL) {
			buf_printf(out, "%s!%d:%ld", out->len > 0 ? " " : "",
			    i, t);
			continue;
		}
		buf_printf(&r->text, "%d:%ld", i, t);
	}
	merge_free(&m);
}

static void
check(int n, const char **in, int64_t lateness, const char *want)
{
	struct buf out = BUF_INIT;

	run(n, in, lateness, &out);
	assert_string_equal(out.p != NULL ? out.p : "", want);
	buf_free(&out);
}

static void
test_ordered(void **state)
{
	const char *two[] = { "1 4 6", "2 3 7" };
	const char *ties[] = { "5 5", "5", "1 5" };
	const char *one[] = { "3 1 2" };
	const char *late[] = { "3 4 1" };
	const char *empty[] = { "", "2" };

	(void)state;
	check(2, two, 0, "0:1 1:2 1:3 0:4 0:6 1:7");
	check(3, ties, 0, "2:1 0:5 0:5 1:5 2:5");
	check(1, one, 0, "0:1 0:2 0:3");	/* nothing went out yet */
	check(1, late, 0, "0:3 !0:1 0:4");
	check(2, empty, 0, "1:2");
}

/* within the lateness, disorder is repaired; beyond it, records are late */
static void
test_lateness(void **state)
{
	const char *one[] = { "3 1 2 10 4" };
	const char *late[] = { "1 10 12 20 5" };
	const char *two[] = { "5 3 9", "4 8 6" };

	(void)state;
	/* 4 is beyond the lateness but nothing after it went out yet */
	check(1, one, 2, "0:1 0:2 0:3 0:4 0:10");
	check(1, late, 2, "0:1 0:10 0:12 !0:5 0:20");
	check(2, two, 2, "0:3 1:4 0:5 1:6 1:8 0:9");
}

/* memory: the held records do not grow with the stream */
static void
test_bounded(void **state)
{
	struct merge m;
	struct merge_rec *r;
	int64_t t[3] = { 0, 0, 0 };
	size_t most = 0;
	int i, k;

	(void)state;
	merge_init(&m, 3, 0);
	for (k = 0; k < 300000; k++) {
		i = merge_pick(&m);
		t[i] += 1 + (k * 7 + i) % 5;
		r = merge_add(&m, i, t[i]);
		assert_non_null(r);
		buf_adds(&r->text, "{}");
		while (merge_ready(&m) != NULL)
			merge_pop(&m);
		if (m.len > most)
			most = m.len;
	}
	/* each input's latest record, and one equal to the low mark */
	assert_true(most <= 2 * 3);
	merge_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordered),
		cmocka_unit_test(test_lateness),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
