/*
 * ruletest_test -- stream-alert --test: passes, subset and count
 * mismatches, YAML typing of expected alerts, relative input_file and
 * rules paths, run errors, TAP numbering and escapes, and every mistake
 * in a test file with its place.  A fake run function echoes each input
 * line as an alert (a line "!why" fails the run), so nothing here needs
 * the alert engine.  Reads tests/rules/ruletest and the files in
 * tests/rules/bad-tests, from the repo root; writes a mkdtemp directory.
 */
#include <dirent.h>
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
#include "rules.h"
#include "ruletest.h"

#define RULES_DIR	"tests/rules"
#define FILES_MAX	32

struct fake {
	int		 calls;
	const struct rules *rules;	/* as last passed */
	size_t		 nrules;	/* its rules then */
};

struct result {
	int		 rc;
	int		 n, failed;
	char		*tap;
	struct buf	 err;
	struct fake	 fake;
};

static char	 dir[64];		/* the scratch directory */
static char	*made[FILES_MAX];	/* files written there */
static int	 nmade;

static int	echo_run(void *, const struct rules *, const char *, size_t,
		    struct buf *, struct buf *);
static const char *put(const char *, const char *);
static void	run(struct result *, const char *, const struct rules *);
static void	result_free(struct result *);
static void	check_tap(const char *, const char *, const char *);
static int	setup(void **);
static int	teardown(void **);

/* echo_run -- each non-blank input line is an alert; "!why" fails */
static int
echo_run(void *arg, const struct rules *rs, const char *input, size_t len,
    struct buf *out, struct buf *err)
{
	struct fake *f = arg;
	const char *end = input + len, *nl;

	f->calls++;
	f->rules = rs;
	f->nrules = rs == NULL ? 0 : rs->n;
	for (; input < end; input = nl + 1) {
		if ((nl = memchr(input, '\n', (size_t)(end - input))) == NULL)
			nl = end;
		if (nl == input)
			continue;
		if (*input == '!') {
			buf_add(err, input + 1, (size_t)(nl - input - 1));
			return -1;
		}
		buf_add(out, input, (size_t)(nl - input));
		buf_addc(out, '\n');
	}
	return 0;
}

/* put -- write text to the file name in the scratch directory: its path */
static const char *
put(const char *name, const char *text)
{
	struct buf path = BUF_INIT;
	FILE *fp;
	int i;

	buf_printf(&path, "%s/%s", dir, name);
	assert_non_null(fp = fopen(path.p, "w"));
	assert_int_equal(fputs(text, fp) == EOF, 0);
	assert_int_equal(fclose(fp), 0);
	for (i = 0; i < nmade; i++)
		if (strcmp(made[i], path.p) == 0) {
			buf_free(&path);
			return made[i];
		}
	assert_true(nmade < FILES_MAX);
	made[nmade++] = buf_detach(&path);
	return made[nmade - 1];
}

/* run -- ruletest_file of path, its TAP (and plan) and errors into res */
static void
run(struct result *res, const char *path, const struct rules *rs)
{
	struct ruletest r;
	size_t len;
	FILE *fp;

	memset(res, 0, sizeof(*res));
	assert_non_null(fp = open_memstream(&res->tap, &len));
	memset(&r, 0, sizeof(r));
	r.tap = fp;
	r.run = echo_run;
	r.arg = &res->fake;
	r.rules = rs;
	res->rc = ruletest_file(&r, path, &res->err);
	if (res->rc == 0)
		ruletest_plan(&r);
	res->n = r.n;
	res->failed = r.failed;
	assert_int_equal(fclose(fp), 0);
}

static void
result_free(struct result *res)
{
	free(res->tap);
	res->tap = NULL;
	buf_free(&res->err);
}

/*
 * check_tap -- the test file text, with a one-rule file beside it, runs
 * to exactly the TAP want, in which "@" stands for the file's path
 */
static void
check_tap(const char *name, const char *text, const char *want)
{
	struct buf w = BUF_INIT;
	struct result res;
	const char *path, *p;

	put("one.yaml", "rules:\n  - {name: r, type: match}\n");
	path = put(name, text);
	for (p = want; *p != '\0'; p++)
		if (*p == '@')
			buf_adds(&w, path);
		else
			buf_addc(&w, *p);
	run(&res, path, NULL);
	if (res.rc != 0)
		fail_msg("%s", res.err.p);
	assert_null(res.err.p);
	assert_string_equal(res.tap, w.p);
	assert_non_null(res.fake.rules);
	assert_int_equal(res.fake.nrules, 1);
	result_free(&res);
	buf_free(&w);
}

