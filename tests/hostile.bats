#!/usr/bin/env bats
# Hostile input for every built tool (stream-cat, stream-filter,
# stream-window, stream-join): random bytes, a 20 MB line, 200,000-deep
# nesting, a million keys, huge and malformed numbers, impossible times,
# NUL bytes, CR, BOM, no final newline.  Every run must end with status
# 0, 1 or 2 (never a signal, never a hang: each run is under timeout 20),
# print no sanitizer report (make check-asan runs this file too), say
# why on stderr when it rejects a record, and lose nothing: bad records
# are counted in --stats "bad" and kept by --dead-letter.
#
# The inputs are generated once, in setup_file, from a fixed seed: no
# binary fixture is committed.

load helper

setup_file() {
	H=$BATS_FILE_TMPDIR
	export H
	python3 - "$H" <<-'EOF'
	import random, sys, os
	h = sys.argv[1]
	p = lambda n: os.path.join(h, n)
	r = random.Random(20261125)
	# 1 MB: valid NDJSON lines mixed with random bytes (NUL, invalid
	# UTF-8); every random line ends with bytes that make it invalid.
	good = []
	with open(p("rand"), "wb") as f:
	    total, i = 0, 0
	    while total < 1 << 20:
	        if r.random() < 0.5:
	            s = b'{"i":%d,"ts":"2026-11-25T%02d:%02d:%02dZ","user":"u%d"}\n' % (
	                i, 10 + i // 3600, (i // 60) % 60, i % 60, i % 5)
	            good.append(s)
	        else:
	            s = bytes(r.getrandbits(8) for _ in range(r.randint(0, 300)))
	            s = s.replace(b"\n", b"\x00") + b"\xff\xc0\xaf\x00\n"
	        f.write(s)
	        total += len(s)
	        i += 1
	open(p("rand.good"), "wb").write(b"".join(good))
	# good events and a good table for the joins
	with open(p("events"), "w") as f:
	    for i in range(10):
	        f.write('{"user":"u%d","ts":"2026-11-25T10:00:%02dZ","n":%d}\n' % (i % 5, i, i))
	with open(p("table"), "w") as f:
	    for i in range(5):
	        f.write('{"user":"u%d","name":"user %d"}\n' % (i, i))
	# a 20 MB line, then a small one
	big = "x" * (20 << 20)
	open(p("huge"), "w").write(
	    '{"ts":"2026-11-25T10:00:00Z","user":"u1","s":"%s"}\n'
	    '{"ts":"2026-11-25T10:00:01Z","user":"u1","n":2}\n' % big)
	# 200,000-deep nesting, then a good line
	D = 200000
	tail = '{"ts":"2026-11-25T10:00:01Z","user":"u1","a":2}\n'
	open(p("deeparr"), "w").write("[" * D + "]" * D + "\n" + tail)
	open(p("deepobj"), "w").write('{"a":' * D + "1" + "}" * D + "\n" + tail)
	# 9,000-deep nesting: the scanner accepts it
	D = 9000
	open(p("arr9k"), "w").write("[" * D + "]" * D + "\n")
	open(p("obj9k"), "w").write('{"a":' * D + "1" + "}" * D + "\n")
	# one object with a million keys (and a time, for stream-window)
	with open(p("mkeys"), "w") as f:
	    f.write('{"ts":"2026-11-25T10:00:00Z",' +
	            ",".join('"k%d":%d' % (i, i) for i in range(1000000)) + "}\n")
	EOF
}

# run_tool TOOL ARGS... -- run under timeout 20 with stdout to ./out,
# stdin passed on; $status and $stderr as with run --separate-stderr;
# then check that the tool was not killed and that no sanitizer spoke
run_tool() {
	run --separate-stderr -- bash -c 'timeout 20 "$@" >out' _ "$@"
	assert_sane
}

# assert_sane -- status 0, 1 or 2 and no sanitizer report on stderr
assert_sane() {
	if test "$status" -eq 124; then
		fail "timed out after 20 s (a hang)"
	elif test "$status" -gt 2; then
		fail "status $status (>= 128 is a signal: a crash)
$(head -c 2000 <<<"$stderr")"
	fi
	if grep -q -e AddressSanitizer -e 'runtime error' -e LeakSanitizer \
	    <<<"$stderr"; then
		fail "sanitizer report: $(grep -m5 -e Sanitizer -e 'runtime error' <<<"$stderr")"
	fi
}

# stat NAME -- a member of the --stats line on $stderr
stat() {
	grep -a '^{"tool":' <<<"$stderr" | tail -n 1 | jq -r ".$1"
}

# assert_stats IN OUT BAD -- the --stats line (a field given as - is not
# checked)
assert_stats() {
	local line
	line=$(grep -a '^{"tool":' <<<"$stderr" | tail -n 1)
	test -n "$line" || fail "no --stats line on stderr"
	test "$1" = - || assert_equal "in=$(jq .in <<<"$line")" "in=$1"
	test "$2" = - || assert_equal "out=$(jq .out <<<"$line")" "out=$2"
	test "$3" = - || assert_equal "bad=$(jq .bad <<<"$line")" "bad=$3"
}

# assert_dead FILE N -- the dead-letter FILE holds N valid JSON lines,
# each with error, source and line
assert_dead() {
	assert_equal "dead letters: $(lines_in "$1")" "dead letters: $2"
	if test "$2" -gt 0; then
		run jq -e -s 'all(.[]; (.error|type)=="string" and
		    (.source|type)=="string" and (.line|type)=="number" and
		    (has("raw") or has("raw_base64")))' "$1"
		assert_success
	fi
}

# assert_dead_errors FILE PREFIX -- every error in FILE starts with PREFIX
assert_dead_errors() {
	run jq -r --arg p "$2" 'select(.error | startswith($p) | not) | .error' "$1"
	assert_success
	assert_output ''
}

nlines() { python3 -c 'import sys; print(open(sys.argv[1],"rb").read().count(b"\n"))' "$1"; }

# ---------------------------------------------------------------------------
# 1 MB of random bytes mixed with valid NDJSON

