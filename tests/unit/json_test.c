/*
 * json_test -- unit tests for lib/json.c.  The conformance test reads
 * $FIXTURES/json/{valid,invalid}/ (FIXTURES defaults to tests/fixtures):
 * one JSON text per file, with one trailing newline stripped.  Expected
 * jq wording and number layout were checked against jq 1.6.
 */
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "json.h"

#define PARSE(s, p)	json_path_parse((s), strlen(s), (p))

static struct json_span	span_of(const char *);
static struct json_span	span_ofn(const char *, size_t);
static char	*nested(const char *, const char *, const char *, size_t);
static void	expect_error(const char *, size_t, size_t, const char *,
		    const char *);
static void	expect_get(const char *, const char *, enum json_type,
		    const char *);
static void	expect_get_error(const char *, const char *, const char *);
static void	expect_want(const char *, const char *, size_t, enum json_type,
		    const char *);
static void	expect_get_from(const char *, const char *, int,
		    enum json_type, const char *);
static void	expect_number_text(double, const char *);
static void	expect_canon(const char *, const char *);
static size_t	utf8_text(char *, int, int, size_t, const char *, size_t);
static int	cmp_text(const char *, const char *);
static size_t	run_dir(const char *, int);

/* span_of -- the span of a text that must validate */
static struct json_span
span_of(const char *s)
{
	return span_ofn(s, strlen(s));
}

static struct json_span
span_ofn(const char *s, size_t n)
{
	struct json_span v;
	struct json_error e;

	if (json_validate(s, n, &v, &e) != 0)
		fail_msg("does not validate: %s (col %zu: %s)", s, e.col,
		    e.msg);
	return v;
}

/* nested -- open repeated depth times, then mid, then close depth times */
static char *
nested(const char *open, const char *mid, const char *close, size_t depth)
{
	size_t lo, lm, lc, i;
	char *s, *w;

	lo = strlen(open);
	lm = strlen(mid);
	lc = strlen(close);
	s = malloc(depth * (lo + lc) + lm + 1);
	assert_non_null(s);
	w = s;
	for (i = 0; i < depth; i++, w += lo)
		memcpy(w, open, lo);
	memcpy(w, mid, lm);
	w += lm;
	for (i = 0; i < depth; i++, w += lc)
		memcpy(w, close, lc);
	*w = '\0';
	return s;
}

static void
expect_error(const char *s, size_t n, size_t col, const char *msg,
    const char *what)
{
	struct json_span v;
	struct json_error e;

	if (json_validate(s, n, &v, &e) != -1)
		fail_msg("accepted: %.*s", (int)n, s);
	if (e.col != col || strcmp(e.msg, msg) != 0)
		fail_msg("%.*s: got col %zu \"%s\", want col %zu \"%s\"",
		    (int)n, s, e.col, e.msg, col, msg);
	assert_string_equal(e.what, what != NULL ? what : "");
}

/* expect_get -- path on text gives type and the value's text (or NULL) */
static void
expect_get(const char *text, const char *path, enum json_type type,
    const char *want)
{
	struct json_path p;
	struct json_span v;
	struct buf err = BUF_INIT;

	assert_int_equal(json_path_parse(path, strlen(path), &p), 0);
	if (json_get(span_of(text), &p, &v, &err) != 0)
		fail_msg("%s on %s: %s", path, text, err.p);
	if (v.type != type)
		fail_msg("%s on %s: type %d, want %d", path, text, v.type,
		    type);
	if (want != NULL) {
		assert_int_equal(v.len, strlen(want));
		assert_memory_equal(v.p, want, v.len);
	}
	buf_free(&err);
}

static void
expect_get_error(const char *text, const char *path, const char *want)
{
	struct json_path p;
	struct json_span v;
	struct buf err = BUF_INIT;

	assert_int_equal(json_path_parse(path, strlen(path), &p), 0);
	assert_int_equal(json_get(span_of(text), &p, &v, &err), -1);
	assert_string_equal(err.p, want);
	buf_free(&err);
}

/*
 * expect_want -- json_validate_want of text with the one key k (klen
 * bytes) accepts it as json_validate does and captures type and the
 * value's text (or NULL).
 */
static void
expect_want(const char *text, const char *k, size_t klen,
    enum json_type type, const char *want)
{
	struct json_want w;
	struct json_span v, v2, found[JSON_WANT_MAX];
	struct json_error e;

	w.n = 1;
	w.key[0] = k;
	w.keylen[0] = klen;
	v2 = span_of(text);
	if (json_validate_want(text, strlen(text), &v, &e, &w, found) != 0)
		fail_msg("does not validate: %s (col %zu: %s)", text, e.col,
		    e.msg);
	assert_ptr_equal(v.p, v2.p);
	assert_int_equal(v.len, v2.len);
	assert_int_equal(v.type, v2.type);
	if (found[0].type != type)
		fail_msg("%.*s on %s: type %d, want %d", (int)klen, k, text,
		    found[0].type, type);
	if (want != NULL) {
		assert_int_equal(found[0].len, strlen(want));
		assert_memory_equal(found[0].p, want, found[0].len);
	}
}

/* expect_get_from -- json_get_from of the value reached by step steps */
static void
expect_get_from(const char *text, const char *path, int step,
    enum json_type type, const char *want)
{
	struct json_path p, head;
	struct json_span v, mid;
	struct buf err = BUF_INIT;

	assert_int_equal(json_path_parse(path, strlen(path), &p), 0);
	head = p;
	head.n = step;
	assert_int_equal(json_get(span_of(text), &head, &mid, &err), 0);
	if (json_get_from(mid, &p, step, &v, &err) != 0)
		fail_msg("%s from %d on %s: %s", path, step, text, err.p);
	if (v.type != type)
		fail_msg("%s from %d on %s: type %d, want %d", path, step,
		    text, v.type, type);
	if (want != NULL) {
		assert_int_equal(v.len, strlen(want));
		assert_memory_equal(v.p, want, v.len);
	}
	buf_free(&err);
}

static void
expect_number_text(double d, const char *want)
{
	struct buf b = BUF_INIT;

	json_put_number(&b, d);
	assert_string_equal(b.p, want);
	buf_free(&b);
}

static void
expect_canon(const char *text, const char *want)
{
	struct buf b = BUF_INIT;

	json_canon(span_of(text), &b);
	assert_string_equal(b.p, want);
	buf_free(&b);
}

static int
cmp_text(const char *a, const char *b)
{
	return json_cmp(span_of(a), span_of(b));
}

/* ---- json_validate ---- */

static void
test_validate_valid(void **state)
{
	static const char *const ok[] = {
		"0", "-0", "1", "-1", "10", "1.5", "-1.5e10", "1E5", "1e+5",
		"1e-5", "0.0", "0e0", "123456789012345678901234567890",
		"\"\"", "\"a\"", "\"\\u0041\\ud800\\udc00\\ud800\"",
		"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "true", "false", "null",
		"[]", "{}", "[1]", "[1,2]", "{\"a\":1}", "{\"a\":{\"b\":[]}}",
		" [ 1 , { \"a\" : null } ] ", "\t\r\n1\t\r\n",
		"\"caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80\"", "\"\x7f\"",
		"\"0123456789abcdef0123456789abcdef\\n0123456789abcdef\"",
	};
	struct json_span v;
	struct json_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (json_validate(ok[i], strlen(ok[i]), &v, &e) != 0)
			fail_msg("rejected %s: col %zu %s %s", ok[i], e.col,
			    e.msg, e.what);
	/* NULL span and error are allowed */
	assert_int_equal(json_validate("[1]", 3, NULL, NULL), 0);
	assert_int_equal(json_validate("[1", 2, NULL, NULL), -1);
}

