#ifndef EXEC_H
#define EXEC_H
/*
 * exec -- stream-alert --exec: a command run for each alert, the alert's
 * JSON and a newline on its stdin.  The command line is split into argv
 * like a shell word splitter that expands nothing: blanks separate words,
 * '...' and "..." quote, backslash escapes; no $, globs, ~, | or >.  It
 * runs through posix_spawnp, never a shell, so nothing in a record is
 * ever interpreted.  The child's stdout is our stderr, so that it never
 * mixes into the NDJSON on our stdout; only fds 0, 1 and 2 reach it.  At
 * most `jobs` commands run at once; alerts beyond that wait in a bounded
 * queue (EXEC_QUEUE_MAX), and past it are dropped and counted.  A command
 * still running after `timeout` (0: never) gets SIGTERM, SIGKILL a second
 * later, sent to its process group.  Nothing here blocks the stream:
 * children are reaped with WNOHANG.  Every failure (cannot start, exit
 * status not 0, killed, dropped) is said on `err`, at most 10 lines a
 * second, and counted.  The struct is the caller's; exec_close frees it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "buf.h"

#define EXEC_QUEUE_MAX	1024

struct exec {
	char		**argv;		/* private from here on */
	char		*cmd;		/* as given, for messages */
	int		 jobs, nrun;
	int64_t		 timeout;	/* ns */
	const char	*prog;		/* for messages: "stream-alert" */
	FILE		*err;
	struct exec_job	*run;		/* jobs slots */
	struct buf	*queue;		/* ring of EXEC_QUEUE_MAX alerts */
	size_t		 qhead, qlen;
	struct buf	 tmp;		/* temp file name */
	uint64_t	 started, failed, dropped;
	int64_t		 said_sec;	/* rate limit of messages */
	unsigned	 said;
	uint64_t	 unsaid;
};

int	exec_open(struct exec *, const char *cmd, int jobs, int64_t timeout,
	    const char *prog, FILE *err, struct buf *why);
				/* 0, or -1 (an empty command, a quote not
				 * closed) with why */
void	exec_submit(void *, const char *json, size_t len);
				/* alert_sink: start now or queue; polls */
void	exec_poll(struct exec *);
				/* reap, kill what is overdue, start queued;
				 * cheap when nothing runs */
int	exec_timeout_ms(const struct exec *);
				/* ms until exec_poll has work (a kill due,
				 * or children to reap: at most 50), or -1
				 * when nothing runs */
void	exec_drain(struct exec *);
				/* at exit: run the queue out and wait for
				 * every child, each within its timeout */
void	exec_stats(const struct exec *, struct buf *);
				/* appends ,"exec_started":N,
				 * "exec_failed":N,"exec_dropped":N; started
				 * counts every attempt, failed those that
				 * did not exit 0 (cannot start included) */
void	exec_close(struct exec *);	/* kills what still runs; twice ok */

#endif
