#ifndef JSTREAM_H
#define JSTREAM_H
/*
 * jstream -- splits a byte stream of JSON text into values: values one
 * after another (concatenated, pretty-printed over many lines, or one per
 * line), and the elements of a top-level array one by one, so that a 1 GB
 * array is read in the memory of its largest element.  It finds where
 * each value ends (strings, escapes, nesting) but leaves validation to
 * json_validate.  Bytes come in chunks of any size; memory is bounded by
 * max.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum jstream_ev {
	JSTREAM_NEED,		/* all bytes taken, no value ended: more */
	JSTREAM_VALUE,		/* val holds one value's bytes */
	JSTREAM_BAD		/* why says what; raw holds what was seen */
};

struct jstream {
	size_t		 max;		/* longest value kept */
	uint64_t	 line;		/* line of the next byte, from 1 */
	uint64_t	 vline;		/* line where val (or the fault) began */
	struct buf	 val;		/* the value's bytes, after VALUE; the
					 * bytes seen so far, after BAD */
	char		 why[96];	/* after BAD */
	int		 state;		/* private */
	int		 depth, instr, esc, inarray, bom, toolong;
	uint64_t	 aline;		/* line of the top-level '[' */
	unsigned char	 open[10000 / 8];	/* a bit per level: '{' */
};

void	jstream_init(struct jstream *, size_t max);
size_t	jstream_scan(struct jstream *, const char *, size_t,
	    enum jstream_ev *);	/* bytes taken: up to the end of one value
				 * or fault, or all of them (NEED) */
enum jstream_ev jstream_end(struct jstream *);
				/* at end of input: VALUE for a last bare
				 * number or literal, BAD if a value or the
				 * top-level array is unfinished, else NEED */
void	jstream_resync(struct jstream *);
				/* the VALUE just returned was found bad: go on
				 * at the next line, outside any array, as
				 * after a BAD */
void	jstream_free(struct jstream *);	/* may be called twice */

#endif
