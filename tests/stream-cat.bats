#!/usr/bin/env bats
# stream-cat(1): one test per option and behaviour of the man page, except
# -f/--follow and --tail (in their own suite).  Bad input of every kind,
# under each --on-error mode, and the usage errors are in cat-errors.bats.

load helper

# numbered N -- N records {"i":0} .. {"i":N-1}
numbered() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "{\"i\":%d}\n", i }'
}

# stats_of TEXT -- the --stats line of TEXT without elapsed_s, compact
stats_of() {
	jq -c 'del(.elapsed_s)' <<<"$1"
}

# now_ms -- the wall-clock time in milliseconds since the epoch
now_ms() {
	local t=$EPOCHREALTIME
	echo $(( ${t/./} / 1000 ))
}

# merge_oracle FILE... -- the records of the FILEs sorted stably by event
# time (.ts, RFC 3339 or epoch seconds), then operand, then line: what
# --merge must write when every input is in order (or within its lateness)
merge_oracle() {
	python3 - "$@" <<-'EOF'
	import datetime, json, sys
	EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
	def micros(ts):
	    if isinstance(ts, (int, float)):
	        return round(ts * 1000000)
	    d = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))
	    return (d - EPOCH) // datetime.timedelta(microseconds=1)
	recs = []
	for op, path in enumerate(sys.argv[1:]):
	    with open(path, "rb") as f:
	        for n, line in enumerate(f):
	            if line.strip():
	                t = micros(json.loads(line)["ts"])
	                recs.append((t, op, n, line))
	recs.sort(key=lambda r: r[:3])
	sys.stdout.buffer.write(b"".join(r[3] for r in recs))
	EOF
}

# arrivals CMD... -- run CMD and print, for each line it writes, the
# seconds since its first line arrived, as read from the pipe
arrivals() {
	python3 -c '
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
t0 = None
for line in p.stdout:
    t = time.monotonic()
    if t0 is None:
        t0 = t
    print("%.4f" % (t - t0))
sys.exit(p.wait())' "$@"
}

