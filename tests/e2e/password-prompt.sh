#!/bin/sh
# The password prompt on a real terminal (tmux): typed characters are not
# echoed, the line is read whole, and the terminal echoes again afterwards
# -- also when the prompt is interrupted with Ctrl-C.
. "${top_srcdir:-.}/tests/lib.sh"
session=pwtest
make_scratch
. "${top_srcdir:-.}/tests/e2e/tmux.sh"
ask="${top_builddir:-.}/tests/e2e/ask_secret"
ask=$(cd "$(dirname "$ask")" && pwd)/ask_secret

"$tmux" -S "$sock" -f /dev/null new-session -d -s "$session" -x 100 -y 20 \
	"env PS1='$ ' sh -i"
wait_for '$'

"$tmux" -S "$sock" send-keys -t "$session" "$ask $scratch/pw1 'Fir''st password: '" Enter
check "the prompt is shown" wait_for "First password:"
"$tmux" -S "$sock" send-keys -t "$session" -l 'correct horse battery'
"$tmux" -S "$sock" send-keys -t "$session" Enter
check "the program reads the line" wait_for "read 21 bytes"
check "the whole typed line is the password" \
	[ "$(cat "$scratch/pw1")" = "correct horse battery" ]
s=$(screen)
check "the typed password never appeared on the screen" lacks "$s" "horse"

"$tmux" -S "$sock" send-keys -t "$session" -l 'echo visible-again'
check "echo is back on after the prompt" wait_for "echo visible-again"
"$tmux" -S "$sock" send-keys -t "$session" Enter

"$tmux" -S "$sock" send-keys -t "$session" "clear; $ask $scratch/pw2 'Sec''ond password: '" Enter
wait_for "Second password:"
"$tmux" -S "$sock" send-keys -t "$session" -l 'half-typed'
"$tmux" -S "$sock" send-keys -t "$session" C-c
sleep 0.5
check "Ctrl-C at the prompt writes no password" [ ! -e "$scratch/pw2" ]
"$tmux" -S "$sock" send-keys -t "$session" -l 'echo after-interrupt'
check "echo is back on after Ctrl-C at the prompt" wait_for "echo after-interrupt"
s=$(screen)
check "the half-typed password never appeared" lacks "$s" "half-typed"

done_testing
