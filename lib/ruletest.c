/*
 * ruletest -- stream-alert --test; see ruletest.h.
 *
 * A test file is read whole with libyaml's document API and checked
 * before anything runs: every mistake is kept with its place and all of
 * them are reported in the file's order, "PATH:LINE:COL: message", as
 * rules.c does for rule files.  Input files and the rule file are read
 * then too, so a file that loads is one whose tests all run.
 *
 * Expected alerts are turned into compact JSON (mappings to objects,
 * sequences to arrays, scalars typed as rules_scalar_json types labels),
 * and compared with each alert the run function writes, read with the
 * json scanner: every member expected is there and matches, arrays have
 * the same length and match element by element, and scalars are equal
 * as jq has them (numbers by value).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "json.h"
#include "ruletest.h"
#include "suggest.h"
#include "xalloc.h"

#define ERRORS_MAX	50
#define DEPTH_MAX	64		/* nesting of an expected alert */
#define VALUES_MAX	100000		/* values in one (aliases repeat) */
#define SHOW_MAX	20		/* alert pairs shown for a failure */

enum { K_RULES, K_TESTS, K_NTOP };
enum { T_NAME, T_INPUT, T_INPUT_FILE, T_EXPECT, T_N };

static const char *const top_keys[K_NTOP] = { "rules", "tests" };
static const char *const test_keys[T_N] = {
	"name", "input", "input_file", "expect"
};

struct mistake {
	int		 line, col;
	size_t		 seq;		/* keeps the sort stable */
	char		*msg;
};

struct test {
	char		*name;
	char		*input;		/* NDJSON, NUL-terminated */
	size_t		 len;
	char		**expect;	/* compact JSON, one an alert */
	size_t		 nexpect;
};

struct ctx {
	const char	*path;		/* the test file */
	yaml_document_t	*doc;
	struct mistake	*m;
	size_t		 n, cap;
	struct test	*t;
	size_t		 nt;
	struct rules	 rules;		/* from 'rules:' */
	int		 has_rules;	/* 'rules:' given (loaded or not) */
	struct buf	 rules_err;	/* the rule file's own report */
	yaml_node_t	*alert;		/* the expected alert being read */
	size_t		 alert_no;	/* its number, from 1 */
	size_t		 budget;	/* values left for it */
	int		 stop;		/* too deep or too big: give up */
};

static void	complain(struct ctx *, const yaml_mark_t *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	cmp_mistake(const void *, const void *);
static yaml_node_t *node(struct ctx *, int);
static const char *kind(const yaml_node_t *);
static const char *sval(const yaml_node_t *);
static int	is_null(const yaml_node_t *);
static int	not_json_number(const char *);
static yaml_node_t *dup_key(struct ctx *, yaml_node_t *, yaml_node_pair_t *);
static void	collect(struct ctx *, yaml_node_t *, const char *const *,
		    size_t, yaml_node_t **, yaml_node_t **, const char *);
static int	get_str(struct ctx *, yaml_node_t *, const char *, char **);
static char	*join(const char *, const char *);
static void	alert_json(struct ctx *, yaml_node_t *, struct buf *, int);
static void	load_expect(struct ctx *, yaml_node_t *, struct test *);
static void	load_input(struct ctx *, yaml_node_t **, yaml_node_t **,
		    struct test *, const char *);
static void	load_test(struct ctx *, yaml_node_t *, size_t, struct test *);
static void	load_rules(struct ctx *, yaml_node_t *);
static int	load_doc(struct ctx *);
static void	yaml_failed(struct ctx *, const yaml_parser_t *);
static void	report(struct ctx *, struct buf *);
static void	ctx_free(struct ctx *);
static int	subset(struct json_span, struct json_span);
static void	tap_desc(FILE *, const char *, const char *);
static void	tap_comment(FILE *, const char *, const char *, size_t);
static int	split_alerts(struct buf *, struct json_span **, size_t *,
		    struct buf *);
static void	run_test(struct ruletest *, const struct rules *,
		    const char *, const struct test *);

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

	if (n->type != YAML_SCALAR_NODE)
		return 0;
	s = sval(n);
	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (*s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0);
}

