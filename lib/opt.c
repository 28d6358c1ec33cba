/* opt -- shared options and value parsers; see opt.h. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"

void
opt_init(struct opt_common *o)
{
	memset(o, 0, sizeof(*o));
	o->max_line = (size_t)64 << 20;
	o->on_error = DIAG_WARN;
	o->time_expr = ".ts";
	o->time_unit = TS_UNIT_S;
}

/*
 * opt_common -- take one shared option.  On a bad value *why names what
 * was expected, for the caller's usage error.
 */
int
opt_common(struct opt_common *o, int ch, const char *arg, const char **why)
{
	const char *w = NULL;

	switch (ch) {
	case 'u':
		o->unbuffered = 1;
		break;
	case OPT_ON_ERROR:
		if (diag_mode(arg, &o->on_error) == -1)
			return (*why = "--on-error: expected warn, skip or fail",
			    -1);
		break;
	case OPT_DEAD_LETTER:
		o->dead_letter = arg;
		break;
	case OPT_STATS:
		o->stats = 1;
		break;
	case OPT_MAX_LINE:
		if (opt_size(arg, &o->max_line) == -1 || o->max_line == 0)
			return (*why = "--max-line: expected a size such as "
			    "64M, 512K or 100000", -1);
		break;
	case OPT_TIME:
		o->time_expr = arg;
		o->time_given = 1;
		break;
	case OPT_TIME_UNIT:
		if (ts_parse_unit(arg, &o->time_unit) == -1)
			return (*why = "--time-unit: expected s, ms, us or ns",
			    -1);
		o->time_given = 1;
		break;
	case OPT_TIME_FORMAT:
		o->time_format = arg;
		o->time_given = 1;
		break;
	case OPT_PROCESSING_TIME:
		o->processing_time = 1;
		o->time_given = 1;
		break;
	case OPT_TIME_OUTPUT:
		if (ts_parse_out(arg, &o->time_output) == -1)
			return (*why = "--time-output: expected rfc3339, s "
			    "or ms", -1);
		o->time_output_given = 1;
		break;
	case OPT_LATENESS:
		if (ts_parse_duration(arg, &o->lateness, &w) == -1 ||
		    o->lateness < 0)
			return (*why = "--lateness: expected a duration such "
			    "as 30s or 5m", -1);
		o->lateness_given = 1;
		break;
	case OPT_STATE:
		o->state = arg;
		break;
	case OPT_STATE_EVERY:
		if (ts_parse_duration(arg, &o->state_every, &w) == -1 ||
		    o->state_every <= 0)
			return (*why = "--state-every: expected a duration "
			    "such as 30s or 5m", -1);
		break;
	default:
		return 0;
	}
	return 1;
}

int
opt_size(const char *s, size_t *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': mul = 1ULL << 10; end++; break;
	case 'm': case 'M': mul = 1ULL << 20; end++; break;
	case 'g': case 'G': mul = 1ULL << 30; end++; break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || (mul > 1 && v > SIZE_MAX / mul))
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

int
opt_int(const char *s, long long min, long long max, long long *out)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
opt_fraction(const char *s, double *out)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0 && v <= 1))
		return -1;
	*out = v;
	return 0;
}
