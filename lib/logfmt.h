#ifndef LOGFMT_H
#define LOGFMT_H
/*
 * logfmt -- one logfmt line (key=value key2="quoted value" flag) as a
 * JSON object.  Bare values are typed with infer_put; quoted values stay
 * strings, with the escapes \" \\ \/ \b \f \n \r \t \uXXXX; a bare key
 * is true; key= is "".  A key repeated keeps its first position and its
 * last value, so the object has no duplicate keys.  Nothing allocates
 * except the caller's bufs.
 */
#include <stddef.h>

#include "buf.h"

int	logfmt_record(const char *, size_t, struct buf *out, struct buf *why);
				/* 0 and the object appended to out, or -1
				 * with "at column N: ..." appended to why
				 * (unterminated quote, bad escape, '=' with
				 * no key, invalid UTF-8, a control character
				 * other than a tab, ...) */

#endif
