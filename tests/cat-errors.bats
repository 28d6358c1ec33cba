#!/usr/bin/env bats
# stream-cat(1), BAD INPUT and usage errors: each kind of bad record of
# each format, between two good ones, under --on-error warn, skip and
# fail, and in the --dead-letter file; then the faults that need more than
# one line (CSV and JSON values that span lines, resynchronisation); then
# the usage errors (exit 2).

load helper

# Each case_* function describes one kind of bad record:
#   FMT        the --format (default ndjson)
#   HEAD       for csv and tsv, the header row (printf %b), line 1 of ./in
#   GOOD1, GOOD3  the good lines before and after the bad one (printf %s)
#   OUT1, OUT3    the records they become (default: GOOD1, GOOD3 as they
#              are, for ndjson)
#   BAD        the bad line, as a printf %b format
#   MSG        the message expected after "stream-cat: <stdin>:LINE: ",
#              where LINE is the bad line's number (2, or 3 after HEAD)
#   MSG_RE     instead of MSG: an extended regular expression for it
#   OPTS       extra options, an array
#   RAWMAX     when set, the dead letter keeps only this many bytes
defaults() {
	FMT=ndjson
	HEAD=
	GOOD1='{"n":1, "v":1.50}'
	GOOD3='{"n":3,"id":9007199254740993}'
	OUT1=
	OUT3=
	MSG=
	MSG_RE=
	OPTS=()
	RAWMAX=
}

# --- ndjson

case_invalid_json() {
	defaults
	BAD='{"a":x}'
	MSG="invalid JSON at column 6: unexpected 'x'"
}

case_truncated() {
	defaults
	BAD='{"ts":"2026-11-25T10:00:00Z","user":"al'
	MSG='invalid JSON at column 40: unexpected end of input'
}

case_binary() {
	defaults
	BAD='\x89PNG\r\x1a\x00\xff\xfe\x01\x02garbage'
	MSG="invalid JSON at column 1: invalid UTF-8 byte '\\x89'"
}

case_latin1() {
	defaults
	BAD='{"name":"caf\xe9"}'
	MSG="invalid JSON at column 13: invalid UTF-8 byte '\\xE9'"
}

case_max_line() {
	defaults
	OPTS=(--max-line 64)
	BAD='{"s":"0123456789012345678901234567890123456789012345678901234567"}'
	MSG='line longer than --max-line (64 bytes)'
	RAWMAX=64
}

# --- json

json_defaults() {
	defaults
	FMT=json
	OUT1='{"n":1,"v":1.50}'
}

case_json_invalid() {
	json_defaults
	BAD='{"a":x}'
	MSG="invalid JSON at column 6: unexpected 'x'"
}

case_json_stray() {
	json_defaults
	BAD=']'
	MSG="unexpected ']'"
}

case_json_mismatch() {
	json_defaults
	BAD='{"a":[1}'
	MSG="unexpected '}'"
}

case_json_latin1() {
	json_defaults
	BAD='{"name":"caf\xe9"}'
	MSG="invalid JSON at column 13: invalid UTF-8 byte '\\xE9'"
}

case_json_max_line() {
	json_defaults
	OPTS=(--max-line 64)
	BAD='{"s":"0123456789012345678901234567890123456789012345678901234567"}'
	MSG='value longer than --max-line'
	RAWMAX=64
}

# --- lines

lines_defaults() {
	defaults
	FMT=lines
	GOOD1='first line'
	GOOD3='third "line"'
	OUT1='{"line":"first line"}'
	OUT3='{"line":"third \"line\""}'
}

case_lines_latin1() {
	lines_defaults
	BAD='caf\xe9 au lait'
	MSG='invalid UTF-8'
}

case_lines_binary() {
	lines_defaults
	BAD='\x89PNG\r\x1a\x00\xff\xfe\x01\x02garbage'
	MSG='invalid UTF-8'
}

case_lines_max_line() {
	lines_defaults
	OPTS=(--max-line 64)
	BAD='0123456789012345678901234567890123456789012345678901234567890123456789'
	MSG='line longer than --max-line (64 bytes)'
	RAWMAX=64
}

# --- logfmt

logfmt_defaults() {
	defaults
	FMT=logfmt
	GOOD1='level=info n=1 msg="a b"'
	GOOD3='level=warn n=3 id=9007199254740993'
	OUT1='{"level":"info","n":1,"msg":"a b"}'
	OUT3='{"level":"warn","n":3,"id":9007199254740993}'
}

case_logfmt_unterminated() {
	logfmt_defaults
	BAD='level=info msg="unterminated n=2'
	# the exact wording is checked below, where it is a known bug
	MSG_RE='^at column 16: unterminated quote.*'
}

case_logfmt_bad_escape() {
	logfmt_defaults
	BAD='level=info msg="bad \\q escape" n=2'
	MSG='at column 21: invalid escape'
}

case_logfmt_bad_unicode_escape() {
	logfmt_defaults
	BAD='msg="x\\u12G4" n=2'
	MSG='at column 7: invalid escape'
}

case_logfmt_no_key() {
	logfmt_defaults
	BAD='level=info =2'
	MSG="at column 12: '=' with no key"
}

case_logfmt_quote_in_bare() {
	logfmt_defaults
	BAD='level=info user=bo"b'
	MSG="at column 19: unexpected '\"'"
}

case_logfmt_latin1() {
	logfmt_defaults
	BAD='level=info name=caf\xe9'
	MSG='at column 20: invalid UTF-8'
}

case_logfmt_binary() {
	logfmt_defaults
	BAD='\x89PNG\r\x1a\x00\xff\xfe\x01\x02garbage'
	MSG='at column 1: invalid UTF-8'
}

case_logfmt_max_line() {
	logfmt_defaults
	OPTS=(--max-line 64)
	BAD='msg=0123456789012345678901234567890123456789012345678901234567890123456789'
	MSG='line longer than --max-line (64 bytes)'
	RAWMAX=64
}

# --- csv