# assert_gaps GAP... -- the lines of $output are arrival times (arrivals)
# whose successive gaps are the GAPs, each within 10% (and 10 ms, for a
# short gap on a busy machine)
assert_gaps() {
	local -a want=("$@")
	local i got g
	assert_equal "${#lines[@]}" "$(( ${#want[@]} + 1 ))"
	for ((i = 0; i < ${#want[@]}; i++)); do
		g=${want[i]}
		got=$(awk -v a="${lines[i]}" -v b="${lines[i + 1]}" \
		    'BEGIN { printf "%.4f", b - a }')
		awk -v got="$got" -v g="$g" 'BEGIN { d = g / 10
		    if (d < 0.01) d = 0.01; exit !(got >= g - d && got <= g + d) }' ||
		    fail "gap $((i + 1)) is $got s, expected $g s (+-10%); arrivals: ${lines[*]}"
	done
}

# ---------------------------------------------------------------------------
# NDJSON, the default format

@test "valid NDJSON records are written byte for byte" {
	stream-cat "$FIX/tricky.ndjson" >out 2>err
	assert_same_bytes "$FIX/tricky.ndjson" out
	assert_file_empty err
}

@test "inner spaces, key order, escapes and number spellings survive" {
	printf '%s\n' '{"z" : 1, "a":[ 1.50 , 2E3, -0.0 ] ,"s":"caf\u00e9 \/ \"q\""}' \
	    '{"id":9007199254740993,"u64":18446744073709551615,"neg":-9223372036854775809}' \
	    '[1, "two"]' '"str"' '1.0' 'null' 'true' '{}' >in
	run --separate-stderr stream-cat in
	assert_success
	assert_output "$(cat in)"
	assert_stderr ''
	stream-cat in >out
	assert_same_bytes in out
}

@test "generated events pass through unchanged, 64-bit ids included" {
	gen -n 3000 --seed 7 >in
	grep -q '"id":9007199254740993,' in	# the generator made big ids
	stream-cat in >out
	assert_same_bytes in out
}

@test "CRLF line endings become LF, inner escapes stay" {
	printf '{"a": 1}\r\n{"b":"x\\r\\n"}\r\n' >in
	printf '{"a": 1}\n{"b":"x\\r\\n"}\n' >expect
	stream-cat in >out
	assert_same_bytes expect out
}

@test "a UTF-8 BOM at the start of each operand is ignored" {
	printf '\357\273\277{"a": 1}\n{"b":2}\n' >in1
	printf '\357\273\277{"c":3}\n' >in2
	printf '{"a": 1}\n{"b":2}\n{"c":3}\n' >expect
	stream-cat in1 in2 >out 2>err
	assert_same_bytes expect out
	assert_file_empty err
}

@test "blank lines are skipped and not counted as input" {
	printf '\n\n{"a":1}\n\n  \n\t\n\r\n{"b":2}\n\n' >in
	run --separate-stderr stream-cat --stats in
	assert_success
	assert_output $'{"a":1}\n{"b":2}'
	run stats_of "$stderr"
	assert_output '{"tool":"stream-cat","in":2,"out":2,"bad":0,"late":0}'
}

@test "a last line without a newline is a record, written with one" {
	printf '{"a":1}\n{"b": 2}' >in
	printf '{"a":1}\n{"b": 2}\n' >expect
	stream-cat in >out
	assert_same_bytes expect out
}

@test "a 10 MB line passes through byte for byte" {
	python3 -c 'import sys; sys.stdout.write("{\"s\":\"" + "x" * 10485760 + "\",\"n\":1.0}\n")' >in
	stream-cat in >out
	assert_same_bytes in out
}

@test "the same input gives the same output bytes" {
	gen -n 2000 --seed 3 >in
	stream-cat --format json in >out1
	stream-cat --format json in >out2
	assert_same_bytes out1 out2
	assert_file_not_empty out1
}

# ---------------------------------------------------------------------------
# Operands

@test "FILE operands are read in order, - is stdin" {
	printf '%s\n' '{"f":"a1"}' '{"f":"a2"}' >a
	printf '%s\n' '{"f":"c"}' >c
	run --separate-stderr stream-cat a - c a <<<'{"f":"stdin"}'
	assert_success
	assert_output "$(printf '%s\n' '{"f":"a1"}' '{"f":"a2"}' '{"f":"stdin"}' \
	    '{"f":"c"}' '{"f":"a1"}' '{"f":"a2"}')"
	assert_stderr ''
}

@test "no FILE operand reads stdin" {
	run --separate-stderr stream-cat <<<'{"f":1}'
	assert_success
	assert_output '{"f":1}'
	assert_stderr ''
}

@test "an unreadable FILE is reported, the others are read, exit 1" {
	printf '%s\n' '{"a":1}' >a
	printf '%s\n' '{"b":2}' >b
	mkdir dir
	run --separate-stderr stream-cat a nosuch b dir a
	assert_failure 1
	assert_output $'{"a":1}\n{"b":2}\n{"a":1}'
	assert_stderr_line --index 0 'stream-cat: nosuch: No such file or directory'
	assert_stderr_line --index 1 'stream-cat: dir: Is a directory'
	assert_equal "${#stderr_lines[@]}" 2
}

@test "each operand has its own line numbers in messages" {
	printf '{"a":1}\n\nx\n' >one
	printf 'y\n' >two
	run --separate-stderr stream-cat one two
	assert_success
	assert_output '{"a":1}'
	assert_stderr_line --index 0 "stream-cat: one:3: invalid JSON at column 1: unexpected 'x'"
	assert_stderr_line --index 1 "stream-cat: two:1: invalid JSON at column 1: unexpected 'y'"
}

# ---------------------------------------------------------------------------
# --format json

@test "--format json: the example of the man page" {
	printf '[\n  {"a": 1,\n   "b": [1, 2]},\n  "x"\n]\n{"c": 1.50}\n' >in
	run --separate-stderr stream-cat --format json in
	assert_success
	assert_output $'{"a":1,"b":[1,2]}\n"x"\n{"c":1.50}'
	assert_stderr ''
}

@test "--format json: concatenated values with and without space between" {
	printf '{"a":1}{"b":2}"s"{"c":[3]} {"d":4}\t\t{"e":5}\n{"f":6}' >in
	run --separate-stderr stream-cat --format json in
	assert_success
	assert_output "$(printf '%s\n' '{"a":1}' '{"b":2}' '"s"' '{"c":[3]}' \
	    '{"d":4}' '{"e":5}' '{"f":6}')"
	assert_stderr ''
}

@test "--format json: pretty-printed values become compact lines" {
	cat >in <<-'EOF'
	{
	    "user": "bob",
	    "tags": [
	        "a",
	        "b c"
	    ],
	    "geo": {
	        "lat": 52.50,
	        "lon": 1E2
	    },
	    "empty": { },
	    "none": [ ]
	}
	{
	    "n": 2
	}
	EOF
	run --separate-stderr stream-cat --format json in
	assert_success
	assert_output $'{"user":"bob","tags":["a","b c"],"geo":{"lat":52.50,"lon":1E2},"empty":{},"none":[]}\n{"n":2}'
	assert_stderr ''
}

@test "--format json: number and string spellings are kept" {
	printf '%s\n' '{ "n" : 1.50 , "e" : 2.5E-3 , "z" : -0.0 , "big" : 9007199254740993 ,' \
	    $'  "s" : "caf\\u00e9 \\/ \\" x\\ty" , "u": "caf\303\251" }' >in
	run --separate-stderr stream-cat --format json in
	assert_success
	assert_output "$(printf '%s%s' '{"n":1.50,"e":2.5E-3,"z":-0.0,"big":9007199254740993,"s":"caf\u00e9 \/ \" x\ty",' \
	    $'"u":"caf\303\251"}')"
	assert_stderr ''
}

@test "--format json: a top-level array is streamed, one record per element" {
	printf '%s\n' '[' ' {"i": 0},' ' [1, [2, []]],' ' "s",' ' 3.0,' ' null,' \
	    ' [],' ' {}' ']' '[{"i":1}] [ {"i" : 2} ]' >in
	run --separate-stderr stream-cat --format json in
	assert_success
	assert_output "$(printf '%s\n' '{"i":0}' '[1,[2,[]]]' '"s"' '3.0' 'null' \
	    '[]' '{}' '{"i":1}' '{"i":2}')"
	assert_stderr ''
}

@test "--format json: nested arrays are values, not streamed" {
	printf '%s\n' '{"a": [[1, 2], [3]]}' '[[1, 2], [3, [4]]]' >in
	run --separate-stderr stream-cat --format json in
	assert_success
	assert_output $'{"a":[[1,2],[3]]}\n[1,2]\n[3,[4]]'
	assert_stderr ''
}

@test "--format json: an empty top-level array gives no record" {
	printf '[]\n[ ]\n[\n]\n{"after":true}\n' >in
	run --separate-stderr stream-cat --format json --stats in
	assert_success
	assert_output '{"after":true}'
	run stats_of "$stderr"
	assert_output '{"tool":"stream-cat","in":1,"out":1,"bad":0,"late":0}'
}

@test "--format json: bare scalars are records" {
	printf '1 "x" true false null -2.5e3\n"y"\n42' >in
	run --separate-stderr stream-cat --format json in
	assert_success
	assert_output "$(printf '%s\n' 1 '"x"' true false null -2.5e3 '"y"' 42)"
	assert_stderr ''
}

@test "--format json: an array of many elements is read in the memory of one" {
	# 20000 elements, 400 KB in all, under --max-line 1K
	python3 -c 'import json; print(json.dumps([{"i": i, "pad": "x" * 8} for i in range(20000)], indent=1))' >in
	python3 -c 'import json
for i in range(20000): print(json.dumps({"i": i, "pad": "x" * 8}, separators=(",", ":")))' >expect
	stream-cat --format json --max-line 1K in >out 2>err
	assert_same_bytes expect out
	assert_file_empty err
}

@test "--format json: a BOM, CRLF line ends and blank lines are fine" {
	printf '\357\273\277{"a":\r\n1}\r\n\r\n[2,\r\n3]\r\n' >in
	run --separate-stderr stream-cat --format json in
	assert_success
	assert_output $'{"a":1}\n2\n3'
	assert_stderr ''
}

# ---------------------------------------------------------------------------
# --format lines

@test "--format lines: each line becomes {\"line\":...}" {
	printf '%s\n' 'Nov 25 10:00:01 web1 sshd[812]: Failed password for "bob"' >in
	run --separate-stderr stream-cat --format lines in
	assert_success
	assert_output '{"line":"Nov 25 10:00:01 web1 sshd[812]: Failed password for \"bob\""}'
	assert_stderr ''
}

@test "--format lines: quotes, backslashes, tabs and control characters are escaped" {
	printf 'say "hi"\\there\ta\001b\037c\177d\bx\fy\n' >in
	run --separate-stderr stream-cat --format lines in
	assert_success
	assert_output '{"line":"say \"hi\"\\there\ta\u0001b\u001fc\u007fd\bx\fy"}'
	assert_stderr ''
	# as jq escapes it
	assert_output "$(jq -R -c '{line: .}' in)"
}

@test "--format lines: a NUL byte is valid UTF-8, written as \\u0000" {
	printf 'a\000b\n' >in
	run --separate-stderr stream-cat --format lines in
	assert_success
	assert_output '{"line":"a\u0000b"}'
	assert_stderr ''
}

@test "--format lines: UTF-8, spaces and JSON-looking text are kept as text" {
	printf '  caf\303\251 \360\237\230\200 \n{"a": 1}\n/a\\/b\n' >in
	run --separate-stderr stream-cat --format lines in
	assert_success
	assert_output "$(printf '%s\n' $'{"line":"  caf\303\251 \360\237\230\200 "}' \
	    '{"line":"{\"a\": 1}"}' '{"line":"/a\\/b"}')"
	assert_stderr ''
}

@test "--format lines: blank lines are skipped, CRLF is dropped" {
	printf 'one\r\n\r\n\n   \n\t\ntwo\r\nthree' >in
	run --separate-stderr stream-cat --format lines --stats in
	assert_success
	assert_output $'{"line":"one"}\n{"line":"two"}\n{"line":"three"}'
	run stats_of "$stderr"
	assert_output '{"tool":"stream-cat","in":3,"out":3,"bad":0,"late":0}'
}

# ---------------------------------------------------------------------------
# --format logfmt

@test "--format logfmt: the example of the man page" {
	printf '%s\n' 'level=info msg="bob \"in\"" ms=12.5 ok=true zip=01234 admin note=' >in
	run --separate-stderr stream-cat --format logfmt in
	assert_success
	assert_output '{"level":"info","msg":"bob \"in\"","ms":12.5,"ok":true,"zip":"01234","admin":true,"note":""}'
	assert_stderr ''
}

@test "--format logfmt: quoted values decode every JSON escape" {
	printf '%s\n' 's="a\"b\\c\/d\be\ff\ng\rh\ti\u00e9j\ud83d\ude00" t="x y=z"' >in
	run --separate-stderr stream-cat --format logfmt in
	assert_success
	assert_output "$(printf '%s' '{"s":"a\"b\\c/d\be\ff\ng\rh\ti' \
	    $'\303\251j\360\237\230\200' '","t":"x y=z"}')"
	assert_stderr ''
}