@test "hostile: stream-filter: random bytes, bad records counted and dead-lettered" {
	total=$(nlines "$H/rand")
	good=$(nlines "$H/rand.good")
	run_tool stream-filter --stats --dead-letter dl . "$H/rand"
	assert_success
	assert_same_bytes "$H/rand.good" out
	assert_stats "$total" "$good" "$((total - good))"
	assert_stderr --partial 'invalid JSON at column'
	assert_stderr --partial 'more bad records not shown'
	assert_dead dl "$((total - good))"
}

@test "hostile: stream-filter: random bytes, --on-error fail stops with 1 and says why" {
	run_tool stream-filter --on-error fail '.i' "$H/rand"
	assert_failure 1
	assert_stderr --regexp "^stream-filter: $H/rand:[0-9]+: invalid JSON at column [0-9]+: "
}

@test "hostile: stream-filter: random bytes through libjq programs" {
	total=$(nlines "$H/rand")
	good=$(nlines "$H/rand.good")
	for prog in tostring '[paths]|length' '.user|ascii_downcase' 'tojson|fromjson'; do
		run_tool stream-filter --stats "$prog" "$H/rand"
		assert_success
		assert_stats "$total" "$good" "$((total - good))"
	done
}

@test "hostile: stream-cat: random bytes, bad records counted and dead-lettered" {
	total=$(nlines "$H/rand")
	good=$(nlines "$H/rand.good")
	run_tool stream-cat --stats --dead-letter dl "$H/rand"
	assert_success
	assert_same_bytes "$H/rand.good" out
	assert_stats "$total" "$good" "$((total - good))"
	assert_stderr --partial 'invalid JSON at column'
	assert_dead dl "$((total - good))"
	run_tool stream-cat --on-error fail "$H/rand"
	assert_failure 1
	assert_stderr --partial 'invalid JSON at column'
}

@test "hostile: stream-cat: --format csv/tsv/logfmt/lines/json with random bytes" {
	for fmt in csv tsv logfmt lines json; do
		rm -f dl
		run_tool stream-cat --format "$fmt" --stats --dead-letter dl "$H/rand"
		assert_success
		in=$(stat in) out=$(stat out) bad=$(stat bad)
		assert_equal "$fmt: in=$in" "$fmt: in=$((out + bad))"
		assert_equal "$fmt: out=$out" "$fmt: out=$(lines_in out)"
		test "$bad" -gt 0 || fail "$fmt: no bad record in random bytes"
		assert_dead dl "$bad"
		# each rejection says where and why
		run grep -a -c -E "^stream-cat: $H/rand:[0-9]+: .+" <<<"$stderr"
		test "$output" -gt 0 || fail "$fmt: no message on stderr"
		# every output line is valid JSON
		run jq -c -e 'true' out
		test "$out" -eq 0 || assert_success
	done
}

@test "hostile: stream-window: random bytes, counted and dead-lettered" {
	total=$(nlines "$H/rand")
	good=$(nlines "$H/rand.good")
	run_tool stream-window --count 100 --by .user --stats --dead-letter dl "$H/rand"
	assert_success
	assert_stats "$total" - "$((total - good))"
	assert_stderr --partial 'invalid JSON at column'
	assert_dead dl "$((total - good))"
	# the counts add up to the good records
	run jq -s 'map(.count) | add' out
	assert_output "$good"
	run_tool stream-window --tumbling 1m --by .user --stats "$H/rand"
	assert_success
	assert_stats "$total" - "$((total - good))"
	run jq -s 'map(.count) | add' out
	assert_output "$good"
}

@test "hostile: stream-join: random bytes as the table, as the stream, as --with" {
	total=$(nlines "$H/rand")
	good=$(nlines "$H/rand.good")
	bad=$((total - good))
	# hostile table, good events: every event finds its user
	run_tool stream-join --table "$H/rand" --on .user --stats --dead-letter dl "$H/events"
	assert_success
	assert_stats "$((total + 10))" 10 "$bad"
	assert_stderr --partial 'invalid JSON at column'
	assert_dead dl "$bad"
	# good table, hostile stream
	rm -f dl
	run_tool stream-join --table "$H/table" --on .user --stats --dead-letter dl "$H/rand"
	assert_success
	assert_stats "$((total + 5))" "$good" "$bad"
	assert_dead dl "$bad"
	# the same hostile file on both sides of a stream-stream join
	rm -f dl
	run_tool stream-join --with "$H/rand" --within 1s --on .user --stats \
	    --dead-letter dl "$H/rand"
	assert_success
	assert_stats "$((2 * total))" - "$((2 * bad))"
	assert_dead dl "$((2 * bad))"
	run_tool stream-join --table "$H/rand" --on .user --on-error fail "$H/events"
	assert_failure 1
	assert_stderr --partial 'invalid JSON at column'
}

# ---------------------------------------------------------------------------
# a 20 MB line

@test "hostile: stream-filter: a 20 MB line passes byte for byte" {
	run_tool stream-filter --stats . "$H/huge"
	assert_success
	assert_stats 2 2 0
	assert_same_bytes "$H/huge" out
	run_tool stream-filter --stats '.s | length' "$H/huge"
	assert_success
	run cat out
	assert_line --index 0 "$((20 << 20))"
	rm -f out
}

@test "hostile: stream-filter: a 20 MB line over --max-line 1M is a bad record, the next line goes on" {
	run_tool stream-filter --max-line 1M --stats --dead-letter dl . "$H/huge"
	assert_success
	assert_stats 2 1 1
	assert_stderr --partial "stream-filter: $H/huge:1: line longer than --max-line"
	run cat out
	assert_output "$(sed -n 2p "$H/huge")"
	assert_dead dl 1
	run jq .line dl
	assert_output 1
	run_tool stream-filter --max-line 1M --on-error fail . "$H/huge"
	assert_failure 1
	assert_stderr --partial 'line longer than --max-line'
	rm -f out dl
}

@test "hostile: stream-cat: a 20 MB line passes byte for byte, and over --max-line 1M is bad" {
	run_tool stream-cat --stats "$H/huge"
	assert_success
	assert_stats 2 2 0
	assert_same_bytes "$H/huge" out
	run_tool stream-cat --max-line 1M --stats --dead-letter dl "$H/huge"
	assert_success
	assert_stats 2 1 1
	assert_stderr --partial "stream-cat: $H/huge:1: line longer than --max-line"
	run cat out
	assert_output "$(sed -n 2p "$H/huge")"
	assert_dead dl 1
	rm -f out dl
}

