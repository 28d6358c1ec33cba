/*
 * fast -- a subset of jq run on the scanner's spans, without libjq; see
 * fast.h for the forms.
 *
 * fast_compile parses the program by recursive descent into a tree of
 * nodes kept in one array.  Each node maps its input value to exactly one
 * output value or to an error, so every value is a span: into the record,
 * into a constant built at compile time, or one of the static "true",
 * "false" and "null".  fast_run walks the tree once per record and
 * allocates nothing once its buffers have grown.
 *
 * Capture: fast_compile also finds the paths and has() read on the record
 * itself (not on a value piped from it) and gives each the index of its
 * first key in f->want.  When json_validate_want has captured those keys,
 * fast_run_found takes the top-level value from found[] instead of
 * scanning the record again, and walks the rest of the path from there.
 * jq 1.6 rules kept here:
 *   - '|' binds loosest, then "or", then "and", then the comparisons,
 *     which do not associate; whitespace is ' ', '\t', '\n' and comments;
 *   - a comparison evaluates its right operand first, "and" and "or"
 *     their left one, and they skip the right one once the result is known;
 *   - the members of an object are evaluated in program order, and a key
 *     given twice keeps its first place and its last value;
 *   - numbers compare as doubles, strings bytewise, has() on null is false.
 * Anything the parser does not know makes fast_compile refuse the program.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fast.h"
#include "xalloc.h"

#define MAXDEPTH	64	/* nested parentheses */
#define MAXNODE		1024	/* nodes in a program */
#define MAXSTAGE	16	/* select(...) | ... stages */
#define MAXMEMBER	64	/* members of the output object */

enum kind {
	K_DOT,			/* . */
	K_PATH,			/* .a.b[0] */
	K_CONST,		/* null, true, false, a number, a string */
	K_NOT,			/* not */
	K_HAS,			/* has("k") */
	K_STARTS,		/* startswith("s") */
	K_ENDS,			/* endswith("s") */
	K_CMP,			/* a OP b */
	K_AND,			/* a and b */
	K_OR,			/* a or b */
	K_PIPE			/* a | b */
};

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct node {
	enum kind	 kind;
	enum op		 op;		/* K_CMP */
	int		 a, b;		/* operands: indices into node[] */
	int		 plain;		/* K_CONST: a string without '\\' */
	double		 num;		/* K_CONST: a number's value */
	struct json_span cst;		/* K_CONST: its compact text */
	char		*text;		/* owned: K_CONST text, or the bytes of
					 * the K_STARTS/K_ENDS argument */
	size_t		 textlen;
	struct json_path *path;		/* owned: K_PATH, K_HAS */
	int		 want;		/* K_PATH, K_HAS on the record: index
					 * of its first key in f->want, or -1 */
};

enum stagekind { S_SELECT, S_VALUE, S_OBJECT };

struct stage {
	enum stagekind	 kind;
	int		 node;		/* condition or value; -1: object */
};

struct slot {				/* a key of the output object */
	size_t		 glue;		/* offset in glue of "key": */
	size_t		 gluelen;
	int		 member;	/* index of the value written */
};

struct fast {
	struct node	*node;
	int		 nnode;
	int		 anode;			/* allocated */
	struct stage	 stage[MAXSTAGE];
	int		 nstage;
	int		 member[MAXMEMBER];	/* values, in program order */
	int		 nmember;
	struct slot	 slot[MAXMEMBER];	/* keys, in output order */
	int		 nslot;
	struct buf	 glue;			/* the keys' JSON text */
	struct buf	*scratch;		/* unescaped by fast_run */
	struct json_want want;			/* keys into node paths */
};

struct parser {
	const char	*s;		/* the next byte of the program */
	struct fast	*f;
	int		 depth;
};

/* arrays, not literals, so that no record can share their address */
static const char lit_true[] = "true", lit_false[] = "false",
    lit_null[] = "null";
static const struct json_span span_true = { lit_true, 4, JSON_TRUE };
static const struct json_span span_false = { lit_false, 5, JSON_FALSE };
static const struct json_span span_null = { lit_null, 4, JSON_NULL };

/* Compiling */
static int	add_node(struct fast *, enum kind);
static void	skip_ws(struct parser *);
static int	ident_start(int);
static size_t	ident_len(const char *);
static size_t	string_len(const char *);
static size_t	number_len(const char *);
static long	step_len(const char *, int);
static int	keyword(const char *, size_t);
static int	hex4(const char *);
static int	word(struct parser *, const char *);
static int	literal(const char *, size_t, struct buf *);
static struct json_path *key_path(const char *, size_t);
static void	plan(struct fast *);
static void	plan_node(struct fast *, int, int, int *);
static int	identity(const struct fast *, int);
static int	want_key(struct json_want *, const char *, size_t);
static int	parse_stage(struct parser *);
static int	parse_object(struct parser *);
static int	add_member(struct fast *, const char *, size_t, int);
static int	parse_pipe(struct parser *);
static int	parse_or(struct parser *);
static int	parse_and(struct parser *);
static int	parse_cmp(struct parser *);
static int	parse_term(struct parser *);
static int	parse_path(struct parser *);
static int	parse_number(struct parser *, int);
static int	parse_string(struct parser *);
static int	parse_call(struct parser *, enum kind);