static void
test_validate_span(void **state)
{
	struct json_span v;
	struct json_error e;
	static const struct {
		const char	*text;
		const char	*value;
		enum json_type	 type;
	} t[] = {
		{ "  {\"a\": 1}  ", "{\"a\": 1}", JSON_OBJECT },
		{ "\t[ ]\r\n", "[ ]", JSON_ARRAY },
		{ " \"x\" ", "\"x\"", JSON_STRING },
		{ "-0.5e3 ", "-0.5e3", JSON_NUMBER },
		{ "7", "7", JSON_NUMBER },
		{ " true", "true", JSON_TRUE },
		{ "false ", "false", JSON_FALSE },
		{ "null", "null", JSON_NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(json_validate(t[i].text, strlen(t[i].text),
		    &v, &e), 0);
		assert_int_equal(v.type, t[i].type);
		assert_int_equal(v.len, strlen(t[i].value));
		assert_memory_equal(v.p, t[i].value, v.len);
	}
}

static void
test_validate_errors(void **state)
{
	(void)state;
	expect_error("", 0, 1, "unexpected end of input", NULL);
	expect_error("   ", 3, 4, "unexpected end of input", NULL);
	expect_error("{\"a\":x}", 7, 6, "unexpected character",
	    "unexpected 'x'");
	expect_error("01", 2, 1, "leading zero", NULL);
	expect_error("[-01]", 5, 3, "leading zero", NULL);
	expect_error("[1,", 3, 4, "unexpected end of input", NULL);
	expect_error("[1,]", 4, 4, "unexpected character", "unexpected ']'");
	expect_error("{\"a\":1,}", 8, 8, "unexpected character",
	    "unexpected '}'");
	expect_error("1 2", 3, 3, "unexpected data after the value", NULL);
	expect_error("{}{}", 4, 3, "unexpected data after the value", NULL);
	expect_error("\"a\tb\"", 5, 3, "control character in string",
	    "control character '\\x09' in string");
	expect_error("\"\xff\"", 3, 2, "invalid UTF-8",
	    "invalid UTF-8 byte '\\xFF'");
	expect_error("\"\xc0\xaf\"", 4, 2, "invalid UTF-8",
	    "invalid UTF-8 byte '\\xC0'");
	expect_error("\"ab\xed\xa0\x80\"", 7, 4, "invalid UTF-8",
	    "invalid UTF-8 byte '\\xED'");
	expect_error("\"\xf0\x9f\x98\"", 5, 2, "invalid UTF-8",
	    "invalid UTF-8 byte '\\xF0'");
	expect_error("\xc3\xa9", 2, 1, "unexpected character",
	    "unexpected '\xc3\xa9'");
	expect_error("\"\\x\"", 4, 2, "invalid escape", NULL);
	expect_error("\"\\u12g4\"", 8, 2, "invalid \\u escape", NULL);
	expect_error("\"\\u12", 5, 6, "unexpected end of input", NULL);
	expect_error("\"abc", 4, 5, "unexpected end of input", NULL);
	expect_error("'a'", 3, 1, "unexpected character", "unexpected '\\''");
	expect_error("NaN", 3, 1, "unexpected character", "unexpected 'N'");
	expect_error("+1", 2, 1, "unexpected character", "unexpected '+'");
	expect_error(".5", 2, 1, "unexpected character", "unexpected '.'");
	expect_error("1.", 2, 3, "unexpected end of input", NULL);
	expect_error("1.e3", 4, 3, "unexpected character", "unexpected 'e'");
	expect_error("1e", 2, 3, "unexpected end of input", NULL);
	expect_error("1e+x", 4, 4, "unexpected character", "unexpected 'x'");
	expect_error("-", 1, 2, "unexpected end of input", NULL);
	expect_error("tru", 3, 4, "unexpected end of input", NULL);
	expect_error("trUe", 4, 3, "unexpected character", "unexpected 'U'");
	expect_error("nul\x01", 4, 4, "unexpected character",
	    "unexpected '\\x01'");
	expect_error("\0", 1, 1, "unexpected character", "unexpected '\\x00'");
	expect_error("1\0", 2, 2, "unexpected data after the value", NULL);
	expect_error("\"a\0\"", 4, 3, "control character in string",
	    "control character '\\x00' in string");
	expect_error("]", 1, 1, "unexpected character", "unexpected ']'");
	expect_error("[}", 2, 2, "unexpected character", "unexpected '}'");
	expect_error("{\"a\" 1}", 7, 6, "unexpected character",
	    "unexpected '1'");
	expect_error("{\"a\":", 5, 6, "unexpected end of input", NULL);
	expect_error("{a:1}", 5, 2, "unexpected character", "unexpected 'a'");
	expect_error("[1 2]", 5, 4, "unexpected character", "unexpected '2'");
	expect_error("\\", 1, 1, "unexpected character", "unexpected '\\\\'");
}

static void
test_validate_depth(void **state)
{
	struct json_span v;
	struct json_error e;
	char *s;

	(void)state;
	s = nested("[", "", "]", JSON_MAX_DEPTH);
	assert_int_equal(json_validate(s, strlen(s), &v, &e), 0);
	assert_int_equal(v.len, 2 * JSON_MAX_DEPTH);
	free(s);
	s = nested("{\"a\":", "1", "}", JSON_MAX_DEPTH);
	assert_int_equal(json_validate(s, strlen(s), &v, &e), 0);
	free(s);
	s = nested("[", "", "]", JSON_MAX_DEPTH + 1);
	expect_error(s, strlen(s), JSON_MAX_DEPTH + 1, "nesting too deep",
	    NULL);
	free(s);
	/* 200000 deep: rejected, without recursion */
	s = nested("[{\"k\":", "0", "}]", 100000);
	assert_int_equal(json_validate(s, strlen(s), &v, &e), -1);
	assert_string_equal(e.msg, "nesting too deep");
	free(s);
	s = nested("[", "", "", 200000);
	assert_int_equal(json_validate(s, strlen(s), &v, &e), -1);
	free(s);
}

/* Every prefix of a valid text but the whole is rejected, safely */
static void
test_validate_prefixes(void **state)
{
	static const char text[] = " {\"a\":[1,-2.5e+3,true,false,null,"
	    "\"x\\u00e9\xc3\xa9\\n\"],\"b\":{}} ";
	struct json_error e;
	size_t n;
	char *copy;

	(void)state;
	for (n = 0; n < sizeof(text) - 1; n++) {
		/* an exact-size heap copy, so ASan sees any overread */
		copy = malloc(n + 1);
		assert_non_null(copy);
		memcpy(copy, text, n);
		if (json_validate(copy, n, NULL, &e) == 0 && n <
		    sizeof(text) - 2)
			fail_msg("prefix of %zu bytes accepted", n);
		free(copy);
	}
	assert_int_equal(json_validate(text, sizeof(text) - 1, NULL, &e), 0);
}

static void
test_valid_utf8(void **state)
{
	(void)state;
	assert_int_equal(json_valid_utf8("", 0), 1);
	assert_int_equal(json_valid_utf8("plain ascii text, long enough",
	    29), 1);
	assert_int_equal(json_valid_utf8("a\0b", 3), 1);
	assert_int_equal(json_valid_utf8("caf\xc3\xa9", 5), 1);
	assert_int_equal(json_valid_utf8("\xf4\x8f\xbf\xbf", 4), 1);
	assert_int_equal(json_valid_utf8("\xef\xbb\xbf", 3), 1);
	assert_int_equal(json_valid_utf8("0123456789\xc3", 11), 0);
	assert_int_equal(json_valid_utf8("\xc0\x80", 2), 0);
	assert_int_equal(json_valid_utf8("\xe0\x9f\xbf", 3), 0);
	assert_int_equal(json_valid_utf8("\xed\xa0\x80", 3), 0);
	assert_int_equal(json_valid_utf8("\xf0\x8f\xbf\xbf", 4), 0);
	assert_int_equal(json_valid_utf8("\xf4\x90\x80\x80", 4), 0);
	assert_int_equal(json_valid_utf8("\xf8\x88\x80\x80\x80", 5), 0);
	assert_int_equal(json_valid_utf8("abcdefgh\x80", 9), 0);
	assert_int_equal(json_valid_utf8("\xe4\xb8\xad\xe4\xb8", 5), 0);
}

/*
 * The UTF-8 check of the fast path, which starts at the first 64-byte
 * block holding a byte >= 0x80: each sequence, valid or not, at every
 * offset across three block edges, in a value and in a key, after a
 * valid character in an earlier block and before one in a later block.
 */
static void
test_validate_utf8_offsets(void **state)
{
	static const char *const good[] = {
		"\xc2\x80", "\xdf\xbf", "\xc3\xa9", "\xe0\xa0\x80",
		"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xef\xbb\xbf",
		"\xf0\x90\x80\x80", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"
	};
	static const char *const bad[] = {
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\x41",
		"\xc2\xc0", "\xe0\x9f\xbf", "\xe0\xa0", "\xe1\x80\x41",
		"\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x8f\xbf\xbf",
		"\xf0\x90\x80", "\xf0\x90\x41\x80", "\xf4\x90\x80\x80",
		"\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff"
	};
	struct json_error e;
	char text[320];
	size_t i, off, len, n;
	int key, pre;

	(void)state;
	for (key = 0; key < 2; key++)
		for (pre = 0; pre < 2; pre++)
			for (off = 0; off < 200; off++) {
				for (i = 0; i < sizeof(good) / sizeof(good[0]);
				    i++) {
					len = strlen(good[i]);
					n = utf8_text(text, key, pre, off,
					    good[i], len);
					if (json_validate(text, n, NULL, &e) !=
					    0)
						fail_msg("good %zu at %zu "
						    "rejected", i, off);
				}
				for (i = 0; i < sizeof(bad) / sizeof(bad[0]);
				    i++) {
					len = strlen(bad[i]);
					n = utf8_text(text, key, pre, off,
					    bad[i], len);
					if (json_validate(text, n, NULL, &e) !=
					    -1 || e.msg == NULL ||
					    strcmp(e.msg, "invalid UTF-8") != 0)
						fail_msg("bad %zu at %zu "
						    "accepted", i, off);
				}
			}
	/* the bad byte last, with nothing after it to read */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (off = 60; off < 70; off++) {
			memset(text, '1', off);
			text[0] = '[';
			len = strlen(bad[i]);
			memcpy(text + off, bad[i], len);
			assert_int_equal(json_validate(text, off + len, NULL,
			    &e), -1);
		}
}

/*
 * utf8_text -- {"<pad>SEQ<pad>":"x"} or {"k":"<pad>SEQ<pad>"} with SEQ
 * off bytes into the string body, optionally after an "é" in the first
 * block and always before one in a later block; returns the length.
 */
static size_t
utf8_text(char *text, int key, int pre, size_t off, const char *seq,
    size_t len)
{
	size_t n;

	n = 0;
	memcpy(text, key ? "{\"" : "{\"k\":\"", key ? 2 : 6);
	n += key ? 2 : 6;
	memset(text + n, 'a', off);
	if (pre && off >= 2)
		memcpy(text + n, "\xc3\xa9", 2);
	n += off;
	memcpy(text + n, seq, len);
	n += len;
	memset(text + n, 'b', 70);
	memcpy(text + n + 66, "\xc3\xa9", 2);
	n += 70;
	memcpy(text + n, key ? "\":\"x\"}" : "\"}", key ? 6 : 2);
	n += key ? 6 : 2;
	return n;
}

/*
 * Numbers whose digit runs are read eight bytes at a time: every run
 * length at every offset, ended by each byte that may or may not follow
 * a number, and numbers that run to the end of the text.
 */
static void
test_validate_number_runs(void **state)
{
	static const char follow[] = ",]} /:.eE+-aA0\x7f\x80";
	struct json_error e;
	char text[128], num[40];
	size_t off, run, k, n, len;
	int want, rc, form;

	(void)state;
	for (form = 0; form < 4; form++)
		for (run = 1; run <= 20; run++) {
			/* 1234..., 0.1234..., 1e1234..., -1.5E+1234... */
			memset(num, 0, sizeof(num));
			len = 0;
			if (form == 1)
				memcpy(num, "0.", len = 2);
			else if (form == 2)
				memcpy(num, "1e", len = 2);
			else if (form == 3)
				memcpy(num, "-1.5E+", len = 6);
			for (k = 0; k < run; k++)
				num[len++] = (char)('1' + (k + run) % 9);
			for (off = 0; off < 12; off++)
				for (k = 0; k < sizeof(follow) - 1; k++) {
					n = 0;
					text[n++] = '[';
					memset(text + n, ' ', off);
					n += off;
					memcpy(text + n, num, len);
					n += len;
					text[n++] = follow[k];
					if (follow[k] == ',')
						text[n++] = '0';
					if (follow[k] != ']')
						text[n++] = ']';
					/* a space, or a digit that continues
					 * the run, or a ',' then a value */
					want = strchr(",] 0", follow[k]) !=
					    NULL ? 0 : -1;
					rc = json_validate(text, n, NULL, &e);
					if (rc != want)
						fail_msg("form %d run %zu off "
						    "%zu then '%c': %d", form,
						    run, off, follow[k], rc);
				}
			/* the number is the whole text */
			assert_int_equal(json_validate(num, len, NULL, &e), 0);
			memcpy(text, num, len);
			text[len] = 'x';
			assert_int_equal(json_validate(text, len + 1, NULL,
			    &e), -1);
		}
	/* a leading zero stays an error whatever follows it */
	assert_int_equal(json_validate("[00000000000]", 13, NULL, &e), -1);
	assert_int_equal(json_validate("[-012345678]", 12, NULL, &e), -1);
	assert_int_equal(json_validate("[0.]", 4, NULL, &e), -1);
	assert_int_equal(json_validate("[1e]", 4, NULL, &e), -1);
}

/* ---- Paths ---- */

static void
test_path_parse(void **state)
{
	static const char *const bad[] = {
		"", " ", "a", "..", ".a.", ".[", ".[]", ".a[]", ".a.[0]",
		".a.[\"b\"]", ". a", ".a .b", ".a [0]", ".[ 0 ]", ".1", ".a?",
		".[1:2]", ".[+1]", ".[- 1]", ".[1.0]", ".a-b", ".\"a",
		".[\"a\"",
		".\"\\(x)\"", ".\"\\ud800\"", ".\"\\udc00\"", ".\"\\x\"",
		".\"a\tb\"", ".\"\xff\"", ".a|.b", ".a,.b", "[0]", ".a[0]x",
		".[0].", "$x", ".a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q",
	};
	struct json_path p;
	char longkey[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (json_path_parse(bad[i], strlen(bad[i]), &p) != -1)
			fail_msg("accepted path %s", bad[i]);

	assert_int_equal(PARSE(".", &p), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(PARSE("  .  ", &p), 0);
	assert_int_equal(p.n, 0);

	assert_int_equal(PARSE(" .a.b_2[2].\"c d\"[-1][\"e\\\"f\"] ", &p),
	    0);
	assert_int_equal(p.n, 6);
	assert_int_equal(p.step[0].keylen, 1);
	assert_memory_equal(p.step[0].key, "a", 1);
	assert_int_equal(p.step[1].keylen, 3);
	assert_memory_equal(p.step[1].key, "b_2", 3);
	assert_null(p.step[2].key);
	assert_int_equal(p.step[2].index, 2);
	assert_int_equal(p.step[3].keylen, 3);
	assert_memory_equal(p.step[3].key, "c d", 3);
	assert_null(p.step[4].key);
	assert_int_equal(p.step[4].index, -1);
	assert_int_equal(p.step[5].keylen, 3);
	assert_memory_equal(p.step[5].key, "e\"f", 3);

	assert_int_equal(PARSE(".[0]", &p), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.step[0].index, 0);
	assert_int_equal(PARSE(".[\"k\"][0][1]", &p), 0);
	assert_int_equal(p.n, 3);
	assert_int_equal(PARSE(".\"\\u00e9\\ud83d\\ude00\\n\"", &p), 0);
	assert_int_equal(p.step[0].keylen, 7);
	assert_memory_equal(p.step[0].key, "\xc3\xa9\xf0\x9f\x98\x80\n", 7);
	assert_int_equal(PARSE(".if.and.__loc__._", &p), 0);
	assert_int_equal(p.n, 4);
	assert_int_equal(PARSE(".a[99999999999999999999999]", &p), 0);
	assert_true(p.step[1].index > 0);
	/* 16 steps fit, 17 do not */
	assert_int_equal(PARSE(".a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p", &p), 0);
	assert_int_equal(p.n, JSON_PATH_MAX);
	/* the keys must fit in text[] */
	longkey[0] = '.';
	memset(longkey + 1, 'k', sizeof(longkey) - 2);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_int_equal(json_path_parse(longkey, strlen(longkey), &p), -1);
	assert_int_equal(json_path_parse(longkey, 257, &p), 0);
}

static void
test_get(void **state)
{
	static const char rec[] = "{\"a\":{\"b\":[10,20,{\"c\":\"x\"}]},"
	    "\"n\":null,\"s\":\"str\",\"t\":true,\"f\":false,\"num\":1.5,"
	    "\"key with space\":1,\"\\u00e9\":\"e\",\"a\\\"q\":2,"
	    "\"d\":1,\"d\":2,\"e\":[],\"o\":{}}";

	(void)state;
	expect_get(rec, ".", JSON_OBJECT, rec);
	expect_get(rec, ".a.b", JSON_ARRAY, "[10,20,{\"c\":\"x\"}]");
	expect_get(rec, ".a.b[0]", JSON_NUMBER, "10");
	expect_get(rec, ".a.b[2].c", JSON_STRING, "\"x\"");
	expect_get(rec, ".a.b[-1].c", JSON_STRING, "\"x\"");
	expect_get(rec, ".a.b[-3]", JSON_NUMBER, "10");
	expect_get(rec, ".a.b[-4]", JSON_NONE, NULL);
	expect_get(rec, ".a.b[3]", JSON_NONE, NULL);
	expect_get(rec, ".a.b[99999999999]", JSON_NONE, NULL);
	expect_get(rec, ".a.b[-99999999999]", JSON_NONE, NULL);
	expect_get(rec, ".e[0]", JSON_NONE, NULL);
	expect_get(rec, ".e[-1]", JSON_NONE, NULL);
	expect_get(rec, ".o.x", JSON_NONE, NULL);
	expect_get(rec, ".n", JSON_NULL, "null");
	expect_get(rec, ".n.x", JSON_NONE, NULL);
	expect_get(rec, ".n[0]", JSON_NONE, NULL);
	expect_get(rec, ".missing", JSON_NONE, NULL);
	expect_get(rec, ".missing.deeper[3].x", JSON_NONE, NULL);
	expect_get(rec, ".t", JSON_TRUE, "true");
	expect_get(rec, ".f", JSON_FALSE, "false");
	expect_get(rec, ".\"key with space\"", JSON_NUMBER, "1");
	expect_get(rec, ".[\"key with space\"]", JSON_NUMBER, "1");
	expect_get(rec, ".\"\xc3\xa9\"", JSON_STRING, "\"e\"");
	expect_get(rec, ".\"\\u00e9\"", JSON_STRING, "\"e\"");
	expect_get(rec, ".\"a\\\"q\"", JSON_NUMBER, "2");
	expect_get(rec, ".d", JSON_NUMBER, "2");	/* last one wins */
	expect_get(" [ 1 , [ 2 , 3 ] ] ", ".[1][0]", JSON_NUMBER, "2");
	expect_get("{ \"a\" : { \"b\" : 5 } }", ".a.b", JSON_NUMBER, "5");
	expect_get("null", ".a", JSON_NONE, NULL);
	expect_get("null", ".[0]", JSON_NONE, NULL);
}

static void
test_get_errors(void **state)
{
	static const char rec[] = "{\"a\":{\"b\":[10]},\"s\":\"str\","
	    "\"t\":true,\"f\":false,\"num\":1.5}";

	(void)state;
	/* jq 1.6: echo '{"a":1}' | jq .a.b */
	expect_get_error(rec, ".num.b", "Cannot index number with string "
	    "\"b\"");
	expect_get_error(rec, ".s.b", "Cannot index string with string "
	    "\"b\"");
	expect_get_error(rec, ".t.b", "Cannot index boolean with string "
	    "\"b\"");
	expect_get_error(rec, ".f.b", "Cannot index boolean with string "
	    "\"b\"");
	expect_get_error(rec, ".a.b.c", "Cannot index array with string "
	    "\"c\"");
	expect_get_error(rec, ".a[0]", "Cannot index object with number");
	expect_get_error(rec, ".s[0]", "Cannot index string with number");
	expect_get_error(rec, ".num[-1]", "Cannot index number with number");
	expect_get_error(rec, ".t[0]", "Cannot index boolean with number");
	expect_get_error(rec, ".a.b[0].x", "Cannot index number with string "
	    "\"x\"");
	/* jq 1.6 names keys of 30 bytes or more only by their kind */
	expect_get_error(rec, ".num.kkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
	    "Cannot index number with string "
	    "\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"");
	expect_get_error(rec, ".num.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
	    "Cannot index number with string");
	/* and print them with %s: a NUL ends them */
	expect_get_error(rec, ".num.\"a\\u0000b\"",
	    "Cannot index number with string \"a\"");
	expect_get_error("[1]", ".a", "Cannot index array with string \"a\"");
	expect_get_error("{}", ".[0]", "Cannot index object with number");
}

/* A json_path copied by value still finds its keys */
static void
test_get_path_copy(void **state)
{
	struct json_path *p, q;
	struct json_span v;
	struct buf err = BUF_INIT;

	(void)state;
	p = malloc(sizeof(*p));
	assert_non_null(p);
	assert_int_equal(PARSE(".x.\"y z\"[1]", p), 0);
	q = *p;
	memset(p, 0x55, sizeof(*p));
	free(p);
	assert_int_equal(json_get(span_of("{\"x\":{\"y z\":[0,7]}}"), &q, &v,
	    &err), 0);
	assert_int_equal(v.type, JSON_NUMBER);
	assert_memory_equal(v.p, "7", 1);
	buf_free(&err);
}

/* ---- json_validate_want ---- */

#define WANT(text, k, type, want) \
	expect_want((text), (k), sizeof(k) - 1, (type), (want))

static void
test_validate_want(void **state)
{
	static const char rec[] = "{\"a\":{\"b\":1,\"a\":2},\"n\":null,"
	    "\"s\":\"str\",\"t\":true,\"f\":false,\"num\":-1.5e3,"
	    "\"key with space\":1,\"\\u00e9\":\"e\",\"a\\\"q\":2,"
	    "\"d\":1,\"d\":[2],\"e\":[],\"o\":{},\"us\\u0065r\":\"u\","
	    "\"x\\/y\":7,\"arr\":[{\"in\":1},{\"in\":2}],\"z\":\"\\\"\"}";

	(void)state;
	WANT(rec, "a", JSON_OBJECT, "{\"b\":1,\"a\":2}");
	WANT(rec, "b", JSON_NONE, NULL);	/* nested: not top-level */
	WANT(rec, "in", JSON_NONE, NULL);	/* in an array of objects */
	WANT(rec, "arr", JSON_ARRAY, "[{\"in\":1},{\"in\":2}]");
	WANT(rec, "n", JSON_NULL, "null");
	WANT(rec, "s", JSON_STRING, "\"str\"");
	WANT(rec, "t", JSON_TRUE, "true");
	WANT(rec, "f", JSON_FALSE, "false");
	WANT(rec, "num", JSON_NUMBER, "-1.5e3");
	WANT(rec, "key with space", JSON_NUMBER, "1");
	WANT(rec, "\xc3\xa9", JSON_STRING, "\"e\"");
	WANT(rec, "\\u00e9", JSON_NONE, NULL);	/* keys are unescaped */
	WANT(rec, "a\"q", JSON_NUMBER, "2");
	WANT(rec, "a\\\"q", JSON_NONE, NULL);
	WANT(rec, "d", JSON_ARRAY, "[2]");	/* the last one wins */
	WANT(rec, "e", JSON_ARRAY, "[]");
	WANT(rec, "o", JSON_OBJECT, "{}");
	WANT(rec, "user", JSON_STRING, "\"u\"");
	WANT(rec, "x/y", JSON_NUMBER, "7");
	WANT(rec, "z", JSON_STRING, "\"\\\"\"");
	WANT(rec, "missing", JSON_NONE, NULL);
	WANT(rec, "", JSON_NONE, NULL);
	WANT("{\"\":0}", "", JSON_NUMBER, "0");
	WANT("{\"a\\u0000b\":1}", "a\0b", JSON_NUMBER, "1");
	WANT("{\"a\":1,\"a\":{\"a\":3}}", "a", JSON_OBJECT, "{\"a\":3}");
	WANT("{\"a\":{\"a\":3},\"a\":1}", "a", JSON_NUMBER, "1");
	WANT("{\"a\":[1,{\"a\":5}],\"b\":{\"a\":6}}", "a", JSON_ARRAY,
	    "[1,{\"a\":5}]");
	WANT(" { \"a\" : [ 1 , 2 ] , \"b\" : 3 } ", "a", JSON_ARRAY,
	    "[ 1 , 2 ]");
	WANT("{\t\"a\"\n:\r\"x\" \t}\n", "a", JSON_STRING, "\"x\"");
	/* not an object at the top: nothing is captured */
	WANT("[{\"a\":1}]", "a", JSON_NONE, NULL);
	WANT("[\"a\",1]", "a", JSON_NONE, NULL);
	WANT("\"a\"", "a", JSON_NONE, NULL);
	WANT("1", "a", JSON_NONE, NULL);
	WANT("null", "a", JSON_NONE, NULL);
	WANT("{}", "a", JSON_NONE, NULL);
}

/* Several keys at once, a key wanted twice, and no key at all */
static void
test_validate_want_many(void **state)
{
	static const char rec[] = "{\"ts\":\"t\",\"user\":\"u\",\"status\":"
	    "500,\"geo\":{\"status\":1,\"user\":\"x\"},\"user\":\"v\"}";
	static const char *const keys[] = {
		"status", "user", "geo", "nope", "user"
	};
	static const char *const want[] = {
		"500", "\"v\"", "{\"status\":1,\"user\":\"x\"}", NULL, "\"v\""
	};
	struct json_want w;
	struct json_span v, found[JSON_WANT_MAX];
	struct json_error e;
	int i;

	(void)state;
	w.n = 5;
	for (i = 0; i < w.n; i++) {
		w.key[i] = keys[i];
		w.keylen[i] = strlen(keys[i]);
	}
	assert_int_equal(json_validate_want(rec, strlen(rec), &v, &e, &w,
	    found), 0);
	assert_int_equal(v.type, JSON_OBJECT);
	assert_int_equal(v.len, strlen(rec));
	for (i = 0; i < w.n; i++) {
		if (want[i] == NULL) {
			assert_int_equal(found[i].type, JSON_NONE);
			continue;
		}
		assert_int_equal(found[i].len, strlen(want[i]));
		assert_memory_equal(found[i].p, want[i], found[i].len);
	}
	/* found[] is reset on each call */
	assert_int_equal(json_validate_want("{\"x\":1}", 7, &v, &e, &w,
	    found), 0);
	for (i = 0; i < w.n; i++)
		assert_int_equal(found[i].type, JSON_NONE);
	/* no keys: plain validation, found untouched */
	w.n = 0;
	assert_int_equal(json_validate_want(rec, strlen(rec), &v, &e, &w,
	    NULL), 0);
	assert_int_equal(json_validate_want(rec, strlen(rec), &v, &e, NULL,
	    NULL), 0);
	assert_int_equal(json_validate_want("{\"a\":01}", 8, &v, &e, NULL,
	    NULL), -1);
	assert_int_equal(e.col, 6);
}

/* Errors are those of json_validate, whether or not a key is wanted */
static void
test_validate_want_errors(void **state)
{
	static const char *const bad[] = {
		"{\"a\":1,}", "{\"a\":01}", "{\"a\" 1}", "{\"a\":1}x",
		"{\"a\":\"\x01\"}", "{\"a\\x\":1}", "{\"a\":[1,]}",
		"{\"a\":tru}", "{\"a\":1", "{\"a\":\"\xc3\"}", "{\"a\":1}{}",
		"{\"\xff\":1}", "{\"a\":-}", "{a:1}", "{\"a\":1 \"b\":2}",
		"{\"a\":NaN}", "{\"a\":\"\\u12G4\"}"
	};
	struct json_want w;
	struct json_span v, found[JSON_WANT_MAX];
	struct json_error e, e2;
	size_t i;

	(void)state;
	w.n = 1;
	w.key[0] = "a";
	w.keylen[0] = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(json_validate(bad[i], strlen(bad[i]), &v,
		    &e), -1);
		assert_int_equal(json_validate_want(bad[i], strlen(bad[i]),
		    &v, &e2, &w, found), -1);
		assert_int_equal(e.col, e2.col);
		assert_ptr_equal(e.msg, e2.msg);
		assert_string_equal(e.what, e2.what);
	}
}

/* ---- json_get_from ---- */

static void
test_get_from(void **state)
{
	static const char rec[] = "{\"a\":{\"b\":[10,20,{\"c\":\"x\"}]},"
	    "\"s\":\"str\",\"q\\\"\":{\"r s\":[5]},\"d\":1,\"d\":{\"e\":2}}";
	struct json_path p;
	struct json_span v;
	struct buf err = BUF_INIT;
	int i;

	(void)state;
	for (i = 0; i <= 4; i++)
		expect_get_from(rec, ".a.b[2].c", i, JSON_STRING, "\"x\"");
	for (i = 0; i <= 3; i++)
		expect_get_from(rec, ".a.b[-1]", i, JSON_OBJECT,
		    "{\"c\":\"x\"}");
	for (i = 0; i <= 3; i++)
		expect_get_from(rec, ".\"q\\\"\"[\"r s\"][0]", i,
		    JSON_NUMBER, "5");
	expect_get_from(rec, ".d.e", 1, JSON_NUMBER, "2");
	expect_get_from(rec, ".a.missing.x", 2, JSON_NONE, NULL);
	expect_get_from(rec, ".", 0, JSON_OBJECT, rec);
	/* the same errors as json_get */
	assert_int_equal(PARSE(".s.b", &p), 0);
	assert_int_equal(json_get_from(span_of("\"str\""), &p, 1, &v, &err),
	    -1);
	assert_string_equal(err.p, "Cannot index string with string \"b\"");
	buf_reset(&err);
	assert_int_equal(PARSE(".a[0]", &p), 0);
	assert_int_equal(json_get_from(span_of("{\"b\":1}"), &p, 1, &v,
	    &err), -1);
	assert_string_equal(err.p, "Cannot index object with number");
	/* from a step past the end: the value itself */
	assert_int_equal(json_get_from(span_of("[1]"), &p, 3, &v, &err), 0);
	assert_int_equal(v.type, JSON_ARRAY);
	buf_free(&err);
}

/* ---- Iteration ---- */

static void
test_iter(void **state)
{
	static const char obj[] = " { \"a\" : 1 , \"b\\\"\":[1,{\"x\":\"}\"}],"
	    "\"c\":\"]\" , \"d\" : {} } ";
	static const char *const keys[] = {
		"\"a\"", "\"b\\\"\"", "\"c\"", "\"d\""
	};
	static const char *const vals[] = {
		"1", "[1,{\"x\":\"}\"}]", "\"]\"", "{}"
	};
	static const char *const elems[] = {
		"1", "\"a,b\"", "[2,[3]]", "{\"k\":[]}", "true", "null", "-0.5"
	};
	static const enum json_type types[] = {
		JSON_OBJECT, JSON_ARRAY, JSON_STRING, JSON_NUMBER, JSON_TRUE,
		JSON_FALSE, JSON_NULL
	};
	struct json_iter it;
	struct json_span k, v;
	int i;

	(void)state;
	json_iter_init(&it, span_of(obj));
	for (i = 0; json_iter_next(&it, &k, &v); i++) {
		assert_true(i < 4);
		assert_int_equal(k.type, JSON_STRING);
		assert_int_equal(k.len, strlen(keys[i]));
		assert_memory_equal(k.p, keys[i], k.len);
		assert_int_equal(v.len, strlen(vals[i]));
		assert_memory_equal(v.p, vals[i], v.len);
	}
	assert_int_equal(i, 4);
	assert_int_equal(json_iter_next(&it, &k, &v), 0);

	json_iter_init(&it, span_of("[ 1 , \"a,b\",[2,[3]],{\"k\":[]},true,"
	    "null, -0.5 ]"));
	for (i = 0; json_iter_next(&it, &k, &v); i++) {
		assert_true(i < 7);
		assert_int_equal(k.type, JSON_NONE);
		assert_int_equal(v.len, strlen(elems[i]));
		assert_memory_equal(v.p, elems[i], v.len);
	}
	assert_int_equal(i, 7);
	assert_int_equal(v.type, JSON_NUMBER);

	json_iter_init(&it, span_of("[ ]"));
	assert_int_equal(json_iter_next(&it, &k, &v), 0);
	json_iter_init(&it, span_of("{}"));
	assert_int_equal(json_iter_next(&it, NULL, &v), 0);
	json_iter_init(&it, span_of("42"));
	assert_int_equal(json_iter_next(&it, &k, &v), 0);

	/* value types */
	json_iter_init(&it, span_of("[{},[],\"\",0,true,false,null]"));
	for (i = 0; json_iter_next(&it, NULL, &v); i++)
		assert_int_equal(v.type, types[i]);
	assert_int_equal(i, 7);
}

/* ---- Values ---- */

static void
test_truthy(void **state)
{
	struct json_span none = { "null", 0, JSON_NONE };

	(void)state;
	assert_false(json_truthy(none));
	assert_false(json_truthy(span_of("null")));
	assert_false(json_truthy(span_of("false")));
	assert_true(json_truthy(span_of("true")));
	assert_true(json_truthy(span_of("0")));
	assert_true(json_truthy(span_of("\"\"")));
	assert_true(json_truthy(span_of("[]")));
	assert_true(json_truthy(span_of("{}")));
}

static void
test_number(void **state)
{
	char big[400];
	double d;

	(void)state;
	assert_true(json_number(span_of("0")) == 0.0);
	d = json_number(span_of("-0"));
	assert_true(d == 0.0 && signbit(d));
	assert_true(json_number(span_of("12.5")) == 12.5);
	assert_true(json_number(span_of("-1.5e-3")) == -1.5e-3);
	assert_true(json_number(span_of("1E+5")) == 1e5);
	assert_true(json_number(span_of("0.1")) == 0.1);
	assert_true(json_number(span_of("3.14159")) == 3.14159);
	assert_true(json_number(span_of("123456.789e3")) == 123456789.0);
	assert_true(json_number(span_of("0.000001")) == 1e-6);
	assert_true(json_number(span_of("1e22")) == 1e22);
	assert_true(json_number(span_of("1e23")) == 1e23);
	assert_true(json_number(span_of("9007199254740993")) ==
	    9007199254740992.0);
	assert_true(json_number(span_of("18446744073709551615")) ==
	    18446744073709551616.0);
	assert_true(json_number(span_of("1.7976931348623157e308")) ==
	    DBL_MAX);
	assert_true(json_number(span_of("5e-324")) == 5e-324);
	assert_true(isinf(json_number(span_of("1e999"))));
	assert_true(json_number(span_of("1e-999")) == 0.0);
	assert_true(json_number(span_of("0e999999999999999999")) == 0.0);
	assert_true(json_number(span_of("2.2250738585072011e-308")) ==
	    2.2250738585072011e-308);
	assert_true(json_number(span_of("0.30000000000000004")) ==
	    0.1 + 0.2);
	/* a literal longer than any stack buffer, not NUL-terminated */
	memset(big, '0', sizeof(big));
	big[0] = '1';
	big[1] = '.';
	memcpy(big + sizeof(big) - 4, "e-1", 3);
	big[sizeof(big) - 1] = 'x';
	assert_true(json_number(span_ofn(big, sizeof(big) - 1)) == 0.1);
	memset(big, '9', sizeof(big));
	d = json_number(span_ofn(big, 309));
	assert_true(isinf(d));
	d = json_number(span_ofn(big, 308));
	assert_true(d == 1e308);
	/* only the span is read: "1" of "12" */
	assert_true(json_number(span_ofn("12", 1)) == 1.0);
}

static void
test_string(void **state)
{
	static const struct {
		const char	*json;
		const char	*want;
		size_t		 len;
	} t[] = {
		{ "\"\"", "", 0 },
		{ "\"abc\"", "abc", 3 },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8 },
		{ "\"\\u0041\\u00e9\\u4e2d\"", "A\xc3\xa9\xe4\xb8\xad", 6 },
		{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4 },
		{ "\"\\uD83D\\uDE00\"", "\xf0\x9f\x98\x80", 4 },
		{ "\"\\ud800\"", "\xef\xbf\xbd", 3 },
		{ "\"\\udc00\"", "\xef\xbf\xbd", 3 },
		{ "\"\\ud800x\"", "\xef\xbf\xbdx", 4 },
		{ "\"\\ud800\\u0041\"", "\xef\xbf\xbd" "A", 4 },
		{ "\"\\ud800\\ud800\\udc00\"",
		    "\xef\xbf\xbd\xf0\x90\x80\x80", 7 },
		{ "\"\\udc00\\ud800\"", "\xef\xbf\xbd\xef\xbf\xbd", 6 },
		{ "\"a\\u0000b\"", "a\0b", 3 },
		{ "\"caf\xc3\xa9\"", "caf\xc3\xa9", 5 },
	};
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&b);
		json_string(span_of(t[i].json), &b);
		assert_non_null(b.p);
		assert_int_equal(b.len, t[i].len);
		assert_memory_equal(b.p, t[i].want, t[i].len);
		assert_int_equal(b.p[b.len], '\0');
	}
	/* it appends */
	buf_reset(&b);
	buf_adds(&b, "x=");
	json_string(span_of("\"y\""), &b);
	assert_string_equal(b.p, "x=y");
	buf_free(&b);
}

