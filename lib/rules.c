/*
 * rules -- stream-alert's rule files; see rules.h.
 *
 * The format (CONTRACT section 7):
 *
 *   rules:                    # required, a sequence; no other top-level key
 *     - name: ssh-bruteforce  # required string, unique in the file
 *       type: frequency       # required: match threshold frequency absence
 *                             #   new_value cardinality sequence spike change
 *       where: '.event == "login_failed"'   # jq filter
 *       by: [.user]           # a jq expression or a list (RULES_BY_MAX)
 *       window: 1m            # duration (ts_parse_duration), > 0
 *       threshold: 5          # number
 *       op: '>='              # > >= < <= == !=
 *       cooldown: 10m         # duration >= 0
 *       keep_firing_for: 5m   # duration; threshold absence cardinality spike
 *       severity: high        # default "warning"
 *       labels: {team: sec}   # scalars, kept as canonical JSON (YAML core
 *                             #   schema: 5 -> 5, true, null/~, "5" -> "5")
 *       message: '\(.key.user): \(.value) failed logins'
 *                             # body of a jq string literal over the alert
 *       sample: 3             # records kept with an alert, 0..100
 *
 * Each type's own fields (R required, O optional), on top of the match
 * fields name type where by cooldown severity labels message sample:
 *
 *   match        -
 *   threshold    R agg window threshold; O op (>) for keep_firing_for
 *   frequency    R window threshold (positive integer); O op (>=)
 *   absence      R window; O keys (scalars) keep_firing_for
 *   new_value    R field; O learn
 *   cardinality  R field window threshold; O op (>=) keep_firing_for
 *   sequence     R steps ([{where: R, count: O, default 1}]) window
 *   spike        R window factor (> 1); O agg (count) direction
 *                (up|down|both, default both) keep_firing_for
 *   change       R field
 *
 * agg is FUNC(EXPR) with FUNC one of count sum avg min max pNN (1 to 99),
 * or a bare "count".  Any other field is a mistake.  Every mistake is kept
 * with its place, and all of them are reported in the file's order, up to
 * ERRORS_MAX; the YAML is read whole with libyaml's document API first.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "field.h"
#include "hash.h"
#include "json.h"
#include "program.h"
#include "rules.h"
#include "suggest.h"
#include "ts.h"
#include "xalloc.h"

#define ERRORS_MAX	50
#define B(f)		(1u << (f))

enum fld {
	F_NAME, F_TYPE, F_WHERE, F_BY, F_WINDOW, F_THRESHOLD, F_OP, F_AGG,
	F_FIELD, F_FACTOR, F_DIRECTION, F_FOR, F_LEARN, F_KEYS, F_STEPS,
	F_COOLDOWN, F_KEEP, F_SEVERITY, F_LABELS, F_MESSAGE, F_SAMPLE,
	F_N
};

/* Also the order of rule_json's keys */
static const char *const fields[F_N] = {
	"name", "type", "where", "by", "window", "threshold", "op", "agg",
	"field", "factor", "direction", "for", "learn", "keys", "steps",
	"cooldown", "keep_firing_for", "severity", "labels", "message",
	"sample"
};

#define COMMON	(B(F_NAME) | B(F_TYPE) | B(F_WHERE) | B(F_BY) | \
	    B(F_COOLDOWN) | B(F_SEVERITY) | B(F_LABELS) | B(F_MESSAGE) | \
	    B(F_SAMPLE))

static const struct {
	unsigned	 need, may;	/* beyond COMMON */
} types[] = {
	[RULE_MATCH] = { 0, 0 },
	[RULE_THRESHOLD] = { B(F_AGG) | B(F_WINDOW) | B(F_THRESHOLD),
	    B(F_OP) | B(F_FOR) | B(F_KEEP) },
	[RULE_FREQUENCY] = { B(F_WINDOW) | B(F_THRESHOLD), B(F_OP) },
	[RULE_ABSENCE] = { B(F_WINDOW), B(F_KEYS) | B(F_KEEP) },
	[RULE_NEW_VALUE] = { B(F_FIELD), B(F_LEARN) },
	[RULE_CARDINALITY] = { B(F_FIELD) | B(F_WINDOW) | B(F_THRESHOLD),
	    B(F_OP) | B(F_KEEP) },
	[RULE_SEQUENCE] = { B(F_STEPS) | B(F_WINDOW), 0 },
	[RULE_SPIKE] = { B(F_WINDOW) | B(F_FACTOR),
	    B(F_AGG) | B(F_DIRECTION) | B(F_KEEP) },
	[RULE_CHANGE] = { B(F_FIELD), 0 },
};

static const char *const type_names[] = {
	"match", "threshold", "frequency", "absence", "new_value",
	"cardinality", "sequence", "spike", "change"
};
#define NTYPES	(sizeof(type_names) / sizeof(type_names[0]))

static const char *const op_names[] = { ">", ">=", "<", "<=", "==", "!=" };
static const char *const dir_names[] = { "up", "down", "both" };
static const char *const agg_names[] = { "count", "sum", "avg", "min", "max" };
static const char *const step_fields[] = { "where", "count" };
static const char *const top_keys[] = { "rules" };

struct mistake {
	int		 line, col;
	size_t		 seq;		/* keeps the sort stable */
	char		*msg;
};

struct ctx {
	const char	*name;
	yaml_document_t	*doc;
	int		 flags;		/* RULES_NOJQ */
	struct mistake	*m;
	size_t		 n, cap;
};

