#ifndef FAST_H
#define FAST_H
/*
 * fast -- the jq programs that the JSON scanner runs alone, without libjq:
 *   .                         the record
 *   .a.b[0]                   a simple path (see json_path_parse)
 *   {a, b, "c d": .x.y, e: .f} an object of simple paths
 *   select(COND)              and  select(COND) | PROJECTION
 * where COND combines, with and/or/not, '|' and parentheses:
 *   PATH OP CONST, CONST OP PATH (OP: == != < <= > >=; CONST: null, true,
 *   false, a number, a string), PATH (truthiness), has("k") and
 *   PATH | has("k"), startswith("s"), endswith("s") (on . or PATH | ...).
 * More generally: stages joined by '|', each a select(COND) or a COND,
 * and at most one object, last.  Results are exactly jq 1.6's, errors
 * use its words.  Anything else is refused at compile time and left to
 * libjq.  fast_run keeps scratch space in the struct: one thread at a time.
 */
#include "buf.h"
#include "json.h"

struct fast;

enum fast_result {
	FAST_ERROR = -1,	/* runtime error; jq's message in err */
	FAST_DROP = 0,		/* no output (select was false) */
	FAST_PASS = 1,		/* output is the record itself, unchanged */
	FAST_BUILT = 2		/* output is the compact JSON text in out */
};

struct fast	*fast_compile(const char *program);	/* NULL: not ours */
void		 fast_want(const struct fast *, struct json_want *);
				/* the top-level keys the program reads,
				 * for json_validate_want; n = 0 if none,
				 * or too many; keys point into the struct */
enum fast_result fast_run_found(const struct fast *, struct json_span record,
		    const struct json_span *found, struct buf *out,
		    struct buf *err);
				/* fast_run with found[] from
				 * json_validate_want with fast_want's keys */
enum fast_result fast_run(const struct fast *, struct json_span record,
		    struct buf *out, struct buf *err);
				/* out and err are reset by the caller */
void		 fast_free(struct fast *);

#endif
