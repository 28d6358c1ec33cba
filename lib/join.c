/*
 * join -- stream-join's logic; see join.h.  One reader serves both
 * modes: two inputs, each read through lib/source, a pipe without
 * blocking, and a wait on both (lib/follow) when neither has anything.
 * Table mode reads the table first and then takes the events as they
 * come, looking at a followed changelog between batches, so an event
 * meets the table as it stood when the event was read.  Stream mode
 * reads whichever input is behind in event time, so two files are read
 * as a merge and the buffers hold little more than the join window.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "follow.h"
#include "join.h"
#include "sig.h"
#include "source.h"
#include "state.h"
#include "ts.h"

#define BATCH		4096	/* records from one input before the other */
#define TOOL		"stream-join"
#define SAVE_EVERY	255	/* records between --state-every checks */

struct join_input {
	const char	*name;
	int		 fd;		/* -1: not open */
	int		 side;		/* 0 the stream, 1 --table or --with */
	int		 pipe;		/* may block: read without blocking */
	int		 ended, dry;
	struct source	 src;
};

struct reader {
	struct join_input in[2];
	struct follow	 f;		/* watches a followed table file */
	int		 watched;
};

static int	key_of(struct join *, struct field *, struct json_span);
static enum loop_rc table_record(struct join *, const struct line *,
		    struct json_span, struct table *);
static void	update_wm(struct join *);

void
join_init(struct join_opts *o)
{
	memset(o, 0, sizeof(*o));
	opt_init(&o->common);
	o->before = o->after = -1;
}

/* as_names -- --as L,R: two names, neither empty, not the same */
static int
as_names(const char *arg)
{
	const char *comma = strchr(arg, ',');

	return comma != NULL && comma > arg && comma[1] != '\0' &&
	    strchr(comma + 1, ',') == NULL &&
	    !((size_t)(comma - arg) == strlen(comma + 1) &&
	    strncmp(arg, comma + 1, (size_t)(comma - arg)) == 0) ? 0 : -1;
}

/* duration -- a --within, --before, --after or --idle value */
static int
duration(const char *opt, const char *arg, int64_t *d, int positive,
    struct buf *why)
{
	const char *w;

	if (ts_parse_duration(arg, d, &w) == -1 || (positive && *d <= 0)) {
		buf_printf(why, "%s: expected a duration such as 30s", opt);
		return -1;
	}
	return 1;
}

int
join_option(struct join_opts *o, int ch, const char *arg, struct buf *why)
{
	const char **needs = &o->needs_with;

	switch (ch) {
	case JOIN_O_TABLE:
		o->table = arg;
		return 1;
	case JOIN_O_WITH:
		o->with = arg;
		return 1;
	case JOIN_O_ON:
		o->on = arg;
		return 1;
	case JOIN_O_LEFT:
		o->left = 1;
		return 1;
	case JOIN_O_TABLE_ON:
		o->table_on = arg, needs = &o->needs_table;
		break;
	case JOIN_O_TOMBSTONE:
		o->tombstone = arg, needs = &o->needs_table;
		break;
	case JOIN_O_FOLLOW_TABLE:
		o->follow_table = 1, needs = &o->needs_table;
		break;
	case JOIN_O_INTO:
		if (*arg == '\0')
			return (buf_adds(why, "--into: expected a name"), -1);
		o->into = arg, needs = &o->needs_table;
		break;
	case JOIN_O_WITH_ON:
		o->with_on = arg;
		break;
	case JOIN_O_OUTER:
		o->outer = 1;
		break;
	case JOIN_O_WITHIN:
		o->within_given = 1;
		if (duration("--within", arg, &o->before, 0, why) == -1)
			return -1;
		o->after = o->before;
		break;
	case JOIN_O_BEFORE:
		o->bounds_given = 1;
		if (duration("--before", arg, &o->before, 0, why) == -1)
			return -1;
		break;
	case JOIN_O_AFTER:
		o->bounds_given = 1;
		if (duration("--after", arg, &o->after, 0, why) == -1)
			return -1;
		break;
	case JOIN_O_AS:
		if (as_names(arg) == -1)
			return (buf_adds(why, "--as: expected two different "
			    "names, as in --as req,resp"), -1);
		o->as = arg;
		break;
	case JOIN_O_MAX_HELD:
		if (opt_int(arg, 1, LLONG_MAX, &o->max_held) == -1)
			return (buf_adds(why, "--max-held: expected a positive "
			    "number of records"), -1);
		break;
	case JOIN_O_LATE:
		o->late = arg;
		break;
	case JOIN_O_IDLE:
		if (duration("--idle", arg, &o->idle, 1, why) == -1)
			return -1;
		break;
	default:
		return 0;
	}
	if (*needs == NULL)
		*needs = ch == JOIN_O_TABLE_ON ? "--table-on" :
		    ch == JOIN_O_TOMBSTONE ? "--tombstone" :
		    ch == JOIN_O_FOLLOW_TABLE ? "--follow-table" :
		    ch == JOIN_O_INTO ? "--into" : ch == JOIN_O_WITH_ON ?
		    "--with-on" : ch == JOIN_O_OUTER ? "--outer" :
		    ch == JOIN_O_WITHIN ? "--within" : ch == JOIN_O_BEFORE ?
		    "--before" : ch == JOIN_O_AFTER ? "--after" :
		    ch == JOIN_O_AS ? "--as" : ch == JOIN_O_MAX_HELD ?
		    "--max-held" : ch == JOIN_O_LATE ? "--late" : "--idle";
	return 1;
}

