# tests/helper.bash -- shared setup for the bats suites (load helper).
#
# Gives every test: LC_ALL=C; PATH with the repo root first, so that
# stream-filter is the binary built there; bats-support, bats-assert and
# bats-file; $ROOT (the repo), $FIX (tests/fixtures/filter) and $T (a
# fresh directory per test, also the working directory).  Helpers:
#   gen ARGS...             scripts/gen-events ARGS...
#   assert_stderr ARGS...   assert_output on $stderr (run --separate-stderr)
#   refute_stderr ARGS...   refute_output on $stderr
#   assert_stderr_line ...  assert_line on the lines of $stderr
#   wait_lines FILE N [S]   wait up to S seconds (default 2) until FILE has
#                           N lines or more; 1 on timeout
#   wait_grep FILE RE [S]   wait until grep -q RE FILE; 1 on timeout
#   bg CMD...               run CMD in the background (see below); its pid
#                           goes in $BG and teardown kills it if need be
#   wait_exit PID [S]       wait for a background job; its status in $status
#   assert_same_bytes A B   files A and B are equal byte for byte
# Bad input lines are written with printf, so no fixture holds binary data
# that an editor could damage.

bats_require_minimum_version 1.5.0

export LC_ALL=C
export TZ=UTC
ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
FIX=$ROOT/tests/fixtures/filter
PATH=$ROOT:$PATH
export ROOT FIX PATH

: "${BATS_LIB_PATH:=/usr/lib/bats}"
export BATS_LIB_PATH
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

BG_PIDS=

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	if ! test -x "$ROOT/stream-filter"; then
		echo "stream-filter is not built: run make" >&2
		return 1
	fi
}

teardown() {
	local p
	for p in $BG_PIDS; do
		kill -KILL "$p" 2>/dev/null || :
		wait "$p" 2>/dev/null || :
	done
	BG_PIDS=
	exec 8>&- 2>/dev/null || :
}

gen() {
	python3 "$ROOT/scripts/gen-events" "$@"
}

# bats-assert 2.1 has no assertions on $stderr: reuse the ones on $output
# (bats-assert 2.2 brings its own, with the same arguments).
if ! declare -F assert_stderr >/dev/null; then
	assert_stderr() {
		local output=$stderr
		assert_output "$@"
	}
	refute_stderr() {
		local output=$stderr
		refute_output "$@"
	}
	assert_stderr_line() {
		local output=$stderr
		local -a lines=()
		test -z "$stderr" || mapfile -t lines <<<"$stderr"
		assert_line "$@"
	}
fi

# assert_same_bytes EXPECTED ACTUAL -- the two files are byte for byte
# equal; otherwise fail and show the first differences, with cat -A
assert_same_bytes() {
	if ! cmp -s "$1" "$2"; then
		{
			echo "-- files differ: $1 (expected) and $2 (actual) --"
			diff <(cat -A "$1") <(cat -A "$2") | head -n 20
			echo "--"
		} | fail
	fi
}

# lines_in FILE -- the number of lines in FILE (0 when it does not exist)
lines_in() {
	if test -f "$1"; then
		wc -l <"$1" | tr -d ' '
	else
		echo 0
	fi
}

wait_lines() {
	local file=$1 n=$2 s=${3:-2} i=0
	while test "$(lines_in "$file")" -lt "$n"; do
		i=$((i + 1))
		test "$i" -le "$((s * 50))" || return 1
		sleep 0.02
	done
}

wait_grep() {
	local file=$1 re=$2 s=${3:-2} i=0
	until grep -q -- "$re" "$file" 2>/dev/null; do
		i=$((i + 1))
		test "$i" -le "$((s * 50))" || return 1
		sleep 0.02
	done
}

# bg CMD... -- start CMD in the background with the caller's redirections,
# but without bats' descriptor 3 or the FIFO writer on descriptor 8 (a
# child holding either would stall bats or never see end of input); the
# pid is in $BG.  Standard input is passed on explicitly, and SIGINT and
# SIGQUIT are reset to their defaults: a non-interactive shell gives
# background jobs /dev/null and ignored SIGINT and SIGQUIT.  To feed CMD through a
# FIFO without blocking: mkfifo f; exec 8<>f; bg CMD <f; printf ... >&8;
# and exec 8>&- for end of input.
bg() {
	env --default-signal=INT,QUIT "$@" <&0 3>&- 8>&- &
	BG=$!
	BG_PIDS="$BG_PIDS $BG"
}

# wait_exit PID [S] -- wait up to S seconds (default 5) for the background
# job PID to exit, and put its exit status in $status (137 when it had to
# be killed).  It polls /proc instead of running a watchdog: a subshell of
# the test would inherit bats' ERR trap and report the test a second time.
wait_exit() {
	local pid=$1 s=${2:-5} i=0
	while test -d "/proc/$pid" &&
	    ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null; do
		i=$((i + 1))
		if test "$i" -gt "$((s * 50))"; then
			kill -KILL "$pid" 2>/dev/null || :
			break
		fi
		sleep 0.02
	done
	status=0
	wait "$pid" || status=$?
}
