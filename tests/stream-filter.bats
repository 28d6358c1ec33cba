#!/usr/bin/env bats
# stream-filter(1): one test per option and behaviour of the man page.
# Bad input of every kind, under each --on-error mode, is in
# filter-errors.bats; comparisons with jq 1.6 are in filter-diff.bats.

load helper

# usage_error TEXT -- the last run was a usage error that mentions TEXT
usage_error() {
	assert_failure 2
	assert_output ''
	assert_stderr_line --index 0 --regexp '^stream-filter: '
	assert_stderr --partial "$1"
	assert_stderr --partial 'usage: stream-filter'
}

# numbered N -- N records {"i":0} .. {"i":N-1}
numbered() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "{\"i\":%d}\n", i }'
}

# pick N... -- lines N... of ./in, in order
pick() {
	local n
	for n in "$@"; do
		sed -n "${n}p" in
	done
}

# keys K... -- one record {"k":"K"} per argument
keys() {
	local k
	for k in "$@"; do
		printf '{"k":"%s"}\n' "$k"
	done
}

# ---------------------------------------------------------------------------
# Records in, records out

@test "records the program leaves unchanged (.) are written byte for byte" {
	stream-filter . "$FIX/tricky.ndjson" >out 2>err
	assert_same_bytes "$FIX/tricky.ndjson" out
	assert_file_empty err
}

@test "records kept by select() on the fast path are written byte for byte" {
	# type-independent condition that the scanner runs alone
	stream-filter 'select(. != false)' "$FIX/tricky.ndjson" >out 2>err
	assert_same_bytes "$FIX/tricky.ndjson" out
	assert_file_empty err
}

@test "records kept by select() in libjq are written byte for byte" {
	grep -v '^null$' "$FIX/tricky.ndjson" >expect
	stream-filter 'select(type != "null" and (tostring | length) > 0)' \
	    "$FIX/tricky.ndjson" >out 2>err
	assert_same_bytes expect out
	assert_file_empty err
}

@test "64-bit integers pass through select() unrounded" {
	printf '%s\n' '{"id":9007199254740993}' '{"id":1}' \
	    '{"id":18446744073709551615}' >in
	run --separate-stderr stream-filter 'select(.id > 2)' in
	assert_success
	assert_output $'{"id":9007199254740993}\n{"id":18446744073709551615}'
	assert_stderr ''
}

@test "generated events pass through . unchanged, big ids included" {
	gen -n 3000 --seed 7 >in
	grep -q '"id":9007199254740993,' in	# the generator made big ids
	stream-filter . in >out
	assert_same_bytes in out
}

@test "a simple path prints numbers as jq -c does, integers in full" {
	printf '%s\n' '{"n": 1.50}' '{"n":1e2}' '{"n":-0.0}' '{"n":2.5E-3}' \
	    '{"n":9007199254740993}' '{"n":18446744073709551615}' \
	    '{"n":-9223372036854775809}' '{"n":100000000000000000000000}' >in
	run --separate-stderr stream-filter .n in
	assert_success
	assert_output "$(printf '%s\n' 1.5 100 -0 0.0025 9007199254740993 \
	    18446744073709551615 -9223372036854775809 100000000000000000000000)"
	assert_stderr ''
}

@test "a nested path prints its value compactly, as jq -c does" {
	printf '%s\n' '{"a" : { "b" : { "c" : [ 1.0 , 2E1 ] , "d" : { } } } }' >in
	run --separate-stderr stream-filter .a.b in
	assert_success
	assert_output '{"c":[1,20],"d":{}}'
	assert_stderr ''
}

@test "an object of simple paths prints as jq -c does, integers in full" {
	printf '%s\n' '{ "b" : 1.50 , "a" : [1, 2 ,3] , "c": 1, "id": 9007199254740993}' >in
	run --separate-stderr stream-filter '{a, b, id, x: .c}' in
	assert_success
	assert_output '{"a":[1,2,3],"b":1.5,"id":9007199254740993,"x":1}'
	assert_stderr ''
}

@test "a projected string is escaped as jq -c does" {
	printf '%s\n' '{"s":"caf\u00e9 \/ \"q\" \t \u001f \ud83d\ude00"}' >in
	run --separate-stderr stream-filter '.s, {s}' in
	jq -c '.s, {s}' in >expect
	assert_output "$(cat expect)"
	assert_output "$(printf '"caf\303\251 / \\"q\\" \\t \\u001f \360\237\230\200"\n{"s":"caf\303\251 / \\"q\\" \\t \\u001f \360\237\230\200"}')"
}

@test "other programs print what jq -c prints" {
	printf '%s\n' '{"n":1.50,"e":1e2,"id":9007199254740993,"s":"caf\u00e9"}' \
	    '{"n":2,"e":0.5,"id":1,"s":"x"}' >in
	prog='[.n, .e, .id, .s], (.n + 1), {s, sum: (.n + .e)}, keys'
	jq -c "$prog" in >expect
	stream-filter "$prog" in >out
	assert_same_bytes expect out
}

@test "each output of a program is one line" {
	printf '%s\n' '{"a":1,"b":[2,3]}' >in
	run --separate-stderr stream-filter '.a, .b, .b[]' in
	assert_success
	assert_output $'1\n[2,3]\n2\n3'
	assert_stderr ''
}

@test "a program with no output writes nothing" {
	printf '%s\n' '{"a":1}' '{"a":2}' >in
	run --separate-stderr stream-filter empty in
	assert_success
	assert_output ''
	assert_stderr ''
}

@test "scalars and arrays are records too" {
	printf '%s\n' '1' '"s"' 'null' '[1,2]' 'true' >in
	run --separate-stderr stream-filter -c '[type]' in
	assert_success
	assert_output $'["number"]\n["string"]\n["null"]\n["array"]\n["boolean"]'
	assert_stderr ''
}

@test "CRLF line endings become LF, inner escapes stay" {
	printf '{"a": 1}\r\n{"b":"x\\r"}\r\n' >in
	printf '{"a": 1}\n{"b":"x\\r"}\n' >expect
	stream-filter . in >out
	assert_same_bytes expect out
}

