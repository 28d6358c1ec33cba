/* fast_test -- the fast path: what it takes, and its answers against jq's */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "fast.h"
#include "json.h"

struct diff {
	const char	*prog;
	const char	*in;
	char		 kind;	/* P pass, B built, D drop, E error */
};

static void	write_file(const char *, const char *, size_t);
static int	run(const char *, struct buf *);
static int	same(const char *, size_t, const char *, size_t);
static void	read_file(const char *, struct buf *);
static int	check(const struct diff *);

static const char *const accepted[] = {
	".", " . ", ".a", ".a.b", ".[0]", ".a[0]", ".a[-1]", "._x1.y_2",
	".\"quoted key\"", ".[\"key\"]", ".a[\"b\"][0]", ".a.\"b\".c",
	".and", "{a, b}", "{a, b, \"c d\": .x.y, e: .f.g, \"k\": .}",
	"{a,}", "{}", "{if: .a, not}", "{\"a\"}", "{a: .x, a: .y}",
	"select(.a)", "select(.a == 1)", "select(.status>=500)",
	"select(.a != \"x\")", "select(.a < .b)", "select(1 < .a)",
	"select(.a > -1)", "select(.a > - 1.5e3)", "select(null == .a)",
	"select(true)", "select(has(\"a\"))", "select(.a | has(\"k\"))",
	"select(startswith(\"x\"))", "select(.s | endswith(\"x\"))",
	"select(.a and .b or .c)", "select((.a or .b) and .c)",
	"select(.a | not)", "select((.a == 1) | not)", "select(not)",
	"select(.a == 1 | not)", "select(.a) | {a}", "select(.a) | .b",
	"select(.a) | select(.b)", "select(.a) | .", " select( .a == 1 )\n",
	"select(.a) # why\n| .b", "select(.a==1and.b)", ".a == 1",
	"select(.a == .5)", "select(.a == 1.)", "select(.a == 01)",
	"select(.a == \"\\u00e9\\n\")", "select(.a == \"\\ud83d\\ude00\")",
	"select (.a)", "select(has (\"a\"))", ".a | .b", ".a | select(.b)",
	"select(.a.b[0] >= .c) | {x: .a, y: .c[1]}", "(.a)", "null | .a",
	"select(.a) | .b | {c}", "\"x\"", "-1", "(.a == 1) | not",
};

static const char *const refused[] = {
	"", " ", ".a + 1", ".[]", "map(.)", ".a | tostring", "\"\\(.a)\"",
	"select(.a | test(\"x\"))", "$x", ".a?", "..", ".a // 1", ".a, .b",
	".a = 1", ".a |= 1", ".a[1:2]", ".[\"a\",\"b\"]", ".a.[0]", ". a",
	".a .b", ".a [0]", ".[ 0 ]", "{(.a): 1}", "{$x}", "{a: 1}",
	"{a: .x | .y}", "{and}", "{a} | .a", "select(.a) | {a} | .a",
	"select(.a == 1 == 2)", "select(.a = 1)", "select(.a) as $x | $x",
	"if .a then . else empty end", "select(.a | length > 1)",
	"select(.a - 1)", "select(has(1))", "select(has(.k))",
	"select(startswith(1))", "select(.a == \"\\ud800\")",
	"select(.a == \"\\udc00\")", "select(.a == 1e400)", ".a\r",
	"select(select(.a))", "select(.a; .b)", "select .a", "not(1)",
	"def f: .; f", ".a::b", "@base64", "[.a]", "-.a", "select(.a and)",
	"select(.a == 1x)", ".[1.5]", ".[01234567890]", "select(.a ==\"\t\")",
	"select(.a)?", "{a} | {b}", "{a: .b == 1}", ".a.5",
	"select(.a == 1) select(.b)", "{a b}", "(.a", "select(.a)|=1",
	"empty", "null | .a |", "select(.a < {})", "select(.a < [])",
};

