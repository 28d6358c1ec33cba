#!/usr/bin/env bats
# stream-alert(1): the rule tests of tests/rules (one rule file and one
# --test file per use case of the issue, and background traffic on which
# nothing fires), --check on the good and the bad rule files, the output
# of each type byte for byte, and one test at least per option of --help,
# named after it.  The expectations come from the design (/tmp/alert-design.md,
# CONTRACT section 7), not from the engine.  The comparisons with an
# independent model on random streams are in alert-oracle.bats.

load helper

RULES_DIR=$ROOT/tests/rules
USE_CASES=(admin-login botnet bruteforce card-countries config-change
    dead-sensor error-spike failed-then-success latency new-ip)

setup_file() {
	if ! test -x "$ROOT/stream-alert"; then
		echo "stream-alert is not built: run make" >&2
		return 1
	fi
}

# r HH:MM:SS[.fff] [MEMBERS] -- a record at 2026-11-25THH:MM:SS[.fff]Z,
# with MEMBERS after the time
r() {
	printf '{"ts":"2026-11-25T%sZ"%s}\n' "$1" "${2:+,$2}"
}

# tm HH:MM:SS.fff -- the time as stream-alert writes it
tm() {
	printf '2026-11-25T%sZ' "$1"
}

# ntests FILE -- the number of tests in the --test file FILE
ntests() {
	python3 -c 'import sys, yaml; print(len(yaml.safe_load(open(sys.argv[1]))["tests"]))' "$1"
}

# stats_of TEXT -- the --stats line (the last line of TEXT) without
# elapsed_s, compact
stats_of() {
	tail -n 1 <<<"$1" | jq -c 'del(.elapsed_s)'
}

# now_ms -- the wall-clock time in milliseconds since the epoch
now_ms() {
	local t=$EPOCHREALTIME
	echo $(( ${t/./} / 1000 ))
}

# match_rules -- ./rules.yaml: one match rule, "m", on .e == "x"
match_rules() {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: m
	    type: match
	    where: '.e == "x"'
	EOF
}

# ---------------------------------------------------------------------------
# The use cases: tests/rules/NAME.yaml and NAME.test.yaml

# use_case NAME -- every test of tests/rules/NAME.test.yaml passes: an
# "ok N - FILE: NAME" line per test, in order, and the plan last; the file
# has several tests, among them the background traffic
use_case() {
	local f=$RULES_DIR/$1.test.yaml n i
	n=$(ntests "$f")
	test "$n" -ge 4 || fail "$f has only $n tests"
	grep -q '^    input_file: background.ndjson$' "$f" ||
	    fail "$f does not run the background traffic"
	run --separate-stderr stream-alert --test "$f"
	assert_success
	assert_stderr ''
	refute_line --partial 'not ok'
	assert_equal "${#lines[@]}" "$((n + 1))"
	for i in $(seq "$n"); do
		assert_line --index "$((i - 1))" --regexp "^ok $i - .*$1\\.test\\.yaml: .+"
	done
	assert_line --index "$n" "1..$n"
}

@test "use case: brute force (frequency)" { use_case bruteforce; }
@test "use case: a botnet, users per address (cardinality)" { use_case botnet; }
@test "use case: a new address for a user (new_value)" { use_case new-ip; }
@test "use case: a card used from many countries (cardinality)" { use_case card-countries; }
@test "use case: failures then a success (sequence)" { use_case failed-then-success; }
@test "use case: a dead sensor, firing then resolved (absence)" { use_case dead-sensor; }
@test "use case: latency over a threshold held for 2m (threshold, for)" { use_case latency; }
@test "use case: an error-rate spike (spike)" { use_case error-spike; }
@test "use case: a configuration change (change)" { use_case config-change; }
@test "use case: an admin login (match)" { use_case admin-login; }

@test "use case: every rule file of tests/rules passes --check" {
	local u
	for u in "${USE_CASES[@]}"; do
		run --separate-stderr stream-alert --check -r "$RULES_DIR/$u.yaml"
		assert_success
		assert_output --regexp "^$RULES_DIR/$u\\.yaml: 1 rules? ok\$"
		assert_stderr ''
	done
}

@test "use case: the background traffic: a few hundred records, under 100 KB, as gen-background.py writes them" {
	python3 "$RULES_DIR/gen-background.py" >background.out
	assert_same_bytes "$RULES_DIR/background.ndjson" background.out
	n=$(lines_in background.out)
	test "$n" -ge 300 || fail "$n records"
	test "$(wc -c <background.out)" -lt 100000
}

@test "use case: nothing fires on the background traffic with all the rules at once" {
	{
		echo 'rules:'
		for u in "${USE_CASES[@]}"; do
			sed -n '/^rules:/,$p' "$RULES_DIR/$u.yaml" | sed 1d
		done
	} >all.yaml
	run --separate-stderr stream-alert --check -r all.yaml
	assert_output 'all.yaml: 10 rules ok'
	run --separate-stderr stream-alert -r all.yaml --stats "$RULES_DIR/background.ndjson"
	assert_success
	assert_output ''
	assert_equal "$(jq -c '[.in, .bad, .late, .alerts, .suppressed]' <<<"$stderr")" '[617,0,0,0,0]'
}

# ---------------------------------------------------------------------------
# --test: TAP, failures, bad test files