static void	complain(struct ctx *, const yaml_mark_t *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	complain_unknown(struct ctx *, yaml_node_t *, const char *,
		    const char *, const char *const *, size_t);
static int	cmp_mistake(const void *, const void *);
static yaml_node_t *node(struct ctx *, int);
static const char *kind(const yaml_node_t *);
static const char *sval(const yaml_node_t *);
static int	is_null(const yaml_node_t *);
static int	is_number(const char *);
static int	is_integer(const char *, long long *);
static yaml_node_t *dup_key(struct ctx *, yaml_node_t *, yaml_node_pair_t *);
static void	collect(struct ctx *, yaml_node_t *, const char *const *,
		    size_t, yaml_node_t **, yaml_node_t **, const char *);
static int	get_str(struct ctx *, yaml_node_t *, const char *, char **);
static int	get_dur(struct ctx *, yaml_node_t *, const char *, int64_t *);
static int	get_num(struct ctx *, yaml_node_t *, const char *, double *);
static void	jq_failed(struct ctx *, yaml_node_t *, const char *,
		    struct buf *);
static int	check_jq(struct ctx *, yaml_node_t *, const char *,
		    const char *, int);
static int	get_jq(struct ctx *, yaml_node_t *, const char *, char **,
		    int);
static void	check_agg(struct ctx *, yaml_node_t *, const char *);
static void	check_message(struct ctx *, yaml_node_t *, const char *);
static char	*canon(struct buf *);
static void	by_one(struct ctx *, yaml_node_t *, struct rule *);
static void	load_by(struct ctx *, yaml_node_t *, struct rule *);
static void	load_keys(struct ctx *, yaml_node_t *, struct rule *);
static void	load_labels(struct ctx *, yaml_node_t *, struct rule *);
static void	load_steps(struct ctx *, yaml_node_t *, struct rule *);
static void	load_field(struct ctx *, struct rule *, enum fld,
		    yaml_node_t *, int);
static yaml_node_t *load_rule(struct ctx *, yaml_node_t *, size_t,
		    struct rule *);
static void	load_doc(struct ctx *, struct rules *);
static void	rule_clear(struct rule *);
static void	yaml_failed(struct ctx *, const yaml_parser_t *);
static void	report(struct ctx *, struct buf *);

/* complain -- keep a mistake found at mark m (0-based, as libyaml has it) */
static void
complain(struct ctx *c, const yaml_mark_t *mk, const char *fmt, ...)
{
	va_list ap;
	struct mistake *e;
	char *p;
	int len;

	if (c->n == c->cap) {
		c->cap = c->cap == 0 ? 16 : c->cap * 2;
		c->m = xreallocarray(c->m, c->cap, sizeof(*c->m));
	}
	e = &c->m[c->n];
	e->line = (int)mk->line + 1;
	e->col = (int)mk->column + 1;
	e->seq = c->n++;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started */
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	e->msg = xmalloc(len < 0 ? 1 : (size_t)len + 1);
	e->msg[0] = '\0';
	va_start(ap, fmt);
	if (len >= 0)
		vsnprintf(e->msg, (size_t)len + 1, fmt, ap);
	va_end(ap);
	/* one mistake a line, whatever the quoted text holds */
	for (p = e->msg; *p != '\0'; p++)
		if ((unsigned char)*p < ' ')
			*p = ' ';
}

/* complain_unknown -- "WHAT 'word'", with the nearest candidate if any */
static void
complain_unknown(struct ctx *c, yaml_node_t *n, const char *what,
    const char *word, const char *const *cand, size_t ncand)
{
	const char *hint;

	if ((hint = suggest(word, cand, ncand)) != NULL)
		complain(c, &n->start_mark, "%s '%s' (did you mean '%s'?)",
		    what, word, hint);
	else
		complain(c, &n->start_mark, "%s '%s'", what, word);
}

/* cmp_mistake -- qsort: by place in the file, then as found */
static int
cmp_mistake(const void *a, const void *b)
{
	const struct mistake *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static yaml_node_t *
node(struct ctx *c, int i)
{
	return yaml_document_get_node(c->doc, i);
}

/* kind -- a node's type, for "must be a scalar, not a list" */
static const char *
kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a scalar";
	}
}

static const char *
sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* is_null -- a plain scalar that the YAML core schema reads as null */
static int
is_null(const yaml_node_t *n)
{
	const char *s;

	s = sval(n);
	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (*s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0);
}

/* is_number -- [-+]?(D+(.D*)?|.D+)([eE][-+]?D+)?: a YAML core float */
static int
is_number(const char *s)
{
	size_t d;

	if (*s == '-' || *s == '+')
		s++;
	d = strspn(s, "0123456789");
	s += d;
	if (*s == '.') {
		s++;
		if (d == 0 && strspn(s, "0123456789") == 0)
			return 0;
		s += strspn(s, "0123456789");
	} else if (d == 0)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if ((d = strspn(s, "0123456789")) == 0)
			return 0;
		s += d;
	}
	return *s == '\0';
}

