/*
 * exec_test -- unit tests for lib/exec.c (cmocka).  Run as
 * "exec_test --child FILE", the test is itself a command for --exec: it
 * appends to FILE what it was given (open fds, signals, stdin), and
 * writes a line to its stdout.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "exec.h"
#include "ts.h"

#define MS	INT64_C(1000000)

static int	setup(void **);
static int	teardown(void **);
static int	child(const char *);
static int	count_fds(void);
static void	path_in(char *, size_t, const char *);
static void	open_exec(struct exec *, const char *, int, int64_t);
static const char *err_text(void);
static size_t	count(const char *, const char *);
static void	slurp(const char *, struct buf *);
static void	no_children(void);
static void	on_term(int);

static char	 dir[] = "/tmp/exec_test.XXXXXX";
static char	 self[PATH_MAX];
static FILE	*errfp;			/* the err stream of the exec */
static char	*errp;
static size_t	 errn;

static int
setup(void **state)
{
	ssize_t n;

	(void)state;
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return -1;
	self[n] = '\0';
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* count_fds -- the open fds, less the one that lists them */
static int
count_fds(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d))
			n++;
	closedir(d);
	return n;
}

/* child -- the --child command: one line of what it got, appended */
static int
child(const char *path)
{
	struct sigaction pipe_sa, term_sa;
	struct stat out, err;
	sigset_t mask;
	char in[4096];
	size_t n;
	FILE *fp;
	int sig, blocked = 0, fds;

	fds = count_fds();
	sigaction(SIGPIPE, NULL, &pipe_sa);
	sigaction(SIGTERM, NULL, &term_sa);
	sigprocmask(SIG_BLOCK, NULL, &mask);
	for (sig = 1; sig < 32; sig++)
		if (sigismember(&mask, sig) == 1)
			blocked++;
	if (fstat(1, &out) == -1 || fstat(2, &err) == -1)
		return 1;
	n = fread(in, 1, sizeof(in), stdin);
	if ((fp = fopen(path, "a")) == NULL)
		return 1;
	fprintf(fp, "fds=%d pipe=%s term=%s blocked=%d out=%s pgrp=%s in=%.*s",
	    fds, pipe_sa.sa_handler == SIG_DFL ? "dfl" : "changed",
	    term_sa.sa_handler == SIG_DFL ? "dfl" : "changed", blocked,
	    out.st_dev == err.st_dev && out.st_ino == err.st_ino ? "err" : "?",
	    getpgrp() == getpid() ? "own" : "ours", (int)n, in);
	if (fclose(fp) == EOF)
		return 1;
	printf("child stdout\n");
	return fflush(stdout) == EOF ? 1 : 0;
}

static void
path_in(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

/* open_exec -- exec_open that must work, its messages to a memstream */
static void
open_exec(struct exec *e, const char *cmd, int jobs, int64_t timeout)
{
	struct buf why = BUF_INIT;

	if (errfp != NULL)
		fclose(errfp);
	free(errp);
	errp = NULL;
	assert_non_null(errfp = open_memstream(&errp, &errn));
	assert_int_equal(exec_open(e, cmd, jobs, timeout, "stream-alert",
	    errfp, &why), 0);
	assert_int_equal(why.len, 0);
	buf_free(&why);
}

static const char *
err_text(void)
{
	fflush(errfp);
	return errp;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void
slurp(const char *path, struct buf *b)
{
	buf_reset(b);
	assert_int_equal(buf_read_file(b, path), 0);
}

/* no_children -- every child was reaped: no zombie is left behind */
static void
no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void
on_term(int sig)
{
	(void)sig;
}

static void
test_split(void **state)
{
	static const char *const ok[][2] = {
		{ "sh -c 'cat >> /tmp/x'", "[sh][-c][cat >> /tmp/x]" },
		{ " \ta\t b \n", "[a][b]" },
		{ "a\"b c\"d", "[ab cd]" },
		{ "a\\ b \\' \\\\", "[a b]['][\\]" },
		{ "\"x\\\"y\\\\z\\$w\\`\\n\"", "[x\"y\\z$w`\\n]" },
		{ "a '' b \"\"", "[a][][b][]" },
		{ "'it''s' \"it's\" 'a\\b'", "[its][it's][a\\b]" },
		{ "echo $HOME * ~ a|b >f;", "[echo][$HOME][*][~][a|b][>f;]" },
	};
	static const char *const bad[][2] = {
		{ "", "--exec: empty command" },
		{ " \t\n", "--exec: empty command" },
		{ "sh -c 'abc", "--exec: a ' is not closed" },
		{ "a \"b", "--exec: a \" is not closed" },
		{ "abc\\", "--exec: a backslash ends the command" },
	};
	struct buf why = BUF_INIT, got = BUF_INIT;
	struct exec e;
	size_t i;
	char **a;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(exec_open(&e, ok[i][0], 1, 0, "t", stderr,
		    &why), 0);
		buf_reset(&got);
		for (a = e.argv; *a != NULL; a++)
			buf_printf(&got, "[%s]", *a);
		assert_string_equal(got.p, ok[i][1]);
		exec_close(&e);
		exec_close(&e);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&why);
		assert_int_equal(exec_open(&e, bad[i][0], 1, 0, "t", stderr,
		    &why), -1);
		assert_string_equal(why.p, bad[i][1]);
		exec_close(&e);
	}
	buf_free(&why);
	buf_free(&got);
}