@test "hostile: stream-window: a 20 MB line, with and over --max-line" {
	run_tool stream-window --count 2 --by .user --agg count --agg 'len=max(.s|length)' --stats "$H/huge"
	assert_success
	assert_stats 2 1 0
	run jq -c '[.count, .len]' out
	assert_output "[2,$((20 << 20))]"
	run_tool stream-window --count 1 --by .user --max-line 1M --stats --dead-letter dl "$H/huge"
	assert_success
	assert_stats 2 1 1
	assert_stderr --partial 'line longer than --max-line'
	assert_dead dl 1
}

@test "hostile: stream-join: a 20 MB line as the table, the stream and --with" {
	run_tool stream-join --table "$H/huge" --on .user --stats "$H/events"
	assert_success
	# u1 events (2 of 10) gain the latest u1 row: the small one
	assert_stats 12 2 0
	run_tool stream-join --table "$H/table" --on .user --stats "$H/huge"
	assert_success
	assert_stats 7 2 0
	run jq -r '.name' out
	assert_output $'user 1\nuser 1'
	run_tool stream-join --with "$H/huge" --within 1s --on .user --stats "$H/huge"
	assert_success
	assert_stats 4 4 0
	rm -f out
	run_tool stream-join --with "$H/huge" --within 1s --on .user --max-line 1M \
	    --stats --dead-letter dl "$H/huge"
	assert_success
	assert_stats 4 1 2
	assert_stderr --partial 'line longer than --max-line'
	assert_dead dl 2
	rm -f out dl
}

@test "hostile: stream-cat: --format csv/tsv/logfmt/lines/json with a 20 MB field" {
	python3 - <<-'EOF'
	big = "y" * (20 << 20)
	open("in.csv", "w").write("a,b\n1,%s\n2,z\n" % big)
	open("in.tsv", "w").write("a\tb\n1\t%s\n2\tz\n" % big)
	open("in.logfmt", "w").write("a=1 b=%s\na=2 b=z\n" % big)
	open("in.lines", "w").write("%s\nz\n" % big)
	open("in.json", "w").write('{"a":1,\n "b":"%s"}\n{"a":2,"b":"z"}\n' % big)
	EOF
	for fmt in csv tsv logfmt lines json; do
		run_tool stream-cat --format "$fmt" --stats "in.$fmt"
		assert_success
		assert_stats 2 2 0
		run jq -r '(.b // .line) | length' out
		assert_output "$((20 << 20))"$'\n1'
		rm -f dl
		run_tool stream-cat --format "$fmt" --max-line 1M --stats --dead-letter dl "in.$fmt"
		assert_success
		assert_stats 2 1 1
		assert_stderr --partial 'longer than --max-line'
		assert_dead dl 1
		run jq -r '.b // .line' out
		assert_output z
		rm -f "in.$fmt" out
	done
}

# ---------------------------------------------------------------------------
# 200,000-deep nesting: the scanner rejects deeper than 10000

@test "hostile: stream-filter: 200000-deep arrays and objects, through libjq too" {
	for f in deeparr deepobj; do
		for prog in . tostring .a '[paths] | length' tojson '..' 'walk(.)' \
		    '.[0]?' 'getpath(["a","a","a"])'; do
			rm -f dl
			run_tool stream-filter -c --stats --dead-letter dl "$prog" "$H/$f"
			assert_success
			assert_dead dl "$(stat bad)"
			assert_stderr --partial "stream-filter: $H/$f:1: invalid JSON at column"
			assert_stderr --partial 'nesting too deep'
			test "$(stat bad)" -ge 1 || fail "$f | $prog: not counted"
			assert_equal "$(stat in)" 2
		done
		run_tool stream-filter --stats . "$H/$f"
		assert_stats 2 1 1
		run cat out
		assert_output "$(sed -n 2p "$H/$f")"
		run_tool stream-filter --on-error fail tostring "$H/$f"
		assert_failure 1
		assert_stderr --partial 'nesting too deep'
	done
}

@test "hostile: stream-cat: 200000-deep nesting, as ndjson and as --format json" {
	for f in deeparr deepobj; do
		for fmt in ndjson json; do
			rm -f dl
			run_tool stream-cat --format "$fmt" --stats --dead-letter dl "$H/$f"
			assert_success
			assert_stats 2 1 1
			assert_stderr --partial 'nesting too deep'
			assert_dead dl 1
			run cat out
			assert_output "$(sed -n 2p "$H/$f")"
		done
	done
}

@test "hostile: stream-window: 200000-deep nesting" {
	for f in deeparr deepobj; do
		run_tool stream-window --count 1 --by .user --by .a --stats --dead-letter dl "$H/$f"
		assert_success
		assert_stats 2 1 1
		assert_stderr --partial 'nesting too deep'
		run_tool stream-window --tumbling 1m --by 'x=tostring' --agg 'c=collect(tojson)' --stats "$H/$f"
		assert_success
		assert_stats 2 1 1
		rm -f dl
	done
}

@test "hostile: stream-join: 200000-deep nesting as the table, the stream and --with" {
	for f in deeparr deepobj; do
		run_tool stream-join --table "$H/$f" --on .user --stats "$H/events"
		assert_success
		assert_stats 12 2 1
		assert_stderr --partial 'nesting too deep'
		run_tool stream-join --table "$H/table" --on .user --stats "$H/$f"
		assert_success
		assert_stats 7 1 1
		run_tool stream-join --with "$H/$f" --within 1s --on .user --stats "$H/$f"
		assert_success
		assert_stats 4 1 2
		assert_stderr --partial 'nesting too deep'
	done
}