csv_defaults() {
	defaults
	FMT=csv
	HEAD='id,name,amount'
	GOOD1='1,"Smith, Ann",12.50'
	GOOD3='3,Eve,9007199254740993'
	OUT1='{"id":1,"name":"Smith, Ann","amount":12.50}'
	OUT3='{"id":3,"name":"Eve","amount":9007199254740993}'
}

case_csv_too_many() {
	csv_defaults
	BAD='2,Bob,7,extra'
	MSG='4 fields, the header has 3'
}

case_csv_too_few() {
	csv_defaults
	BAD='2,Bob'
	MSG='2 fields, the header has 3'
}

case_csv_quote_in_field() {
	csv_defaults
	BAD='2,Bo"b,7'
	MSG="at column 5: '\"' in an unquoted field"
}

case_csv_text_after_quote() {
	csv_defaults
	BAD='2,"Bob"x,7'
	MSG='at column 8: text after a closing quote'
}

case_csv_latin1() {
	csv_defaults
	BAD='2,caf\xe9,7'
	MSG='at column 6: invalid UTF-8'
}

case_csv_binary() {
	csv_defaults
	BAD='\x89PNG\r\x1a\x00\xff\xfe\x01\x02garbage'
	MSG='at column 1: invalid UTF-8'
}

case_csv_max_line() {
	csv_defaults
	OPTS=(--max-line 64)
	BAD='2,0123456789012345678901234567890123456789012345678901234567890123456789,7'
	MSG='line longer than --max-line (64 bytes)'
	RAWMAX=64
}

# --- tsv

tsv_defaults() {
	defaults
	FMT=tsv
	HEAD='id\tname'
	GOOD1='1\tAnn'
	GOOD3='3\tEve'
	OUT1='{"id":1,"name":"Ann"}'
	OUT3='{"id":3,"name":"Eve"}'
}

case_tsv_arity() {
	tsv_defaults
	BAD='2\tBob\t7'
	MSG='3 fields, the header has 2'
}

case_tsv_latin1() {
	tsv_defaults
	BAD='2\tcaf\xe9'
	MSG='at column 6: invalid UTF-8'
}

# --- records that decode but cannot be used

case_add_source_array() {
	defaults
	OPTS=(--add-source src)
	OUT1='{"n":1, "v":1.50,"src":"<stdin>"}'
	OUT3='{"n":3,"id":9007199254740993,"src":"<stdin>"}'
	BAD='[1,2]'
	MSG='--add-source needs an object record'
}

case_merge_no_time() {
	defaults
	OPTS=(--merge)
	GOOD1='{"n":1,"ts":"2026-11-25T10:00:00Z"}'
	GOOD3='{"n":3,"ts":1795600800.5}'
	BAD='{"n":2,"ts":"at noon"}'
	MSG_RE='^no usable time: .+'
}

case_replay_no_time() {
	defaults
	OPTS=(--replay)
	GOOD1='{"n":1,"ts":"2026-11-25T10:00:00Z"}'
	GOOD3='{"n":3,"ts":1795600800}'
	BAD='{"n":2}'
	MSG_RE='^no usable time: .+'
}

# make_input -- ./in: HEAD, GOOD1, BAD, GOOD3; ./expect: the records out;
# LINE: the bad line's number
make_input() {
	{
		test -z "$HEAD" || printf '%b\n' "$HEAD"
		printf '%b\n' "$GOOD1"
		printf '%b\n' "$BAD"
		printf '%b\n' "$GOOD3"
	} >in
	printf '%s\n' "${OUT1:-$GOOD1}" "${OUT3:-$GOOD3}" >expect
	LINE=2
	test -z "$HEAD" || LINE=3
}

# run_cat ARGS... -- stream-cat with the case's format and options
run_cat() {
	run --separate-stderr stream-cat --format "$FMT" "${OPTS[@]}" "$@"
}

# assert_message -- $stderr is the one message for the bad line
assert_message() {
	if test -n "$MSG_RE"; then
		assert_stderr --regexp "^stream-cat: <stdin>:$LINE: ${MSG_RE#^}\$"
		assert_equal "${#stderr_lines[@]}" 1
	else
		assert_stderr "stream-cat: <stdin>:$LINE: $MSG"
	fi
}

check_warn() {
	make_input
	run_cat --on-error warn <in
	assert_success
	assert_output "$(cat expect)"
	assert_message
	# and warn is the default
	run_cat <in
	assert_success
	assert_output "$(cat expect)"
	assert_message
	stream-cat --format "$FMT" "${OPTS[@]}" <in >out 2>/dev/null
	assert_same_bytes expect out
}

check_skip() {
	make_input
	run_cat --on-error skip <in
	assert_success
	assert_output "$(cat expect)"
	assert_stderr ''
	run_cat --on-error skip --stats <in
	run jq -c '[.in, .out, .bad]' <<<"$stderr"
	assert_output '[3,2,1]'
}

check_fail() {
	make_input
	run_cat --on-error fail <in
	assert_failure 1
	assert_output "${OUT1:-$GOOD1}"
	assert_message
}

# expected_dead LINE MSG SOURCE [RAWMAX] -- the dead-letter line for line
# LINE of ./in, built independently with Python's json and base64
expected_dead() {
	python3 - "$@" <<-'EOF'
	import base64, json, sys
	n, msg, src = int(sys.argv[1]), sys.argv[2], sys.argv[3]
	raw = open("in", "rb").read().split(b"\n")[n - 1]
	if raw.endswith(b"\r"):
	    raw = raw[:-1]
	if len(sys.argv) > 4 and sys.argv[4]:
	    raw = raw[:int(sys.argv[4])]
	d = {"error": msg, "source": src, "line": n}
	try:
	    d["raw"] = raw.decode("utf-8")
	except UnicodeDecodeError:
	    d["raw_base64"] = base64.b64encode(raw).decode("ascii")
	print(json.dumps(d, ensure_ascii=False, separators=(",", ":")))
	EOF
}

