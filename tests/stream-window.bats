#!/usr/bin/env bats
# stream-window(1): one test per option and behaviour of the design.  The
# results on generated, out-of-order data are compared with
# tests/window-oracle.py, an independent model that computes every
# aggregate exactly; the hand-made cases check one rule each; bad input,
# usage errors and the live behaviours (--idle, --processing-time,
# signals) come last.

load helper

setup_file() {
	if ! test -x "$ROOT/stream-window"; then
		echo "stream-window is not built: run make" >&2
		return 1
	fi
	# 3000 events over a minute, each time moved by up to +-2 s
	DATA=$BATS_FILE_TMPDIR/events.ndjson
	gen -n 3000 --seed 7 --rate 50 --disorder 2000 >"$DATA"
	export DATA
}

# oracle ARGS... -- tests/window-oracle.py ARGS...
oracle() {
	python3 "$ROOT/tests/window-oracle.py" "$@"
}

# compare EXPECTED ACTUAL -- the NDJSON results in ACTUAL are those in
# EXPECTED: the same number of lines, the same members in the same order,
# and equal values, except for the error bounds of the design, chosen by
# the member's default name: sum_, avg_, stddev_ within 1e-9 relative;
# pNN_ (not p0, p100) within 1% relative; distinct_ exact up to 512,
# otherwise within 5%.  Everything else must be equal as JSON text once
# parsed (so 94.0 is not 94).  Prints the first differences.
compare() {
	python3 - "$1" "$2" <<-'EOF'
	import json, re, sys
	def dump(v):
	    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
	def num(v):
	    return isinstance(v, (int, float)) and not isinstance(v, bool)
	def near(e, a, tol):
	    return num(e) and num(a) and abs(e - a) <= tol * max(abs(e), abs(a), 1)
	def same(name, e, a):
	    if e is None or a is None or not num(e):
	        return dump(e) == dump(a)
	    if name.startswith(("sum_", "avg_", "stddev_")):
	        return near(e, a, 1e-9)
	    if re.match(r"p\d", name) and not re.match(r"p(0|100)_", name):
	        return near(e, a, 0.01)
	    if name.startswith("distinct_") and e > 512:
	        return near(e, a, 0.05)
	    return dump(e) == dump(a)
	exp = [json.loads(l) for l in open(sys.argv[1])]
	act = [json.loads(l) for l in open(sys.argv[2])]
	diffs = []
	if len(exp) != len(act):
	    diffs.append("%d lines, expected %d" % (len(act), len(exp)))
	for i, (e, a) in enumerate(zip(exp, act), 1):
	    if list(e) != list(a):
	        diffs.append("line %d: members %s, expected %s" % (i, list(a), list(e)))
	        continue
	    for k in e:
	        if not same(k, e[k], a[k]):
	            diffs.append("line %d (%s): %s is %s, expected %s" % (
	                i, dump({m: e[m] for m in list(e)[:3]}), k, dump(a[k]), dump(e[k])))
	for d in diffs[:8]:
	    print(d)
	if diffs:
	    print("%d differences" % len(diffs))
	sys.exit(1 if diffs else 0)
	EOF
}

# like_oracle ARGS... -- stream-window ARGS on $DATA succeeds quietly and
# writes what the oracle computes for ARGS (see compare)
like_oracle() {
	oracle "$@" "$DATA" >expect
	test -s expect || fail "the oracle wrote nothing for: $*"
	status=0
	stream-window "$@" "$DATA" >out 2>err || status=$?
	assert_equal "$status" 0
	assert_file_empty err
	run compare expect out
	assert_success
}

# window_opts KIND -- the window and --by options of KIND for the
# comparisons with the oracle, in $W
window_opts() {
	case $1 in
	tumbling) W=(--tumbling 10s --by .geo.country) ;;
	hopping) W=(--hopping 10s --every 5s --by .geo.country) ;;
	session) W=(--session 500ms --by .geo.country) ;;
	count) W=(--count 50 --by .geo.country) ;;
	esac
}