/* Running */
static int	eval(const struct fast *, const struct json_span *, int,
		    struct json_span, struct json_span *, struct buf *);
static int	get(const struct node *, const struct json_span *,
		    struct json_span, struct json_span *, struct buf *);
static int	has(const struct node *, const struct json_span *,
		    struct json_span, struct json_span *, struct buf *);
static int	affix(const struct fast *, const struct node *,
		    struct json_span, struct json_span *, struct buf *);
static int	compare(const struct fast *, const struct node *,
		    struct json_span, struct json_span);
static double	number(const struct node *, struct json_span);
static int	plain(const struct node *, struct json_span);
static const char *kind_name(enum json_type);
static enum fast_result build(const struct fast *, const struct json_span *,
		    struct json_span, struct buf *, struct buf *);
static void	put_value(struct json_span, struct buf *);
static inline void add(struct buf *, const char *, size_t);
static int	verbatim(const char *, size_t);

/*
 * fast_compile -- the program as stages joined by '|': any number of
 * select(COND) and values, and at most one object, last.  NULL if the
 * program is not in the subset (or not jq at all: libjq will say why).
 */
struct fast *
fast_compile(const char *program)
{
	struct parser p;
	struct fast *f;

	f = xcalloc(1, sizeof(*f));
	f->scratch = xcalloc(1, sizeof(*f->scratch));
	p.s = program;
	p.f = f;
	p.depth = 0;
	for (;;) {
		if (f->nstage == MAXSTAGE || (f->nstage > 0 &&
		    f->stage[f->nstage - 1].kind == S_OBJECT))
			goto refuse;
		if (parse_stage(&p) == -1)
			goto refuse;
		skip_ws(&p);
		if (p.s[0] == '|' && p.s[1] != '=') {
			p.s++;
			continue;
		}
		if (*p.s == '\0') {
			plan(f);
			return f;
		}
		goto refuse;
	}
refuse:
	fast_free(f);
	return NULL;
}

/* parse_stage -- one top-level stage, appended to f->stage; -1: refused */
static int
parse_stage(struct parser *p)
{
	struct stage *st;
	struct fast *f = p->f;
	int i;

	skip_ws(p);
	st = &f->stage[f->nstage];
	if (*p->s == '{') {
		if (parse_object(p) == -1)
			return -1;
		st->kind = S_OBJECT;
		st->node = -1;
	} else if (word(p, "select")) {
		skip_ws(p);
		if (*p->s != '(')
			return -1;
		p->s++;
		if ((i = parse_pipe(p)) == -1)
			return -1;
		skip_ws(p);
		if (*p->s != ')')
			return -1;
		p->s++;
		st->kind = S_SELECT;
		st->node = i;
	} else {
		if ((i = parse_or(p)) == -1)
			return -1;
		st->kind = S_VALUE;
		st->node = i;
	}
	f->nstage++;
	return 0;
}

/*
 * parse_object -- {k: PATH, k, "k": PATH, "k", ...} where k is an
 * identifier or a keyword (a keyword only before ':', as jq); a trailing
 * comma is allowed, as in jq 1.6.  -1: refused.
 */
static int
parse_object(struct parser *p)
{
	struct buf key = BUF_INIT;
	size_t n;
	int i, ident, rc = -1;

	p->s++;				/* '{' */
	skip_ws(p);
	while (*p->s != '}') {
		buf_reset(&key);
		ident = 0;
		if (*p->s == '"') {
			if ((n = string_len(p->s)) == 0 ||
			    literal(p->s, n, &key) == -1)
				goto out;
		} else if ((n = ident_len(p->s)) > 0) {
			buf_add(&key, p->s, n);
			ident = 1;
		} else {
			goto out;
		}
		p->s += n;
		skip_ws(p);
		if (*p->s == ':') {
			p->s++;
			skip_ws(p);
			if (p->s[0] != '.' || isdigit((unsigned char)p->s[1]))
				goto out;
			if ((i = parse_path(p)) == -1)
				goto out;
		} else {
			if (ident && keyword(key.p, key.len))
				goto out;
			if ((i = add_node(p->f, K_PATH)) == -1)
				goto out;
			if ((p->f->node[i].path = key_path(key.p, key.len)) ==
			    NULL)
				goto out;
		}
		if (add_member(p->f, key.p == NULL ? "" : key.p, key.len,
		    i) == -1)
			goto out;
		skip_ws(p);
		if (*p->s == ',') {
			p->s++;
			skip_ws(p);
		} else if (*p->s != '}') {
			goto out;
		}
	}
	p->s++;
	rc = 0;
out:
	buf_free(&key);
	return rc;
}

/*
 * add_member -- the next member of the object, value node i; a key seen
 * before keeps its slot and takes the new value.  -1: too many members.
 */
