#ifndef AGG_H
#define AGG_H
/*
 * agg -- the aggregate functions of stream-window: an --agg spec parsed
 * (NAME=FUNC(EXPR)), and the running state of one aggregate in one
 * window: updated per record, merged (session windows that join),
 * written as a JSON value.  Memory per state is fixed, except for the
 * sketches (quant, distinct, topk) and collect, which are bounded.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "distinct.h"
#include "json.h"
#include "quant.h"
#include "topk.h"

enum agg_func {
	AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX, AGG_STDDEV, AGG_FIRST,
	AGG_LAST, AGG_DISTINCT, AGG_QUANT, AGG_TOP, AGG_COLLECT
};

struct agg_spec {
	enum agg_func	 func;
	const char	*expr;		/* the value's jq expression, or NULL */
	double		 q;		/* AGG_QUANT: 0.95 for p95 */
	int		 k;		/* AGG_TOP: how many */
	size_t		 collect_max;	/* AGG_COLLECT: values kept */
	struct buf	 name;		/* "name": as written in the output */
	struct buf	 text;		/* private: the spec's own copy */
};

struct agg {			/* one aggregate's state in one window */
	uint64_t	 n;		/* values counted */
	double		 sum, mean, m2, min, max;
	int64_t		 t;		/* first/last: the time of the value */
	struct buf	 val;		/* first/last/collect: JSON text */
	uint64_t	 dropped;	/* collect: values past collect_max */
	struct quant	 quant;
	struct distinct	 distinct;
	struct topk	 top;
};

int	agg_parse(struct agg_spec *, const char *arg, size_t collect_max,
	    struct buf *why);	/* --agg: 0, or -1 (usage error, why) */
void	agg_spec_free(struct agg_spec *);

void	agg_init(struct agg *, const struct agg_spec *);
int	agg_add(struct agg *, const struct agg_spec *, struct json_span v,
	    int64_t t, struct buf *scratch);
				/* one record's value (JSON_NONE: absent,
				 * not counted; count without EXPR counts
				 * records); -1 never: values are checked
				 * with agg_check first */
const char *agg_check(const struct agg_spec *, struct json_span v);
				/* NULL, or why the value does not fit */
void	agg_merge(struct agg *, const struct agg *, const struct agg_spec *);
void	agg_put(const struct agg *, const struct agg_spec *, struct buf *);
				/* appends the value (null for none) */
void	agg_save(const struct agg *, const struct agg_spec *, struct buf *);
				/* appends the state as a JSON array */
int	agg_load(struct agg *, const struct agg_spec *, struct json_span);
				/* into a state from agg_init: 0, or -1 if
				 * the value is not one agg_save wrote */
void	agg_free(struct agg *);

#endif
