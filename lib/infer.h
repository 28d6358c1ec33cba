#ifndef INFER_H
#define INFER_H
/*
 * infer -- a text field (CSV, TSV, logfmt) written as a typed JSON value.
 * The rule, documented in stream-cat(1): text that is exactly a JSON
 * number with no leading zero (42, -1.5, 2e3; not 007, +1, 1., .5, 0x1F,
 * NaN) becomes that number with its spelling kept; "true" and "false"
 * become booleans; anything else, the empty text included, is a string.
 */
#include <stddef.h>

#include "buf.h"

void	infer_put(struct buf *, const char *, size_t);
				/* appends the JSON value; the text must be
				 * valid UTF-8 (the caller checks) */
int	infer_is_number(const char *, size_t);	/* 1 or 0 */

#endif
