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
	char		 kind;	/* P pass, B built, D drop, E error, ? any */
};

static void	write_file(const char *, const char *, size_t);
static int	run(const char *, struct buf *);
static int	same(const char *, size_t, const char *, size_t);
static void	read_file(const char *, struct buf *);
static int	check(const struct diff *);
static int	check_found(const struct fast *, const struct diff *,
		    enum fast_result, const struct buf *, const struct buf *);

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
	/* duplicate top-level keys: the last wins */
	{ "{a}", "{\"a\":1,\"b\":2,\"a\":3}", 'B' },
	{ "select(.a == 2)", "{\"a\":1,\"a\":2}", 'P' },
	{ "select(.a == 1)", "{\"a\":1,\"a\":2}", 'D' },
	{ ".a.b", "{\"a\":{\"b\":1},\"a\":{\"c\":2}}", 'B' },
	{ "{x: .a.b}", "{\"a\":5,\"a\":{\"b\":1}}", 'B' },
	{ "{x: .a.b}", "{\"a\":{\"b\":1},\"a\":5}", 'E' },
	{ "select(has(\"a\")) | .a", "{\"a\":1,\"b\":2,\"a\":null}", 'B' },
	{ ".a", "{\"a\":1,\"a\":{\"x\":[1,2]}}", 'B' },
	/* escaped keys in records */
	{ "{user}", "{\"us\\u0065r\":\"x\"}", 'B' },
	{ "select(.user == \"x\")", "{\"us\\u0065r\":\"x\"}", 'P' },
	{ "select(has(\"user\"))", "{\"us\\u0065r\":1}", 'P' },
	{ ".user.name", "{\"us\\u0065r\":{\"n\\u0061me\":1}}", 'B' },
	{ ".user", "{\"user\":1,\"us\\u0065r\":2}", 'B' },
	{ ".user", "{\"us\\u0065r\":1,\"user\":2}", 'B' },
	{ ".\"a\\\"b\"", "{\"a\\u0022b\":1}", 'B' },
	{ ".\"\xc3\xa9\"", "{\"\\u00e9\":1,\"\\u00E9\":2}", 'B' },
	{ ".us", "{\"us\\u0065r\":1}", 'B' },
	{ ".\"\\u0000\"", "{\"\\u0000\":1}", 'B' },
	{ "{\"a b\", \"\"}", "{\"a\\u0020b\":1,\"\":2}", 'B' },
	/* nested keys named like top-level ones */
	{ ".a.a", "{\"a\":{\"a\":1}}", 'B' },
	{ "{a: .b.a}", "{\"b\":{\"a\":2},\"a\":1}", 'B' },
	{ "select(.a)", "{\"b\":{\"a\":1}}", 'D' },
	{ "{a}", "{\"x\":{\"a\":1}}", 'B' },
	{ "select(.a == 1)", "{\"x\":[{\"a\":1}]}", 'D' },
	{ ".a | .a", "{\"a\":{\"b\":1}}", 'B' },
	{ ".a | .a", "{\"a\":{\"a\":3},\"a\":{\"a\":4}}", 'B' },
	{ ".a | {a}", "{\"a\":{\"x\":1}}", 'B' },
	{ ".a | {b}", "{\"a\":{\"b\":1},\"b\":2}", 'B' },
	{ "select(.o | has(\"o\"))", "{\"o\":{\"x\":1}}", 'D' },
	{ "select(.o | has(\"o\"))", "{\"o\":{\"o\":null}}", 'P' },
	{ "select(.a | .a == 1)", "{\"a\":{\"a\":1}}", 'P' },
	{ "select(.a | .a == 1)", "{\"a\":1}", 'E' },
	{ ". | .a", "{\"a\":1}", 'B' },
	{ ". | select(.a) | {a}", "{\"a\":1}", 'B' },
	{ "(. | .) | select(.a | . == 1)", "{\"a\":1}", 'P' },
	{ "select(. | has(\"a\"))", "{\"a\":1}", 'P' },
	{ "null | .a", "{\"a\":1}", 'B' },
	{ "{a: .a[0], b: .[0]}", "{\"a\":[5]}", 'E' },
	{ "{k: ., a}", "{\"a\":\"x\\u007f\",\"b\":1.50}", 'B' },
	/* what put_value copies, and what it leaves to json_normal */
	{ "{a, b, c, d, e, f, g}", "{\"a\":\"x\\/y\",\"b\":1.0,\"c\":-0,"
	  "\"d\":\"\x7f\",\"e\":1e2,\"f\":12345678901234567890,"
	  "\"g\":[ 1 , \"\\u00e9\" ]}", 'B' },
	{ ".a", "{\"a\":\"\"}", 'B' },
	{ ".a", "{\"a\":-12}", 'B' },
	{ ".a", "{\"a\":false}", 'B' },
	{ ".a", "{\"a\":\"\\\"\"}", 'B' },
};

