#ifndef ALERT_H
#define ALERT_H
/*
 * alert -- stream-alert: the rules of a rule file (rules.h) evaluated over
 * the stream in event time, one output line per state change of a rule
 * and key (CONTRACT sections 5 and 7).  The caller fills struct
 * alert_opts (alert_option, alert_check), opens the loop and runs it with
 * alert_record; at the end of input alert_finish closes the windows, or
 * with --state saves everything for the next run.
 */
#include <stdint.h>

#include "buf.h"
#include "loop.h"
#include "opt.h"
#include "rules.h"

struct alert_opts {
	struct opt_common common;
	const char	*rules;		/* -r FILE */
	int		 check;		/* --check */
	const char	*tests[64];	/* --test FILE... */
	int		 ntests;
	const char	*exec;		/* --exec CMD */
	long long	 exec_jobs;	/* default 4 */
	int64_t		 exec_timeout;	/* default 30s */
	long long	 max_keys;	/* per rule; 0: no bound */
	const char	*late;		/* --late FILE */
	int64_t		 idle;		/* 0: off */
};

/* Called with each alert written (for --exec); never blocks */
typedef void (*alert_sink)(void *, const char *, size_t);

struct alert_run;			/* private: one rule's runtime */
struct alert_eng;			/* private: clock, watermark, output */

struct alert {
	const struct alert_opts *o;
	struct loop	*loop;
	alert_sink	 sink;		/* optional; set after alert_open */
	void		*sink_arg;
	uint64_t	 alerts;	/* written */
	uint64_t	 suppressed;	/* held back by a cooldown */
	struct rules	 rules;		/* private from here on */
	struct alert_run *run;		/* one per rule, in file order */
	size_t		 nrun;
	struct alert_eng *priv;		/* clock, watermark, output */
};

enum {				/* getopt values of the options */
	ALERT_O_CHECK = OPT_TOOL, ALERT_O_TEST, ALERT_O_EXEC,
	ALERT_O_EXEC_JOBS, ALERT_O_EXEC_TIMEOUT, ALERT_O_MAX_KEYS,
	ALERT_O_LATE, ALERT_O_IDLE
};

void	alert_opts_init(struct alert_opts *);	/* the defaults */
int	alert_option(struct alert_opts *, int ch, const char *arg,
	    struct buf *why);	/* 1 taken, 0 not ours, -1 a bad value;
				 * 'r' is -r/--rules */
const char *alert_check(const struct alert_opts *);
				/* NULL, or why the options conflict */
int	alert_rules_load(struct rules *, const char *path, struct buf *err);
				/* rules_load, and what the engine needs
				 * beyond it (--check, alert_open, SIGHUP):
				 * 0, or -1 with "PATH:LINE:COL: msg" lines */
int	alert_open(struct alert *, const struct alert_opts *, struct loop *,
	    struct buf *err);	/* load and compile the rules, restore
				 * --state: 0, or -1 (message in err; a rule
				 * file that does not load is a usage error,
				 * every mistake one line) */
enum loop_rc alert_record(void *, struct loop *, const struct line *,
	    struct json_span);
void	alert_idle(void *);	/* loop.idle: watermark moves; SIGHUP */
int	alert_timeout(void *);	/* loop.timeout: ms until something is due */
enum loop_rc alert_finish(struct alert *);	/* end of input */
void	alert_reload(struct alert *);	/* SIGHUP: reload the rule file */
void	alert_stats(const struct alert *, struct buf *);
				/* appends ,"alerts":N,"suppressed":N */
void	alert_close(struct alert *);

/*
 * The --state body (the lines between header and trailer) as text, for
 * the fuzz target tests/fuzz/alertstate.c, on an alert from alert_open.
 * alert_state_load forgets every key and restores the body's lines as
 * --state does at alert_open: 0, or -1 with "NAME: reason" in err (keys
 * read before the fault stay).  alert_state_save appends the body that
 * --state would save, each line ending in '\n'.
 */
int	alert_state_load(struct alert *, const char *name, const char *body,
	    size_t len, struct buf *err);
void	alert_state_save(struct alert *, struct buf *body);

/*
 * For --test: run fresh rules (no --state, no --exec, no files) over the
 * NDJSON in input, as stream-alert -r would at EOF, appending the alerts
 * (NDJSON) to out.  0, or -1 with why in err (a bad input record is an
 * error here).  The options give time, lateness and --time-output.
 */
int	alert_run_text(const struct alert_opts *, const struct rules *,
	    const char *input, size_t len, struct buf *out, struct buf *err);

#endif