const char *
join_check(struct join_opts *o, struct buf *why)
{
	const struct opt_common *c = &o->common;

	if (o->table != NULL && o->with != NULL)
		return "--table or --with: one join at a time";
	if (o->table == NULL && o->with == NULL)
		return "a second input is needed: --table FILE or --with FILE";
	if (o->on == NULL)
		return "--on EXPR is needed: the key to join on";
	if (o->table != NULL && o->needs_with != NULL) {
		buf_printf(why, "%s is for --with joins", o->needs_with);
		return why->p;
	}
	if (o->with != NULL && o->needs_table != NULL) {
		buf_printf(why, "%s is for --table joins", o->needs_table);
		return why->p;
	}
	if (o->table != NULL && (c->time_given || c->lateness_given ||
	    c->state != NULL || c->state_every > 0))
		return "--time, --time-unit, --time-format, --lateness, "
		    "--state and --state-every are for --with joins: a table "
		    "is looked up as it stands when the event comes";
	if (o->within_given && o->bounds_given)
		return "--within, or --before and --after: not both";
	if (o->with != NULL && (o->before == -1 || o->after == -1))
		return "--with needs --within DUR, or --before DUR and "
		    "--after DUR";
	if (o->left && o->outer)
		return "--left or --outer, not both";
	if (c->state_every > 0 && c->state == NULL)
		return "--state-every needs --state";
	return NULL;
}

/* compile -- one of the key expressions, the option named in errors */
static int
compile(struct join *j, struct field *f, const char *opt, const char *expr,
    struct buf *err)
{
	buf_reset(&j->msg);
	if (field_compile(f, expr, &j->msg) == 0)
		return 0;
	buf_printf(err, "%s %s: %s", opt, expr, j->msg.p);
	return -1;
}

/* Pairs and unmatched records, as lib/interval hands them over */
static int
emit(struct join *j)
{
	enum loop_rc rc = loop_emit(j->loop, j->out.p, j->out.len);

	if (rc == LOOP_OK)
		return 0;
	j->halt = rc;
	return -1;
}

static int
on_pair(void *arg, const char *l, size_t ln, const char *r, size_t rn)
{
	struct join *j = arg;

	buf_reset(&j->out);
	buf_addc(&j->out, '{');
	buf_add(&j->out, j->lname.p, j->lname.len);
	buf_add(&j->out, l, ln);
	buf_addc(&j->out, ',');
	buf_add(&j->out, j->rname.p, j->rname.len);
	buf_add(&j->out, r, rn);
	buf_addc(&j->out, '}');
	return emit(j);
}

static int
on_alone(void *arg, enum side side, const char *p, size_t n)
{
	struct join *j = arg;

	buf_reset(&j->out);
	buf_addc(&j->out, '{');
	buf_add(&j->out, j->lname.p, j->lname.len);
	if (side == SIDE_LEFT)
		buf_add(&j->out, p, n);
	else
		buf_adds(&j->out, "null");
	buf_addc(&j->out, ',');
	buf_add(&j->out, j->rname.p, j->rname.len);
	if (side == SIDE_RIGHT)
		buf_add(&j->out, p, n);
	else
		buf_adds(&j->out, "null");
	buf_addc(&j->out, '}');
	return emit(j);
}

/* names -- "left": and "right":, or --as's */
static void
names(struct join *j)
{
	const char *as = j->o->as, *comma;

	if (as == NULL) {
		buf_adds(&j->lname, "\"left\":");
		buf_adds(&j->rname, "\"right\":");
		return;
	}
	comma = strchr(as, ',');
	json_put_string(&j->lname, as, (size_t)(comma - as));
	buf_addc(&j->lname, ':');
	json_put_string(&j->rname, comma + 1, strlen(comma + 1));
	buf_addc(&j->rname, ':');
}

