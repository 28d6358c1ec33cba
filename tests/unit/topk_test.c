/* topk_test -- Space-Saving top-k */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "buf.h"
#include "json.h"
#include "topk.h"

#define ZIPF_N		100000		/* distinct values */
#define ZIPF_LEN	1000000		/* stream length */
#define ZIPF_CAP	100
#define LOADS(t, s)	load_text((t), (s), strlen(s))
#define NUL_AFTER	\
	"{\"cap\":2,\"n\":1,\"lossy\":false,\"v\":[[\"a\",1,0]]}\0"

struct zipf {
	uint32_t	*stream;		/* ranks, 0 most frequent */
	uint64_t	*count;			/* true count of each rank */
	uint32_t	 top[10];		/* the true top 10, in order */
};

static void	add_str(struct topk *, const char *);
static void	check_bounds(const struct topk *, const struct zipf *);
static void	check_top10(const struct topk *, const struct zipf *);
static int	load_text(struct topk *, const char *, size_t);
static double	now(void);
static uint32_t	rank_of(const char *, size_t);
static uint64_t	rnd(uint64_t *);
static void	save_text(const struct topk *, struct buf *);
static size_t	val(char *, size_t, uint32_t);
static void	zipf_make(struct zipf *, uint64_t, double);

static void
add_str(struct topk *t, const char *s)
{
	topk_add(t, s, strlen(s));
}

static void
save_text(const struct topk *t, struct buf *b)
{
	buf_reset(b);
	topk_save(t, b);
}

/* load_text -- topk_load of raw bytes, as a damaged file gives them */
static int
load_text(struct topk *t, const char *p, size_t n)
{
	struct json_span v = { p, n, JSON_OBJECT };

	return topk_load(t, v);
}

/* rnd -- xorshift64, reproducible */
static uint64_t
rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* val -- the JSON text of the value of rank r */
static size_t
val(char *buf, size_t size, uint32_t r)
{
	return (size_t)snprintf(buf, size, "\"v%lu\"", (unsigned long)r);
}

static uint32_t
rank_of(const char *p, size_t len)
{
	char s[32];

	assert_true(len > 3 && len < sizeof(s) && p[1] == 'v');
	memcpy(s, p + 2, len - 3);
	s[len - 3] = '\0';
	return (uint32_t)strtoul(s, NULL, 10);
}

/* zipf_make -- ZIPF_LEN ranks drawn with P(r) ~ 1 / (r + 1)^s */
static void
zipf_make(struct zipf *z, uint64_t seed, double s)
{
	double *cdf, u;
	uint32_t i, j, lo, hi, best;
	char a[32], b[32];

	cdf = malloc(ZIPF_N * sizeof(*cdf));
	z->stream = malloc(ZIPF_LEN * sizeof(*z->stream));
	z->count = calloc(ZIPF_N, sizeof(*z->count));
	assert_non_null(cdf);
	assert_non_null(z->stream);
	assert_non_null(z->count);
	for (u = 0, i = 0; i < ZIPF_N; i++)
		cdf[i] = u += pow(i + 1, -s);
	for (i = 0; i < ZIPF_N; i++)
		cdf[i] /= u;
	for (i = 0; i < ZIPF_LEN; i++) {
		u = (double)(rnd(&seed) >> 11) / 9007199254740992.0;
		for (lo = 0, hi = ZIPF_N - 1; lo < hi;)
			if (cdf[(lo + hi) / 2] < u)
				lo = (lo + hi) / 2 + 1;
			else
				hi = (lo + hi) / 2;
		z->stream[i] = lo;
		z->count[lo]++;
	}
	/* the true top 10: count descending, then value bytes */
	for (j = 0; j < 10; j++) {
		best = UINT32_MAX;
		for (i = 0; i < ZIPF_N; i++) {
			if (j > 0 && (z->count[i] > z->count[z->top[j - 1]] ||
			    (z->count[i] == z->count[z->top[j - 1]] &&
			    strcmp((val(a, sizeof(a), i), a),
			    (val(b, sizeof(b), z->top[j - 1]), b)) <= 0)))
				continue;
			if (best == UINT32_MAX ||
			    z->count[i] > z->count[best] ||
			    (z->count[i] == z->count[best] &&
			    strcmp((val(a, sizeof(a), i), a),
			    (val(b, sizeof(b), best), b)) < 0))
				best = i;
		}
		z->top[j] = best;
	}
	free(cdf);
}

