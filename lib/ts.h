#ifndef TS_H
#define TS_H
/*
 * ts -- event times and durations.  A time is int64 nanoseconds since the
 * Unix epoch (UTC), which covers 1678 to 2262; a duration is int64
 * nanoseconds.  Parsers return 0, or -1 with a static message in *why.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define TS_NONE		INT64_MIN	/* no time */
#define TS_SECOND	INT64_C(1000000000)
/* Times the tools work with, and durations, are within +-2^62 ns (times
 * from 1823-11-12 to 2116-02-20, durations up to 53375 days), so that a
 * time plus a duration never overflows and the ends of the int64 range
 * stay free for "none" and "never" */
#define TS_LIMIT	(INT64_C(1) << 62)

enum ts_unit { TS_UNIT_S, TS_UNIT_MS, TS_UNIT_US, TS_UNIT_NS };
enum ts_out { TS_OUT_RFC3339, TS_OUT_S, TS_OUT_MS };

/* Parsing times */
int	ts_parse_rfc3339(const char *, size_t, int64_t *, const char **why);
				/* 2026-11-25T10:00:00.123Z, +01:00 offsets,
				 * 't'/' ' separators, fractions to 1 ns */
int	ts_parse_epoch(const char *, size_t, enum ts_unit, int64_t *,
	    const char **why);	/* a JSON number literal in the unit, exactly */
int	ts_parse_format(const char *, size_t, const char *fmt, int64_t *,
	    const char **why);	/* strptime(3) format; UTC unless %z/%Z */
int	ts_parse_unit(const char *, enum ts_unit *);	/* "s" "ms" "us" "ns" */
int	ts_parse_out(const char *, enum ts_out *);	/* "rfc3339" "s" "ms" */

/* Durations: 250ms 30s 5m 1h 1d 1h30m 1.5s 0; also us and ns */
int	ts_parse_duration(const char *, int64_t *, const char **why);

/* Formatting, appended to a buf */
void	ts_format(struct buf *, int64_t, enum ts_out);
				/* RFC 3339 UTC with milliseconds, or a
				 * JSON number of seconds / milliseconds */
void	ts_format_duration(struct buf *, int64_t);	/* "1h30m", "250ms" */

/* Clocks */
int64_t	ts_now(void);		/* CLOCK_REALTIME */
int64_t	ts_mono(void);		/* CLOCK_MONOTONIC, for idle timers */

#endif