# kind_aggs KIND AGG... -- for window KIND, the aggregates AGG... on $DATA
# are those of the oracle, with --lateness 3s and with --lateness 0s
kind_aggs() {
	local kind=$1 a
	shift
	local -a aggs=()
	for a in "$@"; do
		aggs+=(--agg "$a")
	done
	window_opts "$kind"
	like_oracle "${W[@]}" "${aggs[@]}" --lateness 3s
	like_oracle "${W[@]}" "${aggs[@]}" --lateness 0s
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

# at S [MEMBERS] -- a record at 2026-11-25T10:00:S (S: seconds, maybe
# fractional, two digits before the point), with MEMBERS after the time
at() {
	printf '{"ts":"2026-11-25T10:00:%sZ"%s}\n' "$1" "${2:+,$2}"
}

# win START END [MEMBERS] -- a result line for a window from 10:00:START
# to 10:00:END (seconds, two digits), with MEMBERS after start and end
win() {
	printf '{"start":"2026-11-25T10:00:%s.000Z","end":"2026-11-25T10:00:%s.000Z"%s}\n' \
	    "$1" "$2" "${3:+,$3}"
}

# ---------------------------------------------------------------------------
# Every window kind and every aggregate, as the oracle, on out-of-order data

AGG_COUNT=(count)
AGG_COUNT_EXPR=('count(.user)' 'count(.latency_ms)' 'count(.geo)')
AGG_SUM=('sum(.bytes)' 'sum(.latency_ms)')
AGG_AVG=('avg(.latency_ms)' 'avg(.bytes)')
AGG_MINMAX=('min(.latency_ms)' 'max(.latency_ms)' 'min(.bytes)' 'max(.status)')
AGG_STDDEV=('stddev(.latency_ms)' 'stddev(.bytes)')
AGG_FIRSTLAST=('first(.user)' 'last(.user)' 'first(.status)' 'last(.path)')
AGG_DISTINCT=('distinct(.user)' 'distinct(.status)' 'distinct(.ip)')
AGG_PNN=('p50(.latency_ms)' 'p90(.latency_ms)' 'p95(.latency_ms)' \
    'p99(.latency_ms)' 'p99.9(.latency_ms)' 'p0(.latency_ms)' \
    'p100(.latency_ms)' 'p50(.bytes)')
AGG_TOP=('top(3,.ua)' 'top(2,.event)' 'top(3,.status)' 'all_events=top(20,.event)')
AGG_COLLECT=('collect(.status)' 'collect(.user)')

@test "tumbling: count, as the oracle" { kind_aggs tumbling "${AGG_COUNT[@]}"; }
@test "tumbling: count(EXPR), as the oracle" { kind_aggs tumbling "${AGG_COUNT_EXPR[@]}"; }
@test "tumbling: sum, as the oracle" { kind_aggs tumbling "${AGG_SUM[@]}"; }
@test "tumbling: avg, as the oracle" { kind_aggs tumbling "${AGG_AVG[@]}"; }
@test "tumbling: min and max, as the oracle" { kind_aggs tumbling "${AGG_MINMAX[@]}"; }
@test "tumbling: stddev, as the oracle" { kind_aggs tumbling "${AGG_STDDEV[@]}"; }
@test "tumbling: first and last, as the oracle" { kind_aggs tumbling "${AGG_FIRSTLAST[@]}"; }
@test "tumbling: distinct, as the oracle" { kind_aggs tumbling "${AGG_DISTINCT[@]}"; }
@test "tumbling: pNN within 1%, p0 and p100 exact, as the oracle" { kind_aggs tumbling "${AGG_PNN[@]}"; }
@test "tumbling: top, as the oracle" { kind_aggs tumbling "${AGG_TOP[@]}"; }
@test "tumbling: collect, as the oracle" { kind_aggs tumbling "${AGG_COLLECT[@]}"; }

@test "hopping: count, as the oracle" { kind_aggs hopping "${AGG_COUNT[@]}"; }
@test "hopping: count(EXPR), as the oracle" { kind_aggs hopping "${AGG_COUNT_EXPR[@]}"; }
@test "hopping: sum, as the oracle" { kind_aggs hopping "${AGG_SUM[@]}"; }
@test "hopping: avg, as the oracle" { kind_aggs hopping "${AGG_AVG[@]}"; }
@test "hopping: min and max, as the oracle" { kind_aggs hopping "${AGG_MINMAX[@]}"; }
@test "hopping: stddev, as the oracle" { kind_aggs hopping "${AGG_STDDEV[@]}"; }
@test "hopping: first and last, as the oracle" { kind_aggs hopping "${AGG_FIRSTLAST[@]}"; }
@test "hopping: distinct, as the oracle" { kind_aggs hopping "${AGG_DISTINCT[@]}"; }
@test "hopping: pNN within 1%, p0 and p100 exact, as the oracle" { kind_aggs hopping "${AGG_PNN[@]}"; }
@test "hopping: top, as the oracle" { kind_aggs hopping "${AGG_TOP[@]}"; }
@test "hopping: collect, as the oracle" { kind_aggs hopping "${AGG_COLLECT[@]}"; }

@test "session: count, as the oracle" { kind_aggs session "${AGG_COUNT[@]}"; }
@test "session: count(EXPR), as the oracle" { kind_aggs session "${AGG_COUNT_EXPR[@]}"; }
@test "session: sum, as the oracle" { kind_aggs session "${AGG_SUM[@]}"; }
@test "session: avg, as the oracle" { kind_aggs session "${AGG_AVG[@]}"; }
@test "session: min and max, as the oracle" { kind_aggs session "${AGG_MINMAX[@]}"; }
@test "session: stddev, as the oracle" { kind_aggs session "${AGG_STDDEV[@]}"; }
@test "session: first and last, as the oracle" { kind_aggs session "${AGG_FIRSTLAST[@]}"; }
@test "session: distinct, as the oracle" { kind_aggs session "${AGG_DISTINCT[@]}"; }
@test "session: pNN within 1%, p0 and p100 exact, as the oracle" { kind_aggs session "${AGG_PNN[@]}"; }
@test "session: top, as the oracle" { kind_aggs session "${AGG_TOP[@]}"; }

@test "count: count, as the oracle" { kind_aggs count "${AGG_COUNT[@]}"; }
@test "count: count(EXPR), as the oracle" { kind_aggs count "${AGG_COUNT_EXPR[@]}"; }
@test "count: sum, as the oracle" { kind_aggs count "${AGG_SUM[@]}"; }
@test "count: avg, as the oracle" { kind_aggs count "${AGG_AVG[@]}"; }
@test "count: min and max, as the oracle" { kind_aggs count "${AGG_MINMAX[@]}"; }
@test "count: stddev, as the oracle" { kind_aggs count "${AGG_STDDEV[@]}"; }
@test "count: first and last, as the oracle" { kind_aggs count "${AGG_FIRSTLAST[@]}"; }
@test "count: distinct, as the oracle" { kind_aggs count "${AGG_DISTINCT[@]}"; }
@test "count: pNN within 1%, p0 and p100 exact, as the oracle" { kind_aggs count "${AGG_PNN[@]}"; }
@test "count: top, as the oracle" { kind_aggs count "${AGG_TOP[@]}"; }
@test "count: collect, as the oracle" { kind_aggs count "${AGG_COLLECT[@]}"; }

@test "every aggregate at once, by two keys: members in order, as the oracle" {
	local -a aggs=()
	for a in count 'count(.user)' 'sum(.bytes)' 'avg(.latency_ms)' \
	    'min(.latency_ms)' 'max(.latency_ms)' 'stddev(.latency_ms)' \
	    'first(.user)' 'last(.path)' 'distinct(.user)' 'p50(.latency_ms)' \
	    'p95(.latency_ms)' 'p99.9(.latency_ms)' 'p0(.latency_ms)' \
	    'p100(.latency_ms)' 'top(3,.ua)' 'collect(.status)'; do
		aggs+=(--agg "$a")
	done
	like_oracle --tumbling 20s --by .event --by .geo.country "${aggs[@]}" --lateness 3s
}

@test "sessions by user with a longer gap, as the oracle" {
	like_oracle --session 2s --by .user --agg count --agg 'sum(.bytes)' \
	    --agg 'first(.path)' --agg 'last(.path)' --lateness 3s
}

@test "--offset: tumbling and hopping windows start at the epoch plus the offset, as the oracle" {
	like_oracle --tumbling 10s --offset 3s --by .geo.country --agg count --lateness 3s
	like_oracle --hopping 10s --every 2s --offset 1s --agg count --agg 'sum(.bytes)' --lateness 3s
}

@test "--emit update, tumbling and hopping: as the oracle" {
	like_oracle --tumbling 10s --by .geo.country --emit update --agg count \
	    --agg 'sum(.bytes)' --lateness 3s
	like_oracle --hopping 10s --every 5s --by .event --emit update --agg count \
	    --agg 'max(.bytes)' --lateness 3s
}

@test "--emit update, session and count: as the oracle" {
	like_oracle --session 2s --by .user --emit update --agg count \
	    --agg 'sum(.bytes)' --lateness 3s
	like_oracle --count 20 --by .geo.country --emit update --agg count \
	    --agg 'sum(.bytes)'
}

@test "--by with objects as values (.geo): as the oracle" {
	like_oracle --tumbling 10s --by .geo --agg count --agg 'avg(.latency_ms)' --lateness 3s
}

@test "--by NAME=EXPR with a jq expression: as the oracle on a precomputed field" {
	# the oracle knows paths only: give it the class as a member
	jq -c '.cls = ((.status // 0) / 100 | floor)' "$DATA" >with-cls
	oracle --tumbling 10s --by cls=.cls --agg count --agg 'avg(.latency_ms)' \
	    --lateness 3s with-cls >expect
	stream-window --tumbling 10s --by 'cls=((.status // 0) / 100 | floor)' \
	    --agg count --agg 'avg(.latency_ms)' --lateness 3s "$DATA" >out
	run compare expect out
	assert_success
}

@test "distinct over more than 512 values is within 5% of the exact count" {
	gen -n 30000 --seed 3 --rate 1000 --disorder 500 >big
	oracle --tumbling 10s --lateness 1s --agg 'distinct(.ip)' --agg 'distinct(.user)' big >expect
	jq -e -s 'map(.distinct_ip) | max > 5000' expect	# the sketch is in use
	stream-window --tumbling 10s --lateness 1s --agg 'distinct(.ip)' \
	    --agg 'distinct(.user)' big >out
	run compare expect out
	assert_success
}

@test "quantiles of windows of 10000 values are within 1% of the exact value" {
	gen -n 30000 --seed 3 --rate 1000 --disorder 500 >big
	a=(--agg 'p50(.latency_ms)' --agg 'p95(.latency_ms)' --agg 'p99(.latency_ms)'
	    --agg 'p99.9(.latency_ms)' --agg 'p99(.bytes)' --agg 'p0(.bytes)' --agg 'p100(.bytes)')
	oracle --tumbling 10s --lateness 1s "${a[@]}" big >expect
	stream-window --tumbling 10s --lateness 1s "${a[@]}" big >out
	run compare expect out
	assert_success
}

# ---------------------------------------------------------------------------
# Watermark, lateness and late records

@test "accounting: the counts plus the late records are the input, with --lateness 0" {
	for kind in tumbling session; do
		window_opts "$kind"
		run --separate-stderr stream-window "${W[@]}" --lateness 0s --stats "$DATA"
		assert_success
		counted=$(jq -s 'map(.count) | add' <<<"$output")
		late=$(jq .late <<<"$stderr")
		test "$late" -gt 1000 || fail "$kind: only $late late records"
		assert_equal "$(jq .in <<<"$stderr")" 3000
		assert_equal "$((counted + late))" 3000
	done
}

@test "accounting: each record not late is in SIZE/HOP hopping windows" {
	run --separate-stderr stream-window --hopping 10s --every 2s --stats "$DATA"
	assert_success
	counted=$(jq -s 'map(.count) | add' <<<"$output")
	late=$(jq .late <<<"$stderr")
	assert_equal "$counted" "$(( (3000 - late) * 5 ))"
}

@test "count windows ignore lateness: nothing is late, every record counted" {
	run --separate-stderr stream-window --count 7 --by .geo.country --stats "$DATA"
	assert_success
	assert_equal "$(jq -s 'map(.count) | add' <<<"$output")" 3000
	assert_equal "$(jq -c '[.in, .late]' <<<"$stderr")" '[3000,0]'
}

@test "--late FILE holds exactly the late records, in the dead letter shape" {
	oracle --session 1s --by .user --lateness 2s --late late.expect "$DATA" >/dev/null
	run --separate-stderr stream-window --session 1s --by .user --lateness 2s \
	    --late late.out --stats "$DATA"
	assert_success
	run compare late.expect late.out
	assert_success
	assert_equal "$(lines_in late.out)" "$(jq .late <<<"$stderr")"
	# and each raw member is the line of the input it names
	python3 - "$DATA" late.out <<-'EOF'
	import json, sys
	lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
	for l in open(sys.argv[2], encoding="utf-8"):
	    d = json.loads(l)
	    assert list(d) == ["error", "source", "line", "raw"], d
	    assert d["source"] == sys.argv[1], d
	    assert lines[d["line"] - 1] == d["raw"], d
	EOF
}

@test "--late: the message names the time and the watermark; the file is appended to" {
	echo '{"old":true}' >late
	{ at 05; at 01.5 '"n":2'; at 06; } >in
	run --separate-stderr stream-window --tumbling 10s --late late --stats <in
	assert_success
	assert_output "$(win 00 10 '"count":2')"
	assert_equal "$(jq -c '[.in, .out, .late]' <<<"$stderr")" '[3,1,1]'
	run cat late
	assert_output "$(printf '%s\n' '{"old":true}' \
	    '{"error":"late: 2026-11-25T10:00:01.500Z is before the watermark 2026-11-25T10:00:05.000Z","source":"<stdin>","line":2,"raw":"{\"ts\":\"2026-11-25T10:00:01.5Z\",\"n\":2}"}')"
}

@test "--lateness: a record within the lateness is counted, one before the watermark is late" {
	# watermark after 12: 07; 08 is counted; 06 is late; 15 closes [0,10)
	{ at 05; at 12; at 08; at 06; at 15; } >in
	run --separate-stderr stream-window --tumbling 10s --lateness 5s --stats <in
	assert_success
	assert_output "$(win 00 10 '"count":2'; win 10 20 '"count":2')"
	assert_equal "$(jq .late <<<"$stderr")" 1
}

@test "a window is written when the watermark reaches its end, before end of input" {
	mkfifo f
	exec 8<>f
	bg stream-window --tumbling 10s <f >out 2>err
	at 05 >&8
	at 10 >&8	# watermark 10:00:10 = the end of [0,10)
	wait_lines out 1 || fail "the window did not come out at its end"
	run cat out
	assert_output "$(win 00 10 '"count":1')"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output "$(win 00 10 '"count":1'; win 10 20 '"count":1')"
}

@test "at end of input every open window is written" {
	{ at 01; at 12; at 13 '"x":1'; at 25; } >in
	run --separate-stderr stream-window --tumbling 10s --lateness 1h <in
	assert_success
	assert_output "$(win 00 10 '"count":1'; win 10 20 '"count":2'; win 20 30 '"count":1')"
}

# ---------------------------------------------------------------------------
# Window kinds, by hand

@test "tumbling: windows are half-open and aligned to the epoch" {
	{ at 00; at 09.999; at 10; at 19.999; at 20; } >in
	run --separate-stderr stream-window --tumbling 10s <in
	assert_success
	assert_output "$(win 00 10 '"count":2'; win 10 20 '"count":2'; win 20 30 '"count":1')"
}

@test "tumbling: durations such as 1h30m, aligned to the epoch" {
	at 00 >in
	run --separate-stderr stream-window --tumbling 1h30m <in
	assert_success
	assert_output '{"start":"2026-11-25T09:00:00.000Z","end":"2026-11-25T10:30:00.000Z","count":1}'
}

@test "--offset: windows start at the epoch plus the offset" {
	{ at 02; at 03; at 12.999; at 13; } >in
	run --separate-stderr stream-window --tumbling 10s --offset 3s <in
	assert_success
	assert_output "$(printf '%s\n' \
	    '{"start":"2026-11-25T09:59:53.000Z","end":"2026-11-25T10:00:03.000Z","count":1}' \
	    '{"start":"2026-11-25T10:00:03.000Z","end":"2026-11-25T10:00:13.000Z","count":2}' \
	    '{"start":"2026-11-25T10:00:13.000Z","end":"2026-11-25T10:00:23.000Z","count":1}')"
}

@test "--hopping --every: a record is in SIZE/HOP windows" {
	{ at 07; at 12; } >in
	run --separate-stderr stream-window --hopping 10s --every 5s <in
	assert_success
	assert_output "$(win 00 10 '"count":1'; win 05 15 '"count":2'; win 10 20 '"count":1')"
}

@test "--hopping with --offset: starts every HOP from the offset" {
	at 07 >in
	run --separate-stderr stream-window --hopping 6s --every 3s --offset 1s <in
	assert_success
	assert_output "$(win 04 10 '"count":1'; win 07 13 '"count":1')"
}

@test "--session: records closer than GAP form one session, ending GAP after the last" {
	printf '%s\n' '{"ts":0}' '{"ts":3}' '{"ts":7.5}' '{"ts":20}' >in
	run --separate-stderr stream-window --session 5s --time-output s <in
	assert_success
	assert_output $'{"start":0,"end":12.5,"count":3}\n{"start":20,"end":25,"count":1}'
}

@test "--session: a record at exactly GAP after the last starts a new session" {
	printf '%s\n' '{"ts":0}' '{"ts":5}' >in
	run --separate-stderr stream-window --session 5s --time-output s <in
	assert_success
	assert_output $'{"start":0,"end":5,"count":1}\n{"start":5,"end":10,"count":1}'
}

@test "--session: an out-of-order record that bridges two sessions merges them" {
	printf '%s\n' '{"ts":0,"v":1}' '{"ts":8,"v":2}' '{"ts":4,"v":3}' '{"ts":30,"v":4}' >in
	run --separate-stderr stream-window --session 5s --lateness 1m --time-output s \
	    --agg count --agg 'sum(.v)' --agg 'first(.v)' --agg 'last(.v)' <in
	assert_success
	assert_output $'{"start":0,"end":13,"count":3,"sum_v":6,"first_v":1,"last_v":2}\n{"start":30,"end":35,"count":1,"sum_v":4,"first_v":4,"last_v":4}'
}

@test "--session: an out-of-order record that reaches neither neighbour merges nothing" {
	printf '%s\n' '{"ts":0}' '{"ts":10}' '{"ts":5}' >in
	run --separate-stderr stream-window --session 5s --lateness 1m --time-output s <in
	assert_success
	assert_output $'{"start":0,"end":5,"count":1}\n{"start":5,"end":10,"count":1}\n{"start":10,"end":15,"count":1}'
}

@test "--session: collect in merged sessions: the earlier session's values first" {
	printf '%s\n' '{"ts":8,"v":"a"}' '{"ts":0,"v":"b"}' '{"ts":4,"v":"c"}' >in
	run --separate-stderr stream-window --session 5s --lateness 1m --time-output s \
	    --agg 'collect(.v)' <in
	assert_success
	assert_output '{"start":0,"end":13,"collect_v":["b","a","c"]}'
	run --separate-stderr stream-window --session 5s --lateness 1m --time-output s \
	    --agg 'collect(.v)' --collect-max 2 <in
	assert_output '{"start":0,"end":13,"collect_v":["b","a"]}'
}

@test "--session: sessions are per group" {
	printf '%s\n' '{"ts":0,"u":"a"}' '{"ts":3,"u":"b"}' '{"ts":4,"u":"a"}' >in
	run --separate-stderr stream-window --session 2s --by .u --time-output s <in
	assert_success
	assert_output $'{"start":0,"end":2,"u":"a","count":1}\n{"start":3,"end":5,"u":"b","count":1}\n{"start":4,"end":6,"u":"a","count":1}'
}

@test "--count: every N records of a group, start/end their earliest and latest time, the incomplete last one at the end" {
	printf '%s\n' '{"ts":5}' '{"ts":2}' '{"ts":9}' '{"ts":1}' '{"ts":7}' '{"ts":8}' '{"ts":3}' >in
	run --separate-stderr stream-window --count 3 --time-output s --stats <in
	assert_success
	assert_output $'{"start":2,"end":9,"count":3}\n{"start":1,"end":8,"count":3}\n{"start":3,"end":3,"count":1}'
	assert_equal "$(jq -c '[.in, .out, .late]' <<<"$stderr")" '[7,3,0]'
}

@test "--count per group: the incomplete windows at the end, in end then key order" {
	printf '%s\n' '{"ts":1,"k":"b"}' '{"ts":2,"k":"a"}' '{"ts":3,"k":"b"}' \
	    '{"ts":4,"k":"c"}' '{"ts":3,"k":"a"}' >in
	run --separate-stderr stream-window --count 2 --by .k --time-output s <in
	assert_success
	assert_output $'{"start":1,"end":3,"k":"b","count":2}\n{"start":2,"end":3,"k":"a","count":2}\n{"start":4,"end":4,"k":"c","count":1}'
}

@test "--count: a full window is written at once, before end of input" {
	mkfifo f
	exec 8<>f
	bg stream-window --count 2 --time-output s <f >out 2>err
	printf '%s\n' '{"ts":2}' '{"ts":1}' >&8
	wait_lines out 1 || fail "the full window did not come out"
	printf '%s\n' '{"ts":3}' >&8
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output $'{"start":1,"end":2,"count":2}\n{"start":3,"end":3,"count":1}'
}

# ---------------------------------------------------------------------------
# --emit, --max-keys, --collect-max

@test "--emit update: a line per change, in arrival order, nothing at close" {
	printf '%s\n' '{"ts":1,"b":10}' '{"ts":12,"b":1}' '{"ts":3,"b":5}' '{"ts":25}' >in
	run --separate-stderr stream-window --tumbling 10s --lateness 20s --emit update \
	    --agg count --agg 'sum(.b)' --time-output s <in
	assert_success
	assert_output "$(printf '%s\n' \
	    '{"start":0,"end":10,"count":1,"sum_b":10}' \
	    '{"start":10,"end":20,"count":1,"sum_b":1}' \
	    '{"start":0,"end":10,"count":2,"sum_b":15}' \
	    '{"start":20,"end":30,"count":1,"sum_b":null}')"
}

@test "--emit final is the default: one line per window" {
	printf '%s\n' '{"ts":1}' '{"ts":2}' >in
	run --separate-stderr stream-window --tumbling 10s --emit final --time-output s <in
	assert_success
	assert_output '{"start":0,"end":10,"count":2}'
}

@test "--max-keys: the open window that would close first is written at once, counted as evicted" {
	mkfifo f
	exec 8<>f
	bg stream-window --tumbling 10s --by .k --max-keys 2 --lateness 1m --stats <f >out 2>err
	at 01 '"k":"a"' >&8
	at 12 '"k":"b"' >&8
	at 13 '"k":"c"' >&8	# a third window: [0,10) for a goes
	wait_lines out 1 || fail "the evicted window was not written at once"
	run cat out
	assert_output "$(win 00 10 '"k":"a","count":1')"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output "$(win 00 10 '"k":"a","count":1'
	    win 10 20 '"k":"b","count":1'; win 10 20 '"k":"c","count":1')"
	run jq -c 'keys_unsorted' err
	assert_output '["tool","in","out","bad","late","evicted","elapsed_s"]'
	run stats_of "$(cat err)"
	assert_output '{"tool":"stream-window","in":3,"out":3,"bad":0,"late":0,"evicted":1}'
}

