#!/usr/bin/env bats
# Scale-out without Kafka (CONTRACT.md section 8): "stream-filter --shard
# I/N --by EXPR" splits one stream into N key-disjoint parts, and each
# keyed tool run on the N parts, one process per part, gives the results
# of one process over the whole stream.  First the partition itself (each
# record in exactly one shard, all records of a key in the same shard, keys
# compared as JSON values); then stream-window and stream-join, sharded by
# the same key as their --by / --on, compared with one process: the same
# lines, byte for byte, once sorted (LC_ALL=C), and the same number.
#
# The watermark is per process: a shard sees only its own records, so its
# watermark advances with them alone and lags behind that of one process
# over everything.  Hence (1) the order of the output lines differs, which
# is why the outputs are compared sorted, and (2) a record can be late in
# one process and in time in its shard, never the other way round: at any
# point a shard's largest event time is at most the global one, so its
# watermark is at most the global watermark and whatever is late in a
# shard is late in one process too.  With too small a --lateness the
# results then differ (a record dropped as late by one process is
# aggregated or joined by its shard; see the test "late records" below).
# On the events below (+-2 s of disorder), --tumbling 10s --by .user finds
# late, in one process / in 4 shards by .user together: 2726 / 2452
# records with --lateness 0, 1989 / 1715 with 1s, 472 / 263 with 3s, and
# 0 / 0 from 4s on.  The comparisons therefore use a --lateness above the
# generated disorder (5s), and check through --stats that no record is
# late in either setup.

load helper

setup_file() {
	local p d=$BATS_FILE_TMPDIR
	for p in stream-filter stream-window stream-join; do
		if ! test -x "$ROOT/$p"; then
			echo "$p is not built: run make" >&2
			return 1
		fi
	done
	# 3000 events over a minute, each time moved by up to +-2 s (so a
	# record is at most 4 s older than one before it); 8 have no user
	DATA=$d/events.ndjson
	gen -n 3000 --seed 7 --rate 50 --disorder 2000 >"$DATA"
	# a user table with updates (every 7th row), tombstones (every 11th)
	# and re-additions after the tombstone (every 22nd): later rows win
	USERS=$d/users.ndjson
	gen --users 300 --seed 5 >"$d/users0"
	{
		cat "$d/users0"
		awk 'NR % 7 == 3' "$d/users0" |
		    jq -c '{user, team: "moved", tier: 9, vip: true}'
		awk 'NR % 11 == 5' "$d/users0" | jq -c '{user, deleted: true}'
		awk 'NR % 22 == 5' "$d/users0" | jq -c '{user, team: "back"}'
	} >"$USERS"
	# requests (1500 events over 15 s, +-200 ms out of order) and their
	# responses: by id % 20: 0, 1 none; 2 three seconds later; 3 150 ms
	# before the request; 4 two responses; 5 one without id; the others
	# latency_ms later; each response moved by up to +-200 ms.  RESP2
	# calls the key "req".
	REQ=$d/req.ndjson
	RESP=$d/resp.ndjson
	RESP2=$d/resp2.ndjson
	gen -n 1500 --seed 11 --rate 100 --disorder 200 --safe-ints >"$REQ"
	python3 "$ROOT/tests/gen-responses.py" 3 "$REQ" "$RESP" "$RESP2"
	export DATA USERS REQ RESP RESP2
}

# shard_files N BY FILE PREFIX -- write the N shards of FILE by the key
# BY to PREFIX.0 .. PREFIX.N-1; each stream-filter must succeed quietly
shard_files() {
	local n=$1 by=$2 file=$3 pre=$4 i
	for ((i = 0; i < n; i++)); do
		stream-filter --shard "$i/$n" --by "$by" . "$file" \
		    >"$pre.$i" 2>"$pre.$i.err" ||
		    fail "stream-filter --shard $i/$n --by $by failed: $(cat "$pre.$i.err")"
		assert_file_empty "$pre.$i.err"
	done
}

# same_sorted EXPECTED ACTUAL -- the two files have the same number of
# lines, and the same lines byte for byte once sorted (LC_ALL=C)
same_sorted() {
	assert_equal "$(lines_in "$2")" "$(lines_in "$1")"
	sort "$1" >"$1.sorted"
	sort "$2" >"$2.sorted"
	assert_same_bytes "$1.sorted" "$2.sorted"
}

# stat NAME FILE -- member NAME of the --stats line in FILE, which must be
# the only line of FILE
stat() {
	assert_equal "$(lines_in "$2")" 1
	jq -r ".$1" "$2"
}

