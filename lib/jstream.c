/*
 * jstream -- finds where each JSON value ends in a stream fed in chunks;
 * see jstream.h.  A state machine over bytes: between values it skips
 * space and walks the top-level array's '[', ',' and ']'; inside a value
 * it tracks strings, escapes and a bit stack of open brackets, and runs
 * over the bytes that change nothing with a table lookup.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jstream.h"
#include "xalloc.h"

_Static_assert(sizeof(((struct jstream *)0)->open) * 8 >= JSON_MAX_DEPTH,
    "jstream open stack shallower than JSON_MAX_DEPTH");

enum {
	ST_TOP,		/* between values, outside the top-level array */
	ST_AOPEN,	/* after the top-level '[' */
	ST_AELEM,	/* after an element of the top-level array */
	ST_ACOMMA,	/* after a ',' of the top-level array */
	ST_NEST,	/* in a string, object or array value */
	ST_BARE,	/* in a bare number, literal or garbage */
	ST_RESYNC	/* after a fault: dropping the rest of the line */
};

/* Byte classes */
#define C_WS	1	/* space between values */
#define C_END	2	/* ends a bare value */
#define C_STR	4	/* stops a run inside a string */
#define C_NEST	8	/* stops a run inside a container */

static const unsigned char cls[256] = {
	['\t'] = C_WS, ['\r'] = C_WS, [' '] = C_WS,
	['\n'] = C_WS | C_STR | C_NEST,
	['"'] = C_END | C_STR | C_NEST, ['\\'] = C_STR,
	['{'] = C_END | C_NEST, ['}'] = C_END | C_NEST,
	['['] = C_END | C_NEST, [']'] = C_END | C_NEST,
	[','] = C_END, [':'] = C_END,
};

static const char BOM[] = "\xef\xbb\xbf";

static int	ended(struct jstream *, const char *, size_t);
static int	fault(struct jstream *, const char *, int);
static enum jstream_ev pending(struct jstream *);
static void	reset(struct jstream *);
static size_t	scan(struct jstream *, const char *, size_t,
		    enum jstream_ev *);
static void	take(struct jstream *, const char *, size_t);
static void	toolong(struct jstream *, const char *, size_t);

void
jstream_init(struct jstream *js, size_t max)
{
	memset(js, 0, sizeof(*js));
	js->max = max;
	js->line = 1;
	js->vline = 1;
}

void
jstream_free(struct jstream *js)
{
	buf_free(&js->val);
}

/* reset -- ready for a new input; val, vline and why are kept */
static void
reset(struct jstream *js)
{
	js->state = ST_TOP;
	js->depth = js->instr = js->esc = js->inarray = js->toolong = 0;
	js->bom = 0;
	js->line = 1;
}

/*
 * take -- append n bytes to val; the caller keeps val.len + n <= max.
 * Capacity doubles but stops at max + 1, so val never outgrows max.
 */