@test "--max-keys: a record for an evicted window opens it again" {
	{ at 01 '"k":"a"'; at 12 '"k":"b"'; at 13 '"k":"c"'; at 02 '"k":"a"'; } >in
	run --separate-stderr stream-window --tumbling 10s --by .k --max-keys 2 --lateness 1m --stats <in
	assert_success
	assert_line --index 0 "$(win 00 10 '"k":"a","count":1')"
	assert_line --index 2 "$(win 00 10 '"k":"a","count":1')"
	assert_equal "${#lines[@]}" 4
	assert_equal "$(jq .evicted <<<"$stderr")" 2
}

@test "--max-keys: the windows written early add up to the results without it" {
	oracle --tumbling 10s --by .geo.country --agg count --agg 'sum(.bytes)' \
	    --lateness 3s "$DATA" >expect
	run --separate-stderr stream-window --tumbling 10s --by .geo.country --agg count \
	    --agg 'sum(.bytes)' --lateness 3s --max-keys 5 --stats "$DATA"
	assert_success
	printf '%s\n' "$output" >out
	evicted=$(jq .evicted <<<"$stderr")
	test "$evicted" -gt 100 || fail "only $evicted evicted"
	assert_equal "$(jq .out <<<"$stderr")" "$(lines_in out)"
	jq -s -c 'group_by([.end, .country, .start]) | map(.[0] + {count: (map(.count) | add),
	    sum_bytes: (map(.sum_bytes) | add)}) | sort_by(.end, .country, .start) | .[]' out >merged
	assert_same_bytes expect merged
}