/* The order of jq -n '[...] | sort', checked with jq 1.6 */
static void
test_cmp_order(void **state)
{
	static const char *const sorted[] = {
		"null", "false", "true", "-1e300", "-1", "-0.5", "0", "0.5",
		"1", "9007199254740992", "1e300", "\"\"", "\"A\"", "\"a\"",
		"\"a\\u0000\"", "\"a\\u0000\\u0000\"", "\"ab\"", "\"b\"",
		"\"\xc3\xa9\"", "[]", "[null]", "[0]", "[0,0]", "[1]",
		"[\"a\"]", "[[]]", "[{}]", "{}", "{\"a\":null}", "{\"a\":2}",
		"{\"a\":\"x\"}", "{\"a\":[1]}", "{\"a\":1,\"b\":1}",
		"{\"b\":1,\"a\":2}", "{\"a\":1,\"c\":0}", "{\"b\":0}",
	};
	size_t i, j, n;
	int r;

	(void)state;
	n = sizeof(sorted) / sizeof(sorted[0]);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			r = cmp_text(sorted[i], sorted[j]);
			if (r != (i < j ? -1 : i > j))
				fail_msg("json_cmp(%s, %s) = %d", sorted[i],
				    sorted[j], r);
		}
}

static void
test_cmp_equal(void **state)
{
	struct json_span none = { "null", 0, JSON_NONE };

	(void)state;
	assert_int_equal(cmp_text("1", "1.0"), 0);
	assert_int_equal(cmp_text("100", "1e2"), 0);
	assert_int_equal(cmp_text("0", "-0"), 0);
	assert_int_equal(cmp_text("9007199254740993", "9007199254740992"), 0);
	assert_int_equal(cmp_text("\"a\"", "\"\\u0061\""), 0);
	assert_int_equal(cmp_text("\"\xf0\x9f\x98\x80\"",
	    "\"\\ud83d\\ude00\""), 0);
	assert_int_equal(cmp_text("\"\\ud800\"", "\"\xef\xbf\xbd\""), 0);
	assert_int_equal(cmp_text(" [ 1 , 2 ] ", "[1,2]"), 0);
	assert_int_equal(cmp_text("{\"a\":1,\"b\":[2]}", "{\"b\":[2],"
	    "\"a\":1}"), 0);
	/* duplicate keys: the last wins, as jq reads them */
	assert_int_equal(cmp_text("{\"a\":1,\"a\":2}", "{\"a\":2}"), 0);
	assert_int_equal(cmp_text("{\"a\":2,\"b\":0,\"a\":1}",
	    "{\"b\":0,\"a\":1}"), 0);
	assert_int_equal(cmp_text("{\"\\u0061\":1}", "{\"a\":1}"), 0);
	/* absent compares as null */
	assert_int_equal(json_cmp(none, span_of("null")), 0);
	assert_int_equal(json_cmp(none, none), 0);
	assert_int_equal(json_cmp(none, span_of("false")), -1);
	assert_int_equal(json_cmp(span_of("0"), none), 1);
	/* the first difference decides, however deep */
	assert_int_equal(cmp_text("[[[[1]]],0]", "[[[[2]]],-5]"), -1);
	assert_int_equal(cmp_text("{\"a\":{\"b\":{\"c\":3}}}",
	    "{\"a\":{\"b\":{\"c\":2}}}"), 1);
}