static const struct diff diffs[] = {
	/* paths */
	{ ".", "{\"a\":1, \"b\" : [1, 2]}", 'P' },
	{ ".a", "{\"a\": {\"b\" : [1, 2.50]}}", 'B' },
	{ ".a", "{\"b\":1}", 'B' },
	{ ".a", "{\"a\":null}", 'B' },
	{ ".a.b.c", "{\"a\":{\"b\":null}}", 'B' },
	{ ".a.b", "{\"a\":5}", 'E' },
	{ ".a", "[1]", 'E' },
	{ ".a", "\"s\"", 'E' },
	{ ".a", "true", 'E' },
	{ ".[0]", "{\"a\":1}", 'E' },
	{ ".[0]", "\"x\"", 'E' },
	{ ".[0]", "[3,4]", 'B' },
	{ ".[-1]", "[3,4]", 'B' },
	{ ".[-3]", "[3,4]", 'B' },
	{ ".[5]", "[3,4]", 'B' },
	{ ".[0]", "null", 'B' },
	{ ".a[1].b", "{\"a\":[0,{\"b\":\"x\"}]}", 'B' },
	{ ".[\"a b\"]", "{\"a b\":true}", 'B' },
	{ ".\"a\\\"b\"", "{\"a\\\"b\":2}", 'B' },
	{ ".\"\\u00e9\"", "{\"\xc3\xa9\":3}", 'B' },
	{ ".a", "{\"a\":1,\"a\":2}", 'B' },
	{ ".a", "{\"a\":\"\\u00e9\\n\\/\"}", 'B' },
	{ ".aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "5", 'E' },
	{ ".a | .b", "{\"a\":null}", 'B' },
	/* objects */
	{ "{a, b}", "{\"a\":1}", 'B' },
	{ "{a, \"c d\": .x.y, e: .f[0], \"k\": .}",
	  "{\"a\":[1],\"x\":{\"y\":\"z\"},\"f\":[7]}", 'B' },
	{ "{a: .x, a: .y}", "{\"x\":1,\"y\":2}", 'B' },
	{ "{a: .x, b: .z, a: .y}", "{\"x\":1,\"y\":2,\"z\":3}", 'B' },
	{ "{a}", "5", 'E' },
	{ "{a: .x.q, b: .y.r}", "{\"x\":5,\"y\":6}", 'E' },
	{ "{a: .x, b: .y.r, a: .z.q}", "{\"x\":5,\"y\":6,\"z\":7}", 'E' },
	{ "{\"a\\u0062\\n\\\"\": .x}", "{\"x\":1}", 'B' },
	{ "{}", "{\"a\":1}", 'B' },
	{ "{if: .a, not}", "{\"a\":1,\"not\":2}", 'B' },
	{ "{a}", "null", 'B' },
	/* truthiness and select */
	{ "select(.a)", "{\"a\":0}", 'P' },
	{ "select(.a)", "{\"a\":\"\"}", 'P' },
	{ "select(.a)", "{\"a\":false}", 'D' },
	{ "select(.a)", "{\"a\":null}", 'D' },
	{ "select(.a)", "{}", 'D' },
	{ "select(not)", "false", 'P' },
	{ "select(true)", "[1, 2]", 'P' },
	/* numbers */
	{ "select(.a == 1)", "{\"a\":1.0}", 'P' },
	{ "select(.a == 1.0)", "{\"a\":1}", 'P' },
	{ "select(.a == 100)", "{\"a\":1e2}", 'P' },
	{ "select(.a == 0)", "{\"a\":-0}", 'P' },
	{ "select(.a == -0)", "{\"a\":0.0}", 'P' },
	{ "select(.a == .5)", "{\"a\":5e-1}", 'P' },
	{ "select(.status >= 500)", "{\"status\":503}", 'P' },
	{ "select(.status >= 500)", "{\"status\":499.99}", 'D' },
	{ "select(.status >= 500)", "{\"status\":\"503\"}", 'P' },
	{ "select(.status >= 500)", "{\"status\":null}", 'D' },
	{ "select(.a > -1)", "{\"a\":0}", 'P' },
	{ "select(-1 < .a)", "{\"a\":-2}", 'D' },
	{ "select(.a == 9007199254740993)", "{\"a\":9007199254740992}",
	  'P' },
	{ "select(.a == .b)", "{\"a\":9007199254740993,"
	  "\"b\":9007199254740992}", 'P' },
	{ "select(.a < 1e-7)", "{\"a\":1.5e-8}", 'P' },
	/* mixed types */
	{ "select(.a == \"1\")", "{\"a\":1}", 'D' },
	{ "select(.a < \"1\")", "{\"a\":1}", 'P' },
	{ "select(.a > null)", "{\"a\":false}", 'P' },
	{ "select(.a == 1)", "{\"a\":true}", 'D' },
	{ "select(.a >= true)", "{\"a\":true}", 'P' },
	{ "select(.a == null)", "{}", 'P' },
	{ "select(.a != null)", "{}", 'D' },
	{ "select(.a == .missing)", "{\"a\":null}", 'P' },
	/* strings */
	{ "select(.a == \"caf\\u00e9\")", "{\"a\":\"caf\xc3\xa9\"}", 'P' },
	{ "select(.a == \"\xc3\xa9\")", "{\"a\":\"\\u00e9\"}", 'P' },
	{ "select(.a < \"\\ud83d\\ude00\")", "{\"a\":\"\\uffff\"}", 'P' },
	{ "select(.a == \"x\\ty\")", "{\"a\":\"x\\u0009y\"}", 'P' },
	{ "select(.a == \"\\u0000\")", "{\"a\":\"\\u0000\"}", 'P' },
	{ "select(.a < .b)", "{\"a\":\"ab\",\"b\":\"abc\"}", 'P' },
	{ "select(.a > .b)", "{\"a\":\"\\u00e9\",\"b\":\"z\"}", 'P' },
	/* arrays and objects */
	{ "select(.a < .b)", "{\"a\":[1,2],\"b\":[1,3]}", 'P' },
	{ "select(.a < .b)", "{\"a\":[1,2],\"b\":[1]}", 'D' },
	{ "select(.a < .b)", "{\"a\":{\"a\":1},\"b\":{\"b\":0}}", 'P' },
	{ "select(.a == .b)", "{\"a\":{\"x\":1,\"y\":[2]},"
	  "\"b\":{\"y\":[2.0],\"x\":1}}", 'P' },
	{ "select(.a != .b)", "{\"a\":[1],\"b\":[1,null]}", 'P' },
	{ "select(.a > \"zzz\")", "{\"a\":[]}", 'P' },
	{ "select(.a < .b)", "{\"a\":{\"a\":1},\"b\":{\"a\":1,\"b\":0}}",
	  'P' },
	{ "select(.a < .b)", "{\"a\":{\"a\":2},\"b\":{\"a\":1}}", 'D' },
	{ "select(.a > .b)", "{\"a\":[[1,{\"x\":2}]],\"b\":[[1,{\"x\":1}]]}",
	  'P' },
	/* and, or, not */
	{ "select(.a and .b)", "{\"a\":1,\"b\":null}", 'D' },
	{ "select(.a or .b)", "{\"a\":null,\"b\":0}", 'P' },
	{ "select(.a and .b or .c)", "{\"a\":1,\"c\":1}", 'P' },
	{ "select(.a or .b and .c)", "{\"a\":1}", 'P' },
	{ "select((.a or .b) and .c)", "{\"a\":1}", 'D' },
	{ "select(.a | not)", "{\"a\":false}", 'P' },
	{ "select((.a == 1) | not)", "{\"a\":1}", 'D' },
	{ "select(.a == 1 and .b == 2 | not)", "{\"a\":1,\"b\":3}", 'P' },
	{ "select(.a | not | not)", "{\"a\":[]}", 'P' },
	{ ".a == 1", "{\"a\":1}", 'B' },
	{ ".a and .b | not", "{\"a\":1,\"b\":null}", 'B' },
	/* errors, and the order jq meets them */
	{ "select(.a.b == 1)", "{\"a\":5}", 'E' },
	{ "select(.x == 1 and .a.b)", "{\"x\":2,\"a\":5}", 'D' },
	{ "select(.x == 1 or .a.b)", "{\"x\":1,\"a\":5}", 'P' },
	{ "select(.a.b == .c.d)", "{\"a\":1,\"c\":2}", 'E' },
	{ "select(.a.b and .c.d)", "{\"a\":1,\"c\":2}", 'E' },
	/* has, startswith, endswith */
	{ "select(has(\"a\"))", "{\"a\":null}", 'P' },
	{ "select(has(\"a\"))", "{\"b\":1}", 'D' },
	{ "select(has(\"\xc3\xa9\"))", "{\"\\u00e9\":1}", 'P' },
	{ "select(has(\"a\"))", "[1]", 'E' },
	{ "select(has(\"a\"))", "true", 'E' },
	{ "select(has(\"a\"))", "null", 'D' },
	{ "select(.o | has(\"k\"))", "{\"o\":{\"k\":0}}", 'P' },
	{ "select(.o | has(\"k\"))", "{\"o\":5}", 'E' },
	{ "select(.o | has(\"k\"))", "{}", 'D' },
	{ "select(.s | startswith(\"ab\"))", "{\"s\":\"abc\"}", 'P' },
	{ "select(.s | startswith(\"ab\"))", "{\"s\":\"\\u0061b\"}", 'P' },
	{ "select(.s | startswith(\"\"))", "{\"s\":\"\"}", 'P' },
	{ "select(.s | endswith(\"\xc3\xa9\"))", "{\"s\":\"caf\\u00e9\"}",
	  'P' },
	{ "select(.s | endswith(\"bc\"))", "{\"s\":\"c\"}", 'D' },
	{ "select(.s | startswith(\"a\"))", "{\"s\":1}", 'E' },
	{ "select(.s | endswith(\"a\"))", "{}", 'E' },
	{ "select(startswith(\"a\"))", "\"abc\"", 'P' },
	/* pipelines */
	{ "select(.a) | {a, b}", "{\"a\":1,\"c\":2}", 'B' },
	{ "select(.a) | .b", "{\"a\":1,\"b\":[2, 3]}", 'B' },
	{ "select(.a) | .b", "{\"a\":null,\"b\":[2, 3]}", 'D' },
	{ "select(.a) | select(.b)", "{\"a\":1,\"b\":0}", 'P' },
	{ "select(.a) | .", "{\"a\":1}", 'P' },
	{ "select(.level == \"error\") | {ts, msg: .message}",
	  "{\"ts\":12,\"level\":\"error\",\"message\":\"disk full\"}", 'B' },
	{ "select(.a) | .a.b", "{\"a\":[1]}", 'E' },
	{ ".a | select(.b > 1)", "{\"a\":{\"b\":2}}", 'B' },
	{ "select(.a) # why\n| .b", "{\"a\":1,\"b\":2}", 'B' },
	{ "select(.a) | .b | {c}", "{\"a\":1,\"b\":{\"c\":3}}", 'B' },
	{ "(.a)", "{\"a\":\"x\"}", 'B' },
	{ "null | .a", "{\"a\":1}", 'B' },
	{ "\"caf\\u00e9\"", "1", 'B' },
	{ "-1.50", "1", 'B' },
	{ "(.a == 1) | not", "{\"a\":1}", 'B' },
};

static char tmpdir[] = "/tmp/fast_test.XXXXXX";

/* write_file -- n bytes into tmpdir/name */
static void
write_file(const char *name, const char *s, size_t n)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(s, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

/* run -- a shell command's stdout into out; its exit status */
static int
run(const char *cmd, struct buf *out)
{
	char chunk[4096];
	FILE *fp;
	size_t n;
	int st;

	buf_reset(out);
	assert_non_null(fp = popen(cmd, "r"));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(out, chunk, n);
	buf_add(out, "", 0);
	st = pclose(fp);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * same -- whether two JSON texts hold the same value, as jq -cS prints
 * them both
 */
static int
same(const char *a, size_t alen, const char *b, size_t blen)
{
	struct buf both = BUF_INIT, out = BUF_INIT;
	char cmd[256], *nl;
	int eq;

	buf_add(&both, a, alen);
	buf_addc(&both, '\n');
	buf_add(&both, b, blen);
	write_file("norm", both.p, both.len);
	snprintf(cmd, sizeof(cmd), "jq -cS . < %s/norm", tmpdir);
	assert_int_equal(run(cmd, &out), 0);
	nl = strchr(out.p, '\n');
	eq = nl != NULL && strlen(nl + 1) == (size_t)(nl - out.p) + 1 &&
	    strncmp(out.p, nl + 1, (size_t)(nl - out.p)) == 0;
	if (!eq)
		print_error("jq -cS: %s", out.p);
	buf_free(&both);
	buf_free(&out);
	return eq;
}

/* read_file -- the whole of tmpdir/name into b */
static void
read_file(const char *name, struct buf *b)
{
	char path[128], chunk[4096];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	buf_reset(b);
	assert_non_null(fp = fopen(path, "r"));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(b, chunk, n);
	buf_add(b, "", 0);
	fclose(fp);
}

/*
 * check -- run d->prog on d->in with jq and with fast; 0 if the two agree
 * (same values, or the same error message) and the result has the kind
 * expected, else -1 after saying why.
 */
static int
check(const struct diff *d)
{
	struct buf jq = BUF_INIT, jqerr = BUF_INIT, out = BUF_INIT;
	struct buf err = BUF_INIT;
	struct json_error jerr;
	struct json_span rec;
	struct fast *f = NULL;
	enum fast_result r = FAST_DROP;
	const char *msg, *got;
	char cmd[256];
	size_t gotlen;
	int st, rc = -1;
	char kind = '?';

	write_file("prog", d->prog, strlen(d->prog));
	write_file("in", d->in, strlen(d->in));
	snprintf(cmd, sizeof(cmd), "jq -c -f %s/prog < %s/in 2> %s/err",
	    tmpdir, tmpdir, tmpdir);
	st = run(cmd, &jq);
	read_file("err", &jqerr);
	if ((f = fast_compile(d->prog)) == NULL) {
		print_error("%s: refused\n", d->prog);
		goto out;
	}
	if (json_validate(d->in, strlen(d->in), &rec, &jerr) == -1) {
		print_error("%s: bad input in the table\n", d->in);
		goto out;
	}
	r = fast_run(f, rec, &out, &err);
	if (st == 5) {
		msg = strstr(jqerr.p, "): ");
		msg = msg == NULL ? jqerr.p : msg + 3;
		if (jqerr.len > 0 && jqerr.p[jqerr.len - 1] == '\n')
			jqerr.p[--jqerr.len] = '\0';
		if (r != FAST_ERROR || strcmp(err.p == NULL ? "" : err.p,
		    msg) != 0) {
			print_error("%s on %s: jq error \"%s\", fast %d "
			    "\"%s\"\n", d->prog, d->in, msg, r,
			    err.p == NULL ? "" : err.p);
			goto out;
		}
		kind = 'E';
		rc = 0;
		goto out;
	}
	if (st != 0) {
		print_error("%s on %s: jq exit %d: %s\n", d->prog, d->in, st,
		    jqerr.p);
		goto out;
	}
	if (jq.len == 0) {
		if (r != FAST_DROP) {
			print_error("%s on %s: jq drops, fast %d\n", d->prog,
			    d->in, r);
			goto out;
		}
		kind = 'D';
		rc = 0;
		goto out;
	}
	if (r != FAST_PASS && r != FAST_BUILT) {
		print_error("%s on %s: jq gives %s, fast %d %s\n", d->prog,
		    d->in, jq.p, r, err.p == NULL ? "" : err.p);
		goto out;
	}
	got = r == FAST_PASS ? rec.p : out.p;
	gotlen = r == FAST_PASS ? rec.len : out.len;
	if (jq.p[jq.len - 1] == '\n')
		jq.p[--jq.len] = '\0';
	if (!same(jq.p, jq.len, got, gotlen)) {
		print_error("%s on %s: jq gives %s, fast %.*s\n", d->prog,
		    d->in, jq.p, (int)gotlen, got);
		goto out;
	}
	kind = r == FAST_PASS ? 'P' : 'B';
	rc = 0;
out:
	if (rc == 0 && kind != d->kind) {
		print_error("%s on %s: %c expected, fast gives %c\n", d->prog,
		    d->in, d->kind, kind);
		rc = -1;
	}
	fast_free(f);
	buf_free(&jq);
	buf_free(&jqerr);
	buf_free(&out);
	buf_free(&err);
	return rc;
}

static void
test_accepts(void **state)
{
	struct fast *f;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		if ((f = fast_compile(accepted[i])) == NULL) {
			print_error("refused: %s\n", accepted[i]);
			bad++;
		}
		fast_free(f);
	}
	assert_int_equal(bad, 0);
}

static void
test_refuses(void **state)
{
	struct fast *f;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if ((f = fast_compile(refused[i])) != NULL) {
			print_error("accepted: %s\n", refused[i]);
			bad++;
		}
		fast_free(f);
	}
	assert_int_equal(bad, 0);
}

static void
test_against_jq(void **state)
{
	size_t i;
	int bad = 0;

	(void)state;
	if (system("jq --version > /dev/null 2>&1") != 0)
		skip();
	for (i = 0; i < sizeof(diffs) / sizeof(diffs[0]); i++)
		if (check(&diffs[i]) == -1)
			bad++;
	assert_int_equal(bad, 0);
}

/* the buffers are reused: a second record gives a clean answer */
static void
test_reuse(void **state)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct json_error jerr;
	struct json_span rec;
	struct fast *f;
	const char *in[] = { "{\"a\":1,\"b\":2}", "{\"a\":0,\"b\":5}" };
	int i;

	(void)state;
	assert_non_null(f = fast_compile("select(.a > 0) | {b}"));
	for (i = 0; i < 1000; i++) {
		buf_reset(&out);
		assert_int_equal(json_validate(in[i % 2], strlen(in[i % 2]),
		    &rec, &jerr), 0);
		assert_int_equal(fast_run(f, rec, &out, &err),
		    i % 2 == 0 ? FAST_BUILT : FAST_DROP);
		if (i % 2 == 0)
			assert_string_equal(out.p, "{\"b\":2}");
	}
	assert_int_equal(err.len, 0);
	fast_free(f);
	fast_free(NULL);
	buf_free(&out);
	buf_free(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_against_jq),
		cmocka_unit_test(test_reuse),
	};
	char path[128];
	int rc;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(path, sizeof(path), "rm -rf %s", tmpdir);
	if (system(path) != 0)
		rc = 1;
	return rc;
}
