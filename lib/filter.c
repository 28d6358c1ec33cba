/*
 * filter -- stream-filter's record logic: shard, sample, program, dedup,
 * limit; see filter.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "hash.h"
#include "state.h"
#include "ts.h"

static int	emit_output(void *, const char *, size_t);
static int	in_shard(struct filter *, struct json_span);
static int	key_hash(struct filter *, struct field *, struct json_span,
		    uint64_t *);
static int	duplicate(struct filter *, struct json_span);
static int	sampled(struct filter *);
static uint64_t	splitmix(uint64_t *);
static int	save_state(struct filter *);

/*
 * filter_option -- parse one stream-filter option into o (jq arguments go
 * straight into f's program).  value is the second word of --arg & co.
 */
int
filter_option(struct filter *f, struct filter_opts *o, int ch,
    const char *arg, const char *value, struct buf *why)
{
	const char *w;
	int n = 0;

	switch (ch) {
	case 'c':			/* output is always compact */
		return 1;
	case 'r':
		o->raw = 1;
		return 1;
	case 'n':
		if (opt_int(arg, 1, LLONG_MAX, &o->limit) == -1)
			return (buf_adds(why, "-n: expected a positive count"),
			    -1);
		return 1;
	case FILTER_O_ARG:
		return program_arg(&f->prog, arg, value) == 0 ? 1 : -1;
	case FILTER_O_ARGJSON:
		return program_argjson(&f->prog, arg, value, why) == 0 ? 1 : -1;
	case FILTER_O_SLURPFILE:
		return program_slurpfile(&f->prog, arg, value, why) == 0 ?
		    1 : -1;
	case FILTER_O_RAWFILE:
		return program_rawfile(&f->prog, arg, value, why) == 0 ? 1 : -1;
	case FILTER_O_SAMPLE:
		if (opt_fraction(arg, &o->sample) == -1)
			return (buf_adds(why, "--sample: expected a fraction "
			    "0 < P <= 1"), -1);
		return 1;
	case FILTER_O_SEED:
		if (opt_int(arg, LLONG_MIN, LLONG_MAX, &o->seed) == -1)
			return (buf_adds(why, "--seed: expected an integer"), -1);
		o->seeded = 1;
		return 1;
	case FILTER_O_DEDUP:
		o->dedup = arg;
		return 1;
	case FILTER_O_DEDUP_WINDOW:
		if (ts_parse_duration(arg, &o->dedup_window, &w) == -1 ||
		    o->dedup_window <= 0)
			return (buf_adds(why, "--dedup-window: expected a "
			    "duration such as 10m"), -1);
		return 1;
	case FILTER_O_DEDUP_SIZE:
		if (opt_int(arg, 1, 1LL << 40, &o->dedup_size) == -1)
			return (buf_adds(why, "--dedup-size: expected a "
			    "positive count"), -1);
		return 1;
	case FILTER_O_SHARD:
		if (sscanf(arg, "%lld/%lld%n", &o->shard_i, &o->shard_n,
		    &n) != 2 || arg[n] != '\0' || o->shard_n < 1 ||
		    o->shard_i < 0 || o->shard_i >= o->shard_n)
			return (buf_adds(why, "--shard: expected I/N with "
			    "0 <= I < N"), -1);
		return 1;
	case FILTER_O_BY:
		o->by = arg;
		return 1;
	}
	return 0;
}

const char *
filter_check(struct filter_opts *o)
{
	if (o->seeded && o->sample == 0)
		return "--seed needs --sample";
	if ((o->shard_n > 0) != (o->by != NULL))
		return "--shard and --by go together";
	if (o->dedup == NULL && (o->dedup_window > 0 || o->dedup_size > 0 ||
	    o->common.state != NULL))
		return "--dedup-window, --dedup-size and --state need --dedup";
	if (o->common.time_given && o->dedup_window == 0)
		return "--time options are for --dedup-window";
	if (o->common.state_every > 0 && o->common.state == NULL)
		return "--state-every needs --state";
	if (o->dedup != NULL && o->dedup_window == 0 && o->dedup_size == 0)
		o->dedup_size = 100000;
	return NULL;
}

