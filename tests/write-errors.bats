#!/usr/bin/env bats
# Write errors and crash safety (CONTRACT sections 2, 3 and 6).  A failed
# write to stdout, --dead-letter or --late is reported on stderr, naming
# what failed, with exit status 1; a closed stdout ends the tool quietly
# with status 0; a --state, --dead-letter or --late path that cannot be
# written is refused at the start with status 2, before any input is
# read.  A state file survives SIGKILL at any moment (temp file, fsync,
# rename), and a damaged one is refused with status 2 and left as it is.

load helper

# Inputs shared by the tests: 20000 events (in20k), 400000 (big, 90 MB)
# and a right stream for stream-join --with that pairs with many of them
setup_file() {
	gen -n 20000 >"$BATS_FILE_TMPDIR/in20k"
	gen -n 400000 >"$BATS_FILE_TMPDIR/big"
	gen -n 2000 --seed 5 >"$BATS_FILE_TMPDIR/with"
}

# with_file -- the right stream of stream-join --with in ./with
with_file() {
	cp "$BATS_FILE_TMPDIR/with" with
}

# alert_rules -- ./alert.yaml: six stream-alert rules of several types
# (match, frequency, threshold with for:, cardinality, absence with keys,
# sequence) that fire often on the generated events and on the feeder of
# crash_loop, so that there is output and state to write
alert_rules() {
	cat >alert.yaml <<-'EOF'
	rules:
	  - name: login
	    type: match
	    where: '.event == "login"'
	    by: .user
	    sample: 1
	  - name: busy
	    type: frequency
	    by: .user
	    window: 1s
	    threshold: 5
	  - name: slow
	    type: threshold
	    by: .user
	    agg: count
	    window: 1s
	    threshold: 3
	    for: 2s
	  - name: many-users
	    type: cardinality
	    field: .user
	    window: 1s
	    threshold: 20
	  - name: quiet
	    type: absence
	    by: .user
	    window: 2s
	    keys: [alice, nobody]
	  - name: in-out
	    type: sequence
	    by: .user
	    window: 1m
	    steps:
	      - where: '.event == "login_failed" or .i != null'
	        count: 2
	      - where: '.event == "login" or .i != null'
	EOF
}

# tool_cmd NAME -- set CMD to the command line of NAME (one per tool, and
# per stream-join mode); its input is the operand or stdin given after it
tool_cmd() {
	case $1 in
	cat) CMD=(stream-cat) ;;
	filter) CMD=(stream-filter .) ;;
	window) CMD=(stream-window --tumbling 1s --by .user) ;;
	join-with) with_file; CMD=(stream-join --with with --within 1s --on .user) ;;
	join-table)
		gen --users 20 >users
		CMD=(stream-join --table users --on .user) ;;
	alert) alert_rules; CMD=(stream-alert -r alert.yaml) ;;
	esac
}

# Two good records around a bad one
mixed_input() {
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z","user":"a"}' '{bad' \
	    '{"ts":"2026-11-25T10:00:01Z","user":"b"}' >mixed
}

# A record at 10:00:05, one at 10:00:00 (late: before the watermark), one
# at 10:00:06
late_input() {
	printf '%s\n' '{"ts":"2026-11-25T10:00:05Z","user":"a"}' \
	    '{"ts":"2026-11-25T10:00:00Z","user":"a"}' \
	    '{"ts":"2026-11-25T10:00:06Z","user":"b"}' >late
}

# to_full CMD... -- CMD with its stdout on /dev/full (a redirection after
# run would apply to run, not to CMD)
to_full() {
	"$@" >/dev/full
}

# refused_at_start CMD... -- CMD, with stdin an open FIFO that never gets
# a byte, must exit 2 within 2 seconds: it did not wait for input
refused_at_start() {
	mkfifo in.fifo
	exec 8<>in.fifo
	# shellcheck disable=SC2217 # bg passes its stdin on to CMD
	bg "$@" <in.fifo >out 2>err
	wait_exit "$BG" 2
	exec 8>&-
	rm -f in.fifo
	stderr=$(cat err)
	test ! -s out || fail "$1 wrote to stdout before refusing: $(cat out)"
}

# --- stdout to /dev/full -------------------------------------------------

