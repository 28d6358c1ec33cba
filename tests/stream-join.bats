#!/usr/bin/env bats
# stream-join(1): one test per option and behaviour of the design.  The
# joins of generated data (events with a user table that has updates,
# tombstones and missing keys; requests with responses inside, outside the
# window and missing, out of order) are compared with tests/join-oracle.py,
# an independent model that also predicts the output order; hand-made cases
# check one rule each, byte for byte; then the live behaviours (changelog,
# SIGHUP, --idle, signals), bad input and usage errors.

load helper

setup_file() {
	if ! test -x "$ROOT/stream-join"; then
		echo "stream-join is not built: run make" >&2
		return 1
	fi
	local d=$BATS_FILE_TMPDIR
	# 3000 events over 30 s, each time moved by up to +-300 ms
	EV=$d/events.ndjson
	python3 "$ROOT/scripts/gen-events" -n 3000 --seed 5 --rate 100 \
	    --disorder 300 >"$EV"
	# the user table: 300 users (some 240 named ones, then user0..),
	# then updates of every 7th (new members, a "ts" the events keep),
	# tombstones of every 11th, every 22nd re-added after its tombstone,
	# and a second update of every 13th: later rows win.  USERS_OP is
	# the same changelog with "op":"u" / "op":"d" instead of "deleted".
	USERS=$d/users.ndjson
	USERS_OP=$d/users-op.ndjson
	python3 "$ROOT/scripts/gen-events" --users 300 --seed 5 >"$d/users0"
	python3 - "$d/users0" "$USERS" "$USERS_OP" <<-'EOF'
	import json, sys
	rows = [json.loads(l) for l in open(sys.argv[1])]
	plain, ops = [], []
	def row(r):
	    plain.append(r)
	    ops.append(dict({"op": "u"}, **r))
	def dead(user):
	    plain.append({"user": user, "deleted": True})
	    ops.append({"user": user, "op": "d"})
	for r in rows:
	    row(r)
	for i, r in enumerate(rows):
	    if i % 7 == 3:
	        row({"vip": True, "user": r["user"], "team": "moved", "tier": 9,
	             "ts": "1999-01-01T00:00:00Z"})
	for i, r in enumerate(rows):
	    if i % 11 == 5:
	        dead(r["user"])
	for i, r in enumerate(rows):
	    if i % 22 == 5:
	        row({"user": r["user"], "team": "back", "since": "2026-11-01"})
	    if i % 13 == 1:
	        row(dict(r, tier=4, note="second update"))
	for f, rs in ((sys.argv[2], plain), (sys.argv[3], ops)):
	    with open(f, "w") as fh:
	        for r in rs:
	            fh.write(json.dumps(r, separators=(",", ":"),
	                                ensure_ascii=False) + "\n")
	EOF
	# a table of HTTP statuses, keyed by numbers spelled three ways and
	# by a string that must not match the number
	STATUS=$d/status.ndjson
	printf '%s\n' '{"code":200,"text":"OK"}' '{"code":201.0,"text":"Created"}' \
	    '{"code":"404","text":"the string 404"}' '{"code":404,"text":"Not Found"}' \
	    '{"code":5e2,"text":"Internal Server Error","retry":true}' \
	    '{"code":"503","text":"the string 503"}' '{"code":304,"text":"Not Modified"}' \
	    >"$STATUS"
	# countries keyed by a nested member
	COUNTRY=$d/country.ndjson
	printf '%s\n' '{"id":{"cc":"DE"},"region":"EU","eu":true}' \
	    '{"id":{"cc":"FR"},"region":"EU","eu":true}' \
	    '{"id":{"cc":"US"},"region":"NA"}' '{"id":{"cc":"JP"},"region":"APAC"}' \
	    '{"id":{"cc":"GB"},"region":"EU","eu":false}' >"$COUNTRY"
	# requests (1500 events over 15 s, +-200 ms out of order, ids below
	# 2^53) and their responses: by id % 20: 0, 1 none; 2 three seconds
	# later; 3 150 ms before the request; 4 two responses; 5 one without
	# id; the others latency_ms later.  The responses arrive in time
	# order, each moved by up to +-200 ms.  RESP2 calls the key "req".
	REQ=$d/req.ndjson
	RESP=$d/resp.ndjson
	RESP2=$d/resp2.ndjson
	python3 "$ROOT/scripts/gen-events" -n 1500 --seed 11 --rate 100 \
	    --disorder 200 --safe-ints >"$REQ"
	python3 "$ROOT/tests/gen-responses.py" 1 "$REQ" "$RESP" "$RESP2"
	export EV USERS USERS_OP STATUS COUNTRY REQ RESP RESP2
}

# oracle ARGS... -- tests/join-oracle.py ARGS...
oracle() {
	python3 "$ROOT/tests/join-oracle.py" "$@"
}

# table_like EVENTS ARGS... -- stream-join ARGS EVENTS succeeds quietly and
# writes the bytes that "join-oracle.py table ARGS EVENTS" computes
table_like() {
	local events=$1
	shift
	oracle table "$@" "$events" >expect
	test -s expect || fail "the oracle wrote nothing for: $*"
	status=0
	stream-join "$@" "$events" >out 2>err || status=$?
	assert_equal "$status" 0
	assert_file_empty err
	assert_same_bytes expect out
}

# interval_like ARGS... -- stream-join --with $RIGHT ARGS $LEFT succeeds
# quietly and writes the bytes of "join-oracle.py interval ARGS $LEFT
# $RIGHT" (LEFT, RIGHT default to $REQ and $RESP), in the same order
interval_like() {
	local left=${LEFT:-$REQ} right=${RIGHT:-$RESP}
	oracle interval "$@" "$left" "$right" >expect
	test -s expect || fail "the oracle wrote nothing for: $*"
	status=0
	stream-join --with "$right" "$@" "$left" >out 2>err || status=$?
	assert_equal "$status" 0
	assert_file_empty err
	sort expect >expect.sorted
	sort out >out.sorted
	assert_same_bytes expect.sorted out.sorted	# the same lines
	assert_same_bytes expect out			# in the same order
}

# kinds FILE -- how many lines of FILE pair two records, have only a left
# one, have only a right one: "P L R"
kinds() {
	jq -r '[(.left|type), (.right|type)] | join(" ")' "$1" |
	    awk '$1 == "object" && $2 == "object" { p++ } $2 == "null" { l++ }
	         $1 == "null" { r++ } END { print p+0, l+0, r+0 }'
}

# stats_of TEXT -- the --stats line of TEXT without elapsed_s, compact
stats_of() {
	grep '^{"tool"' <<<"$1" | tail -n 1 | jq -c 'del(.elapsed_s)'
}

# t S [MEMBERS] -- a record at S seconds (--time .t)
t() {
	printf '{"t":%s%s}\n' "$1" "${2:+,$2}"
}

# ---------------------------------------------------------------------------
# Stream-table joins of generated data, as the oracle

@test "stream-join: --table --on: inner join of generated events with a user table, latest row wins" {
	table_like "$EV" --table "$USERS" --on .user
	# rows were appended to most events; events of unknown users dropped
	test "$(wc -l <out)" -gt 1500
	test "$(wc -l <out)" -lt 3000
	run grep -c '"team":"moved"' out
	test "$output" -gt 50
}

@test "stream-join: --left: unmatched events (unknown or no user) written byte for byte, as the oracle" {
	table_like "$EV" --table "$USERS" --on .user --left
	assert_equal "$(wc -l <out)" 3000
	# the unmatched ones are the input lines themselves
	run grep -c -x -F -f "$EV" out
	test "$output" -gt 100
}

@test "stream-join: --tombstone .deleted: deleted keys match nothing, re-added keys match again, as the oracle" {
	table_like "$EV" --table "$USERS" --on .user --tombstone .deleted
	run grep -c '"deleted"' out
	assert_output 0
	run grep -c '"team":"back"' out
	test "$output" -gt 5
	table_like "$EV" --table "$USERS" --on .user --tombstone .deleted --left
	assert_equal "$(wc -l <out)" 3000
}

@test "stream-join: --tombstone '.op == \"d\"': an expression, as the oracle" {
	table_like "$EV" --table "$USERS_OP" --on .user --tombstone '.op == "d"'
	# the same rows as with .deleted, apart from the "op" member
	oracle table --table "$USERS" --on .user --tombstone .deleted "$EV" >plain
	assert_equal "$(wc -l <out)" "$(wc -l <plain)"
}

@test "stream-join: --into NAME: the row nested last, inner and --left (null), as the oracle" {
	table_like "$EV" --table "$USERS" --on .user --tombstone .deleted --into profile
	run jq -r 'keys_unsorted | last' out
	assert_equal "$(sort -u <<<"$output")" profile
	table_like "$EV" --table "$USERS" --on .user --tombstone .deleted --into profile --left
	run grep -c ',"profile":null}$' out
	test "$output" -gt 100
}

@test "stream-join: --into NAME replaces an event member of that name, as the oracle" {
	table_like "$EV" --table "$USERS" --on .user --into geo --left
	table_like "$EV" --table "$USERS" --on .user --into ts
}

@test "stream-join: --table-on: keys compared as JSON values (200 and 201.0 and 5e2 match numbers, \"404\" does not), as the oracle" {
	table_like "$EV" --table "$STATUS" --on .status --table-on .code
	run grep -c '"text":"the string' out
	assert_output 0
	run grep -c '"status":500,.*"text":"Internal Server Error","retry":true' out
	test "$output" -gt 0
	run grep -c '"status":201,.*"text":"Created"' out
	test "$output" -gt 0
	table_like "$EV" --table "$STATUS" --on .status --table-on .code --left --into http
}