# partition N BY FILE -- the N shards of FILE by BY partition it: none is
# empty; each is the subsequence of FILE of its records, byte for byte and
# in input order; their union, sorted, is FILE sorted (so no record is
# lost or duplicated); and no key value is in two shards.  FILE has no
# two equal lines, and its keys are spelled one way only.
partition() {
	local n=$1 by=$2 file=$3 i
	shard_files "$n" "$by" "$file" s
	: >union
	: >keys
	for ((i = 0; i < n; i++)); do
		test -s "s.$i" || fail "shard $i/$n by $by is empty"
		grep -F -x -f "s.$i" "$file" >"in-order.$i" || :
		assert_same_bytes "in-order.$i" "s.$i"
		cat "s.$i" >>union
		# the keys as stream-filter sees them (jq 1.6 would round the
		# integers above 2^53 that the generated ids have)
		stream-filter "$by" "s.$i" | sort -u >>keys
	done
	same_sorted "$file" union
	run sort keys
	run uniq -d <<<"$output"
	assert_output ''
}

# window_sharded N BY ARGS... -- stream-window ARGS over $DATA as one
# process, and over each of the N shards of $DATA by BY, one process per
# shard: no record late anywhere (--stats), the same records read in all,
# and the union of the shards' lines is the one process's (same_sorted).
# The one process must write at least MIN lines (default 100).  IN, when
# set, is the input instead of $DATA.
window_sharded() {
	local n=$1 by=$2 i in=0 out=0 data=${IN:-$DATA}
	shift 2
	stream-window "$@" --stats "$data" >one 2>one.err ||
	    fail "stream-window $* failed: $(cat one.err)"
	assert_equal "$(stat late one.err)" 0
	test "$(lines_in one)" -ge "${MIN:-100}" ||
	    fail "only $(lines_in one) lines from stream-window $*"
	shard_files "$n" "$by" "$data" s
	: >union
	for ((i = 0; i < n; i++)); do
		stream-window "$@" --stats "s.$i" >"w.$i" 2>"w.$i.err" ||
		    fail "stream-window $* on shard $i/$n failed: $(cat "w.$i.err")"
		assert_equal "$(stat late "w.$i.err")" 0
		in=$((in + $(stat in "w.$i.err")))
		out=$((out + $(stat out "w.$i.err")))
		test -s "w.$i" || test -n "$IN" || fail "no output from shard $i/$n"
		cat "w.$i" >>union
	done
	assert_equal "$in" "$(stat in one.err)"
	assert_equal "$out" "$(stat out one.err)"
	same_sorted one union
}

# table_sharded N ARGS... -- stream-join ARGS (a --table join on .user)
# over $DATA as one process, and over each of the N shards of $DATA by
# .user, each with the whole table: the same lines (same_sorted)
table_sharded() {
	local n=$1 i
	shift
	stream-join "$@" "$DATA" >one 2>one.err ||
	    fail "stream-join $* failed: $(cat one.err)"
	assert_file_empty one.err
	test "$(lines_in one)" -ge 1000
	shard_files "$n" .user "$DATA" s
	: >union
	for ((i = 0; i < n; i++)); do
		stream-join "$@" "s.$i" >"j.$i" 2>"j.$i.err" ||
		    fail "stream-join $* on shard $i/$n failed: $(cat "j.$i.err")"
		assert_file_empty "j.$i.err"
		test -s "j.$i" || fail "no output from shard $i/$n"
		cat "j.$i" >>union
	done
	same_sorted one union
}

# table_sharded_file N EVENTS TABLE -- as table_sharded, for stream-join
# --table TABLE --on .id --left over EVENTS sharded by .id
table_sharded_file() {
	local n=$1 events=$2 table=$3 i
	stream-join --table "$table" --on .id --left "$events" >one 2>one.err ||
	    fail "stream-join --table $table failed: $(cat one.err)"
	assert_file_empty one.err
	shard_files "$n" .id "$events" s
	: >union
	for ((i = 0; i < n; i++)); do
		stream-join --table "$table" --on .id --left "s.$i" >>union
	done
	same_sorted one union
}

