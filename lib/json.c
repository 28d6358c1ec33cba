/*
 * json -- a validating JSON scanner, simple paths, jq value semantics and
 * writers; see json.h for the contract.
 *
 * Nothing in this file recurses: the validator keeps its nesting in a bit
 * stack of JSON_MAX_DEPTH bits, and json_cmp and json_canon walk nested
 * values with an explicit stack of frames (struct work) that lives on the
 * C stack until a value is deep or wide enough to need the heap.
 * Functions other than json_validate trust their input to be text that
 * json_validate accepted; on other text they stay inside the span but
 * their results are unspecified.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>		/* for functions with target("avx2") */
#define HAVE_AVX2	1
#endif

#include "buf.h"
#include "json.h"
#include "xalloc.h"

typedef unsigned char uchar;

#define STACK_WORDS	((JSON_MAX_DEPTH + 63) / 64)
#define ISDIGIT(c)	((unsigned)(c) - '0' < 10)

/* Messages of json_error.msg; compared by address */
static const char E_EOF[] = "unexpected end of input";
static const char E_CHAR[] = "unexpected character";
static const char E_UTF8[] = "invalid UTF-8";
static const char E_CTRL[] = "control character in string";
static const char E_ESC[] = "invalid escape";
static const char E_UESC[] = "invalid \\u escape";
static const char E_ZERO[] = "leading zero";
static const char E_DEEP[] = "nesting too deep";
static const char E_AFTER[] = "unexpected data after the value";

/* A member of an object, for sorting keys (json_cmp, json_canon) */
struct member {
	const uchar	*k;		/* key body, between the quotes */
	size_t		 klen;
	int		 esc;		/* the key body holds a backslash */
	size_t		 ord;		/* position in the object */
	struct json_span v;
};

/* A container being walked by json_cmp or json_canon */
struct frame {
	enum json_type	 kind;		/* JSON_ARRAY or JSON_OBJECT */
	struct json_iter ia, ib;	/* arrays: elements of a and b */
	size_t		 ma, na;	/* objects: members m[ma..ma+na) */
	size_t		 mb, nb;	/* json_cmp: b's members */
	size_t		 i;		/* next member or element */
};

/* The explicit stack: frames and sorted members, inline until they grow */
#define WORK_FRAMES	16
#define WORK_MEMBERS	64
struct work {
	struct frame	*f;
	size_t		 nf, capf;
	struct member	*m;
	size_t		 nm, capm;
	struct frame	 finl[WORK_FRAMES];
	struct member	 minl[WORK_MEMBERS];
};

/* Reads the unescaped bytes of a string body one at a time */
struct sread {
	const uchar	*p, *end;
	int		 plain;		/* bytes as they are, no escapes */
	uchar		 pend[4];	/* rest of a decoded escape */
	int		 ipend, npend;
};

static int	fail(struct json_error *, const uchar *, const uchar *,
		    const char *, const char *);
static int	ok(struct json_error *);
static int	unexpected(struct json_error *, const uchar *, const uchar *,
		    const uchar *);
static const uchar *utf8_seq(const uchar *, const uchar *);
static const uchar *utf8_bad(const uchar *, const uchar *);
static inline const uchar *scan_stop(const uchar *, const uchar *);
static inline const uchar *scan_quote(const uchar *, const uchar *);
static inline const char *scan_string(const uchar **, const uchar *, int *);
static uint32_t want_match(const struct json_want *, const uchar *, size_t,
		    int);
static inline int validate(const char *, size_t, struct json_span *,
		    struct json_error *, const struct json_want *,
		    struct json_span *);
static inline const uchar *skip_ws(const uchar *, const uchar *);
static const uchar *str_close(const uchar *, const uchar *);
static const uchar *skip_value(const uchar *, const uchar *);
static enum json_type type_of(int);
static const uchar *unescape(const uchar *, const uchar *, uint32_t *);
static int	utf8_put(uint32_t, uchar *);
static void	sread_init(struct sread *, const uchar *, size_t, int);
static int	sread_next(struct sread *);
static int	str_cmp(const uchar *, size_t, int, const uchar *, size_t,
		    int);
static int	key_eq(const uchar *, size_t, const char *, size_t);
static void	put_char(struct buf *, int);
static void	put_digits(struct buf *, int, const char *, int, int);
static int	digits(double, int, char *, int *, int *);
static const char *path_string(const uchar **, const uchar *, char *,
		    size_t *);
static void	work_init(struct work *);
static void	work_free(struct work *);
static struct frame *frame_push(struct work *);
static size_t	members_load(struct work *, struct json_span, size_t *);
static int	member_cmp(const void *, const void *);
static int	cmp_open(struct work *, struct json_span, struct json_span);
static void	canon_string(struct buf *, const uchar *, size_t);
static void	canon_number(struct buf *, struct json_span);
static void	canon_open(struct work *, struct buf *, struct json_span);

/* 1 for the bytes that end a fast run inside a string: '"' '\\' < 0x20
 * and >= 0x80 */
static const uchar strstop[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
};

/* Byte classes: 1 whitespace, 2 '"', 3 '{' '[', 4 '}' ']', 5 ',' ':' */
static const uchar cls[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};
#define C_WS	1
#define C_QUOTE	2
#define C_OPEN	3
#define C_CLOSE	4
#define C_PUNCT	5

/* Hex digit values; 16 for anything else */
static const uchar hexv[256] = {
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 16, 16, 16, 16, 16, 16,
	16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16
};

/*
 * UTF-8 lead bytes (RFC 3629): the sequence length, 0 for a byte that
 * cannot start one (continuation bytes, C0, C1, F5..FF).  The bounds of
 * the second byte are narrower after E0 (no overlongs), ED (no
 * surrogates), F0 (no overlongs) and F4 (nothing above U+10FFFF).
 */
static const uchar u8len[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

static const double pow10tab[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* ---- Validation ---- */

/* fail -- fill *e for a fault at byte at of the text s; returns -1 */
static int
fail(struct json_error *e, const uchar *s, const uchar *at, const char *msg,
    const char *what)
{
	if (e != NULL) {
		e->col = (size_t)(at - s) + 1;
		e->msg = msg;
		e->what[0] = '\0';
		if (what != NULL)
			snprintf(e->what, sizeof(e->what), "%s", what);
	}
	return -1;
}

/* ok -- clear *e for a success; returns 0 */
static int
ok(struct json_error *e)
{
	if (e != NULL) {
		e->col = 0;
		e->msg = NULL;
		e->what[0] = '\0';
	}
	return 0;
}

/*
 * unexpected -- fail for the byte at p (or the end of input): printable
 * ASCII is quoted as is, a valid UTF-8 character too, other bytes as \xNN.
 */
static int
unexpected(struct json_error *e, const uchar *s, const uchar *p,
    const uchar *end)
{
	char what[sizeof(e->what)];
	const uchar *q;

	if (p >= end)
		return fail(e, s, end, E_EOF, NULL);
	if (*p >= 0x80) {
		if ((q = utf8_seq(p, end)) == NULL) {
			snprintf(what, sizeof(what), "invalid UTF-8 byte "
			    "'\\x%02X'", *p);
			return fail(e, s, p, E_UTF8, what);
		}
		snprintf(what, sizeof(what), "unexpected '%.*s'",
		    (int)(q - p), (const char *)p);
	} else if (*p < 0x20 || *p == 0x7f)
		snprintf(what, sizeof(what), "unexpected '\\x%02X'", *p);
	else if (*p == '\'' || *p == '\\')
		snprintf(what, sizeof(what), "unexpected '\\%c'", *p);
	else
		snprintf(what, sizeof(what), "unexpected '%c'", *p);
	return fail(e, s, p, E_CHAR, what);
}

/*
 * utf8_seq -- the end of the well-formed UTF-8 sequence at p (a byte
 * >= 0x80 starts it), or NULL for an ill-formed or truncated one.
 */
static const uchar *
utf8_seq(const uchar *p, const uchar *end)
{
	uchar lo = 0x80, hi = 0xbf;
	size_t n;

	n = u8len[*p];
	if (n < 2 || (size_t)(end - p) < n)
		return NULL;
	switch (*p) {
	case 0xe0:
		lo = 0xa0;
		break;
	case 0xed:
		hi = 0x9f;
		break;
	case 0xf0:
		lo = 0x90;
		break;
	case 0xf4:
		hi = 0x8f;
		break;
	}
	if (p[1] < lo || p[1] > hi)
		return NULL;
	if (n > 2 && (p[2] & 0xc0) != 0x80)
		return NULL;
	if (n > 3 && (p[3] & 0xc0) != 0x80)
		return NULL;
	return p + n;
}

/*
 * utf8_bad -- the end of the ill-formed bytes at p that jq turns into one
 * U+FFFD (jvp_utf8_next): a stray byte alone, else the lead byte and the
 * continuation bytes that follow it, up to the length the lead byte
 * announces.
 */
static const uchar *
utf8_bad(const uchar *p, const uchar *end)
{
	size_t i, n;

	n = u8len[*p];
	if (n < 2)
		return p + 1;
	if ((size_t)(end - p) < n)
		return end;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			break;
	return p + i;
}

/*
 * scan_stop -- the first byte at or after p that is '"', '\\', below 0x20
 * or above 0x7f, or end.  Sixteen bytes at a time with SSE2: as signed
 * bytes, both < 0x20 and >= 0x80 are less than 0x20.
 */
static inline __attribute__((always_inline)) const uchar *
scan_stop(const uchar *p, const uchar *end)
{
#ifdef __SSE2__
	__m128i q, bs, sp, v, m;
	int bits;

	q = _mm_set1_epi8('"');
	bs = _mm_set1_epi8('\\');
	sp = _mm_set1_epi8(0x20);
	while (end - p >= 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)p);
		m = _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs));
		m = _mm_or_si128(m, _mm_cmplt_epi8(v, sp));
		bits = _mm_movemask_epi8(m);
		if (bits != 0)
			return p + __builtin_ctz((unsigned)bits);
		p += 16;
	}