@test "stream-join: --on and --table-on with nested paths, as the oracle" {
	table_like "$EV" --table "$COUNTRY" --on .geo.country --table-on .id.cc
	run grep -c '"region":"APAC"' out
	test "$output" -gt 0
	table_like "$EV" --table "$COUNTRY" --on .geo.country --table-on .id.cc --left
	assert_equal "$(wc -l <out)" 3000
}

@test "stream-join: --stats in table mode counts the records of both inputs, as the oracle" {
	oracle table --table "$USERS" --on .user --tombstone .deleted --stats "$EV" 2>expect.stats >/dev/null
	run --separate-stderr stream-join --table "$USERS" --on .user --tombstone .deleted --stats "$EV"
	assert_success
	assert_equal "${#stderr_lines[@]}" 1
	run jq -c 'keys_unsorted[:5]' <<<"$stderr"
	assert_output '["tool","in","out","bad","late"]'
	run jq -c '{in, out, bad, late}' <<<"$stderr"
	assert_output "$(jq -c '{in, out, bad, late}' expect.stats)"
	run jq -e '.tool == "stream-join" and (.elapsed_s | type == "number" and . >= 0 and . < 60)' <<<"$stderr"
	assert_success
}

# ---------------------------------------------------------------------------
# Stream-table: hand-made cases

@test "stream-join: merge: the event byte for byte (inner spaces, big integers), the row's missing members appended compactly in row order" {
	printf '%s\n' '{"user":"bob","team":"ops", "ts":9, "n": 9007199254740995, "o": {"a": [1, 2]}, "s":"a b"}' >tab
	printf '%s\n' '{"user":"bob", "ts":1,  "id":9007199254740993, "x":1.50}' >ev
	run --separate-stderr stream-join --table tab --on .user ev
	assert_success
	assert_output '{"user":"bob", "ts":1,  "id":9007199254740993, "x":1.50,"team":"ops","n":9007199254740995,"o":{"a":[1,2]},"s":"a b"}'
	assert_stderr ''
	assert_equal "$(oracle table --table tab --on .user ev)" "$output"
}

@test "stream-join: merge: event fields win; a row with nothing new leaves the event unchanged" {
	printf '%s\n' '{"user":"bob","team":"ops"}' '{"user":"eve","team":"sec","n":2}' >tab
	printf '%s\n' '{"user":"bob","team":null}' '{"team":"x","n":1,"user":"eve"}' >ev
	run --separate-stderr stream-join --table tab --on .user ev
	assert_success
	assert_output '{"user":"bob","team":null}
{"team":"x","n":1,"user":"eve"}'
}

@test "stream-join: CRLF line endings are dropped, blank lines skipped, in both inputs" {
	printf '{"user":"bob","team":"ops"}\r\n\n' >tab
	printf '{"user":"bob", "n":1}\r\n\n{"user":"bob"}\n' >ev
	run --separate-stderr stream-join --table tab --on .user ev
	assert_success
	assert_output '{"user":"bob", "n":1,"team":"ops"}
{"user":"bob","team":"ops"}'
}

@test "stream-join: keys are JSON values: 1, 1.0 and 1e0 are one key, \"1\" another; the latest row wins" {
	printf '%s\n' '{"k":1.0,"v":"num"}' '{"k":"1","v":"str"}' '{"k":true,"v":"bool"}' \
	    '{"k":[1,"a"],"v":"arr"}' '{"k":1,"v":"latest"}' >tab
	printf '%s\n' '{"k":1}' '{"k":"1"}' '{"k":1.0}' '{"k":1e0}' '{"k":1.5}' \
	    '{"k":true}' '{"k":"true"}' '{"k":[1,"a"]}' '{"k":[1.0,"a"]}' >ev
	run --separate-stderr stream-join --table tab --on .k ev
	assert_success
	assert_output '{"k":1,"v":"latest"}
{"k":"1","v":"str"}
{"k":1.0,"v":"latest"}
{"k":1e0,"v":"latest"}
{"k":true,"v":"bool"}
{"k":[1,"a"],"v":"arr"}
{"k":[1.0,"a"],"v":"arr"}'
	assert_equal "$(oracle table --table tab --on .k ev)" "$output"
}

@test "stream-join: an event whose key is absent or null matches nothing and is not a bad record" {
	printf '%s\n' '{"user":"bob","team":"ops"}' >tab
	printf '%s\n' '{"n":1}' '{"user":null,"n":2}' '{"user":"bob","n":3}' >ev
	run --separate-stderr stream-join --table tab --on .user --stats ev
	assert_success
	assert_output '{"user":"bob","n":3,"team":"ops"}'
	run stats_of "$stderr"
	assert_output '{"tool":"stream-join","in":4,"out":1,"bad":0,"late":0}'
	run --separate-stderr stream-join --table tab --on .user --left ev
	assert_success
	assert_output '{"n":1}
{"user":null,"n":2}
{"user":"bob","n":3,"team":"ops"}'
	assert_stderr ''
}

@test "stream-join: latest row per key wins; a tombstone deletes its key and is not stored; a later row adds it again" {
	printf '%s\n' '{"user":"bob","team":"a"}' '{"user":"bob","team":"b","x":1}' \
	    '{"user":"eve","team":"e"}' '{"user":"eve","deleted":true}' \
	    '{"user":"ann","deleted":true}' '{"user":"ann","team":"again"}' \
	    '{"user":"zed","deleted":false,"team":"z"}' '{"user":"nobody","deleted":true}' >tab
	printf '%s\n' '{"user":"bob"}' '{"user":"eve"}' '{"user":"ann"}' '{"user":"zed"}' '{"user":"nobody"}' >ev
	run --separate-stderr stream-join --table tab --on .user --tombstone .deleted --left ev
	assert_success
	assert_output '{"user":"bob","team":"b","x":1}
{"user":"eve"}
{"user":"ann","team":"again"}
{"user":"zed","deleted":false,"team":"z"}
{"user":"nobody"}'
	assert_stderr ''
	# without --tombstone, the tombstones are rows like any other
	run --separate-stderr stream-join --table tab --on .user ev
	assert_output '{"user":"bob","team":"b","x":1}
{"user":"eve","deleted":true}
{"user":"ann","team":"again"}
{"user":"zed","deleted":false,"team":"z"}
{"user":"nobody","deleted":true}'
}

@test "stream-join: --tombstone EXPR: a jq expression, truthy deletes" {
	printf '%s\n' '{"user":"bob","op":"u","team":"a"}' '{"user":"eve","op":"u","team":"e"}' \
	    '{"user":"bob","op":"d"}' '{"user":"eve","op":"x"}' >tab
	printf '%s\n' '{"user":"bob"}' '{"user":"eve"}' >ev
	run --separate-stderr stream-join --table tab --on .user --tombstone '.op == "d"' ev
	assert_success
	assert_output '{"user":"eve","op":"x"}'
	assert_stderr ''
}

@test "stream-join: --into NAME: ROW last, compact; an event member NAME is replaced; --left writes \"NAME\":null" {
	printf '%s\n' '{"user":"bob", "team":"ops", "n": 9007199254740993}' >tab
	printf '%s\n' '{"user":"bob","ts":1}' '{"info":"old","user":"bob"}' \
	    '{"user":"bob","info":{"a":1},"z":2}' '{"user":"bob","info":null}' '{"user":"eve","info":7}' '{"user":"eve"}' >ev
	run --separate-stderr stream-join --table tab --on .user --into info --left ev
	assert_success
	assert_output '{"user":"bob","ts":1,"info":{"user":"bob","team":"ops","n":9007199254740993}}
{"user":"bob","info":{"user":"bob","team":"ops","n":9007199254740993}}
{"user":"bob","z":2,"info":{"user":"bob","team":"ops","n":9007199254740993}}
{"user":"bob","info":{"user":"bob","team":"ops","n":9007199254740993}}
{"user":"eve","info":null}
{"user":"eve","info":null}'
	assert_stderr ''
	assert_equal "$(oracle table --table tab --on .user --into info --left ev)" "$output"
	run --separate-stderr stream-join --table tab --on .user --into info ev
	assert_equal "${#lines[@]}" 4
}

@test "stream-join: --table-on EXPR: the table's key from another member, nested paths on both sides" {
	printf '%s\n' '{"login":{"name":"bob"},"team":"ops"}' '{"login":{"name":"eve"},"team":"sec"}' >tab
	printf '%s\n' '{"who":{"user":"eve"},"n":1}' '{"who":{"user":"bob"},"n":2}' '{"who":"bob","n":3}' >ev
	run --separate-stderr stream-join --table tab --on .who.user --table-on .login.name --on-error skip ev
	assert_success
	assert_output '{"who":{"user":"eve"},"n":1,"login":{"name":"eve"},"team":"sec"}
{"who":{"user":"bob"},"n":2,"login":{"name":"bob"},"team":"ops"}'
}

