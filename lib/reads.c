/*
 * reads -- the top-level keys a jq program reads; see reads.h.
 *
 * The program is split into tokens as jq 1.6's lexer does (a string with
 * interpolations becomes QSTART, IOPEN ... ICLOSE for each "\(...)", then
 * QEND), then parsed by recursive descent, bounded by MAXDEPTH.
 *
 * Every expression is analysed in RECORD context, where "." is the record:
 * a parse function returns -1 (give up), 0 (every output and error is a
 * function of the values of the keys collected so far: "derived") or 1
 * (an output may be the record itself, as from "." or select(...)).  A
 * possible record may only flow through "," , "( )", if branches, try
 * bodies, first/last/limit and into a following "| stage", which is then
 * analysed in RECORD context too.  Any other use of it (an operand, an
 * array or object member, "as $x", a builtin not on the list) gives up.
 * After "A | B" with A derived, B and the rest of its group see only
 * derived values and $variables bound to derived values, so they are
 * skipped unread: only their bracket, if/end, def/; and try/catch nesting
 * is checked, and names that reach other records (input, inputs,
 * input_line_number) give up.
 *
 * Analysing a derived expression as if it were RECORD is merely
 * conservative, so every doubt resolves towards RECORD or -1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reads.h"
#include "xalloc.h"

#define MAXDEPTH	64	/* nesting of groups, and of skipped groups */
#define MAXCALL		(3 * MAXDEPTH)	/* parse calls active */

#define F_NOCOMMA	1	/* an object value: ',' ends the group */

enum {
	T_EOF = 256, T_FIELD, T_DOTDOT, T_NUM, T_STR, T_QSTART, T_QEND,
	T_IOPEN, T_ICLOSE, T_FORMAT, T_IDENT,
	T_EQ, T_NE, T_LE, T_GE, T_ALT, T_ALTDESTR, T_SETOP,
	K_AS, K_DEF, K_MODULE, K_IMPORT, K_INCLUDE, K_IF, K_THEN, K_ELIF,
	K_ELSE, K_END, K_REDUCE, K_FOREACH, K_TRY, K_CATCH, K_LABEL, K_AND,
	K_OR, K_LOC, K_BREAK
};

struct tok {
	int		 type;		/* T_, K_ code, or the char */
	const char	*p;		/* FIELD, IDENT: the name; STR:
					 * the text between the quotes,
					 * still escaped */
	size_t		 len;
};

struct reader {
	struct tok	*tok;		/* owned, ends with T_EOF */
	size_t		 ntok;
	size_t		 atok;		/* allocated */
	size_t		 i;		/* the next token */
	int		 depth;		/* parse calls active */
	struct buf	*scratch;	/* key bytes, after the caller's */
	int		 nkey;
	size_t		 off[JSON_WANT_MAX];	/* into scratch->p */
	size_t		 len[JSON_WANT_MAX];
};

static const struct {
	const char	*name;
	int		 type;
} keywords[] = {
	{ "__loc__", K_LOC }, { "and", K_AND }, { "as", K_AS },
	{ "break", K_BREAK }, { "catch", K_CATCH }, { "def", K_DEF },
	{ "elif", K_ELIF }, { "else", K_ELSE }, { "end", K_END },
	{ "foreach", K_FOREACH }, { "if", K_IF }, { "import", K_IMPORT },
	{ "include", K_INCLUDE }, { "label", K_LABEL },
	{ "module", K_MODULE }, { "or", K_OR }, { "reduce", K_REDUCE },
	{ "then", K_THEN }, { "try", K_TRY }
};

/* Lexing */
static int	lex(struct reader *, const char *);
static void	emit(struct reader *, int, const char *, size_t);
static const char *string(struct reader *, const char *);
static const char *operator(struct reader *, const char *);
static int	isident(int, int);

/* Keys */
static int	add_key(struct reader *, const char *, size_t, int);
static int	unescape(const char *, size_t, struct buf *);
static long	hex4(const char *, const char *);
static void	put_utf8(struct buf *, long);
static int	valid_utf8(const unsigned char *, size_t);