stdout_full() {
	tool_cmd "$1"
	cp "$BATS_FILE_TMPDIR/in20k" in
	run --separate-stderr "${CMD[@]}" in
	assert_success
	test -n "$output"
	run --separate-stderr to_full "${CMD[@]}" in
	assert_failure 1
	assert_stderr_line --index 0 "${CMD[0]}: stdout: No space left on device"
	# also with one record: the error shows when the output is flushed at exit
	gen -n 1 >one
	if [ -n "$("${CMD[@]}" one)" ]; then
		run --separate-stderr to_full "${CMD[@]}" one
		assert_failure 1
		assert_stderr "${CMD[0]}: stdout: No space left on device"
	fi
}

@test "stdout to /dev/full: stream-cat exits 1 and says so" {
	stdout_full cat
}

@test "stdout to /dev/full: stream-filter exits 1 and says so" {
	stdout_full filter
}

@test "stdout to /dev/full: stream-window exits 1 and says so" {
	stdout_full window
}

@test "stdout to /dev/full: stream-join --with exits 1 and says so" {
	stdout_full join-with
}

@test "stdout to /dev/full: stream-join --table exits 1 and says so" {
	stdout_full join-table
}

@test "stdout to /dev/full: stream-alert exits 1 and says so" {
	stdout_full alert
}

# A write error is said once, though the output is flushed again at exit
# (it was said twice, for every tool, with a large output).
@test "stdout to /dev/full: the error is written once" {
	cp "$BATS_FILE_TMPDIR/in20k" in
	local t twice=
	for t in cat filter window join-with join-table alert; do
		tool_cmd "$t"
		run --separate-stderr to_full "${CMD[@]}" in
		assert_failure 1
		[ "$stderr" = "${CMD[0]}: stdout: No space left on device" ] ||
		    twice="$twice $t"
	done
	[ -z "$twice" ] || fail "more than one line on stderr from:$twice"
}

# The state never runs ahead of the output (loop_sync): it is saved only
# once what came before it is written, so after a write error on stdout
# the old state stays and the input given again gives the lost lines
# again.  A failed run once saved a stream-window state past a window it
# never wrote, and a --dedup state with the keys of lost records.
@test "stdout to /dev/full with --state: the state does not move past lost output" {
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z","user":"a"}' \
	    '{"ts":"2026-11-25T10:00:01.5Z","user":"b"}' >p1
	run --separate-stderr to_full stream-window --tumbling 1s --by .user \
	    --state Q p1
	assert_failure 1
	if test -e Q; then
		# a state was saved: it must still hold the window not written
		run --separate-stderr stream-window --tumbling 1s --by .user \
		    --state Q </dev/null
		assert_success
		assert_output --partial '"user":"a","count":1'
	fi
	printf '%s\n' '{"u":1}' '{"u":2}' >d1
	run --separate-stderr to_full stream-filter --dedup .u --state D . d1
	assert_failure 1
	run --separate-stderr stream-filter --dedup .u --state D . d1
	assert_success
	assert_output "$(cat d1)"
	# stream-alert: a match alert lost on /dev/full comes again
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z","user":"a","event":"login"}' >a1
	tool_cmd alert
	run --separate-stderr to_full "${CMD[@]}" --state A a1
	assert_failure 1
	run --separate-stderr "${CMD[@]}" --state A a1
	assert_success
	assert_line --index 0 --partial '"alert":"login","state":"firing"'
}

# --- a closed stdout -------------------------------------------------------

closed_pipe() {
	tool_cmd "$1"
	local t0 t1
	t0=$(date +%s%N)
	"${CMD[@]}" "$BATS_FILE_TMPDIR/big" 2>err | head -n 1 >first
	local st=("${PIPESTATUS[@]}")
	t1=$(date +%s%N)
	assert_equal "${st[0]}" 0
	run cat err
	assert_output ''
	assert_equal "$(lines_in first)" 1
	# the pipe closed early: the whole output is far more than a line, and
	# the tool stopped at once instead of reading the 90 MB to the end
	test "$(( (t1 - t0) / 1000000 ))" -lt 2000 ||
	    fail "$1 took $(( (t1 - t0) / 1000000 )) ms after head exited"
}

@test "closed stdout: stream-cat ends quietly with status 0" {
	closed_pipe cat
}

@test "closed stdout: stream-filter ends quietly with status 0" {
	closed_pipe filter
}

@test "closed stdout: stream-window ends quietly with status 0" {
	closed_pipe window
}

