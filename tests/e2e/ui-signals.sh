#!/bin/sh
# The reader gives the terminal back: Ctrl-Z suspends it to the shell and
# fg brings it back redrawn; killed with SIGTERM, SIGHUP or SIGSEGV it
# leaves the terminal as it found it (echo and canonical mode on).
. "${top_srcdir:-.}/tests/lib.sh"
session=sig
make_scratch
. "${top_srcdir:-.}/tests/e2e/tmux.sh"
tern=$(cd "$(dirname "$TERN")" && pwd)/$(basename "$TERN")
box="$scratch/demo.mbox"
cp "${top_srcdir:-.}/data/demo.mbox" "$box"

mkdir -p "$scratch/home"
# An interactive shell with job control, as a person has.
"$tmux" -S "$sock" -f /dev/null new-session -d -s "$session" -x 100 -y 30 \
	"env HOME='$scratch/home' XDG_CONFIG_HOME='$scratch/home' XDG_CACHE_HOME='$scratch/home' \
	 LANG=C.UTF-8 PS1='sh$ ' sh -i"
wait_for 'sh$'

run_tern() {
	keys "clear; '$tern' '$box' & echo PID=\$!; fg" Enter
	wait_for "Msgs:18"
}
# The pid tern printed before it took the screen is gone with the clear;
# ask the system instead.
tern_pid() { pgrep -n -f "$tern $box"; }
# The terminal's modes, as stty sees them from the shell.
stty_state() {
	rm -f "$scratch/stty.txt"
	keys "clear; stty -a > '$scratch/stty.txt'" Enter
	i=0
	while [ $i -lt 50 ] && [ ! -s "$scratch/stty.txt" ]; do sleep 0.1; i=$((i + 1)); done
	for mode in icanon echo; do
		if tr ' ;' '\n\n' < "$scratch/stty.txt" | grep -qx -- "$mode"; then
			printf '%s ' "$mode"
		else
			printf '%s ' "-$mode"
		fi
	done
}

run_tern
check "the reader is running" [ -n "$(tern_pid)" ]
keys C-z
check "Ctrl-Z gives the shell back" wait_for "sh$"
s=$(stty_state)
check "with the terminal in its normal state while suspended" contains "$s" "icanon echo"
keys "clear; fg" Enter
check "fg brings the reader back, redrawn" wait_for "Msgs:18"
keys q
wait_for "sh$"

for sig in TERM HUP SEGV; do
	run_tern
	pid=$(tern_pid)
	kill -s "$sig" "$pid"
	wait_for "sh$" >/dev/null
	s=$(stty_state)
	check "after SIG$sig the terminal is restored (echo, canonical mode)" \
		contains "$s" "icanon echo"
	check "and tern is gone" sh -c "! kill -0 $pid 2>/dev/null"
done
done_testing
