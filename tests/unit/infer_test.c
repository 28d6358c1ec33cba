/* infer_test -- unit tests for lib/infer.c (cmocka). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "infer.h"
#include "json.h"

static void	expect_put(const char *, size_t, const char *);
static void	expect_num(const char *, int);

/* expect_put -- infer_put of n bytes gives want, which validates */
static void
expect_put(const char *s, size_t n, const char *want)
{
	struct buf b = BUF_INIT;
	struct json_span v;
	struct json_error e;

	buf_adds(&b, "[");
	infer_put(&b, s, n);
	assert_string_equal(b.p + 1, want);
	if (json_validate(b.p + 1, b.len - 1, &v, &e) != 0)
		fail_msg("%s: invalid JSON at column %zu: %s", want, e.col,
		    e.msg);
	assert_memory_equal(b.p, "[", 1);	/* appended, not replaced */
	buf_free(&b);
}

static void
expect_num(const char *s, int want)
{
	if (infer_is_number(s, strlen(s)) != want)
		fail_msg("infer_is_number(\"%s\") != %d", s, want);
}

static void
test_numbers(void **state)
{
	static const char *yes[] = {
		"0", "-0", "7", "42", "-1", "-1.5", "0.5", "-0.0", "2e3",
		"1e5", "1E+2", "1e-2", "1E-0", "0e0", "-0E+00", "1.25e+10",
		"9007199254740993", "18446744073709551616", "1e400",
		"123456789012345678901234567890.123456789e-999",
	};
	static const char *no[] = {
		"", "-", "007", "00", "01.5", "-01", "+1", "1.", ".5", "-.5",
		"0x1F", "0X1f", "NaN", "nan", "inf", "-inf", "Infinity",
		"1e", "1e+", "1E-", "e5", "--1", "1.5.", "1..5", " 1", "1 ",
		"1_000", "1,5", "\xd9\xa1", "1e5x", "0.", "-e1", "1f",
		"true",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		expect_num(yes[i], 1);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		expect_num(no[i], 0);
	/* only the n bytes count */
	assert_int_equal(infer_is_number("12x", 2), 1);
	assert_int_equal(infer_is_number("1.x", 2), 0);
}

static void
test_long_digits(void **state)
{
	struct buf s = BUF_INIT;
	size_t i;

	(void)state;
	buf_addc(&s, '-');
	for (i = 0; i < 5000; i++)
		buf_addc(&s, (int)('1' + i % 9));
	buf_adds(&s, ".5e-12");
	assert_int_equal(infer_is_number(s.p, s.len), 1);
	expect_put(s.p, s.len, s.p);		/* spelling kept exactly */
	buf_reset(&s);
	for (i = 0; i < 5000; i++)
		buf_addc(&s, '0');
	assert_int_equal(infer_is_number(s.p, s.len), 0);
	buf_free(&s);
}

static void
test_put(void **state)
{
	(void)state;
	expect_put("42", 2, "42");
	expect_put("-0", 2, "-0");
	expect_put("1e5", 3, "1e5");
	expect_put("1E+2", 4, "1E+2");
	expect_put("9007199254740993", 16, "9007199254740993");
	expect_put("007", 3, "\"007\"");
	expect_put("1.", 2, "\"1.\"");
	expect_put(".5", 2, "\".5\"");
	expect_put("+1", 2, "\"+1\"");
	expect_put("0x1F", 4, "\"0x1F\"");
	expect_put("NaN", 3, "\"NaN\"");
	expect_put("true", 4, "true");
	expect_put("false", 5, "false");
	expect_put("True", 4, "\"True\"");
	expect_put("FALSE", 5, "\"FALSE\"");
	expect_put("true ", 5, "\"true \"");
	expect_put("null", 4, "\"null\"");		/* no null inference */
	expect_put("", 0, "\"\"");
	expect_put(" ", 1, "\" \"");
	expect_put("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"");
	expect_put("\t\n\r\b\f\x01\x1f\x7f", 8,
	    "\"\\t\\n\\r\\b\\f\\u0001\\u001f\\u007f\"");
	expect_put("caf\xc3\xa9 \xf0\x9f\x98\x80", 10,
	    "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
	expect_put("a\0b", 3, "\"a\\u0000b\"");
	expect_put("truex", 4, "true");		/* n bytes only */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_long_digits),
		cmocka_unit_test(test_put),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