void
filter_init(struct filter *f, const struct filter_opts *o)
{
	memset(f, 0, sizeof(*f));
	f->o = o;
	program_init(&f->prog);
}

/*
 * filter_open -- compile the program and the key expressions, and
 * restore the dedup memory from --state.
 */
int
filter_open(struct filter *f, const char *text, struct buf *err)
{
	const struct filter_opts *o = f->o;
	const char *why = NULL;
	struct buf body = BUF_INIT;
	int rc;

	if (program_compile(&f->prog, text, 1, err) == -1)
		return -1;
	if (o->shard_n > 0 && field_compile(&f->shard_key, o->by, err) == -1)
		return -1;
	f->rng = o->seeded ? (uint64_t)o->seed :
	    (uint64_t)ts_now() ^ (uint64_t)getpid() << 32;
	if (o->dedup == NULL)
		return 0;
	if (field_compile(&f->dedup_key, o->dedup, err) == -1)
		return -1;
	if (o->dedup_window > 0 && clock_open(&f->clock, &o->common, err) == -1)
		return -1;
	dedup_init(&f->dedup, o->dedup_window, (size_t)o->dedup_size);
	if (o->common.state == NULL)
		return 0;
	if (state_writable(o->common.state) == -1) {
		buf_printf(err, "%s: %s", o->common.state, strerror(errno));
		return -1;
	}
	rc = state_load(o->common.state, "stream-filter", &body, &why);
	if (rc == 0 && dedup_load(&f->dedup, body.p, body.len, &why) == -1)
		rc = -1;
	buf_free(&body);
	if (rc == -1) {
		buf_printf(err, "%s: %s", o->common.state, why);
		return -1;
	}
	f->dedup.dropped = 0;
	if (o->common.state_every > 0)
		f->next_save = ts_mono() + o->common.state_every;
	return 0;
}

/* splitmix -- the next 64 bits of a SplitMix64 sequence */
static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z;

	z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int
sampled(struct filter *f)
{
	return (double)(splitmix(&f->rng) >> 11) * 0x1.0p-53 < f->o->sample;
}

/*
 * key_hash -- the hash of an expression's value in canonical JSON, so
 * that "a", "\u0061" and 1.0, 1 give the same key.  -1: runtime error.
 */
static int
key_hash(struct filter *f, struct field *fd, struct json_span rec,
    uint64_t *h)
{
	struct json_span v;

	buf_reset(&f->err);
	if (field_get(fd, rec, &v, &f->err) == -1)
		return -1;
	buf_reset(&f->key);
	if (v.type == JSON_NONE)
		buf_adds(&f->key, "null");
	else
		json_canon(v, &f->key);
	*h = hash_bytes(f->key.p, f->key.len);
	return 0;
}

static int
in_shard(struct filter *f, struct json_span rec)
{
	uint64_t h;

	if (key_hash(f, &f->shard_key, rec, &h) == -1)
		return -1;
	return h % (uint64_t)f->o->shard_n == (uint64_t)f->o->shard_i;
}

/* duplicate -- 1 drop, 0 keep, -1 bad record (message in f->err) */
static int
duplicate(struct filter *f, struct json_span v)
{
	uint64_t h;
	int64_t t = 0;

	if (key_hash(f, &f->dedup_key, v, &h) == -1)
		return -1;
	if (f->o->dedup_window > 0 &&
	    clock_time(&f->clock, v, &t, &f->err) == -1)
		return -1;
	return dedup_seen(&f->dedup, h, t);
}

/*
 * emit_output -- program_emit callback: dedup, unquote for -r, write,
 * count against --limit.  Dedup judges the input record once, at its
 * first output, so a projection need not keep the key or the time.  A
 * nonzero return stops the program's run.
 */
