/* jstream_test -- splitting a JSON stream into values */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "jstream.h"

#define BIG	(1 << 26)	/* a --max-line that never bites */

/* Ways to cut the input into chunks */
enum { WHOLE, BYTES, RANDOM };
#define SEEDS	20

/*
 * record -- append one event to out: "V<line>:<val>" for a value,
 * "B<line>:<why>:<val>" for a fault, events joined with '|'
 */
static void
record(struct jstream *js, enum jstream_ev ev, struct buf *out)
{
	assert_non_null(js->val.p);
	assert_int_equal(js->val.p[js->val.len], '\0');
	assert_true(js->val.len <= js->max);
	if (out->len > 0)
		buf_addc(out, '|');
	if (ev == JSTREAM_VALUE)
		buf_printf(out, "V%llu:", (unsigned long long)js->vline);
	else
		buf_printf(out, "B%llu:%s:", (unsigned long long)js->vline,
		    js->why);
	buf_add(out, js->val.p, js->val.len);
}

/*
 * feed -- scan p[0..n) cut as mode says, each chunk in a buffer of its
 * own (so that a read past it is caught by the sanitizers), recording
 * every event; then jstream_end.
 */
static void
feed(const char *p, size_t n, size_t max, int mode, unsigned seed,
    struct buf *out)
{
	struct jstream js;
	enum jstream_ev ev;
	size_t off, len, k, lines;
	char *chunk, *c;

	buf_reset(out);
	buf_adds(out, "");
	jstream_init(&js, max);
	lines = 1;
	for (off = 0; off < n; off += len) {
		len = n - off;
		if (mode == BYTES)
			len = 1;
		else if (mode == RANDOM && len > 1)
			len = 1 + (size_t)rand_r(&seed) %
			    (seed % 2 ? 5 : 40);
		if (len > n - off)
			len = n - off;
		chunk = c = malloc(len);
		assert_non_null(chunk);
		memcpy(chunk, p + off, len);
		for (k = len; k > 0; ) {
			size_t took = jstream_scan(&js, c, k, &ev);

			assert_true(took <= k);
			c += took;
			k -= took;
			if (ev == JSTREAM_NEED)
				assert_int_equal(k, 0);
			else
				record(&js, ev, out);
		}
		free(chunk);
	}
	for (off = 0; off < n; off++)
		lines += p[off] == '\n';
	assert_int_equal(js.line, lines);
	if ((ev = jstream_end(&js)) != JSTREAM_NEED)
		record(&js, ev, out);
	assert_int_equal(js.line, 1);
	assert_int_equal(jstream_end(&js), JSTREAM_NEED);
	jstream_free(&js);
	jstream_free(&js);
}

/* checkn -- the events of p[0..n) are want, however it is cut */
static void
checkn(const char *p, size_t n, size_t max, const char *want)
{
	struct buf out = BUF_INIT;
	unsigned seed;

	feed(p, n, max, WHOLE, 0, &out);
	assert_string_equal(out.p, want);
	feed(p, n, max, BYTES, 0, &out);
	assert_string_equal(out.p, want);
	for (seed = 1; seed <= SEEDS; seed++) {
		feed(p, n, max, RANDOM, seed, &out);
		assert_string_equal(out.p, want);
	}
	buf_free(&out);
}

static void
check(const char *in, size_t max, const char *want)
{
	checkn(in, strlen(in), max, want);
}

static void
test_ndjson(void **state)
{
	(void)state;
	check("{\"a\":1}\n{\"b\":2}\n", BIG, "V1:{\"a\":1}|V2:{\"b\":2}");
	check("{\"a\":1}\r\n{\"b\":2}\r\n", BIG,
	    "V1:{\"a\":1}|V2:{\"b\":2}");
	check("{\"a\":1}\n\n\n{\"b\":2}", BIG, "V1:{\"a\":1}|V4:{\"b\":2}");
	check("1\n\"x\"\ntrue\nnull\n[1]\n", BIG,
	    "V1:1|V2:\"x\"|V3:true|V4:null|V5:1");
	check("", BIG, "");
	check(" \n\t\r\n", BIG, "");
}

