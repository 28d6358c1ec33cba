/*
 * rules_test -- stream-alert's rule files: loading, defaults, canonical
 * form, every mistake with its place, and "did you mean".  Reads
 * tests/rules/all-types.yaml and the files in tests/rules/bad, from the
 * repo root.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "rules.h"
#include "suggest.h"
#include "ts.h"

#define RULES_DIR	"tests/rules"
#define MIN		(60 * TS_SECOND)

struct mistake {
	const char	*yaml;
	const char	*want;		/* the whole report */
};

static const struct rule *find(const struct rules *, const char *);
static int	load(struct rules *, const char *, struct buf *);
static void	check_one(const char *, const char *);

/* load -- rules_load_text of a string, named "rules.yaml" */
static int
load(struct rules *rs, const char *yaml, struct buf *err)
{
	buf_reset(err);
	return rules_load_text(rs, "rules.yaml", yaml, strlen(yaml), err);
}

static const struct rule *
find(const struct rules *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->r[i].name, name) == 0)
			return &rs->r[i];
	fail_msg("no rule '%s'", name);
	return NULL;
}

/* check_one -- yaml fails to load with exactly the report want */
static void
check_one(const char *yaml, const char *want)
{
	struct rules rs;
	struct buf err = BUF_INIT;

	assert_int_equal(load(&rs, yaml, &err), -1);
	assert_non_null(err.p);
	assert_string_equal(err.p, want);
	assert_null(rs.r);
	assert_int_equal(rs.n, 0);
	buf_free(&err);
}

static void
test_all_types(void **state)
{
	struct rules rs;
	struct buf err = BUF_INIT;
	const struct rule *r;
	int rc;

	(void)state;
	rc = rules_load(&rs, RULES_DIR "/all-types.yaml", &err);
	if (rc != 0)
		fail_msg("%s", err.p);
	assert_int_equal(rs.n, 10);

	r = find(&rs, "admin-login");
	assert_int_equal(r->type, RULE_MATCH);
	assert_string_equal(r->where,
	    ".event == \"login_success\" and .user == \"root\"");
	assert_int_equal(r->nby, 1);
	assert_string_equal(r->by[0], ".host");
	assert_true(r->cooldown == 60 * MIN);
	assert_string_equal(r->severity, "critical");
	assert_string_equal(r->labels, "{\"page\":true,\"team\":\"security\"}");
	assert_string_equal(r->message, "root logged in on \\(.key.host)");
	assert_int_equal(r->sample, 1);
	assert_int_equal(r->line, 3);
	assert_int_equal(r->col, 5);

	r = find(&rs, "api-latency");
	assert_int_equal(r->type, RULE_THRESHOLD);
	assert_string_equal(r->agg, "p95(.latency_ms)");
	assert_true(r->window == 5 * MIN);
	assert_true(r->has_threshold);
	assert_true(r->threshold == 750);
	assert_int_equal(r->op, RULE_GT);		/* default */
	assert_true(r->for_ == 5 * MIN);
	assert_true(r->keep_firing_for == 2 * MIN);
	assert_true(r->cooldown == 0);
	assert_string_equal(r->labels, "{}");
	assert_int_equal(r->sample, 3);			/* default */

	r = find(&rs, "ssh-bruteforce");
	assert_int_equal(r->type, RULE_FREQUENCY);
	assert_true(r->window == MIN);
	assert_true(r->threshold == 5);
	assert_int_equal(r->op, RULE_GE);		/* default */
	assert_true(r->cooldown == 10 * MIN);
	assert_string_equal(r->labels, "{\"team\":\"security\"}");

	r = find(&rs, "dead-sensor");
	assert_int_equal(r->type, RULE_ABSENCE);
	assert_true(r->window == 10 * MIN);
	assert_int_equal(r->nkeys, 3);
	assert_string_equal(r->keys[0], "\"boiler-1\"");
	assert_string_equal(r->keys[1], "\"boiler-2\"");
	assert_string_equal(r->keys[2], "7");
	assert_true(r->keep_firing_for == MIN);
	assert_string_equal(r->labels, "{\"floor\":3,\"site\":\"plant-a\"}");
	assert_null(r->message);

	r = find(&rs, "new-ip-for-user");
	assert_int_equal(r->type, RULE_NEW_VALUE);
	assert_string_equal(r->field, ".src_ip");
	assert_true(r->learn == 7 * 24 * 60 * MIN);
	assert_string_equal(r->severity, "warning");	/* default */

	r = find(&rs, "botnet-users-per-ip");
	assert_int_equal(r->type, RULE_CARDINALITY);
	assert_string_equal(r->field, ".user");
	assert_true(r->threshold == 20);
	assert_int_equal(r->op, RULE_GE);		/* default */

	r = find(&rs, "card-many-countries");
	assert_int_equal(r->type, RULE_CARDINALITY);
	assert_null(r->where);
	assert_string_equal(r->field, ".geo.country");
	assert_true(r->window == 60 * MIN);

	r = find(&rs, "failed-then-success");
	assert_int_equal(r->type, RULE_SEQUENCE);
	assert_int_equal(r->nby, 2);
	assert_string_equal(r->by[1], ".src_ip");
	assert_int_equal(r->nsteps, 2);
	assert_string_equal(r->steps[0].where, ".event == \"login_failed\"");
	assert_int_equal(r->steps[0].count, 3);
	assert_string_equal(r->steps[1].where, ".event == \"login_success\"");
	assert_int_equal(r->steps[1].count, 1);		/* default */
	assert_int_equal(r->steps[1].line, 84);
	assert_int_equal(r->steps[1].col, 9);
	assert_int_equal(r->sample, 5);

	r = find(&rs, "error-rate-spike");
	assert_int_equal(r->type, RULE_SPIKE);
	assert_string_equal(r->agg, "count");		/* default */
	assert_true(r->factor == 3);
	assert_int_equal(r->direction, RULE_UP);
	assert_true(r->keep_firing_for == 10 * MIN);

	r = find(&rs, "config-changed");
	assert_int_equal(r->type, RULE_CHANGE);
	assert_string_equal(r->field, ".config_hash");
	assert_string_equal(r->severity, "info");

	rules_free(&rs);
	rules_free(&rs);		/* twice is allowed */
	buf_free(&err);
}

