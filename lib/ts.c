/*
 * ts -- event times and durations: RFC 3339, epoch numbers and strptime(3)
 * formats to int64 nanoseconds, and back; see ts.h.  Calendar arithmetic
 * is done here (Howard Hinnant's days_from_civil), never with mktime(3) or
 * timegm(3), so the result does not depend on TZ.
 */
#define _GNU_SOURCE			/* strptime(3), tm_gmtoff */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ts.h"

#define NS_US		INT64_C(1000)
#define NS_MS		INT64_C(1000000)
#define NS_MIN		(INT64_C(60) * TS_SECOND)
#define NS_HOUR		(INT64_C(3600) * TS_SECOND)
#define NS_DAY		(INT64_C(86400) * TS_SECOND)
#define NS_WEEK		(INT64_C(604800) * TS_SECOND)
#define EXP_MAX		INT64_C(1000000000000000)	/* clamp on e+NNN */

#define ISDIGIT(c)	((c) >= '0' && (c) <= '9')

static const char	 e_rfc[] = "not an RFC 3339 time";
static const char	 e_field[] = "time field out of range";
static const char	 e_range[] = "time out of range";

static int64_t	days_from_civil(int64_t, unsigned, unsigned);
static void	civil_from_days(int64_t, int64_t *, unsigned *, unsigned *);
static unsigned	days_in_month(int64_t, unsigned);
static int	num(const char *, size_t, unsigned *);
static int	make_time(int64_t, unsigned, unsigned, int64_t, int64_t,
		    int64_t *);
static int64_t	dur_unit(const char **);
static void	format_number(struct buf *, int64_t, int64_t, int);
static void	format_rfc3339(struct buf *, int64_t);
static int64_t	clock_ns(clockid_t);

/* days_from_civil -- days since 1970-01-01 of a proleptic Gregorian date */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* civil_from_days -- the inverse of days_from_civil */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned char mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/* num -- exactly n decimal digits at p into *v; 0, or -1 if not digits */
static int
num(const char *p, size_t n, unsigned *v)
{
	*v = 0;
	for (; n > 0; p++, n--) {
		if (!ISDIGIT(*p))
			return -1;
		*v = *v * 10 + (unsigned)(*p - '0');
	}
	return 0;
}

/*
 * make_time -- the time of date y-m-d plus sod seconds (any sign, so a UTC
 * offset can be folded in) plus frac nanoseconds.  The caller has checked
 * m and d.  Returns 0, or -1 when the result does not fit int64 (or would
 * be TS_NONE).
 */
static int
make_time(int64_t y, unsigned m, unsigned d, int64_t sod, int64_t frac,
    int64_t *t)
{
	int64_t days, s, ns;

	if (y < -1000000000 || y > 1000000000)
		return -1;
	days = days_from_civil(y, m, d);
	s = days * 86400 + sod;
	if (s < 0 && frac > 0) {	/* keep s * 10^9 in range near 1677 */
		s++;
		frac -= TS_SECOND;
	}
	if (__builtin_mul_overflow(s, TS_SECOND, &ns) ||
	    __builtin_add_overflow(ns, frac, &ns) || ns == TS_NONE)
		return -1;
	*t = ns;
	return 0;
}

/*
 * ts_parse_rfc3339 -- YYYY-MM-DD, optionally followed by 'T', 't' or ' ',
 * hh:mm[:ss[.fraction]] and a zone: 'Z', 'z', +hh:mm, +hhmm (or none,
 * read as UTC).  Fraction digits past nanoseconds are dropped; a leap
 * second :60 counts as the first second of the next minute.
 */