/* check_top10 -- the true top 10 in order */
static void
check_top10(const struct topk *t, const struct zipf *z)
{
	struct topk_entry e[10];
	size_t i;

	assert_int_equal(topk_get(t, 10, e), 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(rank_of(e[i].val, e[i].len), z->top[i]);
}

/*
 * check_bounds -- every entry within its err of the truth, err <= n/cap,
 * and every value counted more than n/cap times in the table
 */
static void
check_bounds(const struct topk *t, const struct zipf *z)
{
	struct topk_entry *e;
	uint64_t truth, found = 0;
	size_t i, n;

	e = malloc(t->cap * sizeof(*e));
	assert_non_null(e);
	n = topk_get(t, t->cap, e);
	assert_int_equal(n, t->cap);
	for (i = 0; i < n; i++) {
		truth = z->count[rank_of(e[i].val, e[i].len)];
		assert_true(e[i].count >= truth);
		assert_true(e[i].count - e[i].err <= truth);
		assert_true(e[i].err <= t->n / t->cap);
		if (truth > t->n / t->cap)
			found++;
	}
	for (i = 0; i < ZIPF_N; i++)
		if (z->count[i] > t->n / t->cap)
			found--;
	assert_int_equal(found, 0);
	free(e);
}

/* exact counts and order while at most cap values were seen */
static void
test_exact(void **state)
{
	static const char *const in[] = {
		"\"b\"", "\"a\"", "1", "\"b\"", "null", "\"b\"", "1", "[1,2]",
		"\"a\"", "\"b\"", "{}", "1",
	};
	static const char *const want[] = {
		"\"b\"", "1", "\"a\"", "[1,2]", "null", "{}",
	};
	static const uint64_t wantc[] = { 4, 3, 2, 1, 1, 1 };
	struct topk t;
	struct topk_entry e[10];
	size_t i, n;

	(void)state;
	topk_init(&t, 6);
	assert_int_equal(topk_get(&t, 10, e), 0);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		add_str(&t, in[i]);
	assert_int_equal(t.n, 12);
	assert_int_equal(topk_get(&t, 0, NULL), 0);
	n = topk_get(&t, 10, e);
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++) {
		assert_int_equal(e[i].len, strlen(want[i]));
		assert_memory_equal(e[i].val, want[i], e[i].len);
		assert_int_equal(e[i].count, wantc[i]);
		assert_int_equal(e[i].err, 0);
	}
	assert_int_equal(topk_get(&t, 2, e), 2);
	assert_memory_equal(e[0].val, "\"b\"", 3);
	assert_memory_equal(e[1].val, "1", 1);

	/* the 7th value takes over a count of 1: err 1 */
	add_str(&t, "true");
	n = topk_get(&t, 10, e);
	assert_int_equal(n, 6);
	assert_memory_equal(e[3].val, "true", 4);
	assert_int_equal(e[3].count, 2);
	assert_int_equal(e[3].err, 1);
	topk_free(&t);
	topk_free(&t);
	add_str(&t, "x");			/* reusable after free */
	assert_int_equal(topk_get(&t, 10, e), 1);
	assert_int_equal(e[0].count, 1);
	topk_free(&t);
}

/* equal counts come in value byte order: memcmp, then shorter first */
static void
test_ties(void **state)
{
	static const char *const in[] = {
		"b", "\xff", "ab", "a", "", "a\0", "c", "A",
	};
	static const size_t inlen[] = { 1, 1, 2, 1, 0, 2, 1, 1 };
	static const size_t order[] = { 4, 7, 3, 5, 2, 0, 6, 1 };
	struct topk t;
	struct topk_entry e[8];
	size_t i, j;

	(void)state;
	topk_init(&t, 8);
	for (j = 0; j < 24; j++)
		topk_add(&t, in[j * 3 % 8], inlen[j * 3 % 8]);
	assert_int_equal(topk_get(&t, 8, e), 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(e[i].count, 3);
		assert_int_equal(e[i].len, inlen[order[i]]);
		if (e[i].len > 0)
			assert_memory_equal(e[i].val, in[order[i]], e[i].len);
	}
	topk_free(&t);
}

/* 1M Zipf values, cap 100: the true top 10, in order, within err */
static void
test_zipf(void **state)
{
	static const double skew[] = { 1.0, 1.2 };
	struct zipf z;
	struct topk t;
	char s[32];
	size_t i, k;
	double t0;

	(void)state;
	for (k = 0; k < 2; k++) {
		zipf_make(&z, 42 + k, skew[k]);
		topk_init(&t, ZIPF_CAP);
		t0 = now();
		for (i = 0; i < ZIPF_LEN; i++)
			topk_add(&t, s, val(s, sizeof(s), z.stream[i]));
		t0 = now() - t0;
		fprintf(stderr, "# zipf s=%.1f: %.0f ns per value "
		    "(snprintf included)\n", skew[k], t0 * 1e9 / ZIPF_LEN);
		assert_int_equal(t.n, ZIPF_LEN);
		check_top10(&t, &z);
		check_bounds(&t, &z);
		topk_free(&t);
		free(z.stream);
		free(z.count);
	}
}