#else
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t x, hit;

	while (end - p >= 8) {
		memcpy(&x, p, 8);
		hit = ((x ^ (ones * '"')) - ones) & ~(x ^ (ones * '"'));
		hit |= ((x ^ (ones * '\\')) - ones) & ~(x ^ (ones * '\\'));
		hit |= (x - ones * 0x20) & ~x;
		if (((hit | x) & high) != 0)
			break;
		p += 8;
	}
#endif
	while (p < end && !strstop[*p])
		p++;
	return p;
}

/* scan_quote -- the first '"' or '\\' at or after p, or end */
static inline __attribute__((always_inline)) const uchar *
scan_quote(const uchar *p, const uchar *end)
{
#ifdef __SSE2__
	__m128i q, bs, v, m;
	int bits;

	q = _mm_set1_epi8('"');
	bs = _mm_set1_epi8('\\');
	while (end - p >= 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)p);
		m = _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs));
		bits = _mm_movemask_epi8(m);
		if (bits != 0)
			return p + __builtin_ctz((unsigned)bits);
		p += 16;
	}
#endif
	while (p < end && *p != '"' && *p != '\\')
		p++;
	return p;
}

/*
 * scan_string -- check the string whose body starts at *pp (after the
 * opening quote).  Returns NULL with *pp after the closing quote, or an
 * error message with *pp at the fault.  *esc is set if the body holds a
 * backslash (and left alone otherwise).
 */
static inline __attribute__((always_inline)) const char *
scan_string(const uchar **pp, const uchar *end, int *esc)
{
	const uchar *p, *q;

	p = *pp;
	for (;;) {
		p = scan_stop(p, end);
		if (p == end) {
			*pp = p;
			return E_EOF;
		}
		if (*p == '"') {
			*pp = p + 1;
			return NULL;
		}
		if (*p == '\\') {
			*esc = 1;
			if (end - p < 2) {
				*pp = end;
				return E_EOF;
			}
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				p += 2;
				continue;
			case 'u':
				for (q = p + 2; q < end && q - p < 6; q++)
					if (hexv[*q] == 16)
						break;
				if (q - p == 6) {
					p += 6;
					continue;
				}
				*pp = q == end ? end : p;
				return q == end ? E_EOF : E_UESC;
			default:
				*pp = p;
				return E_ESC;
			}
		}
		if (*p < 0x20) {
			*pp = p;
			return E_CTRL;
		}
		if ((q = utf8_seq(p, end)) == NULL) {
			*pp = p;
			return E_UTF8;
		}
		p = q;
	}
}

static inline __attribute__((always_inline)) const uchar *
skip_ws(const uchar *p, const uchar *end)
{
	while (p < end && cls[*p] == C_WS)
		p++;
	return p;
}

/*
 * want_match -- the bit set of the wanted keys that the key body k (len
 * bytes, esc if it holds a backslash) unescapes to.  An escape always
 * shortens a body, so a body with one can only match a shorter key.
 */
static uint32_t
want_match(const struct json_want *w, const uchar *k, size_t len, int esc)
{
	uint32_t m;
	int i;

	m = 0;
	for (i = 0; i < w->n && i < JSON_WANT_MAX; i++) {
		if (w->keylen[i] == len) {
			if (!esc && memcmp(k, w->key[i], len) == 0)
				m |= (uint32_t)1 << i;
		} else if (esc && w->keylen[i] < len &&
		    str_cmp(k, len, 1, (const uchar *)w->key[i],
		    w->keylen[i], 0) == 0)
			m |= (uint32_t)1 << i;
	}
	return m;
}

/*
 * validate -- one RFC 8259 value with optional surrounding space; with
 * w != NULL, also the values of the wanted top-level members into found.
 * A state machine over gotos; the kind of each open container is one bit
 * of stack[], and inobj caches the innermost one.  Inlined into its two
 * callers, so that plain validation pays nothing for w.
 */
static inline __attribute__((always_inline)) int
validate(const char *text, size_t n, struct json_span *span,
    struct json_error *e, const struct json_want *w, struct json_span *found)
{
	uint64_t stack[STACK_WORDS];
	const uchar *s, *p, *end, *start, *vend, *kb, *vb;
	const char *msg;
	size_t depth;
	uint32_t mask;
	int inobj, esc, i;

	s = (const uchar *)text;
	end = s + n;
	depth = 0;
	inobj = 0;
	esc = 0;
	mask = 0;
	vb = s;
	if (w != NULL)
		for (i = 0; i < w->n && i < JSON_WANT_MAX; i++) {
			found[i].p = text;
			found[i].len = 0;
			found[i].type = JSON_NONE;
		}
	p = skip_ws(s, end);
	start = p;

value:
	if (p == end)
		return fail(e, s, p, E_EOF, NULL);
	switch (*p) {
	case '"':
		p++;
		if ((msg = scan_string(&p, end, &esc)) != NULL)
			goto bad_string;
		goto after;
	case '{':
		if (depth == JSON_MAX_DEPTH)
			return fail(e, s, p, E_DEEP, NULL);
		stack[depth >> 6] = ((depth & 63) != 0 ? stack[depth >> 6] :
		    0) | (uint64_t)1 << (depth & 63);	/* a word's first */
		depth++;
		inobj = 1;
		p = skip_ws(p + 1, end);
		if (p < end && *p == '}') {
			p++;
			goto pop;
		}
		goto key;
	case '[':
		if (depth == JSON_MAX_DEPTH)
			return fail(e, s, p, E_DEEP, NULL);
		stack[depth >> 6] = (depth & 63) != 0 ? stack[depth >> 6] &
		    ~((uint64_t)1 << (depth & 63)) : 0;	/* use sets it */
		depth++;
		inobj = 0;
		p = skip_ws(p + 1, end);
		if (p < end && *p == ']') {
			p++;
			goto pop;
		}
		goto value;
	case 't':
		if (end - p >= 4 && memcmp(p, "true", 4) == 0) {
			p += 4;
			goto after;
		}
		goto literal;
	case 'f':
		if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
			p += 5;
			goto after;
		}
		goto literal;
	case 'n':
		if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
			p += 4;
			goto after;
		}
		goto literal;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		goto number;
	default:
		return unexpected(e, s, p, end);
	}

number:
	if (*p == '-' && ++p == end)
		return fail(e, s, p, E_EOF, NULL);
	if (*p == '0') {
		if (++p < end && ISDIGIT(*p))
			return fail(e, s, p - 1, E_ZERO, NULL);
	} else if (ISDIGIT(*p)) {
		while (++p < end && ISDIGIT(*p))
			;
	} else
		return unexpected(e, s, p, end);
	if (p < end && *p == '.') {
		if (++p == end || !ISDIGIT(*p))
			return unexpected(e, s, p, end);
		while (++p < end && ISDIGIT(*p))
			;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !ISDIGIT(*p))
			return unexpected(e, s, p, end);
		while (++p < end && ISDIGIT(*p))
			;
	}
	goto after;

literal:
	/* the first byte that differs from the word *p starts */
	{
		const char *word;

		word = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
		while (p < end && *p == (uchar)*word)
			p++, word++;
		return unexpected(e, s, p, end);
	}

pop:
	if (--depth > 0)
		inobj = (int)(stack[(depth - 1) >> 6] >>
		    ((depth - 1) & 63)) & 1;
after:
	if (depth == 0)
		goto done;
	if (w != NULL && depth == 1 && mask != 0) {
		for (i = 0; mask != 0; i++, mask >>= 1)
			if (mask & 1) {
				found[i].p = (const char *)vb;
				found[i].len = (size_t)(p - vb);
				found[i].type = type_of(*vb);
			}
	}
	p = skip_ws(p, end);
	if (p == end)
		return fail(e, s, p, E_EOF, NULL);
	if (*p == ',') {
		p = skip_ws(p + 1, end);
		if (inobj)
			goto key;
		goto value;
	}
	if (*p == (inobj ? '}' : ']')) {
		p++;
		goto pop;
	}
	return unexpected(e, s, p, end);

key:
	if (p == end || *p != '"')
		return unexpected(e, s, p, end);
	p++;
	kb = p;
	esc = 0;
	if ((msg = scan_string(&p, end, &esc)) != NULL)
		goto bad_string;
	if (w != NULL && depth == 1)
		mask = want_match(w, kb, (size_t)(p - 1 - kb), esc);
	p = skip_ws(p, end);
	if (p == end || *p != ':')
		return unexpected(e, s, p, end);
	p = skip_ws(p + 1, end);
	if (w != NULL && depth == 1)
		vb = p;
	goto value;

bad_string:
	if (msg == E_UTF8)
		return unexpected(e, s, p, end);
	if (msg == E_CTRL) {
		char what[sizeof(e->what)];

		snprintf(what, sizeof(what), "control character '\\x%02X' "
		    "in string", *p);
		return fail(e, s, p, msg, what);
	}
	return fail(e, s, p, msg, NULL);

done:
	vend = p;
	p = skip_ws(p, end);
	if (p != end)
		return fail(e, s, p, E_AFTER, NULL);
	if (span != NULL) {
		span->p = (const char *)start;
		span->len = (size_t)(vend - start);
		span->type = type_of(*start);
	}
	return ok(e);
}

