/*
 * csv -- CSV (RFC 4180) and TSV rows as JSON objects; see csv.h.
 *
 * A row on one line is split and written in one pass, straight into the
 * caller's buf.  A row whose quoted field runs past the end of its line
 * is kept in csv->row; each further line is only checked (does the quote
 * close, is there a fault) and the whole row is split once it is
 * complete, so a row of many lines costs two passes, not one per line.
 *
 * Choices csv.h leaves open:
 * - A blank line is an empty one or one of spaces and tabs; in TSV a line
 *   holding a tab is a row of empty fields, so only spaces make it blank.
 * - Header names are never typed.  An empty one is named by its 1-based
 *   column number ("3"), as Miller does, before duplicates are renamed
 *   (a, a_2, a_3; a name already taken is skipped: a,a,a_2 gives a, a_2,
 *   a_2_2).  A header row with a fault is a bad record, and the next row
 *   is read as the header.
 * - Columns in messages are 1-based bytes from the start of the row,
 *   counting the newlines of a row that spans lines, so they index raw.
 *   A quote fault ends the row at the end of that line.
 * - A row that is not valid UTF-8 is bad ("at column N: invalid UTF-8").
 * - "1 field, the header has 2" is written in the singular.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "infer.h"
#include "json.h"
#include "xalloc.h"

struct fault {
	size_t		 col;		/* 0-based offset in the row */
	const char	*msg;
};

struct slot {				/* finish_header's table of names */
	size_t		 idx;		/* column + 1; 0 is empty */
	size_t		 next;		/* the next suffix to try */
};

static enum csv_rc bad(struct buf *, size_t, const char *);
static size_t	bad_utf8(const char *, size_t);
static int	blank(const struct csv *, const char *, size_t);
static enum csv_rc more(struct csv *, const char *, size_t, struct buf *,
		    struct buf *);
static void	finish_header(struct csv *, size_t);
static struct slot *find(struct slot *, size_t, const struct csv *, size_t);
static void	need_off(struct csv *, size_t);
static void	put_field(struct csv *, struct buf *, size_t, const char *,
		    size_t, int);
static enum csv_rc row(struct csv *, const char *, size_t, struct buf *,
		    struct buf *);
static int	split(struct csv *, const char *, size_t, size_t, int,
		    struct buf *, struct fault *, size_t *);
static void	tsv_split(struct csv *, const char *, size_t, struct buf *,
		    size_t *);

void
csv_init(struct csv *c, int tsv)
{
	memset(c, 0, sizeof(*c));
	c->tsv = tsv;
}

void
csv_free(struct csv *c)
{
	int tsv;

	tsv = c->tsv;
	buf_free(&c->names);
	buf_free(&c->row);
	buf_free(&c->field);
	free(c->off);
	csv_init(c, tsv);
}

/*
 * csv_header -- take the column names from text split by the rules of
 * the format, as if it were the header row: 0, or -1 with "at column N:
 * ..." appended to why and no names set.
 */
int
csv_header(struct csv *c, const char *s, struct buf *why)
{
	struct fault f;
	size_t n, nf;
	int rc;

	n = strlen(s);
	c->ncol = 0;
	buf_reset(&c->names);
	if (!json_valid_utf8(s, n)) {
		buf_printf(why, "at column %zu: invalid UTF-8",
		    bad_utf8(s, n) + 1);
		return -1;
	}
	if (c->tsv) {
		tsv_split(c, s, n, &c->names, &nf);
		rc = 0;
	} else
		rc = split(c, s, n, 0, 0, &c->names, &f, &nf);
	if (rc == 1)
		f.msg = "unterminated quoted field";
	if (rc != 0) {
		buf_reset(&c->names);
		buf_printf(why, "at column %zu: %s", f.col + 1, f.msg);
		return -1;
	}
	finish_header(c, nf);
	return 0;
}

