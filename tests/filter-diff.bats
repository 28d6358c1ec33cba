#!/usr/bin/env bats
# stream-filter against jq 1.6: for each program, on 2000 generated events
# (ids below 2^53, so that jq does not round them), stream-filter must give
# the outputs jq gives, in the same order, and reject as bad records
# exactly the records on which jq stops with an error, with jq's message.
#
# Outputs are compared as values, both sides through "jq -c ." (key order
# is not normalised: no -S), and then as bytes: each line must be exactly
# what jq -c printed, or else an input record passed through unchanged,
# which keeps its own spelling (43.0 where jq prints 43).
# jq stops at the first error, so the expected side runs the program on
# each record inside try/catch, and turns an error into a marker that
# carries the record's line number and jq's message.

load helper

setup_file() {
	python3 "$ROOT/scripts/gen-events" -n 2000 --safe-ints --seed 42 \
	    >"$BATS_FILE_TMPDIR/events"
}

# same_as_jq PROGRAM [OPTION...] -- stream-filter -c OPTION... PROGRAM and
# jq -c OPTION... PROGRAM agree on the events (see above)
same_as_jq() {
	local prog=$1 ev=$BATS_FILE_TMPDIR/events st=0
	shift

	jq -c -n "$@" "foreach inputs as \$__r (0; . + 1; . as \$__n | \$__r |
	    try ($prog) catch {\"__error__\": \$__n, \"msg\": .})" "$ev" >jq.all
	jq -c 'if type == "object" and has("__error__") then empty else . end' \
	    jq.all >expect.out
	jq -c 'select(type == "object" and has("__error__")) |
	    {line: .__error__, error: .msg}' jq.all >expect.err

	stream-filter -c --on-error skip --stats --dead-letter dl "$@" "$prog" \
	    "$ev" >sf.out 2>sf.err || st=$?
	test "$st" -eq 0 || fail "stream-filter exit status $st: $(head -n 5 sf.err)"
	test "$(lines_in sf.err)" -eq 1 ||
	    fail "stderr is not just the stats line: $(head -n 5 sf.err)"
	jq -c . sf.out >got.out ||
	    fail "stream-filter wrote something that is not JSON"
	touch dl
	jq -c '{line, error}' dl >got.err

	if ! cmp -s expect.out got.out; then
		diff -u expect.out got.out | head -n 30 |
		    batslib_decorate "outputs differ for: $prog" | fail
	fi
	run awk 'FILENAME == ARGV[1] { rec[$0] = 1; next }
	    FILENAME == ARGV[2] { want[FNR] = $0; next }
	    $0 != want[FNR] && !($0 in rec) {
		print "line " FNR ": " $0; print "jq -c:  " want[FNR]; bad++ }
	    END { exit bad > 0 }' "$ev" expect.out sf.out
	if test "$status" -ne 0; then
		printf '%s\n' "${lines[@]:0:10}" |
		    batslib_decorate "not as jq -c prints, nor a record: $prog" | fail
	fi
	if ! cmp -s expect.err got.err; then
		diff -u expect.err got.err | head -n 30 |
		    batslib_decorate "bad records differ for: $prog" | fail
	fi
	run jq -c '[.in, .out, .bad]' sf.err
	assert_output "[2000,$(lines_in sf.out),$(lines_in expect.err)]"
}

# --- forms the scanner runs alone (fast path) -------------------------------

@test "jq: ." { same_as_jq '.'; }
@test "jq: .user" { same_as_jq '.user'; }
@test "jq: .geo.country" { same_as_jq '.geo.country'; }
@test "jq: .geo" { same_as_jq '.geo'; }
@test "jq: .geo.city" { same_as_jq '.geo.city'; }
@test "jq: .missing.deeper" { same_as_jq '.missing.deeper'; }
@test "jq: {ts,user,status}" { same_as_jq '{ts,user,status}'; }
@test "jq: {u: .user, c: .geo.country}" { same_as_jq '{u: .user, c: .geo.country}'; }
@test "jq: {\"the user\": .user, id, geo}" { same_as_jq '{"the user": .user, id, geo}'; }
@test "jq: select(.status>=500)" { same_as_jq 'select(.status>=500)'; }
@test "jq: select(.status == 200 and .event != \"view\")" { same_as_jq 'select(.status == 200 and .event != "view")'; }
@test "jq: select(.user|startswith(\"a\"))" { same_as_jq 'select(.user|startswith("a"))'; }
@test "jq: select(.path|endswith(\".js\"))" { same_as_jq 'select(.path|endswith(".js"))'; }
@test "jq: select(has(\"geo\"))" { same_as_jq 'select(has("geo"))'; }
@test "jq: select(.geo|has(\"city\"))" { same_as_jq 'select(.geo|has("city"))'; }
@test "jq: select(.geo.country == \"DE\" or .latency_ms > 100)" { same_as_jq 'select(.geo.country == "DE" or .latency_ms > 100)'; }
@test "jq: select((.status < 300) | not)" { same_as_jq 'select((.status < 300) | not)'; }
@test "jq: select(.geo == null)" { same_as_jq 'select(.geo == null)'; }
@test "jq: select(.status != null)" { same_as_jq 'select(.status != null)'; }
@test "jq: select(.user < \"c\")" { same_as_jq 'select(.user < "c")'; }
@test "jq: select(.latency_ms <= 10.5)" { same_as_jq 'select(.latency_ms <= 10.5)'; }
@test "jq: select(.latency_ms) (truthiness)" { same_as_jq 'select(.latency_ms)'; }
@test "jq: select(200 == .status) (constant first)" { same_as_jq 'select(200 == .status)'; }
@test "jq: select(.status == 200.0)" { same_as_jq 'select(.status == 200.0)'; }
@test "jq: select(.geo.country > null)" { same_as_jq 'select(.geo.country > null)'; }
@test "jq: select(.status >= 400 and .status < 500 or .latency_ms > 500)" { same_as_jq 'select(.status >= 400 and .status < 500 or .latency_ms > 500)'; }
@test "jq: select(.bytes > 10000) | {user, bytes}" { same_as_jq 'select(.bytes > 10000) | {user, bytes}'; }
@test "jq: select(.event == \"login_failed\") | .ip" { same_as_jq 'select(.event == "login_failed") | .ip'; }
@test "jq: select(.event == \"purchase\") | select(.bytes > 5000)" { same_as_jq 'select(.event == "purchase") | select(.bytes > 5000)'; }
@test "jq: .geo.country | select(. == \"DE\")" { same_as_jq '.geo.country | select(. == "DE")'; }
@test "jq: .status > 300 (a condition as output)" { same_as_jq '.status > 300'; }
@test "jq: select(.geo.country != \"US\" and .geo.country != \"DE\")" { same_as_jq 'select(.geo.country != "US" and .geo.country != "DE")'; }
@test "jq: select(.user == \"alice\" or .user == \"bob\") | {ts, event}" { same_as_jq 'select(.user == "alice" or .user == "bob") | {ts, event}'; }
@test "jq: .ip|startswith(\"10.2\")" { same_as_jq '.ip|startswith("10.2")'; }
@test "jq: select(.ua|startswith(\"curl\"))" { same_as_jq 'select(.ua|startswith("curl"))'; }
@test "jq: select(.geo.city == \"S\\u00e3o Paulo\")" { same_as_jq 'select(.geo.city == "S\u00e3o Paulo")'; }
@test "jq: select(.user == null)" { same_as_jq 'select(.user == null)'; }
@test "jq: select(.status|not)" { same_as_jq 'select(.status|not)'; }

# --- programs that run in libjq ----------------------------------------------

@test "jq: .[]" { same_as_jq '.[]'; }
@test "jq: keys" { same_as_jq 'keys'; }
@test "jq: to_entries" { same_as_jq 'to_entries'; }
@test "jq: .latency_ms * 2" { same_as_jq '.latency_ms * 2'; }
@test "jq: select(.user|test(\"^b\"))" { same_as_jq 'select(.user|test("^b"))'; }
@test "jq: {user, kb: (.bytes/1024|floor)}" { same_as_jq '{user, kb: (.bytes/1024|floor)}'; }
@test "jq: .geo.country // \"none\"" { same_as_jq '.geo.country // "none"'; }
@test "jq: [.user, .status]" { same_as_jq '[.user, .status]'; }
@test "jq: if .status >= 400 then \"err\" else \"ok\" end" { same_as_jq 'if .status >= 400 then "err" else "ok" end'; }
@test "jq: .ts | split(\"T\")[0]" { same_as_jq '.ts | split("T")[0]'; }
@test "jq: select(.id % 2 == 0) | .id" { same_as_jq 'select(.id % 2 == 0) | .id'; }
@test "jq: .user, .event (two outputs)" { same_as_jq '.user, .event'; }
@test "jq: select(.user == \"alice\") | ., . (the record twice)" { same_as_jq 'select(.user == "alice") | ., .'; }
@test "jq: [.user, \$x] with --arg x" { same_as_jq '[.user, $x]' --arg x hello; }
@test "jq: select(.event == \$e) with --arg e" { same_as_jq 'select(.event == $e)' --arg e login; }
@test "jq: select(.latency_ms > \$lim) with --argjson" { same_as_jq 'select(.latency_ms > $lim)' --argjson lim 100; }
@test "jq: {status, name: \$m[.status|tostring]} with --argjson" { same_as_jq '{status, name: $m[.status|tostring]}' --argjson m '{"200":"ok","404":"not found"}'; }
@test "jq: .status + \"x\" (an error on every record)" { same_as_jq '.status + "x"'; }
@test "jq: .geo.country.x (error on strings)" { same_as_jq '.geo.country.x'; }
@test "jq: .geo[] (error on null)" { same_as_jq '.geo[]'; }
@test "jq: .latency_ms | floor" { same_as_jq '.latency_ms | floor'; }
@test "jq: .user | ascii_upcase" { same_as_jq '.user | ascii_upcase'; }
@test "jq: tostring" { same_as_jq 'tostring'; }
@test "jq: length" { same_as_jq 'length'; }
@test "jq: del(.geo)" { same_as_jq 'del(.geo)'; }
@test "jq: .bytes |= . + 1" { same_as_jq '.bytes |= . + 1'; }
@test "jq: .path | ltrimstr(\"/api/v1/\")" { same_as_jq '.path | ltrimstr("/api/v1/")'; }
@test "jq: [.geo[]?]" { same_as_jq '[.geo[]?]'; }
@test "jq: with_entries(select(.value|type == \"string\"))" { same_as_jq 'with_entries(select(.value|type == "string"))'; }
@test "jq: {(.event): .status}" { same_as_jq '{(.event): .status}'; }
@test "jq: reduce .[] as \$v (0; . + 1)" { same_as_jq 'reduce .[] as $v (0; . + 1)'; }
@test "jq: .ts[0:19] + \"Z\" | fromdateiso8601" { same_as_jq '.ts[0:19] + "Z" | fromdateiso8601'; }
@test "jq: if .status >= 500 then error(\"boom \\(.id)\") else empty end" { same_as_jq 'if .status >= 500 then error("boom \(.id)") else empty end'; }
# libjq 1.6 leaks the values limit/2 breaks away from (the jq 1.6 binary
# leaks the same under valgrind), so LeakSanitizer is off for this one.
@test "jq: [limit(2; .[])]" {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    same_as_jq '[limit(2; .[])]'
}
@test "jq: .id | tostring | length" { same_as_jq '.id | tostring | length'; }
@test "jq: select(.bytes == 0) | {id, status}" { same_as_jq 'select(.bytes == 0) | {id, status}'; }
@test "jq: .latency_ms / .bytes (division by zero)" { same_as_jq '.latency_ms / .bytes'; }
@test "jq: .geo |= (. // {}) | .geo.country" { same_as_jq '.geo |= (. // {}) | .geo.country'; }
@test "jq: .user | @base64" { same_as_jq '.user | @base64'; }
@test "jq: select(.status == (500, 502, 503))" { same_as_jq 'select(.status == (500, 502, 503))'; }
@test "jq: .geo | to_entries | map(.value) | join(\",\")" { same_as_jq '.geo | to_entries | map(.value) | join(",")'; }
@test "jq: .ua | split(\"/\") | {agent: .[0], version: .[1]}" { same_as_jq '.ua | split("/") | {agent: .[0], version: .[1]}'; }

# A select the scanner judges in front of a libjq program: only the
# records that pass reach libjq, and the results must not change.
@test "jq: select(.status >= 500) | {user, kb: (.bytes/1024|floor)} (scanner select before libjq)" { same_as_jq 'select(.status >= 500) | {user, kb: (.bytes/1024|floor)}'; }
@test "jq: select(.geo.country == \"DE\") | .geo | to_entries (scanner select before libjq)" { same_as_jq 'select(.geo.country == "DE") | .geo | to_entries'; }
@test "jq: select(.user.x == 1) | keys (a scanner select that errors)" { same_as_jq 'select(.user.x == 1) | keys'; }
@test "jq: select(.status == 200) |= . (no split at |=)" { same_as_jq 'select(.status == 200) |= .'; }
