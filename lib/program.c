/*
 * program -- the jq bridge: the fast path when it applies, else libjq,
 * with jq's argument options and byte-for-byte pass-through; see program.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "reads.h"

static void	collect_error(void *, jv);
static int	emit_value(jv, program_emit, void *);
static void	jv_message(jv, struct buf *);
static size_t	select_prefix(const char *);
static jv	parse(struct program *, struct json_span);
static jv	project(struct program *, struct json_span);
static int	wanted(const struct program *, const char *, size_t);

void
program_init(struct program *p)
{
	memset(p, 0, sizeof(*p));
	p->named = jv_object();
}

int
program_arg(struct program *p, const char *name, const char *value)
{
	p->named = jv_object_set(p->named, jv_string(name), jv_string(value));
	return 0;
}

int
program_argjson(struct program *p, const char *name, const char *json,
    struct buf *err)
{
	jv v;

	v = jv_parse(json);
	if (!jv_is_valid(v)) {
		buf_printf(err, "--argjson %s: invalid JSON text: ", name);
		jv_message(v, err);
		return -1;
	}
	p->named = jv_object_set(p->named, jv_string(name), v);
	return 0;
}

/* load -- jv_load_file with jq's wording on failure */
static int
load(struct program *p, const char *opt, const char *name, const char *path,
    int raw, struct buf *err)
{
	jv v;

	v = jv_load_file(path, raw);
	if (!jv_is_valid(v)) {
		buf_printf(err, "%s %s: ", opt, name);
		jv_message(v, err);
		return -1;
	}
	p->named = jv_object_set(p->named, jv_string(name), v);
	return 0;
}

int
program_slurpfile(struct program *p, const char *name, const char *path,
    struct buf *err)
{
	return load(p, "--slurpfile", name, path, 0, err);
}

int
program_rawfile(struct program *p, const char *name, const char *path,
    struct buf *err)
{
	return load(p, "--rawfile", name, path, 1, err);
}

/* jv_message -- append an invalid's message (consumes v) */
static void
jv_message(jv v, struct buf *b)
{
	jv msg;

	msg = jv_invalid_get_msg(v);
	if (jv_get_kind(msg) == JV_KIND_STRING) {
		buf_adds(b, jv_string_value(msg));
	} else if (jv_get_kind(msg) == JV_KIND_NULL) {
		buf_adds(b, "unknown error");
		jv_free(msg);
		return;
	} else {
		msg = jv_dump_string(msg, 0);
		buf_adds(b, jv_string_value(msg));
		buf_adds(b, " (not a string)");
	}
	jv_free(msg);
}

/* collect_error -- jq's error callback: keep each message on a line */
static void
collect_error(void *data, jv msg)
{
	struct buf *b = data;

	if (b->len > 0)
		buf_addc(b, '\n');
	if (jv_get_kind(msg) == JV_KIND_STRING) {
		buf_adds(b, jv_string_value(msg));	/* "jq: error: ..." */
	} else {
		msg = jv_dump_string(msg, 0);
		buf_adds(b, jv_string_value(msg));
	}
	jv_free(msg);
}

/*
 * select_prefix -- the length of a leading "select(...)" followed by a
 * top-level '|', or 0.  Since '|' binds loosest in jq, "select(C) | R"
 * means "select(C) | (R)", and the scanner can judge C alone.  Programs
 * with string interpolation are not split, to stay simple.
 */
static size_t
select_prefix(const char *s)
{
	const char *p;
	int depth = 0, instr = 0;

	if (strncmp(s + strspn(s, " \t\n"), "select", 6) != 0)
		return 0;
	for (p = s; *p != '\0'; p++) {
		if (instr) {
			if (*p == '\\' && p[1] == '(')
				return 0;
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				instr = 0;
		} else if (*p == '"') {
			instr = 1;
		} else if (*p == '(' || *p == '[' || *p == '{') {
			depth++;
		} else if (*p == ')' || *p == ']' || *p == '}') {
			depth--;
		} else if (*p == '|' && depth == 0) {
			return p[1] == '=' ? 0 : (size_t)(p - s);
		}
	}
	return 0;
}

/*
 * program_compile -- the fast path if the program is in its subset and
 * allowed; else libjq, with $NAME and $ARGS bound as jq binds them, and a
 * leading select the scanner can judge kept out of libjq.
 */
int
program_compile(struct program *p, const char *text, int allow_fast,
    struct buf *err)
{
	char *left;
	size_t n;
	jv args;

	if (allow_fast && (p->fast = fast_compile(text)) != NULL) {
		n = strspn(text, " \t\n");
		p->identity = text[n] == '.' &&
		    text[n + 1 + strspn(text + n + 1, " \t\n")] == '\0';
		return 0;
	}
	if (allow_fast && (n = select_prefix(text)) > 0) {
		left = strndup(text, n);
		if (left != NULL && (p->fast = fast_compile(left)) != NULL)
			text += n + 1;
		free(left);
	}
	if ((p->jq = jq_init()) == NULL) {
		buf_adds(err, "cannot initialise libjq");
		return -1;
	}
	jq_set_error_cb(p->jq, collect_error, err);
	args = jv_object_set(jv_copy(p->named), jv_string("ARGS"),
	    JV_OBJECT(jv_string("positional"), jv_array(),
	    jv_string("named"), jv_copy(p->named)));
	if (!jq_compile_args(p->jq, text, args)) {
		jq_set_error_cb(p->jq, NULL, NULL);
		return -1;
	}
	jq_set_error_cb(p->jq, NULL, NULL);
	p->project = reads_keys(text, &p->reads, &p->reads_text);
	return 0;
}

