/*
 * detect -- one rule at run time; see detect.h.  Keys live in a hash map
 * (key text: the by values in canonical JSON joined by '\n', which they
 * never hold), in a list by activity (the least recently active goes
 * first when max_keys is reached), and in a min-heap by the time their
 * next judgement is due: a window's end, the end of a silence, a value's
 * expiry, a resolve held back by keep_firing_for, or the end of a
 * cooldown after which a key with nothing else is forgotten.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "ts.h"
#include "xalloc.h"

#define NONE		TS_NONE
#define NEVER		INT64_MAX
#define CARD_MAX	10000	/* cardinality: distinct values kept a key */

struct u64set {			/* open addressing; 0 marks a free slot */
	uint64_t	*slot;
	size_t		 n, cap;
};

struct smp {			/* a sample record */
	int64_t		 t;
	int		 step;		/* sequence: the step it matched */
	struct buf	 raw;
};

struct twin {			/* threshold, spike: one open window */
	int64_t		 start;
	struct twin	*next;		/* by start */
	size_t		 nsmp;
	struct buf	*smp;		/* its first records, up to sample */
	struct agg	 agg;
};

struct cval {			/* cardinality: a value and when last seen */
	uint64_t	 h;
	int64_t		 t;
	struct cval	*prev, *next;	/* by t */
};

struct akey {
	char		*key;
	size_t		 keylen;
	struct akey	*older, *newer;	/* activity order */
	size_t		 heapi;		/* SIZE_MAX: not in the heap */
	int64_t		 due;
	uint64_t	 seq;
	int		 firing, pending, steady, judged, step;
	long long	 n;		/* sequence: matches in this step */
	int64_t		 fired_at;	/* last firing alert, for cooldown */
	int64_t		 clear_at;	/* resolve due (keep_firing_for) */
	int64_t		 since;		/* threshold: first true window end */
	int64_t		 last_true;	/* threshold, spike: last true end */
	int64_t		 last_eval;	/* threshold: last window judged */
	int64_t		 last;		/* absence: last seen */
	int64_t		 silence;	/* absence: when it fired */
	int64_t		 ended;		/* absence: the record that ended it */
	int64_t		 prev_end;	/* spike: the previous window's end */
	double		 prev;		/* and its value */
	int		 has_prev;
	struct smp	*smp;		/* ring of sample records */
	size_t		 smp0, nsmp;
	int64_t		*ts;		/* frequency, sequence: times, sorted */
	size_t		 t0, nts, capts;
	struct twin	*win;		/* threshold, spike */
	struct u64set	 set;		/* new_value */
	struct hash_map	 vals;		/* cardinality: hash -> struct cval * */
	struct cval	*vhead, *vtail;
	struct buf	 last_val;	/* change: canonical JSON; absence: the
					 * last record, raw */
};

static int	first_out(void *, const char *, size_t);
static int	dprog_compile(struct dprog *, const char *, struct json_want *,
		    struct buf *);
static int	dprog_truthy(struct detect *, struct dprog *,
		    struct json_span);
static void	key_free(struct detect *, struct akey *);
static int	settle(struct detect *, struct akey *, int64_t);
static int	fire(struct detect *, struct akey *, const char *, size_t,
		    struct notice *);
static void	process_due(struct detect *, struct akey *, int64_t, int64_t);

/* u64set -- a set of 64-bit hashes (new_value) */
static int
set_has(const struct u64set *s, uint64_t h)
{
	size_t i;

	if (s->cap == 0)
		return 0;
	h = h == 0 ? 1 : h;
	for (i = (size_t)h & (s->cap - 1); s->slot[i] != 0;
	    i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == h)
			return 1;
	return 0;
}

static void
set_put(uint64_t *slot, size_t cap, uint64_t h)
{
	size_t i;

	for (i = (size_t)h & (cap - 1); slot[i] != 0 && slot[i] != h;
	    i = (i + 1) & (cap - 1))
		;
	slot[i] = h;
}

static void
set_add(struct u64set *s, uint64_t h)
{
	uint64_t *old = s->slot;
	size_t i, cap = s->cap;

	h = h == 0 ? 1 : h;
	if (set_has(s, h))
		return;
	if ((s->n + 1) * 2 > s->cap) {
		s->cap = cap == 0 ? 16 : cap * 2;
		s->slot = xcalloc(s->cap, sizeof(*s->slot));
		for (i = 0; i < cap; i++)
			if (old[i] != 0)
				set_put(s->slot, s->cap, old[i]);
		free(old);
	}
	set_put(s->slot, s->cap, h);
	s->n++;
}

/* Sample records: a ring of the rule's sample size, oldest first */
static void
smp_push(struct detect *d, struct akey *k, int64_t t, int step,
    struct json_span rec)
{
	size_t cap = (size_t)d->r->sample, i;

	if (cap == 0)
		return;
	if (k->smp == NULL)
		k->smp = xcalloc(cap, sizeof(*k->smp));
	if (k->nsmp == cap) {
		i = k->smp0;
		k->smp0 = (k->smp0 + 1) % cap;
	} else {
		i = (k->smp0 + k->nsmp++) % cap;
	}
	k->smp[i].t = t;
	k->smp[i].step = step;
	buf_reset(&k->smp[i].raw);
	buf_add(&k->smp[i].raw, rec.p, rec.len);
}

static struct smp *
smp_at(const struct detect *d, const struct akey *k, size_t j)
{
	return &k->smp[(k->smp0 + j) % (size_t)d->r->sample];
}

/* smp_expire -- drop the oldest samples while they are at or before t */
static void
smp_expire(struct detect *d, struct akey *k, int64_t t)
{
	while (k->nsmp > 0 && smp_at(d, k, 0)->t <= t) {
		k->smp0 = (k->smp0 + 1) % (size_t)d->r->sample;
		k->nsmp--;
	}
}

/* smp_spans -- the samples as spans in d->spans, oldest first */
static size_t
smp_spans(struct detect *d, const struct akey *k)
{
	size_t j;

	for (j = 0; j < k->nsmp; j++)
		d->spans[j] = json_span_of(smp_at(d, k, j)->raw.p,
		    smp_at(d, k, j)->raw.len);
	return k->nsmp;
}

/* Times, sorted: a deque that records in order append to */
static void
ts_insert(struct akey *k, int64_t t)
{
	size_t i;

	if (k->t0 + k->nts == k->capts) {
		if (k->t0 > 0) {
			memmove(k->ts, k->ts + k->t0, k->nts * sizeof(*k->ts));
			k->t0 = 0;
		} else {
			k->capts = k->capts == 0 ? 8 : k->capts * 2;
			k->ts = xreallocarray(k->ts, k->capts,
			    sizeof(*k->ts));
		}
	}
	for (i = k->t0 + k->nts; i > k->t0 && k->ts[i - 1] > t; i--)
		k->ts[i] = k->ts[i - 1];
	k->ts[i] = t;
	k->nts++;
}

static int64_t
ts_front(const struct akey *k)
{
	return k->ts[k->t0];
}

static void
ts_pop(struct akey *k)
{
	k->t0++;
	if (--k->nts == 0)
		k->t0 = 0;
}

/* Heap of keys by (due, seq) */
static int
before(const struct akey *a, const struct akey *b)
{
	return a->due != b->due ? a->due < b->due : a->seq < b->seq;
}

static void
heap_set(struct detect *d, size_t i, struct akey *k)
{
	d->heap[i] = k;
	k->heapi = i;
}

