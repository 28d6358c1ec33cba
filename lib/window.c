/*
 * window -- stream-window's engine; see window.h.  Open windows live in a
 * hash map (key: window start and group key, or the group key alone for
 * sessions and count windows) and in a min-heap by end, the order the
 * watermark closes them in.  Windows that close together are sorted by
 * end, then by group key in jq's order, and written.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sig.h"
#include "state.h"
#include "ts.h"
#include "window.h"
#include "xalloc.h"

struct win {
	int64_t		 start, end;	/* [start, end); end INT64_MAX for a
					 * count window */
	int64_t		 first, last;	/* event times seen: count windows */
	size_t		 heapi;
	uint64_t	 seq;
	uint64_t	 n;		/* records */
	struct win	*next;		/* sessions of one key, by start */
	size_t		 keylen;	/* group key: canonical values joined */
	char		*key;		/* by '\n' (which they never hold) */
	struct agg	 agg[];
};

static enum loop_rc	close_upto(struct window *, int64_t);
static enum loop_rc	slide_close(struct window *, int64_t);
static enum loop_rc	emit(struct window *, struct win *);
static void		heap_fix(struct window *, size_t);
static void		heap_push(struct window *, struct win *);
static void		heap_remove(struct window *, struct win *);
static struct win	*win_new(struct window *, int64_t, int64_t);
static void		win_free(struct window *, struct win *);
static void		key_of(struct window *, int64_t, int, const char *,
			    size_t);
static int		restore_line(void *, uint64_t, struct json_span,
			    const char **);
static struct json_span	member(struct json_span, const char *);
static int		time_of(struct json_span, int64_t, int64_t *);
static void		save_due(struct window *);
static int		save_state(struct window *);

int
window_option(struct window_opts *o, int ch, const char *arg,
    struct buf *why)
{
	const char *w;
	int64_t *dur = NULL;

	switch (ch) {
	case WINDOW_O_TUMBLING:
		o->kind = WINDOW_TUMBLING, o->kinds++, dur = &o->size;
		break;
	case WINDOW_O_HOPPING:
		o->kind = WINDOW_HOPPING, o->kinds++, dur = &o->size;
		break;
	case WINDOW_O_SESSION:
		o->kind = WINDOW_SESSION, o->kinds++, dur = &o->gap;
		break;
	case WINDOW_O_SLIDING:
		o->kind = WINDOW_SLIDING, o->kinds++, dur = &o->size;
		break;
	case WINDOW_O_EVERY:
		dur = &o->every;
		break;
	case WINDOW_O_OFFSET:
		if (ts_parse_duration(arg, &o->offset, &w) == -1)
			return (buf_adds(why, "--offset: expected a duration "
			    "such as 30s"), -1);
		return 1;
	case WINDOW_O_IDLE:
		dur = &o->idle;
		break;
	case WINDOW_O_COUNT:
		o->kind = WINDOW_COUNT, o->kinds++;
		if (opt_int(arg, 1, LLONG_MAX, &o->count) == -1)
			return (buf_adds(why, "--count: expected a positive "
			    "number of records"), -1);
		return 1;
	case WINDOW_O_BY:
		if (o->nby == WINDOW_BY_MAX)
			return (buf_adds(why, "--by: too many"), -1);
		o->by[o->nby++] = arg;
		return 1;
	case WINDOW_O_AGG:
		if (o->nagg == WINDOW_AGG_MAX)
			return (buf_adds(why, "--agg: too many"), -1);
		o->agg[o->nagg++] = arg;
		return 1;
	case WINDOW_O_EMIT:
		if (strcmp(arg, "final") != 0 && strcmp(arg, "update") != 0)
			return (buf_adds(why, "--emit: expected final or "
			    "update"), -1);
		o->emit_update = strcmp(arg, "update") == 0;
		return 1;
	case WINDOW_O_COLLECT_MAX:
		if (opt_int(arg, 1, 1000000, &o->collect_max) == -1)
			return (buf_adds(why, "--collect-max: expected a count "
			    "from 1 to 1000000"), -1);
		return 1;
	case WINDOW_O_MAX_KEYS:
		if (opt_int(arg, 1, LLONG_MAX, &o->max_keys) == -1)
			return (buf_adds(why, "--max-keys: expected a positive "
			    "count"), -1);
		return 1;
	case WINDOW_O_LATE:
		o->late = arg;
		return 1;
	default:
		return 0;
	}
	if (ts_parse_duration(arg, dur, &w) == -1 || *dur <= 0) {
		buf_printf(why, "%s: expected a duration such as 1m or 30s",
		    ch == WINDOW_O_EVERY ? "--every" : ch == WINDOW_O_IDLE ?
		    "--idle" : ch == WINDOW_O_SESSION ? "--session" :
		    ch == WINDOW_O_HOPPING ? "--hopping" : ch == WINDOW_O_SLIDING ?
		    "--sliding" : "--tumbling");
		return -1;
	}
	return 1;
}

const char *
window_check(struct window_opts *o)
{
	if (o->kinds == 0)
		return "a window is needed: --tumbling, --hopping, --sliding, "
		    "--session or --count";
	if (o->kind == WINDOW_SLIDING && o->emit_update)
		return "--sliding writes one result per record: not with "
		    "--emit update";
	if (o->kinds > 1)
		return "one window kind at a time";
	if ((o->kind == WINDOW_HOPPING) != (o->every > 0))
		return "--hopping and --every go together";
	if (o->kind == WINDOW_HOPPING && (o->every > o->size ||
	    o->size % o->every != 0))
		return "--every must divide the --hopping size";
	if (o->offset != 0 && o->kind != WINDOW_TUMBLING &&
	    o->kind != WINDOW_HOPPING)
		return "--offset is for --tumbling and --hopping";
	if (o->common.processing_time &&
	    (strcmp(o->common.time_expr, ".ts") != 0 ||
	    o->common.time_unit != TS_UNIT_S || o->common.time_format != NULL))
		return "--processing-time does not go with --time, --time-unit "
		    "or --time-format";
	if (o->common.state_every > 0 && o->common.state == NULL)
		return "--state-every needs --state";
	if (o->collect_max == 0)
		o->collect_max = 100;
	if (o->nagg == 0)
		o->agg[o->nagg++] = "count";
	return NULL;
}