/* is_integer -- [-+]?D+ that fits a long long: 1 and *v, or 0 */
static int
is_integer(const char *s, long long *v)
{
	const char *d = s + (*s == '-' || *s == '+');
	char *end;

	if (*d == '\0' || strspn(d, "0123456789") != strlen(d))
		return 0;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* dup_key -- the key of an earlier pair of m equal to p's key, or NULL */
static yaml_node_t *
dup_key(struct ctx *c, yaml_node_t *m, yaml_node_pair_t *p)
{
	yaml_node_pair_t *q;
	yaml_node_t *k, *kq;

	k = node(c, p->key);
	for (q = m->data.mapping.pairs.start; q < p; q++) {
		kq = node(c, q->key);
		if (kq->type == YAML_SCALAR_NODE &&
		    kq->data.scalar.length == k->data.scalar.length &&
		    memcmp(kq->data.scalar.value, k->data.scalar.value,
		    k->data.scalar.length) == 0)
			return kq;
	}
	return NULL;
}

/*
 * collect -- the pairs of mapping m whose key is one of names[], into
 * key[] and val[] at the name's index.  Keys that are not scalars,
 * repeated or unknown are mistakes ("UNKNOWN 'x' (did you mean..)").
 */
static void
collect(struct ctx *c, yaml_node_t *m, const char *const *names, size_t nn,
    yaml_node_t **key, yaml_node_t **val, const char *unknown)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *first;
	size_t i;

	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	    p++) {
		k = node(c, p->key);
		if (k->type != YAML_SCALAR_NODE) {
			complain(c, &k->start_mark,
			    "a key must be a scalar, not %s", kind(k));
			continue;
		}
		if ((first = dup_key(c, m, p)) != NULL) {
			complain(c, &k->start_mark,
			    "duplicate key '%s' (first at %d:%d)", sval(k),
			    (int)first->start_mark.line + 1,
			    (int)first->start_mark.column + 1);
			continue;
		}
		for (i = 0; i < nn && strcmp(sval(k), names[i]) != 0; i++)
			;
		if (i < nn) {
			key[i] = k;
			val[i] = node(c, p->value);
		} else
			complain_unknown(c, k, unknown, sval(k), names, nn);
	}
}

/* get_str -- a scalar with a value, copied to *out: 0, or -1 (told) */
static int
get_str(struct ctx *c, yaml_node_t *n, const char *what, char **out)
{
	if (n->type != YAML_SCALAR_NODE) {
		complain(c, &n->start_mark, "'%s' must be a scalar, not %s",
		    what, kind(n));
		return -1;
	}
	if (is_null(n)) {
		complain(c, &n->start_mark, "'%s' has no value", what);
		return -1;
	}
	free(*out);		/* a step's where may be set once only, too */
	*out = xstrdup(sval(n));
	return 0;
}

/* get_dur -- a duration: 0, or -1 (told) */
static int
get_dur(struct ctx *c, yaml_node_t *n, const char *what, int64_t *out)
{
	const char *why;
	char *s = NULL;
	int rc = 0;

	if (get_str(c, n, what, &s) == -1)
		return -1;
	if (ts_parse_duration(s, out, &why) == -1) {
		complain(c, &n->start_mark, "'%s': bad duration '%s': %s",
		    what, s, why);
		rc = -1;
	}
	free(s);
	return rc;
}

/* get_num -- a plain scalar that reads as a finite number: 0, or -1 */
static int
get_num(struct ctx *c, yaml_node_t *n, const char *what, double *out)
{
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    !is_number(sval(n)) || !isfinite(*out = strtod(sval(n), NULL))) {
		complain(c, &n->start_mark, "'%s' must be a number", what);
		return -1;
	}
	return 0;
}

/* jq_failed -- "'what': jq does not compile: " and jq's first line */
static void
jq_failed(struct ctx *c, yaml_node_t *n, const char *what, struct buf *e)
{
	const char *msg = e->p == NULL ? "" : e->p;

	if (strncmp(msg, "jq: error: ", 11) == 0)
		msg += 11;
	complain(c, &n->start_mark, "'%s': jq does not compile: %.*s", what,
	    (int)strcspn(msg, "\n"), msg);
}

/*
 * check_jq -- does text compile, as a program or (as_field) as a field
 * expression?  0, or -1 with the mistake told at n.  With RULES_NOJQ
 * every text is taken as compiling, unread.
 */
static int
check_jq(struct ctx *c, yaml_node_t *n, const char *what, const char *text,
    int as_field)
{
	struct program p;
	struct field f;
	struct buf e = BUF_INIT;
	int rc;

	if (c->flags & RULES_NOJQ)
		return 0;
	if (as_field) {
		rc = field_compile(&f, text, &e);
		field_free(&f);
	} else {
		/* the fast path's parser accepts only valid jq, and
		 * spares the 10 ms libjq takes to compile anything */
		program_init(&p);
		rc = program_compile(&p, text, 1, &e);
		program_free(&p);
	}
	if (rc == -1)
		jq_failed(c, n, what, &e);
	buf_free(&e);
	return rc;
}

/* get_jq -- get_str of a jq program or field expression that compiles */
static int
get_jq(struct ctx *c, yaml_node_t *n, const char *what, char **out,
    int as_field)
{
	if (get_str(c, n, what, out) == -1)
		return -1;
	return check_jq(c, n, what, *out, as_field);
}

