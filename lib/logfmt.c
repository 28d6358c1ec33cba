/*
 * logfmt -- one logfmt line as a JSON object; see logfmt.h.
 *
 * The grammar is go-logfmt's: bytes up to ' ' separate pairs; a key is a
 * run of bytes above ' ' other than '=' and '"'; "key" alone is true,
 * "key=" is "", "key=bare" is typed by infer_put and "key=\"...\"" is a
 * string with JSON's escapes.  As in go-logfmt, text right after a
 * closing quote starts the next key.  Three choices differ from go-logfmt:
 * an '=' inside a bare value is part of it (url=/a?b=c), a \u escape
 * naming a lone surrogate is an invalid escape rather than U+FFFD, and a
 * control character other than a tab outside quotes is a fault, not a
 * separator (inside quotes it is kept, escaped).
 *
 * A line is read twice: once to find the pairs and any fault, once to
 * write the object.  The first NPAIR pairs are remembered on the stack;
 * a longer line is scanned again for each pair, so nothing is allocated.
 */
#include <string.h>

#include "infer.h"
#include "json.h"
#include "logfmt.h"

#define NPAIR	64

enum kind { K_TRUE, K_EMPTY, K_BARE, K_QUOTED };

struct pair {
	size_t		 k, klen;	/* the key */
	size_t		 v, vlen;	/* the value; K_QUOTED: v is the '"' */
	enum kind	 kind;
};

struct fault {
	size_t		 col;		/* 0-based */
	const char	*msg;
};

static size_t	bad_utf8(const char *, size_t);
static int	fault(struct fault *, size_t, const char *);
static int	hex4(const char *, unsigned *);
static int	next_pair(const char *, size_t, size_t *, struct pair *,
		    struct fault *);
static void	put_pair(struct buf *, const char *, size_t, int,
		    const struct pair *, const struct pair *);
static int	quoted(const char *, size_t, size_t, struct buf *, size_t *,
		    struct fault *);
static int	same_key(const char *, const struct pair *,
		    const struct pair *);

/*
 * logfmt_record -- append the object for the n bytes at s to out and
 * return 0, or append "at column N: ..." to why and return -1 (out is then
 * untouched).  The fault reported is the leftmost one found.
 */
int
logfmt_record(const char *s, size_t n, struct buf *out, struct buf *why)
{
	struct pair pr[NPAIR], a, b, v, *last;
	struct fault f;
	size_t bad, np, i, j, pos, q;
	int rc, dup, first;

	bad = json_valid_utf8(s, n) ? n : bad_utf8(s, n);
	np = pos = 0;
	while ((rc = next_pair(s, n, &pos, &a, &f)) == 1) {
		if (np < NPAIR)
			pr[np] = a;
		np++;
	}
	if (bad < n && (rc == 0 || bad < f.col))
		rc = fault(&f, bad, "invalid UTF-8");
	if (rc == -1) {
		buf_printf(why, "at column %zu: %s", f.col + 1, f.msg);
		return -1;
	}

	buf_addc(out, '{');
	first = 1;
	if (np <= NPAIR) {
		for (i = 0; i < np; i++) {
			for (j = 0; j < i && !same_key(s, &pr[j], &pr[i]); j++)
				continue;
			if (j < i)
				continue;	/* written at its first place */
			last = &pr[i];
			for (j = i + 1; j < np; j++)
				if (same_key(s, &pr[j], &pr[i]))
					last = &pr[j];
			put_pair(out, s, n, first, &pr[i], last);
			first = 0;
		}
	} else {
		pos = 0;
		while (next_pair(s, n, &pos, &a, &f) == 1) {
			dup = 0;
			q = 0;
			while (!dup && next_pair(s, n, &q, &b, &f) == 1 &&
			    b.k < a.k)
				dup = same_key(s, &a, &b);
			if (dup)
				continue;
			v = a;
			q = pos;
			while (next_pair(s, n, &q, &b, &f) == 1)
				if (same_key(s, &a, &b))
					v = b;
			put_pair(out, s, n, first, &a, &v);
			first = 0;
		}
	}
	buf_addc(out, '}');
	return 0;
}

static int
fault(struct fault *f, size_t col, const char *msg)
{
	f->col = col;
	f->msg = msg;
	return -1;
}

static int
same_key(const char *s, const struct pair *a, const struct pair *b)
{
	return a->klen == b->klen && memcmp(s + a->k, s + b->k, a->klen) == 0;
}

/*
 * next_pair -- the pair at or after *pos: 1 and *pos moved past it, 0 at
 * the end of the line, or -1 and the fault.
 */
