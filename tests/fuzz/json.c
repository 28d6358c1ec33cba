/*
 * json -- libFuzzer target for lib/json.c: json_validate, checked one way
 * against libjq's parser (what json_validate accepts, jq 1.6 must accept,
 * within jq's depth limit of 256; jq also accepts NaN and more, so the
 * other direction is not checked), json_validate_want with fixed keys,
 * and json_compact/json_normal/json_canon of accepted values, whose
 * output must validate again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include "buf.h"
#include "json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t	depth(const char *, size_t);
static void	check_span(const char *, size_t, struct json_span);
static void	revalidate(const char *, const struct buf *);

#define JQ_DEPTH	200	/* checked against jq below its 256 */

/* depth -- greatest nesting of an accepted text, outside strings */
static size_t
depth(const char *p, size_t n)
{
	size_t i, d, max;
	int instr;

	d = max = 0;
	instr = 0;
	for (i = 0; i < n; i++) {
		if (instr) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				instr = 0;
		} else if (p[i] == '"')
			instr = 1;
		else if (p[i] == '[' || p[i] == '{') {
			if (++d > max)
				max = d;
		} else if (p[i] == ']' || p[i] == '}')
			d--;
	}
	return max;
}

/* check_span -- v lies inside the text p[0..n) */
static void
check_span(const char *p, size_t n, struct json_span v)
{
	if (v.p < p || v.len > n || v.p + v.len > p + n) {
		fprintf(stderr, "span outside the text\n");
		abort();
	}
}

/* lone_high -- 1 if a \u escape of a high surrogate is not followed by
 * one of a low surrogate: RFC 8259's grammar allows it, and so does our
 * scanner, but jq 1.6 rejects it ("Invalid \uXXXX\uXXXX surrogate pair
 * escape"), so the two parsers differ there by design */
static int
lone_high(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 6 <= n; i++) {
		if (p[i] == '\\' && p[i + 1] == '\\') {
			i++;		/* an escaped backslash */
			continue;
		}
		if (p[i] != '\\' || p[i + 1] != 'u' ||
		    (p[i + 2] != 'd' && p[i + 2] != 'D') || p[i + 3] == '\0' ||
		    strchr("89abAB", p[i + 3]) == NULL)
			continue;
		if (i + 12 > n || p[i + 6] != '\\' || p[i + 7] != 'u' ||
		    (p[i + 8] != 'd' && p[i + 8] != 'D') || p[i + 9] == '\0' ||
		    strchr("cdefCDEF", p[i + 9]) == NULL)
			return 1;
		i += 11;
	}
	return 0;
}

/* revalidate -- the output b of writer what must be valid JSON */
static void
revalidate(const char *what, const struct buf *b)
{
	struct json_span v;
	struct json_error e;

	if (json_validate(b->p, b->len, &v, &e) != 0) {
		fprintf(stderr, "%s output rejected at column %zu: %s %s\n"
		    "%.*s\n", what, e.col, e.msg, e.what, (int)b->len, b->p);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *keys[] = { "user", "ts", "a\"b", "", "\xc3\xa9" };
	const char *p = (const char *)data;
	struct json_want want;
	struct json_span v, v2, found[JSON_WANT_MAX];
	struct json_error e;
	struct buf b = BUF_INIT, c = BUF_INIT;
	jv j, m;
	int rc, rc2, i;

	rc = json_validate(p, size, &v, &e);
	want.n = (int)(sizeof(keys) / sizeof(keys[0]));
	for (i = 0; i < want.n; i++) {
		want.key[i] = keys[i];
		want.keylen[i] = strlen(keys[i]);
	}
	rc2 = json_validate_want(p, size, &v2, &e, &want, found);
	if (rc != rc2) {
		fprintf(stderr, "json_validate %d, json_validate_want %d\n",
		    rc, rc2);
		abort();
	}
	if (rc != 0)
		return 0;
	check_span(p, size, v);
	if (v2.p != v.p || v2.len != v.len || v2.type != v.type)
		abort();
	for (i = 0; i < want.n; i++) {
		if (found[i].type == JSON_NONE)
			continue;
		if (v.type != JSON_OBJECT)
			abort();
		check_span(p, size, found[i]);
		if (json_validate(found[i].p, found[i].len, &v2, &e) != 0)
			abort();
	}

	if (depth(p, size) <= JQ_DEPTH && !lone_high(p, size)) {
		j = jv_parse_sized(p, (int)size);
		if (!jv_is_valid(j)) {
			m = jv_invalid_get_msg(jv_copy(j));
			fprintf(stderr, "jq rejects what json_validate "
			    "accepts: %s\n", jv_get_kind(m) == JV_KIND_STRING ?
			    jv_string_value(m) : "(no message)");
			jv_free(m);
			jv_free(j);
			abort();
		}
		jv_free(j);
	}

	json_compact(v, &b);
	revalidate("json_compact", &b);
	buf_reset(&b);
	json_normal(v, &b);
	revalidate("json_normal", &b);
	buf_reset(&b);
	json_canon(v, &b);
	revalidate("json_canon", &b);
	if (json_validate(b.p, b.len, &v2, &e) == 0) {
		json_canon(v2, &c);	/* canonical text is a fixed point */
		if (c.len != b.len || memcmp(c.p, b.p, b.len) != 0) {
			fprintf(stderr, "json_canon not idempotent:\n%s\n%s\n",
			    b.p, c.p);
			abort();
		}
	}
	buf_free(&b);
	buf_free(&c);
	return 0;
}
