#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# completion_test.sh - the bash completion (completions/bcc-execcount.bash) as
# bash calls it: COMP_WORDS split the way readline splits the line (with '='
# and ':' as word breaks, as bash's default COMP_WORDBREAKS has them), then
# COMPREPLY compared with what is expected.  No root needed.
#
#   completion_test.sh COMPLETION_FILE [BCC_EXECCOUNT]
#
# With BCC_EXECCOUNT, every option its --help lists must complete to itself,
# so an option added to the tool without a completion fails here.
set -uo pipefail

file=${1:?usage: completion_test.sh COMPLETION_FILE [BCC_EXECCOUNT]}
tool=${2:-}
# shellcheck source=../../completions/bcc-execcount.bash
. "$file" || { echo "FAIL: cannot source $file"; exit 1; }

failures=0 cases=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# COMP_WORDS as readline makes them: split at blanks, and each run of '=' or
# ':' is a word of its own.  A trailing blank starts an empty current word.
split_line() {
	local line=$1 word
	COMP_WORDS=()
	for word in $line; do
		while [[ $word =~ ^([^=:]*)([=:]+)(.*)$ ]]; do
			[[ -n ${BASH_REMATCH[1]} ]] && COMP_WORDS+=("${BASH_REMATCH[1]}")
			COMP_WORDS+=("${BASH_REMATCH[2]}")
			word=${BASH_REMATCH[3]}
		done
		[[ -n $word ]] && COMP_WORDS+=("$word")
	done
	[[ $line == *' ' ]] && COMP_WORDS+=('')
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line COMP_POINT=${#line}
}

run_completion() {
	COMPREPLY=()
	_bcc_execcount bcc-execcount "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

check_words() { # what: the case's name; want: the sorted replies, blank-separated
	local what=$1 want=$2 got
	got=$(run_completion)
	cases=$((cases + 1))
	if [[ $got == "$want" ]]; then
		echo "ok   $what -> [$got]"
	else
		echo "FAIL $what -> [$got], want [$want]"
		failures=$((failures + 1))
	fi
}

check() { # check LINE WANT: LINE as typed, up to the cursor
	split_line "$1"
	check_words "'$1'" "$2"
}

mkdir -p "$tmp/probes" "$tmp/headers-6.1"
touch "$tmp/probe.c" "$tmp/probe-edited.c" "$tmp/exec.prom"

# options
check 'bcc-execcount --at' '--attach'
check 'bcc-execcount --v' '--verbose --version'
check 'bcc-execcount --max-' '--max-keys --max-series'
check 'bcc-execcount --do' '--doctor'
check 'bcc-execcount -' '-C -V -a -b -f -h -k -p -r -s -v'
check 'bcc-execcount -C -v --no' '--no-cache --noclear'
check 'bcc-execcount -C -v --noc' '--noclear'
# --attach, --format, --sort: separate, with '=', short, short attached
check 'bcc-execcount --attach ' 'auto kprobe tracepoint'
check 'bcc-execcount --attach=k' 'kprobe'
check 'bcc-execcount --attach=' 'auto kprobe tracepoint'
check 'bcc-execcount -a t' 'tracepoint'
check 'bcc-execcount -at' '-atracepoint'
check 'bcc-execcount --format ' 'classic csv json table'
check 'bcc-execcount -f j' 'json'
check 'bcc-execcount -v --sort ex' 'exe execve execveat'
check 'bcc-execcount -s ' 'cgroup comm count delta exe execve execveat failed ok uid'
# comma lists: after the last comma, without the fields already given
check 'bcc-execcount --by ' 'cgroup comm exe uid'
check 'bcc-execcount --by uid,c' 'uid,cgroup uid,comm'
check 'bcc-execcount -b comm,exe,' 'comm,exe,cgroup comm,exe,uid'
check 'bcc-execcount --by=exe,u' 'exe,uid'
check 'bcc-execcount -buid,e' '-buid,exe'
check 'bcc-execcount --syscalls execve' 'execve execveat'
check 'bcc-execcount --syscalls execve,' 'execve,execveat'
check 'bcc-execcount --syscalls=execveat,' 'execveat,execve'
# files and directories
check "bcc-execcount --probe $tmp/pro" "$tmp/probe-edited.c $tmp/probe.c $tmp/probes"
check "bcc-execcount -p $tmp/probe." "$tmp/probe.c"
check "bcc-execcount --textfile $tmp/ex" "$tmp/exec.prom"
check "bcc-execcount --kernel-headers $tmp/" "$tmp/headers-6.1 $tmp/probes"
check "bcc-execcount -k $tmp/h" "$tmp/headers-6.1"
check "bcc-execcount --cache-dir $tmp/" "$tmp/headers-6.1 $tmp/probes"
# values that are numbers or addresses: nothing offered; nothing after --
check 'bcc-execcount --top ' ''
check 'bcc-execcount --listen 127.0.0.1:' ''
check 'bcc-execcount -- --a' ''
check 'bcc-execcount 5 --for' '--format'

# '=' not a word break (COMP_WORDBREAKS changed): the reply keeps the option
COMP_WORDS=(bcc-execcount '--by=uid,co') COMP_CWORD=1
check_words "'--by=uid,co' as one word" '--by=uid,comm'
COMP_WORDS=(bcc-execcount '--format=c') COMP_CWORD=1
check_words "'--format=c' as one word" '--format=classic --format=csv'
COMP_WORDS=(bcc-execcount "--kernel-headers=$tmp/h") COMP_CWORD=1
check_words "'--kernel-headers=DIR' as one word" "--kernel-headers=$tmp/headers-6.1"

# registered for the command
cases=$((cases + 1))
if complete -p bcc-execcount 2>/dev/null | grep -q -- '-F _bcc_execcount'; then
	echo "ok   complete -p bcc-execcount"
else
	echo "FAIL complete -p bcc-execcount: $(complete -p bcc-execcount 2>&1)"
	failures=$((failures + 1))
fi

# every option the tool's --help lists completes to itself
if [[ -n $tool ]]; then
	help=$("$tool" --help) || { echo "FAIL: $tool --help exited $?"; exit 1; }
	# the option lines: "  -a, --attach=MODE ..." and "      --listen=..."
	opts=()
	while read -r line; do
		[[ $line =~ ^(-([A-Za-z?]),\ )?(--[a-z][a-z-]*) ]] || continue
		[[ -n ${BASH_REMATCH[2]} ]] && opts+=("-${BASH_REMATCH[2]}")
		opts+=("${BASH_REMATCH[3]}")
	done < <(grep -E '^ +(-[A-Za-z?], )?--[a-z]' <<<"$help")
	[[ ${#opts[@]} -ge 20 ]] || { echo "FAIL: only ${#opts[@]} options found in --help"; exit 1; }
	for o in "${opts[@]}"; do
		split_line "bcc-execcount $o"
		got=" $(run_completion) "
		cases=$((cases + 1))
		if [[ $got == *" $o "* ]]; then
			echo "ok   --help's $o completes"
		else
			echo "FAIL --help lists $o, which does not complete: [${got# }]"
			failures=$((failures + 1))
		fi
	done
fi

echo "$cases cases, $failures failed"
[[ $failures -eq 0 ]]