@test "stream-join: --on, --table-on, --with-on and --time take jq expressions" {
	printf '%s\n' '{"name":"bob","team":"ops"}' >tab
	printf '%s\n' '{"user":"BOB","n":1}' '{"user":"eve","n":2}' >ev
	run --separate-stderr stream-join --table tab --on '.user | ascii_downcase' --table-on '.name' ev
	assert_success
	assert_output '{"user":"BOB","n":1,"name":"bob","team":"ops"}'
	printf '%s\n' '{"ms":1500,"a":1,"b":"x"}' >l
	printf '%s\n' '{"ms":2400,"k":[1,"x"]}' '{"ms":2600,"k":[1,"x"]}' >r
	run --separate-stderr stream-join --with r --on '[.a, .b]' --with-on .k --within 1s \
	    --time '.ms / 1000' --lateness 1m l
	assert_success
	assert_output '{"left":{"ms":1500,"a":1,"b":"x"},"right":{"ms":2400,"k":[1,"x"]}}'
	assert_stderr ''
}

@test "stream-join: --on with a key expression that fails on an event: a bad record" {
	printf '%s\n' '{"name":"bob","team":"ops"}' >tab
	printf '%s\n' '{"u":{"name":"bob"},"n":1}' '{"u":"bob","n":2}' '{"u":{"name":"bob"},"n":3}' >ev
	run --separate-stderr stream-join --table tab --on .u.name --table-on .name --stats ev
	assert_success
	assert_output '{"u":{"name":"bob"},"n":1,"name":"bob","team":"ops"}
{"u":{"name":"bob"},"n":3,"name":"bob","team":"ops"}'
	assert_stderr_line --index 0 --regexp '^stream-join: ev:2: .+'
	run stats_of "$stderr"
	assert_output '{"tool":"stream-join","in":4,"out":2,"bad":1,"late":0}'
}

@test "stream-join: the table is read to its end before the first event, also from a FIFO (until its writer closes)" {
	printf '%s\n' '{"user":"bob","team":"ops"}' >tab
	for i in $(seq 200); do printf '{"user":"u%d","team":"t%d"}\n' "$i" "$i"; done >>tab
	printf '%s\n' '{"user":"u200","n":1}' '{"user":"bob","n":2}' >ev
	mkfifo tf
	bg sh -c '{ head -n 1 tab; sleep 0.4; tail -n +2 tab; } >tf'
	run --separate-stderr stream-join --table tf --on .user ev
	assert_success
	assert_output '{"user":"u200","n":1,"team":"t200"}
{"user":"bob","n":2,"team":"ops"}'
}

@test "stream-join: FILE: the stream from a file, - or no operand is stdin; messages name it" {
	printf '%s\n' '{"user":"bob","team":"ops"}' >tab
	printf '%s\n' '{"user":"bob","n":1}' 'oops' >ev
	for how in file dash none; do
		case $how in
		file) run --separate-stderr stream-join --table tab --on .user ev ;;
		dash) run --separate-stderr stream-join --table tab --on .user - <ev ;;
		none) run --separate-stderr stream-join --table tab --on .user <ev ;;
		esac
		assert_success
		assert_output '{"user":"bob","n":1,"team":"ops"}'
		if test "$how" = file; then
			assert_stderr "stream-join: ev:2: invalid JSON at column 1: unexpected 'o'"
		else
			assert_stderr "stream-join: <stdin>:2: invalid JSON at column 1: unexpected 'o'"
		fi
	done
}

# ---------------------------------------------------------------------------
# --follow-table: a changelog, live

# feed SCRIPT -- play a changelog script: its lines "t JSON" go to the table
# FIFO (descriptor 7) and "e JSON" to the event FIFO (descriptor 8).  Before
# an event that follows table lines it waits 0.2 s, for the tool to apply
# them; before table lines that follow events it waits until every event so
# far has its line in ./out (so each event must write one: --left).
feed() {
	local line prev='' n=0
	while IFS= read -r line; do
		case $line in
		't '*)
			if test "$prev" = e; then
				wait_lines out "$n" 3 || return 1
			fi
			printf '%s\n' "${line#t }" >&7
			prev=t
			;;
		'e '*)
			if test "$prev" = t; then
				sleep 0.2
			fi
			printf '%s\n' "${line#e }" >&8
			n=$((n + 1))
			prev=e
			;;
		esac
	done <"$1"
	wait_lines out "$n" 3
}

changelog_script() {
	cat >script <<-'EOF'
	t {"user":"ann","team":"a1"}
	t {"user":"bob","team":"b1","tier":1}
	e {"user":"ann","n":1}
	e {"user":"bob", "n":2}
	e {"user":"cid","n":3}
	t {"user":"cid","team":"c1"}
	t {"user":"ann","team":"a2","since":"2026"}
	e {"user":"ann","n":4}
	e {"user":"cid","n":5,"team":"mine"}
	t {"user":"bob","deleted":true}
	e {"user":"bob","n":6}
	e {"user":"ann","n":7}
	t {"user":"bob","team":"b3"}
	t {"user":"cid","deleted":true}
	e {"user":"bob","n":8}
	e {"user":"cid","n":9}
	EOF
}

# live_changelog ARGS... -- stream-join --table tf --follow-table ARGS
# with the changelog of changelog_script played through two FIFOs; the
# output is the oracle's for the same changelog
live_changelog() {
	changelog_script
	mkfifo tf ef
	exec 7<>tf 8<>ef
	bg stream-join --table tf --follow-table "$@" <ef >out 2>err 7>&-
	feed script || fail "the joins did not come out: $(cat out err)"
	exec 7>&- 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	assert_file_empty err
	oracle table --changelog script "$@" >expect
	assert_same_bytes expect out
}

@test "stream-join: --follow-table: a changelog FIFO; each event joined with the table as it stood then (merge), as the oracle" {
	live_changelog --on .user --tombstone .deleted --left
	run sed -n '1p;4p;6p;8p' out
	assert_output '{"user":"ann","n":1,"team":"a1"}
{"user":"ann","n":4,"team":"a2","since":"2026"}
{"user":"bob","n":6}
{"user":"bob","n":8,"team":"b3"}'
}

@test "stream-join: --follow-table: a changelog FIFO with --into, as the oracle" {
	live_changelog --on .user --tombstone .deleted --left --into row
	run sed -n '3p;5p' out
	assert_output '{"user":"cid","n":3,"row":null}
{"user":"cid","n":5,"team":"mine","row":{"user":"cid","team":"c1"}}'
}

@test "stream-join: --follow-table: what is in the FIFO when it opens is read before the first event" {
	mkfifo tf ef
	exec 7<>tf 8<>ef
	printf '%s\n' '{"user":"ann","team":"a"}' '{"user":"bob","team":"b"}' >&7
	printf '%s\n' '{"user":"bob","n":1}' '{"user":"ann","n":2}' >&8
	bg stream-join --table tf --follow-table --on .user <ef >out 2>err 7>&-
	wait_lines out 2 || fail "the events were not joined: $(cat out err)"
	exec 7>&- 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output '{"user":"bob","n":1,"team":"b"}
{"user":"ann","n":2,"team":"a"}'
}

@test "stream-join: --follow-table: when the changelog pipe closes, the table stays and events go on being joined" {
	mkfifo tf ef
	exec 7<>tf 8<>ef
	bg stream-join --table tf --follow-table --on .user --left <ef >out 2>err 7>&-
	printf '%s\n' '{"user":"ann","team":"a"}' >&7
	sleep 0.2
	printf '%s\n' '{"user":"ann","n":1}' >&8
	# the tool has the FIFO open once the first event is out: close it
	wait_lines out 1 || fail "the first event did not come out: $(cat out err)"
	exec 7>&-
	sleep 0.3
	printf '%s\n' '{"user":"ann","n":2}' '{"user":"bob","n":3}' >&8
	wait_lines out 3 || fail "the events after the close did not come out"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	assert_file_empty err
	run cat out
	assert_output '{"user":"ann","n":1,"team":"a"}
{"user":"ann","n":2,"team":"a"}
{"user":"bob","n":3}'
}

@test "stream-join: --follow-table: a growing regular file is followed like tail -f" {
	printf '%s\n' '{"user":"ann","team":"a"}' >tab
	mkfifo ef
	exec 8<>ef
	bg stream-join --table tab --follow-table --on .user --tombstone .deleted --left <ef >out 2>err
	printf '%s\n' '{"user":"ann","n":1}' '{"user":"bob","n":2}' >&8
	wait_lines out 2 || fail "the first events did not come out: $(cat out err)"
	printf '%s\n' '{"user":"bob","team":"b"}' '{"user":"ann","deleted":true}' >>tab
	sleep 0.4
	printf '%s\n' '{"user":"ann","n":3}' '{"user":"bob","n":4}' >&8
	wait_lines out 4 || fail "the later events did not come out"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	assert_file_empty err
	run cat out
	assert_output '{"user":"ann","n":1,"team":"a"}
{"user":"bob","n":2}
{"user":"ann","n":3}
{"user":"bob","n":4,"team":"b"}'
}

@test "stream-join: --follow-table: SIGHUP is ignored with a note on stderr" {
	mkfifo tf ef
	exec 7<>tf 8<>ef
	bg stream-join --table tf --follow-table --on .user --left <ef >out 2>err 7>&-
	printf '%s\n' '{"user":"ann","team":"a"}' >&7
	sleep 0.2
	printf '%s\n' '{"user":"ann","n":1}' >&8
	wait_lines out 1 || fail "the first event did not come out: $(cat out err)"
	kill -HUP "$BG"
	wait_grep err 'stream-join: ' || fail "no note on stderr"
	printf '%s\n' '{"user":"ann","n":2}' >&8
	wait_lines out 2 || fail "the tool did not go on after SIGHUP: $(cat err)"
	exec 7>&- 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output '{"user":"ann","n":1,"team":"a"}
{"user":"ann","n":2,"team":"a"}'
	run cat err
	assert_equal "${#lines[@]}" 1
	assert_line --index 0 --regexp '^stream-join: '
}

