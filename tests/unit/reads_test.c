/*
 * reads_test -- unit tests for lib/reads.c.  A table of programs with
 * the expected answer, and a differential test: every program answered 1
 * (the table's and more) is run by the jq binary (1.6, $JQ or "jq") on a
 * set of objects, in full and restricted to the reported keys (in record
 * order and in reverse key order); stdout, stderr and the exit status
 * must be identical.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "json.h"
#include "reads.h"

struct row {
	const char	*prog;
	int		 want;
	const char	*keys;	/* want 1: the keys joined by '|' */
};

static void	check_row(const struct row *);
static void	quote(struct buf *, const char *, size_t);
static void	put_file(const char *, const char *);
static void	run(struct buf *, const char *);
static void	jq_result(struct buf *, const char *, const char *,
		    const char *);
static int	differ(const char *, const char *);

/* Expected answers; the keys are checked in order. */
static const struct row table[] = {
	/* the brief's examples */
	{ "select(.user//\"\"|test(\"^ali\"))|{user,n:(.bytes/1024|floor)}",
	    1, "user|bytes" },
	{ "{user, kb: (.bytes/1024|floor)}", 1, "user|bytes" },
	{ ".latency_ms * 2", 1, "latency_ms" },
	{ ".geo.country // \"none\"", 1, "geo" },
	{ "[.user, .status]", 1, "user|status" },
	{ "if .status >= 400 then \"err\" else \"ok\" end", 1, "status" },
	{ "\"\\(.user): \\(.status)\"", 1, "user|status" },
	{ ".a as $x | .b + $x", 1, "a|b" },
	{ ".a[.i]", 1, "a|i" },
	{ "{(.k): .v}", 1, "k|v" },
	{ "reduce .xs[] as $x (0; . + $x)", 1, "xs" },
	{ "try .a catch .", 1, "a" },
	{ "select(.a) | .b | length", 1, "a|b" },
	{ ".a | keys", 1, "a" },
	{ "1", 1, "" },
	{ "$__loc__ | .", 1, "" },
	/* paths and keys */
	{ ".\"a b\"", 1, "a b" },
	{ ".[\"a b\"]?", 1, "a b" },
	{ ".\"a\\u00e9\", .[\"b\\\"c\"]", 1, "a\xc3\xa9|b\"c" },
	{ "$__loc__ as $x | {\"a b\", $x, user}", 1, "a b|user" },
	{ "{if: .a, then: 1, \"x\": .b}", 1, "a|b" },
	{ "{a: .b | .c, d: .e}", 1, "b|e" },
	{ ".a? , .a.b?.c", 1, "a" },
	{ ".xs[1:2], .xs[.i:], .xs[:.i]", 1, "xs|i" },
	{ ".a[], .a[\"x\"], .a.\"y\", .a[]?", 1, "a" },
	{ "{\"x\\(.a)\": .b}", 1, "a|b" },
	{ ". | .a", 1, "a" },
	{ ".? | .a", 1, "a" },
	{ ".a # .b\n| .c", 1, "a" },
	/* operators, branches, builtins */
	{ "-.a", 1, "a" },
	{ ".a and (.b or .c)", 1, "a|b|c" },
	{ ".a | not", 1, "a" },
	{ "not", 1, "" },
	{ ".a // .b // \"none\"", 1, "a|b" },
	{ "select(.a) | select(.b) | .c", 1, "a|b|c" },
	{ "(select(.a), select(.b)) | .c", 1, "a|b|c" },
	{ "if .a then . else {} end | .b", 1, "a|b" },
	{ "first(.xs[]?), [limit(2; .xs[]?)], last(.xs[]?)", 1, "xs" },
	{ "[range(.i)], [limit(5; range(.i; 4; .c))]", 1, "i|c" },
	{ "error(.a)", 1, "a" },
	{ "try error(.a) catch .b", 1, "a" },
	{ "try error(\"x\") catch . + .b", 1, "b" },
	{ "foreach .xs[]? as $x (0; . + 1; [$x, .])", 1, "xs" },
	{ "if .a then .b elif .c then .user else .status end", 1,
	    "a|b|c|user|status" },
	{ ".a as $x | .b as $y | [$x, $y]", 1, "a|b" },
	{ ".a | if . then . else input_filename end", 1, "a" },
	{ "now, env, $ENV, empty, null, true | type", 1, "" },
	{ ".a | .b, .c", 1, "a" },
	{ "(.a | .b), .c", 1, "a|c" },
	{ "{a: 1} | .a", 1, "" },
	{ ".xs | map(. * 2) | def f: . + 1; f", 1, "xs" },
	{ ".a | @base64", 1, "a" },
	{ "[.k1,.k2,.k3,.k4,.k5,.k6,.k7,.k8,.k9,.k10,.k11,.k12,.k13,.k14,"
	    ".k15,.k16,.k1]", 1, "k1|k2|k3|k4|k5|k6|k7|k8|k9|k10|k11|k12|k13|"
	    "k14|k15|k16" },
	{ "((((((((((((((((((((.a))))))))))))))))))))", 1, "a" },
	/* the brief's refusals */
	{ ".", 0, NULL }, { "keys", 0, NULL }, { "length", 0, NULL },
	{ "tostring", 0, NULL }, { ".[]", 0, NULL }, { "..", 0, NULL },
	{ "to_entries", 0, NULL }, { "del(.a)", 0, NULL },
	{ ". as $r | $r.a", 0, NULL }, { "[.]", 0, NULL },
	{ "{a} + .", 0, NULL }, { "has(\"a\")", 0, NULL },
	{ "select(.a) | .", 0, NULL }, { "select(.a) | keys", 0, NULL },
	{ "map(.)", 0, NULL }, { "with_entries(.)", 0, NULL },
	{ "@base64", 0, NULL }, { "error", 0, NULL },
	{ "def f: .; f", 0, NULL }, { "if .a then . else 1 end", 0, NULL },
	{ ".a, .", 0, NULL }, { "path(.a)", 0, NULL },
	{ "getpath([\"a\"])", 0, NULL }, { "input", 0, NULL },
	{ "tojson", 0, NULL }, { "{(.a): .}", 0, NULL },
	/* more refusals */
	{ "", 0, NULL }, { "select(.a)", 0, NULL }, { "first(.)", 0, NULL },
	{ ".[.k]", 0, NULL }, { ".\"\\(.k)\"", 0, NULL },
	{ "{\"\\(.k)\"}", 0, NULL }, { ".[0]", 0, NULL },
	{ ".[1:]", 0, NULL }, { ".[]?", 0, NULL }, { "\"\\(.)\"", 0, NULL },
	{ ".a = 1", 0, NULL }, { ".a |= 1", 0, NULL }, { ".a += 1", 0, NULL },
	{ ".a?//1", 0, NULL }, { "label $f | .a", 0, NULL },
	{ ".a as [$x] | $x", 0, NULL }, { ".a as $x | .", 0, NULL },
	{ "reduce .xs[] as [$x] (0; .)", 0, NULL },
	{ "reduce .xs[] as $x (.; . + 1)", 0, NULL },
	{ "try . catch 1", 0, NULL }, { "error(.)", 0, NULL },
	{ ".a + .", 0, NULL }, { "if . then 1 else 2 end", 0, NULL },
	{ "if .a then 1 end", 0, NULL }, { "limit(.; .a)", 0, NULL },
	{ "import \"m\" as m; .a", 0, NULL }, { "debug | .a", 0, NULL },
	{ "type", 0, NULL }, { "@base64 \"x\\(.a)\"", 0, NULL },
	{ ".a | input", 0, NULL }, { "[.a, inputs]", 0, NULL },
	{ "try .a catch input", 0, NULL },
	{ "reduce .xs[] as $x (0; . + input)", 0, NULL },
	{ ".a | def f: input; f", 0, NULL }, { ".a | m::f", 0, NULL },
	{ ".a | [., input_line_number]", 0, NULL },
	{ "try .a as $x | $x catch 1", 0, NULL },
	{ "(.a", 0, NULL }, { ".a)", 0, NULL }, { "\"abc", 0, NULL },
	{ ".[\"\\ud800\"]", 0, NULL }, { ".[\"\\q\"]", 0, NULL },
	{ ".\"\xff\"", 0, NULL }, { "$__loc__ as $x | .", 0, NULL },
	{ "[.k1,.k2,.k3,.k4,.k5,.k6,.k7,.k8,.k9,.k10,.k11,.k12,.k13,.k14,"
	    ".k15,.k16,.k17]", 0, NULL },
};