@test "--stats has no evicted without --max-keys" {
	printf '%s\n' '{"ts":1}' >in
	run --separate-stderr stream-window --tumbling 10s --stats <in
	assert_success
	run jq -c 'keys_unsorted' <<<"$stderr"
	assert_output '["tool","in","out","bad","late","elapsed_s"]'
}

@test "--collect-max: at most N values, the later ones dropped" {
	printf '%s\n' '{"ts":1,"x":"a"}' '{"ts":2,"x":"b"}' '{"ts":0,"x":"c"}' '{"ts":3,"x":"d"}' >in
	run --separate-stderr stream-window --tumbling 10s --lateness 1m --collect-max 2 \
	    --agg 'collect(.x)' --time-output s <in
	assert_success
	assert_output '{"start":0,"end":10,"collect_x":["a","b"]}'
}

@test "collect keeps 100 values by default" {
	awk 'BEGIN { for (i = 0; i < 150; i++) printf "{\"ts\":1,\"i\":%d}\n", i }' >in
	run --separate-stderr stream-window --tumbling 10s --agg 'collect(.i)' <in
	assert_success
	assert_equal "$(jq -c '.collect_i' <<<"$output")" "$(jq -c -n '[range(100)]')"
}

# ---------------------------------------------------------------------------
# Aggregates, by hand

@test "first and last: the earliest and latest event time; ties: first and last arrived" {
	printf '%s\n' '{"ts":2,"x":"c"}' '{"ts":1,"x":"a"}' '{"ts":1,"x":"b"}' \
	    '{"ts":3,"x":"d"}' '{"ts":3,"x":"e"}' '{"ts":2.5,"x":"f"}' >in
	run --separate-stderr stream-window --tumbling 10s --lateness 1m --time-output s \
	    --agg 'first(.x)' --agg 'last(.x)' <in
	assert_success
	assert_output '{"start":0,"end":10,"first_x":"a","last_x":"e"}'
}

@test "stddev is the sample one, null for fewer than 2 values" {
	printf '%s\n' '{"ts":1,"x":2}' '{"ts":2,"x":4}' '{"ts":3,"x":4}' '{"ts":4,"x":4}' \
	    '{"ts":5,"x":5}' '{"ts":6,"x":5}' '{"ts":7,"x":7}' '{"ts":8,"x":9}' '{"ts":11,"x":1}' >in
	run --separate-stderr stream-window --tumbling 10s --time-output s --agg 'stddev(.x)' <in
	assert_success
	# sample variance of 2 4 4 4 5 5 7 9: 32/7
	assert_output "$(printf '%s\n' '{"start":0,"end":10,"stddev_x":2.138089935299395}' \
	    '{"start":10,"end":20,"stddev_x":null}')"
}

@test "pNN: the value of rank floor(q*(n-1)); p0 and p100 are min and max" {
	awk 'BEGIN { for (i = 1; i <= 101; i++) printf "{\"ts\":1,\"x\":%d}\n", i * 10 }' >in
	run --separate-stderr stream-window --tumbling 10s --time-output s --agg 'p0(.x)' \
	    --agg 'p50(.x)' --agg 'p90(.x)' --agg 'p100(.x)' <in
	assert_success
	assert_equal "$(jq -c '[.p0_x, .p100_x]' <<<"$output")" '[10,1010]'
	jq -e '(.p50_x - 510 | fabs) <= 5.1 and (.p90_x - 910 | fabs) <= 9.1' <<<"$output"
}

@test "top(K,EXPR): the K most frequent values, count descending then value" {
	printf '{"ts":1,"x":"%s"}\n' b a c b a b d >in
	run --separate-stderr stream-window --tumbling 10s --time-output s --agg 'top(3,.x)' <in
	assert_success
	assert_output '{"start":0,"end":10,"top_x":[{"value":"b","count":3},{"value":"a","count":2},{"value":"c","count":1}]}'
}

@test "top(K,EXPR): ties between numbers go by value in jq order" {
	printf '%s\n' '{"ts":1,"x":100}' '{"ts":1,"x":20}' '{"ts":1,"x":3}' \
	    '{"ts":1,"x":"b"}' '{"ts":1,"x":"b"}' '{"ts":1,"x":"a"}' '{"ts":1,"x":"a"}' >in
	run --separate-stderr stream-window --tumbling 10s --time-output s --agg 'top(4,.x)' <in
	assert_success
	assert_output '{"start":0,"end":10,"top_x":[{"value":"a","count":2},{"value":"b","count":2},{"value":3,"count":1},{"value":20,"count":1}]}'
}

@test "distinct counts equal values once (2 and 2.0), of any type" {
	printf '%s\n' '{"ts":1,"x":2}' '{"ts":1,"x":2.0}' '{"ts":1,"x":"2"}' \
	    '{"ts":1,"x":[2]}' '{"ts":1,"x":{"a":1,"b":2}}' '{"ts":1,"x":{"b":2,"a":1}}' \
	    '{"ts":1,"x":true}' >in
	run --separate-stderr stream-window --tumbling 10s --time-output s --agg 'distinct(.x)' <in
	assert_success
	assert_output '{"start":0,"end":10,"distinct_x":5}'
}

@test "null and absent values are skipped by every aggregate with an expression" {
	printf '%s\n' '{"ts":0,"x":1}' '{"ts":1,"x":null}' '{"ts":2}' '{"ts":3,"x":3}' >in
	run --separate-stderr stream-window --tumbling 10s --time-output s --agg count \
	    --agg 'count(.x)' --agg 'sum(.x)' --agg 'avg(.x)' --agg 'min(.x)' --agg 'max(.x)' \
	    --agg 'stddev(.x)' --agg 'first(.x)' --agg 'last(.x)' --agg 'distinct(.x)' \
	    --agg 'p0(.x)' --agg 'p100(.x)' --agg 'top(5,.x)' --agg 'collect(.x)' <in
	assert_success
	assert_output '{"start":0,"end":10,"count":4,"count_x":2,"sum_x":4,"avg_x":2,"min_x":1,"max_x":3,"stddev_x":1.4142135623730951,"first_x":1,"last_x":3,"distinct_x":2,"p0_x":1,"p100_x":3,"top_x":[{"value":1,"count":1},{"value":3,"count":1}],"collect_x":[1,3]}'
}

