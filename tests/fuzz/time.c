/*
 * time -- libFuzzer target for lib/ts.c parsers: ts_parse_rfc3339,
 * ts_parse_epoch in each unit, ts_parse_duration (on a NUL-terminated
 * copy) and ts_parse_format with fixed formats.  An RFC 3339 time of
 * whole milliseconds, formatted with ts_format, parses back to itself
 * (ts_format writes milliseconds, and every year the parser accepts
 * that fits the int64 range has four digits); so does a duration written
 * by ts_format_duration.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ts.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NS_MS	INT64_C(1000000)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *fmts[] = {
		"%Y-%m-%d %H:%M:%S", "%d/%b/%Y:%H:%M:%S %z", "%s",
		"%Y-%m-%dT%H:%M:%S%z", "%b %d %H:%M:%S", "%Y%m%d"
	};
	static const enum ts_unit units[] = {
		TS_UNIT_S, TS_UNIT_MS, TS_UNIT_US, TS_UNIT_NS
	};
	const char *p = (const char *)data, *why;
	struct buf b = BUF_INIT;
	char *s;
	int64_t t, t2;
	size_t i;

	if (ts_parse_rfc3339(p, size, &t, &why) == 0) {
		if (t == TS_NONE)
			abort();
		if (t % NS_MS == 0) {
			ts_format(&b, t, TS_OUT_RFC3339);
			if (ts_parse_rfc3339(b.p, b.len, &t2, &why) != 0 ||
			    t2 != t) {
				fprintf(stderr, "%.*s -> %s does not read "
				    "back\n", (int)size, p, b.p);
				abort();
			}
		}
		buf_reset(&b);
		ts_format(&b, t, TS_OUT_S);
		ts_format(&b, t, TS_OUT_MS);
	} else if (why == NULL)
		abort();
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ts_parse_epoch(p, size, units[i], &t, &why) != 0 &&
		    why == NULL)
			abort();
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		if (ts_parse_format(p, size, fmts[i], &t, &why) != 0 &&
		    why == NULL)
			abort();

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, p, size);
	s[size] = '\0';
	if (ts_parse_duration(s, &t, &why) == 0) {
		if (t < 0 || t > TS_LIMIT)
			abort();
		buf_reset(&b);
		ts_format_duration(&b, t);
		if (ts_parse_duration(b.p, &t2, &why) != 0 || t2 != t) {
			fprintf(stderr, "duration %s -> %s does not read "
			    "back\n", s, b.p);
			abort();
		}
	}
	free(s);
	buf_free(&b);
	return 0;
}
