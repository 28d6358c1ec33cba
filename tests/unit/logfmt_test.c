/* logfmt_test -- unit tests for lib/logfmt.c (cmocka). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "json.h"
#include "logfmt.h"

static void	ok(const char *, const char *);
static void	okn(const char *, size_t, const char *);
static void	bad(const char *, const char *);
static void	badn(const char *, size_t, const char *);

/* okn -- the line gives exactly want, appended to out, valid JSON */
static void
okn(const char *s, size_t n, const char *want)
{
	struct buf out = BUF_INIT, why = BUF_INIT;
	struct json_span v;
	struct json_error e;

	buf_adds(&out, "prefix");
	if (logfmt_record(s, n, &out, &why) != 0)
		fail_msg("%s: %s", s, why.p);
	assert_int_equal(why.len, 0);
	assert_memory_equal(out.p, "prefix", 6);
	assert_string_equal(out.p + 6, want);
	if (json_validate(out.p + 6, out.len - 6, &v, &e) != 0)
		fail_msg("%s: invalid JSON at column %zu: %s", want, e.col,
		    e.msg);
	assert_int_equal(v.type, JSON_OBJECT);
	buf_free(&out);
	buf_free(&why);
}

static void
ok(const char *s, const char *want)
{
	okn(s, strlen(s), want);
}

/* badn -- the line is refused with exactly the message want */
static void
badn(const char *s, size_t n, const char *want)
{
	struct buf out = BUF_INIT, why = BUF_INIT;

	buf_adds(&out, "prefix");
	if (logfmt_record(s, n, &out, &why) != -1)
		fail_msg("%s: accepted as %s", s, out.p);
	assert_string_equal(out.p, "prefix");	/* out untouched */
	assert_string_equal(why.p, want);
	buf_free(&out);
	buf_free(&why);
}

static void
bad(const char *s, const char *want)
{
	badn(s, strlen(s), want);
}

static void
test_basic(void **state)
{
	(void)state;
	ok("level=info msg=\"hello world\" n=42 ok",
	    "{\"level\":\"info\",\"msg\":\"hello world\",\"n\":42,"
	    "\"ok\":true}");
	ok("", "{}");
	ok("   \t ", "{}");
	ok("a", "{\"a\":true}");
	ok("a b c", "{\"a\":true,\"b\":true,\"c\":true}");
	ok("  a=1\t\tb=2  ", "{\"a\":1,\"b\":2}");
	bad("a=1\x01" "b=2", "at column 4: control character");
	ok("\xc3\xa9t\xc3\xa9=\xc3\xbc",
	    "{\"\xc3\xa9t\xc3\xa9\":\"\xc3\xbc\"}");
	ok("k.e-y/[x]{}:\x7f=v", "{\"k.e-y/[x]{}:\\u007f\":\"v\"}");
	ok("a\\b=c", "{\"a\\\\b\":\"c\"}");
}

static void
test_empty_values(void **state)
{
	(void)state;
	ok("a=", "{\"a\":\"\"}");
	ok("a= b=1", "{\"a\":\"\",\"b\":1}");
	ok("a=\"\"", "{\"a\":\"\"}");
	ok("a=\"\" b", "{\"a\":\"\",\"b\":true}");
	ok("a=\t", "{\"a\":\"\"}");
}

static void
test_typing(void **state)
{
	(void)state;
	ok("a=007 b=-0 c=1e5 d=1E+2 e=1. f=.5 g=+1 h=-1.5",
	    "{\"a\":\"007\",\"b\":-0,\"c\":1e5,\"d\":1E+2,\"e\":\"1.\","
	    "\"f\":\".5\",\"g\":\"+1\",\"h\":-1.5}");
	ok("t=true T=True f=false n=null x=9007199254740993",
	    "{\"t\":true,\"T\":\"True\",\"f\":false,\"n\":\"null\","
	    "\"x\":9007199254740993}");
	/* quoted values stay strings */
	ok("a=\"42\" b=\"true\" c=\"\"",
	    "{\"a\":\"42\",\"b\":\"true\",\"c\":\"\"}");
	/* '=' inside a bare value is kept (go-logfmt refuses it) */
	ok("url=/a?b=c&d=e x==", "{\"url\":\"/a?b=c&d=e\",\"x\":\"=\"}");
}

static void
test_quoting(void **state)
{
	(void)state;
	ok("a=\"q\\\"x\\\\y\\/z\\b\\f\\n\\r\\t\"",
	    "{\"a\":\"q\\\"x\\\\y/z\\b\\f\\n\\r\\t\"}");
	ok("a=\"\\u00e9\\u0041\\u0000\\u001F\\u007f\\u0022\\u005c\\u002F\"",
	    "{\"a\":\"\xc3\xa9" "A\\u0000\\u001f\\u007f\\\"\\\\/\"}");
	ok("a=\"\\u20AC \\uD83D\\uDE00\"",
	    "{\"a\":\"\xe2\x82\xac \xf0\x9f\x98\x80\"}");
	ok("a=\"\\u000a\\u0008\"", "{\"a\":\"\\n\\b\"}");
	/* raw control characters and spaces inside quotes */
	ok("a=\"x\ty\x01z\x7f\" b=\"c d=e f\"",
	    "{\"a\":\"x\\ty\\u0001z\\u007f\",\"b\":\"c d=e f\"}");
	ok("a=\"caf\xc3\xa9\"", "{\"a\":\"caf\xc3\xa9\"}");
	/* as in go-logfmt, a key may follow a closing quote at once */
	ok("a=\"x\"b=1", "{\"a\":\"x\",\"b\":1}");
	ok("a=\"x\"b", "{\"a\":\"x\",\"b\":true}");
	ok("a=\"=\" b=\"\\\"\"", "{\"a\":\"=\",\"b\":\"\\\"\"}");
}

