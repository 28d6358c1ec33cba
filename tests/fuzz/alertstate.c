/*
 * alertstate -- libFuzzer target for stream-alert's --state restore: the
 * input is the body of a state file (the lines between the header and
 * the checksummed trailer, which state_load checks and strips; the state
 * target covers those), restored with alert_state_load into an engine
 * opened once on tests/rules/all-types.yaml, one rule of each of the
 * nine types (read from the repo root, where make fuzz runs; the jq is
 * compiled once, not per input).  A body that loads saves
 * (alert_state_save) a body that loads again and saves the same bytes;
 * then the run goes on from it with a few fixed records that every rule
 * takes, and the input ends as it would without --state (alert_finish:
 * every window closes); each alert written must be a JSON object.  A
 * body that does not load says why.  Seeds: bodies of state files
 * written by stream-alert --state on the rule tests' inputs.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert.h"
#include "buf.h"
#include "json.h"
#include "loop.h"

#define RULES	"tests/rules/all-types.yaml"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_alert(void *, const char *, size_t);
static void	open_engine(void);
static void	feed(void);

/* Records after the restore, in time order, that every rule of
 * all-types.yaml takes (each has an .event string, which its sequence
 * rule needs); their times are those of most seeds */
static const char *const records[] = {
	"{\"ts\":\"2026-11-25T10:02:30Z\",\"event\":\"login_failed\","
	"\"user\":\"bob\",\"src_ip\":\"203.0.113.7\",\"host\":\"h1\","
	"\"service\":\"api\",\"region\":\"eu\",\"latency_ms\":900,"
	"\"status\":503,\"card\":\"c1\",\"geo\":{\"country\":\"DE\"},"
	"\"kind\":\"heartbeat\",\"sensor\":\"boiler-1\"}",
	"{\"ts\":\"2026-11-25T10:09:00Z\",\"event\":\"login_success\","
	"\"user\":\"root\",\"src_ip\":\"198.51.100.1\",\"host\":\"h1\","
	"\"service\":\"api\",\"region\":\"eu\",\"latency_ms\":100,"
	"\"status\":200,\"card\":\"c1\",\"geo\":{\"country\":\"FR\"},"
	"\"kind\":\"config\",\"device\":\"sw-1\",\"config_hash\":\"b7e2\"}",
};

static struct alert_opts o;
static struct loop	l;
static struct alert	a;
static int		opened;

/* check_alert -- the sink: each alert written is a JSON object */
static void
check_alert(void *arg, const char *p, size_t n)
{
	struct json_span v;
	struct json_error e;

	(void)arg;
	if (json_validate(p, n, &v, &e) != 0 || v.type != JSON_OBJECT) {
		fprintf(stderr, "alert is not a JSON object: %.*s\n", (int)n,
		    p);
		abort();
	}
}

/* open_engine -- the rules, once; output and notes to /dev/null */
static void
open_engine(void)
{
	struct buf err = BUF_INIT;
	FILE *null;
	int fd;

	alert_opts_init(&o);
	o.rules = RULES;
	if (loop_open(&l, "alertstate", &o.common, alert_record, &a) == -1 ||
	    (fd = open("/dev/null", O_WRONLY)) == -1 ||
	    (null = fdopen(fd, "w")) == NULL) {
		perror("alertstate: /dev/null");
		abort();
	}
	l.out.fd = fd;
	l.diag.err = null;	/* "rule 'x' is not in ...: dropped" */
	if (alert_open(&a, &o, &l, &err) == -1) {
		fprintf(stderr, "alertstate: %s (run from the repo root)\n",
		    err.p);
		abort();
	}
	a.sink = check_alert;
	buf_free(&err);
	opened = 1;
}

/* feed -- the records, as the loop hands them over */
static void
feed(void)
{
	struct line ln;
	struct json_span rec;
	struct json_error e;
	size_t i;

	memset(&ln, 0, sizeof(ln));
	for (i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
		ln.p = records[i];
		ln.len = strlen(records[i]);
		ln.no = i + 1;
		if (json_validate_want(ln.p, ln.len, &rec, &e, l.want,
		    l.found) != 0)
			abort();
		if (alert_record(&a, &l, &ln, rec) != LOOP_OK)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT, s1 = BUF_INIT, s2 = BUF_INIT;

	if (!opened)
		open_engine();
	if (alert_state_load(&a, "fuzz.state", (const char *)data, size,
	    &err) == -1) {
		if (err.len == 0)
			abort();
		buf_free(&err);
		return 0;
	}
	alert_state_save(&a, &s1);
	if (alert_state_load(&a, "saved.state", s1.p, s1.len, &err) == -1) {
		fprintf(stderr, "a saved state does not load: %s\n%s", err.p,
		    s1.p);
		abort();
	}
	alert_state_save(&a, &s2);
	if (s1.len != s2.len || memcmp(s1.p, s2.p, s1.len) != 0) {
		fprintf(stderr, "saved twice, the state differs:\n%s---\n%s",
		    s1.p, s2.p);
		abort();
	}
	feed();
	if (alert_finish(&a) != LOOP_OK)
		abort();
	buf_free(&err);
	buf_free(&s1);
	buf_free(&s2);
	return 0;
}
