#!/usr/bin/env bats
# kafka.bats -- the tools between kcat consumers and producers, against a
# real Kafka protocol endpoint: librdkafka's mock cluster, served by
# tests/kafka/kafka-mock on loopback (CONTRACT section 8).  Each test uses
# its own topics, so that the tests share one cluster per file.

load helper

setup_file() {
	local boot=$BATS_FILE_TMPDIR/bootstrap i=0

	test -x "$ROOT/tests/kafka/kafka-mock" || return 0
	"$ROOT/tests/kafka/kafka-mock" events:4 windows:1 users:1 logins:2 \
	    access:3 alerts:1 filtered:1 </dev/null >"$boot" 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/pid"
	while ! test -s "$boot"; do
		i=$((i + 1))
		test "$i" -le 250 || return 1
		sleep 0.02
	done
}

teardown_file() {
	if test -f "$BATS_FILE_TMPDIR/pid"; then
		kill "$(cat "$BATS_FILE_TMPDIR/pid")" 2>/dev/null || :
	fi
}

# kafka -- skip when the endpoint or kcat is not there; else $B is the
# bootstrap list
kafka() {
	command -v kcat >/dev/null || skip "kcat is not installed"
	test -s "$BATS_FILE_TMPDIR/bootstrap" ||
	    skip "tests/kafka/kafka-mock is not built"
	B=$(cat "$BATS_FILE_TMPDIR/bootstrap")
}

# produce TOPIC FILE -- each NDJSON record of FILE as it is, keyed by
# its .user (so that a user's records share a partition, in order)
produce() {
	stream-filter -r .user "$2" | paste - "$2" |
	    timeout 20 kcat -P -b "$B" -t "$1" -K '\t'
}

# consume TOPIC -- every message's value, then exit at the end
consume() {
	timeout 20 kcat -C -b "$B" -t "$1" -e -q -f '%s\n'
}

# member GROUP TOPIC -- one member of a consumer group, until the end of
# the partitions it was given
member() {
	timeout 40 kcat -G "$1" -b "$B" -e -q -f '%s\n' \
	    -X topic.auto.offset.reset=earliest "$2"
}

@test "kafka: a filtered topic is the filter of the produced events" {
	kafka
	gen -n 2000 --seed 3 >events.ndjson
	produce filtered events.ndjson
	consume filtered | stream-filter 'select(.status >= 500)' |
	    sort >got
	stream-filter 'select(.status >= 500)' events.ndjson | sort >want
	test -s want
	assert_same_bytes want got
}

@test "kafka: each record passes through kcat byte for byte" {
	kafka
	printf '%s\n' '{"ts":1,"user":"a","id":9007199254740993,"x":1.50}' \
	    '{"user":"b" , "ts":2}' >events.ndjson
	produce logins events.ndjson
	consume logins | stream-filter . | sort >got
	sort events.ndjson >want
	assert_same_bytes want got
}

@test "kafka: two consumer-group members window what one process does" {
	kafka
	gen -n 6000 --seed 5 --rate 50 >events.ndjson
	produce events events.ndjson
	# The members share the four partitions.  A member reads its
	# partitions interleaved, so event time is out of order across them:
	# --lateness covers the whole run, and every window closes at EOF.
	member win events | stream-window --tumbling 1m --by .user \
	    --agg count --agg 'max(.latency_ms)' --lateness 1d >a &
	member win events | stream-window --tumbling 1m --by .user \
	    --agg count --agg 'max(.latency_ms)' --lateness 1d >b
	wait
	stream-window --tumbling 1m --by .user --agg count \
	    --agg 'max(.latency_ms)' events.ndjson | sort >want
	sort a b >got
	test -s a
	test -s b
	assert_same_bytes want got
}

@test "kafka: a changelog topic keeps stream-join's table, tombstones too" {
	kafka
	printf '%s\t%s\n' alice '{"user":"alice","team":"red"}' \
	    bob '{"user":"bob","team":"blue"}' \
	    alice '{"user":"alice","team":"green"}' |
	    timeout 20 kcat -P -b "$B" -t users -K '\t'
	# -Z: an empty value is a tombstone (a message with a NULL value)
	printf 'bob\t\n' | timeout 20 kcat -P -b "$B" -t users -K '\t' -Z
	# the recipe of stream-join(1): kcat -J envelopes into rows
	timeout 20 kcat -C -b "$B" -t users -J -e -q |
	    stream-filter 'if .payload == null
	        then {user: .key, deleted: true}
	        else (.payload | fromjson) end' >users.ndjson
	printf '%s\n' '{"ts":1,"user":"alice"}' '{"ts":2,"user":"bob"}' |
	    stream-join --table users.ndjson --follow-table --on .user \
	    --tombstone .deleted --left >got
	printf '%s\n' '{"ts":1,"user":"alice","team":"green"}' \
	    '{"ts":2,"user":"bob"}' >want
	assert_same_bytes want got
}

@test "kafka: alerts produced back into a topic read back as written" {
	kafka
	gen -n 4000 --seed 8 --rate 100 >events.ndjson
	produce access events.ndjson
	cat >rules.yaml <<'RULES'
rules:
  - name: errors
    type: frequency
    where: '.status >= 500'
    by: .user
    window: 10s
    threshold: 3
    message: '\(.key.user): \(.value) errors in \(.window)'
  - name: mallory
    type: match
    where: '.user == "mallory" and .event == "login"'
    by: .user
RULES
	# Each user's records are in one partition, in order, and both rules
	# judge a key by its own records alone: the alerts are those of the
	# file, whatever the interleaving of the three partitions.  Across
	# partitions event time is out of order: without --lateness most
	# records would be late.
	consume access | stream-alert -r rules.yaml --lateness 1h |
	    timeout 20 kcat -P -b "$B" -t alerts
	consume alerts | sort >got
	stream-alert -r rules.yaml events.ndjson | sort >want
	test "$(lines_in want)" -ge 10
	assert_same_bytes want got
}
