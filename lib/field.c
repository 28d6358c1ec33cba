/* field -- a value per record from a jq expression; see field.h. */
#include <string.h>

#include "field.h"

static int	keep_first(void *, const char *, size_t);

int
field_compile(struct field *f, const char *expr, struct buf *err)
{
	memset(f, 0, sizeof(*f));
	f->expr = expr;
	f->slot = -1;
	program_init(&f->prog);
	if (json_path_parse(expr, strlen(expr), &f->path) == 0) {
		f->simple = 1;
		return 0;
	}
	return program_compile(&f->prog, expr, 0, err);
}

/* keep_first -- program_emit callback: copy the first output, then stop */
static int
keep_first(void *arg, const char *p, size_t n)
{
	struct buf *b = arg;

	buf_add(b, p, n);
	return -1;
}

int
field_get(struct field *f, struct json_span rec, struct json_span *v,
    struct buf *err)
{
	struct json_error jerr;
	int rc;

	if (f->slot >= 0 && rec.type == JSON_OBJECT) {
		*v = f->found[f->slot];
		if (f->path.n == 1 || v->type == JSON_NONE)
			return 0;
		return json_get_from(*v, &f->path, 1, v, err);
	}
	if (f->simple)
		return json_get(rec, &f->path, v, err);
	buf_reset(&f->text);
	rc = program_run(&f->prog, rec, NULL, keep_first, &f->text, err);
	if (rc == -1)
		return -1;
	if (f->text.len == 0) {
		v->p = "null";
		v->len = 0;
		v->type = JSON_NONE;
		return 0;
	}
	return json_validate(f->text.p, f->text.len, v, &jerr) == 0 ? 0 : -1;
}

int
field_want(struct field *f, struct json_want *want,
    const struct json_span *found)
{
	const struct json_step *st = &f->path.step[0];
	int i;

	if (!f->simple || f->path.n == 0 || st->key == NULL)
		return -1;
	for (i = 0; i < want->n; i++)
		if (want->keylen[i] == st->keylen &&
		    memcmp(want->key[i], st->key, st->keylen) == 0)
			break;
	if (i == want->n) {
		if (want->n == JSON_WANT_MAX)
			return -1;
		want->key[i] = st->key;
		want->keylen[i] = st->keylen;
		want->n++;
	}
	f->slot = i;
	f->found = found;
	return 0;
}

int
field_name(const char *arg, struct buf *name, const char **expr)
{
	struct json_path path;
	const char *eq = strchr(arg, '=');

	*expr = arg;
	if (eq != NULL && eq > arg && strspn(arg, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == (size_t)(eq - arg)) {
		json_put_string(name, arg, (size_t)(eq - arg));
		*expr = eq + 1;
	} else if (json_path_parse(arg, strlen(arg), &path) == 0 &&
	    path.n > 0 && path.step[path.n - 1].key != NULL) {
		json_put_string(name, path.step[path.n - 1].key,
		    path.step[path.n - 1].keylen);
	} else {
		return -1;
	}
	buf_addc(name, ':');
	return 0;
}

void
field_free(struct field *f)
{
	program_free(&f->prog);
	buf_free(&f->text);
}