/* merging: exact while the union fits, else the mergeable summary */
static void
test_merge(void **state)
{
	struct topk a, b, c, w;
	struct topk_entry e[8];
	struct buf sa = BUF_INIT, sw = BUF_INIT;
	struct zipf z;
	char s[32];
	size_t i, half;

	(void)state;
	/* exact: same as one table fed both */
	topk_init(&a, 5);
	topk_init(&b, 5);
	topk_init(&w, 5);
	for (i = 0; i < 40; i++) {
		snprintf(s, sizeof(s), "%zu", i % 4);	/* and 9: 5 values */
		add_str(i % 3 ? &a : &b, i % 7 ? s : "9");
		add_str(&w, i % 7 ? s : "9");
	}
	topk_merge(&a, &b);
	save_text(&a, &sa);
	save_text(&w, &sw);
	assert_string_equal(sa.p, sw.p);
	assert_false(a.lossy);
	topk_merge(&a, &a);
	assert_int_equal(a.n, 80);
	assert_int_equal(topk_get(&a, 1, e), 1);
	assert_int_equal(topk_get(&w, 1, e + 1), 1);
	assert_int_equal(e[0].count, 2 * e[1].count);
	topk_free(&a);
	topk_free(&b);
	topk_free(&w);

	/* exact + exact past cap: lossy, and a dropped value still counts */
	topk_init(&a, 2);
	topk_init(&b, 2);
	topk_init(&c, 2);
	for (i = 0; i < 5; i++)
		add_str(&a, "x");
	for (i = 0; i < 3; i++)
		add_str(&a, "y");
	add_str(&b, "z");
	topk_merge(&a, &b);			/* x 5, y 3; z dropped */
	assert_true(a.lossy);
	assert_int_equal(a.n, 9);
	for (i = 0; i < 10; i++)
		add_str(&c, "z");
	topk_merge(&a, &c);			/* z: 10 + up to 3 */
	assert_int_equal(topk_get(&a, 2, e), 2);
	assert_memory_equal(e[0].val, "z", 1);
	assert_true(e[0].count >= 11 && e[0].count - e[0].err <= 11);
	assert_memory_equal(e[1].val, "x", 1);
	assert_int_equal(e[1].count, 5);
	topk_free(&a);
	topk_free(&b);
	topk_free(&c);

	/* a lossy table lacking a value stands in with its least count */
	topk_init(&a, 4);
	topk_init(&b, 2);
	for (i = 0; i < 5; i++)
		add_str(&a, "x");
	add_str(&b, "x");			/* x 1, taken over by q */
	for (i = 0; i < 3; i++)
		add_str(&b, "p");
	add_str(&b, "q");
	add_str(&b, "q");			/* p 3, q 3 (err 1) */
	topk_merge(&a, &b);			/* x: 5 + 3, truly 6 */
	assert_true(a.lossy);			/* though 3 values fit */
	assert_int_equal(a.used, 3);
	assert_int_equal(topk_get(&a, 2, e), 2);
	assert_memory_equal(e[0].val, "x", 1);
	assert_int_equal(e[0].count, 8);
	assert_int_equal(e[0].err, 3);
	topk_free(&a);
	topk_free(&b);

	/* a value b dropped, new to a lossy a that is not full */
	topk_init(&a, 4);
	topk_init(&b, 2);
	add_str(&a, "x");
	for (i = 0; i < 8; i++)
		add_str(&b, "rrpppqqq"[i] == 'r' ? "r" : i < 5 ? "p" : "q");
	topk_merge(&a, &b);			/* x 1+3, p 3, q 5 (err 2) */
	assert_int_equal(a.used, 3);
	add_str(&a, "r");			/* truly 3 */
	assert_int_equal(topk_get(&a, 4, e), 4);
	for (i = 0; i < 4 && e[i].val[0] != 'r'; i++)
		;
	assert_true(i < 4 && e[i].count >= 3 && e[i].count - e[i].err <= 3);
	topk_free(&a);
	topk_free(&b);

	/* two halves of a Zipf stream */
	zipf_make(&z, 7, 1.0);
	topk_init(&a, ZIPF_CAP);
	topk_init(&b, ZIPF_CAP);
	half = ZIPF_LEN / 3;
	for (i = 0; i < ZIPF_LEN; i++)
		topk_add(i < half ? &a : &b, s, val(s, sizeof(s),
		    z.stream[i]));
	topk_merge(&a, &b);
	assert_int_equal(a.n, ZIPF_LEN);
	assert_int_equal(a.used, ZIPF_CAP);
	check_top10(&a, &z);
	check_bounds(&a, &z);
	topk_free(&a);
	topk_free(&b);
	free(z.stream);
	free(z.count);
	buf_free(&sa);
	buf_free(&sw);
}