/* Parsing in RECORD context: -1, 0 derived, 1 may be the record */
static int	peek(const struct reader *);
static int	accept(struct reader *, int);
static int	enter(struct reader *);
static int	leave(struct reader *, int);
static int	pipeline(struct reader *, int);
static int	comma(struct reader *, int);
static int	binary(struct reader *, int);
static int	unary(struct reader *, int);
static int	postfix(struct reader *);
static int	subscript(struct reader *, int);
static int	primary(struct reader *);
static int	interpolation(struct reader *);
static int	object(struct reader *);
static int	call(struct reader *);
static int	conditional(struct reader *);
static int	attempt(struct reader *);
static int	fold(struct reader *);

/* Skipping derived code */
static int	skip(struct reader *, int, int);
static int	skip_term(struct reader *);
static int	forbidden(const struct tok *);

/*
 * reads_keys -- analyse program; see reads.h.  On 0, scratch is truncated
 * back to its length on entry.
 */
int
reads_keys(const char *program, struct json_want *keys, struct buf *scratch)
{
	struct reader r;
	size_t base;
	int k, v;

	memset(&r, 0, sizeof(r));
	r.scratch = scratch;
	base = scratch->len;
	keys->n = 0;
	v = -1;
	if (lex(&r, program) == 0) {
		v = pipeline(&r, 0);
		if (peek(&r) != T_EOF)
			v = -1;
	}
	free(r.tok);
	if (v != 0) {
		scratch->len = base;
		if (scratch->p != NULL)
			scratch->p[base] = '\0';
		return 0;
	}
	for (k = 0; k < r.nkey; k++) {
		keys->key[k] = scratch->p + r.off[k];
		keys->keylen[k] = r.len[k];
	}
	keys->n = r.nkey;
	return 1;
}

/*
 * lex -- the tokens of s, ending with T_EOF, into r->tok.  -1 on a byte
 * jq does not know, an unterminated string or unbalanced brackets (the
 * stack of open brackets also tells a ')' that closes "\(" apart).
 */
static int
lex(struct reader *r, const char *s)
{
	char open[MAXDEPTH];
	int sp;

	sp = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ||
		    *s == '#') {
			if (*s == '#')
				while (*s != '\0' && *s != '\n')
					s++;
			else
				s++;
		}
		switch (*s) {
		case '\0':
			if (sp != 0)
				return -1;
			emit(r, T_EOF, s, 0);
			return 0;
		case '"':
			emit(r, T_QSTART, s, 0);
			if ((s = string(r, s + 1)) == NULL)
				return -1;
			if (r->tok[r->ntok - 1].type == T_IOPEN) {
				if (sp == MAXDEPTH)
					return -1;
				open[sp++] = 'I';
			}
			break;
		case '(': case '[': case '{':
			if (sp == MAXDEPTH)
				return -1;
			open[sp++] = *s;
			emit(r, *s, s, 1);
			s++;
			break;
		case ')': case ']': case '}':
			if (sp == 0)
				return -1;
			sp--;
			if (*s == ')' && open[sp] == 'I') {
				emit(r, T_ICLOSE, s, 1);
				if ((s = string(r, s + 1)) == NULL)
					return -1;
				if (r->tok[r->ntok - 1].type == T_IOPEN)
					sp++;
				break;
			}
			if (open[sp] != (*s == ')' ? '(' : *s == ']' ? '[' :
			    '{'))
				return -1;
			emit(r, *s, s, 1);
			s++;
			break;
		default:
			if ((s = operator(r, s)) == NULL)
				return -1;
			break;
		}
	}
}

/*
 * emit -- append a token, growing the array geometrically.
 */
static void
emit(struct reader *r, int type, const char *p, size_t len)
{
	if (r->ntok == r->atok) {
		r->atok = r->atok == 0 ? 64 : r->atok * 2;
		r->tok = xreallocarray(r->tok, r->atok, sizeof(*r->tok));
	}
	r->tok[r->ntok].type = type;
	r->tok[r->ntok].p = p;
	r->tok[r->ntok].len = len;
	r->ntok++;
}

/*
 * string -- scan string text from s (after '"' or an interpolation's ')')
 * to the closing quote, emitting QEND, or to "\(", emitting IOPEN.  A
 * string with no interpolation at all replaces its QSTART by one T_STR.
 * Returns the byte after, or NULL if the string is not terminated.
 */