static void
test_pretty(void **state)
{
	(void)state;
	check("{\n  \"a\": 1,\n  \"b\": {\n    \"c\": [1, 2]\n  }\n}\n"
	    "{\n}\n", BIG,
	    "V1:{\n  \"a\": 1,\n  \"b\": {\n    \"c\": [1, 2]\n  }\n}|"
	    "V7:{\n}");
	check("  {\"a\" :\n\t[ 1 ,\r\n 2 ] }  \n", BIG,
	    "V1:{\"a\" :\n\t[ 1 ,\r\n 2 ] }");
}

static void
test_concatenated(void **state)
{
	(void)state;
	check("{\"a\":1}{\"b\":2}", BIG, "V1:{\"a\":1}|V1:{\"b\":2}");
	check("1 2 3", BIG, "V1:1|V1:2|V1:3");
	check("\"a\"\"b\"", BIG, "V1:\"a\"|V1:\"b\"");
	check("1\"x\"", BIG, "V1:1|V1:\"x\"");
	check("-1.5e3{}nul", BIG, "V1:-1.5e3|V1:{}|V1:nul");
	check("[1][2]\n[3]", BIG, "V1:1|V1:2|V2:3");
	check("{}[]{}", BIG, "V1:{}|V1:{}");
	/* no validation here: garbage is a bare value */
	check("abc/def 'x'", BIG, "V1:abc/def|V1:'x'");
}

static void
test_strings(void **state)
{
	(void)state;
	check("{\"a\":\"x\\\"}]\\\\\"}\n", BIG,
	    "V1:{\"a\":\"x\\\"}]\\\\\"}");
	check("\"\\\\\"\"x\"", BIG, "V1:\"\\\\\"|V1:\"x\"");
	check("[\"]\", \"\\\\\", \"[{\", \"\\\"]\"]", BIG,
	    "V1:\"]\"|V1:\"\\\\\"|V1:\"[{\"|V1:\"\\\"]\"");
	check("{\"k,\":\"v:\"}", BIG, "V1:{\"k,\":\"v:\"}");
	/* a raw newline in a string is counted (json_validate rejects it) */
	check("\"a\nb\" 1", BIG, "V1:\"a\nb\"|V2:1");
	check("\"a\\\nb\" 1", BIG, "V1:\"a\\\nb\"|V2:1");
}

static void
test_array(void **state)
{
	(void)state;
	check("[{\"a\":1},{\"b\":[2,3]}]", BIG,
	    "V1:{\"a\":1}|V1:{\"b\":[2,3]}");
	check("[1,\"two\",true,null,-3.5]", BIG,
	    "V1:1|V1:\"two\"|V1:true|V1:null|V1:-3.5");
	check("[[1,[2]],[],[3]]", BIG, "V1:[1,[2]]|V1:[]|V1:[3]");
	check("[]", BIG, "");
	check("[]\n[ ]\n[\n]", BIG, "");
	check("[[]]", BIG, "V1:[]");
	check(" \t\r\n[ \n 1 \r\n , \t{ \"a\" : [ 1 , 2 ] } \n ] \n ", BIG,
	    "V3:1|V4:{ \"a\" : [ 1 , 2 ] }");
	check("[1]2", BIG, "V1:1|V1:2");
}

static void
test_lines(void **state)
{
	(void)state;
	check("[\n"
	    "  {\n"
	    "    \"a\": 1\n"
	    "  },\n"
	    "  {\n"
	    "    \"b\": [\n"
	    "      2\n"
	    "    ]\n"
	    "  },\n"
	    "  3\n"
	    "]\n", BIG,
	    "V2:{\n    \"a\": 1\n  }|"
	    "V5:{\n    \"b\": [\n      2\n    ]\n  }|"
	    "V10:3");
}