/*
 * csv_line -- one line of input (see csv.h).  raw, rawlen and lines are
 * set for CSV_RECORD, CSV_HEADER and CSV_BAD; raw points at the caller's
 * line or into c->row, and is valid until the next call.
 */
enum csv_rc
csv_line(struct csv *c, const char *p, size_t n, struct buf *out,
    struct buf *why)
{
	if (c->open)
		return more(c, p, n, out, why);
	if (blank(c, p, n))
		return CSV_SKIP;
	c->raw = p;
	c->rawlen = n;
	c->lines = 1;
	return row(c, p, n, out, why);
}

/* csv_end -- at the end of input, a row still open is bad */
enum csv_rc
csv_end(struct csv *c, struct buf *why)
{
	struct fault f;
	size_t nf;

	if (!c->open)
		return CSV_SKIP;
	c->open = 0;
	c->raw = c->row.p;
	c->rawlen = c->row.len;
	f.col = 0;
	(void)split(c, c->row.p, c->row.len, 0, 0, NULL, &f, &nf);
	return bad(why, f.col, "unterminated quoted field");
}

/* blank -- 1 if the line is skipped as blank (see the top) */
static int
blank(const struct csv *c, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && (p[i] != '\t' || c->tsv))
			return 0;
	return 1;
}

static enum csv_rc
bad(struct buf *why, size_t col, const char *msg)
{
	buf_printf(why, "at column %zu: %s", col + 1, msg);
	return CSV_BAD;
}

/*
 * row -- split the complete text of a row (p is the line, or c->row) as
 * the header or as a record; CSV_MORE (only for one line: p is then
 * copied to c->row) when a quoted field is still open at its end.
 * Nothing is left in out unless the result is CSV_RECORD.
 */
static enum csv_rc
row(struct csv *c, const char *p, size_t n, struct buf *out, struct buf *why)
{
	struct fault f;
	struct buf *dst;
	size_t base, nf;
	int rc, header;

	if (!json_valid_utf8(p, n))
		return bad(why, bad_utf8(p, n), "invalid UTF-8");
	header = c->ncol == 0;
	base = out->len;
	if (header) {
		buf_reset(&c->names);
		dst = &c->names;
	} else {
		buf_addc(out, '{');
		dst = out;
	}
	if (c->tsv) {
		tsv_split(c, p, n, dst, &nf);
		rc = 0;
	} else
		rc = split(c, p, n, 0, 0, dst, &f, &nf);
	if (rc == 0 && header) {
		finish_header(c, nf);
		return CSV_HEADER;
	}
	if (rc == 0 && nf == c->ncol) {
		buf_addc(out, '}');
		return CSV_RECORD;
	}
	if (header)
		buf_reset(&c->names);
	else {
		out->len = base;
		out->p[base] = '\0';
	}
	if (rc == -1)
		return bad(why, f.col, f.msg);
	if (rc == 1) {
		buf_reset(&c->row);
		buf_add(&c->row, p, n);
		c->open = 1;
		return CSV_MORE;
	}
	buf_printf(why, "%zu field%s, the header has %zu", nf,
	    nf == 1 ? "" : "s", c->ncol);
	return CSV_BAD;
}

/*
 * more -- a line that continues an open quoted field: it joins c->row and
 * is checked from inside the field; the row is split once complete.
 */
static enum csv_rc
more(struct csv *c, const char *p, size_t n, struct buf *out,
    struct buf *why)
{
	struct fault f;
	size_t at, nf;
	int rc;

	at = c->row.len + 1;
	buf_addc(&c->row, '\n');
	buf_add(&c->row, p, n);
	c->lines++;
	c->raw = c->row.p;
	c->rawlen = c->row.len;
	if (!json_valid_utf8(p, n)) {
		c->open = 0;
		return bad(why, at + bad_utf8(p, n), "invalid UTF-8");
	}
	rc = split(c, c->row.p, c->row.len, at, 1, NULL, &f, &nf);
	if (rc == 1)
		return CSV_MORE;
	c->open = 0;
	if (rc == -1)
		return bad(why, f.col, f.msg);
	return row(c, c->row.p, c->row.len, out, why);
}