@test "CRLF line endings are dropped before the program runs" {
	printf '{"a": 1.50}\r\n{"a":"s"}\r\n' >in
	run --separate-stderr stream-filter '.a' in
	assert_success
	assert_output $'1.5\n"s"'
	assert_stderr ''
}

@test "a UTF-8 BOM on the first line is ignored" {
	printf '\357\273\277{"a": 1}\n{"b":2}\n' >in
	printf '{"a": 1}\n{"b":2}\n' >expect
	stream-filter . in >out 2>err
	assert_same_bytes expect out
	assert_file_empty err
}

@test "a UTF-8 BOM after the first line is a bad record" {
	printf '{"a":1}\n\357\273\277{"b":2}\n{"c":3}\n' >in
	run --separate-stderr stream-filter . in
	assert_success
	assert_output $'{"a":1}\n{"c":3}'
	assert_stderr --regexp '^stream-filter: in:2: invalid JSON at column 1: '
	assert_equal "${#stderr_lines[@]}" 1
}

@test "blank lines are skipped and not counted as input" {
	printf '\n\n{"a":1}\n\n\r\n{"b":2}\n\n' >in
	run --separate-stderr stream-filter --stats . in
	assert_success
	assert_output $'{"a":1}\n{"b":2}'
	run jq -c '[.in, .out, .bad]' <<<"$stderr"
	assert_output '[2,2,0]'
}

@test "a last line without a newline is read and written with one" {
	printf '{"a":1}\n{"b": 2}' >in
	printf '{"a":1}\n{"b": 2}\n' >expect
	stream-filter . in >out
	assert_same_bytes expect out
}

@test "a 10 MB line passes through byte for byte" {
	python3 -c 'import sys; sys.stdout.write("{\"s\":\"" + "x" * 10485760 + "\",\"n\":1.0}\n")' >in
	stream-filter 'select(.n == 1)' in >out
	assert_same_bytes in out
}

@test "FILE operands are read in order, - is stdin" {
	printf '%s\n' '{"f":"a"}' >a
	printf '%s\n' '{"f":"c"}' >c
	run --separate-stderr stream-filter .f a - c <<<'{"f":"stdin"}'
	assert_success
	assert_output $'"a"\n"stdin"\n"c"'
	assert_stderr ''
}

@test "no FILE operand reads stdin" {
	run --separate-stderr stream-filter .f <<<'{"f":1}'
	assert_success
	assert_output '1'
	assert_stderr ''
}

@test "the same input gives the same output bytes" {
	gen -n 2000 --seed 3 >in
	stream-filter '{user, n: (.latency_ms // 0 | . * 3)}, select(.status >= 500)' in >out1
	stream-filter '{user, n: (.latency_ms // 0 | . * 3)}, select(.status >= 500)' in >out2
	assert_same_bytes out1 out2
	assert_file_not_empty out1
}

# ---------------------------------------------------------------------------
# jq options

@test "-c is accepted and changes nothing" {
	stream-filter -c . "$FIX/tricky.ndjson" >out
	assert_same_bytes "$FIX/tricky.ndjson" out
	printf '%s\n' '{"a": [1, {"b" : 2}]}' >in
	run --separate-stderr stream-filter -c '[.a[1]]' in
	assert_success
	assert_output '[{"b":2}]'
}

@test "-r writes strings raw and other values as JSON" {
	printf '%s\n' '{"s":"a\tb\u00e9"}' '{"s":1.50}' '{"s":{"x":"y"}}' \
	    '{"s":null}' '{"s":"l1\nl2"}' >in
	run --separate-stderr stream-filter -r .s in
	assert_success
	assert_output "$(printf 'a\tb\303\251\n1.5\n{"x":"y"}\nnull\nl1\nl2')"
	assert_stderr ''
}

@test "-n N stops after N output lines" {
	numbered 5 >in
	run --separate-stderr stream-filter -n 2 . in
	assert_success
	assert_output $'{"i":0}\n{"i":1}'
	assert_stderr ''
}

@test "--limit counts output lines, not records" {
	numbered 5 >in
	run --separate-stderr stream-filter --limit 3 '.i, .i' in
	assert_success
	assert_output $'0\n0\n1'
	assert_stderr ''
}

@test "-n N stops reading an endless input" {
	run --separate-stderr timeout 10 bash -c \
	    "yes '{\"a\":1}' | stream-filter -n 3 ."
	assert_success
	assert_output $'{"a":1}\n{"a":1}\n{"a":1}'
	assert_stderr ''
}

@test "-n with a bad count is a usage error" {
	run --separate-stderr stream-filter -n abc . </dev/null
	usage_error '-n'
}

@test "-f FILE reads the program from FILE and every operand is input" {
	cat >prog.jq <<-'EOF'
	# failed logins, as user and ip
	select(.event == "login_failed")
	| {user, ip}
	EOF
	printf '%s\n' '{"event":"login_failed","user":"a","ip":"1"}' \
	    '{"event":"login","user":"b","ip":"2"}' >in1
	printf '%s\n' '{"event":"login_failed","user":"c","ip":"3"}' >in2
	run --separate-stderr stream-filter -f prog.jq in1 in2
	assert_success
	assert_output $'{"user":"a","ip":"1"}\n{"user":"c","ip":"3"}'
	assert_stderr ''
}

@test "-f with a missing file is a usage error" {
	run --separate-stderr stream-filter -f nosuch.jq </dev/null
	assert_failure 2
	assert_output ''
	assert_stderr --partial 'nosuch.jq'
}

@test "--arg NAME VALUE binds \$NAME to a string" {
	printf '%s\n' '{"user" : "alice", "n":1.0}' '{"user":"bob"}' \
	    '{"user":"1"}' >in
	run --separate-stderr stream-filter --arg who alice 'select(.user == $who)' in
	assert_success
	assert_output '{"user" : "alice", "n":1.0}'
	run --separate-stderr stream-filter --arg who 1 'select(.user == $who) | .user' in
	assert_output '"1"'
}

@test "--argjson NAME JSON binds \$NAME to a JSON value" {
	printf '%s\n' '{"n":5}' '{"n":50}' >in
	run --separate-stderr stream-filter --argjson lim 10 --argjson o '{"k":[1]}' \
	    'select(.n > $lim) | [., $o]' in
	assert_success
	assert_output '[{"n":50},{"k":[1]}]'
	assert_stderr ''
}

