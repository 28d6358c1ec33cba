#ifndef FOLLOW_H
#define FOLLOW_H
/*
 * follow -- what tail -F watches: a set of paths whose files may grow,
 * be truncated (copytruncate), be replaced (rename and create), vanish or
 * appear later.  The caller owns the open descriptors and reads them;
 * follow says when to look again (inotify on Linux, else polling) and
 * what changed.  Idle costs no CPU beyond one wakeup per timeout.
 */
#include <sys/types.h>

#include <signal.h>
#include <stdint.h>

enum follow_change {
	FOLLOW_SAME,		/* nothing to do but read on */
	FOLLOW_TRUNCATED,	/* shorter than what was read: start over */
	FOLLOW_REPLACED,	/* path is now another file: *newfd opened */
	FOLLOW_APPEARED,	/* path exists now: *newfd opened */
	FOLLOW_GONE		/* path is gone; the old fd may still grow */
};

struct follow_path {
	const char	*path;		/* the caller's; not copied */
	dev_t		 dev;		/* the file the caller's fd reads */
	ino_t		 ino;
	int		 wd;		/* private: inotify watch, or -1 */
	int		 dwd;		/* watch on its directory, or -1 */
	int		 missing;	/* names no file we follow: poll */
};

struct follow {
	int		 ifd;		/* inotify fd, or -1: polling */
	int		 poll_ms;	/* polling period without inotify,
					 * or while a path is missing */
	struct follow_path *p;
	int		 n;
};

int	follow_open(struct follow *, char **paths, int n, int *fds);
				/* watch n paths; fds[i] is the caller's
				 * descriptor for paths[i] (opened by the
				 * caller, or -1 if it does not exist yet).
				 * 0, or -1 with errno */
enum follow_change follow_check(struct follow *, int i, int fd,
	    uint64_t consumed, int *newfd);
				/* compare path i with fd, of which consumed
				 * bytes were read; a new descriptor comes
				 * back open in *newfd */
int	follow_wait(struct follow *, const int *fds, int nfds,
	    int timeout_ms);	/* block until a watched file may have
				 * changed, one of fds (pipes) is readable,
				 * timeout_ms passed (-1: no limit) or a
				 * signal came: 0, or -1 with errno */
int	follow_seek_tail(int fd, uint64_t nlines);
				/* position fd at the start of its last
				 * nlines lines (0: at the end).  0, or -1
				 * with errno (ESPIPE: not a regular file) */
void	follow_close(struct follow *);	/* may be called twice */

#endif