@test "an aggregate with no value is null; count and distinct 0; top and collect []" {
	printf '%s\n' '{"ts":0,"x":null}' '{"ts":1}' >in
	run --separate-stderr stream-window --tumbling 10s --time-output s --agg count \
	    --agg 'count(.x)' --agg 'sum(.x)' --agg 'avg(.x)' --agg 'min(.x)' --agg 'max(.x)' \
	    --agg 'stddev(.x)' --agg 'first(.x)' --agg 'last(.x)' --agg 'distinct(.x)' \
	    --agg 'p50(.x)' --agg 'top(3,.x)' --agg 'collect(.x)' <in
	assert_success
	assert_output '{"start":0,"end":10,"count":2,"count_x":0,"sum_x":null,"avg_x":null,"min_x":null,"max_x":null,"stddev_x":null,"first_x":null,"last_x":null,"distinct_x":0,"p50_x":null,"top_x":[],"collect_x":[]}'
}

@test "numbers: integers as integers, others the shortest round-trip text" {
	printf '%s\n' '{"ts":1,"x":1.5,"y":0.5}' '{"ts":2,"x":2.5,"y":0.25}' '{"ts":3,"x":1e2,"y":3}' >in
	run --separate-stderr stream-window --tumbling 10s --time-output s --agg 'sum(.x)' \
	    --agg 'max(.x)' --agg 'min(.x)' --agg 's=sum(.y)' --agg 'a=avg(.y)' <in
	assert_success
	assert_output '{"start":0,"end":10,"sum_x":104,"max_x":100,"min_x":1.5,"s":3.75,"a":1.25}'
	printf '%s\n' '{"ts":1,"y":0.1}' '{"ts":2,"y":0.2}' >in
	run --separate-stderr stream-window --tumbling 10s --time-output s --agg 'sum(.y)' <in
	assert_output '{"start":0,"end":10,"sum_y":0.30000000000000004}'
}

@test "numbers taken from records (first, last, collect, top) are written as numbers: 2.0 as 2, 1e2 as 100" {
	printf '%s\n' '{"ts":1,"x":2.0}' '{"ts":2,"x":2.50}' '{"ts":3,"x":2.0}' '{"ts":4,"x":1e2}' >in
	run --separate-stderr stream-window --tumbling 10s --time-output s --agg 'first(.x)' \
	    --agg 'last(.x)' --agg 'collect(.x)' --agg 'top(1,.x)' <in
	assert_success
	assert_output '{"start":0,"end":10,"first_x":2,"last_x":100,"collect_x":[2,2.5,2,100],"top_x":[{"value":2,"count":2}]}'
}

@test "a non-number for a numeric aggregate is a bad record with the exact message" {
	{ at 01 '"latency_ms":1'; at 02 '"latency_ms":"fast"'; at 03 '"latency_ms":3'; } >in
	run --separate-stderr stream-window --tumbling 10s --agg 'avg(.latency_ms)' <in
	assert_success
	assert_output "$(win 00 10 '"avg_latency_ms":2')"
	assert_stderr 'stream-window: <stdin>:2: --agg avg(.latency_ms): not a number: "fast"'
}

@test "sum, min, max, stddev and pNN also take numbers only" {
	for agg in 'sum(.v)' 'min(.v)' 'max(.v)' 'stddev(.v)' 'p95(.v)'; do
		{ at 01 '"v":1'; at 02 '"v":true'; at 03 '"v":{"a":1}'; } >in
		run --separate-stderr stream-window --tumbling 10s --agg count --agg "$agg" --stats <in
		assert_success
		assert_stderr_line --index 0 "stream-window: <stdin>:2: --agg $agg: not a number: true"
		assert_stderr_line --index 1 "stream-window: <stdin>:3: --agg $agg: not a number: {\"a\":1}"
		assert_equal "$(jq -c '[.count]' <<<"$output")" '[1]'
		assert_equal "$(tail -n 1 <<<"$stderr" | jq .bad)" 2
	done
}

@test "count, first, last, distinct, top and collect take any value" {
	printf '%s\n' '{"ts":1,"v":"s"}' '{"ts":2,"v":true}' '{"ts":3,"v":[1]}' >in
	run --separate-stderr stream-window --tumbling 10s --time-output s --agg 'count(.v)' \
	    --agg 'first(.v)' --agg 'last(.v)' --agg 'distinct(.v)' --agg 'collect(.v)' <in
	assert_success
	assert_output '{"start":0,"end":10,"count_v":3,"first_v":"s","last_v":[1],"distinct_v":3,"collect_v":["s",true,[1]]}'
	assert_stderr ''
}

# ---------------------------------------------------------------------------
# Output: names, group keys, order

@test "without --agg the aggregate is count" {
	printf '%s\n' '{"ts":1}' '{"ts":2}' >in
	run --separate-stderr stream-window --tumbling 10s --time-output s <in
	assert_success
	assert_output '{"start":0,"end":10,"count":2}'
}

@test "default names: FUNC_LASTKEY, p99.9 as p99_9, plain count" {
	at 01 '"latency_ms":5,"path":"/","ip":"1","bytes":7,"user":"u","geo":{"country":"DE"}' >in
	run --separate-stderr stream-window --tumbling 10s --by .geo.country --agg count \
	    --agg 'count(.user)' --agg 'avg(.latency_ms)' --agg 'p95(.latency_ms)' \
	    --agg 'p99.9(.latency_ms)' --agg 'top(3,.path)' --agg 'distinct(.ip)' \
	    --agg 'sum(.bytes)' <in
	assert_success
	run jq -c 'keys_unsorted' <<<"$output"
	assert_output '["start","end","country","count","count_user","avg_latency_ms","p95_latency_ms","p99_9_latency_ms","top_path","distinct_ip","sum_bytes"]'
}

@test "--by NAME= and --agg NAME= name the members" {
	at 01 '"geo":{"country":"DE"},"latency_ms":4' >in
	run --separate-stderr stream-window --tumbling 10s --by c=.geo.country \
	    --agg n=count --agg 'slow=max(.latency_ms)' <in
	assert_success
	assert_output "$(win 00 10 '"c":"DE","n":1,"slow":4')"
}

@test "--by NAME=EXPR with a jq expression: (.status/100|floor)" {
	{ at 01 '"status":200'; at 02 '"status":404'; at 03 '"status":201'; at 04 '"status":503'; } >in
	run --separate-stderr stream-window --tumbling 10s --by 'cls=(.status/100|floor)' <in
	assert_success
	assert_output "$(win 00 10 '"cls":2,"count":2'; win 00 10 '"cls":4,"count":1'
	    win 00 10 '"cls":5,"count":1')"
}

@test "--by: an expression that fails on a record makes it a bad record" {
	{ at 01 '"status":200'; at 02 '"status":null'; at 03 '"status":201'; } >in
	run --separate-stderr stream-window --tumbling 10s --by 'cls=(.status/100|floor)' --stats <in
	assert_success
	assert_output "$(win 00 10 '"cls":2,"count":2')"
	assert_stderr_line --index 0 --regexp '^stream-window: <stdin>:2: .*cannot be divided'
	assert_equal "$(tail -n 1 <<<"$stderr" | jq .bad)" 1
}

@test "--by: several keys, a missing value is null and its own group" {
	{ at 01 '"a":1,"b":"x"'; at 02 '"a":1'; at 03 '"b":"x"'; at 04 '"a":1,"b":"x"'; at 05 '"a":null'; } >in
	run --separate-stderr stream-window --tumbling 10s --by .a --by .b <in
	assert_success
	assert_output "$(win 00 10 '"a":null,"b":null,"count":1'
	    win 00 10 '"a":null,"b":"x","count":1'
	    win 00 10 '"a":1,"b":null,"count":1'
	    win 00 10 '"a":1,"b":"x","count":2')"
}

@test "--by: values are written canonically (object keys sorted), 2.0 and 2 are one group" {
	{ at 01 '"k":{"b":1,"a":[2.0]}'; at 02 '"k":{"a":[2],"b":1}'; at 03 '"k":2.0'; at 04 '"k":2'; } >in
	run --separate-stderr stream-window --tumbling 10s --by .k <in
	assert_success
	assert_output "$(win 00 10 '"k":2,"count":2'; win 00 10 '"k":{"a":[2],"b":1},"count":2')"
}