@test "--format logfmt: a bare key is true, key= is the empty string" {
	printf '%s\n' 'debug a= b c="" d' >in
	run --separate-stderr stream-cat --format logfmt in
	assert_success
	assert_output '{"debug":true,"a":"","b":true,"c":"","d":true}'
	assert_stderr ''
}

@test "--format logfmt: a repeated key keeps its first place and its last value" {
	printf '%s\n' 'a=1 b=2 a=3' 'x=1 y=2 x="s" z x' >in
	run --separate-stderr stream-cat --format logfmt in
	assert_success
	assert_output $'{"a":3,"b":2}\n{"x":true,"y":2,"z":true}'
	assert_stderr ''
}

@test "--format logfmt: bare values are typed, quoted values stay strings" {
	printf '%s\n' 'n=42 neg=-1.5 e=2e3 f=0.25 big=9007199254740993 t=true f2=false' \
	    'q="42" qt="true" qb="9007199254740993"' \
	    'z=007 p=+1 d=1. h=.5 x=0x1F nan=NaN inf=inf T=TRUE nul=null' >in
	run --separate-stderr stream-cat --format logfmt in
	assert_success
	assert_line --index 0 '{"n":42,"neg":-1.5,"e":2e3,"f":0.25,"big":9007199254740993,"t":true,"f2":false}'
	assert_line --index 1 '{"q":"42","qt":"true","qb":"9007199254740993"}'
	assert_line --index 2 '{"z":"007","p":"+1","d":"1.","h":".5","x":"0x1F","nan":"NaN","inf":"inf","T":"TRUE","nul":"null"}'
	assert_equal "${#lines[@]}" 3
	assert_stderr ''
}

@test "--format logfmt: an '=' inside a bare value is part of it" {
	printf '%s\n' 'url=/a?b=c&d=e  method=GET' >in
	run --separate-stderr stream-cat --format logfmt in
	assert_success
	assert_output '{"url":"/a?b=c&d=e","method":"GET"}'
}

@test "--format logfmt: keys in the order of first appearance, UTF-8 kept" {
	printf 'z=1 caf\303\251=2 a=3\n' >in
	run --separate-stderr stream-cat --format logfmt in
	assert_success
	assert_output "$(printf '{"z":1,"caf\303\251":2,"a":3}')"
}

# ---------------------------------------------------------------------------
# --format csv

@test "--format csv: the example of the man page" {
	printf '%s\n' 'id,name,amount,note' '1,"Smith, Ann",12.50,"said ""hi""' \
	    'and left"' '2,Bob,007,"42"' '3,Eve,,' >in
	run --separate-stderr stream-cat --format csv in
	assert_success
	assert_line --index 0 '{"id":1,"name":"Smith, Ann","amount":12.50,"note":"said \"hi\"\nand left"}'
	assert_line --index 1 '{"id":2,"name":"Bob","amount":"007","note":"42"}'
	assert_line --index 2 '{"id":3,"name":"Eve","amount":"","note":""}'
	assert_equal "${#lines[@]}" 3
	assert_stderr ''
}

@test "--format csv: the header row names the keys, in column order" {
	printf '%s\n' 'z,a,m' 'x,y,w' >in
	run --separate-stderr stream-cat --format csv --stats in
	assert_success
	assert_output '{"z":"x","a":"y","m":"w"}'
	run stats_of "$stderr"		# the header is not a record
	assert_output '{"tool":"stream-cat","in":1,"out":1,"bad":0,"late":0}'
}

@test "--format csv: \"\" is a quote, commas inside quotes are text" {
	printf '%s\n' 'a,b,c' '"x ""y"", z",",",""""' '"",""",","a,b,,c"' >in
	run --separate-stderr stream-cat --format csv in
	assert_success
	assert_line --index 0 '{"a":"x \"y\", z","b":",","c":"\""}'
	assert_line --index 1 '{"a":"","b":"\",","c":"a,b,,c"}'
	assert_stderr ''
}

@test "--format csv: a quoted field may span two lines" {
	printf '%s\n' 'id,text' '1,"first' 'second"' '2,x' >in
	run --separate-stderr stream-cat --format csv in
	assert_success
	assert_output $'{"id":1,"text":"first\\nsecond"}\n{"id":2,"text":"x"}'
	assert_stderr ''
}

@test "--format csv: a quoted field may span three lines, blank ones included" {
	printf '%s\n' 'id,text,n' '1,"one' '' 'three, ""q""",5' '2,"a' 'b' 'c",6' >in
	run --separate-stderr stream-cat --format csv in
	assert_success
	assert_output $'{"id":1,"text":"one\\n\\nthree, \\"q\\"","n":5}\n{"id":2,"text":"a\\nb\\nc","n":6}'
	assert_stderr ''
}

@test "--format csv: a record's line number is that of its first line" {
	printf '%s\n' 'a,b' '1,"x' 'y"' '' '2,"p' 'q' 'r",3' >in
	run --separate-stderr stream-cat --format csv in
	assert_success
	assert_output '{"a":1,"b":"x\ny"}'
	assert_stderr 'stream-cat: in:5: 3 fields, the header has 2'
}

@test "--format csv: empty fields are empty strings, \"\" too" {
	printf '%s\n' 'a,b,c,d' ',,,' '"",1,"",' >in
	run --separate-stderr stream-cat --format csv in
	assert_success
	assert_output $'{"a":"","b":"","c":"","d":""}\n{"a":"","b":1,"c":"","d":""}'
	assert_stderr ''
}

