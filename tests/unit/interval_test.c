/* interval_test -- the buffers of a stream-stream interval join */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "interval.h"
#include "json.h"

#define ADD(iv, s, k, t, r)	\
	interval_add((iv), (s), (k), strlen(k), (t), (r), strlen(r))
#define L	SIDE_LEFT
#define R	SIDE_RIGHT

/* A record of the random test: {"id":N} is the N-th to arrive */
struct rrec {
	enum side	 side;
	int		 key;
	int64_t		 t;
};

struct model {
	struct rrec	*r;
	int		 n;
	int64_t		 before, after, wm;
	int		 in_expire;	/* alone() from the watermark */
	int		*paired, *alone;	/* per id: calls seen */
};

/* What the callbacks saw, one line each */
struct log {
	struct buf	 pairs;		/* "LEFT RIGHT\n" */
	struct buf	 alone;		/* "SIDE RECORD\n" */
	int		 npair, nalone;
	int		 stop_pair;	/* -1 from the nth call; 0 never */
	int		 stop_alone;
	struct model	*m;		/* checks each call, or NULL */
};

static void	setup(struct interval *, struct log *, int64_t, int64_t);
static void	log_reset(struct log *);
static void	log_free(struct log *);
static int	on_pair(void *, const char *, size_t, const char *, size_t);
static int	on_alone(void *, enum side, const char *, size_t);
static int	on_line(void *, const char *, size_t);
static int	load_lines(struct interval *, const char *);
static int	load_str(struct interval *, const char *);
static void	save_text(const struct interval *, struct buf *);
static void	check_empty(const struct interval *);
static void	reload(struct interval *, struct buf *);
static int	id_of(const char *);
static int64_t	expiry_of(const struct model *, int);
static int	within(const struct model *, int, int);
static uint64_t	rnd(uint64_t *);
static int	line_stop(void *, const char *, size_t);
static void	random_run(uint64_t, long long);

static void
setup(struct interval *iv, struct log *lg, int64_t before, int64_t after)
{
	interval_init(iv);
	iv->before = before;
	iv->after = after;
	iv->keep[L] = iv->keep[R] = 1;
	iv->pair = on_pair;
	iv->alone = on_alone;
	iv->arg = lg;
	memset(lg, 0, sizeof(*lg));
	buf_adds(&lg->pairs, "");
	buf_adds(&lg->alone, "");
}

/* log_reset -- forget the calls seen; buffers stay NUL-terminated */
static void
log_reset(struct log *lg)
{
	buf_reset(&lg->pairs);
	buf_reset(&lg->alone);
	buf_adds(&lg->pairs, "");
	buf_adds(&lg->alone, "");
	lg->npair = lg->nalone = 0;
}

static void
log_free(struct log *lg)
{
	buf_free(&lg->pairs);
	buf_free(&lg->alone);
}

static int
id_of(const char *rec)
{
	return (int)strtol(rec + strlen("{\"id\":"), NULL, 10);
}

static int64_t
expiry_of(const struct model *m, int id)
{
	return m->r[id].t + (m->r[id].side == L ? m->after : m->before);
}

/* within -- 1 if records l and r of the model pair, by the definition */
static int
within(const struct model *m, int l, int r)
{
	return m->r[l].side == L && m->r[r].side == R &&
	    m->r[l].key == m->r[r].key &&
	    m->r[l].t - m->before <= m->r[r].t &&
	    m->r[r].t <= m->r[l].t + m->after;
}

static int
on_pair(void *arg, const char *l, size_t ln, const char *r, size_t rn)
{
	struct log *lg = arg;
	int a, b;

	lg->npair++;
	buf_printf(&lg->pairs, "%.*s %.*s\n", (int)ln, l, (int)rn, r);
	if (lg->m != NULL) {
		a = id_of(l);
		b = id_of(r);
		assert_true(within(lg->m, a, b));
		lg->m->paired[a]++;
		lg->m->paired[b]++;
	}
	return lg->npair == lg->stop_pair ? -1 : 0;
}

static int
on_alone(void *arg, enum side side, const char *rec, size_t n)
{
	struct log *lg = arg;
	int id;

	lg->nalone++;
	buf_printf(&lg->alone, "%d %.*s\n", (int)side, (int)n, rec);
	if (lg->m != NULL) {
		id = id_of(rec);
		assert_int_equal(lg->m->r[id].side, side);
		/* never before the watermark says no partner can come */
		if (lg->m->in_expire)
			assert_true(expiry_of(lg->m, id) < lg->m->wm);
		lg->m->alone[id]++;
	}
	return lg->nalone == lg->stop_alone ? -1 : 0;
}

static int
on_line(void *arg, const char *p, size_t n)
{
	struct buf *b = arg;

	assert_null(memchr(p, '\n', n));
	buf_add(b, p, n);
	buf_addc(b, '\n');
	return 0;
}

static void
save_text(const struct interval *iv, struct buf *b)
{
	buf_reset(b);
	buf_adds(b, "");
	assert_int_equal(interval_save(iv, on_line, b), 0);
}