static int
add_member(struct fast *f, const char *key, size_t keylen, int i)
{
	struct slot *sl;
	size_t start;
	int k;

	if (f->nmember == MAXMEMBER)
		return -1;
	f->member[f->nmember] = i;
	start = f->glue.len;
	json_put_string(&f->glue, key, keylen);
	buf_addc(&f->glue, ':');
	for (k = 0; k < f->nslot; k++) {
		sl = &f->slot[k];
		if (sl->gluelen == f->glue.len - start &&
		    memcmp(f->glue.p + sl->glue, f->glue.p + start,
		    sl->gluelen) == 0) {
			f->glue.len = start;
			f->glue.p[start] = '\0';
			sl->member = f->nmember++;
			return 0;
		}
	}
	sl = &f->slot[f->nslot++];
	sl->glue = start;
	sl->gluelen = f->glue.len - start;
	sl->member = f->nmember++;
	return 0;
}

/* parse_pipe -- OR ['|' PIPE]: the right side reads the left's output */
static int
parse_pipe(struct parser *p)
{
	int l, r, i;

	if ((l = parse_or(p)) == -1)
		return -1;
	skip_ws(p);
	if (p->s[0] != '|' || p->s[1] == '=')
		return l;
	p->s++;
	if ((r = parse_pipe(p)) == -1 || (i = add_node(p->f, K_PIPE)) == -1)
		return -1;
	p->f->node[i].a = l;
	p->f->node[i].b = r;
	return i;
}

/* parse_or -- AND {"or" AND} */
static int
parse_or(struct parser *p)
{
	int l, r, i;

	if ((l = parse_and(p)) == -1)
		return -1;
	for (;;) {
		skip_ws(p);
		if (!word(p, "or"))
			return l;
		if ((r = parse_and(p)) == -1 ||
		    (i = add_node(p->f, K_OR)) == -1)
			return -1;
		p->f->node[i].a = l;
		p->f->node[i].b = r;
		l = i;
	}
}

/* parse_and -- CMP {"and" CMP} */
static int
parse_and(struct parser *p)
{
	int l, r, i;

	if ((l = parse_cmp(p)) == -1)
		return -1;
	for (;;) {
		skip_ws(p);
		if (!word(p, "and"))
			return l;
		if ((r = parse_cmp(p)) == -1 ||
		    (i = add_node(p->f, K_AND)) == -1)
			return -1;
		p->f->node[i].a = l;
		p->f->node[i].b = r;
		l = i;
	}
}

/*
 * parse_cmp -- TERM [OP TERM]; a second OP is left for the caller to
 * refuse, as jq's comparisons do not associate.
 */
static int
parse_cmp(struct parser *p)
{
	enum op op;
	const char *s;
	int l, r, i;

	if ((l = parse_term(p)) == -1)
		return -1;
	skip_ws(p);
	s = p->s;
	if (s[0] == '=' && s[1] == '=')
		op = OP_EQ;
	else if (s[0] == '!' && s[1] == '=')
		op = OP_NE;
	else if (s[0] == '<')
		op = s[1] == '=' ? OP_LE : OP_LT;
	else if (s[0] == '>')
		op = s[1] == '=' ? OP_GE : OP_GT;
	else
		return l;
	p->s += op == OP_LT || op == OP_GT ? 1 : 2;
	if ((r = parse_term(p)) == -1 || (i = add_node(p->f, K_CMP)) == -1)
		return -1;
	p->f->node[i].op = op;
	p->f->node[i].a = l;
	p->f->node[i].b = r;
	return i;
}

/*
 * parse_term -- '(' PIPE ')', a path or '.', a constant (a number may
 * follow a '-'), not, has(S), startswith(S), endswith(S).  -1: refused.
 */
static int
parse_term(struct parser *p)
{
	const char *s;
	int i;

	skip_ws(p);
	s = p->s;
	if (*s == '(') {
		if (++p->depth > MAXDEPTH)
			return -1;
		p->s++;
		if ((i = parse_pipe(p)) == -1)
			return -1;
		skip_ws(p);
		if (*p->s != ')')
			return -1;
		p->s++;
		p->depth--;
		return i;
	}
	if (isdigit((unsigned char)s[0]) ||
	    (s[0] == '.' && isdigit((unsigned char)s[1])))
		return parse_number(p, 0);
	if (*s == '-') {
		p->s++;
		skip_ws(p);
		s = p->s;
		if (isdigit((unsigned char)s[0]) ||
		    (s[0] == '.' && isdigit((unsigned char)s[1])))
			return parse_number(p, 1);
		return -1;
	}
	if (*s == '.')
		return parse_path(p);
	if (*s == '"')
		return parse_string(p);
	if (word(p, "null") || word(p, "true") || word(p, "false")) {
		if ((i = add_node(p->f, K_CONST)) == -1)
			return -1;
		p->f->node[i].cst = *s == 'n' ? span_null :
		    *s == 't' ? span_true : span_false;
		return i;
	}
	if (word(p, "not"))
		return add_node(p->f, K_NOT);
	if (word(p, "has"))
		return parse_call(p, K_HAS);
	if (word(p, "startswith"))
		return parse_call(p, K_STARTS);
	if (word(p, "endswith"))
		return parse_call(p, K_ENDS);
	return -1;
}