# interval_sharded N LEFT RIGHT LEFT_BY RIGHT_BY ARGS... -- stream-join
# --with RIGHT ARGS LEFT as one process, and as N processes, shard i of
# LEFT by LEFT_BY with shard i of RIGHT by RIGHT_BY: no record late
# anywhere, and the same lines (same_sorted)
interval_sharded() {
	local n=$1 left=$2 right=$3 lby=$4 rby=$5 i
	shift 5
	stream-join --with "$right" "$@" --stats "$left" >one 2>one.err ||
	    fail "stream-join $* failed: $(cat one.err)"
	assert_equal "$(stat late one.err)" 0
	test "$(lines_in one)" -ge "${MIN:-1000}"
	shard_files "$n" "$lby" "$left" l
	shard_files "$n" "$rby" "$right" r
	: >union
	for ((i = 0; i < n; i++)); do
		stream-join --with "r.$i" "$@" --stats "l.$i" >"j.$i" 2>"j.$i.err" ||
		    fail "stream-join $* on shard $i/$n failed: $(cat "j.$i.err")"
		assert_equal "$(stat late "j.$i.err")" 0
		test -s "j.$i" || test -n "$MIN" || fail "no output from shard $i/$n"
		cat "j.$i" >>union
	done
	same_sorted one union
}

# kinds FILE -- how many lines of FILE pair two records, have only a left
# one, have only a right one: "P L R"
kinds() {
	jq -r '[(.left|type), (.right|type)] | join(" ")' "$1" |
	    awk '$1 == "object" && $2 == "object" { p++ } $2 == "null" { l++ }
	         $1 == "null" { r++ } END { print p+0, l+0, r+0 }'
}

# ---------------------------------------------------------------------------
# stream-filter --shard: a partition of the input

@test "shard: --shard 0/1 is the whole input, byte for byte" {
	for by in .user .id '[.user, .event]'; do
		run stream-filter --shard 0/1 --by "$by" . "$DATA"
		assert_success
		assert_equal "$output" "$(cat "$DATA")"
	done
}

@test "shard: --by .user: N = 1, 2, 3, 4, 7 shards partition the input, each user in one shard" {
	for n in 1 2 3 4 7; do
		partition "$n" .user "$DATA"
	done
}

@test "shard: --by .user: records without a user (absent or null) are in exactly one shard, that of null" {
	jq -c 'select(has("user") | not)' "$DATA" >absent
	test "$(lines_in absent)" -ge 5
	# the same records with "user":null, and a record with nothing else
	jq -c '. + {user: null}' absent >null
	echo '{}' >>null
	for n in 2 3 4 7; do
		home=
		for ((i = 0; i < n; i++)); do
			stream-filter --shard "$i/$n" --by .user . absent >a
			stream-filter --shard "$i/$n" --by .user . null >b
			case "$(lines_in a) $(lines_in b)" in
			"0 0") ;;
			"$(lines_in absent) $(lines_in null)")
				test -z "$home" || fail "absent/null users in shards $home and $i of $n"
				home=$i
				assert_same_bytes absent a
				assert_same_bytes null b ;;
			*) fail "shard $i/$n: $(lines_in a) absent, $(lines_in b) null: split" ;;
			esac
		done
		test -n "$home" || fail "absent/null users in no shard of $n"
		# and there, in the shard of the whole input
		stream-filter --shard "$home/$n" --by .user . "$DATA" >s
		run grep -c -F -x -f absent s
		assert_output "$(lines_in absent)"
	done
}

@test "shard: --by .id: N = 1, 2, 3, 4, 7 shards partition the input" {
	for n in 1 2 3 4 7; do
		partition "$n" .id "$DATA"
	done
}

@test "shard: --by '[.user, .event]': a compound key; N = 1, 2, 3, 4, 7 shards partition the input" {
	for n in 1 2 3 4 7; do
		partition "$n" '[.user, .event]' "$DATA"
	done
	# the compound key does split a user's records over several shards
	stream-filter --shard 0/7 --by '[.user, .event]' . "$DATA" >s0
	stream-filter --shard 1/7 --by '[.user, .event]' . "$DATA" >s1
	run comm -12 <(jq -r '.user // empty' s0 | sort -u) <(jq -r '.user // empty' s1 | sort -u)
	test -n "$output"
}

