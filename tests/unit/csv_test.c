/*
 * csv_test -- unit tests for lib/csv.c (cmocka).  feed() runs a text
 * through csv_line one line at a time, as the reader would (newline and
 * a trailing '\r' gone, blank lines included), then csv_end, and logs
 * each result on a line of its own: the object for CSV_RECORD, "H" for
 * CSV_HEADER, "-" for CSV_SKIP, "+" for CSV_MORE and "!why" for
 * CSV_BAD.  On the way it checks every object with json_validate, that
 * out only grows by the object, and that raw and lines give back the
 * row's lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "csv.h"
#include "infer.h"
#include "json.h"

#define CSV	0
#define TSV	1

static void	check_raw(const struct csv *, const char *, const char *,
		    unsigned);
static void	check(int, const char *, const char *, const char *);
static const char *feed(int, const char *, const char *);

static struct buf	logbuf = BUF_INIT;

/* check_raw -- raw is text[start, end) and spans the given lines */
static void
check_raw(const struct csv *c, const char *start, const char *end,
    unsigned lines)
{
	assert_int_equal(c->rawlen, (size_t)(end - start));
	assert_memory_equal(c->raw, start, c->rawlen);
	assert_int_equal(c->lines, lines);
}

static const char *
feed(int tsv, const char *hdr, const char *text)
{
	struct csv c;
	struct buf out = BUF_INIT, why = BUF_INIT;
	struct json_span v;
	struct json_error e;
	const char *p, *end, *nl, *row;
	size_t before;
	unsigned lines;
	enum csv_rc rc;

	csv_init(&c, tsv);
	buf_reset(&logbuf);
	if (hdr != NULL && csv_header(&c, hdr, &why) != 0)
		fail_msg("--header %s: %s", hdr, why.p);
	buf_adds(&out, "prefix");
	p = row = text;
	end = text + strlen(text);
	lines = 0;
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		buf_reset(&why);
		before = out.len;
		rc = csv_line(&c, p, (size_t)(nl - p), &out, &why);
		lines++;
		if (rc != CSV_RECORD)
			assert_int_equal(out.len, before);
		if (rc != CSV_BAD)
			assert_int_equal(why.len, 0);
		switch (rc) {
		case CSV_RECORD:
			if (json_validate(out.p + before, out.len - before,
			    &v, &e) != 0)
				fail_msg("%s: column %zu: %s", out.p + before,
				    e.col, e.msg);
			assert_int_equal(v.type, JSON_OBJECT);
			buf_add(&logbuf, out.p + before, out.len - before);
			break;
		case CSV_HEADER:
			buf_adds(&logbuf, "H");
			break;
		case CSV_SKIP:
			buf_adds(&logbuf, "-");
			break;
		case CSV_MORE:
			buf_adds(&logbuf, "+");
			break;
		case CSV_BAD:
			buf_printf(&logbuf, "!%s", why.p);
			break;
		}
		buf_addc(&logbuf, '\n');
		if (rc == CSV_RECORD || rc == CSV_HEADER || rc == CSV_BAD)
			check_raw(&c, row, nl, lines);
		if (rc != CSV_MORE) {
			row = nl + 1;
			lines = 0;
		}
		p = nl + 1;
	}
	assert_memory_equal(out.p, "prefix", 6);
	buf_reset(&why);
	if (csv_end(&c, &why) == CSV_BAD) {
		buf_printf(&logbuf, "!%s\n", why.p);
		check_raw(&c, row, end > text && end[-1] == '\n' ? end - 1 :
		    end, lines);
	} else
		assert_int_equal(why.len, 0);
	assert_int_equal(csv_end(&c, &why), CSV_SKIP);
	csv_free(&c);
	csv_free(&c);
	buf_free(&out);
	buf_free(&why);
	return logbuf.p != NULL ? logbuf.p : "";
}

static void
check(int tsv, const char *hdr, const char *text, const char *want)
{
	assert_string_equal(feed(tsv, hdr, text), want);
}

