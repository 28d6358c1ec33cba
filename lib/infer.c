/* infer -- a text field written as a typed JSON value; see infer.h. */
#include <string.h>

#include "infer.h"
#include "json.h"

#define ISDIGIT(c)	((unsigned)((unsigned char)(c) - '0') < 10)

/*
 * infer_is_number -- 1 if the n bytes are exactly a JSON number (RFC 8259:
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?), of any length, else 0.
 */
int
infer_is_number(const char *s, size_t n)
{
	const char *p, *end;

	p = s;
	end = s + n;
	if (p < end && *p == '-')
		p++;
	if (p == end)
		return 0;
	if (*p == '0')
		p++;
	else if (ISDIGIT(*p))
		while (p < end && ISDIGIT(*p))
			p++;
	else
		return 0;
	if (p < end && *p == '.') {
		if (++p == end || !ISDIGIT(*p))
			return 0;
		while (p < end && ISDIGIT(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !ISDIGIT(*p))
			return 0;
		while (p < end && ISDIGIT(*p))
			p++;
	}
	return p == end;
}

/*
 * infer_put -- append the JSON value for the text: a number with its
 * spelling kept, true, false, or else a string.  Cannot fail.
 */
void
infer_put(struct buf *b, const char *s, size_t n)
{
	if (n > 0 && (*s == '-' || ISDIGIT(*s)) && infer_is_number(s, n))
		buf_add(b, s, n);
	else if ((n == 4 && memcmp(s, "true", 4) == 0) ||
	    (n == 5 && memcmp(s, "false", 5) == 0))
		buf_add(b, s, n);
	else
		json_put_string(b, s, n);
}