/*
 * State (--with --state): a head line with the options that shape the
 * buffers and the times, then lib/interval's lines.
 */
static void
spec_text(const struct join *j, struct buf *b)
{
	const struct join_opts *o = j->o;

	buf_printf(b, "on=%s with-on=%s before=%" PRId64 " after=%" PRId64
	    " left=%d outer=%d time=%s", o->on, o->with_on != NULL ?
	    o->with_on : o->on, o->before, o->after, o->left, o->outer,
	    o->common.time_expr);
}

static void
put_time(struct buf *b, int64_t t)
{
	if (t == INT64_MIN)
		buf_adds(b, "null");
	else
		buf_printf(b, "%" PRId64, t);
}

static int
write_line(void *sw, const char *p, size_t n)
{
	return state_line(sw, p, n);
}

/* save_state -- the held records, atomically, once the output before
 * them is written (loop_sync); 0, or -1 with errno */
static int
save_state(struct join *j)
{
	struct state_writer sw = STATE_WRITER_INIT;

	if (loop_sync(j->loop) == -1)
		return 0;	/* output lost: the old state stays */
	if (state_begin(&sw, j->o->common.state, TOOL) == -1)
		return -1;
	buf_reset(&j->msg);
	spec_text(j, &j->msg);
	buf_reset(&j->out);
	buf_adds(&j->out, "{\"spec\":");
	json_put_string(&j->out, j->msg.p, j->msg.len);
	buf_adds(&j->out, ",\"wm\":");
	put_time(&j->out, j->wm);
	buf_adds(&j->out, ",\"maxt\":[");
	put_time(&j->out, j->seen[0] ? j->maxt[0] : INT64_MIN);
	buf_addc(&j->out, ',');
	put_time(&j->out, j->seen[1] ? j->maxt[1] : INT64_MIN);
	buf_adds(&j->out, "]}");
	if (state_line(&sw, j->out.p, j->out.len) == -1 ||
	    interval_save(&j->iv, write_line, &sw) == -1 ||
	    state_commit(&sw) == -1) {
		state_abort(&sw);
		return -1;
	}
	return 0;
}

static void
save_due(struct join *j)
{
	struct loop *l = j->loop;

	if (j->o->common.state_every == 0 || ts_mono() < j->next_save)
		return;
	j->next_save = ts_mono() + j->o->common.state_every;
	if (save_state(j) == -1)
		fprintf(l->diag.err, "%s: %s: %s\n", l->diag.prog,
		    j->o->common.state, strerror(errno));
}

/* time_of -- a saved time: an integer, or null for none */
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
	*t = strtoll(v.p, &end, 10);
	return errno == 0 && end == v.p + v.len ? 0 : -1;
}

static int
load_head(struct join *j, struct json_span v, const char **why)
{
	struct json_path path;
	struct json_span s, m[2];
	struct json_iter it;
	int i;

	buf_reset(&j->msg);
	spec_text(j, &j->msg);
	buf_reset(&j->out);
	if (json_path_parse(".spec", 5, &path) == 0 &&
	    json_get(v, &path, &s, &j->err) == 0 && s.type == JSON_STRING)
		json_string(s, &j->out);
	if (j->out.len != j->msg.len ||
	    memcmp(j->out.p, j->msg.p, j->out.len) != 0) {
		*why = "it was written with other keys, bounds or times; "
		    "use another state file";
		return -1;
	}
	if (json_path_parse(".wm", 3, &path) == -1 ||
	    json_get(v, &path, &s, &j->err) == -1 || time_of(s, &j->wm) == -1)
		return -1;
	if (json_path_parse(".maxt", 5, &path) == -1 ||
	    json_get(v, &path, &s, &j->err) == -1 || s.type != JSON_ARRAY)
		return -1;
	json_iter_init(&it, s);
	for (i = 0; i < 2; i++)
		if (json_iter_next(&it, &s, &m[i]) == 0 ||
		    time_of(m[i], &j->maxt[i]) == -1)
			return -1;
	for (i = 0; i < 2; i++)
		j->seen[i] = j->maxt[i] != INT64_MIN;
	j->wm_at_last = j->wm;
	return 0;
}

/* restore_line -- one line of a saved state: the head, then records */
static int
restore_line(void *arg, uint64_t line, struct json_span v, const char **why)
{
	struct join *j = arg;

	return line == 1 ? load_head(j, v, why) : interval_load(&j->iv, v);
}