/*
 * not_json_number -- is the plain scalar s a YAML core float that JSON
 * cannot hold: [-+].inf (any of its three spellings), .nan, or a number
 * too big for a double (1e999)?  rules_scalar_json would make it a
 * string, which an expected alert would then never match.
 */
static int
not_json_number(const char *s)
{
	const char *d;
	char *end;

	d = s + (*s == '-' || *s == '+');
	if (strcmp(d, ".inf") == 0 || strcmp(d, ".Inf") == 0 ||
	    strcmp(d, ".INF") == 0)
		return 1;
	if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 ||
	    strcmp(s, ".NAN") == 0)
		return 1;
	if ((*d < '0' || *d > '9') && *d != '.')
		return 0;
	if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X'))
		return 0;		/* a hex integer, not a float */
	return !isfinite(strtod(s, &end)) && *end == '\0';
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
	const char *hint;
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
		} else if ((hint = suggest(sval(k), names, nn)) != NULL)
			complain(c, &k->start_mark, "%s '%s' (did you mean "
			    "'%s'?)", unknown, sval(k), hint);
		else
			complain(c, &k->start_mark, "%s '%s'", unknown,
			    sval(k));
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
	*out = xstrdup(sval(n));
	return 0;
}

/* join -- rel read relative to the directory of path, as a new string */
static char *
join(const char *path, const char *rel)
{
	struct buf b = BUF_INIT;
	const char *slash;

	if (rel[0] == '/' || (slash = strrchr(path, '/')) == NULL)
		return xstrdup(rel);
	buf_add(&b, path, (size_t)(slash - path) + 1);
	buf_adds(&b, rel);
	return buf_detach(&b);
}

/*
 * alert_json -- the YAML value n as JSON onto b.  Mistakes (keys that
 * are not scalars or repeat, numbers JSON cannot hold) are told and
 * the value goes on; nesting past DEPTH_MAX or more than VALUES_MAX
 * values (an alias can refer to itself) is told once, at the alert,
 * and stops it.
 */
static void
alert_json(struct ctx *c, yaml_node_t *n, struct buf *b, int depth)
{
	yaml_node_item_t *it;
	yaml_node_pair_t *p;
	yaml_node_t *k, *first;

	if (c->stop)
		return;
	if (depth > DEPTH_MAX || c->budget == 0) {
		if (depth > DEPTH_MAX)
			complain(c, &c->alert->start_mark, "expected alert "
			    "%zu nests more than %d deep", c->alert_no,
			    DEPTH_MAX);
		else
			complain(c, &c->alert->start_mark, "expected alert "
			    "%zu has more than %d values", c->alert_no,
			    VALUES_MAX);
		c->stop = 1;
		return;
	}
	c->budget--;
	switch (n->type) {
	case YAML_MAPPING_NODE:
		buf_addc(b, '{');
		for (p = n->data.mapping.pairs.start;
		    p < n->data.mapping.pairs.top && !c->stop; p++) {
			k = node(c, p->key);
			if (k->type != YAML_SCALAR_NODE) {
				complain(c, &k->start_mark,
				    "a key must be a scalar, not %s", kind(k));
				continue;
			}
			if ((first = dup_key(c, n, p)) != NULL) {
				complain(c, &k->start_mark,
				    "duplicate key '%s' (first at %d:%d)",
				    sval(k), (int)first->start_mark.line + 1,
				    (int)first->start_mark.column + 1);
				continue;
			}
			if (b->p[b->len - 1] != '{')
				buf_addc(b, ',');
			json_put_string(b, sval(k), k->data.scalar.length);
			buf_addc(b, ':');
			alert_json(c, node(c, p->value), b, depth + 1);
		}
		buf_addc(b, '}');
		break;
	case YAML_SEQUENCE_NODE:
		buf_addc(b, '[');
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top && !c->stop; it++) {
			if (it > n->data.sequence.items.start)
				buf_addc(b, ',');
			alert_json(c, node(c, *it), b, depth + 1);
		}
		buf_addc(b, ']');
		break;
	default:
		if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    not_json_number(sval(n))) {
			complain(c, &n->start_mark, "'%s' is not a JSON "
			    "number (quote it for a string)", sval(n));
			buf_adds(b, "null");
		} else
			rules_scalar_json(n, b);
		break;
	}
}