@test "closed stdout: stream-join --with ends quietly with status 0" {
	closed_pipe join-with
}

@test "closed stdout: stream-join --table ends quietly with status 0" {
	closed_pipe join-table
}

@test "closed stdout: stream-alert ends quietly with status 0" {
	closed_pipe alert
}

# --- --dead-letter /dev/full -----------------------------------------------

dead_letter_full() {
	tool_cmd "$1"
	mixed_input
	run --separate-stderr "${CMD[@]}" --dead-letter /dev/full mixed
	assert_failure 1
	assert_stderr_line "${CMD[0]}: /dev/full: No space left on device"
}

@test "--dead-letter /dev/full: stream-cat exits 1 naming the file" {
	dead_letter_full cat
	# the record before the bad one is written, not dropped
	assert_line --index 0 '{"ts":"2026-11-25T10:00:00Z","user":"a"}'
}

@test "--dead-letter /dev/full: stream-filter exits 1 naming the file" {
	dead_letter_full filter
	assert_line --index 0 '{"ts":"2026-11-25T10:00:00Z","user":"a"}'
}

@test "--dead-letter /dev/full: stream-window exits 1 naming the file" {
	dead_letter_full window
	# the open window is closed and written, as for --on-error fail
	assert_line --index 0 --partial '"user":"a","count":1'
}

@test "--dead-letter /dev/full: stream-join --with exits 1 naming the file" {
	dead_letter_full join-with
}

@test "--dead-letter /dev/full: stream-join --table exits 1 naming the file" {
	dead_letter_full join-table
}

@test "--dead-letter /dev/full: stream-alert exits 1 naming the file" {
	dead_letter_full alert
	# it stops as --on-error fail does, with the same alerts
	assert_output "$("${CMD[@]}" --on-error fail mixed 2>/dev/null)"
}

@test "--dead-letter /dev/full with --on-error skip: still exits 1" {
	mixed_input
	run --separate-stderr stream-filter --on-error skip \
	    --dead-letter /dev/full . mixed
	assert_failure 1
	assert_stderr_line 'stream-filter: /dev/full: No space left on device'
}

# --- --late /dev/full ------------------------------------------------------

@test "--late /dev/full: stream-window exits 1 naming the file" {
	late_input
	run --separate-stderr stream-window --tumbling 1s --by .user \
	    --late L late
	assert_success
	assert_equal "$(lines_in L)" 1
	run --separate-stderr stream-window --tumbling 1s --by .user \
	    --late /dev/full late
	assert_failure 1
	assert_stderr 'stream-window: /dev/full: No space left on device'
	assert_line --index 0 --partial '"user":"a","count":1'
}

@test "--late /dev/full: stream-join --with exits 1 naming the file" {
	late_input
	printf '%s\n' '{"ts":"2026-11-25T10:00:05Z","user":"a","r":1}' >right
	run --separate-stderr stream-join --with right --within 1s --on .user \
	    --late L late
	assert_success
	assert_equal "$(lines_in L)" 1
	run --separate-stderr stream-join --with right --within 1s --on .user \
	    --late /dev/full late
	assert_failure 1
	assert_stderr 'stream-join: /dev/full: No space left on device'
	# the pair made before the late record is written
	assert_output '{"left":{"ts":"2026-11-25T10:00:05Z","user":"a"},"right":{"ts":"2026-11-25T10:00:05Z","user":"a","r":1}}'
}

@test "--late /dev/full: stream-alert exits 1 naming the file" {
	late_input
	tool_cmd alert
	run --separate-stderr "${CMD[@]}" --late L late
	assert_success
	assert_equal "$(lines_in L)" 1
	run --separate-stderr "${CMD[@]}" --late /dev/full late
	assert_failure 1
	assert_stderr 'stream-alert: /dev/full: No space left on device'
}

# --- paths that cannot be written, refused at the start ----------------------

state_cmd() {
	case $1 in
	window) CMD=(stream-window --tumbling 1s --by .user) ;;
	join-with) with_file; CMD=(stream-join --with with --within 1s --on .user) ;;
	filter) CMD=(stream-filter --dedup .user --dedup-window 1m .) ;;
	alert) alert_rules; CMD=(stream-alert -r alert.yaml) ;;
	esac
}

