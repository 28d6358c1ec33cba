#!/usr/bin/env bats
# scripts/completion.bash: the options each tool's --help shows are
# offered, values are completed where they have a fixed set or are files,
# and nothing is offered where a value must be typed.

load helper

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	# shellcheck source=../scripts/completion.bash
	source "$ROOT/scripts/completion.bash"
	touch rules.yaml users.ndjson
}

# complete WORD... -- complete the last word; COMPREPLY sorted in $out
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	_stream_toolkit
	out=
	if ((${#COMPREPLY[@]} > 0)); then
		out=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort |
		    tr '\n' ' ')
	fi
}

@test "completion: every long option in a tool's source is offered" {
	local t src opt
	for t in stream-cat stream-filter stream-window stream-join stream-alert; do
		src=$ROOT/cmd/$t.c
		complete_words "$t" --
		for opt in $(grep -oE '^[[:space:]]*\{ "[a-z-]+"' "$src" |
		    grep -oE '[a-z-]+'); do
			case $opt in	# short in the SYNOPSIS: -f, -n, -r, -c
			follow | limit | raw-output | compact-output | \
			    from-file | rules) continue ;;
			esac
			[[ " $out " == *" --$opt "* ]] ||
			    fail "$t: --$opt not offered: $out"
		done
	done
}

@test "completion: common options are offered for every tool" {
	for t in stream-cat stream-filter stream-window stream-join stream-alert; do
		complete_words "$t" --st
		[[ $out == *"--stats "* ]] || fail "$t: $out"
		complete_words "$t" --hel
		assert_equal "$out" "--help "
		complete_words "$t" --unb
		assert_equal "$out" "--unbuffered "
	done
}

@test "completion: a prefix narrows the options" {
	complete_words stream-window --tu
	assert_equal "$out" "--tumbling "
	complete_words stream-join --ta
	assert_equal "$out" "--table --table-on "
}

@test "completion: fixed values: --on-error, --time-unit, --time-output, --format, --emit" {
	complete_words stream-cat --on-error ""
	assert_equal "$out" "fail skip warn "
	complete_words stream-window --time-unit m
	assert_equal "$out" "ms "
	complete_words stream-window --time-output r
	assert_equal "$out" "rfc3339 "
	complete_words stream-cat --format ""
	assert_equal "$out" "csv json lines logfmt ndjson tsv "
	complete_words stream-window --emit ""
	assert_equal "$out" "final update "
}

@test "completion: an option whose value is a FILE completes file names" {
	complete_words stream-join --table us
	assert_equal "$out" "users.ndjson "
	complete_words stream-window --state ""
	assert_equal "$out" "rules.yaml users.ndjson "
	complete_words stream-filter -f ru
	assert_equal "$out" "rules.yaml "
	complete_words stream-filter --slurpfile names us
	assert_equal "$out" "users.ndjson "
	complete_words stream-alert -r ru
	assert_equal "$out" "rules.yaml "
	complete_words stream-alert --test ""
	assert_equal "$out" "rules.yaml users.ndjson "
}

@test "completion: nothing where a value must be typed" {
	complete_words stream-window --tumbling ""
	assert_equal "$out" ""
	complete_words stream-join --on ""
	assert_equal "$out" ""
}

@test "completion: operands are files" {
	complete_words stream-cat us
	assert_equal "$out" "users.ndjson "
}
