#ifndef DETECT_H
#define DETECT_H
/*
 * detect -- one stream-alert rule at run time: its jq programs compiled,
 * the state of each of its keys, and the logic of its type (see the
 * stream-alert design: match, threshold, frequency, absence, new_value,
 * cardinality, sequence, spike, change).  alert.c drives it: a record is
 * judged (detect_judge: where, key, values; no side effect) and then
 * applied (detect_apply); detect_advance moves the watermark and fires
 * what became due.  Each alert goes to the notify callback.  Memory: one
 * struct per key, bounded by max_keys; keys with nothing left to judge
 * are forgotten.  Nothing here prints.
 */
#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "buf.h"
#include "field.h"
#include "hash.h"
#include "json.h"
#include "program.h"
#include "rules.h"

struct notice {			/* one alert, as the detector sees it */
	int		 resolved;
	int64_t		 at;
	struct json_span value;		/* JSON_NONE: null */
	struct json_span previous;	/* change only; else JSON_NONE */
	int		 has_threshold;
	double		 threshold;
	int64_t		 wstart, wend;	/* TS_NONE: no window */
	const struct json_span *sample;	/* raw records, oldest first */
	size_t		 nsample;
};

struct detect;
typedef void (*detect_notify)(void *, const struct detect *,
    const char *key, size_t keylen, const struct notice *);

struct dprog {			/* a where: fast path, members captured */
	struct program	 p;
	int		 nmap;		/* -1: run without captured members */
	int		 map[JSON_WANT_MAX];
};

struct akey;

struct detect {
	const struct rule *r;
	size_t		 idx;		/* place in the file */
	long long	 max_keys;	/* 0: no bound */
	detect_notify	 notify;
	void		*arg;
	uint64_t	*suppressed, *evicted;	/* counters to add to */
	int64_t		 first;		/* first event time seen, or TS_NONE */
	struct buf	 byname[RULES_BY_MAX];	/* "name": per by */
	struct dprog	 where;		/* private from here on */
	int		 has_where;
	struct field	 by[RULES_BY_MAX];
	struct field	 field;		/* new_value cardinality change */
	int		 has_field;
	struct agg_spec	 spec;		/* threshold spike */
	struct field	 aggf;
	int		 has_aggf;
	struct dprog	*steps;		/* sequence */
	const struct json_span *found;
	struct hash_map	 map;		/* key text -> struct akey * */
	struct akey	*oldest, *newest;	/* by activity */
	struct akey	**heap;		/* by due time */
	size_t		 nheap, capheap;
	struct akey	**park;		/* detect_advance: not due yet */
	size_t		 npark, cappark;
	int		 nby, has_spec;	/* what detect_close frees */
	size_t		 nsteps;
	uint64_t	 seq;
	struct buf	 key, val, err, text, scratch;	/* judged record */
	struct json_span fv, av;	/* its field and aggregate values */
	unsigned long	 stepmask;	/* the steps it matches */
	struct json_span spans[RULES_SAMPLE_MAX + 1];
};

int	detect_open(struct detect *, const struct rule *, size_t idx,
	    struct json_want *, const struct json_span *found,
	    struct buf *err);	/* compile; members to capture into want:
				 * 0, or -1 (message in err) */
int	detect_check(const struct rule *, struct buf *why);
				/* what the loader does not check: 0, or -1
				 * and why */
int	detect_judge(struct detect *, struct json_span rec);
				/* 1 the rule takes the record (key and
				 * values kept for detect_apply), 0 not,
				 * -1 a runtime error (message in err) */
void	detect_first(struct detect *, int64_t t);
				/* a record at t was seen (any record) */
void	detect_apply(struct detect *, struct json_span rec, int64_t t,
	    int64_t wm);	/* the judged record, at t */
void	detect_advance(struct detect *, int64_t wm, int64_t seen);
				/* fire what is due up to wm; silence
				 * (absence, expiry) only up to seen */
int64_t	detect_next(const struct detect *);	/* next due, or INT64_MAX */
void	detect_take(struct detect *, struct detect *old);
				/* reload: old's keys move over */
size_t	detect_nkeys(const struct detect *);
int	detect_save(struct detect *, int (*line)(void *, const char *,
	    size_t), void *arg);	/* one line per key: 0, or -1 */
int	detect_load(struct detect *, struct json_span);
				/* one saved key: 0, or -1 */
void	detect_reset(struct detect *);
				/* forget every key, as at detect_open */
void	detect_close(struct detect *);

#endif