/* test_stdin -- exactly the JSON and one newline, whatever its size, in
 * order with one job, through temp files that do not stay */
static void
test_stdin(void **state)
{
	struct buf big = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
	struct exec e;
	char cmd[1024], out[256], tmp[256];
	size_t i;

	(void)state;
	path_in(out, sizeof(out), "in");
	path_in(tmp, sizeof(tmp), "tmp");
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(setenv("TMPDIR", tmp, 1), 0);
	snprintf(cmd, sizeof(cmd), "sh -c 'cat >> \"%s\"'", out);
	open_exec(&e, cmd, 1, 5 * TS_SECOND);
	assert_int_equal(unsetenv("TMPDIR"), 0);
	buf_adds(&big, "{\"p\":\"");
	for (i = 0; i < 200000; i++)
		buf_addc(&big, 'a' + i % 26);
	buf_adds(&big, "\"}");
	exec_submit(&e, "{\"a\":1}", 7);
	exec_submit(&e, "{\"b\":\"x y\"}\n", 12);
	exec_submit(&e, big.p, big.len);
	exec_submit(&e, "{\"c\":[]}", 8);
	exec_drain(&e);
	buf_adds(&want, "{\"a\":1}\n{\"b\":\"x y\"}\n");
	buf_add(&want, big.p, big.len);
	buf_adds(&want, "\n{\"c\":[]}\n");
	slurp(out, &got);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.p, want.p, want.len);
	assert_int_equal(e.started, 4);
	assert_int_equal(e.failed, 0);
	assert_int_equal(e.dropped, 0);
	assert_string_equal(err_text(), "");
	buf_reset(&got);
	exec_stats(&e, &got);
	assert_string_equal(got.p,
	    ",\"exec_started\":4,\"exec_failed\":0,\"exec_dropped\":0");
	exec_close(&e);
	no_children();
	assert_int_equal(rmdir(tmp), 0);	/* empty: files unlinked */
	buf_free(&big);
	buf_free(&want);
	buf_free(&got);
}

/* test_jobs -- never more than jobs at once, yet that many; the queue
 * waits, and exec_drain runs it out */
static void
test_jobs(void **state)
{
	struct buf log = BUF_INIT;
	struct exec e;
	char cmd[1024], path[256];
	int64_t t0;
	int i, now = 0, most = 0, ms;
	size_t k;

	(void)state;
	path_in(path, sizeof(path), "jobs");
	snprintf(cmd, sizeof(cmd), "sh -c 'echo s >> %s; sleep 0.2; "
	    "echo e >> %s'", path, path);
	open_exec(&e, cmd, 2, 5 * TS_SECOND);
	assert_int_equal(exec_timeout_ms(&e), -1);
	t0 = ts_mono();
	for (i = 0; i < 6; i++)
		exec_submit(&e, "{}", 2);
	assert_int_equal(e.nrun, 2);
	assert_int_equal(e.qlen, 6 - e.started);
	ms = exec_timeout_ms(&e);
	assert_true(ms >= 0 && ms <= 50);
	exec_drain(&e);
	assert_true(ts_mono() - t0 >= 550 * MS);	/* 3 rounds of 200ms */
	assert_int_equal(exec_timeout_ms(&e), -1);
	assert_int_equal(e.nrun, 0);
	assert_int_equal(e.qlen, 0);
	slurp(path, &log);
	assert_int_equal(log.len, 24);
	for (k = 0; k < log.len; k += 2) {
		now += log.p[k] == 's' ? 1 : -1;
		if (now > most)
			most = now;
	}
	assert_int_equal(now, 0);
	assert_int_equal(most, 2);
	assert_int_equal(e.started, 6);
	assert_int_equal(e.failed, 0);
	exec_close(&e);
	no_children();
	buf_free(&log);
}

