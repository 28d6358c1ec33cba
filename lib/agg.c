/*
 * agg -- aggregate functions; see agg.h.  avg and stddev use Welford's
 * update (and Chan's merge), so a long window does not lose precision.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "hash.h"
#include "xalloc.h"

#define TOP_CAP(k)	((k) * 10 < 64 ? 64 : (uint32_t)(k) * 10)

static const struct {
	const char	*name;
	enum agg_func	 func;
	int		 needs_expr;	/* 1 must, 0 may not, -1 may */
} funcs[] = {
	{ "count", AGG_COUNT, -1 }, { "sum", AGG_SUM, 1 },
	{ "avg", AGG_AVG, 1 }, { "min", AGG_MIN, 1 }, { "max", AGG_MAX, 1 },
	{ "stddev", AGG_STDDEV, 1 }, { "first", AGG_FIRST, 1 },
	{ "last", AGG_LAST, 1 }, { "distinct", AGG_DISTINCT, 1 },
	{ "top", AGG_TOP, 1 }, { "collect", AGG_COLLECT, 1 },
};

static void	collect_merge(struct agg *, const struct agg *,
		    const struct agg_spec *);
static int	agg_numeric(const struct agg_spec *);
static void	put_top(const struct agg *, const struct agg_spec *,
		    struct buf *);
static int	default_name(struct agg_spec *, const char *, size_t);
static int	parse_quantile(const char *, size_t, double *);

/*
 * parse_quantile -- "p95", "p99.9", "p50": the fraction, or -1
 */
static int
parse_quantile(const char *p, size_t n, double *q)
{
	char tmp[16], *end;
	double v;

	if (n < 2 || n >= sizeof(tmp) || p[0] != 'p' || p[1] < '0' ||
	    p[1] > '9')
		return -1;
	memcpy(tmp, p + 1, n - 1);
	tmp[n - 1] = '\0';
	v = strtod(tmp, &end);
	if (*end != '\0' || !(v >= 0 && v <= 100))
		return -1;
	*q = v / 100;
	return 0;
}

/*
 * default_name -- FUNC_LAST where LAST is the expression's last key:
 * avg(.latency_ms) is avg_latency_ms, p95(.a.b) is p95_b, count is count.
 * -1 when the expression is not a path that ends in a key.
 */
static int
default_name(struct agg_spec *s, const char *func, size_t flen)
{
	struct json_path path;
	struct buf name = BUF_INIT;
	size_t i;

	buf_add(&name, func, flen);
	for (i = 0; i < name.len; i++)	/* p99.9 -> p99_9 */
		if (name.p[i] == '.')
			name.p[i] = '_';
	if (s->expr != NULL) {
		if (json_path_parse(s->expr, strlen(s->expr), &path) == -1 ||
		    path.n == 0 || path.step[path.n - 1].key == NULL) {
			buf_free(&name);
			return -1;
		}
		buf_addc(&name, '_');
		buf_add(&name, path.step[path.n - 1].key,
		    path.step[path.n - 1].keylen);
	}
	json_put_string(&s->name, name.p, name.len);
	buf_free(&name);
	return 0;
}

/*
 * agg_parse -- [NAME=]FUNC[(EXPR)], FUNC one of funcs or pNN; top takes
 * (K,EXPR).  NAME= is split at the first '=' before any '(' only.
 */
int
agg_parse(struct agg_spec *s, const char *arg, size_t collect_max,
    struct buf *why)
{
	const char *eq, *open, *func, *name = NULL;
	size_t flen, i, namelen = 0;
	char *t, *end;
	long k;
	int needs = -1;