@test "--arg and --argjson values are in \$ARGS.named" {
	run --separate-stderr stream-filter --arg a x --argjson b '{"c":1}' \
	    '$ARGS.named' <<<'{}'
	assert_success
	assert_output '{"a":"x","b":{"c":1}}'
	assert_stderr ''
}

@test "--argjson with invalid JSON is a usage error" {
	run --separate-stderr stream-filter --argjson x '{bad' '$x' </dev/null
	assert_failure 2
	assert_output ''
	assert_stderr --regexp '^stream-filter: '
}

@test "--slurpfile NAME FILE binds \$NAME to an array of FILE's values" {
	printf '1 [2]\n{"x":3}\n"s"\n' >vals
	run --separate-stderr stream-filter --slurpfile s vals '$s' <<<'{}'
	assert_success
	assert_output '[1,[2],{"x":3},"s"]'
	assert_stderr ''
}

@test "--slurpfile with a missing file is a usage error" {
	run --separate-stderr stream-filter --slurpfile s nosuch '$s' </dev/null
	assert_failure 2
	assert_output ''
	assert_stderr --partial 'nosuch'
}

@test "--rawfile NAME FILE binds \$NAME to FILE's text" {
	printf 'hello\n"world"\n' >text
	run --separate-stderr stream-filter --rawfile r text '[$r]' <<<'{}'
	assert_success
	assert_output '["hello\n\"world\"\n"]'
	assert_stderr ''
}

@test "--rawfile with a missing file is a usage error" {
	run --separate-stderr stream-filter --rawfile r nosuch '$r' </dev/null
	assert_failure 2
	assert_output ''
	assert_stderr --partial 'nosuch'
}

# ---------------------------------------------------------------------------
# --sample

@test "--sample P --seed N is deterministic and keeps about P" {
	numbered 10000 >in
	stream-filter --sample 0.1 --seed 42 . in >out1
	stream-filter --sample 0.1 --seed 42 . in >out2
	assert_same_bytes out1 out2
	n=$(lines_in out1)
	test "$n" -ge 850 && test "$n" -le 1150 ||
	    fail "--sample 0.1 kept $n of 10000"
}

@test "--sample keeps input records in order and unchanged" {
	numbered 2000 >in
	stream-filter --sample 0.5 --seed 1 . in >out
	# a subsequence of the input: every line is an input line, in order
	run awk 'BEGIN { n = j = 0 }
	    NR == FNR { want[n++] = $0; next }
	    j < n && $0 == want[j] { j++ }
	    END { if (j < n) { print "not an input line, or out of order: " want[j]; exit 1 } }' out in
	assert_success
	assert_file_not_empty out
}

@test "--sample with another --seed keeps other records" {
	numbered 1000 >in
	stream-filter --sample 0.5 --seed 1 . in >out1
	stream-filter --sample 0.5 --seed 2 . in >out2
	assert_files_not_equal out1 out2
}

@test "--sample without --seed differs from run to run" {
	numbered 1000 >in
	stream-filter --sample 0.5 . in >out1
	stream-filter --sample 0.5 . in >out2
	assert_files_not_equal out1 out2
}

@test "--sample 1 keeps every record" {
	numbered 500 >in
	stream-filter --sample 1 --seed 9 . in >out
	assert_same_bytes in out
}

@test "--sample outside 0 < P <= 1 is a usage error" {
	for p in 0 1.5 -0.1 abc ''; do
		run --separate-stderr stream-filter --sample "$p" . </dev/null
		usage_error '--sample'
	done
}

@test "--seed without --sample is a usage error" {
	run --separate-stderr stream-filter --seed 3 . </dev/null
	usage_error '--seed'
}

@test "--seed that is not an integer is a usage error" {
	run --separate-stderr stream-filter --sample 0.5 --seed x . </dev/null
	usage_error '--seed'
}

# ---------------------------------------------------------------------------
# --dedup

@test "--dedup EXPR keeps the first record of each key" {
	printf '%s\n' '{"k":"a","n":1}' '{"k":"b","n":2}' '{"k":"a","n":3}' \
	    '{"k":"c","n":4}' '{"k":"b","n":5}' >in
	run --separate-stderr stream-filter --dedup .k . in
	assert_success
	assert_output $'{"k":"a","n":1}\n{"k":"b","n":2}\n{"k":"c","n":4}'
	assert_stderr ''
}

@test "--dedup compares key values, not their spelling" {
	printf '%s\n' '{"k":1}' '{"k":1.0}' '{"k":"a"}' '{"k":"\u0061"}' \
	    '{"k":{"x":1,"y":[2]}}' '{"k":{ "y":[2], "x":1 }}' '{"k":10}' >in
	run --separate-stderr stream-filter --dedup .k . in
	assert_success
	assert_output $'{"k":1}\n{"k":"a"}\n{"k":{"x":1,"y":[2]}}\n{"k":10}'
	assert_stderr ''
}

@test "--dedup gives records without the key the key null" {
	printf '%s\n' '{"n":1}' '{"k":null,"n":2}' '{"k":0,"n":3}' '{"n":4}' >in
	run --separate-stderr stream-filter --dedup .k . in
	assert_success
	assert_output $'{"n":1}\n{"k":0,"n":3}'
}

@test "--dedup keys the input record, after the program selects it" {
	printf '%s\n' '{"user":"a","n":1,"e":"view"}' \
	    '{"user":"a","n":2,"e":"login"}' '{"user":"b","n":3,"e":"login"}' \
	    '{"user":"a","n":4,"e":"login"}' >in
	run --separate-stderr stream-filter --dedup .user \
	    'select(.e == "login") | {n}' in
	assert_success
	assert_output $'{"n":2}\n{"n":3}'
	assert_stderr ''
}

@test "--dedup drops every output of a duplicate record" {
	printf '%s\n' '{"user":"a","n":1}' '{"user":"a","n":2}' \
	    '{"user":"b","n":3}' >in
	run --separate-stderr stream-filter --dedup .user '.n, .user' in
	assert_success
	assert_output $'1\n"a"\n3\n"b"'
}

