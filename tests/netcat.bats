#!/usr/bin/env bats
# netcat.bats -- the tools between netcat sockets on loopback: a source
# (nc -l into stream-cat) and a sink (a tool's output into nc), where a
# record must cross a live pipe within 50 ms without buffering flags
# (CONTRACT section 4).

load helper

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	command -v nc >/dev/null || skip "nc is not installed"
}

# free_port -- a TCP port on loopback that nobody listens on now
free_port() {
	python3 -c 'import socket; s = socket.socket(); '\
's.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# send PORT FILE -- connect to PORT (retrying while the listener starts)
# and send FILE; -N shuts the socket down at the end, so the far side
# sees end of input
send() {
	local i=0
	until nc -N 127.0.0.1 "$1" <"$2" 2>/dev/null; do
		i=$((i + 1))
		test "$i" -le 100 || return 1
		sleep 0.02
	done
}

# median -- the median of the numbers on stdin, one per line
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

@test "netcat: nc -l into stream-cat keeps every record, bad lines said" {
	local port
	gen -n 500 --seed 4 >events.ndjson
	printf 'not json\n' >>events.ndjson
	port=$(free_port)
	nc -l 127.0.0.1 "$port" </dev/null |
	    stream-cat >got 2>err &
	send "$port" events.ndjson
	wait
	head -n 500 events.ndjson >want
	assert_same_bytes want got
	run cat err
	assert_output "stream-cat: <stdin>:501: invalid JSON at column 2: unexpected 'o'"
}

@test "netcat: stream-filter into nc delivers each record within 50 ms" {
	mkfifo in
	python3 "$ROOT/tests/latency.py" port in \
	    '{"ts":1,"event":"login_failed","user":"bob"}' \
	    '{"ts":2,"event":"login_failed","user":"eve"}' \
	    '{"ts":3,"event":"login_failed","user":"bob"}' \
	    '{"ts":4,"event":"login_failed","user":"ann"}' \
	    '{"ts":5,"event":"login_failed","user":"bob"}' >ms &
	wait_lines port 1 10
	stream-filter 'select(.event == "login_failed")' <in |
	    nc -N 127.0.0.1 "$(cat port)"
	wait
	test "$(lines_in ms)" -eq 5
	run median <ms
	echo "# latencies (ms): $(tr '\n' ' ' <ms)" >&3
	(( $(echo "$output" | cut -d. -f1) < 50 ))
}

@test "netcat: stream-alert into nc delivers each alert within 50 ms" {
	mkfifo in
	cat >rules.yaml <<'RULES'
rules:
  - name: login-failed
    type: match
    where: '.event == "login_failed"'
    by: .user
RULES
	python3 "$ROOT/tests/latency.py" port in \
	    '{"ts":1,"event":"login_failed","user":"bob"}' \
	    '{"ts":2,"event":"login_failed","user":"eve"}' \
	    '{"ts":3,"event":"login_failed","user":"bob"}' \
	    '{"ts":4,"event":"login_failed","user":"ann"}' \
	    '{"ts":5,"event":"login_failed","user":"bob"}' >ms &
	wait_lines port 1 10
	stream-alert -r rules.yaml --time-unit s <in |
	    nc -N 127.0.0.1 "$(cat port)"
	wait
	test "$(lines_in ms)" -eq 5
	run median <ms
	echo "# latencies (ms): $(tr '\n' ' ' <ms)" >&3
	(( $(echo "$output" | cut -d. -f1) < 50 ))
}
