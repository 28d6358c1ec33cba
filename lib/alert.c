/*
 * alert -- stream-alert's engine; see alert.h.  Each rule runs in a
 * struct detect (detect.h), which judges records and time; this file
 * holds what the rules share: the clock and the watermark, the order of
 * the output, the alert's JSON and message, --state, SIGHUP and --test.
 *
 * Per record: its time; then every rule judges it (where, key, values)
 * without changing anything, so that a record that fails in any rule is
 * a bad record for all; then the watermark moves and what became due is
 * written, sorted by (at, rule, key); then the rules take the record,
 * and what it causes is written in rule order.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "clock.h"
#include "detect.h"
#include "sig.h"
#include "state.h"
#include "ts.h"
#include "xalloc.h"

struct alert_run {
	struct detect	 d;
	struct program	 msg;		/* the message, as a jq string */
	int		 has_msg;
	struct buf	 wtext;		/* the window as message input */
};

struct pend {			/* an alert of a batch, to sort */
	int64_t		 at;
	size_t		 rule;
	uint64_t	 seq;
	size_t		 keyoff, keylen, off, len;
	const char	*key;
};

struct alert_eng {
	const struct rules *rs;		/* a->rules, or --test's */
	struct clock	 clock;
	struct json_want want;		/* members the scanner captures */
	struct json_span *found;	/* their values: the loop's, or ours */
	struct json_span tfound[JSON_WANT_MAX];
	int64_t		 maxt, wm;	/* largest event time; watermark */
	int64_t		 last_wall, wm_at_last;	/* --idle */
	int64_t		 next_save;	/* --state-every */
	unsigned	 since_check;
	unsigned char	*take;		/* per rule: takes this record */
	int		 batching;	/* alerts go to the batch first */
	struct pend	*pend;
	size_t		 npend, cappend;
	struct buf	 bytes;		/* the batch's alerts and keys */
	struct detect	*cur;		/* restoring: the rule of the keys */
	const char	*sname;		/* and the state's name */
	struct buf	*text, *terr;	/* --test: output, and the error */
	uint64_t	 tevicted;
	enum loop_rc	 rc;
	struct buf	 out, in, msg, smp, err;
};

static enum loop_rc	take_record(struct alert *, const struct line *,
			    struct json_span);
static void		advance(struct alert *, int64_t, int64_t);
static void		notify(void *, const struct detect *, const char *,
			    size_t, const struct notice *);
static int		build(struct alert *, const struct rules *,
			    struct alert_run **, struct json_want *,
			    struct buf *);
static void		runs_free(struct alert_run *, size_t);
static int		save_lines(struct alert *, int (*)(void *,
			    const char *, size_t), void *);
static int		save_state(struct alert *);
static void		save_due(struct alert *);
static int		restore_line(void *, uint64_t, struct json_span,
			    const char **);

void
alert_opts_init(struct alert_opts *o)
{
	memset(o, 0, sizeof(*o));
	opt_init(&o->common);
	o->exec_jobs = 4;
	o->exec_timeout = 30 * TS_SECOND;
}

int
alert_option(struct alert_opts *o, int ch, const char *arg, struct buf *why)
{
	const char *w;

	switch (ch) {
	case 'r':
		o->rules = arg;
		return 1;
	case ALERT_O_CHECK:
		o->check = 1;
		return 1;
	case ALERT_O_TEST:
		if (o->ntests == (int)(sizeof(o->tests) / sizeof(o->tests[0])))
			return (buf_adds(why, "--test: too many files"), -1);
		o->tests[o->ntests++] = arg;
		return 1;
	case ALERT_O_EXEC:
		o->exec = arg;
		return 1;
	case ALERT_O_EXEC_JOBS:
		if (opt_int(arg, 1, 1024, &o->exec_jobs) == -1)
			return (buf_adds(why, "--exec-jobs: expected a count "
			    "from 1 to 1024"), -1);
		return 1;
	case ALERT_O_EXEC_TIMEOUT:
		if (ts_parse_duration(arg, &o->exec_timeout, &w) == -1 ||
		    o->exec_timeout <= 0)
			return (buf_adds(why, "--exec-timeout: expected a "
			    "duration such as 30s"), -1);
		return 1;
	case ALERT_O_MAX_KEYS:
		if (opt_int(arg, 1, LLONG_MAX, &o->max_keys) == -1)
			return (buf_adds(why, "--max-keys: expected a positive "
			    "count"), -1);
		return 1;
	case ALERT_O_LATE:
		o->late = arg;
		return 1;
	case ALERT_O_IDLE:
		if (ts_parse_duration(arg, &o->idle, &w) == -1 || o->idle <= 0)
			return (buf_adds(why, "--idle: expected a duration "
			    "such as 1m"), -1);
		return 1;
	}
	return 0;
}