check_dead_letter() {
	make_input
	run_cat --on-error skip --dead-letter dl <in
	assert_success
	assert_output "$(cat expect)"
	assert_file_exists dl
	assert_equal "$(lines_in dl)" 1
	if test -n "$MSG_RE"; then
		run jq -r .error dl
		assert_output --regexp "$MSG_RE"
		run jq -c 'del(.error)' dl
		assert_output "$(expected_dead "$LINE" x '<stdin>' "$RAWMAX" |
		    jq -c 'del(.error)')"
	else
		run cat dl
		assert_output "$(expected_dead "$LINE" "$MSG" '<stdin>' "$RAWMAX")"
	fi
}

# ---------------------------------------------------------------------------
# ndjson

@test "ndjson, invalid JSON, warn: skipped with a message" { case_invalid_json; check_warn; }
@test "ndjson, invalid JSON, skip: skipped silently, counted" { case_invalid_json; check_skip; }
@test "ndjson, invalid JSON, fail: exit 1 after the earlier output" { case_invalid_json; check_fail; }
@test "ndjson, invalid JSON, dead letter: raw line kept" { case_invalid_json; check_dead_letter; }

@test "ndjson, truncated line, warn: skipped with a message" { case_truncated; check_warn; }
@test "ndjson, truncated line, skip: skipped silently, counted" { case_truncated; check_skip; }
@test "ndjson, truncated line, fail: exit 1 after the earlier output" { case_truncated; check_fail; }
@test "ndjson, truncated line, dead letter: raw line kept" { case_truncated; check_dead_letter; }

@test "ndjson, binary garbage, warn: skipped with a message" { case_binary; check_warn; }
@test "ndjson, binary garbage, skip: skipped silently, counted" { case_binary; check_skip; }
@test "ndjson, binary garbage, fail: exit 1 after the earlier output" { case_binary; check_fail; }
@test "ndjson, binary garbage, dead letter: raw_base64" { case_binary; check_dead_letter; }

@test "ndjson, invalid UTF-8, warn: skipped with a message" { case_latin1; check_warn; }
@test "ndjson, invalid UTF-8, skip: skipped silently, counted" { case_latin1; check_skip; }
@test "ndjson, invalid UTF-8, fail: exit 1 after the earlier output" { case_latin1; check_fail; }
@test "ndjson, invalid UTF-8, dead letter: raw_base64" { case_latin1; check_dead_letter; }

@test "ndjson, line over --max-line, warn: skipped with a message" { case_max_line; check_warn; }
@test "ndjson, line over --max-line, skip: skipped silently, counted" { case_max_line; check_skip; }
@test "ndjson, line over --max-line, fail: exit 1 after the earlier output" { case_max_line; check_fail; }
@test "ndjson, line over --max-line, dead letter: its first SIZE bytes" { case_max_line; check_dead_letter; }

# ---------------------------------------------------------------------------
# json

@test "json, invalid value, warn: skipped with a message" { case_json_invalid; check_warn; }
@test "json, invalid value, skip: skipped silently, counted" { case_json_invalid; check_skip; }
@test "json, invalid value, fail: exit 1 after the earlier output" { case_json_invalid; check_fail; }
@test "json, invalid value, dead letter: raw value kept" { case_json_invalid; check_dead_letter; }

@test "json, stray ']', warn: skipped with a message" { case_json_stray; check_warn; }
@test "json, stray ']', skip: skipped silently, counted" { case_json_stray; check_skip; }
@test "json, stray ']', fail: exit 1 after the earlier output" { case_json_stray; check_fail; }
@test "json, stray ']', dead letter: raw kept" { case_json_stray; check_dead_letter; }

@test "json, mismatched bracket, warn: skipped with a message" { case_json_mismatch; check_warn; }
@test "json, mismatched bracket, skip: skipped silently, counted" { case_json_mismatch; check_skip; }
@test "json, mismatched bracket, fail: exit 1 after the earlier output" { case_json_mismatch; check_fail; }
@test "json, mismatched bracket, dead letter: raw as far as read" { case_json_mismatch; check_dead_letter; }

@test "json, invalid UTF-8, warn: skipped with a message" { case_json_latin1; check_warn; }
@test "json, invalid UTF-8, skip: skipped silently, counted" { case_json_latin1; check_skip; }
@test "json, invalid UTF-8, fail: exit 1 after the earlier output" { case_json_latin1; check_fail; }
@test "json, invalid UTF-8, dead letter: raw_base64" { case_json_latin1; check_dead_letter; }

@test "json, value over --max-line, warn: skipped with a message" { case_json_max_line; check_warn; }
@test "json, value over --max-line, skip: skipped silently, counted" { case_json_max_line; check_skip; }
@test "json, value over --max-line, fail: exit 1 after the earlier output" { case_json_max_line; check_fail; }
@test "json, value over --max-line, dead letter: its first SIZE bytes" { case_json_max_line; check_dead_letter; }

# ---------------------------------------------------------------------------
# lines

@test "lines, invalid UTF-8, warn: skipped with a message" { case_lines_latin1; check_warn; }
@test "lines, invalid UTF-8, skip: skipped silently, counted" { case_lines_latin1; check_skip; }
@test "lines, invalid UTF-8, fail: exit 1 after the earlier output" { case_lines_latin1; check_fail; }
@test "lines, invalid UTF-8, dead letter: raw_base64" { case_lines_latin1; check_dead_letter; }

@test "lines, binary garbage, warn: skipped with a message" { case_lines_binary; check_warn; }
@test "lines, binary garbage, skip: skipped silently, counted" { case_lines_binary; check_skip; }
@test "lines, binary garbage, fail: exit 1 after the earlier output" { case_lines_binary; check_fail; }
@test "lines, binary garbage, dead letter: raw_base64" { case_lines_binary; check_dead_letter; }

@test "lines, line over --max-line, warn: skipped with a message" { case_lines_max_line; check_warn; }
@test "lines, line over --max-line, skip: skipped silently, counted" { case_lines_max_line; check_skip; }
@test "lines, line over --max-line, fail: exit 1 after the earlier output" { case_lines_max_line; check_fail; }
@test "lines, line over --max-line, dead letter: its first SIZE bytes" { case_lines_max_line; check_dead_letter; }

# ---------------------------------------------------------------------------
# logfmt