/* load_expect -- a test's expected alerts, mappings, as compact JSON */
static void
load_expect(struct ctx *c, yaml_node_t *n, struct test *t)
{
	struct buf b = BUF_INIT;
	yaml_node_item_t *it;
	yaml_node_t *e;
	size_t cap, i;

	if (n->type != YAML_SEQUENCE_NODE) {
		complain(c, &n->start_mark, "'expect' must be a list of "
		    "alerts ([] if none), not %s", is_null(n) ? "empty" :
		    kind(n));
		return;
	}
	cap = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	t->expect = xcalloc(cap == 0 ? 1 : cap, sizeof(*t->expect));
	for (i = 0, it = n->data.sequence.items.start; i < cap; i++, it++) {
		e = node(c, *it);
		if (e->type != YAML_MAPPING_NODE) {
			complain(c, &e->start_mark, "expected alert %zu must "
			    "be a mapping, not %s", i + 1, kind(e));
			continue;
		}
		buf_reset(&b);
		c->alert = e;
		c->alert_no = i + 1;
		c->budget = VALUES_MAX;
		c->stop = 0;
		alert_json(c, e, &b, 1);
		t->expect[t->nexpect++] = xstrndup(b.p, b.len);
	}
	buf_free(&b);
}

/*
 * load_input -- the test's input from key[]/val[] T_INPUT or
 * T_INPUT_FILE (read now, relative to the test file), exactly one of
 * them; what names the test in mistakes
 */
static void
load_input(struct ctx *c, yaml_node_t **key, yaml_node_t **val,
    struct test *t, const char *what)
{
	struct buf b = BUF_INIT;
	yaml_node_t *n, *later;
	char *rel = NULL, *path;

	if (val[T_INPUT] != NULL && val[T_INPUT_FILE] != NULL) {
		later = key[T_INPUT]->start_mark.index >
		    key[T_INPUT_FILE]->start_mark.index ? key[T_INPUT] :
		    key[T_INPUT_FILE];
		complain(c, &later->start_mark, "%s: give 'input' or "
		    "'input_file', not both", what);
		return;
	}
	if ((n = val[T_INPUT]) != NULL) {
		if (n->type != YAML_SCALAR_NODE)
			complain(c, &n->start_mark, "'input' must be a string "
			    "of NDJSON (input: |), not %s", kind(n));
		else if (is_null(n))
			complain(c, &n->start_mark, "'input' has no value");
		else {
			t->len = n->data.scalar.length;	/* "\0" included */
			t->input = xmalloc(t->len + 1);
			memcpy(t->input, sval(n), t->len + 1);
		}
		return;
	}
	if ((n = val[T_INPUT_FILE]) == NULL)
		return;		/* told by load_test */
	if (get_str(c, n, "input_file", &rel) == -1)
		return;
	path = join(c->path, rel);
	if (buf_read_file(&b, path) == -1)
		complain(c, &n->start_mark, "'input_file': cannot read '%s': "
		    "%s", path, strerror(errno));
	else {
		t->len = b.len;
		t->input = b.p == NULL ? xstrdup("") : buf_detach(&b);
	}
	buf_free(&b);
	free(path);
	free(rel);
}

/* load_test -- test number num (from 1) from node m into t */
static void
load_test(struct ctx *c, yaml_node_t *m, size_t num, struct test *t)
{
	yaml_node_t *key[T_N], *val[T_N];
	struct buf what = BUF_INIT;

	memset(t, 0, sizeof(*t));
	if (m->type != YAML_MAPPING_NODE) {
		complain(c, &m->start_mark, "test %zu must be a mapping, "
		    "not %s", num, kind(m));
		return;
	}
	memset(key, 0, sizeof(key));
	memset(val, 0, sizeof(val));
	collect(c, m, test_keys, T_N, key, val, "unknown test field");
	if (val[T_NAME] == NULL)
		complain(c, &m->start_mark, "test %zu has no 'name'", num);
	else
		get_str(c, val[T_NAME], "name", &t->name);
	if (t->name != NULL)
		buf_printf(&what, "test '%s'", t->name);
	else
		buf_printf(&what, "test %zu", num);
	if (val[T_INPUT] == NULL && val[T_INPUT_FILE] == NULL)
		complain(c, &m->start_mark, "%s has no 'input' or "
		    "'input_file'", what.p);
	else
		load_input(c, key, val, t, what.p);
	if (val[T_EXPECT] == NULL)
		complain(c, &m->start_mark, "%s has no 'expect' ([] if "
		    "nothing fires)", what.p);
	else
		load_expect(c, val[T_EXPECT], t);
	buf_free(&what);
}

