#ifndef RULES_H
#define RULES_H
/*
 * rules -- stream-alert's rule files (CONTRACT section 7): YAML read
 * with libyaml into checked rules.  Every mistake is reported as
 * "FILE:LINE:COLUMN: message", lines and columns from 1, pointing at the
 * key or value at fault, with "(did you mean 'x'?)" for a misspelt name.
 * jq expressions (where, by, message, the aggregate's argument) are
 * compiled once here, so a rule file that loads is one that runs (but
 * see RULES_NOJQ, for fuzzing only).
 * Nothing here prints or exits, except on out-of-memory as xalloc does.
 */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum rule_type {
	RULE_MATCH, RULE_THRESHOLD, RULE_FREQUENCY, RULE_ABSENCE,
	RULE_NEW_VALUE, RULE_CARDINALITY, RULE_SEQUENCE, RULE_SPIKE,
	RULE_CHANGE
};

enum rule_op { RULE_GT, RULE_GE, RULE_LT, RULE_LE, RULE_EQ, RULE_NE };
enum rule_dir { RULE_UP, RULE_DOWN, RULE_BOTH };	/* spike */

#define RULES_BY_MAX	16
#define RULES_SAMPLE_MAX 100

struct rule_step {		/* sequence: one step */
	char		*where;		/* jq, required */
	long long	 count;		/* matching records needed, default 1 */
	int		 line, col;
};

struct rule {
	char		*name;		/* required, unique in the file */
	enum rule_type	 type;		/* required */
	char		*where;		/* jq filter, or NULL: every record */
	char		*by[RULES_BY_MAX];	/* [NAME=]EXPR, as --by */
	int		 nby;
	int64_t		 window;	/* ns; 0: not given */
	double		 threshold;
	int		 has_threshold;
	enum rule_op	 op;
	char		*agg;		/* threshold, spike: "avg(.latency_ms)";
					 * spike defaults to "count" */
	char		*field;		/* new_value, cardinality, change: jq */
	double		 factor;	/* spike: > 1 */
	enum rule_dir	 direction;	/* spike: default both */
	int64_t		 for_;		/* threshold: "for:" */
	int64_t		 learn;		/* new_value */
	int64_t		 cooldown, keep_firing_for;
	char		*severity;	/* default "warning" */
	char		*labels;	/* compact JSON object, "{}" if none */
	char		*message;	/* body of a jq string literal, \(...)
					 * interpolating over the alert; NULL */
	long long	 sample;	/* records kept with an alert, 0 to
					 * RULES_SAMPLE_MAX, default 3 */
	char		**keys;		/* absence: keys: canonical JSON each */
	size_t		 nkeys;
	struct rule_step *steps;	/* sequence */
	size_t		 nsteps;
	int		 line, col;	/* where the rule's mapping starts */
	uint64_t	 digest;	/* hash of its canonical form: equal for
					 * a rule unchanged across a reload */
};

struct rules {
	struct rule	*r;
	size_t		 n;
};

int	rules_load(struct rules *, const char *path, struct buf *err);
				/* 0, or -1 with every mistake found (one
				 * per line, "PATH:LINE:COL: msg") in err,
				 * and rules left empty */
int	rules_load_text(struct rules *, const char *name, const char *,
	    size_t, struct buf *err);	/* the same from memory */
#define RULES_NOJQ	0x1	/* rules_load_flags: no jq compiled */
int	rules_load_flags(struct rules *, const char *name, const char *,
	    size_t, int flags, struct buf *err);
				/* rules_load_text with flags.  RULES_NOJQ
				 * makes every check but compiling the jq
				 * expressions (libjq takes 10 ms each):
				 * for fuzzing the YAML and the structure
				 * fast.  Such rules may not run */
void	rule_json(const struct rule *, struct buf *);
				/* the rule as canonical JSON, every field
				 * with its default filled in */
const char *rule_type_name(enum rule_type);
struct yaml_node_s;		/* libyaml's yaml_node_t */
void	rules_scalar_json(const struct yaml_node_s *, struct buf *);
				/* a scalar node as JSON, as labels: types
				 * by the YAML core schema (null, booleans,
				 * integers also 0x 0o, finite floats), the
				 * rest and quoted scalars as strings */
void	rules_free(struct rules *);	/* may be called twice */

#endif