@test "logfmt, unterminated quote, warn: skipped with a message" { case_logfmt_unterminated; check_warn; }
@test "logfmt, unterminated quote, skip: skipped silently, counted" { case_logfmt_unterminated; check_skip; }
@test "logfmt, unterminated quote, fail: exit 1 after the earlier output" { case_logfmt_unterminated; check_fail; }
@test "logfmt, unterminated quote, dead letter: raw line kept" { case_logfmt_unterminated; check_dead_letter; }

@test "logfmt, bad escape, warn: skipped with a message" { case_logfmt_bad_escape; check_warn; }
@test "logfmt, bad escape, skip: skipped silently, counted" { case_logfmt_bad_escape; check_skip; }
@test "logfmt, bad escape, fail: exit 1 after the earlier output" { case_logfmt_bad_escape; check_fail; }
@test "logfmt, bad escape, dead letter: raw line kept" { case_logfmt_bad_escape; check_dead_letter; }

@test "logfmt, bad \\u escape, warn: skipped with a message" { case_logfmt_bad_unicode_escape; check_warn; }
@test "logfmt, bad \\u escape, fail: exit 1 after the earlier output" { case_logfmt_bad_unicode_escape; check_fail; }

@test "logfmt, '=' with no key, warn: skipped with a message" { case_logfmt_no_key; check_warn; }
@test "logfmt, '=' with no key, skip: skipped silently, counted" { case_logfmt_no_key; check_skip; }
@test "logfmt, '=' with no key, fail: exit 1 after the earlier output" { case_logfmt_no_key; check_fail; }
@test "logfmt, '=' with no key, dead letter: raw line kept" { case_logfmt_no_key; check_dead_letter; }

@test "logfmt, quote in a bare value, warn: skipped with a message" { case_logfmt_quote_in_bare; check_warn; }
@test "logfmt, quote in a bare value, skip: skipped silently, counted" { case_logfmt_quote_in_bare; check_skip; }
@test "logfmt, quote in a bare value, fail: exit 1 after the earlier output" { case_logfmt_quote_in_bare; check_fail; }
@test "logfmt, quote in a bare value, dead letter: raw line kept" { case_logfmt_quote_in_bare; check_dead_letter; }

@test "logfmt, invalid UTF-8, warn: skipped with a message" { case_logfmt_latin1; check_warn; }
@test "logfmt, invalid UTF-8, skip: skipped silently, counted" { case_logfmt_latin1; check_skip; }
@test "logfmt, invalid UTF-8, fail: exit 1 after the earlier output" { case_logfmt_latin1; check_fail; }
@test "logfmt, invalid UTF-8, dead letter: raw_base64" { case_logfmt_latin1; check_dead_letter; }

@test "logfmt, binary garbage, warn: skipped with a message" { case_logfmt_binary; check_warn; }
@test "logfmt, binary garbage, skip: skipped silently, counted" { case_logfmt_binary; check_skip; }
@test "logfmt, binary garbage, fail: exit 1 after the earlier output" { case_logfmt_binary; check_fail; }
@test "logfmt, binary garbage, dead letter: raw_base64" { case_logfmt_binary; check_dead_letter; }

@test "logfmt, line over --max-line, warn: skipped with a message" { case_logfmt_max_line; check_warn; }
@test "logfmt, line over --max-line, skip: skipped silently, counted" { case_logfmt_max_line; check_skip; }
@test "logfmt, line over --max-line, fail: exit 1 after the earlier output" { case_logfmt_max_line; check_fail; }
@test "logfmt, line over --max-line, dead letter: its first SIZE bytes" { case_logfmt_max_line; check_dead_letter; }

# ---------------------------------------------------------------------------
# csv

@test "csv, too many fields, warn: skipped with a message" { case_csv_too_many; check_warn; }
@test "csv, too many fields, skip: skipped silently, counted" { case_csv_too_many; check_skip; }
@test "csv, too many fields, fail: exit 1 after the earlier output" { case_csv_too_many; check_fail; }
@test "csv, too many fields, dead letter: raw row kept" { case_csv_too_many; check_dead_letter; }

@test "csv, too few fields, warn: skipped with a message" { case_csv_too_few; check_warn; }
@test "csv, too few fields, skip: skipped silently, counted" { case_csv_too_few; check_skip; }
@test "csv, too few fields, fail: exit 1 after the earlier output" { case_csv_too_few; check_fail; }
@test "csv, too few fields, dead letter: raw row kept" { case_csv_too_few; check_dead_letter; }

@test "csv, quote in an unquoted field, warn: skipped with a message" { case_csv_quote_in_field; check_warn; }
@test "csv, quote in an unquoted field, skip: skipped silently, counted" { case_csv_quote_in_field; check_skip; }
@test "csv, quote in an unquoted field, fail: exit 1 after the earlier output" { case_csv_quote_in_field; check_fail; }
@test "csv, quote in an unquoted field, dead letter: raw row kept" { case_csv_quote_in_field; check_dead_letter; }

@test "csv, text after a closing quote, warn: skipped with a message" { case_csv_text_after_quote; check_warn; }
@test "csv, text after a closing quote, skip: skipped silently, counted" { case_csv_text_after_quote; check_skip; }
@test "csv, text after a closing quote, fail: exit 1 after the earlier output" { case_csv_text_after_quote; check_fail; }
@test "csv, text after a closing quote, dead letter: raw row kept" { case_csv_text_after_quote; check_dead_letter; }

@test "csv, invalid UTF-8, warn: skipped with a message" { case_csv_latin1; check_warn; }
@test "csv, invalid UTF-8, skip: skipped silently, counted" { case_csv_latin1; check_skip; }
@test "csv, invalid UTF-8, fail: exit 1 after the earlier output" { case_csv_latin1; check_fail; }
@test "csv, invalid UTF-8, dead letter: raw_base64" { case_csv_latin1; check_dead_letter; }

@test "csv, binary garbage, warn: skipped with a message" { case_csv_binary; check_warn; }
@test "csv, binary garbage, skip: skipped silently, counted" { case_csv_binary; check_skip; }
@test "csv, binary garbage, fail: exit 1 after the earlier output" { case_csv_binary; check_fail; }
@test "csv, binary garbage, dead letter: raw_base64" { case_csv_binary; check_dead_letter; }

