/* distinct_test -- exact and HyperLogLog distinct counting */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "distinct.h"
#include "hash.h"
#include "json.h"

#define SEEDS	5

static void	add_range(struct distinct *, uint64_t, uint64_t, uint64_t);
static uint64_t	hash_of(uint64_t, uint64_t);
static int	load_text(struct distinct *, const char *, size_t);
static void	save_text(const struct distinct *, struct buf *);

/* hash_of -- the hash of value i of stream seed, as a caller would */
static uint64_t
hash_of(uint64_t seed, uint64_t i)
{
	char s[48];
	int n;

	n = snprintf(s, sizeof(s), "\"%llu-%llu\"", (unsigned long long)seed,
	    (unsigned long long)i);
	return hash_bytes(s, (size_t)n);
}

/* add_range -- values from..to (excluded) of stream seed */
static void
add_range(struct distinct *d, uint64_t seed, uint64_t from, uint64_t to)
{
	for (; from < to; from++)
		distinct_add(d, hash_of(seed, from));
}

static void
save_text(const struct distinct *d, struct buf *b)
{
	buf_reset(b);
	distinct_save(d, b);
}

/* load_text -- distinct_load of raw bytes, as a damaged file gives them */
static int
load_text(struct distinct *d, const char *p, size_t n)
{
	struct json_span v = { p, n, JSON_OBJECT };

	return distinct_load(d, v);
}

static void
test_empty(void **state)
{
	struct distinct d = DISTINCT_INIT;
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(distinct_count(&d), 0);
	assert_true(distinct_exact(&d));
	save_text(&d, &b);
	assert_string_equal(b.p, "{\"e\":[]}");
	distinct_free(&d);
	distinct_free(&d);
	buf_free(&b);
}

/* exact for 0, 1, 511 and 512 values; the 513th turns to registers */
static void
test_exact(void **state)
{
	static const uint64_t sizes[] = { 0, 1, 511, 512 };
	struct distinct d = DISTINCT_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		add_range(&d, 1, 0, sizes[i]);
		assert_true(distinct_exact(&d));
		assert_int_equal(distinct_count(&d), sizes[i]);
		add_range(&d, 1, 0, sizes[i]);		/* again */
		assert_int_equal(distinct_count(&d), sizes[i]);
		distinct_free(&d);
	}
	add_range(&d, 1, 0, 513);
	assert_false(distinct_exact(&d));
	assert_true(distinct_count(&d) >= 505 && distinct_count(&d) <= 521);
	distinct_free(&d);
	assert_true(distinct_exact(&d));
	assert_int_equal(distinct_count(&d), 0);
}

/* the hash 0 is a value like any other */
static void
test_zero_hash(void **state)
{
	struct distinct d = DISTINCT_INIT;
	struct buf b = BUF_INIT;

	(void)state;
	distinct_add(&d, 0);
	distinct_add(&d, 0);
	assert_int_equal(distinct_count(&d), 1);
	distinct_add(&d, 1);
	distinct_add(&d, UINT64_MAX);
	assert_int_equal(distinct_count(&d), 3);
	save_text(&d, &b);
	distinct_free(&d);
	assert_int_equal(load_text(&d, b.p, b.len), 0);
	assert_int_equal(distinct_count(&d), 3);
	distinct_add(&d, 0);
	assert_int_equal(distinct_count(&d), 3);
	distinct_free(&d);
	buf_free(&b);
}

/* repeats are not counted twice, in either mode */
static void
test_repeats(void **state)
{
	struct distinct d = DISTINCT_INIT;
	uint64_t c, i;

	(void)state;
	for (i = 0; i < 3000; i++)
		distinct_add(&d, hash_of(2, i % 300));
	assert_true(distinct_exact(&d));
	assert_int_equal(distinct_count(&d), 300);
	add_range(&d, 2, 0, 20000);
	c = distinct_count(&d);
	for (i = 0; i < 3; i++)
		add_range(&d, 2, 0, 20000);
	assert_int_equal(distinct_count(&d), c);
	distinct_free(&d);
}