@test "--dedup-size N remembers only the last N distinct keys" {
	keys a b a >in1
	run --separate-stderr stream-filter --dedup .k --dedup-size 2 . in1
	assert_success
	assert_output $'{"k":"a"}\n{"k":"b"}'
	keys a b c a >in2
	run --separate-stderr stream-filter --dedup .k --dedup-size 2 . in2
	assert_success
	assert_output $'{"k":"a"}\n{"k":"b"}\n{"k":"c"}\n{"k":"a"}'
}

@test "--dedup remembers 100000 keys by default" {
	awk 'BEGIN { for (i = 0; i <= 100000; i++) printf "{\"k\":%d}\n", i
	    print "{\"k\":100000}"; print "{\"k\":0}"; print "{\"k\":99999}" }' >in
	stream-filter --dedup .k . in >out
	assert_equal "$(lines_in out)" 100002
	run tail -n 1 out
	assert_output '{"k":0}'
}

@test "--dedup-size that is not a positive count is a usage error" {
	for n in 0 -1 x; do
		run --separate-stderr stream-filter --dedup .k --dedup-size "$n" . </dev/null
		usage_error '--dedup-size'
	done
}

@test "--dedup-window DUR drops a key only within DUR of the last kept record" {
	# times in epoch seconds, .ts by default; kept at 100, 110, 120
	printf '%s\n' '{"k":"a","ts":100}' '{"k":"a","ts":105}' \
	    '{"k":"b","ts":106}' '{"k":"a","ts":110}' '{"k":"a","ts":115}' \
	    '{"k":"a","ts":119.999}' '{"k":"a","ts":120}' >in
	run --separate-stderr stream-filter --dedup .k --dedup-window 10s . in
	assert_success
	assert_output "$(pick 1 3 4 7)"
	assert_stderr ''
}

@test "--dedup-window reads RFC 3339 times, offsets and fractions" {
	printf '%s\n' '{"k":"a","ts":"2026-11-25T10:00:00Z"}' \
	    '{"k":"a","ts":"2026-11-25T10:00:59.999Z"}' \
	    '{"k":"a","ts":"2026-11-25T11:01:00+01:00"}' \
	    '{"k":"a","ts":"2026-11-25T10:01:30.5Z"}' \
	    '{"k":"a","ts":"2026-11-25T05:02:00-05:00"}' >in
	run --separate-stderr stream-filter --dedup .k --dedup-window 1m . in
	assert_success
	assert_output "$(pick 1 3 5)"
	assert_stderr ''
}

@test "--dedup-window with a bad duration is a usage error" {
	for d in abc 0s 10 -5s; do
		run --separate-stderr stream-filter --dedup .k --dedup-window "$d" . </dev/null
		usage_error '--dedup-window'
	done
}

@test "--dedup-window or --dedup-size without --dedup is a usage error" {
	run --separate-stderr stream-filter --dedup-window 10s . </dev/null
	usage_error '--dedup'
	run --separate-stderr stream-filter --dedup-size 10 . </dev/null
	usage_error '--dedup'
}

@test "--time EXPR picks the event time" {
	printf '%s\n' '{"k":"a","at":{"t":0}}' '{"k":"a","at":{"t":9}}' \
	    '{"k":"a","at":{"t":10}}' >in
	run --separate-stderr stream-filter --dedup .k --dedup-window 10s \
	    --time .at.t . in
	assert_success
	assert_output "$(pick 1 3)"
	assert_stderr ''
}

@test "--time-unit ms reads epoch milliseconds" {
	printf '%s\n' '{"k":"a","ts":1764064800000}' '{"k":"a","ts":1764064809999}' \
	    '{"k":"a","ts":1764064810000}' >in
	run --separate-stderr stream-filter --dedup .k --dedup-window 10s \
	    --time-unit ms . in
	assert_success
	assert_output "$(pick 1 3)"
	assert_stderr ''
}

@test "--time-unit us reads epoch microseconds" {
	printf '%s\n' '{"k":"a","ts":1764064800000000}' \
	    '{"k":"a","ts":1764064809999999}' '{"k":"a","ts":1764064810000000}' >in
	run --separate-stderr stream-filter --dedup .k --dedup-window 10s \
	    --time-unit us . in
	assert_success
	assert_output "$(pick 1 3)"
	assert_stderr ''
}

@test "--time-unit ns reads epoch nanoseconds" {
	printf '%s\n' '{"k":"a","ts":1764064800000000000}' \
	    '{"k":"a","ts":1764064809999999999}' '{"k":"a","ts":1764064810000000000}' >in
	run --separate-stderr stream-filter --dedup .k --dedup-window 10s \
	    --time-unit ns . in
	assert_success
	assert_output "$(pick 1 3)"
	assert_stderr ''
}

@test "--time-unit s is the default and takes fractions" {
	printf '%s\n' '{"k":"a","ts":1764064800.25}' '{"k":"a","ts":1764064810.2}' \
	    '{"k":"a","ts":1764064810.25}' >in
	run --separate-stderr stream-filter --dedup .k --dedup-window 10s \
	    --time-unit s . in
	assert_success
	assert_output "$(pick 1 3)"
	assert_stderr ''
}

@test "--time-unit with an unknown unit is a usage error" {
	run --separate-stderr stream-filter --dedup .k --dedup-window 10s \
	    --time-unit h . </dev/null
	usage_error '--time-unit'
}

@test "--time-format FMT reads times with strptime" {
	printf '%s\n' '{"k":"a","t":"25/Nov/2026:10:00:00"}' \
	    '{"k":"a","t":"25/Nov/2026:10:00:09"}' \
	    '{"k":"a","t":"25/Nov/2026:10:00:10"}' \
	    '{"k":"a","t":"26/Nov/2026:09:00:00"}' >in
	run --separate-stderr stream-filter --dedup .k --dedup-window 10s \
	    --time .t --time-format '%d/%b/%Y:%H:%M:%S' . in
	assert_success
	assert_output "$(pick 1 3 4)"
	assert_stderr ''
}