/*
 * parse_path -- '.' alone, or a path as jq 1.6 spells it (see step_len),
 * given to json_path_parse once it is known to mean what jq means.
 * -1: refused.
 */
static int
parse_path(struct parser *p)
{
	const char *s, *start;
	long n;
	int i, first;

	start = s = p->s;
	for (first = 1; (n = step_len(s, first)) > 0; first = 0)
		s += n;
	if (n == -1)
		return -1;
	if (s == start) {			/* '.' alone */
		if (s[1] == '.')
			return -1;		/* .. */
		p->s = s + 1;
		return add_node(p->f, K_DOT);
	}
	if ((i = add_node(p->f, K_PATH)) == -1)
		return -1;
	p->f->node[i].path = xmalloc(sizeof(struct json_path));
	if (json_path_parse(start, (size_t)(s - start),
	    p->f->node[i].path) == -1)
		return -1;
	p->s = s;
	return i;
}

/*
 * step_len -- bytes of the path step at s: .name, ."str", [N] or ["str"],
 * or .[N] and .["str"] when first, with no space inside and N a decimal
 * integer of up to 9 digits.  0 if s starts no step; -1 if it starts
 * something else jq would read (.[], .[1:2], .["a","b"]...).
 */
static long
step_len(const char *s, int first)
{
	size_t n, k, d;

	if (s[0] == '.' && ident_start((unsigned char)s[1]))
		return (n = ident_len(s + 1)) == 0 ? -1 : (long)(1 + n);
	if (s[0] == '.' && s[1] == '"')
		return (n = string_len(s + 1)) == 0 ||
		    literal(s + 1, n, NULL) == -1 ? -1 : (long)(1 + n);
	if (first && s[0] == '.' && s[1] == '[')
		n = 2;
	else if (!first && s[0] == '[')
		n = 1;
	else
		return 0;
	if (s[n] == '"') {
		if ((k = string_len(s + n)) == 0 ||
		    literal(s + n, k, NULL) == -1)
			return -1;
		n += k;
	} else {
		d = n + (s[n] == '-');
		for (k = d; isdigit((unsigned char)s[k]); k++)
			continue;
		if (k == d || k - d > 9)
			return -1;
		n = k;
	}
	return s[n] == ']' ? (long)(n + 1) : -1;
}

/*
 * parse_number -- a jq number literal (1, 1.5e3, and also .5, 1. and 01),
 * negated if neg, read by json_number whatever the locale.  -1: refused.
 */
static int
parse_number(struct parser *p, int neg)
{
	struct buf text = BUF_INIT;
	struct json_span lit;
	struct node *n;
	double d;
	int i;

	lit.p = p->s;
	lit.len = number_len(p->s);
	lit.type = JSON_NUMBER;
	d = json_number(lit);
	if (!isfinite(d) || (i = add_node(p->f, K_CONST)) == -1)
		return -1;
	p->s += lit.len;
	if (neg)
		d = -d;
	json_put_number(&text, d);
	n = &p->f->node[i];
	n->num = d;
	n->textlen = text.len;
	n->text = buf_detach(&text);
	n->cst.p = n->text;
	n->cst.len = n->textlen;
	n->cst.type = JSON_NUMBER;
	return i;
}

/* parse_string -- a string literal, kept as jq -c would print it */
static int
parse_string(struct parser *p)
{
	struct buf bytes = BUF_INIT, text = BUF_INIT;
	struct node *n;
	size_t len;
	int i = -1;

	if ((len = string_len(p->s)) == 0 || literal(p->s, len, &bytes) == -1 ||
	    (i = add_node(p->f, K_CONST)) == -1)
		goto out;
	p->s += len;
	json_put_string(&text, bytes.p == NULL ? "" : bytes.p, bytes.len);
	n = &p->f->node[i];
	n->textlen = text.len;
	n->text = buf_detach(&text);
	n->cst.p = n->text;
	n->cst.len = n->textlen;
	n->cst.type = JSON_STRING;
	n->plain = memchr(n->text, '\\', n->textlen) == NULL;
out:
	buf_free(&bytes);
	buf_free(&text);
	return i;
}

/* parse_call -- has, startswith or endswith with a string literal: '(' S ')' */
static int
parse_call(struct parser *p, enum kind kind)
{
	struct buf bytes = BUF_INIT;
	struct node *n;
	size_t len;
	int i = -1;

	skip_ws(p);
	if (*p->s != '(')
		goto out;
	p->s++;
	skip_ws(p);
	if ((len = string_len(p->s)) == 0 || literal(p->s, len, &bytes) == -1)
		goto out;
	p->s += len;
	skip_ws(p);
	if (*p->s != ')' || (i = add_node(p->f, kind)) == -1)
		goto out;
	p->s++;
	n = &p->f->node[i];
	if (kind == K_HAS) {
		if ((n->path = key_path(bytes.p, bytes.len)) == NULL)
			i = -1;
	} else {
		n->textlen = bytes.len;
		n->text = xmalloc(bytes.len + 1);
		if (bytes.len > 0)
			memcpy(n->text, bytes.p, bytes.len);
		n->text[bytes.len] = '\0';
	}
out:
	buf_free(&bytes);
	return i;
}