	memset(s, 0, sizeof(*s));
	s->collect_max = collect_max;
	buf_adds(&s->text, arg);
	t = s->text.p;
	open = strchr(t, '(');
	if ((eq = strchr(t, '=')) != NULL && eq > t && strspn(t,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
	    == (size_t)(eq - t)) {
		name = t;
		namelen = (size_t)(eq - t);
		t = (char *)eq + 1;
	}
	func = t;
	flen = open != NULL ? (size_t)(open - t) : strlen(t);
	if (open != NULL) {
		end = t + strlen(t);
		if (end[-1] != ')' || end - 1 == open + 1)
			goto bad;
		end[-1] = '\0';
		s->expr = open + 1;
	}
	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (strlen(funcs[i].name) == flen &&
		    memcmp(funcs[i].name, func, flen) == 0)
			break;
	if (i < sizeof(funcs) / sizeof(funcs[0])) {
		s->func = funcs[i].func;
		needs = funcs[i].needs_expr;
	} else if (parse_quantile(func, flen, &s->q) == 0) {
		s->func = AGG_QUANT;
		needs = 1;
	} else {
		buf_printf(why, "--agg %s: unknown function '%.*s' (count, "
		    "sum, avg, min, max, stddev, first, last, distinct, pNN, "
		    "top, collect)", arg, (int)flen, func);
		return -1;
	}
	if (needs == 1 && s->expr == NULL) {
		buf_printf(why, "--agg %s: %.*s needs an expression, as in "
		    "%.*s(.latency_ms)", arg, (int)flen, func, (int)flen, func);
		return -1;
	}
	if (s->func == AGG_TOP) {	/* top(K,EXPR) */
		k = strtol(s->expr, &end, 10);
		if (end == s->expr || *end != ',' || k < 1 || k > 10000)
			goto bad;
		s->k = (int)k;
		s->expr = end + 1;
		while (*s->expr == ' ')
			s->expr++;
	}
	if (name != NULL && namelen > 0) {
		json_put_string(&s->name, name, namelen);
	} else if (default_name(s, func, flen) == -1) {
		buf_printf(why, "--agg %s: name it, as in NAME=%s, since its "
		    "expression is not a path", arg, arg);
		return -1;
	}
	buf_addc(&s->name, ':');
	return 0;
bad:
	buf_printf(why, "--agg %s: expected [NAME=]FUNC[(EXPR)], as in "
	    "count, avg(.latency_ms), p95(.latency_ms), top(3,.path)", arg);
	return -1;
}

void
agg_spec_free(struct agg_spec *s)
{
	buf_free(&s->name);
	buf_free(&s->text);
}

/* agg_numeric -- 1 if the function takes numbers only */
static int
agg_numeric(const struct agg_spec *s)
{
	switch (s->func) {
	case AGG_SUM: case AGG_AVG: case AGG_MIN: case AGG_MAX:
	case AGG_STDDEV: case AGG_QUANT:
		return 1;
	default:
		return 0;
	}
}

void
agg_init(struct agg *a, const struct agg_spec *s)
{
	memset(a, 0, sizeof(*a));
	if (s->func == AGG_TOP)
		topk_init(&a->top, TOP_CAP(s->k));
}

const char *
agg_check(const struct agg_spec *s, struct json_span v)
{
	if (agg_numeric(s) && v.type != JSON_NUMBER && v.type != JSON_NONE &&
	    v.type != JSON_NULL)
		return "not a number";
	return NULL;
}

int
agg_add(struct agg *a, const struct agg_spec *s, struct json_span v,
    int64_t t, struct buf *scratch)
{
	double x, d;

	if (s->expr != NULL && (v.type == JSON_NONE || v.type == JSON_NULL))
		return 0;		/* absent: not counted, as SQL's NULL */
	a->n++;
	switch (s->func) {
	case AGG_COUNT:
		break;
	case AGG_SUM: case AGG_AVG: case AGG_STDDEV:
	case AGG_MIN: case AGG_MAX:
		x = json_number(v);
		a->sum += x;
		d = x - a->mean;
		a->mean += d / (double)a->n;
		a->m2 += d * (x - a->mean);
		if (a->n == 1 || x < a->min)
			a->min = x;
		if (a->n == 1 || x > a->max)
			a->max = x;
		break;
	case AGG_QUANT:
		quant_add(&a->quant, json_number(v));
		break;
	case AGG_FIRST:
		if (a->n > 1 && t >= a->t)
			break;		/* ties: the one that came first */
		/* FALLTHROUGH */
	case AGG_LAST:
		if (s->func == AGG_LAST && a->n > 1 && t < a->t)
			break;		/* ties: the one that came last */
		a->t = t;
		buf_reset(&a->val);
		json_normal(v, &a->val);	/* 2.0 as 2, as jq writes it */
		break;
	case AGG_DISTINCT:
		buf_reset(scratch);
		json_canon(v, scratch);
		distinct_add(&a->distinct, hash_bytes(scratch->p,
		    scratch->len));
		break;
	case AGG_TOP:
		buf_reset(scratch);
		json_canon(v, scratch);
		topk_add(&a->top, scratch->p, scratch->len);
		break;
	case AGG_COLLECT:
		if (a->n > s->collect_max) {
			a->dropped++;
			break;
		}
		if (a->val.len > 0)
			buf_addc(&a->val, ',');
		json_normal(v, &a->val);
		break;
	}
	return 0;
}

/* collect_merge -- b's values after a's, up to collect_max in all */
static void
collect_merge(struct agg *a, const struct agg *b, const struct agg_spec *s)
{
	struct buf arr = BUF_INIT;
	struct json_iter it;
	struct json_span k, v;
	uint64_t kept = a->n - a->dropped;

	buf_addc(&arr, '[');
	buf_add(&arr, b->val.p, b->val.len);
	buf_addc(&arr, ']');
	v.p = arr.p;
	v.len = arr.len;
	v.type = JSON_ARRAY;
	json_iter_init(&it, v);
	while (json_iter_next(&it, &k, &v)) {
		if (kept >= s->collect_max) {
			a->dropped++;
			continue;
		}
		if (a->val.len > 0)
			buf_addc(&a->val, ',');
		buf_add(&a->val, v.p, v.len);
		kept++;
	}
	a->dropped += b->dropped;
	buf_free(&arr);
}

/* agg_merge -- b's values into a, as if a had seen them too */
void
agg_merge(struct agg *a, const struct agg *b, const struct agg_spec *s)
{
	double d, n;

	if (b->n == 0)
		return;
	switch (s->func) {
	case AGG_SUM: case AGG_AVG: case AGG_STDDEV:
	case AGG_MIN: case AGG_MAX:
		if (a->n == 0 || b->min < a->min)
			a->min = b->min;
		if (a->n == 0 || b->max > a->max)
			a->max = b->max;
		n = (double)(a->n + b->n);
		d = b->mean - a->mean;
		a->m2 += b->m2 + d * d * (double)a->n * (double)b->n / n;
		a->mean += d * (double)b->n / n;
		a->sum += b->sum;
		break;
	case AGG_QUANT:
		quant_merge(&a->quant, &b->quant);
		break;
	case AGG_FIRST:
		if (a->n == 0 || b->t < a->t) {
			a->t = b->t;
			buf_reset(&a->val);
			buf_add(&a->val, b->val.p, b->val.len);
		}
		break;
	case AGG_LAST:
		if (a->n == 0 || b->t >= a->t) {
			a->t = b->t;
			buf_reset(&a->val);
			buf_add(&a->val, b->val.p, b->val.len);
		}
		break;
	case AGG_DISTINCT:
		distinct_merge(&a->distinct, &b->distinct);
		break;
	case AGG_TOP:
		topk_merge(&a->top, &b->top);
		break;
	case AGG_COLLECT:
		collect_merge(a, b, s);
		break;
	case AGG_COUNT:
		break;
	}
	a->n += b->n;
}

/*
 * sketch_digits -- a sketch's estimate to 6 significant digits: it is
 * within 1% of the truth, so 17 digits would only suggest a precision
 * it does not have (104.591, not 104.59110430721209)
 */
static double
sketch_digits(double x)
{
	char tmp[32];

	if (isnan(x) || isinf(x))
		return x;
	snprintf(tmp, sizeof(tmp), "%.6g", x);
	return strtod(tmp, NULL);
}

static int
top_cmp(const void *pa, const void *pb)
{
	const struct topk_entry *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return json_cmp(json_span_of(a->val, a->len), json_span_of(b->val,
	    b->len));
}

/*
 * put_top -- the K most frequent values; among equal counts, the first
 * in jq's order (3 before 20 before "a"), so every one is looked at
 */
static void
put_top(const struct agg *a, const struct agg_spec *s, struct buf *out)
{
	struct topk_entry *e;
	size_t i, n;

	e = xcalloc(a->top.cap, sizeof(*e));
	n = topk_get(&a->top, a->top.cap, e);
	qsort(e, n, sizeof(*e), top_cmp);
	buf_addc(out, '[');
	for (i = 0; i < n && i < (size_t)s->k; i++) {
		buf_adds(out, i > 0 ? ",{\"value\":" : "{\"value\":");
		buf_add(out, e[i].val, e[i].len);
		buf_printf(out, ",\"count\":%llu}",
		    (unsigned long long)e[i].count);
	}
	buf_addc(out, ']');
	free(e);
}

/* agg_put -- the aggregate's value; null where no value was counted */
void
agg_put(const struct agg *a, const struct agg_spec *s, struct buf *out)
{
	if (a->n == 0 && s->func != AGG_COUNT && s->func != AGG_DISTINCT &&
	    s->func != AGG_COLLECT && s->func != AGG_TOP) {
		buf_adds(out, "null");
		return;
	}
	switch (s->func) {
	case AGG_COUNT:
		buf_printf(out, "%llu", (unsigned long long)a->n);
		break;
	case AGG_SUM:
		json_put_number(out, a->sum);
		break;
	case AGG_AVG:
		json_put_number(out, a->mean);
		break;
	case AGG_MIN:
		json_put_number(out, a->min);
		break;
	case AGG_MAX:
		json_put_number(out, a->max);
		break;
	case AGG_STDDEV:		/* the sample standard deviation */
		if (a->n < 2)
			buf_adds(out, "null");
		else
			json_put_number(out, sqrt(a->m2 / (double)(a->n - 1)));
		break;
	case AGG_QUANT:
		json_put_number(out, sketch_digits(quant_get(&a->quant,
		    s->q)));
		break;
	case AGG_FIRST: case AGG_LAST:
		buf_add(out, a->val.p, a->val.len);
		break;
	case AGG_DISTINCT:
		buf_printf(out, "%llu",
		    (unsigned long long)distinct_count(&a->distinct));
		break;
	case AGG_TOP:
		put_top(a, s, out);
		break;
	case AGG_COLLECT:
		buf_addc(out, '[');
		buf_add(out, a->val.p, a->val.len);
		buf_addc(out, ']');
		break;
	}
}

void
agg_free(struct agg *a)
{
	buf_free(&a->val);
	quant_free(&a->quant);
	distinct_free(&a->distinct);
	topk_free(&a->top);
}

/*
 * agg_save -- [n, ...] by function: the numbers' running sums, first and
 * last's time and value, collect's values, or the sketch's own value.
 */
void
agg_save(const struct agg *a, const struct agg_spec *s, struct buf *out)
{
	buf_printf(out, "[%llu", (unsigned long long)a->n);
	switch (s->func) {
	case AGG_SUM: case AGG_AVG: case AGG_STDDEV:
	case AGG_MIN: case AGG_MAX:
		buf_addc(out, ',');
		json_put_number(out, a->sum);
		buf_addc(out, ',');
		json_put_number(out, a->mean);
		buf_addc(out, ',');
		json_put_number(out, a->m2);
		buf_addc(out, ',');
		json_put_number(out, a->min);
		buf_addc(out, ',');
		json_put_number(out, a->max);
		break;
	case AGG_FIRST: case AGG_LAST:
		if (a->n > 0) {
			buf_printf(out, ",%lld,", (long long)a->t);
			buf_add(out, a->val.p, a->val.len);
		}
		break;
	case AGG_COLLECT:
		buf_printf(out, ",%llu,[", (unsigned long long)a->dropped);
		buf_add(out, a->val.p, a->val.len);
		buf_addc(out, ']');
		break;
	case AGG_QUANT:
		buf_addc(out, ',');
		quant_save(&a->quant, out);
		break;
	case AGG_DISTINCT:
		buf_addc(out, ',');
		distinct_save(&a->distinct, out);
		break;
	case AGG_TOP:
		buf_addc(out, ',');
		topk_save(&a->top, out);
		break;
	case AGG_COUNT:
		break;
	}
	buf_addc(out, ']');
}

int
agg_load(struct agg *a, const struct agg_spec *s, struct json_span v)
{
	struct json_iter it;
	struct json_span k, e[7];
	uint64_t u;
	int n = 0, i;

	if (v.type != JSON_ARRAY)
		return -1;
	json_iter_init(&it, v);
	while (n < 7 && json_iter_next(&it, &k, &e[n]))
		n++;
	if (n == 0 || n == 7 || json_uint(e[0], &a->n) == -1)
		return -1;
	switch (s->func) {
	case AGG_COUNT:
		return n == 1 ? 0 : -1;
	case AGG_SUM: case AGG_AVG: case AGG_STDDEV:
	case AGG_MIN: case AGG_MAX:
		for (i = 1; i < n; i++)
			if (e[i].type != JSON_NUMBER)
				return -1;
		if (n != 6)
			return -1;
		a->sum = json_number(e[1]);
		a->mean = json_number(e[2]);
		a->m2 = json_number(e[3]);
		a->min = json_number(e[4]);
		a->max = json_number(e[5]);
		return 0;
	case AGG_FIRST: case AGG_LAST:
		if (a->n == 0)
			return n == 1 ? 0 : -1;
		if (n != 3 || e[1].type != JSON_NUMBER)
			return -1;
		a->t = (int64_t)strtoll(e[1].p, NULL, 10);
		json_compact(e[2], &a->val);
		return 0;
	case AGG_COLLECT:
		if (n != 3 || json_uint(e[1], &u) == -1 ||
		    e[2].type != JSON_ARRAY)
			return -1;
		a->dropped = u;
		json_compact(e[2], &a->val);	/* [v,...]: drop the brackets */
		memmove(a->val.p, a->val.p + 1, a->val.len - 2);
		a->val.len -= 2;
		a->val.p[a->val.len] = '\0';
		return 0;
	case AGG_QUANT:
		return n == 2 ? quant_load(&a->quant, e[1]) : -1;
	case AGG_DISTINCT:
		return n == 2 ? distinct_load(&a->distinct, e[1]) : -1;
	case AGG_TOP:
		return n == 2 ? topk_load(&a->top, e[1]) : -1;
	}
	return -1;
}