/* test_timeout -- SIGTERM at the timeout; SIGKILL a second later to a
 * command that ignores SIGTERM */
static void
test_timeout(void **state)
{
	struct exec e;
	int64_t t0, took;
	const char *cmd = "sh -c 'trap \"\" TERM; sleep 5; :'";

	(void)state;
	open_exec(&e, "sleep 5", 1, 200 * MS);
	t0 = ts_mono();
	exec_submit(&e, "{}", 2);
	exec_drain(&e);
	took = ts_mono() - t0;
	assert_true(took >= 190 * MS && took < 1000 * MS);
	assert_int_equal(e.started, 1);
	assert_int_equal(e.failed, 1);
	assert_string_equal(err_text(),
	    "stream-alert: --exec: sleep 5: killed after 200ms timeout\n");
	exec_close(&e);
	no_children();

	open_exec(&e, cmd, 1, 200 * MS);
	t0 = ts_mono();
	exec_submit(&e, "{}", 2);
	exec_drain(&e);
	took = ts_mono() - t0;
	assert_true(took >= 1150 * MS && took < 2500 * MS);
	assert_int_equal(e.failed, 1);
	assert_int_equal(count(err_text(), "killed after 200ms timeout\n"), 1);
	exec_close(&e);
	no_children();
}

/*
 * test_missing -- a command that is not there fails, and is said.  Under
 * valgrind posix_spawn forks, and the child that cannot exec runs a leak
 * check at _exit on another stack: e is static so that its memory is
 * still reachable there, and the child's exit status stays 127.
 */
static void
test_missing(void **state)
{
	static struct exec e;
	const char *t;

	(void)state;
	open_exec(&e, "/nonexistent/stream-alert-cmd arg", 2, 5 * TS_SECOND);
	exec_submit(&e, "{}", 2);
	exec_drain(&e);
	assert_int_equal(e.started, 1);
	assert_int_equal(e.failed, 1);
	t = err_text();
	if (strstr(t, "(exit 127)") != NULL)	/* posix_spawn without errno */
		assert_string_equal(t, "stream-alert: --exec: /nonexistent/"
		    "stream-alert-cmd arg: cannot run (exit 127)\n");
	else
		assert_string_equal(t, "stream-alert: --exec: /nonexistent/"
		    "stream-alert-cmd arg: cannot run: No such file or "
		    "directory\n");
	exec_close(&e);

	open_exec(&e, "no-such-command-in-path-xyz", 2, 5 * TS_SECOND);
	exec_submit(&e, "{}", 2);
	exec_drain(&e);
	assert_int_equal(e.failed, 1);
	assert_int_equal(count(err_text(), ": cannot run"), 1);
	exec_close(&e);
	no_children();
}

/* test_tmpdir -- no temp file, no run: said and counted */
static void
test_tmpdir(void **state)
{
	struct exec e;
	char tmp[256];

	(void)state;
	path_in(tmp, sizeof(tmp), "no/such/dir");
	assert_int_equal(setenv("TMPDIR", tmp, 1), 0);
	open_exec(&e, "true", 1, 5 * TS_SECOND);
	assert_int_equal(unsetenv("TMPDIR"), 0);
	exec_submit(&e, "{}", 2);
	exec_drain(&e);
	assert_int_equal(e.started, 1);
	assert_int_equal(e.failed, 1);
	assert_string_equal(err_text(), "stream-alert: --exec: true: "
	    "cannot run: temp file: No such file or directory\n");
	exec_close(&e);
	no_children();
}

/* test_status -- exit status 0 is success; others, 127 and a signal
 * are failures, each said once */
static void
test_status(void **state)
{
	struct exec e;
	char want[128];
	const char *t;

	(void)state;
	open_exec(&e, "sh -c 'exit $(cat)'", 4, 5 * TS_SECOND);
	exec_submit(&e, "0", 1);
	exec_submit(&e, "3", 1);
	exec_submit(&e, "127", 3);
	exec_drain(&e);
	assert_int_equal(e.started, 3);
	assert_int_equal(e.failed, 2);
	t = err_text();
	assert_int_equal(count(t, "stream-alert: --exec: sh -c 'exit $(cat)': "
	    "exit status 3\n"), 1);
	assert_int_equal(count(t, ": cannot run (exit 127)\n"), 1);
	assert_int_equal(count(t, "\n"), 2);
	exec_close(&e);

	open_exec(&e, "sh -c 'kill -USR2 $$'", 1, 5 * TS_SECOND);
	exec_submit(&e, "{}", 2);
	exec_drain(&e);
	assert_int_equal(e.failed, 1);
	snprintf(want, sizeof(want), "stream-alert: --exec: sh -c 'kill -USR2 "
	    "$$': killed by signal %d\n", SIGUSR2);
	assert_string_equal(err_text(), want);
	exec_close(&e);
	no_children();
}