/*
 * load_rules -- the rule file named by n, relative to the test file.  Its
 * own mistakes go to c->rules_err, placed in the rule file.
 */
static void
load_rules(struct ctx *c, yaml_node_t *n)
{
	struct buf text = BUF_INIT;
	char *rel = NULL, *path;

	c->has_rules = 1;
	if (get_str(c, n, "rules", &rel) == -1)
		return;
	path = join(c->path, rel);
	if (buf_read_file(&text, path) == -1)
		complain(c, &n->start_mark, "'rules': cannot read '%s': %s",
		    path, strerror(errno));
	else
		rules_load_text(&c->rules, path, text.p == NULL ? "" : text.p,
		    text.len, &c->rules_err);
	buf_free(&text);
	free(path);
	free(rel);
}

/* load_doc -- the document's root mapping: 0, or -1 if it is not one */
static int
load_doc(struct ctx *c)
{
	yaml_node_t *root, *key[K_NTOP], *val[K_NTOP];
	yaml_node_item_t *it;
	yaml_mark_t start = { 0, 0, 0 };
	size_t n, i;

	if ((root = yaml_document_get_root_node(c->doc)) == NULL) {
		complain(c, &start, "no 'tests': the file is empty");
		return -1;
	}
	if (root->type != YAML_MAPPING_NODE) {
		complain(c, &root->start_mark,
		    "the top level must be a mapping with 'tests', not %s",
		    kind(root));
		return -1;
	}
	memset(key, 0, sizeof(key));
	memset(val, 0, sizeof(val));
	collect(c, root, top_keys, K_NTOP, key, val, "unknown top-level key");
	if (val[K_RULES] != NULL)
		load_rules(c, val[K_RULES]);
	if (val[K_TESTS] == NULL) {
		complain(c, &root->start_mark, "no 'tests' key");
		return 0;
	}
	if (val[K_TESTS]->type != YAML_SEQUENCE_NODE) {
		complain(c, &val[K_TESTS]->start_mark,
		    "'tests' must be a list of tests, not %s",
		    is_null(val[K_TESTS]) ? "empty" : kind(val[K_TESTS]));
		return 0;
	}
	n = (size_t)(val[K_TESTS]->data.sequence.items.top -
	    val[K_TESTS]->data.sequence.items.start);
	if (n == 0) {
		complain(c, &val[K_TESTS]->start_mark,
		    "'tests' must not be empty");
		return 0;
	}
	c->t = xcalloc(n, sizeof(*c->t));
	for (i = 0, it = val[K_TESTS]->data.sequence.items.start; i < n;
	    i++, it++) {
		load_test(c, node(c, *it), i + 1, &c->t[i]);
		c->nt++;
	}
	return 0;
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

	if (c->n > 0)
		qsort(c->m, c->n, sizeof(*c->m), cmp_mistake);
	for (i = 0; i < c->n; i++) {
		if (i < ERRORS_MAX)
			buf_printf(err, "%s:%d:%d: %s\n", c->path,
			    c->m[i].line, c->m[i].col, c->m[i].msg);
		free(c->m[i].msg);
	}
	if (c->n > ERRORS_MAX)
		buf_printf(err, "%s: %zu more mistakes not shown\n", c->path,
		    c->n - ERRORS_MAX);
	free(c->m);
	c->m = NULL;
	c->n = c->cap = 0;
}

/* ctx_free -- the tests, the rules and the rule file's report */
static void
ctx_free(struct ctx *c)
{
	size_t i, j;

	for (i = 0; i < c->nt; i++) {
		free(c->t[i].name);
		free(c->t[i].input);
		for (j = 0; j < c->t[i].nexpect; j++)
			free(c->t[i].expect[j]);
		free(c->t[i].expect);
	}
	free(c->t);
	c->t = NULL;
	c->nt = 0;
	rules_free(&c->rules);
	buf_free(&c->rules_err);
}