static const char *
string(struct reader *r, const char *s)
{
	const char *start;
	struct tok *t;

	start = s;
	for (;;) {
		if (*s == '\0')
			return NULL;
		if (*s == '"')
			break;
		if (*s == '\\') {
			if (s[1] == '(') {
				emit(r, T_IOPEN, s, 2);
				return s + 2;
			}
			if (s[1] == '\0')
				return NULL;
			s++;
		}
		s++;
	}
	t = &r->tok[r->ntok - 1];
	if (t->type == T_QSTART) {
		t->type = T_STR;
		t->p = start;
		t->len = (size_t)(s - start);
	} else
		emit(r, T_QEND, s, 1);
	return s + 1;
}

/*
 * operator -- one token at s that is not a string or a bracket: a name,
 * a number, a path step, a format or an operator.  NULL if jq 1.6 would
 * not know it.
 */
static const char *
operator(struct reader *r, const char *s)
{
	static const struct {
		const char	*text;
		int		 type;
	} ops[] = {
		{ "?//", T_ALTDESTR }, { "//=", T_SETOP }, { "//", T_ALT },
		{ "|=", T_SETOP }, { "+=", T_SETOP }, { "-=", T_SETOP },
		{ "*=", T_SETOP }, { "/=", T_SETOP }, { "%=", T_SETOP },
		{ "==", T_EQ }, { "!=", T_NE }, { "<=", T_LE }, { ">=", T_GE },
		{ "..", T_DOTDOT }
	};
	const char *p;
	size_t i, n;
	int type;

	if ((s[0] >= '0' && s[0] <= '9') ||
	    (s[0] == '.' && s[1] >= '0' && s[1] <= '9')) {
		p = s;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				continue;
		if ((*p == 'e' || *p == 'E') && (((p[1] == '+' ||
		    p[1] == '-') && p[2] >= '0' && p[2] <= '9') ||
		    (p[1] >= '0' && p[1] <= '9')))
			for (p += 2; *p >= '0' && *p <= '9'; p++)
				continue;
		emit(r, T_NUM, s, (size_t)(p - s));
		return p;
	}
	if ((s[0] == '.' || s[0] == '@') && isident(s[1], 0)) {
		for (p = s + 1; isident(*p, 1); p++)
			continue;
		emit(r, s[0] == '.' ? T_FIELD : T_FORMAT, s + 1,
		    (size_t)(p - s - 1));
		return p;
	}
	if (isident(s[0], 0)) {
		p = s;
		for (;;) {
			while (isident(*p, 1))
				p++;
			if (p[0] != ':' || p[1] != ':' || !isident(p[2], 0))
				break;
			p += 2;
		}
		n = (size_t)(p - s);
		type = T_IDENT;
		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (strlen(keywords[i].name) == n &&
			    memcmp(keywords[i].name, s, n) == 0)
				type = keywords[i].type;
		emit(r, type, s, n);
		return p;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		n = strlen(ops[i].text);
		if (strncmp(s, ops[i].text, n) == 0) {
			emit(r, ops[i].type, s, n);
			return s + n;
		}
	}
	if (*s != '\0' && strchr(".?=;,:|+-*/%$<>", *s) != NULL) {
		emit(r, *s, s, 1);
		return s + 1;
	}
	return NULL;
}

/*
 * isident -- whether c may start (more == 0) or continue a jq name.
 */
static int
isident(int c, int more)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    c == '_' || (more && c >= '0' && c <= '9');
}

/*
 * add_key -- note that the record's member named by p (raw bytes, or a
 * string literal's escaped text if escaped) is read.  -1 on a bad escape,
 * a name that is not valid UTF-8 (jq would alter it), or too many keys.
 */
static int
add_key(struct reader *r, const char *p, size_t len, int escaped)
{
	struct buf *b;
	size_t off, n;
	int k;

	b = r->scratch;
	off = b->len;
	if (!escaped)
		buf_add(b, p, len);
	else if (unescape(p, len, b) == -1)
		return -1;
	n = b->len - off;
	if (!valid_utf8((const unsigned char *)b->p + off, n))
		return -1;
	for (k = 0; k < r->nkey; k++)
		if (r->len[k] == n && memcmp(b->p + r->off[k], b->p + off,
		    n) == 0)
			break;
	if (k < r->nkey) {
		b->len = off;
		b->p[off] = '\0';
		return 0;
	}
	if (r->nkey == JSON_WANT_MAX)
		return -1;
	r->off[r->nkey] = off;
	r->len[r->nkey] = n;
	r->nkey++;
	return 0;
}