/* key_path -- a path of one key step; NULL if the key is too long */
static struct json_path *
key_path(const char *key, size_t len)
{
	struct json_path *path;

	path = xcalloc(1, sizeof(*path));
	if (len >= sizeof(path->text)) {
		free(path);
		return NULL;
	}
	if (len > 0)
		memcpy(path->text, key, len);
	path->n = 1;
	path->step[0].key = path->text;
	path->step[0].keylen = len;
	path->step[0].index = 0;
	return path;
}

/*
 * plan -- f->want and the nodes' want: the first keys of the paths, and
 * the keys of has(), that the stages read on the record itself (not on a
 * value made from it).  Paths starting with an index read the record.
 * Past JSON_WANT_MAX keys, nothing is captured.
 */
static void
plan(struct fast *f)
{
	const struct stage *st;
	int i, k, onrec = 1, over = 0;

	for (i = 0; i < f->nstage; i++) {
		st = &f->stage[i];
		if (st->kind == S_OBJECT) {
			for (k = 0; k < f->nmember; k++)
				plan_node(f, f->member[k], onrec, &over);
			continue;
		}
		plan_node(f, st->node, onrec, &over);
		if (st->kind == S_VALUE && !identity(f, st->node))
			onrec = 0;
	}
	if (over) {
		f->want.n = 0;
		for (i = 0; i < f->nnode; i++)
			f->node[i].want = -1;
	}
}

/*
 * plan_node -- plan node i and its operands; onrec if its input is the
 * record.  *over is set when a key finds no room.
 */
static void
plan_node(struct fast *f, int i, int onrec, int *over)
{
	struct node *n = &f->node[i];
	const struct json_path *path = n->path;

	switch (n->kind) {
	case K_PATH:
	case K_HAS:
		/* the first key is at the start of path->text */
		if (onrec && path->step[0].key != NULL &&
		    (n->want = want_key(&f->want, path->text,
		    path->step[0].keylen)) == -1)
			*over = 1;
		break;
	case K_CMP:
	case K_AND:
	case K_OR:
		plan_node(f, n->a, onrec, over);
		plan_node(f, n->b, onrec, over);
		break;
	case K_PIPE:
		plan_node(f, n->a, onrec, over);
		plan_node(f, n->b, onrec && identity(f, n->a), over);
		break;
	default:
		break;
	}
}

/* identity -- 1 if node i always outputs its input: ., . | . */
static int
identity(const struct fast *f, int i)
{
	const struct node *n = &f->node[i];

	if (n->kind == K_DOT)
		return 1;
	return n->kind == K_PIPE && identity(f, n->a) && identity(f, n->b);
}

/* want_key -- the index of key in w, added if new; -1 if w is full */
static int
want_key(struct json_want *w, const char *key, size_t len)
{
	int i;

	for (i = 0; i < w->n; i++)
		if (w->keylen[i] == len && memcmp(w->key[i], key, len) == 0)
			return i;
	if (w->n == JSON_WANT_MAX)
		return -1;
	w->key[w->n] = key;
	w->keylen[w->n] = len;
	return w->n++;
}

/* add_node -- a zeroed node; its index, or -1 past MAXNODE */
static int
add_node(struct fast *f, enum kind kind)
{
	if (f->nnode == MAXNODE)
		return -1;
	if (f->nnode == f->anode) {
		f->anode = f->anode == 0 ? 16 : f->anode * 2;
		f->node = xreallocarray(f->node, (size_t)f->anode,
		    sizeof(*f->node));
	}
	memset(&f->node[f->nnode], 0, sizeof(*f->node));
	f->node[f->nnode].kind = kind;
	f->node[f->nnode].a = f->node[f->nnode].b = -1;
	f->node[f->nnode].want = -1;
	return f->nnode++;
}

/* skip_ws -- jq's whitespace: ' ', '\t', '\n' and # comments */
static void
skip_ws(struct parser *p)
{
	for (;;) {
		if (*p->s == ' ' || *p->s == '\t' || *p->s == '\n')
			p->s++;
		else if (*p->s == '#')
			while (*p->s != '\0' && *p->s != '\n')
				p->s++;
		else
			return;
	}
}

static int
ident_start(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * ident_len -- bytes of the identifier at s; 0 if none, or if it goes on
 * with "::" (a module path)
 */
static size_t
ident_len(const char *s)
{
	size_t n;

	if (!ident_start((unsigned char)s[0]))
		return 0;
	for (n = 1; ident_start((unsigned char)s[n]) ||
	    isdigit((unsigned char)s[n]); n++)
		continue;
	return s[n] == ':' && s[n + 1] == ':' ? 0 : n;
}

/* keyword -- 1 if jq 1.6 reserves the word (so {word} is an error) */
static int
keyword(const char *s, size_t n)
{
	static const char *const kw[] = {
		"__loc__", "and", "as", "break", "catch", "def", "elif",
		"else", "end", "foreach", "if", "import", "include", "label",
		"module", "or", "reduce", "then", "try"
	};
	size_t i;

	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strlen(kw[i]) == n && memcmp(kw[i], s, n) == 0)
			return 1;
	return 0;
}