@test "output order: by window end, then the group in jq order" {
	printf '%s\n' '{"ts":0,"k":"a"}' '{"ts":0,"k":"B"}' '{"ts":0,"k":10}' \
	    '{"ts":0,"k":2}' '{"ts":0}' '{"ts":0,"k":true}' '{"ts":0,"k":false}' \
	    '{"ts":0,"k":[1]}' '{"ts":0,"k":[0,5]}' '{"ts":0,"k":{"b":1}}' '{"ts":0,"k":{"a":9}}' \
	    '{"ts":12,"k":null}' '{"ts":11,"k":"a"}' >in
	run --separate-stderr stream-window --tumbling 10s --by .k --lateness 1m --time-output s <in
	assert_success
	assert_output "$(printf '{"start":0,"end":10,"k":%s,"count":1}\n' \
	    null false true 2 10 '"B"' '"a"' '[0,5]' '[1]' '{"a":9}' '{"b":1}'
	    printf '{"start":10,"end":20,"k":%s,"count":1}\n' null '"a"')"
}

@test "output order: several keys are compared one by one" {
	printf '%s\n' '{"ts":1,"a":1,"b":"b"}' '{"ts":1,"a":1,"b":"a"}' '{"ts":1,"a":0,"b":"z"}' >in
	run --separate-stderr stream-window --tumbling 10s --by .a --by .b --time-output s <in
	assert_success
	assert_output $'{"start":0,"end":10,"a":0,"b":"z","count":1}\n{"start":0,"end":10,"a":1,"b":"a","count":1}\n{"start":0,"end":10,"a":1,"b":"b","count":1}'
}

@test "the same input gives the same output bytes" {
	stream-window --session 1s --by .user --agg 'top(3,.path)' --agg 'p95(.latency_ms)' \
	    --lateness 3s "$DATA" >out1
	stream-window --session 1s --by .user --agg 'top(3,.path)' --agg 'p95(.latency_ms)' \
	    --lateness 3s "$DATA" >out2
	assert_same_bytes out1 out2
}

# ---------------------------------------------------------------------------
# Time

@test "start and end are RFC 3339 UTC with milliseconds by default" {
	printf '%s\n' '{"ts":1.2345}' >in
	run --separate-stderr stream-window --session 1s <in
	assert_success
	assert_output '{"start":"1970-01-01T00:00:01.234Z","end":"1970-01-01T00:00:02.234Z","count":1}'
}

@test "--time-output s: epoch seconds, integers as integers" {
	printf '%s\n' '{"ts":1.25}' '{"ts":"1970-01-01T00:00:10Z"}' >in
	run --separate-stderr stream-window --session 1s --time-output s <in
	assert_success
	assert_output $'{"start":1.25,"end":2.25,"count":1}\n{"start":10,"end":11,"count":1}'
}

@test "--time-output ms: epoch milliseconds" {
	{ at 01.5; at 12; } >in
	run --separate-stderr stream-window --tumbling 10s --time-output ms <in
	assert_success
	assert_output $'{"start":1795600800000,"end":1795600810000,"count":1}\n{"start":1795600810000,"end":1795600820000,"count":1}'
	printf '%s\n' '{"ts":1.25}' >in
	run --separate-stderr stream-window --session 1s --time-output ms <in
	assert_output '{"start":1250,"end":2250,"count":1}'
}

@test "RFC 3339 times with offsets and fractions, and epoch seconds, are one time line" {
	printf '%s\n' '{"ts":"2026-11-25T11:00:01+01:00"}' '{"ts":"2026-11-25T10:00:09.999Z"}' \
	    '{"ts":1795600810}' '{"ts":"2026-11-25T05:00:12.5-05:00"}' >in
	run --separate-stderr stream-window --tumbling 10s <in
	assert_success
	assert_output "$(win 00 10 '"count":2'; win 10 20 '"count":2')"
}

@test "--time EXPR picks the event time" {
	printf '%s\n' '{"ts":"2000-01-01T00:00:00Z","at":"2026-11-25T10:00:01Z"}' \
	    '{"at":"2026-11-25T10:00:11Z"}' >in
	run --separate-stderr stream-window --tumbling 10s --time .at <in
	assert_success
	assert_output "$(win 00 10 '"count":1'; win 10 20 '"count":1')"
}

@test "--time-unit ms, us, ns: numbers in that unit" {
	for u in ms:1795600801500:1795600811000 us:1795600801500000:1795600811000000 \
	    ns:1795600801500000000:1795600811000000000; do
		IFS=: read -r unit t1 t2 <<<"$u"
		printf '{"at":%s}\n' "$t1" "$t2" >in
		run --separate-stderr stream-window --tumbling 10s --time .at --time-unit "$unit" <in
		assert_success
		assert_output "$(win 00 10 '"count":1'; win 10 20 '"count":1')"
	done
}

@test "--time-format: strings in a strptime format" {
	printf '%s\n' '{"at":"25/11/2026 10:00:01"}' '{"at":"25/11/2026 10:00:11"}' >in
	run --separate-stderr stream-window --tumbling 10s --time .at --time-format '%d/%m/%Y %H:%M:%S' <in
	assert_success
	assert_output "$(win 00 10 '"count":1'; win 10 20 '"count":1')"
}

@test "--processing-time: windows of arrival time, closed by the clock without input" {
	mkfifo f
	exec 8<>f
	bg stream-window --tumbling 1s --processing-time --time-output ms <f >out 2>err
	t0=$(now_ms)
	printf '%s\n' '{"x":1}' '{"ts":"2000-01-01T00:00:00Z"}' >&8
	wait_lines out 1 3 || fail "the window did not close within 3 s"
	t1=$(now_ms)
	run jq -c '[.end - .start, .count]' out
	assert_output '[1000,2]'
	start=$(jq .start out)
	end=$(jq .end out)
	# the window holds the arrival, and came out within 0.5 s of its end
	test "$start" -le "$((t0 + 100))" && test "$end" -gt "$t0" ||
	    fail "window [$start, $end) does not hold the arrival at $t0"
	test "$t1" -ge "$end" && test "$t1" -le "$((end + 500))" ||
	    fail "window ending at $end came out at $t1"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
}

@test "--idle: a quiet stream's 1 s window comes out within --idle plus 0.5 s, without end of input" {
	mkfifo f
	exec 8<>f
	bg stream-window --tumbling 1s --idle 1s <f >out 2>err
	t0=$(now_ms)
	at 00.500 >&8
	wait_lines out 1 4 || fail "the window did not come out within 4 s"
	ms=$(( $(now_ms) - t0 ))
	test "$ms" -ge 900 && test "$ms" -le 1500 ||
	    fail "the window came out after $ms ms; expected 1000 to 1500"
	run cat out
	assert_output "$(win 00 01 '"count":1')"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	assert_file_empty err
}

@test "--idle: the watermark then follows the clock, so a window comes out at about end - watermark" {
	mkfifo f
	exec 8<>f
	bg stream-window --tumbling 2s --idle 500ms <f >out 2>err
	t0=$(now_ms)
	at 00 >&8	# watermark 10:00:00, the window ends 2 s later
	wait_lines out 1 5 || fail "the window did not come out within 5 s"
	ms=$(( $(now_ms) - t0 ))
	test "$ms" -ge 1800 && test "$ms" -le 2500 ||
	    fail "the window came out after $ms ms; expected 2000 to 2500"
	run cat out
	assert_output "$(win 00 02 '"count":1')"
}

# ---------------------------------------------------------------------------
# --stats, -u, operands, signals

@test "--stats writes one JSON line of counts to stderr at exit" {
	{ at 01; at 12; echo 'not json'; at 05; at 13; } >in
	run --separate-stderr stream-window --tumbling 10s --stats --on-error skip in
	assert_success
	assert_output "$(win 00 10 '"count":1'; win 10 20 '"count":2')"
	assert_equal "${#stderr_lines[@]}" 1
	err=$stderr
	run jq -c 'keys_unsorted' <<<"$err"
	assert_output '["tool","in","out","bad","late","elapsed_s"]'
	run stats_of "$err"
	assert_output '{"tool":"stream-window","in":5,"out":2,"bad":1,"late":1}'
	run jq -e '.elapsed_s | type == "number" and . >= 0 and . < 60' <<<"$err"
	assert_success
}

@test "-u and --unbuffered: a closed window comes out at once" {
	for u in -u --unbuffered; do
		rm -f f out
		mkfifo f
		exec 8<>f
		bg stream-window "$u" --tumbling 10s <f >out 2>err
		at 01 >&8
		at 11 >&8
		wait_lines out 1 || fail "$u: the window did not come out"
		run cat out
		assert_output "$(win 00 10 '"count":1')"
		exec 8>&-
		wait_exit "$BG"
		assert_equal "$status" 0
	done
}