# 9,000 deep: under the scanner's limit, so it reaches libjq.  libjq 1.6
# refuses to parse deeper than 256 ("Exceeds depth limit for parsing"):
# such a record must then be a counted bad record with that reason; it
# must never crash.
@test "hostile: stream-filter: 9000-deep nesting through libjq" {
	run_tool stream-filter --stats . "$H/arr9k"
	assert_success
	assert_same_bytes "$H/arr9k" out
	run_tool stream-filter --stats .a "$H/obj9k"
	assert_success
	assert_stats 1 1 0
	for f in arr9k obj9k; do
		for prog in '[paths] | length' tostring tojson '[..] | length' \
		    'walk(.)' '. == .' 'flatten' 'tostream' '[leaf_paths] | length'; do
			run_tool stream-filter -c --stats "$prog" "$H/$f"
			assert_success
			if test "$(stat bad)" -ne 0; then
				assert_stats 1 0 1
				assert_stderr --regexp "^stream-filter: $H/$f:1: .+"
			else
				assert_stats 1 1 0
			fi
		done
		run_tool stream-filter -c '[paths] | length' "$H/$f"
		if test -s out; then
			run cat out
			assert_output 9000
		fi
	done
}

@test "hostile: stream-cat, stream-window, stream-join: 9000-deep nesting" {
	run_tool stream-cat --stats "$H/obj9k"
	assert_success
	assert_same_bytes "$H/obj9k" out
	run_tool stream-cat --format json --stats "$H/obj9k"
	assert_success
	assert_same_bytes "$H/obj9k" out
	run_tool stream-window --count 1 --processing-time --by 'x=.a.a.a.a' --stats "$H/obj9k"
	assert_success
	run_tool stream-join --table "$H/obj9k" --on .a.a --stats "$H/obj9k"
	assert_success
}

# ---------------------------------------------------------------------------
# a million keys

@test "hostile: stream-filter: an object with a million keys" {
	run_tool stream-filter --stats . "$H/mkeys"
	assert_success
	assert_same_bytes "$H/mkeys" out
	run_tool stream-filter --stats .k999999 "$H/mkeys"
	assert_success
	run cat out
	assert_output 999999
	run_tool stream-filter --stats 'keys | length' "$H/mkeys"
	assert_success
	run cat out
	assert_output 1000001
	rm -f out
}

@test "hostile: stream-window: an object with a million keys" {
	run_tool stream-window --count 1 --by .k5 --agg 'sum(.k999999)' --stats "$H/mkeys"
	assert_success
	assert_stats 1 1 0
	run jq -c '[.k5, .[keys_unsorted[-1]]]' out
	assert_output '[5,999999]'
}

@test "hostile: stream-join: an object with a million keys as the event and as the table" {
	printf '{"k5":5,"name":"five"}\n' >t5
	run_tool stream-join --table t5 --on .k5 --stats "$H/mkeys"
	assert_success
	assert_stats 2 1 0
	run jq -c '[.k0, .k999999, .name, length]' out
	assert_output '[0,999999,"five",1000002]'
	run_tool stream-join --table "$H/mkeys" --on .k5 --stats t5
	assert_success
	assert_stats 2 1 0
	run jq -c '[.name, .k999999]' out
	assert_output '["five",999999]'
	rm -f out
}

# ---------------------------------------------------------------------------
# huge and malformed numbers

make_numbers() {
	cat >good <<-'EOF'
	{"n":1e999999}
	{"n":-1e-999999}
	{"n":123456789012345678901234567890}
	{"n":9007199254740993}
	{"n":-0.0e-0}
	1e999999
	EOF
	cat >bad <<-'EOF'
	{"n":0.1e}
	{"n":01}
	{"n":-}
	{"n":1.e5}
	{"n":NaN}
	{"n":Infinity}
	{"n":-Infinity}
	{"n":.5}
	{"n":0x10}
	-
	EOF
	# interleave: good, bad, good, bad, ...
	paste -d '\n' good bad | sed '/^$/d' >in
}

@test "hostile: stream-filter and stream-cat: huge and malformed numbers" {
	make_numbers
	for tool in "stream-filter ." stream-cat; do
		rm -f dl
		# shellcheck disable=SC2086
		run_tool $tool --stats --dead-letter dl in
		assert_success
		assert_same_bytes good out
		assert_stats 16 6 10
		assert_dead dl 10
		run jq -r .raw dl
		assert_output "$(cat bad)"
		run grep -c -E ": in:[0-9]+: invalid JSON at column [0-9]+: " <<<"$stderr"
		assert_output 10
	done
	# values through libjq: no crash, no bad record among the good ones
	run_tool stream-filter --stats '.n? // . | . + 0' good
	assert_success
	assert_stats 6 6 0
}

@test "hostile: stream-window and stream-join: huge and malformed numbers as values and times" {
	make_numbers
	sed 's/"n":/"user":"u1","ts":"2026-11-25T10:00:00Z","n":/' in >rec
	run_tool stream-window --count 100 --by .user --agg 'sum(.n)' --agg 'max(.n)' \
	    --agg 'p50(.n)' --agg 'distinct(.n)' --stats rec
	assert_success
	assert_stats 16 - 11
	run_tool stream-join --table "$H/table" --on .user --stats rec
	assert_success
	assert_stats 21 5 11
	# numbers as times: 1e999999 and 123456789012345678901234567890 are
	# no usable time
	sed 's/"n":/"user":"u1","ts":/' good | sed 1,4!d >times
	# (-1e-999999 is 0: 1970-01-01, a usable time)
	run_tool stream-window --count 1 --by .user --stats --dead-letter dl times
	assert_success
	assert_stats 4 1 3
	assert_dead_errors dl 'no usable time'
}

# ---------------------------------------------------------------------------
# impossible times

make_times() {
	cat >in <<-'EOF'
	{"user":"u1","ts":"2026-11-25T10:00:00Z","n":1}
	{"user":"u1","ts":"2026-02-30T00:00:00Z","n":2}
	{"user":"u1","ts":"9999-99-99","n":3}
	{"user":"u1","ts":1e300,"n":4}
	{"user":"u1","ts":-1e300,"n":5}
	{"user":"u1","ts":null,"n":6}
	{"user":"u1","ts":[],"n":7}
	{"user":"u1","ts":"","n":8}
	{"user":"u1","ts":"0001-01-01T00:00:00Z","n":9}
	{"user":"u1","ts":"9999-12-31T23:59:59Z","n":10}
	{"user":"u1","ts":1e999999,"n":11}
	{"user":"u1","ts":"2026-11-25T25:00:00Z","n":12}
	{"user":"u1","ts":"1600-01-01T00:00:00Z","n":13}
	{"user":"u1","ts":"2300-01-01T00:00:00Z","n":14}
	{"user":"u1","ts":{},"n":15}
	{"user":"u1","ts":true,"n":16}
	{"user":"u1","ts":"2026-11-25T10:00:00+99:00","n":17}
	{"user":"u1","ts":-9223372036.854775808,"n":18}
	{"user":"u1","ts":9223372036.854775808,"n":19}
	{"user":"u1","ts":"2026-13-01T00:00:00Z","n":20}
	{"user":"u1","ts":"2026-11-25T10:00:01Z","n":21}
	EOF
	NBAD=19
}