/* save then load: the same entries, counts, errs and text */
static void
test_save_load(void **state)
{
	static const char *const in[] = {
		"\"a\\\"b\"", "\"\\u0001\\n\"", "\"\xc3\xa9\"", "", "\"\"",
		"\\", "{\"k\":[1,2.5e3]}", "\"a\\\"b\"", "\"\xc3\xa9\"",
	};
	struct topk a, b;
	struct topk_entry ea[16], eb[16];
	struct buf s1 = BUF_INIT, s2 = BUF_INIT;
	struct json_span v;
	size_t i, n, cap;

	(void)state;
	for (cap = 3; cap <= 16; cap += 13) {
		topk_init(&a, (uint32_t)cap);
		for (i = 0; i < 50; i++)
			add_str(&a, in[(i * i) % 9]);
		save_text(&a, &s1);
		assert_int_equal(json_validate(s1.p, s1.len, &v, NULL), 0);
		topk_init(&b, 1);
		add_str(&b, "gone");
		assert_int_equal(topk_load(&b, v), 0);
		assert_int_equal(b.cap, a.cap);
		assert_int_equal(b.n, a.n);
		assert_int_equal(b.lossy, a.lossy);
		save_text(&b, &s2);
		assert_string_equal(s2.p, s1.p);
		n = topk_get(&a, 16, ea);
		assert_int_equal(topk_get(&b, 16, eb), n);
		for (i = 0; i < n; i++) {
			assert_int_equal(ea[i].len, eb[i].len);
			assert_memory_equal(ea[i].val, eb[i].val, ea[i].len);
			assert_int_equal(ea[i].count, eb[i].count);
			assert_int_equal(ea[i].err, eb[i].err);
		}
		add_str(&a, "new");
		add_str(&b, "new");
		assert_int_equal(b.n, a.n);
		topk_free(&a);
		topk_free(&b);
	}
	/* exact 64-bit counts */
	topk_init(&a, 1);
	assert_int_equal(LOADS(&a, "{\"cap\":4,\"n\":18446744073709551615,"
	    "\"lossy\":true,\"v\":[[\"x\",18446744073709551615,"
	    "9007199254740993]]}"), 0);
	save_text(&a, &s1);
	assert_string_equal(s1.p, "{\"cap\":4,\"n\":18446744073709551615,"
	    "\"lossy\":true,\"v\":[[\"x\",18446744073709551615,"
	    "9007199254740993]]}");
	assert_int_equal(LOADS(&a, " {\"v\" : [], \"lossy\":false, "
	    "\"n\":0, \"cap\":7} "), 0);
	assert_int_equal(a.cap, 7);
	assert_int_equal(a.n, 0);
	topk_free(&a);
	buf_free(&s1);
	buf_free(&s2);
}

