#ifndef DIAG_H
#define DIAG_H
/*
 * diag -- bad records and --stats (CONTRACT sections 2, 3).
 * A bad record is counted, reported on the caller's error stream in
 * "PROG: SOURCE:LINE: MESSAGE" form (at most DIAG_RATE lines a second,
 * then a summary), and appended to the dead-letter file if one is open.
 * The struct is the caller's; diag_close flushes and closes its files.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"

#define DIAG_RATE	10

enum diag_mode { DIAG_WARN, DIAG_SKIP, DIAG_FAIL };

struct diag {
	const char	*prog;
	FILE		*err;		/* warnings; the caller passes stderr */
	enum diag_mode	 mode;
	FILE		*dead;		/* --dead-letter, or NULL */
	FILE		*late;		/* --late, or NULL */
	uint64_t	 in, out, bad, nlate;
	uint64_t	 evicted;	/* --max-keys: shown when show_evicted */
	int		 show_evicted;
	void		(*extra)(void *, struct buf *);
					/* --stats: appends the tool's own
					 * members (",\"alerts\":3"), or NULL */
	void		*extra_arg;
	int64_t		 start;		/* private: monotonic ns at open */
	int64_t		 sec;		/* rate-limit window */
	unsigned	 shown;
	uint64_t	 hidden;
	struct buf	 scratch;
};

void	diag_open(struct diag *, const char *prog, FILE *err);
int	diag_mode(const char *, enum diag_mode *);	/* "warn" "skip" "fail" */
int	diag_dead_letter(struct diag *, const char *path);
				/* open for appending: 0, or -1 with errno */
int	diag_late_file(struct diag *, const char *path);	/* the same */

/* Reporting; returns 0 to go on, or -1 when the tool must stop:
 * --on-error fail (errno 0) or a failed write (errno set) */
int	diag_bad(struct diag *, const char *source, uint64_t line,
	    const char *raw, size_t rawlen, const char *msg);

/* A late record (CONTRACT section 5): counted, and kept in the --late
 * file in the dead letter's shape; 0, or -1 if the write failed */
int	diag_late(struct diag *, const char *source, uint64_t line,
	    const char *raw, size_t rawlen, const char *msg);

/* --stats: one JSON line */
void	diag_stats(struct diag *, FILE *);

int	diag_close(struct diag *);	/* 0, or -1 if a file failed */

#endif
