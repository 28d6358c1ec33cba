#!/usr/bin/env bats
# stream-cat(1) -f/--follow and --tail: growth, half-written lines,
# rotation, copytruncate, files that appear, several files, stdin among
# them, signals, --limit, --tail, --format lines and --add-source under
# -f, idle CPU and latency.
#
# Every followed run is a background job (bg) whose output goes to ./out
# and ./err; the test waits for what it expects with wait_lines and
# wait_grep, or for stream-cat to have read a file (read_up, from
# /proc/PID/fdinfo) or a FIFO (drained), never with a fixed sleep alone;
# it ends the job with SIGTERM (stop) and then checks the exit status
# and the whole output.  The short sleeps left only order events, or give
# stream-cat the chance to do something wrong before the test looks.

load helper

# setup -- as the helper's, but the binary under test is stream-cat
setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	if ! test -x "$ROOT/stream-cat"; then
		echo "stream-cat is not built: run make stream-cat" >&2
		return 1
	fi
}

# sc ARGS... -- stream-cat run to its end, which must come within 10 s:
# a run that hangs fails the test (status 124) instead of stalling bats
sc() {
	timeout -k 2 10 stream-cat "$@"
}

# stop [SIGNAL] -- end the background stream-cat with SIGNAL (TERM by
# default) and check that it exits 0 (should it have ended already, its
# status is checked all the same)
stop() {
	kill -"${1:-TERM}" "$BG" 2>/dev/null || :
	wait_exit "$BG"
	assert_equal "$status" 0
}

# alive -- the background job has not exited
alive() {
	test -d "/proc/$BG" &&
	    ! grep -q '^State:[[:space:]]*Z' "/proc/$BG/status" 2>/dev/null
}

# read_up FILE [S] -- wait up to S seconds (default 2) until the background
# stream-cat holds FILE open with its offset at FILE's size (as
# /proc/PID/fdinfo says): it has read, or with --tail 0 skipped, all that
# is in FILE, so what is written next is new to it.
read_up() {
	local path fd size i=0
	path=$(realpath "$1") || return 1
	while :; do
		size=$(stat -c %s "$path")
		for fd in /proc/"$BG"/fd/*; do
			test "$(readlink "$fd" 2>/dev/null)" = "$path" || continue
			test "$(awk '$1 == "pos:" { print $2 }' \
			    "/proc/$BG/fdinfo/${fd##*/}" 2>/dev/null)" = "$size" &&
			    return 0
		done
		i=$((i + 1))
		test "$i" -le "$((${2:-2} * 50))" || return 1
		sleep 0.02
	done
}

# unread -- the number of bytes in the FIFO open on descriptor 8 that no
# one has read yet (FIONREAD)
unread() {
	python3 -c 'import fcntl, struct, termios
print(struct.unpack("i", fcntl.ioctl(8, termios.FIONREAD, b"\0" * 4))[0])'
}

# drained [S] -- wait up to S seconds (default 2) until the FIFO on
# descriptor 8 is empty: the background stream-cat has read what was
# written to it
drained() {
	local i=0
	until test "$(unread)" -eq 0; do
		i=$((i + 1))
		test "$i" -le "$((${1:-2} * 20))" || return 1
		sleep 0.05
	done
}

# pipe_full [S] -- wait up to S seconds (default 2) until the FIFO on
# descriptor 8 holds 64 KiB, a pipe's capacity: its writer now blocks
pipe_full() {
	local i=0
	until test "$(unread)" -ge 65536; do
		i=$((i + 1))
		test "$i" -le "$((${1:-2} * 20))" || return 1
		sleep 0.05
	done
}

