# tmux.sh: driving a program in a private tmux server, for the terminal
# tests (source it after tests/lib.sh and make_scratch).  Sets tmux, sock
# and session; the caller starts the session.  The server is killed on
# exit, with the scratch directory.
tmux=${TMUX_BIN:-tmux}
if ! command -v "$tmux" >/dev/null 2>&1; then
	echo "1..0 # SKIP tmux not installed"
	exit 0
fi
sock="$scratch/tmux.sock"
session=${session:-test}
tmux_cleanup() {
	"$tmux" -S "$sock" kill-server 2>/dev/null
	rm -rf "$scratch"
}
trap tmux_cleanup EXIT INT TERM

# tmux_fresh: ends the tmux server, if any, and waits until it is gone,
# so that the next new-session starts a new one rather than racing it.
tmux_fresh() {
	"$tmux" -S "$sock" kill-server 2>/dev/null
	_i=0
	while [ $_i -lt 50 ] && "$tmux" -S "$sock" ls >/dev/null 2>&1; do
		sleep 0.1
		_i=$((_i + 1))
	done
	rm -f "$sock"
}
screen() { "$tmux" -S "$sock" capture-pane -p -t "$session"; }
keys() { "$tmux" -S "$sock" send-keys -t "$session" "$@"; }
text() { "$tmux" -S "$sock" send-keys -t "$session" -l "$1"; }
# wait_for TEXT: polls the screen, at most 10 s.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	diag "timed out waiting for: $1" "screen was:" "$(screen)"
	return 1
}