int
join_open(struct join *j, const struct join_opts *o, struct loop *l,
    struct buf *err)
{
	const char *other = o->table_on != NULL ? o->table_on :
	    o->with_on != NULL ? o->with_on : o->on;

	memset(j, 0, sizeof(*j));
	j->o = o;
	j->loop = l;
	j->wm = j->wm_at_last = j->maxt[0] = j->maxt[1] = INT64_MIN;
	j->intolen = o->into != NULL ? strlen(o->into) : 0;
	table_init(&j->table);
	interval_init(&j->iv);
	if (compile(j, &j->on, "--on", o->on, err) == -1 ||
	    compile(j, &j->other_on, o->table != NULL ? "--table-on" :
	    "--with-on", other, err) == -1 || (o->tombstone != NULL &&
	    compile(j, &j->tombstone, "--tombstone", o->tombstone, err) == -1))
		return -1;
	(void)field_want(&j->on, &j->want, l->found);
	(void)field_want(&j->other_on, &j->want, l->found);
	if (o->tombstone != NULL)
		(void)field_want(&j->tombstone, &j->want, l->found);
	l->want = &j->want;
	if (o->with == NULL)
		return 0;
	if (clock_open(&j->clock, &o->common, err) == -1)
		return -1;
	clock_want(&j->clock, &j->want, l->found);
	names(j);
	j->iv.before = o->before;
	j->iv.after = o->after;
	j->iv.keep[SIDE_LEFT] = o->left || o->outer;
	j->iv.keep[SIDE_RIGHT] = o->outer;
	j->iv.max_held = o->max_held;
	j->iv.pair = on_pair;
	j->iv.alone = on_alone;
	j->iv.arg = j;
	l->diag.show_evicted = o->max_held > 0;
	l->late = o->late;
	if (o->late != NULL && diag_late_file(&l->diag, o->late) == -1) {
		buf_printf(err, "%s: %s", o->late, strerror(errno));
		return -1;
	}
	if (o->common.state != NULL && state_restore(o->common.state, TOOL,
	    restore_line, j, err) == -1)
		return -1;
	j->next_save = ts_mono() + o->common.state_every;
	return 0;
}

/* key_of -- the canonical key into j->key, empty when absent or null;
 * -1 and the message in j->err when the expression fails */
static int
key_of(struct join *j, struct field *f, struct json_span rec)
{
	struct json_span v;

	buf_reset(&j->key);
	buf_reset(&j->err);
	if (field_get(f, rec, &v, &j->err) == -1)
		return -1;
	if (v.type != JSON_NONE && v.type != JSON_NULL)
		json_canon(v, &j->key);
	return 0;
}

/*
 * Table mode.  A row is an object with a key; a tombstone deletes its
 * key.  An event is an object; it leaves merged with its row, nested
 * under --into, unchanged (--left, no row) or not at all.
 */
static enum loop_rc
table_record(struct join *j, const struct line *ln, struct json_span rec,
    struct table *t)
{
	struct loop *l = j->loop;
	struct json_span v;

	if (rec.type != JSON_OBJECT)
		return loop_bad(l, ln, "not an object: a table row must be a "
		    "JSON object");
	if (key_of(j, &j->other_on, rec) == -1)
		return loop_bad(l, ln, j->err.p);
	if (j->key.len == 0) {
		buf_printf(&j->err, "no key: %s is absent or null",
		    j->other_on.expr);
		return loop_bad(l, ln, j->err.p);
	}
	if (j->o->tombstone != NULL) {
		if (field_get(&j->tombstone, rec, &v, &j->err) == -1)
			return loop_bad(l, ln, j->err.p);
		if (json_truthy(v)) {
			(void)table_del(t, j->key.p, j->key.len);
			return LOOP_OK;
		}
	}
	table_put(t, j->key.p, j->key.len, rec);
	return LOOP_OK;
}

static enum loop_rc
event_record(struct join *j, const struct line *ln, struct json_span rec)
{
	const struct join_opts *o = j->o;
	const struct table_row *row = NULL;

	if (rec.type != JSON_OBJECT)
		return loop_bad(j->loop, ln, "not an object: only objects "
		    "can be joined");
	if (key_of(j, &j->on, rec) == -1)
		return loop_bad(j->loop, ln, j->err.p);
	if (j->key.len > 0)
		row = table_get(&j->table, j->key.p, j->key.len);
	if (row == NULL && !o->left)
		return LOOP_OK;
	if (row == NULL && o->into == NULL)
		return loop_emit(j->loop, rec.p, rec.len);
	buf_reset(&j->out);
	if (o->into != NULL)
		table_into(&j->out, rec, o->into, j->intolen, row);
	else
		table_merge(&j->out, rec, row);
	return loop_emit(j->loop, j->out.p, j->out.len);
}

