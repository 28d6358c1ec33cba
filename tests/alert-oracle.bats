#!/usr/bin/env bats
# stream-alert(1) against tests/alert-oracle.py, an independent model of
# the design written from /tmp/alert-design.md: random seeded streams of a
# handful of keys with busy and quiet periods, in order and with bounded
# disorder and --lateness, through rules of the types the model knows
# (frequency, threshold with for: and keep_firing_for:, cardinality,
# absence, change, new_value, match, spike up).  The output must be the
# oracle's byte for byte, except that a "value" or "threshold" number may
# differ in its last bits (averages: 1e-9 relative).  Most streams end with
# a far "tick" record that moves the watermark past everything, so that
# nothing is left for the end of input to decide; the end of input itself
# has tests of its own.

load helper

setup_file() {
	if ! test -x "$ROOT/stream-alert"; then
		echo "stream-alert is not built: run make" >&2
		return 1
	fi
	D=$BATS_FILE_TMPDIR
	export D
	local s
	for s in 1 2; do
		oracle gen --seed "$s" -n 3000 --tick >"$D/in$s"
		oracle gen --seed "$((s + 10))" -n 3000 --disorder 300 --tick >"$D/dis$s"
		oracle gen --seed "$((s + 20))" -n 2000 >"$D/end$s"
	done
	write_rules
}

# oracle ARGS... -- tests/alert-oracle.py ARGS...
oracle() {
	python3 "$ROOT/tests/alert-oracle.py" "$@"
}

# write_rules -- $D/TYPE.yaml for each type the oracle knows, tuned so that
# each rule fires and (where it can) resolves many times on the streams
write_rules() {
	cat >"$D/frequency.yaml" <<-'EOF'
	rules:
	  - name: f-by-key
	    type: frequency
	    where: '.ev == "a"'
	    by: .k
	    window: 2s
	    threshold: 6
	  - name: f-all
	    type: frequency
	    window: 500ms
	    threshold: 32
	    op: '>'
	    cooldown: 3s
	    sample: 2
	  - name: f-users
	    type: frequency
	    where: '.v >= 100'
	    by: [.k, .u]
	    window: 5s
	    threshold: 2
	    sample: 0
	EOF
	cat >"$D/threshold.yaml" <<-'EOF'
	rules:
	  - name: avg-hot
	    type: threshold
	    by: .k
	    agg: avg(.v)
	    window: 1s
	    threshold: 70
	    for: 2s
	    keep_firing_for: 1s
	  - name: sum-busy
	    type: threshold
	    where: '.ev == "a"'
	    by: .k
	    agg: sum(.v)
	    window: 1s
	    threshold: 1000
	  - name: count-busy
	    type: threshold
	    by: [.k, .ev]
	    agg: count
	    window: 2s
	    threshold: 15
	    op: '>='
	    for: 2s
	  - name: max-v
	    type: threshold
	    agg: max(.v)
	    window: 500ms
	    threshold: 145
	    op: '>='
	    cooldown: 2s
	    sample: 1
	  - name: min-v
	    type: threshold
	    where: '.ev == "c"'
	    by: .k
	    agg: min(.v)
	    window: 1s
	    threshold: 40
	    keep_firing_for: 2s
	  - name: avg-cool
	    type: threshold
	    by: .k
	    agg: avg(.v)
	    window: 1s
	    threshold: 60
	    for: 1s
	    cooldown: 4s
	    sample: 2
	EOF
	cat >"$D/cardinality.yaml" <<-'EOF'
	rules:
	  - name: users
	    type: cardinality
	    by: .k
	    field: .u
	    window: 2s
	    threshold: 12
	    keep_firing_for: 500ms
	  - name: users-b
	    type: cardinality
	    where: '.ev == "b"'
	    by: .k
	    field: .u
	    window: 1s
	    threshold: 6
	    sample: 2
	  - name: modes
	    type: cardinality
	    field: .mode
	    window: 3s
	    threshold: 3
	    cooldown: 5s
	EOF
	cat >"$D/absence.yaml" <<-'EOF'
	rules:
	  - name: quiet
	    type: absence
	    where: '.ev == "c"'
	    by: .k
	    window: 1500ms
	    keys: [k0, k1, k2, k3, k4, k9]
	  - name: quiet-any
	    type: absence
	    by: .k
	    window: 800ms
	    sample: 0
	EOF
	cat >"$D/change.yaml" <<-'EOF'
	rules:
	  - name: mode
	    type: change
	    by: .k
	    field: .mode
	  - name: new-user
	    type: new_value
	    by: .k
	    field: .u
	    learn: 10s
	  - name: new-user-b
	    type: new_value
	    where: '.ev == "b"'
	    by: .k
	    field: .u
	  - name: match-c
	    type: match
	    where: '.ev == "c"'
	    by: .k
	    cooldown: 1s
	EOF
	cat >"$D/spike.yaml" <<-'EOF'
	rules:
	  - name: spike-count
	    type: spike
	    by: .k
	    window: 1s
	    factor: 2
	    direction: up
	  - name: spike-sum
	    type: spike
	    where: '.ev == "a"'
	    by: .k
	    agg: sum(.v)
	    window: 2s
	    factor: 1.8
	    direction: up
	    keep_firing_for: 2s
	EOF
	{
		echo 'rules:'
		for t in frequency threshold cardinality absence change spike; do
			sed 1d "$D/$t.yaml"
		done
	} >"$D/all.yaml"
	{
		echo 'rules:'
		for t in frequency threshold absence change spike; do
			sed 1d "$D/$t.yaml"
		done
	} >"$D/all-but-cardinality.yaml"
}