static void
take(struct jstream *js, const char *p, size_t n)
{
	struct buf *b = &js->val;
	size_t need, cap, lim;

	need = b->len + n + 1;
	if (need > b->cap) {
		lim = js->max < SIZE_MAX ? js->max + 1 : SIZE_MAX;
		cap = b->cap > SIZE_MAX / 2 ? SIZE_MAX : b->cap * 2;
		if (cap < 64)
			cap = 64;
		if (cap > lim)
			cap = lim;
		if (cap < need)
			cap = need;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/*
 * fault -- a BAD event for msg (with " 'c'" appended when c is not 0),
 * unless it falls in a value already reported too long: 1, or 0 when
 * quiet.  Either way the scanner drops the rest of the line and goes on
 * outside any array.
 */
static int
fault(struct jstream *js, const char *msg, int c)
{
	int quiet = js->state == ST_NEST && js->toolong;

	js->state = ST_RESYNC;
	js->depth = js->instr = js->esc = js->inarray = js->toolong = 0;
	if (quiet)
		return 0;
	if (c != 0)
		snprintf(js->why, sizeof(js->why), "%s '%c'", msg, c);
	else
		snprintf(js->why, sizeof(js->why), "%s", msg);
	take(js, "", 0);
	return 1;
}

/*
 * jstream_resync -- as after a fault; a value whose terminator was a
 * newline already left its line, so there is nothing more to drop.
 */
void
jstream_resync(struct jstream *js)
{
	const char *p = js->val.p, *end = p + js->val.len;
	uint64_t last = js->vline;

	while (p != NULL && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		last++;
		p++;
	}
	js->state = js->line > last ? ST_TOP : ST_RESYNC;
	js->depth = js->instr = js->esc = js->inarray = js->toolong = 0;
}

/*
 * ended -- the value is whole: 1 if it is a VALUE in val (the run being
 * its last bytes), 0 if it was reported too long.  The scanner goes on
 * after it, in the top-level array if it was in one.
 */
static int
ended(struct jstream *js, const char *run, size_t n)
{
	int toolong = js->toolong;

	js->toolong = 0;
	js->state = js->inarray ? ST_AELEM : ST_TOP;
	if (toolong)
		return 0;
	take(js, run, n);
	return 1;
}

/* toolong -- the byte after the run would pass max: BAD, val full */
static void
toolong(struct jstream *js, const char *run, size_t n)
{
	take(js, run, n);
	snprintf(js->why, sizeof(js->why), "value longer than --max-line");
	js->toolong = 1;
}

/*
 * scan -- the machine after the BOM: bytes p[0..n) up to one event.  The
 * bytes of the current value are the run p[run..i), appended to val when
 * the value ends, when the chunk ends, or just before a byte that would
 * pass max (room is what val could still take when the run began).
 */
static size_t
scan(struct jstream *js, const char *p, size_t n, enum jstream_ev *ev)
{
	const unsigned char *s = (const unsigned char *)p;
	const char *q;
	size_t i, run, room, end;
	enum jstream_ev e;
	int c, bit;

	e = JSTREAM_NEED;
	i = run = 0;
	room = js->max - js->val.len;
	while (i < n && e == JSTREAM_NEED) {
		switch (js->state) {
		case ST_RESYNC:
			if ((q = memchr(p + i, '\n', n - i)) == NULL) {
				i = n;
				break;
			}
			i = (size_t)(q - p) + 1;
			js->line++;
			js->state = ST_TOP;
			break;
		case ST_TOP:
		case ST_AOPEN:
		case ST_AELEM:
		case ST_ACOMMA:
			c = s[i];
			if (cls[c] & C_WS) {
				if (c == '\n')
					js->line++;
				i++;
				break;
			}
			if (c == '[' && js->state == ST_TOP) {
				js->inarray = 1;
				js->aline = js->line;
				js->state = ST_AOPEN;
				i++;
				break;
			}
			if (c == ']' && (js->state == ST_AOPEN ||
			    js->state == ST_AELEM)) {
				js->inarray = 0;
				js->state = ST_TOP;
				i++;
				break;
			}
			if (c == ',' && js->state == ST_AELEM) {
				js->state = ST_ACOMMA;
				i++;
				break;
			}
			buf_reset(&js->val);
			js->vline = js->line;
			if (c == '}' || c == ']' || c == ',' || c == ':') {
				if (js->max > 0)
					take(js, p + i, 1);
				fault(js, "unexpected", c);
				e = JSTREAM_BAD;
				i++;
				break;
			}
			if (js->state == ST_AELEM) {
				if (js->max > 0)
					take(js, p + i, 1);
				fault(js, "missing ',' between array "
				    "elements", 0);
				e = JSTREAM_BAD;
				i++;
				break;
			}
			/* a value starts; its state takes this byte */
			js->state = c == '{' || c == '[' || c == '"' ?
			    ST_NEST : ST_BARE;
			js->depth = js->instr = js->esc = js->toolong = 0;
			run = i;
			room = js->max;
			break;
		case ST_NEST:
			end = n;
			if (!js->toolong) {
				if (i - run >= room) {
					/* byte i passes max: BAD after it */
					toolong(js, p + run, i - run);
					e = JSTREAM_BAD;
					end = i + 1;
				} else if (n - run > room)
					end = run + room;
			}
			if (js->esc) {
				js->esc = 0;
				if (s[i++] == '\n')
					js->line++;
				break;
			}
			bit = js->instr ? C_STR : C_NEST;
			while (i < end && !(cls[s[i]] & bit))
				i++;
			if (i == end)
				break;
			c = s[i++];
			if (c == '\n') {
				js->line++;
				break;
			}
			if (js->instr) {
				if (c == '\\')
					js->esc = 1;
				else {
					js->instr = 0;
					if (js->depth == 0 &&
					    ended(js, p + run, i - run))
						e = JSTREAM_VALUE;
				}
				break;
			}
			if (c == '"') {
				js->instr = 1;
				break;
			}
			if (c == '{' || c == '[') {
				if (js->depth == JSON_MAX_DEPTH) {
					if (!js->toolong)
						take(js, p + run, i - run);
					if (fault(js, "nesting too deep", 0))
						e = JSTREAM_BAD;
					break;
				}
				bit = 1 << (js->depth % 8);
				if (c == '{')
					js->open[js->depth / 8] |= bit;
				else
					js->open[js->depth / 8] &= ~bit;
				js->depth++;
				break;
			}
			bit = js->open[(js->depth - 1) / 8] >>
			    ((js->depth - 1) % 8) & 1;
			if (bit != (c == '}')) {
				if (!js->toolong)
					take(js, p + run, i - run);
				if (fault(js, "unexpected", c))
					e = JSTREAM_BAD;
				break;
			}
			if (--js->depth == 0 && ended(js, p + run, i - run))
				e = JSTREAM_VALUE;
			break;
		case ST_BARE:
			end = n;
			if (!js->toolong && n - run > room)
				end = run + room;
			while (i < end && !(cls[s[i]] & (C_WS | C_END)))
				i++;
			if (i == n)
				break;
			c = s[i];
			if (cls[c] & (C_WS | C_END)) {
				if (ended(js, p + run, i - run))
					e = JSTREAM_VALUE;
				if (cls[c] & C_WS) {
					if (c == '\n')
						js->line++;
					i++;
				}
				break;
			}
			/* byte i passes max */
			toolong(js, p + run, i - run);
			e = JSTREAM_BAD;
			i++;
			break;
		}
	}
	if ((js->state == ST_NEST || js->state == ST_BARE) && !js->toolong)
		take(js, p + run, i - run);
	*ev = e;
	return i;
}

/*
 * jstream_scan -- skip a UTF-8 BOM at the very start (its bytes may come
 * one call at a time; a partial match is data after all), then scan.
 */
size_t
jstream_scan(struct jstream *js, const char *p, size_t n,
    enum jstream_ev *ev)
{
	size_t i = 0;
	int held;

	*ev = JSTREAM_NEED;
	while (js->bom < 3 && i < n) {
		if (p[i] == BOM[js->bom]) {
			js->bom++;
			i++;
			continue;
		}
		held = js->bom;
		js->bom = 3;
		/* bytes EF or EF BB begin a bare value: at most too long */
		if (held > 0) {
			scan(js, BOM, (size_t)held, ev);
			if (*ev != JSTREAM_NEED)
				return i;
		}
	}
	if (i == n)
		return n;
	return i + scan(js, p + i, n - i, ev);
}

/*
 * jstream_end -- at end of input: the pending bare value, or the fault of
 * an unfinished value or array (a bare value pending in the array is the
 * val of that fault: it may be cut short too).  A value already reported
 * too long is not reported again.  The scanner is then ready for a new
 * input (line 1, a BOM skipped again); val, vline and why are kept.
 */
enum jstream_ev
jstream_end(struct jstream *js)
{
	enum jstream_ev e = JSTREAM_NEED;

	if (js->bom > 0 && js->bom < 3)
		scan(js, BOM, (size_t)js->bom, &e);
	if (e == JSTREAM_NEED)
		e = pending(js);
	if (e != JSTREAM_NEED)
		take(js, "", 0);
	reset(js);
	return e;
}

/* pending -- the event for what is left at the end of input */
static enum jstream_ev
pending(struct jstream *js)
{
	const char *why;

	if (js->state == ST_TOP || js->state == ST_RESYNC)
		return JSTREAM_NEED;
	if (js->state == ST_NEST && !js->toolong)
		why = "unfinished value at end of input";
	else if (js->inarray) {
		why = "unfinished array at end of input";
		if (js->state != ST_BARE || js->toolong) {
			buf_reset(&js->val);
			js->vline = js->aline;
		}
	} else if (js->state == ST_BARE && !js->toolong)
		return JSTREAM_VALUE;
	else
		return JSTREAM_NEED;
	snprintf(js->why, sizeof(js->why), "%s", why);
	return JSTREAM_BAD;
}
