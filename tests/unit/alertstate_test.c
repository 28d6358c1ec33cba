/*
 * alertstate_test -- stream-alert's --state body restored and saved
 * (alert_state_load, alert_state_save; detect_load behind them) on the
 * rules of tests/rules/all-types.yaml, read from the repo root.  A state
 * a run saves reads back to the same bytes; a damaged one, whatever its
 * lines hold, is refused as "does not read back", never taken: JSON
 * texts that go into alerts as they are (records, values, keys), times
 * beyond +-TS_LIMIT, a sequence's step, a window true ahead of the
 * windows judged, open windows out of order.  Each is an input of tests/fuzz/alertstate that
 * crashed, hung or wrote an alert that is not JSON before the checks
 * (tests/fuzz/corpus/alertstate/found-*); so is the first of the time
 * arithmetic that overflowed, which only a sanitizer sees (check-asan).
 *
 * Lines are written with ' for " (see q) to keep them readable.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "alert.h"
#include "buf.h"
#include "loop.h"

#define RULES	"tests/rules/all-types.yaml"
#define NULLS9	"'t':[null,null,null,null,null,null,null,null,null]"

static struct alert_opts o;
static struct loop	l;
static struct alert	a;
static struct buf	fresh;		/* the body of a state with no keys */

static int	setup(void **);
static int	teardown(void **);
static char	*q(const char *);
static int	restore(const char *, const char *, const char *,
		    struct buf *);
static void	good(const char *, const char *);
static void	bad(const char *, const char *, const char *);

static int
setup(void **state)
{
	struct buf err = BUF_INIT;
	int fd;

	(void)state;
	alert_opts_init(&o);
	o.rules = RULES;
	if (loop_open(&l, "alertstate_test", &o.common, alert_record,
	    &a) == -1 || (fd = open("/dev/null", O_WRONLY)) == -1)
		return -1;
	l.out.fd = fd;
	if ((l.diag.err = fdopen(fd, "w")) == NULL)
		return -1;
	if (alert_open(&a, &o, &l, &err) == -1) {
		fprintf(stderr, "%s\n", err.p);
		return -1;
	}
	alert_state_save(&a, &fresh);
	buf_free(&err);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	alert_close(&a);
	buf_free(&fresh);
	return 0;
}