static void
test_pass(void **state)
{
	(void)state;
	check_tap("pass.yaml",
	    "rules: one.yaml\n"
	    "tests:\n"
	    "  - name: exact\n"
	    "    input: |\n"
	    "      {\"alert\":\"r\",\"state\":\"firing\"}\n"
	    "    expect:\n"
	    "      - {alert: r, state: firing}\n"
	    "  - name: a subset, in order\n"
	    "    input: |\n"
	    "      {\"alert\":\"r\",\"key\":{\"user\":\"bob\",\"host\":\"a\"},"
	    "\"value\":5,\"n\":[1,{\"x\":2,\"y\":3}]}\n"
	    "\n"
	    "      {\"alert\":\"r\",\"value\":0.5,\"labels\":{}}\n"
	    "    expect:\n"
	    "      - key: {user: bob}\n"
	    "        value: 5.0\n"
	    "        n: [1.0, {y: 3}]\n"
	    "      - {value: .5, labels: {}}\n",
	    "ok 1 - @: exact\n"
	    "ok 2 - @: a subset, in order\n"
	    "1..2\n");
}

static void
test_typed(void **state)
{
	(void)state;
	/* the YAML core schema types plain scalars; quoted ones are strings */
	check_tap("typed.yaml",
	    "rules: one.yaml\n"
	    "tests:\n"
	    "  - name: typed\n"
	    "    input: |\n"
	    "      {\"a\":null,\"b\":null,\"c\":true,\"d\":false,\"e\":16,"
	    "\"f\":15,\"g\":1000,\"h\":-2,\"i\":\"5\",\"j\":\"true\","
	    "\"k\":\"yes\",\"l\":null,\"m\":\"0x10\",\"n\":\"\","
	    "\"o\":\"a#b\"}\n"
	    "    expect:\n"
	    "      - {a: ~, b: NULL, c: True, d: FALSE, e: 0x10, f: 0o17,\n"
	    "         g: 1e3, h: -2, i: '5', j: \"true\", k: yes, l: ,\n"
	    "         m: '0x10', n: '', o: a#b}\n"
	    "  - name: a quoted number is a string\n"
	    "    input: |\n"
	    "      {\"i\":5}\n"
	    "    expect:\n"
	    "      - {i: '5'}\n"
	    "  - name: a plain true is a boolean\n"
	    "    input: |\n"
	    "      {\"t\":\"true\"}\n"
	    "    expect:\n"
	    "      - {t: true}\n",
	    "ok 1 - @: typed\n"
	    "not ok 2 - @: a quoted number is a string\n"
	    "#   alert 1: expected {\"i\":\"5\"}\n"
	    "#   got      {\"i\":5}\n"
	    "not ok 3 - @: a plain true is a boolean\n"
	    "#   alert 1: expected {\"t\":true}\n"
	    "#   got      {\"t\":\"true\"}\n"
	    "1..3\n");
}

static void
test_subset_mismatch(void **state)
{
	(void)state;
	check_tap("subset.yaml",
	    "rules: one.yaml\n"
	    "tests:\n"
	    "  - name: wrong value\n"
	    "    input: |\n"
	    "      {\"alert\":\"r\", \"key\": {\"user\": \"bob\"}}\n"
	    "      {\"alert\":\"r\",\"key\":{\"user\":\"eve\"}}\n"
	    "    expect:\n"
	    "      - {alert: r, key: {user: bob}}\n"
	    "      - {alert: r, key: {user: bob}}\n"
	    "  - name: missing member\n"
	    "    input: |\n"
	    "      {\"alert\":\"r\"}\n"
	    "    expect:\n"
	    "      - {alert: r, state: null}\n"
	    "  - name: arrays are not subsets\n"
	    "    input: |\n"
	    "      {\"n\":[1,2,3]}\n"
	    "    expect:\n"
	    "      - {n: [1, 2]}\n"
	    "  - name: types differ\n"
	    "    input: |\n"
	    "      {\"n\":{}}\n"
	    "    expect:\n"
	    "      - {n: []}\n",
	    "not ok 1 - @: wrong value\n"
	    "#   alert 2: expected "
	    "{\"alert\":\"r\",\"key\":{\"user\":\"bob\"}}\n"
	    "#   got      {\"alert\":\"r\",\"key\":{\"user\":\"eve\"}}\n"
	    "not ok 2 - @: missing member\n"
	    "#   alert 1: expected {\"alert\":\"r\",\"state\":null}\n"
	    "#   got      {\"alert\":\"r\"}\n"
	    "not ok 3 - @: arrays are not subsets\n"
	    "#   alert 1: expected {\"n\":[1,2]}\n"
	    "#   got      {\"n\":[1,2,3]}\n"
	    "not ok 4 - @: types differ\n"
	    "#   alert 1: expected {\"n\":[]}\n"
	    "#   got      {\"n\":{}}\n"
	    "1..4\n");
}