static void
test_basic(void **state)
{
	(void)state;
	check(CSV, NULL, "a,b,c\n1,x,true\n-2.5,,false\n",
	    "H\n"
	    "{\"a\":1,\"b\":\"x\",\"c\":true}\n"
	    "{\"a\":-2.5,\"b\":\"\",\"c\":false}\n");
	/* no final newline; a one-column file */
	check(CSV, NULL, "n\n1\n2", "H\n{\"n\":1}\n{\"n\":2}\n");
	check(CSV, NULL, "", "");
	check(CSV, NULL, "a,b\n", "H\n");
}

static void
test_typing(void **state)
{
	(void)state;
	check(CSV, NULL,
	    "a,b,c,d,e,f,g,h,i,j\n"
	    "007,-0,1e5,1E+2,1.,.5,+1,True,9007199254740993,null\n",
	    "H\n{\"a\":\"007\",\"b\":-0,\"c\":1e5,\"d\":1E+2,\"e\":\"1.\","
	    "\"f\":\".5\",\"g\":\"+1\",\"h\":\"True\","
	    "\"i\":9007199254740993,\"j\":\"null\"}\n");
	/* quoted fields stay strings */
	check(CSV, NULL, "a,b,c\n\"1\",\"true\",\"\"\n",
	    "H\n{\"a\":\"1\",\"b\":\"true\",\"c\":\"\"}\n");
	/* spaces are kept and make a string */
	check(CSV, NULL, "a,b\n 1, x \n", "H\n{\"a\":\" 1\",\"b\":\" x \"}\n");
}

static void
test_quoting(void **state)
{
	(void)state;
	check(CSV, NULL,
	    "a,b\n"
	    "\"say \"\"hi\"\"\",\"x,y\"\n"
	    "\"\"\"\",\"\"\"\"\"\"\n"
	    "\"\",\"a\"\"\"\n",
	    "H\n"
	    "{\"a\":\"say \\\"hi\\\"\",\"b\":\"x,y\"}\n"
	    "{\"a\":\"\\\"\",\"b\":\"\\\"\\\"\"}\n"
	    "{\"a\":\"\",\"b\":\"a\\\"\"}\n");
	/* control characters and backslashes are escaped */
	check(CSV, NULL, "a,b\n\"\t\\\",x\x01y\x7f\n",
	    "H\n{\"a\":\"\\t\\\\\",\"b\":\"x\\u0001y\\u007f\"}\n");
	check(CSV, NULL, "a,b\n\xc3\xa9,\"\xe2\x82\xac\"\n",
	    "H\n{\"a\":\"\xc3\xa9\",\"b\":\"\xe2\x82\xac\"}\n");
}

static void
test_empty_fields(void **state)
{
	(void)state;
	check(CSV, NULL, "a,b,c\n,,\n\"\",x,\n,\"\",\"\"\n",
	    "H\n"
	    "{\"a\":\"\",\"b\":\"\",\"c\":\"\"}\n"
	    "{\"a\":\"\",\"b\":\"x\",\"c\":\"\"}\n"
	    "{\"a\":\"\",\"b\":\"\",\"c\":\"\"}\n");
}

static void
test_multiline(void **state)
{
	(void)state;
	/* two lines */
	check(CSV, NULL, "a,b\n\"line1\nline2\",x\n1,2\n",
	    "H\n+\n{\"a\":\"line1\\nline2\",\"b\":\"x\"}\n{\"a\":1,\"b\":2}\n");
	/* three lines, the middle one blank, the quote closing at once */
	check(CSV, NULL, "a,b\nx,\"p\n\n\"\n",
	    "H\n+\n+\n{\"a\":\"x\",\"b\":\"p\\n\\n\"}\n");
	/* a field closes and the next one opens on the same line */
	check(CSV, NULL, "a,b,c\n\"1\n2\",\"3\n4\",5\n",
	    "H\n+\n+\n{\"a\":\"1\\n2\",\"b\":\"3\\n4\",\"c\":5}\n");
	/* "" and commas on continued lines; spaces-only line inside */
	check(CSV, NULL, "a,b\n\"x\n  \n\"\"y\"\",z\",w\n",
	    "H\n+\n+\n{\"a\":\"x\\n  \\n\\\"y\\\",z\",\"b\":\"w\"}\n");
	/* a row of many lines */
	check(CSV, NULL, "a\n\"\n\n\n\n\n\"\n",
	    "H\n+\n+\n+\n+\n+\n{\"a\":\"\\n\\n\\n\\n\\n\"}\n");
	/* the header itself may span lines */
	check(CSV, NULL, "\"a\nb\",c\n1,2\n",
	    "+\nH\n{\"a\\nb\":1,\"c\":2}\n");
	/* a quote at the very end of a continued line closes the field */
	check(CSV, NULL, "a\n\"x\n\"\n", "H\n+\n{\"a\":\"x\\n\"}\n");
}

