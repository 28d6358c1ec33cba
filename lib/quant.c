/* quant -- DDSketch quantiles with a relative error bound; see quant.h. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "quant.h"
#include "xalloc.h"

/*
 * Bucket i of a store holds the magnitudes in (gamma^(i-1), gamma^i] and
 * stands for 2 gamma^i / (gamma + 1) = gamma^(i-1) (1 + ALPHA), whose
 * relative error is at most ALPHA anywhere in the bucket (Masson et al.,
 * section 2).  ALPHA is a hair below QUANT_ALPHA: the slack, 1e-7, covers
 * the error of ln_fast (< 7.2e-10) and of exp() in value_of (< 1e-12), so
 * QUANT_ALPHA holds for every double, not only in exact arithmetic.
 * LNG = ln gamma = 2 atanh(ALPHA), by its series (the rest is < 1e-22).
 */
#define ALPHA	(QUANT_ALPHA - 1e-7)
#define A2	(ALPHA * ALPHA)
#define LNG	(2 * ALPHA * (1 + A2 / 3 + A2 * A2 / 5 + A2 * A2 * A2 / 7 + \
		    A2 * A2 * A2 * A2 / 9))
#define MULT	(1 / LNG)
#define LN2	0.69314718055994530941723212145817657

/*
 * Magnitudes below MINV are counted as zero and estimated as 0 (their
 * relative error is not bounded).  1e-300 keeps ln_fast on normal doubles
 * and is far below any measured quantity.
 */
#define MINV	1e-300
#define IDXLIM	36000	/* |bucket index| of a finite double >= MINV */
#define FIRST	32	/* buckets of a store's first array */

static double	ln_fast(double);
static int32_t	index_of(double);
static double	value_of(int32_t);
static void	count(struct quant *, int, int32_t, uint64_t);
static void	place(struct quant *, int, int32_t, uint64_t);
static int	used(const struct quant *, int, int32_t *, int32_t *);
static double	at_rank(const struct quant *, int, uint64_t);
static void	put_store(const struct quant *, int, struct buf *);
static int	get_index(struct json_span, int32_t *);
static int	get_store(struct quant *, int, struct json_span, uint64_t *);

/*
 * ln_fast -- ln x for a normal x > 0, within 7.2e-10: x = 2^k z, z in
 * [sqrt(1/2), sqrt(2)), found from the bits without a branch; ln z =
 * 2 atanh(s), s = (z - 1) / (z + 1), |s| < 0.1716, by its series to s^9
 * (the rest is below 2 |s|^11 / 11 / (1 - s^2) < 7.2e-10).
 */
static inline double
ln_fast(double x)
{
	uint64_t u, t;
	int64_t k;
	double z, s, s2;

	memcpy(&u, &x, sizeof(u));
	t = u - 0x3fe6a09e667f3bcdULL;		/* the bits of sqrt(1/2) */
	k = (int64_t)((t >> 52) ^ 0x800) - 0x800;	/* signed 12 bits */
	u -= t & 0xfffULL << 52;
	memcpy(&z, &u, sizeof(z));
	s = (z - 1) / (z + 1);
	s2 = s * s;
	return (double)k * LN2 + 2 * s * (1 + s2 * (1.0 / 3 + s2 *
	    (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9)))));
}

/* index_of -- the bucket of a magnitude a, MINV <= a <= DBL_MAX */
static inline int32_t
index_of(double a)
{
	double y;
	int32_t i;

	y = ln_fast(a) * MULT;
	i = (int32_t)y;			/* |y| < IDXLIM */
	return i < y ? i + 1 : i;	/* ceil */
}

/* value_of -- the bucket's representative; inf past DBL_MAX */
static double
value_of(int32_t i)
{
	return exp((double)(i - 1) * LNG) * (1 + ALPHA);
}

/*
 * quant_add -- count x.  The hot path: a logarithm, a bounds check and an
 * increment; place() is called only when the bucket is outside the array.
 */