static void
test_count_mismatch(void **state)
{
	(void)state;
	check_tap("count.yaml",
	    "rules: one.yaml\n"
	    "tests:\n"
	    "  - name: one too many\n"
	    "    input: |\n"
	    "      {\"a\":1}\n"
	    "      {\"a\":2}\n"
	    "      {\"a\":3}\n"
	    "    expect:\n"
	    "      - {a: 1}\n"
	    "      - {a: 2}\n"
	    "  - name: one too few\n"
	    "    input: |\n"
	    "      {\"a\":1}\n"
	    "    expect:\n"
	    "      - {a: 1}\n"
	    "      - {a: 2}\n",
	    "not ok 1 - @: one too many\n"
	    "#   expected 2 alerts, got 3\n"
	    "#   alert 3: expected nothing\n"
	    "#   got      {\"a\":3}\n"
	    "not ok 2 - @: one too few\n"
	    "#   expected 2 alerts, got 1\n"
	    "#   alert 2: expected {\"a\":2}\n"
	    "#   got      nothing\n"
	    "1..2\n");
}

/* test_many -- at most 20 alerts that differ are shown, then a count */
static void
test_many(void **state)
{
	struct buf yaml = BUF_INIT, want = BUF_INIT;
	int i;

	(void)state;
	buf_adds(&yaml, "rules: one.yaml\ntests:\n"
	    "  - name: many\n    input: |\n");
	for (i = 1; i <= 25; i++)
		buf_printf(&yaml, "      {\"a\":%d}\n", i);
	buf_adds(&yaml, "    expect: []\n");
	buf_adds(&want, "not ok 1 - @: many\n"
	    "#   expected 0 alerts, got 25\n");
	for (i = 1; i <= 20; i++)
		buf_printf(&want, "#   alert %d: expected nothing\n"
		    "#   got      {\"a\":%d}\n", i, i);
	buf_adds(&want, "#   and 5 more alerts that differ\n1..1\n");
	check_tap("many.yaml", yaml.p, want.p);
	buf_free(&yaml);
	buf_free(&want);
}

static void
test_empty_expect(void **state)
{
	(void)state;
	check_tap("empty.yaml",
	    "rules: one.yaml\n"
	    "tests:\n"
	    "  - name: nothing fires\n"
	    "    input: |\n"
	    "      \n"
	    "    expect: []\n"
	    "  - name: no input\n"
	    "    input: ''\n"
	    "    expect: []\n"
	    "  - name: something fires\n"
	    "    input: |\n"
	    "      {\"alert\":\"r\"}\n"
	    "    expect: []\n",
	    "ok 1 - @: nothing fires\n"
	    "ok 2 - @: no input\n"
	    "not ok 3 - @: something fires\n"
	    "#   expected 0 alerts, got 1\n"
	    "#   alert 1: expected nothing\n"
	    "#   got      {\"alert\":\"r\"}\n"
	    "1..3\n");
}

static void
test_run_error(void **state)
{
	(void)state;
	check_tap("error.yaml",
	    "rules: one.yaml\n"
	    "tests:\n"
	    "  - name: the run fails\n"
	    "    input: |\n"
	    "      {\"a\":1}\n"
	    "      !line 2: not JSON\n"
	    "    expect: []\n"
	    "  - name: an alert that is not JSON\n"
	    "    input: |\n"
	    "      {\"a\":1}\n"
	    "      {\"a\":}\n"
	    "    expect: []\n"
	    "  - name: the next test runs\n"
	    "    input: ''\n"
	    "    expect: []\n",
	    "not ok 1 - @: the run fails\n"
	    "#   error: line 2: not JSON\n"
	    "not ok 2 - @: an alert that is not JSON\n"
	    "#   error: alert 2 is not JSON at column 6: unexpected '}'\n"
	    "ok 3 - @: the next test runs\n"
	    "1..3\n");
}

