/* quant_test -- the DDSketch quantile sketch; "quant_test bench" times it */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "buf.h"
#include "json.h"
#include "quant.h"

enum dist {
	UNIFORM, EXPO, LOGNORM, LOGUNIF, CONST, MIXED, ZEROS, WIDE, NDIST
};

static const char *const dname[NDIST] = {
	"uniform", "exponential", "lognormal", "log-uniform", "constant",
	"mixed signs", "zeros", "wide"
};

static const double qs[] = {
	0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1
};
#define NQ	(sizeof(qs) / sizeof(qs[0]))

static uint64_t seed = 0x9e3779b97f4a7c15ULL;

/* rnd -- splitmix64, so that runs are repeatable */
static uint64_t
rnd(void)
{
	uint64_t z;

	z = (seed += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* unif -- uniform in (0, 1) */
static double
unif(void)
{
	return ((double)(rnd() >> 11) + 0.5) * 0x1p-53;
}

static double
gauss(void)
{
	return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
}

static double
draw(enum dist d)
{
	double u, x;

	switch (d) {
	case UNIFORM:
		return 1000 * unif();
	case EXPO:
		return -50 * log(unif());
	case LOGNORM:			/* latencies: 0.1 .. 100000 ms */
		x = exp(log(20) + 2 * gauss());
		return x < 0.1 ? 0.1 : x > 1e5 ? 1e5 : x;
	case LOGUNIF:
		return 0.1 * pow(10, 6 * unif());
	case CONST:
		return 42.5;
	case MIXED:
		return 100 * gauss();
	case ZEROS:
		u = unif();
		return u < 0.3 ? 0 : u < 0.5 ? 10 * log(unif()) :
		    -10 * log(unif());
	case WIDE:			/* 1e-8 .. 1e8, both signs */
		x = pow(10, 16 * unif() - 8);
		return unif() < 0.5 ? -x : x;
	default:
		return 0;
	}
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double *
fill(enum dist d, size_t n)
{
	double *v;
	size_t i;

	v = malloc((n + 1) * sizeof(*v));
	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = draw(d);
	return v;
}

/* exact -- the value of rank floor(q (n - 1)) of the sorted values */
static double
exact(const double *sorted, size_t n, double q)
{
	return sorted[(size_t)floor(q * (double)(n - 1))];
}

/* within -- the estimate is within QUANT_ALPHA of the exact value */
static int
within(double est, double x)
{
	return fabs(est - x) <= QUANT_ALPHA * fabs(x);
}

/* check_all -- every q of qs is within the bound on sorted v */
static void
check_all(const struct quant *s, const double *sorted, size_t n,
    const char *what)
{
	double x, est;
	size_t i;

	for (i = 0; i < NQ; i++) {
		x = exact(sorted, n, qs[i]);
		est = quant_get(s, qs[i]);
		if (qs[i] == 0 || qs[i] == 1 ? est != x : !within(est, x))
			fail_msg("%s n=%zu q=%g: exact %.17g estimate %.17g",
			    what, n, qs[i], x, est);
	}
}

static void
save_of(const struct quant *s, struct buf *b)
{
	buf_reset(b);
	quant_save(s, b);
}

static int
load_text(struct quant *s, const char *p, size_t n)
{
	struct json_span v;

	v.p = p;
	v.len = n;
	v.type = JSON_OBJECT;
	return quant_load(s, v);
}

/* every distribution, n from 1 to 1e6, every q of qs within 1% */
static void
test_accuracy(void **state)
{
	static const size_t ns[] = {
		1, 2, 3, 10, 100, 1000, 10000, 100000, 1000000
	};
	struct quant s = QUANT_INIT;
	double *v;
	size_t i, j;
	int d;

	(void)state;
	for (d = 0; d < NDIST; d++)
		for (j = 0; j < sizeof(ns) / sizeof(ns[0]); j++) {
			v = fill((enum dist)d, ns[j]);
			for (i = 0; i < ns[j]; i++)
				quant_add(&s, v[i]);
			assert_int_equal(s.n, ns[j]);
			qsort(v, ns[j], sizeof(*v), cmp);
			check_all(&s, v, ns[j], dname[d]);
			assert_true(s.len[0] <= QUANT_BINS);
			assert_true(s.len[1] <= QUANT_BINS);
			quant_free(&s);
			free(v);
		}
}

/* est -- the estimate for x alone: the middle of {0, x, 2x} */
static double
est(struct quant *s, double x)
{
	double e;

	quant_add(s, 0);
	quant_add(s, x);
	quant_add(s, x > 0 ? fmin(2 * x, DBL_MAX) : fmax(2 * x, -DBL_MAX));
	e = quant_get(s, 0.5);		/* rank 1 of 3: x */
	quant_free(s);
	return e;
}

static double
bits_mid(double a, double b)
{
	uint64_t u, w;

	memcpy(&u, &a, sizeof(u));
	memcpy(&w, &b, sizeof(w));
	u += (w - u) / 2;
	memcpy(&a, &u, sizeof(a));
	return a;
}

/*
 * the bound holds at the bucket edges, where the error is largest: find
 * an edge by bisection and test the doubles either side of it
 */
static void
test_edges(void **state)
{
	struct quant s = QUANT_INIT;
	double x, lo, hi, mid, e, elo, worst, m;
	int i, sign;

	(void)state;
	worst = 0;
	for (i = 0; i < 4000; i++) {
		if (i < 20)
			x = pow(10, i - 10);
		else if (i < 24)
			x = (double[]){ 1e-300, 1.01e-300, 1e300,
			    1e307 }[i - 20];
		else
			x = pow(10, 605 * unif() - 300);
		sign = i % 2 == 0 ? 1 : -1;
		lo = fabs(x);
		hi = lo * 1.03;
		elo = est(&s, sign * lo);
		assert_true(est(&s, sign * hi) != elo);
		while (nextafter(lo, INFINITY) < hi) {
			mid = bits_mid(lo, hi);
			if (est(&s, sign * mid) == elo)
				lo = mid;
			else
				hi = mid;
		}
		e = est(&s, sign * hi);
		m = fmax(fabs(elo - sign * lo) / lo,
		    fabs(e - sign * hi) / hi);
		if (m > worst)
			worst = m;
		if (!within(elo, sign * lo) || !within(e, sign * hi))
			fail_msg("edge %.17g: %.17g, %.17g", sign * hi, elo, e);
	}
	print_message("largest relative error at %d bucket edges: %.10f\n",
	    i, worst);
	assert_true(worst <= QUANT_ALPHA);
}

/* zero, tiny values, NaN and inf; an empty sketch */
static void
test_special(void **state)
{
	struct quant s = QUANT_INIT;
	struct buf b = BUF_INIT;

	(void)state;
	assert_true(isnan(quant_get(&s, 0.5)));
	assert_true(isnan(quant_get(&s, 0)));
	quant_add(&s, NAN);
	quant_add(&s, INFINITY);
	quant_add(&s, -INFINITY);
	assert_int_equal(s.n, 0);
	save_of(&s, &b);
	assert_string_equal(b.p,
	    "{\"n\":0,\"z\":0,\"min\":0,\"max\":0,\"p\":[],\"m\":[]}");
	quant_add(&s, 0);
	quant_add(&s, -0.0);
	quant_add(&s, 1e-301);
	quant_add(&s, -1e-310);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.zero, 4);
	assert_null(s.bin[0]);
	assert_true(quant_get(&s, 0) == -1e-310);
	assert_true(quant_get(&s, 0.5) == 0);
	assert_true(quant_get(&s, 1) == 1e-301);
	assert_true(quant_get(&s, -1) == -1e-310);
	assert_true(quant_get(&s, 2) == 1e-301);
	assert_true(isnan(quant_get(&s, NAN)));
	quant_free(&s);
	quant_free(&s);
	assert_int_equal(s.n, 0);
	quant_add(&s, 1e-300);		/* the smallest that gets a bucket */
	quant_add(&s, 1e-300);
	quant_add(&s, 3e-300);
	assert_int_equal(s.zero, 0);
	assert_true(within(quant_get(&s, 0.5), 1e-300));
	quant_free(&s);
	quant_add(&s, -DBL_MAX);	/* estimates past DBL_MAX: clamped */
	quant_add(&s, 0);
	quant_add(&s, DBL_MAX);
	quant_add(&s, DBL_MAX);
	assert_true(quant_get(&s, 0.2) == -DBL_MAX);
	assert_true(quant_get(&s, 0.5) == 0);
	assert_true(quant_get(&s, 0.7) == DBL_MAX);
	quant_free(&s);
	assert_true(sizeof(struct quant) <= 80);
	buf_free(&b);
}

/* merged sketches are the sketch of the union, bucket for bucket */
static void
test_merge(void **state)
{
	struct quant all = QUANT_INIT, part[3] = { QUANT_INIT, QUANT_INIT,
	    QUANT_INIT }, m = QUANT_INIT, twice = QUANT_INIT;
	struct buf b1 = BUF_INIT, b2 = BUF_INIT;
	double *v;
	size_t i, n = 100000;
	int d, k;

	(void)state;
	for (d = 0; d < NDIST; d++) {
		v = fill((enum dist)d, n);
		for (i = 0; i < n; i++) {
			quant_add(&all, v[i]);
			quant_add(&part[rnd() % 3], v[i]);
			quant_add(&twice, v[i]);
			quant_add(&twice, v[i]);
		}
		for (k = 0; k < 3; k++)
			quant_merge(&m, &part[k]);
		quant_merge(&m, &(struct quant)QUANT_INIT);
		save_of(&all, &b1);
		save_of(&m, &b2);
		assert_string_equal(b1.p, b2.p);
		for (i = 0; i <= 1000; i++)
			assert_true(quant_get(&all, i / 1000.0) ==
			    quant_get(&m, i / 1000.0));
		quant_merge(&m, &m);
		save_of(&twice, &b1);
		save_of(&m, &b2);
		assert_string_equal(b1.p, b2.p);
		quant_free(&all);
		quant_free(&m);
		quant_free(&twice);
		for (k = 0; k < 3; k++)
			quant_free(&part[k]);
		free(v);
	}
	buf_free(&b1);
	buf_free(&b2);
}

/*
 * values over 1e-12 .. 1e12 need 2763 buckets: the lowest are folded,
 * memory stays at QUANT_BINS, the high quantiles (low, for negatives)
 * keep the bound and the result depends on no order
 */
static void
test_collapse(void **state)
{
	struct quant s = QUANT_INIT, a = QUANT_INIT, h = QUANT_INIT;
	struct buf b1 = BUF_INIT, b2 = BUF_INIT;
	double *v, x, e;
	size_t i, j, n = 1000000;
	int sign, order;

	(void)state;
	v = fill(CONST, n);
	for (sign = 1; sign >= -1; sign -= 2) {
		for (i = 0; i < n; i++)
			v[i] = sign * pow(10, 24 * unif() - 12);
		for (i = 0; i < n; i++) {
			quant_add(&s, v[i]);
			quant_add(i % 2 == 0 ? &a : &h, v[i]);
		}
		assert_true(s.len[0] <= QUANT_BINS);
		assert_true(s.len[1] <= QUANT_BINS);
		qsort(v, n, sizeof(*v), cmp);
		for (j = 0; j < NQ; j++) {
			x = exact(v, n, qs[j]);
			e = quant_get(&s, qs[j]);
			if (sign > 0 ? qs[j] >= 0.5 : qs[j] <= 0.5)
				assert_true(within(e, x));
			else		/* folded: overestimated magnitude */
				assert_true(fabs(e) >= fabs(x) *
				    (1 - QUANT_ALPHA));
		}
		quant_merge(&a, &h);
		save_of(&s, &b1);
		save_of(&a, &b2);
		assert_string_equal(b1.p, b2.p);
		for (order = 0; order < 2; order++) {
			quant_free(&a);
			for (i = 0; i < n; i++)
				quant_add(&a, v[order == 0 ? i : n - 1 - i]);
			assert_true(a.len[0] <= QUANT_BINS);
			assert_true(a.len[1] <= QUANT_BINS);
			save_of(&a, &b2);
			assert_string_equal(b1.p, b2.p);
		}
		quant_free(&s);
		quant_free(&a);
		quant_free(&h);
	}
	free(v);
	buf_free(&b1);
	buf_free(&b2);
}

/* a value far above a full store folds every bucket into one */
static void
test_jump(void **state)
{
	struct quant s = QUANT_INIT, t = QUANT_INIT;
	struct buf b1 = BUF_INIT, b2 = BUF_INIT;
	static const char zeros[] = "{\"n\":0,\"z\":0,\"min\":0,"
	    "\"max\":0,\"p\":[5,0,0],\"m\":[-7,0]}";

	(void)state;
	quant_add(&s, 1e-9);
	quant_add(&s, 1e9);		/* 2072 buckets: folded already */
	assert_int_equal(s.len[0], QUANT_BINS);
	quant_add(&s, 1e300);
	quant_add(&s, 1e-300);
	quant_add(&s, 1e300);
	quant_add(&s, 1e300);
	assert_int_equal(s.len[0], QUANT_BINS);
	assert_true(quant_get(&s, 0) == 1e-300);
	assert_true(quant_get(&s, 1) == 1e300);
	assert_true(within(quant_get(&s, 0.7), 1e300));
	assert_true(quant_get(&s, 0.5) > 1e280);	/* folded */
	save_of(&s, &b1);
	assert_int_equal(load_text(&t, b1.p, b1.len), 0);
	save_of(&t, &b2);
	assert_string_equal(b1.p, b2.p);
	assert_int_equal(load_text(&t, zeros, sizeof(zeros) - 1), 0);
	assert_int_equal(t.n, 0);
	assert_null(t.bin[0]);
	assert_null(t.bin[1]);
	quant_free(&s);
	quant_free(&t);
	buf_free(&b1);
	buf_free(&b2);
}

/* save then load gives the same estimates and the same text */
static void
test_roundtrip(void **state)
{
	struct quant s = QUANT_INIT, t = QUANT_INIT;
	struct buf b1 = BUF_INIT, b2 = BUF_INIT;
	size_t i, n;
	int d;

	(void)state;
	for (d = 0; d < NDIST; d++)
		for (n = 0; n <= 100000; n = n == 0 ? 1 : n * 10) {
			for (i = 0; i < n; i++)
				quant_add(&s, draw((enum dist)d) * 1.7);
			quant_add(&t, 7);	/* replaced by the load */
			save_of(&s, &b1);
			assert_int_equal(load_text(&t, b1.p, b1.len), 0);
			assert_int_equal(t.n, n);
			for (i = 0; i <= 1000; i++)
				assert_memory_equal(&(double){ quant_get(&s,
				    i / 1000.0) }, &(double){ quant_get(&t,
				    i / 1000.0) }, sizeof(double));
			save_of(&t, &b2);
			assert_string_equal(b1.p, b2.p);
			quant_free(&s);
			quant_free(&t);
		}
	buf_free(&b1);
	buf_free(&b2);
}

/* load_bad -- the text is refused and the sketch left as it was */
static void
load_bad(struct quant *s, const char *p, size_t n)
{
	struct buf before = BUF_INIT, after = BUF_INIT;

	save_of(s, &before);
	if (load_text(s, p, n) != -1)
		fail_msg("accepted: %.*s", (int)n, p);
	save_of(s, &after);
	assert_string_equal(before.p, after.p);
	buf_free(&before);
	buf_free(&after);
}

/* damaged state: wrong shapes, truncations, flipped bytes */
static void
test_damaged(void **state)
{
	static const char *const bad[] = {
		"", " ", "null", "[]", "{}", "1", "\"x\"", "{",
		"{\"n\":0,\"z\":0,\"min\":0,\"max\":0,\"p\":[]}",
		"{\"n\":0,\"z\":0,\"min\":0,\"max\":0,\"p\":[],\"m\":[],"
		    "\"x\":1}",
		"{\"n\":0,\"n\":0,\"z\":0,\"min\":0,\"max\":0,\"p\":[],"
		    "\"m\":[]}",
		"{\"n\":0,\"z\":0,\"min\":0,\"max\":0,\"p\":[],\"m\":[]} x",
		"{\"n\":0,\"z\":0,\"min\":0,\"max\":0,\"p\":[],\"m\":[]}{}",
		"{\"n\":2,\"z\":1,\"min\":0,\"max\":0,\"p\":[],\"m\":[]}",
		"{\"n\":1,\"z\":0,\"min\":1,\"max\":1,\"p\":[0,-1],\"m\":[]}",
		"{\"n\":1,\"z\":0,\"min\":1,\"max\":1,\"p\":[0,1.0],\"m\":[]}",
		"{\"n\":1,\"z\":0,\"min\":1,\"max\":1,\"p\":[0,1e0],\"m\":[]}",
		"{\"n\":1,\"z\":0,\"min\":1,\"max\":1,\"p\":[0,01],\"m\":[]}",
		"{\"n\":1,\"z\":0,\"min\":1,\"max\":1,\"p\":[0,\"1\"],"
		    "\"m\":[]}",
		"{\"n\":1,\"z\":0,\"min\":1,\"max\":1,\"p\":[0.5,1],\"m\":[]}",
		"{\"n\":1,\"z\":0,\"min\":1,\"max\":1,\"p\":[36001,1],"
		    "\"m\":[]}",
		"{\"n\":1,\"z\":0,\"min\":1,\"max\":1,\"p\":[-36001,1],"
		    "\"m\":[]}",
		"{\"n\":3,\"z\":0,\"min\":1,\"max\":1,\"p\":[35999,1,1,1],"
		    "\"m\":[]}",
		"{\"n\":1,\"z\":0,\"min\":1,\"max\":1,\"p\":"
		    "[99999999999999999999999,1],\"m\":[]}",
		"{\"n\":0,\"z\":0,\"min\":1,\"max\":1,\"p\":[5],\"m\":[]}",
		"{\"n\":0,\"z\":0,\"min\":1,\"max\":1,\"p\":{},\"m\":[]}",
		"{\"n\":0,\"z\":0,\"min\":1,\"max\":1,\"p\":null,\"m\":[]}",
		"{\"n\":18446744073709551616,\"z\":0,\"min\":1,\"max\":1,"
		    "\"p\":[],\"m\":[]}",
		"{\"n\":1,\"z\":0,\"min\":1,\"max\":1,\"p\":[0,"
		    "18446744073709551615,1],\"m\":[]}",
		"{\"n\":18446744073709551615,\"z\":1,\"min\":1,\"max\":1,"
		    "\"p\":[0,18446744073709551615],\"m\":[]}",
		"{\"n\":-1,\"z\":0,\"min\":1,\"max\":1,\"p\":[],\"m\":[]}",
		"{\"n\":1,\"z\":1,\"min\":2,\"max\":1,\"p\":[],\"m\":[]}",
		"{\"n\":1,\"z\":1,\"min\":1e999,\"max\":1e999,\"p\":[],"
		    "\"m\":[]}",
		"{\"n\":1,\"z\":1,\"min\":\"0\",\"max\":0,\"p\":[],\"m\":[]}",
		"{\"n\":1,\"z\":0,\"min\":-1,\"max\":-1,\"p\":[0,1],"
		    "\"m\":[]}",
		"{\"n\":1,\"z\":0,\"min\":1,\"max\":1,\"p\":[],\"m\":[0,1]}",
		"{\"n\":0,\"z\":0,\"min\":0,\"max\":0,\"p\":[],\"m\":[],",
		"{\"n\":0,\"z\":0,\"min\":0,\"max\":0,\"p\":[],\"m\":[]",
		"{\"n\":0,\"z\":0,\"min\":0,\"max\":0,\"p\":[],\"m\":[}",
		"{\"\\u006e\":0,\"z\":0,\"min\":0,\"max\":0,\"p\":[],"
		    "\"m\":[]}",
	};
	static const char flip[] = "09-x}],\".e:[{ ";
	static const char nul[] = "{\"n\":1,\"z\":1,\"min\":0,\"max\":0,"
	    "\"p\":[],\"m\":[]}\0";
	struct quant s = QUANT_INIT, t = QUANT_INIT;
	struct buf good = BUF_INIT, b = BUF_INIT, big = BUF_INIT;
	char *p;
	double g;
	size_t i, j, k;

	(void)state;
	for (i = 0; i < 300; i++)
		quant_add(&s, draw(ZEROS) * (i % 7 + 1));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		load_bad(&s, bad[i], strlen(bad[i]));
	load_bad(&s, nul, sizeof(nul) - 1);
	assert_int_equal(quant_load(&s, (struct json_span){ NULL, 0,
	    JSON_NONE }), -1);
	buf_adds(&big, "{\"n\":2049,\"z\":0,\"min\":1,\"max\":2,\"p\":[0");
	for (i = 0; i < 2049; i++)
		buf_adds(&big, ",1");
	buf_adds(&big, "],\"m\":[]}");
	load_bad(&s, big.p, big.len);
	save_of(&s, &good);
	for (i = 0; i < good.len; i++)
		load_bad(&s, good.p, i);
	/* a flipped byte is refused, or loads a sketch that works */
	p = malloc(good.len);
	assert_non_null(p);
	for (i = 0; i < good.len; i++)
		for (j = 0; j < sizeof(flip) - 1; j++) {
			memcpy(p, good.p, good.len);
			p[i] = flip[j];
			if (load_text(&t, p, good.len) == -1 || t.n == 0)
				continue;
			for (k = 0; k <= 100; k++) {
				g = quant_get(&t, k / 100.0);
				assert_true(g >= t.min && g <= t.max);
			}
			save_of(&t, &b);
			assert_int_equal(load_text(&t, b.p, b.len), 0);
			save_of(&t, &good);
			assert_string_equal(b.p, good.p);
			save_of(&s, &good);
		}
	free(p);
	quant_free(&s);
	quant_free(&t);
	buf_free(&good);
	buf_free(&b);
	buf_free(&big);
}

/* bench -- ns per quant_add of 10M lognormal values */
static int
bench(void)
{
	struct quant s = QUANT_INIT;
	struct timespec t0, t1;
	double *v, ns, sink;
	size_t i, n = 10000000;
	int r;

	v = malloc(n * sizeof(*v));
	if (v == NULL)
		return 1;
	for (i = 0; i < n; i++)
		v[i] = exp(log(20) + 2 * gauss());
	for (r = 0; r < 3; r++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < n; i++)
			quant_add(&s, v[i]);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 +
		    (double)(t1.tv_nsec - t0.tv_nsec);
		sink = quant_get(&s, 0.95);
		printf("quant_add: %.2f ns per value (p95 %.3f, %u buckets)\n",
		    ns / (double)n, sink, s.len[0]);
		quant_free(&s);
	}
	free(v);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accuracy),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_special),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_collapse),
		cmocka_unit_test(test_jump),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_damaged),
	};

	if (argc > 1 && strcmp(argv[1], "bench") == 0)
		return bench();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