/* q -- s with every ' made a ", as a new string */
static char *
q(const char *s)
{
	char *t, *p;

	assert_non_null(t = strdup(s));
	for (p = t; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return t;
}

/*
 * restore -- a body: head (NULL: no time yet), then the lines of a fresh
 * save with keyline (q'd) after the line of rule, whose count of keys is
 * made 1; restored, its result, the body in body
 */
static int
restore(const char *head, const char *rule, const char *keyline,
    struct buf *body)
{
	struct buf err = BUF_INIT;
	const char *p, *nl;
	char *h, *k, want[128];
	int rc, put = 0;

	h = q(head != NULL ? head : "{'maxt':null,'wm':null}");
	k = q(keyline);
	snprintf(want, sizeof(want), "{\"rule\":\"%s\",", rule);
	buf_reset(body);
	buf_adds(body, h);
	buf_addc(body, '\n');
	p = strchr(fresh.p, '\n') + 1;		/* the fresh head goes */
	for (; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (strncmp(p, want, strlen(want)) != 0) {
			buf_add(body, p, (size_t)(nl - p + 1));
			continue;
		}
		/* "keys":0} is the count a save writes, not read back */
		buf_add(body, p, (size_t)(nl - p - 2));
		buf_printf(body, "1}\n%s\n", k);
		put = 1;
	}
	assert_true(put);
	rc = alert_state_load(&a, "s", body->p, body->len, &err);
	if (rc == -1)
		assert_non_null(strstr(err.p, "does not read back"));
	free(h);
	free(k);
	buf_free(&err);
	return rc;
}

/* good -- keyline restores under rule, and saves back as it was */
static void
good(const char *rule, const char *keyline)
{
	struct buf body = BUF_INIT, saved = BUF_INIT;

	if (restore(NULL, rule, keyline, &body) != 0)
		fail_msg("refused: %s", body.p);
	alert_state_save(&a, &saved);
	assert_string_equal(saved.p, body.p);
	buf_free(&body);
	buf_free(&saved);
}

/* bad -- the body with head and keyline is refused */
static void
bad(const char *head, const char *rule, const char *keyline)
{
	struct buf body = BUF_INIT;

	if (restore(head, rule, keyline, &body) != -1)
		fail_msg("taken: %s", body.p);
	buf_free(&body);
}

/* A key of each kind, as runs saved them, reads back to the same bytes */
static void
test_round_trip(void **state)
{
	(void)state;
	good("admin-login", "{'k':'\\'db-1\\'','f':[0,0,0,0,0,0],"
	    "'t':[1795602000000000000,null,null,null,null,null,null,null,"
	    "null],'pv':null,'s':[],'ts':[],'w':[]}");
	good("ssh-bruteforce", "{'k':'\\'bob\\'','f':[0,0,0,0,0,0],"
	    NULLS9 ",'pv':null,'s':[[1795600840000000000,0,"
	    "'{\\'user\\':\\'bob\\'}']],'ts':[1795600840000000000],'w':[]}");
	good("failed-then-success", "{'k':'\\'bob\\'\\nnull','f':[0,0,0,0,1,"
	    "0],"NULLS9",'pv':null,'s':[],'ts':[1,2,3],'w':[]}");
	good("config-changed", "{'k':'\\'sw-1\\'','f':[0,0,0,0,0,0],"
	    NULLS9 ",'pv':null,'s':[],'ts':[],'w':[],'lv':'\\'a1f3\\''}");
	good("api-latency", "{'k':'\\'eu\\'','f':[0,0,0,0,0,0]," NULLS9
	    ",'pv':null,'s':[],'ts':[],'w':[[1795601100000000000,[1,{'n':1,"
	    "'z':0,'min':900,'max':900,'p':[341,1],'m':[]}],"
	    "['{\\'latency_ms\\':900}']]]}");
	good("ssh-bruteforce", "{'k':'\\'bob\\'','f':[0,0,0,0,0,0],"
	    NULLS9 ",'pv':null,'s':[],'ts':[4611686018427387904],'w':[]}");
	good("error-rate-spike", "{'k':'\\'api\\'','f':[1,0,0,0,0,0],"
	    "'t':[1795601100000000000,null,null,1795601100000000000,"
	    "1795601100000000000,null,null,null,1795601100000000000],'pv':1,"
	    "'s':[],'ts':[],'w':[]}");
}

/*
 * Texts that alerts carry as they are must be JSON: records kept as
 * samples (an alert written with one was not JSON), values, and keys:
 * the rule's by values, one a line (put_key read past the end of a key
 * with fewer lines)
 */
static void
test_json_texts(void **state)
{
	(void)state;
	bad(NULL, "ssh-bruteforce", "{'k':'\\'bob\\'','f':[0,0,0,0,0,0],"
	    NULLS9 ",'pv':null,'s':[[1795600840000000000,0,"
	    "'{\\'user\\')\\'bob\\'}']],'ts':[1795600840000000000],'w':[]}");
	bad(NULL, "api-latency", "{'k':'\\'eu\\'','f':[0,0,0,0,0,0]," NULLS9
	    ",'pv':null,'s':[],'ts':[],'w':[[1795601100000000000,[1,{'n':1,"
	    "'z':0,'min':900,'max':900,'p':[341,1],'m':[]}],['{']]]}");
	bad(NULL, "config-changed", "{'k':'\\'sw-1\\'','f':[0,0,0,0,0,0],"
	    NULLS9 ",'pv':null,'s':[],'ts':[],'w':[],'lv':'a1f3'}");
	bad(NULL, "ssh-bruteforce", "{'k':'bob','f':[0,0,0,0,0,0],"
	    NULLS9 ",'pv':null,'s':[],'ts':[1],'w':[]}");
	bad(NULL, "failed-then-success", "{'k':'\\'bob\\'','f':[0,0,0,0,0,"
	    "1]," NULLS9 ",'pv':null,'s':[],'ts':[1],'w':[]}");
	bad(NULL, "failed-then-success", "{'k':'\\'bob\\'\\nnull\\nnull',"
	    "'f':[0,0,0,0,0,1]," NULLS9 ",'pv':null,'s':[],'ts':[1],'w':[]}");
}

/* Times are within +-TS_LIMIT (2^62), as the run's are: a time plus a
 * duration overflowed in key_due */
static void
test_time_range(void **state)
{
	(void)state;
	bad(NULL, "ssh-bruteforce", "{'k':'\\'bob\\'','f':[0,0,0,0,0,0],"
	    NULLS9 ",'pv':null,'s':[],'ts':[9223372036854775000],'w':[]}");
	bad(NULL, "ssh-bruteforce", "{'k':'\\'bob\\'','f':[0,0,0,0,0,0],"
	    NULLS9 ",'pv':null,'s':[],'ts':[4611686018427387905],'w':[]}");
	bad(NULL, "ssh-bruteforce", "{'k':'\\'bob\\'','f':[0,0,0,0,0,0],"
	    "'t':[-4611686018427387905,null,null,null,null,null,null,null,"
	    "null],'pv':null,'s':[],'ts':[],'w':[]}");
	bad("{'maxt':9223372036854775000,'wm':null}", "ssh-bruteforce",
	    "{'k':'\\'bob\\'','f':[0,0,0,0,0,0]," NULLS9 ",'pv':null,'s':[],"
	    "'ts':[],'w':[]}");
}

/* A sequence's step is one of its steps, and past the first it holds
 * the first step's matches (ts_pop ran on none) */
static void
test_sequence_step(void **state)
{
	(void)state;
	bad(NULL, "failed-then-success", "{'k':'\\'bob\\'\\nnull','f':[0,0,"
	    "0,0,1,0]," NULLS9 ",'pv':null,'s':[],'ts':[],'w':[]}");
	bad(NULL, "failed-then-success", "{'k':'\\'bob\\'\\nnull','f':[0,0,"
	    "0,0,2,0]," NULLS9 ",'pv':null,'s':[],'ts':[1,2,3],'w':[]}");
	bad(NULL, "failed-then-success", "{'k':'\\'bob\\'\\nnull','f':[0,0,"
	    "0,0,4294967297,0]," NULLS9 ",'pv':null,'s':[],'ts':[1,2,3],"
	    "'w':[]}");
	bad(NULL, "ssh-bruteforce", "{'k':'\\'bob\\'','f':[0,0,0,0,1,0],"
	    NULLS9 ",'pv':null,'s':[],'ts':[1],'w':[]}");
}

/* A window judged true (last_true) is one judged (last_eval): a firing
 * spike true a year ahead had every empty window to it judged, one at a
 * time (seconds for one restore) */
static void
test_last_true(void **state)
{
	(void)state;
	bad(NULL, "error-rate-spike", "{'k':'\\'api\\'','f':[1,0,0,0,0,0],"
	    "'t':[1795601100000000000,null,null,1795601100000000000,"
	    "1763980800000000000,null,null,null,1763980800000000000],'pv':1,"
	    "'s':[],'ts':[],'w':[]}");
	bad(NULL, "api-latency", "{'k':'\\'eu\\'','f':[1,0,0,0,0,0],"
	    "'t':[null,null,null,1795601100000000000,null,null,null,null,"
	    "null],'pv':null,'s':[],'ts':[],'w':[]}");
}

/* Open windows end after the last judged one, in order: one from the
 * past took last_eval back, and every empty window since was judged
 * again, one at a time */
static void
test_windows_order(void **state)
{
	(void)state;
	good("api-latency", "{'k':'\\'eu\\'','f':[0,0,0,0,0,0],"
	    "'t':[null,null,null,null,1795600800000000000,null,null,null,"
	    "null],'pv':null,'s':[],'ts':[],'w':[[1795600800000000000,[1,{"
	    "'n':1,'z':0,'min':900,'max':900,'p':[341,1],'m':[]}],[]],"
	    "[1795601100000000000,[1,{'n':1,'z':0,'min':900,'max':900,"
	    "'p':[341,1],'m':[]}],[]]]}");
	bad(NULL, "api-latency", "{'k':'\\'eu\\'','f':[0,0,0,0,0,0],"
	    "'t':[null,null,null,null,1795601100000000000,null,null,null,"
	    "null],'pv':null,'s':[],'ts':[],'w':[[1795600800000000000,[1,{"
	    "'n':1,'z':0,'min':900,'max':900,'p':[341,1],'m':[]}],[]]]}");
	bad(NULL, "api-latency", "{'k':'\\'eu\\'','f':[0,0,0,0,0,0],"
	    NULLS9 ",'pv':null,'s':[],'ts':[],'w':[[1795601100000000000,[1,{"
	    "'n':1,'z':0,'min':900,'max':900,'p':[341,1],'m':[]}],[]],"
	    "[1795600800000000000,[1,{'n':1,'z':0,'min':900,'max':900,"
	    "'p':[341,1],'m':[]}],[]]]}");
}

/*
 * Time arithmetic that overflowed (seen under check-asan): a pending
 * threshold restored without the start of its run (since) had e - since
 * taken when its window was judged; a sequence mid-way at the end of an
 * input of times before 1970 had INT64_MAX - ts, as the end of input
 * moves the watermark to INT64_MAX
 */
static void
test_time_arithmetic(void **state)
{
	static const char in[] = "{\"ts\":\"1969-06-01T00:00:00Z\","
	    "\"event\":\"login_failed\",\"user\":\"bob\","
	    "\"src_ip\":\"192.0.2.1\"}\n";
	struct buf body = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	struct rules rs;

	(void)state;
	assert_int_equal(restore(NULL, "api-latency", "{'k':'\\'eu\\'',"
	    "'f':[0,1,0,0,0,0]," NULLS9 ",'pv':null,'s':[],'ts':[],"
	    "'w':[[1795601100000000000,[1,{'n':1,'z':0,'min':900,'max':900,"
	    "'p':[341,1],'m':[]}],[]]]}", &body), 0);
	assert_int_equal(alert_finish(&a), LOOP_OK);
	assert_int_equal(alert_rules_load(&rs, RULES, &err), 0);
	assert_int_equal(alert_run_text(&o, &rs, in, sizeof(in) - 1, &out,
	    &err), 0);
	assert_int_equal(out.len, 0);
	rules_free(&rs);
	buf_free(&body);
	buf_free(&out);
	buf_free(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_json_texts),
		cmocka_unit_test(test_time_range),
		cmocka_unit_test(test_sequence_step),
		cmocka_unit_test(test_last_true),
		cmocka_unit_test(test_windows_order),
		cmocka_unit_test(test_time_arithmetic),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