/*
 * Stream mode.  The watermark is the smallest of the inputs' largest
 * times, less --lateness: an input that has said nothing yet holds it
 * back, one that ended does not (unless --state makes its end a pause:
 * the next run goes on with it), nor, with --idle, one quiet for that
 * long while the other speaks.  A record with no key can never pair;
 * it is held under a key of its own side, so that --left and --outer
 * report it when it expires: "[ ]" and "[  ]" are JSON, so --state can
 * save them, and never canonical text (json_canon writes "[]").
 */

static void
update_wm(struct join *j)
{
	int64_t m = INT64_MAX, now = j->o->idle > 0 ? ts_mono() : 0;
	int s;

	for (s = 0; s < 2; s++) {
		if ((j->ended[s] && j->o->common.state == NULL) ||
		    (j->o->idle > 0 && now - j->heard[s] >= j->o->idle))
			continue;	/* over, or quiet for --idle */
		if (!j->seen[s])
			return;
		if (j->maxt[s] < m)
			m = j->maxt[s];
	}
	if (m == INT64_MAX)
		return;		/* at the end, or idle() moves it */
	if (m > INT64_MIN + j->o->common.lateness)
		m -= j->o->common.lateness;
	if (m > j->wm)
		j->wm = m;
}

/* expire -- let go of what the watermark has passed */
static enum loop_rc
expire(struct join *j)
{
	int rc = interval_expire(&j->iv, j->wm);

	j->loop->diag.evicted = j->iv.evicted;
	return rc == -1 ? j->halt : LOOP_OK;
}

static enum loop_rc
stream_record(struct join *j, int side, const struct line *ln,
    struct json_span rec)
{
	struct loop *l = j->loop;
	int64_t t;
	int rc;

	if (clock_time(&j->clock, rec, &t, &j->err) == -1)
		return loop_bad(l, ln, j->err.p);
	if (t < j->wm)
		return loop_late(l, ln, t, j->wm);
	if (key_of(j, side == 0 ? &j->on : &j->other_on, rec) == -1)
		return loop_bad(l, ln, j->err.p);
	if (j->key.len == 0)		/* see above */
		buf_adds(&j->key, side == 0 ? "[ ]" : "[  ]");
	if (j->key.p[1] != ' ' || j->iv.keep[side]) {
		rc = interval_add(&j->iv, side == 0 ? SIDE_LEFT : SIDE_RIGHT,
		    j->key.p, j->key.len, t, rec.p, rec.len);
		l->diag.evicted = j->iv.evicted;
		if (rc == -1)
			return j->halt;
	}
	if (!j->seen[side] || t > j->maxt[side])
		j->maxt[side] = t;
	j->seen[side] = 1;
	if (j->o->idle > 0)
		j->last_wall = j->heard[side] = ts_mono();
	update_wm(j);
	j->wm_at_last = j->wm;
	if (j->o->common.state_every > 0 && (++j->since_check &
	    SAVE_EVERY) == 0)
		save_due(j);
	return expire(j);
}

/*
 * idle_base -- where --idle moves the watermark on from: where it stood
 * at the last record, or, while one input has not yet said anything,
 * the other's largest time; INT64_MIN when nothing has come at all
 */
static int64_t
idle_base(const struct join *j)
{
	int s;

	if (j->wm_at_last != INT64_MIN)
		return j->wm_at_last;
	for (s = 0; s < 2; s++)
		if (j->seen[s])
			return j->maxt[s] - j->o->common.lateness;
	return INT64_MIN;
}

/*
 * idle -- nothing came for a while: with --idle the watermark moves on
 * by the wall-clock time that passed in silence (CONTRACT section 5)
 */
static enum loop_rc
idle(struct join *j)
{
	int64_t now = ts_mono(), base = idle_base(j);

	if (j->o->idle > 0 && j->last_wall != 0 && base != INT64_MIN &&
	    now - j->last_wall >= j->o->idle &&
	    base + (now - j->last_wall) > j->wm)
		j->wm = base + (now - j->last_wall);
	save_due(j);
	return expire(j);
}