/* ---- Fast validation of short, plain lines ---- */

/*
 * The fast path, in the manner of simdjson: stage 1 classifies each
 * 64-byte block with SIMD into bit masks and lists the positions of the
 * structural bytes (brackets, ':' ',', both quotes of each string, and
 * the first byte of each other atom); stage 2 walks that list with the
 * grammar, checking numbers and true/false/null byte by byte.  It only
 * accepts: text it does not vouch for (a backslash or a control byte
 * anywhere, invalid UTF-8, nesting over 64, over FAST_MAX bytes, or any
 * error at all) is left to the byte-at-a-time validate(), which also
 * writes the error.  Without backslashes every quote is a real one, so
 * the string mask is the prefix xor of the quote mask.
 */
#define FAST_MAX	4096
#define FAST_IDX	(FAST_MAX + 64)	/* room for stage 1's overrun */

/* Stage 1 state carried from one block to the next */
struct stage1 {
	uint64_t	 instr;		/* all ones if inside a string */
	uint64_t	 scalar;	/* 1 if the last byte began or continued
					 * an atom */
	uint16_t	*out;		/* next free index */
};

typedef uint16_t *(*stage1_fn)(const uchar *, size_t, uint16_t *,
    uint64_t *);

static inline void	stage1_block(struct stage1 *, uint64_t, uint64_t,
		    uint64_t, uint64_t, uint32_t);
static inline uint64_t	stage1_bits(struct stage1 *, uint64_t, uint64_t,
		    uint64_t, uint64_t);
static stage1_fn	stage1_pick(void);
static inline const uchar *skip_digits(const uchar *, const uchar *);
static int	fast_validate(const uchar *, size_t, struct json_span *,
		    const struct json_want *, struct json_span *);
#ifdef HAVE_AVX2
static uint16_t	*stage1_avx2(const uchar *, size_t, uint16_t *, uint64_t *);
static uint16_t	*stage1_avx512(const uchar *, size_t, uint16_t *,
		    uint64_t *);
#endif

/*
 * stage1_block -- list the structural positions of one block, given its
 * quote, bracket/':'/',' and space masks and the prefix xor of quote.
 */
/* the position of the lowest bit set, or 63 past the last one */
#define FLAT1(o, k) do {						\
	(o)[k] = (uint16_t)(base + (uint32_t)__builtin_ctzll(bits |	\
	    (uint64_t)1 << 63));					\
	bits &= bits - 1;						\
} while (0)

static inline __attribute__((always_inline)) void
stage1_block(struct stage1 *st, uint64_t quote, uint64_t str, uint64_t op,
    uint64_t ws, uint32_t base)
{
	uint64_t bits;
	uint16_t *o;

	bits = stage1_bits(st, quote, str, op, ws);
	/* eight at a time, past the count too: the list has room */
	o = st->out;
	st->out += __builtin_popcountll(bits);
	while (o < st->out) {
		FLAT1(o, 0); FLAT1(o, 1); FLAT1(o, 2); FLAT1(o, 3);
		FLAT1(o, 4); FLAT1(o, 5); FLAT1(o, 6); FLAT1(o, 7);
		o += 8;
	}
}

/*
 * stage1_bits -- the structural positions of one block as a mask, given
 * its quote, bracket/':'/',' and space masks and the prefix xor of quote.
 */
static inline __attribute__((always_inline)) uint64_t
stage1_bits(struct stage1 *st, uint64_t quote, uint64_t str, uint64_t op,
    uint64_t ws)
{
	uint64_t scalar, bits;

	str ^= st->instr;
	st->instr = 0 - (str >> 63);	/* all ones if inside a string */
	scalar = ~(op | ws | quote | str);
	bits = (op & ~str) | quote | (scalar & ~(scalar << 1 | st->scalar));
	st->scalar = scalar >> 63;
	return bits;
}

#ifdef HAVE_AVX2
/* classify32 -- the masks of the 32 bytes at p, or'ed in at bit sh */
__attribute__((target("avx2"))) static inline
    __attribute__((always_inline)) void
classify32(const uchar *p, int sh, uint64_t *quote, uint64_t *op,
    uint64_t *ws, uint64_t *bad, uint64_t *hi)
{
	__m256i v, t, o;

	v = _mm256_loadu_si256((const __m256i *)(const void *)p);
	t = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
	o = _mm256_or_si256(_mm256_or_si256(
	    _mm256_cmpeq_epi8(t, _mm256_set1_epi8('{')),
	    _mm256_cmpeq_epi8(t, _mm256_set1_epi8('}'))),
	    _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(':')),
	    _mm256_cmpeq_epi8(v, _mm256_set1_epi8(','))));
	*op |= (uint64_t)(uint32_t)_mm256_movemask_epi8(o) << sh;
	*quote |= (uint64_t)(uint32_t)_mm256_movemask_epi8(
	    _mm256_cmpeq_epi8(v, _mm256_set1_epi8('"'))) << sh;
	*ws |= (uint64_t)(uint32_t)_mm256_movemask_epi8(
	    _mm256_cmpeq_epi8(v, _mm256_set1_epi8(' '))) << sh;
	*bad |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_or_si256(
	    _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\')),
	    _mm256_andnot_si256(v, _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20),
	    v)))) << sh;		/* sign bit of v: not a control byte */
	*hi |= (uint64_t)(uint32_t)_mm256_movemask_epi8(v) << sh;
}

/*
 * stage1_avx2 -- stage 1 over the n bytes at s into idx, with 32-byte
 * vectors and a carry-less multiply for the string mask (the prefix xor
 * of the quotes).  *flags gets bit 0 for a backslash or control byte, bit
 * 1 for a byte >= 0x80 and bit 2 for an unclosed string, and above bit 7
 * the start of the first block with a byte >= 0x80 (all before it is
 * ASCII, so the UTF-8 check can start there).  Positions fit 16 bits,
 * as FAST_IDX < 65536.  Returns the end of the list.  The last partial
 * block is read as the last 64 bytes of the text, shifted down, so
 * nothing is read outside the text.
 */
__attribute__((target("avx2,pclmul,popcnt,bmi"))) static uint16_t *
stage1_avx2(const uchar *s, size_t n, uint16_t *idx, uint64_t *flags)
{
	struct stage1 st = { 0, 0, NULL };
	uint64_t quote, op, ws, bad, hi, str, bb, hh;
	uchar tail[64];
	const uchar *b;
	size_t i, rest, first;

	st.out = idx;
	bad = hi = 0;
	first = n;
	for (i = 0; i < n; i += 64) {
		quote = op = ws = 0;
		rest = n - i;
		if (rest >= 64) {
			classify32(s + i, 0, &quote, &op, &ws, &bad, &hi);
			classify32(s + i + 32, 32, &quote, &op, &ws, &bad,
			    &hi);
		} else if (n >= 64) {
			b = s + n - 64;
			bb = hh = 0;
			classify32(b, 0, &quote, &op, &ws, &bb, &hh);
			classify32(b + 32, 32, &quote, &op, &ws, &bb, &hh);
			quote >>= 64 - rest;	/* bytes before i: seen */
			op >>= 64 - rest;
			ws = ws >> (64 - rest) | ~(uint64_t)0 << rest;
			bad |= bb >> (64 - rest);
			hi |= hh >> (64 - rest);
		} else {
			memset(tail, ' ', sizeof(tail));
			memcpy(tail, s, n);
			classify32(tail, 0, &quote, &op, &ws, &bad, &hi);
			classify32(tail + 32, 32, &quote, &op, &ws, &bad,
			    &hi);
		}
		str = (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(
		    _mm_set_epi64x(0, (long long)quote),
		    _mm_set1_epi8((char)0xff), 0));
		stage1_block(&st, quote, str, op, ws, (uint32_t)i);
		if (hi != 0 && first == n)
			first = i;
	}
	*flags = (bad != 0) | (hi != 0) << 1 | (st.instr != 0) << 2 |
	    (uint64_t)first << 8;
	return st.out;
}
/*
 * Byte classes of stage1_avx512, one lookup for all 128 ASCII bytes: '"'
 * 1, brackets ':' ',' 2, space 4, backslash and control bytes 8.
 */
#define S1_QUOTE	1
#define S1_OP		2
#define S1_WS		4
#define S1_BAD		8
static const uchar s1cls[128] = {
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 8, 2, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 0
};

/*
 * stage1_avx512 -- stage1_avx2 with 64-byte vectors classified by one
 * two-table byte permute (vpermi2b, zeroed for bytes >= 0x80), a masked
 * load for the last block (masked-off bytes never fault), and the
 * positions written 32 at a time by vpcompressw (the register form: the
 * memory form is slow on AMD Zen 4).  16-bit positions halve the
 * compresses, which were half of the time here.
 */
__attribute__((target("avx512f,avx512bw,avx512vbmi,avx512vbmi2,pclmul,"
    "popcnt,bmi"))) static uint16_t *
