/* table_test -- unit tests for lib/table.c (cmocka). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "json.h"
#include "table.h"

#define MANY	100000

static void	check_into(const char *, const char *, const char *,
		    const char *);
static void	check_merge(const char *, const char *, const char *);
static struct json_span span(const char *);
static void	put(struct table *, const char *, const char *);
static const struct table_row *row(struct table *, const char *);

/* span -- the span of a NUL-terminated JSON text, validated */
static struct json_span
span(const char *s)
{
	struct json_span v;
	struct json_error e;

	assert_int_equal(json_validate(s, strlen(s), &v, &e), 0);
	return v;
}

static void
put(struct table *t, const char *key, const char *obj)
{
	table_put(t, key, strlen(key), span(obj));
}

/* row -- a one-row table's row for obj, keyed "k" */
static const struct table_row *
row(struct table *t, const char *obj)
{
	put(t, "k", obj);
	return table_get(t, "k", 1);
}

/* check_merge -- table_merge of event and row obj gives want */
static void
check_merge(const char *event, const char *obj, const char *want)
{
	struct table t;
	struct buf out = BUF_INIT;

	table_init(&t);
	buf_adds(&out, "prefix ");
	table_merge(&out, span(event), row(&t, obj));
	assert_string_equal(out.p + 7, want);
	assert_int_equal(out.len, 7 + strlen(want));
	assert_memory_equal(out.p, "prefix ", 7);
	buf_free(&out);
	table_free(&t);
}

/* check_into -- table_into of event, name and row obj (NULL: no row) */
static void
check_into(const char *event, const char *name, const char *obj,
    const char *want)
{
	struct table t;
	struct buf out = BUF_INIT;

	table_init(&t);
	table_into(&out, span(event), name, strlen(name),
	    obj != NULL ? row(&t, obj) : NULL);
	assert_string_equal(out.p, want);
	assert_int_equal(out.len, strlen(want));
	buf_free(&out);
	table_free(&t);
}

static void
test_basic(void **state)
{
	struct table t;
	struct buf out = BUF_INIT;
	size_t bytes;

	(void)state;
	table_init(&t);
	assert_int_equal(table_count(&t), 0);
	assert_null(table_get(&t, "1", 1));
	assert_int_equal(t.bytes, 0);
	put(&t, "1", "{ \"a\" : 1 , \"b\": [1, 2] }");
	put(&t, "\"1\"", "{\"a\":2}");
	assert_int_equal(table_count(&t), 2);
	assert_true(t.bytes > 0);
	/* keys are bytes: 1 and "1" differ */
	table_into(&out, span("{}"), "r", 1, table_get(&t, "1", 1));
	assert_string_equal(out.p, "{\"r\":{\"a\":1,\"b\":[1,2]}}");
	buf_reset(&out);
	table_into(&out, span("{}"), "r", 1, table_get(&t, "\"1\"", 3));
	assert_string_equal(out.p, "{\"r\":{\"a\":2}}");
	assert_null(table_get(&t, "1.0", 3));
	/* replacing keeps the count and frees the old row */
	bytes = t.bytes;
	put(&t, "1", "{\"a\":3}");
	assert_int_equal(table_count(&t), 2);
	assert_true(t.bytes < bytes);
	buf_reset(&out);
	table_into(&out, span("{}"), "r", 1, table_get(&t, "1", 1));
	assert_string_equal(out.p, "{\"r\":{\"a\":3}}");
	/* deleting */
	assert_int_equal(table_del(&t, "1", 1), 1);
	assert_int_equal(table_del(&t, "1", 1), 0);
	assert_null(table_get(&t, "1", 1));
	assert_int_equal(table_count(&t), 1);
	assert_int_equal(table_del(&t, "\"1\"", 3), 1);
	assert_int_equal(table_count(&t), 0);
	assert_int_equal(t.bytes, 0);
	/* free twice, reusable after */
	put(&t, "x", "{}");
	table_free(&t);
	table_free(&t);
	assert_int_equal(table_count(&t), 0);
	assert_int_equal(t.bytes, 0);
	assert_null(table_get(&t, "x", 1));
	put(&t, "y", "{}");
	assert_int_equal(table_count(&t), 1);
	assert_non_null(table_get(&t, "y", 1));
	assert_int_equal(table_del(&t, "y", 1), 1);
	table_free(&t);
	buf_free(&out);
}