static void
test_bom(void **state)
{
	(void)state;
	check("\xef\xbb\xbf{}\n", BIG, "V1:{}");
	check("\xef\xbb\xbf", BIG, "");
	check("\xef\xbb\xbf[1,\n2]", BIG, "V1:1|V2:2");
	/* only at the very start; a partial BOM is data */
	check("{}\xef\xbb\xbf", BIG, "V1:{}|V1:\xef\xbb\xbf");
	check("\xef\xbb" "1", BIG, "V1:\xef\xbb" "1");
	check("\xef", BIG, "V1:\xef");
	check("\xef\xbb", BIG, "V1:\xef\xbb");
	check("\xef{}", BIG, "V1:\xef|V1:{}");
	check("\xef\n1", BIG, "V1:\xef|V2:1");
	check("\xef\xbb\xef", BIG, "V1:\xef\xbb\xef");
	check("\xef\xbb" "1234", 3, "B1:value longer than --max-line:"
	    "\xef\xbb" "1");
	check("\xef\xbb" "1 2", 1, "B1:value longer than --max-line:\xef|"
	    "V1:2");
}

static void
test_faults(void **state)
{
	(void)state;
	check("{]\n{\"a\":1}\n", BIG,
	    "B1:unexpected ']':{]|V2:{\"a\":1}");
	check("[{\"a\":[1}]]\nnull", BIG,
	    "B1:unexpected '}':{\"a\":[1}|V2:null");
	check("]\n1\n", BIG, "B1:unexpected ']':]|V2:1");
	check("1 } 2\n3", BIG, "V1:1|B1:unexpected '}':}|V2:3");
	check("true}", BIG, "V1:true|B1:unexpected '}':}");
	check(",1\n2", BIG, "B1:unexpected ',':,|V2:2");
	check("1,2\n3", BIG, "V1:1|B1:unexpected ',':,|V2:3");
	check("\"a\":1\n2", BIG, "V1:\"a\"|B1:unexpected ':'::|V2:2");
	check("[1,,2]\n3\n", BIG, "V1:1|B1:unexpected ',':,|V2:3");
	check("[,1]\n3", BIG, "B1:unexpected ',':,|V2:3");
	check("[1,]\n3", BIG, "V1:1|B1:unexpected ']':]|V2:3");
	check("[1 2]\n3", BIG,
	    "V1:1|B1:missing ',' between array elements:2|V2:3");
	check("[{}{}]\n3", BIG,
	    "V1:{}|B1:missing ',' between array elements:{|V2:3");
	check("[1}\n3", BIG, "V1:1|B1:unexpected '}':}|V2:3");
	check("[1:\n3", BIG, "V1:1|B1:unexpected ':'::|V2:3");
	/* after a fault: the next line, outside the array */
	check("[\n1,\n2 3,\n4\n]\n", BIG,
	    "V2:1|V3:2|B3:missing ',' between array elements:3|V4:4|"
	    "B5:unexpected ']':]");
	/* a fault on the last line, no newline after it */
	check("1\n]", BIG, "V1:1|B2:unexpected ']':]");
	/* past max the value is too long before it is anything else */
	check("{]", 1, "B1:value longer than --max-line:{");
	check("]", 0, "B1:unexpected ']':");
}

static void
test_depth(void **state)
{
	struct buf in = BUF_INIT, want = BUF_INIT;
	int i;

	(void)state;
	/* 10000 levels are fine */
	buf_addc(&in, '{');
	buf_adds(&in, "\"a\":");
	for (i = 1; i < 10000; i++)
		buf_addc(&in, '[');
	for (i = 1; i < 10000; i++)
		buf_addc(&in, ']');
	buf_addc(&in, '}');
	buf_adds(&want, "V1:");
	buf_add(&want, in.p, in.len);
	check(in.p, BIG, want.p);
	/* 10001 are a fault */
	buf_reset(&in);
	buf_reset(&want);
	for (i = 0; i < 1 + 10001; i++)
		buf_addc(&in, '[');
	buf_adds(&in, "\n1");
	buf_adds(&want, "B1:nesting too deep:");
	buf_add(&want, in.p + 1, 10001);
	buf_adds(&want, "|V2:1");
	check(in.p, BIG, want.p);
	buf_free(&in);
	buf_free(&want);
}