@test "csv, line over --max-line, warn: skipped with a message" { case_csv_max_line; check_warn; }
@test "csv, line over --max-line, skip: skipped silently, counted" { case_csv_max_line; check_skip; }
@test "csv, line over --max-line, fail: exit 1 after the earlier output" { case_csv_max_line; check_fail; }
@test "csv, line over --max-line, dead letter: its first SIZE bytes" { case_csv_max_line; check_dead_letter; }

# ---------------------------------------------------------------------------
# tsv

@test "tsv, wrong number of fields, warn: skipped with a message" { case_tsv_arity; check_warn; }
@test "tsv, wrong number of fields, skip: skipped silently, counted" { case_tsv_arity; check_skip; }
@test "tsv, wrong number of fields, fail: exit 1 after the earlier output" { case_tsv_arity; check_fail; }
@test "tsv, wrong number of fields, dead letter: raw line kept" { case_tsv_arity; check_dead_letter; }

@test "tsv, invalid UTF-8, warn: skipped with a message" { case_tsv_latin1; check_warn; }
@test "tsv, invalid UTF-8, skip: skipped silently, counted" { case_tsv_latin1; check_skip; }
@test "tsv, invalid UTF-8, fail: exit 1 after the earlier output" { case_tsv_latin1; check_fail; }
@test "tsv, invalid UTF-8, dead letter: raw_base64" { case_tsv_latin1; check_dead_letter; }

# ---------------------------------------------------------------------------
# records that cannot be used: not an object, no time

@test "--add-source on an array, warn: skipped with a message" { case_add_source_array; check_warn; }
@test "--add-source on an array, skip: skipped silently, counted" { case_add_source_array; check_skip; }
@test "--add-source on an array, fail: exit 1 after the earlier output" { case_add_source_array; check_fail; }
@test "--add-source on an array, dead letter: raw line kept" { case_add_source_array; check_dead_letter; }

@test "--merge, no usable time, warn: skipped with a message" { case_merge_no_time; check_warn; }
@test "--merge, no usable time, skip: skipped silently, counted" { case_merge_no_time; check_skip; }
@test "--merge, no usable time, fail: exit 1 after the earlier output" {
	case_merge_no_time
	check_fail
}
@test "--merge, no usable time, dead letter: raw line kept" { case_merge_no_time; check_dead_letter; }

@test "--replay, no usable time, warn: skipped with a message" { case_replay_no_time; check_warn; }
@test "--replay, no usable time, skip: skipped silently, counted" { case_replay_no_time; check_skip; }
@test "--replay, no usable time, fail: exit 1 after the earlier output" { case_replay_no_time; check_fail; }
@test "--replay, no usable time, dead letter: raw line kept" { case_replay_no_time; check_dead_letter; }

@test "the logfmt message for an open quote is the man page's" {
	printf '%s\n' 'a=1 msg="open' >in
	run --separate-stderr stream-cat --format logfmt <in
	assert_success
	assert_stderr 'stream-cat: <stdin>:1: at column 9: unterminated quoted value'
}

# ---------------------------------------------------------------------------
# Faults that span lines, and resynchronisation

@test "csv: an unterminated quote at the end of input, warn: the row from its first line" {
	printf '%s\n' 'id,text' '1,ok' '2,"open' 'still open, 3' '4,x' >in
	run --separate-stderr stream-cat --format csv <in
	assert_success
	assert_output '{"id":1,"text":"ok"}'
	assert_stderr --regexp '^stream-cat: <stdin>:3: at column [0-9]+: unterminated quote'
	assert_equal "${#stderr_lines[@]}" 1
}

@test "csv: an unterminated quote at the end of input, skip: counted" {
	printf '%s\n' 'id,text' '1,ok' '2,"open' '4,x' >in
	run --separate-stderr stream-cat --format csv --on-error skip --stats <in
	assert_success
	assert_output '{"id":1,"text":"ok"}'
	run jq -c '[.in, .out, .bad]' <<<"$stderr"
	assert_output '[2,1,1]'
}

@test "csv: an unterminated quote at the end of input, fail: exit 1 after the earlier rows" {
	printf '%s\n' 'id,text' '1,ok' '5,fine' '2,"open' '4,x' >in
	run --separate-stderr stream-cat --format csv --on-error fail <in
	assert_failure 1
	assert_output $'{"id":1,"text":"ok"}\n{"id":5,"text":"fine"}'
	assert_stderr --regexp '^stream-cat: <stdin>:4: at column [0-9]+: unterminated quote'
}

@test "csv: an unterminated quote at the end of input, dead letter: all its lines" {
	printf 'id,text\n1,ok\n2,"open\r\n\r\nstill, open\n' >data.csv
	run --separate-stderr stream-cat --format csv --on-error skip --dead-letter dl data.csv
	assert_success
	assert_output '{"id":1,"text":"ok"}'
	run jq -c 'del(.error)' dl
	assert_output '{"source":"data.csv","line":3,"raw":"2,\"open\n\nstill, open"}'
	run jq -r .error dl
	assert_output --regexp '^at column [0-9]+: unterminated quote'
}

@test "csv: a quote open at the end of one operand does not run into the next" {
	printf 'a,b\n1,"open\n' >one.csv
	printf 'x,y\n2,3\n' >two.csv
	run --separate-stderr stream-cat --format csv one.csv two.csv
	assert_success
	assert_output '{"x":2,"y":3}'
	assert_stderr --regexp '^stream-cat: one\.csv:2: at column [0-9]+: unterminated quote'
	assert_equal "${#stderr_lines[@]}" 1
}

@test "json: a value unfinished at the end of one operand does not run into the next" {
	printf '{"a":\n' >one.json
	printf '[1,\n' >two.json
	printf '2\n' >three.json
	run --separate-stderr stream-cat --format json one.json two.json three.json
	assert_success
	assert_output $'1\n2'
	assert_stderr_line --index 0 --regexp '^stream-cat: one\.json:1: .*unfinished'
	assert_stderr_line --index 1 --regexp '^stream-cat: two\.json:1: .*unfinished'
	assert_equal "${#stderr_lines[@]}" 2
}