static void
test_crlf(void **state)
{
	(void)state;
	/* the reader drops each '\r': only '\n' joins continued lines */
	check(CSV, NULL, "a,b\n\"x\ny\",2\n",
	    "H\n+\n{\"a\":\"x\\ny\",\"b\":2}\n");
	/* a '\r' that is not at a line end is data */
	check(CSV, NULL, "a,b\nx\ry,\"p\rq\"\n",
	    "H\n{\"a\":\"x\\ry\",\"b\":\"p\\rq\"}\n");
}

static void
test_quote_faults(void **state)
{
	(void)state;
	check(CSV, NULL, "a,b\nx\"y,1\nx,1\n",
	    "H\n!at column 2: '\"' in an unquoted field\n"
	    "{\"a\":\"x\",\"b\":1}\n");
	check(CSV, NULL, "a,b\n\"x\"y,1\n",
	    "H\n!at column 4: text after a closing quote\n");
	check(CSV, NULL, "a,b\n \"x\",1\n",
	    "H\n!at column 2: '\"' in an unquoted field\n");
	check(CSV, NULL, "a,b\n1,\"x\" \n",
	    "H\n!at column 6: text after a closing quote\n");
	check(CSV, NULL, "a,b\n1,x\"\n",
	    "H\n!at column 4: '\"' in an unquoted field\n");
	/* a fault on a continued line: the column counts from the row's
	 * start; the row ends with that line and reading goes on */
	check(CSV, NULL, "a,b\n\"a\nb\"x,y\n1,2\n",
	    "H\n+\n!at column 6: text after a closing quote\n"
	    "{\"a\":1,\"b\":2}\n");
	check(CSV, NULL, "a,b\n\"a\nb\",c\"d\n1,2\n",
	    "H\n+\n!at column 8: '\"' in an unquoted field\n"
	    "{\"a\":1,\"b\":2}\n");
	/* a fault before an open quote ends the row on its line */
	check(CSV, NULL, "a,b\nx\"y,\"open\n1,2\n",
	    "H\n!at column 2: '\"' in an unquoted field\n{\"a\":1,\"b\":2}\n");
	/* a header row with a fault is bad; the next row is the header */
	check(CSV, NULL, "a\"b,c\nx,y\n1,2\n",
	    "!at column 2: '\"' in an unquoted field\nH\n{\"x\":1,\"y\":2}\n");
}

static void
test_unterminated(void **state)
{
	(void)state;
	check(CSV, NULL, "a,b\n\"abc",
	    "H\n+\n!at column 1: unterminated quoted field\n");
	check(CSV, NULL, "a,b\nx,\"ab\ncd\n",
	    "H\n+\n+\n!at column 3: unterminated quoted field\n");
	check(CSV, NULL, "a,b\n\"1\n2\",\"3\n4\n",
	    "H\n+\n+\n+\n!at column 7: unterminated quoted field\n");
	/* an unterminated header */
	check(CSV, NULL, "\"a,b\nc\n",
	    "+\n+\n!at column 1: unterminated quoted field\n");
	/* a lone quote */
	check(CSV, NULL, "a\n\"\n",
	    "H\n+\n!at column 1: unterminated quoted field\n");
}