# ---------------------------------------------------------------------------
# SIGHUP: reload --table

# hup_start -- a stream-join on users.ndjson (ann, bob) reading ./ef, after
# its first event {"user":"ann","n":1} came out
hup_start() {
	printf '%s\n' '{"user":"ann","team":"a"}' '{"user":"bob","team":"b"}' >users.ndjson
	mkfifo ef
	exec 8<>ef
	bg stream-join --table users.ndjson --on .user --left <ef >out 2>err
	printf '%s\n' '{"user":"ann","n":1}' >&8
	wait_lines out 1 || fail "the first event did not come out: $(cat err)"
}

@test "stream-join: SIGHUP re-reads --table into a new table and says so" {
	hup_start
	printf '%s\n' '{"user":"ann","team":"A"}' '{"user":"cid","team":"c"}' \
	    '{"user":"dan","team":"d"}' '{"user":"dan","team":"D"}' >users.new
	mv users.new users.ndjson
	kill -HUP "$BG"
	wait_grep err 'reloaded' || fail "no message on stderr: $(cat err)"
	printf '%s\n' '{"user":"ann","n":2}' '{"user":"bob","n":3}' '{"user":"dan","n":4}' >&8
	wait_lines out 4 || fail "the events after the reload did not come out"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output '{"user":"ann","n":1,"team":"a"}
{"user":"ann","n":2,"team":"A"}
{"user":"bob","n":3}
{"user":"dan","n":4,"team":"D"}'
	run cat err
	assert_output 'stream-join: users.ndjson: reloaded, 3 keys'
}

@test "stream-join: SIGHUP: a reload that fails (file gone) keeps the old table and says why" {
	hup_start
	rm users.ndjson
	kill -HUP "$BG"
	wait_grep err 'reload failed' || fail "no message on stderr: $(cat err)"
	printf '%s\n' '{"user":"bob","n":2}' >&8
	wait_lines out 2 || fail "the event after the failed reload did not come out"
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output '{"user":"ann","n":1,"team":"a"}
{"user":"bob","n":2,"team":"b"}'
	run cat err
	assert_output --regexp '^stream-join: users\.ndjson: reload failed: .+; keeping the old table$'
}

@test "stream-join: SIGHUP: a reload that fails (unreadable file) keeps the old table" {
	if test "$(id -u)" -eq 0; then
		skip "root can read a file with mode 000"
	fi
	hup_start
	printf '%s\n' '{"user":"bob","team":"new"}' >users.ndjson
	chmod 000 users.ndjson
	kill -HUP "$BG"
	wait_grep err 'reload failed' || fail "no message on stderr: $(cat err)"
	printf '%s\n' '{"user":"bob","n":2}' >&8
	wait_lines out 2 || fail "the event after the failed reload did not come out"
	exec 8>&-
	wait_exit "$BG"
	chmod 644 users.ndjson
	assert_equal "$status" 0
	run cat out
	assert_output '{"user":"ann","n":1,"team":"a"}
{"user":"bob","n":2,"team":"b"}'
	run cat err
	assert_output --regexp '^stream-join: users\.ndjson: reload failed: .+; keeping the old table$'
}

@test "stream-join: SIGTERM in a stream-table join: stop reading, flush, exit 0" {
	printf '%s\n' '{"user":"ann","team":"a"}' >tab
	mkfifo ef
	exec 8<>ef
	bg stream-join --table tab --on .user --stats <ef >out 2>err
	printf '%s\n' '{"user":"ann","n":1}' '{"user":"bob","n":2}' >&8
	wait_lines out 1 || fail "the event did not come out"
	kill -TERM "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output '{"user":"ann","n":1,"team":"a"}'
	run stats_of "$(cat err)"
	assert_output '{"tool":"stream-join","in":3,"out":1,"bad":0,"late":0}'
}

@test "stream-join: -u and --unbuffered: each joined event comes out at once" {
	printf '%s\n' '{"user":"ann","team":"a"}' >tab
	for u in -u --unbuffered; do
		rm -f ef out
		mkfifo ef
		exec 8<>ef
		bg stream-join "$u" --table tab --on .user <ef >out 2>err
		printf '%s\n' '{"user":"ann","n":1}' >&8
		wait_lines out 1 || fail "$u: the event did not come out"
		printf '%s\n' '{"user":"ann","n":2}' >&8
		wait_lines out 2 || fail "$u: the second event did not come out"
		run cat out
		assert_output '{"user":"ann","n":1,"team":"a"}
{"user":"ann","n":2,"team":"a"}'
		exec 8>&-
		wait_exit "$BG"
		assert_equal "$status" 0
	done
}

# ---------------------------------------------------------------------------
# Stream-stream joins of generated data, as the oracle

@test "stream-join: --with --within: inner interval join of out-of-order requests and responses, as the oracle" {
	interval_like --on .id --within 1s --lateness 1s
	run kinds out
	read -r p l r <<<"$output"
	test "$p" -gt 1000
	assert_equal "$l $r" "0 0"
}

@test "stream-join: --within with a small --lateness: late records never pair, as the oracle" {
	interval_like --on .id --within 1s --lateness 250ms
	interval_like --on .id --within 500ms --lateness 0s
}

@test "stream-join: --left: unmatched requests as {\"left\":L,\"right\":null} when they expire, as the oracle" {
	interval_like --on .id --within 1s --left --lateness 1s
	run kinds out
	read -r p l r <<<"$output"
	test "$l" -gt 100
	assert_equal "$r" 0
	interval_like --on .id --within 1s --left --lateness 250ms
}

@test "stream-join: --outer: unmatched on both sides, as the oracle" {
	interval_like --on .id --within 1s --outer --lateness 1s
	run kinds out
	read -r p l r <<<"$output"
	test "$l" -gt 100
	test "$r" -gt 100
	interval_like --on .id --within 1s --outer --lateness 300ms
}

@test "stream-join: --before --after: an asymmetric window, as the oracle" {
	interval_like --on .id --before 200ms --after 3500ms --outer --lateness 1s
	run kinds out
	read -r p l r <<<"$output"
	# responses 150 ms before and 3 s after their request pair now
	test "$p" -gt 1300
	interval_like --on .id --before 0ms --after 100ms --left --lateness 400ms
}

@test "stream-join: --with-on: the right side's key from another member, as the oracle" {
	RIGHT=$RESP2 interval_like --on .id --with-on .req --within 1s --outer --lateness 1s
	run kinds out
	assert_equal "$output" "$(oracle interval --on .id --within 1s --outer --lateness 1s "$REQ" "$RESP" >same; kinds same)"
}

@test "stream-join: --as L,R renames the two members, as the oracle" {
	interval_like --on .id --within 1s --outer --as req,resp --lateness 1s
	run jq -r 'keys_unsorted | join(",")' out
	assert_equal "$(sort -u <<<"$output")" "req,resp"
}

@test "stream-join: --stats in interval mode: both inputs counted, late records, as the oracle" {
	oracle interval --on .id --within 1s --left --lateness 250ms --stats "$REQ" "$RESP" 2>expect.stats >/dev/null
	run --separate-stderr stream-join --with "$RESP" --on .id --within 1s --left --lateness 250ms --stats "$REQ"
	assert_success
	assert_equal "${#stderr_lines[@]}" 1
	run jq -c 'keys_unsorted[:5]' <<<"$stderr"
	assert_output '["tool","in","out","bad","late"]'
	run jq -c '{in, out, bad, late}' <<<"$stderr"
	assert_output "$(jq -c '{in, out, bad, late}' expect.stats)"
	test "$(jq .late expect.stats)" -gt 100
}

@test "stream-join: --late FILE holds exactly the late records of both inputs, in the dead letter shape, as the oracle" {
	oracle interval --on .id --within 1s --lateness 250ms --late expect.late "$REQ" "$RESP" >/dev/null
	run --separate-stderr stream-join --with "$RESP" --on .id --within 1s --lateness 250ms --late late "$REQ"
	assert_success
	assert_stderr ''
	run jq -c 'keys_unsorted' late
	assert_equal "$(sort -u <<<"$output")" '["error","source","line","raw"]'
	jq -c 'del(.error)' expect.late | sort >e
	jq -c 'del(.error)' late | sort >a
	assert_same_bytes e a
	run jq -r '.source' late
	assert_equal "$(sort -u <<<"$output")" "$REQ
$RESP"
}

@test "stream-join: --max-held N: records let go early, in expiry order, counted as evicted, as the oracle" {
	interval_like --on .id --within 1s --outer --lateness 1s --max-held 50
	oracle interval --on .id --within 1s --outer --lateness 1s --max-held 50 --stats "$REQ" "$RESP" 2>expect.stats >/dev/null
	run --separate-stderr stream-join --with "$RESP" --on .id --within 1s --outer --lateness 1s --max-held 50 --stats "$REQ"
	run jq -c '{in, out, bad, late, evicted}' <<<"$stderr"
	assert_output "$(jq -c '{in, out, bad, late, evicted}' expect.stats)"
	test "$(jq .evicted expect.stats)" -gt 100
}

