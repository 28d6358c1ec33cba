#ifndef SUGGEST_H
#define SUGGEST_H
/*
 * suggest -- "did you mean": the candidate closest to a misspelt word,
 * by Damerau-Levenshtein distance (a swap of two neighbours costs 1),
 * when it is close enough to be what was meant: a distance of at most
 * 1 for words up to 4 bytes, 2 up to 8, else 3, and less than the
 * word's length.  Ties go to the first candidate.
 */
#include <stddef.h>

const char *suggest(const char *word, const char *const *candidates,
	    size_t n);		/* the candidate, or NULL */

#endif