@test "shard: keys are JSON values: 1, 1.0, 1e0, 10e-1 (and k, k.0, ke0 for other numbers) are in one shard" {
	{
		for k in 0 1 2 3 5 7 10 42 99 1000 1000000 123456789; do
			printf '{"g":%s,"id":%s}\n' "$k" "$k" "$k" "$k.0" "$k" "${k}e0" \
			    "$k" "$((k * 10))e-1" "$k" "$k.000" "$k" "${k}E+0"
		done
		printf '%s\n' '{"g":"one","id":0.1e1}' '{"g":"one","id":1}' \
		    '{"g":"one","id":100E-2}' '{"g":"neg","id":-2.50}' '{"g":"neg","id":-25e-1}' \
		    '{"g":"zero","id":0}' '{"g":"zero","id":-0}' '{"g":"zero","id":0.0}' \
		    '{"g":"str","id":"A"}' '{"g":"str","id":"\u0041"}' \
		    '{"g":"obj","id":{"a":1,"b":[2,2.0]}}' '{"g":"obj","id":{"b":[2e0,2],"a":1.0}}' \
		    '{"g":"arr","id":[1,"x",null]}' '{"g":"arr","id":[1.0, "x" , null]}'
	} >hand
	for n in 2 3 4 5 7 16; do
		: >groups
		total=0
		for ((i = 0; i < n; i++)); do
			stream-filter --shard "$i/$n" --by .id . hand >s
			total=$((total + $(lines_in s)))
			jq -c .g s | sort -u >>groups
		done
		assert_equal "$total" "$(lines_in hand)"
		# every group in one shard only
		run uniq -d <(sort groups)
		assert_output ''
		assert_equal "$(lines_in groups)" "$(jq -c .g hand | sort -u | wc -l)"
	done
	# the string "1" is another key than the number 1: over many values,
	# strings and numbers do not always share a shard
	seq 0 99 | jq -c '{n: ., s: tostring}' >ns
	run diff <(stream-filter --shard 0/7 --by .n '.n' ns) <(stream-filter --shard 0/7 --by .s '.n' ns)
	assert_failure
}

# ---------------------------------------------------------------------------
# stream-window: N shards by the --by key give the lines of one process
# (--lateness 5s: the disorder is at most 4 s)

AGGS=(--agg count --agg 'sum(.bytes)' --agg 'avg(.latency_ms)' --agg 'p95(.latency_ms)'
    --agg 'distinct(.path)' --agg 'top(3,.event)')

@test "shard: stream-window --tumbling, every aggregate, N = 1, 3, 7 shards by .user" {
	window_sharded 1 .user --tumbling 10s --by .user "${AGGS[@]}" --lateness 5s
	window_sharded 3 .user --tumbling 10s --by .user "${AGGS[@]}" --lateness 5s
	window_sharded 7 .user --tumbling 10s --by .user "${AGGS[@]}" --lateness 5s
}

@test "shard: stream-window --hopping, every aggregate, N = 4 shards by .user" {
	window_sharded 4 .user --hopping 20s --every 5s --by .user "${AGGS[@]}" --lateness 5s
}

@test "shard: stream-window --session, every aggregate, N = 2 and 5 shards by .user" {
	window_sharded 2 .user --session 3s --by .user "${AGGS[@]}" --lateness 5s
	window_sharded 5 .user --session 3s --by .user "${AGGS[@]}" --lateness 5s
}

@test "shard: stream-window --sliding, every aggregate, N = 3 and 7 shards by .user" {
	window_sharded 3 .user --sliding 10s --by .user "${AGGS[@]}" --lateness 5s
	window_sharded 7 .user --sliding 10s --by .user "${AGGS[@]}" --lateness 5s
}

@test "shard: stream-window --count, every aggregate, N = 3 shards by .user" {
	# count windows follow arrival order per key, which a shard keeps
	window_sharded 3 .user --count 5 --by .user "${AGGS[@]}" --lateness 5s
}

@test "shard: stream-window --emit update: the same updates, N = 4 shards by .user" {
	window_sharded 4 .user --tumbling 10s --emit update --by .user "${AGGS[@]}" --lateness 5s
}

@test "shard: stream-window --by .user --by .event, N = 4 shards by '[.user, .event]' and N = 3 by .user" {
	window_sharded 4 '[.user, .event]' --tumbling 10s --by .user --by .event "${AGGS[@]}" --lateness 5s
	window_sharded 4 '[.user, .event]' --session 2s --by .user --by .event "${AGGS[@]}" --lateness 5s
	# a coarser shard key (a function of the group) works too
	window_sharded 3 .user --tumbling 10s --by .user --by .event "${AGGS[@]}" --lateness 5s
}

@test "shard: stream-window --by .geo.country, N = 3 shards by .geo.country" {
	window_sharded 3 .geo.country --hopping 30s --every 10s --by .geo.country "${AGGS[@]}" --lateness 5s
}