/* load_lines -- interval_load of each line of text: 0, or -1 */
static int
load_lines(struct interval *iv, const char *text)
{
	const char *nl;
	struct json_span v;

	for (; *text != '\0'; text = nl + 1) {
		nl = strchr(text, '\n');
		assert_non_null(nl);
		v.p = text;
		v.len = (size_t)(nl - text);
		v.type = JSON_OBJECT;
		if (interval_load(iv, v) == -1)
			return -1;
	}
	return 0;
}

/* load_str -- interval_load of raw bytes, as a damaged file gives them */
static int
load_str(struct interval *iv, const char *s)
{
	struct json_span v = { s, strlen(s), JSON_OBJECT };

	return interval_load(iv, v);
}

/* reload -- save, free, load into the same struct: the run goes on */
static void
reload(struct interval *iv, struct buf *b)
{
	struct interval n;

	save_text(iv, b);
	interval_init(&n);
	n.before = iv->before;
	n.after = iv->after;
	n.keep[L] = iv->keep[L];
	n.keep[R] = iv->keep[R];
	n.max_held = iv->max_held;
	n.evicted = iv->evicted;
	n.pair = iv->pair;
	n.alone = iv->alone;
	n.arg = iv->arg;
	interval_free(iv);
	assert_int_equal(load_lines(&n, b->p), 0);
	*iv = n;
}

static void
check_empty(const struct interval *iv)
{
	assert_int_equal(iv->nheld, 0);
	assert_int_equal(iv->bytes, 0);
	assert_int_equal(iv->map.count, 0);
}

/* rnd -- xorshift64, reproducible */
static uint64_t
rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* --within: R pairs with L from L.t - D to L.t + D, both inclusive,
 * whichever comes first; left first in the call */
static void
test_within(void **state)
{
	struct interval iv;
	struct log lg;

	(void)state;
	setup(&iv, &lg, 10, 10);
	assert_int_equal(ADD(&iv, L, "1", 100, "L"), 0);
	assert_int_equal(ADD(&iv, R, "1", 89, "R89"), 0);
	assert_int_equal(ADD(&iv, R, "1", 90, "R90"), 0);
	assert_int_equal(ADD(&iv, R, "1", 110, "R110"), 0);
	assert_int_equal(ADD(&iv, R, "1", 111, "R111"), 0);
	assert_string_equal(lg.pairs.p, "L R90\nL R110\n");
	assert_int_equal(iv.nheld, 5);
	interval_free(&iv);

	/* the right side first: the same pairs, in the rights' order */
	log_reset(&lg);
	assert_int_equal(ADD(&iv, R, "1", 111, "R111"), 0);
	assert_int_equal(ADD(&iv, R, "1", 110, "R110"), 0);
	assert_int_equal(ADD(&iv, R, "1", 89, "R89"), 0);
	assert_int_equal(ADD(&iv, R, "1", 90, "R90"), 0);
	assert_int_equal(ADD(&iv, L, "1", 100, "L"), 0);
	assert_string_equal(lg.pairs.p, "L R110\nL R90\n");
	assert_int_equal(interval_expire_all(&iv), 0);
	assert_string_equal(lg.alone.p, "1 R89\n1 R111\n");
	check_empty(&iv);
	interval_free(&iv);
	log_free(&lg);
}

/* before 5, after 20: R from L.t - 5 to L.t + 20 */
static void
test_asymmetric(void **state)
{
	struct interval iv;
	struct log lg;

	(void)state;
	setup(&iv, &lg, 5, 20);
	assert_int_equal(ADD(&iv, L, "\"k\"", 100, "L"), 0);
	assert_int_equal(ADD(&iv, R, "\"k\"", 94, "R94"), 0);
	assert_int_equal(ADD(&iv, R, "\"k\"", 95, "R95"), 0);
	assert_int_equal(ADD(&iv, R, "\"k\"", 120, "R120"), 0);
	assert_int_equal(ADD(&iv, R, "\"k\"", 121, "R121"), 0);
	assert_string_equal(lg.pairs.p, "L R95\nL R120\n");
	interval_free(&iv);

	/* R at 100 takes L from 80 to 105 */
	log_reset(&lg);
	assert_int_equal(ADD(&iv, R, "\"k\"", 100, "R"), 0);
	assert_int_equal(ADD(&iv, L, "\"k\"", 79, "L79"), 0);
	assert_int_equal(ADD(&iv, L, "\"k\"", 80, "L80"), 0);
	assert_int_equal(ADD(&iv, L, "\"k\"", 105, "L105"), 0);
	assert_int_equal(ADD(&iv, L, "\"k\"", 106, "L106"), 0);
	assert_string_equal(lg.pairs.p, "L80 R\nL105 R\n");

	/* zero both ways: equal times only */
	interval_free(&iv);
	log_reset(&lg);
	iv.before = iv.after = 0;
	assert_int_equal(ADD(&iv, L, "1", 7, "L7"), 0);
	assert_int_equal(ADD(&iv, R, "1", 6, "R6"), 0);
	assert_int_equal(ADD(&iv, R, "1", 7, "R7"), 0);
	assert_int_equal(ADD(&iv, R, "1", 8, "R8"), 0);
	assert_string_equal(lg.pairs.p, "L7 R7\n");
	interval_free(&iv);
	log_free(&lg);
}

/* every left with every right of its key, in arrival order; other keys
 * never, even with equal times */