static void
test_arity(void **state)
{
	(void)state;
	check(CSV, NULL, "a,b,c,d\n1,2,3\n1,2,3,4,5\n1\n,,,\n",
	    "H\n"
	    "!3 fields, the header has 4\n"
	    "!5 fields, the header has 4\n"
	    "!1 field, the header has 4\n"
	    "{\"a\":\"\",\"b\":\"\",\"c\":\"\",\"d\":\"\"}\n");
	check(CSV, NULL, "a\n1,2\n", "H\n!2 fields, the header has 1\n");
	/* arity is checked once a row spanning lines is complete */
	check(CSV, NULL, "a,b\n\"1\n2\"\n",
	    "H\n+\n!1 field, the header has 2\n");
	/* a quote fault after the last column is still found */
	check(CSV, NULL, "a\n1,x\"\n",
	    "H\n!at column 4: '\"' in an unquoted field\n");
}

static void
test_header_names(void **state)
{
	(void)state;
	check(CSV, NULL, "a,a,b,a\n1,2,3,4\n",
	    "H\n{\"a\":1,\"a_2\":2,\"b\":3,\"a_3\":4}\n");
	check(CSV, NULL, "a,a,a_2\n1,2,3\n",
	    "H\n{\"a\":1,\"a_2\":2,\"a_2_2\":3}\n");
	check(CSV, NULL, "a_2,a,a\n1,2,3\n",
	    "H\n{\"a_2\":1,\"a\":2,\"a_3\":3}\n");
	/* empty names are named by their position */
	check(CSV, NULL, "a,,c,\"\"\n1,2,3,4\n",
	    "H\n{\"a\":1,\"2\":2,\"c\":3,\"4\":4}\n");
	check(CSV, NULL, ",,\n1,2,3\n", "H\n{\"1\":1,\"2\":2,\"3\":3}\n");
	check(CSV, NULL, "2,,x\n1,2,3\n", "H\n{\"2\":1,\"2_2\":2,\"x\":3}\n");
	/* names are not typed; they are escaped once, as json_put_string */
	check(CSV, NULL, "1,true,\"a\"\"b\",\"c,d\",\"e\tf\",\\\n1,2,3,4,5,6\n",
	    "H\n{\"1\":1,\"true\":2,\"a\\\"b\":3,\"c,d\":4,\"e\\tf\":5,"
	    "\"\\\\\":6}\n");
	/* names are compared as text: "a" and a are the same */
	check(CSV, NULL, "a,\"a\"\n1,2\n", "H\n{\"a\":1,\"a_2\":2}\n");
}

static void
test_many_columns(void **state)
{
	struct buf text = BUF_INIT, want = BUF_INIT;
	int i;

	(void)state;
	/* 1000 columns named x: x, x_2 ... x_1000 */
	for (i = 0; i < 1000; i++)
		buf_adds(&text, i > 0 ? ",x" : "x");
	buf_addc(&text, '\n');
	for (i = 0; i < 1000; i++)
		buf_printf(&text, "%s%d", i > 0 ? "," : "", i);
	buf_adds(&want, "H\n{\"x\":0");
	for (i = 1; i < 1000; i++)
		buf_printf(&want, ",\"x_%d\":%d", i + 1, i);
	buf_adds(&want, "}\n");
	check(CSV, NULL, text.p, want.p);
	buf_free(&text);
	buf_free(&want);
}

static void
test_given_header(void **state)
{
	struct csv c;
	struct buf why = BUF_INIT;

	(void)state;
	check(CSV, "a,b,c", "1,2,3\nx,y,z\n",
	    "{\"a\":1,\"b\":2,\"c\":3}\n"
	    "{\"a\":\"x\",\"b\":\"y\",\"c\":\"z\"}\n");
	check(CSV, "a,a,,\"x,y\"", "1,2,3,4\n",
	    "{\"a\":1,\"a_2\":2,\"3\":3,\"x,y\":4}\n");
	check(CSV, "a,b", "\n1,2\n\n", "-\n{\"a\":1,\"b\":2}\n-\n");
	check(TSV, "a\tb", "1\t2\n", "{\"a\":1,\"b\":2}\n");
	check(CSV, "a\tb", "1\n", "{\"a\\tb\":1}\n");
	check(CSV, "", "x\n", "{\"1\":\"x\"}\n");

	csv_init(&c, 0);
	assert_int_equal(csv_header(&c, "a\"b", &why), -1);
	assert_string_equal(why.p, "at column 2: '\"' in an unquoted field");
	buf_reset(&why);
	assert_int_equal(csv_header(&c, "a,\"b", &why), -1);
	assert_string_equal(why.p, "at column 3: unterminated quoted field");
	buf_reset(&why);
	assert_int_equal(csv_header(&c, "a,\xff", &why), -1);
	assert_string_equal(why.p, "at column 3: invalid UTF-8");
	/* after a refused --header, the first row is the header */
	assert_int_equal(c.ncol, 0);
	buf_reset(&why);
	assert_int_equal(csv_header(&c, "p,q", &why), 0);
	assert_int_equal(c.ncol, 2);
	csv_free(&c);
	buf_free(&why);
}

