#ifndef TABLE_H
#define TABLE_H
/*
 * table -- the lookup side of a stream-table join (stream-join --table):
 * the latest record per key, replaced by updates and removed by
 * tombstones, and the joined record built from an event and a row.
 * Keys are canonical JSON text (json_canon), so 1 and 1.0 are one key
 * and "1" another.  Rows are objects, kept compact.  Nothing here prints
 * or exits except on out-of-memory, as xalloc does.
 */
#include <stddef.h>

#include "buf.h"
#include "hash.h"
#include "json.h"

struct table_row;		/* private */

struct table {
	struct hash_map	 map;	/* key -> struct table_row * */
	size_t		 bytes;	/* row memory held, roughly */
};

void	table_init(struct table *);
void	table_put(struct table *, const char *key, size_t keylen,
	    struct json_span object);	/* add or replace the key's row */
int	table_del(struct table *, const char *key, size_t keylen);
				/* 1 deleted, 0 there was none */
const struct table_row *table_get(const struct table *, const char *key,
	    size_t keylen);	/* the row, or NULL; valid until the next
				 * put, del or free */
size_t	table_count(const struct table *);
void	table_swap(struct table *, struct table *);	/* for a reload */
void	table_free(struct table *);	/* may be called twice */

/* Joined records, appended to out.  event is a valid JSON object as it
 * came in; its bytes are kept as they are (inner spaces too). */
void	table_merge(struct buf *out, struct json_span event,
	    const struct table_row *);
				/* the event with the row's members it does
				 * not have (names compared unescaped) added
				 * after its own, in the row's order: event
				 * fields win */
void	table_into(struct buf *out, struct json_span event,
	    const char *name, size_t namelen, const struct table_row *);
				/* the event with member name (raw bytes) set
				 * to the row, or to null when row is NULL;
				 * an event member of that name is dropped
				 * (the others keep their bytes), the new
				 * one comes last */

#endif
