#ifndef BUF_H
#define BUF_H
/*
 * buf -- growable byte buffer (after git strbuf, skalibs stralloc).
 * The caller owns the struct and initialises it with BUF_INIT.  p is NULL
 * until the first append; after that p[len] is always '\0'.  Growth is
 * geometric; an allocation failure or size_t overflow exits like xmalloc.
 */
#include <stddef.h>

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};
#define BUF_INIT { NULL, 0, 0 }

/* Capacity */
void	buf_grow(struct buf *, size_t add);	/* room for add more bytes */

/* Appending; each keeps p NUL-terminated */
void	buf_add(struct buf *, const void *, size_t);
void	buf_addc(struct buf *, int);
void	buf_adds(struct buf *, const char *);
void	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Input */
int	buf_read_file(struct buf *, const char *path);	/* 0, or -1 errno */

/* Life cycle */
void	buf_reset(struct buf *);		/* len = 0, memory kept */
void	buf_free(struct buf *);			/* may be called twice */
char	*buf_detach(struct buf *);		/* caller frees; buf reusable */

#endif