static void
test_many(void **state)
{
	struct interval iv;
	struct log lg;

	(void)state;
	setup(&iv, &lg, 100, 100);
	assert_int_equal(ADD(&iv, L, "\"a\"", 1, "La1"), 0);
	assert_int_equal(ADD(&iv, R, "\"b\"", 1, "Rb1"), 0);
	assert_int_equal(ADD(&iv, L, "\"a\"", 2, "La2"), 0);
	assert_int_equal(ADD(&iv, R, "\"a\"", 3, "Ra3"), 0);
	assert_int_equal(ADD(&iv, R, "\"a\"", 4, "Ra4"), 0);
	assert_int_equal(ADD(&iv, L, "\"a\"", 5, "La5"), 0);
	assert_int_equal(ADD(&iv, L, "\"b \"", 1, "Lb_1"), 0);
	assert_int_equal(ADD(&iv, L, "1", 1, "L1"), 0);
	assert_int_equal(ADD(&iv, R, "1.0", 1, "R1.0"), 0);
	assert_string_equal(lg.pairs.p,
	    "La1 Ra3\nLa2 Ra3\n"
	    "La1 Ra4\nLa2 Ra4\n"
	    "La5 Ra3\nLa5 Ra4\n");
	assert_int_equal(iv.nheld, 9);
	assert_int_equal(iv.map.count, 5);
	assert_int_equal(interval_expire_all(&iv), 0);
	assert_string_equal(lg.alone.p, "1 Rb1\n0 Lb_1\n0 L1\n1 R1.0\n");
	check_empty(&iv);
	interval_free(&iv);
	log_free(&lg);
}

/* expiry: L at t + after, R at t + before; strictly before the
 * watermark; ties by arrival; a key goes with its last record */
static void
test_expire(void **state)
{
	struct interval iv;
	struct log lg;

	(void)state;
	setup(&iv, &lg, 5, 20);
	assert_int_equal(ADD(&iv, L, "\"a\"", 100, "La"), 0);	/* 120 */
	assert_int_equal(ADD(&iv, R, "\"b\"", 100, "Rb"), 0);	/* 105 */
	assert_int_equal(ADD(&iv, R, "\"c\"", 115, "Rc"), 0);	/* 120 */
	assert_int_equal(ADD(&iv, L, "\"c\"", 0, "Lc"), 0);	/* 20 */
	assert_int_equal(ADD(&iv, L, "\"d\"", 100, "Ld"), 0);	/* 120 */
	assert_int_equal(lg.npair, 0);
	assert_int_equal(iv.map.count, 4);
	assert_int_equal(interval_expire(&iv, 20), 0);
	assert_string_equal(lg.alone.p, "");
	assert_int_equal(interval_expire(&iv, 105), 0);
	assert_string_equal(lg.alone.p, "0 Lc\n");
	assert_int_equal(iv.map.count, 4);		/* Rc holds "c" */
	assert_int_equal(interval_expire(&iv, 106), 0);
	assert_string_equal(lg.alone.p, "0 Lc\n1 Rb\n");
	assert_int_equal(iv.map.count, 3);
	assert_int_equal(iv.nheld, 3);
	assert_int_equal(interval_expire(&iv, 120), 0);
	assert_int_equal(iv.nheld, 3);
	assert_int_equal(interval_expire(&iv, INT64_MAX), 0);
	assert_string_equal(lg.alone.p,
	    "0 Lc\n1 Rb\n0 La\n1 Rc\n0 Ld\n");
	check_empty(&iv);
	/* an older watermark lets nothing go */
	assert_int_equal(ADD(&iv, L, "\"a\"", 100, "La"), 0);
	assert_int_equal(interval_expire(&iv, 50), 0);
	assert_int_equal(iv.nheld, 1);
	interval_free(&iv);
	log_free(&lg);
}

/* many records: expire_all gives them by (expiry, arrival) */
static void
test_expire_order(void **state)
{
	struct interval iv;
	struct log lg;
	char rec[64], key[32];
	const char *p;
	int64_t t, e, laste = INT64_MIN;
	uint64_t x = 42;
	int i, seq, lastseq = -1, side;

	(void)state;
	setup(&iv, &lg, 3, 7);
	for (i = 0; i < 2000; i++) {
		side = (int)(rnd(&x) % 2);
		t = (int64_t)(rnd(&x) % 50);
		e = t + (side == L ? 7 : 3);
		snprintf(key, sizeof(key), "%d", i);
		snprintf(rec, sizeof(rec), "%" PRId64 ":%d", e, i);
		assert_int_equal(ADD(&iv, (enum side)side, key, t, rec), 0);
	}
	assert_int_equal(iv.map.count, 2000);
	assert_int_equal(interval_expire(&iv, 20), 0);
	assert_int_equal(interval_expire_all(&iv), 0);
	assert_int_equal(lg.nalone, 2000);
	for (p = lg.alone.p; *p != '\0'; p = strchr(p, '\n') + 1) {
		assert_int_equal(sscanf(p + 2, "%" SCNd64 ":%d", &e, &seq), 2);
		assert_true(e > laste || (e == laste && seq > lastseq));
		laste = e;
		lastseq = seq;
	}
	check_empty(&iv);
	interval_free(&iv);
	log_free(&lg);
}

/* a record that paired is not reported, even when its partner went
 * first; keep[] chooses the sides reported */