void
quant_add(struct quant *q, double x)
{
	double a;
	int32_t i;
	uint32_t k;
	int s;

	if (!isfinite(x))
		return;
	if (q->n++ == 0)
		q->min = q->max = x;
	else if (x < q->min)
		q->min = x;
	else if (x > q->max)
		q->max = x;
	a = fabs(x);
	if (!(a >= MINV)) {
		q->zero++;
		return;
	}
	s = x < 0;
	q->neg += (uint64_t)s;
	i = index_of(a);
	k = (uint32_t)(i - q->off[s]);
	if (k < q->len[s])
		q->bin[s][k]++;
	else
		place(q, s, i, 1);
}

/* count -- add c to bucket i of store s */
static void
count(struct quant *q, int s, int32_t i, uint64_t c)
{
	uint32_t k;

	k = (uint32_t)(i - q->off[s]);
	if (k < q->len[s])
		q->bin[s][k] += c;
	else
		place(q, s, i, c);
}

/*
 * used -- the first and last buckets of store s with a count; 0 if none.
 */
static int
used(const struct quant *q, int s, int32_t *lo, int32_t *hi)
{
	const uint64_t *b;
	uint32_t k, e;

	b = q->bin[s];
	for (k = 0; k < q->len[s] && b[k] == 0; k++)
		;
	if (k == q->len[s])
		return 0;
	for (e = q->len[s]; b[e - 1] == 0; e--)
		;
	*lo = q->off[s] + (int32_t)k;
	*hi = q->off[s] + (int32_t)e - 1;
	return 1;
}

/*
 * place -- add c to bucket i of store s, outside the array: move the
 * buckets in the array or grow it (doubling, up to QUANT_BINS), the spare
 * room on the side the data grew to.  When the buckets in use would span
 * more than QUANT_BINS, those below the highest QUANT_BINS are folded
 * into the lowest one kept (DDSketch's collapsing-lowest store); as the
 * highest bucket only rises, the result does not depend on the order of
 * the values.  Exits like xmalloc when out of memory.
 */
static void
place(struct quant *q, int s, int32_t i, uint64_t c)
{
	uint64_t *b, *nb, fold;
	int32_t lo, hi, nlo, nhi, noff, keep, j;
	uint32_t len, nlen, need;
	int any;

	b = q->bin[s];
	len = q->len[s];
	if (!(any = used(q, s, &lo, &hi)))
		lo = hi = i;
	nlo = lo < i ? lo : i;
	nhi = hi > i ? hi : i;
	if (nhi - nlo >= QUANT_BINS)
		nlo = nhi - QUANT_BINS + 1;
	fold = 0;
	for (j = lo; any && j <= hi && j < nlo; j++)
		fold += b[j - q->off[s]];
	need = (uint32_t)(nhi - nlo) + 1;
	nlen = len;
	if (need > len) {
		nlen = len == 0 ? FIRST : len > QUANT_BINS / 2 ? QUANT_BINS :
		    len * 2;
		if (nlen < need)
			nlen = need;
	}
	if (!any)
		noff = i - (int32_t)(nlen / 2);
	else if (i > hi)
		noff = nlo;
	else
		noff = nhi - (int32_t)nlen + 1;
	keep = lo > nlo ? lo : nlo;	/* buckets [keep, hi] stay */
	if (!any || keep > hi)
		any = 0;		/* nothing stays */
	if (nlen != len) {
		nb = xcalloc(nlen, sizeof(*nb));
		if (any)
			memcpy(nb + (keep - noff), b + (keep - q->off[s]),
			    (size_t)(hi - keep + 1) * sizeof(*nb));
		free(b);
	} else if (!any) {
		nb = b;
		memset(nb, 0, nlen * sizeof(*nb));
	} else {
		nb = b;
		if (noff != q->off[s])
			memmove(nb + (keep - noff), b + (keep - q->off[s]),
			    (size_t)(hi - keep + 1) * sizeof(*nb));
		memset(nb, 0, (size_t)(keep - noff) * sizeof(*nb));
		memset(nb + (hi - noff + 1), 0,
		    (size_t)(noff + (int32_t)nlen - hi - 1) * sizeof(*nb));
	}
	nb[nlo - noff] += fold;
	nb[(i > nlo ? i : nlo) - noff] += c;
	q->bin[s] = nb;
	q->len[s] = nlen;
	q->off[s] = noff;
}