/*
 * subset -- is e (expected) a subset of a (actual)?  Objects: every
 * member of e is in a (its last, as jq reads duplicates) and matches;
 * arrays: as long, element by element; others: json_cmp equal, so
 * numbers by value.  Recurses as deep as e, which alert_json bounds.
 */
static int
subset(struct json_span e, struct json_span a)
{
	struct json_iter ie, ia;
	struct json_span ek, ev, ak, av, found;
	int ge, ga;

	if (e.type != a.type)
		return 0;
	switch (e.type) {
	case JSON_OBJECT:
		json_iter_init(&ie, e);
		while (json_iter_next(&ie, &ek, &ev)) {
			found.type = JSON_NONE;
			json_iter_init(&ia, a);
			while (json_iter_next(&ia, &ak, &av))
				if (json_cmp(ek, ak) == 0)
					found = av;
			if (found.type == JSON_NONE || !subset(ev, found))
				return 0;
		}
		return 1;
	case JSON_ARRAY:
		json_iter_init(&ie, e);
		json_iter_init(&ia, a);
		for (;;) {
			ge = json_iter_next(&ie, NULL, &ev);
			ga = json_iter_next(&ia, NULL, &av);
			if (!ge || !ga)
				return ge == ga;
			if (!subset(ev, av))
				return 0;
		}
	default:
		return json_cmp(e, a) == 0;
	}
}

/*
 * tap_desc -- "FILE: NAME" as a TAP description: control characters
 * become spaces, '#' (a directive) and '\' are escaped with '\'
 */
static void
tap_desc(FILE *fp, const char *path, const char *name)
{
	const char *s;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (s = pass == 0 ? path : name; *s != '\0'; s++)
			if ((unsigned char)*s < ' ' || *s == 0x7f)
				putc(' ', fp);
			else if (*s == '#' || *s == '\\') {
				putc('\\', fp);
				putc(*s, fp);
			} else
				putc(*s, fp);
		if (pass == 0)
			fputs(": ", fp);
	}
	putc('\n', fp);
}

/* tap_comment -- "#   PREFIXtext" for each line of the len bytes at s */
static void
tap_comment(FILE *fp, const char *prefix, const char *s, size_t len)
{
	const char *end = s + len, *nl;

	while (s < end) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		fprintf(fp, "#   %s", prefix);
		for (; s < nl; s++)
			putc((unsigned char)*s < ' ' ? ' ' : *s, fp);
		putc('\n', fp);
		s = nl + 1;
	}
}

/*
 * split_alerts -- the NDJSON in out as spans (blank lines skipped): 0, or
 * -1 with why in err if a line is not JSON.  *v is the caller's to free.
 */
static int
split_alerts(struct buf *out, struct json_span **v, size_t *n,
    struct buf *err)
{
	struct json_error je;
	const char *p, *end, *nl;
	size_t cap = 0, len;

	*v = NULL;
	*n = 0;
	p = out->p;
	end = p == NULL ? NULL : p + out->len;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (strspn(p, " \t\r") >= len)
			continue;
		if (*n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			*v = xreallocarray(*v, cap, sizeof(**v));
		}
		if (json_validate(p, len, &(*v)[*n], &je) == -1) {
			buf_printf(err, "alert %zu is not JSON at column %zu: "
			    "%s", *n + 1, je.col, je.what[0] != '\0' ?
			    je.what : je.msg);
			return -1;
		}
		(*n)++;
	}
	return 0;
}

/*
 * run_test -- run one test and write its TAP: "ok N - ..." or "not ok",
 * the count, the alerts that do not match (expected, then got) or the
 * run's error as comments
 */