static void
test_cmp_wide_and_deep(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	char *s, *t;
	int i;

	(void)state;
	/* objects wider than the inline member array, keys reversed */
	buf_addc(&a, '{');
	buf_addc(&b, '{');
	for (i = 0; i < 300; i++) {
		buf_printf(&a, "%s\"k%03d\":[%d]", i ? "," : "", i, i);
		buf_printf(&b, "%s\"k%03d\":[%d]", i ? "," : "", 299 - i,
		    299 - i);
	}
	buf_addc(&a, '}');
	buf_addc(&b, '}');
	assert_int_equal(cmp_text(a.p, b.p), 0);
	a.p[a.len - 3] = '0';		/* k299: [299] -> [290] */
	assert_int_equal(cmp_text(a.p, b.p), -1);
	buf_free(&a);
	buf_free(&b);

	s = nested("[{\"k\":", "1", "}]", JSON_MAX_DEPTH / 2);
	t = nested("[{\"k\":", "2", "}]", JSON_MAX_DEPTH / 2);
	assert_int_equal(cmp_text(s, s), 0);
	assert_int_equal(cmp_text(s, t), -1);
	assert_int_equal(cmp_text(t, s), 1);
	free(s);
	free(t);
}

/* ---- Writing ---- */

static void
test_compact(void **state)
{
	struct buf b = BUF_INIT;
	struct json_span none = { "null", 0, JSON_NONE };

	(void)state;
	json_compact(span_of(" { \"a b\" : [ 1.0 , 1e5 , \" x \\n \" ] ,\r\n"
	    "\t\"c\" : { } } "), &b);
	assert_string_equal(b.p, "{\"a b\":[1.0,1e5,\" x \\n \"],\"c\":{}}");
	buf_reset(&b);
	json_compact(span_of("\"\\\" , \\\\\""), &b);
	assert_string_equal(b.p, "\"\\\" , \\\\\"");
	buf_reset(&b);
	json_compact(span_of("9007199254740993"), &b);
	assert_string_equal(b.p, "9007199254740993");
	buf_reset(&b);
	json_compact(none, &b);
	assert_string_equal(b.p, "null");
	buf_free(&b);
}

