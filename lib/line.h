#ifndef LINE_H
#define LINE_H
/*
 * line -- NDJSON line input.  Reads large blocks with read(2) and splits
 * them with memchr; a returned line points into the reader's buffer and is
 * valid until the next call.  Drops a trailing '\r', skips blank lines and
 * a UTF-8 BOM at the start.  A line longer than max bytes is returned once
 * with toolong set (p holding its first max bytes, or fewer) and the rest
 * of it is discarded, so the buffer never grows past max plus one block.
 * In follow mode the reader never blocks and a regular file has no end:
 * when nothing more can be read now, LINE_DRY comes back and a line
 * without its newline is held until the newline, or line_finish, comes.
 */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct line_reader {
	int	 fd;
	size_t	 max;		/* longest line accepted */
	int	 timeout_ms;	/* idle callback period; -1: none */
	void	(*before_block)(void *);	/* e.g. flush output */
	void	(*on_idle)(void *);	/* no input for timeout_ms */
	void	*arg;		/* passed to both callbacks */
	volatile sig_atomic_t *stop;	/* when set, behave as at EOF */
	int	 follow;	/* never block; no EOF on a regular file */
	int	 keepblank;	/* return blank lines too */
	uint64_t offset;	/* bytes read from fd so far */
	int	 stopped;	/* reading ended on *stop, not at the end:
				 * a line cut short is not returned */
	char	*buf;		/* private */
	size_t	 cap, start, end, skip;
	uint64_t lineno;
	int	 eof, bom, isreg;
};

struct line {
	const char	*p;
	size_t		 len;
	uint64_t	 no;		/* 1-based line number in the input */
	int		 toolong;
};

/* Set up a reader on fd (the caller opened it and closes it); fields
 * before buf may be changed after line_open. */
void	line_open(struct line_reader *, int fd, size_t max);
#define LINE_DRY	2
int	line_next(struct line_reader *, struct line *);
				/* 1 a line, 0 end of input or stop, -1 a
				 * read error with errno set, LINE_DRY in
				 * follow mode when no more is there now */
int	line_peek(struct line_reader *, const char **, size_t *);
				/* the unread bytes, reading more if there
				 * are none: as line_next, without lines */
void	line_skip(struct line_reader *, size_t);	/* consume n of them */
void	line_finish(struct line_reader *);
				/* the input has ended: a held partial line
				 * comes out next, then 0 (even if stopped) */
void	line_restart(struct line_reader *);
				/* the file was truncated and read again
				 * from the top: forget what is buffered */
void	line_close(struct line_reader *);	/* frees the buffer */

#endif