@test "hostile: stream-window: impossible times are bad records with no usable time" {
	make_times
	run_tool stream-window --count 1 --by .user --agg 'collect(.n)' --stats \
	    --dead-letter dl in
	assert_success
	assert_stats 21 2 "$NBAD"
	assert_stderr --partial "stream-window: in:2: no usable time: "
	assert_dead dl "$NBAD"
	assert_dead_errors dl 'no usable time'
	run jq -c '.collect_n' out
	assert_output $'[1]\n[21]'
	run_tool stream-window --tumbling 1m --by .user --stats --on-error fail in
	assert_failure 1
	assert_stderr --partial 'stream-window: in:2: no usable time: '
}

@test "hostile: stream-join --with: impossible times on both sides" {
	make_times
	run_tool stream-join --with in --within 1s --on .user --stats --dead-letter dl in
	assert_success
	assert_stats 42 4 "$((2 * NBAD))"
	assert_dead dl "$((2 * NBAD))"
	assert_dead_errors dl 'no usable time'
	assert_stderr --partial 'no usable time: '
}

@test "hostile: stream-cat --merge: impossible times" {
	make_times
	cp in in2
	run_tool stream-cat --merge --stats --dead-letter dl in in2
	assert_success
	assert_stats 42 4 "$((2 * NBAD))"
	assert_dead dl "$((2 * NBAD))"
	assert_dead_errors dl 'no usable time'
	assert_stderr --partial 'no usable time: '
}

@test "hostile: --time-unit ns with 1e30 and other out-of-range numbers" {
	cat >in <<-'EOF'
	{"user":"u1","ts":1764064800000000000}
	{"user":"u1","ts":1e30}
	{"user":"u1","ts":-1e30}
	{"user":"u1","ts":9223372036854775808}
	{"user":"u1","ts":-9223372036854775809}
	{"user":"u1","ts":18446744073709551616}
	{"user":"u1","ts":1764064801000000000}
	EOF
	run_tool stream-window --time-unit ns --count 1 --by .user --stats --dead-letter dl in
	assert_success
	assert_stats 7 2 5
	assert_dead_errors dl 'no usable time'
	rm -f dl
	run_tool stream-join --time-unit ns --with in --within 1s --on .user --stats \
	    --dead-letter dl in
	assert_success
	assert_stats 14 - 10
	assert_dead_errors dl 'no usable time'
	rm -f dl
	cp in in2
	run_tool stream-cat --time-unit ns --merge --stats --dead-letter dl in in2
	assert_success
	assert_stats 14 4 10
	assert_dead_errors dl 'no usable time'
	for u in us ms s; do
		run_tool stream-window --time-unit "$u" --count 1 --by .user --stats in
		assert_success
		assert_stats 7 0 7
	done
}

# Times are kept within +-2^62 ns (1823-11-12 to 2116-02-20, ts.h), so a
# time plus a window never wraps round: one beyond is "no usable time".
@test "hostile: stream-window: a window at the top of the time range does not wrap round" {
	for ts in 2262-04-11T23:00:00Z 2262-04-11T23:47:16.854775807Z; do
		printf '{"user":"u1","ts":"%s"}\n' "$ts" >in
		for w in "--tumbling 1h" "--session 1d" "--hopping 1d --every 1h"; do
			# shellcheck disable=SC2086
			run_tool stream-window $w --by .user --stats in
			assert_success
			assert_equal "bad=$(stat bad)" "bad=1"
			assert_stderr --partial 'no usable time: .ts: out of range'
		done
	done
	printf '{"user":"u1","ts":"2116-02-20T00:00:00Z"}\n' >in
	for w in "--tumbling 1h" "--session 1d" "--hopping 1d --every 1h" \
	    "--sliding 1d"; do
		# shellcheck disable=SC2086
		run_tool stream-window $w --by .user --stats in
		assert_success
		assert_equal "bad=$(stat bad)" "bad=0"
		run jq -r 'select(.end < .start or .count != 1) | tojson' out
		assert_output ''
	done
}

# The same at the bottom (1677-09-21 would wrap round to 2262).
@test "hostile: stream-window: a window at the bottom of the time range does not wrap round" {
	printf '{"user":"u1","ts":"1677-09-21T00:12:44Z"}\n' >in
	for w in "--tumbling 1h" "--sliding 1d" "--hopping 1d --every 1h"; do
		# shellcheck disable=SC2086
		run_tool stream-window $w --by .user --stats in
		assert_success
		if test "$(stat bad)" -eq 0; then
			run jq -r 'select(.end < .start or .count != 1) | tojson' out
			assert_output ''
		else
			assert_stderr --partial 'no usable time'
		fi
	done
}

# INT64_MAX ns (2262-04-11T23:47:16.854775807Z) once stopped a merged
# file, as if it had ended: it is out of range now, a bad record, and
# the largest time in range loses nothing after it either.
@test "hostile: stream-cat --merge: a record at the largest time loses nothing after it" {
	printf '{"user":"u1","ts":"%s"}\n' 2026-11-25T10:00:00Z \
	    2262-04-11T23:47:16.854775807Z 2262-04-11T23:47:16.854775807Z \
	    2116-02-20T23:53:38Z 2116-02-20T23:53:38Z >a
	printf '{"user":"u2","ts":"2026-11-25T10:00:01Z"}\n' >b
	run_tool stream-cat --merge --stats a b
	assert_success
	assert_stats 6 4 2
	assert_stderr --partial 'a:2: no usable time: .ts: out of range'
}

