/*
 * path -- libFuzzer target for json_path_parse and json_get: the input
 * is a path, a newline, and a JSON text.  When both parse, json_get
 * (and json_get_from each step) must return 0 or -1, and a value found
 * must lie inside the text and validate.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *nl, *t;
	struct json_path path;
	struct json_span v, out, chk;
	struct json_error e;
	struct buf msg = BUF_INIT;
	size_t plen, tlen;
	int rc, step;

	if ((nl = memchr(p, '\n', size)) == NULL) {
		(void)json_path_parse(p, size, &path);
		return 0;
	}
	plen = (size_t)(nl - p);
	t = nl + 1;
	tlen = size - plen - 1;
	if (json_path_parse(p, plen, &path) != 0)
		return 0;
	if (path.n < 0 || path.n > JSON_PATH_MAX)
		abort();
	if (json_validate(t, tlen, &v, &e) != 0)
		return 0;
	for (step = 0; step <= path.n; step++) {
		buf_reset(&msg);
		if (step == 0)
			rc = json_get(v, &path, &out, &msg);
		else
			rc = json_get_from(v, &path, step, &out, &msg);
		if (rc != 0 && rc != -1) {
			fprintf(stderr, "json_get returned %d\n", rc);
			abort();
		}
		if (rc == -1 && msg.len == 0) {
			fprintf(stderr, "json_get -1 without a message\n");
			abort();
		}
		if (rc != 0 || out.type == JSON_NONE)
			continue;
		if (out.p < t || out.p + out.len > t + tlen ||
		    json_validate(out.p, out.len, &chk, &e) != 0) {
			fprintf(stderr, "json_get found a bad span\n");
			abort();
		}
	}
	buf_free(&msg);
	return 0;
}
