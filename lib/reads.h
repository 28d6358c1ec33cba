#ifndef READS_H
#define READS_H
/*
 * reads -- which top-level members of the input record a jq 1.6 program
 * can observe, found by a conservative static analysis of its text.
 * "Observe" covers outputs and error messages: if reads_keys answers 1
 * with keys K, the program behaves the same on any JSON object as on that
 * object restricted to the members named in K (any order), so the caller
 * may hand libjq the smaller object.  Anything the analysis does not know
 * (most builtins applied to the record, def, label, input, paths like
 * .[] or .. on the record, a record that may reach the output) gives 0.
 * Nothing here prints, exits or recurses without bound.
 */
#include "buf.h"
#include "json.h"

int	reads_keys(const char *program, struct json_want *keys,
	    struct buf *scratch);
		/* 1: the program observes its input only through the
		 * values of the members named in keys (deduplicated,
		 * first-seen order; n may be 0, as for "1"); the key bytes
		 * are unescaped and appended to scratch, which the caller
		 * owns: they stay valid while scratch is unchanged.
		 * 0: unknown, or more than JSON_WANT_MAX keys; keys->n is
		 * 0 and scratch is as it was. */

#endif