static void
test_matched_keep(void **state)
{
	struct interval iv;
	struct log lg;

	(void)state;
	setup(&iv, &lg, 0, 100);
	assert_int_equal(ADD(&iv, L, "1", 0, "L0"), 0);	/* 100 */
	assert_int_equal(ADD(&iv, R, "1", 10, "R10"), 0);	/* 10 */
	assert_int_equal(ADD(&iv, R, "1", 11, "R11"), 0);	/* 11 */
	assert_string_equal(lg.pairs.p, "L0 R10\nL0 R11\n");
	assert_int_equal(interval_expire(&iv, 50), 0);
	assert_int_equal(iv.nheld, 1);
	assert_int_equal(interval_expire_all(&iv), 0);
	assert_string_equal(lg.alone.p, "");
	check_empty(&iv);

	/* left only (--left) */
	iv.keep[R] = 0;
	assert_int_equal(ADD(&iv, L, "1", 0, "L0"), 0);
	assert_int_equal(ADD(&iv, R, "2", 0, "R0"), 0);
	assert_int_equal(ADD(&iv, L, "3", 0, "L3"), 0);
	assert_int_equal(ADD(&iv, R, "3", 0, "R3"), 0);
	assert_int_equal(interval_expire_all(&iv), 0);
	assert_string_equal(lg.alone.p, "0 L0\n");
	/* right only */
	log_reset(&lg);
	iv.keep[L] = 0;
	iv.keep[R] = 1;
	assert_int_equal(ADD(&iv, L, "1", 0, "L0"), 0);
	assert_int_equal(ADD(&iv, R, "2", 0, "R0"), 0);
	assert_int_equal(interval_expire_all(&iv), 0);
	assert_string_equal(lg.alone.p, "1 R0\n");
	/* neither (inner) */
	log_reset(&lg);
	iv.keep[R] = 0;
	assert_int_equal(ADD(&iv, L, "1", 0, "L0"), 0);
	assert_int_equal(ADD(&iv, R, "2", 0, "R0"), 0);
	assert_int_equal(interval_expire_all(&iv), 0);
	assert_int_equal(lg.nalone, 0);
	check_empty(&iv);
	interval_free(&iv);
	log_free(&lg);
}

/* max_held: the record to expire first goes early, counted, and
 * reported if it never paired and its side is kept */
static void
test_max_held(void **state)
{
	struct interval iv;
	struct log lg;

	(void)state;
	setup(&iv, &lg, 0, 0);
	iv.max_held = 2;
	assert_int_equal(ADD(&iv, L, "1", 30, "L30"), 0);
	assert_int_equal(ADD(&iv, L, "2", 10, "L10"), 0);
	assert_int_equal(iv.evicted, 0);
	assert_int_equal(ADD(&iv, L, "3", 20, "L20"), 0);
	assert_int_equal(iv.evicted, 1);
	assert_int_equal(iv.nheld, 2);
	assert_string_equal(lg.alone.p, "0 L10\n");
	/* the new record itself, if it would expire first */
	assert_int_equal(ADD(&iv, R, "4", 5, "R5"), 0);
	assert_int_equal(iv.evicted, 2);
	assert_string_equal(lg.alone.p, "0 L10\n1 R5\n");
	/* a matched one goes silently; so does an unkept side */
	assert_int_equal(ADD(&iv, R, "3", 20, "R20"), 0);
	assert_string_equal(lg.pairs.p, "L20 R20\n");
	assert_int_equal(iv.evicted, 3);
	assert_string_equal(lg.alone.p, "0 L10\n1 R5\n");
	iv.keep[R] = 0;
	assert_int_equal(ADD(&iv, R, "9", 1, "R1"), 0);
	assert_int_equal(iv.evicted, 4);
	assert_string_equal(lg.alone.p, "0 L10\n1 R5\n");
	assert_int_equal(iv.nheld, 2);
	/* a lowered bound is met at the next add */
	iv.max_held = 1;
	iv.keep[R] = 1;
	assert_int_equal(ADD(&iv, L, "5", 100, "L100"), 0);
	assert_int_equal(iv.evicted, 6);
	assert_int_equal(iv.nheld, 1);
	assert_string_equal(lg.alone.p, "0 L10\n1 R5\n0 L30\n");
	assert_int_equal(interval_expire_all(&iv), 0);
	check_empty(&iv);
	interval_free(&iv);
	log_free(&lg);
}

/* a callback's -1 stops at once and is passed on; what is left stays
 * consistent */