/* More realistic or tricky programs, for the differential test only. */
static const char *const extra[] = {
	".a + .b", ".a - .b", ".a * .b", ".a / .b", ".a % .b",
	".a | tostring", "\"\\(.a)-\\(.b)\"", ".a.x", ".a[0]", ".xs[] | .v?",
	".xs | length", ".user | ascii_downcase", ".user | test(\"^al\")",
	"select(.status >= 400) | .user",
	"select(.user != null) | {user, status}", ".geo | .country?",
	"try error({x: .a}) catch .x", ".a // error(\"no a: \\(.b)\")",
	"[.a, .b] | sort", ".a as $x | $x | keys", ".a < .b", ".a == .b",
	"(.a | length) + (.b | length)", "{(.k | tostring): .v}", ".xs[.i]",
	".xs[.i:]", "[limit(.i; .xs[]?)]", "first(.xs[]?) // \"none\"",
	"reduce .xs[]? as $x (0; . + ($x | numbers? // 0))",
	".user | @sh", "{a, b} | keys", "{a, b} | to_entries",
	"[.a[]?, .b[]?] | add", ".status | tonumber? // \"bad\"",
	"[.a, .b] | map(type)", ".user // \"anon\" | ascii_upcase",
	".a.x.y?", "try (.a | tonumber) catch \"bad\"", "{user} | tojson",
	"(select(.a), select(.b)) | .user", "$__loc__ | .line",
	"\"x\" + .a", ".a | .[0]?", "(.a, .b) | tojson",
	"[.a, .b] | join(\",\")", "{user, geo} | .geo.city",
	".a | error", "error(.xs)", "try error(.xs) catch length",
	"[.xs[]?] | group_by(type) | length",
	"if (.status | type) == \"number\" and .status >= 500 "
	    "then \"5xx\" else .user end",
	".a[.b]", ".xs[.a:.b]", "{\"a b\", user} | length",
	".latency_ms | floor?", "[.user, (.bytes / 1024 | floor)] | @csv",
	"{k: .k, v: .v} | from_entries?", ".c | ltrimstr(\"z\")",
	".tags | index(\"y\")", "[.xs[]? | select(type == \"object\") | .v]",
	"reduce (.a, .b) as $x (.c; [., $x])",
};

