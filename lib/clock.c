/* clock -- event time of a record; see clock.h. */
#include <string.h>

#include "clock.h"
#include "ts.h"

int
clock_open(struct clock *c, const struct opt_common *opt, struct buf *err)
{
	memset(c, 0, sizeof(*c));
	c->opt = opt;
	if (opt->processing_time)
		return 0;
	return field_compile(&c->field, opt->time_expr, err);
}

/*
 * clock_time -- the record's time; a missing, mistyped or malformed value
 * is an error whose message names the expression, for the bad record.
 */
int
clock_time(struct clock *c, struct json_span rec, int64_t *t, struct buf *err)
{
	struct json_span v;
	const char *why = NULL;
	int rc = -1;

	if (c->opt->processing_time) {
		*t = ts_now();
		return 0;
	}
	buf_reset(err);
	if (field_get(&c->field, rec, &v, err) == -1) {
		why = err->p;
	} else if (v.type == JSON_STRING && c->opt->time_format != NULL) {
		rc = ts_parse_format(v.p + 1, v.len - 2, c->opt->time_format,
		    t, &why);
	} else if (v.type == JSON_STRING) {
		rc = ts_parse_rfc3339(v.p + 1, v.len - 2, t, &why);
	} else if (v.type == JSON_NUMBER) {
		rc = ts_parse_epoch(v.p, v.len, c->opt->time_unit, t, &why);
	} else if (v.type == JSON_NONE || v.type == JSON_NULL) {
		why = "missing";
	} else {
		why = "not a string or number";
	}
	if (rc == 0 && (*t < -TS_LIMIT || *t > TS_LIMIT)) {
		rc = -1;		/* see ts.h */
		why = "out of range: before 1823-11-12 or after 2116-02-20";
	}
	if (rc == 0)
		return 0;
	buf_reset(&c->msg);		/* why may point into err */
	buf_printf(&c->msg, "no usable time: %s: %s", c->opt->time_expr, why);
	buf_reset(err);
	buf_add(err, c->msg.p, c->msg.len);
	return -1;
}

void
clock_want(struct clock *c, struct json_want *want,
    const struct json_span *found)
{
	if (!c->opt->processing_time)
		(void)field_want(&c->field, want, found);
}

void
clock_close(struct clock *c)
{
	if (!c->opt->processing_time)
		field_free(&c->field);
	buf_free(&c->msg);
}
