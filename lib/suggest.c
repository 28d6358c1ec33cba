/* suggest -- "did you mean": the closest candidate; see suggest.h. */
#include <stdlib.h>
#include <string.h>

#include "suggest.h"
#include "xalloc.h"

static size_t	distance(const char *, size_t, const char *, size_t, size_t);

/*
 * distance -- Damerau-Levenshtein distance of a and b in its restricted
 * form (optimal string alignment: a swap of neighbours costs 1, as in
 * git's levenshtein.c), or a value over max when it is sure to exceed
 * it.  Three rows suffice: the swap looks back two rows.
 */
static size_t
distance(const char *a, size_t m, const char *b, size_t n, size_t max)
{
	size_t *r0, *r1, *r2, *t, i, j, c, d;

	if ((m > n ? m - n : n - m) > max)
		return max + 1;		/* each extra byte costs 1 */
	r0 = xcalloc(n + 1, sizeof(*r0));	/* row i - 2 */
	r1 = xcalloc(n + 1, sizeof(*r1));	/* row i - 1 */
	r2 = xcalloc(n + 1, sizeof(*r2));	/* row i */
	for (j = 0; j <= n; j++)
		r1[j] = j;
	for (i = 1; i <= m; i++) {
		r2[0] = i;
		for (j = 1; j <= n; j++) {
			c = a[i - 1] != b[j - 1];
			d = r1[j - 1] + c;			/* substitute */
			if (r1[j] + 1 < d)
				d = r1[j] + 1;			/* delete */
			if (r2[j - 1] + 1 < d)
				d = r2[j - 1] + 1;		/* insert */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && r0[j - 2] + 1 < d)
				d = r0[j - 2] + 1;		/* swap */
			r2[j] = d;
		}
		t = r0;
		r0 = r1;
		r1 = r2;
		r2 = t;
	}
	d = r1[n];
	free(r0);
	free(r1);
	free(r2);
	return d;
}

const char *
suggest(const char *word, const char *const *cand, size_t n)
{
	const char *best;
	size_t len, max, d, bestd, i;

	len = strlen(word);
	max = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	if (max >= len)
		max = len == 0 ? 0 : len - 1;	/* less than the length */
	if (len == 0)
		return NULL;
	best = NULL;
	bestd = max + 1;
	for (i = 0; i < n; i++) {
		d = distance(word, len, cand[i], strlen(cand[i]), max);
		if (d < bestd) {	/* strict: ties go to the first */
			best = cand[i];
			bestd = d;
		}
	}
	return best;
}