/* Records: nested values, missing keys, nulls, extra keys, key order,
 * type mismatches that make the programs fail in many ways. */
static const char inputs[] =
    "{\"user\":\"alice\",\"status\":200,\"bytes\":2048,\"latency_ms\":12.5,"
    "\"geo\":{\"country\":\"FR\",\"city\":\"Paris\"},\"a\":1,\"b\":2,\"c\":3,"
    "\"xs\":[1,2,3],\"i\":1,\"k\":\"kk\",\"v\":\"vv\",\"tags\":[\"x\",\"y\"],"
    "\"extra\":\"zz\",\"a b\":\"sp\",\"a\\u00e9\":\"acc\"}\n"
    "{\"extra\":{\"deep\":[1,{\"x\":null}]},\"b\":\"str\",\"a\":\"A\","
    "\"user\":null,\"status\":\"404\",\"xs\":\"notarray\",\"geo\":\"nowhere\","
    "\"i\":\"q\",\"k\":5,\"v\":null}\n"
    "{}\n"
    "{\"a\":null,\"b\":null,\"c\":null,\"user\":null,\"status\":null,"
    "\"bytes\":null,\"geo\":null,\"xs\":null,\"i\":null,\"k\":null,"
    "\"v\":null}\n"
    "{\"geo\":{\"country\":null},\"xs\":{\"p\":1,\"q\":[2]},\"b\":[1],"
    "\"a\":{\"x\":1,\"y\":[true]},\"i\":-1,\"bytes\":\"big\",\"status\":503,"
    "\"user\":\"ALICE\",\"k\":\"key\",\"v\":{\"n\":1},\"zzz\":[1,2,3]}\n"
    "{\"status\":500,\"user\":\"alina\",\"bytes\":0,\"xs\":[],\"a\":[1,2],"
    "\"b\":[3],\"c\":{\"d\":4},\"i\":0,\"latency_ms\":-3}\n"
    "{\"user\":\"al\\u00e9\",\"a b\":1,\"a\\u00e9\":2,\"b\\\"c\":3,"
    "\"tags\":[],\"a\":\"x\",\"b\":\"y\",\"c\":\"z\",\"k\":\"\\u00e9\","
    "\"v\":\"\\u0000\"}\n"
    "{\"zzz\":1,\"yyy\":[1,2],\"extra\":{\"user\":\"nested\",\"a\":1}}\n"
    "{\"a\":1e3,\"b\":-0.5,\"i\":2,\"xs\":[{\"v\":1},{\"v\":2},{\"v\":3}],"
    "\"c\":1.5,\"status\":404,\"bytes\":1048576,\"latency_ms\":0.001}\n"
    "{\"a\":true,\"b\":false,\"k\":null,\"v\":{\"n\":1},\"c\":\"c\","
    "\"user\":\"bob\",\"status\":200,\"i\":1.5,"
    "\"xs\":[null,false,\"s\",[1],{\"a\":1}],\"k17\":1,\"k3\":[3]}\n";

