#!/usr/bin/env bats
# stream-filter(1), BAD INPUT: each kind of bad record, between two good
# ones, under --on-error warn, skip and fail, and in the --dead-letter file.
# Every good line must still come out, byte for byte.

load helper

# Each case_* function describes one kind of bad record:
#   BAD    the bad line, as a printf %b format (it is line 2 of ./in)
#   MSG    the message expected after "stream-filter: <stdin>:2: "
#   PROG   the program (default ., which passes good records unchanged)
#   OPTS   extra options, an array
#   GOOD1, GOOD3   the good lines 1 and 3 (they pass PROG unchanged)
#   RAWMAX when set, the dead letter keeps only this many bytes of the line
defaults() {
	PROG=.
	OPTS=()
	GOOD1='{"n":1, "v":1.50}'
	GOOD3='{"n":3,"id":9007199254740993}'
	RAWMAX=
}

case_invalid_json() {
	defaults
	BAD='{"a":x}'
	MSG="invalid JSON at column 6: unexpected 'x'"
}

case_truncated() {
	defaults
	BAD='{"ts":"2026-11-25T10:00:00Z","user":"al'
	MSG='invalid JSON at column 40: unexpected end of input'
}

case_binary() {
	defaults
	BAD='\x89PNG\r\x1a\x00\xff\xfe\x01\x02garbage'
	MSG="invalid JSON at column 1: invalid UTF-8 byte '\\x89'"
}

case_nul_in_string() {
	defaults
	BAD='{"a":"x\x00y"}'
	MSG="invalid JSON at column 8: control character '\\x00' in string"
}

case_nul_between_tokens() {
	defaults
	BAD='{"a":1,\x00"b":2}'
	MSG="invalid JSON at column 8: unexpected '\\x00'"
}

case_latin1() {
	defaults
	BAD='{"name":"caf\xe9"}'
	MSG="invalid JSON at column 13: invalid UTF-8 byte '\\xE9'"
}

case_overlong_utf8() {
	defaults
	BAD='{"s":"\xc0\xaf"}'
	MSG="invalid JSON at column 7: invalid UTF-8 byte '\\xC0'"
}

case_surrogate_utf8() {
	defaults
	BAD='{"s":"\xed\xa0\x80"}'
	MSG="invalid JSON at column 7: invalid UTF-8 byte '\\xED'"
}

case_max_line() {
	defaults
	OPTS=(--max-line 64)
	BAD='{"s":"0123456789012345678901234567890123456789012345678901234567"}'
	MSG='line longer than --max-line (64 bytes)'
	RAWMAX=64
}

case_runtime_fast() {
	defaults
	PROG='select(.n.b != 0)'
	GOOD1='{"n":{"b":1}, "v":1.50}'
	GOOD3='{"n":{"b":3},"id":9007199254740993}'
	BAD='{"n":5}'
	MSG=$(jq -rn '{"n":5} | try (.n.b != 0) catch .')
}

case_runtime_libjq() {
	defaults
	PROG='select((.n + 1) > 0)'
	BAD='{"n":"x"}'
	MSG=$(jq -rn '{"n":"x"} | try ((.n + 1) > 0) catch .')
}

case_no_time() {
	defaults
	OPTS=(--dedup .n --dedup-window 1m)
	GOOD1='{"n":1,"ts":"2026-11-25T10:00:00Z"}'
	GOOD3='{"n":3,"ts":1764064800.5}'
	BAD='{"n":2,"ts":"at noon"}'
	MSG='no usable time'	# and why: a prefix
}

# make_input -- ./in: GOOD1, BAD, GOOD3; ./expect: the good lines
make_input() {
	{
		printf '%s\n' "$GOOD1"
		printf '%b\n' "$BAD"
		printf '%s\n' "$GOOD3"
	} >in
	printf '%s\n' "$GOOD1" "$GOOD3" >expect
}

# assert_message -- $stderr is the one message for line 2
assert_message() {
	if test "$MSG" = 'no usable time'; then
		assert_stderr --regexp '^stream-filter: <stdin>:2: no usable time: .+$'
		assert_equal "${#stderr_lines[@]}" 1
	else
		assert_stderr "stream-filter: <stdin>:2: $MSG"
	fi
}

check_warn() {
	make_input
	run --separate-stderr stream-filter "${OPTS[@]}" --on-error warn "$PROG" <in
	assert_success
	assert_output "$(cat expect)"
	assert_message
	# and warn is the default
	run --separate-stderr stream-filter "${OPTS[@]}" "$PROG" <in
	assert_success
	assert_output "$(cat expect)"
	assert_message
	stream-filter "${OPTS[@]}" "$PROG" <in >out 2>/dev/null
	assert_same_bytes expect out
}

