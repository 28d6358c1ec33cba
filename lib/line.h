#ifndef LINE_H
#define LINE_H
/*
 * line -- NDJSON line input.  Reads large blocks with read(2) and splits
 * them with memchr; a returned line points into the reader's buffer and is
 * valid until the next call.  Drops a trailing '\r', skips blank lines and
 * a UTF-8 BOM at the start.  A line longer than max bytes is returned once
 * with toolong set (p holding its first max bytes, or fewer) and the rest
 * of it is discarded, so the buffer never grows past max plus one block.
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
int	line_next(struct line_reader *, struct line *);
				/* 1 a line, 0 end of input or stop, -1 a
				 * read error with errno set */
void	line_close(struct line_reader *);	/* frees the buffer */

#endif
