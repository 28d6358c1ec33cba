# bash completion for the stream toolkit: stream-cat, stream-filter,
# stream-window, stream-join, stream-alert.
#
# The options come from each tool's own --help (its usage is its man
# page's SYNOPSIS), so the completion follows the tool it completes and
# cannot fall behind it.  An option whose value is a FILE completes file
# names; the few options with a fixed set of values complete those.
# "make install" puts a copy under each tool's name in
# $(PREFIX)/share/bash-completion/completions.

# _stream_toolkit_options TOOL -- "--option VALUE" per line (VALUE "-"
# for an option that takes none), read from TOOL --help
_stream_toolkit_options()
{
	"$1" --help 2>/dev/null |
	    awk '/^usage:/ { u = 1 } u && !/^(usage:| )/ { u = 0 } u' |
	    tr '\n' ' ' |
	    grep -oE -- '--[a-z][a-z-]*(\[=[A-Z]+\]| \[?[A-Z][^] |)]*| [a-z0-9]+(\|[a-z0-9]+)+)?' |
	    awk '{ print $1, ($2 == "" ? "-" : $2) }' |
	    sed 's/^\(--[a-z-]*\)\[=[A-Z]*\] -$/\1 -/' | sort -u
	printf '%s -\n' --help --version --unbuffered
}

_stream_toolkit()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= prev2= value=
	local tool=${COMP_WORDS[0]}

	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	((COMP_CWORD > 1)) && prev2=${COMP_WORDS[COMP_CWORD - 2]}
	COMPREPLY=()
	case $prev2 in
	--slurpfile | --rawfile)	# NAME FILE: the file
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0
		;;
	esac
	case $prev in
	--on-error)
		COMPREPLY=($(compgen -W 'warn skip fail' -- "$cur"))
		return 0
		;;
	--time-unit)
		COMPREPLY=($(compgen -W 's ms us ns' -- "$cur"))
		return 0
		;;
	--time-output)
		COMPREPLY=($(compgen -W 'rfc3339 s ms' -- "$cur"))
		return 0
		;;
	--format)
		COMPREPLY=($(compgen -W 'ndjson json lines logfmt csv tsv' \
		    -- "$cur"))
		return 0
		;;
	-f | -r)
		if [[ $tool == stream-filter && $prev == -f ||
		    $tool == stream-alert && $prev == -r ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
			return 0
		fi
		;;
	--*)
		value=$(_stream_toolkit_options "$tool" |
		    awk -v o="$prev" '$1 == o { print $2; exit }')
		if [[ $value == FILE ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
			return 0
		elif [[ $value == *'|'* ]]; then	# final|update
			COMPREPLY=($(compgen -W "${value//|/ }" -- "$cur"))
			return 0
		elif [[ -n $value && $value != - ]]; then
			return 0	# a value to type: nothing to offer
		fi
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_stream_toolkit_options "$tool" |
		    awk '{ print $1 }')" -- "$cur"))
		return 0
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}

complete -o filenames -o bashdefault -F _stream_toolkit \
    stream-cat stream-filter stream-window stream-join stream-alert
