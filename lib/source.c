/*
 * source -- one input, record by record, in one format; see source.h.
 * NDJSON, the hot path, hands out the line itself once it validates.
 * Line-based formats read lines; --format json reads the raw bytes, since
 * one value may span lines and one line may hold a gigabyte of array.
 */
#include <string.h>

#include "logfmt.h"
#include "source.h"

static enum source_rc	bad(struct source *, struct source_item *,
			    const char *, size_t, uint64_t);
static enum source_rc	next_ndjson(struct source *, struct source_item *);
static enum source_rc	next_json(struct source *, struct source_item *);
static enum source_rc	next_line(struct source *, struct source_item *);
static enum source_rc	json_value(struct source *, struct source_item *);

static const char *const formats[] = {
	[FORMAT_NDJSON] = "ndjson", [FORMAT_JSON] = "json",
	[FORMAT_LINES] = "lines", [FORMAT_LOGFMT] = "logfmt",
	[FORMAT_CSV] = "csv", [FORMAT_TSV] = "tsv"
};

int
format_parse(const char *s, enum format *f)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(s, formats[i]) == 0) {
			*f = (enum format)i;
			return 0;
		}
	return -1;
}

void
source_open(struct source *s, int fd, const char *name, enum format format,
    size_t max, const char *header)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->format = format;
	s->header = header;
	line_open(&s->r, fd, max);
	source_restart(s);
}

void
source_restart(struct source *s)
{
	line_restart(&s->r);
	s->ended = 0;
	if (s->format == FORMAT_CSV || s->format == FORMAT_TSV) {
		csv_free(&s->csv);
		csv_init(&s->csv, s->format == FORMAT_TSV);
		if (s->header != NULL)
			(void)csv_header(&s->csv, s->header, &s->why);
		s->r.keepblank = 1;	/* a quoted field may hold one */
	}
	if (s->format == FORMAT_JSON) {
		jstream_free(&s->js);
		jstream_init(&s->js, s->r.max);
	}
}

void
source_close(struct source *s)
{
	line_close(&s->r);
	csv_free(&s->csv);
	jstream_free(&s->js);
	buf_free(&s->rec);
	buf_free(&s->why);
}

/* bad -- item is bad input: raw text, its first line, and s->why */
static enum source_rc
bad(struct source *s, struct source_item *it, const char *raw, size_t len,
    uint64_t no)
{
	it->ln.p = raw;
	it->ln.len = len;
	it->ln.no = no;
	it->ln.toolong = 0;
	it->why = s->why.p;
	return SOURCE_BAD;
}

enum source_rc
source_next(struct source *s, struct source_item *it)
{
	if (s->ended)
		return SOURCE_END;
	buf_reset(&s->why);
	switch (s->format) {
	case FORMAT_NDJSON:
		return next_ndjson(s, it);
	case FORMAT_JSON:
		return next_json(s, it);
	default:
		return next_line(s, it);
	}
}

/* line_rc -- what line_next's result means for a source */
static enum source_rc
line_rc(struct source *s, int n)
{
	if (n == LINE_DRY)
		return SOURCE_DRY;
	if (n == -1)
		return SOURCE_ERROR;
	s->ended = 1;
	return SOURCE_END;
}

static enum source_rc
next_ndjson(struct source *s, struct source_item *it)
{
	struct json_error jerr;
	int n;

	if ((n = line_next(&s->r, &it->ln)) != 1)
		return line_rc(s, n);
	if (it->ln.toolong) {
		buf_printf(&s->why, "line longer than --max-line (%zu bytes)",
		    s->r.max);
		return bad(s, it, it->ln.p, it->ln.len, it->ln.no);
	}
	if (json_validate_want(it->ln.p, it->ln.len, &it->rec, &jerr,
	    s->want, s->found) == -1) {
		buf_printf(&s->why, "invalid JSON at column %zu: %s",
		    jerr.col, jerr.what[0] != '\0' ? jerr.what : jerr.msg);
		return bad(s, it, it->ln.p, it->ln.len, it->ln.no);
	}
	return SOURCE_RECORD;
}

/*
 * next_line -- the line formats: each line, or for CSV the lines of one
 * row, becomes one object built in s->rec.
 */
