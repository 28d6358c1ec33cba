/*
 * csv -- libFuzzer target for lib/csv.c: the first byte picks TSV (bit 1)
 * and a --header from the next line (bit 2), so '0' to '3' in a seed;
 * the rest is fed line by line to csv_line as the reader does (newline
 * and a trailing '\r' dropped), then csv_end.  Every record must be a
 * valid JSON object, and nothing but CSV_RECORD may write to out.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end, *nl;
	struct csv c;
	char *h;
	struct buf out = BUF_INIT, why = BUF_INIT;
	struct json_span v;
	struct json_error e;
	size_t before, n;
	enum csv_rc rc;
	int mode;

	if (size == 0)
		return 0;
	mode = data[0];
	p++;
	end = p + size - 1;
	csv_init(&c, mode & 1);
	if (mode & 2) {
		/* the first line is a --header list */
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if ((h = malloc(n + 1)) == NULL)
			abort();
		memcpy(h, p, n);
		h[n] = '\0';
		if (csv_header(&c, h, &why) != 0 && why.len == 0)
			abort();
		free(h);
		p = nl < end ? nl + 1 : end;
	}
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		buf_reset(&why);
		before = out.len;
		rc = csv_line(&c, p, n, &out, &why);
		if (rc != CSV_RECORD && out.len != before)
			abort();
		if (rc == CSV_RECORD) {
			if (json_validate(out.p + before, out.len - before,
			    &v, &e) != 0 || v.type != JSON_OBJECT) {
				fprintf(stderr, "record is not a JSON object"
				    ": %s\n", out.p + before);
				abort();
			}
			if (c.raw == NULL)
				abort();
		}
		if (rc == CSV_BAD && why.len == 0)
			abort();
		p = nl + 1;
	}
	buf_reset(&why);
	if (csv_end(&c, &why) == CSV_BAD && why.len == 0)
		abort();
	csv_free(&c);
	csv_free(&c);
	buf_free(&out);
	buf_free(&why);
	return 0;
}