static void
test_stop(void **state)
{
	struct interval iv;
	struct log lg;

	(void)state;
	setup(&iv, &lg, 10, 10);
	assert_int_equal(ADD(&iv, R, "1", 0, "R1"), 0);
	assert_int_equal(ADD(&iv, R, "1", 0, "R2"), 0);
	lg.stop_pair = 1;
	assert_int_equal(ADD(&iv, L, "1", 0, "L"), -1);
	assert_string_equal(lg.pairs.p, "L R1\n");
	assert_int_equal(iv.nheld, 2);
	lg.stop_pair = 0;
	assert_int_equal(interval_expire_all(&iv), 0);
	assert_string_equal(lg.alone.p, "1 R2\n");
	check_empty(&iv);

	/* alone() from the watermark */
	log_reset(&lg);
	assert_int_equal(ADD(&iv, L, "1", 0, "A"), 0);
	assert_int_equal(ADD(&iv, L, "2", 0, "B"), 0);
	assert_int_equal(ADD(&iv, L, "3", 0, "C"), 0);
	lg.stop_alone = 2;
	assert_int_equal(interval_expire(&iv, 100), -1);
	assert_string_equal(lg.alone.p, "0 A\n0 B\n");
	assert_int_equal(iv.nheld, 1);
	assert_int_equal(interval_expire(&iv, 100), 0);
	assert_string_equal(lg.alone.p, "0 A\n0 B\n0 C\n");
	check_empty(&iv);

	/* alone() at the end */
	log_reset(&lg);
	assert_int_equal(ADD(&iv, L, "1", 0, "A"), 0);
	assert_int_equal(ADD(&iv, L, "2", 0, "B"), 0);
	lg.stop_alone = 1;
	assert_int_equal(interval_expire_all(&iv), -1);
	assert_int_equal(iv.nheld, 1);
	assert_int_equal(interval_expire_all(&iv), 0);
	check_empty(&iv);

	/* alone() from max_held */
	log_reset(&lg);
	iv.max_held = 1;
	lg.stop_alone = 1;
	assert_int_equal(ADD(&iv, L, "1", 0, "A"), 0);
	assert_int_equal(ADD(&iv, L, "2", 5, "B"), -1);
	assert_int_equal(iv.evicted, 1);
	assert_int_equal(iv.nheld, 1);
	assert_string_equal(lg.alone.p, "0 A\n");

	interval_free(&iv);
	log_free(&lg);
}

static int
line_stop(void *arg, const char *p, size_t n)
{
	int *calls = arg;

	(void)p;
	(void)n;
	return ++*calls == 2 ? 7 : 0;
}

/* save, load into a fresh one, save again: the same text; and both go
 * on alike */
static void
test_save_load(void **state)
{
	struct interval a, b;
	struct log la, lb;
	struct buf s1 = BUF_INIT, s2 = BUF_INIT;
	int calls = 0;

	(void)state;
	setup(&a, &la, 10, 20);
	setup(&b, &lb, 10, 20);
	save_text(&a, &s1);
	assert_string_equal(s1.p, "");
	assert_int_equal(ADD(&a, L, "{\"a\":[1,\"x\"]}", 100,
	    "{\"id\": 1, \"v\":\"\\u00e9\"}"), 0);
	assert_int_equal(ADD(&a, R, "\"b\"", -5, "[1,2]"), 0);
	assert_int_equal(ADD(&a, R, "{\"a\":[1,\"x\"]}", 105, "{\"id\":2}"),
	    0);
	assert_int_equal(ADD(&a, L, "null", INT64_MIN, "null"), 0);
	assert_int_equal(ADD(&a, R, "\"b\"", INT64_MAX, "\"s\""), 0);
	assert_int_equal(ADD(&a, L, "\"b\"", 0, "{}"), 0);	/* pairs -5 */
	assert_int_equal(ADD(&a, L, "\"w\"", 40, "\"Lw\""), 0);	/* 60 */
	assert_int_equal(ADD(&a, R, "\"y\"", 50, "\"Ry\""), 0);	/* 60 */
	assert_int_equal(ADD(&a, L, "\"z\"", 30, "\"Lz\""), 0);	/* 50 */
	assert_int_equal(la.npair, 2);
	save_text(&a, &s1);
	assert_string_equal(s1.p,
	    "{\"s\":0,\"t\":100,\"m\":1,\"k\":{\"a\":[1,\"x\"]},"
	    "\"r\":{\"id\": 1, \"v\":\"\\u00e9\"}}\n"
	    "{\"s\":1,\"t\":-5,\"m\":1,\"k\":\"b\",\"r\":[1,2]}\n"
	    "{\"s\":1,\"t\":105,\"m\":1,\"k\":{\"a\":[1,\"x\"]},"
	    "\"r\":{\"id\":2}}\n"
	    "{\"s\":0,\"t\":-9223372036854775808,\"m\":0,\"k\":null,"
	    "\"r\":null}\n"
	    "{\"s\":1,\"t\":9223372036854775807,\"m\":0,\"k\":\"b\","
	    "\"r\":\"s\"}\n"
	    "{\"s\":0,\"t\":0,\"m\":1,\"k\":\"b\",\"r\":{}}\n"
	    "{\"s\":0,\"t\":40,\"m\":0,\"k\":\"w\",\"r\":\"Lw\"}\n"
	    "{\"s\":1,\"t\":50,\"m\":0,\"k\":\"y\",\"r\":\"Ry\"}\n"
	    "{\"s\":0,\"t\":30,\"m\":0,\"k\":\"z\",\"r\":\"Lz\"}\n");
	assert_int_equal(interval_save(&a, line_stop, &calls), 7);
	assert_int_equal(calls, 2);

	assert_int_equal(load_lines(&b, s1.p), 0);
	assert_int_equal(lb.npair, 0);
	assert_int_equal(lb.nalone, 0);
	assert_int_equal(b.nheld, a.nheld);
	assert_int_equal(b.bytes, a.bytes);
	assert_int_equal(b.map.count, a.map.count);
	save_text(&b, &s2);
	assert_string_equal(s2.p, s1.p);

	/* both go on alike: pairs, then expiry in the same order */
	log_reset(&la);
	assert_int_equal(ADD(&a, R, "{\"a\":[1,\"x\"]}", 90, "R90"), 0);
	assert_int_equal(ADD(&b, R, "{\"a\":[1,\"x\"]}", 90, "R90"), 0);
	assert_int_equal(ADD(&a, L, "\"b\"", 3, "L3"), 0);
	assert_int_equal(ADD(&b, L, "\"b\"", 3, "L3"), 0);
	assert_int_equal(ADD(&a, L, "null", INT64_MIN, "L"), 0);
	assert_int_equal(ADD(&b, L, "null", INT64_MIN, "L"), 0);
	assert_int_equal(ADD(&a, R, "null", INT64_MIN, "R"), 0);
	assert_int_equal(ADD(&b, R, "null", INT64_MIN, "R"), 0);
	assert_string_equal(lb.pairs.p,
	    "{\"id\": 1, \"v\":\"\\u00e9\"} R90\n"
	    "L3 [1,2]\n"
	    "null R\n"
	    "L R\n");
	assert_string_equal(la.pairs.p, lb.pairs.p);
	assert_int_equal(interval_expire(&a, 60), 0);
	assert_int_equal(interval_expire(&b, 60), 0);
	assert_string_equal(lb.alone.p, "0 \"Lz\"\n");
	assert_int_equal(interval_expire_all(&a), 0);
	assert_int_equal(interval_expire_all(&b), 0);
	assert_string_equal(lb.alone.p,
	    "0 \"Lz\"\n0 \"Lw\"\n1 \"Ry\"\n1 \"s\"\n");
	assert_string_equal(la.alone.p, lb.alone.p);
	check_empty(&a);
	check_empty(&b);
	interval_free(&a);
	interval_free(&b);
	log_free(&la);
	log_free(&lb);
	buf_free(&s1);
	buf_free(&s2);
}