/* word -- consume the identifier w if it comes next, whole */
static int
word(struct parser *p, const char *w)
{
	size_t n;

	n = strlen(w);
	if (ident_len(p->s) != n || memcmp(p->s, w, n) != 0)
		return 0;
	p->s += n;
	return 1;
}

/*
 * string_len -- bytes of the "..." literal at s, quotes included; 0 if it
 * is unterminated or interpolates \(...)
 */
static size_t
string_len(const char *s)
{
	size_t n;

	for (n = 1; s[n] != '"'; n++) {
		if (s[n] == '\0')
			return 0;
		if (s[n] == '\\') {
			if (s[n + 1] == '(' || s[n + 1] == '\0')
				return 0;
			n++;
		}
	}
	return n + 1;
}

/*
 * number_len -- bytes of the jq number literal at s:
 * ([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?
 */
static size_t
number_len(const char *s)
{
	size_t n = 0, e;

	while (isdigit((unsigned char)s[n]))
		n++;
	if (s[n] == '.')
		for (n++; isdigit((unsigned char)s[n]); n++)
			continue;
	if (s[n] == 'e' || s[n] == 'E') {
		e = n + 1;
		if (s[e] == '+' || s[e] == '-')
			e++;
		if (isdigit((unsigned char)s[e])) {
			while (isdigit((unsigned char)s[e]))
				e++;
			n = e;
		}
	}
	return n;
}

/*
 * literal -- check that the n bytes at s are a string literal that JSON
 * and jq read alike (JSON escapes, no raw control characters, valid UTF-8,
 * no lone surrogate) and append its bytes to b if b is not NULL.  -1 if
 * not.
 */
static int
literal(const char *s, size_t n, struct buf *b)
{
	struct json_error jerr;
	struct json_span v;
	size_t i;
	int hi = 0, u;

	if (json_validate(s, n, &v, &jerr) == -1 || v.type != JSON_STRING ||
	    v.p != s || v.len != n)
		return -1;
	for (i = 1; i < n - 1; i++) {
		u = -1;
		if (s[i] == '\\' && s[i + 1] == 'u')
			u = hex4(s + i + 2);
		if (hi != (u >= 0xdc00 && u <= 0xdfff))
			return -1;	/* a lone surrogate */
		hi = u >= 0xd800 && u <= 0xdbff;
		if (s[i] == '\\')
			i += u >= 0 ? 5 : 1;
	}
	if (hi)
		return -1;
	if (b != NULL)
		json_string(v, b);
	return 0;
}
/* hex4 -- the value of 4 hex digits (json_validate checked them) */
static int
hex4(const char *s)
{
	unsigned v = 0;
	int i, c;

	for (i = 0; i < 4; i++) {
		c = (unsigned char)s[i];
		v = v << 4 | (unsigned)(isdigit(c) ? c - '0' :
		    (c | 0x20) - 'a' + 10);
	}
	return (int)v;
}

/* fast_want -- the keys that fast_run_found takes from found[] */
void
fast_want(const struct fast *f, struct json_want *want)
{
	*want = f->want;
}

/* fast_run -- fast_run_found without captured members */
enum fast_result
fast_run(const struct fast *f, struct json_span rec, struct buf *out,
    struct buf *err)
{
	return fast_run_found(f, rec, NULL, out, err);
}

/*
 * fast_run_found -- the stages on one record: DROP when a select fails,
 * PASS when the output is the record itself, BUILT with the compact text
 * in out otherwise; FAST_ERROR with jq's message in err.  found[] holds
 * the members named by fast_want, or is NULL to look them up in rec.
 */
enum fast_result
fast_run_found(const struct fast *f, struct json_span rec,
    const struct json_span *found, struct buf *out, struct buf *err)
{
	const struct stage *st;
	struct json_span v, c;
	int i;

	/* .a on a number is an error and on null is null: json_get says */
	if (rec.type != JSON_OBJECT || f->want.n == 0)
		found = NULL;
	v = rec;
	for (i = 0; i < f->nstage; i++) {
		st = &f->stage[i];
		switch (st->kind) {
		case S_SELECT:
			if (eval(f, found, st->node, v, &c, err) == -1)
				return FAST_ERROR;
			if (!json_truthy(c))
				return FAST_DROP;
			break;
		case S_VALUE:
			if (eval(f, found, st->node, v, &v, err) == -1)
				return FAST_ERROR;
			if (v.type == JSON_NONE)
				v = span_null;
			break;
		case S_OBJECT:
			return build(f, found, v, out, err);
		}
	}
	if (v.p == rec.p && v.len == rec.len)
		return FAST_PASS;
	put_value(v, out);
	return FAST_BUILT;
}