static void
test_blank_lines(void **state)
{
	(void)state;
	check(CSV, NULL, "\n  \n\t\na,b\n\n1,2\n \t \n3,4\n\n",
	    "-\n-\n-\nH\n-\n{\"a\":1,\"b\":2}\n-\n{\"a\":3,\"b\":4}\n-\n");
	/* inside a quoted field a blank line is an empty line of it */
	check(CSV, NULL, "a\n\"\n\n\"\n", "H\n+\n+\n{\"a\":\"\\n\\n\"}\n");
	/* a one-column file: a quoted empty field is not blank */
	check(CSV, NULL, "a\n\"\"\n\n", "H\n{\"a\":\"\"}\n-\n");
}

static void
test_utf8(void **state)
{
	(void)state;
	check(CSV, NULL, "a,b\nx,\xff\n1,2\n",
	    "H\n!at column 3: invalid UTF-8\n{\"a\":1,\"b\":2}\n");
	check(CSV, NULL, "a,b\n\"x\n\xc3\",1\n",
	    "H\n+\n!at column 4: invalid UTF-8\n");
	check(CSV, NULL, "a,\xe9\n1,2\n",
	    "!at column 3: invalid UTF-8\nH\n");
	check(TSV, NULL, "a\tb\n\xed\xa0\x80\t1\n",
	    "H\n!at column 1: invalid UTF-8\n");
}

static void
test_tsv(void **state)
{
	(void)state;
	check(TSV, NULL, "a\tb\tc\n1\tx y\ttrue\n",
	    "H\n{\"a\":1,\"b\":\"x y\",\"c\":true}\n");
	/* \t \n \r \\ decode; other backslashes are kept */
	check(TSV, NULL, "a\tb\tc\td\n\\t\\n\\r\\\\\t\\x\\\t\\\\t\t\\\\\\n\n",
	    "H\n{\"a\":\"\\t\\n\\r\\\\\",\"b\":\"\\\\x\\\\\",\"c\":\"\\\\t\","
	    "\"d\":\"\\\\\\n\"}\n");
	/* no quoting: '"' is data, and typing applies to the text */
	check(TSV, NULL, "a\tb\tc\n\"1\"\t\"x,y\"\t12\n",
	    "H\n{\"a\":\"\\\"1\\\"\",\"b\":\"\\\"x,y\\\"\",\"c\":12}\n");
	/* a decoded field is typed too: "1\\t" is not a number */
	check(TSV, NULL, "a\tb\n\\\\\t1\\t\n",
	    "H\n{\"a\":\"\\\\\",\"b\":\"1\\t\"}\n");
	/* a line of tabs is a row of empty fields; spaces are blank */
	check(TSV, NULL, "a\tb\tc\n\t\t\n   \n\n",
	    "H\n{\"a\":\"\",\"b\":\"\",\"c\":\"\"}\n-\n-\n");
	check(TSV, NULL, "a\tb\n1\n1\t2\t3\n",
	    "H\n!1 field, the header has 2\n!3 fields, the header has 2\n");
	/* header names decode, dedupe and number like CSV's */
	check(TSV, NULL, "a\\tb\ta\\tb\t\tx,y\n1\t2\t3\t4\n",
	    "H\n{\"a\\tb\":1,\"a\\tb_2\":2,\"3\":3,\"x,y\":4}\n");
}