/* what load takes: any member order and spacing, the extreme times; the
 * key's bytes as they were saved */
static void
test_load_forms(void **state)
{
	struct interval iv;
	struct log lg;
	struct buf s = BUF_INIT;

	(void)state;
	setup(&iv, &lg, 0, 0);
	assert_int_equal(load_str(&iv, " { \"r\" : [ 1 , 2 ] , \"k\" : "
	    "{\"a\":\"A\",\"b\":1} , \"m\" : 0 , \"t\" : 7 , "
	    "\"s\" : 0 } \n"), 0);
	assert_int_equal(load_str(&iv, "{\"s\":1,\"t\":-9223372036854775808,"
	    "\"m\":1,\"k\":1,\"r\":1}"), 0);
	assert_int_equal(load_str(&iv, "{\"s\":1,\"t\":9223372036854775807,"
	    "\"m\":0,\"k\":1,\"r\":2}"), 0);
	assert_int_equal(load_str(&iv, "{\"s\":1,\"t\":-0,\"m\":0,\"k\":1,"
	    "\"r\":3}"), 0);
	assert_int_equal(iv.nheld, 4);
	assert_int_equal(lg.npair, 0);
	save_text(&iv, &s);
	assert_string_equal(s.p,
	    "{\"s\":0,\"t\":7,\"m\":0,\"k\":{\"a\":\"A\",\"b\":1},"
	    "\"r\":[ 1 , 2 ]}\n"
	    "{\"s\":1,\"t\":-9223372036854775808,\"m\":1,\"k\":1,\"r\":1}\n"
	    "{\"s\":1,\"t\":9223372036854775807,\"m\":0,\"k\":1,\"r\":2}\n"
	    "{\"s\":1,\"t\":0,\"m\":0,\"k\":1,\"r\":3}\n");
	assert_int_equal(ADD(&iv, R, "{\"a\":\"A\",\"b\":1}", 7, "R"), 0);
	assert_string_equal(lg.pairs.p, "[ 1 , 2 ] R\n");
	interval_free(&iv);

	/* a record of several lines is saved on one, compacted */
	assert_int_equal(ADD(&iv, L, "1", 0, "{\r\n \"a\" : [1,\n2]\n}"), 0);
	assert_int_equal(ADD(&iv, L, "1", 0, "{ \"b\" :\t2 }"), 0);
	save_text(&iv, &s);
	assert_string_equal(s.p,
	    "{\"s\":0,\"t\":0,\"m\":0,\"k\":1,\"r\":{\"a\":[1,2]}}\n"
	    "{\"s\":0,\"t\":0,\"m\":0,\"k\":1,\"r\":{ \"b\" :\t2 }}\n");
	interval_free(&iv);
	assert_int_equal(load_lines(&iv, s.p), 0);
	assert_int_equal(iv.nheld, 2);
	interval_free(&iv);
	log_free(&lg);
	buf_free(&s);
}

