/*
 * rules -- libFuzzer target for rules_load_flags with RULES_NOJQ: YAML
 * through libyaml, then every check but the jq compiles, which take
 * libjq 10 ms each (rulesjq, built from this file, makes them too, for
 * short rounds).  A load that succeeds leaves rules whose canonical
 * JSON validates; one that fails leaves no rules and says why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "json.h"
#include "rules.h"

#ifndef RULES_FUZZ_FLAGS
#define RULES_FUZZ_FLAGS	RULES_NOJQ
#endif

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules rs = { NULL, 0 };
	struct buf err = BUF_INIT, b = BUF_INIT;
	struct json_span v;
	struct json_error e;
	size_t i;

	if (rules_load_flags(&rs, "fuzz.yaml", (const char *)data, size,
	    RULES_FUZZ_FLAGS, &err) == 0) {
		for (i = 0; i < rs.n; i++) {
			buf_reset(&b);
			rule_json(&rs.r[i], &b);
			if (json_validate(b.p, b.len, &v, &e) != 0) {
				fprintf(stderr, "rule_json: %s\n", b.p);
				abort();
			}
		}
	} else if (err.len == 0 || rs.n != 0)
		abort();
	rules_free(&rs);
	rules_free(&rs);
	buf_free(&err);
	buf_free(&b);
	return 0;
}
