/* diag -- bad records, rate-limited warnings, stats; see diag.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "json.h"
#include "ts.h"

static void	add_base64(struct buf *, const unsigned char *, size_t);
static int	append_record(struct diag *, FILE *, const char *, uint64_t,
		    const char *, size_t, const char *);
static void	warn_rate_limited(struct diag *, const char *, uint64_t,
		    const char *);
static void	flush_hidden(struct diag *);

void
diag_open(struct diag *d, const char *prog, FILE *err)
{
	memset(d, 0, sizeof(*d));
	d->prog = prog;
	d->err = err;
	d->start = ts_mono();
	d->sec = -1;
}

int
diag_mode(const char *s, enum diag_mode *m)
{
	if (strcmp(s, "warn") == 0)
		*m = DIAG_WARN;
	else if (strcmp(s, "skip") == 0)
		*m = DIAG_SKIP;
	else if (strcmp(s, "fail") == 0)
		*m = DIAG_FAIL;
	else
		return -1;
	return 0;
}

int
diag_dead_letter(struct diag *d, const char *path)
{
	return (d->dead = fopen(path, "a")) != NULL ? 0 : -1;
}

int
diag_late_file(struct diag *d, const char *path)
{
	return (d->late = fopen(path, "a")) != NULL ? 0 : -1;
}

/* add_base64 -- RFC 4648 base64 with padding */
static void
add_base64(struct buf *b, const unsigned char *p, size_t n)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned long v;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)p[i] << 16 | p[i + 1] << 8 | p[i + 2];
		buf_addc(b, abc[v >> 18 & 63]);
		buf_addc(b, abc[v >> 12 & 63]);
		buf_addc(b, abc[v >> 6 & 63]);
		buf_addc(b, abc[v & 63]);
	}
	if (i < n) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)p[i + 1] << 8;
		buf_addc(b, abc[v >> 18 & 63]);
		buf_addc(b, abc[v >> 12 & 63]);
		buf_addc(b, i + 1 < n ? abc[v >> 6 & 63] : '=');
		buf_addc(b, '=');
	}
}

/*
 * append_record -- one {"error","source","line","raw"} line.  A line that
 * is not UTF-8 cannot be a JSON string without loss, so it goes in
 * "raw_base64" instead.
 */
static int
append_record(struct diag *d, FILE *fp, const char *source, uint64_t line,
    const char *raw, size_t rawlen, const char *msg)
{
	struct buf *b = &d->scratch;

	buf_reset(b);
	buf_adds(b, "{\"error\":");
	json_put_string(b, msg, strlen(msg));
	buf_adds(b, ",\"source\":");
	json_put_string(b, source, strlen(source));
	buf_printf(b, ",\"line\":%llu,", (unsigned long long)line);
	if (json_valid_utf8(raw, rawlen)) {
		buf_adds(b, "\"raw\":");
		json_put_string(b, raw, rawlen);
	} else {
		buf_adds(b, "\"raw_base64\":\"");
		add_base64(b, (const unsigned char *)raw, rawlen);
		buf_addc(b, '"');
	}
	buf_adds(b, "}\n");
	if (fwrite(b->p, 1, b->len, fp) != b->len || fflush(fp) == EOF)
		return -1;
	return 0;
}

/* flush_hidden -- the summary of warnings the rate limit held back */
static void
flush_hidden(struct diag *d)
{
	if (d->hidden > 0)
		fprintf(d->err, "%s: %llu more bad records not shown\n",
		    d->prog, (unsigned long long)d->hidden);
	d->hidden = 0;
}

static void
warn_rate_limited(struct diag *d, const char *source, uint64_t line,
    const char *msg)
{
	int64_t sec;

	sec = ts_mono() / TS_SECOND;
	if (sec != d->sec) {
		flush_hidden(d);
		d->sec = sec;
		d->shown = 0;
	}
	if (d->shown >= DIAG_RATE && d->mode != DIAG_FAIL) {
		d->hidden++;
		return;
	}
	d->shown++;
	fprintf(d->err, "%s: %s:%llu: %s\n", d->prog, source,
	    (unsigned long long)line, msg);
}

int
diag_late(struct diag *d, const char *source, uint64_t line,
    const char *raw, size_t rawlen, const char *msg)
{
	d->nlate++;
	if (d->late != NULL &&
	    append_record(d, d->late, source, line, raw, rawlen, msg) == -1)
		return -1;
	return 0;
}

int
diag_bad(struct diag *d, const char *source, uint64_t line,
    const char *raw, size_t rawlen, const char *msg)
{
	d->bad++;
	if (d->mode != DIAG_SKIP)
		warn_rate_limited(d, source, line, msg);
	if (d->dead != NULL &&
	    append_record(d, d->dead, source, line, raw, rawlen, msg) == -1)
		return -1;
	if (d->mode == DIAG_FAIL)
		return (errno = 0, -1);
	return 0;
}

void
diag_stats(struct diag *d, FILE *fp)
{
	struct buf extra = BUF_INIT;
	double elapsed;

	elapsed = (double)(ts_mono() - d->start) / 1e9;
	fprintf(fp, "{\"tool\":\"%s\",\"in\":%llu,\"out\":%llu,\"bad\":%llu,"
	    "\"late\":%llu", d->prog,
	    (unsigned long long)d->in, (unsigned long long)d->out,
	    (unsigned long long)d->bad, (unsigned long long)d->nlate);
	if (d->show_evicted)
		fprintf(fp, ",\"evicted\":%llu",
		    (unsigned long long)d->evicted);
	if (d->extra != NULL) {
		d->extra(d->extra_arg, &extra);
		if (extra.len > 0)
			fwrite(extra.p, 1, extra.len, fp);
		buf_free(&extra);
	}
	fprintf(fp, ",\"elapsed_s\":%.3f}\n", elapsed);
	fflush(fp);
}

int
diag_close(struct diag *d)
{
	int rc = 0;

	flush_hidden(d);
	if (d->dead != NULL && fclose(d->dead) == EOF)
		rc = -1;
	if (d->late != NULL && fclose(d->late) == EOF)
		rc = -1;
	d->dead = d->late = NULL;
	buf_free(&d->scratch);
	return rc;
}
