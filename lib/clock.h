#ifndef CLOCK_H
#define CLOCK_H
/*
 * clock -- the time of each record (CONTRACT section 5): --time EXPR read
 * as RFC 3339, as an epoch number in --time-unit, or with --time-format;
 * or the arrival time with --processing-time.
 */
#include <stdint.h>

#include "buf.h"
#include "field.h"
#include "json.h"
#include "opt.h"

struct clock {
	const struct opt_common *opt;
	struct field	 field;		/* private */
	struct buf	 msg;
};

int	clock_open(struct clock *, const struct opt_common *, struct buf *err);
				/* 0, or -1: --time does not compile */
int	clock_time(struct clock *, struct json_span record, int64_t *,
	    struct buf *err);	/* 0, or -1: "no usable time: ..." in err */
void	clock_want(struct clock *, struct json_want *,
	    const struct json_span *found);	/* see field_want */
void	clock_close(struct clock *);

#endif