check_skip() {
	make_input
	run --separate-stderr stream-filter "${OPTS[@]}" --on-error skip "$PROG" <in
	assert_success
	assert_output "$(cat expect)"
	assert_stderr ''
	run --separate-stderr stream-filter "${OPTS[@]}" --on-error skip --stats "$PROG" <in
	run jq -c '[.in, .out, .bad]' <<<"$stderr"
	assert_output '[3,2,1]'
}

check_fail() {
	make_input
	run --separate-stderr stream-filter "${OPTS[@]}" --on-error fail "$PROG" <in
	assert_failure 1
	assert_output "$GOOD1"
	assert_message
}

# expected_dead LINE MSG SOURCE [RAWMAX] -- the dead-letter line for line
# LINE of ./in, built independently with Python's json and base64
expected_dead() {
	python3 - "$@" <<-'EOF'
	import base64, json, sys
	n, msg, src = int(sys.argv[1]), sys.argv[2], sys.argv[3]
	raw = open("in", "rb").read().split(b"\n")[n - 1]
	if len(sys.argv) > 4 and sys.argv[4]:
	    raw = raw[:int(sys.argv[4])]
	d = {"error": msg, "source": src, "line": n}
	try:
	    d["raw"] = raw.decode("utf-8")
	except UnicodeDecodeError:
	    d["raw_base64"] = base64.b64encode(raw).decode("ascii")
	print(json.dumps(d, ensure_ascii=False, separators=(",", ":")))
	EOF
}

check_dead_letter() {
	make_input
	run --separate-stderr stream-filter "${OPTS[@]}" --on-error skip \
	    --dead-letter dl "$PROG" <in
	assert_success
	assert_output "$(cat expect)"
	assert_file_exists dl
	assert_equal "$(lines_in dl)" 1
	if test "$MSG" = 'no usable time'; then
		run jq -r .error dl
		assert_output --regexp '^no usable time: '
		run jq -c 'del(.error)' dl
		want=$(expected_dead 2 x '<stdin>' "$RAWMAX" | jq -c 'del(.error)')
		assert_output "$want"
	else
		run cat dl
		assert_output "$(expected_dead 2 "$MSG" '<stdin>' "$RAWMAX")"
	fi
}

# ---------------------------------------------------------------------------

@test "invalid JSON, warn: skipped with a message" { case_invalid_json; check_warn; }
@test "invalid JSON, skip: skipped silently, counted" { case_invalid_json; check_skip; }
@test "invalid JSON, fail: exit 1 after the earlier output" { case_invalid_json; check_fail; }
@test "invalid JSON, dead letter: raw line kept" { case_invalid_json; check_dead_letter; }

@test "truncated line, warn: skipped with a message" { case_truncated; check_warn; }
@test "truncated line, skip: skipped silently, counted" { case_truncated; check_skip; }
@test "truncated line, fail: exit 1 after the earlier output" { case_truncated; check_fail; }
@test "truncated line, dead letter: raw line kept" { case_truncated; check_dead_letter; }

@test "binary garbage, warn: skipped with a message" { case_binary; check_warn; }
@test "binary garbage, skip: skipped silently, counted" { case_binary; check_skip; }
@test "binary garbage, fail: exit 1 after the earlier output" { case_binary; check_fail; }
@test "binary garbage, dead letter: raw_base64" { case_binary; check_dead_letter; }

@test "NUL in a string, warn: skipped with a message" { case_nul_in_string; check_warn; }
@test "NUL in a string, skip: skipped silently, counted" { case_nul_in_string; check_skip; }
@test "NUL in a string, fail: exit 1 after the earlier output" { case_nul_in_string; check_fail; }
@test "NUL in a string, dead letter: raw with \\u0000" { case_nul_in_string; check_dead_letter; }

@test "NUL between tokens, warn: skipped with a message" { case_nul_between_tokens; check_warn; }
@test "NUL between tokens, skip: skipped silently, counted" { case_nul_between_tokens; check_skip; }
@test "NUL between tokens, fail: exit 1 after the earlier output" { case_nul_between_tokens; check_fail; }
@test "NUL between tokens, dead letter: raw with \\u0000" { case_nul_between_tokens; check_dead_letter; }

@test "invalid UTF-8 (Latin-1), warn: skipped with a message" { case_latin1; check_warn; }
@test "invalid UTF-8 (Latin-1), skip: skipped silently, counted" { case_latin1; check_skip; }
@test "invalid UTF-8 (Latin-1), fail: exit 1 after the earlier output" { case_latin1; check_fail; }
@test "invalid UTF-8 (Latin-1), dead letter: raw_base64" { case_latin1; check_dead_letter; }