# In a stream-stream join, a record at INT64_MAX ns was taken for "no
# time" and did not move the watermark: it is out of range now, like
# INT64_MAX - 1, so both runs agree.
@test "hostile: stream-join --with: a record at the largest time moves the watermark" {
	printf '{"user":"u1","ts":%s}\n' 1764064800000000000 9223372036854775807 \
	    1764064801000000000 >a
	run_tool stream-join --time-unit ns --with a --within 1s --on .user --stats a
	assert_success
	# the same file with INT64_MAX - 1 (the behaviour for any other time)
	cp out out.max
	latemax=$(stat late)
	printf '{"user":"u1","ts":%s}\n' 1764064800000000000 9223372036854775806 \
	    1764064801000000000 >a
	run_tool stream-join --time-unit ns --with a --within 1s --on .user --stats a
	assert_success
	assert_equal "late=$latemax" "late=$(stat late)"
	assert_equal "out=$(lines_in out.max)" "out=$(lines_in out)"
}

# ---------------------------------------------------------------------------
# NUL bytes, CR, CRLF, BOM, no final newline

make_control() {
	# 1: BOM + CRLF; 2: NUL between tokens; 3: only CR; 4: NUL in a
	# string; 5: CRLF; 6: blank; 7: no final newline
	printf '\xef\xbb\xbf{"user":"u1","ts":"2026-11-25T10:00:00Z","n":1}\r\n' >in
	printf '{"user":"u1","n":2,\x00"ts":"2026-11-25T10:00:01Z"}\n' >>in
	printf '\r\n' >>in
	printf '{"user":"u1","ts":"2026-11-25T10:00:02Z","s":"a\x00b"}\n' >>in
	printf '{"user":"u1","ts":"2026-11-25T10:00:03Z","n":4}\r\n' >>in
	printf '\n' >>in
	printf '{"user":"u1","ts":"2026-11-25T10:00:04Z","n":5}' >>in
	printf '%s\n' '{"user":"u1","ts":"2026-11-25T10:00:00Z","n":1}' \
	    '{"user":"u1","ts":"2026-11-25T10:00:03Z","n":4}' \
	    '{"user":"u1","ts":"2026-11-25T10:00:04Z","n":5}' >expect
}

@test "hostile: stream-filter and stream-cat: NUL, CR, CRLF, BOM, no final newline" {
	make_control
	for tool in "stream-filter ." stream-cat; do
		rm -f dl
		# shellcheck disable=SC2086
		run_tool $tool --stats --dead-letter dl in
		assert_success
		assert_same_bytes expect out
		assert_stats 5 3 2
		assert_stderr --partial ": in:2: invalid JSON at column 20: unexpected '\\x00'"
		assert_stderr --partial ": in:4: invalid JSON at column "
		assert_stderr --partial "control character '\\x00' in string"
		assert_dead dl 2
		run jq -r '.line' dl
		assert_output $'2\n4'
		# the NUL is kept in the dead letter
		run jq -r '.raw | contains("\u0000")' dl
		assert_output $'true\ntrue'
	done
}

@test "hostile: stream-window and stream-join: NUL, CR, CRLF, BOM, no final newline" {
	make_control
	run_tool stream-window --count 1 --by .user --agg 'collect(.n)' --stats --dead-letter dl in
	assert_success
	assert_stats 5 3 2
	assert_dead dl 2
	run jq -c .collect_n out
	assert_output $'[1]\n[4]\n[5]'
	rm -f dl
	run_tool stream-join --table in --on .user --into t --stats --dead-letter dl "$H/events"
	assert_success
	assert_stats 15 2 2
	run jq -r .t.n out
	assert_output $'5\n5'
	assert_dead dl 2
	rm -f dl
	run_tool stream-join --table "$H/table" --on .user --stats in
	assert_success
	assert_stats 10 3 2
	rm -f dl
	run_tool stream-join --with in --within 1s --on .user --stats --dead-letter dl in
	assert_success
	assert_stats 10 - 4
	assert_dead dl 4
}

# A line of "\r\r" (CR before CRLF) is whitespace only, like " \r" or
# "\t", and is skipped as blank.
@test "hostile: stream-filter: a line of CR CR LF is blank, like other whitespace" {
	printf '{"n":1}\n \r\n\t\n\r\r\n{"n":2}\n' >in
	run_tool stream-filter --stats . in
	assert_success
	assert_stats 2 2 0
}

# A NUL byte: csv, tsv and lines keep it ("a\u0000b"); logfmt, whose
# grammar would take it for a separator and make up a key, refuses the
# line as a control character.
@test "hostile: stream-cat: --format csv/tsv/logfmt/lines keep a NUL byte in a value" {
	printf 'c,d\na\x00b,1\n' >in.csv
	printf 'c\td\na\x00b\t1\n' >in.tsv
	printf 'c=a\x00b d=1\n' >in.logfmt
	for fmt in csv tsv logfmt; do
		run_tool stream-cat --format "$fmt" --stats "in.$fmt"
		assert_success
		if test "$(stat bad)" -eq 0; then
			run cat out
			assert_output '{"c":"a\u0000b","d":1}'
		else
			assert_stderr --regexp "^stream-cat: in.$fmt:[0-9]+: .+"
		fi
	done
	printf 'a\x00b\n' >in.lines
	run_tool stream-cat --format lines in.lines
	assert_success
	run cat out
	assert_output '{"line":"a\u0000b"}'
}

# ---------------------------------------------------------------------------
# stream-alert: the same hostile inputs through rule files.  all-types.yaml
# has a rule of each type; safe.yaml is the same with the one where that
# fails on a record without .event made null-safe; jq.yaml has where, by,
# field and agg with paths and libjq programs.  A rule expression that
# fails on a record makes it a bad record, as the manual says.

# alert_rules -- ./safe.yaml and ./jq.yaml (see above)
alert_rules() {
	sed 's/'\''\.event | startswith("login")'\''/'\''(.event \/\/ "") | startswith("login")'\''/' \
	    "$ROOT/tests/rules/all-types.yaml" >safe.yaml
	grep -q '(.event // "") | startswith' safe.yaml
	cat >jq.yaml <<-'EOF'
	rules:
	  - name: jq-match
	    type: match
	    where: '(.user // "" | ascii_downcase) == "u1"'
	    by: 'len=(tojson | length)'
	    cooldown: 1m
	  - name: jq-cardinality
	    type: cardinality
	    by: 'n=([paths] | length)'
	    field: 'tostring'
	    window: 1m
	    threshold: 3
	  - name: jq-new-value
	    type: new_value
	    by: 'u=(.user | tostring)'
	    field: '[..] | length'
	  - name: paths-frequency
	    type: frequency
	    where: '.geo.country == null'
	    by: [.user, .geo.country, .a]
	    window: 1m
	    threshold: 3
	  - name: paths-threshold
	    type: threshold
	    by: .user
	    agg: max(.n)
	    window: 1m
	    threshold: 1000
	    for: 1m
	EOF
}