static enum source_rc
next_line(struct source *s, struct source_item *it)
{
	struct line *ln = &it->ln;
	int n;

	for (;;) {
		if ((n = line_next(&s->r, ln)) != 1) {
			if (n != 0 || s->r.stopped || (s->format != FORMAT_CSV &&
			    s->format != FORMAT_TSV))
				return line_rc(s, n);
			if (csv_end(&s->csv, &s->why) != CSV_BAD)
				return line_rc(s, n);
			return bad(s, it, s->csv.raw, s->csv.rawlen,
			    s->r.lineno - s->csv.lines + 1);
		}
		if (ln->toolong) {
			buf_printf(&s->why, "line longer than --max-line "
			    "(%zu bytes)", s->r.max);
			return bad(s, it, ln->p, ln->len, ln->no);
		}
		buf_reset(&s->rec);
		switch (s->format) {
		case FORMAT_LINES:
			if (!json_valid_utf8(ln->p, ln->len)) {
				buf_adds(&s->why, "invalid UTF-8");
				return bad(s, it, ln->p, ln->len, ln->no);
			}
			buf_adds(&s->rec, "{\"line\":");
			json_put_string(&s->rec, ln->p, ln->len);
			buf_addc(&s->rec, '}');
			break;
		case FORMAT_LOGFMT:
			if (logfmt_record(ln->p, ln->len, &s->rec, &s->why) ==
			    -1)
				return bad(s, it, ln->p, ln->len, ln->no);
			break;
		default:
			switch (csv_line(&s->csv, ln->p, ln->len, &s->rec,
			    &s->why)) {
			case CSV_RECORD:
				break;
			case CSV_BAD:
				return bad(s, it, s->csv.raw, s->csv.rawlen,
				    ln->no - s->csv.lines + 1);
			default:	/* header, blank or an open quote */
				continue;
			}
			ln->p = s->csv.raw;
			ln->len = s->csv.rawlen;
			ln->no -= s->csv.lines - 1;
		}
		it->rec.p = s->rec.p;
		it->rec.len = s->rec.len;
		it->rec.type = JSON_OBJECT;
		return SOURCE_RECORD;
	}
}

/*
 * next_json -- feed the raw bytes to the splitter until one value (or
 * fault) comes out; the bytes after it stay in the reader.
 */
static enum source_rc
next_json(struct source *s, struct source_item *it)
{
	enum jstream_ev ev;
	const char *p;
	size_t n;
	int rc;

	for (;;) {
		if ((rc = line_peek(&s->r, &p, &n)) == 1) {
			line_skip(&s->r, jstream_scan(&s->js, p, n, &ev));
		} else if (rc == 0) {
			if (s->r.stopped && !s->r.eof)
				return line_rc(s, rc);	/* cut short */
			if ((ev = jstream_end(&s->js)) == JSTREAM_NEED)
				return line_rc(s, rc);
		} else {
			return line_rc(s, rc);
		}
		if (ev == JSTREAM_VALUE)
			return json_value(s, it);
		if (ev == JSTREAM_BAD) {
			buf_adds(&s->why, s->js.why);
			return bad(s, it, s->js.val.p != NULL ? s->js.val.p :
			    "", s->js.val.len, s->js.vline);
		}
	}
}

/* json_value -- validate one value found by the splitter and compact it */
static enum source_rc
json_value(struct source *s, struct source_item *it)
{
	struct json_error jerr;
	struct json_span v;
	const char *p = s->js.val.p, *nl;
	uint64_t line = 0;
	size_t col;

	if (json_validate(p, s->js.val.len, &v, &jerr) == 0) {
		buf_reset(&s->rec);
		json_compact(v, &s->rec);
		it->rec.p = s->rec.p;
		it->rec.len = s->rec.len;
		it->rec.type = v.type;
		it->ln.p = p;
		it->ln.len = s->js.val.len;
		it->ln.no = s->js.vline;
		return SOURCE_RECORD;
	}
	jstream_resync(&s->js);
	col = jerr.col;		/* in the value; say where in its lines */
	while ((nl = memchr(p, '\n', col - 1)) != NULL) {
		col -= (size_t)(nl + 1 - p);
		p = nl + 1;
		line++;
	}
	if (line > 0)
		buf_printf(&s->why, "invalid JSON at line %llu column %zu: "
		    "%s", (unsigned long long)(s->js.vline + line), col,
		    jerr.what[0] != '\0' ? jerr.what : jerr.msg);
	else
		buf_printf(&s->why, "invalid JSON at column %zu: %s", col,
		    jerr.what[0] != '\0' ? jerr.what : jerr.msg);
	return bad(s, it, s->js.val.p, s->js.val.len, s->js.vline);
}