static void
test_max(void **state)
{
	(void)state;
	/* exactly max is fine */
	check("[12345,\"abc\",{\"a\"}]", 5,
	    "V1:12345|V1:\"abc\"|V1:{\"a\"}");
	/* over max inside the array: reported once, the next one read */
	check("[1,\"aaaaaaaaaa\",{\"b\":[1,2,3]},2]", 5,
	    "V1:1|B1:value longer than --max-line:\"aaaa|"
	    "B1:value longer than --max-line:{\"b\":|V1:2");
	check("[123456789,1]", 5,
	    "B1:value longer than --max-line:12345|V1:1");
	check("123456 7", 5, "B1:value longer than --max-line:12345|V1:7");
	check("123456", 5, "B1:value longer than --max-line:12345");
	/* skipped by structure: brackets in strings, escapes, newlines */
	check("[\"aa\\\"]]]]\", 7]", 3,
	    "B1:value longer than --max-line:\"aa|V1:7");
	check("{\"a\":\n [1,2,\n\"]\\\\\",\n3]} 5\n", 4,
	    "B1:value longer than --max-line:{\"a\"|V4:5");
	check("[{\"a\":\"\\\n\"}, 1]", 3,
	    "B1:value longer than --max-line:{\"a|V2:1");
	/* the byte past max is the last one of the value */
	check("[{\"a\":1}]\n2", 6,
	    "B1:value longer than --max-line:{\"a\":1|V2:2");
	check("\"abcd\" 1", 5, "B1:value longer than --max-line:\"abcd|V1:1");
	/* unfinished and too long: reported once */
	check("{\"aaaaaaa", 3, "B1:value longer than --max-line:{\"a");
	check("[1, {\"aaaaaaa", 3,
	    "V1:1|B1:value longer than --max-line:{\"a|"
	    "B1:unfinished array at end of input:");
	check("[\n123456", 3, "B2:value longer than --max-line:123|"
	    "B1:unfinished array at end of input:");
	/* a mismatch while skipping resyncs quietly */
	check("[{\"aaaa\"]\n5]", 3,
	    "B1:value longer than --max-line:{\"a|V2:5|B2:unexpected ']':]");
	/* max 0 */
	check("[1,{}]", 0, "B1:value longer than --max-line:|"
	    "B1:value longer than --max-line:");
}

static void
test_unfinished(void **state)
{
	(void)state;
	check("42", BIG, "V1:42");
	check("1 2\n42", BIG, "V1:1|V1:2|V2:42");
	check("{\"a\":[1,2", BIG,
	    "B1:unfinished value at end of input:{\"a\":[1,2");
	check("\"abc", BIG, "B1:unfinished value at end of input:\"abc");
	check("\"abc\\", BIG, "B1:unfinished value at end of input:\"abc\\");
	check("[1,2", BIG, "V1:1|B1:unfinished array at end of input:2");
	check("\n[1,\n", BIG, "V2:1|B2:unfinished array at end of input:");
	check("[", BIG, "B1:unfinished array at end of input:");
	check("[\n1,\n{\"a\":", BIG,
	    "V2:1|B3:unfinished value at end of input:{\"a\":");
	check("[\n1\n, 2", BIG, "V2:1|B3:unfinished array at end of "
	    "input:2");
	/* after a fault nothing is unfinished */
	check("]\n[1,", BIG, "B1:unexpected ']':]|V2:1|"
	    "B2:unfinished array at end of input:");
	check("[1 2", BIG, "V1:1|B1:missing ',' between array elements:2");
}