@test "--test: every tests/rules/*.test.yaml at once: one TAP stream numbered on, one plan, all ok" {
	local -a args=()
	local f n=0
	for f in "$RULES_DIR"/*.test.yaml; do
		args+=(--test "$f")
		n=$((n + $(ntests "$f")))
	done
	assert_equal "${#args[@]}" $((2 * ${#USE_CASES[@]}))
	run --separate-stderr stream-alert "${args[@]}"
	assert_success
	assert_equal "${#lines[@]}" "$((n + 1))"
	assert_equal "$(printf '%s\n' "${lines[@]}" | grep -c '^ok ')" "$n"
	assert_line --index 0 --regexp '^ok 1 - .*admin-login\.test\.yaml: '
	assert_line --index "$((n - 1))" --regexp "^ok $n - .*new-ip\\.test\\.yaml: "
	assert_line --index "$n" "1..$n"
}

# wrong_test -- ./wrong.test.yaml on ./bf.yaml (the brute force rule): a
# test that passes, one whose expected value is wrong, and one that
# expects an alert where none fires
wrong_test() {
	cp "$RULES_DIR/bruteforce.yaml" bf.yaml
	cat >wrong.test.yaml <<-'EOF'
	rules: bf.yaml
	tests:
	  - name: right
	    input: |
	      {"ts":"2026-11-25T10:00:00Z","event":"login_failed","user":"bob"}
	    expect: []
	  - name: a wrong value
	    input: |
	      {"ts":"2026-11-25T10:00:00Z","event":"login_failed","user":"bob"}
	      {"ts":"2026-11-25T10:00:01Z","event":"login_failed","user":"bob"}
	      {"ts":"2026-11-25T10:00:02Z","event":"login_failed","user":"bob"}
	      {"ts":"2026-11-25T10:00:03Z","event":"login_failed","user":"bob"}
	      {"ts":"2026-11-25T10:00:04Z","event":"login_failed","user":"bob"}
	    expect:
	      - {alert: ssh-bruteforce, key: {user: bob}, value: 4}
	  - name: an alert that does not come
	    input: |
	      {"ts":"2026-11-25T10:00:00Z","event":"login_failed","user":"bob"}
	    expect:
	      - {alert: ssh-bruteforce}
	EOF
}

@test "--test: a wrong expectation: exit 1, 'not ok' with the expected and the actual alert as comments" {
	wrong_test
	run --separate-stderr stream-alert --test wrong.test.yaml
	assert_failure 1
	assert_stderr ''
	local -a tap=("${lines[@]}")
	assert_line --index 0 'ok 1 - wrong.test.yaml: right'
	assert_line 'not ok 2 - wrong.test.yaml: a wrong value'
	assert_line 'not ok 3 - wrong.test.yaml: an alert that does not come'
	assert_line --index $((${#lines[@]} - 1)) '1..3'
	# the diagnostics: comment lines after their "not ok", showing both
	diag=$(printf '%s\n' "${tap[@]}" | sed -n '/^not ok 2/,/^not ok 3/p' | sed '1d;$d')
	test -n "$diag" || fail "no diagnostic after 'not ok 2'"
	run grep -v '^#' <<<"$diag"
	assert_output ''
	run grep -c '"value":4' <<<"$diag"
	assert_output 1
	run grep -c '"value":5' <<<"$diag"
	assert_output 1
	diag=$(printf '%s\n' "${tap[@]}" | sed -n '/^not ok 3/,/^1\.\.3/p' | sed '1d;$d')
	run grep -v '^#' <<<"$diag"
	assert_output ''
	[[ $diag == *ssh-bruteforce* ]] || fail "the expected alert is not shown: $diag"
}

@test "--test: a file that does not load: exit 2, FILE:LINE:COL for each mistake" {
	cp "$RULES_DIR/bruteforce.yaml" bf.yaml
	printf '%s\n' 'rules: bf.yaml' 'tests:' '  - name: x' '    inptu: |' \
	    '      {"ts":"2026-11-25T10:00:00Z"}' '    expect: []' >bad.test.yaml
	run --separate-stderr stream-alert --test bad.test.yaml
	assert_failure 2
	refute_output --partial 'ok'
	assert_stderr_line "stream-alert: bad.test.yaml:4:5: unknown test field 'inptu' (did you mean 'input'?)"
	# a rule file that does not load, named by the test file
	printf '%s\n' 'rules: bad/unknown-type.yaml' 'tests: []' >t2.test.yaml
	mkdir bad
	cp "$RULES_DIR/bad/unknown-type.yaml" bad/
	run --separate-stderr stream-alert --test t2.test.yaml
	assert_failure 2
	assert_stderr --partial "bad/unknown-type.yaml:4:11: unknown rule type 'frequncy' (did you mean 'frequency'?)"
}

@test "--test: a bad input record fails its test with the reason; the others run" {
	cp "$RULES_DIR/bruteforce.yaml" bf.yaml
	cat >t.test.yaml <<-'EOF'
	rules: bf.yaml
	tests:
	  - name: a bad line
	    input: |
	      {"ts":"2026-11-25T10:00:00Z","event":"login_failed","user":"bob"}
	      {"ts":
	    expect: []
	  - name: fine
	    input: |
	      {"ts":"2026-11-25T10:00:00Z","event":"login_failed","user":"bob"}
	    expect: []
	EOF
	run --separate-stderr stream-alert --test t.test.yaml
	assert_failure 1
	assert_line --index 0 'not ok 1 - t.test.yaml: a bad line'
	assert_line --index 1 --regexp '^# .*line 2.*invalid JSON'
	assert_line 'ok 2 - t.test.yaml: fine'
	assert_line '1..2'
}

@test "--test: a test file without 'rules:' uses the file of -r; input_file is relative to the test file" {
	mkdir sub
	cp "$RULES_DIR/admin-login.yaml" al.yaml
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z","event":"login_success","user":"root","host":"h"}' >sub/in.ndjson
	cat >sub/t.test.yaml <<-'EOF'
	tests:
	  - name: from the file
	    input_file: in.ndjson
	    expect:
	      - {alert: admin-login, key: {host: h}, message: root logged in on h}
	EOF
	run --separate-stderr stream-alert -r al.yaml --test sub/t.test.yaml
	assert_success
	assert_output $'ok 1 - sub/t.test.yaml: from the file\n1..1'
}

@test "--test: the time options apply to the test inputs" {
	match_rules
	cat >t.test.yaml <<-'EOF'
	tests:
	  - name: epoch milliseconds in .at, written as seconds
	    input: |
	      {"at":1795600801500,"e":"x"}
	    expect:
	      - {alert: m, at: 1795600801.5}
	EOF
	run --separate-stderr stream-alert -r rules.yaml --time .at --time-unit ms \
	    --time-output s --test t.test.yaml
	assert_success
	assert_line --index 0 'ok 1 - t.test.yaml: epoch milliseconds in .at, written as seconds'
}

# ---------------------------------------------------------------------------
# --check

@test "--check: all-types.yaml, one rule of each type: 'FILE: 10 rules ok', exit 0" {
	run --separate-stderr stream-alert --check -r "$RULES_DIR/all-types.yaml"
	assert_success
	assert_output "$RULES_DIR/all-types.yaml: 10 rules ok"
	assert_stderr ''
	cp "$RULES_DIR/all-types.yaml" .
	run --separate-stderr stream-alert --check --rules all-types.yaml
	assert_success
	assert_output 'all-types.yaml: 10 rules ok'
}

@test "--check: every file of tests/rules/bad: exit 2, nothing on stdout, the '# expect:' message at its line and column" {
	local f expect n=0
	for f in "$RULES_DIR"/bad/*.yaml; do
		expect=$(sed -n '1s/^# expect: //p' "$f")
		test -n "$expect" || fail "$f: no '# expect:' line"
		run --separate-stderr stream-alert --check -r "$f"
		test "$status" -eq 2 || fail "$f: exit status $status, expected 2"
		test -z "$output" || fail "$f: '$output' on stdout"
		test "${stderr_lines[0]}" = "stream-alert: $f:$expect" ||
		    fail "$f: got '${stderr_lines[0]}'; expected 'stream-alert: $f:$expect'"
		n=$((n + 1))
	done
	test "$n" -ge 30 || fail "only $n bad rule files"
}

@test "--check: the kinds of mistake of the issue, each at its line and column" {
	local kind file re
	# kind | file | message
	while IFS='|' read -r kind file re; do
		run --separate-stderr stream-alert --check -r "$RULES_DIR/bad/$file"
		test "$status" -eq 2 || fail "$kind ($file): exit $status"
		[[ ${stderr_lines[0]} =~ ^stream-alert:\ .*/bad/$file:[0-9]+:[0-9]+:\ $re ]] ||
		    fail "$kind ($file): got '${stderr_lines[0]}'"
	done <<-'EOF'
	unknown type|unknown-type.yaml|unknown rule type 'frequncy' \(did you mean 'frequency'\?\)
	unknown field|unknown-field.yaml|unknown field 'severty' \(did you mean 'severity'\?\)
	missing required field|missing-required.yaml|rule 'ssh-bruteforce': type 'frequency' needs 'window'
	missing name|no-name.yaml|rule 2 has no 'name'
	missing type|no-type.yaml|rule 1 has no 'type'
	bad duration|bad-duration.yaml|'window': bad duration '5 minutes'
	zero duration|zero-window.yaml|'window' must be greater than 0
	jq that does not compile (where)|where-jq.yaml|'where': jq does not compile
	jq that does not compile (by)|by-jq.yaml|'by': jq does not compile
	jq that does not compile (message)|message-jq.yaml|'message': jq does not compile
	wrong YAML type (a mapping for a string)|where-mapping.yaml|'where' must be a scalar, not a mapping
	wrong YAML type (not a list)|keys-not-list.yaml|'keys' must be a list
	wrong YAML type (not a number)|threshold-not-number.yaml|'threshold' must be a number
	wrong YAML type (the top level)|top-not-mapping.yaml|the top level must be a mapping
	duplicate rule name|duplicate-name.yaml|duplicate rule name 'ssh' \(first at 3:11\)
	duplicate key|duplicate-key.yaml|duplicate key 'severity' \(first at 5:5\)
	field of another type|field-not-used.yaml|field 'window' is not used by type 'match'
	bad operator|bad-op.yaml|'op': bad operator '=>'
	bad aggregate|bad-agg.yaml|'agg': unknown function 'average'
	YAML syntax|syntax.yaml|found unexpected end of stream
	EOF
}

@test "--check: every mistake of a file is reported, one a line, in the file's order" {
	cat >three.yaml <<-'EOF'
	rules:
	  - name: a
	    type: frequency
	    window: 1x
	    threshold: 5
	  - name: b
	    type: matchh
	  - name: c
	    type: match
	    severty: high
	EOF
	run --separate-stderr stream-alert --check -r three.yaml
	assert_failure 2
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 3
	assert_stderr_line --index 0 --regexp "^stream-alert: three\.yaml:4:13: 'window': bad duration '1x'"
	assert_stderr_line --index 1 "stream-alert: three.yaml:7:11: unknown rule type 'matchh' (did you mean 'match'?)"
	assert_stderr_line --index 2 "stream-alert: three.yaml:10:5: unknown field 'severty' (did you mean 'severity'?)"
}

@test "--check: a rule file that does not load is a usage error without --check too, before any input" {
	run --separate-stderr stream-alert -r "$RULES_DIR/bad/unknown-type.yaml" <<<'{"ts":"2026-11-25T10:00:00Z"}'
	assert_failure 2
	assert_output ''
	assert_stderr_line --index 0 "stream-alert: $RULES_DIR/bad/unknown-type.yaml:4:11: unknown rule type 'frequncy' (did you mean 'frequency'?)"
	run --separate-stderr stream-alert -r missing.yaml </dev/null
	assert_failure 2
	assert_stderr --regexp '^stream-alert: missing\.yaml: '
}

# ---------------------------------------------------------------------------
# Output: members, order, types

# nine_rules -- ./nine.yaml: one rule of each type, on .e, with defaults
nine_rules() {
	cat >nine.yaml <<-'EOF'
	rules:
	  - name: m
	    type: match
	    where: '.e == "m"'
	  - name: th
	    type: threshold
	    where: '.e == "th"'
	    agg: sum(.v)
	    window: 10s
	    threshold: 5
	  - name: fr
	    type: frequency
	    where: '.e == "fr"'
	    by: [.u]
	    window: 10s
	    threshold: 2
	  - name: ab
	    type: absence
	    where: '.e == "ab"'
	    window: 10s
	  - name: nv
	    type: new_value
	    where: '.e == "nv"'
	    field: .v
	  - name: ca
	    type: cardinality
	    where: '.e == "ca"'
	    field: .v
	    window: 10s
	    threshold: 2
	  - name: sq
	    type: sequence
	    where: '.e == "sq"'
	    window: 10s
	    steps:
	      - where: '.v == 1'
	      - where: '.v == 2'
	  - name: sp
	    type: spike
	    where: '.e == "sp"'
	    window: 10s
	    factor: 2
	    direction: up
	  - name: ch
	    type: change
	    where: '.e == "ch"'
	    field: .v
	EOF
	{
		r 10:00:00 '"e":"m"'
		r 10:00:00 '"e":"ab"'
		r 10:00:01 '"e":"nv","v":"x"'
		r 10:00:02 '"e":"ch","v":1'
		r 10:00:03 '"e":"ch","v":2'
		r 10:00:04 '"e":"fr","u":"bob"'
		r 10:00:05 '"e":"fr","u":"bob"'
		r 10:00:06 '"e":"sq","v":1'
		r 10:00:07 '"e":"sq","v":2'
		r 10:00:08 '"e":"ca","v":"a"'
		r 10:00:09 '"e":"ca","v":"b"'
		r 10:00:10 '"e":"th","v":3'
		r 10:00:11 '"e":"th","v":4'
		r 10:00:12 '"e":"sp"'
		r 10:00:18.500 '"e":"x"'
		r 10:00:21 '"e":"sp"'
		r 10:00:22 '"e":"sp"'
		r 10:00:25 '"e":"ab"'
		r 10:00:33 '"e":"ab"'
		r 10:00:41 '"e":"x"'
	} >nine.ndjson
}