static void
test_defaults(void **state)
{
	struct rules rs;
	struct buf err = BUF_INIT;
	const struct rule *r;

	(void)state;
	assert_int_equal(load(&rs, "rules:\n"
	    "  - {name: s, type: spike, window: 1m, factor: 1.5}\n"
	    "  - {name: m, type: match}\n", &err), 0);
	r = &rs.r[0];
	assert_string_equal(r->agg, "count");
	assert_int_equal(r->direction, RULE_BOTH);
	assert_true(r->factor == 1.5);
	r = &rs.r[1];
	assert_null(r->where);
	assert_int_equal(r->nby, 0);
	assert_string_equal(r->severity, "warning");
	assert_string_equal(r->labels, "{}");
	assert_null(r->message);
	assert_int_equal(r->sample, 3);
	assert_string_equal(rule_type_name(RULE_NEW_VALUE), "new_value");
	assert_string_equal(rule_type_name(RULE_CHANGE), "change");
	rules_free(&rs);
	buf_free(&err);
}

static void
test_rule_json(void **state)
{
	struct rules rs;
	struct buf err = BUF_INIT, j = BUF_INIT;

	(void)state;
	assert_int_equal(load(&rs, "rules:\n"
	    "  - name: ssh-bruteforce\n"
	    "    type: frequency\n"
	    "    where: '.event == \"login_failed\"'\n"
	    "    by: [.user]\n"
	    "    window: 60s\n"
	    "    threshold: 5\n"
	    "    cooldown: 10m\n"
	    "    severity: high\n"
	    "    labels: {team: security, tier: 1}\n"
	    "    message: '\\(.key.user): \\(.value) failed logins'\n",
	    &err), 0);
	rule_json(&rs.r[0], &j);
	assert_string_equal(j.p, "{\"name\":\"ssh-bruteforce\","
	    "\"type\":\"frequency\","
	    "\"where\":\".event == \\\"login_failed\\\"\","
	    "\"by\":[\".user\"],\"window\":\"1m\",\"threshold\":5,"
	    "\"op\":\">=\",\"cooldown\":\"10m\",\"severity\":\"high\","
	    "\"labels\":{\"team\":\"security\",\"tier\":1},"
	    "\"message\":\"\\\\(.key.user): \\\\(.value) failed logins\","
	    "\"sample\":3}");
	rules_free(&rs);
	buf_free(&err);
	buf_free(&j);
}