static char	 dir[] = "/tmp/reads_test.XXXXXX";
static const char *jq;

/*
 * check_row -- reads_keys of one table row gives the expected answer.
 */
static void
check_row(const struct row *t)
{
	struct json_want w;
	struct buf scratch = BUF_INIT, got = BUF_INIT;
	int v, k;

	v = reads_keys(t->prog, &w, &scratch);
	for (k = 0; k < w.n; k++) {
		if (k > 0)
			buf_addc(&got, '|');
		buf_add(&got, w.key[k], w.keylen[k]);
	}
	if (v != t->want || (v == 1 && strcmp(got.p != NULL ? got.p : "",
	    t->keys) != 0))
		fail_msg("%s: got %d [%s], want %d [%s]", t->prog, v,
		    got.p != NULL ? got.p : "", t->want,
		    t->keys != NULL ? t->keys : "");
	if (v == 0)
		assert_int_equal(w.n, 0);
	buf_free(&scratch);
	buf_free(&got);
}

static void
test_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_row(&table[i]);
	print_message("%zu table rows\n", sizeof(table) / sizeof(table[0]));
	assert_true(sizeof(table) / sizeof(table[0]) >= 60);
}

/* keys are appended after the caller's bytes; a refusal leaves them */
static void
test_scratch(void **state)
{
	struct json_want w;
	struct buf b = BUF_INIT;

	(void)state;
	buf_adds(&b, "mine");
	assert_int_equal(reads_keys(".a + .[\"b\\n\"] + .a", &w, &b), 1);
	assert_int_equal(w.n, 2);
	assert_memory_equal(w.key[0], "a", 1);
	assert_int_equal(w.keylen[1], 2);
	assert_memory_equal(w.key[1], "b\n", 2);
	assert_memory_equal(b.p, "mine", 4);
	assert_int_equal(reads_keys(".x, .y, .", &w, &b), 0);
	assert_int_equal(w.n, 0);
	assert_string_equal(b.p, "mineab\n");
	buf_free(&b);
}

/* depth is bounded: deep nesting is refused, never a stack overflow */
static void
test_deep(void **state)
{
	struct json_want w;
	struct buf b = BUF_INIT, prog = BUF_INIT;
	const char *open[] = { "(", "[", "{a:", "-", "try ", "\"\\(",
	    "if 1 then ", ".a | [" };
	const char *close[] = { ")", "]", "}", "", "", ")\"", " else 1 end",
	    "]" };
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(open) / sizeof(open[0]); i++) {
		buf_reset(&prog);
		for (k = 0; k < 100000; k++)
			buf_adds(&prog, open[i]);
		buf_adds(&prog, ".a");
		for (k = 0; k < 100000; k++)
			buf_adds(&prog, close[i]);
		assert_int_equal(reads_keys(prog.p, &w, &b), 0);
	}
	buf_reset(&prog);		/* skipped code has a stack too */
	buf_adds(&prog, ".a | ");
	for (k = 0; k < 1000; k++)
		buf_adds(&prog, "if 1 then ");
	for (k = 0; k < 1000; k++)
		buf_adds(&prog, " else 1 end");
	assert_int_equal(reads_keys(prog.p, &w, &b), 0);
	buf_reset(&prog);
	buf_adds(&prog, ".a | ");
	for (k = 0; k < 60; k++)
		buf_adds(&prog, "if 1 then ");
	for (k = 0; k < 60; k++)
		buf_adds(&prog, " else 1 end");
	assert_int_equal(reads_keys(prog.p, &w, &b), 1);
	buf_free(&prog);
	buf_free(&b);
}

