#ifndef JSON_H
#define JSON_H
/*
 * json -- a validating JSON scanner that builds no tree.  Values are byte
 * ranges (spans) into the caller's text; nothing here allocates except the
 * functions that append to a caller's struct buf, and scratch memory freed
 * before return (json_number of a literal over 40 bytes, json_cmp and
 * json_canon of wide or deep values).  Nothing recurses.  Every function
 * other than json_validate expects text that json_validate accepted.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum json_type {
	JSON_NONE = 0,		/* absent: a missing key, or no value */
	JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING,
	JSON_ARRAY, JSON_OBJECT
};

struct json_span {
	const char	*p;	/* first byte of the value ('"', '{', '-'...) */
	size_t		 len;	/* bytes of the value, no surrounding space */
	enum json_type	 type;
};

struct json_error {
	size_t		 col;	/* 1-based byte column of the fault */
	const char	*msg;	/* static text: "unexpected 'x'", ... */
	char		 what[48];	/* detail written by the scanner */
};

#define JSON_MAX_DEPTH	10000	/* deeper nesting is rejected, no recursion */

/* A simple path: .a.b[0]."key with space"[-1] */
#define JSON_PATH_MAX	16
struct json_step {
	const char	*key;	/* NULL for an index step */
	size_t		 keylen;
	long		 index;	/* negative counts from the end, as jq */
};
struct json_path {
	int		 n;	/* 0 is "." */
	struct json_step step[JSON_PATH_MAX];
	char		 text[256];	/* unescaped keys point into here */
};

/* Validation (RFC 8259, exactly: no NaN, leading zeros, trailing commas,
 * raw control characters in strings, invalid UTF-8, or two values) */
int	json_validate(const char *, size_t, struct json_span *,
	    struct json_error *);	/* 0 and the value's span, or -1 */
int	json_valid_utf8(const char *, size_t);	/* 1 or 0 */

/* Validation that also captures top-level members, in the same pass:
 * found[i] is the value of the LAST member named key[i] (jq's rule for
 * duplicate keys), type JSON_NONE if absent or if the value is not an
 * object.  Keys are compared unescaped ("us\u0065r" is "user"). */
#define JSON_WANT_MAX	16
struct json_want {
	int		 n;
	const char	*key[JSON_WANT_MAX];	/* unescaped bytes */
	size_t		 keylen[JSON_WANT_MAX];
};
int	json_validate_want(const char *, size_t, struct json_span *,
	    struct json_error *, const struct json_want *,
	    struct json_span *found);	/* as json_validate */

/* Paths */
int	json_path_parse(const char *, size_t, struct json_path *);
				/* 0, or -1 if not a simple path */
int	json_get(struct json_span, const struct json_path *,
	    struct json_span *, struct buf *errmsg);
				/* 0 found or absent (type JSON_NONE), or -1:
				 * a jq 1.6 error ("Cannot index number with
				 * string \"b\"") is appended to errmsg */

int	json_get_from(struct json_span, const struct json_path *, int step,
	    struct json_span *, struct buf *errmsg);
				/* json_get of the steps from step on, on a
				 * value already reached by the steps before */

/* The span of a value known to be valid and compact (a canonical key,
 * a saved value): its type read from its first byte */
struct json_span json_span_of(const char *, size_t);

/* Iterating a container span: 1 and the next member, 0 at the end */
struct json_iter { const char *p, *end; };
void	json_iter_init(struct json_iter *, struct json_span);
int	json_iter_next(struct json_iter *, struct json_span *key,
	    struct json_span *val);	/* key->type JSON_NONE in arrays */

/* Values, as jq sees them */
int	json_truthy(struct json_span);	/* false, null and absent are false */
double	json_number(struct json_span);	/* strtod of a JSON_NUMBER */
int	json_uint(struct json_span, uint64_t *);
				/* an integer literal from 0 to UINT64_MAX,
				 * exactly (no sign, fraction or exponent;
				 * JSON allows no leading zero): 0, or -1 */
void	json_string(struct json_span, struct buf *);
				/* appends the unescaped UTF-8 of a string */
int	json_cmp(struct json_span, struct json_span);
				/* jq order: null<false<true<numbers<strings
				 * <arrays<objects; absent compares as null */

/* Writing */
void	json_compact(struct json_span, struct buf *);
				/* the value without insignificant space;
				 * number and string spellings kept */
void	json_normal(struct json_span, struct buf *);
				/* the value as jq -c prints it, except that
				 * integer literals are kept as written */
void	json_canon(struct json_span, struct buf *);
				/* canonical text for keys and hashing: compact,
				 * strings re-escaped minimally, object keys
				 * sorted, numbers as json_put_number (integer
				 * literals of any length kept exactly) */
void	json_put_string(struct buf *, const char *, size_t);
				/* quoted and escaped as jq -c does */
void	json_put_codepoint(struct buf *, uint32_t);
				/* one character inside a JSON string, as
				 * jq -c writes it (no surrogates) */
void	json_put_number(struct buf *, double);
				/* integers as integers, else the shortest
				 * text that reads back to the same double */

#endif