stage1_avx512(const uchar *s, size_t n, uint16_t *idx, uint64_t *flags)
{
	struct stage1 st = { 0, 0, NULL };
	uint64_t quote, op, any, bad, hi, h, str, bits;
	size_t i, rest, first;
	uint16_t *o;
	__m512i v, c, lo64, hi64, pos0, pos1, step;

	o = idx;
	bad = hi = 0;
	first = n;
	lo64 = _mm512_loadu_si512((const void *)s1cls);
	hi64 = _mm512_loadu_si512((const void *)(s1cls + 64));
	pos0 = _mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21,
	    20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3,
	    2, 1, 0);
	step = _mm512_set1_epi16(32);
	pos1 = _mm512_add_epi16(pos0, step);
	step = _mm512_add_epi16(step, step);
	for (i = 0; i < n; i += 64) {
		rest = n - i;
		if (rest >= 64)
			v = _mm512_loadu_si512((const void *)(s + i));
		else
			v = _mm512_mask_loadu_epi8(_mm512_set1_epi8(' '),
			    ((uint64_t)1 << rest) - 1, (const void *)(s + i));
		h = _mm512_movepi8_mask(v);
		c = _mm512_maskz_permutex2var_epi8(~h, lo64, v, hi64);
		quote = _mm512_test_epi8_mask(c, _mm512_set1_epi8(S1_QUOTE));
		op = _mm512_test_epi8_mask(c, _mm512_set1_epi8(S1_OP));
		any = _mm512_test_epi8_mask(c, _mm512_set1_epi8(S1_QUOTE |
		    S1_OP | S1_WS));
		bad |= _mm512_test_epi8_mask(c, _mm512_set1_epi8(S1_BAD));
		if (h != 0 && hi == 0)
			first = i;
		hi |= h;
		str = (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(
		    _mm_set_epi64x(0, (long long)quote),
		    _mm_set1_epi8((char)0xff), 0));
		/* any in place of the space mask: op and quote add nothing */
		bits = stage1_bits(&st, quote, str, op, any);
		_mm512_storeu_si512((void *)o,
		    _mm512_maskz_compress_epi16((__mmask32)bits, pos0));
		o += __builtin_popcount((uint32_t)bits);
		_mm512_storeu_si512((void *)o,
		    _mm512_maskz_compress_epi16((__mmask32)(bits >> 32), pos1));
		o += __builtin_popcount((uint32_t)(bits >> 32));
		pos0 = _mm512_add_epi16(pos0, step);
		pos1 = _mm512_add_epi16(pos1, step);
	}
	*flags = (bad != 0) | (hi != 0) << 1 | (st.instr != 0) << 2 |
	    (uint64_t)first << 8;
	return o;
}

#endif

/*
 * stage1_pick -- the best stage 1 for this CPU, NULL for none (then
 * validate() alone, whose SSE2 string scan was faster than an SSE2 stage
 * 1).  For tests and benchmarks, JSON_SIMD=avx2 or none in the
 * environment caps the choice.
 */
static stage1_fn
stage1_pick(void)
{
	const char *cap;

	if ((cap = getenv("JSON_SIMD")) == NULL)
		cap = "";
	if (strcmp(cap, "none") == 0)
		return NULL;
#ifdef HAVE_AVX2
	__builtin_cpu_init();
	if (strcmp(cap, "avx2") != 0 && __builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vbmi") &&
	    __builtin_cpu_supports("avx512vbmi2") &&
	    __builtin_cpu_supports("pclmul") &&
	    __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi"))
		return stage1_avx512;
	if (__builtin_cpu_supports("avx2") &&
	    __builtin_cpu_supports("pclmul") &&
	    __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi"))
		return stage1_avx2;
#endif
	return NULL;		/* validate() beats an SSE2 stage 1 */
}

/*
 * skip_digits -- the first byte at or after p that is not an ASCII digit,
 * or end.  Eight bytes at a time where the byte order allows: a byte is a
 * digit when its high nibble is 3 and its low nibble plus 6 stays below
 * 16, so the mask of non-digits has bits only in high nibbles, and its
 * lowest set bit finds the first.  Numbers of varying length made the
 * byte loop's exit a branch miss per number.
 */
static inline __attribute__((always_inline)) const uchar *
skip_digits(const uchar *p, const uchar *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t x, y;

	while (end - p >= 8) {
		memcpy(&x, p, 8);
		y = ((x & ones * 0xf0) ^ ones * 0x30) |
		    (((x & ones * 0x0f) + ones * 0x06) & ones * 0x10);
		if (y != 0)
			return p + __builtin_ctzll(y) / 8;
		p += 8;
	}
#endif
	while (p < end && ISDIGIT(*p))
		p++;
	return p;
}

/*
 * fast_validate -- 1 if the n bytes at s are one valid value (with span
 * and found[] filled as validate does), 0 if undecided.
 */
static int
fast_validate(const uchar *s, size_t n, struct json_span *span,
    const struct json_want *w, struct json_span *found)
{
	static stage1_fn stage1;
	static int picked;
	uint16_t idx[FAST_IDX], *ip, *ie;
	uint64_t flags, stack, lens;
	const uchar *p, *end, *vb, *q;
	uint32_t mask;
	size_t depth, len;
	int inobj, i;
	uchar c;

	if (!picked) {		/* a race here stores the same pointer */
		stage1 = stage1_pick();
		picked = 1;
	}
	if (stage1 == NULL || n > FAST_MAX || n == 0)
		return 0;
	ie = stage1(s, n, idx, &flags);
	if ((flags & 5) != 0)
		return 0;
	/* from the first block with a byte >= 0x80: before it, ASCII */
	if ((flags & 2) != 0 && !json_valid_utf8((const char *)s +
	    (flags >> 8), n - (flags >> 8)))
		return 0;
	ip = idx;
	end = s + n;
	depth = 0;
	stack = 0;
	inobj = 0;
	mask = 0;
	vb = s;
	lens = 0;
	if (w != NULL)
		for (i = 0; i < w->n && i < JSON_WANT_MAX; i++) {
			found[i].p = (const char *)s;
			found[i].len = 0;
			found[i].type = JSON_NONE;
			lens |= w->keylen[i] < 63 ? (uint64_t)1 <<
			    w->keylen[i] : (uint64_t)1 << 63;
		}

value:
	if (ip == ie)
		return 0;
	/* stage 1 wrote every index up to ie */
	/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
	p = s + *ip++;
	if (*p == '"') {	/* the commonest value: a branch, not a table */
		if (ip == ie)
			return 0;
		p = s + *ip++ + 1;
		goto after;
	}
	if (ISDIGIT(*p) || *p == '-')
		goto number;
	switch (*p) {
	case '{':
		if (depth == 64)
			return 0;
		stack = stack << 1 | 1;
		depth++;
		inobj = 1;
		if (ip == ie)
			return 0;
		if (s[*ip] == '}') {
			p = s + *ip++ + 1;
			goto pop;
		}
		goto key;
	case '[':
		if (depth == 64)
			return 0;
		stack <<= 1;
		depth++;
		inobj = 0;
		if (ip == ie)
			return 0;
		if (s[*ip] == ']') {
			p = s + *ip++ + 1;
			goto pop;
		}
		goto value;
	case 't':
		if (end - p < 4 || memcmp(p, "true", 4) != 0)
			return 0;
		p += 4;
		goto atom;
	case 'f':
		if (end - p < 5 || memcmp(p, "false", 5) != 0)
			return 0;
		p += 5;
		goto atom;
	case 'n':
		if (end - p < 4 || memcmp(p, "null", 4) != 0)
			return 0;
		p += 4;
		goto atom;
	default:
		return 0;
	}

number:
	if (*p == '-' && ++p == end)
		return 0;
	if (*p == '0')
		p++;
	else if (ISDIGIT(*p))
		p = skip_digits(p + 1, end);
	else
		return 0;
	if (p < end && *p == '.') {
		if (++p == end || !ISDIGIT(*p))
			return 0;
		p = skip_digits(p + 1, end);
	}
	if (p < end && (*p | 0x20) == 'e') {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !ISDIGIT(*p))
			return 0;
		p = skip_digits(p + 1, end);
	}
atom:
	/* an atom ends at a bracket, ':' ',', '"', space or the end */
	if (p < end && cls[*p] == 0)
		return 0;
	goto after;

pop:
	stack >>= 1;
	if (--depth > 0)
		inobj = (int)(stack & 1);
after:
	if (depth == 0)
		goto done;
	if (w != NULL && depth == 1 && mask != 0) {
		for (i = 0; mask != 0; i++, mask >>= 1)
			if (mask & 1) {
				found[i].p = (const char *)vb;
				found[i].len = (size_t)(p - vb);
				found[i].type = type_of(*vb);
			}
	}
	if (ip == ie)
		return 0;
	c = s[*ip++];
	if (c == ',') {
		if (inobj)
			goto key;
		goto value;
	}
	if (c == (inobj ? '}' : ']')) {
		p = s + ip[-1] + 1;
		goto pop;
	}
	return 0;

key:
	if (ie - ip < 3 || s[ip[0]] != '"' || s[ip[2]] != ':')
		return 0;
	if (w != NULL && depth == 1) {
		/* no escapes here: only keys of a wanted length can match */
		q = s + ip[0] + 1;
		len = (size_t)(s + ip[1] - q);
		mask = lens >> (len < 63 ? len : 63) & 1 ?
		    want_match(w, q, len, 0) : 0;
		ip += 3;
		if (ip == ie)
			return 0;
		vb = s + *ip;
	} else
		ip += 3;
	goto value;

done:
	if (ip != ie)
		return 0;
	if (span != NULL) {
		span->p = (const char *)s + idx[0];
		span->len = (size_t)(p - (s + idx[0]));
		span->type = type_of(s[idx[0]]);
	}
	return 1;
}

/* json_validate -- see json.h */
int
json_validate(const char *text, size_t n, struct json_span *span,
    struct json_error *e)
{
	if (fast_validate((const uchar *)text, n, span, NULL, NULL))
		return ok(e);
	return validate(text, n, span, e, NULL, NULL);
}

/*
 * json_validate_want -- json_validate, and the values of the last
 * top-level members named by want into found (want may be NULL).
 */
int
json_validate_want(const char *text, size_t n, struct json_span *span,
    struct json_error *e, const struct json_want *want,
    struct json_span *found)
{
	if (want == NULL || want->n <= 0 || found == NULL)
		want = NULL;
	if (fast_validate((const uchar *)text, n, span, want, found))
		return ok(e);
	if (want == NULL)
		return validate(text, n, span, e, NULL, NULL);
	return validate(text, n, span, e, want, found);
}

/* json_valid_utf8 -- 1 if the n bytes are well-formed UTF-8, else 0 */
int
json_valid_utf8(const char *text, size_t n)
{
	const uchar *p, *end;
	uint64_t x;

	p = (const uchar *)text;
	end = p + n;
	while (p < end) {
		while (end - p >= 8) {
			memcpy(&x, p, 8);
			if ((x & 0x8080808080808080ULL) != 0)
				break;
			p += 8;
		}
		while (p < end && *p < 0x80)
			p++;
		if (p == end)
			break;
		if ((p = utf8_seq(p, end)) == NULL)
			return 0;
	}
	return 1;
}

/* ---- Walking validated text ---- */

static enum json_type
type_of(int c)
{
	switch (c) {
	case '{':
		return JSON_OBJECT;
	case '[':
		return JSON_ARRAY;
	case '"':
		return JSON_STRING;
	case 't':
		return JSON_TRUE;
	case 'f':
		return JSON_FALSE;
	case 'n':
		return JSON_NULL;
	default:
		return JSON_NUMBER;
	}
}

/* str_close -- the closing quote of the string whose body starts at p */
static const uchar *
str_close(const uchar *p, const uchar *end)
{
	for (;;) {
		p = scan_quote(p, end);
		if (p >= end || *p == '"')
			return p;
		if (end - p < 2)
			return end;
		p += 2;			/* the backslash and the next byte */
	}
}

/* skip_value -- the end of the value that starts at p, never past end */
static const uchar *
skip_value(const uchar *p, const uchar *end)
{
	size_t depth;

	if (p >= end)
		return end;
	if (cls[*p] != C_OPEN && *p != '"') {
		while (p < end && cls[*p] == 0)
			p++;
		return p;
	}
	depth = 0;
	while (p < end) {
		switch (cls[*p]) {
		case C_QUOTE:
			p = str_close(p + 1, end);
			if (p < end)
				p++;
			break;
		case C_OPEN:
			depth++;
			p++;
			break;
		case C_CLOSE:
			depth--;
			p++;
			break;
		default:
			p++;
			continue;
		}
		if (depth == 0)
			return p;
	}
	return end;
}

void
json_iter_init(struct json_iter *it, struct json_span v)
{
	if ((v.type == JSON_ARRAY || v.type == JSON_OBJECT) && v.len >= 2) {
		it->p = v.p + 1;
		it->end = v.p + v.len - 1;	/* the closing bracket */
	} else
		it->p = it->end = v.p;
}

/*
 * json_iter_next -- the next member (key and value) of an object, or
 * element of an array; 0 at the end.  key may be NULL.
 */
int
json_iter_next(struct json_iter *it, struct json_span *key,
    struct json_span *val)
{
	const uchar *p, *end, *q;

	p = (const uchar *)it->p;
	end = (const uchar *)it->end;
	while (p < end && (cls[*p] == C_WS || *p == ','))
		p++;
	if (p >= end) {
		it->p = it->end;
		return 0;
	}
	if (*end == '}') {
		q = str_close(p + 1, end);
		if (q < end)
			q++;
		if (key != NULL) {
			key->p = (const char *)p;
			key->len = (size_t)(q - p);
			key->type = JSON_STRING;
		}
		p = skip_ws(q, end);
		if (p < end && *p == ':')
			p++;
		p = skip_ws(p, end);
	} else if (key != NULL) {
		key->p = NULL;
		key->len = 0;
		key->type = JSON_NONE;
	}
	q = skip_value(p, end);
	val->p = (const char *)p;
	val->len = (size_t)(q - p);
	val->type = p < end ? type_of(*p) : JSON_NONE;
	it->p = (const char *)q;
	return val->type != JSON_NONE;
}

/* ---- Strings ---- */

/*
 * unescape -- decode the escape at p (a backslash) into *cp and return
 * the byte after it.  A \u surrogate pair is one code point; a lone
 * surrogate becomes U+FFFD, as jq does.
 */
static const uchar *
unescape(const uchar *p, const uchar *end, uint32_t *cp)
{
	uint32_t u, lo;

	if (end - p < 2) {
		*cp = 0xfffd;
		return end;
	}
	switch (p[1]) {
	case 'b':
		*cp = '\b';
		return p + 2;
	case 'f':
		*cp = '\f';
		return p + 2;
	case 'n':
		*cp = '\n';
		return p + 2;
	case 'r':
		*cp = '\r';
		return p + 2;
	case 't':
		*cp = '\t';
		return p + 2;
	case 'u':
		break;
	default:
		*cp = p[1];
		return p + 2;
	}
	if (end - p < 6) {
		*cp = 0xfffd;
		return end;
	}
	u = (uint32_t)hexv[p[2]] << 12 | (uint32_t)hexv[p[3]] << 8 |
	    (uint32_t)hexv[p[4]] << 4 | hexv[p[5]];
	p += 6;
	if (u >= 0xdc00 && u <= 0xdfff)
		u = 0xfffd;
	else if (u >= 0xd800 && u <= 0xdbff) {
		if (end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
			lo = (uint32_t)hexv[p[2]] << 12 |
			    (uint32_t)hexv[p[3]] << 8 |
			    (uint32_t)hexv[p[4]] << 4 | hexv[p[5]];
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				*cp = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
				return p + 6;
			}
		}
		u = 0xfffd;
	}
	*cp = u;
	return p;
}

