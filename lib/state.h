#ifndef STATE_H
#define STATE_H
/*
 * state -- versioned, checksummed state files, replaced atomically.
 * Layout: a header line {"state":1,"tool":"NAME"}, body lines written by
 * the tool (one JSON value each), then a trailer {"end":LINES,"xxh3":"HEX"}
 * covering the body.  Saving writes PATH.tmp, fsyncs it and renames it
 * over PATH, so a crash leaves either the old or the new file.
 */
#include <stdio.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

struct state_writer {
	FILE	*fp;		/* private */
	char	*path, *tmp;
	uint64_t lines;
	void	*hs;		/* xxh3 streaming state */
};
#define STATE_WRITER_INIT { NULL, NULL, NULL, 0, NULL }

/* Saving: begin, add lines, commit (or abort).  0, or -1 with errno. */
int	state_begin(struct state_writer *, const char *path, const char *tool);
int	state_line(struct state_writer *, const char *, size_t);
int	state_commit(struct state_writer *);	/* fsync + rename */
void	state_abort(struct state_writer *);	/* removes the temp file */

/* Loading: the body of a valid file into *body (lines, '\n'-terminated).
 * 0 loaded; 1 no file yet; -1 damaged or unreadable, reason in *why. */
int	state_load(const char *path, const char *tool, struct buf *body,
	    const char **why);

/* Checking at start that PATH can be written (refused early, not at exit) */
int	state_writable(const char *path);	/* 0, or -1 with errno */

/* Restoring at start: PATH is checked writable, then each body line is
 * parsed and handed to line(arg, n, value, &why), n counted from 1,
 * which returns 0, or -1 (with *why set, or left NULL for "does not
 * read back").  0 restored, or no file yet; -1 with "PATH: reason" in
 * err. */
int	state_restore(const char *path, const char *tool,
	    int (*line)(void *, uint64_t, struct json_span, const char **),
	    void *arg, struct buf *err);

/* state_restore's line loop over a body already loaded (len bytes of
 * whole lines, as state_load leaves them): 0, or -1 with "NAME: reason"
 * in err.  For a body from elsewhere than a file, as the fuzz target's */
int	state_restore_text(const char *name, const char *text, size_t len,
	    int (*line)(void *, uint64_t, struct json_span, const char **),
	    void *arg, struct buf *err);

#endif
