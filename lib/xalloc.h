#ifndef XALLOC_H
#define XALLOC_H
/*
 * xalloc -- allocators that never return NULL (after sbase ealloc.c).
 * On failure they print "PROG: out of memory" and exit 1: the only place
 * in lib/ that exits, since no caller can do better.
 */
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

#endif