/* check_agg -- FUNC or FUNC(EXPR), FUNC in count sum avg min max pNN */
static void
check_agg(struct ctx *c, yaml_node_t *n, const char *s)
{
	const char *open, *close;
	char *fn, *expr;
	size_t len, i;
	long pct;

	s += strspn(s, " ");
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		len--;
	open = memchr(s, '(', len);
	close = s + len - 1;
	if (open != NULL && (*close != ')' || close == open + 1)) {
		complain(c, &n->start_mark, "'agg': bad aggregate '%s' "
		    "(FUNC or FUNC(EXPR), e.g. avg(.latency_ms))", sval(n));
		return;
	}
	fn = xstrndup(s, open != NULL ? (size_t)(open - s) : len);
	for (i = 0; i < sizeof(agg_names) / sizeof(agg_names[0]); i++)
		if (strcmp(fn, agg_names[i]) == 0)
			break;
	pct = fn[0] == 'p' && fn[1] >= '1' && fn[1] <= '9' &&
	    strspn(fn + 1, "0123456789") == strlen(fn + 1) &&
	    strlen(fn + 1) <= 2 ? strtol(fn + 1, NULL, 10) : 0;
	if (i == sizeof(agg_names) / sizeof(agg_names[0]) && pct == 0)
		complain_unknown(c, n, "'agg': unknown function", fn,
		    agg_names, sizeof(agg_names) / sizeof(agg_names[0]));
	else if (open == NULL && i != 0)
		complain(c, &n->start_mark, "'agg': '%s' needs an expression, "
		    "as in %s(.latency_ms)", fn, fn);
	else if (open != NULL) {
		expr = xstrndup(open + 1, (size_t)(close - open - 1));
		check_jq(c, n, "agg", expr, 1);
		free(expr);
	}
	free(fn);
}

/*
 * check_message -- does the message compile as the body of a jq string
 * literal?  Quotes are escaped, except those escaped already and those
 * inside \( ... ), which are jq's own; \( nests, so it is counted.  An
 * unclosed \( or a lone final backslash is told here, not by libjq: its
 * parser (1.6) leaks a token on a syntax error inside a string.
 */
static void
check_message(struct ctx *c, yaml_node_t *n, const char *s)
{
	struct buf b = BUF_INIT;
	int depth = 0, lone = 0;

	buf_addc(&b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] == '\0')
			lone = 1;
		else if (*s == '\\') {
			if (s[1] == '(')
				depth++;
			buf_add(&b, s, 2);
			s++;
		} else if (depth > 0) {
			if (*s == '(')
				depth++;
			else if (*s == ')')
				depth--;
			buf_addc(&b, *s);
		} else if (*s == '"')
			buf_adds(&b, "\\\"");
		else
			buf_addc(&b, *s);
	}
	buf_addc(&b, '"');
	if (depth > 0)
		complain(c, &n->start_mark,
		    "'message': '\\(' is not closed by ')'");
	else if (lone)
		complain(c, &n->start_mark, "'message': ends in a lone '\\'");
	else
		check_jq(c, n, "message", b.p, 0);
	buf_free(&b);
}

/*
 * rules_scalar_json -- a scalar as JSON, typed as the YAML core schema
 * types a plain scalar: null, booleans, integers (also 0x and 0o),
 * floats; quoted scalars and the rest (.inf, .nan: not JSON) are strings.
 */
void
rules_scalar_json(const yaml_node_t *n, struct buf *b)
{
	const char *s;
	long long v;

	s = sval(n);
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		json_put_string(b, s, n->data.scalar.length);
	else if (is_null(n))
		buf_adds(b, "null");
	else if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 ||
	    strcmp(s, "TRUE") == 0)
		buf_adds(b, "true");
	else if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 ||
	    strcmp(s, "FALSE") == 0)
		buf_adds(b, "false");
	else if (is_number(s) && isfinite(strtod(s, NULL)))
		json_put_number(b, strtod(s, NULL));
	else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o') && s[2] != '\0' &&
	    strspn(s + 2, s[1] == 'x' ? "0123456789abcdefABCDEF" :
	    "01234567") == strlen(s + 2) &&
	    (errno = 0, v = strtoll(s + 2, NULL, s[1] == 'x' ? 16 : 8),
	    errno == 0))
		buf_printf(b, "%lld", v);
	else
		json_put_string(b, s, n->data.scalar.length);
}

/* canon -- the canonical form of the JSON in b, as a new string */
static char *
canon(struct buf *b)
{
	struct buf out = BUF_INIT;
	struct json_span sp;
	struct json_error je;

	if (json_validate(b->p, b->len, &sp, &je) == -1)
		return xstrndup(b->p, b->len);	/* not reached: we wrote it */
	json_canon(sp, &out);
	return buf_detach(&out);
}

/*
 * by_one -- one 'by': [NAME=]EXPR whose expression compiles and that has
 * a name (NAME=, or a path ending in a key: it names the key's member in
 * the alert), not the name of an earlier one.  Kept in r->by[r->nby++].
 */
static void
by_one(struct ctx *c, yaml_node_t *n, struct rule *r)
{
	struct buf name = BUF_INIT, other = BUF_INIT;
	const char *expr, *e2;
	char *s = NULL;
	int i, named;

	if (get_str(c, n, "by", &s) == -1)
		return;
	named = field_name(s, &name, &expr) == 0;
	if (check_jq(c, n, "by", expr, 1) == -1)
		goto out;
	if (!named) {
		complain(c, &n->start_mark, "'by': '%s' has no name for the "
		    "alert's key; name it, as in NAME=%s", s, s);
		goto out;
	}
	for (i = 0; i < r->nby; i++) {
		buf_reset(&other);
		if (field_name(r->by[i], &other, &e2) == 0 &&
		    other.len == name.len &&
		    memcmp(other.p, name.p, name.len) == 0) {
			complain(c, &n->start_mark, "'by': the name %.*s is "
			    "taken; name it, as in NAME=%s",
			    (int)name.len - 1, name.p, expr);
			goto out;
		}
	}
	r->by[r->nby++] = s;
	s = NULL;
out:
	free(s);
	buf_free(&name);
	buf_free(&other);
}