@test "--format csv: a CRLF file reads as LF, line breaks in quotes are \\n" {
	printf 'a,b\r\n1,"x\r\ny"\r\n\r\n2,"z"\r\n' >in
	run --separate-stderr stream-cat --format csv in
	assert_success
	assert_output $'{"a":1,"b":"x\\ny"}\n{"a":2,"b":"z"}'
	assert_stderr ''
}

@test "--format csv: duplicate header names get suffixes _2, _3" {
	printf '%s\n' 'a,b,a,a' '1,2,3,4' >in
	run --separate-stderr stream-cat --format csv in
	assert_success
	assert_output '{"a":1,"b":2,"a_2":3,"a_3":4}'
	assert_stderr ''
}

@test "--format csv: unquoted fields are typed, quoted ones stay strings" {
	printf '%s\n' 'n,neg,e,f,big,t,f2,z,p,d,h,x,nan,T,nul,sp,q,qt' \
	    '42,-1.5,2e3,0.25,9007199254740993,true,false,007,+1,1.,.5,0x1F,NaN,TRUE,null, 42,"42","true"' >in
	run --separate-stderr stream-cat --format csv in
	assert_success
	assert_output '{"n":42,"neg":-1.5,"e":2e3,"f":0.25,"big":9007199254740993,"t":true,"f2":false,"z":"007","p":"+1","d":"1.","h":".5","x":"0x1F","nan":"NaN","T":"TRUE","nul":"null","sp":" 42","q":"42","qt":"true"}'
	assert_stderr ''
}

@test "--format csv: a column is typed field by field" {
	printf '%s\n' 'v' '1' 'x' '2.0' 'true' >in
	run --separate-stderr stream-cat --format csv in
	assert_success
	assert_output $'{"v":1}\n{"v":"x"}\n{"v":2.0}\n{"v":true}'
}

@test "--format csv: blank lines outside quotes are skipped" {
	printf '\na,b\n\n1,2\n   \n\n3,4\n\n' >in
	run --separate-stderr stream-cat --format csv --stats in
	assert_success
	assert_output $'{"a":1,"b":2}\n{"a":3,"b":4}'
	run stats_of "$stderr"
	assert_output '{"tool":"stream-cat","in":2,"out":2,"bad":0,"late":0}'
}

@test "--format csv: each operand has its own header row" {
	printf '%s\n' 'a,b' '1,2' >one
	printf '%s\n' 'x,y,z' '3,4,5' >two
	run --separate-stderr stream-cat --format csv one two
	assert_success
	assert_output $'{"a":1,"b":2}\n{"x":3,"y":4,"z":5}'
	assert_stderr ''
}

@test "--format csv --header NAMES: every row is data" {
	printf '%s\n' '1,x' '2,"y, z"' >in
	run --separate-stderr stream-cat --format csv --header id,name in
	assert_success
	assert_output $'{"id":1,"name":"x"}\n{"id":2,"name":"y, z"}'
	assert_stderr ''
}

@test "--format csv --header: names split by CSV rules, quotes and duplicates" {
	printf '%s\n' '1,2,3' >in
	run --separate-stderr stream-cat --format csv --header '"a,b",c,c' in
	assert_success
	assert_output '{"a,b":1,"c":2,"c_2":3}'
	assert_stderr ''
}

# ---------------------------------------------------------------------------
# --format tsv

@test "--format tsv: the example of the man page" {
	printf 'user\tmsg\tn\nbob\tfirst\\nsecond\t3\n' >in
	run --separate-stderr stream-cat --format tsv in
	assert_success
	assert_output '{"user":"bob","msg":"first\nsecond","n":3}'
	assert_stderr ''
}

@test "--format tsv: \\t \\n \\r \\\\ decode, other backslashes stay" {
	printf 'a\tb\tc\nx\\ty\tp\\\\q\\rr\t\\z"q"\n' >in
	run --separate-stderr stream-cat --format tsv in
	assert_success
	assert_output '{"a":"x\ty","b":"p\\q\rr","c":"\\z\"q\""}'
	assert_stderr ''
}

@test "--format tsv: no quoting, commas are text, fields typed" {
	printf 'a\tb\tc\td\te\n"x"\t1,5\t007\t9007199254740993\tfalse\n' >in
	run --separate-stderr stream-cat --format tsv in
	assert_success
	assert_output '{"a":"\"x\"","b":"1,5","c":"007","d":9007199254740993,"e":false}'
	assert_stderr ''
}

@test "--format tsv: empty fields, CRLF and duplicate header names" {
	printf 'a\ta\tb\r\n\t\t\r\n1\t\t2\r\n' >in
	run --separate-stderr stream-cat --format tsv in
	assert_success
	assert_output $'{"a":"","a_2":"","b":""}\n{"a":1,"a_2":"","b":2}'
	assert_stderr ''
}

@test "--format tsv --header NAMES: names split on tabs, every row is data" {
	printf '1\tx y\n2\tz\n' >in
	run --separate-stderr stream-cat --format tsv --header $'id\tname' in
	assert_success
	assert_output $'{"id":1,"name":"x y"}\n{"id":2,"name":"z"}'
	assert_stderr ''
}

# ---------------------------------------------------------------------------
# -n, --limit

@test "-n N stops after N records" {
	numbered 5 >in
	run --separate-stderr stream-cat -n 2 in
	assert_success
	assert_output $'{"i":0}\n{"i":1}'
	assert_stderr ''
}

@test "--limit N counts records written, not bad ones, across operands" {
	printf '%s\n' '{"i":0}' 'bad' >one
	printf '%s\n' '{"i":1}' '{"i":2}' '{"i":3}' >two
	run --separate-stderr stream-cat --limit 3 --on-error skip one two
	assert_success
	assert_output $'{"i":0}\n{"i":1}\n{"i":2}'
	assert_stderr ''
}

@test "-n N stops reading an endless input" {
	run --separate-stderr timeout 10 bash -c \
	    "yes '{\"a\":1}' | stream-cat -n 3"
	assert_success
	assert_output $'{"a":1}\n{"a":1}\n{"a":1}'
	assert_stderr ''
}

@test "-n N larger than the input writes it all" {
	numbered 3 >in
	run --separate-stderr stream-cat -n 100 in
	assert_success
	assert_output "$(cat in)"
}

@test "-n applies to converted formats" {
	printf '%s\n' 'a' '1' '2' '3' >in
	run --separate-stderr stream-cat --format csv -n 2 in
	assert_success
	assert_output $'{"a":1}\n{"a":2}'
}

# ---------------------------------------------------------------------------
# --add-source, --add-ingest-time

@test "--add-source NAME adds the operand's name, <stdin> for stdin" {
	printf '%s\n' '{"a":1}' >one
	printf '%s\n' '{"b":2}' >sub.log
	mkdir d
	cp one d/x.ndjson
	run --separate-stderr stream-cat --add-source src one - sub.log d/x.ndjson <<<'{"c":3}'
	assert_success
	assert_output "$(printf '%s\n' '{"a":1,"src":"one"}' '{"c":3,"src":"<stdin>"}' \
	    '{"b":2,"src":"sub.log"}' '{"a":1,"src":"d/x.ndjson"}')"
	assert_stderr ''
	run --separate-stderr stream-cat --add-source src <<<'{"c":3}'
	assert_output '{"c":3,"src":"<stdin>"}'
}