static void
test_labels_typed(void **state)
{
	struct rules rs;
	struct buf err = BUF_INIT;

	(void)state;
	assert_int_equal(load(&rs, "rules:\n"
	    "  - name: a\n"
	    "    type: match\n"
	    "    labels: {n: 5, t: true, z: ~, u: null, s: \"5\", f: 1.50,"
	    " h: 0x10, w: yes, q: 'true', e: }\n", &err), 0);
	assert_string_equal(rs.r[0].labels, "{\"e\":null,\"f\":1.5,"
	    "\"h\":16,\"n\":5,\"q\":\"true\",\"s\":\"5\",\"t\":true,"
	    "\"u\":null,\"w\":\"yes\",\"z\":null}");
	rules_free(&rs);
	buf_free(&err);
}

static void
test_message_quotes(void **state)
{
	struct rules rs;
	struct buf err = BUF_INIT;

	(void)state;
	/* quotes outside \( ) are the message's; inside they are jq's */
	assert_int_equal(load(&rs, "rules:\n"
	    "  - name: a\n"
	    "    type: match\n"
	    "    message: 'user \"\\(.key.user)\" \\\"x\\\" "
	    "\\(.value | \"<\\(.a | tostring)>\") done'\n", &err), 0);
	rules_free(&rs);
	buf_free(&err);
}

static void
test_digest(void **state)
{
	struct rules a, b;
	struct buf err = BUF_INIT;
	const char *block =
	    "rules:\n"
	    "  - name: lat\n"
	    "    type: threshold\n"
	    "    agg: avg(.latency_ms)\n"
	    "    window: 5m\n"
	    "    threshold: 500\n"
	    "    by: .service\n"
	    "    labels:\n"
	    "      team: web\n"
	    "      tier: 2\n";
	const char *flow =
	    "rules: [{labels: {tier: 2, team: \"web\"}, threshold: 500.0,\n"
	    "  by: [.service], window: 300s, agg: avg(.latency_ms),\n"
	    "  type: threshold, name: lat, op: '>', sample: 3}]\n";
	const char *changed =
	    "rules:\n"
	    "  - name: lat\n"
	    "    type: threshold\n"
	    "    agg: avg(.latency_ms)\n"
	    "    window: 5m\n"
	    "    threshold: 501\n"
	    "    by: .service\n"
	    "    labels:\n"
	    "      team: web\n"
	    "      tier: 2\n";

	(void)state;
	assert_int_equal(load(&a, block, &err), 0);
	assert_int_equal(load(&b, flow, &err), 0);
	assert_true(a.r[0].digest == b.r[0].digest);
	rules_free(&b);
	assert_int_equal(load(&b, changed, &err), 0);
	assert_true(a.r[0].digest != b.r[0].digest);
	rules_free(&a);
	rules_free(&b);
	buf_free(&err);
}