/* load_by -- a field expression, or a list of at most RULES_BY_MAX */
static void
load_by(struct ctx *c, yaml_node_t *n, struct rule *r)
{
	yaml_node_item_t *it;
	yaml_node_t *e;

	if (n->type == YAML_SCALAR_NODE) {
		by_one(c, n, r);
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		complain(c, &n->start_mark,
		    "'by' must be a jq expression or a list of them");
		return;
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		e = node(c, *it);
		if (r->nby == RULES_BY_MAX) {
			complain(c, &e->start_mark,
			    "'by' has more than %d expressions", RULES_BY_MAX);
			return;
		}
		by_one(c, e, r);
	}
}

/* load_keys -- absence's keys: scalars, each kept as canonical JSON */
static void
load_keys(struct ctx *c, yaml_node_t *n, struct rule *r)
{
	struct buf b = BUF_INIT;
	yaml_node_item_t *it;
	yaml_node_t *e;
	size_t cap;

	if (n->type != YAML_SEQUENCE_NODE) {
		complain(c, &n->start_mark, "'keys' must be a list");
		return;
	}
	cap = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	r->keys = xcalloc(cap == 0 ? 1 : cap, sizeof(*r->keys));
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		e = node(c, *it);
		if (e->type != YAML_SCALAR_NODE) {
			complain(c, &e->start_mark,
			    "'keys' items must be scalars, not %s", kind(e));
			continue;
		}
		buf_reset(&b);
		rules_scalar_json(e, &b);
		r->keys[r->nkeys++] = canon(&b);
	}
	buf_free(&b);
}

/* load_labels -- a mapping of scalars, kept as one canonical object */
static void
load_labels(struct ctx *c, yaml_node_t *n, struct rule *r)
{
	struct buf b = BUF_INIT;
	yaml_node_pair_t *p;
	yaml_node_t *k, *v, *first;
	int ok = 1;

	if (n->type != YAML_MAPPING_NODE) {
		complain(c, &n->start_mark, "'labels' must be a mapping");
		return;
	}
	buf_addc(&b, '{');
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = node(c, p->key);
		v = node(c, p->value);
		if (k->type != YAML_SCALAR_NODE) {
			complain(c, &k->start_mark,
			    "a key must be a scalar, not %s", kind(k));
			ok = 0;
			continue;
		}
		if ((first = dup_key(c, n, p)) != NULL) {
			complain(c, &k->start_mark,
			    "duplicate key '%s' (first at %d:%d)", sval(k),
			    (int)first->start_mark.line + 1,
			    (int)first->start_mark.column + 1);
			ok = 0;
			continue;
		}
		if (v->type != YAML_SCALAR_NODE) {
			complain(c, &v->start_mark,
			    "label '%s' must be a scalar, not %s", sval(k),
			    kind(v));
			ok = 0;
			continue;
		}
		if (b.len > 1)
			buf_addc(&b, ',');
		json_put_string(&b, sval(k), k->data.scalar.length);
		buf_addc(&b, ':');
		rules_scalar_json(v, &b);
	}
	buf_addc(&b, '}');
	if (ok)
		r->labels = canon(&b);
	buf_free(&b);
}

/* load_steps -- sequence's steps: mappings of where (jq) and count */
static void
load_steps(struct ctx *c, yaml_node_t *n, struct rule *r)
{
	yaml_node_t *key[2], *val[2], *e;
	yaml_node_item_t *it;
	struct rule_step *s;
	size_t cap;
	long long v;

	if (n->type != YAML_SEQUENCE_NODE) {
		complain(c, &n->start_mark, "'steps' must be a list of steps");
		return;
	}
	cap = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	if (cap == 0) {
		complain(c, &n->start_mark, "'steps' must not be empty");
		return;
	}
	r->steps = xcalloc(cap, sizeof(*r->steps));
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		e = node(c, *it);
		s = &r->steps[r->nsteps++];
		s->count = 1;
		s->line = (int)e->start_mark.line + 1;
		s->col = (int)e->start_mark.column + 1;
		if (e->type != YAML_MAPPING_NODE) {
			complain(c, &e->start_mark,
			    "step %zu must be a mapping, not %s", r->nsteps,
			    kind(e));
			continue;
		}
		memset(key, 0, sizeof(key));
		memset(val, 0, sizeof(val));
		collect(c, e, step_fields, 2, key, val, "unknown step field");
		if (val[0] == NULL)
			complain(c, &e->start_mark, "step %zu has no 'where'",
			    r->nsteps);
		else
			get_jq(c, val[0], "where", &s->where, 0);
		if (val[1] == NULL)
			continue;
		if (val[1]->type != YAML_SCALAR_NODE ||
		    val[1]->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		    !is_integer(sval(val[1]), &v) || v < 1)
			complain(c, &val[1]->start_mark,
			    "'count' must be a positive integer");
		else
			s->count = v;
	}
}

/*
 * load_field -- the value n of field f into r; type_known says r->type
 * holds the rule's type.  Mistakes are told at n.
 */