@test "hostile: stream-alert: random bytes, bad records counted and dead-lettered" {
	total=$(nlines "$H/rand")
	good=$(nlines "$H/rand.good")
	alert_rules
	for r in safe.yaml jq.yaml; do
		rm -f dl
		run_tool stream-alert -r "$r" --stats --dead-letter dl "$H/rand"
		assert_success
		assert_stats "$total" - "$((total - good))"
		assert_stderr --partial 'invalid JSON at column'
		assert_stderr --partial 'more bad records not shown'
		assert_dead dl "$((total - good))"
		assert_equal "$r: out=$(stat out)" "$r: out=$(lines_in out)"
	done
	# all-types.yaml as it is: '.event | startswith("login")' fails on
	# the good records, which have no .event, so every record is bad
	rm -f dl
	run_tool stream-alert -r "$ROOT/tests/rules/all-types.yaml" --stats \
	    --dead-letter dl "$H/rand"
	assert_success
	assert_stats "$total" 0 "$total"
	assert_stderr --partial 'rule failed-then-success: startswith() requires string inputs'
	assert_dead dl "$total"
}

@test "hostile: stream-alert: random bytes, --on-error fail stops with 1 and says why" {
	alert_rules
	for r in safe.yaml jq.yaml; do
		run_tool stream-alert -r "$r" --on-error fail "$H/rand"
		assert_failure 1
		assert_stderr --regexp "^stream-alert: $H/rand:[0-9]+: invalid JSON at column [0-9]+: "
	done
}

@test "hostile: stream-alert: a 20 MB line, with and over --max-line" {
	alert_rules
	run_tool stream-alert -r safe.yaml --stats "$H/huge"
	assert_success
	assert_stats 2 0 0
	run_tool stream-alert -r jq.yaml --stats "$H/huge"
	assert_success
	assert_equal "bad=$(stat bad)" "bad=0"
	# the 20 MB record is the sample of the first match, whole
	run jq -c 'select(.alert == "jq-match") | [.key.len, (.sample[0].s | length)]' out
	assert_line --index 0 "[$(( (20 << 20) + 48 )),$((20 << 20))]"
	for r in safe.yaml jq.yaml; do
		rm -f dl
		run_tool stream-alert -r "$r" --max-line 1M --stats --dead-letter dl "$H/huge"
		assert_success
		assert_stats 2 - 1
		assert_stderr --partial "stream-alert: $H/huge:1: line longer than --max-line"
		assert_dead dl 1
		run jq .line dl
		assert_output 1
	done
	# the next line goes on: it is the match
	run jq -c '.sample[0]' out
	assert_line --index 0 "$(sed -n 2p "$H/huge")"
	run_tool stream-alert -r jq.yaml --max-line 1M --on-error fail "$H/huge"
	assert_failure 1
	assert_stderr --partial 'line longer than --max-line'
	rm -f out dl
}

@test "hostile: stream-alert: 200000-deep nesting" {
	alert_rules
	for f in deeparr deepobj; do
		for r in safe.yaml jq.yaml; do
			rm -f dl
			run_tool stream-alert -r "$r" --stats --dead-letter dl "$H/$f"
			assert_success
			assert_stats 2 - 1
			assert_stderr --partial "stream-alert: $H/$f:1: invalid JSON at column"
			assert_stderr --partial 'nesting too deep'
			assert_dead dl 1
		done
		run_tool stream-alert -r jq.yaml --on-error fail "$H/$f"
		assert_failure 1
		assert_stderr --partial 'nesting too deep'
	done
}

# 9,000 deep reaches libjq (with --processing-time: the records have no
# .ts), which may refuse it as a bad record with a reason; never a crash.
@test "hostile: stream-alert: 9000-deep nesting through libjq" {
	alert_rules
	for f in arr9k obj9k; do
		for r in safe.yaml jq.yaml; do
			run_tool stream-alert --processing-time -r "$r" --stats "$H/$f"
			assert_success
			assert_equal "in=$(stat in)" "in=1"
			if test "$(stat bad)" -ne 0; then
				assert_stats 1 0 1
				assert_stderr --regexp "^stream-alert: $H/$f:1: rule [a-z-]+: .+"
			fi
		done
	done
}

@test "hostile: stream-alert: an object with a million keys" {
	cat >mk.yaml <<-'EOF'
	rules:
	  - name: k-match
	    type: match
	    where: '.k999999 == 999999'
	    by: .k5
	  - name: k-jq
	    type: cardinality
	    by: 'n=(keys | length)'
	    field: .k999998
	    window: 1m
	    threshold: 1
	  - name: k-sum
	    type: threshold
	    by: .k5
	    agg: sum(.k999999)
	    window: 1s
	    threshold: 10
	EOF
	run_tool stream-alert -r mk.yaml --stats "$H/mkeys"
	assert_success
	assert_stats 1 3 0
	run jq -c '[.alert, .key, .value, (.sample[0] | length)]' out
	assert_output '["k-match",{"k5":5},null,1000001]
["k-jq",{"n":1000001},1,1000001]
["k-sum",{"k5":5},999999,1000001]'
	alert_rules
	run_tool stream-alert -r safe.yaml --stats "$H/mkeys"
	assert_success
	assert_stats 1 0 0
	rm -f out
}