@test "output: one alert of each type, every member in the design's order, byte for byte" {
	nine_rules
	run --separate-stderr stream-alert -r nine.yaml nine.ndjson
	assert_success
	assert_stderr ''
	# in output order; P is the time prefix; L N is line N of the input
	P='"2026-11-25T10:00:'
	L() { sed -n "$1p" nine.ndjson; }
	W='"severity":"warning"'
	E=',"labels":{},"message":null'
	expect=$(cat <<-EOF
	{"alert":"m","state":"firing",$W,"at":${P}00.000Z","key":{},"value":null,"threshold":null,"window":null$E,"sample":[$(L 1)]}
	{"alert":"nv","state":"firing",$W,"at":${P}01.000Z","key":{},"value":"x","threshold":null,"window":null$E,"sample":[$(L 3)]}
	{"alert":"ch","state":"firing",$W,"at":${P}03.000Z","key":{},"value":2,"previous":1,"threshold":null,"window":null$E,"sample":[$(L 5)]}
	{"alert":"fr","state":"firing",$W,"at":${P}05.000Z","key":{"u":"bob"},"value":2,"threshold":2,"window":{"start":"2026-11-25T09:59:55.000Z","end":${P}05.000Z"}$E,"sample":[$(L 6),$(L 7)]}
	{"alert":"sq","state":"firing",$W,"at":${P}07.000Z","key":{},"value":null,"threshold":null,"window":{"start":${P}06.000Z","end":${P}07.000Z"}$E,"sample":[$(L 8),$(L 9)]}
	{"alert":"ca","state":"firing",$W,"at":${P}09.000Z","key":{},"value":2,"threshold":2,"window":{"start":"2026-11-25T09:59:59.000Z","end":${P}09.000Z"}$E,"sample":[$(L 10),$(L 11)]}
	{"alert":"ab","state":"firing",$W,"at":${P}10.000Z","key":{},"value":null,"threshold":null,"window":{"start":${P}00.000Z","end":${P}10.000Z"}$E,"sample":[$(L 2)]}
	{"alert":"ca","state":"resolved",$W,"at":${P}18.000Z","key":{},"value":1,"threshold":2,"window":{"start":${P}08.000Z","end":${P}18.000Z"}$E,"sample":[]}
	{"alert":"th","state":"firing",$W,"at":${P}20.000Z","key":{},"value":7,"threshold":5,"window":{"start":${P}10.000Z","end":${P}20.000Z"}$E,"sample":[$(L 12),$(L 13)]}
	{"alert":"ab","state":"resolved",$W,"at":${P}25.000Z","key":{},"value":null,"threshold":null,"window":{"start":${P}10.000Z","end":${P}25.000Z"}$E,"sample":[]}
	{"alert":"th","state":"resolved",$W,"at":${P}30.000Z","key":{},"value":null,"threshold":5,"window":{"start":${P}20.000Z","end":${P}30.000Z"}$E,"sample":[]}
	{"alert":"sp","state":"firing",$W,"at":${P}30.000Z","key":{},"value":2,"threshold":2,"window":{"start":${P}20.000Z","end":${P}30.000Z"}$E,"sample":[$(L 16),$(L 17)]}
	{"alert":"sp","state":"resolved",$W,"at":${P}40.000Z","key":{},"value":0,"threshold":4,"window":{"start":${P}30.000Z","end":${P}40.000Z"}$E,"sample":[]}
	EOF
	)
	printf '%s\n' "$expect" >expect
	printf '%s\n' "$output" >got
	assert_same_bytes expect got
}

@test "output: key members are named as --by names them: NAME= prefix, else the path's last key; null when absent" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: m
	    type: match
	    by: [.geo.country, 'cls=(.status / 100 | floor)', .user]
	    sample: 0
	EOF
	r 10:00:00 '"geo":{"country":"DE"},"status":503' >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	assert_output '{"alert":"m","state":"firing","severity":"warning","at":"2026-11-25T10:00:00.000Z","key":{"country":"DE","cls":5,"user":null},"value":null,"threshold":null,"window":null,"labels":{},"message":null,"sample":[]}'
}

@test "output: severity and labels as the rule gives them, canonical (keys sorted), YAML core types: 5, true, null, \"5\"" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: m
	    type: match
	    severity: critical
	    labels: {team: sec, n: 5, page: true, none: ~, s: "5"}
	    sample: 0
	EOF
	r 10:00:00 >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	assert_output '{"alert":"m","state":"firing","severity":"critical","at":"2026-11-25T10:00:00.000Z","key":{},"value":null,"threshold":null,"window":null,"labels":{"n":5,"none":null,"page":true,"s":"5","team":"sec"},"message":null,"sample":[]}'
}

@test "output: the alerts of a watermark move come before those of the record that moved it" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: first-in-file
	    type: match
	    where: '.e == "m"'
	    sample: 0
	  - name: quiet
	    type: absence
	    where: '.e == "hb"'
	    window: 5s
	    sample: 0
	EOF
	{ r 10:00:00 '"e":"hb"'; r 10:00:10 '"e":"m"'; } >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	run jq -c '[.alert, .state, .at]' <<<"$output"
	assert_output '["quiet","firing","2026-11-25T10:00:05.000Z"]
["first-in-file","firing","2026-11-25T10:00:10.000Z"]'
}

@test "output: one watermark move's alerts are sorted by time, then rule order in the file, then key" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: z-first
	    type: threshold
	    where: '.k != null'
	    by: .k
	    agg: count
	    window: 10s
	    threshold: 1
	    op: '>='
	  - name: a-second
	    type: threshold
	    where: '.k != null'
	    by: .k
	    agg: count
	    window: 10s
	    threshold: 1
	    op: '>='
	  - name: silent-host
	    type: absence
	    where: '.h != null'
	    by: .h
	    window: 3s
	EOF
	{ r 10:00:01 '"k":"b","h":"x"'; r 10:00:02 '"k":"a"'; r 10:00:15 '"e":"tick"'; r 10:00:25 '"e":"tick"'; } >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	run jq -c '[.alert, .state, .at[17:19], .key]' <<<"$output"
	assert_output '["silent-host","firing","04",{"h":"x"}]
["z-first","firing","10",{"k":"a"}]
["z-first","firing","10",{"k":"b"}]
["a-second","firing","10",{"k":"a"}]
["a-second","firing","10",{"k":"b"}]
["z-first","resolved","20",{"k":"a"}]
["z-first","resolved","20",{"k":"b"}]
["a-second","resolved","20",{"k":"a"}]
["a-second","resolved","20",{"k":"b"}]'
}

@test "output: the same input gives the same bytes" {
	gen -n 3000 --seed 11 --rate 100 --disorder 300 >in
	{
		echo 'rules:'
		for ty in match threshold frequency absence new_value cardinality sequence spike change; do
			type_rules "$ty" | sed 1d
		done
	} >all.yaml
	stream-alert -r all.yaml --lateness 500ms in >out1
	stream-alert -r all.yaml --lateness 500ms in >out2
	assert_same_bytes out1 out2
	test "$(lines_in out1)" -gt 100
	assert_equal "$(jq -r .alert out1 | sort -u | wc -l)" 18
}

@test "output: numbers are written as numbers: integers as integers, others the shortest text" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: avg
	    type: threshold
	    agg: avg(.v)
	    window: 10s
	    threshold: 0.5
	    sample: 0
	  - name: sum
	    type: threshold
	    agg: sum(.v)
	    window: 10s
	    threshold: 1e2
	    op: '<'
	    sample: 0
	EOF
	{ r 10:00:01 '"v":1'; r 10:00:02 '"v":2.0'; r 10:00:03 '"v":1'; r 10:00:12 '"x":0'; } >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	out=$output
	run jq -c '[.alert, .state]' <<<"$out"
	assert_line --index 0 '["avg","firing"]'
	assert_line --index 1 '["sum","firing"]'
	run grep -o '"value":[^,]*,"threshold":[^,]*' <<<"$(sed -n 1,2p <<<"$out")"
	assert_output '"value":1.3333333333333333,"threshold":0.5
"value":4,"threshold":100'
}

@test "cardinality with --lateness: a firing key resolves at the expiry time, once the watermark passes it, so a record within the lateness still counts" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: c
	    type: cardinality
	    field: .u
	    window: 10s
	    threshold: 2
	    sample: 0
	EOF
	# a expires at 10, b at 11; the record at 12 forgets both, but the
	# watermark (12 - 5s) has not passed 10 yet: the one at 30 moves it on
	{ r 10:00:00 '"u":"a"'; r 10:00:01 '"u":"b"'; r 10:00:12 '"u":"c"'; r 10:00:30; } >in
	run --separate-stderr stream-alert -r rules.yaml --lateness 5s in
	assert_success
	run jq -c '[.state, .at, .value]' <<<"$output"
	assert_output '["firing","2026-11-25T10:00:01.000Z",2]
["resolved","2026-11-25T10:00:10.000Z",1]'
	# a at 09 comes within the lateness (the watermark is at 07): it is
	# seen again before the watermark reaches 10, so the count holds (a
	# and c) until a expires at 19
	{ r 10:00:00 '"u":"a"'; r 10:00:01 '"u":"b"'; r 10:00:12 '"u":"c"'; r 10:00:09 '"u":"a"'
	  r 10:00:40; } >in
	run --separate-stderr stream-alert -r rules.yaml --lateness 5s in
	assert_success
	run jq -c '[.state, .at, .value]' <<<"$output"
	assert_output '["firing","2026-11-25T10:00:01.000Z",2]
["resolved","2026-11-25T10:00:19.000Z",1]'
}

# ---------------------------------------------------------------------------
# Semantics the use cases do not reach

@test "spike: direction down and both; the threshold is prev / factor down, factor * prev up" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: down
	    type: spike
	    window: 10s
	    factor: 3
	    direction: down
	    sample: 0
	  - name: both
	    type: spike
	    window: 10s
	    factor: 3
	    sample: 0
	EOF
	# counts a window: 6, 2, 6, 4, 1 (the last closes at the end)
	{ for s in 01 02 03 04 05 06; do r "10:00:$s"; done; r 10:00:11; r 10:00:12
	  for s in 21 22 23 24 25 26; do r "10:00:$s"; done
	  r 10:00:31; r 10:00:32; r 10:00:33; r 10:00:34; r 10:00:45; } >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	run jq -c '[.alert, .state, .at[17:19], .value]' <<<"$output"
	# down: 2 <= 6/3 fires at 20; 6 > 2/3 resolves at 30; 1 <= 4/3 at 50
	# both: down at 20, up (6 >= 3*2) keeps it at 30, neither at 40
	assert_output '["down","firing","20",2]
["both","firing","20",2]
["down","resolved","30",6]
["both","resolved","40",4]
["down","firing","50",1]
["both","firing","50",1]'
	run --separate-stderr stream-alert -r rules.yaml in
	assert_equal "$(sed -n 1p <<<"$output" | jq -c .threshold)" 2
	assert_equal "$(sed -n 5p <<<"$output" | jq -c .threshold)" 1.3333333333333333
}

@test "threshold: op '<' on count judges empty windows as 0, so a quiet key fires after for:" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: low
	    type: threshold
	    where: '.e == "low"'
	    agg: count
	    window: 1m
	    threshold: 5
	    op: '<'
	    for: 2m
	    sample: 0
	EOF
	{ r 10:00:10 '"e":"low"'; r 10:05:00; } >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	assert_equal "$(jq -c '[.state, .at, .value]' <<<"$output")" '["firing","2026-11-25T10:03:00.000Z",0]'
}

@test "sequence: going back to step 0 keeps the first step's matches still in the window" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: seq
	    type: sequence
	    window: 5s
	    steps:
	      - where: '.e == "f"'
	        count: 3
	      - where: '.e == "s"'
	    sample: 0
	EOF
	# f 0, 4, 5: step 1 from 0; s at 6 is 6 s after 0: back to step 0
	# with f 4 and 5; f at 6.5 completes step 0 again; s at 7 fires
	{ r 10:00:00 '"e":"f"'; r 10:00:04 '"e":"f"'; r 10:00:05 '"e":"f"'; r 10:00:06 '"e":"s"'
	  r 10:00:06.500 '"e":"f"'; r 10:00:07 '"e":"s"'; } >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	assert_equal "$(jq -c '[.at, .window]' <<<"$output")" \
	    '["2026-11-25T10:00:07.000Z",{"start":"2026-11-25T10:00:04.000Z","end":"2026-11-25T10:00:07.000Z"}]'
}