static void
load_field(struct ctx *c, struct rule *r, enum fld f, yaml_node_t *n,
    int type_known)
{
	const char *what = fields[f];
	char *s = NULL;
	long long v;
	size_t i;

	switch (f) {
	case F_NAME:
	case F_TYPE:
	case F_N:
		break;			/* done by load_rule */
	case F_WHERE:
		get_jq(c, n, what, &r->where, 0);
		break;
	case F_BY:
		load_by(c, n, r);
		break;
	case F_FIELD:
		get_jq(c, n, what, &r->field, 1);
		break;
	case F_WINDOW:
		if (get_dur(c, n, what, &r->window) == 0 && r->window == 0)
			complain(c, &n->start_mark,
			    "'window' must be greater than 0");
		break;
	case F_FOR:
		get_dur(c, n, what, &r->for_);
		break;
	case F_LEARN:
		get_dur(c, n, what, &r->learn);
		break;
	case F_COOLDOWN:
		get_dur(c, n, what, &r->cooldown);
		break;
	case F_KEEP:
		get_dur(c, n, what, &r->keep_firing_for);
		break;
	case F_THRESHOLD:
		if (get_num(c, n, what, &r->threshold) == -1)
			break;
		r->has_threshold = 1;
		if (type_known && r->type == RULE_FREQUENCY &&
		    (r->threshold < 1 || r->threshold > 1e15 ||
		    r->threshold != floor(r->threshold)))
			complain(c, &n->start_mark, "'threshold' must be a "
			    "positive integer for type 'frequency'");
		break;
	case F_FACTOR:
		if (get_num(c, n, what, &r->factor) == 0 && r->factor <= 1)
			complain(c, &n->start_mark,
			    "'factor' must be greater than 1");
		break;
	case F_OP:
		if (get_str(c, n, what, &s) == -1)
			break;
		for (i = 0; i < 6 && strcmp(s, op_names[i]) != 0; i++)
			;
		if (i < 6)
			r->op = (enum rule_op)i;
		else
			complain(c, &n->start_mark, "'op': bad operator '%s' "
			    "(one of > >= < <= == !=)", s);
		break;
	case F_DIRECTION:
		if (get_str(c, n, what, &s) == -1)
			break;
		for (i = 0; i < 3 && strcmp(s, dir_names[i]) != 0; i++)
			;
		if (i < 3)
			r->direction = (enum rule_dir)i;
		else
			complain_unknown(c, n, "'direction': unknown direction",
			    s, dir_names, 3);
		break;
	case F_AGG:
		if (get_str(c, n, what, &r->agg) == 0)
			check_agg(c, n, r->agg);
		break;
	case F_KEYS:
		load_keys(c, n, r);
		break;
	case F_STEPS:
		load_steps(c, n, r);
		break;
	case F_SEVERITY:
		get_str(c, n, what, &r->severity);
		break;
	case F_LABELS:
		load_labels(c, n, r);
		break;
	case F_MESSAGE:
		if (get_str(c, n, what, &r->message) == 0)
			check_message(c, n, r->message);
		break;
	case F_SAMPLE:
		if (n->type != YAML_SCALAR_NODE ||
		    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		    !is_integer(sval(n), &v) || v < 0 || v > RULES_SAMPLE_MAX)
			complain(c, &n->start_mark, "'sample' must be an "
			    "integer from 0 to %d", RULES_SAMPLE_MAX);
		else
			r->sample = v;
		break;
	}
	free(s);
}

/*
 * load_rule -- rule number num (from 1) from node m into r, defaults
 * filled in.  Returns the node of its name, if it has a good one, for
 * the check that names are unique.
 */
static yaml_node_t *
load_rule(struct ctx *c, yaml_node_t *m, size_t num, struct rule *r)
{
	yaml_node_t *key[F_N], *val[F_N];
	struct buf label = BUF_INIT;
	const char *tn;
	unsigned may = 0;
	int known = 0, f;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->sample = 3;
	r->direction = RULE_BOTH;
	r->line = (int)m->start_mark.line + 1;
	r->col = (int)m->start_mark.column + 1;
	if (m->type != YAML_MAPPING_NODE) {
		complain(c, &m->start_mark, "rule %zu is not a mapping", num);
		return NULL;
	}
	memset(key, 0, sizeof(key));
	memset(val, 0, sizeof(val));
	collect(c, m, fields, F_N, key, val, "unknown field");
	if (val[F_NAME] == NULL)
		complain(c, &m->start_mark, "rule %zu has no 'name'", num);
	else if (get_str(c, val[F_NAME], "name", &r->name) == -1)
		val[F_NAME] = NULL;
	if (val[F_TYPE] == NULL)
		complain(c, &m->start_mark, "rule %zu has no 'type'", num);
	else if (val[F_TYPE]->type != YAML_SCALAR_NODE)
		complain(c, &val[F_TYPE]->start_mark,
		    "'type' must be a scalar, not %s", kind(val[F_TYPE]));
	else if (is_null(val[F_TYPE]))
		complain(c, &val[F_TYPE]->start_mark, "'type' has no value");
	else {
		tn = sval(val[F_TYPE]);
		for (i = 0; i < NTYPES && strcmp(tn, type_names[i]) != 0; i++)
			;
		if (i < NTYPES) {
			r->type = (enum rule_type)i;
			may = COMMON | types[i].need | types[i].may;
			known = 1;
		} else
			complain_unknown(c, val[F_TYPE], "unknown rule type",
			    tn, type_names, NTYPES);
	}
	for (f = F_WHERE; f < F_N; f++) {
		if (val[f] == NULL)
			continue;
		if (known && (may & B(f)) == 0) {
			complain(c, &key[f]->start_mark,
			    "field '%s' is not used by type '%s'", fields[f],
			    type_names[r->type]);
			continue;
		}
		load_field(c, r, (enum fld)f, val[f], known);
	}
	if (known) {
		if (r->name != NULL)
			buf_printf(&label, "rule '%s'", r->name);
		else
			buf_printf(&label, "rule %zu", num);
		for (f = 0; f < F_N; f++)
			if ((types[r->type].need & B(f)) && val[f] == NULL)
				complain(c, &val[F_TYPE]->start_mark,
				    "%s: type '%s' needs '%s'", label.p,
				    type_names[r->type], fields[f]);
		buf_free(&label);
		if (val[F_OP] == NULL)
			r->op = r->type == RULE_THRESHOLD ? RULE_GT : RULE_GE;
		if (r->type == RULE_SPIKE && r->agg == NULL)
			r->agg = xstrdup("count");
	}
	if (r->severity == NULL)
		r->severity = xstrdup("warning");
	if (r->labels == NULL)
		r->labels = xstrdup("{}");
	return val[F_NAME];
}