/* what load refuses, holding nothing */
static void
test_load_bad(void **state)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "[]", "1", "null", "\"s\"",
		"{}",
		"{\"t\":1,\"m\":0,\"k\":1,\"r\":1}",		/* no s */
		"{\"s\":0,\"m\":0,\"k\":1,\"r\":1}",		/* no t */
		"{\"s\":0,\"t\":1,\"k\":1,\"r\":1}",		/* no m */
		"{\"s\":0,\"t\":1,\"m\":0,\"r\":1}",		/* no k */
		"{\"s\":0,\"t\":1,\"m\":0,\"k\":1}",		/* no r */
		"{\"s\":2,\"t\":1,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":-1,\"t\":1,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":0.0,\"t\":1,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":\"0\",\"t\":1,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":null,\"t\":1,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":false,\"t\":1,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":0,\"t\":1.5,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":0,\"t\":1.0,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":0,\"t\":1e3,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":0,\"t\":\"1\",\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":0,\"t\":null,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":0,\"t\":9223372036854775808,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":0,\"t\":-9223372036854775809,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":0,\"t\":1,\"m\":2,\"k\":1,\"r\":1}",
		"{\"s\":0,\"t\":1,\"m\":true,\"k\":1,\"r\":1}",
		"{\"s\":0,\"t\":1,\"m\":0,\"k\":1,\"r\":1,\"x\":1}",
		"{\"s\":0,\"t\":1,\"m\":0,\"k\":1,\"r\":1,\"s\":0}",
		"{\"s\":0,\"t\":1,\"m\":0,\"k\":1,\"r\":1,\"\":0}",
		"{\"\\u0073\":0,\"t\":1,\"m\":0,\"k\":1,\"r\":1}",
		"{\"s\":0,\"t\":1,\"m\":0,\"k\":1,\"r\":01}",
		"{\"s\":0,\"t\":1,\"m\":0,\"k\":1,\"r\":1} x",
		"{\"s\":0,\"t\":1,\"m\":0,\"k\":1,\"r\":1}{}",
		"{\"s\":0,\"t\":1,\"m\":0,\"k\":1,\"r\":[1,]}",
		"[{\"s\":0,\"t\":1,\"m\":0,\"k\":1,\"r\":1}]",
	};
	static const char good[] = "{\"s\":1,\"t\":-12,\"m\":1,\"k\":[\"a\"],"
	    "\"r\":{\"x\":\"y\"}}";
	struct interval iv;
	struct log lg;
	struct json_span v = { NULL, 0, JSON_OBJECT };
	char buf[sizeof(good)];
	uint64_t x = 7;
	size_t i, j;
	int rc;

	(void)state;
	setup(&iv, &lg, 1, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(load_str(&iv, bad[i]), -1);
		assert_int_equal(errno, EINVAL);
		check_empty(&iv);
	}
	assert_int_equal(interval_load(&iv, v), -1);
	/* every cut of a good line: the span may not stop early */
	for (j = 0; j < sizeof(good) - 1; j++) {
		v.p = good;
		v.len = j;
		assert_int_equal(interval_load(&iv, v), -1);
	}
	check_empty(&iv);
	assert_int_equal(load_str(&iv, good), 0);
	assert_int_equal(iv.nheld, 1);
	/* random damage: loaded or refused, never a crash */
	for (i = 0; i < 20000; i++) {
		memcpy(buf, good, sizeof(good));
		for (j = 0; j < 1 + i % 3; j++) {
			rnd(&x);
			buf[(x >> 8) % (sizeof(good) - 1)] = (char)(x & 0xff);
		}
		v.p = buf;
		v.len = sizeof(good) - 1;
		rc = interval_load(&iv, v);
		assert_true(rc == 0 || rc == -1);
	}
	assert_int_equal(interval_expire_all(&iv), 0);
	assert_int_equal(lg.npair, 0);
	check_empty(&iv);
	interval_free(&iv);
	log_free(&lg);
}

/* bounds at the ends of int64 saturate instead of wrapping */
static void
test_saturate(void **state)
{
	struct interval iv;
	struct log lg;

	(void)state;
	setup(&iv, &lg, INT64_MAX, INT64_MAX);
	assert_int_equal(ADD(&iv, L, "1", INT64_MAX, "Lmax"), 0);
	assert_int_equal(ADD(&iv, R, "1", INT64_MIN, "Rmin"), 0);
	assert_int_equal(ADD(&iv, L, "1", INT64_MIN, "Lmin"), 0);
	assert_int_equal(ADD(&iv, R, "1", INT64_MAX, "Rmax"), 0);
	assert_int_equal(ADD(&iv, L, "1", 0, "L0"), 0);
	assert_int_equal(ADD(&iv, R, "1", -1, "R-1"), 0);
	/* L0 - before is INT64_MIN + 1: not Rmin */
	assert_string_equal(lg.pairs.p,
	    "Lmin Rmin\nLmax Rmax\nL0 Rmax\nLmin R-1\nL0 R-1\n");
	assert_int_equal(interval_expire(&iv, INT64_MAX), 0);
	assert_int_equal(iv.nheld, 3);		/* Lmax, Rmax, L0 */
	assert_int_equal(interval_expire_all(&iv), 0);
	assert_string_equal(lg.alone.p, "");
	interval_free(&iv);
	log_reset(&lg);

	iv.before = iv.after = 0;
	assert_int_equal(ADD(&iv, L, "1", INT64_MIN, "Lmin"), 0);
	assert_int_equal(ADD(&iv, R, "1", INT64_MAX, "Rmax"), 0);
	assert_int_equal(ADD(&iv, R, "1", INT64_MIN, "Rmin"), 0);
	assert_int_equal(ADD(&iv, L, "1", INT64_MAX, "Lmax"), 0);
	assert_string_equal(lg.pairs.p, "Lmin Rmin\nLmax Rmax\n");
	assert_int_equal(interval_expire(&iv, INT64_MIN), 0);
	assert_int_equal(iv.nheld, 4);
	assert_int_equal(interval_expire(&iv, INT64_MIN + 1), 0);
	assert_int_equal(iv.nheld, 2);
	interval_free(&iv);
	log_free(&lg);
}