@test "csv: a bad row over several lines is reported at its first line, raw joined" {
	printf '%s\n' 'a,b' '1,2' '"x' 'y",2,3' '4,5' >in
	run --separate-stderr stream-cat --format csv --dead-letter dl <in
	assert_success
	assert_output $'{"a":1,"b":2}\n{"a":4,"b":5}'
	assert_stderr 'stream-cat: <stdin>:3: 3 fields, the header has 2'
	run cat dl
	assert_output '{"error":"3 fields, the header has 2","source":"<stdin>","line":3,"raw":"\"x\ny\",2,3"}'
}

@test "csv: after a bad row the next rows are read with the same header" {
	printf '%s\n' 'a,b' '1,"x"y' '2,3' '4,5,6' '7,8' >in
	run --separate-stderr stream-cat --format csv --on-error skip <in
	assert_success
	assert_output $'{"a":2,"b":3}\n{"a":7,"b":8}'
}

@test "json: an unfinished value at the end of input is a bad record at its first line" {
	printf '{"a":1}\n\n{"b":[1,\n2,\n' >in
	run --separate-stderr stream-cat --format json --dead-letter dl <in
	assert_success
	assert_output '{"a":1}'
	assert_stderr --regexp "^stream-cat: <stdin>:3: .*unfinished"
	assert_equal "${#stderr_lines[@]}" 1
	run jq -c '[.source, .line, .raw]' dl
	assert_output '["<stdin>",3,"{\"b\":[1,\n2,\n"]'
}

@test "json: an unfinished value at the end of input, fail: exit 1 after the output" {
	printf '{"a":1}\n{"b":"open\n' >in
	run --separate-stderr stream-cat --format json --on-error fail <in
	assert_failure 1
	assert_output '{"a":1}'
	assert_stderr --regexp "^stream-cat: <stdin>:2: .*unfinished"
}

@test "json: an unfinished top-level array: its elements out, then a bad record" {
	printf '[{"a":1},\n {"a":2},\n' >in
	run --separate-stderr stream-cat --format json --on-error skip --stats <in
	assert_success
	assert_output $'{"a":1}\n{"a":2}'
	run jq -c '.bad' <<<"$stderr"
	assert_output 1
}

@test "json: a stray ']' after a value, resync at the next line" {
	printf '{"a":1} ] {"lost":true}\n{"c":3}\n' >in
	run --separate-stderr stream-cat --format json <in
	assert_success
	assert_output $'{"a":1}\n{"c":3}'
	assert_stderr "stream-cat: <stdin>:1: unexpected ']'"
}

@test "json: a missing comma in a top-level array, resync outside the array" {
	printf '[1,\n2 3,\n4]\n{"b":2}\n' >in
	run --separate-stderr stream-cat --format json <in
	assert_success
	# after the fault: the rest of line 2 is dropped, and line 3 is read
	# outside any array: 4 is a value and its ']' a stray one
	assert_output $'1\n2\n4\n{"b":2}'
	assert_stderr_line --index 0 "stream-cat: <stdin>:2: missing ',' between array elements"
	assert_stderr_line --index 1 "stream-cat: <stdin>:3: unexpected ']'"
	assert_equal "${#stderr_lines[@]}" 2
}

@test "json: resync after a fault inside an array: the next line, outside the array" {
	printf '[{"a":1},\n{"a":[1}, {"lost":true},\n{"a":3}]\n{"b":4}\n' >in
	run --separate-stderr stream-cat --format json --dead-letter dl <in
	assert_success
	assert_output $'{"a":1}\n{"a":3}\n{"b":4}'
	assert_stderr_line --index 0 "stream-cat: <stdin>:2: unexpected '}'"
	assert_stderr_line --index 1 "stream-cat: <stdin>:3: unexpected ']'"
	assert_equal "${#stderr_lines[@]}" 2
	run jq -c '[.line, .raw]' dl
	assert_output $'[2,"{\\"a\\":[1}"]\n[3,"]"]'
}

@test "json: resync after an invalid element: the next line, outside the array" {
	printf '[{"a":1},\n{"a":x}, {"lost":true},\n{"a":3}]\n{"b":4}\n' >in
	run --separate-stderr stream-cat --format json <in
	assert_success
	assert_output $'{"a":1}\n{"a":3}\n{"b":4}'
	assert_stderr_line --index 0 "stream-cat: <stdin>:2: invalid JSON at column 6: unexpected 'x'"
	assert_stderr_line --index 1 "stream-cat: <stdin>:3: unexpected ']'"
	assert_equal "${#stderr_lines[@]}" 2
}

@test "json: an invalid value over several lines is reported where it began" {
	printf '{"a":1}\n{\n  "b": x,\n  "c": 2\n}\n{"d":4}\n' >in
	run --separate-stderr stream-cat --format json --dead-letter dl <in
	assert_success
	assert_output $'{"a":1}\n{"d":4}'
	assert_stderr --regexp "^stream-cat: <stdin>:2: invalid JSON at .*unexpected 'x'$"
	run jq -c '[.line, .raw]' dl
	assert_output '[2,"{\n  \"b\": x,\n  \"c\": 2\n}"]'
}

@test "json: line numbers of later values count every line" {
	printf '{\n"a":1\n}\n\n[\n2,\n]\n' >in
	run --separate-stderr stream-cat --format json <in
	assert_success
	assert_output $'{"a":1}\n2'
	assert_stderr "stream-cat: <stdin>:7: unexpected ']'"
}

# ---------------------------------------------------------------------------
# Sources, dead letters, counts

@test "messages name the file operand and its physical line number" {
	printf 'a=1\n\nb="open\n' >one.log
	printf '\n\nk=v\n=x\n' >two.log
	run --separate-stderr stream-cat --format logfmt one.log two.log
	assert_success
	assert_output $'{"a":1}\n{"k":"v"}'
	assert_stderr_line --index 0 --regexp '^stream-cat: one\.log:3: at column 3: unterminated quote'
	assert_stderr_line --index 1 "stream-cat: two.log:4: at column 1: '=' with no key"
	assert_equal "${#stderr_lines[@]}" 2
}