@test "overlong UTF-8, warn: skipped with a message" { case_overlong_utf8; check_warn; }
@test "overlong UTF-8, skip: skipped silently, counted" { case_overlong_utf8; check_skip; }
@test "overlong UTF-8, fail: exit 1 after the earlier output" { case_overlong_utf8; check_fail; }
@test "overlong UTF-8, dead letter: raw_base64" { case_overlong_utf8; check_dead_letter; }

@test "UTF-8 surrogate, warn: skipped with a message" { case_surrogate_utf8; check_warn; }
@test "UTF-8 surrogate, skip: skipped silently, counted" { case_surrogate_utf8; check_skip; }
@test "UTF-8 surrogate, fail: exit 1 after the earlier output" { case_surrogate_utf8; check_fail; }
@test "UTF-8 surrogate, dead letter: raw_base64" { case_surrogate_utf8; check_dead_letter; }

@test "line over --max-line, warn: skipped with a message" { case_max_line; check_warn; }
@test "line over --max-line, skip: skipped silently, counted" { case_max_line; check_skip; }
@test "line over --max-line, fail: exit 1 after the earlier output" { case_max_line; check_fail; }
@test "line over --max-line, dead letter: its first SIZE bytes" { case_max_line; check_dead_letter; }

@test "jq runtime error (fast path), warn: skipped with jq's message" { case_runtime_fast; check_warn; }
@test "jq runtime error (fast path), skip: skipped silently, counted" { case_runtime_fast; check_skip; }
@test "jq runtime error (fast path), fail: exit 1 after the earlier output" { case_runtime_fast; check_fail; }
@test "jq runtime error (fast path), dead letter: jq's message" { case_runtime_fast; check_dead_letter; }

@test "jq runtime error (libjq), warn: skipped with jq's message" { case_runtime_libjq; check_warn; }
@test "jq runtime error (libjq), skip: skipped silently, counted" { case_runtime_libjq; check_skip; }
@test "jq runtime error (libjq), fail: exit 1 after the earlier output" { case_runtime_libjq; check_fail; }
@test "jq runtime error (libjq), dead letter: jq's message" { case_runtime_libjq; check_dead_letter; }

@test "no usable time, warn: skipped with a message" { case_no_time; check_warn; }
@test "no usable time, skip: skipped silently, counted" { case_no_time; check_skip; }
@test "no usable time, fail: exit 1 after the earlier output" { case_no_time; check_fail; }
@test "no usable time, dead letter: raw line kept" { case_no_time; check_dead_letter; }

# ---------------------------------------------------------------------------

@test "a truncated last line without a newline is a bad record" {
	printf '{"a":1}\n{"a":[1,2' >in
	run --separate-stderr stream-filter . <in
	assert_success
	assert_output '{"a":1}'
	assert_stderr 'stream-filter: <stdin>:2: invalid JSON at column 10: unexpected end of input'
}

@test "trailing data after a value is a bad record" {
	printf '%s\n' '{"a":1} {"b":2}' '{"a":1}}' '{"c":3}' >in
	run --separate-stderr stream-filter . <in
	assert_success
	assert_output '{"c":3}'
	assert_stderr_line --index 0 --regexp '^stream-filter: <stdin>:1: invalid JSON at column 9: '
	assert_stderr_line --index 1 --regexp '^stream-filter: <stdin>:2: invalid JSON at column 8: '
}

@test "nesting too deep is a bad record, not a crash" {
	python3 -c 'print("[" * 100000); print("{\"ok\":true}")' >in
	run --separate-stderr stream-filter . <in
	assert_success
	assert_output '{"ok":true}'
	assert_stderr --regexp '^stream-filter: <stdin>:1: invalid JSON at column [0-9]+: '
}

@test "--dead-letter: source and line of each bad record in a file" {
	printf '{"a":1}\nx\n\n{"a":3}\ny\r\n' >data.ndjson
	run --separate-stderr stream-filter --on-error skip --dead-letter dl . data.ndjson
	assert_success
	assert_output $'{"a":1}\n{"a":3}'
	run cat dl
	assert_line --index 0 '{"error":"invalid JSON at column 1: unexpected '\''x'\''","source":"data.ndjson","line":2,"raw":"x"}'
	assert_line --index 1 '{"error":"invalid JSON at column 1: unexpected '\''y'\''","source":"data.ndjson","line":5,"raw":"y"}'
	assert_equal "${#lines[@]}" 2
}

