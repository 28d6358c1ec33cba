/* agg_test -- --agg specs and the aggregate functions */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "agg.h"

/* name_of -- the output name agg_parse gives arg, or "!" and the error */
static void
check_parse(const char *arg, const char *want)
{
	struct agg_spec s;
	struct buf why = BUF_INIT, got = BUF_INIT;

	if (agg_parse(&s, arg, 100, &why) == 0)
		buf_add(&got, s.name.p, s.name.len);
	else
		buf_printf(&got, "!%s", why.p);
	assert_string_equal(got.p, want);
	agg_spec_free(&s);
	buf_free(&why);
	buf_free(&got);
}

static void
test_parse(void **state)
{
	(void)state;
	check_parse("count", "\"count\":");
	check_parse("count(.user)", "\"count_user\":");
	check_parse("avg(.latency_ms)", "\"avg_latency_ms\":");
	check_parse("p95(.latency_ms)", "\"p95_latency_ms\":");
	check_parse("p99.9(.a.b)", "\"p99_9_b\":");
	check_parse("top(3,.path)", "\"top_path\":");
	check_parse("n=sum(.bytes)", "\"n\":");
	check_parse("kb=sum(.bytes/1024)", "\"kb\":");
	check_parse("sum(.bytes/1024)", "!--agg sum(.bytes/1024): name it, as in "
	    "NAME=sum(.bytes/1024), since its expression is not a path");
	check_parse("avg", "!--agg avg: avg needs an expression, as in "
	    "avg(.latency_ms)");
	check_parse("median(.x)", "!--agg median(.x): unknown function "
	    "'median' (count, sum, avg, min, max, stddev, first, last, "
	    "distinct, pNN, top, collect)");
	check_parse("p101(.x)", "!--agg p101(.x): unknown function 'p101' "
	    "(count, sum, avg, min, max, stddev, first, last, distinct, pNN, "
	    "top, collect)");
	check_parse("top(0,.x)", "!--agg top(0,.x): expected [NAME=]FUNC[(EXPR)],"
	    " as in count, avg(.latency_ms), p95(.latency_ms), top(3,.path)");
	check_parse("sum(.x", "!--agg sum(.x: expected [NAME=]FUNC[(EXPR)], as "
	    "in count, avg(.latency_ms), p95(.latency_ms), top(3,.path)");
}

/* result -- FUNC over the JSON values given as text, as agg_put writes */
static void
check_values(const char *arg, const char **vals, const char *want)
{
	struct agg_spec s;
	struct agg a;
	struct buf why = BUF_INIT, out = BUF_INIT, scratch = BUF_INIT;
	struct json_span v;
	struct json_error e;
	int i;

	assert_int_equal(agg_parse(&s, arg, 2, &why), 0);
	agg_init(&a, &s);
	for (i = 0; vals[i] != NULL; i++) {
		assert_int_equal(json_validate(vals[i], strlen(vals[i]), &v,
		    &e), 0);
		if (strcmp(vals[i], "\"absent\"") == 0)
			v.type = JSON_NONE;
		assert_null(agg_check(&s, v));
		agg_add(&a, &s, v, i, &scratch);
	}
	agg_put(&a, &s, &out);
	assert_string_equal(out.p, want);
	agg_free(&a);
	agg_spec_free(&s);
	buf_free(&why);
	buf_free(&out);
	buf_free(&scratch);
}

static void
test_functions(void **state)
{
	const char *nums[] = { "2", "4", "null", "\"absent\"", "9", NULL };
	const char *one[] = { "5", NULL };
	const char *none[] = { NULL };
	const char *vals[] = { "\"a\"", "{\"y\":1, \"x\":2}", "\"a\"", NULL };

	(void)state;
	check_values("count", nums, "5");
	check_values("count(.x)", nums, "3");
	check_values("sum(.x)", nums, "15");
	check_values("avg(.x)", nums, "5");
	check_values("min(.x)", nums, "2");
	check_values("max(.x)", nums, "9");
	check_values("stddev(.x)", nums, "3.605551275463989");
	check_values("stddev(.x)", one, "null");
	check_values("p50(.x)", nums, "4.01478");	/* 4 within 1% */
	check_values("p0(.x)", nums, "2");
	check_values("p100(.x)", nums, "9");
	check_values("first(.x)", nums, "2");
	check_values("last(.x)", nums, "9");
	check_values("sum(.x)", none, "null");
	check_values("count", none, "0");
	check_values("distinct(.x)", vals, "2");
	check_values("top(1,.x)", vals, "[{\"value\":\"a\",\"count\":2}]");
	check_values("collect(.x)", vals, "[\"a\",{\"y\":1,\"x\":2}]");
	check_values("collect(.x)", none, "[]");
	check_values("first(.x)", vals, "\"a\"");
}

static void
test_check(void **state)
{
	struct agg_spec s;
	struct buf why = BUF_INIT;
	struct json_span v = { "\"fast\"", 6, JSON_STRING };

	(void)state;
	assert_int_equal(agg_parse(&s, "avg(.x)", 100, &why), 0);
	assert_string_equal(agg_check(&s, v), "not a number");
	agg_spec_free(&s);
	assert_int_equal(agg_parse(&s, "top(2,.x)", 100, &why), 0);
	assert_null(agg_check(&s, v));
	agg_spec_free(&s);
	buf_free(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
