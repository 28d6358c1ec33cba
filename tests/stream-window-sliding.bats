#!/usr/bin/env bats
# stream-window(1), Sliding windows: one result per record over the SIZE
# of event time before it, checked against a small Python oracle.

load helper

# oracle SIZE_S LATENESS_S -- the expected lines for --sliding SIZE
# --by .user --agg count --agg sum(.bytes) --agg max(.latency_ms) over
# ./in, written from the man page: late records (before the watermark)
# are skipped; each record's window is (t - SIZE, t], with the records at
# t that came no later; lines ordered by end, then user, then arrival.
oracle() {
	python3 - "$1" "$2" <<'PY'
import json, sys
from datetime import datetime
size, late = float(sys.argv[1]), float(sys.argv[2])
def t_of(r):
    return datetime.fromisoformat(r["ts"].replace("Z", "+00:00")).timestamp()
kept, maxt = [], None
for i, line in enumerate(open("in")):
    r = json.loads(line)
    t = round(t_of(r) * 1000)
    if maxt is not None and t < maxt - late * 1000:
        continue
    maxt = t if maxt is None else max(maxt, t)
    kept.append((t, i, r))
out = []
for t, i, r in kept:
    win = [x for u, j, x in kept if x.get("user") == r.get("user") and
           (t - size * 1000 < u < t or (u == t and j <= i))]
    lat = [x["latency_ms"] for x in win if x.get("latency_ms") is not None]
    def iso(ms):
        return datetime.utcfromtimestamp(ms / 1000).strftime(
            "%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)
    line = {"start": iso(t - size * 1000), "end": iso(t),
            "user": r.get("user"), "count": len(win),
            "sum_bytes": sum(x.get("bytes") or 0 for x in win),
            "max_latency_ms": max(lat) if lat else None}
    key = (t, (r.get("user") is not None, r.get("user") or ""), i)
    out.append((key, line))
for key, line in sorted(out, key=lambda o: o[0]):
    l = line["max_latency_ms"]
    if isinstance(l, float) and l == int(l):
        line["max_latency_ms"] = int(l)
    print(json.dumps(line, separators=(",", ":")))
PY
}

S=(--by .user --agg count --agg 'sum(.bytes)' --agg 'max(.latency_ms)')

@test "--sliding: every record's window agrees with the oracle, in order" {
	gen -n 3000 --seed 4 --rate 100 --safe-ints >in
	stream-window --sliding 2s "${S[@]}" in >got
	oracle 2 0 >want
	assert_same_bytes want got
	test "$(wc -l <got)" -eq 3000
}

@test "--sliding: out-of-order records within --lateness, late ones skipped" {
	gen -n 3000 --seed 5 --rate 100 --disorder 800 --safe-ints >in
	run --separate-stderr stream-window --sliding 1s --lateness 500ms \
	    --stats "${S[@]}" in
	assert_success
	printf '%s\n' "$output" >got
	oracle 1 0.5 >want
	assert_same_bytes want got
	late=$(printf '%s\n' "$stderr" | sed 's/.*"late":\([0-9]*\).*/\1/')
	test "$late" -gt 0
	test "$(( $(wc -l <got) + late ))" -eq 3000
}

@test "--sliding: hand-made window edges and ties" {
	printf '%s\n' '{"ts":1,"u":"a","x":1}' '{"ts":2,"u":"b","x":2}' \
	    '{"ts":3,"u":"a","x":3}' '{"ts":2.5,"u":"a","x":10}' \
	    '{"ts":5,"u":"a","x":4}' '{"ts":5,"u":"a","x":5}' >in
	run stream-window --sliding 2s --by .u --agg count --agg 'sum(.x)' \
	    --time-output s --lateness 1s in
	assert_success
	assert_output '{"start":-1,"end":1,"u":"a","count":1,"sum_x":1}
{"start":0,"end":2,"u":"b","count":1,"sum_x":2}
{"start":0.5,"end":2.5,"u":"a","count":2,"sum_x":11}
{"start":1,"end":3,"u":"a","count":2,"sum_x":13}
{"start":3,"end":5,"u":"a","count":1,"sum_x":4}
{"start":3,"end":5,"u":"a","count":2,"sum_x":9}'
}

@test "--sliding: a result waits for the watermark, then comes with --idle" {
	mkfifo f
	exec 8<>f
	bg stream-window --sliding 10s --idle 200ms --agg count <f >out
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z"}' >&8
	wait_lines out 1 3
	run cat out
	assert_output '{"start":"2026-11-25T09:59:50.000Z","end":"2026-11-25T10:00:00.000Z","count":1}'
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
}

@test "--sliding: not with --emit update" {
	run --separate-stderr stream-window --sliding 1m --emit update </dev/null
	assert_failure 2
	assert_stderr --partial 'stream-window: --sliding writes one result per record: not with --emit update'
}

@test "--sliding --max-keys: the quietest group goes, its results written early" {
	printf '%s\n' '{"ts":1,"u":"a"}' '{"ts":2,"u":"a"}' '{"ts":3,"u":"b"}' \
	    '{"ts":4,"u":"a"}' '{"ts":5,"u":"b"}' >in
	run --separate-stderr stream-window --sliding 10s --by .u --max-keys 1 \
	    --time-output s --stats in
	assert_success
	assert_output '{"start":-9,"end":1,"u":"a","count":1}
{"start":-8,"end":2,"u":"a","count":2}
{"start":-7,"end":3,"u":"b","count":1}
{"start":-6,"end":4,"u":"a","count":1}
{"start":-5,"end":5,"u":"b","count":1}'
	assert_stderr --partial '"late":0,"evicted":3,'
}

@test "--sliding --state: two runs over the halves write what one run writes" {
	gen -n 6000 --seed 3 --rate 100 --disorder 500 >all
	head -n 3000 all >part1
	tail -n +3001 all >part2
	set -- --sliding 2s --lateness 1s --by .user --agg count \
	    --agg 'sum(.bytes)' --agg 'p90(.latency_ms)' --agg 'collect(.status)'
	stream-window "$@" --state one.state all >one.out
	stream-window "$@" --state two.state part1 >two.out
	stream-window "$@" --state two.state part2 >>two.out
	assert_same_bytes one.out two.out
	assert_same_bytes one.state two.state
	# the results one run leaves in the state are the rest of a run
	# without --state
	stream-window "$@" all >all.out
	head -n "$(wc -l <one.out)" all.out >head.out
	assert_same_bytes one.out head.out
	test "$(wc -l <all.out)" -gt "$(wc -l <one.out)"
}

@test "--sliding: a bad size is a usage error" {
	run --separate-stderr stream-window --sliding 0 </dev/null
	assert_failure 2
	assert_stderr --partial 'stream-window: --sliding: expected a duration such as 1m or 30s'
}