@test "--time-format that does not match is no usable time" {
	printf '%s\n' '{"k":"a","t":"25/Nov/2026:10:00:00"}' \
	    '{"k":"b","t":"2026-11-25T10:00:00Z"}' >in
	run --separate-stderr stream-filter --dedup .k --dedup-window 10s \
	    --time .t --time-format '%d/%b/%Y:%H:%M:%S' . in
	assert_success
	assert_output "$(pick 1)"
	assert_stderr --regexp '^stream-filter: in:2: no usable time'
}

@test "--processing-time uses the arrival time" {
	keys a a b >in		# no time in the records at all
	run --separate-stderr stream-filter --dedup .k --dedup-window 1h \
	    --processing-time . in
	assert_success
	assert_output "$(pick 1 3)"
	assert_stderr ''
}

@test "--processing-time lets a key through again after the window" {
	run --separate-stderr bash -c '{ printf "{\"k\":\"a\"}\n"; sleep 1.2;
	    printf "{\"k\":\"a\"}\n{\"k\":\"a\"}\n"; } |
	    stream-filter --dedup .k --dedup-window 500ms --processing-time .'
	assert_success
	assert_output $'{"k":"a"}\n{"k":"a"}'
	assert_stderr ''
}

@test "a record with no usable time under --dedup-window is a bad record" {
	printf '%s\n' '{"k":"a","ts":100}' '{"k":"b"}' '{"k":"c","ts":"soon"}' \
	    '{"k":"d","ts":true}' '{"k":"e","ts":101}' >in
	run --separate-stderr stream-filter --dedup .k --dedup-window 10s . in
	assert_success
	assert_output "$(pick 1 5)"
	assert_stderr_line --index 0 --regexp '^stream-filter: in:2: no usable time'
	assert_stderr_line --index 1 --regexp '^stream-filter: in:3: no usable time'
	assert_stderr_line --index 2 --regexp '^stream-filter: in:4: no usable time'
	assert_equal "${#stderr_lines[@]}" 3
}

@test "--time, --time-unit, --time-format, --processing-time need --dedup-window" {
	run --separate-stderr stream-filter --dedup .k --time .t . </dev/null
	usage_error '--dedup-window'
	run --separate-stderr stream-filter --dedup .k --time-unit ms . </dev/null
	usage_error '--dedup-window'
	run --separate-stderr stream-filter --dedup .k --time-format %s . </dev/null
	usage_error '--dedup-window'
	run --separate-stderr stream-filter --dedup .k --processing-time . </dev/null
	usage_error '--dedup-window'
	run --separate-stderr stream-filter --time .t . </dev/null
	assert_failure 2
}

# ---------------------------------------------------------------------------
# --state

@test "--state FILE carries the dedup memory to the next run" {
	keys a b >in1
	keys b c a d >in2
	run --separate-stderr stream-filter --dedup .k --state st . in1
	assert_success
	assert_output $'{"k":"a"}\n{"k":"b"}'
	assert_file_exists st
	run --separate-stderr stream-filter --dedup .k --state st . in2
	assert_success
	assert_output $'{"k":"c"}\n{"k":"d"}'
	assert_stderr ''
	run --separate-stderr stream-filter --dedup .k --state st . in2
	assert_success
	assert_output ''
}

@test "--state keeps the window times across runs" {
	printf '%s\n' '{"k":"a","ts":100}' >in1
	printf '%s\n' '{"k":"a","ts":105}' '{"k":"a","ts":111}' >in2
	stream-filter --dedup .k --dedup-window 10s --state st . in1 >/dev/null
	run --separate-stderr stream-filter --dedup .k --dedup-window 10s --state st . in2
	assert_success
	assert_output '{"k":"a","ts":111}'
}

@test "--state is replaced atomically, with no temporary file left" {
	keys a b c >in
	stream-filter --dedup .k --state st . in >/dev/null
	stream-filter --dedup .k --state st . in >/dev/null
	run ls -A
	assert_output $'in\nst'
}

@test "--state without --dedup is a usage error" {
	run --separate-stderr stream-filter --state st . </dev/null
	usage_error '--dedup'
	assert_file_not_exists st
}

@test "--state-every DUR saves while records flow, surviving a crash" {
	mkfifo f
	exec 8<>f
	bg stream-filter --dedup .k --state st --state-every 200ms . <f >out 2>err
	keys a >&8
	for i in 1 2 3 4 5 6 7 8; do
		sleep 0.15
		keys "b$i" >&8
	done
	wait_lines out 9 || fail "records did not come out"
	kill -KILL "$BG"		# no save at exit
	keys a new >in2
	run --separate-stderr stream-filter --dedup .k --state st . in2
	assert_success
	assert_output '{"k":"new"}'
}

@test "--state-every DUR saves on wall-clock time while input is idle" {
	mkfifo f
	exec 8<>f
	bg stream-filter --dedup .k --state st --state-every 200ms . <f >out 2>err
	keys a >&8
	wait_lines out 1 || fail "record did not come out"
	sleep 1
	kill -KILL "$BG"		# no save at exit
	keys a new >in2
	run --separate-stderr stream-filter --dedup .k --state st . in2
	assert_success
	assert_output '{"k":"new"}'
}

@test "--state-every without --state is a usage error" {
	run --separate-stderr stream-filter --dedup .k --state-every 1s . </dev/null
	usage_error '--state'
}

@test "--state-every with a bad duration is a usage error" {
	run --separate-stderr stream-filter --dedup .k --state st --state-every x . </dev/null
	usage_error '--state-every'
}

# ---------------------------------------------------------------------------
# --shard

@test "--shard I/N --by EXPR: the N shards partition the input" {
	gen -n 2000 --seed 5 >in
	for i in 0 1 2 3; do
		stream-filter --shard "$i/4" --by .user . in >"shard$i"
		test -s "shard$i" || fail "shard $i/4 is empty"
	done
	sort in >expect
	sort shard0 shard1 shard2 shard3 >got
	assert_same_bytes expect got
	run bash -c 'sort shard0 shard1 shard2 shard3 | uniq -d'
	assert_output ''
}

@test "--shard puts all records with one key in one shard" {
	gen -n 2000 --seed 6 >in
	for i in 0 1 2 3; do
		stream-filter --shard "$i/4" --by .user -r '.user // "(none)"' in |
		    sort -u >"users$i"
	done
	run bash -c 'cat users0 users1 users2 users3 | sort | uniq -d'
	assert_output ''
	assert_equal "$(cat users0 users1 users2 users3 | wc -l | tr -d ' ')" \
	    "$(jq -r '.user // "(none)"' in | sort -u | wc -l | tr -d ' ')"
}