const char *
alert_check(const struct alert_opts *o)
{
	if (o->rules == NULL && o->ntests == 0)
		return "a rule file is needed: -r FILE";
	if (o->rules == NULL && o->check)
		return "--check needs -r FILE";
	if (o->check && o->ntests > 0)
		return "--check and --test: one at a time";
	if (o->common.processing_time &&
	    (strcmp(o->common.time_expr, ".ts") != 0 ||
	    o->common.time_unit != TS_UNIT_S || o->common.time_format != NULL))
		return "--processing-time does not go with --time, --time-unit "
		    "or --time-format";
	if (o->common.state_every > 0 && o->common.state == NULL)
		return "--state-every needs --state";
	return NULL;
}

int
alert_rules_load(struct rules *rs, const char *path, struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t i;
	int rc = 0;

	if (rules_load(rs, path, err) == -1)
		return -1;
	for (i = 0; i < rs->n; i++) {
		buf_reset(&why);
		if (detect_check(&rs->r[i], &why) == -1) {
			buf_printf(err, "%s:%d:%d: rule '%s': %s\n", path,
			    rs->r[i].line, rs->r[i].col, rs->r[i].name, why.p);
			rc = -1;
		}
	}
	buf_free(&why);
	if (rc == -1)
		rules_free(rs);
	return rc;
}

/*
 * message_text -- the message as a jq string literal: quotes escaped,
 * except inside \( ... ), which is jq's own (as rules.c checks it)
 */
static void
message_text(const char *s, struct buf *b)
{
	int depth = 0;

	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			if (s[1] == '(')
				depth++;
			buf_add(b, s, 2);
			s++;
		} else if (depth > 0) {
			if (*s == '(')
				depth++;
			else if (*s == ')')
				depth--;
			buf_addc(b, *s);
		} else if (*s == '"') {
			buf_adds(b, "\\\"");
		} else {
			buf_addc(b, *s);
		}
	}
	buf_addc(b, '"');
}

/* build -- a runtime for each rule, their members added to want */
static int
build(struct alert *a, const struct rules *rs, struct alert_run **out,
    struct json_want *want, struct buf *err)
{
	struct alert_eng *e = a->priv;
	struct alert_run *run;
	struct buf text = BUF_INIT;
	size_t i;

	run = xcalloc(rs->n == 0 ? 1 : rs->n, sizeof(*run));
	*out = run;
	for (i = 0; i < rs->n; i++) {
		program_init(&run[i].msg);
		if (detect_open(&run[i].d, &rs->r[i], i, want, e->found,
		    err) == -1) {
			runs_free(run, i + 1);
			*out = NULL;
			return -1;
		}
		run[i].d.notify = notify;
		run[i].d.arg = a;
		run[i].d.max_keys = a->o->max_keys;
		run[i].d.suppressed = &a->suppressed;
		run[i].d.evicted = a->loop != NULL ? &a->loop->diag.evicted :
		    &e->tevicted;
		if (rs->r[i].window > 0) {
			buf_addc(&run[i].wtext, '"');
			ts_format_duration(&run[i].wtext, rs->r[i].window);
			buf_addc(&run[i].wtext, '"');
		} else {
			buf_adds(&run[i].wtext, "null");
		}
		if (rs->r[i].message == NULL)
			continue;
		buf_reset(&text);
		message_text(rs->r[i].message, &text);
		run[i].has_msg = 1;
		if (program_compile(&run[i].msg, text.p, 0, err) == -1) {
			buf_free(&text);
			runs_free(run, i + 1);
			*out = NULL;
			return -1;
		}
	}
	buf_free(&text);
	return 0;
}

static void
runs_free(struct alert_run *run, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		detect_close(&run[i].d);
		program_free(&run[i].msg);
		buf_free(&run[i].wtext);
	}
	free(run);
}