static void
test_duplicates(void **state)
{
	(void)state;
	ok("a=1 b=2 a=3", "{\"a\":3,\"b\":2}");
	ok("a b a=x", "{\"a\":\"x\",\"b\":true}");
	ok("a=x b a", "{\"a\":true,\"b\":true}");
	ok("a=1 a=2 a=\"3\" b", "{\"a\":\"3\",\"b\":true}");
	ok("b=1 a=1 b= a=2", "{\"b\":\"\",\"a\":2}");
	ok("a=1 ab=2 a=3 A=4", "{\"a\":3,\"ab\":2,\"A\":4}");
}

/* more pairs than are kept on the stack: the rescanning path */
static void
test_many_pairs(void **state)
{
	struct buf in = BUF_INIT, want = BUF_INIT;
	int i;

	(void)state;
	/* k0..k149, then k0..k49 again, then k3 a last time */
	for (i = 0; i < 200; i++)
		buf_printf(&in, "k%d=%d ", i % 150, i);
	buf_adds(&in, "k3=\"last\" flag");
	buf_addc(&want, '{');
	for (i = 0; i < 150; i++) {
		buf_printf(&want, "%s\"k%d\":", i > 0 ? "," : "", i);
		if (i == 3)
			buf_adds(&want, "\"last\"");
		else
			buf_printf(&want, "%d", i < 50 ? i + 150 : i);
	}
	buf_adds(&want, ",\"flag\":true}");
	okn(in.p, in.len, want.p);
	buf_free(&in);
	buf_free(&want);
}

static void
test_many_pairs_exact(void **state)
{
	struct buf in = BUF_INIT, want = BUF_INIT;
	int i;

	(void)state;
	/* 70 distinct keys, then repeats of k0 and k69 */
	buf_addc(&want, '{');
	for (i = 0; i < 70; i++) {
		buf_printf(&in, "k%d=%d ", i, i);
		buf_printf(&want, "%s\"k%d\":", i > 0 ? "," : "", i);
		if (i == 0)
			buf_adds(&want, "\"first\"");
		else if (i == 69)
			buf_adds(&want, "true");
		else
			buf_printf(&want, "%d", i);
	}
	buf_adds(&in, "k0=\"first\" k69");
	buf_adds(&want, "}");
	okn(in.p, in.len, want.p);
	/* a fault after the 64th pair is still found */
	buf_adds(&in, " =x");
	buf_reset(&want);
	buf_printf(&want, "at column %zu: '=' with no key", in.len - 1);
	badn(in.p, in.len, want.p);
	buf_free(&in);
	buf_free(&want);
}

static void
test_faults(void **state)
{
	(void)state;
	bad("a=\"abc", "at column 3: unterminated quoted value");
	bad("a=1 b=\"x\\\"", "at column 7: unterminated quoted value");
	bad("a=\"x\\qy\"", "at column 5: invalid escape");
	bad("a=\"\\u12\"", "at column 4: invalid escape");
	bad("a=\"\\u12g4\"", "at column 4: invalid escape");
	bad("a=\"ok\\n\\ud800\"", "at column 8: invalid escape");
	bad("a=\"\\udc00\"", "at column 4: invalid escape");
	bad("a=\"\\ud800\\u0041\"", "at column 4: invalid escape");
	bad("a=\"\\ud800x\"", "at column 4: invalid escape");
	bad("=x", "at column 1: '=' with no key");
	bad("a=1 =2", "at column 5: '=' with no key");
	bad("a=1  =", "at column 6: '=' with no key");
	bad("a\"b=1", "at column 2: unexpected '\"'");
	bad("\"a\"=1", "at column 1: unexpected '\"'");
	bad("a=b\"c", "at column 4: unexpected '\"'");
	bad("a=\"x\"\"y\"", "at column 6: unexpected '\"'");
	bad("a=1 b=x\"", "at column 8: unexpected '\"'");
	/* the first fault wins */
	bad("a=\"x\\q b=\"", "at column 5: invalid escape");
	bad("=a b\"", "at column 1: '=' with no key");
}

#define NUL_LINE	"a=x\0y"

static void
test_utf8(void **state)
{
	(void)state;
	bad("a=\xff", "at column 3: invalid UTF-8");
	/* a NUL would split a value and make up a key: refused; tabs part */
	badn(NUL_LINE, 5, "at column 4: control character");
	bad("a=\"x\x1b\" \x1b", "at column 8: control character");
	bad("a=\"\xc3\"", "at column 4: invalid UTF-8");
	bad("\xe9=1", "at column 1: invalid UTF-8");
	bad("a=1 b=\xe2\x82", "at column 7: invalid UTF-8");
	bad("a=\xed\xa0\x80", "at column 3: invalid UTF-8");	/* surrogate */
	bad("a=\xc0\xaf", "at column 3: invalid UTF-8");	/* overlong */
	badn("a=x\0\xff", 5, "at column 4: control character");
	badn("a=\"x\0\xff\"", 7, "at column 6: invalid UTF-8");
	/* the leftmost fault wins, whatever its kind */
	bad("a=\"x b=\xff", "at column 3: unterminated quoted value");
	bad("\xff a=\"x", "at column 1: invalid UTF-8");
	bad("a=\xff b\"", "at column 3: invalid UTF-8");
	/* NUL outside quotes is a control character (above); inside, text */
	okn("a=\"x\0y\"", 7, "{\"a\":\"x\\u0000y\"}");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_typing),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_many_pairs),
		cmocka_unit_test(test_many_pairs_exact),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