/*
 * quant_get -- the estimate of the value of rank floor(p (n - 1)),
 * counting the negatives (most negative first), the zeros, then the
 * positives, as sketches-go does; clamped to [min, max].  NaN if empty.
 */
double
quant_get(const struct quant *q, double p)
{
	uint64_t r;
	double v;

	if (q->n == 0 || isnan(p))
		return NAN;
	if (p <= 0)
		return q->min;
	if (p >= 1)
		return q->max;
	r = (uint64_t)floor(p * (double)(q->n - 1));
	if (r < q->neg)
		v = -at_rank(q, 1, q->neg - 1 - r);
	else if (r - q->neg < q->zero)
		v = 0;
	else
		v = at_rank(q, 0, r - q->neg - q->zero);
	if (v < q->min)
		v = q->min;
	if (v > q->max)
		v = q->max;
	return v;
}

/* at_rank -- the value of the bucket holding rank r (from 0) of store s */
static double
at_rank(const struct quant *q, int s, uint64_t r)
{
	uint64_t sum;
	uint32_t k;

	sum = 0;
	for (k = 0; k < q->len[s]; k++)
		if ((sum += q->bin[s][k]) > r)
			return value_of(q->off[s] + (int32_t)k);
	return NAN;			/* not reached: counts agree with n */
}

/*
 * quant_merge -- add the counts of src to q, as if q had been given the
 * values of src too (collapsing included).  src may be q.
 */
void
quant_merge(struct quant *q, const struct quant *src)
{
	uint32_t k;
	int s;

	if (src->n == 0)
		return;
	if (q == src) {
		for (s = 0; s < 2; s++)
			for (k = 0; k < q->len[s]; k++)
				q->bin[s][k] *= 2;
		q->n *= 2;
		q->zero *= 2;
		q->neg *= 2;
		return;
	}
	if (q->n == 0) {
		q->min = src->min;
		q->max = src->max;
	} else {
		if (src->min < q->min)
			q->min = src->min;
		if (src->max > q->max)
			q->max = src->max;
	}
	q->n += src->n;
	q->zero += src->zero;
	q->neg += src->neg;
	/* highest first: the array grows once towards the low end */
	for (s = 0; s < 2; s++)
		for (k = src->len[s]; k-- > 0;)
			if (src->bin[s][k] != 0)
				count(q, s, src->off[s] + (int32_t)k,
				    src->bin[s][k]);
}

/*
 * quant_save -- append {"n":N,"z":ZEROS,"min":MIN,"max":MAX,"p":POS,
 * "m":NEG}, where a store is [] or [FIRST_INDEX,COUNT,...] over the
 * buckets in use.  Doubles are written to read back exactly.
 */
void
quant_save(const struct quant *q, struct buf *b)
{
	buf_printf(b, "{\"n\":%llu,\"z\":%llu,\"min\":",
	    (unsigned long long)q->n, (unsigned long long)q->zero);
	json_put_number(b, q->n > 0 ? q->min : 0);
	buf_adds(b, ",\"max\":");
	json_put_number(b, q->n > 0 ? q->max : 0);
	buf_adds(b, ",\"p\":");
	put_store(q, 0, b);
	buf_adds(b, ",\"m\":");
	put_store(q, 1, b);
	buf_addc(b, '}');
}

static void
put_store(const struct quant *q, int s, struct buf *b)
{
	int32_t lo, hi, j;

	buf_addc(b, '[');
	if (used(q, s, &lo, &hi)) {
		buf_printf(b, "%ld", (long)lo);
		for (j = lo; j <= hi; j++)
			buf_printf(b, ",%llu",
			    (unsigned long long)q->bin[s][j - q->off[s]]);
	}
	buf_addc(b, ']');
}

/*
 * quant_load -- replace q by the sketch quant_save wrote as v.  The text
 * is validated here (it may come from a damaged file); anything but that
 * exact shape, or counts that do not add up to n, give -1 and leave q
 * unchanged.
 */