/*
 * build -- the object stage on in: every member's value in program order
 * (the first error wins), then the text, keys in their first order.
 */
static enum fast_result
build(const struct fast *f, const struct json_span *found,
    struct json_span in, struct buf *out, struct buf *err)
{
	struct json_span val[MAXMEMBER];
	const struct node *n;
	size_t room;
	int i;

	for (i = 0; i < f->nmember; i++) {
		n = &f->node[f->member[i]];
		if (found != NULL && n->want != -1 && n->path->n == 1)
			val[i] = found[n->want];	/* {a}: no walk */
		else if (eval(f, found, f->member[i], in, &val[i], err) == -1)
			return FAST_ERROR;
	}
	/* room for the usual case, so that add() copies inline */
	room = f->glue.len + (size_t)f->nslot + 2;
	for (i = 0; i < f->nslot; i++)	/* each slot's member was set above */
		/* cppcheck-suppress uninitvar */
		room += val[f->slot[i].member].len + 4;
	buf_grow(out, room);
	add(out, "{", 1);
	for (i = 0; i < f->nslot; i++) {
		if (i > 0)
			add(out, ",", 1);
		add(out, f->glue.p + f->slot[i].glue, f->slot[i].gluelen);
		put_value(val[f->slot[i].member], out);
	}
	add(out, "}", 1);
	return FAST_BUILT;
}

/*
 * verbatim -- 1 if the n bytes at s hold no '\\' and no DEL, tested 8 at
 * a time: a byte of x ^ c is zero where x has c, and (y - 1) & ~y & 0x80
 * is nonzero in some byte exactly when y has a zero byte.
 */
static int
verbatim(const char *s, size_t n)
{
	const uint64_t one = 0x0101010101010101, high = 0x8080808080808080;
	const unsigned char *p = (const unsigned char *)s;
	uint64_t x, a, d;
	size_t i;

	for (i = 0; n - i >= 8; i += 8) {
		memcpy(&x, p + i, 8);
		a = x ^ (one * '\\');
		d = x ^ (one * 0x7f);
		if ((((a - one) & ~a) | ((d - one) & ~d)) & high)
			return 0;
	}
	for (; i < n; i++)
		if (p[i] == '\\' || p[i] == 0x7f)
			return 0;
	return 1;
}

/* add -- buf_add, without a call when there is room */
static inline void
add(struct buf *b, const char *s, size_t n)
{
	if (b->cap - b->len > n) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
		b->p[b->len] = '\0';
	} else
		buf_add(b, s, n);
}

/*
 * put_value -- v as json_normal writes it, copied as it stands when that
 * is the same text: a string without '\\' or DEL (which jq escapes), an
 * integer literal, true, false and null.
 */
static void
put_value(struct json_span v, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)v.p;
	size_t i;

	switch (v.type) {
	case JSON_NULL:
	case JSON_FALSE:
	case JSON_TRUE:
		add(out, v.p, v.len);
		return;
	case JSON_STRING:
		if (verbatim(v.p + 1, v.len - 2)) {
			add(out, v.p, v.len);
			return;
		}
		break;
	case JSON_NUMBER:
		for (i = p[0] == '-'; i < v.len; i++)
			if (p[i] < '0' || p[i] > '9')
				break;
		if (i == v.len) {
			add(out, v.p, v.len);
			return;
		}
		break;
	default:
		break;
	}
	json_normal(v, out);
}

/*
 * eval -- node i on the input in (never absent): 0 and its value in *out
 * (absent for a missing key), or -1 with jq's message appended to err.
 * found is fast_run_found's: NULL, or the record is an object.
 */
static int
eval(const struct fast *f, const struct json_span *found, int i,
    struct json_span in, struct json_span *out, struct buf *err)
{
	const struct node *n = &f->node[i];
	struct json_span l, r;
	int c;

	switch (n->kind) {
	case K_DOT:
		*out = in;
		return 0;
	case K_PATH:
		return get(n, found, in, out, err);
	case K_CONST:
		*out = n->cst;
		return 0;
	case K_NOT:
		*out = json_truthy(in) ? span_false : span_true;
		return 0;
	case K_HAS:
		return has(n, found, in, out, err);
	case K_STARTS:
	case K_ENDS:
		return affix(f, n, in, out, err);
	case K_CMP:
		/* jq evaluates the right operand first */
		if (eval(f, found, n->b, in, &r, err) == -1 ||
		    eval(f, found, n->a, in, &l, err) == -1)
			return -1;
		c = compare(f, n, l, r);
		switch (n->op) {
		case OP_EQ: c = c == 0; break;
		case OP_NE: c = c != 0; break;
		case OP_LT: c = c < 0; break;
		case OP_LE: c = c <= 0; break;
		case OP_GT: c = c > 0; break;
		case OP_GE: c = c >= 0; break;
		}
		*out = c ? span_true : span_false;
		return 0;
	case K_AND:
	case K_OR:
		if (eval(f, found, n->a, in, &l, err) == -1)
			return -1;
		c = json_truthy(l);
		if (c == (n->kind == K_OR)) {	/* decided by the left */
			*out = c ? span_true : span_false;
			return 0;
		}
		if (eval(f, found, n->b, in, &r, err) == -1)
			return -1;
		*out = json_truthy(r) ? span_true : span_false;
		return 0;
	case K_PIPE:
		if (eval(f, found, n->a, in, &l, err) == -1)
			return -1;
		if (l.type == JSON_NONE)
			l = span_null;
		return eval(f, found, n->b, l, out, err);
	}
	return -1;
}

