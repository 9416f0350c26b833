# SPDX-License-Identifier: GPL-2.0
# bash completion for bcc-execcount(8).
# Installed as share/bash-completion/completions/bcc-execcount; by hand:
#   . completions/bcc-execcount.bash
# Self-contained: it does not need the bash-completion package's helpers.
# Values are completed after `--opt `, `--opt=`, `-o ` and `-oVALUE`; the comma
# lists of --by and --syscalls after their last comma, without the fields
# already given.

_bcc_execcount() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' opt='' prefix='' i

	COMPREPLY=()
	# After `--`, only INTERVAL and COUNT (numbers) follow.
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == -- ]] && return 0
	done
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

	# The option whose value is being completed, if any.  With '=' in
	# COMP_WORDBREAKS (bash's default), `--by=u` arrives as `--by` `=` `u`.
	if [[ $cur == = && $prev == --* ]]; then
		opt=$prev cur=''
	elif [[ $prev == = ]] && ((COMP_CWORD > 1)) && [[ ${COMP_WORDS[COMP_CWORD - 2]} == --* ]]; then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then # '=' is not a word break here
		opt=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=}
	elif [[ $cur == -[abfkprs]?* ]]; then # a short option with its value attached
		opt=${cur:0:2} prefix=${cur:0:2} cur=${cur:2}
	elif [[ $prev == -* ]]; then
		opt=$prev
	fi

	local list=''
	case $opt in
	-a | --attach) list='auto kprobe tracepoint' ;;
	-f | --format) list='table classic json csv' ;;
	-s | --sort) list='count ok failed delta execve execveat uid comm exe cgroup' ;;
	-b | --by | --syscalls)
		local fields='uid comm exe cgroup' done='' f kept=''
		[[ $opt == --syscalls ]] && fields='execve execveat'
		# complete after the last comma; leave out the fields given before it
		if [[ $cur == *,* ]]; then
			done=${cur%,*}, cur=${cur##*,}
		fi
		for f in $fields; do
			[[ ,$done == *,$f,* ]] || kept+=" $f"
		done
		mapfile -t COMPREPLY < <(compgen -P "$prefix$done" -W "$kept" -- "$cur")
		return 0
		;;
	-p | --probe | --textfile)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		[[ -n $prefix ]] && COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
		return 0
		;;
	-k | --kernel-headers | --cache-dir)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		[[ -n $prefix ]] && COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
		return 0
		;;
	-r | --rows | --top | --max-keys | --max-series | --uid | --listen)
		return 0 # a number, uids, [ADDR:]PORT: nothing to offer
		;;
	esac
	if [[ -n $list ]]; then
		mapfile -t COMPREPLY < <(compgen -P "$prefix" -W "$list" -- "$cur")
		return 0
	fi

	# Options (INTERVAL and COUNT are numbers: nothing to offer for them).
	case $cur in
	--* | '')
		mapfile -t COMPREPLY < <(compgen -W '--attach --by --noclear --format
			--kernel-headers --listen --max-keys --max-series --print-probe
			--probe --rows --syscalls --sort --textfile --top --uid --verbose
			--cache-dir --no-cache --doctor --help --usage --version' -- "$cur")
		;;
	-*)
		mapfile -t COMPREPLY < <(compgen -W '-a -b -C -f -k -p -r -s -v -V -h' -- "$cur")
		;;
	esac
	return 0
}
complete -F _bcc_execcount bcc-execcount