/* utf8_put -- encode cp into out; returns the byte count */
static int
utf8_put(uint32_t cp, uchar *out)
{
	if (cp < 0x80) {
		out[0] = (uchar)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uchar)(0xc0 | cp >> 6);
		out[1] = (uchar)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uchar)(0xe0 | cp >> 12);
		out[1] = (uchar)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (uchar)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (uchar)(0xf0 | cp >> 18);
	out[1] = (uchar)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (uchar)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (uchar)(0x80 | (cp & 0x3f));
	return 4;
}

static void
sread_init(struct sread *r, const uchar *p, size_t n, int plain)
{
	r->p = p;
	r->end = p + n;
	r->plain = plain;
	r->ipend = r->npend = 0;
}

/* sread_next -- the next unescaped byte, or -1 at the end */
static int
sread_next(struct sread *r)
{
	uint32_t cp;

	if (r->ipend < r->npend)
		return r->pend[r->ipend++];
	if (r->p >= r->end)
		return -1;
	if (r->plain || *r->p != '\\')
		return *r->p++;
	r->p = unescape(r->p, r->end, &cp);
	r->npend = utf8_put(cp, r->pend);
	r->ipend = 1;
	return r->pend[0];
}

/*
 * str_cmp -- jq's string order on two bodies: memcmp of the unescaped
 * bytes, then length.  esc says whether a body may hold escapes.
 */
static int
str_cmp(const uchar *a, size_t alen, int aesc, const uchar *b, size_t blen,
    int besc)
{
	struct sread ra, rb;
	int ca, cb, r;

	if (!aesc && !besc) {
		r = memcmp(a, b, alen < blen ? alen : blen);
		if (r != 0)
			return r < 0 ? -1 : 1;
		return alen < blen ? -1 : alen > blen;
	}
	sread_init(&ra, a, alen, !aesc);
	sread_init(&rb, b, blen, !besc);
	for (;;) {
		ca = sread_next(&ra);
		cb = sread_next(&rb);
		if (ca != cb)
			return ca < cb ? -1 : 1;
		if (ca == -1)
			return 0;
	}
}

/*
 * key_eq -- whether the key token tok (quotes included) unescapes to the
 * len bytes at k.  Unescaping never makes a body longer, so a body of the
 * same length matches only byte for byte and without escapes.
 */
static int
key_eq(const uchar *tok, size_t toklen, const char *k, size_t len)
{
	const uchar *body;
	size_t blen;

	body = tok + 1;
	blen = toklen - 2;
	if (blen < len)
		return 0;
	if (blen == len)
		return memcmp(body, k, len) == 0 &&
		    memchr(body, '\\', blen) == NULL;
	if (memchr(body, '\\', blen) == NULL)
		return 0;
	return str_cmp(body, blen, 1, (const uchar *)k, len, 0) == 0;
}

/* json_string -- append the unescaped bytes of a string value */
void
json_string(struct json_span v, struct buf *b)
{
	const uchar *p, *end, *q;
	uchar u[4];
	uint32_t cp;

	if (v.type != JSON_STRING || v.len < 2)
		return;
	p = (const uchar *)v.p + 1;
	end = (const uchar *)v.p + v.len - 1;
	buf_grow(b, (size_t)(end - p));
	while (p < end) {
		if ((q = memchr(p, '\\', (size_t)(end - p))) == NULL)
			q = end;
		buf_add(b, p, (size_t)(q - p));
		if (q == end)
			break;
		p = unescape(q, end, &cp);
		buf_add(b, u, (size_t)utf8_put(cp, u));
	}
	buf_add(b, "", 0);		/* NUL-terminated even if empty */
}

/* ---- Paths ---- */

/*
 * path_string -- read a jq string literal at *pp (the opening quote) into
 * out, at most *len bytes; *len becomes the length.  Escapes are jq's;
 * interpolation, raw control characters, invalid UTF-8 and lone
 * surrogates (which jq 1.6 rejects) give an error message.
 */