@test "--add-source keeps the text of the other members" {
	printf '%s\n' '{ "b" : [1, 2] , "a":1.50 }' '{}' '{ }' '{"s":"\u00e9"}' >in
	run --separate-stderr stream-cat --add-source f in
	assert_success
	assert_line --index 0 --regexp '^\{ "b" : \[1, 2\] , "a":1\.50 ?,"f":"in"\}$'
	assert_line --index 1 '{"f":"in"}'
	assert_line --index 2 '{"f":"in"}'
	assert_line --index 3 '{"s":"\u00e9","f":"in"}'
	assert_stderr ''
	# and the result is the input object with f added
	run bash -c 'stream-cat --add-source f in | jq -c .'
	assert_output "$(jq -c '. + {f: "in"}' in)"
}

@test "--add-source replaces a member of that name, at the end" {
	printf '%s\n' '{"src":"old","a":1,"b":2}' '{"a":1,"src":{"x":1}}' \
	    '{"a":1,"src":1,"src":2}' >in
	run --separate-stderr stream-cat --add-source src in
	assert_success
	assert_output "$(printf '%s\n' '{"a":1,"b":2,"src":"in"}' \
	    '{"a":1,"src":"in"}' '{"a":1,"src":"in"}')"
	assert_stderr ''
}

@test "--add-source: a member name spelled with escapes is still replaced" {
	printf '%s\n' '{"\u0073rc":"old","a":1}' >in
	run --separate-stderr stream-cat --add-source src in
	assert_success
	assert_output '{"a":1,"src":"in"}'
}

@test "--add-source: a record that is not an object is a bad record" {
	printf '%s\n' '{"a":1}' '[1,2]' '"s"' '3' '{"b":2}' >in
	run --separate-stderr stream-cat --add-source src in
	assert_success
	assert_output $'{"a":1,"src":"in"}\n{"b":2,"src":"in"}'
	assert_stderr_line --index 0 'stream-cat: in:2: --add-source needs an object record'
	assert_stderr_line --index 1 'stream-cat: in:3: --add-source needs an object record'
	assert_stderr_line --index 2 'stream-cat: in:4: --add-source needs an object record'
	assert_equal "${#stderr_lines[@]}" 3
}

@test "--add-source works with every format" {
	printf '%s\n' 'a,b' '1,2' >c.csv
	printf '%s\n' 'k=v' >l.log
	printf '%s\n' 'text' >t.txt
	printf '%s\n' '[{"j":1}]' >j.json
	run --separate-stderr stream-cat --format csv --add-source file c.csv
	assert_output '{"a":1,"b":2,"file":"c.csv"}'
	run --separate-stderr stream-cat --format logfmt --add-source file l.log
	assert_output '{"k":"v","file":"l.log"}'
	run --separate-stderr stream-cat --format lines --add-source file t.txt
	assert_output '{"line":"text","file":"t.txt"}'
	run --separate-stderr stream-cat --format json --add-source file j.json
	assert_output '{"j":1,"file":"j.json"}'
}