@test "--shard hashes the key's value: equal values, same shard" {
	printf '%s\n' '{"k":1,"p":1}' '{"k":1.0,"p":1}' '{"k":"a","p":2}' \
	    '{"k":"\u0061","p":2}' '{"k":{"x":1,"y":2},"p":3}' \
	    '{"k":{"y":2, "x":1},"p":3}' '{"k":[1,"b"],"p":4}' '{"k":[ 1 , "b" ],"p":4}' >in
	for i in 0 1 2 3 4 5 6; do
		stream-filter --shard "$i/7" --by .k .p in >"p$i"
		# each pair stays together: every p appears 0 or 2 times
		run awk '{ n[$0]++ } END { for (p in n) if (n[p] != 2) print p }' "p$i"
		assert_output ''
	done
	assert_equal "$(sort -u p0 p1 p2 p3 p4 p5 p6 | paste -sd ' ')" '1 2 3 4'
}

@test "--shard maps a key to XXH3_64bits of its canonical JSON mod N" {
	cc -o xxh3 "$FIX/xxh3.c" -lxxhash
	keys=( '"alice"' '"bob"' '"carol"' '42' '-7' 'null' 'true' '"x y"' '[1,2]' '{"a":1,"b":2}' )
	: >in
	for k in "${keys[@]}"; do
		printf '{"k":%s}\n' "$k" >>in
	done
	want=$(./xxh3 5 "${keys[@]}" | paste -sd ' ')
	got=
	while IFS= read -r line; do
		for i in 0 1 2 3 4; do
			n=$(printf '%s\n' "$line" | stream-filter --shard "$i/5" --by .k . | wc -l)
			if test "$n" -eq 1; then
				got="$got${got:+ }$i"
			fi
		done
	done <in
	assert_equal "$got" "$want"
}

@test "--by is evaluated on the input record, before the program" {
	gen -n 500 --seed 8 >in
	stream-filter --shard 1/3 --by .user . in | jq -c .id >expect
	stream-filter --shard 1/3 --by .user .id in >got
	assert_same_bytes expect got
	assert_file_not_empty got
}

@test "--shard 0/1 keeps every record" {
	gen -n 300 --seed 9 >in
	stream-filter --shard 0/1 --by .user . in >out
	assert_same_bytes in out
}

@test "--shard without --by, or --by without --shard, is a usage error" {
	run --separate-stderr stream-filter --shard 0/2 . </dev/null
	usage_error '--by'
	run --separate-stderr stream-filter --by .user . </dev/null
	usage_error '--shard'
}

@test "--shard I/N with I >= N or a malformed value is a usage error" {
	for s in 4/4 5/4 -1/4 1/0 1 a/b 1/2x ''; do
		run --separate-stderr stream-filter --shard "$s" --by .k . </dev/null
		usage_error '--shard'
	done
}

# ---------------------------------------------------------------------------
# Bad records: --on-error, --dead-letter, --max-line

@test "--on-error warn (default) skips a bad record with one message" {
	printf '%s\n' '{"a":1}' '{"a":x}' '{"a":3}' >in
	run --separate-stderr stream-filter . <in
	assert_success
	assert_output $'{"a":1}\n{"a":3}'
	assert_stderr "stream-filter: <stdin>:2: invalid JSON at column 6: unexpected 'x'"
	run --separate-stderr stream-filter --on-error warn . <in
	assert_success
	assert_output $'{"a":1}\n{"a":3}'
	assert_stderr "stream-filter: <stdin>:2: invalid JSON at column 6: unexpected 'x'"
}

@test "a jq runtime error on a record is a bad record with jq's message" {
	msg=$(jq -rn '{"a":5} | try .a.b catch .')
	printf '%s\n' '{"a":{"b":1}}' '{"a":{"b":2}}' '{"a":5}' '{"a":{"b":4}}' >in
	run --separate-stderr stream-filter .a.b <in
	assert_success
	assert_output $'1\n2\n4'
	assert_stderr "stream-filter: <stdin>:3: $msg"
}

@test "messages name the file operand and its physical line number" {
	printf '%s\n' '{"a":1}' >good
	printf '{"a":1}\n\n{"a":x}\n' >bad1
	printf '\n{x}\n' >bad2
	run --separate-stderr stream-filter . good bad1 bad2
	assert_success
	assert_output $'{"a":1}\n{"a":1}'
	assert_stderr_line --index 0 "stream-filter: bad1:3: invalid JSON at column 6: unexpected 'x'"
	assert_stderr_line --index 1 --regexp '^stream-filter: bad2:2: invalid JSON at column 2: '
	assert_equal "${#stderr_lines[@]}" 2
}

@test "up to 10 bad records in a second are all reported" {
	for i in 1 2 3 4 5 6 7 8 9 10; do echo x; done >in
	run --separate-stderr stream-filter . <in
	assert_success
	assert_equal "${#stderr_lines[@]}" 10
	assert_stderr_line --index 9 "stream-filter: <stdin>:10: invalid JSON at column 1: unexpected 'x'"
}

@test "warnings are rate-limited with a count of those not shown" {
	for i in $(seq 100); do echo x; done >in
	run --separate-stderr stream-filter . <in
	assert_success
	for i in 1 2 3 4 5 6 7 8 9 10; do
		assert_stderr_line --index $((i - 1)) \
		    "stream-filter: <stdin>:$i: invalid JSON at column 1: unexpected 'x'"
	done
	shown=0 hidden=0 summaries=0
	for l in "${stderr_lines[@]}"; do
		if [[ $l =~ ^stream-filter:\ \<stdin\>:[0-9]+:\ invalid\ JSON ]]; then
			shown=$((shown + 1))
		elif [[ $l =~ ^stream-filter:\ ([0-9]+)\ more\ bad\ records\ not\ shown$ ]]; then
			hidden=$((hidden + BASH_REMATCH[1]))
			summaries=$((summaries + 1))
		else
			fail "unexpected line: $l"
		fi
	done
	test "$summaries" -ge 1 || fail "no summary line"
	assert_equal "$((shown + hidden))" 100
}