@test "--state in a directory that does not exist: refused at start, exit 2" {
	for t in window join-with filter alert; do
		state_cmd "$t"
		refused_at_start "${CMD[@]}" --state "$T/nonexistent/dir/S"
		assert_equal "$status" 2
		assert_stderr "${CMD[0]}: $T/nonexistent/dir/S: No such file or directory"
		assert_file_not_exists "$T/nonexistent"
	done
}

@test "--state in a directory that is not writable: refused at start, exit 2" {
	if [ "$(id -u)" = 0 ]; then
		skip "root can write into a mode 555 directory"
	fi
	mkdir ro
	chmod 555 ro
	for t in window join-with filter alert; do
		state_cmd "$t"
		refused_at_start "${CMD[@]}" --state ro/S
		assert_equal "$status" 2
		assert_stderr "${CMD[0]}: ro/S: Permission denied"
	done
	chmod 755 ro
	run ls -A ro
	assert_output ''
}

@test "--dead-letter in a directory that does not exist: refused at start, exit 2" {
	for t in cat filter window join-with join-table alert; do
		tool_cmd "$t"
		refused_at_start "${CMD[@]}" --dead-letter "$T/nonexistent/dl"
		assert_equal "$status" 2
		assert_stderr "${CMD[0]}: $T/nonexistent/dl: No such file or directory"
	done
}

@test "--dead-letter in a directory that is not writable: refused at start, exit 2" {
	if [ "$(id -u)" = 0 ]; then
		skip "root can write into a mode 555 directory"
	fi
	mkdir ro
	chmod 555 ro
	for t in cat filter window join-with join-table alert; do
		tool_cmd "$t"
		refused_at_start "${CMD[@]}" --dead-letter ro/dl
		assert_equal "$status" 2
		assert_stderr "${CMD[0]}: ro/dl: Permission denied"
	done
	chmod 755 ro
}

@test "--late in a directory that does not exist: refused at start, exit 2" {
	for t in window join-with alert; do
		tool_cmd "$t"
		refused_at_start "${CMD[@]}" --late "$T/nonexistent/late"
		assert_equal "$status" 2
		assert_stderr "${CMD[0]}: $T/nonexistent/late: No such file or directory"
	done
}

# --- crash safety of --state -----------------------------------------------

# feed.py START -- events from START seconds after 2026-11-25T00:00Z, 1 ms
# of event time apart, 97 users, one write per record with a short pause,
# until the pipe closes
write_feeder() {
	cat >"$T/feed.py" <<'EOF'
import signal, sys, time
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
t = int(sys.argv[1]) * 1000
i = 0
out = sys.stdout
while True:
    s, ms = divmod(t, 1000)
    out.write('{"ts":"2026-11-25T%02d:%02d:%02d.%03dZ","user":"u%d","i":%d}\n'
              % (s // 3600 % 24, s // 60 % 60, s % 60, ms, i % 97, i))
    out.flush()
    t += 1
    i += 1
    time.sleep(0.0002)
EOF
}

# crash_loop N CMD... -- N times: feed CMD --state st/S --state-every 10ms
# slowly, SIGKILL it 15 to 104 ms later, and check that st holds nothing
# but S and perhaps S.tmp, that a fresh run loads S (exit 0 on an empty
# input), and that after it st holds S alone, which loads again.  Each
# run starts 10 minutes of event time after the one before, so that its
# records are not late.  An argument @FEED@ in CMD is a second input fed
# the same way (through the FIFO right; an empty file in the fresh runs).
crash_loop() {
	local n=$1 k pid rpid left tmps=0 saved=0 a
	local -a run_cmd check_cmd
	shift
	write_feeder
	mkdir st
	mkfifo right
	: >empty
	for a; do
		if [ "$a" = @FEED@ ]; then
			run_cmd+=(right)
			check_cmd+=(empty)
		else
			run_cmd+=("$a")
			check_cmd+=("$a")
		fi
	done
	for ((k = 0; k < n; k++)); do
		rpid=
		if [ "${run_cmd[*]}" != "$*" ]; then
			python3 "$T/feed.py" "$((36000 + k * 600))" >right \
			    2>/dev/null 3>&- 8>&- &
			rpid=$!
			BG_PIDS="$BG_PIDS $rpid"
		fi
		python3 "$T/feed.py" "$((36000 + k * 600))" 2>/dev/null 3>&- 8>&- |
		    "${run_cmd[@]}" --state st/S --state-every 10ms >/dev/null \
		    2>>run.err 3>&- 8>&- &
		pid=$!
		BG_PIDS="$BG_PIDS $pid"
		sleep "0.$(printf '%03d' $((15 + RANDOM % 90)))"
		kill -KILL "$pid"
		# the right feeder, if the tool died before it opened the FIFO
		test -z "$rpid" || kill -KILL "$rpid" 2>/dev/null || :
		# (no "Killed" and "Broken pipe" notices from bash)
		{ wait "$pid" || :; wait || :; } 2>/dev/null
		left=$(cd st && ls -A | tr '\n' ' ')
		case $left in
		'' | 'S ') ;;
		'S S.tmp ' | 'S.tmp ') tmps=$((tmps + 1)) ;;
		*) fail "after kill $k: st holds $left" ;;
		esac
		test ! -e st/S || saved=$((saved + 1))
		test ! -e st/S || cp st/S "kill.state"
		run --separate-stderr "${check_cmd[@]}" --state st/S </dev/null
		if [ "$status" -ne 0 ]; then
			fail "after kill $k (st: $left): ${check_cmd[*]} --state S exits $status: $stderr (the state is in kill.state)"
		fi
		left=$(cd st && ls -A | tr '\n' ' ')
		[ "$left" = 'S ' ] ||
		    fail "after kill $k and a clean run: st holds $left"
	done
	run --separate-stderr "${check_cmd[@]}" --state st/S </dev/null
	assert_success
	run head -n 1 st/S
	assert_output --regexp '^\{"state":1,"tool":"stream-[a-z]+"\}$'
	# the saves really happened while the tool ran
	test "$saved" -gt $((n / 2)) || fail "only $saved of $n runs saved a state"
	echo "# $1: $n kills, $saved with a state, $tmps with a stale S.tmp" >&3
}

