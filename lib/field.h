#ifndef FIELD_H
#define FIELD_H
/*
 * field -- a value taken from each record by a jq expression: a key for
 * --by and --dedup, a time for --time.  Simple paths (.a.b[0]) are read
 * straight from the scanner; other expressions run in libjq and their
 * first output is used.
 */
#include "buf.h"
#include "json.h"
#include "program.h"

struct field {
	const char	*expr;
	int		 simple;	/* private */
	struct json_path path;
	struct program	 prog;
	struct buf	 text;
	int		 slot;		/* index in want, or -1 */
	const struct json_span *found;	/* the loop's captured members */
};

int	field_compile(struct field *, const char *expr, struct buf *err);
				/* 0, or -1 with jq's message in err */
int	field_get(struct field *, struct json_span record,
	    struct json_span *value, struct buf *err);
				/* 0 and the value (type JSON_NONE when
				 * absent or no output; valid until the
				 * next call), or -1 with a runtime error */
int	field_want(struct field *, struct json_want *,
	    const struct json_span *found);
				/* a simple path's first key is captured in
				 * the validation pass (json_validate_want)
				 * into found[], and field_get starts there.
				 * 0, or -1 if it cannot be (not a simple
				 * path, or want is full) */
int	field_name(const char *arg, struct buf *name, const char **expr);
				/* [NAME=]EXPR, as --by takes it: "NAME":
				 * appended to name (JSON, with the colon;
				 * the path's last key without NAME=), and
				 * *expr the expression.  0, or -1 if it has
				 * no name (not a path ending in a key) */
void	field_free(struct field *);

#endif