int
ts_parse_rfc3339(const char *s, size_t n, int64_t *t, const char **why)
{
	unsigned y, mo, d, h, mi, sec, oh, om, k;
	int64_t frac, off;
	size_t i;
	int neg;

	*why = e_rfc;
	h = mi = sec = oh = om = 0;
	frac = 0;
	neg = 0;
	if (n < 10 || num(s, 4, &y) == -1 || s[4] != '-' ||
	    num(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    num(s + 8, 2, &d) == -1)
		return -1;
	i = 10;
	if (i < n) {
		if ((s[i] != 'T' && s[i] != 't' && s[i] != ' ') ||
		    n - i < 6 || num(s + i + 1, 2, &h) == -1 ||
		    s[i + 3] != ':' || num(s + i + 4, 2, &mi) == -1)
			return -1;
		i += 6;
		if (i < n && s[i] == ':') {
			if (n - i < 3 || num(s + i + 1, 2, &sec) == -1)
				return -1;
			i += 3;
			if (i < n && s[i] == '.') {
				for (i++, k = 0; i < n && ISDIGIT(s[i]);
				    i++, k++)
					if (k < 9)
						frac = frac * 10 + (s[i] - '0');
				if (k == 0)
					return -1;
				for (; k < 9; k++)
					frac *= 10;
			}
		}
		if (i < n && (s[i] == 'Z' || s[i] == 'z'))
			i++;
		else if (i < n && (s[i] == '+' || s[i] == '-')) {
			neg = s[i++] == '-';
			if (n - i < 4 || num(s + i, 2, &oh) == -1)
				return -1;
			i += 2;
			if (s[i] == ':')
				i++;
			if (n - i < 2 || num(s + i, 2, &om) == -1)
				return -1;
			i += 2;
		}
		if (i != n)
			return -1;
	}
	*why = e_field;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > 60 || oh > 23 || om > 59)
		return -1;
	off = (int64_t)oh * 3600 + om * 60;
	if (neg)
		off = -off;
	*why = e_range;
	if (make_time(y, mo, d, (int64_t)h * 3600 + mi * 60 + sec - off, frac,
	    t) == -1)
		return -1;
	*why = NULL;
	return 0;
}

/*
 * ts_parse_epoch -- a JSON number in unit u, converted through its decimal
 * digits rather than a double, so 1764064800.123 s is exactly
 * 1764064800123000000 ns.  Digits below a nanosecond are truncated toward
 * zero.  Fails on bad syntax or a result outside int64.
 */
int
ts_parse_epoch(const char *s, size_t n, enum ts_unit u, int64_t *t,
    const char **why)
{
	static const int uexp[] = { 9, 6, 3, 0 };
	const char *p, *end, *ib, *ie, *fb, *fe;
	int64_t ex, e, nd, take;
	uint64_t mag;
	int neg, eneg;

	*why = "not a number";
	p = s;
	end = s + n;
	neg = p < end && *p == '-';
	p += neg;
	if (p == end || !ISDIGIT(*p))
		return -1;
	ib = p;
	if (*p == '0')
		p++;
	else
		while (p < end && ISDIGIT(*p))
			p++;
	ie = fb = fe = p;
	if (p < end && *p == '.') {
		fb = ++p;
		while (p < end && ISDIGIT(*p))
			p++;
		if ((fe = p) == fb)
			return -1;
	}
	ex = 0;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		eneg = p < end && *p == '-';
		if (p < end && (*p == '-' || *p == '+'))
			p++;
		if (p == end || !ISDIGIT(*p))
			return -1;
		for (; p < end && ISDIGIT(*p); p++)
			if (ex < EXP_MAX)
				ex = ex * 10 + (*p - '0');
		if (eneg)
			ex = -ex;
	}
	if (p != end)
		return -1;

	/* value = digits(ib..ie fb..fe) * 10^e ns; leading zeros skipped */
	e = ex + uexp[u] - (fe - fb);
	while (ib < ie && *ib == '0')
		ib++;
	if (ib == ie)
		while (fb < fe && *fb == '0')
			fb++;
	nd = (ie - ib) + (fe - fb);
	*why = e_range;
	mag = 0;
	if (nd > 0 && nd + e > 19)
		return -1;
	if (nd > 0 && nd + e > 0) {
		take = e > 0 ? nd : nd + e;
		for (p = ib; take > 0; p++, take--) {
			if (p == ie)
				p = fb;
			mag = mag * 10 + (uint64_t)(*p - '0');
		}
		for (; e > 0; e--)
			if (__builtin_mul_overflow(mag, 10, &mag))
				return -1;
	}
	if (mag > INT64_MAX)
		return -1;
	*t = neg ? -(int64_t)mag : (int64_t)mag;
	*why = NULL;
	return 0;
}