# holds FILE -- the background stream-cat has FILE open (under the name
# FILE has now)
holds() {
	local path fd
	path=$(realpath "$1") || return 1
	for fd in /proc/"$BG"/fd/*; do
		test "$(readlink "$fd" 2>/dev/null)" = "$path" && return 0
	done
	return 1
}

# recs N... -- one record {"n":N} per argument
recs() {
	local n
	for n in "$@"; do
		printf '{"n":%s}\n' "$n"
	done
}

# cpu_ticks PID -- utime + stime of PID, in clock ticks (/proc/PID/stat
# fields 14 and 15, counted after the ")" that ends the command name)
cpu_ticks() {
	local stat
	stat=$(cat "/proc/$1/stat") || return 1
	stat=${stat##*) }
	awk '{ print $12 + $13 }' <<<"$stat"
}

# ---------------------------------------------------------------------------
# Growth

@test "-f: lines appended in several writes come out once each, in order" {
	recs 1 2 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 2 || fail "the first lines did not come out"
	recs 3 >>app.log
	wait_lines out 3 || fail "line 3 did not come out"
	printf '%s\n' '{"n":4}' '{"n":5}' >>app.log	# two lines, one write
	recs 6 >>app.log			# and one right after
	wait_lines out 6 || fail "lines 4 to 6 did not come out"
	recs 7 >>app.log
	wait_lines out 7 || fail "line 7 did not come out"
	sleep 0.2			# time to write something twice
	stop
	run cat out
	assert_output "$(recs 1 2 3 4 5 6 7)"
	assert_file_empty err
}

@test "-f: a line written in two halves comes out once, whole, after its newline" {
	recs 1 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 1 || fail "the first line did not come out"
	printf '{"msg":"first ha' >>app.log
	read_up app.log || fail "stream-cat did not read the first half"
	sleep 0.3			# time to write it too early
	run cat out
	assert_output '{"n":1}'
	assert_file_empty err		# nor is it a bad record
	printf 'lf"}\n' >>app.log
	wait_lines out 2 || fail "the whole line did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(printf '%s\n' '{"n":1}' '{"msg":"first half"}')"
	assert_file_empty err
}

@test "-f: a line written in three pieces comes out once, whole" {
	: >app.log
	bg stream-cat -f --format lines app.log >out 2>err
	read_up app.log || fail "stream-cat did not open app.log"
	printf 'one ' >>app.log
	read_up app.log || fail "piece 1 not read"
	printf 'two ' >>app.log
	read_up app.log || fail "piece 2 not read"
	sleep 0.2
	assert_file_empty out
	printf 'three\nfour\n' >>app.log
	wait_lines out 2 || fail "the lines did not come out"
	stop
	run cat out
	assert_output "$(printf '%s\n' '{"line":"one two three"}' \
	    '{"line":"four"}')"
	assert_file_empty err
}

# ---------------------------------------------------------------------------
# Rotation

@test "-f: rotation: every line once, in order, the old file's last line first" {
	recs 1 2 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 2 || fail "the first lines did not come out"
	mv app.log app.log.1
	recs 3 >>app.log.1		# the writer's last line, before it reopens
	recs 4 5 >app.log		# the new file
	wait_lines out 5 || fail "lines 3 to 5 did not come out"
	recs 6 >>app.log
	wait_lines out 6 || fail "line 6 of the new file did not come out"
	wait_grep err 'replaced' || fail "no warning about the rotation"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 1 2 3 4 5 6)"
	run cat err
	assert_output 'stream-cat: app.log: replaced; following the new file'
}

@test "-f: rotation while another file is read: the old file's last line first" {
	# stream-cat wakes for the 300,000 lines written to b.log, reads
	# app.log (nothing new) and then b.log for a while; meanwhile app.log
	# rotates, its writer adds a last line, and the new file is created.
	# When it next looks at app.log, line 2 must still come before 3.
	awk 'BEGIN { for (i = 1; i <= 300000; i++) printf "{\"b\":%d}\n", i }' \
	    >chunk
	recs 1 >app.log
	: >b.log
	bg stream-cat -f app.log b.log >out 2>err
	wait_lines out 1 || fail "line 1 did not come out"
	read_up b.log || fail "stream-cat did not open b.log"
	cat chunk >>b.log
	mv app.log app.log.1
	recs 2 >>app.log.1
	recs 3 >app.log
	wait_lines out 300003 10 || fail "not every line came out"
	wait_grep err 'replaced' || fail "no warning about the rotation"
	sleep 0.2
	stop
	run grep -v '"b"' out		# app.log's lines, in order
	assert_output "$(recs 1 2 3)"
	grep '"b"' out >b.out		# b.log's lines, in order
	assert_same_bytes chunk b.out
	assert_equal "$(lines_in out)" 300003
	run cat err
	assert_output 'stream-cat: app.log: replaced; following the new file'
}

@test "-f: rotation seen all at once: the old file's last line first" {
	# stream-cat is stopped while the log rotates and both files are
	# written, so it sees it all in one wakeup
	recs 1 2 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 2 || fail "the first lines did not come out"
	read_up app.log || fail "stream-cat did not read app.log"
	kill -STOP "$BG"
	mv app.log app.log.1
	recs 3 >>app.log.1
	recs 4 5 >app.log
	kill -CONT "$BG"
	wait_lines out 5 || fail "lines 3 to 5 did not come out"
	wait_grep err 'replaced' || fail "no warning about the rotation"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 1 2 3 4 5)"
	run cat err
	assert_output 'stream-cat: app.log: replaced; following the new file'
}

@test "-f: rotation: the old file is still read while it grows" {
	recs 1 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 1 || fail "line 1 did not come out"
	mv app.log app.log.1
	recs 2 >app.log
	wait_lines out 2 || fail "the new file's line did not come out"
	wait_grep err 'replaced' || fail "no warning about the rotation"
	recs 3 >>app.log.1		# the writer has not reopened yet
	wait_lines out 3 || fail "the old file's late line did not come out"
	recs 4 >>app.log.1
	wait_lines out 4 || fail "the old file's second late line did not come out"
	recs 5 >>app.log
	wait_lines out 5 || fail "the new file's next line did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 1 2 3 4 5)"
	run cat err
	assert_output 'stream-cat: app.log: replaced; following the new file'
}

@test "-f: rotation: the old file is let go about 2 s after its last byte" {
	recs 1 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 1 || fail "line 1 did not come out"
	mv app.log app.log.1
	recs 2 >app.log
	wait_grep err 'replaced' || fail "no warning about the rotation"
	t0=${EPOCHREALTIME/./}
	wait_lines out 2 || fail "the new file's line did not come out"
	holds app.log.1 || fail "the old file was let go at once"
	i=0
	while holds app.log.1; do	# up to 8 s
		i=$((i + 1))
		test "$i" -le 400 || fail "the old file is still open after 8 s"
		sleep 0.02
	done
	t1=${EPOCHREALTIME/./}
	echo "old file let go after $(((t1 - t0) / 1000)) ms"
	# 2 s by its clock; 1 s by ours, which saw the warning late
	test "$((t1 - t0))" -ge 1000000 || fail "let go within 1 s"
	recs 99 >>app.log.1		# too late: not read
	recs 3 >>app.log
	wait_lines out 3 || fail "the new file's next line did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 1 2 3)"
	run cat err
	assert_output 'stream-cat: app.log: replaced; following the new file'
}

@test "-f: a file removed and created again is followed from its start" {
	recs 1 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 1 || fail "line 1 did not come out"
	rm app.log
	recs 2 3 >app.log
	wait_lines out 3 || fail "the new file's lines did not come out"
	recs 4 >>app.log
	wait_lines out 4 || fail "the new file's next line did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 1 2 3 4)"
	run cat err
	assert_output 'stream-cat: app.log: replaced; following the new file'
}

@test "-f: rotated twice, every line once, in order" {
	recs 1 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 1 || fail "line 1 did not come out"
	mv app.log app.log.1
	recs 2 >app.log
	wait_lines out 2 || fail "line 2 did not come out"
	wait_grep err 'replaced' || fail "no warning about the first rotation"
	mv app.log.1 app.log.2
	mv app.log app.log.1
	recs 3 >app.log
	wait_lines out 3 || fail "line 3 did not come out"
	recs 4 >>app.log
	wait_lines out 4 || fail "line 4 did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 1 2 3 4)"
	run cat err
	assert_output "$(printf '%s\n' \
	    'stream-cat: app.log: replaced; following the new file' \
	    'stream-cat: app.log: replaced; following the new file')"
}

# ---------------------------------------------------------------------------
# Truncation

@test "-f: copytruncate: a warning, then the new lines once each" {
	# the old content is longer than the new lines, so the truncation
	# shows whenever stream-cat looks
	recs 100001 100002 100003 100004 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 4 || fail "the first lines did not come out"
	cp app.log app.log.1
	: >app.log
	recs 1 2 >>app.log
	wait_lines out 6 || fail "the new lines did not come out"
	wait_grep err 'truncated' || fail "no warning about the truncation"
	recs 3 >>app.log
	wait_lines out 7 || fail "line 3 after the truncation did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 100001 100002 100003 100004 1 2 3)"
	run cat err
	assert_output 'stream-cat: app.log: file truncated'
}

@test "-f: copytruncate seen only after the new lines: they come out once" {
	# stream-cat is stopped while the file is copied, truncated and
	# written, as a busy machine may delay it: it never sees it empty
	recs 100001 100002 100003 100004 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 4 || fail "the first lines did not come out"
	read_up app.log || fail "stream-cat did not read app.log"
	kill -STOP "$BG"
	cp app.log app.log.1
	: >app.log
	recs 1 2 >>app.log
	kill -CONT "$BG"
	wait_lines out 6 || fail "the new lines did not come out"
	wait_grep err 'truncated' || fail "no warning about the truncation"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 100001 100002 100003 100004 1 2)"
	run cat err
	assert_output 'stream-cat: app.log: file truncated'
}

@test "-f: truncated to nothing, then written: the new lines once each" {
	recs 1 2 3 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 3 || fail "the first lines did not come out"
	: >app.log
	wait_grep err 'app.log: file truncated' ||
	    fail "no warning about the truncation"
	recs 4 >>app.log
	wait_lines out 4 || fail "the new line did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 1 2 3 4)"
	run cat err
	assert_output 'stream-cat: app.log: file truncated'
}

@test "-f --format csv: after a truncation the first row is the header again" {
	printf '%s\n' 'a,b' '1,2' >app.csv
	bg stream-cat -f --format csv app.csv >out 2>err
	wait_lines out 1 || fail "the first row did not come out"
	: >app.csv
	wait_grep err 'truncated' || fail "no warning about the truncation"
	printf '%s\n' 'x,y' '3,4' >>app.csv
	wait_lines out 2 || fail "the new row did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(printf '%s\n' '{"a":1,"b":2}' '{"x":3,"y":4}')"
	run cat err
	assert_output 'stream-cat: app.csv: file truncated'
}

@test "-f --tail 0: copytruncate is still seen" {
	# What --tail skipped counts as read: after the copytruncate the file
	# (16 bytes) is shorter than the 65 bytes before the offset, though
	# longer than the 13 read since the start.  stream-cat is stopped
	# while the file is truncated and written, as a busy machine may
	# delay it, so that it cannot see the file empty in between.
	recs 100001 100002 100003 100004 >app.log
	bg stream-cat -f --tail 0 app.log >out 2>err
	read_up app.log || fail "stream-cat did not open app.log"
	recs 100005 >>app.log
	wait_lines out 1 || fail "the line after the start did not come out"
	read_up app.log || fail "stream-cat did not read the line"
	kill -STOP "$BG"
	cp app.log app.log.1
	: >app.log
	recs 1 2 >>app.log
	kill -CONT "$BG"
	wait_lines out 3 || fail "the lines after the truncation did not come out"
	wait_grep err 'truncated' || fail "no warning about the truncation"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 100005 1 2)"
	run cat err
	assert_output 'stream-cat: app.log: file truncated'
}

# ---------------------------------------------------------------------------
# Files that appear

@test "-f: a file that does not exist yet is waited for, then read from its start" {
	bg stream-cat -f new.log >out 2>err
	wait_grep err 'waiting' || fail "no warning about the missing file"
	sleep 0.2
	assert_file_empty out
	recs 1 2 >new.log
	wait_lines out 2 || fail "the lines of the new file did not come out"
	wait_grep err 'appeared' || fail "no warning about the new file"
	recs 3 >>new.log
	wait_lines out 3 || fail "the appended line did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 1 2 3)"
	run cat err
	assert_output "$(printf '%s\n' \
	    'stream-cat: new.log: No such file or directory; waiting' \
	    'stream-cat: new.log: appeared')"
}

@test "-f: a missing file does not hold back the others" {
	recs 1 >a.log
	bg stream-cat -f new.log a.log >out 2>err
	wait_lines out 1 || fail "the existing file was not read"
	recs 2 >>a.log
	wait_lines out 2 || fail "the existing file was not followed"
	recs 3 >new.log
	wait_lines out 3 || fail "the new file was not read"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 1 2 3)"
	run cat err
	assert_output "$(printf '%s\n' \
	    'stream-cat: new.log: No such file or directory; waiting' \
	    'stream-cat: new.log: appeared')"
}

# ---------------------------------------------------------------------------
# Several files, stdin

@test "-f: several files interleave as their lines arrive" {
	printf '%s\n' '{"f":"a","i":0}' >a.log
	printf '%s\n' '{"f":"b","i":0}' >b.log
	bg stream-cat -f a.log b.log >out 2>err
	wait_lines out 2 || fail "the first lines did not come out"
	printf '%s\n' '{"f":"a","i":1}' >>a.log
	wait_lines out 3 || fail "a's line 1 did not come out"
	printf '%s\n' '{"f":"b","i":1}' >>b.log
	wait_lines out 4 || fail "b's line 1 did not come out"
	printf '%s\n' '{"f":"a","i":2}' >>a.log
	wait_lines out 5 || fail "a's line 2 did not come out"
	printf '%s\n' '{"f":"b","i":2}' >>b.log
	wait_lines out 6 || fail "b's line 2 did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(printf '%s\n' '{"f":"a","i":0}' '{"f":"b","i":0}' \
	    '{"f":"a","i":1}' '{"f":"b","i":1}' '{"f":"a","i":2}' \
	    '{"f":"b","i":2}')"
	assert_file_empty err
}

@test "-f: stdin among the files is read as it comes; the files are followed after its end" {
	recs 1 >app.log
	mkfifo f
	exec 8<>f
	bg stream-cat -f app.log - <f >out 2>err
	wait_lines out 1 || fail "the file's first line did not come out"
	recs 2 >&8
	wait_lines out 2 || fail "stdin's first line did not come out"
	recs 3 >>app.log
	wait_lines out 3 || fail "the file's next line did not come out"
	recs 4 >&8
	wait_lines out 4 || fail "stdin's next line did not come out"
	printf '{"n":5}' >&8		# a last line without its newline
	exec 8>&-			# end of stdin
	wait_lines out 5 || fail "stdin's last line did not come out at its end"
	recs 6 >>app.log
	wait_lines out 6 || fail "the file is not followed after stdin's end"
	sleep 0.2
	alive || fail "stream-cat ended with stdin"
	stop
	run cat out
	assert_output "$(recs 1 2 3 4 5 6)"
	assert_file_empty err
}

@test "-f: a FIFO named among the files is read as it comes, until its end" {
	recs 1 >app.log
	mkfifo f
	exec 8<>f
	bg stream-cat -f app.log f >out 2>err
	wait_lines out 1 || fail "the file's first line did not come out"
	recs 2 >&8
	wait_lines out 2 || fail "the FIFO's line did not come out"
	recs 3 >>app.log
	wait_lines out 3 || fail "the file's next line did not come out"
	exec 8>&-			# end of the FIFO
	sleep 0.2
	recs 4 >>app.log
	wait_lines out 4 || fail "the file is not followed after the FIFO's end"
	alive || fail "stream-cat ended with the FIFO"
	stop
	run cat out
	assert_output "$(recs 1 2 3 4)"
	assert_file_empty err
}

@test "-f with only stdin, a pipe: read as it comes, ends at its end with status 0" {
	mkfifo f
	exec 8<>f
	bg stream-cat -f <f >out 2>err
	recs 1 >&8
	wait_lines out 1 || fail "line 1 did not come out"
	recs 2 >&8
	wait_lines out 2 || fail "line 2 did not come out"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output "$(recs 1 2)"
	assert_file_empty err
}

@test "-f - with a pipe on stdin ends at its end" {
	run --separate-stderr sc -f - < <(recs 1 2)
	assert_success
	assert_output "$(recs 1 2)"
	assert_stderr ''
}

# ---------------------------------------------------------------------------
# Signals

@test "-f: SIGTERM ends it with status 0, output flushed and --stats written" {
	recs 1 2 >app.log
	bg stream-cat -f --stats app.log >out 2>err
	wait_lines out 2 || fail "the lines did not come out"
	recs 3 >>app.log
	wait_lines out 3 || fail "line 3 did not come out"
	stop TERM
	run cat out
	assert_output "$(recs 1 2 3)"
	run jq -c '[.tool, .in, .out, .bad]' err
	assert_output '["stream-cat",3,3,0]'
}

@test "-f: SIGINT ends it with status 0, output flushed and --stats written" {
	recs 1 2 >app.log
	bg stream-cat -f --stats app.log >out 2>err
	wait_lines out 2 || fail "the lines did not come out"
	recs 3 >>app.log
	wait_lines out 3 || fail "line 3 did not come out"
	stop INT
	run cat out
	assert_output "$(recs 1 2 3)"
	run jq -c '[.tool, .in, .out, .bad]' err
	assert_output '["stream-cat",3,3,0]'
}

@test "-f: SIGTERM in the middle of a file: status 0, whole lines only" {
	# stdout is a FIFO that nobody reads yet: stream-cat fills it and
	# blocks in write(2), in the middle of the file, and gets SIGTERM
	# there.  What it still writes must be whole lines of the file: the
	# rest of its read buffer is not a line held for want of a newline.
	awk 'BEGIN { for (i = 1; i <= 100000; i++)
	    printf "{\"n\":%d,\"pad\":\"%040d\"}\n", i, 0 }' >app.log
	mkfifo o
	exec 8<>o
	bg stream-cat -f app.log >o 2>err
	sc=$BG
	pipe_full || fail "stream-cat did not fill its output"
	kill -TERM "$sc"
	sleep 0.2			# the signal is taken, in write(2)
	bg cat o >out			# now read its output
	i=0
	until holds o; do
		i=$((i + 1))
		test "$i" -le 250 || fail "cat did not open the FIFO"
		sleep 0.02
	done
	exec 8>&-
	wait_exit "$sc"
	assert_equal "$status" 0
	wait_exit "$BG"
	n=$(lines_in out)
	echo "$n lines written"
	test "$n" -gt 0 && test "$n" -lt 100000 ||
	    fail "$n lines: SIGTERM did not come in the middle"
	head -n "$n" app.log >expect
	assert_same_bytes expect out	# a prefix of the file, whole lines
	assert_file_empty err
}

@test "-f: SIGUSR1 writes --stats and it goes on following" {
	recs 1 2 >app.log
	bg stream-cat -f --stats app.log >out 2>err
	wait_lines out 2 || fail "the lines did not come out"
	kill -USR1 "$BG"
	wait_grep err '"in":2' || fail "no stats line after SIGUSR1"
	recs 3 >>app.log
	wait_lines out 3 || fail "line 3 did not come out"
	stop
	run cat out
	assert_output "$(recs 1 2 3)"
	run jq -c '[.tool, .in, .out, .bad]' err
	assert_output $'["stream-cat",2,2,0]\n["stream-cat",3,3,0]'
}

@test "-f: SIGTERM while waiting for a missing file: status 0" {
	bg stream-cat -f new.log >out 2>err
	wait_grep err 'waiting' || fail "no warning about the missing file"
	stop
	assert_file_empty out
	run cat err
	assert_output 'stream-cat: new.log: No such file or directory; waiting'
}

@test "-f: a partial line held at SIGTERM is written as the last record" {
	printf '%s\n%s' '{"n":1}' '{"n":2}' >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 1 || fail "line 1 did not come out"
	read_up app.log || fail "stream-cat did not read the partial line"
	sleep 0.2
	run cat out
	assert_output '{"n":1}'		# held, not written yet
	stop
	run cat out
	assert_output "$(recs 1 2)"
	assert_file_empty err
}

@test "-f: a partial line held at SIGTERM that is not JSON is a bad record" {
	printf '%s\n%s' '{"n":1}' '{"n":' >app.log
	bg stream-cat -f --dead-letter dl app.log >out 2>err
	wait_lines out 1 || fail "line 1 did not come out"
	read_up app.log || fail "stream-cat did not read the partial line"
	sleep 0.2
	assert_file_empty err		# held, not judged yet
	stop
	run cat out
	assert_output '{"n":1}'
	run cat err
	assert_output 'stream-cat: app.log:2: invalid JSON at column 6: unexpected end of input'
	run cat dl
	assert_output '{"error":"invalid JSON at column 6: unexpected end of input","source":"app.log","line":2,"raw":"{\"n\":"}'
}

@test "-f: a partial line held at SIGTERM on stdin is written too" {
	mkfifo f
	exec 8<>f
	bg stream-cat -f - <f >out 2>err
	printf '%s\n%s' '{"n":1}' '{"n":' >&8
	wait_lines out 1 || fail "line 1 did not come out"
	printf '2}' >&8
	drained || fail "stream-cat did not read the partial line"
	sleep 0.2
	run cat out
	assert_output '{"n":1}'
	stop
	run cat out
	assert_output "$(recs 1 2)"
	assert_file_empty err
}

@test "-f: a partial line held at SIGTERM in a rotated file is written too" {
	recs 1 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 1 || fail "line 1 did not come out"
	mv app.log app.log.1
	printf '{"n":2}' >>app.log.1	# the writer's last, unfinished line
	recs 3 >app.log
	wait_lines out 2 || fail "the new file's line did not come out"
	read_up app.log.1 || fail "stream-cat did not read the old file's end"
	stop
	run cat out
	assert_output "$(recs 1 3 2)"
	run cat err
	assert_output 'stream-cat: app.log: replaced; following the new file'
}

# ---------------------------------------------------------------------------
# --limit

@test "-f -n N: stops by itself after N records, status 0" {
	recs 1 2 >app.log
	bg stream-cat -f -n 3 app.log >out 2>err
	wait_lines out 2 || fail "the first lines did not come out"
	sleep 0.2
	alive || fail "stopped before 3 records"
	recs 3 4 >>app.log
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output "$(recs 1 2 3)"
	assert_file_empty err
}

@test "-f -n N: stops by itself when the file already holds N records" {
	recs 1 2 3 4 >app.log
	run --separate-stderr sc -f -n 2 app.log
	assert_success
	assert_output "$(recs 1 2)"
	assert_stderr ''
}

# ---------------------------------------------------------------------------
# --tail

@test "--tail N: the last N lines of the file" {
	recs 1 2 3 4 5 >app.log
	run --separate-stderr sc --tail 2 app.log
	assert_success
	assert_output "$(recs 4 5)"
	assert_stderr ''
}

@test "--tail N: a last line without its newline counts" {
	printf '%s\n%s\n%s' '{"n":1}' '{"n":2}' '{"n":3}' >app.log
	run --separate-stderr sc --tail 2 app.log
	assert_success
	assert_output "$(recs 2 3)"
	assert_stderr ''
}

@test "--tail N counts lines, blank ones included" {
	printf '%s\n' '{"n":1}' '{"n":2}' '' '{"n":4}' >app.log
	run --separate-stderr sc --tail 2 app.log
	assert_success
	assert_output '{"n":4}'
	assert_stderr ''
}

@test "--tail N: each file from its own end" {
	recs 1 2 3 >a.log
	recs 4 5 6 >b.log
	run --separate-stderr sc --tail 1 a.log b.log
	assert_success
	assert_output "$(recs 3 6)"
	assert_stderr ''
}

@test "--tail larger than the file: the whole file" {
	recs 1 2 3 >app.log
	run --separate-stderr sc --tail 10 app.log
	assert_success
	assert_output "$(recs 1 2 3)"
	assert_stderr ''
}

@test "--tail N on a file larger than the blocks read backwards" {
	awk 'BEGIN { for (i = 0; i < 30000; i++)
	    printf "{\"n\":%d,\"pad\":\"%060d\"}\n", i, 0 }' >app.log
	tail -n 12345 app.log >expect
	sc --tail 12345 app.log >out
	assert_same_bytes expect out
}

@test "--tail 0 without -f: nothing" {
	recs 1 2 3 >app.log
	run --separate-stderr sc --tail 0 app.log
	assert_success
	assert_output ''
	assert_stderr ''
}

@test "--tail on stdin, a pipe: --tail needs a regular file, exit 1" {
	run --separate-stderr sc --tail 1 < <(recs 1 2)
	assert_failure 1
	assert_output ''
	assert_stderr 'stream-cat: <stdin>: --tail needs a regular file'
}

@test "--tail on a pipe among files: the files are read, exit 1" {
	recs 1 2 >a.log
	recs 3 4 >b.log
	run --separate-stderr sc --tail 1 a.log - b.log < <(recs 9)
	assert_failure 1
	assert_output "$(recs 2 4)"
	assert_stderr 'stream-cat: <stdin>: --tail needs a regular file'
}

@test "--tail on a regular file as stdin reads its end" {
	recs 1 2 3 >app.log
	run --separate-stderr sc --tail 1 <app.log
	assert_success
	assert_output '{"n":3}'
	assert_stderr ''
}

@test "-f --tail on stdin, a pipe: --tail needs a regular file, exit 1" {
	run --separate-stderr sc -f --tail 1 < <(recs 1 2)
	assert_failure 1
	assert_output ''
	assert_stderr 'stream-cat: <stdin>: --tail needs a regular file'
}

@test "-f --tail N: the last N lines, then the lines written" {
	recs 1 2 3 4 >app.log
	bg stream-cat -f --tail 2 app.log >out 2>err
	wait_lines out 2 || fail "the last lines did not come out"
	recs 5 >>app.log
	wait_lines out 3 || fail "the appended line did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 3 4 5)"
	assert_file_empty err
}

@test "-f --tail 0: only the lines written from now on" {
	recs 1 2 3 >app.log
	bg stream-cat -f --tail 0 app.log >out 2>err
	read_up app.log || fail "stream-cat did not open app.log"
	sleep 0.2
	assert_file_empty out
	recs 4 >>app.log
	wait_lines out 1 || fail "the appended line did not come out"
	recs 5 >>app.log
	wait_lines out 2 || fail "the next appended line did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 4 5)"
	assert_file_empty err
}

@test "-f --tail 0: a file that replaces a rotated one is read from its start" {
	recs 1 2 >app.log
	bg stream-cat -f --tail 0 app.log >out 2>err
	read_up app.log || fail "stream-cat did not open app.log"
	recs 3 >>app.log
	wait_lines out 1 || fail "the appended line did not come out"
	mv app.log app.log.1
	recs 4 5 >app.log
	wait_lines out 3 || fail "the new file's lines did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 3 4 5)"
	run cat err
	assert_output 'stream-cat: app.log: replaced; following the new file'
}

@test "-f --tail 0: a file that appears later is read from its start" {
	bg stream-cat -f --tail 0 new.log >out 2>err
	wait_grep err 'waiting' || fail "no warning about the missing file"
	recs 1 2 >new.log
	wait_lines out 2 || fail "the new file's lines did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(recs 1 2)"
	run cat err
	assert_output "$(printf '%s\n' \
	    'stream-cat: new.log: No such file or directory; waiting' \
	    'stream-cat: new.log: appeared')"
}

# ---------------------------------------------------------------------------
# --format lines, --add-source

@test "-f --format lines: each line written becomes {\"line\": ...}" {
	printf '%s\n' 'Nov 25 10:00:01 web1 sshd[812]: start' >app.log
	bg stream-cat -f --format lines app.log >out 2>err
	wait_lines out 1 || fail "the first line did not come out"
	printf '%s\n' 'said "hi"	tab \ back' >>app.log
	wait_lines out 2 || fail "the appended line did not come out"
	printf 'half ' >>app.log
	read_up app.log || fail "stream-cat did not read the half line"
	printf 'and half\n' >>app.log
	wait_lines out 3 || fail "the line written in two halves did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(printf '%s\n' \
	    '{"line":"Nov 25 10:00:01 web1 sshd[812]: start"}' \
	    '{"line":"said \"hi\"\ttab \\ back"}' \
	    '{"line":"half and half"}')"
	assert_file_empty err
}

@test "-f --add-source: the member is the operand as given, through rotation" {
	mkdir logs
	recs 1 >logs/app.log
	recs 2 >b.log
	mkfifo f
	exec 8<>f
	bg stream-cat -f --add-source src logs/app.log ./b.log - <f >out 2>err
	wait_lines out 2 || fail "the first lines did not come out"
	recs 3 >&8
	wait_lines out 3 || fail "stdin's line did not come out"
	mv logs/app.log logs/app.log.1
	recs 4 >logs/app.log
	wait_lines out 4 || fail "the new file's line did not come out"
	recs 5 >>logs/app.log.1
	wait_lines out 5 || fail "the old file's line did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output "$(printf '%s\n' '{"n":1,"src":"logs/app.log"}' \
	    '{"n":2,"src":"./b.log"}' '{"n":3,"src":"<stdin>"}' \
	    '{"n":4,"src":"logs/app.log"}' '{"n":5,"src":"logs/app.log"}')"
	run cat err
	assert_output 'stream-cat: logs/app.log: replaced; following the new file'
}

@test "-f --add-source: a file that appears later is named as given" {
	bg stream-cat -f --add-source src logs/new.log >out 2>err
	wait_grep err 'waiting' || fail "no warning about the missing file"
	mkdir logs
	recs 1 >logs/new.log
	wait_lines out 1 || fail "the new file's line did not come out"
	sleep 0.2
	stop
	run cat out
	assert_output '{"n":1,"src":"logs/new.log"}'
	run cat err
	assert_output "$(printf '%s\n' \
	    'stream-cat: logs/new.log: No such file or directory; waiting' \
	    'stream-cat: logs/new.log: appeared')"
}

# ---------------------------------------------------------------------------
# Idle and latency

# An idle follower must sleep in poll(2) until inotify (or its 1 s
# timeout) wakes it.  A busy loop would cost about 2 s of CPU in 2 s (200
# ticks at 100 Hz), and a loop that polls every few milliseconds tens of
# ticks; a few wakeups that stat a file cost microseconds.  The kernel
# charges a whole tick to whoever runs when it ticks, so an idle process
# may still be charged 1 or 2: that is the margin allowed.

@test "-f idle costs no CPU" {
	recs 1 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 1 || fail "line 1 did not come out"
	sleep 0.3			# past its start-up
	c0=$(cpu_ticks "$BG")
	sleep 2
	c1=$(cpu_ticks "$BG")
	echo "CPU ticks while idle: $((c1 - c0))"
	test "$((c1 - c0))" -le 2 ||
	    fail "$((c1 - c0)) clock ticks of CPU in 2 s idle"
	recs 2 >>app.log		# and it still works
	wait_lines out 2 || fail "line 2 did not come out"
	stop
	run cat out
	assert_output "$(recs 1 2)"
	assert_file_empty err
}

@test "-f idle costs no CPU while it waits for a file and reads a pipe" {
	mkfifo f
	exec 8<>f
	bg stream-cat -f new.log - <f >out 2>err
	wait_grep err 'waiting' || fail "no warning about the missing file"
	recs 1 >&8
	wait_lines out 1 || fail "stdin's line did not come out"
	sleep 0.3
	c0=$(cpu_ticks "$BG")
	sleep 2
	c1=$(cpu_ticks "$BG")
	echo "CPU ticks while idle: $((c1 - c0))"
	test "$((c1 - c0))" -le 2 ||
	    fail "$((c1 - c0)) clock ticks of CPU in 2 s idle"
	stop
	run cat out
	assert_output '{"n":1}'
	run cat err
	assert_output 'stream-cat: new.log: No such file or directory; waiting'
}

@test "-f idle costs no CPU while a rotated file is still read" {
	recs 1 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 1 || fail "line 1 did not come out"
	mv app.log app.log.1
	recs 2 >app.log
	wait_lines out 2 || fail "the new file's line did not come out"
	c0=$(cpu_ticks "$BG")
	sleep 2
	c1=$(cpu_ticks "$BG")
	echo "CPU ticks while idle: $((c1 - c0))"
	test "$((c1 - c0))" -le 2 ||
	    fail "$((c1 - c0)) clock ticks of CPU in 2 s idle"
	stop
	run cat out
	assert_output "$(recs 1 2)"
	run cat err
	assert_output 'stream-cat: app.log: replaced; following the new file'
}

@test "-f: a line appended reaches stdout within 1 s, without -u" {
	recs 0 >app.log
	bg stream-cat -f app.log >out 2>err
	wait_lines out 1 || fail "line 0 did not come out"
	for i in 1 2 3; do
		sleep 0.3		# it is asleep, waiting, when the line comes
		recs "$i" >>app.log
		t0=${EPOCHREALTIME/./}
		wait_lines out "$((i + 1))" 1 ||
		    fail "line $i not on stdout within 1 s"
		t1=${EPOCHREALTIME/./}
		echo "line $i: $(((t1 - t0) / 1000)) ms"
	done
	stop
	run cat out
	assert_output "$(recs 0 1 2 3)"
	assert_file_empty err
}

@test "-f: a line written to stdin reaches stdout within 1 s, without -u" {
	mkfifo f
	exec 8<>f
	bg stream-cat -f - <f >out 2>err
	for i in 1 2 3; do
		sleep 0.3
		recs "$i" >&8
		wait_lines out "$i" 1 || fail "line $i not on stdout within 1 s"
	done
	stop
	run cat out
	assert_output "$(recs 1 2 3)"
	assert_file_empty err
}