# compare EXPECTED ACTUAL -- ACTUAL is EXPECTED line for line, byte for
# byte, except that the numbers of "value" and "threshold" may differ by
# 1e-9 relative; prints the first differences
compare() {
	python3 - "$1" "$2" <<-'EOF'
	import re, sys
	NUM = r'(-?[0-9][0-9.eE+-]*)'
	def near(a, b):
	    a, b = float(a), float(b)
	    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1)
	def norm(e, g):
	    for m in ("value", "threshold"):
	        me = re.search('"%s":%s' % (m, NUM), e)
	        mg = re.search('"%s":%s' % (m, NUM), g)
	        if me and mg and me.group(1) != mg.group(1) and near(me.group(1), mg.group(1)):
	            g = g[:mg.start(1)] + me.group(1) + g[mg.end(1):]
	    return g
	exp = open(sys.argv[1], encoding="utf-8").read().splitlines()
	got = open(sys.argv[2], encoding="utf-8").read().splitlines()
	diffs = []
	if len(exp) != len(got):
	    diffs.append("%d lines, expected %d" % (len(got), len(exp)))
	for i, (e, g) in enumerate(zip(exp, got), 1):
	    if e != norm(e, g):
	        diffs.append("line %d:\n  expected %s\n  got      %s" % (i, e[:500], g[:500]))
	for d in diffs[:5]:
	    print(d)
	if diffs:
	    print("%d differences" % len(diffs))
	sys.exit(1 if diffs else 0)
	EOF
}

# like_oracle TYPE INPUT [OPTIONS...] -- stream-alert -r $D/TYPE.yaml
# OPTIONS INPUT succeeds quietly and writes what the oracle computes; the
# late records, alerts and suppressed alerts of --stats are the oracle's;
# without OPTIONS, every rule of the file fires
like_oracle() {
	local type=$1 in=$2 name
	shift 2
	oracle run -r "$D/$type.yaml" --stats "$@" "$in" >expect 2>expect.stats
	test -s expect || fail "the oracle wrote nothing"
	status=0
	stream-alert -r "$D/$type.yaml" --stats "$@" "$in" >out 2>err || status=$?
	assert_equal "$status" 0
	run compare expect out
	assert_success
	assert_equal "$(tail -n 1 err | jq -c '[.in, .late, .alerts, .suppressed]')" \
	    "$(jq -c '[.in, .late, .alerts, .suppressed]' expect.stats)"
	assert_equal "$(lines_in err)" 1
	test "$#" -eq 0 || return 0
	for name in $(sed -n 's/^  - name: //p' "$D/$type.yaml"); do
		grep -q "^{\"alert\":\"$name\"" out || fail "rule $name never fires"
	done
}

# in order, two seeds
@test "oracle: frequency, in order" { like_oracle frequency "$D/in1"; like_oracle frequency "$D/in2"; }
@test "oracle: threshold (for:, keep_firing_for:), in order" { like_oracle threshold "$D/in1"; like_oracle threshold "$D/in2"; }
@test "oracle: cardinality (keep_firing_for:), in order" { like_oracle cardinality "$D/in1"; like_oracle cardinality "$D/in2"; }
@test "oracle: absence (keys:), in order" { like_oracle absence "$D/in1"; like_oracle absence "$D/in2"; }
@test "oracle: change, new_value and match, in order" { like_oracle change "$D/in1"; like_oracle change "$D/in2"; }
@test "oracle: spike (up), in order" { like_oracle spike "$D/in1"; like_oracle spike "$D/in2"; }
@test "oracle: every rule at once, in order: the batches of one watermark move interleave by time, rule, key" {
	like_oracle all "$D/in1"
}

