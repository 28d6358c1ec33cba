/*
 * exec -- stream-alert --exec; see exec.h.
 *
 * The alert reaches the command's stdin through an unlinked temp file:
 * mkstemp in $TMPDIR (or /tmp), unlink at once, write the JSON, seek back
 * to 0, and posix_spawn dups it to fd 0.  A write to a regular file never
 * waits for a reader, so we never block on a command that does not read,
 * whatever the alert's size; the command gets all of it, then EOF, even
 * if it never reads or hands stdin on to a child; and nothing is left to
 * pump or close later.  A pipe is only safe up to PIPE_BUF, so it would
 * need this path anyway for larger alerts: one way for every size is the
 * simpler one.  The file is gone from the directory before anything is
 * written, so nothing lingers even if we are killed.
 *
 * posix_spawnp rather than fork: no copy of our page tables per alert,
 * and glibc reports an exec failure as an errno.  Where an exec failure
 * shows only as exit status 127 (the POSIX fallback, and what sh does for
 * a command not found), we say "cannot run (exit 127)".
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "exec.h"
#include "ts.h"
#include "xalloc.h"

#define POLL_MS		50		/* reaping period while children run */
#define DRAIN_NS	10000000	/* exec_drain's sleep step: 10ms */
#define KILL_GRACE	TS_SECOND	/* from SIGTERM to SIGKILL */

extern char **environ;

struct exec_job {
	pid_t		 pid;		/* 0: a free slot */
	int		 stage;		/* 0 runs, 1 sent SIGTERM, 2 SIGKILL */
	int64_t		 due;		/* monotonic ns of the next signal */
};

