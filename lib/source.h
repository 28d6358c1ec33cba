#ifndef SOURCE_H
#define SOURCE_H
/*
 * source -- one input read record by record in one format: NDJSON lines
 * validated and handed on as they are, the other formats (concatenated
 * or pretty-printed JSON, text lines, logfmt, CSV, TSV) turned into JSON
 * records.  Bad input comes back as SOURCE_BAD with its text, line and
 * reason, so the caller reports it (CONTRACT section 2).  The caller
 * opens and closes the descriptor; r may be tuned after source_open.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "csv.h"
#include "json.h"
#include "jstream.h"
#include "line.h"

enum format {
	FORMAT_NDJSON, FORMAT_JSON, FORMAT_LINES, FORMAT_LOGFMT, FORMAT_CSV,
	FORMAT_TSV
};

enum source_rc {
	SOURCE_RECORD,		/* item.rec is a record */
	SOURCE_BAD,		/* item.why says what is wrong with item.ln */
	SOURCE_DRY,		/* follow mode: nothing more for now */
	SOURCE_END,		/* end of input, or stopped */
	SOURCE_ERROR		/* a read error, errno set */
};

struct source_item {
	struct json_span rec;	/* valid until the next call */
	struct line	 ln;	/* the input text and its first line */
	const char	*why;
};

struct source {
	const char	*name;
	enum format	 format;
	struct line_reader r;
	const struct json_want *want;	/* NDJSON: members to capture */
	struct json_span *found;	/* into found[], as json_validate_want */
	const char	*header;	/* --header for CSV and TSV, or NULL */
	struct csv	 csv;		/* private */
	struct jstream	 js;
	struct buf	 rec, why;
	int		 ended;
};

int	format_parse(const char *, enum format *);	/* 0, or -1 */
void	source_open(struct source *, int fd, const char *name, enum format,
	    size_t max, const char *header);	/* header checked already */
enum source_rc source_next(struct source *, struct source_item *);
void	source_restart(struct source *);
				/* the file was truncated: read it again
				 * from the top, header row included */
void	source_close(struct source *);	/* frees; does not close the fd */

#endif