@test "--dead-letter: source and line of each bad record, in every format" {
	printf '%s\n' 'a,b' '1,2' '3' >d.csv
	printf 'ok\ncaf\351\n' >d.txt
	printf '{"a":1}\nx\n' >d.ndjson
	stream-cat --format csv --on-error skip --dead-letter dl d.csv >/dev/null
	stream-cat --format lines --on-error skip --dead-letter dl d.txt >/dev/null
	stream-cat --on-error skip --dead-letter dl d.ndjson >/dev/null
	run cat dl
	assert_line --index 0 '{"error":"1 field, the header has 2","source":"d.csv","line":3,"raw":"3"}'
	assert_line --index 1 '{"error":"invalid UTF-8","source":"d.txt","line":2,"raw_base64":"Y2Fm6Q=="}'
	assert_line --index 2 '{"error":"invalid JSON at column 1: unexpected '\''x'\''","source":"d.ndjson","line":2,"raw":"x"}'
	assert_equal "${#lines[@]}" 3
}

@test "--dead-letter is written under --on-error warn too" {
	printf '%s\n' 'a=1' 'b="x' >in
	run --separate-stderr stream-cat --format logfmt --dead-letter dl <in
	assert_success
	assert_output '{"a":1}'
	assert_stderr --regexp '^stream-cat: <stdin>:2: at column 3: unterminated quote'
	run jq -c '[.source, .line, .raw]' dl
	assert_output '["<stdin>",2,"b=\"x"]'
}

@test "--dead-letter is written before --on-error fail exits" {
	printf '%s\n' 'a,b' '1,2' '3' '4,5' '6' >in
	run --separate-stderr stream-cat --format csv --on-error fail --dead-letter dl <in
	assert_failure 1
	assert_output '{"a":1,"b":2}'
	run cat dl
	assert_output '{"error":"1 field, the header has 2","source":"<stdin>","line":3,"raw":"3"}'
}

@test "--dead-letter appends to an existing file" {
	echo '{"old":true}' >dl
	printf '%s\n' 'x' >in
	stream-cat --on-error skip --dead-letter dl in
	run cat dl
	assert_line --index 0 '{"old":true}'
	assert_line --index 1 '{"error":"invalid JSON at column 1: unexpected '\''x'\''","source":"in","line":1,"raw":"x"}'
	assert_equal "${#lines[@]}" 2
}

@test "a bad record in a --merge input names its file and line" {
	printf '%s\n' '{"ts":1}' 'oops' '{"ts":3}' >a
	printf '%s\n' '{"ts":2}' >b
	run --separate-stderr stream-cat --merge --dead-letter dl a b
	assert_success
	assert_output "$(printf '{"ts":%s}\n' 1 2 3)"
	assert_stderr "stream-cat: a:2: invalid JSON at column 1: unexpected 'o'"
	run jq -c '[.source, .line, .raw]' dl
	assert_output '["a",2,"oops"]'
}

@test "every kind of bad record in one stream: good records out, all counted" {
	: >in
	n=0
	for c in logfmt_unterminated logfmt_bad_escape logfmt_no_key \
	    logfmt_quote_in_bare logfmt_latin1 logfmt_binary; do
		"case_$c"
		printf 'good=%d\n%b\n' "$n" "$BAD" >>in
		n=$((n + 1))
	done
	run --separate-stderr stream-cat --format logfmt --on-error skip --stats \
	    --dead-letter dl in
	assert_success
	assert_output "$(for i in 0 1 2 3 4 5; do printf '{"good":%d}\n' "$i"; done)"
	run jq -c '[.in, .out, .bad]' <<<"$stderr"
	assert_output '[12,6,6]'
	run jq -c .line dl
	assert_output "$(seq 2 2 12)"
}

@test "warnings are rate-limited with a count of those not shown" {
	for i in $(seq 100); do echo 'a,b,c'; done >rows
	{ echo 'x,y'; cat rows; } >in
	run --separate-stderr stream-cat --format csv <in
	assert_success
	for i in 1 2 3 4 5 6 7 8 9 10; do
		assert_stderr_line --index $((i - 1)) \
		    "stream-cat: <stdin>:$((i + 1)): 3 fields, the header has 2"
	done
	shown=0 hidden=0 summaries=0
	for l in "${stderr_lines[@]}"; do
		if [[ $l =~ ^stream-cat:\ \<stdin\>:[0-9]+:\ 3\ fields ]]; then
			shown=$((shown + 1))
		elif [[ $l =~ ^stream-cat:\ ([0-9]+)\ more\ bad\ records\ not\ shown$ ]]; then
			hidden=$((hidden + BASH_REMATCH[1]))
			summaries=$((summaries + 1))
		else
			fail "unexpected line: $l"
		fi
	done
	test "$summaries" -ge 1 || fail "no summary line"
	assert_equal "$((shown + hidden))" 100
}

@test "random bytes in every format: no crash, every record out or bad" {
	python3 -c '
import random, sys
r = random.Random(2)
out = bytearray()
for i in range(2000):
    if r.random() < 0.3:
        out += b"{\"i\":%d}" % i
    else:
        out += bytes(r.randrange(256) for _ in range(r.randrange(1, 80)))
    out += b"\n"
sys.stdout.buffer.write(bytes(out))' >in
	for f in ndjson json lines logfmt csv tsv; do
		run --separate-stderr stream-cat --format "$f" --on-error skip --stats in
		assert_success
		stats=$stderr
		in=$(jq .in <<<"$stats")
		good=$(jq .out <<<"$stats")
		bad=$(jq .bad <<<"$stats")
		test "$((good + bad))" -eq "$in" ||
		    fail "--format $f: in $in, out $good, bad $bad"
		# what came out is valid JSON, one value per line
		run bash -c "stream-cat --format $f --on-error skip in | jq -c . | wc -l"
		assert_output "$good"
	done
}

@test "a line over --max-line 1K (binary suffix) is bad, the next is read" {
	python3 -c 'print("k=" + "x" * 1022); print("k=" + "x" * 1023); print("b=2")' >in
	run --separate-stderr stream-cat --format logfmt --max-line 1K in
	assert_success
	assert_line --index 1 '{"b":2}'
	assert_equal "${#lines[@]}" 2
	assert_stderr 'stream-cat: in:2: line longer than --max-line (1024 bytes)'
}