@test "stream-join: --state: a run split in two gives the pairs and unmatched records of one run, as the oracle" {
	local opts=(--on .id --within 1s --outer --lateness 1s)
	python3 - "$REQ" "$RESP" <<-'EOF'
	import sys
	cut = '{"ts":"2026-11-25T10:00:07'
	for name, f in (("l", sys.argv[1]), ("r", sys.argv[2])):
	    lines = open(f).readlines()
	    k = next(i for i, l in enumerate(lines) if l >= cut)
	    open(name + "1", "w").writelines(lines[:k])
	    open(name + "2", "w").writelines(lines[k:])
	EOF
	stream-join --with "$RESP" "${opts[@]}" --state one.state "$REQ" >one.out
	stream-join --with r1 "${opts[@]}" --state two.state l1 >two.out
	test -s two.state
	stream-join --with r2 "${opts[@]}" --state two.state l2 >>two.out
	# --pause: at the end, what is held stays in the state, unwritten
	oracle interval "${opts[@]}" --pause "$REQ" "$RESP" >expect
	assert_same_bytes expect one.out
	sort expect >expect.sorted
	sort two.out >two.sorted
	assert_same_bytes expect.sorted two.sorted
	test "$(wc -l <two.out)" -gt 1000
}

# ---------------------------------------------------------------------------
# Stream-stream: hand-made cases (times in seconds, --time .t)

@test "stream-join: the window is inclusive: L.t - before <= R.t <= L.t + after, keys equal" {
	t 10 '"k":"a","n":1' >l
	{ t 9 '"k":"a","r":1'; t 8.999 '"k":"a","r":2'; t 12 '"k":"a","r":3'
	  t 12.001 '"k":"a","r":4'; t 11 '"k":"b","r":5'; t 11 '"k":"A","r":6'; } >r
	run --separate-stderr stream-join --with r --on .k --before 1s --after 2s --time .t --lateness 1m l
	assert_success
	assert_output '{"left":{"t":10,"k":"a","n":1},"right":{"t":9,"k":"a","r":1}}
{"left":{"t":10,"k":"a","n":1},"right":{"t":12,"k":"a","r":3}}'
	assert_stderr ''
	assert_equal "$(oracle interval --on .k --before 1s --after 2s --time .t --lateness 1m l r)" "$output"
}

@test "stream-join: --within D is --before D --after D" {
	t 10 '"k":"a"' >l
	{ t 8.5 '"k":"a","r":1'; t 9 '"k":"a","r":2'; t 11 '"k":"a","r":3'; t 11.5 '"k":"a","r":4'; } >r
	run --separate-stderr stream-join --with r --on .k --within 1s --time .t --lateness 1m l
	assert_success
	assert_output '{"left":{"t":10,"k":"a"},"right":{"t":9,"k":"a","r":2}}
{"left":{"t":10,"k":"a"},"right":{"t":11,"k":"a","r":3}}'
}

@test "stream-join: pairs written byte for byte: inner spaces, big integers, number spelling" {
	printf '%s\n' '{"ts": "2026-11-25T10:00:01Z", "k": 9007199254740993, "v": 1.50}' >l
	printf '%s\n' '{"k":9007199254740993,"ts":"2026-11-25T10:00:01.5+00:00",  "w":[1, 2e0]}' >r
	run --separate-stderr stream-join --with r --on .k --within 1s l
	assert_success
	assert_output '{"left":{"ts": "2026-11-25T10:00:01Z", "k": 9007199254740993, "v": 1.50},"right":{"k":9007199254740993,"ts":"2026-11-25T10:00:01.5+00:00",  "w":[1, 2e0]}}'
	assert_stderr ''
}

@test "stream-join: interval keys are JSON values: 1 and 1.0 pair, \"1\" does not; absent or null keys never pair" {
	printf '%s\n' '{"t":1,"k":1}' '{"t":1.1,"k":"1"}' '{"t":1.2}' '{"t":1.3,"k":null}' >l
	printf '%s\n' '{"t":1,"k":1.0}' '{"t":1.1,"k":null}' '{"t":1.2,"x":1}' >r
	run --separate-stderr stream-join --with r --on .k --within 5s --time .t --outer --lateness 1m l
	assert_success
	assert_output "$(oracle interval --on .k --within 5s --time .t --outer --lateness 1m l r)"
	assert_line --index 0 '{"left":{"t":1,"k":1},"right":{"t":1,"k":1.0}}'
	assert_equal "${#lines[@]}" 6
	assert_line '{"left":{"t":1.1,"k":"1"},"right":null}'
	assert_line '{"left":{"t":1.2},"right":null}'
	assert_line '{"left":null,"right":{"t":1.1,"k":null}}'
}

@test "stream-join: output order: pairs when the second record comes, unmatched at expiry, in (expiry, arrival) order" {
	t 1 '"k":"a","l":1' >l
	t 2 '"k":"b","l":2' >>l
	t 3 '"k":"a","l":3' >>l
	{ t 1 '"k":"a","r":1'; t 4 '"k":"a","r":2'; t 10 '"k":"c","r":3'; } >r
	run --separate-stderr stream-join --with r --on .k --within 1s --time .t --outer l
	assert_success
	assert_output '{"left":{"t":1,"k":"a","l":1},"right":{"t":1,"k":"a","r":1}}
{"left":{"t":3,"k":"a","l":3},"right":{"t":4,"k":"a","r":2}}
{"left":{"t":2,"k":"b","l":2},"right":null}
{"left":null,"right":{"t":10,"k":"c","r":3}}'
	assert_equal "$(oracle interval --on .k --within 1s --time .t --outer l r)" "$output"
}

@test "stream-join: unmatched records that expire together: by expiry, then arrival" {
	{ t 5 '"k":"x"'; t 3 '"k":"y"'; t 3 '"k":"z"'; t 4.5 '"k":"w"'; } >l
	t 100 '"k":"q"' >r
	run --separate-stderr stream-join --with r --on .k --within 1s --time .t --left --lateness 10s l
	assert_success
	assert_output '{"left":{"t":3,"k":"y"},"right":null}
{"left":{"t":3,"k":"z"},"right":null}
{"left":{"t":4.5,"k":"w"},"right":null}
{"left":{"t":5,"k":"x"},"right":null}'
	# right records expire at R.t + before: --outer, asymmetric
	{ t 1 '"k":"r1"'; t 1.5 '"k":"r2"'; } >r2
	t 1 '"k":"l1"' >l2
	run --separate-stderr stream-join --with r2 --on .k --before 1s --after 0s --time .t --outer --lateness 10s l2
	assert_success
	assert_output '{"left":{"t":1,"k":"l1"},"right":null}
{"left":null,"right":{"t":1,"k":"r1"}}
{"left":null,"right":{"t":1.5,"k":"r2"}}'
	assert_equal "$(oracle interval --on .k --before 1s --after 0s --time .t --outer --lateness 10s l2 r2)" "$output"
}

@test "stream-join: a record pairs with every partner held, partners in arrival order" {
	{ t 4.8 '"k":"zz"'; t 5 '"k":"a","l":1'; } >l
	{ t 4.5 '"k":"a","r":1'; t 4.2 '"k":"a","r":2'; t 9 '"k":"zz2"'; } >r
	run --separate-stderr stream-join --with r --on .k --within 1s --time .t --lateness 10s l
	assert_success
	assert_output '{"left":{"t":5,"k":"a","l":1},"right":{"t":4.5,"k":"a","r":1}}
{"left":{"t":5,"k":"a","l":1},"right":{"t":4.2,"k":"a","r":2}}'
	assert_equal "$(oracle interval --on .k --within 1s --time .t --lateness 10s l r)" "$output"
}

@test "stream-join: two files are read as a merge by time: the same output whatever the arrival speed" {
	# left far ahead of right in the files: the merge still pairs them
	for i in 1 2 3 4 5 6; do t "$i" "\"k\":$i"; done >l
	for i in 1 2 3 4 5 6; do t "$i.5" "\"k\":$i"; done >r
	run --separate-stderr stream-join --with r --on .k --within 1s --time .t --outer l
	assert_success
	assert_equal "${#lines[@]}" 6
	assert_output "$(oracle interval --on .k --within 1s --time .t --outer l r)"
	# the same through pipes
	run --separate-stderr sh -c 'cat r | stream-join --with /dev/stdin --on .k --within 1s --time .t --outer l'
	assert_success
	assert_equal "${#lines[@]}" 6
	assert_output "$(oracle interval --on .k --within 1s --time .t --outer l r)"
}

@test "stream-join: --lateness: a record just at the watermark is in time, one before it is late and never pairs" {
	{ t 10 '"k":"a"'; t 8 '"k":"b","l":2'; t 7.9 '"k":"c","l":3'; } >l
	{ t 10 '"k":"z"'; t 8 '"k":"b","r":2'; t 7.9 '"k":"c","r":3'; } >r
	run --separate-stderr stream-join --with r --on .k --within 1s --time .t --lateness 2s --stats --late late l
	assert_success
	assert_output '{"left":{"t":8,"k":"b","l":2},"right":{"t":8,"k":"b","r":2}}'
	run stats_of "$stderr"
	assert_output '{"tool":"stream-join","in":6,"out":1,"bad":0,"late":2}'
	run jq -c 'del(.error)' late
	assert_output '{"source":"l","line":3,"raw":"{\"t\":7.9,\"k\":\"c\",\"l\":3}"}
{"source":"r","line":3,"raw":"{\"t\":7.9,\"k\":\"c\",\"r\":3}"}'
	run jq -r '.error' late
	assert_line --index 0 --regexp 'late'
}

