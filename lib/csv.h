#ifndef CSV_H
#define CSV_H
/*
 * csv -- CSV (RFC 4180) and TSV lines into JSON objects, one per row,
 * keyed by the header row or by names given up front.  CSV fields may be
 * quoted ("a ""b""", embedded commas and newlines); TSV fields are split
 * on tabs and decode \t \n \r \\ as Miller does.  Values are typed with
 * infer_put; a quoted CSV field stays a string.  Duplicate header names
 * get suffixes (a, a_2, a_3).  The caller feeds lines without their
 * newline (a trailing '\r' already dropped), blank ones included.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum csv_rc {
	CSV_RECORD,		/* out holds the object */
	CSV_MORE,		/* a quoted field spans lines: feed the next */
	CSV_HEADER,		/* the line was the header row */
	CSV_SKIP,		/* a blank line outside a record */
	CSV_BAD			/* why says what; the row is dropped */
};

struct csv {
	int		 tsv;		/* 1: TSV rules */
	const char	*raw;		/* after CSV_RECORD or CSV_BAD: the */
	size_t		 rawlen;	/* row's text, lines joined by '\n' */
	unsigned	 lines;		/* and how many lines it spanned */
	struct buf	 names;		/* private: header names as JSON */
	size_t		*off;		/* strings, off[i] into names */
	size_t		 ncol, capcol;
	struct buf	 row;		/* the row's text while it spans lines */
	struct buf	 field;
	int		 open;		/* inside a quoted field */
};

void	csv_init(struct csv *, int tsv);
int	csv_header(struct csv *, const char *names, struct buf *why);
				/* --header a,b,c (split by the same rules):
				 * 0, or -1 with why; no header row is read */
enum csv_rc csv_line(struct csv *, const char *, size_t, struct buf *out,
	    struct buf *why);	/* the object is appended to out; messages
				 * to why: "at column N: ...", "3 fields,
				 * the header has 4" */
enum csv_rc csv_end(struct csv *, struct buf *why);
				/* at end of input: CSV_BAD (with raw) if a
				 * quoted field is still open, else CSV_SKIP */
void	csv_free(struct csv *);	/* may be called twice */

#endif