static int
emit_output(void *arg, const char *p, size_t n)
{
	struct filter *f = arg;
	struct json_span v;
	int dup;

	if (f->o->dedup != NULL && !f->judged) {
		f->judged = 1;
		if ((dup = duplicate(f, f->rec)) == -1) {
			f->rc = loop_bad(f->loop, f->line, f->err.p);
			return -1;
		}
		f->dropping = dup;
	}
	if (f->dropping)
		return 0;
	if (f->o->raw && n > 0 && p[0] == '"') {	/* compact: a string */
		v.p = p;
		v.len = n;
		v.type = JSON_STRING;
		buf_reset(&f->text);
		json_string(v, &f->text);
		p = f->text.p;
		n = f->text.len;
	}
	f->rc = loop_emit(f->loop, p, n);
	if (f->rc == LOOP_OK && f->o->limit > 0 &&
	    f->loop->diag.out >= (uint64_t)f->o->limit)
		f->rc = LOOP_DONE;
	return f->rc != LOOP_OK;
}

/* filter_idle -- loop idle callback: --state-every also runs while idle */
void
filter_idle(void *arg)
{
	struct filter *f = arg;

	if (f->next_save > 0 && ts_mono() >= f->next_save) {
		save_state(f);		/* a failure shows again at exit */
		f->next_save = ts_mono() + f->o->common.state_every;
	}
}

const struct json_want *
filter_want(struct filter *f)
{
	program_want(&f->prog, &f->want);
	return f->want.n > 0 ? &f->want : NULL;
}

enum loop_rc
filter_record(void *arg, struct loop *l, const struct line *ln,
    struct json_span rec)
{
	struct filter *f = arg;
	int rc;

	f->loop = l;
	f->line = ln;
	f->rec = rec;
	f->judged = f->dropping = 0;
	f->rc = LOOP_OK;
	if (f->o->shard_n > 0 && (rc = in_shard(f, rec)) != 1)
		return rc == 0 ? LOOP_OK : loop_bad(l, ln, f->err.p);
	if (f->o->sample > 0 && !sampled(f))
		return LOOP_OK;
	buf_reset(&f->err);
	if (program_run(&f->prog, rec, l->want != NULL ? l->found : NULL,
	    emit_output, f, &f->err) == -1)
		return loop_bad(l, ln, f->err.p);
	if (f->next_save > 0 && f->rc == LOOP_OK && ts_mono() >= f->next_save) {
		if (save_state(f) == -1)
			return LOOP_FAIL;
		f->next_save = ts_mono() + f->o->common.state_every;
	}
	return f->rc;
}

/* save_state -- write the dedup memory to --state, atomically, once
 * the records it remembers are written (loop_sync) */
static int
save_state(struct filter *f)
{
	struct state_writer w = STATE_WRITER_INIT;

	if (f->loop != NULL && loop_sync(f->loop) == -1)
		return 0;	/* output lost: the old state stays */
	if (state_begin(&w, f->o->common.state, "stream-filter") == -1)
		return -1;
	if (dedup_save(&f->dedup, &w) == -1 || state_commit(&w) == -1) {
		state_abort(&w);
		return -1;
	}
	return 0;
}

int
filter_close(struct filter *f, const char **why)
{
	int rc = 0;

	if (f->o->dedup != NULL && f->o->common.state != NULL &&
	    save_state(f) == -1) {
		*why = f->o->common.state;
		rc = -1;
	}
	program_free(&f->prog);
	if (f->o->shard_n > 0)
		field_free(&f->shard_key);
	if (f->o->dedup != NULL) {
		field_free(&f->dedup_key);
		if (f->o->dedup_window > 0)
			clock_close(&f->clock);
		dedup_free(&f->dedup);
	}
	buf_free(&f->key);
	buf_free(&f->err);
	buf_free(&f->text);
	return rc;
}