static const struct mistake mistakes[] = {
	{ "rules:\n  - name: 'a\n",
	    "rules.yaml:3:1: found unexpected end of stream "
	    "(while scanning a quoted scalar at 2:11)\n" },
	{ "- a\n",
	    "rules.yaml:1:1: the top level must be a mapping with 'rules', "
	    "not a list\n" },
	{ "rules: []\nrule: []\n",
	    "rules.yaml:2:1: unknown top-level key 'rule' "
	    "(did you mean 'rules'?)\n" },
	{ "alerts: []\n",
	    "rules.yaml:1:1: unknown top-level key 'alerts'\n"
	    "rules.yaml:1:1: no 'rules' key\n" },
	{ "rules:\n",
	    "rules.yaml:1:7: 'rules' must be a list of rules, not empty\n" },
	{ "rules:\n  - 5\n",
	    "rules.yaml:2:5: rule 1 is not a mapping\n" },
	{ "rules:\n  - type: match\n",
	    "rules.yaml:2:5: rule 1 has no 'name'\n" },
	{ "rules:\n  - name: a\n",
	    "rules.yaml:2:5: rule 1 has no 'type'\n" },
	{ "rules:\n  - {name: a, type: match}\n  - {name: a, type: match}\n",
	    "rules.yaml:3:12: duplicate rule name 'a' (first at 2:12)\n" },
	{ "rules:\n  - name: x\n    type: frequncy\n",
	    "rules.yaml:3:11: unknown rule type 'frequncy' "
	    "(did you mean 'frequency'?)\n" },
	{ "rules:\n  - name: x\n    type: match\n    lables: {}\n",
	    "rules.yaml:4:5: unknown field 'lables' "
	    "(did you mean 'labels'?)\n" },
	{ "rules:\n  - name: x\n    type: change\n    field: .a\n"
	    "    window: 1m\n",
	    "rules.yaml:5:5: field 'window' is not used by type 'change'\n" },
	{ "rules:\n  - name: x\n    type: cardinality\n    field: .a\n",
	    "rules.yaml:3:11: rule 'x': type 'cardinality' needs 'window'\n"
	    "rules.yaml:3:11: rule 'x': type 'cardinality' needs "
	    "'threshold'\n" },
	{ "rules:\n  - name: x\n    type: absence\n    window: 1 min\n",
	    "rules.yaml:4:13: 'window': bad duration '1 min': not a duration "
	    "(e.g. 250ms, 30s, 1h30m)\n" },
	{ "rules:\n  - name: x\n    type: match\n    cooldown: -5m\n",
	    "rules.yaml:4:15: 'cooldown': bad duration '-5m': "
	    "negative duration\n" },
	{ "rules:\n  - {name: x, type: frequency, window: 1m, "
	    "threshold: \"5\"}\n",
	    "rules.yaml:2:55: 'threshold' must be a number\n" },
	{ "rules:\n  - {name: x, type: frequency, window: 1m, "
	    "threshold: 0}\n",
	    "rules.yaml:2:55: 'threshold' must be a positive integer for "
	    "type 'frequency'\n" },
	{ "rules:\n  - {name: x, type: cardinality, field: .u, window: 1m, "
	    "threshold: 3, op: '=<'}\n",
	    "rules.yaml:2:75: 'op': bad operator '=<' "
	    "(one of > >= < <= == !=)\n" },
	{ "rules:\n  - {name: x, type: spike, window: 1m, factor: 1}\n",
	    "rules.yaml:2:48: 'factor' must be greater than 1\n" },
	{ "rules:\n  - {name: x, type: spike, window: 1m, factor: 2, "
	    "direction: dwon}\n",
	    "rules.yaml:2:62: 'direction': unknown direction 'dwon' "
	    "(did you mean 'down'?)\n" },
	{ "rules:\n  - {name: x, type: match, sample: 101}\n",
	    "rules.yaml:2:36: 'sample' must be an integer from 0 to 100\n" },
	{ "rules:\n  - {name: x, type: match, sample: 2.5}\n",
	    "rules.yaml:2:36: 'sample' must be an integer from 0 to 100\n" },
	{ "rules:\n  - {name: x, type: match, where: '.a =='}\n",
	    "rules.yaml:2:35: 'where': jq does not compile: syntax error, "
	    "unexpected $end (Unix shell quoting issues?) at <top-level>, "
	    "line 1:\n" },
	{ "rules:\n  - {name: x, type: threshold, window: 1m, threshold: 1, "
	    "agg: 'sum(.a[)'}\n",
	    "rules.yaml:2:63: 'agg': jq does not compile: syntax error, "
	    "unexpected $end (Unix shell quoting issues?) at <top-level>, "
	    "line 1:\n" },
	{ "rules:\n  - {name: x, type: threshold, window: 1m, threshold: 1, "
	    "agg: 'sun(.a)'}\n",
	    "rules.yaml:2:63: 'agg': unknown function 'sun' "
	    "(did you mean 'sum'?)\n" },
	{ "rules:\n  - {name: x, type: match, message: 'a \"\\(.b\" c'}\n",
	    "rules.yaml:2:37: 'message': '\\(' is not closed by ')'\n" },
	{ "rules:\n  - {name: x, type: match, message: 'a \\q'}\n",
	    "rules.yaml:2:37: 'message': jq does not compile: Invalid escape "
	    "at line 1, column 4 (while parsing '\"\\q\"') at <top-level>, "
	    "line 1:\n" },
	{ "rules:\n  - {name: x, type: match, message: 'a \\'}\n",
	    "rules.yaml:2:37: 'message': ends in a lone '\\'\n" },
	{ "rules:\n  - {name: x, type: match, severity: [high]}\n",
	    "rules.yaml:2:38: 'severity' must be a scalar, not a list\n" },
	{ "rules:\n  - {name: x, type: match, type: change}\n",
	    "rules.yaml:2:28: duplicate key 'type' (first at 2:15)\n" },
	{ "rules:\n  - {name: x, type: match, labels: {a: {b: 1}}}\n",
	    "rules.yaml:2:40: label 'a' must be a scalar, not a mapping\n" },
	{ "rules:\n  - {name: x, type: sequence, window: 1m, "
	    "steps: [{where: .a, cuont: 2}]}\n",
	    "rules.yaml:2:63: unknown step field 'cuont' "
	    "(did you mean 'count'?)\n" },
	{ "rules:\n  - {name: x, type: sequence, window: 1m, "
	    "steps: [{count: 2}]}\n",
	    "rules.yaml:2:51: step 1 has no 'where'\n" },
	{ "rules:\n  - {name: x, type: new_value, field: '.a |'}\n",
	    "rules.yaml:2:39: 'field': jq does not compile: syntax error, "
	    "unexpected $end (Unix shell quoting issues?) at <top-level>, "
	    "line 1:\n" },
	{ "rules: []\n---\nrules: []\n",
	    "rules.yaml:3:1: only one YAML document is allowed\n" },
	{ "rules:\n  - {name: x, type: }\n",
	    "rules.yaml:2:21: 'type' has no value\n" },
	{ "rules:\n  - {name: , type: match}\n",
	    "rules.yaml:2:12: 'name' has no value\n" },
};

