#!/bin/sh
# The corpus test: every message under tests/data/corpus (or the
# directory given as $1) goes through `tern show` and `tern show --json`
# (under the sanitizers in CI).  Each must succeed, print no control byte,
# and give valid JSON; expect.tsv pins decoded subjects, addresses, part
# trees and file names for a representative set.
. "${top_srcdir:-.}/tests/lib.sh"
: "${TERN:?TERN must point at the built binary}"
corpus=${1:-"${top_srcdir:-.}/tests/data/corpus"}
make_scratch

# Bytes a terminal could obey: C0 but TAB and LF, DEL, ESC, and C1 in
# UTF-8 (0xC2 0x80-0x9F).
bad_bytes() {
	LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$1" && return 0
	LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$1" && return 0
	return 1
}

# check_one ARGS...: runs tern show ARGS (text and --json); 0 if all good.
check_one() {
	if ! "$TERN" show "$@" >"$scratch/out" 2>"$scratch/err"; then
		diag "tern show $* failed: $(head -c 300 "$scratch/err")"
		return 1
	fi
	if bad_bytes "$scratch/out"; then
		diag "tern show $*: a control byte reached the output"
		return 1
	fi
	if ! "$TERN" show --json "$@" >"$scratch/json" 2>"$scratch/err"; then
		diag "tern show --json $* failed: $(head -c 300 "$scratch/err")"
		return 1
	fi
	if bad_bytes "$scratch/json" || ! jq -e . "$scratch/json" >/dev/null 2>&1; then
		diag "tern show --json $*: not valid, safe JSON"
		return 1
	fi
	return 0
}

is_mbox() {
	head -c 5 "$1" | grep -q '^From ' && "$TERN" "$1" >"$scratch/list" 2>/dev/null &&
		! grep -q ': no messages$' "$scratch/list"
}

files=$(find "$corpus" -type f ! -name 'COPYING*' ! -name 'LICENSE*' \
	! -name 'NOTICE' ! -name 'MIT-LICENSE' ! -name '*-LICENSE.txt' | LC_ALL=C sort)
for f in $files; do
	name=${f#"$corpus"/}
	r=0
	if is_mbox "$f"; then
		n=$(grep -c . "$scratch/list")
		i=1
		while [ "$i" -le "$n" ]; do
			check_one "$f" "$i" || r=1
			i=$((i + 1))
		done
		ok $r "$name: $n messages parse and render safely"
	else
		check_one "$f" || r=1
		ok $r "$name parses and renders safely"
	fi
done

# Expectations: FILE <TAB> jq filter <TAB> expected output (one line).
expect="${top_srcdir:-.}/tests/corpus/expect.tsv"
if [ -z "${1:-}" ] && [ -f "$expect" ]; then
	tab=$(printf '\t')
	while IFS="$tab" read -r file filter want; do
		case $file in '' | '#'*) continue ;; esac
		got=$("$TERN" show --json "$corpus/$file" 2>&1 | jq -c -r "$filter" 2>&1)
		[ "$got" = "$want" ]; r=$?
		[ $r -eq 0 ] || diag "$file $filter: expected $want" "got $got"
		ok $r "$file: $filter is $want"
	done < "$expect"
fi
done_testing