/* within 3 standard errors (4.9%) for each n and seed; reports the mean */
static void
test_accuracy(void **state)
{
	static const uint64_t sizes[] = { 1000, 10000, 100000, 1000000 };
	struct distinct d = DISTINCT_INIT;
	double err, sum, worst;
	size_t i;
	uint64_t seed;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		sum = worst = 0;
		for (seed = 1; seed <= SEEDS; seed++) {
			add_range(&d, seed * 7919, 0, sizes[i]);
			err = ((double)distinct_count(&d) -
			    (double)sizes[i]) / (double)sizes[i];
			assert_true(fabs(err) <= 3 * 1.04 / 64);
			sum += fabs(err);
			if (fabs(err) > worst)
				worst = fabs(err);
			distinct_free(&d);
		}
		fprintf(stderr, "# n=%-8llu mean |err| %.2f%%, max %.2f%% "
		    "(%d seeds)\n", (unsigned long long)sizes[i],
		    100 * sum / SEEDS, 100 * worst, SEEDS);
	}
}

/* merging two halves gives exactly the sketch of the whole */
static void
test_merge(void **state)
{
	static const uint64_t cut[][2] = {
		{ 100, 300 },		/* exact + exact, stays exact */
		{ 400, 800 },		/* exact + exact, turns to hll */
		{ 2500, 5000 },		/* hll + hll */
		{ 100, 5000 },		/* exact + hll */
		{ 4900, 5000 },		/* hll + exact */
		{ 0, 5000 },		/* empty + hll */
		{ 5000, 5000 },		/* hll + empty */
	};
	struct distinct whole = DISTINCT_INIT, a = DISTINCT_INIT;
	struct distinct b = DISTINCT_INIT;
	struct buf sw = BUF_INIT, sm = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		add_range(&whole, 3, 0, cut[i][1]);
		add_range(&a, 3, 0, cut[i][0]);
		add_range(&b, 3, cut[i][0] / 2, cut[i][1]);	/* overlap */
		distinct_merge(&a, &b);
		assert_int_equal(distinct_exact(&a), distinct_exact(&whole));
		assert_int_equal(distinct_count(&a), distinct_count(&whole));
		save_text(&whole, &sw);
		save_text(&a, &sm);
		assert_string_equal(sm.p, sw.p);
		distinct_merge(&a, &a);
		assert_int_equal(distinct_count(&a), distinct_count(&whole));
		distinct_free(&whole);
		distinct_free(&a);
		distinct_free(&b);
	}
	buf_free(&sw);
	buf_free(&sm);
}

/* save then load gives the same count and the same saved text */
static void
test_save_load(void **state)
{
	static const uint64_t sizes[] = { 0, 1, 512, 513, 100000 };
	struct distinct d = DISTINCT_INIT, e = DISTINCT_INIT;
	struct buf b1 = BUF_INIT, b2 = BUF_INIT;
	struct json_span v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		add_range(&d, 4, 0, sizes[i]);
		save_text(&d, &b1);
		assert_int_equal(json_validate(b1.p, b1.len, &v, NULL), 0);
		add_range(&e, 5, 0, 700);		/* replaced by load */
		assert_int_equal(distinct_load(&e, v), 0);
		assert_int_equal(distinct_exact(&e), distinct_exact(&d));
		assert_int_equal(distinct_count(&e), distinct_count(&d));
		save_text(&e, &b2);
		assert_string_equal(b2.p, b1.p);
		add_range(&d, 4, sizes[i], sizes[i] + 50);
		add_range(&e, 4, sizes[i], sizes[i] + 50);
		assert_int_equal(distinct_count(&e), distinct_count(&d));
		distinct_free(&d);
		distinct_free(&e);
	}
	/* the largest hash is kept exactly, not through a double */
	assert_int_equal(load_text(&d, "{\"e\":[18446744073709551615,"
	    "9007199254740993]}", 45), 0);
	save_text(&d, &b1);
	assert_string_equal(b1.p,
	    "{\"e\":[9007199254740993,18446744073709551615]}");
	assert_int_equal(load_text(&d, " { \"e\" : [ 5 , 7 ] } ", 21), 0);
	assert_int_equal(distinct_count(&d), 2);
	distinct_free(&d);
	buf_free(&b1);
	buf_free(&b2);
}

