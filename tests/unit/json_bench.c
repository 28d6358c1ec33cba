/*
 * json_bench -- throughput of json_validate and json_validate_want on
 * NDJSON lines: ~220-byte generated event lines, or the lines of a file.
 * Not part of the test suite.  Build and run:
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Ilib -o /tmp/json_bench \
 *       tests/unit/json_bench.c lib/json.c lib/buf.c lib/xalloc.c -lm
 *   /tmp/json_bench [MB | file.ndjson]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"

static double	now(void);
static size_t	load(const char *, struct buf *, size_t **);
static void	bench_want(const char *, size_t *, size_t, size_t, int,
		    const char *const *);

static const char *const users[] = {
	"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"
};
static const char *const events[] = {
	"login", "logout", "view", "purchase", "login_failed", "search"
};
static const char *const paths[] = {
	"/api/v1/items", "/api/v1/users/42", "/login", "/api/v2/search?q=x",
	"/static/app.js"
};
static const char *const geo[] = {
	"\"country\":\"DE\",\"city\":\"Berlin\"",
	"\"country\":\"FR\",\"city\":\"Paris\"",
	"\"country\":\"US\",\"city\":\"New York\"",
	"\"country\":\"JP\",\"city\":\"\xe6\x9d\xb1\xe4\xba\xac\""
};

/* load -- the lines of file into b, offsets into *off; the line count */
static size_t
load(const char *file, struct buf *b, size_t **off)
{
	FILE *fp;
	char chunk[65536];
	size_t n, i, nline, cap;

	if ((fp = fopen(file, "rb")) == NULL) {
		perror(file);
		exit(1);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(b, chunk, n);
	fclose(fp);
	cap = 1024;
	*off = malloc((cap + 1) * sizeof(**off));
	nline = 0;
	for (i = 0; *off != NULL && i < b->len; i++) {
		if (nline == cap) {
			cap *= 2;
			*off = realloc(*off, (cap + 1) * sizeof(**off));
			if (*off == NULL)
				break;
		}
		(*off)[nline++] = i;
		while (i < b->len && b->p[i] != '\n')
			i++;
	}
	if (*off == NULL) {
		perror("json_bench");
		exit(1);
	}
	if (b->len > 0 && b->p[b->len - 1] != '\n')
		buf_add(b, "\n", 1);	/* each line ends before a newline */
	(*off)[nline] = b->len;
	return nline;
}

/* bench_want -- json_validate_want with nkey keys wanted */
static void
bench_want(const char *p, size_t *off, size_t nline, size_t bytes,
    int nkey, const char *const *key)
{
	struct json_want want;
	struct json_span v, found[JSON_WANT_MAX];
	struct json_error e;
	double t0, t1, best;
	size_t i, hit;
	int pass, k;

	want.n = nkey;
	for (k = 0; k < nkey; k++) {
		want.key[k] = key[k];
		want.keylen[k] = strlen(key[k]);
	}
	best = 1e9;
	hit = 0;
	for (pass = 0; pass < 5; pass++) {
		hit = 0;
		t0 = now();
		for (i = 0; i < nline; i++) {
			if (json_validate_want(p + off[i], off[i + 1] - off[i] -
			    1, &v, &e, &want, found) != 0)
				continue;
			hit += found[0].type != JSON_NONE;
		}
		t1 = now();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	printf("json_validate_want %d key%s (%s...): %.0f MB/s, %.1f M "
	    "lines/s, %zu found\n", nkey, nkey > 1 ? "s" : "", key[0],
	    (double)bytes / 1e6 / best, (double)nline / 1e6 / best, hit);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	struct buf b = BUF_INIT;
	struct json_span v, got;
	struct json_error e;
	struct json_path path;
	size_t target, *off, nline, cap, i, bytes;
	unsigned r;
	double t0, t1, best;
	int pass, bad;
	static const char *const keys[] = { "status", "user", "path" };

	if (argc > 1 && (argv[1][0] < '0' || argv[1][0] > '9')) {
		nline = load(argv[1], &b, &off);
		bytes = b.len - nline;
		goto measure;
	}

	target = (argc > 1 ? (size_t)atol(argv[1]) : 200) << 20;
	cap = target / 150 + 1;
	off = malloc((cap + 1) * sizeof(*off));
	if (off == NULL)
		return 1;
	nline = 0;
	r = 12345;
	while (b.len < target && nline < cap) {
		off[nline++] = b.len;
		r = r * 1103515245 + 12345;
		buf_printf(&b, "{\"ts\":\"2026-11-25T10:%02u:%02u.%03uZ\","
		    "\"user\":\"%s\",\"event\":\"%s\",\"status\":%u,"
		    "\"latency_ms\":%u.%u,\"path\":\"%s\","
		    "\"ip\":\"10.%u.%u.%u\","
		    "\"geo\":{%s},\"bytes\":%u,\"ua\":\"curl/8.%u\"}",
		    (r >> 8 & 63) % 60, (r >> 14 & 63) % 60,
		    (r >> 4 & 1023) % 1000,
		    users[r >> 3 & 7], events[(r >> 7) % 6],
		    (r >> 11 & 1) ? 200 : 404, r >> 5 & 255, r >> 13 & 7,
		    paths[(r >> 9) % 5], r >> 16 & 255, r >> 20 & 255,
		    r >> 24 & 255, geo[r >> 17 & 3], r >> 6 & 65535,
		    r >> 3 & 15);
		buf_add(&b, "\n", 1);
	}
	off[nline] = b.len;
	bytes = b.len - nline;
measure:
	printf("%zu lines, %.1f MB, %.0f bytes/line\n", nline,
	    (double)bytes / 1e6, (double)bytes / (double)nline);
	printf("sample: %.*s\n", (int)(off[1] - off[0] - 1), b.p);
	best = 1e9;
	for (pass = 0; pass < 5; pass++) {
		bad = 0;
		t0 = now();
		for (i = 0; i < nline; i++)
			bad += json_validate(b.p + off[i],
			    off[i + 1] - off[i] - 1, &v, &e) != 0;
		t1 = now();
		if (bad != 0) {
			fprintf(stderr, "json_bench: %d lines rejected\n", bad);
			return 1;
		}
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	printf("json_validate: %.0f MB/s, %.1f M lines/s (best of 5)\n",
	    (double)bytes / 1e6 / best, (double)nline / 1e6 / best);
	best = 1e9;
	for (pass = 0; pass < 3; pass++) {
		t0 = now();
		for (i = 0; i < nline; i++)
			bad += json_valid_utf8(b.p + off[i],
			    off[i + 1] - off[i] - 1) == 0;
		t1 = now();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	printf("json_valid_utf8: %.0f MB/s\n", (double)bytes / 1e6 / best);
	for (pass = 1; pass <= 3; pass++)
		bench_want(b.p, off, nline, bytes, pass, keys);
	json_path_parse(".geo.city", 9, &path);
	best = 1e9;
	for (pass = 0; pass < 3; pass++) {
		t0 = now();
		for (i = 0; i < nline; i++) {
			v.p = b.p + off[i];
			v.len = off[i + 1] - off[i] - 1;
			v.type = JSON_OBJECT;
			bad += json_get(v, &path, &got, NULL) != 0 ||
			    got.type != JSON_STRING;
		}
		t1 = now();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	printf("json_get .geo.city: %.0f MB/s, %.1f M lines/s\n",
	    (double)bytes / 1e6 / best, (double)nline / 1e6 / best);
	free(off);
	buf_free(&b);
	return bad != 0;
}
