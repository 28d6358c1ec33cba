/*
 * jstream -- libFuzzer target for lib/jstream.c: the first byte sets the
 * chunk size (its value mod 16, plus 1) and, when it has bit 0x40 (a
 * letter), a max of 64 bytes so the too-long path is taken too; the rest
 * is scanned in chunks as a reader would.  Each value is handed to
 * json_validate; scanning must take every byte and never loop.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "json.h"
#include "jstream.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1;
	struct jstream js;
	struct json_span v;
	struct json_error e;
	enum jstream_ev ev;
	size_t chunk, k, len, took, n, spins;

	if (size == 0)
		return 0;
	chunk = data[0] % 16 + 1;
	n = size - 1;
	jstream_init(&js, data[0] & 0x40 ? 64 : 1 << 20);
	for (k = 0; k < n; k += len) {
		len = n - k < chunk ? n - k : chunk;
		for (took = 0, spins = 0; took < len; spins++) {
			took += jstream_scan(&js, p + k + took, len - took,
			    &ev);
			if (took > len || spins > 2 * len + 2)
				abort();
			if (ev == JSTREAM_NEED && took != len)
				abort();
			if (ev == JSTREAM_VALUE &&
			    json_validate(js.val.p, js.val.len, &v, &e) != 0)
				jstream_resync(&js);
		}
	}
	if (jstream_end(&js) == JSTREAM_VALUE)
		(void)json_validate(js.val.p, js.val.len, &v, &e);
	jstream_free(&js);
	jstream_free(&js);
	return 0;
}