/* emit_value -- one libjq output (consumed), dumped as jq -c would */
static int
emit_value(jv out, program_emit emit, void *arg)
{
	jv text;
	int rc;

	text = jv_dump_string(out, 0);
	rc = emit(arg, jv_string_value(text),
	    (size_t)jv_string_length_bytes(jv_copy(text)));
	jv_free(text);
	return rc;
}

/*
 * parse -- the record as a jv.  One streaming parser serves every record,
 * as in jq itself: a parser per record costs more than the parse.  Fed as
 * partial input, it never reaches EOF; a space ends a top-level scalar.
 */
static jv
parse(struct program *p, struct json_span rec)
{
	jv v;

	if (p->parser == NULL)
		p->parser = jv_parser_new(0);
	jv_parser_set_buf(p->parser, rec.p, (int)rec.len, 1);
	v = jv_parser_next(p->parser);
	if (jv_is_valid(v) || jv_invalid_has_msg(jv_copy(v)))
		return v;
	jv_parser_set_buf(p->parser, " ", 1, 1);
	return jv_parser_next(p->parser);
}

/* wanted -- whether the program reads the member with this (unescaped) key */
static int
wanted(const struct program *p, const char *key, size_t n)
{
	int i;

	for (i = 0; i < p->reads.n; i++)
		if (p->reads.keylen[i] == n &&
		    memcmp(p->reads.key[i], key, n) == 0)
			return 1;
	return 0;
}

/*
 * project -- the record as libjq sees it, restricted to the members the
 * program can observe (see reads.h): most of the parsing and freeing of
 * a record is for members the program never looks at.
 */
static jv
project(struct program *p, struct json_span rec)
{
	struct json_iter it;
	struct json_span k, v;
	const char *key;
	size_t n;
	jv obj, val;

	obj = jv_object();
	json_iter_init(&it, rec);
	while (json_iter_next(&it, &k, &v)) {
		key = k.p + 1;
		n = k.len - 2;
		if (memchr(key, '\\', n) != NULL) {
			buf_reset(&p->text);
			json_string(k, &p->text);
			key = p->text.p;
			n = p->text.len;
		}
		if (!wanted(p, key, n))
			continue;
		val = parse(p, v);
		if (!jv_is_valid(val)) {
			jv_free(obj);
			return val;
		}
		obj = jv_object_set(obj, jv_string_sized(key, (int)n), val);
	}
	return obj;
}

void
program_want(const struct program *p, struct json_want *want)
{
	want->n = 0;
	if (p->fast != NULL)
		fast_want(p->fast, want);
}

int
program_run(struct program *p, struct json_span rec,
    const struct json_span *found, program_emit emit, void *arg,
    struct buf *err)
{
	jv in, out;
	int rc = 0;

	if (p->identity)
		return emit(arg, rec.p, rec.len) ? -2 : 0;
	if (p->fast != NULL && p->jq != NULL) {	/* a select before libjq */
		switch (fast_run_found(p->fast, rec, found, &p->text, err)) {
		case FAST_ERROR:
			return -1;
		case FAST_PASS:
			break;
		default:
			return 0;
		}
	} else if (p->fast != NULL) {
		buf_reset(&p->text);
		switch (fast_run_found(p->fast, rec, found, &p->text, err)) {
		case FAST_ERROR:
			return -1;
		case FAST_DROP:
			return 0;
		case FAST_PASS:
			return emit(arg, rec.p, rec.len) ? -2 : 0;
		case FAST_BUILT:
			return emit(arg, p->text.p, p->text.len) ? -2 : 0;
		}
	}
	in = p->project && rec.type == JSON_OBJECT ? project(p, rec) :
	    parse(p, rec);
	if (!jv_is_valid(in)) {		/* what jq 1.6 rejects, e.g. \ud800 */
		jv_message(in, err);
		jv_parser_free(p->parser);	/* its state is unknown now */
		p->parser = NULL;
		return -1;
	}
	jq_start(p->jq, jv_copy(in), 0);
	while (rc == 0 && jv_is_valid(out = jq_next(p->jq))) {
		if (jv_identical(jv_copy(in), jv_copy(out))) {
			jv_free(out);
			rc = emit(arg, rec.p, rec.len);
		} else {
			rc = emit_value(out, emit, arg);
		}
	}
	jv_free(in);
	if (rc != 0)
		return -2;
	if (jv_invalid_has_msg(jv_copy(out))) {
		jv_message(out, err);
		return -1;
	}
	jv_free(out);
	return 0;
}

void
program_free(struct program *p)
{
	fast_free(p->fast);
	p->fast = NULL;
	if (p->jq != NULL)
		jq_teardown(&p->jq);
	if (p->parser != NULL)
		jv_parser_free(p->parser);
	p->parser = NULL;
	jv_free(p->named);
	p->named = jv_null();
	buf_free(&p->text);
	buf_free(&p->reads_text);
}