# out of order by up to 300 ms: with --lateness 500ms nothing is late, with
# --lateness 100ms many records are
@test "oracle: frequency, out of order, --lateness 500ms and 100ms" {
	like_oracle frequency "$D/dis1" --lateness 500ms
	like_oracle frequency "$D/dis2" --lateness 100ms
}
@test "oracle: threshold, out of order, --lateness 500ms and 100ms" {
	like_oracle threshold "$D/dis1" --lateness 500ms
	like_oracle threshold "$D/dis2" --lateness 100ms
}
@test "oracle: cardinality, in order with --lateness 1s: a firing key resolves at the expiry time, once the watermark passes it" {
	like_oracle cardinality "$D/in1" --lateness 1s
}
@test "oracle: cardinality, out of order, --lateness 500ms and 100ms" {
	like_oracle cardinality "$D/dis1" --lateness 500ms
	like_oracle cardinality "$D/dis2" --lateness 100ms
}
@test "oracle: absence, out of order, --lateness 500ms and 100ms" {
	like_oracle absence "$D/dis1" --lateness 500ms
	like_oracle absence "$D/dis2" --lateness 100ms
}
@test "oracle: change, new_value and match, out of order, --lateness 500ms and 100ms" {
	like_oracle change "$D/dis1" --lateness 500ms
	like_oracle change "$D/dis2" --lateness 100ms
}
@test "oracle: spike, out of order, --lateness 500ms and 100ms" {
	like_oracle spike "$D/dis1" --lateness 500ms
	like_oracle spike "$D/dis2" --lateness 100ms
}
@test "oracle: every rule but cardinality at once, out of order, --lateness 500ms" {
	like_oracle all-but-cardinality "$D/dis1" --lateness 500ms
}

# the end of input decides: windows with records close, firing keys stay
# firing, absence is judged up to the last event time
@test "oracle: end of input without a tick: threshold, spike, cardinality, absence" {
	local t
	for t in threshold spike cardinality absence; do
		like_oracle "$t" "$D/end1"
		like_oracle "$t" "$D/end2"
	done
}

@test "oracle: --late FILE holds the late records the oracle counts" {
	stream-alert -r "$D/frequency.yaml" --lateness 100ms --late late --stats "$D/dis1" >/dev/null 2>err
	oracle run -r "$D/frequency.yaml" --lateness 100ms --stats "$D/dis1" >/dev/null 2>expect.stats
	n=$(jq .late expect.stats)
	test "$n" -gt 100
	assert_equal "$(lines_in late)" "$n"
	assert_equal "$(tail -n 1 err | jq .late)" "$n"
}

@test "oracle: the model agrees with the hand-made expectations of tests/rules" {
	# every use case the model can read (no message, simple where)
	python3 - "$ROOT" <<-'EOF'
	import json, subprocess, sys, yaml
	root = sys.argv[1]
	R = root + "/tests/rules"
	def subset(e, a):
	    if isinstance(e, dict):
	        return isinstance(a, dict) and all(k in a and subset(v, a[k]) for k, v in e.items())
	    if isinstance(e, list):
	        return isinstance(a, list) and len(e) == len(a) and all(map(subset, e, a))
	    if isinstance(e, (int, float)) and not isinstance(e, bool):
	        return isinstance(a, (int, float)) and e == a
	    return e == a
	bad = 0
	for u in ("bruteforce", "botnet", "new-ip", "card-countries", "dead-sensor",
	          "latency", "error-spike", "config-change"):
	    t = yaml.safe_load(open("%s/%s.test.yaml" % (R, u)))
	    rules = yaml.safe_load(open("%s/%s" % (R, t["rules"])))
	    for r in rules["rules"]:
	        r.pop("message", None)
	    with open("r.yaml", "w") as f:
	        yaml.safe_dump(rules, f)
	    for c in t["tests"]:
	        inp = c["input"] if "input" in c else open("%s/%s" % (R, c["input_file"])).read()
	        p = subprocess.run(["python3", root + "/tests/alert-oracle.py", "run", "-r", "r.yaml"],
	                           input=inp, capture_output=True, text=True, check=True)
	        got = [json.loads(l) for l in p.stdout.splitlines()]
	        exp = [{k: v for k, v in e.items() if k != "message"} for e in c["expect"]]
	        if len(got) != len(exp) or not all(map(subset, exp, got)):
	            bad += 1
	            print("%s: %s:\n  expected %s\n  oracle   %s" % (u, c["name"], exp, got))
	sys.exit(1 if bad else 0)
	EOF
}