/*
 * quote -- append s as a JSON string.
 */
static void
quote(struct buf *b, const char *s, size_t n)
{
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_printf(b, "\\%c", s[i]);
		else if ((unsigned char)s[i] < 0x20)
			buf_printf(b, "\\u%04x", (unsigned char)s[i]);
		else
			buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
}

/*
 * put_file -- write text to dir/name.
 */
static void
put_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/*
 * run -- the output of the shell command in cmd, appended to out.
 */
static void
run(struct buf *out, const char *cmd)
{
	char chunk[4096];
	size_t n;
	FILE *p;

	assert_non_null(p = popen(cmd, "r"));
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_add(out, chunk, n);
	assert_int_not_equal(pclose(p), -1);
}

/*
 * jq_result -- jq -c with program file prog on input file in, with
 * extra options: stdout, stderr and exit status, reset into out.
 */
static void
jq_result(struct buf *out, const char *opts, const char *prog,
    const char *in)
{
	struct buf cmd = BUF_INIT;

	buf_reset(out);
	buf_printf(&cmd, "cd %s && %s -c %s -f %s <%s >out 2>err; "
	    "echo \"rc=$?\"; cat out; echo ---; cat err", dir, jq, opts, prog,
	    in);
	run(out, cmd.p);
	buf_free(&cmd);
}

/*
 * differ -- run program p on the full inputs and on their restrictions
 * to the keys reads_keys reported.  -1 if p is not answered 1; else 1 if
 * jq told the difference (the details are printed), 0 if not.
 */
static int
differ(const char *p, const char *why)
{
	static const char *const restrict_prog[] = {
		"with_entries(select(.key as $x | any($k[]; . == $x)))",
		". as $r | reduce ($k | reverse)[] as $x ({}; "
		    "if $r | has($x) then .[$x] = $r[$x] else . end)"
	};
	struct json_want w;
	struct buf scratch = BUF_INIT, k = BUF_INIT;
	struct buf full = BUF_INIT, part = BUF_INIT;
	char *end;
	int i, bad;

	if (reads_keys(p, &w, &scratch) != 1) {
		buf_free(&scratch);
		return -1;
	}
	buf_addc(&k, '[');
	for (i = 0; i < w.n; i++) {
		if (i > 0)
			buf_addc(&k, ',');
		quote(&k, w.key[i], w.keylen[i]);
	}
	buf_addc(&k, ']');
	put_file("keys", k.p);
	put_file("prog", p);
	jq_result(&full, "", "prog", "full");
	if (strstr(full.p, "compile error") != NULL)
		fail_msg("%s (%s) does not compile: %s", p, why, full.p);
	bad = 0;
	for (i = 0; i < 2; i++) {
		put_file("restrict", restrict_prog[i]);
		jq_result(&part, "--argjson k \"$(cat keys)\"", "restrict",
		    "full");
		assert_memory_equal(part.p, "rc=0\n", 5);
		assert_non_null(end = strstr(part.p, "---\n"));
		*end = '\0';
		put_file("part", part.p + 5);
		jq_result(&part, "", "prog", "part");
		if (strcmp(full.p, part.p) != 0) {
			print_error("%s (%s) keys %s:\nfull:\n%s\npart:\n%s\n",
			    p, why, k.p, full.p, part.p);
			bad = 1;
		}
	}
	buf_free(&scratch);
	buf_free(&k);
	buf_free(&full);
	buf_free(&part);
	return bad;
}

static void
test_differential(void **state)
{
	struct buf cmd = BUF_INIT;
	size_t i;
	int n, bad, v;

	(void)state;
	if ((jq = getenv("JQ")) == NULL)
		jq = "jq";
	assert_non_null(mkdtemp(dir));
	put_file("full", inputs);
	n = bad = 0;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if ((v = differ(table[i].prog, "table")) != -1) {
			n++;
			bad |= v;
		}
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		if ((v = differ(extra[i], "extra")) == -1)
			fail_msg("extra program refused: %s", extra[i]);
		n++;
		bad |= v;
	}
	print_message("%d programs compared (%zu extra) on the records\n", n,
	    sizeof(extra) / sizeof(extra[0]));
	buf_printf(&cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd.p), 0);
	buf_free(&cmd);
	assert_int_equal(bad, 0);
}
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_scratch),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