static void
test_mistakes(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(mistakes) / sizeof(mistakes[0]); i++)
		check_one(mistakes[i].yaml, mistakes[i].want);
}

static void
test_many_mistakes(void **state)
{
	struct buf yaml = BUF_INIT, err = BUF_INIT;
	struct rules rs;
	char *p, *q;
	int i, lines;

	(void)state;
	check_one("rules:\n"
	    "  - name: ssh\n"
	    "    type: frequncy\n"
	    "    windw: 1m\n"
	    "  - name: ssh\n"
	    "    type: match\n"
	    "    sample: -1\n"
	    "    where: '.a ==='\n"
	    "  - type: threshold\n"
	    "    agg: avg(.x)\n",
	    "rules.yaml:3:11: unknown rule type 'frequncy' "
	    "(did you mean 'frequency'?)\n"
	    "rules.yaml:4:5: unknown field 'windw' (did you mean 'window'?)\n"
	    "rules.yaml:5:11: duplicate rule name 'ssh' (first at 2:11)\n"
	    "rules.yaml:7:13: 'sample' must be an integer from 0 to 100\n"
	    "rules.yaml:8:12: 'where': jq does not compile: syntax error, "
	    "unexpected '=' (Unix shell quoting issues?) at <top-level>, "
	    "line 1:\n"
	    "rules.yaml:9:5: rule 3 has no 'name'\n"
	    "rules.yaml:9:11: rule 3: type 'threshold' needs 'window'\n"
	    "rules.yaml:9:11: rule 3: type 'threshold' needs 'threshold'\n");

	/* 60 mistakes: 50 told, then how many more */
	buf_adds(&yaml, "rules:\n");
	for (i = 0; i < 60; i++)
		buf_printf(&yaml, "  - {name: r%d, type: match, bad: 1}\n", i);
	assert_int_equal(load(&rs, yaml.p, &err), -1);
	for (lines = 0, p = err.p; (q = strchr(p, '\n')) != NULL; p = q + 1)
		lines++;
	assert_int_equal(lines, 51);
	assert_non_null(strstr(err.p, "rules.yaml:51:30: unknown field 'bad'\n"
	    "rules.yaml: 10 more mistakes not shown\n"));
	buf_free(&err);
	buf_free(&yaml);
}