static const char *
path_string(const uchar **pp, const uchar *end, char *out, size_t *len)
{
	const uchar *p, *q;
	size_t n, max;
	uint32_t cp;
	uchar u[4];
	int k;

	p = *pp + 1;
	max = *len;
	n = 0;
	for (;;) {
		if (p >= end)
			return E_EOF;
		if (*p == '"')
			break;
		if (*p < 0x20)
			return E_CTRL;
		if (*p == '\\') {
			if (end - p < 2)
				return E_EOF;
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				break;
			case 'u':
				if (end - p < 6 || (hexv[p[2]] | hexv[p[3]] |
				    hexv[p[4]] | hexv[p[5]]) & 16)
					return E_UESC;
				break;
			default:
				return E_ESC;
			}
			q = p;
			p = unescape(p, end, &cp);
			if (q[1] == 'u' && (hexv[q[2]] << 4 | hexv[q[3]]) >=
			    0xd8 && (hexv[q[2]] << 4 | hexv[q[3]]) <= 0xdf &&
			    cp < 0x10000)
				return E_UESC;	/* a lone surrogate */
			k = utf8_put(cp, u);
		} else if (*p < 0x80) {
			u[0] = *p++;
			k = 1;
		} else {
			if ((q = utf8_seq(p, end)) == NULL)
				return E_UTF8;
			k = (int)(q - p);
			memcpy(u, p, (size_t)k);
			p = q;
		}
		if (max - n < (size_t)k)
			return "key too long";
		memcpy(out + n, u, (size_t)k);
		n += (size_t)k;
	}
	*pp = p + 1;
	*len = n;
	return NULL;
}

/*
 * json_path_parse -- a jq 1.6 simple path: "." alone, or steps .name,
 * ."str", [N] and ["str"] (only the first step may be written .[...]),
 * with space around it but not inside.  All keys are copied, unescaped,
 * into path->text, in order.
 */
int
json_path_parse(const char *text, size_t n, struct json_path *path)
{
	const uchar *p, *end, *q;
	struct json_step *st;
	size_t used, len;
	unsigned long v;
	int first, neg;

	p = (const uchar *)text;
	end = p + n;
	p = skip_ws(p, end);
	while (end > p && cls[end[-1]] == C_WS)
		end--;
	path->n = 0;
	used = 0;
	if (p == end || *p != '.')
		return -1;
	if (end - p == 1)
		return 0;
	for (first = 1; p < end; first = 0) {
		if (path->n == JSON_PATH_MAX)
			return -1;
		st = &path->step[path->n];
		st->key = NULL;
		st->keylen = 0;
		st->index = 0;
		if (*p == '.') {
			if (++p == end)
				return -1;
			if (*p == '[' && first)
				goto bracket;
			if (*p == '"')
				goto string;
			if (!(*p == '_' || ((*p | 0x20) >= 'a' &&
			    (*p | 0x20) <= 'z')))
				return -1;
			for (q = p; q < end && (*q == '_' || ISDIGIT(*q) ||
			    ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z')); q++)
				;
			if ((size_t)(q - p) > sizeof(path->text) - used)
				return -1;
			memcpy(path->text + used, p, (size_t)(q - p));
			st->key = path->text + used;
			st->keylen = (size_t)(q - p);
			used += st->keylen;
			p = q;
			path->n++;
			continue;
		}
		if (*p != '[' || first)
			return -1;
bracket:
		if (++p == end)
			return -1;
		if (*p == '"') {
			len = sizeof(path->text) - used;
			if (path_string(&p, end, path->text + used, &len) !=
			    NULL)
				return -1;
			st->key = path->text + used;
			st->keylen = len;
			used += len;
		} else {
			neg = *p == '-';
			if (neg)
				p++;
			if (p == end || !ISDIGIT(*p))
				return -1;
			for (v = 0; p < end && ISDIGIT(*p); p++)
				if (v <= (unsigned long)LONG_MAX)
					v = v * 10 + (unsigned long)(*p - '0');
			if (v > (unsigned long)LONG_MAX)
				v = (unsigned long)LONG_MAX;
			st->index = neg ? -(long)v : (long)v;
		}
		if (p == end || *p != ']')
			return -1;
		p++;
		path->n++;
		continue;
string:
		len = sizeof(path->text) - used;
		if (path_string(&p, end, path->text + used, &len) != NULL)
			return -1;
		st->key = path->text + used;
		st->keylen = len;
		used += len;
		path->n++;
	}
	return 0;
}

/* json_get -- walk path from v; see json_get_from */
int
json_get(struct json_span v, const struct json_path *path,
    struct json_span *out, struct buf *errmsg)
{
	return json_get_from(v, path, 0, out, errmsg);
}

/*
 * json_get_from -- walk the steps of path from step on, from v.  Keys are
 * found at their offsets in path->text (they were stored in order), so a
 * copied struct json_path still works.  The last of duplicate keys wins,
 * as in jq.  A step past the end leaves v as it is.
 */
int
json_get_from(struct json_span v, const struct json_path *path, int step,
    struct json_span *out, struct buf *errmsg)
{
	static const char *const kind[] = {
		"null", "null", "boolean", "boolean", "number", "string",
		"array", "object"
	};
	const struct json_step *st;
	struct json_span k, m, found;
	struct json_iter it;
	const char *key;
	size_t off, count, klen;
	long idx;
	int i;

	off = 0;
	if (step < 0)
		step = 0;
	for (i = 0; i < step && i < path->n; i++)
		if (path->step[i].key != NULL)
			off += path->step[i].keylen;
	for (i = step; i < path->n; i++) {
		st = &path->step[i];
		key = st->key != NULL ? path->text + off : NULL;
		if (key != NULL)
			off += st->keylen;
		if (v.type == JSON_NONE || v.type == JSON_NULL) {
			v.type = JSON_NONE;
			continue;
		}
		if (key != NULL && v.type != JSON_OBJECT) {
			if (errmsg == NULL)
				return -1;
			if (st->keylen < 30) {
				klen = strnlen(key, st->keylen);
				buf_printf(errmsg, "Cannot index %s with "
				    "string \"%.*s\"", kind[v.type], (int)klen,
				    key);
			} else
				buf_printf(errmsg, "Cannot index %s with "
				    "string", kind[v.type]);
			return -1;
		}
		if (key == NULL && v.type != JSON_ARRAY) {
			if (errmsg != NULL)
				buf_printf(errmsg, "Cannot index %s with "
				    "number", kind[v.type]);
			return -1;
		}
		found.p = v.p;
		found.len = 0;
		found.type = JSON_NONE;
		json_iter_init(&it, v);
		if (key != NULL) {
			while (json_iter_next(&it, &k, &m))
				if (key_eq((const uchar *)k.p, k.len, key,
				    st->keylen))
					found = m;
		} else {
			idx = st->index;
			if (idx < 0) {
				for (count = 0; json_iter_next(&it, NULL, &m);)
					count++;
				json_iter_init(&it, v);
				if ((unsigned long)-(idx + 1) >= count)
					idx = -1;
				else
					idx += (long)count;
			}
			while (idx >= 0 && json_iter_next(&it, NULL, &m))
				if (idx-- == 0)
					found = m;
		}
		v = found;
	}
	*out = v;
	return 0;
}

/* ---- Values ---- */

int
json_truthy(struct json_span v)
{
	return v.type != JSON_NONE && v.type != JSON_NULL &&
	    v.type != JSON_FALSE;
}

/*
 * json_number -- the double of a number literal.  Up to 19 significant
 * digits with a small exponent are exact without strtod (Clinger's fast
 * path); the rest goes to strtod as digits and an exponent without a
 * decimal point, which reads the same in every locale.  Only a literal
 * longer than 64 bytes allocates.
 */
double
json_number(struct json_span v)
{
	const uchar *p, *end, *q;
	char tmp[64], *s, *w;
	uint64_t m;
	long exp, e;
	int neg, nd, eneg, lz;
	double d;

	p = (const uchar *)v.p;
	end = p + v.len;
	if (v.type != JSON_NUMBER || p == end)
		return 0;
	neg = *p == '-';
	if (neg)
		p++;
	m = 0;
	nd = 0;
	exp = 0;
	lz = 1;
	for (q = p; q < end && (ISDIGIT(*q) || *q == '.'); q++) {
		if (*q == '.')
			continue;
		if (lz && *q == '0')
			continue;
		lz = 0;
		if (nd < 19)
			m = m * 10 + (uint64_t)(*q - '0');
		nd++;
	}
	for (q = p; q < end && ISDIGIT(*q); q++)
		;
	if (q < end && *q == '.')
		for (q++; q < end && ISDIGIT(*q); q++)
			exp--;
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		eneg = q < end && *q == '-';
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		for (e = 0; q < end && ISDIGIT(*q); q++)
			if (e < 100000000)
				e = e * 10 + (*q - '0');
		exp += eneg ? -e : e;
	}
	if (nd <= 19 && m <= ((uint64_t)1 << 53) && exp >= -22 &&
	    exp <= 22) {
		d = (double)m;
		d = exp < 0 ? d / pow10tab[-exp] : d * pow10tab[exp];
		return neg ? -d : d;
	}
	/* "-", the digits, "e", the exponent and the NUL */
	s = v.len + 24 <= sizeof(tmp) ? tmp : xmalloc(v.len + 24);
	w = s;
	if (neg)
		*w++ = '-';
	for (q = p; q < end && (ISDIGIT(*q) || *q == '.'); q++)
		if (*q != '.')
			*w++ = (char)*q;
	snprintf(w, 24, "e%ld", exp);
	d = strtod(s, NULL);
	if (s != tmp)
		free(s);
	return d;
}

/* ---- Writing ---- */

int
json_uint(struct json_span v, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;
	unsigned dig;

	if (v.type != JSON_NUMBER || v.len == 0 || v.len > 20)
		return -1;
	for (i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;		/* '-', '.', 'e' */
		dig = (unsigned)(v.p[i] - '0');
		if (x > (UINT64_MAX - dig) / 10)
			return -1;
		x = x * 10 + dig;
	}
	*out = x;
	return 0;
}

void
json_put_codepoint(struct buf *b, uint32_t cp)
{
	uchar u[4];

	if (cp < 0x80)
		put_char(b, (int)cp);
	else
		buf_add(b, u, (size_t)utf8_put(cp, u));
}

struct json_span
json_span_of(const char *p, size_t n)
{
	struct json_span v;

	v.p = p;
	v.len = n;
	v.type = n > 0 ? type_of((uchar)*p) : JSON_NONE;
	return v;
}

/* put_char -- one ASCII byte, escaped as jq -c does */
static void
put_char(struct buf *b, int c)
{
	static const char hex[] = "0123456789abcdef";
	char e[7];

	switch (c) {
	case '"':
		buf_add(b, "\\\"", 2);
		return;
	case '\\':
		buf_add(b, "\\\\", 2);
		return;
	case '\b':
		buf_add(b, "\\b", 2);
		return;
	case '\f':
		buf_add(b, "\\f", 2);
		return;
	case '\n':
		buf_add(b, "\\n", 2);
		return;
	case '\r':
		buf_add(b, "\\r", 2);
		return;
	case '\t':
		buf_add(b, "\\t", 2);
		return;
	}
	if (c < 0x20 || c == 0x7f) {
		memcpy(e, "\\u00", 4);
		e[4] = hex[c >> 4];
		e[5] = hex[c & 15];
		buf_add(b, e, 6);
		return;
	}
	buf_addc(b, c);
}

/*
 * json_put_string -- n bytes as a JSON string, escaped as jq -c does.
 * Ill-formed UTF-8 becomes U+FFFD, cut where jq cuts it, so the output
 * is always valid JSON.
 */
void
json_put_string(struct buf *b, const char *text, size_t n)
{
	const uchar *p, *end, *run, *q;

	p = (const uchar *)text;
	end = p + n;
	buf_grow(b, n + 2);
	buf_addc(b, '"');
	run = p;
	while (p < end) {
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') {
			p++;
			continue;
		}
		if (*p >= 0x80 && (q = utf8_seq(p, end)) != NULL) {
			p = q;
			continue;
		}
		buf_add(b, run, (size_t)(p - run));
		if (*p >= 0x80) {
			buf_add(b, "\xef\xbf\xbd", 3);
			p = utf8_bad(p, end);
		} else
			put_char(b, *p++);
		run = p;
	}
	buf_add(b, run, (size_t)(p - run));
	buf_addc(b, '"');
}