/* damaged values give -1 and leave the table as it was */
static void
test_damaged(void **state)
{
	static const char *const bad[] = {
		"", "null", "[]", "{}", "\"x\"",
		"{\"cap\":2,\"n\":0,\"lossy\":false}",
		"{\"n\":0,\"lossy\":false,\"v\":[]}",
		"{\"cap\":2,\"lossy\":false,\"v\":[]}",
		"{\"cap\":2,\"n\":0,\"v\":[]}",
		"{\"cap\":2,\"n\":0,\"lossy\":false,\"v\":[],\"x\":1}",
		"{\"cap\":2,\"cap\":2,\"n\":0,\"lossy\":false,\"v\":[]}",
		"{\"cap\":0,\"n\":0,\"lossy\":false,\"v\":[]}",
		"{\"cap\":1073741825,\"n\":0,\"lossy\":false,\"v\":[]}",
		"{\"cap\":-2,\"n\":0,\"lossy\":false,\"v\":[]}",
		"{\"cap\":2.0,\"n\":0,\"lossy\":false,\"v\":[]}",
		"{\"cap\":2,\"n\":1e0,\"lossy\":false,\"v\":[]}",
		"{\"cap\":2,\"n\":18446744073709551616,\"lossy\":true,"
		    "\"v\":[]}",
		"{\"cap\":2,\"n\":0,\"lossy\":0,\"v\":[]}",
		"{\"cap\":2,\"n\":0,\"lossy\":false,\"v\":{}}",
		"{\"cap\":2,\"n\":1,\"lossy\":false,\"v\":[[\"a\",1]]}",
		"{\"cap\":2,\"n\":1,\"lossy\":false,\"v\":[[\"a\",1,0,0]]}",
		"{\"cap\":2,\"n\":1,\"lossy\":false,\"v\":[[1,1,0]]}",
		"{\"cap\":2,\"n\":1,\"lossy\":false,\"v\":[[\"a\",\"1\",0]]}",
		"{\"cap\":2,\"n\":1,\"lossy\":false,\"v\":[\"a\",1,0]}",
		"{\"cap\":2,\"n\":0,\"lossy\":false,\"v\":[[\"a\",0,0]]}",
		"{\"cap\":2,\"n\":2,\"lossy\":true,\"v\":[[\"a\",2,2]]}",
		"{\"cap\":2,\"n\":2,\"lossy\":false,\"v\":[[\"a\",2,1]]}",
		"{\"cap\":2,\"n\":3,\"lossy\":false,\"v\":[[\"a\",2,0]]}",
		"{\"cap\":2,\"n\":1,\"lossy\":true,\"v\":[[\"a\",3,1]]}",
		"{\"cap\":2,\"n\":2,\"lossy\":false,"
		    "\"v\":[[\"a\",1,0],[\"a\",1,0]]}",
		"{\"cap\":2,\"n\":2,\"lossy\":false,"
		    "\"v\":[[\"a\",1,0],[\"\\u0061\",1,0]]}",
		"{\"cap\":1,\"n\":2,\"lossy\":false,"
		    "\"v\":[[\"a\",1,0],[\"b\",1,0]]}",
		"{\"cap\":2,\"n\":18446744073709551615,\"lossy\":false,"
		    "\"v\":[[\"a\",18446744073709551615,0],[\"b\",1,0]]}",
		"{\"cap\":2,\"n\":1,\"lossy\":false,\"v\":[[\"a\",1,0]]}x",
		"{\"cap\":2,\"n\":1,\"lossy\":false,\"v\":[[\"a\",1,0],]}",
		"{\"cap\":2,\"n\":1,\"lossy\":false,\"v\":[[\"\xff\",1,0]]}",
	};
	struct topk t, u;
	struct buf good = BUF_INIT, b = BUF_INIT, after = BUF_INIT;
	uint64_t x = 88172645463325252ULL;
	size_t i, j;
	int k, rc;

	(void)state;
	topk_init(&t, 3);
	add_str(&t, "\"keep\"");
	add_str(&t, "\"me\"");
	save_text(&t, &good);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load_text(&t, bad[i], strlen(bad[i])), -1);
		save_text(&t, &after);
		assert_string_equal(after.p, good.p);
	}
	assert_int_equal(load_text(&t, NULL, 0), -1);
	assert_int_equal(load_text(&t, NUL_AFTER,
	    sizeof(NUL_AFTER) - 1), -1);	/* a NUL after the value */

	/* every truncation of an exact and a lossy save */
	topk_init(&u, 4);
	for (i = 0; i < 40; i++)
		add_str(&u, (const char *[]){ "\"a\"", "\"\\u00e9\"", "[]",
		    "1", "2", "\"\\\"\"" }[(i * 7) % 6 % (i < 20 ? 3 : 6)]);
	assert_true(u.lossy);
	for (k = 0; k < 2; k++) {
		save_text(k == 0 ? &t : &u, &b);
		for (j = 0; j < b.len; j++)
			assert_int_equal(load_text(&t, b.p, j), -1);
		assert_int_equal(load_text(&t, good.p, good.len), 0);
	}

	/* garbage: random bytes changed; loads or refuses, never crashes */
	for (i = 0; i < 20000; i++) {
		save_text(i % 2 ? &t : &u, &b);
		for (k = 0; k < 1 + (int)(i % 3); k++) {
			rnd(&x);
			b.p[(x >> 8) % b.len] = (char)(x & 0xff);
		}
		rc = load_text(&u, b.p, b.len);
		assert_true(rc == 0 || rc == -1);
		if (rc == 0) {
			add_str(&u, "\"a\"");
			add_str(&u, "\"new\"");
		}
	}
	topk_free(&t);
	topk_free(&u);
	buf_free(&good);
	buf_free(&b);
	buf_free(&after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_zipf),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