/* engine_open -- the engine over rules rs; l NULL for --test */
static int
engine_open(struct alert *a, const struct alert_opts *o,
    const struct rules *rs, struct loop *l, struct buf *err)
{
	struct alert_eng *e;

	a->o = o;
	a->loop = l;
	a->priv = e = xcalloc(1, sizeof(*e));
	e->rs = rs;
	e->found = l != NULL ? l->found : e->tfound;
	e->maxt = e->wm = e->wm_at_last = INT64_MIN;
	e->rc = LOOP_OK;
	if (clock_open(&e->clock, &o->common, err) == -1)
		return -1;
	clock_want(&e->clock, &e->want, e->found);
	if (build(a, rs, &a->run, &e->want, err) == -1)
		return -1;
	a->nrun = rs->n;
	e->take = xcalloc(rs->n + 1, 1);
	return 0;
}

int
alert_open(struct alert *a, const struct alert_opts *o, struct loop *l,
    struct buf *err)
{
	struct alert_eng *e;

	memset(a, 0, sizeof(*a));
	if (alert_rules_load(&a->rules, o->rules, err) == -1) {
		if (err->len > 0 && err->p[err->len - 1] == '\n')
			err->p[--err->len] = '\0';
		return -1;
	}
	if (engine_open(a, o, &a->rules, l, err) == -1)
		return -1;
	e = a->priv;
	/* the want stays the loop's even when empty: a reload may fill it */
	l->want = &e->want;
	l->diag.show_evicted = o->max_keys > 0;
	e->sname = o->common.state;
	if (o->common.state != NULL && state_restore(o->common.state,
	    "stream-alert", restore_line, a, err) == -1)
		return -1;
	e->cur = NULL;
	e->next_save = ts_mono() + o->common.state_every;
	l->late = o->late;
	if (o->late != NULL && diag_late_file(&l->diag, o->late) == -1) {
		buf_printf(err, "%s: %s", o->late, strerror(errno));
		return -1;
	}
	return 0;
}

/* Output */

/* put_time -- a time as --time-output says: "RFC 3339", or a number */
static void
put_time(const struct alert *a, struct buf *b, int64_t t)
{
	enum ts_out f = a->o->common.time_output;

	if (t == TS_NONE) {
		buf_adds(b, "null");
		return;
	}
	if (f == TS_OUT_RFC3339)
		buf_addc(b, '"');
	ts_format(b, t, f);
	if (f == TS_OUT_RFC3339)
		buf_addc(b, '"');
}

/* put_key -- {"name":value,...} from the key text */
static void
put_key(const struct detect *d, const char *key, size_t len, struct buf *b)
{
	const char *p = key, *end = key + len, *nl;
	int i;

	buf_addc(b, '{');
	for (i = 0; i < d->r->nby; i++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (i > 0)
			buf_addc(b, ',');
		buf_add(b, d->byname[i].p, d->byname[i].len);
		buf_add(b, p, (size_t)(nl - p));
		p = nl + 1;
	}
	buf_addc(b, '}');
}

static int
keep_first(void *arg, const char *p, size_t n)
{
	buf_add(arg, p, n);
	return -1;
}

/*
 * message -- run the rule's message over the alert (e->in: its members
 * up to the labels), into e->msg; null if it fails, said once per alert
 */
static void
message(struct alert *a, const struct alert_run *run, const struct notice *n)
{
	struct alert_eng *e = a->priv;
	struct program *p = (struct program *)&run->msg;

	buf_adds(&e->in, ",\"start\":");
	put_time(a, &e->in, n->wstart);
	buf_adds(&e->in, ",\"end\":");
	put_time(a, &e->in, n->wend);
	buf_adds(&e->in, ",\"sample\":");
	buf_add(&e->in, e->smp.p, e->smp.len);
	buf_addc(&e->in, '}');
	buf_reset(&e->msg);
	buf_reset(&e->err);
	if (program_run(p, json_span_of(e->in.p, e->in.len), NULL,
	    keep_first, &e->msg, &e->err) == -1 || e->msg.len == 0) {
		if (e->err.len > 0 && a->loop != NULL)
			fprintf(a->loop->diag.err, "%s: rule %s: message: %s\n",
			    a->loop->diag.prog, run->d.r->name, e->err.p);
		buf_reset(&e->msg);
		buf_adds(&e->msg, "null");
	}
}