@test "--on-error skip skips bad records silently, but counts them" {
	printf '%s\n' '{"a":1}' '{"a":x}' '{"a":3}' >in
	run --separate-stderr stream-filter --on-error skip . in
	assert_success
	assert_output $'{"a":1}\n{"a":3}'
	assert_stderr ''
	run --separate-stderr stream-filter --on-error skip --stats . in
	run jq -c '[.in, .out, .bad]' <<<"$stderr"
	assert_output '[3,2,1]'
}

@test "--on-error fail stops at the bad record with status 1" {
	printf '%s\n' '{"a":1}' '{"a":2}' '{"a":x}' '{"a":4}' >in
	run --separate-stderr stream-filter --on-error fail . in
	assert_failure 1
	assert_output $'{"a":1}\n{"a":2}'
	assert_stderr "stream-filter: in:3: invalid JSON at column 6: unexpected 'x'"
}

@test "--on-error with an unknown mode is a usage error" {
	run --separate-stderr stream-filter --on-error ignore . </dev/null
	usage_error '--on-error'
}

@test "--dead-letter FILE records each bad record as JSON" {
	printf '%s\n' '{"a":1}' '{"a":x}' '{"a":3}' >in
	run --separate-stderr stream-filter --dead-letter dl . <in
	assert_success
	assert_output $'{"a":1}\n{"a":3}'
	run cat dl
	assert_output '{"error":"invalid JSON at column 6: unexpected '\''x'\''","source":"<stdin>","line":2,"raw":"{\"a\":x}"}'
}

@test "--dead-letter appends to an existing file" {
	echo '{"old":true}' >dl
	printf '%s\n' 'x' >in
	stream-filter --on-error skip --dead-letter dl . in
	run cat dl
	assert_line --index 0 '{"old":true}'
	assert_line --index 1 '{"error":"invalid JSON at column 1: unexpected '\''x'\''","source":"in","line":1,"raw":"x"}'
	assert_equal "${#lines[@]}" 2
}

@test "--max-line SIZE: a longer line is a bad record and the next is read" {
	python3 -c 'print("{\"s\":\"" + "x" * 92 + "\"}"); print("{\"s\":\"" + "x" * 93 + "\"}"); print("{\"a\":1}")' >in
	head -n 1 in >expect
	echo '{"a":1}' >>expect
	stream-filter --max-line 100 . in >out 2>err
	assert_same_bytes expect out
	run cat err
	assert_output 'stream-filter: in:2: line longer than --max-line (100 bytes)'
}

@test "--max-line takes K, M and G suffixes (binary)" {
	python3 -c 'print("{\"s\":\"" + "x" * 1016 + "\"}"); print("{\"s\":\"" + "x" * 1017 + "\"}")' >in
	run --separate-stderr stream-filter --max-line 1K '.s | length' in
	assert_success
	assert_output '1016'
	assert_stderr 'stream-filter: in:2: line longer than --max-line (1024 bytes)'
	run --separate-stderr stream-filter --max-line 1M '.s | length' in
	assert_output $'1016\n1017'
	assert_stderr ''
}

@test "--max-line is 64M by default" {
	python3 -c '
import sys
w = sys.stdout.write
w("{\"t\":1,\"s\":\"" + "x" * (67108864 - 14) + "\"}\n")
w("{\"t\":2,\"s\":\"" + "x" * (67108864 - 13) + "\"}\n")
w("{\"t\":3}\n")' >in
	run --separate-stderr stream-filter .t in
	assert_success
	assert_output $'1\n3'
	assert_stderr 'stream-filter: in:2: line longer than --max-line (67108864 bytes)'
}

@test "--max-line with a bad size is a usage error" {
	for s in 0 abc 1T -1 ''; do
		run --separate-stderr stream-filter --max-line "$s" . </dev/null
		usage_error '--max-line'
	done
}

# ---------------------------------------------------------------------------
# --stats

@test "--stats writes one JSON line of counts to stderr at exit" {
	printf '{"a":1}\n\n{"a":2}\nnot json\n{"a":3}\n\n' >in
	run --separate-stderr stream-filter --stats --on-error skip 'select(.a >= 2)' in
	assert_success
	assert_output $'{"a":2}\n{"a":3}'
	assert_equal "${#stderr_lines[@]}" 1
	err=$stderr
	run jq -c 'keys_unsorted' <<<"$err"
	assert_output '["tool","in","out","bad","late","elapsed_s"]'
	run jq -c 'del(.elapsed_s)' <<<"$err"
	assert_output '{"tool":"stream-filter","in":4,"out":2,"bad":1,"late":0}'
	run jq -e '.elapsed_s | type == "number" and . >= 0 and . < 60' <<<"$err"
	assert_success
}

@test "--stats counts output lines as out" {
	printf '%s\n' '{"a":[1,2,3]}' '{"a":[]}' >in
	run --separate-stderr stream-filter --stats '.a[]' in
	assert_output $'1\n2\n3'
	run jq -c '[.in, .out, .bad]' <<<"$stderr"
	assert_output '[2,3,0]'
}

@test "--stats is also written on SIGUSR1" {
	mkfifo f
	exec 8<>f
	bg stream-filter --stats . <f >out 2>err
	printf '%s\n' '{"a":1}' '{"a":2}' >&8
	wait_lines out 2 || fail "records did not come out"
	kill -USR1 "$BG"
	wait_grep err '"in":2' || fail "no stats line after SIGUSR1"
	run jq -c 'del(.elapsed_s)' err
	assert_output '{"tool":"stream-filter","in":2,"out":2,"bad":0,"late":0}'
	printf '%s\n' '{"a":3}' >&8
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run jq -c '[.in, .out]' err
	assert_output $'[2,2]\n[3,3]'
}

# ---------------------------------------------------------------------------
# Latency and buffering

@test "-u writes a record at once, even while the next is being worked on" {
	mkfifo f
	exec 8<>f
	bg stream-filter -u --argjson n 20000000 \
	    'if .slow then (reduce range(0; $n) as $i (0; . + 1)) else . end' \
	    <f >out 2>err
	printf '{"a":1}\n{"slow":true}\n' >&8	# one write: both lines ready
	wait_lines out 1 2 || fail "first record not written within 2 s"
	run cat out
	assert_output '{"a":1}'
}