static char	**split(const char *, const char **);
static const char *split_word(const char **, char **);
static void	say(struct exec *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	say_unsaid(struct exec *);
static int	write_all(int, const char *, size_t);
static int	stdin_file(struct exec *, const char *, size_t);
static int	close_action(posix_spawn_file_actions_t *, long);
static int	close_others(posix_spawn_file_actions_t *);
static int	spawn(struct exec *, int, pid_t *);
static void	start(struct exec *, const char *, size_t);
static void	finish(struct exec *, struct exec_job *, int);
static void	reap(struct exec *);
static void	signal_job(const struct exec_job *, int);
static void	overdue(struct exec_job *, int64_t);

/*
 * split -- cmd as argv, the way sh(1) splits words with every expansion
 * off: blanks, tabs and newlines separate words; '...' keeps everything
 * up to the next '; "..." keeps everything but \" \\ \$ \` (which lose
 * the backslash); outside quotes a backslash keeps the next character.
 * Quotes may start or stop inside a word, and '' is an empty word.  $,
 * globs, ~, |, ; and > are plain characters.  One allocation holds the
 * pointers and then the words (no longer than cmd, NULs included).
 * Returns NULL with a static *why: empty command, or a quote not closed.
 */
static char **
split(const char *cmd, const char **why)
{
	char **argv, *w;
	size_t len, max, n;

	len = strlen(cmd);
	max = len / 2 + 2;		/* a word and a blank take 2 chars */
	argv = xmalloc(max * sizeof(*argv) + len + 1);
	w = (char *)(argv + max);
	for (n = 0;;) {
		while (*cmd == ' ' || *cmd == '\t' || *cmd == '\n')
			cmd++;
		if (*cmd == '\0')
			break;
		argv[n++] = w;
		if ((*why = split_word(&cmd, &w)) != NULL) {
			free(argv);
			return NULL;
		}
	}
	argv[n] = NULL;
	if (n == 0) {
		free(argv);
		*why = "empty command";
		return NULL;
	}
	return argv;
}

/* split_word -- one word from *sp to *wp, NUL-terminated, both moved on
 * past it; NULL, or why not */
static const char *
split_word(const char **sp, char **wp)
{
	const char *s = *sp;
	char *w = *wp;

	for (; *s != '\0' && *s != ' ' && *s != '\t' && *s != '\n'; s++) {
		if (*s == '\\') {
			if (*++s == '\0')
				return "a backslash ends the command";
			*w++ = *s;
		} else if (*s == '\'') {
			while (*++s != '\'') {
				if (*s == '\0')
					return "a ' is not closed";
				*w++ = *s;
			}
		} else if (*s == '"') {
			while (*++s != '"') {
				if (*s == '\0')
					return "a \" is not closed";
				if (*s == '\\' && s[1] != '\0' &&
				    strchr("\"\\$`", s[1]) != NULL)
					s++;
				*w++ = *s;
			}
		} else
			*w++ = *s;
	}
	*w++ = '\0';
	*sp = s;
	*wp = w;
	return NULL;
}

int
exec_open(struct exec *e, const char *cmd, int jobs, int64_t timeout,
    const char *prog, FILE *err, struct buf *why)
{
	const char *msg, *dir;

	memset(e, 0, sizeof(*e));
	if ((e->argv = split(cmd, &msg)) == NULL) {
		buf_printf(why, "--exec: %s", msg);
		return -1;
	}
	e->cmd = xstrdup(cmd);
	e->jobs = jobs < 1 ? 1 : jobs;
	e->timeout = timeout > 0 ? timeout : 0;
	e->prog = prog;
	e->err = err;
	e->run = xcalloc((size_t)e->jobs, sizeof(*e->run));
	e->queue = xcalloc(EXEC_QUEUE_MAX, sizeof(*e->queue));
	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	buf_printf(&e->tmp, "%s/%s.XXXXXX", dir, prog);
	e->said_sec = -1;
	return 0;
}

/* say -- "PROG: --exec: CMD: " and the message, at most DIAG_RATE a
 * second like diag's bad records; the rest are counted for say_unsaid */
static void
say(struct exec *e, const char *fmt, ...)
{
	va_list ap;
	int64_t sec;

	sec = ts_mono() / TS_SECOND;
	if (sec != e->said_sec) {
		say_unsaid(e);
		e->said_sec = sec;
		e->said = 0;
	}
	if (e->said >= DIAG_RATE) {
		e->unsaid++;
		return;
	}
	e->said++;
	fprintf(e->err, "%s: --exec: %s: ", e->prog, e->cmd);
	va_start(ap, fmt);
	/* the analyzer loses va_start across the rate limit's branches */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	vfprintf(e->err, fmt, ap);
	va_end(ap);
	fputc('\n', e->err);
}

/* say_unsaid -- the summary of the messages the rate limit held back */
static void
say_unsaid(struct exec *e)
{
	if (e->unsaid > 0)
		fprintf(e->err, "%s: --exec: %s: %llu more messages not "
		    "shown\n", e->prog, e->cmd, (unsigned long long)e->unsaid);
	e->unsaid = 0;
}

/* write_all -- n bytes to fd despite short writes: 0, or -1 with errno */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * stdin_file -- the alert and a newline (unless it has one) in an
 * unlinked, close-on-exec temp file, positioned at 0: its fd, or -1 with
 * errno.  The template's Xs are restored for the next call.
 */
static int
stdin_file(struct exec *e, const char *json, size_t len)
{
	int fd, saved;

	memcpy(e->tmp.p + e->tmp.len - 6, "XXXXXX", 6);
	if ((fd = mkstemp(e->tmp.p)) == -1)
		return -1;
	(void)unlink(e->tmp.p);
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    write_all(fd, json, len) == -1 ||
	    ((len == 0 || json[len - 1] != '\n') &&
	    write_all(fd, "\n", 1) == -1) ||
	    lseek(fd, 0, SEEK_SET) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* close_action -- a close in the child for fd, unless exec closes it
 * anyway (close-on-exec) or it is not open: 0, or an errno */
static int
close_action(posix_spawn_file_actions_t *fa, long fd)
{
	int fl;

	if (fd <= 2 || fd > INT_MAX || (fl = fcntl((int)fd, F_GETFD)) == -1 ||
	    (fl & FD_CLOEXEC) != 0)
		return 0;
	return posix_spawn_file_actions_addclose(fa, (int)fd);
}

/*
 * close_others -- close actions for every fd above 2 that is open and
 * not close-on-exec: the command must not hold our input, output or
 * state files (a pipe end it held would keep its reader from EOF).  Other
 * modules open files without O_CLOEXEC, so we cannot rely on the flag.
 * The open fds are listed in /proc/self/fd; without it, every possible
 * one is tried.  0, or an errno.
 */
static int
close_others(posix_spawn_file_actions_t *fa)
{
	struct dirent *de;
	DIR *d;
	char *end;
	long fd, max;
	int rc = 0;

	if ((d = opendir("/proc/self/fd")) != NULL) {
		while (rc == 0 && (de = readdir(d)) != NULL) {
			fd = strtol(de->d_name, &end, 10);
			if (end != de->d_name && *end == '\0' &&
			    fd != dirfd(d))
				rc = close_action(fa, fd);
		}
		closedir(d);
		return rc;
	}
	if ((max = sysconf(_SC_OPEN_MAX)) == -1)
		max = 65536;
	for (fd = 3; rc == 0 && fd < max; fd++)
		rc = close_action(fa, fd);
	return rc;
}

/*
 * spawn -- run argv with fd as stdin, our stderr as its stdout and
 * stderr, nothing else open; in a process group of its own, so that a
 * timeout kills what it started too; with the signals sig.c changes
 * (SIGPIPE ignored, handlers) back at their defaults and none blocked.
 * 0 and *pid, or an errno.
 */
static int
spawn(struct exec *e, int fd, pid_t *pid)
{
	static const int dfl[] = { SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t sigdfl, none;
	size_t i;
	int rc;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return rc;
	if ((rc = posix_spawnattr_init(&sa)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	sigemptyset(&none);
	sigemptyset(&sigdfl);
	for (i = 0; i < sizeof(dfl) / sizeof(dfl[0]); i++)
		sigaddset(&sigdfl, dfl[i]);
	if ((rc = posix_spawn_file_actions_adddup2(&fa, fd, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, 2, 1)) == 0 &&
	    (rc = close_others(&fa)) == 0 &&
	    (rc = posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)) == 0 &&
	    (rc = posix_spawnattr_setpgroup(&sa, 0)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&sa, &sigdfl)) == 0 &&
	    (rc = posix_spawnattr_setsigmask(&sa, &none)) == 0)
		rc = posix_spawnp(pid, e->argv[0], &fa, &sa, e->argv, environ);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/*
 * start -- run the command on one alert in a free slot (the caller has
 * made sure there is one).  Failing to start is counted and said here.
 */
static void
start(struct exec *e, const char *json, size_t len)
{
	struct exec_job *j;
	pid_t pid;
	int fd, rc;

	e->started++;
	if ((fd = stdin_file(e, json, len)) == -1) {
		e->failed++;
		say(e, "cannot run: temp file: %s", strerror(errno));
		return;
	}
	rc = spawn(e, fd, &pid);
	close(fd);
	if (rc != 0) {
		e->failed++;
		say(e, "cannot run: %s", strerror(rc));
		return;
	}
	for (j = e->run; j->pid != 0; j++)
		;
	j->pid = pid;
	j->stage = 0;
	j->due = e->timeout > 0 ? ts_mono() + e->timeout : INT64_MAX;
	e->nrun++;
}

/* finish -- the job ended with wait status st: free its slot, and count
 * and say a failure.  Anything after a timeout is one. */
static void
finish(struct exec *e, struct exec_job *j, int st)
{
	struct buf d = BUF_INIT;

	if (j->stage > 0) {
		e->failed++;
		ts_format_duration(&d, e->timeout);
		say(e, "killed after %s timeout", d.p);
		buf_free(&d);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		e->failed++;
		say(e, "cannot run (exit 127)");
	} else if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
		e->failed++;
		say(e, "exit status %d", WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		e->failed++;
		say(e, "killed by signal %d", WTERMSIG(st));
	}
	j->pid = 0;
	e->nrun--;
}

/* reap -- finish the jobs that ended, each waited for by its own pid so
 * that no other child of the process is taken */
static void
reap(struct exec *e)
{
	struct exec_job *j;
	pid_t r;
	int i, st;

	for (i = 0; i < e->jobs; i++) {
		j = &e->run[i];
		if (j->pid == 0)
			continue;
		while ((r = waitpid(j->pid, &st, WNOHANG)) == -1 &&
		    errno == EINTR)
			;
		if (r == j->pid)
			finish(e, j, st);
		else if (r == -1) {	/* ECHILD: SIGCHLD ignored somewhere */
			e->failed++;
			say(e, "lost: %s", strerror(errno));
			j->pid = 0;
			e->nrun--;
		}
	}
}

/* signal_job -- sig to the job's process group, which holds what the
 * command started too; to the command alone if there is no group yet */
static void
signal_job(const struct exec_job *j, int sig)
{
	if (kill(-j->pid, sig) == -1)
		(void)kill(j->pid, sig);
}

/* overdue -- at the timeout SIGTERM, and KILL_GRACE later SIGKILL */
static void
overdue(struct exec_job *j, int64_t now)
{
	if (j->pid == 0 || now < j->due)
		return;
	if (j->stage == 0) {
		signal_job(j, SIGTERM);
		j->stage = 1;
		j->due = now + KILL_GRACE;
	} else if (j->stage == 1) {
		signal_job(j, SIGKILL);
		j->stage = 2;
		j->due = INT64_MAX;
	}
}

void
exec_poll(struct exec *e)
{
	struct buf *b;
	int64_t now;
	int i;

	if (e->nrun > 0) {
		reap(e);
		now = ts_mono();
		for (i = 0; i < e->jobs; i++)
			overdue(&e->run[i], now);
	}
	while (e->qlen > 0 && e->nrun < e->jobs) {
		b = &e->queue[e->qhead];
		e->qhead = (e->qhead + 1) % EXEC_QUEUE_MAX;
		e->qlen--;
		start(e, b->p, b->len);
	}
	if (e->unsaid > 0 && ts_mono() / TS_SECOND != e->said_sec)
		say_unsaid(e);
}

/* exec_submit -- queued alerts go first, so the commands see the alerts
 * in order whenever jobs is 1 */
void
exec_submit(void *arg, const char *json, size_t len)
{
	struct exec *e = arg;
	struct buf *b;

	exec_poll(e);
	if (e->qlen == 0 && e->nrun < e->jobs) {
		start(e, json, len);
		return;
	}
	if (e->qlen == EXEC_QUEUE_MAX) {
		e->dropped++;
		say(e, "queue full, alert dropped");
		return;
	}
	b = &e->queue[(e->qhead + e->qlen) % EXEC_QUEUE_MAX];
	buf_reset(b);
	buf_add(b, json, len);
	e->qlen++;
}

int
exec_timeout_ms(const struct exec *e)
{
	int64_t now, wait;
	int i;

	if (e->nrun == 0)
		return -1;
	now = ts_mono();
	wait = (int64_t)POLL_MS * 1000000;
	for (i = 0; i < e->jobs; i++)
		if (e->run[i].pid != 0 && e->run[i].due - now < wait)
			wait = e->run[i].due - now;
	if (wait < 0)
		wait = 0;
	return (int)((wait + 999999) / 1000000);
}

/* exec_drain -- poll every DRAIN_NS until nothing runs or waits.  Each
 * child ends within its timeout plus KILL_GRACE; with no timeout, a
 * command that never ends holds us here, as the user asked. */
void
exec_drain(struct exec *e)
{
	struct timespec step = { 0, DRAIN_NS };

	for (;;) {
		exec_poll(e);
		if (e->nrun == 0 && e->qlen == 0)
			break;
		(void)nanosleep(&step, NULL);	/* EINTR: poll sooner */
	}
	say_unsaid(e);
}

void
exec_stats(const struct exec *e, struct buf *b)
{
	buf_printf(b, ",\"exec_started\":%llu,\"exec_failed\":%llu,"
	    "\"exec_dropped\":%llu", (unsigned long long)e->started,
	    (unsigned long long)e->failed, (unsigned long long)e->dropped);
}

/*
 * exec_close -- SIGKILL what still runs and wait for it (a killed child
 * ends at once), counted as failed; alerts still queued count as
 * dropped.  Nothing is said of either.  The counters stay readable.
 */
void
exec_close(struct exec *e)
{
	struct exec_job *j;
	size_t i;
	int st;

	for (i = 0; e->run != NULL && i < (size_t)e->jobs; i++) {
		j = &e->run[i];
		if (j->pid == 0)
			continue;
		signal_job(j, SIGKILL);
		while (waitpid(j->pid, &st, 0) == -1 && errno == EINTR)
			;
		j->pid = 0;
		e->failed++;
	}
	e->nrun = 0;
	e->dropped += e->qlen;
	e->qlen = 0;
	say_unsaid(e);
	for (i = 0; e->queue != NULL && i < EXEC_QUEUE_MAX; i++)
		buf_free(&e->queue[i]);
	free(e->queue);
	free(e->run);
	free(e->argv);
	free(e->cmd);
	buf_free(&e->tmp);
	e->queue = NULL;
	e->run = NULL;
	e->argv = NULL;
	e->cmd = NULL;
}