/*
 * unescape -- append the bytes of jq string text p (no interpolation) to
 * b.  -1 on an escape JSON does not allow or an unpaired surrogate.
 */
static int
unescape(const char *p, size_t len, struct buf *b)
{
	const char *end, *q;
	long c, lo;

	end = p + len;
	while (p < end) {
		for (q = p; q < end && *q != '\\'; q++)
			continue;
		buf_add(b, p, (size_t)(q - p));
		if (q == end)
			break;
		p = q + 2;
		switch (q[1]) {
		case '"': case '\\': case '/':
			buf_addc(b, q[1]);
			break;
		case 'b':
			buf_addc(b, '\b');
			break;
		case 'f':
			buf_addc(b, '\f');
			break;
		case 'n':
			buf_addc(b, '\n');
			break;
		case 'r':
			buf_addc(b, '\r');
			break;
		case 't':
			buf_addc(b, '\t');
			break;
		case 'u':
			if ((c = hex4(p, end)) == -1 || (c >= 0xdc00 &&
			    c <= 0xdfff))
				return -1;
			p += 4;
			if (c >= 0xd800 && c <= 0xdbff) {
				if (end - p < 6 || p[0] != '\\' ||
				    p[1] != 'u' ||
				    (lo = hex4(p + 2, end)) < 0xdc00 ||
				    lo > 0xdfff)
					return -1;
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			}
			put_utf8(b, c);
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/*
 * hex4 -- the value of four hex digits at p, or -1.
 */
static long
hex4(const char *p, const char *end)
{
	long v;
	int i, c;

	if (end - p < 4)
		return -1;
	v = 0;
	for (i = 0; i < 4; i++) {
		c = (unsigned char)p[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		v = v * 16 + c;
	}
	return v;
}

/*
 * put_utf8 -- append code point c (not a surrogate, below 0x110000).
 */
static void
put_utf8(struct buf *b, long c)
{
	if (c < 0x80)
		buf_addc(b, (int)c);
	else if (c < 0x800) {
		buf_addc(b, (int)(0xc0 | (c >> 6)));
		buf_addc(b, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_addc(b, (int)(0xe0 | (c >> 12)));
		buf_addc(b, (int)(0x80 | ((c >> 6) & 0x3f)));
		buf_addc(b, (int)(0x80 | (c & 0x3f)));
	} else {
		buf_addc(b, (int)(0xf0 | (c >> 18)));
		buf_addc(b, (int)(0x80 | ((c >> 12) & 0x3f)));
		buf_addc(b, (int)(0x80 | ((c >> 6) & 0x3f)));
		buf_addc(b, (int)(0x80 | (c & 0x3f)));
	}
}

/*
 * valid_utf8 -- 1 if p is well-formed UTF-8 (no overlong forms,
 * surrogates or code points above U+10FFFF), else 0.
 */
static int
valid_utf8(const unsigned char *p, size_t n)
{
	size_t i, k, need;
	unsigned long c, min;

	for (i = 0; i < n; i += need + 1) {
		c = p[i];
		if (c < 0x80) {
			need = 0;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			c &= 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			c &= 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			c &= 0x07;
			min = 0x10000;
		} else
			return 0;
		if (n - i - 1 < need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (p[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
	}
	return 1;
}

/*
 * peek -- the type of the next token (T_EOF at the end).
 */
static int
peek(const struct reader *r)
{
	return r->tok[r->i].type;
}

/*
 * accept -- consume the next token if it has type t: 1, else 0.
 */
static int
accept(struct reader *r, int t)
{
	if (r->tok[r->i].type != t)
		return 0;
	r->i++;
	return 1;
}

/*
 * enter, leave -- bound the recursion: enter is -1 when too deep.
 */
static int
enter(struct reader *r)
{
	if (r->depth == MAXCALL)
		return -1;
	r->depth++;
	return 0;
}

static int
leave(struct reader *r, int v)
{
	r->depth--;
	return v;
}

/*
 * pipeline -- an Exp up to the end of its group: stages joined by '|'
 * (',' binds tighter, and ends an object value with F_NOCOMMA).  A stage
 * after one that may output the record is analysed; after a derived one,
 * the rest of the group is skipped.
 */
static int
pipeline(struct reader *r, int flags)
{
	int v;

	if (enter(r) == -1)
		return -1;
	v = flags & F_NOCOMMA ? binary(r, flags) : comma(r, flags);
	while (v != -1 && accept(r, '|')) {
		if (v == 0)
			return leave(r, skip(r, flags, 0));
		v = flags & F_NOCOMMA ? binary(r, flags) : comma(r, flags);
	}
	return leave(r, v);
}

/*
 * comma -- a, b: may be the record if either may.
 */
static int
comma(struct reader *r, int flags)
{
	int v, w;

	v = binary(r, flags);
	while (v != -1 && accept(r, ',')) {
		if ((w = binary(r, flags)) == -1)
			return -1;
		v |= w;
	}
	return v;
}

/*
 * binary -- operands joined by arithmetic, comparison, and, or and //.
 * Precedence does not matter here: every operand is in RECORD context,
 * and none may be the record (it would be added, compared, printed in an
 * error...).  The assignment operators are left to the caller, who fails.
 */
static int
binary(struct reader *r, int flags)
{
	int v;

	v = unary(r, flags);
	for (;;) {
		switch (peek(r)) {
		case '+': case '-': case '*': case '/': case '%':
		case T_EQ: case T_NE: case '<': case T_LE: case '>': case T_GE:
		case K_AND: case K_OR: case T_ALT:
			break;
		default:
			return v;
		}
		if (v != 0)
			return -1;
		r->i++;
		if ((v = unary(r, flags)) == 1)
			return -1;
	}
}

/*
 * unary -- a term with its postfixes, negated, or bound: "TERM as $x |
 * BODY", where BODY runs to the end of the group (jq 1.6 grammar) on the
 * same input.  Destructuring patterns give up.
 */
static int
unary(struct reader *r, int flags)
{
	int v;

	if (enter(r) == -1)
		return -1;
	if (accept(r, '-')) {
		v = unary(r, flags);
		return leave(r, v == 0 ? 0 : -1);
	}
	v = postfix(r);
	if (v == -1 || peek(r) != K_AS)
		return leave(r, v);
	r->i++;
	if (v != 0 || !accept(r, '$') || !accept(r, T_IDENT) ||
	    !accept(r, '|'))
		return leave(r, -1);
	return leave(r, pipeline(r, flags));
}

/*
 * postfix -- a primary followed by .name, ."name", [...] and '?'.  Naming
 * a member of a possible record reads that key and yields a derived value.
 */
static int
postfix(struct reader *r)
{
	const struct tok *t;
	int v;

	v = primary(r);
	while (v != -1) {
		t = &r->tok[r->i];
		switch (t->type) {
		case T_FIELD:
			if (v == 1 && add_key(r, t->p, t->len, 0) == -1)
				return -1;
			r->i++;
			v = 0;
			break;
		case '.':
			r->i++;
			t++;
			if (t->type == T_STR) {
				if (v == 1 && add_key(r, t->p, t->len, 1) == -1)
					return -1;
				r->i++;
				v = 0;
			} else if (t->type == T_QSTART && v == 0)
				v = interpolation(r);
			else
				return -1;
			break;
		case '[':
			v = subscript(r, v);
			break;
		case '?':
			r->i++;
			break;
		default:
			return v;
		}
	}
	return v;
}

/*
 * subscript -- [E], [], [E:E], [:E], [E:] applied to a value v (the
 * record when v is 1: only a lone string literal is allowed then).  The
 * expressions inside see the same input as the term, so they are in
 * RECORD context.
 */
static int
subscript(struct reader *r, int v)
{
	const struct tok *t;

	r->i++;
	if (accept(r, ']'))
		return v == 0 ? 0 : -1;
	if (v != 0) {
		t = &r->tok[r->i];
		if (t[0].type != T_STR || t[1].type != ']' ||
		    add_key(r, t->p, t->len, 1) == -1)
			return -1;
		r->i += 2;
		return 0;
	}
	if (peek(r) != ':' && pipeline(r, 0) != 0)
		return -1;
	if (accept(r, ':') && peek(r) != ']' && pipeline(r, 0) != 0)
		return -1;
	return accept(r, ']') ? 0 : -1;
}

/*
 * primary -- one term of the grammar.  '.' alone may be the record; a
 * name is analysed by call().
 */
static int
primary(struct reader *r)
{
	const struct tok *t;
	int v;

	if (enter(r) == -1)
		return -1;
	t = &r->tok[r->i];
	switch (t->type) {
	case '.':
		r->i++;
		t++;
		if (t->type == T_QSTART)
			return leave(r, -1);
		if (t->type != T_STR)
			return leave(r, 1);
		r->i++;
		return leave(r, add_key(r, t->p, t->len, 1));
	case T_FIELD:
		r->i++;
		return leave(r, add_key(r, t->p, t->len, 0));
	case T_NUM:
	case T_STR:
		r->i++;
		return leave(r, 0);
	case T_QSTART:
		return leave(r, interpolation(r));
	case '(':
		r->i++;
		v = pipeline(r, 0);
		return leave(r, accept(r, ')') ? v : -1);
	case '[':
		r->i++;
		if (accept(r, ']'))
			return leave(r, 0);
		v = pipeline(r, 0);
		return leave(r, v == 0 && accept(r, ']') ? 0 : -1);
	case '{':
		return leave(r, object(r));
	case '$':
		r->i++;
		if (accept(r, T_IDENT) || accept(r, K_LOC))
			return leave(r, 0);
		return leave(r, -1);
	case T_IDENT:
		return leave(r, call(r));
	case K_IF:
		return leave(r, conditional(r));
	case K_TRY:
		return leave(r, attempt(r));
	case K_REDUCE:
	case K_FOREACH:
		return leave(r, fold(r));
	default:			/* .., @fmt, def, label, ... */
		return leave(r, -1);
	}
}

/*
 * interpolation -- a string with "\(E)" parts: each E is in RECORD
 * context and must not be the record (it would be printed).
 */
static int
interpolation(struct reader *r)
{
	r->i++;
	while (!accept(r, T_QEND))
		if (!accept(r, T_IOPEN) || pipeline(r, 0) != 0 ||
		    !accept(r, T_ICLOSE))
			return -1;
	return 0;
}

/*
 * object -- {...}: a key "name", name or "str" alone reads that member;
 * (E) keys and all values are in RECORD context and must not be the
 * record.  Values end at ',' (jq 1.6 allows '|' but not ',' there).
 */
static int
object(struct reader *r)
{
	const struct tok *t;

	r->i++;
	for (;;) {
		t = &r->tok[r->i];
		if (accept(r, '}'))
			return 0;
		switch (t->type) {
		case T_IDENT:
			r->i++;
			if (peek(r) != ':' && (memchr(t->p, ':', t->len) !=
			    NULL || add_key(r, t->p, t->len, 0) == -1))
				return -1;
			break;
		case T_STR:
			r->i++;
			if (peek(r) != ':' && add_key(r, t->p, t->len, 1) == -1)
				return -1;
			break;
		case T_QSTART:
			if (interpolation(r) == -1 || peek(r) != ':')
				return -1;
			break;
		case '$':
			r->i++;
			if (!accept(r, T_IDENT) || peek(r) == ':')
				return -1;
			break;
		case '(':
			r->i++;
			if (pipeline(r, 0) != 0 || !accept(r, ')') ||
			    peek(r) != ':')
				return -1;
			break;
		default:
			if (t->type < K_AS)
				return -1;
			r->i++;			/* a keyword: {if: 1} */
			if (peek(r) != ':')
				return -1;
			break;
		}
		if (accept(r, ':') && pipeline(r, F_NOCOMMA) != 0)
			return -1;
		if (!accept(r, ',') && peek(r) != '}')
			return -1;
	}
}

/*
 * call -- a builtin applied to the record.  Only those that ignore their
 * input or look at it only through their arguments are known; arguments
 * see the same input, so they are in RECORD context.
 */
static int
call(struct reader *r)
{
	static const char *const plain[] = {
		"true", "false", "null", "empty", "not", "now",
		"input_filename", "env"
	};
	const struct tok *t;
	int arg[3], n, v;
	size_t i;

	t = &r->tok[r->i++];
	n = 0;
	if (accept(r, '(')) {
		do {
			if (n == 3 || (v = pipeline(r, 0)) == -1)
				return -1;
			arg[n++] = v;
		} while (accept(r, ';'));
		if (!accept(r, ')'))
			return -1;
	}
#define IS(s)	(t->len == strlen(s) && memcmp(t->p, s, t->len) == 0)
	if (n == 0) {
		for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
			if (IS(plain[i]))
				return 0;
		return -1;
	}
	if (n == 1 && IS("select"))
		return arg[0] == 0 ? 1 : -1;
	if (n == 1 && IS("error"))
		return arg[0] == 0 ? 0 : -1;
	if (n == 1 && (IS("first") || IS("last")))
		return arg[0];
	if (n == 2 && IS("limit"))
		return arg[0] == 0 ? arg[1] : -1;
	if (IS("range"))
		return arg[0] == 0 && (n < 2 || arg[1] == 0) &&
		    (n < 3 || arg[2] == 0) ? 0 : -1;
#undef IS
	return -1;
}

/*
 * conditional -- if C then A (elif C then A)* (else A)? end.  Conditions
 * must be derived; a branch may be the record, and so may a missing else
 * (jq 1.7 reads it as "else .").
 */
static int
conditional(struct reader *r)
{
	int v, w;

	r->i++;
	if (pipeline(r, 0) != 0 || !accept(r, K_THEN) ||
	    (v = pipeline(r, 0)) == -1)
		return -1;
	for (;;) {
		if (accept(r, K_ELIF)) {
			if (pipeline(r, 0) != 0 || !accept(r, K_THEN) ||
			    (w = pipeline(r, 0)) == -1)
				return -1;
			v |= w;
		} else if (accept(r, K_ELSE)) {
			if ((w = pipeline(r, 0)) == -1 || !accept(r, K_END))
				return -1;
			return v | w;
		} else if (accept(r, K_END))
			return 1;
		else
			return -1;
	}
}

/*
 * attempt -- try BODY (catch HANDLER)?.  In jq 1.6 both bind tighter than
 * any operator, so each is one postfix term: "try error(1) catch . + .b"
 * adds .b to the handler's result.  The handler's input is the error
 * message, derived, so it is skipped.  "as" after either part gives up.
 */
static int
attempt(struct reader *r)
{
	int v;

	r->i++;
	if ((v = postfix(r)) == -1 || peek(r) == K_AS)
		return -1;
	if (accept(r, K_CATCH) && (skip_term(r) == -1 || peek(r) == K_AS))
		return -1;
	return v;
}

/*
 * fold -- reduce SRC as $x (INIT; UPDATE) and foreach SRC as $x (INIT;
 * UPDATE; EXTRACT).  SRC and INIT see the record; UPDATE and EXTRACT see
 * the state, derived from INIT, so they are skipped.
 */
static int
fold(struct reader *r)
{
	int each;

	each = peek(r) == K_FOREACH;
	r->i++;
	if (postfix(r) != 0 || !accept(r, K_AS) || !accept(r, '$') ||
	    !accept(r, T_IDENT) || !accept(r, '(') || pipeline(r, 0) != 0 ||
	    !accept(r, ';') || skip(r, 0, 0) == -1)
		return -1;
	if (each && accept(r, ';') && skip(r, 0, 0) == -1)
		return -1;
	return accept(r, ')') ? 0 : -1;
}

/*
 * skip -- pass over derived code without analysis: the rest of a group
 * (one == 0), stopping before the token that ends it, or one bracketed
 * group, if ... end or string starting at the next token (one == 1).
 * Nesting is checked with an explicit stack; "try" counts are kept per
 * level so that a "catch" at level 0 that no skipped "try" owns ends the
 * group.  -1 on bad nesting, deep nesting or a forbidden name.
 */
static int
skip(struct reader *r, int flags, int one)
{
	int open[MAXDEPTH], trys[MAXDEPTH + 1], sp, t;

	sp = 0;
	trys[0] = 0;
	if (one && (t = peek(r)) != '(' && t != '[' && t != '{' &&
	    t != T_QSTART && t != K_IF)
		return -1;
	for (;;) {
		t = peek(r);
		if (sp == 0 && one == 0)
			switch (t) {
			case T_EOF: case ')': case ']': case '}': case ';':
			case ':': case T_ICLOSE: case K_THEN: case K_ELIF:
			case K_ELSE: case K_END:
				return 0;
			case ',':
				if (flags & F_NOCOMMA)
					return 0;
				break;
			case K_CATCH:
				if (trys[0] == 0)
					return 0;
				break;
			}
		switch (t) {
		case '(': case '[': case '{': case T_IOPEN: case T_QSTART:
		case K_IF: case K_DEF:
			if (sp == MAXDEPTH)
				return -1;
			open[sp++] = t;
			trys[sp] = 0;
			break;
		case ')': case ']': case '}': case T_ICLOSE: case T_QEND:
		case K_END:
			if (sp == 0 || open[sp - 1] != (t == ')' ? '(' :
			    t == ']' ? '[' : t == '}' ? '{' : t == T_ICLOSE ?
			    T_IOPEN : t == T_QEND ? T_QSTART : K_IF))
				return -1;
			sp--;
			break;
		case ';':
			if (sp > 0 && open[sp - 1] == K_DEF)
				sp--;
			else if (sp == 0 || open[sp - 1] != '(')
				return -1;
			break;
		case K_THEN: case K_ELIF: case K_ELSE:
			if (sp == 0 || open[sp - 1] != K_IF)
				return -1;
			break;
		case K_TRY:
			trys[sp]++;
			break;
		case K_CATCH:
			if (trys[sp] == 0)
				return -1;
			trys[sp]--;
			break;
		case T_EOF:
			return -1;
		default:
			if (forbidden(&r->tok[r->i]))
				return -1;
			break;
		}
		r->i++;
		if (one && sp == 0)
			return 0;
	}
}

/*
 * skip_term -- pass over one derived postfix term (a catch handler):
 * a primary, then .name, ."s", [...] and '?'.  Forms whose extent is
 * unclear in jq 1.6 (unary minus, reduce, nested try, def, label) give up.
 */
static int
skip_term(struct reader *r)
{
	int t;

	t = peek(r);
	switch (t) {
	case '.':
		r->i++;
		if (peek(r) == T_STR)
			r->i++;
		else if (peek(r) == T_QSTART && skip(r, 0, 1) == -1)
			return -1;
		break;
	case T_FORMAT:
		r->i++;
		if (peek(r) == T_STR)
			r->i++;
		else if (peek(r) == T_QSTART && skip(r, 0, 1) == -1)
			return -1;
		break;
	case T_FIELD: case T_DOTDOT: case T_NUM: case T_STR:
		r->i++;
		break;
	case T_QSTART: case '(': case '[': case '{': case K_IF:
		if (skip(r, 0, 1) == -1)
			return -1;
		break;
	case '$':
		r->i++;
		if (!accept(r, T_IDENT) && !accept(r, K_LOC))
			return -1;
		break;
	case T_IDENT:
		if (forbidden(&r->tok[r->i]))
			return -1;
		r->i++;
		if (peek(r) == '(' && skip(r, 0, 1) == -1)
			return -1;
		break;
	default:
		return -1;
	}
	for (;;) {
		switch (peek(r)) {
		case T_FIELD: case '?':
			r->i++;
			break;
		case '.':
			r->i++;
			if (peek(r) == T_STR)
				r->i++;
			else if (peek(r) != T_QSTART || skip(r, 0, 1) == -1)
				return -1;
			break;
		case '[':
			if (skip(r, 0, 1) == -1)
				return -1;
			break;
		default:
			return 0;
		}
	}
}

/*
 * forbidden -- whether a name in derived code may still reach records:
 * input and inputs read the next ones, input_line_number counts their
 * lines, and a module's names are unknown.
 */
static int
forbidden(const struct tok *t)
{
	static const char *const names[] = {
		"input", "inputs", "input_line_number"
	};
	size_t i;

	if (t->type != T_IDENT)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (t->len == strlen(names[i]) &&
		    memcmp(t->p, names[i], t->len) == 0)
			return 1;
	return memchr(t->p, ':', t->len) != NULL;
}