/* test_queue_full -- past the queue alerts are dropped, counted and said
 * at most 10 times a second, the rest in a summary */
static void
test_queue_full(void **state)
{
	struct exec e;
	const char *t, *p;
	size_t shown, hidden = 0;
	int i;

	(void)state;
	open_exec(&e, "sleep 5", 1, 0);
	for (i = 0; i < 1 + EXEC_QUEUE_MAX + 25; i++)
		exec_submit(&e, "{\"n\":1}", 7);
	assert_int_equal(e.started, 1);
	assert_int_equal(e.nrun, 1);
	assert_int_equal(e.qlen, EXEC_QUEUE_MAX);
	assert_int_equal(e.dropped, 25);
	assert_int_equal(exec_timeout_ms(&e), 50);
	exec_close(&e);
	assert_int_equal(e.failed, 1);		/* killed */
	assert_int_equal(e.dropped, 25 + EXEC_QUEUE_MAX);
	no_children();
	t = err_text();
	shown = count(t, "stream-alert: --exec: sleep 5: queue full, alert "
	    "dropped\n");
	for (p = t; (p = strstr(p, "sleep 5: ")) != NULL; p++)
		hidden += strtoul(p + 9, NULL, 10);
	assert_true(shown >= 10 && shown <= 20);
	assert_int_equal(shown + hidden, 25);
}

/* test_child -- the command gets only fds 0-2, default signals, our
 * stderr as stdout, a process group of its own, and the JSON.  Our
 * stderr is a file meanwhile, so that it differs from our stdout. */
static void
test_child(void **state)
{
	struct sigaction ign, term, old_pipe, old_term;
	struct buf got = BUF_INIT;
	struct exec e;
	sigset_t usr2, old_mask;
	char cmd[PATH_MAX + 300], path[256], errpath[256];
	int fd, p[2], saved, errfd;

	(void)state;
	path_in(path, sizeof(path), "child");
	path_in(errpath, sizeof(errpath), "stderr");
	memset(&ign, 0, sizeof(ign));
	memset(&term, 0, sizeof(term));
	ign.sa_handler = SIG_IGN;
	term.sa_handler = on_term;
	assert_int_equal(sigaction(SIGPIPE, &ign, &old_pipe), 0);
	assert_int_equal(sigaction(SIGTERM, &term, &old_term), 0);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	assert_int_equal(sigprocmask(SIG_BLOCK, &usr2, &old_mask), 0);
	assert_true((fd = open("/dev/null", O_RDONLY)) > 2);
	assert_int_equal(pipe(p), 0);
	snprintf(cmd, sizeof(cmd), "'%s' --child '%s'", self, path);
	open_exec(&e, cmd, 2, 5 * TS_SECOND);
	fflush(stderr);
	assert_true((saved = fcntl(2, F_DUPFD_CLOEXEC, 3)) > 2);
	assert_true((errfd = open(errpath, O_WRONLY | O_CREAT, 0600)) > 2);
	assert_int_equal(dup2(errfd, 2), 2);
	exec_submit(&e, "{\"k\":\"v w\"}", 11);
	exec_drain(&e);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	close(errfd);
	assert_int_equal(e.failed, 0);
	slurp(path, &got);
	assert_string_equal(got.p, "fds=3 pipe=dfl term=dfl blocked=0 out=err "
	    "pgrp=own in={\"k\":\"v w\"}\n");
	slurp(errpath, &got);
	assert_string_equal(got.p, "child stdout\n");
	assert_string_equal(err_text(), "");
	exec_close(&e);
	no_children();
	close(fd);
	close(p[0]);
	close(p[1]);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	buf_free(&got);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_jobs),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_tmpdir),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_queue_full),
		cmocka_unit_test(test_child),
	};
	int rc;

	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return child(argv[2]);
	rc = cmocka_run_group_tests(tests, setup, teardown);
	if (errfp != NULL)
		fclose(errfp);
	free(errp);
	return rc;
}