@test "stream-join: --late FILE is appended to" {
	{ t 10 '"k":"a"'; t 1 '"k":"b"'; } >l
	t 10 '"k":"z"' >r
	echo '{"old":1}' >late
	run --separate-stderr stream-join --with r --on .k --within 1s --time .t --late late l
	assert_success
	assert_equal "$(lines_in late)" 2
	run sed -n 1p late
	assert_output '{"old":1}'
}

@test "stream-join: a late record is not reported unmatched by --outer" {
	{ t 10 '"k":"a"'; t 1 '"k":"b"'; } >l
	t 10 '"k":"a"' >r
	run --separate-stderr stream-join --with r --on .k --within 1s --time .t --outer l
	assert_success
	assert_output '{"left":{"t":10,"k":"a"},"right":{"t":10,"k":"a"}}'
}

@test "stream-join: --time EXPR, --time-unit ms: numbers in milliseconds" {
	printf '%s\n' '{"at":{"ms":1000},"k":"a"}' >l
	printf '%s\n' '{"at":{"ms":1999},"k":"a","r":1}' '{"at":{"ms":2001},"k":"a","r":2}' >r
	run --separate-stderr stream-join --with r --on .k --within 1s --time .at.ms --time-unit ms --lateness 1m l
	assert_success
	assert_output '{"left":{"at":{"ms":1000},"k":"a"},"right":{"at":{"ms":1999},"k":"a","r":1}}'
	# in seconds (the default unit): 1000 s and 1999 s, no pair
	run --separate-stderr stream-join --with r --on .k --within 1s --time .at.ms --lateness 1h l
	assert_success
	assert_output ''
}

@test "stream-join: --time-format: strings in a strptime format" {
	printf '%s\n' '{"when":"25/11/2026 10:00:01","k":"a"}' >l
	printf '%s\n' '{"when":"25/11/2026 10:00:02","k":"a"}' '{"when":"25/11/2026 10:00:03","k":"a","far":1}' >r
	run --separate-stderr stream-join --with r --on .k --within 1s --time .when \
	    --time-format '%d/%m/%Y %H:%M:%S' --lateness 1m l
	assert_success
	assert_output '{"left":{"when":"25/11/2026 10:00:01","k":"a"},"right":{"when":"25/11/2026 10:00:02","k":"a"}}'
	assert_stderr ''
}

@test "stream-join: RFC 3339 times with offsets and fractions are one time line" {
	printf '%s\n' '{"ts":"2026-11-25T11:00:00.250+01:00","k":"a"}' >l
	printf '%s\n' '{"ts":"2026-11-25T10:00:01.250Z","k":"a"}' '{"ts":"2026-11-25T10:00:01.251Z","k":"a","far":1}' >r
	run --separate-stderr stream-join --with r --on .k --within 1s --lateness 1m l
	assert_success
	assert_output '{"left":{"ts":"2026-11-25T11:00:00.250+01:00","k":"a"},"right":{"ts":"2026-11-25T10:00:01.250Z","k":"a"}}'
}

@test "stream-join: --max-held N: the record that would expire first is let go, reported unmatched, counted" {
	{ t 1 '"k":"a"'; t 2 '"k":"b"'; t 3 '"k":"c"'; } >l
	{ t 3 '"k":"z"'; t 1.5 '"k":"a"'; } >r
	# --lateness 1m: nothing expires before the end.  Without a limit
	# (1, a) pairs with (1.5, a), which comes last
	run --separate-stderr stream-join --with r --on .k --within 1s --time .t --lateness 1m --left l
	assert_success
	assert_output '{"left":{"t":1,"k":"a"},"right":{"t":1.5,"k":"a"}}
{"left":{"t":2,"k":"b"},"right":null}
{"left":{"t":3,"k":"c"},"right":null}'
	# at most 3 held: (1, a) is let go when (3, c) comes, before its
	# partner; (1.5, a) or (2, b) when (1.5, a) comes
	run --separate-stderr stream-join --with r --on .k --within 1s --time .t --lateness 1m \
	    --max-held 3 --left --stats l
	assert_success
	assert_output '{"left":{"t":1,"k":"a"},"right":null}
{"left":{"t":2,"k":"b"},"right":null}
{"left":{"t":3,"k":"c"},"right":null}'
	assert_equal "$(oracle interval --on .k --within 1s --time .t --lateness 1m --max-held 3 --left l r)" "$output"
	run jq -c '{out, evicted}' <<<"$stderr"
	assert_output '{"out":3,"evicted":2}'
}

@test "stream-join: --state: held records are saved at the end, not expired, and the next run continues" {
	{ t 1 '"k":"a"'; t 2 '"k":"u"'; } >l1
	: >empty
	opts=(--on .k --within 5s --time .t --left --state s)
	run --separate-stderr stream-join --with empty "${opts[@]}" l1
	assert_success
	assert_output ''
	assert_file_exists s
	t 3 '"k":"a"' >r2
	run --separate-stderr stream-join --with r2 "${opts[@]}" empty
	assert_success
	assert_output '{"left":{"t":1,"k":"a"},"right":{"t":3,"k":"a"}}'
	# with --state the end of an input is a pause: it holds the
	# watermark back at its largest time, so the right side must move
	t 100 '"k":"x"' >l3
	run --separate-stderr stream-join --with empty "${opts[@]}" l3
	assert_success
	assert_output ''
	t 100 '"k":"y"' >r4
	run --separate-stderr stream-join --with r4 "${opts[@]}" empty
	assert_success
	assert_output '{"left":{"t":2,"k":"u"},"right":null}'
	# without --state, the end of input expires everything
	run --separate-stderr stream-join --with empty --on .k --within 5s --time .t --left l1
	assert_output '{"left":{"t":1,"k":"a"},"right":null}
{"left":{"t":2,"k":"u"},"right":null}'
}

# ---------------------------------------------------------------------------
# Stream-stream, live

@test "stream-join: an unmatched record is written when the watermark passes its expiry, before end of input" {
	: >empty
	mkfifo lf
	exec 8<>lf
	bg stream-join --with empty --on .k --within 1s --time .t --left <lf >out 2>err
	t 1 '"k":"a"' >&8
	t 2 '"k":"b"' >&8
	sleep 0.3
	assert_file_empty out
	t 2.1 '"k":"c"' >&8
	wait_lines out 1 || fail "the expired record did not come out"
	run cat out
	assert_output '{"left":{"t":1,"k":"a"},"right":null}'
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output '{"left":{"t":1,"k":"a"},"right":null}
{"left":{"t":2,"k":"b"},"right":null}
{"left":{"t":2.1,"k":"c"},"right":null}'
}

@test "stream-join: an input that has not given a record holds the watermark back" {
	mkfifo lf rf
	exec 7<>rf 8<>lf
	bg stream-join --with rf --on .k --within 1s --time .t --left <lf >out 2>err 7>&-
	t 1 '"k":"a"' >&8
	t 10 '"k":"b"' >&8
	sleep 0.4
	assert_file_empty out
	t 10 '"k":"z"' >&7
	wait_lines out 1 || fail "the expired record did not come out: $(cat err)"
	run cat out
	assert_output '{"left":{"t":1,"k":"a"},"right":null}'
	exec 7>&- 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
}

@test "stream-join: a pair comes out as soon as its second record arrives" {
	mkfifo lf rf
	exec 7<>rf 8<>lf
	bg stream-join --with rf --on .k --within 1s --time .t --lateness 1m <lf >out 2>err 7>&-
	t 1 '"k":"a"' >&8
	t 1.5 '"k":"a"' >&7
	wait_lines out 1 || fail "the pair did not come out: $(cat err)"
	run cat out
	assert_output '{"left":{"t":1,"k":"a"},"right":{"t":1.5,"k":"a"}}'
	exec 7>&- 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
}

@test "stream-join: --idle: a quiet stream's unmatched record comes out after the wall time passes" {
	: >empty
	mkfifo lf
	exec 8<>lf
	bg stream-join --with empty --on .k --within 1s --time .t --left --idle 500ms <lf >out 2>err
	t 1 '"k":"a"' >&8
	sleep 0.3
	assert_file_empty out
	wait_lines out 1 3 || fail "the record did not expire within 3 s"
	run cat out
	assert_output '{"left":{"t":1,"k":"a"},"right":null}'
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	assert_file_empty err
}

@test "stream-join: --idle: an input silent for DUR while the other goes on stops holding the watermark back" {
	mkfifo lf rf
	exec 7<>rf 8<>lf
	bg stream-join --with rf --on .k --within 1s --time .t --left --idle 500ms <lf >out 2>err 7>&-
	t 1 '"k":"a"' >&8
	sleep 0.8
	t 10 '"k":"b"' >&8
	wait_lines out 1 2 || fail "the first record did not expire: $(cat err)"
	run cat out
	assert_output '{"left":{"t":1,"k":"a"},"right":null}'
	exec 7>&- 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
}

@test "stream-join: without --idle a quiet stream expires nothing" {
	: >empty
	mkfifo lf
	exec 8<>lf
	bg stream-join --with empty --on .k --within 1s --time .t --left <lf >out 2>err
	t 1 '"k":"a"' >&8
	sleep 1
	assert_file_empty out
	exec 8>&-
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output '{"left":{"t":1,"k":"a"},"right":null}'
}