static void
test_canon(void **state)
{
	char *s;
	struct buf b = BUF_INIT;

	(void)state;
	expect_canon(" { \"b\" : 1 , \"a\" : [ 2 , { \"d\" : 1, "
	    "\"c\" : 2 } ] } ", "{\"a\":[2,{\"c\":2,\"d\":1}],\"b\":1}");
	expect_canon("{\"a\":1,\"a\":2}", "{\"a\":2}");
	expect_canon("{\"b\":1,\"a\":[1],\"a\":{\"z\":0,\"y\":\"\\u00e9\\u007f"
	    "\\/\"}}", "{\"a\":{\"y\":\"\xc3\xa9\\u007f/\",\"z\":0},\"b\":1}");
	expect_canon("{\"\\u0062\":1,\"a\":2}", "{\"a\":2,\"b\":1}");
	expect_canon("{\"\\u00e9\":1,\"z\":2}", "{\"z\":2,\"\xc3\xa9\":1}");
	expect_canon("\"\\u0041\\t\\u001F\\ud83d\\ude00\\ud800\"",
	    "\"A\\t\\u001f\xf0\x9f\x98\x80\xef\xbf\xbd\"");
	expect_canon("\"\x7f\"", "\"\\u007f\"");
	expect_canon("\"\\\"\\\\\"", "\"\\\"\\\\\"");
	expect_canon("1", "1");
	expect_canon("1.0", "1");
	expect_canon("1e0", "1");
	expect_canon("1.5e2", "150");
	expect_canon("-0", "0");
	expect_canon("-0.0", "0");
	expect_canon("0.10", "0.1");
	expect_canon("1e400", "1.7976931348623157e+308");
	expect_canon("9007199254740993", "9007199254740993");
	expect_canon("18446744073709551615", "18446744073709551615");
	expect_canon("-12345678901234567890", "-12345678901234567890");
	expect_canon("[true,false,null]", "[true,false,null]");
	expect_canon("[ ]", "[]");
	expect_canon("{ }", "{}");
	/* equal values, equal text */
	json_canon(span_of("{\"x\":[1.0,\"\\u0061\"],\"y\":-0}"), &b);
	s = strdup(b.p);
	buf_reset(&b);
	json_canon(span_of("{\"y\":0,\"x\":[1,\"a\"]}"), &b);
	assert_string_equal(s, b.p);
	free(s);
	buf_reset(&b);
	/* deep, without recursion */
	s = nested("{\"a\":[", "1.0", "]}", JSON_MAX_DEPTH / 2);
	json_canon(span_of(s), &b);
	free(s);
	s = nested("{\"a\":[", "1", "]}", JSON_MAX_DEPTH / 2);
	assert_string_equal(b.p, s);
	free(s);
	buf_free(&b);
}