@test "--state survives SIGKILL: stream-window" {
	crash_loop 70 stream-window --tumbling 1s --by .user
}

@test "--state survives SIGKILL: stream-join --with" {
	crash_loop 70 stream-join --with @FEED@ --within 1s --on .user
}

@test "--state survives SIGKILL: stream-filter --dedup --dedup-window" {
	crash_loop 70 stream-filter --dedup .user --dedup-window 1m .
}

@test "--state survives SIGKILL: stream-alert" {
	alert_rules
	crash_loop 70 stream-alert -r alert.yaml
}

@test "a stale S.tmp is not taken for the state, and the next save replaces it" {
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z","user":"a"}' >in
	for t in window join-with filter alert; do
		state_cmd "$t"
		rm -f S S.tmp
		# beside a valid state
		"${CMD[@]}" --state S in >/dev/null
		cp S S.before
		echo '{"state":1,"tool":"half a save' >S.tmp
		run --separate-stderr "${CMD[@]}" --state S </dev/null
		assert_success
		assert_file_not_exists S.tmp
		run --separate-stderr "${CMD[@]}" --state S </dev/null
		assert_success
		# without one (the first save was cut short): a first run
		rm -f S
		echo '{"state":1,"tool":"half a save' >S.tmp
		run --separate-stderr "${CMD[@]}" --state S </dev/null
		assert_success
		assert_file_not_exists S.tmp
		run head -n 1 S
		assert_output "{\"state\":1,\"tool\":\"${CMD[0]}\"}"
	done
}

# --- a damaged state file is refused and kept ------------------------------

# damaged_state NAME -- make a state S of some size with NAME's command,
# then check that a truncated copy and copies with one flipped byte are
# refused with exit 2 and a reason, and are not changed
damaged_state() {
	state_cmd "$1"
	gen -n 3000 --rate 100 >in
	"${CMD[@]}" --state S in >/dev/null
	local size off bad
	size=$(stat -c %s S)
	test "$size" -gt 200
	for off in 5 $((size / 3)) $((size / 2)) $((size - 1)) 0 0 0; do
		[ "$off" != 0 ] || off=$((RANDOM * 32768 % size + RANDOM % size))
		off=$((off % size))
		# a truncated copy
		head -c "$off" S >bad
		cp bad bad.before
		run --separate-stderr "${CMD[@]}" --state bad </dev/null
		assert_failure 2
		assert_stderr --regexp "^${CMD[0]}: bad: .*(damaged|truncated|empty|checksum|not a state file)"
		assert_same_bytes bad.before bad
		# a copy with the byte at off flipped
		cp S bad
		python3 -c 'import sys
p, o = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
b[o] ^= 0x01
open(p, "wb").write(b)' bad "$off"
		cp bad bad.before
		run --separate-stderr "${CMD[@]}" --state bad </dev/null
		assert_failure 2
		assert_stderr --regexp "^${CMD[0]}: bad: .+"
		assert_same_bytes bad.before bad
		run ls -A
		refute_output --partial 'bad.tmp'
	done
}