/*
 * ts_parse_format -- strptime(3) with fmt over the whole input (at most
 * 255 bytes), then the calendar fields as UTC, shifted by the offset that
 * %z (or %s, through localtime) put in tm_gmtoff.
 */
int
ts_parse_format(const char *s, size_t n, const char *fmt, int64_t *t,
    const char **why)
{
	char buf[256], *end;
	struct tm tm;
	int64_t y;

	*why = "time too long for --time-format";
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = 1;
	*why = "time does not match the format";
	if ((end = strptime(buf, fmt, &tm)) == NULL || end != buf + n)
		return -1;
	y = (int64_t)tm.tm_year + 1900;
	*why = e_field;
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    (unsigned)tm.tm_mday > days_in_month(y, (unsigned)tm.tm_mon + 1) ||
	    tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 ||
	    tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
		return -1;
	*why = e_range;
	if (make_time(y, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday,
	    (int64_t)tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec -
	    tm.tm_gmtoff, 0, t) == -1)
		return -1;
	*why = NULL;
	return 0;
}

int
ts_parse_unit(const char *s, enum ts_unit *u)
{
	if (strcmp(s, "s") == 0)
		*u = TS_UNIT_S;
	else if (strcmp(s, "ms") == 0)
		*u = TS_UNIT_MS;
	else if (strcmp(s, "us") == 0)
		*u = TS_UNIT_US;
	else if (strcmp(s, "ns") == 0)
		*u = TS_UNIT_NS;
	else
		return -1;
	return 0;
}

int
ts_parse_out(const char *s, enum ts_out *o)
{
	if (strcmp(s, "rfc3339") == 0)
		*o = TS_OUT_RFC3339;
	else if (strcmp(s, "s") == 0)
		*o = TS_OUT_S;
	else if (strcmp(s, "ms") == 0)
		*o = TS_OUT_MS;
	else
		return -1;
	return 0;
}

/* dur_unit -- the unit at *pp in ns, advancing *pp past it; 0 if none */
static int64_t
dur_unit(const char **pp)
{
	const char *p;

	p = *pp;
	*pp += 2;
	if (p[0] == 'n' && p[1] == 's')
		return 1;
	if (p[0] == 'u' && p[1] == 's')
		return NS_US;
	if (p[0] == 'm' && p[1] == 's')
		return NS_MS;
	*pp = p + 1;
	switch (p[0]) {
	case 's':
		return TS_SECOND;
	case 'm':
		return NS_MIN;
	case 'h':
		return NS_HOUR;
	case 'd':
		return NS_DAY;
	case 'w':
		return NS_WEEK;
	}
	*pp = p;
	return 0;
}

/*
 * ts_parse_duration -- a sequence of NUMBER UNIT terms, added up, with
 * NUMBER decimal (1.5s) and UNIT one of ns us ms s m h d w; a bare "0" is
 * zero.  Fractions are exact and truncated below 1 ns.  Fails on empty,
 * negative or unitless input, unknown units and int64 overflow.
 */