static void
test_tap_escape(void **state)
{
	(void)state;
	/* '#' would start a directive: "# SKIP", "# TODO" */
	check_tap("escape.yaml",
	    "rules: one.yaml\n"
	    "tests:\n"
	    "  - name: \"issue #12 \\\\ a\\tb\"\n"
	    "    input: ''\n"
	    "    expect: []\n"
	    "  - name: '# TODO not really'\n"
	    "    input: ''\n"
	    "    expect: [{}]\n",
	    "ok 1 - @: issue \\#12 \\\\ a b\n"
	    "not ok 2 - @: \\# TODO not really\n"
	    "#   expected 1 alert, got 0\n"
	    "#   alert 1: expected {}\n"
	    "#   got      nothing\n"
	    "1..2\n");
}

/* test_files -- tests/rules/ruletest: input_file and rules: relative */
static void
test_files(void **state)
{
	struct result res;

	(void)state;
	run(&res, RULES_DIR "/ruletest/pass.yaml", NULL);
	if (res.rc != 0)
		fail_msg("%s", res.err.p);
	assert_string_equal(res.tap,
	    "ok 1 - tests/rules/ruletest/pass.yaml: from a file\n"
	    "ok 2 - tests/rules/ruletest/pass.yaml: inline\n"
	    "ok 3 - tests/rules/ruletest/pass.yaml: nothing fires\n"
	    "1..3\n");
	assert_int_equal(res.n, 3);
	assert_int_equal(res.failed, 0);
	assert_int_equal(res.fake.calls, 3);
	assert_int_equal(res.fake.nrules, 10);	/* all-types.yaml */
	result_free(&res);
}

/* test_rules_given -- -r's rules, unless the file names its own */
static void
test_rules_given(void **state)
{
	struct rules given = { NULL, 0 };
	struct result res;
	const char *path;

	(void)state;
	path = put("given.yaml", "tests:\n"
	    "  - {name: a, input: '', expect: []}\n");
	run(&res, path, &given);
	assert_int_equal(res.rc, 0);
	assert_ptr_equal(res.fake.rules, &given);
	result_free(&res);

	put("two.yaml", "rules:\n  - {name: a, type: match}\n"
	    "  - {name: b, type: match}\n");
	path = put("own.yaml", "rules: two.yaml\n"
	    "tests:\n"
	    "  - {name: a, input: '', expect: []}\n");
	run(&res, path, &given);
	assert_int_equal(res.rc, 0);
	assert_ptr_not_equal(res.fake.rules, &given);
	assert_int_equal(res.fake.nrules, 2);
	result_free(&res);
}

static void
test_no_rules(void **state)
{
	struct buf want = BUF_INIT;
	struct result res;
	const char *path;

	(void)state;
	path = put("norules.yaml", "tests:\n"
	    "  - {name: a, input: '', expect: []}\n");
	run(&res, path, NULL);
	assert_int_equal(res.rc, -1);
	buf_printf(&want, "%s: no rules: give -r or a 'rules:' key\n", path);
	assert_string_equal(res.err.p, want.p);
	assert_string_equal(res.tap, "");
	assert_int_equal(res.n, 0);
	assert_int_equal(res.fake.calls, 0);
	result_free(&res);
	buf_free(&want);
}

/* test_numbering -- tests count on across files; the plan comes last */
static void
test_numbering(void **state)
{
	struct ruletest r;
	struct fake f;
	struct buf err = BUF_INIT, want = BUF_INIT;
	const char *a, *b;
	char *tap = NULL;
	size_t len;

	(void)state;
	put("one.yaml", "rules:\n  - {name: r, type: match}\n");
	a = put("a.yaml", "rules: one.yaml\ntests:\n"
	    "  - {name: x, input: '', expect: []}\n"
	    "  - {name: y, input: '', expect: [{}]}\n");
	b = put("b.yaml", "rules: one.yaml\ntests:\n"
	    "  - {name: z, input: '', expect: []}\n");
	memset(&r, 0, sizeof(r));
	memset(&f, 0, sizeof(f));
	assert_non_null(r.tap = open_memstream(&tap, &len));
	r.run = echo_run;
	r.arg = &f;
	assert_int_equal(ruletest_file(&r, a, &err), 0);
	assert_int_equal(ruletest_file(&r, b, &err), 0);
	ruletest_plan(&r);
	assert_int_equal(fclose(r.tap), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.failed, 1);
	buf_printf(&want, "ok 1 - %s: x\nnot ok 2 - %s: y\n"
	    "#   expected 1 alert, got 0\n"
	    "#   alert 1: expected {}\n"
	    "#   got      nothing\n"
	    "ok 3 - %s: z\n1..3\n", a, a, b);
	assert_string_equal(tap, want.p);
	assert_null(err.p);
	free(tap);
	buf_free(&err);
	buf_free(&want);
}