/*
 * put_digits -- the significant digits dig[0..nd) with the decimal point
 * after decpt digits, in jq 1.6's layout (jvp_dtoa_fmt): an exponent of
 * at least two digits when decpt <= -4 or decpt > nd + 15.
 */
static void
put_digits(struct buf *b, int neg, const char *dig, int nd, int decpt)
{
	int i;

	if (neg)
		buf_addc(b, '-');
	if (decpt <= -4 || decpt > nd + 15) {
		buf_addc(b, dig[0]);
		if (nd > 1) {
			buf_addc(b, '.');
			buf_add(b, dig + 1, (size_t)nd - 1);
		}
		buf_printf(b, "e%c%02d", decpt - 1 < 0 ? '-' : '+',
		    abs(decpt - 1));
	} else if (decpt <= 0) {
		buf_add(b, "0.", 2);
		for (i = decpt; i < 0; i++)
			buf_addc(b, '0');
		buf_add(b, dig, (size_t)nd);
	} else if (decpt >= nd) {
		buf_add(b, dig, (size_t)nd);
		for (i = nd; i < decpt; i++)
			buf_addc(b, '0');
	} else {
		buf_add(b, dig, (size_t)decpt);
		buf_addc(b, '.');
		buf_add(b, dig + decpt, (size_t)(nd - decpt));
	}
}

/*
 * digits -- x (> 0) rounded to prec significant digits: the digits in dig
 * (nd of them) and the power of ten of the first; 1 if they read back as x
 */
static int
digits(double x, int prec, char *dig, int *nd, int *exp10)
{
	char tmp[40], num[48];
	const char *s;

	snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, x);
	/* digits, whatever the locale's decimal point, then e */
	for (*nd = 0, s = tmp; *s != 'e' && *s != '\0'; s++)
		if (ISDIGIT(*s))
			dig[(*nd)++] = *s;
	*exp10 = *s == 'e' ? atoi(s + 1) : 0;
	snprintf(num, sizeof(num), "%.*se%d", *nd, dig, *exp10 - (*nd - 1));
	return strtod(num, NULL) == x;
}

/*
 * json_put_number -- integers below 1e17 in magnitude as integers, else
 * the fewest significant digits that read back to the same double, laid
 * out as jq 1.6 does (1e+300, 1.5e-07, 0.0001).  NaN is null and the
 * infinities are +-DBL_MAX, as in jq.  -0 is "-0", as in jq.
 */
void
json_put_number(struct buf *b, double d)
{
	char dig[24];
	int prec, nd, exp10, lo, hi;

	if (isnan(d)) {
		buf_add(b, "null", 4);
		return;
	}
	if (d > DBL_MAX)
		d = DBL_MAX;
	else if (d < -DBL_MAX)
		d = -DBL_MAX;
	if (fabs(d) < 1e17 && d == trunc(d)) {
		buf_printf(b, "%.0f", d);
		return;
	}
	/*
	 * The fewest digits that read back: if p digits do, p + 1 do too,
	 * so a binary search over 1..17 finds it in five tries, not 17.
	 */
	for (lo = 1, hi = 17; lo < hi; ) {
		prec = (lo + hi) / 2;
		if (digits(fabs(d), prec, dig, &nd, &exp10))
			hi = prec;
		else
			lo = prec + 1;
	}
	(void)digits(fabs(d), lo, dig, &nd, &exp10);
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	put_digits(b, d < 0, dig, nd, exp10 + 1);
}

/*
 * json_compact -- the value with the space outside strings removed; every
 * literal is kept byte for byte.
 */
void
json_compact(struct json_span v, struct buf *b)
{
	const uchar *p, *end, *q;

	p = (const uchar *)v.p;
	end = p + v.len;
	if (v.type == JSON_NONE) {
		buf_add(b, "null", 4);
		return;
	}
	buf_add(b, "", 0);		/* room, and NUL-terminated */
	buf_grow(b, v.len);
	while (p < end) {
		if (cls[*p] == C_WS) {
			p++;
			continue;
		}
		q = p;
		while (q < end && cls[*q] != C_WS && *q != '"')
			q++;
		if (q < end && *q == '"') {
			q = str_close(q + 1, end);
			if (q < end)
				q++;
		}
		buf_add(b, p, (size_t)(q - p));
		p = q;
	}
}

/*
 * json_normal -- the value as jq -c writes it: no insignificant space,
 * strings re-escaped, numbers in their shortest form (1.0 as 1, 1e2 as
 * 100).  Integer literals are the one exception: kept as written, so ids
 * beyond 2^53 survive a projection, as in jq 1.7.
 */
void
json_normal(struct json_span v, struct buf *b)
{
	const uchar *p, *end, *q;
	struct json_span num;
	int plain;

	p = (const uchar *)v.p;
	end = p + v.len;
	if (v.type == JSON_NONE) {
		buf_add(b, "null", 4);
		return;
	}
	buf_grow(b, v.len);
	while (p < end) {
		if (cls[*p] == C_WS) {
			p++;
		} else if (*p == '"') {
			q = str_close(p + 1, end);
			for (plain = 1, num.p = (const char *)p + 1;
			    (const uchar *)num.p < q; num.p++)
				if (*num.p == '\\' || *num.p == 0x7f)
					plain = 0;
			if (plain)
				buf_add(b, p, (size_t)(q + 1 - p));
			else
				canon_string(b, p + 1, (size_t)(q - p - 1));
			p = q + 1;
		} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
			for (q = p, plain = 1; q < end && (strchr("+-.eE",
			    *q) != NULL || (*q >= '0' && *q <= '9')); q++)
				if (*q == '.' || *q == 'e' || *q == 'E')
					plain = 0;
			if (plain) {
				buf_add(b, p, (size_t)(q - p));
			} else {
				num.p = (const char *)p;
				num.len = (size_t)(q - p);
				num.type = JSON_NUMBER;
				json_put_number(b, json_number(num));
			}
			p = q;
		} else {
			for (q = p + 1; q < end && cls[*q] != C_WS &&
			    *q != '"' && *q != '-' && (*q < '0' || *q > '9');
			    q++)
				;
			buf_add(b, p, (size_t)(q - p));
			p = q;
		}
	}
}

/* ---- Nested walks without recursion ---- */

static void
work_init(struct work *w)
{
	w->f = w->finl;
	w->nf = 0;
	w->capf = WORK_FRAMES;
	w->m = w->minl;
	w->nm = 0;
	w->capm = WORK_MEMBERS;
}