/* damaged values give -1 and leave the sketch as it was */
static void
test_damaged(void **state)
{
	static const char *bad[] = {
		"", " ", "null", "1", "\"e\"", "[]", "{}", "{\"e\":1}",
		"{\"e\":[1,1]}", "{\"e\":[0]}", "{\"e\":[-1]}", "{\"e\":[1.0]}",
		"{\"e\":[1e3]}", "{\"e\":[01]}", "{\"e\":[\"1\"]}",
		"{\"e\":[[1]]}", "{\"e\":[null]}", "{\"e\":{}}",
		"{\"e\":[18446744073709551616]}",
		"{\"e\":[99999999999999999999]}",
		"{\"e\":[100000000000000000000]}",
		"{\"e\":[1],\"e\":[2]}", "{\"e\":[1],\"h\":\"\"}",
		"{\"E\":[1]}", "{\"x\":[1]}", "{\"e\":[1],\"x\":1}",
		"{\"e\":[1]} x", "{\"e\":[1]}{}", "{\"e\":[1,]}",
		"{\"e\":[1]", "{\"e\":[1", "{\"e\":", "{\"e\"", "{",
		"{\"h\":\"AAAA\"}", "{\"h\":1}", "{\"h\":[]}", "{\"h\":null}",
		"\xff", "{\"e\":[1]}\0",
	};
	struct distinct d = DISTINCT_INIT, e = DISTINCT_INIT;
	struct buf good = BUF_INIT, b = BUF_INIT, after = BUF_INIT;
	uint64_t x = 88172645463325252ULL;
	size_t i, j, n;
	int k, rc;

	(void)state;
	add_range(&d, 6, 0, 10);
	save_text(&d, &good);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = strlen(bad[i]) + (i == sizeof(bad) / sizeof(bad[0]) - 1);
		assert_int_equal(load_text(&d, bad[i], n), -1);
		save_text(&d, &after);
		assert_string_equal(after.p, good.p);
	}
	assert_int_equal(load_text(&d, NULL, 0), -1);

	/* registers: wrong length, a rank over 53, a non-base64 byte */
	add_range(&e, 6, 0, 5000);
	save_text(&e, &b);
	for (k = 0; k < 4; k++) {
		buf_reset(&after);
		buf_add(&after, b.p, b.len);
		if (k == 0)
			memmove(after.p + 7, after.p + 8, after.len-- - 8);
		else
			after.p[10] = "2=\xc3"[k - 1];
		assert_int_equal(load_text(&d, after.p, after.len), -1);
	}
	after.p[10] = '1';				/* 53 is fine */
	assert_int_equal(load_text(&e, after.p, after.len), 0);

	/* 513 hashes cannot be an exact set */
	buf_reset(&b);
	buf_adds(&b, "{\"e\":[");
	for (j = 1; j <= 513; j++)
		buf_printf(&b, "%s%zu", j > 1 ? "," : "", j);
	buf_adds(&b, "]}");
	assert_int_equal(load_text(&d, b.p, b.len), -1);

	/* every truncation of an exact and a register save */
	for (k = 0; k < 2; k++) {
		save_text(k == 0 ? &d : &e, &b);
		for (j = 0; j < b.len; j++)
			assert_int_equal(load_text(&d, b.p, j), -1);
		assert_int_equal(load_text(&d, b.p, b.len), 0);
		assert_int_equal(load_text(&d, good.p, good.len), 0);
	}

	/* garbage: random bytes changed; loads or refuses, never crashes */
	for (i = 0; i < 20000; i++) {
		save_text(i % 2 ? &d : &e, &b);
		for (k = 0; k < 1 + (int)(i % 3); k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			b.p[(x >> 8) % b.len] = (char)(x & 0xff);
		}
		rc = load_text(&e, b.p, b.len);
		assert_true(rc == 0 || rc == -1);
		(void)distinct_count(&e);
	}
	distinct_free(&d);
	distinct_free(&e);
	buf_free(&good);
	buf_free(&b);
	buf_free(&after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_zero_hash),
		cmocka_unit_test(test_repeats),
		cmocka_unit_test(test_accuracy),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