/* name_taken -- 1 if output name n is start, end, or a --by's before
 * nby, or an --agg's before nagg */
static int
name_taken(const struct window *w, const struct buf *n, int nby, int nagg)
{
	int j;

	if ((n->len == 8 && memcmp(n->p, "\"start\":", 8) == 0) ||
	    (n->len == 6 && memcmp(n->p, "\"end\":", 6) == 0))
		return 1;
	for (j = 0; j < nby; j++)
		if (w->byname[j].len == n->len &&
		    memcmp(w->byname[j].p, n->p, n->len) == 0)
			return 1;
	for (j = 0; j < nagg; j++)
		if (w->spec[j].name.len == n->len &&
		    memcmp(w->spec[j].name.p, n->p, n->len) == 0)
			return 1;
	return 0;
}

int
window_open(struct window *w, const struct window_opts *o, struct loop *l,
    struct buf *err)
{
	const char *expr;
	int i;

	memset(w, 0, sizeof(*w));
	w->o = o;
	w->loop = l;
	w->maxt = w->wm = w->wm_at_last = INT64_MIN;
	w->map.vsize = sizeof(struct win *);
	buf_grow(&w->key, 64);		/* never NULL, even for no --by */
	buf_grow(&w->mapkey, 64);
	slide_init(&w->slide, o->size);
	l->diag.show_evicted = o->max_keys > 0;
	if (clock_open(&w->clock, &o->common, err) == -1)
		return -1;
	for (i = 0; i < o->nby; i++) {
		if (field_name(o->by[i], &w->byname[i], &expr) == -1) {
			buf_printf(err, "--by %s: name it, as in NAME=%s, "
			    "since it is not a path", o->by[i], o->by[i]);
			return -1;
		}
		if (name_taken(w, &w->byname[i], i, 0)) {
			buf_printf(err, "--by %s: the name %.*s is taken; "
			    "name it, as in NAME=%s", o->by[i],
			    (int)w->byname[i].len - 1, w->byname[i].p, expr);
			return -1;
		}
		if (field_compile(&w->by[i], expr, err) == -1)
			return -1;
	}
	for (i = 0; i < o->nagg; i++) {
		if (agg_parse(&w->spec[i], o->agg[i], (size_t)o->collect_max,
		    err) == -1)
			return -1;
		if (w->spec[i].expr != NULL &&
		    field_compile(&w->val[i], w->spec[i].expr, err) == -1)
			return -1;
		if (name_taken(w, &w->spec[i].name, o->nby, i)) {
			buf_printf(err, "--agg %s: the name %.*s is taken; "
			    "give it another, as in NAME=FUNC(EXPR)",
			    o->agg[i], (int)w->spec[i].name.len - 1,
			    w->spec[i].name.p);
			return -1;
		}
	}
	clock_want(&w->clock, &w->want, l->found);
	for (i = 0; i < o->nby; i++)
		(void)field_want(&w->by[i], &w->want, l->found);
	for (i = 0; i < o->nagg; i++)
		if (w->spec[i].expr != NULL)
			(void)field_want(&w->val[i], &w->want, l->found);
	l->want = w->want.n > 0 ? &w->want : NULL;
	if (o->common.state != NULL && state_restore(o->common.state,
	    "stream-window", restore_line, w, err) == -1)
		return -1;
	w->next_save = ts_mono() + o->common.state_every;
	l->late = o->late;
	if (o->late != NULL && diag_late_file(&l->diag, o->late) == -1) {
		buf_printf(err, "%s: %s", o->late, strerror(errno));
		return -1;
	}
	return 0;
}

/* Heap of open windows by (end, seq), each knowing its place in it */
static int
before(const struct win *a, const struct win *b)
{
	return a->end != b->end ? a->end < b->end : a->seq < b->seq;
}

static void
heap_set(struct window *w, size_t i, struct win *x)
{
	w->heap[i] = x;
	x->heapi = i;
}