@test "--add-ingest-time NAME adds the time read, RFC 3339 UTC with ms" {
	numbered 3 >in
	before=$(now_ms)
	run --separate-stderr stream-cat --add-ingest-time at in
	after=$(now_ms)
	assert_success
	assert_stderr ''
	assert_equal "${#lines[@]}" 3
	for l in "${lines[@]}"; do
		[[ $l =~ ^\{\"i\":[0-9],\"at\":\"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z)\"\}$ ]] ||
		    fail "not an RFC 3339 time with ms: $l"
		t=$(python3 -c 'import datetime, sys
d = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%S.%fZ")
d = d.replace(tzinfo=datetime.timezone.utc)
print(round(d.timestamp() * 1000))' "${BASH_REMATCH[1]}")
		test "$t" -ge "$((before - 1))" && test "$t" -le "$((after + 1))" ||
		    fail "ingest time $t ms not within [$before, $after]"
	done
}

@test "--time-output s and ms give numbers" {
	numbered 2 >in
	before=$(now_ms)
	stream-cat --add-ingest-time at --time-output s in >out_s
	stream-cat --add-ingest-time at --time-output ms in >out_ms
	stream-cat --add-ingest-time at --time-output rfc3339 in >out_r
	after=$(now_ms)
	run jq -e --argjson lo "$before" --argjson hi "$after" \
	    '.at | type == "number" and . * 1000 >= $lo - 1 and . * 1000 <= $hi + 1' out_s
	assert_success
	run jq -e --argjson lo "$before" --argjson hi "$after" \
	    '.at | type == "number" and . == floor and . >= $lo - 1 and . <= $hi + 1' out_ms
	assert_success
	run jq -r '.at | type' out_r
	assert_output $'string\nstring'
	run jq -c 'del(.at)' out_ms
	assert_output "$(cat in)"
}

@test "--add-ingest-time replaces a member of that name" {
	printf '%s\n' '{"at":"old","a":1}' >in
	run --separate-stderr stream-cat --add-ingest-time at --time-output ms in
	assert_success
	assert_output --regexp '^\{"a":1,"at":[0-9]{13}\}$'
}

@test "--add-ingest-time: a record that is not an object is a bad record" {
	printf '%s\n' '{"a":1}' '[1]' >in
	run --separate-stderr stream-cat --add-ingest-time at in
	assert_success
	assert_output --regexp '^\{"a":1,"at":"[^"]+"\}$'
	assert_stderr 'stream-cat: in:2: --add-ingest-time needs an object record'
}

@test "--add-source comes before --add-ingest-time, whatever the option order" {
	printf '%s\n' '{"a":1,"t":0,"s":0}' >in
	run --separate-stderr stream-cat --add-ingest-time t --time-output ms \
	    --add-source s in
	assert_success
	assert_output --regexp '^\{"a":1,"s":"in","t":[0-9]{13}\}$'
	assert_stderr ''
}

# ---------------------------------------------------------------------------
# --merge

@test "--merge of three generated files is in event-time order, ties by operand" {
	gen -n 2000 --seed 11 >a.ndjson
	gen -n 2000 --seed 12 --start 2026-11-25T10:00:00.250Z >b.ndjson
	gen -n 2000 --seed 13 --start 2026-11-25T09:59:59.500Z >c.ndjson
	merge_oracle a.ndjson b.ndjson c.ndjson >expect
	# the inputs interleave, and share some milliseconds (ties)
	cut -c1-32 a.ndjson b.ndjson c.ndjson | sort | uniq -d | grep -q . ||
	    fail "no tie across the inputs: the test proves less"
	run --separate-stderr stream-cat --merge --stats a.ndjson b.ndjson c.ndjson
	assert_success
	printf '%s\n' "$output" >out
	assert_same_bytes expect out
	run stats_of "$stderr"
	assert_output '{"tool":"stream-cat","in":6000,"out":6000,"bad":0,"late":0}'
}

@test "--merge: equal times go in operand order, then input order" {
	printf '%s\n' '{"ts":1,"k":"a1"}' '{"ts":2,"k":"a2"}' '{"ts":2,"k":"a3"}' >a
	printf '%s\n' '{"ts":2,"k":"b1"}' '{"ts":2,"k":"b2"}' '{"ts":3,"k":"b3"}' >b
	printf '%s\n' '{"ts":0,"k":"c1"}' '{"ts":2,"k":"c2"}' >c
	run --separate-stderr stream-cat --merge c a b
	assert_success
	assert_output "$(printf '{"ts":%s,"k":"%s"}\n' 0 c1 1 a1 2 c2 2 a2 2 a3 2 b1 2 b2 3 b3)"
	assert_stderr ''
}

@test "--merge reads RFC 3339 times with offsets and fractions" {
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z","k":1}' \
	    '{"ts":"2026-11-25T11:00:01.5+01:00","k":3}' >a
	printf '%s\n' '{"ts":"2026-11-25T05:00:01.25-05:00","k":2}' \
	    '{"ts":"2026-11-25T10:00:02.000Z","k":4}' >b
	run --separate-stderr stream-cat --merge a b
	assert_success
	run jq -c .k <<<"$output"
	assert_output $'1\n2\n3\n4'
}

@test "--merge: a record older than one written is written at once, counted late" {
	printf '%s\n' '{"ts":1}' '{"ts":3}' '{"ts":4}' '{"ts":2}' '{"ts":5}' >in
	run --separate-stderr stream-cat --merge --stats in
	assert_success
	assert_output "$(printf '{"ts":%s}\n' 1 3 2 4 5)"
	run stats_of "$stderr"
	assert_output '{"tool":"stream-cat","in":5,"out":5,"bad":0,"late":1}'
}

@test "--merge of disordered inputs: nothing lost, late records counted" {
	gen -n 1000 --seed 21 --disorder 50 >a
	gen -n 1000 --seed 22 --disorder 50 >b
	run --separate-stderr stream-cat --merge --stats a b
	assert_success
	printf '%s\n' "$output" >out
	stats=$stderr
	# every record once
	sort a b >expect
	sort out >got
	assert_same_bytes expect got
	# late: the records older than one written before them
	late=$(jq -r .ts out | awk 'NR > 1 && $0 < max { n++ }
	    $0 > max { max = $0 } END { print n + 0 }')
	test "$late" -gt 0 || fail "no late record: the test proves nothing"
	run jq .late <<<"$stats"
	assert_output "$late"
}

@test "--merge --lateness DUR repairs disorder within DUR" {
	# each time moved by less than 50 ms: out of order by less than 100 ms
	gen -n 1500 --seed 31 --disorder 50 >a
	gen -n 1500 --seed 32 --disorder 50 --start 2026-11-25T10:00:00.100Z >b
	gen -n 1500 --seed 33 --disorder 50 --start 2026-11-25T09:59:59.800Z >c
	merge_oracle a b c >expect
	run --separate-stderr stream-cat --merge --lateness 100ms --stats a b c
	assert_success
	printf '%s\n' "$output" >out
	assert_same_bytes expect out
	run stats_of "$stderr"
	assert_output '{"tool":"stream-cat","in":4500,"out":4500,"bad":0,"late":0}'
}

@test "--merge --lateness on one input sorts it" {
	printf '%s\n' '{"ts":"2026-11-25T10:00:01Z","k":2}' \
	    '{"ts":"2026-11-25T10:00:00Z","k":1}' '{"ts":"2026-11-25T10:00:03Z","k":4}' \
	    '{"ts":"2026-11-25T10:00:02.5Z","k":3}' '{"ts":"2026-11-25T10:00:04Z","k":5}' >in
	run --separate-stderr stream-cat --merge --lateness 1s --stats in
	assert_success
	run jq -c .k <<<"$output"
	assert_output $'1\n2\n3\n4\n5'
	run stats_of "$stderr"
	assert_output '{"tool":"stream-cat","in":5,"out":5,"bad":0,"late":0}'
}

@test "--merge: a record without a usable time is a bad record" {
	printf '%s\n' '{"ts":1,"k":"a"}' '{"k":"no time"}' '{"ts":"soon"}' '{"ts":3,"k":"c"}' >a
	printf '%s\n' '{"ts":2,"k":"b"}' >b
	run --separate-stderr stream-cat --merge --stats a b
	assert_success
	assert_output "$(printf '%s\n' '{"ts":1,"k":"a"}' '{"ts":2,"k":"b"}' '{"ts":3,"k":"c"}')"
	assert_stderr_line --index 0 --regexp '^stream-cat: a:2: no usable time'
	assert_stderr_line --index 1 --regexp '^stream-cat: a:3: no usable time'
	run stats_of "${stderr_lines[2]}"
	assert_output '{"tool":"stream-cat","in":5,"out":3,"bad":2,"late":0}'
}

@test "--merge --time EXPR --time-unit ms" {
	printf '%s\n' '{"at":{"t":1764064800000},"f":"a"}' '{"at":{"t":1764064803000},"f":"a"}' >a
	printf '%s\n' '{"at":{"t":1764064802000},"f":"b"}' '{"at":{"t":1764064802500},"f":"b"}' >b
	run --separate-stderr stream-cat --merge --time .at.t --time-unit ms a b
	assert_success
	run jq -c '[.at.t, .f]' <<<"$output"
	assert_output $'[1764064800000,"a"]\n[1764064802000,"b"]\n[1764064802500,"b"]\n[1764064803000,"a"]'
}

@test "--merge --time-unit us and ns, seconds by default" {
	printf '%s\n' '{"ts":1764064800000000}' '{"ts":1764064802000000}' >a
	printf '%s\n' '{"ts":1764064801000000}' >b
	run --separate-stderr stream-cat --merge --time-unit us a b
	assert_output "$(printf '{"ts":%s}\n' 1764064800000000 1764064801000000 1764064802000000)"
	printf '%s\n' '{"ts":1764064800000000000}' '{"ts":1764064802000000000}' >a
	printf '%s\n' '{"ts":1764064801000000000}' >b
	run --separate-stderr stream-cat --merge --time-unit ns a b
	assert_output "$(printf '{"ts":%s}\n' 1764064800000000000 1764064801000000000 1764064802000000000)"
	printf '%s\n' '{"ts":1764064800.25}' '{"ts":1764064800.75}' >a
	printf '%s\n' '{"ts":1764064800.5}' >b
	run --separate-stderr stream-cat --merge a b
	assert_output "$(printf '{"ts":%s}\n' 1764064800.25 1764064800.5 1764064800.75)"
}

@test "--merge --time-format FMT reads times with strptime" {
	printf '%s\n' '{"t":"25/Nov/2026:10:00:05","f":"a"}' '{"t":"25/Nov/2026:10:00:09","f":"a"}' >a
	printf '%s\n' '{"t":"25/Nov/2026:10:00:07","f":"b"}' '{"t":"26/Nov/2026:00:00:00","f":"b"}' >b
	run --separate-stderr stream-cat --merge --time .t --time-format '%d/%b/%Y:%H:%M:%S' a b
	assert_success
	run jq -r .t <<<"$output"
	assert_output $'25/Nov/2026:10:00:05\n25/Nov/2026:10:00:07\n25/Nov/2026:10:00:09\n26/Nov/2026:00:00:00'
}

@test "--merge works on decoded records: csv column as --time" {
	printf '%s\n' 'date,f' '2026-11-25T10:00:02Z,a' '2026-11-25T10:00:04Z,a' >a.csv
	printf '%s\n' 'date,f' '2026-11-25T10:00:03Z,b' >b.csv
	run --separate-stderr stream-cat --format csv --merge --time .date a.csv b.csv
	assert_success
	assert_output "$(printf '{"date":"2026-11-25T10:00:0%s","f":"%s"}\n' 2Z a 3Z b 4Z a)"
}

@test "--merge with --add-source names each record's operand" {
	printf '%s\n' '{"ts":1}' '{"ts":3}' >a
	printf '%s\n' '{"ts":2}' >b
	run --separate-stderr stream-cat --merge --add-source src a - b <<<'{"ts":1.5}'
	assert_success
	assert_output "$(printf '%s\n' '{"ts":1,"src":"a"}' '{"ts":1.5,"src":"<stdin>"}' \
	    '{"ts":2,"src":"b"}' '{"ts":3,"src":"a"}')"
}

@test "--merge with -n stops after N records" {
	printf '%s\n' '{"ts":1}' '{"ts":3}' >a
	printf '%s\n' '{"ts":2}' '{"ts":4}' >b
	run --separate-stderr stream-cat --merge -n 3 a b
	assert_success
	assert_output "$(printf '{"ts":%s}\n' 1 2 3)"
}

@test "--merge: an unreadable operand is reported, the others merged, exit 1" {
	printf '%s\n' '{"ts":1}' '{"ts":3}' >a
	printf '%s\n' '{"ts":2}' >b
	run --separate-stderr stream-cat --merge a nosuch b
	assert_failure 1
	assert_output "$(printf '{"ts":%s}\n' 1 2 3)"
	assert_stderr 'stream-cat: nosuch: No such file or directory'
}

# ---------------------------------------------------------------------------
# --replay, --rate

# five records 0.3 s apart in event time
replay_input() {
	printf '%s\n' '{"ts":"2026-11-25T10:00:00.0Z","i":0}' \
	    '{"ts":"2026-11-25T10:00:00.3Z","i":1}' '{"ts":"2026-11-25T10:00:00.6Z","i":2}' \
	    '{"ts":"2026-11-25T10:00:00.9Z","i":3}' '{"ts":"2026-11-25T10:00:01.2Z","i":4}' >in
}

@test "--replay writes records at the pace of their event time" {
	replay_input
	run --separate-stderr arrivals stream-cat --replay in
	assert_success
	assert_gaps 0.3 0.3 0.3 0.3
	stream-cat --replay in >out
	assert_same_bytes in out
}

@test "--replay=3 is three times as fast" {
	replay_input
	run --separate-stderr arrivals stream-cat --replay=3 in
	assert_success
	assert_gaps 0.1 0.1 0.1 0.1
}

@test "--replay=0.5 is half as fast" {
	printf '%s\n' '{"ts":100}' '{"ts":100.2}' '{"ts":100.5}' >in
	run --separate-stderr arrivals stream-cat --replay=0.5 in
	assert_success
	assert_gaps 0.4 0.6
}

@test "--replay: a record older than one written goes out at once" {
	printf '%s\n' '{"ts":100}' '{"ts":100.5}' '{"ts":100.2}' '{"ts":100.8}' >in
	run --separate-stderr arrivals stream-cat --replay in
	assert_success
	assert_equal "${#lines[@]}" 4
	# record 3 right after record 2; record 4 0.8 s after the first
	awk -v a="${lines[1]}" -v b="${lines[2]}" -v c="${lines[3]}" \
	    'BEGIN { exit !(a >= 0.45 && a <= 0.55 && b - a < 0.05 &&
	    c >= 0.75 && c <= 0.85) }' ||
	    fail "arrivals: ${lines[*]}"
}

@test "--replay with --time and --time-unit ms" {
	printf '%s\n' '{"t":1764064800000}' '{"t":1764064800200}' '{"t":1764064800600}' >in
	run --separate-stderr arrivals stream-cat --replay --time .t --time-unit ms in
	assert_success
	assert_gaps 0.2 0.4
}

@test "--replay paces decoded records: a csv column as --time" {
	printf '%s\n' 'ts,n' '2026-11-25T10:00:00Z,1' '2026-11-25T10:00:00.25Z,2' \
	    '2026-11-25T10:00:00.75Z,3' >in.csv
	run --separate-stderr arrivals stream-cat --format csv --replay in.csv
	assert_success
	assert_gaps 0.25 0.5
}

@test "--rate N spaces records 1/N s apart" {
	numbered 10 >in
	t0=$(now_ms)
	run --separate-stderr stream-cat --rate 20 in
	t1=$(now_ms)
	assert_success
	assert_output "$(cat in)"
	test "$((t1 - t0))" -ge 450 || fail "10 records at --rate 20 took $((t1 - t0)) ms"
	test "$((t1 - t0))" -lt 3000 || fail "10 records at --rate 20 took $((t1 - t0)) ms"
}

@test "--rate takes fractions" {
	numbered 3 >in
	run --separate-stderr arrivals stream-cat --rate 2.5 in
	assert_success
	assert_gaps 0.4 0.4
}

@test "--rate ignores event time" {
	printf '%s\n' '{"ts":1}' '{"ts":1000}' '{"ts":2}' >in
	run --separate-stderr arrivals stream-cat --rate 4 in
	assert_success
	assert_gaps 0.25 0.25
}

@test "--replay with --rate: each record waits for both" {
	printf '%s\n' '{"ts":100}' '{"ts":100.05}' '{"ts":101}' '{"ts":101.1}' >in
	# due by replay at 0, 0.05, 1.0, 1.1; --rate 4 moves the second to
	# 0.25 and the fourth to 1.25
	run --separate-stderr arrivals stream-cat --replay --rate 4 in
	assert_success
	assert_gaps 0.25 0.75 0.25
}

@test "--rate and -n: a sample of a long input ends on its own" {
	numbered 1000 >in
	run --separate-stderr timeout 10 stream-cat --rate 100 -n 5 in
	assert_success
	assert_output "$(head -n 5 in)"
}

# ---------------------------------------------------------------------------
# --stats

@test "--stats writes one JSON line of counts to stderr at exit" {
	printf '{"a":1}\n\n{"a":2}\nnot json\n{"a":3}\n\n' >in
	run --separate-stderr stream-cat --stats --on-error skip in
	assert_success
	assert_output $'{"a":1}\n{"a":2}\n{"a":3}'
	assert_equal "${#stderr_lines[@]}" 1
	err=$stderr
	run jq -c 'keys_unsorted' <<<"$err"
	assert_output '["tool","in","out","bad","late","elapsed_s"]'
	run stats_of "$err"
	assert_output '{"tool":"stream-cat","in":4,"out":3,"bad":1,"late":0}'
	run jq -e '.elapsed_s | type == "number" and . >= 0 and . < 60' <<<"$err"
	assert_success
}

@test "--stats: in, out, bad and late of a merge with a late record" {
	printf '%s\n' '{"ts":1}' '{"ts":5}' '{"ts":6}' '{"ts":2}' 'bad' >a
	printf '%s\n' '{"ts":3}' '{"ts":4}' '{"no":"time"}' '{"ts":7}' >b
	run --separate-stderr stream-cat --merge --stats --on-error skip a b
	assert_success
	run stats_of "$stderr"
	assert_output '{"tool":"stream-cat","in":9,"out":7,"bad":2,"late":1}'
}

@test "--stats: elapsed_s covers the time paced" {
	numbered 3 >in
	run --separate-stderr stream-cat --stats --rate 5 in
	assert_success
	run jq -e '.elapsed_s >= 0.35 and .elapsed_s < 10' <<<"$stderr"
	assert_success
}

@test "--stats is also written on SIGUSR1" {
	mkfifo f
	exec 8<>f
	bg stream-cat --stats <f >out 2>err
	printf '%s\n' '{"a":1}' '{"a":2}' >&8
	wait_lines out 2 || fail "records did not come out"
	kill -USR1 "$BG"
	wait_grep err '"in":2' || fail "no stats line after SIGUSR1"
	run jq -c 'del(.elapsed_s)' err
	assert_output '{"tool":"stream-cat","in":2,"out":2,"bad":0,"late":0}'
	printf '%s\n' '{"a":3}' >&8
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run jq -c '[.in, .out]' err
	assert_output $'[2,2]\n[3,3]'
}

# ---------------------------------------------------------------------------
# Latency and buffering

@test "-u writes each record with its own write" {
	command -v strace >/dev/null || skip "strace is not installed"
	numbered 3 >in
	strace -o trace -e trace=write stream-cat -u in >out ||
	    skip "strace cannot trace here"
	assert_same_bytes in out
	run grep -c '^write(1, ' trace
	assert_output 3
	strace -o trace -e trace=write stream-cat in >out
	run grep -c '^write(1, ' trace
	assert_output 1
}

@test "--unbuffered: a record comes out before the writer closes" {
	mkfifo f
	exec 8<>f
	bg stream-cat --unbuffered --format logfmt <f >out 2>err
	printf 'a=1\n' >&8
	wait_lines out 1 2 || fail "record not written within 2 s"
	printf 'a=2\n' >&8
	wait_lines out 2 2 || fail "second record not written within 2 s"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output $'{"a":1}\n{"a":2}'
}

@test "without -u, a record comes out while stream-cat waits for input" {
	mkfifo f
	exec 8<>f
	bg stream-cat <f >out 2>err
	for i in 1 2 3; do
		printf '{"n":%d}\n' "$i" >&8
		wait_lines out "$i" 1 || fail "record $i not out within 1 s"
	done
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	assert_file_empty err
}

@test "large output is complete when flushed at exit" {
	numbered 200000 >in
	stream-cat in >out
	assert_same_bytes in out
}

# ---------------------------------------------------------------------------
# Signals and closed output

@test "SIGTERM: stop reading, flush, exit 0" {
	mkfifo f
	exec 8<>f
	bg stream-cat --stats <f >out 2>err
	printf '%s\n' '{"a":1}' '{"a":2}' >&8
	wait_lines out 2 || fail "records did not come out"
	kill -TERM "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output $'{"a":1}\n{"a":2}'
	run jq -c 'del(.elapsed_s)' err
	assert_output '{"tool":"stream-cat","in":2,"out":2,"bad":0,"late":0}'
}

@test "SIGTERM during a --replay wait ends quietly with 0" {
	printf '%s\n' '{"ts":0}' '{"ts":60}' >in
	bg stream-cat --replay in >out 2>err
	wait_lines out 1 || fail "first record did not come out"
	kill -TERM "$BG"
	wait_exit "$BG" 2
	assert_equal "$status" 0
	assert_file_empty err
}

@test "a closed stdout ends stream-cat quietly" {
	numbered 300000 >big
	run --separate-stderr bash -c 'stream-cat --format json big | head -n 1
	    echo "status ${PIPESTATUS[0]}"'
	assert_output $'{"i":0}\nstatus 0'
	assert_stderr ''
}

@test "a closed stdout with SIGPIPE ignored (EPIPE) ends quietly with 0" {
	numbered 300000 >big
	run --separate-stderr bash -c 'trap "" PIPE
	    stream-cat big | head -n 1; echo "status ${PIPESTATUS[0]}"'
	assert_output $'{"i":0}\nstatus 0'
	assert_stderr ''
}

@test "a write error exits 1 with a message" {
	numbered 100 >in
	run --separate-stderr bash -c 'stream-cat in >/dev/full'
	assert_failure 1
	assert_stderr --regexp '^stream-cat: .*No space left on device$'
}

# ---------------------------------------------------------------------------
# Help and version

@test "-h writes the usage to stdout and exits 0" {
	run --separate-stderr stream-cat -h
	assert_success
	assert_line --index 0 --regexp '^usage: stream-cat \[-fhuV\] \[-n N\] '
	assert_stderr ''
	for o in --format --header --tail --merge --lateness --replay --rate \
	    --add-source --add-ingest-time --time --time-unit --time-format \
	    --time-output --on-error --dead-letter --stats --max-line; do
		[[ $output == *"[$o "* || $output == *"[$o]"* ||
		    $output == *"[$o["* ]] || fail "--help does not show $o"
	done
}

@test "--help: the usage is the SYNOPSIS of the man page, and fits on one screen" {
	run --separate-stderr stream-cat --help
	assert_success
	assert_stderr ''
	test "${#lines[@]}" -le 24 || fail "--help is ${#lines[@]} lines"
	# the same words; the page writes arguments in lower case, as mdoc does
	usage=$(printf '%s\n' "${lines[@]:0:6}" | tr -s ' \t\n' ' ' |
	    tr '[:lower:]' '[:upper:]' | sed 's/ \.\.\./.../g; s/ $//')
	synopsis=$(mandoc -T ascii -O width=200 "$ROOT/man/stream-cat.1" 2>/dev/null |
	    col -b | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
	    tr -s ' \t\n' ' ' | tr '[:lower:]' '[:upper:]' |
	    sed 's/ \.\.\./.../g; s/^ //; s/ $//')
	test -n "$synopsis" || skip "mandoc cannot render the page"
	assert_equal "$usage" "USAGE: $synopsis"
}

@test "-V prints the version" {
	run --separate-stderr stream-cat -V
	assert_success
	assert_output 'stream-cat (stream toolkit) 0.1.0'
	assert_stderr ''
	run --separate-stderr stream-cat --version
	assert_success
	assert_output 'stream-cat (stream toolkit) 0.1.0'
}