@test "stream-join: SIGTERM: stop reading, expire every held record (unmatched written), exit 0" {
	: >empty
	mkfifo lf
	exec 8<>lf
	bg stream-join --with empty --on .k --within 1h --time .t --outer --stats <lf >out 2>err
	t 1 '"k":"a"' >&8
	t 2 '"k":"b"' >&8
	sleep 0.3
	kill -TERM "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output '{"left":{"t":1,"k":"a"},"right":null}
{"left":{"t":2,"k":"b"},"right":null}'
	run stats_of "$(cat err)"
	assert_output '{"tool":"stream-join","in":2,"out":2,"bad":0,"late":0}'
}

@test "stream-join: SIGINT: as SIGTERM" {
	: >empty
	mkfifo lf
	exec 8<>lf
	bg stream-join --with empty --on .k --within 1h --time .t --left <lf >out 2>err
	t 1 '"k":"a"' >&8
	sleep 0.3
	kill -INT "$BG"
	wait_exit "$BG"
	assert_equal "$status" 0
	run cat out
	assert_output '{"left":{"t":1,"k":"a"},"right":null}'
}

@test "stream-join: --state-every: the state is saved while the pipe runs" {
	: >empty
	mkfifo lf
	exec 8<>lf
	bg stream-join --with empty --on .k --within 5s --time .t --left --state s --state-every 200ms <lf >out 2>err
	t 1 '"k":"a"' >&8
	sleep 0.6
	test -s s || fail "no state saved: $(cat err)"
	kill -KILL "$BG"
	wait_exit "$BG"
	# a new run picks the held record up from the state (the right
	# side, which gave nothing yet, must speak for the watermark to move)
	t 100 '"k":"x"' >l2
	t 100 '"k":"y"' >r2
	run --separate-stderr stream-join --with r2 --on .k --within 5s --time .t --left --state s l2
	assert_success
	assert_output '{"left":{"t":1,"k":"a"},"right":null}'
}

@test "stream-join: --state-every without --state is a usage error (as in stream-window)" {
	run --separate-stderr stream-join --with /dev/null --on .k --within 1s --state-every 1s </dev/null
	assert_failure 2
	assert_stderr --partial -- '--state-every'
}

# ---------------------------------------------------------------------------
# Bad input: each kind of bad record between good ones, under --on-error
# warn, skip and fail, and in the --dead-letter file.
#
# Each case_* sets: WHERE (events, table, left or right: the file with the
# bad line, as line 2), BAD (the line), MSG_RE (the message after
# "stream-join: FILE:2: "), OPTS (extra options).

defaults() {
	MSG_RE='.+'
	OPTS=()
}

case_event_json() { defaults; WHERE=events; BAD='{"user":x}'; MSG_RE="invalid JSON at column 9: unexpected 'x'"; }
case_event_array() { defaults; WHERE=events; BAD='[1,2]'; MSG_RE='not an object.*'; }
case_event_string() { defaults; WHERE=events; BAD='"bob"'; MSG_RE='not an object.*'; }
case_event_number() { defaults; WHERE=events; BAD='42'; MSG_RE='not an object.*'; }
case_event_max_line() {
	defaults; WHERE=events; BAD='{"user":"ann","pad":"01234567890123456789012345678901234567890123456789"}'
	MSG_RE='line longer than --max-line \(64 bytes\)'; OPTS=(--max-line 64)
}
case_table_max_line() {
	defaults; WHERE=table; BAD='{"user":"cid","team":"01234567890123456789012345678901234567890123456789"}'
	MSG_RE='line longer than --max-line \(64 bytes\)'; OPTS=(--max-line 64)
}
case_table_json() { defaults; WHERE=table; BAD='{"user":"ann","team":}'; MSG_RE="invalid JSON at column 22: unexpected '}'"; }
case_table_array() { defaults; WHERE=table; BAD='["ann"]'; MSG_RE='not an object.*'; }
case_table_no_key() { defaults; WHERE=table; BAD='{"team":"z"}'; }
case_table_null_key() { defaults; WHERE=table; BAD='{"user":null,"team":"z"}'; }
case_left_json() { defaults; WHERE=left; BAD='{"t":1.5,'; }
case_left_no_time() { defaults; WHERE=left; BAD='{"k":"a"}'; MSG_RE='no usable time: .+'; }
case_left_time_type() { defaults; WHERE=left; BAD='{"t":true,"k":"a"}'; MSG_RE='no usable time: .+'; }
case_left_not_object() { defaults; WHERE=left; BAD='[1]'; }
case_right_json() { defaults; WHERE=right; BAD='nope'; MSG_RE="invalid JSON at column [0-9]+: .+"; }
case_right_no_time() { defaults; WHERE=right; BAD='{"k":"a","ts":"2026-11-25T10:00:00Z"}'; MSG_RE='no usable time: .+'; }

# make_input -- the files for the case: tab and ev (table mode), l and r
# (interval mode, --time .t); EXPECT: the output when the bad line is
# skipped, FIRST: the output before it; FILE: the file with the bad line
make_input() {
	printf '%s\n' '{"user":"ann","team":"a"}' '{"user":"cid","team":"c"}' '{"user":"bob","team":"b"}' >tab
	printf '%s\n' '{"user":"ann","n":1}' '{"user":"cid","n":2}' '{"user":"bob","n":3}' >ev
	{ t 1 '"k":"a"'; t 1.2 '"k":"c"'; t 2 '"k":"b"'; } >l
	{ t 1 '"k":"a"'; t 1.2 '"k":"c"'; t 2 '"k":"b"'; } >r
	case $WHERE in
	events) FILE=ev ;;
	table) FILE=tab ;;
	left) FILE=l ;;
	right) FILE=r ;;
	esac
	# the bad line replaces line 2
	BAD=$BAD awk 'NR == 2 { print ENVIRON["BAD"]; next } { print }' "$FILE" >"$FILE.new"
	mv "$FILE.new" "$FILE"
	case $WHERE in
	events|table)
		MODE=(--table tab --on .user ev)
		FIRST='{"user":"ann","n":1,"team":"a"}'
		EXPECT=$FIRST$'\n''{"user":"bob","n":3,"team":"b"}'
		test "$WHERE" = events || FIRST=
		;;
	left|right)
		MODE=(--with r --on .k --within 100ms --time .t l)
		FIRST='{"left":{"t":1,"k":"a"},"right":{"t":1,"k":"a"}}'
		EXPECT=$FIRST$'\n''{"left":{"t":2,"k":"b"},"right":{"t":2,"k":"b"}}'
		;;
	esac
}

run_join() {
	run --separate-stderr stream-join "${OPTS[@]}" "$@" "${MODE[@]}"
}

assert_message() {
	assert_stderr --regexp "^stream-join: $FILE:2: ${MSG_RE}\$"
	assert_equal "${#stderr_lines[@]}" 1
}

check_warn() {
	make_input
	run_join --on-error warn
	assert_success
	assert_output "$EXPECT"
	assert_message
	run_join
	assert_success
	assert_output "$EXPECT"
	assert_message
}

check_skip() {
	make_input
	run_join --on-error skip
	assert_success
	assert_output "$EXPECT"
	assert_stderr ''
	run_join --on-error skip --stats
	run jq -c '[.in, .out, .bad, .late]' <<<"$stderr"
	assert_output '[6,2,1,0]'
}

check_fail() {
	make_input
	run_join --on-error fail
	assert_failure 1
	assert_output "$FIRST"
	assert_message
}

check_dead_letter() {
	make_input
	run_join --on-error skip --dead-letter dl
	assert_success
	assert_output "$EXPECT"
	assert_stderr ''
	assert_equal "$(lines_in dl)" 1
	run jq -r .error dl
	assert_output --regexp "^$MSG_RE\$"
	run jq -c 'del(.error)' dl
	assert_output "$(jq -cn --arg f "$FILE" --arg raw "${BAD:0:${RAWMAX:-100000}}" '{source: $f, line: 2, raw: $raw}')"
}

@test "stream-join: invalid JSON event, warn: skipped with a message" { case_event_json; check_warn; }
@test "stream-join: invalid JSON event, skip: skipped silently, counted" { case_event_json; check_skip; }
@test "stream-join: invalid JSON event, fail: exit 1 after the earlier output" { case_event_json; check_fail; }
@test "stream-join: invalid JSON event, dead letter: raw line kept" { case_event_json; check_dead_letter; }
@test "stream-join: an event that is an array: not an object" { case_event_array; check_warn; check_dead_letter; }
@test "stream-join: an event that is a string: not an object" { case_event_string; check_warn; check_skip; }
@test "stream-join: an event that is a number: not an object" { case_event_number; check_warn; check_fail; }
@test "stream-join: --max-line: a longer event is a bad record, the first 64 bytes kept" {
	case_event_max_line
	check_warn
	check_skip
	RAWMAX=64 check_dead_letter
}
@test "stream-join: --max-line: a longer table line is a bad record, the first 64 bytes kept" {
	case_table_max_line
	check_warn
	RAWMAX=64 check_dead_letter
}
@test "stream-join: invalid JSON in the table, warn: skipped with a message naming the table" { case_table_json; check_warn; }
@test "stream-join: invalid JSON in the table, skip: counted" { case_table_json; check_skip; }
@test "stream-join: invalid JSON in the table, fail: exit 1 before any event" { case_table_json; check_fail; }
@test "stream-join: invalid JSON in the table, dead letter: source is the table file" { case_table_json; check_dead_letter; }
@test "stream-join: a table record that is not an object: a bad record" { case_table_array; check_warn; check_dead_letter; }
@test "stream-join: a table record without key: a bad record" { case_table_no_key; check_warn; check_skip; check_dead_letter; }
@test "stream-join: a table record with a null key: a bad record" { case_table_null_key; check_warn; check_fail; }
@test "stream-join: invalid JSON on the left, warn: skipped with a message" { case_left_json; check_warn; }
@test "stream-join: invalid JSON on the left, fail: exit 1 after the pairs so far" { case_left_json; check_fail; }
@test "stream-join: no time on the left, warn, skip, fail, dead letter" {
	case_left_no_time
	check_warn
	check_skip
	check_fail
	check_dead_letter
}
@test "stream-join: a time of the wrong type on the left: a bad record" { case_left_time_type; check_warn; check_dead_letter; }
@test "stream-join: a left record that is not an object: a bad record" { case_left_not_object; check_warn; check_skip; }
@test "stream-join: invalid JSON in the --with file: named in the message and the dead letter" { case_right_json; check_warn; check_dead_letter; }
@test "stream-join: no time in the --with file (--time .t): warn, fail" { case_right_no_time; check_warn; check_fail; }