@test "new_value: learning ends at the first event time plus learn, exactly" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: nv
	    type: new_value
	    where: '.e == "nv"'
	    field: .v
	    learn: 10s
	    sample: 0
	EOF
	{ r 10:00:00 '"e":"x"'; r 10:00:01 '"e":"nv","v":1'; r 10:00:09.999 '"e":"nv","v":2'
	  r 10:00:10 '"e":"nv","v":3'; r 10:00:11 '"e":"nv","v":2'; } >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	assert_equal "$(jq -c '[.at[17:23], .value]' <<<"$output")" '["10.000",3]'
}

@test "absence with --lateness: a record that comes early does not hide the silence before it; the sample is the last record before it" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: quiet
	    type: absence
	    by: .k
	    window: 10s
	EOF
	# the watermark is 5 s behind; a at 11 arrives while it is at 7, and
	# waits: in event time, a was silent from 00 to 11
	{ r 10:00:00 '"k":"a","n":1'; r 10:00:12 '"k":"b"'; r 10:00:11 '"k":"a","n":2'; r 10:00:20 '"k":"b"'; } >in
	run --separate-stderr stream-alert -r rules.yaml --lateness 5s in
	assert_success
	L() { sed -n "$1p" in; }
	assert_output "{\"alert\":\"quiet\",\"state\":\"firing\",\"severity\":\"warning\",\"at\":\"$(tm 10:00:10.000)\",\"key\":{\"k\":\"a\"},\"value\":null,\"threshold\":null,\"window\":{\"start\":\"$(tm 10:00:00.000)\",\"end\":\"$(tm 10:00:10.000)\"},\"labels\":{},\"message\":null,\"sample\":[$(L 1)]}
{\"alert\":\"quiet\",\"state\":\"resolved\",\"severity\":\"warning\",\"at\":\"$(tm 10:00:11.000)\",\"key\":{\"k\":\"a\"},\"value\":null,\"threshold\":null,\"window\":{\"start\":\"$(tm 10:00:10.000)\",\"end\":\"$(tm 10:00:11.000)\"},\"labels\":{},\"message\":null,\"sample\":[]}"
}

@test "absence: keys: values are JSON, so 7 and \"7\" are two keys" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: dead
	    type: absence
	    where: '.e == "hb"'
	    by: .sensor
	    window: 1m
	    keys: [7, "7"]
	    sample: 0
	EOF
	{ r 10:00:00 '"e":"hb","sensor":7'; r 10:00:50 '"e":"hb","sensor":7'; r 10:01:30 '"e":"hb","sensor":7'; } >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	assert_equal "$(jq -c '[.state, .at[11:19], .key]' <<<"$output")" '["firing","10:01:00",{"sensor":"7"}]'
}

@test "--stats at SIGUSR1: the counts so far, and the tool goes on" {
	match_rules
	mkfifo f
	exec 8<>f
	bg stream-alert -r rules.yaml --stats <f >out 2>err
	r 10:00:01 '"e":"x"' >&8
	wait_lines out 1 || fail "no alert"
	kill -USR1 "$BG"
	wait_lines err 1 || fail "no counts at SIGUSR1"
	assert_equal "$(stats_of "$(cat err)" | jq -c '[.in, .alerts]')" '[1,1]'
	r 10:00:02 '"e":"x"' >&8
	wait_lines out 2 || fail "it did not go on"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	assert_equal "$(lines_in err)" 2
	assert_equal "$(stats_of "$(cat err)" | jq -c '[.in, .alerts]')" '[2,2]'
}

# ---------------------------------------------------------------------------
# Cooldown, message, sample

@test "cooldown: suppressed alerts are counted in --stats and change nothing; at exactly A + cooldown it fires" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: m
	    type: match
	    by: .u
	    cooldown: 1m
	    sample: 0
	EOF
	{ r 10:00:00 '"u":"a"'; r 10:00:30 '"u":"a"'; r 10:00:40 '"u":"b"'; r 10:00:59.999 '"u":"a"'
	  r 10:01:00 '"u":"a"'; r 10:01:30 '"u":"a"'; } >in
	run --separate-stderr stream-alert -r rules.yaml --stats in
	assert_success
	run jq -c '[.at[14:23], .key.u]' <<<"$output"
	assert_output '["00:00.000","a"]
["00:40.000","b"]
["01:00.000","a"]'
	assert_equal "$(stats_of "$stderr" | jq -c '[.in, .out, .alerts, .suppressed]')" '[6,3,3,3]'
}

@test "message: rendered over the alert, .window as text ('1m30s'), .start and .end the window's bounds" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: f
	    type: frequency
	    where: '.e == "x"'
	    by: .user
	    window: 90s
	    threshold: 2
	    message: '\(.key.user): \(.value) in \(.window) from \(.start) to \(.end), over \(.threshold)'
	  - name: m
	    type: match
	    where: '.e == "y"'
	    message: 'window \(.window), start \(.start), \(.state) \(.severity), message member: \(has("message"))'
	  - name: contract
	    type: frequency
	    where: '.e == "z"'
	    by: [.user]
	    window: 1m
	    threshold: 7
	    message: '\(.key.user): \(.value) failed logins in \(.window)'
	EOF
	{ r 10:00:00 '"e":"x","user":"bob"'; r 10:01:00 '"e":"x","user":"bob"'; r 10:01:01 '"e":"y"'
	  for s in 10 11 12 13 14 15 16; do r "10:01:$s" '"e":"z","user":"bob"'; done; } >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	assert_stderr ''
	run jq -r .message <<<"$output"
	assert_output 'bob: 2 in 1m30s from 2026-11-25T09:59:30.000Z to 2026-11-25T10:01:00.000Z, over 2
window null, start null, firing warning, message member: false
bob: 7 failed logins in 1m'
}

@test "message: one that fails at run time leaves message null, with one warning on stderr" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: m
	    type: match
	    message: 'user \(.sample[0].user | ascii_downcase)'
	    sample: 0
	EOF
	r 10:00:00 '"user":7' >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	assert_output '{"alert":"m","state":"firing","severity":"warning","at":"2026-11-25T10:00:00.000Z","key":{},"value":null,"threshold":null,"window":null,"labels":{},"message":null,"sample":[]}'
	assert_equal "${#stderr_lines[@]}" 1
	assert_stderr --regexp '^stream-alert: .+'
}

@test "sample: the records as they came, byte for byte, oldest first, at most 'sample:' of them (default 3)" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: two
	    type: frequency
	    window: 1m
	    threshold: 5
	    sample: 2
	  - name: none
	    type: frequency
	    window: 1m
	    threshold: 5
	    sample: 0
	  - name: default
	    type: frequency
	    window: 1m
	    threshold: 5
	  - name: all
	    type: threshold
	    agg: count
	    window: 1m
	    threshold: 4
	    sample: 100
	EOF
	printf '%s\n' '{"ts":"2026-11-25T10:00:01Z", "n":1}' '{ "ts" : "2026-11-25T10:00:02Z","n":2.50}' \
	    '{"ts":"2026-11-25T10:00:03Z","n":9007199254740993}' '{"ts":"2026-11-25T10:00:04Z","s":"\u00e9\n"}' \
	    '{"ts":"2026-11-25T10:00:05Z","n":[1, 2]}' >in
	run --separate-stderr stream-alert -r rules.yaml in
	assert_success
	L() { sed -n "$1p" in; }
	assert_line --index 0 --partial "\"sample\":[$(L 4),$(L 5)]}"
	assert_line --index 1 --partial '"sample":[]}'
	assert_line --index 2 --partial "\"sample\":[$(L 3),$(L 4),$(L 5)]}"
	assert_line --index 3 --partial "\"sample\":[$(L 1),$(L 2),$(L 3),$(L 4),$(L 5)]}"
	assert_equal "${#lines[@]}" 4
}

# ---------------------------------------------------------------------------
# --exec, --exec-jobs, --exec-timeout