# ---------------------------------------------------------------------------
# Usage errors: exit 2, nothing read, a message naming the option

# usage_error TEXT -- the last run was a usage error that mentions TEXT
usage_error() {
	assert_failure 2
	assert_output ''
	assert_stderr_line --index 0 --regexp '^stream-cat: '
	assert_stderr --partial "$1"
	assert_stderr --partial 'usage: stream-cat'
}

@test "an unknown option is a usage error" {
	run --separate-stderr stream-cat --bogus </dev/null
	usage_error '--bogus'
	run --separate-stderr stream-cat -x </dev/null
	usage_error '-x'
	run --separate-stderr stream-cat --processing-time </dev/null
	usage_error '--processing-time'
}

@test "an option without its value is a usage error" {
	for o in --format --header --rate --add-source --add-ingest-time --time \
	    --lateness -n; do
		run --separate-stderr stream-cat "$o" </dev/null
		usage_error "$o"
	done
}

@test "an unknown --format is a usage error" {
	for f in xml NDJSON '' json5; do
		run --separate-stderr stream-cat --format "$f" </dev/null
		usage_error '--format'
	done
}

@test "--header without --format csv or tsv is a usage error" {
	run --separate-stderr stream-cat --header a,b </dev/null
	usage_error '--header'
	run --separate-stderr stream-cat --format json --header a,b </dev/null
	usage_error '--header'
	run --separate-stderr stream-cat --format logfmt --header a,b </dev/null
	usage_error '--header'
}

@test "--header that cannot be split is a usage error" {
	run --separate-stderr stream-cat --format csv --header 'a,"b' </dev/null
	usage_error '--header'
}

@test "--lateness without --merge is a usage error" {
	run --separate-stderr stream-cat --lateness 1s </dev/null
	usage_error '--lateness'
	run --separate-stderr stream-cat --replay --lateness 1s </dev/null
	usage_error '--lateness'
}

@test "--lateness with a bad duration is a usage error" {
	for d in abc 10 -5s 1x; do
		run --separate-stderr stream-cat --merge --lateness "$d" </dev/null
		usage_error '--lateness'
	done
}

@test "--time, --time-unit, --time-format without --merge or --replay are usage errors" {
	run --separate-stderr stream-cat --time .t </dev/null
	usage_error '--time'
	run --separate-stderr stream-cat --time-unit ms </dev/null
	usage_error '--time'
	run --separate-stderr stream-cat --time-format %s </dev/null
	usage_error '--time'
	run --separate-stderr stream-cat --rate 5 --time .t </dev/null
	usage_error '--time'
}

@test "--time-unit with an unknown unit is a usage error" {
	run --separate-stderr stream-cat --merge --time-unit h </dev/null
	usage_error '--time-unit'
}

@test "--time that does not compile is a usage error" {
	run --separate-stderr stream-cat --merge --time '.[' </dev/null
	assert_failure 2
	assert_output ''
	assert_stderr --regexp '^stream-cat: '
	assert_stderr --partial 'compile error'
}

@test "--time-output without --add-ingest-time is a usage error" {
	run --separate-stderr stream-cat --time-output ms </dev/null
	usage_error '--time-output'
	run --separate-stderr stream-cat --add-source s --time-output ms </dev/null
	usage_error '--time-output'
}

@test "--time-output with an unknown format is a usage error" {
	run --separate-stderr stream-cat --add-ingest-time at --time-output us </dev/null
	usage_error '--time-output'
}

@test "--merge with -f is a usage error" {
	printf '{"ts":1}\n' >a
	run --separate-stderr stream-cat --merge -f a
	usage_error '--merge and --follow do not go together'
	run --separate-stderr stream-cat --follow --merge a
	usage_error '--merge and --follow do not go together'
}

@test "--rate that is not a number above 0 is a usage error" {
	for r in 0 -1 abc '' nan 0.0; do
		run --separate-stderr stream-cat --rate "$r" </dev/null
		usage_error '--rate'
	done
}

@test "--replay=FACTOR that is not a number above 0 is a usage error" {
	for r in 0 -2 abc '' nan; do
		run --separate-stderr stream-cat --replay="$r" </dev/null
		usage_error '--replay'
	done
}

@test "--rate and --replay with trailing garbage are usage errors" {
	for r in 5x 1,5 0x10 '2 '; do
		run --separate-stderr stream-cat --rate "$r" </dev/null
		usage_error '--rate'
		run --separate-stderr stream-cat --replay="$r" </dev/null
		usage_error '--replay'
	done
}

@test "-n that is not a count of 1 or more is a usage error" {
	for n in 0 -1 abc '' 1.5 2x; do
		run --separate-stderr stream-cat -n "$n" </dev/null
		usage_error '-n'
		run --separate-stderr stream-cat --limit "$n" </dev/null
		usage_error '-n'
	done
}

@test "--on-error with an unknown mode is a usage error" {
	run --separate-stderr stream-cat --on-error ignore </dev/null
	usage_error '--on-error'
}

@test "--max-line with a bad size is a usage error" {
	for s in 0 abc 1T -1 ''; do
		run --separate-stderr stream-cat --max-line "$s" </dev/null
		usage_error '--max-line'
	done
}

@test "--add-source and --add-ingest-time with one name is a usage error" {
	run --separate-stderr stream-cat --add-source x --add-ingest-time x </dev/null
	usage_error '--add-source'
}

@test "a --dead-letter file that cannot be opened is a usage error" {
	run --separate-stderr stream-cat --dead-letter nodir/dl </dev/null
	assert_failure 2
	assert_output ''
	assert_stderr --regexp '^stream-cat: nodir/dl: No such file or directory$'
}

@test "a usage error reads nothing and writes no dead letter" {
	printf '%s\n' 'x' >in
	run --separate-stderr stream-cat --dead-letter dl --rate 0 in
	assert_failure 2
	assert_output ''
	assert_file_not_exists dl
}