@test "stream-join: a bad record does not move the watermark" {
	# the bad line's time would make 10:00:03 late
	{ t 1 '"k":"a"'; t 30 '"k":true,"x":'; t 3 '"k":"b"'; } >l
	{ t 1 '"k":"z"'; t 3 '"k":"b"'; } >r
	run --separate-stderr stream-join --with r --on .k --within 1s --time .t --on-error skip --stats l
	assert_success
	assert_output '{"left":{"t":3,"k":"b"},"right":{"t":3,"k":"b"}}'
	assert_equal "$(jq -c '[.bad, .late]' <<<"$stderr")" '[1,0]'
}

# ---------------------------------------------------------------------------
# --help, --version, closed stdout

@test "stream-join: --help: the usage has every option of the design and fits on one screen" {
	run --separate-stderr stream-join --help
	assert_success
	assert_stderr ''
	test "${#lines[@]}" -le 24 || fail "--help is ${#lines[@]} lines"
	assert_line --index 0 --partial 'usage: stream-join [-huV]'
	for o in '--table FILE' '--on EXPR' '[--table-on EXPR]' '[--tombstone EXPR]' \
	    '[--follow-table]' '[--into NAME]' '[--left]' '[--on-error MODE]' \
	    '[--dead-letter FILE]' '[--stats]' '[--max-line SIZE]' '[FILE]' '--with FILE' \
	    '(--within DUR | --before DUR --after DUR)' '[--with-on EXPR]' '[--as L,R]' \
	    '[--left | --outer]' '[--max-held N]' '[--time EXPR]' '[--time-unit UNIT]' \
	    '[--time-format FMT]' '[--lateness DUR]' '[--late FILE]' '[--idle DUR]' \
	    '[--state FILE]' '[--state-every DUR]'; do
		assert_output --partial -- "$o"
	done
	run stream-join -h
	assert_success
	assert_line --index 0 --partial 'usage: stream-join [-huV]'
}

@test "stream-join: --help: the usage is the SYNOPSIS of the man page" {
	run --separate-stderr stream-join --help
	usage=$(printf '%s\n' "${lines[@]}" | awk 'NR == 1 || (u && /^ /) { u = 1; print; next } { u = 0 }' |
	    tr -s ' \t\n' ' ' | tr '[:lower:]' '[:upper:]' | sed 's/ \.\.\./.../g; s/ $//')
	synopsis=$(mandoc -T ascii -O width=200 "$ROOT/man/stream-join.1" 2>/dev/null |
	    col -b | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
	    tr -s ' \t\n' ' ' | tr '[:lower:]' '[:upper:]' |
	    sed 's/ \.\.\./.../g; s/^ //; s/ $//')
	test -n "$synopsis" || skip "mandoc cannot render the page"
	assert_equal "$usage" "USAGE: $synopsis"
}

@test "stream-join: -V and --version print the version and exit 0" {
	for v in -V --version; do
		run --separate-stderr stream-join "$v"
		assert_success
		assert_output --regexp '^stream-join .*[0-9]+\.[0-9]+\.[0-9]+$'
	done
}

@test "stream-join: a closed stdout ends it quietly" {
	run --separate-stderr sh -c 'stream-join --table "$1" --on .user --left "$2" | head -n 1' sh "$USERS" "$EV"
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_stderr ''
	run --separate-stderr sh -c 'stream-join --with "$1" --on .id --within 1s --outer "$2" | head -n 1' sh "$RESP" "$REQ"
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_stderr ''
}

# ---------------------------------------------------------------------------
# Usage errors

# usage_error RE -- the last run was a usage error: status 2, nothing on
# stdout, a first line on stderr "stream-join: ..." matching RE
usage_error() {
	assert_failure 2
	assert_output ''
	assert_stderr_line --index 0 --regexp "^stream-join: .*$1"
}

# sj ARGS... -- run stream-join ARGS on one event, with ./tab and ./r
sj() {
	printf '%s\n' '{"user":"ann","team":"a"}' >tab
	printf '%s\n' '{"ts":"2026-11-25T10:00:00Z","user":"ann"}' >r
	run --separate-stderr stream-join "$@" <<<'{"ts":"2026-11-25T10:00:00Z","user":"ann"}'
}

@test "stream-join: usage error: --table and --with together, or neither" {
	sj --table tab --with r --on .user --within 1s
	usage_error '(--table.*--with|--with.*--table)'
	sj --on .user
	usage_error '(--table|--with)'
	sj --table tab --on .user
	assert_success
}

@test "stream-join: usage error: --on missing" {
	sj --table tab
	usage_error '--on'
	sj --with r --within 1s
	usage_error '--on'
}

@test "stream-join: usage error: stream-stream options with --table" {
	local -a o
	for spec in '--time .ts' '--lateness 1s' '--late late' '--idle 1s' '--state s' \
	    '--with-on .user' '--as a,b' '--outer' '--within 1s' '--before 1s --after 1s' \
	    '--max-held 3'; do
		read -r -a o <<<"$spec"
		sj --table tab --on .user "${o[@]}"
		usage_error "${o[0]}"
	done
}

@test "stream-join: usage error: the other time options, not in the table usage, with --table" {
	local -a o
	for spec in '--time-unit ms' '--time-format %s' '--state-every 1s'; do
		read -r -a o <<<"$spec"
		sj --table tab --on .user "${o[@]}"
		usage_error "${o[0]%-every}"
	done
}

@test "stream-join: usage error: table options with --with" {
	local -a o
	for spec in '--table-on .user' '--tombstone .deleted' '--follow-table' '--into x'; do
		read -r -a o <<<"$spec"
		sj --with r --on .user --within 1s "${o[@]}"
		usage_error "${o[0]}"
	done
}

@test "stream-join: usage error: the window: none, --within with --before/--after, --before without --after" {
	sj --with r --on .user
	usage_error '(--within|--before)'
	sj --with r --on .user --within 1s --before 1s --after 1s
	usage_error '--within'
	sj --with r --on .user --within 1s --before 1s
	usage_error '--within'
	sj --with r --on .user --before 1s
	usage_error '--after'
	sj --with r --on .user --after 1s
	usage_error '--before'
	sj --with r --on .user --before 1s --after 0s
	assert_success
}

@test "stream-join: usage error: --left with --outer" {
	sj --with r --on .user --within 1s --left --outer
	usage_error '(--left|--outer)'
}

@test "stream-join: usage error: bad durations" {
	for d in 1x -1s '' 1.5.s s 5m-; do
		sj --with r --on .user --within "$d"
		usage_error '--within'
		sj --with r --on .user --before "$d" --after 1s
		usage_error '--before'
		sj --with r --on .user --before 1s --after "$d"
		usage_error '--after'
		sj --with r --on .user --within 1s --lateness "$d"
		usage_error '--lateness'
		sj --with r --on .user --within 1s --idle "$d"
		usage_error '--idle'
		sj --with r --on .user --within 1s --state s --state-every "$d"
		usage_error '--state-every'
	done
}

@test "stream-join: usage error: more than one FILE operand" {
	printf '%s\n' '{"user":"ann"}' >ev
	sj --table tab --on .user ev ev
	usage_error ''
	sj --with r --on .user --within 1s ev ev
	usage_error ''
}

@test "stream-join: usage error: --as without a comma" {
	sj --with r --on .user --within 1s --as req
	usage_error '--as'
	sj --with r --on .user --within 1s --as req,resp
	assert_success
	assert_output '{"req":{"ts":"2026-11-25T10:00:00Z","user":"ann"},"resp":{"ts":"2026-11-25T10:00:00Z","user":"ann"}}'
}

@test "stream-join: usage error: bad --on-error, --max-held, --time-unit, an unknown option" {
	sj --table tab --on .user --on-error ignore
	usage_error '--on-error'
	sj --with r --on .user --within 1s --max-held x
	usage_error '--max-held'
	sj --with r --on .user --within 1s --time-unit h
	usage_error '--time-unit'
	sj --table tab --on .user --bogus
	usage_error '--bogus'
}

@test "stream-join: usage error: an --on expression that does not compile" {
	sj --table tab --on '.user +'
	assert_failure 2
	assert_output ''
	assert_stderr --partial 'stream-join: '
}

@test "stream-join: a table or --with file that cannot be opened: exit 1 with its name" {
	run --separate-stderr stream-join --table nosuch --on .user </dev/null
	assert_failure 1
	assert_stderr --partial 'nosuch'
	run --separate-stderr stream-join --with nosuch --on .user --within 1s </dev/null
	assert_failure 1
	assert_stderr --partial 'nosuch'
}