static void
test_bad_files(void **state)
{
	char path[512], line[512], want[1024];
	struct buf err = BUF_INIT;
	struct rules rs;
	struct dirent *d;
	size_t len, n = 0;
	FILE *fp;
	DIR *dir;

	(void)state;
	assert_non_null(dir = opendir(RULES_DIR "/bad"));
	while ((d = readdir(dir)) != NULL) {
		len = strlen(d->d_name);
		if (len < 6 || strcmp(d->d_name + len - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), RULES_DIR "/bad/%s", d->d_name);
		assert_non_null(fp = fopen(path, "r"));
		assert_non_null(fgets(line, sizeof(line), fp));
		fclose(fp);
		if (strncmp(line, "# expect: ", 10) != 0)
			fail_msg("%s: no '# expect:' line", path);
		snprintf(want, sizeof(want), "%s:%s", path, line + 10);
		buf_reset(&err);
		if (rules_load(&rs, path, &err) != -1)
			fail_msg("%s: loaded", path);
		/* the first mistake told is the one expected */
		if (strncmp(err.p, want, strlen(want)) != 0)
			fail_msg("%s: want %sgot %s", path, want, err.p);
		n++;
	}
	closedir(dir);
	assert_true(n >= 15);
	buf_free(&err);
}

static void
test_no_file(void **state)
{
	struct rules rs;
	struct buf err = BUF_INIT;

	(void)state;
	assert_int_equal(rules_load(&rs, RULES_DIR "/no-such.yaml", &err), -1);
	assert_string_equal(err.p,
	    RULES_DIR "/no-such.yaml: No such file or directory\n");
	assert_null(rs.r);
	assert_int_equal(rs.n, 0);
	buf_free(&err);
}

static void
test_suggest(void **state)
{
	static const char *const types[] = {
		"match", "threshold", "frequency", "absence", "new_value",
		"cardinality", "sequence", "spike", "change"
	};
	static const char *const words[] = { "by", "op", "for", "keys" };
	static const char *const tie[] = { "abcx", "abcy" };
	const size_t nt = sizeof(types) / sizeof(types[0]);

	(void)state;
	assert_string_equal(suggest("frequnecy", types, nt), "frequency");
	assert_string_equal(suggest("frequncy", types, nt), "frequency");
	assert_string_equal(suggest("thresold", types, nt), "threshold");
	assert_string_equal(suggest("mach", types, nt), "match");
	assert_string_equal(suggest("spkie", types, nt), "spike");
	assert_string_equal(suggest("newvalue", types, nt), "new_value");
	assert_string_equal(suggest("cardnality", types, nt), "cardinality");
	assert_string_equal(suggest("match", types, nt), "match");
	assert_null(suggest("histogram", types, nt));
	assert_null(suggest("xyz", types, nt));
	assert_null(suggest("", types, nt));
	/* short words: one edit at most, and less than the length */
	assert_string_equal(suggest("bt", words, 4), "by");
	assert_string_equal(suggest("fro", words, 4), "for");
	assert_string_equal(suggest("key", words, 4), "keys");
	assert_null(suggest("x", words, 4));
	assert_null(suggest("fxx", words, 4));
	assert_string_equal(suggest("kyes2", words, 4), "keys");
						/* 5 bytes: 2 edits allowed */
	assert_null(suggest("zzzzz", words, 4));
	assert_string_equal(suggest("abc", tie, 2), "abcx");	/* first */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_types),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_rule_json),
		cmocka_unit_test(test_labels_typed),
		cmocka_unit_test(test_message_quotes),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_mistakes),
		cmocka_unit_test(test_many_mistakes),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_no_file),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