static void
test_merge(void **state)
{
	(void)state;
	/* the design's example: event fields win, inner spaces kept */
	check_merge("{\"user\":\"bob\", \"ts\":1}",
	    "{\"user\":\"bob\",\"team\":\"ops\",\"ts\":9}",
	    "{\"user\":\"bob\", \"ts\":1,\"team\":\"ops\"}");
	/* nothing shadowed: one suffix */
	check_merge("{\"a\": 1 }", "{ \"b\" : 2, \"c\":[ 3 ] }",
	    "{\"a\": 1 ,\"b\":2,\"c\":[3]}");
	/* everything shadowed */
	check_merge("{\"a\":1,\"b\":2}", "{\"b\":3,\"a\":4}",
	    "{\"a\":1,\"b\":2}");
	/* runs around shadowed members, in the row's order */
	check_merge("{\"c\":0,\"e\":0}",
	    "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6}",
	    "{\"c\":0,\"e\":0,\"a\":1,\"b\":2,\"d\":4,\"f\":6}");
	check_merge("{\"a\":0,\"f\":0}",
	    "{\"a\":1,\"b\":2,\"c\":3,\"f\":6}",
	    "{\"a\":0,\"f\":0,\"b\":2,\"c\":3}");
	/* empty event, empty row */
	check_merge("{}", "{\"a\":1}", "{\"a\":1}");
	check_merge("{ }", "{\"a\":1}", "{ \"a\":1}");
	check_merge("{\"a\":1}", "{}", "{\"a\":1}");
	check_merge("{ \"a\" : 1 }", "{ }", "{ \"a\" : 1 }");
	check_merge("{}", "{}", "{}");
	/* names compared unescaped, on either side */
	check_merge("{\"us\\u0065r\":1}", "{\"user\":2,\"x\":3}",
	    "{\"us\\u0065r\":1,\"x\":3}");
	check_merge("{\"user\":1}", "{\"u\\u0073er\":2,\"x\":3}",
	    "{\"user\":1,\"x\":3}");
	check_merge("{\"a\\nb\":1,\"\\u00e9\":2}",
	    "{\"a\\u000ab\":2,\"\xc3\xa9\":3,\"\\\"\":4}",
	    "{\"a\\nb\":1,\"\\u00e9\":2,\"\\\"\":4}");
	/* an escaped name that is not the row's */
	check_merge("{\"us\\u0065rs\":1}", "{\"user\":2}",
	    "{\"us\\u0065rs\":1,\"user\":2}");
	/* the empty name, and names alike but for length */
	check_merge("{\"\":1}", "{\"\":2,\"a\":3}", "{\"\":1,\"a\":3}");
	check_merge("{\"ab\":1}", "{\"a\":2,\"abc\":3}",
	    "{\"ab\":1,\"a\":2,\"abc\":3}");
	/* nested members are not top-level names */
	check_merge("{\"x\":{\"a\":1}}", "{\"a\":2}",
	    "{\"x\":{\"a\":1},\"a\":2}");
	/* string values keep their spaces; values with commas copied whole */
	check_merge("{\"s\":\"a b\"}", "{\"t\":\"c , d\",\"u\":{\"v\":[1, 2]}}",
	    "{\"s\":\"a b\",\"t\":\"c , d\",\"u\":{\"v\":[1,2]}}");
	/* a duplicate row name is shadowed twice */
	check_merge("{\"a\":0}", "{\"a\":1,\"b\":2,\"a\":3}",
	    "{\"a\":0,\"b\":2}");
}

/* A row of more than 64 members is marked 64 at a time */
static void
test_merge_wide(void **state)
{
	struct buf obj = BUF_INIT, ev = BUF_INIT, want = BUF_INIT;
	int i;

	(void)state;
	buf_addc(&obj, '{');
	for (i = 0; i < 200; i++)
		buf_printf(&obj, "%s\"m%d\":%d", i > 0 ? "," : "", i, i);
	buf_addc(&obj, '}');
	buf_adds(&ev, "{\"m0\":-1, \"m63\":-1, \"m64\":-1, \"m150\":-1, "
	    "\"m199\":-1}");
	buf_add(&want, ev.p, ev.len - 1);
	for (i = 0; i < 200; i++) {
		if (i == 0 || i == 63 || i == 64 || i == 150 || i == 199)
			continue;
		buf_printf(&want, ",\"m%d\":%d", i, i);
	}
	buf_addc(&want, '}');
	check_merge(ev.p, obj.p, want.p);
	/* nothing shadowed */
	buf_reset(&want);
	buf_printf(&want, "{\"z\":0,%s", obj.p + 1);
	check_merge("{\"z\":0}", obj.p, want.p);
	/* all shadowed */
	check_merge(obj.p, obj.p, obj.p);
	buf_free(&obj);
	buf_free(&ev);
	buf_free(&want);
}