static void
test_put_string(void **state)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} t[] = {
		{ "", 0, "\"\"" },
		{ "plain", 5, "\"plain\"" },
		{ "\"\\/", 3, "\"\\\"\\\\/\"" },
		{ "\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"" },
		/* printf '"\u007f\u001f"' | jq -c . */
		{ "\x7f\x1f\x01", 3, "\"\\u007f\\u001f\\u0001\"" },
		{ "a\0b", 3, "\"a\\u0000b\"" },
		{ "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8", 14,
		    "\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8\"" },
		{ "<>&'", 4, "\"<>&'\"" },
		/* ill-formed UTF-8 becomes U+FFFD where jq cuts it */
		{ "a\xff" "b", 3, "\"a\xef\xbf\xbd" "b\"" },
		{ "\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "a\xe2\x82x", 4, "\"a\xef\xbf\xbdx\"" },
		{ "\xed\xa0\x80y", 4, "\"\xef\xbf\xbdy\"" },
		{ "\xf4\x90\x80\x80z", 5, "\"\xef\xbf\xbdz\"" },
		{ "\xf0\x9f\x98", 3, "\"\xef\xbf\xbd\"" },
	};
	struct buf b = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&b);
		json_put_string(&b, t[i].in, t[i].len);
		assert_string_equal(b.p, t[i].out);
		span_of(b.p);			/* always valid JSON */
	}
	buf_free(&b);
}