@test "FILE operands are read in order, - is stdin, messages name the file" {
	at 01 >a.ndjson
	printf 'oops\n' >>a.ndjson
	at 02 >stdin.ndjson
	at 12 >b.ndjson
	run --separate-stderr stream-window --tumbling 10s a.ndjson - b.ndjson <stdin.ndjson
	assert_success
	assert_output "$(win 00 10 '"count":2'; win 10 20 '"count":1')"
	assert_stderr "stream-window: a.ndjson:2: invalid JSON at column 1: unexpected 'o'"
}

@test "SIGTERM: stop reading, close every window, exit 0" {
	mkfifo f
	exec 8<>f
	bg stream-window --tumbling 10s --stats <f >out 2>err
	at 01 >&8
	at 12 >&8
	wait_lines out 1 || fail "the first window did not come out"
	kill -TERM "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output "$(win 00 10 '"count":1'; win 10 20 '"count":1')"
	run stats_of "$(cat err)"
	assert_output '{"tool":"stream-window","in":2,"out":2,"bad":0,"late":0}'
}

@test "SIGINT: stop reading, close every window, exit 0" {
	mkfifo f
	exec 8<>f
	bg stream-window --session 5s --time-output s <f >out 2>err
	printf '%s\n' '{"ts":1}' '{"ts":10}' >&8
	wait_lines out 1 || fail "the first session did not come out"
	kill -INT "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output $'{"start":1,"end":6,"count":1}\n{"start":10,"end":15,"count":1}'
	assert_file_empty err
}

@test "a closed stdout ends it quietly" {
	run --separate-stderr sh -c 'stream-window --tumbling 1s "$1" | head -n 1' sh "$DATA"
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_stderr ''
}

# ---------------------------------------------------------------------------
# --help, --version

@test "--help: the usage is the SYNOPSIS of the man page, and fits on one screen" {
	run --separate-stderr stream-window --help
	assert_success
	assert_stderr ''
	test "${#lines[@]}" -le 24 || fail "--help is ${#lines[@]} lines"
	# the usage: the first line and the indented ones after it
	usage=$(printf '%s\n' "${lines[@]}" | awk 'NR == 1 || (u && /^ /) { u = 1; print; next } { u = 0 }' |
	    tr -s ' \t\n' ' ' | tr '[:lower:]' '[:upper:]' | sed 's/ \.\.\./.../g; s/ $//')
	synopsis=$(mandoc -T ascii -O width=200 "$ROOT/man/stream-window.1" 2>/dev/null |
	    col -b | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
	    tr -s ' \t\n' ' ' | tr '[:lower:]' '[:upper:]' |
	    sed 's/ \.\.\./.../g; s/^ //; s/ $//')
	test -n "$synopsis" || skip "mandoc cannot render the page"
	assert_equal "$usage" "USAGE: $synopsis"
}

@test "--help: the usage has every option of the design" {
	run --separate-stderr stream-window --help
	assert_success
	for o in -huV '--tumbling SIZE' '--hopping SIZE --every HOP' '--session GAP' \
	    '--count N' '[--offset DUR]' '[--by [NAME=]EXPR]...' \
	    '[--agg [NAME=]FUNC[(EXPR)]]...' '[--emit final|update]' \
	    '[--collect-max N]' '[--max-keys N]' '[--time EXPR]' '[--time-unit UNIT]' \
	    '[--time-format FMT]' '[--processing-time]' '[--time-output FMT]' \
	    '[--lateness DUR]' '[--late FILE]' '[--idle DUR]' '[--on-error MODE]' \
	    '[--dead-letter FILE]' '[--stats]' '[--max-line SIZE]' '[FILE...]'; do
		assert_output --partial -- "$o"
	done
	run stream-window -h
	assert_success
	assert_line --index 0 --partial 'usage: stream-window [-huV]'
}

@test "-V and --version print the version and exit 0" {
	run --separate-stderr stream-window -V
	assert_success
	assert_output --regexp '^stream-window .*[0-9]+\.[0-9]+\.[0-9]+$'
	run --separate-stderr stream-window --version
	assert_success
	assert_output --regexp '^stream-window .*[0-9]+\.[0-9]+\.[0-9]+$'
}

# ---------------------------------------------------------------------------
# Usage errors

# usage_error RE -- the last run was a usage error: status 2, nothing on
# stdout, and a first line on stderr "stream-window: ..." matching RE
usage_error() {
	assert_failure 2
	assert_output ''
	assert_stderr_line --index 0 --regexp "^stream-window: .*$1"
}

# sw ARGS... -- run stream-window ARGS on one record
sw() {
	run --separate-stderr stream-window "$@" <<<'{"ts":"2026-11-25T10:00:00Z"}'
}

@test "usage error: no window kind" {
	sw --agg count
	usage_error 'window'
	assert_stderr --partial -- '--tumbling'
}

@test "usage error: two window kinds" {
	sw --tumbling 1s --count 3
	usage_error 'one window'
	sw --session 1s --hopping 2s --every 1s
	usage_error 'one window'
}

@test "usage error: --hopping without --every" {
	sw --hopping 10s
	usage_error '--every'
}

@test "usage error: --every that does not divide the --hopping size" {
	sw --hopping 10s --every 3s
	usage_error '--every.*divide'
}

@test "usage error: --offset with --session or --count" {
	sw --session 5s --offset 1s
	usage_error '--offset'
	sw --count 5 --offset 1s
	usage_error '--offset'
}

@test "usage error: an unknown aggregate function" {
	sw --tumbling 1s --agg 'median(.x)'
	usage_error "unknown function 'median'"
}

@test "usage error: an aggregate that needs an expression" {
	for f in sum avg min max stddev first last distinct p95 collect; do
		sw --tumbling 1s --agg "$f"
		usage_error "$f needs an expression"
	done
}

@test "usage error: top without K" {
	sw --tumbling 1s --agg 'top(.path)'
	usage_error '--agg top\(\.path\)'
}

@test "usage error: a name used twice, among --agg and --by" {
	sw --tumbling 1s --agg count --agg count
	usage_error '"count" is taken'
	sw --tumbling 1s --by .count
	usage_error '"count" is taken'
	sw --tumbling 1s --by .a --agg 'a=sum(.x)'
	usage_error '"a" is taken'
	sw --tumbling 1s --by .geo.country --by .country
	usage_error '"country" is taken'
}

@test "usage error: --by with an expression that is not a path, without NAME=" {
	sw --tumbling 1s --by '(.status/100|floor)'
	usage_error 'name it'
}

@test "usage error: a --by expression that does not compile" {
	sw --tumbling 1s --by 'x=.a +'
	assert_failure 2
	assert_output ''
	assert_stderr --partial 'error'
}

@test "usage error: more than 16 --by or 32 --agg" {
	local -a by=() agg=()
	for i in $(seq 17); do by+=(--by ".k$i"); done
	for i in $(seq 33); do agg+=(--agg "n$i=count"); done
	sw --tumbling 1s "${by[@]}"
	usage_error '--by'
	sw --tumbling 1s "${by[@]:2}"
	assert_success
	sw --tumbling 1s "${agg[@]}"
	usage_error '--agg'
	sw --tumbling 1s "${agg[@]:2}"
	assert_success
}

@test "usage error: bad durations" {
	for o in --tumbling --session --lateness --idle --offset; do
		for d in 1x -1s '' 1.5.s s 5m-; do
			if test "$o" = --tumbling || test "$o" = --session; then
				sw "$o" "$d"
			else
				sw --tumbling 10s "$o" "$d"
			fi
			usage_error "$o"
		done
	done
	for d in 0s 0ms; do
		sw --tumbling "$d"
		usage_error '--tumbling'
	done
	sw --hopping 10s --every 0s
	usage_error '--every'
}

@test "usage error: bad values for --count, --emit, --time-unit, --time-output, --on-error" {
	sw --count 0
	usage_error '--count'
	sw --count x
	usage_error '--count'
	sw --tumbling 1s --emit sometimes
	usage_error '--emit'
	sw --tumbling 1s --time-unit h
	usage_error '--time-unit'
	sw --tumbling 1s --time-output iso
	usage_error '--time-output'
	sw --tumbling 1s --on-error ignore
	usage_error '--on-error'
	sw --tumbling 1s --max-keys 0
	usage_error '--max-keys'
	sw --tumbling 1s --collect-max 0
	usage_error '--collect-max'
}

@test "usage error: an unknown option" {
	sw --tumbling 1s --bogus
	usage_error '--bogus'
}

# ---------------------------------------------------------------------------
# Bad input: each kind of bad record between good ones, under --on-error
# warn, skip and fail, and in the --dead-letter file (as in cat-errors.bats)

# Each case_* function sets:
#   BAD     the bad line (printf %s), line 3 of ./in
#   MSG     the message expected after "stream-window: <stdin>:3: "
#   MSG_RE  instead of MSG: an extended regular expression for it
#   OPTS    extra options, an array
#   RAWMAX  when set, the dead letter keeps only this many bytes
defaults() {
	MSG=
	MSG_RE=
	OPTS=()
	RAWMAX=
}

