#ifndef QUANT_H
#define QUANT_H
/*
 * quant -- quantiles of a stream of numbers in bounded memory, with a
 * relative error bound (DDSketch, Masson et al., VLDB 2019).  A value x
 * is counted in the logarithmic bucket ceil(log_gamma |x|), gamma =
 * (1 + a) / (1 - a), so the estimate of any quantile is within a
 * relative error a of the exact value of that rank, whatever the data.
 * Negative numbers and zero are kept apart.  At most QUANT_BINS buckets
 * are kept; beyond that the lowest buckets are merged, which only ever
 * degrades the lowest quantiles (the ones latency users ignore).
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

#define QUANT_ALPHA	0.01	/* the relative error the man page states */
#define QUANT_BINS	2048	/* 1% buckets: values from 1e-9 to 1e9 */

struct quant {
	uint64_t	 n;		/* values counted */
	uint64_t	 zero;		/* private: values with |x| < 1e-300 */
	uint64_t	 neg;		/* private: values counted in bin[1] */
	int32_t		 off[2];	/* private: bucket index of bin[s][0] */
	uint32_t	 len[2];	/* private: array size, <= QUANT_BINS */
	uint64_t	*bin[2];	/* [0] positive, [1] negative values */
	double		 min, max;	/* exact, to clamp the estimates */
};
#define QUANT_INIT { 0, 0, 0, { 0, 0 }, { 0, 0 }, { NULL, NULL }, 0, 0 }

void	quant_add(struct quant *, double);	/* NaN and inf ignored */
double	quant_get(const struct quant *, double p);
				/* the value of rank floor(p * (n - 1)) (0 <=
				 * p <= 1) within the relative error; NaN if
				 * empty.  q 0 and 1 give the exact min, max */
void	quant_merge(struct quant *, const struct quant *);
void	quant_save(const struct quant *, struct buf *);
				/* appends a JSON value (for --state) */
int	quant_load(struct quant *, struct json_span);
				/* 0, or -1 if the value is not one saved */
void	quant_free(struct quant *);	/* may be called twice; reusable */

#endif