/* jq -n -c '1e300, 1.5e-7, 0.1, ...' with jq 1.6 */
static void
test_put_number(void **state)
{
	(void)state;
	expect_number_text(0.0, "0");
	expect_number_text(-0.0, "-0");
	expect_number_text(1.0, "1");
	expect_number_text(-42.0, "-42");
	expect_number_text(12.5, "12.5");
	expect_number_text(0.1, "0.1");
	expect_number_text(0.1 + 0.2, "0.30000000000000004");
	expect_number_text(1.0 / 3, "0.3333333333333333");
	expect_number_text(3.14159, "3.14159");
	expect_number_text(123.456, "123.456");
	expect_number_text(100.5, "100.5");
	expect_number_text(4.35, "4.35");
	expect_number_text(0.001, "0.001");
	expect_number_text(0.0001, "0.0001");
	expect_number_text(1.25e-4, "0.000125");
	expect_number_text(1e-5, "1e-05");
	expect_number_text(-2.5e-5, "-2.5e-05");
	expect_number_text(1.5e-7, "1.5e-07");
	expect_number_text(2.5e-10, "2.5e-10");
	expect_number_text(1e300, "1e+300");
	expect_number_text(-1.5e-300, "-1.5e-300");
	expect_number_text(1.5e300, "1.5e+300");
	expect_number_text(5e-324, "5e-324");
	expect_number_text(DBL_MAX, "1.7976931348623157e+308");
	expect_number_text(1e15, "1000000000000000");
	expect_number_text(1.5e16, "15000000000000000");
	expect_number_text(12345678901234567.0, "12345678901234568");
	/* integers below 1e17 print whole (jq 1.6 writes 1e16 as 1e+16) */
	expect_number_text(1e16, "10000000000000000");
	expect_number_text(-99999999999999984.0, "-99999999999999984");
	expect_number_text(1e17, "1e+17");
	expect_number_text(1.5e17, "1.5e+17");
	expect_number_text(123456789012345678.0, "123456789012345680");
	expect_number_text(1e20, "1e+20");
	expect_number_text(5e22, "5e+22");
	expect_number_text(HUGE_VAL, "1.7976931348623157e+308");
	expect_number_text(-HUGE_VAL, "-1.7976931348623157e+308");
	expect_number_text(NAN, "null");
}