int
quant_load(struct quant *q, struct json_span v)
{
	static const char *const key[] = {
		"\"n\"", "\"z\"", "\"min\"", "\"max\"", "\"p\"", "\"m\""
	};
	struct quant t = QUANT_INIT;
	struct json_span top, k, val;
	struct json_iter it;
	uint64_t n, z, sum[2];
	double d[2];
	unsigned seen;
	int i;

	if (v.p == NULL || json_validate(v.p, v.len, &top, NULL) == -1 ||
	    top.type != JSON_OBJECT)
		return -1;
	n = z = sum[0] = sum[1] = 0;
	d[0] = d[1] = 0;
	seen = 0;
	json_iter_init(&it, top);
	while (json_iter_next(&it, &k, &val)) {
		for (i = 0; i < 6; i++)
			if (k.len == strlen(key[i]) &&
			    memcmp(k.p, key[i], k.len) == 0)
				break;
		if (i == 6 || (seen & 1U << i) != 0)
			goto bad;
		seen |= 1U << i;
		if (i == 0 && json_uint(val, &n) == -1)
			goto bad;
		if (i == 1 && json_uint(val, &z) == -1)
			goto bad;
		if (i == 2 || i == 3) {
			if (val.type != JSON_NUMBER)
				goto bad;
			d[i - 2] = json_number(val);
			if (!isfinite(d[i - 2]))
				goto bad;
		}
		if (i >= 4 && get_store(&t, i - 4, val, &sum[i - 4]) == -1)
			goto bad;
	}
	if (seen != 077 || sum[0] > UINT64_MAX - sum[1] ||
	    z > UINT64_MAX - sum[0] - sum[1] || n != z + sum[0] + sum[1])
		goto bad;
	if (n > 0 && (d[0] > d[1] || (sum[0] > 0 && !(d[1] > 0)) ||
	    (sum[1] > 0 && !(d[0] < 0))))
		goto bad;
	t.n = n;
	t.zero = z;
	t.neg = sum[1];
	t.min = n > 0 ? d[0] : 0;
	t.max = n > 0 ? d[1] : 0;
	quant_free(q);
	*q = t;
	return 0;
bad:
	quant_free(&t);
	return -1;
}

/* get_index -- a bucket index: an integer of at most IDXLIM */
static int
get_index(struct json_span v, int32_t *x)
{
	struct json_span u;
	uint64_t m;
	int neg;

	neg = v.len > 0 && v.p[0] == '-';
	u = v;
	u.p += neg;
	u.len -= (size_t)neg;
	if (json_uint(u, &m) == -1 || m > IDXLIM)
		return -1;
	*x = neg ? -(int32_t)m : (int32_t)m;
	return 0;
}

/*
 * get_store -- read [FIRST_INDEX,COUNT,...] or [] into store s of t and
 * the sum of its counts into *sum; -1 if the shape, an index or the sum
 * is out of range.  Zero counts at either end are dropped.
 */
static int
get_store(struct quant *t, int s, struct json_span v, uint64_t *sum)
{
	struct json_span e;
	struct json_iter it;
	uint64_t *b, c;
	int32_t off;
	uint32_t len, k, lo;

	if (v.type != JSON_ARRAY)
		return -1;
	json_iter_init(&it, v);
	if (!json_iter_next(&it, NULL, &e))
		return 0;
	if (get_index(e, &off) == -1)
		return -1;
	for (len = 0; json_iter_next(&it, NULL, &e); len++) {
		if (len == QUANT_BINS || json_uint(e, &c) == -1 ||
		    c > UINT64_MAX - *sum)
			return -1;
		*sum += c;
	}
	if (len == 0 || off + (int32_t)len - 1 > IDXLIM)
		return -1;
	b = xcalloc(len, sizeof(*b));
	json_iter_init(&it, v);
	json_iter_next(&it, NULL, &e);
	for (k = 0; json_iter_next(&it, NULL, &e); k++)
		json_uint(e, &b[k]);
	for (lo = 0; lo < len && b[lo] == 0; lo++)
		;
	while (len > lo && b[len - 1] == 0)
		len--;
	if (lo == len) {
		free(b);
		return 0;
	}
	memmove(b, b + lo, (len - lo) * sizeof(*b));
	t->bin[s] = b;
	t->len[s] = len - lo;
	t->off[s] = off + (int32_t)lo;
	return 0;
}

/* quant_free -- release the buckets; q is empty and reusable */
void
quant_free(struct quant *q)
{
	free(q->bin[0]);
	free(q->bin[1]);
	*q = (struct quant)QUANT_INIT;
}