static void
work_free(struct work *w)
{
	if (w->f != w->finl)
		free(w->f);
	if (w->m != w->minl)
		free(w->m);
	work_init(w);
}

/* frame_push -- a new frame on top; earlier frame pointers go stale */
static struct frame *
frame_push(struct work *w)
{
	struct frame *nf;

	if (w->nf == w->capf) {
		if (w->f == w->finl) {
			nf = xreallocarray(NULL, w->capf * 2, sizeof(*nf));
			memcpy(nf, w->finl, sizeof(w->finl));
		} else
			nf = xreallocarray(w->f, w->capf * 2, sizeof(*nf));
		w->f = nf;
		w->capf *= 2;
	}
	return &w->f[w->nf++];
}

/* member_cmp -- by unescaped key, then by position */
static int
member_cmp(const void *va, const void *vb)
{
	const struct member *a = va, *b = vb;
	int r;

	r = str_cmp(a->k, a->klen, a->esc, b->k, b->klen, b->esc);
	if (r != 0)
		return r;
	return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/*
 * members_load -- append the members of object v to w->m, sorted by key
 * with only the last of equal keys kept; *off is where they start, and
 * the count is returned.
 */
static size_t
members_load(struct work *w, struct json_span v, size_t *off)
{
	struct json_iter it;
	struct json_span k, val;
	struct member *m, t, *nm;
	size_t n, i, j;

	*off = w->nm;
	json_iter_init(&it, v);
	for (n = 0; json_iter_next(&it, &k, &val); n++) {
		if (w->nm == w->capm) {
			if (w->m == w->minl) {
				nm = xreallocarray(NULL, w->capm * 2,
				    sizeof(*nm));
				memcpy(nm, w->minl, sizeof(w->minl));
			} else
				nm = xreallocarray(w->m, w->capm * 2,
				    sizeof(*nm));
			w->m = nm;
			w->capm *= 2;
		}
		m = &w->m[w->nm++];
		m->k = (const uchar *)k.p + 1;
		m->klen = k.len - 2;
		/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
		m->esc = memchr(m->k, '\\', m->klen) != NULL;
		m->ord = n;
		m->v = val;
	}
	m = w->m + *off;
	if (n <= 16) {
		for (i = 1; i < n; i++) {
			t = m[i];
			for (j = i; j > 0 && member_cmp(&m[j - 1], &t) > 0; j--)
				m[j] = m[j - 1];
			m[j] = t;
		}
	} else
		qsort(m, n, sizeof(*m), member_cmp);
	/* keep the last of each run of equal keys */
	for (i = j = 0; i < n; i++) {
		if (i + 1 < n && str_cmp(m[i].k, m[i].klen, m[i].esc,
		    m[i + 1].k, m[i + 1].klen, m[i + 1].esc) == 0)
			continue;
		m[j++] = m[i];
	}
	w->nm = *off + j;
	return j;
}

/*
 * cmp_open -- compare a and b where they differ in kind or are scalars;
 * for two arrays or two objects push a frame (after comparing the
 * objects' sorted key lists) and return 0.
 */
static int
cmp_open(struct work *w, struct json_span a, struct json_span b)
{
	enum json_type ta, tb;
	struct frame *f;
	struct member *ma, *mb;
	size_t i, na, nb, offa, offb;
	double da, db;
	int r;

	r = 0;

	ta = a.type == JSON_NONE ? JSON_NULL : a.type;
	tb = b.type == JSON_NONE ? JSON_NULL : b.type;
	if (ta != tb)
		return ta < tb ? -1 : 1;
	switch (ta) {
	case JSON_NUMBER:
		da = json_number(a);
		db = json_number(b);
		return da < db ? -1 : da > db;
	case JSON_STRING:
		return str_cmp((const uchar *)a.p + 1, a.len - 2, 1,
		    (const uchar *)b.p + 1, b.len - 2, 1);
	case JSON_ARRAY:
		f = frame_push(w);
		f->kind = JSON_ARRAY;
		json_iter_init(&f->ia, a);
		json_iter_init(&f->ib, b);
		return 0;
	case JSON_OBJECT:
		na = members_load(w, a, &offa);
		nb = members_load(w, b, &offb);
		ma = w->m + offa;
		mb = w->m + offb;
		for (i = 0; r == 0 && i < na && i < nb; i++)
			r = str_cmp(ma[i].k, ma[i].klen, ma[i].esc,
			    mb[i].k, mb[i].klen, mb[i].esc);
		if (r != 0)
			return r;
		if (na != nb)
			return na < nb ? -1 : 1;
		f = frame_push(w);
		f->kind = JSON_OBJECT;
		f->ma = offa;
		f->na = na;
		f->mb = offb;
		f->nb = nb;
		f->i = 0;
		return 0;
	default:
		return 0;
	}
}

/*
 * json_cmp -- jq's total order (jv_cmp): by kind, then numbers by value,
 * strings by bytes, arrays element by element, objects by their sorted
 * key lists and then by the values in key order.  Returns -1, 0 or 1.
 * The first difference found, at any depth, decides.
 */
int
json_cmp(struct json_span a, struct json_span b)
{
	struct work w;
	struct frame *f;
	struct json_span va, vb;
	int ga, gb, r;

	work_init(&w);
	r = cmp_open(&w, a, b);
	while (r == 0 && w.nf > 0) {
		f = &w.f[w.nf - 1];
		if (f->kind == JSON_ARRAY) {
			ga = json_iter_next(&f->ia, NULL, &va);
			gb = json_iter_next(&f->ib, NULL, &vb);
			if (!ga || !gb) {
				r = ga - gb;	/* the shorter is less */
				w.nf--;
				continue;
			}
		} else {
			if (f->i == f->na) {
				w.nm = f->ma;
				w.nf--;
				continue;
			}
			va = w.m[f->ma + f->i].v;
			vb = w.m[f->mb + f->i].v;
			f->i++;
		}
		r = cmp_open(&w, va, vb);
	}
	work_free(&w);
	return r;
}

/*
 * canon_string -- the string body at p re-escaped as json_put_string
 * would write its unescaped bytes.
 */
static void
canon_string(struct buf *b, const uchar *p, size_t n)
{
	const uchar *end, *run;
	uchar u[4];
	uint32_t cp;

	end = p + n;
	buf_addc(b, '"');
	run = p;
	while (p < end) {
		if (*p != '\\' && *p != 0x7f) {
			p++;
			continue;
		}
		buf_add(b, run, (size_t)(p - run));
		if (*p == 0x7f) {
			put_char(b, *p++);
		} else {
			p = unescape(p, end, &cp);
			if (cp < 0x80)
				put_char(b, (int)cp);
			else
				buf_add(b, u, (size_t)utf8_put(cp, u));
		}
		run = p;
	}
	buf_add(b, run, (size_t)(p - run));
	buf_addc(b, '"');
}

/*
 * canon_number -- an integer literal as written ("-0" as "0"), any other
 * number through json_put_number, so that 1.0, 1e0 and 1 agree.
 */
static void
canon_number(struct buf *b, struct json_span v)
{
	double d;
	size_t i;

	for (i = 0; i < v.len; i++)
		if (v.p[i] == '.' || v.p[i] == 'e' || v.p[i] == 'E')
			break;
	if (i == v.len) {
		if (v.len == 2 && v.p[0] == '-' && v.p[1] == '0')
			buf_addc(b, '0');
		else
			buf_add(b, v.p, v.len);
		return;
	}
	d = json_number(v);
	json_put_number(b, d == 0 ? 0.0 : d);
}

/* canon_open -- write a scalar, or open a container and push its frame */
static void
canon_open(struct work *w, struct buf *b, struct json_span v)
{
	struct frame *f;
	size_t off, n;

	switch (v.type) {
	case JSON_NONE:
	case JSON_NULL:
		buf_add(b, "null", 4);
		break;
	case JSON_FALSE:
		buf_add(b, "false", 5);
		break;
	case JSON_TRUE:
		buf_add(b, "true", 4);
		break;
	case JSON_NUMBER:
		canon_number(b, v);
		break;
	case JSON_STRING:
		canon_string(b, (const uchar *)v.p + 1, v.len - 2);
		break;
	case JSON_ARRAY:
		buf_addc(b, '[');
		f = frame_push(w);
		f->kind = JSON_ARRAY;
		json_iter_init(&f->ia, v);
		f->i = 0;
		break;
	case JSON_OBJECT:
		buf_addc(b, '{');
		n = members_load(w, v, &off);
		f = frame_push(w);
		f->kind = JSON_OBJECT;
		f->ma = off;
		f->na = n;
		f->i = 0;
		break;
	}
}

/* json_canon -- canonical text: see json.h */
void
json_canon(struct json_span v, struct buf *b)
{
	struct work w;
	struct frame *f;
	struct member *m;
	struct json_span e;

	work_init(&w);
	canon_open(&w, b, v);
	while (w.nf > 0) {
		f = &w.f[w.nf - 1];
		if (f->kind == JSON_ARRAY) {
			if (!json_iter_next(&f->ia, NULL, &e)) {
				buf_addc(b, ']');
				w.nf--;
				continue;
			}
			if (f->i++ > 0)
				buf_addc(b, ',');
			canon_open(&w, b, e);
		} else {
			if (f->i == f->na) {
				buf_addc(b, '}');
				w.nm = f->ma;
				w.nf--;
				continue;
			}
			if (f->i > 0)
				buf_addc(b, ',');
			m = &w.m[f->ma + f->i++];
			e = m->v;
			canon_string(b, m->k, m->klen);
			buf_addc(b, ':');
			canon_open(&w, b, e);
		}
	}
	work_free(&w);
}