/* Every double written reads back to itself */
static void
test_put_number_roundtrip(void **state)
{
	struct buf b = BUF_INIT;
	uint64_t bits, x;
	double d;
	int i;

	(void)state;
	x = 88172645463325252ULL;
	for (i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		bits = x;
		memcpy(&d, &bits, sizeof(d));
		if (isnan(d) || isinf(d))
			continue;
		if (i & 1)
			d = (double)(int64_t)(x >> 20) / 1000.0;
		buf_reset(&b);
		json_put_number(&b, d);
		if (json_number(span_of(b.p)) != d)
			fail_msg("%.17g wrote %s", d, b.p);
	}
	buf_free(&b);
}

/* ---- Conformance fixtures ---- */

/*
 * run_dir -- validate each file in dir (less one trailing newline) with
 * json_validate and json_validate_want; returns the count, failing on
 * any file whose verdict is not want or where the two differ.
 */
static size_t
run_dir(const char *dir, int want)
{
	static const char *const keys[] = { "a", "key", "" };
	struct json_error e, e2;
	struct json_want w;
	struct json_span found[JSON_WANT_MAX];
	struct dirent *de;
	char path[4096], *text;
	size_t n, count;
	long len;
	DIR *d;
	FILE *fp;
	int r, r2, i;

	w.n = 3;
	for (i = 0; i < w.n; i++) {
		w.key[i] = keys[i];
		w.keylen[i] = strlen(keys[i]);
	}

	if ((d = opendir(dir)) == NULL)
		fail_msg("cannot open %s", dir);
	count = 0;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((fp = fopen(path, "rb")) == NULL)
			fail_msg("cannot open %s", path);
		fseek(fp, 0, SEEK_END);
		len = ftell(fp);
		rewind(fp);
		text = malloc((size_t)len + 1);
		assert_non_null(text);
		n = fread(text, 1, (size_t)len, fp);
		fclose(fp);
		if (n > 0 && text[n - 1] == '\n')
			n--;
		r = json_validate(text, n, NULL, &e);
		r2 = json_validate_want(text, n, NULL, &e2, &w, found);
		if (r2 != r || (r != 0 && (e2.col != e.col ||
		    e2.msg != e.msg || strcmp(e2.what, e.what) != 0)))
			fail_msg("%s: json_validate_want differs", path);
		if (want && r != 0)
			fail_msg("%s: rejected at col %zu: %s", path, e.col,
			    e.what[0] != '\0' ? e.what : e.msg);
		if (!want && r == 0)
			fail_msg("%s: accepted", path);
		if (!want && (e.col < 1 || e.col > n + 1 || e.msg == NULL))
			fail_msg("%s: bad error col %zu", path, e.col);
		free(text);
		count++;
	}
	closedir(d);
	return count;
}

static void
test_fixtures(void **state)
{
	const char *base;
	char dir[4096];

	(void)state;
	if ((base = getenv("FIXTURES")) == NULL)
		base = "tests/fixtures";
	snprintf(dir, sizeof(dir), "%s/json/valid", base);
	assert_true(run_dir(dir, 1) >= 60);
	snprintf(dir, sizeof(dir), "%s/json/invalid", base);
	assert_true(run_dir(dir, 0) >= 60);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_valid),
		cmocka_unit_test(test_validate_span),
		cmocka_unit_test(test_validate_errors),
		cmocka_unit_test(test_validate_depth),
		cmocka_unit_test(test_validate_prefixes),
		cmocka_unit_test(test_valid_utf8),
		cmocka_unit_test(test_validate_utf8_offsets),
		cmocka_unit_test(test_validate_number_runs),
		cmocka_unit_test(test_path_parse),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_get_errors),
		cmocka_unit_test(test_get_path_copy),
		cmocka_unit_test(test_validate_want),
		cmocka_unit_test(test_validate_want_many),
		cmocka_unit_test(test_validate_want_errors),
		cmocka_unit_test(test_get_from),
		cmocka_unit_test(test_iter),
		cmocka_unit_test(test_truthy),
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_cmp_order),
		cmocka_unit_test(test_cmp_equal),
		cmocka_unit_test(test_cmp_wide_and_deep),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_canon),
		cmocka_unit_test(test_put_string),
		cmocka_unit_test(test_put_number),
		cmocka_unit_test(test_put_number_roundtrip),
		cmocka_unit_test(test_fixtures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
