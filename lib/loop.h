#ifndef LOOP_H
#define LOOP_H
/*
 * loop -- the record loop every tool runs: lines in, JSON validated, bad
 * records reported, a callback per good record, output flushed whenever
 * the next read would block, --stats on SIGUSR1, SIGTERM/SIGINT as EOF.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "json.h"
#include "line.h"
#include "opt.h"
#include "out.h"

enum loop_rc {
	LOOP_FAIL = -1,		/* stop, exit 1 (errno set, or 0) */
	LOOP_OK = 0,		/* go on */
	LOOP_DONE = 1		/* stop early and quietly (limit, EPIPE) */
};

struct loop;
typedef enum loop_rc (*loop_record)(void *, struct loop *,
    const struct line *, struct json_span);

struct loop {
	const struct opt_common *opt;
	struct diag	 diag;
	struct out	 out;
	loop_record	 record;
	void		*arg;
	void		(*idle)(void *);	/* optional: --idle, timers */
	int		 idle_ms;
	int		(*timeout)(void *);	/* optional: idle_ms anew before
						 * each wait (-1: none) */
	struct line_reader *reader;	/* private: the one being read */
	const struct json_want *want;	/* top-level keys to capture */
	struct json_span found[JSON_WANT_MAX];	/* their values, per record */
	const char	*source;	/* current source name */
	const char	*failed;	/* what a LOOP_FAIL failed on, or NULL */
	const char	*late;		/* the --late file's name, or NULL */
	int		 out_said;	/* an output error was reported */
	struct buf	 msg;		/* private */
	int		 err;		/* and its errno */
};

int	loop_open(struct loop *, const char *prog, const struct opt_common *,
	    loop_record, void *);	/* -1: --dead-letter cannot open */
enum loop_rc loop_fd(struct loop *, int fd, const char *source);
int	loop_files(struct loop *, char **paths);
				/* each operand ("-" or none: stdin) in turn;
				 * warns of unreadable ones; the exit status */
enum loop_rc loop_bad(struct loop *, const struct line *, const char *msg);
				/* report a bad record found by the tool */
enum loop_rc loop_late(struct loop *, const struct line *, int64_t t,
	    int64_t watermark);
				/* a record older than the watermark:
				 * counted, and kept in the --late file */
enum loop_rc loop_emit(struct loop *, const char *, size_t);
				/* write one output record */
int	loop_sync(struct loop *);
				/* before --state is saved: flush, so that
				 * the state never runs ahead of the output.
				 * 0, or -1 if the output failed (now or
				 * before): then the old state must stay */
void	loop_before_block(void *loop);
				/* for line_reader.before_block: flush, and
				 * --stats if SIGUSR1 came */
int	loop_close(struct loop *, int print_stats);
				/* flush; 0, or -1 if output failed */

#endif