/* load_doc -- the rules of the document's root mapping into rs */
static void
load_doc(struct ctx *c, struct rules *rs)
{
	yaml_node_t *root, *key[1] = { NULL }, *val[1] = { NULL }, *e;
	yaml_node_t **names;
	yaml_node_item_t *it;
	yaml_mark_t start = { 0, 0, 0 };
	size_t n, i, j;

	if ((root = yaml_document_get_root_node(c->doc)) == NULL) {
		complain(c, &start, "no 'rules': the file is empty");
		return;
	}
	if (root->type != YAML_MAPPING_NODE) {
		complain(c, &root->start_mark,
		    "the top level must be a mapping with 'rules', not %s",
		    kind(root));
		return;
	}
	collect(c, root, top_keys, 1, key, val, "unknown top-level key");
	if (val[0] == NULL) {
		complain(c, &root->start_mark, "no 'rules' key");
		return;
	}
	if (val[0]->type != YAML_SEQUENCE_NODE) {
		complain(c, &val[0]->start_mark,
		    "'rules' must be a list of rules, not %s",
		    is_null(val[0]) ? "empty" : kind(val[0]));
		return;
	}
	n = (size_t)(val[0]->data.sequence.items.top -
	    val[0]->data.sequence.items.start);
	rs->r = xcalloc(n == 0 ? 1 : n, sizeof(*rs->r));
	names = xcalloc(n == 0 ? 1 : n, sizeof(*names));
	for (i = 0, it = val[0]->data.sequence.items.start; i < n; i++, it++) {
		names[i] = load_rule(c, node(c, *it), i + 1, &rs->r[i]);
		rs->n++;
		if (names[i] == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (names[j] != NULL &&
			    strcmp(rs->r[j].name, rs->r[i].name) == 0)
				break;
		if (j < i) {
			e = names[j];
			complain(c, &names[i]->start_mark,
			    "duplicate rule name '%s' (first at %d:%d)",
			    rs->r[i].name, (int)e->start_mark.line + 1,
			    (int)e->start_mark.column + 1);
		}
	}
	free(names);
}

int
rules_load(struct rules *rs, const char *path, struct buf *err)
{
	struct buf text = BUF_INIT;
	int rc;

	rs->r = NULL;
	rs->n = 0;
	if (buf_read_file(&text, path) == -1) {
		buf_printf(err, "%s: %s\n", path, strerror(errno));
		buf_free(&text);
		return -1;
	}
	rc = rules_load_text(rs, path, text.p == NULL ? "" : text.p, text.len,
	    err);
	buf_free(&text);
	return rc;
}

/* yaml_failed -- libyaml's own words for a syntax error, at its mark */
static void
yaml_failed(struct ctx *c, const yaml_parser_t *p)
{
	const char *problem;

	problem = p->problem != NULL ? p->problem : "not YAML";
	if (p->context != NULL)
		complain(c, &p->problem_mark, "%s (%s at %d:%d)", problem,
		    p->context, (int)p->context_mark.line + 1,
		    (int)p->context_mark.column + 1);
	else
		complain(c, &p->problem_mark, "%s", problem);
}

/*
 * report -- the mistakes into err, one a line in the file's order, the
 * first ERRORS_MAX of them; frees them
 */
static void
report(struct ctx *c, struct buf *err)
{
	size_t i;

	qsort(c->m, c->n, sizeof(*c->m), cmp_mistake);
	for (i = 0; i < c->n; i++) {
		if (i < ERRORS_MAX)
			buf_printf(err, "%s:%d:%d: %s\n", c->name,
			    c->m[i].line, c->m[i].col, c->m[i].msg);
		free(c->m[i].msg);
	}
	if (c->n > ERRORS_MAX)
		buf_printf(err, "%s: %zu more mistakes not shown\n", c->name,
		    c->n - ERRORS_MAX);
	free(c->m);
	c->m = NULL;
	c->n = c->cap = 0;
}

int
rules_load_text(struct rules *rs, const char *name, const char *text,
    size_t len, struct buf *err)
{
	return rules_load_flags(rs, name, text, len, 0, err);
}

/*
 * rules_load_flags -- parse with libyaml, check every rule (its jq
 * compiled unless RULES_NOJQ), then report the mistakes sorted by place
 * (at most ERRORS_MAX) or fill in digests.
 */
int
rules_load_flags(struct rules *rs, const char *name, const char *text,
    size_t len, int flags, struct buf *err)
{
	yaml_parser_t parser;
	yaml_document_t doc, next;
	struct ctx c;
	struct buf j = BUF_INIT;
	yaml_node_t *extra;
	size_t i;

	rs->r = NULL;
	rs->n = 0;
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.doc = &doc;
	c.flags = flags;
	if (!yaml_parser_initialize(&parser)) {
		buf_printf(err, "%s: cannot initialise libyaml\n", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
	    len);
	if (!yaml_parser_load(&parser, &doc)) {
		c.doc = NULL;
	} else {
		load_doc(&c, rs);
		/* a second document would be ignored: say so */
		if (!yaml_parser_load(&parser, &next))
			c.doc = NULL;
		else {
			if ((extra = yaml_document_get_root_node(&next)) !=
			    NULL)
				complain(&c, &extra->start_mark,
				    "only one YAML document is allowed");
			yaml_document_delete(&next);
		}
		yaml_document_delete(&doc);
	}
	if (c.doc == NULL)
		yaml_failed(&c, &parser);
	yaml_parser_delete(&parser);
	if (c.n > 0) {
		report(&c, err);
		rules_free(rs);
		return -1;
	}
	free(c.m);
	for (i = 0; i < rs->n; i++) {
		buf_reset(&j);
		rule_json(&rs->r[i], &j);
		rs->r[i].digest = hash_bytes(j.p, j.len);
	}
	buf_free(&j);
	return 0;
}

/* rule_json -- the fields of the rule's type, in fields[] order */
void
rule_json(const struct rule *r, struct buf *b)
{
	unsigned may;
	size_t i;
	int f;

	may = COMMON | types[r->type].need | types[r->type].may;
	buf_adds(b, "{\"name\":");
	json_put_string(b, r->name, strlen(r->name));
	buf_printf(b, ",\"type\":\"%s\"", type_names[r->type]);
	for (f = F_WHERE; f < F_N; f++) {
		if ((may & B(f)) == 0)
			continue;
		buf_printf(b, ",\"%s\":", fields[f]);
		switch ((enum fld)f) {
		case F_NAME:
		case F_TYPE:
		case F_N:
			break;
		case F_WHERE:
		case F_AGG:
		case F_FIELD:
		case F_MESSAGE: {
			const char *s = f == F_WHERE ? r->where :
			    f == F_AGG ? r->agg : f == F_FIELD ? r->field :
			    r->message;

			if (s == NULL)
				buf_adds(b, "null");
			else
				json_put_string(b, s, strlen(s));
			break;
		}
		case F_SEVERITY:
			json_put_string(b, r->severity, strlen(r->severity));
			break;
		case F_BY:
			buf_addc(b, '[');
			for (i = 0; i < (size_t)r->nby; i++) {
				if (i > 0)
					buf_addc(b, ',');
				json_put_string(b, r->by[i], strlen(r->by[i]));
			}
			buf_addc(b, ']');
			break;
		case F_WINDOW:
		case F_FOR:
		case F_LEARN:
		case F_COOLDOWN:
		case F_KEEP:
			buf_addc(b, '"');
			ts_format_duration(b, f == F_WINDOW ? r->window :
			    f == F_FOR ? r->for_ : f == F_LEARN ? r->learn :
			    f == F_COOLDOWN ? r->cooldown :
			    r->keep_firing_for);
			buf_addc(b, '"');
			break;
		case F_THRESHOLD:
			json_put_number(b, r->threshold);
			break;
		case F_FACTOR:
			json_put_number(b, r->factor);
			break;
		case F_OP:
			buf_printf(b, "\"%s\"", op_names[r->op]);
			break;
		case F_DIRECTION:
			buf_printf(b, "\"%s\"", dir_names[r->direction]);
			break;
		case F_KEYS:
			buf_addc(b, '[');
			for (i = 0; i < r->nkeys; i++)
				buf_printf(b, "%s%s", i > 0 ? "," : "",
				    r->keys[i]);
			buf_addc(b, ']');
			break;
		case F_STEPS:
			buf_addc(b, '[');
			for (i = 0; i < r->nsteps; i++) {
				buf_adds(b, i > 0 ? ",{\"where\":" :
				    "{\"where\":");
				json_put_string(b, r->steps[i].where,
				    strlen(r->steps[i].where));
				buf_printf(b, ",\"count\":%lld}",
				    r->steps[i].count);
			}
			buf_addc(b, ']');
			break;
		case F_LABELS:
			buf_adds(b, r->labels);
			break;
		case F_SAMPLE:
			buf_printf(b, "%lld", r->sample);
			break;
		}
	}
	buf_addc(b, '}');
}

const char *
rule_type_name(enum rule_type t)
{
	return (size_t)t < NTYPES ? type_names[t] : "?";
}

/* rule_clear -- free what one rule holds */
static void
rule_clear(struct rule *r)
{
	size_t i;

	free(r->name);
	free(r->where);
	for (i = 0; i < RULES_BY_MAX; i++)
		free(r->by[i]);
	free(r->agg);
	free(r->field);
	free(r->severity);
	free(r->labels);
	free(r->message);
	for (i = 0; i < r->nkeys; i++)
		free(r->keys[i]);
	free(r->keys);
	for (i = 0; i < r->nsteps; i++)
		free(r->steps[i].where);
	free(r->steps);
	memset(r, 0, sizeof(*r));
}

void
rules_free(struct rules *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		rule_clear(&rs->r[i]);
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}