/*
 * get -- the path n on in: its first member from found[] when captured,
 * else from in; as json_get.
 */
static int
get(const struct node *n, const struct json_span *found, struct json_span in,
    struct json_span *out, struct buf *err)
{
	if (found == NULL || n->want == -1)
		return json_get(in, n->path, out, err);
	*out = found[n->want];
	if (n->path->n == 1 || out->type == JSON_NONE)
		return 0;		/* absent: absent whatever follows */
	return json_get_from(*out, n->path, 1, out, err);
}

/* has -- jq 1.6 has("k"): on an object; false on null; else an error */
static int
has(const struct node *n, const struct json_span *found, struct json_span in,
    struct json_span *out, struct buf *err)
{
	struct json_span v;

	if (in.type == JSON_NULL) {
		*out = span_false;
		return 0;
	}
	if (in.type != JSON_OBJECT) {
		buf_printf(err, "Cannot check whether %s has a string key",
		    kind_name(in.type));
		return -1;
	}
	if (found != NULL && n->want != -1)
		v = found[n->want];
	else if (json_get(in, n->path, &v, err) == -1)
		return -1;
	*out = v.type != JSON_NONE ? span_true : span_false;
	return 0;
}

/*
 * affix -- startswith/endswith: whether the argument's bytes begin or end
 * those of the string in; an error for any other input.
 */
static int
affix(const struct fast *f, const struct node *n, struct json_span in,
    struct json_span *out, struct buf *err)
{
	const char *s;
	size_t len;

	if (in.type != JSON_STRING) {
		buf_adds(err, n->kind == K_STARTS ?
		    "startswith() requires string inputs" :
		    "endswith() requires string inputs");
		return -1;
	}
	s = in.p + 1;
	len = in.len - 2;
	if (memchr(s, '\\', len) != NULL) {
		buf_reset(f->scratch);
		json_string(in, f->scratch);
		s = f->scratch->p;
		len = f->scratch->len;
	}
	if (len >= n->textlen && memcmp(n->kind == K_STARTS ? s :
	    s + len - n->textlen, n->text, n->textlen) == 0)
		*out = span_true;
	else
		*out = span_false;
	return 0;
}

/*
 * compare -- jq's order (-1, 0, 1) of the operands l and r of the
 * comparison n: numbers as doubles and strings without escapes bytewise
 * here, everything else by json_cmp.
 */
static int
compare(const struct fast *f, const struct node *n, struct json_span l,
    struct json_span r)
{
	const struct node *nl = &f->node[n->a], *nr = &f->node[n->b];
	double dl, dr;
	size_t len;
	int c;

	if (l.type == JSON_NUMBER && r.type == JSON_NUMBER) {
		dl = number(nl, l);
		dr = number(nr, r);
		return dl < dr ? -1 : dl > dr;
	}
	if (l.type == JSON_STRING && r.type == JSON_STRING &&
	    plain(nl, l) && plain(nr, r)) {
		len = l.len < r.len ? l.len : r.len;
		if ((c = memcmp(l.p + 1, r.p + 1, len - 2)) != 0)
			return c < 0 ? -1 : 1;
		return l.len < r.len ? -1 : l.len > r.len;
	}
	return json_cmp(l, r);
}

/* number -- a number's value; a constant's was read at compile time */
static double
number(const struct node *n, struct json_span v)
{
	return n->kind == K_CONST ? n->num : json_number(v);
}

/* plain -- 1 if the string v has no escape: its bytes are its text */
static int
plain(const struct node *n, struct json_span v)
{
	if (n->kind == K_CONST)
		return n->plain;
	return memchr(v.p + 1, '\\', v.len - 2) == NULL;
}

/* kind_name -- jq's name for a value's type */
static const char *
kind_name(enum json_type t)
{
	switch (t) {
	case JSON_FALSE:
	case JSON_TRUE:
		return "boolean";
	case JSON_NUMBER:
		return "number";
	case JSON_STRING:
		return "string";
	case JSON_ARRAY:
		return "array";
	case JSON_OBJECT:
		return "object";
	default:
		return "null";
	}
}

/* fast_free -- everything fast_compile allocated; NULL is fine */
void
fast_free(struct fast *f)
{
	int i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nnode; i++) {
		free(f->node[i].text);
		free(f->node[i].path);
	}
	free(f->node);
	buf_free(&f->glue);
	buf_free(f->scratch);
	free(f->scratch);
	free(f);
}