case_invalid_json() {
	defaults
	BAD='{"a":x}'
	MSG="invalid JSON at column 6: unexpected 'x'"
}

case_no_time() {
	defaults
	BAD='{"n":2,"v":5}'
	MSG_RE='^no usable time: .+'
}

case_time_type() {
	defaults
	BAD='{"ts":true,"v":5}'
	MSG_RE='^no usable time: .+'
}

case_time_text() {
	defaults
	BAD='{"ts":"yesterday","v":5}'
	MSG_RE='^no usable time: .+'
}

case_not_object() {
	defaults
	BAD='[1,2]'
	MSG_RE='.+'
}

case_not_number() {
	defaults
	BAD='{"ts":"2026-11-25T10:00:02Z","v":"fast"}'
	OPTS=(--agg 'avg(.v)')
	MSG='--agg avg(.v): not a number: "fast"'
}

case_max_line() {
	defaults
	BAD='{"ts":"2026-11-25T10:00:02Z","pad":"012345678901234567890123456789"}'
	OPTS=(--max-line 64)
	MSG='line longer than --max-line (64 bytes)'
	RAWMAX=64
}

# make_input -- ./in: a record of [09:59:50, 10:00:00), one of [10:00:00,
# 10:00:10) that closes the first window, BAD, and one more of the second
# window; EXPECT: the results when BAD is skipped
make_input() {
	{
		printf '%s\n' '{"ts":"2026-11-25T09:59:55Z","v":1}'
		printf '%s\n' '{"ts":"2026-11-25T10:00:01Z","v":2}'
		printf '%s\n' "$BAD"
		printf '%s\n' '{"ts":"2026-11-25T10:00:03Z","v":4}'
	} >in
	local avg1='' avg2=''
	if test "${OPTS[0]:-}" = --agg; then	# case_not_number: avg(.v)
		avg1=',"avg_v":1'
		avg2=',"avg_v":3'
	fi
	FIRST="{\"start\":\"2026-11-25T09:59:50.000Z\",\"end\":\"2026-11-25T10:00:00.000Z\",\"count\":1$avg1}"
	EXPECT="$FIRST"$'\n'"$(win 00 10 "\"count\":2$avg2")"
}

run_window() {
	run --separate-stderr stream-window --tumbling 10s --agg count "${OPTS[@]}" "$@"
}

assert_message() {
	if test -n "$MSG_RE"; then
		assert_stderr --regexp "^stream-window: <stdin>:3: ${MSG_RE#^}\$"
		assert_equal "${#stderr_lines[@]}" 1
	else
		assert_stderr "stream-window: <stdin>:3: $MSG"
	fi
}

check_warn() {
	make_input
	run_window --on-error warn <in
	assert_success
	assert_output "$EXPECT"
	assert_message
	run_window <in		# warn is the default
	assert_success
	assert_output "$EXPECT"
	assert_message
}

check_skip() {
	make_input
	run_window --on-error skip <in
	assert_success
	assert_output "$EXPECT"
	assert_stderr ''
	run_window --on-error skip --stats <in
	run jq -c '[.in, .out, .bad, .late]' <<<"$stderr"
	assert_output '[4,2,1,0]'
}

check_fail() {
	make_input
	run_window --on-error fail <in
	assert_failure 1
	# what was produced before the bad record is out (see below for
	# the windows still open)
	assert_line --index 0 "$FIRST"
	assert_message
}

# expected_dead LINE MSG [RAWMAX] -- the dead-letter line for line LINE
# of ./in, built with Python's json
expected_dead() {
	python3 - "$@" <<-'EOF'
	import json, sys
	n, msg = int(sys.argv[1]), sys.argv[2]
	raw = open("in", "rb").read().split(b"\n")[n - 1]
	if len(sys.argv) > 3 and sys.argv[3]:
	    raw = raw[:int(sys.argv[3])]
	d = {"error": msg, "source": "<stdin>", "line": n, "raw": raw.decode("utf-8")}
	print(json.dumps(d, ensure_ascii=False, separators=(",", ":")))
	EOF
}

check_dead_letter() {
	make_input
	run_window --on-error skip --dead-letter dl <in
	assert_success
	assert_output "$EXPECT"
	assert_equal "$(lines_in dl)" 1
	if test -n "$MSG_RE"; then
		run jq -r .error dl
		assert_output --regexp "$MSG_RE"
		run jq -c 'del(.error)' dl
		assert_output "$(expected_dead 3 x "$RAWMAX" | jq -c 'del(.error)')"
	else
		run cat dl
		assert_output "$(expected_dead 3 "$MSG" "$RAWMAX")"
	fi
}

@test "invalid JSON, warn: skipped with a message" { case_invalid_json; check_warn; }
@test "invalid JSON, skip: skipped silently, counted" { case_invalid_json; check_skip; }
@test "invalid JSON, fail: exit 1 after the earlier output" { case_invalid_json; check_fail; }
@test "invalid JSON, dead letter: raw line kept" { case_invalid_json; check_dead_letter; }

@test "no time, warn: skipped with a message" { case_no_time; check_warn; }
@test "no time, skip: skipped silently, counted" { case_no_time; check_skip; }
@test "no time, fail: exit 1 after the earlier output" { case_no_time; check_fail; }
@test "no time, dead letter: raw line kept" { case_no_time; check_dead_letter; }

@test "a time of the wrong type, warn: skipped with a message" { case_time_type; check_warn; }
@test "a time of the wrong type, skip: skipped silently, counted" { case_time_type; check_skip; }
@test "a time of the wrong type, fail: exit 1 after the earlier output" { case_time_type; check_fail; }
@test "a time of the wrong type, dead letter: raw line kept" { case_time_type; check_dead_letter; }

@test "a time string that is no time, warn: skipped with a message" { case_time_text; check_warn; }
@test "a time string that is no time, skip: skipped silently, counted" { case_time_text; check_skip; }
@test "a time string that is no time, fail: exit 1 after the earlier output" { case_time_text; check_fail; }
@test "a time string that is no time, dead letter: raw line kept" { case_time_text; check_dead_letter; }

@test "a record that is not an object, warn: skipped with a message" { case_not_object; check_warn; }
@test "a record that is not an object, skip: skipped silently, counted" { case_not_object; check_skip; }
@test "a record that is not an object, fail: exit 1 after the earlier output" { case_not_object; check_fail; }
@test "a record that is not an object, dead letter: raw line kept" { case_not_object; check_dead_letter; }

@test "a non-number for avg, warn: skipped with a message" { case_not_number; check_warn; }
@test "a non-number for avg, skip: skipped silently, counted" { case_not_number; check_skip; }
@test "a non-number for avg, fail: exit 1 after the earlier output" { case_not_number; check_fail; }
@test "a non-number for avg, dead letter: raw line kept" { case_not_number; check_dead_letter; }

@test "a line over --max-line, warn: skipped with a message" { case_max_line; check_warn; }
@test "a line over --max-line, skip: skipped silently, counted" { case_max_line; check_skip; }
@test "a line over --max-line, fail: exit 1 after the earlier output" { case_max_line; check_fail; }
@test "a line over --max-line, dead letter: the first 64 bytes kept" { case_max_line; check_dead_letter; }

@test "--on-error fail writes what was produced, not the windows still open" {
	case_invalid_json
	make_input
	run_window --on-error fail <in
	assert_failure 1
	assert_output "$FIRST"
}

@test "a bad record does not move the watermark" {
	# the bad line's time (10:00:30) would close [0,10) and make 10:00:03 late
	printf '%s\n' '{"ts":"2026-11-25T10:00:01Z"}' '{"ts":"2026-11-25T10:00:30Z","v":"x"}' \
	    '{"ts":"2026-11-25T10:00:03Z"}' >in
	run --separate-stderr stream-window --tumbling 10s --agg count --agg 'sum(.v)' \
	    --on-error skip --stats <in
	assert_success
	assert_output "$(win 00 10 '"count":2,"sum_v":null')"
	assert_equal "$(jq -c '[.bad, .late]' <<<"$stderr")" '[1,0]'
}

@test "--emit update: in a live pipe each change comes out as its record arrives" {
	mkfifo f
	exec 8<>f
	bg stream-window --tumbling 1m --emit update --by .u <f >out
	printf '%s\n' '{"ts":"2026-11-25T10:00:01Z","u":"a"}' >&8
	wait_lines out 1 3
	printf '%s\n' '{"ts":"2026-11-25T10:00:02Z","u":"a"}' >&8
	wait_lines out 2 3
	run cat out
	assert_output '{"start":"2026-11-25T10:00:00.000Z","end":"2026-11-25T10:01:00.000Z","u":"a","count":1}
{"start":"2026-11-25T10:00:00.000Z","end":"2026-11-25T10:01:00.000Z","u":"a","count":2}'
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
}