static int
next_pair(const char *s, size_t n, size_t *pos, struct pair *pr,
    struct fault *f)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, end;

	i = *pos;
	for (; i < n && u[i] <= ' '; i++)
		if (u[i] != ' ' && u[i] != '\t')	/* NUL, ESC...: go-logfmt
							 * splits there and makes
							 * up a key; we refuse */
			return fault(f, i, "control character");
	if (i == n) {
		*pos = n;
		return 0;
	}
	if (s[i] == '=')
		return fault(f, i, "'=' with no key");
	pr->k = i;
	while (i < n && u[i] > ' ' && s[i] != '=' && s[i] != '"')
		i++;
	if (i < n && s[i] == '"')
		return fault(f, i, "unexpected '\"'");
	pr->klen = i - pr->k;
	pr->v = pr->vlen = 0;
	if (i == n || s[i] != '=') {
		pr->kind = K_TRUE;
		*pos = i;
		return 1;
	}
	i++;
	if (i == n || u[i] <= ' ') {
		pr->kind = K_EMPTY;
		*pos = i;
		return 1;
	}
	if (s[i] == '"') {
		if (quoted(s, n, i, NULL, &end, f) != 0)
			return -1;
		pr->kind = K_QUOTED;
		pr->v = i;
		pr->vlen = end - i;
		*pos = end;
		return 1;
	}
	pr->kind = K_BARE;
	pr->v = i;
	while (i < n && u[i] > ' ' && s[i] != '"')
		i++;
	if (i < n && s[i] == '"')
		return fault(f, i, "unexpected '\"'");
	pr->vlen = i - pr->v;
	*pos = i;
	return 1;
}

/* put_pair -- ",key:value" (no comma when first), the value from val */
static void
put_pair(struct buf *out, const char *s, size_t n, int first,
    const struct pair *key, const struct pair *val)
{
	struct fault f;
	size_t end;

	if (!first)
		buf_addc(out, ',');
	json_put_string(out, s + key->k, key->klen);
	buf_addc(out, ':');
	switch (val->kind) {
	case K_TRUE:
		buf_add(out, "true", 4);
		break;
	case K_EMPTY:
		buf_add(out, "\"\"", 2);
		break;
	case K_BARE:
		infer_put(out, s + val->v, val->vlen);
		break;
	case K_QUOTED:
		(void)quoted(s, n, val->v, out, &end, &f);	/* checked */
		break;
	}
}

/*
 * quoted -- the quoted value whose '"' is at s[i]: 0 and *end just past
 * the closing quote, or -1 and the fault.  With out, the value is also
 * appended as a JSON string spelled as json_put_string spells it (the
 * caller has checked that the line is valid UTF-8).  As go-logfmt does,
 * the closing quote is found first, then the escapes are checked.
 */
static int
quoted(const char *s, size_t n, size_t i, struct buf *out, size_t *end,
    struct fault *f)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long cp;
	unsigned hi, lo;
	size_t close, j, esc, run;
	int c;

	for (close = i + 1; close < n && s[close] != '"'; close++)
		if (s[close] == '\\')
			close++;
	if (close >= n)
		return fault(f, i, "unterminated quoted value");
	*end = close + 1;
	if (out != NULL)
		buf_addc(out, '"');
	for (run = j = i + 1; j < close; j++) {
		if (u[j] >= 0x20 && u[j] != 0x7f && u[j] != '\\')
			continue;
		if (out != NULL)
			buf_add(out, s + run, j - run);
		if (u[j] != '\\') {		/* a raw control character */
			if (out != NULL)
				json_put_codepoint(out, u[j]);
			run = j + 1;
			continue;
		}
		esc = j++;			/* j < close: see above */
		switch (s[j]) {
		case '"':
		case '\\':
		case '/':
			c = s[j];
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'u':
			if (close - j - 1 < 4 || hex4(s + j + 1, &hi) != 0)
				return fault(f, esc, "invalid escape");
			j += 4;
			cp = hi;
			if (hi >= 0xdc00 && hi <= 0xdfff)
				return fault(f, esc, "invalid escape");
			if (hi >= 0xd800 && hi <= 0xdbff) {
				if (close - j - 1 < 6 || s[j + 1] != '\\' ||
				    s[j + 2] != 'u' ||
				    hex4(s + j + 3, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return fault(f, esc, "invalid escape");
				j += 6;
				cp = 0x10000 + ((unsigned long)(hi - 0xd800) <<
				    10) + (lo - 0xdc00);
			}
			if (out != NULL)
				json_put_codepoint(out, (uint32_t)cp);
			run = j + 1;
			continue;
		default:
			return fault(f, esc, "invalid escape");
		}
		if (out != NULL)
			json_put_codepoint(out, (uint32_t)c);
		run = j + 1;
	}
	if (out != NULL) {
		buf_add(out, s + run, close - run);
		buf_addc(out, '"');
	}
	return 0;
}

/* hex4 -- the four hex digits at s into *v: 0, or -1 */
static int
hex4(const char *s, unsigned *v)
{
	int i, c;

	*v = 0;
	for (i = 0; i < 4; i++) {
		c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		*v = *v << 4 | (unsigned)c;
	}
	return 0;
}

/* bad_utf8 -- the offset of the first ill-formed UTF-8 byte, or n */
static size_t
bad_utf8(const char *s, size_t n)
{
	size_t i, len;
	unsigned char c;

	for (i = 0; i < n; i += len) {
		c = (unsigned char)s[i];
		len = c < 0x80 ? 1 : c < 0xc2 ? 0 : c < 0xe0 ? 2 :
		    c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
		if (len == 0 || len > n - i ||
		    (len > 1 && !json_valid_utf8(s + i, len)))
			return i;
	}
	return n;
}