@test "--dead-letter is written under --on-error warn too" {
	printf '%s\n' '{"a":1}' 'x' >in
	run --separate-stderr stream-filter --dead-letter dl . <in
	assert_success
	assert_stderr "stream-filter: <stdin>:2: invalid JSON at column 1: unexpected 'x'"
	run cat dl
	assert_output '{"error":"invalid JSON at column 1: unexpected '\''x'\''","source":"<stdin>","line":2,"raw":"x"}'
}

@test "--dead-letter is written before --on-error fail exits" {
	printf '%s\n' '{"a":1}' 'x' '{"a":3}' 'y' >in
	run --separate-stderr stream-filter --on-error fail --dead-letter dl . <in
	assert_failure 1
	assert_output '{"a":1}'
	run cat dl
	assert_output '{"error":"invalid JSON at column 1: unexpected '\''x'\''","source":"<stdin>","line":2,"raw":"x"}'
}

@test "--dead-letter escapes the raw line as jq -c would" {
	printf '{"a":"\t"}\n' >in
	printf '%s\n' '{"error":"invalid JSON at column 7: control character '\''\\x09'\'' in string","source":"<stdin>","line":1,"raw":"{\"a\":\"\t\"}"}' >expect
	stream-filter --on-error skip --dead-letter dl . <in
	assert_same_bytes expect dl
}

@test "every kind of bad record in one stream: good lines out, all counted" {
	: >in
	n=0
	for c in invalid_json truncated binary nul_in_string nul_between_tokens \
	    latin1 overlong_utf8 surrogate_utf8; do
		"case_$c"
		printf '{"good":%d}\n%b\n' "$n" "$BAD" >>in
		n=$((n + 1))
	done
	run --separate-stderr stream-filter --on-error skip --stats \
	    --dead-letter dl '.good' <in
	assert_success
	assert_output "$(seq 0 7)"
	run jq -c '[.in, .out, .bad]' <<<"$stderr"
	assert_output '[16,8,8]'
	run jq -c .line dl
	assert_output "$(seq 2 2 16)"
}

@test "random bytes: no crash, every line either passes or is bad" {
	python3 -c '
import random, sys
r = random.Random(1)
out = bytearray()
good = 0
for i in range(3000):
    if r.random() < 0.3:
        out += b"{\"i\":%d}" % i
        good += 1
    else:
        out += bytes(r.randrange(256) for _ in range(r.randrange(1, 80)))
    out += b"\n"
sys.stdout.buffer.write(bytes(out))
open("ngood", "w").write("%d\n" % good)' >in
	run --separate-stderr stream-filter --on-error skip --stats . in
	assert_success
	stats=$stderr
	in=$(jq .in <<<"$stats")
	good=$(jq .out <<<"$stats")
	bad=$(jq .bad <<<"$stats")
	assert_equal "$((good + bad))" "$in"
	# at least the records made valid (a random line may be valid JSON too)
	test "$good" -ge "$(cat ngood)" || fail "only $good good records"
	# what came out is valid JSON, one value per line
	run bash -c 'stream-filter --on-error skip . in | jq -c . | wc -l'
	assert_output "$good"
}

@test "1000 bad lines in a row are all counted" {
	for i in $(seq 1000); do echo '{"a":'; done >in
	echo '{"last":true}' >>in
	run --separate-stderr stream-filter --on-error skip --stats . in
	assert_success
	assert_output '{"last":true}'
	run jq -c '[.in, .out, .bad]' <<<"$stderr"
	assert_output '[1001,1,1000]'
}

@test "a 20 MB line under the default --max-line is a record like any other" {
	python3 -c 'import json; print(json.dumps({"a": "x" * 20000000, "b": 1}))
print("{\"b\":2}")' >in
	run --separate-stderr stream-filter -c '.b, (.a | length)' in
	assert_success
	assert_output $'1\n20000000\n2\n0'
	assert_stderr ''
}

@test "a 20 MB line over --max-line 1M is bad, memory stays bounded, the next line comes out" {
	python3 -c 'import json; print(json.dumps({"a": "x" * 20000000}))
print("{\"b\":2}")' >in
	run --separate-stderr python3 -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:])
sys.stderr.write("maxrss %d\n" %
    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(r.returncode)' stream-filter --max-line 1M --dead-letter dead .b in
	assert_success
	assert_output '2'
	[[ $stderr == *'in:1: line longer than --max-line (1048576 bytes)'* ]] ||
	    fail "no warning in: $stderr"
	rss=$(printf '%s\n' "$stderr" | sed -n 's/^maxrss //p')
	test "$rss" -lt 16000 || fail "max RSS $rss KB for a 1M line limit"
	run jq -r '[.line, .error, (.raw | length)] | @tsv' dead
	assert_output $'1\tline longer than --max-line (1048576 bytes)\t1048576'
}