@test "--unbuffered: a record comes out before the writer closes" {
	mkfifo f
	exec 8<>f
	bg stream-filter --unbuffered .a <f >out 2>err
	printf '{"a":1}\n' >&8
	wait_lines out 1 2 || fail "record not written within 2 s"
	printf '{"a":2}\n' >&8
	wait_lines out 2 2 || fail "second record not written within 2 s"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output $'1\n2'
}

@test "without -u, each record goes through a pipeline of three within 1 s" {
	mkfifo f
	exec 8<>f
	bg sh -c 'stream-filter . | stream-filter "select(.n > 0)" | stream-filter .n' \
	    <f >out 2>err
	for i in 1 2 3 4 5; do
		printf '{"n":%d}\n' "$i" >&8
		t0=$EPOCHREALTIME
		wait_lines out "$i" 1 || fail "record $i not through within 1 s"
		t1=$EPOCHREALTIME
		echo "record $i: $(( (${t1/./} - ${t0/./}) / 1000 )) ms"
		sleep 0.2
	done
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output $'1\n2\n3\n4\n5'
	assert_file_empty err
}

@test "large output is complete when flushed at exit" {
	numbered 200000 >in
	stream-filter . in >out
	assert_same_bytes in out
}

# ---------------------------------------------------------------------------
# Signals and closed output

@test "SIGTERM: stop reading, flush, exit 0" {
	mkfifo f
	exec 8<>f
	bg stream-filter . <f >out 2>err
	printf '%s\n' '{"a":1}' '{"a":2}' >&8
	sleep 0.3
	kill -TERM "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output $'{"a":1}\n{"a":2}'
	assert_file_empty err
}

@test "SIGINT: stop reading, flush, exit 0" {
	mkfifo f
	exec 8<>f
	bg stream-filter . <f >out 2>err
	printf '%s\n' '{"a":1}' '{"a":2}' >&8
	sleep 0.3
	kill -INT "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output $'{"a":1}\n{"a":2}'
	assert_file_empty err
}

@test "SIGTERM saves --state" {
	mkfifo f
	exec 8<>f
	bg stream-filter --dedup .k --state st . <f >out 2>err
	keys a b >&8
	wait_lines out 2 || fail "records did not come out"
	kill -TERM "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
	keys b c >in2
	run --separate-stderr stream-filter --dedup .k --state st . in2
	assert_success
	assert_output '{"k":"c"}'
}

@test "a closed stdout ends the tool quietly" {
	numbered 300000 >big
	run --separate-stderr bash -c 'stream-filter . big | head -n 1
	    echo "status ${PIPESTATUS[0]}"'
	assert_output $'{"i":0}\nstatus 0'
	assert_stderr ''
}

@test "a closed stdout with SIGPIPE ignored (EPIPE) ends quietly with 0" {
	numbered 300000 >big
	run --separate-stderr bash -c 'trap "" PIPE
	    stream-filter . big | head -n 1; echo "status ${PIPESTATUS[0]}"'
	assert_output $'{"i":0}\nstatus 0'
	assert_stderr ''
}

# ---------------------------------------------------------------------------
# Help, version, exit status

@test "-h writes the usage to stdout and exits 0" {
	run --separate-stderr stream-filter -h
	assert_success
	assert_line --index 0 --regexp '^usage: stream-filter \[-chruV\] '
	assert_stderr ''
	for o in --arg --argjson --slurpfile --rawfile --sample --seed --dedup \
	    --dedup-window --dedup-size --shard --by --time --time-unit \
	    --time-format --processing-time --state --state-every --on-error \
	    --dead-letter --stats --max-line; do
		[[ $output == *"[$o "* || $output == *"[$o]"* ||
		    $output == *" $o "* ]] || fail "--help does not show $o"
	done
}

@test "--help fits on one screen" {
	run --separate-stderr stream-filter --help
	assert_success
	assert_line --index 0 --partial 'usage: stream-filter'
	test "${#lines[@]}" -le 24 || fail "--help is ${#lines[@]} lines"
}

@test "-V prints the version" {
	run --separate-stderr stream-filter -V
	assert_success
	assert_output 'stream-filter (stream toolkit) 0.1.0'
	assert_stderr ''
	run --separate-stderr stream-filter --version
	assert_success
	assert_output 'stream-filter (stream toolkit) 0.1.0'
}

@test "an unreadable FILE is reported, the others are read, exit 1" {
	printf '%s\n' '{"a":1}' >a
	printf '%s\n' '{"b":2}' >b
	run --separate-stderr stream-filter . a nosuch b
	assert_failure 1
	assert_output $'{"a":1}\n{"b":2}'
	assert_stderr 'stream-filter: nosuch: No such file or directory'
}

@test "an unknown option is a usage error" {
	run --separate-stderr stream-filter --bogus . </dev/null
	usage_error '--bogus'
	run --separate-stderr stream-filter -x . </dev/null
	usage_error '-x'
}

@test "a missing FILTER is a usage error" {
	run --separate-stderr stream-filter </dev/null
	assert_failure 2
	assert_output ''
	assert_stderr --partial 'usage: stream-filter'
}

@test "a program that does not compile is a usage error" {
	run --separate-stderr stream-filter '.[' </dev/null
	assert_failure 2
	assert_output ''
	assert_stderr --partial 'compile error'
	run --separate-stderr stream-filter 'select(.a == $nosuch)' </dev/null
	assert_failure 2
	assert_stderr --partial 'compile error'
}

@test "a key expression that does not compile is a usage error" {
	run --separate-stderr stream-filter --dedup '.[' . </dev/null
	assert_failure 2
	assert_stderr --partial 'compile error'
	run --separate-stderr stream-filter --shard 0/2 --by 'nosuch(1)' . </dev/null
	assert_failure 2
	assert_stderr --partial 'compile error'
}

@test "a write error exits 1 with a message" {
	numbered 100 >in
	run --separate-stderr bash -c 'stream-filter . in >/dev/full'
	assert_failure 1
	assert_stderr --regexp '^stream-filter: .*No space left on device$'
}
