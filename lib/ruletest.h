#ifndef RULETEST_H
#define RULETEST_H
/*
 * ruletest -- stream-alert --test: offline rule tests in the spirit of
 * promtool test rules.  A test file (YAML) names a rule file (or uses
 * the one given with -r) and lists tests, each with input records and the
 * alerts expected from them:
 *
 *   rules: bruteforce.yaml          # optional, relative to this file
 *   tests:
 *     - name: five failures in a minute fire once
 *       input: |                    # NDJSON, one record per line; or
 *         {"ts":"2026-01-01T00:00:00Z","event":"login_failed","user":"bob"}
 *       input_file: logins.ndjson   # relative to this file
 *       expect:                     # in order; [] means nothing fires
 *         - {alert: ssh-bruteforce, state: firing, key: {user: bob}}
 *
 * Each expected alert must be a subset of the alert written in its place
 * (objects: every member given matches; arrays: same length, each element
 * a subset; numbers equal by value; YAML core schema types plain
 * scalars), and there must be exactly as many alerts as expected.
 * Output is TAP: "ok N - FILE: NAME", or "not ok" with the expected and
 * actual alerts as "# " comment lines; the plan "1..N" comes last.
 */
#include <stdio.h>

#include "buf.h"
#include "rules.h"

/* Runs rules over input (NDJSON), appending the alerts (NDJSON) to out:
 * 0, or -1 with why in err.  stream-alert passes alert_run_text. */
typedef int (*ruletest_run_fn)(void *arg, const struct rules *,
    const char *input, size_t len, struct buf *out, struct buf *err);

struct ruletest {
	FILE		*tap;		/* where TAP goes (stdout) */
	ruletest_run_fn	 run;
	void		*arg;
	const struct rules *rules;	/* from -r, or NULL */
	int		 n, failed;	/* tests run, tests failed */
};

int	ruletest_file(struct ruletest *, const char *path, struct buf *err);
				/* run every test in the file: 0 (passes
				 * and failures counted), or -1 if the file
				 * or a rule file it names is bad ("PATH:LINE:
				 * COL: msg" lines in err) */
void	ruletest_plan(struct ruletest *);	/* "1..N" */

#endif