static void
heap_fix(struct detect *d, size_t i)
{
	struct akey *k = d->heap[i];
	size_t c;

	while (i > 0 && before(k, d->heap[(i - 1) / 2])) {
		heap_set(d, i, d->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	while ((c = 2 * i + 1) < d->nheap) {
		if (c + 1 < d->nheap && before(d->heap[c + 1], d->heap[c]))
			c++;
		if (!before(d->heap[c], k))
			break;
		heap_set(d, i, d->heap[c]);
		i = c;
	}
	heap_set(d, i, k);
}

static void
heap_remove(struct detect *d, struct akey *k)
{
	size_t i = k->heapi;

	if (i == SIZE_MAX)
		return;
	k->heapi = SIZE_MAX;
	if (--d->nheap == i)
		return;
	heap_set(d, i, d->heap[d->nheap]);
	heap_fix(d, i);
}

/* sched -- the key's next judgement at due (NEVER: none) */
static void
sched(struct detect *d, struct akey *k, int64_t due)
{
	if (due == NEVER) {
		heap_remove(d, k);
		k->due = NEVER;
		return;
	}
	k->due = due;
	if (k->heapi != SIZE_MAX) {
		heap_fix(d, k->heapi);
		return;
	}
	if (d->nheap == d->capheap) {
		d->capheap = d->capheap == 0 ? 64 : d->capheap * 2;
		d->heap = xreallocarray(d->heap, d->capheap, sizeof(*d->heap));
	}
	heap_set(d, d->nheap++, k);
	heap_fix(d, d->nheap - 1);
}

/* Keys */
static void
list_unlink(struct detect *d, struct akey *k)
{
	if (k->older != NULL)
		k->older->newer = k->newer;
	else
		d->oldest = k->newer;
	if (k->newer != NULL)
		k->newer->older = k->older;
	else
		d->newest = k->older;
	k->older = k->newer = NULL;
}

static void
list_append(struct detect *d, struct akey *k)
{
	k->older = d->newest;
	k->newer = NULL;
	if (d->newest != NULL)
		d->newest->newer = k;
	else
		d->oldest = k;
	d->newest = k;
}

/* touch -- the key was active: it goes last in line for eviction */
static void
touch(struct detect *d, struct akey *k)
{
	if (d->newest == k)
		return;
	list_unlink(d, k);
	list_append(d, k);
}

/* key_new -- a fresh key; past max_keys the least active one goes */
static struct akey *
key_new(struct detect *d, const char *key, size_t len)
{
	struct akey *k;

	if (d->max_keys > 0 && d->map.count >= (size_t)d->max_keys &&
	    d->oldest != NULL) {
		key_free(d, d->oldest);
		(*d->evicted)++;
	}
	k = xcalloc(1, sizeof(*k));
	k->key = xmalloc(len + 1);
	memcpy(k->key, key, len);
	k->key[len] = '\0';
	k->keylen = len;
	k->heapi = SIZE_MAX;
	k->due = NEVER;
	k->seq = d->seq++;
	k->fired_at = k->clear_at = k->since = k->last_true = NONE;
	k->last_eval = k->last = k->silence = k->ended = k->prev_end = NONE;
	k->vals.vsize = sizeof(struct cval *);
	*(struct akey **)hash_put(&d->map, key, len, NULL) = k;
	list_append(d, k);
	return k;
}

/* key_get -- the judged record's key, made if new */
static struct akey *
key_get(struct detect *d)
{
	struct akey **slot;

	if ((slot = hash_get(&d->map, d->key.p, d->key.len)) != NULL) {
		touch(d, *slot);
		return *slot;
	}
	return key_new(d, d->key.p, d->key.len);
}

static void
win_free(struct twin *x)
{
	size_t i;

	for (i = 0; i < x->nsmp; i++)
		buf_free(&x->smp[i]);
	free(x->smp);
	agg_free(&x->agg);
	free(x);
}

static void
vals_clear(struct akey *k)
{
	struct cval *v, *next;

	for (v = k->vhead; v != NULL; v = next) {
		next = v->next;
		free(v);
	}
	k->vhead = k->vtail = NULL;
	hash_free(&k->vals);
	k->vals.vsize = sizeof(struct cval *);
}

static void
key_free(struct detect *d, struct akey *k)
{
	struct twin *x;
	size_t i;

	heap_remove(d, k);
	hash_del(&d->map, k->key, k->keylen);
	list_unlink(d, k);
	if (k->smp != NULL)
		for (i = 0; i < (size_t)d->r->sample; i++)
			buf_free(&k->smp[i].raw);
	free(k->smp);
	free(k->ts);
	while ((x = k->win) != NULL) {
		k->win = x->next;
		win_free(x);
	}
	free(k->set.slot);
	vals_clear(k);
	hash_free(&k->vals);
	buf_free(&k->last_val);
	free(k->key);
	free(k);
}

/* needs_next -- threshold, spike: is the window after the last judged
 * one judged even if it holds no record? */
static int
needs_next(const struct detect *d, const struct akey *k)
{
	if (k->last_eval == NONE)
		return 0;
	if (d->r->type == RULE_THRESHOLD)
		return (k->firing || k->pending) && !k->steady;
	return k->firing || (k->has_prev && k->prev != 0);
}

/* key_empty -- nothing left to judge for the key but its cooldown */
static int
key_empty(const struct detect *d, const struct akey *k)
{
	switch (d->r->type) {
	case RULE_MATCH:
		return 1;
	case RULE_FREQUENCY:
		return k->nts == 0;
	case RULE_THRESHOLD:
	case RULE_SPIKE:
		return !k->firing && !k->pending && k->win == NULL &&
		    !needs_next(d, k);
	case RULE_NEW_VALUE:
		return k->set.n == 0;
	case RULE_CARDINALITY:
		return !k->firing && k->vhead == NULL;
	case RULE_SEQUENCE:
		return k->nts == 0 && k->step == 0;
	case RULE_ABSENCE:
	case RULE_CHANGE:
		break;
	}
	return 0;
}

/* key_due -- when the key is next judged; NEVER for not */
static int64_t
key_due(const struct detect *d, const struct akey *k)
{
	int64_t w = d->r->window, due = NEVER, e;

	switch (d->r->type) {
	case RULE_FREQUENCY:
		if (k->nts > 0)
			due = k->ts[k->t0 + k->nts - 1] + w;
		break;
	case RULE_THRESHOLD:
	case RULE_SPIKE:
		if (k->win != NULL)
			due = k->win->start + w;
		if (needs_next(d, k) && (e = k->last_eval + w) < due)
			due = e;
		break;
	case RULE_ABSENCE:
		if (!k->judged && k->last != NONE)
			due = k->last + w;
		if (k->clear_at != NONE && k->clear_at < due)
			due = k->clear_at;
		if (k->nts > 0 && ts_front(k) < due)
			due = ts_front(k);
		break;
	case RULE_CARDINALITY:
		if (k->vhead != NULL)
			due = k->vhead->t + w;
		if (k->clear_at != NONE && k->clear_at < due)
			due = k->clear_at;
		break;
	case RULE_SEQUENCE:
		if (k->nts > 0)
			due = ts_front(k) + w + 1;
		break;
	case RULE_MATCH:
	case RULE_NEW_VALUE:
	case RULE_CHANGE:
		break;
	}
	if (due == NEVER && k->fired_at != NONE && d->r->cooldown > 0 &&
	    key_empty(d, k))
		due = k->fired_at + d->r->cooldown;
	return due;
}

/* settle -- after the key changed: forget it if nothing is left (1),
 * else put it in line for its next judgement (0) */
static int
settle(struct detect *d, struct akey *k, int64_t wm)
{
	if (key_empty(d, k) && (k->fired_at == NONE || d->r->cooldown == 0 ||
	    k->fired_at + d->r->cooldown <= wm)) {
		key_free(d, k);
		return 1;
	}
	sched(d, k, key_due(d, k));
	return 0;
}

static void
notice_init(struct notice *n, int64_t at)
{
	memset(n, 0, sizeof(*n));
	n->at = at;
	n->value.type = JSON_NONE;
	n->previous.type = JSON_NONE;
	n->wstart = n->wend = NONE;
}

/*
 * fire -- hand an alert over, unless it is a firing one within the key's
 * cooldown: then it is counted as suppressed and 0 is returned, and the
 * caller leaves the key's state as it was.
 */
static int
fire(struct detect *d, struct akey *k, const char *key, size_t keylen,
    struct notice *n)
{
	if (!n->resolved && k != NULL && k->fired_at != NONE &&
	    d->r->cooldown > 0 && n->at < k->fired_at + d->r->cooldown) {
		(*d->suppressed)++;
		return 0;
	}
	if (!n->resolved && k != NULL)
		k->fired_at = n->at;
	d->notify(d->arg, d, key, keylen, n);
	return 1;
}

static int
fire_key(struct detect *d, struct akey *k, struct notice *n)
{
	return fire(d, k, k->key, k->keylen, n);
}

/* holds -- value op threshold */
static int
holds(enum rule_op op, double v, double th)
{
	switch (op) {
	case RULE_GT:
		return v > th;
	case RULE_GE:
		return v >= th;
	case RULE_LT:
		return v < th;
	case RULE_LE:
		return v <= th;
	case RULE_EQ:
		return v == th;
	case RULE_NE:
		return v != th;
	}
	return 0;
}

/* count_value -- an integer as the notice's value, text in d->val */
static struct json_span
count_value(struct detect *d, uint64_t n)
{
	buf_reset(&d->val);
	buf_printf(&d->val, "%" PRIu64, n);
	return json_span_of(d->val.p, d->val.len);
}

/* floor_div -- a / b rounded down, for times before 1970 too */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Compiling */

static int
first_out(void *arg, const char *p, size_t n)
{
	int *truthy = arg;

	*truthy = !((n == 5 && memcmp(p, "false", 5) == 0) ||
	    (n == 4 && memcmp(p, "null", 4) == 0));
	return -1;		/* the first output decides */
}

/*
 * dprog_compile -- a where, on the fast path when it can be, with the
 * members it reads added to want so that the scanner captures them in
 * its one pass for every rule at once
 */
static int
dprog_compile(struct dprog *dp, const char *text, struct json_want *want,
    struct buf *err)
{
	struct json_want pw;
	int i, j;

	program_init(&dp->p);
	if (program_compile(&dp->p, text, 1, err) == -1)
		return -1;
	program_want(&dp->p, &pw);
	dp->nmap = pw.n > 0 ? pw.n : -1;
	for (i = 0; i < pw.n; i++) {
		for (j = 0; j < want->n; j++)
			if (want->keylen[j] == pw.keylen[i] &&
			    memcmp(want->key[j], pw.key[i], pw.keylen[i]) == 0)
				break;
		if (j == want->n) {
			if (want->n == JSON_WANT_MAX) {
				dp->nmap = -1;
				return 0;
			}
			want->key[j] = pw.key[i];
			want->keylen[j] = pw.keylen[i];
			want->n++;
		}
		dp->map[i] = j;
	}
	return 0;
}

/* dprog_truthy -- 1 if the first output is not false or null, 0 if it
 * is or there is none, -1 on a runtime error (message in d->err) */
static int
dprog_truthy(struct detect *d, struct dprog *dp, struct json_span rec)
{
	struct json_span f[JSON_WANT_MAX];
	int i, truthy = 0;

	if (dp->nmap > 0 && d->found != NULL)
		for (i = 0; i < dp->nmap; i++)
			f[i] = d->found[dp->map[i]];
	if (program_run(&dp->p, rec, dp->nmap > 0 && d->found != NULL ? f :
	    NULL, first_out, &truthy, &d->err) == -1)
		return -1;
	return truthy;
}

int
detect_check(const struct rule *r, struct buf *why)
{
	if (r->type == RULE_ABSENCE && r->nkeys > 0 && r->nby != 1) {
		buf_adds(why, "'keys' needs exactly one 'by', whose values "
		    "they are");
		return -1;
	}
	if (r->type == RULE_SEQUENCE && r->nsteps > 64) {
		buf_adds(why, "'steps': at most 64");
		return -1;
	}
	return 0;
}

int
detect_open(struct detect *d, const struct rule *r, size_t idx,
    struct json_want *want, const struct json_span *found, struct buf *err)
{
	const char *expr;
	size_t i;
	int j;

	memset(d, 0, sizeof(*d));
	d->r = r;
	d->idx = idx;
	d->first = NONE;
	d->found = found;
	d->map.vsize = sizeof(struct akey *);
	buf_grow(&d->key, 64);		/* never NULL, even with no by */
	if (detect_check(r, err) == -1)
		return -1;
	if (r->where != NULL) {
		d->has_where = 1;
		if (dprog_compile(&d->where, r->where, want, err) == -1)
			return -1;
	}
	for (j = 0; j < r->nby; j++) {
		d->nby = j + 1;
		if (field_name(r->by[j], &d->byname[j], &expr) == -1) {
			buf_printf(err, "'by' %s has no name", r->by[j]);
			return -1;
		}
		if (field_compile(&d->by[j], expr, err) == -1)
			return -1;
		(void)field_want(&d->by[j], want, found);
	}
	if (r->field != NULL) {
		d->has_field = 1;
		if (field_compile(&d->field, r->field, err) == -1)
			return -1;
		(void)field_want(&d->field, want, found);
	}
	if (r->agg != NULL) {
		/* named, since an alert writes it as "value" and any jq
		 * expression may be aggregated, not only a path */
		d->has_spec = 1;
		buf_reset(&d->text);
		buf_printf(&d->text, "value=%s", r->agg);
		if (agg_parse(&d->spec, d->text.p, 100, err) == -1)
			return -1;
		if (d->spec.expr != NULL) {
			d->has_aggf = 1;
			if (field_compile(&d->aggf, d->spec.expr, err) == -1)
				return -1;
			(void)field_want(&d->aggf, want, found);
		}
	}
	if (r->nsteps > 0) {
		d->steps = xcalloc(r->nsteps, sizeof(*d->steps));
		for (i = 0; i < r->nsteps; i++) {
			d->nsteps = i + 1;
			if (dprog_compile(&d->steps[i], r->steps[i].where, want,
			    err) == -1)
				return -1;
		}
	}
	return 0;
}

/*
 * detect_judge -- does the rule take the record, and with which key and
 * values?  Nothing changes yet, so a record that fails in a later rule
 * leaves this one as it was.
 */
int
detect_judge(struct detect *d, struct json_span rec)
{
	const struct rule *r = d->r;
	struct json_span v;
	const char *why;
	size_t i;
	int j, rc;

	buf_reset(&d->err);
	if (d->has_where && (rc = dprog_truthy(d, &d->where, rec)) != 1)
		return rc;
	buf_reset(&d->key);
	for (j = 0; j < r->nby; j++) {
		if (field_get(&d->by[j], rec, &v, &d->err) == -1)
			return -1;
		if (j > 0)
			buf_addc(&d->key, '\n');
		if (v.type == JSON_NONE)
			buf_adds(&d->key, "null");
		else
			json_canon(v, &d->key);
	}
	d->fv.type = d->av.type = JSON_NONE;
	if (d->has_field && field_get(&d->field, rec, &d->fv, &d->err) == -1)
		return -1;
	if (d->has_aggf) {
		if (field_get(&d->aggf, rec, &d->av, &d->err) == -1)
			return -1;
		if ((why = agg_check(&d->spec, d->av)) != NULL) {
			buf_printf(&d->err, "rule %s: agg %s: %s: ", r->name,
			    r->agg, why);
			json_compact(d->av, &d->err);
			return -1;
		}
	}
	d->stepmask = 0;
	for (i = 0; i < r->nsteps; i++) {
		if ((rc = dprog_truthy(d, &d->steps[i], rec)) == -1)
			return -1;
		if (rc)
			d->stepmask |= 1UL << i;
	}
	return 1;
}

/* detect_first -- the rule's first event time; keys listed for absence
 * start their silence there */
void
detect_first(struct detect *d, int64_t t)
{
	struct akey *k;
	size_t i, len;

	if (d->first != NONE)
		return;
	d->first = t;
	for (i = 0; i < d->r->nkeys; i++) {
		len = strlen(d->r->keys[i]);
		if (hash_get(&d->map, d->r->keys[i], len) != NULL)
			continue;
		k = key_new(d, d->r->keys[i], len);
		k->last = t;
		sched(d, k, key_due(d, k));
	}
}

/* Per type: a record */

static void
match_record(struct detect *d, struct json_span rec, int64_t t, int64_t wm)
{
	struct notice n;
	struct akey *k = NULL;

	notice_init(&n, t);
	d->spans[0] = rec;
	n.sample = d->spans;
	n.nsample = d->r->sample > 0;
	if (d->r->cooldown == 0) {
		fire(d, NULL, d->key.p, d->key.len, &n);
		return;
	}
	k = key_get(d);
	fire_key(d, k, &n);
	settle(d, k, wm);
}

static void
frequency_record(struct detect *d, struct json_span rec, int64_t t,
    int64_t wm)
{
	const struct rule *r = d->r;
	struct akey *k = key_get(d);
	struct notice n;

	while (k->nts > 0 && ts_front(k) <= t - r->window)
		ts_pop(k);
	smp_expire(d, k, t - r->window);
	ts_insert(k, t);
	smp_push(d, k, t, 0, rec);
	if (holds(r->op, (double)k->nts, r->threshold)) {
		notice_init(&n, t);
		n.value = count_value(d, k->nts);
		n.has_threshold = 1;
		n.threshold = r->threshold;
		n.wstart = t - r->window;
		n.wend = t;
		n.sample = d->spans;
		n.nsample = smp_spans(d, k);
		if (fire_key(d, k, &n)) {	/* the count starts again */
			k->nts = k->t0 = 0;
			k->nsmp = k->smp0 = 0;
		}
	}
	settle(d, k, wm);
}

/* window_record -- threshold, spike: the record into its window */
static void
window_record(struct detect *d, struct json_span rec, int64_t t,
    int64_t wm)
{
	struct akey *k = key_get(d);
	struct twin **pp, *x;
	int64_t s = floor_div(t, d->r->window) * d->r->window;

	for (pp = &k->win; *pp != NULL && (*pp)->start < s; pp = &(*pp)->next)
		;
	if ((x = *pp) == NULL || x->start != s) {
		x = xcalloc(1, sizeof(*x));
		x->start = s;
		agg_init(&x->agg, &d->spec);
		if (d->r->sample > 0)
			x->smp = xcalloc((size_t)d->r->sample, sizeof(*x->smp));
		x->next = *pp;
		*pp = x;
	}
	agg_add(&x->agg, &d->spec, d->av, t, &d->scratch);
	if (x->nsmp < (size_t)d->r->sample)
		buf_add(&x->smp[x->nsmp++], rec.p, rec.len);
	settle(d, k, wm);
}

/* absence_seen -- a record of the key at t, in time order: it ends a
 * silence that fired, and starts the wait for the next.  The latest
 * record is kept in last_val, the sample of the next silence. */
static void
absence_seen(struct detect *d, struct akey *k, int64_t t,
    struct json_span rec)
{
	struct notice n;

	if (k->firing && k->clear_at == NONE) {
		k->ended = t;
		if (d->r->keep_firing_for == 0) {
			notice_init(&n, t);
			n.resolved = 1;
			n.wstart = k->silence;
			n.wend = t;
			fire_key(d, k, &n);
			k->firing = 0;
		} else {
			k->clear_at = t + d->r->keep_firing_for;
		}
	}
	if (k->last == NONE || t >= k->last) {
		k->last = t;
		buf_reset(&k->last_val);
		if (d->r->sample > 0 && rec.type != JSON_NONE)
			buf_add(&k->last_val, rec.p, rec.len);
	}
	k->judged = 0;
}

/* absence_waited -- the record that waited at t, from the samples ring
 * where it waits with its bytes (JSON_NONE if it was pushed out) */
static struct json_span
absence_waited(struct detect *d, const struct akey *k, int64_t t)
{
	const struct smp *x;
	size_t j;

	for (j = k->nsmp; j-- > 0; )
		if ((x = smp_at(d, k, j))->t == t)
			return json_span_of(x->raw.p, x->raw.len);
	return json_span_of(NULL, 0);
}

/*
 * absence_record -- a record at t.  One after the watermark waits in the
 * key's times until the watermark passes it: a record of the same key
 * from before it may still come, and a silence is judged on the key's
 * records in time order (with --lateness, a record 45 s after a 10-minute
 * deadline must not hide the silence before it).  With --lateness 0 the
 * watermark is at t and nothing waits.
 */
static void
absence_record(struct detect *d, struct json_span rec, int64_t t,
    int64_t wm)
{
	struct akey *k = key_get(d);

	if (t > wm) {
		ts_insert(k, t);
		smp_push(d, k, t, 0, rec);
	} else {
		absence_seen(d, k, t, rec);
	}
	settle(d, k, wm);
}

static void
new_value_record(struct detect *d, struct json_span rec, int64_t t,
    int64_t wm)
{
	const struct rule *r = d->r;
	struct akey *k;
	struct notice n;
	uint64_t h;

	if (d->fv.type == JSON_NONE)
		return;
	k = key_get(d);
	buf_reset(&d->val);
	json_canon(d->fv, &d->val);
	h = hash_bytes(d->val.p, d->val.len);
	if (r->learn > 0 && d->first != NONE && t < d->first + r->learn) {
		set_add(&k->set, h);
	} else if (!set_has(&k->set, h)) {
		notice_init(&n, t);
		n.value = json_span_of(d->val.p, d->val.len);
		d->spans[0] = rec;
		n.sample = d->spans;
		n.nsample = r->sample > 0;
		if (fire_key(d, k, &n))
			set_add(&k->set, h);
	}
	settle(d, k, wm);
}

static void
change_record(struct detect *d, struct json_span rec, int64_t t,
    int64_t wm)
{
	struct akey *k;
	struct notice n;

	if (d->fv.type == JSON_NONE)
		return;
	k = key_get(d);
	buf_reset(&d->val);
	json_canon(d->fv, &d->val);
	if (k->last_val.len == 0) {
		buf_add(&k->last_val, d->val.p, d->val.len);
	} else if (k->last_val.len != d->val.len ||
	    memcmp(k->last_val.p, d->val.p, d->val.len) != 0) {
		notice_init(&n, t);
		n.value = json_span_of(d->val.p, d->val.len);
		n.previous = json_span_of(k->last_val.p, k->last_val.len);
		d->spans[0] = rec;
		n.sample = d->spans;
		n.nsample = d->r->sample > 0;
		if (fire_key(d, k, &n)) {
			buf_reset(&k->last_val);
			buf_add(&k->last_val, d->val.p, d->val.len);
		}
	}
	settle(d, k, wm);
}

/* Cardinality: values in a list by last-seen time, oldest first */
static void
cval_unlink(struct akey *k, struct cval *v)
{
	if (v->prev != NULL)
		v->prev->next = v->next;
	else
		k->vhead = v->next;
	if (v->next != NULL)
		v->next->prev = v->prev;
	else
		k->vtail = v->prev;
}

static void
cval_insert(struct akey *k, struct cval *v)
{
	struct cval *p;

	for (p = k->vtail; p != NULL && p->t > v->t; p = p->prev)
		;
	v->prev = p;
	v->next = p != NULL ? p->next : k->vhead;
	if (v->next != NULL)
		v->next->prev = v;
	else
		k->vtail = v;
	if (p != NULL)
		p->next = v;
	else
		k->vhead = v;
}

/* cval_expire -- forget the values last seen at or before t */
static void
cval_expire(struct akey *k, int64_t t)
{
	struct cval *v;

	while ((v = k->vhead) != NULL && v->t <= t) {
		cval_unlink(k, v);
		hash_del(&k->vals, &v->h, sizeof(v->h));
		free(v);
	}
}

/* cval_see -- value h seen at t: 1 if it is new to the key */
static int
cval_see(struct akey *k, uint64_t h, int64_t t)
{
	struct cval **slot, *v;

	if ((slot = hash_get(&k->vals, &h, sizeof(h))) != NULL) {
		v = *slot;
		if (t > v->t) {
			cval_unlink(k, v);
			v->t = t;
			cval_insert(k, v);
		}
		return 0;
	}
	if (k->vals.count >= CARD_MAX)
		return 0;
	v = xcalloc(1, sizeof(*v));
	v->h = h;
	v->t = t;
	*(struct cval **)hash_put(&k->vals, &h, sizeof(h), NULL) = v;
	cval_insert(k, v);
	return 1;
}

/* card_resolve -- a firing key whose count no longer holds, at c */
static void
card_false(struct detect *d, struct akey *k, int64_t c)
{
	struct notice n;

	if (!k->firing || k->clear_at != NONE)
		return;
	if (d->r->keep_firing_for > 0) {
		k->clear_at = c + d->r->keep_firing_for;
		return;
	}
	notice_init(&n, c);
	n.resolved = 1;
	n.value = count_value(d, k->vals.count);
	n.has_threshold = 1;
	n.threshold = d->r->threshold;
	n.wstart = c - d->r->window;
	n.wend = c;
	fire_key(d, k, &n);
	k->firing = 0;
}

static void
cardinality_record(struct detect *d, struct json_span rec, int64_t t,
    int64_t wm)
{
	const struct rule *r = d->r;
	struct akey *k;
	struct notice n;
	int64_t gone;

	if (d->fv.type == JSON_NONE)
		return;
	k = key_get(d);
	/* values seen at or before t - window no longer count; when one
	 * of them makes a firing key's count fail, it resolves at that
	 * value's expiry once the watermark passes it, so that a record
	 * still to come within --lateness can keep it firing */
	gone = k->vhead != NULL && k->vhead->t <= t - r->window ?
	    k->vhead->t + r->window : NONE;
	cval_expire(k, t - r->window);
	smp_expire(d, k, t - r->window);
	buf_reset(&d->val);
	json_canon(d->fv, &d->val);
	if (cval_see(k, hash_bytes(d->val.p, d->val.len), t))
		smp_push(d, k, t, 0, rec);
	if (!holds(r->op, (double)k->vals.count, r->threshold)) {
		if (k->firing && k->clear_at == NONE && gone != NONE)
			k->clear_at = gone + r->keep_firing_for;
	} else if (k->firing) {
		k->clear_at = NONE;
	} else {
		notice_init(&n, t);
		n.value = count_value(d, k->vals.count);
		n.has_threshold = 1;
		n.threshold = r->threshold;
		n.wstart = t - r->window;
		n.wend = t;
		n.sample = d->spans;
		n.nsample = smp_spans(d, k);
		if (fire_key(d, k, &n)) {
			k->firing = 1;
			k->clear_at = NONE;
		}
	}
	settle(d, k, wm);
}

/* Sequence */

/* seq_reset -- back to step 0 with the first step's matches after t */
static void
seq_back(struct detect *d, struct akey *k, int64_t t)
{
	while (k->nts > 0 && ts_front(k) <= t)
		ts_pop(k);
	while (k->nsmp > 0 && smp_at(d, k, k->nsmp - 1)->step > 0)
		k->nsmp--;
	smp_expire(d, k, t);
	k->step = 0;
	k->n = (long long)k->nts;
}

static void
sequence_record(struct detect *d, struct json_span rec, int64_t t,
    int64_t wm)
{
	const struct rule *r = d->r;
	struct akey *k;
	struct notice n;
	long long need;

	if ((d->stepmask & 1) == 0 &&
	    hash_get(&d->map, d->key.p, d->key.len) == NULL)
		return;			/* nothing begins here */
	k = key_get(d);
	if (k->nts > 0 && ts_front(k) < t - r->window)
		seq_back(d, k, t - r->window - 1);
	if (d->stepmask & (1UL << k->step)) {
		need = r->steps[k->step].count;
		if (k->step == 0) {
			ts_insert(k, t);
			if (k->nts > (size_t)need)
				ts_pop(k);
			k->n = (long long)k->nts;
		} else {
			k->n++;
		}
		smp_push(d, k, t, k->step, rec);
		if (k->n >= need) {
			k->step++;
			k->n = 0;
		}
		if ((size_t)k->step == r->nsteps) {
			notice_init(&n, t);
			n.wstart = ts_front(k);
			n.wend = t;
			n.sample = d->spans;
			n.nsample = smp_spans(d, k);
			fire_key(d, k, &n);
			k->step = 0;
			k->n = 0;
			k->nts = k->t0 = 0;
			k->nsmp = k->smp0 = 0;
		}
	} else if (k->step == 1 && k->n == 0 && (d->stepmask & 1)) {
		/* the first step again: the sequence starts later */
		ts_pop(k);
		ts_insert(k, t);
		smp_push(d, k, t, 0, rec);
		smp_expire(d, k, ts_front(k) - 1);
	}
	settle(d, k, wm);
}

void
detect_apply(struct detect *d, struct json_span rec, int64_t t, int64_t wm)
{
	switch (d->r->type) {
	case RULE_MATCH:
		match_record(d, rec, t, wm);
		break;
	case RULE_FREQUENCY:
		frequency_record(d, rec, t, wm);
		break;
	case RULE_THRESHOLD:
	case RULE_SPIKE:
		window_record(d, rec, t, wm);
		break;
	case RULE_ABSENCE:
		absence_record(d, rec, t, wm);
		break;
	case RULE_NEW_VALUE:
		new_value_record(d, rec, t, wm);
		break;
	case RULE_CARDINALITY:
		cardinality_record(d, rec, t, wm);
		break;
	case RULE_SEQUENCE:
		sequence_record(d, rec, t, wm);
		break;
	case RULE_CHANGE:
		change_record(d, rec, t, wm);
		break;
	}
}

/* Per type: time passing */

/* window_value -- a window's aggregate as JSON in d->val (x NULL: an
 * empty window: count 0, the others null); 1 and *v if a number */
static int
window_value(struct detect *d, struct twin *x, struct json_span *js,
    double *v)
{
	struct agg tmp;

	buf_reset(&d->val);
	if (x != NULL) {
		agg_put(&x->agg, &d->spec, &d->val);
	} else {
		agg_init(&tmp, &d->spec);
		agg_put(&tmp, &d->spec, &d->val);
		agg_free(&tmp);
	}
	*js = json_span_of(d->val.p, d->val.len);
	if (js->type != JSON_NUMBER)
		return 0;
	*v = json_number(*js);
	return 1;
}

static size_t
win_spans(struct detect *d, const struct twin *x)
{
	size_t i;

	if (x == NULL)
		return 0;
	for (i = 0; i < x->nsmp; i++)
		d->spans[i] = json_span_of(x->smp[i].p, x->smp[i].len);
	return x->nsmp;
}

/*
 * threshold_end -- judge the window ending at e (x NULL: no record in
 * it).  A key fires at the first true end at least `for` after the first
 * of a run of true ones, and resolves at the first false end at least
 * keep_firing_for after the last true window ended.
 */
static void
threshold_end(struct detect *d, struct akey *k, int64_t e, struct twin *x)
{
	const struct rule *r = d->r;
	struct json_span js;
	struct notice n;
	double v = 0;
	int cond;

	cond = window_value(d, x, &js, &v) && holds(r->op, v, r->threshold);
	notice_init(&n, e);
	n.value = js;
	n.has_threshold = 1;
	n.threshold = r->threshold;
	n.wstart = e - r->window;
	n.wend = e;
	if (cond) {
		k->last_true = e;
		if (!k->firing) {
			if (!k->pending) {
				k->pending = 1;
				k->since = e;
			}
			n.sample = d->spans;
			n.nsample = win_spans(d, x);
			/* not e - since: since may be a restored none */
			if (k->since <= e - r->for_ && fire_key(d, k, &n)) {
				k->firing = 1;
				k->pending = 0;
			}
		}
		/* an empty window that holds keeps holding: judge the
		 * next one only when a record comes (see window_judge) */
		if (k->firing && x == NULL)
			k->steady = 1;
		return;
	}
	k->pending = 0;
	if (k->firing && e >= k->last_true + r->window + r->keep_firing_for) {
		n.resolved = 1;
		fire_key(d, k, &n);
		k->firing = 0;
	}
}

/*
 * spike_end -- judge the window ending at e against the one before it:
 * up when cur >= factor * prev, down when cur <= prev / factor; no
 * baseline (prev 0 or null, or cur null) is no spike
 */
static void
spike_end(struct detect *d, struct akey *k, int64_t e, struct twin *x)
{
	const struct rule *r = d->r;
	struct json_span js;
	struct notice n;
	double cur = 0, prev = 0;
	int has_cur, has_prev, up, down, spiking;

	has_cur = window_value(d, x, &js, &cur);
	if (k->prev_end == e - r->window) {
		has_prev = k->has_prev;
		prev = k->prev;
	} else {		/* no record then: an empty window's value */
		has_prev = d->spec.func == AGG_COUNT;
		prev = 0;
	}
	has_prev = has_prev && prev > 0;
	up = has_prev && has_cur && cur >= r->factor * prev;
	down = has_prev && has_cur && cur <= prev / r->factor;
	spiking = r->direction == RULE_UP ? up : r->direction == RULE_DOWN ?
	    down : up || down;
	notice_init(&n, e);
	n.value = js;
	n.has_threshold = has_prev;
	n.threshold = r->direction == RULE_DOWN ||
	    (r->direction == RULE_BOTH && down) ? prev / r->factor :
	    r->factor * prev;
	n.wstart = e - r->window;
	n.wend = e;
	if (spiking) {
		k->last_true = e;
		n.sample = d->spans;
		n.nsample = win_spans(d, x);
		if (!k->firing && fire_key(d, k, &n))
			k->firing = 1;
	} else if (k->firing && e >= k->last_true + r->window +
	    r->keep_firing_for) {
		n.resolved = 1;
		fire_key(d, k, &n);
		k->firing = 0;
	}
	k->prev = cur;
	k->has_prev = has_cur;
	k->prev_end = e;
}

/*
 * window_due -- threshold, spike: judge the windows ending by wm, in
 * order: those with records, and the empty ones after them while the
 * key is firing or pending (threshold) or has a baseline (spike); empty
 * windows only up to seen, since a silence after the input's end was
 * never observed.
 */
static void
window_due(struct detect *d, struct akey *k, int64_t wm, int64_t seen)
{
	int64_t w = d->r->window, ed, ee, e;
	struct twin *x;

	for (;;) {
		ed = k->win != NULL ? k->win->start + w : NEVER;
		ee = needs_next(d, k) ? k->last_eval + w : NEVER;
		e = ed < ee ? ed : ee;
		if (e == NEVER || e > wm || (e < ed && e > seen))
			break;
		x = NULL;
		if (e == ed) {
			x = k->win;
			k->win = x->next;
		}
		if (k->steady) {	/* the windows skipped all held */
			k->last_true = e - w;
			k->steady = 0;
		}
		if (d->r->type == RULE_THRESHOLD)
			threshold_end(d, k, e, x);
		else
			spike_end(d, k, e, x);
		k->last_eval = e;
		if (x != NULL)
			win_free(x);
	}
}

static void
absence_due(struct detect *d, struct akey *k, int64_t lim)
{
	const struct rule *r = d->r;
	struct notice n;
	int64_t due;

	for (;;) {
		due = !k->judged && k->last != NONE ? k->last + r->window :
		    NEVER;
		if (k->nts > 0 && ts_front(k) <= lim && ts_front(k) < due &&
		    (k->clear_at == NONE || ts_front(k) <= k->clear_at)) {
			absence_seen(d, k, ts_front(k),
			    absence_waited(d, k, ts_front(k)));
			ts_pop(k);
			continue;
		}
		if (k->clear_at != NONE && k->clear_at < due) {
			if (k->clear_at > lim)
				return;
			notice_init(&n, k->clear_at);
			n.resolved = 1;
			n.wstart = k->silence;
			n.wend = k->ended;
			fire_key(d, k, &n);
			k->firing = 0;
			k->clear_at = NONE;
			continue;
		}
		if (due > lim)
			return;
		k->judged = 1;
		if (k->firing) {	/* silent again before it resolved */
			k->clear_at = NONE;
			k->silence = due;
			continue;
		}
		notice_init(&n, due);
		n.wstart = k->last;
		n.wend = due;
		d->spans[0] = json_span_of(k->last_val.p, k->last_val.len);
		n.sample = d->spans;
		n.nsample = k->last_val.len > 0;
		if (fire_key(d, k, &n)) {
			k->firing = 1;
			k->silence = due;
		}
	}
}

static void
cardinality_due(struct detect *d, struct akey *k, int64_t lim)
{
	struct notice n;
	int64_t x;

	for (;;) {
		x = k->vhead != NULL ? k->vhead->t + d->r->window : NEVER;
		if (k->clear_at != NONE && k->clear_at < x) {
			if (k->clear_at > lim)
				return;
			notice_init(&n, k->clear_at);
			n.resolved = 1;
			n.value = count_value(d, k->vals.count);
			n.has_threshold = 1;
			n.threshold = d->r->threshold;
			n.wstart = k->clear_at - d->r->window;
			n.wend = k->clear_at;
			fire_key(d, k, &n);
			k->firing = 0;
			k->clear_at = NONE;
			continue;
		}
		if (x > lim)
			return;
		cval_expire(k, x - d->r->window);
		smp_expire(d, k, x - d->r->window);
		if (!holds(d->r->op, (double)k->vals.count, d->r->threshold))
			card_false(d, k, x);
	}
}

/* process_due -- what is due for key k by wm (silences up to seen) */
static void
process_due(struct detect *d, struct akey *k, int64_t wm, int64_t seen)
{
	const struct rule *r = d->r;
	int64_t lim = wm < seen ? wm : seen;

	switch (r->type) {
	case RULE_THRESHOLD:
	case RULE_SPIKE:
		window_due(d, k, wm, seen);
		break;
	case RULE_ABSENCE:
		absence_due(d, k, lim);
		break;
	case RULE_CARDINALITY:
		cardinality_due(d, k, lim);
		break;
	case RULE_FREQUENCY:
		while (k->nts > 0 && ts_front(k) <= wm - r->window)
			ts_pop(k);
		smp_expire(d, k, wm - r->window);
		break;
	case RULE_SEQUENCE:
		/* not wm - ts: wm is INT64_MAX at the end of input */
		if (k->nts > 0 && ts_front(k) < wm - r->window)
			seq_back(d, k, wm - r->window - 1);
		break;
	case RULE_MATCH:
	case RULE_NEW_VALUE:
	case RULE_CHANGE:
		break;
	}
}

/*
 * detect_advance -- judge every key due by wm, in time order per key.
 * A key with nothing it may judge yet (a silence past seen) is set aside
 * and put back in line after.
 */
void
detect_advance(struct detect *d, int64_t wm, int64_t seen)
{
	struct akey *k;
	int64_t due;
	size_t i;

	d->npark = 0;
	while (d->nheap > 0 && (k = d->heap[0])->due <= wm) {
		due = k->due;
		process_due(d, k, wm, seen);
		if (settle(d, k, wm))
			continue;
		if (k->due == due) {	/* no progress: not yet */
			heap_remove(d, k);
			if (d->npark == d->cappark) {
				d->cappark = d->cappark == 0 ? 16 :
				    d->cappark * 2;
				d->park = xreallocarray(d->park, d->cappark,
				    sizeof(*d->park));
			}
			d->park[d->npark++] = k;
		}
	}
	for (i = 0; i < d->npark; i++)
		sched(d, d->park[i], d->park[i]->due);
	d->npark = 0;
}

int64_t
detect_next(const struct detect *d)
{
	return d->nheap > 0 ? d->heap[0]->due : NEVER;
}

size_t
detect_nkeys(const struct detect *d)
{
	return d->map.count;
}

/* detect_take -- a reload kept the rule: its keys move over from old */
void
detect_take(struct detect *d, struct detect *old)
{
	struct hash_map m = d->map;

	d->map = old->map;
	old->map = m;
	d->oldest = old->oldest;
	d->newest = old->newest;
	d->heap = old->heap;
	d->nheap = old->nheap;
	d->capheap = old->capheap;
	d->seq = old->seq;
	d->first = old->first;
	old->oldest = old->newest = NULL;
	old->heap = NULL;
	old->nheap = old->capheap = 0;
}

/* State: one line per key, oldest activity first */

static void
put_time(struct buf *b, int64_t t)
{
	if (t == NONE || t == NEVER)
		buf_adds(b, "null");
	else
		buf_printf(b, "%" PRId64, t);
}

static void
put_raw(struct buf *b, const struct buf *raw)
{
	json_put_string(b, raw->p == NULL ? "" : raw->p, raw->len);
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* save_set -- new_value's hashes, sorted */
static void
save_set(struct detect *d, const struct akey *k, struct buf *b)
{
	uint64_t *all;
	size_t i, n = 0;

	all = xreallocarray(NULL, k->set.n + 1, sizeof(*all));
	for (i = 0; i < k->set.cap; i++)
		if (k->set.slot[i] != 0)
			all[n++] = k->set.slot[i];
	qsort(all, n, sizeof(*all), u64_cmp);
	buf_adds(b, ",\"h\":[");
	for (i = 0; i < n; i++)
		buf_printf(b, "%s\"%016" PRIx64 "\"", i > 0 ? "," : "", all[i]);
	buf_addc(b, ']');
	free(all);
	(void)d;
}

static void
save_key(struct detect *d, const struct akey *k, struct buf *b)
{
	const int64_t t[] = { k->fired_at, k->clear_at, k->since,
	    k->last_true, k->last_eval, k->last, k->silence, k->ended,
	    k->prev_end };
	const struct twin *x;
	const struct cval *v;
	size_t i;

	buf_adds(b, "{\"k\":");
	json_put_string(b, k->key, k->keylen);
	buf_printf(b, ",\"f\":[%d,%d,%d,%d,%d,%lld],\"t\":[", k->firing,
	    k->pending, k->steady, k->judged, k->step, k->n);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (i > 0)
			buf_addc(b, ',');
		put_time(b, t[i]);
	}
	buf_adds(b, "],\"pv\":");
	if (k->has_prev)
		json_put_number(b, k->prev);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"s\":[");
	for (i = 0; i < k->nsmp; i++) {
		buf_printf(b, "%s[%" PRId64 ",%d,", i > 0 ? "," : "",
		    smp_at(d, k, i)->t, smp_at(d, k, i)->step);
		put_raw(b, &smp_at(d, k, i)->raw);
		buf_addc(b, ']');
	}
	buf_adds(b, "],\"ts\":[");
	for (i = 0; i < k->nts; i++)
		buf_printf(b, "%s%" PRId64, i > 0 ? "," : "", k->ts[k->t0 + i]);
	buf_adds(b, "],\"w\":[");
	for (x = k->win; x != NULL; x = x->next) {
		buf_printf(b, "%s[%" PRId64 ",", x != k->win ? "," : "",
		    x->start);
		agg_save(&x->agg, &d->spec, b);
		buf_adds(b, ",[");
		for (i = 0; i < x->nsmp; i++) {
			if (i > 0)
				buf_addc(b, ',');
			put_raw(b, &x->smp[i]);
		}
		buf_adds(b, "]]");
	}
	buf_addc(b, ']');
	if (k->set.n > 0)
		save_set(d, k, b);
	if (k->vhead != NULL) {
		buf_adds(b, ",\"v\":[");
		for (v = k->vhead; v != NULL; v = v->next)
			buf_printf(b, "%s[\"%016" PRIx64 "\",%" PRId64 "]",
			    v != k->vhead ? "," : "", v->h, v->t);
		buf_addc(b, ']');
	}
	if (k->last_val.len > 0) {
		buf_adds(b, ",\"lv\":");
		put_raw(b, &k->last_val);
	}
	buf_addc(b, '}');
}

int
detect_save(struct detect *d, int (*line)(void *, const char *, size_t),
    void *arg)
{
	const struct akey *k;

	for (k = d->oldest; k != NULL; k = k->newer) {
		buf_reset(&d->scratch);
		save_key(d, k, &d->scratch);
		if (line(arg, d->scratch.p, d->scratch.len) == -1)
			return -1;
	}
	return 0;
}

/* member -- the value of key k in object o, JSON_NONE if absent */
static struct json_span
member(struct json_span o, const char *k)
{
	struct json_iter it;
	struct json_span key, val;
	size_t n = strlen(k);

	json_iter_init(&it, o);
	while (json_iter_next(&it, &key, &val))
		if (key.len == n + 2 && memcmp(key.p + 1, k, n) == 0)
			return val;
	val.type = JSON_NONE;
	return val;
}

/* int_of -- a saved integer (null: none).  Every one is a time, within
 * +-TS_LIMIT as the run's times are (ts.h: a time plus a duration does
 * not overflow), or a smaller count or flag. */
static int
int_of(struct json_span v, int64_t none, int64_t *t)
{
	char *end;

	if (v.type == JSON_NULL) {
		*t = none;
		return 0;
	}
	if (v.type != JSON_NUMBER)
		return -1;
	errno = 0;
	*t = (int64_t)strtoll(v.p, &end, 10);
	return errno == 0 && end == v.p + v.len && *t >= -TS_LIMIT &&
	    *t <= TS_LIMIT ? 0 : -1;
}

static int
hex_of(struct json_span v, uint64_t *h)
{
	char *end;

	if (v.type != JSON_STRING || v.len != 18)
		return -1;
	errno = 0;
	*h = (uint64_t)strtoull(v.p + 1, &end, 16);
	return errno == 0 && end == v.p + 17 ? 0 : -1;
}

/* ints -- a saved array of at most max integers into out: the count,
 * or -1 */
static int
ints(struct json_span a, int64_t *out, int max)
{
	struct json_iter it;
	struct json_span k, v;
	int n = 0;

	if (a.type != JSON_ARRAY)
		return -1;
	json_iter_init(&it, a);
	while (json_iter_next(&it, &k, &v))
		if (n == max || int_of(v, NONE, &out[n++]) == -1)
			return -1;
	return n;
}

/* items -- the elements of array a into e[], at most max: the count,
 * or -1 if a is not an array or holds more */
static int
items(struct json_span a, struct json_span *e, int max)
{
	struct json_iter it;
	struct json_span k, v;
	int n = 0;

	if (a.type != JSON_ARRAY)
		return -1;
	json_iter_init(&it, a);
	while (json_iter_next(&it, &k, &v)) {
		if (n == max)
			return -1;
		e[n++] = v;
	}
	return n;
}

/* is_json -- a saved text that goes into alerts as it is (a record, a
 * value) must be one JSON text, as it was when saved */
static int
is_json(const char *p, size_t len)
{
	struct json_span v;
	struct json_error e;

	return p != NULL && json_validate(p, len, &v, &e) == 0;
}

/* key_ok -- a saved key as detect_judge makes them: the rule's nby
 * values in JSON, one a line (no by: empty) */
static int
key_ok(const struct detect *d, const char *p, size_t len)
{
	const char *end = p + len, *nl;
	int i;

	if (d->r->nby == 0)
		return len == 0;
	for (i = 0; i < d->r->nby; i++, p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((nl == end) != (i == d->r->nby - 1) ||
		    !is_json(p, (size_t)(nl - p)))
			return 0;
	}
	return 1;
}

static int
load_samples(struct detect *d, struct akey *k, struct json_span a)
{
	struct json_iter it;
	struct json_span kk, v, e[3];
	int64_t t, step;

	if (a.type != JSON_ARRAY)
		return -1;
	json_iter_init(&it, a);
	while (json_iter_next(&it, &kk, &v)) {
		if (items(v, e, 3) != 3 || int_of(e[0], 0, &t) == -1 ||
		    int_of(e[1], 0, &step) == -1 || e[2].type != JSON_STRING)
			return -1;
		buf_reset(&d->val);
		json_string(e[2], &d->val);
		if (!is_json(d->val.p, d->val.len))
			return -1;
		smp_push(d, k, t, (int)step, json_span_of(d->val.p,
		    d->val.len));
	}
	return 0;
}

/* load_windows -- threshold, spike: the open windows, by start.  As in
 * a run, each ends after the last window judged (last_eval) and after
 * the one before it: window_due judges them in list order, and one that
 * went back in time had every empty window since judged again. */
static int
load_windows(struct detect *d, struct akey *k, struct json_span a)
{
	struct json_iter it, is;
	struct json_span kk, v, e[3], r;
	struct twin *x, **tail = &k->win;
	int64_t start, after;

	if (a.type != JSON_ARRAY)
		return -1;
	after = k->last_eval == NONE ? NONE : k->last_eval - d->r->window;
	json_iter_init(&it, a);
	while (json_iter_next(&it, &kk, &v)) {
		if (items(v, e, 3) != 3 || int_of(e[0], 0, &start) == -1 ||
		    e[2].type != JSON_ARRAY || d->r->agg == NULL ||
		    start <= after)
			return -1;
		after = start;
		x = xcalloc(1, sizeof(*x));
		x->start = start;
		agg_init(&x->agg, &d->spec);
		if (d->r->sample > 0)
			x->smp = xcalloc((size_t)d->r->sample, sizeof(*x->smp));
		*tail = x;
		tail = &x->next;
		if (agg_load(&x->agg, &d->spec, e[1]) == -1)
			return -1;
		json_iter_init(&is, e[2]);
		while (json_iter_next(&is, &kk, &r)) {
			if (r.type != JSON_STRING ||
			    x->nsmp == (size_t)d->r->sample)
				return -1;
			json_string(r, &x->smp[x->nsmp++]);
			if (!is_json(x->smp[x->nsmp - 1].p,
			    x->smp[x->nsmp - 1].len))
				return -1;
		}
	}
	return 0;
}

static int
load_values(struct akey *k, struct json_span a)
{
	struct json_iter it;
	struct json_span kk, v, e[2];
	uint64_t h;
	int64_t t;

	if (a.type != JSON_ARRAY)
		return -1;
	json_iter_init(&it, a);
	while (json_iter_next(&it, &kk, &v)) {
		if (items(v, e, 2) != 2 || hex_of(e[0], &h) == -1 ||
		    int_of(e[1], 0, &t) == -1)
			return -1;
		(void)cval_see(k, h, t);
	}
	return 0;
}

static int
load_set(struct akey *k, struct json_span a)
{
	struct json_iter it;
	struct json_span kk, v;
	uint64_t h;

	if (a.type != JSON_ARRAY)
		return -1;
	json_iter_init(&it, a);
	while (json_iter_next(&it, &kk, &v)) {
		if (hex_of(v, &h) == -1)
			return -1;
		set_add(&k->set, h);
	}
	return 0;
}

/* load_key -- the fields of a saved key into k: 0, or -1 */
static int
load_key(struct detect *d, struct akey *k, struct json_span o)
{
	int64_t f[6], t[9], x;
	struct json_span v;
	struct json_iter it;
	struct json_span kk;

	if (ints(member(o, "f"), f, 6) != 6 || ints(member(o, "t"), t, 9) != 9)
		return -1;
	k->firing = f[0] != 0;
	k->pending = f[1] != 0;
	k->steady = f[2] != 0;
	k->judged = f[3] != 0;
	/* a sequence's step is one of its steps, 0 for the other types */
	if (f[4] < 0 || (f[4] > 0 && (uint64_t)f[4] >= d->r->nsteps))
		return -1;
	k->step = (int)f[4];
	k->n = f[5];
	k->fired_at = t[0];
	k->clear_at = t[1];
	k->since = t[2];
	k->last_true = t[3];
	k->last_eval = t[4];
	k->last = t[5];
	k->silence = t[6];
	k->ended = t[7];
	k->prev_end = t[8];
	/* threshold, spike: a window is true (last_true) as it is judged
	 * (last_eval); one true ahead of the judged would have window_due
	 * judge every empty window up to it, one at a time */
	if (k->last_true != NONE && (k->last_eval == NONE ||
	    k->last_true > k->last_eval))
		return -1;
	if ((v = member(o, "pv")).type == JSON_NUMBER) {
		k->prev = json_number(v);
		k->has_prev = 1;
	} else if (v.type != JSON_NULL) {
		return -1;
	}
	if (load_samples(d, k, member(o, "s")) == -1)
		return -1;
	if ((v = member(o, "ts")).type != JSON_ARRAY)
		return -1;
	json_iter_init(&it, v);
	while (json_iter_next(&it, &kk, &v)) {
		if (int_of(v, 0, &x) == -1)
			return -1;
		ts_insert(k, x);
	}
	if (k->step > 0 && k->nts == 0)	/* past its first step, a sequence
					 * holds that step's matches */
		return -1;
	if (load_windows(d, k, member(o, "w")) == -1)
		return -1;
	if ((v = member(o, "h")).type != JSON_NONE && load_set(k, v) == -1)
		return -1;
	if ((v = member(o, "v")).type != JSON_NONE && load_values(k, v) == -1)
		return -1;
	if ((v = member(o, "lv")).type == JSON_STRING) {
		json_string(v, &k->last_val);
		if (!is_json(k->last_val.p, k->last_val.len))
			return -1;
	} else if (v.type != JSON_NONE) {
		return -1;
	}
	return 0;
}

int
detect_load(struct detect *d, struct json_span o)
{
	struct json_span kv;
	struct akey **slot, *k;

	if (o.type != JSON_OBJECT || (kv = member(o, "k")).type != JSON_STRING)
		return -1;
	buf_reset(&d->key);
	json_string(kv, &d->key);
	if (!key_ok(d, d->key.p, d->key.len))
		return -1;
	if ((slot = hash_get(&d->map, d->key.p, d->key.len)) != NULL)
		key_free(d, *slot);	/* a listed key made anew */
	k = key_new(d, d->key.p, d->key.len);
	if (load_key(d, k, o) == -1) {
		key_free(d, k);
		return -1;
	}
	sched(d, k, key_due(d, k));
	return 0;
}

/* detect_reset -- every key forgotten, as the rule was opened */
void
detect_reset(struct detect *d)
{
	while (d->oldest != NULL)
		key_free(d, d->oldest);
	d->first = NONE;
	d->seq = 0;
}

void
detect_close(struct detect *d)
{
	size_t i;
	int j;

	detect_reset(d);
	hash_free(&d->map);
	free(d->heap);
	free(d->park);
	d->heap = d->park = NULL;
	d->nheap = d->capheap = d->npark = d->cappark = 0;
	if (d->has_where)
		program_free(&d->where.p);
	for (j = 0; j < RULES_BY_MAX; j++) {
		if (j < d->nby)
			field_free(&d->by[j]);
		buf_free(&d->byname[j]);
	}
	if (d->has_field)
		field_free(&d->field);
	if (d->has_aggf)
		field_free(&d->aggf);
	if (d->has_spec)
		agg_spec_free(&d->spec);
	if (d->steps != NULL)
		for (i = 0; i < d->nsteps; i++)
			program_free(&d->steps[i].p);
	free(d->steps);
	d->steps = NULL;
	d->has_where = d->has_field = d->has_aggf = d->has_spec = 0;
	d->nby = 0;
	d->nsteps = 0;
	buf_free(&d->key);
	buf_free(&d->val);
	buf_free(&d->err);
	buf_free(&d->text);
	buf_free(&d->scratch);
}