/* format -- the alert's line into e->out (CONTRACT section 7) */
static void
format(struct alert *a, const struct alert_run *run, const char *key,
    size_t keylen, const struct notice *n)
{
	struct alert_eng *e = a->priv;
	const struct rule *r = run->d.r;
	struct buf *o = &e->out;
	size_t i, head;

	buf_reset(&e->smp);
	buf_addc(&e->smp, '[');
	for (i = 0; i < n->nsample; i++) {
		if (i > 0)
			buf_addc(&e->smp, ',');
		buf_add(&e->smp, n->sample[i].p, n->sample[i].len);
	}
	buf_addc(&e->smp, ']');
	buf_reset(o);
	buf_adds(o, "{\"alert\":");
	json_put_string(o, r->name, strlen(r->name));
	buf_adds(o, n->resolved ? ",\"state\":\"resolved\",\"severity\":" :
	    ",\"state\":\"firing\",\"severity\":");
	json_put_string(o, r->severity, strlen(r->severity));
	buf_adds(o, ",\"at\":");
	put_time(a, o, n->at);
	buf_adds(o, ",\"key\":");
	put_key(&run->d, key, keylen, o);
	buf_adds(o, ",\"value\":");
	if (n->value.type == JSON_NONE)
		buf_adds(o, "null");
	else
		buf_add(o, n->value.p, n->value.len);
	if (r->type == RULE_CHANGE) {
		buf_adds(o, ",\"previous\":");
		if (n->previous.type == JSON_NONE)
			buf_adds(o, "null");
		else
			buf_add(o, n->previous.p, n->previous.len);
	}
	buf_adds(o, ",\"threshold\":");
	if (n->has_threshold)
		json_put_number(o, n->threshold);
	else
		buf_adds(o, "null");
	head = o->len;
	if (run->has_msg) {
		buf_reset(&e->in);
		buf_add(&e->in, o->p, head);
		buf_adds(&e->in, ",\"window\":");
		buf_add(&e->in, run->wtext.p, run->wtext.len);
		buf_adds(&e->in, ",\"labels\":");
		buf_adds(&e->in, r->labels);
		message(a, run, n);
	}
	buf_adds(o, ",\"window\":");
	if (n->wend == TS_NONE) {
		buf_adds(o, "null");
	} else {
		buf_adds(o, "{\"start\":");
		put_time(a, o, n->wstart);
		buf_adds(o, ",\"end\":");
		put_time(a, o, n->wend);
		buf_addc(o, '}');
	}
	buf_adds(o, ",\"labels\":");
	buf_adds(o, r->labels);
	buf_adds(o, ",\"message\":");
	if (run->has_msg)
		buf_add(o, e->msg.p, e->msg.len);
	else
		buf_adds(o, "null");
	buf_adds(o, ",\"sample\":");
	buf_add(o, e->smp.p, e->smp.len);
	buf_addc(o, '}');
}

/* deliver -- one alert line out: stdout (or --test's buffer), --exec */
static void
deliver(struct alert *a, const char *p, size_t n)
{
	struct alert_eng *e = a->priv;

	if (e->rc != LOOP_OK)
		return;
	a->alerts++;
	if (e->text != NULL) {
		buf_add(e->text, p, n);
		buf_addc(e->text, '\n');
	} else {
		e->rc = loop_emit(a->loop, p, n);
	}
	if (a->sink != NULL && e->rc == LOOP_OK)
		a->sink(a->sink_arg, p, n);
}

/* notify -- detect's callback: written now, or kept for the batch */
static void
notify(void *arg, const struct detect *d, const char *key, size_t keylen,
    const struct notice *n)
{
	struct alert *a = arg;
	struct alert_eng *e = a->priv;
	struct pend *p;

	format(a, &a->run[d->idx], key, keylen, n);
	if (!e->batching) {
		deliver(a, e->out.p, e->out.len);
		return;
	}
	if (e->npend == e->cappend) {
		e->cappend = e->cappend == 0 ? 16 : e->cappend * 2;
		e->pend = xreallocarray(e->pend, e->cappend, sizeof(*e->pend));
	}
	p = &e->pend[e->npend];
	p->at = n->at;
	p->rule = d->idx;
	p->seq = e->npend++;
	p->keyoff = e->bytes.len;
	p->keylen = keylen;
	buf_add(&e->bytes, key, keylen);
	p->off = e->bytes.len;
	p->len = e->out.len;
	buf_add(&e->bytes, e->out.p, e->out.len);
}