/* free twice, and use again */
static void
test_reuse(void **state)
{
	struct interval iv;
	struct log lg;

	(void)state;
	setup(&iv, &lg, 1, 1);
	interval_free(&iv);
	assert_int_equal(ADD(&iv, L, "1", 0, "L"), 0);
	assert_int_equal(ADD(&iv, L, "2", 0, "L"), 0);
	interval_free(&iv);
	interval_free(&iv);
	check_empty(&iv);
	assert_int_equal(lg.nalone, 0);
	assert_int_equal(ADD(&iv, L, "1", 0, "L"), 0);
	assert_int_equal(ADD(&iv, R, "1", 1, "R"), 0);
	assert_string_equal(lg.pairs.p, "L R\n");
	assert_int_equal(interval_expire_all(&iv), 0);
	check_empty(&iv);
	interval_free(&iv);
	log_free(&lg);
}

/*
 * random_run -- records of random sides, keys and times, the watermark
 * moving on at random and no record late, now and then saved and loaded
 * back; against the definition: with no max_held, the same pairs in the
 * same order (the later record's arrival, then the earlier one's), and
 * every record either paired or reported once, never early.  With
 * max_held, every pair is a true one, and each record still paired or
 * reported, never both.
 */
static void
random_run(uint64_t seed, long long max_held)
{
	struct interval iv;
	struct log lg;
	struct model m;
	struct buf want = BUF_INIT, tmp = BUF_INIT;
	char key[32], rec[32];
	uint64_t x = seed;
	int i, j, nkeys, n = 1500;

	setup(&iv, &lg, (int64_t)(rnd(&x) % 40), (int64_t)(rnd(&x) % 40));
	iv.max_held = max_held;
	memset(&m, 0, sizeof(m));
	m.n = n;
	m.before = iv.before;
	m.after = iv.after;
	m.r = calloc((size_t)n, sizeof(*m.r));
	m.paired = calloc((size_t)n, sizeof(int));
	m.alone = calloc((size_t)n, sizeof(int));
	assert_non_null(m.r);
	assert_non_null(m.paired);
	assert_non_null(m.alone);
	lg.m = &m;
	nkeys = 1 + (int)(rnd(&x) % 6);
	for (i = 0; i < n; i++) {
		if (rnd(&x) % 3 == 0) {
			m.wm += (int64_t)(rnd(&x) % 20);
			m.in_expire = max_held == 0;
			assert_int_equal(interval_expire(&iv, m.wm), 0);
			m.in_expire = 0;
		}
		if (rnd(&x) % 200 == 0)
			reload(&iv, &tmp);
		m.r[i].side = (enum side)(rnd(&x) % 2);
		m.r[i].key = (int)(rnd(&x) % (uint64_t)nkeys);
		m.r[i].t = m.wm + (int64_t)(rnd(&x) % 60);
		if (m.r[i].key % 2)
			snprintf(key, sizeof(key), "\"k%d\"", m.r[i].key);
		else
			snprintf(key, sizeof(key), "%d", m.r[i].key);
		snprintf(rec, sizeof(rec), "{\"id\":%d}", i);
		assert_int_equal(ADD(&iv, m.r[i].side, key, m.r[i].t, rec),
		    0);
		if (max_held > 0)
			assert_true(iv.nheld <= (size_t)max_held);
	}
	assert_int_equal(interval_expire_all(&iv), 0);
	check_empty(&iv);
	for (i = 0; i < n; i++) {
		assert_true(m.alone[i] <= 1);
		assert_true((m.paired[i] > 0) != (m.alone[i] == 1));
	}
	if (max_held == 0) {
		assert_int_equal(iv.evicted, 0);
		buf_adds(&want, "");
		for (j = 0; j < n; j++)
			for (i = 0; i < j; i++)
				if (within(&m, i, j) || within(&m, j, i))
					buf_printf(&want, "{\"id\":%d} "
					    "{\"id\":%d}\n",
					    m.r[i].side == L ? i : j,
					    m.r[i].side == L ? j : i);
		assert_string_equal(lg.pairs.p, want.p);
	}
	interval_free(&iv);
	log_free(&lg);
	buf_free(&want);
	buf_free(&tmp);
	free(m.r);
	free(m.paired);
	free(m.alone);
}

static void
test_random(void **state)
{
	uint64_t seed;

	(void)state;
	for (seed = 1; seed <= 20; seed++)
		random_run(seed * 0x9e3779b97f4a7c15ULL, 0);
	for (seed = 1; seed <= 10; seed++)
		random_run(seed * 0x9e3779b97f4a7c15ULL,
		    1 + (long long)seed * 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_within),
		cmocka_unit_test(test_asymmetric),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_expire_order),
		cmocka_unit_test(test_matched_keep),
		cmocka_unit_test(test_max_held),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_load_forms),
		cmocka_unit_test(test_load_bad),
		cmocka_unit_test(test_saturate),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