/*
 * random rows of awkward fields, written as RFC 4180 says (quoted when
 * they must be, and sometimes when they need not), read back exactly
 */
static void
test_roundtrip(void **state)
{
	static const char *const bits[] = {
		"a", "1", "0", "-", ".", "e", ",", "\"", "\n", " ", "\t",
		"\\", "\xc3\xa9", "true", "12", "\n\n",
	};
	struct buf text = BUF_INIT, want = BUF_INIT, obj = BUF_INIT;
	struct buf field = BUF_INIT;
	uint64_t x = 88172645463325252ULL;
	size_t nb = sizeof(bits) / sizeof(bits[0]), k;
	int row, col, len, quote, more;

	(void)state;
	buf_adds(&text, "c1,c2,c3\n");
	buf_adds(&want, "H\n");
	for (row = 0; row < 5000; row++) {
		buf_reset(&obj);
		more = 0;
		for (col = 0; col < 3; col++) {
			buf_reset(&field);
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			len = (int)(x % 5);
			while (len-- > 0) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				buf_adds(&field, bits[x % nb]);
			}
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			quote = x % 4 == 0 || (field.len > 0 &&
			    strpbrk(field.p, ",\"\n") != NULL);
			buf_printf(&obj, "%s\"c%d\":", col > 0 ? "," : "{",
			    col + 1);
			if (col > 0)
				buf_addc(&text, ',');
			if (!quote) {
				infer_put(&obj, field.p, field.len);
				buf_add(&text, field.p, field.len);
				continue;
			}
			json_put_string(&obj, field.p, field.len);
			buf_addc(&text, '"');
			for (k = 0; k < field.len; k++) {
				if (field.p[k] == '"')
					buf_addc(&text, '"');
				more += field.p[k] == '\n';
				buf_addc(&text, field.p[k]);
			}
			buf_addc(&text, '"');
		}
		buf_addc(&text, '\n');
		while (more-- > 0)
			buf_adds(&want, "+\n");
		buf_add(&want, obj.p, obj.len);
		buf_adds(&want, "}\n");
	}
	check(CSV, NULL, text.p, want.p);
	buf_free(&text);
	buf_free(&want);
	buf_free(&obj);
	buf_free(&field);
}

/* the struct is reusable, and its buffers survive from row to row */
static void
test_reuse(void **state)
{
	struct csv c;
	struct buf out = BUF_INIT, why = BUF_INIT, line = BUF_INIT;
	int i;

	(void)state;
	csv_init(&c, 0);
	assert_int_equal(csv_line(&c, "k,v", 3, &out, &why), CSV_HEADER);
	for (i = 0; i < 10000; i++) {
		buf_reset(&out);
		buf_reset(&line);
		buf_printf(&line, "%d,\"v%d", i, i);
		assert_int_equal(csv_line(&c, line.p, line.len, &out, &why),
		    CSV_MORE);
		assert_int_equal(csv_line(&c, "\"\"\"", 3, &out, &why),
		    CSV_RECORD);
		buf_reset(&line);
		buf_printf(&line, "{\"k\":%d,\"v\":\"v%d\\n\\\"\"}", i, i);
		assert_string_equal(out.p, line.p);
		assert_int_equal(c.lines, 2);
	}
	assert_int_equal(why.len, 0);
	csv_free(&c);
	csv_free(&c);
	/* after csv_free the struct reads a new header */
	buf_reset(&out);
	assert_int_equal(csv_line(&c, "x", 1, &out, &why), CSV_HEADER);
	assert_int_equal(csv_line(&c, "1", 1, &out, &why), CSV_RECORD);
	assert_string_equal(out.p, "{\"x\":1}");
	csv_free(&c);
	buf_free(&out);
	buf_free(&why);
	buf_free(&line);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_typing),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_multiline),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_quote_faults),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_arity),
		cmocka_unit_test(test_header_names),
		cmocka_unit_test(test_many_columns),
		cmocka_unit_test(test_given_header),
		cmocka_unit_test(test_blank_lines),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_tsv),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_reuse),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	buf_free(&logbuf);
	return rc;
}