static int
pend_cmp(const void *pa, const void *pb)
{
	const struct pend *a = pa, *b = pb;
	size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
	int c;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	if ((c = memcmp(a->key, b->key, n)) != 0)
		return c;
	if (a->keylen != b->keylen)
		return a->keylen < b->keylen ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * advance -- the watermark is wm: what became due in every rule, sorted
 * by (at, rule, key) and written.  Silences are judged up to seen only.
 */
static void
advance(struct alert *a, int64_t wm, int64_t seen)
{
	struct alert_eng *e = a->priv;
	size_t i;

	e->batching = 1;
	for (i = 0; i < a->nrun; i++)
		detect_advance(&a->run[i].d, wm, seen);
	e->batching = 0;
	if (e->npend == 0)
		return;
	for (i = 0; i < e->npend; i++)
		e->pend[i].key = e->bytes.p + e->pend[i].keyoff;
	qsort(e->pend, e->npend, sizeof(*e->pend), pend_cmp);
	for (i = 0; i < e->npend; i++)
		deliver(a, e->bytes.p + e->pend[i].off, e->pend[i].len);
	e->npend = 0;
	buf_reset(&e->bytes);
}

/* Records */

static enum loop_rc
bad(struct alert *a, const struct line *ln, const char *msg)
{
	struct alert_eng *e = a->priv;

	if (e->text == NULL)
		return loop_bad(a->loop, ln, msg);
	buf_printf(e->terr, "input line %" PRIu64 ": %s", ln->no, msg);
	return LOOP_FAIL;
}

static enum loop_rc
take_record(struct alert *a, const struct line *ln, struct json_span rec)
{
	struct alert_eng *e = a->priv;
	const struct opt_common *c = &a->o->common;
	struct detect *d;
	int64_t t;
	size_t i;
	int rc;

	buf_reset(&e->err);
	if (clock_time(&e->clock, rec, &t, &e->err) == -1)
		return bad(a, ln, e->err.p);
	if (t < e->wm)
		return e->text != NULL ? LOOP_OK : loop_late(a->loop, ln, t,
		    e->wm);
	for (i = 0; i < a->nrun; i++) {
		d = &a->run[i].d;
		if ((rc = detect_judge(d, rec)) == -1) {
			buf_reset(&e->err);
			buf_printf(&e->err, "rule %s: %s", d->r->name,
			    d->err.p != NULL ? d->err.p : "");
			return bad(a, ln, e->err.p);
		}
		e->take[i] = (unsigned char)rc;
	}
	if (t > e->maxt)
		e->maxt = t;
	if (e->maxt - c->lateness > e->wm)
		e->wm = e->maxt - c->lateness;
	if (a->o->idle > 0 || c->processing_time)
		e->last_wall = ts_mono();
	e->wm_at_last = e->wm;
	for (i = 0; i < a->nrun; i++)
		detect_first(&a->run[i].d, t);
	advance(a, e->wm, INT64_MAX);
	for (i = 0; i < a->nrun; i++)
		if (e->take[i])
			detect_apply(&a->run[i].d, rec, t, e->wm);
	return e->rc;
}

enum loop_rc
alert_record(void *arg, struct loop *l, const struct line *ln,
    struct json_span rec)
{
	struct alert *a = arg;
	enum loop_rc rc;

	(void)l;
	rc = take_record(a, ln, rec);
	if (a->o->common.state_every > 0 &&
	    (++a->priv->since_check & 255) == 0)
		save_due(a);
	if (sig_hup && rc == LOOP_OK) {	/* after the record: its members
					 * were captured for these rules */
		sig_hup = 0;
		alert_reload(a);
	}
	return rc;
}

/*
 * alert_idle -- no input for a while: with --processing-time the clock
 * is the watermark; with --idle the watermark moves on by the time that
 * passed in silence (CONTRACT section 5), so absence fires in a quiet
 * stream.  Also --state-every and SIGHUP.
 */
void
alert_idle(void *arg)
{
	struct alert *a = arg;
	struct alert_eng *e = a->priv;
	int64_t now = ts_mono(), wm = e->wm;

	if (a->o->common.processing_time)
		wm = ts_now() - a->o->common.lateness;
	else if (a->o->idle > 0 && e->last_wall != 0 &&
	    now - e->last_wall >= a->o->idle)
		wm = e->wm_at_last + (now - e->last_wall);
	if (wm > e->wm) {
		e->wm = wm;
		if (wm > e->maxt)	/* silence was observed up to here */
			e->maxt = wm;
	}
	advance(a, e->wm, INT64_MAX);
	save_due(a);
	if (sig_hup) {
		sig_hup = 0;
		alert_reload(a);
	}
	loop_before_block(a->loop);
}

/* alert_timeout -- ms until alert_idle has something to do */
int
alert_timeout(void *arg)
{
	struct alert *a = arg;
	struct alert_eng *e = a->priv;
	int64_t end = INT64_MAX, due = INT64_MAX, ms, n;
	size_t i;

	if (sig_hup)		/* a blocked read was interrupted for it */
		return 0;
	for (i = 0; i < a->nrun; i++)
		if ((n = detect_next(&a->run[i].d)) < end)
			end = n;
	if (end != INT64_MAX) {
		if (a->o->common.processing_time)
			due = ts_mono() + (end + a->o->common.lateness -
			    ts_now());
		else if (a->o->idle > 0 && e->last_wall != 0)
			due = e->last_wall + (end - e->wm_at_last >
			    a->o->idle ? end - e->wm_at_last : a->o->idle);
	}
	if (a->o->common.state_every > 0 && e->next_save < due)
		due = e->next_save;
	if (due == INT64_MAX)
		return -1;
	ms = (due - ts_mono() + 999999) / 1000000;
	return ms < 1 ? 1 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * alert_finish -- the end of input.  Without --state the windows close
 * (the watermark goes to the end of time) but silences are judged only
 * up to the last event time; with --state the end is a pause: everything
 * is saved, nothing closes.
 */
enum loop_rc
alert_finish(struct alert *a)
{
	struct alert_eng *e = a->priv;
	struct loop *l = a->loop;

	if (e->text == NULL && a->o->common.state != NULL) {
		if (save_state(a) == 0)
			return e->rc;
		fprintf(l->diag.err, "%s: %s: %s\n", l->diag.prog,
		    a->o->common.state, strerror(errno));
		return LOOP_FAIL;
	}
	advance(a, INT64_MAX, e->maxt);
	return e->rc;
}

/*
 * alert_reload -- SIGHUP: the rule file again.  A rule whose name and
 * digest are unchanged keeps its keys; the others start afresh.  A file
 * that does not load leaves the rules as they were.
 */
void
alert_reload(struct alert *a)
{
	struct alert_eng *e = a->priv;
	struct loop *l = a->loop;
	struct rules nr;
	struct alert_run *nrun = NULL;
	struct json_want nw;
	struct buf err = BUF_INIT;
	size_t i, j, kept = 0;
	int rc;

	if (l == NULL)
		return;
	memset(&nw, 0, sizeof(nw));
	if ((rc = alert_rules_load(&nr, a->o->rules, &err)) == 0) {
		clock_want(&e->clock, &nw, e->found);
		rc = build(a, &nr, &nrun, &nw, &err);
		if (rc == -1)
			rules_free(&nr);
	}
	if (rc == -1) {
		fprintf(l->diag.err, "%s: %s: reload failed, keeping %zu "
		    "rules: %.*s\n", l->diag.prog, a->o->rules, a->nrun,
		    (int)strcspn(err.p != NULL ? err.p : "", "\n"),
		    err.p != NULL ? err.p : "");
		buf_free(&err);
		clock_want(&e->clock, &e->want, e->found);
		return;
	}
	for (i = 0; i < nr.n; i++)
		for (j = 0; j < a->nrun; j++)
			if (strcmp(nr.r[i].name, a->rules.r[j].name) == 0 &&
			    nr.r[i].digest == a->rules.r[j].digest) {
				detect_take(&nrun[i].d, &a->run[j].d);
				kept++;
				break;
			}
	runs_free(a->run, a->nrun);
	rules_free(&a->rules);
	a->rules = nr;
	a->run = nrun;
	a->nrun = nr.n;
	e->rs = &a->rules;
	e->want = nw;
	free(e->take);
	e->take = xcalloc(nr.n + 1, 1);
	fprintf(l->diag.err, "%s: %s: reloaded %zu rules (%zu kept their "
	    "state)\n", l->diag.prog, a->o->rules, nr.n, kept);
	buf_free(&err);
}

void
alert_stats(const struct alert *a, struct buf *b)
{
	buf_printf(b, ",\"alerts\":%" PRIu64 ",\"suppressed\":%" PRIu64,
	    a->alerts, a->suppressed);
}

void
alert_close(struct alert *a)
{
	struct alert_eng *e = a->priv;

	if (a->run != NULL)
		runs_free(a->run, a->nrun);
	a->run = NULL;
	a->nrun = 0;
	rules_free(&a->rules);
	if (e == NULL)
		return;
	clock_close(&e->clock);
	free(e->take);
	free(e->pend);
	buf_free(&e->bytes);
	buf_free(&e->out);
	buf_free(&e->in);
	buf_free(&e->msg);
	buf_free(&e->smp);
	buf_free(&e->err);
	free(e);
	a->priv = NULL;
}

/* State (--state): a head line with the watermark, then per rule a line
 * with its name and digest followed by a line per key (detect_save) */

static int
state_line_cb(void *arg, const char *p, size_t n)
{
	return state_line(arg, p, n);
}

static void
put_opt(struct buf *b, int64_t t)
{
	if (t == INT64_MIN || t == INT64_MAX)
		buf_adds(b, "null");
	else
		buf_printf(b, "%" PRId64, t);
}

/* save_lines -- the state's body, each line handed to line(arg, ...):
 * 0, or -1 if line failed */
static int
save_lines(struct alert *a, int (*line)(void *, const char *, size_t),
    void *arg)
{
	struct alert_eng *e = a->priv;
	const struct rule *r;
	size_t i;

	buf_reset(&e->out);
	buf_adds(&e->out, "{\"maxt\":");
	put_opt(&e->out, e->maxt);
	buf_adds(&e->out, ",\"wm\":");
	put_opt(&e->out, e->wm);
	buf_addc(&e->out, '}');
	if (line(arg, e->out.p, e->out.len) == -1)
		return -1;
	for (i = 0; i < a->nrun; i++) {
		r = a->run[i].d.r;
		buf_reset(&e->out);
		buf_adds(&e->out, "{\"rule\":");
		json_put_string(&e->out, r->name, strlen(r->name));
		buf_printf(&e->out, ",\"digest\":\"%016" PRIx64 "\",\"first\":",
		    r->digest);
		put_opt(&e->out, a->run[i].d.first);
		buf_printf(&e->out, ",\"keys\":%zu}",
		    detect_nkeys(&a->run[i].d));
		if (line(arg, e->out.p, e->out.len) == -1 ||
		    detect_save(&a->run[i].d, line, arg) == -1)
			return -1;
	}
	return 0;
}

/* save_state -- every rule's keys, atomically, once the output before
 * them is written (loop_sync); 0, or -1 with errno */
static int
save_state(struct alert *a)
{
	struct state_writer sw = STATE_WRITER_INIT;

	if (loop_sync(a->loop) == -1)
		return 0;	/* output lost: the old state stays */
	if (state_begin(&sw, a->o->common.state, "stream-alert") == -1)
		return -1;
	if (save_lines(a, state_line_cb, &sw) == 0 && state_commit(&sw) == 0)
		return 0;
	state_abort(&sw);
	return -1;
}

static int
text_line(void *arg, const char *p, size_t n)
{
	buf_add(arg, p, n);
	buf_addc(arg, '\n');
	return 0;
}

void
alert_state_save(struct alert *a, struct buf *body)
{
	(void)save_lines(a, text_line, body);
}

int
alert_state_load(struct alert *a, const char *name, const char *body,
    size_t len, struct buf *err)
{
	struct alert_eng *e = a->priv;
	size_t i;
	int rc;

	for (i = 0; i < a->nrun; i++)
		detect_reset(&a->run[i].d);
	e->maxt = e->wm = e->wm_at_last = INT64_MIN;
	e->sname = name;
	rc = state_restore_text(name, body, len, restore_line, a, err);
	e->cur = NULL;
	return rc;
}

/* save_due -- --state-every: save if it is time */
static void
save_due(struct alert *a)
{
	struct alert_eng *e = a->priv;
	struct loop *l = a->loop;

	if (e->text != NULL || a->o->common.state_every == 0 ||
	    ts_mono() < e->next_save)
		return;
	e->next_save = ts_mono() + a->o->common.state_every;
	if (save_state(a) == -1)
		fprintf(l->diag.err, "%s: %s: %s\n", l->diag.prog,
		    a->o->common.state, strerror(errno));
}

/* member -- the value of key k in object o, JSON_NONE if absent */
static struct json_span
member(struct json_span o, const char *k)
{
	struct json_iter it;
	struct json_span key, val;
	size_t n = strlen(k);

	json_iter_init(&it, o);
	while (json_iter_next(&it, &key, &val))
		if (key.len == n + 2 && memcmp(key.p + 1, k, n) == 0)
			return val;
	val.type = JSON_NONE;
	return val;
}

/* time_of -- a saved time (null: none), within +-TS_LIMIT as the run's
 * times are (ts.h) */
static int
time_of(struct json_span v, int64_t *t)
{
	char *end;

	if (v.type == JSON_NULL) {
		*t = INT64_MIN;
		return 0;
	}
	if (v.type != JSON_NUMBER)
		return -1;
	errno = 0;
	*t = (int64_t)strtoll(v.p, &end, 10);
	return errno == 0 && end == v.p + v.len && *t >= -TS_LIMIT &&
	    *t <= TS_LIMIT ? 0 : -1;
}

/*
 * restore_rule -- a saved rule's line: its keys go to the rule of the
 * same name and digest, or, if none (the rule changed or is gone), are
 * dropped with a note
 */
static int
restore_rule(struct alert *a, struct json_span v, struct json_span name)
{
	struct alert_eng *e = a->priv;
	struct json_span dg;
	struct buf n = BUF_INIT;
	char hex[17];
	size_t i;
	int64_t first;

	e->cur = NULL;
	if (name.type != JSON_STRING || (dg = member(v, "digest")).type !=
	    JSON_STRING || dg.len != 18 ||
	    time_of(member(v, "first"), &first) == -1)
		return -1;
	json_string(name, &n);
	for (i = 0; i < a->nrun; i++) {
		snprintf(hex, sizeof(hex), "%016" PRIx64,
		    a->run[i].d.r->digest);
		if (strcmp(a->run[i].d.r->name, n.p) == 0 &&
		    memcmp(dg.p + 1, hex, 16) == 0)
			break;
	}
	if (i < a->nrun) {
		e->cur = &a->run[i].d;
		e->cur->first = first == INT64_MIN ? TS_NONE : first;
	} else {
		fprintf(a->loop->diag.err, "%s: %s: rule '%s' is not in %s "
		    "as it was saved: its state is dropped\n",
		    a->loop->diag.prog, e->sname, n.p, a->o->rules);
	}
	buf_free(&n);
	return 0;
}

/* restore_line -- one line of a saved state */
static int
restore_line(void *arg, uint64_t line, struct json_span v, const char **why)
{
	struct alert *a = arg;
	struct alert_eng *e = a->priv;
	struct json_span name;

	(void)why;
	if (v.type != JSON_OBJECT)
		return -1;
	if (line == 1)
		return time_of(member(v, "maxt"), &e->maxt) == -1 ||
		    time_of(member(v, "wm"), &e->wm) == -1 ? -1 :
		    (e->wm_at_last = e->wm, 0);
	if ((name = member(v, "rule")).type != JSON_NONE)
		return restore_rule(a, v, name);
	return e->cur == NULL ? 0 : detect_load(e->cur, v);
}

/* --test */

/* blank -- a line of spaces and tabs only, skipped as the loop does */
static int
blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

int
alert_run_text(const struct alert_opts *o, const struct rules *rs,
    const char *input, size_t len, struct buf *out, struct buf *err)
{
	struct alert a;
	struct alert_eng *e;
	struct json_error jerr;
	struct json_span rec;
	struct line ln;
	const char *p = input, *end = input + len, *nl;
	size_t n;
	int rc = 0;

	memset(&a, 0, sizeof(a));
	if (engine_open(&a, o, rs, NULL, err) == -1) {
		alert_close(&a);
		return -1;
	}
	e = a.priv;
	e->text = out;
	e->terr = err;
	memset(&ln, 0, sizeof(ln));
	for (; rc == 0 && p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		ln.no++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (blank(p, n))
			continue;
		ln.p = p;
		ln.len = n;
		if (json_validate_want(p, n, &rec, &jerr, &e->want,
		    e->found) == -1) {
			buf_printf(err, "input line %" PRIu64 ": invalid JSON "
			    "at column %zu: %s", ln.no, jerr.col, jerr.msg);
			rc = -1;
		} else if (take_record(&a, &ln, rec) != LOOP_OK) {
			rc = -1;
		}
	}
	if (rc == 0)
		advance(&a, INT64_MAX, e->maxt);
	alert_close(&a);
	return rc;
}