int
ts_parse_duration(const char *s, int64_t *d, const char **why)
{
	const char *p, *ib, *ie, *fb, *fe, *q;
	int64_t total, v, u, f;

	*why = "not a duration (e.g. 250ms, 30s, 1h30m)";
	if (*s == '-') {
		*why = "negative duration";
		return -1;
	}
	if (strcmp(s, "0") == 0) {
		*d = 0;
		*why = NULL;
		return 0;
	}
	if (*s == '\0')
		return -1;
	total = 0;
	for (p = s; *p != '\0';) {
		for (ib = p; ISDIGIT(*p); p++)
			;
		ie = fb = fe = p;
		if (*p == '.') {
			for (fb = ++p; ISDIGIT(*p); p++)
				;
			fe = p;
		}
		if ((ie == ib && fe == fb) || (u = dur_unit(&p)) == 0)
			return -1;
		*why = "duration out of range";
		v = 0;
		for (q = ib; q < ie; q++)
			if (__builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, *q - '0', &v))
				return -1;
		/* Horner from the last digit: floor(u * 0.d1d2...) exactly */
		for (f = 0, q = fe; q > fb; q--)
			f = (u * (q[-1] - '0') + f) / 10;
		if (__builtin_mul_overflow(v, u, &v) ||
		    __builtin_add_overflow(v, f, &v) ||
		    __builtin_add_overflow(total, v, &total))
			return -1;
		*why = "not a duration (e.g. 250ms, 30s, 1h30m)";
	}
	if (total > TS_LIMIT) {
		*why = "duration out of range";
		return -1;
	}
	*d = total;
	*why = NULL;
	return 0;
}

/* format_number -- t/per as a JSON number, with up to width decimals */
static void
format_number(struct buf *b, int64_t t, int64_t per, int width)
{
	char f[16];
	uint64_t mag, ip, fp;
	int k;

	mag = t < 0 ? 0 - (uint64_t)t : (uint64_t)t;
	ip = mag / (uint64_t)per;
	fp = mag % (uint64_t)per;
	buf_printf(b, "%s%" PRIu64, t < 0 ? "-" : "", ip);
	if (fp == 0)
		return;
	snprintf(f, sizeof(f), "%0*" PRIu64, width, fp);
	for (k = width; f[k - 1] == '0'; k--)
		;
	buf_printf(b, ".%.*s", k, f);
}

/* format_rfc3339 -- YYYY-MM-DDThh:mm:ss.mmmZ, rounding toward -inf */
static void
format_rfc3339(struct buf *b, int64_t t)
{
	int64_t s, ns, days, sod, y;
	unsigned m, d;

	s = t / TS_SECOND;
	ns = t % TS_SECOND;
	if (ns < 0) {
		s--;
		ns += TS_SECOND;
	}
	days = s / 86400;
	sod = s % 86400;
	if (sod < 0) {
		days--;
		sod += 86400;
	}
	civil_from_days(days, &y, &m, &d);
	buf_printf(b, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%03uZ", y, m, d,
	    (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60),
	    (unsigned)(sod % 60), (unsigned)(ns / NS_MS));
}

/* ts_format -- t in format o; TS_NONE is written as JSON null */
void
ts_format(struct buf *b, int64_t t, enum ts_out o)
{
	if (t == TS_NONE) {
		buf_adds(b, "null");
		return;
	}
	switch (o) {
	case TS_OUT_RFC3339:
		format_rfc3339(b, t);
		break;
	case TS_OUT_S:
		format_number(b, t, TS_SECOND, 9);
		break;
	case TS_OUT_MS:
		format_number(b, t, NS_MS, 6);
		break;
	}
}

/* ts_format_duration -- d as units from days down to ns: "1h30m", "0s" */
void
ts_format_duration(struct buf *b, int64_t d)
{
	static const struct {
		int64_t		 ns;
		const char	*name;
	} unit[] = {
		{ NS_DAY, "d" }, { NS_HOUR, "h" }, { NS_MIN, "m" },
		{ TS_SECOND, "s" }, { NS_MS, "ms" }, { NS_US, "us" },
		{ 1, "ns" }
	};
	uint64_t mag;
	size_t i;

	if (d == 0) {
		buf_adds(b, "0s");
		return;
	}
	if (d < 0)
		buf_addc(b, '-');
	mag = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
	for (i = 0; i < sizeof(unit) / sizeof(unit[0]); i++)
		if (mag >= (uint64_t)unit[i].ns) {
			buf_printf(b, "%" PRIu64 "%s",
			    mag / (uint64_t)unit[i].ns, unit[i].name);
			mag %= (uint64_t)unit[i].ns;
		}
}

static int64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * TS_SECOND + ts.tv_nsec;
}

int64_t
ts_now(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int64_t
ts_mono(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}