/*
 * split -- the CSV fields of p[i..n), from the start of a field, or from
 * inside a quoted one if inq (to check a continued line).  Each field
 * goes to put_field unless dst is NULL.  Returns 0 and the number of
 * fields in *nfp; 1 if a quoted field is open at the end (f->col is its
 * quote); -1 and the fault in f.
 */
static int
split(struct csv *c, const char *p, size_t n, size_t i, int inq,
    struct buf *dst, struct fault *f, size_t *nfp)
{
	const char *q;
	size_t nf, start, e, j, k;
	int esc;

	nf = 0;
	for (;;) {
		if (inq || (i < n && p[i] == '"')) {
			start = i;
			if (!inq)
				i++;
			inq = esc = 0;
			for (;;) {
				if ((q = memchr(p + i, '"', n - i)) == NULL) {
					f->col = start;
					return 1;
				}
				j = (size_t)(q - p);
				if (j + 1 < n && p[j + 1] == '"') {
					esc = 1;
					i = j + 2;
					continue;
				}
				break;
			}
			if (dst != NULL && !esc)
				put_field(c, dst, nf, p + start + 1,
				    j - start - 1, 1);
			else if (dst != NULL) {
				buf_reset(&c->field);
				for (k = start + 1; k < j; k = e + 2) {
					q = memchr(p + k, '"', j - k);
					e = q != NULL ? (size_t)(q - p) : j;
					buf_add(&c->field, p + k,
					    e - k + (e < j));
				}
				put_field(c, dst, nf, c->field.p,
				    c->field.len, 1);
			}
			nf++;
			i = j + 1;
			if (i == n)
				break;
			if (p[i] != ',') {
				f->col = i;
				f->msg = "text after a closing quote";
				return -1;
			}
			i++;
			continue;
		}
		for (e = i; e < n && p[e] != ',' && p[e] != '"'; e++)
			continue;
		if (e < n && p[e] == '"') {
			f->col = e;
			f->msg = "'\"' in an unquoted field";
			return -1;
		}
		if (dst != NULL)
			put_field(c, dst, nf, p + i, e - i, 0);
		nf++;
		if (e == n)
			break;
		i = e + 1;
	}
	*nfp = nf;
	return 0;
}

/*
 * tsv_split -- the TSV fields of p[0..n), \t \n \r \\ decoded (any other
 * backslash is kept), each to put_field; their number in *nfp.
 */
static void
tsv_split(struct csv *c, const char *p, size_t n, struct buf *dst,
    size_t *nfp)
{
	const char *q;
	size_t nf, i, e, k;
	int ch;

	nf = 0;
	for (i = 0;; i = e + 1) {
		q = memchr(p + i, '\t', n - i);
		e = q != NULL ? (size_t)(q - p) : n;
		if (memchr(p + i, '\\', e - i) == NULL)
			put_field(c, dst, nf, p + i, e - i, 0);
		else {
			buf_reset(&c->field);
			for (k = i; k < e; k++) {
				ch = k + 1 < e && p[k] == '\\' ? p[k + 1] : 0;
				ch = ch == 't' ? '\t' : ch == 'n' ? '\n' :
				    ch == 'r' ? '\r' : ch == '\\' ? '\\' : 0;
				if (ch != 0)
					k++;
				buf_addc(&c->field, ch != 0 ? ch : p[k]);
			}
			put_field(c, dst, nf, c->field.p, c->field.len, 0);
		}
		nf++;
		if (e == n)
			break;
	}
	*nfp = nf;
}