/* test_mistakes -- every mistake in a file, in its order, one a line */
static void
test_mistakes(void **state)
{
	struct buf want = BUF_INIT;
	struct result res;
	const char *path, *rpath;

	(void)state;
	rpath = put("bad-rules.yaml", "rules:\n"
	    "  - {name: r, type: mach}\n");
	path = put("mistakes.yaml",
	    "rules: bad-rules.yaml\n"
	    "tests:\n"
	    "  - name: a\n"
	    "    input: ''\n"
	    "    expect:\n"
	    "      - {value: 1e999, n: -.Inf, s: [.NaN, '.nan', .nan.]}\n"
	    "  - nmae: b\n"
	    "    expect: {}\n"
	    "  - name: c\n"
	    "    input: ''\n"
	    "    expect: [{a: {b: {c: 1, c: 2}}}]\n"
	    "    extra: 1\n");
	run(&res, path, NULL);
	assert_int_equal(res.rc, -1);
	buf_printf(&want,
	    "%1$s:6:17: '1e999' is not a JSON number (quote it for a string)\n"
	    "%1$s:6:27: '-.Inf' is not a JSON number (quote it for a string)\n"
	    "%1$s:6:38: '.NaN' is not a JSON number (quote it for a string)\n"
	    "%1$s:7:5: unknown test field 'nmae' (did you mean 'name'?)\n"
	    "%1$s:7:5: test 2 has no 'name'\n"
	    "%1$s:7:5: test 2 has no 'input' or 'input_file'\n"
	    "%1$s:8:13: 'expect' must be a list of alerts ([] if none), "
	    "not a mapping\n"
	    "%1$s:11:29: duplicate key 'c' (first at 11:23)\n"
	    "%1$s:12:5: unknown test field 'extra'\n"
	    "%2$s:2:21: unknown rule type 'mach' (did you mean 'match'?)\n",
	    path, rpath);
	assert_string_equal(res.err.p, want.p);
	assert_string_equal(res.tap, "");
	assert_int_equal(res.fake.calls, 0);
	result_free(&res);
	buf_free(&want);
}

static void
test_no_file(void **state)
{
	struct result res;

	(void)state;
	run(&res, RULES_DIR "/ruletest/no-such.yaml", NULL);
	assert_int_equal(res.rc, -1);
	assert_string_equal(res.err.p, RULES_DIR
	    "/ruletest/no-such.yaml: No such file or directory\n");
	result_free(&res);
}

/*
 * test_bad_files -- each file in tests/rules/bad-tests fails with the
 * mistake on its first line, "# expect: LINE:COL: message", told first
 */
static void
test_bad_files(void **state)
{
	char path[512], line[512], want[1024];
	struct rules given = { NULL, 0 };
	struct result res;
	struct dirent *d;
	size_t len, n = 0;
	FILE *fp;
	DIR *dp;

	(void)state;
	assert_non_null(dp = opendir(RULES_DIR "/bad-tests"));
	while ((d = readdir(dp)) != NULL) {
		len = strlen(d->d_name);
		if (len < 6 || strcmp(d->d_name + len - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), RULES_DIR "/bad-tests/%s",
		    d->d_name);
		assert_non_null(fp = fopen(path, "r"));
		assert_non_null(fgets(line, sizeof(line), fp));
		fclose(fp);
		if (strncmp(line, "# expect: ", 10) != 0)
			fail_msg("%s: no '# expect:' line", path);
		snprintf(want, sizeof(want), "%s:%s", path, line + 10);
		run(&res, path, &given);
		if (res.rc != -1)
			fail_msg("%s: loaded", path);
		if (strncmp(res.err.p, want, strlen(want)) != 0)
			fail_msg("%s: want %sgot %s", path, want, res.err.p);
		assert_string_equal(res.tap, "");
		assert_int_equal(res.n, 0);
		result_free(&res);
		n++;
	}
	closedir(dp);
	assert_true(n >= 25);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s", "/tmp/ruletest_test.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	while (nmade > 0) {
		unlink(made[--nmade]);
		free(made[nmade]);
	}
	return rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_typed),
		cmocka_unit_test(test_subset_mismatch),
		cmocka_unit_test(test_count_mismatch),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_empty_expect),
		cmocka_unit_test(test_run_error),
		cmocka_unit_test(test_tap_escape),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_rules_given),
		cmocka_unit_test(test_no_rules),
		cmocka_unit_test(test_numbering),
		cmocka_unit_test(test_mistakes),
		cmocka_unit_test(test_no_file),
		cmocka_unit_test(test_bad_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