static void
test_into(void **state)
{
	(void)state;
	/* no such member: the event as it came, then the row */
	check_into("{\"a\": 1 }", "user", "{ \"n\" : 1 }",
	    "{\"a\": 1 ,\"user\":{\"n\":1}}");
	check_into("{}", "u", "{\"n\":1}", "{\"u\":{\"n\":1}}");
	check_into("{ }", "u", "{}", "{ \"u\":{}}");
	/* NULL row */
	check_into("{\"a\":1}", "u", NULL, "{\"a\":1,\"u\":null}");
	check_into("{}", "u", NULL, "{\"u\":null}");
	/* an event member of that name is dropped, the new one last; the
	 * other members keep their bytes and the separators before them */
	check_into("{\"u\": 1, \"a\" : [1, 2] , \"b\":2}", "u", "{\"n\":1}",
	    "{\"a\" : [1, 2] , \"b\":2,\"u\":{\"n\":1}}");
	check_into("{ \"a\": 1, \"u\": 2, \"b\": [1, 2]}", "u", NULL,
	    "{ \"a\": 1, \"b\": [1, 2],\"u\":null}");
	check_into("{\"a\":1,\"u\":2}", "u", NULL, "{\"a\":1,\"u\":null}");
	check_into("{\"u\":2}", "u", "{\"n\":1}", "{\"u\":{\"n\":1}}");
	check_into("{\"u\":1,\"a\":1,\"u\":2}", "u", NULL,
	    "{\"a\":1,\"u\":null}");
	/* compared unescaped */
	check_into("{\"\\u0075\":2,\"a\":1}", "u", NULL,
	    "{\"a\":1,\"u\":null}");
	check_into("{\"uu\":2,\"\\\\u\":3}", "u", NULL,
	    "{\"uu\":2,\"\\\\u\":3,\"u\":null}");
	/* the name is written escaped */
	check_into("{\"a\\\"b\":1}", "a\"b", "{}", "{\"a\\\"b\":{}}");
	check_into("{}", "t\tab", NULL, "{\"t\\tab\":null}");
	check_into("{\"\":1}", "", NULL, "{\"\":null}");
}

static void
test_swap(void **state)
{
	struct table a, b;

	(void)state;
	table_init(&a);
	table_init(&b);
	put(&a, "1", "{\"a\":1}");
	put(&a, "2", "{\"a\":2}");
	put(&b, "3", "{\"a\":3}");
	table_swap(&a, &b);
	assert_int_equal(table_count(&a), 1);
	assert_int_equal(table_count(&b), 2);
	assert_non_null(table_get(&a, "3", 1));
	assert_null(table_get(&a, "1", 1));
	assert_non_null(table_get(&b, "1", 1));
	/* a reload: the old table is freed, the new one stays usable */
	table_free(&b);
	assert_non_null(table_get(&a, "3", 1));
	put(&a, "4", "{}");
	assert_int_equal(table_count(&a), 2);
	table_free(&a);
	/* swapping with an empty table */
	put(&a, "5", "{}");
	table_swap(&a, &b);
	assert_int_equal(table_count(&a), 0);
	assert_int_equal(table_count(&b), 1);
	table_free(&a);
	table_free(&b);
}

static void
test_many(void **state)
{
	struct table t;
	struct buf out = BUF_INIT, obj = BUF_INIT, want = BUF_INIT;
	char k[32];
	size_t n;
	int i;

	(void)state;
	table_init(&t);
	for (i = 0; i < MANY; i++) {
		n = (size_t)snprintf(k, sizeof(k), "\"u%d\"", i);
		buf_reset(&obj);
		buf_printf(&obj, "{\"user\":\"u%d\", \"team\":\"t%d\", "
		    "\"n\":%d}", i, i % 7, i);
		table_put(&t, k, n, span(obj.p));
	}
	assert_int_equal(table_count(&t), MANY);
	/* replace every other row, delete every third */
	for (i = 0; i < MANY; i += 2) {
		n = (size_t)snprintf(k, sizeof(k), "\"u%d\"", i);
		buf_reset(&obj);
		buf_printf(&obj, "{\"user\":\"u%d\",\"team\":\"new\"}", i);
		table_put(&t, k, n, span(obj.p));
	}
	for (i = 0; i < MANY; i += 3) {
		n = (size_t)snprintf(k, sizeof(k), "\"u%d\"", i);
		assert_int_equal(table_del(&t, k, n), 1);
	}
	assert_int_equal(table_count(&t), MANY - (MANY + 2) / 3);
	for (i = 0; i < MANY; i++) {
		n = (size_t)snprintf(k, sizeof(k), "\"u%d\"", i);
		if (i % 3 == 0) {
			assert_null(table_get(&t, k, n));
			continue;
		}
		buf_reset(&obj);
		buf_printf(&obj, "{\"user\":\"u%d\", \"ts\":%d}", i, i);
		buf_reset(&want);
		if (i % 2 == 0)
			buf_printf(&want, "{\"user\":\"u%d\", \"ts\":%d,"
			    "\"team\":\"new\"}", i, i);
		else
			buf_printf(&want, "{\"user\":\"u%d\", \"ts\":%d,"
			    "\"team\":\"t%d\",\"n\":%d}", i, i, i % 7, i);
		buf_reset(&out);
		table_merge(&out, span(obj.p), table_get(&t, k, n));
		assert_string_equal(out.p, want.p);
	}
	table_free(&t);
	assert_int_equal(t.bytes, 0);
	buf_free(&out);
	buf_free(&obj);
	buf_free(&want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_wide),
		cmocka_unit_test(test_into),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
