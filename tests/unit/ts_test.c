/* ts_test -- unit tests for lib/ts.c (cmocka). */
#define _GNU_SOURCE			/* timegm(3), setenv(3) for checks */
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
#include "ts.h"

#define S(x)	((int64_t)(x) * TS_SECOND)
#define T2026	INT64_C(1795600800)	/* 2026-11-25T10:00:00Z */

static int64_t	rfc(const char *);
static int	rfc_fails(const char *);
static int64_t	epoch(const char *, enum ts_unit);
static int	epoch_fails(const char *, enum ts_unit);
static int64_t	dur(const char *);
static const char *fmt(int64_t, enum ts_out);
static const char *fmt_dur(int64_t);
static uint64_t	rnd(void);

static struct buf	 outbuf = BUF_INIT;
static uint64_t		 seed = 88172645463325252ULL;

static int64_t
rfc(const char *s)
{
	const char *why = NULL;
	int64_t t = 0;

	if (ts_parse_rfc3339(s, strlen(s), &t, &why) != 0)
		fail_msg("%s: %s", s, why);
	return t;
}

static int
rfc_fails(const char *s)
{
	const char *why = NULL;
	int64_t t;

	if (ts_parse_rfc3339(s, strlen(s), &t, &why) == 0)
		return 0;
	return why != NULL;
}

static int64_t
epoch(const char *s, enum ts_unit u)
{
	const char *why = NULL;
	int64_t t = 0;

	if (ts_parse_epoch(s, strlen(s), u, &t, &why) != 0)
		fail_msg("%s: %s", s, why);
	return t;
}

static int
epoch_fails(const char *s, enum ts_unit u)
{
	const char *why = NULL;
	int64_t t;

	if (ts_parse_epoch(s, strlen(s), u, &t, &why) == 0)
		return 0;
	return why != NULL;
}

static int64_t
dur(const char *s)
{
	const char *why = NULL;
	int64_t d = -1;

	if (ts_parse_duration(s, &d, &why) != 0)
		fail_msg("%s: %s", s, why);
	return d;
}

static const char *
fmt(int64_t t, enum ts_out o)
{
	buf_reset(&outbuf);
	ts_format(&outbuf, t, o);
	return outbuf.p;
}

static const char *
fmt_dur(int64_t d)
{
	buf_reset(&outbuf);
	ts_format_duration(&outbuf, d);
	return outbuf.p;
}

/* rnd -- xorshift64, reproducible */
static uint64_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void
test_rfc3339_forms(void **state)
{
	(void)state;
	assert_true(rfc("2026-11-25T10:00:00Z") == S(T2026));
	assert_true(rfc("2026-11-25t10:00:00z") == S(T2026));
	assert_true(rfc("2026-11-25 10:00:00Z") == S(T2026));
	assert_true(rfc("2026-11-25T10:00:00") == S(T2026));
	assert_true(rfc("2026-11-25T10:00Z") == S(T2026));
	assert_true(rfc("2026-11-25T11:00:00+01:00") == S(T2026));
	assert_true(rfc("2026-11-25T11:00:00+0100") == S(T2026));
	assert_true(rfc("2026-11-25T04:30:00-05:30") == S(T2026));
	assert_true(rfc("2026-11-25T10:00:00-00:00") == S(T2026));
	assert_true(rfc("2026-11-25") == S(T2026 - 36000));
	assert_true(rfc("2026-11-25T10:00:00.123Z") ==
	    S(T2026) + 123000000);
	assert_true(rfc("2026-11-25T10:00:00.1Z") == S(T2026) + 100000000);
	assert_true(rfc("2026-11-25T10:00:00.000000001Z") == S(T2026) + 1);
	assert_true(rfc("2026-11-25T10:00:00.1234567899999Z") ==
	    S(T2026) + 123456789);
	assert_true(rfc("2026-11-25T11:00:00.5+01:00") ==
	    S(T2026) + 500000000);
	assert_true(rfc("1970-01-01T00:00:00Z") == 0);
	assert_true(rfc("1969-12-31T23:59:59.999999999Z") == -1);
	assert_true(rfc("2024-02-29T00:00:00Z") == S(1709164800));
	assert_true(rfc("2000-02-29") == S(951782400));
	/* a leap second is the first second of the next minute */
	assert_true(rfc("2016-12-31T23:59:60Z") == rfc("2017-01-01"));
	/* the int64 edges; INT64_MIN itself is TS_NONE */
	assert_true(rfc("2262-04-11T23:47:16.854775807Z") == INT64_MAX);
	assert_true(rfc("1677-09-21T00:12:43.145224193Z") == INT64_MIN + 1);
}