/* the scanner is ready for a new input after jstream_end */
static void
test_reuse(void **state)
{
	struct jstream js;
	enum jstream_ev ev;
	const char *a = "1\n2", *b = "\xef\xbb\xbf" "3\n4";
	size_t k;

	(void)state;
	jstream_init(&js, BIG);
	k = jstream_scan(&js, a, strlen(a), &ev);
	assert_int_equal(ev, JSTREAM_VALUE);
	assert_string_equal(js.val.p, "1");
	k += jstream_scan(&js, a + k, strlen(a) - k, &ev);
	assert_int_equal(ev, JSTREAM_NEED);
	assert_int_equal(k, strlen(a));
	assert_int_equal(jstream_end(&js), JSTREAM_VALUE);
	assert_string_equal(js.val.p, "2");
	assert_int_equal(js.vline, 2);
	k = jstream_scan(&js, b, strlen(b), &ev);
	assert_int_equal(ev, JSTREAM_VALUE);
	assert_string_equal(js.val.p, "3");
	assert_int_equal(js.vline, 1);
	k += jstream_scan(&js, b + k, strlen(b) - k, &ev);
	assert_int_equal(ev, JSTREAM_NEED);
	assert_int_equal(jstream_end(&js), JSTREAM_VALUE);
	assert_string_equal(js.val.p, "4");
	assert_int_equal(js.vline, 2);
	jstream_free(&js);
}

/*
 * test_big_array -- a million elements made on the fly and fed in 4 KB
 * blocks: every one comes out, and val stays as small as the largest.
 */
static void
test_big_array(void **state)
{
	struct jstream js;
	enum jstream_ev ev;
	struct buf blk = BUF_INIT;
	char want[64];
	unsigned long n, got = 0, total = 1000000;
	size_t k, off, maxcap = 0;
	int last;

	(void)state;
	jstream_init(&js, BIG);
	buf_addc(&blk, '[');
	for (n = 0; n <= total; n++) {
		last = n == total;
		if (last)
			buf_adds(&blk, "\n]\n");
		else
			buf_printf(&blk, "%s\n  {\"n\":%lu,\"s\":\"a\\\"]\"}",
			    n > 0 ? "," : "", n);
		if (blk.len < 4096 && !last)
			continue;
		for (off = 0; off < blk.len; off += k) {
			k = jstream_scan(&js, blk.p + off, blk.len - off, &ev);
			if (ev == JSTREAM_NEED)
				continue;
			assert_int_equal(ev, JSTREAM_VALUE);
			snprintf(want, sizeof(want),
			    "{\"n\":%lu,\"s\":\"a\\\"]\"}", got);
			assert_string_equal(js.val.p, want);
			assert_int_equal(js.vline, got + 2);
			got++;
			if (js.val.cap > maxcap)
				maxcap = js.val.cap;
		}
		buf_reset(&blk);
	}
	assert_int_equal(got, total);
	assert_int_equal(js.line, total + 3);
	assert_true(maxcap <= 64);
	assert_int_equal(jstream_end(&js), JSTREAM_NEED);
	jstream_free(&js);
	buf_free(&blk);
}

/* one element of 1 MB among small ones: val never passes max + 1 */
static void
test_big_element(void **state)
{
	struct jstream js;
	enum jstream_ev ev;
	struct buf in = BUF_INIT;
	size_t i, k, off, max = 1000;
	int values = 0, bad = 0;

	(void)state;
	buf_adds(&in, "[1,\"");
	for (i = 0; i < 1024 * 1024; i++)
		buf_addc(&in, i % 64 == 0 ? '\n' : 'x');
	buf_adds(&in, "\",[");
	for (i = 0; i < 500; i++)
		buf_adds(&in, "[1],");
	buf_adds(&in, "2],\"ok\"]");
	jstream_init(&js, max);
	for (off = 0; off < in.len; off += k) {
		k = jstream_scan(&js, in.p + off, in.len - off, &ev);
		assert_true(js.val.cap <= max + 1);
		if (ev == JSTREAM_VALUE)
			values++;
		else if (ev == JSTREAM_BAD) {
			bad++;
			assert_string_equal(js.why,
			    "value longer than --max-line");
			assert_int_equal(js.val.len, max);
		}
	}
	assert_int_equal(values, 2);
	assert_string_equal(js.val.p, "\"ok\"");
	assert_int_equal(js.vline, 1 + 1024 * 1024 / 64);
	assert_int_equal(bad, 2);
	assert_int_equal(jstream_end(&js), JSTREAM_NEED);
	jstream_free(&js);
	buf_free(&in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ndjson),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_array),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_unfinished),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_big_array),
		cmocka_unit_test(test_big_element),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