@test "a damaged state file is refused and kept: stream-window" {
	damaged_state window
}

@test "a damaged state file is refused and kept: stream-join --with" {
	damaged_state join-with
}

@test "a damaged state file is refused and kept: stream-filter --dedup" {
	damaged_state filter
}

@test "a damaged state file is refused and kept: stream-alert" {
	damaged_state alert
}

# --- a --state save that fails ---------------------------------------------

# A save that cannot be written (here: the file size limit, which root
# cannot bypass as it can a mode 555 directory; SIGXFSZ ignored, so that
# the write fails with EFBIG instead of killing the tool) is reported,
# naming the file, with exit 1, and the state saved before stays as it was.
@test "--state save failing: stream-alert exits 1, says why, keeps the old state" {
	state_cmd alert
	gen -n 200 --rate 100 >small
	"${CMD[@]}" --state S small >/dev/null
	test "$(stat -c %s S)" -gt 2048
	cp S S.before
	gen -n 20000 --rate 100 --start 2026-11-25T11:00:00Z >more.ndjson
	run --separate-stderr bash -c 'trap "" XFSZ; ulimit -f 1; exec "$@" >/dev/null' \
	    - "${CMD[@]}" --state S more.ndjson
	assert_failure 1
	assert_stderr --regexp '^stream-alert: S(\.tmp)?: File too large$'
	assert_same_bytes S.before S
	assert_file_not_exists S.tmp
	# and it still loads
	run --separate-stderr "${CMD[@]}" --state S </dev/null
	assert_success
}

@test "--state save failing in a directory made read-only meanwhile: stream-alert exits 1" {
	if [ "$(id -u)" = 0 ]; then
		skip "root can write into a mode 555 directory"
	fi
	state_cmd alert
	mkdir d
	gen -n 200 --rate 100 >small
	"${CMD[@]}" --state d/S small >/dev/null
	cp d/S S.before
	mkfifo in.fifo
	exec 8<>in.fifo
	# shellcheck disable=SC2217 # bg passes its stdin on to CMD
	bg "${CMD[@]}" --state d/S <in.fifo >out 2>err
	gen -n 100 --rate 100 --start 2026-11-25T11:00:00Z >&8
	sleep 0.3
	chmod 555 d
	exec 8>&-
	wait_exit "$BG" 5
	chmod 755 d
	assert_equal "$status" 1
	stderr=$(cat err)
	assert_stderr --regexp '^stream-alert: d/S(\.tmp)?: Permission denied$'
	assert_same_bytes S.before d/S
}

# --- --exec --------------------------------------------------------------------

# A command that fails is reported and counted, but the alerts are
# written and the exit status is that of the stream.
@test "--exec with a failing command: stream-alert exits 0, counts exec_failed" {
	tool_cmd alert
	cp "$BATS_FILE_TMPDIR/in20k" in
	"${CMD[@]}" in >expected
	test -s expected
	run --separate-stderr "${CMD[@]}" --exec false --stats in
	assert_success
	assert_same_bytes expected <(printf '%s\n' "$output")
	local st
	st=$(tail -n 1 <<<"$stderr")
	[[ $st =~ \"exec_failed\":([0-9]+) ]] || fail "no exec_failed in: $st"
	test "${BASH_REMATCH[1]}" -gt 0 || fail "exec_failed is 0: $st"
	[[ $st =~ \"exec_started\":([0-9]+) ]] || fail "no exec_started in: $st"
	# and a command that cannot be started
	run --separate-stderr "${CMD[@]}" --exec /nonexistent/cmd --stats in
	assert_success
	assert_same_bytes expected <(printf '%s\n' "$output")
	[[ $(tail -n 1 <<<"$stderr") =~ \"exec_failed\":[1-9] ]] ||
	    fail "exec_failed not counted: $(tail -n 1 <<<"$stderr")"
}