@test "shard: late records: a shard's watermark lags, so it drops a subset of what one process drops" {
	# with --lateness 0 the one process finds many records late; each
	# shard, whose watermark only moves with its own records, finds late
	# only records that the one process also found late, and fewer
	stream-window --tumbling 10s --by .user --late one.late --stats "$DATA" >one 2>one.err
	late1=$(stat late one.err)
	test "$late1" -gt 100
	shard_files 4 .user "$DATA" s
	: >shards.late
	lates=0
	for i in 0 1 2 3; do
		stream-window --tumbling 10s --by .user --late "l.$i" --stats "s.$i" >"w.$i" 2>"w.$i.err"
		lates=$((lates + $(stat late "w.$i.err")))
		jq -r .raw "l.$i" >>shards.late
	done
	test "$lates" -lt "$late1"
	assert_equal "$(lines_in shards.late)" "$lates"
	jq -r .raw one.late | sort >one.late.raw
	sort shards.late >shards.late.sorted
	run comm -13 one.late.raw shards.late.sorted
	assert_output ''
	# so the results differ: the shards aggregate more records
	cat w.0 w.1 w.2 w.3 | jq -s 'map(.count) | add' >n.shards
	jq -s 'map(.count) | add' one >n.one
	assert_equal "$(cat n.shards)" "$((3000 - lates))"
	assert_equal "$(cat n.one)" "$((3000 - late1))"
}

# ---------------------------------------------------------------------------
# stream-join --table: events sharded by the join key, each shard joined
# with the whole table

@test "shard: stream-join --table --on .user: N = 1, 3, 7 shards, each with the whole table" {
	table_sharded 1 --table "$USERS" --on .user
	table_sharded 3 --table "$USERS" --on .user
	table_sharded 7 --table "$USERS" --on .user
}

@test "shard: stream-join --table --left --tombstone --into: N = 4 shards" {
	table_sharded 4 --table "$USERS" --on .user --left
	assert_equal "$(lines_in union)" 3000
	table_sharded 4 --table "$USERS" --on .user --tombstone .deleted --left
	table_sharded 4 --table "$USERS" --on .user --tombstone .deleted --into u
	table_sharded 4 --table "$USERS" --on .user --tombstone .deleted --into u --left
}

# ---------------------------------------------------------------------------
# stream-join --with: both streams sharded by the same key, shard i with
# shard i (--lateness 1s: each side is at most 400 ms out of order)

@test "shard: stream-join --with --within (inner): N = 1, 2, 3, 7 shards of both sides by .id" {
	for n in 1 2 3 7; do
		interval_sharded "$n" "$REQ" "$RESP" .id .id --on .id --within 1s --lateness 1s
	done
	run kinds union
	read -r p l r <<<"$output"
	test "$p" -gt 1000
	assert_equal "$l $r" "0 0"
}

@test "shard: stream-join --with --left: N = 3 and 4 shards; unmatched requests once" {
	interval_sharded 3 "$REQ" "$RESP" .id .id --on .id --within 1s --left --lateness 1s
	interval_sharded 4 "$REQ" "$RESP" .id .id --on .id --within 1s --left --lateness 1s
	run kinds union
	read -r p l r <<<"$output"
	test "$l" -gt 100
	assert_equal "$r" 0
}

@test "shard: stream-join --with --outer: N = 2, 4, 7 shards; unmatched on both sides once (responses without id too)" {
	for n in 2 4 7; do
		interval_sharded "$n" "$REQ" "$RESP" .id .id --on .id --within 1s --outer --lateness 1s
	done
	run kinds union
	read -r p l r <<<"$output"
	test "$l" -gt 100
	test "$r" -gt 50
	# the responses without id (null key) are unmatched, once each
	run jq -c 'select(.left == null and (.right | has("id") | not)) | .right' union
	assert_equal "${#lines[@]}" "$(jq -c 'select(has("id") | not)' "$RESP" | wc -l)"
}

@test "shard: stream-join --with --before --after --outer: N = 3 shards" {
	interval_sharded 3 "$REQ" "$RESP" .id .id --on .id --before 200ms --after 3500ms --outer --lateness 1s
}

@test "shard: stream-join --with-on: left sharded by .id, right by .req, N = 4, --outer" {
	interval_sharded 4 "$REQ" "$RESP2" .id .req --on .id --with-on .req --within 1s --outer --lateness 1s
}