static void
test_rfc3339_errors(void **state)
{
	static const char *bad[] = {
		"", "2026", "2026-11", "2026-11-2", "2026-1-25", "26-11-25",
		"2026/11/25", "2026-11-25T", "2026-11-25T10", "2026-11-25T10:0",
		"2026-11-25X10:00:00Z", "2026-11-25T10:00:00.Z",
		"2026-11-25T10:00:00+01", "2026-11-25T10:00:00+1:00",
		"2026-11-25T10:00:00+01:0", "2026-11-25T10:00:00ZZ",
		"2026-11-25T10:00:00Z ", " 2026-11-25T10:00:00Z",
		"2026-11-25T10:00.5Z", "2026-11-25Z", "+2026-11-25",
		"2026-13-01", "2026-00-01", "2026-11-00", "2026-11-31",
		"2026-02-29", "1900-02-29", "2026-11-25T24:00:00Z",
		"2026-11-25T10:60:00Z", "2026-11-25T10:00:61Z",
		"2026-11-25T10:00:00+24:00", "2026-11-25T10:00:00+01:60",
		"2262-04-11T23:47:16.854775808Z",
		"1677-09-21T00:12:43.145224192Z", "2263-01-01", "1677-01-01",
		"9999-12-31T23:59:59Z", "0000-01-01"
	};
	const char *why;
	int64_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!rfc_fails(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
	/* the length bounds the input: no NUL is needed */
	assert_int_equal(ts_parse_rfc3339("2026-11-25T10:00:00Zjunk", 20,
	    &t, &why), 0);
	assert_true(t == S(T2026));
	assert_int_equal(ts_parse_rfc3339("2026-11-25", 9, &t, &why), -1);
	assert_string_equal(why, "not an RFC 3339 time");
}

/* Every day from 1678 to 2261 against timegm(3) and back through ts_format */
static void
test_rfc3339_calendar(void **state)
{
	char s[64], want[128];
	struct tm tm;
	int64_t t;
	time_t tt;

	(void)state;
	for (tt = -INT64_C(9214560000); tt < INT64_C(9214560000);
	    tt += 86400) {
		gmtime_r(&tt, &tm);
		snprintf(s, sizeof(s), "%04d-%02d-%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday);
		t = rfc(s);
		if (t != (int64_t)timegm(&tm) * TS_SECOND)
			fail_msg("%s", s);
		snprintf(want, sizeof(want), "%sT00:00:00.000Z", s);
		assert_string_equal(fmt(t, TS_OUT_RFC3339), want);
	}
}

static void
test_rfc3339_roundtrip(void **state)
{
	int64_t t, ms;
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		t = (int64_t)rnd();
		if (t == TS_NONE)
			continue;
		ms = t / 1000000 * 1000000;
		if (t < 0 && ms != t)
			ms -= 1000000;		/* floor */
		if (rfc(fmt(t, TS_OUT_RFC3339)) != ms)
			fail_msg("%lld -> %s", (long long)t, outbuf.p);
	}
}

static void
test_epoch(void **state)
{
	(void)state;
	assert_true(epoch("1795600800", TS_UNIT_S) == S(T2026));
	assert_true(epoch("1795600800.123", TS_UNIT_S) ==
	    INT64_C(1795600800123000000));
	assert_true(epoch("1.7956008e9", TS_UNIT_S) == S(T2026));
	assert_true(epoch("17956008E+2", TS_UNIT_S) == S(T2026));
	assert_true(epoch("179560080000e-2", TS_UNIT_S) == S(T2026));
	assert_true(epoch("-5", TS_UNIT_S) == -S(5));
	assert_true(epoch("-0", TS_UNIT_S) == 0);
	assert_true(epoch("0", TS_UNIT_NS) == 0);
	assert_true(epoch("0.0", TS_UNIT_S) == 0);
	assert_true(epoch("0e999999999999999999999", TS_UNIT_S) == 0);
	assert_true(epoch("1e-999999999999999999999", TS_UNIT_S) == 0);
	assert_true(epoch("1795600800123", TS_UNIT_MS) ==
	    INT64_C(1795600800123000000));
	assert_true(epoch("1795600800123.456", TS_UNIT_MS) ==
	    INT64_C(1795600800123456000));
	assert_true(epoch("1795600800123456", TS_UNIT_US) ==
	    INT64_C(1795600800123456000));
	assert_true(epoch("1795600800123456789", TS_UNIT_NS) ==
	    INT64_C(1795600800123456789));
	assert_true(epoch("0.000000001", TS_UNIT_S) == 1);
	assert_true(epoch("1e-9", TS_UNIT_S) == 1);
	assert_true(epoch("0.0000000019", TS_UNIT_S) == 1);
	assert_true(epoch("1.5", TS_UNIT_NS) == 1);
	assert_true(epoch("-1.5", TS_UNIT_NS) == -1);
	assert_true(epoch("1.05", TS_UNIT_S) == 1050000000);
	assert_true(epoch("0.1e1", TS_UNIT_S) == S(1));
	assert_true(epoch("100e-2", TS_UNIT_S) == S(1));
	assert_true(epoch("123456789012345678901234567890e-20",
	    TS_UNIT_NS) == 1234567890);
	assert_true(epoch("0.00000000000000000000000000001e29",
	    TS_UNIT_S) == S(1));
	assert_true(epoch("9223372036.854775807", TS_UNIT_S) == INT64_MAX);
	assert_true(epoch("-9223372036.854775807", TS_UNIT_S) ==
	    -INT64_MAX);
	assert_true(epoch("9223372036854775807", TS_UNIT_NS) == INT64_MAX);
	assert_true(epoch("9223372036854775807.9", TS_UNIT_NS) ==
	    INT64_MAX);
}

static void
test_epoch_errors(void **state)
{
	static const char *bad[] = {
		"", "-", "+1", "01", "1.", ".5", "1e", "1e+", "1.e3", "0x10",
		"1 ", " 1", "1..2", "--1", "1e5.5", "NaN", "Infinity", "\"1\"",
		"9223372036.854775808", "-9223372036.854775808", "1e400",
		"10000000000", "99999999999999999999999999"
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!epoch_fails(bad[i], TS_UNIT_S))
			fail_msg("accepted \"%s\"", bad[i]);
	assert_true(epoch_fails("9223372036854775808", TS_UNIT_NS));
	assert_true(epoch_fails("9223372036854776", TS_UNIT_US));
	assert_false(epoch_fails("9223372036854775", TS_UNIT_US));
}

static void
test_format_strptime(void **state)
{
	static const char s1[] = "2026-11-25 10:00:00";
	static const char s2[] = "25/Nov/2026:11:00:00 +0100";
	const char *why;
	char big[300];
	int64_t t;

	(void)state;
	assert_int_equal(ts_parse_format(s1, strlen(s1), "%Y-%m-%d %H:%M:%S",
	    &t, &why), 0);
	assert_true(t == S(T2026));
	assert_int_equal(ts_parse_format(s2, strlen(s2),
	    "%d/%b/%Y:%H:%M:%S %z", &t, &why), 0);
	assert_true(t == S(T2026));
	assert_int_equal(ts_parse_format("2026-11-25 04:30:00 -0530x", 25,
	    "%Y-%m-%d %H:%M:%S %z", &t, &why), 0);
	assert_true(t == S(T2026));
	assert_int_equal(ts_parse_format("2026-11-25", 10, "%Y-%m-%d", &t,
	    &why), 0);
	assert_true(t == S(T2026 - 36000));
	/* %s goes through localtime; tm_gmtoff undoes it whatever TZ is */
	setenv("TZ", "America/New_York", 1);
	tzset();
	assert_int_equal(ts_parse_format("1795600800", 10, "%s", &t, &why),
	    0);
	assert_true(t == S(T2026));
	unsetenv("TZ");
	tzset();

	assert_int_equal(ts_parse_format(s1, strlen(s1), "%Y-%m-%d", &t,
	    &why), -1);
	assert_string_equal(why, "time does not match the format");
	assert_int_equal(ts_parse_format(s1, strlen(s1) - 3,
	    "%Y-%m-%d %H:%M:%S", &t, &why), -1);
	assert_int_equal(ts_parse_format("2026-02-30", 10, "%Y-%m-%d", &t,
	    &why), -1);
	assert_int_equal(ts_parse_format("2026-11-25\0junk", 15, "%Y-%m-%d",
	    &t, &why), -1);
	assert_int_equal(ts_parse_format("3000-01-01", 10, "%Y-%m-%d", &t,
	    &why), -1);
	assert_string_equal(why, "time out of range");
	memset(big, '1', sizeof(big));
	assert_int_equal(ts_parse_format(big, 255, "%s", &t, &why), -1);
	assert_int_equal(ts_parse_format(big, 256, "%s", &t, &why), -1);
	assert_int_equal(ts_parse_format(big, sizeof(big), "%s", &t, &why),
	    -1);
}

static void
test_names(void **state)
{
	enum ts_unit u;
	enum ts_out o;

	(void)state;
	assert_int_equal(ts_parse_unit("s", &u), 0);
	assert_int_equal(u, TS_UNIT_S);
	assert_int_equal(ts_parse_unit("ms", &u), 0);
	assert_int_equal(u, TS_UNIT_MS);
	assert_int_equal(ts_parse_unit("us", &u), 0);
	assert_int_equal(u, TS_UNIT_US);
	assert_int_equal(ts_parse_unit("ns", &u), 0);
	assert_int_equal(u, TS_UNIT_NS);
	assert_int_equal(ts_parse_unit("sec", &u), -1);
	assert_int_equal(ts_parse_unit("", &u), -1);
	assert_int_equal(ts_parse_out("rfc3339", &o), 0);
	assert_int_equal(o, TS_OUT_RFC3339);
	assert_int_equal(ts_parse_out("s", &o), 0);
	assert_int_equal(o, TS_OUT_S);
	assert_int_equal(ts_parse_out("ms", &o), 0);
	assert_int_equal(o, TS_OUT_MS);
	assert_int_equal(ts_parse_out("ns", &o), -1);
	assert_int_equal(ts_parse_out("RFC3339", &o), -1);
}

static void
test_duration(void **state)
{
	(void)state;
	assert_true(dur("0") == 0);
	assert_true(dur("0s") == 0);
	assert_true(dur("250ms") == 250 * INT64_C(1000000));
	assert_true(dur("30s") == S(30));
	assert_true(dur("5m") == S(300));
	assert_true(dur("1h") == S(3600));
	assert_true(dur("1d") == S(86400));
	assert_true(dur("1w") == S(604800));
	assert_true(dur("1h30m") == S(5400));
	assert_true(dur("2h45m30s") == S(9930));
	assert_true(dur("1.5s") == 1500000000);
	assert_true(dur(".5s") == 500000000);
	assert_true(dur("1.s") == S(1));
	assert_true(dur("0.1h") == S(360));
	assert_true(dur("1.5h") == S(5400));
	assert_true(dur("100us") == 100000);
	assert_true(dur("10ns") == 10);
	assert_true(dur("1s500ms1ns") == 1500000001);
	assert_true(dur("1.999999999999s") == 1999999999);
	assert_true(dur("0.0000000000009h") == 3);	/* 3.24 ns */
	assert_true(dur("1.00000000000000000000000000001ns") == 1);
	assert_true(dur("53375d") == S(53375 * INT64_C(86400)));
	assert_true(dur("4611686018427387904ns") == TS_LIMIT);
}

static void
test_duration_errors(void **state)
{
	static const char *bad[] = {
		"", "-1s", "-0", "+1s", "5", "1.5", "s", "ms", ".s", ".",
		"1x", "1h30", "1 s", " 1s", "1s ", "1S", "1sec", "1mm",
		"1e3s", "1,5s", "106752d", "9223372036854775808ns",
		"99999999999999999999s", "9223372036854775807ns1ns",
		"15251w"
	};
	const char *why;
	int64_t d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (ts_parse_duration(bad[i], &d, &why) == 0 || why == NULL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(ts_parse_duration("-5s", &d, &why), -1);
	assert_string_equal(why, "negative duration");
	assert_int_equal(ts_parse_duration("106752d", &d, &why), -1);
	assert_string_equal(why, "duration out of range");
	/* at most 2^62 ns (TS_LIMIT), so a time plus it never overflows */
	assert_int_equal(ts_parse_duration("53376d", &d, &why), -1);
	assert_string_equal(why, "duration out of range");
	assert_int_equal(ts_parse_duration("53375d", &d, &why), 0);
}

static void
test_format(void **state)
{
	(void)state;
	assert_string_equal(fmt(0, TS_OUT_RFC3339),
	    "1970-01-01T00:00:00.000Z");
	assert_string_equal(fmt(-1, TS_OUT_RFC3339),
	    "1969-12-31T23:59:59.999Z");
	assert_string_equal(fmt(S(T2026) + 123456789, TS_OUT_RFC3339),
	    "2026-11-25T10:00:00.123Z");
	assert_string_equal(fmt(INT64_MAX, TS_OUT_RFC3339),
	    "2262-04-11T23:47:16.854Z");
	assert_string_equal(fmt(INT64_MIN + 1, TS_OUT_RFC3339),
	    "1677-09-21T00:12:43.145Z");
	assert_string_equal(fmt(S(T2026), TS_OUT_S), "1795600800");
	assert_string_equal(fmt(S(T2026) + 123000000, TS_OUT_S),
	    "1795600800.123");
	assert_string_equal(fmt(S(T2026) + 1, TS_OUT_S),
	    "1795600800.000000001");
	assert_string_equal(fmt(-1500000000, TS_OUT_S), "-1.5");
	assert_string_equal(fmt(-1, TS_OUT_S), "-0.000000001");
	assert_string_equal(fmt(0, TS_OUT_S), "0");
	assert_string_equal(fmt(INT64_MAX, TS_OUT_S),
	    "9223372036.854775807");
	assert_string_equal(fmt(INT64_MIN + 1, TS_OUT_S),
	    "-9223372036.854775807");
	assert_string_equal(fmt(S(T2026), TS_OUT_MS), "1795600800000");
	assert_string_equal(fmt(1500000, TS_OUT_MS), "1.5");
	assert_string_equal(fmt(1, TS_OUT_MS), "0.000001");
	assert_string_equal(fmt(-2000000, TS_OUT_MS), "-2");
	assert_string_equal(fmt(TS_NONE, TS_OUT_RFC3339), "null");
	assert_string_equal(fmt(TS_NONE, TS_OUT_S), "null");
	/* appends */
	buf_reset(&outbuf);
	buf_adds(&outbuf, "x=");
	ts_format(&outbuf, 0, TS_OUT_S);
	assert_string_equal(outbuf.p, "x=0");
}

/* The numeric outputs read back exactly through ts_parse_epoch */
static void
test_format_epoch_roundtrip(void **state)
{
	const char *why;
	int64_t t, back;
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		t = (int64_t)rnd() >> (rnd() % 64);
		if (t == TS_NONE)
			continue;
		fmt(t, TS_OUT_S);
		assert_int_equal(ts_parse_epoch(outbuf.p, outbuf.len,
		    TS_UNIT_S, &back, &why), 0);
		assert_true(back == t);
		fmt(t, TS_OUT_MS);
		assert_int_equal(ts_parse_epoch(outbuf.p, outbuf.len,
		    TS_UNIT_MS, &back, &why), 0);
		assert_true(back == t);
	}
}

static void
test_format_duration(void **state)
{
	int64_t d;
	int i;

	(void)state;
	assert_string_equal(fmt_dur(0), "0s");
	assert_string_equal(fmt_dur(S(5400)), "1h30m");
	assert_string_equal(fmt_dur(250000000), "250ms");
	assert_string_equal(fmt_dur(S(86400)), "1d");
	assert_string_equal(fmt_dur(S(90061)), "1d1h1m1s");
	assert_string_equal(fmt_dur(1500000001), "1s500ms1ns");
	assert_string_equal(fmt_dur(1001), "1us1ns");
	assert_string_equal(fmt_dur(-S(1)), "-1s");
	assert_string_equal(fmt_dur(INT64_MIN),
	    "-106751d23h47m16s854ms775us808ns");
	for (i = 0; i < 100000; i++) {	/* up to TS_LIMIT */
		d = (int64_t)(rnd() >> 2) >> (rnd() % 62);
		if (dur(fmt_dur(d)) != d)
			fail_msg("%lld -> %s", (long long)d, outbuf.p);
	}
}

static void
test_clocks(void **state)
{
	int64_t a, b;

	(void)state;
	assert_true(ts_now() > S(1700000000));
	a = ts_mono();
	b = ts_mono();
	assert_true(a > 0);
	assert_true(b >= a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_forms),
		cmocka_unit_test(test_rfc3339_errors),
		cmocka_unit_test(test_rfc3339_calendar),
		cmocka_unit_test(test_rfc3339_roundtrip),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_epoch_errors),
		cmocka_unit_test(test_format_strptime),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_duration_errors),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_epoch_roundtrip),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_clocks),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	buf_free(&outbuf);
	return rc;
}