@test "hostile: stream-alert: huge and malformed numbers as values and times" {
	make_numbers
	sed 's/"n":/"user":"u1","ts":"2026-11-25T10:00:00Z","n":/' in >rec
	cat >num.yaml <<-'EOF'
	rules:
	  - name: n-sum
	    type: threshold
	    by: .user
	    agg: sum(.n)
	    window: 1m
	    threshold: 0
	  - name: n-p50
	    type: threshold
	    by: .user
	    agg: p50(.n)
	    window: 1m
	    threshold: 0
	    op: '!='
	  - name: n-distinct
	    type: cardinality
	    by: .user
	    field: .n
	    window: 1m
	    threshold: 2
	  - name: n-key
	    type: change
	    by: .n
	    field: .n
	  - name: n-spike
	    type: spike
	    by: .user
	    agg: max(.n)
	    window: 1s
	    factor: 2
	EOF
	alert_rules
	for r in num.yaml safe.yaml jq.yaml; do
		rm -f dl
		run_tool stream-alert -r "$r" --stats --dead-letter dl rec
		assert_success
		# the 10 malformed numbers, and the line "1e999999" that has no .ts
		assert_stats 16 - 11
		assert_dead dl 11
		assert_stderr --regexp "stream-alert: rec:2: invalid JSON at column [0-9]+: "
		# (the messages are rate-limited: the dead letters say why, each)
		run jq -s 'map(select(.error | startswith("invalid JSON at column "))) | length' dl
		assert_output 10
	done
	# numbers as times: 1e999999, 123456789012345678901234567890 and
	# 9007199254740993 s are no usable time; -1e-999999 is 1970-01-01
	sed 's/"n":/"user":"u1","ts":/' good | sed 1,4!d >times
	cat >m.yaml <<-'EOF'
	rules:
	  - name: every
	    type: match
	EOF
	rm -f dl
	run_tool stream-alert -r m.yaml --stats --dead-letter dl times
	assert_success
	assert_stats 4 1 3
	assert_dead_errors dl 'no usable time'
	run jq -r .at out
	assert_output 1970-01-01T00:00:00.000Z
}

@test "hostile: stream-alert: impossible times are bad records with no usable time" {
	make_times
	cat >m.yaml <<-'EOF'
	rules:
	  - name: every
	    type: match
	    by: .user
	    message: 'n=\(.sample[0].n)'
	  - name: quiet
	    type: absence
	    by: .user
	    window: 1h
	    keys: [u1, u2]
	EOF
	run_tool stream-alert -r m.yaml --stats --dead-letter dl in
	assert_success
	assert_stats 21 2 "$NBAD"
	assert_stderr --partial "stream-alert: in:2: no usable time: "
	assert_dead dl "$NBAD"
	assert_dead_errors dl 'no usable time'
	run jq -r .message out
	assert_output $'n=1\nn=21'
	alert_rules
	for r in safe.yaml jq.yaml; do
		rm -f dl
		run_tool stream-alert -r "$r" --stats --dead-letter dl in
		assert_success
		assert_stats 21 - "$NBAD"
		assert_dead_errors dl 'no usable time'
	done
	run_tool stream-alert -r m.yaml --stats --on-error fail in
	assert_failure 1
	assert_stderr --partial 'stream-alert: in:2: no usable time: '
}

@test "hostile: stream-alert: --time-unit ns with 1e30 and other out-of-range numbers" {
	cat >in <<-'EOF'
	{"user":"u1","ts":1764064800000000000}
	{"user":"u1","ts":1e30}
	{"user":"u1","ts":-1e30}
	{"user":"u1","ts":9223372036854775808}
	{"user":"u1","ts":-9223372036854775809}
	{"user":"u1","ts":18446744073709551616}
	{"user":"u1","ts":1764064801000000000}
	EOF
	printf '%s\n' rules: '  - name: every' '    type: match' >m.yaml
	run_tool stream-alert -r m.yaml --time-unit ns --stats --dead-letter dl in
	assert_success
	assert_stats 7 2 5
	assert_dead_errors dl 'no usable time'
	for u in us ms s; do
		run_tool stream-alert -r m.yaml --time-unit "$u" --stats in
		assert_success
		assert_stats 7 0 7
	done
}

# Times are kept within +-2^62 ns: beyond is "no usable time"; a window
# at the top of the range does not wrap round.
@test "hostile: stream-alert: windows at the ends of the time range do not wrap round" {
	cat >w.yaml <<-'EOF'
	rules:
	  - name: t
	    type: threshold
	    by: .user
	    agg: count
	    window: 1h
	    threshold: 0
	  - name: f
	    type: frequency
	    by: .user
	    window: 1d
	    threshold: 1
	  - name: s
	    type: spike
	    window: 1h
	    factor: 2
	EOF
	for ts in 2262-04-11T23:00:00Z 2262-04-11T23:47:16.854775807Z \
	    1677-09-21T00:12:44Z; do
		printf '{"user":"u1","ts":"%s"}\n' "$ts" >in
		run_tool stream-alert -r w.yaml --stats in
		assert_success
		assert_stats 1 0 1
		assert_stderr --partial 'no usable time: .ts: out of range'
	done
	for ts in 2116-02-20T00:00:00Z 2116-02-20T23:53:38Z; do
		printf '{"user":"u1","ts":"%s"}\n' "$ts" >in
		run_tool stream-alert -r w.yaml --stats in
		assert_success
		assert_equal "bad=$(stat bad)" "bad=0"
		run jq -r 'select(.window.end < .window.start or .at < "2116") | tojson' out
		assert_output ''
	done
}

@test "hostile: stream-alert: NUL, CR, CRLF, BOM, no final newline" {
	make_control
	cat >m.yaml <<-'EOF'
	rules:
	  - name: every
	    type: match
	    by: .user
	    message: 'n=\(.sample[0].n)'
	EOF
	alert_rules
	for r in m.yaml safe.yaml jq.yaml; do
		rm -f dl
		run_tool stream-alert -r "$r" --stats --dead-letter dl in
		assert_success
		assert_equal "$r: $(stat in) $(stat bad)" "$r: 5 2"
		assert_stderr --partial "stream-alert: in:2: invalid JSON at column 20: unexpected '\\x00'"
		assert_stderr --partial "control character '\\x00' in string"
		assert_dead dl 2
		run jq -r '.line' dl
		assert_output $'2\n4'
		run jq -r '.raw | contains("\u0000")' dl
		assert_output $'true\ntrue'
	done
	run_tool stream-alert -r m.yaml in
	assert_success
	run jq -r .message out
	assert_output $'n=1\nn=4\nn=5'
}
