#ifndef PROGRAM_H
#define PROGRAM_H
/*
 * program -- a jq program run on each record.  Programs that the scanner
 * can run alone (see fast.h) never reach libjq; the rest are compiled once
 * by libjq.  An output that is the input itself, untouched, is handed back
 * as the record's own bytes, so it leaves byte for byte as it came.
 */
#include <stddef.h>

#include <jq.h>

#include "buf.h"
#include "fast.h"
#include "json.h"

struct program {
	struct fast	*fast;		/* private */
	int		 identity;	/* the program is "." */
	jq_state	*jq;
	jv_parser	*parser;
	jv		 named;		/* --arg & co, by name */
	struct buf	 text;		/* fast-path output */
	int		 project;	/* libjq sees only the members in reads */
	struct json_want reads;
	struct buf	 reads_text;
};

/* Called for each output; returns 0, or -1 to stop the run */
typedef int (*program_emit)(void *, const char *, size_t);

void	program_init(struct program *);

/* Arguments, before compiling; 0, or -1 with a message in err */
int	program_arg(struct program *, const char *name, const char *value);
int	program_argjson(struct program *, const char *name, const char *json,
	    struct buf *err);
int	program_slurpfile(struct program *, const char *name,
	    const char *path, struct buf *err);
int	program_rawfile(struct program *, const char *name, const char *path,
	    struct buf *err);

int	program_compile(struct program *, const char *text, int allow_fast,
	    struct buf *err);	/* 0, or -1 with jq's messages in err */

/* The top-level keys worth capturing while validating (json.h) */
void	program_want(const struct program *, struct json_want *);

/* Run on one valid record: 0; -1 a runtime error (message in err);
 * -2 emit asked to stop.  found is NULL, or the values of the keys
 * program_want named, from json_validate_want. */
int	program_run(struct program *, struct json_span record,
	    const struct json_span *found, program_emit, void *arg,
	    struct buf *err);

void	program_free(struct program *);

#endif
