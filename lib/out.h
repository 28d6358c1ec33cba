#ifndef OUT_H
#define OUT_H
/*
 * out -- buffered record output to a file descriptor.  Records are
 * appended to a large buffer and written with write(2) when it fills, on
 * out_flush, or after every record when unbuffered.  Short writes and
 * EINTR are retried.  After the first error every call fails with the
 * same errno (EPIPE when the reader went away).
 */
#include <stddef.h>

struct out {
	int	 fd;
	int	 unbuffered;
	int	 err;		/* errno of the first failure, or 0 */
	char	*buf;		/* private */
	size_t	 len, cap;
};

void	out_open(struct out *, int fd, int unbuffered);
int	out_record(struct out *, const void *, size_t);
				/* bytes plus '\n'; 0, or -1 with errno */
int	out_flush(struct out *);	/* 0, or -1 with errno */
void	out_close(struct out *);	/* frees; does not flush or close fd */

#endif