/* every program here meets every record below */
static const char *const forms[] = {
	".", ".a", ".a.b", ".[0]", ".a[0]", "{a}", "{a: .x.y}", "{a, k: .}",
	"select(.a)", "select(.a == 1)", "select(.a.b != null)",
	"select(has(\"a\"))", "select(.a | has(\"k\"))",
	"select(.s | startswith(\"a\"))", "select(startswith(\"a\"))",
	"select(.a) | {b}", "select(.a and .b)", "select(.a or has(\"b\"))",
	"select(.a | not)", ".a | .b", ". | .a", "select(has(\"a\") | not)",
};
static const char *const records[] = {
	"5", "-1.5", "0", "null", "true", "false", "[]", "[1,{\"a\":2}]",
	"\"a\"", "\"\"", "{}", "{\"a\":1}", "{\"a\":{\"b\":2,\"k\":0}}",
	"{\"a\":[1],\"x\":{\"y\":2},\"s\":\"ab\",\"b\":null}",
	"{\"a\":null,\"b\":true}",
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
	if (check_found(f, d, r, &out, &err) == -1)
		goto out;
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
	if (rc == 0 && d->kind != '?' && kind != d->kind) {
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

/*
 * check_found -- run f on d->in again, captured by json_validate_want
 * with fast_want's keys and fast_run_found; 0 if it answers r, out and
 * err exactly as fast_run did, else -1 after saying why.
 */
static int
check_found(const struct fast *f, const struct diff *d, enum fast_result r,
    const struct buf *out, const struct buf *err)
{
	struct buf out2 = BUF_INIT, err2 = BUF_INIT;
	struct json_span rec, found[JSON_WANT_MAX];
	struct json_error jerr;
	struct json_want want;
	enum fast_result r2;
	const char *o1, *o2, *e1, *e2;
	int rc = -1;

	fast_want(f, &want);
	if (json_validate_want(d->in, strlen(d->in), &rec, &jerr, &want,
	    found) == -1) {
		print_error("%s: json_validate_want refuses it\n", d->in);
		return -1;
	}
	r2 = fast_run_found(f, rec, found, &out2, &err2);
	o1 = out->p == NULL ? "" : out->p;
	o2 = out2.p == NULL ? "" : out2.p;
	e1 = err->p == NULL ? "" : err->p;
	e2 = err2.p == NULL ? "" : err2.p;
	if (r != r2 || strcmp(o1, o2) != 0 || strcmp(e1, e2) != 0)
		print_error("%s on %s: fast_run %d \"%s\" \"%s\", "
		    "fast_run_found %d \"%s\" \"%s\"\n", d->prog, d->in, r,
		    o1, e1, r2, o2, e2);
	else
		rc = 0;
	buf_free(&out2);
	buf_free(&err2);
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

/* each form on each kind of record, objects or not */
static void
test_forms(void **state)
{
	struct diff d;
	size_t i, j;
	int bad = 0;

	(void)state;
	if (system("jq --version > /dev/null 2>&1") != 0)
		skip();
	d.kind = '?';
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		for (j = 0; j < sizeof(records) / sizeof(records[0]); j++) {
			d.prog = forms[i];
			d.in = records[j];
			if (check(&d) == -1)
				bad++;
		}
	assert_int_equal(bad, 0);
}

/* want_is -- whether fast_want of prog lists the keys in keys, in order */
static int
want_is(const char *prog, const char *const *keys, int n)
{
	struct json_want want;
	struct fast *f;
	int i, ok;

	if ((f = fast_compile(prog)) == NULL) {
		print_error("refused: %s\n", prog);
		return 0;
	}
	fast_want(f, &want);
	ok = want.n == n;
	for (i = 0; ok && i < n; i++)
		ok = want.keylen[i] == strlen(keys[i]) &&
		    memcmp(want.key[i], keys[i], want.keylen[i]) == 0;
	if (!ok)
		print_error("%s: fast_want gives %d keys, %d expected\n", prog,
		    want.n, n);
	fast_free(f);
	return ok;
}

/* the keys read on the record itself, and only those */
static void
test_want(void **state)
{
	static const char *const abc[] = { "a", "c", "d" };
	static const char *const x[] = { "x" };
	static const char *const o[] = { "o" };
	static const char *const a[] = { "a" };
	static const char *const esc[] = { "a\"b", "\xc3\xa9", "" };
	static const char *const p16[] = {
		"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l",
		"m", "n", "o", "p"
	};

	(void)state;
	assert_true(want_is(".", NULL, 0));
	assert_true(want_is("select(true)", NULL, 0));
	assert_true(want_is(".[0]", NULL, 0));
	assert_true(want_is("select(startswith(\"a\"))", NULL, 0));
	assert_true(want_is("null | .a", NULL, 0));
	assert_true(want_is("select(.a.b == 1 and has(\"c\")) | "
	    "{d, e: .a.x, f: .[0], a}", abc, 3));
	assert_true(want_is(".x | {y}", x, 1));
	assert_true(want_is(".x | select(.y) | .z", x, 1));
	assert_true(want_is("select(.o | has(\"k\"))", o, 1));
	assert_true(want_is("select(.o | .p == .q)", o, 1));
	assert_true(want_is(". | (. | .) | select(.a) | {a}", a, 1));
	assert_true(want_is("select(. | .a)", a, 1));
	assert_true(want_is("{\"a\\\"b\": .[\"a\\u0022b\"], "
	    "x: .\"\\u00e9\", y: .\"\"}", esc, 3));
	assert_true(want_is("{a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p}", p16, 16));
	assert_true(want_is("{a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q}", NULL, 0));
	assert_true(want_is("select(.q) | {a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p}",
	    NULL, 0));
}

/* past JSON_WANT_MAX keys, fast_run_found reads the record */
static void
test_many(void **state)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct json_span rec, found[JSON_WANT_MAX];
	struct json_error jerr;
	struct json_want want;
	struct fast *f;
	const char *in = "{\"q\":1,\"a\":2,\"p\":3}";

	(void)state;
	assert_non_null(f = fast_compile("select(.q) | {a,b,c,d,e,f,g,h,i,j,"
	    "k,l,m,n,o,p}"));
	fast_want(f, &want);
	assert_int_equal(want.n, 0);
	assert_int_equal(json_validate_want(in, strlen(in), &rec, &jerr,
	    &want, found), 0);
	assert_int_equal(fast_run_found(f, rec, found, &out, &err),
	    FAST_BUILT);
	assert_string_equal(out.p, "{\"a\":2,\"b\":null,\"c\":null,"
	    "\"d\":null,\"e\":null,\"f\":null,\"g\":null,\"h\":null,"
	    "\"i\":null,\"j\":null,\"k\":null,\"l\":null,\"m\":null,"
	    "\"n\":null,\"o\":null,\"p\":3}");
	fast_free(f);
	buf_free(&out);
	buf_free(&err);
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
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_want),
		cmocka_unit_test(test_many),
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
