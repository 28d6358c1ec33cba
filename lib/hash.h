#ifndef HASH_H
#define HASH_H
/*
 * hash -- stable 64-bit hashing (xxHash XXH3) and a map from byte-string
 * keys to fixed-size values, with open addressing.  The map copies keys
 * and owns its memory; values are caller-defined blobs of vsize bytes,
 * zeroed on insert.  Pointers into the map stay valid until the next
 * insert or delete.
 */
#include <stddef.h>
#include <stdint.h>

uint64_t hash_bytes(const void *, size_t);	/* stable across runs/hosts */

struct hash_map {
	struct hash_slot *slot;		/* private */
	size_t	 cap;			/* slots, a power of two */
	size_t	 count;			/* live entries */
	size_t	 vsize;			/* bytes of each value */
	size_t	 tail;			/* private: slots past cap */
};
#define HASH_MAP_INIT(vsize) { NULL, 0, 0, (vsize), 0 }

/* Lookup and update; keys are bytes (not NUL-terminated) */
void	*hash_get(const struct hash_map *, const void *, size_t);
				/* the value, or NULL if absent */
void	*hash_put(struct hash_map *, const void *, size_t, int *isnew);
				/* existing or new zeroed value; exits on OOM */
int	 hash_del(struct hash_map *, const void *, size_t);	/* 1 or 0 */

/* Iteration in reverse slot order: start *pos at 0; 1 and the entry, 0 at
 * end.  Deleting the entry just returned (or any already returned) is
 * allowed; inserting is not. */
int	 hash_next(const struct hash_map *, size_t *pos, const void **key,
	    size_t *keylen, void **val);

void	 hash_free(struct hash_map *);		/* may be called twice */

#endif
