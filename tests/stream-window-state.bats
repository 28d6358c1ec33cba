#!/usr/bin/env bats
# stream-window(1), STATE: --state and --state-every.  A run split in two
# with one state file writes the same bytes as one run; a damaged state
# or one written with other options is refused.

load helper

W=(--tumbling 1m --by .geo.country --agg count --agg 'p95(.latency_ms)'
    --agg 'distinct(.user)' --agg 'top(2,.event)' --agg 'first(.path)'
    --agg 'collect(.status)' --agg 'stddev(.bytes)' --lateness 2s)

split_in_two() {
	gen -n 20000 --seed 9 --rate 50 --disorder 1000 >all
	head -n 10000 all >part1
	tail -n +10001 all >part2
}

@test "--state: two runs over the halves write what one run writes" {
	split_in_two
	stream-window "${W[@]}" --state one.state all >one.out
	stream-window "${W[@]}" --state two.state part1 >two.out
	stream-window "${W[@]}" --state two.state part2 >>two.out
	assert_same_bytes one.out two.out
	assert_same_bytes one.state two.state
	test "$(wc -l <one.out)" -gt 50
}

@test "--state: sessions and hopping windows continue across runs" {
	split_in_two
	for kind in '--session 2s' '--hopping 1m --every 20s' '--count 7'; do
		rm -f one.state two.state
		# shellcheck disable=SC2086
		stream-window $kind --by .user --agg count \
		    --agg 'avg(.latency_ms)' --state one.state all >one.out
		# shellcheck disable=SC2086
		stream-window $kind --by .user --agg count \
		    --agg 'avg(.latency_ms)' --state two.state part1 >two.out
		# shellcheck disable=SC2086
		stream-window $kind --by .user --agg count \
		    --agg 'avg(.latency_ms)' --state two.state part2 >>two.out
		assert_same_bytes one.out two.out
	done
}

@test "--state: open windows are saved, not written, at the end" {
	printf '%s\n' '{"ts":"2026-11-25T10:00:10Z"}' \
	    '{"ts":"2026-11-25T10:01:10Z"}' >in
	run --separate-stderr stream-window --tumbling 1m --state s in
	assert_success
	assert_output '{"start":"2026-11-25T10:00:00.000Z","end":"2026-11-25T10:01:00.000Z","count":1}'
	printf '%s\n' '{"ts":"2026-11-25T10:02:00Z"}' >in2
	run --separate-stderr stream-window --tumbling 1m --state s in2
	assert_success
	assert_output '{"start":"2026-11-25T10:01:00.000Z","end":"2026-11-25T10:02:00.000Z","count":1}'
}

@test "--state: the watermark survives a restart, so old records are late" {
	printf '%s\n' '{"ts":"2026-11-25T10:05:00Z"}' >in
	stream-window --tumbling 1m --state s in
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z"}' >old
	run --separate-stderr stream-window --tumbling 1m --state s --stats old
	assert_success
	assert_output ''
	assert_stderr --partial '"in":1,"out":0,"bad":0,"late":1,'
}

@test "--state: a missing file is a first run" {
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z"}' >in
	run stream-window --tumbling 1m --state new.state in
	assert_success
	assert_output ''
	assert_file_exists new.state
	run head -n 1 new.state
	assert_output '{"state":1,"tool":"stream-window"}'
}

@test "--state: a damaged file is refused with exit 2, and kept" {
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z"}' >in
	stream-window --tumbling 1m --state s in
	sed -i 's/"n":1/"n":7/' s
	cp s s.before
	run --separate-stderr stream-window --tumbling 1m --state s in
	assert_failure 2
	assert_stderr --regexp '^stream-window: s: .*checksum'
	assert_same_bytes s.before s
}

@test "--state: a truncated file is refused" {
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z"}' >in
	stream-window --tumbling 1m --state s in
	head -c 40 s >t
	run --separate-stderr stream-window --tumbling 1m --state t in
	assert_failure 2
	assert_stderr --partial 'stream-window: t: '
}

@test "--state: a file from other options is refused" {
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z"}' >in
	stream-window --tumbling 1m --state s in
	run --separate-stderr stream-window --tumbling 5m --state s in
	assert_failure 2
	assert_stderr 'stream-window: s: it was written with other windows, groups or aggregates; use another state file'
	run --separate-stderr stream-window --tumbling 1m --agg 'sum(.x)' \
	    --state s in
	assert_failure 2
}

@test "--state: another tool's state file is refused" {
	printf '%s\n' '{"u":1}' >in
	stream-filter --dedup .u --state f.state . in >/dev/null
	run --separate-stderr stream-window --tumbling 1m --state f.state in
	assert_failure 2
	assert_stderr --partial 'stream-window: f.state: '
}

@test "--state: an unwritable state path is refused at the start" {
	run --separate-stderr stream-window --tumbling 1m \
	    --state /nonexistent/dir/s </dev/null
	assert_failure 2
	assert_stderr --partial '/nonexistent/dir/s'
}

@test "--state: SIGTERM saves the open windows" {
	mkfifo f
	exec 8<>f
	bg stream-window --tumbling 1m --state s <f >out
	printf '%s\n' '{"ts":"2026-11-25T10:00:10Z"}' >&8
	sleep 0.3
	kill -TERM "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output ''
	run grep -c '"k":' s
	assert_output 1
}

@test "--state-every: the state is saved while the pipe runs" {
	mkfifo f
	exec 8<>f
	bg stream-window --tumbling 1m --state s --state-every 200ms <f >out
	printf '%s\n' '{"ts":"2026-11-25T10:00:10Z","u":1}' >&8
	wait_grep s '"k":' 3
	kill -TERM "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
}

@test "--state-every needs --state" {
	run --separate-stderr stream-window --tumbling 1m --state-every 1s \
	    </dev/null
	assert_failure 2
	assert_stderr --partial 'stream-window: --state-every needs --state'
}

@test "--state-every: a bad duration is a usage error" {
	run --separate-stderr stream-window --tumbling 1m --state s \
	    --state-every soon </dev/null
	assert_failure 2
	assert_stderr --partial '--state-every: expected a duration'
}
