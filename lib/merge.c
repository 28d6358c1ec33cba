/*
 * merge -- a binary min-heap of held records ordered by (time, input,
 * arrival); see merge.h.  Records that went out are kept on a free list
 * with their buffers, so a steady merge allocates nothing per record.
 */
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "xalloc.h"

static int	before(const struct merge_rec *, const struct merge_rec *);
static int64_t	low_mark(const struct merge *);

void
merge_init(struct merge *m, int n, int64_t lateness)
{
	int i;

	memset(m, 0, sizeof(*m));
	m->n = n;
	m->lateness = lateness;
	m->mark = xcalloc((size_t)n, sizeof(*m->mark));
	for (i = 0; i < n; i++)
		m->mark[i] = INT64_MIN;
	m->last = INT64_MIN;
}

static int
before(const struct merge_rec *a, const struct merge_rec *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->input != b->input)
		return a->input < b->input;
	return a->seq < b->seq;
}

int
merge_pick(const struct merge *m)
{
	int i, best = -1;

	for (i = 0; i < m->n; i++)
		if (m->mark[i] != INT64_MAX &&
		    (best == -1 || m->mark[i] < m->mark[best]))
			best = i;
	return best;
}

/* low_mark -- the time up to which no open input can bring a record */
static int64_t
low_mark(const struct merge *m)
{
	int64_t low = INT64_MAX;
	int i;

	for (i = 0; i < m->n; i++)
		if (m->mark[i] < low)
			low = m->mark[i];
	return low;
}

struct merge_rec *
merge_add(struct merge *m, int input, int64_t t)
{
	struct merge_rec *r;
	size_t i;
	int64_t mark;

	if (t < m->last)
		return NULL;
	mark = t < INT64_MIN + m->lateness ? INT64_MIN : t - m->lateness;
	if (mark > m->mark[input])
		m->mark[input] = mark;
	if ((r = m->spare) != NULL) {
		m->spare = r->next;
	} else {
		r = xcalloc(1, sizeof(*r));
	}
	buf_reset(&r->text);
	r->t = t;
	r->input = input;
	r->seq = m->seq++;
	if (m->len == m->cap) {
		m->cap = m->cap == 0 ? 16 : m->cap * 2;
		m->heap = xreallocarray(m->heap, m->cap, sizeof(*m->heap));
	}
	for (i = m->len++; i > 0 && before(r, m->heap[(i - 1) / 2]);
	    i = (i - 1) / 2)
		m->heap[i] = m->heap[(i - 1) / 2];
	m->heap[i] = r;
	return r;
}

void
merge_end(struct merge *m, int input)
{
	m->mark[input] = INT64_MAX;
}

/*
 * merge_ready -- strictly before the low mark: an input that reached time
 * t may still bring another record of time t, which a tie would put first.
 */
struct merge_rec *
merge_ready(struct merge *m)
{
	int64_t low;

	if (m->len == 0)
		return NULL;
	low = low_mark(m);
	if (low != INT64_MAX && m->heap[0]->t >= low)
		return NULL;
	return m->heap[0];
}

void
merge_pop(struct merge *m)
{
	struct merge_rec *top = m->heap[0], *last;
	size_t i = 0, c;

	m->last = top->t;
	top->next = m->spare;
	m->spare = top;
	last = m->heap[--m->len];
	while ((c = 2 * i + 1) < m->len) {
		if (c + 1 < m->len && before(m->heap[c + 1], m->heap[c]))
			c++;
		if (!before(m->heap[c], last))
			break;
		m->heap[i] = m->heap[c];
		i = c;
	}
	if (m->len > 0)
		m->heap[i] = last;
}

void
merge_free(struct merge *m)
{
	struct merge_rec *r;
	size_t i;

	for (i = 0; i < m->len; i++) {
		m->heap[i]->next = m->spare;
		m->spare = m->heap[i];
	}
	while ((r = m->spare) != NULL) {
		m->spare = r->next;
		buf_free(&r->text);
		free(r);
	}
	free(m->heap);
	free(m->mark);
	memset(m, 0, sizeof(*m));
}
