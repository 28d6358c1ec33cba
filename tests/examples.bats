#!/usr/bin/env bats
# examples.bats -- every example of README.md and of the man pages runs
# and exits 0, so that the documentation cannot rot (issue 8).  The
# examples are found by tests/examples.py (read its header for what an
# example is, the fixtures and the stand-ins); pages are found afresh on
# each run, so that a new man/*.1 or man/*.7 is tested without a change
# here.  A failure lists each failing example as FILE:LINE, the reason,
# the example as the page shows it and its standard error.
#
# Fix a failure in the page (or README.md), not here: a wrong option or
# syntax is what this catches.  A file that an example names and the
# fixtures lack is added to tests/fixtures/examples/ (or generated in
# build_fixtures in tests/examples.py).

load helper

setup_file() {
	python3 "$BATS_TEST_DIRNAME/examples.py" fixtures \
	    "$BATS_FILE_TMPDIR/fixtures"
}

# examples FILE... -- run the examples of FILE...; in $output the report
examples() {
	run python3 "$ROOT/tests/examples.py" run --quiet --work "$T/run" \
	    --fixtures "$BATS_FILE_TMPDIR/fixtures" "$@"
	assert_success
}

@test "examples: the extractor reads mdoc escapes, prompts and continuations" {
	cat >page.1 <<-'EOF'
	.Dd November 25, 2026
	.Dt PAGE 1
	.Os
	.Sh NAME
	.Nm page
	.Nd a test page
	.Sh EXAMPLES
	.Dl $ stream-filter 'select(.a==\(dqx\(dq)' \&. in.ndjson
	.Bd -literal -offset indent
	$ cat users.ndjson
	{"user":"bob"}
	$ kcat -C -b broker -t access -u \e
	    | stream-filter 'if .x then 1
	        else 2 end' > out &
	$ for i in 0 1; do
	>	echo \(aq$i\(aq \- \(rB
	> done; wait
	output line
	.Ed
	.Dl $ echo \(mi1
	EOF
	run python3 "$ROOT/tests/examples.py" list --json page.1
	assert_success
	local want
	want=$(cat <<-'EOF'
	8 false stream-filter 'select(.a=="x")' . in.ndjson
	10 false cat users.ndjson
	12 true kcat -C -b broker -t access -u | stream-filter 'if .x then 1|        else 2 end' > out &
	15 false for i in 0 1; do|echo '$i' - ]|done; wait
	20 false ERR echo ?1
	EOF
	)
	run python3 -c '
import json, sys
for t in sys.stdin:
    e = json.loads(t)
    print(e["line"], str(e["long"]).lower(),
          ("ERR " if e["errors"] else "") + e["cmd"].replace("\n", "|"))
' <<<"$output"
	assert_output "$want"
	# the block's "$ cat" output is its users.ndjson
	run python3 "$ROOT/tests/examples.py" list page.1
	assert_line --partial "with users.ndjson"
	assert_line --partial "FAULT: a UTF-8 terminal shows \\(mi as U+2212"
}

@test "examples: the extractor reads fenced and indented README examples" {
	cat >doc.md <<-'EOF'
	# doc

	```sh
	kcat -C -b broker -t logins -u \
	  | stream-filter .
	```

	```console
	$ stream-cat export.csv
	{"id":1}
	$ stream-filter . \
	>   in.ndjson
	```

	```yaml
	rules: []
	```

	    stream-window --count 2 --agg count access.ndjson
	    make demo     # not run
	EOF
	run python3 "$ROOT/tests/examples.py" list doc.md
	assert_success
	assert_output - <<-'EOF'
	doc.md:4: kcat -C -b broker -t logins -u | stream-filter .
	doc.md:9: stream-cat export.csv
	doc.md:11: stream-filter . in.ndjson
	doc.md:19: stream-window --count 2 --agg count access.ndjson
	EOF
}

@test "examples: each man page shows its examples as extracted, and every \$ line is in one" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	run python3 "$ROOT/tests/examples.py" rendered
	assert_success
}

@test "examples: every page with an EXAMPLES section has examples that run" {
	local f n
	for f in "$ROOT"/man/*.[17]; do
		grep -q '^\.Sh EXAMPLES' "$f" || continue
		n=$(python3 "$ROOT/tests/examples.py" list --json "$f" | wc -l)
		if test "$n" -eq 0; then
			echo "${f#"$ROOT"/}: an EXAMPLES section, but no example" \
			    "found (.Dl \$ ... or \$ lines in .Bd -literal)"
			return 1
		fi
	done
}

@test "examples: README.md" {
	examples "$ROOT/README.md"
}

@test "examples: man/*.1 and man/*.7" {
	examples "$ROOT"/man/*.[17]
}