/* timeout -- ms until idle() has something to do, or -1 */
static int
timeout(struct join *j)
{
	int64_t due = INT64_MAX, next, base = idle_base(j), ms;

	next = interval_next(&j->iv);
	if (j->o->idle > 0 && j->last_wall != 0 && next != INT64_MAX &&
	    base != INT64_MIN)
		due = j->last_wall + (next - base + 1 > j->o->idle ?
		    next - base + 1 : j->o->idle);
	if (j->o->common.state_every > 0 && j->next_save < due)
		due = j->next_save;
	if (due == INT64_MAX)
		return -1;
	ms = (due - ts_mono() + 999999) / 1000000;
	return ms < 1 ? 1 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * Reading.  pump takes up to max records from one input and hands each
 * to its mode's handler; it marks the input dry when a pipe has nothing
 * now, and ended at its end.
 */
static enum loop_rc
dispatch(struct join *j, struct join_input *in, const struct line *ln,
    struct json_span rec)
{
	if (j->o->with != NULL)
		return stream_record(j, in->side, ln, rec);
	if (in->side == 1)
		return table_record(j, ln, rec, &j->table);
	return event_record(j, ln, rec);
}

static enum loop_rc
pump(struct join *j, struct join_input *in, int max, int *got)
{
	struct loop *l = j->loop;
	struct source_item it;
	enum loop_rc rc = LOOP_OK;
	int n;

	in->dry = 0;
	for (n = 0; n < max && rc == LOOP_OK; n++) {
		switch (source_next(&in->src, &it)) {
		case SOURCE_RECORD:
			l->diag.in++;
			l->source = in->name;
			rc = dispatch(j, in, &it.ln, it.rec);
			break;
		case SOURCE_BAD:
			l->diag.in++;
			l->source = in->name;
			rc = loop_bad(l, &it.ln, it.why);
			break;
		case SOURCE_DRY:
			in->dry = 1;
			return rc;
		case SOURCE_END:
			in->ended = 1;
			j->ended[in->side] = 1;
			(*got)++;
			return rc;
		case SOURCE_ERROR:
			l->failed = in->name;
			l->err = errno;
			return LOOP_FAIL;
		}
		(*got)++;
	}
	return rc;
}

/* attach -- read fd as the input's source: a pipe, or a followed file,
 * without blocking */
static void
attach(struct join *j, struct join_input *in, int fd, int follow)
{
	struct stat st;

	in->fd = fd;
	in->pipe = fstat(fd, &st) == 0 && !S_ISREG(st.st_mode);
	source_open(&in->src, fd, in->name, FORMAT_NDJSON,
	    j->o->common.max_line, NULL);
	in->src.r.stop = &sig_stop;
	in->src.r.follow = in->pipe || follow;
	in->src.want = &j->want;
	in->src.found = j->loop->found;
}

/* open_input -- "-" or NULL is stdin; 0, or -1 with errno */
static int
open_input(struct join *j, struct join_input *in, const char *path,
    int side, int follow)
{
	int fd = STDIN_FILENO;

	in->side = side;
	in->name = "<stdin>";
	if (path != NULL && strcmp(path, "-") != 0) {
		in->name = path;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return -1;
	}
	attach(j, in, fd, follow);
	return 0;
}

static void
close_input(struct join_input *in)
{
	if (in->fd == -1)
		return;
	source_close(&in->src);
	if (in->fd != STDIN_FILENO)
		close(in->fd);
	in->fd = -1;
}

/* pick -- stream mode: the input behind in event time, -1 if none can
 * be read now; one that has given nothing yet first, ties the left */
static int
pick(const struct join *j, const struct reader *rd)
{
	int a = !rd->in[0].ended && !rd->in[0].dry;
	int b = !rd->in[1].ended && !rd->in[1].dry;

	if (!a || !b)
		return a ? 0 : b ? 1 : -1;
	if (!j->seen[0] || !j->seen[1])
		return !j->seen[0] ? 0 : 1;
	return j->maxt[1] < j->maxt[0] ? 1 : 0;
}

static enum loop_rc
step_stream(struct join *j, struct reader *rd, int *got)
{
	enum loop_rc rc = LOOP_OK;
	int n, s;

	rd->in[0].dry = rd->in[1].dry = 0;
	for (n = 0; n < BATCH && rc == LOOP_OK && !sig_stop; n++) {
		if ((s = pick(j, rd)) == -1)
			break;
		rc = pump(j, &rd->in[s], 1, got);
		if (rc == LOOP_OK && rd->in[s].ended) {
			update_wm(j);	/* it holds nothing back now */
			rc = expire(j);
		}
	}
	return rc;
}

/* changed -- a followed table file was truncated or replaced: read the
 * changelog again from its start (its latest rows win again) */
static void
changed(struct join *j, struct reader *rd)
{
	struct join_input *in = &rd->in[1];
	struct loop *l = j->loop;
	int fd;

	switch (follow_check(&rd->f, 0, in->fd, in->src.r.offset, &fd)) {
	case FOLLOW_TRUNCATED:
		fprintf(l->diag.err, "%s: %s: file truncated\n",
		    l->diag.prog, in->name);
		if (lseek(in->fd, 0, SEEK_SET) == 0)
			source_restart(&in->src);
		break;
	case FOLLOW_REPLACED:
	case FOLLOW_APPEARED:
		fprintf(l->diag.err, "%s: %s: replaced; following the new "
		    "file\n", l->diag.prog, in->name);
		source_close(&in->src);
		close(in->fd);
		attach(j, in, fd, 1);
		break;
	default:
		break;
	}
}

static enum loop_rc
step_table(struct join *j, struct reader *rd, int *got)
{
	enum loop_rc rc = LOOP_OK;

	if (rd->in[1].fd != -1 && !rd->in[1].ended) {
		if (rd->watched)
			changed(j, rd);
		rc = pump(j, &rd->in[1], BATCH, got);
	}
	if (rc == LOOP_OK && !rd->in[0].ended)
		rc = pump(j, &rd->in[0], BATCH, got);
	return rc;
}

/* wait_input -- block until an input may have more, or the timeout */
static void
wait_input(struct join *j, struct reader *rd, int ms)
{
	struct loop *l = j->loop;
	int fds[2], n = 0, s;

	for (s = 0; s < 2; s++)
		if (rd->in[s].fd != -1 && rd->in[s].pipe && !rd->in[s].ended)
			fds[n++] = rd->in[s].fd;
	if (n == 0 && !rd->watched && ms < 0)
		return;		/* nothing could wake us */
	if (follow_wait(&rd->f, fds, n, ms) == -1)
		fprintf(l->diag.err, "%s: poll: %s\n", l->diag.prog,
		    strerror(errno));
}

/*
 * load_table -- read a whole table file into t (at start, and on
 * SIGHUP, when its rows are not counted in again).  LOOP_OK, or the
 * first failure: the file cannot be opened or read (errno, and
 * l->failed), or --on-error fail.
 */
static enum loop_rc
load_table(struct join *j, struct table *t, int count)
{
	struct loop *l = j->loop;
	struct join_input in;
	struct source_item it;
	enum loop_rc rc = LOOP_OK;
	enum source_rc sr;

	memset(&in, 0, sizeof(in));
	if (open_input(j, &in, j->o->table, 1, 0) == -1) {
		l->failed = j->o->table;
		l->err = errno;
		return LOOP_FAIL;
	}
	in.src.r.follow = 0;		/* a FIFO: until its writer closes */
	l->source = in.name;
	while (rc == LOOP_OK) {
		if ((sr = source_next(&in.src, &it)) == SOURCE_END)
			break;
		if (sr == SOURCE_ERROR) {
			l->failed = in.name;
			l->err = errno;
			rc = LOOP_FAIL;
			break;
		}
		l->diag.in += count;
		rc = sr == SOURCE_BAD ? loop_bad(l, &it.ln, it.why) :
		    table_record(j, &it.ln, it.rec, t);
	}
	close_input(&in);
	return rc;
}

/* hup -- SIGHUP: reload a table file; a failed reload keeps the old */
static void
hup(struct join *j)
{
	struct loop *l = j->loop;
	struct table fresh;

	if (j->o->table == NULL)
		return;
	if (j->o->follow_table) {
		fprintf(l->diag.err, "%s: %s: a changelog is not reloaded; "
		    "SIGHUP ignored\n", l->diag.prog, j->o->table);
		return;
	}
	table_init(&fresh);
	l->failed = NULL;
	if (load_table(j, &fresh, 0) != LOOP_OK) {
		if (l->failed != NULL)
			fprintf(l->diag.err, "%s: %s: reload failed: %s; "
			    "keeping the old table\n", l->diag.prog,
			    j->o->table, strerror(l->err));
		else
			fprintf(l->diag.err, "%s: %s: reload failed at a bad "
			    "row; keeping the old table\n", l->diag.prog,
			    j->o->table);
		l->failed = NULL;
		table_free(&fresh);
		return;
	}
	table_swap(&j->table, &fresh);
	table_free(&fresh);
	fprintf(l->diag.err, "%s: %s: reloaded, %zu key%s\n", l->diag.prog,
	    j->o->table, table_count(&j->table),
	    table_count(&j->table) == 1 ? "" : "s");
}

static enum loop_rc
run(struct join *j, struct reader *rd)
{
	struct loop *l = j->loop;
	enum loop_rc rc = LOOP_OK;
	int got, ms;

	while (rc == LOOP_OK && !sig_stop) {
		if (sig_hup) {
			sig_hup = 0;
			hup(j);
		}
		if (sig_usr1) {
			sig_usr1 = 0;
			diag_stats(&l->diag, stderr);
		}
		got = 0;
		rc = j->o->with != NULL ? step_stream(j, rd, &got) :
		    step_table(j, rd, &got);
		if (rc != LOOP_OK || (rd->in[0].ended &&
		    (j->o->table != NULL || rd->in[1].ended)))
			break;
		if (got > 0)
			continue;
		ms = j->o->with != NULL ? timeout(j) : -1;
		loop_before_block(l);
		wait_input(j, rd, ms);
		if (j->o->with != NULL && !sig_stop)
			rc = idle(j);
	}
	return rc;
}

/* finish -- the end of input, or a stop: held records expire, unless
 * --state keeps them for the next run */
static enum loop_rc
finish(struct join *j)
{
	struct loop *l = j->loop;

	if (j->o->with == NULL)
		return LOOP_OK;
	if (j->o->common.state != NULL) {
		if (save_state(j) == 0)
			return LOOP_OK;
		l->failed = j->o->common.state;
		l->err = errno;
		return LOOP_FAIL;
	}
	if (interval_expire_all(&j->iv) == -1)
		return j->halt;
	return LOOP_OK;
}

static int
start(struct join *j, struct reader *rd, const char *operand)
{
	struct loop *l = j->loop;
	const char *second = j->o->table != NULL ? j->o->table : j->o->with;
	char *paths[1];
	int fds[1];

	if (j->o->table != NULL && !j->o->follow_table &&
	    load_table(j, &j->table, 1) != LOOP_OK)
		return -1;
	if (j->o->table == NULL || j->o->follow_table) {
		if (open_input(j, &rd->in[1], second, 1,
		    j->o->follow_table) == -1) {
			l->failed = second;
			l->err = errno;
			return -1;
		}
	}
	if (open_input(j, &rd->in[0], operand, 0, 0) == -1) {
		l->failed = operand;
		l->err = errno;
		return -1;
	}
	paths[0] = (char *)(uintptr_t)second;
	fds[0] = rd->in[1].fd;
	rd->watched = j->o->follow_table && !rd->in[1].pipe;
	if (follow_open(&rd->f, paths, rd->watched, fds) == -1) {
		l->failed = second;
		l->err = errno;
		return -1;
	}
	return 0;
}

int
join_run(struct join *j, const char *operand)
{
	struct loop *l = j->loop;
	struct reader rd;
	enum loop_rc rc = LOOP_FAIL, end;
	int got = 0;

	memset(&rd, 0, sizeof(rd));
	rd.in[0].fd = rd.in[1].fd = -1;
	j->heard[0] = j->heard[1] = ts_mono();
	rd.f.ifd = -1;
	if (start(j, &rd, operand) == 0) {
		rc = LOOP_OK;
		/* a changelog's present rows come before the first event */
		while (j->o->follow_table && rc == LOOP_OK &&
		    !rd.in[1].ended && !rd.in[1].dry && !sig_stop)
			rc = pump(j, &rd.in[1], BATCH, &got);
		if (rc == LOOP_OK)
			rc = run(j, &rd);
	}
	/* --on-error fail stops at the record: what is held was not
	 * produced yet, so it is not written; a closed stdout ends */
	if (rc == LOOP_OK && (end = finish(j)) != LOOP_OK)
		rc = end;
	close_input(&rd.in[0]);
	close_input(&rd.in[1]);
	follow_close(&rd.f);
	if (rc == LOOP_FAIL && l->failed != NULL)
		fprintf(l->diag.err, "%s: %s: %s\n", l->diag.prog, l->failed,
		    strerror(l->err));
	return rc == LOOP_FAIL ? 1 : 0;
}

void
join_close(struct join *j)
{
	field_free(&j->on);
	field_free(&j->other_on);
	if (j->o->tombstone != NULL)
		field_free(&j->tombstone);
	if (j->clock.opt != NULL)
		clock_close(&j->clock);
	table_free(&j->table);
	interval_free(&j->iv);
	buf_free(&j->key);
	buf_free(&j->out);
	buf_free(&j->err);
	buf_free(&j->msg);
	buf_free(&j->lname);
	buf_free(&j->rname);
}