# ---------------------------------------------------------------------------
# The shard key is the key of the tools: numbers spelled differently, and
# integers above 2^53 (kept exact: 9007199254740993 is not
# 9007199254740992, but 9007199254740993.0 is a double, so it is), group
# and join in one process exactly as the shards split them

@test "shard: equal and unequal numeric keys (1, 1.0, 1e0, \"1\", 2^53 + 1, 2^53 + 1.0) window and join sharded as in one process" {
	ids=(1 1.0 1e0 10e-1 '"1"' 9007199254740992 9007199254740993 9007199254740993.0
	    9007199254740992.0 90071992547409930e-1 123456789012345678901234567890
	    123456789012345678901234567890.0 -0 0 0.0 null)
	: >left
	: >right
	s=0
	for rep in 1 2 3; do
		for id in "${ids[@]}"; do
			s=$((s + 1))
			printf '{"ts":"2026-11-25T10:00:%02dZ","id":%s,"s":%d}\n' "$((s % 50))" "$id" "$s" >>left
			printf '{"ts":"2026-11-25T10:00:%02dZ","id":%s,"r":%d}\n' "$(((s + 7) % 50))" "$id" "$s" >>right
		done
	done
	# a table has no rows without key; the latest row of a key wins
	grep -v '"id":null' right >table
	for n in 2 3 5 7; do
		IN=left MIN=5 window_sharded "$n" .id --tumbling 1m --by .id --agg count \
		    --agg 'collect(.s)' --agg 'sum(.s)' --lateness 1m
		MIN=5 interval_sharded "$n" left right .id .id --on .id --within 30s --outer --lateness 1m
		MIN=5 table_sharded_file "$n" left table
	done
}

# ---------------------------------------------------------------------------
# stream-alert: rules keyed by .user, N shards by .user give the alerts of
# one process.  Each type's judgement of a key depends on that key's
# records and on event time alone, except at the edges of the input:
# absence is judged up to the last event time a process saw, and learn:
# counts from its first record, which differ per shard; those two are
# left out here.  The events are in time order: with disorder, whether
# cardinality's resolution at a value's expiry (which the watermark
# decides) comes before or after a late-ish record of the same key
# arrives depends on the other keys' records too, so a shard can see one
# resolve-and-fire pair fewer than one process.

alert_sharded() {
	local n=$1 i data=$BATS_FILE_TMPDIR/ordered.ndjson
	test -s "$data" || gen -n 3000 --seed 7 --rate 50 >"$data"
	stream-alert -r "$BATS_FILE_TMPDIR/keyed.yaml" --lateness 5s --stats \
	    "$data" >one 2>one.err ||
	    fail "stream-alert failed: $(cat one.err)"
	assert_equal "$(stat late one.err)" 0
	test "$(lines_in one)" -ge 20 ||
	    fail "only $(lines_in one) alerts from one process"
	shard_files "$n" .user "$data" s
	: >union
	for ((i = 0; i < n; i++)); do
		stream-alert -r "$BATS_FILE_TMPDIR/keyed.yaml" --lateness 5s \
		    --stats "s.$i" >"a.$i" 2>"a.$i.err" ||
		    fail "stream-alert on shard $i/$n failed: $(cat "a.$i.err")"
		assert_equal "$(stat late "a.$i.err")" 0
		cat "a.$i" >>union
	done
	same_sorted one union
}

@test "shard: stream-alert, eight rule types by .user: N = 1, 3, 7 shards" {
	cat >"$BATS_FILE_TMPDIR/keyed.yaml" <<'RULES'
rules:
  - {name: m, type: match, where: '.status == 503', by: .user,
     cooldown: 5s}
  - {name: f, type: frequency, where: '.status >= 500', by: .user,
     window: 10s, threshold: 3}
  - {name: t, type: threshold, by: .user, agg: 'max(.latency_ms)',
     window: 10s, threshold: 150, for: 10s}
  - {name: c, type: cardinality, by: .user, field: .path, window: 20s,
     threshold: 8}
  - {name: s, type: sequence, by: .user, window: 10s, steps: [
     {where: '.event == "login_failed"'}, {where: '.event == "login"'}]}
  - {name: p, type: spike, by: .user, window: 10s, factor: 2}
  - {name: g, type: change, by: .user, field: .geo.country}
  - {name: n, type: new_value, by: .user, field: .ua}
RULES
	alert_sharded 1
	alert_sharded 3
	alert_sharded 7
}