static void
run_test(struct ruletest *r, const struct rules *rs, const char *path,
    const struct test *t)
{
	struct buf out = BUF_INIT, err = BUF_INIT, got = BUF_INIT;
	struct json_span *act = NULL, e;
	struct json_error je;
	size_t na = 0, i, shown = 0, most;
	int ok = 1, *match = NULL;

	r->n++;
	if (r->run(r->arg, rs, t->input, t->len, &out, &err) == -1 ||
	    split_alerts(&out, &act, &na, &err) == -1) {
		fprintf(r->tap, "not ok %d - ", r->n);
		tap_desc(r->tap, path, t->name);
		if (err.len == 0)
			buf_adds(&err, "the run failed and did not say why");
		tap_comment(r->tap, "error: ", err.p, err.len);
		r->failed++;
		goto done;
	}
	most = na > t->nexpect ? na : t->nexpect;
	match = xcalloc(most == 0 ? 1 : most, sizeof(*match));
	for (i = 0; i < most; i++) {
		if (i < na && i < t->nexpect &&
		    json_validate(t->expect[i], strlen(t->expect[i]), &e,
		    &je) == 0)
			match[i] = subset(e, act[i]);
		ok &= match[i];
	}
	fprintf(r->tap, "%sok %d - ", ok ? "" : "not ", r->n);
	tap_desc(r->tap, path, t->name);
	if (ok)
		goto done;
	r->failed++;
	if (na != t->nexpect)
		fprintf(r->tap, "#   expected %zu alert%s, got %zu\n",
		    t->nexpect, t->nexpect == 1 ? "" : "s", na);
	for (i = 0; i < most; i++) {
		if (match[i] || shown++ >= SHOW_MAX)
			continue;
		buf_reset(&got);
		if (i < na)
			json_compact(act[i], &got);
		fprintf(r->tap, "#   alert %zu: expected %s\n", i + 1,
		    i < t->nexpect ? t->expect[i] : "nothing");
		fprintf(r->tap, "#   got      %s\n", i < na ? got.p :
		    "nothing");
	}
	if (shown > SHOW_MAX)
		fprintf(r->tap, "#   and %zu more alerts that differ\n",
		    shown - SHOW_MAX);
done:
	free(match);
	free(act);
	buf_free(&got);
	buf_free(&err);
	buf_free(&out);
}

/*
 * ruletest_file -- load the whole file (its rule file and input files
 * too), report every mistake, or run every test in order.
 */
int
ruletest_file(struct ruletest *r, const char *path, struct buf *err)
{
	yaml_parser_t parser;
	yaml_document_t doc, next;
	struct buf text = BUF_INIT;
	const struct rules *rs;
	yaml_node_t *extra;
	struct ctx c;
	int loaded = 0;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.path = path;
	if (buf_read_file(&text, path) == -1) {
		buf_printf(err, "%s: %s\n", path, strerror(errno));
		buf_free(&text);
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		buf_printf(err, "%s: cannot initialise libyaml\n", path);
		buf_free(&text);
		return -1;
	}
	yaml_parser_set_input_string(&parser,
	    (const unsigned char *)(text.p == NULL ? "" : text.p), text.len);
	if (yaml_parser_load(&parser, &doc)) {
		c.doc = &doc;
		loaded = load_doc(&c) == 0;
		/* a second document would be ignored: say so */
		if (!yaml_parser_load(&parser, &next))
			yaml_failed(&c, &parser);
		else {
			if ((extra = yaml_document_get_root_node(&next)) !=
			    NULL)
				complain(&c, &extra->start_mark,
				    "only one YAML document is allowed");
			yaml_document_delete(&next);
		}
		yaml_document_delete(&doc);
	} else
		yaml_failed(&c, &parser);
	yaml_parser_delete(&parser);
	buf_free(&text);
	rs = c.has_rules ? &c.rules : r->rules;
	if (c.n > 0 || c.rules_err.len > 0 || (loaded && rs == NULL)) {
		report(&c, err);
		if (c.rules_err.len > 0)
			buf_add(err, c.rules_err.p, c.rules_err.len);
		if (loaded && rs == NULL)
			buf_printf(err, "%s: no rules: give -r or a 'rules:' "
			    "key\n", path);
		ctx_free(&c);
		return -1;
	}
	free(c.m);
	for (i = 0; i < c.nt; i++)
		run_test(r, rs, path, &c.t[i]);
	ctx_free(&c);
	return 0;
}

void
ruletest_plan(struct ruletest *r)
{
	fprintf(r->tap, "1..%d\n", r->n);
}