/*
 * put_field -- field nf of a row.  While the header is read (ncol == 0)
 * its text is appended to dst (c->names) and its offset kept in off[nf];
 * otherwise ",name:value" is appended to dst, the value a string if the
 * field was quoted, else typed.  Fields past ncol are dropped (the row is
 * bad anyway).
 */
static void
put_field(struct csv *c, struct buf *dst, size_t nf, const char *p,
    size_t len, int quoted)
{
	size_t klen;
	char *d;

	if (c->ncol == 0) {
		need_off(c, nf + 2);
		c->off[nf] = dst->len;
		buf_add(dst, p, len);
		return;
	}
	if (nf >= c->ncol)
		return;
	klen = c->off[nf + 1] - c->off[nf];
	buf_grow(dst, klen + 2);		/* the one check for ",key:" */
	d = dst->p + dst->len;
	if (nf > 0)
		*d++ = ',';
	memcpy(d, c->names.p + c->off[nf], klen);
	d += klen;
	*d++ = ':';
	*d = '\0';
	dst->len = (size_t)(d - dst->p);
	if (quoted)
		json_put_string(dst, p, len);
	else
		infer_put(dst, p, len);
}

static void
need_off(struct csv *c, size_t n)
{
	size_t cap;

	if (n <= c->capcol)
		return;
	cap = c->capcol < 16 ? 16 : c->capcol;
	while (cap < n)
		cap *= 2;
	c->off = xreallocarray(c->off, cap, sizeof(*c->off));
	c->capcol = cap;
}

/*
 * finish_header -- turn the nf raw names in c->names (at off[]) into their
 * JSON spellings, named and renamed as the top says, and make them the
 * columns.  The table of names is the one allocation, freed here.
 */
static void
finish_header(struct csv *c, size_t nf)
{
	struct slot *tab, *s, *first;
	struct buf tmp;
	size_t cap, i, a, b, start, len, k;
	char num[24];

	need_off(c, nf + 1);
	c->off[nf] = c->names.len;
	for (cap = 16; cap < 2 * nf; cap *= 2)
		continue;
	tab = xcalloc(cap, sizeof(*tab));
	buf_reset(&c->field);
	for (i = 0; i < nf; i++) {
		a = c->off[i];
		b = c->off[i + 1];
		start = c->off[i] = c->field.len;
		if (a == b) {
			snprintf(num, sizeof(num), "%zu", i + 1);
			json_put_string(&c->field, num, strlen(num));
		} else
			json_put_string(&c->field, c->names.p + a, b - a);
		s = find(tab, cap, c, start);
		if (s->idx != 0) {
			first = s;
			len = c->field.len - start;
			for (k = first->next < 2 ? 2 : first->next;; k++) {
				c->field.len = start + len - 1;
				buf_printf(&c->field, "_%zu\"", k);
				s = find(tab, cap, c, start);
				if (s->idx == 0)
					break;
			}
			first->next = k + 1;
		}
		s->idx = i + 1;
	}
	c->off[nf] = c->field.len;
	free(tab);
	tmp = c->names;
	c->names = c->field;
	c->field = tmp;
	buf_reset(&c->field);
	c->ncol = nf;
}

/*
 * find -- the slot of the name c->field.p[start..len), among the names
 * already placed (0 .. the one ending at start), or the empty slot for it
 */
static struct slot *
find(struct slot *tab, size_t cap, const struct csv *c, size_t start)
{
	const unsigned char *p;
	uint64_t h;
	size_t i, len, j;

	p = (const unsigned char *)c->field.p + start;
	len = c->field.len - start;
	h = 14695981039346656037ULL;
	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	for (i = (size_t)h & (cap - 1); tab[i].idx != 0;
	    i = (i + 1) & (cap - 1)) {
		j = tab[i].idx - 1;
		if (c->off[j + 1] - c->off[j] == len &&
		    memcmp(c->field.p + c->off[j], p, len) == 0)
			return &tab[i];
	}
	return &tab[i];
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
