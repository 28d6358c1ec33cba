/*
 * logfmt -- libFuzzer target for logfmt_record: the input is one line;
 * an accepted line gives a valid JSON object, a refused one a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "json.h"
#include "logfmt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT, why = BUF_INIT;
	struct json_span v;
	struct json_error e;

	if (logfmt_record((const char *)data, size, &out, &why) == 0) {
		if (json_validate(out.p, out.len, &v, &e) != 0 ||
		    v.type != JSON_OBJECT) {
			fprintf(stderr, "not a JSON object (column %zu: %s)"
			    ": %s\n", e.col, e.msg, out.p);
			abort();
		}
	} else if (why.len == 0 || out.len != 0)
		abort();
	buf_free(&out);
	buf_free(&why);
	return 0;
}