# exec_script NAME BODY -- an executable ./NAME running BODY under sh
exec_script() {
	printf '#!/bin/sh\n%s\n' "$2" >"$1"
	chmod +x "$1"
}

@test "--exec: the command runs once per alert with the alert on its stdin; no shell; counted in --stats" {
	exec_script save 'cat >"$1/$$.json"'
	mkdir got
	match_rules
	{ r 10:00:01 '"e":"x","n":1'; r 10:00:02 '"e":"y"'; r 10:00:03 '"e":"x","n":"$(touch pwned)"'
	  r 10:00:04 '"e":"x","n":3'; } >in
	run --separate-stderr stream-alert -r rules.yaml --exec "$T/save $T/got" --stats in
	assert_success
	assert_equal "${#lines[@]}" 3
	for f in got/*.json; do cat "$f"; echo; done | sed '/^$/d' | sort >exec.out
	printf '%s\n' "${lines[@]}" | sort >stdout.out
	assert_same_bytes stdout.out exec.out
	assert_file_not_exists pwned
	assert_equal "$(stats_of "$stderr" | jq -c '[.alerts, .exec_started, .exec_failed, .exec_dropped]')" '[3,3,0,0]'
}

@test "--exec: CMD is split into words as sh splits them (quotes, backslash), but never given to a shell" {
	exec_script args 'out=$1; shift; cat >/dev/null; printf "%s\n" "$@" >"$out"'
	match_rules
	r 10:00:01 '"e":"x"' >in
	run --separate-stderr stream-alert -r rules.yaml --exec "$T/args $T/argv 'a   b' \$HOME * \"q\";true" in
	assert_success
	assert_equal "${#lines[@]}" 1
	run cat argv
	assert_output "a   b
\$HOME
*
q;true"
	assert_file_not_exists true
	# a shell when asked for one
	run --separate-stderr stream-alert -r rules.yaml --exec "sh -c 'cat >>$T/via-sh'" in
	assert_success
	assert_equal "$(cat via-sh)" "$output"
}

@test "--exec: a command that fails or cannot start is said on stderr and counted; the alerts are still written" {
	match_rules
	{ r 10:00:01 '"e":"x"'; r 10:00:02 '"e":"x"'; } >in
	run --separate-stderr stream-alert -r rules.yaml --exec false --stats in
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_equal "$(stats_of "$stderr" | jq -c '[.exec_started, .exec_failed]')" '[2,2]'
	assert_stderr_line --index 0 --regexp '^stream-alert: .*false'
	run --separate-stderr stream-alert -r rules.yaml --exec "$T/no-such-command" --stats in
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_equal "$(stats_of "$stderr" | jq -c '.exec_failed')" 2
	assert_stderr_line --index 0 --regexp '^stream-alert: .*no-such-command'
}

@test "--exec-jobs: at most N commands at once" {
	exec_script slow 'echo "start $$" >>"$1/log"; cat >/dev/null; sleep 0.3; echo "end $$" >>"$1/log"'
	match_rules
	{ r 10:00:01 '"e":"x"'; r 10:00:02 '"e":"x"'; r 10:00:03 '"e":"x"'; } >in
	mkdir one three
	run --separate-stderr stream-alert -r rules.yaml --exec "$T/slow $T/one" --exec-jobs 1 in
	assert_success
	assert_equal "$(lines_in one/log)" 6
	run cut -d' ' -f1 one/log
	assert_output $'start\nend\nstart\nend\nstart\nend'
	run --separate-stderr stream-alert -r rules.yaml --exec "$T/slow $T/three" --exec-jobs 3 in
	assert_success
	run cut -d' ' -f1 three/log
	assert_output $'start\nstart\nstart\nend\nend\nend'
}

@test "--exec-timeout: a command still running after DUR is killed, said and counted as failed" {
	match_rules
	r 10:00:01 '"e":"x"' >in
	t0=$(now_ms)
	run --separate-stderr stream-alert -r rules.yaml --exec 'sleep 30' --exec-timeout 200ms --stats in
	ms=$(( $(now_ms) - t0 ))
	assert_success
	assert_equal "${#lines[@]}" 1
	test "$ms" -lt 5000 || fail "it took $ms ms"
	test "$ms" -ge 200 || fail "it took $ms ms: the command was not waited for"
	assert_equal "$(stats_of "$stderr" | jq -c '[.exec_started, .exec_failed]')" '[1,1]'
	assert_stderr_line --index 0 --regexp '^stream-alert: .*sleep'
}

# ---------------------------------------------------------------------------
# --max-keys, --late, --lateness

@test "--max-keys: a new key past N evicts the least recently active one, counted as evicted" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: twice
	    type: frequency
	    by: .u
	    window: 1h
	    threshold: 2
	    sample: 0
	EOF
	{ r 10:00:01 '"u":"a"'; r 10:00:02 '"u":"b"'; r 10:00:03 '"u":"c"'; r 10:00:04 '"u":"a"'
	  r 10:00:05 '"u":"c"'; } >in
	run --separate-stderr stream-alert -r rules.yaml --stats in
	assert_success
	run jq -c '[.key.u, .at[17:19]]' <<<"$output"
	assert_output '["a","04"]
["c","05"]'
	assert_equal "$(stats_of "$stderr" | jq -c .evicted)" null
	# with 2 keys at most: c evicts a, then a evicts b; c is still there
	run --separate-stderr stream-alert -r rules.yaml --max-keys 2 --stats in
	assert_success
	run jq -c '[.key.u, .at[17:19]]' <<<"$output"
	assert_output '["c","05"]'
	assert_equal "$(stats_of "$stderr" | jq -c .evicted)" 2
}

@test "--late FILE: late records in the dead letter shape, counted; the file is appended to" {
	match_rules
	echo '{"old":true}' >late
	{ r 10:00:05 '"e":"x"'; r 10:00:01.5 '"e":"x","n":2'; r 10:00:06 '"e":"x"'; } >in
	run --separate-stderr stream-alert -r rules.yaml --late late --stats <in
	assert_success
	run jq -r .at <<<"$output"
	assert_output $'2026-11-25T10:00:05.000Z\n2026-11-25T10:00:06.000Z'
	assert_equal "$(stats_of "$stderr" | jq -c '[.in, .late, .alerts]')" '[3,1,2]'
	run cat late
	assert_output "$(printf '%s\n' '{"old":true}' \
	    '{"error":"late: 2026-11-25T10:00:01.500Z is before the watermark 2026-11-25T10:00:05.000Z","source":"<stdin>","line":2,"raw":"{\"ts\":\"2026-11-25T10:00:01.5Z\",\"e\":\"x\",\"n\":2}"}')"
}

@test "--lateness: a record within the lateness counts, one before the watermark is late" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: two
	    type: threshold
	    agg: count
	    window: 10s
	    threshold: 2
	    op: '>='
	    sample: 0
	EOF
	# watermark after 12: 07 with --lateness 5s; 08 counts, 06 is late
	{ r 10:00:05; r 10:00:12; r 10:00:08; r 10:00:06; r 10:00:30; } >in
	run --separate-stderr stream-alert -r rules.yaml --lateness 5s --stats in
	assert_success
	run jq -c '[.state, .at, .value]' <<<"$output"
	assert_line --index 0 '["firing","2026-11-25T10:00:10.000Z",2]'
	assert_equal "$(stats_of "$stderr" | jq -c .late)" 1
	run --separate-stderr stream-alert -r rules.yaml --stats in
	assert_success
	refute_output --partial '"at":"2026-11-25T10:00:10.000Z"'
	assert_equal "$(stats_of "$stderr" | jq -c .late)" 2
}

# ---------------------------------------------------------------------------
# Time options

@test "--time EXPR picks the event time" {
	match_rules
	printf '%s\n' '{"ts":"2000-01-01T00:00:00Z","at":"2026-11-25T10:00:01Z","e":"x"}' >in
	run --separate-stderr stream-alert -r rules.yaml --time .at in
	assert_success
	assert_equal "$(jq -r .at <<<"$output")" 2026-11-25T10:00:01.000Z
}

@test "--time-unit: numbers in s, ms, us, ns" {
	match_rules
	for u in s:1795600801.5 ms:1795600801500 us:1795600801500000 ns:1795600801500000000; do
		printf '{"at":%s,"e":"x"}\n' "${u#*:}" >in
		run --separate-stderr stream-alert -r rules.yaml --time .at --time-unit "${u%%:*}" in
		assert_success
		assert_equal "$(jq -r .at <<<"$output")" 2026-11-25T10:00:01.500Z
	done
}

@test "--time-format: strings in a strptime format" {
	match_rules
	printf '%s\n' '{"at":"25/11/2026 10:00:01","e":"x"}' >in
	run --separate-stderr stream-alert -r rules.yaml --time .at --time-format '%d/%m/%Y %H:%M:%S' in
	assert_success
	assert_equal "$(jq -r .at <<<"$output")" 2026-11-25T10:00:01.000Z
}

@test "--time-output s and ms: at and the window bounds as epoch numbers; rfc3339 the default" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: f
	    type: frequency
	    window: 1m
	    threshold: 2
	    sample: 0
	EOF
	{ r 10:00:01.250; r 10:00:02; } >in
	run --separate-stderr stream-alert -r rules.yaml --time-output s in
	assert_success
	assert_equal "$(jq -c '[.at, .window]' <<<"$output")" '[1795600802,{"start":1795600742,"end":1795600802}]'
	run --separate-stderr stream-alert -r rules.yaml --time-output ms in
	assert_equal "$(jq -c '[.at, .window]' <<<"$output")" '[1795600802000,{"start":1795600742000,"end":1795600802000}]'
	run --separate-stderr stream-alert -r rules.yaml --time-output rfc3339 in
	assert_equal "$(jq -c '[.at, .window]' <<<"$output")" '["2026-11-25T10:00:02.000Z",{"start":"2026-11-25T09:59:02.000Z","end":"2026-11-25T10:00:02.000Z"}]'
}

@test "--processing-time: arrival time, records need no time; absence fires on a quiet live stream" {
	match_rules
	t0=$(now_ms)
	run --separate-stderr stream-alert -r rules.yaml --processing-time --time-output ms <<<'{"e":"x"}'
	t1=$(now_ms)
	assert_success
	at=$(jq '.at | floor' <<<"$output")
	test "$at" -ge "$((t0 - 50))" && test "$at" -le "$((t1 + 50))" ||
	    fail "at $at is not between $t0 and $t1"
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: quiet
	    type: absence
	    by: .s
	    window: 1s
	EOF
	mkfifo f
	exec 8<>f
	bg stream-alert -r rules.yaml --processing-time <f >out 2>err
	echo '{"s":"a"}' >&8
	wait_lines out 1 4 || fail "no alert within 4 s: $(cat err)"
	run jq -c '[.alert, .state, .key]' out
	assert_output '["quiet","firing",{"s":"a"}]'
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
}

@test "--idle: on a quiet live stream the watermark follows the clock and absence fires while the input is open" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: quiet
	    type: absence
	    by: .s
	    window: 1s
	EOF
	mkfifo f
	exec 8<>f
	bg stream-alert -r rules.yaml --idle 300ms <f >out 2>err
	t0=$(now_ms)
	r 10:00:00 '"s":"a"' >&8
	wait_lines out 1 4 || fail "no alert within 4 s: $(cat err)"
	ms=$(( $(now_ms) - t0 ))
	test "$ms" -ge 900 && test "$ms" -le 2500 || fail "the alert came after $ms ms"
	run cat out
	assert_output "{\"alert\":\"quiet\",\"state\":\"firing\",\"severity\":\"warning\",\"at\":\"$(tm 10:00:01.000)\",\"key\":{\"s\":\"a\"},\"value\":null,\"threshold\":null,\"window\":{\"start\":\"$(tm 10:00:00.000)\",\"end\":\"$(tm 10:00:01.000)\"},\"labels\":{},\"message\":null,\"sample\":[$(r 10:00:00 '"s":"a"')]}"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	assert_file_empty err
}

@test "without --idle a quiet stream fires nothing until the next record" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: quiet
	    type: absence
	    window: 1s
	EOF
	mkfifo f
	exec 8<>f
	bg stream-alert -r rules.yaml <f >out 2>err
	r 10:00:00 >&8
	sleep 1.5
	assert_equal "$(lines_in out)" 0
	r 10:00:05 >&8
	wait_lines out 1 || fail "no alert after the next record"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	# the second record is one of the key's: resolved
	run jq -c '[.state, .at]' out
	assert_output "[\"firing\",\"$(tm 10:00:01.000)\"]
[\"resolved\",\"$(tm 10:00:05.000)\"]"
}

# ---------------------------------------------------------------------------
# --state, --state-every

# type_rules TYPE -- two rules of TYPE (match ... change) for the data of
# scripts/gen-events, such that both fire in both halves of the data of
# state_split
type_rules() {
	case $1 in
	match) cat <<-'Y'
	rules:
	  - name: server-error
	    type: match
	    where: '.status >= 500'
	    by: .geo.country
	    cooldown: 3s
	  - name: big-purchase
	    type: match
	    where: '.event == "purchase" and .bytes > 20000'
	    sample: 0
	Y
	;;
	threshold) cat <<-'Y'
	rules:
	  - name: slow
	    type: threshold
	    by: .geo.country
	    agg: avg(.latency_ms)
	    window: 1s
	    threshold: 70
	    for: 1s
	    keep_firing_for: 1s
	  - name: busy
	    type: threshold
	    where: '.event == "view"'
	    by: [.ua]
	    agg: count
	    window: 2s
	    threshold: 18
	    op: '>='
	    cooldown: 4s
	Y
	;;
	frequency) cat <<-'Y'
	rules:
	  - name: failures
	    type: frequency
	    where: '.event == "login_failed"'
	    by: .geo.country
	    window: 3s
	    threshold: 3
	  - name: errors
	    type: frequency
	    where: '.status >= 500'
	    window: 1s
	    threshold: 4
	    op: '>='
	    cooldown: 2s
	Y
	;;
	absence) cat <<-'Y'
	rules:
	  - name: no-purchase
	    type: absence
	    where: '.event == "purchase"'
	    by: .geo.country
	    window: 2s
	    keys: [DE, US, XX]
	  - name: no-logout
	    type: absence
	    where: '.event == "logout"'
	    by: .ua
	    window: 3s
	    keep_firing_for: 500ms
	Y
	;;
	new_value) cat <<-'Y'
	rules:
	  - name: new-status
	    type: new_value
	    by: .geo.country
	    field: .status
	    learn: 5s
	  - name: new-ua
	    type: new_value
	    where: '.event == "purchase"'
	    by: .geo.country
	    field: .ua
	    learn: 10s
	Y
	;;
	cardinality) cat <<-'Y'
	rules:
	  - name: many-users
	    type: cardinality
	    by: .geo.country
	    field: .user
	    window: 1s
	    threshold: 11
	    keep_firing_for: 500ms
	  - name: many-paths
	    type: cardinality
	    where: '.event == "view"'
	    by: .ua
	    field: .path
	    window: 2s
	    threshold: 20
	Y
	;;
	sequence) cat <<-'Y'
	rules:
	  - name: fail-then-buy
	    type: sequence
	    by: .geo.country
	    window: 3s
	    steps:
	      - where: '.event == "login_failed"'
	        count: 2
	      - where: '.event == "purchase"'
	  - name: login-view-logout
	    type: sequence
	    by: .ua
	    window: 1s
	    steps:
	      - where: '.event == "login"'
	      - where: '.event == "view"'
	        count: 3
	      - where: '.event == "logout"'
	Y
	;;
	spike) cat <<-'Y'
	rules:
	  - name: error-spike
	    type: spike
	    where: '.status >= 400'
	    by: .geo.country
	    window: 1s
	    factor: 3
	    direction: up
	  - name: purchase-bytes
	    type: spike
	    where: '.event == "purchase"'
	    by: .ua
	    agg: sum(.bytes)
	    window: 2s
	    factor: 2
	    keep_firing_for: 1s
	Y
	;;
	change) cat <<-'Y'
	rules:
	  - name: moved
	    type: change
	    by: .user
	    field: .geo.country
	  - name: new-agent
	    type: change
	    where: '.event == "login"'
	    by: .geo.country
	    field: .ua
	    cooldown: 2s
	Y
	;;
	esac
}

# state_split TYPE -- 4000 generated events (40 s, moved by up to 0.3 s)
# through the rules of TYPE with --lateness 500ms: once whole, and in two
# runs over the halves with one --state file; the outputs are the same
# bytes, and so are the state files; both rules fire in both halves
state_split() {
	type_rules "$1" >rules.yaml
	gen -n 4000 --seed 5 --rate 100 --disorder 300 >all
	head -n 2000 all >part1
	tail -n +2001 all >part2
	stream-alert -r rules.yaml --lateness 500ms --state one.state all >one.out 2>one.err
	stream-alert -r rules.yaml --lateness 500ms --state two.state part1 >two.out 2>two.err
	cp two.out first-half.out
	stream-alert -r rules.yaml --lateness 500ms --state two.state part2 >>two.out 2>>two.err
	assert_same_bytes one.out two.out
	assert_same_bytes one.state two.state
	assert_file_empty one.err
	assert_file_empty two.err
	local name
	for name in $(sed -n 's/^  - name: //p' rules.yaml); do
		grep -q "^{\"alert\":\"$name\"" first-half.out || fail "$name does not fire in the first half"
		tail -n +"$(($(lines_in first-half.out) + 1))" two.out | grep -q "^{\"alert\":\"$name\"" ||
		    fail "$name does not fire in the second half"
	done
}

@test "--state: match: two runs over the halves write what one run writes" { state_split match; }
@test "--state: threshold: two runs over the halves write what one run writes" { state_split threshold; }
@test "--state: frequency: two runs over the halves write what one run writes" { state_split frequency; }
@test "--state: absence: two runs over the halves write what one run writes" { state_split absence; }
@test "--state: new_value: two runs over the halves write what one run writes" { state_split new_value; }
@test "--state: cardinality: two runs over the halves write what one run writes" { state_split cardinality; }
@test "--state: sequence: two runs over the halves write what one run writes" { state_split sequence; }
@test "--state: spike: two runs over the halves write what one run writes" { state_split spike; }
@test "--state: change: two runs over the halves write what one run writes" { state_split change; }

@test "--state: end of input is a pause: open windows are saved, not closed, and absence is not judged" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: any
	    type: threshold
	    agg: count
	    window: 1m
	    threshold: 0
	    sample: 0
	EOF
	r 10:00:10 >in1
	run --separate-stderr stream-alert -r rules.yaml --state s in1
	assert_success
	assert_output ''
	assert_file_exists s
	run head -n 1 s
	assert_output '{"state":1,"tool":"stream-alert"}'
	r 10:01:10 >in2
	run --separate-stderr stream-alert -r rules.yaml --state s in2
	assert_success
	assert_equal "$(jq -c '[.state, .at, .value]' <<<"$output")" '["firing","2026-11-25T10:01:00.000Z",1]'
	# without --state the window closes at the end
	run --separate-stderr stream-alert -r rules.yaml in1
	assert_equal "$(jq -c '[.state, .at, .value]' <<<"$output")" '["firing","2026-11-25T10:01:00.000Z",1]'
}

@test "--state: a restart does not flood: cooldowns, learned values and the watermark survive" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: m
	    type: match
	    where: '.e == "x"'
	    cooldown: 1h
	    sample: 0
	  - name: nv
	    type: new_value
	    field: .v
	    sample: 0
	EOF
	{ r 10:00:00 '"e":"x","v":1'; r 10:00:10 '"v":2'; } >in1
	run --separate-stderr stream-alert -r rules.yaml --state s in1
	assert_success
	run jq -c '[.alert, .at[11:19]]' <<<"$output"
	assert_output '["m","10:00:00"]
["nv","10:00:00"]
["nv","10:00:10"]'
	{ r 10:00:05 '"e":"x","v":3'; r 10:10:00 '"e":"x","v":1'; r 10:10:01 '"v":2'; r 10:10:02 '"v":4'; } >in2
	run --separate-stderr stream-alert -r rules.yaml --state s --stats in2
	assert_success
	run jq -c '[.alert, .at[11:19]]' <<<"$output"
	assert_output '["nv","10:10:02"]'
	assert_equal "$(stats_of "$stderr" | jq -c '[.late, .suppressed]')" '[1,1]'
}

@test "--state: a rule changed between runs starts fresh, with a note; the others keep their state" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: kept
	    type: frequency
	    where: '.e == "a"'
	    window: 1h
	    threshold: 3
	    sample: 0
	  - name: changed
	    type: frequency
	    where: '.e == "b"'
	    window: 1h
	    threshold: 3
	    sample: 0
	EOF
	{ r 10:00:00 '"e":"a"'; r 10:00:01 '"e":"a"'; r 10:00:02 '"e":"b"'; r 10:00:03 '"e":"b"'; } >in1
	run --separate-stderr stream-alert -r rules.yaml --state s in1
	assert_success
	assert_output ''
	sed -i 's/threshold: 3$/threshold: 2/; 2,6s/threshold: 2$/threshold: 3/' rules.yaml
	grep -A4 'name: changed' rules.yaml | grep -q 'threshold: 2'
	{ r 10:00:04 '"e":"a"'; r 10:00:05 '"e":"b"'; } >in2
	run --separate-stderr stream-alert -r rules.yaml --state s in2
	assert_success
	assert_equal "$(jq -c '[.alert, .value]' <<<"$output")" '["kept",3]'
	assert_stderr --regexp "^stream-alert: .*changed"
}

@test "--state: a missing file is a first run; a damaged one is refused (exit 2) and kept" {
	match_rules
	r 10:00:00 '"e":"x"' >in
	run --separate-stderr stream-alert -r rules.yaml --state new.state in
	assert_success
	assert_file_exists new.state
	printf 'garbage\n' >>new.state
	cp new.state before
	run --separate-stderr stream-alert -r rules.yaml --state new.state in
	assert_failure 2
	assert_output ''
	assert_stderr --regexp '^stream-alert: .*new\.state'
	assert_same_bytes before new.state
}

@test "--state, SIGTERM: the state is saved at a signal too" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: f
	    type: frequency
	    window: 1h
	    threshold: 2
	    sample: 0
	EOF
	mkfifo f
	exec 8<>f
	bg stream-alert -r rules.yaml --state s <f >out 2>err
	r 10:00:00 >&8
	sleep 0.3
	kill -TERM "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
	r 10:00:01 >in2
	run --separate-stderr stream-alert -r rules.yaml --state s in2
	assert_equal "$(jq -c '[.alert, .value]' <<<"$output")" '["f",2]'
}

@test "--state-every: the state is saved while the pipe runs" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: f
	    type: frequency
	    window: 1h
	    threshold: 5
	EOF
	mkfifo f
	exec 8<>f
	bg stream-alert -r rules.yaml --state s --state-every 200ms <f >out 2>err
	r 10:00:10 '"u":1' >&8
	wait_grep s '"rule":"f"' 3 || fail "no state saved within 3 s"
	run head -n 1 s
	assert_output '{"state":1,"tool":"stream-alert"}'
	kill -TERM "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
}

@test "--state-every: needs --state; a bad duration is a usage error" {
	match_rules
	run --separate-stderr stream-alert -r rules.yaml --state-every 1s </dev/null
	assert_failure 2
	assert_stderr --partial -- '--state-every'
	run --separate-stderr stream-alert -r rules.yaml --state s --state-every soon </dev/null
	assert_failure 2
	assert_stderr --partial -- '--state-every'
}

# ---------------------------------------------------------------------------
# SIGHUP: reload the rules

# hup_rules THRESHOLD_OF_OTHER -- ./rules.yaml: "mark" (match on .e ==
# "mark", to see that records went through), "burst" (5 of .e == "f" in
# 1h) and "other" (THRESHOLD of .e == "g" in 1h)
hup_rules() {
	cat >rules.new <<-EOF
	rules:
	  - name: mark
	    type: match
	    where: '.e == "mark"'
	    sample: 0
	  - name: burst
	    type: frequency
	    where: '.e == "f"'
	    window: 1h
	    threshold: 5
	    sample: 0
	  - name: other
	    type: frequency
	    where: '.e == "g"'
	    window: 1h
	    threshold: $1
	    sample: 0
	EOF
	mv rules.new rules.yaml
}

# feed HH:MM:SS MEMBERS -- write a record to the FIFO on descriptor 8
feed() {
	r "$1" "$2" >&8
}

@test "SIGHUP: the rules are reloaded; an unchanged rule keeps its state, a changed one starts fresh" {
	hup_rules 2
	mkfifo f
	exec 8<>f
	bg stream-alert -r rules.yaml <f >out 2>err
	feed 10:00:01 '"e":"f"'; feed 10:00:02 '"e":"f"'; feed 10:00:03 '"e":"f"'
	feed 10:00:04 '"e":"g"'; feed 10:00:05 '"e":"mark"'
	wait_lines out 1 || fail "the first records did not go through: $(cat err)"
	hup_rules 3
	kill -HUP "$BG"
	wait_grep err 'reloaded' || fail "no message on stderr: $(cat err)"
	run cat err
	assert_output 'stream-alert: rules.yaml: reloaded 3 rules (2 kept their state)'
	# burst: 3 + 2 = 5 fires at the second "f"; other starts again from 0
	feed 10:00:06 '"e":"f"'; feed 10:00:07 '"e":"g"'; feed 10:00:08 '"e":"f"'
	feed 10:00:09 '"e":"g"'; feed 10:00:10 '"e":"mark"'
	wait_lines out 3 || fail "the records after the reload did not go through: $(cat err)"
	feed 10:00:11 '"e":"g"'
	wait_lines out 4 || fail "other did not fire at its third record after the reload"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run jq -c '[.alert, .value, .at[17:19]]' out
	assert_output '["mark",null,"05"]
["burst",5,"08"]
["mark",null,"10"]
["other",3,"11"]'
}

@test "SIGHUP: a reload that fails keeps the old rules and their state, and says why" {
	hup_rules 2
	mkfifo f
	exec 8<>f
	bg stream-alert -r rules.yaml <f >out 2>err
	feed 10:00:01 '"e":"g"'; feed 10:00:02 '"e":"mark"'
	wait_lines out 1 || fail "the first records did not go through: $(cat err)"
	cp "$RULES_DIR/bad/unknown-type.yaml" rules.yaml
	kill -HUP "$BG"
	wait_grep err 'reload failed' || fail "no message on stderr: $(cat err)"
	run cat err
	assert_output "stream-alert: rules.yaml: reload failed, keeping 3 rules: rules.yaml:4:11: unknown rule type 'frequncy' (did you mean 'frequency'?)"
	feed 10:00:03 '"e":"g"'
	wait_lines out 2 || fail "the old rules did not go on"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run jq -c '[.alert, .value]' out
	assert_output '["mark",null]
["other",2]'
}

# ---------------------------------------------------------------------------
# Bad input: --on-error, --dead-letter

# bad_input -- ./rules.yaml: m (match .e == "x") and two rules whose where
# fails on a string .n; ./in: good, where error, invalid JSON, no time,
# good
bad_input() {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: m
	    type: match
	    where: '.e == "x"'
	    sample: 0
	  - name: plus
	    type: match
	    where: '(.n + 1) > 100'
	    sample: 0
	  - name: minus
	    type: match
	    where: '((.n // 0) - 1) > 100'
	    sample: 0
	EOF
	{
		r 10:00:01 '"e":"x"'
		r 10:00:02 '"e":"y","n":"a"'
		printf '%s\n' '{"ts":"2026-11-25T10:00:03Z","e":"x"'
		printf '%s\n' '{"e":"x"}'
		r 10:00:05 '"e":"x"'
	} >in
	GOOD=$'2026-11-25T10:00:01.000Z\n2026-11-25T10:00:05.000Z'
}

@test "--on-error warn (the default): bad JSON, no time, a where that fails: skipped, one message each, counted" {
	bad_input
	for mode in warn default; do
		if test "$mode" = default; then
			run --separate-stderr stream-alert -r rules.yaml --stats in
		else
			run --separate-stderr stream-alert -r rules.yaml --on-error warn --stats in
		fi
		assert_success
		assert_equal "$(jq -r .at <<<"$output")" "$GOOD"
		assert_equal "${#stderr_lines[@]}" 4
		assert_stderr_line --index 0 --regexp '^stream-alert: in:2: .*cannot be added'
		assert_stderr_line --index 1 --regexp '^stream-alert: in:3: invalid JSON at column [0-9]+: '
		assert_stderr_line --index 2 --regexp '^stream-alert: in:4: no usable time: '
		assert_equal "$(stats_of "$stderr" | jq -c '[.in, .bad, .alerts]')" '[5,3,2]'
	done
}

@test "--on-error skip: skipped silently, counted" {
	bad_input
	run --separate-stderr stream-alert -r rules.yaml --on-error skip --stats in
	assert_success
	assert_equal "$(jq -r .at <<<"$output")" "$GOOD"
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$(stats_of "$stderr" | jq -c '[.in, .bad, .alerts]')" '[5,3,2]'
}

@test "--on-error fail: exit 1 at the first bad record, after what came before" {
	bad_input
	run --separate-stderr stream-alert -r rules.yaml --on-error fail in
	assert_failure 1
	assert_equal "$(jq -r .at <<<"$output")" 2026-11-25T10:00:01.000Z
	assert_stderr --regexp '^stream-alert: in:2: .*cannot be added'
}

@test "--dead-letter: every bad record, its error, source, line and raw text" {
	bad_input
	run --separate-stderr stream-alert -r rules.yaml --on-error skip --dead-letter dl in
	assert_success
	assert_equal "$(lines_in dl)" 3
	python3 - <<-'EOF'
	import json
	raw = open("in", encoding="utf-8").read().split("\n")
	got = [json.loads(l) for l in open("dl", encoding="utf-8")]
	assert [list(d) for d in got] == [["error", "source", "line", "raw"]] * 3, got
	assert [d["line"] for d in got] == [2, 3, 4], got
	for d in got:
	    assert d["source"] == "in", d
	    assert d["raw"] == raw[d["line"] - 1], d
	assert "cannot be added" in got[0]["error"], got[0]
	assert got[1]["error"].startswith("invalid JSON"), got[1]
	assert got[2]["error"].startswith("no usable time"), got[2]
	EOF
}

@test "--max-line: a longer line is a bad record, the rest goes on" {
	match_rules
	{ r 10:00:01 '"e":"x"'; r 10:00:02 '"e":"x","pad":"0123456789012345678901234567890123456789"'; r 10:00:03 '"e":"x"'; } >in
	run --separate-stderr stream-alert -r rules.yaml --max-line 64 --stats in
	assert_success
	assert_equal "$(jq -r .at <<<"$output")" $'2026-11-25T10:00:01.000Z\n2026-11-25T10:00:03.000Z'
	assert_stderr_line --index 0 'stream-alert: in:2: line longer than --max-line (64 bytes)'
	assert_equal "$(stats_of "$stderr" | jq -c .bad)" 1
}

# ---------------------------------------------------------------------------
# --stats, -u, operands, signals, closed stdout

@test "--stats: one JSON line at exit, with alerts and suppressed" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: m
	    type: match
	    cooldown: 1m
	    sample: 0
	EOF
	{ r 10:00:00; r 10:00:10; echo 'oops'; r 10:00:05; r 10:01:30; } >in
	run --separate-stderr stream-alert -r rules.yaml --stats --on-error skip in
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_equal "${#stderr_lines[@]}" 1
	run jq -c 'keys_unsorted' <<<"$stderr"
	assert_output '["tool","in","out","bad","late","alerts","suppressed","elapsed_s"]'
	run stats_of "$stderr"
	assert_output '{"tool":"stream-alert","in":5,"out":2,"bad":1,"late":1,"alerts":2,"suppressed":1}'
	run jq -e '.elapsed_s | type == "number" and . >= 0 and . < 60' <<<"$stderr"
	assert_success
}

@test "-u and --unbuffered: each alert comes out at once" {
	match_rules
	for u in -u --unbuffered; do
		rm -f f out
		mkfifo f
		exec 8<>f
		bg stream-alert "$u" -r rules.yaml <f >out 2>err
		r 10:00:01 '"e":"x"' >&8
		wait_lines out 1 || fail "$u: the alert did not come out"
		exec 8>&-
		wait_exit "$BG"
		assert_equal "$status" 0
	done
}

@test "-r and --rules: FILE operands are read in order, - is stdin, messages name the file" {
	match_rules
	r 10:00:01 '"e":"x"' >a.ndjson
	printf 'oops\n' >>a.ndjson
	r 10:00:02 '"e":"x"' >stdin.ndjson
	r 10:00:03 '"e":"x"' >b.ndjson
	run --separate-stderr stream-alert --rules rules.yaml a.ndjson - b.ndjson <stdin.ndjson
	assert_success
	assert_equal "$(jq -r .at[17:19] <<<"$output" | tr '\n' ' ')" '01 02 03 '
	assert_stderr "stream-alert: a.ndjson:2: invalid JSON at column 1: unexpected 'o'"
}

@test "SIGTERM and SIGINT: stop reading, end as at end of input (windows close), exit 0" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: any
	    type: threshold
	    agg: count
	    window: 1m
	    threshold: 0
	    sample: 0
	EOF
	for sig in TERM INT; do
		rm -f f out
		mkfifo f
		exec 8<>f
		bg stream-alert -r rules.yaml --stats <f >out 2>err
		r 10:00:01 >&8
		sleep 0.3
		kill -"$sig" "$BG"
		wait_exit "$BG"
		assert_equal "$status" 0
		assert_equal "$(jq -c '[.state, .at]' out)" '["firing","2026-11-25T10:01:00.000Z"]'
		assert_equal "$(stats_of "$(cat err)" | jq -c '[.in, .alerts]')" '[1,1]'
		exec 8>&-
	done
}

@test "a closed stdout ends it quietly" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: every
	    type: match
	EOF
	run --separate-stderr sh -c 'stream-alert -r rules.yaml "$1" | head -n 1' sh "$RULES_DIR/background.ndjson"
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_stderr ''
}

# ---------------------------------------------------------------------------
# --help, --version, usage errors

@test "-h and --help: the usage is the SYNOPSIS of the man page, and fits on one screen" {
	run --separate-stderr stream-alert --help
	assert_success
	assert_stderr ''
	test "${#lines[@]}" -le 24 || fail "--help is ${#lines[@]} lines"
	usage=$(printf '%s\n' "${lines[@]}" | awk 'NR == 1 || (u && /^ /) { u = 1; print; next } { u = 0 }' |
	    tr -s ' \t\n' ' ' | tr '[:lower:]' '[:upper:]' | sed 's/ \.\.\./.../g; s/ $//')
	synopsis=$(mandoc -T ascii -O width=200 "$ROOT/man/stream-alert.1" 2>/dev/null |
	    col -b | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
	    tr -s ' \t\n' ' ' | tr '[:lower:]' '[:upper:]' |
	    sed 's/ \.\.\./.../g; s/^ //; s/ $//')
	test -n "$synopsis" || skip "mandoc cannot render the page"
	assert_equal "$usage" "USAGE: $synopsis"
	run stream-alert -h
	assert_success
	assert_line --index 0 --partial 'usage: stream-alert [-huV]'
}

@test "-h and --help: the usage has every option of the design" {
	run --separate-stderr stream-alert --help
	assert_success
	for o in '[-huV]' '-r RULES' '[--check]' '[--test FILE]...' '[--exec CMD]' \
	    '[--exec-jobs N]' '[--exec-timeout DUR]' '[--max-keys N]' '[--time EXPR]' \
	    '[--time-unit UNIT]' '[--time-format FMT]' '[--processing-time]' \
	    '[--time-output FMT]' '[--lateness DUR]' '[--late FILE]' '[--idle DUR]' \
	    '[--state FILE]' '[--state-every DUR]' '[--on-error MODE]' \
	    '[--dead-letter FILE]' '[--stats]' '[--max-line SIZE]' '[FILE...]'; do
		assert_output --partial -- "$o"
	done
}

@test "-h and --help: every option of the usage has a test of its own in this file" {
	run --separate-stderr stream-alert --help
	opts=$(printf '%s\n' "${lines[@]}" | awk 'NR == 1 || (u && /^ /) { u = 1; print; next } { u = 0 }' |
	    grep -o -- '--[a-z-]*' | sort -u)
	test -n "$opts"
	for o in $opts -r -h -u -V; do
		grep -q -- "^@test \"[^\"]*$o[ :,]" "$BATS_TEST_FILENAME" ||
		    fail "no test is named after $o"
	done
}

@test "-V and --version print the version and exit 0" {
	for v in -V --version; do
		run --separate-stderr stream-alert "$v"
		assert_success
		assert_output --regexp '^stream-alert .*[0-9]+\.[0-9]+\.[0-9]+$'
	done
}

# usage_error RE -- the last run was a usage error: status 2, nothing on
# stdout, a first line on stderr "stream-alert: ..." matching RE
usage_error() {
	assert_failure 2
	assert_output ''
	assert_stderr_line --index 0 --regexp "^stream-alert: .*$1"
}

# sa ARGS... -- run stream-alert ARGS on one record, with ./rules.yaml
sa() {
	match_rules
	run --separate-stderr stream-alert "$@" <<<'{"ts":"2026-11-25T10:00:00Z","e":"x"}'
}

@test "usage error: no -r" {
	sa
	usage_error '(-r|--rules)'
	sa --stats
	usage_error '(-r|--rules)'
}

@test "usage error: an unknown option" {
	sa -r rules.yaml --bogus
	usage_error '--bogus'
}

@test "usage error: bad durations for --idle, --lateness, --exec-timeout, --state-every" {
	local o d
	for o in --idle --lateness --exec-timeout --state-every; do
		for d in 1x -1s '' 5m-; do
			sa -r rules.yaml --state s "$o" "$d"
			usage_error "$o"
		done
	done
}

@test "usage error: bad values for --exec-jobs, --max-keys, --time-unit, --time-output, --on-error, --max-line" {
	sa -r rules.yaml --exec-jobs 0
	usage_error '--exec-jobs'
	sa -r rules.yaml --exec-jobs x
	usage_error '--exec-jobs'
	sa -r rules.yaml --max-keys x
	usage_error '--max-keys'
	sa -r rules.yaml --max-keys -1
	usage_error '--max-keys'
	sa -r rules.yaml --time-unit h
	usage_error '--time-unit'
	sa -r rules.yaml --time-output iso
	usage_error '--time-output'
	sa -r rules.yaml --on-error ignore
	usage_error '--on-error'
	sa -r rules.yaml --max-line lots
	usage_error '--max-line'
	sa -r rules.yaml --time '.ts +'
	assert_failure 2
	assert_output ''
}

@test "usage error: an empty --exec command" {
	sa -r rules.yaml --exec ''
	usage_error '--exec'
}

@test "threshold: an aggregate of any jq expression, not only a path, loads and runs" {
	cat >rules.yaml <<-'EOF'
	rules:
	  - name: long
	    type: threshold
	    agg: max(.s | length)
	    window: 1m
	    threshold: 2
	    sample: 0
	EOF
	run stream-alert -r rules.yaml --check
	assert_success
	printf '%s\n' '{"ts":1,"s":"abc"}' '{"ts":100,"s":"a"}' >in
	run --separate-stderr stream-alert -r rules.yaml --time-unit s in
	assert_success
	run jq -c '[.state, .value]' <<<"$output"
	assert_output '["firing",3]
["resolved",1]'
}