/* heap_fix -- move the window at i up or down to its place */
static void
heap_fix(struct window *w, size_t i)
{
	struct win *x = w->heap[i];
	size_t c;

	while (i > 0 && before(x, w->heap[(i - 1) / 2])) {
		heap_set(w, i, w->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	while ((c = 2 * i + 1) < w->nheap) {
		if (c + 1 < w->nheap && before(w->heap[c + 1], w->heap[c]))
			c++;
		if (!before(w->heap[c], x))
			break;
		heap_set(w, i, w->heap[c]);
		i = c;
	}
	heap_set(w, i, x);
}

static void
heap_push(struct window *w, struct win *x)
{
	if (w->nheap == w->capheap) {
		w->capheap = w->capheap == 0 ? 64 : w->capheap * 2;
		w->heap = xreallocarray(w->heap, w->capheap, sizeof(*w->heap));
	}
	heap_set(w, w->nheap++, x);
	heap_fix(w, w->nheap - 1);
}

static void
heap_remove(struct window *w, struct win *x)
{
	size_t i = x->heapi;

	if (--w->nheap == i)
		return;
	heap_set(w, i, w->heap[w->nheap]);
	heap_fix(w, i);
}

/* map_key -- the map's key of a window: its start (with_start) and the
 * group key (w->key unless given) */
static void
map_key(struct window *w, int64_t start, int with_start)
{
	key_of(w, start, with_start, w->key.p, w->key.len);
}

static void
key_of(struct window *w, int64_t start, int with_start, const char *key,
    size_t len)
{
	buf_reset(&w->mapkey);
	if (with_start)
		buf_add(&w->mapkey, &start, sizeof(start));
	buf_add(&w->mapkey, key, len);
}

static struct win *
win_new(struct window *w, int64_t start, int64_t end)
{
	struct win *x;
	int i;

	x = xcalloc(1, sizeof(*x) + (size_t)w->o->nagg * sizeof(x->agg[0]));
	x->start = start;
	x->end = end;
	x->first = x->last = start;
	x->seq = w->seq++;
	x->keylen = w->key.len;
	x->key = xmalloc(w->key.len + 1);
	memcpy(x->key, w->key.p, w->key.len);
	x->key[w->key.len] = '\0';
	for (i = 0; i < w->o->nagg; i++)
		agg_init(&x->agg[i], &w->spec[i]);
	heap_push(w, x);
	return x;
}

static void
win_free(struct window *w, struct win *x)
{
	int i;

	for (i = 0; i < w->o->nagg; i++)
		agg_free(&x->agg[i]);
	free(x->key);
	free(x);
}

/* win_add -- the record's values into window x */
static void
win_add(struct window *w, struct win *x, int64_t t)
{
	int i;

	x->n++;
	if (t < x->first)
		x->first = t;
	if (t > x->last)
		x->last = t;
	for (i = 0; i < w->o->nagg; i++)
		agg_add(&x->agg[i], &w->spec[i], w->aggv[i], t, &w->scratch);
}

/* shown_end -- the end a window is written with: count windows end at
 * their last record */
static int64_t
shown_end(const struct win *x)
{
	return x->end == INT64_MAX ? x->last : x->end;
}

/* keys_cmp -- group keys in jq's order, value by value */
static int
keys_cmp(const char *p, size_t plen, const char *q, size_t qlen)
{
	const char *pend = p + plen, *qend = q + qlen, *pe, *qe;
	int c;

	for (;;) {
		if ((pe = memchr(p, '\n', (size_t)(pend - p))) == NULL)
			pe = pend;
		if ((qe = memchr(q, '\n', (size_t)(qend - q))) == NULL)
			qe = qend;
		c = json_cmp(json_span_of(p, (size_t)(pe - p)),
		    json_span_of(q, (size_t)(qe - q)));
		if (c != 0 || pe == pend || qe == qend)
			return c;
		p = pe + 1;
		q = qe + 1;
	}
}

static int
ready_cmp(const void *pa, const void *pb)
{
	const struct win *a = *(const struct win *const *)pa;
	const struct win *b = *(const struct win *const *)pb;
	int64_t ea = shown_end(a), eb = shown_end(b);
	int c;

	if (ea != eb)
		return ea < eb ? -1 : 1;
	if ((c = keys_cmp(a->key, a->keylen, b->key, b->keylen)) != 0)
		return c;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* put_time -- a time as --time-output says: "RFC 3339", or a number */
static void
put_time(struct window *w, int64_t t)
{
	if (w->o->common.time_output == TS_OUT_RFC3339)
		buf_addc(&w->out, '"');
	ts_format(&w->out, t, w->o->common.time_output);
	if (w->o->common.time_output == TS_OUT_RFC3339)
		buf_addc(&w->out, '"');
}

/*
 * emit_line -- one result line: start, end, the group's values, the
 * aggregates
 */
static enum loop_rc
emit_line(struct window *w, const char *key, size_t keylen, int64_t start,
    int64_t end, const struct agg *agg)
{
	const char *p = key, *e, *kend = key + keylen;
	int i;

	buf_reset(&w->out);
	buf_adds(&w->out, "{\"start\":");
	put_time(w, start);
	buf_adds(&w->out, ",\"end\":");
	put_time(w, end);
	for (i = 0; i < w->o->nby; i++) {
		if ((e = memchr(p, '\n', (size_t)(kend - p))) == NULL)
			e = kend;
		buf_addc(&w->out, ',');
		buf_add(&w->out, w->byname[i].p, w->byname[i].len);
		buf_add(&w->out, p, (size_t)(e - p));
		p = e + 1;
	}
	for (i = 0; i < w->o->nagg; i++) {
		buf_addc(&w->out, ',');
		buf_add(&w->out, w->spec[i].name.p, w->spec[i].name.len);
		agg_put(&agg[i], &w->spec[i], &w->out);
	}
	buf_addc(&w->out, '}');
	return loop_emit(w->loop, w->out.p, w->out.len);
}

/* emit -- a window's result */
static enum loop_rc
emit(struct window *w, struct win *x)
{
	return emit_line(w, x->key, x->keylen, x->end == INT64_MAX ?
	    x->first : x->start, shown_end(x), x->agg);
}

/* unmap -- take a closed window out of the map (and its session list) */
static void
unmap(struct window *w, struct win *x)
{
	struct win **head, **pp;

	if (w->o->kind == WINDOW_SESSION) {
		key_of(w, 0, 0, x->key, x->keylen);
		head = hash_get(&w->map, w->mapkey.p, w->mapkey.len);
		for (pp = head; pp != NULL && *pp != NULL; pp = &(*pp)->next)
			if (*pp == x) {
				*pp = x->next;
				break;
			}
		if (head != NULL && *head == NULL)
			hash_del(&w->map, w->mapkey.p, w->mapkey.len);
		return;
	}
	key_of(w, x->start, w->o->kind != WINDOW_COUNT, x->key, x->keylen);
	hash_del(&w->map, w->mapkey.p, w->mapkey.len);
}

/* write_ready -- the closed windows, sorted, written and freed */
static enum loop_rc
write_ready(struct window *w)
{
	enum loop_rc rc = LOOP_OK;
	size_t i;

	qsort(w->ready, w->nready, sizeof(*w->ready), ready_cmp);
	for (i = 0; i < w->nready; i++) {
		if (rc == LOOP_OK && !w->o->emit_update)
			rc = emit(w, w->ready[i]);
		win_free(w, w->ready[i]);
	}
	w->nready = 0;
	return rc;
}

/* take -- move the heap's first window to the ready list */
static void
take(struct window *w)
{
	struct win *x = w->heap[0];

	heap_remove(w, x);
	unmap(w, x);
	if (w->nready == w->capready) {
		w->capready = w->capready == 0 ? 64 : w->capready * 2;
		w->ready = xreallocarray(w->ready, w->capready,
		    sizeof(*w->ready));
	}
	w->ready[w->nready++] = x;
}

/* close_upto -- write every window that ends at or before wm */
static enum loop_rc
close_upto(struct window *w, int64_t wm)
{
	if (w->o->kind == WINDOW_SLIDING)
		return slide_close(w, wm);
	while (w->nheap > 0 && w->heap[0]->end <= wm)
		take(w);
	return w->nready > 0 ? write_ready(w) : LOOP_OK;
}

/* evict -- --max-keys: the window that would close first goes now */
static enum loop_rc
evict(struct window *w)
{
	if (w->nheap == 0)
		return LOOP_OK;
	w->loop->diag.evicted++;
	take(w);
	return write_ready(w);
}

/* add_to -- the record into the window [start, end) of its group */
static enum loop_rc
add_to(struct window *w, int64_t start, int64_t end, int64_t t)
{
	struct win **slot, *x;
	enum loop_rc rc = LOOP_OK;

	map_key(w, start, 1);
	if ((slot = hash_get(&w->map, w->mapkey.p, w->mapkey.len)) == NULL) {
		if (w->o->max_keys > 0 &&
		    w->map.count >= (size_t)w->o->max_keys &&
		    (rc = evict(w)) != LOOP_OK)
			return rc;
		map_key(w, start, 1);	/* evict used the buffers */
		x = win_new(w, start, end);
		*(struct win **)hash_put(&w->map, w->mapkey.p, w->mapkey.len,
		    NULL) = x;
	} else {
		x = *slot;
	}
	win_add(w, x, t);
	return w->o->emit_update ? emit(w, x) : LOOP_OK;
}

/*
 * add_session -- the record into its group's session: the one it falls
 * within the gap of, or a new one; sessions it bridges become one.
 */
static enum loop_rc
add_session(struct window *w, int64_t t)
{
	struct win **slot, *x = NULL, *s, **pp;
	int64_t gap = w->o->gap;
	enum loop_rc rc;
	int i;

	map_key(w, 0, 0);
	if ((slot = hash_get(&w->map, w->mapkey.p, w->mapkey.len)) == NULL &&
	    w->o->max_keys > 0 && w->map.count >= (size_t)w->o->max_keys) {
		if ((rc = evict(w)) != LOOP_OK)
			return rc;
		map_key(w, 0, 0);
	}
	if (slot == NULL) {
		slot = hash_put(&w->map, w->mapkey.p, w->mapkey.len, NULL);
		*slot = NULL;
	}
	for (pp = slot; (s = *pp) != NULL; ) {
		if (t <= s->first - gap || t >= s->last + gap) {
			pp = &s->next;
			continue;
		}
		if (x == NULL) {
			x = s;
			pp = &s->next;
			continue;
		}
		*pp = s->next;		/* s joins x */
		for (i = 0; i < w->o->nagg; i++)
			agg_merge(&x->agg[i], &s->agg[i], &w->spec[i]);
		x->n += s->n;
		x->first = s->first < x->first ? s->first : x->first;
		x->last = s->last > x->last ? s->last : x->last;
		heap_remove(w, s);
		win_free(w, s);
	}
	if (x == NULL) {
		x = win_new(w, t, t + gap);
		for (pp = slot; *pp != NULL && (*pp)->first < t;
		    pp = &(*pp)->next)
			;
		x->next = *pp;
		*pp = x;
	}
	win_add(w, x, t);
	x->start = x->first;
	x->end = x->last + gap;
	heap_fix(w, x->heapi);
	return w->o->emit_update ? emit(w, x) : LOOP_OK;
}

/* add_count -- the record into its group's count window; a full one
 * is written at once */
static enum loop_rc
add_count(struct window *w, int64_t t)
{
	struct win **slot, *x;
	enum loop_rc rc = LOOP_OK;

	map_key(w, 0, 0);
	if ((slot = hash_get(&w->map, w->mapkey.p, w->mapkey.len)) == NULL) {
		if (w->o->max_keys > 0 &&
		    w->map.count >= (size_t)w->o->max_keys &&
		    (rc = evict(w)) != LOOP_OK)
			return rc;
		map_key(w, 0, 0);
		x = win_new(w, t, INT64_MAX);
		*(struct win **)hash_put(&w->map, w->mapkey.p, w->mapkey.len,
		    NULL) = x;
	} else {
		x = *slot;
	}
	win_add(w, x, t);
	if (w->o->emit_update && (rc = emit(w, x)) != LOOP_OK)
		return rc;
	if (x->n < (uint64_t)w->o->count)
		return LOOP_OK;
	heap_remove(w, x);
	unmap(w, x);
	if (!w->o->emit_update)
		rc = emit(w, x);
	win_free(w, x);
	return rc;
}

/* floor_div -- a / b rounded down, for times before 1970 too */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* values -- the group key into w->key and each --agg's value; -1 and
 * the message in w->err for a bad record */
static int
values(struct window *w, struct json_span rec)
{
	struct json_span v;
	const char *why;
	int i;

	buf_reset(&w->key);
	for (i = 0; i < w->o->nby; i++) {
		if (field_get(&w->by[i], rec, &v, &w->err) == -1)
			return -1;
		if (i > 0)
			buf_addc(&w->key, '\n');
		if (v.type == JSON_NONE)
			buf_adds(&w->key, "null");
		else
			json_canon(v, &w->key);
	}
	for (i = 0; i < w->o->nagg; i++) {
		w->aggv[i].type = JSON_NONE;
		if (w->spec[i].expr == NULL)
			continue;
		if (field_get(&w->val[i], rec, &w->aggv[i], &w->err) == -1)
			return -1;
		if ((why = agg_check(&w->spec[i], w->aggv[i])) != NULL) {
			buf_reset(&w->err);
			buf_printf(&w->err, "--agg %s: %s: ", w->o->agg[i], why);
			json_compact(w->aggv[i], &w->err);
			return -1;
		}
	}
	return 0;
}

/*
 * slide_values -- a record's --agg values for a sliding window, kept as
 * bytes: per aggregate, a 4-byte length and the compact value (length 0
 * for none).
 */
static void
slide_values(struct window *w)
{
	uint32_t n;
	size_t at;
	int i;

	buf_reset(&w->vals);
	for (i = 0; i < w->o->nagg; i++) {
		at = w->vals.len;
		n = 0;
		buf_add(&w->vals, &n, sizeof(n));
		if (w->aggv[i].type == JSON_NONE)
			continue;
		json_compact(w->aggv[i], &w->vals);
		n = (uint32_t)(w->vals.len - at - sizeof(n));
		memcpy(w->vals.p + at, &n, sizeof(n));
	}
}

static int
due_cmp_arg(const struct slide_pending *a, const struct slide_pending *b)
{
	int c;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if ((c = keys_cmp(a->g->key, a->g->keylen, b->g->key,
	    b->g->keylen)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
due_cmp(const void *a, const void *b)
{
	return due_cmp_arg(a, b);
}

/* slide_result -- the aggregates over one record's sliding window */
static enum loop_rc
slide_result(struct window *w, const struct slide_pending *d)
{
	const struct slide_group *g = d->g;
	const struct slide_rec *r;
	const char *p;
	struct json_span v;
	uint32_t len;
	size_t first, n, k;
	enum loop_rc rc;
	int i;

	for (i = 0; i < w->o->nagg; i++)
		agg_init(&w->tmp[i], &w->spec[i]);
	n = slide_window(g, d->t, d->seq, w->o->size, &first);
	for (k = first; k < first + n; k++) {
		r = &g->r[k];
		p = g->vals.p + r->off;
		for (i = 0; i < w->o->nagg; i++) {
			memcpy(&len, p, sizeof(len));
			p += sizeof(len);
			v = len > 0 ? json_span_of(p, len) : json_span_of("null", 4);
			if (len == 0 || w->spec[i].expr == NULL)
				v.type = JSON_NONE;
			agg_add(&w->tmp[i], &w->spec[i], v, r->t,
			    &w->scratch);
			p += len;
		}
	}
	rc = emit_line(w, g->key, g->keylen, d->t - w->o->size, d->t, w->tmp);
	for (i = 0; i < w->o->nagg; i++)
		agg_free(&w->tmp[i]);
	return rc;
}

/*
 * slide_evict -- --max-keys: the group that has been quiet longest goes;
 * its records still waiting get their results now, from what it holds
 */
static enum loop_rc
slide_evict(struct window *w)
{
	struct slide_group *g = slide_oldest(&w->slide);
	enum loop_rc rc = LOOP_OK;
	size_t i, n;

	if (g == NULL)
		return LOOP_OK;
	w->loop->diag.evicted++;
	if (w->capdue < g->n - g->lo) {
		w->capdue = g->n - g->lo;
		w->due = xreallocarray(w->due, w->capdue, sizeof(*w->due));
	}
	n = slide_take(&w->slide, g, w->due);
	for (i = 0; i < n && rc == LOOP_OK; i++)
		rc = slide_result(w, &w->due[i]);
	slide_drop(&w->slide, g);
	return rc;
}

/* slide_close -- the results of every record at or before wm, in order */
static enum loop_rc
slide_close(struct window *w, int64_t wm)
{
	enum loop_rc rc = LOOP_OK;
	size_t i;

	w->ndue = 0;
	for (;;) {
		if (w->ndue == w->capdue) {
			w->capdue = w->capdue == 0 ? 64 : w->capdue * 2;
			w->due = xreallocarray(w->due, w->capdue,
			    sizeof(*w->due));
		}
		if (!slide_pop(&w->slide, wm, &w->due[w->ndue]))
			break;
		w->ndue++;
	}
	if (w->ndue == 0)
		return LOOP_OK;
	qsort(w->due, w->ndue, sizeof(*w->due), due_cmp);
	for (i = 0; i < w->ndue && rc == LOOP_OK; i++)
		rc = slide_result(w, &w->due[i]);
	if (wm != INT64_MAX)
		slide_prune(&w->slide, wm);
	return rc;
}

enum loop_rc
window_record(void *arg, struct loop *l, const struct line *ln,
    struct json_span rec)
{
	struct window *w = arg;
	const struct window_opts *o = w->o;
	enum loop_rc rc = LOOP_OK;
	int64_t t, s;

	if (clock_time(&w->clock, rec, &t, &w->err) == -1)
		return loop_bad(l, ln, w->err.p);
	if (t < w->wm && o->kind != WINDOW_COUNT)
		return loop_late(l, ln, t, w->wm);
	if (values(w, rec) == -1)
		return loop_bad(l, ln, w->err.p);
	switch (o->kind) {
	case WINDOW_TUMBLING:
		s = floor_div(t - o->offset, o->size) * o->size + o->offset;
		rc = add_to(w, s, s + o->size, t);
		break;
	case WINDOW_HOPPING:	/* every window that holds t, oldest first */
		s = floor_div(t - o->offset, o->every) * o->every + o->offset;
		for (s -= o->size - o->every; s <= t && rc == LOOP_OK;
		    s += o->every)
			if (s + o->size > t)
				rc = add_to(w, s, s + o->size, t);
		break;
	case WINDOW_SESSION:
		rc = add_session(w, t);
		break;
	case WINDOW_SLIDING:
		if (o->max_keys > 0 && slide_find(&w->slide, w->key.p,
		    w->key.len) == NULL && slide_count(&w->slide) >=
		    (size_t)o->max_keys && (rc = slide_evict(w)) != LOOP_OK)
			return rc;
		slide_values(w);
		slide_add(&w->slide, w->key.p, w->key.len, t, w->vals.p,
		    w->vals.len);
		break;
	default:
		rc = add_count(w, t);
		break;
	}
	if (t > w->maxt)
		w->maxt = t;
	if (w->maxt - o->common.lateness > w->wm)
		w->wm = w->maxt - o->common.lateness;
	if (o->idle > 0 || o->common.processing_time)
		w->last_wall = ts_mono();
	w->wm_at_last = w->wm;
	if (rc == LOOP_OK)
		rc = close_upto(w, w->wm);
	if (o->common.state_every > 0 && (++w->since_check & 255) == 0)
		save_due(w);
	return rc;
}

/*
 * window_idle -- no input for a while: with --processing-time the clock
 * is the watermark; with --idle the watermark moves on by the time that
 * passed in silence (CONTRACT section 5).
 */
void
window_idle(void *arg)
{
	struct window *w = arg;
	int64_t now = ts_mono(), wm = w->wm;

	if (w->o->common.processing_time)
		wm = ts_now() - w->o->common.lateness;
	else if (w->o->idle > 0 && w->last_wall != 0 &&
	    now - w->last_wall >= w->o->idle)
		wm = w->wm_at_last + (now - w->last_wall);
	if (wm > w->wm)
		w->wm = wm;
	(void)close_upto(w, w->wm);
	save_due(w);
	loop_before_block(w->loop);
}

/* window_timeout -- ms until window_idle would close the next window */
int
window_timeout(void *arg)
{
	struct window *w = arg;
	int64_t end, due = INT64_MAX, ms;

	end = w->o->kind == WINDOW_SLIDING ? (w->slide.nheap > 0 ?
	    w->slide.heap[0].t + 1 : INT64_MAX) : w->nheap > 0 ?
	    w->heap[0]->end : INT64_MAX;
	if (end != INT64_MAX) {
		if (w->o->common.processing_time)
			due = ts_mono() + (end + w->o->common.lateness -
			    ts_now());
		else if (w->o->idle > 0 && w->last_wall != 0)
			due = w->last_wall + (end - w->wm_at_last >
			    w->o->idle ? end - w->wm_at_last : w->o->idle);
	}
	if (w->o->common.state_every > 0 && w->next_save < due)
		due = w->next_save;
	if (due == INT64_MAX)
		return -1;
	ms = (due - ts_mono() + 999999) / 1000000;
	return ms < 1 ? 1 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * window_finish -- the end of input.  Without --state every window
 * closes; with it the end is a pause: open windows are saved, not
 * written, so that the next run continues them as one run would have.
 */
enum loop_rc
window_finish(struct window *w)
{
	struct loop *l = w->loop;

	if (w->o->common.state == NULL)
		return close_upto(w, INT64_MAX);
	if (save_state(w) == 0)
		return LOOP_OK;
	fprintf(l->diag.err, "%s: %s: %s\n", l->diag.prog, w->o->common.state,
	    strerror(errno));
	return LOOP_FAIL;
}

/* save_due -- --state-every: save if it is time */
static void
save_due(struct window *w)
{
	struct loop *l = w->loop;

	if (w->o->common.state_every == 0 || ts_mono() < w->next_save)
		return;
	w->next_save = ts_mono() + w->o->common.state_every;
	if (save_state(w) == -1)
		fprintf(l->diag.err, "%s: %s: %s\n", l->diag.prog,
		    w->o->common.state, strerror(errno));
}

void
window_close(struct window *w)
{
	size_t i;
	int j;

	for (i = 0; i < w->nheap; i++)
		win_free(w, w->heap[i]);
	for (i = 0; i < w->nready; i++)
		win_free(w, w->ready[i]);
	free(w->heap);
	free(w->ready);
	hash_free(&w->map);
	clock_close(&w->clock);
	for (j = 0; j < w->o->nby; j++) {
		field_free(&w->by[j]);
		buf_free(&w->byname[j]);
	}
	for (j = 0; j < w->o->nagg; j++) {
		if (w->spec[j].expr != NULL)
			field_free(&w->val[j]);
		agg_spec_free(&w->spec[j]);
	}
	slide_free(&w->slide);
	free(w->due);
	buf_free(&w->vals);
	buf_free(&w->key);
	buf_free(&w->mapkey);
	buf_free(&w->out);
	buf_free(&w->err);
	buf_free(&w->scratch);
}

/*
 * State (--state).  The body is a line of what the windows were built
 * with and where the watermark is, then one line per open window in the
 * order they were opened.  A state written with other windows, groups or
 * aggregates would not fit them, so it is refused.
 */
static void
spec_text(const struct window *w, struct buf *b)
{
	const struct window_opts *o = w->o;
	int i;

	buf_printf(b, "kind=%d size=%" PRId64 " every=%" PRId64 " gap=%"
	    PRId64 " offset=%" PRId64 " count=%lld collect=%lld", (int)o->kind,
	    o->size, o->every, o->gap, o->offset, o->count, o->collect_max);
	for (i = 0; i < o->nby; i++)
		buf_printf(b, " by=%s", o->by[i]);
	for (i = 0; i < o->nagg; i++)
		buf_printf(b, " agg=%s", o->agg[i]);
}

static void
put_opt_time(struct buf *b, int64_t t)
{
	if (t == INT64_MIN || t == INT64_MAX)
		buf_adds(b, "null");
	else
		buf_printf(b, "%" PRId64, t);
}

static int
seq_cmp(const void *pa, const void *pb)
{
	const struct win *a = *(const struct win *const *)pa;
	const struct win *b = *(const struct win *const *)pb;

	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
group_cmp(const void *pa, const void *pb)
{
	const struct slide_group *a = *(const struct slide_group *const *)pa;
	const struct slide_group *b = *(const struct slide_group *const *)pb;
	size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
	int c = memcmp(a->key, b->key, n);

	return c != 0 ? c : (a->keylen > b->keylen) - (a->keylen < b->keylen);
}

/*
 * save_slide -- a line per group, in key order: its records within the
 * window size, [time, arrival, [values]], a value null where none
 */
static int
save_slide(struct window *w, struct state_writer *sw)
{
	struct slide_group **all, *g;
	const void *key;
	const char *p;
	size_t pos = 0, keylen, n = 0, i, k;
	uint32_t len;
	void *val;
	int j, rc = 0;

	all = xreallocarray(NULL, w->slide.groups.count + 1, sizeof(*all));
	while (hash_next(&w->slide.groups, &pos, &key, &keylen, &val))
		all[n++] = *(struct slide_group **)val;
	qsort(all, n, sizeof(*all), group_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		g = all[i];
		buf_reset(&w->out);
		buf_adds(&w->out, "{\"k\":");
		json_put_string(&w->out, g->key, g->keylen);
		buf_adds(&w->out, ",\"r\":[");
		for (k = g->lo; k < g->n; k++) {
			buf_printf(&w->out, "%s[%" PRId64 ",%" PRIu64 ",[",
			    k > g->lo ? "," : "", g->r[k].t, g->r[k].seq);
			p = g->vals.p + g->r[k].off;
			for (j = 0; j < w->o->nagg; j++) {
				memcpy(&len, p, sizeof(len));
				p += sizeof(len);
				if (j > 0)
					buf_addc(&w->out, ',');
				if (len == 0)
					buf_adds(&w->out, "null");
				else
					buf_add(&w->out, p, len);
				p += len;
			}
			buf_adds(&w->out, "]]");
		}
		buf_adds(&w->out, "]}");
		rc = state_line(sw, w->out.p, w->out.len);
	}
	free(all);
	return rc;
}

/* load_slide -- a saved group's records; waiting ones from wm on */
static int
load_slide(struct window *w, struct json_span o)
{
	struct json_iter it, ir, iv;
	struct json_span k, r, e[3], v, kk;
	int64_t t, seq;
	uint32_t len;
	size_t at;
	int n, j;

	if (o.type != JSON_OBJECT ||
	    (k = member(o, "k")).type != JSON_STRING ||
	    (r = member(o, "r")).type != JSON_ARRAY)
		return -1;
	buf_reset(&w->key);
	json_string(k, &w->key);
	json_iter_init(&it, r);
	while (json_iter_next(&it, &kk, &v)) {
		if (v.type != JSON_ARRAY)
			return -1;
		json_iter_init(&ir, v);
		for (n = 0; n < 3 && json_iter_next(&ir, &kk, &e[n]); n++)
			;
		if (n != 3 || time_of(e[0], 0, &t) == -1 ||
		    time_of(e[1], 0, &seq) == -1 || seq < 0 ||
		    e[2].type != JSON_ARRAY)
			return -1;
		buf_reset(&w->vals);
		json_iter_init(&iv, e[2]);
		for (j = 0; json_iter_next(&iv, &kk, &v); j++) {
			if (j >= w->o->nagg)
				return -1;
			at = w->vals.len;
			len = 0;
			buf_add(&w->vals, &len, sizeof(len));
			if (v.type != JSON_NULL)
				json_compact(v, &w->vals);
			len = (uint32_t)(w->vals.len - at - sizeof(len));
			memcpy(w->vals.p + at, &len, sizeof(len));
		}
		if (j != w->o->nagg)
			return -1;
		slide_restore(&w->slide, w->key.p, w->key.len, t,
		    (uint64_t)seq, t >= w->wm, w->vals.p, w->vals.len);
	}
	return 0;
}

/* save_state -- every open window, atomically, once the output before
 * them is written (loop_sync); 0, or -1 with errno */
static int
save_state(struct window *w)
{
	struct state_writer sw = STATE_WRITER_INIT;
	struct win **all = NULL, *x;
	size_t i;
	int j, rc = -1;

	if (loop_sync(w->loop) == -1)
		return 0;	/* output lost: the old state stays */
	if (state_begin(&sw, w->o->common.state, "stream-window") == -1)
		return -1;
	buf_reset(&w->scratch);
	spec_text(w, &w->scratch);
	buf_reset(&w->out);
	buf_adds(&w->out, "{\"spec\":");
	json_put_string(&w->out, w->scratch.p, w->scratch.len);
	buf_adds(&w->out, ",\"wm\":");
	put_opt_time(&w->out, w->wm);
	buf_adds(&w->out, ",\"maxt\":");
	put_opt_time(&w->out, w->maxt);
	buf_addc(&w->out, '}');
	if (state_line(&sw, w->out.p, w->out.len) == -1)
		goto out;
	if (w->o->kind == WINDOW_SLIDING) {
		rc = save_slide(w, &sw) == 0 ? state_commit(&sw) : -1;
		goto out;
	}
	if (w->nheap > 0) {
		all = xreallocarray(NULL, w->nheap, sizeof(*all));
		memcpy(all, w->heap, w->nheap * sizeof(*all));
		qsort(all, w->nheap, sizeof(*all), seq_cmp);
	}
	for (i = 0; i < w->nheap; i++) {
		x = all[i];
		buf_reset(&w->out);
		buf_printf(&w->out, "{\"s\":%" PRId64 ",\"e\":", x->start);
		put_opt_time(&w->out, x->end);
		buf_printf(&w->out, ",\"f\":%" PRId64 ",\"l\":%" PRId64
		    ",\"n\":%" PRIu64 ",\"k\":", x->first, x->last, x->n);
		json_put_string(&w->out, x->key, x->keylen);
		buf_adds(&w->out, ",\"a\":[");
		for (j = 0; j < w->o->nagg; j++) {
			if (j > 0)
				buf_addc(&w->out, ',');
			agg_save(&x->agg[j], &w->spec[j], &w->out);
		}
		buf_adds(&w->out, "]}");
		if (state_line(&sw, w->out.p, w->out.len) == -1)
			goto out;
	}
	rc = state_commit(&sw);
out:
	if (rc == -1)
		state_abort(&sw);
	free(all);
	return rc;
}

/* time_of -- a saved time: a number, or null for none */
static int
time_of(struct json_span v, int64_t none, int64_t *t)
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
	return errno == 0 && end == v.p + v.len ? 0 : -1;
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

/* load_window -- one saved window back into the map and the heap */
static int
load_window(struct window *w, struct json_span o)
{
	struct json_span a, k, v;
	struct json_iter it;
	struct win *x, **slot, **pp;
	int64_t s, e, f, l, n;
	int j = 0;

	if (o.type != JSON_OBJECT || time_of(member(o, "s"), 0, &s) == -1 ||
	    time_of(member(o, "e"), INT64_MAX, &e) == -1 ||
	    time_of(member(o, "f"), 0, &f) == -1 ||
	    time_of(member(o, "l"), 0, &l) == -1 ||
	    time_of(member(o, "n"), 0, &n) == -1 || n < 0 ||
	    (k = member(o, "k")).type != JSON_STRING ||
	    (a = member(o, "a")).type != JSON_ARRAY)
		return -1;
	buf_reset(&w->key);
	json_string(k, &w->key);
	x = win_new(w, s, e);
	x->first = f;
	x->last = l;
	x->n = (uint64_t)n;
	json_iter_init(&it, a);
	while (json_iter_next(&it, &k, &v)) {
		if (j >= w->o->nagg || agg_load(&x->agg[j], &w->spec[j], v) ==
		    -1)
			return -1;
		j++;
	}
	if (j != w->o->nagg)
		return -1;
	if (w->o->kind == WINDOW_SESSION) {
		key_of(w, 0, 0, x->key, x->keylen);
		slot = hash_put(&w->map, w->mapkey.p, w->mapkey.len, NULL);
		for (pp = slot; *pp != NULL && (*pp)->first < x->first;
		    pp = &(*pp)->next)
			;
		x->next = *pp;
		*pp = x;
	} else {
		key_of(w, s, w->o->kind != WINDOW_COUNT, x->key, x->keylen);
		*(struct win **)hash_put(&w->map, w->mapkey.p, w->mapkey.len,
		    NULL) = x;
	}
	return 0;
}

/* load_head -- the first line: the same windows, and the watermark */
static int
load_head(struct window *w, struct json_span v, const char **why)
{
	struct json_span s;

	buf_reset(&w->scratch);
	spec_text(w, &w->scratch);
	buf_reset(&w->out);
	if ((s = member(v, "spec")).type == JSON_STRING)
		json_string(s, &w->out);
	if (w->out.len != w->scratch.len ||
	    memcmp(w->out.p, w->scratch.p, w->out.len) != 0) {
		*why = "it was written with other windows, groups or "
		    "aggregates; use another state file";
		return -1;
	}
	if (time_of(member(v, "wm"), INT64_MIN, &w->wm) == -1 ||
	    time_of(member(v, "maxt"), INT64_MIN, &w->maxt) == -1)
		return -1;
	w->wm_at_last = w->wm;
	return 0;
}

/* restore_line -- one line of a saved state: the head, then windows */
static int
restore_line(void *arg, uint64_t line, struct json_span v, const char **why)
{
	struct window *w = arg;

	if (line == 1)
		return load_head(w, v, why);
	return w->o->kind == WINDOW_SLIDING ? load_slide(w, v) :
	    load_window(w, v);
}
